"""Tests for schemas/campaign_file.py: the 2024 file's standard-citation patterns match their own
citations and nothing else."""

import re

import pytest

from schemas.campaign_file import CampaignFile

# ---- standard-citation patterns ------------------------------------------------------------------

CITATIONS: dict[str, list[str]] = {
    "gbt36000": ["GB/T 36000", "GB/T36000-2015", "国家标准《社会责任指南》"],
    "sasac-central": ["参照《关于中央企业履行社会责任的指导意见》编制"],
    "cass-esg": ["CASS-ESG 5.0", "CASS ESG", "CASS-CSR 4.0", "《中国企业社会责任报告指南》"],
    "cfie-industrial": ["《中国工业企业社会责任管理指南》", "GSI"],
    "sh-federation-guide": ["《企业社会责任指南》", "上海市经济团体联合会团体标准"],
    "saq-writing": ["《社会责任报告编写通则》"],
    "sh-sasac-opinions": ["《关于本市国有企业更好履行社会责任的若干意见》"],
    "sh-sasac-esg": ["ESG指标体系", "国有控股上市公司环境、社会和治理（ESG）指标体系"],
    "sse-14": ["《上海证券交易所上市公司自律监管指引第14号》", "上交所自律监管指引第 14 号"],
    "civilised-unit": ["《文明单位社会责任报告指标体系（2023年修订版）》"],
    "iso26000": ["ISO 26000", "ISO26000:2010"],
    "gri": ["GRI Standards", "GRI 标准", "GRI 2", "全球报告倡议组织"],
}


def matching_standards(cf: CampaignFile, text: str) -> list[str]:
    return [s.key for s in cf.standards if any(re.search(p, text) for p in s.patterns)]


def test_citation_examples_cover_every_standard(cf: CampaignFile) -> None:
    assert sorted(CITATIONS) == sorted(s.key for s in cf.standards)


@pytest.mark.parametrize(
    ("key", "citation"), [(k, c) for k, cites in CITATIONS.items() for c in cites]
)
def test_standard_patterns_match_their_own_citation(
    cf: CampaignFile, key: str, citation: str
) -> None:
    assert key in matching_standards(cf, citation)


def test_each_standards_full_name_matches_only_that_standard(cf: CampaignFile) -> None:
    matches = {s.key: matching_standards(cf, s.name) for s in cf.standards}

    assert matches == {s.key: [s.key] for s in cf.standards}


def test_an_unrelated_sentence_matches_no_standard(cf: CampaignFile) -> None:
    sentence = "本公司坚持稳健经营，持续提升客户满意度。The company grew its revenue by 8% in 2023."

    assert matching_standards(cf, sentence) == []
