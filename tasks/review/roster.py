"""Take in the reviewer roster (评审专家名单): experts, expertise, capacity, declared conflicts.

One file or several; a reviewer is keyed by the normalised email address within a campaign,
so a corrected roster updates reviewers and never duplicates them. Same-employer conflicts are
not typed in: the assignment detects them from the employer's name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import select

from schemas.columns import ROSTER
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import Reviewer
from schemas.rows import RosterRow
from schemas.settings import Settings
from schemas.summary_rows import SummaryRows
from tasks.common.rejection_reports import publish_rejections, write_rejection_report
from tasks.common.validation import read_rows, rejection_at
from tasks.store import campaign_session


class RosterSummary(BaseModel):
    """What one roster intake did."""

    model_config = ConfigDict(frozen=True)

    files_read: int
    reviewers_new: int
    reviewers_updated: int
    capacity: int  # the sum of max_load over the whole roster
    problems_by_code: dict[str, int]
    report: str
    rejections: SummaryRows[Rejection]


def roster_values(row: RosterRow) -> dict[str, object]:
    """Return the Reviewer fields a roster row sets."""
    return {
        "name": row.name,
        "email": row.email,
        "employer": row.employer,
        "industries": list(row.industries),
        "topics": list(row.topics),
        "max_load": row.max_load,
        "conflict_associations": [c.upper() for c in row.conflict_associations],
        "conflict_units": list(row.conflict_units),
    }


@task(name="ingest-roster", cache_policy=NO_CACHE)
def ingest_roster(
    settings: Settings, campaign_year: int, as_of: date, files: list[str], report_dir: str
) -> RosterSummary:
    """Read roster files and save the reviewers of the campaign; write the problems report.

    Side effects: inserts or updates Reviewer rows in one transaction; writes
    `roster-rejections.xlsx` into `report_dir`. `as_of` is kept for the audit trail of the run.
    """
    found = read_rows(files, ROSTER, RosterRow)
    rejections = list(found.rejections)
    first: dict[str, tuple[str, int]] = {}
    rows: list[tuple[RosterRow, str, int]] = []
    for row, file, number in found.rows:
        key = row.email.lower()
        if key in first:
            f0, n0 = first[key]
            rejections.append(
                rejection_at(
                    ROSTER,
                    file,
                    number,
                    "email",
                    row.email,
                    "duplicate-in-file",
                    f"专家邮箱重复，已按{f0}第{n0}行受理",
                    f"reviewer repeated; {f0} row {n0} was kept",
                )
            )
            continue
        first[key] = (file, number)
        rows.append((row, file, number))
    new = updated = 0
    with campaign_session(settings) as session:
        known = {
            r.key: r
            for r in session.exec(
                select(Reviewer).where(Reviewer.campaign_year == campaign_year)
            ).all()
        }
        for row, file, number in rows:
            values = roster_values(row)
            reviewer = known.get(row.email.lower())
            if reviewer is None:
                session.add(
                    Reviewer(
                        campaign_year=campaign_year,
                        key=row.email.lower(),
                        source_file=file,
                        source_row=number,
                        **values,  # type: ignore[arg-type]
                    )
                )
                new += 1
            elif any(getattr(reviewer, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(reviewer, k, v)
                updated += 1
        session.flush()
        capacity = sum(
            r.max_load
            for r in session.exec(
                select(Reviewer).where(Reviewer.campaign_year == campaign_year)
            ).all()
        )
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "roster-rejections.xlsx"), rejections
    )
    return RosterSummary(
        files_read=len(found.read),
        reviewers_new=new,
        reviewers_updated=updated,
        capacity=capacity,
        problems_by_code=count_by_code(rejections),
        report=str(report.relative_to(settings.workspace)),
        rejections=rejections,
    )


@task(name="publish-roster-report", cache_policy=NO_CACHE)
def publish_roster_report(summary: RosterSummary) -> None:
    """Publish the roster's problems as a table artifact pointing to the full report."""
    publish_rejections(
        "roster-rejections", "Roster problems", summary.rejections, Path(summary.report)
    )
