"""The report files that are broken on purpose: scanned (drawn shapes, no text), encrypted
(AES-256 with a user password), and not a PDF at all (a zip archive or plain text).

Same spec, same bytes: pypdf's encryption draws its salts, keys and IVs from
`secrets.token_bytes`, which is pointed at the spec's seeded `random.Random` while it runs. No
file I/O; `reports.py` writes what these return.
"""

from __future__ import annotations

import contextlib
import io
import random
import secrets
import zipfile
from collections.abc import Iterator

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from deployments.demo.report_model import ReportSpec

WIDTH, HEIGHT = A4
LEFT, RIGHT, TOP, BOTTOM = 64.0, WIDTH - 64.0, HEIGHT - 80.0, 70.0
INDENT, LEADING = 21.0, 17.0


def render_scanned(spec: ReportSpec) -> tuple[bytes, int]:
    """Return a PDF whose pages hold only drawn shapes (like a scan: no text); no file I/O."""
    rng = random.Random(spec.key)
    pages = rng.randint(4, 12)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    for page in range(pages):
        c.setFillColorRGB(0.97, 0.96, 0.93)
        c.rect(0, 0, WIDTH, HEIGHT, stroke=0, fill=1)
        c.setFillColorRGB(0.25, 0.25, 0.25)
        y = TOP
        if page == 0:
            c.rect(LEFT, HEIGHT * 0.6, RIGHT - LEFT, 60, stroke=0, fill=1)
        while y > BOTTOM and page:
            x = LEFT + (INDENT if rng.random() < 0.2 else 0)
            while x < RIGHT - 20:
                w = min(rng.uniform(20, 90), RIGHT - x)
                c.rect(x, y, w, 7, stroke=0, fill=1)
                x += w + rng.uniform(3, 8)
            y -= LEADING
        c.showPage()
    c.save()
    return buf.getvalue(), pages


@contextlib.contextmanager
def _seeded_secrets(rng: random.Random) -> Iterator[None]:
    """Make `secrets.token_bytes` draw from `rng` inside the block (process-wide, restored)."""
    original = secrets.token_bytes

    def token_bytes(nbytes: int | None = None) -> bytes:
        """Return `nbytes` (default 32) bytes from `rng`; advances it."""
        return rng.randbytes(32 if nbytes is None else nbytes)

    secrets.token_bytes = token_bytes
    try:
        yield
    finally:
        secrets.token_bytes = original


def encrypt(data: bytes, rng: random.Random) -> bytes:
    """Return `data` encrypted with AES-256 and a user password; same rng, same bytes."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    password = f"csr{rng.randrange(10**6):06d}"
    with _seeded_secrets(rng):
        writer.encrypt(user_password=password, owner_password=password + "!", algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def not_a_pdf(spec: ReportSpec, rng: random.Random) -> bytes:
    """Return a zip archive or plain text that is not a PDF at all; no file I/O."""
    text = f"{spec.name}\n{spec.title}\n（文字稿，未转换为PDF）\n"
    if rng.random() < 0.5:
        return text.encode("utf-8")
    out = io.BytesIO()
    when = (spec.published.year, spec.published.month, spec.published.day, 9, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("word/document.xml", date_time=when), f"<w:t>{text}</w:t>")
    return out.getvalue()
