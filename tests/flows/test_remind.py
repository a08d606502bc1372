"""The remind flow on the real engine, around National Day, with mail read back as .eml files.

The campaign file moves the receipt deadline to Tuesday 2024-10-08, right after the holidays
(1-7 October; Sunday 29 September and Saturday 12 October are make-up working days):
- Friday 27 September is T-3 (29 September, 30 September and 8 October are left);
- Tuesday 8 October is the deadline's day and, since Monday 7 October is a holiday, the first
  working day of its week: the weekly digest goes out then;
- Monday 14 October carries the next digest and no reminder (overdue: 9, 12, 16 October).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from artifactkit import artifact_table
from factories import (
    basic_info_row,
    deadline_campaigns_dir,
    receipt_row,
    write_associations,
    write_recommendations,
    write_xlsx,
)
from prefect.logging import disable_run_logger
from sqlmodel import func, select

from notifications.sink import eml_files, read_eml
from schemas.columns import BASIC_INFO, RECEIPTS
from schemas.outbox_table import OutboxMessage
from schemas.settings import Settings
from tasks.remind.listing import ListedMail
from tasks.store import campaign_session

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

PREFIX = "【第十三届上海市企业社会责任报告发布会】"
A001, A002 = "上海市测试行业协会A001", "上海市测试行业协会A002"


def _unit(n: int) -> str:
    return f"上海测试{n:04d}科技有限公司"


def _outbox_rows() -> int:
    with campaign_session(Settings()) as session:
        return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def _new_mail(workspace: Path, before: set[Path]) -> list[tuple[str, str, str]]:
    """Return (To, Subject, text body) of the .eml files written since `before`."""
    out = []
    for path in eml_files(workspace / "mail" / "sent"):
        if path not in before:
            message = read_eml(path)
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            out.append((str(message["To"]), str(message["Subject"]), body.get_content()))
    return sorted(out)


def test_remind_around_national_day_sends_each_reminder_once_and_weekly_digests(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.mobilize import mobilize
    from flows.remind import RemindSummary, remind
    from tasks.submit.forms import ingest_forms

    monkeypatch.setenv(
        "CAMPAIGN_CAMPAIGNS_DIR", str(deadline_campaigns_dir(tmp_path, date(2024, 10, 8)))
    )
    inbox = workspace / "inbox" / "2024"
    write_associations(inbox / "associations.xlsx", ["A001", "A002"])
    write_recommendations(inbox / "recommendations" / "A001.xlsx", "A001", range(1, 5))
    write_recommendations(inbox / "recommendations" / "A002.xlsx", "A002", range(5, 7))
    write_xlsx(inbox / "receipts" / "r.xlsx", [receipt_row(1), receipt_row(5)], RECEIPTS)
    mobilize(2024, as_of=date(2024, 9, 20))
    form = write_xlsx(tmp_path / "forms" / "info.xlsx", [basic_info_row(1)], BASIC_INFO)
    with disable_run_logger():
        ingest_forms.fn(Settings(), 2024, date(2024, 9, 25), [str(form)], [], "reports/forms")
    # Unit 1 has filed receipt and form; unit 5 only the receipt; 2, 3, 4 and 6 nothing.
    mailed = set(eml_files(workspace / "mail" / "sent"))
    queued_before = _outbox_rows()

    # (a) T-3: a reminder to every unit still owing a step of the receipt deadline.
    state = remind(2024, as_of=date(2024, 9, 27), return_state=True)
    t3: RemindSummary = state.result()
    t3_mail = _new_mail(workspace, mailed)
    mailed = set(eml_files(workspace / "mail" / "sent"))
    # (b) the same day again: nothing new.
    again_state = remind(2024, as_of=date(2024, 9, 27), return_state=True)
    again: RemindSummary = again_state.result()
    again_mail = _new_mail(workspace, mailed)
    queued_after_t3 = _outbox_rows()
    # (c) a dry run on the deadline's day: listed, nothing written or sent.
    dry_state = remind(2024, as_of=date(2024, 10, 8), dry_run=True, return_state=True)
    dry: RemindSummary = dry_state.result()
    dry_mail = _new_mail(workspace, mailed)
    queued_after_dry = _outbox_rows()
    # (d) Monday 14 October: the weekly digests.
    monday_state = remind(2024, as_of=date(2024, 10, 14), return_state=True)
    monday: RemindSummary = monday_state.result()
    monday_mail = _new_mail(workspace, mailed)

    owing = [(2, A001), (3, A001), (4, A001), (5, A002), (6, A002)]
    assert t3.reminders.reminders_due == ["receipt@2024-10-08:before:3"]
    assert t3.reminders.digest_due is False
    # What was sent is listed where the operator sees it: the run's `reminders` artifact.
    rows, description = artifact_table("reminders", flow_run=state.state_details.flow_run_id)
    assert rows == [
        ListedMail(
            template="deadline_reminder",
            deadline="receipt (2024-10-08)",
            kind="T-3",
            unit=_unit(n),
            association=association,
        ).model_dump()
        for n, association in owing
    ]
    assert (t3.reminders.listed, t3.reminders.queued, t3.mail_sent) == (5, 5, 5)
    subject = f"{PREFIX}截止提醒：请于2024年10月8日前提交发布回执表及基本信息统计表"
    assert [(to, subj) for to, subj, _ in t3_mail] == sorted(
        [(f"李测试 <contact{n}@unit{n}.example.com>", subject) for n in (2, 3, 4, 6)]
        + [("赵回执 <csr5@unit5.example.com>", subject)]
    )
    assert all("距截止还有3个工作日。" in text for _, _, text in t3_mail)
    [unit5_text] = [text for to, _, text in t3_mail if "csr5@" in to]
    assert "  1. 基本信息统计表\n" in unit5_text
    assert "  2. " not in unit5_text
    shown = json.dumps(rows, ensure_ascii=False) + description
    assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.-]+", shown) == []  # no address
    assert not any(name in shown for name in ("李测试", "赵回执", "王测试"))  # no contact

    assert (again.reminders.listed, again.reminders.queued, again.mail_sent) == (0, 0, 0)
    assert again.reminders.already_in_outbox == 5
    assert (again_mail, queued_after_t3) == ([], queued_before + 5)
    assert artifact_table("reminders", flow_run=again_state.state_details.flow_run_id) == (
        [],
        "**Reminders** for 2024-09-27: 0 mails queued; 5 already in the outbox.\n\n"
        "Reminders due: `receipt@2024-10-08:before:3`. Weekly digest: not due.",
    )

    assert dry.reminders.reminders_due == ["receipt@2024-10-08:on_the_day:0"]
    assert (dry.reminders.dry_run, dry.reminders.digest_due) == (True, True)
    # The dry run's list is the artifact: what a real run would send, nothing written.
    dry_rows, dry_description = artifact_table(
        "reminders", flow_run=dry_state.state_details.flow_run_id
    )
    assert dry_rows == [
        ListedMail(
            template="deadline_reminder",
            deadline="receipt (2024-10-08)",
            kind="on the day",
            unit=_unit(n),
            association=association,
        ).model_dump()
        for n, association in owing
    ] + [
        ListedMail(
            template="association_digest",
            deadline="",
            kind="weekly 2024-W41",
            unit="",
            association=association,
        ).model_dump()
        for association in (A001, A002)
    ]
    assert (dry.reminders.listed, dry.reminders.queued, dry.mail_sent, dry_mail) == (7, 0, 0, [])
    assert queued_after_dry == queued_after_t3
    assert dry_description.startswith(
        "**Reminders** for 2024-10-08: 7 mails would be queued (dry run: nothing was written); "
        "0 already in the outbox."
    )

    assert (monday.reminders.reminders_due, monday.reminders.digest_due) == ([], True)
    monday_rows, _ = artifact_table("reminders", flow_run=monday_state.state_details.flow_run_id)
    assert [row["kind"] for row in monday_rows] == ["weekly 2024-W42"] * 2
    assert monday.reminders.listed == 2
    assert [(to, subj) for to, subj, _ in monday_mail] == [
        ("王测试 <a001@assoc.example.org>", f"{PREFIX}{A001}推荐单位进展周报（截至10月14日）"),
        ("王测试 <a002@assoc.example.org>", f"{PREFIX}{A002}推荐单位进展周报（截至10月14日）"),
    ]
    digest_a001 = monday_mail[0][2]
    assert "贵协会推荐的4家单位中，尚无单位提交全部材料。" in digest_a001
    assert (
        "1. 上海测试0001科技有限公司\n"
        "   当前状态：已报名\n"
        "   尚缺材料：社会责任报告（PDF版本）\n"
        "   最近截止：2024年11月30日\n"
    ) in digest_a001
    assert (
        "2. 上海测试0002科技有限公司\n"
        "   当前状态：已推荐\n"
        "   尚缺材料：发布回执表（已逾期）、基本信息统计表（已逾期）、社会责任报告（PDF版本）\n"
    ) in digest_a001
    assert monday.mail_sent == 2
