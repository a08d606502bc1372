"""Table artifacts get Chinese headers, with the English keys kept in the legend."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tasks.common.artifact_headers import HEADERS, chinese_table

# Every key the product's table artifacts carried in the demo season (read from its Prefect
# history); a new column without a Chinese word fails here.
PUBLISHED_KEYS = {
    "case_title", "category", "composite", "kind", "overall_rank", "place", "title", "unit",
    "code", "column", "file", "reason_en", "reason_zh", "row", "severity", "value",
    "count", "id", "reason", "recipient", "status", "template",
    "computable", "dimension", "flagged", "indicator", "name", "units",
    "computed", "core_topic_coverage", "debt_ratio", "flags", "focus_areas_covered",
    "industry", "no", "profit_margin", "rd_intensity", "revenue_growth", "tax_rate",
    "accepted", "association", "held", "deadline", "reviewer", "why", "overdue",
    "decision", "reports", "grade", "mean_normalised", "mean_raw", "rank",
    "recommendation", "reviews", "spread", "uscc", "expected", "outstanding", "returned",
    "unassigned", "pages", "basic_info", "receipt", "report_pdf", "submitted",
    "core_covered", "absent", "attended", "capacity", "invited", "session", "waitlisted",
    "walk_ins", "seats",
}  # fmt: skip


def test_every_published_column_has_a_chinese_header() -> None:
    assert sorted(PUBLISHED_KEYS - set(HEADERS)) == []


def test_headers_are_chinese_and_the_legend_keeps_the_keys() -> None:
    unit = "上海测试0001科技有限公司"
    rows, legend = chinese_table([{"rank": 1, "unit": unit, "绿色环保": "是"}])

    assert rows == [{"排名": 1, "单位": unit, "绿色环保": "是"}]
    assert legend == "列 columns: 排名=rank, 单位=unit"


@given(st.lists(st.dictionaries(st.sampled_from(sorted(HEADERS)), st.integers()), max_size=5))
def test_no_column_is_lost_when_two_keys_share_a_word(rows: list[dict[str, int]]) -> None:
    shown, _ = chinese_table(rows)

    assert [sorted(r.values()) for r in shown] == [sorted(r.values()) for r in rows]
    assert [len(r) for r in shown] == [len(r) for r in rows]
