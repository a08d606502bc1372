"""Issuing certificates from the database: one per approved or released unit, numbered in USCC
order and kept, unchanged ones skipped, changed ones re-rendered under the same number; then
verification by number and by file: genuine, tampered, missing, unknown."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import add_association, add_participation, make_uscc
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.certificate_number import make_number
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Certificate, Commendation
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Submission, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.common.submissions import sha256_file
from tasks.release.certificates.issue import issue_certificates, issue_certificates_now
from tasks.release.certificates.verify import Verdict, verify_certificate
from tasks.store import session_scope

P = ParticipationStatus
REPO = Path(__file__).resolve().parents[4]
AS_OF = date(2025, 1, 16)
AT = datetime(2024, 12, 20, 2, 0, tzinfo=UTC)


def _seed(engine: Engine, campaign: CampaignFile) -> dict[int, int]:
    """Units 1 approved (form title, approved commendation), 2 released, 3 approved (removed
    commendation, no form), 4 in review, 5 removed; return participation ids by unit."""
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
        a1 = add_association(session, "A001")
        ids = {
            1: add_participation(session, 1, [a1], P.APPROVED),
            2: add_participation(session, 2, [a1], P.RELEASED),
            3: add_participation(session, 3, [a1], P.APPROVED),
            4: add_participation(session, 4, [a1], P.IN_REVIEW),
            5: add_participation(session, 5, [a1], P.REMOVED),
        }
        for version, title in ((1, "旧标题"), (2, "上海测试0001科技有限公司2023可持续发展报告")):
            session.add(
                Submission(
                    campaign_year=2024,
                    participation_id=ids[1],
                    kind=SubmissionKind.BASIC_INFO,
                    version=version,
                    stored_path=f"archive/2024/basic_info/1-{version}",
                    sha256=f"{version:064x}",
                    size=10,
                    received_on=AT.date(),
                    received_at=AT,
                    data={"report_title": title, "employees": 10},
                )
            )
        for pid, status, title in (
            (ids[1], "approved", "社会责任报告优秀企业"),
            (ids[3], "removed", "提名未通过的表彰"),
        ):
            session.add(
                Commendation(
                    campaign_year=2024,
                    participation_id=pid,
                    kind="excellent_unit",
                    title=title,
                    rank=1,
                    proposed_on=AT.date(),
                    status=status,
                )
            )
    return ids


@pytest.fixture
def settings(engine: Engine, database_url: str, tmp_path: Path) -> Settings:
    """Settings on the test database and a fresh workspace."""
    return Settings(
        workspace=tmp_path / "ws", database_url=database_url, campaigns_dir=REPO / "campaigns"
    )


def _certificates(engine: Engine) -> dict[int, Certificate]:
    with session_scope(engine) as session:
        return {c.participation_id: c for c in session.exec(select(Certificate))}


def _text(path: Path) -> str:
    return PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text()


def test_every_approved_or_released_unit_gets_one_numbered_certificate(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = _seed(engine, campaign_2024)

    summary = issue_certificates.fn(settings, 2024, AS_OF)

    assert (summary.issued, summary.reissued, summary.unchanged) == (3, 0, 0)
    assert summary.folder == "release/2024/certificates"
    assert summary.font_embedded
    rows = _certificates(engine)
    assert sorted(rows) == sorted([ids[1], ids[2], ids[3]])
    assert [rows[ids[n]].number for n in (1, 2, 3)] == [make_number(2024, s) for s in (1, 2, 3)]
    for row in rows.values():
        path = settings.workspace / row.stored_path
        assert row.stored_path == f"release/2024/certificates/{row.number}.pdf"
        assert sha256_file(path) == row.sha256
        assert row.issued_on == AS_OF
    one = _text(settings.workspace / rows[ids[1]].stored_path)
    three = _text(settings.workspace / rows[ids[3]].stored_path)
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
    _seed(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    before = _certificates(engine)
    files = {
        pid: (settings.workspace / c.stored_path).stat().st_mtime_ns for pid, c in before.items()
    }

    summary = issue_certificates_now(settings, 2024, date(2025, 1, 20))

    assert (summary.issued, summary.reissued, summary.unchanged) == (0, 0, 3)
    after = _certificates(engine)
    assert {p: (c.sha256, c.issued_at, c.issued_on) for p, c in after.items()} == {
        p: (c.sha256, c.issued_at, c.issued_on) for p, c in before.items()
    }
    assert {
        p: (settings.workspace / c.stored_path).stat().st_mtime_ns for p, c in after.items()
    } == files


def test_a_changed_name_is_rendered_again_under_the_same_number_and_new_units_come_last(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = _seed(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    before = _certificates(engine)
    with session_scope(engine) as session:
        unit = session.exec(select(Unit).where(Unit.uscc == make_uscc(3))).one()
        unit.name = "上海更名0003集团有限公司"
        session.add(unit)
        first = add_participation(session, 0, [], P.APPROVED)  # sorts before every other USCC

    summary = issue_certificates_now(settings, 2024, date(2025, 2, 1))

    assert make_uscc(0) < make_uscc(1)
    assert (summary.issued, summary.reissued, summary.unchanged) == (1, 1, 2)
    after = _certificates(engine)
    assert after[ids[3]].number == before[ids[3]].number
    assert after[ids[3]].issued_on == AS_OF
    assert after[ids[3]].sha256 != before[ids[3]].sha256
    assert "上海更名0003集团有限公司" in _text(settings.workspace / after[ids[3]].stored_path)
    assert after[first].number == make_number(2024, 4)
    assert after[first].issued_on == date(2025, 2, 1)
    assert after[ids[1]].sha256 == before[ids[1]].sha256


def test_a_deleted_file_is_rendered_again_to_the_same_bytes(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = _seed(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    row = _certificates(engine)[ids[2]]
    (settings.workspace / row.stored_path).unlink()

    summary = issue_certificates_now(settings, 2024, AS_OF)

    assert (summary.reissued, summary.unchanged) == (1, 2)
    assert sha256_file(settings.workspace / row.stored_path) == row.sha256


def test_verify_by_number_and_by_file(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    ids = _seed(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    row = _certificates(engine)[ids[1]]
    stored = settings.workspace / row.stored_path
    sent = tmp_path / "received.pdf"
    shutil.copyfile(stored, sent)

    by_number = verify_certificate(settings, None, row.number.lower())
    by_file = verify_certificate(settings, 2024, str(sent))

    assert (by_number.verdict, by_number.number, by_number.unit_name) == (
        Verdict.GENUINE,
        row.number,
        "上海测试0001科技有限公司",
    )
    assert by_number.issued_on == AS_OF
    assert (by_file.verdict, by_file.number) == (Verdict.GENUINE, row.number)
    assert verify_certificate(settings, 2025, row.number).verdict is Verdict.UNKNOWN


@pytest.mark.parametrize("where", [0.5, 0.9])
def test_a_tampered_certificate_fails_by_number_and_by_file(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile, tmp_path: Path, where: float
) -> None:
    ids = _seed(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    row = _certificates(engine)[ids[2]]
    stored = settings.workspace / row.stored_path
    content = bytearray(stored.read_bytes())
    content[int(len(content) * where)] ^= 0x01
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(bytes(content))
    stored.write_bytes(bytes(content))

    by_number = verify_certificate(settings, 2024, row.number)
    by_file = verify_certificate(settings, None, str(forged))

    assert (by_number.verdict, by_number.number) == (Verdict.TAMPERED, row.number)
    assert (by_file.verdict, by_file.number) == (Verdict.TAMPERED, row.number)
    assert not by_file.genuine


def test_unknown_numbers_files_and_missing_files(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    ids = _seed(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    row = _certificates(engine)[ids[3]]
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\nnot really a certificate\n")
    typo = row.number[:-1] + str((int(row.number[-1]) + 1) % 10)

    assert verify_certificate(settings, None, make_number(2024, 99)).verdict is Verdict.UNKNOWN
    assert verify_certificate(settings, None, typo).verdict is Verdict.UNKNOWN
    assert "check digit" in verify_certificate(settings, None, typo).detail
    assert verify_certificate(settings, None, str(other)).verdict is Verdict.UNKNOWN
    (settings.workspace / row.stored_path).unlink()
    assert verify_certificate(settings, None, row.number).verdict is Verdict.MISSING


def test_the_participations_certified_are_exactly_approved_and_released(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile
) -> None:
    ids = _seed(engine, campaign_2024)

    issue_certificates_now(settings, 2024, AS_OF)

    with session_scope(engine) as session:
        statuses = {p.id: p.status for p in session.exec(select(Participation)) if p.id is not None}
    certified = set(_certificates(engine))
    assert certified == {pid for pid, s in statuses.items() if s in (P.APPROVED, P.RELEASED)}
    assert ids[4] not in certified
    assert ids[5] not in certified
