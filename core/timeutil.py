"""Times are stored in UTC and shown in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # stored naive values are UTC by convention
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI)


def local_today(now: datetime) -> date:
    """The day in Shanghai at ``now`` (from the caller's clock)."""
    return to_local(now).date()


def show(moment: datetime | None, *, seconds: bool = True) -> str:
    """Format for the screen, in Shanghai time: 2022-03-29 14:08:31."""
    if moment is None:
        return ""
    return to_local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
