"""Cases against the statutory clock in the demo: one overdue, one due tomorrow, one due today.

Accepted through the case services on days counted back from the demo's own "now" on the
holiday calendar (``core.workdays``), so the lists, the supervisor's 超期督办 and
``wangqian case due`` show each state whatever day the demo is loaded. The work is clerk2's
(王志强, as the demo's contracts), the one due today waits for the supervisors.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session

from core.clock import ManualClock
from core.roles import Actor, Role
from core.time_limits import ClockState, case_clock, time_limit
from core.timeutil import SHANGHAI, local_today
from services import cases
from storage.engine import Database
from storage.models import Operator

CLERK = "clerk2"

#: (case type, summary, working days left on the demo's day, dispatched to the supervisors)
DUE_CASES: tuple[tuple[str, str, int, bool], ...] = (
    ("resale_cancel", "买卖双方协商一致注销网签 罗湖区东门街道", -2, False),
    ("lease_signing", "公租房配租 第27号轮候家庭", 1, False),
    ("resale_cancel", "买受人申请注销网签 南山区粤海街道", 0, True),
)


def accepted_day(type_code: str, today: date, left: int) -> date:
    """The latest weekday on which a case of ``type_code`` accepted leaves ``left`` working days
    on ``today`` (negative: overdue by so many); on a day off nothing is due "today", so a case
    meant to be due today is then due on the next working day. Past the calendar's years: a
    working week for every five working days, counted in calendar days."""
    for wanted in (left, left + 1):
        day = today
        for _ in range(90):
            if day.weekday() < 5:
                clock = case_clock(type_code, day, today)
                if clock.state is ClockState.UNKNOWN:
                    break
                if clock.remaining == wanted and (wanted < 0) is (clock.state is ClockState.OVERDUE):
                    return day
            day -= timedelta(days=1)
    return today - timedelta(days=((time_limit(type_code).working_days or 0) - left) * 7 // 5)


def play_due_cases(steps: Database, session: Session, clock: ManualClock) -> int:
    """Accept the ``DUE_CASES`` back in time on ``steps`` (whose clock is ``clock``); the clock
    is set back to its "now" afterwards. Returns the number of cases made."""
    now = clock.now
    today = local_today(now)
    op = session.execute(select(Operator).where(Operator.username == CLERK)).scalar_one()
    clerk = Actor(op.id, op.username, op.name, Role(op.role), op.window)
    for n, (type_code, summary, left, to_supervisor) in enumerate(DUE_CASES):
        day = accepted_day(type_code, today, left)
        clock.set(datetime.combine(day, time(9, 10 + 7 * n), SHANGHAI))
        number = cases.accept_case(steps, clerk, type_code, summary=summary)
        if to_supervisor:
            clock.advance(minutes=25)
            cases.dispatch_case(steps, clerk, number, role=Role.SUPERVISOR)
    clock.set(now)
    return len(DUE_CASES)
