"""Build the public catalogue: a static HTML site of the released reports, in one folder.

`build_catalogue` renders index.html (search box, filters by industry, district, association and
topic, the count of reports shown, the commended section), one page per report under
reports/<slug>.html, copies each report PDF to pdf/<slug>.pdf and writes assets/site.css and
assets/catalogue.js. Every link is relative and nothing is loaded from another host, so the site
opens from the file system and from any static web server. Every card is rendered on the server
(the site reads fine with JavaScript off); the script only hides cards that do not match the
filters. The data the script filters on is embedded in the page as JSON (fetch() of a file fails
under file://), escaped so that no value can close its <script> element.

Jinja2 autoescapes every value. Output is deterministic (entries sorted, JSON keys sorted): a
re-build of unchanged data rewrites no file. Files are replaced atomically and only when their
bytes change; PDFs are copied only when their size or modification time changed; pages and PDFs
of reports no longer listed are removed. This module reads no database and sends nothing.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from schemas.catalogue import CatalogueCampaign, CatalogueCommendation, CatalogueEntry
from tasks.release.catalogue.files import copy_if_changed, remove_unlisted, write_if_changed

__all__ = ["CatalogueBuild", "DuplicateSlug", "build_catalogue", "environment", "script_json"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
ASSETS = ("site.css", "catalogue.js", "verify.js")
REGISTER_PAGE = "verify.html"  # the certificate register (tasks/release/catalogue/register.py)
WRITERS = 8  # threads writing files (see build_catalogue)
KIND_ORDER = {"excellent_unit": 0, "case": 1, "speaker": 2}
# Characters that could end a <script> element or start markup inside it, and the two line
# separators old parsers treat as newlines: written as JSON \u escapes.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


class DuplicateSlug(ValueError):
    """Two catalogue entries have the same slug (they would share one page)."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(f"two catalogue entries have the slug {slug!r}")


class CatalogueBuild(BaseModel):
    """What one build of the catalogue wrote: where, how many reports, which files changed."""

    model_config = ConfigDict(frozen=True)

    site_dir: str
    index: str
    reports: int
    commended: int  # reports with at least one approved commendation
    pdfs_linked: int
    pdfs_copied: int  # copied this time (new or changed)
    files_written: int  # HTML, CSS and JS files whose bytes changed
    files_unchanged: int
    files_removed: int  # pages and PDFs of reports no longer listed


def script_json(value: Any) -> Markup:
    """Return `value` as compact, key-sorted JSON that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_ESCAPES))  # safe: every < > & is escaped above


def search_text(entry: CatalogueEntry) -> str:
    """Return the lower-case, NFKC-normalised text the search box matches against; pure."""
    parts = [
        entry.unit_name,
        entry.report_title,
        entry.industry,
        entry.district,
        entry.ownership,
        entry.grade,
        entry.certificate_number,
        *entry.associations,
        *entry.topics,
        *(c.title for c in entry.commendations),
        *(c.case_title for c in entry.commendations),
    ]
    return unicodedata.normalize("NFKC", " ".join(p for p in parts if p)).lower()


def filter_record(entry: CatalogueEntry) -> dict[str, Any]:
    """Return the values the page script filters one card by; pure."""
    return {
        "slug": entry.slug,
        "industry": entry.industry,
        "district": entry.district,
        "associations": list(entry.associations),
        "topics": list(entry.topics),
        "text": search_text(entry),
    }


def filter_options(values: Iterable[str], order: Sequence[str] = ()) -> list[tuple[str, int]]:
    """Return (value, reports) for a filter's options: `order` first, then the rest sorted."""
    counts = Counter(v for v in values if v)
    known = [v for v in order if v in counts]
    rest = sorted(v for v in counts if v not in set(order))
    return [(v, counts[v]) for v in [*known, *rest]]


def commended_groups(
    entries: Sequence[CatalogueEntry],
) -> list[tuple[str, list[tuple[CatalogueEntry, CatalogueCommendation]]]]:
    """Return the commended section: (title, [(entry, commendation)]) by kind, title, rank."""
    groups: dict[tuple[int, str], list[tuple[CatalogueEntry, CatalogueCommendation]]] = defaultdict(
        list
    )
    for entry in entries:
        for c in entry.commendations:
            groups[(KIND_ORDER.get(c.kind, len(KIND_ORDER)), c.title)].append((entry, c))
    return [
        (title, sorted(items, key=lambda ec: (ec[1].rank, ec[0].sort_key())))
        for (_kind, title), items in sorted(groups.items())
    ]


