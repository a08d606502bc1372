"""The demo's reviewers and office choose the excerpts of some commended cases, by the sheet.

After the meeting has approved the cases, the demo does what a campaign office does with
`campaign cases sheet` and `campaign cases import`: it writes the season's case excerpt sheet
into the workspace (the product's writer), fills in a choice for every other case (the first
candidate passage the pre-screen found that does not start at a section heading, on its page;
a review expert for one, the organising committee for the next) and imports the filled sheet
through the product's import, so the catalogue shows real chosen excerpts next to cases that
have none. A case whose pre-screen found no passage is left empty, as a chooser would. Demo
code: product code never imports it.
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
from tasks.commend.case_targets import CaseTarget, case_targets
from tasks.commend.excerpt_sheet import SheetImport, import_case_sheet, write_case_sheet
from tasks.store import campaign_session

__all__ = ["CHOOSERS", "choose_demo_excerpts", "fill_sheet"]

CHOOSERS = (("陈评审", ExcerptRole.REVIEWER), ("组委会办公室", ExcerptRole.OPERATOR))
HEADING = re.compile(r"^[一二三四五六七八九十]+、")  # a passage that starts at a section heading
FIRST_ROW = 2  # the sheet's first data row (under the header)


def fill_sheet(path: Path, targets: list[CaseTarget]) -> int:
    """Fill a choice into every other case's row that has a candidate passage and no choice
    yet (page, text, chooser, role), as the reviewers would; return how many. Writes `path`."""
    column = {c.header: i + 1 for i, c in enumerate(CASE_EXCERPTS.columns)}
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    filled = 0
    for index, target in enumerate(targets):
        if index % 2 or not target.candidates or target.current is not None:
            continue
        passage = next(
            (p for p in target.candidates if not HEADING.match(p.text)), target.candidates[0]
        )
        name, role = CHOOSERS[filled % len(CHOOSERS)]
        row = FIRST_ROW + index
        for header, value in (
            ("摘录页码", passage.page),
            ("摘录原文", passage.text[:MAX_CHARS]),
            ("选定人", name),
            ("身份", ROLE_WORDS[role]),
        ):
            cell = ws.cell(row=row, column=column[header], value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # typed text, as Excel keeps a pasted passage
        filled += 1
    wb.save(path)
    return filled


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
