"""The demo season: generate data into a fresh workspace and replay the campaign day by day.

A tool for `campaign demo`; product code never imports it. It generates a season's inputs,
replays every day of it through the real daily clock (flows/season.py) with the outside world
played by deployments/demo/replay.py, on a temporary Prefect server with a loopback SMTP sink,
then prints where everything is.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlmodel import func, select

from deployments.demo.closing import hold_meeting
from deployments.demo.replay import SeasonReplay, season_days
from deployments.environment import prepare_prefect
from deployments.reporting import status_counts
from notifications.sink import SmtpSink, count_eml, free_port
from schemas.campaign_file import load_campaign_file
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from tasks.store import campaign_engine, campaign_session, upgrade_database

if TYPE_CHECKING:
    from flows.season import SeasonDay

MARKER = ".csr-campaign-demo"


class DemoWorkspaceInUse(Exception):
    """The demo folder exists, is not empty and was not made by a demo: it is left alone."""


def fresh_demo_workspace(path: Path) -> Path:
    """Empty and recreate a demo workspace; refuse a non-empty folder a demo did not make."""
    if path.exists() and any(path.iterdir()):
        if not (path / MARKER).is_file():
            raise DemoWorkspaceInUse(
                f"{path} exists and was not made by `campaign demo`; move it or set "
                "CAMPAIGN_DEMO_WORKSPACE to another folder"
            )
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("made by campaign demo; deleted by the next demo run\n")
    return path


def run_demo(console: Console, *, enterprises: int, seed: int, year: int) -> None:
    """Run the demo season end to end and print a summary of what it produced and where.

    Side effects: deletes and recreates the demo workspace (default ./workspace/demo), writes
    generated inputs, the database, reports and Prefect's history into it.
    """
    base = Settings()
    demo_root = Path(os.environ.get("CAMPAIGN_DEMO_WORKSPACE") or base.workspace / "demo")
    try:
        workspace = fresh_demo_workspace(demo_root.resolve())
    except DemoWorkspaceInUse as exc:
        console.print(f"[red]{exc}[/red]")
        raise SystemExit(2) from None
    sink_folder = workspace / "mail" / "sink"
    sink = SmtpSink(sink_folder, port=free_port()).start()
    os.environ["CAMPAIGN_WORKSPACE"] = str(workspace)
    os.environ.pop("CAMPAIGN_DATABASE_URL", None)
    os.environ.update(
        CAMPAIGN_MAILER="smtp",
        CAMPAIGN_SMTP_HOST="127.0.0.1",
        CAMPAIGN_SMTP_PORT=str(sink.port),
        CAMPAIGN_SMTP_SECURITY="none",
    )
    os.environ.pop("CAMPAIGN_SMTP_USER", None)
    try:
        _replay(console, workspace, sink_folder, enterprises=enterprises, seed=seed, year=year)
    finally:
        sink.stop()


def _replay(
    console: Console, workspace: Path, sink_folder: Path, *, enterprises: int, seed: int, year: int
) -> None:
    """Generate the inputs, replay the season day by day, and print the summary."""
    settings = Settings()
    upgrade_database(campaign_engine(settings))  # once, at start: the flows only check it
    home = prepare_prefect(settings)
    campaign = load_campaign_file(settings.campaign_file(year))
    console.rule(
        f"csr-campaign demo: {campaign.campaign.name} {year} (第{campaign.campaign.edition}届)"
    )
    console.print(f"workspace: {workspace}")

    from deployments.demo.generate import generate  # a demo tool, loaded only for the demo

    generated = workspace / "generated"
    with Progress(console=console, transient=True) as progress:
        bar = progress.add_task(f"generating {enterprises} units", total=enterprises)
        summary = generate(
            campaign,
            generated,
            enterprises=enterprises,
            seed=seed,
            with_pdfs=True,
            workers=2,
            progress=lambda done, total: progress.update(bar, completed=done, total=total),
        )
    console.print(f"generated inputs for {enterprises} units in {generated}")

    days = season_days(campaign)
    stages: list[tuple[date, str]] = []
    problems: Counter[str] = Counter()
    reports: list[str] = []
    with Progress(console=console) as progress:
        bar = progress.add_task("replaying the season", total=len(days))

        def meeting(campaign_year: int, day: date) -> str:
            progress.update(bar, description=f"{day} meeting: paused for the decision")
            return hold_meeting(campaign_year, day)

        def record(day: date, result: SeasonDay) -> None:
            if result.stage_changed:
                stages.append((day, result.stage.value))
            for summary_of_day in _intake_summaries(result):
                problems.update(summary_of_day.problems_by_code)
                if summary_of_day.problems_by_code:
                    reports.append(summary_of_day.report)
            progress.update(bar, advance=1, description=f"{day} {result.stage.value}")

        replay = SeasonReplay(settings, campaign, generated, seed=seed, meeting=meeting)
        replay.replay(days, hook=record)
    _print_summary(console, settings, year, stages, problems, reports, home, summary.model_dump())
    console.print(
        f"mail received by the loopback SMTP server: {count_eml(sink_folder)} .eml files in "
        f"{sink_folder} (open any of them in a mail program)"
    )


class _Reported(Protocol):
    problems_by_code: dict[str, int]
    report: str


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


def _print_summary(
    console: Console,
    settings: Settings,
    year: int,
    stages: list[tuple[date, str]],
    problems: Counter[str],
    reports: list[str],
    home: Path,
    generated: dict[str, object],
) -> None:
    stage, counts = status_counts(settings, year)
    table = Table(title=f"campaign {year}: stage {stage}")
    table.add_column("participations by status")
    table.add_column("units", justify="right")
    for status, n in counts.items():
        table.add_row(status, str(n))
    console.print(table)
    from tasks.train.seats import attendance_tables  # imports prefect: only after prepare_prefect

    campaign = load_campaign_file(settings.campaign_file(year))
    with campaign_session(settings) as session:
        per_session, _ = attendance_tables(session, year, campaign.training.sessions)
        sent = session.exec(
            select(OutboxMessage.template, OutboxMessage.status, func.count())
            .group_by(OutboxMessage.template, OutboxMessage.status)
            .order_by(OutboxMessage.template)
        ).all()
    training = Table(title="training sessions")
    for column in ("session", "capacity", "invited", "waitlisted", "attended", "absent"):
        training.add_column(column, justify="left" if column == "session" else "right")
    for row in per_session:
        training.add_row(
            *(
                str(row[c])
                for c in ("session", "capacity", "invited", "waitlisted", "attended", "absent")
            )
        )
    console.print(training)
    mail = Table(title="mail (outbox)")
    for column in ("template", "status", "messages"):
        mail.add_column(column, justify="right" if column == "messages" else "left")
    for template, status, n in sent:
        mail.add_row(template, str(status), str(n))
    console.print(mail)
    if stages:
        console.print("stage changes: " + ", ".join(f"{d} → {s}" for d, s in stages))
    if problems:
        problem_table = Table(title="input problems found (rejection report)")
        problem_table.add_column("code")
        problem_table.add_column("rows", justify="right")
        for code, n in sorted(problems.items()):
            problem_table.add_row(code, str(n))
        console.print(problem_table)
    injected = generated.get("bad_rows_by_kind") or generated.get("injected") or {}
    if injected:
        console.print(f"bad rows the generator injected: {injected}")
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
