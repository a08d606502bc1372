"""Every released season from the database: a unit released in two years is one unit with two
reports on the site, a year without its campaign file is left out and named, and publishing the
season's catalogue builds the site over all years with its search index."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from factories import add_association, add_participation, make_uscc, write_report_pdfs
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schemas.campaign_file import load_campaign_file
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.screening import ScreenLimits, rules_from_campaign
from schemas.settings import Settings
from schemas.tables import Participation, Submission, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.release.catalogue.editions import load_editions
from tasks.release.catalogue.publish import build_public_catalogue
from tasks.release.catalogue.text import file_sha256
from tasks.store import session_scope
from tasks.submit.page_texts import page_rows
from tasks.submit.pdf.read import screen_pdf

P = ParticipationStatus
REPO = Path(__file__).resolve().parents[4]
AS_OF = date(2025, 1, 16)
AT = datetime(2024, 11, 20, 2, 0, tzinfo=UTC)


def _campaigns(folder: Path) -> Path:
    """Write 2024.toml and a 2023.toml (12th edition, 2022 reports) into `folder`."""
    folder.mkdir(parents=True)
    text = (REPO / "campaigns" / "2024.toml").read_text("utf-8")
    (folder / "2024.toml").write_text(text, "utf-8")
    earlier = re.sub(r"(?m)^year = 2024$", "year = 2023", text, count=1)
    earlier = re.sub(r"(?m)^edition = 13$", "edition = 12", earlier, count=1)
    earlier = re.sub(r"(?m)^report_year = 2023$", "report_year = 2022", earlier, count=1)
    (folder / "2023.toml").write_text(earlier, "utf-8")
    return folder


def _report(session: Session, workspace: Path, pid: int, year: int, pdf: Path, pages: bool) -> None:
    """File `pdf` (copied into the workspace's archive) as the participation's report; with
    `pages`, its page texts stored as the intake stores them (screened, `page_rows`)."""
    stored = Path("archive") / str(year) / "reports" / f"{pid}.pdf"
    (workspace / stored).parent.mkdir(parents=True, exist_ok=True)
    (workspace / stored).write_bytes(pdf.read_bytes())
    version = Submission(
        campaign_year=year,
        participation_id=pid,
        kind=SubmissionKind.REPORT_PDF,
        version=1,
        stored_path=str(stored),
        sha256=file_sha256(workspace / stored),
        size=(workspace / stored).stat().st_size,
        received_on=AT.date(),
        received_at=AT,
    )
    session.add(version)
    session.flush()
    if pages:
        assert version.id is not None
        rules = rules_from_campaign(load_campaign_file(REPO / "campaigns" / "2024.toml"))
        texts = screen_pdf(workspace / stored, rules, ScreenLimits()).page_texts
        session.add_all(page_rows(version.id, texts))


def _seed(engine: Engine, campaigns: Path, workspace: Path) -> None:
    """Unit 1 released in 2023 and 2024, unit 2 in 2024 only, unit 3 removed in 2023; the 2024
    reports' pages stored at screening, the 2023 ones screened before pages were stored."""
    pdfs = write_report_pdfs(
        load_campaign_file(campaigns / "2024.toml"), workspace / "in", [(1, None), (2, None)]
    )
    with session_scope(engine) as session:
        for year in (2023, 2024):
            ensure_campaign(session, load_campaign_file(campaigns / f"{year}.toml"), AT)
        a1 = add_association(session, "A001")
        one = add_participation(session, 1, [a1], P.RELEASED, year=2024)
        two = add_participation(session, 2, [a1], P.RELEASED, year=2024)
        three = add_participation(session, 3, [a1], P.REMOVED, year=2023)
        unit = session.exec(select(Unit).where(Unit.uscc == make_uscc(1))).one()
        earlier = Participation(
            campaign_year=2023,
            unit_id=unit.id,
            status=P.RELEASED,
            status_changed_at=AT,
            created_on=AT.date(),
        )
        session.add(earlier)
        session.flush()
        assert earlier.id is not None
        for pid, year, n in (
            (one, 2024, 1),
            (two, 2024, 2),
            (earlier.id, 2023, 2),
            (three, 2023, 1),
        ):
            _report(session, workspace, pid, year, pdfs[n], pages=year == 2024)


def test_load_editions_reads_every_released_year_and_names_one_without_a_campaign_file(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    campaigns = _campaigns(tmp_path / "campaigns")
    workspace = tmp_path / "ws"
    _seed(engine, campaigns, workspace)
    settings = Settings(workspace=workspace, database_url=database_url, campaigns_dir=campaigns)

    found = load_editions(settings, AS_OF)
    (campaigns / "2023.toml").unlink()
    without = load_editions(settings, AS_OF)

    assert [(e.campaign.year, e.campaign.edition) for e in found.editions] == [
        (2023, 12),
        (2024, 13),
    ]
    assert [[x.slug for x in e.entries] for e in found.editions] == [
        [make_uscc(1).lower()],
        sorted([make_uscc(1).lower(), make_uscc(2).lower()]),
    ]
    assert sorted(found.sources) == sorted(
        [
            f"2023/{make_uscc(1).lower()}",
            f"2024/{make_uscc(1).lower()}",
            f"2024/{make_uscc(2).lower()}",
        ]
    )
    assert sorted(found.stored) == [f"2024/{make_uscc(n).lower()}" for n in sorted((1, 2))]
    assert all(any(page.strip() for page in pages) for pages in found.stored.values())
    assert found.skipped == {}
    assert [e.campaign.year for e in without.editions] == [2024]
    assert list(without.skipped) == [2023]


def test_publishing_a_season_builds_the_site_over_all_years_with_its_index(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    campaigns = _campaigns(tmp_path / "campaigns")
    workspace = tmp_path / "ws"
    _seed(engine, campaigns, workspace)
    settings = Settings(workspace=workspace, database_url=database_url, campaigns_dir=campaigns)

    summary = build_public_catalogue(settings, 2024, AS_OF).summary
    again = build_public_catalogue(settings, 2024, AS_OF).summary

    site = workspace / "release" / "site"
    unit_page = (site / "units" / f"{make_uscc(1).lower()}.html").read_text("utf-8")
    assert summary.site_index == str(site / "index.html")
    assert (summary.site_years, summary.site_reports, summary.site_texts_missing) == (
        [2023, 2024],
        3,
        0,
    )
    assert (summary.site_texts_stored, summary.site_texts_read) == (2, 1)  # 2023's PDF read
    assert (summary.site_reindexed, summary.site_problem) == (True, "")
    assert (again.site_texts_read, again.site_reindexed) == (0, False)
    assert summary.site_index_bytes > 0
    assert [p.parent.name for p in sorted(site.glob("pagefind/*/pagefind.js"))] == [
        "2023-0",
        "2024-0",
    ]  # an index per year
    assert 'data-index="2024-0 2023-0"' in (site / "index.html").read_text("utf-8")
    assert re.findall(r'<tr id="y(\d{4})">', unit_page) == ["2024", "2023"]
    assert (site / "2024" / "index.html").is_file()  # the season built now is mirrored
    assert not (site / "2023").exists()  # the 2023 season's catalogue was never built here
    assert "2023/reports/" not in unit_page  # so nothing links to its pages
    assert f"2024/reports/{make_uscc(1).lower()}.html" in unit_page
