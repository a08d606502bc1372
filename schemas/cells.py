"""Cell validators for input rows: text, USCC, email, phone, yes/no, years, dates, numbers.

Each validator raises a pydantic error whose `type` is our stable rejection code and whose
context carries the Chinese and English reasons. Used as `Annotated[..., BeforeValidator(...)]`
types by the row models in schemas/rows.py. Pure; no I/O.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from schemas.addresses import InvalidAddress, normalise_address
from schemas.cell_text import clean_text, excel_general
from schemas.enums import UnitKind
from schemas.phones import InvalidPhone, normalise_phone
from schemas.uscc import InvalidUSCC, normalise_uscc

__all__ = ["clean_text", "problem"]  # clean_text is re-exported for the row models


def problem(code: str, reason_zh: str, reason_en: str) -> PydanticCustomError:
    """Return a validation error carrying a stable code and both reasons."""
    return PydanticCustomError(
        code, "{reason_en}", {"reason_zh": reason_zh, "reason_en": reason_en}
    )


def _required_text(value: Any) -> str:
    text = clean_text(value)
    if not text:
        raise problem("missing-value", "必填项为空", "required value is empty")
    return text


def _uscc(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = excel_general(value)
        raise problem(
            "uscc-numeric",
            f"统一社会信用代码被 Excel 转成了数字（单元格显示为 {shown}），末几位已丢失；"
            "请将该列设为“文本”格式后重新填写代码",
            f"the USCC was turned into a number (the cell shows {shown}) and its last digits "
            "are lost; format the column as Text and type the code again",
        )
    text = clean_text(value)
    if not text:
        raise problem("missing-value", "统一社会信用代码为空", "USCC is empty")
    try:
        return normalise_uscc(text)
    except InvalidUSCC as exc:
        raise problem("bad-uscc", f"统一社会信用代码无效：{exc.reason_zh}", exc.reason_en) from None


def _email(value: Any) -> str:
    text = clean_text(value)
    if not text:
        raise problem("missing-value", "邮箱为空", "email is empty")
    try:
        return normalise_address(text)
    except InvalidAddress as exc:
        raise problem(
            "bad-email", exc.reason_zh, f"not a valid email address: {exc.reason_en}"
        ) from None


def _optional_email(value: Any) -> str:
    return _email(value) if clean_text(value) else ""


def _optional_phone(value: Any) -> str:
    text = clean_text(value)
    if not text:
        return ""
    try:
        return normalise_phone(text)
    except InvalidPhone as exc:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise problem(
                "bad-phone",
                f"电话号码被 Excel 转成了数字，开头的 0 已丢失：{exc.reason_zh}；"
                "请将该列设为“文本”格式",
                f"the phone was turned into a number (a leading 0 is lost): {exc.reason_en}",
            ) from None
        raise problem("bad-phone", exc.reason_zh, exc.reason_en) from None


_YES = {"是", "y", "yes", "true", "1", "✓", "√", "有"}
_NO = {"否", "n", "no", "false", "0", "✗", "×", "无"}


def _yes_no(value: Any) -> bool | None:
    text = clean_text(value).casefold()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise problem("bad-yes-no", "应填写“是”或“否”", "expected yes (是) or no (否)")


def _attested(value: Any) -> bool:
    answer = _yes_no(value)
    if answer is not True:
        raise problem(
            "attestation-missing",
            "推荐协会未确认该条件（应为“是”）",
            "the recommending association did not attest this condition (expected 是)",
        )
    return True


_KINDS = {
    "企业": UnitKind.ENTERPRISE,
    "enterprise": UnitKind.ENTERPRISE,
    "事业单位": UnitKind.INSTITUTION,
    "institution": UnitKind.INSTITUTION,
    "协会": UnitKind.ASSOCIATION,
    "商会": UnitKind.ASSOCIATION,
    "行业协会": UnitKind.ASSOCIATION,
    "association": UnitKind.ASSOCIATION,
}


def _unit_kind(value: Any) -> UnitKind:
    text = clean_text(value).casefold() or "企业"
    try:
        return _KINDS[text]
    except KeyError:
        raise problem(
            "bad-unit-kind",
            "单位类型应为企业、事业单位或协会",
            "kind must be 企业, 事业单位 or 协会",
        ) from None


def _year(value: Any) -> int:
    text = clean_text(value).removesuffix("年")
    if not text.isdigit() or len(text) != 4:
        raise problem("bad-year", "年度应为四位数字", "year must be four digits")
    return int(text)


Text = Annotated[str, BeforeValidator(clean_text)]
RequiredText = Annotated[str, BeforeValidator(_required_text)]
USCC = Annotated[str, BeforeValidator(_uscc)]
Email = Annotated[str, BeforeValidator(_email)]
OptionalEmail = Annotated[str, BeforeValidator(_optional_email)]
OptionalPhone = Annotated[str, BeforeValidator(_optional_phone)]
OptionalYesNo = Annotated[bool | None, BeforeValidator(_yes_no)]
Attested = Annotated[bool, BeforeValidator(_attested)]
Kind = Annotated[UnitKind, BeforeValidator(_unit_kind)]
Year = Annotated[int, BeforeValidator(_year)]


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _optional_date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_TEXT.match(clean_text(value))
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise problem(
        "bad-date", "日期格式不正确，应为 年-月-日（YYYY-MM-DD）", "not a date like YYYY-MM-DD"
    )


OptionalDate = Annotated[date | None, BeforeValidator(_optional_date)]


_NUMBER_TEXT = re.compile(r"^[-+]?\d+(?:\.\d+)?$")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise problem("bad-number", "应填写数字", "expected a number")
    if isinstance(value, int | float):
        return float(value)
    text = clean_text(value).replace(",", "").replace("，", "").replace(" ", "")
    if not text:
        raise problem("missing-value", "必填项为空", "required value is empty")
    if not _NUMBER_TEXT.match(text):
        raise problem(
            "bad-number",
            "应填写数字（不含单位和文字），金额单位为万元",
            "expected a plain number (no units or words); amounts are in 10,000 yuan",
        )
    return float(text)


def _amount(value: Any) -> float:
    number = _number(value)
    if number < 0:
        raise problem("negative-value", "该项不能为负数", "this value cannot be negative")
    return number


def _optional_amount(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return None
    return _amount(value)


def _count(value: Any) -> int:
    number = _amount(value)
    if not number.is_integer():
        raise problem("bad-count", "应填写整数", "expected a whole number")
    return int(number)


def _optional_count(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return None
    return _count(value)


def _text_list(value: Any) -> list[str]:
    text = clean_text(value)
    return [part.strip() for part in re.split(r"[;；,，、]", text) if part.strip()]


Number = Annotated[float, BeforeValidator(_number)]  # may be negative (profit)
Amount = Annotated[float, BeforeValidator(_amount)]
OptionalAmount = Annotated[float | None, BeforeValidator(_optional_amount)]
Count = Annotated[int, BeforeValidator(_count)]
OptionalCount = Annotated[int | None, BeforeValidator(_optional_count)]
TextList = Annotated[list[str], BeforeValidator(_text_list)]


def _uscc_list(value: Any) -> list[str]:
    codes: list[str] = []
    for part in _text_list(value):
        try:
            codes.append(normalise_uscc(part))
        except InvalidUSCC as exc:
            raise problem(
                "bad-uscc", f"回避单位代码{part}无效：{exc.reason_zh}", f"{part}: {exc.reason_en}"
            ) from None
    return codes


UsccList = Annotated[list[str], BeforeValidator(_uscc_list)]


_ACTIONS = {
    "指定": "require",
    "require": "require",
    "必须": "require",
    "回避": "forbid",
    "forbid": "forbid",
    "排除": "forbid",
}


def _override_action(value: Any) -> str:
    text = clean_text(value).casefold()
    if text not in _ACTIONS:
        raise problem(
            "bad-action", "操作应为“指定”或“回避”", "action must be 指定 (require) or 回避 (forbid)"
        )
    return _ACTIONS[text]


OverrideAction = Annotated[Literal["require", "forbid"], BeforeValidator(_override_action)]


_CHAIR_DECISIONS = {
    "通过": "pass",
    "pass": "pass",
    "修改": "revise",
    "修改完善": "revise",
    "revise": "revise",
    "不通过": "reject",
    "不推荐": "reject",
    "reject": "reject",
}


def _chair_decision(value: Any) -> str:
    text = clean_text(value).casefold()
    if text not in _CHAIR_DECISIONS:
        raise problem(
            "bad-decision",
            "决定应为“通过”“修改”或“不通过”",
            "decision must be 通过 (pass), 修改 (revise) or 不通过 (reject)",
        )
    return _CHAIR_DECISIONS[text]


ChairDecision = Annotated[Literal["pass", "revise", "reject"], BeforeValidator(_chair_decision)]
