"""Certificate numbers: the check digit against an independent Damm oracle, and every single
substitution and adjacent transposition of the year, sequence or check digit is caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.certificate_number import (
    MAX_SEQUENCE,
    CertificateNumberOutOfRange,
    find_numbers,
    is_valid_number,
    make_number,
    normalise_number,
    parse_number,
)

# Damm's totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004), written out here.
DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

years = st.integers(min_value=2000, max_value=2099)
sequences = st.integers(min_value=1, max_value=MAX_SEQUENCE)


def oracle_check(digits: str) -> int:
    """Return the Damm check digit of a digit string."""
    interim = 0
    for d in digits:
        interim = DAMM_TABLE[interim][int(d)]
    return interim


def digits_of(number: str) -> str:
    """Return the year, sequence and check digit of a number as one digit string."""
    _, year, sequence, check = number.split("-")
    return year + sequence + check


def from_digits(digits: str) -> str:
    """Return a number written from a 10-digit string (year, sequence, check digit)."""
    return f"SHCSR-{digits[:4]}-{digits[4:9]}-{digits[9]}"


@given(years, sequences)
def test_the_check_digit_is_damm_over_year_and_sequence(year: int, sequence: int) -> None:
    number = make_number(year, sequence)

    assert number == f"SHCSR-{year}-{sequence:05d}-{oracle_check(f'{year}{sequence:05d}')}"
    assert is_valid_number(number)
    assert parse_number(number) == (year, sequence)


@given(years, sequences, st.integers(0, 9), st.integers(1, 9))
def test_every_single_substitution_is_detected(
    year: int, sequence: int, position: int, shift: int
) -> None:
    digits = digits_of(make_number(year, sequence))
    changed = digits[:position] + str((int(digits[position]) + shift) % 10) + digits[position + 1 :]

    assert not is_valid_number(from_digits(changed))


@given(years, sequences, st.integers(0, 8))
def test_every_adjacent_transposition_is_detected(year: int, sequence: int, position: int) -> None:
    digits = digits_of(make_number(year, sequence))
    swapped = digits[:position] + digits[position + 1] + digits[position] + digits[position + 2 :]

    assert is_valid_number(from_digits(swapped)) == (swapped == digits)


def test_every_single_error_of_a_whole_year_is_detected() -> None:
    for sequence in range(1, 2000):
        digits = digits_of(make_number(2024, sequence))
        for position in range(4, 10):
            for d in "0123456789":
                if d != digits[position]:
                    wrong = digits[:position] + d + digits[position + 1 :]
                    assert not is_valid_number(from_digits(wrong)), wrong


def test_numbers_are_unique_per_campaign() -> None:
    numbers = [make_number(2024, s) for s in range(1, 5001)]

    assert len(set(numbers)) == 5000
    assert make_number(2024, 7) != make_number(2025, 7)


@pytest.mark.parametrize(
    "text",
    [
        "SHCSR-2024-00001",
        "SHCSR-2024-0001-5",
        "SHCSR-2024-00000-" + str(oracle_check("202400000")),
        "XHCSR-2024-00001-" + str(oracle_check("202400001")),
        "SHCSR-2024-0000A-1",
        "",
    ],
)
def test_malformed_numbers_are_invalid(text: str) -> None:
    assert not is_valid_number(text)
    assert parse_number(text) is None


@pytest.mark.parametrize(("year", "sequence"), [(2024, 0), (2024, MAX_SEQUENCE + 1), (24, 1)])
def test_make_number_refuses_out_of_range_values(year: int, sequence: int) -> None:
    with pytest.raises(CertificateNumberOutOfRange, match=r"outside|four-digit") as info:
        make_number(year, sequence)

    assert (info.value.campaign_year, info.value.sequence) == (year, sequence)
    assert isinstance(info.value, ValueError)


def test_typed_numbers_are_normalised_and_found_in_text() -> None:
    good = make_number(2024, 42)
    wrong_check = good[:-1] + str((int(good[-1]) + 1) % 10)

    assert is_valid_number(f"  {good.lower()} ")
    assert normalise_number(f" {good.lower()}\n") == good
    assert find_numbers(f"证书编号：{good}\n{wrong_check} {good}0 {good}") == [good]
