"""What recipients read: no codes, error texts, English, placeholders or ids; the right footer.

Every template is rendered in every branch (tests/data/mail_contexts.py context_variants); every
mail a short replayed season put in the outbox is read back by the replay's own test
(tests/deployments/demo/test_replay.py), which plays that season once for both checks.
"""

from __future__ import annotations

import pytest
from data.mail_contexts import context_variants

from notifications.mail_kinds import AUDIENCES
from notifications.recipient_text import readable_text, recipient_problems
from notifications.render import render, template_names
from schemas.campaign_file import CampaignFile

UNIT_FOOTER = "如有疑问，请联系贵单位的推荐协会或组委会联系人。"
OTHER_FOOTER = "如有疑问，请联系组委会联系人。"
REPLY = "直接回复本邮件即可送达组委会（csr-office@example.org）。"
CONTACT_TEXT = (
    "联系人：上海市工业经济联合会 王示例\n电话：021-62345678\n邮箱：csr-office@example.org\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("系统未找到核心议题（pdf-topics-missing）。", [("code-token", "pdf-topics-missing")]),
        ("理由：core_topic_coverage 偏低", [("snake-case-key", "core_topic_coverage")]),
        (
            "无法读取：PdfStreamError: Stream has ended",
            [
                ("error-text", "PdfStreamError"),
                ("english-sentence", "PdfStreamError: Stream has ended"),
            ],
        ),
        ("Stream has ended unexpectedly.", [("english-sentence", "Stream has ended unexpectedly")]),
        (
            "尊敬的{{ contact_name }}：",
            [("placeholder", "{{"), ("placeholder", "}}"), ("snake-case-key", "contact_name")],
        ),
        ("联系人：None", [("placeholder", "None")]),
        ("评分表（）见附件", [("placeholder", "（）")]),
        ("见 participation:12 的记录", [("internal-id", "participation:12")]),
    ],
)
def test_recipient_problems_name_what_a_recipient_must_not_read(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert recipient_problems(text) == expected


def test_recipient_problems_pass_addresses_links_numbers_and_standards() -> None:
    text = (
        "邮箱：csr-office@example.org；名录：https://csr.example.org/2024/verify.html；"
        "网站 www.saq.org.cn；证书 SHCSR-2024-00042-K；参照 GB/T 36000、ISO 14001、CASS-ESG 5.0；"
        "请提交PDF文件。"
    )

    assert recipient_problems(text) == []


def test_readable_text_drops_markup_and_decodes_entities() -> None:
    assert readable_text('<p style="x">甲&amp;乙</p><style>p{a:b}</style>') == " 甲&乙  "


def _variants(campaign: CampaignFile) -> list[tuple[str, str]]:
    return [(name, branch) for name, branch, _ in context_variants(campaign)]


def test_every_template_has_a_branch_in_the_variants(campaign_2024: CampaignFile) -> None:
    assert {name for name, _ in _variants(campaign_2024)} == set(template_names())


def test_every_template_in_every_branch_reads_clean_with_its_audience_footer(
    campaign_2024: CampaignFile,
) -> None:
    problems: dict[str, list[tuple[str, str]]] = {}
    for name, branch, context in context_variants(campaign_2024):
        mail = render(name, context)
        html = readable_text(mail.html)
        found = recipient_problems(mail.subject + "\n" + mail.text + "\n" + html)
        if found:
            problems[f"{name}/{branch}"] = found
        footer = UNIT_FOOTER if AUDIENCES[name] == "enterprise" else OTHER_FOOTER
        assert mail.text.endswith(
            CONTACT_TEXT
            + "技术支持：上海市质量协会、上海质量管理科学研究院有限公司\n"
            + footer
            + REPLY
            + "\n"
        ), name
        assert footer + REPLY in html, name
        assert "电话：021-62345678" in html, name
        assert "请勿直接回复" not in mail.text + mail.html, name
        assert mail.reply_to == "csr-office@example.org", name  # the Reply-To header
        if AUDIENCES[name] != "enterprise":
            assert "推荐协会" not in mail.text.split("--")[-1], name
    assert problems == {}


def test_commendation_notices_read_as_sentences(campaign_2024: CampaignFile) -> None:
    mails = {
        branch: render(name, context).text
        for name, branch, context in context_variants(campaign_2024)
        if name == "commendation_invitation"
    }
    title = "第十三届上海市企业社会责任报告发布会"

    assert (
        f"上海示例科技股份有限公司获评{title}“优秀社会责任报告发布单位”，将在发布会上予以表彰。"
        in mails["excellent-unit"]
    )
    assert (
        f"诚邀上海示例科技股份有限公司派一位负责人在{title}上作交流发言，"
        "介绍贵单位履行社会责任的实践经验。" in mails["speaker-unnamed"]
    )
    assert (
        f"上海示例科技股份有限公司社会责任报告中的实践案例入选{title}“绿色低碳优秀案例”"
        in mails["case-untitled"]
    )
    assert "贵单位代表" not in "".join(mails.values())
    assert all("直接回复本邮件" in text for text in mails.values())


def test_a_digest_with_no_unit_complete_says_so_in_words(campaign_2024: CampaignFile) -> None:
    [context] = [c for n, b, c in context_variants(campaign_2024) if b == "none-complete"]

    text = render("association_digest", context).text

    assert "贵协会推荐的3家单位中，尚无单位提交全部材料。" in text
    assert "已有0家" not in text
