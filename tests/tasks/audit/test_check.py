"""`audit_season`: every invariant over a stored season, listed in order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from auditkit import seed_audited_season

from schemas.campaign_file import CampaignFile
from schemas.settings import Settings
from tasks.audit.check import audit_season
from tasks.audit.violations import INVARIANTS, counts_by_invariant
from tasks.store import make_engine, session_scope


def test_a_stored_season_lists_what_falls_through(
    campaign_2024: CampaignFile, workspace: Path
) -> None:
    engine = make_engine(Settings())
    ids = seed_audited_season(engine, campaign_2024, workspace)
    with session_scope(engine) as session:
        found = audit_season(session, campaign_2024, date(2025, 1, 20), Settings())
        before_review = audit_season(session, campaign_2024, date(2024, 11, 1), Settings())
    engine.dispose()

    counts = counts_by_invariant(found)
    # 2 approved after the release, 3 revision not in, 4 never assigned, 8 should have lapsed
    assert counts["states"] == 4
    assert counts["letters"] == 1  # unit 1's letter states no score or grade
    assert counts["release"] == 2  # units 1 and 2 are not on the meeting's list
    assert counts["outbox"] == 1  # the failed reminder
    assert counts["certificates"] == 1  # the certificate file is not in the workspace
    assert counts["assigned"] == 3  # 2, 3 and 7 filed and moved on without an assignment
    assert sum(counts.values()) == len(found) == 12
    order = [list(INVARIANTS).index(v.invariant) for v in found]
    assert order == sorted(order)
    assert counts_by_invariant(before_review)["states"] == 0
    assert len(ids) == 8
