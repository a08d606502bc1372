"""Database rows for the commend stage's tests: passed units with outcomes, evaluations, topics.

`seed_commend_units` builds the worked example of docs/commend.md on the real 2024 campaign
file (categories green-low-carbon 5, new-productive-forces 5, employee-care 3, community 3;
10 excellent units, at most 3 per industry; 6 speakers):

| unit | industry | review (round) | performance | composite | topics covered (hits) |
|---|---|---|---|---|---|
| 3 | 电子信息 | 85 (0), 93 (1) | none | 93.00 | green 5, community 4 |
| 1 | 电子信息 | 91 | none | 91.00 | green 12 |
| 2 | 电子信息 | 88 | 2 of 4 sound | 90.50 | green 3, new_productive_forces 8 |
| 5 | 金融 | 80 | 4 of 4 | 85.00 | - |
| 4 | 电子信息 | 83 | 0 of 4 | 83.00 | employee_care 6 |
| 6 | 金融 | 78 | 3 of 3 | 83.00 | - (no screening) |
| 7 | 建筑 | 75 | none | 75.00 | community 7 |

plus unit 8 (in review: not a candidate) and unit 9 (review passed, no outcome: not ranked).
Unit 4's report title starts with "=" (a formula if written carelessly).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from factories import add_association, add_participation
from sqlmodel import Session

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.review_tables import PerformanceEvaluation, ReviewDecision, ReviewOutcome
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Submission, Unit
from tasks.common.campaigns import ensure_campaign

EVIL_TITLE = '=HYPERLINK("http://evil.example.com","报告")'
TOPIC_NAMES = {
    "green": "绿色发展与双碳",
    "new_productive_forces": "新质生产力",
    "employee_care": "员工关爱",
    "community": "社区参与",
}
UNITS: dict[int, dict[str, Any]] = {
    3: {
        "industry": "电子信息",
        "scores": [85.0, 93.0],
        "perf": None,
        "topics": {"green": 5, "community": 4},
    },
    1: {"industry": "电子信息", "scores": [91.0], "perf": None, "topics": {"green": 12}},
    2: {
        "industry": "电子信息",
        "scores": [88.0],
        "perf": (2, 4),
        "topics": {"green": 3, "new_productive_forces": 8},
    },
    5: {"industry": "金融", "scores": [80.0], "perf": (4, 4), "topics": {}},
    4: {"industry": "电子信息", "scores": [83.0], "perf": (0, 4), "topics": {"employee_care": 6}},
    6: {"industry": "金融", "scores": [78.0], "perf": (3, 3), "topics": None},
    7: {"industry": "建筑", "scores": [75.0], "perf": None, "topics": {"community": 7}},
}


def screening(topics: dict[str, int]) -> dict[str, Any]:
    """Return a stored screen result whose covered topics have these keyword counts."""
    listed = [
        {
            "key": key,
            "name": TOPIC_NAMES[key],
            "kind": "core",
            "hits": topics.get(key, 1),
            "pages": list(range(2, 2 + topics.get(key, 1))),
            "covered": key in topics,
        }
        for key in TOPIC_NAMES
    ]
    # A real screen counts all nine core topics; these units cover enough of them for release.
    return {"topics": listed, "problems": [], "core_topics_covered": 9}


def evaluation(pid: int, sound: int, of: int) -> PerformanceEvaluation:
    """Return a performance evaluation with `of` indicators, the first `sound` of them sound."""
    indicators = {
        f"indicator_{i}": {"value": 1.0, "flag": i >= sound, "basis": "test"} for i in range(of)
    }
    return PerformanceEvaluation(
        campaign_year=2024,
        participation_id=pid,
        indicators=indicators,
        flags=[k for k, v in indicators.items() if v["flag"]],
        computed=of,
        evaluated_on=date(2024, 12, 13),
    )


def add_outcome(
    session: Session, pid: int, score: float, round_: int = 0, *, decided: bool = True
) -> None:
    """Add a passing review outcome of `score` for one round, and its decided version."""
    if decided:
        session.add(
            ReviewDecision(
                campaign_year=2024,
                participation_id=pid,
                round=round_,
                decision="pass",
                normalised_score=score,
                raw_score=score,
                reviews=3,
                grade="四星级",
                rank=None,
                decided_on=date(2024, 12, 13),
                decided_by="review",
                decided_at=now_utc(),
            )
        )
    session.add(
        ReviewOutcome(
            campaign_year=2024,
            participation_id=pid,
            round=round_,
            normalised_score=score,
            raw_score=score,
            reviews=3,
            spread=4.0,
            grade="四星级",
            recommendation="pass",
            rank=None,
            decided_on=date(2024, 12, 13),
        )
    )


def seed_commend_units(session: Session, campaign: CampaignFile) -> dict[int, int]:
    """Add the campaign row and units 1-9 of the module's table; return participation ids."""
    S = ParticipationStatus
    ensure_campaign(session, campaign, now_utc())
    assoc = add_association(session, "A001")
    ids: dict[int, int] = {}
    for n in range(1, 10):
        spec = UNITS.get(n)
        status = S.IN_REVIEW if n == 8 else S.REVIEW_PASSED
        topics = spec["topics"] if spec else {}
        reports = [None if topics is None else screening(topics)]
        pid = add_participation(session, n, [assoc], status, reports=reports)
        ids[n] = pid
        part = session.get(Participation, pid)
        assert part is not None
        unit = session.get(Unit, part.unit_id)
        assert unit is not None
        unit.industry = spec["industry"] if spec else "零售"
        unit.ownership = "民营"
        unit.district = "浦东新区"
        title = EVIL_TITLE if n == 4 else f"上海测试{n:04d}科技有限公司2023年度社会责任报告"
        session.add(
            Submission(
                campaign_year=2024,
                participation_id=pid,
                kind=SubmissionKind.BASIC_INFO,
                stored_path=f"archive/2024/basic_info/{n}-1",
                sha256=f"{n:064x}",
                size=10,
                received_on=date(2024, 11, 10),
                received_at=datetime(2024, 11, 10, 2, tzinfo=UTC),
                data={"report_title": title},
            )
        )
        if spec is None:
            if n == 8:
                add_outcome(session, pid, 99.0, decided=False)  # in review: not a candidate
            continue
        for round_, score in enumerate(spec["scores"]):
            add_outcome(session, pid, score, round_)
        if spec["perf"] is not None:
            session.add(evaluation(pid, *spec["perf"]))
    session.flush()
    return ids
