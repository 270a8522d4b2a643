"""`wangqian db backup` / `db restore` (services.backup) on SQLite and on PostgreSQL.

A filled database (the demo sample) is backed up while a terminal keeps registering persons,
then restored into an empty database elsewhere. The copy must be the source as of one
moment: every table equal, except that the rows the terminal added after that moment are
absent (a prefix of the person register and of the audit chain), and the copy's audit chain
verifies. A backup never overwrites a file; a restore goes only into an empty database."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from core.errors import RuleViolation
from core.identity import check_char_gb11643
from core.parties import PersonEntry
from core.roles import Role
from services import audit, backup, parties
from storage.engine import Database
from tests.conftest import (
    SYSTEM,
    _pg_exec,
    _pg_url_for,
    hall_settings,
    make_operator,
    need_postgresql,
    row_counts,
)
from tui.cli.main import app
from tui.factory import open_database

runner = CliRunner()

#: Tables a registration writes: the copy holds a prefix of each (by primary key).
GROWING = {"person", "audit_entry", "audit_pending"}


def _id_number(n: int) -> str:
    first17 = f"110101199001{n % 28 + 1:02d}{n:03d}"[:17]
    return first17 + check_char_gb11643(first17)


def _tables(db: Database) -> list[str]:
    return sorted(inspect(db.engine).get_table_names())


def _rows(db: Database, table: str) -> list[tuple]:
    keys = inspect(db.engine).get_pk_constraint(table).get("constrained_columns") or []
    order = ", ".join(f'"{k}"' for k in keys) or "1"
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY {order}'))]


class _Terminal(threading.Thread):
    """A clerk registering persons one after another until told to stop."""

    def __init__(self, db: Database) -> None:
        super().__init__(daemon=True)
        self.db = db.reopen()
        self.clerk = make_operator(db, "backup_clerk", Role.CLERK)
        self.done = 0
        self.errors: list[BaseException] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and self.done < 900:
            try:
                parties.register_person(self.db, self.clerk, PersonEntry(
                    name="备份测试", id_number=_id_number(self.done + 1), phone="13800138000"))
                self.done += 1
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)
                return


def _empty_target(source: Database, tmp_path: Path) -> tuple[Database, object]:
    """An empty database of the source's kind, and how to drop it."""
    if source.is_sqlite:
        target = open_database(hall_settings(tmp_path / "restored"), url=f"sqlite:///{tmp_path / 'restored.db'}")
        return target, target.dispose
    name = f"wq_restore_{next(_names)}_{id(tmp_path)}"
    _pg_exec(f'CREATE DATABASE "{name}"')
    target = open_database(hall_settings(tmp_path / "restored"), url=_pg_url_for(name))

    def drop() -> None:
        target.dispose()
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return target, drop


_names = iter(range(10**6))


def test_a_backup_taken_while_a_terminal_writes_restores_as_one_moment(sample_db: Database, tmp_path: Path) -> None:
    (tmp_path / "restored").mkdir()
    terminal = _Terminal(sample_db)
    terminal.start()
    while terminal.done < 20 and terminal.is_alive():  # the terminal is at work before the backup starts
        terminal.join(0.01)
    report = backup.backup(sample_db, SYSTEM, tmp_path / "hall.backup")
    before_stop = terminal.done
    while terminal.done < before_stop + 20 and terminal.is_alive():  # and goes on after it
        terminal.join(0.01)
    terminal.stop.set()
    terminal.join()
    assert terminal.errors == []  # no lock error reached the terminal
    assert report.size == (tmp_path / "hall.backup").stat().st_size > 0
    assert report.kind == ("sqlite" if sample_db.is_sqlite else "postgresql")

    target, drop = _empty_target(sample_db, tmp_path)
    try:
        restored = backup.restore(target, SYSTEM, tmp_path / "hall.backup")
        assert restored.audit_intact and restored.current
        assert audit.verify(target, SYSTEM).intact
        audit.chain_pending(sample_db.engine)  # the source's own rows onto its chain before comparing
        assert _tables(target) == _tables(sample_db)
        copied_persons = len(_rows(target, "person"))
        for table in _tables(sample_db):
            source_rows, copy_rows = _rows(sample_db, table), _rows(target, table)
            if table == "audit_entry":
                # The copy's chain: a prefix of the source's, then the restore's own row.
                with target.engine.connect() as conn:
                    last = conn.execute(text("SELECT action FROM audit_entry ORDER BY seq DESC LIMIT 1")).scalar_one()
                assert last == "db_restore"
                copy_rows = copy_rows[:-1]
                assert copy_rows == source_rows[:len(copy_rows)]
            elif table in GROWING:
                assert copy_rows == source_rows[:len(copy_rows)], table  # one moment: a prefix
            else:
                assert copy_rows == source_rows, table
        registered = len(_rows(sample_db, "person"))
        # The moment fell while the terminal worked: some of its persons are in, the later ones not.
        assert registered - terminal.done < copied_persons < registered
    finally:
        drop()


