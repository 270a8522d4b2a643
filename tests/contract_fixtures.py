"""Fixtures shared by the resale contract tests (imported by name into their modules)."""

from __future__ import annotations

import pytest

from core.roles import Actor, Role
from storage.engine import Database
from tests.conftest import freeze, make_operator
from tests.contract_support import NOW, Clock

# ---------------------------------------------------------------- services, on both databases


@pytest.fixture
def clock(sample_db: Database) -> Clock:
    """The sample database's clock, stopped at 10:00 on the day the checks run."""
    return freeze(sample_db, NOW)


@pytest.fixture
def clerk(sample_db: Database) -> Actor:
    return make_operator(sample_db, "clerk_t", Role.CLERK, window="05")


@pytest.fixture
def supervisor(sample_db: Database) -> Actor:
    return make_operator(sample_db, "super_t", Role.SUPERVISOR)
