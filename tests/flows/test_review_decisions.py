"""The review's decision step, feedback letters and the re-check round, on the real engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import add_association, add_participation, make_uscc, roster_row, write_xlsx
from reviewkit import return_sheets, sent_mails
from sqlmodel import select

from schemas.columns import CHAIR_DECISIONS, ROSTER
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.outbox_table import OutboxMessage
from schemas.participation import transition
from schemas.review_tables import ReviewAssignment, ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.campaigns import ensure_campaign
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

S, K = ParticipationStatus, SubmissionKind
# What a recommendation becomes, written out here rather than taken from the code under test.
EXPECTED = {"pass": S.REVIEW_PASSED, "revise": S.REVISION_REQUESTED, "reject": S.REJECTED}


def _statuses(settings: Settings) -> dict[int, S]:
    with campaign_session(settings) as session:
        return {p.id: S(p.status) for p in session.exec(select(Participation)).all()}  # type: ignore[misc]


def test_decisions_letters_revision_and_recheck(
    workspace: Path, tmp_path: Path, campaign_2024
) -> None:
    from flows.review import review

    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        ids = {
            n: add_participation(session, n, [a1], S.SUBMITTED, [K.BASIC_INFO, K.REPORT_PDF])
            for n in range(1, 7)
        }
    roster = write_xlsx(tmp_path / "reviewers.xlsx", [roster_row(n) for n in range(1, 6)], ROSTER)
    review(2024, as_of=date(2024, 12, 2), roster_files=[str(roster)])
    n_criteria = len(campaign_2024.review.criteria)
    inbox = workspace / "inbox" / "2024" / "review"
    return_sheets(
        sent_mails(workspace),
        inbox / "sheets",
        n_criteria,
        lambda i, r: [60 + 4 * r + 2 * i] * n_criteria + ["议题识别清晰", "补充量化数据"],
    )
    write_xlsx(
        inbox / "chair.xlsx",
        [
            {"统一社会信用代码": make_uscc(1), "决定": "修改", "理由": "数据口径需统一"},
            {"统一社会信用代码": make_uscc(3), "决定": "修改", "理由": "缺少负面信息"},
            {"统一社会信用代码": make_uscc(2), "决定": "不通过", "理由": "内容不完整"},
            {"统一社会信用代码": make_uscc(99), "决定": "通过", "理由": "不在评审中"},
        ],
        CHAIR_DECISIONS,
    )
    mails_before = len(sent_mails(workspace))

    before_deadline = review(2024, as_of=date(2024, 12, 13))
    decided = review(2024, as_of=date(2024, 12, 16))
    again = review(2024, as_of=date(2024, 12, 16))

    assert before_deadline.decisions.decided == {}  # sheets are due on 13 December, inclusive
    assert decided.decisions.by_chair == 3
    assert decided.decisions.problems_by_code == {"not-awaiting-decision": 1}
    assert again.decisions.decided == {}
    assert again.mail_sent == 0
    statuses = _statuses(settings)
    assert (statuses[ids[1]], statuses[ids[2]], statuses[ids[3]]) == (
        S.REVISION_REQUESTED,
        S.REJECTED,
        S.REVISION_REQUESTED,
    )
    with campaign_session(settings) as session:
        outcomes = {o.participation_id: o for o in session.exec(select(ReviewOutcome)).all()}
    for n in (4, 5, 6):
        recommended = outcomes[ids[n]].recommendation
        assert statuses[ids[n]] == EXPECTED.get(recommended, S.IN_REVIEW), (n, recommended)
    decided_units = sum(decided.decisions.decided.values())
    letters = sent_mails(workspace)[mails_before:]
    subjects = [str(m["Subject"]) for m in letters]
    assert sum("评审意见" in s for s in subjects) == decided_units
    revisions = sum(v for k, v in decided.decisions.decided.items() if k == "revise")
    assert len(letters) == decided_units + revisions
    for letter in letters:  # anonymised: no expert's name or address in any letter
        body = letter.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "expert" not in body
        assert "专家1" not in body
    feedback = next(
        m for m in letters if "0001" in str(m["Subject"]) or "评审意见" in str(m["Subject"])
    )
    assert "分项得分" in feedback.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # Unit 1 files a revised report (the submit flow's move); unit 3 never does.
    with campaign_session(settings) as session:
        p1 = session.get(Participation, ids[1])
        assert p1 is not None
        assert p1.revision_round == 1
        session.add(transition(p1, S.REVISED, actor="test", at=now_utc(), reason="修改稿"))
    (inbox / "chair.xlsx").unlink()
    mails_before = len(sent_mails(workspace))
    rechecked = review(2024, as_of=date(2024, 12, 17))

    assert (rechecked.rechecks.reports, rechecked.rechecks.pairs) == (1, 3)
    with campaign_session(settings) as session:
        round_one = session.exec(select(ReviewAssignment).where(ReviewAssignment.round == 1)).all()
        first_round = session.exec(
            select(ReviewAssignment)
            .where(ReviewAssignment.round == 0)
            .where(ReviewAssignment.participation_id == ids[1])
        ).all()
    assert {a.reviewer_id for a in round_one} == {a.reviewer_id for a in first_round}
    assert _statuses(settings)[ids[1]] == S.IN_REVIEW
    recheck_mails = sent_mails(workspace)[mails_before:]
    assert len(recheck_mails) == 3  # one re-check sheet per first-round expert
    # Seen on main: re-check invitations asked for the sheets by the past review deadline
    # (13 Dec). Assigned Tue 17 Dec, they are due 5 working days later, Tue 24 Dec.
    for mail in recheck_mails:
        assert "12月24日前" in str(mail["Subject"])
        assert "2024年12月24日" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return_sheets(
        recheck_mails,
        inbox / "sheets",
        n_criteria,
        lambda i, r: [95] * n_criteria + ["修改到位", ""],
        prefix="recheck",
    )

    waiting = review(2024, as_of=date(2024, 12, 24))
    final = review(2024, as_of=date(2024, 12, 25))
    assert final.decisions.decided == {"pass": 1}

    assert waiting.decisions.decided == {}  # the re-check's sheets are due that day
    assert waiting.decisions.lapsed >= 1

    statuses = _statuses(settings)
    assert statuses[ids[1]] == S.REVIEW_PASSED
    assert statuses[ids[3]] == S.LAPSED  # asked to revise, filed nothing by 20 December
    with campaign_session(settings) as session:
        recheck = session.exec(
            select(ReviewOutcome)
            .where(ReviewOutcome.participation_id == ids[1])
            .where(ReviewOutcome.round == 1)
        ).one()
    assert recheck.reviews == 3
    assert recheck.recommendation == "pass"


def test_a_revise_decided_after_the_revision_deadline_is_a_reject_not_a_lapse(
    workspace: Path, tmp_path: Path, campaign_2024
) -> None:
    # Seen on main: decided after 20 Dec, a unit went in_review -> revision_requested -> lapsed
    # in one transaction and was still sent a revision request.
    from flows.review import review

    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        ids = [
            add_participation(session, n, [a1], S.SUBMITTED, [K.BASIC_INFO, K.REPORT_PDF])
            for n in (1, 2)
        ]
    roster = write_xlsx(tmp_path / "reviewers.xlsx", [roster_row(n) for n in range(1, 4)], ROSTER)
    review(2024, as_of=date(2024, 12, 2), roster_files=[str(roster)])
    n_criteria = len(campaign_2024.review.criteria)
    inbox = workspace / "inbox" / "2024" / "review"
    return_sheets(
        sent_mails(workspace),
        inbox / "sheets",
        n_criteria,
        lambda i, r: [56] * n_criteria + ["", ""],
    )

    late = review(2024, as_of=date(2024, 12, 23))

    with campaign_session(settings) as session:
        outcomes = session.exec(select(ReviewOutcome)).all()
        templates = [m.template for m in session.exec(select(OutboxMessage)).all()]
    assert {o.recommendation for o in outcomes} == {"revise"}
    assert late.decisions.decided == {"reject": 2}
    assert late.decisions.lapsed == 0
    assert [_statuses(settings)[pid] for pid in ids] == [S.REJECTED, S.REJECTED]
    assert "revision_request" not in templates
