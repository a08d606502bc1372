"""`campaign verify`: Chinese first, one exit code per answer (documented in --help): 0 genuine,
1 tampered, 3 superseded (naming the newer number and date), 4 unknown."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import typer
from certificatekit import current, rename_unit
from factories import add_association, add_participation
from sqlmodel import select
from typer.testing import CliRunner

from deployments.cli_release import EXIT_CODES, register
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.release_tables import Certificate
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.release.certificates.issue import issue_certificates_now
from tasks.release.certificates.verify import Verdict
from tasks.store import make_engine, session_scope, upgrade_database

runner = CliRunner()
app = typer.Typer()
register(app)
app.command("noop", hidden=True)(lambda: None)  # typer needs two commands to keep sub-command names


@pytest.fixture
def issued(campaign_2024: CampaignFile, workspace: Path) -> Certificate:
    """One approved unit with its certificate issued in the test workspace."""
    engine = make_engine(Settings())
    upgrade_database(engine)
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        add_participation(
            session, 1, [add_association(session, "A001")], ParticipationStatus.APPROVED
        )
    issue_certificates_now(Settings(), 2024, date(2025, 1, 16))
    with session_scope(engine) as session:
        row = session.exec(select(Certificate)).one()
    engine.dispose()
    return row


def test_a_genuine_certificate_by_number_and_by_file(issued: Certificate, workspace: Path) -> None:
    by_number = runner.invoke(app, ["verify", issued.number, "--year", "2024"])
    by_file = runner.invoke(app, ["verify", str(workspace / issued.stored_path)])

    assert by_number.exit_code == 0, by_number.output
    assert by_number.output.startswith("真实有效 genuine")
    assert "上海测试0001科技有限公司" in by_number.output
    assert "2025-01-16" in by_number.output
    assert by_file.exit_code == 0, by_file.output
    assert issued.number in by_file.output


def test_what_the_qr_code_holds_is_verified_as_the_number(issued: Certificate) -> None:
    scanned = f"https://csr.example.org/2024/verify.html?n={issued.number}"

    result = runner.invoke(app, ["verify", scanned])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("真实有效 genuine")


def test_tampered_and_unknown_have_their_own_exit_codes(
    issued: Certificate, workspace: Path, tmp_path: Path
) -> None:
    forged = tmp_path / "forged.pdf"
    forged.write_bytes((workspace / issued.stored_path).read_bytes() + b"\n% edited\n")

    tampered = runner.invoke(app, ["verify", str(forged)])
    unknown = runner.invoke(app, ["verify", "SHCSR-2024-00001-0"])

    assert tampered.exit_code == EXIT_CODES[Verdict.TAMPERED] == 1
    assert tampered.output.startswith("内容不符 tampered")
    assert issued.number in tampered.output
    assert unknown.exit_code == EXIT_CODES[Verdict.UNKNOWN] == 4
    assert unknown.output.startswith("无法识别 unknown")


def test_an_earlier_issue_is_superseded_with_the_newer_number_and_date(
    issued: Certificate, workspace: Path, tmp_path: Path
) -> None:
    held = tmp_path / "held.pdf"
    held.write_bytes((workspace / issued.stored_path).read_bytes())
    engine = make_engine(Settings())
    rename_unit(engine, 1, "上海更名0001集团有限公司")
    issue_certificates_now(Settings(), 2024, date(2025, 2, 3))
    newer = current(engine)[issued.participation_id]
    engine.dispose()

    result = runner.invoke(app, ["verify", str(held)])

    assert result.exit_code == EXIT_CODES[Verdict.SUPERSEDED] == 3, result.output
    assert result.output.startswith("已被替换 superseded")
    assert newer.number in result.output
    assert "2025-02-03" in result.output


def test_help_lists_every_exit_code() -> None:
    result = runner.invoke(app, ["verify", "--help"])

    assert result.exit_code == 0
    codes = sorted(set(EXIT_CODES.values()))
    assert codes == [0, 1, 3, 4, 5]  # one per answer; 2 stays click's usage error
    for verdict, code in EXIT_CODES.items():
        assert f"{code}  " in result.output
        assert verdict.value in result.output


def test_a_missing_file_is_told_apart_from_a_bad_number(workspace: Path) -> None:
    missing = runner.invoke(app, ["verify", str(workspace / "no-such-certificate.pdf")])
    bad_number = runner.invoke(app, ["verify", "SHCSR-2024-99999-0"])

    assert missing.exit_code == 7, missing.output
    assert "找不到文件" in missing.output
    assert bad_number.exit_code == EXIT_CODES[Verdict.UNKNOWN], bad_number.output


def test_verify_in_a_workspace_without_a_campaign_creates_no_database(
    empty_workspace: Path,
) -> None:
    result = runner.invoke(app, ["verify", "SHCSR-2024-00001-7"])

    assert result.exit_code == 6, result.output
    assert "还没有活动数据库" in result.output
    assert list(empty_workspace.iterdir()) == []
