"""What returned sheets add (`plan_reviews`, pure): only issued sheets, only assigned reports,
only what changed, versions counted on from the latest review, even within one run."""

from __future__ import annotations

from datetime import date

from schemas.review_tables import Reviewer
from tasks.common.inbox import FileFingerprint
from tasks.review.outcomes import LatestReview
from tasks.review.returned_sheets import AssignmentKey, NewReview, ReturnedSheet, plan_reviews
from tasks.review.sheets.issue import IssuedSheet
from tasks.review.sheets.layout import ScoredReport, SheetResult

EXPERT = Reviewer(id=7, campaign_year=2024, key="e7@x.org", name="专家07", email="e7@x.org")
ISSUED = IssuedSheet(
    reviewer=EXPERT,
    round=0,
    participation_ids=(1, 2),
    sheet_id="s-7",
    assigned_on=date(2024, 12, 2),
)


def _returned(name: str, sheet_id: str, scored: dict[int, float]) -> ReturnedSheet:
    """Return a sheet read from `name`: every report in `scored` with that score everywhere."""
    reports = [
        ScoredReport(participation_id=pid, scores={"a": s, "b": s}, comment="好", suggestions="")
        for pid, s in scored.items()
    ]
    result = SheetResult(
        file=name, reviewer_key="e7@x.org", campaign_year=2024, sheet_id=sheet_id, scored=reports
    )
    return ReturnedSheet(f"/inbox/{name}", FileFingerprint(name, f"sha-{name}", 100), result)


def test_changed_reports_become_the_next_versions_and_unchanged_ones_add_nothing() -> None:
    assignments = {AssignmentKey(1, 7, 0): 101, AssignmentKey(2, 7, 0): 102}
    latest = {101: LatestReview(1, {"a": 80.0, "b": 80.0}, "好", "")}
    sheets = [
        _returned("first.xlsx", "s-7", {1: 80.0, 2: 70.0}),  # 1 unchanged, 2 new
        _returned("second.xlsx", "s-7", {1: 85.0, 2: 70.0}),  # 1 changed, 2 as just read
        _returned("third.xlsx", "s-7", {1: 90.0, 3: 60.0}),  # 3 is not this expert's
    ]

    intake = plan_reviews(sheets, {"s-7": ISSUED}, assignments, latest)

    assert intake.reviews == [
        NewReview(102, 1, {"a": 70.0, "b": 70.0}, "好", "", "sha-first.xlsx"),
        NewReview(101, 2, {"a": 85.0, "b": 85.0}, "好", "", "sha-second.xlsx"),
        NewReview(101, 3, {"a": 90.0, "b": 90.0}, "好", "", "sha-third.xlsx"),
    ]
    assert intake.rejections == []
    assert latest == {101: LatestReview(1, {"a": 80.0, "b": 80.0}, "好", "")}  # not changed


def test_a_sheet_not_issued_for_the_current_assignment_is_refused_whole() -> None:
    sheets = [_returned("old.xlsx", "s-old", {1: 80.0})]

    intake = plan_reviews(sheets, {"s-7": ISSUED}, {AssignmentKey(1, 7, 0): 101}, {})

    assert intake.reviews == []
    assert [(r.file, r.row, r.code) for r in intake.rejections] == [
        ("old.xlsx", None, "sheet-not-issued")
    ]
