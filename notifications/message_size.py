"""How big a mail will be on the wire, estimated before it is queued, and the cap it must obey.

`estimated_bytes` adds the text and HTML bodies and every attachment as base64 (4 bytes for 3,
in lines of 76 characters and CRLF) and a fixed allowance for the headers and the MIME part
headers; `size_refusal` returns why a mail over the cap is refused (a stable code and a reason
in Chinese and English that names the attachment files, never the recipient), or None. Reads
nothing: the caller gives file sizes. This module does not build (message.py) or queue mail
(outbox.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

HEADER_ALLOWANCE = 4_000  # From, To, a 500-character subject in encoded words, Date, Message-ID
PART_ALLOWANCE = 400  # one MIME part's boundary line and headers (type, encoding, file name)
BASE64_LINE = 76
TOO_LARGE = "mail-too-large"


def base64_bytes(size: int) -> int:
    """Return how many bytes `size` bytes take in base64 lines of 76 characters and CRLF. Pure."""
    encoded = 4 * ((size + 2) // 3)
    lines = -(-encoded // BASE64_LINE)
    return encoded + 2 * lines


def estimated_bytes(text: str, html: str, attachment_sizes: Sequence[int]) -> int:
    """Return the estimated size of the mail as sent: bodies and attachments in base64. Pure."""
    parts = [len(text.encode("utf-8")), len(html.encode("utf-8")), *attachment_sizes]
    return HEADER_ALLOWANCE + sum(PART_ALLOWANCE + base64_bytes(n) for n in parts)


def megabytes(size: int) -> str:
    """Return `size` in megabytes (10^6 bytes) with one decimal, e.g. `14.0 MB`. Pure."""
    return f"{size / 1_000_000:.1f} MB"


class SizeRefusal(BaseModel):
    """A mail refused at enqueue because it would be too large; names files, never recipients."""

    model_config = ConfigDict(frozen=True)

    template: str
    subject_ref: str
    files: tuple[str, ...]  # the attachments' file names (no folders), largest first
    estimated_bytes: int
    limit_bytes: int
    code: str = TOO_LARGE

    @property
    def reason_zh(self) -> str:
        """Return why the mail was refused, in Chinese."""
        what = f"附件 {'、'.join(self.files)}" if self.files else "正文"
        return (
            f"邮件过大：含{what}，发送时约 {megabytes(self.estimated_bytes)}，"
            f"超过上限 {megabytes(self.limit_bytes)}，未放入发件箱。"
            "请压缩或拆分附件，或调大 CAMPAIGN_MAIL_MAX_MESSAGE_BYTES。"
        )

    @property
    def reason_en(self) -> str:
        """Return why the mail was refused, in English."""
        what = f"attachment {', '.join(self.files)}" if self.files else "its body"
        return (
            f"mail too large: with {what} it is about {megabytes(self.estimated_bytes)} as "
            f"sent, over the limit of {megabytes(self.limit_bytes)}; not queued. Shrink or "
            "split the attachment, or raise CAMPAIGN_MAIL_MAX_MESSAGE_BYTES."
        )


class MessageTooLarge(Exception):
    """A mail over the size cap was handed to the outbox; carries the refusal (no recipient)."""

    def __init__(self, refusal: SizeRefusal) -> None:
        self.refusal = refusal
        super().__init__(f"{refusal.template} {refusal.subject_ref}: {refusal.reason_en}")


def size_refusal(
    *,
    template: str,
    subject_ref: str,
    text: str,
    html: str,
    attachments: Sequence[tuple[str, int]],
    limit: int,
) -> SizeRefusal | None:
    """Return the refusal of a mail whose estimated size passes `limit`, or None. Pure.

    `attachments` are (file name, size in bytes) pairs.
    """
    size = estimated_bytes(text, html, [n for _, n in attachments])
    if size <= limit:
        return None
    largest_first = sorted(attachments, key=lambda a: -a[1])
    return SizeRefusal(
        template=template,
        subject_ref=subject_ref,
        files=tuple(name for name, _ in largest_first),
        estimated_bytes=size,
        limit_bytes=limit,
    )
