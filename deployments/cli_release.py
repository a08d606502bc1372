"""`campaign verify`: tell whether a release certificate is genuine, superseded or tampered.

Give a certificate number (SHCSR-<year>-<sequence>-<check digit>) to check the issued file in the
workspace, or a PDF file someone sent to check those exact bytes. Each answer has its own exit
code (`EXIT_CODES`, listed in `campaign verify --help`); only the current, unchanged certificate
exits 0. `register(app)` adds the command to the main `campaign` app. Importing this module does
not import prefect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from deployments.cli_common import existing_campaign_settings
from tasks.release.certificates.verify import (
    Verdict,
    Verification,
    number_from_scan,
    verify_certificate,
)

console = Console()
COLOURS = {
    Verdict.GENUINE: "green",
    Verdict.SUPERSEDED: "yellow",
    Verdict.TAMPERED: "red",
    Verdict.MISSING: "red",
    Verdict.UNKNOWN: "red",
}
WORDS = {
    Verdict.GENUINE: "真实有效",
    Verdict.SUPERSEDED: "已被替换",
    Verdict.TAMPERED: "内容不符",
    Verdict.MISSING: "文件缺失",
    Verdict.UNKNOWN: "无法识别",
}
# 2 is click's own code for a usage error, so no verdict uses it.
EXIT_CODES = {
    Verdict.GENUINE: 0,
    Verdict.TAMPERED: 1,
    Verdict.SUPERSEDED: 3,
    Verdict.UNKNOWN: 4,
    Verdict.MISSING: 5,
}


MISSING_INPUT = 7  # the file named on the command line does not exist


def looks_like_a_file(target: str) -> bool:
    """Return whether `target` names a file rather than a certificate number. Pure."""
    return target.lower().endswith(".pdf") or "/" in target or "\\" in target


def register(app: typer.Typer) -> None:
    """Add the `verify` command to the `campaign` app."""
    app.command("verify")(verify)


def verify(
    target: Annotated[
        str,
        typer.Argument(
            help="证书编号（SHCSR-...）、证书二维码内容或 PDF 文件路径 / a certificate number, "
            "what its QR code holds, or a PDF."
        ),
    ],
    year: Annotated[
        int | None, typer.Option("--year", help="只查该年度的证书 / only this campaign year.")
    ] = None,
) -> None:
    """核验发布证书（按编号或文件） / Verify a release certificate by number or by file.

    \b
    退出码 / exit codes:
      0  真实有效 genuine: the unit's current certificate, unchanged
      1  内容不符 tampered: claims a number we issued, but differs from every issue
      3  已被替换 superseded: a real earlier issue; the answer names the newer number and date
      4  无法识别 unknown: not a number or file we issued
      5  文件缺失 missing: a number we issued whose stored file is gone
      6  这个工作目录还没有活动数据库 no campaign database in the workspace (see --workspace)
      7  找不到文件 the PDF named does not exist
    """
    target = number_from_scan(target)  # what a certificate's QR code holds is accepted as is
    if looks_like_a_file(target) and not Path(target).expanduser().is_file():
        console.print(
            f"[red]找不到文件[/red] no such file: {escape(target)} "
            "（请检查路径；证书编号形如 SHCSR-2024-00001-7 / check the path; a number looks "
            "like SHCSR-2024-00001-7）",
            soft_wrap=True,
        )
        raise typer.Exit(MISSING_INPUT)
    settings = existing_campaign_settings(console)
    result = verify_certificate(settings, year, target)
    show(result)
    code = EXIT_CODES[result.verdict]
    if code:
        raise typer.Exit(code)


def show(result: Verification) -> None:
    """Print a verification: the verdict (Chinese first), what was found, the issue's fields."""
    colour = COLOURS[result.verdict]
    word = WORDS[result.verdict]
    console.print(
        f"[{colour}]{word} {result.verdict.value}[/{colour}]: {escape(result.detail)}",
        soft_wrap=True,
    )
    rows = (
        ("证书编号 number     ", result.number),
        ("单位 unit           ", result.unit_name),
        ("签发日期 issued on  ", result.issued_on and result.issued_on.isoformat()),
        ("替换为 replaced by  ", result.superseded_by),
        ("新证书签发 issued on", result.superseded_on and result.superseded_on.isoformat()),
    )
    for label, value in rows:
        if value:
            console.print(f"  {label} {escape(value)}", soft_wrap=True)
