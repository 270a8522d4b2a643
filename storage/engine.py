"""Engine and transactions.

SQLite: WAL, foreign keys, a busy timeout, and write transactions that take
the write lock at their start (``BEGIN IMMEDIATE``) so that a read-then-write
never fails half way with SQLITE_BUSY. Python's sqlite3 driver would otherwise
start transactions lazily; we switch that off and issue BEGIN ourselves.

PostgreSQL: psycopg 3, a ping before an idle pooled connection is reused (dropped
connections); rows that are sold or allocated are locked with SELECT … FOR UPDATE
by the repositories, and serialization failures / deadlocks are retried by
``retrying``.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from core.clock import Clock, system_clock
from core.errors import RuleViolation
from storage.settings import Settings

READ_ONLY = "wangqian_read_only"
#: Seconds between two tries to reach a database server that cannot be reached.
RECONNECT_PAUSE_S = 1.0
_CLOCK = "wangqian_clock"
_SETTINGS = "wangqian_settings"
_MEMO = "wangqian_memo"


class Database:
    """One database, and what every use case on it is handed: the hall's
    settings and the clock.

    ``write()`` / ``read()`` open one transaction each; inside one, the clock
    is ``now(session)``. Services never read the environment or the wall
    clock: a test or the demo loader gives its own ``clock``.
    """

    def __init__(self, url: str, *, settings: Settings, clock: Clock = system_clock, echo: bool = False) -> None:
        self.url = url
        self.settings = settings
        self.clock: Clock = clock
        self.engine: Engine = _make_engine(self.url, echo=echo)
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})
        #: A terminal's handle waits this long for a database server that cannot be reached
        #: before a transaction starts (a restart, a network blip), telling ``on_reconnecting``
        #: how long it has waited; 0 (commands, benchmarks): fail at once.
        self.reconnect_wait: float = 0.0
        self.on_reconnecting: Callable[[float], None] | None = None

    def now(self) -> datetime:
        """The current time by this handle's clock (aware UTC)."""
        return self.clock()

    def _session_info(self) -> dict[str, object]:
        return {_CLOCK: self.clock, _SETTINGS: self.settings}

    def with_clock(self, clock: Clock) -> Database:
        """The same database (same engine and settings) seen through another clock."""
        other = copy.copy(self)
        other.clock = clock
        return other

    def reopen(self) -> Database:
        """Another handle (its own connections) on the same database, settings and clock."""
        return Database(self.url, settings=self.settings, clock=self.clock)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commit on success, roll back on any error."""
        with self._transaction(self.engine) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction; never takes the SQLite write lock."""
        with self._transaction(self._read_engine) as session:
            yield session

    @contextmanager
    def _transaction(self, engine: Engine) -> Iterator[Session]:
        """A session in one transaction. A connection lost while the transaction commits
        leaves its outcome unknown: that is said as such (``DB_COMMIT_UNKNOWN``), never as
        a failure the clerk would simply repeat."""
        session, transaction = self._begin(engine)
        with session:
            try:
                yield session
            except BaseException:
                with suppress(DBAPIError):  # a lost connection has rolled back on the server already
                    transaction.rollback()
                raise
            try:
                transaction.commit()
            except DBAPIError as exc:
                if exc.connection_invalidated:
                    raise RuleViolation(
                        "DB_COMMIT_UNKNOWN",
                        "保存时与数据库的连接中断，无法确定是否已保存，请重新打开该业务核对后再继续。") from exc
                raise

    def _begin(self, engine: Engine) -> tuple[Session, SessionTransaction]:
        """A new session and its transaction. A terminal's handle on PostgreSQL connects at
        once, and while the server cannot be reached waits for it (``reconnect_wait``):
        nothing of the use case has run yet, so waiting is safe. A terminal pays one round
        trip per transaction for that; commands and benchmarks (``reconnect_wait`` 0) do not."""
        eager = self.reconnect_wait > 0 and not self.is_sqlite
        started = time.monotonic()
        while True:
            session = Session(engine, expire_on_commit=False, info=self._session_info())
            transaction = session.begin()
            if not eager:
                return session, transaction
            try:
                # A round trip proves the connection alive even when the pool handed it out
                # without its idle ping (used under PING_AFTER_IDLE_S ago, the server stopped
                # since): a terminal's use case then never starts on a dead connection.
                session.connection().exec_driver_sql("SELECT 1")
                return session, transaction
            except DBAPIError as exc:
                session.close()
                waited = time.monotonic() - started
                trouble = database_trouble(exc)
                if (trouble is None or trouble.code not in ("DB_UNREACHABLE", "DB_CONNECTION_LOST")
                        or waited >= self.reconnect_wait):
                    raise
                if self.on_reconnecting is not None:
                    self.on_reconnecting(waited)
                time.sleep(min(RECONNECT_PAUSE_S, max(0.0, self.reconnect_wait - waited)))

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str, *, echo: bool) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    # A use case may briefly hold a second connection (``services.cases.next_case_number``
    # commits the day's counter on its own): room for every thread of a busy process twice.
    engine = create_engine(url, echo=echo, pool_size=5, max_overflow=20)
    _ping_idle_connections(engine)
    return engine


