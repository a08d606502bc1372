"""The demo chooses excerpts for every other commended case through the product's sheet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from excerptkit import seed_cases
from factories import make_uscc
from openpyxl import load_workbook
from sqlmodel import select

from deployments.demo.excerpts import choose_demo_excerpts, fill_sheet
from schemas.campaign_file import CampaignFile
from schemas.case_excerpt_tables import CaseExcerpt
from schemas.case_excerpts import ExcerptRole
from schemas.commendation import CommendationStatus
from schemas.settings import Settings
from tasks.commend.case_targets import CaseTarget, Passage
from tasks.commend.excerpt_sheet import write_case_sheet
from tasks.store import campaign_session

MEETING = date(2024, 12, 27)


def test_the_demo_fills_and_imports_the_sheet_and_a_second_pass_changes_nothing(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    with campaign_session(Settings()) as session:
        seed_cases(session, campaign_2024)

    first = choose_demo_excerpts(Settings(), campaign_2024, MEETING)
    second = choose_demo_excerpts(Settings(), campaign_2024, MEETING)
    with campaign_session(Settings()) as session:
        rows = session.exec(select(CaseExcerpt)).all()

    # the cases in sheet order: unit 2 employee care (no passage found), unit 1 green, unit 2
    # green; every other one with a readable passage is chosen: unit 1's
    assert [(t.uscc, t.category_key, v) for t, v in first.stored] == [
        (make_uscc(1), "green-low-carbon", 1)
    ]
    assert (first.rejections, second.stored, second.unchanged) == ([], [], 1)
    assert [(r.page, r.text, r.chosen_by, r.role, r.recorded_by) for r in rows] == [
        (
            2,
            "公司全年完成光伏装机容量12兆瓦，减少碳排放约9,800吨。",
            "陈评审",
            ExcerptRole.REVIEWER,
            "demo:2024-12-27",
        )
    ]
    assert (workspace / "cases" / "2024" / "优秀案例摘录表-2024.xlsx").is_file()


def test_the_demo_quotes_a_sentence_never_a_heading_a_running_head_or_a_table_row(
    tmp_path: Path,
) -> None:
    target = CaseTarget(
        commendation_id=1,
        campaign_year=2024,
        participation_id=1,
        uscc=make_uscc(1),
        unit_name="上海测试0001科技有限公司",
        category_key="green-low-carbon",
        title="绿色低碳优秀案例",
        status=CommendationStatus.APPROVED,
        report_version=1,
        candidates=(
            Passage(5, "七、绿色发展公司高度重视绿色发展。"),
            Passage(5, "（一）零碳工厂公司建成零碳工厂。"),
            Passage(5, "上海测试公司 2023年度社会责任报告— 4 —公司建成零碳工厂。"),
            Passage(5, "元 1,322.49 1,412.58 1,423.48 资产总额万元 26,983.28。"),
            Passage(6, "公司建成零碳工厂，"),
            Passage(6, "公司建成零碳工厂，年减排2.1万吨。"),
        ),
    )
    path = write_case_sheet(tmp_path / "cases.xlsx", [target])

    filled = fill_sheet(path, [target])

    row = [c.value for c in load_workbook(path).worksheets[0][2]]
    assert filled == 1
    assert row[8:12] == [6, "公司建成零碳工厂，年减排2.1万吨。", "陈评审", "评审专家"]
