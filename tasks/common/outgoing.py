"""Put mail in the outbox from a task's transaction, with the settings' workspace and domain.

The one place tasks call `enqueue_many`: attachments are checked against the workspace and
Message-IDs use the sender's domain. Also the deadline contexts every reminder-like mail needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from notifications.contexts import DeadlineContext, deadline_context
from notifications.headers import address_domain
from notifications.outbox import OutgoingMail, enqueue_many
from schemas.campaign_file import CampaignFile
from schemas.enums import SubmissionKind
from schemas.settings import Settings


def enqueue(
    session: Session, settings: Settings, mails: Sequence[OutgoingMail], *, business_day: date
) -> int:
    """Add mails to the outbox in the caller's transaction; return how many were new.

    `business_day` is the campaign day the task runs for (its `as_of`); each row keeps it.
    """
    if not mails:
        return 0
    done = enqueue_many(
        session,
        mails,
        workspace=settings.workspace,
        message_id_domain=address_domain(settings.mail_from),
        business_day=business_day,
    )
    return sum(1 for e in done if e.created)


def deadline_of_step(campaign: CampaignFile, kind: SubmissionKind) -> DeadlineContext:
    """Return the mail context of the deadline by which `kind` is due."""
    return deadline_context(campaign, campaign.deadline_key_for(kind))
