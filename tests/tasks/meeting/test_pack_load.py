"""Reading the pack: every unit once, the flags that block it, the decided review version.

Each test here is the regression of a defect seen in the demo (issue 22).
"""

from __future__ import annotations

from datetime import date

from meetingkit import TOPICS_MISSING, WRONG_YEAR, file_report, seed_meeting, uscc
from sqlalchemy.engine import Engine
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.review_tables import ReviewOutcome
from tasks.meeting.pack_load import load_meeting_pack
from tasks.store import session_scope

S = ParticipationStatus
DAY = date(2024, 12, 23)


def test_a_unit_that_stayed_submitted_is_listed_as_not_proposed_with_its_reason(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_meeting(session, campaign_2024)
        pack = load_meeting_pack(session, campaign_2024, DAY)

    every = [u.participation_id for u in (*pack.release, *pack.others)]
    assert sorted(every) == sorted(ids.values())  # all nine, each once
    submitted = pack.unit(uscc(9))
    assert submitted is not None
    assert (submitted.status, submitted.why_not_proposed) == (S.SUBMITTED, "未分配评审专家")
    assert not submitted.addable  # the machine does not let the meeting approve it


def test_a_wrong_year_report_and_a_report_missing_topics_are_flagged_and_not_proposed(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_meeting(session, campaign_2024)
        file_report(session, ids[1], [WRONG_YEAR])  # unit 1 is proposed as excellent unit
        file_report(session, ids[2], [TOPICS_MISSING])  # unit 2: a case and a speaker
        pack = load_meeting_pack(session, campaign_2024, DAY)

    assert [u.uscc for u in pack.release] == [uscc(3), uscc(4)]
    one, two = pack.unit(uscc(1)), pack.unit(uscc(2))
    assert one is not None
    assert two is not None
    assert one.flag_codes == ("wrong-year",)
    assert one.why_not_proposed == (
        "评审通过，但须会议明确放行：报告年度存疑：报告似为2022年度（致谢写2022年）"
    )
    assert two.flag_codes == ("prescreen-open",)
    assert "仅覆盖4/9个核心议题" in two.why_not_proposed
    assert one.addable
    assert two.addable  # the meeting may still add them, naming the flags
    assert [(c.uscc, c.kind) for c in pack.commendations] == [(uscc(3), "speaker")]
    assert {(c.uscc, c.kind) for c in pack.withheld} == {
        (uscc(1), "excellent_unit"),
        (uscc(2), "case"),
        (uscc(2), "speaker"),
    }


def test_the_pack_shows_the_decided_score_not_the_live_outcome_a_late_sheet_moved(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_meeting(session, campaign_2024)
        live = session.exec(
            select(ReviewOutcome).where(ReviewOutcome.participation_id == ids[1])
        ).one()
        live.normalised_score, live.grade, live.rank = 59.46, "二星级", 7  # renormalised later
        session.flush()
        pack = load_meeting_pack(session, campaign_2024, DAY)

    one = pack.unit(uscc(1))
    assert one is not None
    assert (one.score, one.grade, one.rank, one.recommendation) == (91.0, "四星级", 1, "pass")
    assert uscc(1) in pack.release_usccs  # not flagged below-pass by the live number
