"""The bytes handed to the server are aiosmtplib's own, with its passes skipped when idle."""

from __future__ import annotations

import pytest
from aiosmtplib.email import quote_address
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifications.transmit import _PLAIN_ADDRESS, as_transmitted, dot_stuffed, envelope_address

LINES = st.lists(st.sampled_from([b"", b".", b"..x", b"a.b", b"=?utf-8?b?5p2O?=", b"\xe6\x9d\x8e"]))
BREAKS = st.sampled_from([b"\r\n", b"\n", b"\r", b"\r\r\n", b"\n\r"])


@settings(max_examples=400)
@given(lines=LINES, breaks=st.lists(BREAKS, min_size=30, max_size=30), tail=st.booleans())
@example(lines=[b".start", b"x"], breaks=[b"\r\n"] * 30, tail=True)
@example(lines=[b"a", b"b"], breaks=[b"\r\n"] * 30, tail=False)
def test_transmitted_bytes_are_aiosmtplibs(
    lines: list[bytes], breaks: list[bytes], tail: bool
) -> None:
    data = b"".join(line + brk for line, brk in zip(lines, breaks, strict=False))
    if not tail and data:
        data = data[:-1]

    sent = dot_stuffed(as_transmitted(data))

    assert as_transmitted(data) == normalize_message_line_endings(data)
    assert sent == PERIOD_REGEX.sub(b"..", normalize_message_line_endings(data)) + b".\r\n"


_ADDRESS_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))


@settings(max_examples=600)
@given(
    st.one_of(
        st.from_regex(_PLAIN_ADDRESS, fullmatch=True),
        st.text(_ADDRESS_CHARS, max_size=30),
        st.builds(
            "{}@{}".format,
            st.text(_ADDRESS_CHARS, min_size=1, max_size=12),
            st.text(_ADDRESS_CHARS, min_size=1, max_size=12),
        ),
    )
)
@example("a.b+c@x-y.example.com")
@example("a..b@example.com")
@example(".a@example.com")
@example('"a b"@example.com')
@example("a@example.com>\r\nRCPT TO:<b@example.com")
def test_the_envelope_address_is_what_aiosmtplib_would_send(address: str) -> None:
    """The oracle is aiosmtplib's own quoting (email.utils' parser and its injection check)."""
    try:
        expected: str | None = quote_address(address)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError, match="not permitted"):
            envelope_address(address)
    else:
        assert envelope_address(address) == expected
