"""The commend stage's workbook for the meeting: ranked candidates and proposed selections.

`write_candidates_workbook` writes one xlsx with three sheets (every ranked candidate with its
scores and reasons; every selection with its reasons; the flagged units skipped, with why)
through tasks/common/spreadsheets.py's rules: text from the units' filings is written as text
cells, never formulas. Plain function: writes only the path it is given, which the caller puts
inside the workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tasks.commend.load import SkippedUnit
from tasks.commend.rank import Ranked
from tasks.commend.select import CommendationKind, Selection
from tasks.common.spreadsheets import write_sheets

KIND_WORDS = {
    CommendationKind.EXCELLENT_UNIT: "优秀发布单位 excellent unit",
    CommendationKind.CASE: "优秀案例 case",
    CommendationKind.SPEAKER: "发言单位 speaker",
}
CANDIDATE_HEADERS = [
    "综合排名 rank",
    "单位名称 unit",
    "统一社会信用代码 USCC",
    "行业 industry",
    "所有制 ownership",
    "所在区 district",
    "报告名称 report title",
    "评审标准化得分 review score",
    "等级 grade",
    "评审名次 review rank",
    "绩效加分 performance bonus",
    "综合分 composite",
    "覆盖议题 topics covered",
    "拟表彰 proposed as",
    "理由 reasons",
]
SELECTION_HEADERS = [
    "类型 kind",
    "类别 category",
    "名次 place",
    "单位名称 unit",
    "统一社会信用代码 USCC",
    "表彰名称 title",
    "案例名称 case title",
    "综合排名 overall rank",
    "综合分 composite",
    "理由 reasons",
]


def _lines(reasons: Sequence[str]) -> str:
    return "\n".join(reasons)


SKIPPED_HEADERS = ["单位名称 unit", "统一社会信用代码 USCC", "未入选原因 why not proposed"]


def _candidate_rows(ranked: Sequence[Ranked], selections: Sequence[Selection]) -> list[list[Any]]:
    """Return one row per ranked candidate: scores, topics, what it is proposed as, why. Pure."""
    chosen: dict[int, list[Selection]] = {}
    for s in selections:
        chosen.setdefault(s.participation_id, []).append(s)
    return [
        [
            r.rank,
            r.candidate.unit_name,
            r.candidate.uscc,
            r.candidate.industry,
            r.candidate.ownership,
            r.candidate.district,
            r.candidate.report_title,
            round(r.candidate.normalised_score, 2),
            r.candidate.grade,
            r.candidate.review_rank,
            round(r.bonus, 2),
            round(r.composite, 2),
            "、".join(f"{t.name}({t.hits})" for t in r.candidate.topics),
            "；".join(_selection_word(s) for s in chosen.get(r.candidate.participation_id, [])),
            _lines(r.reasons),
        ]
        for r in ranked
    ]


def write_candidates_workbook(
    path: Path,
    ranked: Sequence[Ranked],
    selections: Sequence[Selection],
    skipped: Sequence[SkippedUnit] = (),
) -> Path:
    """Write the ranked candidates, the selections and the flagged units skipped; return path.

    Three sheets of one xlsx; text from the units' filings is written as text cells, never as
    formulas.
    """
    candidate_rows = _candidate_rows(ranked, selections)
    by_pid = {r.candidate.participation_id: r for r in ranked}
    selection_rows = [
        [
            KIND_WORDS[s.kind],
            s.category_key,
            s.rank,
            by_pid[s.participation_id].candidate.unit_name,
            by_pid[s.participation_id].candidate.uscc,
            s.title,
            s.case_title,
            by_pid[s.participation_id].rank,
            round(by_pid[s.participation_id].composite, 2),
            _lines(s.reasons),
        ]
        for s in selections
    ]
    return write_sheets(
        path,
        [
            ("candidates", CANDIDATE_HEADERS, candidate_rows),
            ("selections", SELECTION_HEADERS, selection_rows),
            (
                "flagged",
                SKIPPED_HEADERS,
                [[u.unit_name, u.uscc, _lines(u.reasons)] for u in skipped],
            ),
        ],
    )


def _selection_word(s: Selection) -> str:
    word = KIND_WORDS[s.kind].split(" ")[0]
    return f"{word}（{s.category_key}）" if s.category_key else word
