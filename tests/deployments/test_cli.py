"""The `campaign` command line: templates, imports with exit codes, status."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest
from data.intake_kit import CONTACT, SECRET_NAME, write_poison
from factories import write_associations, write_recommendations
from openpyxl import load_workbook
from typer.testing import CliRunner

from deployments.cli import app
from schemas.columns import RECEIPTS

runner = CliRunner()


def test_template_writes_the_headers_of_the_kind(tmp_path: Path) -> None:
    out = tmp_path / "receipts.xlsx"

    result = runner.invoke(app, ["template", "receipts", "--out", str(out)])

    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == [
        f"{c.header}*" if c.required else c.header for c in RECEIPTS.columns
    ]


def test_unknown_campaign_year_exits_2_naming_the_file(workspace: Path) -> None:
    result = runner.invoke(app, ["status", "--year", "1999"])

    assert result.exit_code == 2
    assert "1999.toml" in result.output


def test_messages_are_chinese_first_with_english_beside(tmp_path: Path) -> None:
    out = tmp_path / "receipts.xlsx"

    unknown = runner.invoke(app, ["run", "harvest"])
    bad_day = runner.invoke(app, ["run", "season", "--as-of", "27/12/2024"])
    wrote = runner.invoke(app, ["template", "receipts", "--out", str(out)])

    assert unknown.exit_code == 2
    assert re.search(r"没有该环节\s+unknown\s+stage", unknown.output), unknown.output
    assert re.match(r"已写入 wrote\s+/", wrote.output), wrote.output
    assert bad_day.exit_code == 2
    assert re.search(r"不是日期\s+is\s+not\s+a\s+date", bad_day.output), bad_day.output


def test_status_in_a_workspace_without_a_campaign_says_so_and_creates_nothing(
    workspace: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "elsewhere"
    empty.mkdir()

    result = runner.invoke(app, ["--workspace", str(empty), "status"])

    assert result.exit_code == 6, result.output
    assert "还没有活动数据库" in result.output
    assert "--workspace" in result.output
    assert list(empty.iterdir()) == []


def test_every_command_turns_prefect_telemetry_off_before_prefect_loads(
    empty_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DO_NOT_TRACK", raising=False)

    runner.invoke(app, ["status"])

    assert os.environ["DO_NOT_TRACK"] == "1"  # no first-run banner on the demo's console


def test_the_workspace_option_points_a_command_at_that_campaign(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPAIGN_WORKSPACE", str(tmp_path / "not-this-one"))

    result = runner.invoke(app, ["--workspace", str(workspace), "status"])

    assert result.exit_code == 0, result.output
    assert not (tmp_path / "not-this-one").exists()


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_import_exits_1_when_a_file_is_unreadable_and_lands_the_good_rows(
    workspace: Path, tmp_path: Path
) -> None:
    associations = write_associations(tmp_path / "associations.xlsx", ["A001"])
    good = write_recommendations(tmp_path / "A001.xlsx", "A001", range(1, 11))
    broken = tmp_path / "A002.xlsx"
    broken.write_text("not a workbook", encoding="utf-8")

    result = runner.invoke(
        app,
        [
            "import",
            "recommendations",
            str(good),
            str(broken),
            "--associations",
            str(associations),
            "--year",
            "2024",
            "--as-of",
            "2024-10-10",
        ],
    )
    status = runner.invoke(app, ["status", "--year", "2024"])

    assert result.exit_code == 1, result.output
    assert "接收 accepted 10，暂缓 held 0，拒收 rejected 0" in result.output
    assert "not-xlsx" in result.output
    assert re.findall(r"(\w+)\s+(\d+)$", status.output, re.MULTILINE) == [("recommended", "10")]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_import_of_poison_files_exits_1_and_prints_no_row_content(
    workspace: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    associations = write_associations(tmp_path / "associations.xlsx", ["A001"])
    poison = write_poison(tmp_path / "poison")
    caplog.set_level(logging.INFO)
    logging.getLogger("prefect").addHandler(caplog.handler)
    try:
        result = runner.invoke(
            app,
            [
                "import",
                "recommendations",
                *map(str, poison),
                "--associations",
                str(associations),
                "--year",
                "2024",
                "--as-of",
                "2024-10-10",
            ],
        )
    finally:
        logging.getLogger("prefect").removeHandler(caplog.handler)

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "接收 accepted 1，暂缓 held 0，拒收 rejected 3" in result.output
    shown = result.output + caplog.text
    assert (CONTACT in shown, SECRET_NAME in shown, "张伟" in shown) == (False, False, False)
