"""Shared fixtures.

``db`` runs the same test body on SQLite and on PostgreSQL. The PostgreSQL
server comes from WANGQIAN_TEST_PG_URL (``.ci/run`` starts one and sets it);
without it the PostgreSQL variants skip and say why. Each test gets a fresh
database copied from a template that was migrated once per session.

Every handle is made by the app factory (``tui.factory.open_database``) on
``plain_settings`` (the defaults, whatever the shell exports; the data folder
is the test's own) and the real clock; a test freezes or moves time by giving
the handle a ``ManualClock`` (``freeze``), never by patching modules.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import hypothesis
import pytest
import typer.testing
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.clock import ManualClock
from core.roles import Actor, Role
from storage import migrate
from storage.engine import Database
from storage.settings import Settings, load_settings, plain_settings
from tui.factory import open_database

# typer's test runner rebuilds the click command from the Typer app on every invoke:
# 40 ms of signature inspection per call, 80 % of a CLI test's time (the 2,000-value
# fuzz spent a minute and a half on it). The app does not change during a run, so
# the command is built once per app.
_build_command = typer.testing._get_command
_built_commands: dict[int, object] = {}


def _command_once(app):  # type: ignore[no-untyped-def]
    if id(app) not in _built_commands:
        _built_commands[id(app)] = _build_command(app)
    return _built_commands[id(app)]


typer.testing._get_command = _command_once

# Every test account's password is hashed, and the product's argon2id (m=64 MiB, t=3, p=4)
# costs about half a second of both CPUs per hash: hundreds of accounts made by fixtures
# spent minutes of the suite on it. Tests hash with argon2id at a small cost; the
# product's parameters are kept (PRODUCT_HASHER) and checked by test_operators.
from argon2 import PasswordHasher  # noqa: E402

from core import passwords  # noqa: E402

# (this module may be imported twice — as pytest's conftest and as tests.conftest — so the
# product's hasher is kept the first time only)
PRODUCT_HASHER: PasswordHasher = passwords.__dict__.setdefault("_product_hasher", passwords._hasher)
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# Hypothesis' default 200 ms deadline per example measures the machine, not the rule: off.
hypothesis.settings.register_profile("wangqian", deadline=None)
hypothesis.settings.load_profile("wangqian")

#: The suite's own configuration (WANGQIAN_TEST_PG_URL, WANGQIAN_REQUIRE_PG), read once.
SUITE = load_settings()
PG_URL = SUITE.test_pg_url
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


#: The test halls' one-time-code key (a shared PostgreSQL database needs one configured).
TEST_CODE_KEY = "wangqian-test-code-key-0123456789abcdef"


def hall_settings(data_dir: Path, **values: object) -> Settings:
    """A test hall's settings: the defaults, the test's own data folder, its code key, and ``values``."""
    return plain_settings(**({"data_dir": data_dir, "code_key": TEST_CODE_KEY} | values))


def configure(db: Database, **values: object) -> Settings:
    """Give ``db`` the hall settings ``values`` on top of its own (as if the hall had exported them)."""
    db.settings = plain_settings(**(db.settings.model_dump(exclude_unset=True) | values))
    return db.settings


def freeze(db: Database, moment: datetime) -> ManualClock:
    """Stop ``db``'s clock at ``moment`` (the handle keeps it; move it with ``advance``)."""
    clock = ManualClock(moment)
    db.clock = clock
    return clock


def at(db: Database, moment: datetime) -> Database:
    """``db`` seen at ``moment``: the same database through a clock stopped there (one call's "now")."""
    return db.with_clock(ManualClock(moment))


class _Templates:
    """Migrated (and optionally sample-loaded) template databases, made once per test run.

    Under pytest-xdist every worker shares them: the first worker to need one
    builds it under a file lock in the run's shared temporary folder (and, on
    PostgreSQL, under the run's id); the others wait and copy it. The
    controller drops the PostgreSQL templates when the run ends
    (``pytest_sessionfinish``).
    """

    def __init__(self, root: Path, run_id: str) -> None:
        self.root = root
        self.run_id = run_id
        self.settings = hall_settings(root)
        self.made: dict[tuple[str, bool], str] = {}

    def template(self, backend: str, sample: bool) -> str:
        key = (backend, sample)
        if key not in self.made:
            with _locked(self.root / f"template-{backend}-{int(sample)}.lock"):
                self.made[key] = self._build(backend, sample)
        return self.made[key]

    def _build(self, backend: str, sample: bool) -> str:
        done = self.root / f"template-{backend}-{int(sample)}.done"
        if backend == "sqlite":
            path = self.root / f"template-{int(sample)}.db"
            if not done.exists():
                db = open_database(self.settings, url=f"sqlite:///{path}", clock=ManualClock(SAMPLE_LOADED_AT))
                _prepare(db, sample)
                db.dispose()  # the last connection to close checkpoints the WAL into the file
                done.touch()
            return str(path)
        name = _template_name(self.run_id, sample)
        if not done.exists():
            _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a half-built one from a crashed worker
            _pg_exec(f'CREATE DATABASE "{name}"')
            db = open_database(self.settings, url=_pg_url_for(name), clock=ManualClock(SAMPLE_LOADED_AT))
            _prepare(db, sample)
            db.dispose()
            done.touch()
        return name


