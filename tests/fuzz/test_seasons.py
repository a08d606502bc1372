"""The season fuzzer: seeded random seasons replayed through the real daily clock, checked after
every played day (tests/fuzz/fuzzkit.py, tests/fuzz/invariants.py).

A few seeds run in the fast lane; `make fuzz` runs FUZZ_SEEDS seeds from FUZZ_START (marked
`fuzz`, deselected by `make test`). A failing season reports its seed, its first failing day and
the violations, and how to replay it; put the seed into regressions.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fuzz.fuzzkit import FAST_SEEDS, fuzz_seeds, run_season
from fuzz.regressions import REGRESSIONS

from schemas.campaign_file import CampaignFile


def _params() -> list[object]:
    """The fast seeds, the regressions (in `make fuzz`; unfixed ones expected to fail) and the
    rest of the fuzz range."""
    params: list[object] = [pytest.param(s, True, id=f"fast-{s}") for s in FAST_SEEDS]
    for r in REGRESSIONS:
        if r.seed in FAST_SEEDS:
            continue
        marks = (
            [pytest.mark.fuzz] if r.fixed else [pytest.mark.fuzz, pytest.mark.xfail(reason=r.found)]
        )
        params.append(pytest.param(r.seed, r.react, id=f"regression-{r.seed}", marks=marks))
    listed = set(FAST_SEEDS) | {r.seed for r in REGRESSIONS}
    params += [
        pytest.param(s, True, id=f"seed-{s}", marks=pytest.mark.fuzz)
        for s in fuzz_seeds()
        if s not in listed  # each seed runs once
    ]
    return params


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize(("seed", "react"), _params())
def test_a_seeded_season_keeps_every_invariant_on_every_played_day(
    seed: int,
    react: bool,
    workspace: Path,
    campaign_2024: CampaignFile,
    record_property: pytest.RecordProperty,
) -> None:
    result = run_season(seed, workspace, campaign_2024, organisers_react=react)
    record_property("fuzz-season", (seed, result.line()))
    assert not result.violations, result.report()
    shutil.rmtree(workspace, ignore_errors=True)  # a clean season's files are not kept
