"""The clock: "now" is passed in, never read from the wall by a rule or a use case.

Services take the time from the clock on their database handle
(``Database.clock``, or ``storage.engine.session_now(session)`` inside a
transaction). The app factory gives the real one (``system_clock``); tests
and the demo loader give a ``ManualClock`` they set and move. Times are
aware UTC datetimes at microsecond precision (what both databases store).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

#: What every service and screen calls for "now".
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until it is set or moved (tests, the demo loader)."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("a clock keeps aware UTC times")
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new "now"."""
        self.now += timedelta(**delta)
        return self.now
