"""The commended cases an excerpt can be chosen for: not removed, with their decided report."""

from __future__ import annotations

from excerptkit import NOW, add_report_version, seed_cases
from factories import make_uscc
from sqlalchemy.engine import Engine

from schemas.campaign_file import CampaignFile
from schemas.case_excerpts import ExcerptRole
from tasks.commend.case_targets import Passage, case_targets
from tasks.commend.excerpts import ExcerptChoice, choose_excerpt
from tasks.store import session_scope


def test_case_targets_lists_cases_not_removed_with_the_newest_report_and_candidates(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_cases(session, campaign_2024)
        newer = add_report_version(session, ids[2], 2, ["封面", "新版第二页"])
        targets = case_targets(session, campaign_2024)

    assert [(t.uscc, t.category_key) for t in targets] == [
        (make_uscc(2), "employee-care"),
        (make_uscc(1), "green-low-carbon"),
        (make_uscc(2), "green-low-carbon"),
    ]
    assert [(t.report_version, t.submission_id == newer) for t in targets] == [
        (2, True),
        (1, False),
        (2, True),
    ]
    assert targets[1].candidates == (
        Passage(2, "公司全年完成光伏装机容量12兆瓦，"),
        Passage(2, "公司全年完成光伏装机容量12兆瓦，减少碳排放约9,800吨。"),
    )
    assert targets[0].candidates == ()  # the screening found no employee-care passage


def test_case_targets_carry_the_newest_excerpt_version(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        seed_cases(session, campaign_2024)
        choice = ExcerptChoice(
            make_uscc(1), 2, "公司全年完成光伏装机", "张评审", ExcerptRole.REVIEWER
        )
        choose_excerpt(session, case_targets(session, campaign_2024), choice, NOW)
        again = ExcerptChoice(
            make_uscc(1),
            2,
            "减少碳排放约9,800吨",
            "李办公室",
            ExcerptRole.OPERATOR,
            reason="更贴切",
        )
        choose_excerpt(session, case_targets(session, campaign_2024), again, NOW)
        targets = case_targets(session, campaign_2024)

    current = targets[1].current
    assert current is not None
    assert (current.version, current.text, current.chosen_by) == (
        2,
        "减少碳排放约9,800吨",
        "李办公室",
    )