def megabytes(size: int | None) -> str:
    """Return a file size in MB with one decimal (at least 0.1), or "" when unknown."""
    if size is None:
        return ""
    return f"{max(size / 1_000_000, 0.1):.1f} MB"


@functools.cache
def environment() -> jinja2.Environment:
    """Return the Jinja environment of the catalogue templates (autoescape, strict)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["megabytes"] = megabytes
    return env


def render_index(
    campaign: CatalogueCampaign,
    entries: Sequence[CatalogueEntry],
    with_pdf: frozenset[str],
    register: bool = False,
) -> str:
    """Return the catalogue's index page (`register`: link the certificate register); pure."""
    return (
        environment()
        .get_template("index.html")
        .render(
            campaign=campaign,
            root="",
            register=register,
            total=len(entries),
            entries=entries,
            with_pdf=with_pdf,
            industries=filter_options(e.industry for e in entries),
            districts=filter_options(e.district for e in entries),
            associations=filter_options(a for e in entries for a in e.associations),
            topics=filter_options((t for e in entries for t in e.topics), campaign.topics),
            commended=commended_groups(entries),
            commended_units=sum(1 for e in entries if e.commendations),
            data=script_json([filter_record(e) for e in entries]),
        )
    )


def render_report(
    campaign: CatalogueCampaign, entry: CatalogueEntry, has_pdf: bool, register: bool = False
) -> str:
    """Return one report's page (`register`: link the certificate register); pure."""
    extra = [t for t in entry.topics if t not in campaign.topics]
    return (
        environment()
        .get_template("report.html")
        .render(
            campaign=campaign,
            root="../",
            register=register,
            entry=entry,
            has_pdf=has_pdf,
            topics=[(t, t in entry.topics) for t in [*campaign.topics, *extra]],
        )
    )


def build_catalogue(
    campaign: CatalogueCampaign,
    entries: Sequence[CatalogueEntry],
    site_dir: Path,
    pdf_sources: Mapping[str, Path],
    register_page: str = "",
) -> CatalogueBuild:
    """Write the catalogue site for `entries` into `site_dir`; return what was written.

    Side effects: writes index.html, reports/<slug>.html, assets/* and copies each PDF of
    `pdf_sources` (slug -> file) to pdf/<slug>.pdf, each only when changed; removes pages and
    PDFs of slugs no longer listed. Raises DuplicateSlug when two entries share a slug.
    """
    ordered = sorted(entries, key=CatalogueEntry.sort_key)
    slugs = [e.slug for e in ordered]
    repeated = [s for s, n in Counter(slugs).items() if n > 1]
    if repeated:
        raise DuplicateSlug(sorted(repeated)[0])
    with_pdf = frozenset(s for s in slugs if s in pdf_sources)
    linked = bool(register_page)
    pages = {site_dir / "index.html": render_index(campaign, ordered, with_pdf, linked)}
    for entry in ordered:
        html = render_report(campaign, entry, entry.slug in with_pdf, linked)
        pages[site_dir / "reports" / f"{entry.slug}.html"] = html
    if register_page:
        pages[site_dir / REGISTER_PAGE] = register_page
    files = {path: html.encode("utf-8") for path, html in pages.items()}
    for name in ASSETS:
        files[site_dir / "assets" / name] = (TEMPLATES / name).read_bytes()
    for folder in {path.parent for path in files} | {site_dir / "pdf"}:
        folder.mkdir(parents=True, exist_ok=True)
    # Creating thousands of files is bound by the file system's latency, not by this process:
    # a few threads overlap it. Each file is written by one thread; the content is fixed above.
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        written = sum(pool.map(write_if_changed, files, files.values()))
        copied = sum(
            pool.map(
                copy_if_changed,
                [pdf_sources[slug] for slug in sorted(with_pdf)],
                [site_dir / "pdf" / f"{slug}.pdf" for slug in sorted(with_pdf)],
            )
        )
    removed = remove_unlisted(site_dir / "reports", ".html", set(slugs))
    removed += remove_unlisted(site_dir / "pdf", ".pdf", set(with_pdf))
    return CatalogueBuild(
        site_dir=str(site_dir),
        index=str(site_dir / "index.html"),
        reports=len(ordered),
        commended=sum(1 for e in ordered if e.commendations),
        pdfs_linked=len(with_pdf),
        pdfs_copied=copied,
        files_written=written,
        files_unchanged=len(files) - written,
        files_removed=removed,
    )
