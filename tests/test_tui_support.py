"""Helpers shared by the TUI tests, and tests of the small UI helpers themselves.

The other ``test_tui_*`` modules import from here: waiting for workers
instead of sleeping, reading the screen as plain text, logging in through
the form, and fixing the services' clock for snapshots.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from rich.console import Console
from sqlalchemy import select
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from textual.worker import WorkerCancelled, WorkerFailed

from core.roles import Actor, Role
from storage.engine import Database
from storage.models import HomeOwner, Person
from demo.sample import demo_logins
from core.clock import ManualClock
from tests.conftest import freeze
from tui.app import WangqianApp, operator_banner
from tui.factory import create_app
from tui.screens.cases import FilterError, parse_day
from tui.widgets.tables import clip

SIZE = (80, 24)
# 2026-11-21 10:30:00 in Shanghai, the day the sample register describes; every
# time shown in a snapshot derives from it.
FIXED_NOW = datetime(2026, 11, 21, 2, 30, 0, tzinfo=UTC)

DEMO = {entry["username"]: entry for entry in demo_logins()}


def password(username: str) -> str:
    return str(DEMO[username]["password"])


def blacklisted_owner(db: Database) -> Person:
    """The first blacklisted person who owns a home (the sample has four; each owns a seized home)."""
    with db.read() as session:
        return session.execute(
            select(Person).join(HomeOwner, HomeOwner.person_id == Person.id)
            .where(Person.blacklisted.is_(True)).order_by(Person.id).limit(1)
        ).scalar_one()


async def select_row(pilot: Pilot, selector: str, key: str) -> None:
    """Move a table's cursor to the row with ``key`` (as the arrow keys would)."""
    table = pilot.app.screen.query_one(selector, DataTable)
    table.move_cursor(row=table.get_row_index(key))
    await settle(pilot)


def make_app(db, *, clock: ManualClock | None = None, **kwargs) -> WangqianApp:
    """The terminal as the factory makes it; ``clock`` (if given) becomes the handle's clock."""
    if clock is not None:
        db.clock = clock
    kwargs.setdefault("idle_seconds", 0)  # tests that want the idle lock ask for it
    kwargs.setdefault("draft_sweep_seconds", -1)  # likewise the draft sweep (it would race the test's clock)
    return create_app(db, **kwargs)


async def settle(pilot: Pilot) -> None:
    """Wait until no worker is running (a finished worker may start another).

    A worker that failed has already been handled by its screen (refusal or
    系统错误); here it only counts as finished.
    """
    quiet = 0
    for _ in range(100):
        for worker in list(pilot.app.workers):
            try:
                await worker.wait()
            except (WorkerFailed, WorkerCancelled):
                pass
        await pilot.pause()
        # Quiet for three turns running: a dialog's result reaches its screen some turns after
        # the dialog's worker ends (the screen below is drawn again first), and may start another.
        quiet = quiet + 1 if all(w.is_finished for w in pilot.app.workers) and not _tables_pending(pilot.app) else 0
        if quiet >= 3:
            if not _paint_pending(pilot.app):
                return
            await pilot.pause(0.02)  # the screen paints on its frame timer, not on a message
            quiet = 0
    raise AssertionError("workers did not settle")


def _paint_pending(app: WangqianApp) -> bool:
    """The screen on top has changes not yet painted (a table whose columns widened after its
    rows came): a picture taken now would show the last frame."""
    screen = app.screen
    return bool(screen._layout_required or screen._repaint_required or screen._dirty_widgets)


def _tables_pending(app: WangqianApp) -> bool:
    """A DataTable measures new rows on its next idle; a picture taken before
    that shows the columns at their header widths."""
    return any(
        table._require_update_dimensions or table._updated_cells
        for screen in app.screen_stack
        for table in screen.query(DataTable)
    )


def screen_text(app: WangqianApp) -> str:
    """What the terminal shows, as plain text (wide characters take two cells)."""
    width, height = app.size
    # Drawn afresh: a DataTable measures its columns on an idle turn after its rows came and
    # keeps the lines it drew before until something repaints it (headless tests blink no
    # cursor); the picture is the next frame's, as a terminal shows it a moment later.
    for widget in app.screen.walk_children(with_self=True):
        widget._styles_cache.clear()
        if isinstance(widget, DataTable):
            widget._clear_caches()
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True,
        color_system="truecolor", record=True, legacy_windows=False, safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def text_of(app: WangqianApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def type_into(pilot: Pilot, selector: str, text: str, *, keys: bool = False) -> None:
    """Focus an input and fill it: key by key with ``keys`` (slow), else at once
    (as an IME commits a word, or a paste)."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    await pilot.pause()
    field.value = ""
    if keys:
        await pilot.press(*text)
    else:
        field.insert_text_at_cursor(text)
    await pilot.pause()


def burst(app: WangqianApp, keys: Sequence[str]) -> None:
    """Keys as a burst reaches the app from the terminal: all queued at once, no pause
    between them and no waiting for the screen (an ID-card or barcode reader, a fast
    typist). Single characters are typed text; longer names are keys (``tab``, ``f9``)."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(key if key.isalnum() else _character_to_key(key), key))
        else:
            app.post_message(events.Key(key, None))


async def login(pilot: Pilot, username: str, secret: str | None = None) -> None:
    await type_into(pilot, "#username", username)
    await type_into(pilot, "#password", secret if secret is not None else password(username))
    await pilot.press("enter")
    await settle(pilot)


def FixedClock(now: datetime = FIXED_NOW) -> ManualClock:  # noqa: N802 (reads as the clock it makes)
    """A clock the test moves by hand; ``clock()`` is "now"."""
    return ManualClock(now)


def freeze_services_clock(db: Database, moment: datetime = FIXED_NOW) -> ManualClock:
    """Stop the handle's clock (every service and screen reads it), so snapshots show fixed times."""
    return freeze(db, moment)


# ---------------------------------------------------------------- helper tests


def test_clip_counts_display_cells_not_characters() -> None:
    assert clip("深圳市鹏城置业发展有限公司", 12) == "深圳市鹏城…"
    assert clip("王欣然", 12) == "王欣然"
    assert clip("SMITH JOHN", 6) == "SMITH…"


def test_parse_day_accepts_iso_days_and_refuses_in_chinese() -> None:
    assert parse_day(" 2026-03-18 ", "起始日期") == date(2026, 3, 18)
    assert parse_day("", "起始日期") is None
    for bad in ("2026-3-18", "2026-02-30", "20260318"):
        with pytest.raises(FilterError, match="起始日期.*格式不正确"):
            parse_day(bad, "起始日期")


def test_operator_banner_names_role_and_window() -> None:
    assert operator_banner(Actor(1, "clerk1", "张敏", Role.CLERK, "03")) == "张敏 · 窗口受理员 · 03号窗口"
    assert operator_banner(Actor(2, "super1", "陈国华", Role.SUPERVISOR)) == "陈国华 · 审核主管"
