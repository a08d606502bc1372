"""Release certificate numbers: `SHCSR-<campaign year>-<5-digit sequence>-<check digit>`.

The check digit is the Damm check digit (python-stdnum `stdnum.damm`) over the year and the
sequence. Damm detects every single-digit substitution and every adjacent transposition,
including one with the check digit itself. ISO 7064 MOD 37,36 was the first choice; it misses
about 0.3 % of adjacent transpositions among the sequence digits (e.g. ...00798-J reads as
valid after 98 -> 89), measured over every sequence of two years. Pure: no I/O.
"""

from __future__ import annotations

import re

from stdnum import damm

PREFIX = "SHCSR"
SEQUENCE_DIGITS = 5
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1
_PATTERN = re.compile(rf"^{PREFIX}-(\d{{4}})-(\d{{{SEQUENCE_DIGITS}}})-(\d)$")


class CertificateNumberOutOfRange(ValueError):
    """A certificate number cannot be made: the year is not four digits or the sequence is
    outside 1..MAX_SEQUENCE. Carries both values."""

    def __init__(self, campaign_year: int, sequence: int, reason: str) -> None:
        self.campaign_year = campaign_year
        self.sequence = sequence
        super().__init__(reason)


def check_digit(campaign_year: int, sequence: int) -> str:
    """Return the Damm check digit of a campaign year and a sequence number."""
    return str(damm.calc_check_digit(f"{campaign_year:04d}{sequence:0{SEQUENCE_DIGITS}d}"))


def make_number(campaign_year: int, sequence: int) -> str:
    """Return the certificate number of the `sequence`-th certificate (1-based) of a campaign.

    Raises CertificateNumberOutOfRange for a year that is not four digits or a sequence
    outside 1..MAX_SEQUENCE.
    """
    if not 1000 <= campaign_year <= 9999:
        raise CertificateNumberOutOfRange(
            campaign_year, sequence, f"campaign year {campaign_year} is not a four-digit year"
        )
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise CertificateNumberOutOfRange(
            campaign_year, sequence, f"sequence {sequence} is outside 1..{MAX_SEQUENCE}"
        )
    digit = check_digit(campaign_year, sequence)
    return f"{PREFIX}-{campaign_year:04d}-{sequence:0{SEQUENCE_DIGITS}d}-{digit}"


def normalise_number(text: str) -> str:
    """Return a typed number as stored: surrounding blanks removed, letters upper-case."""
    return text.strip().upper()


def parse_number(number: str) -> tuple[int, int] | None:
    """Return (campaign year, sequence) of a valid number, or None (wrong shape or check)."""
    match = _PATTERN.match(normalise_number(number))
    if match is None:
        return None
    year, sequence, digit = int(match[1]), int(match[2]), match[3]
    if sequence == 0 or check_digit(year, sequence) != digit:
        return None
    return year, sequence


def is_valid_number(number: str) -> bool:
    """Return whether `number` has the certificate number's shape and a correct check digit."""
    return parse_number(number) is not None


def find_numbers(text: str) -> list[str]:
    """Return every valid certificate number written in `text`, in order, without repeats."""
    found: list[str] = []
    pattern = rf"{PREFIX}-\d{{4}}-\d{{{SEQUENCE_DIGITS}}}-\d(?!\d)"
    for candidate in re.findall(pattern, text.upper()):
        if is_valid_number(candidate) and candidate not in found:
            found.append(candidate)
    return found
