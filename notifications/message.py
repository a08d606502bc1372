"""Build the MIME message for one outbox row: headers, text + HTML alternative, attachments.

Uses `email.message.EmailMessage` with the `default` policy (which also refuses CR/LF in headers;
its parsed headers remembered, notifications/wire_format.py),
after every header value went through notifications/headers.py. Attachments are read only from
inside the workspace: a path is resolved (symlinks followed) and refused unless it stays under the
workspace. This module does not send (mailers.py) and does not touch the database.
"""

from __future__ import annotations

import functools
import mimetypes
import secrets
from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from notifications.headers import ADDRESS_CACHE, SUBJECT_MAX, Mailbox, clean_header_text
from notifications.wire_format import BUILD_POLICY


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


def boundaries_for(*bodies: str) -> tuple[str, str]:
    """Return (alternative, mixed) boundaries that appear in none of `bodies`."""
    alternative, mixed = _BOUNDARIES
    while any(b in body for body in bodies for b in (alternative, mixed)):
        alternative, mixed = _new_boundary(), _new_boundary()
    return alternative, mixed


def _address(box: Mailbox) -> str:
    """Return the mailbox as header text (the stdlib parses an Address object's text anyway;
    as text, the parse of a recipient's header is remembered for their next mail)."""
    return _address_text(box.name, box.address)


@functools.lru_cache(maxsize=ADDRESS_CACHE)
def _address_text(name: str, address: str) -> str:
    """Return `name <address>` as the stdlib writes it (quoted where needed). Pure; remembered:
    building the Address parses the address again, 0.1 ms."""
    return str(Address(display_name=clean_header_text(name), addr_spec=address))


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
) -> EmailMessage:
    """Return the message: From, To, Subject, Date, Message-ID, text + HTML, attachments.

    Reads the attachment files (inside the workspace only; raises AttachmentRefused).
    """
    files = [attachment_path(workspace, a) for a in attachments]
    message = EmailMessage(policy=BUILD_POLICY)
    message["From"] = _address(sender)
    message["To"] = _address(to)
    message["Subject"] = clean_header_text(subject, limit=SUBJECT_MAX)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = clean_header_text(message_id)
    alternative, mixed = boundaries_for(text, html)
    message.set_content(text, charset="utf-8")
    message.make_alternative(boundary=alternative)
    message.add_alternative(html, subtype="html", charset="utf-8")
    if files:
        message.make_mixed(boundary=mixed)
    for file in files:
        kind, _ = mimetypes.guess_type(file.name)
        maintype, _, subtype = (kind or "application/octet-stream").partition("/")
        message.add_attachment(
            file.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=clean_header_text(file.name),
        )
    return message
