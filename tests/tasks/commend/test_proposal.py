"""The commend task on a real database (SQLite, and PostgreSQL when configured).

The units are those of tests/commendkit.py: their ranking is 3, 1, 2, 5, 4, 6, 7 (4 and 6 tie
at 83.00; 4 has the higher review score); 4 is the fourth 电子信息 unit and the industry cap of
3 keeps it off the excellent list; the speakers come one per industry (3, 5, 7), then one per
category still unrepresented (2 for new productive forces, 4 for employee care), then by rank (1).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from commendkit import EVIL_TITLE, add_outcome, evaluation, seed_commend_units
from factories import make_uscc as _uscc
from meetingkit import WRONG_YEAR, file_report
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.release_tables import Commendation, MeetingDecision
from schemas.settings import Settings
from tasks.commend.proposal import CommendSummary, Proposal, make_proposal, proposal_markdown
from tasks.store import session_scope

REPO = Path(__file__).resolve().parents[3]
DAY = date(2024, 12, 16)


def _settings(database_url: str, tmp_path: Path, *, uncapped: bool = True) -> Settings:
    """Settings on the 2024 campaign file; `uncapped`: with max_share 1 and 6 speakers, the
    numbers of docs/commend.md's worked example (written before the share cap; the cap on the
    real file is test_the_real_campaign_file_caps_each_list_at_its_share)."""
    campaigns = REPO / "campaigns"
    if uncapped:
        text = (campaigns / "2024.toml").read_text("utf-8")
        text = text.replace("max_share = 0.3", "max_share = 1.0")
        text = text.replace("speakers = 3\n", "speakers = 6\n")
        campaigns = tmp_path / "campaigns"
        campaigns.mkdir(exist_ok=True)
        (campaigns / "2024.toml").write_text(text, "utf-8")
    return Settings(workspace=tmp_path / "ws", database_url=database_url, campaigns_dir=campaigns)


def _rows(engine: Engine) -> list[tuple[int, str, str, int, str, date]]:
    with Session(engine) as session:
        rows = session.exec(select(Commendation).order_by(col(Commendation.id))).all()
        return [
            (r.participation_id, r.kind, r.category_key, r.rank, r.status, r.proposed_on)
            for r in rows
        ]


def _proposal(settings: Settings, day: date = DAY) -> Proposal:
    return make_proposal(settings, 2024, day, "reports/test")


def _propose(settings: Settings, day: date = DAY) -> CommendSummary:
    return _proposal(settings, day).summary


@pytest.fixture
def ids(engine: Engine, campaign_2024: CampaignFile) -> dict[int, int]:
    with session_scope(engine) as session:
        return seed_commend_units(session, campaign_2024)


def test_proposal_ranks_selects_and_explains(
    engine: Engine, database_url: str, tmp_path: Path, ids: dict[int, int]
) -> None:
    settings = _settings(database_url, tmp_path)

    proposal = _proposal(settings)
    summary = proposal.summary

    p = ids
    expected = (
        [(p[n], "excellent_unit", "", place) for place, n in enumerate([3, 1, 2, 5, 6, 7], 1)]
        + [(p[3], "case", "green-low-carbon", 1), (p[1], "case", "green-low-carbon", 2)]
        + [(p[2], "case", "new-productive-forces", 1), (p[4], "case", "employee-care", 1)]
        + [(p[7], "case", "community", 1)]
        + [(p[n], "speaker", cat, place) for place, (n, cat) in enumerate(
            [(3, "green-low-carbon"), (1, "green-low-carbon"), (2, "new-productive-forces"),
             (5, ""), (4, "employee-care"), (7, "community")], 1)]
    )  # fmt: skip
    assert [row[:4] for row in _rows(engine)] == expected
    assert {row[4:] for row in _rows(engine)} == {("proposed", DAY)}
    assert (summary.candidates, summary.without_outcome, summary.without_performance) == (7, 1, 3)
    assert (summary.without_topics, summary.by_kind) == (
        2,
        {"excellent_unit": 6, "case": 5, "speaker": 6},
    )
    markdown = proposal_markdown(summary, proposal.categories)  # the commendation-summary page
    assert markdown.split("| category | quota | filled |\n|---|---|---|\n")[1].splitlines() == [
        "| 绿色低碳优秀案例 (green-low-carbon) | 5 | 2 |",
        "| 新质生产力优秀案例 (new-productive-forces) | 5 | 1 |",
        "| 员工关爱优秀案例 (employee-care) | 3 | 1 |",
        "| 社区参与与回报社会优秀案例 (community) | 3 | 1 |",
    ]
    assert summary.cases_by_category == {
        "green-low-carbon": 2,
        "new-productive-forces": 1,
        "employee-care": 1,
        "community": 1,
    }
    assert (summary.inserted, summary.updated, summary.deleted, summary.unchanged) == (17, 0, 0, 0)
    with Session(engine) as session:
        case = session.exec(
            select(Commendation)
            .where(Commendation.participation_id == p[3])
            .where(Commendation.kind == "case")
        ).one()
    assert (case.title, case.case_title) == ("绿色低碳优秀案例", "")  # no made-up case title
    assert case.reasons == [
        "综合分93.00 = 评审得分93.00 + 绩效加分0.00（评审得分满分100，绩效加分至多5分，"
        "综合分满分105）",
        "在7家可表彰候选单位中综合排名第1（无评审名次，四星级）",
        "无绩效评价数据，不计绩效加分",
        "“绿色低碳优秀案例”第1名（名额5家）",
        "报告中有5处“绿色发展与双碳”相关内容，见第2、3、4、5、6页",
        "也涉及“社区参与与回报社会优秀案例”，每家单位只入选一个案例类别",
    ]


def test_the_real_campaign_file_caps_each_list_at_its_share(
    engine: Engine, database_url: str, tmp_path: Path, ids: dict[int, int]
) -> None:
    # 30 % of the 7 candidates, rounded down: 2 excellent units, 2 cases in all (at most 2 a
    # category); 3 speakers. Ranking 3, 1, 2, 5, 4, 6, 7 (module docstring).
    settings = _settings(database_url, tmp_path, uncapped=False)

    summary = _propose(settings)

    p = ids
    assert summary.by_kind == {"excellent_unit": 2, "case": 2, "speaker": 3}
    assert [row[:4] for row in _rows(engine)] == [
        (p[3], "excellent_unit", "", 1),
        (p[1], "excellent_unit", "", 2),
        (p[3], "case", "green-low-carbon", 1),
        (p[1], "case", "green-low-carbon", 2),
        (p[3], "speaker", "green-low-carbon", 1),  # 电子信息's best
        (p[1], "speaker", "green-low-carbon", 2),  # the next commended unit by rank
        (p[5], "speaker", "", 3),  # too few commended: 金融's best of the rest
    ]
    with Session(engine) as session:
        reasons = [r for c in session.exec(select(Commendation)).all() for r in c.reasons]
    # Short Chinese sentences for the meeting: no English, no keys (core_topic_coverage).
    assert [r for r in reasons if re.search(r"[A-Za-z]", r) or len(r) > 60] == []


def test_workbook_lists_every_candidate_and_selection_with_text_kept_as_text(
    engine: Engine, database_url: str, tmp_path: Path, ids: dict[int, int]
) -> None:
    settings = _settings(database_url, tmp_path)

    summary = _propose(settings)

    path = settings.workspace / summary.report
    assert summary.report == "reports/test/commendation-candidates.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["candidates", "selections", "flagged"]
    candidates = list(wb["candidates"].iter_rows(values_only=True))
    assert [(r[0], r[1], r[11]) for r in candidates[1:]] == [
        (1, "上海测试0003科技有限公司", 93.0),
        (2, "上海测试0001科技有限公司", 91.0),
        (3, "上海测试0002科技有限公司", 90.5),
        (4, "上海测试0005科技有限公司", 85.0),
        (5, "上海测试0004科技有限公司", 83.0),
        (6, "上海测试0006科技有限公司", 83.0),
        (7, "上海测试0007科技有限公司", 75.0),
    ]
    title_cell = wb["candidates"].cell(row=6, column=7)
    assert (title_cell.value, title_cell.data_type) == (EVIL_TITLE, "s")
    assert candidates[5][13] == "优秀案例（employee-care）；发言单位（employee-care）"
    selections = list(wb["selections"].iter_rows(values_only=True))
    assert len(selections) == 1 + 17
    assert selections[1][:4] == ("优秀发布单位 excellent unit", None, 1, "上海测试0003科技有限公司")


def test_a_second_run_changes_nothing_and_new_facts_change_only_their_rows(
    engine: Engine, database_url: str, tmp_path: Path, ids: dict[int, int]
) -> None:
    settings = _settings(database_url, tmp_path)
    _propose(settings)
    before = _rows(engine)

    again = _propose(settings, date(2024, 12, 17))
    after_again = _rows(engine)
    with session_scope(engine) as session:  # unit 7 is evaluated: 80.00, still last
        session.add(evaluation(ids[7], 4, 4))
    evaluated = _propose(settings, date(2024, 12, 18))
    after_evaluation = _rows(engine)
    with session_scope(engine) as session:  # unit 9's outcome arrives: 99.00, first
        add_outcome(session, ids[9], 99.0)
    ranked = _propose(settings, date(2024, 12, 19))

    assert (again.inserted, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 17)
    assert after_again == before
    assert (evaluated.inserted, evaluated.updated, evaluated.deleted) == (0, 3, 0)
    assert [r[:3] for r in after_evaluation if r[5] == date(2024, 12, 18)] == [
        (ids[7], "excellent_unit", ""),
        (ids[7], "case", "community"),
        (ids[7], "speaker", "community"),
    ]
    assert (ranked.inserted, ranked.deleted, ranked.candidates) == (2, 1, 8)
    speakers = [r[0] for r in _rows(engine) if r[1] == "speaker"]
    assert sorted(speakers) == sorted(ids[n] for n in (9, 3, 5, 7, 2, 4))


def test_rows_the_meeting_decided_are_never_touched(
    engine: Engine, database_url: str, tmp_path: Path, ids: dict[int, int]
) -> None:
    settings = _settings(database_url, tmp_path)
    _propose(settings)
    with session_scope(engine) as session:
        rows = session.exec(select(Commendation).order_by(col(Commendation.id))).all()
        rows[0].status = "approved"  # unit 3, excellent unit 1
        rows[0].reasons = ["会议确认"]
        rows[1].status = "removed"  # unit 1, excellent unit 2
        add_outcome(session, ids[7], 99.0, round_=1)  # unit 7 now leads the ranking

    summary = _propose(settings, date(2024, 12, 18))
    with Session(engine) as session:
        decided = session.exec(
            select(Commendation).where(col(Commendation.status).in_(["approved", "removed"]))
        ).all()

    assert sorted((r.participation_id, r.status, r.rank, r.proposed_on) for r in decided) == sorted(
        [(ids[3], "approved", 1, DAY), (ids[1], "removed", 2, DAY)]
    )
    assert [r.reasons for r in decided if r.status == "approved"] == [["会议确认"]]
    assert summary.kept == 2

    with session_scope(engine) as session:
        session.add(
            MeetingDecision(
                campaign_year=2024,
                meeting_date=date(2024, 12, 27),
                decided_by="cli:test",
                decided_at=datetime(2024, 12, 27, 8, tzinfo=UTC),
                source="cli",
            )
        )
        session.add(
            Commendation(
                campaign_year=2024,
                participation_id=ids[6],
                kind="case",
                category_key="community",
                title="社区参与与回报社会优秀案例",
                rank=9,
                proposed_on=DAY,
            )
        )
    rows_before = _rows(engine)

    after_meeting = _propose(settings, date(2024, 12, 28))

    assert after_meeting.meeting_decided
    assert (after_meeting.inserted, after_meeting.deleted, after_meeting.report) == (0, 0, "")
    assert _rows(engine) == rows_before


def test_a_flagged_unit_is_not_proposed_and_the_summary_lists_why(
    engine: Engine, database_url: str, tmp_path: Path, ids: dict[int, int]
) -> None:
    """Regression (issue 22): a wrong-year report was commended as 优秀发布单位."""
    settings = _settings(database_url, tmp_path)
    with session_scope(engine) as session:
        file_report(session, ids[3], [WRONG_YEAR])  # the top of the ranking

    proposal = _proposal(settings)

    assert ids[3] not in {row[0] for row in _rows(engine)}
    assert proposal.summary.flagged == 1
    markdown = proposal_markdown(proposal.summary, proposal.categories, proposal.skipped)
    assert "有标记未入选 Flagged, not proposed" in markdown
    assert "上海测试0003科技有限公司" in markdown
    assert "报告年度存疑" in markdown
    wb = load_workbook(settings.workspace / proposal.summary.report)
    flagged = list(wb["flagged"].iter_rows(min_row=2, values_only=True))
    assert [row[:2] for row in flagged] == [("上海测试0003科技有限公司", _uscc(3))]
