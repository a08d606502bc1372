"""The pre-screen's text analysis: topic mentions and pages, standards, years, hints, scans
(the topic, year and standard rules have their own tests beside this one)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.screening import ScreenRules, TopicCoverage, rules_from_campaign
from tasks.submit.pdf.text import analyse_text, dominant_other_year, page_ranges

# Chinese text that matches no keyword, year, standard or balance term: it keeps inline pages
# above the scanned threshold (50 Chinese characters per page).
FILLER = "本页内容用于说明版式安排与阅读顺序。" * 4


@pytest.fixture
def rules(campaign_2024: CampaignFile) -> ScreenRules:
    """The 2024 campaign's topics and standards, for a report about 2023."""
    return rules_from_campaign(campaign_2024).model_copy(update={"report_year": 2023})


def _pages(*texts: str) -> list[str]:
    """Return the texts as pages, each padded with filler."""
    return [f"{FILLER}\n{t}" for t in texts]


def _coverage(topics: list[TopicCoverage]) -> dict[str, tuple[int, list[int], bool]]:
    """Return key -> (hits, pages, covered) for the topics that were mentioned."""
    return {t.key: (t.hits, t.pages, t.covered) for t in topics if t.hits}


def test_analyse_text_counts_topic_mentions_and_their_pages(rules: ScreenRules) -> None:
    pages = _pages(
        "本公司持续完善公司治理，董事会下设审计委员会。",
        "加强内部控制与合规管理。",
        "公益慈\n善：全年对外善款100万元。",  # a keyword broken across lines still counts
    )
    rules = rules.model_copy(update={"min_topic_hits": 2})
    topics = tuple(t.model_copy(update={"min_hits": None}) for t in rules.topics)

    result = analyse_text(pages, rules.model_copy(update={"topics": topics}))

    assert _coverage(result.topics) == {
        "governance": (5, [1, 2], True),  # 公司治理 董事会 审计委员会 内部控制 合规管理
        "giving_back": (2, [3], True),  # 公益慈善 is one mention, not also 慈善
    }
    assert [t.key for t in result.topics] == [t.key for t in rules.topics]
    assert (result.core_topics_covered, result.focus_areas_covered) == (2, 0)


def test_analyse_text_finds_standards_by_the_campaign_patterns(rules: ScreenRules) -> None:
    pages = _pages(
        "本报告参照GB/T 36000-2015《社会责任指南》、ISO 26000及GRI标准编制，"
        "并参考《中国企业社会责任报告指南（CASS-ESG 5.0）》。",
        "同时参照上海证券交易所上市公司自律监管指引第14号及上海市国有控股上市公司ESG指标体系（1.0版）。",
    )

    result = analyse_text(pages, rules)

    assert result.standards_cited == [
        "gbt36000",
        "cass-esg",
        "sh-sasac-esg",
        "sse-14",
        "iso26000",
        "gri",
    ]


def test_analyse_text_does_not_take_words_containing_gri_for_gri(rules: ScreenRules) -> None:
    result = analyse_text(_pages("AGRI GRIP 农业合作社 2023年"), rules)

    assert result.standards_cited == []
    assert [p.code for p in result.problems][-1] == "pdf-no-standard"


def test_analyse_text_reads_full_width_forms_and_kangxi_radicals(rules: ScreenRules) -> None:
    # GB/T 36000 in full-width forms; 员工培训 written with the Kangxi radical U+2F2F for 工.
    full_width = "\uff27\uff22\uff0f\uff34\u3000\uff13\uff16\uff10\uff10\uff10"
    result = analyse_text(_pages(f"本报告参照{full_width}编制。员\u2f2f培训"), rules)

    assert result.standards_cited == ["gbt36000"]
    assert _coverage(result.topics) == {"employee_care": (1, [1], True)}


def test_analyse_text_counts_body_years_in_arabic_and_chinese_numerals(rules: ScreenRules) -> None:
    pages = _pages("2023年，公司营业收入较2022年增长。", "本报告于二〇二四年五月发布")

    result = analyse_text(pages, rules)

    assert result.years_found == {2023: 1, 2024: 1}  # 较2022年 is a comparison
    assert result.years_stated == []
    assert (result.report_year_found, result.other_year) == (True, None)
    assert "pdf-wrong-year" not in [p.code for p in result.problems]


def test_a_cover_stating_the_report_year_is_never_flagged(rules: ScreenRules) -> None:
    """The issue's case: targets and comparisons outvote the report year in the body."""
    body = "力争2030年前碳达峰、2060年前实现碳中和。2022年公司营业收入增长。2022年2022年2022年"
    pages = ["上海示例公司\n2023年度社会责任报告", *_pages(body, body)]

    result = analyse_text(pages, rules)

    assert result.years_stated == [2023]
    assert result.years_found[2022] > result.years_found.get(2023, 0)
    assert "pdf-wrong-year" not in [p.code for p in result.problems]


