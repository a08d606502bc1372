"""The year a report states (cover, title, 报告期) and the years its body mentions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.submit.pdf.year import body_years, stated_years


@pytest.mark.parametrize(
    ("cover", "years"),
    [
        ("上海示例有限公司\n2023年度社会责任报告", {2023}),
        ("2023年社会责任报告", {2023}),
        ("2023社会责任报告", {2023}),
        ("2023 ESG报告", {2023}),
        ("2023年度环境、社会及治理（ESG）报告", {2023}),
        ("2023/2024可持续发展报告", {2023, 2024}),
        ("2023-2024年度社会责任报告", {2023, 2024}),
        ("2023\u20142024年度社会责任报告", {2023, 2024}),
        ("2023年至2024年度社会责任报告", {2023, 2024}),
        ("二〇二三年度社会责任报告", {2023}),
        ("FY2023 企业社会责任报告", {2023}),
        ("2023 Sustainability Report", {2023}),
        ("CSR Report 2023", {2023}),
        ("2023财年社会责任报告", {2023}),
        ("目录\n致辞\n关于我们", set()),
        ("力争2030年前实现碳达峰", set()),
    ],
)
def test_stated_years_from_the_cover(cover: str, years: set[int]) -> None:
    assert stated_years([cover, "正文"]) == years


def test_reporting_period_counts_on_any_page() -> None:
    pages = ["封面", "目录", "致辞", "正文", "报告时间范围：2023年1月1日至2023年12月31日。"]

    assert stated_years(pages) == {2023}
    assert stated_years(["封面", "", "", "报告期：本报告为2023年度报告"]) == {2023}


def test_a_title_after_the_cover_pages_is_not_a_statement() -> None:
    """Page 5 citing last year's report is history, not this report's year."""
    pages = ["封面", "目录", "致辞", "正文", "公司2022年度社会责任报告获评五星级。"]

    assert stated_years(pages) == set()


def test_body_years_leave_out_targets_comparisons_and_table_headers() -> None:
    text = (
        "2023年，公司营业收入较2022年增长12%。力争2030年前碳达峰、2060年前碳中和，"
        "到2025年单位能耗下降5%。与2022年相比排放减少。指标 2021年 2022年 2023年。"
        "2022年同期为3起。2023年公司获评先进。"
    )

    assert body_years([text]) == {2023: 2}


@given(
    st.lists(
        st.sampled_from(["2030年前碳达峰", "较2022年增长", "2022年同期", "到2025年", "2023年"]),
        max_size=30,
    )
)
def test_body_years_count_only_the_plain_mentions(parts: list[str]) -> None:
    counts = body_years(["，".join(parts)])

    assert counts == ({2023: parts.count("2023年")} if "2023年" in parts else {})
