"""Decode operators' text files (CSV, TSV, Excel's "Unicode text") without ever showing them.

Tried in order: a byte-order mark (UTF-8, UTF-16), UTF-16 without a mark (every other byte
zero), then UTF-8 and GB18030. Damage is reported as an UnreadableInput naming the line where
decoding broke ("文件编码损坏（第 3 行附近）"); the message never carries the file's bytes,
which hold contacts. Pure apart from the exception.
"""

from __future__ import annotations

from schemas.rejection import UnreadableInput

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _line_of(data: bytes, position: int, encoding: str) -> int:
    """Return the 1-based line where byte `position` lies, decoding the prefix leniently."""
    return data[:position].decode(encoding, errors="replace").count("\n") + 1


def _damaged(name: str, line: int, declared: str) -> UnreadableInput:
    return UnreadableInput(
        name,
        "bad-encoding",
        f"文件编码损坏（第 {line} 行附近）：文件声明为 {declared}，但其中有不符合该编码的字节；"
        "请用 Excel 重新另存为“CSV UTF-8”后重发",
        f"damaged encoding near line {line}: the file declares {declared.split('（')[0]} "
        "but holds bytes "
        "that do not fit it; save it again as CSV UTF-8",
    )


def _strict(data: bytes, encoding: str, name: str, declared: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _damaged(name, _line_of(data, exc.start, encoding), declared) from None


def _looks_utf16le(data: bytes) -> bool:
    """Return whether unmarked bytes look like UTF-16LE text: zero bytes, nearly all odd.

    Text in UTF-8 or GB18030 has no zero bytes; UTF-16LE has one after every ASCII character.
    """
    sample = data[:4096]
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    return odd >= 2 and even * 10 <= odd


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file's bytes; raise UnreadableInput naming the damaged line. Pure."""
    if data.startswith(_UTF8_BOM):
        return _strict(data[3:], "utf-8", name, "UTF-8")
    if data.startswith(_UTF16_BOMS):
        if len(data) % 2:
            line = _line_of(data, len(data) - 1, "utf-16")
            raise _damaged(name, line, "UTF-16（Unicode 文本）")
        return _strict(data, "utf-16", name, "UTF-16（Unicode 文本）")
    if _looks_utf16le(data):
        return _strict(data[: len(data) - len(data) % 2], "utf-16-le", name, "UTF-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise UnreadableInput(
        name,
        "bad-encoding",
        "文件编码无法识别，请另存为 UTF-8 或 GB18030 编码的 CSV",
        "unknown text encoding: save the CSV as UTF-8 or GB18030",
    )
