"""The review flow (roster and assignment) on the real engine."""

from __future__ import annotations

import email
import re
from datetime import date
from email import policy
from pathlib import Path

import pytest
from artifactkit import artifact_keys, artifact_table, chinese_rows, run_artifacts
from factories import add_association, add_participation, make_uscc, roster_row, write_xlsx
from openpyxl import load_workbook
from reviewkit import fill
from sqlmodel import select

from schemas.columns import REVIEW_OVERRIDES, ROSTER
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.review_tables import ReviewAssignment, Reviewer, ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.campaigns import ensure_campaign
from tasks.review.due import review_due
from tasks.review.sheets.layout import (
    FIRST_DATA_ROW,
    SCORES_SHEET,
)
from tasks.review.sheets.read import read_score_sheet
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


S, K = ParticipationStatus, SubmissionKind


def test_review_assigns_three_conflict_free_reviewers_once(
    workspace: Path, tmp_path: Path, campaign_2024
) -> None:
    from flows.review import review

    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1, a2 = add_association(session, "A001"), add_association(session, "A002")
        ids = {
            n: add_participation(
                session,
                n,
                [a1 if n <= 4 else a2],
                S.SUBMITTED,
                [K.RECEIPT, K.BASIC_INFO, K.REPORT_PDF],
            )
            for n in range(1, 7)
        }
    roster = write_xlsx(
        tmp_path / "reviewers.xlsx",
        [
            roster_row(1),
            roster_row(2, employer="上海测试0001科技有限公司"),  # works at unit 1
            roster_row(3, conflict_associations="A002"),
            roster_row(4, conflict_units=make_uscc(6)),
            roster_row(5, max_load=2),
        ],
        ROSTER,
    )

    first_state = review(
        2024, as_of=date(2024, 12, 2), roster_files=[str(roster)], return_state=True
    )
    first = first_state.result()
    again = review(2024, as_of=date(2024, 12, 3), roster_files=[str(roster)])

    assert first.roster is not None
    assert (first.roster.reviewers_new, first.roster.capacity) == (5, 42)
    assert (first.assignment.reports_assigned, first.assignment.pairs) == (6, 18)
    # The tasks publish their own tables: the pairs with their reasons, the roster's problems.
    first_run = first_state.state_details.flow_run_id
    assert artifact_keys(flow_run=first_run) == [
        "chair-decision-rejections",
        "outbox-delivery",
        "performance-coverage",  # the units filed forms: they are evaluated once in review
        "performance-units",
        "review-assignments",
        "roster-rejections",
    ]
    assigned, assigned_about = artifact_table("review-assignments", flow_run=first_run)
    assert len(assigned) == 18
    assert {row["reviewer"] for row in assigned} <= {f"专家{n:02d}" for n in range(1, 6)}
    assert assigned_about.startswith("18 pairs for 6 reports; loads: ")
    assert first.roster.report == f"reports/{first_run}/roster-rejections.xlsx"
    assert (again.assignment.reports_assigned, again.roster and again.roster.reviewers_new) == (
        0,
        0,
    )
    with campaign_session(settings) as session:
        pairs = {
            (a.participation_id, r.key)
            for a, r in session.exec(
                select(ReviewAssignment, Reviewer).where(
                    ReviewAssignment.reviewer_id == Reviewer.id
                )
            ).all()
        }
        statuses = {p.id: p.status for p in session.exec(select(Participation)).all()}
    assert (ids[1], "expert2@review.example.org") not in pairs  # same employer
    assert (
        not {(ids[5], "expert3@review.example.org"), (ids[6], "expert3@review.example.org")} & pairs
    )
    assert (ids[6], "expert4@review.example.org") not in pairs  # declared unit conflict
    assert sum(1 for _, key in pairs if key == "expert5@review.example.org") <= 2
    assert set(statuses.values()) == {S.IN_REVIEW}
    # Every assigned expert gets one mail with their sheet; the sheet reads back as theirs.
    experts = sorted({key for _, key in pairs})
    assert (first.sheets.sheets, first.mail_sent, again.mail_sent) == (
        len(experts),
        len(experts),
        0,
    )
    # The clock's agenda: on a quiet day (no reminder, round 0 not due) the review has no work,
    # unless a sheet never went out (a run that stopped after assigning): then it has.
    quiet = date(2024, 12, 5)
    assert review_due.fn(settings, 2024, quiet, False) is False
    issued = sorted((workspace / "review" / "2024" / "sheets").glob("*.xlsx"))
    assert len(issued) == len(experts)
    issued[0].unlink()
    assert review_due.fn(settings, 2024, quiet, False) is True
    assert review(2024, as_of=quiet, roster_files=[str(roster)]).sheets.written == 1
    assert review_due.fn(settings, 2024, quiet, False) is False
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((workspace / "mail" / "sent").rglob("*.eml"))
    ]
    assert sorted(str(m["To"]).split("<")[1].rstrip(">") for m in mails) == experts
    mail = next(m for m in mails if "expert1@" in str(m["To"]))
    [attachment] = list(mail.iter_attachments())  # these units filed no report PDF
    name = attachment.get_filename()
    assert re.fullmatch(r"评分表-第1轮-测试\d{4}科技(等\d家)?-[0-9a-f]{8}\.xlsx", name), name
    sheet = tmp_path / "returned.xlsx"
    sheet.write_bytes(attachment.get_content())
    result = read_score_sheet(
        sheet,
        expected_reviewer="expert1@review.example.org",
        campaign_year=2024,
        criteria=campaign_2024.review.criteria,
    )
    assert result.errors == []
    assert sorted(result.unscored) == sorted(p for p, key in pairs if key.startswith("expert1@"))

    # The experts fill in and return their sheets; the review takes them in and ranks the reports.
    returned = workspace / "inbox" / "2024" / "review" / "sheets"
    returned.mkdir(parents=True)
    n_criteria = len(campaign_2024.review.criteria)
    for i, m in enumerate(mails):
        [attached] = list(m.iter_attachments())
        path = returned / f"returned-{i}.xlsx"
        path.write_bytes(attached.get_content())
        wb = load_workbook(path)
        rows = wb[SCORES_SHEET].max_row
        wb.close()
        fill(
            path,
            n_criteria,
            {
                r: [70 + 3 * r + i] * n_criteria + ["结构清晰", "补充负面信息"]
                for r in range(FIRST_DATA_ROW, rows + 1)
            },
        )
    scored_state = review(
        2024, as_of=date(2024, 12, 10), roster_files=[str(roster)], return_state=True
    )
    rescored_state = review(
        2024, as_of=date(2024, 12, 11), roster_files=[str(roster)], return_state=True
    )
    scored, rescored = scored_state.result(), rescored_state.result()

    assert scored.scores is not None
    assert rescored.scores is not None
    assert (scored.scores.reviews_new, scored.scores.outcomes, scored.scores.problems_by_code) == (
        18,
        6,
        {},
    )
    # The next day the same sheets are not read again and the saved outcomes stand.
    assert (rescored.scores.sheets_read, rescored.scores.reviews_new) == (0, 0)
    assert (rescored.scores.outcomes, rescored.scores.report) == (0, "")
    rescored_run = rescored_state.state_details.flow_run_id
    assert run_artifacts("review-league", flow_run=rescored_run) == []  # the last one stands
    with campaign_session(settings) as session:
        saved = session.exec(select(ReviewOutcome).where(ReviewOutcome.campaign_year == 2024)).all()
    assert sorted(o.rank for o in saved) == [1, 2, 3, 4, 5, 6]

    # An expert changes one score on a returned sheet: that sheet is read again, once.
    changed = returned / "returned-0.xlsx"
    fill(changed, n_criteria, {FIRST_DATA_ROW: [99] * n_criteria + ["改过", "补充负面信息"]})
    again = review(2024, as_of=date(2024, 12, 12), roster_files=[str(roster)])
    assert again.scores is not None
    assert (again.scores.sheets_read, again.scores.reviews_new, again.scores.outcomes) == (1, 1, 6)
    league, _ = artifact_table("review-league", flow_run=scored_state.state_details.flow_run_id)
    assert [row["rank"] for row in league] == [1, 2, 3, 4, 5, 6]
    [published] = run_artifacts("review-league", flow_run=scored_state.state_details.flow_run_id)
    first = chinese_rows(published)[0]
    assert list(first)[:3] == ["排名", "单位", "统一社会信用代码"]  # no internal id shown
    assert "participation_id" not in first
    assert {row["reviews"] for row in league} == {3}


