"""The submit stage's artifacts: progress per association, screening problems, topic coverage."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from schemas.settings import Settings
from tasks.common.progress import progress_by_association
from tasks.common.rejection_reports import publish_table
from tasks.store import campaign_session
from tasks.submit.reports import ReportSummary


@task(name="publish-submission-progress", cache_policy=NO_CACHE)
def publish_submission_progress(
    settings: Settings, campaign_year: int, reports: ReportSummary | None
) -> list[dict[str, str | int]]:
    """Publish submission progress per association and, when PDFs came in, their screening.

    Side effects: creates the `submission-progress`, `screening-problems` and `topic-coverage`
    table artifacts (no contacts: association codes and names, file names, counts).
    """
    with campaign_session(settings) as session:
        progress = progress_by_association(session, campaign_year)
    if progress:
        publish_table(
            "submission-progress",
            progress,
            "Units per association: receipt, basic-information form, usable report PDF, submitted",
        )
    if reports is not None and reports.screening_rows:
        publish_table(
            "screening-problems",
            reports.screening_rows,
            f"Pre-screen problems of {reports.reports_new} new report versions",
        )
    if reports is not None and reports.topic_rows:
        publish_table(
            "topic-coverage",
            reports.topic_rows,
            "Mentions of each core topic and focus area per new report (heat table)",
        )
    return progress
