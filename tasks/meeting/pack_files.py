"""Writing the meeting pack out: `meeting-pack.xlsx`, a markdown page, the Prefect artifacts.

`pack_workbook_sheets`, `pack_markdown` and `pack_digest` are pure renderings (every unit of the
campaign once: the proposed list, then every other unit with its reason and flags);
`write_pack_workbook` writes the xlsx (every text from inputs a text cell, never a formula);
`write_meeting_pack` reads the pack, writes both files into the run's report folder and keeps
the pack's snapshot under its fingerprint (tasks/meeting/pack_snapshots.py).
`build_meeting_pack` (task) does that and shows the markdown as the `meeting-pack` artifact.
Reads the database only; never writes to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from prefect import get_client, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from prefect.settings import PREFECT_UI_URL
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.settings import Settings
from tasks.common.spreadsheets import write_sheets
from tasks.common.standings import STATUS_WORDS
from tasks.meeting.pack import KIND_WORDS, MeetingPack, PackCommendation, PackUnit
from tasks.meeting.pack_digest import ARTIFACT_KEY, pack_digest
from tasks.meeting.pack_load import load_meeting_pack
from tasks.meeting.pack_snapshots import save_snapshot
from tasks.store import campaign_session

WORKBOOK = "meeting-pack.xlsx"
MARKDOWN = "meeting-pack.md"
STAT_WORDS = {
    "association": "推荐协会",
    "industry": "行业",
    "district": "区",
    "ownership": "所有制",
}
Sheet = tuple[str, list[str], list[list[Any]]]
SHEETS = ("拟发布名单", "拟表彰名单", "交流发言", "统计", "未列入名单", "暂缓表彰")
RELEASE, COMMENDED, SPEAKERS, STATISTICS, NOT_PROPOSED, WITHHELD = SHEETS
REVIEW_WORDS = {"pass": "通过", "revise": "修改后重审", "reject": "不通过", "": "未评审完成"}

UNIT_HEADERS = ["统一社会信用代码 USCC", "单位名称 name", "推荐协会 associations"]
NOT_PROPOSED_HEADERS = [
    *UNIT_HEADERS,
    "状态 status",
    "评审得分 score",
    "等级 grade",
    "评审结论 review",
    "未列入原因 why not proposed",
    "标记 flags",
    "会议可增列 may be added",
]
COMMENDATION_HEADERS = [
    "类型 kind",
    "类别 category",
    "称号 title",
    "统一社会信用代码 USCC",
    "单位名称 name",
    "案例 case",
    "发言人 speaker",
    "排名 rank",
    "理由 reasons",
]


class PackSummary(BaseModel):
    """The pack as the flow passes it on: counts, where the files are, its fingerprint."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    built_on: date
    fingerprint: str
    release: int
    others: int  # every other unit of the campaign (not proposed, each with its reason)
    addable: int  # of those, the candidates the meeting may add with a reason
    flagged: int  # units with a flag (never proposed without the meeting's explicit word)
    commendations: int
    speakers: int
    workbook: str  # relative to the workspace
    markdown_file: str  # the full page (also the `meeting-pack` artifact), relative too
    digest: str  # the short page shown above the decision form


class WrittenPack(NamedTuple):
    """A pack written to the report folder: its summary and its full markdown page."""

    summary: PackSummary
    markdown: str


def _score(u: PackUnit) -> float | str:
    return round(u.score, 2) if u.score is not None else ""


def _unit_cells(u: PackUnit) -> list[Any]:
    associations = ", ".join(u.associations)
    return [u.uscc, u.name, associations, u.industry, u.district, u.ownership, _score(u), u.grade]


def _commendation_row(c: PackCommendation) -> list[Any]:
    return [
        KIND_WORDS.get(c.kind, c.kind),
        c.category_name,
        c.title,
        c.uscc,
        c.unit_name,
        c.case_title,
        c.speaker_name,
        c.rank,
        "；".join(c.reasons),
    ]


