"""What the 绩效评价 reads about one unit: its form figures, fiscal years and report coverage.

The readers take the JSON the submit stage stored (`Submission.data` of the basic-information
form and of the financial statements, `Submission.screening` of the report PDF) and keep only
what the indicators use. They are lenient on purpose: a field missing or not a finite number is
None (the indicator then says so), never a guess and never an exception, so one odd filing
cannot stop the evaluation of the others. Pure; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.enums import Severity
from schemas.screening import TopicCoverage


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FormFigures(_Frozen):
    """The basic-information form's figures (amounts in 10,000 yuan) for the report year."""

    report_year: int | None = None
    employees: float | None = None
    revenue: float | None = None
    profit: float | None = None
    taxes: float | None = None
    rd_spend: float | None = None
    donations: float | None = None
    volunteer_hours: float | None = None
    energy_tce: float | None = None
    emissions_tco2e: float | None = None
    training_hours: float | None = None
    safety_incidents: float | None = None
    penalties: float | None = None
    certifications: tuple[str, ...] = ()


class YearFigures(_Frozen):
    """One fiscal year of the financial statements (amounts in 10,000 yuan)."""

    revenue: float | None = None
    operating_cost: float | None = None
    profit: float | None = None
    total_assets: float | None = None
    total_liabilities: float | None = None
    rd_spend: float | None = None
    taxes: float | None = None


class ReportCoverage(_Frozen):
    """Which core topics and focus areas the report's pre-screen found covered (names)."""

    core_total: int = Field(ge=0)
    core_covered: tuple[str, ...] = ()
    focus_total: int = Field(ge=0)
    focus_covered: tuple[str, ...] = ()


class PerformanceInputs(_Frozen):
    """Everything one unit's evaluation reads; None where the unit filed nothing usable."""

    form: FormFigures | None = None
    years: dict[int, YearFigures] = Field(default_factory=dict)
    report: ReportCoverage | None = None
    report_note: str = "no report filed"  # why `report` is None
    industry: str = ""


def number(value: Any) -> float | None:
    """Return a stored value as a finite float, or None (missing, text, bool, NaN, infinite)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def form_from_stored(data: Mapping[str, Any] | None) -> FormFigures | None:
    """Return the figures of a stored basic-information form (None when there is none)."""
    if not data:
        return None
    year = data.get("report_year")
    certs = data.get("certifications")
    names = [
        "employees", "revenue", "profit", "taxes", "rd_spend", "donations", "volunteer_hours",
        "energy_tce", "emissions_tco2e", "training_hours", "safety_incidents", "penalties",
    ]  # fmt: skip
    return FormFigures(
        report_year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        certifications=tuple(str(c) for c in certs if str(c).strip())
        if isinstance(certs, list)
        else (),
        **{name: number(data.get(name)) for name in names},
    )


def years_from_stored(data: Mapping[str, Any] | None) -> dict[int, YearFigures]:
    """Return the fiscal years of stored financial statements ({"<year>": {...}, ...})."""
    out: dict[int, YearFigures] = {}
    for key, row in (data or {}).items():
        if not (isinstance(key, str | int) and str(key).isdigit() and isinstance(row, Mapping)):
            continue
        out[int(key)] = YearFigures(**{f: number(row.get(f)) for f in YearFigures.model_fields})
    return dict(sorted(out.items()))


def coverage_from_stored(screening: Mapping[str, Any] | None) -> ReportCoverage | str:
    """Return the topic coverage of a report's stored pre-screen, or why it cannot be used.

    Not usable: no pre-screen, an error problem (the file does not count as a report), a
    scanned report (no text, so topics cannot be seen), or no core topic in the result.
    """
    if not screening:
        return "the report has no pre-screen result"
    problems = screening.get("problems") or []
    if any(isinstance(p, Mapping) and p.get("severity") == Severity.ERROR for p in problems):
        return "the latest report PDF is not usable (its pre-screen found an error)"
    if screening.get("scanned"):
        return "the latest report PDF has little extractable text (scanned); topics unseen"
    topics: list[TopicCoverage] = []
    for raw in screening.get("topics") or []:
        try:
            topics.append(TopicCoverage.model_validate(raw))
        except ValidationError:
            return "the report's pre-screen topics are unreadable"
    core = [t for t in topics if t.kind == "core"]
    focus = [t for t in topics if t.kind == "focus"]
    if not core:
        return "the report's pre-screen lists no core topics"
    return ReportCoverage(
        core_total=len(core),
        core_covered=tuple(t.name for t in core if t.covered),
        focus_total=len(focus),
        focus_covered=tuple(t.name for t in focus if t.covered),
    )


def inputs_from_stored(
    form: Mapping[str, Any] | None,
    financials: Mapping[str, Any] | None,
    screening: Mapping[str, Any] | None,
    *,
    report_filed: bool,
    industry: str = "",
) -> PerformanceInputs:
    """Return one unit's evaluation inputs from its latest stored filings."""
    coverage = coverage_from_stored(screening) if report_filed else "no report filed"
    return PerformanceInputs(
        form=form_from_stored(form),
        years=years_from_stored(financials),
        report=coverage if isinstance(coverage, ReportCoverage) else None,
        report_note=coverage if isinstance(coverage, str) else "",
        industry=industry,
    )
