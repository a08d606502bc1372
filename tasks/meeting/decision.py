"""The meeting's decision: its shape and the rules it must satisfy.

`MeetingChanges` is what the meeting changed against the pack (plain pydantic, also the format
of `campaign approve --changes`), with `overrides` naming the flags the meeting overrides;
`validate_decision` is the pure rule check (every problem, in words an operator can act on);
`final_release_list` says who releases after the changes. A recorded decision is
tasks/meeting/recorded.py; writing one is tasks/meeting/record.py (`apply_decision`, the
`record_decision` task). No I/O here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.uscc import InvalidUSCC, normalise_uscc
from tasks.common.report_flags import ReportFlag
from tasks.meeting.pack import MeetingPack
from tasks.meeting.pack_reasons import missing_overrides

CommendationKind = Literal["excellent_unit", "case", "speaker"]
DecisionSource = Literal["ui", "cli"]


class CommendationAddition(BaseModel):
    """One commendation the meeting adds: which unit, which kind and category, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uscc: str
    kind: CommendationKind
    category_key: str = ""
    reason: str
    title: str = ""  # printed on the certificate; default: the category or kind's name


class MeetingChanges(BaseModel):
    """What the meeting changed against the pack; empty means approved as proposed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    remove_from_release: dict[str, str] = Field(default_factory=dict)  # USCC -> reason
    add_to_release: dict[str, str] = Field(default_factory=dict)  # USCC -> reason
    remove_from_commendation: dict[str, str] = Field(default_factory=dict)  # USCC -> reason
    add_to_commendation: list[CommendationAddition] = Field(default_factory=list)
    # USCC -> the flag codes (wrong-year, prescreen-open, below-pass) the meeting overrides to
    # add that unit to the release list or a commendation; the addition's reason is the why.
    overrides: dict[str, list[str]] = Field(default_factory=dict)

    def is_empty(self) -> bool:
        """Return whether the meeting changed nothing."""
        return not (
            self.remove_from_release
            or self.add_to_release
            or self.remove_from_commendation
            or self.add_to_commendation
            or self.overrides
        )


class MeetingDecisionInput(BaseModel):
    """A decision as given (in the Prefect UI or by `campaign approve`), before it is checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    changes: MeetingChanges
    meeting_date: date
    decided_by: str = Field(min_length=1)
    notes: str = ""
    source: DecisionSource = "ui"
    pack_fingerprint: str = ""  # of the pack the decision was given on (the form's field)


def _canonical(uscc: str) -> str:
    """Return the canonical USCC, or the stripped text when it is not a valid USCC."""
    try:
        return normalise_uscc(uscc)
    except InvalidUSCC:
        return uscc.strip()


def normalise_changes(changes: MeetingChanges) -> MeetingChanges:
    """Return the changes with every USCC in canonical form (full-width, case, spaces). Pure."""

    def keyed(mapping: dict[str, str]) -> dict[str, str]:
        return {_canonical(k): v for k, v in mapping.items()}

    return MeetingChanges(
        remove_from_release=keyed(changes.remove_from_release),
        add_to_release=keyed(changes.add_to_release),
        remove_from_commendation=keyed(changes.remove_from_commendation),
        add_to_commendation=[
            a.model_copy(update={"uscc": _canonical(a.uscc)}) for a in changes.add_to_commendation
        ],
        overrides={_canonical(k): sorted(set(v)) for k, v in changes.overrides.items()},
    )


def _reasons_missing(section: str, mapping: dict[str, str]) -> list[str]:
    return [
        f"{section}: {uscc} needs a reason (理由必填)"
        for uscc, reason in mapping.items()
        if not reason.strip()
    ]


def _known_categories(pack: MeetingPack, kind: str) -> set[str]:
    """Return the category keys a commendation of this kind may carry."""
    keys = {c.category_key for c in (*pack.commendations, *pack.withheld) if c.kind == kind}
    return keys | set(pack.categories) if kind == "case" else keys | {""}


def _release_problems(pack: MeetingPack, changes: MeetingChanges) -> list[str]:
    problems: list[str] = []
    proposed, others = pack.release_usccs, pack.other_usccs  # properties: build each set once
    for uscc in changes.remove_from_release:
        if uscc in others:
            problems.append(
                f"remove from release: {uscc} is not on the proposed release list "
                "(it is a candidate the meeting may add)"
            )
        elif uscc not in proposed:
            problems.append(f"remove from release: unknown USCC {uscc} (不在会议名单中)")
    for uscc in changes.add_to_release:
        if uscc in proposed:
            problems.append(f"add to release: {uscc} is already on the proposed release list")
        elif uscc not in others:
            problems.append(
                f"add to release: {uscc} cannot be added (不可增列): " + _not_candidate(pack, uscc)
            )
        if uscc in changes.remove_from_release:
            problems.append(f"{uscc} is both removed from and added to the release list")
    problems += _reasons_missing("remove from release", changes.remove_from_release)
    problems += _reasons_missing("add to release", changes.add_to_release)
    return problems


