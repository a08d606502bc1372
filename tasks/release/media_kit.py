"""The season's media kit: a bilingual markdown summary and an xlsx of the public numbers.

Counts, the releasing units' industries, districts and ownership, the topics the reports cover,
a third-party performance summary from the evaluation indicators of the releasing units, and
the commended units. Public facts only: no contact name, address or telephone ever reaches the
kit. `compile_media_kit` writes workspace/release/<year>/media-kit/ (media-kit.xlsx,
media-kit.md); the frames come from tasks/release/statistics/load.py.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Final

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus as S
from schemas.release_tables import Commendation
from schemas.settings import Settings
from schemas.tables import Participation, Unit
from tasks.release.statistics.load import performance_summary, season_counts, topic_coverage
from tasks.release.statistics.markdown import cell_text, headline_lines, markdown_table
from tasks.release.statistics.workbook import write_frames
from tasks.store import campaign_session

PUBLIC_COUNTS: Final = (
    "associations",
    "recommended",
    "submitted",
    "reviewed",
    "approved",
    "released",
    "commendations",
    "certificates",
)
RELEASING: Final = frozenset({S.APPROVED.value, S.RELEASED.value})
PROFILE_DIMENSIONS: Final = (("industry", "行业"), ("district", "区"), ("ownership", "所有制"))
UNSTATED: Final = "未填写 not stated"
COMMENDATION_KINDS: Final = ("excellent_unit", "case", "speaker")  # the order lists show them
KIND_WORDS: Final = {"excellent_unit": "优秀单位", "case": "优秀案例", "speaker": "交流发言"}


class MediaKit(BaseModel):
    """Where the media kit was written and what it says in numbers."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    folder: str
    workbook: str
    markdown: str
    counts: dict[str, int]
    releasing_units: int
    commended: int


def commended_units(session: Session, campaign_year: int) -> pd.DataFrame:
    """Return the approved commendations (excellent units, cases, speakers); no contacts; reads."""
    rows = session.exec(
        select(Commendation, Unit.name)
        .join(Participation, col(Participation.id) == col(Commendation.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Commendation.campaign_year == campaign_year)
        .where(Commendation.status == CommendationStatus.APPROVED)
        .order_by(
            col(Commendation.kind),
            col(Commendation.category_key),
            col(Commendation.rank),
            col(Unit.name),
        )
    ).all()
    order = {kind: i for i, kind in enumerate(COMMENDATION_KINDS)}
    rows = sorted(rows, key=lambda r: order.get(r[0].kind, len(order)))  # stable: SQL order kept
    return pd.DataFrame(
        [(name, c.kind, c.category_key, c.title, c.case_title, c.rank) for c, name in rows],
        columns=["unit", "kind", "category_key", "title", "case_title", "rank"],
    )


def unit_profile(
    session: Session, campaign_year: int, statuses: Collection[str] = RELEASING
) -> pd.DataFrame:
    """Return units in `statuses` per industry, district and ownership (most first); reads."""
    rows = session.exec(
        select(Unit.industry, Unit.district, Unit.ownership)
        .join(Participation, col(Participation.unit_id) == col(Unit.id))
        .where(Participation.campaign_year == campaign_year)
        .where(col(Participation.status).in_([S(s) for s in sorted(statuses)]))
    ).all()
    units = pd.DataFrame(rows, columns=[d for d, _ in PROFILE_DIMENSIONS])
    parts = []
    for dimension, word in PROFILE_DIMENSIONS:
        values = units[dimension].astype("str").str.strip().replace("", UNSTATED)
        counts = values.value_counts().rename_axis("value").reset_index(name="units")
        counts = counts.sort_values(["units", "value"], ascending=[False, True])
        counts.insert(0, "dimension", f"{word} {dimension}")
        parts.append(counts)
    return pd.concat(parts, ignore_index=True)[["dimension", "value", "units"]]


def media_frames(session: Session, campaign: CampaignFile) -> dict[str, pd.DataFrame]:
    """Return the media kit's frames by sheet name, public facts only; reads only."""
    counts = season_counts(session, campaign.year)
    commended = commended_units(session, campaign.year)
    commended["kind"] = [f"{KIND_WORDS.get(k, k)} {k}" for k in commended["kind"]]
    return {
        "counts": counts[counts["key"].isin(PUBLIC_COUNTS)].reset_index(drop=True),
        "profile": unit_profile(session, campaign.year),
        "topics": topic_coverage(session, campaign),
        "performance": performance_summary(session, campaign.year, RELEASING),
        "commended": commended[["unit", "kind", "title", "case_title"]],
    }


def media_kit_markdown(campaign: CampaignFile, as_of: date, frames: dict[str, pd.DataFrame]) -> str:
    """Return the media kit's bilingual markdown summary; pure."""
    info = campaign.campaign
    perf = frames["performance"]
    evaluated = int(perf["evaluated"].max()) if len(perf) else 0
    topics = frames["topics"].sort_values("share", ascending=False, kind="stable")
    topics = topics.assign(share=[f"{v:.0%}" for v in topics["share"]])
    lines = [
        f"# 第{info.edition}届{cell_text(info.name)} 媒体资料 · Media kit {campaign.year}",
        "",
        f"主题 Theme: {cell_text(info.theme)}",
        "",
        f"报告年度 Report year: {info.report_year} · 截至 As of {as_of.isoformat()}",
        "",
        "## 本届概况 The season in numbers",
        "",
        *headline_lines(frames["counts"]),
        "",
        "## 发布单位构成 Releasing units by industry, district and ownership",
        "",
        markdown_table(frames["profile"]),
        "",
        "## 报告议题覆盖 Topics the reports cover",
        "",
        markdown_table(topics, ["topic", "kind", "covering", "reports", "share"]),
        "",
        "## 第三方绩效评价 Third-party performance evaluation",
        "",
        f"基于 {evaluated} 家发布单位的绩效评价指标（中位数、均值与预警数）。",
        f"From the performance indicators of {evaluated} releasing units (median, mean, flags).",
        "",
        markdown_table(perf),
        "",
        "## 表彰名单 Commendations",
        "",
        markdown_table(frames["commended"]),
        "",
    ]
    return "\n".join(lines)


@task(name="compile-media-kit", cache_policy=NO_CACHE)
def compile_media_kit(settings: Settings, campaign_year: int, as_of: date) -> MediaKit:
    """Write the media kit (media-kit.xlsx, media-kit.md) into release/<year>/media-kit.

    Side effects: reads the database; writes files inside the workspace (overwritten).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        frames = media_frames(session, campaign)
    folder = settings.inside_workspace("release", str(campaign_year), "media-kit")
    workbook = write_frames(folder / "media-kit.xlsx", list(frames.items()))
    markdown = folder / "media-kit.md"
    markdown.write_text(media_kit_markdown(campaign, as_of, frames), encoding="utf-8")
    counts = {str(r["key"]): int(r["value"]) for r in frames["counts"].to_dict(orient="records")}
    return MediaKit(
        campaign_year=campaign_year,
        as_of=as_of,
        folder=str(folder),
        workbook=str(workbook),
        markdown=str(markdown),
        counts=counts,
        releasing_units=counts["approved"],
        commended=len(frames["commended"]),
    )
