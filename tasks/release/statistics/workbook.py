"""The season statistics as files and an artifact: xlsx workbook, PNG charts, markdown report.

`write_frames` writes frames as the sheets of one workbook with the safe-writing rules of
tasks/common/spreadsheets.py (text from inputs is always a text cell, never a formula).
`compile_statistics` reads the database once (tasks/release/statistics/load.py) and writes
workspace/release/<year>/statistics/ (charts/*.png, season-statistics.xlsx,
season-statistics.md); the `compile_season_statistics` task does that and publishes the
`season-statistics` markdown artifact, returning paths and the headline counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd
from openpyxl import load_workbook
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.settings import Settings
from tasks.common.spreadsheets import FIXED_TIMESTAMP, write_sheets
from tasks.release.statistics.charts import (
    chart_font,
    funnel_chart,
    score_chart,
    timeliness_chart,
    topic_chart,
)
from tasks.release.statistics.load import gather_statistics
from tasks.release.statistics.markdown import header, statistics_markdown
from tasks.store import campaign_session

ARTIFACT_KEY: Final = "season-statistics"
MAX_WIDTH: Final = 60
# The workbook's sheets in the organisers' words (the frames keep their English keys in code).
SHEET_TITLES: Final = {
    "counts": "总览",
    "funnel": "各协会进度",
    "timeliness": "按时提交",
    "timeliness_days": "提交时间分布",
    "grades": "评级分布",
    "score_bands": "分数段",
    "topics": "议题覆盖",
    "performance": "绩效指标",
    "mail": "邮件",
}
PERCENT_COLUMNS: Final = frozenset({"share", "submit_rate", "release_rate", "flag_share"})


def _cell_value(value: Any) -> Any:
    """Return a frame value as openpyxl takes it (None for missing, plain Python numbers)."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item") and not isinstance(value, str | date | datetime):
        return value.item()  # a numpy scalar
    return value


def write_frames(path: Path, sheets: Sequence[tuple[str, pd.DataFrame]]) -> Path:
    """Write each frame as one sheet (bold bilingual headers, frozen header row, widths).

    Strings are always text cells, so a name starting with `=` is shown, never run; shares and
    rates (PERCENT_COLUMNS) are shown as percentages (0.875 reads 87.5%). Returns `path`; the
    file's timestamps are fixed, so the same frames give the same workbook content.
    """
    write_sheets(
        path,
        [
            (
                title,
                [header(str(c)) for c in frame.columns],
                [
                    [_cell_value(raw) for raw in record]
                    for record in frame.astype(object).itertuples(index=False, name=None)
                ],
            )
            for title, frame in sheets
        ],
        max_width=MAX_WIDTH,
    )
    show_percentages(path, [[str(c) for c in frame.columns] for _, frame in sheets])
    return path


def show_percentages(path: Path, columns: Sequence[Sequence[str]]) -> None:
    """Give the share and rate columns of each sheet a percentage format. Rewrites `path`."""
    book = load_workbook(path)
    for sheet, names in zip(book.worksheets, columns, strict=True):
        for index, name in enumerate(names, start=1):
            if name in PERCENT_COLUMNS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
    book.properties.created = FIXED_TIMESTAMP.replace(tzinfo=None)
    book.properties.modified = FIXED_TIMESTAMP.replace(tzinfo=None)
    book.save(path)


def draw_charts(frames: dict[str, pd.DataFrame], folder: Path, font: Path | None) -> list[Path]:
    """Write the four season charts into `folder` as PNGs; return their paths."""
    return [
        funnel_chart(frames["funnel"], folder / "funnel.png", font),
        timeliness_chart(frames["timeliness"], folder / "timeliness.png", font),
        score_chart(frames["score_bands"], folder / "scores.png", font),
        topic_chart(frames["topics"], folder / "topics.png", font),
    ]


class SeasonStatistics(BaseModel):
    """Where the season statistics were written and the headline numbers."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    folder: str
    workbook: str
    markdown: str
    charts: list[str]
    counts: dict[str, int]


class CompiledStatistics(NamedTuple):
    """The season statistics written, and the markdown of their artifact (charts as paths)."""

    summary: SeasonStatistics
    artifact: str


def compile_statistics(
    settings: Settings, campaign_year: int, as_of: date, font: Path | None
) -> CompiledStatistics:
    """Read the season, write charts, workbook and markdown under release/<year>/statistics.

    Side effects: one read-only transaction; files inside the workspace (overwritten).
    Publishes nothing (compile_season_statistics does).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        frames = gather_statistics(session, campaign, as_of)
    folder = settings.inside_workspace("release", str(campaign_year), "statistics")
    charts = draw_charts(frames, folder / "charts", font)
    titled = [(SHEET_TITLES.get(key, key), frame) for key, frame in frames.items()]
    workbook = write_frames(folder / "season-statistics.xlsx", titled)
    document = statistics_markdown(
        campaign, as_of, frames, lambda name, caption: f"![{caption}](charts/{name}.png)"
    )
    markdown = folder / "season-statistics.md"
    markdown.write_text(document, encoding="utf-8")
    artifact = statistics_markdown(
        campaign,
        as_of,
        frames,
        lambda name, caption: f"图表 Chart ({caption}): `{folder / 'charts' / (name + '.png')}`",
    )
    counts = {str(r["key"]): int(r["value"]) for r in frames["counts"].to_dict(orient="records")}
    summary = SeasonStatistics(
        campaign_year=campaign_year,
        as_of=as_of,
        folder=str(folder),
        workbook=str(workbook),
        markdown=str(markdown),
        charts=[str(c) for c in charts],
        counts=counts,
    )
    return CompiledStatistics(summary, artifact + f"\n完整工作簿 Full workbook: `{workbook}`\n")


@task(name="compile-season-statistics", cache_policy=NO_CACHE)
def compile_season_statistics(
    settings: Settings, campaign_year: int, as_of: date
) -> SeasonStatistics:
    """Write the season statistics (charts, xlsx, markdown) and publish their artifact.

    Side effects: reads the database; writes files inside release/<year>/statistics; one
    markdown artifact, `season-statistics`. Returns paths and the headline counts.
    """
    compiled = compile_statistics(settings, campaign_year, as_of, chart_font())
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=compiled.artifact,
        description=f"Season statistics {campaign_year} as of {as_of.isoformat()}",
    )
    return compiled.summary
