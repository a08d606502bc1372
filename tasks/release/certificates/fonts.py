"""Which font certificates are printed in, loaded once and cut down to a batch's characters.

`choose_font(configured)` picks the configured TrueType file (CAMPAIGN_CERTIFICATE_FONT), else
WenQuanYi Micro Hei when the system has it (Debian fonts-wqy-microhei, `make sysdeps`), else the
standard CID font STSong-Light, which is not embedded: a viewer without Chinese fonts shows
boxes, so that choice is logged as a loud warning on every load.

Speed: fpdf2 parses the whole face for every document it embeds a font in (WenQuanYi has 49,531
glyphs: ~0.3 s of CPU per certificate). `load_font(choice, characters)` cuts the face down once
to the glyphs of every character a batch prints (fontTools subsetter, the same options fpdf2
uses, keeping glyph names, the first four glyphs and every code point of a kept glyph), so each
certificate only parses that small face (~25 ms). The cut is exact: the embedded subset fpdf2
then makes is byte-identical to the one it makes from the whole face, and the test compares the
two PDFs.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from fontTools import subset as ftsubset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

SYSTEM_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CID_FONT = "STSong-Light"
TRUETYPE_SUFFIXES = (".ttf", ".ttc")
# Tables fpdf2 drops from every embedded subset; dropping them from the cut face changes nothing.
DROPPED_TABLES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "meta", "SVG ", "COLR", "CPAL")
FIRST_GLYPHS = 4  # .notdef, .null, CR, space: fpdf2's subsets always keep them


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

    A configured font must exist and be a .ttf/.ttc with TrueType outlines (CFF-outline CJK
    fonts extract with a NUL before every character); anything else raises ValueError.
    """
    if configured is not None:
        path = configured.expanduser().resolve()
        if not path.is_file():
            raise ValueError(f"certificate font {path} does not exist")
        if path.suffix.lower() not in TRUETYPE_SUFFIXES:
            raise ValueError(f"certificate font {path} is not a .ttf or .ttc TrueType file")
        with TTFont(str(path), fontNumber=0, lazy=True) as probe:
            if "glyf" not in probe:
                raise ValueError(f"certificate font {path} has no TrueType (glyf) outlines")
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
    """A font ready for many certificates: the face cut down to `covered` code points (bytes of
    an sfnt), or the whole face (`face_bytes` None: fpdf2 reads the file), or the CID font."""

    choice: FontChoice
    face_bytes: bytes | None = None
    covered: frozenset[int] = field(default_factory=frozenset)
    missing: frozenset[str] = field(default_factory=frozenset)

    def covers(self, characters: Iterable[str]) -> bool:
        """Return whether every character is in the cut face (always True for a whole face)."""
        if self.face_bytes is None:
            return True
        return all(ord(c) in self.covered or c in self.missing for c in characters)


def load_font(choice: FontChoice, characters: Iterable[str] | None = None) -> LoadedFont:
    """Load the chosen face, cut down to `characters` when given; reads the font file.

    Characters the face lacks are listed in `missing` (they print as .notdef boxes) and logged.
    """
    if choice.path is None:
        return LoadedFont(choice)
    if characters is None:
        return LoadedFont(choice)
    wanted = {ord(c) for c in characters}
    # recalcBBoxes=False: the whole face's bounding box goes into the PDF's font descriptor
    face = TTFont(
        io.BytesIO(choice.path.read_bytes()),
        fontNumber=choice.face,
        lazy=True,
        recalcBBoxes=False,
        recalcTimestamp=False,
    )
    cmap: dict[int, str] = face.getBestCmap()
    missing = frozenset(chr(c) for c in wanted if c not in cmap and c >= 0x20)
    if missing:
        logger.warning(
            "font %s lacks %d characters: %s",
            choice.path.name,
            len(missing),
            "".join(sorted(missing))[:40],
        )
    glyphs = {cmap[c] for c in wanted if c in cmap} | set(face.getGlyphOrder()[:FIRST_GLYPHS])
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    options.drop_tables += list(DROPPED_TABLES)
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(glyphs))
    subsetter.subset(face)
    out = io.BytesIO()
    face.save(out)
    face.close()
    covered = frozenset(c for c, g in cmap.items() if g in glyphs)
    return LoadedFont(choice, out.getvalue(), covered, missing)
