"""What each mail template may say: one frozen pydantic model of plain values per template.

Templates receive only these values, never table rows. `campaign_context` builds the part every
mail shares (name, edition, theme, dates) from the campaign file, so no year or date is ever
written into a template. Flows and tasks build the per-template contexts from their own data;
this module does not read the database, files or the clock.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.campaign_file import CampaignFile

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Return 1..99 in Chinese numerals (13 -> 十三); other numbers as Arabic digits. Pure."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    tail = "" if ones == 0 else _DIGITS[ones]
    return head + tail


class MailContext(BaseModel):
    """Base of every template context: frozen, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class DeadlineContext(MailContext):
    """One deadline of the campaign file (inclusive, end of day in Asia/Shanghai)."""

    key: str
    title: str
    title_en: str
    date: date


class ContactContext(MailContext):
    """The organisers' contact every mail names (the campaign file's [contact])."""

    organisation: str
    name: str
    phone: str
    email: str
    reply_to: str


class CampaignContext(MailContext):
    """What every mail says about the campaign: who organises it, its theme and its dates."""

    year: int
    edition: int
    edition_cn: str
    name: str
    title: str  # 第十三届上海市企业社会责任报告发布会
    theme: str
    report_year: int
    notice: str
    notice_date: date
    organisers: tuple[str, ...]
    organisers_text: str  # joined with 、 for a signature line
    technical_support: tuple[str, ...]
    filing_site: str
    contact: ContactContext
    deadlines: dict[str, DeadlineContext]
    meeting_date: date
    release_date: date


def campaign_context(campaign: CampaignFile) -> CampaignContext:
    """Return the shared mail context of a campaign file. Pure: no I/O."""
    info = campaign.campaign
    edition_cn = chinese_number(info.edition)
    return CampaignContext(
        year=info.year,
        edition=info.edition,
        edition_cn=edition_cn,
        name=info.name,
        title=f"第{edition_cn}届{info.name}",
        theme=info.theme,
        report_year=info.report_year,
        notice=info.notice,
        notice_date=info.notice_date,
        organisers=tuple(info.organisers),
        organisers_text="、".join(info.organisers),
        technical_support=tuple(info.technical_support),
        filing_site=info.filing_site,
        contact=ContactContext(**campaign.contact.model_dump()),
        deadlines={
            key: DeadlineContext(key=key, title=d.title, title_en=d.title_en, date=d.date)
            for key, d in campaign.deadlines.items()
        },
        meeting_date=campaign.events.meeting,
        release_date=campaign.events.release,
    )


def deadline_context(campaign: CampaignFile, key: str) -> DeadlineContext:
    """Return one named deadline as a context value; KeyError names the deadlines that exist."""
    d = campaign.deadline(key)
    return DeadlineContext(key=key, title=d.title, title_en=d.title_en, date=d.date)


class _ToUnit(MailContext):
    """A mail to one participating unit's contact person."""

    campaign: CampaignContext
    unit_name: str
    contact_name: str


class InvitationContext(_ToUnit):
    """invitation: a recommended unit is invited to register (file the receipt)."""

    association_name: str
    deadline: DeadlineContext


class TrainingSessionContext(MailContext):
    """One training session as the invitation shows it."""

    title: str
    mode: Literal["online", "offline"]
    date: date
    start: str  # "14:00"
    minutes: int
    place: str
    link: str


class TrainingInvitationContext(_ToUnit):
    """training_invitation: a seat in a session, or a place on its waiting list."""

    session: TrainingSessionContext
    waitlisted: bool


class DeadlineReminderContext(_ToUnit):
    """deadline_reminder: a step is still missing before a deadline (receipt or report)."""

    kind: Literal["receipt", "report"]
    deadline: DeadlineContext
    missing: tuple[str, ...]  # what is still missing, in words
    working_days_left: int  # 0 on the day itself


class OverdueNoticeContext(_ToUnit):
    """overdue_notice: a deadline passed with a step still missing."""

    deadline: DeadlineContext
    missing: tuple[str, ...]
    working_days_overdue: int
    notice_number: int
    notices_max: int


class ProblemContext(MailContext):
    """One pre-screen problem of a submitted document, as the unit should read it: one or two
    Chinese sentences saying what is wrong and what to do (never a code or an error text)."""

    message: str


class SubmissionAckContext(_ToUnit):
    """submission_ack: a document was received; whether it counts (受理) and why not, the
    problems that must be fixed and those that are only advice."""

    document: str  # 社会责任报告（PDF版本）, 发布回执表, ...
    file_name: str
    version: int
    received_on: date
    late: bool
    deadline: DeadlineContext
    accepted: bool  # the filing counts as submitted
    must_fix: tuple[ProblemContext, ...]  # why it does not count; each says what to do
    advice: tuple[ProblemContext, ...]  # the filing counts; suggestions only


