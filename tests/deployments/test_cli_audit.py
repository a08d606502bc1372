"""`campaign audit`: one line per violation, counts per invariant, exit 1 on any, 0 when clean."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from auditkit import seed_audited_season
from typer.testing import CliRunner

from deployments import cli_audit
from deployments.cli_audit import register
from schemas.campaign_file import CampaignFile
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.audit.violations import STATES, Violation
from tasks.common.campaigns import ensure_campaign
from tasks.store import make_engine, session_scope

runner = CliRunner()
app = typer.Typer()
register(app)
app.command("noop", hidden=True)(lambda: None)  # typer needs two commands to keep sub-command names


def test_a_season_with_violations_lists_them_and_exits_1(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine = make_engine(Settings())
    seed_audited_season(engine, campaign_2024, workspace)
    engine.dispose()

    result = runner.invoke(app, ["audit", "--year", "2024", "--as-of", "2025-01-20"])

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert sum(1 for line in lines if line.startswith("[")) == 12
    assert any(line.startswith("[states] 上海测试0004科技有限公司") for line in lines)
    assert any(line.split()[:2] == ["states", "4"] for line in lines)
    assert "12 项核查未通过 violation(s)" in result.output


def test_a_clean_season_exits_0(campaign_2024: CampaignFile, workspace: Path) -> None:
    engine = make_engine(Settings())
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
    engine.dispose()

    result = runner.invoke(app, ["audit", "--as-of", "2024-12-03"])

    assert result.exit_code == 0, result.output
    assert "the season audits clean" in result.output


def test_a_bad_date_is_a_usage_error(workspace: Path) -> None:
    result = runner.invoke(app, ["audit", "--as-of", "03/12/2024"])

    assert result.exit_code == 2


def test_overdue_to_dos_are_listed_but_do_not_fail(
    campaign_2024: CampaignFile, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An expert's sheet past its day is a to-do with someone acting next: exit 0, listed."""
    engine = make_engine(Settings())
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
    engine.dispose()
    late = Violation(
        invariant=STATES,
        unit_name="上海测试0001科技有限公司",
        uscc="91310115000000001Y",
        wrong_zh="第0轮评审已于2024-12-13截止，仍缺专家评分：李专家",
        wrong_en="round 0 was due 2024-12-13; sheets missing from: 李专家",
        todo_zh="催收评分表，或登记该专家缺席",
        todo_en="chase the sheet, or record the expert absent",
        overdue=True,
    )
    monkeypatch.setattr(cli_audit, "audit_season", lambda *_args: [late])

    result = runner.invoke(app, ["audit", "--as-of", "2024-12-16"])

    assert result.exit_code == 0, result.output
    assert "[states 逾期待办 overdue] 上海测试0001科技有限公司" in result.output
    assert "1 项逾期待办 overdue to-do(s)" in result.output
