"""A short generated season replayed through the clock (deployments/demo/replay.py).

Twelve units with PDFs (no problems injected); the clock runs on ten key days only (the first
day of each stage but submit, the report deadline in the submit stage, the review deadline and
the chair's day after it, the meeting, the release), and what the world sent on the days in
between (the operator's cut of the held lists included) is delivered before the next played
day. Each played day the clock runs a second time, and that second run must change nothing.
At the end every mail of the season is read as its recipient reads it.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from outboxkit import with_bodies
from sqlmodel import col, select

from deployments.demo.closing import hold_meeting
from deployments.demo.generate import generate
from deployments.demo.replay import SeasonReplay, season_days
from notifications.recipient_text import readable_text, recipient_problems
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, Stage, SubmissionKind
from schemas.outbox_table import OutboxMessage
from schemas.release_tables import Certificate, MeetingDecision
from schemas.settings import Settings
from schemas.tables import CampaignStageChange, Participation, Submission, Unit
from tasks.release.search import SearchQuery, search_pages
from tasks.store import campaign_session

SEED = 7
STAGE_ORDER = [
    Stage.MOBILIZE,
    Stage.TRAIN,
    Stage.SUBMIT,
    Stage.REVIEW,
    Stage.COMMEND,
    Stage.MEETING,
    Stage.RELEASE,
]


def key_days(campaign: CampaignFile) -> list[date]:
    """The days the test plays, from the campaign file."""
    s, one = campaign.stages, timedelta(days=1)
    review_deadline = campaign.deadline("review").date
    return [
        s.mobilize,
        s.train,
        campaign.deadline("report").date,  # submit: what arrived since mobilization is taken in
        s.review,
        review_deadline,  # the sheets are in: outcomes the chair reads
        review_deadline + one,  # the chair decides, round 0 is decided
        s.commend,
        s.meeting,
        campaign.events.meeting,
        campaign.events.release,
    ]


def fingerprint(settings: Settings) -> dict[str, Any]:
    """Row counts per table, participation statuses, outbox rows, release files and mail."""
    engine = sa.create_engine(settings.effective_database_url)
    try:
        with engine.connect() as conn:
            counts = {
                name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar()
                for name in sorted(sa.inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()
    with campaign_session(settings) as session:
        statuses = sorted(session.exec(select(Participation.id, Participation.status)).all())
        outbox = sorted(
            (m.idempotency_key, m.status, m.attempts, m.message_id)
            for m in session.exec(select(OutboxMessage)).all()
        )
    release = settings.workspace / "release"
    files = {
        str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(release.rglob("*"))
        if p.is_file()
    }
    mail = sorted(str(p.relative_to(settings.workspace)) for p in settings.workspace.rglob("*.eml"))
    return {
        "counts": counts,
        "statuses": statuses,
        "outbox": outbox,
        "release": files,
        "mail": mail,
    }


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_short_season_replays_through_every_stage_and_a_second_run_changes_nothing(
    workspace: Path,
    database_url: str,
    campaign_2024: CampaignFile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flows.season import season

    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", database_url)
    settings = Settings()
    generated = workspace / "generated"
    generate(
        campaign_2024,
        generated,
        enterprises=12,
        seed=SEED,
        bad_rate=0.0,
        with_pdfs=True,
        workers=1,
    )
    days = key_days(campaign_2024)
    reruns: dict[date, tuple[dict[str, Any], dict[str, Any]]] = {}

    def run_again(day: date, result: Any) -> None:
        before = fingerprint(settings)
        again = season(campaign_2024.year, as_of=day)
        assert not again.stage_changed
        reruns[day] = (before, fingerprint(settings))

    replay = SeasonReplay(
        settings, campaign_2024, generated, seed=SEED, meeting=lambda y, d: hold_meeting(y, d, 120)
    )
    played = replay.replay(days, hook=run_again)

    # The clock ran on exactly the key days; each stage began on the first played day in it.
    assert [p.day for p in played] == days
    assert [p.result.stage for p in played] == [
        Stage.MOBILIZE,
        Stage.TRAIN,
        Stage.SUBMIT,
        Stage.REVIEW,
        Stage.REVIEW,
        Stage.REVIEW,
        Stage.COMMEND,
        Stage.MEETING,
        Stage.MEETING,
        Stage.RELEASE,
    ]
    with campaign_session(settings) as session:
        changes = session.exec(
            select(CampaignStageChange).order_by(col(CampaignStageChange.id))
        ).all()
        moves = [(c.to_stage, c.as_of) for c in changes]
        decision = session.exec(select(MeetingDecision)).one()
        statuses = dict(
            session.exec(
                select(Unit.uscc, Participation.status).join(
                    Participation, col(Participation.unit_id) == col(Unit.id)
                )
            ).all()
        )
        certificates = session.exec(select(Certificate)).all()
        reports = set(
            session.exec(
                select(Unit.uscc)
                .join(Participation, col(Participation.unit_id) == col(Unit.id))
                .join(Submission, col(Submission.participation_id) == col(Participation.id))
                .where(Submission.kind == SubmissionKind.REPORT_PDF)
            ).all()
        )
    s = campaign_2024.stages
    report_deadline = campaign_2024.deadline("report").date
    starts = [s.mobilize, s.train, report_deadline, s.review, s.commend, s.meeting, s.release]
    assert moves == list(zip(STAGE_ORDER, starts, strict=True))
    assert [p.day for p in played if p.result.stage_changed] == starts

    # Nothing the world sent on a skipped day was lost: every report PDF the plan sends by the
    # review (to a unit the campaign took in) was received.
    sent = {
        u["uscc"]
        for u in replay.plan["units"]
        if u["report_on"] and date.fromisoformat(u["report_on"]) < campaign_2024.stages.review
    }
    assert sent & set(statuses) <= reports
    assert len(sent & set(statuses)) >= 5

    # The meeting's release list is released and certified, nothing else is.
    released = {u for u, s in statuses.items() if s == ParticipationStatus.RELEASED}
    assert released
    assert released == set(decision.release_list)
    assert ParticipationStatus.APPROVED not in statuses.values()
    assert len(certificates) == len(released)
    assert all((workspace / c.stored_path).is_file() for c in certificates)
    assert (workspace / "release" / "2024" / "catalogue" / "index.html").is_file()

    # The release made the released units' reports searchable (pages stored at intake), and
    # only theirs.
    with campaign_session(settings) as session:
        hits = search_pages(session, SearchQuery(("社会责任报告",), limit=1000))
    assert {h.uscc for h in hits} == released

    # A second run of the clock on each played day changed nothing.
    assert set(reruns) == set(days)
    for day, (before, after) in reruns.items():
        assert after == before, f"the second run of {day} changed something"
    last = reruns[days[-1]][1]
    assert last["release"]
    assert last["outbox"]
    assert last["mail"]

    # Every mail the season put in the outbox reads clean to its recipient (no codes, error
    # texts, English sentences, placeholders or ids) and answers to the campaign office.
    assert_mail_reads_clean(settings)


def assert_mail_reads_clean(settings: Settings) -> None:
    """Check every outbox row of the season as its recipient reads it (text, HTML, subject)."""
    with campaign_session(settings) as session:
        rows = with_bodies(session, session.exec(select(OutboxMessage)).all())
    templates = {row.template for row in rows}
    problems = {
        f"{row.template}#{row.id}": found
        for row in rows
        if (
            found := recipient_problems(
                f"{row.subject}\n{row.body_text}\n{readable_text(row.body_html)}"
            )
        )
    }
    assert {"invitation", "submission_ack", "feedback_letter", "review_invitation"} <= templates
    assert {"release_notice", "commendation_invitation", "association_release"} <= templates
    assert problems == {}
    assert {row.meta.get("reply_to") for row in rows} == {"csr-office@example.org"}


def test_season_days_run_from_the_first_of_the_mobilize_month_to_the_release(
    campaign_2024: CampaignFile,
) -> None:
    days = season_days(campaign_2024)
    assert (days[0], days[-1]) == (date(2024, 10, 1), date(2025, 1, 16))
    assert all(b - a == timedelta(days=1) for a, b in pairwise(days))
