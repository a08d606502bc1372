"""The 绩效评价 (performance evaluation) of one unit: every catalogue indicator from its inputs.

`evaluate(inputs)` computes each indicator of schemas/performance_catalogue.py as a value and/or
a flag, with a `basis` that says what it was computed from or why it could not be. Missing data
gives value None, never a made-up number; a zero or negative denominator gives None with the
reason (a flag may still be known, e.g. profit fell from a loss). Flags mark something the
release summary should look at (revenue fell, a loss, penalties). No score, no ranking, no
database; the review stage's task (tasks/review/performance.py) stores the result per unit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from schemas.performance_catalogue import (
    COST_RATIO_TOLERANCE,
    DEBT_RATIO_CEILING,
    FINANCIAL_INDUSTRY_WORDS,
    INDICATOR_KEYS,
    INDICATORS,
    MANAGEMENT_SYSTEM_PATTERNS,
    MIN_CORE_TOPIC_SHARE,
    RULES_VERSION,
    Indicator,
)
from schemas.performance_inputs import FormFigures, PerformanceInputs, YearFigures

__all__ = [
    "INDICATORS",
    "INDICATOR_KEYS",
    "RULES_VERSION",
    "Evaluation",
    "Indicator",
    "IndicatorResult",
    "PerformanceInputs",
    "evaluate",
]

EPSILON: Final = 1e-9  # slack for comparing a share with a threshold fraction
NO_FORM: Final = "no basic-information form filed"
NO_BOOKS: Final = "no financial statements filed"
LABELS: Final = {
    "employees": "employees",
    "revenue": "revenue",
    "profit": "profit",
    "taxes": "taxes",
    "rd_spend": "R&D spend",
    "energy_tce": "energy use (tce)",
    "emissions_tco2e": "emissions (tCO2e)",
    "volunteer_hours": "volunteer hours",
    "training_hours": "training hours",
}

Outcome = tuple[float | None, bool | None, str]


class IndicatorResult(BaseModel):
    """One indicator's result: value and/or flag, and the basis it was computed on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    value: float | None
    flag: bool | None
    basis: str

    @property
    def computed(self) -> bool:
        """Return whether the data allowed a value or a flag."""
        return self.value is not None or self.flag is not None


