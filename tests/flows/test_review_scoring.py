"""Experts of different harshness return generated sheets; the review ranks the reports fairly.

Each report has a true quality; each expert adds a constant of their own (harsh, lenient or
fair) to every score. One expert types a score out of range on one report, one never returns
the sheet. The review must take in every valid score, reject the bad row at its cell, flag the
reports short of reviews for the chair, and rank the reports by quality despite the harshness.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from artifactkit import artifact_table
from factories import add_association, add_participation, roster_row, write_xlsx
from openpyxl import load_workbook
from reviewkit import fill, sent_mails

from schemas.columns import ROSTER
from schemas.enums import ParticipationStatus, SubmissionKind
from schemas.settings import Settings
from schemas.sqltypes import now_utc
from tasks.common.campaigns import ensure_campaign
from tasks.review.sheets.layout import FIRST_DATA_ROW, SCORES_SHEET, id_column
from tasks.store import campaign_session, make_engine, upgrade_database

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

S, K = ParticipationStatus, SubmissionKind
UNITS = 12
BIAS = {1: -15.0, 2: +12.0, 3: 0.0, 4: -5.0, 5: +4.0, 6: 0.0}  # expert -> harshness
SILENT = 6  # this expert never returns the sheet
OUT_OF_RANGE = 3  # this expert types 120 on their first report


def quality(n: int) -> float:
    """The true quality of unit n: 40 + 3.5 n, so unit 12 is best and unit 1 worst."""
    return 40 + 3.5 * n


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation of two lists without ties (written out, no library)."""
    rank_x = {v: i for i, v in enumerate(sorted(xs))}
    rank_y = {v: i for i, v in enumerate(sorted(ys))}
    n = len(xs)
    d2 = sum((rank_x[x] - rank_y[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_harsh_and_lenient_experts_do_not_decide_the_ranking(
    workspace: Path, tmp_path: Path, campaign_2024
) -> None:
    from flows.review import review

    settings = Settings()
    upgrade_database(make_engine(settings))
    with campaign_session(settings) as session:
        ensure_campaign(session, campaign_2024, now_utc())
        a1 = add_association(session, "A001")
        unit_of = {
            add_participation(session, n, [a1], S.SUBMITTED, [K.BASIC_INFO, K.REPORT_PDF]): n
            for n in range(1, UNITS + 1)
        }
    roster = write_xlsx(tmp_path / "reviewers.xlsx", [roster_row(e) for e in BIAS], ROSTER)
    review(2024, as_of=date(2024, 12, 2), roster_files=[str(roster)])
    criteria = campaign_2024.review.criteria
    returned = workspace / "inbox" / "2024" / "review" / "sheets"
    returned.mkdir(parents=True)
    typed_out_of_range = None
    for i, mail in enumerate(sent_mails(workspace)):
        expert = int(str(mail["To"]).split("expert")[1].split("@")[0])
        if expert == SILENT:
            continue
        [attached] = list(mail.iter_attachments())
        path = returned / f"expert{expert}-{i}.xlsx"
        path.write_bytes(attached.get_content())
        ws = load_workbook(path)[SCORES_SHEET]
        rows: dict[int, list[object]] = {}
        for row in range(FIRST_DATA_ROW, ws.max_row + 1):
            pid = ws.cell(row=row, column=id_column(len(criteria))).value
            score = round(quality(unit_of[int(pid)]) + BIAS[expert], 1)  # type: ignore[arg-type]
            scores: list[object] = [score] * len(criteria)
            if expert == OUT_OF_RANGE and typed_out_of_range is None:
                scores[0], typed_out_of_range = 120, unit_of[int(pid)]  # type: ignore[arg-type]
            rows[row] = [*scores, "结构完整", "补充数据"]
        fill(path, len(criteria), rows)

    state = review(2024, as_of=date(2024, 12, 10), return_state=True)

    scores = state.result().scores
    run_id = state.state_details.flow_run_id
    assert scores is not None
    assert scores.problems_by_code.get("score-out-of-range") == 1
    problems, _ = artifact_table("score-sheet-rejections", flow_run=run_id)
    [bad] = [r for r in problems if r["code"] == "score-out-of-range"]
    assert (bad["value"], bad["row"] is not None) == ("120", True)
    header, *reported = load_workbook(workspace / scores.report).active.iter_rows(values_only=True)
    codes = [dict(zip(header, row, strict=True))["代码 (code)"] for row in reported]
    assert codes.count("score-out-of-range") == 1  # the full report the summary points to
    table, _ = artifact_table("review-league", flow_run=run_id)
    league = {row["unit"]: row for row in table}
    assert len(league) == UNITS  # every report has at least one valid review
    name = "上海测试{:04d}科技有限公司".format
    short = {n for n in range(1, UNITS + 1) if league[name(n)]["reviews"] < 3}
    assert typed_out_of_range in short  # its bad row does not count
    assert short  # the silent expert's reports are short ...
    for n in short:  # ... and go to the chair, whatever their score
        assert str(league[name(n)]["recommendation"]).startswith("needs_chair")
    normalised = [float(league[name(n)]["mean_normalised"]) for n in range(1, UNITS + 1)]
    raw = [float(league[name(n)]["mean_raw"]) for n in range(1, UNITS + 1)]
    truth = [quality(n) for n in range(1, UNITS + 1)]
    assert spearman(normalised, truth) > spearman(raw, truth)
    assert spearman(normalised, truth) >= 0.95
    assert league[name(UNITS)]["rank"] == 1
    assert league[name(1)]["rank"] == UNITS
