"""Render release certificates to PDF bytes: one, or thousands with one font load.

`render_certificate(data, font)` draws the layout of tasks/release/certificates/layout.py on an A4
landscape page with fpdf2 and the embedded TrueType face of `font`
(tasks/release/certificates/fonts.py), or with reportlab and the non-embedded CID font when no
TrueType face is available. The output is a function of the data and the font only: the creation
date is the issue date (00:00 UTC) and the document ID is derived from the data fingerprint, so
unchanged data renders to the same bytes. The number is also written into the document's subject and
keywords, where `campaign verify` finds it even when the page content is damaged.

`render_many(items, choice, workers)` loads the face once, cut down to every character of the
batch, and renders in this process or in a pool of `workers` processes (each receives the cut
face once); results come back in input order.
"""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, time
from typing import Any, cast

from fpdf import FPDF
from fpdf.fonts import TTFFont

from tasks.release.certificates.fonts import CID_FONT, FontChoice, LoadedFont, load_font
from tasks.release.certificates.layout import (
    HEADING,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PT,
    Box,
    CertificateData,
    Line,
    Measure,
    Rule,
    Step,
    certificate_layout,
)

FAMILY = "certificate"
CREATOR = "csr-campaign"
POOL_MINIMUM = 40  # fewer certificates render faster here than a pool starts


