"""Benchmark the release: certificates per second for N approved units (and the catalogue build).

Usage: python benchmarks/release.py [--units 5000] [--workers 2] [--sequential-sample 1000]

Everything runs in a temporary workspace with a SQLite database seeded with N approved units.
Figures, measured in the same run:
- sequential: `render_many(..., workers=1)` (reportlab, the face parsed once per process, a
  TrueType subset embedded per certificate), on a sample; `font_load_once` is that parse, cold.
- issue: `issue_certificates_now` end to end for all N units with `--workers` processes (read
  the database and plan; then per batch, in one locked transaction, allocate the numbers,
  render, stage the files, record the rows, commit and rename), then the unchanged re-run.
- catalogue: one first build of the public catalogue for the same units (`catalogue_build_seconds`).
Writes benchmarks/results/release.json and prints one line. The comparison of PDF stacks
(reportlab against fpdf2, which the certificates used until December 2026) is
benchmarks/pdf_stack.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

from prefect.logging import disable_run_logger  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from schemas.enums import ParticipationStatus, UnitKind  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from schemas.sqltypes import now_utc  # noqa: E402
from schemas.tables import Participation, Unit  # noqa: E402
from schemas.uscc import uscc_check_character  # noqa: E402
from tasks.common import fonts  # noqa: E402
from tasks.common.campaigns import ensure_campaign  # noqa: E402
from tasks.common.fonts import choose_font, load_font  # noqa: E402
from tasks.release.certificates.issue import issue_certificates_now  # noqa: E402
from tasks.release.certificates.layout import CertificateData  # noqa: E402
from tasks.release.certificates.pdf import render_many  # noqa: E402
from tasks.store import bulk_insert, make_engine, session_scope, upgrade_database  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "release.json"
YEAR = 2024
AS_OF = date(2025, 1, 16)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
SYLLABLES = (
    "华东申海浦江嘉定宝山闵行松江金山青浦奉贤崇明静安徐汇长宁普陀虹口杨浦"
    "新能源智造科技环保医药汽车电子材料物流食品纺织建设交通信息数据绿色"
)
SUFFIXES = ("科技有限公司", "股份有限公司", "集团有限公司", "实业有限公司", "(上海)有限公司")


def _uscc(n: int) -> str:
    digits, value = "", n
    for _ in range(9):
        digits, value = ALPHABET[value % 31] + digits, value // 31
    body = "91310115" + digits
    return body + uscc_check_character(body)


def _name(rng: random.Random, n: int) -> str:
    return (
        "上海"
        + "".join(rng.choices(SYLLABLES, k=rng.randint(2, 6)))
        + f"{n}"
        + rng.choice(SUFFIXES)
    )


def seed(settings: Settings, units: int) -> None:
    """Create the campaign and `units` approved participations (varied synthetic names)."""
    from schemas.campaign_file import load_campaign_file

    engine = make_engine(settings)
    upgrade_database(engine)
    rng = random.Random(13)
    at = datetime(YEAR, 12, 24, 2, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        ensure_campaign(session, load_campaign_file(settings.campaign_file(YEAR)), now_utc())
        rows = [
            Unit(uscc=_uscc(n), name=_name(rng, n), kind=UnitKind.ENTERPRISE)
            for n in range(1, units + 1)
        ]
        bulk_insert(session, rows)
        parts = [
            Participation(
                campaign_year=YEAR,
                unit_id=u.id,
                status=ParticipationStatus.APPROVED,
                status_changed_at=at,
                created_on=at.date(),
            )
            for u in rows
            if u.id is not None
        ]
        bulk_insert(session, parts)
    engine.dispose()


def sample_data(settings: Settings, count: int) -> list[CertificateData]:
    """Return `count` certificates' values as the issuing task builds them."""
    from schemas.campaign_file import load_campaign_file
    from tasks.release.certificates.plan import certified_participations, plan_certificates
    from tasks.store import campaign_session

    campaign = load_campaign_file(settings.campaign_file(YEAR))
    with campaign_session(settings) as session:
        certified = certified_participations(session, YEAR, campaign.campaign.report_year)
    font = choose_font(settings.certificate_font)
    plans = plan_certificates(campaign, certified[:count], [], AS_OF, font, {})
    return [p.data for p in plans]


