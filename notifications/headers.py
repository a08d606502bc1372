"""Header values that are safe to put on the wire: addresses, display names, subjects, Message-IDs.

Every value that reaches a mail header passes through here. Addresses are validated with
email-validator (offline: no DNS) and refused when broken; display names and subjects have every
control character (CR, LF, NUL, TAB, Unicode line/paragraph separators, format characters such as
right-to-left overrides) replaced, so nothing a user typed can start a new header line. The
Message-ID is derived from the outbox idempotency key. This module does not build messages
(message.py) or decide who gets mail.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict

SUBJECT_MAX = 500  # the outbox column's size; longer subjects are cut with an ellipsis
NAME_MAX = 200
_LINE_BREAKING = {"Cc", "Zl", "Zp"}  # control characters, line and paragraph separators
_INVISIBLE = {"Cf"}  # format characters: bidi overrides, zero-width marks, soft hyphen


class InvalidAddress(Exception):
    """An email address that cannot be used (syntax, control characters); carries the value."""

    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        super().__init__(f"invalid email address {address!r}: {reason}")


class Mailbox(BaseModel):
    """A validated address and a cleaned display name (build it with `mailbox()`)."""

    model_config = ConfigDict(frozen=True)

    address: str
    name: str = ""


def clean_header_text(value: str, *, limit: int | None = None) -> str:
    """Return `value` safe for a header: controls become spaces, runs of space collapse. Pure.

    Format characters (bidi overrides, zero-width marks) are dropped. With `limit`, a longer
    result is cut and ends with an ellipsis.
    """
    chars: list[str] = []
    for ch in value:
        category = unicodedata.category(ch)
        if category in _LINE_BREAKING:
            chars.append(" ")
        elif category not in _INVISIBLE:
            chars.append(ch)
    text = " ".join("".join(chars).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def has_control_characters(value: str) -> bool:
    """Return True when `value` holds any character `clean_header_text` would replace. Pure."""
    return any(unicodedata.category(ch) in _LINE_BREAKING | _INVISIBLE for ch in value)


ADDRESS_CACHE = 32_768  # addresses whose normal form is remembered (a season's recipients)


@functools.lru_cache(maxsize=ADDRESS_CACHE)
def normalise_address(address: str) -> str:
    """Return the normalised form of an email address; raise InvalidAddress if it is unusable.

    Offline (no DNS lookup). Internationalised domains become their ASCII (punycode) form; a
    local part that needs SMTPUTF8 is refused, since relays cannot be assumed to support it.
    Pure, so results are remembered (0.1 ms a validation; a recipient gets a dozen mails a
    season, each validated when queued and when sent); refusals are not remembered.
    """
    if has_control_characters(address):
        raise InvalidAddress(address, "contains control characters")
    try:
        result = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(address, str(exc)) from None
    return result.ascii_email or result.normalized


def mailbox(address: str, name: str = "") -> Mailbox:
    """Return a Mailbox with a validated address and a cleaned name; raise InvalidAddress."""
    return Mailbox(address=normalise_address(address), name=clean_header_text(name, limit=NAME_MAX))


def address_domain(address: str) -> str:
    """Return the domain part of a validated address (for Message-IDs)."""
    return normalise_address(address).rpartition("@")[2]


def message_id_for(idempotency_key: str, domain: str) -> str:
    """Return the Message-ID for an outbox row: a hash of its idempotency key at `domain`. Pure.

    The same key always gives the same Message-ID, so a receiver can tell a resend from a new
    mail; the key itself (which names the recipient) is not revealed.
    """
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return f"<csr.{digest}@{domain}>"
