"""The season benchmark's summary (benchmarks/season.py): overhead, scaling and the targets met.

Pure: reads the runs' figures, returns ratios. Does not run or write anything.
"""

from __future__ import annotations

from typing import Any

TARGETS = {"end_to_end_5000_seconds": 600.0, "prefect_overhead": 0.10, "scaling_5000_vs_500": 10.0}


def summarise(
    runs: dict[int, dict[str, dict[str, Any]]], generation: dict[int, float | None]
) -> dict[str, Any]:
    """Return the overhead and scaling ratios and the targets met, from the runs' figures."""
    overhead: dict[str, Any] = {}
    for n, modes in runs.items():
        if {"engine", "plain"} <= set(modes):
            engine, plain = modes["engine"], modes["plain"]
            overhead[str(n)] = {
                "total": round(engine["clock_seconds"] / plain["clock_seconds"] - 1, 3),
                "seconds": round(engine["clock_seconds"] - plain["clock_seconds"], 1),
                "by_stage": {
                    s: round(engine["seconds_by_stage"][s] / plain["seconds_by_stage"][s] - 1, 3)
                    for s in engine["seconds_by_stage"]
                    if plain["seconds_by_stage"].get(s)
                },
                "same_outcome": engine["outcome"]["participations"]
                == plain["outcome"]["participations"],
            }
    logging = {
        str(n): {
            "clock": round(info["clock_seconds"] / quiet["clock_seconds"] - 1, 3),
            "cpu_seconds_warning_info": {
                k: [quiet["cpu_seconds"][k], info["cpu_seconds"][k]] for k in quiet["cpu_seconds"]
            },
        }
        for n, m in runs.items()
        if {"engine-warning", "engine-info"} <= set(m)
        for quiet, info in [(m["engine-warning"], m["engine-info"])]
    }
    scaling: dict[str, Any] = {}
    if 500 in runs and 5000 in runs:
        for mode in set(runs[500]) & set(runs[5000]):
            small, large = runs[500][mode], runs[5000][mode]
            scaling[mode] = {
                "total": round(large["clock_seconds"] / small["clock_seconds"], 2),
                "by_stage": {
                    s: round(large["seconds_by_stage"][s] / small["seconds_by_stage"][s], 2)
                    for s in large["seconds_by_stage"]
                    if small["seconds_by_stage"].get(s)
                },
            }
    met: dict[str, bool | None] = {}
    big = runs.get(5000, {})
    met["end_to_end_5000_seconds"] = (
        big["engine"]["clock_seconds"] <= TARGETS["end_to_end_5000_seconds"]
        if "engine" in big
        else None
    )
    met["prefect_overhead"] = (
        overhead["5000"]["total"] <= TARGETS["prefect_overhead"] if "5000" in overhead else None
    )
    met["scaling_5000_vs_500"] = (
        all(v["total"] <= TARGETS["scaling_5000_vs_500"] for v in scaling.values())
        if scaling
        else None
    )
    return {
        "overhead_ratio": overhead,
        "logging_overhead_ratio": logging,  # engine-info / engine-warning - 1
        "scaling_ratio": scaling,
        "targets": TARGETS,
        "targets_met": met,
        "generation_seconds_excluded": {
            str(n): None if s is None else round(s, 1) for n, s in generation.items()
        },
    }
