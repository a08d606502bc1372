"""The case excerpt sheet: written for the choosers, read back row by row into excerpt versions."""

from __future__ import annotations

from pathlib import Path

from excerptkit import CARE_EXCERPT, GREEN_EXCERPT, NOW, seed_cases
from factories import make_uscc
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.case_excerpt_sheet import CASE_EXCERPTS
from schemas.case_excerpt_tables import CaseExcerpt
from tasks.commend.case_targets import case_targets
from tasks.commend.excerpt_sheet import SheetImport, import_case_sheet, write_case_sheet
from tasks.store import session_scope

HEADERS = [c.header for c in CASE_EXCERPTS.columns]
COLUMN = {h: i + 1 for i, h in enumerate(HEADERS)}


def _fill(path: Path, fills: dict[int, dict[str, object]]) -> Path:
    """Fill cells of the written sheet (row number -> header -> value) and save it."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for row, cells in fills.items():
        for header, value in cells.items():
            ws.cell(row=row, column=COLUMN[header], value=value)
    wb.save(path)
    return path


def _sheet(session: Session, campaign: CampaignFile, path: Path) -> Path:
    return write_case_sheet(path, case_targets(session, campaign))


def _import(session: Session, campaign: CampaignFile, path: Path) -> SheetImport:
    return import_case_sheet(session, path, case_targets(session, campaign), NOW, "test")


def test_write_case_sheet_lists_each_case_with_its_candidates_as_text_cells(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        path = _sheet(session, campaign_2024, tmp_path / "cases.xlsx")

    ws = load_workbook(path).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == HEADERS
    assert [(r[1], r[3], r[6]) for r in rows[1:]] == [
        (make_uscc(2), "employee-care", 1),
        (make_uscc(1), "green-low-carbon", 1),
        (make_uscc(2), "green-low-carbon", 1),
    ]
    assert rows[2][7] == (
        "第 2 页：公司全年完成光伏装机容量12兆瓦，\n"
        "第 2 页：公司全年完成光伏装机容量12兆瓦，减少碳排放约9,800吨。"
    )
    assert rows[2][8:12] == [None, None, None, None]
    assert {c.data_type for r in ws.iter_rows(min_row=2) for c in r if c.value is not None} == {
        "s",
        "n",
    }


def test_import_case_sheet_stores_good_rows_and_names_file_row_column_of_bad_ones(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        path = _fill(
            _sheet(session, campaign_2024, tmp_path / "cases.xlsx"),
            {
                2: {"摘录页码": 3, "摘录原文": CARE_EXCERPT, "选定人": "王专家"},  # no role
                3: {
                    "摘录页码": 2,
                    "摘录原文": GREEN_EXCERPT,
                    "选定人": "张专家",
                    "身份": "评审专家",
                },
                4: {
                    "摘录页码": 2,
                    "摘录原文": "不在报告里的一句话",
                    "选定人": "李",
                    "身份": "组委会",
                },
            },
        )
        done = _import(session, campaign_2024, path)
        stored = session.exec(select(CaseExcerpt)).all()

    assert [(t.uscc, v) for t, v in done.stored] == [(make_uscc(1), 1)]
    assert [(r.file, r.row, r.column, r.code) for r in done.rejections] == [
        ("cases.xlsx", 2, "身份", "missing-value"),
        ("cases.xlsx", 4, "摘录原文", "excerpt-not-on-page"),
    ]
    assert done.rejections[1].value == "不在报告里的一句话"
    assert [(s.text, s.chosen_by, s.source) for s in stored] == [
        (GREEN_EXCERPT, "张专家", "sheet:cases.xlsx row 3")
    ]


def test_a_formula_typed_into_the_sheet_refuses_its_row_and_is_never_stored(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        path = _fill(
            _sheet(session, campaign_2024, tmp_path / "cases.xlsx"),
            {
                3: {
                    "摘录页码": 2,
                    "摘录原文": GREEN_EXCERPT,
                    "选定人": '=HYPERLINK("http://evil.example.com","张")',
                    "身份": "评审专家",
                }
            },
        )
        done = _import(session, campaign_2024, path)
        stored = session.exec(select(CaseExcerpt)).all()

    assert [(r.row, r.column, r.code, r.value) for r in done.rejections] == [
        (3, "选定人", "formula-cell", "（公式）")
    ]
    assert stored == []


def test_a_name_that_looks_like_a_formula_goes_back_out_as_a_text_cell(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        path = tmp_path / "cases.xlsx"
        _fill(_sheet(session, campaign_2024, path), {3: {"摘录页码": 2, "摘录原文": GREEN_EXCERPT}})
        wb = load_workbook(path)
        cell = wb.worksheets[0].cell(row=3, column=COLUMN["选定人"], value="=1+1 张")
        cell.data_type = "s"  # typed as text ('=1+1 张), as Excel keeps it
        wb.worksheets[0].cell(row=3, column=COLUMN["身份"], value="reviewer")
        wb.save(path)
        first = _import(session, campaign_2024, path)
        again = _sheet(session, campaign_2024, tmp_path / "again.xlsx")

    written = load_workbook(again).worksheets[0].cell(row=3, column=COLUMN["选定人"])
    assert (len(first.stored), first.rejections) == (1, [])
    assert (written.value, written.data_type) == ("=1+1 张", "s")


def test_importing_the_same_sheet_twice_adds_nothing_and_a_rewritten_sheet_shows_the_choice(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    filled = {3: {"摘录页码": 2, "摘录原文": GREEN_EXCERPT, "选定人": "张专家", "身份": "评审专家"}}
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        path = _fill(_sheet(session, campaign_2024, tmp_path / "cases.xlsx"), filled)
        first, second = _import(session, campaign_2024, path), _import(session, campaign_2024, path)
        rewritten = _sheet(session, campaign_2024, tmp_path / "now.xlsx")
        again = _import(session, campaign_2024, rewritten)
        versions = session.exec(select(CaseExcerpt.version).order_by(col(CaseExcerpt.id))).all()

    row = [c.value for c in load_workbook(rewritten).worksheets[0][3]]
    assert [(len(d.stored), d.unchanged, d.skipped) for d in (first, second, again)] == [
        (1, 0, 2),
        (0, 1, 2),
        (0, 1, 2),
    ]
    assert versions == [1]
    assert row[8:12] == [2, GREEN_EXCERPT, "张专家", "评审专家"]


def test_an_unreadable_file_is_one_file_level_rejection(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    path = tmp_path / "cases.xlsx"
    path.write_bytes(b"not a workbook")
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        done = _import(session, campaign_2024, path)

    assert [(r.file, r.row) for r in done.rejections] == [("cases.xlsx", None)]
    assert done.stored == []
