"""The synthetic finished season benchmarks/audit.py audits: N units as the release leaves them.

Of N units 40 % released (certificate file, catalogue page, commendation for one in ten), 5 %
removed, 5 % withdrawn, 30 % lapsed and 20 % rejected then removed; every filed unit has four
filings, three experts with their sheets, a decided outcome and its feedback letter; about ten
mails per unit with their meta (business day, deadlines, facts); the meeting decision and its
pack; the statistics. `build(settings, units)` writes it into the settings' workspace.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from schemas.campaign_file import CampaignFile, load_campaign_file  # noqa: E402
from schemas.enums import OutboxStatus, SubmissionKind, UnitKind  # noqa: E402
from schemas.enums import ParticipationStatus as S  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from schemas.sqltypes import now_utc  # noqa: E402
from schemas.uscc import uscc_check_character  # noqa: E402
from tasks.common.campaigns import ensure_campaign  # noqa: E402
from tasks.common.spreadsheets import write_sheets  # noqa: E402
from tasks.store import make_engine, session_scope, upgrade_database  # noqa: E402

YEAR = 2024
AS_OF = date(2025, 1, 20)
AT = datetime(2024, 12, 16, 2, 0, tzinfo=UTC)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CHUNK = 2000
MAILS = ("invitation", "training_invitation", "submission_ack", "deadline_reminder")
GRADES = ("三星级", "四星级", "四星半级", "五星级")


def _uscc(n: int) -> str:
    digits, value = "", n
    for _ in range(9):
        digits, value = ALPHABET[value % 31] + digits, value // 31
    body = "91310115" + digits
    return body + uscc_check_character(body)


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def _insert(session: Any, name: str, rows: list[dict[str, Any]]) -> None:
    """Insert plain rows into a table in chunks (setup, untimed)."""
    for start in range(0, len(rows), CHUNK):
        session.execute(sa.insert(_table(name)), rows[start : start + CHUNK])


def _fate(i: int) -> S:
    """Return how unit i ends the season: 40 % released, 30 % lapsed, 5 % withdrawn, ..."""
    r = i % 20
    return S.RELEASED if r < 8 else S.LAPSED if r < 14 else S.WITHDRAWN if r == 14 else S.REMOVED


def _mail(row_id: int, template: str, ref: str, day: date, **meta: Any) -> dict[str, Any]:
    return {
        "id": row_id,
        "campaign_year": YEAR,
        "idempotency_key": f"{YEAR}|{template}|{ref}|{row_id}|u{row_id}@unit.example.com",
        "template": template,
        "recipient": f"u{row_id}@unit.example.com",
        "subject": "测试",
        "attachments": [],
        "meta": {"recipient_name": "联系人", "business_day": day.isoformat(), **meta},
        "status": OutboxStatus.SENT,
        "attempts": 1,
        "not_before": AT,
        "message_id": f"<{row_id}@example.org>",
        "created_at": AT,
        "sent_at": AT,
    }


class World:
    """The rows and files of the synthetic season, built unit by unit (setup, untimed)."""

    def __init__(self, settings: Settings, campaign: CampaignFile, units: int) -> None:
        self.settings, self.campaign, self.units = settings, campaign, units
        self.rng = random.Random(7)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.mail_id = 0
        self.released: list[tuple[str, str, str]] = []  # uscc, name, grade
        self.pack: list[list[Any]] = []

    def add(self, table: str, **values: Any) -> None:
        """Add one row of `table` (written in build())."""
        self.rows.setdefault(table, []).append(values)

    def mail(self, template: str, ref: str, day: date, **meta: Any) -> None:
        """Add one sent outbox row about `ref`, queued on `day`, with this meta."""
        self.mail_id += 1
        self.rows.setdefault("outbox_message", []).append(
            _mail(self.mail_id, template, ref, day, **meta)
        )
        self.rows.setdefault("outbox_body", []).append(
            {"outbox_id": self.mail_id, "body_text": "测试", "body_html": "<p>测试</p>"}
        )

    def unit(self, i: int) -> None:
        """Add unit i: its participation, filings, review, letter, mails and release."""
        fate, uscc, name = _fate(i), _uscc(i), f"上海测试{i:05d}科技有限公司"
        self.add("unit", id=i, uscc=uscc, name=name, kind=UnitKind.ENTERPRISE, updated_at=AT)
        self.add(
            "participation", id=i, campaign_year=YEAR, unit_id=i, status=fate,
            status_changed_at=AT, revision_round=0, created_on=date(2024, 10, 10),
        )  # fmt: skip
        ref = f"participation:{i}"
        self.mail("invitation", ref, date(2024, 10, 10), deadlines=["2024-11-15"])
        self.mail("training_invitation", ref, date(2024, 10, 14))
        for n in range(3):
            self.mail("deadline_reminder", ref, date(2024, 11, 8 + n), deadlines=["2024-11-15"])
        if fate in (S.LAPSED, S.WITHDRAWN):
            self.pack.append([uscc, name, "A001", fate.value, "", "", "未提交"])
            return
        self.filed(i, ref)
        grade = self.reviewed(i, ref, fate)
        if fate == S.RELEASED:
            self.release(i, uscc, name, grade)
        else:
            self.pack.append([uscc, name, "A001", "rejected", "", "reject", "评审未通过"])

    def filed(self, i: int, ref: str) -> None:
        """Add unit i's four filings and their acknowledgements."""
        for k, kind in enumerate(SubmissionKind):
            day = date(2024, 11, 10 + k)
            report = kind == SubmissionKind.REPORT_PDF
            screening: dict[str, Any] | None = {"problems": [], "topics": []} if report else None
            self.add(
                "submission", campaign_year=YEAR, participation_id=i, kind=kind, version=1,
                stored_path=f"archive/{i}/{kind.value}", original_name="x", sha256="0" * 64,
                size=1, received_on=day, received_at=AT, late=False, screening=screening,
            )  # fmt: skip
            self.mail("submission_ack", ref, day, deadlines=["2024-11-30"])

    def reviewed(self, i: int, ref: str, fate: S) -> str:
        """Add three experts with their sheets, the decided outcome and its letter; the grade."""
        for n in range(3):
            aid = i * 3 + n
            self.add(
                "review_assignment", id=aid, campaign_year=YEAR, participation_id=i,
                reviewer_id=1 + (i + n) % 100, round=0, reasons=[], assigned_on=date(2024, 12, 3),
                assigned_at=AT,
            )  # fmt: skip
            self.add(
                "review", campaign_year=YEAR, assignment_id=aid, version=1, scores={"a": 80.0},
                comment="", suggestions="", received_on=date(2024, 12, 10), received_at=AT,
                sheet_sha256="",
            )  # fmt: skip
        passed = fate == S.RELEASED
        score = round(self.rng.uniform(60, 99) if passed else self.rng.uniform(30, 59), 2)
        grade, decision = (
            (self.rng.choice(GRADES) if passed else "二星级"),
            ("pass" if passed else "reject"),
        )
        self.add(
            "review_decision", campaign_year=YEAR, participation_id=i, round=0, version=1,
            decision=decision, normalised_score=score, raw_score=score, reviews=3, grade=grade,
            detail={}, by_chair=False, reason="", decided_on=date(2024, 12, 16),
            decided_by="clock", decided_at=AT,
        )  # fmt: skip
        facts = {
            "participation_id": i, "round": 0, "version": 1, "decision": decision,
            "score": score, "grade": grade,
        }  # fmt: skip
        self.mail("feedback_letter", f"{ref}:feedback", date(2024, 12, 16), facts=facts)
        return grade

    def release(self, i: int, uscc: str, name: str, grade: str) -> None:
        """Add unit i's certificate (row and file), commendation and release notice."""
        number = f"SHCSR-{YEAR}-{i:05d}-1"
        stored = f"release/{YEAR}/certificates/{number}.pdf"
        content = self.rng.randbytes(20_000)
        path = self.settings.workspace / stored
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.add(
            "certificate_issue", campaign_year=YEAR, participation_id=i, number=number,
            stored_path=stored, sha256=hashlib.sha256(content).hexdigest(), data_sha256="0" * 64,
            version=1, reason="", issued_on=date(2025, 1, 16), issued_at=AT,
        )  # fmt: skip
        if i % 10 == 0:
            self.add(
                "commendation", campaign_year=YEAR, participation_id=i, kind="excellent_unit",
                category_key="", title="优秀社会责任报告发布单位", case_title="",
                speaker_name="", rank=1, reasons=[], proposed_on=date(2024, 12, 16),
                status="approved",
            )  # fmt: skip
        self.mail("release_notice", f"participation:{i}", date(2025, 1, 16))
        self.released.append((uscc, name, grade))
        self.pack.insert(0, [uscc, name, "A001"])


