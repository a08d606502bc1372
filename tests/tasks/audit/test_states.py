"""Every unit accounted for: statuses the date allows (with who acts next), timely assignment."""

from __future__ import annotations

from datetime import date, timedelta

from auditkit import decision, snapshot, unit
from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from tasks.audit.dates import filing_window_closes
from tasks.audit.snapshot import AssignmentRow, MeetingRow
from tasks.audit.states import assignment_violations, status_violations
from tasks.audit.violations import ASSIGNED, STATES

DAYS = st.dates(min_value=date(2024, 10, 1), max_value=date(2025, 2, 28))
EARLY = frozenset({S.RECOMMENDED, S.REGISTERED, S.LAPSED, S.WITHDRAWN, S.REMOVED, S.RELEASED})


def _sheet(
    pid: int, name: str, *, sheet_in: bool, absent: bool = False, rnd: int = 0
) -> AssignmentRow:
    absent_on = date(2024, 12, 14) if absent else None
    return AssignmentRow(pid, name, rnd, date(2024, 12, 3), absent_on, sheet_in)


@given(st.lists(st.sampled_from(sorted(EARLY)), min_size=1, max_size=8), DAYS)
def test_units_still_owing_filings_after_the_window_closed_should_have_lapsed(
    campaign_2024: CampaignFile, statuses: list[S], as_of: date
) -> None:
    units = tuple(unit(i + 1, s) for i, s in enumerate(statuses))
    closes = filing_window_closes(campaign_2024)
    oracle = {u.uscc for u in units if u.status in (S.RECOMMENDED, S.REGISTERED) and as_of > closes}

    found = status_violations(snapshot(campaign_2024, units=units), as_of)

    assert {v.uscc for v in found} == oracle
    assert all(v.invariant == STATES and "lapsed" in v.wrong_en for v in found)


def test_a_filed_unit_never_assigned_is_listed_the_day_after_the_review_starts(
    campaign_2024: CampaignFile,
) -> None:
    s = snapshot(campaign_2024, units=(unit(1, S.SUBMITTED),), submitted_on={1: date(2024, 11, 24)})

    assert status_violations(s, date(2024, 12, 2)) == []
    [v] = status_violations(s, date(2024, 12, 3))
    assert "2024-11-24" in v.wrong_zh
    assert "never assigned" in v.wrong_en
    assert "campaign run review" in v.todo_en


def test_a_late_filing_is_due_for_assignment_the_day_after_it_was_filed(
    campaign_2024: CampaignFile,
) -> None:
    s = snapshot(campaign_2024, units=(unit(1, S.SUBMITTED),), submitted_on={1: date(2024, 12, 10)})

    assert status_violations(s, date(2024, 12, 10)) == []
    assert len(status_violations(s, date(2024, 12, 11))) == 1


def test_a_round_past_its_due_date_names_the_experts_still_owing_a_sheet(
    campaign_2024: CampaignFile,
) -> None:
    rows = (
        _sheet(1, "张专家", sheet_in=True),
        _sheet(1, "李专家", sheet_in=False),
        _sheet(1, "王专家", sheet_in=False, absent=True),
    )
    s = snapshot(campaign_2024, units=(unit(1, S.IN_REVIEW),), assignments=rows)

    assert status_violations(s, date(2024, 12, 13)) == []
    [v] = status_violations(s, date(2024, 12, 14))
    assert "李专家" in v.wrong_zh
    assert "王专家" not in v.wrong_zh
    assert "张专家" not in v.wrong_zh
    assert v.overdue  # a to-do: the expert acts next; listed, not failing the audit


def test_a_round_with_every_sheet_in_but_undecided_awaits_the_chair(
    campaign_2024: CampaignFile,
) -> None:
    rows = (_sheet(1, "张专家", sheet_in=True), _sheet(1, "王专家", sheet_in=False, absent=True))
    s = snapshot(campaign_2024, units=(unit(1, S.IN_REVIEW),), assignments=rows)
    decided = snapshot(
        campaign_2024, units=(unit(1, S.IN_REVIEW),), assignments=rows, decisions=(decision(1),)
    )

    [v] = status_violations(s, date(2024, 12, 20))
    assert "chair" in v.wrong_en
    assert v.overdue  # the chair acts next
    assert status_violations(decided, date(2024, 12, 20)) == []


def test_a_revision_request_past_the_revision_deadline_should_have_lapsed(
    campaign_2024: CampaignFile,
) -> None:
    s = snapshot(campaign_2024, units=(unit(1, S.REVISION_REQUESTED, revision_round=1),))
    deadline = campaign_2024.deadlines["revision"].date

    assert status_violations(s, deadline) == []
    [v] = status_violations(s, deadline + timedelta(days=1))
    assert "should have lapsed" in v.wrong_en


def test_after_the_meeting_every_candidate_is_decided_and_approved_units_are_released(
    campaign_2024: CampaignFile,
) -> None:
    meeting = MeetingRow(1, date(2024, 12, 27), (), {}, "")
    units = (unit(1, S.REVIEW_PASSED), unit(2, S.APPROVED), unit(3, S.REMOVED))
    s = snapshot(campaign_2024, units=units, meeting=meeting, decisions=(decision(1),))
    release = campaign_2024.events.release

    assert status_violations(s, date(2024, 12, 26)) == []
    assert [v.uscc for v in status_violations(s, date(2024, 12, 27))] == [units[0].uscc]
    assert {v.uscc for v in status_violations(s, release)} == {units[0].uscc}
    late = status_violations(s, release + timedelta(days=1))
    assert {v.uscc for v in late} == {units[0].uscc, units[1].uscc}


@given(st.integers(min_value=-3, max_value=3), st.sampled_from([S.IN_REVIEW, S.APPROVED]))
def test_a_report_assigned_after_its_due_day_is_listed(
    campaign_2024: CampaignFile, offset: int, status: S
) -> None:
    filed = date(2024, 11, 20)
    due = campaign_2024.stages.review + timedelta(days=1)
    assigned = due + timedelta(days=offset)
    row = AssignmentRow(1, "张专家", 0, assigned, None, True)
    s = snapshot(
        campaign_2024, units=(unit(1, status),), submitted_on={1: filed}, assignments=(row,)
    )

    found = assignment_violations(s, date(2025, 1, 20))

    assert [v.invariant for v in found] == ([ASSIGNED] if assigned > due else [])


def test_a_filed_report_never_assigned_is_listed_once(campaign_2024: CampaignFile) -> None:
    filed = {1: date(2024, 11, 20), 2: date(2024, 11, 20), 3: date(2024, 11, 20)}
    units = (unit(1, S.SUBMITTED), unit(2, S.APPROVED), unit(3, S.WITHDRAWN))
    s = snapshot(campaign_2024, units=units, submitted_on=filed)

    found = assignment_violations(s, date(2025, 1, 20))

    assert [v.uscc for v in found] == [units[1].uscc]  # 1 is listed by `states`; 3 is gone
    assert "never assigned" in found[0].wrong_en
    assert not found[0].overdue


def test_a_report_in_review_without_experts_for_its_round_says_so(
    campaign_2024: CampaignFile,
) -> None:
    s = snapshot(campaign_2024, units=(unit(1, S.IN_REVIEW, revision_round=1),))

    [v] = status_violations(s, campaign_2024.stages.meeting + timedelta(days=1))
    assert v.wrong_en.endswith("has no experts assigned")
    assert not v.overdue  # nobody acts next: a fall-through, the audit fails
