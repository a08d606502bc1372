"""The rows of the filings after registration: release receipts, the basic-information form
(one big sheet plus a few per-unit CSV files) and three years of financial statements, with a
few bad cells injected on purpose (text in a number column, a negative revenue, a missing
required cell). Also the association list and the reviewer roster rows.

Pure: returns `Forms`, named `Sheet`s of rows keyed by the column keys of `schemas/columns.py`;
the report year comes from the caller (the campaign file).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from deployments.demo.model import Association, CellProblem, Injection, Reviewer, UnitPlan
from deployments.demo.writers import Row
from schemas.columns import BASIC_INFO, FINANCIALS, RECEIPTS, InputKind

NUMBER_COLUMNS = ("employees", "revenue", "profit", "taxes", "rd_spend")
FINANCIAL_NUMBERS = ("revenue", "operating_cost", "profit", "total_assets", "total_liabilities")


@dataclass(frozen=True)
class Sheet:
    """One tabular file to write: its path under out_dir, kind, format and rows."""

    rel: str
    kind: InputKind
    fmt: str  # "xlsx", "csv-gb18030" or "csv-utf-8-sig"
    rows: list[Row]


def association_rows(associations: list[Association]) -> list[Row]:
    """Return the association list rows; pure."""
    return [
        {
            "code": a.code,
            "name": a.name,
            "contact_name": a.contact,
            "email": a.email,
            "phone": a.phone,
        }
        for a in associations
    ]


def roster_rows(reviewers: list[Reviewer]) -> list[Row]:
    """Return the reviewer roster rows (lists joined with ';'); pure."""
    return [
        {
            "name": r.name,
            "email": r.email,
            "employer": r.employer,
            "industries": ";".join(r.industries),
            "topics": ";".join(r.topics),
            "max_load": r.max_load,
            "conflict_associations": ";".join(r.conflict_associations),
            "conflict_units": ";".join(r.conflict_units),
        }
        for r in reviewers
    ]


@dataclass(frozen=True)
class Forms:
    """The filings after registration as sheets to write, the bad cells put in them, and where
    each unit's basic information is (unit index -> file under out_dir)."""

    receipts: Sheet
    basic_info: Sheet
    financials: Sheet
    own_basic_info: tuple[Sheet, ...]  # the few units that send their own CSV form
    info_files: dict[int, str]
    injections: list[Injection] = field(default_factory=list)  # the bad cells put in

    @property
    def sheets(self) -> list[Sheet]:
        """Return every sheet in the order they are written."""
        return [self.receipts, self.basic_info, self.financials, *self.own_basic_info]


def build_forms(plans: list[UnitPlan], report_year: int, seed: int, bad_rate: float) -> Forms:
    """Return the receipt, basic-information and financials sheets, the bad cells put in
    them and where each unit's basic information is; pure."""
    rng = random.Random(f"{seed}:forms")
    receipts = sorted(
        (p for p in plans if p.registers_on), key=lambda p: (p.registers_on, p.unit.index)
    )
    infos = sorted((p for p in plans if p.info_on), key=lambda p: (p.info_on, p.unit.index))
    fins = sorted(
        (p for p in plans if p.financials_on), key=lambda p: (p.financials_on, p.unit.index)
    )
    own_file = set()
    if infos:
        count = max(1, min(20, round(len(infos) * 0.03)))
        own_file = {p.unit.index for p in rng.sample(infos, count)}
    info_files = {
        p.unit.index: f"basic_info/{p.unit.uscc}.csv"
        if p.unit.index in own_file
        else "basic_info/basic_info.xlsx"
        for p in infos
    }
    years = range(report_year - 2, report_year + 1)
    forms = Forms(
        receipts=Sheet("receipts/receipts.xlsx", RECEIPTS, "xlsx", [_receipt(p) for p in receipts]),
        basic_info=Sheet(
            "basic_info/basic_info.xlsx",
            BASIC_INFO,
            "xlsx",
            [_basic_info(p, report_year) for p in infos if p.unit.index not in own_file],
        ),
        financials=Sheet(
            "financials/financials.xlsx",
            FINANCIALS,
            "xlsx",
            [_financial(p, y) for p in fins for y in years],
        ),
        own_basic_info=tuple(
            Sheet(
                info_files[p.unit.index],
                BASIC_INFO,
                rng.choice(("csv-gb18030", "csv-utf-8-sig")),
                [_basic_info(p, report_year)],
            )
            for p in infos
            if p.unit.index in own_file
        ),
        info_files=info_files,
    )
    if bad_rate > 0:  # spoils the sheets' rows in place
        return replace(forms, injections=_spoil_forms(rng, forms, bad_rate))
    return forms


