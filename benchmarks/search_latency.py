"""First-result latency of the knowledge base's search in headless Chromium (benchmarks/search.py).

Over http from 127.0.0.1 with the browser cache off, for each query: `cold` = navigation of
index.html?q=TERM to the first result shown; `warm` = the query submitted in a page whose search
is ready, to its first result shown; `baseline_warm` = Pagefind's own search() and first data()
on the page's merged shards; `one_index_warm` = the same on the single index built beside them.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
from pathlib import Path
from typing import Any

from browserkit import (  # type: ignore[import-not-found]  # (tests/, not a package)
    DevtoolsPage,
    chromium_binary,
    drive_page,
    serve_folder,
)

QUERIES = ("碳达峰", "新质生产力", "员工关爱")
ONE_INDEX = "pagefind-one"  # the single index of search.py's pagefind_baseline, in the site


def load() -> float:
    """Return the 1-minute load average (what else ran beside a timing)."""
    return round(os.getloadavg()[0], 2)


FIRST_SHOWN = """(() => {
  const l = document.getElementById('kb-results');
  return l && l.dataset.state === 'done' && (l.dataset.firstAt || '-1');
})()"""
READY = (
    "(() => { const l = document.getElementById('kb-results'); return l && l.dataset.ready; })()"
)
OURS_WARM = """(async () => {
  const l = document.getElementById('kb-results');
  const f = document.getElementById('kb-search');
  f.elements.namedItem('q').value = %s;
  f.dispatchEvent(new Event('submit', {cancelable: true}));
  const t = performance.now();
  while (!(l.dataset.state === 'done' && l.dataset.first) && performance.now() - t < 60000) {
    await new Promise(r => setTimeout(r, 2));
  }
  return Number(l.dataset.first || -1);
})()"""
BASELINE_WARM = """(async () => {
  const shards = document.getElementById('kb-search').dataset.index.split(' ');
  const pf = await import('./pagefind/' + shards[0] + '/pagefind.js');  // the page's, merged
  const t = performance.now();
  const s = await pf.search(%s);
  if (s.results.length) { await s.results[0].data(); }
  return performance.now() - t;
})()"""
ONE_INDEX_WARM = BASELINE_WARM.replace(
    "'./pagefind/' + shards[0] + '/pagefind.js');  // the page's, merged",
    f"'./{ONE_INDEX}/pagefind.js');  // another module: its own instance",
)


def latency(chromium: str, base: str, query: str, baseline_first: bool) -> dict[str, float]:
    """Return the cold, warm and baseline first-result latencies (ms) of `query` in a new
    browser with its cache off (every page load fetches the index again); the warm three run in
    the order given (runs alternate it)."""

    async def run(page: DevtoolsPage) -> dict[str, float]:
        await page.call("Network.enable")
        await page.call("Network.setCacheDisabled", cacheDisabled=True)
        await page.call("Page.navigate", url=f"{base}index.html?q={query}")
        cold = float(await page.wait_for(FIRST_SHOWN, 120))
        found: dict[str, float] = {"cold": cold}
        order = [
            ("baseline_warm", BASELINE_WARM),
            ("one_index_warm", ONE_INDEX_WARM),
            ("warm", OURS_WARM),
        ]
        for key, script in order if baseline_first else order[::-1]:
            await page.call("Page.navigate", url=f"{base}index.html")
            await asyncio.sleep(0.2)  # the old page's flag is not read as the new one's
            await page.wait_for(READY, 120)
            found[key] = float(await page.evaluate(script % json.dumps(query)))
        return found

    result: dict[str, float] = drive_page(chromium, run)
    return result


def latencies(site: Path, runs: int) -> dict[str, Any]:
    """Return the median cold, warm and baseline latencies (ms) of each query."""
    chromium = chromium_binary()
    found: dict[str, Any] = {"load_before": load()}
    with serve_folder(site) as base:
        for query in QUERIES:
            samples = [latency(chromium, base, query, i % 2 == 0) for i in range(runs)]
            found[query] = {
                key: round(statistics.median(s[key] for s in samples), 1)
                for key in ("cold", "warm", "baseline_warm", "one_index_warm")
            }
    return found
