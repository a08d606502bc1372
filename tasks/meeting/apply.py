"""Writing a checked meeting decision: final statuses, commendations, the MeetingDecision row.

`apply_decision` writes a decision in the caller's transaction: every candidate moves to
`approved` (on the final release list) or `removed` (with the meeting's reason, or why it was not
proposed) through `transition()`; proposed commendations become `approved` or `removed` through
`move_commendation()` (a unit that does not release loses them); commendations the meeting added
become new `approved` rows; one MeetingDecision row holds the exact lists, the flags the meeting
overrode and the fingerprint of the pack it decided on. `recorded_view` reads such a row back. No
commits, no files, no Prefect: the task that checks the pack and calls it is
tasks/meeting/record.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from sqlmodel import Session, col, func, select

from schemas.commendation import CommendationStatus, move_commendation
from schemas.commendation import CommendationStatus as C
from schemas.enums import ParticipationStatus as S
from schemas.participation import transition
from schemas.release_tables import Commendation, MeetingDecision
from schemas.tables import Participation, StageTransition
from tasks.meeting.decision import (
    MeetingChanges,
    MeetingDecisionInput,
    final_release_list,
    normalise_changes,
    validate_decision,
)
from tasks.meeting.pack import MeetingPack, PackCommendation, PackUnit
from tasks.meeting.recorded import RecordedDecision
from tasks.store import bulk_insert

KIND_TITLES = {
    "excellent_unit": "优秀社会责任报告发布单位",
    "case": "优秀案例",
    "speaker": "发布会交流发言单位",
}


class DecisionInvalid(ValueError):
    """A decision that breaks the rules; `problems` lists them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def recorded_view(row: MeetingDecision) -> RecordedDecision:
    """Return the report of a stored MeetingDecision row. Pure."""
    statuses = [c.get("status") for c in row.commendation_list]
    return RecordedDecision(
        campaign_year=row.campaign_year,
        version=row.version,
        meeting_date=row.meeting_date,
        decided_by=row.decided_by,
        source=row.source,
        flow_run_id=row.flow_run_id,
        release_list=list(row.release_list),
        commendations_approved=statuses.count(C.APPROVED),
        commendations_removed=statuses.count(C.REMOVED),
        removed=dict(row.removed),
        added=dict(row.added),
        notes=row.notes,
        overrides=dict(row.overrides or {}),
        pack_fingerprint=row.pack_fingerprint,
    )


def _commendation_entry(c: PackCommendation | Commendation, uscc: str, name: str) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "unit_name": name,
        "kind": c.kind,
        "category_key": c.category_key,
        "title": c.title,
        "case_title": c.case_title,
        "speaker_name": c.speaker_name,
    }


Slot = tuple[str, str, str]  # USCC, kind, category: one commendation


def _verdict(
    seen: PackCommendation, changes: MeetingChanges, final: set[str], readded: dict[Slot, str]
) -> tuple[CommendationStatus, str]:
    """Return what the meeting's decision makes of one proposed commendation, and why."""
    slot = (seen.uscc, seen.kind, seen.category_key)
    if slot in readded:
        return C.APPROVED, f"会议增列 added by the meeting: {readded[slot]}"
    if seen.uscc in changes.remove_from_commendation:
        return C.REMOVED, changes.remove_from_commendation[seen.uscc]
    if seen.uscc not in final:
        return C.REMOVED, "单位未列入发布名单 the unit is not on the release list"
    return C.APPROVED, ""


def _decide_proposed(
    session: Session, pack: MeetingPack, decision: MeetingDecisionInput, final: set[str]
) -> list[dict[str, Any]]:
    """Approve or remove every proposed commendation (withheld ones too); return the entries.

    A withheld proposal the meeting adds again is approved in place (one row per slot).
    """
    changes = normalise_changes(decision.changes)
    readded: dict[Slot, str] = {
        (a.uscc, a.kind, a.category_key): a.reason for a in changes.add_to_commendation
    }
    by_id = {c.id: c for c in (*pack.commendations, *pack.withheld)}
    rows = session.exec(select(Commendation).where(col(Commendation.id).in_(list(by_id)))).all()
    entries: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: (r.kind, r.category_key, r.rank, r.id or 0)):
        seen = by_id[row.id or 0]
        status, reason = _verdict(seen, changes, final, readded)
        move_commendation(row, status, reason=reason)
        row.reasons = [*row.reasons, f"meeting {decision.meeting_date}: {status} {reason}".strip()]
        entry = _commendation_entry(seen, seen.uscc, seen.unit_name)
        entries.append(entry | {"status": status.value, "reason": reason})
    return entries


