"""Commended cases with stored report pages, for the case excerpt tests.

`seed_cases` adds, on the real 2024 campaign file, units 1-4 (approved) with one report PDF
version each whose pages are stored as the screening stores them (report_page), a pre-screen
naming its green-topic passages, and commendations: unit 1 a green case, unit 2 a green case
and an employee-care case, unit 3 a green case the meeting removed, unit 4 an excellent unit
(not a case). Page 2 of every report holds GREEN, page 3 CARE.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from factories import add_association, add_participation
from sqlmodel import Session

from schemas.campaign_file import CampaignFile
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Commendation
from schemas.search_tables import ReportPage, searchable_text
from schemas.tables import Submission
from tasks.common.campaigns import ensure_campaign

NOW = datetime(2024, 12, 28, 2, 0, tzinfo=UTC)
GREEN = "第二章 绿色发展\n公司全年完成光伏装\n机容量12兆瓦，减少碳排放约9,800吨。"
CARE = "员工关爱：设立“暖心驿站”\n，全年组织员工体检 3,200 人次。"
GREEN_EXCERPT = "公司全年完成光伏装机容量12兆瓦"
CARE_EXCERPT = "设立“暖心驿站”，全年组织员工体检"


def screening() -> dict[str, Any]:
    """Return a stored pre-screen whose green topic found two passages on page 2."""
    evidence = [
        {"page": 2, "text": "公司全年完成光伏装机容量12兆瓦，"},
        {"page": 2, "text": "公司全年完成光伏装机容量12兆瓦，减少碳排放约9,800吨。"},
    ]
    return {
        "file": "report.pdf",
        "size": 100,
        "topics": [
            {
                "key": "green",
                "name": "绿色发展与双碳",
                "kind": "core",
                "hits": 5,
                "pages": [2],
                "covered": True,
                "evidence": evidence,
            }
        ],
        "problems": [],
        "core_topics_covered": 9,
    }


def add_report_version(session: Session, pid: int, version: int, pages: list[str]) -> int:
    """Add a report PDF version of a participation with its pages stored; return its id."""
    sub = Submission(
        campaign_year=2024,
        participation_id=pid,
        kind=SubmissionKind.REPORT_PDF,
        version=version,
        stored_path=f"archive/2024/report/{pid}-{version}.pdf",
        sha256=f"{pid:032x}{version:032x}",
        size=100,
        received_on=date(2024, 11, 20),
        received_at=NOW,
        screening=screening(),
    )
    session.add(sub)
    session.flush()
    assert sub.id is not None
    session.add_all(
        ReportPage(submission_id=sub.id, page=n, text=searchable_text(t))
        for n, t in enumerate(pages, start=1)
        if t
    )
    session.flush()
    return sub.id


def _commend(session: Session, pid: int, kind: str, key: str, status: CommendationStatus) -> None:
    titles = {"green-low-carbon": "绿色低碳优秀案例", "employee-care": "员工关爱优秀案例"}
    session.add(
        Commendation(
            campaign_year=2024,
            participation_id=pid,
            kind=kind,
            category_key=key,
            title=titles.get(key, "优秀社会责任报告发布单位"),
            rank=1,
            proposed_on=date(2024, 12, 16),
            status=status,
        )
    )


def seed_cases(session: Session, campaign: CampaignFile) -> dict[int, int]:
    """Add the units, reports and commendations above; return unit number -> participation."""
    ensure_campaign(session, campaign, NOW)
    association = add_association(session, "A001")
    ids = {}
    for n in (1, 2, 3, 4):
        ids[n] = add_participation(session, n, [association], ParticipationStatus.APPROVED)
        add_report_version(session, ids[n], 1, ["封面", GREEN, CARE])
    approved, removed = CommendationStatus.APPROVED, CommendationStatus.REMOVED
    _commend(session, ids[1], "case", "green-low-carbon", approved)
    _commend(session, ids[2], "case", "green-low-carbon", approved)
    _commend(session, ids[2], "case", "employee-care", approved)
    _commend(session, ids[3], "case", "green-low-carbon", removed)
    _commend(session, ids[4], "excellent_unit", "", approved)
    session.flush()
    return ids
