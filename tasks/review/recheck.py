"""The re-check round: a revised report goes back to the experts who reviewed it first.

A unit asked to revise (revision_requested, its `revision_round` already counted up) that filed
a new report PDF is `revised` (tasks/common/progress.py). Only what changed is scored again: each
revised report gets assignments for its revision round with the same experts as its first
round, so they compare it with the version they know (not those recorded absent in the first
round: no sheet came from them), and moves back to `in_review`. Their
re-check sheets go out with the other sheets (tasks/review/sheets/issue.py, one sheet per expert and
round); the reports nobody revised keep their first-round outcome.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import col, select

from schemas.enums import ParticipationStatus
from schemas.participation import transition
from schemas.review_tables import ReviewAssignment
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.business_day import current_actor
from tasks.store import campaign_session

RECHECK_REASON = "复核修改稿：首轮评审专家"


class RecheckSummary(BaseModel):
    """What one re-check assignment did."""

    model_config = ConfigDict(frozen=True)

    reports: int
    pairs: int


@task(name="assign-rechecks", cache_policy=NO_CACHE)
def assign_rechecks(settings: Settings, campaign_year: int, as_of: date) -> RecheckSummary:
    """Assign every revised report to its first-round experts for its revision round.

    Side effects: inserts ReviewAssignment rows and moves the participations to in_review, in
    one transaction. A revised report with no first-round expert left stays revised.
    """
    now, actor = now_utc(), current_actor()
    with campaign_session(settings) as session:
        revised = session.exec(
            select(Participation)
            .where(Participation.campaign_year == campaign_year)
            .where(Participation.status == ParticipationStatus.REVISED)
        ).all()
        ids = [p.id for p in revised]
        first: dict[int, list[int]] = defaultdict(list)
        for pid, reviewer_id in session.exec(
            select(ReviewAssignment.participation_id, ReviewAssignment.reviewer_id)
            .where(col(ReviewAssignment.participation_id).in_(ids))
            .where(ReviewAssignment.round == 0)
            .where(col(ReviewAssignment.absent_on).is_(None))
            .order_by(col(ReviewAssignment.reviewer_id))
        ).all():
            first[pid].append(reviewer_id)
        pairs = 0
        reports = 0
        for participation in revised:
            assert participation.id is not None
            experts = first.get(participation.id, [])
            if not experts:
                continue
            session.add_all(
                ReviewAssignment(
                    campaign_year=campaign_year,
                    participation_id=participation.id,
                    reviewer_id=reviewer_id,
                    round=participation.revision_round,
                    reasons=[RECHECK_REASON],
                    assigned_on=as_of,
                    assigned_at=now,
                )
                for reviewer_id in experts
            )
            session.add(
                transition(
                    participation,
                    ParticipationStatus.IN_REVIEW,
                    actor=actor,
                    at=now,
                    reason=f"修改稿进入第{participation.revision_round}轮复核",
                )
            )
            pairs += len(experts)
            reports += 1
    return RecheckSummary(reports=reports, pairs=pairs)
