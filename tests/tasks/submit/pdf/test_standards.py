"""Standards cited: dash variants, full titles, abbreviations, negations."""

from __future__ import annotations

import pytest

from schemas.campaign_file import CampaignFile
from schemas.screening import ScreenRules, rules_from_campaign
from tasks.submit.pdf.standards import cited_standards, dashes_to_hyphen


@pytest.fixture
def rules(campaign_2024: CampaignFile) -> ScreenRules:
    """The 2024 campaign's standards and negations."""
    return rules_from_campaign(campaign_2024)


@pytest.mark.parametrize(
    "text",
    [
        "本报告参照CASS-CSR 4.0编制。",
        "本报告参照CASS\u2014CSR 4.0编制。",  # em dash
        "本报告参照CASS\u2013CSR 4.0编制。",  # en dash
        "本报告参照CASS\uff0dCSR 4.0编制。",  # full-width hyphen-minus
        "本报告参照CASS\u2014\u2014ESG 5.0编制。",  # the long dash
        "本报告参照CASS ESG 5.0编制。",
        "本报告参照《中国企业社会责任报告编写指南》编制。",
        "本报告参照《中国企业社会责任报告指南（CASS-ESG 5.0）》编制。",
    ],
)
def test_cass_in_every_dash_and_title_form(rules: ScreenRules, text: str) -> None:
    assert cited_standards(rules, text) == ["cass-esg"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("参照中华人民共和国国家标准《社会责任指南》（GB/T 36000-2015）", "gbt36000"),
        ("参照GB/T36000—2015", "gbt36000"),
        ("国务院国资委《关于中央企业履行社会责任的指导意见》", "sasac-central"),
        ("中国工业经济联合会《中国工业企业及工业协会社会责任指南》", "cfie-industrial"),
        ("参照CSR-GSI编制", "cfie-industrial"),
        ("上海市经济团体联合会团体标准《企业社会责任 指南》", "sh-federation-guide"),
        ("上海市质量协会团体标准《社会责任报告编写通则》", "saq-writing"),
        ("《关于本市国有企业更好履行社会责任的若干意见》", "sh-sasac-opinions"),
        ("上海市国有控股上市公司ESG指标体系（1.0版）", "sh-sasac-esg"),
        ("《上海证券交易所上市公司自律监管指引第14号——可持续发展报告（试行）》", "sse-14"),
        ("上交所14号指引", "sse-14"),
        ("《文明单位社会责任报告指标体系（2023年修订版）》", "civilised-unit"),
        ("国际标准化组织ISO 26000《社会责任指南》", "iso26000"),
        ("参照全球报告倡议组织《可持续发展报告标准》", "gri"),
        ("参照GRI Standards编制", "gri"),
    ],
)
def test_each_standard_by_its_title_or_abbreviation(
    rules: ScreenRules, text: str, key: str
) -> None:
    assert key in cited_standards(rules, text)


@pytest.mark.parametrize(
    "text",
    [
        "本报告未参照GRI标准。",
        "本报告未参照GRI。",
        "GRI 2-4 信息重述：不适用。",
        "本报告并未参照ISO 26000，",
        "CASS-ESG 5.0指标不适用于本公司。",
    ],
)
def test_a_negated_mention_is_not_a_citation(rules: ScreenRules, text: str) -> None:
    assert cited_standards(rules, text) == []


def test_a_negation_reaches_only_its_own_clause(rules: ScreenRules) -> None:
    text = "本报告未参照GRI，而是参照GB/T 36000-2015编制；GRI 2-4：不适用。"

    assert cited_standards(rules, text) == ["gbt36000"]


def test_one_mention_not_negated_is_enough(rules: ScreenRules) -> None:
    text = "GRI 2-4：不适用。本报告参照GRI标准编制。"

    assert cited_standards(rules, text) == ["gri"]


def test_words_containing_gri_are_not_gri(rules: ScreenRules) -> None:
    assert cited_standards(rules, "AGRI GRIP 农业合作社") == []


def test_dashes_to_hyphen_folds_every_dash_run() -> None:
    assert dashes_to_hyphen("A\u2010B\u2011C\u2012D\u2013E\u2014\u2014F\u2212G\uff0dH") == (
        "A-B-C-D-E-F-G-H"
    )
