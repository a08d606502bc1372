"""Tests for schemas/calendar.py: Chinese working days, the fallback and campaign overrides."""

import logging
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.calendar import WorkingCalendar

# The oracle for September to November 2024, copied from the State Council's 2024 holiday notice:
# Mid-Autumn 15-17 September (make-up Saturday 14 September), National Day 1-7 October (make-up
# Sunday 29 September and Saturday 12 October). No other adjustments fall in these months.
ORACLE_START, ORACLE_END = date(2024, 9, 1), date(2024, 11, 30)
HOLIDAYS_2024 = {date(2024, 9, d) for d in (15, 16, 17)} | {date(2024, 10, d) for d in range(1, 8)}
MAKE_UP_DAYS_2024 = {date(2024, 9, 14), date(2024, 9, 29), date(2024, 10, 12)}


def oracle_is_working(day: date) -> bool:
    assert ORACLE_START <= day <= ORACLE_END, f"{day} is outside the oracle's months"
    if day in MAKE_UP_DAYS_2024:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS_2024


def oracle_shift(day: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    while left:
        day += step
        left -= oracle_is_working(day)
    return day


CAL = WorkingCalendar()


# ---- chinesecalendar's 2024 ----------------------------------------------------------------------


def test_national_day_2024_is_seven_holidays() -> None:
    days = [date(2024, 10, d) for d in range(1, 9)]

    assert [CAL.is_working_day(d) for d in days] == [False] * 7 + [True]


def test_saturday_12_october_2024_is_a_make_up_working_day() -> None:
    day = date(2024, 10, 12)

    assert (day.isoweekday(), CAL.is_working_day(day)) == (6, True)


def test_sunday_29_september_2024_is_a_make_up_working_day() -> None:
    day = date(2024, 9, 29)

    assert (day.isoweekday(), CAL.is_working_day(day)) == (7, True)


def test_an_ordinary_weekend_is_not_working() -> None:
    assert [CAL.is_working_day(date(2024, 11, d)) for d in (29, 30)] == [True, False]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        # 8 Oct counting back: 30 Sep (1), 29 Sep Sunday make-up (2), 28 Sep Saturday off,
        # 27 Sep (3), 26 (4), 25 (5), 24 (6), 23 Sep Monday (7); 1-7 Oct are holidays.
        (1, date(2024, 9, 30)),
        (3, date(2024, 9, 27)),
        (7, date(2024, 9, 23)),
    ],
)
def test_shift_back_from_8_october_crosses_national_day(n: int, expected: date) -> None:
    assert CAL.shift(date(2024, 10, 8), -n) == expected


def test_shift_forward_from_30_september_lands_after_national_day() -> None:
    # 8, 9, 10, 11 October, then Saturday 12 October (make-up day).
    assert [CAL.shift(date(2024, 9, 30), n) for n in (1, 5)] == [
        date(2024, 10, 8),
        date(2024, 10, 12),
    ]


def test_shift_by_zero_keeps_the_day_even_on_a_holiday() -> None:
    assert CAL.shift(date(2024, 10, 3), 0) == date(2024, 10, 3)


def test_shift_from_a_holiday_counts_from_the_holiday() -> None:
    assert CAL.shift(date(2024, 10, 3), -1) == date(2024, 9, 30)


def test_on_or_before_a_saturday_deadline_is_the_friday() -> None:
    assert CAL.on_or_before(date(2024, 11, 30)) == date(2024, 11, 29)


def test_on_or_before_a_working_day_is_that_day() -> None:
    assert CAL.on_or_before(date(2024, 11, 15)) == date(2024, 11, 15)


def test_on_or_before_the_end_of_national_day_is_30_september() -> None:
    assert CAL.on_or_before(date(2024, 10, 7)) == date(2024, 9, 30)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 9, 30), date(2024, 10, 8), 1),
        (date(2024, 10, 8), date(2024, 9, 30), -1),
        # (27 Sep, 12 Oct]: 29, 30 Sep, 8, 9, 10, 11 and Saturday 12 Oct.
        (date(2024, 9, 27), date(2024, 10, 12), 7),
        (date(2024, 10, 1), date(2024, 10, 7), 0),
        (date(2024, 11, 15), date(2024, 11, 15), 0),
        (date(2024, 11, 15), date(2024, 11, 30), 10),
    ],
)
def test_count_between_counts_working_days_after_start_through_end(
    start: date, end: date, expected: int
) -> None:
    assert CAL.count_between(start, end) == expected


# ---- properties -------------------------------------------------------------------------------

ORACLE_DAYS = st.dates(min_value=date(2024, 9, 20), max_value=date(2024, 11, 1))
DAYS_2024 = st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31))
OFFSETS = st.integers(min_value=0, max_value=15)


@given(day=ORACLE_DAYS)
def test_is_working_day_agrees_with_the_hand_written_autumn_2024(day: date) -> None:
    assert CAL.is_working_day(day) is oracle_is_working(day)


@given(day=ORACLE_DAYS, n=st.integers(min_value=-12, max_value=12))
def test_shift_agrees_with_walking_the_hand_written_autumn_2024(day: date, n: int) -> None:
    assert CAL.shift(day, n) == oracle_shift(day, n)


