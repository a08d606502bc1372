"""Build and serialise messages as the stdlib does, with its header work remembered.

Building: `BUILD_POLICY` is `policy.default` (which refuses CR/LF in a header) whose parsed
header objects are remembered by (name, text) for text values. A season's messages repeat most
of their headers (every part's Content-Type and Content-Transfer-Encoding, MIME-Version, the
subject of a reminder sent to a thousand units), and parsing them was a third of building a
message. Header objects are immutable, so messages can share them.

Serialising for SMTP DATA: the bytes aiosmtplib would send, made faster.

aiosmtplib's `send_message` flattens with the stdlib's `policy.SMTP`, which re-parses and
re-folds every header of every part on every message: with Chinese display names and
subjects that is ~60 % of a message's flattening (measured: 4.4 ms a message, 2.2 ms with
folds cached). A header's fold is a function of its name and its value's text alone (the
header registry parses both structured and unstructured values from that text), and most of a
season's headers repeat: the sender, the subject of a reminder sent to a thousand units, every
part's Content-Type. `SMTP_POLICY` is `policy.SMTP` with those folds remembered (a bounded
cache); `message_bytes` drops Bcc/Resent-Bcc and flattens with it, as aiosmtplib does.
tests/notifications/test_wire_format.py checks the bytes against aiosmtplib's own flattening.
"""

from __future__ import annotations

import copy
import io
import itertools
from collections.abc import Callable
from email import policy
from email.generator import BytesGenerator
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
        if name.lower() in UNIQUE_PER_MESSAGE:
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


def message_bytes(message: EmailMessage, *, eight_bit: bool = True) -> bytes:
    """Return the message as SMTP DATA bytes (CRLF, Bcc and Resent-Bcc removed). Pure.

    `eight_bit=False` for a server that does not offer 8BITMIME (8-bit parts re-encoded).
    """
    outgoing = copy.copy(message)
    del outgoing["Bcc"]
    del outgoing["Resent-Bcc"]
    with io.BytesIO() as buffer:
        generator = BytesGenerator(buffer, policy=SMTP_POLICY if eight_bit else SMTP_POLICY_7BIT)
        generator.flatten(outgoing)
        return buffer.getvalue()
