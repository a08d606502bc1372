"""Saving recomputed outcomes: the live computation moves, the decided versions never do."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from factories import add_association, add_participation
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.review_tables import ReviewDecision, ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.review.outcomes import save_outcomes
from tasks.store import campaign_session


def _frame(pid: int, score: float, recommendation: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "participation_id": pid, "mean_normalised": score, "mean_raw": score,
                "reviews": 3, "spread": 2.0, "grade": "三星级", "recommendation": recommendation,
                "rank": 1, "disagreement": False, "short_of_reviews": False, "label": "良好",
            }
        ]
    )  # fmt: skip


def test_a_recomputed_outcome_keeps_its_first_day_and_leaves_the_decided_version(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    with campaign_session(Settings()) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        pid = add_participation(session, 1, [add_association(session, "A001")], S.REVIEW_PASSED)
        save_outcomes(session, 2024, _frame(pid, 60.2, "pass"), {pid: 0}, date(2024, 12, 13))
        session.add(
            ReviewDecision(
                campaign_year=2024, participation_id=pid, decision="pass", normalised_score=60.2,
                raw_score=60.2, reviews=3, grade="三星级", decided_on=date(2024, 12, 14),
                decided_by="flow-run:x", decided_at=datetime(2024, 12, 14, tzinfo=UTC),
            )
        )  # fmt: skip
    with campaign_session(Settings()) as session:
        save_outcomes(session, 2024, _frame(pid, 59.46, "revise"), {pid: 0}, date(2024, 12, 17))
    with campaign_session(Settings()) as session:
        outcome = session.exec(select(ReviewOutcome)).one()
        decided = session.exec(select(ReviewDecision)).one()

    assert (outcome.normalised_score, outcome.recommendation) == (59.46, "revise")
    assert outcome.decided_on == date(2024, 12, 13)  # first computed on; not rewritten
    assert (decided.normalised_score, decided.decision, decided.version) == (60.2, "pass", 1)
