"""What a release certificate says, and where each line goes on an A4 landscape page.

`CertificateData` holds the printed values only (never contacts). `certificate_layout(data,
measure)` turns them into drawing steps (`Box`, `Rule`, `Line`) in millimetres from the top-left
corner, given a function that measures a string in the chosen font;
tasks/release/certificates/pdf.py draws the steps with reportlab (an embedded TrueType subset, or
the CID fallback). Long names and titles shrink to fit and then wrap (Chinese wraps between any two
characters). Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PAGE_WIDTH = 297.0  # mm, A4 landscape
PAGE_HEIGHT = 210.0
PT = 25.4 / 72  # one point in millimetres
# Bump when the drawing changes: every certificate's data fingerprint changes with it, so the
# next run re-renders them all instead of keeping files in the old design.
LAYOUT_VERSION = 2  # 2: the QR code and the line saying how to verify
HEADING = "社会责任报告发布证书"

Colour = tuple[int, int, int]
Align = Literal["L", "C", "R"]
Measure = Callable[[str, float], float]  # (text, size in pt) -> width in mm

CREAM: Colour = (253, 250, 242)
RED: Colour = (150, 28, 36)
GOLD: Colour = (184, 146, 60)
INK: Colour = (40, 40, 40)
GREY: Colour = (90, 90, 90)


class CertificateData(BaseModel):
    """The values printed on one release certificate (the fingerprint is taken over these)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: str
    campaign_title: str  # 第十三届上海市企业社会责任报告发布会
    theme: str
    unit_name: str = Field(min_length=1)
    report_title: str = Field(min_length=1)
    report_year: int
    commendations: tuple[str, ...] = ()
    organisers: tuple[str, ...] = ()
    issued_on: date
    verify_url: str = ""  # the public page answering a number; empty: ask the organisers

    def qr_payload(self) -> str:
        """Return what the QR code holds: the verification address with the number, or it."""
        if not self.verify_url:
            return self.number
        joiner = "&" if "?" in self.verify_url else "?"
        return f"{self.verify_url}{joiner}n={self.number}"

    def how_to_verify(self) -> str:
        """Return the printed line that tells a reader how to check this certificate."""
        if self.verify_url:
            return f"核验方式：扫描右侧二维码，或访问 {self.verify_url} 输入证书编号"
        return "核验方式：扫描右侧二维码读取证书编号，向主办单位核验"

    def fingerprint(self, rendering: str) -> str:
        """Return the sha256 of the printed values, the layout version and `rendering` (font)."""
        payload = {"data": self.model_dump(mode="json"), "layout": LAYOUT_VERSION}
        payload["rendering"] = rendering
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def characters(self) -> set[str]:
        """Return every character the certificate prints (to load only those glyphs)."""
        texts = [line.text for line in certificate_layout(self, _wide) if isinstance(line, Line)]
        return set("".join(texts))


@dataclass(frozen=True)
class Box:
    """A rectangle: outlined in `colour`, filled with `fill` when given."""

    x: float
    y: float
    w: float
    h: float
    width: float
    colour: Colour
    fill: Colour | None = None


