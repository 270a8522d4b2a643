"""The app factory: settings, database handle and terminal, made one way.

The CLI, the TUI and the tests all start here. ``load_settings`` reads the
environment once; ``open_database`` makes the one handle every use case is
given (the hall's settings and the clock ride on it); ``create_app`` makes
the counter terminal on it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.clock import Clock, system_clock
from storage.engine import Database
from storage.settings import Settings, load_settings

if TYPE_CHECKING:
    from tui.app import WangqianApp

__all__ = ["create_app", "load_settings", "open_database", "open_demo_database"]


def open_database(settings: Settings, *, url: str | None = None, clock: Clock = system_clock) -> Database:
    """The hall's database (``url`` overrides ``Settings.database_url``), with its settings and clock.
    Every domain's case flows are registered with the case engine first (``services.flows``), so the
    generic moves on any handle go through them."""
    import services.flows  # noqa: F401  (registers; the domains' services load when a move needs them)

    _configure_fonts(settings.cjk_font)
    return Database(url or settings.database_url(), settings=settings, clock=clock)


def _configure_fonts(path: Path | None) -> None:
    """Give reportlab the hall's CJK font. reportlab is imported only when there is one to
    give, or when documents were made already (importing it delays every start)."""
    if path is None and "reports.fonts" not in sys.modules:
        return  # reports.fonts starts with no font configured: nothing to undo
    from reports import fonts

    fonts.configure(path)


def open_demo_database(settings: Settings, *, clock: Clock = system_clock) -> Database:
    """The demo's own embedded file (``demo.db`` in the data folder); not loaded here."""
    return open_database(settings, url=settings.demo_database_url(), clock=clock)


def create_app(db: Database, **options: Any) -> WangqianApp:
    """The counter terminal on ``db`` (options: ``demo_logins``, ``idle_seconds``,
    ``draft_sweep_seconds``, ``remote``; see ``WangqianApp``)."""
    from tui.app import (
        WangqianApp,  # Textual only when a terminal is wanted, not for every command
    )
    from tui.escape_keys import read_esc_and_key_apart

    read_esc_and_key_apart()  # Esc then a key, typed fast, is not one Alt key
    return WangqianApp(db, **options)
