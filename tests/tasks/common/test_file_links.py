"""Files a run writes: a link artifact each (read through the Prefect API), reports indexed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from prefect import flow, tags, task

from tasks.common.file_links import link_text, publish_file, run_day, run_stage
from tasks.common.reports_index import read_index
from tasks.common.spreadsheets import write_sheet
from tests.artifactkit import run_artifacts


def test_run_day_is_as_of_else_the_day_in_the_run_name() -> None:
    assert run_day({"as_of": date(2024, 12, 2)}, "x") == date(2024, 12, 2)
    assert run_day({"as_of": "2024-12-03"}, None) == date(2024, 12, 3)
    assert run_day({"as_of": None}, "review 2024-12-04 (operator)") == date(2024, 12, 4)
    assert run_day({}, "calm-cricket") is None


def test_run_stage_is_the_clocks_stage_tag_else_the_flow() -> None:
    assert run_stage({"review", "nightly"}, "season") == "review"
    assert run_stage({"nightly"}, "submit") == "submit"


def test_link_text_names_the_run_folder_and_the_file() -> None:
    assert link_text(Path("/w/reports/abc/x.xlsx")) == "abc/x.xlsx"


def test_outside_a_run_a_written_workbook_publishes_nothing(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "reports" / "manual" / "x.xlsx", ["a"], [["1"]])

    assert path.is_file()
    assert not (tmp_path / "reports" / "2024").exists()


@task
def _write_report(folder: Path) -> Path:
    return write_sheet(folder / "scores-rejections.xlsx", ["问题"], [["bad-score"]], title="拒收")


@flow(name="season")
def _day(campaign_year: int, as_of: date, folder: Path) -> Path:
    with tags("review"):
        written = _write_report(folder)
    publish_file(folder.parent.parent / "release", "证书 (certificates)")
    return written


@pytest.mark.usefixtures("prefect_harness")
def test_a_report_written_in_a_run_is_linked_and_indexed_by_day_and_stage(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "reports" / "run-1"

    state = _day(2024, date(2024, 12, 2), folder, return_state=True)

    links = run_artifacts(flow_run=state.state_details.flow_run_id, links=True)
    assert len(links) == 2
    texts = [str(a.data) for a in links]
    assert any("[run-1/scores-rejections.xlsx](file://" in t for t in texts), texts
    assert any("release" in t for t in texts), texts
    [indexed] = read_index(tmp_path / "reports", 2024)
    assert (indexed.day, indexed.stage, indexed.file) == (
        date(2024, 12, 2),
        "review",
        "run-1/scores-rejections.xlsx",
    )
    page = (tmp_path / "reports" / "2024" / "index.html").read_text(encoding="utf-8")
    assert 'href="../run-1/scores-rejections.xlsx"' in page
