"""The organisers' staff in the season fuzzer's world: they keep the expert roster.

When an expert drops out they send the roster again without them; when the review leaves
reports unassigned (every expert free of conflicts is full), they find a reserve expert with no
conflicts and send the roster again with them, as the review's list of short reports asks
("add reviewers and run the review again"). A demo tool: product code never imports it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import col, func, select

from schemas.enums import ParticipationStatus
from schemas.settings import Settings
from schemas.tables import Participation, Submission
from tasks.common.spreadsheets import write_sheet
from tasks.store import campaign_session

RESERVE_LOAD = 200


def reserve_expert(number: int) -> tuple[object, ...]:
    """Return the roster row of reserve expert `number` (no conflicts, a large load). Pure."""
    return (
        f"储备专家{number}",
        f"reserve{number}@review.example.org",
        "上海市企业社会责任研究中心（储备专家库）",
        None,
        None,
        RESERVE_LOAD,
        None,
        None,
    )


def write_roster(generated: Path, inbox: Path, absent: set[str], reserves: int) -> Path:
    """Send the generated roster without the `absent` experts (e-mails) and with `reserves`
    reserve experts. Writes the inbox's review/reviewers.xlsx; returns it."""
    book = load_workbook(generated / "reviewers.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    gone = {e.casefold() for e in absent}
    keep = [r for r in rows[1:] if not gone & {str(c).casefold() for c in r}]
    keep += [reserve_expert(n) for n in range(1, reserves + 1)]
    return write_sheet(inbox / "review" / "reviewers.xlsx", [str(c) for c in rows[0]], keep)


def waiting_for_experts(settings: Settings, campaign_year: int, day: date) -> int:
    """Count the participations still `submitted` with every filing from before `day` (a
    review run since could have assigned them). Reads the database."""
    newest = (
        select(Submission.participation_id, func.max(Submission.received_on).label("filed"))
        .group_by(col(Submission.participation_id))
        .subquery()
    )
    with campaign_session(settings) as session:
        return session.exec(
            select(func.count())
            .select_from(Participation)
            .join(newest, newest.c.participation_id == col(Participation.id))
            .where(Participation.campaign_year == campaign_year)
            .where(Participation.status == ParticipationStatus.SUBMITTED)
            .where(newest.c.filed < day)
        ).one()
