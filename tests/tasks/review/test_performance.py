"""The review stage's 绩效评价 task on a real database: who is evaluated, what is stored, re-runs
skip unchanged units, a new filing is evaluated again; the rows later stages read; artifacts."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from artifactkit import artifact_keys, artifact_table, table_rows
from factories import add_association, add_participation, basic_info_row, financial_rows, make_uscc
from prefect import task
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.columns import BASIC_INFO, FINANCIALS
from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind as K
from schemas.form_rows import BasicInfoRow, FinancialRow
from schemas.performance_inputs import FormFigures, form_from_stored
from schemas.review_tables import PerformanceEvaluation
from schemas.screening import ScreenResult, TopicCoverage
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Submission, Unit
from tasks.common.campaigns import ensure_campaign
from tasks.common.enrolment import Enrolled
from tasks.common.submissions import canonical_json
from tasks.review.performance import (
    PerformanceSummary,
    evaluate_performance,
    load_unit_filings,
    publish_performance,
    save_evaluations,
    with_contents,
)
from tasks.review.performance_rows import Row, coverage_rows, performance_summary_rows
from tasks.store import session_scope
from tasks.submit.forms import decide_basic_info, decide_financials

FIRST, LATER = date(2024, 12, 5), date(2024, 12, 9)


def _keyed(row: dict[str, Any], columns: Any) -> dict[str, Any]:
    """Return a row keyed by Chinese header as a row keyed by field."""
    return {c.key: row[c.header] for c in columns if c.header in row}


def _form(n: int, **overrides: Any) -> dict[str, Any]:
    """Return the data the form ingest stores for unit n's basic-information row."""
    row = basic_info_row(n, **overrides)
    valid = BasicInfoRow.model_validate(_keyed(row, BASIC_INFO.columns))
    enrolled = {make_uscc(n): Enrolled(n, S.REGISTERED)}
    return decide_basic_info([(valid, "forms.xlsx", 2)], enrolled, 2023).data[make_uscc(n)]


def _books(n: int, years: list[int], **overrides: Any) -> dict[str, Any]:
    """Return the data the form ingest stores for unit n's financial statements."""
    rows = [
        (FinancialRow.model_validate(_keyed(r, FINANCIALS.columns)), "f.xlsx", i + 2)
        for i, r in enumerate(financial_rows(n, years, **overrides))
    ]
    enrolled = {make_uscc(n): Enrolled(n, S.REGISTERED)}
    return decide_financials(rows, enrolled, 2023).data[make_uscc(n)]


def _screening(core_covered: int, green: bool) -> dict[str, Any]:
    """Return a stored pre-screen of a clean report: `core_covered` of 9 core topics shown."""
    topics = [
        TopicCoverage(key=f"c{i}", name=f"核心{i}", kind="core", hits=4, pages=[1],
                      covered=i < core_covered)
        for i in range(9)
    ] + [
        TopicCoverage(key="green", name="绿色发展与双碳", kind="focus", hits=4, pages=[2],
                      covered=green),
        TopicCoverage(key="npf", name="新质生产力", kind="focus", hits=0, pages=[], covered=False),
    ]  # fmt: skip
    return ScreenResult(file="r.pdf", size=1000, opened=True, topics=topics).to_stored()


