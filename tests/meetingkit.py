"""A small campaign ready for its meeting: candidates in every state, outcomes, commendations.

`seed_meeting` writes, in the caller's session, the Campaign row and units 1-9:
1-4 review_passed (1-3 recommended by A001, 4 by A002 and A001), 5 rejected, 6 in_review,
7 revised (its latest outcome is round 1), 8 withdrawn and 9 submitted (not candidates).
Each decided round also has its ReviewDecision (version 1): 1-5 round 0 and 7's round 0
(revise); 7's round 1 (needs_chair) is not decided.
Commendations proposed: 1 excellent unit, 2 a green-low-carbon case and a speaker, 3 a speaker.
Unit 4's name starts with "=" (a formula, if a writer were careless).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from factories import add_association, add_participation, make_uscc
from sqlmodel import Session, select

from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Commendation
from schemas.review_tables import ReviewDecision, ReviewOutcome
from schemas.screening import ScreenCode
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Submission, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.meeting.decision import CommendationAddition, MeetingChanges, MeetingDecisionInput

S = ParticipationStatus
STATUSES: dict[int, ParticipationStatus] = {
    1: S.REVIEW_PASSED,
    2: S.REVIEW_PASSED,
    3: S.REVIEW_PASSED,
    4: S.REVIEW_PASSED,
    5: S.REJECTED,
    6: S.IN_REVIEW,
    7: S.REVISED,
    8: S.WITHDRAWN,
    9: S.SUBMITTED,
}
PLACES = {
    1: ("浦东新区", "电子信息", "民营"),
    2: ("浦东新区", "金融", "国有"),
    3: ("徐汇区", "电子信息", "外资"),
    4: ("", "电子信息", "民营"),
}
EVIL_NAME = '=HYPERLINK("http://evil.example.com","x")'
COMMENDATIONS = [
    (1, "excellent_unit", "", "优秀社会责任报告发布单位"),
    (2, "case", "green-low-carbon", "绿色低碳优秀案例"),
    (2, "speaker", "", "发布会交流发言单位"),
    (3, "speaker", "", "发布会交流发言单位"),
]


def decided(
    year: int, pid: int, rnd: int, score: float, decision: str, rank: int, version: int = 1
) -> ReviewDecision:
    """The decided version of a round's outcome, as the review's decided step writes it."""
    return ReviewDecision(
        campaign_year=year,
        participation_id=pid,
        round=rnd,
        version=version,
        decision=decision,
        normalised_score=score,
        raw_score=score,
        reviews=3,
        grade="四星级",
        rank=rank,
        decided_on=date(year, 12, 12),
        decided_by="review",
        decided_at=now_utc(),
    )


def problem(code: ScreenCode, zh: str, en: str) -> dict[str, Any]:
    return {"code": code.value, "severity": "warning", "reason_zh": zh, "reason_en": en}


WRONG_YEAR = problem(
    ScreenCode.WRONG_YEAR, "报告似为2022年度（致谢写2022年）", "the report seems to be about 2022"
)
TOPICS_MISSING = problem(
    ScreenCode.TOPICS_MISSING,
    "员工关爱、用工实践、绿色环保、公平运营、客户第一",
    "five core topics",
)


def file_report(session: Session, pid: int, problems: list[dict[str, Any]]) -> None:
    """Add a report PDF version (version 9: the latest) with these pre-screen warnings."""
    session.add(
        Submission(
            campaign_year=2024,
            participation_id=pid,
            kind=SubmissionKind.REPORT_PDF,
            version=9,
            stored_path=f"archive/2024/reports/{pid}-9.pdf",
            sha256=f"{pid:064x}",
            size=10,
            received_on=date(2024, 11, 28),
            received_at=datetime(2024, 11, 28, 2, tzinfo=UTC),
            # A report missing topics covers 4 of the 9 core topics (the pass mark is 5).
            screening={
                "problems": problems,
                "topics": [],
                "core_topics_covered": 4 if TOPICS_MISSING in problems else 9,
            },
        )
    )
    session.flush()


def uscc(n: int) -> str:
    """The USCC of unit n."""
    return make_uscc(n)


def seed_meeting(session: Session, campaign: Any) -> dict[int, int]:
    """Write the meeting's candidates, outcomes and commendations; return participation ids."""
    ensure_campaign(session, campaign, now_utc())
    a1, a2 = add_association(session, "A001"), add_association(session, "A002")
    ids = {
        n: add_participation(session, n, [a2, a1] if n == 4 else [a1], status)
        for n, status in STATUSES.items()
    }
    for n, (district, industry, ownership) in PLACES.items():
        unit = session.exec(select(Unit).where(Unit.uscc == make_uscc(n))).one()
        unit.district, unit.industry, unit.ownership = district, industry, ownership
        if n == 4:
            unit.name = EVIL_NAME
    outcomes = [(1, 0, 91.0, "pass", 1), (2, 0, 88.5, "pass", 2), (3, 0, 80.0, "pass", 3)]
    outcomes += [(4, 0, 75.0, "pass", 4), (5, 0, 41.0, "reject", 6)]
    outcomes += [(7, 0, 55.0, "revise", 5), (7, 1, 62.0, "needs_chair", 5)]
    for n, rnd, score, recommendation, rank in outcomes:
        session.add(
            ReviewOutcome(
                campaign_year=campaign.year,
                participation_id=ids[n],
                round=rnd,
                normalised_score=score,
                raw_score=score,
                reviews=3,
                spread=4.0,
                grade="四星级",
                recommendation=recommendation,
                rank=rank,
                decided_on=date(campaign.year, 12, 12),
            )
        )
        if recommendation in {"pass", "revise", "reject"}:
            session.add(decided(campaign.year, ids[n], rnd, score, recommendation, rank))
    for rank, (n, kind, category, title) in enumerate(COMMENDATIONS, start=1):
        session.add(
            Commendation(
                campaign_year=campaign.year,
                participation_id=ids[n],
                kind=kind,
                category_key=category,
                title=title,
                case_title="光伏屋顶" if kind == "case" else "",
                speaker_name="张发言" if kind == "speaker" else "",
                rank=rank,
                reasons=["score in the top of its category"],
                proposed_on=date(campaign.year, 12, 16),
            )
        )
    session.flush()
    return ids


