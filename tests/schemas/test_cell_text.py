"""The spaces policy for every text cell, and numbers shown as Excel shows them."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.cell_text import clean_text, excel_general


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("张\u3000伟", "张伟"),
        ("\u3000上海示例科技有限公司\u00a0", "上海示例科技有限公司"),
        ("上海 示例 科技", "上海示例科技"),
        ("ABC\u3000科技", "ABC 科技"),
        ("Zhang\u2003Wei", "Zhang Wei"),
        ("示例\u200b公司\ufeff", "示例公司"),
        ("第一行\r\n第二行", "第一行第二行"),
        ("（上海）示例有限公司", "（上海）示例有限公司"),
        (2024.0, "2024"),
        (None, ""),
    ],
)
def test_clean_text_applies_the_spaces_policy(cell: object, text: str) -> None:
    assert clean_text(cell) == text


@given(st.text())
def test_clean_text_leaves_only_single_plain_spaces_and_no_invisible_characters(
    value: str,
) -> None:
    text = clean_text(value)

    assert text == text.strip()
    assert "  " not in text
    assert all(
        ch == " " or unicodedata.category(ch) not in ("Zs", "Cc", "Cf", "Zl", "Zp") for ch in text
    )
    assert clean_text(text) == text


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (913101151234567890, "9.13101E+17"),
        (91310115123456789, "9.13101E+16"),
        (123456789012, "1.23457E+11"),
        (12345678901, "12345678901"),
        (2024, "2024"),
        (1.5, "1.5"),
        (100000000000000000000, "1E+20"),
    ],
)
def test_excel_general_shows_a_number_as_a_default_width_cell_does(
    number: float, shown: str
) -> None:
    assert excel_general(number) == shown
