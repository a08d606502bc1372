"""Season statistics from the database: one batched query per table, the rules in season_frames.

Each public function takes the caller's session (read only) and returns a pandas DataFrame (or two)
for the statistics workbook, the charts, the markdown report and the media kit. Nothing here writes;
the files are tasks/release/statistics/workbook.py's and tasks/release/media_kit.py's job.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any, Final

# pandas ships no type information and the venv has no pandas-stubs: pandas is `Any` here.
import pandas as pd
from sqlmodel import Session, col, func, select

from schemas.campaign_file import CampaignFile
from schemas.commendation import CommendationStatus
from schemas.enums import OutboxStatus, SubmissionKind
from schemas.enums import ParticipationStatus as S
from schemas.outbox_table import OutboxMessage
from schemas.release_tables import Certificate, Commendation
from schemas.review_tables import PerformanceEvaluation
from schemas.tables import (
    Association,
    Participation,
    Recommendation,
    StageTransition,
    Submission,
)
from tasks.common.decided_outcomes import decided_outcomes
from tasks.common.progress import usable_report
from tasks.release.statistics.frames import TOTAL, funnel_frame, mail_frame, timeliness_frame
from tasks.release.statistics.quality import (
    grade_frame,
    latest_outcomes,
    performance_frame,
    score_bins_frame,
    topic_frame,
)


def _participations(session: Session, campaign_year: int) -> pd.DataFrame:
    rows = session.exec(
        select(Participation.id, Participation.status).where(
            Participation.campaign_year == campaign_year
        )
    ).all()
    return pd.DataFrame(
        [(pid, str(status)) for pid, status in rows], columns=["participation_id", "status"]
    )


def funnel_by_association(session: Session, campaign_year: int) -> pd.DataFrame:
    """Return the participation funnel per association and its `合计` row; reads only."""
    links = session.exec(
        select(Association.code, Association.name, Participation.id)
        .join(Recommendation, col(Recommendation.association_id) == col(Association.id))
        .join(Participation, col(Participation.unit_id) == col(Recommendation.unit_id))
        .where(Recommendation.campaign_year == campaign_year)
        .where(Participation.campaign_year == campaign_year)
        .where(col(Recommendation.held).is_(False))
    ).all()
    moves = session.exec(
        select(
            StageTransition.participation_id,
            StageTransition.from_status,
            StageTransition.to_status,
        ).where(StageTransition.campaign_year == campaign_year)
    ).all()
    return funnel_frame(
        pd.DataFrame(links, columns=["association", "association_name", "participation_id"]),
        _participations(session, campaign_year),
        pd.DataFrame(
            [(pid, str(a), str(b)) for pid, a, b in moves if pid is not None],
            columns=["participation_id", "from_status", "to_status"],
        ),
    )


def submission_timeliness(
    session: Session, campaign: CampaignFile, as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return on time / late / missing per deadline step and the days-to-deadline bins; reads."""
    deadlines = sorted(campaign.deadlines.items(), key=lambda item: (item[1].date, item[0]))
    steps = [(key, kind.value, d.date) for key, d in deadlines for kind in d.steps]
    filings = session.exec(
        select(
            Submission.participation_id,
            col(Submission.kind),
            col(Submission.received_on),
            col(Submission.late),
        )
        .where(Submission.campaign_year == campaign.year)
        .order_by(col(Submission.participation_id), col(Submission.version))
    ).all()
    frame = pd.DataFrame(
        [(pid, str(kind), on, late) for pid, kind, on, late in filings],
        columns=["participation_id", "kind", "received_on", "late"],
    )
    return timeliness_frame(
        _participations(session, campaign.year),
        frame,
        steps,
        as_of,
    )


def _outcomes(session: Session, campaign_year: int) -> pd.DataFrame:
    """Return the decided review of each participation (the version it was told), never the
    live outcome, which late sheets may still move; reads only."""
    decided = decided_outcomes(session, campaign_year)
    rows = [(pid, d.round, d.normalised_score, d.grade) for pid, d in sorted(decided.items())]
    return pd.DataFrame(
        rows, columns=["participation_id", "round", "normalised_score", "grade"]
    ).astype({"normalised_score": "float64"})


