"""`wangqian bench presale` (bench.presale, tui.cli.bench) with one draw of the board: the report
has every figure, the board is the 40-floor × 30-unit building, and the temporary database
(SQLite or PostgreSQL) is gone afterwards. Behaviour only: no timings."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.bench_support import databases_left
from tests.conftest import PG_URL, need_postgresql
from tui.cli.main import app

runner = CliRunner()

KEYS = ("benchmark", "database", "survey_import_units", "survey_import_s", "survey_import_ok", "permit_units",
        "permit_s", "permit_archive_s", "permit_ok", "board_floors", "board_units_per_floor", "board_units",
        "board_size", "board_runs", "board_draw_ms", "board_draw_max_ms", "board_service_ms", "board_target_ms",
        "board_ok", "load_average")


def _run(*extra: str) -> dict:
    result = runner.invoke(app, ["bench", "presale", "--runs", "1", "--json", *extra])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _assert_complete(report: dict, database: str) -> None:
    for key in KEYS:
        assert key in report, key
    assert (report["benchmark"], report["database"], report["board_runs"]) == ("presale", database, 1)
    assert report["survey_import_units"] == report["permit_units"] == 1000
    assert (report["board_floors"], report["board_units_per_floor"], report["board_units"]) == (40, 30, 1200)
    assert report["board_draw_ms"] > 0 and report["board_service_ms"] > 0 and report["board_target_ms"] == 100.0
    assert all(isinstance(report[k], bool) for k in ("survey_import_ok", "permit_ok", "board_ok"))


def test_bench_presale_on_a_temporary_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    _assert_complete(_run(), "sqlite")
    assert not (tmp_path / "wangqian.db").exists()  # the configured database is not touched


@pytest.mark.postgresql
def test_bench_presale_on_a_temporary_postgresql_database(tmp_path, monkeypatch):
    need_postgresql()
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    _assert_complete(_run("--db-url", PG_URL), "postgresql")
    assert databases_left("presale") == 0  # dropped afterwards


def test_bench_presale_refuses_bad_runs_and_urls():
    for args, code in ((["--runs", "0"], "BENCH_BAD_RUNS"), (["--db-url", "mysql://x"], "BENCH_BAD_DB_URL")):
        result = runner.invoke(app, ["bench", "presale", *args, "--json"])
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert code in "".join(result.stderr.split()) and result.stdout == ""
