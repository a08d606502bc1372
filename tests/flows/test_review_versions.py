"""Decided versions on the real engine: absences, the chair path, late sheets after a decision,
the chair's later word (a new version and a corrected letter) and the closed revision window."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from artifactkit import artifact_table
from factories import add_association, add_participation, make_uscc, roster_row, write_xlsx
from outboxkit import QueuedMail, with_bodies
from pypdf import PdfReader
from reviewkit import return_sheets, sent_mails
from sqlmodel import col, select

from schemas.columns import CHAIR_DECISIONS, REVIEW_ABSENCES, ROSTER
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.outbox_table import OutboxMessage
from schemas.review_tables import ReviewAssignment, ReviewDecision, Reviewer, ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.campaigns import ensure_campaign
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

S, K = ParticipationStatus, SubmissionKind
ABSENT = "expert1@review.example.org"


def _decisions(settings: Settings) -> list[tuple[int, int, int, str, float, str]]:
    with campaign_session(settings) as session:
        rows = session.exec(select(ReviewDecision).order_by(col(ReviewDecision.id))).all()
        return [
            (d.participation_id, d.round, d.version, d.decision, d.normalised_score, d.grade)
            for d in rows
        ]


def _mails(settings: Settings, template: str) -> list[QueuedMail]:
    with campaign_session(settings) as session:
        return with_bodies(
            session,
            session.exec(select(OutboxMessage).where(OutboxMessage.template == template)).all(),
        )


def _status(settings: Settings, pid: int) -> S:
    with campaign_session(settings) as session:
        participation = session.get(Participation, pid)
        assert participation is not None
        return S(participation.status)


def test_absences_the_chair_late_sheets_and_later_words(
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
    invitations = sent_mails(workspace)
    late = [m for m in invitations if ABSENT in str(m["To"])]
    on_time = [m for m in invitations if ABSENT not in str(m["To"])]
    return_sheets(
        on_time, inbox / "sheets", n_criteria, lambda i, r: [80] * n_criteria + ["好", ""]
    )
    with campaign_session(settings) as session:
        expert = session.exec(select(Reviewer).where(Reviewer.key == ABSENT)).one()
        owed = {
            a.participation_id
            for a in session.exec(
                select(ReviewAssignment).where(ReviewAssignment.reviewer_id == expert.id)
            ).all()
        }
    assert owed
    assert owed != set(ids.values())

    # 16 Dec: the reports expert 1 owes a sheet for wait, named with the expert overdue.
    first_state = review(2024, as_of=date(2024, 12, 16), return_state=True)
    first = first_state.result()
    assert first.decisions.awaiting == len(owed)
    awaiting, _ = artifact_table("review-awaiting", flow_run=first_state.state_details.flow_run_id)
    assert {r["overdue"] for r in awaiting} == {"专家01"}
    assert all(ABSENT not in str(r) for r in awaiting)  # names only, no addresses
    for pid in owed:
        assert _status(settings, pid) == S.IN_REVIEW
    decided_first = {d[0] for d in _decisions(settings)}
    assert decided_first == set(ids.values()) - owed

    # 23 Dec (after the revision deadline): expert 1 recorded absent; the reports left short
    # go to the chair, who asks one of them to revise: too late, it is a reject, not a lapse.
    write_xlsx(
        inbox / "absent.xlsx",
        [
            {"专家邮箱": ABSENT, "原因": "出差，无法按期评审"},
            {"专家邮箱": "nobody@review.example.org", "原因": "不在名单"},
        ],
        REVIEW_ABSENCES,
    )
    short = sorted(owed)
    write_xlsx(
        inbox / "chair.xlsx",
        [
            {"统一社会信用代码": _uscc(ids, short[0]), "决定": "修改", "理由": "请补充数据"},
            *(
                {"统一社会信用代码": _uscc(ids, pid), "决定": "通过", "理由": "两位专家意见一致"}
                for pid in short[1:]
            ),
        ],
        CHAIR_DECISIONS,
    )
    chaired = review(2024, as_of=date(2024, 12, 23))
    assert chaired.decisions.absences == len(owed)
    assert chaired.decisions.problems_by_code == {"unknown-reviewer": 1}
    assert chaired.decisions.by_chair == len(owed)
    assert _status(settings, short[0]) == S.REJECTED
    assert _mails(settings, "revision_request") == []
    with campaign_session(settings) as session:
        told = session.exec(
            select(ReviewDecision).where(ReviewDecision.participation_id == short[0])
        ).one()
    assert told.decision == "reject"
    assert "修改期限已过，提交指导单位工作会议审议" in told.reason
    versions_before = _decisions(settings)
    letters_before = _mails(settings, "feedback_letter")
    assert len(letters_before) == len(ids)
    for letter in letters_before:
        facts = letter.meta["facts"]
        assert (facts["round"], facts["version"]) == (0, 1)
        [pdf] = letter.attachments  # the dated 评审意见书, kept in the workspace
        assert pdf.startswith("review/2024/letters/")
        assert pdf.endswith("-第1轮评审意见书.pdf")
        assert (workspace / pdf).read_bytes().startswith(b"%PDF")
        assert "评审意见书（PDF）见本邮件附件" in letter.body_text

    # 24 Dec: expert 1's sheet comes in after all: the outcomes move, the decisions do not.
    return_sheets(late, inbox / "sheets", n_criteria, lambda i, r: [30] * n_criteria + ["差", ""])
    (inbox / "chair.xlsx").unlink()
    review(2024, as_of=date(2024, 12, 24))
    with campaign_session(settings) as session:
        live = {o.participation_id: o for o in session.exec(select(ReviewOutcome)).all()}
    assert any(live[pid].reviews == 3 for pid in owed)
    assert _decisions(settings) == versions_before
    assert len(_mails(settings, "feedback_letter")) == len(letters_before)

    # The chair's later word on one decided report: a new version, a corrected letter, once.
    target = short[1]
    write_xlsx(
        inbox / "chair.xlsx",
        [
            {"统一社会信用代码": _uscc(ids, target), "决定": "通过", "理由": "补交评分表后复核"},
            {"统一社会信用代码": _uscc(ids, short[0]), "决定": "通过", "理由": "改为通过"},
        ],
        CHAIR_DECISIONS,
    )
    later = review(2024, as_of=date(2024, 12, 25))
    again = review(2024, as_of=date(2024, 12, 26))

    # The absences file still names a bad row; the chair cannot move rejected -> passed.
    assert later.decisions.problems_by_code == {"unknown-reviewer": 1, "status-machine": 1}
    assert (later.decisions.redecided, again.decisions.redecided) == (1, 0)
    versions = [d for d in _decisions(settings) if d[0] == target]
    assert [v[2] for v in versions] == [1, 2]
    assert versions[1][4] == pytest.approx(live[target].normalised_score)
    corrected = [
        m for m in _mails(settings, "feedback_letter") if m.meta["facts"].get("version") == 2
    ]
    assert len(corrected) == 1
    assert corrected[0].subject.startswith("更正")
    assert f"由{versions[0][4]:.1f}更正为{versions[1][4]:.1f}" in corrected[0].body_text
    [pdf] = corrected[0].attachments
    assert pdf.endswith("-第1轮评审意见书-更正第2版.pdf")
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(workspace / pdf).pages)
    assert "本意见书为更正版（第2版），以本版为准。" in text
    assert f"综合得分{versions[1][4]:.1f}" in text
    assert corrected[0].meta["facts"] == {
        "participation_id": target,
        "round": 0,
        "version": 2,
        "decision": "pass",
        "score": round(versions[1][4], 1),
        "grade": versions[1][5],
    }
    assert again.decisions.mails_queued == 0
    assert len([d for d in _decisions(settings) if d[0] == target]) == 2


def _uscc(ids: dict[int, int], pid: int) -> str:
    return make_uscc(next(n for n, p in ids.items() if p == pid))
