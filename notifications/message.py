"""Build the MIME message for one outbox row: headers, text + HTML alternative, attachments.

The message is written straight to the bytes the stdlib would send for it (`EmailMessage` with
the `default` policy, flattened by aiosmtplib with `policy.SMTP`), byte for byte, without
building the tree of parts and header objects (1 ms a message before, 0.1 ms now): every header
value first goes through notifications/headers.py, then its line is written by header_lines.py;
bodies and framing come from wire_format.py; a small attachment's part is remembered (the
session's .ics goes to every invited unit). The result is a `WrittenMessage`, which becomes the
same message built the stdlib's way the first time it is used as an EmailMessage
(`_stdlib_message`). tests/notifications/test_message.py checks the bytes against the stdlib's
build and the email parser's reading. Attachments are read only from inside the workspace: a
path is resolved (symlinks followed) and refused unless it stays under the workspace. This
module does not send (mailers.py) and does not touch the database.
"""

from __future__ import annotations

import functools
import mimetypes
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from notifications.header_lines import (
    address_line,
    address_text,
    date_line,
    message_id_line,
    subject_line,
)
from notifications.headers import SUBJECT_MAX, Mailbox, clean_header_text
from notifications.wire_format import (
    BUILD_POLICY,
    WrittenMessage,
    message_bytes,
    multipart,
    text_part,
)

_CRLF = b"\r\n"
SMALL_ATTACHMENT = 256 * 1024  # attachments up to this size have their MIME part remembered


class AttachmentRefused(Exception):
    """An attachment path that may not be sent: outside the workspace, or not a file."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"attachment {path!r} refused: {reason}")


def attachment_path(workspace: Path, path: str | Path) -> Path:
    """Return the resolved file for an attachment; raise AttachmentRefused. Reads file metadata.

    Relative paths are taken relative to the workspace. The resolved path (symlinks followed)
    must be inside the workspace and be a regular file.
    """
    root = workspace.resolve()
    candidate = Path(path)
    resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise AttachmentRefused(str(path), f"outside the workspace {root}")
    if not resolved.is_file():
        raise AttachmentRefused(str(path), "not an existing file")
    return resolved


def workspace_relative(workspace: Path, path: str | Path) -> str:
    """Return an attachment's path relative to the workspace (checked as by attachment_path)."""
    return attachment_path(workspace, path).relative_to(workspace.resolve()).as_posix()


def _new_boundary() -> str:
    """Return an unguessable MIME boundary: '=' cannot appear bare in base64 or QP bodies."""
    return f"==csr-{secrets.token_hex(16)}=="


# The multipart boundaries of this process's messages. The stdlib draws a random boundary for
# every message and compiles a regular expression to check it against the text (0.25 ms a
# message, plus a re-parse of the Content-Type); with the boundaries fixed per process the
# Content-Type headers repeat and their parse and fold are remembered (wire_format.py). They
# are random and never derived from what a user typed; a body that holds one gets fresh ones.
_BOUNDARIES = (_new_boundary(), _new_boundary())
_BOUNDARY_PREFIX = "==csr-"  # what every boundary starts with


def boundaries_for(*bodies: str) -> tuple[str, str]:
    """Return (alternative, mixed) boundaries that appear in none of `bodies`."""
    alternative, mixed = _BOUNDARIES
    if not any(_BOUNDARY_PREFIX in body for body in bodies):
        return alternative, mixed  # one scan a body instead of one per boundary
    while any(b in body for body in bodies for b in (alternative, mixed)):
        alternative, mixed = _new_boundary(), _new_boundary()
    return alternative, mixed


def _mailbox_line(field: str, box: Mailbox) -> bytes:
    """Return the From/To line of a mailbox (header_lines.py). Pure."""
    return address_line(field, clean_header_text(box.name), box.address)


@functools.lru_cache(maxsize=16)
def _sender_line(box: Mailbox) -> bytes:
    """Return the From line of the sender (the same on every message); remembered."""
    return _mailbox_line("From", box)


