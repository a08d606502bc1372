"""The index in shards: the plan puts every text page in exactly one shard of its year, as many
shards as the size asks, the same shard whatever else changes; `index_shards` runs Pagefind only
for the shards that changed and removes the rest; and in headless Chromium the search page
merging many shards finds what one index finds."""

from __future__ import annotations

import json
import math
import shutil
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

from browserkit import DevtoolsPage, drive_page, serve_folder
from hypothesis import given, settings
from hypothesis import strategies as st
from sitekit import FixtureSite

from tasks.release.catalogue.search_index import (
    MANIFEST,
    index_shards,
    remove_unplanned,
    shard_plan,
)
from tasks.release.catalogue.search_pages import render_search_page

SLUGS = st.text(alphabet="0123456789abcdefghjklmnpqrtuwxy", min_size=18, max_size=18)
YEARS = st.dictionaries(st.integers(2020, 2030), st.sets(SLUGS, max_size=60), max_size=4)


@settings(max_examples=60, deadline=None)
@given(years=YEARS, size=st.integers(1, 25))
def test_the_plan_puts_every_page_in_one_shard_of_its_year(
    years: dict[int, set[str]], size: int
) -> None:
    plan = shard_plan(years, size)

    every = [page for pages in plan.values() for page in pages]
    wanted = [f"text/{y}/{s}.html" for y, slugs in years.items() for s in slugs]
    assert sorted(every) == sorted(wanted)
    for name, pages in plan.items():
        year = name.split("-")[0]
        assert pages
        assert all(p.startswith(f"text/{year}/") for p in pages)
        assert list(pages) == sorted(pages)
    per_year = Counter(name.split("-")[0] for name in plan)
    for year, slugs in years.items():
        assert per_year[str(year)] <= max(1, math.ceil(len(slugs) / size))
        assert (per_year[str(year)] > 0) == bool(slugs)
    assert [int(n.split("-")[0]) for n in plan] == sorted(
        (int(n.split("-")[0]) for n in plan), reverse=True
    )


@settings(max_examples=40, deadline=None)
@given(years=YEARS, other=st.sets(SLUGS, min_size=1, max_size=30))
def test_a_reports_shard_does_not_move_when_another_year_changes(
    years: dict[int, set[str]], other: set[str]
) -> None:
    before = shard_plan(years, 7)
    after = shard_plan({**years, 2031: other}, 7)

    assert {n: p for n, p in after.items() if not n.startswith("2031-")} == before


def test_a_year_larger_than_the_size_is_split_evenly_enough() -> None:
    slugs = {f"{n:018d}" for n in range(4000)}

    plan = shard_plan({2024: slugs}, 1000)

    assert list(plan) == ["2024-0", "2024-1", "2024-2", "2024-3"]
    assert all(800 < len(pages) < 1200 for pages in plan.values())


def _copy(two_seasons: FixtureSite, root: Path) -> Path:
    """Copy the fixture's site without its index."""
    site = root / "site"
    shutil.copytree(two_seasons.site, site, ignore=shutil.ignore_patterns("pagefind"))
    return site


def test_only_changed_shards_are_indexed_again_and_unplanned_ones_go(
    two_seasons: FixtureSite, tmp_path: Path
) -> None:
    site = _copy(two_seasons, tmp_path)
    years = {ed.campaign.year: [e.slug for e in ed.entries] for ed in two_seasons.editions}
    plan = shard_plan(years, 2)

    first = index_shards(site, plan, set())
    again = index_shards(site, plan, set())
    one = next(iter(plan))
    changed = index_shards(site, plan, {plan[one][0]})
    fewer = shard_plan(years, 1000)
    merged = index_shards(site, fewer, set())
    kept_until_removed = sorted(p.name for p in (site / "pagefind").iterdir())
    removed = remove_unplanned(site, fewer)

    assert first is not None
    assert (first.shards, first.pages) == (len(plan), 10)
    assert again is None
    assert changed is not None
    assert (changed.shards, changed.pages) == (1, len(plan[one]))
    moved = [name for name in fewer if plan.get(name) != fewer[name]]  # 2024's shards merged
    assert moved
    assert merged is not None
    assert (merged.shards, merged.pages) == (len(moved), sum(len(fewer[n]) for n in moved))
    assert kept_until_removed == sorted({*plan, *fewer, MANIFEST})  # the old page names them
    assert removed == len(set(plan) - set(fewer))
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == sorted([*fewer, MANIFEST])
    recorded = json.loads((site / "pagefind" / MANIFEST).read_text("utf-8"))["shards"]
    assert recorded == {name: list(pages) for name, pages in fewer.items()}
    assert not list(site.glob(".pagefind-*"))


DONE = (
    "(() => { const l = document.getElementById('kb-results');"
    " return l && ['done', 'error'].includes(l.dataset.state) && l.dataset.state; })()"
)
SHOWN = """JSON.stringify({
  state: document.getElementById('kb-results').dataset.state,
  units: [...document.querySelectorAll('#kb-results .kb-result h2 a')].map(a => a.textContent),
  pages: [...document.querySelectorAll('#kb-results .kb-hits a.page')].length,
})"""


def test_chromium_finds_across_many_shards_what_the_texts_say(
    chromium: str, two_seasons: FixtureSite, tmp_path: Path
) -> None:
    site = _copy(two_seasons, tmp_path)
    years = {ed.campaign.year: [e.slug for e in ed.entries] for ed in two_seasons.editions}
    plan = shard_plan(years, 2)
    index_shards(site, plan, set())
    (site / "index.html").write_text(render_search_page(two_seasons.editions, list(plan)))
    term = "碳达峰"
    texts = two_seasons.texts
    expected = sorted(two_seasons.names[k.split("/")[1]] for k, t in texts.items() if term in t)
    assert len(plan) >= 3
    assert expected

    async def run(page: DevtoolsPage) -> Any:
        with serve_folder(site) as base:
            await page.call("Page.navigate", url=base + "index.html?q=" + urllib.parse.quote(term))
            await page.wait_for(DONE)
            return json.loads(await page.evaluate(SHOWN))

    shown = drive_page(chromium, run)

    assert shown["state"] == "done"
    assert sorted(shown["units"]) == expected
    assert shown["pages"] >= len(expected)
