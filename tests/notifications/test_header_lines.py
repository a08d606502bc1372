"""Header lines written directly are the stdlib's fold of the same header, byte for byte."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.headerregistry import Address
from email.utils import format_datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifications.header_lines import address_line, date_line, message_id_line, subject_line
from notifications.headers import SUBJECT_MAX, clean_header_text

CJK = "上海市企业社会责任报告发布活动提醒联系人王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗阿依古丽买"
SUBJECT_CHARS = list(CJK + "【】：（），。·—…「」é€😀") + list("0123456789PDFab =?_-!*+/\"'<>@;")


def _stdlib_fold(name: str, text: str) -> bytes | str:
    """The stdlib's fold of `name: text` for SMTP, or the name of the error it raises."""
    return _or_error(
        lambda: policy.SMTP.fold_binary(name, policy.default.header_factory(name, text))
    )


def _or_error(make: Callable[[], bytes]) -> bytes | str:
    try:
        return make()
    except Exception as exc:  # the stdlib refuses some values (an odd Message-ID): so must we
        return type(exc).__name__


@pytest.mark.parametrize("length", range(1, 31))
@pytest.mark.parametrize(
    "address",
    ["a@x.cn", "contact1234@unit1234.example.com", "li.ming-2024@" + "d" * 40 + ".example.com"],
)
def test_a_written_address_line_is_the_stdlib_fold(length: int, address: str) -> None:
    for raw in (CJK[:length], (CJK + "😀")[-length:], "", "Li Ming"[:length], "李明:王"[:length]):
        name = clean_header_text(raw)
        text = str(Address(name, addr_spec=address))

        assert address_line("To", name, address) == _stdlib_fold("To", text)


@settings(max_examples=300, deadline=None)
@given(subject=st.text(alphabet=st.sampled_from(SUBJECT_CHARS), max_size=SUBJECT_MAX))
@example(
    subject="【第十三届上海市企业社会责任报告发布会】上海测试0004环保股份有限公司2023年度社会责任报告评审意见"
)
@example(subject="【发布会】截止提醒：请于2024年11月30日前提交2023年度社会责任报告（PDF版本）")
@example(subject="😀" * 40)
@example(subject="a" * 100 + "é")
def test_a_written_subject_line_is_the_stdlib_fold(subject: str) -> None:
    cleaned = clean_header_text(subject, limit=SUBJECT_MAX)

    assert subject_line(cleaned) == _stdlib_fold("Subject", cleaned)


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(timezones=st.timezones() | st.none()),
    message_id=st.text(alphabet=st.sampled_from(list("<>@.-_+ab9é ")), max_size=70)
    | st.builds("<csr.{}@{}>".format, st.text("0123456789abcdef", min_size=40), st.just("x.org")),
)
def test_written_date_and_message_id_lines_are_the_stdlib_fold(
    moment: datetime, message_id: str
) -> None:
    assert date_line(moment) == _stdlib_fold("Date", format_datetime(moment))
    cleaned = clean_header_text(message_id)
    if cleaned:
        assert _or_error(lambda: message_id_line(cleaned)) == _stdlib_fold("Message-ID", cleaned)


def test_the_same_instant_in_two_zones_gives_each_zone_its_own_date_line() -> None:
    utc = datetime(2024, 11, 1, 9, 30, 5, 123, tzinfo=UTC)
    shanghai = utc.astimezone(timezone(timedelta(hours=8)))
    assert utc == shanghai  # equal instants: a cache keyed by the datetime alone would mix them
    assert date_line(utc) == b"Date: Fri, 01 Nov 2024 09:30:05 +0000\r\n"
    assert date_line(shanghai) == b"Date: Fri, 01 Nov 2024 17:30:05 +0800\r\n"
    assert date_line(utc.replace(microsecond=999)) == date_line(utc)
