"""Record new report PDF versions: number them, flag them late, acknowledge them, move units on.

`plan_report_versions` is the rule on values (each new file becomes the unit's next version,
late after the report deadline); `record_reports` reads the latest versions and the units,
saves the planned Submissions with their screen results and page texts, queues one
acknowledgement mail per version listing the screen's problems, moves a unit asked to revise
to `revised` when its new report is usable and complete units to `submitted`. Everything runs
in the caller's session and transaction: nothing here reads input files, screens PDFs or
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from sqlmodel import Session, col, select

from notifications.contexts import ProblemContext, SubmissionAckContext, campaign_context
from notifications.headers import mailbox
from notifications.outbox import OutgoingMail
from notifications.render import render
from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus, Severity, SubmissionKind
from schemas.participation import transition
from schemas.screening import ScreenResult, enterprise_sentence
from schemas.settings import Settings
from schemas.tables import Participation, Submission, Unit
from tasks.common.business_day import current_actor
from tasks.common.outgoing import deadline_of_step, enqueue
from tasks.common.progress import advance_to_submitted
from tasks.submit.page_texts import save_page_texts


@dataclass(frozen=True)
class IncomingReport:
    """A matched PDF that passed the enrolment check, archived."""

    name: str
    participation_id: int
    archived: Path
    sha256: str
    size: int


class Filer(NamedTuple):
    """A participation that filed a report, with its unit (name and contact for the mail)."""

    participation: Participation
    unit: Unit


@dataclass(frozen=True)
class ReportsRecorded:
    """What saving one batch of new report versions did."""

    versions: tuple[Submission, ...]
    mails_queued: int
    submitted: int
    revised: int


def plan_report_versions(
    campaign: CampaignFile,
    incoming: Sequence[IncomingReport],
    results: dict[str, ScreenResult],
    latest: dict[int, int],
    *,
    as_of: date,
    now: datetime,
) -> list[Submission]:
    """Return a new Submission per incoming report, numbered after the unit's latest version.

    `latest` maps a participation to its highest report version so far (absent: none yet);
    `results` maps a file name to its screen result. Pure: `latest` is not changed.
    """
    deadline = campaign.deadline_date_for(SubmissionKind.REPORT_PDF)
    numbered = dict(latest)
    versions: list[Submission] = []
    for item in incoming:
        numbered[item.participation_id] = numbered.get(item.participation_id, 0) + 1
        versions.append(
            Submission(
                campaign_year=campaign.year,
                participation_id=item.participation_id,
                kind=SubmissionKind.REPORT_PDF,
                version=numbered[item.participation_id],
                stored_path=str(item.archived),
                original_name=item.name,
                sha256=item.sha256,
                size=item.size,
                received_on=as_of,
                received_at=now,
                late=deadline is not None and as_of > deadline,
                screening=results[item.name].to_stored(),
            )
        )
    return versions


def acknowledgement(
    campaign: CampaignFile, unit: Unit, sub: Submission, result: ScreenResult
) -> OutgoingMail:
    """Return the acknowledgement of one report version: whether it counts (受理), what must
    be fixed and what is only advice, each in the enterprise's words (no codes, no error
    texts: `enterprise_sentence`). Pure."""
    context = SubmissionAckContext(
        campaign=campaign_context(campaign),
        unit_name=unit.name,
        contact_name=unit.contact_name or unit.name,
        document=f"{campaign.campaign.report_year}年度社会责任报告（PDF版本）",
        file_name=sub.original_name,
        version=sub.version,
        received_on=sub.received_on,
        late=sub.late,
        deadline=deadline_of_step(campaign, SubmissionKind.REPORT_PDF),
        accepted=result.usable,
        must_fix=tuple(
            ProblemContext(message=enterprise_sentence(p))
            for p in result.problems
            if p.severity == Severity.ERROR
        ),
        advice=tuple(
            ProblemContext(message=enterprise_sentence(p))
            for p in result.problems
            if p.severity != Severity.ERROR
        ),
    )
    return OutgoingMail(
        campaign_year=campaign.year,
        to=mailbox(unit.email, unit.contact_name),
        mail=render("submission_ack", context),
        subject_ref=f"participation:{sub.participation_id}:report",
        version=sub.version,
    )


def latest_report_versions(session: Session, participation_ids: Sequence[int]) -> dict[int, int]:
    """Return, per participation, its highest report PDF version. Reads only."""
    latest: dict[int, int] = {}
    for pid, version in session.exec(
        select(Submission.participation_id, Submission.version)
        .where(Submission.kind == SubmissionKind.REPORT_PDF)
        .where(col(Submission.participation_id).in_(participation_ids))
    ).all():
        latest[pid] = max(latest.get(pid, 0), version)
    return latest


def load_filers(session: Session, participation_ids: Sequence[int]) -> dict[int, Filer]:
    """Return the participations with their units, by participation id. Reads only."""
    return {
        p.id: Filer(p, u)
        for p, u in session.exec(
            select(Participation, Unit)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(col(Participation.id).in_(participation_ids))
        ).all()
        if p.id is not None
    }


def record_reports(
    session: Session,
    settings: Settings,
    campaign: CampaignFile,
    incoming: Sequence[IncomingReport],
    results: dict[str, ScreenResult],
    *,
    as_of: date,
    now: datetime,
) -> ReportsRecorded:
    """Save new report versions, queue their acknowledgements, move units on.

    Side effects, in the caller's session: adds Submissions with their page texts
    (report_page), StageTransitions (to `revised` and to `submitted`) and outbox rows.
    """
    ids = sorted({r.participation_id for r in incoming})
    latest = latest_report_versions(session, ids)
    filers = load_filers(session, ids)
    versions = plan_report_versions(campaign, incoming, results, latest, as_of=as_of, now=now)
    actor = current_actor()
    mails: list[OutgoingMail] = []
    revised = 0
    for sub in versions:
        result = results[sub.original_name]
        filer = filers[sub.participation_id]
        mails.append(acknowledgement(campaign, filer.unit, sub, result))
        if filer.participation.status == ParticipationStatus.REVISION_REQUESTED and result.usable:
            session.add(
                transition(
                    filer.participation,
                    ParticipationStatus.REVISED,
                    actor=actor,
                    at=now,
                    reason=f"修改后的报告第{sub.version}版",
                )
            )
            revised += 1
    session.add_all(versions)
    session.flush()
    save_page_texts(session, versions, results)
    queued = enqueue(session, settings, mails, business_day=as_of)
    submitted = advance_to_submitted(session, campaign.year, actor=actor, now=now)
    return ReportsRecorded(tuple(versions), queued, submitted, revised)
