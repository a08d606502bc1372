"""Propose the commendations (总结和经验推广表彰) and show them to the operators.

`propose_commendations` reads the units whose report passed the review (tasks/commend/load.py),
ranks them and selects excellent units, cases and speakers (tasks/commend/rank.py,
tasks/commend/select.py), and replaces the campaign's `proposed` Commendation rows with the new
proposal; rows the meeting already approved or removed are never touched, and once a meeting
decision exists nothing changes at all. It writes `commendation-candidates.xlsx` for the
meeting. `publish_commendations` shows the proposal as artifacts. It does not move any
participation's status and sends no mail (the meeting does both).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.release_tables import Commendation
from schemas.settings import Settings
from tasks.commend.load import load_candidates
from tasks.commend.rank import Ranked, rank_candidates
from tasks.commend.select import CommendationKind, Selection, select_commendations
from tasks.commend.workbook import write_candidates_workbook
from tasks.common.meeting_decisions import latest_decision
from tasks.common.rejection_reports import publish_table
from tasks.store import campaign_session

PROPOSED = "proposed"
WORKBOOK = "commendation-candidates.xlsx"

Row = dict[str, str | int | float]


class CommendSummary(BaseModel):
    """What one proposal did: candidates, selections per kind and category, rows changed."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    meeting_decided: bool = False
    candidates: int = 0
    without_outcome: int = 0
    without_performance: int = 0
    without_topics: int = 0
    by_kind: dict[str, int] = {}
    categories: list[Row] = []  # key, name, quota, filled
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    kept: int = 0  # selections already decided by the meeting, left as they are
    report: str = ""
    selections: list[Row] = []


class SaveCounts(BaseModel):
    """How the stored proposal changed."""

    model_config = ConfigDict(frozen=True)

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    kept: int = 0


def save_proposal(
    session: Session, campaign_year: int, selections: Sequence[Selection], as_of: date
) -> SaveCounts:
    """Make the campaign's `proposed` rows equal the selections; decided rows stay as they are.

    A proposed row whose title, case title, rank and reasons are unchanged keeps its id and its
    `proposed_on`; a proposed row no longer selected is deleted. Writes in the caller's session.
    """
    rows = session.exec(
        select(Commendation).where(Commendation.campaign_year == campaign_year)
    ).all()
    stored = {(r.participation_id, r.kind, r.category_key): r for r in rows}
    wanted: set[tuple[int, str, str]] = set()
    counts: Counter[str] = Counter()
    for s in selections:
        key = (s.participation_id, s.kind.value, s.category_key)
        wanted.add(key)
        row = stored.get(key)
        values: dict[str, Any] = {
            "title": s.title,
            "case_title": s.case_title,
            "rank": s.rank,
            "reasons": list(s.reasons),
        }
        if row is None:
            session.add(
                Commendation(
                    campaign_year=campaign_year,
                    participation_id=s.participation_id,
                    kind=s.kind.value,
                    category_key=s.category_key,
                    proposed_on=as_of,
                    status=PROPOSED,
                    **values,
                )
            )
            counts["inserted"] += 1
        elif row.status != PROPOSED:
            counts["kept"] += 1
        elif all(getattr(row, k) == v for k, v in values.items()):
            counts["unchanged"] += 1
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.proposed_on = as_of
            counts["updated"] += 1
    for key, row in stored.items():
        if row.status == PROPOSED and key not in wanted:
            session.delete(row)
            counts["deleted"] += 1
    session.flush()
    return SaveCounts(**counts)


def _summary_rows(ranked: Sequence[Ranked], selections: Sequence[Selection]) -> list[Row]:
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


def _category_rows(campaign: CampaignFile, selections: Sequence[Selection]) -> list[Row]:
    filled = Counter(s.category_key for s in selections if s.kind == CommendationKind.CASE)
    return [
        {"key": c.key, "name": c.name, "quota": c.quota, "filled": filled[c.key]}
        for c in campaign.commendation.categories
    ]


@task(name="propose-commendations", cache_policy=NO_CACHE)
def propose_commendations(
    settings: Settings, campaign_year: int, as_of: date, report_dir: str
) -> CommendSummary:
    """Rank the review_passed units, select commendations, store them as the proposal.

    Side effects: inserts, updates and deletes `proposed` Commendation rows of the campaign in
    one transaction (never approved or removed ones; nothing at all once a MeetingDecision
    exists); writes `commendation-candidates.xlsx` into `report_dir` inside the workspace.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        if latest_decision(session, campaign_year) is not None:
            return CommendSummary(campaign_year=campaign_year, as_of=as_of, meeting_decided=True)
        pool = load_candidates(session, campaign_year)
        selections = select_commendations(pool.candidates, campaign.commendation)
        counts = save_proposal(session, campaign_year, selections, as_of)
    ranked = rank_candidates(pool.candidates, campaign.commendation.performance_points)
    report = write_candidates_workbook(
        settings.inside_workspace(report_dir, WORKBOOK), ranked, selections
    )
    return CommendSummary(
        campaign_year=campaign_year,
        as_of=as_of,
        candidates=len(pool.candidates),
        without_outcome=len(pool.without_outcome),
        without_performance=sum(c.performance is None for c in pool.candidates),
        without_topics=sum(not c.topics for c in pool.candidates),
        by_kind=dict(Counter(s.kind.value for s in selections)),
        categories=_category_rows(campaign, selections),
        report=str(report.relative_to(settings.workspace)),
        selections=_summary_rows(ranked, selections),
        **counts.model_dump(),
    )


@task(name="publish-commendations", cache_policy=NO_CACHE)
def publish_commendations(summary: CommendSummary) -> None:
    """Publish the proposal as a table artifact and its counts as a markdown artifact."""
    if summary.meeting_decided:
        create_markdown_artifact(
            key="commendation-summary",
            markdown=(
                f"**Commendations {summary.campaign_year}**: the meeting has decided; "
                "the proposal was left unchanged (会议已决定，表彰建议名单未作更改)."
            ),
        )
        return
    if summary.selections:
        publish_table(
            "commendation-proposal",
            summary.selections,
            f"Proposed commendations ({len(summary.selections)}); reasons in `{summary.report}`",
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
        f"- rows: {summary.inserted} new, {summary.updated} changed, {summary.deleted} "
        f"withdrawn, {summary.unchanged} unchanged, {summary.kept} decided by the meeting",
        f"- workbook: `{summary.report}`",
        "",
        "| category | quota | filled |",
        "|---|---|---|",
        *[
            f"| {c['name']} ({c['key']}) | {c['quota']} | {c['filled']} |"
            for c in summary.categories
        ],
    ]
    create_markdown_artifact(key="commendation-summary", markdown="\n".join(lines))
