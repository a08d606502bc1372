"""What is due on a day of the season, read in one task: the clock's agenda.

The clock reads, once a day: what is new in the inbox (mobilize, train and submit take it in;
the review's roster, overrides, chair decisions and returned score sheets), whether the reminder
policy names the day, and whether a closed submission window still has units to lapse. Whether
the review or the release has work that day is theirs to say (tasks/review/due.py,
tasks/release/due.py); the clock asks them only in their stages (flows/season.py). The meeting
itself is never run by the clock: it waits for people (flows/meeting.py).

In the meeting stage the clock keeps running the review (late sheets, re-check rounds, chair
decisions) and, on the stage's first day, the commend proposal: both may change what the
meeting pack shows. They are not stopped once a pack is out (a re-check decided in the meeting
stage is real news the guiding units must decide on); instead every value the pack shows is in
its fingerprint (tasks/meeting/pack.py), so any such change makes a pending decision stale: it
is refused and asked again with what changed (tasks/meeting/record.py).
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import load_campaign_file
from schemas.settings import Settings
from tasks.clock.windows import LAPSABLE, closed_deadlines, reminders_due_on
from tasks.common.campaigns import status_counts
from tasks.common.inbox import InboxNews, read_inbox_news
from tasks.store import campaign_session


class SeasonAgenda(BaseModel):
    """What the clock found due on one day."""

    model_config = ConfigDict(frozen=True)

    news: InboxNews
    reminders_due: bool  # the reminder policy names the day (a reminder or the digest)
    windows_to_close: bool  # a deadline's window has closed and some unit may still lapse


@task(name="season-agenda", cache_policy=NO_CACHE)
def season_agenda(settings: Settings, campaign_year: int, as_of: date) -> SeasonAgenda:
    """Read what is due on `as_of`: inbox news, reminders, windows to close. Reads only."""
    campaign = load_campaign_file(settings.campaign_file(campaign_year))
    news = read_inbox_news(settings, campaign_year)
    windows_closed = bool(closed_deadlines(campaign, as_of))
    lapsable = False
    if windows_closed:
        with campaign_session(settings) as session:
            counts = status_counts(session, campaign_year)
        lapsable = any(counts.get(s, 0) for s in LAPSABLE)
    return SeasonAgenda(
        news=news,
        reminders_due=reminders_due_on(campaign, as_of),
        windows_to_close=windows_closed and lapsable,
    )
