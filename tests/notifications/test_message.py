"""A message written straight to bytes is the stdlib's message, byte for byte and read back."""

from __future__ import annotations

import copy
import string
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiosmtplib.email import flatten_message
from aiosmtplib.protocol import normalize_message_line_endings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from notifications.headers import SUBJECT_MAX, Mailbox, clean_header_text
from notifications.message import boundaries_for, build_message
from notifications.wire_format import WrittenMessage, encode_text, message_bytes

CJK = "上海市企业社会责任报告发布活动提醒联系人王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗阿依古丽买"
PUNCT = "：（）【】，。·—…「」"
ODD = "\u3000\u00a0\u200b\u202e\t\r\n\x00\u2028é€😀"
NAMES = st.text(alphabet=st.sampled_from(list(CJK + PUNCT + ODD) + list("ab Z.,\"'<>@;:()")))
# Names the stdlib does not quote: a quoted name with encoded words (李明:王) is folded exactly as
# the stdlib folds it (the test above) but its RFC 2047 reading can move a space next to an
# encoded word, in the stdlib's fold as in ours.
PLAIN_NAMES = st.text(alphabet=st.sampled_from(list(CJK + PUNCT + ODD) + list("abZ -'")))
LINES = st.lists(
    st.one_of(
        st.text(alphabet=st.sampled_from(list(CJK + PUNCT)), max_size=60),
        st.text(alphabet=st.sampled_from(list(string.printable)), max_size=120),
        st.text(max_size=40),
    ),
    max_size=14,
)
BODIES = LINES.map("\n".join)
SENDER = Mailbox(address="csr-campaign@example.org", name="上海市企业社会责任报告发布会")
DATE = datetime(2024, 11, 1, 9, 30, tzinfo=UTC)
ATTACHMENT_NAMES = st.sampled_from(["notice.ics", "证书.pdf", "score sheet.xlsx", "data.bin"])


def _reference(
    to: Mailbox,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: datetime,
    files: list[Path],
    reply_to: str = "",
) -> EmailMessage:
    """The same mail built the stdlib's own way (policy.default, Address objects)."""
    alternative, mixed = boundaries_for(text, html)
    message = EmailMessage(policy=policy.default)
    message["From"] = Address(SENDER.name, addr_spec=SENDER.address)
    message["To"] = Address(clean_header_text(to.name), addr_spec=to.address)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = clean_header_text(subject, limit=SUBJECT_MAX)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = clean_header_text(message_id)
    message.set_content(text, charset="utf-8")
    message.make_alternative(boundary=alternative)
    message.add_alternative(html, subtype="html", charset="utf-8")
    if files:
        message.make_mixed(boundary=mixed)
    kinds = {".ics": "text/calendar", ".pdf": "application/pdf", ".xlsx": "application/zip"}
    for file in files:
        maintype, _, subtype = kinds.get(file.suffix, "application/octet-stream").partition("/")
        if file.suffix == ".xlsx":
            subtype = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        calendar = {"charset": "utf-8", "method": "PUBLISH"} if maintype == "text" else None
        message.add_attachment(
            file.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=file.name,
            params=calendar,  # the .ics says it is UTF-8 (calendar programs showed ����)
        )
    return message


