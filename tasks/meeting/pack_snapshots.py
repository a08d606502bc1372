"""The packs shown to the meeting, kept by fingerprint so a stale decision can say what changed.

Each pack shown (by the meeting run, or by `campaign approve`) is written once as JSON under
`reports/meeting-packs/<year>/<fingerprint>.json` in the workspace; a decision given on a pack
that has since changed reads the one it was given on back and lists the difference
(tasks/meeting/pack_diff.py). Plain functions; files only, no database, no Prefect.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from schemas.settings import Settings
from tasks.meeting.pack import MeetingPack, pack_fingerprint

SNAPSHOT_DIR = "reports/meeting-packs"


def snapshot_path(settings: Settings, campaign_year: int, fingerprint: str) -> Path:
    """Return where the pack with this fingerprint is kept (inside the workspace)."""
    name = "".join(ch for ch in fingerprint if ch in "0123456789abcdef")[:64] or "unknown"
    return settings.inside_workspace(SNAPSHOT_DIR, str(campaign_year), f"{name}.json")


def save_snapshot(settings: Settings, pack: MeetingPack) -> str:
    """Write the pack as JSON under its fingerprint (once; same fingerprint, same content).

    Side effect: one file inside the workspace. Returns the fingerprint.
    """
    fingerprint = pack_fingerprint(pack)
    path = snapshot_path(settings, pack.campaign_year, fingerprint)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(pack.model_dump_json(), encoding="utf-8")
        partial.replace(path)
    return fingerprint


def load_snapshot(settings: Settings, campaign_year: int, fingerprint: str) -> MeetingPack | None:
    """Return the pack kept under this fingerprint, or None when there is none (or unreadable)."""
    path = snapshot_path(settings, campaign_year, fingerprint)
    try:
        return MeetingPack.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None
