"""Storing a chosen excerpt: a checked, append-only version per case, with who, when and why."""

from __future__ import annotations

from datetime import timedelta

from excerptkit import CARE_EXCERPT, GREEN_EXCERPT, NOW, add_report_version, seed_cases
from factories import make_uscc
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.case_excerpt_tables import CaseExcerpt
from schemas.case_excerpts import ExcerptRole
from tasks.commend.case_targets import case_targets
from tasks.commend.excerpts import ChoiceOutcome, ChoiceStatus, ExcerptChoice, choose_excerpt
from tasks.store import session_scope

REVIEWER = ExcerptRole.REVIEWER


def _choose(
    session: Session, campaign: CampaignFile, choice: ExcerptChoice, minutes: int = 0
) -> ChoiceOutcome:
    return choose_excerpt(
        session, case_targets(session, campaign), choice, NOW + timedelta(minutes=minutes)
    )


def _rows(session: Session) -> list[tuple[int, int, str, str, str]]:
    return [
        (r.version, r.page, r.text, r.chosen_by, r.reason)
        for r in session.exec(select(CaseExcerpt).order_by(col(CaseExcerpt.id))).all()
    ]


def test_choose_excerpt_stores_the_pages_words_with_who_role_and_report_version(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_cases(session, campaign_2024)
        typed = "公司全年完成光伏装机\n容量\uff11\uff12兆瓦"  # full-width digits, a line wrap
        done = _choose(
            session, campaign_2024, ExcerptChoice(make_uscc(1), 2, typed, "张评审", REVIEWER)
        )
        row = session.exec(select(CaseExcerpt)).one()

    assert done.status == ChoiceStatus.STORED
    assert (row.version, row.page, row.text, row.chosen_by, row.role) == (
        1,
        2,
        GREEN_EXCERPT,
        "张评审",
        ExcerptRole.REVIEWER,
    )
    assert row.chosen_at == NOW
    assert done.target is not None
    assert row.submission_id == done.target.submission_id
    assert done.target.participation_id == ids[1]


def test_the_same_passage_again_is_unchanged_and_a_new_one_needs_a_reason(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        first = ExcerptChoice(make_uscc(1), 2, GREEN_EXCERPT, "张评审", REVIEWER)
        other = ExcerptChoice(
            make_uscc(1), 2, "减少碳排放约9,800吨", "李办公室", ExcerptRole.OPERATOR
        )
        outcomes = [
            _choose(session, campaign_2024, first),
            _choose(session, campaign_2024, first, 1),
            _choose(session, campaign_2024, other, 2),
        ]
        refused = outcomes[-1]
        with_reason = ExcerptChoice(**{**other.__dict__, "reason": "会议建议突出减排"})
        outcomes.append(_choose(session, campaign_2024, with_reason, 3))
        rows = _rows(session)

    assert [o.status for o in outcomes] == ["stored", "unchanged", "refused", "stored"]
    assert (refused.column, refused.problem and refused.problem.code) == (
        "reason",
        "reason-required",
    )
    assert rows == [
        (1, 2, GREEN_EXCERPT, "张评审", ""),
        (2, 2, "减少碳排放约9,800吨", "李办公室", "会议建议突出减排"),
    ]


def test_a_newer_report_version_makes_the_next_choice_need_no_reason(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_cases(session, campaign_2024)
        _choose(
            session, campaign_2024, ExcerptChoice(make_uscc(1), 2, GREEN_EXCERPT, "张", REVIEWER)
        )
        add_report_version(session, ids[1], 2, ["封面", "修订稿", "公司全年完成光伏装机容量15兆瓦"])
        stale = ExcerptChoice(make_uscc(1), 2, GREEN_EXCERPT, "张", REVIEWER, report_version=1)
        fresh = ExcerptChoice(
            make_uscc(1), 3, "光伏装机容量15兆瓦", "张", REVIEWER, report_version=2
        )
        outcomes = [_choose(session, campaign_2024, c) for c in (stale, fresh)]
        rows = _rows(session)

    assert [(o.status, o.column) for o in outcomes] == [
        ("refused", "report_version"),
        ("stored", ""),
    ]
    assert rows[-1][:3] == (2, 3, "光伏装机容量15兆瓦")
    assert rows[-1][4].startswith("报告已有新版本")


def test_choose_excerpt_refuses_with_the_column_and_reason(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    cases = [
        (ExcerptChoice(make_uscc(4), 2, GREEN_EXCERPT, "张", REVIEWER), "uscc", "no-case"),
        (ExcerptChoice(make_uscc(3), 2, GREEN_EXCERPT, "张", REVIEWER), "uscc", "no-case"),
        (
            ExcerptChoice(make_uscc(2), 2, GREEN_EXCERPT, "张", REVIEWER),
            "category_key",
            "category-needed",
        ),
        (
            ExcerptChoice(make_uscc(2), 2, CARE_EXCERPT, "张", REVIEWER, "employee-care"),
            "text",
            "excerpt-not-on-page",
        ),
        (ExcerptChoice(make_uscc(1), 9, GREEN_EXCERPT, "张", REVIEWER), "page", "page-not-stored"),
        (
            ExcerptChoice(make_uscc(1), 2, GREEN_EXCERPT, " ", REVIEWER),
            "chosen_by",
            "missing-value",
        ),
    ]
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        found = [_choose(session, campaign_2024, choice) for choice, _, _ in cases]
        rows = _rows(session)

    assert [(o.column, o.problem and o.problem.code) for o in found] == [
        (column, code) for _, column, code in cases
    ]
    assert rows == []


def test_an_employee_care_case_takes_its_own_page(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        done = _choose(
            session,
            campaign_2024,
            ExcerptChoice(
                make_uscc(2), 3, CARE_EXCERPT, "王", ExcerptRole.OPERATOR, "employee-care"
            ),
        )

    assert done.status == ChoiceStatus.STORED
    assert done.excerpt is not None
    assert done.excerpt.text == CARE_EXCERPT