def _build(
    workspace: Path,
    to: Mailbox,
    subject: str,
    text: str,
    html: str,
    message_id: str = "<csr.0a1b2c@example.org>",
    date: datetime = DATE,
    files: tuple[Path, ...] = (),
) -> EmailMessage:
    return build_message(
        sender=SENDER,
        to=to,
        subject=subject,
        text=text,
        html=html,
        message_id=message_id,
        date=date,
        workspace=workspace,
        attachments=files,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=NAMES,
    local=st.sampled_from(["li", "contact1234", "a.b-c_d+e", "x" * 40]),
    subject=NAMES,
    text=BODIES,
    html=BODIES.map(lambda b: f"<p>{b}</p>"),
    attachments=st.lists(st.tuples(ATTACHMENT_NAMES, st.binary(max_size=300)), max_size=2),
    seconds=st.integers(min_value=0, max_value=10**9),
    offset=st.integers(min_value=-12 * 60, max_value=14 * 60),
)
@example(
    name="欧阳娜娜",
    local="contact1234",
    subject="关于参加2024年上海市企业社会责任报告发布活动的邀请（请于11月15日前回执）",
    text="您好：\n" + "正文" * 50,
    html="<p>" + "a" * 200 + "</p>",
    attachments=[("notice.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")],
    seconds=0,
    offset=480,
)
def test_written_bytes_are_the_stdlib_build_flattened_by_aiosmtplib(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    local: str,
    subject: str,
    text: str,
    html: str,
    attachments: list[tuple[str, bytes]],
    seconds: int,
    offset: int,
) -> None:
    workspace = tmp_path_factory.mktemp("written")
    files = []
    for n, (file_name, data) in enumerate(attachments):
        (workspace / str(n)).mkdir()
        files.append(workspace / str(n) / file_name)
        files[-1].write_bytes(data)
    to = Mailbox(address=f"{local}@unit.example.com", name=name)
    date = datetime(2001, 1, 1, tzinfo=timezone(timedelta(minutes=offset))) + timedelta(
        seconds=seconds
    )
    expected = _reference(to, subject or "空", text, html, "<csr.1@example.org>", date, files)

    for _ in range(2):  # the second from the remembered folds and attachment parts
        built = _build(workspace, to, subject or "空", text, html, "<csr.1@example.org>", date)
        if files:
            built = _build(
                workspace,
                to,
                subject or "空",
                text,
                html,
                "<csr.1@example.org>",
                date,
                tuple(files),
            )
        assert message_bytes(built) == flatten_message(expected)
        # Already as aiosmtplib transmits it (CRLF line breaks, a final CRLF): transmit.py
        # sends a written message's bytes without its line-ending pass.
        sent = message_bytes(built)
        assert normalize_message_line_endings(sent) == sent
        assert sent.endswith(b"\r\n")


@settings(max_examples=80, deadline=None)
@given(
    name=PLAIN_NAMES,
    subject=NAMES,
    text=BODIES,
    html=BODIES,
    attachment=st.binary(max_size=2000),
)
def test_the_email_parser_reads_back_what_was_written(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    subject: str,
    text: str,
    html: str,
    attachment: bytes,
) -> None:
    workspace = tmp_path_factory.mktemp("readback")
    (workspace / "证书 2024.pdf").write_bytes(attachment)
    to = Mailbox(address="li@unit.example.com", name=name)
    built = _build(workspace, to, subject, text, html, files=(workspace / "证书 2024.pdf",))

    parsed = BytesParser(policy=policy.default).parsebytes(message_bytes(built))

    expected_subject = clean_header_text(subject, limit=SUBJECT_MAX)
    if " " in expected_subject:  # the stdlib's fold: a space at a fold between encoded words
        assert str(parsed["Subject"]).replace(" ", "") == expected_subject.replace(" ", "")
    else:  # the subjects a campaign sends (no spaces): our own fold, read back exactly
        assert str(parsed["Subject"]) == expected_subject
    assert [a.addr_spec for a in parsed["To"].addresses] == ["li@unit.example.com"]
    # RFC 2047 ignores the space between two encoded words; Python 3.11's structured-header
    # parser keeps it (a long name folded over lines reads back with a space), the legacy
    # decoder drops it, as mail clients do.
    cleaned = clean_header_text(name)
    decoded = str(make_header(decode_header(message_from_bytes(message_bytes(built))["To"])))
    assert decoded in {
        f"{cleaned} <li@unit.example.com>",
        str(Address(cleaned, "li", "unit.example.com")),
    }
    assert [(a.display_name, a.addr_spec) for a in parsed["From"].addresses] == [
        (SENDER.name, SENDER.address)
    ]
    leaves = [p for p in parsed.walk() if not p.is_multipart()]
    assert [p.get_content_type() for p in leaves] == ["text/plain", "text/html", "application/pdf"]
    lines = [p.get_content().replace("\r\n", "\n") for p in leaves[:2]]
    assert lines == [b"\n".join(t.encode().splitlines()).decode() + "\n" for t in (text, html)]
    assert leaves[2].get_content() == attachment
    assert leaves[2].get_filename() == "证书 2024.pdf"


