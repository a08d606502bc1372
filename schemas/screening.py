"""The PDF pre-screen's shapes: its limits and rules going in, its result coming out.

A screen result is what tasks/submit/pdf/screen.py learns about one report PDF (opens or not,
encrypted, pages, how much Chinese text, which years, topics and standards it mentions, hints for
the reviewers) plus its problems, each with a stable code, a severity, reasons in Chinese and
English for operators (the same shape as a `Rejection`) and one Chinese sentence for the enterprise
that says what to do (`advice_zh`: no code, no exception text, no file internals). The result is
stored as JSON on the Submission (`ScreenResult.to_stored()` / `ScreenResult.from_stored()`) and
read back by later stages.

Plain frozen pydantic models and pure functions: no I/O, no prefect, no pypdf. The problem
catalogue lives in schemas/screening_problems.py (re-exported here); the reading and analysing
in tasks/submit/pdf/.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Standard, Topic
from schemas.enums import Severity
from schemas.rejection import Rejection
from schemas.screening_problems import (
    ADVICE_TEXTS,
    PROBLEM_TEXTS,
    ScreenCode,
    ScreenProblem,
    enterprise_sentence,
    screen_problem,
)

__all__ = [
    "ADVICE_TEXTS",
    "PROBLEM_TEXTS",
    "Evidence",
    "ScreenCode",
    "ScreenLimits",
    "ScreenProblem",
    "ScreenResult",
    "ScreenRules",
    "TextAnalysis",
    "TopicCoverage",
    "enterprise_sentence",
    "reviewer_evidence",
    "rules_from_campaign",
    "screen_problem",
]

MIB = 1024 * 1024
STORAGE_VERSION = 1


class _Frozen(BaseModel):
    """A frozen model that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ScreenLimits(_Frozen):
    """What one file may cost: bytes on disk, pages read, CPU seconds, address space.

    `cpu_seconds_per_file` is the limit that counts (RLIMIT_CPU in the worker: load on the
    machine cannot trip it); `seconds_per_file` is the wall-clock backstop for a worker stuck
    outside the CPU (blocked, or in C code that ignores the signal), generous on purpose. A
    file stopped by either is tried once more alone after the batch (`retry_quiet_wait` bounds
    how long to wait for the machine to quieten first).
    """

    max_bytes: int = Field(default=100 * MIB, gt=0)
    max_pages: int = Field(default=1000, gt=0)
    cpu_seconds_per_file: int = Field(default=60, ge=1)
    seconds_per_file: float = Field(default=300.0, gt=0)
    memory_bytes: int = Field(default=1024 * MIB, ge=256 * MIB)
    retry_quiet_wait: float = Field(default=30.0, ge=0)


class ScreenRules(_Frozen):
    """What a report should mention, from one campaign file: its year, topics and standards."""

    report_year: int
    topics: tuple[Topic, ...] = Field(min_length=1)
    standards: tuple[Standard, ...] = Field(min_length=1)
    min_topic_hits: int = Field(default=2, ge=1)  # mentions for a topic without its own min
    max_image_page_share: float = Field(default=0.2, gt=0, le=1)
    standard_negations: tuple[str, ...] = ("未参照", "不适用")

    def core_topics(self) -> tuple[Topic, ...]:
        """Return the core topics (not the focus areas), in campaign-file order."""
        return tuple(t for t in self.topics if t.kind == "core")

    def min_hits(self, topic: Topic) -> int:
        """Return the mentions that make `topic` covered: its own threshold or the default."""
        return topic.min_hits if topic.min_hits is not None else self.min_topic_hits


def rules_from_campaign(campaign: CampaignFile) -> ScreenRules:
    """Return the screen rules of one campaign file (report year, topics, standards and the
    `[screening]` thresholds); pure."""
    screening = campaign.screening
    return ScreenRules(
        report_year=campaign.campaign.report_year,
        topics=tuple(campaign.topics),
        standards=tuple(campaign.standards),
        min_topic_hits=screening.min_topic_hits,
        max_image_page_share=screening.max_image_page_share,
        standard_negations=tuple(screening.standard_negations),
    )


class Evidence(_Frozen):
    """One place a topic was found: the page (1-based) and the sentence around the words."""

    page: int = Field(ge=1)
    text: str


