"""Save who takes part: associations, units, recommendations and participations, in bulk.

Upserts keyed by natural keys (association code, USCC, campaign x association x unit), so a
re-run with the same or a corrected file updates rows and never duplicates them. Runs inside
the caller's session; one query per table per batch, never one per row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from schemas.enums import ParticipationStatus
from schemas.rows import AssociationRow
from schemas.tables import Association, Participation, Recommendation, Unit
from tasks.mobilize.recommendations import AcceptedRecommendation
from tasks.store import bulk_insert

CHUNK = 900  # below SQLite's bound-parameter limit


@dataclass(frozen=True)
class SaveCounts:
    """How many rows a save created and updated, per table."""

    associations_new: int = 0
    units_new: int = 0
    units_updated: int = 0
    recommendations_new: int = 0
    recommendations_updated: int = 0
    participations_new: int = 0
    new_participation_ids: tuple[int, ...] = ()


class RecommendationKey(NamedTuple):
    """A recommendation's natural key within a campaign: who recommended which unit."""

    association_id: int
    unit_id: int


def _chunks(values: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def upsert_associations(session: Session, rows: Sequence[AssociationRow]) -> int:
    """Insert new associations and update the names and contacts of known ones; return new."""
    existing = {a.code: a for a in session.exec(select(Association)).all()}
    new: list[Association] = []
    for row in rows:
        assoc = existing.get(row.code)
        if assoc is None:
            new.append(Association(**row.model_dump()))
            continue
        for key, value in row.model_dump().items():
            setattr(assoc, key, value)
    bulk_insert(session, new)
    return len(new)


def association_ids(session: Session) -> dict[str, int]:
    """Return association ids by code."""
    return {a.code: a.id for a in session.exec(select(Association)).all() if a.id is not None}


def row_digest(acc: AcceptedRecommendation) -> str:
    """Return the sha256 of a recommendation row's validated values."""
    body = json.dumps(acc.row.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def stored_digests(session: Session, campaign_year: int) -> dict[tuple[str, str], str]:
    """Return the content hash of each stored recommendation by (association code, USCC)."""
    rows = session.exec(
        select(Association.code, Unit.uscc, Recommendation.content_sha256)
        .join(Recommendation, col(Recommendation.association_id) == col(Association.id))
        .join(Unit, col(Unit.id) == col(Recommendation.unit_id))
        .where(Recommendation.campaign_year == campaign_year)
    ).all()
    return {(code, uscc): digest for code, uscc, digest in rows}


def upsert_units(
    session: Session,
    accepted: Sequence[AcceptedRecommendation],
    now: datetime,
    unchanged: AbstractSet[tuple[str, str]] = frozenset(),
) -> tuple[dict[str, int], int, int]:
    """Insert or update one Unit per USCC (the last row in batch order wins); return ids by USCC.

    Rows in `unchanged` ((association code, USCC) whose content is already stored) create a
    missing unit but never update a known one: the unit's own later details stay.
    """
    latest: dict[str, AcceptedRecommendation] = {}
    for acc in accepted:
        if (acc.row.association_code, acc.row.uscc) not in unchanged or acc.row.uscc not in latest:
            latest[acc.row.uscc] = acc
    changed_usccs = {
        acc.row.uscc
        for acc in accepted
        if (acc.row.association_code, acc.row.uscc) not in unchanged
    }
    codes = sorted(latest)
    found: dict[str, Unit] = {}
    for chunk in _chunks(codes):
        for unit in session.exec(select(Unit).where(col(Unit.uscc).in_(chunk))).all():
            found[unit.uscc] = unit
    new: list[Unit] = []
    updated = 0
    for uscc in codes:
        row = latest[uscc].row
        values: dict[str, Any] = {
            "name": row.name,
            "kind": row.kind,
            "district": row.district,
            "industry": row.industry,
            "ownership": row.ownership,
            "listed": bool(row.listed),
            "contact_name": row.contact_name,
            "email": row.email,
            "phone": row.phone,
        }
        known = found.get(uscc)
        if known is None:
            fresh = Unit(uscc=uscc, updated_at=now, **values)
            new.append(fresh)
            found[uscc] = fresh
        elif uscc in changed_usccs and any(getattr(known, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(known, k, v)
            known.updated_at = now
            updated += 1
    bulk_insert(session, new)
    return {u: unit.id for u, unit in found.items() if unit.id is not None}, len(new), updated


def upsert_recommendations(
    session: Session,
    campaign_year: int,
    accepted: Sequence[AcceptedRecommendation],
    unit_ids: dict[str, int],
    assoc_ids: dict[str, int],
    as_of: date,
) -> tuple[int, int]:
    """Insert or update one Recommendation per campaign x association x unit; return counts."""
    existing = {
        RecommendationKey(r.association_id, r.unit_id): r
        for r in session.exec(
            select(Recommendation).where(Recommendation.campaign_year == campaign_year)
        ).all()
    }
    new: list[Recommendation] = []
    updated = 0
    for acc in accepted:
        key = RecommendationKey(assoc_ids[acc.row.association_code], unit_ids[acc.row.uscc])
        values: dict[str, Any] = {
            "stated_name": acc.row.name,
            "stated_contact": acc.row.contact_name,
            "stated_email": acc.row.email,
            "source_file": acc.file,
            "source_row": acc.row_number,
            "position": acc.position,
            "held": acc.held,
            "content_sha256": row_digest(acc),
        }
        rec = existing.get(key)
        if rec is None:
            rec = Recommendation(
                campaign_year=campaign_year,
                association_id=key.association_id,
                unit_id=key.unit_id,
                recommended_on=as_of,
                **values,
            )
            new.append(rec)
            existing[key] = rec
        elif any(getattr(rec, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(rec, k, v)
            updated += 1
    bulk_insert(session, new)
    return len(new), updated


def ensure_participations(
    session: Session, campaign_year: int, unit_ids: Iterable[int], as_of: date, now: datetime
) -> list[int]:
    """Create a `recommended` participation for each unit that has none; return the new ids."""
    wanted = set(unit_ids)
    have = set(
        session.exec(
            select(Participation.unit_id).where(Participation.campaign_year == campaign_year)
        ).all()
    )
    new = [
        Participation(
            campaign_year=campaign_year,
            unit_id=unit_id,
            status=ParticipationStatus.RECOMMENDED,
            status_changed_at=now,
            created_on=as_of,
        )
        for unit_id in sorted(wanted - have)
    ]
    bulk_insert(session, new)
    return [p.id for p in new if p.id is not None]


def save_recommendations(
    session: Session,
    campaign_year: int,
    accepted: Sequence[AcceptedRecommendation],
    as_of: date,
    now: datetime,
) -> SaveCounts:
    """Save units, recommendations and participations for accepted (non-held or held) rows.

    Held rows (over quota, `hold`) are recorded as recommendations but get no participation
    until the operator releases them.
    """
    assoc_ids = association_ids(session)
    stored = stored_digests(session, campaign_year)
    unchanged = {
        (a.row.association_code, a.row.uscc)
        for a in accepted
        if stored.get((a.row.association_code, a.row.uscc)) == row_digest(a)
    }
    unit_ids, units_new, units_updated = upsert_units(session, accepted, now, unchanged)
    recs_new, recs_updated = upsert_recommendations(
        session, campaign_year, accepted, unit_ids, assoc_ids, as_of
    )
    active_units = {unit_ids[a.row.uscc] for a in accepted if not a.held}
    new_participations = ensure_participations(session, campaign_year, active_units, as_of, now)
    return SaveCounts(
        units_new=units_new,
        units_updated=units_updated,
        recommendations_new=recs_new,
        recommendations_updated=recs_updated,
        participations_new=len(new_participations),
        new_participation_ids=tuple(new_participations),
    )
