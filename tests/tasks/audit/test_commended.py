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


def _meeting(
    added: dict[str, str] | None = None,
    notes: str = "",
    overrides: dict[str, tuple[str, ...]] | None = None,
) -> MeetingRow:
    return MeetingRow(1, date(2024, 12, 27), (), added or {}, notes, overrides)


def test_recorded_overrides_name_the_flags_they_override() -> None:
    recorded = _meeting({"913101150000000001": "会议确认"}, overrides={"X": ("below-pass",)})

    assert overridden(recorded) == {"X": frozenset({"below-pass"})}  # `added` alone is no override
    assert overridden(_meeting(overrides={})) == {}


def test_before_the_overrides_column_added_keys_or_an_overrides_list_override_every_flag() -> None:
    def usccs(m: MeetingRow) -> set[str]:
        found = overridden(m)
        assert all(codes is None for codes in found.values())
        return set(found)

    assert overridden(None) == {}
    assert usccs(_meeting({"913101150000000001": "会议确认"})) == {"913101150000000001"}
    assert usccs(_meeting({"overrides": '["913101150000000002"]'})) == {"913101150000000002"}
    assert usccs(_meeting({"overrides": "913101150000000003, 913101150000000004"})) == {
        "913101150000000003",
        "913101150000000004",
    }
    notes = json.dumps({"overrides": {"913101150000000005": "reason"}})
    assert usccs(_meeting(notes=notes)) == {"913101150000000005"}
    assert usccs(_meeting(notes="按建议名单审定")) == set()


@given(
    st.sampled_from(["approved", "proposed", "removed"]),
    st.floats(min_value=40, max_value=99, allow_nan=False),
    st.booleans(),
    st.sets(st.sampled_from(["wrong-year", "below-pass", "prescreen-open"])),
)
def test_a_flagged_commended_unit_needs_the_meetings_override_of_each_flag(
    campaign_2024: CampaignFile, status: str, score: float, wrong_year: bool, codes: set[str]
) -> None:
    u = unit(1, S.RELEASED)
    meeting = _meeting(overrides={u.uscc: tuple(sorted(codes))} if codes else {})
    s = snapshot(
        campaign_2024,
        units=(u,),
        decisions=(decision(1, score=score),),
        screenings={1: WRONG_YEAR if wrong_year else CLEAN},
        commendations=(CommendationRow(1, "excellent_unit", "优秀社会责任报告发布单位", status),),
        meeting=meeting,
    )
    flags = {"wrong-year"} if wrong_year else set()
    flags |= {"below-pass"} if score < campaign_2024.review.pass_score else set()
    oracle = status == "approved" and bool(flags - codes)

    found = commended_violations(s)

    assert len(found) == int(oracle)
    if found:
        assert found[0].wrong_zh.startswith("获表彰（优秀社会责任报告发布单位）")
