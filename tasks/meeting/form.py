"""The decision form the Prefect UI shows on the paused meeting run, and its translation.

`MeetingForm` is a Prefect `RunInput`: its JSON schema is the form (titles and help texts come
from the fields below; type errors are refused by the server before the flow sees them).
`form_class` gives the form with a description (the pack digest and any problems) and
pre-filled values (among them the fingerprint of the pack shown); `form_to_decision` turns a
filled form into a MeetingDecisionInput or the problems to show; `form_values` is the reverse,
for `campaign approve`; `pause_key` names each question. No I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Literal

from prefect.input import RunInput
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from tasks.meeting.decision import (
    CommendationAddition,
    CommendationKind,
    MeetingChanges,
    MeetingDecisionInput,
)

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
USCC_HELP = "统一社会信用代码，18位，见会议材料。The unit's 18-character USCC, as in the pack."


class UnitChange(BaseModel):
    """One unit named in a change list, with the meeting's reason."""

    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(title="统一社会信用代码 USCC", description=USCC_HELP)
    reason: str = Field(
        title="理由 Reason",
        min_length=1,
        description="会议的理由（必填），将记录在案。The meeting's reason (required; recorded).",
    )


OVERRIDE_HELP = (
    "该单位有标记（报告年度存疑 wrong-year、预审问题未解决 prescreen-open、低于通过分数 "
    "below-pass，见会议材料）时，会议仍同意的，逐项填写所放行的标记代码。The flag codes shown in "
    "the pack for this unit that the meeting explicitly overrides; a flagged unit is not added "
    "without them."
)


class UnitAddition(UnitChange):
    """One unit the meeting adds to the release list, with its reason and flags overridden."""

    override_flags: list[str] = Field(
        default_factory=list, title="放行的标记 Flags overridden", description=OVERRIDE_HELP
    )


class CommendationAdd(BaseModel):
    """One commendation the meeting adds."""

    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(title="统一社会信用代码 USCC", description=USCC_HELP)
    kind: CommendationKind = Field(
        title="类型 Kind",
        description="excellent_unit 优秀发布单位; case 优秀案例; speaker 交流发言单位",
    )
    category_key: str = Field(
        default="",
        title="类别 Category key",
        description="案例类别代码（见上方列表）；优秀单位和发言单位留空。"
        "For a case: a category key from the list above; empty for excellent_unit and speaker.",
    )
    reason: str = Field(
        title="理由 Reason", min_length=1, description="会议增列的理由（必填）。Why (required)."
    )
    title: str = Field(
        default="",
        title="称号 Title (optional)",
        description="证书上的称号；留空则用类别名称。Printed on the certificate; empty: the "
        "category's name.",
    )
    override_flags: list[str] = Field(
        default_factory=list, title="放行的标记 Flags overridden", description=OVERRIDE_HELP
    )


