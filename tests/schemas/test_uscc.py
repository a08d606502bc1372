"""Tests for schemas/uscc.py: USCC normalisation, validation and check characters."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.uscc import InvalidUSCC, normalise_uscc, uscc_check_character

# The oracle: GB 32100-2015's check character, written here from the standard.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
DIGITS = "0123456789"


def oracle_check(body: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def oracle_is_valid(code: str) -> bool:
    """18 characters from the alphabet, the first 8 digits (authority, type, region), check ok."""
    return (
        len(code) == 18
        and all(ch in DIGITS for ch in code[:8])
        and all(ch in ALPHABET for ch in code)
        and code[17] == oracle_check(code[:17])
    )


def full_width(text: str) -> str:
    """ASCII letters and digits to their full-width forms (U+FF10..), as Chinese IMEs type them."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in text)


# Published codes (Baoshan Iron & Steel; China Petroleum & Chemical) and hand-picked bodies.
BAOSTEEL = "91310000631696382C"
SINOPEC = "91110000710926094P"


def test_oracle_agrees_with_published_codes() -> None:
    assert [oracle_check(c[:17]) for c in (BAOSTEEL, SINOPEC)] == ["C", "P"]


def test_check_character_of_a_hand_computed_body() -> None:
    # Values 1..17 (A = 10 ... H = 17) times the weights: 1 + 6 + 27 + 108 + 95 + 156 + 112 + 136
    # + 180 + 290 + 275 + 156 + 104 + 336 + 150 + 480 + 476 = 3088; 3088 mod 31 = 19;
    # 31 - 19 = 12; ALPHABET[12] = "C".
    body = "123456789ABCDEFGH"

    assert (uscc_check_character(body), oracle_check(body)) == ("C", "C")


@pytest.mark.parametrize(
    "body", ["91310000631696382", "51310000MJ4960321", "12310000425001234", "91310115MA1K3BTP2"]
)
def test_check_character_matches_the_oracle(body: str) -> None:
    assert uscc_check_character(body) == oracle_check(body)


@pytest.mark.parametrize(
    "body", ["91310000631696382", "51310000MJ4960321", "12310000425001234", "91310115MA1K3BTP2"]
)
def test_a_generated_code_is_valid(body: str) -> None:
    code = body + uscc_check_character(body)

    assert normalise_uscc(code) == code


def test_check_character_rejects_a_short_body() -> None:
    with pytest.raises(InvalidUSCC, match="the body before the check character is 17 long") as e:
        uscc_check_character("9131000063169638")

    assert (e.value.value, e.value.reason_zh) == ("9131000063169638", "主体应为17位")


def test_check_character_rejects_a_letter_outside_the_alphabet() -> None:
    with pytest.raises(InvalidUSCC, match="contains characters a USCC cannot have") as e:
        uscc_check_character("9131000063169638I")

    assert e.value.reason_zh == "含有不允许的字符"


# ---- accepted spellings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param("91310000631696382c", id="lower-case"),
        pytest.param("  91310000631696382C\t", id="surrounding-space"),
        pytest.param("9131 0000 6316 9638 2C", id="spaces"),
        pytest.param("91-310000-631696382-C", id="hyphens"),
        pytest.param(
            "\uff19\uff11\uff13\uff11\uff10\uff10\uff10\uff10\uff16\uff13"
            "\uff11\uff16\uff19\uff16\uff13\uff18\uff12\uff23",
            id="full-width",
        ),
        pytest.param("\uff19\uff11310000631696382\uff43", id="full-width-lower-case"),
        pytest.param("9131\u30000000\uff0d631696382C", id="ideographic-space-and-hyphen"),
    ],
)
def test_normalise_accepts_and_canonicalises(spelling: str) -> None:
    assert normalise_uscc(spelling) == BAOSTEEL


def test_full_width_helper_writes_full_width_forms() -> None:
    assert full_width("9C") == "\uff19\uff23"


