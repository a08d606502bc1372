"""The audit's list in words: a line per violation (Chinese first), counts, the daily page."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tasks.audit.report import LISTED_MAX, count_lines, violation_line, violations_markdown
from tasks.audit.violations import INVARIANTS, STATES, Violation, counts_by_invariant

V = Violation(
    invariant=STATES,
    unit_name="上海测试|科技",
    uscc="91310115000000001X",
    wrong_zh="状态为「已提交」",
    wrong_en="status submitted",
    todo_zh="运行评审",
    todo_en="run the review",
)


def test_a_line_names_the_unit_and_says_chinese_first() -> None:
    line = violation_line(V)

    assert line.startswith("[states] 上海测试|科技（91310115000000001X）：状态为「已提交」")
    assert (
        line.index("status submitted") < line.index("处理：运行评审") < line.index("run the review")
    )


def test_a_violation_without_a_unit_names_its_subject() -> None:
    mail = V.model_copy(update={"unit_name": "", "uscc": "", "subject": "邮件 mail #3"})

    assert violation_line(mail).startswith("[states] 邮件 mail #3：")


@given(st.lists(st.sampled_from(sorted(INVARIANTS)), max_size=20))
def test_counts_list_every_invariant(codes: list[str]) -> None:
    violations = [V.model_copy(update={"invariant": c}) for c in codes]

    counts = counts_by_invariant(violations)

    assert counts == {k: codes.count(k) for k in INVARIANTS}
    assert len(count_lines(violations)) == len(INVARIANTS)


def test_a_clean_day_says_so_in_one_line() -> None:
    page = violations_markdown(date(2024, 12, 3), [])

    assert page.count("\n") == 0
    assert "无待办" in page


def test_the_page_escapes_names_and_caps_its_rows() -> None:
    page = violations_markdown(date(2024, 12, 3), [V] * (LISTED_MAX + 2))

    assert "上海测试\\|科技" in page
    assert page.count("| states |") == LISTED_MAX
    assert "2 more" in page
