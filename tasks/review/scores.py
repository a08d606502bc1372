"""Take returned score sheets back in, record the reviews and recompute the ranked outcomes.

A returned sheet (workspace/inbox/<year>/review/sheets/) not taken in before (the InputFile
ledger) is read and parsed with its own checks (tasks/review/sheets/read.py) before any write
transaction opens, so openpyxl never runs while the database's write lock is held. Then, in
one short transaction, the sheets add their new Review versions (tasks/review/returned_sheets.py:
only sheets issued for the current assignment, only reports assigned to the sheet's reviewer,
only what changed), the sheets are recorded in the ledger and, when a review is new, the
outcomes are recomputed (tasks/review/outcomes.py). The task writes the problems report and
publishes the league table, the progress per reviewer and the sheets' problems as artifacts,
and returns counts. Recommendations are stored, not applied: the status moves and the feedback
letters belong to the decision step (tasks/review/decisions.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, func, select

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import Severity
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.business_day import current_actor
from tasks.common.inbox import (
    SCORE_SHEETS_KIND,
    FileFingerprint,
    add_input_files,
    file_fingerprints,
    files_taken_in,
)
from tasks.common.rejection_reports import publish_rejections, publish_table, write_rejection_report
from tasks.review.league import league_table_rows, progress_rows, review_progress
from tasks.review.outcomes import Aggregation, aggregate_outcomes
from tasks.review.returned_sheets import read_returned_sheets, save_reviews
from tasks.store import campaign_session

SCORES_REPORT = "scores-rejections.xlsx"


class ScoresSummary(BaseModel):
    """What one intake of returned sheets and the aggregation did, in counts."""

    model_config = ConfigDict(frozen=True)

    sheets_read: int
    reviews_new: int
    outcomes: int  # outcomes recomputed and saved (0 when nothing new: the saved ones stand)
    problems_by_code: dict[str, int]
    report: str  # "" when no sheet was new


def sheets_not_taken_in(
    session: Session, campaign_year: int, prints: Mapping[str, FileFingerprint]
) -> dict[str, FileFingerprint]:
    """Return the sheets (path -> fingerprint) the ledger does not know yet; reads."""
    seen = files_taken_in(session, campaign_year, SCORE_SHEETS_KIND)
    return {name: p for name, p in prints.items() if p.key not in seen}


@task(name="take-in-scores", cache_policy=NO_CACHE)
def take_in_scores(
    settings: Settings, campaign_year: int, as_of: date, files: list[str], report_dir: str
) -> ScoresSummary:
    """Read the returned score sheets not read before, record reviews, recompute the outcomes.

    A sheet is read once per content (the InputFile ledger, kind `score_sheets`, by file name
    and sha256): an unchanged sheet adds nothing and its problems were reported the day it came
    in. The outcomes are recomputed when a review is new or changed (or none are saved yet),
    and the league table and progress artifacts are published only then. Side effects: reads
    the ledger in a short session, reads and parses the new sheets with no transaction open,
    then writes Review versions, ReviewOutcome rows and the sheets' InputFile rows in one
    transaction; when new sheets were read, writes `scores-rejections.xlsx` into `report_dir`
    and publishes the `score-sheet-rejections` artifact.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    prints = file_fingerprints(files)
    with campaign_session(settings) as session:  # reads only: which sheets are new
        fresh = sheets_not_taken_in(session, campaign_year, prints)
    sheets = read_returned_sheets(fresh, campaign)  # openpyxl, before the write transaction
    now = now_utc()
    with campaign_session(settings) as session:
        still_new = sheets_not_taken_in(session, campaign_year, fresh)  # a run in between
        sheets = [s for s in sheets if s.path in still_new]
        intake = save_reviews(session, campaign, sheets, as_of, now)
        add_input_files(
            session,
            campaign_year,
            SCORE_SHEETS_KIND,
            [s.fingerprint for s in sheets],
            as_of,
            current_actor(),
            now,
        )
        aggregation = _aggregate_if_changed(session, campaign, as_of, bool(intake.reviews))
    report = _report_sheet_problems(settings, report_dir, intake.rejections) if sheets else ""
    publish_scores(aggregation)
    return ScoresSummary(
        sheets_read=len(sheets),
        reviews_new=len(intake.reviews),
        outcomes=len(aggregation.outcomes) if aggregation else 0,
        problems_by_code=count_by_code(intake.rejections),
        report=report,
    )


def _aggregate_if_changed(
    session: Session, campaign: CampaignFile, as_of: date, reviews_new: bool
) -> Aggregation | None:
    """Recompute the outcomes when a review is new or none are saved yet; else None."""
    saved_before = session.exec(
        select(func.count()).where(ReviewOutcome.campaign_year == campaign.year)
    ).one()
    if reviews_new or not saved_before:
        return aggregate_outcomes(session, campaign, as_of)
    return None  # nothing new: the saved outcomes stand


def _report_sheet_problems(settings: Settings, report_dir: str, problems: list[Rejection]) -> str:
    """Write the sheets' problems report and publish its artifact; return the report's path."""
    report = write_rejection_report(
        settings.inside_workspace(report_dir, SCORES_REPORT), problems
    ).relative_to(settings.workspace)
    errors = [r for r in problems if r.severity == Severity.ERROR]
    publish_rejections(
        "score-sheet-rejections", f"Score sheet problems ({len(errors)} errors)", problems, report
    )
    return str(report)


def publish_scores(aggregation: Aggregation | None) -> None:
    """Publish the league table and the progress per reviewer of a recomputation.

    Side effects: creates the `review-league` table artifact when outcomes were computed and
    the `review-progress` one whenever the outcomes were recomputed; nothing when `aggregation`
    is None (nothing new: the artifacts of the last change still hold).
    """
    if aggregation is None:
        return
    if not aggregation.outcomes.empty:
        publish_table(
            "review-league",
            league_table_rows(aggregation.outcomes, aggregation.names, usccs=aggregation.usccs),
            "Outcomes of the first review round, by rank",
        )
    progress = progress_rows(review_progress(aggregation.expected, aggregation.scores))
    if progress:
        publish_table(
            "review-progress", progress, "Score sheets expected and returned per reviewer"
        )
