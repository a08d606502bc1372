"""The flags that need the meeting's explicit word: the rule against an oracle, and the reader."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from factories import add_association, add_participation
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.review_tables import ReviewDecision
from schemas.screening import ScreenCode
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.common.report_flags import (
    BELOW_PASS,
    PRESCREEN_OPEN,
    WRONG_YEAR,
    FlagRules,
    flag_rules,
    report_flags,
    unit_flags,
)

RULES = FlagRules(pass_score=60.0, min_core_topics=5, core_topics=9)


def _problem(code: ScreenCode) -> dict[str, Any]:
    return {"code": code.value, "severity": "warning", "reason_zh": "原因", "reason_en": "why"}


def _screening(wrong_year: bool, scanned: bool, covered: int, no_standard: bool) -> dict[str, Any]:
    problems = [
        _problem(code)
        for code, on in (
            (ScreenCode.WRONG_YEAR, wrong_year),
            (ScreenCode.SCANNED, scanned),
            (ScreenCode.TOPICS_MISSING, covered < RULES.core_topics),
            (ScreenCode.NO_STANDARD, no_standard),
        )
        if on
    ]
    return {"problems": problems, "core_topics_covered": covered}


def _decided(score: float) -> ReviewDecision:
    return ReviewDecision(
        campaign_year=2024,
        participation_id=1,
        decision="pass" if score >= 60 else "reject",
        normalised_score=score,
        raw_score=score,
        reviews=3,
        decided_on=date(2024, 12, 16),
        decided_by="评审组",
        decided_at=datetime(2024, 12, 16, tzinfo=UTC),
    )


@given(
    wrong_year=st.booleans(),
    scanned=st.booleans(),
    covered=st.integers(0, 9),
    no_standard=st.booleans(),
    screened=st.booleans(),
    score=st.none() | st.floats(0, 100, allow_nan=False),
)
def test_flags_match_the_oracle(
    wrong_year: bool,
    scanned: bool,
    covered: int,
    no_standard: bool,
    screened: bool,
    score: float | None,
) -> None:
    """Wrong year, scanned or too few core topics, and a decided score below pass flag a unit;
    a missing standard citation alone never does."""
    screening = _screening(wrong_year, scanned, covered, no_standard) if screened else None
    decided = None if score is None else _decided(score)
    expected = []
    if screened and wrong_year:
        expected.append(WRONG_YEAR)
    if screened and (scanned or covered < 5):
        expected.append(PRESCREEN_OPEN)
    if score is not None and score < 60:
        expected.append(BELOW_PASS)
    flags = unit_flags(screening, decided, RULES)
    assert [f.code for f in flags] == expected
    assert all(f.zh and f.en for f in flags)


def test_the_threshold_defaults_to_more_than_half_of_the_core_topics(
    campaign_2024: CampaignFile,
) -> None:
    """The 2024 file asks for 5 of its 9 core topics; without the setting, more than half."""
    assert flag_rules(campaign_2024) == FlagRules(60.0, 5, 9)
    review = campaign_2024.review.model_copy(update={"release_min_core_topics": None})
    unset = campaign_2024.model_copy(update={"review": review})
    assert flag_rules(unset).min_core_topics == 9 // 2 + 1


def test_the_reader_judges_the_latest_report_version_and_the_decided_score(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    """A revised report that fixed its year is no longer flagged; the decided score counts."""
    with Session(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        assoc = add_association(session, "A01")
        fixed = add_participation(
            session,
            1,
            [assoc],
            ParticipationStatus.REVIEW_PASSED,
            reports=[_screening(True, False, 9, False), _screening(False, False, 9, False)],
        )
        wrong = add_participation(
            session,
            2,
            [assoc],
            ParticipationStatus.REVIEW_PASSED,
            reports=[_screening(False, False, 9, False), _screening(True, False, 3, False)],
        )
        low = add_participation(
            session,
            3,
            [assoc],
            ParticipationStatus.REJECTED,
            reports=[_screening(False, False, 9, False)],
        )
        below = _decided(55.0)
        below.participation_id = low
        session.add(below)
        session.commit()
        flags = report_flags(session, campaign_2024)
    assert fixed not in flags
    assert [f.code for f in flags[wrong]] == [WRONG_YEAR, PRESCREEN_OPEN]
    assert [f.code for f in flags[low]] == [BELOW_PASS]
