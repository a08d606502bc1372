"""Reading the commend stage's candidates: batched queries, the latest round and report win."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from commendkit import EVIL_TITLE, seed_commend_units
from meetingkit import TOPICS_MISSING, WRONG_YEAR, file_report
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.review_tables import ReviewOutcome
from tasks.commend.load import covered_topics, load_candidates
from tasks.commend.rank import TopicEvidence
from tasks.store import session_scope


@pytest.fixture
def ids(engine: Engine, campaign_2024: CampaignFile) -> dict[int, int]:
    with session_scope(engine) as session:
        return seed_commend_units(session, campaign_2024)


def test_covered_topics_keeps_covered_ones_and_tolerates_gaps() -> None:
    stored = {
        "topics": [
            {"key": "green", "name": "绿色发展与双碳", "hits": 4, "pages": [3, 9], "covered": True},
            {"key": "community", "name": "社区参与", "hits": 1, "pages": [2], "covered": False},
            {"key": "npf", "covered": True},
            "not a topic",
        ]
    }

    assert covered_topics(stored) == (
        TopicEvidence(key="green", name="绿色发展与双碳", hits=4, pages=(3, 9)),
        TopicEvidence(key="npf", name="npf", hits=0, pages=()),
    )
    assert covered_topics(None) == covered_topics({}) == ()


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def _record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    yield seen
    event.remove(engine, "before_cursor_execute", _record)


def test_candidates_are_read_in_six_queries_and_skip_units_not_passed(
    engine: Engine, ids: dict[int, int], statements: list[str], campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        pool = load_candidates(session, campaign_2024)

    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 6  # units, decided, screenings + decided (flags), evaluations, filings
    assert sorted(c.participation_id for c in pool.candidates) == sorted(
        ids[n] for n in range(1, 8)
    )
    assert pool.without_outcome == [ids[9]]
    by_pid = {c.participation_id: c for c in pool.candidates}
    assert by_pid[ids[3]].normalised_score == 93.0  # the latest round wins
    assert by_pid[ids[4]].report_title == EVIL_TITLE
    assert [t.key for t in by_pid[ids[2]].topics] == ["green", "new_productive_forces"]
    assert by_pid[ids[6]].topics == ()
    assert by_pid[ids[1]].performance is None
    assert by_pid[ids[2]].performance is not None
    assert (by_pid[ids[2]].performance.indicators, by_pid[ids[2]].performance.sound) == (4, 2)


def test_a_flagged_unit_is_skipped_and_listed_with_why(
    engine: Engine, ids: dict[int, int], campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        file_report(session, ids[1], [WRONG_YEAR])  # the best-ranked excellent unit
        file_report(session, ids[3], [TOPICS_MISSING])
        pool = load_candidates(session, campaign_2024)

    assert ids[1] not in {c.participation_id for c in pool.candidates}
    assert ids[3] not in {c.participation_id for c in pool.candidates}
    skipped = {s.participation_id: s for s in pool.skipped}
    assert set(skipped) == {ids[1], ids[3]}
    assert skipped[ids[1]].reasons[0].startswith("报告年度存疑：报告似为2022年度")
    assert skipped[ids[3]].reasons[0].startswith("预审问题未解决：仅覆盖4/9个核心议题")


def test_the_ranking_reads_the_decided_score_not_the_live_outcome(
    engine: Engine, ids: dict[int, int], campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        for live in session.exec(
            select(ReviewOutcome).where(ReviewOutcome.participation_id == ids[1])
        ):
            live.normalised_score = 59.46  # a late sheet renormalised every expert
        session.flush()
        pool = load_candidates(session, campaign_2024)

    by_pid = {c.participation_id: c for c in pool.candidates}
    assert by_pid[ids[1]].normalised_score == 91.0
