"""Hold one SMTP conversation phase by phase, so that a failure says where it happened.

`open_session` connects a client (TCP, greeting, EHLO), upgrades it with STARTTLS and logs in
when configured; `transmit` sends one message: MAIL FROM, RCPT TO, the DATA command up to the
server's 354, then the content with the end-of-data dot and the final reply. Any failure is
raised as `TransmitError` carrying the `SmtpPhase` it happened in and the transport's error:
whether the server may already hold the message depends on it (verdicts.py decides). The
content phase is aiosmtplib's `execute_data_command` split in two (its DATA half is an ordinary
command); it writes the same bytes. Addresses beyond ASCII take the SMTPUTF8 route and are
flattened as aiosmtplib's `send_message` does; ASCII ones by notifications/wire_format.py.
The password stays a SecretStr until the AUTH command. This module keeps no pool (mailers.py).
"""

from __future__ import annotations

import contextlib
import re
import ssl
from email.message import EmailMessage
from enum import StrEnum

import aiosmtplib
from aiosmtplib.email import flatten_message, quote_address
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from pydantic import SecretStr

from notifications.wire_format import WrittenMessage, message_bytes

START_INPUT = 354
COMPLETED = 250
WILL_FORWARD = 251
SERVICE_CLOSING = 421


class SmtpPhase(StrEnum):
    """Where in the conversation a send failed (each says what the server can have seen)."""

    CONNECT = "connecting"  # TCP, greeting, EHLO
    TLS = "TLS"  # STARTTLS, or the handshake of implicit TLS
    AUTH = "login"
    MAIL = "MAIL FROM"
    RCPT = "RCPT TO"
    DATA = "DATA"  # the DATA command, until the server's 354
    PAYLOAD = "end of data"  # content and end-of-data dot handed over, until the reply


class TransmitError(Exception):
    """A send that failed in `phase`; `error` (also the cause) is what the transport raised."""

    def __init__(self, phase: SmtpPhase, error: Exception) -> None:
        super().__init__(f"{phase.value}: {type(error).__name__}: {error}")
        self.phase = phase
        self.error = error


async def open_session(
    client: aiosmtplib.SMTP, *, starttls: bool, user: str, password: SecretStr | None
) -> None:
    """Connect `client`, then STARTTLS and AUTH if asked. Network I/O; raises TransmitError.

    A server that does not offer STARTTLS (or AUTH while a user is set) is refused here rather
    than talked to in the clear; an implicit-TLS handshake failure counts as the TLS phase.
    """
    phase = SmtpPhase.CONNECT
    try:
        await client.connect()
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        if starttls:
            phase = SmtpPhase.TLS
            _require(client, "starttls", "STARTTLS is configured but the server does not offer it")
            await client.starttls()
        if user:
            phase = SmtpPhase.AUTH
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
            _require(client, "auth", "a user is configured but the server does not offer AUTH")
            await client.login(user, password.get_secret_value() if password else "")
    except Exception as exc:
        if phase is SmtpPhase.CONNECT and isinstance(exc.__cause__, ssl.SSLError):
            phase = SmtpPhase.TLS
        raise TransmitError(phase, exc) from exc


def _require(client: aiosmtplib.SMTP, extension: str, refusal: str) -> None:
    """Raise SMTPNotSupported(`refusal`) unless the server's EHLO offered `extension`."""
    if not client.supports_extension(extension):
        raise aiosmtplib.SMTPNotSupported(refusal)


def _content(client: aiosmtplib.SMTP, message: EmailMessage, utf8: bool) -> tuple[list[str], bytes]:
    """Return the MAIL FROM options and the message as transmitted (CRLF, final CRLF).

    The same as aiosmtplib would send. A written message's bytes are so already
    (tests/notifications/test_message.py), so they skip the line-ending check (two scans of
    the message, 40 µs for 10 KB).
    """
    eight_bit = client.supports_extension("8BITMIME")
    options = ["BODY=8BITMIME"] if eight_bit else []
    written = message.written_bytes() if isinstance(message, WrittenMessage) else None
    if utf8:
        if not client.supports_extension("smtputf8"):
            raise aiosmtplib.SMTPNotSupported("the server does not offer SMTPUTF8")
        options.append("SMTPUTF8")
        data = flatten_message(message, utf8=True, cte_type="8bit" if eight_bit else "7bit")
    elif eight_bit and written is not None:
        data = written
    else:
        data = message_bytes(message, eight_bit=eight_bit)
    if data is not written:
        data = as_transmitted(data)
    if client.supports_extension("size"):
        options.insert(0, f"SIZE={len(data)}")
    return options, data


def as_transmitted(data: bytes) -> bytes:
    """Return `data` with every line break CRLF and a final CRLF, as aiosmtplib sends it. Pure.

    aiosmtplib's regular expression pass (40 µs for a 7 KB mail) is skipped when the data is
    so already.
    """
    crlf = data.count(b"\r\n")
    if data.count(b"\r") == crlf == data.count(b"\n") and data.endswith(b"\r\n"):
        return data
    return normalize_message_line_endings(data)


