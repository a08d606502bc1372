"""Saving recommendations: upserts by natural key, re-runs change nothing, corrections update."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from factories import recommendation_row, write_associations, write_csv, write_recommendations
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from schemas.campaign_file import CampaignFile
from schemas.columns import RECOMMENDATIONS
from schemas.enums import OverQuota, ParticipationStatus
from schemas.tables import Participation, Recommendation, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.mobilize.lists import read_recommendation_lists, validate_associations
from tasks.mobilize.participants import save_recommendations, upsert_associations
from tasks.mobilize.recommendations import decide_recommendations
from tasks.store import session_scope

NOW = datetime(2024, 10, 10, 2, 0, tzinfo=UTC)
DAY = date(2024, 10, 10)


def _ingest(engine: Engine, campaign: CampaignFile, folder: Path) -> tuple[int, int, int, int]:
    rows, _ = validate_associations(folder / "associations.xlsx")
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, NOW)
        upsert_associations(session, rows)
        batch = decide_recommendations(
            read_recommendation_lists((folder / "recommendations").iterdir()),
            campaign_year=2024,
            known_associations={r.code for r in rows},
            quota_min=1,
            quota_max=20,
            over_quota=OverQuota.HOLD,
        )
        counts = save_recommendations(session, 2024, batch.accepted, DAY, NOW)
    return (
        counts.units_new,
        counts.units_updated,
        counts.recommendations_new,
        counts.participations_new,
    )


def _count(engine: Engine, table: type) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def test_rerun_with_the_same_files_changes_nothing(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    write_associations(tmp_path / "associations.xlsx", ["A001", "A002"])
    write_recommendations(tmp_path / "recommendations/A001.xlsx", "A001", [1, 2, 3])
    write_recommendations(tmp_path / "recommendations/A002.csv", "A002", [3, 4])

    first = _ingest(engine, campaign_2024, tmp_path)
    second = _ingest(engine, campaign_2024, tmp_path)

    assert first == (4, 0, 5, 4)
    assert second == (0, 0, 0, 0)
    assert (
        _count(engine, Unit),
        _count(engine, Recommendation),
        _count(engine, Participation),
    ) == (
        4,
        5,
        4,
    )


def test_corrected_file_updates_the_unit_and_lands_the_fixed_row(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    write_associations(tmp_path / "associations.xlsx", ["A001"])
    bad = [recommendation_row("A001", 1), recommendation_row("A001", 2, email="broken")]
    write_csv(tmp_path / "recommendations/A001.csv", bad, RECOMMENDATIONS)
    assert _ingest(engine, campaign_2024, tmp_path) == (1, 0, 1, 1)

    fixed = [
        recommendation_row("A001", 1, name="上海测试0001科技股份有限公司"),
        recommendation_row("A001", 2),
    ]
    write_csv(tmp_path / "recommendations/A001.csv", fixed, RECOMMENDATIONS)

    assert _ingest(engine, campaign_2024, tmp_path) == (1, 1, 1, 1)
    with session_scope(engine) as session:
        names = sorted(session.exec(select(Unit.name)).all())
        statuses = set(session.exec(select(Participation.status)).all())
    assert names == ["上海测试0001科技股份有限公司", "上海测试0002科技有限公司"]
    assert statuses == {ParticipationStatus.RECOMMENDED}
