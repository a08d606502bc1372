"""组织发动 mobilize: take in the associations' recommendations and create participations.

Leaves behind: associations, units, recommendations and `recommended` participations in the
database; a rejection report (xlsx) under workspace/reports/<run>/; table artifacts. Invitations
to register and the registration receipts are added by the notifications and mobilize issues.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow

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


@flow(name="mobilize", log_prints=False)
def mobilize(
    campaign_year: int,
    as_of: date | None = None,
    over_quota: OverQuota = OverQuota.HOLD,
    inbox: str | None = None,
    associations_file: str | None = None,
    recommendation_files: list[str] | None = None,
) -> IngestSummary:
    """Ingest the association list and recommendation files from the campaign's inbox.

    `inbox` defaults to workspace/inbox/<campaign_year>; it holds associations.xlsx (or .csv)
    and a recommendations/ folder. `over_quota` decides what happens past the quota: `hold`
    keeps every row for the operator, `cut` drops the rows past the limit in list order.
    `associations_file` and `recommendation_files`, when given, are read instead of the inbox.
    """
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    prepare_campaign(settings, campaign_year)
    folder = Path(inbox) if inbox else inbox_dir(settings, campaign_year)
    association_list = associations_file or find_association_list(folder)
    files = recommendation_files or find_tabular_files(folder / "recommendations")
    summary = ingest_recommendations(
        settings,
        campaign_year,
        day,
        str(association_list) if association_list else None,
        [str(f) for f in files],
        over_quota,
        str(Path("reports") / current_run_label()),
    )
    publish_recommendation_report(summary)
    return summary
