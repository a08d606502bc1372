"""Benchmark `campaign audit`: load_snapshot and the rules over a finished season of N units.

Usage: python benchmarks/audit.py [--units 5000] [--repeat 3] [--workspace DIR] [--rebuild]
       [--output FILE]

Audits a finished season as the release leaves it (as of 20 January 2025, after the release
date). Without --workspace it builds a synthetic one, once, in
<tmp>/csr-audit-bench/units-<N>/ and reuses it on later runs (--rebuild makes it again): N units
of which 40 % released (certificate file, catalogue page, commendation for one in ten), 5 %
removed, 5 % withdrawn, 30 % lapsed and 20 % rejected then removed; every filed unit has four
filings, three experts with their sheets, a decided outcome and its feedback letter; about ten
mails per unit with their meta (business day, deadlines, facts); the meeting decision and its
pack; the statistics. With --workspace DIR it audits that workspace's season as it is (for
example a workspace left by benchmarks/season.py). Timed separately, median of --repeat runs,
wall-clock seconds: `load_snapshot` (the database and the files) and `check_snapshot` (the
rules), and their sum, the target (<= 10 s at 5,000 units); and, in the same run, the physical
limit: the raw libraries reading the same rows and files with no model and no rule
(`baseline_seconds`). Writes benchmarks/results/audit.json
and prints one line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))


from schemas.campaign_file import CampaignFile, load_campaign_file  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from tasks.audit.check import check_snapshot  # noqa: E402
from tasks.audit.load import load_snapshot  # noqa: E402
from tasks.audit.violations import counts_by_invariant  # noqa: E402
from tasks.store import make_engine, session_scope  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "audit.json"

from audit_world import AS_OF, YEAR, build  # noqa: E402  (benchmarks/, the script's folder)


def _settings(workspace: Path) -> Settings:
    os.environ["CAMPAIGN_WORKSPACE"] = str(workspace)
    os.environ.setdefault("CAMPAIGN_CAMPAIGNS_DIR", str(REPO / "campaigns"))
    os.environ.pop("CAMPAIGN_DATABASE_URL", None)
    return Settings()


def forget_remembered_reads() -> None:
    """Empty what the audit remembers within a process (outbox meta, the pack's counts)."""
    from tasks.audit import files, load_mail

    load_mail._KNOWN.clear()
    files._PACK_COUNTS.clear()


def warm_seconds(settings: Settings, campaign: CampaignFile) -> float:
    """Time one audit after another in the same process, as the clock audits day after day."""
    engine = make_engine(settings)
    try:
        with session_scope(engine) as session:
            load_snapshot(session, campaign, settings)
        start = time.perf_counter()
        with session_scope(engine) as session:
            check_snapshot(load_snapshot(session, campaign, settings), AS_OF)
        return time.perf_counter() - start
    finally:
        engine.dispose()


def _timed(repeat: int, settings: Settings, campaign: CampaignFile) -> Iterator[dict[str, Any]]:
    """Yield one timing per run: load seconds, check seconds, and what the check found."""
    engine = make_engine(settings)
    try:
        for _ in range(repeat):
            forget_remembered_reads()  # `campaign audit` is a cold process: nothing remembered
            start = time.perf_counter()
            with session_scope(engine) as session:
                snapshot = load_snapshot(session, campaign, settings)
            loaded = time.perf_counter()
            found = check_snapshot(snapshot, AS_OF)
            done = time.perf_counter()
            yield {
                "load": loaded - start,
                "check": done - loaded,
                "found": found,
                "rows": {
                    "units": len(snapshot.units),
                    "assignments": len(snapshot.assignments),
                    "decisions": len(snapshot.decisions),
                    "mails": len(snapshot.mails),
                    "certificates": len(snapshot.certificates),
                },
            }
    finally:
        engine.dispose()


BASELINE_TABLES = (  # every row of the campaign the audit reads, whole rows: more than it needs
    "participation", "unit", "stage_transition", "submission", "review_assignment", "review",
    "review_decision", "commendation", "meeting_decision", "certificate_issue", "outbox_message",
)  # fmt: skip


def baseline_seconds(settings: Settings) -> float:
    """Time the physical limit: the raw libraries doing only the work an audit cannot avoid.

    sqlite3 fetches every row of the tables the audit reads (whole rows: an upper bound on
    what it must fetch), hashlib hashes every certificate file, and openpyxl (read-only)
    walks the meeting pack; catalogue pages and the statistics are read as bytes. No model, no
    rule. Returns wall-clock seconds.
    """
    import sqlite3

    from openpyxl import load_workbook

    start = time.perf_counter()
    db = sqlite3.connect(str(settings.workspace / "campaign.db"))
    try:
        for table in BASELINE_TABLES:
            db.execute(f"SELECT * FROM {table}").fetchall()
    finally:
        db.close()
    release = settings.workspace / "release" / str(YEAR)
    for path in sorted(release.rglob("*")):
        if path.is_file() and path.suffix in {".pdf", ".html", ".md"}:
            hashlib.sha256(path.read_bytes()).hexdigest()
    for pack in sorted(settings.workspace.glob("reports/*/meeting-pack.xlsx")):
        workbook = load_workbook(pack, read_only=True)
        for sheet in workbook.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                pass
        workbook.close()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; write benchmarks/results/audit.json (or --output); return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workspace", default="", help="audit this workspace's season as it is")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    cache = Path(tempfile.gettempdir()) / "csr-audit-bench" / f"units-{args.units}"
    workspace = Path(args.workspace) if args.workspace else cache
    settings = _settings(workspace)
    build_seconds = None
    if not args.workspace and (args.rebuild or not (workspace / "built.json").is_file()):
        if workspace.exists():
            shutil.rmtree(workspace)
        workspace.mkdir(parents=True)
        start = time.perf_counter()
        build(settings, args.units)
        build_seconds = round(time.perf_counter() - start, 1)
    campaign = load_campaign_file(settings.campaign_file(YEAR))
    runs = list(_timed(args.repeat, settings, campaign))
    warm = statistics.median(warm_seconds(settings, campaign) for _ in range(args.repeat))
    baseline = statistics.median(baseline_seconds(settings) for _ in range(args.repeat))
    load = statistics.median(r["load"] for r in runs)
    check = statistics.median(r["check"] for r in runs)
    found = runs[-1]["found"]
    figures: dict[str, Any] = {
        "benchmark": "audit",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "workspace": "synthetic" if not args.workspace else "given",
        "units": runs[-1]["rows"]["units"],
        "rows": runs[-1]["rows"],
        "as_of": AS_OF.isoformat(),
        "repeat": args.repeat,
        "load_snapshot_seconds": round(load, 3),
        "check_snapshot_seconds": round(check, 3),
        "audit_seconds": round(load + check, 3),
        "target_seconds": 10.0,
        "daily_audit_warm_seconds": round(warm, 3),
        "baseline_raw_reads_seconds": round(baseline, 3),
        "ratio_to_baseline": round((load + check) / baseline, 2) if baseline else None,
        "violations": len(found),
        "violations_by_invariant": {k: n for k, n in counts_by_invariant(found).items() if n},
        "build_seconds": build_seconds,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"audit of {figures['units']} units: load {load:.2f} s + check {check:.2f} s = "
        f"{load + check:.2f} s (target 10 s; raw reads {baseline:.2f} s; the clock's next-day "
        f"audit {warm:.2f} s), "
        f"{len(found)} violation(s) -> {out}"
    )
    return figures


if __name__ == "__main__":
    main()
