"""Tasks that take in the mobilize stage's files: the association list and recommendation lists.

Thin shells: locate the files, call the plain rules (tasks/mobilize/recommendations.py), save in one
transaction (tasks/mobilize/participants.py), write the rejection report into the workspace, return
a small summary. Inputs are read, never written.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.enums import OverQuota, Severity
from schemas.rejection import Rejection, count_by_code
from schemas.rows import AssociationRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.summary_rows import SummaryRows
from tasks.common.campaigns import ensure_campaign
from tasks.common.outgoing import enqueue
from tasks.common.rejection_reports import publish_rejections, publish_table, write_rejection_report
from tasks.mobilize.mail import association_receipt_mails, invitation_mails
from tasks.mobilize.participants import association_ids, save_recommendations, upsert_associations
from tasks.mobilize.recommendations import (
    RecommendationBatch,
    decide_recommendations,
    validate_associations,
)
from tasks.store import campaign_session


class IngestSummary(BaseModel):
    """What one ingest run did: counts, problems by code, the report's path."""

    model_config = ConfigDict(frozen=True)

    files_read: int
    files_rejected: int
    rows_accepted: int
    rows_held: int
    rows_rejected: int
    warnings: int
    associations_new: int
    units_new: int
    units_updated: int
    recommendations_new: int
    recommendations_updated: int
    participations_new: int
    mails_queued: int
    associations_unmailed: list[str]  # associations without a valid contact address
    problems_by_code: dict[str, int]
    per_association: SummaryRows[dict[str, str | int]]
    report: str
    rejections: SummaryRows[Rejection]


def per_association_table(batch: RecommendationBatch) -> list[dict[str, str | int]]:
    """Return accepted, held and rejected row counts per association code."""
    accepted = Counter(a.row.association_code for a in batch.accepted if not a.held)
    held = Counter(a.row.association_code for a in batch.accepted if a.held)
    codes = sorted(set(accepted) | set(held))
    return [{"association": code, "accepted": accepted[code], "held": held[code]} for code in codes]


@task(name="ingest-recommendations", cache_policy=NO_CACHE)
def ingest_recommendations(
    settings: Settings,
    campaign_year: int,
    as_of: date,
    associations_file: str | None,
    recommendation_files: list[str],
    over_quota: OverQuota,
    report_dir: str,
) -> IngestSummary:
    """Validate and save the association list and recommendation files; write the report.

    Side effects: upserts associations, units, recommendations and participations and enqueues
    the invitations to register and each association's receipt, in one transaction; writes
    `recommendations-rejections.xlsx` into `report_dir` (in the workspace).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    rejections: list[Rejection] = []
    assoc_rows: list[AssociationRow] = []
    if associations_file:
        assoc_rows, assoc_problems = validate_associations(Path(associations_file))
        rejections.extend(assoc_problems)
    now = now_utc()
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign, now)
        associations_new = upsert_associations(session, assoc_rows)
        known = set(association_ids(session))
        batch = decide_recommendations(
            [Path(f) for f in recommendation_files],
            campaign_year=campaign_year,
            known_associations=known,
            quota_min=campaign.quota.min,
            quota_max=campaign.quota.max,
            over_quota=over_quota,
        )
        counts = save_recommendations(session, campaign_year, batch.accepted, as_of, now)
        invitations = invitation_mails(session, campaign, counts.new_participation_ids)
        receipts, unmailed = association_receipt_mails(
            session, campaign, batch, rejections + batch.rejections, as_of
        )
        mails_queued = enqueue(session, settings, invitations + receipts)
    rejections.extend(batch.rejections)
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "recommendations-rejections.xlsx"), rejections
    )
    errors = [r for r in rejections if r.severity == Severity.ERROR]
    return IngestSummary(
        files_read=batch.files_read,
        files_rejected=sum(1 for r in errors if r.row is None),
        rows_accepted=sum(1 for a in batch.accepted if not a.held),
        rows_held=sum(1 for a in batch.accepted if a.held),
        rows_rejected=sum(1 for r in errors if r.row is not None),
        warnings=len(rejections) - len(errors),
        associations_new=associations_new,
        units_new=counts.units_new,
        units_updated=counts.units_updated,
        recommendations_new=counts.recommendations_new,
        recommendations_updated=counts.recommendations_updated,
        participations_new=counts.participations_new,
        mails_queued=mails_queued,
        associations_unmailed=unmailed,
        problems_by_code=count_by_code(rejections),
        per_association=per_association_table(batch),
        report=str(report.relative_to(settings.workspace)),
        rejections=rejections,
    )


@task(name="publish-recommendation-report", cache_policy=NO_CACHE)
def publish_recommendation_report(summary: IngestSummary) -> None:
    """Publish the rejection table and the per-association counts as Prefect artifacts."""
    publish_rejections(
        "recommendation-rejections",
        "Recommendation problems",
        summary.rejections,
        Path(summary.report),
    )
    if summary.per_association:
        publish_table(
            "recommendations-per-association",
            summary.per_association,
            f"Accepted and held recommendations per association ({summary.rows_accepted} "
            f"accepted, {summary.rows_held} held, {summary.rows_rejected} rejected rows)",
        )
