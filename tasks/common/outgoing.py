"""Put mail in the outbox from a task's transaction, with the settings' workspace, domain and cap.

The one place tasks call `enqueue_many`: attachments are checked against the workspace,
Message-IDs use the sender's domain, and a mail larger than `mail_max_message_bytes` as sent is
refused: it is not queued, and the refusal (template, record, attachment file names, reasons
in Chinese and English; never the recipient) is logged as a warning and published as the
`mail-refused` table artifact, while the other mails go in. Also the deadline contexts every
reminder-like mail needs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from prefect import get_run_logger
from sqlmodel import Session

from notifications.contexts import DeadlineContext, deadline_context
from notifications.headers import address_domain
from notifications.message_size import SizeRefusal, megabytes
from notifications.outbox import OutgoingMail, enqueue_many, split_by_size
from schemas.campaign_file import CampaignFile
from schemas.enums import SubmissionKind
from schemas.settings import Settings
from tasks.common.rejection_reports import in_a_run, publish_table

REFUSED_ARTIFACT = "mail-refused"
log = logging.getLogger(__name__)


def enqueue(
    session: Session, settings: Settings, mails: Sequence[OutgoingMail], *, business_day: date
) -> int:
    """Add mails to the outbox in the caller's transaction; return how many were new.

    `business_day` is the campaign day the task runs for (its `as_of`); each row keeps it.
    Mails over the size cap are not queued (and not counted): they are reported
    (`report_refused`: a warning and, inside a run, the `mail-refused` artifact).
    """
    if not mails:
        return 0
    limit = settings.mail_max_message_bytes
    fitting, refused = split_by_size(mails, workspace=settings.workspace, limit=limit)
    if refused:
        report_refused(refused)
    done = enqueue_many(
        session,
        fitting,
        workspace=settings.workspace,
        message_id_domain=address_domain(settings.mail_from),
        business_day=business_day,
        max_message_bytes=limit,
    )
    return sum(1 for e in done if e.created)


def refused_rows(refused: Sequence[SizeRefusal]) -> list[dict[str, str]]:
    """Return the `mail-refused` table: one row per refused mail, no recipient. Pure."""
    return [
        {
            "code": r.code,
            "template": r.template,
            "record": r.subject_ref,
            "files": ", ".join(r.files),
            "size": megabytes(r.estimated_bytes),
            "limit": megabytes(r.limit_bytes),
            "reason_zh": r.reason_zh,
            "reason_en": r.reason_en,
        }
        for r in refused
    ]


def report_refused(refused: Sequence[SizeRefusal]) -> None:
    """Log each refused mail as a warning; inside a run, publish the `mail-refused` artifact."""
    logger = get_run_logger() if in_a_run() else log
    for r in refused:
        logger.warning("%s %s: %s / %s", r.template, r.subject_ref, r.reason_zh, r.reason_en)
    if in_a_run():
        publish_table(
            REFUSED_ARTIFACT,
            refused_rows(refused),
            f"**邮件过大未发送 / mail too large, not queued**: {len(refused)} mails over the "
            "size cap (CAMPAIGN_MAIL_MAX_MESSAGE_BYTES); shrink or split the attachments, "
            "then run the stage again.",
        )


def deadline_of_step(campaign: CampaignFile, kind: SubmissionKind) -> DeadlineContext:
    """Return the mail context of the deadline by which `kind` is due."""
    return deadline_context(campaign, campaign.deadline_key_for(kind))
