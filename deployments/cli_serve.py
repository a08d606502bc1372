"""`campaign serve`: every stage flow as a deployment, the clock, reminders and delivery scheduled.

Without PREFECT_API_URL the command starts a Prefect server on 127.0.0.1 (`--port`, default
4200) with the workspace's PREFECT_HOME, so its UI shows the workspace's history, and stops it
on exit; with PREFECT_API_URL set it registers on and serves from that server. `register(app)`
adds the command to the main `campaign` app. Importing this module does not import prefect
(deployments/serve.py is imported inline, after Prefect is pointed at the workspace).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from deployments.cli_common import check_campaign, migrated_settings
from deployments.environment import prepare_prefect
from deployments.local_server import DEFAULT_PORT, PrefectServerError, local_prefect_server
from schemas.settings import Settings

console = Console()


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the `campaign` app."""
    app.command("serve")(serve)


def serve(
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="部署的默认活动年度 / default campaign year of the deployments (default: newest).",
        ),
    ] = None,
    port: Annotated[
        int,
        typer.Option(
            min=1,
            max=65535,
            help="在此启动的 Prefect 服务器端口 / port of the Prefect server started here.",
        ),
    ] = DEFAULT_PORT,
) -> None:
    """Serve every stage flow as a deployment: the clock and reminders run on their schedules.

    Outbox delivery runs every CAMPAIGN_DELIVER_EVERY_MINUTES minutes. Runs until Ctrl-C.
    Operators trigger the other stages from the Prefect UI. Brings the campaign database to the
    newest schema once, before any flow runs (flows only check it).
    """
    settings = migrated_settings()
    home = prepare_prefect(settings)
    campaign_year = check_campaign(settings, year, console)
    own_api = os.environ.get("PREFECT_API_URL")
    if own_api:
        console.print(
            f"正在服务 {campaign_year} 年度活动 serving campaign {campaign_year} "
            f"on the Prefect API at {own_api}"
        )
        _serve(campaign_year, settings)
        return
    server_auth = os.environ.get("PREFECT_SERVER_API_AUTH_STRING")
    if server_auth:
        os.environ.setdefault("PREFECT_API_AUTH_STRING", server_auth)
    console.print(
        f"正在启动 Prefect 服务器 starting a Prefect server on 127.0.0.1:{port} "
        f"(PREFECT_HOME={home})"
    )
    try:
        with local_prefect_server(home, port) as api_url:
            os.environ["PREFECT_API_URL"] = api_url
            console.print(
                f"Prefect 界面 UI: {api_url.removesuffix('/api')}  "
                f"正在服务 {campaign_year} 年度活动 serving campaign {campaign_year}; "
                "Ctrl-C 停止服务和服务器 stops serving and the server"
            )
            _serve(campaign_year, settings)
    except PrefectServerError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


def _serve(campaign_year: int, settings: Settings) -> None:
    from deployments.serve import serve_campaign  # imports prefect: after the environment is set

    try:
        serve_campaign(
            campaign_year, settings.timezone, deliver_every_minutes=settings.deliver_every_minutes
        )
    except KeyboardInterrupt:
        console.print("已停止服务 stopped serving")
