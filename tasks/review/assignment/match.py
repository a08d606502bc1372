"""Who may review what, and how well they fit: conflicts of interest and expertise scores.

The matching rules behind `tasks.review.assignment.plan`: names and codes are compared after NFKC,
without spaces, case-folded (codes upper-cased); a reviewer conflicts with a report through a
declared association or unit, or by working for the unit (its name or an alias); expertise is an
industry match first, then topics in common. Indexes keep the work at reports x their conflicts
rather than reports x reviewers; the solver's expertise matrix is one product of tag tables.
Pure; no I/O.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tasks.review.assignment.model import Report, Reviewer

INDUSTRY = 1 << 20
"""Score of an industry match; a topic in common adds 1, so industry always comes first."""


def normalise_name(text: str) -> str:
    """Return a name or tag in the form used for comparing (NFKC, case-folded, no spaces)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalise_code(text: str) -> str:
    """Return a code (USCC, association) in the form used for comparing (NFKC, upper, no spaces)."""
    return "".join(unicodedata.normalize("NFKC", text).upper().split())


def conflict_causes(report: Report, reviewer: Reviewer) -> list[str]:
    """Return why `reviewer` may not review `report` (empty when they may), one line per cause."""
    return declared_causes(report, Declared.of(reviewer))


@dataclass(frozen=True)
class Declared:
    """A reviewer's conflict fields, normalised once."""

    associations: frozenset[str]
    units: frozenset[str]
    employer: str

    @classmethod
    def of(cls, reviewer: Reviewer) -> Declared:
        """Return `reviewer`'s conflict fields in the form used for comparing."""
        return cls(
            frozenset(normalise_code(c) for c in reviewer.conflict_associations),
            frozenset(normalise_code(u) for u in reviewer.conflict_units),
            normalise_name(reviewer.employer),
        )


def declared_causes(report: Report, declared: Declared) -> list[str]:
    """Return the conflict causes between `report` and a reviewer's declared fields."""
    codes = sorted(report.association_codes)
    causes = [f"association {c}" for c in codes if normalise_code(c) in declared.associations]
    if normalise_code(report.uscc) in declared.units:
        causes.append("declared unit")
    if declared.employer and declared.employer in unit_names(report):
        causes.append("same employer")
    return causes


def unit_names(report: Report) -> set[str]:
    """Return the unit's name and aliases, normalised, without empty ones."""
    return {normalise_name(n) for n in {report.unit_name, *report.employer_names}} - {""}


def conflicts_by_report(rs: Sequence[Report], vs: Sequence[Reviewer]) -> list[set[int]]:
    """Return, per report, the reviewers in conflict with it, found through indexes."""
    by_association: dict[str, list[int]] = defaultdict(list)
    by_unit: dict[str, list[int]] = defaultdict(list)
    by_employer: dict[str, list[int]] = defaultdict(list)
    for j, v in enumerate(vs):
        declared = Declared.of(v)
        for c in declared.associations:
            by_association[c].append(j)
        for u in declared.units:
            by_unit[u].append(j)
        if declared.employer:
            by_employer[declared.employer].append(j)
    result = []
    for r in rs:
        hit = set(by_unit.get(normalise_code(r.uscc), ()))
        for c in r.association_codes:
            hit.update(by_association.get(normalise_code(c), ()))
        for name in unit_names(r):
            hit.update(by_employer.get(name, ()))
        result.append(hit)
    return result


def expertise_matrix(rs: Sequence[Report], vs: Sequence[Reviewer]) -> npt.NDArray[np.int64]:
    """Return every (report, reviewer)'s expertise: INDUSTRY per industry match + 1 per topic."""
    industries = _tags(rs, vs, lambda r: {r.industry}, lambda v: v.industries)
    topics = _tags(rs, vs, lambda r: r.topics, lambda v: v.topics)
    return INDUSTRY * industries + topics


def _tags(
    rs: Sequence[Report],
    vs: Sequence[Reviewer],
    of_report: Callable[[Report], Iterable[str]],
    of_reviewer: Callable[[Reviewer], Iterable[str]],
) -> npt.NDArray[np.int64]:
    """Return how many normalised tags each (report, reviewer) has in common (a matrix product)."""
    report_tags = [{normalise_name(t) for t in of_report(r)} - {""} for r in rs]
    reviewer_tags = [{normalise_name(t) for t in of_reviewer(v)} - {""} for v in vs]
    column = {tag: i for i, tag in enumerate(sorted(set().union(*report_tags)))}
    by_report = np.zeros((len(rs), len(column)), dtype=np.int64)
    by_reviewer = np.zeros((len(vs), len(column)), dtype=np.int64)
    for p, tags in enumerate(report_tags):
        by_report[p, [column[t] for t in tags]] = 1
    for j, tags in enumerate(reviewer_tags):
        by_reviewer[j, [column[t] for t in tags if t in column]] = 1
    return by_report @ by_reviewer.T