def _file(session: Session, pid: int, kind: K, version: int, data: dict[str, Any] | None = None,
          screening: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Add one version of a filing, hashed as the ingest hashes it."""
    body = canonical_json(data or screening or {"v": version})
    at = datetime(2024, 11, 10, 2, 0, tzinfo=UTC)
    session.add(
        Submission(
            campaign_year=2024,
            participation_id=pid,
            kind=kind,
            version=version,
            stored_path=f"archive/2024/{kind.value}/{pid}-{version}",
            sha256=hashlib.sha256(body).hexdigest(),
            size=len(body),
            received_on=at.date(),
            received_at=at,
            data=data,
            screening=screening,
        )
    )


def _seed(engine: Engine, campaign: CampaignFile) -> dict[int, int]:
    """Units 1-5: 1, 2, 4, 5 in review or later (4 filed no figures), 3 only submitted."""
    with session_scope(engine) as session:
        ensure_campaign(session, campaign, now_utc())
        a1 = add_association(session, "A001")
        ids = {
            1: add_participation(session, 1, [a1], S.IN_REVIEW),
            2: add_participation(session, 2, [a1], S.REVIEW_PASSED),
            3: add_participation(session, 3, [a1], S.SUBMITTED),
            4: add_participation(session, 4, [a1], S.IN_REVIEW, [K.RECEIPT]),
            5: add_participation(session, 5, [a1], S.RELEASED),
        }
        _file(session, ids[1], K.BASIC_INFO, 1, _form(1, penalties=3))  # replaced by version 2
        _file(session, ids[1], K.BASIC_INFO, 2, _form(1, donations=200, penalties=0))
        _file(session, ids[1], K.FINANCIALS, 1, _books(1, [2021, 2022, 2023]))
        _file(session, ids[1], K.REPORT_PDF, 1, screening=_screening(7, True))
        _file(session, ids[2], K.BASIC_INFO, 1, _form(2))
        _file(session, ids[3], K.BASIC_INFO, 1, _form(3))
        _file(session, ids[4], K.REPORT_PDF, 1, screening=_screening(9, True))
        _file(session, ids[5], K.FINANCIALS, 1, _books(5, [2022, 2023], total_liabilities=270000))
        unit5 = session.exec(select(Unit).where(Unit.uscc == make_uscc(5))).one()
        unit5.industry = "银行业"
    return ids


def _settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(workspace=tmp_path / "ws", database_url=database_url)


def _rows(engine: Engine) -> dict[int, PerformanceEvaluation]:
    with session_scope(engine) as session:
        return {
            r.participation_id: r
            for r in session.exec(
                select(PerformanceEvaluation).order_by(col(PerformanceEvaluation.id))
            ).all()
        }


def _value(row: PerformanceEvaluation, key: str) -> Any:
    return row.indicators[key]["value"]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_units_in_review_with_figures_are_evaluated_from_their_latest_filings(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    ids = _seed(engine, campaign_2024)

    state = evaluate_performance(_settings(database_url, tmp_path), 2024, FIRST, return_state=True)

    summary = state.result()
    run = state.state_details.task_run_id
    coverage, about = artifact_table("performance-coverage", task_run=run)
    units, _ = artifact_table("performance-units", task_run=run)
    rows = _rows(engine)
    assert (summary.in_review, summary.without_figures) == (4, 1)
    assert (summary.new, summary.updated, summary.unchanged) == (3, 0, 0)
    assert sorted(rows) == sorted([ids[1], ids[2], ids[5]])
    one = rows[ids[1]]
    assert one.flags == ["profit_margin"]  # the form's profit is -1200; version 2 has no penalty
    assert (one.computed, one.evaluated_on) == (14, FIRST)
    assert _value(one, "revenue_growth") == pytest.approx(5000 / 105000)
    assert _value(one, "cost_ratio_change") == pytest.approx(86000 / 110000 - 83000 / 105000)
    assert _value(one, "debt_ratio") == pytest.approx(0.4)
    assert _value(one, "rd_intensity") == pytest.approx(6100 / 152300.5)
    assert _value(one, "social_contribution_rate") == pytest.approx(9000 / 152300.5)
    assert _value(one, "core_topic_coverage") == pytest.approx(7 / 9)
    assert _value(one, "focus_areas_covered") == 1
    assert (_value(one, "penalties"), one.indicators["penalties"]["flag"]) == (0, False)
    assert one.indicators["tax_rate"]["basis"] == "taxes 8800 / revenue 152300.5 (form 2023)"
    two = rows[ids[2]]
    assert two.indicators["revenue_growth"] == {
        "value": None,
        "flag": None,
        "basis": "no financial statements filed",
    }
    assert two.indicators["core_topic_coverage"]["basis"] == "no report filed"
    five = rows[ids[5]]  # a bank: 90 % debt is not flagged
    assert (_value(five, "debt_ratio"), five.indicators["debt_ratio"]["flag"]) == (0.9, None)
    assert five.flags == []
    assert "(3 evaluated of 4 in review; 3 new, 0 updated, 0 unchanged)" in about
    assert coverage[0] == {
        "dimension": "服务国家和本市战略",
        "indicator": "focus_areas_covered",
        "name": "重点领域覆盖",
        "units": 3,
        "computable": 1,
        "flagged": 0,
    }
    assert {r["indicator"]: r["computable"] for r in coverage}["revenue_growth"] == 2
    assert [(r["unit"], r["computed"], r["flags"]) for r in units] == [
        ("上海测试0005科技有限公司", "4/20", ""),
        ("上海测试0001科技有限公司", "14/20", "利润率"),
        ("上海测试0002科技有限公司", "5/20", "利润率"),
    ]
    assert (units[1]["revenue_growth"], units[1]["debt_ratio"]) == ("4.8%", "40.0%")
    assert units[2]["revenue_growth"] == ""


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_rerun_skips_unchanged_units_and_a_new_filing_is_evaluated_again(
    engine: Engine, database_url: str, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    ids = _seed(engine, campaign_2024)
    settings = _settings(database_url, tmp_path)
    evaluate_performance(settings, 2024, FIRST)
    again_state = evaluate_performance(settings, 2024, LATER, return_state=True)
    with session_scope(engine) as session:
        _file(session, ids[2], K.BASIC_INFO, 2, _form(2, penalties=2, safety_incidents=1))
    changed_state = evaluate_performance(settings, 2024, LATER, return_state=True)

    again, changed = again_state.result(), changed_state.result()
    rows = _rows(engine)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 2)
    # Nothing changed: no tables published (the last ones stand).
    assert artifact_keys(task_run=again_state.state_details.task_run_id) == []
    units, _ = artifact_table("performance-units", task_run=changed_state.state_details.task_run_id)
    assert len(units) == 3
    assert {pid: r.evaluated_on for pid, r in rows.items()} == {
        ids[1]: FIRST,
        ids[2]: LATER,
        ids[5]: FIRST,
    }
    assert rows[ids[2]].flags == ["profit_margin", "penalties", "safety_incidents"]
    assert len(rows) == 3


def test_loading_reads_the_latest_version_of_each_kind_for_units_in_review(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    ids = _seed(engine, campaign_2024)

    with session_scope(engine) as session:
        units = {u.participation_id: u for u in load_unit_filings(session, 2024)}

    assert sorted(units) == sorted([ids[1], ids[2], ids[4], ids[5]])
    assert {k: f.version for k, f in units[ids[1]].filings.items()} == {
        K.BASIC_INFO: 2,
        K.FINANCIALS: 1,
        K.REPORT_PDF: 1,
    }
    assert set(units[ids[4]].filings) == {K.REPORT_PDF}  # a receipt is not read
    assert not units[ids[4]].has_figures
    assert units[ids[5]].industry == "银行业"
    assert units[ids[1]].fingerprint() != units[ids[2]].fingerprint()
    assert all(f.data is None and f.screening is None for f in units[ids[1]].filings.values())
    with session_scope(engine) as session:
        (loaded,) = with_contents(session, [units[ids[1]]])
        stored = {
            (s.kind, s.version): (s.data, s.screening)
            for s in session.exec(select(Submission).where(Submission.participation_id == ids[1]))
        }
    assert loaded.fingerprint() == units[ids[1]].fingerprint()
    for kind, filing in loaded.filings.items():
        assert (filing.data, filing.screening) == stored[(kind.value, filing.version)]


def test_later_stages_read_each_units_values_and_can_keep_the_releasing_units(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    ids = _seed(engine, campaign_2024)
    with session_scope(engine) as session:  # what evaluate-performance saves
        units = [u for u in load_unit_filings(session, 2024) if u.has_figures]
        save_evaluations(session, 2024, units, FIRST)

    with session_scope(engine) as session:
        every = performance_summary_rows(session, 2024)
        released = performance_summary_rows(session, 2024, {S.RELEASED})

    assert [u.participation_id for u in every] == sorted([ids[1], ids[2], ids[5]])
    [bank] = released
    assert (bank.uscc, bank.industry, bank.status, bank.computed) == (
        make_uscc(5), "银行业", S.RELEASED, 4,
    )  # fmt: skip
    assert bank.values["revenue_growth"] == pytest.approx(5000 / 100000)
    assert bank.values["tax_rate"] is None
    assert bank.basis["tax_rate"] == "no basic-information form filed"
    computable = {str(r["indicator"]) for r in coverage_rows(released) if r["computable"]}
    assert computable == {"debt_ratio", "revenue_growth", "cost_ratio_change", "profit_growth"}


def test_form_figures_are_read_from_what_the_form_ingest_stores() -> None:
    stored = _form(1, donations="300", penalties=0, safety_incidents="")

    assert form_from_stored(stored) == FormFigures(
        report_year=2023, employees=1200, revenue=152300.5, profit=-1200, taxes=8800,
        rd_spend=6100, donations=300, penalties=0, certifications=("ISO 9001", "ISO 14001"),
    )  # fmt: skip


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_publish_performance_publishes_coverage_and_units_tables() -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    summary = PerformanceSummary(
        campaign_year=2024,
        evaluated_on=FIRST,
        in_review=3,
        without_figures=1,
        new=2,
        updated=0,
        unchanged=0,
    )
    coverage: list[Row] = [{"indicator": "tax_rate", "units": 2, "computable": 2, "flagged": 0}]
    units: list[Row] = [{"no": 1, "unit": "上海测试0001科技有限公司", "flags": ""}]

    task(publish_performance)(summary, coverage, units)  # artifacts belong to a run

    tables = {}
    with get_client(sync_client=True) as client:
        for key in ("performance-coverage", "performance-units"):
            [artifact] = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                sort=ArtifactSort.CREATED_DESC,
                limit=1,
            )
            tables[key] = (table_rows(artifact), artifact.description)
    assert tables["performance-coverage"][0] == coverage
    assert tables["performance-units"][0] == units
    assert "(2 evaluated of 3 in review; 2 new, 0 updated, 0 unchanged)" in str(
        tables["performance-coverage"][1]
    )
