"""The recommendation intake over a corpus of real-life file shapes, and one file failing alone."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from data.intake_corpus import write_corpus
from data.intake_kit import CONTACT, SECRET_NAME, write_poison
from factories import write_associations, write_recommendations
from openpyxl import load_workbook
from prefect.logging import disable_run_logger
from sqlmodel import col, select

from notifications.headers import InvalidAddress
from schemas.enums import OverQuota
from schemas.rejection import REPORT_COLUMNS
from schemas.settings import Settings
from schemas.tables import Association, Recommendation, Unit
from tasks.common.inbox import FAILED, REFUSED, TAKEN_IN
from tasks.mobilize import file_intake
from tasks.mobilize.ingest import IngestSummary, ingest_recommendations
from tasks.mobilize.lists import read_recommendation_lists
from tasks.store import campaign_session

DAY = date(2024, 10, 10)


def _records(settings: Settings, summary: IngestSummary) -> list[dict[str, Any]]:
    """Return the rows of the run's rejection report, keyed like REPORT_COLUMNS."""
    sheet = load_workbook(settings.workspace / summary.report).active
    assert sheet is not None
    keys = [key for key, _ in REPORT_COLUMNS]
    return [dict(zip(keys, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]


def _ingest(settings: Settings, associations: Path, files: list[Path]) -> IngestSummary:
    with disable_run_logger():
        return ingest_recommendations.fn(
            settings,
            2024,
            DAY,
            str(associations),
            [str(f) for f in files],
            OverQuota.HOLD,
            "reports/corpus",
        )


def test_the_whole_corpus_imports_in_one_call_with_a_reason_for_every_refusal(
    workspace: Path, tmp_path: Path
) -> None:
    written, associations = write_corpus(tmp_path / "corpus")
    settings = Settings()

    summary = _ingest(settings, associations, [p for _, p in written])

    errors: dict[str, dict[int | None, set[str]]] = defaultdict(lambda: defaultdict(set))
    warnings: dict[str, dict[int | None, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _records(settings, summary):
        assert r["reason_zh"], r
        assert r["reason_en"], r
        found = errors if r["severity"] == "error" else warnings
        found[r["file"]][r["row"]].add(r["code"])
    with campaign_session(settings) as session:
        stored = set(session.exec(select(Unit.uscc)).all())
    assert len(written) >= 40
    for shape, path in written:
        mine = errors.get(path.name, {})
        if shape.file_code is not None:
            assert dict(mine) == {None: {shape.file_code}}, shape.name
            assert summary.outcomes[str(path)] == REFUSED, shape.name
            continue
        landing = ("ok", "held", "warn:")
        refused = {
            row for row, outcome in shape.expected.items() if not outcome.startswith(landing)
        }
        assert set(mine) == refused, shape.name
        for row in refused:
            assert shape.expected[row] in mine[row], (shape.name, row, mine[row])
        for row, outcome in shape.expected.items():
            if outcome.startswith("warn:"):
                assert outcome.removeprefix("warn:") in warnings[path.name][row], shape.name
        assert set(shape.units.values()) <= stored, shape.name
        assert summary.outcomes[str(path)] == TAKEN_IN, shape.name
    assert summary.outcomes[str(associations)] == TAKEN_IN


def test_corpus_values_are_stored_normalised(workspace: Path, tmp_path: Path) -> None:
    written, associations = write_corpus(tmp_path / "corpus")
    settings = Settings()

    _ingest(settings, associations, [p for _, p in written])

    with campaign_session(settings) as session:
        units = session.exec(select(Unit)).all()
        emails = {u.email for u in units}
        phones = {u.phone for u in units}
        names = {u.name for u in units}
        contacts = {u.contact_name for u in units}
    assert "zhang@example.com" in emails
    assert "li@unit.example.com" in emails
    assert {"13812345678", "021-62345678转801"} <= phones
    assert all(p.replace("转", "").isascii() for p in phones)
    assert "上海示例科技有限公司" in names
    assert "上海示例 科技有限公司" not in names
    assert contacts == {CONTACT}


def test_a_file_that_fails_while_saving_is_rolled_back_alone(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings()
    associations = write_associations(tmp_path / "associations.xlsx", ["A001", "A002"])
    good = write_recommendations(tmp_path / "A001.xlsx", "A001", range(1, 4))
    poison = write_recommendations(tmp_path / "A002.xlsx", "A002", range(11, 14))
    real = file_intake.invitation_mails

    def invitations_failing_for_a002(session: Any, campaign: Any, ids: Any) -> Any:
        """The invitation builder, failing as it did for an address intake once let through."""
        mails = real(session, campaign, ids)
        if any("unit11" in str(m.to) for m in mails):
            raise InvalidAddress("邮箱格式不正确", "not a valid address")
        return mails

    monkeypatch.setattr(file_intake, "invitation_mails", invitations_failing_for_a002)

    summary = _ingest(settings, associations, [good, poison])

    with campaign_session(settings) as session:
        codes = set(session.exec(select(Association.code)).all())
        recommended = session.exec(
            select(Association.code).join(
                Recommendation, col(Recommendation.association_id) == col(Association.id)
            )
        ).all()
    failed = [r for r in _records(settings, summary) if r["code"] == "file-failed"]
    assert codes == {"A001", "A002"}
    assert sorted(recommended) == ["A001"] * 3
    assert [(r["file"], r["row"]) for r in failed] == [("A002.xlsx", None)]
    assert "InvalidAddress" in failed[0]["reason_zh"]
    assert summary.outcomes == {
        str(associations): TAKEN_IN,
        str(good): TAKEN_IN,
        str(poison): FAILED,
    }


def test_poison_files_leave_no_row_content_in_logs_or_exceptions(
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings()
    associations = write_associations(tmp_path / "associations.xlsx", ["A001", "A002"])
    files = write_poison(tmp_path / "poison")
    failing = write_recommendations(tmp_path / "A002.xlsx", "A002", range(21, 23))
    real = file_intake.save_recommendations

    def save_failing_with_a_row_in_the_message(
        session: Any, year: int, accepted: Any, *a: Any
    ) -> Any:
        """A database error quoting a row, as drivers do (an integrity error shows values)."""
        if any(acc.file == "A002.xlsx" for acc in accepted):
            raise ValueError(f"duplicate key value ({SECRET_NAME}, {CONTACT})")
        return real(session, year, accepted, *a)

    monkeypatch.setattr(file_intake, "save_recommendations", save_failing_with_a_row_in_the_message)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("prefect").addHandler(caplog.handler)
    try:
        summary = _ingest(settings, associations, [*files, failing])
    finally:
        logging.getLogger("prefect").removeHandler(caplog.handler)

    records = _records(settings, summary)
    seen = caplog.text + "".join(capsys.readouterr()) + summary.model_dump_json()
    seen += "".join(str(r["reason_zh"]) + str(r["reason_en"]) for r in records)
    assert CONTACT not in seen
    assert SECRET_NAME not in seen
    assert "张伟" not in seen
    by_file = {
        r["file"]: r["code"] for r in records if r["row"] is None and r["severity"] == "error"
    }
    assert by_file == {
        "A001_bom_gbk.csv": "bad-encoding",
        "A001_odd.txt": "bad-encoding",
        "A001_cut.xlsx": "damaged-xlsx",
        "A002.xlsx": "file-failed",
    }
    assert {(r["file"], r["row"], r["code"]) for r in records if r["row"] is not None} >= {
        ("A001_rows.xlsx", 3, "bad-email"),
        ("A001_formula.xlsx", 2, "formula-cell"),
    }


def test_damaged_encoding_names_the_line_not_the_content(tmp_path: Path) -> None:
    files = write_poison(tmp_path / "poison")

    reasons = [
        (r.file, r.reason_zh)
        for listed in read_recommendation_lists(f for f in files if f.suffix != ".xlsx")
        for r in listed.rejections
    ]

    assert reasons == [
        ("A001_bom_gbk.csv", _encoding_reason(1, "UTF-8")),  # the Chinese headers
        ("A001_odd.txt", _encoding_reason(3, "UTF-16（Unicode 文本）")),
    ]


def _encoding_reason(line: int, declared: str) -> str:
    return (
        f"文件编码损坏（第 {line} 行附近）：文件声明为 {declared}，但其中有不符合该编码的字节；"
        "请用 Excel 重新另存为“CSV UTF-8”后重发"
    )
