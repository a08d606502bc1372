"""Markdown for the season statistics and the media kit: escaped tables, bilingual headings.

Pure functions from frames to markdown text; no files, no Prefect. Every cell is escaped (HTML
and markdown syntax), so a unit or association name can only ever show as text. Column headers
are given in Chinese and English from one table of words, shared with the workbooks.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Final

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd

from schemas.campaign_file import CampaignFile

HEADER_WORDS: Final[dict[str, str]] = {
    "association": "协会代码",
    "association_name": "协会名称",
    "recommended": "推荐",
    "registered": "报名",
    "submitted": "提交",
    "in_review": "进入评审",
    "review_passed": "评审通过",
    "approved": "审定发布",
    "released": "已发布",
    "lapsed": "逾期未报",
    "withdrawn": "退出",
    "removed": "未入选",
    "rejected": "评审未通过",
    "submit_rate": "提交率",
    "release_rate": "发布率",
    "deadline": "截止事项",
    "step": "材料",
    "deadline_date": "截止日期",
    "expected": "应交单位",
    "on_time": "按时",
    "late": "逾期",
    "missing": "未交",
    "pending": "未到期",
    "median_days": "距截止中位天数",
    "earliest_days": "最早",
    "latest_days": "最晚",
    "days": "距截止天数",
    "filings": "份数",
    "grade": "等级",
    "label": "评价",
    "stars": "星",
    "min_score": "最低分",
    "reports": "报告数",
    "share": "占比",
    "mean_score": "平均分",
    "lowest": "最低",
    "highest": "最高",
    "band": "分数段",
    "low": "下限",
    "high": "上限",
    "topic_key": "议题代码",
    "topic": "议题",
    "kind": "类型",
    "covering": "覆盖报告数",
    "indicator_name": "指标",
    "indicator": "指标代码",
    "evaluated": "评价单位数",
    "computable": "可计算",
    "median": "中位数",
    "mean": "平均数",
    "flagged": "预警",
    "flag_share": "预警占比",
    "template": "邮件模板",
    "total": "合计",
    "queued": "待发",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "失败",
    "ambiguous": "待核实",
    "cancelled": "已取消",
    "value": "数值",
    "dimension": "维度",
    "units": "单位数",
    "unit": "单位名称",
    "category_key": "类别",
    "title": "表彰名称",
    "case_title": "案例名称",
    "rank": "排名",
}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def header(column: str) -> str:
    """Return a column's bilingual header (`推荐 recommended`), or the column itself."""
    zh = HEADER_WORDS.get(column)
    return f"{zh} {column}" if zh else column


def cell_text(value: Any) -> str:
    """Return a value as escaped markdown cell text (blank for missing values)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, date):
        return value.isoformat()
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def markdown_table(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """Return a frame as a markdown table with bilingual headers (`(无 none)` when empty)."""
    shown = list(columns) if columns is not None else [str(c) for c in frame.columns]
    if frame.empty:
        return "(无 none)"
    lines = [
        "| " + " | ".join(cell_text(header(c)) for c in shown) + " |",
        "|" + "|".join("---" for _ in shown) + "|",
    ]
    for record in frame[shown].astype(object).to_dict(orient="records"):
        lines.append("| " + " | ".join(cell_text(record[c]) for c in shown) + " |")
    return "\n".join(lines)


def headline_lines(counts: pd.DataFrame) -> list[str]:
    """Return the headline numbers as a bulleted list, Chinese and English on each line."""
    return [
        f"- {cell_text(r['指标'])} {cell_text(r['metric'])}: **{int(r['value'])}**"
        for r in counts.to_dict(orient="records")
    ]


def statistics_markdown(
    campaign: CampaignFile,
    as_of: date,
    frames: dict[str, pd.DataFrame],
    chart: Callable[[str, str], str],
) -> str:
    """Return the season statistics document; `chart(name, caption)` places one chart.

    The file version embeds the PNGs by relative path; the Prefect artifact names their paths.
    """
    info = campaign.campaign
    sections: list[tuple[str, list[str]]] = [
        ("参与漏斗 Participation funnel", ["funnel"]),
        ("提交及时性 Filing timeliness", ["timeliness", "timeliness_days"]),
        ("评审得分 Review scores", ["grades", "score_bands"]),
        ("报告议题覆盖 Topic coverage", ["topics"]),
        ("绩效评价指标 Performance indicators", ["performance"]),
        ("邮件 Mail", ["mail"]),
    ]
    charts = {
        "funnel": ("funnel", "参与漏斗 funnel"),
        "timeliness": ("timeliness", "提交及时性 timeliness"),
        "grades": ("scores", "评审得分分布 score distribution"),
        "topics": ("topics", "议题覆盖率 topic coverage"),
    }
    lines = [
        f"# 第{info.edition}届{cell_text(info.name)} 统计 · Season statistics {campaign.year}",
        "",
        f"截至 As of {as_of.isoformat()}",
        "",
        "## 主要数据 Headline numbers",
        "",
        *headline_lines(frames["counts"]),
    ]
    for title, names in sections:
        lines += ["", f"## {title}"]
        for name in names:
            if name in charts:
                lines += ["", chart(*charts[name])]
            lines += ["", markdown_table(frames[name])]
    notes = [
        "漏斗为累计口径：单位计入其到达的最远阶段及之前各阶段。",
        "The funnel is cumulative: a unit counts at the furthest stage it reached and every "
        "stage before it.",
        "及时性以每家单位首次提交为准；距截止天数为负表示提前。",
        "Timeliness counts each unit's first filing; negative days are early.",
    ]
    lines += ["", "## 说明 Notes", "", *(f"- {n}" for n in notes), ""]
    return "\n".join(lines)
