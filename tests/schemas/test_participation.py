"""Tests for schemas/participation.py: the participation status machine and transition()."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from schemas.enums import ParticipationStatus as S
from schemas.participation import ALLOWED, FINAL, IllegalTransition, can_move, transition
from schemas.tables import Participation, StageTransition

# The oracle: DESIGN.md's table, copied by hand as plain strings (never built from ALLOWED).
MEETING = {"approved", "removed"}
ORACLE: dict[str, set[str]] = {
    "recommended": {"registered", "lapsed", "withdrawn"},
    "registered": {"submitted", "lapsed", "withdrawn"},
    "submitted": {"in_review", "withdrawn"},
    "in_review": {"revision_requested", "review_passed", "rejected", "withdrawn"} | MEETING,
    "revision_requested": {"revised", "lapsed", "withdrawn"},
    "revised": {"in_review", "withdrawn"} | MEETING,
    "review_passed": set(MEETING),
    "rejected": set(MEETING),
    "approved": {"released", "withdrawn"},
    "removed": set(),
    "released": set(),
    "lapsed": set(),
    "withdrawn": set(),
}
ORACLE_FINAL = {"removed", "released", "lapsed", "withdrawn"}


def oracle_needs_reason(current: str, target: str) -> bool:
    """The meeting gives a reason, unless it approves what the review passed."""
    return target == "removed" or (target == "approved" and current != "review_passed")


def oracle_allows(current: str, target: str, reason: str) -> bool:
    if target not in ORACLE[current]:
        return False
    return not oracle_needs_reason(current, target) or bool(reason.strip())


T0 = datetime(2024, 10, 8, 9, 0, tzinfo=UTC)


def make_participation(status: S = S.RECOMMENDED) -> Participation:
    return Participation(
        id=7,
        campaign_year=2024,
        unit_id=3,
        status=status,
        status_changed_at=T0,
        revision_round=0,
        created_on=date(2024, 10, 8),
    )


def snapshot(p: Participation) -> dict[str, object]:
    return p.model_dump()


# ---- the table itself -------------------------------------------------------------------------


def test_statuses_are_exactly_the_design_tables_states() -> None:
    assert {s.value for s in S} == set(ORACLE)


def test_allowed_equals_the_design_table() -> None:
    as_strings = {frm.value: {to.value for to in targets} for frm, targets in ALLOWED.items()}

    assert as_strings == ORACLE


def test_final_states_are_removed_lapsed_withdrawn_released() -> None:
    assert {s.value for s in FINAL} == ORACLE_FINAL


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_can_move_agrees_with_the_design_table(current: S, target: S) -> None:
    assert can_move(current, target) is (target.value in ORACLE[current.value])


# ---- single moves -------------------------------------------------------------------------------


def test_transition_returns_the_audit_row_and_moves_the_participation() -> None:
    p = make_participation(S.RECOMMENDED)
    at = datetime(2024, 11, 1, 10, 30, tzinfo=UTC)

    row = transition(p, S.REGISTERED, actor="cli:wang", at=at, reason="receipt filed")

    assert isinstance(row, StageTransition)
    assert row.model_dump() == {
        "id": None,
        "campaign_year": 2024,
        "participation_id": 7,
        "from_status": S.RECOMMENDED,
        "to_status": S.REGISTERED,
        "actor": "cli:wang",
        "at": at,
        "reason": "receipt filed",
    }
    assert (p.status, p.status_changed_at) == (S.REGISTERED, at)


def test_transition_rejects_released_to_in_review() -> None:
    p = make_participation(S.RELEASED)
    before = snapshot(p)

    with pytest.raises(IllegalTransition, match="cannot move from released to in_review") as info:
        transition(p, S.IN_REVIEW, actor="test", at=T0 + timedelta(days=1))

    assert str(info.value) == (
        "participation 7: cannot move from released to in_review: allowed: nothing (final)"
    )
    assert (info.value.participation_id, info.value.current, info.value.target) == (
        7,
        S.RELEASED,
        S.IN_REVIEW,
    )
    assert snapshot(p) == before


def test_transition_rejects_submitted_to_approved_and_lists_the_allowed_moves() -> None:
    p = make_participation(S.SUBMITTED)
    before = snapshot(p)

    with pytest.raises(IllegalTransition, match="cannot move from submitted to approved") as info:
        transition(p, S.APPROVED, actor="test", at=T0, reason="looks fine")

    assert str(info.value) == (
        "participation 7: cannot move from submitted to approved: allowed: in_review, withdrawn"
    )

    assert snapshot(p) == before


@pytest.mark.parametrize("final", sorted(ORACLE_FINAL))
@pytest.mark.parametrize("target", list(S))
def test_final_states_allow_no_move(final: str, target: S) -> None:
    p = make_participation(S(final))
    before = snapshot(p)

    with pytest.raises(IllegalTransition, match=f"cannot move from {final} to {target.value}"):
        transition(p, target, actor="test", at=T0 + timedelta(hours=1), reason="any reason")

    assert snapshot(p) == before


@pytest.mark.parametrize("current", [S.IN_REVIEW, S.REVISED, S.REVIEW_PASSED, S.REJECTED])
@pytest.mark.parametrize("reason", ["", "   "])
def test_transition_to_removed_needs_a_reason(current: S, reason: str) -> None:
    p = make_participation(current)
    before = snapshot(p)

    with pytest.raises(IllegalTransition, match="the meeting must give a reason for this move"):
        transition(p, S.REMOVED, actor="test", at=T0, reason=reason)

    assert snapshot(p) == before


def test_transition_removes_with_a_reason() -> None:
    p = make_participation(S.REVIEW_PASSED)
    at = T0 + timedelta(days=80)

    row = transition(p, S.REMOVED, actor="flow-run-1", at=at, reason="数据存疑")

    assert (row.from_status, row.to_status, row.reason) == (S.REVIEW_PASSED, S.REMOVED, "数据存疑")
    assert (p.status, p.status_changed_at) == (S.REMOVED, at)


def test_approved_from_rejected_needs_a_reason() -> None:
    p = make_participation(S.REJECTED)
    before = snapshot(p)

    with pytest.raises(
        IllegalTransition,
        match="cannot move from rejected to approved: the meeting must give a reason",
    ):
        transition(p, S.APPROVED, actor="test", at=T0)

    assert snapshot(p) == before


def test_approved_from_rejected_with_a_reason_is_allowed() -> None:
    p = make_participation(S.REJECTED)

    row = transition(p, S.APPROVED, actor="test", at=T0, reason="整改后达标")

    assert (row.from_status, row.to_status, row.reason) == (S.REJECTED, S.APPROVED, "整改后达标")
    assert p.status == S.APPROVED


def test_approved_from_review_passed_needs_no_reason() -> None:
    p = make_participation(S.REVIEW_PASSED)
    at = T0 + timedelta(days=80)

    row = transition(p, S.APPROVED, actor="test", at=at)

    assert (row.from_status, row.to_status, row.reason) == (S.REVIEW_PASSED, S.APPROVED, "")
    assert (p.status, p.status_changed_at) == (S.APPROVED, at)


def test_transition_needs_an_actor() -> None:
    p = make_participation(S.RECOMMENDED)
    before = snapshot(p)

    with pytest.raises(IllegalTransition, match="an actor is required"):
        transition(p, S.REGISTERED, actor="", at=T0)

    assert snapshot(p) == before


def test_transition_accepts_a_status_stored_as_plain_text() -> None:
    p = make_participation(S.RECOMMENDED)
    p.status = "recommended"  # type: ignore[assignment]  # as a raw database value would be

    row = transition(p, S.LAPSED, actor="test", at=T0)

    assert (row.from_status, p.status) == (S.RECOMMENDED, S.LAPSED)


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
@pytest.mark.parametrize("reason", ["", "会议决定"])
def test_every_single_move_succeeds_exactly_when_the_design_table_allows_it(
    current: S, target: S, reason: str
) -> None:
    p = make_participation(current)
    before = snapshot(p)
    at = T0 + timedelta(days=3)

    if oracle_allows(current.value, target.value, reason):
        row = transition(p, target, actor="test", at=at, reason=reason)
        assert (row.from_status, row.to_status, row.actor, row.at, row.reason) == (
            current,
            target,
            "test",
            at,
            reason,
        )
        assert (p.status, p.status_changed_at) == (target, at)
    else:
        with pytest.raises(
            IllegalTransition, match=f"cannot move from {current.value} to {target.value}: "
        ):
            transition(p, target, actor="test", at=at, reason=reason)
        assert snapshot(p) == before


# ---- any sequence of attempted moves ------------------------------------------------------------

REASONS = st.sampled_from(["会议决定", "", "meeting decision", "  "])


class ParticipationMachine(RuleBasedStateMachine):
    """Attempt random moves from `recommended`; the oracle predicts each outcome."""

    def __init__(self) -> None:
        super().__init__()
        self.p = make_participation(S.RECOMMENDED)
        self.expected = "recommended"
        self.changed_at = T0
        self.clock = T0
        self.path = ["recommended"]

    def _attempt(self, target: str, reason: str) -> None:
        self.clock += timedelta(minutes=5)
        current = self.expected
        before = snapshot(self.p)
        if oracle_allows(current, target, reason):
            row = transition(self.p, S(target), actor="test", at=self.clock, reason=reason)
            assert (row.from_status, row.to_status) == (S(current), S(target))
            assert (row.actor, row.at, row.reason) == ("test", self.clock, reason)
            assert (row.campaign_year, row.participation_id) == (2024, 7)
            assert (self.p.status, self.p.status_changed_at) == (S(target), self.clock)
            self.expected = target
            self.changed_at = self.clock
            self.path.append(target)
        else:
            with pytest.raises(IllegalTransition, match=f"cannot move from {current} to {target}"):
                transition(self.p, S(target), actor="test", at=self.clock, reason=reason)
            assert snapshot(self.p) == before

    @rule(to=st.sampled_from(sorted(ORACLE)), reason=REASONS)
    def attempt_any_move(self, to: str, reason: str) -> None:
        self._attempt(to, reason)

    @precondition(lambda self: bool(ORACLE[self.expected]))
    @rule(data=st.data(), reason=REASONS)
    def attempt_a_move_the_table_lists(self, data: st.DataObject, reason: str) -> None:
        target = data.draw(st.sampled_from(sorted(ORACLE[self.expected])))
        self._attempt(target, reason)

    @precondition(lambda self: bool(ORACLE[self.expected] - ORACLE_FINAL))
    @rule(data=st.data(), reason=REASONS)
    def attempt_a_move_that_keeps_going(self, data: st.DataObject, reason: str) -> None:
        target = data.draw(st.sampled_from(sorted(ORACLE[self.expected] - ORACLE_FINAL)))
        self._attempt(target, reason)

    @precondition(lambda self: MEETING.issubset(ORACLE[self.expected]))
    @rule(to=st.sampled_from(sorted(MEETING)), reason=REASONS)
    def attempt_a_meeting_decision(self, to: str, reason: str) -> None:
        self._attempt(to, reason)

    @invariant()
    def status_is_the_oracles(self) -> None:
        assert S(self.p.status).value == self.expected
        assert self.p.status_changed_at == self.changed_at

    @invariant()
    def every_step_taken_is_an_edge_of_the_table(self) -> None:
        assert self.path[0] == "recommended"
        for frm, to in zip(self.path, self.path[1:], strict=False):
            assert to in ORACLE[frm]


ParticipationMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_any_sequence_of_moves_from_recommended_follows_the_design_table = ParticipationMachine.TestCase


# ---- the revision round -----------------------------------------------------------------------


@pytest.mark.parametrize("target", sorted(ORACLE["in_review"]))
def test_only_a_move_to_revision_requested_counts_the_revision_round_up(target: str) -> None:
    p = make_participation(S.IN_REVIEW)
    reason = "会议决定" if target in MEETING else ""

    transition(p, S(target), actor="test", at=T0, reason=reason)

    assert p.revision_round == (1 if target == "revision_requested" else 0)


def test_a_refused_move_leaves_the_revision_round_alone() -> None:
    p = make_participation(S.SUBMITTED)

    with pytest.raises(IllegalTransition):
        transition(p, S.REVISION_REQUESTED, actor="test", at=T0)

    assert p.revision_round == 0
