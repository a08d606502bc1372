"""Save the mobilize stage's lists one file per transaction, so one file never sinks another.

The association list is saved first in its own transaction; each recommendation file's accepted
rows (decided together, since duplicates and quotas span an association's files) are then saved
with their invitations in a transaction of their own; the associations' receipts come last in
theirs. Any exception inside one of these transactions rolls back that file alone and becomes a
file-level Rejection (`file-failed`) naming the file and the exception's class, never its message,
which may quote a row. What each file came to (taken in, refused whole, failed) is returned for
the input ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from schemas.campaign_file import CampaignFile
from schemas.enums import Severity
from schemas.rejection import Rejection
from schemas.rows import AssociationRow
from schemas.settings import Settings
from tasks.common.campaigns import ensure_campaign
from tasks.common.file_batches import file_failed
from tasks.common.ledger import FAILED, REFUSED, TAKEN_IN
from tasks.common.outgoing import enqueue
from tasks.mobilize.mail import association_receipt_mails, invitation_mails
from tasks.mobilize.participants import SaveCounts, save_recommendations, upsert_associations
from tasks.mobilize.recommendations import RecommendationBatch
from tasks.store import campaign_session

log = logging.getLogger(__name__)


def add_counts(a: SaveCounts, b: SaveCounts) -> SaveCounts:
    """Return the sum of two save counts (ids concatenated). Pure."""
    values = {f.name: getattr(a, f.name) + getattr(b, f.name) for f in fields(SaveCounts)}
    return SaveCounts(**values)


def save_association_list(
    settings: Settings,
    campaign: CampaignFile,
    label: str,
    associations: Sequence[AssociationRow],
    now: datetime,
) -> tuple[int, Rejection | None]:
    """Upsert the association list in its own transaction; return (new, failure if it failed)."""
    try:
        with campaign_session(settings) as session:
            ensure_campaign(session, campaign, now)
            return upsert_associations(session, associations), None
    except Exception as exc:  # this file's failure is reported, never raised
        log.warning("association list %s failed: %s", label, type(exc).__name__)
        return 0, file_failed(label, exc, "保存协会名单", "saving the association list")


@dataclass
class SavedFiles:
    """What saving the recommendation files did: counts, mail, failures, and each outcome."""

    counts: SaveCounts = field(default_factory=SaveCounts)
    mails_queued: int = 0
    unmailed: list[str] = field(default_factory=list)
    failures: list[Rejection] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)  # file label -> outcome


def save_list_files(
    settings: Settings,
    campaign: CampaignFile,
    batch: RecommendationBatch,
    labels: Sequence[str],
    as_of: date,
    now: datetime,
    association_problems: Sequence[Rejection] = (),
) -> SavedFiles:
    """Save each file's accepted rows and invitations in its own transaction. Writes.

    A file that raises is rolled back alone, its rows leave the batch (so no receipt claims
    them) and it gets a `file-failed` rejection; the receipts are enqueued last, in their own
    transaction, from what was saved.
    """
    saved = SavedFiles()
    refused = {r.file for r in batch.rejections if r.row is None and r.severity == Severity.ERROR}
    for label in labels:
        accepted = [a for a in batch.accepted if a.file == label]
        try:
            with campaign_session(settings) as session:
                counts = save_recommendations(session, campaign.year, accepted, as_of, now)
                invitations = invitation_mails(session, campaign, counts.new_participation_ids)
                queued = enqueue(session, settings, invitations, business_day=as_of)
        except Exception as exc:  # this file's failure is reported, never raised
            log.warning("recommendation file %s failed: %s", label, type(exc).__name__)
            saved.failures.append(file_failed(label, exc, "保存推荐名单", "saving the list"))
            saved.outcomes[label] = FAILED
            batch.accepted = [a for a in batch.accepted if a.file != label]
            continue
        saved.counts = add_counts(saved.counts, counts)
        saved.mails_queued += queued
        saved.outcomes[label] = REFUSED if label in refused and not accepted else TAKEN_IN
    _enqueue_receipts(settings, campaign, batch, saved, association_problems, as_of)
    return saved


def _enqueue_receipts(
    settings: Settings,
    campaign: CampaignFile,
    batch: RecommendationBatch,
    saved: SavedFiles,
    association_problems: Sequence[Rejection],
    as_of: date,
) -> None:
    """Enqueue each association's receipt of its lists in its own transaction. Writes."""
    try:
        with campaign_session(settings) as session:
            receipts = association_receipt_mails(
                session,
                campaign,
                batch,
                [*association_problems, *batch.rejections, *saved.failures],
                as_of,
            )
            saved.mails_queued += enqueue(session, settings, receipts.mails, business_day=as_of)
            saved.unmailed = receipts.unmailed
    except Exception as exc:  # the lists are saved; only the receipts are missing
        log.warning("association receipts failed: %s", type(exc).__name__)
        failure = file_failed("", exc, "发送协会回执", "enqueueing the associations' receipts")
        saved.failures.append(failure.model_copy(update={"severity": Severity.WARNING}))
