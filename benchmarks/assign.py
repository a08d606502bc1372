"""Benchmark the review stage's sums: reviewer assignment and score aggregation, each against
a naive baseline measured in the same run.

Usage: python benchmarks/assign.py [--reports 500 5000] [--reviewers 150] [--k 3] [--seed 1]
       [--repeat 3] [--capacity 1.2] [--year <campaign year>]

Assignment: `assign_reviewers` (tasks/review/assignment/plan.py: a min-cost flow solved by
OR-tools) on random but realistic inputs: 20 industries and 12 topics, each report one industry
and 2-4 topics recommended by 1-2 of 300 associations; each reviewer 1-3 industries, 2-5 topics
and conflicts with 5% of the associations, a few with a unit's employer or a declared unit, and
capacities (0.6-1.4x each other) summing to about 1.2x (`--capacity`) the k x reports needed.
Baseline: reviewers dealt round-robin to report slots, skipping only conflicts, full reviewers and
repeats (no expertise, no balancing beyond the deal). benchmarks/results/assign-flow-vs-search.json
keeps the run (at commit cd9ad51) that compared the flow, side by side, with the hand-written
search it replaced.

Aggregation: one review per assigned pair (5,000 reports x k=3 = 15,000 reviews) scoring the
campaign file's criteria (6 in the 2024 file), drawn as report quality + reviewer harshness +
criterion offset + noise, in halves of a point. Timed as the review flow calls it:
`normalise_scores` (with its checks), `review_totals`, `report_outcomes`
(tasks/review/normalisation.py, tasks/review/aggregation.py). Baseline: the same long frame,
weighted with pandas and averaged per report with two groupbys, then ranked (no checks, no harshness
normalisation, no grades); its means are compared with the product's raw means as a check that both
read the same frame.

Median of `--repeat` runs, baseline and product interleaved, in wall-clock seconds and in CPU
seconds of this process (steadier than the wall clock on a shared machine; both are single
threaded). Writes benchmarks/results/assign.json and prints one line per size and part.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from assign_inputs import figures, make_inputs, round_robin  # noqa: E402  (beside this script)

from schemas.campaign_file import load_campaign_file  # noqa: E402
from schemas.campaign_parts import Review  # noqa: E402
from tasks.review.aggregation import report_outcomes, review_totals  # noqa: E402
from tasks.review.assignment.plan import AssignmentPlan, assign_reviewers  # noqa: E402
from tasks.review.normalisation import normalise_scores  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "assign.json"


def synthetic_scores(plan: AssignmentPlan, review: Review, seed: int) -> pd.DataFrame:
    """Return one complete review per pair of the plan, in long form (one row per criterion)."""
    rng = np.random.default_rng(seed)
    reports = sorted({p.participation_id for p in plan.pairs})
    reviewers = sorted({p.reviewer_key for p in plan.pairs})
    quality = dict(zip(reports, rng.normal(70, 10, len(reports)), strict=True))
    harshness = dict(zip(reviewers, rng.normal(0, 6, len(reviewers)), strict=True))
    criteria = review.criteria
    offsets = rng.normal(0, 4, len(criteria))
    rows = len(plan.pairs) * len(criteria)
    pid = np.repeat([p.participation_id for p in plan.pairs], len(criteria))
    key = np.repeat([p.reviewer_key for p in plan.pairs], len(criteria))
    base = np.repeat(
        [quality[p.participation_id] + harshness[p.reviewer_key] for p in plan.pairs],
        len(criteria),
    )
    low = np.tile([c.min for c in criteria], len(plan.pairs))
    high = np.tile([c.max for c in criteria], len(plan.pairs))
    raw = base + np.tile(offsets, len(plan.pairs)) + rng.normal(0, 5, rows)
    score = np.clip(np.round(raw * 2) / 2, low, high)
    return pd.DataFrame(
        {
            "participation_id": pid,
            "reviewer": key,
            "criterion": np.tile([c.key for c in criteria], len(plan.pairs)),
            "score": score,
        }
    )


def aggregate(scores: pd.DataFrame, review: Review, steps: dict[str, list[float]]) -> Any:
    """Run the product's aggregation as the review flow does; add each step's seconds."""
    mark = time.perf_counter()
    normalised = normalise_scores(scores, review)
    after_normalise = time.perf_counter()
    totals = review_totals(normalised, review)
    after_totals = time.perf_counter()
    outcomes = report_outcomes(totals, review)
    done = time.perf_counter()
    steps["normalise_scores"].append(after_normalise - mark)
    steps["review_totals"].append(after_totals - after_normalise)
    steps["report_outcomes"].append(done - after_totals)
    return outcomes


def groupby_baseline(scores: pd.DataFrame, review: Review) -> Any:
    """Return the naive ranking: weighted raw total per sheet, mean per report, sorted."""
    weights = {c.key: c.weight for c in review.criteria}
    low = {c.key: c.min for c in review.criteria}
    width = {c.key: c.max - c.min for c in review.criteria}
    criterion = scores["criterion"]
    weighted = (
        100.0
        * criterion.map(weights)
        * (scores["score"] - criterion.map(low))
        / criterion.map(width)
    )
    sheets = weighted.groupby([scores["participation_id"], scores["reviewer"]]).sum()
    means = sheets.groupby(level="participation_id").mean()
    return means.sort_values(ascending=False)


class Timings:
    """Wall-clock and CPU seconds of repeated runs of one thing."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def run(self, job: Callable[[], Any]) -> Any:
        """Run `job` once, record its seconds, return its result."""
        wall, cpu = time.perf_counter(), time.process_time()
        result = job()
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)
        return result

    def figures(self) -> dict[str, object]:
        """Return the medians (wall and CPU) and every run's wall seconds, in milliseconds."""
        return {
            "seconds": median(self.wall),
            "cpu_seconds": median(self.cpu),
            "runs_seconds": [round(s, 3) for s in self.wall],
        }


