"""Verifying certificates on real PDFs: the current issue is genuine, an earlier issue the unit
legitimately holds is superseded (naming the newer number and date), one changed byte is
tampered, and numbers or files we never issued are unknown; a gone file is missing."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from certificatekit import current, issues, rename_unit, seed_certified
from sqlalchemy.engine import Engine

from schemas.campaign_file import CampaignFile
from schemas.certificate_number import make_number
from schemas.settings import Settings
from tasks.release.certificates.issue import issue_certificates_now
from tasks.release.certificates.verify import Verdict, number_from_scan, verify_certificate

REPO = Path(__file__).resolve().parents[4]
AS_OF = date(2025, 1, 16)
LATER = date(2025, 2, 1)


@pytest.fixture
def settings(engine: Engine, database_url: str, tmp_path: Path) -> Settings:
    """Settings on the test database and a fresh workspace."""
    return Settings(
        workspace=tmp_path / "ws", database_url=database_url, campaigns_dir=REPO / "campaigns"
    )


def _one_byte_changed(source: Path, target: Path, where: float) -> Path:
    content = bytearray(source.read_bytes())
    content[int(len(content) * where)] ^= 0x01
    target.write_bytes(bytes(content))
    return target


def test_verify_by_number_and_by_file(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    ids = seed_certified(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    row = current(engine)[ids[1]]
    sent = tmp_path / "received.pdf"
    shutil.copyfile(settings.workspace / row.stored_path, sent)

    by_number = verify_certificate(settings, None, row.number.lower())
    by_file = verify_certificate(settings, 2024, str(sent))

    assert (by_number.verdict, by_number.number, by_number.unit_name) == (
        Verdict.GENUINE,
        row.number,
        "上海测试0001科技有限公司",
    )
    assert (by_number.issued_on, by_number.superseded_by) == (AS_OF, None)
    assert (by_file.verdict, by_file.number, by_file.version) == (Verdict.GENUINE, row.number, 1)
    assert by_file.genuine
    assert verify_certificate(settings, 2025, row.number).verdict is Verdict.UNKNOWN


def test_the_pdf_a_unit_holds_from_before_a_name_correction_is_superseded_not_tampered(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    ids = seed_certified(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    first = current(engine)[ids[3]]
    held = tmp_path / "held.pdf"  # the copy the unit was mailed
    shutil.copyfile(settings.workspace / first.stored_path, held)
    rename_unit(engine, 3, "上海更名0003集团有限公司")
    issue_certificates_now(settings, 2024, LATER)
    newer = current(engine)[ids[3]]

    old_file = verify_certificate(settings, None, str(held))
    old_number = verify_certificate(settings, 2024, first.number)
    new_file = verify_certificate(settings, None, str(settings.workspace / newer.stored_path))

    assert old_file.verdict.value == "superseded"  # was: "tampered"
    assert newer.number == make_number(2024, 4)
    for answer in (old_file, old_number):
        assert (answer.verdict, answer.number, answer.issued_on) == (
            Verdict.SUPERSEDED,
            first.number,
            AS_OF,
        )
        assert (answer.superseded_by, answer.superseded_on) == (newer.number, LATER)
        assert newer.number in answer.detail
        assert answer.detail.index("替换") < answer.detail.index("replaced")  # Chinese first
        assert not answer.genuine
    assert (new_file.verdict, new_file.number, new_file.version) == (
        Verdict.GENUINE,
        newer.number,
        2,
    )
    assert len(issues(engine)) == 4


@pytest.mark.parametrize("where", [0.5, 0.9])
def test_one_changed_byte_is_tampered_by_number_and_by_file(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile, tmp_path: Path, where: float
) -> None:
    ids = seed_certified(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    row = current(engine)[ids[2]]
    stored = settings.workspace / row.stored_path
    forged = _one_byte_changed(stored, tmp_path / "forged.pdf", where)
    shutil.copyfile(forged, stored)

    by_number = verify_certificate(settings, 2024, row.number)
    by_file = verify_certificate(settings, None, str(forged))

    assert (by_number.verdict, by_number.number) == (Verdict.TAMPERED, row.number)
    assert (by_file.verdict, by_file.number) == (Verdict.TAMPERED, row.number)
    assert "内容" in by_file.detail
    assert "differs" in by_file.detail
    assert not by_file.genuine


def test_unknown_numbers_files_and_missing_files(
    engine: Engine, settings: Settings, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    ids = seed_certified(engine, campaign_2024)
    issue_certificates_now(settings, 2024, AS_OF)
    row = current(engine)[ids[3]]
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\nnot really a certificate\n")
    typo = row.number[:-1] + str((int(row.number[-1]) + 1) % 10)

    assert verify_certificate(settings, None, make_number(2024, 99)).verdict is Verdict.UNKNOWN
    assert verify_certificate(settings, None, typo).verdict is Verdict.UNKNOWN
    assert "check digit" in verify_certificate(settings, None, typo).detail
    assert verify_certificate(settings, None, str(other)).verdict is Verdict.UNKNOWN
    (settings.workspace / row.stored_path).unlink()
    assert verify_certificate(settings, None, row.number).verdict is Verdict.MISSING


@pytest.mark.parametrize(
    ("scanned", "number"),
    [
        ("https://csr.example.org/2024/verify.html?n=SHCSR-2024-00001-3", "SHCSR-2024-00001-3"),
        ("https://csr.example.org/v?lang=zh&n=SHCSR-2024-00002-1", "SHCSR-2024-00002-1"),
        (" SHCSR-2024-00001-3 ", "SHCSR-2024-00001-3"),
        ("https://csr.example.org/verify.html", "https://csr.example.org/verify.html"),
    ],
)
def test_the_number_is_read_from_what_a_qr_code_holds(scanned: str, number: str) -> None:
    assert number_from_scan(scanned) == number
