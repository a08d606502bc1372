"""The bytes a message is sent as: the stdlib's SMTP flattening, its rules and its folds.

`message_bytes` returns what aiosmtplib would send for a message (`policy.SMTP`, CRLF, Bcc and
Resent-Bcc dropped): a `WrittenMessage` (notifications/message.py) as it was written, any other
EmailMessage flattened by the stdlib. The pieces a written message is made of are here too, each
the stdlib's own result: `header_line` (the stdlib's fold of one header), `encode_text` (the
transfer encoding and body `set_content` gives UTF-8 text), `text_part` and `multipart` (the
generator's framing). tests/notifications/test_message.py holds them equal to the stdlib.

The stdlib's header work is remembered. `BUILD_POLICY` is `policy.default` (which refuses CR/LF
in a header) whose parsed header objects are remembered by (name, text); `SMTP_POLICY` is
`policy.SMTP` whose folds of header objects are remembered by (name, text), in bounded caches.
A season's messages repeat most of their headers (the sender, every part's Content-Type, the
subject of a reminder sent to a thousand units); a fold of a Chinese subject costs 0.3-1 ms.
Header objects are immutable, so messages can share them.
"""

from __future__ import annotations

import binascii
import copy
import functools
import io
import itertools
from collections.abc import Callable, Sequence
from email import policy, quoprimime
from email.contentmanager import _encode_text  # type: ignore[attr-defined]  # the stdlib's rule
from email.generator import NLCRE, BytesGenerator  # type: ignore[attr-defined]
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Any, NamedTuple, TypeVar

CACHE_SIZE = 20_000  # distinct entries each cache keeps; the older half is dropped when full
# Headers that differ on every message: never remembered. Their parse and fold are cheap (ASCII,
# ~0.03 ms), and remembering them filled the caches with entries never asked for again, so the
# caches were emptied every few thousand messages and the costly folds (a Chinese subject,
# 0.3 ms; a Chinese display name, 0.1 ms) were redone.
UNIQUE_PER_MESSAGE = frozenset({"message-id"})
K = TypeVar("K")
V = TypeVar("V")


class ParseKey(NamedTuple):
    """What a parsed header is remembered by: the header's name and its value's text."""

    name: str
    text: str


class FoldKey(NamedTuple):
    """What a header's fold is remembered by: the policy's wire settings, its name and text."""

    linesep: str
    max_line_length: int | None
    utf8: bool
    cte_type: str
    name: str
    text: str


