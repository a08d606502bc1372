"""The media kit: public numbers and names only, formula-like names kept as text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from prefect.logging import disable_run_logger
from seasonkit import seed_season
from sqlalchemy.engine import Engine

from schemas.campaign_file import CampaignFile
from schemas.settings import Settings
from tasks.release.media_kit import MediaKit, compile_media_kit

REPO = Path(__file__).resolve().parents[3]
EVIL = '=HYPERLINK("http://evil.example.com","点击")'


@pytest.fixture
def kit(
    workspace: Path, database_url: str, engine: Engine, campaign_2024: CampaignFile
) -> MediaKit:
    """The media kit of the seeded season, whose unit 1 is named like a formula."""
    from tasks.store import session_scope

    with session_scope(engine) as session:
        seed_season(session, campaign_2024, first_name=EVIL)
    settings = Settings(
        workspace=workspace, database_url=database_url, campaigns_dir=REPO / "campaigns"
    )
    with disable_run_logger():
        return compile_media_kit.fn(settings, 2024, date(2025, 1, 20))


def test_media_kit_workbook_writes_a_formula_like_unit_name_as_text(
    kit: MediaKit, workspace: Path
) -> None:
    book = load_workbook(kit.workbook)

    assert Path(kit.workbook) == workspace / "release/2024/media-kit/media-kit.xlsx"
    assert book.sheetnames == ["counts", "profile", "topics", "performance", "commended"]
    commended = book["commended"]
    assert [commended.cell(row=r, column=1).value for r in (2, 3)] == [
        EVIL,
        "上海测试0002科技有限公司",
    ]
    assert commended.cell(row=2, column=1).data_type == "s"
    assert (kit.releasing_units, kit.commended) == (2, 2)


def test_media_kit_summarises_counts_profile_topics_and_performance(kit: MediaKit) -> None:
    text = Path(kit.markdown).read_text(encoding="utf-8")

    assert "- 推荐单位 units recommended: **8**" in text
    assert "- 表彰 commendations approved: **2**" in text
    assert "| 行业 industry | 电子信息 | 2 |" in text
    assert "| 组织治理 | core | 2 | 2 | 100% |" in text  # the two releasing units' reports
    assert "From the performance indicators of 2 releasing units" in text
    assert (
        "| 营业收入增长率 | revenue\\_growth | 2 | 2 | 0.025 | 0.025 | -0.05 | 0.1 | 1 | 0.5 |"
        in text
    )
    assert "mails_sent" not in text


def test_media_kit_carries_no_contact_data_and_escapes_names(kit: MediaKit) -> None:
    text = Path(kit.markdown).read_text(encoding="utf-8")
    book = load_workbook(kit.workbook)
    cells = " ".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )

    for contact in ("contact1@unit1.example.com", "李测试", "王测试", "assoc.example.org"):
        assert contact not in text
        assert contact not in cells
    assert EVIL not in text  # escaped: the link syntax cannot form
    assert (
        '| =HYPERLINK\\("http://evil.example.com","点击"\\) | 优秀单位 excellent\\_unit |' in text
    )
