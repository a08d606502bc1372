"""Replaying a generated season through the daily clock, day by day, without any screen output.

`SeasonReplay` holds one generated season (settings, campaign file, generated folder, plan,
seed) and plays it: before the clock the outside world sends what it sends that day (lists,
receipts, forms, report PDFs, the roster, the experts' score sheets, the chair's decisions; the
day after mobilization starts the operator cuts the held over-quota lists); then the daily clock
runs (flows/season.py), and on the meeting day the meeting is held, excerpts are chosen for
some approved cases through the case excerpt sheet, and the clock runs again so it sees the
decision the same day; after the clock the sign-in sheets of the day's training
sessions come in. `replay(days)` plays only the days asked for; what the world sends on the days
in between is delivered before the next played day, in order, so nothing planned is lost.

Used by `campaign demo` (deployments/demo/driver.py), the replay test and benchmarks/season.py.
A demo tool: product code never imports it. Import it after `prepare_prefect` (the clock is
imported when the first day is played).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deployments.demo.closing import (
    chair_decides,
    hold_meeting,
    record_absent_experts,
    return_score_sheets,
)
from deployments.demo.excerpts import choose_demo_excerpts
from deployments.demo.world import (
    deliver_attendance,
    deliver_recommendations,
    deliver_roster,
    deliver_rows,
    deliver_unit_files,
    sheet_rows_by_day,
)
from deployments.environment import in_process_runs
from schemas.campaign_file import CampaignFile
from schemas.settings import Settings

if TYPE_CHECKING:
    from flows.season import SeasonDay

SHARED_SHEETS = (
    ("receipts", "receipts/receipts.xlsx", "registers_on"),
    ("basic_info", "basic_info/basic_info.xlsx", "info_on"),
    ("financials", "financials/financials.xlsx", "financials_on"),
)

MeetingHolder = Callable[[int, date], object]
DayHook = Callable[[date, "SeasonDay"], None]


def season_days(campaign: CampaignFile) -> list[date]:
    """Return the days a whole replay plays: from the first of the mobilize month to the release.

    Mobilization, training, the submission window, the review with its revision round, the
    commendation proposal, the meeting (paused for its decision, which the replay gives) and the
    release day with certificates, catalogue and release mail. Pure.
    """
    start = campaign.stages.mobilize.replace(day=1)
    end = max(campaign.events.release, campaign.stages.release)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass(frozen=True)
class PlayedDay:
    """One played day: what the clock did, and the wall seconds of the clock and of the world."""

    day: date
    result: SeasonDay
    clock_seconds: float
    world_seconds: float


@dataclass
class SeasonReplay:
    """One generated season, played through the clock day by day (see the module docstring).

    `meeting(year, day)` holds the meeting on its day: by default `hold_meeting`, which runs the
    meeting flow on the engine and approves its pack as proposed once it pauses.
    """

    settings: Settings
    campaign: CampaignFile
    generated: Path
    seed: int
    plan: dict[str, Any] = field(default_factory=dict)
    meeting: MeetingHolder = hold_meeting
    delivered_until: date | None = None  # the last day the world has sent everything of
    _sheets: dict[str, tuple[list[str], dict[date, list[tuple[object, ...]]]]] = field(
        default_factory=dict, repr=False
    )
    chair_absent: bool = False  # the chair never answers (the season fuzzer's world)
    _chair_unread: bool = False  # the chair's decisions are in the inbox, no clock ran since

    def __post_init__(self) -> None:
        if not self.plan:
            self.plan = json.loads((self.generated / "plan.json").read_text(encoding="utf-8"))
        for folder, sheet, day_field in SHARED_SHEETS:
            self._sheets[folder] = sheet_rows_by_day(self.generated, sheet, self.plan, day_field)

    @property
    def year(self) -> int:
        """The campaign year."""
        return self.campaign.year

    @property
    def inbox(self) -> Path:
        """The campaign's inbox folder in the workspace (where the world drops its files)."""
        return self.settings.workspace / "inbox" / str(self.year)

    @property
    def chair_day(self) -> date:
        """The day the review chair decides: the day after the review deadline."""
        return self.campaign.deadline("review").date + timedelta(days=1)

    def before_clock(self, day: date, played: bool = True) -> None:
        """Send what the world sends on `day` before the clock runs.

        Side effects: files in the inbox (lists, sheets of the day's filings, unit files, the
        roster on the first review day, returned score sheets, the chair's decisions, removed
        the day after; never when `chair_absent`). On a day the clock does not run (`played`
        false) the experts' sheets wait for the next played day: what they return depends on
        the day only through whether it is due, and nothing reads the inbox in between, so the
        clock sees the same files, without every pending sheet being opened every skipped day.
        """
        stages = self.campaign.stages
        if day == stages.mobilize:
            deliver_recommendations(self.generated, self.inbox)
        for folder, (headers, by_day) in self._sheets.items():
            deliver_rows(self.inbox, folder, headers, day, by_day.get(day, []))
        deliver_unit_files(self.generated, self.inbox, self.plan, day)
        if day == stages.review:
            deliver_roster(self.generated, self.inbox)
        if played:
            return_score_sheets(self.settings, self.campaign, self.inbox, self.plan, day)
        record_absent_experts(self.settings, self.campaign, self.inbox, day)
        if self.chair_absent:
            return
        if day == self.chair_day:
            chair_decides(self.settings, self.campaign, self.inbox, self.plan, day)
            self._chair_unread = True
        elif not self._chair_unread:  # keep the chair's file until a clock has read it
            chair_decides(self.settings, self.campaign, self.inbox, self.plan, day)

    def operator(self, day: date) -> None:
        """Play the operator's own runs of `day`: the day after mobilization starts, the
        held over-quota lists are reviewed and cut at the quota.

        Side effect: that day, a mobilize run with over_quota=cut on the inbox's lists.
        """
        if day != self.campaign.stages.mobilize + timedelta(days=1):
            return
        from flows.mobilize import mobilize  # imported after prepare_prefect
        from schemas.enums import OverQuota
        from tasks.common.inbox import find_tabular_files

        with in_process_runs():
            mobilize(
                self.year,
                as_of=day,
                over_quota=OverQuota.CUT,
                associations_file=str(self.inbox / "associations.xlsx"),
                recommendation_files=[
                    str(f) for f in find_tabular_files(self.inbox / "recommendations")
                ],
            )

    def after_clock(self, day: date) -> None:
        """Send what the world sends after the clock: the sign-in sheets of the day's sessions.

        Side effect: an attendance xlsx in the inbox when a training session was held on `day`.
        """
        deliver_attendance(self.settings, self.campaign, self.inbox, day, self.seed)
        self.delivered_until = day

    def deliver(self, day: date) -> None:
        """Play a day on which the clock does not run: the world sends what it sends that day
        and the operator makes their runs. Side effects: those of `before_clock`, `operator`
        and `after_clock`.
        """
        self.before_clock(day, played=False)
        self.operator(day)
        self.after_clock(day)

    def clock(self, day: date) -> SeasonDay:
        """Run the daily clock for `day`; on the meeting day hold the meeting, let the reviewers
        and the office choose excerpts for some approved cases (deployments/demo/excerpts.py)
        and run it again.

        Side effects: whatever the clock, the meeting and the excerpt sheet do (database,
        workspace, mail).
        """
        from flows.season import season  # after prepare_prefect: Prefect reads env at import

        with in_process_runs():
            result = season(self.year, as_of=day)
            if day == self.campaign.events.meeting:
                self.meeting(self.year, day)
                choose_demo_excerpts(self.settings, self.campaign, day)
                result = season(self.year, as_of=day)  # the clock sees the decision that day
        self._chair_unread = False
        return result

    def play(self, day: date, hook: DayHook | None = None) -> PlayedDay:
        """Play one day: the world before the clock, the operator, the clock, `hook(day,
        result)`, the world after the clock (the hook sees the day before the evening's sign-in
        sheets arrive). The operator's runs count as clock seconds (they are the product's).

        Side effects: those of `before_clock`, `operator`, `clock`, the hook and `after_clock`.
        """
        started = time.perf_counter()
        self.before_clock(day)
        ticked = time.perf_counter()
        self.operator(day)
        result = self.clock(day)
        clock_seconds = time.perf_counter() - ticked
        if hook is not None:
            hook(day, result)
        after = time.perf_counter()
        self.after_clock(day)
        world = ticked - started + time.perf_counter() - after
        return PlayedDay(day, result, clock_seconds, world)

    def skipped_days(self, day: date) -> list[date]:
        """Return the season's days after the last delivered one and before `day`. Pure."""
        last = self.delivered_until
        return [d for d in season_days(self.campaign) if d < day and (last is None or d > last)]

    def replay(
        self, days: Iterable[date] | None = None, hook: DayHook | None = None
    ) -> list[PlayedDay]:
        """Play the given days in order (default: every day of `season_days`); return them.

        Before each played day the skipped days before it are delivered (`deliver`, in order);
        their time counts as the played day's world seconds. Side effects: those of `play`.
        """
        played = []
        with in_process_runs():  # once for the season; each clock() inside finds it on
            for day in sorted(set(days) if days is not None else season_days(self.campaign)):
                started = time.perf_counter()
                for skipped in self.skipped_days(day):
                    self.deliver(skipped)
                caught_up = time.perf_counter() - started
                done = self.play(day, hook)
                played.append(
                    PlayedDay(
                        done.day, done.result, done.clock_seconds, done.world_seconds + caught_up
                    )
                )
        return played