def _template_name(run_id: str, sample: bool) -> str:
    return f"wq_tpl_{run_id[:12]}_{int(sample)}"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between the run's workers (one build of each template)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _run_id(config: pytest.Config) -> str:
    if _is_worker(config):
        return config.workerinput["testrunuid"]  # type: ignore[attr-defined]
    return config.option.testrunuid


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the machine has CPUs. The screen tests spend part
    of their time waiting on the event loop and the PostgreSQL tests on the server; the
    extra worker fills that time (on 2 CPUs: 289 s against 333 s for the same suite)."""
    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)) + 1


def pytest_configure(config: pytest.Config) -> None:
    """The controller names the run; xdist hands the name to every worker."""
    if not _is_worker(config) and getattr(config.option, "testrunuid", None) is None:
        config.option.testrunuid = uuid.uuid4().hex


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or a run without workers) drops the run's PostgreSQL templates."""
    if _is_worker(session.config) or not PG_URL:
        return
    run_id = _run_id(session.config)
    for sample in (False, True):
        _pg_exec(f'DROP DATABASE IF EXISTS "{_template_name(run_id, sample)}" WITH (FORCE)')


#: When the test templates' sample data is loaded (08:00 in Shanghai on the tests'
#: day): the demo's contracts, house checks and case numbers are then the same
#: whatever day the tests run, and come before the tests' own (10:00).
SAMPLE_LOADED_AT = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)


def _prepare(db: Database, sample: bool) -> None:
    """Migrate; with ``sample``, load the demo on a clock stopped at SAMPLE_LOADED_AT."""
    migrate.upgrade(db)
    if sample:
        from demo.loader import load_demo

        load_demo(db, Actor.system("test"))


