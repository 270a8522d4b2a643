"""The statutory clock of a case (办理时限): each case type's time limit in working days, with
its source, and where a case stands against it.

The seeds give no time limit for any case type here. Checked (``grep`` for 工作日, 时限, 日内,
天内 in seeds 000–004): the only one they quote is seed 001 §5.2.1.3 房屋校验 — the Shenzhen
housing-fund centre decides an unnormalised use class "一个工作日内" — which is a decision
inside a resale signing, not a case type (``core.resale.use_class_review``). So each limit
says where it comes from and how firm that is (``Basis``):

- ``REGULATION``: a national regulation that sets the limit for this kind of case (the
  presale permit: 城市商品房预售管理办法 第八条, as amended by 建设部令第131号 in 2004; its
  text checked against published copies, not a seed). Its "10日" are counted in working days
  here, as 行政许可法 第八十二条 counts an administrative licence's periods — an assumption
  to be confirmed with the local authority.
- ``HALL_COMMITMENT``: neither the seeds nor a regulation checked here sets one. For the
  resale signing the commitment is the one the product prints on its 受理回执
  (``core.resale.materials.PROMISE_WORKING_DAYS``); for every other type it is a default
  set here, to be replaced by the hall's published 办事指南 承诺时限. The source says which.

A case's clock starts on its day of acceptance (受理), not counted (``core.workdays``); it is
due on the limit's last working day; it is due soon on its last working day and the one
before it (``DUE_SOON_WORKING_DAYS``), and overdue from the next day on. A closed case's clock
stops on its closing day. Pure: the caller passes its days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.cases import CASE_TYPES, case_type
from core.errors import RuleViolation
from core.workdays import add_working_days, working_days_between


class Basis(StrEnum):
    SEED = "seed"
    REGULATION = "regulation"
    HALL_COMMITMENT = "hall_commitment"
    NONE = "none"  # the case runs on its own published dates, not against a period


BASIS_LABELS = {
    Basis.SEED: "操作指引",
    Basis.REGULATION: "法规规定",
    Basis.HALL_COMMITMENT: "服务承诺，待核实",  # the source says which commitment
    Basis.NONE: "不计时限",
}


@dataclass(frozen=True)
class TimeLimit:
    working_days: int | None  # None: no clock (Basis.NONE)
    basis: Basis
    source: str  # the regulation's article, or what the commitment rests on (Chinese, shown as is)


_PERMIT = TimeLimit(
    10, Basis.REGULATION,
    "城市商品房预售管理办法（1994年建设部令第40号发布，2004年建设部令第131号修订）第八条第（三）项："
    "房地产管理部门应当在受理之日起10日内，依法作出准予预售的行政许可书面决定；办法原文为“10日”，"
    "本系统按行政许可法第八十二条（行政许可的期限以工作日计算，不含法定节假日）以工作日计，待与当地主管部门核实。",
)
# Every commitment below rests on the hall, not on the guides: the five operating guides
# (seeds 000-004) were read for 时限 / 工作日 / 日内 and quote no limit for any case type (the
# one "一个工作日内" of seed 001 §5.2.1.3 is a step inside a resale signing). The sentences are
# shown to supervisors as they are, so they speak of the hall's guide, not of our seeds.


def _default(days: int, what: str) -> TimeLimit:
    """A limit that is this system's default hall commitment (not a statute, not a guide's)."""
    return TimeLimit(days, Basis.HALL_COMMITMENT,
                     f"{what}{days}个工作日为本系统预设的本厅服务承诺时限（操作指引未载明，非法定时限），"
                     "以本厅公布的办事指南承诺时限为准。")


TIME_LIMITS: dict[str, TimeLimit] = {
    # The resale receipt promises completion within this many working days after signing
    # and submission (受理回执, ``core.resale.materials.PROMISE_WORKING_DAYS``).
    "resale_signing": TimeLimit(
        5, Basis.HALL_COMMITMENT,
        "5个工作日为本厅受理回执所载的承诺办结时限（自签约提交之日起；操作指引未载明，非法定时限）。"),
    "resale_cancel": _default(5, "网签注销"),
    "lease_signing": _default(5, "公租房租赁签约"),
    **{code: _default(10, "测绘成果备案")
       for code in ("survey_predicted", "survey_predicted_change", "survey_conversion",
                    "survey_actual", "survey_actual_change")},
    **{code: _default(5, "预售资金监管协议") for code in ("fund_agreement", "fund_agreement_change",
                                                    "fund_agreement_backfill")},
    "fund_withdrawal": _default(5, "一般资金支取"),
    **{code: _default(5, "物管用房核定")
       for code in ("room_predicted", "room_predicted_change", "room_actual", "room_actual_change")},
    "permit_presale": _PERMIT,
    "permit_presale_change": _PERMIT,
    "permit_spot": _default(10, "现售许可参照预售许可（城市商品房预售管理办法 第八条只规定预售许可）的"),
    # The developer must file within 30 days of signing (城市商品房预售管理办法 第十条): that is
    # the developer's period, not the authority's; the case's own limit is the hall's.
    **{code: _default(5, "商品房买卖合同网签备案") for code in ("presale_signing", "spot_signing")},
    "presale_return": _default(5, "退房"),
    "fund_ledger": _default(5, "户室流水补录"),
    "facts_backfill": _default(5, "户室信息补录"),
    # A round runs on the pre-selection and selection windows it publishes (months, in the
    # sample), not against a period from its creation: it has no clock.
    "allocation_round": TimeLimit(
        None, Basis.NONE, "公租房选房场次按其公布的预选、正式选房时段进行，不设自受理起计算的办理时限。"),
}

#: A case is due soon when this many working days or fewer are left (0: due today).
DUE_SOON_WORKING_DAYS = 1


def time_limit(type_code: str) -> TimeLimit:
    """The time limit of a case type; refused for a type that has none (or does not exist)."""
    kind = case_type(type_code)
    try:
        return TIME_LIMITS[type_code]
    except KeyError:
        raise RuleViolation("CASE_NO_TIME_LIMIT", f"业务类型“{kind.name}”尚未规定办理时限。") from None


def due_on(type_code: str, accepted_on: date) -> date | None:
    """The last day of the case's time limit (its working days after the day of acceptance);
    None for a case type without a clock."""
    days = time_limit(type_code).working_days
    return None if days is None else add_working_days(accepted_on, days)


class ClockState(StrEnum):
    ON_TIME = "on_time"  # open, more than DUE_SOON_WORKING_DAYS left
    DUE_SOON = "due_soon"  # open, due within DUE_SOON_WORKING_DAYS
    OVERDUE = "overdue"  # open, past its due day
    CLOSED_ON_TIME = "closed_on_time"
    CLOSED_LATE = "closed_late"
    NO_LIMIT = "no_limit"  # the case type has no clock
    UNKNOWN = "unknown"  # the holiday calendar does not reach the days in question


CLOCK_LABELS = {
    ClockState.ON_TIME: "正常",
    ClockState.DUE_SOON: "即将到期",
    ClockState.OVERDUE: "已超期",
    ClockState.CLOSED_ON_TIME: "按期办结",
    ClockState.CLOSED_LATE: "超期办结",
    ClockState.NO_LIMIT: "不计时限",
    ClockState.UNKNOWN: "无法计算",
}


@dataclass(frozen=True)
class CaseClock:
    state: ClockState
    due_on: date | None  # None: UNKNOWN or NO_LIMIT
    remaining: int | None  # working days from today to the due day (negative: overdue); None when closed or UNKNOWN
    note: str = ""  # why UNKNOWN (the calendar's sentence)

    @property
    def label(self) -> str:
        """Short Chinese text for a list cell: 剩3日 / 今日到期 / 超2日 / 按期办结 …"""
        if self.state in (ClockState.ON_TIME, ClockState.DUE_SOON) and self.remaining is not None:
            return "今日到期" if self.remaining == 0 else f"剩{self.remaining}日"
        if self.state is ClockState.OVERDUE:
            late = -(self.remaining or 0)
            return f"超{late}日" if late > 0 else "已超期"
        return CLOCK_LABELS[self.state]


def case_clock(type_code: str, accepted_on: date, today: date, closed_on: date | None = None) -> CaseClock:
    """Where a case accepted on ``accepted_on`` stands on ``today`` (or stood when it closed)."""
    try:
        due = due_on(type_code, accepted_on)
        if due is None:
            return CaseClock(ClockState.NO_LIMIT, None, None)
        if closed_on is not None:
            return CaseClock(ClockState.CLOSED_ON_TIME if closed_on <= due else ClockState.CLOSED_LATE, due, None)
        remaining = working_days_between(today, due)
    except RuleViolation as refusal:
        if refusal.code == "CASE_NO_TIME_LIMIT":  # a type added without its limit: no clock, not a crash
            return CaseClock(ClockState.NO_LIMIT, None, None, refusal.message)
        if refusal.code != "CALENDAR_YEAR_UNKNOWN":
            raise
        return CaseClock(ClockState.UNKNOWN, None, None, refusal.message)
    if today > due:
        state = ClockState.OVERDUE
    elif remaining <= DUE_SOON_WORKING_DAYS:
        state = ClockState.DUE_SOON
    else:
        state = ClockState.ON_TIME
    return CaseClock(state, due, remaining)


def missing_limits() -> list[str]:
    """Case types without a time limit (a test keeps this empty)."""
    return [code for code in CASE_TYPES if code not in TIME_LIMITS]
