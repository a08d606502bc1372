"""Take returned score sheets back in, and aggregate the reviews into ranked outcomes.

A returned sheet (workspace/inbox/<year>/review/sheets/) is read with its own checks
(tasks/review/sheets/read.py); then it must be a sheet we issued to a reviewer on the roster, and
each scored report must be assigned to that reviewer. Each complete report becomes the next version
of the assignment's Review when its scores or remarks changed. The outcomes are computed from the
latest review of every assignment (tasks/review/normalisation.py, tasks/review/aggregation.py) and
saved per participation for the first round, with the league table and the progress per reviewer as
artifacts. Recommendations are stored, not applied: the status moves and the feedback letters belong
to the decision step of the review issue.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, func, select

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import Severity
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import Review, ReviewAssignment, Reviewer, ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.summary_rows import SummaryRows
from schemas.tables import Participation, Unit
from tasks.common.business_day import current_actor
from tasks.common.inbox import (
    SCORE_SHEETS_KIND,
    add_input_files,
    file_fingerprints,
    files_taken_in,
)
from tasks.common.rejection_reports import publish_rejections, publish_table, write_rejection_report
from tasks.review.aggregation import report_outcomes, review_totals
from tasks.review.league import league_table_rows, progress_rows, review_progress
from tasks.review.normalisation import normalise_scores
from tasks.review.sheets.issue import issued_sheets
from tasks.review.sheets.read import read_score_sheet
from tasks.store import campaign_session, fetch_columns


class ScoresSummary(BaseModel):
    """What one intake of returned sheets and the aggregation did."""

    model_config = ConfigDict(frozen=True)

    sheets_read: int
    reviews_new: int
    outcomes: int
    problems_by_code: dict[str, int]
    report: str
    rejections: SummaryRows[Rejection]
    league: SummaryRows[dict[str, str | int | float | bool]]
    progress: SummaryRows[dict[str, str | int | float | bool]]


def _sheet_problem(file: str, code: str, zh: str, en: str) -> Rejection:
    return Rejection(
        file=file, row=None, column="", value="", code=code, reason_zh=zh, reason_en=en
    )


LatestReview = tuple[int, dict[str, float], str, str]  # version, scores, comment, suggestions


def _latest_reviews(session: Session, campaign_year: int) -> dict[int, LatestReview]:
    """Return the newest review of every assignment that has one, by assignment id; reads only.

    Plain columns (`fetch_columns`), not Review objects: the review reads every review of the
    campaign on each run (15,000 at 5,000 units).
    """
    latest: dict[int, LatestReview] = {}
    for aid, version, scores, comment, suggestions in fetch_columns(
        session,
        sa.select(
            col(Review.assignment_id),
            col(Review.version),
            col(Review.scores),
            col(Review.comment),
            col(Review.suggestions),
        )
        .where(col(Review.campaign_year) == campaign_year)
        .order_by(col(Review.version)),
    ):
        latest[aid] = (version, scores, comment, suggestions)
    return latest


def _take_in(
    session: Session, campaign: CampaignFile, files: dict[str, str], as_of: date
) -> tuple[int, list[Rejection]]:
    """Record the complete reports of each accepted sheet as Review versions.

    `files` maps each sheet's path to its sha256 (hashed once, by the caller).
    """
    if not files:
        return 0, []
    campaign_year = campaign.year
    issued = {sheet.sheet_id: sheet for sheet in issued_sheets(session, campaign)}
    assignments = {
        (pid, reviewer_id, rnd): aid
        for aid, pid, reviewer_id, rnd in session.exec(
            select(
                ReviewAssignment.id,
                ReviewAssignment.participation_id,
                ReviewAssignment.reviewer_id,
                ReviewAssignment.round,
            ).where(ReviewAssignment.campaign_year == campaign_year)
        ).all()
        if aid is not None
    }
    latest = _latest_reviews(session, campaign_year)
    rejections: list[Rejection] = []
    new = 0
    now = now_utc()
    for name in sorted(files):
        path = Path(name)
        result = read_score_sheet(
            path,
            expected_reviewer=None,
            campaign_year=campaign_year,
            criteria=campaign.review.criteria,
            label=path.name,
        )
        rejections += result.rejections
        if not result.accepted:
            continue
        match = issued.get(result.sheet_id or "")
        if match is None:
            rejections.append(
                _sheet_problem(
                    path.name,
                    "sheet-not-issued",
                    "该评分表不是当前分配方案下发出的评分表（分配可能已调整），请使用最新评分表",
                    "this sheet is not one issued for the current assignment; use the newest sheet",
                )
            )
            continue
        reviewer = match.reviewer
        digest = files[name]
        for scored in result.scored:
            assert reviewer.id is not None
            assignment_id = assignments.get((scored.participation_id, reviewer.id, match.round))
            if assignment_id is None:
                continue  # the issued sheet holds only this reviewer's assignments
            before = latest.get(assignment_id)
            values = (scored.scores, scored.comment, scored.suggestions)
            if before is not None and before[1:] == values:
                continue
            version = (before[0] + 1) if before else 1
            session.add(
                Review(
                    campaign_year=campaign_year,
                    assignment_id=assignment_id,
                    version=version,
                    scores=scored.scores,
                    comment=scored.comment,
                    suggestions=scored.suggestions,
                    received_on=as_of,
                    received_at=now,
                    sheet_sha256=digest,
                )
            )
            latest[assignment_id] = (version, *values)
            new += 1
    session.flush()
    return new, rejections


def _score_frame(
    session: Session, campaign_year: int
) -> tuple[pd.DataFrame, list[tuple[int, str]], dict[int, int]]:
    """Return the scores that count in long form, the (participation, reviewer) pairs of the
    rounds that count, and the round that counts per participation.

    A report's scores come from its newest round with any review: a revised report re-checked
    in round 1 is scored by its round-1 reviews, every other report keeps its first-round
    scores, and all are normalised together (a reviewer's harshness is measured over all the
    scores they gave).
    """
    pairs = session.exec(
        select(
            ReviewAssignment.id,
            ReviewAssignment.participation_id,
            ReviewAssignment.round,
            Reviewer.key,
        )
        .join(Reviewer, col(Reviewer.id) == col(ReviewAssignment.reviewer_id))
        .where(ReviewAssignment.campaign_year == campaign_year)
    ).all()
    by_assignment = {aid: (pid, rnd, key) for aid, pid, rnd, key in pairs}
    latest = {
        aid: scores for aid, (_, scores, *_) in _latest_reviews(session, campaign_year).items()
    }
    counted: dict[int, int] = {}
    for aid in latest:
        if aid in by_assignment:
            pid, rnd, _ = by_assignment[aid]
            counted[pid] = max(counted.get(pid, 0), rnd)
    rows = [
        {
            "participation_id": by_assignment[aid][0],
            "reviewer": by_assignment[aid][2],
            "criterion": criterion,
            "score": float(score),
        }
        for aid, scores in latest.items()
        if aid in by_assignment and by_assignment[aid][1] == counted[by_assignment[aid][0]]
        for criterion, score in scores.items()
    ]
    frame = pd.DataFrame(rows, columns=["participation_id", "reviewer", "criterion", "score"])
    expected = [
        (pid, key) for pid, rnd, key in by_assignment.values() if rnd == counted.get(pid, 0)
    ]
    return frame, expected, counted


def _save_outcomes(
    session: Session,
    campaign_year: int,
    outcomes: pd.DataFrame,
    rounds: dict[int, int],
    as_of: date,
) -> int:
    """Insert or update one ReviewOutcome per participation for the round that counts."""
    known = {
        (o.participation_id, o.round): o
        for o in session.exec(
            select(ReviewOutcome).where(ReviewOutcome.campaign_year == campaign_year)
        ).all()
    }
    for row in outcomes.to_dict("records"):
        pid = int(row["participation_id"])
        review_round = rounds.get(pid, 0)
        values = {
            "normalised_score": float(row["mean_normalised"]),
            "raw_score": float(row["mean_raw"]),
            "reviews": int(row["reviews"]),
            "spread": float(row["spread"]),
            "grade": str(row["grade"]),
            "recommendation": str(row["recommendation"]),
            "rank": int(row["rank"]),
            "detail": {
                "disagreement": bool(row["disagreement"]),
                "short_of_reviews": bool(row["short_of_reviews"]),
                "label": str(row["label"]),
            },
            "decided_on": as_of,
        }
        outcome = known.get((pid, review_round))
        if outcome is None:
            session.add(
                ReviewOutcome(
                    campaign_year=campaign_year,
                    participation_id=pid,
                    round=review_round,
                    **values,  # type: ignore[arg-type]
                )
            )
        else:
            for key, value in values.items():
                setattr(outcome, key, value)
    session.flush()
    return len(outcomes)


@task(name="take-in-scores", cache_policy=NO_CACHE)
def take_in_scores(
    settings: Settings, campaign_year: int, as_of: date, files: list[str], report_dir: str
) -> ScoresSummary:
    """Read the returned score sheets not read before, record reviews, recompute the outcomes.

    A sheet is read once per content (the InputFile ledger, kind `score_sheets`, by file name
    and sha256): an unchanged sheet adds nothing and its problems were reported the day it came
    in. The outcomes are recomputed when a review is new or changed (or none are saved yet);
    the league table and progress are returned only then. Side effects: writes Review versions,
    ReviewOutcome rows and the sheets' InputFile rows in one transaction; writes
    `scores-rejections.xlsx` into `report_dir` when new sheets were read.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    prints = file_fingerprints(files)
    with campaign_session(settings) as session:
        seen = files_taken_in(session, campaign_year, SCORE_SHEETS_KIND)
        fresh = [name for name, fingerprint in prints.items() if fingerprint.key not in seen]
        new, rejections = _take_in(session, campaign, {n: prints[n].sha256 for n in fresh}, as_of)
        add_input_files(
            session,
            campaign_year,
            SCORE_SHEETS_KIND,
            [prints[name] for name in fresh],
            as_of,
            current_actor(),
            now_utc(),
        )
        saved_before = session.exec(
            select(func.count()).where(ReviewOutcome.campaign_year == campaign_year)
        ).one()
        aggregate = bool(new or not saved_before)
        if aggregate:
            outcomes, names, pairs, scores = _aggregate(session, campaign, as_of)
        else:  # nothing new: the saved outcomes stand
            outcomes, names, pairs, scores = pd.DataFrame(), {}, [], pd.DataFrame()
        saved = len(outcomes)
    report = (
        write_rejection_report(
            settings.inside_workspace(report_dir, "scores-rejections.xlsx"), rejections
        )
        if fresh
        else None
    )
    return ScoresSummary(
        sheets_read=len(fresh),
        reviews_new=new,
        outcomes=saved,
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)) if report else "",
        rejections=rejections,
        league=league_table_rows(outcomes, names) if not outcomes.empty else [],
        progress=progress_rows(review_progress(pairs, scores)) if aggregate else [],
    )


