"""Chinese working days: chinesecalendar (holidays and 调休 make-up days) plus campaign overrides.

For years chinesecalendar does not know yet (it raises NotImplementedError), the calendar falls
back to Monday-Friday and logs that once per year; the campaign file's `[calendar]` overrides
(extra holidays and make-up working days) apply on top either way. Pure apart from that log line.
"""

import logging
from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)


class WorkingCalendar:
    """Answers which days are working days and counts working days back and forth."""

    def __init__(
        self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()
    ) -> None:
        self._holidays = frozenset(extra_holidays)
        self._workdays = frozenset(extra_workdays)
        self._fallback_years: set[int] = set()

    @property
    def fallback_years(self) -> frozenset[int]:
        """Years for which the Monday-Friday fallback was used so far."""
        return frozenset(self._fallback_years)

    def is_working_day(self, day: date) -> bool:
        """Return whether `day` is a working day in mainland China."""
        if day in self._holidays:
            return False
        if day in self._workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._fallback_years:
                self._fallback_years.add(day.year)
                log.warning(
                    "chinesecalendar has no data for %s: counting Monday-Friday as working days "
                    "(add the year's holidays to the campaign file's [calendar] overrides)",
                    day.year,
                )
            return day.weekday() < 5

    def on_or_before(self, day: date) -> date:
        """Return the last working day on or before `day`."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def shift(self, day: date, working_days: int) -> date:
        """Return the working day `working_days` working days after (negative: before) `day`.

        Counting starts from `day` itself, which need not be a working day: shift(d, 0) is d.
        """
        step = timedelta(days=1 if working_days > 0 else -1)
        remaining = abs(working_days)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def count_between(self, start: date, end: date) -> int:
        """Return how many working days lie in (start, end]; negative when end is before start."""
        if end < start:
            return -self.count_between(end, start)
        days = (end - start).days
        return sum(self.is_working_day(start + timedelta(days=i)) for i in range(1, days + 1))
