"""Letters state the decided version; told deadlines lie after the mail's business day."""

from __future__ import annotations

from datetime import date, timedelta

from auditkit import decision, letter_facts, mail, snapshot, unit
from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from tasks.audit.mail import (
    SAME_DAY_ALLOWED,
    SCORE_TOLERANCE,
    deadline_violations,
    letter_violations,
    participation_of,
)
from tasks.audit.violations import LETTERS, MAIL_DEADLINES

DAYS = st.dates(min_value=date(2024, 10, 1), max_value=date(2025, 1, 31))
TEMPLATES = st.sampled_from(
    ["review_invitation", "revision_request", "invitation", *sorted(SAME_DAY_ALLOWED)]
)


def test_participation_of_reads_the_subject_ref() -> None:
    assert participation_of("participation:17:feedback") == 17
    assert participation_of("participation:4") == 4
    assert participation_of("reviewer:1:sheet") is None


def test_every_decided_version_has_a_letter_that_states_it(campaign_2024: CampaignFile) -> None:
    first, second = decision(1, 1, 60.2, grade="三星级"), decision(1, 2, 59.46, decision="revise")
    told_first = mail(1, facts=letter_facts(first))
    s = snapshot(
        campaign_2024,
        units=(unit(1, S.REVISION_REQUESTED),),
        decisions=(first, second),
        mails=(told_first,),
    )

    [v] = letter_violations(s)
    assert v.invariant == LETTERS
    assert "version 2" in v.wrong_en
    assert "no feedback letter" in v.wrong_en


def test_a_letter_that_differs_from_its_decided_version_is_listed(
    campaign_2024: CampaignFile,
) -> None:
    decided = decision(1, 1, 59.46, decision="revise", grade="二星级")
    told = {**letter_facts(decided), "score": 60.2, "grade": "三星级", "decision": "pass"}
    s = snapshot(
        campaign_2024,
        units=(unit(1, S.IN_REVIEW),),
        decisions=(decided,),
        mails=(mail(1, facts=told),),
    )

    [v] = letter_violations(s)
    assert "decision" in v.wrong_en
    assert "score" in v.wrong_en
    assert "grade" in v.wrong_en


def test_letters_without_facts_or_of_versions_never_decided_are_listed(
    campaign_2024: CampaignFile,
) -> None:
    ghost = letter_facts(decision(1, 3))
    cancelled = mail(3, facts={}, status="cancelled")
    s = snapshot(
        campaign_2024,
        units=(unit(1, S.IN_REVIEW),),
        mails=(mail(1, facts={}), mail(2, facts=ghost), cancelled, mail(4, "submission_ack")),
    )

    found = letter_violations(s)

    assert sorted(v.wrong_en.split()[2] for v in found) == ["#1", "#2"]


@given(TEMPLATES, DAYS, st.lists(st.integers(min_value=-5, max_value=5), max_size=3))
def test_a_mail_telling_a_deadline_not_after_its_business_day_is_listed(
    campaign_2024: CampaignFile, template: str, day: date, offsets: list[int]
) -> None:
    told = tuple(day + timedelta(days=n) for n in offsets)
    same_ok = template in SAME_DAY_ALLOWED
    oracle = any(d < day or (d == day and not same_ok) for d in told)
    s = snapshot(
        campaign_2024,
        units=(unit(1, S.IN_REVIEW),),
        mails=(mail(1, template, business_day=day, deadlines=told),),
    )

    found = deadline_violations(s)

    assert [v.invariant for v in found] == ([MAIL_DEADLINES] if oracle else [])


def test_a_cancelled_mail_or_one_without_a_business_day_is_not_judged(
    campaign_2024: CampaignFile,
) -> None:
    past = (date(2024, 12, 13),)
    s = snapshot(
        campaign_2024,
        mails=(
            mail(
                1,
                "review_invitation",
                business_day=date(2024, 12, 18),
                deadlines=past,
                status="cancelled",
            ),
            mail(2, "review_invitation", deadlines=past),
        ),
    )

    assert deadline_violations(s) == []


def test_a_letter_that_states_no_version_is_listed_once_not_per_decision(
    campaign_2024: CampaignFile,
) -> None:
    s = snapshot(
        campaign_2024,
        units=(unit(1, S.RELEASED),),
        decisions=(decision(1), decision(1, 2)),
        mails=(mail(7, facts={}),),
    )

    [v] = letter_violations(s)
    assert v.wrong_en == "feedback letter #7 does not record which decided version it told"


@given(
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.sampled_from([0.0, 0.04, -0.04, 0.06, -0.06, 0.5, -0.74]),
)
def test_a_letters_score_may_differ_by_its_printed_rounding_only(
    campaign_2024: CampaignFile, decided_score: float, off: float
) -> None:
    decided = decision(1, score=decided_score)
    told = {**letter_facts(decided), "score": decided_score + off}
    s = snapshot(campaign_2024, decisions=(decided,), mails=(mail(1, facts=told),))

    found = letter_violations(s)

    assert bool(found) == (abs(off) > SCORE_TOLERANCE)
