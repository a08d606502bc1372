"""Where each report in review stands in its round: when its sheets are due, who still owes one.

A report's round is decided once its sheets are past due and every assigned expert's sheet is in
or the expert is recorded absent (tasks/review/rules.py `round_decidable`). This module reads
what that rule needs, per participation in review: the round's due date (tasks/review/rules.py
`sheet_deadline`: the review deadline, or a re-check's assignment day plus the campaign's
working days) and the names of the experts whose sheet is outstanding (names only,
never addresses: they go into artifacts), and the reports past due with their outcomes
(`load_due_reports`, what the decision step decides on). Reads only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.review_tables import Review, ReviewAssignment, Reviewer, ReviewOutcome
from schemas.tables import Participation, Unit
from tasks.review.rules import round_due, sheet_deadline
from tasks.store import fetch_columns


class RoundState(NamedTuple):
    """One report's current round: when its sheets are due, and who has not returned one."""

    due_on: date
    outstanding: tuple[str, ...]  # expert names: no sheet in, not recorded absent
    assigned: int  # experts assigned to the round


class DueReport(NamedTuple):
    """A report in review whose round is past due: its outcome (if any) and its round's state."""

    participation: Participation
    unit: Unit
    outcome: ReviewOutcome | None
    state: RoundState


def round_states(
    session: Session, campaign: CampaignFile, current: dict[int, int]
) -> dict[int, RoundState]:
    """Return the state of each participation's round (`current`: participation -> round).

    A participation with no assignment in that round is due with its round's rule and owes
    nothing (the decision step says it has no outcome). Reads only.
    """
    rows = fetch_columns(
        session,
        sa.select(
            col(ReviewAssignment.id),
            col(ReviewAssignment.participation_id),
            col(ReviewAssignment.round),
            col(ReviewAssignment.assigned_on),
            col(ReviewAssignment.absent_on),
            col(Reviewer.name),
        )
        .join(Reviewer, col(Reviewer.id) == col(ReviewAssignment.reviewer_id))
        .where(col(ReviewAssignment.campaign_year) == campaign.year)
        .where(col(ReviewAssignment.participation_id).in_(list(current))),
    )
    mine = [r for r in rows if current.get(r[1]) == r[2]]
    returned = set(
        session.exec(
            select(Review.assignment_id)
            .where(Review.campaign_year == campaign.year)
            .where(col(Review.assignment_id).in_([r[0] for r in mine]))
        ).all()
    )
    assigned_on: dict[int, date] = {}
    outstanding: dict[int, list[str]] = defaultdict(list)
    assigned: dict[int, int] = defaultdict(int)
    for aid, pid, _, on, absent_on, name in mine:
        assigned_on[pid] = max(on, assigned_on.get(pid, on))
        assigned[pid] += 1
        if aid not in returned and absent_on is None:
            outstanding[pid].append(name)
    return {
        pid: RoundState(
            due_on=(
                sheet_deadline(campaign, rnd, assigned_on[pid])
                if pid in assigned_on
                else sheet_deadline(campaign, 0, campaign.stages.review)
            ),
            outstanding=tuple(sorted(outstanding[pid])),
            assigned=assigned[pid],
        )
        for pid, rnd in current.items()
    }


def rounds_in_review(session: Session, campaign_year: int) -> dict[int, int]:
    """Return each participation in review with its current round; reads."""
    return {
        pid: rnd
        for pid, rnd in session.exec(
            select(Participation.id, Participation.revision_round)
            .where(Participation.campaign_year == campaign_year)
            .where(Participation.status == ParticipationStatus.IN_REVIEW)
        ).all()
        if pid is not None
    }


def due_dates_in_review(session: Session, campaign: CampaignFile) -> Collection[date]:
    """Return the distinct sheets-due dates of the rounds in review; reads."""
    states = round_states(session, campaign, rounds_in_review(session, campaign.year))
    return {s.due_on for s in states.values()}


def load_due_reports(session: Session, campaign: CampaignFile, as_of: date) -> list[DueReport]:
    """Return the reports in review whose round is past due on `as_of`, with their outcomes and
    their rounds' state (who still owes a sheet); reads."""
    current = rounds_in_review(session, campaign.year)
    states = {
        pid: state
        for pid, state in round_states(session, campaign, current).items()
        if round_due(state.due_on, as_of)
    }
    rows = session.exec(
        select(Participation, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(col(Participation.id).in_(list(states)))
        .order_by(col(Participation.id))
    ).all()
    outcomes = {
        (o.participation_id, o.round): o
        for o in session.exec(
            select(ReviewOutcome)
            .where(ReviewOutcome.campaign_year == campaign.year)
            .where(col(ReviewOutcome.participation_id).in_(list(states)))
        ).all()
    }
    return [
        DueReport(p, u, outcomes.get((p.id or 0, p.revision_round)), states[p.id or 0])
        for p, u in rows
    ]
