"""报告评审 review: experts, assignment, score sheets out and in, decisions, feedback, revision.

One run, in order (every step is idempotent; the clock runs it daily through the review):
1. take in the roster (workspace/inbox/<year>/review/) and the assignment overrides;
2. assign k conflict-free, evenly loaded, best-matched experts to every submitted report, and
   the first-round experts to every revised report (the re-check round); units go in_review;
3. mail each expert their score sheet for each round (a changed assignment sends a new sheet);
4. take in the returned sheets (review/sheets/), aggregate with harshness normalisation into
   ranked outcomes (league table and progress artifacts); remind experts who are late;
5. evaluate performance (绩效评价) from the forms and financials;
6. record the experts an operator says are absent (review/absent.xlsx); once a report's round
   is past due and every assigned sheet is in or its expert absent, decide: review_passed,
   revision_requested or rejected (the chair decides what the experts disagreed on or left
   short, review/chair.xlsx), write the decided version (never rewritten; the chair's later
   word makes a new one with a corrected letter), mail the feedback letters and revision
   requests; lapse units that never sent the revision asked for;
7. deliver the mail, and record the review folder's files as read (the clock runs the review
   again when one of them changes).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from pydantic import BaseModel, ConfigDict

from schemas.settings import Settings
from tasks.common.business_day import current_run_label, resolve_as_of, stage_run_name
from tasks.common.campaigns import prepare_campaign
from tasks.common.delivery import deliver_outbox
from tasks.common.inbox import REVIEW_FILES_KIND, inbox_dir, record_inputs
from tasks.review.assign import AssignmentSummary, assign_review
from tasks.review.decisions import DecisionSummary, decide_reviews
from tasks.review.files import review_files
from tasks.review.performance import PerformanceSummary, evaluate_performance
from tasks.review.recheck import RecheckSummary, assign_rechecks
from tasks.review.reminders import ReviewerRemindersSummary, remind_reviewers
from tasks.review.roster import RosterSummary, ingest_roster
from tasks.review.scores import ScoresSummary, take_in_scores
from tasks.review.sheets.issue import SheetsSummary, send_score_sheets


class ReviewSummary(BaseModel):
    """What one review run did, in counts (each task published its own tables)."""

    model_config = ConfigDict(frozen=True)

    roster: RosterSummary | None
    assignment: AssignmentSummary
    rechecks: RecheckSummary
    sheets: SheetsSummary
    scores: ScoresSummary | None = None
    reviewer_reminders: ReviewerRemindersSummary
    performance: PerformanceSummary
    decisions: DecisionSummary
    mail_sent: int = 0


@flow(name="review", flow_run_name=stage_run_name("review"))
def review(
    campaign_year: int,
    as_of: date | None = None,
    roster_files: list[str] | None = None,
    override_files: list[str] | None = None,
    returned_files: list[str] | None = None,
    chair_files: list[str] | None = None,
    absent_files: list[str] | None = None,
) -> ReviewSummary:
    """Run the review as far as `as_of` allows (see the module's steps).

    The inbox's review/ folder holds the roster (any xlsx/csv), optionally overrides.xlsx
    (指定/回避 by USCC and expert email), chair.xlsx (the chair's decisions), absent.xlsx
    (experts recorded absent for a round) and sheets/ (the returned score sheets: an unchanged
    sheet adds nothing). Files given by parameter are read instead.
    """
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    reports_dir = str(Path("reports") / current_run_label())
    prepare_campaign(settings, campaign_year)
    files = review_files(
        inbox_dir(settings, campaign_year) / "review",
        rosters=roster_files,
        overrides=override_files,
        chair=chair_files,
        returned=returned_files,
        absent=absent_files,
    )
    roster = (
        ingest_roster(settings, campaign_year, day, files.rosters, reports_dir)
        if files.rosters
        else None
    )
    assignment = assign_review(settings, campaign_year, day, files.overrides, reports_dir)
    rechecks = assign_rechecks(settings, campaign_year, day)
    sheets = send_score_sheets(settings, campaign_year, day)
    scores = (
        take_in_scores(settings, campaign_year, day, files.returned, reports_dir)
        if files.returned
        else None
    )
    late = remind_reviewers(settings, campaign_year, day)
    performance = evaluate_performance(settings, campaign_year, day)
    decisions = decide_reviews(settings, campaign_year, day, files.chair, reports_dir, files.absent)
    queued = sheets.mails_queued + late.mails_queued + decisions.mails_queued
    delivery = deliver_outbox(settings, campaign_year) if queued else None
    if files.to_record:  # the clock runs the review again when one of these files changes
        record_inputs(settings, campaign_year, REVIEW_FILES_KIND, files.to_record, day)
    return ReviewSummary(
        roster=roster,
        assignment=assignment,
        rechecks=rechecks,
        sheets=sheets,
        scores=scores,
        reviewer_reminders=late,
        performance=performance,
        decisions=decisions,
        mail_sent=delivery.sent if delivery else 0,
    )
