"""Every mail template: who reads it (the footer says whom to ask) and the context it takes.

`render` checks a context against CONTEXT_TYPES and gives the template its audience. No I/O.
"""

from __future__ import annotations

from typing import Literal

from notifications.contexts import (
    AssociationDigestContext,
    AssociationReleaseContext,
    CommendationInvitationContext,
    DeadlineReminderContext,
    FeedbackLetterContext,
    InvitationContext,
    MailContext,
    OverdueNoticeContext,
    RecommendationReceiptContext,
    ReleaseNoticeContext,
    RevisionRequestContext,
    SubmissionAckContext,
    TrainingInvitationContext,
)
from notifications.expert_contexts import ReviewInvitationContext, ReviewReminderContext

Audience = Literal["enterprise", "expert", "association"]

# Who reads each template: the footer says whom to ask (a unit may ask its recommending
# association; an expert or an association asks the organisers).
AUDIENCES: dict[str, Audience] = {
    "invitation": "enterprise",
    "training_invitation": "enterprise",
    "deadline_reminder": "enterprise",
    "overdue_notice": "enterprise",
    "submission_ack": "enterprise",
    "feedback_letter": "enterprise",
    "revision_request": "enterprise",
    "release_notice": "enterprise",
    "commendation_invitation": "enterprise",
    "association_digest": "association",
    "recommendation_receipt": "association",
    "association_release": "association",
    "review_invitation": "expert",
    "review_reminder": "expert",
}

CONTEXT_TYPES: dict[str, type[MailContext]] = {
    "invitation": InvitationContext,
    "training_invitation": TrainingInvitationContext,
    "deadline_reminder": DeadlineReminderContext,
    "overdue_notice": OverdueNoticeContext,
    "submission_ack": SubmissionAckContext,
    "association_digest": AssociationDigestContext,
    "feedback_letter": FeedbackLetterContext,
    "revision_request": RevisionRequestContext,
    "release_notice": ReleaseNoticeContext,
    "commendation_invitation": CommendationInvitationContext,
    "recommendation_receipt": RecommendationReceiptContext,
    "review_invitation": ReviewInvitationContext,
    "review_reminder": ReviewReminderContext,
    "association_release": AssociationReleaseContext,
}
