"""Issuing certificates from the database: one per approved or released unit, numbered in USCC
order; unchanged ones skipped, lost files restored; a changed certificate re-issued as a new
version under a new number, the earlier issue and its file kept; the write order (no row before
its file is staged, no file before its row commits) and two runs issuing at once."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest
from certificatekit import current, issues, pdf_text, rename_unit, seed_certified
from factories import add_participation
from seasonkit import decision
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, UOWTransaction
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.certificate_number import make_number
from schemas.enums import ParticipationStatus
from schemas.release_tables import Certificate
from schemas.review_tables import ReviewOutcome
from schemas.settings import Settings
from schemas.tables import Participation
from tasks.common.fonts import LoadedFont
from tasks.common.submissions import sha256_file
from tasks.release.certificates import pdf
from tasks.release.certificates.issue import issue_certificates, issue_certificates_now
from tasks.release.certificates.layout import CertificateData
from tasks.store import session_scope

P = ParticipationStatus
REPO = Path(__file__).resolve().parents[4]
AS_OF = date(2025, 1, 16)
LATER = date(2025, 2, 1)
NEW_NAME = "上海更名0003集团有限公司"


@pytest.fixture
def settings(engine: Engine, database_url: str, tmp_path: Path) -> Settings:
    """Settings on the test database and a fresh workspace."""
    return Settings(
        workspace=tmp_path / "ws", database_url=database_url, campaigns_dir=REPO / "campaigns"
    )


def test_every_approved_or_released_unit_gets_one_numbered_certificate(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = seed_certified(engine, campaign_2024)

    summary = issue_certificates.fn(settings, 2024, AS_OF)

    assert (summary.issued, summary.reissued, summary.unchanged) == (3, 0, 0)
    assert summary.folder == "release/2024/certificates"
    assert summary.font_embedded
    rows = current(engine)
    assert sorted(rows) == sorted([ids[1], ids[2], ids[3]])
    assert [rows[ids[n]].number for n in (1, 2, 3)] == [make_number(2024, s) for s in (1, 2, 3)]
    for row in rows.values():
        path = settings.workspace / row.stored_path
        assert row.stored_path == f"release/2024/certificates/{row.number}.pdf"
        assert sha256_file(path) == row.sha256
        assert row.issued_on == AS_OF
    one = pdf_text(settings.workspace / rows[ids[1]].stored_path)
    three = pdf_text(settings.workspace / rows[ids[3]].stored_path)
    assert "《上海测试0001科技有限公司2023可持续发展报告》" in one
    assert "荣获：社会责任报告优秀企业" in one
    assert f"证书编号：{rows[ids[1]].number}" in one
    assert "创新引领·责任筑基·绿色前行" in one
    assert "《上海测试0003科技有限公司2023年度社会责任报告》" in three
    assert "荣获" not in three
    assert "提名未通过的表彰" not in three
    for text in (one, three):
        assert ("李测试" in text, "example.com" in text, "021-" in text) == (False, False, False)


def test_an_unchanged_rerun_skips_every_certificate(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    seed_certified(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    before = current(engine)
    files = {
        pid: (settings.workspace / c.stored_path).stat().st_mtime_ns for pid, c in before.items()
    }

    summary = issue_certificates_now(settings, 2024, date(2025, 1, 20))

    assert (summary.issued, summary.reissued, summary.unchanged) == (0, 0, 3)
    after = current(engine)
    assert {p: (c.sha256, c.issued_at, c.issued_on) for p, c in after.items()} == {
        p: (c.sha256, c.issued_at, c.issued_on) for p, c in before.items()
    }
    assert {
        p: (settings.workspace / c.stored_path).stat().st_mtime_ns for p, c in after.items()
    } == files


def test_a_changed_name_is_a_new_version_under_a_new_number_and_the_first_issue_stays(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = seed_certified(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    [first] = [c for c in issues(engine) if c.participation_id == ids[3]]
    first_file = settings.workspace / first.stored_path
    held = first_file.read_bytes()
    rename_unit(engine, 3, NEW_NAME)
    with session_scope(engine) as session:
        newcomer = add_participation(session, 0, [], P.APPROVED)  # sorts before every USCC

    summary = issue_certificates_now(settings, 2024, LATER)

    assert (summary.issued, summary.reissued, summary.unchanged) == (1, 1, 2)
    history = [c for c in issues(engine) if c.participation_id == ids[3]]
    assert [c.version for c in history] == [1, 2]
    old, new = history
    assert old.model_dump() == first.model_dump()  # never updated
    assert first_file.read_bytes() == held  # nor its file touched
    assert new.number == make_number(2024, 5)  # the newcomer took 4 (USCC order)
    assert new.number != old.number
    assert (new.issued_on, new.stored_path) == (
        LATER,
        f"release/2024/certificates/{new.number}.pdf",
    )
    assert old.number in new.reason
    assert sha256_file(settings.workspace / new.stored_path) == new.sha256
    assert NEW_NAME in pdf_text(settings.workspace / new.stored_path)
    assert current(engine)[newcomer].number == make_number(2024, 4)
    again = issue_certificates_now(settings, 2024, LATER)
    assert (again.issued, again.reissued, again.unchanged) == (0, 0, 4)


def test_a_deleted_or_altered_file_is_restored_to_the_same_bytes_without_a_new_issue(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = seed_certified(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    gone, altered = current(engine)[ids[2]], current(engine)[ids[1]]
    (settings.workspace / gone.stored_path).unlink()
    (settings.workspace / altered.stored_path).write_bytes(b"%PDF-1.4 not the issued file")

    summary = issue_certificates_now(settings, 2024, LATER)

    assert (summary.restored, summary.issued, summary.reissued, summary.unchanged) == (2, 0, 0, 1)
    assert len(issues(engine)) == 3
    for row in (gone, altered):
        assert sha256_file(settings.workspace / row.stored_path) == row.sha256


def _refuse_certificate_rows(session: Session, _flush: UOWTransaction) -> None:
    """Fail a flush that writes a certificate row (the database refusing the commit)."""
    if any(isinstance(row, Certificate) for row in (*session.new, *session.dirty)):
        raise RuntimeError("the database refused the certificate row")


def test_a_failure_before_the_commit_leaves_no_row_and_the_issued_file_intact(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = seed_certified(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    before = issues(engine)
    held = settings.workspace / current(engine)[ids[3]].stored_path
    content = held.read_bytes()
    folder = held.parent
    files = sorted(p.name for p in folder.iterdir())
    rename_unit(engine, 3, NEW_NAME)

    event.listen(Session, "after_flush", _refuse_certificate_rows)
    try:
        with pytest.raises(RuntimeError, match="refused"):
            issue_certificates_now(settings, 2024, LATER)
    finally:
        event.remove(Session, "after_flush", _refuse_certificate_rows)

    assert [c.model_dump() for c in issues(engine)] == [c.model_dump() for c in before]
    assert held.read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == files  # no stray temporary file
    assert issue_certificates_now(settings, 2024, LATER).reissued == 1  # the next run does it


def _meet_at_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each thread's first rendering wait (up to 1 s) until another thread renders too, so
    two runs that plan outside a lock both reach their rendering before either writes."""
    real = pdf.render_certificate
    arrived: set[int] = set()
    guard = threading.Lock()

    def render(data: CertificateData, font: LoadedFont) -> bytes:
        me = threading.get_ident()
        with guard:
            first = me not in arrived
            arrived.add(me)
        deadline = time.monotonic() + 1.0
        while first and len(arrived) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        return real(data, font)

    monkeypatch.setattr(pdf, "render_certificate", render)


