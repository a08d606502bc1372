"""The season fuzzer's world: a generated season, perturbed (deployments/demo/perturb.py), played
through the real daily clock on the days that matter.

`FuzzReplay` is a `SeasonReplay` whose world also sends the perturbations' extra events on their
day (a roster without an absent expert, a receipt, report or score sheet sent again, a corrected
name after the release, after which the release runs again). `fuzz_days` chooses the days the
clock runs: every stage's first day, each deadline and the working days after it, the days the
windows close, the chair's, the meeting's and the release's days, every day a perturbation
happens, and a seeded sample of the other days; what the world sends on the days in between
is delivered before the next played day (SeasonReplay.replay). A demo tool: product code never
imports it.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import load_workbook

from deployments.demo.organisers import reserve_expert, waiting_for_experts, write_roster
from deployments.demo.perturb import WorldEvent
from deployments.demo.replay import SeasonReplay, season_days
from deployments.environment import in_process_runs
from notifications.policy import campaign_calendar, window_last_day
from schemas.campaign_file import CampaignFile
from schemas.columns import RECEIPTS
from tasks.common.spreadsheets import write_sheet
from tasks.review.sheets.layout import (
    FIRST_DATA_ROW,
    META_SHEET,
    SCORES_SHEET,
    read_meta,
    score_column,
)

if TYPE_CHECKING:
    from flows.season import SeasonDay

SAMPLE_RATE = 0.08  # the share of the other days the clock also runs on


def key_days(campaign: CampaignFile) -> set[date]:
    """Return the days the clock always runs: stage starts, deadlines and the two working days
    after each, the first day each deadline's window is closed, the chair's, meeting's and
    release's days and the day after each. Pure."""
    calendar = campaign_calendar(campaign)
    days = set(vars(campaign.stages).values()) | {campaign.events.meeting, campaign.events.release}
    for key, deadline in campaign.deadlines.items():
        days |= {deadline.date, calendar.shift(deadline.date, 1), calendar.shift(deadline.date, 2)}
        if deadline.steps:  # its window closes the day after its last notice (tasks/clock)
            last = window_last_day(key, deadline, campaign.reminders, calendar)
            days.add(last + timedelta(days=1))
    days |= {campaign.stages.review + timedelta(days=1), calendar.shift(campaign.stages.review, 2)}
    days |= {campaign.deadline("review").date + timedelta(days=n) for n in (1, 2)}
    days |= {campaign.events.meeting + timedelta(days=1), campaign.events.release + timedelta(1)}
    return {d for d in days if d >= season_days(campaign)[0]}


FILING_DAYS = ("registers_on", "info_on", "financials_on", "report_on", "revised_on")


def follow_up_days(campaign: CampaignFile, plan: dict[str, Any] | None) -> set[date]:
    """Return the day after each filing from the day before the review starts on. Pure.

    A daily clock assigns a report filed during the review by the next day (the audit holds it
    to that); a fuzzed season that skipped that day would blame the product for the world's
    skipped day (seed 95).
    """
    since = campaign.stages.review - timedelta(days=1)
    filed = {
        date.fromisoformat(unit[key])
        for unit in (plan or {}).get("units", [])
        for key in FILING_DAYS
        if unit.get(key)
    }
    return {d + timedelta(days=1) for d in filed if d >= since}


def fuzz_days(
    campaign: CampaignFile,
    events: tuple[WorldEvent, ...],
    seed: int,
    plan: dict[str, Any] | None = None,
) -> list[date]:
    """Return the days a fuzzed season plays, in order: the key days, every event's day, the
    day after each filing in the review (`follow_up_days`) and a seeded sample of the
    season's other days. Pure."""
    rng = random.Random(f"{seed}:days")
    sampled = {d for d in season_days(campaign) if rng.random() < SAMPLE_RATE}
    last = season_days(campaign)[-1]
    follow_ups = {d for d in follow_up_days(campaign, plan) if d <= last}
    return sorted(key_days(campaign) | {e.day for e in events} | sampled | follow_ups)


