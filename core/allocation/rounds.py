"""The states of a selection round (场次) and of what it works on, with the hall's words.

Pure values and rules (the round services store and load them):

* :class:`RoundStatus` / :class:`RoundKind` — AllocationRound.status and .kind;
* :class:`HouseState` — PublicHouse.state (and the state the status board shows);
* :class:`ListKind` — Wish.list_kind: the pre-selection (预选) or the formal list (正选);
* :class:`FamilyStatus` — Family.status, which a run and a give-up move;
* :func:`round_phase` — where a round stands, as the hall says it;
* :func:`default_windows` — the timing a new (supplementary) round is offered with.

They are ``StrEnum``s so the stored strings, comparisons with what the
database hands back and JSON output stay exactly the plain strings they were.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from core.errors import RuleViolation
from core.timeutil import SHANGHAI, show

__all__ = [
    "HOUSE_STATE_LABELS",
    "LIST_KIND_LABELS",
    "ROUND_KIND_LABELS",
    "ROUND_KIND_SHORT_LABELS",
    "ROUND_STATUS_LABELS",
    "FamilyStatus",
    "HouseState",
    "ListKind",
    "RoundKind",
    "RoundStatus",
    "RoundWindows",
    "DEFAULT_FORMAL_MINUTES",
    "WINDOW_LABELS",
    "check_ahead",
    "check_formal_time",
    "check_setup_windows",
    "check_windows",
    "default_windows",
    "round_phase",
]


class RoundStatus(StrEnum):
    DRAFT = "draft"  # being set up (筹备中): windows, families and houses may change; not yet published
    OPEN = "open"  # families select; the run has not published a result
    PUBLISHED = "published"  # run and published (结果公示)
    REOPENED = "reopened"  # result withdrawn (撤回), waiting to be run again


ROUND_STATUS_LABELS: dict[str, str] = {
    RoundStatus.DRAFT: "筹备中",
    RoundStatus.OPEN: "选房中",
    RoundStatus.PUBLISHED: "已公布结果",
    RoundStatus.REOPENED: "已撤回待重新运行",
}


class RoundKind(StrEnum):
    REGULAR = "regular"
    SUPPLEMENTARY = "supplementary"  # 补选: families a published round left without a house


ROUND_KIND_LABELS: dict[str, str] = {RoundKind.REGULAR: "正常选房", RoundKind.SUPPLEMENTARY: "补选"}
#: The same in a narrow column (the rounds list on screen).
ROUND_KIND_SHORT_LABELS: dict[str, str] = {RoundKind.REGULAR: "常规", RoundKind.SUPPLEMENTARY: "补选"}


class HouseState(StrEnum):
    FREE = "free"
    TAKEN = "taken"  # chosen in a run (or, on the board, confirmed in a round not yet run)
    RESERVED = "reserved"  # kept out of every pool


HOUSE_STATE_LABELS: dict[str, str] = {HouseState.FREE: "可选", HouseState.TAKEN: "已选定", HouseState.RESERVED: "预留"}


class ListKind(StrEnum):
    PRE = "pre"  # 预选: void unless synced into the formal list (seed 000 §一)
    FORMAL = "formal"  # 正选: the list a run reads


LIST_KIND_LABELS: dict[str, str] = {ListKind.PRE: "预选", ListKind.FORMAL: "正选"}


class FamilyStatus(StrEnum):
    WAITING = "waiting"  # 轮候: may be placed in a round
    ALLOCATED = "allocated"  # a run gave it a house (confirmed or allocated)
    NOT_ALLOCATED = "not_allocated"  # a run left it without a house (may apply for 补选)
    GAVE_UP = "gave_up"  # 主动放弃


# ------------------------------------------------------------------ phase


def round_phase(
    status: str, formal_open: datetime, formal_close: datetime, now: datetime, pre_open: datetime | None = None
) -> str:
    """Where a round stands, as the hall says it: 筹备中 / 未开始 / 预选中 / 正选中 / 待运行 / 已公示 / 已重开.

    An open round's phase follows the clock; it is 待运行 once formal
    selection has closed and the round has not been run.
    """
    if status == RoundStatus.DRAFT:
        return "筹备中"
    if status == RoundStatus.PUBLISHED:
        return "已公示"
    if status == RoundStatus.REOPENED:
        return "已重开"
    if pre_open is not None and now < pre_open:
        return "未开始"
    if now < formal_open:
        return "预选中"
    if now <= formal_close:
        return "正选中"
    return "待运行"


# ------------------------------------------------------------------ timing


class RoundWindows(NamedTuple):
    """A round's four moments, in the order the rounds services take them (aware datetimes)."""

    pre_open: datetime
    pre_close: datetime
    formal_open: datetime
    formal_close: datetime


