"""The season as the audit reads it: plain frozen values, loaded once (tasks/audit/load.py).

The rules never touch the database or the files: everything they judge is here. Dates are
business dates in the campaign's time zone; `now` is when the snapshot was read (leases are
judged against it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One participation: its unit, status and when it last moved."""

    participation_id: int
    unit_name: str
    uscc: str
    status: ParticipationStatus
    changed_on: date  # when the status last moved (wall clock, in the campaign's zone)
    revision_round: int
    created_on: date


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """One expert assigned to one report for one round, and whether the sheet is in."""

    participation_id: int
    reviewer_name: str
    round: int
    assigned_on: date
    absent_on: date | None
    sheet_in: bool


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One decided version of a round's outcome (review_decision)."""

    participation_id: int
    round: int
    version: int
    decision: str
    score: float
    grade: str
    decided_on: date


@dataclass(frozen=True, slots=True)
class MailRow:
    """One outbox row, without its bodies: what the audit needs from the meta."""

    id: int
    template: str
    status: str
    subject_ref: str
    facts: dict[str, Any]
    business_day: date | None
    deadlines: tuple[date, ...]
    lease_until: datetime | None


@dataclass(frozen=True, slots=True)
class CommendationRow:
    """One commendation proposal and its status."""

    participation_id: int
    kind: str
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class CertificateRow:
    """One certificate issue, with the sha256 of the file found at its stored path (None: gone)."""

    participation_id: int
    number: str
    version: int
    sha256: str
    stored_path: str
    file_sha256: str | None


@dataclass(frozen=True, slots=True)
class MeetingRow:
    """The newest recorded meeting decision."""

    version: int
    meeting_date: date
    release_list: tuple[str, ...]
    added: dict[str, str]
    notes: str
    # USCC -> the flag codes overridden; None when the schema has no `overrides` column
    overrides: dict[str, tuple[str, ...]] | None = None


@dataclass(frozen=True, slots=True)
class ReleaseFiles:
    """What the release wrote into the workspace (None: that part was not written yet)."""

    catalogue_grades: dict[str, str] | None = None  # slug -> the grade its page shows
    statistics: dict[str, int] | None = None  # headline key -> value
    pack_uscc_counts: dict[str, int] | None = None  # USCC -> times the meeting pack lists it
    pack_file: str = ""


@dataclass(frozen=True)
class Snapshot:
    """The whole season as plain values (see the module docstring)."""

    campaign: CampaignFile
    now: datetime
    units: tuple[UnitRow, ...] = ()
    # participations that filed everything: the day their last step was first filed
    submitted_on: dict[int, date] = field(default_factory=dict)
    report_on: dict[int, date] = field(default_factory=dict)  # its latest report version
    assignments: tuple[AssignmentRow, ...] = ()
    decisions: tuple[DecisionRow, ...] = ()
    screenings: dict[int, dict[str, Any] | None] = field(default_factory=dict)
    mails: tuple[MailRow, ...] = ()
    outbox_total: int = 0
    outbox_counts: dict[str, int] = field(default_factory=dict)
    commendations: tuple[CommendationRow, ...] = ()
    certificates: tuple[CertificateRow, ...] = ()
    meeting: MeetingRow | None = None
    files: ReleaseFiles = field(default_factory=ReleaseFiles)

    def unit(self, participation_id: int) -> UnitRow | None:
        """Return the participation's row, or None."""
        return self._by_id().get(participation_id)

    def _by_id(self) -> dict[int, UnitRow]:
        cached: dict[int, UnitRow] | None = self.__dict__.get("_units_by_id")
        if cached is None:
            cached = {u.participation_id: u for u in self.units}
            object.__setattr__(self, "_units_by_id", cached)
        return cached
