"""Write a message's header lines exactly as the stdlib folds them for SMTP, without its cost.

The stdlib's fold (`email.policy.SMTP` over a parsed header) is the reference; remembering it per
text (wire_format.py `header_line`) serves the headers that repeat, but each recipient's line and
each subject naming a unit are new, and their fold costs 0.3-1 ms: its encoded-word splitter
re-encodes a chunk once for every character it drops. For the shapes a campaign's mail takes
(a CJK display name and a plain address on one line; a subject without spaces that holds
non-ASCII text; an ordinary Message-ID; a Date) the same lines are computed directly, and
anything else is left to the stdlib. tests/notifications/test_header_lines.py holds every line
written here equal to the stdlib's fold. This module does not clean values (headers.py): it
takes them cleaned.
"""

from __future__ import annotations

import base64
import functools
import re
from datetime import datetime, timedelta
from email import _encoded_words  # type: ignore[attr-defined]  # the stdlib's own encoder
from email.headerregistry import Address
from email.utils import format_datetime

from notifications.headers import ADDRESS_CACHE
from notifications.wire_format import MAX_LINE, header_line

_CRLF = b"\r\n"
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
_PLAIN_MESSAGE_ID = re.compile(r"<[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9.-]+>")
_WIDE_NAME = re.compile("[\u0800-\ud7ff\ue000-\U0010ffff]+")  # 3- and 4-byte UTF-8 only
SUBJECT_CACHE = 4096  # subjects whose line is remembered (a template's subject repeats)
_CHROME = len("=?utf-8?q??=")  # what an encoded word adds around its text
_Q_SAFE = frozenset(b"-!*+/ abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def address_line(field: str, name: str, address: str) -> bytes:
    """Return the `From:`/`To:` line for a cleaned name and a validated address. Pure.

    A name of CJK (3- or 4-byte UTF-8) characters and a plain address that fit on one line are
    one base64 encoded word, as the stdlib writes them; an empty name likewise. Anything else is
    the stdlib's fold of `address_text(name, address)`.
    """
    if _PLAIN_ADDRESS.fullmatch(address):
        if not name:
            line = f"{field}: {address}"
        elif _WIDE_NAME.fullmatch(name) and _base64_word(data := name.encode("utf-8")):
            encoded = base64.b64encode(data).decode("ascii")
            line = f"{field}: =?utf-8?b?{encoded}?= <{address}>"
        else:
            line = ""
        if line and len(line) <= MAX_LINE:
            return line.encode("ascii") + _CRLF
    return header_line(field, address_text(name, address))


@functools.lru_cache(maxsize=ADDRESS_CACHE)
def address_text(name: str, address: str) -> str:
    """Return `name <address>` as the stdlib writes it (quoted where needed). Pure; remembered:
    building the Address parses the address again, 0.1 ms."""
    return str(Address(display_name=name, addr_spec=address))


def _base64_word(data: bytes) -> bool:
    """Return True when the stdlib encodes these non-ASCII bytes as a "b" encoded word. Pure.

    Its rule: "q" unless "q" is at least 5 characters longer; "q" spends 3 per non-ASCII byte.
    """
    return 3 * len(data) - 4 * -(-len(data) // 3) >= 5


@functools.lru_cache(maxsize=SUBJECT_CACHE)
def subject_line(subject: str) -> bytes:
    """Return the `Subject:` line for a cleaned subject, folded as the stdlib folds it. Pure.

    A subject without spaces that holds non-ASCII text (and no "=?", which the stdlib would
    read as an encoded word) is one word to the stdlib: it cuts it into the longest encoded
    words that fit each line. Anything else goes to the stdlib.
    """
    if not subject or subject.isascii() or " " in subject or "=?" in subject:
        return header_line("Subject", subject)
    lines = ["Subject: "]
    rest = subject
    while rest:
        room = MAX_LINE - len(lines[-1])
        if room <= _CHROME:
            lines.append(" ")
            continue
        count = _longest_fitting(rest[: room - _CHROME], room)
        word: str = _encoded_words.encode(rest[:count], charset="utf-8")
        lines[-1] += word
        rest = rest[count:]
        if rest:
            lines.append(" ")
    return "\r\n".join(lines).encode("ascii") + _CRLF


def _longest_fitting(chunk: str, room: int) -> int:
    """Return how many leading characters of `chunk` fit in `room` as one encoded word. Pure.

    The stdlib's choice between "q" and "b" per word is kept ("q" unless 5 or more longer).
    """
    size = quoted = fits = 0
    for count, char in enumerate(chunk, 1):
        char_size, char_quoted = _char_cost(char)
        size += char_size
        quoted += char_quoted
        in_base64 = 4 * -(-size // 3)
        if _CHROME + min(quoted, in_base64) > room:
            break  # both only grow: no longer prefix fits
        if _CHROME + (quoted if quoted - in_base64 < 5 else in_base64) <= room:
            fits = count
    return fits


@functools.lru_cache(maxsize=8192)
def _char_cost(char: str) -> tuple[int, int]:
    """Return a character's UTF-8 size and its size in a "q" encoded word. Pure; remembered."""
    data = char.encode("utf-8")
    return len(data), sum(1 if byte in _Q_SAFE else 3 for byte in data)


def message_id_line(message_id: str) -> bytes:
    """Return the `Message-ID:` line for a cleaned Message-ID (direct when plain, short). Pure."""
    line = f"Message-ID: {message_id}"
    if len(line) <= MAX_LINE and _PLAIN_MESSAGE_ID.fullmatch(message_id):
        return line.encode("ascii") + _CRLF
    return header_line("Message-ID", message_id)


def date_line(date: datetime) -> bytes:
    """Return the `Date:` line (RFC 5322 date, ASCII, short: written directly). Pure.

    A year before 1000 or an offset with seconds, which the stdlib's parse changes, is left to it.
    The date has whole seconds, so the line is remembered for the last few seconds (a deliverer
    writes hundreds of messages a second).
    """
    return _date_line(date.replace(microsecond=0), date.utcoffset())


@functools.lru_cache(maxsize=8)
def _date_line(date: datetime, offset: timedelta | None) -> bytes:
    """Return `date_line` of a date without microseconds; remembered by instant and offset
    (equal instants in two zones compare equal, their lines do not)."""
    text = format_datetime(date)
    offset = date.utcoffset()
    if date.year >= 1000 and (offset is None or offset % timedelta(minutes=1) == timedelta(0)):
        return f"Date: {text}".encode("ascii") + _CRLF
    return header_line("Date", text)
