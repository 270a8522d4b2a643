"""`wangqian bench signing` (bench.signing, tui.cli.bench) at a tiny size: every contract of
every clerk goes through the whole flow and is signed, every code is verified, the audit chain
stays one chain, and the temporary database is gone afterwards. Behaviour only: no timings."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.bench_support import databases_left
from tests.conftest import PG_URL, need_postgresql
from tui.cli.main import app

runner = CliRunner()

KEYS = ("benchmark", "database", "city", "clerks", "processes", "cpus", "flow", "contracts", "signed",
        "signed_in_database", "signing_errors", "signing_s", "signings_per_s", "signing_p50_ms", "signing_p95_ms",
        "verifications", "verified", "verification_errors", "verifications_per_s", "verification_p50_ms",
        "verification_p95_ms", "audit_rows", "audit_chain_intact", "targets", "signings_ok", "verifications_ok")


def _run(*extra: str) -> dict:
    result = runner.invoke(app, ["bench", "signing", "--clerks", "2", "--contracts", "4", "--verifications", "4",
                                 "--processes", "1", "--json", *extra])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _assert_complete(report: dict, database: str) -> None:
    for key in KEYS:
        assert key in report, key
    assert (report["benchmark"], report["database"], report["clerks"], report["processes"]) == (
        "signing", database, 2, 1)
    assert report["contracts"] == report["signed"] == report["signed_in_database"] == 4
    assert report["signing_errors"] == 0 and report["signing_error_samples"] == []
    assert report["verifications"] == report["verified"] == 4 and report["verification_errors"] == 0
    assert report["audit_chain_intact"] is True and report["audit_rows"] > 0
    assert report["targets"] == {"database": "postgresql", "clerks": 32, "signings_per_s": 50,
                                 "verifications_per_s": 200}
    assert isinstance(report["signings_ok"], bool) and isinstance(report["verifications_ok"], bool)
    assert report["signings_per_s"] > 0 and report["verifications_per_s"] > 0
    cost = report["one_signing"]  # the probe's signings are signed too, apart from the timed ones
    assert cost["signings"] == 10 and cost["statements"] > 0 and cost["transactions"] > 0
    # the server's CPU is read from /proc: the test's PostgreSQL runs on this machine
    assert cost["server_cpu_ms"] is None if database == "sqlite" else cost["server_cpu_ms"] > 0
    # PostgreSQL: the same shape of work by bare psycopg, measured in the same run, and the ratio
    floor = report["bare_driver_floor"]
    if database == "sqlite":
        assert floor is None and report["signings_vs_floor"] is None
    else:
        assert floor["flows"] == 4 and floor["flows_per_s"] > 0 and floor["statements_per_flow"] == 43
        assert report["signings_vs_floor"] > 0


def test_bench_signing_on_a_temporary_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    _assert_complete(_run(), "sqlite")
    assert not (tmp_path / "wangqian.db").exists()  # the configured database is not touched


@pytest.mark.postgresql
def test_bench_signing_on_a_temporary_postgresql_database(tmp_path, monkeypatch):
    need_postgresql()
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    _assert_complete(_run("--db-url", PG_URL), "postgresql")
    assert databases_left("signing") == 0  # dropped afterwards


def test_bench_signing_refuses_bad_sizes():
    for args, code in ((["--clerks", "0"], "BENCH_BAD_SIZE"), (["--clerks", "3", "--contracts", "2"], "BENCH_BAD_SIZE"),
                       (["--clerks", "2", "--processes", "3"], "BENCH_BAD_WORKERS"),
                       (["--clerks", "2", "--db-url", "mysql://x"], "BENCH_BAD_DB_URL")):
        result = runner.invoke(app, ["bench", "signing", *args, "--json"])
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert code in "".join(result.stderr.split()) and result.stdout == ""


def _concurrency(*extra: str) -> dict:
    result = runner.invoke(app, ["bench", "concurrency", "--clerks", "2", "--submissions", "4", "--contracts", "2",
                                 "--processes", "1", "--json", *extra])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def _assert_concurrency(report: dict, database: str) -> None:
    assert (report["benchmark"], report["database"]) == ("concurrency", database)
    assert report["submissions"] == report["submitted"] == 4 and report["submission_errors"] == 0
    assert report["submission_preparation_s"] >= 0  # untimed by the figures: bench.bulk, before the workers start
    assert report["signed"] == 2 and report["signing_errors"] == 0
    race = report["single_winner"]  # two processes, one home: one contract
    assert race["racers"] == 2 and race["winners"] == 1 and race["contracts_on_the_home"] == 1
    assert race["refusals"] == {"won": 1, "CONTRACT_HOUSE_TAKEN": 1} and report["single_winner_ok"] is True
    assert report["audit_chain_intact"] is True and report["submissions_per_s"] > 0
    assert report["targets"]["submissions_per_s"] == (200 if database == "postgresql" else 100)


def test_bench_concurrency_on_a_temporary_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    _assert_concurrency(_concurrency(), "sqlite")


@pytest.mark.postgresql
def test_bench_concurrency_on_a_temporary_postgresql_database(tmp_path, monkeypatch):
    need_postgresql()
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    _assert_concurrency(_concurrency("--db-url", PG_URL), "postgresql")
