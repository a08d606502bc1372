"""Recording report PDF versions: numbering, late flag, acknowledgements, revised and submitted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from factories import add_association, add_participation
from outboxkit import with_bodies
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.enums import Severity, SubmissionKind, UnitKind
from schemas.outbox_table import OutboxMessage
from schemas.screening import ScreenCode, ScreenResult, screen_problem
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, StageTransition, Submission, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.store import session_scope
from tasks.submit.report_versions import (
    IncomingReport,
    acknowledgement,
    plan_report_versions,
    record_reports,
)

NOW = datetime(2024, 11, 28, 2, 0, tzinfo=UTC)


def _incoming(name: str, pid: int) -> IncomingReport:
    return IncomingReport(name, pid, Path("archive/2024/reports") / f"{name}.pdf", name * 4, 1000)


def _result(name: str, *codes: ScreenCode) -> ScreenResult:
    problems = [screen_problem(c) for c in codes]
    return ScreenResult(file=name, size=1000, opened=True, problems=problems)


def test_plan_numbers_each_report_after_its_units_latest_version(
    campaign_2024: CampaignFile,
) -> None:
    incoming = [_incoming("a", 1), _incoming("b", 2), _incoming("c", 2)]
    results = {n: _result(n) for n in "abc"}
    latest = {2: 3}

    on_time = plan_report_versions(
        campaign_2024, incoming, results, latest, as_of=date(2024, 11, 30), now=NOW
    )
    late = plan_report_versions(
        campaign_2024, incoming[:1], results, {}, as_of=date(2024, 12, 2), now=NOW
    )

    assert [(s.participation_id, s.version, s.original_name) for s in on_time] == [
        (1, 1, "a"),
        (2, 4, "b"),
        (2, 5, "c"),
    ]
    assert [s.late for s in on_time] + [s.late for s in late] == [False, False, False, True]
    assert on_time[0].screening == results["a"].to_stored()
    assert (on_time[0].stored_path, on_time[0].sha256) == ("archive/2024/reports/a.pdf", "aaaa")
    assert latest == {2: 3}


def test_record_reports_saves_versions_acknowledges_and_moves_units(
    workspace: Path, engine: Engine, campaign_2024: CampaignFile
) -> None:
    clean: dict[str, list[object]] = {"problems": []}
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        formed = add_participation(session, 1, [a1], S.REGISTERED, [SubmissionKind.BASIC_INFO])
        revising = add_participation(session, 2, [a1], S.REVISION_REQUESTED, reports=[clean])
        broken = add_participation(session, 3, [a1], S.REGISTERED, [SubmissionKind.BASIC_INFO])
    incoming = [_incoming("a", formed), _incoming("b", revising), _incoming("c", broken)]
    results = {
        "a": _result("a", ScreenCode.SCANNED),
        "b": _result("b"),
        "c": _result("c", ScreenCode.ENCRYPTED),
    }

    with session_scope(engine) as session:
        saved = record_reports(
            session, Settings(), campaign_2024, incoming, results, as_of=date(2024, 11, 28), now=NOW
        )
    with session_scope(engine) as session:
        versions = session.exec(
            select(Submission.participation_id, Submission.version)
            .where(Submission.kind == SubmissionKind.REPORT_PDF)
            .order_by(col(Submission.id))
        ).all()
        moves = session.exec(
            select(StageTransition.participation_id, StageTransition.to_status).order_by(
                col(StageTransition.id)
            )
        ).all()
        status = dict(session.exec(select(Participation.id, Participation.status)).all())
        mails = with_bodies(
            session, session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        )

    assert (saved.mails_queued, saved.submitted, saved.revised) == (3, 1, 1)
    assert [(s.participation_id, s.version) for s in saved.versions] == [
        (formed, 1),
        (revising, 2),
        (broken, 1),
    ]
    assert versions == [(revising, 1), (formed, 1), (revising, 2), (broken, 1)]
    assert moves == [(revising, S.REVISED), (formed, S.SUBMITTED)]
    assert [status[p] for p in (formed, revising, broken)] == [S.SUBMITTED, S.REVISED, S.REGISTERED]
    assert [m.recipient for m in mails] == [
        "contact1@unit1.example.com",
        "contact2@unit2.example.com",
        "contact3@unit3.example.com",
    ]
    scanned, revised, encrypted = (m.body_text for m in mails)
    [scan], [lock] = results["a"].problems, results["c"].problems
    assert "受理结果：已受理" in scanned
    assert f"1. {scan.advice_zh}" in scanned
    assert "请提交可复制文字的PDF" in scanned
    assert "仅供参考" in scanned
    assert "受理结果：已受理" in revised
    assert "参考意见" not in revised
    assert "受理结果：未受理" in encrypted
    assert f"1. {lock.advice_zh}" in encrypted
    assert [m.subject.count("未受理") for m in mails] == [0, 0, 1]
    for mail in mails:
        assert "pdf-" not in mail.body_text + mail.subject + (mail.body_html or "")


def test_acknowledgement_never_shows_codes_or_error_texts(campaign_2024: CampaignFile) -> None:
    """Every problem the screen can give, with an exception text in its operator reason, is
    acknowledged in plain Chinese: no code, no exception class or message."""
    detail = "PdfStreamError: Stream has ended unexpectedly"
    problems = [screen_problem(c, detail, detail) for c in ScreenCode]
    result = ScreenResult(file="r.pdf", size=1000, opened=True, problems=problems)
    unit = Unit(
        uscc="91310000MA1FL8TQ3X",
        name="示例单位",
        kind=UnitKind.ENTERPRISE,
        email="a@unit.example.com",
    )
    sub = plan_report_versions(
        campaign_2024,
        [_incoming("r.pdf", 1)],
        {"r.pdf": result},
        {},
        as_of=date(2024, 11, 28),
        now=NOW,
    )[0]

    mail = acknowledgement(campaign_2024, unit, sub, result).mail

    for text in (mail.subject, mail.text, mail.html):
        assert "pdf-" not in text
        assert "Error" not in text
        assert "Stream" not in text
    assert "未受理" in mail.subject
    assert "受理结果：未受理" in mail.text
    errors = [p for p in problems if p.severity == Severity.ERROR]
    warnings = [p for p in problems if p.severity != Severity.ERROR]
    assert all(p.advice_zh and p.advice_zh in mail.text for p in problems)
    must_fix, _, advice = mail.text.partition("仅供参考")
    assert all(p.advice_zh in must_fix for p in errors)
    assert all(p.advice_zh in advice for p in warnings)
    assert all("请" in p.advice_zh or "建议" in p.advice_zh for p in problems)
