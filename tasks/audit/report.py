"""The audit's list in words: one line per violation, counts per invariant, the daily page.

`violation_line` is what `campaign audit` prints (Chinese first, then English, then what to do);
`needs_attention_markdown` is the clock's 今日待办 artifact: the day's stage failures (already
worded by tasks/clock/attention.py) above the audit's list; a clean day says so in one line.
Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tasks.audit.violations import INVARIANTS, Violation, broken, counts_by_invariant
from tasks.common.markdown import markdown_text

LISTED_MAX = 500  # rows in the artifact; the command line prints them all


def violation_line(v: Violation) -> str:
    """Return one violation as a line: [invariant] who: zh / en → todo. Pure.

    An overdue to-do is marked 逾期待办 after its invariant.
    """
    mark = " 逾期待办 overdue" if v.overdue else ""
    return (
        f"[{v.invariant}{mark}] {v.who()}：{v.wrong_zh} / {v.wrong_en} "
        f"→ 处理：{v.todo_zh} / to do: {v.todo_en}"
    )


def count_lines(violations: list[Violation]) -> list[str]:
    """Return one line per invariant: its code, name (zh / en) and how many violations. Pure."""
    return [
        f"{code:<15} {n:>5}  {INVARIANTS[code][0]} / {INVARIANTS[code][1]}"
        for code, n in counts_by_invariant(violations).items()
        if code in INVARIANTS
    ]


def violations_markdown(day: date, violations: Sequence[Violation]) -> str:
    """Return the audit's part of the day's page: a table of violations, or one clean line."""
    if not violations:
        return f"**{day}: 本届各项核查均通过，无待办事项 (the season audits clean: nothing to do)**"
    counts = counts_by_invariant(list(violations))
    failing = len(broken(violations))
    overdue = len(violations) - failing
    lines = [
        f"**{day}: 核查未通过 {failing} 项，逾期待办 {overdue} 项 ({failing} violation(s), "
        f"{overdue} overdue to-do(s))**",
        "",
        "; ".join(f"{code} {n}" for code, n in counts.items() if n),
        "",
        "| 核查 invariant | 单位 unit | 问题 what is wrong | 处理 what to do |",
        "|---|---|---|---|",
    ]
    for v in violations[:LISTED_MAX]:
        wrong = f"{v.wrong_zh} / {v.wrong_en}"
        todo = f"{v.todo_zh} / {v.todo_en}"
        code = f"{v.invariant}（逾期待办 overdue）" if v.overdue else v.invariant
        lines.append(
            f"| {markdown_text(code)} | {markdown_text(v.who())} "
            f"| {markdown_text(wrong)} | {markdown_text(todo)} |"
        )
    if len(violations) > LISTED_MAX:
        lines.append(f"\n… {len(violations) - LISTED_MAX} more: run `campaign audit`")
    return "\n".join(lines)
