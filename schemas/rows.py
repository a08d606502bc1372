"""Validated input rows: one pydantic model per input kind, built from a reader's raw cells.

Cells are validated by the types of schemas/cells.py, whose errors carry our stable rejection
code and reasons in Chinese and English; `row_problems` turns them into RowProblems, so a bad row
becomes a Rejection without any parsing of messages. Pure; no I/O.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from schemas.cell_text import excel_general
from schemas.cells import (
    USCC,
    Attested,
    ChairDecision,
    Count,
    Email,
    Kind,
    OptionalCount,
    OptionalDate,
    OptionalEmail,
    OptionalPhone,
    OptionalYesNo,
    OverrideAction,
    RequiredText,
    Text,
    TextList,
    UsccList,
    Year,
    clean_text,
)
from schemas.enums import UnitKind


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class AssociationRow(_Row):
    """One row of the association list."""

    code: RequiredText
    name: RequiredText
    contact_name: Text = ""
    email: OptionalEmail = ""
    phone: OptionalPhone = ""


class RecommendationRow(_Row):
    """One row of an association's recommendation list."""

    association_code: RequiredText
    campaign_year: Year
    uscc: USCC
    name: RequiredText
    kind: Kind = UnitKind.ENTERPRISE
    district: Text = ""
    industry: Text = ""
    ownership: Text = ""
    listed: OptionalYesNo = None
    contact_name: Text = ""
    email: Email
    phone: OptionalPhone = ""
    attests_compliance: Attested
    attests_responsibility: Attested
    agrees_to_publish: Attested


class ReceiptRow(_Row):
    """One row of the release receipt (发布回执表): a unit registering for the campaign."""

    uscc: USCC
    name: RequiredText
    report_title: RequiredText
    contact_name: Text = ""
    email: Email
    phone: OptionalPhone = ""
    filed_on: OptionalDate = None


class AttendanceRow(_Row):
    """One row of a training attendance sheet."""

    session_key: RequiredText
    uscc: USCC
    attendee: Text = ""
    attended: OptionalYesNo = None


class ManifestRow(_Row):
    """One row of a report-file manifest: which PDF belongs to which unit."""

    file: RequiredText
    uscc: USCC


class RosterRow(_Row):
    """One expert on the reviewer roster (评审专家名单)."""

    name: RequiredText
    email: Email
    employer: RequiredText
    industries: TextList = []
    topics: TextList = []
    max_load: Count
    conflict_associations: TextList = []
    conflict_units: UsccList = []


class OverrideRow(_Row):
    """One manual decision on the review assignment: this expert must (not) review this unit."""

    uscc: USCC
    reviewer_email: Email
    action: OverrideAction
    reason: Text = ""


class ChairDecisionRow(_Row):
    """One review chair's decision on a report the reviewers disagreed on or left short."""

    uscc: USCC
    decision: ChairDecision
    reason: RequiredText


class AbsenceRow(_Row):
    """One expert recorded absent: no sheet will come for that round (blank USCC: all reports)."""

    reviewer_email: Email
    round: OptionalCount = None  # None: the first round
    uscc: UsccList = []
    reason: RequiredText


class RowProblem(BaseModel):
    """One field problem of one row, before it is placed in a file."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: str
    code: str
    reason_zh: str
    reason_en: str


def shown_value(value: Any) -> str:
    """Return a cell's value as the report shows it: long numbers as Excel displays them. Pure."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e11:
        return excel_general(value)
    return clean_text(value)


def row_problems(exc: ValidationError, raw: dict[str, Any]) -> list[RowProblem]:
    """Return one RowProblem per field error of a row model's ValidationError."""
    out: list[RowProblem] = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        ctx = err.get("ctx") or {}
        if "reason_zh" in ctx:
            code, zh, en = err["type"], str(ctx["reason_zh"]), str(ctx["reason_en"])
        elif err["type"] == "missing":
            code, zh, en = "missing-value", "必填项为空", "required value is empty"
        else:
            code, zh, en = "bad-value", "取值不正确", str(err["msg"])
        out.append(
            RowProblem(
                field=field,
                value=shown_value(raw.get(field)),
                code=code,
                reason_zh=zh,
                reason_en=en,
            )
        )
    return out