@given(day=DAYS_2024, n=OFFSETS)
def test_shift_back_then_count_gives_the_offset_from_a_working_day(day: date, n: int) -> None:
    working_day = CAL.on_or_before(day)

    assert CAL.count_between(CAL.shift(working_day, -n), working_day) == n


@given(day=DAYS_2024, n=OFFSETS)
def test_count_up_to_a_forward_shift_is_the_offset(day: date, n: int) -> None:
    assert CAL.count_between(day, CAL.shift(day, n)) == n


@given(day=DAYS_2024, n=st.integers(min_value=1, max_value=15))
def test_a_nonzero_shift_lands_on_a_working_day(day: date, n: int) -> None:
    assert (CAL.is_working_day(CAL.shift(day, n)), CAL.is_working_day(CAL.shift(day, -n))) == (
        True,
        True,
    )


@given(start=DAYS_2024, end=DAYS_2024)
def test_count_between_is_antisymmetric(start: date, end: date) -> None:
    assert CAL.count_between(start, end) == -CAL.count_between(end, start)


# ---- years chinesecalendar does not know ---------------------------------------------------------


def test_2027_falls_back_to_monday_to_friday_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cal = WorkingCalendar()
    days = [date(2027, 1, d) for d in range(1, 11)]  # Friday 1 to Sunday 10 January 2027

    with caplog.at_level(logging.WARNING, logger="schemas.calendar"):
        working = [cal.is_working_day(d) for d in days]

    assert working == [True, False, False, True, True, True, True, True, False, False]
    assert [(r.name, r.levelno) for r in caplog.records] == [("schemas.calendar", logging.WARNING)]
    assert caplog.records[0].getMessage() == (
        "chinesecalendar has no data for 2027: counting Monday-Friday as working days "
        "(add the year's holidays to the campaign file's [calendar] overrides)"
    )
    assert cal.fallback_years == frozenset({2027})


def test_fallback_warns_once_per_year(caplog: pytest.LogCaptureFixture) -> None:
    cal = WorkingCalendar()

    with caplog.at_level(logging.WARNING, logger="schemas.calendar"):
        cal.is_working_day(date(2027, 3, 1))
        cal.is_working_day(date(2028, 3, 1))
        cal.is_working_day(date(2027, 3, 2))

    assert [r.args for r in caplog.records] == [(2027,), (2028,)]
    assert cal.fallback_years == frozenset({2027, 2028})


def test_a_known_year_does_not_use_the_fallback() -> None:
    cal = WorkingCalendar()

    cal.is_working_day(date(2026, 10, 1))

    assert cal.fallback_years == frozenset()


def test_shift_crosses_from_the_fallback_year_into_a_known_year() -> None:
    # Monday 4 January 2027 back one: Sunday 3, Saturday 2 off, Friday 1 January 2027 works under
    # the fallback; with New Year's Day as an extra holiday it is Thursday 31 December 2026.
    plain = WorkingCalendar()
    with_new_year = WorkingCalendar(extra_holidays=[date(2027, 1, 1)])

    assert (plain.shift(date(2027, 1, 4), -1), with_new_year.shift(date(2027, 1, 4), -1)) == (
        date(2027, 1, 1),
        date(2026, 12, 31),
    )


# ---- campaign overrides --------------------------------------------------------------------------


def test_an_extra_holiday_on_a_weekday_wins_over_chinesecalendar() -> None:
    cal = WorkingCalendar(extra_holidays=[date(2024, 10, 9)])  # a Wednesday

    assert (CAL.is_working_day(date(2024, 10, 9)), cal.is_working_day(date(2024, 10, 9))) == (
        True,
        False,
    )


def test_an_extra_workday_on_a_saturday_wins_over_chinesecalendar() -> None:
    cal = WorkingCalendar(extra_workdays=[date(2024, 10, 19)])

    assert (CAL.is_working_day(date(2024, 10, 19)), cal.is_working_day(date(2024, 10, 19))) == (
        False,
        True,
    )


def test_an_extra_holiday_can_cancel_a_make_up_day() -> None:
    cal = WorkingCalendar(extra_holidays=[date(2024, 10, 12)])

    assert cal.is_working_day(date(2024, 10, 12)) is False


def test_overrides_win_over_the_fallback_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cal = WorkingCalendar(
        extra_holidays=[date(2027, 10, 1)],  # a Friday
        extra_workdays=[date(2027, 9, 26)],  # a Sunday
    )

    with caplog.at_level(logging.WARNING, logger="schemas.calendar"):
        answers = [cal.is_working_day(date(2027, 10, 1)), cal.is_working_day(date(2027, 9, 26))]

    assert answers == [False, True]
    assert (caplog.records, cal.fallback_years) == ([], frozenset())


def test_overrides_move_shift_and_on_or_before() -> None:
    # Invented overrides: Friday 29 November 2024 a holiday, Saturday 23 November a working day.
    # The last working day on or before Saturday 30 November is then Thursday the 28th; one
    # working day before Monday 25 November is Saturday the 23rd; (22, 30] holds 23, 25-28.
    cal = WorkingCalendar(extra_holidays=[date(2024, 11, 29)], extra_workdays=[date(2024, 11, 23)])

    assert cal.on_or_before(date(2024, 11, 30)) == date(2024, 11, 28)
    assert cal.shift(date(2024, 11, 25), -1) == date(2024, 11, 23)
    assert cal.count_between(date(2024, 11, 22), date(2024, 11, 30)) == 5
