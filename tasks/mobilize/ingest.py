"""Tasks that take in the mobilize stage's files: the association list and recommendation lists.

Thin shells: read and validate the files first (tasks/mobilize/lists.py), apply the plain rules
(tasks/mobilize/recommendations.py) to all the lists together, then save one file per
transaction (tasks/mobilize/file_intake.py), so a file that fails is rolled back and reported
alone; write the rejection report into the workspace, publish the problems and the
per-association counts as Prefect artifacts, and return a small summary of counts, what each
file came to (for the input ledger) and the report's path (no rows). Inputs are read, never
written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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
from tasks.common.campaigns import ensure_campaign
from tasks.common.ledger import FAILED, REFUSED, TAKEN_IN
from tasks.common.rejection_reports import (
    in_a_run,
    publish_rejections,
    publish_table,
    write_rejection_report,
)
from tasks.mobilize.file_intake import SavedFiles, save_association_list, save_list_files
from tasks.mobilize.lists import (
    read_recommendation_lists,
    validate_associations,
)
from tasks.mobilize.participants import association_ids
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
    outcomes: dict[str, str] = {}  # file path -> taken-in / refused / failed (the input ledger)


def per_association_table(batch: RecommendationBatch) -> list[dict[str, str | int]]:
    """Return accepted, held and rejected row counts per association code."""
    accepted = Counter(a.row.association_code for a in batch.accepted if not a.held)
    held = Counter(a.row.association_code for a in batch.accepted if a.held)
    codes = sorted(set(accepted) | set(held))
    return [{"association": code, "accepted": accepted[code], "held": held[code]} for code in codes]


def intake_summary(
    batch: RecommendationBatch,
    saved: SavedFiles,
    associations_new: int,
    rejections: Sequence[Rejection],
    report: str,
) -> IngestSummary:
    """Return the run's summary: counts of files, rows and saved rows, problems by code."""
    counts = saved.counts
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
        mails_queued=saved.mails_queued,
        associations_unmailed=saved.unmailed,
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

    Side effects: reads the files before any transaction opens; upserts the associations in
    one transaction, then each file's units, recommendations, participations and invitations
    in a transaction per file (a file that fails is rolled back alone and reported as
    `file-failed`), then each association's receipt; writes `recommendations-rejections.xlsx` into
    `report_dir` (in the workspace); in a task run, publishes the `recommendation-rejections`
    and `recommendations-per-association` artifacts (`.fn()` outside a run publishes nothing).
    """
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    now = now_utc()
    associations: list[AssociationRow] = []
    problems: list[Rejection] = []
    outcomes: dict[str, str] = {}
    associations_new = 0
    if associations_file:
        label = Path(associations_file).name
        associations, problems = validate_associations(Path(associations_file))
        associations_new, failure = save_association_list(
            settings, campaign, label, associations, now
        )
        problems += [failure] if failure else []
        whole = any(r.row is None and r.severity == Severity.ERROR for r in problems)
        outcomes[associations_file] = FAILED if failure else REFUSED if whole else TAKEN_IN
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign, now)
        known = set(association_ids(session))
    paths = {Path(f).name: f for f in recommendation_files}
    batch = decide_recommendations(
        read_recommendation_lists(Path(f) for f in recommendation_files),
        campaign_year=campaign.year,
        known_associations=known,
        quota_min=campaign.quota.min,
        quota_max=campaign.quota.max,
        over_quota=over_quota,
    )
    saved = save_list_files(settings, campaign, batch, sorted(paths), as_of, now, problems)
    outcomes |= {paths[label]: outcome for label, outcome in saved.outcomes.items()}
    rejections = [*problems, *batch.rejections, *saved.failures]
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "recommendations-rejections.xlsx"), rejections
    )
    relative = str(report.relative_to(settings.workspace))
    summary = intake_summary(batch, saved, associations_new, rejections, relative)
    summary = summary.model_copy(update={"outcomes": outcomes})
    if in_a_run():
        publish_recommendation_report(summary, rejections, per_association_table(batch))
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
