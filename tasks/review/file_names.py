"""The names of the files the review hands to people: letters, score sheets, report copies.

A name says whose file it is and which round (博泰涂料-第1轮评审意见书.pdf,
评分表-第1轮-博泰涂料等9家-3f2a1c9b.xlsx), never a bare hash. Pure: builds names only; the
callers write the files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SHEET_ID_CHARS = 8  # how much of a sheet's id its file name keeps (two sheets never share it)
_LEGAL_FORMS = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司)$")
_UNSAFE = re.compile(r"[\\/:*?\"<>|\s]+")


def unit_short_name(name: str) -> str:
    """Return a unit's name without 上海/上海市 and its legal form (上海博泰涂料股份有限公司 ->
    博泰涂料), for file names people read; the whole name when nothing is left. Pure."""
    short = _LEGAL_FORMS.sub("", name.removeprefix("上海市").removeprefix("上海"))
    return _UNSAFE.sub("", short) or _UNSAFE.sub("", name)


def letter_file_name(unit_name: str, review_round: int, version: int) -> str:
    """Return the letter's file name: 博泰涂料-第1轮评审意见书.pdf (更正: -更正第2版). Pure."""
    tail = "" if version <= 1 else f"-更正第{version}版"
    return f"{unit_short_name(unit_name)}-第{review_round + 1}轮评审意见书{tail}.pdf"


def sheet_file_name(unit_names: Sequence[str], review_round: int, sheet_id: str) -> str:
    """Return a score sheet's file name: 评分表-第1轮-博泰涂料等9家-3f2a1c9b.xlsx (one report:
    its unit's short name alone). The id's head keeps two sheets apart. Pure."""
    first = unit_short_name(unit_names[0]) if unit_names else "评审报告"
    units = first if len(unit_names) <= 1 else f"{first}等{len(unit_names)}家"
    return f"评分表-第{review_round + 1}轮-{units}-{sheet_id[:SHEET_ID_CHARS]}.xlsx"


def sheet_id_head(file_name: str) -> str:
    """Return the sheet id part of an issued sheet's file name (the whole stem of an older,
    hash-named file). Pure."""
    return file_name.removesuffix(".xlsx").rsplit("-", 1)[-1]


def report_file_name(unit_name: str, review_round: int) -> str:
    """Return the name an expert gets a report under: 博泰涂料-社会责任报告-第1轮.pdf. Pure."""
    return f"{unit_short_name(unit_name)}-社会责任报告-第{review_round + 1}轮.pdf"
