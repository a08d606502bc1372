"""File names people read: unit short name and round, never a bare hash."""

from __future__ import annotations

import pytest

from tasks.review.file_names import (
    letter_file_name,
    report_file_name,
    sheet_file_name,
    sheet_id_head,
    unit_short_name,
)


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("上海博泰涂料股份有限公司", "博泰涂料"),
        ("上海市远永质量技术研究所", "远永质量技术研究所"),
        ("上海立东纺织集团有限公司", "立东纺织"),
        ("有限公司", "有限公司"),  # nothing left: the whole name
    ],
)
def test_a_unit_short_name_drops_shanghai_and_the_legal_form(name: str, short: str) -> None:
    assert unit_short_name(name) == short


def test_a_letter_file_name_reads_unit_round_and_correction() -> None:
    assert letter_file_name("上海博泰涂料股份有限公司", 0, 1) == "博泰涂料-第1轮评审意见书.pdf"
    assert (
        letter_file_name("上海博泰涂料股份有限公司", 1, 2)
        == "博泰涂料-第2轮评审意见书-更正第2版.pdf"
    )


def test_a_sheet_file_name_names_the_round_and_its_units() -> None:
    one = sheet_file_name(["上海博泰涂料股份有限公司"], 1, "3f2a1c9b77aa0011")
    many = sheet_file_name(
        ["上海博泰涂料股份有限公司", "上海达联粮油有限公司"], 0, "0011aabbccddeeff"
    )

    assert one == "评分表-第2轮-博泰涂料-3f2a1c9b.xlsx"
    assert many == "评分表-第1轮-博泰涂料等2家-0011aabb.xlsx"
    assert sheet_id_head(many) == "0011aabb"
    assert sheet_id_head("0011aabbccddeeff.xlsx") == "0011aabbccddeeff"  # an older file


def test_a_report_copy_is_named_by_unit_and_round() -> None:
    assert report_file_name("上海达联粮油有限公司", 0) == "达联粮油-社会责任报告-第1轮.pdf"
