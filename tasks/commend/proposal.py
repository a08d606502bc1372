"""Propose the commendations (总结和经验推广表彰) and show them to the operators.

`propose_commendations` (the task) reads the units whose report passed the review and carries
no flag (tasks/commend/load.py: flagged units are skipped and listed with why), ranks them and
selects excellent units, cases and speakers (tasks/commend/rank.py, tasks/commend/select.py),
saves the selection as the campaign's
`proposed` Commendation rows (tasks/commend/save.py: rows the meeting already approved or
removed are never touched, and once a meeting decision exists nothing changes at all), writes
`commendation-candidates.xlsx` for the meeting and publishes the proposal as the
`commendation-proposal` table and the `commendation-summary` markdown artifact. It returns counts
and the workbook's path, never the rows. It does not move any participation's status and sends
no mail (the meeting does both).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.settings import Settings
from tasks.commend.load import SkippedUnit, load_candidates
from tasks.commend.rank import Ranked, rank_candidates
from tasks.commend.save import save_proposal
from tasks.commend.select import CommendationKind, Selection, capped, select_commendations
from tasks.commend.workbook import write_candidates_workbook
from tasks.common.markdown import markdown_text
from tasks.common.meeting_decisions import latest_decision
from tasks.common.rejection_reports import publish_table
from tasks.store import campaign_session

WORKBOOK = "commendation-candidates.xlsx"
TABLE_ARTIFACT = "commendation-proposal"
SUMMARY_ARTIFACT = "commendation-summary"

Row = dict[str, str | int | float]


class CommendSummary(BaseModel):
    """What one proposal did: candidates, selections per kind and category, rows changed."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    meeting_decided: bool = False
    candidates: int = 0
    without_outcome: int = 0
    flagged: int = 0  # passed but flagged: skipped, listed with why (the meeting may override)
    without_performance: int = 0
    without_topics: int = 0
    by_kind: dict[str, int] = {}
    cases_by_category: dict[str, int] = {}  # every category of the campaign file, in its order
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    kept: int = 0  # selections already decided by the meeting, left as they are
    report: str = ""


class CategoryFill(NamedTuple):
    """One case category of the campaign file: its quota and how many cases were proposed."""

    key: str
    name: str
    quota: int
    filled: int


class Proposal(NamedTuple):
    """A saved proposal: the run's summary and what its artifacts show."""

    summary: CommendSummary
    table: list[Row]  # one row per selection: the `commendation-proposal` artifact
    categories: list[CategoryFill]
    skipped: tuple[SkippedUnit, ...] = ()  # passed but flagged: not proposed, and why


def proposal_table(ranked: Sequence[Ranked], selections: Sequence[Selection]) -> list[Row]:
    """Return one artifact row per selection (kind, category, place, unit, ranks). Pure."""
    by_pid = {r.candidate.participation_id: r for r in ranked}
    return [
        {
            "kind": s.kind.value,
            "category": s.category_key,
            "place": s.rank,
            "unit": by_pid[s.participation_id].candidate.unit_name,
            "title": s.title,
            "case_title": s.case_title,
            "overall_rank": by_pid[s.participation_id].rank,
            "composite": round(by_pid[s.participation_id].composite, 2),
        }
        for s in selections
    ]


def category_fills(
    campaign: CampaignFile, selections: Sequence[Selection], candidates: int
) -> list[CategoryFill]:
    """Return each case category of the campaign file with its quota (capped at the file's
    max_share of the `candidates`, as the selection applied it) and cases proposed. Pure."""
    filled = Counter(s.category_key for s in selections if s.kind == CommendationKind.CASE)
    share = campaign.commendation.max_share
    return [
        CategoryFill(c.key, c.name, capped(c.quota, share, candidates), filled[c.key])
        for c in campaign.commendation.categories
    ]


