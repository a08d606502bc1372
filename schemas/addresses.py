"""The one e-mail address rule: what intake accepts is exactly what the mailer will send to.

Policy (docs/inputs.md "E-mail addresses"): the typed text is NFKC-normalised first, so
full-width letters, digits and @ become their ASCII forms and odd
spaces (U+3000, no-break space) at either end are dropped; then email-validator checks it
offline (no DNS lookup: example.com has no MX). An internationalised domain becomes its ASCII
(punycode) form. A local part that still needs SMTPUTF8 after NFKC (张伟@example.com) is refused:
relays cannot be assumed to carry it, so such an address would only fail later, at delivery.
Control characters anywhere are refused. Errors never carry the address itself (it is personal
data): only the reason, in Chinese and English. Pure; results are remembered.
"""

from __future__ import annotations

import functools
import unicodedata

from email_validator import EmailNotValidError, validate_email

ADDRESS_CACHE = 32_768  # addresses whose normal form is remembered (a season's recipients)
_CONTROL = {"Cc", "Cf", "Zl", "Zp"}


class InvalidAddress(ValueError):
    """An e-mail address that cannot be used; carries the reasons, never the address."""

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        self.reason = reason_en
        super().__init__(f"invalid email address: {reason_en}")


def _reason_zh(message: str) -> str:
    """Return a Chinese reason for an email-validator message (best effort). Pure."""
    lowered = message.lower()
    if "internationalized" in lowered or "smtputf8" in lowered or "non-ascii" in lowered:
        return (
            "邮箱用户名含中文等非英文字符，多数邮件服务器无法投递；请填写英文字母和数字组成的邮箱"
        )
    if "@" in message and "sign" in lowered:
        return "缺少 @ 或 @ 多于一个"
    if "domain" in lowered or "period" in lowered or "dot" in lowered:
        return "邮箱域名部分（@ 之后）不正确"
    return "邮箱格式不正确"


@functools.lru_cache(maxsize=ADDRESS_CACHE)
def normalise_address(address: str) -> str:
    """Return the normal form of an e-mail address; raise InvalidAddress if it is unusable. Pure.

    NFKC first, then email-validator offline with SMTPUTF8 refused; refusals are not remembered.
    """
    if any(unicodedata.category(ch) in _CONTROL for ch in address):
        raise InvalidAddress("邮箱含控制字符（如换行）", "contains control characters")
    text = unicodedata.normalize("NFKC", address).strip()
    if not text:
        raise InvalidAddress("邮箱为空", "email is empty")
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(_reason_zh(str(exc)), str(exc)) from None
    return result.ascii_email or result.normalized
