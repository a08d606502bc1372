"""The corrected feedback letter (更正): what changed since the letter before, in both parts."""

from __future__ import annotations

from data.mail_contexts import sample_contexts

from notifications.contexts import CorrectionContext, FeedbackLetterContext
from notifications.render import render
from schemas.campaign_file import CampaignFile


def test_a_corrected_letter_says_what_changed_and_why(campaign_2024: CampaignFile) -> None:
    sample = sample_contexts(campaign_2024)["feedback_letter"]
    assert isinstance(sample, FeedbackLetterContext)
    corrected = sample.model_copy(
        update={
            "decision": "reject",
            "score": 59.46,
            "grade_name": "二星级",
            "correction": CorrectionContext(
                version=2,
                previous_score=60.2,
                previous_grade="三星级",
                previous_decision="pass",
                reason="补交评分表后重新计算",
            ),
        }
    )

    mail = render("feedback_letter", corrected)
    plain = render("feedback_letter", sample)

    assert mail.subject.startswith("更正：【第十三届上海市企业社会责任报告发布会】")
    assert mail.subject.endswith("（第2版）")
    for part in (mail.text, mail.html):
        assert "由60.2更正为59.5" in part
        assert "由三星级更正为二星级" in part
        assert "由“通过评审”更正为“暂不推荐发布”" in part
        assert "->" not in part
        assert "-&gt;" not in part
        assert "补交评分表后重新计算" in part
    assert "更正" not in plain.subject + plain.text + plain.html
