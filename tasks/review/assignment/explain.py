"""Words for an assignment: why a pair was chosen, why a report is short of reviewers.

Pure string building for `tasks.review.assignment.plan`; it decides nothing. The texts go into the
assignment table the operators read (English, like the rest of the plan's reasons).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def pair_reasons(
    industry: str | None, topics: Sequence[str], load: int, max_load: int, required: bool
) -> list[str]:
    """Return the reasons shown for one pair: override, industry, topics, then the load."""
    reasons = ["manual override"] if required else []
    if industry:
        reasons.append(f"industry match: {industry}")
    if topics:
        reasons.append(f"topic match: {', '.join(topics)}")
    if not industry and not topics and not required:
        reasons.append("no expertise match: keeps loads even")
    reasons.append(f"load {load}/{max_load}")
    return reasons


def describe_conflicts(causes: Sequence[Sequence[str]]) -> str:
    """Return conflict causes counted over reviewers, most frequent first ("association A ×3")."""
    counts = Counter(cause for per_reviewer in causes for cause in per_reviewer)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(cause if n == 1 else f"{cause} ×{n}" for cause, n in ranked)


def shortfall_why(
    *, needed: int, got: int, roster: int, conflicts: str, conflicted: int, at_capacity: int
) -> str:
    """Return why a report got `got` of `needed` reviewers: roster size, conflicts, capacity."""
    if roster == 0:
        return "no reviewers on the roster"
    free = roster - conflicted
    parts = []
    if free < needed:
        head = f"only {free} of {roster} reviewers without a conflict"
    else:
        head = f"{free} of {roster} reviewers without a conflict, too few with room"
    if conflicted:
        parts.append(f"{conflicted} with a conflict ({conflicts})")
    if at_capacity:
        parts.append(f"{at_capacity} at capacity")
    return head + (": " + ", ".join(parts) if parts else "")
