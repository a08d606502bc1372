"""`campaign review absent` and `campaign review redecide`: an operator's word, recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer
from factories import add_association, add_participation, make_uscc
from outboxkit import with_bodies
from sqlmodel import select
from typer.testing import CliRunner

from deployments.cli_review import register
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind as K
from schemas.outbox_table import OutboxMessage
from schemas.review_tables import ReviewAssignment, ReviewDecision, Reviewer, ReviewOutcome
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.campaigns import ensure_campaign
from tasks.store import campaign_session, make_engine, upgrade_database

runner = CliRunner()
app = typer.Typer()
register(app)
app.command("noop", hidden=True)(lambda: None)  # typer needs two commands to keep sub-command names
T0 = datetime(2024, 12, 16, 9, 0, tzinfo=UTC)


def _season(campaign: CampaignFile) -> dict[str, int]:
    """Unit 1 decided pass at 71.0 (the live outcome has since moved to 64.0); unit 2 in review
    with expert 1 still owing a sheet."""
    upgrade_database(make_engine(Settings()))
    with campaign_session(Settings()) as session:
        ensure_campaign(session, campaign, now_utc())
        a1 = add_association(session, "A001")
        one = add_participation(session, 1, [a1], S.REVIEW_PASSED, [K.REPORT_PDF])
        two = add_participation(session, 2, [a1], S.IN_REVIEW, [K.REPORT_PDF])
        expert = Reviewer(
            campaign_year=2024, key="expert1@review.example.org", name="专家01",
            email="expert1@review.example.org", max_load=5,
        )  # fmt: skip
        session.add(expert)
        session.flush()
        session.add(
            ReviewAssignment(
                campaign_year=2024, participation_id=two, reviewer_id=expert.id or 0,
                assigned_on=date(2024, 12, 2), assigned_at=T0,
            )
        )  # fmt: skip
        live = ReviewOutcome(
            campaign_year=2024, participation_id=one, normalised_score=64.0, raw_score=64.0,
            reviews=3, spread=2.0, grade="三星级", recommendation="pass", rank=1,
            decided_on=date(2024, 12, 13),
        )  # fmt: skip
        session.add(live)
        session.add(
            ReviewDecision(
                campaign_year=2024, participation_id=one, decision="pass", normalised_score=71.0,
                raw_score=71.0, reviews=3, grade="三星半级", reason="评审通过",
                decided_on=date(2024, 12, 16), decided_by="flow-run:x", decided_at=T0,
            )
        )  # fmt: skip
    return {"one": one, "two": two}


def test_absent_records_the_expert_for_the_round_once(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    ids = _season(campaign_2024)
    args = ["review", "absent", "--expert", "Expert1@review.example.org", "--why", "出差"]

    first = runner.invoke(app, [*args, "--as-of", "2024-12-16"])
    again = runner.invoke(app, [*args, "--as-of", "2024-12-17"])
    nobody = runner.invoke(app, ["review", "absent", "--expert", "x@example.org", "--why", "无"])

    assert first.exit_code == 0, first.output
    assert "已登记缺席 recorded absent: 1" in first.output
    assert "recorded absent: 0" in again.output
    assert nobody.exit_code == 1
    assert "评审专家名单中没有该邮箱" in nobody.output
    with campaign_session(Settings()) as session:
        assignment = session.exec(
            select(ReviewAssignment).where(ReviewAssignment.participation_id == ids["two"])
        ).one()
    assert (assignment.absent_on, assignment.absent_reason) == (date(2024, 12, 16), "出差")
    assert assignment.absent_by.startswith("cli:")


def test_redecide_makes_a_new_version_and_a_corrected_letter_once(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    ids = _season(campaign_2024)
    args = ["review", "redecide", "--uscc", make_uscc(1), "--by", "王组长", "--why", "补交评分表"]

    made = runner.invoke(app, [*args, "--as-of", "2024-12-18"])
    again = runner.invoke(app, [*args, "--as-of", "2024-12-19"])
    refused = runner.invoke(app, [*args, "--decision", "reject"])
    in_review = runner.invoke(
        app, ["review", "redecide", "--uscc", make_uscc(2), "--by", "王", "--why", "无"]
    )

    assert made.exit_code == 0, made.output
    assert "已作出第2版决定 version 2: pass, 64.0" in made.output
    assert "无变化 nothing changed" in again.output
    assert refused.exit_code == 1  # review_passed -> rejected is not a move the machine allows
    assert "status-machine" in refused.output
    assert in_review.exit_code == 1
    with campaign_session(Settings()) as session:
        versions = session.exec(
            select(ReviewDecision).where(ReviewDecision.participation_id == ids["one"])
        ).all()
        letters = with_bodies(session, session.exec(select(OutboxMessage)).all())
        status = session.get(Participation, ids["one"])
    assert [(v.version, v.normalised_score, v.decided_by, v.reason) for v in versions] == [
        (1, 71.0, "flow-run:x", "评审通过"),
        (2, 64.0, "王组长", "补交评分表"),
    ]
    [letter] = letters
    assert letter.subject.startswith("更正：")
    assert "综合得分：由71.0更正为64.0" in letter.body_text
    assert "评级：由三星半级更正为三星级" in letter.body_text
    assert "评审结论" not in letter.body_text.split("更正原因")[0]  # unchanged: not listed
    assert "评审结论：由" not in letter.body_html
    assert letter.meta["facts"]["version"] == 2
    [pdf] = letter.attachments  # the corrected letter's PDF, kept in the workspace
    assert pdf.endswith("-更正第2版.pdf")
    assert (workspace / pdf).read_bytes().startswith(b"%PDF-")
    assert status is not None
    assert status.status == S.REVIEW_PASSED
