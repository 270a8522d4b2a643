"""Shared fixtures.

``db`` runs the same test body on SQLite and on PostgreSQL. The PostgreSQL
server comes from WANGQIAN_TEST_PG_URL (``.ci/run`` starts one and sets it);
without it the PostgreSQL variants skip and say why. Each test gets a fresh
database copied from a template that was migrated once per session.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.roles import Actor, Role
from storage import migrate
from storage.engine import Database

PG_URL = os.environ.get("WANGQIAN_TEST_PG_URL")
PG_SKIP = "WANGQIAN_TEST_PG_URL is not set: no PostgreSQL server to test against (.ci/run starts one)"
_counter = itertools.count()


def _pg_admin_url() -> str:
    url = make_url(PG_URL)
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _pg_exec(sql: str) -> None:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def _pg_url_for(name: str) -> str:
    return make_url(_pg_admin_url()).set(database=name).render_as_string(hide_password=False)


class _Templates:
    """Migrated (and optionally sample-loaded) template databases, made once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made: dict[tuple[str, bool], str] = {}
        self.run_id = uuid.uuid4().hex[:8]

    def template(self, backend: str, sample: bool) -> str:
        key = (backend, sample)
        if key in self.made:
            return self.made[key]
        if backend == "sqlite":
            path = self.root / f"template-{int(sample)}.db"
            db = Database(f"sqlite:///{path}")
            _prepare(db, sample)
            db.dispose()  # the last connection to close checkpoints the WAL into the file
            self.made[key] = str(path)
        else:
            name = f"wq_tpl_{self.run_id}_{int(sample)}"
            _pg_exec(f'CREATE DATABASE "{name}"')
            db = Database(_pg_url_for(name))
            _prepare(db, sample)
            db.dispose()
            self.made[key] = name
        return self.made[key]

    def drop_all(self) -> None:
        if PG_URL:
            for (backend, _), name in self.made.items():
                if backend == "postgresql":
                    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


#: When the test templates' sample data is loaded (08:00 in Shanghai on the tests'
#: day): the demo's contracts, house checks and case numbers are then the same
#: whatever day the tests run, and come before the tests' own (10:00).
SAMPLE_LOADED_AT = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)


@contextmanager
def _sample_clock() -> Iterator[None]:
    """Every service (and core.timeutil) stamps SAMPLE_LOADED_AT while the template is loaded."""
    import importlib
    import sys

    for name in ("services.data", "services.sample_contracts", "services.rounds"):
        importlib.import_module(name)
    patched = [(m, m.utcnow) for n, m in list(sys.modules.items())
               if (n.startswith("services") or n == "core.timeutil") and hasattr(m, "utcnow")]
    for module, _ in patched:
        module.utcnow = lambda: SAMPLE_LOADED_AT
    try:
        yield
    finally:
        for module, original in patched:
            module.utcnow = original


def _prepare(db: Database, sample: bool) -> None:
    migrate.upgrade(db)
    if sample:
        from services import data

        with _sample_clock():
            data.init(db, Actor.system("test"), sample=True)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Templates]:
    t = _Templates(tmp_path_factory.mktemp("templates"))
    yield t
    t.drop_all()


def _fresh(backend: str, sample: bool, templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    if backend == "postgresql" and not PG_URL:
        if os.environ.get("WANGQIAN_REQUIRE_PG"):  # CI: a skipped PostgreSQL run is a failure
            pytest.fail("WANGQIAN_REQUIRE_PG is set but WANGQIAN_TEST_PG_URL is not")
        pytest.skip(PG_SKIP)
    source = templates.template(backend, sample)
    if backend == "sqlite":
        path = tmp_path / f"wq-{next(_counter)}.db"
        shutil.copyfile(source, path)
        db = Database(f"sqlite:///{path}")
        yield db
        db.dispose()
    else:
        name = f"wq_t_{templates.run_id}_{next(_counter)}"
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        db = Database(_pg_url_for(name))
        yield db
        db.dispose()
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, _templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database, on each backend."""
    yield from _fresh(request.param, False, _templates, tmp_path)


@pytest.fixture(params=BACKENDS)
def sample_db(request: pytest.FixtureRequest, _templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    """A migrated database holding the demo sample data, on each backend."""
    yield from _fresh(request.param, True, _templates, tmp_path)


@pytest.fixture
def sqlite_sample_db(_templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    """The sample data on SQLite only (TUI tests: the UI does not vary by backend)."""
    yield from _fresh("sqlite", True, _templates, tmp_path)


SYSTEM = Actor.system("test")


@pytest.fixture
def system() -> Actor:
    return SYSTEM


def make_operator(db: Database, username: str, role: Role, password: str = "Passw0rd1", window: str | None = None) -> Actor:
    from services import operators

    view = operators.add_operator(db, SYSTEM, username=username, name=f"测试{username}", role=role.value,
                                  password=password, window=window)
    return Actor(view.id, view.username, view.name, view.role, view.window)


@pytest.fixture
def clerk(db: Database) -> Actor:
    return make_operator(db, "clerk_a", Role.CLERK, window="01")


@pytest.fixture
def supervisor(db: Database) -> Actor:
    return make_operator(db, "super_a", Role.SUPERVISOR)
