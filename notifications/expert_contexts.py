"""What the mail to review experts may say: their score sheet and the reports assigned to them.

Frozen pydantic models of plain values, as in notifications/contexts.py (the shared campaign
and deadline parts come from there). No I/O.
"""

from __future__ import annotations

from notifications.contexts import CampaignContext, DeadlineContext, MailContext


class AssignedReportContext(MailContext):
    """One report assigned to an expert: whose, its title, and its file (attached or linked)."""

    unit_name: str
    report_title: str
    file_name: str  # the attachment's or the download's name: 博泰涂料-社会责任报告-第1轮.pdf
    link: str = ""  # the download address when the reports are not attached


class ReviewInvitationContext(MailContext):
    """review_invitation: an expert's score sheet (attached) with the reports assigned, attached
    under the mail size limit (`reports_attached`) or linked."""

    campaign: CampaignContext
    reviewer_name: str
    reports: int
    criteria: tuple[str, ...]  # 实质性（30%，0-100）...
    deadline: DeadlineContext
    round: int = 0
    assigned: tuple[AssignedReportContext, ...] = ()
    reports_attached: bool = False
    sheet_file: str = ""  # the score sheet's attachment name


class ReviewReminderContext(MailContext):
    """review_reminder: an expert's score sheet still lacks reports before or after its deadline.

    `working_days_left` is 0 on the day and negative once overdue (working days past the
    deadline); `overdue` says the same in a word. `notice_number` counts the overdue notices
    (1..notices_max), 0 before and on the day. `missing_reports` names the units whose reports
    the sheet has not scored yet, as the sheet shows them.
    """

    campaign: CampaignContext
    reviewer_name: str
    deadline: DeadlineContext
    reports_missing: int
    reports_total: int
    missing_reports: tuple[str, ...]
    working_days_left: int
    overdue: bool
    notice_number: int
    notices_max: int
