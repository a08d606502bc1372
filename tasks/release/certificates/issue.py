"""Release certificates: an append-only history of issues, one current issue per approved unit.

`issue_certificates` reads every approved (or already released) participation with its unit, the
report title of its latest basic-information form and its approved commendations; plans each
certificate (tasks/release/certificates/plan.py, pure) and then:

- issues a first certificate (version 1) to a unit that has none, and a new version to a unit
  whose printed values changed (a corrected name, say): a NEW number, dated `as_of`. The earlier
  issue's row and file are never changed or deleted, so the PDF the unit holds still verifies
  (as superseded by the newer number);
- restores the current issue's file when it is gone or altered (the same printed values render
  to the same bytes; a rendering that does not give the recorded sha256 is left alone, logged
  and counted);
- skips unchanged ones.

Write order, per batch of `BATCH` new issues, in one transaction: lock the campaign's issuing
(`SELECT ... FOR UPDATE` on the campaign row on PostgreSQL; SQLite serialises writers with
`BEGIN IMMEDIATE`), read the current issues and the next free number again, allocate the numbers,
render each PDF to a temporary file in the target folder, insert the rows and commit; only then
rename each temporary file into place (os.replace). A failure before the commit leaves no row
and removes the temporary files; no existing file is ever overwritten by a new issue (a new
number is a new file name). Two runs issuing at once wait for each other and never give the same
number or version twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.release_tables import Certificate
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Campaign
from tasks.common.file_links import publish_file
from tasks.common.fonts import FontChoice, choose_font
from tasks.common.submissions import sha256_file
from tasks.release.certificates.pdf import Render, printed_characters, renderer
from tasks.release.certificates.plan import (
    NEW_ISSUES,
    Action,
    Certified,
    Planned,
    certified_participations,
    current_issues,
    next_sequence,
    plan_certificates,
)
from tasks.store import campaign_session

logger = logging.getLogger(__name__)
BATCH = 250  # new issues per write transaction (~2 s of rendering on two cores)


class CertificatesSummary(BaseModel):
    """What one run of certificate issuing did."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    issued: int  # first issues (version 1)
    reissued: int  # printed values changed: a new version under a new number
    unchanged: int  # skipped (or issued meanwhile by another run)
    folder: str  # relative to the workspace
    font: str
    font_embedded: bool
    restored: int = 0  # the current issue's file was gone or altered: rendered again
    unrestorable: int = 0  # rendering again did not give the recorded file: left alone


def _present(settings: Settings, existing: Sequence[Certificate]) -> dict[str, str]:
    """Return the sha256 of every recorded certificate file that exists, by stored path."""
    found = {}
    for row in existing:
        path = settings.inside_workspace(row.stored_path)
        if path.is_file():
            found[row.stored_path] = sha256_file(path)
    return found


def _stage(final: Path, content: bytes) -> Path:
    """Write `content` to a new temporary file beside `final` and return its path."""
    handle, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.stem}.", suffix=".partial")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    return Path(name)


def _lock_issuing(session: Session, campaign_year: int) -> None:
    """Hold the campaign's certificate numbering until the transaction ends (row lock on
    PostgreSQL; on SQLite the transaction already holds the write lock)."""
    session.exec(select(Campaign).where(Campaign.year == campaign_year).with_for_update()).first()


def _record(session: Session, campaign_year: int, plan: Planned, pdf: bytes) -> None:
    """Add the Certificate row of one new issue to the transaction."""
    session.add(
        Certificate(
            campaign_year=campaign_year,
            participation_id=plan.participation_id,
            number=plan.data.number,
            stored_path=plan.stored_path,
            sha256=hashlib.sha256(pdf).hexdigest(),
            data_sha256=plan.data_sha256,
            version=plan.version,
            reason=plan.reason,
            issued_on=plan.data.issued_on,
            issued_at=now_utc(),
        )
    )


