"""`campaign audit`: check the stored season against its invariants and list what is wrong.

Prints one line per violation (unit name and USCC, the invariant, what is wrong in Chinese then
English, what to do), then the count per invariant. Exit code 1 on any violation (an overdue
to-do, an expert's sheet or the chair's word past its day, is listed but does not fail), 0 when
the season audits clean. `register(app)` adds the command to the main `campaign` app. Importing this
module does not import prefect.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from deployments.cli_common import business_day, check_campaign, migrated_settings
from schemas.campaign_file import load_campaign_file
from tasks.audit.check import audit_season
from tasks.audit.report import count_lines, violation_line
from tasks.audit.violations import broken
from tasks.store import campaign_session

console = Console()


def register(app: typer.Typer) -> None:
    """Add the `audit` command to the `campaign` app."""
    app.command("audit")(audit)


def audit(
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="活动年度 / campaign year (campaigns/<year>.toml); default: the newest."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="业务日期 / business date YYYY-MM-DD (default: today)."),
    ] = None,
) -> None:
    """Audit the stored season; one line per violation, exit 1 on any (0 when clean)."""
    settings = migrated_settings()
    chosen = check_campaign(settings, year, console)
    day = business_day(as_of, settings)
    campaign = load_campaign_file(settings.campaign_file(chosen))
    with campaign_session(settings) as session:
        violations = audit_season(session, campaign, day, settings)
    for v in violations:
        console.print(escape(violation_line(v)), soft_wrap=True, highlight=False)
    console.print(
        f"核查 {chosen} 年度，截至 {day}（audit of {chosen} as of {day}）:", highlight=False
    )
    for line in count_lines(violations):
        console.print("  " + escape(line), soft_wrap=True, highlight=False)
    failing = broken(violations)
    overdue = len(violations) - len(failing)
    if overdue:
        console.print(
            f"[yellow]{overdue} 项逾期待办 overdue to-do(s)[/yellow]"
            "（专家评分或主任委员决定逾期；不影响核查结论 experts' sheets or the chair's word"
            " past their day: listed, not failing)"
        )
    if failing:
        console.print(f"[red]{len(failing)} 项核查未通过 violation(s)[/red]")
        raise typer.Exit(1)
    console.print("[green]本届核查通过 (the season audits clean)[/green]")
