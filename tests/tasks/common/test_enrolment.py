"""Who may file: the problem of a unit that may not, and the participation of one that may."""

from __future__ import annotations

import pytest

from schemas.enums import ParticipationStatus
from tasks.common.enrolment import (
    Enrolled,
    HeldOverQuota,
    Problem,
    filing_problem,
    participation_of,
    repeated,
)

ENROLLED = {
    "A": Enrolled(7, ParticipationStatus.REGISTERED),
    "H": Enrolled(None, None),
    "W": Enrolled(8, ParticipationStatus.WITHDRAWN),
}


def test_filing_problem_names_each_reason_by_its_code() -> None:
    codes = [
        None if p is None else p.code
        for p in map(filing_problem, [ENROLLED["A"], None, ENROLLED["H"], ENROLLED["W"]])
    ]

    assert codes == [None, "not-recommended", "recommendation-held", "participation-closed"]


def test_repeated_points_to_the_row_kept() -> None:
    assert repeated("回执", "receipt", "a.xlsx", 3) == Problem(
        "duplicate-in-file",
        "重复的回执，已按a.xlsx第3行受理",
        "receipt repeated; a.xlsx row 3 was kept",
    )


def test_participation_of_a_held_unit_raises_held_over_quota_with_its_uscc() -> None:
    assert participation_of(ENROLLED, "A") == 7
    with pytest.raises(HeldOverQuota, match="H has no participation") as held:
        participation_of(ENROLLED, "H")

    assert held.value.uscc == "H"
