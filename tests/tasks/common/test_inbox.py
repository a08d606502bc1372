"""The inbox fingerprints: content digests that follow every change, each file hashed once."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import pytest

import tasks.common.ledger as ledger
from tasks.common.inbox import FileFingerprint, file_fingerprints


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_fingerprints_are_name_sha256_and_size(tmp_path: Path) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.xlsx"
    a.write_bytes(b"%PDF-1.7 one")
    b.write_bytes(b"")
    prints = file_fingerprints([str(a), str(b)])
    assert prints == {
        str(a): FileFingerprint("a.pdf", _digest(b"%PDF-1.7 one"), 12),
        str(b): FileFingerprint("b.xlsx", _digest(b""), 0),
    }


def test_a_rewrite_of_the_same_size_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"version-1")
    first = file_fingerprints([str(path)])[str(path)]
    stat = path.stat()
    path.write_bytes(b"version-2")  # same size; give it the old mtime back, as a copy -p would
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = file_fingerprints([str(path)])[str(path)]
    assert first.sha256 == _digest(b"version-1")
    assert second.sha256 == _digest(b"version-2")  # the ctime moved, so it was read again


def test_a_replaced_file_is_seen(tmp_path: Path) -> None:
    path, incoming = tmp_path / "list.xlsx", tmp_path / ".incoming"
    path.write_bytes(b"old list")
    assert file_fingerprints([str(path)])[str(path)].sha256 == _digest(b"old list")
    incoming.write_bytes(b"new list")
    os.replace(incoming, path)
    assert file_fingerprints([str(path)])[str(path)].sha256 == _digest(b"new list")


def test_an_unchanged_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7")
    reads: list[Path] = []
    real = ledger.sha256_file

    def counted(p: Path) -> str:
        reads.append(p)
        return real(p)

    monkeypatch.setattr(ledger, "sha256_file", counted)
    for _ in range(3):
        assert file_fingerprints([str(path)])[str(path)].sha256 == _digest(b"%PDF-1.7")
    assert reads == [path]


def test_review_files_are_news_until_a_review_read_them(workspace: Path) -> None:
    from datetime import date

    from prefect.logging import disable_run_logger

    from schemas.settings import Settings
    from tasks.common.campaigns import prepare_campaign
    from tasks.common.inbox import (
        REVIEW_FILES_KIND,
        SCORE_SHEETS_KIND,
        read_inbox_news,
        record_inputs,
    )

    settings = Settings()
    prepare_campaign.fn(settings, 2024)
    review = workspace / "inbox" / "2024" / "review"
    (review / "sheets").mkdir(parents=True)
    roster, chair = review / "roster.csv", review / "chair.csv"
    sheet = review / "sheets" / "expert-1.xlsx"
    for path in (roster, chair, sheet):
        path.write_bytes(path.name.encode())
    (review / "notes.md").write_text("not a table", encoding="utf-8")

    news = read_inbox_news(settings, 2024)
    assert (news.review_files, news.score_sheet_files) == ([str(chair), str(roster)], [str(sheet)])
    assert (news.any_review(), news.any_intake(), news.any_submission()) == (True, False, False)

    day = date(2024, 12, 5)
    with disable_run_logger():
        record_inputs.fn(settings, 2024, REVIEW_FILES_KIND, [str(chair), str(roster)], day)
        record_inputs.fn(settings, 2024, SCORE_SHEETS_KIND, [str(sheet)], day)
    assert not read_inbox_news(settings, 2024).any_review()

    roster.write_bytes(b"a changed roster")  # a changed file is news again, the others are not
    news = read_inbox_news(settings, 2024)
    assert (news.review_files, news.score_sheet_files) == ([str(roster)], [])


def test_recommendation_lists_are_read_again_when_the_association_list_arrives_or_changes(
    workspace: Path,
) -> None:
    from prefect.logging import disable_run_logger

    from schemas.settings import Settings
    from tasks.common.campaigns import prepare_campaign
    from tasks.common.inbox import RECOMMENDATIONS_KIND, REFUSED, read_inbox_news, record_inputs

    settings = Settings()
    prepare_campaign.fn(settings, 2024)
    folder = workspace / "inbox" / "2024" / "recommendations"
    folder.mkdir(parents=True)
    listed, broken = folder / "A001.xlsx", folder / "A002.csv"
    listed.write_bytes(b"a list")
    broken.write_bytes(b"")

    def record(files: list[Path], association_list: Path | None) -> None:
        with disable_run_logger():
            record_inputs.fn(
                settings,
                2024,
                RECOMMENDATIONS_KIND,
                [str(f) for f in files],
                date(2024, 10, 10),
                outcomes={str(broken): REFUSED},
                depends_on=str(association_list) if association_list else None,
            )

    news = read_inbox_news(settings, 2024)
    assert (news.association_list, news.recommendation_files) == (None, [str(listed), str(broken)])
    record([listed, broken], None)
    assert read_inbox_news(settings, 2024).recommendation_files == []  # refused: not again

    associations = folder / "associations.xlsx"  # arrives later, where the docs say
    associations.write_bytes(b"the association list")
    news = read_inbox_news(settings, 2024)
    assert (news.association_list, news.recommendation_files) == (
        str(associations),
        [str(listed), str(broken)],
    )
    record([associations, listed, broken], associations)
    assert read_inbox_news(settings, 2024).recommendation_files == []

    associations.write_bytes(b"the association list, corrected")
    assert read_inbox_news(settings, 2024).recommendation_files == [str(listed), str(broken)]


def test_the_association_list_is_found_in_the_year_folder_or_beside_the_lists(
    tmp_path: Path,
) -> None:
    from tasks.common.inbox import find_association_list, is_association_list

    year = tmp_path / "2024"
    (year / "recommendations").mkdir(parents=True)
    assert find_association_list(year) is None
    (year / "协会名单.csv").write_bytes(b"x")
    assert find_association_list(year) == year / "协会名单.csv"
    (year / "recommendations" / "associations.xlsx").write_bytes(b"x")

    assert find_association_list(year) == year / "recommendations" / "associations.xlsx"
    assert [is_association_list(Path(n)) for n in ("Associations.xlsx", "A001.xlsx")] == [
        True,
        False,
    ]


def test_record_inputs_updates_the_outcome_of_a_file_read_again(workspace: Path) -> None:
    from prefect.logging import disable_run_logger
    from sqlmodel import select

    from schemas.settings import Settings
    from schemas.tables import InputFile
    from tasks.common.campaigns import prepare_campaign
    from tasks.common.inbox import FAILED, RECOMMENDATIONS_KIND, TAKEN_IN, record_inputs
    from tasks.store import campaign_session

    settings = Settings()
    prepare_campaign.fn(settings, 2024)
    listed = workspace / "A001.xlsx"
    listed.write_bytes(b"a list")
    with disable_run_logger():
        for day, outcome in ((10, FAILED), (11, TAKEN_IN)):
            record_inputs.fn(
                settings,
                2024,
                RECOMMENDATIONS_KIND,
                [str(listed)],
                date(2024, 10, day),
                outcomes={str(listed): outcome},
            )
    with campaign_session(settings) as session:
        rows = [(r.outcome, r.ingested_on.day) for r in session.exec(select(InputFile)).all()]

    assert rows == [(TAKEN_IN, 11)]