def default_windows(now: datetime) -> RoundWindows:
    """The timing a new round is offered with: pre-selection tomorrow 09:00–17:00, formal
    selection the day after 09:00–11:00, Shanghai time.

    "Tomorrow" is Shanghai's: a round formed late in the evening UTC still
    gets a full day's notice by the hall's calendar. Only a proposal: the
    supervisor may change every moment before the round is formed.
    """
    day = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    one, two = day + timedelta(days=1), day + timedelta(days=2)
    return RoundWindows(one.replace(hour=9), one.replace(hour=17), two.replace(hour=9), two.replace(hour=11))


def check_windows(pre_open: datetime, pre_close: datetime, formal_open: datetime, formal_close: datetime) -> None:
    """Windows must be aware and ordered: pre_open < pre_close <= formal_open < formal_close."""
    for value, name in ((pre_open, "pre_open"), (pre_close, "pre_close"), (formal_open, "formal_open"),
                        (formal_close, "formal_close")):
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise RuleViolation("ROUND_WINDOW_INVALID", "选房时间必须是带时区的日期时间。", field=name)
    if not pre_open < pre_close:
        raise RuleViolation("ROUND_WINDOW_ORDER", "预选结束时间必须晚于预选开始时间。", field="pre_close")
    if not pre_close <= formal_open:
        raise RuleViolation("ROUND_WINDOW_ORDER", "正选开始时间不能早于预选结束时间。", field="formal_open")
    if not formal_open < formal_close:
        raise RuleViolation("ROUND_WINDOW_ORDER", "正选结束时间必须晚于正选开始时间。", field="formal_close")


def check_ahead(formal_open: datetime, now: datetime) -> None:
    """A new round's formal selection lies ahead: its families are told the time by SMS
    and must be able to come (a time already past would leave them 未分配 unheard)."""
    if formal_open <= now:
        raise RuleViolation(
            "ROUND_WINDOW_PAST",
            f"正选开始时间 {show(formal_open, seconds=False)} 已过，请安排今后的选房时间。",
            field="formal_open",
        )


#: The hall's words for the four moments (keys as RoundWindows's fields).
WINDOW_LABELS: dict[str, str] = {
    "pre_open": "预选开始时间", "pre_close": "预选结束时间", "formal_open": "正选开始时间", "formal_close": "正选结束时间",
}


def check_setup_windows(pre_open: datetime, pre_close: datetime, formal_open: datetime, formal_close: datetime,
                        now: datetime) -> None:
    """The windows a supervisor sets up or publishes a round with: ordered (``check_windows``)
    and none of the four moments already past — families are told them and must be able
    to come to every one. Refuses the first problem, naming its field."""
    check_windows(pre_open, pre_close, formal_open, formal_close)
    for name, value in zip(RoundWindows._fields, (pre_open, pre_close, formal_open, formal_close), strict=True):
        if value < now:
            raise RuleViolation(
                "ROUND_WINDOW_PAST",
                f"{WINDOW_LABELS[name]} {show(value, seconds=False)} 已过，请安排今后的时间。",
                field=name,
            )


#: Seed 000 §二.6: a family has 3 minutes of formal selection to settle its cart.
DEFAULT_FORMAL_MINUTES = 3


def check_formal_time(started_at: datetime | None, now: datetime, minutes: int) -> None:
    """A family's formal selection (正选) lasts ``minutes`` from its first act; after that
    its choices are refused (seed 000 §二.6: "请在正选 3 分钟时间内，确定…所选房源及意向排序").
    ``started_at`` None: the family has not begun, so this act begins it."""
    if started_at is not None and started_at.tzinfo is None:  # stored naive values are UTC by convention
        started_at = started_at.replace(tzinfo=UTC)
    if started_at is not None and now > started_at + timedelta(minutes=minutes):
        raise RuleViolation(
            "FORMAL_TIME_UP",
            f"该家庭的正选时间（{minutes}分钟，自 {show(started_at)} 起）已用完，不能再修改意向或确认正选。",
            field="family",
        )
