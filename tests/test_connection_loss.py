"""The terminal open on PostgreSQL while the server goes away and comes back.

A PostgreSQL server of the test's own (initdb'd in a temporary folder, on a free loopback
port: the shared test server is not stopped under the other tests) is stopped while a clerk
works in 申请人查询. The screen says the database cannot be reached and that it is retrying,
what the clerk typed stays, and the search completes once the server is started again. When
the server stays away longer than the terminal waits (``WANGQIAN_DB_RECONNECT_SECONDS``),
the screen says so in one sentence and still keeps what was typed. A use case whose
connection is cut in the middle of its transaction leaves nothing and says so."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_tui_support import SIZE, login, make_app, screen_text, type_into

from core.errors import RuleViolation
from core.parties import PersonEntry
from core.roles import Role
from services import data, parties
import storage.engine as engine_module
from storage.engine import Database, database_trouble
from tests.conftest import PG_URL, SYSTEM, hall_settings, make_operator
from tui.factory import open_database
from tui.screens.lookup import LookupScreen

pytestmark = pytest.mark.postgresql

PERSON = ("王连断", "110101198001010037")


def _pg_bin(tool: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    return found[-1] if found else shutil.which(tool)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A PostgreSQL server in a folder of its own (as the ``postgres`` user when run as root)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else list(args)
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "wq", "--auth=trust", "-E", "UTF8",  # type: ignore[arg-type]
                  "--locale=C.UTF-8")

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",  # type: ignore[arg-type]
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")  # type: ignore[arg-type]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://wq@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def server() -> Iterator[Server]:
    if not PG_URL or _pg_bin("initdb") is None:
        pytest.skip("a PostgreSQL server of the test's own needs the PostgreSQL binaries (.ci/run installs them)")
    root = Path(tempfile.mkdtemp(prefix="wq-pg-"))
    root.chmod(0o755)
    own = Server(root)
    own.init()
    own.start()
    try:
        yield own
    finally:
        try:
            own.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def hall(server: Server, tmp_path: Path) -> Iterator[Database]:
    from sqlalchemy import create_engine, text

    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "hall"'))
    admin.dispose()
    db = open_database(hall_settings(tmp_path), url=server.url("hall"))
    data.upgrade(db, SYSTEM)
    make_operator(db, "clerk_c", Role.CLERK)
    parties.register_person(db, SYSTEM, PersonEntry(name=PERSON[0], id_number=PERSON[1], phone="13800138000"))
    yield db
    db.dispose()


async def _until(pilot, check, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.1)):
        if check():
            return
        await asyncio.sleep(0.1)
        await pilot.pause()
    raise AssertionError(f"not seen within {seconds} s:\n{screen_text(pilot.app)}")


async def test_a_search_waits_for_the_restarted_server_and_completes(server: Server, hall: Database) -> None:
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk_c", "Passw0rd1")
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        await asyncio.to_thread(server.stop)
        await type_into(pilot, "#query", PERSON[0][:2])
        await _until(pilot, lambda: "正在重试" in screen_text(app))
        shown = screen_text(app)
        assert "数据库暂时无法连接" in shown and "已填写的内容都保留" in shown
        assert screen.query_one("#query").value == PERSON[0][:2]  # what the clerk typed is kept
        await asyncio.to_thread(server.start)
        await _until(pilot, lambda: PERSON[0] in screen_text(app) and "正在重试" not in screen_text(app))
        assert screen.query_one("#query").value == PERSON[0][:2]


async def test_a_server_away_too_long_is_said_in_one_sentence(server: Server, hall: Database,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The pool never pings here, as when the server stops within a second of the last use:
    # the terminal's own round trip before each use case must find the stopped server.
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 3600.0)
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk_c", "Passw0rd1")
        hall.reconnect_wait = 2  # the terminal waits two seconds (the setting's default is 60)
        await pilot.press("f2")
        await pilot.pause()
        await asyncio.to_thread(server.stop)
        await type_into(pilot, "#query", PERSON[0])
        await _until(pilot, lambda: "无法连接数据库" in screen_text(app))
        assert "系统错误" not in screen_text(app)
        assert app.screen.query_one("#query").value == PERSON[0]
        await asyncio.to_thread(server.start)


def test_a_transaction_cut_in_the_middle_leaves_nothing_and_says_so(server: Server, hall: Database) -> None:
    from sqlalchemy import func, select, text

    from storage.models import Person

    with hall.read() as session:
        before = session.execute(select(func.count()).select_from(Person)).scalar_one()
    with pytest.raises(Exception) as cut:  # the driver's error, translated below
        with hall.write() as session:
            session.add(Person(name="半途", id_kind="resident_id", id_number="110101198001010045", region="mainland"))
            session.flush()
            session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))  # the server drops us
    trouble = database_trouble(cut.value) if not isinstance(cut.value, RuleViolation) else cut.value
    assert trouble is not None and trouble.code == "DB_CONNECTION_LOST", cut.value
    assert trouble.message == "与数据库的连接中断，本次操作没有保存，请稍后重试。"
    with hall.read() as session:  # the pool gives a fresh connection; nothing of the cut transaction
        assert session.execute(select(func.count()).select_from(Person)).scalar_one() == before
