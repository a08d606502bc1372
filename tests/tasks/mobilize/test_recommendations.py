"""Recommendation rules: duplicates, quota, eligibility, unknown associations, wrong year."""

from __future__ import annotations

from pathlib import Path

from factories import recommendation_row, write_csv, write_recommendations, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.columns import RECOMMENDATIONS
from schemas.enums import OverQuota, Severity
from tasks.mobilize.lists import read_recommendation_lists
from tasks.mobilize.recommendations import decide_recommendations

KNOWN = {"A001", "A002", "A003"}


def _decide(
    files: list[Path], over_quota: OverQuota = OverQuota.HOLD, qmin: int = 2, qmax: int = 5
):
    return decide_recommendations(
        read_recommendation_lists(files),
        campaign_year=2024,
        known_associations=KNOWN,
        quota_min=qmin,
        quota_max=qmax,
        over_quota=over_quota,
    )


def test_duplicate_inside_one_list_keeps_the_first_row(tmp_path: Path) -> None:
    rows = [recommendation_row("A001", n) for n in (1, 2, 1, 3)]
    path = write_xlsx(tmp_path / "A001.xlsx", rows, RECOMMENDATIONS)

    batch = _decide([path])

    assert [(a.row_number, a.position) for a in batch.accepted] == [(2, 1), (3, 2), (5, 3)]
    assert [(r.row, r.code, r.reason_en) for r in batch.errors()] == [
        (4, "duplicate-in-file", "recommended twice by A001; A001.xlsx row 2 was kept")
    ]


def test_same_unit_from_two_associations_lands_twice_with_one_warning(tmp_path: Path) -> None:
    a = write_recommendations(tmp_path / "A001.xlsx", "A001", [1, 2, 3])
    b = write_recommendations(tmp_path / "A002.csv", "A002", [3, 4, 5])

    batch = _decide([a, b])

    shared = batch.accepted[2].row.uscc
    assert [a.row.association_code for a in batch.accepted if a.row.uscc == shared] == [
        "A001",
        "A002",
    ]
    assert len(batch.accepted) == 6
    assert [(r.file, r.row, r.code, r.severity) for r in batch.rejections] == [
        ("A001.xlsx", 4, "recommended-twice", Severity.WARNING),
        ("A002.csv", 2, "recommended-twice", Severity.WARNING),
    ]


def test_over_quota_cut_rejects_rows_past_the_limit_in_list_order(tmp_path: Path) -> None:
    path = write_recommendations(tmp_path / "A001.xlsx", "A001", range(1, 8))

    batch = _decide([path], OverQuota.CUT, qmax=5)

    assert [a.position for a in batch.accepted] == [1, 2, 3, 4, 5]
    assert [(r.row, r.code) for r in batch.errors()] == [
        (7, "quota-exceeded"),
        (8, "quota-exceeded"),
    ]


def test_over_quota_hold_keeps_every_row_held_with_one_warning(tmp_path: Path) -> None:
    path = write_recommendations(tmp_path / "A001.xlsx", "A001", range(1, 8))

    batch = _decide([path], OverQuota.HOLD, qmax=5)

    assert [a.held for a in batch.accepted] == [True] * 7
    assert [(r.code, r.severity, r.value) for r in batch.rejections] == [
        ("quota-exceeded-held", Severity.WARNING, "7")
    ]


def test_under_quota_is_a_warning_and_the_rows_land(tmp_path: Path) -> None:
    path = write_recommendations(tmp_path / "A001.xlsx", "A001", [1])

    batch = _decide([path], qmin=2)

    assert len(batch.accepted) == 1
    assert [(r.code, r.severity) for r in batch.rejections] == [("under-quota", Severity.WARNING)]


def test_unknown_association_and_wrong_year_are_rejected_rows(tmp_path: Path) -> None:
    rows = [
        recommendation_row("A001", 1),
        recommendation_row("Z999", 2),
        recommendation_row("A001", 3, year=2023),
    ]
    path = write_csv(tmp_path / "mixed.csv", rows, RECOMMENDATIONS)

    batch = _decide([path], qmin=1)

    assert [a.row_number for a in batch.accepted] == [2]
    assert [(r.row, r.code) for r in batch.errors()] == [
        (3, "unknown-association"),
        (4, "wrong-year"),
    ]