def dot_stuffed(data: bytes) -> bytes:
    """Return transmitted `data` with a dot doubled at each line start and the end-of-data dot.

    Pure; the same bytes as aiosmtplib's `execute_data_command` writes (its pass skipped when
    no line starts with a dot).
    """
    if data.startswith(b".") or b"\n." in data:
        data = PERIOD_REGEX.sub(b"..", data)
    return data + b".\r\n"


async def transmit(
    client: aiosmtplib.SMTP, message: EmailMessage, sender: str, recipients: list[str]
) -> tuple[dict[str, aiosmtplib.SMTPResponse], str]:
    """Send one message over a connected client; return refused recipients and the final reply.

    Network I/O. Raises TransmitError naming the phase; after a reply refusing the message the
    envelope is reset (RSET) so the connection can carry the next one.
    """
    utf8 = not (sender + "".join(recipients)).isascii()
    encoding = "utf-8" if utf8 else "ascii"
    phase = SmtpPhase.MAIL
    try:
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        options, data = _content(client, message, utf8)
        await _mail_from(client, sender, options, encoding)
        phase = SmtpPhase.RCPT
        refused = await _recipients(client, recipients, encoding)
        phase = SmtpPhase.DATA
        start = await client.execute_command(b"DATA")
        if start.code != START_INPUT:
            raise aiosmtplib.SMTPDataError(start.code, start.message)
        phase = SmtpPhase.PAYLOAD
        reply = await _payload(client, data)
    except TransmitError:
        raise
    except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as exc:
        await _reset(client)
        raise TransmitError(phase, exc) from exc
    except Exception as exc:
        raise TransmitError(phase, exc) from exc
    return refused, reply.message


# A dot-atom address (what schemas/addresses.py admits): email.utils' parser returns it as it
# is, and it holds nothing that could break out of the command line.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def envelope_address(address: str) -> str:
    """Return `address` as MAIL FROM / RCPT TO carry it, `<address>`, as aiosmtplib quotes it.

    Pure. A plain dot-atom address is quoted as it is (aiosmtplib's `quote_address` returns the
    same after running email.utils' address parser, the costliest step of a send); anything
    else goes through `quote_address`, which refuses what could inject a command.
    """
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return quote_address(address)


async def _mail_from(
    client: aiosmtplib.SMTP, sender: str, options: list[str], encoding: str
) -> None:
    """Send MAIL FROM with its options; raise SMTPSenderRefused unless the server says 250."""
    line = b"FROM:" + envelope_address(sender).encode(encoding)
    reply = await client.execute_command(b"MAIL", line, *(o.encode("ascii") for o in options))
    if reply.code != COMPLETED:
        raise aiosmtplib.SMTPSenderRefused(reply.code, reply.message, sender)


async def _recipients(
    client: aiosmtplib.SMTP, recipients: list[str], encoding: str
) -> dict[str, aiosmtplib.SMTPResponse]:
    """Send RCPT TO for each recipient; return the refused ones (raise if all were refused)."""
    refusals: list[aiosmtplib.SMTPRecipientRefused] = []
    for address in recipients:
        line = b"TO:" + envelope_address(address).encode(encoding)
        reply = await client.execute_command(b"RCPT", line)
        if reply.code not in (COMPLETED, WILL_FORWARD):
            refusals.append(aiosmtplib.SMTPRecipientRefused(reply.code, reply.message, address))
    if len(refusals) == len(recipients):
        raise aiosmtplib.SMTPRecipientsRefused(refusals)
    return {r.recipient: aiosmtplib.SMTPResponse(r.code, r.message) for r in refusals}


async def _payload(client: aiosmtplib.SMTP, data: bytes) -> aiosmtplib.SMTPResponse:
    """Write the content (as transmitted: `_content`), dot-stuffed, with the end-of-data dot;
    return the server's reply.

    The second half of aiosmtplib's `execute_data_command`: the same bytes under the same
    command lock. A connection already gone before the write raises TransmitError in the DATA
    phase (nothing was handed over); errors after the write belong to the caller's PAYLOAD.
    """
    protocol = client.protocol
    lock = protocol._command_lock if protocol is not None else None
    if protocol is None or lock is None:
        raise TransmitError(SmtpPhase.DATA, aiosmtplib.SMTPServerDisconnected("Connection lost"))
    payload = dot_stuffed(data)
    async with lock:
        if not protocol.is_connected:
            lost = aiosmtplib.SMTPServerDisconnected("Connection lost")
            raise TransmitError(SmtpPhase.DATA, lost)
        protocol._response_pending = True
        protocol.write(payload)
        try:
            reply = await protocol.read_response(timeout=client.timeout)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
            client.close()  # the protocol is out of step with the server: never reuse it
            raise
    if reply.code == SERVICE_CLOSING:
        client.close()  # the server is closing this connection: the next message reconnects
    if reply.code != COMPLETED:
        raise aiosmtplib.SMTPDataError(reply.code, reply.message)
    return reply


async def _reset(client: aiosmtplib.SMTP) -> None:
    """Say RSET after a refusal so the connection can carry the next message (best effort)."""
    if not client.is_connected:
        return
    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
        await client.rset()