@dataclass(frozen=True)
class Rule:
    """A straight line from (x1, y1) to (x2, y2)."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    colour: Colour


@dataclass(frozen=True)
class Line:
    """One line of text; (x, y) is its baseline anchor: left, centre or right end by `align`."""

    x: float
    y: float
    text: str
    size: float
    colour: Colour
    align: Align = "C"


@dataclass(frozen=True)
class Qr:
    """A QR code `size` mm square with its top-left corner at (x, y), holding `payload`."""

    x: float
    y: float
    size: float
    payload: str
    colour: Colour


Step = Box | Rule | Line | Qr
QR_SIZE = 21.0  # mm: about 0.6 mm a module at version 4, readable by a phone at arm's length


def _wide(text: str, size: float) -> float:
    """Measure every character as a full em: only for collecting characters."""
    return len(text) * size * PT


def fit_lines(
    text: str, width: float, size: float, min_size: float, max_lines: int, measure: Measure
) -> tuple[float, list[str]]:
    """Return the largest size (down to `min_size`, in 1 pt steps) at which `text` wraps into at
    most `max_lines` lines of `width` mm, and those lines; at `min_size` it takes what it needs."""
    current = size
    while True:
        lines = _wrap(text, width, current, measure)
        if len(lines) <= max_lines or current - 1 < min_size:
            return current, lines
        current -= 1


def _wrap(text: str, width: float, size: float, measure: Measure) -> list[str]:
    """Break `text` into lines no wider than `width` at `size` (between any two characters)."""
    lines: list[str] = []
    current = ""
    for char in text:
        if current and measure(current + char, size) > width:
            lines.append(current)
            current = char.lstrip()
        else:
            current += char
    if current or not lines:
        lines.append(current)
    return lines


def _block(
    steps: list[Step],
    top: float,
    text: str,
    spec: tuple[float, float, int],
    colour: Colour,
    measure: Measure,
) -> float:
    """Add centred wrapped lines starting at `top` (mm); return the y below them."""
    size, min_size, max_lines = spec
    chosen, lines = fit_lines(text, BODY_WIDTH, size, min_size, max_lines, measure)
    step = chosen * PT * 1.45
    y = top
    for line in lines:
        y += step
        steps.append(Line(PAGE_WIDTH / 2, y, line, chosen, colour))
    return y


BODY_WIDTH = 225.0


def _frame() -> list[Step]:
    """Return the background, the double border and the corner marks."""
    steps: list[Step] = [Box(0, 0, PAGE_WIDTH, PAGE_HEIGHT, 0, CREAM, fill=CREAM)]
    steps.append(Box(9, 9, PAGE_WIDTH - 18, PAGE_HEIGHT - 18, 1.6, RED))
    steps.append(Box(13, 13, PAGE_WIDTH - 26, PAGE_HEIGHT - 26, 0.5, GOLD))
    steps.append(Box(14.5, 14.5, PAGE_WIDTH - 29, PAGE_HEIGHT - 29, 0.2, GOLD))
    for cx, dx in ((19.0, 1), (PAGE_WIDTH - 19.0, -1)):
        for cy, dy in ((19.0, 1), (PAGE_HEIGHT - 19.0, -1)):
            steps.append(Rule(cx, cy, cx + 14 * dx, cy, 0.9, RED))
            steps.append(Rule(cx, cy, cx, cy + 14 * dy, 0.9, RED))
            steps.append(Box(cx + 2.5 * dx - 1.2, cy + 2.5 * dy - 1.2, 2.4, 2.4, 0.1, GOLD, GOLD))
    return steps


def certificate_layout(data: CertificateData, measure: Measure) -> list[Step]:
    """Return the drawing steps of one certificate, top to bottom."""
    steps = _frame()
    mid = PAGE_WIDTH / 2
    y = _block(steps, 26, data.campaign_title, (20, 14, 1), RED, measure)
    steps.append(Line(mid, y + 22, HEADING, 36, RED))
    steps.append(Rule(mid - 45, y + 28, mid + 45, y + 28, 0.6, GOLD))
    y = _block(steps, y + 36, "兹证明", (15, 15, 1), GREY, measure)
    y = _block(steps, y + 4, data.unit_name, (26, 15, 2), INK, measure)
    y = _block(steps, y + 3, f"《{data.report_title}》", (17, 11, 2), INK, measure)
    sentence = f"经专家评审，入选{data.campaign_title}发布名单，予以发布。"
    y = _block(steps, y + 4, sentence, (14, 10, 2), GREY, measure)
    if data.commendations:
        y = _block(
            steps, y + 5, "荣获：" + "、".join(data.commendations), (17, 11, 3), RED, measure
        )
    _block(steps, y + 3, f"报告年度：{data.report_year}年度", (12, 9, 1), GREY, measure)
    _footer(steps, data, measure)
    return steps


def _footer(steps: list[Step], data: CertificateData, measure: Measure) -> None:
    """Add the theme, the number (bottom left), the organisers and the date (bottom right)."""
    chosen, lines = fit_lines(f"发布会主题：{data.theme}", 150, 11, 7, 2, measure)
    y = PAGE_HEIGHT - 42.0
    for line in lines:
        steps.append(Line(26, y, line, chosen, GREY, "L"))
        y += chosen * PT * 1.4
    steps.append(Line(26, PAGE_HEIGHT - 28, f"证书编号：{data.number}", 11, INK, "L"))
    verify_size, verify_lines = fit_lines(data.how_to_verify(), 160, 8.5, 6, 1, measure)
    steps.append(Line(26, PAGE_HEIGHT - 22, verify_lines[0], verify_size, GREY, "L"))
    steps.append(Qr(190, PAGE_HEIGHT - 24 - QR_SIZE, QR_SIZE, data.qr_payload(), INK))
    right = PAGE_WIDTH - 26
    issued = data.issued_on
    lines_right: Sequence[str] = (
        *data.organisers,
        f"{issued.year}年{issued.month}月{issued.day}日",
    )
    y = PAGE_HEIGHT - 24 - 6.5 * (len(lines_right) - 1)
    for text in lines_right:
        steps.append(Line(right, y, text, 13, INK, "R"))
        y += 6.5
