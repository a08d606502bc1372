"""The clock's daily audit: the season's violations on the day, as the 今日待办 page's part.

`audit_day` (task) loads the season and words its violations as markdown (tasks/audit/report.py);
the clock publishes them with the day's stage failures (tasks/clock/attention.py). Violations do
not fail the day: they are the operators' list. Returns the markdown and a count (cheap for the
engine to pass on), never the rows.
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.settings import Settings
from tasks.audit.check import audit_season
from tasks.audit.report import violations_markdown
from tasks.store import campaign_session


class DayAudit(BaseModel):
    """The day's audit as the clock passes it on: its markdown and how many violations."""

    model_config = ConfigDict(frozen=True)

    markdown: str
    violations: int


@task(name="audit-season", cache_policy=NO_CACHE)
def audit_day(settings: Settings, campaign_year: int, as_of: date) -> DayAudit:
    """Audit the stored season on `as_of`; return its violations as markdown; reads only."""
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    with campaign_session(settings) as session:
        violations = audit_season(session, campaign, as_of, settings)
    return DayAudit(markdown=violations_markdown(as_of, violations), violations=len(violations))
