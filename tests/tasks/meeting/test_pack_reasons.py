"""The pack's rule: every unit exactly once, proposed or not with its reason in Chinese.

Checked on the pack and on what is written from it: the xlsx sheets and the markdown page
(which is also the `meeting-pack` artifact).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from schemas.enums import ParticipationStatus
from schemas.tables import Participation, Unit
from tasks.common.report_flags import BELOW_PASS, PRESCREEN_OPEN, WRONG_YEAR, ReportFlag
from tasks.meeting.pack import MeetingPack, PackCommendation
from tasks.meeting.pack_files import pack_markdown, pack_workbook_sheets
from tasks.meeting.pack_load import assemble_pack, pack_unit
from tasks.meeting.pack_reasons import CANDIDATES, UnitState, why_not_proposed

S = ParticipationStatus
ON = date(2024, 12, 23)
FLAGS = {
    WRONG_YEAR: ReportFlag(WRONG_YEAR, "报告年度存疑：致谢写2022年", "wrong year: 2022"),
    PRESCREEN_OPEN: ReportFlag(PRESCREEN_OPEN, "预审问题未解决：议题缺失", "topics missing"),
    BELOW_PASS: ReportFlag(BELOW_PASS, "评审得分59.5分，低于通过分数60分", "below pass"),
}


def chinese_first(text: str) -> bool:
    """Whether the text starts with a CJK character (the Chinese comes first)."""
    return bool(text) and unicodedata.name(text[0], "").startswith("CJK")


def oracle_proposed(status: S, flags: list[str]) -> bool:
    return status == S.REVIEW_PASSED and not flags


population = st.lists(
    st.tuples(
        st.sampled_from(list(S)),
        st.lists(st.sampled_from(list(FLAGS)), unique=True, max_size=3),
        st.sampled_from([None, S.REGISTERED, S.REVISION_REQUESTED]),  # lapsed from
        st.sampled_from([None, date(2024, 11, 30), date(2024, 12, 30)]),  # deadline owed
        st.booleans(),  # has a proposed commendation
    ),
    max_size=25,
)


@given(population)
def test_every_unit_is_in_the_pack_exactly_once_with_a_chinese_reason_when_not_proposed(
    rows: list[tuple[S, list[str], S | None, date | None, bool]],
) -> None:
    units = []
    commendations = []
    for i, (status, codes, lapsed_from, deadline, commended) in enumerate(rows, start=1):
        part = Participation(id=i, campaign_year=2024, unit_id=i, status=status)
        unit = Unit(id=i, uscc=f"U{i:017d}", name=f"单位{i}", kind="enterprise")
        state = UnitState(status, lapsed_from, deadline)
        flags = [FLAGS[c] for c in codes]
        units.append(pack_unit(part, unit, (), None, flags, state, ON))
        if commended:
            commendations.append(
                PackCommendation(
                    id=i,
                    participation_id=i,
                    uscc=unit.uscc,
                    unit_name=unit.name,
                    kind="excellent_unit",
                    category_key="",
                    category_name="",
                    title="t",
                    case_title="",
                    speaker_name="",
                    rank=i,
                    reasons=(),
                )
            )

    pack = assemble_pack(2024, ON, units, commendations, {})

    listed = Counter(u.participation_id for u in pack.units)
    assert listed == Counter(range(1, len(rows) + 1))  # every unit, exactly once
    expected = {i for i, (s, codes, *_) in enumerate(rows, start=1) if oracle_proposed(s, codes)}
    assert {u.participation_id for u in pack.release} == expected
    for u in pack.release:
        assert (u.why_not_proposed, u.flags) == ("", ())
    for u in pack.others:
        assert chinese_first(u.why_not_proposed), u
        assert u.why_not_proposed_en
        assert u.addable == (u.status in CANDIDATES)
        if u.status == S.REVIEW_PASSED:  # flagged: the flags are the reason
            assert all(f.zh in u.why_not_proposed for f in u.flags)
    # a commendation goes with a proposed unit, or is withheld: never lost, never both
    assert {c.participation_id for c in pack.commendations} <= expected
    assert {c.participation_id for c in pack.withheld}.isdisjoint(expected)
    assert len(pack.commendations) + len(pack.withheld) == len(commendations)
    assert_every_unit_once_in_the_files(pack, len(rows))


def assert_every_unit_once_in_the_files(pack: MeetingPack, n: int) -> None:
    """The xlsx's unit sheets and the markdown page (the artifact) list each unit once."""
    everyone = Counter(f"U{i:017d}" for i in range(1, n + 1))
    sheets = {title: rows for title, _, rows in pack_workbook_sheets(pack)}
    in_xlsx = Counter(r[1] for r in sheets["拟发布名单"]) + Counter(
        r[0] for r in sheets["未列入名单"]
    )
    assert in_xlsx == everyone
    for row in sheets["未列入名单"]:
        assert chinese_first(row[7])  # 未列入原因: Chinese first
    page = pack_markdown(pack)
    sections = {part.split("\n", 1)[0]: part for part in page.split("\n## ")}
    unit_sections = [v for k, v in sections.items() if k.startswith(("拟发布名单", "未列入"))]
    in_page = Counter(m for part in unit_sections for m in re.findall(r"U\d{17}", part))
    assert in_page == everyone


def test_the_reasons_of_the_defects_seen() -> None:
    def why(state: UnitState, flags: list[ReportFlag] = ()) -> str:  # type: ignore[assignment]
        return why_not_proposed(state, flags, ON).zh

    assert why(UnitState(S.SUBMITTED)) == "未分配评审专家"
    assert why(UnitState(S.REGISTERED, None, date(2024, 11, 30))) == "未提交报告（已逾期）"
    assert why(UnitState(S.REGISTERED, None, date(2024, 12, 30))) == "未提交报告"
    assert why(UnitState(S.LAPSED, S.REGISTERED)) == "未提交报告（已逾期）"
    assert why(UnitState(S.LAPSED, S.REVISION_REQUESTED)) == "修改稿逾期未提交"
    assert why(UnitState(S.WITHDRAWN)) == "已退出"
    assert why(UnitState(S.IN_REVIEW)) == "评审未完成：待专家评分"
    assert why(UnitState(S.REJECTED)) == "评审未通过"
    assert why(UnitState(S.REVISED)) == "修改稿未复核"
    flagged = why(UnitState(S.REVIEW_PASSED), [FLAGS[WRONG_YEAR]])
    assert flagged == "评审通过，但须会议明确放行：报告年度存疑：致谢写2022年"
    assert why(UnitState(S.REVIEW_PASSED)) == ""
