"""Database administration: migrations, the demo sample data, synthetic sets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from core.errors import RuleViolation
from core.roles import Actor, Permission, require
from services import audit
from storage import migrate
from storage.engine import Database
from storage.models import Person


def upgrade(db: Database, actor: Actor) -> str | None:
    require(actor, Permission.DATA_ADMIN)
    migrate.upgrade(db)
    return migrate.current_revision(db)


def schema_is_current(db: Database) -> bool:
    try:
        return migrate.current_revision(db) == migrate.head_revision(db)
    except Exception:  # an unreachable or foreign database is "not current"
        return False


def init(db: Database, actor: Actor, *, sample: bool = False, directory: Path | None = None) -> dict[str, int]:
    """Create the schema and, with ``sample``, load the demo data (one transaction)."""
    from storage.sample import load_sample

    upgrade(db, actor)
    if not sample:
        return {}
    with db.write() as session:
        if session.execute(select(func.count()).select_from(Person)).scalar_one():
            raise RuleViolation("DATA_NOT_EMPTY", "数据库中已有申请人数据，不能重复导入示例数据。")
        counts = load_sample(session, directory)
        audit.append(session, actor, "sample_data_loaded", object_type="database", after=counts)
    return counts


def generate(db: Database, actor: Actor, persons: int, *, seed: int = 1, progress: Callable[[int, int], None] | None = None) -> int:
    """Bulk synthetic persons for benchmarks (audited as one act)."""
    from storage.sample import generate_synthetic

    require(actor, Permission.DATA_ADMIN)
    if persons <= 0:
        raise RuleViolation("DATA_BAD_COUNT", "生成人数必须是正整数。", field="persons")
    inserted = generate_synthetic(db, persons, seed=seed, progress=progress)
    with db.write() as session:
        audit.append(session, actor, "synthetic_data_generated", object_type="database", after={"persons": inserted, "seed": seed})
    return inserted


def person_count(db: Database) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(Person)).scalar_one()
