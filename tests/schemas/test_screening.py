"""The pre-screen's shapes: rules from the campaign file, the problem catalogue, limits, and the
JSON the result is stored as."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from schemas.campaign_file import CampaignFile
from schemas.enums import Severity
from schemas.screening import (
    Evidence,
    ScreenCode,
    ScreenLimits,
    ScreenResult,
    TopicCoverage,
    reviewer_evidence,
    rules_from_campaign,
    screen_problem,
)


def _result() -> ScreenResult:
    """Return a result with every kind of field filled in."""
    return ScreenResult(
        file="91310000MA1FL8TQ3X.pdf",
        sha256="ab" * 32,
        size=20_192,
        opened=True,
        pages=8,
        pages_read=8,
        text_chars=6000,
        cjk_chars=5000,
        cjk_share=0.8333,
        years_found={2022: 4, 2023: 36},
        report_year_found=True,
        topics=[
            TopicCoverage(
                key="governance", name="组织治理", kind="core", hits=7, pages=[2, 3], covered=True
            )
        ],
        core_topics_covered=1,
        standards_cited=["gbt36000", "gri"],
        hints={"completeness": 0.11, "comparability": 2, "balance": 5, "materiality": True},
        problems=[screen_problem(ScreenCode.TOPICS_MISSING, "员工关爱", "employee_care")],
        pypdf_warnings=2,
        seconds=0.05,
    )


def test_rules_from_campaign_take_the_report_year_topics_and_standards(
    campaign_2024: CampaignFile,
) -> None:
    rules = rules_from_campaign(campaign_2024)

    assert rules.report_year == campaign_2024.campaign.report_year
    assert [t.key for t in rules.topics] == [t.key for t in campaign_2024.topics]
    assert [s.key for s in rules.standards] == [s.key for s in campaign_2024.standards]
    assert [t.key for t in rules.core_topics()] == [t.key for t in campaign_2024.core_topics()]


def test_screen_result_round_trips_through_its_stored_json() -> None:
    result = _result()

    stored = json.loads(json.dumps(result.to_stored()))

    assert stored["years_found"] == {"2022": 4, "2023": 36}
    assert stored["problems"][0]["severity"] == "warning"
    assert ScreenResult.from_stored(stored) == result
    assert ScreenResult.from_stored(stored).hints["materiality"] is True


def test_stored_json_with_an_unknown_problem_code_is_refused() -> None:
    stored = _result().to_stored()
    stored["problems"][0]["code"] = "pdf-unheard-of"

    with pytest.raises(ValidationError, match=r"problems\.0\.code"):
        ScreenResult.from_stored(stored)


def test_rules_from_campaign_take_the_screening_thresholds(campaign_2024: CampaignFile) -> None:
    rules = rules_from_campaign(campaign_2024)
    governance = next(t for t in rules.topics if t.key == "governance")

    assert rules.min_topic_hits == campaign_2024.screening.min_topic_hits
    assert rules.max_image_page_share == campaign_2024.screening.max_image_page_share
    assert "未参照" in rules.standard_negations
    assert rules.min_hits(governance) == governance.min_hits
    assert rules.min_hits(governance.model_copy(update={"min_hits": None})) == rules.min_topic_hits


def test_a_result_with_an_error_is_not_usable_and_becomes_a_file_rejection() -> None:
    result = _result().model_copy(update={"problems": [screen_problem(ScreenCode.ENCRYPTED)]})

    (rejection,) = result.as_rejections()

    assert result.usable is False
    assert _result().usable is True
    assert (rejection.file, rejection.row, rejection.code, rejection.severity) == (
        "91310000MA1FL8TQ3X.pdf",
        None,
        "pdf-encrypted",
        Severity.ERROR,
    )


def test_screen_limits_refuse_less_memory_than_a_worker_needs() -> None:
    with pytest.raises(ValidationError, match="memory_bytes"):
        ScreenLimits(memory_bytes=64 * 1024 * 1024)


def test_screen_limits_refuse_a_zero_time_limit() -> None:
    with pytest.raises(ValidationError, match="seconds_per_file"):
        ScreenLimits(seconds_per_file=0)


def test_reviewer_evidence_lists_the_topics_found_with_pages_and_a_sentence() -> None:
    stored = (
        _result()
        .model_copy(
            update={
                "topics": [
                    TopicCoverage(
                        key="governance",
                        name="组织治理",
                        kind="core",
                        hits=3,
                        pages=[2, 3],
                        covered=True,
                        evidence=[Evidence(page=2, text="董事会下设审计委员会。")],
                    ),
                    TopicCoverage(
                        key="community",
                        name="社区参与",
                        kind="core",
                        hits=0,
                        pages=[],
                        covered=False,
                    ),
                    TopicCoverage(
                        key="giving_back",
                        name="回报社会",
                        kind="core",
                        hits=1,
                        pages=[9],
                        covered=False,
                    ),
                ]
            }
        )
        .to_stored()
    )

    assert reviewer_evidence(stored) == (
        "组织治理（第2、3页）：“董事会下设审计委员会。”\n回报社会（不足）（第9页）："
    )
    assert reviewer_evidence(None) == ""
