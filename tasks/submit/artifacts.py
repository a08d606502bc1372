"""The submit stage's artifacts: progress per association, screening problems, topic coverage.

`publish_submission_progress` is the flow's last step (it reads the database anew);
`publish_screening` is called by the report intake (tasks/submit/reports.py) with the results
it screened, inside its task run. Neither writes files or changes the database; the form
problems are published by the forms intake (tasks/submit/forms.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect import task
from prefect.cache_policies import NO_CACHE

from schemas.screening import ScreenResult, ScreenRules
from schemas.settings import Settings
from tasks.common.progress import progress_by_association
from tasks.common.rejection_reports import publish_table
from tasks.store import campaign_session
from tasks.submit.pdf.screen import screen_batch_summary, topic_heat_rows


def publish_screening(
    results: Sequence[ScreenResult], rules: ScreenRules, reports_new: int
) -> None:
    """Publish the pre-screen's problems and topic coverage of new report versions, if any.

    Side effects: creates the `screening-problems` table artifact when a problem was found and
    the `topic-coverage` table artifact when a file was screened (file names, codes, counts; no
    contacts). Runs only inside a flow or task run.
    """
    problems = screen_batch_summary(results)
    if problems:
        publish_table(
            "screening-problems",
            problems,
            f"Pre-screen problems of {reports_new} new report versions",
        )
    if results:
        publish_table(
            "topic-coverage",
            topic_heat_rows(results, rules),
            "Mentions of each core topic and focus area per new report (heat table)",
        )


@task(name="publish-submission-progress", cache_policy=NO_CACHE)
def publish_submission_progress(settings: Settings, campaign_year: int) -> int:
    """Publish submission progress per association; return how many associations it lists.

    Side effect: creates the `submission-progress` table artifact (association codes and names,
    counts; no contacts) when any association has recommended units.
    """
    with campaign_session(settings) as session:
        progress = progress_by_association(session, campaign_year)
    if progress:
        publish_table(
            "submission-progress",
            progress,
            "Units per association: receipt, basic-information form, usable report PDF, submitted",
        )
    return len(progress)
