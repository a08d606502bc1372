"""`campaign outbox ...` and `campaign smtp-sink`: the operator's view of the mail that goes out.

`outbox list` shows rows by status and template (`--status ambiguous` is what a crashed
deliverer left: the server may or may not have those); `outbox deliver` sends what is due now;
`outbox requeue` and `outbox cancel` act on rows and record who (`cli:<user>`) and why;
`outbox confirm` records an ambiguous row as sent once an operator (`--by`) has seen it arrive.
`outbox list` reads at 80 columns (deployments/outbox_listing.py; `--wide` for a table).
`smtp-sink` runs a loopback SMTP server that keeps every message as an .eml file in the
workspace. `register(app)` adds these to the main `campaign` app. Importing this module does
not import prefect (delivery imports it inline, after Prefect is pointed at the workspace).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from deployments.cli_common import existing_campaign_settings, migrated_settings
from deployments.environment import prepare_prefect
from deployments.outbox_listing import (
    footer,
    natural_width,
    row_block,
    status_counts,
    wide_table,
)
from notifications.operators import OutboxMoveRefused, cancel, confirm_sent, requeue
from notifications.outbox import OutboxView, count_by_status, list_messages
from notifications.outbox_views import count_messages
from notifications.sink import serve_sink
from schemas.enums import OutboxStatus
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.store import campaign_session

console = Console()
outbox_app = typer.Typer(
    help="发件箱：列出、投递、重新排队、取消或确认邮件 / the mail outbox.",
    no_args_is_help=True,
)

YearOption = Annotated[
    int | None, typer.Option("--year", help="只看该年度 / only this campaign year (default: all).")
]
WhyOption = Annotated[
    str, typer.Option("--why", help="原因（连同用户名记录）/ why (recorded with your user name).")
]
IdsArgument = Annotated[
    list[int], typer.Argument(help="发件箱编号 / outbox row ids (see `outbox list`).")
]


def register(app: typer.Typer) -> None:
    """Add the `outbox` commands and the `smtp-sink` command to the `campaign` app."""
    app.add_typer(outbox_app, name="outbox")
    app.command("smtp-sink")(smtp_sink)


def _who() -> str:
    return f"cli:{getpass.getuser()}"


AMBIGUOUS_NOTE = (
    "[yellow]待核实 ambiguous[/yellow]：邮件已交给服务器后连接中断，或发送进程中途停止，"
    "服务器可能已收到，也可能没有。请先查看收件箱或服务器日志再处理"
    "（确认送达 confirm / 重新排队 requeue / 取消 cancel）。\n"
    "The connection was lost after these were handed to the server, "
    "or a deliverer stopped while sending them; the server may or may not have them. Check "
    "the recipient's mailbox or the server log, then "
    "`campaign outbox confirm ID --by NAME --why ...` (it arrived), "
    "`campaign outbox requeue ID --why ...` (it did not: may deliver twice) or "
    "`campaign outbox cancel ID --why ...`."
)


@outbox_app.command("list")
def list_command(
    status: Annotated[
        list[OutboxStatus] | None,
        typer.Option("--status", help="Only rows in this status (repeatable)."),
    ] = None,
    template: Annotated[str | None, typer.Option(help="Only rows of this template.")] = None,
    year: YearOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows, newest first.")] = 50,
    show_all: Annotated[bool, typer.Option("--all", help="Every matching row.")] = False,
    wide: Annotated[
        bool, typer.Option("--wide", help="One table line per row, as wide as it needs.")
    ] = False,
) -> None:
    """List outbox rows, newest first; `--status ambiguous` shows what needs an operator."""
    settings = existing_campaign_settings(console)  # a listing never creates a database
    statuses = status or ()
    with campaign_session(settings) as session:
        counts = count_by_status(session, campaign_year=year)
        total = count_messages(session, statuses=statuses, template=template, campaign_year=year)
        rows = list_messages(
            session,
            statuses=statuses,
            template=template,
            campaign_year=year,
            limit=None if show_all else limit,
            newest_first=True,
        )
    if wide:
        table = wide_table(rows, "outbox")
        Console(width=natural_width(console, table)).print(table)  # wider than the terminal
    else:
        for row in rows:
            console.print(row_block(row))
    console.print(footer(len(rows), total))
    console.print(status_counts(counts))
    if any(r.status is OutboxStatus.AMBIGUOUS for r in rows):
        console.print(AMBIGUOUS_NOTE)


@outbox_app.command("deliver")
def deliver_command(year: YearOption = None) -> None:
    """Send every due message now; exits 1 if the server was unreachable, 3 on a settings error.

    A configuration error (TLS or login refused, the sender refused) stops delivery at once and
    leaves the unsent mail queued with no attempt counted. Rows another deliverer still holds
    are reported with the time they become recoverable (exit code 0).
    """
    settings = migrated_settings()
    prepare_prefect(settings)
    from notifications.delivery_report import operator_notes
    from tasks.common.delivery import deliver_pending  # imports prefect: only after prepare_prefect

    with console.status("正在投递发件箱 delivering the outbox ..."):
        report, ambiguous = deliver_pending(settings, year)
    summary = Table(
        "", "已发 sent", "稍后重试 retry later", "失败 failed", "释放 released", "待核实 ambiguous"
    )
    summary.add_row(
        "本次 this run",
        *(str(n) for n in (report.sent, report.retried, report.failed, report.released)),
        str(report.ambiguous),
    )
    console.print(summary)
    console.print("发件箱 outbox: " + "  ".join(f"{k} {n}" for k, n in report.outbox.items()))
    for failure in report.failures:
        console.print(f"  [red]#{failure.id}[/red] {failure.status}: {failure.reason}")
    for line in operator_notes(report, len(ambiguous)):
        console.print(line, soft_wrap=True, markup=False, style="bold" if report.stopped else None)
    if report.configuration_error:
        raise typer.Exit(3)
    if report.stopped:
        raise typer.Exit(1)


def _move(
    action: Callable[..., list[int]], verb: str, ids: list[int], why: str, who: str | None = None
) -> list[OutboxView]:
    settings = migrated_settings()
    try:
        with campaign_session(settings) as session:
            before = _views(session, ids)
            action(session, ids, who=who or _who(), why=why, now=now_utc())
    except OutboxMoveRefused as exc:
        for row_id, reason in sorted(exc.refused.items()):
            console.print(f"[red]#{row_id}[/red]: {reason}")
        console.print(f"未做任何改动 nothing was {verb}")
        raise typer.Exit(2) from None
    return before


def _views(session: Session, ids: list[int]) -> list[OutboxView]:
    return list_messages(session, ids=ids, limit=None)


@outbox_app.command("requeue")
def requeue_command(ids: IdsArgument, why: WhyOption) -> None:
    """Put failed or ambiguous rows back in the queue (due now, attempts reset)."""
    before = _move(requeue, "re-queued", ids, why)
    console.print(f"已重新排队 {len(ids)} 封 re-queued {len(ids)} rows as {_who()}: {why}")
    twice = [r.id for r in before if r.status is OutboxStatus.AMBIGUOUS]
    if twice:
        listed = ", ".join(map(str, twice))
        console.print(
            f"[yellow]注意 note[/yellow]: {listed} 号曾待核实，收件人可能收到两次 / "
            f"rows {listed} were ambiguous; their recipients may get the mail twice."
        )


@outbox_app.command("cancel")
def cancel_command(ids: IdsArgument, why: WhyOption) -> None:
    """Cancel queued, failed or ambiguous rows: kept in the outbox, never sent."""
    _move(cancel, "cancelled", ids, why)
    console.print(f"已取消 {len(ids)} 封 cancelled {len(ids)} rows as {_who()}: {why}")


@outbox_app.command("confirm")
def confirm_command(
    ids: IdsArgument,
    by: Annotated[str, typer.Option("--by", help="Who checked (recorded with your user name).")],
    why: Annotated[
        str,
        typer.Option(
            "--why", help="What showed it arrived: the recipient's mailbox, the server log."
        ),
    ],
) -> None:
    """Record ambiguous rows as sent, after checking they arrived; they are never sent again."""
    name = " ".join(by.split())
    if not name:
        raise typer.BadParameter("请写明核实人 say who checked", param_hint="--by")
    who = f"{name} ({_who()})"
    _move(confirm_sent, "confirmed", ids, why, who=who)
    console.print(f"已确认送达 {len(ids)} 封 confirmed {len(ids)} rows as sent, by {who}: {why}")


def smtp_sink(
    port: Annotated[
        int | None, typer.Option(help="Port on 127.0.0.1 (default: CAMPAIGN_SMTP_PORT).")
    ] = None,
    folder: Annotated[
        str, typer.Option(help="Folder inside the workspace for the .eml files.")
    ] = "smtp-sink",
) -> None:
    """Run a loopback SMTP server that stores every message as an .eml file, until Ctrl-C."""
    settings = Settings()
    try:
        target = settings.inside_workspace(folder)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--folder") from None
    chosen = port or settings.smtp_port
    console.print(
        f"本机 SMTP 收件服务 SMTP sink on 127.0.0.1:{chosen}; 每封邮件写入 each message is "
        f"written to {target}/",
        soft_wrap=True,
    )
    console.print(
        f"发送到此处 send to it with CAMPAIGN_MAILER=smtp CAMPAIGN_SMTP_PORT={chosen}; "
        "Ctrl-C 停止 stops it.",
        soft_wrap=True,
    )
    serve_sink(target, chosen)
    console.print("SMTP 收件服务已停止 SMTP sink stopped.")
