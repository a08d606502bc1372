"""The review chair's decisions file (评审组长决定表, inbox/<year>/review/chair.xlsx).

`read_chair_rows` reads and validates the files (no database: the decision step calls it before
its transaction opens); `resolve_chair_rulings` matches the rows, a plain function: a row for a
report in review is the chair's ruling, applied when its round is decided; a row for a report
already decided is the chair's later word, which makes a new decided version
(tasks/review/redecide.py) unless the newest version already carries that word; a row for any
other unit is reported, never guessed. The chair's word a version was decided on is kept in its
`detail["chair"]` (`chair_word`). What a ruling does to a report is decided in
tasks/review/decisions.py with tasks/review/rules.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, cast

from sqlmodel import Session, col, select

from schemas.columns import CHAIR_DECISIONS
from schemas.enums import ParticipationStatus
from schemas.rejection import Rejection
from schemas.rows import ChairDecisionRow
from schemas.tables import Participation, Unit
from tasks.common.decided_outcomes import decided_outcomes
from tasks.common.validation import FileRows, read_rows, rejection_at
from tasks.review.rules import Decision


class ChairRuling(NamedTuple):
    """The chair's decision on one report, and the reason the chair gave."""

    decision: Decision
    reason: str


class LaterWord(NamedTuple):
    """A chair's row for a report already decided: where it came from, for a refusal."""

    participation_id: int
    ruling: ChairRuling
    file: str
    row: int


class ChairRulings(NamedTuple):
    """The chair's rulings on reports in review, the later words on decided reports, and the
    rows refused."""

    by_participation: dict[int, ChairRuling]
    later: list[LaterWord]
    rejections: list[Rejection]


def chair_word(detail: Mapping[str, Any]) -> ChairRuling | None:
    """Return the chair's word a decided version records in its detail, if any; pure."""
    word = detail.get("chair")
    if not isinstance(word, dict):
        return None
    return ChairRuling(cast(Decision, word.get("decision")), str(word.get("reason", "")))


def word_detail(ruling: ChairRuling) -> dict[str, str]:
    """Return the chair's word as a decided version's detail stores it; pure."""
    return {"decision": ruling.decision, "reason": ruling.reason}


def read_chair_rows(files: Sequence[str]) -> FileRows[ChairDecisionRow]:
    """Read and validate the chair's decision files; reads the files, no database."""
    return read_rows(files, CHAIR_DECISIONS, ChairDecisionRow)


def resolve_chair_rulings(
    found: FileRows[ChairDecisionRow],
    in_review: Mapping[str, int],
    decided: Mapping[str, tuple[int, ChairRuling | None]],
) -> ChairRulings:
    """Match the chair's rows to the reports (USCC -> participation id); pure.

    `in_review`: the reports in review; `decided`: the reports decided and not in review, with
    the chair's word their newest version records. A row repeating the word a report's newest
    version already records changes nothing; a row for any other unit is reported.
    """
    out: dict[int, ChairRuling] = {}
    later: list[LaterWord] = []
    rejections = list(found.rejections)
    for row, file, number in found.rows:
        ruling = ChairRuling(row.decision, row.reason)
        pid, recorded = decided.get(row.uscc, (None, None))
        if recorded == ruling:
            continue  # the word the newest version was decided on
        if row.uscc in in_review:
            out[in_review[row.uscc]] = ruling
        elif pid is not None:
            later.append(LaterWord(pid, ruling, file, number))
        else:
            rejections.append(
                rejection_at(
                    CHAIR_DECISIONS,
                    file,
                    number,
                    "uscc",
                    row.uscc,
                    "not-awaiting-decision",
                    "该单位的报告当前不在评审中，也没有评审决定",
                    "this unit's report is neither in review nor decided",
                )
            )
    return ChairRulings(out, later, rejections)


def chair_targets(
    session: Session, campaign_year: int
) -> tuple[dict[str, int], dict[str, tuple[int, ChairRuling | None]]]:
    """Return the reports in review (USCC -> id) and the decided ones (USCC -> id and the
    chair's word their newest version records); reads."""
    units = {
        pid: (uscc, status)
        for pid, uscc, status in session.exec(
            select(Participation.id, Unit.uscc, Participation.status)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(Participation.campaign_year == campaign_year)
        ).all()
        if pid is not None
    }
    in_review = {
        uscc: pid
        for pid, (uscc, status) in units.items()
        if status == ParticipationStatus.IN_REVIEW
    }
    decided = {
        units[pid][0]: (pid, chair_word(version.detail))
        for pid, version in decided_outcomes(session, campaign_year).items()
        if pid in units
    }
    return in_review, decided
