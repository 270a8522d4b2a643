"""Whether the demo database can be opened as it is, asked cheaply.

The first ``wangqian demo`` migrates the demo's file and loads the sample
(``demo.loader.load_demo``); every later start would otherwise import Alembic,
read every migration script and count the register just to learn that nothing
has changed. Instead, once the file is complete, a stamp beside it records the
migration scripts it was built with (a hash of their text) and the revision it
reached. A later start compares the stamp with the scripts on disk and with the
file's own ``alembic_version`` row — one small read — and goes the long way
(upgrade, load if empty, stamp again) whenever anything differs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy.exc import DBAPIError

import storage
from storage.engine import Database

VERSIONS = Path(storage.__file__).parent / "migrations" / "versions"


def migrations_fingerprint() -> str:
    """A hash of the migration scripts' names and text (a new or edited script changes it)."""
    digest = hashlib.sha256()
    for script in sorted(VERSIONS.glob("*.py")):
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    return digest.hexdigest()


def stamp_path(db: Database) -> Path | None:
    """``<demo file>.ready`` beside an SQLite file; None for any other database (never stamped)."""
    database = db.engine.url.database
    if not db.is_sqlite or not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + ".ready")


def revision(db: Database) -> str | None:
    """The file's schema revision (its ``alembic_version`` row); None without a schema."""
    try:
        with db.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:  # no file yet, or no schema in it
        return None


def is_ready(db: Database) -> bool:
    """The file was completed (migrated and loaded) with the migration scripts there are now."""
    stamp = stamp_path(db)
    if stamp is None or not stamp.is_file() or not Path(str(db.engine.url.database)).is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(recorded, dict) and recorded.get("migrations") == migrations_fingerprint()
            and recorded.get("revision") is not None and recorded.get("revision") == revision(db))


def mark_ready(db: Database) -> None:
    """Record that the file is complete at its current revision (after the upgrade and the load)."""
    stamp = stamp_path(db)
    if stamp is None:
        return
    record = {"migrations": migrations_fingerprint(), "revision": revision(db)}
    stamp.write_text(json.dumps(record), encoding="utf-8")


def forget(db: Database) -> None:
    """Remove the stamp (the next start checks the file the long way)."""
    stamp = stamp_path(db)
    if stamp is not None:
        stamp.unlink(missing_ok=True)