def attachment_part(file: Path) -> bytes:
    """Return a file's MIME part as sent (base64; type from its name). Reads the file.

    Built by the stdlib (`set_content` with bytes); small files' parts are remembered by path,
    size and modification time (a session's .ics goes to every invited unit).
    """
    stat = file.stat()
    if stat.st_size <= SMALL_ATTACHMENT:
        return _small_attachment_part(str(file), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return _attachment_part(file)


@functools.lru_cache(maxsize=64)
def _small_attachment_part(path: str, size: int, mtime_ns: int, inode: int) -> bytes:
    """Return `_attachment_part` of a small file; remembered by its identity."""
    return _attachment_part(Path(path))


def _content_type(file: Path) -> tuple[str, str]:
    """Return an attachment's (maintype, subtype), guessed from its name."""
    kind, _ = mimetypes.guess_type(file.name)
    maintype, _, subtype = (kind or "application/octet-stream").partition("/")
    return maintype, subtype


def _type_params(maintype: str, subtype: str) -> dict[str, str] | None:
    """Return the Content-Type parameters a text attachment needs: our files are UTF-8.

    Without `charset`, calendar programs read a training .ics as ASCII and show ���� for
    its Chinese; a calendar says its METHOD too (the .ics is PUBLISH, notifications/ics.py).
    """
    if maintype != "text":
        return None
    return {"charset": "utf-8", **({"method": "PUBLISH"} if subtype == "calendar" else {})}


def _attachment_part(file: Path) -> bytes:
    """Build a file's MIME part with the stdlib and flatten it for SMTP. Reads the file."""
    maintype, subtype = _content_type(file)
    part = EmailMessage(policy=BUILD_POLICY)
    part.set_content(
        file.read_bytes(),
        maintype=maintype,
        subtype=subtype,
        filename=clean_header_text(file.name),
        params=_type_params(maintype, subtype),
    )
    return message_bytes(part)


@dataclass(frozen=True)
class Written:
    """A message written to its SMTP bytes, with what rebuilds it the stdlib's way."""

    data: bytes
    sender: Mailbox
    to: Mailbox
    content: tuple[str, str, str]  # subject (cleaned), text, html
    stamp: tuple[str, datetime]  # message id, date
    files: tuple[Path, ...]
    boundaries: tuple[str, str]
    reply_to: str = ""  # the campaign's contact address (Reply-To), "" for none

    def message(self) -> EmailMessage:
        """Return the WrittenMessage: these bytes, the stdlib's build on first use. Pure."""
        return WrittenMessage(
            self.data,
            functools.partial(
                _stdlib_message,
                (self.sender, self.to),
                self.content,
                self.stamp,
                list(self.files),
                self.boundaries,
                self.reply_to,
            ),
        )


def alternative_part(text: str, html: str) -> bytes:
    """Return the text + HTML multipart/alternative part as sent: its Content-Type line, a
    blank line and its body. Pure.

    The outbox writes it when a mail is queued (outbox_body.alternative), so delivery does not
    encode the same bodies again: base64 or quoted-printable of both bodies is most of a
    message's writing.
    """
    boundary, _ = boundaries_for(text, html)
    return _alternative_part(text, html, boundary)


def _alternative_part(text: str, html: str, boundary: str) -> bytes:
    """Return the multipart/alternative part of `text` and `html` with `boundary`. Pure."""
    parts = [
        text_part("plain", text, mime_version=False),
        text_part("html", html, mime_version=True),
    ]
    content_type, body = multipart("alternative", boundary, parts)
    return content_type + _CRLF + body


def part_boundary(part: bytes) -> str:
    """Return the boundary its Content-Type line gives a multipart part. Pure.

    Raises ValueError for a part without one.
    """
    _, found, rest = part.partition(b'boundary="')
    boundary, closed, _ = rest.partition(b'"')
    if not (found and closed and boundary):
        raise ValueError("the stored part names no multipart boundary")
    return boundary.decode("ascii")


def build_message(
    *,
    sender: Mailbox,
    to: Mailbox,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: datetime,
    workspace: Path,
    attachments: Sequence[str | Path] = (),
    reply_to: str = "",
    alternative: bytes | None = None,
) -> EmailMessage:
    """Return the message: From, To (Reply-To), Subject, Date, Message-ID, text + HTML,
    attachments. `reply_to` (the campaign's contact address) is where a reply reaches;
    `alternative`, the text + HTML part as written when the mail was queued (`alternative_part`
    of the same bodies), is used as it is instead of being written again.

    Reads the attachment files (inside the workspace only; raises AttachmentRefused). The
    result is a WrittenMessage: its SMTP bytes are ready; its EmailMessage form is built the
    stdlib's way on first use.
    """
    files = [attachment_path(workspace, a) for a in attachments]
    subject = clean_header_text(subject, limit=SUBJECT_MAX)
    boundary, mixed = boundaries_for(text, html)
    if alternative is None:
        alternative = _alternative_part(text, html, boundary)
    else:
        boundary = part_boundary(alternative)
    tail = alternative
    if files:
        content_type, body = multipart("mixed", mixed, [alternative, *map(attachment_part, files)])
        tail = content_type + _CRLF + body
    head = [
        _sender_line(sender),
        _mailbox_line("To", to),
        *([address_line("Reply-To", "", clean_header_text(reply_to))] if reply_to else []),
        subject_line(subject),
        date_line(date),
        message_id_line(clean_header_text(message_id)),
        b"MIME-Version: 1.0\r\n",
    ]
    written = Written(
        b"".join(head) + tail,
        sender,
        to,
        (subject, text, html),
        (message_id, date),
        tuple(files),
        (boundary, mixed),
        reply_to,
    )
    return written.message()


def _stdlib_message(
    mailboxes: tuple[Mailbox, Mailbox],
    content: tuple[str, str, str],
    stamp: tuple[str, datetime],
    files: list[Path],
    boundaries: tuple[str, str],
    reply_to: str = "",
) -> EmailMessage:
    """Build the same message with `EmailMessage` (the WrittenMessage's form on first use).

    Reads the attachment files again.
    """
    (sender, to), (subject, text, html), (message_id, date) = mailboxes, content, stamp
    message = EmailMessage(policy=BUILD_POLICY)
    message["From"] = address_text(clean_header_text(sender.name), sender.address)
    message["To"] = address_text(clean_header_text(to.name), to.address)
    if reply_to:
        message["Reply-To"] = clean_header_text(reply_to)
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = clean_header_text(message_id)
    message.set_content(text, charset="utf-8")
    message.make_alternative(boundary=boundaries[0])
    message.add_alternative(html, subtype="html", charset="utf-8")
    if files:
        message.make_mixed(boundary=boundaries[1])
    for file in files:
        maintype, subtype = _content_type(file)
        message.add_attachment(
            file.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=clean_header_text(file.name),
            params=_type_params(maintype, subtype),
        )
    return message
