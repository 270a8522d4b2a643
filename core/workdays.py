"""Working days in mainland China: weekends, public holidays and make-up working days (调休).

The days come from the ``chinesecalendar`` package (import name ``chinese_calendar``),
which carries each year's State Council notice on public holidays (国务院办公厅关于
××年部分节假日安排的通知), make-up working days included: a Saturday or Sunday worked in
lieu of a holiday is a working day, a weekday inside a holiday is not. It knows only the
years whose notice was out when it was released; a date outside them is refused with
``CALENDAR_YEAR_UNKNOWN`` rather than guessed (update the package each November).

Checked on 2026-12-07 for 2027: ``chinesecalendar`` 1.11.0 is the newest release on PyPI and
ends with 2026. ``holidays`` 0.109 is no better: its China calendar cites the State Council
notices up to 2026 only, and for 2027 it returns the statutory festival days with weekend
days moved to the next weekdays by its own rule ("observed"), but none of the year's 调休
make-up working days — a guess, so it is not used. Until a release carries the 2027 notice, a due date in 2027 is 无法计算.

Periods follow the Civil Code (民法典 第二百零一条): the starting day is not counted, the
period runs from the next day. Pure: no clock is read here; callers pass their day.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from core.errors import RuleViolation

__all__ = ["add_working_days", "is_working_day", "known_years", "working_days_between"]


def _unknown(day: date) -> RuleViolation:
    first, last = known_years()
    return RuleViolation(
        "CALENDAR_YEAR_UNKNOWN",
        f"节假日日历尚无{day.year}年的放假安排（现有{first}—{last}年），无法计算工作日，请联系系统管理员更新节假日日历。",
    )


def known_years() -> tuple[int, int]:
    """The first and last year whose holidays and make-up working days the calendar holds."""
    from chinese_calendar import constants

    days = [*constants.holidays, *constants.workdays]
    return min(days).year, max(days).year


def is_working_day(day: date) -> bool:
    """A working day: Monday to Friday outside a public holiday, or a make-up working day."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the package's "no available data for year …"
        raise _unknown(day) from None


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted; 0 gives
    ``start``). A period "N working days from acceptance" ends on this day."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative (the working days
    after ``end`` up to ``start``) when ``end`` is before ``start``, 0 when they are equal.

    ``working_days_between(d, add_working_days(d, n)) == n`` for every day ``d``."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
