"""Reading what the release and the meeting wrote, in the formats their writers use."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from schemas.catalogue import CatalogueCampaign, CatalogueEntry
from schemas.settings import Settings
from tasks.audit.files import (
    PACK,
    catalogue_grades,
    certificate_rows,
    meeting_pack,
    pack_uscc_counts,
    release_files,
    statistics_headlines,
)
from tasks.common.spreadsheets import write_sheets
from tasks.meeting.pack_files import UNIT_HEADERS
from tasks.release.catalogue.site import render_report
from tasks.release.statistics.markdown import headline_lines


def test_catalogue_pages_show_their_grade(tmp_path: Path) -> None:
    campaign = CatalogueCampaign(title="发布会", year=2024, edition=13, report_year=2023)
    pages = tmp_path / "catalogue" / "reports"
    pages.mkdir(parents=True)
    for slug, grade in [("913101150000000001", "五星级"), ("913101150000000002", "")]:
        entry = CatalogueEntry(slug=slug, unit_name="上海测试", grade=grade)
        (pages / f"{slug}.html").write_text(render_report(campaign, entry, False), "utf-8")

    assert catalogue_grades(tmp_path / "catalogue") == {
        "913101150000000001": "五星级",
        "913101150000000002": "",
    }
    assert catalogue_grades(tmp_path / "nothing") is None


def test_statistics_headlines_are_read_from_the_markdown_the_release_writes() -> None:
    counts = pd.DataFrame(
        [
            ("approved", "审定发布单位", "approved for release", 5),
            ("released", "已发布单位", "released", 4),
            ("certificates", "发布证书", "certificates issued", 6),
        ],
        columns=["key", "指标", "metric", "value"],
    )
    text = "# 统计\n\n" + "\n".join(headline_lines(counts)) + "\n"

    assert statistics_headlines(text) == {"released": 4, "certificates": 6}


def test_the_pack_counts_each_uscc_of_the_release_and_not_proposed_sheets(tmp_path: Path) -> None:
    path = write_sheets(
        tmp_path / PACK,
        [
            (
                "拟发布名单",
                ["序号 no.", *UNIT_HEADERS],
                [[1, "A1", "甲", "A001"], [2, "A2", "乙", ""]],
            ),
            ("统计", ["维度 dimension"], [["A1"]]),
            (
                "未列入名单",
                [*UNIT_HEADERS, "原因 why"],
                [["A3", "丙", "", "x"], ["A1", "甲", "", "y"]],
            ),
        ],
    )

    assert pack_uscc_counts(path) == {"A1": 2, "A2": 1, "A3": 1}


def test_the_meeting_runs_pack_is_preferred_else_the_newest(
    workspace: Path,
) -> None:
    for run, stamp in [("run-a", 100), ("run-b", 200)]:
        folder = workspace / "reports" / run
        folder.mkdir(parents=True)
        (folder / PACK).write_bytes(b"x")
        os.utime(folder / PACK, (stamp, stamp))
    settings = Settings()

    assert meeting_pack(settings, "run-a") == workspace / "reports" / "run-a" / PACK
    assert meeting_pack(settings, "gone") == workspace / "reports" / "run-b" / PACK
    assert meeting_pack(settings, "") == workspace / "reports" / "run-b" / PACK


def test_a_season_before_its_release_reads_no_files(workspace: Path) -> None:
    files = release_files(Settings(), 2024, "")

    assert (files.catalogue_grades, files.statistics, files.pack_uscc_counts) == (None, None, None)


@pytest.mark.parametrize("content", [b"%PDF-1.7 genuine", None])
def test_certificate_rows_hash_the_stored_file(workspace: Path, content: bytes | None) -> None:
    stored = "release/2024/certificates/SHCSR-2024-00001-3.pdf"
    if content is not None:
        (workspace / stored).parent.mkdir(parents=True)
        (workspace / stored).write_bytes(content)
    rows = [(1, "SHCSR-2024-00001-3", 1, "f" * 64, stored), (2, "N", 1, "f" * 64, "../outside")]

    [one, outside] = certificate_rows(Settings(), rows)

    expected = hashlib.sha256(content).hexdigest() if content is not None else None
    assert (one.file_sha256, outside.file_sha256) == (expected, None)
