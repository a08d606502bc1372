"""The season statistics files: workbook sheets, PNG charts, the markdown and the artifact."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from matplotlib import image
from openpyxl import load_workbook
from seasonkit import seed_season
from sqlalchemy.engine import Engine

from schemas.campaign_file import CampaignFile
from schemas.settings import Settings
from tasks.release.statistics.charts import chart_font, funnel_chart, topic_chart
from tasks.release.statistics.workbook import (
    ARTIFACT_KEY,
    CompiledStatistics,
    SeasonStatistics,
    compile_season_statistics,
    compile_statistics,
    write_frames,
)
from tasks.store import session_scope

REPO = Path(__file__).resolve().parents[4]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SHEETS = [
    "总览",
    "各协会进度",
    "按时提交",
    "提交时间分布",
    "评级分布",
    "分数段",
    "议题覆盖",
    "绩效指标",
    "邮件",
]


@pytest.fixture
def settings(workspace: Path, database_url: str) -> Settings:
    """Settings on the test workspace and database."""
    return Settings(
        workspace=workspace, database_url=database_url, campaigns_dir=REPO / "campaigns"
    )


@pytest.fixture
def seeded(engine: Engine, campaign_2024: CampaignFile) -> None:
    """The seeded season in the test database."""
    with session_scope(engine) as session:
        seed_season(session, campaign_2024)


@pytest.fixture
def compiled(settings: Settings, seeded: None) -> CompiledStatistics:
    """The statistics of the seeded season, compiled with the Chinese font, and their artifact."""
    return compile_statistics(settings, 2024, date(2024, 12, 31), chart_font())


@pytest.fixture
def stats(compiled: CompiledStatistics) -> SeasonStatistics:
    """The summary of the seeded season's statistics."""
    return compiled.summary


def test_workbook_has_one_sheet_per_frame_with_bold_frozen_headers(
    stats: SeasonStatistics, workspace: Path
) -> None:
    book = load_workbook(stats.workbook)

    assert Path(stats.workbook) == workspace / "release/2024/statistics/season-statistics.xlsx"
    assert book.sheetnames == SHEETS
    funnel = book["各协会进度"]
    assert [c.value for c in funnel[1]][:3] == [
        "协会代码 association",
        "协会名称 association_name",
        "推荐 recommended",
    ]
    assert all(c.font.bold for c in funnel[1])
    assert funnel.freeze_panes == "A2"
    assert [c.value for c in funnel[4]][:9] == [
        "合计",
        "全部协会 all associations",
        8,
        6,
        5,
        4,
        2,
        2,
        1,
    ]
    assert funnel.column_dimensions["B"].width >= len("全部协会 all associations")
    rates = [c.number_format for c in funnel["N"][1:]]  # 提交率 submit_rate
    assert funnel["N1"].value == "提交率 submit_rate"
    assert set(rates) == {"0.0%"}  # 0.875 reads 87.5%


def test_charts_are_png_files_without_software_metadata(stats: SeasonStatistics) -> None:
    names = [Path(c).name for c in stats.charts]

    assert names == ["funnel.png", "timeliness.png", "scores.png", "topics.png"]
    for chart in stats.charts:
        data = Path(chart).read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert b"Software" not in data
        height, width, _ = image.imread(chart).shape
        assert (width, height) >= (600, 300)


def test_markdown_links_the_charts_and_states_the_counts(stats: SeasonStatistics) -> None:
    text = Path(stats.markdown).read_text(encoding="utf-8")

    assert "- 推荐单位 units recommended: **8**" in text
    assert "- 已发布单位 released: **1**" in text
    for name in ("funnel", "timeliness", "scores", "topics"):
        assert f"](charts/{name}.png)" in text
    assert "| 合计 | 全部协会 all associations | 8 | 6 | 5 | 4 | 2 | 2 | 1 |" in text
    assert stats.counts["recommended"] == 8


def test_the_artifact_names_chart_paths_instead_of_embedding_them(
    compiled: CompiledStatistics,
) -> None:
    stats = compiled.summary
    assert "![" not in compiled.artifact
    assert f"`{stats.folder}/charts/funnel.png`" in compiled.artifact
    assert f"`{stats.workbook}`" in compiled.artifact


def test_write_frames_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"unit": ['=HYPERLINK("http://x.example.com")', "-1+2", "@SUM(A1)"], "units": [1, 2, 3]}
    )

    path = write_frames(tmp_path / "out.xlsx", [("profile", frame)])

    sheet = load_workbook(path)["profile"]
    cells = [sheet.cell(row=r, column=1) for r in (2, 3, 4)]
    assert [c.value for c in cells] == list(frame["unit"])
    assert [c.data_type for c in cells] == ["s", "s", "s"]
    assert [sheet.cell(row=r, column=2).data_type for r in (2, 3, 4)] == ["n", "n", "n"]


def _draw_without_missing_glyphs(path: Path, font: Path | None, topics: pd.DataFrame) -> bytes:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        topic_chart(topics, path, font)
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    return path.read_bytes()


def test_charts_draw_every_label_in_chinese_or_english_and_are_deterministic(
    tmp_path: Path, campaign_2024: CampaignFile
) -> None:
    topics = pd.DataFrame(
        [(t.key, t.name, 0.5) for t in campaign_2024.topics],
        columns=["topic_key", "topic", "share"],
    )
    font = chart_font()
    assert font is not None, "fonts-wqy-microhei is part of the product's system packages"

    chinese = _draw_without_missing_glyphs(tmp_path / "zh.png", font, topics)
    again = _draw_without_missing_glyphs(tmp_path / "zh-again.png", font, topics)
    english = _draw_without_missing_glyphs(tmp_path / "en.png", None, topics)

    assert chinese == again
    assert english != chinese
    assert chart_font(tmp_path / "no-such-font.ttc") is None


def test_funnel_chart_draws_an_empty_season(tmp_path: Path) -> None:
    stages = ["recommended", "registered", "submitted", "in_review", "review_passed"]
    funnel = pd.DataFrame(
        [["合计", *([0] * 7)]], columns=["association", *stages, "approved", "released"]
    )

    path = funnel_chart(funnel, tmp_path / "funnel.png", None)

    assert path.read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_the_task_publishes_the_statistics_in_a_markdown_artifact(
    settings: Settings, seeded: None
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    stats = compile_season_statistics(settings, 2024, date(2024, 12, 31))

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert artifact.type == "markdown"
    assert isinstance(artifact.data, str)
    assert "- 推荐单位 units recommended: **8**" in artifact.data
    assert f"`{stats.folder}/charts/topics.png`" in artifact.data
    assert "![" not in artifact.data
    assert f"`{stats.workbook}`" in artifact.data
    assert artifact.description == "Season statistics 2024 as of 2024-12-31"
