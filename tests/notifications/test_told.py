"""Which deadlines a mail tells: DeadlineContexts and deadline/due dates, not the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from notifications.contexts import (
    DeadlineContext,
    InvitationContext,
    OverdueNoticeContext,
    SubmissionAckContext,
    campaign_context,
)
from notifications.render import render
from notifications.told import told_deadlines
from schemas.campaign_file import CampaignFile

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def _deadline(day: date) -> DeadlineContext:
    return DeadlineContext(key="review", title="评审", title_en="review", date=day)


def test_an_invitation_tells_its_own_deadline_not_the_campaign_calendar(
    campaign_2024: CampaignFile,
) -> None:
    shared = campaign_context(campaign_2024)
    context = InvitationContext(
        campaign=shared,
        unit_name="上海示例科技股份有限公司",
        contact_name="李明",
        association_name="上海市电子信息行业协会",
        deadline=shared.deadlines["receipt"],
    )

    assert told_deadlines(context) == (date(2024, 11, 15),)
    assert render("invitation", context).deadlines == (date(2024, 11, 15),)


def test_an_overdue_notice_and_a_late_acknowledgement_tell_no_deadline_to_meet(
    campaign_2024: CampaignFile,
) -> None:
    shared = campaign_context(campaign_2024)
    overdue = OverdueNoticeContext(
        campaign=shared,
        unit_name="甲",
        contact_name="李明",
        deadline=shared.deadlines["receipt"],
        missing=("回执",),
        working_days_overdue=2,
        notice_number=1,
        notices_max=2,
    )
    ack = {
        "campaign": shared,
        "unit_name": "甲",
        "contact_name": "李明",
        "document": "报告",
        "file_name": "a.pdf",
        "version": 1,
        "received_on": date(2024, 12, 2),
        "deadline": shared.deadlines["report"],
        "accepted": True,
        "must_fix": (),
        "advice": (),
    }
    late = SubmissionAckContext(late=True, **ack)
    on_time = SubmissionAckContext(late=False, **ack)

    assert (told_deadlines(overdue), told_deadlines(late)) == ((), ())
    assert told_deadlines(on_time) == (shared.deadlines["report"].date,)


@given(
    st.lists(days, max_size=4),
    st.dictionaries(
        st.sampled_from(
            ["due", "review_due", "next_deadline", "reply_by", "as_of", "release_date", "on"]
        ),
        days,
    ),
)
def test_a_mapping_context_tells_its_deadlines_and_dated_due_fields(
    nested: list[date], named: dict[str, date]
) -> None:
    context = {"items": [{"deadline": _deadline(d)} for d in nested], **named}
    at = {named[k] for k in named if "due" in k or "deadline" in k or k == "reply_by"}
    oracle = tuple(sorted(set(nested) | at))

    assert told_deadlines(context) == oracle


@given(days)
def test_a_timestamp_named_due_is_not_a_deadline(day: date) -> None:
    stamp = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)

    assert told_deadlines({"due_at": stamp, "deadline": _deadline(day + timedelta(1))}) == (
        day + timedelta(1),
    )
