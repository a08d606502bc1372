"""The PDF pre-screen's tables for the artifacts (tasks/submit/pdf/screen.py): the batch summary,
the topic heat rows, and the module docstring's list of problem codes."""

from __future__ import annotations

import re

import tasks.submit.pdf.screen
from schemas.screening import (
    PROBLEM_TEXTS,
    ScreenCode,
    ScreenResult,
    ScreenRules,
    TopicCoverage,
    screen_problem,
)
from tasks.submit.pdf.screen import screen_batch_summary, topic_heat_rows


def _result(
    name: str, problems: list[str], hits: dict[str, int], rules: ScreenRules
) -> ScreenResult:
    """Return a screened-file result with the given problem codes and topic mentions."""
    topics = [
        TopicCoverage(
            key=t.key,
            name=t.name,
            kind=t.kind,
            hits=hits.get(t.key, 0),
            pages=[1] if hits.get(t.key) else [],
            covered=hits.get(t.key, 0) >= 3,
        )
        for t in rules.topics
    ]
    return ScreenResult(
        file=name,
        size=10,
        pages=4,
        topics=topics if hits else [],
        core_topics_covered=sum(1 for t in topics if t.covered and t.kind == "core"),
        problems=[screen_problem(ScreenCode(c), "细节", "detail") for c in problems],
    )


def test_screen_batch_summary_lists_errors_first_then_warnings(rules: ScreenRules) -> None:
    results = [
        _result("a.pdf", ["pdf-topics-missing", "pdf-no-standard"], {"governance": 5}, rules),
        _result("b.pdf", [], {"governance": 5}, rules),
        _result("c.pdf", ["pdf-encrypted"], {}, rules),
    ]

    rows = screen_batch_summary(results)

    assert [(r["file"], r["severity"], r["code"]) for r in rows] == [
        ("c.pdf", "error", "pdf-encrypted"),
        ("a.pdf", "warning", "pdf-topics-missing"),
        ("a.pdf", "warning", "pdf-no-standard"),
    ]
    assert rows[1] == {
        "severity": "warning",
        "file": "a.pdf",
        "code": "pdf-topics-missing",
        "reason_zh": "未覆盖的核心议题：细节",
        "reason_en": "core topics not covered: detail",
        "pages": 4,
    }


def test_topic_heat_rows_give_mentions_per_topic_and_files_covering(rules: ScreenRules) -> None:
    results = [
        _result("a.pdf", [], {"governance": 5, "green": 1}, rules),
        _result("b.pdf", [], {"governance": 3, "community": 7}, rules),
        _result("c.pdf", ["pdf-encrypted"], {}, rules),
    ]

    rows = topic_heat_rows(results, rules)

    names = [t.name for t in rules.topics]
    assert list(rows[0]) == ["file", *names, "core_covered"]
    assert [
        (r["file"], r["组织治理"], r["社区参与"], r["绿色发展与双碳"], r["core_covered"])
        for r in rows
    ] == [
        ("a.pdf", 5, 0, 1, "1/9"),
        ("b.pdf", 3, 7, 0, "2/9"),
        ("c.pdf", "", "", "", ""),
        ("覆盖文件数 files covering", 2, 1, 0, ""),
    ]


def test_module_docstring_lists_every_code_with_its_severity() -> None:
    doc = tasks.submit.pdf.screen.__doc__ or ""
    listed = dict(re.findall(r"^ {4}(pdf-[a-z-]+) +(error|warning) ", doc, re.MULTILINE))

    assert listed == {
        code.value: severity.value for code, (severity, _, _) in PROBLEM_TEXTS.items()
    }
