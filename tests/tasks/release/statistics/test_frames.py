"""The funnel and timeliness rules on small frames; the funnel against an oracle on random walks."""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.enums import ParticipationStatus as S
from schemas.participation import ALLOWED
from tasks.release.statistics.frames import TOTAL, funnel_frame, mail_frame, timeliness_frame

STAGES = ["recommended", "registered", "submitted", "in_review", "review_passed", "approved"]
STAGES += ["released"]
# How far along the funnel each status is, written out here independently of the product.
POSITION = {
    "recommended": 0,
    "registered": 1,
    "submitted": 2,
    "in_review": 3,
    "revision_requested": 3,
    "revised": 3,
    "rejected": 3,
    "review_passed": 4,
    "approved": 5,
    "released": 6,
    "lapsed": -1,
    "withdrawn": -1,
    "removed": -1,
}


def _frames(
    paths: list[list[str]], members: list[list[str]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    links = pd.DataFrame(
        [(code, f"协会{code}", pid) for pid, codes in enumerate(members) for code in codes],
        columns=["association", "association_name", "participation_id"],
    )
    participations = pd.DataFrame(
        [(pid, path[-1]) for pid, path in enumerate(paths)], columns=["participation_id", "status"]
    )
    transitions = pd.DataFrame(
        [(pid, a, b) for pid, path in enumerate(paths) for a, b in itertools.pairwise(path)],
        columns=["participation_id", "from_status", "to_status"],
    )
    return links, participations, transitions


@st.composite
def walks(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    """Units that each walk the status machine from `recommended`, and who recommended them."""
    paths, members = [], []
    for _ in range(draw(st.integers(0, 12))):
        path = [S.RECOMMENDED]
        for _ in range(draw(st.integers(0, 9))):
            targets = sorted(ALLOWED[path[-1]])
            if not targets:
                break
            path.append(draw(st.sampled_from(targets)))
        paths.append([s.value for s in path])
        members.append(draw(st.lists(st.sampled_from(["A1", "A2", "A3"]), min_size=1, unique=True)))
    return paths, members


@settings(max_examples=150, deadline=None)
@given(walks())
def test_funnel_counts_match_the_walks(data: tuple[list[list[str]], list[list[str]]]) -> None:
    paths, members = data
    funnel = funnel_frame(*_frames(paths, members))

    def expected(group: list[list[str]]) -> list[int]:
        reached = [max(POSITION[s] for s in path) for path in group]
        counts = [sum(r >= i for r in reached) for i in range(len(STAGES))]
        finals = [sum(p[-1] == s for p in group) for s in ("lapsed", "withdrawn", "removed")]
        return counts + finals + [sum("rejected" in p for p in group)]

    columns = [*STAGES, "lapsed", "withdrawn", "removed", "rejected"]
    rows = {r[0]: list(r[1:]) for r in funnel[["association", *columns]].itertuples(index=False)}
    assert rows[TOTAL] == expected(paths)
    for code in ("A1", "A2", "A3"):
        group = [p for p, m in zip(paths, members, strict=True) if code in m]
        assert rows.get(code, expected([])) == expected(group)
        assert (code in rows) == bool(group)
    # Stages the machine cannot skip are exactly the units whose walk went through them.
    for stage in ("registered", "submitted", "in_review", "approved", "released"):
        assert rows[TOTAL][STAGES.index(stage)] == sum(stage in p for p in paths)


def test_timeliness_counts_only_each_units_first_filing() -> None:
    participations = pd.DataFrame(
        [(1, "submitted"), (2, "registered"), (3, "withdrawn")],
        columns=["participation_id", "status"],
    )
    filings = pd.DataFrame(
        [
            (1, "report_pdf", date(2024, 12, 2), True),
            (1, "report_pdf", date(2024, 11, 1), False),  # a second version: ignored
            (2, "report_pdf", date(2024, 11, 20), False),
            (9, "report_pdf", date(2024, 11, 20), False),  # not a participation of the season
        ],
        columns=["participation_id", "kind", "received_on", "late"],
    )
    steps = [("report", "report_pdf", date(2024, 11, 30))]

    summary, days = timeliness_frame(participations, filings, steps, date(2024, 12, 1))

    row = summary.iloc[0]
    assert [int(row[c]) for c in ("expected", "on_time", "late", "missing", "withdrawn")] == [
        3,
        1,
        1,
        0,
        1,
    ]
    assert (row["earliest_days"], row["latest_days"]) == (-10, 2)
    assert list(days["filings"]) == [0, 1, 0, 0, 1, 0]


def test_mail_frame_adds_a_total_row_over_every_template() -> None:
    frame = mail_frame([("b", "sent", 2), ("a", "failed", 1), ("a", "sent", 3)], ["sent", "failed"])

    assert frame.values.tolist() == [["a", 3, 1, 4], ["b", 2, 0, 2], [TOTAL, 5, 1, 6]]
