"""Take in the reviewer roster (评审专家名单): experts, expertise, capacity, declared conflicts.

One file or several; a reviewer is keyed by the normalised email address within a campaign,
so a corrected roster updates reviewers and never duplicates them. The files are read and
checked before the transaction that saves the reviewers opens; the problems go to
`roster-rejections.xlsx` and the `roster-rejections` artifact, and the summary keeps only counts.
Same-employer conflicts are not typed in: the assignment detects them from the employer's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from schemas.columns import ROSTER
from schemas.rejection import Rejection, count_by_code
from schemas.review_tables import Reviewer
from schemas.rows import RosterRow
from schemas.settings import Settings
from tasks.common.rejection_reports import publish_rejections, write_rejection_report
from tasks.common.validation import read_rows, rejection_at
from tasks.store import campaign_session


class RosterSummary(BaseModel):
    """What one roster intake did (the problems themselves are in `report` and the artifact)."""

    model_config = ConfigDict(frozen=True)

    files_read: int
    reviewers_new: int
    reviewers_updated: int
    capacity: int  # the sum of max_load over the whole roster
    problems_by_code: dict[str, int]
    report: str


class RosterEntry(NamedTuple):
    """One valid roster row and where it came from."""

    row: RosterRow
    file: str
    number: int


class RosterRows(NamedTuple):
    """The roster rows to save (first of each reviewer) and the rows refused."""

    entries: list[RosterEntry]
    rejections: list[Rejection]


class RosterCounts(NamedTuple):
    """What saving the roster did."""

    new: int
    updated: int
    capacity: int  # the sum of max_load over the campaign's whole roster


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


def first_of_each_reviewer(found: Sequence[tuple[RosterRow, str, int]]) -> RosterRows:
    """Keep the first row of each reviewer (by email, case-folded); refuse the repeats; pure."""
    first: dict[str, RosterEntry] = {}
    rejections: list[Rejection] = []
    for entry in (RosterEntry(*found_row) for found_row in found):
        key = entry.row.email.lower()
        kept = first.get(key)
        if kept is None:
            first[key] = entry
            continue
        rejections.append(
            rejection_at(
                ROSTER,
                entry.file,
                entry.number,
                "email",
                entry.row.email,
                "duplicate-in-file",
                f"专家邮箱重复，已按{kept.file}第{kept.number}行受理",
                f"reviewer repeated; {kept.file} row {kept.number} was kept",
            )
        )
    return RosterRows(list(first.values()), rejections)


def save_reviewers(
    session: Session, campaign_year: int, entries: Sequence[RosterEntry]
) -> RosterCounts:
    """Insert new reviewers and update changed ones in the caller's transaction; flush."""
    known = {
        r.key: r
        for r in session.exec(select(Reviewer).where(Reviewer.campaign_year == campaign_year)).all()
    }
    new = updated = 0
    for entry in entries:
        values = roster_values(entry.row)
        reviewer = known.get(entry.row.email.lower())
        if reviewer is None:
            session.add(
                Reviewer(
                    campaign_year=campaign_year,
                    key=entry.row.email.lower(),
                    source_file=entry.file,
                    source_row=entry.number,
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
        for r in session.exec(select(Reviewer).where(Reviewer.campaign_year == campaign_year)).all()
    )
    return RosterCounts(new, updated, capacity)


@task(name="ingest-roster", cache_policy=NO_CACHE)
def ingest_roster(
    settings: Settings, campaign_year: int, as_of: date, files: list[str], report_dir: str
) -> RosterSummary:
    """Read roster files and save the reviewers of the campaign; report and publish the problems.

    Side effects: reads the files first, then inserts or updates Reviewer rows in one
    transaction; writes `roster-rejections.xlsx` into `report_dir` and publishes the
    `roster-rejections` artifact. `as_of` is kept for the audit trail of the run.
    """
    found = read_rows(files, ROSTER, RosterRow)
    roster = first_of_each_reviewer(found.rows)
    rejections = [*found.rejections, *roster.rejections]
    with campaign_session(settings) as session:
        counts = save_reviewers(session, campaign_year, roster.entries)
    report = write_rejection_report(
        settings.inside_workspace(report_dir, "roster-rejections.xlsx"), rejections
    ).relative_to(settings.workspace)
    publish_rejections("roster-rejections", "Roster problems", rejections, report)
    return RosterSummary(
        files_read=len(found.read),
        reviewers_new=counts.new,
        reviewers_updated=counts.updated,
        capacity=counts.capacity,
        problems_by_code=count_by_code(rejections),
        report=str(report),
    )
