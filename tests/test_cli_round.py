"""`wangqian round …`, `wangqian report round|family` and `wangqian bench allocation` (tui.cli.allocation, tui.cli.bench)
on the hall's database (SQLite and PostgreSQL, named by WANGQIAN_DB_URL), through typer's CliRunner."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bench import allocation
from services.allocation import rounds
from services.allocation.simulate import simulate
from storage.engine import Database
from tests.test_rounds import IN_FORMAL, _families, _houses, _round, _set_formal, _supervisor
from tests.conftest import PG_URL, at, need_postgresql
from tui.cli.main import app

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")
NAMES = ["张三", "欧阳娜娜", "李四", "王五", "赵六"]
TABLES = ("allocation_round", "round_family", "public_house", "family", "wish", "round_journal", "audit_entry")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


@pytest.fixture
def hall(cli_db):
    """The configured database (each backend) with one round (第1场) of five families over five
    houses: a confirm, a give-up, a better wish taken by an earlier family, a family with no list."""
    db = cli_db
    boss = _supervisor(db)
    fams = _families(db, 5, names=NAMES)
    h = _houses(db, ["H01", "H02", "H03", "H04", "H05"])
    rid = _round(db, boss, fams)
    f1, f2, f3, f4, _f5 = fams
    _set_formal(db, rid, f1, [h["H02"], h["H01"]])
    _set_formal(db, rid, f2, [h["H02"], h["H03"]])
    _set_formal(db, rid, f3, [h["H04"]])
    _set_formal(db, rid, f4, [h["H04"], h["H05"], h["H01"]])
    rounds.confirm_house(at(db, IN_FORMAL), boss, rid, f4, h["H05"])
    rounds.give_up(at(db, IN_FORMAL), boss, rid, f3, "已购房")
    yield db, rid, fams


def _snapshot(db: Database) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in TABLES}


def _refusal(result, code: str, exit_code: int = 1) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    said = "".join(result.stderr.split())  # Rich wraps long lines at the console width
    assert code in said and CJK.search(said), result.stderr
    assert "Traceback" not in result.output


def test_round_list_show_and_lookup_refusals(hall):
    _, rid, _ = hall
    listing = invoke("round", "list", "--json")
    assert listing.exit_code == 0, listing.output
    rows = json.loads(listing.stdout)
    assert [(r["number"], r["id"], r["status"], r["families"]) for r in rows] == [(1, rid, "open", 5)]
    plain = invoke("round", "list")
    assert plain.exit_code == 0 and "第1场" in plain.stdout and "选房中" in plain.stdout
    show = invoke("round", "show", "第1场")
    assert show.exit_code == 0, show.output
    assert "测试第1场" in show.stdout and "选房家庭 5 户" in show.stdout and "放弃 1 户" in show.stdout
    detail = json.loads(invoke("round", "show", "1", "--json").stdout)
    assert (detail["status"], detail["confirmed"], detail["gave_up"], detail["houses_free"]) == ("open", 1, 1, 5)
    _refusal(invoke("round", "show", "7"), "ROUND_NOT_FOUND")
    _refusal(invoke("round", "show", "abc"), "ROUND_BAD_NUMBER", 2)
    _refusal(invoke("round", "reopen", "1", "--reason", "复核"), "ROUND_NOT_PUBLISHED")


def test_run_verify_tamper_rerun_reopen(hall):
    db, rid, fams = hall
    before = _snapshot(db)
    dry = invoke("round", "run", "1", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    preview = json.loads(dry.stdout)
    assert _snapshot(db) == before  # a dry run writes nothing
    assert json.loads(invoke("round", "show", "1", "--json").stdout)["status"] == "open"
    never = invoke("round", "verify", "1")
    assert never.exit_code == 1 and "尚未运行" in never.stderr

    run = invoke("round", "run", "1", "--json")
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    assert report == preview
    assert set(report) == {"results", "free_after", "warnings"}
    with db.engine.connect() as conn:
        inputs = conn.execute(text("SELECT payload FROM round_journal WHERE round_id = :rid AND run = 1 AND seq = 1"),
                              {"rid": rid}).scalar_one()
    assert report == simulate(inputs).to_json()  # the output is the simulation of the journaled inputs
    assert run.stdout == json.dumps(simulate(inputs).to_json(), ensure_ascii=False, indent=2) + "\n"
    f1, f2, f3, f4, f5 = fams
    assert [(r["family"], r["house"], r["status"]) for r in report["results"]] == [
        (f1, "H02", "allocated"), (f2, "H03", "allocated"), (f3, None, "gave_up"), (f4, "H05", "confirmed"),
        (f5, None, "not_allocated")]

    ok = invoke("round", "verify", "1")
    assert ok.exit_code == 0, ok.output
    assert "哈希链完整" in ok.stdout

    with db.engine.begin() as conn:  # behind the application's back
        conn.execute(text("UPDATE round_journal SET payload = replace(payload, 'H03', 'H01') WHERE seq = 2"))
    bad = invoke("round", "verify", "1")
    assert bad.exit_code == 1
    said = "".join(bad.stderr.split())
    assert "第2条日志" in said and "篡改" in said and "ROUND_VERIFY_FAILED" in said
    assert json.loads(invoke("round", "verify", "1", "--json").stdout)["seq"] == 2

    _refusal(invoke("round", "run", "1"), "ROUND_ALREADY_PUBLISHED")
    _refusal(invoke("round", "reopen", "1", "--reason", " "), "ROUND_REOPEN_REASON_EMPTY")
    reopened = invoke("round", "reopen", "1", "--reason", "复核选房结果")
    assert reopened.exit_code == 0, reopened.output
    assert json.loads(invoke("round", "show", "1", "--json").stdout)["status"] == "reopened"
    again = invoke("round", "run", "第1场")
    assert again.exit_code == 0, again.output
    assert "已分配 2 户" in again.stdout and "已确认 1 户" in again.stdout
    assert invoke("round", "verify", "1").exit_code == 0  # run 2 has its own, intact journal


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_reports_round_and_family(hall, tmp_path):
    _, _, fams = hall
    early = tmp_path / "early.pdf"
    _refusal(invoke("report", "round", "1", "-o", str(early)), "ROUND_RESULT_NOT_PUBLISHED")
    assert not early.exists()
    assert invoke("round", "run", "1").exit_code == 0

    listing = tmp_path / "list.pdf"
    made = invoke("report", "round", "1", "-o", str(listing))
    assert made.exit_code == 0, made.output
    text = subprocess.run(["pdftotext", "-layout", str(listing), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "选房结果公示" in text and "测试第1场" in text
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any(line.startswith("1 张* H02") and "已分配" in line for line in lines), text
    assert any(line.startswith("2 欧阳** H03") for line in lines), text
    assert any(line.startswith("3 李*") and "已放弃" in line for line in lines), text
    assert any(line.startswith("4 王* H05") and "已确认" in line for line in lines), text
    assert any(line.startswith("5 赵*") and "未分配" in line for line in lines), text
    assert "张三" not in text and "欧阳娜娜" not in text  # names masked on the public list

    notice = tmp_path / "notice.pdf"
    made = invoke("report", "family", "1", str(fams[0]), "-o", str(notice))
    assert made.exit_code == 0, made.output
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(notice), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "选房结果通知书" in text and "张三" in text and "H02" in text and "已分配" in text
    assert not re.search(r"T\d{17}", text) and "*" in text  # the ID number only masked
    none = tmp_path / "none.pdf"
    assert invoke("report", "family", "1", str(fams[4]), "-o", str(none)).exit_code == 0
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(none), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "赵六" in text and "未分配" in text and "补选" in text
    _refusal(invoke("report", "family", "1", "999999", "-o", str(tmp_path / "x.pdf")), "ROUND_FAMILY_NOT_IN_ROUND")
    _refusal(invoke("report", "round", "1", "-o", str(tmp_path / "missing" / "x.pdf")), "REPORT_BAD_OUTPUT", 2)


BENCH_KEYS = ("database", "database_note", "generate_s", "baseline_s", "end_to_end_s", "ratio", "baseline_cpu_s",
              "end_to_end_cpu_s", "cpu_ratio", "phases_s", "phases_cpu_s", "journal_s", "ratio_without_journal",
              "cpu_ratio_without_journal", "allocated", "results_agree")


def _bench_report(*args: str) -> dict:
    result = invoke("bench", "allocation", "--families", "300", "--houses", "120", "--list-len", "5", "--json", *args)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    report = json.loads(result.stdout)
    assert (report["benchmark"], report["families"], report["houses"], report["list_len"], report["wishes"],
            report["target_ratio"]) == ("allocation", 300, 120, 5, 1500, 1.25)
    for key in ("runs", "timing", "load_average_before", "load_average_after"):
        assert key in report, key
    for kind in report["databases"]:
        found = report[kind]
        for key in BENCH_KEYS:
            assert key in found, (kind, key)
        assert found["database"] == kind and found["results_agree"] is True and found["ratio"] > 0
        # Every phase of the run timed, in order; no timing is asserted.
        assert list(found["phases_s"]) == list(found["phases_cpu_s"]) == list(allocation.PHASES)
    return report


def test_bench_allocation_small(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    report = _bench_report()
    assert report["databases"] == ["sqlite"] and "postgresql" not in report
    assert not (tmp_path / "wangqian.db").exists()  # the configured database is not touched
    plain = invoke("bench", "allocation", "--families", "50", "--houses", "20", "--list-len", "3")
    assert plain.exit_code == 0 and "比值" in plain.stdout
    _refusal(invoke("bench", "allocation", "--houses", "3", "--list-len", "5"), "BENCH_BAD_SIZE", 2)
    _refusal(invoke("bench", "allocation", "--db-url", "mysql://x"), "BENCH_BAD_DB_URL", 2)
    _refusal(invoke("bench", "allocation", "--database", "oracle"), "BENCH_BAD_DATABASE", 2)
    _refusal(invoke("bench", "allocation", "--database", "postgresql"), "BENCH_BAD_DB_URL", 2)  # no server known


@pytest.mark.postgresql
def test_bench_allocation_on_postgresql_without_statistics(tmp_path, monkeypatch):
    need_postgresql()
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    report = _bench_report("--db-url", PG_URL)  # a server given: both databases
    assert report["databases"] == ["sqlite", "postgresql"]
    pg = report["postgresql"]
    # The timed runs met tables never analysed: no row estimates, no column statistics.
    assert pg["statistics_at_start"] and all(t == {"reltuples": -1, "pg_stats_rows": 0}
                                             for t in pg["statistics_at_start"].values())
    assert list(pg["phases_analyzed_s"]) == list(allocation.PHASES)  # and one run after ANALYZE, to compare
    assert pg["allocated"] == report["sqlite"]["allocated"]
    only = _bench_report("--db-url", PG_URL, "--database", "postgresql")
    assert only["databases"] == ["postgresql"] and "sqlite" not in only
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.connect() as conn:
            left = conn.execute(text("SELECT count(*) FROM pg_database WHERE datname LIKE :mine"),
                                {"mine": f"wq_bench_alloc_{os.getpid()}_%"})  # this process made them
            assert left.scalar_one() == 0  # every one dropped afterwards
    finally:
        admin.dispose()
