"""The assignment task: the overrides files are read before the transaction opens, and their
problems are reported where an operator sees them (the xlsx and the artifact)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from artifactkit import artifact_table
from factories import make_uscc, write_xlsx
from reviewkit import OpenSessions

import tasks.review.assign
import tasks.review.assign_inputs
from schemas.campaign_file import CampaignFile
from schemas.columns import REVIEW_OVERRIDES
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.review.assign import assign_review, assignment_tables
from tasks.review.assignment.plan import AssignmentPlan, Pair, Shortfall
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def test_overrides_are_read_before_the_transaction_and_their_problems_reported(
    workspace: Path, tmp_path: Path, campaign_2024: CampaignFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
    overrides = write_xlsx(
        tmp_path / "overrides.xlsx",
        [{"统一社会信用代码": make_uscc(7), "专家邮箱": "expert1@review.example.org",
          "操作": "回避"}],
        REVIEW_OVERRIDES,
    )  # fmt: skip
    sessions = OpenSessions(monkeypatch, tasks.review.assign)
    sessions.watch_reader(monkeypatch, tasks.review.assign_inputs, "read_rows")

    state = assign_review(
        settings, 2024, date(2024, 12, 2), [str(overrides)], "reports/t", return_state=True
    )

    summary = state.result()
    assert sessions.when_read == [0]  # no session open while the file was read
    assert sessions.opened == 1
    assert (summary.reports_assigned, summary.problems_by_code) == (0, {"not-awaiting-review": 1})
    assert summary.report == "reports/t/override-rejections.xlsx"
    rows, _ = artifact_table("override-rejections", task_run=state.state_details.task_run_id)
    assert [(r["row"], r["value"], r["code"]) for r in rows] == [
        (2, make_uscc(7), "not-awaiting-review")
    ]


def test_a_report_short_of_reviewers_keeps_the_experts_it_got() -> None:
    # Seen in the 20-unit demo: 上海江申能源有限公司 filed on 24 Nov, only 2 of 6 experts were
    # free of conflict, its pairs were dropped and it stayed submitted through the release.
    plan = AssignmentPlan(
        pairs=[
            Pair(1, "a@x.org", ["行业匹配"]),
            Pair(1, "b@x.org", ["负载均衡"]),
            Pair(2, "a@x.org", ["行业匹配"]),
            Pair(2, "b@x.org", ["行业匹配"]),
            Pair(2, "c@x.org", ["行业匹配"]),
        ],
        shortfalls=[Shortfall(1, needed=3, got=2, why="conflicts")],
        loads={"a@x.org": 2, "b@x.org": 2, "c@x.org": 1},
    )

    tables = assignment_tables(
        plan, {1: "单位1", 2: "单位2"}, {"a@x.org": "甲", "b@x.org": "乙", "c@x.org": "丙"}
    )

    assert [(p.participation_id, p.reviewer_key) for p in tables.kept] == [
        (1, "a@x.org"), (1, "b@x.org"), (2, "a@x.org"), (2, "b@x.org"), (2, "c@x.org"),
    ]  # fmt: skip
    assert tables.short == [{"unit": "单位1", "needed": 3, "got": 2, "why": "conflicts"}]
