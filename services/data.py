"""Database administration: migrations and the state of the schema.

The demo's sample and synthetic sets are loaded by ``demo.loader`` (through
these and the other use cases; nothing here imports it)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.roles import Actor, Permission
from services.authority import authorise
from storage import migrate
from storage.engine import Database
from storage.models import Person


def upgrade(db: Database, actor: Actor) -> str | None:
    authorise(db, actor, Permission.DATA_ADMIN)
    migrate.upgrade(db)
    return migrate.current_revision(db)


def schema_revision(db: Database) -> str | None:
    """The schema revision the database holds; None for a database without one yet."""
    return migrate.current_revision(db)


def schema_is_current(db: Database) -> bool:
    try:
        return migrate.current_revision(db) == migrate.head_revision(db)
    except Exception:  # an unreachable or foreign database is "not current"
        return False


def person_count(db: Database) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(Person)).scalar_one()
