"""Rows of the submission stage's forms: the basic-information form and financial statements.

Amounts are in 10,000 yuan (万元) as the notice's forms ask; a number typed with words or units
is rejected with a reason, not guessed. Pure; no I/O.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from schemas.cells import (
    USCC,
    Amount,
    Count,
    Number,
    OptionalAmount,
    OptionalCount,
    RequiredText,
    TextList,
    Year,
)


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class BasicInfoRow(_Row):
    """One unit's 企业社会责任报告基本信息统计表."""

    uscc: USCC
    name: RequiredText
    report_title: RequiredText
    report_year: Year
    employees: Count
    revenue: Amount
    profit: Number
    taxes: Amount
    rd_spend: Amount
    donations: OptionalAmount = None
    volunteer_hours: OptionalAmount = None
    energy_tce: OptionalAmount = None
    emissions_tco2e: OptionalAmount = None
    training_hours: OptionalAmount = None
    safety_incidents: OptionalCount = None
    penalties: OptionalCount = None
    certifications: TextList = []


class FinancialRow(_Row):
    """One fiscal year of one unit's financial statements."""

    uscc: USCC
    fiscal_year: Year
    revenue: Amount
    operating_cost: Amount
    profit: Number
    total_assets: Amount
    total_liabilities: Amount
    rd_spend: OptionalAmount = None
    taxes: OptionalAmount = None
