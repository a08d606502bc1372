"""The site over all years, built from two seasons of real report PDFs: a text page per report with
a section per PDF page and its filters, a page per unit across years, the case library, the
seasons mirrored, re-builds that change nothing or only what changed; and in headless Chromium
over http: index.html?q=碳达峰 lists the units whose reports say 碳达峰 with page and excerpt,
filters come from the address, and a query or a unit name made of markup stays text."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browserkit import DevtoolsPage, drive_page, serve_folder
from factories import write_report_pdfs
from sitekit import OWN_CASE_TITLE, UNITS, UNSTORED, FixtureSite, build_fixture

from schemas.campaign_file import CampaignFile
from schemas.catalogue import CatalogueEdition, CatalogueEntry
from tasks.release.catalogue.entries import catalogue_campaign
from tasks.release.catalogue.search_site import SearchSiteBuild, build_search_site
from tasks.release.catalogue.text import ReportSource

TERM = "碳达峰"
RESULTS_DONE = (
    "(() => { const l = document.getElementById('kb-results');"
    " return l && ['done', 'error'].includes(l.dataset.state) && l.dataset.state; })()"
)
_ALL = "[...document.querySelectorAll('#kb-results {}')].map({} => {})"
SNAPSHOT = (
    "JSON.stringify({"
    + ", ".join(
        [
            "state: document.getElementById('kb-results').dataset.state",
            "status: document.getElementById('kb-status').textContent",
            "units: " + _ALL.format(".kb-result h2 a", "a", "a.textContent"),
            "years: " + _ALL.format(".kb-result .muted", "p", "p.textContent.slice(0, 4)"),
            "pages: " + _ALL.format(".kb-hits a.page", "a", "a.getAttribute('href')"),
            "marks: " + _ALL.format("mark", "m", "m.textContent"),
            "elements: [...new Set(" + _ALL.format("*", "e", "e.tagName") + ")].sort()",
            "query: document.getElementById('kb-q').value",
            "year: document.getElementById('kb-year').value",
            "pwned: window.__pwned === undefined ? null : String(window.__pwned)",
        ]
    )
    + "})"
)


class _Text(HTMLParser):
    """Collect ids of h2 elements and the data-pagefind-filter/meta values of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.filters: dict[str, list[str]] = {}
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "h2" and values.get("id"):
            self.ids.append(str(values["id"]))
        for kind in ("data-pagefind-filter", "data-pagefind-meta"):
            if values.get(kind):
                self._open = (f"{kind[14:]}:{values[kind]}", "")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open = (self._open[0], self._open[1] + data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None:
            self.filters.setdefault(self._open[0], []).append(self._open[1])
            self._open = None


def _parse(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text("utf-8"))
    return parser


def _slug(n: int) -> str:
    from factories import make_uscc

    return make_uscc(n).lower()


def test_every_report_gets_a_text_page_with_a_section_per_pdf_page(
    two_seasons: FixtureSite,
) -> None:
    pages = sorted(
        p.relative_to(two_seasons.site / "text") for p in two_seasons.site.glob("text/*/*.html")
    )

    assert [str(p.with_suffix("")) for p in pages] == sorted(two_seasons.texts)
    for key, count in two_seasons.pages.items():
        assert _parse(two_seasons.site / "text" / f"{key}.html").ids == [
            f"p{n}" for n in range(1, count + 1)
        ]
    assert two_seasons.build.texts_missing == []
    assert (two_seasons.build.reports, two_seasons.build.units, two_seasons.build.cases) == (
        10,
        7,
        2,
    )


def test_a_text_page_carries_the_reports_filters_and_metadata(two_seasons: FixtureSite) -> None:
    found = _parse(two_seasons.site / "text" / "2024" / f"{_slug(3)}.html").filters

    assert found["filter:year"] == ["2024"]
    assert found["filter:industry"] == ["制造业"]
    assert found["filter:district"] == ["徐汇区"]
    assert found["filter:standard"] == ["GB/T 36001-2015"]
    assert found["filter:commendation"] == ["绿色低碳优秀案例"]
    assert len(found["filter:topic"]) == 2 + (3 + 2024) % 5
    assert found["meta:unit"] == ["上海测试0003科技有限公司"]
    assert found["meta:year"] == ["2024"]


def test_the_text_pages_hold_the_pdf_text_and_escape_a_unit_named_with_markup(
    two_seasons: FixtureSite,
) -> None:
    page = (two_seasons.site / "text" / "2024" / f"{_slug(7)}.html").read_text("utf-8")
    body = re.sub(r"<[^>]+>|\s+", "", page.split("data-pagefind-body", 1)[1])

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&#34;window.__pwned=7&#34;&gt;" in page
    sample = two_seasons.texts[f"2024/{_slug(7)}"][200:260]
    assert sample in body.replace("&#34;", '"').replace("&amp;", "&").replace("&lt;", "<")


def test_a_unit_page_lists_its_reports_by_year_with_grade_topics_and_commendations(
    two_seasons: FixtureSite,
) -> None:
    page = (two_seasons.site / "units" / f"{_slug(2)}.html").read_text("utf-8")
    rows = re.findall(r'<tr id="y(\d{4})">(.*?)</tr>', page, flags=re.S)

    assert [year for year, _row in rows] == ["2024", "2023"]
    assert "四星级" in rows[0][1]
    assert "社会责任报告优秀企业" in rows[0][1]
    assert "三星级" in rows[1][1]
    assert "社会责任报告优秀企业" not in rows[1][1]
    assert f"text/2023/{_slug(2)}.html" in rows[1][1]
    assert f"2023/pdf/{_slug(2)}.pdf" in rows[1][1]
    only_once = (two_seasons.site / "units" / f"{_slug(1)}.html").read_text("utf-8")
    assert re.findall(r'<tr id="y(\d{4})">', only_once) == ["2023"]


def test_the_case_library_names_the_unit_and_category_and_only_a_title_the_unit_gave(
    two_seasons: FixtureSite,
) -> None:
    page = (two_seasons.site / "cases.html").read_text("utf-8")
    cases = re.findall(r'<li class="kb-case">(.*?)</li>\s*</ol>', page, flags=re.S)

    assert len(cases) == 2
    assert "上海测试0003科技有限公司" in cases[0]
    assert "《" not in cases[0]
    assert f'text/2024/{_slug(3)}.html#p3">第 3 页</a>：公司推进绿色低碳转型' in cases[0]
    assert f"单位报送案例名称：《{OWN_CASE_TITLE}》" in cases[1]
    assert f'<a href="text/2023/{_slug(4)}.html">报告全文</a>' in cases[1]
    assert "上海测试0003科技有限公司：" not in page  # no title composed from the unit's name
    assert "案例摘录由评审选定" not in page
    assert "并非评审或单位选定的摘录" in page


def test_each_season_is_mirrored_under_its_year(two_seasons: FixtureSite) -> None:
    for year, units in UNITS.items():
        season = two_seasons.site.parent / str(year) / "catalogue"
        mirrored = two_seasons.site / str(year)
        assert (mirrored / "index.html").read_bytes() == (season / "index.html").read_bytes()
        assert sorted(p.stem for p in (mirrored / "pdf").iterdir()) == sorted(
            _slug(n) for n in units
        )


def test_an_unchanged_rebuild_reads_no_pdf_writes_nothing_and_keeps_the_index(
    campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    built = build_fixture(campaign_2024, tmp_path)
    seasons, sources, stored = built.seasons, built.sources, dict(built.stored)
    index_before = sorted(p.name for p in (built.site / "pagefind").rglob("*"))

    def build() -> SearchSiteBuild:
        return build_search_site(
            built.editions, built.site, sources, seasons, tmp_path / "cache", stored=stored
        )

    again = build()

    assert (built.build.texts_stored, built.build.texts_read) == (9, 1)  # UNSTORED's PDF read
    assert (again.texts_read, again.files_written, again.files_mirrored) == (0, 0, 0)
    assert (again.files_removed, again.reindexed) == (0, False)
    assert sorted(p.name for p in (built.site / "pagefind").rglob("*")) == index_before

    shard_2023 = (built.site / "pagefind" / "2023-0" / "pagefind-entry.json").stat().st_ino
    stored[f"2024/{_slug(5)}"] = stored[f"2024/{_slug(6)}"]  # a new version of report 5 screened
    third = build()

    assert (third.texts_read, third.files_written, third.reindexed) == (0, 1, True)
    assert (third.index_shards, third.shards_reindexed, third.index_pages) == (2, 1, 6)  # 2024's
    assert (built.site / "pagefind" / "2023-0" / "pagefind-entry.json").stat().st_ino == shard_2023

    unstored = sources[f"{UNSTORED[0]}/{_slug(UNSTORED[1])}"].path  # its PDF replaced
    unstored.write_bytes(unstored.read_bytes() + b"\n% a new version\n")
    fourth = build()

    assert (fourth.texts_read, fourth.files_written, fourth.texts_stored) == (1, 0, 9)


def test_every_report_reads_the_same_from_its_stored_pages_as_from_its_pdf(
    campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    built = build_fixture(campaign_2024, tmp_path)
    pages = {p: p.read_bytes() for p in (built.site / "text").rglob("*.html")}

    from_pdfs = build_search_site(
        built.editions, built.site, built.sources, built.seasons, tmp_path / "other-cache"
    )

    assert (from_pdfs.texts_stored, from_pdfs.texts_read) == (0, 10)
    assert (from_pdfs.files_written, from_pdfs.reindexed) == (0, False)
    assert {p: p.read_bytes() for p in (built.site / "text").rglob("*.html")} == pages


def _search(chromium: str, url: str) -> Any:
    """Open `url`, wait for the search to finish and return what the page shows."""

    async def run(page: DevtoolsPage) -> Any:
        await page.call("Page.navigate", url=url)
        await page.wait_for(RESULTS_DONE)
        return await page.evaluate(SNAPSHOT)

    return json.loads(drive_page(chromium, run))


@pytest.fixture(scope="module")
def served(two_seasons: FixtureSite) -> Iterator[str]:
    with serve_folder(two_seasons.site) as base:
        yield base


def _expected(two_seasons: FixtureSite, year: int | None = None) -> list[tuple[str, str]]:
    return sorted(
        (key.split("/")[0], two_seasons.names[key.split("/")[1]])
        for key, text in two_seasons.texts.items()
        if TERM in text and (year is None or key.startswith(f"{year}/"))
    )


def test_chromium_opens_the_deep_link_with_the_units_whose_reports_say_the_term(
    chromium: str, two_seasons: FixtureSite, served: str
) -> None:
    expected = _expected(two_seasons)
    assert 0 < len(expected) < len(two_seasons.texts)  # the fixture can tell right from wrong

    shown = _search(chromium, served + "index.html?q=" + urllib.parse.quote(TERM))

    assert shown["state"] == "done"
    assert sorted(zip(shown["years"], shown["units"], strict=True)) == expected
    assert shown["query"] == TERM
    assert set(shown["marks"]) == {TERM}
    assert all(re.fullmatch(r"/text/20\d\d/[0-9a-z]+\.html#p\d+", p) for p in shown["pages"])
    assert shown["status"] == f"找到 {len(expected)} 份报告"


TYPE = """(() => {
  const q = document.getElementById('kb-q');
  q.value = %s;
  q.dispatchEvent(new Event('input', {bubbles: true}));
  return true;
})()"""
READY = (  # null-safe: Page.navigate returns before the new document exists
    "(() => { const l = document.getElementById('kb-results');"
    " return !!l && l.dataset.ready === '1'; })()"
)


def test_chromium_searches_what_is_typed_after_a_pause(
    chromium: str, two_seasons: FixtureSite, served: str
) -> None:
    async def run(page: DevtoolsPage) -> Any:
        await page.call("Page.navigate", url=served + "index.html")
        await page.wait_for(READY)
        await page.evaluate(TYPE % json.dumps(TERM))  # the words' index chunks load meanwhile
        await page.wait_for(RESULTS_DONE)
        return await page.evaluate(SNAPSHOT)

    shown = json.loads(drive_page(chromium, run))

    assert shown["state"] == "done"
    assert sorted(zip(shown["years"], shown["units"], strict=True)) == _expected(two_seasons)
    assert set(shown["marks"]) == {TERM}


def test_chromium_takes_the_filters_from_the_address(
    chromium: str, two_seasons: FixtureSite, served: str
) -> None:
    shown = _search(chromium, served + "index.html?q=" + urllib.parse.quote(TERM) + "&year=2023")

    assert shown["year"] == "2023"
    assert sorted(zip(shown["years"], shown["units"], strict=True)) == _expected(two_seasons, 2023)


def test_chromium_shows_a_unit_named_with_markup_as_text(
    chromium: str, two_seasons: FixtureSite, served: str
) -> None:
    name = two_seasons.names[_slug(7)]
    word = two_seasons.texts[f"2024/{_slug(7)}"][300:304]

    shown = _search(chromium, served + "index.html?q=" + urllib.parse.quote(word) + "&year=2024")

    assert name in shown["units"]
    assert shown["pwned"] is None
    assert "IMG" not in shown["elements"]
    assert "SCRIPT" not in shown["elements"]


def test_chromium_keeps_a_query_made_of_markup_inert(chromium: str, served: str) -> None:
    query = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">碳达峰'

    shown = _search(chromium, served + "index.html?q=" + urllib.parse.quote(query))

    assert shown["state"] == "done"
    assert shown["query"] == query
    assert shown["pwned"] is None
    assert shown["units"] == []
    assert "IMG" not in shown["elements"]
    assert "SCRIPT" not in shown["elements"]
    assert shown["status"] == "没有找到包含这些词的报告。"


def test_the_search_page_offers_each_filter_with_its_counts(two_seasons: FixtureSite) -> None:
    page = (two_seasons.site / "index.html").read_text("utf-8")
    options = {
        name: re.findall(r'<option value="([^"]*)">', block)
        for name, block in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S)
    }

    assert list(options) == ["year", "topic", "industry", "district", "standard", "commendation"]
    assert options["year"] == ["", "2024", "2023"]
    assert '<option value="2024">2024（6）</option>' in page
    assert options["standard"] == ["", "GB/T 36001-2015", "GRI"]
    assert options["commendation"] == ["", "社会责任报告优秀企业", "绿色低碳优秀案例"]  # by kind
    assert "'wasm-unsafe-eval'" in page


def test_no_page_of_the_site_loads_anything_from_another_host(two_seasons: FixtureSite) -> None:
    other_host = re.compile(r"(?i)https?://|(?:src|href|action)\s*=\s*[\"']?//")
    pages = [p for p in two_seasons.site.rglob("*.html") if "pagefind" not in p.parts]

    assert [p.name for p in pages if other_host.search(p.read_text("utf-8"))] == []
    assert [
        p.name for p in pages if "<script" in p.read_text("utf-8") and p.name != "index.html"
    ] == []


def test_a_scanned_report_is_listed_but_counted_as_not_searchable(
    campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    pdfs = write_report_pdfs(campaign_2024, tmp_path / "in", [(1, "scanned"), (2, None)])
    header = catalogue_campaign(campaign_2024)
    entries = tuple(
        CatalogueEntry(slug=_slug(n), unit_name=f"上海测试{n:04d}科技有限公司") for n in (1, 2)
    )
    sources = {f"2024/{_slug(n)}": ReportSource(pdfs[n]) for n in (1, 2)}
    edition = CatalogueEdition(campaign=header, entries=entries)

    built = build_search_site([edition], tmp_path / "site", sources, {}, tmp_path / "cache")

    assert built.texts_missing == [f"2024/{_slug(1)}"]
    assert built.index_pages == 2
    page = (tmp_path / "site" / "text" / "2024" / f"{_slug(1)}.html").read_text("utf-8")
    assert "（本页没有可提取的文字）" in page
