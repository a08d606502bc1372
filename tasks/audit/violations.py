"""What the audit finds: one `Violation` per unit (or mail) and broken invariant, in words.

Each invariant has a short code and a name in Chinese and English (`INVARIANTS`); a violation
says which unit (name and USCC, empty for a mail or the outbox as a whole), what is wrong and
what to do, Chinese first. An `overdue` one is a to-do (an expert's sheet or the chair's word
past its day: the unit has someone who acts next) and does not fail the audit. Pure values;
nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

STATES = "states"
ASSIGNED = "assigned"
LETTERS = "letters"
RELEASE = "release"
MAIL_DEADLINES = "mail-deadlines"
OUTBOX = "outbox"
COMMENDED = "commended"
CERTIFICATES = "certificates"
MEETING_PACK = "meeting-pack"

INVARIANTS: dict[str, tuple[str, str]] = {
    STATES: ("状态与日期相符", "every status is one the date allows"),
    ASSIGNED: ("报告按时分配专家", "every filed report assigned by the day after review starts"),
    LETTERS: ("反馈函与审定结果一致", "every letter states the decided version"),
    RELEASE: ("发布结果与审定一致", "catalogue, certificates and statistics agree"),
    MAIL_DEADLINES: ("邮件期限晚于发出日", "no mail with a deadline on or before its day"),
    OUTBOX: ("发件箱无遗留", "outbox counts add up, nothing stuck or unacknowledged"),
    COMMENDED: ("表彰单位符合条件", "no commended unit flagged without an override"),
    CERTIFICATES: ("证书可核验", "every certificate verifies"),
    MEETING_PACK: ("会议材料覆盖全部单位", "the meeting pack lists every unit once"),
}


class Violation(BaseModel):
    """One broken invariant: which unit or mail, what is wrong and what to do (zh, then en)."""

    model_config = ConfigDict(frozen=True)

    invariant: str  # a key of INVARIANTS
    unit_name: str = ""
    uscc: str = ""
    subject: str = ""  # what else it is about when not a unit: "邮件 #12 review_invitation"
    wrong_zh: str
    wrong_en: str
    todo_zh: str
    todo_en: str
    # A to-do rather than a broken invariant: a named person (an expert, the chair) owes an
    # action whose day has passed. The unit is accounted for (someone acts next), so it is
    # listed on the 今日待办 page and by `campaign audit` but does not fail the audit.
    overdue: bool = False

    def who(self) -> str:
        """Return the unit as `name（USCC）`, or the subject when it is not about a unit."""
        if self.unit_name or self.uscc:
            return f"{self.unit_name}（{self.uscc}）"
        return self.subject or "本届 season"


def sort_key(v: Violation) -> tuple[int, str, str, str]:
    """Return the order violations are listed in: invariant, unit, subject, wording. Pure."""
    order = list(INVARIANTS)
    rank = order.index(v.invariant) if v.invariant in order else len(order)
    return (rank, v.uscc, v.subject, v.wrong_en)


def broken(violations: Sequence[Violation]) -> list[Violation]:
    """Return the violations that break an invariant (not the overdue to-dos). Pure."""
    return [v for v in violations if not v.overdue]


def counts_by_invariant(violations: list[Violation]) -> dict[str, int]:
    """Return the number of violations per invariant, every invariant listed (zeros too). Pure."""
    counts = dict.fromkeys(INVARIANTS, 0)
    for v in violations:
        counts[v.invariant] = counts.get(v.invariant, 0) + 1
    return counts