def _add_commendations(
    session: Session, pack: MeetingPack, decision: MeetingDecisionInput
) -> list[dict[str, Any]]:
    """Add the meeting's new commendations as `approved` rows; return their entries."""
    changes = normalise_changes(decision.changes)
    withheld = {(c.uscc, c.kind, c.category_key) for c in pack.withheld}
    ranks: dict[tuple[str, str], int] = {}
    for c in pack.commendations:
        ranks[(c.kind, c.category_key)] = max(ranks.get((c.kind, c.category_key), 0), c.rank)
    new: list[Commendation] = []
    entries: list[dict[str, Any]] = []
    for item in changes.add_to_commendation:
        if (item.uscc, item.kind, item.category_key) in withheld:
            continue  # approved in place by _decide_proposed
        unit = pack.unit(item.uscc)
        assert unit is not None  # validated
        slot = (item.kind, item.category_key)
        ranks[slot] = ranks.get(slot, 0) + 1
        title = item.title.strip() or (
            pack.categories.get(item.category_key, "") if item.kind == "case" else ""
        )
        row = Commendation(
            campaign_year=pack.campaign_year,
            participation_id=unit.participation_id,
            kind=item.kind,
            category_key=item.category_key,
            title=title or KIND_TITLES[item.kind],
            rank=ranks[slot],
            reasons=[f"added by the meeting {decision.meeting_date}: {item.reason}"],
            proposed_on=decision.meeting_date,
            status=C.APPROVED,  # born approved: the meeting added it (schemas/commendation.py)
        )
        new.append(row)
        entries.append(
            _commendation_entry(row, unit.uscc, unit.name)
            | {"status": C.APPROVED.value, "reason": item.reason, "added": True}
        )
    bulk_insert(session, new)
    return entries


class FinalStatuses(NamedTuple):
    """Every candidate's move to approved or removed, and the reasons of those removed."""

    moves: list[StageTransition]
    removed: dict[str, str]  # USCC -> reason


def _final_reason(u: PackUnit, changes: MeetingChanges, final: set[str], day: date) -> str:
    """Return the reason recorded with a candidate's move to approved or removed."""
    if u.uscc in changes.add_to_release:
        return f"added by the meeting: {changes.add_to_release[u.uscc]}"
    if u.uscc in final:
        return f"approved by the meeting of {day}"
    if u.uscc in changes.remove_from_release:
        return changes.remove_from_release[u.uscc]
    return (
        f"会议未同意发布：{u.why_not_proposed} "
        f"(not approved by the meeting: {u.why_not_proposed_en})"
    )


def final_statuses(
    session: Session,
    pack: MeetingPack,
    changes: MeetingChanges,
    final: set[str],
    decision: MeetingDecisionInput,
    *,
    actor: str,
    now: datetime,
) -> FinalStatuses:
    """Move every candidate of the pack to approved or removed; return the moves to save.

    The candidates are the units the machine lets the meeting decide on (pack.candidates);
    every other unit keeps its status. Reads the participations in the caller's session and
    sets their status (transition()); the StageTransition rows are returned, not added.
    """
    candidates = pack.candidates
    parts = {
        p.id: p
        for p in session.exec(
            select(Participation).where(
                col(Participation.id).in_([u.participation_id for u in candidates])
            )
        ).all()
    }
    moves = []
    removed: dict[str, str] = {}
    for u in candidates:
        reason = _final_reason(u, changes, final, decision.meeting_date)
        if u.uscc not in final:
            removed[u.uscc] = reason
        target = S.APPROVED if u.uscc in final else S.REMOVED
        part = parts[u.participation_id]
        moves.append(transition(part, target, actor=actor, at=now, reason=reason))
    return FinalStatuses(moves, removed)


def overrides_of(changes: MeetingChanges) -> dict[str, dict[str, Any]]:
    """Return the overridden flags per USCC with the additions' reasons, as recorded. Pure."""
    reasons: dict[str, list[str]] = {}
    for uscc, reason in changes.add_to_release.items():
        reasons.setdefault(uscc, []).append(reason)
    for a in changes.add_to_commendation:
        reasons.setdefault(a.uscc, []).append(a.reason)
    return {
        uscc: {"flags": list(codes), "reason": "；".join(dict.fromkeys(reasons.get(uscc, [])))}
        for uscc, codes in changes.overrides.items()
    }


def apply_decision(
    session: Session,
    pack: MeetingPack,
    decision: MeetingDecisionInput,
    *,
    actor: str,
    now: datetime,
    flow_run_id: str = "",
    pack_fingerprint: str = "",
) -> RecordedDecision:
    """Write a decision in the caller's transaction; raise DecisionInvalid if it breaks a rule.

    Side effects: moves every candidate of the pack to approved or removed (StageTransition rows),
    sets the commendations' statuses, adds the meeting's commendations, adds a MeetingDecision.
    The pack must be current (record_decision checks it); `pack_fingerprint` is the pack the
    decision was given on, stored with the row.
    """
    problems = validate_decision(pack, decision.changes)
    if problems:
        raise DecisionInvalid(problems)
    changes = normalise_changes(decision.changes)
    release = final_release_list(pack, changes)
    final = set(release)
    statuses = final_statuses(session, pack, changes, final, decision, actor=actor, now=now)
    bulk_insert(session, statuses.moves)
    entries = _decide_proposed(session, pack, decision, final)
    entries += _add_commendations(session, pack, decision)
    version = session.exec(
        select(func.max(MeetingDecision.version)).where(
            MeetingDecision.campaign_year == pack.campaign_year
        )
    ).one()
    row = MeetingDecision(
        campaign_year=pack.campaign_year,
        version=(version or 0) + 1,
        meeting_date=decision.meeting_date,
        decided_by=decision.decided_by.strip(),
        decided_at=now,
        source=decision.source,
        flow_run_id=flow_run_id,
        release_list=release,
        commendation_list=entries,
        removed=statuses.removed,
        added=dict(changes.add_to_release),
        notes=decision.notes,
        pack_fingerprint=pack_fingerprint,
        overrides=overrides_of(changes),
    )
    session.add(row)
    session.flush()
    return recorded_view(row)
