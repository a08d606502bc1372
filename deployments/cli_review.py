"""`campaign review absent` and `campaign review redecide`: an operator's word on the review.

`review absent` records an expert absent for a round (for one report, or all that expert's
reports of the round): no sheet will come, so the round is decided without them (the same as a
row of inbox/<year>/review/absent.xlsx). `review redecide` makes a new decided version of a
report's newest decided round (the live outcome's values, or the decision given) with who and
why, moves the status only as the machine allows, and queues the corrected feedback letter
(更正); `campaign outbox deliver` or the next review run sends it. Both write in one transaction
and print what they did, Chinese first; a refusal exits 1 with its reason. `register(app)` adds
them to the main `campaign` app. Importing this module does not import prefect.
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console
from sqlmodel import col, select

from deployments.cli_common import (
    business_day,
    check_campaign,
    migrated_settings,
    uscc_argument,
)
from schemas.campaign_file import load_campaign_file
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Unit
from tasks.common.fonts import choose_font
from tasks.review.absence import AbsenceRequest, NoSuchAbsence, mark_absent
from tasks.review.letter_pdf import LetterFiles
from tasks.review.redecide import Redecision, RedecisionRefused, redecide
from tasks.review.rules import TARGETS, Decision
from tasks.store import campaign_session

console = Console()
review_app = typer.Typer(
    help="评审：登记专家缺席，或重新决定一份报告 / the review: an expert absent, decide again.",
    no_args_is_help=True,
)
YearOption = Annotated[
    int | None, typer.Option("--year", help="活动年度 / campaign year (default: the newest).")
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="业务日期 / business date YYYY-MM-DD (default: today)."),
]
RoundOption = Annotated[
    int | None, typer.Option("--round", min=0, help="Review round (0 = first).")
]
WhyOption = Annotated[str, typer.Option("--why", help="Why (recorded, and told to the unit).")]


def register(app: typer.Typer) -> None:
    """Add the `review` commands to the `campaign` app."""
    app.add_typer(review_app, name="review")


@review_app.command("absent")
def absent(
    expert: Annotated[str, typer.Option("--expert", help="The expert's email address.")],
    why: WhyOption,
    uscc: Annotated[
        str | None, typer.Option("--uscc", help="Only this unit's report (default: all).")
    ] = None,
    review_round: RoundOption = None,
    year: YearOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Record an expert absent for a round; the round is decided without their sheet."""
    settings = migrated_settings()
    year = check_campaign(settings, year, console)
    request = AbsenceRequest(
        expert, review_round or 0, (uscc_argument(uscc),) if uscc else (), why.strip()
    )
    if not request.reason:
        raise typer.BadParameter("请写明原因 --why must say why")
    with campaign_session(settings) as session:
        try:
            n = mark_absent(
                session, year, request, f"cli:{getpass.getuser()}", business_day(as_of, settings)
            )
        except NoSuchAbsence as exc:
            console.print(f"[red]未登记 not recorded[/red]: {exc.reason_zh} ({exc.reason_en})")
            raise typer.Exit(1) from None
    console.print(f"已登记缺席 recorded absent: {n} 份报告 reports (round {request.round})")


@review_app.command("redecide")
def redecide_command(
    uscc: Annotated[str, typer.Option("--uscc", help="The unit's USCC.")],
    by: Annotated[str, typer.Option("--by", help="Who decides (name, recorded).")],
    why: WhyOption,
    decision: Annotated[
        str | None,
        typer.Option("--decision", help="pass | revise | reject (default: the live outcome's)."),
    ] = None,
    review_round: RoundOption = None,
    year: YearOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Decide a report's newest decided round again: a new version and a corrected letter."""
    if decision is not None and decision not in TARGETS:
        raise typer.BadParameter(f"决定只能是 --decision must be one of {', '.join(TARGETS)}")
    if not by.strip() or not why.strip():
        raise typer.BadParameter("请填写决定人和原因 --by and --why must not be empty")
    settings = migrated_settings()
    year = check_campaign(settings, year, console)
    campaign = load_campaign_file(settings.campaign_file(year))
    with campaign_session(settings) as session:
        pid = session.exec(
            select(Participation.id)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(Participation.campaign_year == year)
            .where(Unit.uscc == uscc_argument(uscc))
        ).first()
        if pid is None:
            console.print("[red]未找到 not found[/red]: 该单位未参加本届 no participation")
            raise typer.Exit(1)
        day = business_day(as_of, settings)  # one day for the version and its letter
        request = Redecision(
            participation_id=pid,
            by=by.strip(),
            why=why.strip(),
            round=review_round,
            decision=None if decision is None else _decision(decision),
        )
        try:
            letters = LetterFiles(settings.workspace, choose_font(settings.certificate_font))
            done = redecide(session, campaign, request, day, now_utc(), letters)
        except RedecisionRefused as exc:
            console.print(
                f"[red]未更正 refused[/red] ({exc.code}): {exc.reason_zh} ({exc.reason_en})"
            )
            raise typer.Exit(1) from None
        from tasks.common.outgoing import enqueue  # imports prefect: only when a letter goes

        queued = enqueue(session, settings, done.mails, business_day=day)
    v = done.version
    if not done.created:
        console.print(f"无变化 nothing changed: 第{v.version}版仍有效 version {v.version} stands")
        return
    console.print(
        f"已作出第{v.version}版决定 version {v.version}: {v.decision}, "
        f"{v.normalised_score:.1f} {v.grade}; 更正函已加入发件箱 corrected letter queued ({queued})"
    )


def _decision(text: str) -> Decision:
    for word in TARGETS:
        if word == text:
            return word
    raise typer.BadParameter(f"决定只能是 --decision must be one of {', '.join(TARGETS)}")
