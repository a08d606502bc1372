"""Reading the meeting pack from the database: every unit once, decided scores, flags.

`load_meeting_pack` reads every participation of the campaign with its unit, associations,
decided review version (tasks/common/decided_outcomes.py, never the live ReviewOutcome), flags
(tasks/common/report_flags.py) and the proposed commendations, one query per table, and places
each unit by the rules of tasks/meeting/pack_reasons.py. Read-only; the caller's session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.commendation import CommendationStatus
from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind
from schemas.release_tables import Commendation
from schemas.review_tables import ReviewDecision
from schemas.tables import Association, Participation, Recommendation, StageTransition, Unit
from tasks.common.decided_outcomes import decided_outcomes
from tasks.common.report_flags import ReportFlag, report_flags
from tasks.meeting.pack import MeetingPack, PackCommendation, PackUnit, pack_statistics
from tasks.meeting.pack_reasons import CANDIDATES, UnitState, is_proposed, why_not_proposed


def _associations(session: Session, campaign_year: int) -> dict[int, tuple[str, ...]]:
    """Return the recommending associations per unit id, each as its code and name
    (A001 上海市会展行业协会: the meeting reads names, the operators codes); one query."""
    codes: dict[int, set[str]] = defaultdict(set)
    for unit_id, code, name in session.exec(
        select(Recommendation.unit_id, Association.code, Association.name)
        .join(Association, col(Association.id) == col(Recommendation.association_id))
        .where(Recommendation.campaign_year == campaign_year)
    ).all():
        codes[unit_id].add(f"{code} {name}".strip())
    return {unit_id: tuple(sorted(c)) for unit_id, c in codes.items()}


def _lapsed_from(session: Session, campaign_year: int) -> dict[int, S]:
    """Return the status each lapsed participation lapsed from (one query)."""
    rows = session.exec(
        select(StageTransition.participation_id, StageTransition.from_status)
        .where(StageTransition.campaign_year == campaign_year)
        .where(StageTransition.to_status == S.LAPSED)
    ).all()
    return {pid: S(before) for pid, before in rows if pid is not None}


def _deadlines(campaign: CampaignFile) -> dict[S, date | None]:
    """Return the deadline a unit in a status still owes a filing for (from the campaign file)."""
    return {
        S.RECOMMENDED: campaign.deadline_date_for(SubmissionKind.RECEIPT),
        S.REGISTERED: campaign.deadline_date_for(SubmissionKind.REPORT_PDF),
    }


def pack_unit(
    part: Participation,
    unit: Unit,
    associations: tuple[str, ...],
    decided: ReviewDecision | None,
    flags: list[ReportFlag],
    state: UnitState,
    on: date,
) -> PackUnit:
    """Return one participation as the pack shows it. Pure."""
    assert part.id is not None
    why = why_not_proposed(state, flags, on)
    return PackUnit(
        participation_id=part.id,
        uscc=unit.uscc,
        name=unit.name,
        status=state.status,
        associations=associations,
        industry=unit.industry,
        district=unit.district,
        ownership=unit.ownership,
        score=decided.normalised_score if decided else None,
        grade=decided.grade if decided else "",
        rank=decided.rank if decided else None,
        recommendation=decided.decision if decided else "",
        why_not_proposed=why.zh,
        why_not_proposed_en=why.en,
        flags=tuple(flags),
        addable=state.status in CANDIDATES,
    )


def load_units(session: Session, campaign: CampaignFile, on: date) -> list[PackUnit]:
    """Read every participation of the campaign as a PackUnit; read-only, one query per table.

    Ordered: proposed first, then those the meeting may add, then the rest; each group by
    decided review rank (none last), then USCC.
    """
    decided = decided_outcomes(session, campaign.year)
    flags = report_flags(session, campaign)
    associations = _associations(session, campaign.year)
    lapsed_from = _lapsed_from(session, campaign.year)
    deadlines = _deadlines(campaign)
    units: list[PackUnit] = []
    for part, unit in session.exec(
        select(Participation, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign.year)
    ).all():
        assert part.id is not None
        assert unit.id is not None
        status = S(part.status)
        state = UnitState(status, lapsed_from.get(part.id), deadlines.get(status))
        units.append(
            pack_unit(
                part,
                unit,
                associations.get(unit.id, ()),
                decided.get(part.id),
                flags.get(part.id, []),
                state,
                on,
            )
        )
    return sorted(units, key=_order)


def _order(u: PackUnit) -> tuple[int, bool, int, str]:
    proposed = is_proposed(u.status, u.flags)
    group = 0 if proposed else 1 if u.addable else 2
    return (group, u.rank is None, u.rank or 0, u.uscc)


def load_proposed_commendations(
    session: Session, campaign_year: int, categories: dict[str, str]
) -> list[PackCommendation]:
    """Read the campaign's commendations still `proposed`, with their units (one query)."""
    rows = session.exec(
        select(Commendation, Unit.uscc, Unit.name)
        .join(Participation, col(Participation.id) == col(Commendation.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Commendation.campaign_year == campaign_year)
        .where(Commendation.status == CommendationStatus.PROPOSED)
    ).all()
    found = [
        PackCommendation(
            id=c.id or 0,
            participation_id=c.participation_id,
            uscc=uscc,
            unit_name=name,
            kind=c.kind,
            category_key=c.category_key,
            category_name=categories.get(c.category_key, c.category_key),
            title=c.title,
            case_title=c.case_title,
            speaker_name=c.speaker_name,
            rank=c.rank,
            reasons=tuple(c.reasons),
        )
        for c, uscc, name in rows
    ]
    return sorted(found, key=lambda c: (c.kind, c.category_key, c.rank, c.uscc))


def load_meeting_pack(session: Session, campaign: CampaignFile, built_on: date) -> MeetingPack:
    """Read the meeting pack of a campaign from the database. Read-only."""
    categories = {c.key: c.name for c in campaign.commendation.categories}
    units = load_units(session, campaign, built_on)
    commendations = load_proposed_commendations(session, campaign.year, categories)
    return assemble_pack(campaign.year, built_on, units, commendations, categories)


def assemble_pack(
    campaign_year: int,
    built_on: date,
    units: Sequence[PackUnit],
    commendations: Sequence[PackCommendation],
    categories: dict[str, str],
) -> MeetingPack:
    """Return the pack: each unit on the proposed list or among the others, once. Pure.

    Proposed: passed the review and no flag. Commendations of units not proposed are withheld.
    """
    release = tuple(u for u in units if is_proposed(u.status, u.flags))
    proposed_ids = {u.participation_id for u in release}
    return MeetingPack(
        campaign_year=campaign_year,
        built_on=built_on,
        release=release,
        others=tuple(u for u in units if u.participation_id not in proposed_ids),
        commendations=tuple(c for c in commendations if c.participation_id in proposed_ids),
        withheld=tuple(c for c in commendations if c.participation_id not in proposed_ids),
        categories=categories,
        statistics=pack_statistics(release),
    )
