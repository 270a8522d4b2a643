"""The statutory clock: working days on China's holiday calendar, the case types' time limits,
and where a case stands against its limit (core.workdays, core.time_limits).

The expected days are worked out by hand from the State Council's notices:

国务院办公厅关于2025年部分节假日安排的通知 (https://www.gov.cn/zhengce/content/202411/content_6986382.htm):
  "七、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。"
国务院办公厅关于2026年部分节假日安排的通知 (https://www.gov.cn/zhengce/content/202511/content_7047090.htm):
  "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。"
  "六、中秋节：9月25日（周五）至27日（周日）放假，共3天。"
  "七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。"
"""

from __future__ import annotations

from datetime import date

import pytest

from core.cases import CASE_TYPES
from core.errors import RuleViolation
from core.resale.materials import PROMISE_WORKING_DAYS, promised_on
from core.time_limits import (
    TIME_LIMITS,
    Basis,
    ClockState,
    case_clock,
    due_on,
    missing_limits,
    time_limit,
)
from core.workdays import add_working_days, is_working_day, known_years, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 9, 28), True),  # Sunday, worked for National Day 2025
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),  # Wednesday inside the holiday
        (date(2025, 10, 11), True),  # Saturday, worked
        (date(2026, 2, 14), True),  # Saturday before the Spring Festival, worked
        (date(2026, 2, 23), False),  # Monday inside the Spring Festival
        (date(2026, 2, 28), True),  # Saturday after it, worked
        (date(2026, 9, 20), True),  # Sunday, worked for National Day 2026
        (date(2026, 9, 25), False),  # Friday, Mid-Autumn Festival
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),  # Saturday, worked
        (date(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_the_calendar_knows_holidays_and_make_up_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_due_dates_across_national_day_2025() -> None:
    accepted = date(2025, 9, 26)  # Friday
    # 9-28 (Sun, worked) 1, 9-29 2, 9-30 3, [10-1 … 10-8 off], 10-9 4, 10-10 5
    assert add_working_days(accepted, 5) == date(2025, 10, 10)
    # … 10-11 (Sat, worked) 6, 10-13 7, 10-14 8, 10-15 9, 10-16 10
    assert add_working_days(accepted, 10) == date(2025, 10, 16)
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1


def test_due_dates_across_spring_festival_2026() -> None:
    accepted = date(2026, 2, 13)  # Friday
    # 2-14 (Sat, worked) 1, [2-15 … 2-23 off], 2-24 2, 2-25 3, 2-26 4, 2-27 5, 2-28 (Sat, worked) 6
    assert add_working_days(accepted, 5) == date(2026, 2, 27)
    assert add_working_days(accepted, 6) == date(2026, 2, 28)


def test_due_dates_across_national_day_2026() -> None:
    # 9-19 (Sat) off, 9-20 (Sun, worked) 1, 9-21 … 9-24 2–5
    assert add_working_days(date(2026, 9, 18), 5) == date(2026, 9, 24)
    # 9-24 1, [9-25 … 9-27 Mid-Autumn], 9-28 2, 9-29 3, 9-30 4, [10-1 … 10-7 off], 10-8 5, 10-9 6,
    # 10-10 (Sat, worked) 7, 10-12 8, 10-13 9, 10-14 10
    assert add_working_days(date(2026, 9, 23), 10) == date(2026, 10, 14)
    # A 10-working-day permit accepted that day is due then too.
    assert due_on("permit_presale", date(2026, 9, 23)) == date(2026, 10, 14)


def test_working_days_between_counts_both_ways() -> None:
    start = date(2025, 9, 26)
    for n in range(0, 15):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(date(2025, 10, 9), date(2025, 9, 30)) == -1
    assert working_days_between(start, start) == 0


def test_a_day_outside_the_calendar_is_refused_with_its_sentence() -> None:
    with pytest.raises(RuleViolation) as refusal:
        add_working_days(date(2026, 12, 24), 10)  # reaches January 2027
    assert refusal.value.code == "CALENDAR_YEAR_UNKNOWN"
    first, last = known_years()
    assert last == 2026  # chinesecalendar 1.11.0: no release carries the 2027 notice yet
    assert refusal.value.message == (f"节假日日历尚无2027年的放假安排（现有{first}—2026年），无法计算工作日，"
                                     "请联系系统管理员更新节假日日历。")
    # a due date past the calendar is not guessed: the clock refuses it with the same sentence
    with pytest.raises(RuleViolation) as again:
        due_on("resale_cancel", date(2026, 12, 28))
    assert (again.value.code, again.value.message) == ("CALENDAR_YEAR_UNKNOWN", refusal.value.message)
    with pytest.raises(RuleViolation):
        is_working_day(date(1999, 1, 4))


def test_every_case_type_has_a_time_limit_with_its_source() -> None:
    assert missing_limits() == []
    assert set(TIME_LIMITS) == set(CASE_TYPES)
    for code, limit in TIME_LIMITS.items():
        assert limit.source.strip(), code
        assert (limit.working_days is None) is (limit.basis is Basis.NONE), code
        assert limit.working_days is None or limit.working_days > 0, code
    assert time_limit("permit_presale").basis is Basis.REGULATION
    assert "城市商品房预售管理办法" in time_limit("permit_presale").source
    assert "第八条" in time_limit("permit_presale").source and "受理之日起10日内" in time_limit("permit_presale").source
    # the seeds quote no limit for any case type: no source claims one, each commitment says which
    for code, limit in TIME_LIMITS.items():
        assert limit.basis is not Basis.SEED, code
        if limit.basis is Basis.HALL_COMMITMENT:
            assert "操作指引未载明" in limit.source and "非法定时限" in limit.source and "种子" not in limit.source, code
            assert "本厅受理回执所载" in limit.source or "本系统预设的本厅服务承诺时限" in limit.source, code
    assert "受理回执" in time_limit("resale_signing").source
    with pytest.raises(RuleViolation) as refusal:
        time_limit("nonsense")
    assert refusal.value.code == "CASE_UNKNOWN_TYPE"


def test_the_receipt_promises_the_resale_time_limit_on_the_same_calendar() -> None:
    assert PROMISE_WORKING_DAYS == time_limit("resale_signing").working_days
    assert promised_on(date(2025, 9, 26)) == date(2025, 10, 10) == due_on("resale_signing", date(2025, 9, 26))


def test_where_a_case_stands() -> None:
    accepted = date(2026, 2, 13)  # resale signing: due 2026-02-27
    on_time = case_clock("resale_signing", accepted, date(2026, 2, 24))
    assert (on_time.state, on_time.due_on, on_time.remaining, on_time.label) == \
        (ClockState.ON_TIME, date(2026, 2, 27), 3, "剩3日")
    soon = case_clock("resale_signing", accepted, date(2026, 2, 26))
    assert (soon.state, soon.remaining, soon.label) == (ClockState.DUE_SOON, 1, "剩1日")
    today = case_clock("resale_signing", accepted, date(2026, 2, 27))
    assert (today.state, today.label) == (ClockState.DUE_SOON, "今日到期")
    late = case_clock("resale_signing", accepted, date(2026, 3, 3))  # 2-28 (Sat, worked), 3-2, 3-3
    assert (late.state, late.remaining, late.label) == (ClockState.OVERDUE, -3, "超3日")
    weekend = case_clock("resale_signing", date(2026, 3, 6), date(2026, 3, 14))  # due Fri 3-13, seen on Sat
    assert (weekend.state, weekend.label) == (ClockState.OVERDUE, "已超期")
    closed = case_clock("resale_signing", accepted, date(2026, 3, 3), closed_on=date(2026, 2, 27))
    assert (closed.state, closed.remaining, closed.label) == (ClockState.CLOSED_ON_TIME, None, "按期办结")
    assert case_clock("resale_signing", accepted, date(2026, 3, 3), closed_on=date(2026, 2, 28)).state \
        is ClockState.CLOSED_LATE
    no_clock = case_clock("allocation_round", date(2026, 2, 23), date(2026, 12, 7))
    assert (no_clock.state, no_clock.due_on, no_clock.label) == (ClockState.NO_LIMIT, None, "不计时限")
    unknown = case_clock("permit_presale", date(2026, 12, 24), date(2026, 12, 24))  # 10 days: into 2027
    assert (unknown.state, unknown.due_on, unknown.label) == (ClockState.UNKNOWN, None, "无法计算")
    assert unknown.note.startswith("节假日日历尚无2027年")


def test_a_case_type_without_a_limit_has_no_clock_rather_than_a_crash(monkeypatch) -> None:
    from core import time_limits

    monkeypatch.delitem(time_limits.TIME_LIMITS, "resale_cancel")
    assert missing_limits() == ["resale_cancel"]
    clock = case_clock("resale_cancel", date(2026, 2, 13), date(2026, 2, 24))
    assert (clock.state, clock.label) == (ClockState.NO_LIMIT, "不计时限")
    assert clock.note == "业务类型“存量房网签注销”尚未规定办理时限。"

