"""The PDF pre-screen's shapes: its limits and rules going in, its result coming out.

A screen result is what tasks/submit/pdf/screen.py learns about one report PDF (opens or not,
encrypted, pages, how much Chinese text, which years, topics and standards it mentions, hints for
the reviewers) plus its problems, each with a stable code, a severity and reasons in Chinese and
English, the same shape as a `Rejection`. The result is stored as JSON on the Submission
(`ScreenResult.to_stored()` / `ScreenResult.from_stored()`) and read back by later stages.

Plain frozen pydantic models and pure functions: no I/O, no prefect, no pypdf. The reading and
analysing live in tasks/submit/pdf/screen.py and tasks/submit/pdf/text.py.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import Standard, Topic
from schemas.enums import Severity
from schemas.rejection import Rejection

__all__ = [
    "PROBLEM_TEXTS",
    "ScreenCode",
    "ScreenLimits",
    "ScreenProblem",
    "ScreenResult",
    "ScreenRules",
    "TextAnalysis",
    "TopicCoverage",
    "rules_from_campaign",
    "screen_problem",
]

MIB = 1024 * 1024
STORAGE_VERSION = 1


class _Frozen(BaseModel):
    """A frozen model that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ScreenLimits(_Frozen):
    """What one file may cost: bytes on disk, pages read, wall-clock seconds, address space."""

    max_bytes: int = Field(default=100 * MIB, gt=0)
    max_pages: int = Field(default=1000, gt=0)
    seconds_per_file: float = Field(default=60.0, gt=0)
    memory_bytes: int = Field(default=1024 * MIB, ge=256 * MIB)


class ScreenRules(_Frozen):
    """What a report should mention, from one campaign file: its year, topics and standards."""

    report_year: int
    topics: tuple[Topic, ...] = Field(min_length=1)
    standards: tuple[Standard, ...] = Field(min_length=1)
    min_topic_hits: int = Field(default=3, ge=1)  # mentions for a topic to count as covered

    def core_topics(self) -> tuple[Topic, ...]:
        """Return the core topics (not the focus areas), in campaign-file order."""
        return tuple(t for t in self.topics if t.kind == "core")


def rules_from_campaign(campaign: CampaignFile) -> ScreenRules:
    """Return the screen rules of one campaign file (report year, topics, standards); pure."""
    return ScreenRules(
        report_year=campaign.campaign.report_year,
        topics=tuple(campaign.topics),
        standards=tuple(campaign.standards),
    )


class ScreenCode(StrEnum):
    """A stable screening problem code; the values are stored and never change."""

    NOT_A_PDF = "pdf-not-a-pdf"
    TOO_LARGE = "pdf-too-large"
    ENCRYPTED = "pdf-encrypted"
    UNREADABLE = "pdf-unreadable"
    TIMEOUT = "pdf-timeout"
    WORKER_CRASHED = "pdf-worker-crashed"
    TOO_LARGE_IN_MEMORY = "pdf-too-large-in-memory"
    TOO_MANY_PAGES = "pdf-too-many-pages"
    SCANNED = "pdf-scanned"
    WRONG_YEAR = "pdf-wrong-year"
    TOPICS_MISSING = "pdf-topics-missing"
    NO_STANDARD = "pdf-no-standard"


# code -> (severity, Chinese reason, English reason); `{detail}` is filled in by the caller.
# Error: the file cannot be used as a report as it stands (or could not be screened safely).
# Warning: the file counts as filed, and the reviewers should know.
PROBLEM_TEXTS: dict[ScreenCode, tuple[Severity, str, str]] = {
    ScreenCode.NOT_A_PDF: (
        Severity.ERROR,
        "文件不是PDF：{detail}",
        "the file is not a PDF: {detail}",
    ),
    ScreenCode.TOO_LARGE: (
        Severity.ERROR,
        "文件过大：{detail}",
        "the file is too large: {detail}",
    ),
    ScreenCode.ENCRYPTED: (
        Severity.ERROR,
        "PDF已加密，需要密码才能打开，请提交未加密的版本",
        "the PDF is encrypted and needs a password to open; please send an unencrypted copy",
    ),
    ScreenCode.UNREADABLE: (
        Severity.ERROR,
        "PDF已损坏或无法读取：{detail}",
        "the PDF is damaged or cannot be read: {detail}",
    ),
    ScreenCode.TIMEOUT: (
        Severity.ERROR,
        "PDF读取超时（超过{detail}秒），文件可能异常",
        "reading the PDF took longer than {detail} s; the file may be malformed",
    ),
    ScreenCode.WORKER_CRASHED: (
        Severity.ERROR,
        "读取PDF的进程意外终止：{detail}",
        "the process reading the PDF stopped unexpectedly: {detail}",
    ),
    ScreenCode.TOO_LARGE_IN_MEMORY: (
        Severity.ERROR,
        "读取PDF所需内存超过上限（{detail}）",
        "reading the PDF needs more memory than allowed ({detail})",
    ),
    ScreenCode.TOO_MANY_PAGES: (
        Severity.ERROR,
        "页数过多：{detail}",
        "too many pages: {detail}",
    ),
    ScreenCode.SCANNED: (
        Severity.WARNING,
        "几乎没有可提取的中文文字（扫描件或文字编码异常）：{detail}",
        "little or no extractable Chinese text (a scan, or garbled text encoding): {detail}",
    ),
    ScreenCode.WRONG_YEAR: (
        Severity.WARNING,
        "报告年度可能有误：{detail}",
        "the report may be about the wrong year: {detail}",
    ),
    ScreenCode.TOPICS_MISSING: (
        Severity.WARNING,
        "未覆盖的核心议题：{detail}",
        "core topics not covered: {detail}",
    ),
    ScreenCode.NO_STANDARD: (
        Severity.WARNING,
        "未引用任何参考标准（如GB/T 36000、ISO 26000、GRI、CASS-ESG）",
        "no reference standard cited (such as GB/T 36000, ISO 26000, GRI, CASS-ESG)",
    ),
}


class ScreenProblem(_Frozen):
    """One problem of one screened file: stable code, severity and reasons in two languages."""

    code: ScreenCode
    severity: Severity
    reason_zh: str
    reason_en: str


def screen_problem(code: ScreenCode, detail_zh: str = "", detail_en: str = "") -> ScreenProblem:
    """Return the problem for `code` with its catalogue severity and reasons; pure."""
    severity, zh, en = PROBLEM_TEXTS[code]
    return ScreenProblem(
        code=code,
        severity=severity,
        reason_zh=zh.format(detail=detail_zh),
        reason_en=en.format(detail=detail_en),
    )


class TopicCoverage(_Frozen):
    """How one topic shows in a report: keyword mentions, the pages they are on, covered or not."""

    key: str
    name: str
    kind: str
    hits: int = Field(ge=0)
    pages: list[int]  # 1-based, ascending
    covered: bool


Hint = float | int | bool


class TextAnalysis(_Frozen):
    """What the text of a report's pages says (tasks/pdftext.analyse_text); no file facts."""

    text_chars: int = 0  # characters other than whitespace
    cjk_chars: int = 0
    cjk_share: float = 0.0  # cjk_chars / text_chars
    scanned: bool = False  # little or no extractable Chinese text
    years_found: dict[int, int] = Field(default_factory=dict)  # year -> mentions (2023年, 2023年度)
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
    error_class: str | None = None
    error_message: str | None = None

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
