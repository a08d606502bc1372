"""The participation status machine: which moves are legal, and the one function that makes them.

`ALLOWED` is the machine as data (DESIGN.md). `transition()` is pure: it checks the move, returns
the audit row, and leaves saving it to the caller's transaction. Nothing else assigns a status,
and nothing else counts `revision_round` up: a move to revision_requested opens the next round.
"""

from datetime import datetime

from schemas.enums import ParticipationStatus as S
from schemas.tables import Participation, StageTransition

_MEETING_DECISIONS = frozenset({S.APPROVED, S.REMOVED})
_WITHDRAW = frozenset({S.WITHDRAWN})

ALLOWED: dict[S, frozenset[S]] = {
    S.RECOMMENDED: frozenset({S.REGISTERED, S.LAPSED}) | _WITHDRAW,
    S.REGISTERED: frozenset({S.SUBMITTED, S.LAPSED}) | _WITHDRAW,
    S.SUBMITTED: frozenset({S.IN_REVIEW}) | _WITHDRAW,
    S.IN_REVIEW: frozenset({S.REVISION_REQUESTED, S.REVIEW_PASSED, S.REJECTED})
    | _MEETING_DECISIONS
    | _WITHDRAW,
    S.REVISION_REQUESTED: frozenset({S.REVISED, S.LAPSED}) | _WITHDRAW,
    S.REVISED: frozenset({S.IN_REVIEW}) | _MEETING_DECISIONS | _WITHDRAW,
    S.REVIEW_PASSED: _MEETING_DECISIONS,
    S.REJECTED: _MEETING_DECISIONS,
    S.APPROVED: frozenset({S.RELEASED}) | _WITHDRAW,
    S.REMOVED: frozenset(),
    S.RELEASED: frozenset(),
    S.LAPSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

FINAL: frozenset[S] = frozenset(s for s, targets in ALLOWED.items() if not targets)

# Moves the meeting makes without a stated reason: confirming what the review recommended.
_REASON_OPTIONAL: frozenset[tuple[S, S]] = frozenset({(S.REVIEW_PASSED, S.APPROVED)})


class IllegalTransition(Exception):
    """A status move the machine does not allow; carries the participation and both states."""

    def __init__(self, participation_id: int | None, current: S, target: S, why: str) -> None:
        self.participation_id = participation_id
        self.current = current
        self.target = target
        super().__init__(
            f"participation {participation_id}: cannot move from {current.value} "
            f"to {target.value}: {why}"
        )


def can_move(current: S, target: S) -> bool:
    """Return whether the machine allows current -> target."""
    return target in ALLOWED[current]


def transition(
    participation: Participation,
    target: S,
    *,
    actor: str,
    at: datetime,
    reason: str = "",
) -> StageTransition:
    """Move a participation to `target`; return the StageTransition row for the caller to save.

    Raises IllegalTransition for a move ALLOWED does not list, and for a meeting decision that
    needs a reason and has none. Sets status and status_changed_at together; a move to
    revision_requested also counts `revision_round` up (the round the revised report is
    re-checked in).
    """
    current = S(participation.status)
    if not can_move(current, target):
        allowed = ", ".join(sorted(t.value for t in ALLOWED[current])) or "nothing (final)"
        raise IllegalTransition(participation.id, current, target, f"allowed: {allowed}")
    needs_reason = target == S.REMOVED or (
        target == S.APPROVED and (current, target) not in _REASON_OPTIONAL
    )
    if needs_reason and not reason.strip():
        raise IllegalTransition(
            participation.id, current, target, "the meeting must give a reason for this move"
        )
    if not actor.strip():
        raise IllegalTransition(participation.id, current, target, "an actor is required")
    participation.status = target
    participation.status_changed_at = at
    if target == S.REVISION_REQUESTED:
        participation.revision_round += 1
    return StageTransition(
        campaign_year=participation.campaign_year,
        participation_id=participation.id,
        from_status=current,
        to_status=target,
        actor=actor,
        at=at,
        reason=reason,
    )
