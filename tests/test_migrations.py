"""The schema comes only from the migrations, and they match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage import migrate


def test_migrated_schema_matches_the_models(db):
    assert migrate.current_revision(db) == migrate.head_revision(db)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata)
    assert diff == []


def test_upgrade_is_idempotent(db):
    before = migrate.current_revision(db)
    migrate.upgrade(db)
    assert migrate.current_revision(db) == before


def _stamp_unknown_revision(db, revision: str = "9999_from_a_newer_program") -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{revision}'")


def test_a_database_a_newer_program_upgraded_is_refused_in_a_sentence(db):
    from core.errors import RuleViolation

    _stamp_unknown_revision(db)
    with pytest.raises(RuleViolation) as refused:
        migrate.upgrade(db)
    assert refused.value.code == "DB_NEWER_THAN_PROGRAM"
    assert "9999_from_a_newer_program" in refused.value.message and "比本程序新" in refused.value.message
    assert migrate.current_revision(db) == "9999_from_a_newer_program"  # untouched


def test_db_upgrade_on_a_newer_database_answers_in_chinese(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from storage.engine import Database
    from storage.settings import Settings
    from tui.cli.main import app

    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = Database(f"sqlite:///{tmp_path / 'wangqian.db'}", settings=Settings())
    _stamp_unknown_revision(db)
    db.dispose()
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 1 and "Traceback" not in again.output
    assert "DB_NEWER_THAN_PROGRAM" in again.stderr and "比本程序新" in again.stderr


@pytest.mark.sqlite_only(reason="the demo is a SQLite file the terminal opens by its path")
def test_a_demo_file_a_newer_program_made_is_kept_aside_and_made_again(sqlite_sample_db, tmp_path, monkeypatch):
    import shutil

    from demo import ready
    from tui.cli import helpers, main

    monkeypatch.setattr(helpers, "_invocation", {})  # the settings are read once per invocation
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    source = sqlite_sample_db.url.removeprefix("sqlite:///")
    _stamp_unknown_revision(sqlite_sample_db, "0099")
    sqlite_sample_db.dispose()
    shutil.copyfile(source, tmp_path / "demo.db")
    db = main.demo_database()
    assert ready.is_ready(db) and migrate.current_revision(db) == migrate.head_revision(db)
    assert (tmp_path / "demo-0099.db").is_file()  # the newer program's file, kept


@pytest.mark.sqlite_only(reason="the demo is a SQLite file the terminal opens by its path")
def test_a_demo_file_of_another_version_is_kept_aside_and_made_again(sqlite_sample_db, tmp_path, monkeypatch):
    """A complete demo whose stamp names other sample data (an older program's demo, upgraded or
    not) would lack what the login screen lists: it is kept aside and the demo made again."""
    import json
    import shutil

    from demo import ready
    from tui.cli import helpers, main

    monkeypatch.setattr(helpers, "_invocation", {})
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    source = sqlite_sample_db.url.removeprefix("sqlite:///")
    revision = migrate.current_revision(sqlite_sample_db)
    sqlite_sample_db.dispose()
    shutil.copyfile(source, tmp_path / "demo.db")
    (tmp_path / "demo.db.ready").write_text(json.dumps(
        {"migrations": ready.migrations_fingerprint(), "sample": "another sample", "revision": revision}))
    db = main.demo_database()
    assert ready.is_ready(db) and ready.holds_people(db)
    assert (tmp_path / f"demo-{revision}.db").is_file()  # the other version's demo, kept
    db.dispose()
    again = main.demo_database()  # now this version's: opened as it is, nothing more set aside
    assert ready.is_ready(again) and not (tmp_path / f"demo-{revision}-2.db").exists()