def make_proposal(settings: Settings, campaign_year: int, as_of: date, report_dir: str) -> Proposal:
    """Rank, select and save the proposal and write its workbook; return it for the artifacts.

    Side effects: inserts, updates and deletes `proposed` Commendation rows of the campaign in
    one transaction (never approved or removed ones; nothing at all once a MeetingDecision
    exists); writes `commendation-candidates.xlsx` into `report_dir` inside the workspace.
    Publishes nothing (the task does).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        if latest_decision(session, campaign_year) is not None:
            decided = CommendSummary(campaign_year=campaign_year, as_of=as_of, meeting_decided=True)
            return Proposal(decided, [], [])
        pool = load_candidates(session, campaign)
        selections = select_commendations(pool.candidates, campaign.commendation)
        counts = save_proposal(session, campaign_year, selections, as_of)
    ranked = rank_candidates(pool.candidates, campaign.commendation.performance_points)
    report = write_candidates_workbook(
        settings.inside_workspace(report_dir, WORKBOOK), ranked, selections, pool.skipped
    )
    categories = category_fills(campaign, selections, len(pool.candidates))
    summary = CommendSummary(
        campaign_year=campaign_year,
        as_of=as_of,
        candidates=len(pool.candidates),
        without_outcome=len(pool.without_outcome),
        flagged=len(pool.skipped),
        without_performance=sum(c.performance is None for c in pool.candidates),
        without_topics=sum(not c.topics for c in pool.candidates),
        by_kind=dict(Counter(s.kind.value for s in selections)),
        cases_by_category={c.key: c.filled for c in categories},
        report=str(report.relative_to(settings.workspace)),
        **counts.model_dump(),
    )
    return Proposal(summary, proposal_table(ranked, selections), categories, tuple(pool.skipped))


def skipped_markdown(skipped: Sequence[SkippedUnit], limit: int = 50) -> list[str]:
    """Return the lines listing the flagged units not proposed, with why (at most `limit`)."""
    if not skipped:
        return []
    lines = ["", "### 有标记未入选 Flagged, not proposed (the meeting may override)", ""]
    lines += [
        f"- {markdown_text(u.unit_name)}（{u.uscc}）：{markdown_text('；'.join(u.reasons))}"
        for u in skipped[:limit]
    ]
    if len(skipped) > limit:
        lines.append(
            f"- … 另有{len(skipped) - limit}家 ({len(skipped) - limit} more in the workbook)"
        )
    return lines


def proposal_markdown(
    summary: CommendSummary,
    categories: Sequence[CategoryFill],
    skipped: Sequence[SkippedUnit] = (),
) -> str:
    """Return the `commendation-summary` page: counts, rows changed, quotas filled. Pure."""
    if summary.meeting_decided:
        return (
            f"**Commendations {summary.campaign_year}**: the meeting has decided; "
            "the proposal was left unchanged (会议已决定，表彰建议名单未作更改)."
        )
    lines = [
        f"## 表彰建议 Commendation proposal {summary.campaign_year} ({summary.as_of})",
        "",
        f"- candidates (review passed): {summary.candidates}",
        f"- excellent units: {summary.by_kind.get(CommendationKind.EXCELLENT_UNIT.value, 0)}",
        f"- cases: {summary.by_kind.get(CommendationKind.CASE.value, 0)}",
        f"- speakers: {summary.by_kind.get(CommendationKind.SPEAKER.value, 0)}",
        f"- without performance evaluation (no bonus): {summary.without_performance}",
        f"- without covered topics (cannot be a case): {summary.without_topics}",
        f"- passed but no review outcome (not ranked): {summary.without_outcome}",
        f"- 有标记未入选 flagged, not proposed (listed in the workbook with why; only the "
        f"meeting may override): {summary.flagged}",
        f"- rows: {summary.inserted} new, {summary.updated} changed, {summary.deleted} "
        f"withdrawn, {summary.unchanged} unchanged, {summary.kept} decided by the meeting",
        f"- workbook: `{summary.report}`",
        "",
        "| category | quota | filled |",
        "|---|---|---|",
        *[f"| {c.name} ({c.key}) | {c.quota} | {c.filled} |" for c in categories],
        *skipped_markdown(skipped),
    ]
    return "\n".join(lines)


def publish_proposal(proposal: Proposal) -> None:
    """Publish the proposal as a table artifact and its counts as a markdown artifact.

    Side effects: one or two Prefect artifacts (inside a flow or task run).
    """
    summary = proposal.summary
    if proposal.table:
        publish_table(
            TABLE_ARTIFACT,
            proposal.table,
            f"Proposed commendations ({len(proposal.table)}); reasons in `{summary.report}`",
        )
    create_markdown_artifact(
        key=SUMMARY_ARTIFACT,
        markdown=proposal_markdown(summary, proposal.categories, proposal.skipped),
    )


@task(name="propose-commendations", cache_policy=NO_CACHE)
def propose_commendations(
    settings: Settings, campaign_year: int, as_of: date, report_dir: str
) -> CommendSummary:
    """Rank the review_passed units, select commendations, store and publish the proposal.

    Side effects: the `proposed` Commendation rows and the workbook (make_proposal), then the
    `commendation-proposal` table and `commendation-summary` markdown artifacts. Returns counts.
    """
    proposal = make_proposal(settings, campaign_year, as_of, report_dir)
    publish_proposal(proposal)
    return proposal.summary