def test_a_report_short_of_reviewers_gets_those_available_and_is_explained(
    workspace: Path, tmp_path: Path, campaign_2024
) -> None:
    from flows.review import review

    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        pid = add_participation(session, 1, [a1], S.SUBMITTED, [K.BASIC_INFO, K.REPORT_PDF])
    roster = write_xlsx(
        tmp_path / "reviewers.xlsx",
        [roster_row(1), roster_row(2), roster_row(3, conflict_associations="a001")],
        ROSTER,
    )

    overrides = write_xlsx(
        tmp_path / "overrides.xlsx",
        [
            {"统一社会信用代码": make_uscc(1), "专家邮箱": "expert3@review.example.org",
             "操作": "指定"},
            {"统一社会信用代码": make_uscc(99), "专家邮箱": "expert1@review.example.org",
             "操作": "回避"},
        ],
        REVIEW_OVERRIDES,
    )  # fmt: skip

    state = review(
        2024,
        as_of=date(2024, 12, 2),
        roster_files=[str(roster)],
        override_files=[str(overrides)],
        return_state=True,
    )
    result = state.result()
    run_id = state.state_details.flow_run_id

    # Seen in the 20-unit demo: a filed report short of reviewers got none and stayed
    # submitted through the release. It gets the experts available; the chair decides it.
    assert (result.assignment.reports_assigned, result.assignment.pairs) == (1, 2)
    assert (result.assignment.reports_short, result.assignment.overrides_refused) == (1, 1)
    shortfalls, _ = artifact_table("review-shortfalls", flow_run=run_id)
    [short, refused] = shortfalls
    assert (short["unit"], short["needed"], short["got"]) == ("上海测试0001科技有限公司", 3, 2)
    assert "association A001" in str(short["why"])
    assert str(refused["unit"]).startswith("上海测试0001科技有限公司: ")
    assert refused["why"] == "override refused"
    # The override row for a unit not awaiting review is reported where an operator looks.
    assert result.assignment.problems_by_code == {"not-awaiting-review": 1}
    assert result.assignment.report == f"reports/{run_id}/override-rejections.xlsx"
    problems, description = artifact_table("override-rejections", flow_run=run_id)
    assert [(p["file"], p["row"], p["value"], p["code"]) for p in problems] == [
        ("overrides.xlsx", 3, make_uscc(99), "not-awaiting-review")
    ]
    assert description.startswith("Override problems: 1 problems; full report: `reports/")
    sheet = load_workbook(workspace / result.assignment.report).active
    assert [c.value for c in sheet[2]][1:6] == [
        "overrides.xlsx",
        3,
        "统一社会信用代码",
        make_uscc(99),
        "not-awaiting-review",
    ]
    with campaign_session(settings) as session:
        assert session.get(Participation, pid).status == S.IN_REVIEW  # type: ignore[union-attr]
        assigned = session.exec(
            select(ReviewAssignment).where(ReviewAssignment.participation_id == pid)
        ).all()
    assert len(assigned) == 2
