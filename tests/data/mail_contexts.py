"""Sample contexts for every mail template, built from the real 2024 campaign file.

Used by the render tests, and to look at the mail: `python tests/data/mail_contexts.py OUT_DIR`
writes each template's subject, text and HTML into OUT_DIR for a browser or a mail viewer.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from notifications.contexts import (
    AssociationDigestContext,
    AssociationReleaseContext,
    CampaignContext,
    CommendationInvitationContext,
    CorrectionContext,
    CriterionScoreContext,
    DeadlineReminderContext,
    DigestUnitContext,
    FeedbackLetterContext,
    InvitationContext,
    ListProblemContext,
    MailContext,
    OverdueNoticeContext,
    ProblemContext,
    RecommendationReceiptContext,
    ReleasedUnitContext,
    ReleaseNoticeContext,
    RevisionRequestContext,
    SubmissionAckContext,
    TrainingInvitationContext,
    TrainingSessionContext,
    campaign_context,
    deadline_context,
)
from notifications.expert_contexts import (
    AssignedReportContext,
    ReviewInvitationContext,
    ReviewReminderContext,
)
from schemas.campaign_file import CampaignFile, load_campaign_file
from tasks.review.letters import grade_ladder

REPO = Path(__file__).resolve().parents[2]


def sample_contexts(
    campaign: CampaignFile, unit_name: str = "上海示例科技股份有限公司"
) -> dict[str, MailContext]:
    """Return one filled-in context per template name."""
    c: CampaignContext = campaign_context(campaign)
    receipt = deadline_context(campaign, "receipt")
    report = deadline_context(campaign, "report")
    session = campaign.training.sessions[1]
    to_unit = {"campaign": c, "unit_name": unit_name, "contact_name": "李明"}
    return {
        "invitation": InvitationContext(
            **to_unit, association_name="上海市电子信息行业协会", deadline=receipt
        ),
        "training_invitation": TrainingInvitationContext(
            **to_unit,
            session=TrainingSessionContext(
                title=session.title,
                mode=session.mode,
                date=session.date,
                start=session.start.strftime("%H:%M"),
                minutes=session.minutes,
                place=session.place,
                link=session.link,
            ),
            waitlisted=False,
        ),
        "deadline_reminder": DeadlineReminderContext(
            **to_unit,
            kind="report",
            deadline=report,
            missing=(report.title,),
            working_days_left=3,
        ),
        "overdue_notice": OverdueNoticeContext(
            **to_unit,
            deadline=receipt,
            missing=("发布回执表", "基本信息统计表"),
            working_days_overdue=3,
            notice_number=1,
            notices_max=campaign.reminders.overdue_max,
        ),
        "submission_ack": SubmissionAckContext(
            **to_unit,
            document="社会责任报告（PDF版本）",
            file_name="社会责任报告.pdf",
            version=2,
            received_on=date(2024, 11, 28),
            late=False,
            deadline=report,
            accepted=True,
            must_fix=(),
            advice=(
                ProblemContext(message="报告封面写明的年度为2022年，本届发布的是2023年度报告。"),
                ProblemContext(message="系统未在报告中找到以下核心议题的内容：社区参与。"),
            ),
        ),
        "association_digest": AssociationDigestContext(
            campaign=c,
            association_name="上海市电子信息行业协会",
            contact_name="王芳",
            as_of=date(2024, 11, 11),
            units=(
                DigestUnitContext(
                    unit_name=unit_name,
                    status="已报名",
                    owes=(report.title,),
                    next_deadline=report.date,
                ),
                DigestUnitContext(
                    unit_name="上海样例物流有限公司",
                    status="已推荐",
                    owes=("发布回执表", "基本信息统计表"),
                    next_deadline=receipt.date,
                ),
                DigestUnitContext(
                    unit_name="上海范例能源集团有限公司",
                    status="已提交",
                    owes=(),
                    next_deadline=None,
                ),
            ),
            units_complete=1,
        ),
        "feedback_letter": FeedbackLetterContext(
            **to_unit,
            decision="revise",
            criteria=(
                CriterionScoreContext(
                    name="实质性",
                    score=84.0,
                    max=100,
                    weight=0.3,
                    comment="本维度考察是否识别并回应对企业和利益相关方最重要的议题；本报告表现突出。",
                ),
                CriterionScoreContext(
                    name="完整性",
                    score=79.5,
                    max=100,
                    weight=0.25,
                    comment="本维度考察是否完整覆盖核心议题及其管理、实践和绩效；本报告表现良好，"
                    "仍有提升空间。",
                ),
            ),
            score=82.5,
            raw_score=81.9,
            grade_name="四星半级",
            grade_label="领先",
            stars=4.5,
            ladder=grade_ladder(campaign.review.grades),
            issued_on=date(2024, 12, 16),
            strengths=("实质性议题识别过程完整", "绿色低碳数据披露充分"),
            suggestions=("补充供应链社会责任管理的量化指标", "增加负面信息的披露与回应"),
            revision_requested=True,
        ),
        "revision_request": RevisionRequestContext(
            **to_unit,
            round=1,
            max_rounds=campaign.review.max_revision_rounds,
            deadline=deadline_context(campaign, "revision"),
            requests=("补充员工关爱议题的绩效数据", "统一报告中的统计口径"),
        ),
        "release_notice": ReleaseNoticeContext(
            **to_unit,
            certificate_number="CSR-13-0042-K",
            release_date=campaign.events.release,
            catalogue_url="https://csr.example.org/catalogue/",
        ),
        "association_release": AssociationReleaseContext(
            campaign=c,
            association_name="上海市示例行业协会",
            contact_name="王芳",
            release_date=campaign.events.release,
            catalogue_url="https://csr.example.org/catalogue/",
            units=(
                ReleasedUnitContext(
                    unit_name="上海示例科技股份有限公司",
                    outcome="已发布",
                    certificate_number="SHCSR-2024-00001-X",
                    commendations=("绿色低碳优秀案例",),
                ),
                ReleasedUnitContext(
                    unit_name="上海样本制造有限公司",
                    outcome="未获发布",
                    certificate_number="",
                    commendations=(),
                ),
            ),
            released=1,
        ),
        "commendation_invitation": CommendationInvitationContext(
            **to_unit,
            role="speaker",
            category_name="绿色低碳优秀案例",
            case_title="零碳工厂建设实践",
            speaker_name="张华",
            event_date=campaign.events.release,
            event_place="上海市江西中路181号",
            reply_by=date(2025, 1, 6),
        ),
        "review_invitation": ReviewInvitationContext(
            campaign=c,
            reviewer_name="王芳",
            reports=12,
            criteria=("实质性（30%，0-100分）", "完整性（25%，0-100分）"),
            deadline=deadline_context(campaign, "review"),
        ),
        "review_reminder": ReviewReminderContext(
            campaign=c,
            reviewer_name="王芳",
            deadline=deadline_context(campaign, "review"),
            reports_missing=2,
            reports_total=12,
            missing_reports=(unit_name, "上海样例物流有限公司"),
            working_days_left=-1,
            overdue=True,
            notice_number=1,
            notices_max=campaign.reminders.overdue_max,
        ),
        "recommendation_receipt": RecommendationReceiptContext(
            campaign=c,
            association_name="上海市电子信息行业协会",
            contact_name="王芳",
            as_of=date(2024, 10, 10),
            accepted=(unit_name, "上海示例电子有限公司"),
            held=(),
            problems=(
                ListProblemContext(
                    file="A001.xlsx",
                    row=7,
                    column="联系邮箱",
                    reason="邮箱格式不正确",
                    warning=False,
                ),
                ListProblemContext(
                    file="A001.xlsx",
                    row=None,
                    column="",
                    reason="仅推荐2家，少于10家",
                    warning=True,
                ),
            ),
            quota_min=campaign.quota.min,
            quota_max=campaign.quota.max,
            deadline=receipt,
        ),
    }


def context_variants(campaign: CampaignFile) -> list[tuple[str, str, MailContext]]:
    """Return (template, branch, context) for every branch a template has: the sample, then
    each other case a recipient may get (a corrected letter, a waiting list, a speaker...)."""
    base = sample_contexts(campaign)
    out: list[tuple[str, str, MailContext]] = [(n, "sample", c) for n, c in base.items()]

    def vary(name: str, branch: str, **update: object) -> None:
        out.append((name, branch, base[name].model_copy(update=update)))

    session = campaign.training.sessions[0]
    vary("training_invitation", "waitlisted", waitlisted=True)
    vary(
        "training_invitation",
        "offline",
        session=TrainingSessionContext(
            title=session.title,
            mode=session.mode,
            date=session.date,
            start=session.start.strftime("%H:%M"),
            minutes=session.minutes,
            place=session.place,
            link=session.link,
        ),
    )
    vary("deadline_reminder", "receipt-today", kind="receipt", working_days_left=0)
    vary(
        "submission_ack",
        "refused",
        accepted=False,
        late=True,
        must_fix=(ProblemContext(message="文件已加密，系统无法读取，请提交未加密的PDF文件。"),),
        advice=(),
    )
    vary("feedback_letter", "pass", decision="pass", revision_requested=False, strengths=())
    vary(
        "feedback_letter",
        "corrected",
        decision="pass",
        revision_requested=False,
        correction=CorrectionContext(
            version=2,
            previous_score=58.0,
            previous_grade="三星级",
            previous_decision="revise",
            reason="一份评分表逾期送达，重新计算后更正。",
        ),
    )
    vary("release_notice", "reissued", replaces="CSR-13-0041-H", issued_on=date(2025, 1, 20))
    vary("commendation_invitation", "speaker-unnamed", speaker_name="", case_title="")
    vary("commendation_invitation", "case", role="case", speaker_name="")
    vary("commendation_invitation", "case-untitled", role="case", case_title="", speaker_name="")
    vary(
        "commendation_invitation",
        "excellent-unit",
        role="excellent_unit",
        category_name="优秀社会责任报告发布单位",
        case_title="",
        speaker_name="",
    )
    vary("review_reminder", "before", overdue=False, working_days_left=3, notice_number=0)
    vary("review_reminder", "today", overdue=False, working_days_left=0, notice_number=0)
    vary("association_digest", "none-complete", units_complete=0)
    reports = (
        AssignedReportContext(
            unit_name="上海示例科技股份有限公司",
            report_title="上海示例科技股份有限公司2023年度社会责任报告",
            file_name="示例科技-社会责任报告-第1轮.pdf",
        ),
    )
    linked = (
        reports[0].model_copy(
            update={"link": "https://csr.example.org/2024/review-reports/%E7%A4%BA.pdf"}
        ),
    )
    sheet = "评分表-第1轮-示例科技-3f2a1c9b.xlsx"
    vary("review_invitation", "attached", assigned=reports, reports_attached=True, sheet_file=sheet)
    vary("review_invitation", "linked", assigned=linked, reports_attached=False, sheet_file=sheet)
    vary("review_invitation", "recheck", round=1, assigned=reports, reports_attached=True)
    vary("recommendation_receipt", "held", held=("上海样例物流有限公司",), problems=())
    return out


if __name__ == "__main__":
    from notifications.render import render

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    contexts = sample_contexts(load_campaign_file(REPO / "campaigns" / "2024.toml"))
    for name, context in contexts.items():
        mail = render(name, context)
        (out / f"{name}.txt").write_text(f"Subject: {mail.subject}\n\n{mail.text}", "utf-8")
        (out / f"{name}.html").write_text(mail.html, "utf-8")
    sys.stdout.write(f"wrote {len(contexts)} previews to {out}\n")
