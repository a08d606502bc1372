"""The `campaign` command line (typer + rich): operators' and developers' entry to the product.

Every command builds Settings from the environment, points Prefect at the workspace
(deployments/environment.py) and only then imports flows: Prefect reads its settings at import
time, which is why flow imports here are inline.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from deployments.cli_audit import register as register_audit_commands
from deployments.cli_cases import register as register_cases_commands
from deployments.cli_common import (
    business_day,
    check_campaign,
    choose_workspace,
    existing_campaign_settings,
    migrated_settings,
    parse_day,
)
from deployments.cli_mail import register as register_mail_commands
from deployments.cli_meeting import register as register_meeting_commands
from deployments.cli_release import register as register_release_commands
from deployments.cli_review import register as register_review_commands
from deployments.cli_search import register as register_search_commands
from deployments.cli_serve import register as register_serve_commands
from deployments.environment import in_process_runs, prepare_prefect
from schemas.campaign_file import load_campaign_file
from schemas.columns import INPUT_KINDS
from schemas.enums import OverQuota
from schemas.settings import Settings

app = typer.Typer(
    help="上海企业社会责任报告发布活动 / csr-campaign: the Shanghai CSR report release campaign.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold contacts or secrets
)
STAGES = (
    "season",
    "mobilize",
    "train",
    "submit",
    "remind",
    "review",
    "commend",
    "meeting",
    "release",
)
db_app = typer.Typer(help="活动数据库 / the campaign database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()

YearOption = Annotated[
    int | None,
    typer.Option(
        "--year", help="活动年度 / campaign year (campaigns/<year>.toml); default: newest."
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="业务日期 / business date YYYY-MM-DD (default: today)."),
]


@app.callback()
def choose(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            envvar="CAMPAIGN_WORKSPACE",
            help="活动工作目录（数据库、收件箱、报告）/ the campaign's workspace folder "
            "(default: ./workspace; the demo's is workspace/demo).",
        ),
    ] = None,
) -> None:
    """csr-campaign: the Shanghai CSR report release campaign on Prefect."""
    choose_workspace(workspace)


def _settings() -> Settings:
    settings = Settings()
    prepare_prefect(settings)
    return settings


def _migrated_settings() -> Settings:
    """Return the settings with Prefect pointed at the workspace and the schema at its newest.

    The entry point of a command that runs flows here: it migrates once, so the flows, which
    only check the schema, find it current.
    """
    settings = migrated_settings()
    prepare_prefect(settings)
    return settings


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the generated inputs into.")],
    year: YearOption = None,
    enterprises: Annotated[int, typer.Option(min=1, help="How many units to make.")] = 60,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 7,
    bad_rate: Annotated[float, typer.Option(min=0.0, max=0.5, help="Share of bad rows.")] = 0.05,
    pdfs: Annotated[bool, typer.Option(help="Also write report PDFs.")] = True,
    workers: Annotated[int, typer.Option(min=1, help="Processes for the PDFs.")] = 2,
) -> None:
    """Write synthetic inputs for a season: associations, recommendations, forms, PDFs, roster."""
    from deployments.demo.generate import generate as run_generate

    settings = Settings()
    year = check_campaign(settings, year, console)
    campaign = load_campaign_file(settings.campaign_file(year))
    summary = run_generate(
        campaign,
        out,
        enterprises=enterprises,
        seed=seed,
        bad_rate=bad_rate,
        with_pdfs=pdfs,
        workers=workers,
    )
    console.print(summary.model_dump_json(indent=2))


@app.command()
def run(
    stage: Annotated[str, typer.Argument(help="season or a stage: " + ", ".join(STAGES[1:]))],
    year: YearOption = None,
    as_of: AsOfOption = None,
    over_quota: Annotated[
        OverQuota, typer.Option(help="mobilize: hold or cut lists over the quota.")
    ] = OverQuota.HOLD,
    dry_run: Annotated[bool, typer.Option(help="remind: list what would be sent.")] = False,
) -> None:
    """Run one stage flow (or the daily clock) now, on a temporary Prefect server."""
    if stage not in STAGES:
        raise typer.BadParameter(
            f"没有该环节 unknown stage {stage!r}; 可选 built: {', '.join(STAGES)}"
        )
    settings = _migrated_settings()
    year = check_campaign(settings, year, console)
    day = parse_day(as_of)
    # Flows are imported here, after _settings() pointed Prefect at the workspace.
    stage_flow = getattr(importlib.import_module(f"flows.{stage}"), stage)
    extra: dict[str, object] = {}
    if stage == "mobilize":
        extra["over_quota"] = over_quota
    elif stage == "remind":
        extra["dry_run"] = dry_run
    with in_process_runs():
        result = stage_flow(year, as_of=day, **extra)
    console.print(result.model_dump_json(indent=2, exclude_none=True))


@app.command(name="import")
def import_files(
    kind: Annotated[str, typer.Argument(help="recommendations")],
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    year: YearOption = None,
    as_of: AsOfOption = None,
    associations: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="The association list.")
    ] = None,
    over_quota: Annotated[OverQuota, typer.Option()] = OverQuota.HOLD,
) -> None:
    """Ingest input files now; exits 1 when a file could not be read at all."""
    if kind != "recommendations":
        raise typer.BadParameter(
            f"不支持的类型 unknown kind {kind!r}; 目前只有 built: recommendations"
        )
    settings = _migrated_settings()
    year = check_campaign(settings, year, console)
    from flows.mobilize import mobilize

    result = mobilize(
        year,
        as_of=parse_day(as_of),
        over_quota=over_quota,
        associations_file=str(associations) if associations else None,
        recommendation_files=[str(f) for f in files],
    )
    summary = result.recommendations
    if summary is None:
        raise typer.BadParameter("没有给出推荐名单文件 / no recommendation files given")
    table = Table("问题代码 code", "数量 count", title="问题 problems")
    for code, count in summary.problems_by_code.items():
        table.add_row(code, str(count))
    console.print(table)
    console.print(
        f"接收 accepted {summary.rows_accepted}，暂缓 held {summary.rows_held}，"
        f"拒收 rejected {summary.rows_rejected}；报告 report: {settings.workspace / summary.report}"
    )
    if summary.files_rejected:
        console.print(
            f"[red]{summary.files_rejected} 个文件无法读取 file(s) could not be read[/red]"
        )
        raise typer.Exit(1)


@app.command()
def template(
    kind: Annotated[str, typer.Argument(help=f"one of: {', '.join(INPUT_KINDS)}")],
    out: Annotated[Path, typer.Option(help="Where to write the xlsx template.")],
    year: YearOption = None,
) -> None:
    """Write the xlsx template of an input kind: rules, drop-downs, text codes, an example."""
    from deployments.templates import write_template

    if kind not in INPUT_KINDS:
        raise typer.BadParameter(
            f"不支持的类型 unknown kind {kind!r}; 可选 known: {', '.join(INPUT_KINDS)}"
        )
    spec = INPUT_KINDS[kind]
    write_template(spec, out, year or business_day(None, Settings()).year)
    console.print(f"已写入 wrote {out}")
    for c in spec.columns:
        console.print(
            "  " + " | ".join([c.header, c.key, "必填" if c.required else "选填", c.note])
        )


@app.command()
def status(year: YearOption = None) -> None:
    """Show the campaign's stage and how many units stand at each status."""
    from deployments.reporting import campaign_status

    chosen = check_campaign(Settings(), year, console)
    console.print(campaign_status(existing_campaign_settings(console), chosen))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the campaign database schema to the newest migration."""
    from tasks.store import campaign_engine, upgrade_database

    engine = campaign_engine(Settings())
    upgrade_database(engine)
    console.print(
        f"数据库已是最新 database is up to date: {engine.url.render_as_string(hide_password=True)}"
    )


@app.command()
def demo(
    enterprises: Annotated[int, typer.Option(min=10, help="How many units to generate.")] = 60,
    seed: Annotated[int, typer.Option()] = 7,
    year: YearOption = None,
) -> None:
    """Generate data into a fresh demo workspace and replay the season on it."""
    from deployments.demo.driver import run_demo

    year = check_campaign(Settings(), year, console)
    run_demo(console, enterprises=enterprises, seed=seed, year=year)


register_audit_commands(app)
register_cases_commands(app)
register_mail_commands(app)
register_meeting_commands(app)
register_release_commands(app)
register_review_commands(app)
register_search_commands(app)
register_serve_commands(app)


def main() -> None:
    """Entry point of the `campaign` console script."""
    app()