def test_a_backup_never_overwrites_a_file(db: Database, tmp_path: Path) -> None:
    existing = tmp_path / "last-week.backup"
    existing.write_bytes(b"last week")
    with pytest.raises(RuleViolation) as refused:
        backup.backup(db, SYSTEM, existing)
    assert refused.value.code == "BACKUP_EXISTS"
    assert existing.read_bytes() == b"last week"
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["last-week.backup"]  # no leftovers


def test_a_backup_name_that_cannot_be_read_back_is_refused(db: Database, tmp_path: Path) -> None:
    """A control character, an escape sequence or a bidi override in a file name is obeyed or hidden
    by the terminal that lists it (a NUL or a 10,000-character name failed with a bare ValueError or
    OSError): refused by a sentence, nothing written, nothing audited."""
    folder = tmp_path / "backups"
    folder.mkdir()
    before = row_counts(db, ["audit_entry"])
    for target in (Path(""), folder / " ", folder / "a\nb", folder / "\t", folder / "\r", folder / "\x00",
                   folder / "\x1b[2J\x1b]0;pwn\x07", folder / "\u202egnp.exe", folder / "\udcff\udcfe"):
        with pytest.raises(RuleViolation) as refused:
            backup.backup(db, SYSTEM, target)
        assert refused.value.code == "BACKUP_BAD_NAME" and refused.value.message.endswith("。"), repr(target)
    with pytest.raises(RuleViolation) as refused:
        backup.backup(db, SYSTEM, folder / ("字" * 10000))
    assert refused.value.code == "BACKUP_NOT_WRITABLE" and "文件名过长" in refused.value.message
    assert len(refused.value.message) < 120
    assert list(folder.iterdir()) == [] and row_counts(db, ["audit_entry"]) == before


def test_a_restore_goes_only_into_an_empty_database(db: Database, tmp_path: Path) -> None:
    backup.backup(db, SYSTEM, tmp_path / "hall.backup")
    with pytest.raises(RuleViolation) as refused:
        backup.restore(db, SYSTEM, tmp_path / "hall.backup")  # the live database itself
    assert refused.value.code == "RESTORE_TARGET_NOT_EMPTY"
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("[/x] 材料不全", encoding="utf-8")
    with pytest.raises(RuleViolation) as refused:
        backup.restore(db, SYSTEM, not_a_backup)
    assert refused.value.code == "BACKUP_UNKNOWN_FORMAT"


@pytest.mark.postgresql
def test_a_backup_of_one_kind_is_not_restored_into_the_other(tmp_path: Path) -> None:
    need_postgresql()
    lite = open_database(hall_settings(tmp_path), url=f"sqlite:///{tmp_path / 'lite.db'}")
    from services import data

    data.upgrade(lite, SYSTEM)
    backup.backup(lite, SYSTEM, tmp_path / "lite.backup")
    lite.dispose()
    name = f"wq_restore_kind_{id(tmp_path)}"
    _pg_exec(f'CREATE DATABASE "{name}"')
    target = open_database(hall_settings(tmp_path), url=_pg_url_for(name))
    try:
        with pytest.raises(RuleViolation) as refused:
            backup.restore(target, SYSTEM, tmp_path / "lite.backup")
        assert refused.value.code == "BACKUP_WRONG_KIND"
        assert inspect(target.engine).get_table_names() == []  # nothing written
    finally:
        target.dispose()
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_commands_back_up_and_restore_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path / "hall"))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    (tmp_path / "hall").mkdir()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(app, ["db", "backup", str(tmp_path / "hall.backup")])
    assert made.exit_code == 0, made.stderr
    assert "已备份 SQLite 数据库" in made.stdout
    again = runner.invoke(app, ["db", "backup", str(tmp_path / "hall.backup")])
    assert again.exit_code == 1 and "BACKUP_EXISTS" in again.stderr and "不会覆盖" in "".join(again.stderr.split())
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path / "elsewhere"))
    (tmp_path / "elsewhere").mkdir()
    restored = runner.invoke(app, ["db", "restore", str(tmp_path / "hall.backup")])
    assert restored.exit_code == 0, restored.stderr
    assert "哈希链完整" in restored.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'elsewhere' / 'wangqian.db'}")
    with engine.connect() as conn:
        actions = [r[0] for r in conn.execute(text("SELECT action FROM audit_entry ORDER BY seq"))]
    engine.dispose()
    assert actions[-1] == "db_restore" and "db_backup" not in actions  # the copy: before its backup's own row