@pytest.fixture(scope="session")
def _templates(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> _Templates:
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if _is_worker(request.config) else base  # xdist: …/pytest-N/popen-gwK
    root = shared / "templates"
    root.mkdir(exist_ok=True)
    return _Templates(root, _run_id(request.config))


def need_postgresql() -> str:
    """The test server's URL; without one the test skips and says why, or fails under
    WANGQIAN_REQUIRE_PG (CI: a skipped PostgreSQL test is a failure)."""
    if not PG_URL:
        if SUITE.require_pg:
            pytest.fail("WANGQIAN_REQUIRE_PG is set but WANGQIAN_TEST_PG_URL is not")
        pytest.skip(PG_SKIP)
    return PG_URL


def _fresh(backend: str, sample: bool, templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    if backend == "postgresql":
        need_postgresql()
    source = templates.template(backend, sample)
    if backend == "sqlite":
        path = tmp_path / f"wq-{next(_counter)}.db"
        shutil.copyfile(source, path)
        db = open_database(hall_settings(tmp_path), url=f"sqlite:///{path}")
        yield db
        db.dispose()
    else:
        name = f"wq_t_{templates.run_id[:12]}_{os.getpid()}_{next(_counter)}"
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        db = open_database(hall_settings(tmp_path), url=_pg_url_for(name))
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
def sqlite_sample_db(request: pytest.FixtureRequest, _templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    """The sample data for the screen tests: on each backend (``pytest_generate_tests``), or on
    SQLite alone for a snapshot test or one marked ``sqlite_only``."""
    yield from _fresh(getattr(request, "param", "sqlite"), True, _templates, tmp_path)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A screen test runs on both databases: screens list, sort and lock through the same
    services, and a list without a stated order or a lock that behaves otherwise on
    PostgreSQL shows only there. A snapshot test draws the same picture on both and keeps
    its one file name (no parameter); a test about the SQLite file itself (the demo's
    file, a copy a terminal opens by path) is marked ``sqlite_only`` with its reason."""
    if "sqlite_sample_db" not in metafunc.fixturenames:
        return
    if "snap_compare" in metafunc.fixturenames or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize("sqlite_sample_db", BACKENDS, indirect=True)


#: What a command-line test's hall leaves unset, whatever the shell exports.
_HALL_UNSET = ("WANGQIAN_CITY", "WANGQIAN_SMS_URL")


def point_cli_at(db: Database, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """Configure the environment as a hall whose database is ``db`` (``WANGQIAN_DB_URL``): what the
    command line (and the TUI's ``load_settings``) opens from now on, on either backend."""
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(data_dir))
    monkeypatch.setenv("WANGQIAN_DB_URL", db.url)
    monkeypatch.setenv("WANGQIAN_CODE_KEY", TEST_CODE_KEY)
    for name in _HALL_UNSET:
        monkeypatch.delenv(name, raising=False)
    return db


@pytest.fixture
def cli_db(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """An empty, migrated database on each backend that the command line opens (the data folder is
    the test's ``tmp_path``)."""
    return point_cli_at(db, tmp_path, monkeypatch)


@pytest.fixture
def cli_sample_db(sample_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The demo sample data on each backend, opened by the command line."""
    return point_cli_at(sample_db, tmp_path, monkeypatch)


@pytest.fixture(params=BACKENDS)
def cli_blank_db(request: pytest.FixtureRequest, _templates: _Templates, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A database with no schema at all (never migrated), on each backend, that the command line
    opens: what a hall has before ``wangqian db upgrade`` or ``db init``."""
    if request.param == "sqlite":
        db = open_database(hall_settings(tmp_path), url=f"sqlite:///{tmp_path / 'wangqian.db'}")
        yield point_cli_at(db, tmp_path, monkeypatch)
        db.dispose()
        return
    need_postgresql()
    name = f"wq_b_{_templates.run_id[:12]}_{os.getpid()}_{next(_counter)}"
    _pg_exec(f'CREATE DATABASE "{name}"')
    db = open_database(hall_settings(tmp_path), url=_pg_url_for(name))
    yield point_cli_at(db, tmp_path, monkeypatch)
    db.dispose()
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def row_counts(db: Database, tables: list[str] | None = None) -> dict[str, int]:
    """Rows per table: of ``tables``, or of every table the database holds."""
    from sqlalchemy import inspect

    with db.engine.connect() as conn:
        names = tables if tables is not None else sorted(inspect(conn).get_table_names())
        return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}


def hall_rows(tables: list[str] | None = None) -> dict[str, int]:
    """``row_counts`` of the database the environment names: what the commands open."""
    db = open_database(load_settings())
    try:
        return row_counts(db, tables)
    finally:
        db.dispose()


SYSTEM = Actor.system("test")


@pytest.fixture
def system() -> Actor:
    return SYSTEM


def make_operator(db: Database, username: str, role: Role, password: str = "Passw0rd1", window: str | None = None) -> Actor:
    from services import operators

    # An operator's name is a person's name (core.identity.check_person_name): the user name's
    # digits and marks are written the way a name may be ("clerk_t" -> 测试clerk·t).
    name = "测试" + username.translate(str.maketrans("0123456789_.", "〇一二三四五六七八九··"))
    view = operators.add_operator(db, SYSTEM, username=username, name=name, role=role.value,
                                  password=password, window=window)
    return Actor(view.id, view.username, view.name, view.role, view.window)


def add_accounts(db: Database, *actors: Actor) -> None:
    """Operator rows for actors a test made up (services check the account behind every action;
    no password: these accounts never log in)."""
    from storage.models import Operator

    with db.write() as session:
        for actor in actors:
            session.add(Operator(id=actor.operator_id, username=actor.username, name=actor.name, role=actor.role.value,
                                 window=actor.window, password_hash="!", created_at=db.now()))


def accounts_for(*actors: Actor):  # type: ignore[no-untyped-def]
    """An autouse fixture giving the module's made-up actors their accounts on whichever database
    fixture a test uses."""

    @pytest.fixture(autouse=True)
    def _accounts(request: pytest.FixtureRequest) -> None:
        for name in ("db", "sample_db", "sqlite_sample_db"):
            if name in request.fixturenames:
                add_accounts(request.getfixturevalue(name), *actors)

    return _accounts


@pytest.fixture
def clerk(db: Database) -> Actor:
    return make_operator(db, "clerk_a", Role.CLERK, window="01")


@pytest.fixture
def supervisor(db: Database) -> Actor:
    return make_operator(db, "super_a", Role.SUPERVISOR)
