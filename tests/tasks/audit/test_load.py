"""The season read into a snapshot: one query per table, business dates, meta facts, files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from auditkit import seed_audited_season

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from tasks.audit.load import _flag_codes, load_snapshot
from tasks.audit.load_mail import mails
from tasks.store import make_engine, session_scope

NOW = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)


def test_the_snapshot_holds_the_season_as_plain_values(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine = make_engine(Settings())
    ids = seed_audited_season(engine, campaign_2024, workspace)
    with session_scope(engine) as session:
        snap = load_snapshot(session, campaign_2024, Settings(), now=NOW)
    engine.dispose()

    assert snap.now == NOW
    by_id = {u.participation_id: u for u in snap.units}
    assert by_id[ids[4]].status == S.SUBMITTED
    assert by_id[ids[4]].uscc.startswith("9131")
    assert snap.submitted_on[ids[1]] == date(2024, 11, 29)  # the last step's first filing
    # 5 filed its receipt and withdrew while registered: it never filed everything
    assert ids[5] not in snap.submitted_on
    assert snap.report_on[ids[4]] == date(2024, 12, 10)  # its latest report version
    assert sorted((a.reviewer_name, a.sheet_in, a.absent_on) for a in snap.assignments) == [
        ("张专家", True, None),
        ("李专家", False, date(2024, 12, 14)),
    ]
    [decided] = snap.decisions
    assert (decided.participation_id, decided.score, decided.grade) == (ids[1], 85.5, "四星半级")
    [letter] = [m for m in snap.mails if m.template == "feedback_letter"]
    assert letter.facts["participation_id"] == ids[1]
    assert letter.business_day == date(2024, 12, 16)
    assert letter.subject_ref == f"participation:{ids[1]}:feedback"
    assert (snap.outbox_total, snap.outbox_counts) == (4, {"sent": 2, "failed": 1, "queued": 1})
    assert [(c.number, c.file_sha256) for c in snap.certificates] == [("CSR2024-0001X", None)]
    assert snap.meeting is not None
    assert snap.meeting.added == {"X": "override"}
    assert snap.meeting.meeting_date == date(2024, 12, 27)
    assert snap.screenings[ids[4]] is not None
    assert snap.files.pack_uscc_counts is None


def test_recorded_overrides_are_read_as_flag_codes_per_uscc() -> None:
    recorded = {"X": {"flags": ["below-pass", "wrong-year"], "reason": "会议确认"}, "Y": {}}

    assert _flag_codes(recorded, recorded=True) == {"X": ("below-pass", "wrong-year"), "Y": ()}
    assert _flag_codes(None, recorded=True) == {}
    assert _flag_codes(None, recorded=False) is None


def test_the_outbox_meta_is_parsed_once_and_a_recreated_database_is_read_again(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    """The daily audit reads each queued row's meta once per process: a later audit sees the
    remembered rows, new rows and changed statuses; a database rebuilt at the same address
    (the newest remembered row now holds another key) is read from the start."""
    engine = make_engine(Settings())
    seed_audited_season(engine, campaign_2024, workspace)
    with session_scope(engine) as session:
        first = {m.id: m for m in mails(session, 2024)}
        session.execute(sa.update(OutboxMessage).values(status="cancelled"))
        session.flush()
        again = {m.id: m for m in mails(session, 2024)}
    assert again.keys() == first.keys()
    assert {m.status for m in again.values()} == {"cancelled"}
    assert [m.facts for m in again.values()] == [m.facts for m in first.values()]
    newest = max(first)
    with session_scope(engine) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == newest)  # type: ignore[arg-type]
            .values(
                idempotency_key="2024|feedback_letter|participation:99:feedback|round-0|x@example.com",
                meta={},
            )
        )
        session.flush()
        rebuilt = {m.id: m for m in mails(session, 2024)}
    engine.dispose()
    assert rebuilt[newest].subject_ref == "participation:99:feedback"
    assert rebuilt[newest].facts == {}