# ---- rejected spellings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason_en", "reason_zh"),
    [
        ("9131000063169638", "must be 18 characters, got 16", "长度应为18位，实为16位"),
        ("91310000631696382CX", "must be 18 characters, got 19", "长度应为18位，实为19位"),
        ("", "must be 18 characters, got 0", "长度应为18位，实为0位"),
        ("9131-0000-6316-96", "must be 18 characters, got 14", "长度应为18位，实为14位"),
        ("91310000631696382Z", "contains characters a USCC cannot have", "含有不允许的字符"),
        ("9131000063169638IC", "contains characters a USCC cannot have", "含有不允许的字符"),
        ("A1310000631696382C", "contains characters a USCC cannot have", "含有不允许的字符"),
        ("9131000063169638统C", "contains characters a USCC cannot have", "含有不允许的字符"),
        ("91310000631696382D", "check character does not match", "校验位错误"),
        ("91310000631696383C", "check character does not match", "校验位错误"),
    ],
)
def test_normalise_rejects_with_the_reason(value: str, reason_en: str, reason_zh: str) -> None:
    with pytest.raises(InvalidUSCC, match=reason_en) as e:
        normalise_uscc(value)

    assert (e.value.value, e.value.reason_en, e.value.reason_zh) == (value, reason_en, reason_zh)
    assert str(e.value) == f"{value!r}: {reason_en}"


def test_invalid_uscc_is_a_value_error() -> None:
    assert issubclass(InvalidUSCC, ValueError)


# ---- properties ---------------------------------------------------------------------------------

BODIES = st.builds(
    lambda head, tail: head + tail,
    st.text(alphabet=DIGITS, min_size=8, max_size=8),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)


@given(body=BODIES)
def test_check_character_agrees_with_the_oracle(body: str) -> None:
    assert uscc_check_character(body) == oracle_check(body)


@given(body=BODIES)
def test_normalise_accepts_a_body_with_the_oracles_check(body: str) -> None:
    code = body + oracle_check(body)

    assert normalise_uscc(code) == code
    assert normalise_uscc(full_width(code.lower())) == code


@given(body=BODIES, wrong=st.sampled_from(ALPHABET))
def test_normalise_rejects_any_other_check_character(body: str, wrong: str) -> None:
    code = body + wrong
    if wrong == oracle_check(body):
        assert normalise_uscc(code) == code
        return

    with pytest.raises(InvalidUSCC) as e:
        normalise_uscc(code)

    assert e.value.reason_en == "check character does not match"


# Any check character after digits and letters (including I, O, S, V, Z), and bodies from the
# whole alphabet with the oracle's check (a letter among the first 8 characters is not allowed).
CANDIDATES = st.builds(
    lambda head, tail: head + tail,
    st.text(alphabet=DIGITS, min_size=8, max_size=8),
    st.text(alphabet=ALPHABET + "IOSVZ", min_size=10, max_size=10),
) | st.text(alphabet=ALPHABET, min_size=17, max_size=17).map(lambda b: b + oracle_check(b))


@given(code=CANDIDATES)
def test_normalise_accepts_exactly_the_oracles_codes(code: str) -> None:
    if oracle_is_valid(code):
        assert normalise_uscc(code) == code
    else:
        with pytest.raises(InvalidUSCC):
            normalise_uscc(code)


def attempt(text: str) -> tuple[str, str]:
    """("valid", the code) or ("invalid", the value the error carries); anything else escapes."""
    try:
        return ("valid", normalise_uscc(text))
    except InvalidUSCC as e:
        return ("invalid", e.value)


@given(text=st.text(max_size=24) | st.text(alphabet=ALPHABET + DIGITS + " -", max_size=22))
def test_normalise_returns_a_valid_code_or_raises_invalid_uscc(text: str) -> None:
    outcome, value = attempt(text)

    if outcome == "valid":
        assert oracle_is_valid(value)
    else:
        assert value == text