def test_a_cover_stating_another_year_is_flagged_in_plain_words(rules: ScreenRules) -> None:
    pages = ["2022社会责任报告", *_pages("2023年5月发布", "公司概况", "公司概况")]

    result = analyse_text(pages, rules)

    wrong = [p for p in result.problems if p.code == "pdf-wrong-year"]
    assert [(p.severity, p.reason_en) for p in wrong] == [
        (
            "warning",
            "the report may be about the wrong year: the cover, title or reporting period "
            "states 2022, not 2023",
        )
    ]
    assert wrong[0].advice_zh.startswith("报告封面、标题或报告期写明的年度为2022年")


def test_without_a_stated_year_the_body_decides(rules: ScreenRules) -> None:
    result = analyse_text(_pages("2021年公司持续发展。2021年全年。2023年", "公司概况"), rules)

    assert (result.years_stated, result.other_year) == ([], 2021)
    wrong = [p for p in result.problems if p.code == "pdf-wrong-year"]
    assert [p.reason_zh for p in wrong] == [
        "报告年度可能有误：报告中未写明报告期；正文中“2021年”出现2次，多于“2023年”（1次）"
    ]


def test_analyse_text_flags_a_report_without_the_report_year(rules: ScreenRules) -> None:
    result = analyse_text(_pages("公司概况"), rules)

    wrong = [p for p in result.problems if p.code == "pdf-wrong-year"]
    assert [p.reason_zh for p in wrong] == [
        "报告年度可能有误：报告中未写明报告期，正文也未出现“2023年”"
    ]


def test_dominant_other_year_needs_more_mentions_than_the_report_year() -> None:
    assert dominant_other_year({2022: 2, 2023: 2}, 2023) is None
    assert dominant_other_year({2021: 3, 2022: 3, 2023: 1}, 2023) == 2022
    assert dominant_other_year({}, 2023) is None


def test_partly_scanned_report_lists_its_image_pages(rules: ScreenRules) -> None:
    """20 text pages and 80 image pages: the average has plenty of Chinese text, the share of
    image pages (80 %) is over the campaign's limit."""
    text = _pages("2023年度社会责任报告" + "公司治理与董事会建设。" * 30)[0]
    pages = [text] * 20 + [""] * 80

    result = analyse_text(pages, rules)

    assert result.scanned is False
    assert result.image_pages == list(range(21, 101))
    [partly] = [p for p in result.problems if p.code == "pdf-partly-scanned"]
    assert partly.reason_en.endswith("pages 21-100 (80/100; limit 20%)")
    assert partly.advice_zh.startswith("报告第21-100页（共80页）只有图片")
    assert "请提交可复制文字的PDF" in partly.advice_zh


def test_a_few_image_pages_under_the_share_are_listed_not_flagged(rules: ScreenRules) -> None:
    pages = _pages(*["公司治理。"] * 9)

    result = analyse_text([*pages, "\n"], rules)

    assert result.image_pages == [10]
    assert "pdf-partly-scanned" not in [p.code for p in result.problems]


@given(st.lists(st.integers(min_value=1, max_value=60), unique=True))
def test_page_ranges_join_consecutive_pages(numbers: list[int]) -> None:
    numbers.sort()
    spread: list[int] = []
    for part in page_ranges(numbers).split("、") if numbers else []:
        first, _, last = part.partition("-")
        spread += range(int(first), int(last or first) + 1)

    assert spread == numbers


def test_analyse_text_gives_reviewer_hints(rules: ScreenRules) -> None:
    pages = _pages(
        "表：经济绩效\n指标\n单位\n2021年\n2022年\n2023年\n营业收入\n万元\n1\n2\n3",
        "近三年员工培训时长持续增长；2021年、2022年、2023年均未发生安全事故。",
        "报告期内受到行政处罚1次，已完成整改。部分指标未达标，存在不足。",
        "公司治理、董事会、内部控制持续完善。开展实质性议题识别与评估。",
    )

    result = analyse_text(pages, rules)

    assert result.hints == {
        "completeness": 0.33,  # governance, employee care (培训), development (营业收入)
        "comparability": 3,  # the table header, the listed years, 近三年
        "balance": 5,  # 事故, 处罚, 整改, 未达标, 不足
        "materiality": True,
    }


def test_analyse_text_takes_pages_without_chinese_text_for_a_scan(rules: ScreenRules) -> None:
    result = analyse_text(["", "  \n", "3"], rules)

    assert (result.scanned, result.cjk_chars, result.text_chars) == (True, 0, 1)
    assert [p.code for p in result.problems] == ["pdf-scanned"]


def test_analyse_text_takes_mojibake_for_a_scan(rules: ScreenRules) -> None:
    garbled = "公司社会责任报告 2023年".encode().decode("latin-1") * 40  # UTF-8 read as Latin-1

    result = analyse_text([garbled, garbled], rules)

    assert result.scanned is True
    assert result.cjk_share == 0.0
    assert [p.code for p in result.problems] == ["pdf-scanned"]


def test_analyse_text_of_a_full_report_gives_no_warnings(rules: ScreenRules) -> None:
    sentences = [f"{t.name}：{'，'.join(t.keywords)}。" for t in rules.topics]
    pages = _pages(*[s * 2 for s in sentences], "2023年度社会责任报告参照GRI标准编制。")

    result = analyse_text(pages, rules)

    assert result.problems == []
    assert (result.core_topics_covered, result.focus_areas_covered) == (9, 2)
    assert result.hints["completeness"] == 1.0
