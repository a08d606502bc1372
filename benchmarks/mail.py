"""Benchmark mail delivery: the outbox against aiosmtplib sending prebuilt bytes, same server.

Usage: python benchmarks/mail.py [--messages 2000] [--runs 3] [--connections 1 4 8]
       [--database-url URL] [--output FILE] [--note TEXT]
       (or `python -m benchmarks.mail ...` from the repository root)

Messages: a season-like mix of zh-CN mails, one per unit, cycling through every template
(benchmarks/mail_world.py), training invitations with their .ics attached. Server: aiosmtpd on
127.0.0.1 in its own process, counting and discarding (benchmarks/mail_sink.py); after every run
the benchmark checks it accepted exactly the messages sent.

- raw (the client's physical limit): every message built beforehand with the standard library
  and flattened to bytes, untimed; timed: what aiosmtplib's `SMTP.sendmail(bytes)` does, minus
  its address parser (the outbox skips it for validated addresses, so the baseline does too):
  MAIL FROM and RCPT TO as `execute_command`, then `SMTP.data(bytes)`, over N clients, one
  connection each (opened and closed inside the timing), no rate limit.
- outbox (the product): the same mails enqueued through `enqueue_many`, untimed (it writes
  each mail's bodies as sent, the encoded text + HTML part); timed:
  `notifications.delivery.deliver` with an `SmtpMailer` of N connections (what
  `campaign outbox deliver` runs): claim, write the headers, send, record.

The CPU of each side's untimed part (raw: building the bytes; outbox: enqueuing) is recorded
too (`untimed_cpu_ms_per_msg`), so work moved out of the timed part shows.

For N in --connections, runs alternate raw / outbox, --runs times each; the median run is
reported: wall seconds, msg/s, outbox/raw, and the client's CPU milliseconds per message
(`time.process_time` of this process, threads included, plus any child process but the sink:
none today; the sink excluded). The sink's CPU per
message and the machine's load average and other processes' CPU (all cores' busy time minus ours
and the sink's) are recorded per run, so a figure taken on a loaded machine says so. Writes
benchmarks/results/mail.json (or --output) and prints one line per N.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "tests", REPO / "benchmarks"):  # the project, tests/data, helpers
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import aiosmtplib  # noqa: E402
import cpu_time  # noqa: E402  (beside this script)
from mail_sink import LOOPBACK, SinkProcess  # noqa: E402  (beside this script)
from mail_world import prebuilt_bytes, season_mails  # noqa: E402  (beside this script)

from notifications.delivery import deliver  # noqa: E402
from notifications.headers import mailbox  # noqa: E402
from notifications.mailers import SmtpMailer  # noqa: E402
from notifications.outbox import OutgoingMail, enqueue_many  # noqa: E402
from schemas.campaign_file import CampaignFile, load_campaign_file  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from schemas.sqltypes import now_utc  # noqa: E402
from tasks.common.campaigns import ensure_campaign  # noqa: E402
from tasks.store import make_engine, session_scope, upgrade_database  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "mail.json"
TARGET = 0.8  # outbox / raw at 4 connections


@dataclass(frozen=True)
class Run:
    """One timed run: wall and client CPU seconds (its helper process included, also shown
    alone), the sink's CPU, others' CPU, load; and the CPU of the untimed preparation (raw:
    building the bytes; outbox: `enqueue_many`, which writes the bodies as sent)."""

    seconds: float
    cpu_seconds: float
    helper_cpu_seconds: float
    sink_cpu_seconds: float
    others_cpu_seconds: float
    load_average: float
    untimed_cpu_seconds: float = 0.0


def timed(sink: SinkProcess, work: Callable[[], None]) -> Run:
    """Run `work`; return its wall time, this process's CPU time and the machine's meanwhile."""
    sink_before = _sink_cpu(sink)
    helper_before = _helper_cpu(sink)
    busy_before = cpu_time.machine_busy_seconds()
    cpu_before = time.process_time()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    helper = _helper_cpu(sink) - helper_before
    cpu = time.process_time() - cpu_before + helper
    sink_cpu = _sink_cpu(sink) - sink_before
    others = cpu_time.machine_busy_seconds() - busy_before - cpu - sink_cpu
    return Run(seconds, cpu, helper, sink_cpu, max(0.0, others), os.getloadavg()[0])


def _helper_cpu(sink: SinkProcess) -> float:
    """Return the CPU seconds of this process's descendants but the sink (multiprocessing's own
    helpers; any process the outbox would start, counted as the client's)."""
    found = cpu_time.processes()
    children: dict[int, list[cpu_time.Process]] = {}
    for p in found:
        children.setdefault(p.ppid, []).append(p)
    total, stack = 0.0, [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            if child.pid != sink.pid:
                total += child.cpu_seconds
                stack.append(child.pid)
    return total


def _sink_cpu(sink: SinkProcess) -> float:
    """Return the sink process's CPU seconds so far."""
    return sink.cpu_seconds()


async def send_prebuilt(
    port: int, connections: int, sender: str, envelopes: list[tuple[str, bytes]]
) -> None:
    """Send every (recipient, bytes) over `connections` aiosmtplib clients, one connection each."""
    pending = deque(envelopes)

    async def worker() -> None:
        client = aiosmtplib.SMTP(hostname=LOOPBACK, port=port, start_tls=False)
        await client.connect()
        await client.ehlo()
        options = [b"BODY=8BITMIME"] if client.supports_extension("8BITMIME") else []
        mail_from = b"FROM:<" + sender.encode() + b">"
        while pending:  # sendmail without its address parser (the outbox skips it too)
            recipient, data = pending.popleft()
            for verb, line, ok in (
                (b"MAIL", [mail_from, *options], (250,)),
                (b"RCPT", [b"TO:<" + recipient.encode() + b">"], (250, 251)),
            ):
                reply = await client.execute_command(verb, *line)
                if reply.code not in ok:
                    raise aiosmtplib.SMTPResponseException(reply.code, reply.message)
            await client.data(data)
        await client.quit()

    await asyncio.gather(*(worker() for _ in range(connections)))


def raw_run(
    sink: SinkProcess, connections: int, settings: Settings, items: list[OutgoingMail], tag: str
) -> Run:
    """Build the bytes (untimed), then time sending them; check the sink got each once."""
    sender = mailbox(settings.mail_from, settings.mail_from_name)
    building = time.process_time()
    envelopes = list(
        zip([i.to.address for i in items], prebuilt_bytes(sender, items, tag), strict=True)
    )
    building = time.process_time() - building
    expected = sink.received + len(items)
    run = timed(
        sink,
        lambda: asyncio.run(send_prebuilt(sink.port, connections, sender.address, envelopes)),
    )
    sink.wait_for(expected)
    return dataclasses.replace(run, untimed_cpu_seconds=building)


def outbox_run(
    sink: SinkProcess, settings: Settings, campaign: CampaignFile, items: list[OutgoingMail]
) -> Run:
    """Enqueue the mails (untimed), then time `deliver`; check every row sent and received."""
    engine = make_engine(settings)
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
    enqueuing = time.process_time()
    with session_scope(engine) as session:
        enqueue_many(session, items, workspace=settings.workspace, message_id_domain="example.org")
    enqueuing = time.process_time() - enqueuing
    mailer = SmtpMailer(
        host=LOOPBACK, port=sink.port, connections=settings.smtp_connections, timeout=60
    )
    expected = sink.received + len(items)
    reports = []
    run = timed(
        sink,
        lambda: reports.append(
            asyncio.run(deliver(functools.partial(session_scope, engine), mailer, settings))
        ),
    )
    engine.dispose()
    if reports[0].sent != len(items):
        raise SystemExit(f"the outbox sent {reports[0].sent} of {len(items)}: {reports[0]}")
    sink.wait_for(expected)
    return dataclasses.replace(run, untimed_cpu_seconds=enqueuing)


def summary(runs: list[Run], messages: int) -> dict[str, object]:
    """Return the median run's figures and every run's, for one side at one N."""
    median = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    return {
        "seconds": round(median.seconds, 3),
        "msg_per_s": round(messages / median.seconds, 1),
        "cpu_ms_per_msg": round(
            1000 * statistics.median(r.cpu_seconds for r in runs) / messages, 3
        ),
        "helper_cpu_ms_per_msg": round(
            1000 * statistics.median(r.helper_cpu_seconds for r in runs) / messages, 3
        ),
        "sink_cpu_ms_per_msg": round(
            1000 * statistics.median(r.sink_cpu_seconds for r in runs) / messages, 3
        ),
        "untimed_cpu_ms_per_msg": round(
            1000 * statistics.median(r.untimed_cpu_seconds for r in runs) / messages, 3
        ),
        "runs": [{k: round(v, 3) for k, v in asdict(r).items()} for r in runs],
    }


def measure(
    args: argparse.Namespace, campaign: CampaignFile, workspace: Path
) -> dict[str, dict[str, object]]:
    """Run raw and outbox at each N, alternating; return their summaries by N."""
    base = Settings(workspace=workspace, database_url=args.database_url, mailer="smtp")
    engine = make_engine(base)
    upgrade_database(engine)
    engine.dispose()
    mails = season_mails(campaign, base, args.messages, version="template")
    by_n: dict[str, dict[str, object]] = {}
    with SinkProcess() as sink:
        for n in args.connections:
            settings = base.model_copy(update={"smtp_port": sink.port, "smtp_connections": n})
            raw: list[Run] = []
            outbox: list[Run] = []
            for run in range(args.runs):
                tag = f"n{n}-r{run}"
                raw.append(raw_run(sink, n, settings, mails, tag))
                items = [m.model_copy(update={"version": tag}) for m in mails]
                outbox.append(outbox_run(sink, settings, campaign, items))
            raw_summary = summary(raw, args.messages)
            outbox_summary = summary(outbox, args.messages)
            ratio = float(str(outbox_summary["msg_per_s"])) / float(str(raw_summary["msg_per_s"]))
            by_n[str(n)] = {
                "raw": raw_summary,
                "outbox": outbox_summary,
                "ratio_outbox_to_raw": round(ratio, 3),
            }
            print(
                f"mail, {n} connection(s): raw {raw_summary['msg_per_s']} msg/s "
                f"({raw_summary['cpu_ms_per_msg']} CPU ms/msg), outbox "
                f"{outbox_summary['msg_per_s']} msg/s ({outbox_summary['cpu_ms_per_msg']} CPU "
                f"ms/msg), ratio {ratio:.3f}"
            )
    return by_n


def _commit() -> str:
    """Return the checked-out commit (short), with "+changes" when the tree differs from it."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        "+changes" if git("status", "--porcelain") else ""
    )


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark; write the JSON result and print one line per connection count."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--note", default="", help="stored in the JSON (e.g. what was measured)")
    args = parser.parse_args(argv)
    campaign = load_campaign_file(REPO / "campaigns" / "2024.toml")
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="csr-mail-bench-") as tmp:
        by_n = measure(args, campaign, Path(tmp) / "workspace")
    load_after = os.getloadavg()
    at_4 = by_n.get("4", {}).get("ratio_outbox_to_raw")
    result: dict[str, object] = {
        "benchmark": "mail",
        "timestamp": started.isoformat(timespec="seconds"),
        "commit": _commit(),
        "note": args.note,
        "messages": args.messages,
        "runs": args.runs,
        "database": "sqlite" if not args.database_url else args.database_url.split(":")[0],
        "connections": by_n,
        "target": f"outbox/raw >= {TARGET} at 4 connections",
        "target_met": at_4 is not None and float(str(at_4)) >= TARGET,
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in load_after],
        "cpus": os.cpu_count(),
        "method": (
            "season-like zh-CN mix (every template in turn, one unit each, .ics on training "
            "invitations); aiosmtpd sink in its own process, counting and discarding, checked "
            "after every run; raw = stdlib-built bytes made before timing, aiosmtplib "
            "execute_command MAIL/RCPT with quoted addresses and SMTP.data(bytes) (sendmail "
            "without its address parser) over N clients with one connection each; "
            "outbox = enqueue_many untimed (it writes the bodies as sent since the fourth "
            "pass), then deliver() with SmtpMailer(N) timed; untimed_cpu_ms_per_msg is the "
            "CPU of the untimed part of each side (raw: building the bytes; outbox: enqueue); "
            "runs alternate raw/outbox; "
            "median run by wall time; CPU = time.process_time of the client process (threads "
            "included) plus our other descendants (helper_cpu, multiprocessing's tracker), "
            "sink excluded; others_cpu_seconds = all cores' busy time minus ours "
            "and the sink's during the run"
        ),
        "versions": {
            "python": platform.python_version(),
            **{p: version(p) for p in ("aiosmtplib", "aiosmtpd", "SQLAlchemy", "sqlmodel")},
        },
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return result


if __name__ == "__main__":
    main()
