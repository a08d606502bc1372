"""Row validation: each field problem becomes a stable code with both reasons."""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_uscc
from pydantic import ValidationError

from schemas.enums import UnitKind
from schemas.rows import RecommendationRow, clean_text, row_problems


def _raw(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "association_code": "A001",
        "campaign_year": "2024",
        "uscc": make_uscc(1),
        "name": "上海测试科技有限公司",
        "kind": "企业",
        "email": "a@unit.example.com",
        "attests_compliance": "是",
        "attests_responsibility": "是",
        "agrees_to_publish": "是",
    }
    raw.update(overrides)
    return raw


def _codes(raw: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        RecommendationRow.model_validate(raw)
    return [(p.field, p.code) for p in row_problems(info.value, raw)]


def test_valid_row_is_normalised() -> None:
    row = RecommendationRow.model_validate(
        _raw(uscc=make_uscc(1).lower(), kind="事业单位", campaign_year=2024.0, listed="是")
    )

    assert (row.uscc, row.kind, row.campaign_year, row.listed) == (
        make_uscc(1),
        UnitKind.INSTITUTION,
        2024,
        True,
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"uscc": "91310115XXXXXXXXX1"}, [("uscc", "bad-uscc")]),
        ({"uscc": 913101150000000000}, [("uscc", "uscc-numeric")]),
        ({"name": "   "}, [("name", "missing-value")]),
        ({"email": "no-at-sign"}, [("email", "bad-email")]),
        ({"agrees_to_publish": "否"}, [("agrees_to_publish", "attestation-missing")]),
        ({"attests_compliance": None}, [("attests_compliance", "attestation-missing")]),
        ({"attests_responsibility": "maybe"}, [("attests_responsibility", "bad-yes-no")]),
        ({"kind": "个体户"}, [("kind", "bad-unit-kind")]),
        ({"campaign_year": "24"}, [("campaign_year", "bad-year")]),
        (
            {"uscc": "", "email": "x@"},
            [("uscc", "missing-value"), ("email", "bad-email")],
        ),
    ],
)
def test_bad_fields_get_stable_codes(
    overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert _codes(_raw(**overrides)) == expected


def test_problem_reasons_are_given_in_chinese_and_english() -> None:
    raw = _raw(uscc="91310115XXXXXXXXX1")
    with pytest.raises(ValidationError) as info:
        RecommendationRow.model_validate(raw)

    [problem] = row_problems(info.value, raw)

    assert (problem.value, problem.reason_zh, problem.reason_en) == (
        "91310115XXXXXXXXX1",
        "统一社会信用代码无效：校验位错误",
        "check character does not match",
    )


def test_clean_text_removes_control_characters_and_folds_whitespace() -> None:
    assert clean_text("上海\r\n某某\t有限公司\u200b ") == "上海某某有限公司"
    assert clean_text("ABC\r\nTech\u200b Ltd ") == "ABC Tech Ltd"
    assert clean_text(12.0) == "12"
    assert clean_text(None) == ""
