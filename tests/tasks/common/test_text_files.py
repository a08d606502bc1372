"""Decoding operators' text files: every encoding they send, damage named by its line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.rejection import UnreadableInput
from tasks.common.text_files import decode_text

TEXT = "协会代码,单位名称\r\nA001,上海示例科技有限公司\r\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        TEXT.encode("utf-8-sig"),
        TEXT.encode("gbk"),
        TEXT.encode("gb18030"),
        TEXT.encode("utf-16"),
        TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]),
        TEXT.encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16", "utf16-be", "utf16-le-unmarked"],
)
def test_decode_text_reads_every_encoding_operators_send(data: bytes) -> None:
    assert decode_text(data, "f.csv") == TEXT


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"\xef\xbb\xbfcode,name\r\nA001,x\r\n" + "示例".encode("gbk"), 3),
        ("code,name\r\nA001,示例\r\n".encode("utf-16")[:-1], 2),
    ],
    ids=["bom-then-gbk", "utf16-odd-length"],
)
def test_damaged_text_is_refused_naming_the_line_without_the_content(
    data: bytes, line: int
) -> None:
    with pytest.raises(UnreadableInput, match=f"near line {line}") as info:
        decode_text(data, "f.csv")

    assert info.value.code == "bad-encoding"
    assert f"第 {line} 行附近" in info.value.reason_zh
    assert "A001" not in str(info.value)


@given(st.binary(max_size=2000))
def test_decode_text_returns_text_or_refuses_for_any_bytes(data: bytes) -> None:
    codes = []
    try:
        decode_text(data, "f.csv")
    except UnreadableInput as exc:
        codes.append(exc.code)

    assert codes in ([], ["bad-encoding"])