def _aggregate(
    session: Session, campaign: CampaignFile, as_of: date
) -> tuple[pd.DataFrame, dict[int, str], list[tuple[int, str]], pd.DataFrame]:
    """Recompute and save the outcomes; return them, unit names, expected pairs and scores."""
    campaign_year = campaign.year
    scores, pairs, rounds = _score_frame(session, campaign_year)
    names = {
        pid: name
        for pid, name in session.exec(
            select(Participation.id, Unit.name)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(Participation.campaign_year == campaign_year)
        ).all()
        if pid is not None
    }
    outcomes = pd.DataFrame()
    if not scores.empty:
        totals = review_totals(normalise_scores(scores, campaign.review), campaign.review)
        outcomes = report_outcomes(totals, campaign.review)
        _save_outcomes(session, campaign_year, outcomes, rounds, as_of)
    return outcomes, names, pairs, scores


@task(name="publish-scores", cache_policy=NO_CACHE)
def publish_scores(summary: ScoresSummary) -> None:
    """Publish the league table, the progress per reviewer and the sheets' problems."""
    if summary.league:
        publish_table(
            "review-league", summary.league, "Outcomes of the first review round, by rank"
        )
    if summary.progress:
        publish_table(
            "review-progress", summary.progress, "Score sheets expected and returned per reviewer"
        )
    if not summary.report:  # no sheet was new: nothing new to report
        return
    errors = [r for r in summary.rejections if r.severity == Severity.ERROR]
    publish_rejections(
        "score-sheet-rejections",
        f"Score sheet problems ({len(errors)} errors)",
        summary.rejections,
        Path(summary.report),
    )
