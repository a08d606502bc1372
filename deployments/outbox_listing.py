"""How `campaign outbox list` shows rows: a block per row that reads at 80 columns, or a wide table.

The block (the default) gives each row a heading line that starts with its id (never cut), then
the recipient, the Message-ID and the last error on lines of their own; long values wrap, and a
value with no space to break at is folded, never cut with an ellipsis. `--wide` prints one table
line per row at the table's natural width, however wide the terminal (for a wide window or
`less -S`). The footer says how many rows matched and how many are shown. Pure: returns rich
renderables; printing is the command's (deployments/cli_mail.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from notifications.outbox import OutboxView
from schemas.enums import OutboxStatus

STATUS_STYLE = {
    OutboxStatus.QUEUED: "cyan",
    OutboxStatus.SENDING: "blue",
    OutboxStatus.SENT: "green",
    OutboxStatus.FAILED: "red",
    OutboxStatus.AMBIGUOUS: "yellow",
    OutboxStatus.CANCELLED: "dim",
}
STATUS_ZH = {
    OutboxStatus.QUEUED: "待发",
    OutboxStatus.SENDING: "发送中",
    OutboxStatus.SENT: "已发",
    OutboxStatus.FAILED: "失败",
    OutboxStatus.AMBIGUOUS: "待核实",
    OutboxStatus.CANCELLED: "已取消",
}
LABEL_WIDTH = 12  # "  Message-ID"
WIDE_LIMIT = 10_000  # columns a --wide table may take


def _when(row: OutboxView) -> str:
    """Return `sent <time>` for a sent row, else `due <time>` (UTC, to the minute)."""
    at: datetime | None = row.sent_at if row.status is OutboxStatus.SENT else row.not_before
    word = "sent" if row.status is OutboxStatus.SENT else "due"
    return f"{word} {at:%Y-%m-%d %H:%M} UTC" if at else ""


def _error(row: OutboxView) -> str:
    """Return the row's last error as one line (an error may hold line breaks)."""
    return " ".join((row.last_error or "").split())


def row_block(row: OutboxView) -> RenderableType:
    """Return one row as a heading line and labelled lines; nothing is cut, long values wrap."""
    heading = Text(no_wrap=False, overflow="fold")
    heading.append(f"#{row.id}", style="bold")
    heading.append("  ")
    heading.append(row.status.value, style=STATUS_STYLE[row.status])
    heading.append(f"  {row.template}  {row.attempts} tries  {_when(row)}")
    details = Table.grid(padding=(0, 1))
    details.add_column(width=LABEL_WIDTH, no_wrap=True, style="dim")
    details.add_column(overflow="fold")
    details.add_row("  to", row.recipient)
    details.add_row("  Message-ID", row.message_id)
    if row.last_error:
        details.add_row("  error", _error(row))
    return Group(heading, details, Text(""))


def wide_table(rows: Sequence[OutboxView], title: str) -> Table:
    """Return the rows as one table line each, every column at its natural width."""
    table = Table(title=title)
    for column in ("id", "status", "template", "recipient", "tries", "due / sent (UTC)"):
        table.add_column(column, no_wrap=True)
    table.add_column("Message-ID", no_wrap=True)
    table.add_column("last error", no_wrap=True)
    for r in rows:
        table.add_row(
            str(r.id),
            Text(r.status.value, style=STATUS_STYLE[r.status]),
            r.template,
            r.recipient,
            str(r.attempts),
            _when(r).partition(" ")[2].removesuffix(" UTC"),
            r.message_id,
            _error(r),
        )
    return table


def natural_width(console: Console, renderable: RenderableType) -> int:
    """Return the width `renderable` takes when nothing limits it (the terminal's width aside)."""
    unlimited = console.options.update_width(WIDE_LIMIT)
    return max(console.width, Measurement.get(console, unlimited, renderable).maximum)


def footer(shown: int, total: int) -> str:
    """Return the line under the list: how many rows are shown of how many matched. Pure."""
    if shown < total:
        return (
            f"共 {total} 封，仅显示最新的 {shown} 封（--limit / --all 可调）\n"
            f"showing {shown} of {total} (newest first; --limit/--all)"
        )
    return f"共 {total} 封（最新在前） {total} rows (newest first)"


def status_counts(counts: dict[str, int]) -> str:
    """Return the per-status counts, each status in Chinese with its English name, three to a
    line so that they fit 80 columns. Pure."""
    parts = [f"{STATUS_ZH[OutboxStatus(name)]} {name} {n}" for name, n in counts.items()]
    return "\n".join("  ".join(parts[i : i + 3]) for i in range(0, len(parts), 3))
