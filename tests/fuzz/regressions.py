"""Seeds of the season fuzzer that found a bug, kept as regression tests.

Each entry is a seed whose season (tests/fuzz/fuzzkit.py: the seed decides the units, the broken
inputs, the perturbations and the days played) broke an invariant, and what it found. A fixed
bug's seed runs in the fast lane of `make test` (test_seasons.py) and must stay clean; a seed
whose bug is not fixed yet (`fixed=False`) runs only in `make fuzz`, as an expected failure,
until the fix lands and the lead sets `fixed=True`. Add a seed here when `make fuzz` reports it,
with the first violation it printed.
"""

from __future__ import annotations

from typing import NamedTuple


class Regression(NamedTuple):
    """A seed that found a bug: what it found, and whether the fix is in."""

    seed: int
    found: str
    fixed: bool = False


REGRESSIONS: tuple[Regression, ...] = ()