def median(seconds: Sequence[float]) -> float:
    """Return the median in seconds, rounded to the millisecond."""
    return round(statistics.median(seconds), 3)


def ratios(ours: Timings, baseline: Timings) -> dict[str, float]:
    """Return how many times the baseline's median wall and CPU seconds ours took."""
    return {
        "seconds_ratio_vs_baseline": round(median(ours.wall) / median(baseline.wall), 1),
        "cpu_seconds_ratio_vs_baseline": round(median(ours.cpu) / median(baseline.cpu), 1),
    }


def assignment_run(
    size: int, args: argparse.Namespace
) -> tuple[dict[str, object], AssignmentPlan, str]:
    """Time assignment and its round-robin baseline on one size; return figures, plan, line."""
    reports, roster = make_inputs(size, args.reviewers, args.k, args.seed, args.capacity)
    ours_t, base_t = Timings(), Timings()
    plan = baseline = None
    for _ in range(args.repeat):
        baseline = base_t.run(partial(round_robin, reports, roster, args.k))
        plan = ours_t.run(partial(assign_reviewers, reports, roster, k=args.k, seed=args.seed))
    assert plan is not None
    assert baseline is not None
    ours, theirs = figures(plan, reports, roster), figures(baseline, reports, roster)
    compared = ratios(ours_t, base_t)
    result: dict[str, object] = {
        "reports": size,
        "reviewers": args.reviewers,
        "k": args.k,
        "capacity": sum(v.max_load for v in roster),
        "needed": args.k * size,
        **ours_t.figures(),
        **ours,
        "baseline_round_robin": {**base_t.figures(), **theirs},
        **compared,
    }
    line = (
        f"assignment: {size} reports x {args.reviewers} reviewers, k={args.k}: "
        f"{median(ours_t.wall):.2f} s, CPU {median(ours_t.cpu):.2f} s "
        f"({compared['cpu_seconds_ratio_vs_baseline']}x round-robin's CPU "
        f"{median(base_t.cpu):.2f} s); {ours['pairs']} pairs, {ours['shortfalls']} short, "
        f"{ours['conflicts_assigned']} conflicts; loads {ours['load_min']}-{ours['load_max']} "
        f"stdev {ours['load_stdev']}, spread below max_load "
        f"{ours['load_spread_among_reviewers_below_max_load']} (round-robin "
        f"{theirs['load_spread_among_reviewers_below_max_load']}); industry match "
        f"{ours['share_of_pairs_with_industry_match']:.1%} "
        f"(round-robin {theirs['share_of_pairs_with_industry_match']:.1%}), "
        f"{ours['topics_in_common']} topics in common"
    )
    return result, plan, line