class TopicCoverage(_Frozen):
    """How one topic shows in a report: keyword mentions, the pages they are on, covered or
    not, and the first sentences that matched (what the reviewers are shown)."""

    key: str
    name: str
    kind: str
    hits: int = Field(ge=0)
    pages: list[int]  # 1-based, ascending
    covered: bool
    evidence: list[Evidence] = Field(default_factory=list)


Hint = float | int | bool


class TextAnalysis(_Frozen):
    """What the text of a report's pages says (tasks/submit/pdf/text.analyse_text); no file
    facts."""

    text_chars: int = 0  # characters other than whitespace
    cjk_chars: int = 0
    cjk_share: float = 0.0  # cjk_chars / text_chars
    scanned: bool = False  # little or no extractable Chinese text
    image_pages: list[int] = Field(default_factory=list)  # 1-based pages without a text layer
    years_found: dict[int, int] = Field(default_factory=dict)  # year -> mentions (2023年, 2023年度)
    years_stated: list[int] = Field(default_factory=list)  # on the cover/title or 报告期
    report_year_found: bool = False
    other_year: int | None = None  # the year that outnumbers the report year, if one does
    topics: list[TopicCoverage] = Field(default_factory=list)
    core_topics_covered: int = 0
    focus_areas_covered: int = 0
    standards_cited: list[str] = Field(default_factory=list)  # standard keys, file order
    hints: dict[str, Hint] = Field(default_factory=dict)  # completeness, comparability, ...
    problems: list[ScreenProblem] = Field(default_factory=list)


class ScreenResult(TextAnalysis):
    """The whole pre-screen of one file: file facts, the text analysis, problems, failure."""

    format_version: int = STORAGE_VERSION  # of this stored shape; bumped when it changes
    file: str  # the file's name (data, never a path)
    sha256: str | None = None  # None when the file was refused unread (too large)
    size: int = Field(ge=0)
    opened: bool = False  # the PDF's pages could be read
    encrypted: bool = False
    pages: int | None = None  # pages in the file; None when it did not open
    pages_read: int = 0
    page_errors: int = 0  # pages whose text could not be extracted
    pypdf_warnings: int = 0
    seconds: float | None = None  # time in the worker; the limit for a timeout
    attempts: int = Field(default=1, ge=1)  # 2: timed out once and was tried again alone
    error_class: str | None = None
    error_message: str | None = None
    # Each page's extracted text, for report_page (the search); never stored in the JSON.
    page_texts: list[str] = Field(default_factory=list, exclude=True, repr=False)

    @property
    def usable(self) -> bool:
        """Return whether no problem is an error (the file counts as a filed report)."""
        return not any(p.severity == Severity.ERROR for p in self.problems)

    @property
    def codes(self) -> list[str]:
        """Return the problem codes in order."""
        return [p.code.value for p in self.problems]

    def to_stored(self) -> dict[str, Any]:
        """Return the result as JSON-ready plain values (the Submission.screening format)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> ScreenResult:
        """Return the result read back from its stored JSON; raise ValidationError if broken."""
        return cls.model_validate(data)

    def as_rejections(self) -> list[Rejection]:
        """Return the problems as file-level rejections, for the ingest report."""
        return [
            Rejection(
                file=self.file,
                row=None,
                column="",
                value="",
                code=p.code.value,
                reason_zh=p.reason_zh,
                reason_en=p.reason_en,
                severity=p.severity,
            )
            for p in self.problems
        ]


def reviewer_evidence(screening: dict[str, Any] | None, per_topic: int = 1) -> str:
    """Return, from a stored screening, one line per topic found: its name, the pages and the
    first `per_topic` matched sentences, e.g. "组织治理（第2、3页）：“董事会下设审计委员会。”";
    empty for no screening. For the reviewers' score sheet (tasks/review/sheets/issue.py). Pure.
    """
    lines = []
    for topic in (screening or {}).get("topics") or []:
        if not topic.get("hits"):
            continue
        pages = topic.get("pages") or []
        where = "、".join(map(str, pages[:8])) + ("…" if len(pages) > 8 else "")
        said = "".join(f"“{e.get('text', '')}”" for e in (topic.get("evidence") or [])[:per_topic])
        mark = "" if topic.get("covered") else "（不足）"
        lines.append(f"{topic.get('name', '')}{mark}（第{where}页）：{said}")
    return "\n".join(lines)