def _at_once(settings: Settings, as_of: date) -> list[object]:
    """Run two issuing runs in two threads at once; return their summaries or errors."""
    results: list[object] = []

    def run() -> None:
        try:
            results.append(issue_certificates_now(settings, 2024, as_of))
        except Exception as error:  # the test shows it
            results.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_runs_issuing_at_once_never_give_a_number_or_a_version_twice(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed_certified(engine, campaign_2024)
    _meet_at_rendering(monkeypatch)

    first = _at_once(settings, AS_OF)
    rename_unit(engine, 3, NEW_NAME)
    _meet_at_rendering(monkeypatch)
    second = _at_once(settings, LATER)

    errors = [r for r in first + second if isinstance(r, Exception)]
    assert errors == []
    rows = issues(engine)
    assert sorted(c.number for c in rows) == [make_number(2024, s) for s in range(1, 5)]
    assert sorted((c.participation_id, c.version) for c in rows) == sorted(
        [(ids[1], 1), (ids[2], 1), (ids[3], 1), (ids[3], 2)]
    )
    for row in rows:
        assert sha256_file(settings.workspace / row.stored_path) == row.sha256


def test_the_participations_certified_are_exactly_approved_and_released(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = seed_certified(engine, campaign_2024)

    issue_certificates_now(settings, 2024, AS_OF)

    with session_scope(engine) as session:
        statuses = {p.id: p.status for p in session.exec(select(Participation)) if p.id is not None}
    certified = set(current(engine))
    assert certified == {pid for pid, s in statuses.items() if s in (P.APPROVED, P.RELEASED)}
    assert ids[4] not in certified
    assert ids[5] not in certified


def test_a_live_review_outcome_changing_after_the_decision_changes_no_certificate(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = seed_certified(engine, campaign_2024)
    with session_scope(engine) as session:
        session.add(decision(ids[1], 88.0, "四星半级"))
    issue_certificates_now(settings, 2024, AS_OF)
    before = issues(engine)
    with session_scope(engine) as session:
        session.add(  # a late sheet renormalised the live outcome after the decision
            ReviewOutcome(
                campaign_year=2024,
                participation_id=ids[1],
                normalised_score=59.0,
                raw_score=59.0,
                reviews=3,
                spread=5.0,
                grade="二星级",
                recommendation="revise",
                decided_on=AS_OF,
            )
        )

    summary = issue_certificates_now(settings, 2024, LATER)

    assert (summary.issued, summary.reissued, summary.unchanged) == (0, 0, 3)
    assert [c.model_dump() for c in issues(engine)] == [c.model_dump() for c in before]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_run_that_wrote_certificates_links_their_folder_and_a_rerun_does_not(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    from artifactkit import run_artifacts

    seed_certified(engine, campaign_2024)

    first = issue_certificates(settings, 2024, AS_OF, return_state=True)
    again = issue_certificates(settings, 2024, AS_OF, return_state=True)

    [link] = run_artifacts(task_run=first.state_details.task_run_id, links=True)
    folder = (settings.workspace / "release" / "2024" / "certificates").resolve()
    assert str(link.data) == f"[2024/certificates]({folder.as_uri()})"
    assert link.description.startswith("证书 3 份 PDF")
    assert run_artifacts(task_run=again.state_details.task_run_id, links=True) == []
