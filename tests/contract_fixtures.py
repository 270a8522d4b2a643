"""Fixtures shared by the resale contract tests (imported by name into their modules)."""

from __future__ import annotations

import pytest

from core.roles import Actor, Role
from storage.engine import Database
from tests.conftest import make_operator
from tests.contract_support import Clock, freeze

# ---------------------------------------------------------------- services, on both databases


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze(monkeypatch)


@pytest.fixture
def clerk(sample_db: Database) -> Actor:
    return make_operator(sample_db, "clerk_t", Role.CLERK, window="05")


@pytest.fixture
def supervisor(sample_db: Database) -> Actor:
    return make_operator(sample_db, "super_t", Role.SUPERVISOR)
