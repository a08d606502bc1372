"""组织发动 mobilize: take in the associations' recommendations and the units' registrations.

Leaves behind: associations, units, recommendations and `recommended` participations; receipts
(发布回执表) as Submissions with units moved to `registered`; invitations to register and each
association's receipt of its lists, delivered from the outbox; rejection reports (xlsx) under
workspace/reports/<run>/; table artifacts per association and of every problem found (each
intake task publishes its own); the files taken in, in the InputFile ledger. Returns counts,
problems by code and the reports' paths, never the rows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from pydantic import BaseModel, ConfigDict

from schemas.enums import OverQuota
from schemas.settings import Settings
from tasks.common.business_day import current_run_label, resolve_as_of, stage_run_name
from tasks.common.campaigns import prepare_campaign
from tasks.common.delivery import deliver_outbox
from tasks.common.inbox import RECEIPTS_KIND, RECOMMENDATIONS_KIND, inbox_news, record_inputs
from tasks.mobilize.ingest import IngestSummary, ingest_recommendations
from tasks.mobilize.receipts import ReceiptSummary, ingest_receipts


class MobilizeSummary(BaseModel):
    """What one mobilize run took in."""

    model_config = ConfigDict(frozen=True)

    recommendations: IngestSummary | None
    receipts: ReceiptSummary | None
    mail_sent: int = 0


@flow(name="mobilize", flow_run_name=stage_run_name("mobilize"))
def mobilize(
    campaign_year: int,
    as_of: date | None = None,
    over_quota: OverQuota = OverQuota.HOLD,
    associations_file: str | None = None,
    recommendation_files: list[str] | None = None,
    receipt_files: list[str] | None = None,
) -> MobilizeSummary:
    """Take in association and recommendation lists, then release receipts.

    Without file parameters it reads what is new in workspace/inbox/<campaign_year>/
    (recommendations/ with associations.xlsx, receipts/): all recommendation lists again when
    any of them or the association list changed, and the receipt files not taken in before.
    Each file is saved in its own transaction; what it came to goes into the input ledger.
    Files given by parameter are always read. `over_quota`: `hold` keeps an over-quota list
    for the operator, `cut` drops the rows past the limit in list order.
    """
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    reports = str(Path("reports") / current_run_label())
    prepare_campaign(settings, campaign_year)
    news = inbox_news(settings, campaign_year)
    association_list = associations_file or news.association_list
    recommended = recommendation_files or news.recommendation_files
    receipts = receipt_files or news.receipt_files
    intake = None
    if recommended:
        intake = ingest_recommendations(
            settings, campaign_year, day, association_list, recommended, over_quota, reports
        )
        taken = [association_list, *recommended] if association_list else recommended
        record_inputs(
            settings,
            campaign_year,
            RECOMMENDATIONS_KIND,
            taken,
            day,
            outcomes=intake.outcomes,
            depends_on=association_list,
        )
    registration = None
    if receipts:
        registration = ingest_receipts(settings, campaign_year, day, receipts, reports)
        record_inputs(
            settings, campaign_year, RECEIPTS_KIND, receipts, day, outcomes=registration.outcomes
        )
    delivery = deliver_outbox(settings, campaign_year) if intake or registration else None
    return MobilizeSummary(
        recommendations=intake,
        receipts=registration,
        mail_sent=delivery.sent if delivery else 0,
    )
