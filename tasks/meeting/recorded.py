"""A recorded meeting decision as runs and pages report it: with its lists, or in numbers.

`RecordedDecision` is a stored decision with its lists (the `meeting-decision` artifact's
content); `DecisionSummary` the same in numbers, as runs return it. No I/O.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict


class DecisionSummary(BaseModel):
    """A recorded meeting decision in numbers, as runs report it.

    The lists themselves are in the MeetingDecision row and the `meeting-decision` artifact.
    """

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    version: int
    meeting_date: date
    decided_by: str
    source: str
    flow_run_id: str
    released: int  # units on the final release list
    removed: int  # candidates not released, each with its reason in the row
    added: int  # units the meeting added to the release list
    commendations_approved: int
    commendations_removed: int


class RecordedDecision(BaseModel):
    """A recorded meeting decision with its lists (the `meeting-decision` artifact's content)."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    version: int
    meeting_date: date
    decided_by: str
    source: str
    flow_run_id: str
    release_list: list[str]
    commendations_approved: int
    commendations_removed: int
    removed: dict[str, str]
    added: dict[str, str]
    notes: str = ""
    overrides: dict[str, dict[str, Any]] = {}  # USCC -> {"flags": [codes], "reason": text}
    pack_fingerprint: str = ""

    def summary(self) -> DecisionSummary:
        """Return the decision in numbers. Pure."""
        return DecisionSummary(
            campaign_year=self.campaign_year,
            version=self.version,
            meeting_date=self.meeting_date,
            decided_by=self.decided_by,
            source=self.source,
            flow_run_id=self.flow_run_id,
            released=len(self.release_list),
            removed=len(self.removed),
            added=len(self.added),
            commendations_approved=self.commendations_approved,
            commendations_removed=self.commendations_removed,
        )
