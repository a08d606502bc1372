"""The catalogue site: escaping, no other host, no contacts, deterministic re-builds, stale pages
removed; and in headless Chromium from the file system: filters hide the right cards, a unit
named `<script>` shows as text, and a screenshot is taken."""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browserkit import run_chromium
from hypothesis import given
from hypothesis import strategies as st

from schemas.catalogue import CatalogueCampaign, CatalogueCommendation, CatalogueEntry, KeyFigure
from tasks.release.catalogue.site import (
    DuplicateSlug,
    build_catalogue,
    commended_groups,
    filter_options,
    script_json,
)

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_INDUSTRY = 'A&B "金融" <服务>'
HOSTILE_ASSOCIATION = "上海市</script><script>alert(2)</script>协会"
TOPICS = ("组织治理", "员工关爱", "绿色环保", "新质生产力")
CAMPAIGN = CatalogueCampaign(
    title="上海市企业社会责任报告发布会",
    theme="创新引领·责任筑基",
    year=2024,
    edition=13,
    report_year=2023,
    release_date=date(2025, 1, 16),
    topics=TOPICS,
    organisers=("上海市工业经济联合会",),
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
OTHER_HOST = re.compile(r"(?i)https?://|(?:src|href|action)\s*=\s*[\"']?//|url\(\s*[\"']?//")


def _entry(n: int, **overrides: object) -> CatalogueEntry:
    values: dict[str, object] = {
        "slug": f"9131011500000{n:04d}x",
        "unit_name": f"上海测试{n:04d}科技有限公司",
        "industry": ("电子信息", "生物医药", HOSTILE_INDUSTRY)[n % 3],
        "district": ("浦东新区", "徐汇区")[n % 2],
        "ownership": "民营",
        "associations": (f"上海市测试行业协会A00{n % 2 + 1}",),
        "report_title": f"上海测试{n:04d}科技有限公司2023年度社会责任报告",
        "report_year": 2023,
        "topics": TOPICS[: 1 + n % len(TOPICS)],
        "grade": "四星级",
        "certificate_number": f"SH2024-{n:04d}",
        "pdf_pages": 40,
        "pdf_bytes": 2_300_000,
        "key_figures": (KeyFigure(key="employees", label="员工人数", value="1,200"),),
    }
    values.update(overrides)
    return CatalogueEntry.model_validate(values)


def _entries() -> list[CatalogueEntry]:
    """Six entries: 0 is named <script>, 1 is commended twice, 2 is recommended by a hostile
    association; industries cycle through 电子信息, 生物医药 and the hostile one."""
    hostile = _entry(0, unit_name=HOSTILE_NAME, report_title=f"{HOSTILE_NAME}社会责任报告")
    commended = _entry(
        1,
        commendations=(
            CatalogueCommendation(kind="excellent_unit", title="优秀企业", rank=2),
            CatalogueCommendation(
                kind="case", title="绿色低碳优秀案例", case_title="零碳<工厂>", rank=1
            ),
        ),
    )
    return [
        hostile,
        commended,
        _entry(2, associations=(HOSTILE_ASSOCIATION,)),
        *[_entry(n) for n in range(3, 6)],
    ]


def _pdfs(tmp_path: Path, entries: list[CatalogueEntry]) -> dict[str, Path]:
    """Write a small PDF per even entry; return slug -> path."""
    folder = tmp_path / "archive"
    folder.mkdir(exist_ok=True)
    sources = {}
    for i, e in enumerate(entries):
        if i % 2 == 0:
            path = folder / f"{i}.pdf"
            path.write_bytes(b"%PDF-1.4\n% report " + e.slug.encode() + b"\n%%EOF\n")
            sources[e.slug] = path
    return sources


def _files(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
    }


class _Page(HTMLParser):
    """Collects the text of card titles, the hidden cards and the JSON data block of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, bool] = {}  # slug -> hidden
        self.titles: list[str] = []
        self.data = ""
        self.scripts = 0
        self.shown_count = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "li" and a.get("data-slug"):
            self.cards[str(a["data-slug"])] = "hidden" in a
        if tag == "h2" and a.get("class") == "card-title":
            self._in = "title"
            self.titles.append("")
        if tag == "script":
            self.scripts += 1
            if a.get("id") == "catalogue-data":
                self._in = "data"
        if tag == "strong" and a.get("id") == "shown-count":
            self._in = "count"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "script", "strong"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.titles[-1] += data
        elif self._in == "data":
            self.data += data
        elif self._in == "count":
            self.shown_count += data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_hostile_names_are_text_and_the_data_block_cannot_close_its_script(
    tmp_path: Path,
) -> None:
    entries = _entries()

    build_catalogue(CAMPAIGN, entries, tmp_path / "site", {})

    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    page = (tmp_path / "site" / "reports" / f"{entries[0].slug}.html").read_text("utf-8")
    parsed = _parse(index)
    assert "<script>alert" not in index
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert HOSTILE_NAME in parsed.titles
    assert parsed.scripts == 2  # the data block and assets/catalogue.js, nothing injected
    block = index.split('<script type="application/json" id="catalogue-data">', 1)[1]
    block = block.split("</script>", 1)[0]
    assert "<" not in block
    assert ">" not in block
    assert "&" not in block
    records = json.loads(block)
    assert [r["slug"] for r in records] == sorted(e.slug for e in entries)
    by_slug = {r["slug"]: r for r in records}
    assert by_slug[entries[2].slug]["associations"] == [HOSTILE_ASSOCIATION]
    assert by_slug[entries[2].slug]["industry"] == HOSTILE_INDUSTRY
    assert f'<option value="{HOSTILE_INDUSTRY}">' not in index
    assert '<option value="A&amp;B &#34;金融&#34; &lt;服务&gt;">' in index


def test_without_javascript_every_card_is_shown_and_the_useless_filters_are_hidden(
    tmp_path: Path,
) -> None:
    entries = _entries()

    build_catalogue(CAMPAIGN, entries, tmp_path / "site", {})

    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    page = _parse(index)
    assert _visible(page) == {e.slug for e in entries}
    assert '<form id="filters" class="filters" role="search" hidden>' in index
    assert page.shown_count == "6"


def test_no_generated_file_refers_to_another_host_or_holds_an_address(tmp_path: Path) -> None:
    entries = _entries()

    build_catalogue(CAMPAIGN, entries, tmp_path / "site", _pdfs(tmp_path, entries))

    texts = {
        name: data.decode("utf-8")
        for name, data in _files(tmp_path / "site").items()
        if not name.endswith(".pdf")
    }
    assert sorted(n for n in texts if not n.startswith("reports/")) == [
        "assets/catalogue.js",
        "assets/site.css",
        "assets/verify.js",
        "index.html",
    ]
    assert {n: OTHER_HOST.findall(t) for n, t in texts.items() if OTHER_HOST.search(t)} == {}
    assert {n: EMAIL.findall(t) for n, t in texts.items() if EMAIL.search(t)} == {}


def test_every_link_is_relative_and_reaches_a_generated_file(tmp_path: Path) -> None:
    entries = _entries()
    build_catalogue(CAMPAIGN, entries, tmp_path / "site", _pdfs(tmp_path, entries))
    site = tmp_path / "site"
    broken = []

    for page in [site / "index.html", *sorted((site / "reports").glob("*.html"))]:
        for link in re.findall(r'(?:href|src)="([^"#]+)', page.read_text("utf-8")):
            target = (page.parent / urllib.parse.unquote(link)).resolve()
            if link.startswith("/") or not target.is_file():
                broken.append((page.name, link))

    assert broken == []


def test_a_rebuild_of_unchanged_data_writes_nothing_and_order_does_not_matter(
    tmp_path: Path,
) -> None:
    entries = _entries()
    sources = _pdfs(tmp_path, entries)
    site = tmp_path / "site"

    first = build_catalogue(CAMPAIGN, entries, site, sources)
    before = _files(site)
    second = build_catalogue(CAMPAIGN, list(reversed(entries)), site, sources)

    assert (first.files_written, first.pdfs_copied, first.reports) == (10, 3, 6)
    assert (first.pdfs_linked, first.commended) == (3, 1)
    assert (second.files_written, second.files_unchanged, second.pdfs_copied) == (0, 10, 0)
    assert _files(site) == before


def test_a_unit_no_longer_listed_loses_its_page_and_pdf(tmp_path: Path) -> None:
    entries = _entries()
    sources = _pdfs(tmp_path, entries)
    site = tmp_path / "site"
    build_catalogue(CAMPAIGN, entries, site, sources)

    build = build_catalogue(CAMPAIGN, entries[1:], site, sources)

    assert build.files_removed == 2
    assert not (site / "reports" / f"{entries[0].slug}.html").exists()
    assert not (site / "pdf" / f"{entries[0].slug}.pdf").exists()
    assert entries[0].slug not in (site / "index.html").read_text("utf-8")
    assert (site / "pdf" / f"{entries[2].slug}.pdf").read_bytes() == sources[
        entries[2].slug
    ].read_bytes()


def test_a_changed_pdf_is_copied_again(tmp_path: Path) -> None:
    entries = _entries()[:1]
    source = tmp_path / "r.pdf"
    source.write_bytes(b"%PDF-1.4 first")
    site = tmp_path / "site"
    build_catalogue(CAMPAIGN, entries, site, {entries[0].slug: source})

    source.write_bytes(b"%PDF-1.4 second version")
    build = build_catalogue(CAMPAIGN, entries, site, {entries[0].slug: source})

    assert build.pdfs_copied == 1
    assert (site / "pdf" / f"{entries[0].slug}.pdf").read_bytes() == b"%PDF-1.4 second version"


def test_two_entries_with_one_slug_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DuplicateSlug, match="9131011500000"):
        build_catalogue(CAMPAIGN, [_entry(1), _entry(1, unit_name="别名")], tmp_path, {})


def test_filter_options_follow_the_given_order_then_sort_and_count() -> None:
    values = ["绿色环保", "其他", "组织治理", "绿色环保", ""]

    assert filter_options(values, TOPICS) == [("组织治理", 1), ("绿色环保", 2), ("其他", 1)]


def test_commended_groups_list_units_before_cases_and_rank_within() -> None:
    a = _entry(1, commendations=(CatalogueCommendation(kind="case", title="案例", rank=2),))
    b = _entry(2, commendations=(CatalogueCommendation(kind="case", title="案例", rank=1),))
    c = _entry(3, commendations=(CatalogueCommendation(kind="excellent_unit", title="优秀"),))

    groups = commended_groups([a, b, c])

    assert [(t, [e.slug for e, _ in items]) for t, items in groups] == [
        ("优秀", [c.slug]),
        ("案例", [b.slug, a.slug]),
    ]


@given(st.lists(st.text(), max_size=5))
def test_script_json_round_trips_and_never_holds_markup_characters(values: list[str]) -> None:
    text = str(script_json({"values": values}))

    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == {"values": values}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    entries = _entries()
    build_catalogue(CAMPAIGN, entries, tmp_path / "site", _pdfs(tmp_path, entries))
    return tmp_path / "site"


def _visible(page: _Page) -> set[str]:
    return {slug for slug, hidden in page.cards.items() if not hidden}


def test_chromium_filters_by_industry_from_the_address(
    chromium: str, site: Path, tmp_path: Path
) -> None:
    entries = _entries()
    url = (
        (site / "index.html").as_uri()
        + "?"
        + urllib.parse.urlencode({"industry": HOSTILE_INDUSTRY})
    )

    page = _parse(run_chromium(chromium, tmp_path / "profile", "--dump-dom", url))

    expected = {e.slug for e in entries if e.industry == HOSTILE_INDUSTRY}
    assert len(expected) == 2
    assert _visible(page) == expected
    assert page.shown_count == "2"
    assert HOSTILE_NAME in page.titles


def test_chromium_filters_by_topic_and_search_words_from_the_hash(
    chromium: str, site: Path, tmp_path: Path
) -> None:
    entries = _entries()
    fragment = urllib.parse.urlencode({"topic": "绿色环保", "q": "浦东"})
    url = (site / "index.html").as_uri() + "#" + fragment

    page = _parse(run_chromium(chromium, tmp_path / "profile", "--dump-dom", url))

    expected = {e.slug for e in entries if "绿色环保" in e.topics and e.district == "浦东新区"}
    assert expected
    assert expected != {e.slug for e in entries}
    assert _visible(page) == expected
    assert page.shown_count == str(len(expected))


def test_chromium_shows_every_card_and_the_script_name_as_text_without_filters(
    chromium: str, site: Path, tmp_path: Path
) -> None:
    url = (site / "index.html").as_uri()

    page = _parse(run_chromium(chromium, tmp_path / "profile", "--dump-dom", url))

    assert _visible(page) == {e.slug for e in _entries()}
    assert HOSTILE_NAME in page.titles
    assert page.scripts == 2


def test_chromium_takes_a_screenshot_of_the_filtered_catalogue(
    chromium: str, site: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "catalogue.png"
    url = (site / "index.html").as_uri() + "?district=%E6%B5%A6%E4%B8%9C%E6%96%B0%E5%8C%BA"

    run_chromium(
        chromium,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,1600",
        "--hide-scrollbars",
        url,
    )

    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 1600)
    assert len(data) > 30_000  # a blank page of that size compresses to a few kilobytes