def list_places(units: Sequence[PackUnit]) -> list[str]:
    """Return each unit's place by review rank within this list as "k/N" (N: the units of the
    list with a decided rank; "" for a unit without one), so a place never reads 1/27 on a
    list of 29. Pure."""
    ranked = sorted((u.rank, u.uscc) for u in units if u.rank is not None)
    place = {uscc: i for i, (_, uscc) in enumerate(ranked, 1)}
    return [f"{place[u.uscc]}/{len(ranked)}" if u.uscc in place else "" for u in units]


def pack_workbook_sheets(pack: MeetingPack) -> list[Sheet]:
    """Return the pack's sheets as (title, headers, rows). Pure."""
    release = [
        [i, *_unit_cells(u), place]
        for i, (u, place) in enumerate(zip(pack.release, list_places(pack.release), strict=True), 1)
    ]
    extra = ["行业 industry", "区 district", "所有制 ownership", "评审得分 score", "等级 grade"]
    stats = [
        [f"{STAT_WORDS[dim]} {dim}", group, n]
        for dim, groups in pack.statistics.items()
        for group, n in groups.items()
    ]
    others = [
        [
            *_unit_cells(u)[:3],
            STATUS_WORDS.get(u.status, u.status.value),
            _score(u),
            u.grade,
            REVIEW_WORDS.get(u.recommendation, u.recommendation),
            u.why_not_proposed,
            "；".join(f.zh for f in u.flags),
            "可增列" if u.addable else "否",
        ]
        for u in pack.others
    ]
    return [
        (RELEASE, ["序号 no.", *UNIT_HEADERS, *extra, "名单内评审名次 rank in list"], release),
        (COMMENDED, COMMENDATION_HEADERS, [_commendation_row(c) for c in pack.commendations]),
        (SPEAKERS, COMMENDATION_HEADERS, [_commendation_row(c) for c in pack.speakers]),
        (STATISTICS, ["维度 dimension", "分组 group", "发布单位数 units"], stats),
        (NOT_PROPOSED, NOT_PROPOSED_HEADERS, others),
        (WITHHELD, COMMENDATION_HEADERS, [_commendation_row(c) for c in pack.withheld]),
    ]


def write_pack_workbook(path: Path, pack: MeetingPack) -> Path:
    """Write the pack's sheets to one xlsx; every string is a text cell. Returns path."""
    return write_sheets(path, pack_workbook_sheets(pack))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")


