"""Corpus shapes about cells: USCC, phone and e-mail variants, spaces, merged cells, formulas,
and the campaign's rules (unknown association, year, duplicates, attestations, quota)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from data.intake_kit import (
    CONTACT,
    SECRET_NAME,
    UNKNOWN_CODE,
    Builder,
    grid,
    landing,
    letter,
    write_xlsx,
)
from factories import make_uscc
from openpyxl.worksheet.worksheet import Worksheet

from schemas.columns import RECOMMENDATIONS


def full_width(text: str) -> str:
    """Return ASCII letters and digits as their full-width forms (what Chinese IMEs type)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _variants(b: Builder, name: str, key: str, values: list[tuple[Any, str]], **fixed: Any) -> None:
    """Add one xlsx whose rows differ in one column: (value, expected code or "ok") each."""
    code, first = b.start()
    _variants_at(b, code, first, name, key, values)


def _header(key: str) -> str:

    return next(c.header for c in RECOMMENDATIONS.columns if c.key == key)


def cells(b: Builder) -> None:
    """USCC, phone, e-mail and text variants, one file each."""
    code, first = b.start()
    uscc = make_uscc(first)
    values: list[tuple[Any, str]] = [
        (uscc, "ok"),
        (913101151234567890, "uscc-numeric"),
        (make_uscc(first + 2)[:-1] + ("0" if make_uscc(first + 2)[-1] != "0" else "1"), "bad-uscc"),
        (make_uscc(first + 3)[:17], "bad-uscc"),
    ]
    _variants_at(b, code, first, "uscc_numeric_and_bad", "uscc", values)
    code, first = b.start()
    forms: list[tuple[Any, str]] = [
        (full_width(make_uscc(first)), "ok"),
        (make_uscc(first + 1).lower(), "ok"),
        (f"{make_uscc(first + 2)[:8]} {make_uscc(first + 2)[8:]}", "ok"),
        (f"{make_uscc(first + 3)[:8]}-{make_uscc(first + 3)[8:]}", "ok"),
        ("\u200b" + make_uscc(first + 4) + "\u3000", "ok"),
    ]
    _variants_at(b, code, first, "uscc_forms", "uscc", forms)
    _variants(
        b,
        "phones",
        "phone",
        [
            ("12345", "warn:bad-phone"),
            (full_width("13812345678"), "ok"),
            ("6234 5678", "warn:bad-phone"),
            (13812345678, "ok"),
            ("(021)6234-5678 转 801", "ok"),
            ("", "ok"),
        ],
    )
    _variants(
        b,
        "emails",
        "email",
        [
            (full_width("zhang") + "@example.com", "ok"),
            ("张伟@example.com", "bad-email"),
            ("no-at-sign.example.com", "bad-email"),
            (" li@unit.example.com\u3000", "ok"),
            ("wang@@example.com", "bad-email"),
            ("", "missing-value"),
        ],
    )
    _variants(
        b,
        "names_with_odd_spaces",
        "name",
        [
            ("上海\u3000示例\u3000科技有限公司", "ok"),
            ("上海示例\n科技有限公司", "ok"),
            ("=1+1 示例公司", "formula-cell"),  # openpyxl writes it as a formula
            ("\u3000\u00a0", "missing-value"),
            (SECRET_NAME, "ok"),
        ],
    )


def _variants_at(
    b: Builder, code: str, first: int, name: str, key: str, values: list[tuple[Any, str]]
) -> None:
    """Like _variants, for a code and first unit already taken (USCC values given whole)."""
    rows = b.rows(code, first, len(values))
    for row, (value, _) in zip(rows, values, strict=True):
        row[_header(key)] = value
    expected = {2 + i: outcome for i, (_, outcome) in enumerate(values)}
    units = {
        2 + i: make_uscc(first + i)
        for i, (_, o) in enumerate(values)
        if o.startswith(("ok", "warn"))
    }
    lines = grid(rows)
    b.add(f"{code}_{name}.xlsx", lambda p: write_xlsx(p, lines), expected, units=units)


