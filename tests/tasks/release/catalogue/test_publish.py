"""Publishing the catalogue from the database: who is listed, what their pages show (latest
filings and round, approved commendations, certificates issued by as_of), no contacts, PDFs
copied from the workspace, an unchanged re-run writes nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from factories import add_association, add_participation, make_uscc
from seasonkit import decision
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.release_tables import Certificate, Commendation
from schemas.review_tables import ReviewOutcome
from schemas.screening import ScreenResult, TopicCoverage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Submission, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.release.catalogue.entries import format_figure, key_figures
from tasks.release.catalogue.publish import (
    CatalogueGaps,
    build_public_catalogue,
    catalogue_markdown,
)
from tasks.release.catalogue.rows import load_catalogue_rows
from tasks.store import session_scope

P = ParticipationStatus
REPO = Path(__file__).resolve().parents[4]
AS_OF = date(2025, 1, 16)
AT = datetime(2024, 11, 20, 2, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>科技有限公司"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _screening(covered: list[str], pages: int) -> dict[str, Any]:
    topics = [
        TopicCoverage(
            key=k,
            name=k,
            kind="core",
            hits=5 if k in covered else 0,
            pages=[1],
            covered=k in covered,
        )
        for k in ("governance", "environment", "green", "community")
    ]
    return ScreenResult(file="r.pdf", size=100, opened=True, pages=pages, topics=topics).to_stored()


def _filing(session: Session, pid: int, kind: SubmissionKind, version: int, **values: Any) -> None:
    session.add(
        Submission(
            campaign_year=2024,
            participation_id=pid,
            kind=kind,
            version=version,
            stored_path=values.pop("stored_path", f"archive/2024/{kind.value}/{pid}-{version}"),
            sha256=f"{pid:032x}{version:032x}",
            size=values.pop("size", 100),
            received_on=AT.date(),
            received_at=AT,
            **values,
        )
    )


def _seed(engine: Engine, campaign: CampaignFile, workspace: Path) -> dict[int, int]:
    """Units 1 (released, hostile name), 2 (approved, no PDF file), 3 (review passed), 4
    (removed); unit 1 recommended by A001 and A002, the others by A001."""
    pdf = workspace / "archive" / "2024" / "reports" / "unit1-v2.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.4\n% the second version\n%%EOF\n")
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
        a1 = add_association(session, "A001")
        a2 = add_association(session, "A002")
        ids = {
            1: add_participation(session, 1, [a1, a2], P.RELEASED),
            2: add_participation(session, 2, [a1], P.APPROVED),
            3: add_participation(session, 3, [a1], P.REVIEW_PASSED),
            4: add_participation(session, 4, [a1], P.REMOVED),
        }
        for unit in session.exec(select(Unit)).all():
            unit.industry, unit.district, unit.ownership = "电子信息", "浦东新区", "民营"
            unit.phone = "021-55551234"
            if unit.uscc == make_uscc(1):
                unit.name = HOSTILE
        one, two = ids[1], ids[2]
        _filing(session, one, SubmissionKind.REPORT_PDF, 1, screening=_screening(["governance"], 9))
        _filing(
            session,
            one,
            SubmissionKind.REPORT_PDF,
            2,
            stored_path="archive/2024/reports/unit1-v2.pdf",
            size=40,
            screening=_screening(["governance", "green"], 42),
        )
        _filing(
            session,
            one,
            SubmissionKind.BASIC_INFO,
            1,
            data={
                "report_title": "责任报告<2023>",
                "report_year": 2023,
                "case_title": "零碳工厂",  # the unit's own title for its case
                "employees": 1200,
                "revenue": 152300.5,
                "profit": -1200.0,
                "donations": None,
            },
        )
        _filing(session, two, SubmissionKind.REPORT_PDF, 1, stored_path="../outside.pdf")
        _filing(session, ids[3], SubmissionKind.REPORT_PDF, 1)
        for pid, rnd, grade in ((one, 0, "四星级"), (one, 1, "五星级"), (two, 0, "三星级")):
            session.add(decision(pid, 80.0, grade, rnd))
            session.add(
                ReviewOutcome(
                    campaign_year=2024,
                    participation_id=pid,
                    round=rnd,
                    normalised_score=80.0,
                    raw_score=80.0,
                    reviews=3,
                    spread=5.0,
                    grade=grade,
                    recommendation="pass",
                    decided_on=date(2024, 12, 13),
                )
            )
        for pid, kind, title, case, status in (
            (one, "case", "绿色低碳优秀案例", "零碳工厂", "approved"),
            (one, "excellent_unit", "提名未通过的表彰", "", "removed"),
            (two, "excellent_unit", "社会责任报告优秀企业", "", "proposed"),
        ):
            session.add(
                Commendation(
                    campaign_year=2024,
                    participation_id=pid,
                    kind=kind,
                    category_key=kind,
                    title=title,
                    case_title=case,
                    rank=1,
                    proposed_on=date(2024, 12, 16),
                    status=status,
                )
            )
        for pid, number, issued in (
            (one, "SH2024-0001", AS_OF),
            (two, "SH2024-0002", date(2025, 2, 1)),
        ):
            session.add(
                Certificate(
                    campaign_year=2024,
                    participation_id=pid,
                    number=number,
                    stored_path=f"release/2024/certificates/{number}.pdf",
                    sha256="0" * 64,
                    data_sha256="0" * 64,
                    issued_on=issued,
                    issued_at=AT,
                )
            )
    return ids


def _settings(database_url: str, workspace: Path) -> Settings:
    return Settings(
        workspace=workspace, database_url=database_url, campaigns_dir=REPO / "campaigns"
    )


def test_publish_catalogue_lists_released_and_approved_units_with_their_public_data(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    _seed(engine, campaign_2024, workspace)
    settings = _settings(database_url, workspace)

    summary, gaps = build_public_catalogue(settings, 2024, AS_OF)

    site = workspace / "release" / "2024" / "catalogue"
    index = (site / "index.html").read_text("utf-8")
    one = (site / "reports" / f"{make_uscc(1).lower()}.html").read_text("utf-8")
    two = (site / "reports" / f"{make_uscc(2).lower()}.html").read_text("utf-8")
    assert (summary.reports, summary.commended, summary.pdfs_linked) == (2, 1, 1)
    assert summary.site_dir == "release/2024/catalogue"
    assert (summary.pdfs_missing, summary.screening_missing) == (1, 1)
    shown = catalogue_markdown(summary, gaps).splitlines()  # the catalogue-2024 artifact
    assert shown[-2:] == [
        "- report PDF not found in the workspace (1): 上海测试0002科技有限公司",
        "- no usable pre-screen (topics not shown) (1): 上海测试0002科技有限公司",
    ]
    assert sorted(p.name for p in (site / "reports").iterdir()) == sorted(
        f"{make_uscc(n).lower()}.html" for n in (1, 2)
    )
    assert "上海测试0003" not in index
    assert "上海测试0004" not in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;科技有限公司" in index
    assert "<script>alert" not in index + one
    assert "责任报告&lt;2023&gt;" in one
    assert "上海市测试行业协会A001、上海市测试行业协会A002" in one
    assert "五星级" in one
    assert "四星级" not in one
    assert "绿色低碳优秀案例" in one
    assert "《零碳工厂》" in one
    assert "提名未通过的表彰" not in index + one
    assert "社会责任报告优秀企业" not in index + two
    assert "SH2024-0001" in one
    assert "SH2024-0002" not in two
    assert re.findall(r'<li class="covered">([^<]+)<', one) == ["组织治理", "绿色发展与双碳"]
    assert re.findall(r"<tr><th[^>]*>([^<]+)</th><td>([^<]+)</td>", one) == [
        ("员工人数", "1,200"),
        ("营业收入（万元）", "152,300.5"),
    ]
    assert re.findall(r'<p class="muted">([^<]*页[^<]*)</p>', one) == ["42 页 · 0.1 MB"]
    assert (site / "pdf" / f"{make_uscc(1).lower()}.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in (site / "pdf").iterdir()) == [f"{make_uscc(1).lower()}.pdf"]
    assert "报告 PDF 暂未公开" in two


def test_the_catalogue_holds_no_contact_of_any_unit_or_association(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    _seed(engine, campaign_2024, workspace)

    build_public_catalogue(_settings(database_url, workspace), 2024, AS_OF)

    site = workspace / "release" / "2024" / "catalogue"
    text = "".join(p.read_text("utf-8") for p in site.rglob("*") if p.suffix in {".html", ".js"})
    assert EMAIL.findall(text) == []
    assert ("李测试" in text, "王测试" in text, "021-5555" in text) == (False, False, False)


def test_an_unchanged_second_publication_writes_nothing(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    workspace = tmp_path / "ws"
    ids = _seed(engine, campaign_2024, workspace)
    settings = _settings(database_url, workspace)
    first = build_public_catalogue(settings, 2024, AS_OF).summary

    again = build_public_catalogue(settings, 2024, AS_OF).summary
    with session_scope(engine) as session:
        session.add(
            Commendation(
                campaign_year=2024,
                participation_id=ids[2],
                kind="speaker",
                title="发布会发言单位",
                speaker_name="张发言",
                rank=1,
                proposed_on=date(2024, 12, 16),
                status="approved",
            )
        )
    changed = build_public_catalogue(settings, 2024, AS_OF).summary

    assert (first.files_written, first.pdfs_copied) == (7, 1)  # with verify.html
    assert (again.files_written, again.files_unchanged, again.pdfs_copied) == (0, 7, 0)
    assert (changed.files_written, changed.commended) == (2, 2)  # index and unit 2's page
    site = workspace / "release" / "2024" / "catalogue"
    assert "张发言" not in (site / "index.html").read_text("utf-8")


def test_key_figures_keep_the_form_labels_and_skip_empty_values() -> None:
    figures = key_figures({"revenue": 152300.5, "employees": 1200, "taxes": None, "rd_spend": ""})

    assert [(f.label, f.value) for f in figures] == [
        ("员工人数", "1,200"),
        ("营业收入（万元）", "152,300.5"),
    ]
    assert [format_figure(v) for v in (8800.0, 0.25, True, "  ")] == ["8,800", "0.25", None, None]


def test_catalogue_markdown_links_the_index_and_names_gaps(tmp_path: Path) -> None:
    from tasks.release.catalogue.publish import CatalogueSummary

    summary = CatalogueSummary(
        campaign_year=2024,
        as_of=AS_OF,
        site_dir="release/2024/catalogue",
        index=str(tmp_path / "index.html"),
        reports=2,
        commended=1,
        pdfs_linked=1,
        pdfs_copied=1,
        pdfs_missing=1,
        screening_missing=0,
        files_written=5,
        files_unchanged=0,
        files_removed=0,
    )

    markdown = catalogue_markdown(
        summary, CatalogueGaps(pdfs_missing=["A_[x]"], screening_missing=[])
    )

    assert f"]({(tmp_path / 'index.html').as_uri()})" in markdown
    assert "report PDF not found in the workspace (1): A\\_\\[x\\]" in markdown
    assert "pre-screen" not in markdown


def test_the_catalogue_reads_the_decided_grade_and_the_newest_certificate(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    ids = _seed(engine, campaign_2024, tmp_path / "ws")
    one = ids[1]
    with session_scope(engine) as session:
        for live in session.exec(
            select(ReviewOutcome).where(ReviewOutcome.participation_id == one)
        ):
            live.grade, live.normalised_score = "二星级", 41.0  # a late sheet, after the decision
            session.add(live)
        session.add(
            Certificate(
                campaign_year=2024,
                participation_id=one,
                number="SH2024-0009",
                stored_path="release/2024/certificates/SH2024-0009.pdf",
                sha256="1" * 64,
                data_sha256="1" * 64,
                version=2,
                reason="名称更正",
                issued_on=AS_OF,
                issued_at=AT,
            )
        )

    with session_scope(engine) as session:
        rows = load_catalogue_rows(session, 2024, AS_OF)

    assert rows.grades[one] == "五星级"  # the decided version of its latest round
    assert rows.certificates[one] == "SH2024-0009"  # the newest issue, not the first
