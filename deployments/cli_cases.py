"""`campaign cases sheet | import | choose`: choose the excerpt each commended case is shown with.

`cases sheet` writes the season's commended cases (unit, USCC, category, report version, the
pre-screen's candidate passages with their pages) to an xlsx inside the workspace with empty
摘录页码 / 摘录原文 / 选定人 / 身份 columns (filled with the current choice where there is one);
`cases import FILE` reads it back: every good row is stored as a new excerpt version, every bad
row is listed (file, row, column, reason) and written to a problems workbook in
workspace/reports/, and the command exits 1 when there was one. `cases choose USCC` makes one
choice from the shell. The rules are the commend stage's (tasks/commend/excerpts.py); each
command writes in one transaction. `register(app)` adds them to the main `campaign` app.
Importing this module does not import prefect.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from deployments.cli_common import check_campaign, migrated_settings, uscc_argument
from schemas.campaign_file import load_campaign_file
from schemas.case_excerpts import ROLE_WORDS, parse_role
from schemas.rejection import REPORT_COLUMNS, Rejection
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.commend.case_targets import case_targets
from tasks.commend.excerpt_sheet import import_case_sheet, write_case_sheet
from tasks.commend.excerpts import ChoiceStatus, ExcerptChoice, choose_excerpt
from tasks.common.spreadsheets import write_sheet
from tasks.store import campaign_session

console = Console()
cases_app = typer.Typer(
    help="优秀案例摘录：生成摘录表、导入选定结果、单条选定 / "
    "the excerpts commended cases are published with.",
    no_args_is_help=True,
)
YearOption = Annotated[
    int | None, typer.Option("--year", help="活动年度 / campaign year (default: the newest).")
]
REFUSED = 1
SHOWN_PROBLEMS = 30
OPTION_OF = {  # a refused choice's field -> the option that gave it
    "uscc": "USCC",
    "category_key": "--category",
    "report_version": "USCC",
    "page": "--page",
    "text": "--text",
    "chosen_by": "--by",
    "role": "--role",
    "reason": "--why",
}


def register(app: typer.Typer) -> None:
    """Add the `cases` commands to the `campaign` app."""
    app.add_typer(cases_app, name="cases")


def sheet_path(settings: Settings, year: int) -> Path:
    """Return where `cases sheet` writes by default: workspace/cases/<year>/. Pure."""
    return settings.inside_workspace("cases", str(year), f"优秀案例摘录表-{year}.xlsx")


@cases_app.command("sheet")
def sheet(
    year: YearOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="写到哪里 / where to write (default: workspace/cases/<year>/)"),
    ] = None,
) -> None:
    """生成本届优秀案例摘录表 / write the season's case excerpt sheet (xlsx)."""
    settings = migrated_settings()
    year = check_campaign(settings, year, console)
    campaign = load_campaign_file(settings.campaign_file(year))
    with campaign_session(settings) as session:
        targets = case_targets(session, campaign)
    path = write_case_sheet(out or sheet_path(settings, year), targets)
    chosen = sum(1 for t in targets if t.current is not None)
    console.print(
        f"已写入 wrote {escape(str(path))}: {len(targets)} 个优秀案例 cases, "
        f"{chosen} 个已选定摘录 with an excerpt chosen",
        soft_wrap=True,
    )


def problem_lines(rejections: Sequence[Rejection]) -> list[str]:
    """Return the first problems, one line each: file, row, column, code and reasons. Pure."""
    lines = [
        f"  {r.file} 第 {r.row} 行 row {r.row} 【{r.column}】 ({r.code}): "
        f"{r.reason_zh} / {r.reason_en}"
        if r.row is not None
        else f"  {r.file} ({r.code}): {r.reason_zh} / {r.reason_en}"
        for r in rejections[:SHOWN_PROBLEMS]
    ]
    if len(rejections) > SHOWN_PROBLEMS:
        lines.append(f"  … 另有 {len(rejections) - SHOWN_PROBLEMS} 条 more")
    return lines


def _report_path(settings: Settings, year: int) -> Path:
    """Return a new problems workbook path under workspace/reports/ (timestamped)."""
    stamp = datetime.now(ZoneInfo(settings.timezone)).strftime("%Y%m%d-%H%M%S")
    return settings.inside_workspace("reports", f"cli-cases-import-{year}-{stamp}", "问题.xlsx")


