"""What the selection screens (选房场次, 家庭选房, 房源信息播报) share: how a round
and a house are written on screen. (Their styles are in ``allocation.tcss`` beside
them; the message line is ``tui.widgets.message.MessageLine``.)

The words come from the Shenzhen guide (seed 000): 预选 / 正选 / 购物车 /
推算 / 确认正选 / 补选 / 房源信息播报.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from core.timeutil import to_local


def window_short(start: datetime, end: datetime) -> str:
    """A window in Shanghai time, its year always shown (a round may be set a year ahead):
    2026-11-12 09:00–11:00 (one day), 2026-11-10 09:00–11-11 17:00 (one year),
    2026-12-30 09:00–2027-01-02 17:00."""
    a, b = to_local(start), to_local(end)
    if a.date() == b.date():
        return f"{a:%Y-%m-%d %H:%M}–{b:%H:%M}"
    if a.year == b.year:
        return f"{a:%Y-%m-%d %H:%M}–{b:%m-%d %H:%M}"
    return f"{a:%Y-%m-%d %H:%M}–{b:%Y-%m-%d %H:%M}"


def place(building: str, floor: int, room: str) -> str:
    """3栋12层1203."""
    return f"{building}栋{floor}层{room}"


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def area(value: Decimal) -> str:
    return f"{value:.2f}"

