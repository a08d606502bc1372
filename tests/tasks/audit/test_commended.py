"""No commended unit below pass, wrong-year or with open pre-screen problems unless overridden."""

from __future__ import annotations

import json
from datetime import date

from auditkit import decision, snapshot, unit
from hypothesis import given
from hypothesis import strategies as st

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus as S
from schemas.screening import ScreenCode
from tasks.audit.commended import commended_violations, overridden
from tasks.audit.snapshot import CommendationRow, MeetingRow

WRONG_YEAR = {
    "problems": [{"code": ScreenCode.WRONG_YEAR.value, "reason_zh": "2022", "reason_en": "2022"}]
}
CLEAN: dict[str, list[object]] = {"problems": []}


def _meeting(added: dict[str, str] | None = None, notes: str = "") -> MeetingRow:
    return MeetingRow(1, date(2024, 12, 27), (), added or {}, notes)


def test_overrides_are_added_keys_or_an_overrides_list_in_added_or_notes() -> None:
    assert overridden(None) == set()
    assert overridden(_meeting({"913101150000000001": "会议确认"})) == {"913101150000000001"}
    assert overridden(_meeting({"overrides": '["913101150000000002"]'})) == {"913101150000000002"}
    assert overridden(_meeting({"overrides": "913101150000000003, 913101150000000004"})) == {
        "913101150000000003",
        "913101150000000004",
    }
    notes = json.dumps({"overrides": {"913101150000000005": "reason"}})
    assert overridden(_meeting(notes=notes)) == {"913101150000000005"}
    assert overridden(_meeting(notes="按建议名单审定")) == set()


@given(
    st.sampled_from(["approved", "proposed", "removed"]),
    st.floats(min_value=40, max_value=99, allow_nan=False),
    st.booleans(),
    st.booleans(),
)
def test_a_flagged_commended_unit_needs_the_meetings_override(
    campaign_2024: CampaignFile, status: str, score: float, wrong_year: bool, override: bool
) -> None:
    u = unit(1, S.RELEASED)
    meeting = _meeting({u.uscc: "会议确认"} if override else {})
    s = snapshot(
        campaign_2024,
        units=(u,),
        decisions=(decision(1, score=score),),
        screenings={1: WRONG_YEAR if wrong_year else CLEAN},
        commendations=(CommendationRow(1, "excellent_unit", "优秀社会责任报告发布单位", status),),
        meeting=meeting,
    )
    flagged = wrong_year or score < campaign_2024.review.pass_score
    oracle = status == "approved" and flagged and not override

    found = commended_violations(s)

    assert len(found) == int(oracle)
    if found:
        assert found[0].wrong_zh.startswith("获表彰（优秀社会责任报告发布单位）")
