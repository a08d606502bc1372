"""The clock's run log lines and the day's findings, from the steps' summaries."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from tasks.clock.step_log import findings, needs_a_look, step_counts, step_line


class Queued(BaseModel):
    queued: int
    skipped: int = 0


class Remind(BaseModel):
    campaign_year: int
    reminders: Queued
    mail_sent: int
    dry_run: bool = False


def test_a_step_line_has_the_day_the_step_in_chinese_and_english_and_its_counts() -> None:
    summary = Remind(campaign_year=2024, reminders=Queued(queued=12), mail_sent=12)

    line = step_line(date(2024, 11, 8), "remind", summary)

    assert line == "2024-11-08 提醒 remind: reminders.queued=12, mail_sent=12"


def test_counts_leave_out_years_zeros_and_flags() -> None:
    assert step_counts(Remind(campaign_year=2024, reminders=Queued(queued=0), mail_sent=0)) == (
        "nothing to count (无计数)"
    )
    assert step_counts(True) == "due=true"
    assert step_counts({"sent": 3, "outbox": {"sent": 40}}) == "sent=3, outbox.sent=40"


def test_long_summaries_are_cut_and_say_how_many_more() -> None:
    line = step_counts({f"n{i}": i + 1 for i in range(20)})

    assert line.endswith(", +6 more")


def test_findings_are_the_counts_that_need_a_look_and_not_the_outbox_totals() -> None:
    delivered = {"sent": 9, "failed": 1, "ambiguous": 2, "outbox": {"failed": 7}}

    assert findings("deliver", delivered) == "deliver: failed=1, ambiguous=2"
    assert findings("train", {"seated": 30}) is None
    assert needs_a_look("recommendations.rows_rejected")
    assert needs_a_look("problems_by_code.bad-uscc")
    assert not needs_a_look("score_threshold")  # 'held' inside a word is not 'held'
