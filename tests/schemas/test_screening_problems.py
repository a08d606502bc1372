"""The pre-screen's problem catalogue: severities, operator reasons, enterprise sentences."""

from __future__ import annotations

from schemas.enums import Severity
from schemas.screening_problems import (
    ADVICE_TEXTS,
    PROBLEM_TEXTS,
    ScreenCode,
    ScreenProblem,
    enterprise_sentence,
    screen_problem,
)


def test_problem_catalogue_has_eight_errors_and_five_warnings() -> None:
    by_severity = {
        s: sorted(c.value for c, (sev, _, _) in PROBLEM_TEXTS.items() if sev == s) for s in Severity
    }

    assert set(PROBLEM_TEXTS) == set(ScreenCode)
    assert by_severity == {
        Severity.ERROR: [
            "pdf-encrypted",
            "pdf-not-a-pdf",
            "pdf-timeout",
            "pdf-too-large",
            "pdf-too-large-in-memory",
            "pdf-too-many-pages",
            "pdf-unreadable",
            "pdf-worker-crashed",
        ],
        Severity.WARNING: [
            "pdf-no-standard",
            "pdf-partly-scanned",
            "pdf-scanned",
            "pdf-topics-missing",
            "pdf-wrong-year",
        ],
    }


def test_screen_problem_fills_in_the_details_in_both_languages() -> None:
    problem = screen_problem(
        ScreenCode.TOO_MANY_PAGES, "共1200页", "1,200 pages", advice="（1000页）"
    )

    assert problem.model_dump(mode="json") == {
        "code": "pdf-too-many-pages",
        "severity": "error",
        "reason_zh": "页数过多：共1200页",
        "reason_en": "too many pages: 1,200 pages",
        "advice_zh": "报告页数超过上限（1000页）。请精简篇幅（如删除附件页）后重新提交。",
    }


def test_every_problem_tells_the_enterprise_what_to_do_without_codes_or_details() -> None:
    """The enterprise sentence never carries the operator detail (an exception text), a code
    or a placeholder, and always asks for something (请) or suggests it (建议)."""
    detail = "PdfStreamError: Stream has ended unexpectedly"
    for code in ScreenCode:
        problem = screen_problem(code, detail, detail)

        assert detail not in problem.advice_zh
        assert "pdf-" not in problem.advice_zh
        assert "{" not in problem.advice_zh
        assert "请" in problem.advice_zh or "建议" in problem.advice_zh
        assert enterprise_sentence(problem) == problem.advice_zh


def test_enterprise_sentence_of_a_result_stored_before_advice_existed() -> None:
    stored = {"code": "pdf-encrypted", "severity": "error", "reason_zh": "x", "reason_en": "x"}

    problem = ScreenProblem.model_validate(stored)

    assert problem.advice_zh == ""
    assert enterprise_sentence(problem) == ADVICE_TEXTS[ScreenCode.ENCRYPTED]
