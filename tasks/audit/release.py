"""What the release published agrees with the decisions; commendations; certificates; the pack.

`release_violations` (invariant `release`): approved/released units are the meeting's release
list; each released unit has a certificate; the catalogue lists exactly the released units with
their decided grade; the statistics' released count and units certified (a re-issue is the same
unit) are the stored ones.
`commended_violations` (`commended`), `certificate_violations` (`certificates`) and
`pack_violations` (`meeting-pack`). Each part is checked only once it exists (a season before
its meeting or release has no catalogue, statistics or pack yet). Pure.
"""

from __future__ import annotations

from datetime import date

from schemas.enums import ParticipationStatus as S
from tasks.audit.snapshot import Snapshot, UnitRow
from tasks.audit.violations import CERTIFICATES, MEETING_PACK, RELEASE, Violation

RELEASED_SET = frozenset({S.APPROVED, S.RELEASED})
NOT_LISTED = frozenset({S.LAPSED, S.WITHDRAWN})


def _release(u: UnitRow, zh: str, en: str, todo_zh: str, todo_en: str) -> Violation:
    """Return a `release` violation of unit `u`. Pure."""
    return Violation(
        invariant=RELEASE,
        unit_name=u.unit_name,
        uscc=u.uscc,
        wrong_zh=zh,
        wrong_en=en,
        todo_zh=todo_zh,
        todo_en=todo_en,
    )


REBUILD = ("重新运行发布以更新名录与统计（campaign run release）", "run the release again")


def latest_grades(s: Snapshot) -> dict[int, str]:
    """Return each participation's decided grade (newest version of newest round). Pure."""
    grades: dict[int, str] = {}
    for d in sorted(s.decisions, key=lambda d: (d.round, d.version)):
        grades[d.participation_id] = d.grade
    return grades


def _meeting_list(s: Snapshot) -> list[Violation]:
    """Return units approved/released but not on the meeting's release list, and back. Pure."""
    if s.meeting is None:
        return []
    listed = set(s.meeting.release_list)
    found: list[Violation] = []
    for u in s.units:
        if u.status in RELEASED_SET and u.uscc not in listed:
            found.append(
                _release(
                    u,
                    "已审定/发布，但不在会议审定的发布名单上",
                    "approved or released but not on the meeting's release list",
                    "核对会议决定；如需更正，记录新的会议决定版本",
                    "check the meeting decision; record a corrected version if needed",
                )
            )
        elif u.uscc in listed and u.status not in RELEASED_SET | {S.WITHDRAWN}:
            found.append(
                _release(
                    u,
                    f"在会议审定的发布名单上，但状态为 {u.status.value}",
                    f"on the meeting's release list but {u.status.value}",
                    "重新应用会议决定（campaign approve）",
                    "apply the meeting decision again (campaign approve)",
                )
            )
    return found


def _catalogue(s: Snapshot, grades: dict[int, str]) -> list[Violation]:
    """Return catalogue pages missing, extra or showing another grade than decided. Pure."""
    pages = s.files.catalogue_grades
    if pages is None:
        return []
    found: list[Violation] = []
    released = {u.uscc.lower(): u for u in s.units if u.status == S.RELEASED}
    for slug, u in released.items():
        if slug not in pages:
            zh, en = "已发布，但公开名录中没有该报告", "released but missing from the catalogue"
            found.append(_release(u, zh, en, *REBUILD))
        elif u.participation_id not in grades:
            zh = f"公开名录显示评级「{pages[slug]}」，但该单位没有审定的评审结果"
            en = f"the catalogue shows grade {pages[slug]!r} but the unit has no decided outcome"
            todo = ("核对评审：评审结果须先审定（review_decision）", "check its review is decided")
            found.append(_release(u, zh, en, *todo))
        elif pages[slug] != grades[u.participation_id]:
            decided = grades.get(u.participation_id, "")
            zh = f"公开名录显示评级「{pages[slug]}」，审定评级为「{decided}」"
            en = f"the catalogue shows grade {pages[slug]!r}, the decided grade is {decided!r}"
            found.append(_release(u, zh, en, *REBUILD))
    by_slug = {u.uscc.lower(): u for u in s.units}
    for slug in sorted(pages.keys() - released.keys()):
        other: UnitRow = by_slug.get(slug) or UnitRow(
            0, "", slug.upper(), S.WITHDRAWN, date.min, 0, date.min
        )
        zh, en = "公开名录列出了未发布的单位", "the catalogue lists a unit that is not released"
        found.append(_release(other, zh, en, *REBUILD))
    return found


