"""Training calendar files: escaped text, folded lines, times in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from email import policy
from email.parser import BytesParser
from pathlib import Path

from notifications.headers import mailbox
from notifications.ics import escape_text, fold, session_invite
from notifications.message import build_message
from notifications.wire_format import message_bytes


def test_escape_text_neutralises_separators_and_newlines() -> None:
    assert escape_text("a;b,c\\d\r\ne\nf") == "a\\;b\\,c\\\\d\\ne\\nf"


def test_fold_keeps_lines_within_75_octets_without_splitting_characters() -> None:
    line = "SUMMARY:" + "社会责任报告编写培训" * 10

    folded = fold(line)

    parts = folded.split("\r\n ")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert "".join(parts) == line


def test_session_invite_has_one_event_in_shanghai_time_and_no_injected_lines() -> None:
    text = session_invite(
        uid="2024-core@example.org",
        title="培训\r\nATTENDEE:mailto:evil@example.com",
        day=date(2024, 10, 25),
        start=time(14, 0),
        minutes=120,
        place="上海市泰安路74号, 培训教室",
        link="",
        organiser="上海市工业经济联合会",
        organiser_email="csr-campaign@example.org",
        stamp=datetime(2024, 10, 14, 1, 2, 3, tzinfo=UTC),
    )

    lines = text.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1
    assert "DTSTART;TZID=Asia/Shanghai:20241025T140000" in lines
    assert "DTEND;TZID=Asia/Shanghai:20241025T160000" in lines
    assert "LOCATION:上海市泰安路74号\\, 培训教室" in lines
    assert not any(line.startswith("ATTENDEE") for line in lines)
    assert text.endswith("END:VCALENDAR\r\n")


def test_an_ics_attachment_says_utf_8_and_a_calendar_library_reads_its_chinese(
    tmp_path: Path,
) -> None:
    from icalendar import Calendar

    title = "“编写规范”专题培训：社会责任报告编写"
    invite = tmp_path / "attachments" / "session.ics"
    invite.parent.mkdir()
    invite.write_text(
        session_invite(
            uid="standards-writing@example.org",
            title=title,
            day=date(2024, 10, 22),
            start=time(14, 0),
            minutes=120,
            place="上海市质量协会三楼报告厅",
            link="",
            organiser="上海市工业经济联合会",
            organiser_email="csr-campaign@example.org",
            stamp=datetime(2024, 10, 14, tzinfo=UTC),
        ),
        encoding="utf-8",
    )
    message = build_message(
        sender=mailbox("csr-campaign@example.org", "组委会"),
        to=mailbox("li@unit.example.com", "李明"),
        subject="培训邀请",
        text="请参加培训。",
        html="<p>请参加培训。</p>",
        message_id="<csr.test@example.org>",
        date=datetime(2024, 10, 14, tzinfo=UTC),
        workspace=tmp_path,
        attachments=["attachments/session.ics"],
    )

    parsed = BytesParser(policy=policy.default).parsebytes(message_bytes(message))
    [part] = list(parsed.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_content_charset() == "utf-8"
    assert part.get_param("method") == "PUBLISH"
    [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == "上海市质量协会三楼报告厅"
