"""Mail templates render from plain contexts: strict variables, HTML escaped, text left alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from data.mail_contexts import sample_contexts

from notifications.contexts import (
    InvitationContext,
    ReleaseNoticeContext,
    campaign_context,
    chinese_number,
)
from notifications.mail_kinds import CONTEXT_TYPES
from notifications.render import (
    ContextMismatch,
    MissingTemplateVariable,
    UnknownTemplate,
    render,
    template_names,
)
from schemas.campaign_file import CampaignFile

NOTIFICATIONS = Path(__file__).resolve().parents[2] / "notifications"
TEMPLATES = [
    "association_digest",
    "association_release",
    "commendation_invitation",
    "deadline_reminder",
    "feedback_letter",
    "invitation",
    "overdue_notice",
    "recommendation_receipt",
    "release_notice",
    "review_invitation",
    "review_reminder",
    "revision_request",
    "submission_ack",
    "training_invitation",
]
PREFIX = "【第十三届上海市企业社会责任报告发布会】"


def test_template_names_are_the_mails_of_the_campaign() -> None:
    assert list(template_names()) == TEMPLATES
    assert sorted(CONTEXT_TYPES) == TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_all_three_parts_from_its_sample(
    name: str, campaign_2024: CampaignFile
) -> None:
    mail = render(name, sample_contexts(campaign_2024)[name])

    assert mail.template == name
    assert mail.subject.startswith(PREFIX)
    assert "\n" not in mail.subject
    assert mail.text.startswith(("尊敬的李明：", "尊敬的王芳："))
    assert mail.text.endswith("直接回复本邮件即可送达组委会（csr-office@example.org）。\n")
    assert mail.html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "上海市工业经济联合会<br>上海市经济团体联合会<br>" in mail.html
    assert "{{" not in mail.text + mail.html + mail.subject


def test_invitation_subject_and_dates_come_from_the_campaign_file(
    campaign_2024: CampaignFile,
) -> None:
    mail = render("invitation", sample_contexts(campaign_2024)["invitation"])

    assert mail.subject == f"{PREFIX}参加邀请：请于2024年11月15日前完成报名"
    assert (
        "请于2024年11月15日（星期五）前登录 www.saq.org.cn 提交《发布回执表及基本信息统计表》"
        in mail.text
    )
    assert "请于2024年11月30日前提交2023年度社会责任报告（PDF版本）" in mail.text


def test_another_years_file_changes_edition_and_dates(campaign_2024: CampaignFile) -> None:
    info = campaign_2024.campaign.model_copy(update={"edition": 14, "year": 2025})
    receipt = campaign_2024.deadlines["receipt"].model_copy(
        update={"date": campaign_2024.deadlines["receipt"].date.replace(year=2025)}
    )
    later = campaign_2024.model_copy(
        update={"campaign": info, "deadlines": {**campaign_2024.deadlines, "receipt": receipt}}
    )
    context = InvitationContext(
        campaign=campaign_context(later),
        unit_name="上海示例科技股份有限公司",
        contact_name="李明",
        association_name="上海市电子信息行业协会",
        deadline=campaign_context(later).deadlines["receipt"],
    )

    mail = render("invitation", context)

    assert (
        mail.subject
        == "【第十四届上海市企业社会责任报告发布会】参加邀请：请于2025年11月15日前完成报名"
    )


def test_a_missing_variable_is_an_error_naming_template_and_part(
    campaign_2024: CampaignFile,
) -> None:
    values = sample_contexts(campaign_2024)["invitation"].model_dump()
    del values["association_name"]

    with pytest.raises(
        MissingTemplateVariable, match=r"^invitation/body\.txt: 'association_name' is undefined$"
    ):
        render("invitation", values)


def test_a_missing_nested_variable_is_an_error(campaign_2024: CampaignFile) -> None:
    values = sample_contexts(campaign_2024)["invitation"].model_dump()
    del values["deadline"]["date"]

    with pytest.raises(MissingTemplateVariable, match=r"^invitation/subject\.txt: .*'date'"):
        render("invitation", values)


def test_a_context_of_another_template_is_refused(campaign_2024: CampaignFile) -> None:
    with pytest.raises(ContextMismatch, match="takes ReleaseNoticeContext, not InvitationContext"):
        render("release_notice", sample_contexts(campaign_2024)["invitation"])


def test_an_unknown_template_is_refused_with_the_known_names() -> None:
    with pytest.raises(
        UnknownTemplate, match="no mail template 'welcome'; known: association_digest"
    ):
        render("welcome", {})


def test_html_escapes_markup_from_a_unit_name_and_text_keeps_it(
    campaign_2024: CampaignFile,
) -> None:
    name = '<script>alert("x")</script> & 上海"测试"公司'
    context = sample_contexts(campaign_2024, unit_name=name)["release_notice"]
    assert isinstance(context, ReleaseNoticeContext)

    mail = render("release_notice", context)

    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 上海&#34;测试&#34;公司"
    assert f"祝贺<strong>{escaped}</strong>！" in mail.html
    assert "<script>" not in mail.html
    assert f"祝贺{name}！" in mail.text
    assert mail.subject == f"{PREFIX}{name}社会责任报告已正式发布（附发布证书）"


def test_campaign_context_is_built_from_the_file(campaign_2024: CampaignFile) -> None:
    c = campaign_context(campaign_2024)

    assert (c.year, c.edition, c.edition_cn, c.report_year) == (2024, 13, "十三", 2023)
    assert c.title == "第十三届上海市企业社会责任报告发布会"
    assert c.organisers_text == "上海市工业经济联合会、上海市经济团体联合会"
    assert sorted(c.deadlines) == ["receipt", "recommendation", "report", "review", "revision"]
    assert c.deadlines["report"].date.isoformat() == "2024-11-30"
    assert (c.meeting_date.isoformat(), c.release_date.isoformat()) == ("2024-12-27", "2025-01-16")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (13, "十三"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "100"),
    ],
)
def test_chinese_number(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_no_year_is_written_into_the_notifications_package() -> None:
    pattern = re.compile(r"20[2-9][0-9]")
    hits = [
        f"{path.relative_to(NOTIFICATIONS)}:{number}"
        for path in sorted(NOTIFICATIONS.rglob("*"))
        if path.is_file() and path.suffix in {".py", ".txt", ".html"}
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]

    assert hits == []
