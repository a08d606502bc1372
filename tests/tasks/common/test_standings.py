"""Where units stand: which steps they still owe, who may owe at all, what the database says."""

from __future__ import annotations

from typing import Any

from factories import add_association, add_participation, seed_reminder_units
from factories import unit_standing as _unit
from sqlalchemy.engine import Engine

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind as K
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.common.progress import usable_report
from tasks.common.standings import load_standings, owed_steps, step_words
from tasks.store import session_scope

ERROR = {"problems": [{"code": "encrypted", "severity": "error"}]}
CLEAN: dict[str, Any] = {"problems": []}


def test_owed_steps_lists_the_unfiled_steps_in_the_deadlines_order() -> None:
    assert owed_steps([K.RECEIPT, K.BASIC_INFO], {K.BASIC_INFO}, False) == [K.RECEIPT]
    assert owed_steps([K.RECEIPT, K.BASIC_INFO], set(), False) == [K.RECEIPT, K.BASIC_INFO]
    assert owed_steps([K.RECEIPT, K.BASIC_INFO], {K.RECEIPT, K.BASIC_INFO}, False) == []


def test_owed_steps_counts_a_report_only_when_the_latest_is_usable() -> None:
    assert owed_steps([K.REPORT_PDF], {K.REPORT_PDF}, False) == [K.REPORT_PDF]
    assert owed_steps([K.REPORT_PDF], {K.REPORT_PDF}, True) == []
    assert owed_steps([K.FINANCIALS], {K.FINANCIALS}, False) == []


def test_only_recommended_and_registered_units_owe_anything() -> None:
    owing = {s for s in S if _unit(1, s).owes([K.RECEIPT, K.REPORT_PDF])}

    assert owing == {S.RECOMMENDED, S.REGISTERED}


def test_step_words_name_the_documents_in_chinese() -> None:
    assert step_words(list(K)) == (
        "发布回执表",
        "基本信息统计表",
        "近三年财务报表",
        "社会责任报告（PDF版本）",
    )


def test_load_standings_reads_open_units_their_filings_and_associations(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_reminder_units(session, campaign_2024)
        a3 = add_association(session, "A003")
        fixed = add_participation(session, 7, [a3], S.REGISTERED, reports=[ERROR, CLEAN])
        broken = add_participation(session, 8, [a3], S.REGISTERED, reports=[CLEAN, ERROR])

    with session_scope(engine) as session:
        standings = load_standings(session, 2024)

    got = {
        u.participation_id: (u.status, u.filed, u.report_usable, u.associations)
        for u in standings.units
    }
    # Unit 6 withdrew (final): not loaded. A report counts by its latest version's screening.
    assert got == {
        ids[1]: (S.RECOMMENDED, frozenset(), False, ("A001", "A002")),
        ids[2]: (S.REGISTERED, frozenset({K.RECEIPT}), False, ("A001",)),
        ids[3]: (S.REGISTERED, frozenset({K.RECEIPT, K.BASIC_INFO}), False, ("A001",)),
        ids[4]: (S.SUBMITTED, frozenset({K.RECEIPT, K.BASIC_INFO, K.REPORT_PDF}), True, ("A002",)),
        ids[5]: (S.RECOMMENDED, frozenset(), False, ("A001",)),
        fixed: (S.REGISTERED, frozenset({K.REPORT_PDF}), True, ("A003",)),
        broken: (S.REGISTERED, frozenset({K.REPORT_PDF}), False, ("A003",)),
    }
    assert [u.participation_id for u in standings.units] == sorted(got)
    assert [(a.code, a.email) for a in standings.associations.values()] == [
        ("A001", "a001@assoc.example.org"),
        ("A002", ""),
        ("A003", "a003@assoc.example.org"),
    ]


def test_usable_reports_read_from_the_database_agree_with_the_whole_screening(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    warned = {"problems": [{"code": "pdf-scanned", "severity": "warning"}], "pages": 3}
    mixed = {"problems": [{"severity": "warning"}, {"severity": "error"}], "topics": [{}] * 9}
    screenings: list[dict[str, Any] | None] = [None, CLEAN, ERROR, warned, mixed]
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        ids = [
            add_participation(session, n, [a1], S.REGISTERED, reports=[screening])
            for n, screening in enumerate(screenings, start=1)
        ]

    with session_scope(engine) as session:
        standings = {u.participation_id: u for u in load_standings(session, 2024).units}

    assert [standings[i].report_usable for i in ids] == [usable_report(s) for s in screenings]
    assert [standings[i].report_usable for i in ids] == [False, True, False, True, False]
