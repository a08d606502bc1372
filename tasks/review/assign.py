"""Assign reviewers to the submitted reports and save the assignments with their reasons.

Reads the overrides files first (tasks/review/assign_inputs.py), then, in one transaction, loads
the submitted units (their industry, associations and the topics their report covers, from the
pre-screen) and the campaign's roster, calls the pure `assign_reviewers`
(tasks/review/assignment/plan.py) and saves the pairs of every report that got a reviewer,
moving those units to `in_review`. A report short of reviewers is assigned the experts available
and listed with the reason; its outcome is short of reviews, so the review chair decides it
(tasks/review/rules.py). Only a report no expert can review keeps `submitted` (listed, so the
next run, after the roster grows, assigns it): a filed report never waits unseen for a roster
that may not grow. Reviewers' existing loads
count against their capacity. The task publishes its own tables (pairs, shortfalls, override
problems) and returns counts; it does not send the score sheets (tasks/review/sheets/issue.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import load_campaign_file
from schemas.enums import ParticipationStatus
from schemas.participation import transition
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import ReviewAssignment
from schemas.review_tables import Reviewer as ReviewerRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.business_day import current_actor
from tasks.common.rejection_reports import (
    ARTIFACT_ROW_LIMIT,
    publish_rejections,
    publish_table,
    write_rejection_report,
)
from tasks.review.assign_inputs import (
    load_reports,
    load_reviewers,
    read_overrides,
    resolve_overrides,
)
from tasks.review.assignment.plan import AssignmentPlan, Pair, assign_reviewers
from tasks.store import campaign_session

OVERRIDES_REPORT = "override-rejections.xlsx"


class AssignmentSummary(BaseModel):
    """What one assignment run did, in counts; the pairs and shortfalls are artifacts."""

    model_config = ConfigDict(frozen=True)

    reports_assigned: int
    pairs: int
    reports_short: int  # reports without their full set of reviewers (`review-shortfalls`)
    overrides_refused: int  # overrides that could not be honoured (`review-shortfalls`)
    loads: dict[str, int]  # reviewer name -> reports assigned in this run
    problems_by_code: dict[str, int]  # rows of the overrides files refused
    report: str  # the overrides' problems report; "" when no overrides file was read


Row = dict[str, str | int]


@dataclass(frozen=True)
class AssignmentTables:
    """The pairs kept (every report's available reviewers) and the tables shown to operators."""

    kept: list[Pair]
    rows: list[Row]  # unit, reviewer, why (names, no addresses)
    short: list[Row]  # unit, needed, got, why
    refused: list[str]  # "<unit>: why" per override refused
    loads: dict[str, int]  # reviewer name -> reports


def assignment_tables(
    plan: AssignmentPlan, unit_names: Mapping[int, str], reviewer_names: Mapping[str, str]
) -> AssignmentTables:
    """Return the pairs to save (all of them: a report short of reviewers keeps those it got)
    and the operator tables; pure."""
    kept = list(plan.pairs)
    return AssignmentTables(
        kept=kept,
        rows=[
            {
                "unit": unit_names[p.participation_id],
                "reviewer": reviewer_names[p.reviewer_key],
                "why": "; ".join(p.reasons),
            }
            for p in kept
        ],
        short=[
            {
                "unit": unit_names[s.participation_id],
                "needed": s.needed,
                "got": s.got,
                "why": s.why,
            }
            for s in plan.shortfalls
        ],
        refused=[
            f"{unit_names.get(r.override.participation_id, '?')}: {r.why}" for r in plan.refused
        ],
        loads={reviewer_names[key]: n for key, n in plan.loads.items() if key in reviewer_names},
    )


def save_pairs(
    session: Session,
    campaign_year: int,
    kept: Sequence[Pair],
    reviewers: Mapping[str, ReviewerRow],
    as_of: date,
    now: datetime,
    k: int,
) -> list[int]:
    """Insert the kept pairs and move their units to in_review (audit rows); return the ids.

    The audit reason says how many experts the report got out of the `k` wanted.
    """
    reviewer_ids = {key: r.id for key, r in reviewers.items() if r.id is not None}
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
    got = Counter(p.participation_id for p in kept)
    actor = current_actor()
    for participation in session.exec(
        select(Participation).where(col(Participation.id).in_(assigned))
    ).all():
        n = got[participation.id or 0]
        reason = (
            f"已分配{k}位评审专家" if n >= k else f"已分配{n}位评审专家（应为{k}位，待组长决定）"
        )
        session.add(
            transition(
                participation, ParticipationStatus.IN_REVIEW, actor=actor, at=now, reason=reason
            )
        )
    return assigned


@task(name="assign-reviewers", cache_policy=NO_CACHE)
def assign_review(
    settings: Settings,
    campaign_year: int,
    as_of: date,
    override_files: list[str],
    report_dir: str,
) -> AssignmentSummary:
    """Assign k reviewers to every submitted report and save them; move those units on.

    Side effects: reads the overrides files first; then inserts ReviewAssignment rows and moves
    every unit that got a reviewer from `submitted` to `in_review` (with audit rows), in one
    transaction;
    publishes the `review-assignments` and `review-shortfalls` artifacts when they have rows;
    when overrides files were given, writes `override-rejections.xlsx` into `report_dir` and
    publishes the `override-rejections` artifact.
    """
    k = load_campaign_file(settings.campaign_file(campaign_year)).review.reviewers_per_report
    found = read_overrides(override_files)
    now = now_utc()
    with campaign_session(settings) as session:
        reports = load_reports(session, campaign_year)
        roster = load_reviewers(session, campaign_year)
        overrides = resolve_overrides(found, reports)
        plan = assign_reviewers(
            [r.report for r in reports],
            roster.reviewers,
            overrides.overrides,
            k=k,
            seed=campaign_year,
        )
        tables = assignment_tables(
            plan,
            {r.report.participation_id: r.unit_name for r in reports},
            {key: r.name for key, r in roster.rows.items()},
        )
        assigned = save_pairs(session, campaign_year, tables.kept, roster.rows, as_of, now, k)
    report = (
        _report_override_problems(settings, report_dir, overrides.rejections)
        if override_files
        else ""
    )
    publish_assignment(tables, len(assigned))
    return AssignmentSummary(
        reports_assigned=len(assigned),
        pairs=len(tables.kept),
        reports_short=len(tables.short),
        overrides_refused=len(tables.refused),
        loads=tables.loads,
        problems_by_code=count_by_code(overrides.rejections),
        report=report,
    )


def _report_override_problems(
    settings: Settings, report_dir: str, rejections: list[Rejection]
) -> str:
    """Write the overrides' problems report and publish its artifact; return its path."""
    path = write_rejection_report(
        settings.inside_workspace(report_dir, OVERRIDES_REPORT), rejections
    ).relative_to(settings.workspace)
    publish_rejections("override-rejections", "Override problems", rejections, path)
    return str(path)


def publish_assignment(tables: AssignmentTables, reports_assigned: int) -> None:
    """Publish the pairs (unit, reviewer, why) and the reports short of reviewers as artifacts.

    Side effects: creates the `review-assignments` table artifact when pairs were kept and the
    `review-shortfalls` one when a report is short or an override was refused.
    """
    if tables.rows:
        publish_table(
            "review-assignments",
            tables.rows[:ARTIFACT_ROW_LIMIT],
            f"{len(tables.kept)} pairs for {reports_assigned} reports; loads: "
            + ", ".join(f"{name} {n}" for name, n in sorted(tables.loads.items())),
        )
    if tables.short or tables.refused:
        publish_table(
            "review-shortfalls",
            [
                *tables.short,
                *(
                    {"unit": r, "needed": "", "got": "", "why": "override refused"}
                    for r in tables.refused
                ),
            ],
            "Reports without their full set of reviewers (assigned those available, the chair "
            "decides them; one with none stays submitted until the roster grows), and "
            "overrides that could not be honoured",
        )