class Evaluation(BaseModel):
    """Every indicator of one unit, in catalogue order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    results: tuple[IndicatorResult, ...]

    @property
    def flags(self) -> list[str]:
        """Return the keys whose flag is raised, in catalogue order."""
        return [r.key for r in self.results if r.flag]

    @property
    def computed(self) -> int:
        """Return how many indicators had the data they need."""
        return sum(1 for r in self.results if r.computed)

    def result(self, key: str) -> IndicatorResult:
        """Return the result of one indicator; raise KeyError for an unknown key."""
        for r in self.results:
            if r.key == key:
                return r
        raise KeyError(key)

    def to_stored(self) -> dict[str, dict[str, Any]]:
        """Return {key: {"value", "flag", "basis"}}: PerformanceEvaluation.indicators."""
        return {r.key: {"value": r.value, "flag": r.flag, "basis": r.basis} for r in self.results}


def _fmt(x: float) -> str:
    return f"{x:.10g}"


def ratio(num: float | None, den: float | None, num_label: str, den_label: str) -> Outcome:
    """Return num / den with its basis; None when either is missing or den is not positive."""
    if num is None:
        return None, None, f"{num_label} not reported"
    if den is None:
        return None, None, f"{den_label} not reported"
    if den == 0:
        return None, None, f"{den_label} is 0: the ratio is undefined"
    if den < 0:
        return None, None, f"{den_label} is negative ({_fmt(den)}): the ratio is not meaningful"
    return num / den, None, f"{num_label} {_fmt(num)} / {den_label} {_fmt(den)}"


def growth(now: float | None, before: float | None, label: str, t: int) -> Outcome:
    """Return (now - before) / before and whether it fell; no value when before is not positive."""
    if now is None:
        return None, None, f"{label} not in the {t} statements"
    if before is None:
        return None, None, f"{label} not in the {t - 1} statements"
    fell = now < before
    basis = f"{label} {t} {_fmt(now)} vs {t - 1} {_fmt(before)}"
    if before <= 0:
        return None, fell, f"{basis}; the {t - 1} base is not positive, so no growth rate"
    return (now - before) / before, fell, basis


def _with_year(outcome: Outcome, form: FormFigures) -> Outcome:
    value, flag, basis = outcome
    year = f" {form.report_year}" if form.report_year is not None else ""
    return value, flag, f"{basis} (form{year})"


def _form_ratio(inputs: PerformanceInputs, num: str, den: str) -> Outcome:
    form = inputs.form
    if form is None:
        return None, None, NO_FORM
    return _with_year(ratio(getattr(form, num), getattr(form, den), LABELS[num], LABELS[den]), form)


def _form_per_employee(inputs: PerformanceInputs, field: str) -> Outcome:
    """Return a figure the form already asks per employee (人均), as reported (not divided)."""
    form = inputs.form
    if form is None:
        return None, None, NO_FORM
    value = getattr(form, field)
    if value is None:
        return None, None, f"{LABELS[field]} not reported (form)"
    if value < 0:
        return None, None, f"{LABELS[field]} is negative (form)"
    return _with_year((float(value), None, f"{LABELS[field]} reported per employee"), form)


def _two_years(inputs: PerformanceInputs) -> tuple[int, YearFigures, YearFigures] | str:
    if not inputs.years:
        return NO_BOOKS
    t = max(inputs.years)
    if t - 1 not in inputs.years:
        return f"fiscal year {t - 1} not filed; growth needs {t - 1} and {t}"
    return t, inputs.years[t], inputs.years[t - 1]


def _books_growth(inputs: PerformanceInputs, field: str, label: str) -> Outcome:
    pair = _two_years(inputs)
    if isinstance(pair, str):
        return None, None, pair
    t, now, before = pair
    return growth(getattr(now, field), getattr(before, field), label, t)


def _focus_areas(inputs: PerformanceInputs) -> Outcome:
    report = inputs.report
    if report is None:
        return None, None, inputs.report_note
    if report.focus_total == 0:
        return None, None, "the report's pre-screen lists no focus areas"
    covered = "、".join(report.focus_covered) or "none"
    return (
        float(len(report.focus_covered)),
        not report.focus_covered,
        f"covered {len(report.focus_covered)} of {report.focus_total} focus areas: {covered}",
    )


def _core_topics(inputs: PerformanceInputs) -> Outcome:
    report = inputs.report
    if report is None:
        return None, None, inputs.report_note
    share = len(report.core_covered) / report.core_total
    return (
        share,
        share < MIN_CORE_TOPIC_SHARE - EPSILON,
        f"covered {len(report.core_covered)} of {report.core_total} core topics "
        f"(report pre-screen)",
    )


def _social_contribution(inputs: PerformanceInputs, per: str) -> Outcome:
    form = inputs.form
    if form is None:
        return None, None, NO_FORM
    if form.taxes is None or form.donations is None:
        missing = "taxes" if form.taxes is None else "donations"
        return None, None, f"{missing} not reported (form)"
    value, flag, basis = ratio(form.taxes + form.donations, getattr(form, per), "", per)
    label = f"(taxes {_fmt(form.taxes)} + donations {_fmt(form.donations)})"
    return _with_year((value, flag, f"{label}{basis}" if value is not None else basis), form)


def _certifications(inputs: PerformanceInputs) -> Outcome:
    if inputs.form is None:
        return None, None, NO_FORM
    certs = inputs.form.certifications
    return float(len(certs)), None, "listed: " + ("; ".join(certs) or "none")


def _management_systems(inputs: PerformanceInputs) -> Outcome:
    if inputs.form is None:
        return None, None, NO_FORM
    systems = [c for c in inputs.form.certifications if is_management_system(c)]
    listed = "; ".join(systems) or "none"
    return float(len(systems)), not systems, f"management systems among certifications: {listed}"


def is_management_system(certification: str) -> bool:
    """Return whether a listed certification names a management-system standard."""
    return any(p.search(certification) for p in MANAGEMENT_SYSTEM_PATTERNS)


def is_financial_industry(industry: str) -> bool:
    """Return whether an industry name marks a financial unit (no debt-ratio ceiling)."""
    return any(word in industry for word in FINANCIAL_INDUSTRY_WORDS)


def _debt_ratio(inputs: PerformanceInputs) -> Outcome:
    if not inputs.years:
        return None, None, NO_BOOKS
    t = max(inputs.years)
    year = inputs.years[t]
    value, _, basis = ratio(year.total_liabilities, year.total_assets, "liabilities", "assets")
    basis = f"{basis} ({t} statements)"
    if value is None:
        return None, None, basis
    if is_financial_industry(inputs.industry):
        return value, None, f"{basis}; financial industry, no ceiling applied"
    return value, value > DEBT_RATIO_CEILING, basis


def _profit_margin(inputs: PerformanceInputs) -> Outcome:
    form = inputs.form
    if form is None:
        return None, None, NO_FORM
    value, _, basis = _form_ratio(inputs, "profit", "revenue")
    loss = None if form.profit is None else form.profit < 0
    return value, loss, basis


def _cost_ratio_change(inputs: PerformanceInputs) -> Outcome:
    pair = _two_years(inputs)
    if isinstance(pair, str):
        return None, None, pair
    t, now, before = pair
    shares: list[float] = []
    for year, figures in ((t, now), (t - 1, before)):
        value, _, basis = ratio(
            figures.operating_cost, figures.revenue, "operating cost", "revenue"
        )
        if value is None:
            return None, None, f"{basis} ({year} statements)"
        shares.append(value)
    change = shares[0] - shares[1]
    return (
        change,
        change > COST_RATIO_TOLERANCE + EPSILON,
        f"operating cost / revenue {t} {shares[0]:.4f} vs {t - 1} {shares[1]:.4f}",
    )


def _count(inputs: PerformanceInputs, field: str, label: str) -> Outcome:
    if inputs.form is None:
        return None, None, NO_FORM
    count = getattr(inputs.form, field)
    if count is None:
        return None, None, f"{label} not reported (form)"
    return count, count > 0, f"{label} reported on the form: {_fmt(count)}"


RULES: Final[dict[str, Callable[[PerformanceInputs], Outcome]]] = {
    "focus_areas_covered": _focus_areas,
    "carbon_intensity": lambda i: _form_ratio(i, "emissions_tco2e", "revenue"),
    "energy_intensity": lambda i: _form_ratio(i, "energy_tce", "revenue"),
    "tax_rate": lambda i: _form_ratio(i, "taxes", "revenue"),
    "social_contribution_rate": lambda i: _social_contribution(i, "revenue"),
    "social_contribution_per_employee": lambda i: _social_contribution(i, "employees"),
    "volunteer_hours_per_employee": lambda i: _form_ratio(i, "volunteer_hours", "employees"),
    "core_topic_coverage": _core_topics,
    # the form asks 人均培训时长（小时）: already per employee, never divided again
    "training_hours_per_employee": lambda i: _form_per_employee(i, "training_hours"),
    "certifications": _certifications,
    "management_systems": _management_systems,
    "debt_ratio": _debt_ratio,
    "profit_margin": _profit_margin,
    "revenue_growth": lambda i: _books_growth(i, "revenue", "revenue"),
    "cost_ratio_change": _cost_ratio_change,
    "profit_growth": lambda i: _books_growth(i, "profit", "profit"),
    "penalties": lambda i: _count(i, "penalties", "penalties"),
    "safety_incidents": lambda i: _count(i, "safety_incidents", "safety incidents"),
    "rd_intensity": lambda i: _form_ratio(i, "rd_spend", "revenue"),
    "rd_growth": lambda i: _books_growth(i, "rd_spend", "R&D spend"),
}
assert tuple(RULES) == INDICATOR_KEYS, "every catalogue indicator needs exactly one rule"


def evaluate(inputs: PerformanceInputs) -> Evaluation:
    """Return every catalogue indicator of one unit computed from its inputs; pure."""
    results = []
    for indicator in INDICATORS:
        value, flag, basis = RULES[indicator.key](inputs)
        results.append(IndicatorResult(key=indicator.key, value=value, flag=flag, basis=basis))
    return Evaluation(results=tuple(results))
