"""What stops a unit from being proposed or commended without the meeting saying so.

Three flags (DESIGN.md "Season integrity"): the report is about the wrong year, its latest
version still carries pre-screen warnings (topics missing, no standard cited, scanned), or its
decided review score is below the campaign's pass score. A flagged unit is listed in the
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


def unit_flags(
    screening: dict[str, Any] | None, decided: ReviewDecision | None, pass_score: float
) -> list[ReportFlag]:
    """Return the flags of one unit from its latest report's screening and decided outcome.

    `screening` is the stored pre-screen (Submission.screening) of the unit's latest report
    version; its warnings are the open problems (an error would have refused the file).
    Pure.
    """
    flags: list[ReportFlag] = []
    problems = (screening or {}).get("problems") or []
    codes = [str(p.get("code", "")) for p in problems]
    if ScreenCode.WRONG_YEAR.value in codes:
        reason = next(p for p in problems if p.get("code") == ScreenCode.WRONG_YEAR.value)
        flags.append(
            ReportFlag(
                WRONG_YEAR,
                f"报告年度存疑：{reason.get('reason_zh', '')}",
                f"the report may be about the wrong year: {reason.get('reason_en', '')}",
            )
        )
    open_problems = [p for p in problems if p.get("code") != ScreenCode.WRONG_YEAR.value]
    if open_problems:
        flags.append(
            ReportFlag(
                PRESCREEN_OPEN,
                "预审问题未解决：" + "；".join(str(p.get("reason_zh", "")) for p in open_problems),
                "open pre-screen problems: "
                + "; ".join(str(p.get("reason_en", "")) for p in open_problems),
            )
        )
    if decided is not None and decided.normalised_score < pass_score:
        flags.append(
            ReportFlag(
                BELOW_PASS,
                f"评审得分{decided.normalised_score:.1f}分，低于通过分数{pass_score:g}分",
                f"review score {decided.normalised_score:.1f} is below the pass score "
                f"{pass_score:g}",
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
    flagged: dict[int, list[ReportFlag]] = {}
    for pid in screenings.keys() | decided.keys():
        flags = unit_flags(screenings.get(pid), decided.get(pid), campaign.review.pass_score)
        if flags:
            flagged[pid] = flags
    return flagged