def catalogue_build_seconds(settings: Settings, campaign_year: int, as_of: date) -> float | None:
    """Time one build of the public catalogue for the same units (first build: every page new).

    The seeded units have no report PDFs, so this is the query-and-render cost of 5,000 pages;
    benchmarks/catalogue.py measures the build with 5,000 PDFs to copy.
    """
    from tasks.release.catalogue.publish import build_public_catalogue

    start = time.perf_counter()
    with disable_run_logger():
        build_public_catalogue(settings, campaign_year, as_of)  # the task's work, no artifact
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and write benchmarks/results/release.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sequential-sample", type=int, default=1000)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="release-bench-") as tmp:
        settings = Settings(
            workspace=Path(tmp) / "ws",
            database_url=SecretStr(""),
            campaigns_dir=REPO / "campaigns",
            pdf_workers=args.workers,
        )
        seed(settings, args.units)
        choice = choose_font(None)
        sample = sample_data(settings, args.sequential_sample)

        fonts._parsed_face.cache_clear()  # measure the parse cold, as a fresh worker does it
        start = time.perf_counter()
        load_font(choice)
        font_load_s = time.perf_counter() - start
        start = time.perf_counter()
        sizes = [len(pdf) for pdf in render_many(sample, choice, 1)]
        sequential_s = time.perf_counter() - start

        start = time.perf_counter()
        issued = issue_certificates_now(settings, YEAR, AS_OF)
        issue_s = time.perf_counter() - start
        start = time.perf_counter()
        rerun = issue_certificates_now(settings, YEAR, AS_OF)
        rerun_s = time.perf_counter() - start
        catalogue_s = catalogue_build_seconds(settings, YEAR, AS_OF)
        files = list((settings.workspace / issued.folder).glob("*.pdf"))
        megabytes = sum(f.stat().st_size for f in files) / 1e6

    per_s = {
        "sequential_render": len(sample) / sequential_s,
        f"issue_end_to_end_workers{args.workers}": args.units / issue_s,
    }
    result = {
        "benchmark": "release",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "units": args.units,
        "workers": args.workers,
        "samples": {"sequential": len(sizes)},
        "certificates_per_second": {k: round(v, 1) for k, v in per_s.items()},
        "seconds": {
            "issue_end_to_end": round(issue_s, 2),
            "unchanged_rerun": round(rerun_s, 2),
            "font_load_once": round(font_load_s, 2),
            "sequential_sample": round(sequential_s, 2),
            "catalogue_build": None if catalogue_s is None else round(catalogue_s, 2),
        },
        "ratios": {
            "issue_vs_sequential": round(
                per_s[f"issue_end_to_end_workers{args.workers}"] / per_s["sequential_render"], 2
            ),
        },
        "issued": issued.issued,
        "rerun_unchanged": rerun.unchanged,
        "rerun_rendered": rerun.issued + rerun.reissued + rerun.restored,
        "mean_kilobytes_per_certificate": round(megabytes * 1000 / max(1, len(files)), 1),
        "mean_kilobytes_sequential_sample": round(sum(sizes) / max(1, len(sizes)) / 1000, 1),
        "font": issued.font,
        "method": (
            "synthetic approved units in a fresh SQLite workspace; sequential = render_many in "
            "one process with reportlab, face parsed once, a TrueType subset embedded per "
            "certificate (sample); issue = "
            "issue_certificates_now end to end (DB read, plan; then per batch of 250 in one "
            "locked transaction: numbers allocated, rendered in a process pool kept for every "
            "batch, staged to temporary files, rows recorded and committed, files renamed into "
            "place) for all units; rerun = the same call again, all unchanged"
        ),
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "versions": {
            "python": platform.python_version(),
            "reportlab": version("reportlab"),
            "pypdf": version("pypdf"),
        },
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    rates = result["certificates_per_second"]
    print(f"release: {rates} certificates/s; rerun {rerun_s:.1f} s -> {RESULTS}")


if __name__ == "__main__":
    main()