def _write_files(settings: Settings, world: World) -> None:
    """Write the catalogue pages, the statistics and the meeting pack the release leaves."""
    release = settings.workspace / "release" / str(YEAR)
    pages = release / "catalogue" / "reports"
    pages.mkdir(parents=True, exist_ok=True)
    for uscc, name, grade in world.released:
        page = f'<html><h1>{name}</h1>\n    <p class="grade big">报告评级：{grade}</p>\n</html>\n'
        (pages / f"{uscc.lower()}.html").write_text(page, encoding="utf-8")
    stats = release / "statistics" / "season-statistics.md"
    stats.parent.mkdir(parents=True, exist_ok=True)
    stats.write_text(
        f"- 已发布单位 released: **{len(world.released)}**\n"
        f"- 发布证书 certificates issued: **{len(world.released)}**\n",
        encoding="utf-8",
    )
    proposed = [r for r in world.pack if len(r) == 3]
    others = [r for r in world.pack if len(r) > 3]
    unit = ["统一社会信用代码 USCC", "单位名称 name", "推荐协会 associations"]
    why = ["状态 status", "评审得分 score", "评审建议 review", "原因 why"]
    numbered = [[n, *r] for n, r in enumerate(proposed, start=1)]
    write_sheets(
        settings.workspace / "reports" / "meeting-run" / "meeting-pack.xlsx",
        [("拟发布名单", ["序号 no.", *unit], numbered), ("未列入名单", [*unit, *why], others)],
    )