@dataclass
class FuzzReplay(SeasonReplay):
    """A perturbed season played through the clock (see the module docstring)."""

    events: tuple[WorldEvent, ...] = ()
    organisers_react: bool = True  # they add a reserve expert when reports wait unassigned
    absent: set[str] = field(default_factory=set)  # experts who dropped out (e-mails)
    reserves: int = 0  # reserve experts the organisers added

    def before_clock(self, day: date, played: bool = True) -> None:
        """Send what the plan sends on `day`, then the day's perturbation events.

        Side effects: files in the inbox (see `SeasonReplay.before_clock` and `send`).
        """
        super().before_clock(day, played)
        for event in self.events:
            if event.day == day:
                self.send(event)
        if played:
            self.add_reserve_expert(day)

    def add_reserve_expert(self, day: date) -> Path | None:
        """During the review, when reports filed before `day` still wait for experts, send the
        roster with one more reserve expert (returning sheets three days later); return it.

        Side effects: the inbox roster, the plan's reviewers. Nothing when `organisers_react`
        is false, outside the review and commend stages or when nothing waits.
        """
        stages = self.campaign.stages
        if not self.organisers_react or not stages.review < day < stages.meeting:
            return None
        if not waiting_for_experts(self.settings, self.year, day):
            return None
        self.reserves += 1
        back = (day + timedelta(days=3)).isoformat()
        email = reserve_expert(self.reserves)[1]
        self.plan["reviewers"].append({"email": email, "returns_sheet_on": back})
        return write_roster(self.generated, self.inbox, self.absent, self.reserves)

    def clock(self, day: date) -> SeasonDay:
        """Run the clock for `day`; after a corrected name arrived, run the release again.

        Side effects: those of the clock and of the release flow.
        """
        result = super().clock(day)
        if any(e.day == day and e.kind == "name-correction" for e in self.events):
            from flows.release import release  # after prepare_prefect

            release(self.year, as_of=day)
        return result

    def fuzz(
        self, days: Iterable[date], check: Callable[[date], list[str]]
    ) -> dict[date, list[str]]:
        """Play `days` in order as `replay` does and `check(day)` after each day's clock;
        return the violations by day. A day whose world or clock raises is reported as a
        violation (`day-failed`) and the season goes on, as the daily cron would.

        Side effects: those of `SeasonReplay.replay`.
        """
        found: dict[date, list[str]] = {}
        with in_process_runs():
            for day in sorted(set(days)):
                for skipped in self.skipped_days(day):
                    self.deliver(skipped)
                failed = []
                try:
                    self.before_clock(day)
                    self.operator(day)
                    self.clock(day)
                except Exception as exc:
                    failed.append(f"day-failed: {day}: {type(exc).__name__}: {exc}"[:500])
                violations = failed + check(day)
                self.after_clock(day)
                if violations:
                    found[day] = violations
        return found

    def send(self, event: WorldEvent) -> Path | None:
        """Deliver one perturbation event into the inbox; return the file written (None when
        there is nothing to send, e.g. a sheet never returned). Writes files."""
        if event.kind == "roster-without":
            self.absent.add(event.target)
            return write_roster(self.generated, self.inbox, self.absent, self.reserves)
        if event.kind == "name-correction":
            return self._receipt_again(event, "name", event.variant)
        if event.kind == "receipt-again":
            phone = "021-55550000" if event.variant == "changed" else None
            return self._receipt_again(event, "phone", phone)
        tag = f"{event.day.isoformat()}-{event.variant}"
        if event.kind == "report-again":
            source = self.generated / "reports" / f"{event.target}.pdf"
            if not source.is_file():
                return None
            target = self.inbox / "reports" / f"{event.target}-again-{tag}.pdf"
            target.parent.mkdir(parents=True, exist_ok=True)
            data = source.read_bytes()
            if event.variant == "changed":
                data += f"\n%fuzz: sent again {tag}\n".encode()
            target.write_bytes(data)
            return target
        if event.kind == "sheet-again":
            return self._sheet_again(event.target, tag, event.variant == "changed")
        raise ValueError(f"unknown world event kind: {event.kind}")

    def _receipt_again(self, event: WorldEvent, column: str, value: str | None) -> Path | None:
        """Send a unit's receipt row again, with `column` set to `value` when given. Writes a
        receipts xlsx into the inbox; None when the unit never filed a receipt row."""
        uscc, tag = event.target, f"{event.kind}-{event.day.isoformat()}"
        headers, by_day = self._sheets["receipts"]
        rows = [list(r) for day_rows in by_day.values() for r in day_rows if str(r[0]) == uscc]
        if not rows:
            return None
        if value is not None:
            index = [c.key for c in RECEIPTS.columns].index(column)
            rows[0][index] = value
        return write_sheet(self.inbox / "receipts" / f"again-{uscc}-{tag}.xlsx", headers, rows[:1])

    def _sheet_again(self, email: str, tag: str, changed: bool) -> Path | None:
        """Send an expert's returned score sheets again; `changed` raises the first score by
        up to 5 points. Writes xlsx files into the inbox; returns the last (None: none)."""
        folder = self.inbox / "review" / "sheets"
        written = None
        for path in sorted(folder.glob("*.xlsx")) if folder.is_dir() else []:
            if "-again-" in path.stem:
                continue
            wb = load_workbook(path)
            meta = read_meta(wb[META_SHEET])
            if meta is None or meta.reviewer_key.casefold() != email.casefold():
                continue
            target = folder / f"{path.stem}-again-{tag}.xlsx"
            if changed:
                cell = wb[SCORES_SHEET].cell(row=FIRST_DATA_ROW, column=score_column(0))
                top = self.campaign.review.criteria[0].max
                if isinstance(cell.value, int | float):
                    cell.value = min(top, cell.value + 5)
                wb.save(target)
            else:
                shutil.copy2(path, target)
            written = target
        return written
