"""The pre-screen hint on a reviewer's score sheet: counts first, then the evidence found."""

from __future__ import annotations

from typing import Any

from tasks.review.sheets.issue import screening_hint

SCREENING: dict[str, Any] = {
    "topics": [
        {
            "key": "governance",
            "name": "组织治理",
            "kind": "core",
            "covered": True,
            "hits": 3,
            "pages": [2, 3],
            "evidence": [{"page": 2, "text": "董事会下设审计委员会。"}],
        },
        {"key": "community", "name": "社区参与", "kind": "core", "covered": False, "hits": 0},
    ],
    "standards_cited": ["gri"],
}


def test_the_hint_sums_up_then_shows_where_each_topic_was_found() -> None:
    hint = screening_hint(SCREENING, {"gri": "GRI标准"})

    first, *rest = hint.splitlines()
    assert first == "核心议题 1/2；引用标准：GRI标准"
    assert rest == ["预审依据（供参考）：", "组织治理（第2、3页）：“董事会下设审计委员会。”"]


def test_no_screening_gives_no_hint() -> None:
    assert screening_hint(None, {}) == ""