def build(settings: Settings, units: int) -> None:
    """Build the synthetic finished season of `units` units in the settings' workspace."""
    campaign = load_campaign_file(settings.campaign_file(YEAR))
    engine = make_engine(settings)
    upgrade_database(engine)
    world = World(settings, campaign, units)
    for i in range(1, units + 1):
        world.unit(i)
    released = [uscc for uscc, _, _ in world.released]
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
        _insert(
            session,
            "reviewer",
            [
                {"id": n, "campaign_year": YEAR, "key": f"e{n}@review.example.org",
                 "name": f"专家{n}", "email": f"e{n}@review.example.org", "employer": "",
                 "industries": [], "topics": [], "max_load": 500, "conflict_associations": [],
                 "conflict_units": [], "source_file": "", "source_row": 0}
                for n in range(1, 101)
            ],
        )  # fmt: skip
        for table in ("unit", "participation", "submission", "review_assignment", "review"):
            _insert(session, table, world.rows.get(table, []))
        for table in (
            "review_decision",
            "commendation",
            "certificate_issue",
            "outbox_message",
            "outbox_body",
        ):
            _insert(session, table, world.rows.get(table, []))
        _insert(
            session,
            "meeting_decision",
            [
                {"campaign_year": YEAR, "version": 1, "meeting_date": date(2024, 12, 27),
                 "decided_by": "operator", "decided_at": AT, "source": "cli",
                 "flow_run_id": "meeting-run", "release_list": released,
                 "commendation_list": [], "removed": {}, "added": {}, "pack_fingerprint": "",
                 "notes": ""}
            ],
        )  # fmt: skip
    engine.dispose()
    _write_files(settings, world)
    (settings.workspace / "built.json").write_text(json.dumps({"units": units}), "utf-8")
