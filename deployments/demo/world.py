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

from openpyxl import load_workbook
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.columns import ATTENDANCE
from schemas.enums import EnrolmentStatus
from schemas.settings import Settings
from schemas.tables import Participation, Unit
from schemas.training_tables import TrainingEnrolment
from tasks.spreadsheets import write_sheet
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


def receipts_by_day(
    generated: Path, plan: dict[str, object]
) -> dict[date, list[tuple[object, ...]]]:
    """Return the generated receipt rows grouped by the day each unit files (from plan.json)."""
    units = plan["units"]
    assert isinstance(units, list)
    filed_on = {u["uscc"]: u["registers_on"] for u in units if u.get("registers_on")}
    sheet = load_workbook(generated / "receipts" / "receipts.xlsx", read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    out: dict[date, list[tuple[object, ...]]] = {}
    for row in rows[1:]:
        day = filed_on.get(str(row[0]))
        if day:
            out.setdefault(date.fromisoformat(day), []).append(tuple(row))
    return out


def deliver_receipts(
    generated: Path, inbox: Path, day: date, rows: list[tuple[object, ...]]
) -> Path | None:
    """Write the day's receipts as one xlsx into the inbox's receipts/ folder; None if none."""
    if not rows:
        return None
    sheet = load_workbook(generated / "receipts" / "receipts.xlsx", read_only=True).active
    assert sheet is not None
    headers = [str(c) for c in next(sheet.iter_rows(values_only=True))]
    return write_sheet(
        inbox / "receipts" / f"receipts-{day.isoformat()}.xlsx", headers, rows, title="发布回执表"
    )


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
