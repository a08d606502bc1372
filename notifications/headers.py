"""Header values that are safe to put on the wire: addresses, display names, subjects, Message-IDs.

Every value that reaches a mail header passes through here. Addresses are validated with
email-validator (offline: no DNS) and refused when broken; display names and subjects have every
control character (CR, LF, NUL, TAB, Unicode line/paragraph separators, format characters such as
right-to-left overrides) replaced, so nothing a user typed can start a new header line. The
Message-ID is derived from the outbox idempotency key. This module does not build messages
(message.py) or decide who gets mail.
"""

from __future__ import annotations

import hashlib
import unicodedata

from pydantic import BaseModel, ConfigDict, field_validator

from schemas.addresses import ADDRESS_CACHE as ADDRESS_CACHE
from schemas.addresses import InvalidAddress as InvalidAddress
from schemas.addresses import normalise_address as normalise_address

SUBJECT_MAX = 500  # the outbox column's size; longer subjects are cut with an ellipsis
NAME_MAX = 200
_LINE_BREAKING = {"Cc", "Zl", "Zp"}  # control characters, line and paragraph separators
_INVISIBLE = {"Cf"}  # format characters: bidi overrides, zero-width marks, soft hyphen


class Mailbox(BaseModel):
    """A validated address and a cleaned display name, however it is built.

    `mailbox()` raises InvalidAddress; building one directly raises a ValidationError that does
    not show the address.
    """

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    address: str
    name: str = ""

    @field_validator("address", mode="plain")
    @classmethod
    def _valid_address(cls, value: object) -> str:
        """Validate and normalise the address however the Mailbox was built (raises)."""
        return normalise_address(str(value))

    @field_validator("name", mode="plain")
    @classmethod
    def _clean_name(cls, value: object) -> str:
        """Clean the display name however the Mailbox was built."""
        return clean_header_text(str(value), limit=NAME_MAX)


def clean_header_text(value: str, *, limit: int | None = None) -> str:
    """Return `value` safe for a header: controls become spaces, runs of space collapse. Pure.

    Format characters (bidi overrides, zero-width marks) are dropped. With `limit`, a longer
    result is cut and ends with an ellipsis.
    """
    if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        text = value  # no control, format or separator character, single spaces: as it is
    else:
        text = _cleaned(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _cleaned(value: str) -> str:
    """Return `value` with controls as spaces, format characters dropped, spaces collapsed."""
    chars: list[str] = []
    for ch in value:
        category = unicodedata.category(ch)
        if category in _LINE_BREAKING:
            chars.append(" ")
        elif category not in _INVISIBLE:
            chars.append(ch)
    return " ".join("".join(chars).split())


def has_control_characters(value: str) -> bool:
    """Return True when `value` holds any character `clean_header_text` would replace. Pure."""
    return any(unicodedata.category(ch) in _LINE_BREAKING | _INVISIBLE for ch in value)


def mailbox(address: str, name: str = "") -> Mailbox:
    """Return a Mailbox with a validated address and a cleaned name; raise InvalidAddress."""
    return Mailbox(address=normalise_address(address), name=name)


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
