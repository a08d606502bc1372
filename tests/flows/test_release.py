"""The release flow on the real engine: only the meeting's list, mail through a real SMTP server."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from artifactkit import artifacts_by_key
from factories import add_association, add_participation
from mailkit import received
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from notifications.sink import SmtpSink
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Certificate, Commendation, MeetingDecision
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Association, Participation
from tasks.common.campaigns import ensure_campaign
from tasks.release.due import release_due
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

S, K = ParticipationStatus, SubmissionKind
RELEASE_DAY = date(2025, 1, 16)


def _seed(settings: Settings, campaign_2024) -> dict[int, int]:  # type: ignore[no-untyped-def]
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        ids = {
            1: add_participation(session, 1, [a1], S.APPROVED, [K.BASIC_INFO, K.REPORT_PDF]),
            2: add_participation(session, 2, [a1], S.APPROVED, [K.BASIC_INFO, K.REPORT_PDF]),
            3: add_participation(session, 3, [a1], S.REMOVED, [K.BASIC_INFO, K.REPORT_PDF]),
            4: add_participation(session, 4, [a1], S.REVIEW_PASSED, [K.BASIC_INFO]),
        }
        session.add(
            Commendation(
                campaign_year=2024,
                participation_id=ids[1],
                kind="case",
                category_key="green-low-carbon",
                title="绿色低碳优秀案例",
                case_title="零碳工厂实践",
                rank=1,
                proposed_on=date(2024, 12, 16),
                status="approved",
            )
        )
        session.add(
            MeetingDecision(
                campaign_year=2024,
                meeting_date=date(2024, 12, 27),
                decided_by="指导单位工作会议",
                decided_at=now_utc(),
                source="cli",
                release_list=["x"],
            )
        )
        association = session.exec(select(Association)).one()
        association.email = "office@assoc.example.org"
    return ids


def test_release_certifies_and_mails_only_what_the_meeting_approved(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, campaign_2024
) -> None:
    from flows.release import release

    settings = Settings()
    upgrade_database(make_engine(settings))
    ids = _seed(settings, campaign_2024)
    sink_folder = workspace / "sink"

    def clock_sees(day: date) -> tuple[int, int, bool]:  # what the season clock reads
        state = release_due.fn(settings, 2024, day)
        return state.approved_unreleased, state.commendation_notices_owed, state.release_due

    with SmtpSink(sink_folder) as sink:
        monkeypatch.setenv("CAMPAIGN_MAILER", "smtp")
        monkeypatch.setenv("CAMPAIGN_SMTP_PORT", str(sink.port))
        assert clock_sees(date(2025, 1, 6)) == (2, 1, True)  # the notice is owed
        before = release(2024, as_of=date(2025, 1, 6))
        assert clock_sees(date(2025, 1, 7)) == (2, 0, False)  # nothing to do until the day
        assert clock_sees(RELEASE_DAY) == (2, 0, True)
        state = release(2024, as_of=RELEASE_DAY, return_state=True)
        first = state.result()
        assert clock_sees(RELEASE_DAY) == (0, 0, False)  # everyone released
        again = release(2024, as_of=RELEASE_DAY)
        mails = received(sink_folder)

    assert before.mail.commendation_notices == 1  # the commended unit hears before the event
    assert before.certificates is None
    assert first.certificates is not None
    assert first.certificates.issued == 2
    assert (first.mail.released, first.mail.release_notices) == (2, 2)
    assert first.mail.association_summaries == 1
    assert (again.mail.released, again.mail_sent, again.certificates.issued) == (0, 0, 0)  # type: ignore[union-attr]
    with campaign_session(settings) as session:
        statuses = {p.id: S(p.status) for p in session.exec(select(Participation)).all()}
        certified = {c.participation_id for c in session.exec(select(Certificate)).all()}
    assert statuses[ids[1]] == statuses[ids[2]] == S.RELEASED
    assert (statuses[ids[3]], statuses[ids[4]]) == (S.REMOVED, S.REVIEW_PASSED)
    assert certified == {ids[1], ids[2]}
    subjects = [str(m["Subject"]) for m in mails]
    assert len(mails) == 4  # 1 commendation notice, 2 release notices, 1 association summary
    notices = [m for m in mails if any(True for _ in m.iter_attachments())]
    assert len(notices) == 2
    for notice in notices:
        [attachment] = list(notice.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        pdf = workspace / "received.pdf"
        pdf.write_bytes(attachment.get_content())
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "上海测试000" in text
    summary = next(m for m in mails if "发布结果" in str(m["Subject"]))
    body = summary.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "上海测试0003科技有限公司" in body  # the removed unit is listed as not released
    assert "未入选" in body
    assert any("绿色低碳" in s or "入选" in s or "发布会" in s for s in subjects)
    index = workspace / "release" / "2024" / "catalogue" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert "上海测试0001科技有限公司" in html
    assert "上海测试0003科技有限公司" not in html
    assert (workspace / "release" / "2024" / "statistics" / "season-statistics.xlsx").is_file()
    shown = {
        key: str(a.data)
        for key, a in artifacts_by_key(flow_run=state.state_details.flow_run_id).items()
    }
    assert sorted(shown) == ["catalogue-2024", "outbox-delivery", "season-statistics"]
    assert "- reports listed: **2**, commended: **1**" in shown["catalogue-2024"]
    assert first.catalogue is not None
    assert f"PDFs linked: **{first.catalogue.pdfs_linked}**" in shown["catalogue-2024"]
    assert first.statistics is not None
    assert f"`{first.statistics.workbook}`" in shown["season-statistics"]
    mail = load_workbook(first.statistics.workbook)["邮件"]
    release_row = next(r for r in mail.iter_rows(values_only=True) if r[0] == "release_notice")
    assert (release_row[1], release_row[3]) == (0, 2)  # none still queued, both sent
