"""Validating read rows: a mistyped optional phone is dropped with a warning, the row lands."""

from __future__ import annotations

from typing import Any

from factories import recommendation_row

from schemas.columns import RECOMMENDATIONS
from schemas.enums import Severity
from schemas.rows import RecommendationRow
from tasks.common.table_rows import RawRow, Table
from tasks.common.validation import validate_rows

KEYS = {c.header: c.key for c in RECOMMENDATIONS.columns}


def _raw(number: int, **overrides: Any) -> RawRow:
    row = recommendation_row("A001", number, **overrides)
    return RawRow(number=number, cells={KEYS[h]: v for h, v in row.items()})


def test_a_bad_phone_alone_lands_the_row_without_it_and_warns() -> None:
    table = Table("f.xlsx", [_raw(2, phone="12345"), _raw(3, phone="12345", email="x@")], [])

    good, problems = validate_rows(table, RECOMMENDATIONS, RecommendationRow)

    assert [(raw.number, row.phone) for row, raw in good] == [(2, "")]
    assert [(p.row, p.code, p.severity) for p in problems] == [
        (2, "bad-phone", Severity.WARNING),
        (3, "bad-email", Severity.ERROR),
        (3, "bad-phone", Severity.ERROR),
    ]
