"""The meeting decision: the rules it must satisfy (against an oracle) and recording it."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from meetingkit import uscc

from schemas.enums import ParticipationStatus
from tasks.common.report_flags import BELOW_PASS, WRONG_YEAR, ReportFlag
from tasks.meeting.decision import (
    CommendationAddition,
    MeetingChanges,
    final_release_list,
    validate_decision,
)
from tasks.meeting.pack import MeetingPack, PackCommendation, PackUnit
from tasks.meeting.pack_reasons import CANDIDATES

S = ParticipationStatus
FLAGS = {
    WRONG_YEAR: ReportFlag(WRONG_YEAR, "报告年度存疑：2022", "wrong year: 2022"),
    BELOW_PASS: ReportFlag(BELOW_PASS, "评审得分低于通过分数", "below the pass score"),
}
CATEGORIES = {"green-low-carbon": "绿色低碳优秀案例", "community": "社区参与优秀案例"}
KINDS = ("excellent_unit", "case", "speaker")


WHY = {S.REJECTED: "评审未通过", S.SUBMITTED: "未分配评审专家"}


def unit(n: int, status: S, flags: tuple[str, ...] = ()) -> PackUnit:
    return PackUnit(
        participation_id=n,
        uscc=uscc(n),
        name=f"单位{n}",
        status=status,
        associations=("A001",),
        industry="",
        district="",
        ownership="",
        why_not_proposed=(
            "" if status == S.REVIEW_PASSED and not flags else WHY.get(status, "评审通过，有标记")
        ),
        flags=tuple(FLAGS[f] for f in flags),
        addable=status in CANDIDATES,
    )


def commendation(i: int, n: int, kind: str, category: str) -> PackCommendation:
    return PackCommendation(
        id=i,
        participation_id=n,
        uscc=uscc(n),
        unit_name=f"单位{n}",
        kind=kind,
        category_key=category,
        category_name=CATEGORIES.get(category, ""),
        title="t",
        case_title="",
        speaker_name="",
        rank=i,
        reasons=(),
    )


def make_pack(
    release: list[int],
    others: list[int],
    commended: list[tuple[int, str, str]],
    flagged: dict[int, tuple[str, ...]] | None = None,
    bystanders: list[int] = (),  # type: ignore[assignment]
) -> MeetingPack:
    flags = flagged or {}
    return MeetingPack(
        campaign_year=2024,
        built_on=date(2024, 12, 23),
        release=tuple(unit(n, S.REVIEW_PASSED) for n in release),
        others=tuple(
            unit(n, S.REVIEW_PASSED if flags.get(n) else S.REJECTED, flags.get(n, ()))
            for n in others
        )
        + tuple(unit(n, S.SUBMITTED) for n in bystanders),
        commendations=tuple(
            commendation(i, n, kind, cat) for i, (n, kind, cat) in enumerate(commended, start=1)
        ),
        categories=CATEGORIES,
        statistics={},
    )


PACK = make_pack(
    [1, 2, 3],
    [4, 5, 6],
    [(1, "excellent_unit", ""), (2, "case", "green-low-carbon")],
    flagged={6: (WRONG_YEAR, BELOW_PASS)},
    bystanders=[7],
)


def add(n: int, kind: str = "case", category: str = "community", reason: str = "会议增列") -> dict:
    return {"uscc": uscc(n), "kind": kind, "category_key": category, "reason": reason}


def test_approving_as_proposed_is_valid_and_releases_the_proposed_list() -> None:
    assert validate_decision(PACK, MeetingChanges()) == []
    assert final_release_list(PACK, MeetingChanges()) == [uscc(1), uscc(2), uscc(3)]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"remove_from_release": {uscc(99): "x"}}, f"unknown USCC {uscc(99)}"),
        ({"remove_from_release": {uscc(4): "x"}}, "not on the proposed release list"),
        ({"remove_from_release": {uscc(1): " "}}, f"{uscc(1)} needs a reason"),
        ({"add_to_release": {uscc(1): "x"}}, "already on the proposed release list"),
        ({"add_to_release": {uscc(99): "x"}}, "not among the meeting's candidates"),
        ({"add_to_release": {uscc(7): "x"}}, "不可增列：未分配评审专家 (submitted"),
        ({"add_to_release": {uscc(6): "x"}}, "override these flags explicitly"),
        (
            {"add_to_release": {uscc(6): "x"}, "overrides": {uscc(6): [WRONG_YEAR]}},
            "(override_flags: below-pass)",
        ),
        ({"overrides": {uscc(4): [WRONG_YEAR]}}, "an override goes with an addition"),
        (
            {"add_to_release": {uscc(4): "x"}, "overrides": {uscc(4): [WRONG_YEAR]}},
            f"{uscc(4)} has no flag wrong-year",
        ),
        (
            {
                "add_to_release": {uscc(6): "x"},
                "overrides": {uscc(6): [WRONG_YEAR, BELOW_PASS]},
                "add_to_commendation": [add(6, "excellent_unit", "")],
            },
            "",
        ),
        ({"add_to_release": {uscc(4): ""}}, f"{uscc(4)} needs a reason"),
        (
            {"remove_from_release": {uscc(1): "x"}, "add_to_release": {uscc(1): "y"}},
            "both removed from and added to the release list",
        ),
        ({"remove_from_commendation": {uscc(3): "x"}}, "has no proposed commendation"),
        ({"remove_from_commendation": {uscc(99): "x"}}, f"unknown USCC {uscc(99)}"),
        (
            {"remove_from_release": {uscc(2): "x"}, "add_to_commendation": [add(2)]},
            "both removed from the release list and commended",
        ),
        ({"add_to_commendation": [add(4)]}, "not on the release list"),
        ({"add_to_commendation": [add(99)]}, f"unknown USCC {uscc(99)}"),
        ({"add_to_commendation": [add(3, category="nope")]}, "unknown category 'nope'"),
        ({"add_to_commendation": [add(3, "speaker", "community")]}, "leave the category empty"),
        (
            {"add_to_commendation": [add(2, category="green-low-carbon")]},
            "already on the proposed commendation list",
        ),
        ({"add_to_commendation": [add(3), add(3)]}, "given twice"),
        ({"add_to_commendation": [add(3, reason=" ")]}, "needs a reason"),
        (
            {"remove_from_commendation": {uscc(1): "x"}, "add_to_commendation": [add(1)]},
            "both removed from and added to the commendations",
        ),
    ],
)
def test_each_rule_names_its_problem(changes: dict, expected: str) -> None:
    problems = validate_decision(PACK, MeetingChanges.model_validate(changes))
    if not expected:  # a flagged unit added with every flag overridden: released and commended
        assert problems == []
        return
    assert [p for p in problems if expected in p], problems
    assert len(problems) <= 2, problems  # one rule, sometimes seen from two sides


def test_usccs_typed_in_lower_case_or_full_width_are_recognised() -> None:
    typed = unicodedata.normalize("NFKC", uscc(4)).lower()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in uscc(1))
    changes = MeetingChanges(
        add_to_release={typed: "复核通过"}, remove_from_release={full_width: "x"}
    )
    assert validate_decision(PACK, changes) == []
    assert final_release_list(PACK, changes) == [uscc(2), uscc(3), uscc(4)]


def oracle(pack: MeetingPack, ch: MeetingChanges) -> bool:
    """Whether the changes are valid, decided with sets (independent of the implementation)."""
    release = {u.uscc for u in pack.release}
    others = {u.uscc for u in pack.others if u.status in CANDIDATES}
    flags = {u.uscc: set(u.flag_codes) for u in pack.others}
    commended = {c.uscc for c in pack.commendations}
    proposed = {(c.uscc, c.kind, c.category_key) for c in pack.commendations}
    rm, ad, rc = ch.remove_from_release, ch.add_to_release, ch.remove_from_commendation
    reasons = [*rm.values(), *ad.values(), *rc.values()] + [
        a.reason for a in ch.add_to_commendation
    ]
    final = (release - set(rm)) | set(ad)
    added = set(ad) | {a.uscc for a in ch.add_to_commendation}
    triples = [(a.uscc, a.kind, a.category_key) for a in ch.add_to_commendation]
    allowed = {"case": set(CATEGORIES), "excellent_unit": {""}, "speaker": {""}}
    return (
        all(r.strip() for r in reasons)
        and set(rm) <= release
        and set(ad) <= others
        and set(rc) <= commended
        and {t[0] for t in triples} <= final
        and all(cat in allowed[kind] for _, kind, cat in triples)
        and not set(triples) & proposed
        and len(set(triples)) == len(triples)
        and not {t[0] for t in triples} & set(rc)
        and all(flags.get(u, set()) <= set(ch.overrides.get(u, [])) for u in added)
        and set(ch.overrides) <= added
        and all(set(codes) <= flags.get(u, set()) for u, codes in ch.overrides.items())
    )


numbers = st.integers(min_value=1, max_value=9)
reason_texts = st.sampled_from(["理由", "", " "])


@st.composite
def packs_and_changes(draw: st.DrawFn) -> tuple[MeetingPack, MeetingChanges]:
    members = draw(st.lists(numbers, unique=True, max_size=8))
    cut = draw(st.integers(min_value=0, max_value=len(members)))
    cut2 = draw(st.integers(min_value=cut, max_value=len(members)))
    release, others, bystanders = members[:cut], members[cut:cut2], members[cut2:]
    flag_sets = st.sampled_from([(), (WRONG_YEAR,), (WRONG_YEAR, BELOW_PASS), (BELOW_PASS,)])
    flagged = {n: draw(flag_sets) for n in others}
    commended = draw(
        st.lists(
            st.tuples(
                st.sampled_from(release or [1]),
                st.sampled_from(KINDS),
                st.sampled_from(["", "green-low-carbon"]),
            ).filter(lambda t: (t[1] == "case") == (t[2] != "")),
            unique=True,
            max_size=4,
        )
        if release
        else st.just([])
    )
    pack = make_pack(release, others, commended, flagged, bystanders)
    keyed = st.dictionaries(numbers.map(uscc), reason_texts, max_size=3)
    additions = st.lists(
        st.builds(
            CommendationAddition,
            uscc=numbers.map(uscc),
            kind=st.sampled_from(KINDS),
            category_key=st.sampled_from(["", "community", "green-low-carbon", "other"]),
            reason=reason_texts,
        ),
        max_size=3,
    )
    changes = MeetingChanges(
        remove_from_release=draw(keyed),
        add_to_release=draw(keyed),
        remove_from_commendation=draw(keyed),
        add_to_commendation=draw(additions),
        overrides=draw(
            st.dictionaries(
                numbers.map(uscc),
                st.lists(st.sampled_from([WRONG_YEAR, BELOW_PASS]), unique=True, max_size=2),
                max_size=2,
            )
        ),
    )
    return pack, changes


@settings(max_examples=400, deadline=None)
@given(packs_and_changes())
def test_validation_agrees_with_the_oracle(case: tuple[MeetingPack, MeetingChanges]) -> None:
    pack, changes = case
    problems = validate_decision(pack, changes)
    assert (problems == []) == oracle(pack, changes), problems
    if not problems:
        release = {u.uscc for u in pack.release}
        final = final_release_list(pack, changes)
        assert set(final) == (release - set(changes.remove_from_release)) | set(
            changes.add_to_release
        )
        assert len(final) == len(set(final))