def aggregation_run(
    plan: AssignmentPlan, review: Review, args: argparse.Namespace
) -> tuple[dict[str, object], str]:
    """Time the aggregation and the groupby baseline on the plan's reviews; return figures, line."""
    scores = synthetic_scores(plan, review, args.seed)
    steps: dict[str, list[float]] = {
        "normalise_scores": [],
        "review_totals": [],
        "report_outcomes": [],
    }
    ours_t, base_t = Timings(), Timings()
    outcomes = means = None
    for _ in range(args.repeat):
        means = base_t.run(partial(groupby_baseline, scores, review))
        outcomes = ours_t.run(partial(aggregate, scores, review, steps))
    assert outcomes is not None
    assert means is not None
    raw = outcomes.set_index("participation_id")["mean_raw"]
    gap = float((raw - means.reindex(raw.index)).abs().max())
    reviews = scores[["participation_id", "reviewer"]].drop_duplicates().shape[0]
    compared = ratios(ours_t, base_t)
    result: dict[str, object] = {
        "reports": int(outcomes.shape[0]),
        "reviews": reviews,
        "criteria": len(review.criteria),
        "score_rows": int(scores.shape[0]),
        **ours_t.figures(),
        "seconds_by_step": {step: median(s) for step, s in steps.items()},
        "recommendations": {
            str(k): int(v) for k, v in outcomes["recommendation"].value_counts().items()
        },
        "baseline_groupby_mean": base_t.figures(),
        **compared,
        "max_abs_gap_mean_raw_vs_baseline": round(gap, 4),
    }
    line = (
        f"aggregation: {reviews} reviews x {len(review.criteria)} criteria "
        f"({result['reports']} reports): {median(ours_t.wall):.2f} s, CPU "
        f"{median(ours_t.cpu):.2f} s ({compared['cpu_seconds_ratio_vs_baseline']}x the groupby "
        f"mean's CPU {median(base_t.cpu):.3f} s); steps {result['seconds_by_step']}; "
        f"rounded raw means within {gap:.4f} of the baseline's"
    )
    return result, line


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark; write benchmarks/results/assign.json and print one line per part."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--reviewers", type=int, default=150)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--capacity", type=float, default=1.2, help="capacity / needed")
    parser.add_argument("--year", type=int, default=None, help="campaign file (default: newest)")
    args = parser.parse_args(argv)
    campaigns = REPO / "campaigns"
    year = args.year or max(int(p.stem) for p in campaigns.glob("*.toml") if p.stem.isdigit())
    review = load_campaign_file(campaigns / f"{year}.toml").review
    load_before = os.getloadavg()[0]
    runs = []
    for size in args.reports:
        assignment, plan, line = assignment_run(size, args)
        print(line)
        aggregation, line = aggregation_run(plan, review, args)
        print(line)
        runs.append({"assignment": assignment, "aggregation": aggregation})
    result: dict[str, object] = {
        "benchmark": "assign",
        "campaign_year": year,
        "seed": args.seed,
        "capacity_over_needed": args.capacity,
        "repeat": args.repeat,
        "statistic": "median wall-clock and CPU (process) seconds; baseline and product "
        "interleaved in each repeat",
        "runs": runs,
        "csr_campaign": metadata.version("csr-campaign"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "machine": f"{platform.system()} {platform.machine()}",
        "platform": platform.platform(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"-> {RESULTS.relative_to(REPO)}")
    return result


if __name__ == "__main__":
    main()
