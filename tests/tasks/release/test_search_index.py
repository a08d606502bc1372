"""The release makes exactly the released units' decided reports searchable, on both databases."""

from __future__ import annotations

from pathlib import Path

from searchkit import released_reports
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import SubmissionKind
from schemas.search_tables import ReportPage
from schemas.tables import Submission
from tasks.release.search import SearchQuery, search_pages
from tasks.release.search_index import index_released_now
from tasks.store import session_scope
from tasks.submit.page_texts import page_rows


def test_only_released_units_reports_become_searchable(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        summary = released_reports(session, campaign_2024, tmp_path, [1, 2], approved=[3])
        found = search_pages(session, SearchQuery(("科技有限公司",), limit=100))
        pages = session.exec(
            select(Submission.participation_id, ReportPage.searchable).join(
                ReportPage, col(ReportPage.submission_id) == col(Submission.id)
            )
        ).all()

    assert (summary.reports_added, summary.reports_removed, summary.reports_searchable) == (2, 0, 2)
    assert dict(pages) == {1: True, 2: True, 3: False}
    assert summary.pages_searchable == sum(s for _, s in pages) > 0
    assert {h.unit_name for h in found} == {"上海测试0001科技有限公司", "上海测试0002科技有限公司"}


def test_a_second_run_changes_nothing(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        released_reports(session, campaign_2024, tmp_path, [1])
    with session_scope(engine) as session:
        again = index_released_now(session, 2024)
        found = search_pages(session, SearchQuery(("上海测试0001",), limit=100))

    assert (again.reports_added, again.reports_removed, again.pages_searchable) == (0, 0, 12)
    assert len(found) == 12  # each page once, not twice


def test_a_newer_version_replaces_the_older_in_the_index(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        released_reports(session, campaign_2024, tmp_path, [1])
        first = session.exec(select(Submission)).one()
        second = Submission.model_validate(first.model_dump(exclude={"id"}) | {"version": 2})
        session.add(second)
        session.flush()
        assert second.id is not None
        session.add_all(page_rows(second.id, ["第二版：推进碳达峰行动"]))
        session.flush()
        summary = index_released_now(session, 2024)
        old_text = search_pages(session, SearchQuery(("上海测试0001",)))
        new_text = search_pages(session, SearchQuery(("碳达峰行动",)))
        searchable = session.exec(
            select(ReportPage.submission_id).where(col(ReportPage.searchable)).distinct()
        ).all()

    assert (summary.reports_added, summary.reports_removed) == (1, 1)
    assert old_text == []
    assert [(h.page, h.excerpt.plain) for h in new_text] == [(1, "第二版：推进碳达峰行动")]
    assert searchable == [second.id]
    assert first.kind == SubmissionKind.REPORT_PDF
