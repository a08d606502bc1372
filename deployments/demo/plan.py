"""The demo season plan: on which business day each unit files each thing, which report files
are broken on purpose, who revises, and when reviewers return their score sheets.

Every date comes from the campaign file (the submit stage start, the receipt, report, review and
revision deadlines): filings spread towards each deadline, about 10 % arrive a few days late and
about 5 % never. Pure: seeded per unit, returns values; `generate.py` writes plan.json.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from deployments.demo.model import Injection, PdfProblem, Reviewer, Unit, UnitPlan
from deployments.demo.recommendations import Recommendations
from schemas.campaign_file import CampaignFile

LATE = 0.10
NEVER = 0.05


@dataclass(frozen=True)
class SeasonDates:
    """The campaign file's dates the plan spreads filings over."""

    submit_start: date
    receipt_deadline: date
    report_deadline: date
    review_start: date
    review_deadline: date
    revision_deadline: date


class FilingDays(NamedTuple):
    """The days one unit files its receipt, basic information, financials and report (None:
    never)."""

    registers_on: date | None
    info_on: date | None
    financials_on: date | None
    report_on: date | None


NEVER_FILES = FilingDays(None, None, None, None)


def season_dates(campaign: CampaignFile) -> SeasonDates:
    """Return the plan's dates from the campaign file; a missing review or revision deadline
    falls back to the day before the next stage begins."""
    day = timedelta(days=1)
    review = campaign.deadlines.get("review")
    revision = campaign.deadlines.get("revision")
    return SeasonDates(
        submit_start=campaign.stages.submit,
        receipt_deadline=campaign.deadline("receipt").date,
        report_deadline=campaign.deadline("report").date,
        review_start=campaign.stages.review,
        review_deadline=review.date if review else campaign.stages.commend - day,
        revision_deadline=revision.date if revision else campaign.stages.meeting - day,
    )


def filing_day(
    rng: random.Random, earliest: date, deadline: date, late: float = LATE, never: float = NEVER
) -> date | None:
    """Return the day something is filed (skewed towards the deadline, sometimes late) or
    None for never; advances `rng` only."""
    roll = rng.random()
    if roll < never:
        return None
    if earliest > deadline:
        return earliest + timedelta(days=rng.randint(0, 3))
    if roll < never + late:
        return deadline + timedelta(days=rng.randint(1, 6))
    span = (deadline - earliest).days
    return earliest + timedelta(days=round(rng.triangular(0, span, span * 0.85)))


def plan_units(
    units: list[Unit], recs: Recommendations, dates: SeasonDates, seed: int, bad_rate: float
) -> list[UnitPlan]:
    """Return each unit's filing days, PDF problem and revision; pure, seeded per unit."""
    days: list[FilingDays] = []
    for u in units:
        rng = random.Random(f"{seed}:plan:{u.index}")
        reg = filing_day(rng, dates.submit_start, dates.receipt_deadline)
        if u.index not in recs.accepted or reg is None:
            days.append(NEVER_FILES)
            continue
        info = filing_day(rng, reg, dates.receipt_deadline)
        fin = filing_day(rng, reg, dates.receipt_deadline, never=0.3)
        report = filing_day(rng, max(reg, dates.submit_start), dates.report_deadline)
        days.append(FilingDays(reg, info, fin, report))
    reporters = [u.index for u, d in zip(units, days, strict=True) if d.report_on is not None]
    problems, revisers = _pick_problems(reporters, seed, bad_rate)
    plans = []
    for u, d in zip(units, days, strict=True):
        revised_on = None
        if u.index in revisers:
            rng = random.Random(f"{seed}:revision:{u.index}")
            # after the review's decision (the first day after the deadline) reached them
            start = dates.review_deadline + timedelta(days=3)
            revised_on = filing_day(rng, start, dates.revision_deadline, late=0.0, never=0.0)
        plans.append(
            UnitPlan(
                unit=u,
                associations=recs.by_unit.get(u.index, ()),
                recommended_ok=u.index in recs.accepted,
                registers_on=d.registers_on,
                info_on=d.info_on,
                financials_on=d.financials_on,
                report_on=d.report_on,
                pdf_problem=problems.get(u.index),
                revises=u.index in revisers,
                revised_on=revised_on,
            )
        )
    return plans


def _pick_problems(
    reporters: list[int], seed: int, bad_rate: float
) -> tuple[dict[int, PdfProblem], set[int]]:
    """Return which reporters' PDFs get which problem and which good ones are revised; pure."""
    rng = random.Random(f"{seed}:pdf-problems")
    pool = list(reporters)
    rng.shuffle(pool)
    problems: dict[int, PdfProblem] = {}
    kinds = list(PdfProblem)
    if bad_rate > 0 and len(pool) >= 2 * len(kinds):
        per_kind = max(1, round(len(reporters) * bad_rate / len(kinds)))
        for kind in kinds:
            for _ in range(per_kind):
                problems[pool.pop()] = kind
    revisers = set()
    if len(pool) >= 10:
        revisers = set(pool[: max(1, round(len(pool) * 0.05))])
    return problems, revisers


def reviewer_returns(reviewers: list[Reviewer], dates: SeasonDates, seed: int) -> list[date | None]:
    """Return the day each reviewer returns the score sheets (None: never); pure."""
    out = []
    for j, _ in enumerate(reviewers):
        rng = random.Random(f"{seed}:review-return:{j}")
        out.append(filing_day(rng, dates.review_start, dates.review_deadline))
    return out


def plan_document(
    campaign: CampaignFile,
    dates: SeasonDates,
    plans: list[UnitPlan],
    reviewers: list[Reviewer],
    returns: list[date | None],
    info_files: dict[int, str],
    injections: list[Injection],
    generator: Mapping[str, object],
) -> dict[str, object]:
    """Return the plan.json document (dates as ISO strings); pure."""
    problems: dict[str, list[str]] = {}
    for inj in injections:
        if inj.uscc:
            problems.setdefault(inj.uscc, []).append(str(inj.kind))
    units = []
    for p in plans:
        u = p.unit
        units.append(
            {
                "index": u.index,
                "uscc": u.uscc,
                "name": u.name,
                "kind": u.kind,
                "email": u.email,
                "associations": list(p.associations),
                "recommended_ok": p.recommended_ok,
                "problems": problems.get(u.uscc, []),
                "registers_on": _iso(p.registers_on),
                "info_on": _iso(p.info_on),
                "info_file": info_files.get(u.index),
                "financials_on": _iso(p.financials_on),
                "report_on": _iso(p.report_on),
                "report_file": f"reports/{u.uscc}.pdf" if p.report_on else None,
                "pdf_problem": None if p.pdf_problem is None else str(p.pdf_problem),
                "revises": p.revises,
                "revised_on": _iso(p.revised_on),
                "revised_file": f"reports/revised/{u.uscc}.pdf" if p.revises else None,
            }
        )
    return {
        "campaign_year": campaign.year,
        "report_year": campaign.campaign.report_year,
        "generator": dict(generator),
        "dates": {k: _iso(v) for k, v in vars(dates).items()},
        "units": units,
        "reviewers": [
            {"name": r.name, "email": r.email, "max_load": r.max_load, "returns_sheet_on": _iso(d)}
            for r, d in zip(reviewers, returns, strict=True)
        ],
        "injections": [i.model_dump(mode="json") for i in injections],
    }


def _iso(day: date | None) -> str | None:
    """Return the ISO text of a date, or None; pure."""
    return None if day is None else day.isoformat()
