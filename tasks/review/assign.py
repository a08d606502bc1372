"""Assign reviewers to the submitted reports and save the assignments with their reasons.

Loads the submitted units (their industry, associations and the topics their report covers, from the
pre-screen) and the campaign's roster, applies the overrides file, calls the pure `assign_reviewers`
(tasks/review/assignment/plan.py) and saves, in one transaction, the pairs of every report that got
its k reviewers, moving those units to `in_review`. A report short of reviewers keeps `submitted`
and is listed with the reason, so the next run (after the roster grows) assigns it. Reviewers'
existing loads count against their capacity.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import load_campaign_file
from schemas.columns import REVIEW_OVERRIDES
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.participation import transition
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import ReviewAssignment
from schemas.review_tables import Reviewer as ReviewerRow
from schemas.rows import OverrideRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.summary_rows import SummaryRows
from schemas.tables import Association, Participation, Recommendation, Submission, Unit
from tasks.common.business_day import current_actor
from tasks.common.rejection_reports import ARTIFACT_ROW_LIMIT, publish_table
from tasks.common.validation import read_rows, rejection_at
from tasks.review.assignment.plan import Override, Report, Reviewer, assign_reviewers
from tasks.store import campaign_session


class AssignmentSummary(BaseModel):
    """What one assignment run did; the rows feed the artifacts (names, no addresses)."""

    model_config = ConfigDict(frozen=True)

    reports_assigned: int
    pairs: int
    short: SummaryRows[dict[str, str | int]]
    refused: list[str]
    loads: dict[str, int]
    problems_by_code: dict[str, int]
    rejections: SummaryRows[Rejection]
    rows: SummaryRows[dict[str, str]]


def _reports(session: Session, campaign_year: int) -> list[tuple[Report, str]]:
    """Return the submitted units as assignment inputs, each with its unit name."""
    rows = session.exec(
        select(Participation.id, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign_year)
        .where(Participation.status == ParticipationStatus.SUBMITTED)
    ).all()
    ids = [pid for pid, _ in rows if pid is not None]
    codes: dict[int, set[str]] = defaultdict(set)
    for pid, code in session.exec(
        select(Participation.id, Association.code)
        .join(Recommendation, col(Recommendation.unit_id) == col(Participation.unit_id))
        .join(Association, col(Association.id) == col(Recommendation.association_id))
        .where(col(Participation.id).in_(ids))
        .where(Recommendation.campaign_year == campaign_year)
    ).all():
        if pid is not None:
            codes[pid].add(code)
    topics: dict[int, frozenset[str]] = {}
    for pid, screening in session.exec(
        select(Submission.participation_id, Submission.screening)
        .where(col(Submission.participation_id).in_(ids))
        .where(Submission.kind == SubmissionKind.REPORT_PDF)
        .order_by(col(Submission.version))
    ).all():
        covered = (screening or {}).get("topics") or []
        topics[pid] = frozenset(t["key"] for t in covered if t.get("covered"))
    return [
        (
            Report(
                participation_id=pid,
                uscc=unit.uscc,
                unit_name=unit.name,
                employer_names=frozenset({unit.name}),
                association_codes=frozenset(codes[pid]),
                industry=unit.industry,
                topics=topics.get(pid, frozenset()),
            ),
            unit.name,
        )
        for pid, unit in rows
        if pid is not None
    ]


def _reviewers(
    session: Session, campaign_year: int
) -> tuple[list[Reviewer], dict[str, ReviewerRow]]:
    """Return the roster as assignment inputs, capacity less the reports already assigned."""
    roster = session.exec(
        select(ReviewerRow).where(ReviewerRow.campaign_year == campaign_year)
    ).all()
    load = Counter(
        session.exec(
            select(ReviewAssignment.reviewer_id).where(
                ReviewAssignment.campaign_year == campaign_year
            )
        ).all()
    )
    inputs = [
        Reviewer(
            key=r.key,
            name=r.name,
            employer=r.employer,
            industries=frozenset(r.industries),
            topics=frozenset(r.topics),
            max_load=max(0, r.max_load - load[r.id or 0]),
            conflict_associations=frozenset(r.conflict_associations),
            conflict_units=frozenset(r.conflict_units),
        )
        for r in roster
    ]
    return inputs, {r.key: r for r in roster}


def _overrides(
    files: list[str], reports: list[tuple[Report, str]]
) -> tuple[list[Override], list[Rejection]]:
    """Read the overrides files; a unit that is not awaiting review is reported, not guessed."""
    found = read_rows(files, REVIEW_OVERRIDES, OverrideRow)
    by_uscc = {r.uscc: r.participation_id for r, _ in reports}
    out: list[Override] = []
    rejections = list(found.rejections)
    for row, file, number in found.rows:
        pid = by_uscc.get(row.uscc)
        if pid is None:
            rejections.append(
                rejection_at(
                    REVIEW_OVERRIDES,
                    file,
                    number,
                    "uscc",
                    row.uscc,
                    "not-awaiting-review",
                    "该单位没有待分配评审的报告",
                    "this unit has no report awaiting assignment",
                )
            )
            continue
        out.append(
            Override(participation_id=pid, reviewer_key=row.reviewer_email, action=row.action)
        )
    return out, rejections


@task(name="assign-reviewers", cache_policy=NO_CACHE)
def assign_review(
    settings: Settings, campaign_year: int, as_of: date, override_files: list[str]
) -> AssignmentSummary:
    """Assign k reviewers to every submitted report and save them; move those units on.

    Side effects: inserts ReviewAssignment rows and moves fully assigned units from
    `submitted` to `in_review` (with audit rows), in one transaction.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    k = campaign.review.reviewers_per_report
    now = now_utc()
    with campaign_session(settings) as session:
        reports = _reports(session, campaign_year)
        reviewers, rows = _reviewers(session, campaign_year)
        overrides, rejections = _overrides(override_files, reports)
        plan = assign_reviewers(
            [r for r, _ in reports], reviewers, overrides, k=k, seed=campaign_year
        )
        short = {s.participation_id for s in plan.shortfalls}
        reviewer_ids = {key: r.id for key, r in rows.items() if r.id is not None}
        names = {r.participation_id: name for r, name in reports}
        kept = [p for p in plan.pairs if p.participation_id not in short]
        session.add_all(
            ReviewAssignment(
                campaign_year=campaign_year,
                participation_id=p.participation_id,
                reviewer_id=reviewer_ids[p.reviewer_key],
                reasons=p.reasons,
                assigned_on=as_of,
                assigned_at=now,
            )
            for p in kept
        )
        assigned = sorted({p.participation_id for p in kept})
        actor = current_actor()
        for participation in session.exec(
            select(Participation).where(col(Participation.id).in_(assigned))
        ).all():
            session.add(
                transition(
                    participation,
                    ParticipationStatus.IN_REVIEW,
                    actor=actor,
                    at=now,
                    reason=f"已分配{k}位评审专家",
                )
            )
        reviewer_names = {key: r.name for key, r in rows.items()}
    return AssignmentSummary(
        reports_assigned=len(assigned),
        pairs=len(kept),
        short=[
            {"unit": names[s.participation_id], "needed": s.needed, "got": s.got, "why": s.why}
            for s in plan.shortfalls
        ],
        refused=[f"{names.get(r.override.participation_id, '?')}: {r.why}" for r in plan.refused],
        loads={reviewer_names[key]: n for key, n in plan.loads.items() if key in reviewer_names},
        problems_by_code=count_by_code(rejections),
        rejections=rejections,
        rows=[
            {
                "unit": names[p.participation_id],
                "reviewer": reviewer_names[p.reviewer_key],
                "why": "; ".join(p.reasons),
            }
            for p in kept
        ],
    )


@task(name="publish-assignment", cache_policy=NO_CACHE)
def publish_assignment(summary: AssignmentSummary) -> None:
    """Publish the pairs (unit, reviewer, why) and the reports short of reviewers as artifacts."""
    if summary.rows:
        publish_table(
            "review-assignments",
            summary.rows[:ARTIFACT_ROW_LIMIT],
            f"{summary.pairs} pairs for {summary.reports_assigned} reports; loads: "
            + ", ".join(f"{name} {n}" for name, n in sorted(summary.loads.items())),
        )
    if summary.short or summary.refused:
        publish_table(
            "review-shortfalls",
            [
                *summary.short,
                *(
                    {"unit": r, "needed": "", "got": "", "why": "override refused"}
                    for r in summary.refused
                ),
            ],
            "Reports without their full set of reviewers (they stay submitted until the roster "
            "grows), and overrides that could not be honoured",
        )