class MeetingForm(RunInput):
    """指导单位工作会议审定 — the guiding units' meeting decision."""

    approve_as_proposed: bool = Field(
        default=False,
        title="按建议名单审定通过 Approve as proposed",
        description="会议同意拟发布名单和拟表彰名单、不作调整时勾选（下方调整留空）。Tick when the "
        "meeting approved both lists exactly as proposed; leave the four change lists empty.",
    )
    meeting_date: date = Field(
        title="会议日期 Meeting date",
        description="指导单位工作会议召开日期，格式 YYYY-MM-DD（年-月-日）。"
        "The day the guiding units met, as YYYY-MM-DD.",
        json_schema_extra={
            "pattern": DATE_PATTERN
        },  # the server refuses a day/month/year date itself
    )
    decided_by: str = Field(
        min_length=1,
        json_schema_extra={"pattern": r"\S"},  # not only spaces
        title="录入人 Decided by",
        description="录入本决定的人员姓名（记录在案）。Who enters this decision (recorded).",
    )
    remove_from_release: list[UnitChange] = Field(
        default_factory=list,
        title="移出发布名单 Remove from the release list",
        description="拟发布名单中会议未同意发布的单位，每家一条并写明理由。Units on the proposed "
        "list the meeting did not approve, one item each with the reason. Their commendations "
        "are withdrawn too.",
    )
    add_to_release: list[UnitAddition] = Field(
        default_factory=list,
        title="增列入发布名单 Add to the release list",
        description="会议同意发布的其他候选单位（有标记的、评审未通过、评审中或已修改），写明理由；"
        "有标记的须填写放行的标记。Other candidates (flagged, rejected, in review, revised) the "
        "meeting approved, with the reason; a flagged unit also with the flags overridden.",
    )
    remove_from_commendation: list[UnitChange] = Field(
        default_factory=list,
        title="移出表彰名单 Remove from the commendations",
        description="撤销该单位的全部拟表彰（优秀单位、案例、发言）。Withdraws every proposed "
        "commendation of the unit (excellent unit, case, speaker).",
    )
    add_to_commendation: list[CommendationAdd] = Field(
        default_factory=list,
        title="增列表彰 Add a commendation",
        description="会议增列的表彰；单位须在最终发布名单中。Commendations the meeting added; the "
        "unit must be on the final release list.",
    )
    notes: str = Field(
        default="",
        title="备注 Notes",
        description="会议纪要要点等（选填）。Anything else the meeting recorded (optional).",
    )
    pack_fingerprint: str = Field(
        default="",
        title="会议材料指纹 Pack fingerprint",
        description="本决定所依据的会议材料（已预填，请勿修改）；材料若已变化，决定将被退回并列出"
        "变化。The pack this decision is given on (filled in; leave it): if the pack has changed "
        "since, the decision is refused with what changed.",
    )
    entered_via: Literal["ui", "cli"] = Field(
        default="ui",
        title="录入方式 Entered via",
        description="在界面录入请保持 ui；`campaign approve` 会填 cli。Keep `ui` here; "
        "`campaign approve` sends `cli`.",
    )


def field_digest(description: str) -> str:
    """Return the form's description as a field's help shows it well: no heading, no bold, one
    paragraph per line (a field's help joins lines and sets a heading in its own large type). Pure.
    """
    lines = [line.replace("**", "").strip() for line in description.splitlines()]
    return "\n\n".join(line for line in lines if line and not line.startswith("#"))


FIRST_FIELD = "approve_as_proposed"  # the field the dialog shows first: it carries the digest


def form_class(description: str, **defaults: Any) -> type[MeetingForm]:
    """Return MeetingForm with a description and pre-filled values, keeping each field's help.

    Who decides is never pre-filled: whoever submits an answer names themselves each time.

    The description also heads the first field's help: Prefect's Resume dialog squeezes the
    form's own description to 0 px whenever the fields are taller than the window (about
    1,500 px here, so at any usual window size), while a field's help always shows.

    (`RunInput.with_initial_data` replaces a pre-filled field's title and description with a
    bare default; here the original field is copied with only its default changed.)
    """
    fields: dict[str, Any] = {FIRST_FIELD: copy.copy(MeetingForm.model_fields[FIRST_FIELD])}
    for name, value in defaults.items():
        if name == "decided_by":
            continue
        info = fields.get(name) or copy.copy(MeetingForm.model_fields[name])
        info.default = TypeAdapter[Any](info.annotation or Any).validate_python(value)
        info.default_factory = None
        fields[name] = info
    first = fields[FIRST_FIELD]
    first.description = f"{field_digest(description)}\n\n---\n\n{first.description}"
    return MeetingForm.with_initial_data(description=description, **fields)


def pause_key(fingerprint: str, attempt: int, used: Iterable[str]) -> str:
    """Return the pause key of an attempt: the one already used for it, else a new one. Pure.

    A new key is `decision-<fingerprint[:12]>-<attempt>`: it names the pack shown. A suspended
    run restarts from the top with a pack rebuilt from the database; asking again under the
    key it used before for the attempt makes Prefect hand back the answer given then (on the
    pack named in the key and in the answer), which recording then compares with the pack now.
    """
    for key in sorted(used):
        parts = key.split("-")  # decision-<fingerprint>-<n>, or decision-<n> before the pack
        if parts[0] == "decision" and len(parts) in {2, 3} and parts[-1] == str(attempt):
            return key
    return f"decision-{fingerprint[:12]}-{attempt}"


