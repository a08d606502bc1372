"""`campaign verify`: is this certificate genuine, superseded by a newer issue, or tampered?

Certificates are an append-only history (a re-issue adds a version under a new number), so:

- by file: a file whose sha256 is that of an issue is GENUINE when that issue is its unit's
  current one, SUPERSEDED when a newer issue replaced it (the answer names the newer number and
  its issue date); a file matching no issue is TAMPERED when the number it claims (document
  subject and keywords, printed text, file name) is one we issued (its content differs from that
  issue), else UNKNOWN;
- by number: the issue recorded under that number and whether its stored file still has the
  recorded sha256 (MISSING when gone, TAMPERED when changed), then GENUINE or SUPERSEDED as above.

Details are Chinese first, English after. Reads the database and files only; never imports
prefect.
"""

from __future__ import annotations

import logging
from datetime import date
from enum import StrEnum
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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

    GENUINE = "genuine"  # the unit's current certificate, unchanged
    SUPERSEDED = "superseded"  # a real earlier issue, replaced by a newer number
    TAMPERED = "tampered"  # claims a certificate we issued, but its bytes differ from every issue
    MISSING = "missing"  # a number we issued whose stored file is gone
    UNKNOWN = "unknown"  # not a number or file we issued


class Verification(BaseModel):
    """The answer for one number or file, with the issue it concerns when known."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    detail: str  # Chinese first, English after
    number: str | None = None
    campaign_year: int | None = None
    unit_name: str | None = None
    issued_on: date | None = None
    version: int | None = None
    superseded_by: str | None = None  # the unit's current number, when this issue is older
    superseded_on: date | None = None  # and the day it was issued

    @property
    def genuine(self) -> bool:
        """Return whether the certificate is the current one, genuine and unchanged."""
        return self.verdict is Verdict.GENUINE


def number_from_scan(text: str) -> str:
    """Return the certificate number a QR code's text holds (the address's `n`), else the text.

    A certificate's QR code holds `<verify address>?n=<number>`, or the number alone. Pure.
    """
    stripped = text.strip()
    if not stripped.lower().startswith(("http://", "https://")):
        return stripped
    numbers = parse_qs(urlsplit(stripped).query).get("n", [])
    return numbers[0].strip() if numbers else stripped


def verify_certificate(
    settings: Settings, campaign_year: int | None, number_or_path: str
) -> Verification:
    """Verify a certificate given by number or by PDF file (an existing path is a file).

    Side effects: reads the database (one short transaction) and the files concerned.
    """
    number_or_path = number_from_scan(number_or_path)
    path = Path(number_or_path).expanduser()
    with campaign_session(settings) as session:
        if path.is_file():
            return _by_file(session, campaign_year, path)
        return _by_number(session, settings, campaign_year, number_or_path)


def _current(session: Session, row: Certificate) -> Certificate:
    """Return the newest issue of the participation `row` was issued to."""
    newest = session.exec(
        select(Certificate)
        .where(Certificate.campaign_year == row.campaign_year)
        .where(Certificate.participation_id == row.participation_id)
        .order_by(col(Certificate.version).desc())
    ).first()
    return newest or row


def _answer(
    session: Session, row: Certificate, verdict: Verdict | None, detail: str = ""
) -> Verification:
    """Return a verification naming the issue's number, campaign, unit and issue date.

    `verdict` None: GENUINE when `row` is the current issue, else SUPERSEDED (with the newer
    number and date). `detail` is said first, the supersession after.
    """
    unit_name = session.exec(
        select(Unit.name)
        .join(Participation, col(Participation.unit_id) == col(Unit.id))
        .where(Participation.id == row.participation_id)
    ).first()
    current = _current(session, row)
    newer = current if current.version > row.version else None
    if verdict is None:
        verdict = Verdict.GENUINE if newer is None else Verdict.SUPERSEDED
    if newer is not None:
        replaced = (
            f"此证书已于{newer.issued_on.isoformat()}由新证书{newer.number}替换 / replaced by "
            f"{newer.number}, issued on {newer.issued_on.isoformat()}"
        )
        detail = f"{detail}；{replaced}" if detail else replaced
    elif not detail:
        detail = "现行有效证书 / the current certificate"
    return Verification(
        verdict=verdict,
        detail=detail,
        number=row.number,
        campaign_year=row.campaign_year,
        unit_name=unit_name,
        issued_on=row.issued_on,
        version=row.version,
        superseded_by=None if newer is None else newer.number,
        superseded_on=None if newer is None else newer.issued_on,
    )


def _record(session: Session, campaign_year: int | None, number: str) -> Certificate | None:
    """Return the issue recorded under a valid number (in `campaign_year` when given)."""
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
    """Verify the stored file of the issue recorded under a number."""
    number = normalise_number(text)
    if parse_number(number) is None:
        detail = (
            f"{number!r}不是证书编号（格式或校验位错误） / not a certificate number "
            "(shape or check digit wrong)"
        )
        return Verification(verdict=Verdict.UNKNOWN, detail=detail, number=number)
    row = _record(session, campaign_year, number)
    if row is None:
        where = f"{campaign_year}年度" if campaign_year is not None else ""
        scope = f" in campaign {campaign_year}" if campaign_year is not None else ""
        detail = f"{where}未签发过证书{number} / no certificate {number} was issued{scope}"
        return Verification(verdict=Verdict.UNKNOWN, detail=detail, number=number)
    stored = settings.inside_workspace(row.stored_path)
    if not stored.is_file():
        detail = f"签发的文件{row.stored_path}已不存在 / the issued file is gone"
        return _answer(session, row, Verdict.MISSING, detail)
    if sha256_file(stored) != row.sha256:
        detail = f"{row.stored_path}与签发时的文件不同 / differs from the file issued (sha256)"
        return _answer(session, row, Verdict.TAMPERED, detail)
    return _answer(session, row, None)


def _by_file(session: Session, campaign_year: int | None, path: Path) -> Verification:
    """Verify a PDF file by its sha256 against every issue, else by the number it claims."""
    query = select(Certificate).where(Certificate.sha256 == sha256_file(path))
    if campaign_year is not None:
        query = query.where(Certificate.campaign_year == campaign_year)
    row = session.exec(query).first()
    if row is not None:
        return _answer(session, row, None)
    for number in claimed_numbers(path):
        row = _record(session, campaign_year, number)
        if row is not None:
            detail = (
                f"文件自称证书{row.number}，但内容与签发的任何版本都不同 / the file claims this "
                "number but its content differs from every issue"
            )
            return _answer(session, row, Verdict.TAMPERED, detail)
    detail = (
        "此文件不是本活动签发的证书，也未声称任何已签发的编号 / the file is no certificate we "
        "issued and claims no number we issued"
    )
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
