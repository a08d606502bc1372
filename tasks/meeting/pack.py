"""The meeting pack: what the guiding units' meeting decides on, read from the database.

The proposed release list is every participation in `review_passed`; the other candidates the
meeting may add (with a reason) are those `rejected`, `in_review` or `revised`; the commendation
list is the campaign's Commendation rows still `proposed`. `load_meeting_pack` reads all of it
with one query per table (read-only); `pack_statistics` and `pack_fingerprint` are pure.
Writing the pack out (xlsx, markdown, artifact) is tasks/meeting/pack_files.py.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.release_tables import Commendation
from schemas.review_tables import ReviewOutcome
from schemas.tables import Association, Participation, Recommendation, Unit

PROPOSED: frozenset[S] = frozenset({S.REVIEW_PASSED})
OTHER_CANDIDATES: frozenset[S] = frozenset({S.REJECTED, S.IN_REVIEW, S.REVISED})
CANDIDATES: frozenset[S] = PROPOSED | OTHER_CANDIDATES

# Why a candidate is not on the proposed list; also the reason recorded when the meeting leaves
# it off (prefixed with "not approved by the meeting: ").
NOT_PROPOSED_REASONS: dict[S, str] = {
    S.REJECTED: "review recommended rejection",
    S.IN_REVIEW: "review not finished",
    S.REVISED: "revised report not re-checked",
}
KIND_WORDS: dict[str, str] = {
    "excellent_unit": "优秀发布单位 excellent unit",
    "case": "优秀案例 case",
    "speaker": "交流发言 speaker",
}
NOT_GIVEN = "未填写 (not given)"
STATISTICS = ("association", "industry", "district", "ownership")


class PackUnit(BaseModel):
    """One candidate unit as the meeting sees it: who, where, how the review saw it."""

    model_config = ConfigDict(frozen=True)

    participation_id: int
    uscc: str
    name: str
    status: S
    associations: tuple[str, ...]
    industry: str
    district: str
    ownership: str
    score: float | None = None
    grade: str = ""
    rank: int | None = None
    recommendation: str = ""
    why_not_proposed: str = ""


class PackCommendation(BaseModel):
    """One proposed commendation (excellent unit, case or speaker) of a candidate unit."""

    model_config = ConfigDict(frozen=True)

    id: int
    participation_id: int
    uscc: str
    unit_name: str
    kind: str
    category_key: str
    category_name: str
    title: str
    case_title: str
    speaker_name: str
    rank: int
    reasons: tuple[str, ...]


class MeetingPack(BaseModel):
    """Everything the meeting decides on: release list, other candidates, commendations."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    built_on: date
    release: tuple[PackUnit, ...]
    others: tuple[PackUnit, ...]
    commendations: tuple[PackCommendation, ...]
    categories: dict[str, str]  # case category key -> name, from the campaign file
    statistics: dict[str, dict[str, int]]

    def unit(self, uscc: str) -> PackUnit | None:
        """Return the candidate with this USCC, or None."""
        return next((u for u in (*self.release, *self.others) if u.uscc == uscc), None)

    @property
    def release_usccs(self) -> frozenset[str]:
        """USCCs on the proposed release list."""
        return frozenset(u.uscc for u in self.release)

    @property
    def other_usccs(self) -> frozenset[str]:
        """USCCs of the candidates not proposed (the meeting may add them)."""
        return frozenset(u.uscc for u in self.others)

    @property
    def commended_usccs(self) -> frozenset[str]:
        """USCCs with at least one proposed commendation."""
        return frozenset(c.uscc for c in self.commendations)

    @property
    def speakers(self) -> tuple[PackCommendation, ...]:
        """The proposed speakers (a subset of the commendations)."""
        return tuple(c for c in self.commendations if c.kind == "speaker")


def pack_statistics(units: Iterable[PackUnit]) -> dict[str, dict[str, int]]:
    """Count units by association, industry, district and ownership, largest first. Pure.

    A unit recommended by two associations counts under each of them.
    """
    counters: dict[str, Counter[str]] = {key: Counter() for key in STATISTICS}
    for u in units:
        counters["association"].update(u.associations or (NOT_GIVEN,))
        counters["industry"][u.industry or NOT_GIVEN] += 1
        counters["district"][u.district or NOT_GIVEN] += 1
        counters["ownership"][u.ownership or NOT_GIVEN] += 1
    return {
        key: dict(sorted(c.items(), key=lambda item: (-item[1], item[0])))
        for key, c in counters.items()
    }


