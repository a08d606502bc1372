"""The fpdf2 candidate of benchmarks/pdf_stack.py: certificates and the demo's reports drawn with
fpdf2 and an embedded face cut with fontTools.

The certificate renderer is the one the product used until December 2026 (fpdf2, the face cut
once per batch to the batch's characters); the reports go through `Fpdf2Canvas`, which offers
the reportlab canvas methods deployments/demo/reports.py calls, so the very same layout code
draws them. fpdf2 and fontTools are imported by name at call time: they are no product
dependencies, and benchmarks/pdf_stack.py skips this side when they are not installed.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from datetime import time as clock_time
from typing import Any, cast

import segno

from deployments.demo.report_model import ReportContext, ReportSpec
from deployments.demo.reports import draw_report
from tasks.common.fonts import FontChoice
from tasks.release.certificates.layout import (
    HEADING,
    Box,
    CertificateData,
    Qr,
    Rule,
    certificate_layout,
)

A4_POINTS = (595.2756, 841.8898)
Rendered = list[tuple[bytes, int]]  # (file, pages) per document


def cut_face(choice: FontChoice, characters: set[str]) -> bytes:
    """Return the face cut to `characters` with fontTools, as fpdf2 embeds it (the product's
    fonts.py did exactly this before the move to reportlab)."""
    # Imported by name at call time: fontTools is no product dependency (module docstring).
    subset = importlib.import_module("fontTools.subset")
    tt_lib = importlib.import_module("fontTools.ttLib")
    assert choice.path is not None
    source = io.BytesIO(choice.path.read_bytes())
    face = tt_lib.TTFont(
        source, fontNumber=choice.face, lazy=True, recalcBBoxes=False, recalcTimestamp=False
    )
    cmap = face.getBestCmap()
    glyphs = {cmap[ord(c)] for c in characters if ord(c) in cmap} | set(face.getGlyphOrder()[:4])
    options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "meta", "SVG ", "COLR", "CPAL"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=sorted(glyphs))
    subsetter.subset(face)
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


def fpdf2_document(face: bytes, orientation: str, unit: str) -> Any:
    """Return an A4 fpdf2 document with the cut face attached as family "cjk"."""
    fpdf = importlib.import_module("fpdf")
    pdf = fpdf.FPDF(orientation=orientation, unit=unit, format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.fonts["cjk"] = importlib.import_module("fpdf.fonts").TTFFont(
        pdf, io.BytesIO(face), "cjk", ""
    )
    return pdf


def fpdf2_certificate(data: CertificateData, face: bytes, document_id: str) -> bytes:
    """Return one certificate drawn with fpdf2 (millimetres from the top-left corner)."""
    pdf = fpdf2_document(face, "L", "mm")
    pdf.file_id = lambda: f"<{document_id}><{document_id}>"
    pdf.set_creation_date(datetime.combine(data.issued_on, clock_time(), tzinfo=UTC))
    pdf.set_title(f"{HEADING} {data.number}")
    pdf.set_subject(data.number)
    pdf.set_keywords(data.number)
    pdf.add_page()

    def measure(text: str, size: float) -> float:
        pdf.set_font("cjk", size=size)
        return float(pdf.get_string_width(text))

    for step in certificate_layout(data, measure):
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
        elif isinstance(step, Qr):  # the same modules the product draws, one square each
            rows = list(segno.make(step.payload, error="m", micro=False).matrix_iter(border=4))
            module = step.size / len(rows)
            pdf.set_fill_color(*step.colour)
            for r, row in enumerate(rows):
                for c, dark in enumerate(row):
                    if dark:
                        pdf.rect(step.x + c * module, step.y + r * module, module, module, "F")
        else:
            width = measure(step.text, step.size)
            left = {"L": step.x, "C": step.x - width / 2, "R": step.x - width}[step.align]
            pdf.set_text_color(*step.colour)
            pdf.text(left, step.y, step.text)
    return bytes(pdf.output())


def fpdf2_certificates(items: Sequence[CertificateData], choice: FontChoice) -> Rendered:
    """Cut the face once for the batch, then render every certificate with fpdf2."""
    face = cut_face(choice, set().union(*(d.characters() for d in items)))
    rendering = choice.fingerprint
    return [(fpdf2_certificate(d, face, d.fingerprint(rendering)[:32].upper()), 1) for d in items]


class RecordingCanvas:
    """The drawing methods reports.py calls, doing nothing but collecting the text drawn."""

    def __init__(self) -> None:
        self.characters: set[str] = set()

    def drawString(self, _x: float, _y: float, text: str) -> None:
        self.characters |= set(text)

    drawCentredString = drawString

    def __getattr__(self, _name: str) -> Callable[..., None]:
        return lambda *_args, **_kwargs: None


class Fpdf2Canvas:
    """The reportlab canvas methods reports.py calls, drawn with fpdf2 (points, y flipped)."""

    def __init__(self, face: bytes) -> None:
        self.pdf = fpdf2_document(face, "P", "pt")
        self.pdf.set_line_width(1)
        self.height = A4_POINTS[1]
        self.pdf.add_page()
        self.page_open = True

    def _page(self) -> Any:
        if not self.page_open:
            self.pdf.add_page()
            self.page_open = True
        return self.pdf

    def showPage(self) -> None:
        self.page_open = False

    def setFont(self, _name: str, size: float) -> None:
        self.pdf.set_font("cjk", size=size)

    def setFillColorRGB(self, r: float, g: float, b: float) -> None:
        self.pdf.set_fill_color(round(r * 255), round(g * 255), round(b * 255))
        self.pdf.set_text_color(round(r * 255), round(g * 255), round(b * 255))

    def setStrokeColorRGB(self, r: float, g: float, b: float) -> None:
        self.pdf.set_draw_color(round(r * 255), round(g * 255), round(b * 255))

    def drawString(self, x: float, y: float, text: str) -> None:
        self._page().text(x, self.height - y, text)

    def drawCentredString(self, x: float, y: float, text: str) -> None:
        self.drawString(x - self.pdf.get_string_width(text) / 2, y, text)

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._page().line(x1, self.height - y1, x2, self.height - y2)

    def rect(self, x: float, y: float, w: float, h: float, stroke: int = 1, fill: int = 0) -> None:
        style = ("D" if stroke else "") + ("F" if fill else "")
        self._page().rect(x, self.height - y - h, w, h, style=style or "D")


def fpdf2_reports(ctx: ReportContext, specs: Sequence[ReportSpec], choice: FontChoice) -> Rendered:
    """Collect the batch's characters, cut the face once, then draw every report with fpdf2."""
    recorder = RecordingCanvas()
    for spec in specs:
        draw_report(cast(Any, recorder), ctx, spec)
    face = cut_face(choice, recorder.characters)
    rendered = []
    for spec in specs:
        canvas = Fpdf2Canvas(face)
        pages = draw_report(cast(Any, canvas), ctx, spec)
        rendered.append((bytes(canvas.pdf.output()), pages))
    return rendered