def _statistics(s: Snapshot) -> list[Violation]:
    """Return the statistics' headline counts that differ from the stored ones. Pure."""
    stats = s.files.statistics
    if stats is None:
        return []
    stored = {
        "released": sum(1 for u in s.units if u.status == S.RELEASED),
        "certificates": len({c.participation_id for c in s.certificates}),  # units certified
    }
    found: list[Violation] = []
    for key, value in stored.items():
        if key in stats and stats[key] != value:
            found.append(
                Violation(
                    invariant=RELEASE,
                    subject="统计 statistics",
                    wrong_zh=f"统计中 {key} 为 {stats[key]}，实际为 {value}",
                    wrong_en=f"the statistics say {key} {stats[key]}, the season has {value}",
                    todo_zh=REBUILD[0],
                    todo_en=REBUILD[1],
                )
            )
    return found


def release_violations(s: Snapshot) -> list[Violation]:
    """Return where the meeting list, certificates, catalogue and statistics disagree. Pure."""
    with_certificate = {c.participation_id for c in s.certificates}
    found = _meeting_list(s)
    for u in s.units:
        if u.status == S.RELEASED and u.participation_id not in with_certificate:
            zh, en = "已发布，但没有发布证书", "released without a certificate"
            found.append(_release(u, zh, en, "运行发布以签发证书", "run the release to issue it"))
    for pid in sorted(with_certificate):
        held = s.unit(pid)
        if held is not None and held.status not in RELEASED_SET | {S.WITHDRAWN}:
            zh = f"状态为 {held.status.value}，却已签发发布证书"
            en = f"{held.status.value} but holds a release certificate"
            found.append(_release(held, zh, en, "核对会议决定与证书", "check the decision and it"))
    return found + _catalogue(s, latest_grades(s)) + _statistics(s)


def certificate_violations(s: Snapshot) -> list[Violation]:
    """Return certificate issues whose stored file is missing or changed. Pure."""
    found: list[Violation] = []
    for c in s.certificates:
        if c.file_sha256 == c.sha256:
            continue
        u = s.unit(c.participation_id)
        gone = c.file_sha256 is None
        found.append(
            Violation(
                invariant=CERTIFICATES,
                unit_name=u.unit_name if u else "",
                uscc=u.uscc if u else "",
                subject=f"证书 certificate {c.number}",
                wrong_zh=f"证书 {c.number}（第{c.version}版）的文件"
                + ("不存在" if gone else "与登记的 sha256 不符"),
                wrong_en=f"certificate {c.number} (version {c.version}): file "
                + ("missing" if gone else "does not match its recorded sha256"),
                todo_zh="从备份恢复该文件；切勿覆盖已签发的证书",
                todo_en="restore the file from the backup; never overwrite an issued certificate",
            )
        )
    return found


def pack_violations(s: Snapshot) -> list[Violation]:
    """Return units the meeting pack lists twice or leaves out (once a pack was written). Pure."""
    counts = s.files.pack_uscc_counts
    if counts is None:
        return []
    found: list[Violation] = []
    for u in s.units:
        n = counts.get(u.uscc, 0)
        if n == 1 or (n == 0 and u.status in NOT_LISTED):
            continue
        zh = "会议材料未列出该单位" if n == 0 else f"会议材料列出该单位{n}次"
        en = "the meeting pack leaves it out" if n == 0 else f"the meeting pack lists it {n} times"
        found.append(
            Violation(
                invariant=MEETING_PACK,
                unit_name=u.unit_name,
                uscc=u.uscc,
                subject=s.files.pack_file,
                wrong_zh=f"{zh}（{s.files.pack_file}）",
                wrong_en=f"{en} ({s.files.pack_file})",
                todo_zh="重新生成会议材料，核对后由会议重新确认",
                todo_en="rebuild the meeting pack and have the meeting confirm it again",
            )
        )
    return found
