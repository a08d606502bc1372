"""组织发动 mobilize: take in the associations' recommendations and the units' registrations.

Leaves behind: associations, units, recommendations and `recommended` participations; receipts
(发布回执表) as Submissions with units moved to `registered`; rejection reports (xlsx) under
workspace/reports/<run>/; table artifacts per association and of every problem found.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from pydantic import BaseModel, ConfigDict

from schemas.enums import OverQuota
from schemas.settings import Settings
from tasks.campaigns import prepare_campaign
from tasks.clock import current_run_label, resolve_as_of
from tasks.intake import (
    IngestSummary,
    find_association_list,
    find_tabular_files,
    inbox_dir,
    ingest_recommendations,
    publish_recommendation_report,
)
from tasks.receipts import ReceiptSummary, ingest_receipts, publish_receipt_report


class MobilizeSummary(BaseModel):
    """What one mobilize run took in."""

    model_config = ConfigDict(frozen=True)

    recommendations: IngestSummary | None
    receipts: ReceiptSummary | None


@flow(name="mobilize")
def mobilize(
    campaign_year: int,
    as_of: date | None = None,
    over_quota: OverQuota = OverQuota.HOLD,
    inbox: str | None = None,
    associations_file: str | None = None,
    recommendation_files: list[str] | None = None,
    receipt_files: list[str] | None = None,
) -> MobilizeSummary:
    """Ingest association and recommendation lists, then release receipts, from the inbox.

    `inbox` defaults to workspace/inbox/<campaign_year> with associations.xlsx (or .csv) and the
    folders recommendations/ and receipts/. `over_quota`: `hold` keeps an over-quota list for the
    operator, `cut` drops the rows past the limit in list order. Files given by parameter are
    read instead of the inbox's.
    """
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    reports = str(Path("reports") / current_run_label())
    prepare_campaign(settings, campaign_year)
    folder = Path(inbox) if inbox else inbox_dir(settings, campaign_year)
    association_list = associations_file or find_association_list(folder)
    recommended = recommendation_files or find_tabular_files(folder / "recommendations")
    receipts = receipt_files or find_tabular_files(folder / "receipts")
    intake = None
    if recommended:
        intake = ingest_recommendations(
            settings,
            campaign_year,
            day,
            str(association_list) if association_list else None,
            [str(f) for f in recommended],
            over_quota,
            reports,
        )
        publish_recommendation_report(intake)
    registration = None
    if receipts:
        registration = ingest_receipts(
            settings, campaign_year, day, [str(f) for f in receipts], reports
        )
        publish_receipt_report(registration)
    return MobilizeSummary(recommendations=intake, receipts=registration)