@settings(max_examples=300, deadline=None)
@given(text=BODIES)
def test_body_encoding_is_the_one_set_content_picks(text: str) -> None:
    reference = EmailMessage(policy=policy.default)
    reference.set_content(text, charset="utf-8")

    cte, body = encode_text(text)

    assert cte == reference["Content-Transfer-Encoding"]
    assert body == flatten_message(reference).split(b"\r\n\r\n", 1)[1]


def test_a_written_message_is_a_full_email_message(tmp_path: Path) -> None:
    to = Mailbox(address="li@unit.example.com", name="李明")
    built = _build(tmp_path, to, "提醒", "正文", "<p>正文</p>")
    sent = message_bytes(built)
    assert isinstance(built, WrittenMessage)
    assert copy.copy(built).written_bytes() == sent  # copies stay unparsed

    assert str(built["To"]) == "李明 <li@unit.example.com>"  # parsed on first use
    assert built.written_bytes() is None
    assert [p.get_content_type() for p in built.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert built.get_body(("plain",)).get_content() == "正文\n"  # type: ignore[union-attr]
    assert message_bytes(built) == sent  # the parsed message flattens to the same bytes
    assert built.as_bytes() == sent.replace(b"\r\n", b"\n")


def test_the_campaigns_reply_address_is_the_reply_to_header(tmp_path: Path) -> None:
    to = Mailbox(address="li@unit.example.com", name="李明")
    built = build_message(
        sender=SENDER,
        to=to,
        subject="评审邀请",
        text="正文",
        html="<p>正文</p>",
        message_id="<csr.0a1b2c@example.org>",
        date=DATE,
        workspace=tmp_path,
        reply_to="csr-office@example.org",
    )
    sent = message_bytes(built)
    reference = _reference(
        to, "评审邀请", "正文", "<p>正文</p>", "<csr.0a1b2c@example.org>", DATE, [],
        reply_to="csr-office@example.org",
    )  # fmt: skip

    assert b"\r\nReply-To: csr-office@example.org\r\n" in sent
    assert sent == flatten_message(reference)
    parsed = message_from_bytes(sent, policy=policy.default)
    assert str(parsed["Reply-To"]) == "csr-office@example.org"
    assert str(built["Reply-To"]) == "csr-office@example.org"  # the stdlib form agrees


def test_a_header_added_later_is_sent_and_bcc_is_not(tmp_path: Path) -> None:
    to = Mailbox(address="li@unit.example.com", name="李明")
    built = _build(tmp_path, to, "提醒", "正文", "<p>正文</p>")

    built["X-Campaign"] = "2024"
    built["Bcc"] = "hidden@example.com"
    sent = message_bytes(built)

    assert b"X-Campaign: 2024\r\n" in sent
    assert b"hidden@example.com" not in sent
    assert sent == flatten_message(built)


def test_seven_bit_servers_get_the_stdlib_re_encoding(tmp_path: Path) -> None:
    to = Mailbox(address="li@unit.example.com", name="李明")
    built = _build(tmp_path, to, "提醒", "短正文", "<p>短正文</p>")
    to_ref = _reference(to, "提醒", "短正文", "<p>短正文</p>", "<csr.0a1b2c@example.org>", DATE, [])

    assert message_bytes(built, eight_bit=False) == flatten_message(to_ref, cte_type="7bit")
    assert b"8bit" not in message_bytes(built, eight_bit=False)