class _CertificatePDF(FPDF):
    """fpdf2 with a document ID fixed by the caller instead of one hashed from the output."""

    def __init__(self, document_id: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self._document_id = document_id

    def file_id(self) -> str:
        """Return the fixed document ID (both halves the same: a file written once)."""
        return f"<{self._document_id}><{self._document_id}>"


def render_certificate(data: CertificateData, font: LoadedFont) -> bytes:
    """Return the PDF of one certificate. Pure apart from reading the font file when `font`
    holds a whole face; a cut face that lacks some of the data's characters is re-cut for it."""
    if font.choice.path is None:
        return _render_cid(data)
    if not font.covers(data.characters()):
        font = load_font(font.choice, data.characters())
    document_id = data.fingerprint(font.choice.fingerprint)[:32].upper()
    pdf = _CertificatePDF(document_id)
    pdf.set_creation_date(datetime.combine(data.issued_on, time(), tzinfo=UTC))
    pdf.set_title(f"{HEADING} {data.number}")
    pdf.set_subject(data.number)
    pdf.set_keywords(data.number)
    pdf.set_author("、".join(data.organisers))
    pdf.set_creator(CREATOR)
    pdf.set_lang("zh-CN")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    _attach(pdf, font)
    pdf.add_page()

    def measure(text: str, size: float) -> float:
        pdf.set_font(FAMILY, size=size)
        return float(pdf.get_string_width(text))

    _draw_fpdf(pdf, certificate_layout(data, measure))
    return bytes(pdf.output())


def _attach(pdf: FPDF, font: LoadedFont) -> None:
    """Give `pdf` the certificate face: the cut face from memory, or the whole face file."""
    if font.face_bytes is None:
        pdf.add_font(FAMILY, fname=font.choice.path, collection_font_number=font.choice.face)
        return
    # fpdf2's add_font wants a file; its TTFFont reads any file object fontTools accepts.
    face = io.BytesIO(font.face_bytes)
    pdf.fonts[FAMILY] = TTFFont(pdf, cast(Any, face), FAMILY, "")


def _draw_fpdf(pdf: FPDF, steps: Sequence[Step]) -> None:
    """Draw layout steps with fpdf2 (millimetres from the top-left corner)."""
    for step in steps:
        if isinstance(step, Box):
            if step.fill is not None:
                pdf.set_fill_color(*step.fill)
            pdf.set_draw_color(*step.colour)
            pdf.set_line_width(step.width)
            style = "F" if step.width == 0 else ("DF" if step.fill is not None else "D")
            pdf.rect(step.x, step.y, step.w, step.h, style=style)
        elif isinstance(step, Rule):
            pdf.set_draw_color(*step.colour)
            pdf.set_line_width(step.width)
            pdf.line(step.x1, step.y1, step.x2, step.y2)
        else:
            pdf.set_font(FAMILY, size=step.size)
            pdf.set_text_color(*step.colour)
            pdf.text(_left(step, pdf.get_string_width(step.text)), step.y, step.text)


def _left(line: Line, width: float) -> float:
    """Return the left end of a line anchored at its left, centre or right."""
    return {"L": line.x, "C": line.x - width / 2, "R": line.x - width}[line.align]


def _render_cid(data: CertificateData) -> bytes:
    """Return the PDF drawn with reportlab in the non-embedded CID font (the fallback)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    mm = 72 / 25.4
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_WIDTH * mm, PAGE_HEIGHT * mm), invariant=1)
    canvas.setTitle(f"{HEADING} {data.number}")
    canvas.setSubject(data.number)
    canvas.setKeywords(data.number)
    canvas.setAuthor("、".join(data.organisers))
    canvas.setCreator(CREATOR)

    def measure(text: str, size: float) -> float:
        return float(pdfmetrics.stringWidth(text, CID_FONT, size)) * PT

    for step in certificate_layout(data, cast(Measure, measure)):
        if isinstance(step, Box):
            canvas.setLineWidth(step.width * mm)
            canvas.setStrokeColorRGB(*(c / 255 for c in step.colour))
            if step.fill is not None:
                canvas.setFillColorRGB(*(c / 255 for c in step.fill))
            y = (PAGE_HEIGHT - step.y - step.h) * mm
            fill = int(step.fill is not None)
            canvas.rect(
                step.x * mm, y, step.w * mm, step.h * mm, stroke=int(step.width > 0), fill=fill
            )
        elif isinstance(step, Rule):
            canvas.setLineWidth(step.width * mm)
            canvas.setStrokeColorRGB(*(c / 255 for c in step.colour))
            canvas.line(
                step.x1 * mm,
                (PAGE_HEIGHT - step.y1) * mm,
                step.x2 * mm,
                (PAGE_HEIGHT - step.y2) * mm,
            )
        else:
            canvas.setFont(CID_FONT, step.size)
            canvas.setFillColorRGB(*(c / 255 for c in step.colour))
            x = _left(step, measure(step.text, step.size))
            canvas.drawString(x * mm, (PAGE_HEIGHT - step.y) * mm, step.text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


# --- many certificates ----------------------------------------------------------------------

_worker_font: LoadedFont | None = None


def _init_worker(font: LoadedFont) -> None:
    """Keep the batch's font in this worker process for every certificate it renders."""
    global _worker_font
    _worker_font = font


def _render_in_worker(data: CertificateData) -> bytes:
    """Render one certificate with the worker's font (see `_init_worker`)."""
    assert _worker_font is not None, "worker started without a font"
    return render_certificate(data, _worker_font)


def batch_font(items: Sequence[CertificateData], choice: FontChoice) -> LoadedFont:
    """Return the font for a batch: the face cut down to every character the batch prints."""
    characters: set[str] = set()
    for data in items:
        characters |= data.characters()
    return load_font(choice, characters)


def render_many(
    items: Sequence[CertificateData], choice: FontChoice, workers: int = 1
) -> Iterator[bytes]:
    """Yield the PDF of every certificate in input order, loading the font once.

    Side effects: with `workers` > 1 and at least POOL_MINIMUM certificates, starts that many
    worker processes (forkserver where available) and stops them when the iterator ends.
    """
    if not items:
        return
    font = batch_font(items, choice)
    if workers <= 1 or len(items) < POOL_MINIMUM:
        for data in items:
            yield render_certificate(data, font)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    chunk = max(1, min(64, len(items) // (workers * 8)))
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(font,)
    ) as pool:
        yield from pool.map(_render_in_worker, items, chunksize=chunk)
