"""The clock's record of failed stages: which step raised, cut details, escaped markdown."""

from __future__ import annotations

from datetime import date

import pytest

from tasks.clock.attention import (
    DETAIL_CHARS,
    SeasonDayFailed,
    StageFailure,
    attention_markdown,
    failing_step,
    needs_attention_markdown,
    stage_failure,
)
from tasks.common.markdown import markdown_text


def _raise_through_a_product_step() -> None:
    markdown_text(_Unprintable())


class _Unprintable:
    def __str__(self) -> str:
        raise KeyError("bad cell")


def test_the_step_is_the_outermost_product_frame_of_the_traceback() -> None:
    with pytest.raises(KeyError) as caught:
        _raise_through_a_product_step()

    assert failing_step(caught.value, "flows.review") == "tasks.common.markdown.markdown_text"


def test_without_a_product_frame_the_step_is_the_fallback() -> None:
    with pytest.raises(ZeroDivisionError) as caught:
        _ = 1 / 0

    assert failing_step(caught.value, "flows.review") == "flows.review"


def test_a_failure_keeps_the_class_and_a_cut_one_line_message() -> None:
    long = "第一行\nsecond line " + "x" * (2 * DETAIL_CHARS)

    failure = stage_failure("submit", ValueError(long))

    assert (failure.stage, failure.step, failure.error) == ("submit", "flows.submit", "ValueError")
    assert len(failure.detail) == DETAIL_CHARS
    assert failure.detail.startswith("第一行 second line xxx")
    assert failure.detail.endswith("…")


def test_the_attention_list_escapes_what_an_error_says() -> None:
    evil = StageFailure(
        stage="review",
        step="tasks.review.scores.take_in_scores",
        error="KeyError",
        detail="<script>alert(1)</script> | [x](http://example.com)",
    )

    text = attention_markdown(date(2024, 12, 5), [evil])

    assert text.splitlines()[-1] == (
        "| review | tasks.review.scores.take\\_in\\_scores | KeyError "
        "| &lt;script&gt;alert\\(1\\)&lt;/script&gt; \\| \\[x\\]\\(http://example.com\\) |"
    )


def test_the_days_error_names_every_failed_stage_and_step() -> None:
    failures = [
        StageFailure(stage="mobilize", step="flows.mobilize", error="RuntimeError", detail=""),
        StageFailure(stage="review", step="tasks.review.due.x", error="OSError", detail=""),
    ]

    error = SeasonDayFailed(date(2024, 12, 5), failures)

    assert str(error).startswith(
        "2024-12-05: 2 stage(s) failed, the others ran: mobilize at flows.mobilize (RuntimeError);"
        " review at tasks.review.due.x (OSError)."
    )


def test_a_clean_day_is_one_line() -> None:
    text = needs_attention_markdown(date(2024, 12, 5), [], "clean", clean=True)

    assert "\n" not in text
    assert "今日无待办" in text


def test_the_page_lists_failed_stages_above_the_audit() -> None:
    failed = StageFailure(stage="review", step="flows.review", error="OSError", detail="disk")

    text = needs_attention_markdown(date(2024, 12, 5), [failed], "AUDIT-LIST", clean=False)
    no_audit = needs_attention_markdown(date(2024, 12, 5), [failed], None, clean=False)
    only_audit = needs_attention_markdown(date(2024, 12, 5), [], "AUDIT-LIST", clean=False)

    assert text.startswith("# 今日待办 (needs attention) 2024-12-05")
    assert text.index("| review | flows.review | OSError | disk |") < text.index("AUDIT-LIST")
    assert "the audit failed" in no_audit
    assert "Stages that failed" not in only_audit
    assert only_audit.endswith("AUDIT-LIST")


def test_the_days_findings_come_between_the_failures_and_the_audit() -> None:
    found = ["mobilize: recommendations.rows_rejected=3", "deliver: failed=1"]

    text = needs_attention_markdown(date(2024, 10, 10), [], "clean", clean=True, findings=found)

    assert text.startswith("# 今日待办 (needs attention) 2024-10-10")
    assert text.index("rows\\_rejected=3") < text.index("## 本届核查")
    assert "- deliver: failed=1" in text
