"""What the mail told: letters state the decided version; deadlines lie after the mail's day.

`letter_violations` (invariant `letters`) compares each feedback letter's facts (outbox meta,
set by the review's letters) with the review_decision rows: every decided version has a letter
that states the same decision, score and grade, and no letter states a version never decided.
`deadline_violations` (`mail-deadlines`) lists mails whose told deadline lies on or before the
business day they were queued on (a reminder may name today's deadline). Pure.
"""

from __future__ import annotations

import math
import re

from tasks.audit.snapshot import DecisionRow, MailRow, Snapshot
from tasks.audit.violations import LETTERS, MAIL_DEADLINES, Violation

LETTER = "feedback_letter"
SAME_DAY_ALLOWED = frozenset({"deadline_reminder", "review_reminder", "submission_ack"})
SCORE_TOLERANCE = 0.05  # a letter prints the score to one decimal
_PARTICIPATION = re.compile(r"^participation:(\d+)")

Told = tuple[int, int, int]  # participation, round, version


def participation_of(subject_ref: str) -> int | None:
    """Return the participation id a mail's subject_ref names (`participation:17...`). Pure."""
    found = _PARTICIPATION.match(subject_ref)
    return int(found.group(1)) if found else None


def _int(value: object) -> int | None:
    """Return an int fact, or None when it is missing or not a whole number. Pure."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def told_version(mail: MailRow) -> Told | None:
    """Return the (participation, round, version) a letter's facts state, or None. Pure."""
    pid, rnd, ver = (_int(mail.facts.get(k)) for k in ("participation_id", "round", "version"))
    if pid is None or rnd is None or ver is None:
        return None
    return (pid, rnd, ver)


def differences(mail: MailRow, d: DecisionRow) -> list[str]:
    """Return which stated facts differ from the decided version (decision, score, grade). Pure."""
    wrong: list[str] = []
    if mail.facts.get("decision") != d.decision:
        wrong.append(f"decision {mail.facts.get('decision')!r} != {d.decision!r}")
    score = mail.facts.get("score")
    if not isinstance(score, int | float) or not math.isclose(
        float(score), d.score, abs_tol=SCORE_TOLERANCE
    ):
        wrong.append(f"score {score!r} != {d.score:.2f}")
    if mail.facts.get("grade") != d.grade:
        wrong.append(f"grade {mail.facts.get('grade')!r} != {d.grade!r}")
    return wrong


def _letter(s: Snapshot, pid: int | None, zh: str, en: str, todo: tuple[str, str]) -> Violation:
    """Return a `letters` violation about participation `pid` (or a mail without one). Pure."""
    u = s.unit(pid) if pid is not None else None
    return Violation(
        invariant=LETTERS,
        unit_name=u.unit_name if u else "",
        uscc=u.uscc if u else "",
        subject="" if u else f"participation {pid}",
        wrong_zh=zh,
        wrong_en=en,
        todo_zh=todo[0],
        todo_en=todo[1],
    )


RENOTIFY = (
    "以审定版本重新发送反馈函（评审主任委员或操作员的显式步骤）",
    "re-send the feedback letter of the decided version (an explicit chair or operator step)",
)


def _letters(s: Snapshot) -> tuple[dict[Told, list[MailRow]], set[int], list[Violation]]:
    """Return the letters by the version they state, the participations with letters that
    state none, and a violation for each of those. Pure."""
    letters: dict[Told, list[MailRow]] = {}
    unstated: set[int] = set()
    found: list[Violation] = []
    for m in s.mails:
        if m.template != LETTER or m.status == "cancelled":
            continue
        told = told_version(m)
        if told is not None:
            letters.setdefault(told, []).append(m)
            continue
        pid = participation_of(m.subject_ref)
        if pid is not None:
            unstated.add(pid)
        zh = f"反馈函（邮件 #{m.id}）未记录其所告知的评审版本"
        en = f"feedback letter #{m.id} does not record which decided version it told"
        found.append(_letter(s, pid, zh, en, RENOTIFY))
    return letters, unstated, found


def letter_violations(s: Snapshot) -> list[Violation]:
    """Return decided versions without a letter and letters that differ from them. Pure.

    A participation whose letter records no version is listed once for that letter, not again
    for each decided version (which one it told cannot be known).
    """
    letters, unstated, found = _letters(s)
    decided = {(d.participation_id, d.round, d.version): d for d in s.decisions}
    for key, d in decided.items():
        told_rows = letters.get(key, [])
        if not told_rows and d.participation_id not in unstated:
            zh = f"第{d.round}轮评审结果第{d.version}版（{d.decided_on}）没有反馈函"
            en = f"round {d.round} version {d.version} ({d.decided_on}) has no feedback letter"
            found.append(_letter(s, d.participation_id, zh, en, RENOTIFY))
        for m in told_rows:
            if wrong := differences(m, d):
                zh = f"反馈函（邮件 #{m.id}）与审定结果不一致：" + "；".join(wrong)
                en = f"feedback letter #{m.id} differs from the decided version: " + "; ".join(
                    wrong
                )
                found.append(_letter(s, d.participation_id, zh, en, RENOTIFY))
    for (pid, rnd, ver), rows in letters.items():
        for m in rows if (pid, rnd, ver) not in decided else []:
            zh = f"反馈函（邮件 #{m.id}）所述第{rnd}轮第{ver}版评审结果并未审定"
            en = f"feedback letter #{m.id} states round {rnd} version {ver}, never decided"
            found.append(_letter(s, pid, zh, en, RENOTIFY))
    return found


def _too_early(m: MailRow) -> list[str]:
    """Return the told deadlines of a mail that do not lie after its business day. Pure."""
    if m.business_day is None:
        return []
    day = m.business_day
    same_ok = m.template in SAME_DAY_ALLOWED
    return [d.isoformat() for d in m.deadlines if d < day or (d == day and not same_ok)]


def deadline_violations(s: Snapshot) -> list[Violation]:
    """Return every mail (not cancelled) telling a deadline on or before its business day. Pure."""
    found: list[Violation] = []
    for m in s.mails:
        early = [] if m.status == "cancelled" else _too_early(m)
        if not early:
            continue
        pid = participation_of(m.subject_ref)
        u = s.unit(pid) if pid is not None else None
        told = "、".join(early)
        found.append(
            Violation(
                invariant=MAIL_DEADLINES,
                unit_name=u.unit_name if u else "",
                uscc=u.uscc if u else "",
                subject=f"邮件 mail #{m.id} {m.template}",
                wrong_zh=f"邮件 #{m.id}（{m.template}）于{m.business_day}发出，"
                f"所告期限{told}不晚于发出日",
                wrong_en=f"mail #{m.id} ({m.template}) queued on {m.business_day} tells "
                f"deadline {', '.join(early)}, not after that day",
                todo_zh="以正确期限重新通知收件人；未发出的可取消（campaign outbox cancel）",
                todo_en="tell the recipient the right deadline; cancel it if not sent yet",
            )
        )
    return found
