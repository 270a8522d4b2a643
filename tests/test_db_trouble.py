"""A database error reaches a person as one Chinese sentence saying what it is:
busy, unreachable or not upgraded — never 'run db upgrade' for a lock."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from storage.engine import database_trouble


def _raised(engine, sql: str) -> OperationalError:
    with pytest.raises(OperationalError) as err:
        with engine.begin() as conn:
            conn.execute(text(sql))
    return err.value


def test_a_locked_sqlite_file_is_busy_not_out_of_date(tmp_path):
    path = tmp_path / "hall.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # another terminal holds the write lock
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    try:
        trouble = database_trouble(_raised(engine, "INSERT INTO t VALUES (1)"))
        assert trouble is not None and trouble.code == "DB_BUSY" and "upgrade" not in trouble.message
        trouble = database_trouble(_raised(engine, "SELECT * FROM missing_table"))
        assert trouble is not None and trouble.code == "DB_NOT_CURRENT" and "wangqian db upgrade" in trouble.message
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()


def test_an_unreachable_server(tmp_path):
    engine = create_engine("postgresql+psycopg://nobody:x@127.0.0.1:9/none", connect_args={"connect_timeout": 2})
    with pytest.raises(OperationalError) as err:
        engine.connect()
    trouble = database_trouble(err.value)
    assert trouble is not None and trouble.code == "DB_UNREACHABLE"
    assert database_trouble(ValueError("not a database error")) is None


@pytest.mark.postgresql
def test_an_idle_pooled_connection_the_server_dropped_is_replaced_before_a_use_case(db, monkeypatch):
    """PostgreSQL: a pooled connection idle past the ping window is pinged as it is handed out; one
    the server dropped meanwhile is replaced, and the use case runs as if nothing happened. A
    connection in use a moment ago is handed out without a ping (no round trip)."""
    from storage import engine as engine_module

    if db.is_sqlite:
        pytest.skip("a SQLite file has no server to drop the connection")
    with db.read() as s:
        first = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    pings: list[int] = []
    real_ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    with db.read() as s:  # a moment later: the same connection, no ping
        assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() == first
    assert pings == []
    killer = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with killer.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first}).scalar_one()
    finally:
        killer.dispose()
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)
    with db.read() as s:  # idle past the window: pinged, found dead, replaced
        assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() != first
    assert pings
