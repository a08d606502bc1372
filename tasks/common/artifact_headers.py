"""Chinese column headers for the table artifacts operators read in the Prefect UI.

Row builders keep stable English keys (tests and code read them); `chinese_table` turns a
table's keys into the campaign's Chinese words just before it is published, and returns the
legend (Chinese = English key) that goes into the artifact's description. A key without a
translation is shown as it is: a new column is never lost, and the test of this module lists
every key the product publishes. Pure; no Prefect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

HEADERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # who and where
        "unit": "单位",
        "name": "名称",
        "uscc": "统一社会信用代码",
        "association": "推荐协会",
        "industry": "行业",
        "reviewer": "评审专家",
        "file": "文件",
        "row": "行",
        "column": "列",
        "value": "单元格内容",
        "recipient": "收件人",
        "id": "编号",
        "template": "邮件类型",
        "session": "培训场次",
        "title": "名称",
        "place": "地点",
        "deadline": "截止日期",
        "kind": "类型",
        "category": "类别",
        "case_title": "案例名称",
        # what was found
        "code": "问题代码",
        "severity": "严重程度",
        "reason_zh": "原因",
        "reason_en": "原因（英文）",
        "reason": "原因",
        "why": "说明",
        "status": "状态",
        "count": "数量",
        "pages": "页码",
        "flags": "标记",
        "overdue": "已逾期",
        "decision": "决定",
        "reports": "报告数",
        "units": "单位数",
        # review
        "rank": "排名",
        "overall_rank": "总排名",
        "composite": "综合分",
        "mean_normalised": "标准化平均分",
        "mean_raw": "原始平均分",
        "reviews": "评审份数",
        "spread": "分差",
        "grade": "等级",
        "recommendation": "评审结论",
        "expected": "应交",
        "returned": "已交",
        "outstanding": "未交",
        "unassigned": "未分配",
        # intake and submission
        "accepted": "已接收",
        "held": "暂缓",
        "basic_info": "基本信息表",
        "receipt": "发布回执",
        "report_pdf": "报告PDF",
        "submitted": "已提交",
        "core_covered": "覆盖核心议题数",
        # training
        "capacity": "容量",
        "invited": "已邀请",
        "waitlisted": "候补",
        "attended": "出席",
        "absent": "缺席",
        "walk_ins": "现场加入",
        "seats": "名额",
        # performance evaluation
        "no": "序号",
        "computed": "可计算指标",
        "computable": "可计算单位数",
        "flagged": "标记单位数",
        "dimension": "维度",
        "indicator": "指标",
        "revenue_growth": "营业收入增长率",
        "profit_margin": "利润率",
        "debt_ratio": "资产负债率",
        "tax_rate": "税负率",
        "rd_intensity": "研发投入强度",
        "core_topic_coverage": "核心议题覆盖",
        "focus_areas_covered": "重点领域覆盖",
    }
)


def chinese_table(
    rows: Sequence[Mapping[str, object]],
) -> tuple[list[dict[str, object]], str]:
    """Return the rows with Chinese headers and the legend `中文=key` of the columns. Pure.

    Two keys that share a Chinese word keep their order and get the English key beside the
    second one, so no column overwrites another.
    """
    if not rows:
        return [], ""
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    shown: dict[str, str] = {}
    for key in keys:
        word = HEADERS.get(key, key)
        shown[key] = word if word not in shown.values() else f"{word}（{key}）"
    translated = [{shown[k]: v for k, v in row.items()} for row in rows]
    legend = "列 columns: " + ", ".join(f"{shown[k]}={k}" for k in keys if shown[k] != k)
    return translated, legend