def _commendation_problems(pack: MeetingPack, changes: MeetingChanges) -> list[str]:
    problems: list[str] = []
    final_release = final_release_list(pack, changes)
    for uscc in changes.remove_from_commendation:
        if uscc not in pack.commended_usccs:
            known = pack.unit(uscc) is not None
            problems.append(
                f"remove from commendation: {uscc} has no proposed commendation"
                if known
                else f"remove from commendation: unknown USCC {uscc}"
            )
    problems += _reasons_missing("remove from commendation", changes.remove_from_commendation)
    proposed = {(c.uscc, c.kind, c.category_key) for c in pack.commendations}
    seen: set[tuple[str, str, str]] = set()
    for item in changes.add_to_commendation:
        key = (item.uscc, item.kind, item.category_key)
        where = f"add to commendation: {item.uscc} ({item.kind} {item.category_key})".rstrip()
        if pack.unit(item.uscc) is None:
            problems.append(f"add to commendation: unknown USCC {item.uscc}")
        elif item.uscc in changes.remove_from_release:
            problems.append(
                f"{item.uscc} is both removed from the release list and commended: "
                "a unit that does not release cannot be commended"
            )
        elif item.uscc not in final_release:
            problems.append(
                f"{where}: the unit is not on the release list; add it to the release list too"
            )
        if item.category_key not in _known_categories(pack, item.kind):
            listed = ", ".join(sorted(k for k in _known_categories(pack, item.kind) if k))
            problems.append(
                f"{where}: unknown category {item.category_key!r} for {item.kind}"
                + (f" (known: {listed})" if listed else " (leave the category empty)")
            )
        if key in proposed:
            problems.append(f"{where}: already on the proposed commendation list")
        if key in seen:
            problems.append(f"{where}: given twice")
        if item.uscc in changes.remove_from_commendation:
            problems.append(f"{item.uscc} is both removed from and added to the commendations")
        if not item.reason.strip():
            problems.append(f"{where}: needs a reason (理由必填)")
        seen.add(key)
    return problems


def _not_candidate(pack: MeetingPack, uscc: str) -> str:
    """Say why a unit is not among the meeting's candidates (unknown, or its status)."""
    unit = pack.unit(uscc)
    if unit is None:
        return f"unknown USCC {uscc} (不在会议名单中): not among the meeting's candidates"
    return (
        f"{uscc} 不可增列：{unit.why_not_proposed} ({unit.status.value}: not among the meeting's "
        "candidates, which are units passed, rejected, in review or revised)"
    )


def _flag_words(flags: Sequence[ReportFlag]) -> str:
    return "；".join(f.zh for f in flags) + " (" + "; ".join(f.en for f in flags) + ")"


def _override_problems(pack: MeetingPack, changes: MeetingChanges) -> list[str]:
    """Return the problems of flagged units added without naming every flag they override."""
    problems: list[str] = []
    added = [("add to release", uscc) for uscc in changes.add_to_release]
    added += [("add to commendation", a.uscc) for a in changes.add_to_commendation]
    for section, uscc in added:
        unit = pack.unit(uscc)
        if unit is None or not unit.flags:
            continue
        missing = missing_overrides(unit.flags, changes.overrides.get(uscc, []))
        if missing:
            needed = ", ".join(f.code for f in missing)
            problems.append(
                f"{section}: {uscc} 有标记，须会议明确放行 is flagged: {_flag_words(missing)}; "
                f"to go ahead, override these flags explicitly (override_flags: {needed})"
            )
    named = {uscc for _, uscc in added}
    for uscc, codes in changes.overrides.items():
        unit = pack.unit(uscc)
        if uscc not in named:
            problems.append(
                f"override flags: {uscc} is neither added to the release list nor to a "
                "commendation; an override goes with an addition and its reason"
            )
        elif unit is not None:
            unknown = sorted(set(codes) - set(unit.flag_codes))
            if unknown:
                problems.append(
                    f"override flags: {uscc} has no flag {', '.join(unknown)} "
                    f"(its flags: {', '.join(unit.flag_codes) or 'none'})"
                )
    return problems


def validate_decision(pack: MeetingPack, changes: MeetingChanges) -> list[str]:
    """Return every problem of the changes against the pack (empty: valid). Pure.

    USCCs are compared in canonical form. A unit removed from the release list loses its
    proposed commendations without being named again; naming it for a new commendation is a
    problem. A flagged unit is added (to the release list or a commendation) only when the
    changes name every one of its flags in `overrides`.
    """
    normal = normalise_changes(changes)
    return (
        _release_problems(pack, normal)
        + _commendation_problems(pack, normal)
        + _override_problems(pack, normal)
    )


def final_release_list(pack: MeetingPack, changes: MeetingChanges) -> list[str]:
    """Return the USCCs that release after the changes, in pack order. Pure."""
    normal = normalise_changes(changes)
    removed, added = set(normal.remove_from_release), set(normal.add_to_release)
    proposed = pack.release_usccs  # a property that builds the set: once, not per unit
    return [
        u.uscc
        for u in (*pack.release, *pack.others)
        if (u.uscc in proposed and u.uscc not in removed) or u.uscc in added
    ]