def _spoil_forms(rng: random.Random, forms: Forms, bad_rate: float) -> list[Injection]:
    """Put bad cells into the receipts, the basic-information sheet and the financials (in that
    order, advancing `rng`); mutates their rows and returns what was put in."""
    injections = _spoil(
        rng, forms.receipts, [CellProblem.MISSING_CELL], ("report_title", "email"), bad_rate
    )
    kinds = list(CellProblem)
    injections += _spoil(rng, forms.basic_info, kinds, NUMBER_COLUMNS, bad_rate)
    injections += _spoil(rng, forms.financials, kinds, FINANCIAL_NUMBERS, bad_rate)
    return injections


def _receipt(p: UnitPlan) -> Row:
    """Return one release-receipt row; pure."""
    u = p.unit
    return {
        "uscc": u.uscc,
        "name": u.name,
        "report_title": u.report_title,
        "contact_name": u.contact,
        "email": u.email,
        "phone": u.phone,
        "filed_on": p.registers_on,
    }


def _basic_info(p: UnitPlan, report_year: int) -> Row:
    """Return one basic-information row for the report year; pure."""
    u = p.unit
    f = u.figures_for(report_year)
    return {
        "uscc": u.uscc,
        "name": u.name,
        "report_title": u.report_title,
        "report_year": report_year,
        "employees": f.employees,
        "revenue": f.revenue,
        "profit": f.profit,
        "taxes": f.taxes,
        "rd_spend": f.rd_spend,
        "donations": f.donations,
        "volunteer_hours": f.volunteer_hours,
        "energy_tce": f.energy_tce,
        "emissions_tco2e": f.emissions_tco2e,
        "training_hours": f.training_hours,
        "safety_incidents": u.safety_incidents,
        "penalties": u.penalties,
        "certifications": ";".join(u.certifications),
    }


def _financial(p: UnitPlan, year: int) -> Row:
    """Return one fiscal year's financial-statement row; pure."""
    f = p.unit.figures_for(year)
    return {
        "uscc": p.unit.uscc,
        "fiscal_year": year,
        "revenue": f.revenue,
        "operating_cost": f.operating_cost,
        "profit": f.profit,
        "total_assets": f.total_assets,
        "total_liabilities": f.total_liabilities,
        "rd_spend": f.rd_spend,
        "taxes": f.taxes,
    }


def _spoil(
    rng: random.Random,
    sheet: Sheet,
    kinds: list[CellProblem],
    columns: tuple[str, ...],
    bad_rate: float,
) -> list[Injection]:
    """Put each cell problem into a few rows of `sheet` (one per row); mutates its rows."""
    if not sheet.rows:
        return []
    per_kind = max(1, round(len(sheet.rows) * bad_rate / 10))
    positions = list(range(len(sheet.rows)))
    rng.shuffle(positions)
    headers = {c.key: c.header for c in sheet.kind.columns}
    out: list[Injection] = []
    for kind in kinds:
        for _ in range(per_kind):
            if not positions:
                return out
            pos = positions.pop()
            row = sheet.rows[pos]
            column = "revenue" if kind == CellProblem.NEGATIVE_REVENUE else rng.choice(columns)
            value = row[column]
            if kind == CellProblem.TEXT_IN_NUMBER:
                row[column] = rng.choice(("约{}", "{}万", "{}（未经审计）", "待定")).format(value)
            elif kind == CellProblem.NEGATIVE_REVENUE:
                row[column] = -float(str(value))
            else:
                row[column] = None
            out.append(
                Injection(
                    kind=kind,
                    file=sheet.rel,
                    row=pos + 2,
                    column=headers[column],
                    uscc=str(row["uscc"]),
                    detail=f"was {value!r}",
                )
            )
    return out
