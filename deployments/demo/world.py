"""The outside world of the demo season: what arrives in the inbox on which day.

Associations drop their lists on the day mobilization starts; units file their receipts on the
days the generated plan says; the organisers' staff hand in a sign-in sheet after each training
session. A demo tool: product code never imports it.
"""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.columns import ATTENDANCE
from schemas.enums import EnrolmentStatus
from schemas.settings import Settings
from schemas.tables import Participation, Unit
from schemas.training_tables import TrainingEnrolment
from tasks.common.spreadsheets import write_sheet
from tasks.store import campaign_session

ATTENDANCE_RATE = 0.8
WAITLIST_SHOW_RATE = 0.15


def deliver_recommendations(generated: Path, inbox: Path) -> int:
    """Copy the association list and recommendation files into the inbox; return files copied."""
    (inbox / "recommendations").mkdir(parents=True, exist_ok=True)
    shutil.copy2(generated / "associations.xlsx", inbox / "associations.xlsx")
    copied = 1
    for f in sorted((generated / "recommendations").iterdir()):
        shutil.copy2(f, inbox / "recommendations" / f.name)
        copied += 1
    return copied


def deliver_roster(generated: Path, inbox: Path) -> Path:
    """Put the reviewer roster into the inbox's review/ folder (the organisers' expert list)."""
    target = inbox / "review" / "reviewers.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(generated / "reviewers.xlsx", target)
    return target


def sheet_rows_by_day(
    generated: Path, sheet: str, plan: dict[str, Any], day_field: str
) -> tuple[list[str], dict[date, list[tuple[object, ...]]]]:
    """Return a generated sheet's headers and its rows grouped by the day their unit files them.

    The unit is the row's first cell (its USCC); `day_field` names the plan's date for it.
    """
    filed_on = {u["uscc"]: u[day_field] for u in plan["units"] if u.get(day_field)}
    book = load_workbook(generated / sheet, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    out: dict[date, list[tuple[object, ...]]] = {}
    for row in rows[1:]:
        day = filed_on.get(str(row[0]))
        if day:
            out.setdefault(date.fromisoformat(day), []).append(tuple(row))
    return [str(c) for c in rows[0]], out


def deliver_rows(
    inbox: Path, folder: str, headers: list[str], day: date, rows: list[tuple[object, ...]]
) -> Path | None:
    """Write the day's rows of one sheet as an xlsx into an inbox folder; None if there are none."""
    if not rows:
        return None
    return write_sheet(inbox / folder / f"{folder}-{day.isoformat()}.xlsx", headers, rows)


def deliver_unit_files(generated: Path, inbox: Path, plan: dict[str, Any], day: date) -> int:
    """Copy the files units send on `day` (own CSV forms, report PDFs, revised PDFs) to inbox."""
    copied = 0
    iso = day.isoformat()
    for unit in plan["units"]:
        sends = [
            (unit.get("info_on"), unit.get("info_file"), "basic_info"),
            (unit.get("report_on"), unit.get("report_file"), "reports"),
            (unit.get("revised_on"), unit.get("revised_file"), "reports"),
        ]
        for on, name, folder in sends:
            if on != iso or not name or name.endswith(".xlsx"):
                continue  # shared sheets are split by deliver_rows
            source = generated / name
            revised = "revised" in Path(name).parts
            target = (
                inbox
                / folder
                / (f"{source.stem}-revised{source.suffix}" if revised else source.name)
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            copied += 1
    return copied


def deliver_attendance(
    settings: Settings, campaign: CampaignFile, inbox: Path, day: date, seed: int
) -> Path | None:
    """After a training session held on `day`, write its sign-in sheet into the inbox.

    About 80 % of invited units and a few waitlisted ones attend; deterministic per seed.
    """
    sessions = [s for s in campaign.training.sessions if s.date == day]
    if not sessions:
        return None
    rows: list[list[object]] = []
    with campaign_session(settings) as session:
        for s in sessions:
            rng = random.Random(f"{seed}:attendance:{s.key}")
            enrolled = session.exec(
                select(Unit.uscc, Unit.contact_name, TrainingEnrolment.status)
                .join(Participation, Participation.unit_id == Unit.id)  # type: ignore[arg-type]
                .join(
                    TrainingEnrolment,
                    TrainingEnrolment.participation_id == Participation.id,  # type: ignore[arg-type]
                )
                .where(TrainingEnrolment.session_key == s.key)
                .where(TrainingEnrolment.campaign_year == campaign.year)
                .order_by(TrainingEnrolment.position)  # type: ignore[arg-type]
            ).all()
            for uscc, contact, status in enrolled:
                rate = ATTENDANCE_RATE if status == EnrolmentStatus.INVITED else WAITLIST_SHOW_RATE
                came = rng.random() < rate
                if came or status == EnrolmentStatus.INVITED:
                    rows.append([s.key, uscc, contact, "是" if came else "否"])
    headers = [c.header for c in ATTENDANCE.columns]
    return write_sheet(
        inbox / "attendance" / f"sign-in-{day.isoformat()}.xlsx", headers, rows, title="签到表"
    )
