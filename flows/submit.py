"""报告编制 submit: basic-information forms, financial statements and report PDFs come in.

Leaves behind: versioned Submissions (forms, financials, report PDFs with their pre-screen
result and late flag); units moved to `submitted` once the form and a usable report are in (or
to `revised` when a unit asked to revise sends a new report); an acknowledgement mail per new
report version listing the pre-screen's problems; rejection reports; artifacts of form
problems, screening problems and topic coverage (published by the intake tasks) and of progress
per association.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow
from pydantic import BaseModel, ConfigDict

from schemas.settings import Settings
from tasks.common.business_day import current_run_label, resolve_as_of, stage_run_name
from tasks.common.campaigns import prepare_campaign
from tasks.common.delivery import deliver_outbox
from tasks.common.inbox import (
    BASIC_INFO_KIND,
    FINANCIALS_KIND,
    REPORTS_KIND,
    inbox_news,
    record_inputs,
)
from tasks.submit.artifacts import publish_submission_progress
from tasks.submit.forms import FormSummary, ingest_forms
from tasks.submit.reports import ReportSummary, ingest_reports


class SubmitSummary(BaseModel):
    """What one submit run took in."""

    model_config = ConfigDict(frozen=True)

    forms: FormSummary | None
    reports: ReportSummary | None
    mail_sent: int = 0


@flow(name="submit", flow_run_name=stage_run_name("submit"))
def submit(
    campaign_year: int,
    as_of: date | None = None,
    basic_info_files: list[str] | None = None,
    financial_files: list[str] | None = None,
    report_files: list[str] | None = None,
    manifest_files: list[str] | None = None,
) -> SubmitSummary:
    """Take in forms, financial statements and report PDFs new in the inbox (or given files).

    The inbox is workspace/inbox/<campaign_year>/ with basic_info/, financials/ and reports/
    (PDFs, and optionally manifest.xlsx mapping file names to USCCs).
    """
    settings = Settings()
    day = resolve_as_of(as_of, settings.timezone)
    reports_dir = str(Path("reports") / current_run_label())
    prepare_campaign(settings, campaign_year)
    news = inbox_news(settings, campaign_year)
    info = basic_info_files or news.basic_info_files
    money = financial_files or news.financial_files
    pdfs = report_files or news.report_files
    manifests = manifest_files or news.manifest_files
    forms = None
    if info or money:
        forms = ingest_forms(settings, campaign_year, day, info, money, reports_dir)
        outcomes = forms.outcomes
        record_inputs(settings, campaign_year, BASIC_INFO_KIND, info, day, outcomes=outcomes)
        record_inputs(settings, campaign_year, FINANCIALS_KIND, money, day, outcomes=outcomes)
    reports = None
    if pdfs:
        reports = ingest_reports(settings, campaign_year, day, pdfs, manifests, reports_dir)
        record_inputs(settings, campaign_year, REPORTS_KIND, pdfs + manifests, day)
    publish_submission_progress(settings, campaign_year)
    delivery = deliver_outbox(settings, campaign_year) if reports and reports.mails_queued else None
    return SubmitSummary(forms=forms, reports=reports, mail_sent=delivery.sent if delivery else 0)
