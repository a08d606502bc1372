"""Which font the campaign's PDFs are printed in (release certificates, feedback letters), and
that face made ready for reportlab once per process. Shared by the release and review stages.

`choose_font(configured)` picks the configured TrueType file (CAMPAIGN_CERTIFICATE_FONT), else
WenQuanYi Micro Hei when the system has it (Debian fonts-wqy-microhei, `make sysdeps`), else the
standard CID font STSong-Light, which is not embedded: a viewer without Chinese fonts shows
boxes, so that choice is logged as a loud warning on every load.

`load_font(choice, characters)` registers the face with reportlab once per process (WenQuanYi
Micro Hei: ~0.25 s to parse its 34,600 code points) and returns the name to draw with. reportlab
then embeds in each certificate only the glyphs that certificate prints: TrueType subsets of up to
256 glyphs with a ToUnicode map, so pypdf extracts the text exactly. `asciiReadable=False`:
otherwise every subset carries all of ASCII (+80 glyphs, +12 KB per certificate). reportlab
shapes text (uharfbuzz) only when asked to; pdf.py never asks.

Does not draw (tasks/release/certificates/pdf.py, tasks/review/letter_pdf.py) and decides
nothing about what is printed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

logger = logging.getLogger(__name__)

SYSTEM_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CID_FONT = "STSong-Light"
TRUETYPE_SUFFIXES = (".ttf", ".ttc")


class UnusableCertificateFont(ValueError):
    """The configured certificate font cannot be embedded: missing, not TrueType, or refused."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"certificate font {path} {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class FontChoice:
    """A TrueType face to embed (path, face number in a collection), or None: the CID font."""

    path: Path | None
    face: int = 0

    @property
    def embedded(self) -> bool:
        """Return whether certificates carry the font (False: the non-embedded CID font)."""
        return self.path is not None

    @cached_property
    def fingerprint(self) -> str:
        """Return what identifies the rendering: the face file's sha256 prefix, or the CID name."""
        if self.path is None:
            return f"cid:{CID_FONT}"
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:16]
        return f"ttf:{self.path.name}:{self.face}:{digest}"


def choose_font(configured: Path | None, system_font: Path = SYSTEM_FONT) -> FontChoice:
    """Return the font to print certificates in; logs a warning when it is the CID fallback.

    A configured font must exist, be a .ttf/.ttc with TrueType outlines (CFF-outline CJK fonts
    extract with a NUL before every character) and allow embedding; reads and parses it once.
    Raises UnusableCertificateFont otherwise.
    """
    if configured is not None:
        path = configured.expanduser().resolve()
        if not path.is_file():
            raise UnusableCertificateFont(path, "does not exist")
        if path.suffix.lower() not in TRUETYPE_SUFFIXES:
            raise UnusableCertificateFont(path, "is not a .ttf or .ttc TrueType file")
        try:
            _parsed_face(path, 0)
        except TTFError as error:
            raise UnusableCertificateFont(path, f"is no usable TrueType face: {error}") from error
        return FontChoice(path)
    if system_font.is_file():
        return FontChoice(system_font)
    logger.warning(
        "NO CJK TRUETYPE FONT: certificates use the non-embedded CID font %s and show boxes on "
        "machines without Chinese fonts. Install fonts-wqy-microhei (make sysdeps) or set "
        "CAMPAIGN_CERTIFICATE_FONT to a .ttf/.ttc file.",
        CID_FONT,
    )
    return FontChoice(None)


@dataclass(frozen=True)
class LoadedFont:
    """A font registered with reportlab in this process: the name to draw with, and the
    characters of the batch it was loaded for that the face lacks (they print as boxes)."""

    choice: FontChoice
    name: str
    missing: frozenset[str] = field(default_factory=frozenset)


@lru_cache(maxsize=4)
def _parsed_face(path: Path, face: int) -> TTFont:
    """Return the face parsed by reportlab (cached: parsing WenQuanYi takes ~0.25 s)."""
    name = f"certificate-{hashlib.sha256(f'{path}:{face}'.encode()).hexdigest()[:12]}"
    return TTFont(name, str(path), subfontIndex=face, asciiReadable=False)


def load_font(choice: FontChoice, characters: Iterable[str] | None = None) -> LoadedFont:
    """Register the chosen face with reportlab in this process (once) and return it; reads and
    parses the font file on first use. Characters the face lacks are listed and logged."""
    if choice.path is None:
        if CID_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        return LoadedFont(choice, CID_FONT)
    face = _parsed_face(choice.path, choice.face)
    if face.fontName not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(face)
    code_points = face.face.charToGlyph
    missing = frozenset(c for c in characters or () if ord(c) >= 0x20 and ord(c) not in code_points)
    if missing:
        logger.warning(
            "font %s lacks %d characters: %s",
            choice.path.name,
            len(missing),
            "".join(sorted(missing))[:40],
        )
    return LoadedFont(choice, face.fontName, missing)
