"""Profile the outbox's delivery path: where a message's client-side time goes.

Usage: python benchmarks/mail_profile.py [--messages 2000] [--connections 4] [--top 40]
       [--output FILE]

Enqueues the mail benchmark's messages (benchmarks/mail_world.py) and runs
`notifications.delivery.deliver` once under cProfile against the counting sink in its own
process (benchmarks/mail_sink.py). Prints the functions with the most cumulative and own time,
and the wall and CPU milliseconds per message; writes the pstats text to --output if given.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "tests", REPO / "benchmarks"):  # the project, tests/data, helpers
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from mail_sink import LOOPBACK, SinkProcess  # noqa: E402  (beside this script)
from mail_world import season_mails  # noqa: E402  (beside this script)

from notifications.delivery import deliver  # noqa: E402
from notifications.mailers import SmtpMailer  # noqa: E402
from notifications.outbox import enqueue_many  # noqa: E402
from schemas.campaign_file import load_campaign_file  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from schemas.sqltypes import now_utc  # noqa: E402
from tasks.common.campaigns import ensure_campaign  # noqa: E402
from tasks.store import make_engine, session_scope, upgrade_database  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    """Profile one delivery of --messages mails; print the top functions."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    campaign = load_campaign_file(REPO / "campaigns" / "2024.toml")
    with tempfile.TemporaryDirectory(prefix="csr-mail-profile-") as tmp, SinkProcess() as sink:
        settings = Settings(
            workspace=Path(tmp),
            mailer="smtp",
            smtp_port=sink.port,
            smtp_connections=args.connections,
        )
        engine = make_engine(settings)
        upgrade_database(engine)
        items = season_mails(campaign, settings, args.messages, version="profile")
        with session_scope(engine) as session:
            ensure_campaign(session, campaign, now_utc())
            enqueue_many(
                session, items, workspace=settings.workspace, message_id_domain="example.org"
            )
        mailer = SmtpMailer(host=LOOPBACK, port=sink.port, connections=args.connections)
        profile = cProfile.Profile()
        cpu, started = time.process_time(), time.perf_counter()
        profile.enable()
        report = asyncio.run(deliver(functools.partial(session_scope, engine), mailer, settings))
        profile.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
        sink.wait_for(args.messages)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    print(
        f"sent {report.sent}: {1000 * wall / args.messages:.3f} wall ms/msg, "
        f"{1000 * cpu / args.messages:.3f} CPU ms/msg (under cProfile)"
    )
    if args.output:
        args.output.write_text(out.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
