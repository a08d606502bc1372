"""What stops a unit from being proposed or commended without the meeting saying so.

Three flags (DESIGN.md "Season integrity"): the report is about the wrong year, its latest
version still has an open pre-screen problem (no extractable text, or fewer core topics than
the campaign's `review.release_min_core_topics`), or its decided review score is below the
campaign's pass score. A flagged unit is listed in the
meeting pack with its flags and is neither proposed for release nor commended unless the
meeting overrides it explicitly (with a reason). `unit_flags` is the rule (pure);
`report_flags` reads what it needs for the whole campaign, one query per table.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from schemas.campaign_file import CampaignFile
from schemas.enums import SubmissionKind
from schemas.review_tables import ReviewDecision
from schemas.screening import ScreenCode
from schemas.tables import Submission
from tasks.common.decided_outcomes import decided_outcomes
from tasks.store import fetch_columns

WRONG_YEAR = "wrong-year"
PRESCREEN_OPEN = "prescreen-open"
BELOW_PASS = "below-pass"


class ReportFlag(NamedTuple):
    """One reason a unit needs the meeting's explicit word: a code and the words for it."""

    code: str  # WRONG_YEAR | PRESCREEN_OPEN | BELOW_PASS
    zh: str
    en: str


class FlagRules(NamedTuple):
    """The campaign's thresholds for the flags: the pass score and the core topics needed."""

    pass_score: float
    min_core_topics: int
    core_topics: int  # how many core topics the campaign file lists


def flag_rules(campaign: CampaignFile) -> FlagRules:
    """Return the flag thresholds of one campaign file; pure.

    `review.release_min_core_topics`, or more than half of the core topics when it is unset.
    """
    core = len(campaign.core_topics())
    wanted = campaign.review.release_min_core_topics
    return FlagRules(campaign.review.pass_score, core // 2 + 1 if wanted is None else wanted, core)


def _problem(problems: list[dict[str, Any]], code: ScreenCode) -> dict[str, Any] | None:
    """Return the stored problem with `code`, or None; pure."""
    return next((p for p in problems if p.get("code") == code.value), None)


def core_topics_covered(screening: dict[str, Any], rules: FlagRules) -> int:
    """Return how many core topics a stored pre-screen found; pure.

    The stored count, else the covered core topics of its topic list; a screening that has
    neither counts as covering them all unless it says topics are missing (then none).
    """
    stored = screening.get("core_topics_covered")
    if stored is not None:
        return int(stored)
    topics = screening.get("topics")
    if topics:
        return sum(1 for t in topics if t.get("kind") == "core" and t.get("covered"))
    missing = _problem(screening.get("problems") or [], ScreenCode.TOPICS_MISSING)
    return 0 if missing is not None else rules.core_topics


def prescreen_flag(screening: dict[str, Any], rules: FlagRules) -> ReportFlag | None:
    """Return the open pre-screen problem of a report, or None; pure.

    Open: the report has no extractable Chinese text (scanned), or covers fewer core topics
    than the campaign asks. A missing standard citation or a topic or two short of all are
    for the reviewers, not the meeting.
    """
    problems = screening.get("problems") or []
    scanned = _problem(problems, ScreenCode.SCANNED)
    covered = core_topics_covered(screening, rules)
    zh: list[str] = []
    en: list[str] = []
    if scanned is not None:
        zh.append(str(scanned.get("reason_zh", "")))
        en.append(str(scanned.get("reason_en", "")))
    if covered < rules.min_core_topics:
        missing = _problem(problems, ScreenCode.TOPICS_MISSING) or {}
        zh.append(
            f"仅覆盖{covered}/{rules.core_topics}个核心议题（至少需{rules.min_core_topics}个）"
            + (f"，{missing['reason_zh']}" if missing.get("reason_zh") else "")
        )
        en.append(
            f"covers {covered} of {rules.core_topics} core topics (at least "
            f"{rules.min_core_topics} needed)"
        )
    if not zh:
        return None
    return ReportFlag(
        PRESCREEN_OPEN,
        "预审问题未解决：" + "；".join(zh),
        "open pre-screen problems: " + "; ".join(en),
    )


def unit_flags(
    screening: dict[str, Any] | None, decided: ReviewDecision | None, rules: FlagRules
) -> list[ReportFlag]:
    """Return the flags of one unit from its latest report's screening and decided outcome.

    `screening` is the stored pre-screen (Submission.screening) of the unit's latest report
    version (None: no report screened); `decided` its decided review version (None: not
    decided yet). Pure.
    """
    flags: list[ReportFlag] = []
    if screening is not None:
        wrong_year = _problem(screening.get("problems") or [], ScreenCode.WRONG_YEAR)
        if wrong_year is not None:
            flags.append(
                ReportFlag(
                    WRONG_YEAR,
                    f"报告年度存疑：{wrong_year.get('reason_zh', '')}",
                    str(wrong_year.get("reason_en", "")),
                )
            )
        prescreen = prescreen_flag(screening, rules)
        if prescreen is not None:
            flags.append(prescreen)
    if decided is not None and decided.normalised_score < rules.pass_score:
        flags.append(
            ReportFlag(
                BELOW_PASS,
                f"评审得分{decided.normalised_score:.1f}分，低于通过分数{rules.pass_score:g}分",
                f"review score {decided.normalised_score:.1f} is below the pass score "
                f"{rules.pass_score:g}",
            )
        )
    return flags


def latest_screenings(session: Session, campaign_year: int) -> dict[int, dict[str, Any] | None]:
    """Return the stored pre-screen of each participation's latest report PDF version; reads."""
    latest: dict[int, dict[str, Any] | None] = {}
    for pid, screening in fetch_columns(
        session,
        sa.select(col(Submission.participation_id), col(Submission.screening))
        .where(col(Submission.campaign_year) == campaign_year)
        .where(col(Submission.kind) == SubmissionKind.REPORT_PDF)
        .order_by(col(Submission.version), col(Submission.id)),
    ):
        latest[pid] = screening  # ordered: the last one is the latest version
    return latest


def report_flags(session: Session, campaign: CampaignFile) -> dict[int, list[ReportFlag]]:
    """Return the flags of every flagged participation of the campaign; reads only."""
    screenings = latest_screenings(session, campaign.year)
    decided = decided_outcomes(session, campaign.year)
    rules = flag_rules(campaign)
    flagged: dict[int, list[ReportFlag]] = {}
    for pid in screenings.keys() | decided.keys():
        flags = unit_flags(screenings.get(pid), decided.get(pid), rules)
        if flags:
            flagged[pid] = flags
    return flagged
