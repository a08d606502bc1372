"""The report PDFs: lay out a synthetic CSR report with reportlab's CID font STSong-Light (not
embedded: pypdf extracts it exactly, fine for synthetic files), pick the broken variant a spec
asks for (broken_pdfs.py; truncation here), and write the files, optionally in worker
processes. The bytes depend only on the spec, never on the worker that made them.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from deployments.demo.broken_pdfs import encrypt, not_a_pdf, render_scanned
from deployments.demo.model import PdfProblem
from deployments.demo.report_model import (
    Block,
    Heading,
    PageBreak,
    Para,
    ReportContext,
    ReportSpec,
    Table,
)
from deployments.demo.report_text import report_blocks

FONT = "STSong-Light"
WIDTH, HEIGHT = A4
LEFT, RIGHT, TOP, BOTTOM = 64.0, WIDTH - 64.0, HEIGHT - 80.0, 70.0
BODY, LEADING = 10.5, 17.0
ROW_H = 18.0
ACCENT = (0.13, 0.42, 0.36)
MAX_PAGES = 12
NO_LINE_START = "，。、；：？！）》”’"  # punctuation that hangs at the line end instead


def _text_width(text: str, size: float) -> float:
    """Return the approximate width of `text` in STSong-Light (CJK full, ASCII half); pure."""
    return size * sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)


def _wrap(text: str, size: float, width: float, indent: float = 0.0) -> list[str]:
    """Return `text` broken into lines that fit `width` (Chinese breaks anywhere); pure."""
    lines, line, used = [], "", indent
    for ch in text:
        w = size * (0.5 if ord(ch) < 128 else 1.0)
        if used + w > width and line and ch not in NO_LINE_START:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    if line:
        lines.append(line)
    return lines


class _Layout:
    """Puts blocks on the pages of a reportlab canvas, with running header and page numbers."""

    def __init__(self, canvas: Canvas, header: str) -> None:
        """Start on the cover page of `canvas`; `header` runs along the top of later pages."""
        self.c = canvas
        self.header = header
        self.page = 1
        self.y = TOP

    def new_page(self) -> None:
        """Finish the current page and start a decorated new one (draws on the canvas)."""
        self.c.showPage()
        self.page += 1
        self.c.setFont(FONT, 8)
        self.c.setFillColorRGB(0.4, 0.4, 0.4)
        self.c.drawString(LEFT, HEIGHT - 50, self.header)
        self.c.drawCentredString(WIDTH / 2, 40, f"— {self.page} —")
        self.c.setStrokeColorRGB(*ACCENT)
        self.c.line(LEFT, HEIGHT - 56, RIGHT, HEIGHT - 56)
        self.c.setFillColorRGB(0, 0, 0)
        self.y = TOP

    def fits(self, block: Block) -> bool:
        """Return whether `block` starts on the current page (a heading needs 3 lines below)."""
        extra = 3 * LEADING if isinstance(block, Heading) else 0.0
        return bool(self.y - self.height(block) - extra >= BOTTOM)

    def height(self, block: Block) -> float:
        """Return the vertical space `block` needs; pure."""
        if isinstance(block, Heading):
            return 34.0 if block.level == 1 else 24.0
        if isinstance(block, Para):
            return LEADING * len(_wrap(block.text, BODY, RIGHT - LEFT, 2 * BODY)) + 6
        if isinstance(block, Table):
            return 22 + ROW_H * (len(block.rows) + 1) + 10
        return 0.0

    def draw(self, block: Block) -> None:
        """Draw one block, starting new pages as needed (draws on the canvas)."""
        if isinstance(block, PageBreak):
            self.new_page()
        elif isinstance(block, Heading):
            if not self.fits(block):
                self.new_page()
            self._heading(block)
        elif isinstance(block, Para):
            lines = _wrap(block.text, BODY, RIGHT - LEFT, 2 * BODY)
            self.c.setFont(FONT, BODY)
            for k, line in enumerate(lines):
                if self.y - LEADING < BOTTOM:
                    self.new_page()
                    self.c.setFont(FONT, BODY)
                self.c.drawString(LEFT + (2 * BODY if k == 0 else 0), self.y - BODY, line)
                self.y -= LEADING
            self.y -= 6
        else:
            if not self.fits(block):
                self.new_page()
            self._table(block)

    def _heading(self, block: Heading) -> None:
        """Draw a heading at the cursor (draws on the canvas)."""
        size = 16.0 if block.level == 1 else 12.5
        if block.level == 1:
            self.c.setFillColorRGB(*ACCENT)
            self.c.rect(LEFT, self.y - size - 2, 4, size + 2, stroke=0, fill=1)
        self.c.setFillColorRGB(*(ACCENT if block.level == 1 else (0.1, 0.1, 0.1)))
        self.c.setFont(FONT, size)
        self.c.drawString(LEFT + (10 if block.level == 1 else 0), self.y - size, block.text)
        self.c.setFillColorRGB(0, 0, 0)
        self.y -= self.height(block)

    def _table(self, table: Table) -> None:
        """Draw a captioned grid table at the cursor (draws on the canvas)."""
        c = self.c
        c.setFont(FONT, 10)
        c.drawCentredString(WIDTH / 2, self.y - 12, f"表：{table.caption}")
        y = self.y - 22
        cols = len(table.header)
        first = (RIGHT - LEFT) * (0.34 if cols > 3 else 0.4)
        rest = (RIGHT - LEFT - first) / (cols - 1)
        xs = [LEFT, *(LEFT + first + rest * j for j in range(cols))]
        c.setFillColorRGB(0.88, 0.93, 0.91)
        c.rect(LEFT, y - ROW_H, RIGHT - LEFT, ROW_H, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.setFont(FONT, 9)
        for r, row in enumerate((table.header, *table.rows)):
            top = y - r * ROW_H
            for j, cell in enumerate(row):
                c.drawString(xs[j] + 4, top - 13, cell)
            c.line(LEFT, top - ROW_H, RIGHT, top - ROW_H)
        bottom = y - ROW_H * (len(table.rows) + 1)
        c.line(LEFT, y, RIGHT, y)
        for x in (*xs, RIGHT):
            c.line(x, y, x, bottom)
        self.y = bottom - 10


def _cover(c: Canvas, spec: ReportSpec) -> None:
    """Draw the cover: unit name, report title and publication month (draws on the canvas)."""
    c.setFillColorRGB(*ACCENT)
    c.rect(0, HEIGHT * 0.55, WIDTH, HEIGHT * 0.2, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    size = min(26.0, (RIGHT - LEFT) / max(1.0, _text_width(spec.name, 1.0)))
    c.setFont(FONT, size)
    c.drawCentredString(WIDTH / 2, HEIGHT * 0.68, spec.name)
    c.setFont(FONT, 22)
    title = spec.title + ("（修订版）" if spec.revised else "")
    c.drawCentredString(WIDTH / 2, HEIGHT * 0.6, title)
    c.setFillColorRGB(0.2, 0.2, 0.2)
    c.setFont(FONT, 12)
    c.drawCentredString(WIDTH / 2, HEIGHT * 0.2, f"{spec.published.year}年{spec.published.month}月")


def render_report(ctx: ReportContext, spec: ReportSpec) -> tuple[bytes, int]:
    """Return a text report PDF for `spec` and its page count; no file I/O."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"{spec.name}{spec.title}")
    c.setAuthor(spec.name)
    pages = draw_report(c, ctx, spec)
    c.save()
    return buf.getvalue(), pages


