"""Messages built and flattened with remembered header work are byte for byte the stdlib's."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtplib.email import flatten_message
from hypothesis import given, settings
from hypothesis import strategies as st

from notifications import message as message_module
from notifications import wire_format
from notifications.headers import SUBJECT_MAX, clean_header_text, mailbox
from notifications.message import boundaries_for, build_message
from notifications.wire_format import message_bytes

HEADER_TEXT = st.text(
    alphabet=st.sampled_from(
        list("上海市企业社会责任报告发布活动提醒：（）【】，。") + list("abcXYZ 019-=?_\"'<>@;,.")
    ),
    max_size=120,
)


def _message(tmp_path: Path, name: str, subject: str, body: str, bcc: bool = False) -> EmailMessage:
    message = build_message(
        sender=mailbox("csr@example.org", "上海市工业经济联合会"),
        to=mailbox("unit@example.com", name),
        subject=subject or "空",
        text=body,
        html=f"<p>{body}</p>",
        message_id="<a1b2@example.org>",
        date=datetime(2024, 11, 1, 9, 30, tzinfo=UTC),
        workspace=tmp_path,
    )
    if bcc:
        message["Bcc"] = "hidden@example.com"
    for n, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"==boundary-{n}==")  # as the references below (else random per process)
    return message


@settings(max_examples=60, deadline=None)
@given(name=HEADER_TEXT, subject=HEADER_TEXT, body=st.text(max_size=300))
def test_bytes_match_aiosmtplib_for_any_names_subjects_and_bodies(
    tmp_path_factory: pytest.TempPathFactory, name: str, subject: str, body: str
) -> None:
    tmp_path = tmp_path_factory.mktemp("wire")
    message = _message(tmp_path, name, subject, body)

    for eight_bit in (True, False):
        expected = flatten_message(message, cte_type="8bit" if eight_bit else "7bit")
        assert message_bytes(message, eight_bit=eight_bit) == expected
        assert message_bytes(message, eight_bit=eight_bit) == expected  # folds from the cache


def test_bcc_is_never_on_the_wire(tmp_path: Path) -> None:
    message = _message(tmp_path, "李明", "提醒", "正文", bcc=True)

    data = message_bytes(message)

    assert b"hidden@example.com" not in data
    assert data == flatten_message(message)
    assert message["Bcc"] == "hidden@example.com"  # the caller's message is left as it was


@settings(max_examples=40, deadline=None)
@given(name=HEADER_TEXT, subject=HEADER_TEXT, body=st.text(max_size=200))
def test_built_messages_match_the_default_policy(
    tmp_path_factory: pytest.TempPathFactory, name: str, subject: str, body: str
) -> None:
    tmp_path = tmp_path_factory.mktemp("build")
    built = [_message(tmp_path, name, subject, body) for _ in range(2)]  # the 2nd from the cache
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(message_module, "BUILD_POLICY", policy.default)
        expected = _message(tmp_path, name, subject, body)

    assert expected.policy is policy.default
    for message in built:
        assert flatten_message(message) == flatten_message(expected)
        assert message.as_bytes() == expected.as_bytes()


def test_a_header_with_a_line_break_is_still_refused(tmp_path: Path) -> None:
    message = _message(tmp_path, "李明", "提醒", "正文")

    with pytest.raises(ValueError, match="linefeed or carriage return"):
        message["X-Campaign-Note"] = "ok\r\nBcc: victim@example.com"


def _reference(name: str, subject: str, body: str) -> EmailMessage:
    """The same mail built the stdlib's own way: Address objects, policy.default."""
    reference = EmailMessage(policy=policy.default)
    reference["From"] = Address("上海市工业经济联合会", addr_spec="csr@example.org")
    reference["To"] = Address(clean_header_text(name), addr_spec="unit@example.com")
    reference["Subject"] = clean_header_text(subject or "空", limit=SUBJECT_MAX)
    reference["Date"] = "Fri, 01 Nov 2024 09:30:00 +0000"
    reference["Message-ID"] = "<a1b2@example.org>"
    reference.set_content(body, charset="utf-8")
    reference.add_alternative(f"<p>{body}</p>", subtype="html", charset="utf-8")
    reference.set_boundary("==boundary-0==")
    return reference


