"""The values of a reviewer assignment: reports, reviewers, overrides in; the plan out.

Plain frozen dataclasses and the one error `tasks.review.assignment.plan.assign_reviewers` raises,
so that the matching rules (match.py), the solver and the plan can share them without importing
each other. No rules here: who may review what is match.py, who does review what is plan.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, kw_only=True)
class Report:
    """A report to review: the unit behind it and what it is about."""

    participation_id: int
    uscc: str
    unit_name: str
    employer_names: frozenset[str] = frozenset()  # the unit's own name and aliases
    association_codes: frozenset[str] = frozenset()
    industry: str = ""
    topics: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Reviewer:
    """An expert on the roster: expertise, capacity and declared conflicts."""

    key: str  # email
    name: str
    employer: str
    industries: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    max_load: int
    conflict_associations: frozenset[str] = frozenset()
    conflict_units: frozenset[str] = frozenset()  # USCCs


@dataclass(frozen=True, kw_only=True)
class Override:
    """A manual decision from the overrides file: this reviewer must (not) review this report."""

    participation_id: int
    reviewer_key: str
    action: Literal["require", "forbid"]


@dataclass(frozen=True)
class Pair:
    """One reviewer assigned to one report, with the reasons it was chosen."""

    participation_id: int
    reviewer_key: str
    reasons: list[str]


@dataclass(frozen=True)
class Shortfall:
    """A report that has fewer than k reviewers, and what blocks the rest."""

    participation_id: int
    needed: int
    got: int
    why: str


@dataclass(frozen=True)
class RefusedOverride:
    """A require or forbid override that could not be honoured, and why."""

    override: Override
    why: str


@dataclass(frozen=True)
class AssignmentPlan:
    """The outcome: pairs by report then reviewer, short reports, loads, refused overrides."""

    pairs: list[Pair]
    shortfalls: list[Shortfall]
    loads: dict[str, int]
    refused: list[RefusedOverride] = field(default_factory=list)


class AssignmentInputError(ValueError):
    """The inputs cannot be assigned at all (a duplicate key, k < 1, a negative max_load)."""

    def __init__(self, value: object, problem: str) -> None:
        self.value = value
        self.problem = problem
        super().__init__(f"{problem}: {value!r}")
