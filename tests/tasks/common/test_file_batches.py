"""Saving a batch of files: one transaction, or one per file when the batch fails."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from pathlib import Path

from sqlmodel import Session, select

from schemas.settings import Settings
from schemas.tables import Association
from tasks.common.file_batches import save_by_file
from tasks.store import campaign_session

SECRET = "柯示例丙"


def _save(session: Session, files: AbstractSet[str]) -> int:
    """Add one association per file, then fail (quoting a row) if the poison file is among them."""
    session.add_all(Association(code=f, name=f"协会{f}") for f in sorted(files))
    session.flush()
    if "poison.xlsx" in files:
        raise ValueError(f"duplicate key ({SECRET})")
    return len(files)


def test_a_failing_file_is_rolled_back_alone_and_reported_without_its_message(
    workspace: Path,
) -> None:
    settings = Settings()

    saved = save_by_file(
        settings, ["a.xlsx", "poison.xlsx", "z.xlsx"], _save, ("保存名单", "saving lists")
    )

    with campaign_session(settings) as session:
        codes = sorted(session.exec(select(Association.code)).all())
    assert (codes, saved.results, saved.failed()) == (["a.xlsx", "z.xlsx"], [1, 1], {"poison.xlsx"})
    [failure] = saved.failures
    assert (failure.code, failure.row) == ("file-failed", None)
    assert "ValueError" in failure.reason_zh
    assert SECRET not in failure.reason_zh + failure.reason_en


def test_a_batch_that_saves_takes_one_transaction(workspace: Path) -> None:
    saved = save_by_file(Settings(), ["a.xlsx", "b.xlsx"], _save, ("保存名单", "saving lists"))

    assert (saved.results, saved.failures) == ([2], [])


def test_file_outcomes_follow_each_file_level_problem() -> None:
    from schemas.enums import Severity
    from schemas.rejection import Rejection
    from tasks.common.file_batches import file_outcomes

    def problem(file: str, code: str, row: int | None = None, warning: bool = False) -> Rejection:
        severity = Severity.WARNING if warning else Severity.ERROR
        return Rejection(
            file=file,
            row=row,
            column="",
            value="",
            code=code,
            reason_zh="因",
            reason_en="why",
            severity=severity,
        )

    outcomes = file_outcomes(
        ["in/a.xlsx", "in/b.csv", "in/c.xlsx", "in/d.xlsx"],
        [
            problem("a.xlsx", "bad-email", row=3),
            problem("b.csv", "bad-encoding"),
            problem("c.xlsx", "file-failed"),
            problem("d.xlsx", "under-quota", warning=True),
        ],
    )

    assert outcomes == {
        "in/a.xlsx": "taken-in",
        "in/b.csv": "refused",
        "in/c.xlsx": "failed",
        "in/d.xlsx": "taken-in",
    }
