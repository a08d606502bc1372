"""发布 release: commendation notices, certificates, the public catalogue, release mail, statistics.

Nothing happens before the guiding units' meeting recorded its decision: only units it
approved are ever certified, listed or released. One run, in order:
1. once the meeting decided: notify the commended units and the speakers (they reply before
   the event);
2. from the release date: issue a certificate to every approved unit (unchanged ones are
   skipped; one whose printed values changed, a corrected name say, gets a new version under a
   new number, the earlier issue kept), build the public catalogue, send each approved unit its
   release notice with the certificate attached and move it to `released`, send a released unit
   one notice per re-issued version (naming the number it replaces), then each association its
   summary;
3. deliver the mail, then compile the season statistics (their mail table counts the
   release mail as sent) and the media kit, and make the released reports searchable
   (`campaign search`).
Idempotent: a second run certifies, releases and sends nothing twice.
"""

from __future__ import annotations

from datetime import date

from prefect import flow
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.settings import Settings
from tasks.common.business_day import resolve_as_of, stage_run_name
from tasks.common.campaigns import prepare_campaign
from tasks.common.delivery import deliver_outbox
from tasks.release.catalogue.publish import CatalogueSummary, publish_catalogue
from tasks.release.certificates.issue import CertificatesSummary, issue_certificates
from tasks.release.mail import ReleaseMailSummary, send_release_mail
from tasks.release.media_kit import MediaKit, compile_media_kit
from tasks.release.search_index import SearchIndexSummary, index_released_reports
from tasks.release.statistics.workbook import SeasonStatistics, compile_season_statistics


class ReleaseSummary(BaseModel):
    """What one release run did."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    as_of: date
    mail: ReleaseMailSummary
    certificates: CertificatesSummary | None = None
    catalogue: CatalogueSummary | None = None
    statistics: SeasonStatistics | None = None
    media_kit: MediaKit | None = None
    mail_sent: int = 0
    search_index: SearchIndexSummary | None = None


@flow(name="release", flow_run_name=stage_run_name("release"))
def release(campaign_year: int, as_of: date | None = None) -> ReleaseSummary:
    """Release what the meeting approved, as far as `as_of` allows (see the module's steps)."""
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    prepare_campaign(settings, campaign_year)
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    certificates = catalogue = statistics = media_kit = search_index = None
    if day >= campaign.events.release:
        certificates = issue_certificates(settings, campaign_year, day)
        catalogue = publish_catalogue(settings, campaign_year, day)
    mail = send_release_mail(settings, campaign_year, day, settings.catalogue_url)
    queued = mail.commendation_notices + mail.release_notices + mail.association_summaries
    delivery = deliver_outbox(settings, campaign_year) if queued else None
    if day >= campaign.events.release:  # after the delivery: its mail table counts them sent
        statistics = compile_season_statistics(settings, campaign_year, day)
        media_kit = compile_media_kit(settings, campaign_year, day)
        search_index = index_released_reports(settings, campaign_year)
    return ReleaseSummary(
        campaign_year=campaign_year,
        as_of=day,
        mail=mail,
        certificates=certificates,
        catalogue=catalogue,
        statistics=statistics,
        media_kit=media_kit,
        mail_sent=delivery.sent if delivery else 0,
        search_index=search_index,
    )
