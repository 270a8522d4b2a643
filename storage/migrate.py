"""Run the Alembic migrations programmatically (no alembic.ini to carry around)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from core.errors import RuleViolation
from storage.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` in one transaction. Refused (DB_NEWER_THAN_PROGRAM)
    when the database is at a revision this program does not know: a newer version of the
    program has upgraded it, and this one must not touch it."""
    cfg = _config(db)
    with db.engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None and not is_known(db, current):
            raise RuleViolation(
                "DB_NEWER_THAN_PROGRAM",
                f"数据库的结构版本（{current[:40]}）比本程序新，本程序不能使用它：请使用与数据库相符的新版程序，"
                "或恢复与本程序相符的备份。")
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def is_known(db: Database, revision: str) -> bool:
    """Whether ``revision`` is one of this program's migrations."""
    try:
        return ScriptDirectory.from_config(_config(db)).get_revision(revision) is not None
    except CommandError:
        return False


def downgrade(db: Database, revision: str) -> None:
    """Take the schema down to ``revision`` in one transaction (upgrade tests and developers;
    a hall never runs it: each migration's downgrade drops what it added)."""
    cfg = _config(db)
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def previous_revision(db: Database) -> str | None:
    """The revision just before the head (the schema a hall upgrades from when the next release lands)."""
    script = ScriptDirectory.from_config(_config(db))
    down = script.get_revision(script.get_current_head()).down_revision
    if isinstance(down, tuple):  # a merge revision: no single previous schema
        raise ValueError(f"the head merges {down}: name the revision to start from")
    return down


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(db: Database) -> str | None:
    return ScriptDirectory.from_config(_config(db)).get_current_head()


def revision(db: Database, message: str) -> None:
    """Autogenerate a new migration against ``db`` (developers only)."""
    cfg = _config(db)
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True)