@settings(max_examples=40, deadline=None)
@given(name=HEADER_TEXT, subject=HEADER_TEXT, body=st.text(max_size=200))
def test_built_messages_match_the_stdlib_built_with_address_objects(
    tmp_path_factory: pytest.TempPathFactory, name: str, subject: str, body: str
) -> None:
    tmp_path = tmp_path_factory.mktemp("oracle")
    for _ in range(2):  # the second one from the remembered parses
        assert message_bytes(_message(tmp_path, name, subject, body)) == flatten_message(
            _reference(name, subject, body)
        )


def test_a_body_holding_the_boundary_gets_fresh_boundaries(tmp_path: Path) -> None:
    alternative, _mixed = boundaries_for("")
    body = f"引用：\n--{alternative}\nContent-Type: text/html\n\n<b>注入</b>\n--{alternative}--\n"
    attachment = tmp_path / "notice.ics"
    attachment.write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    message = build_message(
        sender=mailbox("csr@example.org", "上海市工业经济联合会"),
        to=mailbox("unit@example.com", "李明"),
        subject="提醒",
        text=body,
        html="<p>正文</p>",
        message_id="<a1b2@example.org>",
        date=datetime(2024, 11, 1, 9, 30, tzinfo=UTC),
        workspace=tmp_path,
        attachments=["notice.ics"],
    )

    parsed = BytesParser(policy=policy.default).parsebytes(message_bytes(message))

    used = {p.get_boundary() for p in parsed.walk() if p.is_multipart()}
    assert alternative not in used
    assert len(used) == 2
    leaves = [p for p in parsed.walk() if not p.is_multipart()]
    assert [p.get_content_type() for p in leaves] == ["text/plain", "text/html", "text/calendar"]
    texts = [p.get_content().replace("\r\n", "\n") for p in leaves[:2]]  # CRLF on the wire
    assert texts == [body, "<p>正文</p>\n"]


def test_a_full_cache_drops_its_older_half_and_keeps_the_newer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wire_format, "CACHE_SIZE", 10)
    cache: dict[int, str] = {}
    made: list[int] = []

    def make(key: int) -> str:
        made.append(key)
        return f"value {key}"

    for key in range(10):
        assert wire_format._remember(cache, key, lambda k=key: make(k)) == f"value {key}"
    assert wire_format._remember(cache, 3, lambda: make(-1)) == "value 3"  # a hit: not made again
    wire_format._remember(cache, 10, lambda: make(10))  # full: keys 0-4 go, 10 comes in

    assert list(cache) == [5, 6, 7, 8, 9, 10]
    assert made == list(range(11))


def test_message_ids_are_never_remembered(tmp_path: Path) -> None:
    for n in range(3):
        message = build_message(
            sender=mailbox("csr@example.org", "上海市工业经济联合会"),
            to=mailbox("unit@example.com", "李明"),
            subject="截止提醒",
            text="正文",
            html="<p>正文</p>",
            message_id=f"<unique-{n}@example.org>",
            date=datetime(2024, 11, 1, 9, 30, tzinfo=UTC),
            workspace=tmp_path,
        )
        flat = message_bytes(message)
        assert f"Message-ID: <unique-{n}@example.org>\r\n".encode() in flat

    remembered = [key.name for key in wire_format._FOLDS] + [
        key.name for key in wire_format._PARSED
    ]
    assert "Subject" in remembered  # the recipient's line is written directly (test_message.py)
    assert not [name for name in remembered if name.lower() in wire_format.UNIQUE_PER_MESSAGE]
