"""Backing up the hall's database and restoring it elsewhere.

A backup is one consistent moment of the whole database, taken while the
terminals go on writing:

* SQLite: the online backup API (``sqlite3.Connection.backup``) copies every
  page in one step. In WAL mode a reader never blocks a writer, so the copy is
  the database as of the step's start and the counter keeps working. The copy
  is checked (``PRAGMA integrity_check``) before it is kept.
* PostgreSQL: ``pg_dump --format=custom`` in its own repeatable-read snapshot
  (it blocks no writer). The password goes to ``pg_dump`` by ``PGPASSWORD``,
  never on its command line, where ``ps`` would show it.

A backup never overwrites a file: it is written beside the target under a
temporary name, then linked into place, which fails if the name was taken
meanwhile. A restore goes only into an empty database (a new SQLite file, or
a PostgreSQL database with no tables), so a mistyped command cannot put last
week over today. After a restore the audit chain of the copy is verified and
the restore itself is the chain's newest row.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from core.errors import RuleViolation
from core.roles import Actor, Permission
from core.text import printable
from services import audit
from services.authority import authorise
from storage import migrate
from storage.engine import Database

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: How long pg_dump / pg_restore may take before the command gives up.
PG_TOOL_TIMEOUT_S = 3600


@dataclass(frozen=True)
class BackupReport:
    path: Path
    kind: str  # sqlite / postgresql
    size: int
    tables: int
    seconds: float


@dataclass(frozen=True)
class RestoreReport:
    kind: str
    tables: int
    revision: str | None
    current: bool  # the copy's schema is the program's (else: wangqian db upgrade)
    audit_rows: int
    audit_intact: bool
    seconds: float


def _probe(path: Path, test: Callable[[Path], bool]) -> bool:
    """``test(path)``, False for a name no file can have (too long, a NUL in it)."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


def _file_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError:
        raise RuleViolation("BACKUP_NOT_READABLE", f"无法读取备份文件 {path}。", field="file") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise RuleViolation("BACKUP_UNKNOWN_FORMAT", "该文件不是 wangqian 的数据库备份（SQLite 数据文件或 pg_dump 归档）。",
                        field="file")


def _sqlite_path(db: Database) -> Path:
    name = db.engine.url.database
    if not name or name == ":memory:":
        raise RuleViolation("BACKUP_NO_FILE", "内存数据库没有可备份的数据文件。")
    return Path(name)


