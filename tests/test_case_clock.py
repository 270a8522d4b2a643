"""The statutory clock on cases (services.cases): the lists' due day and working days left,
the supervisors' due list, across National Day 2025 (10月1日至8日放假调休，9月28日（周日）、
10月11日（周六）上班: 国务院办公厅关于2025年部分节假日安排的通知), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.errors import RuleViolation
from core.roles import Role
from core.time_limits import ClockState
from core.timeutil import SHANGHAI
from services import cases
from tests.conftest import freeze


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_the_clock_runs_across_national_day_2025(db, clerk, supervisor) -> None:
    clock = freeze(db, _at(date(2025, 9, 26)))  # Friday
    number = cases.accept_case(db, clerk, "resale_cancel", summary="注销网签")  # 5 working days: due 10-10

    clock.set(_at(date(2025, 9, 28)))  # Sunday, worked: one working day gone
    [row] = cases.in_hand(db, clerk)
    assert (row.clock.state, row.clock.due_on, row.clock.remaining) == (ClockState.ON_TIME, date(2025, 10, 10), 4)
    assert (row.task_label, row.case_label) == ("办理中", "未办结")
    assert cases.due_cases(db, supervisor) == []

    clock.set(_at(date(2025, 10, 9)))  # back after the eight days off: due tomorrow
    [row] = cases.in_hand(db, clerk)
    assert (row.clock.state, row.clock.remaining, row.clock.label) == (ClockState.DUE_SOON, 1, "剩1日")
    [due] = cases.due_cases(db, supervisor)
    assert (due.number, due.handler, due.clock.due_on, due.limit.working_days) == \
        (number, clerk.name, date(2025, 10, 10), 5)
    assert cases.due_cases(db, supervisor, overdue_only=True) == []

    clock.set(_at(date(2025, 10, 11)))  # Saturday, worked: one working day late
    [row] = cases.in_hand(db, clerk)
    assert (row.clock.state, row.clock.label) == (ClockState.OVERDUE, "超1日")
    [late] = cases.due_cases(db, supervisor, overdue_only=True)
    assert late.number == number

    cases.dispatch_case(db, clerk, number, role=Role.SUPERVISOR)
    [waiting] = cases.due_cases(db, supervisor)
    assert waiting.handler == "待接件（审核主管）"
    cases.receive_case(db, supervisor, number)
    clock.set(_at(date(2025, 10, 13)))
    cases.archive_case(db, supervisor, number)
    assert cases.due_cases(db, supervisor) == []  # closed: off the watch list
    [done] = cases.done_list(db, clerk)
    assert (done.task_label, done.case_label, done.clock.state, done.clock.label) == \
        ("正常完成", "已办结", ClockState.CLOSED_LATE, "超期办结")


def test_a_case_closed_in_time_and_a_returned_stage(db, clerk, supervisor) -> None:
    clock = freeze(db, _at(date(2026, 2, 13)))  # Friday before the Spring Festival: due 2-27
    number = cases.accept_case(db, clerk, "resale_cancel", summary="注销网签")
    cases.dispatch_case(db, clerk, number, role=Role.SUPERVISOR)
    clock.set(_at(date(2026, 2, 26)))
    cases.receive_case(db, supervisor, number)
    cases.return_case(db, supervisor, number, to_stage="entry", reason="材料不全")
    [mine] = cases.done_list(db, supervisor)
    assert (mine.task_label, mine.case_label, mine.clock.state, mine.clock.remaining) == \
        ("退件", "未办结", ClockState.DUE_SOON, 1)
    cases.receive_case(db, clerk, number)
    cases.dispatch_case(db, clerk, number, role=Role.SUPERVISOR)
    cases.receive_case(db, supervisor, number)
    clock.set(_at(date(2026, 2, 27)))
    cases.archive_case(db, supervisor, number)
    assert {r.clock.state for r in cases.done_list(db, clerk)} == {ClockState.CLOSED_ON_TIME}


def test_a_clock_the_calendar_cannot_reach_is_listed_not_a_crash(db, clerk, supervisor) -> None:
    freeze(db, _at(date(2026, 12, 28)))
    number = cases.accept_case(db, clerk, "resale_cancel", summary="注销网签")  # due in January 2027
    [row] = cases.in_hand(db, clerk)
    assert (row.clock.state, row.clock.due_on, row.clock.label) == (ClockState.UNKNOWN, None, "无法计算")
    assert row.clock.note.startswith("节假日日历尚无2027年的放假安排")
    [due] = cases.due_cases(db, supervisor)
    assert due.number == number and due.clock.state is ClockState.UNKNOWN
    assert cases.due_cases(db, supervisor, overdue_only=True) == []


def test_only_those_who_watch_every_case_see_the_due_list(db, clerk) -> None:
    with pytest.raises(RuleViolation) as refusal:
        cases.due_cases(db, clerk)
    assert refusal.value.code == "ROLE_FORBIDDEN"
