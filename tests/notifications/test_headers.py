"""Header values are cleaned or refused before they reach a message."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from notifications.headers import (
    InvalidAddress,
    Mailbox,
    clean_header_text,
    mailbox,
    message_id_for,
    normalise_address,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("李明", "李明"),
        ("Evil\r\nBcc: victim@example.com", "Evil Bcc: victim@example.com"),
        ("a\nb\rc\x00d\te", "a b c d e"),
        ("line\u2028sep\u2029para\x85nel", "line sep para nel"),
        ("right\u202eto\u200bleft\ufeff", "righttoleft"),
        ("  many   spaces\r\n\r\n ", "many spaces"),
    ],
)
def test_clean_header_text_replaces_every_control_character(raw: str, clean: str) -> None:
    assert clean_header_text(raw) == clean


def test_clean_header_text_cuts_long_values_with_an_ellipsis() -> None:
    assert clean_header_text("一二三四五六", limit=4) == "一二三…"


@pytest.mark.parametrize(
    "address",
    [
        "li@unit.example.com\r\nBcc: victim@example.com",
        "li@unit.example.com\n",
        "li\x00@unit.example.com",
        "not-an-address",
        "李明@unit.example.com",
        "",
    ],
)
def test_unusable_addresses_are_refused(address: str) -> None:
    with pytest.raises(InvalidAddress) as info:
        normalise_address(address)

    assert info.value.reason_zh
    assert info.value.reason_en
    if address.strip():
        assert address not in str(info.value)  # the address is personal data


def test_full_width_addresses_are_read_as_their_ascii_form() -> None:
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in "zhang@example.com")
    assert normalise_address(full_width) == "zhang@example.com"
    assert normalise_address("\u3000li@example.com\u3000") == "li@example.com"


def test_a_chinese_local_part_is_refused_with_a_chinese_reason() -> None:
    with pytest.raises(InvalidAddress) as info:
        normalise_address("张伟@example.com")
    assert "中文" in info.value.reason_zh


def test_a_mailbox_built_directly_is_validated_without_showing_the_address() -> None:
    with pytest.raises(ValidationError) as info:
        Mailbox(address="zhang@@example.com")
    assert "zhang@@example.com" not in str(info.value)
    assert Mailbox(address="Li@Unit.EXAMPLE.com", name="李\n明").address == "Li@unit.example.com"


def test_addresses_are_normalised_offline() -> None:
    assert normalise_address(" Li.Ming@Unit.EXAMPLE.com ") == "Li.Ming@unit.example.com"
    assert normalise_address("li@例子.中国") == "li@xn--fsqu00a.xn--fiqs8s"


def test_mailbox_cleans_the_display_name() -> None:
    assert mailbox("li@unit.example.com", "李明\r\nBcc: x@example.com").name == (
        "李明 Bcc: x@example.com"
    )


def test_message_id_is_derived_from_the_key_only() -> None:
    first = message_id_for("2024|invitation|participation:1|1|li@unit.example.com", "example.org")
    again = message_id_for("2024|invitation|participation:1|1|li@unit.example.com", "example.org")
    other = message_id_for("2024|invitation|participation:1|2|li@unit.example.com", "example.org")

    digest = hashlib.sha256(b"2024|invitation|participation:1|1|li@unit.example.com").hexdigest()
    assert first == again == f"<csr.{digest[:40]}@example.org>"
    assert first != other


def test_remembered_addresses_stay_normalised_and_refusals_are_not_remembered() -> None:
    normalise_address.cache_clear()
    for _ in range(2):
        assert normalise_address("Wang.Fang@Unit.EXAMPLE.com") == "Wang.Fang@unit.example.com"
        with pytest.raises(InvalidAddress):
            normalise_address("wang@@unit.example.com")

    info = normalise_address.cache_info()
    assert (info.hits, info.misses, info.currsize) == (1, 3, 1)  # the refusal is checked twice


def _cleaned_one_char_at_a_time(value: str) -> str:
    """The rule spelled out: controls and separators -> space, format characters dropped."""
    kept = []
    for ch in value:
        category = unicodedata.category(ch)
        kept.append(" " if category in {"Cc", "Zl", "Zp"} else "" if category == "Cf" else ch)
    return " ".join("".join(kept).split())


@settings(max_examples=500)
@given(
    value=st.text()
    | st.text(alphabet=st.sampled_from(list("李明 \u3000\u00a0\t\r\n\u200b\u202e\x85a")))
)
def test_clean_header_text_agrees_with_the_rule_character_by_character(value: str) -> None:
    assert clean_header_text(value) == _cleaned_one_char_at_a_time(value)
