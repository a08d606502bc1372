"""Attendance sheets: unknown sessions and units rejected, walk-ins recorded with a warning."""

from __future__ import annotations

from factories import make_uscc

from schemas.enums import Severity
from schemas.rows import AttendanceRow
from tasks.train.attendance import match_attendance


def _row(key: str, n: int, attended: str) -> AttendanceRow:
    return AttendanceRow.model_validate(
        {"session_key": key, "uscc": make_uscc(n), "attended": attended}
    )


def test_match_attendance_marks_enrolled_rejects_unknown_and_warns_walk_ins(campaign_2024) -> None:
    sessions = campaign_2024.training.sessions
    key = sessions[0].key
    participations = {make_uscc(1): 11, make_uscc(2): 12, make_uscc(3): 13}
    enrolled = {(key, 11), (key, 12)}
    rows = [
        (_row(key, 1, "是"), "a.xlsx", 2),
        (_row(key, 2, "否"), "a.xlsx", 3),
        (_row(key, 3, "是"), "a.xlsx", 4),
        (_row(key, 3, "否"), "a.xlsx", 5),
        (_row("no-such-session", 1, "是"), "a.xlsx", 6),
        (_row(key, 9, "是"), "a.xlsx", 7),
    ]

    batch = match_attendance(rows, sessions, participations, enrolled)

    assert [(m.participation_id, m.attended, m.walk_in, m.source) for m in batch.marks] == [
        (11, True, False, "a.xlsx#2"),
        (12, False, False, "a.xlsx#3"),
        (13, True, True, "a.xlsx#4"),
    ]
    assert [(r.row, r.code, r.severity) for r in batch.rejections] == [
        (4, "walk-in", Severity.WARNING),
        (6, "unknown-session", Severity.ERROR),
        (7, "not-recommended", Severity.ERROR),
    ]
