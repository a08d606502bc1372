"""总结和经验推广表彰 commend: the proposal of excellent units, cases and speakers.

Leaves behind: the campaign's `proposed` Commendation rows (excellent units at the top of the
composite ranking, cases per category of the campaign file up to its quota, the speakers of
the release event), each with its reasons; `commendation-candidates.xlsx` for the meeting in
workspace/reports/<run>/; a table and a markdown artifact. Run again, it replaces the proposal;
once the meeting has decided, it changes nothing. Ranking and rules: docs/commend.md.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow

from schemas.settings import Settings
from tasks.commend.proposal import CommendSummary, propose_commendations
from tasks.common.business_day import current_run_label, resolve_as_of, stage_run_name
from tasks.common.campaigns import prepare_campaign


@flow(name="commend", flow_run_name=stage_run_name("commend"))
def commend(campaign_year: int, as_of: date | None = None) -> CommendSummary:
    """Rank the units whose report passed the review and propose their commendations."""
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    reports_dir = str(Path("reports") / current_run_label())
    prepare_campaign(settings, campaign_year)
    return propose_commendations(settings, campaign_year, day, reports_dir)
