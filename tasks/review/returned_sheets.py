"""What returned score sheets add: read the files, match them to the assignment, new reviews.

`read_returned_sheets` reads and checks the files (tasks/review/sheets/read.py) and touches no
database, so the score intake (tasks/review/scores.py) calls it before its write transaction
opens. `plan_reviews` is pure: a sheet must be one issued for the current assignment, each
scored report must be assigned to the sheet's reviewer in the sheet's round, and a report
becomes the next version of the assignment's Review only when its scores or remarks changed.
`save_reviews` loads what the plan needs and adds the rows in the caller's transaction. The
ledger of files taken in and the outcomes are the intake's business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from sqlmodel import Session, select

from schemas.campaign_file import CampaignFile
from schemas.rejection import Rejection
from schemas.review_tables import Review, ReviewAssignment
from tasks.common.inbox import FileFingerprint
from tasks.review.outcomes import LatestReview, latest_reviews
from tasks.review.sheets.issue import IssuedSheet, issued_sheets
from tasks.review.sheets.layout import SheetResult
from tasks.review.sheets.read import read_score_sheet

SHEET_NOT_ISSUED = "sheet-not-issued"


class ReturnedSheet(NamedTuple):
    """A returned sheet as read from its file, before the database is asked about it."""

    path: str
    fingerprint: FileFingerprint
    result: SheetResult


class AssignmentKey(NamedTuple):
    """What a scored row is matched on: the report, the sheet's reviewer and its round."""

    participation_id: int
    reviewer_id: int
    round: int


class NewReview(NamedTuple):
    """One complete report of a sheet that becomes the next version of an assignment's Review."""

    assignment_id: int
    version: int
    scores: dict[str, float]
    comment: str
    suggestions: str
    sheet_sha256: str


@dataclass
class ReviewIntake:
    """The reviews to add and the problems of the sheets read."""

    reviews: list[NewReview] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def sheet_problem(file: str, code: str, zh: str, en: str) -> Rejection:
    """Return a file-level rejection of a returned sheet."""
    return Rejection(
        file=file, row=None, column="", value="", code=code, reason_zh=zh, reason_en=en
    )


def read_returned_sheets(
    fresh: Mapping[str, FileFingerprint], campaign: CampaignFile
) -> list[ReturnedSheet]:
    """Read and check each sheet, in path order; reads the files, never the database."""
    return [
        ReturnedSheet(
            name,
            fresh[name],
            read_score_sheet(
                Path(name),
                expected_reviewer=None,
                campaign_year=campaign.year,
                criteria=campaign.review.criteria,
                label=Path(name).name,
            ),
        )
        for name in sorted(fresh)
    ]


def plan_reviews(
    sheets: Sequence[ReturnedSheet],
    issued: Mapping[str, IssuedSheet],
    assignments: Mapping[AssignmentKey, int],
    latest: Mapping[int, LatestReview],
) -> ReviewIntake:
    """Return the new Review versions the sheets hold and their problems; pure.

    `issued` maps the sheet ids of the current assignment to their sheets, `assignments` the
    (report, reviewer, round) to the assignment id, `latest` each assignment to its newest
    review. A report whose scores and remarks equal its latest review adds nothing.
    """
    newest = dict(latest)
    intake = ReviewIntake()
    for sheet in sheets:
        result = sheet.result
        intake.rejections += result.rejections
        if not result.accepted:
            continue
        match = issued.get(result.sheet_id or "")
        if match is None:
            intake.rejections.append(
                sheet_problem(
                    result.file,
                    SHEET_NOT_ISSUED,
                    "该评分表不是当前分配方案下发出的评分表（分配可能已调整），请使用最新评分表",
                    "this sheet is not one issued for the current assignment; use the newest sheet",
                )
            )
            continue
        reviewer_id = match.reviewer.id
        assert reviewer_id is not None
        for scored in result.scored:
            key = AssignmentKey(scored.participation_id, reviewer_id, match.round)
            assignment_id = assignments.get(key)
            if assignment_id is None:
                continue  # the issued sheet holds only this reviewer's assignments
            before = newest.get(assignment_id)
            said = (scored.scores, scored.comment, scored.suggestions)
            if before is not None and (before.scores, before.comment, before.suggestions) == said:
                continue
            review = NewReview(
                assignment_id=assignment_id,
                version=(before.version + 1) if before else 1,
                scores=scored.scores,
                comment=scored.comment,
                suggestions=scored.suggestions,
                sheet_sha256=sheet.fingerprint.sha256,
            )
            intake.reviews.append(review)
            newest[assignment_id] = LatestReview(
                review.version, review.scores, review.comment, review.suggestions
            )
    return intake


def save_reviews(
    session: Session,
    campaign: CampaignFile,
    sheets: Sequence[ReturnedSheet],
    as_of: date,
    now: datetime,
) -> ReviewIntake:
    """Match the sheets against the assignment and add their new Review versions; flush."""
    if not sheets:
        return ReviewIntake()
    issued = {sheet.sheet_id: sheet for sheet in issued_sheets(session, campaign)}
    assignments = {
        AssignmentKey(pid, reviewer_id, rnd): aid
        for aid, pid, reviewer_id, rnd in session.exec(
            select(
                ReviewAssignment.id,
                ReviewAssignment.participation_id,
                ReviewAssignment.reviewer_id,
                ReviewAssignment.round,
            ).where(ReviewAssignment.campaign_year == campaign.year)
        ).all()
        if aid is not None
    }
    intake = plan_reviews(sheets, issued, assignments, latest_reviews(session, campaign.year))
    session.add_all(
        Review(
            campaign_year=campaign.year,
            assignment_id=review.assignment_id,
            version=review.version,
            scores=review.scores,
            comment=review.comment,
            suggestions=review.suggestions,
            received_on=as_of,
            received_at=now,
            sheet_sha256=review.sheet_sha256,
        )
        for review in intake.reviews
    )
    session.flush()
    return intake
