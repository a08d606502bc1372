"""The sheet spec and sheet id shared by writing and reading (tasks/review/sheets/layout.py): the
id depends on identity, not report order; the spec refuses repeats and says what was repeated."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sheetkit import REVIEWER, TWO, make_spec

from tasks.review.sheets.layout import RepeatedOnSheet, sheet_id


def test_sheet_id_depends_on_identity_not_report_order() -> None:
    base = sheet_id(2024, REVIEWER, [3, 1, 2], ["a", "b"])

    assert base == sheet_id(2024, "  LI.Ming@experts.example.org ", [1, 2, 3], ["a", "b"])
    assert base != sheet_id(2024, "other@experts.example.org", [1, 2, 3], ["a", "b"])
    assert base != sheet_id(2024, REVIEWER, [1, 2], ["a", "b"])
    assert base != sheet_id(2024, REVIEWER, [1, 2, 3], ["b", "a"])
    assert base != sheet_id(2025, REVIEWER, [1, 2, 3], ["a", "b"])


def test_spec_refuses_a_participation_twice() -> None:
    with pytest.raises(ValidationError, match="participation appears twice"):
        make_spec(TWO, ids=[5, 5])


def test_spec_refusals_carry_what_was_repeated() -> None:
    with pytest.raises(ValidationError) as twice:
        make_spec(TWO, ids=[5, 6, 5, 6, 5])
    with pytest.raises(ValidationError, match="criterion key appears twice") as doubled:
        make_spec((*TWO, TWO[0]))

    [error] = twice.value.errors()
    [criterion] = doubled.value.errors()
    refused = error["ctx"]["error"]
    assert isinstance(refused, RepeatedOnSheet)
    assert (refused.what, refused.repeated) == (
        "a participation appears twice on one sheet",
        (5, 6),
    )
    assert criterion["ctx"]["error"].repeated == ("depth",)
