"""The season fuzzer's check after every played day: `check_day(settings, campaign, as_of)`.

When the product's audit exists (tasks/audit, issue 22 item 9: `audit_season(session,
campaign, as_of, settings)`, each violation worded by `violation_line`) the check is that
audit's list; without it, the fuzzer's own invariants below, each a plain reading of the stored
season against the date (shared/DESIGN.md "Season integrity"):
- status-by-date: no participation is `submitted` with a filing from before today once two
  working days of the review have passed (it should be in review); none is still
  `recommended` after the receipt window closed, or `registered` after the report window
  closed (the clock lapses them); none is `revision_requested` after the revision deadline
  plus one day; after the meeting decided, every unit is approved, removed or final; the day
  after the release date, nobody approved is left unreleased;
- audit-trail: each participation's recorded moves chain from one to the next, each one a move
  the status machine allows, and end at its current status.
A violation is one line: the invariant, the unit (USCC), what is wrong.
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, col, func, select

import tasks
from notifications.policy import campaign_calendar, window_last_day
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.participation import can_move
from schemas.release_tables import MeetingDecision
from schemas.settings import Settings
from schemas.tables import Participation, StageTransition, Submission, Unit
from tasks.store import campaign_session

AFTER_MEETING = frozenset({S.APPROVED, S.REMOVED, S.RELEASED, S.LAPSED, S.WITHDRAWN})


def check_day(settings: Settings, campaign: CampaignFile, as_of: date) -> list[str]:
    """Return the stored season's violations as of `as_of`, one line each: the product's
    audit's (`campaign audit`, tasks/audit) when this tree has it, else the fuzzer's own
    invariants. Reads the database (and, for the audit, the workspace's files)."""
    if not (Path(tasks.__file__).parent / "audit").is_dir():
        return own_invariants(settings, campaign, as_of)
    # Imported by name: this tree may not have the audit yet (and an editable install of
    # another checkout could otherwise lend it one).
    check = importlib.import_module("tasks.audit.check")
    report = importlib.import_module("tasks.audit.report")
    with campaign_session(settings) as session:
        found = check.audit_season(session, campaign, as_of, settings)
    # An overdue to-do (an expert's sheet or the chair's word past its day, someone named acts
    # next) is the world's doing, not the product's: the fuzzer judges the broken invariants.
    return [str(report.violation_line(v)) for v in found if not v.overdue]


def window_closes(campaign: CampaignFile, key: str) -> date:
    """Return the first day a deadline's window is closed: the day after its last notice."""
    deadline = campaign.deadline(key)
    calendar = campaign_calendar(campaign)
    return window_last_day(key, deadline, campaign.reminders, calendar) + timedelta(days=1)


def allowed_statuses(campaign: CampaignFile, as_of: date, decided: bool) -> dict[S, str]:
    """Return the statuses `as_of` no longer allows, each with why (`decided`: the meeting
    recorded its decision). Pure; `submitted` is judged apart (it depends on the filing day)."""
    banned: dict[S, str] = {}
    if as_of >= window_closes(campaign, "receipt"):
        banned[S.RECOMMENDED] = "the receipt window is closed"
    if as_of >= window_closes(campaign, "report"):
        banned[S.REGISTERED] = "the report window is closed"
    if as_of > campaign.deadline("revision").date + timedelta(days=1):
        banned[S.REVISION_REQUESTED] = "the revision deadline has passed"
    if decided:
        for status in set(S) - AFTER_MEETING:
            banned.setdefault(status, "the meeting has decided")
    if as_of > campaign.events.release:
        banned[S.APPROVED] = "the release date has passed"
    return banned


def own_invariants(settings: Settings, campaign: CampaignFile, as_of: date) -> list[str]:
    """Return the violations of the fuzzer's own invariants (module docstring). Reads only."""
    with campaign_session(settings) as session:
        return status_by_date(session, campaign, as_of) + audit_trail(session, campaign.year)


def status_by_date(session: Session, campaign: CampaignFile, as_of: date) -> list[str]:
    """Return one line per participation whose status `as_of` does not allow. Reads only."""
    year = campaign.year
    decided = session.exec(select(func.count()).where(MeetingDecision.campaign_year == year)).one()
    banned = allowed_statuses(campaign, as_of, bool(decided))
    newest = (
        select(Submission.participation_id, func.max(Submission.received_on).label("filed"))
        .group_by(col(Submission.participation_id))
        .subquery()
    )
    rows = session.exec(
        select(Unit.uscc, Participation.status, newest.c.filed)
        .join(Participation, col(Participation.unit_id) == col(Unit.id))
        .join(newest, newest.c.participation_id == col(Participation.id), isouter=True)
        .where(Participation.campaign_year == year)
    ).all()
    assign_by = campaign_calendar(campaign).shift(campaign.stages.review, 2)
    out = []
    for uscc, status, filed in sorted(rows):
        if status in banned:
            out.append(f"status-by-date: {uscc} is {status.value} on {as_of}: {banned[status]}")
        elif status == S.SUBMITTED and as_of >= assign_by and (filed is None or filed < as_of):
            out.append(
                f"status-by-date: {uscc} is submitted on {as_of} (filed {filed}) but not in "
                f"review {as_of - assign_by} after the second working day of the review"
            )
    return out


def audit_trail(session: Session, year: int) -> list[str]:
    """Return one line per participation whose recorded moves do not chain through allowed
    moves to its current status. Reads only."""
    moves: dict[int, list[tuple[S, S]]] = {}
    for pid, before, after in session.exec(
        select(
            StageTransition.participation_id, StageTransition.from_status, StageTransition.to_status
        )
        .where(StageTransition.campaign_year == year)
        .order_by(col(StageTransition.id))
    ).all():
        if pid is not None:
            moves.setdefault(pid, []).append((before, after))
    out = []
    for pid, uscc, status in session.exec(
        select(Participation.id, Unit.uscc, Participation.status)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == year)
    ).all():
        chain = moves.get(pid or 0, [])
        wrong = [f"{a.value}->{b.value}" for a, b in chain if not can_move(a, b)]
        breaks = [i for i in range(1, len(chain)) if chain[i - 1][1] != chain[i][0]]
        if wrong:
            out.append(f"audit-trail: {uscc} made moves the machine forbids: {', '.join(wrong)}")
        if breaks or (chain and chain[-1][1] != status):
            path = " ".join(f"{a.value}->{b.value}" for a, b in chain)
            out.append(f"audit-trail: {uscc} is {status.value} but its moves say {path}")
    return sorted(out)
