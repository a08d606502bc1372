"""Released reports to search: real generated PDFs, screened for real, their pages stored by the
product's intake code and made searchable by the release's index task.

`released_reports` adds units (released or only approved), writes a Chinese report PDF per unit
with the demo's generator, screens it with `screen_pdf` (real pypdf), saves the version and its
pages as the intake does (`plan_report_versions`, `save_page_texts`) and runs the release's
`index_released_now`. Nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from factories import add_association, add_participation, write_report_pdfs
from sqlmodel import Session

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.screening import ScreenLimits, rules_from_campaign
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.release.search_index import SearchIndexSummary, index_released_now
from tasks.submit.page_texts import save_page_texts
from tasks.submit.pdf.read import screen_pdf
from tasks.submit.report_versions import IncomingReport, plan_report_versions

NOW = datetime(2025, 1, 16, 2, 0, tzinfo=UTC)


def released_reports(
    session: Session,
    campaign: CampaignFile,
    folder: Path,
    released: Sequence[int],
    approved: Sequence[int] = (),
) -> SearchIndexSummary:
    """Add units `released` (status released) and `approved` (not yet released), each with a
    real screened report PDF and its stored pages; index the campaign; return the summary."""
    ensure_campaign(session, campaign, now_utc())
    association = add_association(session, "A001")
    numbers = [*released, *approved]
    pdfs = write_report_pdfs(campaign, folder, [(n, None) for n in numbers])
    rules = rules_from_campaign(campaign)
    incoming, results = [], {}
    for n in numbers:
        status = ParticipationStatus.RELEASED if n in released else ParticipationStatus.APPROVED
        pid = add_participation(session, n, [association], status, year=campaign.year)
        result = screen_pdf(pdfs[n], rules, ScreenLimits())
        assert result.usable, result.codes
        name = pdfs[n].name
        incoming.append(IncomingReport(name, pid, Path("archive") / name, result.sha256 or "", 1))
        results[name] = result
    versions = plan_report_versions(
        campaign, incoming, results, {}, as_of=date(2024, 11, 1), now=NOW
    )
    session.add_all(versions)
    session.flush()
    save_page_texts(session, versions, results)
    return index_released_now(session, campaign.year)
