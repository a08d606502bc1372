"""Season statistics read from a real database: every frame against figures worked out by hand.

The season is tests/seasonkit.py's: eight units, A001 recommends 1, 2, 3, 7, 8 and A002
recommends 1, 4, 5, 6 (A003's recommendation of unit 1 is held, so A003 is not in the funnel).
Furthest stage reached: 1 released; 2 approved after the review rejected it; 3 in review
(revision requested); 4 submitted; 5 registered, then withdrew; 6 lapsed; 7 in review, then
removed; 8 recommended.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from seasonkit import seed_season
from sqlalchemy.engine import Engine
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.release_tables import Certificate
from schemas.review_tables import ReviewOutcome
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.release.statistics.load import (
    funnel_by_association,
    gather_statistics,
    mail_summary,
    performance_summary,
    review_score_distribution,
    season_counts,
    submission_timeliness,
    topic_coverage,
)
from tasks.store import session_scope

STAGES = [
    "recommended",
    "registered",
    "submitted",
    "in_review",
    "review_passed",
    "approved",
    "released",
]


@pytest.fixture
def season(engine: Engine, campaign_2024: CampaignFile) -> Engine:
    """The seeded eight-unit season."""
    with session_scope(engine) as session:
        seed_season(session, campaign_2024)
    return engine


def _records(frame: Any, columns: list[str]) -> list[list[Any]]:
    return [list(r) for r in frame[columns].itertuples(index=False, name=None)]


def test_funnel_counts_each_association_and_distinct_units_in_the_total(season: Engine) -> None:
    with session_scope(season) as session:
        funnel = funnel_by_association(session, 2024)

    columns = ["association", *STAGES, "lapsed", "withdrawn", "removed", "rejected"]
    assert _records(funnel, columns) == [
        ["A001", 5, 4, 4, 4, 2, 2, 1, 0, 0, 1, 1],
        ["A002", 4, 3, 2, 1, 1, 1, 1, 1, 1, 0, 0],
        ["合计", 8, 6, 5, 4, 2, 2, 1, 1, 1, 1, 1],
    ]
    assert _records(funnel, ["submit_rate", "release_rate"]) == [
        [0.8, 0.2],
        [0.5, 0.25],
        [0.625, 0.125],
    ]


def test_timeliness_counts_first_filings_and_missing_after_the_deadline(
    season: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(season) as session:
        summary, days = submission_timeliness(session, campaign_2024, date(2024, 12, 31))

    columns = ["deadline", "step", "expected", "on_time", "late", "missing", "pending"]
    columns += ["withdrawn", "median_days", "earliest_days", "latest_days"]
    assert _records(summary, columns) == [
        ["receipt", "receipt", 8, 5, 1, 2, 0, 0, -3.0, -14, 1],
        ["receipt", "basic_info", 8, 1, 1, 5, 0, 1, -4.5, -14, 5],
        ["report", "report_pdf", 8, 4, 1, 2, 0, 1, -1.0, -29, 2],
    ]
    receipt = days[days["step"] == "receipt"]
    report = days[days["step"] == "report_pdf"]
    assert list(receipt["days"]) == ["<=-15", "-14..-8", "-7..-1", "0", "+1..+7", ">=+8"]
    assert list(receipt["filings"]) == [0, 2, 2, 1, 1, 0]
    assert list(report["filings"]) == [1, 0, 2, 1, 1, 0]


def test_timeliness_calls_unfiled_steps_pending_until_the_deadline_passes(
    season: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(season) as session:
        on_the_day, _ = submission_timeliness(session, campaign_2024, date(2024, 11, 30))

    report = on_the_day[on_the_day["step"] == "report_pdf"].iloc[0]
    receipt = on_the_day[on_the_day["step"] == "receipt"].iloc[0]
    assert (int(report["missing"]), int(report["pending"])) == (0, 2)
    assert (int(receipt["missing"]), int(receipt["pending"])) == (2, 0)


def test_review_distribution_uses_the_latest_round_per_unit(
    season: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(season) as session:
        grades, bands = review_score_distribution(session, campaign_2024)

    assert _records(grades, ["grade", "reports", "share"]) == [
        ["五星级", 1, 0.25],
        ["四星半级", 1, 0.25],
        ["四星级", 1, 0.25],  # unit 2's second round (72), not its first (55, 二星级)
        ["三星半级", 0, 0.0],
        ["三星级", 1, 0.25],
        ["二星级", 0, 0.0],
    ]
    assert list(bands["band"])[-1] == "[90,100]"  # 100.0 is in the last band
    assert list(bands["reports"]) == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]


def test_topic_coverage_counts_the_latest_usable_report_of_each_unit(
    season: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(season) as session:
        topics = topic_coverage(session, campaign_2024, statuses={s.value for s in S})
        released = topic_coverage(session, campaign_2024)

    # The statistics count the released reports only (units 1 and 2 of the seeded season).
    assert set(released["reports"]) == {2}
    assert all(released["covering"] <= 2)
    shown = topics.set_index("topic_key")
    # Units 1, 2, 3 and 4 (its fixed second version); unit 7's latest report is unusable.
    assert set(shown["reports"]) == {4}
    assert shown.loc[["governance", "environment", "green", "community"], "covering"].tolist() == [
        3,
        1,
        2,
        0,
    ]
    assert shown.loc["governance", "share"] == 0.75
    assert list(topics["topic_key"]) == [t.key for t in campaign_2024.topics]


def test_performance_summary_aggregates_whatever_indicators_are_present(season: Engine) -> None:
    with session_scope(season) as session:
        everyone = performance_summary(session, 2024)
        releasing = performance_summary(session, 2024, {"approved", "released"})

    columns = ["indicator", "evaluated", "computable", "median", "mean", "lowest", "highest"]
    assert _records(everyone, [*columns, "flagged"]) == [
        ["profit_margin", 3, 2, 0.15, 0.15, 0.1, 0.2, 0],  # "n/a" is not computable
        ["revenue_growth", 3, 3, 0.1, 0.1167, -0.05, 0.3, 1],
        ["tax_ratio", 2, 1, 0.03, 0.03, 0.03, 0.03, 0],  # a None value is not computable
    ]
    growth = releasing.set_index("indicator").loc["revenue_growth"]
    assert (growth["evaluated"], growth["median"], growth["flag_share"]) == (2, 0.025, 0.5)


def test_mail_summary_counts_templates_by_delivery_status(season: Engine) -> None:
    with session_scope(season) as session:
        mail = mail_summary(session, 2024)

    assert _records(mail, ["template", "sent", "failed", "queued", "total"]) == [
        ["invitation", 2, 0, 0, 2],
        ["reminder", 0, 1, 0, 1],
        ["合计", 2, 1, 0, 3],
    ]


def test_season_counts_give_the_headline_numbers(season: Engine) -> None:
    with session_scope(season) as session:
        counts = season_counts(session, 2024)

    assert dict(zip(counts["key"], counts["value"], strict=True)) == {
        "associations": 2,
        "recommended": 8,
        "registered": 6,
        "submitted": 5,
        "reviewed": 4,
        "review_passed": 2,
        "approved": 2,
        "released": 1,
        "commendations": 2,  # the speaker is only proposed
        "certificates": 1,
        "mails_sent": 2,
    }


def test_an_empty_season_gives_empty_tables_and_zero_totals(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ensure_campaign(session, campaign_2024, now_utc())
    with session_scope(engine) as session:
        frames = gather_statistics(session, campaign_2024, date(2024, 10, 1))

    assert list(frames) == [
        "counts",
        "funnel",
        "timeliness",
        "timeliness_days",
        "grades",
        "score_bands",
        "topics",
        "performance",
        "mail",
    ]
    assert _records(frames["funnel"], ["association", *STAGES]) == [["合计", 0, 0, 0, 0, 0, 0, 0]]
    assert set(frames["counts"]["value"]) == {0}
    assert list(frames["timeliness"]["expected"]) == [0, 0, 0]
    assert set(frames["topics"]["share"]) == {0.0}
    assert list(frames["score_bands"]["reports"]) == [0] * 10
    assert frames["performance"].empty
    assert _records(frames["mail"], ["template", "total"]) == [["合计", 0]]


def test_statistics_read_the_decided_review_and_count_a_reissued_unit_once(
    season: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(season) as session:
        for live in session.exec(select(ReviewOutcome)):
            live.grade, live.normalised_score = "二星级", 12.0  # late sheets, after the decision
            session.add(live)
        first = session.exec(select(Certificate)).one()
        again = Certificate.model_validate(
            first.model_dump(exclude={"id"})
            | {"number": "CSR2024-0002X", "version": 2, "sha256": "c" * 64}
        )
        session.add(again)

    with session_scope(season) as session:
        grades, bands = review_score_distribution(session, campaign_2024)
        counts = season_counts(session, 2024)

    assert _records(grades, ["grade", "reports"]) == [
        ["五星级", 1],
        ["四星半级", 1],
        ["四星级", 1],
        ["三星半级", 0],
        ["三星级", 1],
        ["二星级", 0],
    ]
    assert list(bands["reports"]) == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
    shown = dict(zip(counts["key"], counts["value"], strict=True))
    assert (shown["reviewed"], shown["certificates"]) == (4, 1)
