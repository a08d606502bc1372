"""Versioned filings: archiving under the sha256, new versions only for changed content."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from factories import add_association, add_participation
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.sqltypes import now_utc
from schemas.tables import Submission
from tasks.common.campaigns import ensure_campaign
from tasks.common.submissions import (
    ArchivedFile,
    RowFiling,
    archive_file,
    canonical_json,
    plan_row_filings,
    record_row_filings,
)
from tasks.store import session_scope

NOW = datetime(2024, 11, 12, 2, 0, tzinfo=UTC)
FORM = SubmissionKind.BASIC_INFO


def _filing(pid: int, employees: int, name: str = "info.xlsx") -> RowFiling:
    return RowFiling(
        participation_id=pid,
        data={"employees": employees, "report_year": 2023},
        original_name=name,
        stored_path=f"archive/2024/forms/{name}",
    )


def _filed(pid: int, version: int, data: dict[str, Any]) -> Submission:
    body = canonical_json(data)
    return Submission(
        campaign_year=2024,
        participation_id=pid,
        kind=FORM,
        version=version,
        stored_path="archive/x",
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        received_on=date(2024, 11, 1),
        received_at=NOW,
        data=data,
    )


def test_archive_file_names_the_copy_by_its_sha256(tmp_path: Path) -> None:
    source = tmp_path / "in" / "Info.XLSX"
    source.parent.mkdir()
    source.write_bytes(b"form bytes")
    digest = hashlib.sha256(b"form bytes").hexdigest()

    first = archive_file(source, tmp_path / "archive")
    again = archive_file(source, tmp_path / "archive")

    assert first == again == ArchivedFile(tmp_path / "archive" / f"{digest}.xlsx", digest)
    assert first.path.read_bytes() == b"form bytes"


def test_plan_row_filings_adds_versions_only_for_new_or_changed_content() -> None:
    latest = {1: _filed(1, 1, {"employees": 10, "report_year": 2023}), 2: _filed(2, 3, {})}
    filings = [_filing(1, 10), _filing(2, 20), _filing(3, 30), _filing(3, 31, "fix.csv")]

    plan = plan_row_filings(
        2024, FORM, filings, latest, as_of=date(2024, 11, 12), deadline=date(2024, 11, 15), now=NOW
    )

    assert [(s.participation_id, s.version, s.original_name) for s in plan.new_rows] == [
        (2, 4, "info.xlsx"),
        (3, 1, "info.xlsx"),
        (3, 2, "fix.csv"),
    ]
    assert (plan.unchanged, plan.new_participations) == (1, (3,))
    assert [s.data for s in plan.new_rows][-1] == {"employees": 31, "report_year": 2023}
    assert not any(s.late for s in plan.new_rows)
    assert sorted(latest) == [1, 2]  # the caller's map is not changed
    assert latest[2].version == 3


def test_plan_row_filings_flags_late_filings_only_after_a_deadline() -> None:
    late = plan_row_filings(
        2024,
        FORM,
        [_filing(1, 1)],
        {},
        as_of=date(2024, 11, 16),
        deadline=date(2024, 11, 15),
        now=NOW,
    )
    no_deadline = plan_row_filings(
        2024, FORM, [_filing(1, 1)], {}, as_of=date(2025, 1, 1), deadline=None, now=NOW
    )

    assert [s.late for s in late.new_rows] == [True]
    assert [s.late for s in no_deadline.new_rows] == [False]


def test_record_row_filings_saves_new_versions_and_skips_unchanged_content(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        one, two = (
            add_participation(session, n, [a1], ParticipationStatus.REGISTERED) for n in (1, 2)
        )
    record = {"as_of": date(2024, 11, 12), "deadline": date(2024, 11, 15), "now": NOW}

    with session_scope(engine) as session:
        first = record_row_filings(
            session, 2024, FORM, [_filing(one, 1), _filing(two, 2)], **record
        )
    with session_scope(engine) as session:
        again = record_row_filings(
            session, 2024, FORM, [_filing(one, 1), _filing(two, 3)], **record
        )
    with session_scope(engine) as session:
        stored = session.exec(
            select(Submission.participation_id, Submission.version, Submission.data).order_by(
                col(Submission.id)
            )
        ).all()

    assert (first.new, first.unchanged, first.late, first.new_participations) == (
        2,
        0,
        0,
        (one, two),
    )
    assert (again.new, again.unchanged, again.new_participations) == (1, 1, ())
    assert [(pid, version, data["employees"]) for pid, version, data in stored if data] == [
        (one, 1, 1),
        (two, 1, 2),
        (two, 2, 3),
    ]
