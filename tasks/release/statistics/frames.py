"""How the season ran, as pandas rules: raw rows in, the tables the statistics show out.

Plain functions over small frames (the loaders in tasks/release/statistics/load.py build them with
one query per table): the participation funnel per association, the filing timeliness per deadline
step and the mail sent. What the season produced (scores, topics, indicators) is
tasks/release/statistics/quality.py. No database, no files, no Prefect, no `date.today()`.

The funnel is cumulative: a unit counts at every stage up to the furthest one it reached (its
status history is its current status plus the from/to of its audit rows). Review rounds,
revision and rejection all sit at the `in_review` stage; the meeting may approve a unit the
review rejected, and such a unit counts at `review_passed` as well (a funnel never widens).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd

from schemas.enums import ParticipationStatus as S

FUNNEL: Final = (
    S.RECOMMENDED,
    S.REGISTERED,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.REVIEW_PASSED,
    S.APPROVED,
    S.RELEASED,
)
RANK: Final[dict[str, int]] = {
    **{s.value: i for i, s in enumerate(FUNNEL)},
    S.REVISION_REQUESTED.value: 3,
    S.REVISED.value: 3,
    S.REJECTED.value: 3,
}
OUTCOMES: Final = (S.LAPSED, S.WITHDRAWN, S.REMOVED)
TOTAL: Final = "合计"
TOTAL_NAME: Final = "全部协会 all associations"
FUNNEL_COLUMNS: Final = [
    "association",
    "association_name",
    *(s.value for s in FUNNEL),
    *(s.value for s in OUTCOMES),
    "rejected",
    "submit_rate",
    "release_rate",
]
# Days from the deadline to the first filing (negative = early): (label, lowest, highest).
DAY_BINS: Final = (
    ("<=-15", -math.inf, -15),
    ("-14..-8", -14, -8),
    ("-7..-1", -7, -1),
    ("0", 0, 0),
    ("+1..+7", 1, 7),
    (">=+8", 8, math.inf),
)


def rate(part: int, whole: int) -> float:
    """Return part / whole rounded to three decimals (0.0 when whole is 0)."""
    return round(part / whole, 3) if whole else 0.0


def funnel_frame(
    links: pd.DataFrame, participations: pd.DataFrame, transitions: pd.DataFrame
) -> pd.DataFrame:
    """Return the funnel per association (code order) and a last `合计` row of distinct units.

    `links`: association, association_name, participation_id (one row per recommendation);
    `participations`: participation_id, status; `transitions`: participation_id, from_status,
    to_status. A unit two associations recommended counts for both, and once in the total.
    """
    reach = _reach(participations, transitions)
    rows = []
    joined = links.merge(reach, on="participation_id", how="inner")
    for (code, name), group in joined.groupby(["association", "association_name"], sort=True):
        rows.append(_funnel_row(str(code), str(name), group))
    rows.append(_funnel_row(TOTAL, TOTAL_NAME, reach))
    return pd.DataFrame(rows, columns=FUNNEL_COLUMNS)


def _reach(participations: pd.DataFrame, transitions: pd.DataFrame) -> pd.DataFrame:
    """Return participation_id, status (current), rank (furthest funnel stage), rejected."""
    history = pd.concat(
        [
            participations[["participation_id", "status"]],
            transitions[["participation_id", "from_status"]].rename(
                columns={"from_status": "status"}
            ),
            transitions[["participation_id", "to_status"]].rename(columns={"to_status": "status"}),
        ],
        ignore_index=True,
    )
    history["rank"] = history["status"].map(RANK).fillna(0).astype("int64")
    history["rejected"] = history["status"] == S.REJECTED.value
    per = history.groupby("participation_id", as_index=False).agg(
        rank=("rank", "max"), rejected=("rejected", "max")
    )
    return participations[["participation_id", "status"]].merge(per, on="participation_id")


def _funnel_row(code: str, name: str, group: pd.DataFrame) -> dict[str, Any]:
    row: dict[str, Any] = {"association": code, "association_name": name}
    for i, stage in enumerate(FUNNEL):
        row[stage.value] = int((group["rank"] >= i).sum())
    for outcome in OUTCOMES:
        row[outcome.value] = int((group["status"] == outcome.value).sum())
    row["rejected"] = int(group["rejected"].sum())
    row["submit_rate"] = rate(row[S.SUBMITTED.value], row[S.RECOMMENDED.value])
    row["release_rate"] = rate(row[S.RELEASED.value], row[S.RECOMMENDED.value])
    return row


def timeliness_frame(
    participations: pd.DataFrame,
    filings: pd.DataFrame,
    steps: Sequence[tuple[str, str, Any]],
    as_of: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return filing timeliness per deadline step, and the days-to-deadline distribution.

    `steps`: (deadline key, submission kind, deadline date) in deadline order; `filings`:
    participation_id, kind, received_on, late, each unit's versions in ascending order. A
    unit's first filing of a kind decides: on time or late by its stored late flag. A unit that
    never filed is `withdrawn` when it withdrew, `missing` once the deadline has passed (`as_of`
    after it), else `pending`.
    """
    summary, days = [], []
    withdrawn = set(
        participations.loc[participations["status"] == S.WITHDRAWN.value, "participation_id"]
    )
    for key, kind, deadline in steps:
        first = filings[filings["kind"] == kind].drop_duplicates("participation_id")
        first = first[first["participation_id"].isin(participations["participation_id"])]
        offsets = [(r - deadline).days for r in first["received_on"]]
        unfiled = set(participations["participation_id"]) - set(first["participation_id"])
        gone = len(unfiled & withdrawn)
        open_ = len(unfiled) - gone
        passed = as_of > deadline
        summary.append(
            {
                "deadline": key,
                "step": kind,
                "deadline_date": deadline,
                "expected": len(participations),
                "on_time": int((~first["late"].astype(bool)).sum()),
                "late": int(first["late"].astype(bool).sum()),
                "missing": open_ if passed else 0,
                "pending": 0 if passed else open_,
                "withdrawn": gone,
                "median_days": float(pd.Series(offsets).median()) if offsets else None,
                "earliest_days": min(offsets) if offsets else None,
                "latest_days": max(offsets) if offsets else None,
            }
        )
        for label, low, high in DAY_BINS:
            count = sum(1 for d in offsets if low <= d <= high)
            days.append({"deadline": key, "step": kind, "days": label, "filings": count})
    summary_columns = ["deadline", "step", "deadline_date", "expected", "on_time", "late"]
    summary_columns += ["missing", "pending", "withdrawn", "median_days"]
    summary_columns += ["earliest_days", "latest_days"]
    return (
        pd.DataFrame(summary, columns=summary_columns),
        pd.DataFrame(days, columns=["deadline", "step", "days", "filings"]),
    )


def mail_frame(counts: Sequence[tuple[str, str, int]], statuses: Sequence[str]) -> pd.DataFrame:
    """Return mails per template (sorted) with one column per delivery status and a total.

    `counts`: (template, status, messages); `statuses` fixes the status columns and their order.
    A last `合计` row sums every template.
    """
    table: dict[str, dict[str, int]] = {}
    for template, status, n in counts:
        row = table.setdefault(template, dict.fromkeys(statuses, 0))
        row[status] = row.get(status, 0) + int(n)
    rows: list[dict[str, Any]] = [
        {"template": t, **table[t], "total": sum(table[t].values())} for t in sorted(table)
    ]
    totals = {s: sum(int(r[s]) for r in rows) for s in statuses}
    rows.append({"template": TOTAL, **totals, "total": sum(totals.values())})
    return pd.DataFrame(rows, columns=["template", *statuses, "total"])
