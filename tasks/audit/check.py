"""Run every invariant of the season over a loaded snapshot: `check_snapshot` (pure) and
`audit_season` (load, then check). Importable without prefect.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from schemas.campaign_file import CampaignFile
from schemas.settings import Settings
from tasks.audit.commended import commended_violations
from tasks.audit.load import load_snapshot
from tasks.audit.mail import deadline_violations, letter_violations
from tasks.audit.outbox import outbox_violations
from tasks.audit.release import (
    certificate_violations,
    pack_violations,
    release_violations,
)
from tasks.audit.snapshot import Snapshot
from tasks.audit.states import assignment_violations, status_violations
from tasks.audit.violations import Violation, sort_key


def check_snapshot(snapshot: Snapshot, as_of: date) -> list[Violation]:
    """Return every violation of the season's invariants on `as_of`, in listing order. Pure."""
    found = [
        *status_violations(snapshot, as_of),
        *assignment_violations(snapshot, as_of),
        *letter_violations(snapshot),
        *release_violations(snapshot),
        *deadline_violations(snapshot),
        *outbox_violations(snapshot),
        *commended_violations(snapshot),
        *certificate_violations(snapshot),
        *pack_violations(snapshot),
    ]
    return sorted(found, key=sort_key)


def audit_season(
    session: Session, campaign: CampaignFile, as_of: date, settings: Settings | None = None
) -> list[Violation]:
    """Load the season (reads the database and the workspace) and return its violations."""
    snapshot = load_snapshot(session, campaign, settings or Settings())
    return check_snapshot(snapshot, as_of)
