"""Release certificates: one PDF per approved unit, numbered once, re-rendered only on change.

`issue_certificates` reads every approved (or already released) participation with its unit, the
report title of its latest basic-information form and its approved commendations; plans each
certificate (tasks/release/certificates/plan.py, pure); renders the new and changed ones in a batch
(tasks/release/certificates/pdf.py) into workspace/release/<year>/certificates/<number>.pdf; and
records number, file, sha256 of the PDF and of the printed values in Certificate rows.

- A number is given once and kept in the row; new certificates take the next sequence numbers
  in USCC order (schemas/certificate_number.py).
- The issue date printed is the day of first issue (`as_of` then); a re-render keeps it.
- Unchanged: same data fingerprint (printed values, layout version, font) and the file still
  there with the recorded sha256 -> skipped. Anything else is rendered again under its number.
- The database is read in one short transaction and written in another; rendering happens in
  between, so minutes of rendering never hold a lock.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import select

from schemas.campaign_file import load_campaign_file
from schemas.release_tables import Certificate
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.submissions import sha256_file
from tasks.release.certificates.fonts import choose_font
from tasks.release.certificates.pdf import render_many
from tasks.release.certificates.plan import certified_participations, plan_certificates
from tasks.store import campaign_session


class CertificatesSummary(BaseModel):
    """What one run of certificate issuing did."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    issued: int  # new numbers
    reissued: int  # printed values, layout or font changed: rendered again, same number
    unchanged: int  # skipped
    folder: str  # relative to the workspace
    font: str
    font_embedded: bool


def _write(path: Path, content: bytes) -> None:
    """Write a file whole or not at all (a temporary file beside it, then rename)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def _present(settings: Settings, existing: Sequence[Certificate]) -> dict[str, str]:
    """Return the sha256 of every recorded certificate file that exists, by stored path."""
    found = {}
    for row in existing:
        path = settings.inside_workspace(row.stored_path)
        if path.is_file():
            found[row.stored_path] = sha256_file(path)
    return found


def issue_certificates_now(
    settings: Settings, campaign_year: int, as_of: date
) -> CertificatesSummary:
    """Render and record the certificates of every approved unit; skip unchanged ones.

    Side effects: writes PDFs under workspace/release/<year>/certificates/ (in up to
    `settings.pdf_workers` processes); inserts and updates Certificate rows.
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    font = choose_font(settings.certificate_font)
    with campaign_session(settings) as session:
        certified = certified_participations(session, campaign_year, campaign.campaign.report_year)
        existing = list(
            session.exec(select(Certificate).where(Certificate.campaign_year == campaign_year))
        )
    plans = plan_certificates(
        campaign, certified, existing, as_of, font, _present(settings, existing)
    )
    todo = [p for p in plans if p.render]
    folder = settings.inside_workspace("release", str(campaign_year), "certificates")
    folder.mkdir(parents=True, exist_ok=True)
    digests: dict[int, str] = {}
    pdfs = render_many([p.data for p in todo], font, settings.pdf_workers)
    for plan, pdf in zip(todo, pdfs, strict=True):
        _write(settings.inside_workspace(plan.stored_path), pdf)
        digests[plan.participation_id] = hashlib.sha256(pdf).hexdigest()
    now = now_utc()
    with campaign_session(settings) as session:
        for plan in todo:
            digest = digests[plan.participation_id]
            if plan.certificate_id is None:
                row = Certificate(
                    campaign_year=campaign_year,
                    participation_id=plan.participation_id,
                    number=plan.data.number,
                    stored_path=plan.stored_path,
                    sha256=digest,
                    data_sha256=plan.data_sha256,
                    issued_on=plan.data.issued_on,
                    issued_at=now,
                )
            else:
                row = session.get_one(Certificate, plan.certificate_id)
                row.stored_path = plan.stored_path
                row.sha256 = digest
                row.data_sha256 = plan.data_sha256
                row.issued_at = now
            session.add(row)
    new = sum(1 for p in todo if p.certificate_id is None)
    return CertificatesSummary(
        campaign_year=campaign_year,
        issued=new,
        reissued=len(todo) - new,
        unchanged=len(plans) - len(todo),
        folder=str(folder.relative_to(settings.workspace)),
        font=font.fingerprint,
        font_embedded=font.embedded,
    )


@task(name="issue-certificates", cache_policy=NO_CACHE)
def issue_certificates(settings: Settings, campaign_year: int, as_of: date) -> CertificatesSummary:
    """Issue the release certificates (see `issue_certificates_now`): PDFs and Certificate rows."""
    return issue_certificates_now(settings, campaign_year, as_of)
