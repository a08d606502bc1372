"""The unified social credit code (统一社会信用代码, USCC): normalisation and validation.

Built on python-stdnum's `cn.uscc`, with NFKC first so full-width letters and digits typed in
Chinese input methods are accepted. Pure; no I/O.
"""

import unicodedata

from stdnum.cn import uscc as _uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError


class InvalidUSCC(ValueError):
    """A string is not a valid USCC; `reason_zh` / `reason_en` say why."""

    def __init__(self, value: str, reason_zh: str, reason_en: str) -> None:
        self.value = value
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(f"{value!r}: {reason_en}")


def normalise_uscc(value: str) -> str:
    """Return the canonical 18-character form of a USCC, or raise InvalidUSCC.

    Accepts full-width characters, lower case, spaces and hyphens.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        return str(_uscc.validate(text))
    except InvalidLength:
        compact = str(_uscc.compact(text))
        raise InvalidUSCC(
            value,
            f"长度应为18位，实为{len(compact)}位",
            f"must be 18 characters, got {len(compact)}",
        ) from None
    except InvalidChecksum:
        raise InvalidUSCC(value, "校验位错误", "check character does not match") from None
    except InvalidFormat:
        raise InvalidUSCC(
            value, "含有不允许的字符", "contains characters a USCC cannot have"
        ) from None
    except ValidationError:
        raise InvalidUSCC(value, "不是有效的统一社会信用代码", "not a valid USCC") from None


def uscc_check_character(body: str) -> str:
    """Return the check character for a 17-character USCC body (used to make valid codes)."""
    if len(body) != 17:
        raise InvalidUSCC(body, "主体应为17位", "the body before the check character is 17 long")
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if any(ch not in alphabet for ch in body):
        raise InvalidUSCC(body, "含有不允许的字符", "contains characters a USCC cannot have")
    return str(_uscc.calc_check_digit(body))
