"""Render release certificates to PDF bytes with reportlab: one, or thousands with one font load.

`render_certificate(data, font)` draws the layout of tasks/release/certificates/layout.py on an A4
landscape page in the font of tasks/common/fonts.py: an embedded subset of the
TrueType face, or the non-embedded CID font when no TrueType face is available. The output is a
function of the data and the font only: the creation date is the issue date (00:00 UTC), the
document ID is derived from the data fingerprint, and reportlab's invariant mode fixes the rest,
so unchanged data renders to the same bytes in any process, whatever it drew before. The number
is also written into the document's subject and keywords, where `campaign verify` finds it even
when the page content is damaged.

`renderer(choice, workers, expected)` loads the face once per process and yields a function that
renders batches in this process or in one pool of `workers` processes kept for every batch;
`render_many(items, choice, workers)` renders one batch. Results come back in input order.

Does not decide what is printed (layout.py) nor write files (issue.py).
"""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import segno
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from tasks.common.fonts import FontChoice, LoadedFont, load_font
from tasks.release.certificates.layout import (
    HEADING,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    PT,
    Box,
    CertificateData,
    Colour,
    Line,
    Measure,
    Qr,
    Rule,
    Step,
    certificate_layout,
)

CREATOR = "csr-campaign"
LANGUAGE = "zh-CN"
POOL_MINIMUM = 40  # fewer certificates render faster here than a pool starts
MM = 72 / 25.4  # points in one millimetre


def render_certificate(data: CertificateData, font: LoadedFont) -> bytes:
    """Return the PDF of one certificate. Pure: `font` is already registered in this process."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_WIDTH * MM, PAGE_HEIGHT * MM), invariant=1, lang=LANGUAGE)
    _describe(canvas, data, data.fingerprint(font.choice.fingerprint)[:32].upper())

    def measure(text: str, size: float) -> float:
        return float(pdfmetrics.stringWidth(text, font.name, size)) * PT

    for step in certificate_layout(data, measure):
        _draw(canvas, step, font.name, measure)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _describe(canvas: Canvas, data: CertificateData, document_id: str) -> None:
    """Set the document's metadata, its creation date (the issue date) and its fixed ID."""
    canvas.setTitle(f"{HEADING} {data.number}")
    canvas.setSubject(data.number)
    canvas.setKeywords(data.number)
    canvas.setAuthor("、".join(data.organisers))
    canvas.setCreator(CREATOR)
    stamp = f"D:{data.issued_on:%Y%m%d}000000+00'00'"
    canvas.setDateFormatter(lambda *_parts: stamp)
    # reportlab has no setter for the document ID; it writes `_ID` as is when already set
    # (both halves the same: a file written once).
    canvas._doc._ID = f"\n[<{document_id}><{document_id}>]\n".encode("ascii")


def _rgb(colour: Colour) -> tuple[float, float, float]:
    """Return a 0-255 colour as reportlab's 0-1 fractions."""
    red, green, blue = colour
    return red / 255, green / 255, blue / 255


def _draw(canvas: Canvas, step: Step, font_name: str, measure: Measure) -> None:
    """Draw one layout step (millimetres from the top-left corner) on the canvas (points from
    the bottom-left)."""
    if isinstance(step, Box):
        canvas.setLineWidth(step.width * MM)
        canvas.setStrokeColorRGB(*_rgb(step.colour))
        if step.fill is not None:
            canvas.setFillColorRGB(*_rgb(step.fill))
        bottom = (PAGE_HEIGHT - step.y - step.h) * MM
        stroke, fill = int(step.width > 0), int(step.fill is not None)
        canvas.rect(step.x * MM, bottom, step.w * MM, step.h * MM, stroke=stroke, fill=fill)
    elif isinstance(step, Qr):
        _draw_qr(canvas, step)
    elif isinstance(step, Rule):
        canvas.setLineWidth(step.width * MM)
        canvas.setStrokeColorRGB(*_rgb(step.colour))
        y1, y2 = (PAGE_HEIGHT - step.y1) * MM, (PAGE_HEIGHT - step.y2) * MM
        canvas.line(step.x1 * MM, y1, step.x2 * MM, y2)
    else:
        canvas.setFillColorRGB(*_rgb(step.colour))
        # A text object with textOut and no T* (drawString's next-line move): pypdf then reads
        # each line back without a stray leading space.
        left = _left(step, measure(step.text, step.size)) * MM
        text = canvas.beginText(left, (PAGE_HEIGHT - step.y) * MM)
        text.setFont(font_name, step.size)
        text.textOut(step.text)
        canvas.drawText(text)


def _draw_qr(canvas: Canvas, qr: Qr) -> None:
    """Draw a QR code (segno's matrix, with its quiet zone) as filled squares, one per run."""
    code = segno.make(qr.payload, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=4)]
    module = qr.size / len(rows)
    canvas.setFillColorRGB(*_rgb(qr.colour))
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            bottom = (PAGE_HEIGHT - qr.y - (r + 1) * module) * MM
            width = (c - start) * module * MM
            canvas.rect((qr.x + start * module) * MM, bottom, width, module * MM, stroke=0, fill=1)


def _left(line: Line, width: float) -> float:
    """Return the left end of a line anchored at its left, centre or right."""
    return {"L": line.x, "C": line.x - width / 2, "R": line.x - width}[line.align]


# --- many certificates ----------------------------------------------------------------------

_worker_font: LoadedFont | None = None


def _init_worker(choice: FontChoice) -> None:
    """Load the batch's font in this worker process for every certificate it renders."""
    global _worker_font
    _worker_font = load_font(choice)


def _render_in_worker(data: CertificateData) -> bytes:
    """Render one certificate with the worker's font (see `_init_worker`)."""
    assert _worker_font is not None, "worker started without a font"
    return render_certificate(data, _worker_font)


def printed_characters(items: Iterable[CertificateData]) -> set[str]:
    """Return every character these certificates print (to log those the face lacks)."""
    characters: set[str] = set()
    for data in items:
        characters |= data.characters()
    return characters


Render = Callable[[Sequence[CertificateData]], Iterator[bytes]]


@contextmanager
def renderer(
    choice: FontChoice, workers: int, expected: int, characters: Iterable[str] = ()
) -> Iterator[Render]:
    """Yield a function rendering batches of certificates (in input order) with one font load.

    `expected` is how many certificates the caller will render in all: with `workers` > 1 and
    at least POOL_MINIMUM of them, one pool of that many worker processes (forkserver where
    available) serves every batch and stops when the block ends. `characters` are those the
    batches print (only to log the ones the face lacks).
    """
    font = load_font(choice, characters)
    if workers <= 1 or expected < POOL_MINIMUM:

        def here(items: Sequence[CertificateData]) -> Iterator[bytes]:
            return (render_certificate(data, font) for data in items)

        yield here
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(choice,)
    ) as pool:

        def pooled(items: Sequence[CertificateData]) -> Iterator[bytes]:
            chunk = max(1, min(64, len(items) // (workers * 8)))
            return pool.map(_render_in_worker, items, chunksize=chunk)

        yield pooled


def render_many(
    items: Sequence[CertificateData], choice: FontChoice, workers: int = 1
) -> Iterator[bytes]:
    """Yield the PDF of every certificate in input order, loading the font once per process.

    Side effects: with `workers` > 1 and at least POOL_MINIMUM certificates, starts that many
    worker processes (see `renderer`) and stops them when the iterator ends.
    """
    if not items:
        return
    with renderer(choice, workers, len(items), printed_characters(items)) as render:
        yield from render(items)
