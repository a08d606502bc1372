"""Benchmark mail delivery: raw aiosmtplib on pooled connections vs. the transactional outbox.

Usage: python benchmarks/mail.py [--messages 2000] [--connections 4] [--runs 3]
       [--database-url URL]

Both sides send the same rendered invitations (zh-CN subject, display names, text + HTML) to the
same loopback aiosmtpd sink, which runs in its own process and stores every message as an .eml
file. The baseline builds each message with the standard library (`EmailMessage`, policy
default) and sends it with aiosmtplib over N connections, each opened once and reused, no rate
limit: what a script without an outbox would do. The outbox side enqueues the same messages
(timed separately) and then runs `notifications.delivery.deliver` (timed): claim, build, send,
record, over the same N connections. Runs alternate baseline / outbox; the median of each is
reported. Writes benchmarks/results/mail.json and prints one line.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

import aiosmtplib  # noqa: E402

from notifications.contexts import InvitationContext, campaign_context  # noqa: E402
from notifications.delivery import deliver  # noqa: E402
from notifications.headers import mailbox  # noqa: E402
from notifications.mailers import SmtpMailer  # noqa: E402
from notifications.outbox import OutgoingMail, enqueue_many  # noqa: E402
from notifications.render import RenderedMail, render  # noqa: E402
from notifications.sink import count_eml, free_port  # noqa: E402
from schemas.campaign_file import CampaignFile, load_campaign_file  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from schemas.sqltypes import now_utc  # noqa: E402
from tasks.common.campaigns import ensure_campaign  # noqa: E402
from tasks.store import make_engine, session_scope, upgrade_database  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "mail.json"
SENDER = "csr-campaign@example.org"
SENDER_NAME = "上海市企业社会责任报告发布会"


def rendered_mails(campaign: CampaignFile, count: int) -> list[tuple[str, str, RenderedMail]]:
    """Return (address, contact name, rendered invitation) for `count` distinct units."""
    shared = campaign_context(campaign)
    mails = []
    for i in range(count):
        context = InvitationContext(
            campaign=shared,
            unit_name=f"上海测试{i:04d}科技有限公司",
            contact_name=f"联系人{i}",
            association_name="上海市电子信息行业协会",
            deadline=shared.deadlines["receipt"],
        )
        mails.append(
            (f"contact{i}@unit{i}.example.com", f"联系人{i}", render("invitation", context))
        )
    return mails


def raw_message(address: str, name: str, mail: RenderedMail, message_id: str) -> EmailMessage:
    """Build one message with the standard library only (the baseline's way)."""
    message = EmailMessage(policy=policy.default)
    message["From"] = Address(display_name=SENDER_NAME, addr_spec=SENDER)
    message["To"] = Address(display_name=name, addr_spec=address)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    message.set_content(mail.text, charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    return message


async def baseline(
    port: int, connections: int, mails: list[tuple[str, str, RenderedMail]], run: int
) -> float:
    """Build and send every message over `connections` reused aiosmtplib connections; seconds."""
    started = time.perf_counter()
    clients = [
        aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        for _ in range(connections)
    ]
    pending = list(enumerate(mails))
    pending.reverse()

    async def worker(client: aiosmtplib.SMTP) -> None:
        await client.connect()
        while pending:
            i, (address, name, mail) = pending.pop()
            message = raw_message(address, name, mail, f"<base.{run}.{i}@example.org>")
            await client.send_message(message, sender=SENDER, recipients=[address])
        await client.quit()

    await asyncio.gather(*(worker(c) for c in clients))
    return time.perf_counter() - started


def prebuilt(
    port: int, connections: int, mails: list[tuple[str, str, RenderedMail]], run: int
) -> float:
    """Send messages built beforehand (untimed) over the pooled connections; seconds (context)."""
    messages = [
        (address, raw_message(address, name, mail, f"<pre.{run}.{i}@example.org>"))
        for i, (address, name, mail) in enumerate(mails)
    ]

    async def send_all() -> float:
        started = time.perf_counter()
        clients = [
            aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
            for _ in range(connections)
        ]

        async def worker(client: aiosmtplib.SMTP) -> None:
            await client.connect()
            while messages:
                address, message = messages.pop()
                await client.send_message(message, sender=SENDER, recipients=[address])
            await client.quit()

        await asyncio.gather(*(worker(c) for c in clients))
        return time.perf_counter() - started

    return asyncio.run(send_all())


def outbox(
    settings: Settings,
    campaign: CampaignFile,
    mails: list[tuple[str, str, RenderedMail]],
    run: int,
) -> tuple[float, float]:
    """Enqueue the messages, then deliver them through the outbox; (enqueue s, deliver s)."""
    engine = make_engine(settings)
    items = [
        OutgoingMail(
            campaign_year=campaign.year,
            to=mailbox(address, name),
            mail=mail,
            subject_ref=f"participation:{i}",
            version=f"bench-{run}",
        )
        for i, (address, name, mail) in enumerate(mails)
    ]
    started = time.perf_counter()
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
        enqueue_many(session, items, workspace=settings.workspace, message_id_domain="example.org")
    enqueued = time.perf_counter() - started
    mailer = SmtpMailer(
        host="127.0.0.1", port=settings.smtp_port, connections=settings.smtp_connections
    )
    started = time.perf_counter()
    report = asyncio.run(deliver(functools.partial(session_scope, engine), mailer, settings))
    delivered = time.perf_counter() - started
    engine.dispose()
    if report.sent != len(mails):
        raise SystemExit(f"outbox run {run} sent {report.sent} of {len(mails)}: {report}")
    return enqueued, delivered


def start_sink(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """Start the product's sink in its own process and wait until it accepts connections."""
    code = (
        "import sys; from pathlib import Path; from notifications.sink import serve_sink; "
        "serve_sink(Path(sys.argv[1]), int(sys.argv[2]))"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(folder), str(port)], cwd=REPO)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the SMTP sink did not start")


def wait_for(folder: Path, expected: int) -> None:
    """Wait until the sink stored `expected` messages in total (it must never get more)."""
    deadline = time.monotonic() + 30
    while count_eml(folder) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
    if count_eml(folder) != expected:
        raise SystemExit(f"the sink holds {count_eml(folder)} messages, expected {expected}")


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark; write benchmarks/results/mail.json and print one line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp folder")
    args = parser.parse_args(argv)
    campaign = load_campaign_file(REPO / "campaigns" / "2024.toml")
    mails = rendered_mails(campaign, args.messages)
    rates: dict[str, list[float]] = {"baseline": [], "outbox": [], "prebuilt": [], "enqueue": []}
    with tempfile.TemporaryDirectory(prefix="csr-mail-bench-") as tmp:
        workspace = Path(tmp) / "workspace"
        port = free_port()
        settings = Settings(
            workspace=workspace,
            database_url=args.database_url,
            mailer="smtp",
            smtp_port=port,
            smtp_connections=args.connections,
        )
        engine = make_engine(settings)
        upgrade_database(engine)
        database = engine.dialect.name
        engine.dispose()
        folder = workspace / "sink"
        sink = start_sink(folder, port)
        total = 0
        try:
            for run in range(args.runs):
                seconds = asyncio.run(baseline(port, args.connections, mails, run))
                total += len(mails)
                wait_for(folder, total)
                rates["baseline"].append(len(mails) / seconds)
                enqueued, delivered = outbox(settings, campaign, mails, run)
                total += len(mails)
                wait_for(folder, total)
                rates["enqueue"].append(len(mails) / enqueued)
                rates["outbox"].append(len(mails) / delivered)
                seconds = prebuilt(port, args.connections, mails, run)
                total += len(mails)
                wait_for(folder, total)
                rates["prebuilt"].append(len(mails) / seconds)
        finally:
            sink.terminate()
            sink.wait(timeout=10)
    medians = {name: statistics.median(values) for name, values in rates.items()}
    ratio = medians["outbox"] / medians["baseline"]
    result: dict[str, object] = {
        "benchmark": "mail",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "messages": args.messages,
        "connections": args.connections,
        "runs": args.runs,
        "database": database,
        "baseline_msg_per_s": round(medians["baseline"], 1),
        "outbox_msg_per_s": round(medians["outbox"], 1),
        "ratio_outbox_to_baseline": round(ratio, 3),
        "target_ratio": 0.8,
        "target_met": ratio >= 0.8,
        "enqueue_msg_per_s": round(medians["enqueue"], 1),
        "prebuilt_send_only_msg_per_s": round(medians["prebuilt"], 1),
        "runs_msg_per_s": {name: [round(v, 1) for v in values] for name, values in rates.items()},
        "method": (
            "the same rendered zh-CN invitations (one per unit), the same loopback aiosmtpd "
            "sink in its own process, the same number of reused connections, no rate limit; "
            "baseline = build with EmailMessage (policy default) + aiosmtplib send_message; "
            "outbox = deliver() timed "
            "(claim, build, send, record), enqueue timed separately; prebuilt = send only, "
            "messages built before timing (context, not the target)"
        ),
        "versions": {
            "python": platform.python_version(),
            **{p: version(p) for p in ("aiosmtplib", "aiosmtpd", "SQLAlchemy", "sqlmodel")},
        },
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"mail: baseline {result['baseline_msg_per_s']} msg/s, outbox {result['outbox_msg_per_s']}"
        f" msg/s, ratio {result['ratio_outbox_to_baseline']} (target 0.8), "
        f"{args.messages} messages x {args.runs} runs over {args.connections} connections"
    )
    return result


if __name__ == "__main__":
    main()
