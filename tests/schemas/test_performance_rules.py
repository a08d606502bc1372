"""The 绩效评价 rules (schemas/performance.py, schemas/performance_catalogue.py): each indicator
against an oracle written here, missing data, zero and negative denominators, thresholds, the
stored shape, and the catalogue against its docs.

Named test_performance_rules.py: tests/tasks/review/test_performance.py holds the basename
test_performance, and pytest's default import mode needs basenames unique without __init__.py.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.performance import INDICATOR_KEYS, INDICATORS, Evaluation, evaluate
from schemas.performance_catalogue import (
    COST_RATIO_TOLERANCE,
    DEBT_RATIO_CEILING,
    DIMENSION_NAMES,
    MIN_CORE_TOPIC_SHARE,
    Dimension,
)
from schemas.performance_inputs import (
    FormFigures,
    PerformanceInputs,
    ReportCoverage,
    YearFigures,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "performance.md"

# The oracle's own reading of the catalogue: which form fields each single-year ratio divides.
FORM_RATIOS = {
    "carbon_intensity": ("emissions_tco2e", "revenue"),
    "energy_intensity": ("energy_tce", "revenue"),
    "tax_rate": ("taxes", "revenue"),
    "volunteer_hours_per_employee": ("volunteer_hours", "employees"),
    "rd_intensity": ("rd_spend", "revenue"),
    "profit_margin": ("profit", "revenue"),
}
BOOK_GROWTHS = {"revenue_growth": "revenue", "profit_growth": "profit", "rd_growth": "rd_spend"}
FORM_BASED = [*FORM_RATIOS, "training_hours_per_employee", "social_contribution_rate",
              "social_contribution_per_employee", "certifications", "management_systems",
              "penalties", "safety_incidents"]  # fmt: skip
BOOK_BASED = [*BOOK_GROWTHS, "debt_ratio", "cost_ratio_change"]
REPORT_BASED = ["focus_areas_covered", "core_topic_coverage"]

money = st.integers(0, 10**12).map(lambda cents: cents / 100)  # 万元 with two decimals
signed_money = st.integers(-(10**11), 10**12).map(lambda cents: cents / 100)
negative = st.integers(-(10**4), -1).map(lambda cents: cents / 100)  # refused by the forms
maybe = st.none() | st.just(0.0) | money | negative
counts = st.none() | st.integers(0, 50).map(float)


@st.composite
def forms(draw: st.DrawFn) -> FormFigures:
    fields: dict[str, Any] = {f: draw(maybe) for f in (
        "revenue", "taxes", "rd_spend", "donations", "volunteer_hours", "energy_tce",
        "emissions_tco2e", "training_hours",
    )}  # fmt: skip
    return FormFigures(
        report_year=2023,
        employees=draw(st.none() | st.integers(0, 10**6).map(float)),
        profit=draw(st.none() | signed_money),
        safety_incidents=draw(counts),
        penalties=draw(counts),
        certifications=tuple(draw(st.lists(st.sampled_from(["ISO 9001", "高新技术企业"]))))
        if draw(st.booleans())
        else (),
        **fields,
    )


years_figures = st.builds(
    YearFigures,
    revenue=maybe,
    operating_cost=maybe,
    profit=st.none() | signed_money,
    total_assets=maybe,
    total_liabilities=maybe,
    rd_spend=maybe,
    taxes=maybe,
)
inputs_strategy = st.builds(
    PerformanceInputs,
    form=st.none() | forms(),
    years=st.dictionaries(st.integers(2019, 2023), years_figures, max_size=3),
    report=st.none()
    | st.builds(
        lambda core, covered, focus, fcovered: ReportCoverage(
            core_total=core,
            core_covered=tuple(f"c{i}" for i in range(min(core, covered))),
            focus_total=focus,
            focus_covered=tuple(f"f{i}" for i in range(min(focus, fcovered))),
        ),
        st.integers(1, 12),
        st.integers(0, 12),
        st.integers(0, 3),
        st.integers(0, 3),
    ),
    industry=st.sampled_from(["", "电子信息", "银行业", "保险"]),
)


def _exact_ratio(num: float | None, den: float | None) -> Fraction | None:
    if num is None or den is None or den <= 0:
        return None
    return Fraction(num) / Fraction(den)


def _close(value: float | None, exact: Fraction | None, scale: float = 0.0) -> bool:
    if exact is None:
        return value is None
    return value is not None and math.isclose(
        value, float(exact), rel_tol=1e-12, abs_tol=1e-15 + 1e-15 * scale
    )


def _growth_oracle(
    years: dict[int, YearFigures], field: str
) -> tuple[Fraction | None, bool | None]:
    if not years or max(years) - 1 not in years:
        return None, None
    now, before = (getattr(years[y], field) for y in (max(years), max(years) - 1))
    if now is None or before is None:
        return None, None
    rate = None if before <= 0 else (Fraction(now) - Fraction(before)) / Fraction(before)
    return rate, now < before


@given(inputs_strategy)
def test_every_indicator_agrees_with_the_oracle(inputs: PerformanceInputs) -> None:
    ev = evaluate(inputs)
    form = inputs.form

    for key, (num, den) in FORM_RATIOS.items():
        exact = None if form is None else _exact_ratio(getattr(form, num), getattr(form, den))
        assert _close(ev.result(key).value, exact), key
    for key, per in (("social_contribution_rate", "revenue"),
                     ("social_contribution_per_employee", "employees")):  # fmt: skip
        exact = None
        if form is not None and form.taxes is not None and form.donations is not None:
            exact = _exact_ratio(form.taxes + form.donations, getattr(form, per))
        assert _close(ev.result(key).value, exact), key
    hours = None if form is None else form.training_hours
    expected_hours = None if hours is None or hours < 0 else Fraction(hours)
    assert _close(ev.result("training_hours_per_employee").value, expected_hours)  # as asked: 人均
    for key, field in BOOK_GROWTHS.items():
        rate, fell = _growth_oracle(inputs.years, field)
        assert _close(ev.result(key).value, rate), key
        assert ev.result(key).flag == fell, key


@given(inputs_strategy)
def test_debt_and_cost_ratios_agree_with_the_oracle(inputs: PerformanceInputs) -> None:
    ev = evaluate(inputs)
    years = inputs.years
    latest = years[max(years)] if years else None

    debt = None if latest is None else _exact_ratio(latest.total_liabilities, latest.total_assets)
    financial = "银行" in inputs.industry or "保险" in inputs.industry
    assert _close(ev.result("debt_ratio").value, debt)
    expected_flag = None if debt is None or financial else debt > Fraction(DEBT_RATIO_CEILING)
    assert ev.result("debt_ratio").flag == expected_flag

    change: Fraction | None = None
    scale = 0.0
    if years and max(years) - 1 in years:
        now, before = years[max(years)], years[max(years) - 1]
        a = _exact_ratio(now.operating_cost, now.revenue)
        b = _exact_ratio(before.operating_cost, before.revenue)
        change = None if a is None or b is None else a - b
        scale = 0.0 if a is None or b is None else abs(float(a)) + abs(float(b))
    assert _close(ev.result("cost_ratio_change").value, change, scale)
    if change is not None and abs(change - Fraction(COST_RATIO_TOLERANCE)) > Fraction(1, 10**6):
        assert ev.result("cost_ratio_change").flag == (change > Fraction(COST_RATIO_TOLERANCE))


@given(inputs_strategy)
def test_missing_data_never_yields_a_number(inputs: PerformanceInputs) -> None:
    ev = evaluate(inputs)

    for r in ev.results:
        assert r.basis
        assert r.value is None or math.isfinite(r.value)
    if inputs.form is None:
        assert [ev.result(k).computed for k in FORM_BASED] == [False] * len(FORM_BASED)
    if not inputs.years:
        assert [ev.result(k).computed for k in BOOK_BASED] == [False] * len(BOOK_BASED)
    if inputs.report is None:
        assert [ev.result(k).computed for k in REPORT_BASED] == [False] * len(REPORT_BASED)
    assert ev.flags == [r.key for r in ev.results if r.flag is True]
    assert ev.computed == sum(1 for r in ev.results if r.value is not None or r.flag is not None)


def test_nothing_filed_computes_nothing_and_says_why() -> None:
    ev = evaluate(PerformanceInputs())

    assert (ev.computed, ev.flags) == (0, [])
    assert ev.result("tax_rate").basis == "no basic-information form filed"
    assert ev.result("revenue_growth").basis == "no financial statements filed"
    assert ev.result("core_topic_coverage").basis == "no report filed"


def test_zero_revenue_gives_no_ratio_but_a_loss_is_still_flagged() -> None:
    form = FormFigures(report_year=2023, employees=10, revenue=0, profit=-5, taxes=1, rd_spend=2)

    ev = evaluate(PerformanceInputs(form=form))

    assert [ev.result(k).value for k in ("tax_rate", "rd_intensity", "profit_margin")] == [None] * 3
    assert ev.result("rd_intensity").basis == "revenue is 0: the ratio is undefined (form 2023)"
    assert ev.result("profit_margin").flag is True
    assert ev.flags == ["management_systems", "profit_margin"]


def test_negative_denominators_and_bases_give_no_value() -> None:
    form = FormFigures(revenue=-100, taxes=5)
    years = {
        2022: YearFigures(profit=-50, revenue=100, operating_cost=80),
        2023: YearFigures(profit=20, revenue=0, operating_cost=10),
    }

    ev = evaluate(PerformanceInputs(form=form, years=years))

    assert ev.result("tax_rate").basis == (
        "revenue is negative (-100): the ratio is not meaningful (form)"
    )
    growth = ev.result("profit_growth")
    assert (growth.value, growth.flag) == (None, False)  # from a loss to a profit: did not fall
    assert growth.basis.endswith("the 2022 base is not positive, so no growth rate")
    assert ev.result("revenue_growth").value == -1.0
    assert ev.result("cost_ratio_change").value is None


def test_growth_needs_two_consecutive_years() -> None:
    years = {2021: YearFigures(revenue=100), 2023: YearFigures(revenue=150)}

    ev = evaluate(PerformanceInputs(years=years))

    assert ev.result("revenue_growth").value is None
    assert (
        ev.result("revenue_growth").basis
        == "fiscal year 2022 not filed; growth needs 2022 and 2023"
    )


@pytest.mark.parametrize(
    ("liabilities", "industry", "flag"),
    [(70, "电子信息", False), (70.01, "电子信息", True), (95, "银行业", None), (10, "", False)],
)
def test_debt_ratio_flag_follows_the_ceiling_outside_finance(
    liabilities: float, industry: str, flag: bool | None
) -> None:
    years = {2023: YearFigures(total_assets=100, total_liabilities=liabilities)}

    result = evaluate(PerformanceInputs(years=years, industry=industry)).result("debt_ratio")

    assert (result.value, result.flag) == (pytest.approx(liabilities / 100), flag)


@pytest.mark.parametrize(
    ("cost_now", "flag"), [(80.0, False), (81.0, False), (81.5, True), (70.0, False)]
)
def test_cost_ratio_is_flagged_when_it_rose_by_more_than_one_point(
    cost_now: float, flag: bool
) -> None:
    years = {
        2022: YearFigures(revenue=100, operating_cost=80),
        2023: YearFigures(revenue=100, operating_cost=cost_now),
    }

    result = evaluate(PerformanceInputs(years=years)).result("cost_ratio_change")

    assert (result.value, result.flag) == (pytest.approx((cost_now - 80) / 100), flag)
    assert result.basis == f"operating cost / revenue 2023 {cost_now / 100:.4f} vs 2022 0.8000"


@pytest.mark.parametrize(("covered", "flag"), [(9, False), (6, False), (5, True), (0, True)])
def test_core_topic_coverage_is_flagged_below_two_thirds(covered: int, flag: bool) -> None:
    report = ReportCoverage(
        core_total=9, core_covered=tuple(f"t{i}" for i in range(covered)), focus_total=2
    )

    result = evaluate(PerformanceInputs(report=report)).result("core_topic_coverage")

    assert (result.value, result.flag) == (covered / 9, flag)
    assert pytest.approx(6 / 9) == MIN_CORE_TOPIC_SHARE


def test_management_systems_are_counted_among_certifications() -> None:
    certs = ("ISO 9001", "ISO/IEC 27001:2022", "GB/T 24001-2016", "环境管理体系认证",
             "SA8000", "高新技术企业", "AAA信用等级")  # fmt: skip

    ev = evaluate(PerformanceInputs(form=FormFigures(certifications=certs)))

    assert ev.result("certifications").value == 7
    assert ev.result("management_systems").value == 5
    assert ev.result("management_systems").flag is False


def test_the_stored_shape_holds_every_indicator_in_catalogue_order() -> None:
    ev = evaluate(PerformanceInputs(form=FormFigures(revenue=200, taxes=10, penalties=1)))

    stored = ev.to_stored()

    assert tuple(stored) == INDICATOR_KEYS
    assert stored["tax_rate"] == {
        "value": 0.05,
        "flag": None,
        "basis": "taxes 10 / revenue 200 (form)",
    }
    assert stored["penalties"]["flag"] is True
    assert Evaluation.model_validate(ev.model_dump()) == ev


def test_the_catalogue_covers_the_eight_dimensions_with_unique_keys() -> None:
    assert len(set(INDICATOR_KEYS)) == len(INDICATOR_KEYS) == 20
    assert {i.dimension for i in INDICATORS} == set(Dimension)
    assert set(DIMENSION_NAMES) == set(Dimension)


def test_the_docs_name_every_indicator_dimension_and_threshold() -> None:
    text = DOCS.read_text("utf-8")

    missing = [i.key for i in INDICATORS if f"`{i.key}`" not in text]
    missing += [zh for zh, _ in DIMENSION_NAMES.values() if zh not in text]
    constants = (
        "DEBT_RATIO_CEILING",
        "MIN_CORE_TOPIC_SHARE",
        "COST_RATIO_TOLERANCE",
        "RULES_VERSION",
    )
    missing += [name for name in constants if name not in text]
    assert missing == []
    assert re.search(r"DEBT_RATIO_CEILING[^\n]*70 ?%", text)
