"""The certificate register page (verify.html) answers what a certificate's QR code opens."""

from __future__ import annotations

import re
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
from browserkit import run_chromium
from factories import add_association, add_participation
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.catalogue import CatalogueCampaign
from schemas.enums import ParticipationStatus
from schemas.release_tables import Certificate
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.release.catalogue.register import (
    RegisteredCertificate,
    load_register,
    register_records,
    render_register_page,
)
from tasks.release.catalogue.site import TEMPLATES, build_catalogue
from tasks.release.certificates.issue import issue_certificates_now
from tasks.store import make_engine, session_scope

CAMPAIGN = CatalogueCampaign(
    title="上海市企业社会责任报告发布会", year=2024, edition=13, report_year=2023
)
HOSTILE = '<img src=x onerror="alert(1)">科技有限公司'
REGISTER = [
    RegisteredCertificate(
        number="SHCSR-2024-00001-3",
        unit_name="上海测试0001科技有限公司",
        issued_on=date(2025, 1, 16),
        sha256="a" * 64,
        superseded_by="SHCSR-2024-00031-5",
    ),
    RegisteredCertificate(
        number="SHCSR-2024-00031-5",
        unit_name="上海测试0001科技有限公司",
        issued_on=date(2025, 2, 3),
        sha256="b" * 64,
    ),
    RegisteredCertificate(
        number="SHCSR-2024-00002-1", unit_name=HOSTILE, issued_on=date(2025, 1, 16), sha256="c" * 64
    ),
]


@pytest.fixture
def page(tmp_path: Path) -> Path:
    """The register page and its script written as the catalogue writes them."""
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "verify.js").write_bytes((TEMPLATES / "verify.js").read_bytes())
    path = site / "verify.html"
    path.write_text(render_register_page(CAMPAIGN, REGISTER), encoding="utf-8")
    return path


def answer(chromium: str, page: Path, profile: Path, number: str) -> str:
    """Return the answer the page shows when opened from a QR code holding `number`."""
    url = page.as_uri() + "?" + urllib.parse.urlencode({"n": number})
    dom = run_chromium(chromium, profile, "--dump-dom", url)
    found = re.search(r'<p id="verify-answer"[^>]*>(.*?)</p>', dom, re.S)
    assert found is not None
    return found.group(1)


def test_the_register_names_the_newer_issue_of_a_replaced_certificate() -> None:
    records = register_records(REGISTER)

    assert records["SHCSR-2024-00001-3"]["newer"] == "SHCSR-2024-00031-5"
    assert records["SHCSR-2024-00031-5"]["newer"] == ""
    assert records["SHCSR-2024-00002-1"]["issued"] == "2025年1月16日"


def test_a_scanned_number_is_answered_genuine_superseded_or_unknown(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    current = answer(chromium, page, tmp_path / "p1", "SHCSR-2024-00031-5")
    replaced = answer(chromium, page, tmp_path / "p2", "shcsr-2024-00001-3")
    unknown = answer(chromium, page, tmp_path / "p3", "SHCSR-2024-99999-0")

    assert current.startswith("真实有效")
    assert "2025年2月3日" in current
    assert replaced.startswith("已被替换")
    assert "SHCSR-2024-00031-5" in replaced
    assert unknown.startswith("未找到")


def test_a_hostile_unit_name_is_shown_as_text(chromium: str, page: Path, tmp_path: Path) -> None:
    shown = answer(chromium, page, tmp_path / "p", "SHCSR-2024-00002-1")

    assert "&lt;img src=x" in shown  # text, escaped in the DOM, never an element
    assert "<img" not in shown


def test_the_register_holds_every_issued_certificate_with_its_unit(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine = make_engine(Settings())
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        association = add_association(session, "A001")
        for n in (1, 2):
            add_participation(session, n, [association], ParticipationStatus.APPROVED)
    issue_certificates_now(Settings(), 2024, date(2025, 1, 16))

    with session_scope(engine) as session:
        register = load_register(session, 2024)
        issued = session.exec(select(Certificate)).all()
    engine.dispose()

    assert sorted(c.number for c in register) == sorted(c.number for c in issued)
    assert {c.unit_name for c in register} == {
        "上海测试0001科技有限公司",
        "上海测试0002科技有限公司",
    }
    assert {c.sha256 for c in register} == {c.sha256 for c in issued}
    assert all(c.superseded_by == "" for c in register)


def test_the_catalogue_links_the_register_from_every_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    page = render_register_page(CAMPAIGN, REGISTER)

    build_catalogue(CAMPAIGN, [], site, {}, page)

    assert (site / "verify.html").read_text(encoding="utf-8") == page
    assert '<a href="verify.html">发布证书核验</a>' in (site / "index.html").read_text("utf-8")
    assert (site / "assets" / "verify.js").is_file()
