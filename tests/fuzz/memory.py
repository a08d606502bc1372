"""The season fuzzer's checks that compare days: what one day told must still hold later.

A `SeasonMemory` is asked after every played day, in order (it remembers what it saw):
- told-outcome: when a unit's feedback letter for a round is queued, the round's decided outcome
  (the newest ReviewDecision version when one exists, else the ReviewOutcome row) is what the
  unit was told; on every later day it must be unchanged unless a new letter for that round
  was queued (a re-notified new version);
- mail-deadline: every review invitation and revision request queued today asks for an answer
  "于<date>前" with that date after today (the mail's business day).
These need the order of days, which a single audit of the stored season cannot see; they run
beside `check_day` (tests/fuzz/invariants.py) in every fuzzed season.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from schemas.outbox_table import OutboxBody, OutboxMessage
from schemas.review_tables import ReviewDecision, ReviewOutcome
from schemas.settings import Settings
from schemas.tables import Participation, Unit
from tasks.store import campaign_session

ASKS_BY = re.compile(r"于(\d{4})年(\d{1,2})月(\d{1,2})日")
LETTER = re.compile(r"\|feedback_letter\|participation:(\d+):feedback\|round-(\d+)")
DEADLINE_TEMPLATES = ("review_invitation", "revision_request")

Told = tuple[float, str, str]  # normalised score (2 decimals), grade, decision/recommendation


def decided(session: Session, year: int) -> dict[tuple[int, int], Told]:
    """Return each (participation, round)'s decided outcome: the newest ReviewDecision
    version, else the ReviewOutcome row. Reads only."""
    out: dict[tuple[int, int], Told] = {}
    for pid, rnd, score, grade, rec in session.exec(
        select(
            ReviewOutcome.participation_id,
            ReviewOutcome.round,
            ReviewOutcome.normalised_score,
            ReviewOutcome.grade,
            ReviewOutcome.recommendation,
        ).where(ReviewOutcome.campaign_year == year)
    ).all():
        out[(pid, rnd)] = (round(score, 2), grade, rec)
    for pid, rnd, score, grade, decision in session.exec(
        select(
            ReviewDecision.participation_id,
            ReviewDecision.round,
            ReviewDecision.normalised_score,
            ReviewDecision.grade,
            ReviewDecision.decision,
        )
        .where(ReviewDecision.campaign_year == year)
        .order_by(col(ReviewDecision.version))
    ).all():
        out[(pid, rnd)] = (round(score, 2), grade, decision)
    return out


@dataclass
class SeasonMemory:
    """What the season told so far (see the module docstring)."""

    settings: Settings
    year: int
    last_mail: int = 0  # the highest outbox id seen
    told: dict[tuple[int, int], tuple[date, Told]] = field(default_factory=dict)

    def __call__(self, as_of: date) -> list[str]:
        """Return today's violations of told-outcome and mail-deadline. Reads the database."""
        with campaign_session(self.settings) as session:
            mails = session.exec(
                select(OutboxMessage.id, OutboxMessage.idempotency_key, OutboxMessage.template)
                .add_columns(OutboxBody.body_text)
                .join(OutboxBody, col(OutboxBody.outbox_id) == col(OutboxMessage.id))
                .where(OutboxMessage.campaign_year == self.year)
                .where(col(OutboxMessage.id) > self.last_mail)
                .order_by(col(OutboxMessage.id))
            ).all()
            now = decided(session, self.year)
            names = dict(
                session.exec(
                    select(Participation.id, Unit.uscc).join(
                        Unit, col(Unit.id) == col(Participation.unit_id)
                    )
                ).all()
            )
        found = []
        for mail_id, key, template, body in mails:
            self.last_mail = max(self.last_mail, mail_id or 0)
            letter = LETTER.search(key)
            if letter:
                pid, rnd = int(letter[1]), int(letter[2])
                if (pid, rnd) in now:
                    self.told[(pid, rnd)] = (as_of, now[(pid, rnd)])
            if template in DEADLINE_TEMPLATES:
                for y, m, d in ASKS_BY.findall(body):
                    if date(int(y), int(m), int(d)) <= as_of:
                        found.append(
                            f"mail-deadline: a {template} queued on {as_of} asks for an answer "
                            f"by {y}-{int(m):02d}-{int(d):02d} ({key.split('|')[2]})"
                        )
        for (pid, rnd), (on, was) in sorted(self.told.items()):
            if now.get((pid, rnd), was) != was:
                found.append(
                    f"told-outcome: {names.get(pid, pid)} round {rnd} was told {was} on {on}, "
                    f"now {now[(pid, rnd)]} without a new letter"
                )
        return found
