"""`campaign search`: the real command on a real database holding real released reports (PDFs
generated, screened, stored and indexed by product code), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from factories import make_uscc
from searchkit import released_reports
from typer.testing import CliRunner

from deployments.cli_common import NO_DATABASE
from deployments.cli_search import NOTHING_FOUND, marked, register
from schemas.campaign_file import CampaignFile
from tasks.release.search import Excerpt
from tasks.store import make_engine, session_scope

runner = CliRunner()
app = typer.Typer()
register(app)
app.command("noop", hidden=True)(lambda: None)  # typer needs two commands to keep sub-command names


@pytest.fixture
def released(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, campaign_2024: CampaignFile
) -> str:
    """Units 1 and 2 released, 3 only approved, each with a real screened report; indexed."""
    monkeypatch.setenv("CAMPAIGN_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", database_url)
    engine = make_engine(url=database_url)
    with session_scope(engine) as session:
        released_reports(session, campaign_2024, tmp_path / "pdfs", [1, 2], approved=[3])
    engine.dispose()
    return database_url


def test_a_unit_name_is_found_with_year_page_uscc_and_highlight(released: str) -> None:
    result = runner.invoke(app, ["search", "上海测试0002", "--limit", "1"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # page 2 names the unit twice (running head and 报告说明), the cover once
    assert lines[0] == f"1. 2024年 上海测试0002科技有限公司 ({make_uscc(2)}) 第2页 page 2"
    assert lines[1].startswith("   上海测试0002科技有限公司 2023年度社会责任报告")
    assert lines[-1] == "显示 1 条 / 1 shown"


def test_a_one_character_chinese_word_is_found_through_the_fallback(released: str) -> None:
    result = runner.invoke(app, ["search", "碳", "--limit", "200"])

    assert result.exit_code == 0, result.output
    assert "上海测试0001科技有限公司" in result.output
    assert "上海测试0003" not in result.output  # approved, not released


def test_an_approved_but_unreleased_report_is_not_searchable(released: str) -> None:
    result = runner.invoke(app, ["search", "上海测试0003"])

    assert result.exit_code == NOTHING_FOUND
    assert result.output.startswith("未找到 “上海测试0003” / nothing found")


def test_filters_narrow_the_results(released: str) -> None:
    other_year = runner.invoke(app, ["search", "上海测试0001", "--year", "2023"])
    topic = runner.invoke(app, ["search", "上海测试0001", "--topic", "员工关爱", "--limit", "1"])

    assert other_year.exit_code == NOTHING_FOUND
    assert topic.exit_code == 0, topic.output
    assert "上海测试0001科技有限公司" in topic.output


def test_markup_in_the_query_is_printed_as_typed(released: str) -> None:
    result = runner.invoke(app, ["search", "[red]碳达峰[/red]"])

    assert result.exit_code == NOTHING_FOUND
    assert "[red]碳达峰[/red]" in result.output


def test_hits_are_bold_and_the_text_around_them_escaped() -> None:
    cut = Excerpt((("[b]报告", False), ("碳达峰", True), ("…", False)))

    assert marked(cut) == "\\[b]报告[bold yellow]碳达峰[/bold yellow]…"


def test_a_workspace_without_a_database_is_not_created(empty_workspace: Path) -> None:
    result = runner.invoke(app, ["search", "碳达峰"])

    assert result.exit_code == NO_DATABASE
    assert result.output.startswith("该工作目录还没有活动数据库")
    assert list(empty_workspace.iterdir()) == []
