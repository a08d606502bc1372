"""Reading operators' files: formats, encodings, header aliases, unusable files."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import recommendation_row, write_csv, write_xlsx
from openpyxl import Workbook

from schemas.columns import RECOMMENDATIONS
from schemas.rejection import UnreadableInput
from tasks.common.tabular import read_table


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_read_table_decodes_csv_in_operator_encodings(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "r.csv", [recommendation_row("A001", 1)], RECOMMENDATIONS, encoding)

    table = read_table(path, RECOMMENDATIONS)

    assert [r.cells["name"] for r in table.rows] == ["上海测试0001科技有限公司"]
    assert [r.number for r in table.rows] == [2]


def test_read_table_finds_header_below_a_title_row_and_keeps_row_numbers(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["2024年行业协会推荐名单"])
    headers = [c.header for c in RECOMMENDATIONS.columns]
    ws.append(headers)
    ws.append([recommendation_row("A001", 7)[h] for h in headers])
    ws.append([None] * len(headers))
    ws.append([recommendation_row("A001", 8)[h] for h in headers])
    wb.save(tmp_path / "titled.xlsx")

    table = read_table(tmp_path / "titled.xlsx", RECOMMENDATIONS)

    assert [r.number for r in table.rows] == [3, 5]


def test_read_table_accepts_english_aliases(tmp_path: Path) -> None:
    row = recommendation_row("A001", 3)
    english = {
        "推荐协会代码": "Association Code",
        "年度": "year",
        "统一社会信用代码": "USCC",
        "单位名称": "Unit name",
        "单位类型": "kind",
        "联系邮箱": "E-mail",
        "依法注册合规经营": "compliant",
        "履行社会责任": "responsible",
        "同意公开发布": "publish",
    }
    path = tmp_path / "en.csv"
    path.write_text(
        ",".join(english.values()) + "\n" + ",".join(str(row[h]) for h in english) + "\n",
        encoding="utf-8",
    )

    table = read_table(path, RECOMMENDATIONS)

    assert table.rows[0].cells["uscc"] == row["统一社会信用代码"]
    assert table.rows[0].cells["association_code"] == "A001"


def test_read_table_keeps_a_numeric_uscc_cell_as_a_number(tmp_path: Path) -> None:
    row = recommendation_row("A001", 1, uscc=913101151234567890)
    path = write_xlsx(tmp_path / "n.xlsx", [row], RECOMMENDATIONS)

    table = read_table(path, RECOMMENDATIONS)

    cell = table.rows[0].cells["uscc"]
    assert isinstance(cell, int | float)
    assert f"{cell:.0f}" != "913101151234567890"  # Excel's float already lost the last digits


def test_read_table_rejects_missing_required_columns_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("统一社会信用代码,单位名称\n913101150000000011,某公司\n", encoding="utf-8")

    with pytest.raises(UnreadableInput, match="missing required columns: 推荐协会代码") as info:
        read_table(path, RECOMMENDATIONS)

    assert info.value.code == "missing-columns"
    assert info.value.file == "short.csv"


def test_read_table_rejects_a_file_that_is_not_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 definitely not a workbook")

    with pytest.raises(UnreadableInput, match="truncated or damaged") as info:
        read_table(path, RECOMMENDATIONS)

    assert info.value.code == "damaged-xlsx"


def test_read_table_rejects_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(bytes(range(128, 256)) * 4)

    with pytest.raises(UnreadableInput, match="unknown text encoding") as info:
        read_table(path, RECOMMENDATIONS)

    assert info.value.code == "bad-encoding"


def test_read_table_rejects_old_xls_format_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")

    with pytest.raises(UnreadableInput, match=r"save as \.xlsx or \.csv") as info:
        read_table(path, RECOMMENDATIONS)

    assert info.value.code == "unsupported-format"


def test_read_table_rejects_a_file_without_a_recognisable_header(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")

    with pytest.raises(UnreadableInput, match="no recognisable header row") as info:
        read_table(path, RECOMMENDATIONS)

    assert info.value.code == "no-header"
