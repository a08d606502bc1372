"""报告评审 review: the roster, the assignment of experts to reports, and (as it grows) scoring.

Leaves behind today: the campaign's reviewers (from the roster in workspace/inbox/<year>/review/),
k conflict-free, evenly loaded, best-matched reviewers for every submitted report with the
reasons for each pair, units moved to `in_review`, each assigned reviewer's score sheet mailed
to them, the returned sheets recorded as reviews and aggregated into ranked outcomes (stored,
not yet applied), and artifacts: pairs, reports short of reviewers, league table, progress per
reviewer. The decision step, performance evaluation, feedback and revision are added by the
rest of the review issue.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from pydantic import BaseModel, ConfigDict

from schemas.settings import Settings
from tasks.campaigns import prepare_campaign
from tasks.clock import current_run_label, resolve_as_of
from tasks.inbox import find_tabular_files, inbox_dir
from tasks.mail import deliver_outbox
from tasks.review_assign import AssignmentSummary, assign_review, publish_assignment
from tasks.review_scores import ScoresSummary, publish_scores, take_in_scores
from tasks.review_sheets import SheetsSummary, send_score_sheets
from tasks.roster import RosterSummary, ingest_roster, publish_roster_report


class ReviewSummary(BaseModel):
    """What one review run did."""

    model_config = ConfigDict(frozen=True)

    roster: RosterSummary | None
    assignment: AssignmentSummary
    sheets: SheetsSummary
    scores: ScoresSummary | None = None
    mail_sent: int = 0


@flow(name="review")
def review(
    campaign_year: int,
    as_of: date | None = None,
    roster_files: list[str] | None = None,
    override_files: list[str] | None = None,
    returned_files: list[str] | None = None,
) -> ReviewSummary:
    """Take in the roster and assign reviewers to every submitted report not yet assigned.

    The inbox's review/ folder holds the roster (any xlsx/csv), optionally overrides.xlsx
    (指定/回避 decisions by USCC and expert email), and sheets/ with the score sheets experts
    returned (read again on every run: an unchanged sheet adds nothing; the outcomes are
    recomputed). Files given by parameter are read instead.
    """
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    reports_dir = str(Path("reports") / current_run_label())
    prepare_campaign(settings, campaign_year)
    folder = inbox_dir(settings, campaign_year) / "review"
    found = find_tabular_files(folder)
    overrides = override_files or [str(f) for f in found if f.stem.lower() == "overrides"]
    rosters = roster_files or [str(f) for f in found if f.stem.lower() != "overrides"]
    roster = None
    if rosters:
        roster = ingest_roster(settings, campaign_year, day, rosters, reports_dir)
        publish_roster_report(roster)
    assignment = assign_review(settings, campaign_year, day, overrides)
    publish_assignment(assignment)
    sheets = send_score_sheets(settings, campaign_year, day)
    delivery = deliver_outbox(settings, campaign_year) if sheets.mails_queued else None
    returned = returned_files or [str(f) for f in find_tabular_files(folder / "sheets")]
    scores = None
    if returned:
        scores = take_in_scores(settings, campaign_year, day, returned, reports_dir)
        publish_scores(scores)
    return ReviewSummary(
        roster=roster,
        assignment=assignment,
        sheets=sheets,
        scores=scores,
        mail_sent=delivery.sent if delivery else 0,
    )
