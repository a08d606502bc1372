"""The demo season's summary: what the replay saw day by day, and the tables printed at the end.

`SeasonLog` collects, as the clock replays each day, the stage changes, the input problems the
intake found (by code) and the rejection reports that list them. `print_summary` then reads the
database (participations by status, training sessions, the outbox by template and status) and
prints those tables, the season log and where every output is. The table builders are pure. A
tool for `campaign demo`; product code never imports it. It does not replay or generate anything
(driver.py, replay.py, generate.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlmodel import func, select

from deployments.reporting import status_counts
from schemas.campaign_file import load_campaign_file
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from tasks.store import campaign_session
from tasks.train.seats import attendance_tables

if TYPE_CHECKING:
    from flows.season import SeasonDay

TRAINING_COLUMNS = ("session", "capacity", "invited", "waitlisted", "attended", "absent")
SessionCounts = dict[str, str | int]  # one row of tasks.train.seats.attendance_tables


class StageChange(NamedTuple):
    """A day the campaign moved into another stage."""

    day: date
    stage: str


class OutboxCount(NamedTuple):
    """How many outbox messages of one template are in one status."""

    template: str
    status: str
    messages: int


class _Reported(Protocol):
    problems_by_code: dict[str, int]
    report: str


@dataclass
class SeasonLog:
    """What the replay saw: stage changes, input problems by code, reports that list problems."""

    stages: list[StageChange] = field(default_factory=list)
    problems: Counter[str] = field(default_factory=Counter)
    reports: list[str] = field(default_factory=list)

    def record(self, day: date, result: SeasonDay) -> None:
        """Note the day's stage change and the problems its intake found (no I/O)."""
        if result.stage_changed:
            self.stages.append(StageChange(day, result.stage.value))
        for summary_of_day in _intake_summaries(result):
            self.problems.update(summary_of_day.problems_by_code)
            if summary_of_day.problems_by_code:
                self.reports.append(summary_of_day.report)


def _intake_summaries(result: SeasonDay) -> list[_Reported]:
    """Return the day's intake summaries that took something in."""
    out: list[_Reported] = []
    if result.mobilize is not None:
        rec, rcp = result.mobilize.recommendations, result.mobilize.receipts
        if rec is not None and (rec.participations_new or rec.units_updated):
            out.append(rec)
        if rcp is not None and rcp.receipts_new:
            out.append(rcp)
    if result.submit is not None:
        out += [s for s in (result.submit.forms, result.submit.reports) if s is not None]
    return out


def print_summary(
    console: Console,
    settings: Settings,
    year: int,
    log: SeasonLog,
    home: Path,
    generated: dict[str, object],
) -> None:
    """Print the season's tables, what the replay saw and where everything is. Reads the database.

    Call it after prepare_prefect: reading the training sessions imports prefect.
    """
    stage, counts = status_counts(settings, year)
    console.print(participation_table(year, stage, counts))
    per_session, outbox = _training_and_outbox(settings, year)
    console.print(training_table(per_session))
    console.print(mail_table(outbox))
    _print_season_log(console, log, generated)
    _print_places(console, settings, year, log.reports, home)


def _training_and_outbox(
    settings: Settings, year: int
) -> tuple[list[SessionCounts], list[OutboxCount]]:
    """Return the attendance counts per training session and the outbox counts. Reads the DB."""
    campaign = load_campaign_file(settings.campaign_file(year))
    with campaign_session(settings) as session:
        per_session, _ = attendance_tables(session, year, campaign.training.sessions)
        rows = session.exec(
            select(OutboxMessage.template, OutboxMessage.status, func.count())
            .where(OutboxMessage.campaign_year == year)  # the earlier season's mail is its own
            .group_by(OutboxMessage.template, OutboxMessage.status)
            .order_by(OutboxMessage.template)
        ).all()
    return per_session, [OutboxCount(template, str(status), n) for template, status, n in rows]


def participation_table(year: int, stage: str, counts: dict[str, int]) -> Table:
    """Return the table of participations by status under the campaign's stage. Pure."""
    table = Table(title=f"campaign {year}: stage {stage}")
    table.add_column("participations by status")
    table.add_column("units", justify="right")
    for status, n in counts.items():
        table.add_row(status, str(n))
    return table


def training_table(per_session: Sequence[SessionCounts]) -> Table:
    """Return the table of training sessions: capacity, invited, waitlisted, attendance. Pure."""
    training = Table(title="training sessions")
    for column in TRAINING_COLUMNS:
        training.add_column(column, justify="left" if column == "session" else "right")
    for row in per_session:
        training.add_row(*(str(row[c]) for c in TRAINING_COLUMNS))
    return training


def mail_table(outbox: Sequence[OutboxCount]) -> Table:
    """Return the table of outbox messages by template and status. Pure."""
    mail = Table(title="mail (outbox)")
    for column in ("template", "status", "messages"):
        mail.add_column(column, justify="right" if column == "messages" else "left")
    for count in outbox:
        mail.add_row(count.template, count.status, str(count.messages))
    return mail


def problem_table(problems: Counter[str]) -> Table:
    """Return the table of input problems found, rows per code in code order. Pure."""
    table = Table(title="input problems found (rejection report)")
    table.add_column("code")
    table.add_column("rows", justify="right")
    for code, n in sorted(problems.items()):
        table.add_row(code, str(n))
    return table


def _print_season_log(console: Console, log: SeasonLog, generated: dict[str, object]) -> None:
    """Print the stage changes, the problems found and the bad rows the generator injected."""
    if log.stages:
        console.print("stage changes: " + ", ".join(f"{c.day} → {c.stage}" for c in log.stages))
    if log.problems:
        console.print(problem_table(log.problems))
    injected = generated.get("bad_rows_by_kind") or generated.get("injected") or {}
    if injected:
        console.print(f"bad rows the generator injected: {injected}")


def _print_places(
    console: Console, settings: Settings, year: int, reports: list[str], home: Path
) -> None:
    """Print where the database, reports, release files, sent mail and Prefect history are."""
    shown_url = sa.make_url(settings.effective_database_url).render_as_string(hide_password=True)
    console.print(f"database:          {shown_url}")
    console.print(
        f"reports folder:    {settings.workspace / 'reports'} "
        f"({len(reports)} reports list problems; first: {reports[0] if reports else '-'})"
    )
    console.print(f"generated inputs:  {settings.workspace / 'generated'}")
    release = settings.workspace / "release" / str(year)
    for label, place in (
        ("certificates:     ", release / "certificates"),
        ("public catalogue: ", release / "catalogue" / "index.html"),
        ("knowledge base:   ", settings.workspace / "release" / "site" / "index.html"),
        ("reports index:    ", settings.workspace / "reports" / str(year) / "index.html"),
        ("season statistics:", release / "statistics" / "season-statistics.xlsx"),
        ("media kit:        ", release / "media-kit"),
        ("sent mail (.eml): ", settings.workspace / "mail" / "sink"),
    ):
        console.print(f"{label} {place}" + ("" if place.exists() else "  (not produced)"))
    console.print(f"Prefect history:   {home}")
    console.print(
        f"open the Prefect UI on this history:  PREFECT_HOME={home} .venv/bin/prefect server start"
        "  (then http://127.0.0.1:4200)"
    )
