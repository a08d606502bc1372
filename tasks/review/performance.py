"""The review stage's 绩效评价: evaluate every unit in review or later and store one row each.

`load_unit_filings` reads, in two queries whatever the number of units, the participations in
review or later and which version of their basic-information form, financial statements and
report PDF is the latest (ids, versions and digests: no document content). Each unit's
evaluation (schemas/performance.py) is saved as its PerformanceEvaluation row together with a
fingerprint of the filings and rules it was computed from (`inputs_sha256`): a re-run skips a
unit whose fingerprint is unchanged, and reads the documents (`with_contents`) of only the
units it evaluates again: those that filed a new version. The clock runs this every review
day, and reading every unit's JSON documents each time was ~1 s a day at 5,000 units.
Units with neither a form nor financial statements get no row.
Rows of units that later leave the campaign are kept. Statuses are not moved here.
When an evaluation was new or updated, the task publishes the indicator coverage and the
per-unit table as artifacts (tasks/review/performance_rows.py builds them) and returns counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final, NamedTuple

import sqlalchemy as sa
from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind as K
from schemas.performance import RULES_VERSION, evaluate
from schemas.performance_inputs import PerformanceInputs, inputs_from_stored
from schemas.review_tables import PerformanceEvaluation
from schemas.settings import Settings
from schemas.tables import Participation, Submission, Unit
from tasks.common.rejection_reports import ARTIFACT_ROW_LIMIT, publish_table
from tasks.common.submissions import CHUNK, canonical_json
from tasks.review.performance_rows import (
    Row,
    coverage_rows,
    performance_league_rows,
    performance_summary_rows,
)
from tasks.store import campaign_session, fetch_columns

# Statuses whose units are evaluated: the review has begun for them (or is over).
REVIEW_OR_LATER: Final = frozenset(
    {
        S.IN_REVIEW,
        S.REVISION_REQUESTED,
        S.REVISED,
        S.REVIEW_PASSED,
        S.REJECTED,
        S.APPROVED,
        S.RELEASED,
    }
)
KINDS_USED: Final = (K.BASIC_INFO, K.FINANCIALS, K.REPORT_PDF)


@dataclass(frozen=True)
class Filing:
    """The latest version of one document a unit filed, as the evaluation reads it."""

    kind: K
    version: int
    sha256: str
    submission_id: int = 0
    data: dict[str, Any] | None = None  # filled by `with_contents`
    screening: dict[str, Any] | None = None


@dataclass(frozen=True)
class UnitFilings:
    """One participation in review or later, its industry and its latest filings by kind."""

    participation_id: int
    industry: str
    filings: dict[K, Filing]

    @property
    def has_figures(self) -> bool:
        """Return whether the unit filed a form or financial statements."""
        return K.BASIC_INFO in self.filings or K.FINANCIALS in self.filings

    def inputs(self) -> PerformanceInputs:
        """Return the evaluation inputs read from the latest filings; pure."""
        form, books, report = (self.filings.get(k) for k in KINDS_USED)
        return inputs_from_stored(
            form.data if form else None,
            books.data if books else None,
            report.screening if report else None,
            report_filed=report is not None,
            industry=self.industry,
        )

    def fingerprint(self) -> str:
        """Return the sha256 of the rules version, the industry and each filing's version."""
        body = {
            "rules": RULES_VERSION,
            "industry": self.industry,
            "filings": sorted([f.kind.value, f.version, f.sha256] for f in self.filings.values()),
        }
        return hashlib.sha256(canonical_json(body)).hexdigest()


def load_unit_filings(session: Session, campaign_year: int) -> list[UnitFilings]:
    """Read the participations in review or later and which filings are their latest (no
    document content: see `with_contents`); two queries."""
    people = session.exec(
        select(Participation.id, Unit.industry)
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Participation.campaign_year == campaign_year)
        .where(col(Participation.status).in_(REVIEW_OR_LATER))
        .order_by(col(Participation.id))
    ).all()
    latest = (
        select(
            col(Submission.participation_id).label("pid"),
            col(Submission.kind).label("kind"),
            sa.func.max(Submission.version).label("version"),
        )
        .where(Submission.campaign_year == campaign_year)
        .where(col(Submission.kind).in_(KINDS_USED))
        .group_by(col(Submission.participation_id), col(Submission.kind))
        .subquery()
    )
    rows = fetch_columns(
        session,
        sa.select(
            col(Submission.id),
            col(Submission.participation_id),
            col(Submission.kind),
            col(Submission.version),
            col(Submission.sha256),
        )
        .join(
            latest,
            sa.and_(
                col(Submission.participation_id) == latest.c.pid,
                col(Submission.kind) == latest.c.kind,
                col(Submission.version) == latest.c.version,
            ),
        )
        .join(Participation, col(Participation.id) == col(Submission.participation_id))
        .where(col(Submission.campaign_year) == campaign_year)
        .where(col(Participation.status).in_(REVIEW_OR_LATER)),
    )
    filed: dict[int, dict[K, Filing]] = {}
    for sid, pid, kind, version, digest in rows:
        filed.setdefault(pid, {})[K(kind)] = Filing(K(kind), version, digest, sid or 0)
    return [
        UnitFilings(pid, industry, filed.get(pid, {}))
        for pid, industry in people
        if pid is not None
    ]


class StoredContent(NamedTuple):
    """What one stored submission holds: its validated data and its pre-screen."""

    data: Any  # the JSON column as stored (a dict or None)
    screening: Any


