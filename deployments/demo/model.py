"""Data shapes of the synthetic data generator: units, associations, reviewers, the problems it
injects on purpose, the per-unit season plan and the summary `generate()` returns.

Plain frozen dataclasses for the generator's own values and frozen pydantic models for what
leaves it (the summary, the injections). No I/O, no randomness, nothing about a campaign year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class RowProblem(StrEnum):
    """A problem injected into the recommendation files (row level unless noted)."""

    BAD_USCC_CHECK = "bad-uscc-check"
    EMPTY_NAME = "empty-name"
    BAD_EMAIL = "bad-email"
    DUPLICATE_IN_FILE = "duplicate-in-file"
    DUPLICATE_ACROSS_ASSOCIATIONS = "duplicate-across-associations"
    MISSING_ATTESTATION = "missing-attestation"
    USCC_AS_NUMBER = "uscc-as-number"
    OVER_QUOTA = "over-quota"  # file level
    UNDER_QUOTA = "under-quota"  # file level
    WRONG_YEAR_FILE = "wrong-year-file"  # file level


# Row problems that make the ingest reject the row (the others land or only warn).
REJECTING_ROW_PROBLEMS = frozenset(
    {
        RowProblem.BAD_USCC_CHECK,
        RowProblem.EMPTY_NAME,
        RowProblem.BAD_EMAIL,
        RowProblem.MISSING_ATTESTATION,
        RowProblem.USCC_AS_NUMBER,
    }
)


class CellProblem(StrEnum):
    """A bad cell injected into the receipt, basic-information or financials files."""

    TEXT_IN_NUMBER = "text-in-number"
    NEGATIVE_REVENUE = "negative-revenue"
    MISSING_CELL = "missing-cell"


class PdfProblem(StrEnum):
    """What is wrong with a generated report file on purpose."""

    ENCRYPTED = "encrypted"
    TRUNCATED = "truncated"
    SCANNED = "scanned"
    WRONG_YEAR = "wrong-year"
    NOT_PDF = "not-pdf"


@dataclass(frozen=True)
class YearFigures:
    """One unit's figures for one fiscal year (money in 万元)."""

    year: int
    employees: int
    revenue: float
    operating_cost: float
    profit: float
    taxes: float
    rd_spend: float
    total_assets: float
    total_liabilities: float
    donations: float
    volunteer_hours: int
    energy_tce: float
    emissions_tco2e: float
    training_hours: float


@dataclass(frozen=True)
class Unit:
    """One synthetic participating unit (enterprise, institution or association)."""

    index: int
    uscc: str
    name: str
    kind: str  # 企业 / 事业单位 / 协会, as written in the files
    district: str
    industry: str
    ownership: str
    listed: bool
    contact: str
    email: str
    phone: str
    report_title: str
    figures: tuple[YearFigures, ...]  # four years, report_year - 3 .. report_year
    safety_incidents: int
    penalties: int
    certifications: tuple[str, ...]

    def figures_for(self, year: int) -> YearFigures:
        """Return the figures of one fiscal year; raise KeyError when the unit has none."""
        for f in self.figures:
            if f.year == year:
                return f
        raise KeyError(year)


@dataclass(frozen=True)
class Association:
    """One recommending industry association, chamber or guild."""

    code: str
    name: str
    contact: str
    email: str
    phone: str


@dataclass(frozen=True)
class Reviewer:
    """One expert on the review roster."""

    name: str
    email: str
    employer: str
    industries: tuple[str, ...]
    topics: tuple[str, ...]
    max_load: int
    conflict_associations: tuple[str, ...]
    conflict_units: tuple[str, ...]


@dataclass(frozen=True)
class UnitPlan:
    """When one unit files each thing in the demo season (None: never)."""

    unit: Unit
    associations: tuple[str, ...]
    recommended_ok: bool
    registers_on: date | None
    info_on: date | None
    financials_on: date | None
    report_on: date | None
    pdf_problem: PdfProblem | None
    revises: bool
    revised_on: date | None


class Injection(BaseModel):
    """One problem put into the output on purpose, and where to find it.

    `file` is relative to out_dir; `row` is the spreadsheet row number with the header as
    row 1 (None for a file-level problem or a PDF); `uscc` is the unit's true code.
    """

    model_config = ConfigDict(frozen=True)

    kind: str
    file: str
    row: int | None = None
    column: str | None = None
    uscc: str | None = None
    detail: str = ""


class GenerationSummary(BaseModel):
    """What `generate()` wrote: counts, every injected problem, and (not stable) timings."""

    model_config = ConfigDict(frozen=True)

    out_dir: Path
    seed: int
    enterprises: int
    bad_rate: float
    associations: int
    units: int
    units_recommended_ok: int
    recommendation_files: dict[str, int]  # by format: xlsx, csv-gb18030, csv-utf-8-sig
    recommendation_rows: int
    receipts: int
    basic_info: int
    financials_rows: int
    bad_rows_by_kind: dict[str, int]  # by RowProblem / CellProblem value (file-level kinds: files)
    pdfs_by_problem: dict[str, int]  # by PdfProblem value, plus "ok"; empty without PDFs
    revised_pdfs: int
    pdf_pages: int
    reviewers: int
    files: int
    bytes_written: int
    injections: tuple[Injection, ...]
    seconds: dict[str, float]  # per phase; the only field that differs between equal runs
