"""`campaign search TERM`: find what the released reports say, page by page, across years.

Prints the best pages (unit, USCC, year, page) with an excerpt whose hits are highlighted; the
text around them is escaped, so a report's or an operator's brackets never become markup. Backed
by the database's full-text index over the released reports (tasks/release/search.py). Read-only:
a workspace without a database is reported (exit 6), never created. Exit 1 when nothing matched.
`register(app)` adds the command to the main `campaign` app; importing this module does not
import prefect.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from deployments.cli_common import existing_campaign_settings
from tasks.release.search import Excerpt, SearchHit, SearchQuery, search_pages, words_of
from tasks.store import campaign_session

console = Console()
NOTHING_FOUND = 1


def register(app: typer.Typer) -> None:
    """Add the `search` command to the `campaign` app."""
    app.command("search")(search)


def marked(excerpt: Excerpt) -> str:
    """Return the excerpt as rich markup: hits in bold yellow, every text escaped. Pure."""
    return "".join(
        f"[bold yellow]{escape(text)}[/bold yellow]" if hit else escape(text)
        for text, hit in excerpt.segments
    )


def hit_heading(number: int, hit: SearchHit) -> str:
    """Return a hit's first line as rich markup: rank, year, unit, USCC, page. Pure."""
    return (
        f"[bold]{number}.[/bold] {hit.year}年 {escape(hit.unit_name)} ({hit.uscc}) "
        f"第{hit.page}页 page {hit.page}"
    )


def search(
    term: Annotated[
        str,
        typer.Argument(
            help="要查找的词（多个词用空格分开，须同时出现）/ "
            "the words to find (all must be on the page)"
        ),
    ],
    year: Annotated[
        int | None, typer.Option("--year", help="只查该届 / campaign year only")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic", help="议题（名称或代码，如 员工关爱 或 employee_care）/ topic name or key"
        ),
    ] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="行业，如 制造业 / the unit's industry")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="最多显示 / at most")] = 10,
) -> None:
    """在已发布报告中检索 / search the released reports' text (exit 1 when nothing matched)."""
    words = words_of(term)
    if not words:
        raise typer.BadParameter("请给出要查找的词 / give a word to search for")
    settings = existing_campaign_settings(console)
    query = SearchQuery(words, year=year, topic=topic, industry=industry, limit=limit)
    with campaign_session(settings) as session:
        hits = search_pages(session, query)
    if not hits:
        console.print(
            f"未找到 “{escape(term)}” / nothing found for {escape(term)!r} "
            "（只检索已发布的报告 / only released reports are searched）",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(NOTHING_FOUND)
    for number, hit in enumerate(hits, start=1):
        console.print(hit_heading(number, hit), highlight=False, soft_wrap=True)
        console.print("   " + marked(hit.excerpt), highlight=False, soft_wrap=True)
    console.print(f"显示 {len(hits)} 条 / {len(hits)} shown", highlight=False)
