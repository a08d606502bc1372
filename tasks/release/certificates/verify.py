"""`campaign verify`: is this certificate genuine and unchanged?

By number: the certificate recorded under that number, and whether its stored file still has the
sha256 recorded when it was issued. By file: the file's sha256 must be the recorded sha256 of a
certificate (genuine); otherwise the number it claims (document subject and keywords, printed
text, file name) tells which certificate it pretends to be (tampered), and a file claiming no
known number is unknown. Reads the database and files only; never imports prefect.
"""

from __future__ import annotations

import logging
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from pypdf import PdfReader
from sqlmodel import Session, col, select

from schemas.certificate_number import find_numbers, normalise_number, parse_number
from schemas.release_tables import Certificate
from schemas.settings import Settings
from schemas.tables import Participation, Unit
from tasks.common.submissions import sha256_file
from tasks.store import campaign_session


class Verdict(StrEnum):
    """What verification found."""

    GENUINE = "genuine"  # issued by us and unchanged
    TAMPERED = "tampered"  # claims a certificate we issued, but its bytes differ
    MISSING = "missing"  # a number we issued whose stored file is gone
    UNKNOWN = "unknown"  # not a number or file we issued


class Verification(BaseModel):
    """The answer for one number or file, with the certificate it concerns when known."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    detail: str
    number: str | None = None
    campaign_year: int | None = None
    unit_name: str | None = None
    issued_on: date | None = None

    @property
    def genuine(self) -> bool:
        """Return whether the certificate is genuine and unchanged."""
        return self.verdict is Verdict.GENUINE


def verify_certificate(
    settings: Settings, campaign_year: int | None, number_or_path: str
) -> Verification:
    """Verify a certificate given by number or by PDF file (an existing path is a file).

    Side effects: reads the database (one short transaction) and the files concerned.
    """
    path = Path(number_or_path).expanduser()
    with campaign_session(settings) as session:
        if path.is_file():
            return _by_file(session, settings, campaign_year, path)
        return _by_number(session, settings, campaign_year, number_or_path)


def _answer(session: Session, row: Certificate, verdict: Verdict, detail: str) -> Verification:
    """Return a verification naming the certificate's number, campaign, unit and issue date."""
    unit_name = session.exec(
        select(Unit.name)
        .join(Participation, col(Participation.unit_id) == col(Unit.id))
        .where(Participation.id == row.participation_id)
    ).first()
    return Verification(
        verdict=verdict,
        detail=detail,
        number=row.number,
        campaign_year=row.campaign_year,
        unit_name=unit_name,
        issued_on=row.issued_on,
    )


def _record(session: Session, campaign_year: int | None, number: str) -> Certificate | None:
    """Return the certificate recorded under a valid number (in `campaign_year` when given)."""
    parsed = parse_number(number)
    if parsed is None or (campaign_year is not None and parsed[0] != campaign_year):
        return None
    return session.exec(
        select(Certificate)
        .where(Certificate.campaign_year == parsed[0])
        .where(Certificate.number == normalise_number(number))
    ).first()


def _by_number(
    session: Session, settings: Settings, campaign_year: int | None, text: str
) -> Verification:
    """Verify the stored file of the certificate recorded under a number."""
    number = normalise_number(text)
    parsed = parse_number(number)
    if parsed is None:
        detail = f"{number!r} is not a certificate number (shape or check digit wrong)"
        return Verification(verdict=Verdict.UNKNOWN, detail=detail, number=number)
    row = _record(session, campaign_year, number)
    if row is None:
        where = f" in campaign {campaign_year}" if campaign_year is not None else ""
        detail = f"no certificate {number} was issued{where}"
        return Verification(verdict=Verdict.UNKNOWN, detail=detail, number=number)
    stored = settings.inside_workspace(row.stored_path)
    if not stored.is_file():
        return _answer(session, row, Verdict.MISSING, f"the issued file {row.stored_path} is gone")
    if sha256_file(stored) != row.sha256:
        detail = f"{row.stored_path} differs from the file issued (sha256 changed)"
        return _answer(session, row, Verdict.TAMPERED, detail)
    return _answer(session, row, Verdict.GENUINE, f"{row.stored_path} is the file issued")


def _by_file(
    session: Session, settings: Settings, campaign_year: int | None, path: Path
) -> Verification:
    """Verify a PDF file by its sha256, else by the number it claims."""
    digest = sha256_file(path)
    query = select(Certificate).where(Certificate.sha256 == digest)
    if campaign_year is not None:
        query = query.where(Certificate.campaign_year == campaign_year)
    row = session.exec(query).first()
    if row is not None:
        return _answer(session, row, Verdict.GENUINE, "the file is exactly the one issued")
    for number in claimed_numbers(path):
        row = _record(session, campaign_year, number)
        if row is not None:
            detail = "the file claims this number but differs from the file issued"
            return _answer(session, row, Verdict.TAMPERED, detail)
    detail = "the file is no certificate we issued and claims no number we issued"
    return Verification(verdict=Verdict.UNKNOWN, detail=detail)


def claimed_numbers(path: Path) -> list[str]:
    """Return the valid certificate numbers a file claims: metadata, page text, file name.

    A damaged PDF yields what could still be read (pypdf's complaints are not logged).
    """
    texts: list[str] = []
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(path, strict=False)
        info = reader.metadata
        if info is not None:
            texts += [str(info.get(key, "")) for key in ("/Subject", "/Keywords", "/Title")]
        for page in reader.pages[:2]:
            try:
                texts.append(page.extract_text() or "")
            except Exception:  # a damaged content stream: keep what the metadata said
                continue
    except Exception:  # not a readable PDF at all: only the file name can still say something
        pass
    finally:
        pypdf_log.setLevel(level)
    texts.append(path.stem)
    found: list[str] = []
    for number in find_numbers("\n".join(texts)):
        if number not in found:
            found.append(number)
    return found
