"""The rule that accepts a case excerpt: its words on that page, 5-300 characters."""

from __future__ import annotations

import unicodedata

from hypothesis import assume, given
from hypothesis import strategies as st

from schemas.case_excerpts import (
    MAX_CHARS,
    ExcerptProblem,
    ExcerptRole,
    fold,
    match_excerpt,
    parse_role,
)
from schemas.search_tables import searchable_text

PAGE = (
    "第三章 绿色发展\n公司全年完成光伏装机\n容量12兆瓦，减少碳排放\n约9,800吨。\n"
    "员工 志愿服务 4,200 小时。"
)


def _code(found: str | ExcerptProblem) -> str:
    return found.code if isinstance(found, ExcerptProblem) else "ok"


def test_match_excerpt_accepts_a_passage_across_a_line_wrap_and_returns_the_pages_words() -> None:
    found = match_excerpt("公司全年完成光伏装机容量12兆瓦", 3, PAGE)

    assert found == "公司全年完成光伏装机容量12兆瓦"


def test_match_excerpt_ignores_full_width_digits_and_spaces_the_chooser_typed() -> None:
    found = match_excerpt("减少碳排放 约９,８００吨。", 3, PAGE)

    assert found == "减少碳排放约9,800吨。"


def test_match_excerpt_keeps_the_pages_spaces_beside_digits_and_drops_them_inside_chinese() -> None:
    assert match_excerpt("员工志愿服务4,200小时", 3, PAGE) == "员工志愿服务 4,200 小时"


def test_match_excerpt_refuses_words_that_are_not_on_the_page() -> None:
    assert _code(match_excerpt("公司全年完成风电装机", 3, PAGE)) == "excerpt-not-on-page"


def test_match_excerpt_refuses_an_empty_a_short_and_a_long_excerpt() -> None:
    long = "减" * (MAX_CHARS + 1)

    codes = [_code(match_excerpt(t, 3, PAGE + long)) for t in (" \n ", "光伏", long)]

    assert codes == ["excerpt-empty", "excerpt-too-short", "excerpt-too-long"]


def test_match_excerpt_refuses_a_page_with_no_stored_text() -> None:
    assert [_code(match_excerpt("公司全年完成", 9, t)) for t in (None, "  ")] == [
        "page-not-stored",
        "page-not-stored",
    ]


def test_match_excerpt_takes_html_as_plain_text_when_it_is_on_the_page() -> None:
    page = "案例：<script>alert(1)</script> 社区服务"

    assert match_excerpt("<script>alert(1)</script>", 1, page) == "<script>alert(1)</script>"


def test_parse_role_reads_chinese_and_english_and_refuses_anything_else() -> None:
    found = [parse_role(t) for t in ("评审专家", " Reviewer ", "组委会", "operator", "chair")]

    assert found == [
        ExcerptRole.REVIEWER,
        ExcerptRole.REVIEWER,
        ExcerptRole.OPERATOR,
        ExcerptRole.OPERATOR,
        None,
    ]


CHARS = st.sampled_from(list("碳达峰中和员工关爱社区，。ABc12 \n\t（）"))


@given(page=st.text(CHARS, min_size=20, max_size=200), data=st.data())
def test_any_stretch_of_the_page_is_accepted_as_the_same_words(
    page: str, data: st.DataObject
) -> None:
    clean = searchable_text(page)
    start = data.draw(st.integers(0, max(0, len(clean) - 12)))
    stretch = clean[start : data.draw(st.integers(start + 12, start + 200))]
    assume(len(fold(stretch)[0]) >= 5)
    typed = stretch
    for at in sorted(data.draw(st.lists(st.integers(0, len(stretch)), max_size=3)), reverse=True):
        typed = typed[:at] + "\n" + typed[at:]  # a copy from the PDF breaks lines anywhere

    found = match_excerpt(typed, 1, page)

    assert isinstance(found, str)
    assert fold(found)[0] == fold(stretch)[0]  # the oracle: the same words, spaces aside
    assert fold(found)[0] in fold(clean)[0]


@given(page=st.text(CHARS, max_size=80), extra=st.sampled_from(list("风电光伏氢能")))
def test_an_excerpt_with_a_character_the_page_lacks_is_refused(page: str, extra: str) -> None:
    typed = "碳达峰中和" + extra

    assert _code(match_excerpt(typed, 1, page + "空")) == "excerpt-not-on-page"


@given(st.text(min_size=1, max_size=40))
def test_fold_maps_every_kept_character_back_into_the_text(text: str) -> None:
    folded, at = fold(text)

    assert len(folded) == len(at)
    assert all(c in unicodedata.normalize("NFKC", text[i]) for c, i in zip(folded, at, strict=True))
