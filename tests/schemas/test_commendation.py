"""The commendation status machine: legal moves, named errors, against an oracle."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.commendation import (
    ALLOWED,
    BORN,
    FINAL,
    CommendationStatus,
    IllegalCommendationMove,
    can_move,
    move_commendation,
)
from schemas.release_tables import Commendation

C = CommendationStatus
# The oracle, written out: who may become what.
LEGAL = {
    ("proposed", "approved"),
    ("proposed", "removed"),
    ("approved", "removed"),
}


def row(status: str = "proposed") -> Commendation:
    return Commendation(
        id=7,
        campaign_year=2024,
        participation_id=1,
        kind="excellent_unit",
        title="优秀社会责任报告发布单位",
        rank=1,
        proposed_on=date(2024, 12, 16),
        status=status,
    )


def test_the_values_are_the_stored_strings_and_the_machine_covers_every_state() -> None:
    assert [s.value for s in C] == ["proposed", "approved", "removed"]
    assert set(ALLOWED) == set(C)
    assert {C.REMOVED} == FINAL
    assert {C.PROPOSED, C.APPROVED} == BORN
    assert row().status == C.PROPOSED  # a new row is proposed unless told otherwise


@pytest.mark.parametrize("current", list(C))
@pytest.mark.parametrize("target", list(C))
def test_each_move_is_legal_exactly_when_the_oracle_says_so(current: C, target: C) -> None:
    legal = (current.value, target.value) in LEGAL
    assert can_move(current, target) == legal
    commendation = row(current.value)
    if legal:
        assert move_commendation(commendation, target, reason="会议决定") == current
        assert commendation.status == target
    else:
        with pytest.raises(IllegalCommendationMove, match="cannot move") as raised:
            move_commendation(commendation, target, reason="会议决定")
        assert (raised.value.current, raised.value.target) == (current, target)
        assert commendation.status == current  # nothing changed


def test_a_removal_needs_a_reason_and_an_unknown_stored_status_is_named() -> None:
    with pytest.raises(IllegalCommendationMove, match="a removal needs a reason"):
        move_commendation(row(), C.REMOVED, reason=" ")
    with pytest.raises(IllegalCommendationMove, match="unknown status"):
        move_commendation(row("medal"), C.APPROVED)
    assert not issubclass(IllegalCommendationMove, ValueError)


@given(st.lists(st.sampled_from(list(C)), max_size=6))
def test_any_sequence_of_moves_ends_where_the_oracle_walk_ends(targets: list[C]) -> None:
    commendation = row()
    expected = "proposed"
    for target in targets:
        try:
            move_commendation(commendation, target, reason="r")
        except IllegalCommendationMove:
            assert (expected, target.value) not in LEGAL
        else:
            assert (expected, target.value) in LEGAL
            expected = target.value
        assert commendation.status == expected


def test_no_module_compares_or_assigns_a_bare_commendation_status_string() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bare = re.compile(
        r"""Commendation\.status\)?\s*[!=]=\s*["']|status\s*=\s*["'](proposed|approved)["']"""
    )
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("tasks", "flows", "deployments", "notifications")
        for path in (root / folder).rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if bare.search(line)
    ]
    assert offenders == []
