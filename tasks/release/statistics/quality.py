"""What the season produced, as pandas rules: review scores, topic coverage, indicators.

Plain functions over small frames and values (the loaders in tasks/release/statistics/load.py read
them): the decided review per unit (its latest round) by grade and by 10-point band, the share of
usable reports covering each campaign topic, and the performance-evaluation indicators summarised
per key. No database, no files, no Prefect.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd

from schemas.campaign_parts import Grade, Topic
from schemas.performance_catalogue import BY_KEY
from tasks.release.statistics.frames import rate

SCORE_BIN_WIDTH: Final = 10


def latest_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Return the latest review round's outcome per participation (participation_id order)."""
    ordered = outcomes.sort_values(["participation_id", "round"])
    return ordered.drop_duplicates("participation_id", keep="last").reset_index(drop=True)


def grade_frame(outcomes: pd.DataFrame, grades: Sequence[Grade]) -> pd.DataFrame:
    """Return reports, share and score range per grade (best first; unknown grades after).

    `outcomes`: participation_id, round, normalised_score, grade.
    """
    latest = latest_outcomes(outcomes)
    total = len(latest)
    best_first = sorted(grades, key=lambda g: -g.stars)
    named: list[tuple[str, str, float, float | None]] = [
        (g.name, g.label, g.stars, g.min_score) for g in best_first
    ]
    known = {g.name for g in best_first}
    named += [(str(n), "", 0, None) for n in sorted(set(latest["grade"]) - known)]
    rows = []
    for name, label, stars, floor in named:
        scores = latest.loc[latest["grade"] == name, "normalised_score"].astype(float)
        rows.append(
            {
                "grade": name,
                "label": label,
                "stars": stars,
                "min_score": floor,
                "reports": len(scores),
                "share": rate(len(scores), total),
                "mean_score": round(float(scores.mean()), 2) if len(scores) else None,
                "lowest": round(float(scores.min()), 2) if len(scores) else None,
                "highest": round(float(scores.max()), 2) if len(scores) else None,
            }
        )
    columns = ["grade", "label", "stars", "min_score", "reports", "share", "mean_score"]
    return pd.DataFrame(rows, columns=[*columns, "lowest", "highest"])


def score_bins_frame(outcomes: pd.DataFrame, top: float = 100.0) -> pd.DataFrame:
    """Return how many latest outcomes fall in each 10-point band [0,10) ... [90,100].

    A score at `top` belongs to the last band; scores above it widen the range.
    """
    scores = latest_outcomes(outcomes)["normalised_score"].astype(float)
    high = max(top, float(scores.max()) if len(scores) else top)
    bands = max(1, math.ceil(high / SCORE_BIN_WIDTH))
    index = [min(bands - 1, max(0, math.floor(s / SCORE_BIN_WIDTH))) for s in scores]
    rows = []
    for i in range(bands):
        low, up = i * SCORE_BIN_WIDTH, (i + 1) * SCORE_BIN_WIDTH
        bracket = "]" if i == bands - 1 else ")"
        rows.append(
            {"band": f"[{low},{up}{bracket}", "low": low, "high": up, "reports": index.count(i)}
        )
    return pd.DataFrame(rows, columns=["band", "low", "high", "reports"])


def topic_frame(reports: Sequence[dict[str, Any]], topics: Sequence[Topic]) -> pd.DataFrame:
    """Return, per campaign topic (file order), how many of the reports cover it, and the share.

    `reports` are the screening results of the latest usable report of each unit; a report whose
    screening has no entry for a topic does not cover it.
    """
    covered: dict[str, int] = {t.key: 0 for t in topics}
    for screening in reports:
        for entry in screening.get("topics") or []:
            if entry.get("covered") and entry.get("key") in covered:
                covered[entry["key"]] += 1
    rows = [
        {
            "topic_key": t.key,
            "topic": t.name,
            "kind": t.kind,
            "reports": len(reports),
            "covering": covered[t.key],
            "share": rate(covered[t.key], len(reports)),
        }
        for t in topics
    ]
    return pd.DataFrame(
        rows, columns=["topic_key", "topic", "kind", "reports", "covering", "share"]
    )


def performance_frame(evaluations: Sequence[tuple[dict[str, Any], list[str]]]) -> pd.DataFrame:
    """Return per indicator key: units evaluated, computable, median/mean/range, flags raised.

    `evaluations`: (indicators, flags) per unit; an indicator is {"value", "flag", "basis"}. A
    value that is not a number counts as not computable. Keys in sorted order.
    """
    values: dict[str, list[float]] = {}
    seen: dict[str, int] = {}
    flagged: dict[str, int] = {}
    for indicators, flags in evaluations:
        for key, entry in indicators.items():
            seen[key] = seen.get(key, 0) + 1
            value = entry.get("value") if isinstance(entry, dict) else None
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                values.setdefault(key, []).append(float(value))
        for key in set(flags):
            flagged[key] = flagged.get(key, 0) + 1
    rows = []
    for key in sorted(set(seen) | set(flagged)):
        series = pd.Series(values.get(key, []), dtype="float64")
        stat = len(series) > 0
        known = BY_KEY.get(key)
        rows.append(
            {
                "indicator_name": known.name_zh if known else key,
                "indicator": key,
                "evaluated": seen.get(key, 0),
                "computable": len(series),
                "median": shown(series.median()) if stat else None,
                "mean": shown(series.mean()) if stat else None,
                "lowest": shown(series.min()) if stat else None,
                "highest": shown(series.max()) if stat else None,
                "flagged": flagged.get(key, 0),
                "flag_share": rate(flagged.get(key, 0), seen.get(key, 0)),
            }
        )
    columns = ["indicator_name", "indicator", "evaluated", "computable", "median", "mean"]
    return pd.DataFrame(rows, columns=[*columns, "lowest", "highest", "flagged", "flag_share"])


def shown(value: float) -> float:
    """Return a statistic rounded to 4 places, never a negative zero ("-0"). Pure."""
    return round(float(value), 4) + 0.0
