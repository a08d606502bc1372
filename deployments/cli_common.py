"""What every `campaign` command needs: the campaign year checked, the database migrated once.

Imports neither prefect nor the flows, so any command module may use it and stay light.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from sqlalchemy.engine import make_url

from deployments.environment import quiet_prefect_telemetry
from schemas.campaign_file import CampaignFileError, latest_campaign_year, load_campaign_file
from schemas.settings import Settings
from schemas.uscc import InvalidUSCC, normalise_uscc
from tasks.store import campaign_engine, upgrade_database

NO_DATABASE = 6  # exit code of a read-only command when the workspace holds no campaign yet


def check_campaign(settings: Settings, year: int | None, console: Console) -> int:
    """Return the campaign year to use (default: the newest file) after checking its file.

    Prints every problem of a broken or missing campaign file and exits 2.
    """
    try:
        chosen = year if year is not None else latest_campaign_year(settings.campaigns_dir)
        load_campaign_file(settings.campaign_file(chosen))
    except CampaignFileError as exc:
        console.print(f"[red]活动文件有问题 campaign file problem[/red] {exc.path}:")
        for line in exc.problems:
            console.print(f"  - {line}")
        raise typer.Exit(2) from None
    return chosen


def migrated_settings() -> Settings:
    """Return the settings after bringing the campaign database to the newest schema.

    The command's entry point: builds this process's engine, which every later transaction of
    the command reuses. Side effect: runs pending migrations.
    """
    settings = Settings()
    upgrade_database(campaign_engine(settings))
    return settings


def choose_workspace(workspace: Path | None) -> None:
    """Point every later Settings() of this process at `workspace` (sets CAMPAIGN_WORKSPACE).

    Runs before every command, before prefect is imported: also turns Prefect's telemetry off
    (its first-run banner on the demo's console; deployments/environment.py).
    """
    quiet_prefect_telemetry()
    if workspace is not None:
        os.environ["CAMPAIGN_WORKSPACE"] = str(workspace.expanduser().resolve())


def missing_database(settings: Settings) -> Path | None:
    """Return the SQLite file the settings name when it does not exist yet, else None. Pure read."""
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return None if path.exists() else path


def existing_campaign_settings(console: Console) -> Settings:
    """Return the settings of a read-only command; exit 6 when the workspace has no database.

    Never creates a database: an SQLite file that does not exist is reported with the way to
    point the command at another workspace. An existing database is brought to the newest
    schema (its data kept), as every command does.
    """
    settings = Settings()
    absent = missing_database(settings)
    if absent is not None:
        console.print(
            f"[yellow]该工作目录还没有活动数据库[/yellow] no campaign database in "
            f"{settings.workspace} (looked for {absent.name}).\n"
            "请用 --workspace 指向活动所在的目录，例如演示活动：campaign --workspace "
            "workspace/demo status / point the command at the campaign's workspace, "
            "e.g. the demo's: campaign --workspace workspace/demo status",
            soft_wrap=True,
        )
        raise typer.Exit(NO_DATABASE)
    upgrade_database(campaign_engine(settings))
    return settings


def parse_day(text: str | None) -> date | None:
    """Return the --as-of date given, or None when none was; a bad date is a usage error."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} 不是日期 is not a date like YYYY-MM-DD") from None


def business_day(text: str | None, settings: Settings) -> date:
    """Return the --as-of date given, or today in the campaign's time zone."""
    return parse_day(text) or datetime.now(ZoneInfo(settings.timezone)).date()


def uscc_argument(text: str) -> str:
    """Return the USCC an operator typed, normalised; a bad one is a usage error naming why."""
    try:
        return normalise_uscc(text)
    except InvalidUSCC as exc:
        raise typer.BadParameter(f"统一社会信用代码无效 invalid USCC: {exc.reason_en}") from None
