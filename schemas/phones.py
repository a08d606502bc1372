"""The one telephone rule for inputs: Chinese landlines with their area code, and mobiles.

Policy (docs/inputs.md "Normalisation"): the typed text is NFKC-normalised first (full-width
digits and brackets become ASCII), an extension written 转/分机/ext is kept apart, and the rest
is parsed by `phonenumbers` with region CN. A valid number is stored in one form: a mobile as its
11 digits (13812345678), a landline as area code and number joined by a hyphen (021-62345678),
other valid numbers (400/800 service lines, numbers abroad) in phonenumbers' national or
international form; an extension follows as `转8001`. A landline without its area code is
refused, as is anything phonenumbers does not find valid for its region. Errors never carry the
number (it is personal data). Pure.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

REGION = "CN"
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)


class InvalidPhone(ValueError):
    """A telephone number that cannot be used; carries the reasons, never the number."""

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(f"invalid phone number: {reason_en}")


def normalise_phone(value: str) -> str:
    """Return the stored form of a telephone number, or raise InvalidPhone. Pure."""
    text = unicodedata.normalize("NFKC", value).strip()
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match[1], text[: match.start()]
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        raise InvalidPhone("电话号码位数太少", "too few digits for a telephone number")
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("不是电话号码", "not a telephone number") from None
    if not phonenumbers.is_valid_number(number):
        if number.country_code == 86 and len(digits) in (7, 8):
            raise InvalidPhone(
                "固定电话缺少区号，请写成 021-62345678 的形式",
                "a landline needs its area code, like 021-62345678",
            )
        raise InvalidPhone(
            "电话号码无效：手机号为11位，固定电话须带区号（如 021-62345678）",
            "not a valid number: mobiles have 11 digits, landlines need the area code",
        )
    stored = _stored_form(number)
    return f"{stored}转{extension}" if extension else stored


def _stored_form(number: phonenumbers.PhoneNumber) -> str:
    """Return the one stored form of a valid number (see the module docstring)."""
    if number.country_code != 86:
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    significant = phonenumbers.national_significant_number(number)
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return significant
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return f"0{significant[:area]}-{significant[area:]}"
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return "-".join(national.split())