def _pg_tool_env(db: Database) -> tuple[str, dict[str, str]]:
    """The libpq connection string without the password, and the tool's whole environment:
    the password and the C locale, nothing inherited (no stray ``PG*`` variable of the
    shell redirects the tool)."""
    url = make_url(db.url).set(drivername="postgresql")
    env = {"LC_ALL": "C.UTF-8"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _run_tool(args: list[str], env: dict[str, str], what: str) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise RuleViolation("BACKUP_TOOL_MISSING", f"本机没有 {args[0]}，请安装 PostgreSQL 客户端工具后重试。")
    try:
        done = subprocess.run([tool, *args[1:]], env=env, capture_output=True, text=True, timeout=PG_TOOL_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        raise RuleViolation("BACKUP_TOOL_TIMEOUT", f"{what}超过 {PG_TOOL_TIMEOUT_S} 秒仍未完成，已停止。") from None
    if done.returncode != 0:
        first = next((line for line in done.stderr.splitlines() if line.strip()), "")
        raise RuleViolation("BACKUP_TOOL_FAILED", f"{what}失败（{args[0]}：{first[:200]}）。")


def _table_count(db: Database) -> int:
    return len(inspect(db.engine).get_table_names())


def _check_name(target: Path) -> None:
    """A backup is found again by its name, read in a listing and typed to restore it: a name
    that is blank, or holds a character a terminal obeys or hides (a control character, an
    escape sequence, a bidi override, a NUL, bytes that were not UTF-8), is refused."""
    if not target.name.strip():
        raise RuleViolation("BACKUP_BAD_NAME", "请写出备份文件的文件名。", field="file")
    if printable(str(target)) != str(target):
        raise RuleViolation("BACKUP_BAD_NAME", "备份文件的路径中有控制字符或不可见字符，请换一个文件名。", field="file")


def backup(db: Database, actor: Actor, target: Path) -> BackupReport:
    """Copy the whole database to ``target`` (a new file), consistent as of one moment."""
    authorise(db, actor, Permission.DATA_ADMIN)
    target = Path(target)
    _check_name(target)
    if _probe(target, Path.exists):
        raise RuleViolation("BACKUP_EXISTS", f"文件 {target} 已存在；备份不会覆盖已有文件，请换一个文件名。", field="file")
    if not _probe(target.parent, Path.is_dir):
        raise RuleViolation("BACKUP_NO_FOLDER", f"文件夹 {target.parent} 不存在。", field="file")
    started = time.perf_counter()
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        why = "文件名过长" if exc.errno == errno.ENAMETOOLONG else "该文件夹不可写入"
        raise RuleViolation("BACKUP_NOT_WRITABLE", f"无法建立备份文件 {printable(target, limit=80)}（{why}）。",
                            field="file") from None
    os.close(fd)
    part = Path(temporary)
    try:
        if db.is_sqlite:
            _sqlite_backup(_sqlite_path(db), part)
            kind = "sqlite"
        else:
            conninfo, env = _pg_tool_env(db)
            _run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={part}",
                       f"--dbname={conninfo}"], env, "导出数据库")
            kind = "postgresql"
        os.chmod(part, 0o600)  # the hall's personal data: the owner alone reads it
        try:
            os.link(part, target)  # fails if the name was taken meanwhile: never overwrites
        except FileExistsError:
            raise RuleViolation("BACKUP_EXISTS", f"文件 {target} 已存在；备份不会覆盖已有文件，请换一个文件名。",
                                field="file") from None
    finally:
        part.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    tables = _table_count(db)
    with db.write() as session:
        audit.append(session, actor, "db_backup", object_type="database",
                     after={"file": target.name, "kind": kind, "size": target.stat().st_size})
    return BackupReport(target, kind, target.stat().st_size, tables, seconds)


def _sqlite_backup(source: Path, part: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(part)
    try:
        src.backup(dst)  # every page in one step: one consistent moment, writers not blocked (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        raise RuleViolation("BACKUP_COPY_DAMAGED", f"备份副本校验未通过（{verdict[:100]}），未保存。")


def restore(db: Database, actor: Actor, source: Path) -> RestoreReport:
    """Load a backup into the configured database, which must be empty; verify the copy's chain."""
    authorise(db, actor, Permission.DATA_ADMIN)
    source = Path(source)
    if not _probe(source, Path.is_file):
        raise RuleViolation("BACKUP_NOT_FOUND", f"没有找到备份文件 {source}。", field="file")
    kind = _file_kind(source)
    here = "sqlite" if db.is_sqlite else "postgresql"
    if kind != here:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise RuleViolation("BACKUP_WRONG_KIND",
                            f"这是 {names[kind]} 数据库的备份，不能恢复到当前配置的 {names[here]} 数据库。", field="file")
    if _table_count(db):
        raise RuleViolation("RESTORE_TARGET_NOT_EMPTY",
                            "当前配置的数据库已有数据；恢复只能写入空数据库，请先配置一个新的数据库再恢复。")
    started = time.perf_counter()
    if kind == "sqlite":
        db.engine.dispose()  # nothing of ours holds the (empty) file while it is filled
        _sqlite_restore(source, _sqlite_path(db))
    else:
        conninfo, env = _pg_tool_env(db)
        _run_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                   f"--dbname={conninfo}", str(source)], env, "恢复数据库")
    revision = migrate.current_revision(db)
    current = revision == migrate.head_revision(db)
    with db.write() as session:
        audit.append(session, actor, "db_restore", object_type="database",
                     after={"file": source.name, "kind": kind, "revision": revision})
    chain = audit.verify(db, actor)
    return RestoreReport(kind, _table_count(db), revision, current, chain.rows, chain.intact,
                         time.perf_counter() - started)


def _sqlite_restore(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        verdict = src.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise RuleViolation("BACKUP_COPY_DAMAGED", f"备份文件已损坏（{verdict[:100]}），未恢复。", field="file")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")  # as the program runs it
    finally:
        dst.close()
        src.close()
    with contextlib.suppress(OSError):
        os.chmod(target, 0o600)
