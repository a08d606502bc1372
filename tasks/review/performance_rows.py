"""Stored 绩效评价 results as plain values: per unit for later stages, and the artifact tables.

`performance_summary_rows` reads every stored evaluation of a campaign with its unit in one
query, for the stages that quote indicators (media kit, catalogue, release summary).
`coverage_rows` counts per indicator how many units had it computable and flagged;
`performance_league_rows` lists units fewest flags first. Read-only; no Prefect.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import Session, col

from schemas.enums import ParticipationStatus
from schemas.performance_catalogue import BY_KEY, DIMENSION_NAMES, INDICATOR_KEYS, INDICATORS
from schemas.performance_inputs import number
from schemas.review_tables import PerformanceEvaluation
from schemas.tables import Participation, Unit
from tasks.store import fetch_columns

Row = dict[str, str | int | float | bool]

# The indicators shown as columns of the per-unit table (ratios shown as percentages).
HEADLINE: Final = (
    "revenue_growth",
    "profit_margin",
    "debt_ratio",
    "tax_rate",
    "rd_intensity",
    "core_topic_coverage",
    "focus_areas_covered",
)


@dataclass(frozen=True)
class UnitPerformance:
    """One unit's stored evaluation as plain values (value None: could not be computed)."""

    participation_id: int
    uscc: str
    unit_name: str
    industry: str
    district: str
    ownership: str
    listed: bool
    status: ParticipationStatus
    evaluated_on: date
    computed: int
    flags: tuple[str, ...]
    values: dict[str, float | None]
    flagged: dict[str, bool | None]
    basis: dict[str, str]


Unpacked = tuple[dict[str, float | None], dict[str, bool | None], dict[str, str]]


def _unpack(indicators: dict[str, Any]) -> Unpacked:
    values: dict[str, float | None] = {}
    flagged: dict[str, bool | None] = {}
    basis: dict[str, str] = {}
    for key in INDICATOR_KEYS:
        stored = indicators.get(key)
        item = stored if isinstance(stored, dict) else {}
        flag = item.get("flag")
        values[key] = number(item.get("value"))
        flagged[key] = flag if isinstance(flag, bool) else None
        basis[key] = str(item.get("basis", "not evaluated"))
    return values, flagged, basis


def performance_summary_rows(
    session: Session,
    campaign_year: int,
    statuses: Collection[ParticipationStatus] | None = None,
) -> list[UnitPerformance]:
    """Return every stored evaluation of the campaign with its unit, by participation id.

    `statuses` keeps only participations in those statuses (e.g. {released} for the
    catalogue); None keeps all. One query.
    """
    query = (
        sa.select(
            col(PerformanceEvaluation.participation_id),
            col(PerformanceEvaluation.evaluated_on),
            col(PerformanceEvaluation.computed),
            col(PerformanceEvaluation.flags),
            col(PerformanceEvaluation.indicators),
            col(Participation.status),
            col(Unit.uscc),
            col(Unit.name),
            col(Unit.industry),
            col(Unit.district),
            col(Unit.ownership),
            col(Unit.listed),
        )
        .join(Participation, col(Participation.id) == col(PerformanceEvaluation.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(col(PerformanceEvaluation.campaign_year) == campaign_year)
        .order_by(col(PerformanceEvaluation.participation_id))
    )
    if statuses is not None:
        query = query.where(col(Participation.status).in_(list(statuses)))
    out = []
    for row in fetch_columns(session, query):
        pid, evaluated_on, computed, flags, indicators, status, *unit = row
        uscc, name, industry, district, ownership, listed = unit
        values, flagged, basis = _unpack(indicators)
        out.append(
            UnitPerformance(
                participation_id=pid,
                uscc=uscc,
                unit_name=name,
                industry=industry,
                district=district,
                ownership=ownership,
                listed=listed,
                status=ParticipationStatus(status),
                evaluated_on=evaluated_on,
                computed=computed,
                flags=tuple(flags),
                values=values,
                flagged=flagged,
                basis=basis,
            )
        )
    return out


def coverage_rows(units: Sequence[UnitPerformance]) -> list[Row]:
    """Return per indicator, in catalogue order, how many units had it computable and flagged."""
    rows: list[Row] = []
    for indicator in INDICATORS:
        key = indicator.key
        zh, _en = DIMENSION_NAMES[indicator.dimension]
        rows.append(
            {
                "dimension": zh,
                "indicator": key,
                "name": indicator.name_zh,
                "units": len(units),
                "computable": sum(
                    1 for u in units if u.values[key] is not None or u.flagged[key] is not None
                ),
                "flagged": sum(1 for u in units if u.flagged[key]),
            }
        )
    return rows


def _shown(key: str, value: float | None) -> str:
    if value is None:
        return ""
    if BY_KEY[key].unit == "ratio":
        return f"{value:.1%}"
    return f"{value:g}"


def performance_league_rows(
    units: Sequence[UnitPerformance], limit: int | None = None
) -> list[Row]:
    """Return one row per unit, fewest flags first, then most indicators computed, then name.

    The order is for reading, not a ranking of merit; `limit` keeps the first rows only.
    """
    ordered = sorted(units, key=lambda u: (len(u.flags), -u.computed, u.unit_name, u.uscc))
    rows: list[Row] = []
    for number_, unit in enumerate(ordered[:limit] if limit is not None else ordered, start=1):
        row: Row = {
            "no": number_,
            "unit": unit.unit_name,
            "industry": unit.industry,
            "computed": f"{unit.computed}/{len(INDICATORS)}",
            "flags": "、".join(BY_KEY[k].name_zh for k in unit.flags if k in BY_KEY),
        }
        row.update({key: _shown(key, unit.values[key]) for key in HEADLINE})
        rows.append(row)
    return rows