def statuses(session: Session) -> dict[str, ParticipationStatus]:
    """Every participation's status by USCC."""
    return {
        u: ParticipationStatus(p.status)
        for p, u in session.exec(
            select(Participation, Unit.uscc).where(Participation.unit_id == Unit.id)
        ).all()
    }


def commendation_statuses(session: Session) -> dict[tuple[str, str, str], str]:
    """Every commendation's status by (USCC, kind, category)."""
    return {
        (u, c.kind, c.category_key): c.status
        for c, u in session.exec(
            select(Commendation, Unit.uscc)
            .where(Commendation.participation_id == Participation.id)
            .where(Participation.unit_id == Unit.id)
        ).all()
    }


CHANGES = MeetingChanges(
    remove_from_release={uscc(2): "报告数据与年报不符"},
    add_to_release={uscc(5): "复核后同意发布"},
    remove_from_commendation={uscc(3): "发言名额调整"},
    add_to_commendation=[
        CommendationAddition(
            uscc=uscc(5), kind="case", category_key="community", reason="社区案例突出"
        )
    ],
    overrides={uscc(5): ["below-pass"]},
)  # removes 2, adds 5 (below the pass score: overridden; and makes it a community case),
# takes 3's speaker place


def decision(changes: MeetingChanges = CHANGES) -> MeetingDecisionInput:
    """The meeting of 23 December 2024 giving these changes, entered from the shell."""
    return MeetingDecisionInput(
        changes=changes,
        meeting_date=date(2024, 12, 23),
        decided_by="王主任",
        notes="纪要",
        source="cli",
    )