def _keyed(section: str, items: Sequence[UnitChange]) -> tuple[dict[str, str], list[str]]:
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for item in items:
        key = item.uscc.strip()
        if key in mapping:
            problems.append(f"{section}: {key} is given twice")
        mapping[key] = item.reason
    return mapping, problems


def form_to_decision(form: MeetingForm) -> tuple[MeetingDecisionInput | None, list[str]]:
    """Return the decision a filled form states, or None and the problems to show. Pure.

    Checks what the form alone can tell (approve-as-proposed with changes, nothing decided,
    a unit given twice); validate_decision checks the changes against the pack.
    """
    remove, p1 = _keyed("remove from release", form.remove_from_release)
    add, p2 = _keyed("add to release", form.add_to_release)
    uncommend, p3 = _keyed("remove from commendation", form.remove_from_commendation)
    changes = MeetingChanges(
        remove_from_release=remove,
        add_to_release=add,
        remove_from_commendation=uncommend,
        add_to_commendation=[
            CommendationAddition(**a.model_dump(exclude={"override_flags"}))
            for a in form.add_to_commendation
        ],
    )
    overrides: dict[str, list[str]] = {}
    added: list[UnitAddition | CommendationAdd] = [*form.add_to_release, *form.add_to_commendation]
    for item in added:
        if item.override_flags:
            codes = overrides.setdefault(item.uscc.strip(), [])
            codes += [c.strip() for c in item.override_flags if c.strip() not in codes]
    changes = changes.model_copy(update={"overrides": overrides})
    problems = p1 + p2 + p3
    if not form.pack_fingerprint.strip():
        problems.append(
            "会议材料指纹为空 'Pack fingerprint' is empty: it names the pack the decision is given "
            "on; reload the form to get it filled in"
        )
    if form.approve_as_proposed and not changes.is_empty():
        problems.append(
            "'Approve as proposed' is ticked but changes are listed: untick it to apply the "
            "changes, or empty the change lists"
        )
    if not form.approve_as_proposed and changes.is_empty():
        problems.append(
            "nothing decided: tick 'Approve as proposed', or list the meeting's changes"
        )
    if not form.decided_by.strip():
        problems.append("'Decided by' is empty")
    if problems:
        return None, problems
    decision = MeetingDecisionInput(
        changes=changes,
        meeting_date=form.meeting_date,
        decided_by=form.decided_by.strip(),
        notes=form.notes,
        source=form.entered_via,
        pack_fingerprint=form.pack_fingerprint.strip(),
    )
    return decision, []


def form_values(
    changes: MeetingChanges,
    *,
    meeting_date: date,
    decided_by: str,
    notes: str = "",
    entered_via: Literal["ui", "cli"] = "cli",
    pack_fingerprint: str = "",
) -> dict[str, Any]:
    """Return the form's JSON values stating `changes` (empty changes: approve as proposed).

    `pack_fingerprint` names the pack the decision is given on; `changes.overrides` go with
    the unit's additions (release list and commendations).
    """

    def units(mapping: dict[str, str]) -> list[dict[str, str]]:
        return [{"uscc": k, "reason": v} for k, v in mapping.items()]

    def added(mapping: dict[str, str]) -> list[dict[str, Any]]:
        return [
            u | {"override_flags": changes.overrides.get(u["uscc"], [])} for u in units(mapping)
        ]

    return {
        "approve_as_proposed": changes.is_empty(),
        "meeting_date": meeting_date.isoformat(),
        "decided_by": decided_by,
        "remove_from_release": units(changes.remove_from_release),
        "add_to_release": added(changes.add_to_release),
        "remove_from_commendation": units(changes.remove_from_commendation),
        "add_to_commendation": [
            a.model_dump() | {"override_flags": changes.overrides.get(a.uscc, [])}
            for a in changes.add_to_commendation
        ],
        "notes": notes,
        "pack_fingerprint": pack_fingerprint,
        "entered_via": entered_via,
    }
