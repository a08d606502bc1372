"""The meeting pack: what the guiding units' meeting decides on, as plain values.

Every participation of the campaign is in the pack exactly once: on the proposed release list
(its report passed the review and carries no flag) or among the units not proposed, each with
its reason in Chinese and its flags (tasks/meeting/pack_reasons.py); scores and grades are the
decided review version. The commendations are the campaign's `proposed` Commendation rows of
units on the proposed list; proposed rows of other units are `withheld` (the meeting removes
them unless it adds the unit and overrides its flags). `pack_statistics` and `pack_fingerprint`
are pure; reading the pack is tasks/meeting/pack_load.py, writing it tasks/meeting/pack_files.py.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict

from schemas.enums import ParticipationStatus as S
from tasks.common.report_flags import ReportFlag

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
    recommendation: str = ""  # the decided review: pass | revise | reject ("" undecided)
    why_not_proposed: str = ""  # Chinese; empty when proposed
    why_not_proposed_en: str = ""
    flags: tuple[ReportFlag, ...] = ()
    addable: bool = False  # the meeting may add it to the release list (a candidate)

    @property
    def flag_codes(self) -> tuple[str, ...]:
        """The codes of the unit's flags."""
        return tuple(f.code for f in self.flags)


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
    release: tuple[PackUnit, ...]  # proposed for release
    others: tuple[PackUnit, ...]  # every other participation, each with why not proposed
    commendations: tuple[PackCommendation, ...]  # proposed, of units on the release list
    withheld: tuple[PackCommendation, ...] = ()  # proposed, of units not on the release list
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
        """USCCs of the candidates not proposed that the meeting may add (with a reason)."""
        return frozenset(u.uscc for u in self.others if u.addable)

    @property
    def units(self) -> tuple[PackUnit, ...]:
        """Every participation of the pack: the proposed list, then the others."""
        return (*self.release, *self.others)

    @property
    def candidates(self) -> tuple[PackUnit, ...]:
        """The units the meeting decides on: the proposed list and the others it may add."""
        return (*self.release, *(u for u in self.others if u.addable))

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
    """Return a sha256 of everything the pack shows but the day it was built. Pure.

    Two packs with the same fingerprint show the meeting the same lists: the same units in the
    same places and statuses, with the same scores, grades, flags and reasons, and the same
    commendations.
    """
    state = pack.model_dump(mode="json", exclude={"built_on"})
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
