"""Build the MIME message for one outbox row: headers, text + HTML alternative, attachments.

Uses `email.message.EmailMessage` with the `default` policy (which also refuses CR/LF in headers;
its parsed headers remembered, notifications/wire_format.py),
after every header value went through notifications/headers.py. Attachments are read only from
inside the workspace: a path is resolved (symlinks followed) and refused unless it stays under the
workspace. This module does not send (mailers.py) and does not touch the database.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from notifications.headers import SUBJECT_MAX, Mailbox, clean_header_text
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


def _address(box: Mailbox) -> Address:
    return Address(display_name=clean_header_text(box.name), addr_spec=box.address)


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
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
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
