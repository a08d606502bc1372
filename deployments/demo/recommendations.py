"""The association recommendation lists: who recommends whom, how many, in which file format,
and the bad rows and files injected on purpose.

Each association recommends between the campaign's quota bounds; with a bad rate, one
association goes over quota, one stays under, one sends last year's list, and rows get the
problems of `RowProblem`. Pure: returns rows as values keyed by the RECOMMENDATIONS column keys;
`writers.py` writes them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import NamedTuple

from deployments.demo import names
from deployments.demo.model import (
    REJECTING_ROW_PROBLEMS,
    Association,
    Injection,
    RowProblem,
    Unit,
)
from deployments.demo.population import make_associations
from deployments.demo.quotas import file_formats, file_sizes
from schemas.columns import RECOMMENDATIONS

HEADERS = {c.key: c.header for c in RECOMMENDATIONS.columns}
ATTESTATIONS = ("attests_compliance", "attests_responsibility", "agrees_to_publish")
ROW_KINDS = 7  # row-level kinds that share the bad rate


@dataclass
class RecRow:
    """One row of a recommendation file and the problem put into it, if any."""

    unit: Unit
    values: dict[str, object]
    problem: RowProblem | None = None
    column: str | None = None


@dataclass
class RecFile:
    """One association's recommendation file."""

    association: Association
    fmt: str  # "xlsx", "csv-gb18030" or "csv-utf-8-sig"
    rows: list[RecRow]
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def path(self) -> str:
        """Return the file's path relative to out_dir."""
        ext = "xlsx" if self.fmt == "xlsx" else "csv"
        return f"recommendations/{self.association.code}.{ext}"


class CleanRow(NamedTuple):
    """A row still without a problem, and the index of the file it is in."""

    file: int
    row: RecRow


@dataclass(frozen=True)
class Recommendations:
    """The associations, their files, what was injected and which units landed."""

    associations: list[Association]
    files: list[RecFile]
    injections: list[Injection]
    accepted: frozenset[int]  # unit indexes with at least one row the ingest keeps
    by_unit: dict[int, tuple[str, ...]]  # unit index -> recommending association codes


def build_recommendations(
    units: list[Unit], year: int, qmin: int, qmax: int, seed: int, bad_rate: float
) -> Recommendations:
    """Return the recommendation files for `units` (one primary recommendation each); pure."""
    rng = random.Random(f"{seed}:recommendations")
    n = len(units)
    per_kind = max(1, round(n * bad_rate / ROW_KINDS)) if bad_rate > 0 else 0
    targets, over, under, wrong = file_sizes(rng, n, n + 2 * per_kind, qmin, qmax, bad_rate > 0)
    associations = make_associations(len(targets), seed)
    fmts = file_formats(rng, len(targets))
    # Bad rows go into ordinary files, so the over- and under-quota lists count as labelled.
    eligible = [i for i in range(len(targets)) if i not in (wrong, over, under)] or [
        i for i in range(len(targets)) if i != wrong
    ]
    slots: list[list[RowProblem]] = [[] for _ in targets]
    extras = [RowProblem.DUPLICATE_IN_FILE] * per_kind
    extras += [RowProblem.DUPLICATE_ACROSS_ASSOCIATIONS] * per_kind
    for kind in extras:
        room = [i for i in eligible if targets[i] - len(slots[i]) > 2]
        if room:
            slots[rng.choice(room)].append(kind)
        else:  # too few rows to hold it: shrink the largest file instead
            i = max(range(len(targets)), key=lambda j: targets[j] - len(slots[j]))
            targets[i] -= 1
    order = list(range(n))
    rng.shuffle(order)
    files = [RecFile(a, fmt, []) for a, fmt in zip(associations, fmts, strict=True)]
    primary: dict[int, int] = {}
    pos = 0
    for i, f in enumerate(files):
        count = targets[i] - len(slots[i])
        for u in order[pos : pos + count]:
            f.rows.append(RecRow(units[u], _values(units[u], f.association, year)))
            primary[u] = i
        pos += count
    used: set[int] = set()
    for i, f in enumerate(files):
        for kind in slots[i]:
            _add_duplicate(rng, f, i, kind, units, order, primary, wrong, used, year)
    _corrupt(rng, files, eligible, per_kind, used)
    if wrong is not None:
        for r in files[wrong].rows:
            r.values["campaign_year"] = year - 1
        files[wrong].problems.append(RowProblem.WRONG_YEAR_FILE)
    if over is not None and under is not None:
        files[over].problems.append(RowProblem.OVER_QUOTA)
        files[under].problems.append(RowProblem.UNDER_QUOTA)
    return _result(associations, files, wrong)


