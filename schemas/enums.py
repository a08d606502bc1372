"""The campaign's named values: statuses, kinds and stages, one StrEnum each.

Values are the stored strings (lower-case, stable); they never change once data exists.
"""

from enum import StrEnum


class Stage(StrEnum):
    """A stage of the campaign season, in the order it runs."""

    PREPARING = "preparing"
    MOBILIZE = "mobilize"
    TRAIN = "train"
    SUBMIT = "submit"
    REVIEW = "review"
    COMMEND = "commend"
    MEETING = "meeting"
    RELEASE = "release"
    CLOSED = "closed"


class ParticipationStatus(StrEnum):
    """Where one unit stands in one campaign (see schemas/participation.py for the moves)."""

    RECOMMENDED = "recommended"
    REGISTERED = "registered"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    REVISION_REQUESTED = "revision_requested"
    REVISED = "revised"
    REVIEW_PASSED = "review_passed"
    REJECTED = "rejected"
    APPROVED = "approved"
    REMOVED = "removed"
    RELEASED = "released"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class UnitKind(StrEnum):
    """What kind of organisation a participating unit is."""

    ENTERPRISE = "enterprise"
    INSTITUTION = "institution"
    ASSOCIATION = "association"


class SubmissionKind(StrEnum):
    """A document a unit files during the submit stage."""

    RECEIPT = "receipt"
    BASIC_INFO = "basic_info"
    FINANCIALS = "financials"
    REPORT_PDF = "report_pdf"


class OutboxStatus(StrEnum):
    """Delivery state of one outgoing mail."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    AMBIGUOUS = "ambiguous"
    CANCELLED = "cancelled"


class Severity(StrEnum):
    """How bad a problem found in an input is: an error drops the row, a warning keeps it."""

    ERROR = "error"
    WARNING = "warning"


class OverQuota(StrEnum):
    """What to do with an association's recommendations beyond the quota."""

    CUT = "cut"
    HOLD = "hold"


class EnrolmentStatus(StrEnum):
    """A unit's place in a training session."""

    INVITED = "invited"
    WAITLISTED = "waitlisted"
    WALK_IN = "walk_in"  # attended without an invitation (recorded from the attendance sheet)
