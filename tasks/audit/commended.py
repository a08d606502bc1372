"""No commended unit below pass, wrong-year or with open pre-screen problems, unless overridden.

The flags are tasks/common/report_flags.py's (`unit_flags`), judged on the unit's latest report
screening and its decided outcome. The meeting overrides a unit's flags explicitly: the decision's
`overrides` column (USCC -> the flag codes overridden) where the schema has it; before it, every
flag of a USCC that is a key of `MeetingDecision.added` or listed under an "overrides" key of
`added` or of the decision's notes when they hold JSON. Pure.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time
from typing import Any

from schemas.review_tables import ReviewDecision
from tasks.audit.snapshot import DecisionRow, MeetingRow, Snapshot
from tasks.audit.violations import COMMENDED, Violation
from tasks.common.report_flags import flag_rules, unit_flags

APPROVED = "approved"
OVERRIDES = "overrides"
_USCC = re.compile(r"[0-9A-Z]{18}")


def _usccs(value: Any) -> set[str]:
    """Return the USCCs named in an overrides value (dict keys, list items or text). Pure."""
    if isinstance(value, dict):
        return {str(k) for k in value}
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    if isinstance(value, str):
        try:
            return _usccs(json.loads(value))
        except ValueError:
            return set(_USCC.findall(value))
    return set()


def overridden(meeting: MeetingRow | None) -> dict[str, frozenset[str] | None]:
    """Return USCC -> the flag codes the meeting overrode (None: every flag); see above. Pure."""
    if meeting is None:
        return {}
    if meeting.overrides is not None:
        return {uscc: frozenset(codes) for uscc, codes in meeting.overrides.items()}
    return dict.fromkeys(_legacy(meeting))


def _legacy(meeting: MeetingRow) -> set[str]:
    """Return the USCCs a decision recorded before the `overrides` column overrode. Pure."""
    found = {k for k in meeting.added if k != OVERRIDES}
    found |= _usccs(meeting.added.get(OVERRIDES))
    try:
        notes = json.loads(meeting.notes) if meeting.notes.strip() else None
    except ValueError:
        notes = None
    if isinstance(notes, dict):
        found |= _usccs(notes.get(OVERRIDES))
    return found


def _decided(year: int, rows: list[DecisionRow]) -> ReviewDecision | None:
    """Return the newest decided version as the flag rule reads it, or None. Pure."""
    if not rows:
        return None
    d = max(rows, key=lambda r: (r.round, r.version))
    return ReviewDecision(
        campaign_year=year,
        participation_id=d.participation_id,
        raw_score=d.score,
        reviews=0,
        decided_on=d.decided_on,
        decided_by="",
        decided_at=datetime.combine(d.decided_on, time(), tzinfo=UTC),
        round=d.round,
        version=d.version,
        decision=d.decision,
        normalised_score=d.score,
        grade=d.grade,
    )


def commended_violations(s: Snapshot) -> list[Violation]:
    """Return approved commendations of flagged units the meeting did not override. Pure."""
    commended = {c.participation_id for c in s.commendations if c.status == APPROVED}
    if not commended:
        return []
    by_unit: dict[int, list[DecisionRow]] = {}
    for d in s.decisions:
        by_unit.setdefault(d.participation_id, []).append(d)
    allowed = overridden(s.meeting)
    rules = flag_rules(s.campaign)
    found: list[Violation] = []
    for pid in sorted(commended):
        u = s.unit(pid)
        if u is None or (u.uscc in allowed and allowed[u.uscc] is None):
            continue
        codes = allowed.get(u.uscc) or frozenset()
        flags = [
            f
            for f in unit_flags(
                s.screenings.get(pid), _decided(s.campaign.year, by_unit.get(pid, [])), rules
            )
            if f.code not in codes
        ]
        if not flags:
            continue
        titles = "、".join(sorted({c.title for c in s.commendations if c.participation_id == pid}))
        found.append(
            Violation(
                invariant=COMMENDED,
                unit_name=u.unit_name,
                uscc=u.uscc,
                wrong_zh=f"获表彰（{titles}），但" + "；".join(f.zh for f in flags),
                wrong_en="commended, but " + "; ".join(f.en for f in flags),
                todo_zh="由会议明确确认（记录理由）或撤销该表彰",
                todo_en="have the meeting confirm it explicitly (with a reason) or withdraw it",
            )
        )
    return found
