"""The operators' search: every word on the page, FTS5 trigram or LIKE on SQLite, ILIKE on
PostgreSQL, filters, ranking and excerpts; pages written by the intake's own page_rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from factories import add_association, add_participation
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.search_tables import TRIGRAM_INDEX
from schemas.sqltypes import now_utc
from schemas.tables import Submission, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.release.search import Excerpt, SearchQuery, excerpt, search_pages, words_of
from tasks.release.search_index import index_released_now
from tasks.store import session_scope
from tasks.submit.page_texts import page_rows

PAGES = {
    1: ["推进碳达峰碳中和，碳排放强度下降。碳达峰行动方案已印发。", "员工关爱：心理辅导"],
    2: ["本公司制定碳达峰路线图。", "减排100%达成；折扣率_5；通过ISO 14001认证"],
    3: ["碳达峰", "减排"],  # approved, not released: never found
}
TOPICS = {1: "employee_care", 2: "environment", 3: "employee_care"}


def _seed(session: Session, campaign: CampaignFile, pages: Mapping[int, Sequence[str]]) -> None:
    """Units 1-2 released (industry 制造业 / 金融业), 3 approved; one report each, indexed."""
    ensure_campaign(session, campaign, now_utc())
    association = add_association(session, "A001")
    for n, texts in pages.items():
        status = ParticipationStatus.APPROVED if n == 3 else ParticipationStatus.RELEASED
        topic = {"key": TOPICS[n], "name": "x", "covered": True}
        add_participation(session, n, [association], status, reports=[{"topics": [topic]}])
        unit = session.exec(select(Unit).where(Unit.name == f"上海测试{n:04d}科技有限公司")).one()
        unit.industry = "制造业" if n == 1 else "金融业"
        sub = session.exec(select(Submission).where(Submission.participation_id == n)).one()
        assert sub.id is not None
        assert sub.kind == SubmissionKind.REPORT_PDF
        session.add_all(page_rows(sub.id, texts))
    session.flush()
    index_released_now(session, campaign.year)


@pytest.fixture
def seeded(engine: Engine, campaign_2024: CampaignFile) -> Engine:
    """The test database with PAGES seeded and indexed."""
    with session_scope(engine) as session:
        _seed(session, campaign_2024, PAGES)
    return engine


def _units(engine: Engine, *words: str, **filters: Any) -> list[str]:
    """Return the hits as "unit number:page:hits" in rank order."""
    with session_scope(engine) as session:
        hits = search_pages(session, SearchQuery(tuple(words), **filters))
        return [f"{h.unit_name[4:8]}:{h.page}:{h.hits}" for h in hits]


def test_a_three_character_word_is_found_and_ranked_by_hits(seeded: Engine) -> None:
    assert _units(seeded, "碳达峰") == ["0001:1:2", "0002:1:1"]


@pytest.mark.parametrize(
    ("word", "expected"), [("碳", ["0001:1:4", "0002:1:1"]), ("减排", ["0002:2:1"])]
)
def test_one_or_two_characters_fall_back_to_like(
    seeded: Engine, word: str, expected: list[str]
) -> None:
    assert _units(seeded, word) == expected


def test_every_word_must_be_on_the_page(seeded: Engine) -> None:
    assert _units(seeded, "碳达峰", "方案") == ["0001:1:2"]


@pytest.mark.parametrize("words", [("iso", "14001"), ("Iso",), ("iSO 1",)])
def test_latin_letters_match_in_any_case(seeded: Engine, words: tuple[str, ...]) -> None:
    assert _units(seeded, *words) == ["0002:2:1"]


def test_like_wildcards_are_matched_literally(seeded: Engine) -> None:
    assert _units(seeded, "%") == ["0002:2:1"]
    assert _units(seeded, "_5") == ["0002:2:1"]


def test_filters_by_industry_topic_and_year(seeded: Engine) -> None:
    assert _units(seeded, "碳达峰", industry="金融业") == ["0002:1:1"]
    assert _units(seeded, "碳达峰", topic="employee_care") == ["0001:1:2"]
    assert _units(seeded, "碳达峰", year=2023) == []


def test_a_query_with_fts_syntax_is_a_plain_phrase(seeded: Engine) -> None:
    assert _units(seeded, '碳达峰" OR "员工') == []
    assert _units(seeded, "NEAR(碳达峰)") == []


def test_postgres_has_the_trigram_index(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's; SQLite has report_page_fts")
    with engine.connect() as conn:
        definition = conn.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": TRIGRAM_INDEX}
        ).scalar()

    assert definition is not None
    assert "gin_trgm_ops" in definition
    assert "WHERE searchable" in definition


def test_excerpt_marks_every_hit_and_cuts_around_the_first() -> None:
    text = "甲" * 50 + "碳达峰\n与碳中和" + "乙" * 50

    cut = excerpt(text, ["碳达峰", "碳中和"], width=6)

    assert cut == Excerpt(
        (
            ("…", False),
            ("甲" * 6, False),
            ("碳达峰", True),
            (" 与", False),
            ("碳中和", True),
            ("乙", False),
            ("…", False),
        )
    )


def test_excerpt_of_a_short_page_has_no_ellipsis() -> None:
    assert excerpt("Carbon peak 碳达峰", ["carbon"]).segments == (
        ("Carbon", True),
        (" peak 碳达峰", False),
    )


def test_words_are_split_on_white_space_once_each() -> None:
    assert words_of("  碳达峰\u3000员工关爱 碳达峰 ") == ("碳达峰", "员工关爱")
