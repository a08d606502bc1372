"""The commendation status machine: which moves are legal, and the one function that makes them.

A Commendation row (schemas/release_tables.py) is born `proposed` by the commend stage, or
`approved` when the meeting adds it; the meeting then approves or removes each proposal. An
approved commendation can still be removed (a later decision, the unit withdrawn), always with a
reason; a removed one is final. `ALLOWED` is the machine as data; `move_commendation` is the only
place that assigns a status after creation; `IllegalCommendationMove` names a refused move.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemas.release_tables import Commendation


class CommendationStatus(StrEnum):
    """Where one proposed commendation stands (stored as its value)."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REMOVED = "removed"


C = CommendationStatus

ALLOWED: dict[CommendationStatus, frozenset[CommendationStatus]] = {
    C.PROPOSED: frozenset({C.APPROVED, C.REMOVED}),
    C.APPROVED: frozenset({C.REMOVED}),
    C.REMOVED: frozenset(),
}
FINAL: frozenset[CommendationStatus] = frozenset(s for s, to in ALLOWED.items() if not to)
# How a row may be born: proposed by the commend stage, approved when the meeting adds it.
BORN: frozenset[CommendationStatus] = frozenset({C.PROPOSED, C.APPROVED})


class IllegalCommendationMove(Exception):
    """A commendation status move the machine does not allow; carries the row and both states."""

    def __init__(self, commendation_id: int | None, current: str, target: str, why: str) -> None:
        self.commendation_id = commendation_id
        self.current = current
        self.target = target
        super().__init__(
            f"commendation {commendation_id}: cannot move from {current} to {target}: {why}"
        )


def can_move(current: CommendationStatus, target: CommendationStatus) -> bool:
    """Return whether the machine allows current -> target. Pure."""
    return target in ALLOWED[current]


def parse_status(commendation_id: int | None, value: str) -> CommendationStatus:
    """Return the stored value as a CommendationStatus; IllegalCommendationMove if unknown."""
    try:
        return CommendationStatus(value)
    except ValueError:
        raise IllegalCommendationMove(commendation_id, value, value, "unknown status") from None


def move_commendation(
    row: Commendation, target: CommendationStatus, *, reason: str = ""
) -> CommendationStatus:
    """Move a commendation to `target` (sets row.status); return the status it left.

    Raises IllegalCommendationMove for a move ALLOWED does not list, and for a removal without
    a reason. Writes nothing but the row's attribute; the caller's transaction saves it.
    """
    current = parse_status(row.id, row.status)
    if not can_move(current, target):
        allowed = ", ".join(sorted(t.value for t in ALLOWED[current])) or "nothing (final)"
        raise IllegalCommendationMove(row.id, current, target, f"allowed: {allowed}")
    if target == C.REMOVED and not reason.strip():
        raise IllegalCommendationMove(row.id, current, target, "a removal needs a reason")
    row.status = target
    return current