@cases_app.command("import")
def import_sheet(
    file: Annotated[Path, typer.Argument(help="填好的摘录表 / the filled-in sheet (xlsx)")],
    year: YearOption = None,
) -> None:
    """导入摘录表：合格行保存，问题行列出 / store the sheet's choices, list the bad rows."""
    settings = migrated_settings()
    year = check_campaign(settings, year, console)
    campaign = load_campaign_file(settings.campaign_file(year))
    with campaign_session(settings) as session:
        targets = case_targets(session, campaign)
        done = import_case_sheet(session, file, targets, now_utc(), f"cli:{getpass.getuser()}")
    for target, version in done.stored:
        console.print(
            f"已保存 stored: {escape(target.unit_name)} ({target.uscc}) {escape(target.title)} "
            f"第 {version} 版 version {version}",
            soft_wrap=True,
        )
    console.print(
        f"保存 {len(done.stored)} 条 stored, 未变 {done.unchanged} unchanged, "
        f"未填 {done.skipped} left empty, 问题 {len(done.rejections)} problems",
        highlight=False,
    )
    if done.rejections:
        headers = [f"{zh} ({key})" for key, zh in REPORT_COLUMNS]
        rows = [[r.as_record()[key] for key, _ in REPORT_COLUMNS] for r in done.rejections]
        report = write_sheet(_report_path(settings, year), headers, rows, title="rejections")
        for line in problem_lines(done.rejections):
            console.print(escape(line), soft_wrap=True, highlight=False)
        console.print(f"问题清单 problems workbook: {escape(str(report))}", soft_wrap=True)
        raise typer.Exit(REFUSED)


@cases_app.command("choose")
def choose(
    uscc: Annotated[str, typer.Argument(help="单位的统一社会信用代码 / the unit's USCC")],
    page: Annotated[int, typer.Option("--page", min=1, help="摘录所在页 / the report page")],
    text: Annotated[str, typer.Option("--text", help="摘录原文 / the excerpt, as on the page")],
    by: Annotated[str, typer.Option("--by", help="选定人姓名 / who chose it (name)")],
    role: Annotated[str, typer.Option("--role", help="reviewer (评审专家) | operator (组委会)")],
    category: Annotated[
        str, typer.Option("--category", help="类别代码，单位有多个案例时必填 / category key")
    ] = "",
    why: Annotated[
        str, typer.Option("--why", help="更换理由（已有摘录时必填）/ why it replaces one")
    ] = "",
    year: YearOption = None,
) -> None:
    """为一个优秀案例选定摘录 / choose the excerpt of one commended case."""
    chosen_role = parse_role(role)
    if chosen_role is None:
        raise typer.BadParameter("--role 应为 reviewer (评审专家) 或 operator (组委会)")
    settings = migrated_settings()
    year = check_campaign(settings, year, console)
    campaign = load_campaign_file(settings.campaign_file(year))
    choice = ExcerptChoice(
        uscc=uscc_argument(uscc),
        page=page,
        text=text,
        chosen_by=by,
        role=chosen_role,
        category_key=category.strip(),
        reason=why,
        source="cli",
        recorded_by=f"cli:{getpass.getuser()}",
    )
    with campaign_session(settings) as session:
        done = choose_excerpt(session, case_targets(session, campaign), choice, now_utc())
    case = f"{choice.uscc} {category}".strip()
    if done.status == ChoiceStatus.REFUSED and done.problem is not None:
        console.print(
            f"[red]未保存 refused[/red] {case} ({OPTION_OF.get(done.column, done.column)}, "
            f"{done.problem.code}): {escape(done.problem.reason_zh)} / "
            f"{escape(done.problem.reason_en)}",
            soft_wrap=True,
        )
        raise typer.Exit(REFUSED)
    assert done.excerpt is not None
    assert done.target is not None
    word = "已保存 stored" if done.status == ChoiceStatus.STORED else "未变 unchanged"
    console.print(
        f"{word}: {escape(done.target.unit_name)} {escape(done.target.title)} "
        f"第 {done.excerpt.version} 版 version {done.excerpt.version}, "
        f"第 {done.excerpt.page} 页 page {done.excerpt.page}, "
        f"{ROLE_WORDS[done.excerpt.role]}选定 / chosen by {escape(done.excerpt.chosen_by)}: "
        f"“{escape(done.excerpt.text)}”",
        soft_wrap=True,
    )
