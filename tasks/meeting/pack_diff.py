"""What changed between the pack the meeting saw and the pack as it is now: lines to show.

When a decision arrives for a pack that has since changed, it is refused and asked again with
these lines above the form: units added to or removed from the proposed list, units whose
status, decided score, grade or flags moved, commendations proposed or withdrawn. Chinese
first, English after. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable

from tasks.meeting.pack import MeetingPack, PackCommendation, PackUnit

SHOWN = 30  # lines per kind of change; the rest are counted


def _who(u: PackUnit | PackCommendation) -> str:
    name = u.name if isinstance(u, PackUnit) else u.unit_name
    return f"{name}（{u.uscc}）"


def _score(u: PackUnit | None) -> str:
    if u is None or u.score is None:
        return "无评审结果"
    return f"{u.score:.2f}分 {u.grade}".strip()


def _commendation(c: PackCommendation) -> str:
    category = f"·{c.category_name}" if c.category_key else ""
    return f"{_who(c)} {c.kind}{category}"


def _capped(head: str, lines: list[str]) -> list[str]:
    """Return one line per item, `head: item`, at most SHOWN of them and a count of the rest."""
    more = len(lines) - SHOWN
    tail = [f"{head}: … 另有{more}项 ({more} more)"] if more > 0 else []
    return [f"{head}: {line}" for line in lines[:SHOWN]] + tail


def _by_id(units: Iterable[PackUnit]) -> dict[int, PackUnit]:
    return {u.participation_id: u for u in units}


def _list_changes(old: MeetingPack, new: MeetingPack) -> list[str]:
    was, now = _by_id(old.release), _by_id(new.release)
    everyone = _by_id(new.units)
    added = [f"{_who(u)} {_score(u)}" for pid, u in now.items() if pid not in was]
    removed = [
        f"{_who(u)}：{everyone[pid].why_not_proposed if pid in everyone else '已不在本届名单'}"
        for pid, u in was.items()
        if pid not in now
    ]
    return _capped("新列入拟发布名单 Added to the proposed release list", added) + _capped(
        "移出拟发布名单 Removed from the proposed release list", removed
    )


def _unit_changes(old: MeetingPack, new: MeetingPack) -> list[str]:
    was, now = _by_id(old.units), _by_id(new.units)
    scores, statuses, flags = [], [], []
    for pid, u in now.items():
        before = was.get(pid)
        if before is None:
            statuses.append(f"{_who(u)}：新增单位 {u.status.value}")
            continue
        if (before.score, before.grade) != (u.score, u.grade):
            scores.append(f"{_who(u)}：{_score(before)} → {_score(u)}")
        if before.status != u.status:
            statuses.append(f"{_who(u)}：{before.status.value} → {u.status.value}")
        if before.flag_codes != u.flag_codes:
            shown = "、".join(u.flag_codes) or "无"
            flags.append(f"{_who(u)}：{'、'.join(before.flag_codes) or '无'} → {shown}")
    return (
        _capped("评审得分或等级变化 Decided score or grade changed", scores)
        + _capped("状态变化 Status changed", statuses)
        + _capped("标记变化 Flags changed", flags)
    )


def _commendation_changes(old: MeetingPack, new: MeetingPack) -> list[str]:
    def keyed(pack: MeetingPack) -> dict[tuple[int, str, str], PackCommendation]:
        return {(c.participation_id, c.kind, c.category_key): c for c in pack.commendations}

    was, now = keyed(old), keyed(new)
    added = [_commendation(c) for k, c in now.items() if k not in was]
    removed = [_commendation(c) for k, c in was.items() if k not in now]
    moved = [
        f"{_commendation(c)}：第{was[k].rank}名 → 第{c.rank}名"
        for k, c in now.items()
        if k in was and was[k].rank != c.rank
    ]
    return (
        _capped("新增拟表彰 Commendations proposed since", added)
        + _capped("撤回拟表彰 Commendations withdrawn since", removed)
        + _capped("拟表彰名次变化 Commendation places changed", moved)
    )


def pack_changes(old: MeetingPack, new: MeetingPack) -> list[str]:
    """Return what changed from the pack `old` to `new`, one line each; empty when nothing did.

    Pure. Names and texts other than the lists (e.g. a unit's district) count in the
    fingerprint but are not itemised here.
    """
    lines = _list_changes(old, new) + _unit_changes(old, new) + _commendation_changes(old, new)
    if not lines and old != new.model_copy(update={"built_on": old.built_on}):
        lines = ["会议材料中的单位信息有更新 Unit details in the pack changed (names, places)"]
    return lines
