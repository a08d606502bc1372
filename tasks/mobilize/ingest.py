"""Tasks that take in the mobilize stage's files: the association list and recommendation lists.

Thin shells: read and validate the files first (tasks/mobilize/lists.py), then in one
transaction apply the plain rules (tasks/mobilize/recommendations.py) and save
(tasks/mobilize/participants.py); write the rejection report into the workspace, publish the
problems and the per-association counts as Prefect artifacts, and return a small summary of
counts and the report's path (no rows). Inputs are read, never written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session

from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.enums import OverQuota, Severity
from schemas.rejection import Rejection, count_by_code
from schemas.rows import AssociationRow
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.common.outgoing import enqueue
from tasks.common.rejection_reports import (
    in_a_run,
    publish_rejections,
    publish_table,
    write_rejection_report,
)
from tasks.mobilize.lists import (
    RecommendationList,
    read_recommendation_lists,
    validate_associations,
)
from tasks.mobilize.mail import association_receipt_mails, invitation_mails
from tasks.mobilize.participants import (
    SaveCounts,
    association_ids,
    save_recommendations,
    upsert_associations,
)
from tasks.mobilize.recommendations import RecommendationBatch, decide_recommendations
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
    report: str  # the rejection report, relative to the workspace


def per_association_table(batch: RecommendationBatch) -> list[dict[str, str | int]]:
    """Return accepted, held and rejected row counts per association code."""
    accepted = Counter(a.row.association_code for a in batch.accepted if not a.held)
    held = Counter(a.row.association_code for a in batch.accepted if a.held)
    codes = sorted(set(accepted) | set(held))
    return [{"association": code, "accepted": accepted[code], "held": held[code]} for code in codes]


@dataclass(frozen=True)
class TakenIn:
    """What one transaction of the intake decided and saved."""

    batch: RecommendationBatch
    counts: SaveCounts
    associations_new: int
    mails_queued: int
    associations_unmailed: list[str]


def take_in(
    session: Session,
    settings: Settings,
    campaign: CampaignFile,
    *,
    associations: Sequence[AssociationRow],
    lists: Sequence[RecommendationList],
    over_quota: OverQuota,
    association_problems: Sequence[Rejection],
    as_of: date,
    now: datetime,
) -> TakenIn:
    """Save the associations, decide and save the recommendations, enqueue their mail. Writes.

    Runs in the caller's `session` on values already read: upserts associations, units,
    recommendations and participations, and enqueues the invitations to register and each
    association's receipt (which also lists `association_problems`, the association list's own).
    """
    ensure_campaign(session, campaign, now)
    associations_new = upsert_associations(session, associations)
    batch = decide_recommendations(
        lists,
        campaign_year=campaign.year,
        known_associations=set(association_ids(session)),
        quota_min=campaign.quota.min,
        quota_max=campaign.quota.max,
        over_quota=over_quota,
    )
    counts = save_recommendations(session, campaign.year, batch.accepted, as_of, now)
    invitations = invitation_mails(session, campaign, counts.new_participation_ids)
    receipts = association_receipt_mails(
        session, campaign, batch, [*association_problems, *batch.rejections], as_of
    )
    mails_queued = enqueue(session, settings, invitations + receipts.mails, business_day=as_of)
    return TakenIn(batch, counts, associations_new, mails_queued, receipts.unmailed)


def intake_summary(taken: TakenIn, rejections: Sequence[Rejection], report: str) -> IngestSummary:
    """Return the run's summary: counts of files, rows and saved rows, problems by code."""
    batch, counts = taken.batch, taken.counts
    errors = [r for r in rejections if r.severity == Severity.ERROR]
    return IngestSummary(
        files_read=batch.files_read,
        files_rejected=sum(1 for r in errors if r.row is None),
        rows_accepted=sum(1 for a in batch.accepted if not a.held),
        rows_held=sum(1 for a in batch.accepted if a.held),
        rows_rejected=sum(1 for r in errors if r.row is not None),
        warnings=len(rejections) - len(errors),
        associations_new=taken.associations_new,
        units_new=counts.units_new,
        units_updated=counts.units_updated,
        recommendations_new=counts.recommendations_new,
        recommendations_updated=counts.recommendations_updated,
        participations_new=counts.participations_new,
        mails_queued=taken.mails_queued,
        associations_unmailed=taken.associations_unmailed,
        problems_by_code=count_by_code(list(rejections)),
        report=report,
    )


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
    """Validate and save the association list and recommendation files; report the problems.

    Side effects: reads the files before the transaction opens; upserts associations, units,
    recommendations and participations and enqueues the invitations to register and each
    association's receipt, in one transaction; writes `recommendations-rejections.xlsx` into
    `report_dir` (in the workspace); in a task run, publishes the `recommendation-rejections`
    and `recommendations-per-association` artifacts (`.fn()` outside a run publishes nothing).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    associations: list[AssociationRow] = []
    problems: list[Rejection] = []
    if associations_file:
        associations, problems = validate_associations(Path(associations_file))
    lists = read_recommendation_lists(Path(f) for f in recommendation_files)
    with campaign_session(settings) as session:
        taken = take_in(
            session,
            settings,
            campaign,
            associations=associations,
            lists=lists,
            over_quota=over_quota,
            association_problems=problems,
            as_of=as_of,
            now=now_utc(),
        )
    rejections = [*problems, *taken.batch.rejections]
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "recommendations-rejections.xlsx"), rejections
    )
    summary = intake_summary(taken, rejections, str(report.relative_to(settings.workspace)))
    if in_a_run():
        publish_recommendation_report(summary, rejections, per_association_table(taken.batch))
    return summary


def publish_recommendation_report(
    summary: IngestSummary,
    rejections: Sequence[Rejection],
    per_association: Sequence[Mapping[str, str | int]],
) -> None:
    """Publish the rejection table and the per-association counts as Prefect artifacts."""
    publish_rejections(
        "recommendation-rejections", "Recommendation problems", rejections, Path(summary.report)
    )
    if per_association:
        publish_table(
            "recommendations-per-association",
            per_association,
            f"Accepted and held recommendations per association ({summary.rows_accepted} "
            f"accepted, {summary.rows_held} held, {summary.rows_rejected} rejected rows)",
        )
