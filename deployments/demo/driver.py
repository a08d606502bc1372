"""The demo season: generate data into a fresh workspace and replay the campaign day by day.

A tool for `campaign demo`; product code never imports it. When the year before has a campaign
file it first plays a short earlier season into the same workspace and database
(deployments/demo/earlier.py: half the units, the same enterprises by USCC, the clock's
key days), so units have released reports in two editions. Then it generates the main season's
inputs, replays every day of it through the real daily clock (flows/season.py) with the outside
world played by deployments/demo/replay.py, on a temporary Prefect server with a loopback SMTP
sink, and prints a summary and where everything is (deployments/demo/summary.py).
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress

from deployments.demo.closing import hold_meeting
from deployments.demo.earlier import earlier_campaign, earlier_days, earlier_units
from deployments.demo.replay import SeasonReplay, season_days
from deployments.demo.summary import SeasonLog, participation_table, print_summary
from deployments.environment import prepare_prefect
from deployments.local_server import workspace_prefect_server
from deployments.reporting import status_counts
from notifications.sink import SmtpSink, count_eml, free_port
from schemas.campaign_file import CampaignFile, load_campaign_file
from schemas.settings import Settings
from tasks.store import campaign_engine, upgrade_database

if TYPE_CHECKING:
    from deployments.demo.model import GenerationSummary
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
    """Start the workspace's Prefect server (its log in the Prefect home, not on this terminal),
    then play the seasons (`_play`). Writes files and the database; stops the server at the end."""
    settings = Settings()
    upgrade_database(campaign_engine(settings))  # once, at start: the flows only check it
    home = prepare_prefect(settings)
    with workspace_prefect_server(home, free_port()) as api_url:
        console.print(
            f"Prefect UI while the demo runs: {api_url.removesuffix('/api')} "
            f"(server log: {home / 'server.log'})",
            soft_wrap=True,
        )
        _play(
            console,
            settings,
            home,
            workspace,
            sink_folder,
            enterprises=enterprises,
            seed=seed,
            year=year,
        )


def _play(
    console: Console,
    settings: Settings,
    home: Path,
    workspace: Path,
    sink_folder: Path,
    *,
    enterprises: int,
    seed: int,
    year: int,
) -> None:
    """Play the earlier season (when there is one) and the main season; print the summary."""
    campaign = load_campaign_file(settings.campaign_file(year))
    earlier = earlier_campaign(settings, year)
    console.rule(
        f"csr-campaign demo: {campaign.campaign.name} {year} (第{campaign.campaign.edition}届)"
    )
    console.print(f"workspace: {workspace}")
    if earlier is not None:
        _earlier_season(console, settings, earlier, workspace, enterprises=enterprises, seed=seed)
    generated = workspace / "generated"
    summary = _generate_inputs(console, campaign, generated, enterprises=enterprises, seed=seed)
    days = season_days(campaign)
    log = SeasonLog()
    with Progress(console=console) as progress:
        bar = progress.add_task("replaying the season", total=len(days))

        def meeting(campaign_year: int, day: date) -> str:
            progress.update(bar, description=f"{day} meeting: paused for the decision")
            return hold_meeting(campaign_year, day)

        def record(day: date, result: SeasonDay) -> None:
            log.record(day, result)
            progress.update(bar, advance=1, description=f"{day} {result.stage.value}")

        replay = SeasonReplay(settings, campaign, generated, seed=seed, meeting=meeting)
        replay.replay(days, hook=record)
    print_summary(console, settings, year, log, home, summary.model_dump())
    console.print(
        f"mail received by the loopback SMTP server: {count_eml(sink_folder)} .eml files in "
        f"{sink_folder} (open any of them in a mail program)"
    )
    earlier_year = earlier.year if earlier is not None else None
    console.print(later_commands(workspace, Path.cwd(), year, earlier_year), soft_wrap=True)


def _earlier_season(
    console: Console,
    settings: Settings,
    campaign: CampaignFile,
    workspace: Path,
    *,
    enterprises: int,
    seed: int,
) -> None:
    """Generate and replay the short earlier season (deployments/demo/earlier.py) into the same
    workspace and database; print its participations by status. Writes files and the database."""
    generated = workspace / f"generated-{campaign.year}"
    units = earlier_units(enterprises)
    _generate_inputs(console, campaign, generated, enterprises=units, seed=seed)
    days = earlier_days(campaign, generated)
    with Progress(console=console, transient=True) as progress:
        bar = progress.add_task(f"replaying {campaign.year} (earlier season)", total=len(days))

        def record(day: date, result: SeasonDay) -> None:
            progress.update(bar, advance=1, description=f"{day} {result.stage.value}")

        SeasonReplay(settings, campaign, generated, seed=seed).replay(days, hook=record)
    stage, counts = status_counts(settings, campaign.year)
    console.print(participation_table(campaign.year, stage, counts))
    console.print(
        f"往届演示 earlier season {campaign.year}: {units} units, {len(days)} key days played; "
        f"catalogue: {workspace / 'release' / str(campaign.year) / 'catalogue' / 'index.html'}",
        soft_wrap=True,
    )


def later_commands(workspace: Path, cwd: Path, year: int, earlier: int | None = None) -> str:
    """Return the demo's last lines: how to point later commands at its workspace. Pure."""
    shown = workspace.relative_to(cwd) if workspace.is_relative_to(cwd) else workspace
    lines = [
        "之后查看这次演示请加 --workspace / to look at this demo later, add --workspace:",
        f"  campaign --workspace {shown} status --year {year}",
        f"  campaign --workspace {shown} audit --year {year}",
    ]
    if earlier is not None:
        lines.append(f"  campaign --workspace {shown} audit --year {earlier}")
    lines += [
        f"  campaign --workspace {shown} search 碳达峰",
        f"  campaign --workspace {shown} outbox list",
        f"  campaign --workspace {shown} verify {shown}/release/{year}/certificates/<证书>.pdf",
    ]
    return "\n".join(lines)


def _generate_inputs(
    console: Console, campaign: CampaignFile, generated: Path, *, enterprises: int, seed: int
) -> GenerationSummary:
    """Generate the season's inputs into `generated` with a progress bar. Writes files."""
    from deployments.demo.generate import generate  # a demo tool, loaded only for the demo

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
    return summary