def test_an_unreadable_file_is_one_file_rejection_and_others_proceed(tmp_path: Path) -> None:
    good = write_recommendations(tmp_path / "A001.xlsx", "A001", [1, 2])
    bad = tmp_path / "A002.xlsx"
    bad.write_text("this is not a workbook", encoding="utf-8")

    batch = _decide([good, bad])

    assert len(batch.accepted) == 2
    assert [(r.file, r.row, r.code) for r in batch.errors()] == [("A002.xlsx", None, "not-xlsx")]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lists=st.lists(
        st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=8),
        min_size=1,
        max_size=3,
    ),
    order=st.randoms(use_true_random=False),
)
def test_which_units_land_does_not_depend_on_file_order(
    tmp_path_factory, lists: list[list[int]], order
) -> None:
    folder = tmp_path_factory.mktemp("order")
    paths = [
        write_csv(
            folder / f"A00{i + 1}.csv",
            [recommendation_row(f"A00{i + 1}", n) for n in numbers],
            RECOMMENDATIONS,
            "utf-8",
        )
        for i, numbers in enumerate(lists)
    ]
    shuffled = list(paths)
    order.shuffle(shuffled)

    first = _decide(paths, qmin=1, qmax=20)
    second = _decide(shuffled, qmin=1, qmax=20)

    # Oracle: each association keeps the distinct numbers it listed.
    expected = sorted((f"A00{i + 1}", n) for i, numbers in enumerate(lists) for n in set(numbers))
    landed = sorted((a.row.association_code, int(a.row.name[4:8])) for a in first.accepted)
    assert landed == expected
    assert [a.row for a in second.accepted] == [a.row for a in first.accepted]
    assert second.rejections == first.rejections


def test_a_whole_list_for_another_year_is_one_file_level_rejection(tmp_path: Path) -> None:
    path = write_recommendations(tmp_path / "A001.xlsx", "A001", [1, 2, 3], year=2023)

    batch = _decide([path])

    assert batch.accepted == []
    assert [(r.file, r.row, r.code, r.value) for r in batch.rejections] == [
        ("A001.xlsx", None, "wrong-year", "2023")
    ]


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=3),
    qmin=st.integers(min_value=1, max_value=4),
    extra=st.integers(min_value=0, max_value=6),
    over=st.sampled_from([OverQuota.CUT, OverQuota.HOLD]),
)
def test_quota_cut_or_hold_follows_the_list_sizes(
    tmp_path_factory, sizes: list[int], qmin: int, extra: int, over: OverQuota
) -> None:
    qmax = qmin + extra
    folder = tmp_path_factory.mktemp("quota")
    paths, start = [], 1
    for i, size in enumerate(sizes):
        code = f"A00{i + 1}"
        rows = [recommendation_row(code, n) for n in range(start, start + size)]
        start += size
        paths.append(write_csv(folder / f"{code}.csv", rows, RECOMMENDATIONS, "utf-8"))

    batch = _decide(paths, over, qmin=qmin, qmax=qmax)

    # Oracle, per association: n rows; over the quota, `cut` keeps the first qmax and rejects
    # the rest, `hold` keeps all n held; under qmin is one warning.
    for i, n in enumerate(sizes):
        code = f"A00{i + 1}"
        mine = [a for a in batch.accepted if a.row.association_code == code]
        codes = [r.code for r in batch.rejections if f"{code}.csv" in r.file]
        if n > qmax and over == OverQuota.CUT:
            assert ([a.position for a in mine], codes) == (
                list(range(1, qmax + 1)),
                ["quota-exceeded"] * (n - qmax),
            )
        elif n > qmax:
            assert ([a.held for a in mine], codes) == ([True] * n, ["quota-exceeded-held"])
        else:
            assert [a.held for a in mine] == [False] * n
            assert codes == (["under-quota"] if 0 < n < qmin else ["no-rows"] if n == 0 else [])
