"""Talk to the wire: one `Mailer` protocol, an SMTP pool and a file mailer; `make_mailer` picks.

`SmtpMailer` keeps N aiosmtplib clients, each with its own connection that is opened on first
use and reused for every later message (reconnected after a drop). Security is none, STARTTLS or
implicit TLS; the password stays a SecretStr until the moment of AUTH and never appears in a log,
repr or exception raised here. The conversation itself, phase by phase, is transmit.py: an SMTP
failure is raised as TransmitError naming the phase. `FileMailer` writes each message as an .eml
file into a folder in the workspace (named by Message-ID, so a resend overwrites rather than
duplicates). Mailers do not classify, retry or log recipients: every error propagates to the
caller (batches.py, verdicts.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Literal, Protocol

import aiosmtplib
from pydantic import SecretStr

from notifications.transmit import SmtpPhase, TransmitError, open_session, transmit
from schemas.settings import Settings

FILE_MAILER_FOLDER = ("mail", "sent")
_MESSAGE_PHASES = frozenset({SmtpPhase.MAIL, SmtpPhase.RCPT, SmtpPhase.DATA, SmtpPhase.PAYLOAD})
_REPLIES = (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused)


@dataclass(frozen=True)
class SendReceipt:
    """What the server said: the final reply, and recipients it refused (code, text)."""

    code: int
    reply: str
    refused: dict[str, tuple[int, str]]


class Mailer(Protocol):
    """Something that puts one message on the wire per `send` call."""

    @property
    def connections(self) -> int:
        """How many messages may be in flight at once."""
        ...

    async def send(
        self, message: EmailMessage, *, sender: str, recipients: Sequence[str]
    ) -> SendReceipt:
        """Send one message to the envelope recipients; raise whatever the transport raises.

        An SMTP mailer raises TransmitError, naming the phase of the conversation that failed.
        """
        ...

    async def close(self) -> None:
        """Close every open connection (the mailer can be used again afterwards)."""
        ...


class SmtpMailer:
    """A pool of N aiosmtplib clients, one connection each, reused across messages."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: Literal["none", "starttls", "tls"] = "none",
        user: str = "",
        password: SecretStr | None = None,
        connections: int = 4,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.user = user
        self._password = password
        self._connections = connections
        self.timeout = timeout
        self._tls_context = tls_context
        self._clients: list[aiosmtplib.SMTP] = []
        self._idle: asyncio.Queue[aiosmtplib.SMTP] | None = None

    def __repr__(self) -> str:
        auth = f", user={self.user!r}, password=**********" if self.user else ""
        return (
            f"SmtpMailer({self.host}:{self.port}, security={self.security}, "
            f"connections={self._connections}{auth})"
        )

    @property
    def connections(self) -> int:
        """How many connections (and so messages in flight) the pool holds."""
        return self._connections

    def _new_client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self.security == "tls",
            start_tls=False,  # STARTTLS is asked for by open_session, as its own phase
            timeout=self.timeout,
            tls_context=self._tls_context,
        )

    def _pool(self) -> asyncio.Queue[aiosmtplib.SMTP]:
        """Return the idle clients, creating N unconnected ones on first use in this loop."""
        if self._idle is None:
            self._idle = asyncio.Queue()
            self._clients = [self._new_client() for _ in range(self._connections)]
            for client in self._clients:
                self._idle.put_nowait(client)
        return self._idle

    async def send(
        self, message: EmailMessage, *, sender: str, recipients: Sequence[str]
    ) -> SendReceipt:
        """Send over an idle pooled connection (opened on first use). Network I/O; raises.

        Raises TransmitError naming the phase that failed. A connection in an unknown state
        after an error is closed, so the next use reconnects; after the server refused this
        message with a reply it stays open for the next one.
        """
        pool = self._pool()
        client = await pool.get()
        try:
            if not client.is_connected:  # the plain password exists only inside open_session
                await open_session(
                    client,
                    starttls=self.security == "starttls",
                    user=self.user,
                    password=self._password,
                )
            refused, reply = await transmit(client, message, sender, list(recipients))
        except TransmitError as exc:
            if not (exc.phase in _MESSAGE_PHASES and isinstance(exc.error, _REPLIES)):
                client.close()  # dropped, timed out, or TLS/login failed: state unknown
            raise
        except BaseException:
            client.close()  # cancelled or a fault of ours: state unknown
            raise
        finally:
            pool.put_nowait(client)
        return SendReceipt(
            code=250,
            reply=f"250 {reply}".strip(),
            refused={rcpt: (r.code, r.message) for rcpt, r in refused.items()},
        )

    async def close(self) -> None:
        """Say QUIT on every open connection and forget the pool. Network I/O."""
        for client in self._clients:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
        self._clients = []
        self._idle = None


class FileMailer:
    """Write each message as an .eml file into a folder (the workspace's mail/sent by default)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __repr__(self) -> str:
        return f"FileMailer({self.folder})"

    @property
    def connections(self) -> int:
        """One: writing files needs no pool."""
        return 1

    def path_for(self, message: EmailMessage) -> Path:
        """Return the file a message is written to (derived from its Message-ID)."""
        digest = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:32]
        return self.folder / f"{digest}.eml"

    def _write(self, message: EmailMessage) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(message)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(message.as_bytes())
        os.replace(tmp, target)
        return target

    async def send(
        self, message: EmailMessage, *, sender: str, recipients: Sequence[str]
    ) -> SendReceipt:
        """Write the message file (atomically, replacing a previous copy). File I/O; raises."""
        target = await asyncio.to_thread(self._write, message)
        return SendReceipt(code=250, reply=f"250 written {target.name}", refused={})

    async def close(self) -> None:
        """Nothing to close."""


def make_mailer(settings: Settings) -> Mailer:
    """Return the mailer the settings choose: SMTP (`mailer=smtp`) or .eml files (`file`)."""
    if settings.mailer == "smtp":
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password,
            connections=settings.smtp_connections,
            timeout=settings.smtp_timeout_seconds,
        )
    return FileMailer(settings.inside_workspace(*FILE_MAILER_FOLDER))