def _remember(cache: dict[K, V], key: K, make: Callable[[], V]) -> V:
    """Return `cache[key]`, made by `make()` and kept on first use (bounded: when full, the
    older half of the entries, in the order they were made, is dropped)."""
    found = cache.get(key)
    if found is None:
        found = make()
        if len(cache) >= CACHE_SIZE:
            for old in list(itertools.islice(cache, CACHE_SIZE // 2)):
                del cache[old]
        cache[key] = found
    return found


class _CachedParsePolicy(EmailPolicy):
    """`policy.default` whose parsed headers are remembered by (name, text), and the most
    times a header may occur by its name (the stdlib builds a new class to answer that, on
    every header set: 12 µs each)."""

    def header_max_count(self, name: str) -> int | None:
        key = name.lower()
        if key not in _MAX_COUNTS:  # a few dozen names at most: never cleared
            _MAX_COUNTS[key] = super().header_max_count(name)
        return _MAX_COUNTS[key]

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if type(value) is not str:  # header objects, Address objects: as the stdlib does
            return super().header_store_parse(name, value)
        store = super().header_store_parse  # refuses CR/LF, so nothing refused is kept
        if name.lower() in UNIQUE_PER_MESSAGE:
            return store(name, value)
        return _remember(_PARSED, ParseKey(name, value), lambda: store(name, value))


class _CachedFoldPolicy(EmailPolicy):
    """`policy.SMTP` whose header folds are remembered by (name, value text)."""

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in UNIQUE_PER_MESSAGE or not hasattr(value, "name"):
            # A parsed message's header is its source text (a str, not a header object), folded
            # differently from a header object of the same text (an empty Subject keeps its
            # space): never shared.
            return super().fold_binary(name, value)
        key = FoldKey(
            self.linesep, self.max_line_length, self.utf8, self.cte_type, name, str(value)
        )
        fold = super().fold_binary
        return _remember(_FOLDS, key, lambda: fold(name, value))


_MAX_COUNTS: dict[str, int | None] = {}
_FOLDS: dict[FoldKey, bytes] = {}
_PARSED: dict[ParseKey, tuple[str, Any]] = {}  # the value: the stdlib's (name, header object)
BUILD_POLICY = _CachedParsePolicy(**policy.default.__dict__)
SMTP_POLICY = _CachedFoldPolicy(**policy.SMTP.__dict__)
SMTP_POLICY_7BIT = SMTP_POLICY.clone(cte_type="7bit")  # for servers without 8BITMIME
MAX_LINE = BUILD_POLICY.max_line_length or 78  # the stdlib's line limit for bodies and headers
_BASE64_CHUNK = MAX_LINE // 4 * 3  # bytes per base64 line, as the stdlib cuts them
_ASCII = bytes(range(128))
_CRLF = b"\r\n"


def message_bytes(message: EmailMessage, *, eight_bit: bool = True) -> bytes:
    """Return the message as SMTP DATA bytes (CRLF, Bcc and Resent-Bcc removed). Pure.

    `eight_bit=False` for a server that does not offer 8BITMIME (8-bit parts re-encoded). A
    `WrittenMessage` nobody has used as an EmailMessage yet gives the bytes it was written as.
    """
    if eight_bit and isinstance(message, WrittenMessage):
        written = message.written_bytes()
        if written is not None:
            return written
    outgoing = copy.copy(message)
    del outgoing["Bcc"]
    del outgoing["Resent-Bcc"]
    with io.BytesIO() as buffer:
        generator = BytesGenerator(buffer, policy=SMTP_POLICY if eight_bit else SMTP_POLICY_7BIT)
        generator.flatten(outgoing)
        return buffer.getvalue()


def header_line(name: str, text: str) -> bytes:
    """Return `name: text` folded as the stdlib folds it for SMTP (CRLF). Pure; remembered.

    Raises ValueError for a value holding CR or LF (the stdlib refuses it).
    """
    _, header = BUILD_POLICY.header_store_parse(name, text)
    folded: bytes = SMTP_POLICY.fold_binary(name, header)
    return folded


class WrittenMessage(EmailMessage):
    """A message written straight to its SMTP bytes (notifications/message.py).

    It is a full EmailMessage: on the first use of any EmailMessage attribute (reading a
    header, walking the parts, changing anything) it is built the stdlib's way, by `build`,
    and from then on `message_bytes` flattens it as any other. Until then `message_bytes`
    returns the written bytes, which tests/notifications/test_message.py holds equal to that
    build flattened: sending never builds the tree of parts and header objects.
    """

    def __init__(self, written: bytes, build: Callable[[], EmailMessage]) -> None:
        # No EmailMessage.__init__: its state is made by `build` on first use.
        self.__dict__.update(_written=written, _build=build)

    def written_bytes(self) -> bytes | None:
        """Return the bytes the message was written as, or None once it was used (and may have
        changed) as an EmailMessage."""
        written: bytes | None = self.__dict__.get("_written")
        return written

    def __getattr__(self, name: str) -> Any:
        """Build the EmailMessage state on first use, then read `name` from it."""
        build = self.__dict__.get("_build")
        if build is None or name.startswith("__"):
            raise AttributeError(name)
        self.__dict__.update(build().__dict__, _written=None, _build=None)
        return getattr(self, name)


def _crlf_lines(payload: str) -> bytes:
    """Return a part's payload with every line break as CRLF, as the generator writes it."""
    lines: list[str] = NLCRE.split(payload)
    return "".join(line + "\r\n" for line in lines[:-1]).encode("ascii") + lines[-1].encode("ascii")


def _base64_is_shorter(sniff: bytes) -> bool:
    """Return True when the stdlib would pick base64 over quoted-printable for `sniff`. Pure.

    Quoted-printable is at least one character per byte and three per non-ASCII byte: when that
    bound already passes base64's length the stdlib's quoted-printable trial is skipped.
    """
    with_base64 = 4 * -(-len(sniff) // 3) + 1  # binascii.b2a_base64 ends with a newline
    if len(sniff) + 2 * len(sniff.translate(None, _ASCII)) > with_base64:
        return True
    return _quoted_printable_length(sniff) > with_base64


@functools.lru_cache(maxsize=256)
def _quoted_printable_length(sniff: bytes) -> int:
    """Return the length of the stdlib's quoted-printable trial of `sniff`. Pure; remembered:
    the first lines of a template's HTML body are the same on all its messages."""
    return len(quoprimime.body_encode(sniff.decode("latin-1"), MAX_LINE))


def encode_text(text: str) -> tuple[str, bytes]:
    """Return the transfer encoding `set_content` picks for UTF-8 `text` and the body as sent.

    The stdlib's rule: lines within 78 bytes are 7bit (ASCII) or 8bit; otherwise base64 or
    quoted-printable, whichever is shorter on the first ten lines. Pure.
    """
    lines = text.encode("utf-8").splitlines()
    if max(map(len, lines), default=0) <= MAX_LINE:
        body = _CRLF.join(lines) + _CRLF
        return ("7bit" if body.isascii() else "8bit"), body
    if not _base64_is_shorter(b"\n".join(lines[:10]) + b"\n"):
        cte, payload = _encode_text(text, "utf-8", None, BUILD_POLICY)
        return cte, _crlf_lines(payload)
    # The stdlib encodes 57 bytes a line: whole groups of 3, so one encoding cut every 76
    # characters is the same text.
    encoded = binascii.b2a_base64(b"\n".join(lines) + b"\n", newline=False)
    width = _BASE64_CHUNK // 3 * 4
    cut = [encoded[i : i + width] for i in range(0, len(encoded), width)]
    return "base64", _CRLF.join(cut) + _CRLF


def text_part(subtype: str, text: str, *, mime_version: bool) -> bytes:
    """Return a text/<subtype> UTF-8 part (headers, blank line, body) as sent. Pure.

    `mime_version`: the stdlib gives every part after the first its own MIME-Version header.
    """
    cte, body = encode_text(text)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n'
    if mime_version:
        head += "MIME-Version: 1.0\r\n"
    return head.encode("ascii") + _CRLF + body


@functools.lru_cache(maxsize=64)
def _multipart_type_line(subtype: str, boundary: str) -> bytes:
    """Return the Content-Type line of a multipart/<subtype> with `boundary`. Remembered."""
    return header_line("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')


def multipart(subtype: str, boundary: str, parts: Sequence[bytes]) -> tuple[bytes, bytes]:
    """Return (Content-Type line, body) of a multipart/<subtype> holding `parts`. Pure."""
    content_type = _multipart_type_line(subtype, boundary)
    delimiter = f"--{boundary}".encode("ascii")
    between = _CRLF + delimiter + _CRLF
    body = delimiter + _CRLF + between.join(parts) + _CRLF + delimiter + b"--" + _CRLF
    return content_type, body
