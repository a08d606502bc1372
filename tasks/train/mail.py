"""Mail of the train stage: a seat or a waiting-list place in a session, with an .ics invite.

Built in the enrolment's transaction. The key is per participation, session and status, so a
unit that moves up from the waiting list gets its invitation, and a re-run sends nothing. The
calendar file of each session is written once into the workspace and attached to invitations.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session, col, select

from notifications.contexts import (
    TrainingInvitationContext,
    TrainingSessionContext,
    campaign_context,
)
from notifications.headers import mailbox
from notifications.ics import session_invite
from notifications.outbox import OutgoingMail
from notifications.render import render
from schemas.campaign_file import CampaignFile
from schemas.campaign_parts import TrainingSession
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation, Unit


def session_calendar_file(
    settings: Settings, campaign: CampaignFile, training: TrainingSession
) -> Path:
    """Write the session's .ics into the workspace once; return its path.

    Side effect: creates workspace/attachments/<year>/training/<session key>.ics if missing.
    """
    path = settings.inside_workspace(
        "attachments", str(campaign.year), "training", f"{training.key}.ics"
    )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = session_invite(
            uid=f"{campaign.year}-{training.key}@{settings.mail_from.rpartition('@')[2]}",
            title=f"{campaign.campaign.name}：{training.title}",
            day=training.date,
            start=training.start,
            minutes=training.minutes,
            place=training.place,
            link=training.link,
            organiser="、".join(campaign.campaign.organisers),
            organiser_email=settings.mail_from,
            stamp=now_utc(),
        )
        tmp = path.with_suffix(".ics.part")
        tmp.write_text(text, encoding="utf-8", newline="")
        tmp.replace(path)
    return path


def training_mails(
    session: Session,
    settings: Settings,
    campaign: CampaignFile,
    training: TrainingSession,
    invited: Sequence[int],
    waitlisted: Sequence[int],
) -> list[OutgoingMail]:
    """Return a training invitation (or waiting-list notice) per participation given."""
    ids = [*invited, *waitlisted]
    if not ids:
        return []
    units = {
        pid: unit
        for pid, unit in session.exec(
            select(Participation.id, Unit)
            .join(Unit, col(Unit.id) == col(Participation.unit_id))
            .where(col(Participation.id).in_(ids))
        ).all()
        if pid is not None
    }
    shared = campaign_context(campaign)
    seat = TrainingSessionContext(
        title=training.title,
        mode=training.mode,
        date=training.date,
        start=training.start.strftime("%H:%M"),
        minutes=training.minutes,
        place=training.place,
        link=training.link,
    )
    invite = session_calendar_file(settings, campaign, training)
    on_waiting_list = set(waitlisted)
    mails: list[OutgoingMail] = []
    for pid in ids:
        unit = units[pid]
        wait = pid in on_waiting_list
        context = TrainingInvitationContext(
            campaign=shared,
            unit_name=unit.name,
            contact_name=unit.contact_name or unit.name,
            session=seat,
            waitlisted=wait,
        )
        mails.append(
            OutgoingMail(
                campaign_year=campaign.year,
                to=mailbox(unit.email, unit.contact_name),
                mail=render("training_invitation", context),
                subject_ref=f"participation:{pid}:training:{training.key}",
                version="waitlisted" if wait else "invited",
                attachments=() if wait else (str(invite),),
            )
        )
    return mails
