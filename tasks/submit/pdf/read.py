"""Screen one report PDF in the current process: refuse a file over the byte cap or without a
PDF header before opening it, open it with `PdfReader(strict=False)` under pypdf's own limits,
extract the text of at most `max_pages` pages, analyse it (tasks/submit/pdf/text.py) and return a
`ScreenResult` whose problems say what is wrong.

It catches every exception per file and per page (FACTS.md: damaged files raise many kinds) and
turns pypdf's logged warnings into a count. It does not protect against a file that hangs or
exhausts memory: run it through `tasks.submit.pdf.screen.screen_many`, whose worker processes hold
the time and memory limits. Reads the file; writes nothing. The problem codes and severities are
listed in tasks/submit/pdf/screen.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
from pypdf.errors import FileNotDecryptedError

from schemas.screening import (
    ScreenCode,
    ScreenLimits,
    ScreenProblem,
    ScreenResult,
    ScreenRules,
    TextAnalysis,
    screen_problem,
)
from tasks.submit.pdf.text import analyse_text

__all__ = ["error_detail", "failed_result", "screen_pdf"]

HEADER_WINDOW = 1024  # the %PDF header may follow a little junk (viewers and pypdf allow it)
MESSAGE_CHARS = 500
BYTE_LIMITS = ("maximum_declared_stream_length", "stream_decoding_work_maximum_length")
SIGNATURES = (  # what a file that is not a PDF most likely is
    (b"PK\x03\x04", "ZIP压缩包或Word/Excel文档（docx/xlsx）", "a zip archive or a docx/xlsx file"),
    (b"\xd0\xcf\x11\xe0", "旧版Office文档（doc/xls）", "an old Office document (doc/xls)"),
    (b"\x89PNG", "PNG图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG图片", "a JPEG image"),
)


class _Count(logging.Handler):
    """Counts the records it receives (pypdf's warnings) instead of printing them."""

    def __init__(self) -> None:
        """Start at zero."""
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count one record; no output."""
        self.count += 1


@contextlib.contextmanager
def _pypdf_quiet() -> Iterator[_Count]:
    """Route the "pypdf" logger's warnings into a counter inside the block (restored after)."""
    logger = logging.getLogger("pypdf")
    handler, propagate = _Count(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _pypdf_limits(limits: ScreenLimits) -> contextlib.AbstractContextManager[Any]:
    """Return a context that applies pypdf's resource limits, scaled down to the memory limit
    (pypdf's own defaults at 1 GiB); a no-op on pypdf releases without `apply_configuration`."""
    apply = getattr(pypdf, "apply_configuration", None)
    if apply is None:
        return contextlib.nullcontext()
    current = pypdf.get_configuration()
    cap = limits.memory_bytes // 8
    names = [f.name for f in dataclasses.fields(current)]
    byte_limits = [n for n in names if n.endswith(("_output_length", "_buffer_size"))]
    byte_limits += [n for n in BYTE_LIMITS if n in names]
    overwrites = {n: min(getattr(current, n), cap) for n in byte_limits}
    manager: contextlib.AbstractContextManager[Any] = apply(**overwrites)
    return manager


def failed_result(
    path: Path, size: int, sha256: str | None, problem: ScreenProblem, **facts: Any
) -> ScreenResult:
    """Return the result of a file that could not be screened (no text analysis)."""
    return ScreenResult(file=path.name, size=size, sha256=sha256, problems=[problem], **facts)


def _not_a_pdf(head: bytes) -> ScreenProblem:
    """Return `pdf-not-a-pdf`, saying what the file looks like from its first bytes."""
    if not head:
        return screen_problem(
            ScreenCode.NOT_A_PDF,
            "文件为空（0字节）",
            "the file is empty (0 bytes)",
            advice="（文件为空）",
        )
    for magic, zh, en in SIGNATURES:
        if head.startswith(magic):
            return screen_problem(
                ScreenCode.NOT_A_PDF,
                f"看起来是{zh}",
                f"it looks like {en}",
                advice=f"（看起来是{zh}）",
            )
    return screen_problem(ScreenCode.NOT_A_PDF, "文件开头没有%PDF标记", "no %PDF header")


def error_detail(exc: BaseException) -> tuple[str, str]:
    """Return the exception's class name and its message, cut to a readable length."""
    return type(exc).__name__, str(exc)[:MESSAGE_CHARS]


def screen_pdf(path: Path, rules: ScreenRules, limits: ScreenLimits) -> ScreenResult:
    """Screen one PDF in this process and return its result; reads the file, nothing else.

    Never raises for a bad file: every exception becomes a problem with the error's class and
    message. Meant to run inside a `screen_many` worker, where the time and memory limits hold.
    """
    started = time.perf_counter()
    with _pypdf_quiet() as warnings, _pypdf_limits(limits):
        result = _screen(path, rules, limits)
    seconds = round(time.perf_counter() - started, 3)
    return result.model_copy(update={"pypdf_warnings": warnings.count, "seconds": seconds})


def _screen(path: Path, rules: ScreenRules, limits: ScreenLimits) -> ScreenResult:
    """Check size and header, then read the PDF; return the result without timing."""
    try:
        size = path.stat().st_size
        if size <= limits.max_bytes:
            with path.open("rb") as fh:
                data = fh.read(limits.max_bytes + 1)  # + 1: a file that grew is still refused
            size = len(data)
    except OSError as exc:
        kind, message = error_detail(exc)
        detail = f"{kind}: {message}"
        problem = screen_problem(ScreenCode.UNREADABLE, detail, detail)
        return failed_result(path, 0, None, problem, error_class=kind, error_message=message)
    if size > limits.max_bytes:
        mib = f"{size / 2**20:.1f} MiB > {limits.max_bytes / 2**20:.1f} MiB"
        cap = f"（{limits.max_bytes / 2**20:.0f} MB）"
        problem = screen_problem(ScreenCode.TOO_LARGE, mib, mib, advice=cap)
        return failed_result(path, size, None, problem)
    sha256 = hashlib.sha256(data).hexdigest()
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        return failed_result(path, len(data), sha256, _not_a_pdf(data[:8]))
    return _read(path, data, sha256, rules, limits)


def _extract(data: bytes, max_pages: int, facts: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Open the PDF bytes and return the text of its first max_pages pages and the errors of
    pages that failed ("Class: message"); records encrypted, opened and pages in `facts`.
    Raises what pypdf raises for the whole file (FileNotDecryptedError, PdfStreamError, ...)."""
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    facts["encrypted"] = reader.is_encrypted
    total = len(reader.pages)  # FileNotDecryptedError when the empty password did not open it
    facts.update(opened=True, pages=total)
    texts: list[str] = []
    errors: list[str] = []
    for page in reader.pages[:max_pages]:
        try:
            texts.append(page.extract_text())
        except MemoryError:
            raise
        except Exception as exc:  # a damaged page: keep reading the others
            errors.append(": ".join(error_detail(exc)))
            texts.append("")
    return texts, errors


def _read(
    path: Path, data: bytes, sha256: str, rules: ScreenRules, limits: ScreenLimits
) -> ScreenResult:
    """Open the PDF bytes, extract the text of the first max_pages pages and analyse it."""
    facts: dict[str, Any] = {"file": path.name, "size": len(data), "sha256": sha256}
    out_of_memory = False
    try:
        texts, errors = _extract(data, limits.max_pages, facts)
    except FileNotDecryptedError:
        return ScreenResult(**facts, problems=[screen_problem(ScreenCode.ENCRYPTED)])
    except MemoryError:
        out_of_memory = True
    except Exception as exc:  # pypdf raises many kinds for damaged files (FACTS.md)
        kind, message = error_detail(exc)
        detail = f"{kind}: {message}"
        problem = screen_problem(ScreenCode.UNREADABLE, detail, detail)
        return ScreenResult(**facts, problems=[problem], error_class=kind, error_message=message)
    if out_of_memory:  # outside the except clause: pypdf's frames and objects are freed by now
        detail = f"{limits.memory_bytes / 2**20:.0f} MiB"
        problem = screen_problem(ScreenCode.TOO_LARGE_IN_MEMORY, detail, detail)
        return ScreenResult(**facts, problems=[problem], error_class="MemoryError")
    analysis = analyse_text(texts, rules)
    problems = _reading_problems(facts["pages"], len(texts), errors, limits) or analysis.problems
    if errors:
        facts["error_class"], _, facts["error_message"] = errors[0].partition(": ")
    fields = {n: getattr(analysis, n) for n in TextAnalysis.model_fields if n != "problems"}
    return ScreenResult(
        **facts,
        **fields,
        pages_read=len(texts),
        page_errors=len(errors),
        problems=problems,
        page_texts=texts,
    )


def _reading_problems(
    total: int, read: int, errors: list[str], limits: ScreenLimits
) -> list[ScreenProblem]:
    """Return the problems of a PDF that opened: no pages, damaged pages, too many pages."""
    problems = []
    if total == 0:
        problems.append(
            screen_problem(ScreenCode.UNREADABLE, "文件没有页面", "the file has no pages")
        )
    if errors:
        problems.append(
            screen_problem(
                ScreenCode.UNREADABLE,
                f"{read}页中有{len(errors)}页无法读取（{errors[0]}）",
                f"{len(errors)} of {read} pages cannot be read ({errors[0]})",
            )
        )
    if total > limits.max_pages:
        problems.append(
            screen_problem(
                ScreenCode.TOO_MANY_PAGES,
                f"共{total}页，超过上限{limits.max_pages}页，仅检查了前{limits.max_pages}页",
                f"{total} pages, more than the limit of {limits.max_pages}; "
                f"only the first {limits.max_pages} were checked",
                advice=f"（{limits.max_pages}页）",
            )
        )
    return problems