def md(value: object) -> str:
    """Return text safe inside a markdown table cell (specials escaped, one line). Pure."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], limit: int | None) -> str:
    if not rows:
        return "_(none)_\n"
    shown = rows if limit is None else rows[:limit]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(v) for v in row) + " |" for row in shown]
    if len(rows) > len(shown):
        lines.append(f"\n… {len(rows) - len(shown)} more rows in the pack (artifact / xlsx)")
    return "\n".join(lines) + "\n"


def _sections(pack: MeetingPack, limit: int | None) -> list[str]:
    sheets = {title: (headers, rows) for title, headers, rows in pack_workbook_sheets(pack)}
    heads = {
        RELEASE: f"## 拟发布名单 Proposed release list ({len(pack.release)})",
        COMMENDED: f"## 拟表彰名单 Proposed commendations ({len(pack.commendations)})",
        SPEAKERS: f"## 交流发言 Speakers ({len(pack.speakers)})",
        STATISTICS: "## 统计 Statistics of the proposed release list",
        NOT_PROPOSED: f"## 未列入拟发布名单的单位及原因 Units not proposed ({len(pack.others)})",
        WITHHELD: f"## 暂缓的拟表彰 Commendations withheld ({len(pack.withheld)}): the unit "
        "is not on the proposed list; removed unless the meeting adds it again",
    }
    return [f"{heads[t]}\n\n" + table(*sheets[t], limit) for t in SHEETS]


def _categories(pack: MeetingPack) -> str:
    keys = ", ".join(f"`{k}` {md(v)}" for k, v in pack.categories.items()) or "(none)"
    return f"Case categories (category key for added cases): {keys}\n"


def pack_markdown(pack: MeetingPack) -> str:
    """Return the whole pack as a markdown page (the artifact and meeting-pack.md). Pure."""
    head = (
        f"# 指导单位工作会议材料 Meeting pack {pack.campaign_year} (built {pack.built_on})\n\n"
        f"Every participating unit is listed once: **{len(pack.release)}** proposed, "
        f"**{len(pack.others)}** not proposed with the reason.\n"
    )
    return "\n".join([head, *_sections(pack, None), _categories(pack)])


def _addable(pack: MeetingPack) -> int:
    return sum(u.addable for u in pack.others)


def _flagged(pack: MeetingPack) -> int:
    return sum(bool(u.flags) for u in pack.units)


def write_meeting_pack(
    settings: Settings,
    campaign_year: int,
    built_on: date,
    report_dir: str,
    artifact_url: str = "",
) -> WrittenPack:
    """Read the meeting pack and write meeting-pack.xlsx and meeting-pack.md into report_dir.

    Side effects: two files inside the workspace and the pack's snapshot under its fingerprint
    (once); reads the database only; publishes nothing.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        pack = load_meeting_pack(session, campaign, built_on)
    workbook = write_pack_workbook(settings.inside_workspace(report_dir, WORKBOOK), pack)
    markdown = pack_markdown(pack)
    page = settings.inside_workspace(report_dir, MARKDOWN)
    page.write_text(markdown, encoding="utf-8")
    relative = str(workbook.relative_to(settings.workspace))
    summary = PackSummary(
        campaign_year=campaign_year,
        built_on=built_on,
        fingerprint=save_snapshot(settings, pack),
        release=len(pack.release),
        others=len(pack.others),
        addable=_addable(pack),
        flagged=_flagged(pack),
        commendations=len(pack.commendations),
        speakers=len(pack.speakers),
        workbook=relative,
        markdown_file=str(page.relative_to(settings.workspace)),
        digest=pack_digest(pack, relative, artifact_url),
    )
    return WrittenPack(summary, markdown)


@task(name="build-meeting-pack", cache_policy=NO_CACHE)
def build_meeting_pack(
    settings: Settings, campaign_year: int, built_on: date, report_dir: str
) -> PackSummary:
    """Write the meeting pack's two files into report_dir and publish it as `meeting-pack`.

    Side effects: meeting-pack.xlsx and meeting-pack.md inside the workspace, one markdown
    artifact; reads the database only.
    """
    written = write_meeting_pack(settings, campaign_year, built_on, report_dir, pack_artifact_url())
    label = f"Meeting pack {campaign_year} ({written.summary.fingerprint[:12]})"
    if not already_published(label):
        create_markdown_artifact(
            key=ARTIFACT_KEY,
            markdown=written.markdown,
            description=f"{label}; xlsx: {written.summary.workbook}",
        )
    return written.summary


def pack_artifact_url() -> str:
    """Return the UI page of the `meeting-pack` artifact ("" without a UI). Reads settings."""
    ui = PREFECT_UI_URL.value()
    return f"{ui.rstrip('/')}/artifacts/key/{ARTIFACT_KEY}" if ui else ""


def already_published(label: str) -> bool:
    """Return whether the newest `meeting-pack` artifact is this pack (a restart rebuilt it).

    Reads the Prefect API. A pack is published once; a changed pack gets a new version.
    """
    newest = ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY]))
    with get_client(sync_client=True) as client:
        latest = client.read_artifacts(
            limit=1, sort=ArtifactSort.CREATED_DESC, artifact_filter=newest
        )
    return bool(latest) and (latest[0].description or "").startswith(label)
