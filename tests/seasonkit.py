"""A small finished season in the database, for the season statistics and media kit tests.

Eight units recommended by A001 and A002 (A003's only recommendation is held), in different
statuses with audit rows, filings on time and late, screened reports, review outcomes over two
rounds, performance evaluations, commendations, a certificate and outbox mail. The figures the
tests expect are worked out by hand in tests/tasks/release/statistics/test_load.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from factories import add_association, add_participation
from outboxkit import body_row
from sqlmodel import Session

from schemas.enums import OutboxStatus, SubmissionKind
from schemas.enums import ParticipationStatus as S
from schemas.outbox_table import OutboxMessage
from schemas.release_tables import Certificate, Commendation
from schemas.review_tables import PerformanceEvaluation, ReviewDecision, ReviewOutcome
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Recommendation, StageTransition, Submission, Unit
from tasks.common.campaigns import ensure_campaign

AT = datetime(2024, 12, 1, 2, 0, tzinfo=UTC)
ERROR = {"problems": [{"code": "pdf-encrypted", "severity": "error"}]}


def screened(*covered: str) -> dict[str, Any]:
    """Return a clean screening whose topics list marks `covered` (and environment) as shown.

    The screen's count of core topics found says enough of them for release (7 of 9): these
    units' reports are not flagged for the meeting.
    """
    keys = dict.fromkeys(["governance", "environment", "green", *covered])
    return {
        "problems": [],
        "core_topics_covered": 7,
        "topics": [{"key": k, "covered": k in covered, "hits": 3} for k in keys],
    }


def _move(session: Session, pid: int, *moves: tuple[S, S]) -> None:
    for before, after in moves:
        session.add(
            StageTransition(
                campaign_year=2024,
                participation_id=pid,
                from_status=before,
                to_status=after,
                actor="test",
                at=AT,
            )
        )


def _file(
    session: Session,
    pid: int,
    kind: SubmissionKind,
    received: date,
    *,
    late: bool = False,
    version: int = 1,
    screening: dict[str, Any] | None = None,
) -> None:
    session.add(
        Submission(
            campaign_year=2024,
            participation_id=pid,
            kind=kind,
            version=version,
            stored_path=f"archive/2024/{kind.value}/{pid}-{version}",
            sha256=f"{pid:032x}{version:032x}",
            size=100,
            received_on=received,
            received_at=AT,
            late=late,
            screening=screening,
        )
    )


def _outcome(session: Session, pid: int, score: float, grade: str, round_: int = 0) -> None:
    """Add a round's live outcome and its decided version (the same figures, as decided)."""
    session.add(decision(pid, score, grade, round_))
    session.add(
        ReviewOutcome(
            campaign_year=2024,
            participation_id=pid,
            round=round_,
            normalised_score=score,
            raw_score=score,
            reviews=3,
            spread=5.0,
            grade=grade,
            recommendation="pass",
            decided_on=date(2024, 12, 13),
        )
    )


def decision(
    pid: int, score: float, grade: str, round_: int = 0, version: int = 1
) -> ReviewDecision:
    """Return the decided version of a round's outcome, as the review records it."""
    return ReviewDecision(
        campaign_year=2024,
        participation_id=pid,
        round=round_,
        version=version,
        decision="pass" if score >= 60 else "revise",
        normalised_score=score,
        raw_score=score,
        reviews=3,
        grade=grade,
        decided_on=date(2024, 12, 13),
        decided_by="评审组",
        decided_at=AT,
    )


def _evaluation(session: Session, pid: int, indicators: dict[str, Any], flags: list[str]) -> None:
    session.add(
        PerformanceEvaluation(
            campaign_year=2024,
            participation_id=pid,
            indicators={
                k: {"value": v, "flag": k in flags, "basis": "test"} for k, v in indicators.items()
            },
            flags=flags,
            computed=len(indicators),
            evaluated_on=date(2024, 12, 10),
        )
    )