def with_contents(session: Session, units: list[UnitFilings]) -> list[UnitFilings]:
    """Return the units with their filings' stored data and screening read in; chunked queries."""
    ids = sorted(f.submission_id for u in units for f in u.filings.values())
    contents: dict[int, StoredContent] = {}
    for start in range(0, len(ids), CHUNK):
        for sid, data, screening in session.exec(
            select(Submission.id, Submission.data, Submission.screening).where(
                col(Submission.id).in_(ids[start : start + CHUNK])
            )
        ).all():
            contents[sid or 0] = StoredContent(data, screening)
    return [
        replace(
            unit,
            filings={
                kind: replace(
                    f,
                    data=contents[f.submission_id].data,
                    screening=contents[f.submission_id].screening,
                )
                for kind, f in unit.filings.items()
            },
        )
        for unit in units
    ]


@dataclass(frozen=True)
class SaveCounts:
    """What saving the evaluations did."""

    new: int
    updated: int
    unchanged: int


def save_evaluations(
    session: Session, campaign_year: int, units: list[UnitFilings], as_of: date
) -> SaveCounts:
    """Evaluate each unit whose fingerprint changed and insert or update its row; flush.

    Reads the stored fingerprints first, then the documents and rows of only the units that
    changed.
    """
    stored = dict(
        session.exec(
            select(
                PerformanceEvaluation.participation_id, PerformanceEvaluation.inputs_sha256
            ).where(PerformanceEvaluation.campaign_year == campaign_year)
        ).all()
    )
    changed = with_contents(
        session, [u for u in units if stored.get(u.participation_id) != u.fingerprint()]
    )
    known = {
        e.participation_id: e
        for e in session.exec(
            select(PerformanceEvaluation)
            .where(PerformanceEvaluation.campaign_year == campaign_year)
            .where(
                col(PerformanceEvaluation.participation_id).in_(
                    [u.participation_id for u in changed if u.participation_id in stored]
                )
            )
        ).all()
    }
    new = updated = 0
    unchanged = len(units) - len(changed)
    for unit in changed:
        digest = unit.fingerprint()
        row = known.get(unit.participation_id)
        evaluation = evaluate(unit.inputs())
        if row is None:
            row = PerformanceEvaluation(
                campaign_year=campaign_year,
                participation_id=unit.participation_id,
                evaluated_on=as_of,
            )
            session.add(row)
            new += 1
        else:
            updated += 1
        row.indicators = evaluation.to_stored()
        row.flags = evaluation.flags
        row.computed = evaluation.computed
        row.evaluated_on = as_of
        row.inputs_sha256 = digest
    session.flush()
    return SaveCounts(new=new, updated=updated, unchanged=unchanged)


class PerformanceSummary(BaseModel):
    """What one evaluation run did, in counts; the tables are the `performance-*` artifacts."""

    model_config = ConfigDict(frozen=True)

    campaign_year: int
    evaluated_on: date
    in_review: int  # participations in review or later
    without_figures: int  # of those, with neither a form nor financial statements (no row)
    new: int
    updated: int
    unchanged: int


@task(name="evaluate-performance", cache_policy=NO_CACHE)
def evaluate_performance(settings: Settings, campaign_year: int, as_of: date) -> PerformanceSummary:
    """Evaluate every unit in review or later whose filings changed and store its indicators.

    Side effects: inserts or updates PerformanceEvaluation rows in one transaction; when an
    evaluation was new or updated, publishes the `performance-coverage` and `performance-units`
    table artifacts (else the artifacts of the last change still hold).
    """
    with campaign_session(settings) as session:
        units = load_unit_filings(session, campaign_year)
        with_figures = [u for u in units if u.has_figures]
        counts = save_evaluations(session, campaign_year, with_figures, as_of)
        changed = bool(counts.new or counts.updated)
        stored = (
            performance_summary_rows(session, campaign_year, REVIEW_OR_LATER) if changed else []
        )
    summary = PerformanceSummary(
        campaign_year=campaign_year,
        evaluated_on=as_of,
        in_review=len(units),
        without_figures=len(units) - len(with_figures),
        new=counts.new,
        updated=counts.updated,
        unchanged=counts.unchanged,
    )
    if changed:
        publish_performance(summary, coverage_rows(stored), performance_league_rows(stored))
    return summary


def publish_performance(
    summary: PerformanceSummary, coverage: Sequence[Row], units: Sequence[Row]
) -> None:
    """Publish the indicator coverage and the per-unit table as Prefect table artifacts.

    Side effects: creates the `performance-coverage` artifact when `coverage` has rows and the
    `performance-units` one (its first ARTIFACT_ROW_LIMIT rows) when `units` has rows.
    """
    if not coverage:
        return
    done = summary.in_review - summary.without_figures
    publish_table(
        "performance-coverage",
        coverage,
        f"绩效评价 {summary.campaign_year}: units with each indicator computable and flagged "
        f"({done} evaluated of {summary.in_review} in review; {summary.new} new, "
        f"{summary.updated} updated, {summary.unchanged} unchanged)",
    )
    if units:
        shown = units[:ARTIFACT_ROW_LIMIT]
        more = len(units) - len(shown)
        publish_table(
            "performance-units",
            shown,
            "Indicators per unit, fewest flags first (not a ranking of merit)"
            + (f"; {more} more units not shown" if more > 0 else ""),
        )
