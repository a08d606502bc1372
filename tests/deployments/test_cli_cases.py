"""`campaign cases sheet | import | choose`: the office's way to choose the cases' excerpts."""

from __future__ import annotations

from pathlib import Path

import typer
from excerptkit import GREEN_EXCERPT, seed_cases
from factories import make_uscc
from openpyxl import load_workbook
from sqlmodel import col, select
from typer.testing import CliRunner

from deployments.cli_cases import register
from schemas.campaign_file import CampaignFile
from schemas.case_excerpt_sheet import CASE_EXCERPTS
from schemas.case_excerpt_tables import CaseExcerpt
from schemas.case_excerpts import ExcerptRole
from schemas.settings import Settings
from tasks.store import campaign_session

runner = CliRunner()
app = typer.Typer()
register(app)
app.command("noop", hidden=True)(lambda: None)  # typer needs two commands to keep sub-command names
COLUMN = {c.header: i + 1 for i, c in enumerate(CASE_EXCERPTS.columns)}


def _seed(campaign: CampaignFile) -> None:
    with campaign_session(Settings()) as session:
        seed_cases(session, campaign)


def _excerpts() -> list[tuple[int, str, str, ExcerptRole, str]]:
    with campaign_session(Settings()) as session:
        return [
            (r.version, r.text, r.chosen_by, r.role, r.recorded_by[:4])
            for r in session.exec(select(CaseExcerpt).order_by(col(CaseExcerpt.id))).all()
        ]


def test_cases_sheet_then_import_stores_the_filled_rows_and_reports_the_bad_one(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    _seed(campaign_2024)

    written = runner.invoke(app, ["cases", "sheet", "--year", "2024"])
    path = workspace / "cases" / "2024" / "优秀案例摘录表-2024.xlsx"
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for column, value in (
        ("摘录页码", 2),
        ("摘录原文", GREEN_EXCERPT),
        ("选定人", "张专家"),
        ("身份", "评审专家"),
    ):
        ws.cell(row=3, column=COLUMN[column], value=value)
    for column, value in (
        ("摘录页码", 1),
        ("摘录原文", "封面上没有的文字"),
        ("选定人", "李"),
        ("身份", "组委会"),
    ):
        ws.cell(row=4, column=COLUMN[column], value=value)
    wb.save(path)
    imported = runner.invoke(app, ["cases", "import", str(path), "--year", "2024"])

    assert written.exit_code == 0, written.output
    assert "3 个优秀案例 cases" in written.output
    assert imported.exit_code == 1, imported.output
    assert "保存 1 条 stored" in imported.output
    assert "excerpt-not-on-page" in imported.output
    assert _excerpts() == [(1, GREEN_EXCERPT, "张专家", ExcerptRole.REVIEWER, "cli:")]
    reports = list((workspace / "reports").glob("cli-cases-import-2024-*/问题.xlsx"))
    rows = [[c.value for c in r] for r in load_workbook(reports[0]).worksheets[0].iter_rows()]
    assert [[*r[1:4], r[5]] for r in rows[1:]] == [
        ["优秀案例摘录表-2024.xlsx", 4, "摘录原文", "excerpt-not-on-page"]
    ]


def test_cases_choose_stores_a_choice_and_refuses_a_replacement_without_why(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    _seed(campaign_2024)
    base = ["cases", "choose", make_uscc(1), "--year", "2024", "--page", "2"]

    first = runner.invoke(
        app, [*base, "--text", GREEN_EXCERPT, "--by", "王办", "--role", "operator"]
    )
    other = ["--text", "减少碳排放约9,800吨", "--by", "王办", "--role", "组委会"]
    refused = runner.invoke(app, [*base, *other])
    replaced = runner.invoke(app, [*base, *other, "--why", "会议建议"])

    assert (first.exit_code, refused.exit_code, replaced.exit_code) == (0, 1, 0), refused.output
    assert "组委会选定" in first.output
    assert "--why" in refused.output
    assert "reason-required" in refused.output
    assert [e[:2] for e in _excerpts()] == [(1, GREEN_EXCERPT), (2, "减少碳排放约9,800吨")]


def test_cases_choose_names_the_case_and_option_of_a_refusal(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    _seed(campaign_2024)

    found = runner.invoke(
        app,
        [
            "cases",
            "choose",
            make_uscc(2),
            "--year",
            "2024",
            "--page",
            "2",
            "--text",
            GREEN_EXCERPT,
            "--by",
            "张",
            "--role",
            "reviewer",
        ],
    )
    bad_role = runner.invoke(
        app,
        [
            "cases",
            "choose",
            make_uscc(1),
            "--page",
            "2",
            "--text",
            "x",
            "--by",
            "张",
            "--role",
            "chair",
        ],
    )

    assert found.exit_code == 1
    assert f"{make_uscc(2)} (--category, category-needed)" in found.output
    assert bad_role.exit_code == 2
    assert _excerpts() == []
