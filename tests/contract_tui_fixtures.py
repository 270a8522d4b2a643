"""Fixtures of the resale screen tests, on the SQLite demo (imported by name into their modules):
the demo's clerk1 and super1, and a clock on the day before the demo's, so that the
screens' case numbers do not share the demo's daily sequence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.roles import Actor
from storage.engine import Database
from tests.conftest import freeze
from tests.contract_support import NOW, Clock
from tests.test_tui_cases import _actor


@pytest.fixture(name="clock")
def tui_clock(sqlite_sample_db: Database) -> Clock:
    return freeze(sqlite_sample_db, NOW - timedelta(days=1))


@pytest.fixture(name="clerk")
def demo_clerk(sqlite_sample_db: Database) -> Actor:
    return _actor(sqlite_sample_db, "clerk1")


@pytest.fixture(name="supervisor")
def demo_supervisor(sqlite_sample_db: Database) -> Actor:
    return _actor(sqlite_sample_db, "super1")
