"""The review stage's artifact tables: the league table (排行榜) and the sheets returned (回收进度).

Plain functions: report_outcomes' frame or the assignment pairs and the scores received so far
in, plain dicts (JSON-ready Python values) or a small frame out, for `create_table_artifact` in
the review flow's tasks. No Prefect, no database, no files. The scores are not checked here:
progress counts whatever has arrived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd

from tasks.review.aggregation import SHEET

RECOMMENDATION_WORDS: Final[dict[str, str]] = {
    "pass": "通过",
    "revise": "修改完善后复审",
    "reject": "未通过",
    "needs_chair": "提请评审组长裁定",
}
PROGRESS_COLUMNS: Final = ["reviewer", "expected", "returned", "outstanding", "unassigned"]

Row = dict[str, str | int | float | bool]


def league_table_rows(
    outcomes: pd.DataFrame,
    names: Mapping[int, str] | None = None,
    limit: int | None = None,
    usccs: Mapping[int, str] | None = None,
) -> list[Row]:
    """Return the league table as plain dicts in rank order, for a Prefect table artifact.

    `names` maps participation_id to the unit's name: the rows then say `unit` and `uscc`
    (from `usccs`; blank when unknown) instead of the internal participation id. `limit`
    keeps the first rows only. Flags are spelled out in `flags`.
    """
    rows: list[Row] = []
    shown = outcomes.sort_values("rank")
    if limit is not None:
        shown = shown.head(limit)
    for r in shown.to_dict(orient="records"):
        pid = int(r["participation_id"])
        row: Row = {"rank": int(r["rank"])}
        if names is None:
            row["participation_id"] = pid
        else:
            row["unit"] = names.get(pid, "")
            row["uscc"] = (usccs or {}).get(pid, "")
        flags = [
            flag
            for flag, raised in (
                ("分歧 disagreement", r["disagreement"]),
                ("评审不足 short of reviews", r["short_of_reviews"]),
            )
            if raised
        ]
        recommendation = str(r["recommendation"])
        row.update(
            {
                "mean_normalised": float(r["mean_normalised"]),
                "mean_raw": float(r["mean_raw"]),
                "reviews": int(r["reviews"]),
                "spread": float(r["spread"]),
                "grade": f"{r['grade']}（{r['label']}）",
                "recommendation": f"{recommendation} {RECOMMENDATION_WORDS[recommendation]}",
                "flags": "; ".join(flags),
            }
        )
        rows.append(row)
    return rows


def review_progress(pairs: Iterable[tuple[int, str]], scores: pd.DataFrame) -> pd.DataFrame:
    """Return sheets expected, returned and outstanding per reviewer, most outstanding first.

    `pairs` are the assigned (participation_id, reviewer) pairs; a sheet counts as returned when
    `scores` has any row for its pair. `unassigned` counts returned sheets for pairs that were
    not assigned (a late override, a sheet filed under the wrong reviewer). Sorted by
    outstanding descending, then reviewer.
    """
    assigned = _sheets(pd.DataFrame(list(pairs), columns=SHEET))
    returned = _sheets(scores[SHEET])
    both = assigned.merge(returned, on=SHEET, how="outer", indicator=True)
    both["expected"] = both["_merge"] != "right_only"
    both["returned"] = both["_merge"] == "both"
    both["unassigned"] = both["_merge"] == "right_only"
    counts = both.groupby("reviewer", as_index=False, sort=True)[
        ["expected", "returned", "unassigned"]
    ].sum()
    for column in ("expected", "returned", "unassigned"):
        counts[column] = counts[column].astype("int64")
    counts["outstanding"] = counts["expected"] - counts["returned"]
    counts = counts.sort_values(
        ["outstanding", "reviewer"], ascending=[False, True], ignore_index=True
    )
    return counts[PROGRESS_COLUMNS]


def progress_rows(progress: pd.DataFrame) -> list[Row]:
    """Return review_progress' frame as plain dicts, for a Prefect table artifact."""
    return [
        {
            "reviewer": str(r["reviewer"]),
            "expected": int(r["expected"]),
            "returned": int(r["returned"]),
            "outstanding": int(r["outstanding"]),
            "unassigned": int(r["unassigned"]),
        }
        for r in progress.to_dict(orient="records")
    ]


def _sheets(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the distinct (participation_id, reviewer) pairs with one dtype per column."""
    typed = frame.astype({"participation_id": "int64", "reviewer": "str"})
    return typed.drop_duplicates(ignore_index=True)
