"""Seeds of the season fuzzer that found a bug, kept as regression tests.

Each entry is a seed whose season (tests/fuzz/fuzzkit.py: the seed decides the units, the broken
inputs, the perturbations and the days played) broke an invariant, and what it found. A fixed
bug's seed runs in `make fuzz` and must stay clean (a few of them, FAST_SEEDS in fuzzkit.py,
also in the fast lane of `make test`); a seed whose bug is not fixed yet (`fixed=False`) runs
only in `make fuzz`, as an expected failure, until the fix lands and `fixed=True` is set. Add a
seed here when `make fuzz` reports it, with the first violation it printed.
"""

from __future__ import annotations

from typing import NamedTuple


class Regression(NamedTuple):
    """A seed that found a bug: what it found, whether the fix is in, and whether the world's
    organisers add reserve experts (`react`; the world of the commit that found it)."""

    seed: int
    found: str
    fixed: bool = True
    react: bool = True


# Every seed below failed on main 662bbf3 and runs clean since the issue 22 fixes (seed 22 since
# the revision window closes before the deadline day).
REGRESSIONS: tuple[Regression, ...] = (
    Regression(
        22,
        "mail-deadlines: a revision request queued on 2024-12-20, the revision deadline, asked "
        "for the revision by that same day; the review rules held the window open on the "
        "deadline day itself (issue 22, third and fourth items)",
    ),
    Regression(
        3,
        "told-outcome: sheets returned after the decisions renormalised every expert; "
        "scores of reports decided and told on 2024-12-14 changed from 2024-12-17 without a "
        "new letter (issue 22, first item)",
    ),
    Regression(
        5,
        "told-outcome: a sheet returned after the decisions renormalised every expert and "
        "rewrote the score of reports already decided and told (issue 22, first item); "
        "mail-deadline: review invitations queued on 2024-12-23 ask for sheets by a day "
        "already passed (issue 22, third item)",
    ),
    Regression(
        12,
        "status-by-date: reports the review could not assign (every conflict-free expert "
        "full) stay `submitted` from 2024-12-04 through the meeting and the release; the "
        "machine has no move from submitted but in_review and withdrawn, so the meeting "
        "cannot settle them (issue 22, second item); found before the world's organisers "
        "added reserve experts",
        react=False,
    ),
    Regression(
        7,
        "mail-deadline: revision requests queued on 2024-12-20, the revision deadline itself, "
        "ask for the revision by that same day (issue 22, third and fourth items)",
    ),
    Regression(
        109,
        "mail-deadline: an expert dropped out, reserve experts were added; their invitations "
        "queued on 2024-12-19 ask for sheets by the review deadline 2024-12-13, and the new "
        "sheets moved outcomes already told (issue 22, first and third items)",
    ),
)
