"""The size of a mail as sent, estimated before it is queued, against real built messages."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mailkit import invitation

from notifications.headers import mailbox
from notifications.message import build_message
from notifications.message_size import (
    HEADER_ALLOWANCE,
    TOO_LARGE,
    SizeRefusal,
    base64_bytes,
    estimated_bytes,
    size_refusal,
)
from notifications.wire_format import message_bytes
from schemas.campaign_file import CampaignFile


def _oracle_base64(size: int) -> int:
    """The stdlib's base64 lines (76 characters) with CRLF line ends, measured."""
    encoded = base64.encodebytes(b"\0" * size)
    return len(encoded) + encoded.count(b"\n")


@given(st.integers(min_value=0, max_value=20_000))
def test_base64_bytes_is_what_the_stdlib_writes(size: int) -> None:
    assert base64_bytes(size) == _oracle_base64(size)


def _built_size(tmp_path: Path, campaign: CampaignFile, sizes: list[int]) -> tuple[int, int]:
    """Build a real invitation with attachments of `sizes`; return (actual, estimated) bytes."""
    mail = invitation(campaign)
    names = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"附件{i}.pdf"
        path.write_bytes(os.urandom(size))
        names.append(path.name)
    message = build_message(
        sender=mailbox("csr-campaign@example.org", "上海市企业社会责任报告发布会"),
        to=mailbox("li@unit.example.com", "李明"),
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        message_id="<csr.0123456789abcdef@example.org>",
        date=datetime(2024, 11, 11, tzinfo=UTC),
        workspace=tmp_path,
        attachments=names,
    )
    return len(message_bytes(message)), estimated_bytes(mail.text, mail.html, sizes)


@pytest.mark.parametrize("sizes", [[], [0], [1], [30_000], [700_001, 25_000], [3_000_000]])
def test_the_estimate_is_at_least_the_real_message_and_close_to_it(
    tmp_path: Path, campaign_2024: CampaignFile, sizes: list[int]
) -> None:
    actual, estimate = _built_size(tmp_path, campaign_2024, sizes)

    assert actual <= estimate <= actual * 1.01 + HEADER_ALLOWANCE + 2_000


def test_a_10_mib_file_is_about_14_mb_as_sent(tmp_path: Path, campaign_2024: CampaignFile) -> None:
    actual, estimate = _built_size(tmp_path, campaign_2024, [10 * 1024 * 1024])

    assert 14_100_000 < actual <= estimate < 14_400_000


def _refusal(limit: int) -> SizeRefusal | None:
    return size_refusal(
        template="release_notice",
        subject_ref="participation:7",
        text="正文",
        html="<p>正文</p>",
        attachments=[("small.ics", 10), ("certificate.pdf", 9_000_000)],
        limit=limit,
    )


def test_a_mail_is_refused_only_past_the_limit() -> None:
    size = estimated_bytes("正文", "<p>正文</p>", [9_000_000, 10])

    assert _refusal(size) is None
    assert _refusal(size - 1) is not None


def test_a_refusal_names_the_files_largest_first_and_never_the_recipient() -> None:
    refused = _refusal(10_000_000)

    assert refused is not None
    assert (refused.code, refused.template, refused.subject_ref, refused.files) == (
        TOO_LARGE,
        "release_notice",
        "participation:7",
        ("certificate.pdf", "small.ics"),
    )
    assert refused.reason_zh == (
        "邮件过大：含附件 certificate.pdf、small.ics，发送时约 12.3 MB，超过上限 10.0 MB，"
        "未放入发件箱。请压缩或拆分附件，或调大 CAMPAIGN_MAIL_MAX_MESSAGE_BYTES。"
    )
    assert refused.reason_en == (
        "mail too large: with attachment certificate.pdf, small.ics it is about 12.3 MB as "
        "sent, over the limit of 10.0 MB; not queued. Shrink or split the attachment, or raise "
        "CAMPAIGN_MAIL_MAX_MESSAGE_BYTES."
    )


def test_a_mail_without_attachments_names_its_body() -> None:
    refused = size_refusal(
        template="digest",
        subject_ref="association:A001",
        text="x" * 200_000,
        html="",
        attachments=[],
        limit=100_000,
    )

    assert refused is not None
    assert "含正文" in refused.reason_zh
    assert "with its body" in refused.reason_en