#: A pooled connection used less than this many seconds ago is handed out without a ping.
PING_AFTER_IDLE_S = 1.0
_RETURNED = "wangqian_returned_at"


def _ping_idle_connections(engine: Engine) -> None:
    """Pre-ping a pooled connection before it is handed out only when it has been idle for
    PING_AFTER_IDLE_S or more (as HikariCP's alive-bypass window does): a dropped connection
    (a restarted server, a network cut) is found and replaced before a use case starts, yet a
    busy terminal's transactions do not each pay a round trip for it. A connection that dies
    within the window fails its use case's first statement, which rolls back
    (``DB_CONNECTION_LOST``), and the pool replaces it."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_S:
            return  # a new connection, or one in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure: the pool replaces the connection
            raise DisconnectionError("the pooled connection is gone") from exc
        if not alive:
            raise DisconnectionError("the pooled connection is gone")


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


class OneTransaction:
    """Stands in for a ``Database`` so that a run of use cases is ONE transaction.

    Every ``write()`` and ``read()`` of a service called with it is the one
    open ``session``, so each call runs as a step of that transaction (its own
    checks, locks and audit rows included) and nothing commits until the
    caller's transaction does. The demo loader plays the sample's history this
    way, each step at its own moment on ``clock``.

    Services change rows with Core statements behind the ORM's back, so each
    step starts with everything flushed and every loaded object expired.
    Only the transactions are offered: a service that wanted the engine itself
    would fail here instead of escaping the transaction.
    """

    def __init__(self, db: Database, session: Session, clock: Clock) -> None:
        self.url = db.url
        self.dialect = db.dialect
        self.is_sqlite = db.is_sqlite
        self.settings = db.settings
        self.clock = clock
        self._session = session

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def write(self) -> Iterator[Session]:
        self._session.flush()
        self._session.expire_all()
        self._session.info.pop(_MEMO, None)  # each step reads afresh, as its own transaction would
        self._session.info[_CLOCK] = self.clock
        yield self._session
        self._session.flush()

    read = write


def database_trouble(exc: BaseException) -> RuleViolation | None:
    """What a database error means for the person at the screen, in one sentence; None if it
    is not one of these (a bug, to be logged).

    Busy (another terminal holds the SQLite write lock past the busy timeout, or a
    PostgreSQL lock wait timed out), not reachable (the server is down or the file
    cannot be opened), a schema older than the program, or a NUL character in a value
    (SQLite stores it, PostgreSQL's text cannot hold it: a lookup or an entry that no
    rule of its own checked must not end in a traceback on one database only).
    """
    if not isinstance(exc, DBAPIError):
        return None
    text = str(exc.orig or exc).lower()
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if "database is locked" in text or "database table is locked" in text or sqlstate in ("55P03", "57014"):
        return RuleViolation("DB_BUSY", "数据库正忙（其他终端正在写入），本次操作未完成，请稍后再试。")
    if "cannot contain nul" in text:
        return RuleViolation("TEXT_BAD_CHARACTERS", "输入中有不能使用的控制字符，本次操作未完成，请删除后重新输入。")
    if "no such table" in text or "no such column" in text or sqlstate in ("42P01", "42703"):
        return RuleViolation("DB_NOT_CURRENT", "数据库结构不是最新版本，请先执行 wangqian db upgrade。")
    if exc.connection_invalidated:  # the server went away in the middle of the transaction
        return RuleViolation("DB_CONNECTION_LOST", "与数据库的连接中断，本次操作没有保存，请稍后重试。")
    if (isinstance(exc, OperationalError) and ("unable to open" in text or "connection" in text
                                               or "could not connect" in text or sqlstate.startswith("08"))):
        return RuleViolation("DB_UNREACHABLE", "无法连接数据库，请检查数据库服务或网络后重试。")
    return None


def session_now(session: Session) -> datetime:
    """"Now" inside a transaction opened by ``Database.write`` / ``read``: the
    handle's clock, so helpers that only get the session stamp the same time
    source as the use case that called them."""
    return session.info[_CLOCK]()


def session_settings(session: Session) -> Settings:
    """The hall's settings inside a transaction opened by ``Database.write`` / ``read``."""
    return session.info[_SETTINGS]


def transaction_memo(session: Session) -> dict[object, object]:
    """What this transaction has already read and need not read again: a use case calls
    several helpers that each want the operator's account state or the same row. Gone with
    the transaction (a ``Database`` session is one transaction; ``OneTransaction`` clears it
    at each step)."""
    return session.info.setdefault(_MEMO, {})


def hold_rows(*classes: type) -> None:
    """Keep rows of ``classes`` loaded in a transaction for the rest of it.

    The ORM's identity map holds rows only weakly: a helper that looked a row up
    and dropped it makes the next helper's ``session.get`` read it again. The
    few small rows every step of a signing consults (its contract, case, house
    check, home) are held by the transaction's memo instead, so each is read
    once per transaction; bulk reads of other tables are not held.
    """
    held = tuple(classes)

    @event.listens_for(Session, "loaded_as_persistent")
    def _hold(session: Session, instance: object) -> None:
        if isinstance(instance, held):
            transaction_memo(session).setdefault(_HELD, []).append(instance)  # type: ignore[union-attr]


_HELD = "held rows"