def _edited(
    b: Builder, name: str, count: int, edit: Callable[[Worksheet], None], expected: dict[int, str]
) -> None:
    """Add an xlsx of `count` valid rows changed by `edit`; rows not in `expected` land."""
    code, first = b.start()
    lines = grid(b.rows(code, first, count))
    outcome, units = landing(2, first, count)
    outcome |= expected
    units = {r: u for r, u in units.items() if outcome[r] == "ok"}
    b.add(f"{code}_{name}.xlsx", lambda p: write_xlsx(p, lines, edit), outcome, units=units)


def identity(b: Builder) -> None:
    """Merged cells filled down or refused, formulas refused in identity columns."""
    industry, district = letter("industry"), letter("district")
    email, contact, uscc = letter("email"), letter("contact_name"), letter("uscc")

    def merge_data(ws: Worksheet) -> None:
        ws.merge_cells(f"{industry}2:{industry}5")
        ws.merge_cells(f"{district}7:{district}9")

    _edited(b, "merged_industry_district", 8, merge_data, {})

    def merge_identity(ws: Worksheet) -> None:
        ws.merge_cells(f"{email}2:{email}3")
        ws.merge_cells(f"{contact}4:{contact}5")

    _edited(b, "merged_email_contact", 5, merge_identity, {3: "merged-cell", 5: "merged-cell"})

    def hyperlink(ws: Worksheet) -> None:
        ws[f"{contact}3"] = f'=HYPERLINK("mailto:ke@example.com","{CONTACT}")'

    _edited(b, "hyperlink_contact", 3, hyperlink, {3: "formula-cell"})

    def formula_code(ws: Worksheet) -> None:
        ws[f"{uscc}2"] = '="9131"&"0115"'

    _edited(b, "formula_uscc", 3, formula_code, {2: "formula-cell"})

    def formula_industry(ws: Worksheet) -> None:
        ws[f"{industry}4"] = '="制"&"造业"'

    _edited(b, "formula_industry", 3, formula_industry, {4: "formula-no-value"})


def rules(b: Builder) -> None:
    """The campaign's rules over valid rows, and a unit two associations recommend."""
    code, first = b.start()
    lines = grid(b.rows(UNKNOWN_CODE, first, 2))
    b.add(
        f"{code}_unknown_association.xlsx",
        lambda p: write_xlsx(p, lines),
        {2: "unknown-association", 3: "unknown-association"},
    )
    code, first = b.start()
    last_year = grid(b.rows(code, first, 3, campaign_year=2023))
    b.add(f"{code}_last_year.xlsx", lambda p: write_xlsx(p, last_year), file_code="wrong-year")
    _variants(
        b,
        "one_row_last_year",
        "campaign_year",
        [(2024, "ok"), (2023, "wrong-year"), ("2024年", "ok")],
    )
    code, first = b.start()
    rows = b.rows(code, first, 3)
    rows[2]["统一社会信用代码"] = rows[0]["统一社会信用代码"]
    dup = grid(rows)
    b.add(
        f"{code}_duplicate.xlsx",
        lambda p: write_xlsx(p, dup),
        {2: "ok", 3: "ok", 4: "duplicate-in-file"},
        units={2: make_uscc(first), 3: make_uscc(first + 1)},
    )
    _variants(
        b,
        "attestations",
        "agrees_to_publish",
        [("是", "ok"), ("否", "attestation-missing"), (None, "attestation-missing"), ("√", "ok")],
    )
    _variants(
        b,
        "unit_kinds",
        "kind",
        [("企业", "ok"), ("个体户", "bad-unit-kind"), ("事业单位", "ok"), (None, "ok")],
    )
    code, first = b.start()
    twice = b.rows(code, first, 1)
    twice[0]["统一社会信用代码"] = make_uscc(1000 + 20)  # the first shape's first unit
    again = grid(twice)
    b.add(
        f"{code}_recommended_twice.xlsx",
        lambda p: write_xlsx(p, again),
        {2: "ok"},
        units={2: make_uscc(1020)},
    )
    code, first = b.start()
    many = grid(b.rows(code, first, 21))
    held = {2 + i: "held" for i in range(21)}
    b.add(
        f"{code}_over_quota.xlsx",
        lambda p: write_xlsx(p, many),
        held,
        units={r: make_uscc(first + r - 2) for r in held},
    )
