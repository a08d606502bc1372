"""The pre-screen's problems: stable codes, severities, the operators' reasons in two
languages and the sentence each enterprise reads (what is wrong and what to do).

Plain values and pure functions, no I/O; `schemas.screening` re-exports everything here, so
callers import from there.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from schemas.enums import Severity

__all__ = [
    "ADVICE_TEXTS",
    "PROBLEM_TEXTS",
    "ScreenCode",
    "ScreenProblem",
    "enterprise_sentence",
    "screen_problem",
]


class _Frozen(BaseModel):
    """A frozen model that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
    PARTLY_SCANNED = "pdf-partly-scanned"
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
        "PDF读取超时（{detail}），文件可能异常",
        "reading the PDF took too long ({detail}); the file may be malformed",
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
    ScreenCode.PARTLY_SCANNED: (
        Severity.WARNING,
        "部分页面只有图片、没有文字层：{detail}",
        "some pages are images without a text layer: {detail}",
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


RESUBMIT = "请从原始文档（Word、WPS等）重新导出PDF，确认能用常用阅读器正常打开后重新提交"
TEXT_PDF = (
    "为便于专家评审和公开发布，请提交可复制文字的PDF（由Word、WPS等直接导出，不要扫描或转为图片；"
    "重新提交将记为新版本）"
)
NO_NEED = "本次无需因此重新提交"

# code -> what the enterprise reads: what is wrong and what to do, in one or two Chinese
# sentences. `{detail}` takes only words and numbers the screen wrote itself (page numbers,
# years, topic names, limits), never an exception message, a code or a file's own bytes.
ADVICE_TEXTS: dict[ScreenCode, str] = {
    ScreenCode.NOT_A_PDF: "所提交的文件不是PDF格式{detail}。请将报告另存为PDF文件后重新提交。",
    ScreenCode.TOO_LARGE: "文件大小超过上限{detail}。请压缩图片或另存为较小的PDF后重新提交。",
    ScreenCode.ENCRYPTED: "PDF设有打开密码，无法读取。请取消密码保护后重新导出PDF并提交。",
    ScreenCode.UNREADABLE: f"PDF文件已损坏或部分页面无法读取。{RESUBMIT}。",
    ScreenCode.TIMEOUT: (
        f"系统两次尝试均未能在规定时间内读取该PDF，文件结构可能异常。{RESUBMIT}；"
        "如仍有问题，请联系组委会。"
    ),
    ScreenCode.WORKER_CRASHED: f"系统读取该PDF时出错。{RESUBMIT}；如仍有问题，请联系组委会。",
    ScreenCode.TOO_LARGE_IN_MEMORY: f"该PDF结构过于复杂，系统无法读取。{RESUBMIT}。",
    ScreenCode.TOO_MANY_PAGES: "报告页数超过上限{detail}。请精简篇幅（如删除附件页）后重新提交。",
    ScreenCode.SCANNED: f"报告几乎没有可复制的文字（可能是扫描件或图片）。{TEXT_PDF}。",
    ScreenCode.PARTLY_SCANNED: "报告{detail}只有图片、没有可复制的文字。" + f"{TEXT_PDF}。",
    ScreenCode.WRONG_YEAR: (
        "{detail}请确认提交的是本届要求年度的报告，并在封面或“关于本报告”中写明报告期。"
    ),
    ScreenCode.TOPICS_MISSING: (
        "系统未在报告中找到以下核心议题的内容：{detail}。如报告已涵盖，可忽略本提示；"
        f"如未涵盖，建议在修改或今后的报告中补充。{NO_NEED}。"
    ),
    ScreenCode.NO_STANDARD: (
        "报告中未发现所参照的编制标准。建议在“关于本报告”中写明编制依据"
        f"（如GB/T 36000《社会责任指南》、CASS-ESG 5.0、GRI等）。{NO_NEED}。"
    ),
}


class ScreenProblem(_Frozen):
    """One problem of one screened file: stable code, severity, reasons in two languages for
    operators and the sentence the enterprise reads (`advice_zh`; empty in results stored
    before it existed: `enterprise_sentence` falls back to the catalogue)."""

    code: ScreenCode
    severity: Severity
    reason_zh: str
    reason_en: str
    advice_zh: str = ""


def screen_problem(
    code: ScreenCode, detail_zh: str = "", detail_en: str = "", *, advice: str = ""
) -> ScreenProblem:
    """Return the problem for `code` with its catalogue severity and reasons; pure.

    `advice` fills the enterprise sentence's `{detail}`: only the screen's own words and
    numbers may go there (never `detail_zh`, which may carry an exception message).
    """
    severity, zh, en = PROBLEM_TEXTS[code]
    return ScreenProblem(
        code=code,
        severity=severity,
        reason_zh=zh.format(detail=detail_zh),
        reason_en=en.format(detail=detail_en),
        advice_zh=ADVICE_TEXTS[code].format(detail=advice),
    )


def enterprise_sentence(problem: ScreenProblem) -> str:
    """Return what the enterprise reads about `problem`: its advice, or for a result stored
    before advice existed the catalogue's sentence without details; pure."""
    if problem.advice_zh:
        return problem.advice_zh
    generic = ADVICE_TEXTS[problem.code].format(detail="")
    return generic or "请核对报告内容，如有需要请重新提交。"
