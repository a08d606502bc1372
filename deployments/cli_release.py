"""`campaign verify`: tell whether a release certificate is genuine and unchanged.

Give a certificate number (SHCSR-<year>-<sequence>-<check digit>) to check the issued file in the
workspace, or a PDF file someone sent to check those exact bytes. Exit code 0 only for a genuine,
unchanged certificate; 1 for tampered, missing or unknown. `register(app)` adds the command to the
main `campaign` app. Importing this module does not import prefect.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from deployments.cli_common import migrated_settings
from tasks.release.certificates.verify import Verdict, verify_certificate

console = Console()
COLOURS = {
    Verdict.GENUINE: "green",
    Verdict.TAMPERED: "red",
    Verdict.MISSING: "red",
    Verdict.UNKNOWN: "yellow",
}


def register(app: typer.Typer) -> None:
    """Add the `verify` command to the `campaign` app."""
    app.command("verify")(verify)


def verify(
    target: Annotated[
        str, typer.Argument(help="A certificate number (SHCSR-...) or the path of a PDF file.")
    ],
    year: Annotated[
        int | None, typer.Option("--year", help="Only certificates of this campaign year.")
    ] = None,
) -> None:
    """Verify a release certificate by number or file; exit 1 unless genuine and unchanged."""
    settings = migrated_settings()
    result = verify_certificate(settings, year, target)
    colour = COLOURS[result.verdict]
    console.print(f"[{colour}]{result.verdict.value}[/{colour}]: {result.detail}")
    if result.number is not None:
        console.print(f"  number      {result.number}")
    if result.unit_name is not None:
        console.print(f"  unit        {result.unit_name}")
    if result.issued_on is not None:
        console.print(f"  issued on   {result.issued_on.isoformat()}")
    if not result.genuine:
        raise typer.Exit(1)
