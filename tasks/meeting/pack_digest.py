"""The short page above the meeting's decision form: counts, the points to decide, links.

No tables: the form must stay readable in a 1000 px window (a 27 KB page with an 8,000 px wide
table left the form a 0 px strip); the full pack is the `meeting-pack` artifact and the
workbook. Pure.
"""

from __future__ import annotations

from collections import Counter

from tasks.common.markdown import markdown_text
from tasks.meeting.pack import MeetingPack

ARTIFACT_KEY = "meeting-pack"
DIGEST_POINTS = 3  # points listed above the decision form; the pack has them all


def _categories(pack: MeetingPack) -> str:
    """Return the case category keys the form needs for an added case, on one line."""
    keys = ", ".join(f"`{k}` {markdown_text(v)}" for k, v in pack.categories.items())
    return f"案例类别代码 Case category keys: {keys or '（无）'}"


def digest_points(pack: MeetingPack) -> list[str]:
    """Return what the meeting must look at, most serious first (Chinese, then English). Pure.

    Flags first (a flagged unit is only added by naming the flags it overrides), biggest count
    first; then candidates whose review is not finished; then withheld commendations.
    """
    flags: Counter[str] = Counter()
    words: dict[str, str] = {}
    for unit in pack.units:
        for flag in unit.flags:
            flags[flag.code] += 1
            words[flag.code] = flag.zh
    points = [
        f"{n} 家单位有标记「{words[code]}」（{code}）：会议增列须写明放行该标记。"
        f"{n} units flagged {code}: added only by naming the flag."
        for code, n in sorted(flags.items(), key=lambda item: (-item[1], item[0]))
    ]
    open_review = sum(1 for u in pack.others if u.addable and not u.recommendation)
    if open_review:
        points.append(
            f"{open_review} 家候选单位评审未完成，会议可写明理由增列。"
            f"{open_review} candidates without a finished review may be added with a reason."
        )
    if pack.withheld:
        points.append(
            f"{len(pack.withheld)} 项拟表彰因单位不在拟发布名单而暂缓。"
            f"{len(pack.withheld)} proposed commendations are withheld (unit not proposed)."
        )
    return points


def pack_digest(pack: MeetingPack, workbook: str, artifact_url: str = "") -> str:
    """Return the short page shown above the decision form: counts, top points, links. Pure.

    No tables: the form must stay readable in a 1000 px window; the full pack is the artifact
    and the workbook.
    """
    points = digest_points(pack)
    shown = [f"{n}. {markdown_text(p)}" for n, p in enumerate(points[:DIGEST_POINTS], start=1)]
    if len(points) > DIGEST_POINTS:
        shown.append(f"… 另有 {len(points) - DIGEST_POINTS} 项，见会议材料 / more in the pack")
    link = f"[{ARTIFACT_KEY}]({artifact_url})" if artifact_url else f"`{ARTIFACT_KEY}`"
    addable = sum(u.addable for u in pack.others)
    lines = [
        f"# 会议审定 Meeting decision {pack.campaign_year}",
        "",
        f"拟发布 **{len(pack.release)}** 家；拟表彰 **{len(pack.commendations)}** 项（交流发言 "
        f"{len(pack.speakers)} 家）；未列入 **{len(pack.others)}** 家，其中 {addable} 家可由"
        "会议写明理由增列。",
        f"Proposed: **{len(pack.release)}** units to release, **{len(pack.commendations)}** "
        f"commendations ({len(pack.speakers)} speakers); {len(pack.others)} not proposed.",
        "",
        "**请会议注意 Points for the meeting**" if shown else "无待议标记 Nothing flagged.",
        "",
        *shown,
        "",
        # a code span shows its text as it is: escaping inside it would show the backslashes
        f"完整会议材料 Full pack: artifact {link} · `{workbook.replace('`', '')}`",
        "",
        _categories(pack),
    ]
    return "\n".join(lines)