def _mail(session: Session, n: int, template: str, status: OutboxStatus) -> None:
    row = OutboxMessage(
        campaign_year=2024,
        idempotency_key=f"test:{template}:{n}",
        template=template,
        recipient=f"contact{n}@unit{n}.example.com",
        subject="测试",
        status=status,
        message_id=f"<{n}@example.org>",
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add(body_row(row.id, "测试", "<p>测试</p>"))


def seed_season(session: Session, campaign: Any, first_name: str | None = None) -> dict[int, int]:
    """Add the campaign row and the eight-unit season; return participation ids by unit number.

    `first_name` renames unit 1 (released, commended) to test how names are written.
    """
    ensure_campaign(session, campaign, now_utc())
    a1, a2, a3 = (add_association(session, c) for c in ("A001", "A002", "A003"))
    ids = {
        1: add_participation(session, 1, [a1, a2], S.RELEASED),
        2: add_participation(session, 2, [a1], S.APPROVED),
        3: add_participation(session, 3, [a1], S.REVISION_REQUESTED),
        4: add_participation(session, 4, [a2], S.SUBMITTED),
        5: add_participation(session, 5, [a2], S.WITHDRAWN),
        6: add_participation(session, 6, [a2], S.LAPSED),
        7: add_participation(session, 7, [a1], S.REMOVED),
        8: add_participation(session, 8, [a1]),
    }
    one = session.get(Unit, session.get(Participation, ids[1]).unit_id)  # type: ignore[union-attr]
    two = session.get(Unit, session.get(Participation, ids[2]).unit_id)  # type: ignore[union-attr]
    assert one is not None
    assert two is not None
    assert a3.id is not None
    assert one.id is not None
    one.industry, one.district, one.ownership = "电子信息", "浦东新区", "民营"
    two.industry, two.district, two.ownership = "电子信息", "", "国有"
    if first_name is not None:
        one.name = first_name
    session.add(
        Recommendation(
            campaign_year=2024,
            association_id=a3.id,
            unit_id=one.id,
            stated_name=one.name,
            source_file="A003.xlsx",
            source_row=2,
            position=21,
            held=True,
            recommended_on=date(2024, 10, 10),
        )
    )
    _move(session, ids[2], (S.IN_REVIEW, S.REJECTED), (S.REJECTED, S.APPROVED))
    _move(session, ids[3], (S.IN_REVIEW, S.REVISION_REQUESTED))
    _move(session, ids[5], (S.REGISTERED, S.WITHDRAWN))
    _move(session, ids[6], (S.RECOMMENDED, S.LAPSED))
    _move(session, ids[7], (S.IN_REVIEW, S.REMOVED))

    K, d = SubmissionKind, date
    for n, day, late in [(1, 1, False), (2, 15, False), (3, 16, True), (4, 10, False)]:
        _file(session, ids[n], K.RECEIPT, d(2024, 11, day), late=late)
    _file(session, ids[3], K.RECEIPT, d(2024, 11, 20), late=True, version=2)
    _file(session, ids[5], K.RECEIPT, d(2024, 11, 5))
    _file(session, ids[7], K.RECEIPT, d(2024, 11, 14))
    _file(session, ids[1], K.BASIC_INFO, d(2024, 11, 1))
    _file(session, ids[2], K.BASIC_INFO, d(2024, 11, 20), late=True)
    _file(session, ids[1], K.REPORT_PDF, d(2024, 11, 29), screening=screened("governance", "green"))
    _file(
        session,
        ids[2],
        K.REPORT_PDF,
        d(2024, 12, 2),
        late=True,
        screening=screened("governance", "environment"),
    )
    _file(session, ids[3], K.REPORT_PDF, d(2024, 11, 30), screening=screened("governance"))
    _file(session, ids[4], K.REPORT_PDF, d(2024, 11, 25), screening=ERROR)
    _file(
        session,
        ids[4],
        K.REPORT_PDF,
        d(2024, 12, 10),
        late=True,
        version=2,
        screening=screened("green"),
    )
    _file(session, ids[7], K.REPORT_PDF, d(2024, 11, 1), screening=screened("governance"))
    _file(session, ids[7], K.REPORT_PDF, d(2024, 11, 3), version=2, screening=ERROR)

    _outcome(session, ids[1], 85.5, "四星半级")
    _outcome(session, ids[2], 55.0, "二星级")
    _outcome(session, ids[2], 72.0, "四星级", round_=1)
    _outcome(session, ids[3], 100.0, "五星级")
    _outcome(session, ids[7], 64.2, "三星级")

    _evaluation(
        session, ids[1], {"revenue_growth": 0.1, "profit_margin": 0.2, "tax_ratio": None}, []
    )
    _evaluation(
        session,
        ids[2],
        {"revenue_growth": -0.05, "profit_margin": 0.1, "tax_ratio": 0.03},
        ["revenue_growth"],
    )
    _evaluation(session, ids[4], {"revenue_growth": 0.3, "profit_margin": "n/a"}, [])

    for pid, kind, key, title, case, status in [
        (ids[1], "excellent_unit", "", "优秀社会责任报告", "", "approved"),
        (ids[2], "case", "green-low-carbon", "绿色低碳优秀案例", "光伏屋顶", "approved"),
        (ids[3], "speaker", "", "交流发言", "", "proposed"),
    ]:
        session.add(
            Commendation(
                campaign_year=2024,
                participation_id=pid,
                kind=kind,
                category_key=key,
                title=title,
                case_title=case,
                rank=1,
                proposed_on=date(2024, 12, 16),
                status=status,
            )
        )
    session.add(
        Certificate(
            campaign_year=2024,
            participation_id=ids[1],
            number="CSR2024-0001X",
            stored_path="release/2024/certificates/1.pdf",
            sha256="a" * 64,
            data_sha256="b" * 64,
            issued_on=date(2025, 1, 16),
            issued_at=AT,
        )
    )
    _mail(session, 1, "invitation", OutboxStatus.SENT)
    _mail(session, 2, "invitation", OutboxStatus.SENT)
    _mail(session, 3, "reminder", OutboxStatus.FAILED)
    session.flush()
    return ids
