"""What every `campaign` command needs: the campaign year checked, the database migrated once.

Imports neither prefect nor the flows, so any command module may use it and stay light.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from schemas.campaign_file import CampaignFileError, latest_campaign_year, load_campaign_file
from schemas.settings import Settings
from tasks.store import campaign_engine, upgrade_database


def check_campaign(settings: Settings, year: int | None, console: Console) -> int:
    """Return the campaign year to use (default: the newest file) after checking its file.

    Prints every problem of a broken or missing campaign file and exits 2.
    """
    try:
        chosen = year if year is not None else latest_campaign_year(settings.campaigns_dir)
        load_campaign_file(settings.campaign_file(chosen))
    except CampaignFileError as exc:
        console.print(f"[red]campaign file problem[/red] {exc.path}:")
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


def parse_day(text: str | None) -> date | None:
    """Return the --as-of date given, or None when none was; a bad date is a usage error."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like YYYY-MM-DD") from None


def business_day(text: str | None, settings: Settings) -> date:
    """Return the --as-of date given, or today in the campaign's time zone."""
    return parse_day(text) or datetime.now(ZoneInfo(settings.timezone)).date()
