"""What changed between two packs: the lines shown above the form when a decision is stale."""

from __future__ import annotations

from datetime import date

from schemas.enums import ParticipationStatus
from tasks.common.report_flags import WRONG_YEAR, ReportFlag
from tasks.meeting.pack import MeetingPack, PackCommendation, PackUnit
from tasks.meeting.pack_diff import SHOWN, pack_changes

S = ParticipationStatus
FLAG = ReportFlag(WRONG_YEAR, "报告年度存疑", "wrong year")


def unit(n: int, score: float = 80.0, flagged: bool = False) -> PackUnit:
    return PackUnit(
        participation_id=n,
        uscc=f"U{n}",
        name=f"单位{n}",
        status=S.REVIEW_PASSED,
        associations=(),
        industry="",
        district="",
        ownership="",
        score=score,
        grade="四星级",
        why_not_proposed="评审通过，但须会议明确放行：报告年度存疑" if flagged else "",
        flags=(FLAG,) if flagged else (),
        addable=True,
    )


def speaker(n: int, rank: int) -> PackCommendation:
    return PackCommendation(
        id=n,
        participation_id=n,
        uscc=f"U{n}",
        unit_name=f"单位{n}",
        kind="speaker",
        category_key="",
        category_name="",
        title="t",
        case_title="",
        speaker_name="",
        rank=rank,
        reasons=(),
    )


def pack(
    release: list[PackUnit], others: list[PackUnit], speakers: list[PackCommendation]
) -> MeetingPack:
    return MeetingPack(
        campaign_year=2024,
        built_on=date(2024, 12, 23),
        release=tuple(release),
        others=tuple(others),
        commendations=tuple(speakers),
        categories={},
        statistics={},
    )


def test_the_same_lists_built_another_day_changed_nothing() -> None:
    a = pack([unit(1)], [], [speaker(1, 1)])
    assert pack_changes(a, a.model_copy(update={"built_on": date(2024, 12, 24)})) == []


def test_each_kind_of_change_is_one_line_per_unit() -> None:
    a = pack([unit(1), unit(2)], [], [speaker(1, 1), speaker(2, 2)])
    b = pack([unit(1, 79.5), unit(3)], [unit(2, flagged=True)], [speaker(1, 2), speaker(3, 1)])

    assert pack_changes(a, b) == [
        "新列入拟发布名单 Added to the proposed release list: 单位3（U3） 80.00分 四星级",
        "移出拟发布名单 Removed from the proposed release list: 单位2（U2）：评审通过，但须会议明确"
        "放行：报告年度存疑",
        "评审得分或等级变化 Decided score or grade changed: 单位1（U1）：80.00分 四星级 → "
        "79.50分 四星级",
        "状态变化 Status changed: 单位3（U3）：新增单位 review_passed",
        "标记变化 Flags changed: 单位2（U2）：无 → wrong-year",
        "新增拟表彰 Commendations proposed since: 单位3（U3） speaker",
        "撤回拟表彰 Commendations withdrawn since: 单位2（U2） speaker",
        "拟表彰名次变化 Commendation places changed: 单位1（U1） speaker：第1名 → 第2名",
    ]


def test_a_long_list_is_cut_and_counted_and_other_details_are_named() -> None:
    a = pack([], [], [])
    b = pack([unit(n) for n in range(SHOWN + 5)], [], [])
    lines = [line for line in pack_changes(a, b) if line.startswith("新列入")]
    assert len(lines) == SHOWN + 1
    assert lines[-1].endswith("另有5项 (5 more)")
    renamed = pack([unit(1).model_copy(update={"district": "徐汇区"})], [], [])
    assert pack_changes(pack([unit(1)], [], []), renamed)[0].startswith(
        "会议材料中的单位信息有更新"
    )
