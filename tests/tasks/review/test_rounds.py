"""Where each report in review stands in its round (tasks/review/rounds.py) and how an absence
is recorded on its assignments (tasks/review/absence.py), on a small stored review."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import add_association, add_participation, make_uscc
from sqlmodel import Session, col, select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.enums import SubmissionKind as K
from schemas.review_tables import Review, ReviewAssignment, Reviewer
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.common.campaigns import ensure_campaign
from tasks.review.absence import AbsenceRequest, NoSuchAbsence, mark_absent
from tasks.review.rounds import round_states, rounds_in_review
from tasks.store import campaign_session

T0 = datetime(2024, 12, 2, 9, 0, tzinfo=UTC)


def _review(session: Session, campaign: CampaignFile) -> dict[str, int]:
    """Unit 1 in its first round with experts 1-3 (1 returned); unit 2 re-checked from 18 Dec
    by experts 1-2 (none returned); unit 3 decided."""
    ensure_campaign(session, campaign, now_utc())
    a1 = add_association(session, "A001")
    ids = {
        "first": add_participation(session, 1, [a1], S.IN_REVIEW, [K.REPORT_PDF]),
        "recheck": add_participation(session, 2, [a1], S.IN_REVIEW, [K.REPORT_PDF]),
        "decided": add_participation(session, 3, [a1], S.REVIEW_PASSED, [K.REPORT_PDF]),
    }
    experts = [
        Reviewer(
            campaign_year=2024, key=f"e{n}@review.example.org", name=f"专家{n}",
            email=f"e{n}@review.example.org", max_load=9,
        )
        for n in (1, 2, 3)
    ]  # fmt: skip
    session.add_all(experts)
    session.flush()

    def assign(pid: int, expert: Reviewer, rnd: int, on: date) -> ReviewAssignment:
        row = ReviewAssignment(
            campaign_year=2024, participation_id=pid, reviewer_id=expert.id or 0, round=rnd,
            assigned_on=on, assigned_at=T0,
        )  # fmt: skip
        session.add(row)
        return row

    first = [assign(ids["first"], e, 0, date(2024, 12, 2)) for e in experts]
    for e in experts[:2]:
        assign(ids["recheck"], e, 0, date(2024, 12, 2))
        assign(ids["recheck"], e, 1, date(2024, 12, 18))
    session.flush()
    session.add(
        Review(campaign_year=2024, assignment_id=first[0].id or 0, received_on=date(2024, 12, 9),
               received_at=T0, scores={"materiality": 80})
    )  # fmt: skip
    session.get_one(Participation, ids["recheck"]).revision_round = 1
    return ids


@pytest.fixture
def stored(workspace: Path, campaign_2024: CampaignFile) -> dict[str, int]:
    with campaign_session(Settings()) as session:
        return _review(session, campaign_2024)


def test_each_round_is_due_by_its_own_rule_and_names_who_owes_a_sheet(
    stored: dict[str, int], campaign_2024: CampaignFile
) -> None:
    with campaign_session(Settings()) as session:
        current = rounds_in_review(session, 2024)
        states = round_states(session, campaign_2024, current)

    assert current == {stored["first"]: 0, stored["recheck"]: 1}
    first, recheck = states[stored["first"]], states[stored["recheck"]]
    assert (first.due_on, first.outstanding, first.assigned) == (
        date(2024, 12, 13), ("专家2", "专家3"), 3
    )  # fmt: skip
    assert (recheck.due_on, recheck.outstanding, recheck.assigned) == (
        date(2024, 12, 25), ("专家1", "专家2"), 2
    )  # fmt: skip


def test_an_absence_excuses_the_sheets_still_owed_once_and_refuses_what_it_cannot_match(
    stored: dict[str, int], campaign_2024: CampaignFile
) -> None:
    with campaign_session(Settings()) as session:
        marked = mark_absent(
            session, 2024, AbsenceRequest("E2@review.example.org", 0, (), "病假"), "op", T0.date()
        )
        again = mark_absent(
            session, 2024, AbsenceRequest("e2@review.example.org", 0, (), "病假"), "op", T0.date()
        )
        returned = mark_absent(
            session, 2024, AbsenceRequest("e1@review.example.org", 0, (make_uscc(1),), "x"), "op",
            T0.date(),
        )  # fmt: skip
        with pytest.raises(NoSuchAbsence) as unknown:
            mark_absent(session, 2024, AbsenceRequest("x@example.org", 0, (), "x"), "op", T0.date())
        with pytest.raises(NoSuchAbsence) as not_assigned:
            mark_absent(
                session, 2024, AbsenceRequest("e3@review.example.org", 0, (make_uscc(2),), "x"),
                "op", T0.date(),
            )  # fmt: skip
    with campaign_session(Settings()) as session:
        states = round_states(session, campaign_2024, rounds_in_review(session, 2024))
        absent = session.exec(
            select(ReviewAssignment).where(col(ReviewAssignment.absent_on).is_not(None))
        ).all()

    assert (marked, again, returned) == (2, 0, 0)  # units 1 and 2 of round 0; expert 1 returned
    assert (unknown.value.code, not_assigned.value.code) == ("unknown-reviewer", "not-assigned")
    assert {(a.participation_id, a.round, a.absent_by, a.absent_reason) for a in absent} == {
        (stored["first"], 0, "op", "病假"),
        (stored["recheck"], 0, "op", "病假"),
    }
    assert states[stored["first"]].outstanding == ("专家3",)
