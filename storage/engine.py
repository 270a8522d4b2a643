"""Engine and transactions.

SQLite: WAL, foreign keys, a busy timeout, and write transactions that take
the write lock at their start (``BEGIN IMMEDIATE``) so that a read-then-write
never fails half way with SQLITE_BUSY. Python's sqlite3 driver would otherwise
start transactions lazily; we switch that off and issue BEGIN ourselves.

PostgreSQL: psycopg 3, pre-ping for dropped connections; rows that are sold or
allocated are locked with SELECT … FOR UPDATE by the repositories, and
serialization failures / deadlocks are retried by ``retrying``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from storage import settings

READ_ONLY = "wangqian_read_only"


class Database:
    """One database: the engine plus read and write transactions."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = url or settings.database_url()
        self.engine: Engine = _make_engine(self.url, echo=echo)
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commit on success, roll back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction; never takes the SQLite write lock."""
        with Session(self._read_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str, *, echo: bool) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        if ":memory:" not in engine.url.render_as_string():
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


P = ParamSpec("P")
R = TypeVar("R")

_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock


def is_retryable(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES


def retrying(fn: Callable[P, R], attempts: int = 5) -> Callable[P, R]:
    """Re-run a whole transactional function on a serialization failure or deadlock."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(attempts):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if not is_retryable(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.01 * (2**attempt))
        raise AssertionError("unreachable")

    return wrapper


_default: Database | None = None


def default_database() -> Database:
    """The database named by the environment (one per process)."""
    global _default
    if _default is None:
        _default = Database()
    return _default
