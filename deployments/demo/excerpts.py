"""The demo's reviewers and office choose the excerpts of some commended cases, by the sheet.

After the meeting has approved the cases, the demo does what a campaign office does with
`campaign cases sheet` and `campaign cases import`: it writes the season's case excerpt sheet
into the workspace (the product's writer), fills in a choice for every other case that has a
passage a reviewer would quote (the first candidate the pre-screen found that is a whole
sentence, not a heading or a table row, on its page; a review expert for one, the organising
committee for the next) and imports the filled sheet through the product's import, so the
catalogue shows real chosen excerpts next to cases that have none. Demo code: product code
never imports it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from deployments.cli_cases import sheet_path
from schemas.campaign_file import CampaignFile
from schemas.case_excerpt_sheet import CASE_EXCERPTS
from schemas.case_excerpts import MAX_CHARS, ROLE_WORDS, ExcerptRole
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.commend.case_targets import CaseTarget, Passage, case_targets
from tasks.commend.excerpt_sheet import SheetImport, import_case_sheet, write_case_sheet
from tasks.store import campaign_session

__all__ = ["CHOOSERS", "choose_demo_excerpts", "demo_choices", "fill_sheet", "readable"]

CHOOSERS = (("陈评审", ExcerptRole.REVIEWER), ("组委会办公室", ExcerptRole.OPERATOR))
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")  # 三、 （一）
RUNNING_HEAD = re.compile(r"—\s*\d+\s*—")  # the page's header or footer (— 4 —) read along
FIGURE_SHARE = 0.3  # more digits and separators than this: a table row, not a sentence
FIRST_ROW = 2  # the sheet's first data row (under the header)


def readable(passage: Passage) -> bool:
    """Return whether a reviewer would quote a passage: a whole sentence (ends with 。), not
    starting at a section heading, without the page's running head, not a run of table
    figures. Pure."""
    figures = sum(1 for c in passage.text if c.isdigit() or c in " ,.%")
    return (
        passage.text.endswith("。")
        and not HEADING.match(passage.text)
        and not RUNNING_HEAD.search(passage.text)
        and figures <= len(passage.text) * FIGURE_SHARE
    )


def demo_choices(targets: list[CaseTarget]) -> list[tuple[int, Passage]]:
    """Return (row index, passage) for every other case that has a readable candidate passage
    (the first such passage), leaving out those chosen already; the same cases on every pass.
    Pure."""
    quotable = [
        (index, t, next(p for p in t.candidates if readable(p)))
        for index, t in enumerate(targets)
        if any(readable(p) for p in t.candidates)
    ]
    return [(index, passage) for index, t, passage in quotable[::2] if t.current is None]


def fill_sheet(path: Path, targets: list[CaseTarget]) -> int:
    """Fill `demo_choices` into the sheet's rows (page, text, chooser, role), a review expert
    and the office in turn, as they would; return how many. Writes `path`."""
    column = {c.header: i + 1 for i, c in enumerate(CASE_EXCERPTS.columns)}
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    choices = demo_choices(targets)
    for turn, (index, passage) in enumerate(choices):
        name, role = CHOOSERS[turn % len(CHOOSERS)]
        for header, value in (
            ("摘录页码", passage.page),
            ("摘录原文", passage.text[:MAX_CHARS]),
            ("选定人", name),
            ("身份", ROLE_WORDS[role]),
        ):
            cell = ws.cell(row=FIRST_ROW + index, column=column[header], value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # typed text, as Excel keeps a pasted passage
    wb.save(path)
    return len(choices)


def choose_demo_excerpts(settings: Settings, campaign: CampaignFile, day: date) -> SheetImport:
    """Write the case excerpt sheet, fill every other case's choice and import it; return the
    import's result. Side effects: the sheet in workspace/cases/<year>/, excerpt rows."""
    path = sheet_path(settings, campaign.year)
    with campaign_session(settings) as session:
        targets = case_targets(session, campaign)
    write_case_sheet(path, targets)
    fill_sheet(path, targets)
    with campaign_session(settings) as session:
        return import_case_sheet(
            session, path, case_targets(session, campaign), now_utc(), f"demo:{day.isoformat()}"
        )
