"""The decision form: the pack it is given on, flags overridden, the key of each question."""

from __future__ import annotations

from datetime import date

from meetingkit import CHANGES, uscc

from tasks.meeting.form import (
    MeetingForm,
    field_digest,
    form_class,
    form_to_decision,
    form_values,
    pause_key,
)

DAY = date(2024, 12, 23)
A = "a" * 64
B = "b" * 64


def test_a_new_question_names_the_pack_and_a_restart_reuses_the_key_it_answered() -> None:
    assert pause_key(A, 1, set()) == f"decision-{'a' * 12}-1"
    # restarted with pack B rebuilt: attempt 1 was answered on A, so its key is asked again
    used = {f"decision-{'a' * 12}-1", "other-1"}
    assert pause_key(B, 1, used) == f"decision-{'a' * 12}-1"
    assert pause_key(B, 2, used) == f"decision-{'b' * 12}-2"
    assert pause_key(B, 11, {f"decision-{'a' * 12}-1"}) == f"decision-{'b' * 12}-11"
    assert pause_key(B, 1, {"decision-1"}) == "decision-1"  # asked before the upgrade


def test_the_form_carries_the_fingerprint_and_the_overrides_both_ways() -> None:
    values = form_values(CHANGES, meeting_date=DAY, decided_by="王主任", pack_fingerprint=A)
    decision, problems = form_to_decision(MeetingForm.model_validate(values))

    assert problems == []
    assert decision is not None
    assert decision.pack_fingerprint == A
    assert decision.changes.overrides == {uscc(5): ["below-pass"]}
    assert decision.changes == CHANGES


def test_an_answer_that_names_no_pack_is_asked_again_and_the_form_is_prefilled() -> None:
    values = form_values(CHANGES, meeting_date=DAY, decided_by="王主任", pack_fingerprint="")
    decision, problems = form_to_decision(MeetingForm.model_validate(values))
    form = form_class("pack digest", meeting_date=DAY, pack_fingerprint=B)

    assert decision is None
    assert problems[0].startswith("会议材料指纹为空")
    assert form.model_fields["pack_fingerprint"].default == B
    assert form.model_fields["pack_fingerprint"].title == "会议材料指纹 Pack fingerprint"


def _schema_accepts(form: type[MeetingForm], values: dict[str, object]) -> bool:
    """Return whether the Prefect server would take `values` for `form` (its own validator)."""
    from prefect.utilities.schema_tools import ValidationError, validate

    try:
        validate(values, form.model_json_schema(), raise_on_error=True)
    except ValidationError:
        return False
    return True


def test_the_server_refuses_a_meeting_date_that_is_not_a_date() -> None:
    form = form_class("digest", meeting_date=DAY, pack_fingerprint=B)
    good = form_values(CHANGES, meeting_date=DAY, decided_by="王主任", pack_fingerprint=B)

    assert _schema_accepts(form, good)
    assert not _schema_accepts(form, good | {"meeting_date": "27/12/2024"})
    assert not _schema_accepts(form, good | {"decided_by": "   "})


def test_after_a_refused_answer_who_decides_is_asked_again_not_reused() -> None:
    refused = form_values(CHANGES, meeting_date=DAY, decided_by="王主任", pack_fingerprint="")
    answer = MeetingForm.model_validate(refused)

    form = form_class("digest", **answer.model_dump(exclude={"entered_via"}))
    schema = form.model_json_schema()

    assert "decided_by" in schema["required"]
    assert "default" not in schema["properties"]["decided_by"]
    assert form.model_fields["meeting_date"].default == DAY


def test_the_digest_heads_the_first_field_whose_help_the_resume_dialog_always_shows() -> None:
    """The dialog squeezes the form's own description to 0 px when the fields are taller than the
    window; a field's help is never squeezed, so the first field carries the digest too."""
    digest = "# 会议审定 Meeting decision 2024\n\n拟发布 **4** 家"
    form = form_class(digest, meeting_date=DAY, pack_fingerprint=B)
    schema = form.model_json_schema()

    first = next(iter(schema["properties"]))
    assert first == "approve_as_proposed"
    help_text = schema["properties"][first]["description"]
    assert help_text.startswith("拟发布 4 家\n\n---\n\n")  # no heading, no bold
    assert help_text.endswith(MeetingForm.model_fields[first].description or "")
    assert schema["properties"][first]["default"] is False
    assert "会议审定" not in (MeetingForm.model_fields[first].description or "")  # a copy changed
    assert form.model_fields["meeting_date"].default == DAY


def test_a_field_digest_drops_headings_and_bold_and_keeps_every_line_as_a_paragraph() -> None:
    text = "# 会议审定\n\n拟发布 **4** 家\nProposed: **4**\n\n1. 第一项\n2. 第二项\n\n---"

    assert field_digest(text) == "拟发布 4 家\n\nProposed: 4\n\n1. 第一项\n\n2. 第二项\n\n---"
