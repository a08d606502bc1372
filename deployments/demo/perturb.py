"""Seeded perturbations of a generated season's outside world, for the season fuzzer.

Each perturbation is a small named function of the generated plan (plan.json as a dict): it
changes the plan where the demo world already reads it (when an expert returns the score
sheets, when a unit files its revision, whether the chair answers) and returns the extra things
the world sends that the plan cannot say (a roster without an absent expert, a filing sent
twice, a unit's corrected name after the release) as `WorldEvent`s, which
deployments/demo/fuzzworld.py delivers on their day. `perturb(plan, campaign, seed)` draws which
perturbations a season gets and applies them: a seed fully determines the perturbed world.
Pure: returns new values, never touches files. A demo tool: product code never imports it.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from schemas.campaign_file import CampaignFile

Plan = dict[str, Any]


@dataclass(frozen=True)
class WorldEvent:
    """Something the perturbed world sends on `day` beyond the plan.

    kind: roster-without (target: the absent expert's e-mail), receipt-again, report-again
    (target: the unit's USCC), sheet-again (target: the expert's e-mail), name-correction
    (target: USCC, variant: the corrected name). variant "same" sends identical content,
    "changed" different content.
    """

    day: date
    kind: str
    target: str
    variant: str = "same"


@dataclass(frozen=True)
class Perturbed:
    """A perturbed season: the plan the world plays, its extra events, what was applied."""

    plan: Plan
    events: tuple[WorldEvent, ...]
    applied: tuple[str, ...]
    chair_absent: bool


Perturbation = Callable[[Plan, CampaignFile, random.Random], list[WorldEvent]]


def _day(value: str | None) -> date | None:
    """Return the date of an ISO text, or None; pure."""
    return None if value is None else date.fromisoformat(value)


def _returning(plan: Plan) -> list[dict[str, Any]]:
    """Return the reviewers who return their sheets at all; pure."""
    return [r for r in plan["reviewers"] if r.get("returns_sheet_on")]


def _filers(plan: Plan, field: str) -> list[dict[str, Any]]:
    """Return the units whose plan has a date in `field`; pure."""
    return [u for u in plan["units"] if u.get(field)]


def late_sheets(plan: Plan, campaign: CampaignFile, rng: random.Random) -> list[WorldEvent]:
    """One or two experts return their first-round sheets on the deadline or the day after."""
    deadline = campaign.deadline("review").date
    for r in rng.sample(_returning(plan), min(2, len(_returning(plan)))):
        r["returns_sheet_on"] = (deadline + timedelta(days=rng.randint(0, 1))).isoformat()
    return []


def sheets_after_decisions(
    plan: Plan, campaign: CampaignFile, rng: random.Random
) -> list[WorldEvent]:
    """One or two experts return their sheets 2-8 days after the review deadline (decided)."""
    deadline = campaign.deadline("review").date
    for r in rng.sample(_returning(plan), min(2, len(_returning(plan)))):
        r["returns_sheet_on"] = (deadline + timedelta(days=rng.randint(2, 8))).isoformat()
    return []


def missing_sheets(plan: Plan, campaign: CampaignFile, rng: random.Random) -> list[WorldEvent]:
    """One or two experts never return a sheet (nobody tells the organisers)."""
    for r in rng.sample(_returning(plan), min(rng.randint(1, 2), len(_returning(plan)))):
        r["returns_sheet_on"] = None
    return []


def experts_absent(plan: Plan, campaign: CampaignFile, rng: random.Random) -> list[WorldEvent]:
    """An expert drops out during the review: no sheet, and the organisers send the roster
    again without them 2-6 days after the review starts."""
    if not plan["reviewers"]:
        return []
    expert = rng.choice(plan["reviewers"])
    expert["returns_sheet_on"] = None
    on = campaign.stages.review + timedelta(days=rng.randint(2, 6))
    return [WorldEvent(on, "roster-without", expert["email"])]


def late_revisions(plan: Plan, campaign: CampaignFile, rng: random.Random) -> list[WorldEvent]:
    """Units asked to revise file their revision 1-4 days after the revision deadline."""
    deadline = campaign.deadline("revision").date
    for u in plan["units"]:
        if u.get("revises") and rng.random() < 0.7:
            u["revised_on"] = (deadline + timedelta(days=rng.randint(1, 4))).isoformat()
    return []


def name_corrections(plan: Plan, campaign: CampaignFile, rng: random.Random) -> list[WorldEvent]:
    """One or two registered units send a receipt with a corrected name 1-5 days after the
    release (the release then runs again)."""
    filers = _filers(plan, "report_on")
    events = []
    for u in rng.sample(filers, min(rng.randint(1, 2), len(filers))):
        on = campaign.events.release + timedelta(days=rng.randint(1, 5))
        events.append(WorldEvent(on, "name-correction", u["uscc"], f"{u['name']}（更名）"))
    return events


def duplicate_filings(plan: Plan, campaign: CampaignFile, rng: random.Random) -> list[WorldEvent]:
    """A few units send their receipt or report again, and an expert a score sheet again, a
    few days to weeks later: the same content, or changed."""
    events = []
    for field, kind in (("registers_on", "receipt-again"), ("report_on", "report-again")):
        filers = _filers(plan, field)
        for u in rng.sample(filers, min(rng.randint(1, 3), len(filers))):
            on = _day(u[field])
            assert on is not None
            later = on + timedelta(days=rng.randint(1, 30))
            events.append(WorldEvent(later, kind, u["uscc"], rng.choice(("same", "changed"))))
    for r in rng.sample(_returning(plan), min(rng.randint(1, 2), len(_returning(plan)))):
        on = _day(r["returns_sheet_on"])
        assert on is not None
        later = on + timedelta(days=rng.randint(1, 6))
        events.append(WorldEvent(later, "sheet-again", r["email"], rng.choice(("same", "changed"))))
    return events


PERTURBATIONS: dict[str, Perturbation] = {
    "late-sheets": late_sheets,
    "sheets-after-decisions": sheets_after_decisions,
    "missing-sheets": missing_sheets,
    "experts-absent": experts_absent,
    "late-revisions": late_revisions,
    "name-corrections": name_corrections,
    "duplicate-filings": duplicate_filings,
}
CHAIR_ABSENT = "chair-absent"
NAMES = (*PERTURBATIONS, CHAIR_ABSENT)


def perturb(plan: Plan, campaign: CampaignFile, seed: int, rate: float = 0.5) -> Perturbed:
    """Return the season `plan` perturbed for `seed`: each perturbation applies with
    probability `rate` (in the order of NAMES, each drawing from its own seeded generator).

    Pure: the given plan is left unchanged.
    """
    out = copy.deepcopy(plan)
    chooser = random.Random(f"{seed}:perturb")
    chosen = [name for name in NAMES if chooser.random() < rate]
    events: list[WorldEvent] = []
    for name in chosen:
        if name in PERTURBATIONS:
            events += PERTURBATIONS[name](out, campaign, random.Random(f"{seed}:perturb:{name}"))
    events.sort(key=lambda e: (e.day, e.kind, e.target))
    return Perturbed(out, tuple(events), tuple(chosen), CHAIR_ABSENT in chosen)