def review_score_distribution(
    session: Session, campaign: CampaignFile
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the latest outcomes per grade and per 10-point score band; reads only."""
    outcomes = _outcomes(session, campaign.year)
    top = max(c.max for c in campaign.review.criteria)
    return grade_frame(outcomes, campaign.review.grades), score_bins_frame(outcomes, top)


RELEASED: Final = frozenset({S.APPROVED.value, S.RELEASED.value})


def topic_coverage(
    session: Session, campaign: CampaignFile, statuses: Collection[str] = RELEASED
) -> pd.DataFrame:
    """Return the share of the released units' reports covering each campaign topic; reads.

    One report per unit (its latest usable version), units in `statuses` only (default: the
    ones the meeting approved for release), so 报告数 is the number of released reports.
    """
    rows = session.exec(
        select(Submission.participation_id, Submission.screening)
        .join(Participation, col(Participation.id) == col(Submission.participation_id))
        .where(Submission.campaign_year == campaign.year)
        .where(Submission.kind == SubmissionKind.REPORT_PDF)
        .where(col(Participation.status).in_([S(s) for s in sorted(statuses)]))
        .order_by(col(Submission.participation_id), col(Submission.version))
    ).all()
    latest: dict[int, dict[str, Any] | None] = {}
    for pid, screening in rows:
        latest[pid] = dict(screening) if screening else None
    usable = [s for s in latest.values() if s is not None and usable_report(s)]
    return topic_frame(usable, campaign.topics)


def performance_summary(
    session: Session, campaign_year: int, statuses: Collection[str] | None = None
) -> pd.DataFrame:
    """Return the evaluation indicators summarised per key (units in `statuses` only); reads."""
    query = (
        select(PerformanceEvaluation.indicators, PerformanceEvaluation.flags)
        .join(Participation, col(Participation.id) == col(PerformanceEvaluation.participation_id))
        .where(PerformanceEvaluation.campaign_year == campaign_year)
    )
    if statuses is not None:
        query = query.where(col(Participation.status).in_([S(s) for s in sorted(statuses)]))
    rows = session.exec(query).all()
    return performance_frame([(dict(ind or {}), list(flags or [])) for ind, flags in rows])


def mail_summary(session: Session, campaign_year: int) -> pd.DataFrame:
    """Return the outbox's mails per template and delivery status, with a total row; reads."""
    rows = session.exec(
        select(OutboxMessage.template, OutboxMessage.status, func.count())
        .where(OutboxMessage.campaign_year == campaign_year)
        .group_by(col(OutboxMessage.template), col(OutboxMessage.status))
    ).all()
    return mail_frame([(t, str(s), int(n)) for t, s, n in rows], [s.value for s in OutboxStatus])


def season_counts(session: Session, campaign_year: int) -> pd.DataFrame:
    """Return the season's headline numbers: key, 指标, metric, value; reads only."""
    funnel = funnel_by_association(session, campaign_year)
    total = funnel[funnel["association"] == TOTAL].iloc[0]
    associations = int((funnel["association"] != TOTAL).sum())
    reviewed = len(latest_outcomes(_outcomes(session, campaign_year)))
    commended = session.exec(
        select(func.count())
        .select_from(Commendation)
        .where(Commendation.campaign_year == campaign_year)
        .where(Commendation.status == CommendationStatus.APPROVED)
    ).one()
    certificates = session.exec(  # units certified (a re-issue is the same unit's newer issue)
        select(func.count(func.distinct(Certificate.participation_id))).where(
            Certificate.campaign_year == campaign_year
        )
    ).one()
    sent = session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.campaign_year == campaign_year)
        .where(OutboxMessage.status == OutboxStatus.SENT)
    ).one()
    rows = [
        ("associations", "推荐协会", "recommending associations", associations),
        ("recommended", "推荐单位", "units recommended", int(total[S.RECOMMENDED.value])),
        ("registered", "报名单位", "units registered", int(total[S.REGISTERED.value])),
        ("submitted", "提交报告单位", "units that submitted", int(total[S.SUBMITTED.value])),
        ("reviewed", "完成评审报告", "reports reviewed", reviewed),
        ("review_passed", "评审通过", "passed review", int(total[S.REVIEW_PASSED.value])),
        ("approved", "审定发布单位", "approved for release", int(total[S.APPROVED.value])),
        ("released", "已发布单位", "released", int(total[S.RELEASED.value])),
        ("commendations", "表彰", "commendations approved", int(commended)),
        ("certificates", "发布证书", "certificates issued", int(certificates)),
        ("mails_sent", "已发送邮件", "mails sent", int(sent)),
    ]
    return pd.DataFrame(rows, columns=["key", "指标", "metric", "value"])


def gather_statistics(
    session: Session, campaign: CampaignFile, as_of: date
) -> dict[str, pd.DataFrame]:
    """Return every season statistics frame by sheet name, in the workbook's order; reads."""
    timeliness, days = submission_timeliness(session, campaign, as_of)
    grades, bands = review_score_distribution(session, campaign)
    return {
        "counts": season_counts(session, campaign.year),
        "funnel": funnel_by_association(session, campaign.year),
        "timeliness": timeliness,
        "timeliness_days": days,
        "grades": grades,
        "score_bands": bands,
        "topics": topic_coverage(session, campaign),
        "performance": performance_summary(session, campaign.year),
        "mail": mail_summary(session, campaign.year),
    }
