"""The one telephone rule: landlines with their area code, mobiles, NFKC, one stored form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.phones import InvalidPhone, normalise_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("\uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "13812345678"),
        ("021-62345678", "021-62345678"),
        ("(021)6234 5678", "021-62345678"),
        ("\uff08021\uff0962345678", "021-62345678"),
        ("86-21-62345678", "021-62345678"),
        ("0571-87654321 转 8001", "0571-87654321转8001"),
        ("010 1234 5678 ext. 12", "010-12345678转12"),
        ("400-820-8820", "400-820-8820"),
    ],
)
def test_valid_numbers_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("12345", "电话号码位数太少"),
        ("6234 5678", "固定电话缺少区号，请写成 021-62345678 的形式"),
        ("0755-8888888", "电话号码无效：手机号为11位，固定电话须带区号（如 021-62345678）"),
        ("不详", "电话号码位数太少"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason_and_without_the_number(
    typed: str, reason: str
) -> None:
    with pytest.raises(InvalidPhone) as info:
        normalise_phone(typed)

    assert info.value.reason_zh == reason
    assert typed not in str(info.value)


MOBILE_PREFIXES = ("130", "131", "135", "136", "138", "139", "150", "158", "186", "188")


@given(
    prefix=st.sampled_from(MOBILE_PREFIXES),
    rest=st.text("0123456789", min_size=8, max_size=8),
    separator=st.sampled_from(["", " ", "-", "\u3000"]),
    wide=st.booleans(),
)
def test_a_mobile_is_its_eleven_digits_however_typed(
    prefix: str, rest: str, separator: str, wide: bool
) -> None:
    digits = prefix + rest
    typed = separator.join([digits[:3], digits[3:7], digits[7:]])
    if wide:
        typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in typed)

    assert normalise_phone(typed) == digits
