"""How a cell's text is cleaned, and how Excel would display a number: one policy for all inputs.

Spaces and invisible characters (docs/inputs.md "Normalisation"), applied to every text cell:
- format characters (zero-width space U+200B, word joiner, BOM U+FEFF, soft hyphen) are removed;
- control characters and line or paragraph separators become a space;
- every other space (ideographic space U+3000, no-break space U+00A0, the U+2000-U+200A widths,
  U+202F, U+205F) is a space like U+0020;
- runs of spaces fold to one, ends are trimmed, and a space left between two CJK characters is
  dropped, since it only pads a name to a width ("张", U+3000, "伟" is 张伟; "上海 某某 公司" is
  上海某某公司);
  a space next to Latin letters or digits stays ("ABC 科技" keeps its space).
Names keep their full-width punctuation (（上海）有限公司 stays as typed); NFKC is only for the
identity codes (USCC, phone, e-mail). Pure.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_DROP = {"Cf"}
_SPACE = {"Cc", "Zl", "Zp", "Zs"}
_CJK = (
    r"\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff\uff00-\uff0f\uff1a-\uff20"
)
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def clean_text(value: Any) -> str:
    """Return a cell as text under the spaces policy above; None is "". Pure."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    chars = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in _DROP:
            continue
        chars.append(" " if category in _SPACE else ch)
    folded = " ".join("".join(chars).split())
    return _CJK_GAP.sub("", folded)


def excel_general(value: float | int) -> str:
    """Return a number as Excel's General format shows it in a default-width cell (11 chars).

    913101151234567890 shows as 9.13101E+17: the digits an operator sees in the cell, not the
    ones Python keeps. Pure.
    """
    number = float(value)
    if number.is_integer() and abs(number) < 1e11:
        return str(int(number))
    if 1e-4 <= abs(number) < 1e11:
        text = f"{number:.10g}"
        return text if len(text) <= 11 else f"{number:.{max(1, 10 - len(str(int(abs(number)))))}f}"
    mantissa, exponent = f"{number:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa}E{sign}{abs(int(exponent)):02d}"
