"""The meeting pack: read from a real database, written as xlsx and markdown."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from meetingkit import EVIL_NAME, seed_meeting, uscc
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import select

from schemas.campaign_file import CampaignFile
from schemas.enums import ParticipationStatus
from schemas.participation import transition
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from schemas.tables import Participation
from tasks.meeting.pack import NOT_GIVEN, PackUnit, pack_fingerprint, pack_statistics
from tasks.meeting.pack_files import (
    md,
    pack_digest,
    pack_markdown,
    write_meeting_pack,
    write_pack_workbook,
)
from tasks.meeting.pack_load import load_meeting_pack
from tasks.store import session_scope

S = ParticipationStatus
DAY = date(2024, 12, 23)


def test_the_pack_holds_the_proposed_list_the_other_candidates_and_the_commendations(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        seed_meeting(session, campaign_2024)
        pack = load_meeting_pack(session, campaign_2024, DAY)

    assert [u.uscc for u in pack.release] == [uscc(1), uscc(2), uscc(3), uscc(4)]  # review rank
    assert pack.unit(uscc(4)).associations == (  # type: ignore[union-attr]
        "A001 上海市测试行业协会A001",  # names beside codes: the meeting reads names
        "A002 上海市测试行业协会A002",
    )
    why = {u.uscc: (u.status, u.why_not_proposed, u.flag_codes) for u in pack.others}
    assert why == {
        uscc(5): (S.REJECTED, "评审未通过", ("below-pass",)),
        uscc(6): (S.IN_REVIEW, "评审未完成：待专家评分", ()),
        uscc(7): (S.REVISED, "修改稿未复核", ("below-pass",)),  # its decided round 0: 55.0
        uscc(8): (S.WITHDRAWN, "已退出", ()),
        uscc(9): (S.SUBMITTED, "未分配评审专家", ()),  # filed, never assigned: still listed
    }
    assert [u.uscc for u in pack.candidates] == [uscc(n) for n in (1, 2, 3, 4, 7, 5, 6)]
    assert pack.unit(uscc(7)).score == 55.0  # type: ignore[union-attr]  # decided, not live 62
    assert [(c.uscc, c.kind, c.category_name) for c in pack.commendations] == [
        (uscc(2), "case", "绿色低碳优秀案例"),
        (uscc(1), "excellent_unit", ""),
        (uscc(2), "speaker", ""),
        (uscc(3), "speaker", ""),
    ]
    assert [c.uscc for c in pack.speakers] == [uscc(2), uscc(3)]
    assert pack.statistics == {
        "association": {"A001 上海市测试行业协会A001": 4, "A002 上海市测试行业协会A002": 1},
        "industry": {"电子信息": 3, "金融": 1},
        "district": {"浦东新区": 2, "徐汇区": 1, NOT_GIVEN: 1},
        "ownership": {"民营": 2, "国有": 1, "外资": 1},
    }


def test_the_fingerprint_moves_when_a_candidate_moves(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        ids = seed_meeting(session, campaign_2024)
        before = pack_fingerprint(load_meeting_pack(session, campaign_2024, DAY))
        same = pack_fingerprint(load_meeting_pack(session, campaign_2024, date(2024, 12, 24)))
        part = session.get(Participation, ids[1])
        assert part is not None
        session.add(transition(part, S.APPROVED, actor="test", at=now_utc()))
        session.flush()
        after = pack_fingerprint(load_meeting_pack(session, campaign_2024, DAY))
    assert before == same
    assert after != before


def test_the_workbook_has_five_sheets_and_keeps_a_formula_like_name_as_text(
    engine: Engine, campaign_2024: CampaignFile, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        seed_meeting(session, campaign_2024)
        pack = load_meeting_pack(session, campaign_2024, DAY)

    path = write_pack_workbook(tmp_path / "meeting-pack.xlsx", pack)

    wb = load_workbook(path)
    assert wb.sheetnames == [
        "拟发布名单",
        "拟表彰名单",
        "交流发言",
        "统计",
        "未列入名单",
        "暂缓表彰",
    ]
    rows = {name: list(wb[name].iter_rows(min_row=2, values_only=True)) for name in wb.sheetnames}
    assert [len(r) for r in rows.values()] == [4, 4, 2, 10, 5, 0]
    evil = next(row for row in wb["拟发布名单"].iter_rows(min_row=2) if row[1].value == uscc(4))
    assert (evil[2].value, evil[2].data_type) == (EVIL_NAME, "s")
    # candidates by decided review rank, then the units the meeting cannot add
    not_proposed = [(r[0], r[7], r[9]) for r in rows["未列入名单"]]
    assert not_proposed == [
        (uscc(7), "修改稿未复核", "可增列"),
        (uscc(5), "评审未通过", "可增列"),
        (uscc(6), "评审未完成：待专家评分", "可增列"),
        (uscc(8), "已退出", "否"),
        (uscc(9), "未分配评审专家", "否"),
    ]
    # Chinese words only: no status, decision or flag keys (review_passed, pass, [below-pass])
    first = rows["未列入名单"][0]
    assert "below-pass" not in first[8]
    assert all(
        not re.search(r"[a-z]+[_-][a-z]+|^(pass|revise|reject)$", str(c or ""))
        for r in rows["未列入名单"]
        for c in r
    )
    # the place within the list reads k/N with N the list's ranked units
    places = [r[-1] for r in rows["拟发布名单"]]
    assert all(p == "" or p.endswith(f"/{sum(bool(x) for x in places)}") for p in places)


def test_markdown_escapes_input_text_and_the_digest_lists_what_the_form_needs(
    engine: Engine, campaign_2024: CampaignFile
) -> None:
    with session_scope(engine) as session:
        seed_meeting(session, campaign_2024)
        pack = load_meeting_pack(session, campaign_2024, DAY)

    page = pack_markdown(pack)
    digest = pack_digest(pack, "reports/x-1/meeting-pack.xlsx")

    assert EVIL_NAME not in page
    assert md(EVIL_NAME) in page
    assert "Proposed: **4** units to release, **4** commendations (2 speakers)" in digest
    assert "拟发布 **4** 家" in digest
    assert "`green-low-carbon`" in digest  # category keys for added cases
    assert "|---" not in digest  # no table: the form stays readable at 1000 px
    assert len(digest) < 1500
    assert r"below\-pass" in digest  # the flagged unit is among the points (escaped)
    assert "`reports/x-1/meeting-pack.xlsx`" in digest  # a code span shows no escapes


@given(st.text(max_size=40))
def test_a_markdown_cell_is_one_line_with_every_pipe_escaped(text: str) -> None:
    cell = md(text)
    assert "\n" not in cell
    assert "\r" not in cell
    assert re.search(r"(?<!\\)\|", cell.replace("\\\\", "")) is None


places = st.sampled_from(["", "浦东新区", "徐汇区"])


@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(["A1", "A2", "A3"]), unique=True), places, places),
        max_size=12,
    )
)
def test_statistics_count_every_unit_once_per_dimension(
    rows: list[tuple[list[str], str, str]],
) -> None:
    units = [
        PackUnit(
            participation_id=i,
            uscc=str(i),
            name="x",
            status=S.REVIEW_PASSED,
            associations=tuple(assocs),
            industry=industry,
            district=district,
            ownership="",
        )
        for i, (assocs, industry, district) in enumerate(rows)
    ]
    stats = pack_statistics(units)
    expected_assoc = Counter(a for assocs, _, _ in rows for a in (assocs or [NOT_GIVEN]))
    assert stats["association"] == dict(expected_assoc)
    assert stats["district"] == dict(Counter(d or NOT_GIVEN for _, _, d in rows))
    assert sum(stats["ownership"].values()) == len(rows)
    counts = list(stats["industry"].values())
    assert counts == sorted(counts, reverse=True)


def test_build_meeting_pack_writes_both_files_inside_the_workspace(
    workspace: Path, campaign_2024: CampaignFile
) -> None:
    from tasks.store import campaign_session, make_engine, upgrade_database

    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        seed_meeting(session, campaign_2024)
    summary, markdown = write_meeting_pack(settings, 2024, DAY, "reports/run-1")

    assert (summary.release, summary.others, summary.commendations, summary.speakers) == (
        4,
        5,
        4,
        2,
    )
    assert (summary.addable, summary.flagged) == (3, 2)
    assert summary.workbook == "reports/run-1/meeting-pack.xlsx"
    assert (workspace / summary.workbook).is_file()
    assert (workspace / summary.markdown_file).read_text("utf-8") == markdown
    with campaign_session(settings) as session:
        assert len(session.exec(select(Participation)).all()) == 9
