"""A new decided version: the explicit step that changes what a unit was told.

Later evidence (a late sheet that renormalised the experts, the chair's later word, an
operator's correction) changes a decided round only here: `redecide` writes version k+1 with
who decided and why, moves the status only as the machine allows (RedecisionRefused names a
move it does not), and returns the corrected feedback letter (更正: old -> new score, grade and
decision), keyed by participation, round and version so it goes once. The operator's command is
`campaign review redecide` (deployments/cli_review.py); the chair's later word comes through
chair.xlsx (tasks/review/decisions.py). Runs in the caller's transaction; no engine here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlmodel import Session, col, select

from notifications.outbox import OutgoingMail
from schemas.campaign_file import CampaignFile
from schemas.columns import CHAIR_DECISIONS
from schemas.enums import ParticipationStatus
from schemas.participation import can_move, transition
from schemas.rejection import Rejection
from schemas.review_tables import ReviewDecision, ReviewOutcome
from schemas.tables import Participation, Unit
from tasks.common.validation import rejection_at
from tasks.review.chair import ChairRuling, LaterWord
from tasks.review.letter_pdf import LetterFiles
from tasks.review.letters import REVISION_DEADLINE, fold_remarks, review_letters
from tasks.review.rules import TARGETS, Decision, revision_window_open, rule
from tasks.review.versions import version_of

CHAIR = "评审组长"  # who decides a version the chair's later word makes


class RedecisionRefused(Exception):
    """A new version that cannot be made; carries a stable code and the reason (zh, en)."""

    def __init__(self, code: str, reason_zh: str, reason_en: str) -> None:
        self.code = code
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(f"{code}: {reason_en}")


@dataclass(frozen=True)
class Redecision:
    """What a new version asks for: the report, the round (None: the newest decided), the
    decision (None: the live outcome's), who and why; `chair` when it is the chair's word."""

    participation_id: int
    by: str
    why: str
    round: int | None = None
    decision: Decision | None = None
    chair: ChairRuling | None = None


class Redecided(NamedTuple):
    """The version now standing, whether this call made it, and the letters to send."""

    version: ReviewDecision
    created: bool
    mails: list[OutgoingMail]


class LaterWords(NamedTuple):
    """What the chair's later words did: the letters, the words refused, the versions made."""

    mails: list[OutgoingMail]
    refused: list[Rejection]
    versions: int


def _current(session: Session, request: Redecision) -> tuple[Participation, Unit, ReviewDecision]:
    """Return the participation, its unit and the newest version of the round asked for."""
    found = session.exec(
        select(Participation, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.id == request.participation_id)
    ).first()
    versions = session.exec(
        select(ReviewDecision)
        .where(ReviewDecision.participation_id == request.participation_id)
        .order_by(col(ReviewDecision.round), col(ReviewDecision.version))
    ).all()
    if found is None or not versions:
        raise RedecisionRefused("not-decided", "该单位的报告尚无评审决定", "no decided review")
    newest_round = versions[-1].round
    wanted_round = newest_round if request.round is None else request.round
    if wanted_round != newest_round:
        raise RedecisionRefused(
            "not-newest-round",
            f"只能更正最新已决定的第{newest_round}轮",
            f"only the newest decided round ({newest_round}) can be decided again",
        )
    if found[0].status == ParticipationStatus.IN_REVIEW:
        raise RedecisionRefused(
            "in-review",
            "该报告正在评审中，待本轮决定",
            "the report is in review: wait for its round",
        )
    return found[0], found[1], versions[-1]


def _wanted(
    campaign: CampaignFile,
    request: Redecision,
    outcome: ReviewOutcome | None,
    review_round: int,
    as_of: date,
) -> Decision:
    """Return the decision the new version takes: asked for, or the live outcome's (ruled)."""
    word = request.decision or (outcome.recommendation if outcome else "needs_chair")
    if word == "needs_chair":
        raise RedecisionRefused(
            "needs-decision", "评审意见需评审组长决定：请指定决定", "state the decision to take"
        )
    open_ = revision_window_open(campaign.deadline(REVISION_DEADLINE).date, as_of)
    ruling = rule(word, None, review_round, campaign.review.max_revision_rounds, open_)
    assert ruling.decision is not None
    return ruling.decision


def redecide(
    session: Session,
    campaign: CampaignFile,
    request: Redecision,
    as_of: date,
    at: datetime,
    files: LetterFiles | None = None,
) -> Redecided:
    """Write version k+1 of a decided round and move the status; return it with its letters.

    Takes the live outcome's values (the version's own when there is none). A request that
    changes nothing the unit was told (same decision, score and grade) returns the standing
    version and no mail. Raises RedecisionRefused when there is no decided round, the round
    is not the newest, the report is in review, no decision is stated for an outcome the
    chair must decide, or the status machine does not allow the move the new decision needs.
    """
    participation, unit, current = _current(session, request)
    outcome = session.exec(
        select(ReviewOutcome)
        .where(ReviewOutcome.participation_id == participation.id)
        .where(ReviewOutcome.round == current.round)
    ).first()
    decision = _wanted(campaign, request, outcome, current.round, as_of)
    source = outcome or _as_outcome(current)
    new = version_of(
        source,
        decision,
        version=current.version + 1,
        reason=request.why,
        chair=request.chair,
        by=request.by,
        on=as_of,
        at=at,
    )
    if _same(new, current):
        return Redecided(current, False, [])
    target = TARGETS[decision]
    status = ParticipationStatus(participation.status)
    if decision != current.decision and status != target:
        if not can_move(status, target):
            raise RedecisionRefused(
                "status-machine",
                f"当前状态{status.value}不能改为{target.value}",
                f"the status machine does not allow {status.value} -> {target.value}",
            )
        session.add(transition(participation, target, actor=request.by, at=at, reason=request.why))
    session.add(new)
    remarks = fold_remarks(session, [(current.participation_id, current.round)])
    mails = review_letters(
        campaign,
        unit,
        participation,
        new,
        remarks[(current.participation_id, current.round)],
        previous=current,
        files=files,
    )
    return Redecided(new, True, mails)


def _same(new: ReviewDecision, current: ReviewDecision) -> bool:
    """Return whether a new version would tell what the standing one does; pure."""
    return (
        new.decision == current.decision
        and round(new.normalised_score, 2) == round(current.normalised_score, 2)
        and new.grade == current.grade
    )


def _as_outcome(version: ReviewDecision) -> ReviewOutcome:
    """Return a decided version's values as an outcome (when the live one is gone); pure."""
    return ReviewOutcome(
        campaign_year=version.campaign_year,
        participation_id=version.participation_id,
        round=version.round,
        normalised_score=version.normalised_score,
        raw_score=version.raw_score,
        reviews=version.reviews,
        spread=0.0,
        grade=version.grade,
        recommendation=version.decision,
        rank=version.rank,
        detail={k: v for k, v in version.detail.items() if k != "chair"},
        decided_on=version.decided_on,
    )


def apply_later_words(
    session: Session,
    campaign: CampaignFile,
    words: Sequence[LaterWord],
    as_of: date,
    now: datetime,
    files: LetterFiles | None = None,
) -> LaterWords:
    """Make the new versions the chair's later words ask for, in the caller's transaction;
    return their letters, the words refused (as rows of the chair's file) and how many new
    versions were made."""
    mails: list[OutgoingMail] = []
    refused: list[Rejection] = []
    made = 0
    for word in words:
        request = Redecision(
            participation_id=word.participation_id,
            by=CHAIR,
            why=f"评审组长：{word.ruling.reason}",
            decision=word.ruling.decision,
            chair=word.ruling,
        )
        try:  # refused before anything is written
            done = redecide(session, campaign, request, as_of, now, files)
        except RedecisionRefused as exc:
            refused.append(
                rejection_at(
                    CHAIR_DECISIONS,
                    word.file,
                    word.row,
                    "decision",
                    word.ruling.decision,
                    exc.code,
                    exc.reason_zh,
                    exc.reason_en,
                )
            )
            continue
        mails += done.mails
        made += done.created
    return LaterWords(mails, refused, made)