def _issue_batch(
    settings: Settings,
    campaign: CampaignFile,
    units: Sequence[Certified],
    as_of: date,
    font: FontChoice,
    render: Render,
) -> Counter[Action]:
    """Issue what `units` still need, in one locked transaction; then move the files in place.

    Side effects: inserts Certificate rows; writes PDFs (temporary files, renamed after the
    commit; removed when the transaction fails).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        with campaign_session(settings) as session:
            _lock_issuing(session, campaign.year)
            ids = [u.participation_id for u in units]
            current = list(current_issues(session, campaign.year, ids).values())
            first = next_sequence(session, campaign.year)
            plans = plan_certificates(campaign, units, current, as_of, font, {}, first)
            todo = [p for p in plans if p.action in NEW_ISSUES]
            for plan, pdf in zip(todo, render([p.data for p in todo]), strict=True):
                final = settings.inside_workspace(plan.stored_path)
                staged.append((_stage(final, pdf), final))
                _record(session, campaign.year, plan, pdf)
            session.flush()
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, final in staged:
        os.replace(temporary, final)
    done = Counter(p.action for p in todo)
    done[Action.UNCHANGED] += len(units) - len(todo)  # another run issued them meanwhile
    return done


def _restore(settings: Settings, plans: Sequence[Planned], render: Render) -> tuple[int, int]:
    """Render the current issues' files again where they match the recorded sha256; return
    (restored, unrestorable). Side effects: replaces those files atomically; logs the others."""
    restored = unrestorable = 0
    for plan, pdf in zip(plans, render([p.data for p in plans]), strict=True):
        if hashlib.sha256(pdf).hexdigest() != plan.expected_sha256:
            logger.warning("certificate %s renders differently now: left alone", plan.data.number)
            unrestorable += 1
            continue
        final = settings.inside_workspace(plan.stored_path)
        os.replace(_stage(final, pdf), final)
        restored += 1
    return restored, unrestorable


def issue_certificates_now(
    settings: Settings, campaign_year: int, as_of: date
) -> CertificatesSummary:
    """Issue, re-issue and restore the certificates of every approved unit; skip unchanged ones.

    Side effects: writes PDFs under workspace/release/<year>/certificates/ (in up to
    `settings.pdf_workers` processes); inserts Certificate rows (never updates or deletes one).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    font = choose_font(settings.certificate_font)
    with campaign_session(settings) as session:
        certified = certified_participations(session, campaign_year, campaign.campaign.report_year)
        current = list(current_issues(session, campaign_year).values())
    plans = plan_certificates(
        campaign, certified, current, as_of, font, _present(settings, current)
    )
    to_issue = [p for p in plans if p.action in NEW_ISSUES]
    to_restore = [p for p in plans if p.action is Action.RESTORE]
    folder = settings.inside_workspace("release", str(campaign_year), "certificates")
    folder.mkdir(parents=True, exist_ok=True)
    done: Counter[Action] = Counter(p.action for p in plans if not p.render)
    restored = unrestorable = 0
    if to_issue or to_restore:
        characters = printed_characters(p.data for p in to_issue + to_restore)
        units = {c.participation_id: c for c in certified}
        expected = len(to_issue) + len(to_restore)
        with renderer(font, settings.pdf_workers, expected, characters) as render:
            restored, unrestorable = _restore(settings, to_restore, render)
            for start in range(0, len(to_issue), BATCH):
                batch_units = [units[p.participation_id] for p in to_issue[start : start + BATCH]]
                done += _issue_batch(settings, campaign, batch_units, as_of, font, render)
    return CertificatesSummary(
        campaign_year=campaign_year,
        issued=done[Action.ISSUE],
        reissued=done[Action.REISSUE],
        unchanged=done[Action.UNCHANGED],
        folder=str(folder.relative_to(settings.workspace)),
        font=font.fingerprint,
        font_embedded=font.embedded,
        restored=restored,
        unrestorable=unrestorable,
    )


@task(name="issue-certificates", cache_policy=NO_CACHE)
def issue_certificates(settings: Settings, campaign_year: int, as_of: date) -> CertificatesSummary:
    """Issue the release certificates (see `issue_certificates_now`): PDFs and Certificate rows.

    A run that wrote certificates links their folder (a link artifact: tasks/common/file_links).
    """
    summary = issue_certificates_now(settings, campaign_year, as_of)
    written = summary.issued + summary.reissued + summary.restored
    if written:
        folder = settings.inside_workspace(summary.folder)
        publish_file(folder, f"证书 {written} 份 PDF (certificates written in this run)")
    return summary