class DigestUnitContext(MailContext):
    """One unit in an association's digest: where it stands and what it still owes."""

    unit_name: str
    status: str  # in words
    owes: tuple[str, ...]
    next_deadline: date | None


class AssociationDigestContext(MailContext):
    """association_digest: the weekly table of an association's units."""

    campaign: CampaignContext
    association_name: str
    contact_name: str
    as_of: date
    units: tuple[DigestUnitContext, ...]
    units_complete: int


class CriterionScoreContext(MailContext):
    """One review criterion in a feedback letter: the experts' mean (raw) score, its weight
    and the letter's comment on it."""

    name: str
    score: float
    max: float
    weight: float = 0.0  # 0.30 for 30 %
    comment: str = ""


class GradeStepContext(MailContext):
    """One step of the campaign file's star ladder (五星级 卓越 from 90 points ...)."""

    stars: float
    name: str
    label: str
    min_score: float
    band: str  # the scores it covers, in words: 90分及以上, 80—90分, 50分以下


class CorrectionContext(MailContext):
    """What a corrected feedback letter (更正) changes: the values told before, and why.

    `version` is the decided version this letter states (2 and up); the `previous_*` values are
    those of the version the unit was told before.
    """

    version: int
    previous_score: float
    previous_grade: str
    previous_decision: Literal["pass", "revise", "reject"]
    reason: str


class FeedbackLetterContext(_ToUnit):
    """feedback_letter: the review's result and the reviewers' suggestions (anonymised);
    with `correction`, a corrected letter that says what changed since the earlier one."""

    decision: Literal["pass", "revise", "reject"] = "pass"
    criteria: tuple[CriterionScoreContext, ...] = ()
    score: float  # the normalised (calibrated) overall score: what the grade is read from
    raw_score: float | None = None  # the weighted mean of the experts' raw criterion scores
    grade_name: str
    grade_label: str
    stars: float | None = None
    ladder: tuple[GradeStepContext, ...] = ()
    strengths: tuple[str, ...]
    suggestions: tuple[str, ...]
    revision_requested: bool
    issued_on: date | None = None  # the day the outcome was decided: the letter's date
    round: int = 0
    attached: bool = False  # the letter is attached as a PDF (评审意见书)
    correction: CorrectionContext | None = None


class RevisionRequestContext(_ToUnit):
    """revision_request: the report needs changes before a deadline."""

    round: int
    max_rounds: int
    deadline: DeadlineContext
    requests: tuple[str, ...]


class ReleaseNoticeContext(_ToUnit):
    """release_notice: the report is released; the certificate is attached. A re-issued
    certificate names the number it replaces (`replaces`) and the day it was issued."""

    certificate_number: str
    release_date: date
    catalogue_url: str
    replaces: str = ""  # a re-issue: the number of the certificate the unit held before
    issued_on: date | None = None  # a re-issue: the new certificate's issue date


class ReleasedUnitContext(MailContext):
    """One of an association's units in its release summary."""

    unit_name: str
    outcome: str  # in words: 已发布, 未获发布, ...
    certificate_number: str
    commendations: tuple[str, ...]


class AssociationReleaseContext(MailContext):
    """association_release: an association's units at the release: released, commended, not."""

    campaign: CampaignContext
    association_name: str
    contact_name: str
    release_date: date
    catalogue_url: str
    units: tuple[ReleasedUnitContext, ...]
    released: int


class CommendationInvitationContext(_ToUnit):
    """commendation_invitation: an excellent unit, a commended case, or an invitation to speak.

    `category_name` is what the unit is commended as (优秀社会责任报告发布单位, a case category,
    发布会交流发言单位); `case_title` is the unit's own title for its case ("" when it gave none:
    no title is made up); `speaker_name` is "" until the unit names its speaker.
    """

    role: Literal["excellent_unit", "case", "speaker"]
    category_name: str
    case_title: str = ""
    speaker_name: str = ""
    event_date: date
    event_place: str
    reply_by: date


class ListProblemContext(MailContext):
    """One row of an association's list that was not taken as it stood."""

    file: str
    row: int | None
    column: str
    reason: str
    warning: bool


class RecommendationReceiptContext(MailContext):
    """recommendation_receipt: an association's lists were taken in; what landed and what not."""

    campaign: CampaignContext
    association_name: str
    contact_name: str
    as_of: date
    accepted: tuple[str, ...]  # unit names
    held: tuple[str, ...]  # over quota, held for the organisers
    problems: tuple[ListProblemContext, ...]
    quota_min: int
    quota_max: int
    deadline: DeadlineContext  # registration (receipt) deadline of the recommended units