def draw_report(c: Canvas, ctx: ReportContext, spec: ReportSpec) -> int:
    """Draw the report for `spec` on `c` (cover, pages, the last one shown) and return its page
    count. `c` is a reportlab canvas, or anything with the same drawing methods
    (benchmarks/pdf_stack.py draws the same report with fpdf2 through one)."""
    rng = random.Random(spec.key)
    pages, blocks, filler = report_blocks(ctx, spec, rng)
    _cover(c, spec)
    lay = _Layout(c, f"{spec.name}  {spec.title}")
    lay.new_page()
    for block in blocks:  # the chosen content; cut only at the hard page limit
        if lay.page >= MAX_PAGES and not lay.fits(block):
            break
        lay.draw(block)
    for block in filler:  # then filler up to the target page count
        if lay.page >= pages and not lay.fits(block):
            break
        lay.draw(block)
    c.showPage()
    return lay.page


def render_file(ctx: ReportContext, spec: ReportSpec) -> tuple[bytes, int]:
    """Return the bytes of the report file for `spec` (broken as its problem says) and the
    number of pages rendered for it (0 for a file that is not a PDF); no file I/O."""
    rng = random.Random(spec.key + ":problem")
    if spec.problem == PdfProblem.SCANNED:
        return render_scanned(spec)
    if spec.problem == PdfProblem.NOT_PDF:
        return not_a_pdf(spec, rng), 0
    data, pages = render_report(ctx, spec)
    if spec.problem == PdfProblem.ENCRYPTED:
        return encrypt(data, rng), pages
    if spec.problem == PdfProblem.TRUNCATED:
        return data[: int(len(data) * rng.uniform(0.3, 0.7))], pages
    return data, pages


_CONTEXT: ReportContext | None = None


def _init_worker(ctx: ReportContext) -> None:
    """Keep the report context and register the CID font in this process (global state)."""
    global _CONTEXT
    _CONTEXT = ctx
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _write_one(job: tuple[ReportSpec, str]) -> tuple[int, int]:
    """Render one report file and write it to its path; return (pages, bytes)."""
    assert _CONTEXT is not None, "_init_worker must run first"
    spec, path = job
    data, pages = render_file(_CONTEXT, spec)
    Path(path).write_bytes(data)
    return pages, len(data)


def write_reports(
    ctx: ReportContext,
    jobs: list[tuple[ReportSpec, str]],
    workers: int,
    done: Callable[[int, int], None],
) -> int:
    """Write every (spec, path) report file, in `workers` processes when > 1; call
    `done(pages, bytes)` per file in job order and return the total page count."""
    total = 0
    if workers <= 1 or len(jobs) < 2:
        _init_worker(ctx)
        results: Iterator[tuple[int, int]] = map(_write_one, jobs)
        for pages, size in results:
            total += pages
            done(pages, size)
        return total
    chunk = max(1, min(16, len(jobs) // (workers * 8)))
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(ctx,)) as pool:
        for pages, size in pool.map(_write_one, jobs, chunksize=chunk):
            total += pages
            done(pages, size)
    return total
