"""Whether the demo database can be opened as it is, asked cheaply.

The first ``wangqian demo`` migrates the demo's file and loads the sample
(``demo.loader.load_demo``); every later start would otherwise import Alembic,
read every migration script and count the register just to learn that nothing
has changed. Instead, once the file is complete, a stamp beside it records the
migration scripts it was built with (a hash of their text) and the revision it
reached, and a hash of the sample data and the demo's code it was made from. A
later start compares the stamp with the scripts and the sample on disk and with the
file's own ``alembic_version`` row — one small read. When only the migrations differ
the file is upgraded in place; when the sample differs (or the file was upgraded by a
newer program) it is another version's demo: it is kept aside and the demo made again.
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


SAMPLE = Path(storage.__file__).parent.parent / "sample_data"
DEMO = Path(__file__).parent


def sample_fingerprint() -> str:
    """A hash of the sample files and the demo's own code (what the demo is made of): a demo made
    from other sample data is not this version's demo, even at the same schema revision."""
    digest = hashlib.sha256()
    for source in sorted([*SAMPLE.glob("*.json"), *SAMPLE.glob("*.csv"), *DEMO.glob("*.py")]):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def holds_people(db: Database) -> bool:
    """Whether the file's register holds anyone (a demo that was made, of whatever version)."""
    try:
        with db.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT 1 FROM person LIMIT 1").first() is not None
    except DBAPIError:  # no file yet, or no schema in it
        return False


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
            and recorded.get("sample") == sample_fingerprint()
            and recorded.get("revision") is not None and recorded.get("revision") == revision(db))


def stamped_sample(db: Database) -> str | None:
    """The sample fingerprint the file's stamp records (None: no stamp, or one from before the
    sample was recorded)."""
    stamp = stamp_path(db)
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8")) if stamp is not None else None
    except (OSError, ValueError):
        return None
    return recorded.get("sample") if isinstance(recorded, dict) else None


def mark_ready(db: Database) -> None:
    """Record that the file is complete at its current revision (after the upgrade and the load)."""
    stamp = stamp_path(db)
    if stamp is None:
        return
    record = {"migrations": migrations_fingerprint(), "sample": sample_fingerprint(), "revision": revision(db)}
    stamp.write_text(json.dumps(record), encoding="utf-8")


def forget(db: Database) -> None:
    """Remove the stamp (the next start checks the file the long way)."""
    stamp = stamp_path(db)
    if stamp is not None:
        stamp.unlink(missing_ok=True)