def pack_fingerprint(pack: MeetingPack) -> str:
    """Return a sha256 of the candidates' statuses and the proposed commendations. Pure.

    Two packs with the same fingerprint offer the meeting the same decision.
    """
    state = {
        "units": sorted((u.participation_id, u.uscc, u.status.value) for u in pack.release)
        + sorted((u.participation_id, u.uscc, u.status.value) for u in pack.others),
        "commendations": sorted((c.id, c.uscc, c.kind, c.category_key) for c in pack.commendations),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def _latest_outcomes(session: Session, campaign_year: int) -> dict[int, ReviewOutcome]:
    """Return the latest-round ReviewOutcome per participation (one query)."""
    latest: dict[int, ReviewOutcome] = {}
    for outcome in session.exec(
        select(ReviewOutcome).where(ReviewOutcome.campaign_year == campaign_year)
    ).all():
        known = latest.get(outcome.participation_id)
        if known is None or outcome.round > known.round:
            latest[outcome.participation_id] = outcome
    return latest


def _associations(session: Session, campaign_year: int) -> dict[int, tuple[str, ...]]:
    """Return the recommending associations' codes per unit id (one query)."""
    codes: dict[int, set[str]] = defaultdict(set)
    for unit_id, code in session.exec(
        select(Recommendation.unit_id, Association.code)
        .join(Association, col(Association.id) == col(Recommendation.association_id))
        .where(Recommendation.campaign_year == campaign_year)
    ).all():
        codes[unit_id].add(code)
    return {unit_id: tuple(sorted(c)) for unit_id, c in codes.items()}


def _why_not(status: S, outcome: ReviewOutcome | None) -> str:
    """Return why a candidate is not on the proposed list, with its review result if any."""
    if status in PROPOSED:
        return ""
    why = NOT_PROPOSED_REASONS[status]
    if outcome is not None:
        why += f" (score {outcome.normalised_score:.1f}, {outcome.recommendation})"
    return why


def load_candidates(session: Session, campaign_year: int) -> list[PackUnit]:
    """Read every candidate of the meeting with its unit, associations and review result.

    Read-only; one query per table. Ordered by review rank, then USCC.
    """
    outcomes = _latest_outcomes(session, campaign_year)
    associations = _associations(session, campaign_year)
    units: list[PackUnit] = []
    for part, unit in session.exec(
        select(Participation, Unit)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign_year)
        .where(col(Participation.status).in_(sorted(CANDIDATES)))
    ).all():
        assert part.id is not None
        assert unit.id is not None
        outcome = outcomes.get(part.id)
        status = S(part.status)
        units.append(
            PackUnit(
                participation_id=part.id,
                uscc=unit.uscc,
                name=unit.name,
                status=status,
                associations=associations.get(unit.id, ()),
                industry=unit.industry,
                district=unit.district,
                ownership=unit.ownership,
                score=outcome.normalised_score if outcome else None,
                grade=outcome.grade if outcome else "",
                rank=outcome.rank if outcome else None,
                recommendation=outcome.recommendation if outcome else "",
                why_not_proposed=_why_not(status, outcome),
            )
        )
    return sorted(units, key=lambda u: (u.rank is None, u.rank or 0, u.uscc))


def load_proposed_commendations(
    session: Session, campaign_year: int, categories: dict[str, str]
) -> list[PackCommendation]:
    """Read the campaign's commendations still `proposed`, with their units (one query)."""
    rows = session.exec(
        select(Commendation, Unit.uscc, Unit.name)
        .join(Participation, col(Participation.id) == col(Commendation.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Commendation.campaign_year == campaign_year)
        .where(Commendation.status == "proposed")
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
    candidates = load_candidates(session, campaign.year)
    release = tuple(u for u in candidates if u.status in PROPOSED)
    return MeetingPack(
        campaign_year=campaign.year,
        built_on=built_on,
        release=release,
        others=tuple(u for u in candidates if u.status not in PROPOSED),
        commendations=tuple(load_proposed_commendations(session, campaign.year, categories)),
        categories=categories,
        statistics=pack_statistics(release),
    )