def _values(unit: Unit, assoc: Association, year: int) -> dict[str, object]:
    """Return a clean recommendation row for `unit` from `assoc`; pure."""
    return {
        "association_code": assoc.code,
        "campaign_year": year,
        "uscc": unit.uscc,
        "name": unit.name,
        "kind": unit.kind,
        "district": unit.district,
        "industry": unit.industry,
        "ownership": unit.ownership,
        "listed": "是" if unit.listed else "否",
        "contact_name": unit.contact,
        "email": unit.email,
        "phone": unit.phone,
        **dict.fromkeys(ATTESTATIONS, "是"),
    }


def _add_duplicate(
    rng: random.Random,
    f: RecFile,
    i: int,
    kind: RowProblem,
    units: list[Unit],
    order: list[int],
    primary: dict[int, int],
    wrong: int | None,
    used: set[int],
    year: int,
) -> None:
    """Add one duplicate row to file `f` (same file or across associations); mutates it."""
    if kind == RowProblem.DUPLICATE_IN_FILE:
        picks = [p for p, r in enumerate(f.rows) if r.problem is None and r.unit.index not in used]
        if not picks:
            return
        at = rng.choice(picks)
        unit = f.rows[at].unit
        values = dict(f.rows[at].values, phone=names.phone(rng))
        f.rows.insert(rng.randint(at + 1, len(f.rows)), RecRow(unit, values, kind, HEADERS["uscc"]))
    else:
        others = [u for u in order if primary.get(u) not in (i, wrong, None) and u not in used]
        if not others:
            return
        unit = units[rng.choice(others)]
        contact, login = names.person_name(rng)
        domain = unit.email.partition("@")[2]
        values = _values(unit, f.association, year)
        values.update(contact_name=contact, email=f"{login}@{domain}", phone=names.phone(rng))
        f.rows.insert(rng.randint(0, len(f.rows)), RecRow(unit, values, kind, HEADERS["uscc"]))
    used.add(unit.index)


def _corrupt(
    rng: random.Random, files: list[RecFile], eligible: list[int], per_kind: int, used: set[int]
) -> None:
    """Put each rejecting row problem into `per_kind` clean rows; mutates the rows."""
    pool = [CleanRow(i, r) for i in eligible for r in files[i].rows if r.unit.index not in used]
    rng.shuffle(pool)
    kinds = sorted(REJECTING_ROW_PROBLEMS)
    for kind in kinds:
        for _ in range(per_kind):
            pick = next((p for p in pool if _fits(kind, files[p.file], p.row)), None)
            if pick is None:
                break
            pool.remove(pick)
            row = pick.row
            used.add(row.unit.index)
            row.problem = kind
            v = row.values
            if kind == RowProblem.BAD_USCC_CHECK:
                v["uscc"] = names.break_check_character(rng, row.unit.uscc)
                row.column = HEADERS["uscc"]
            elif kind == RowProblem.EMPTY_NAME:
                v["name"] = ""
                row.column = HEADERS["name"]
            elif kind == RowProblem.BAD_EMAIL:
                v["email"] = names.break_email(rng, row.unit.email)
                row.column = HEADERS["email"]
            elif kind == RowProblem.MISSING_ATTESTATION:
                key = rng.choice(ATTESTATIONS)
                v[key] = rng.choice(("否", ""))
                row.column = HEADERS[key]
            else:  # a spreadsheet turned the all-digit code into a float, losing digits
                v["uscc"] = float(row.unit.uscc)
                row.column = HEADERS["uscc"]


def _fits(kind: RowProblem, f: RecFile, row: RecRow) -> bool:
    """Return whether `kind` can be injected into `row` of file `f`; pure."""
    if kind == RowProblem.USCC_AS_NUMBER:
        return f.fmt == "xlsx" and row.unit.uscc.isdigit()
    return True


def _result(
    associations: list[Association], files: list[RecFile], wrong: int | None
) -> Recommendations:
    """Collect injections, accepted units and recommending codes from the final files; pure."""
    injections: list[Injection] = []
    accepted: set[int] = set()
    by_unit: dict[int, list[str]] = {}
    for i, f in enumerate(files):
        for p in f.problems:
            detail = f"{len(f.rows)} rows"
            injections.append(Injection(kind=p, file=f.path, detail=detail))
        for pos, r in enumerate(f.rows):
            codes = by_unit.setdefault(r.unit.index, [])
            if f.association.code not in codes:
                codes.append(f.association.code)
            if r.problem not in REJECTING_ROW_PROBLEMS and i != wrong:
                accepted.add(r.unit.index)
            if r.problem is not None:
                value = r.values["uscc"] if r.column == HEADERS["uscc"] else None
                injections.append(
                    Injection(
                        kind=r.problem,
                        file=f.path,
                        row=pos + 2,
                        column=r.column,
                        uscc=r.unit.uscc,
                        detail="" if value is None else f"written as {value!r}",
                    )
                )
    return Recommendations(
        associations=associations,
        files=files,
        injections=injections,
        accepted=frozenset(accepted),
        by_unit={k: tuple(v) for k, v in by_unit.items()},
    )
