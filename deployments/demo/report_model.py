"""The shapes a synthetic report is made of: the spec of one report file, the campaign context
every report draws on, and the layout-free blocks (headings, paragraphs, tables, page breaks)
that report_text.py writes and reports.py lays out.

Plain frozen dataclasses, picklable for worker processes; the campaign's topics and standards
are described by Protocols so any model with those fields fits. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from deployments.demo.model import YearFigures


class Topic(Protocol):
    """A campaign-file topic as the report needs it (schemas' Topic fits)."""

    @property
    def key(self) -> str:
        """Return the topic's stable key."""

    @property
    def name(self) -> str:
        """Return the topic's Chinese name."""

    @property
    def kind(self) -> str:
        """Return "core" or "focus"."""

    @property
    def keywords(self) -> Sequence[str]:
        """Return the words that show a report covers the topic."""


class Standard(Protocol):
    """A campaign-file reference standard as the report needs it (schemas' Standard fits)."""

    @property
    def name(self) -> str:
        """Return the standard's citation name."""


@dataclass(frozen=True)
class Heading:
    """A section (level 1) or sub-section (level 2) title."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """A paragraph of body text."""

    text: str


@dataclass(frozen=True)
class Table:
    """A small table with a caption and a header row."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = Heading | Para | Table | PageBreak


@dataclass(frozen=True)
class ReportContext:
    """What every report of a campaign draws on: its topics and standards."""

    topics: tuple[Topic, ...]
    standards: tuple[Standard, ...]
    campaign_name: str


@dataclass(frozen=True)
class ReportSpec:
    """Everything one report file is made from (plain values, picklable for workers)."""

    key: str  # seeds the report's own random.Random
    uscc: str
    name: str
    title: str  # the cover title, e.g. "<report year>年度社会责任报告"
    report_year: int  # the year the report is about (wrong on purpose for wrong-year files)
    published: date
    figures: tuple[YearFigures, ...]
    safety_incidents: int
    penalties: int
    problem: str | None
    revised: bool
    avoid: tuple[str, ...] = ()  # text that must not appear (e.g. the right year, when wrong)
