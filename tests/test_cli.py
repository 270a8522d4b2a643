"""The `wangqian` command line: exit codes, Chinese refusals, JSON, nothing written on refusal."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import row_counts
from tui.cli.main import app

runner = CliRunner()


def test_check_id_prints_facts_and_json():
    result = runner.invoke(app, ["check", "id", "11010519491231002x", "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["ok"] is True
    assert facts["number"] == "11010519491231002X"
    assert facts["birth_date"] == "1949-12-31" and facts["sex"] == "女"


def test_check_id_refusal_exits_1_with_code():
    result = runner.invoke(app, ["check", "id", "110105194912310021", "--json"])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["ok"] is False and body["code"] == "ID_BAD_CHECK_DIGIT"
    plain = runner.invoke(app, ["check", "id", "110105194912310021"])
    assert plain.exit_code == 1 and "ID_BAD_CHECK_DIGIT" in plain.stderr


def test_check_uscc_and_phone():
    ok = runner.invoke(app, ["check", "uscc", "91350100M000100Y43", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["code"] == "91350100M000100Y43"
    assert runner.invoke(app, ["check", "uscc", "91350100M000100Y44"]).exit_code == 1
    phone = runner.invoke(app, ["check", "phone", "+86 138 1234 5678", "--json"])
    assert json.loads(phone.stdout)["number"] == "13812345678"
    assert runner.invoke(app, ["check", "phone", "12345"]).exit_code == 1
    assert runner.invoke(app, ["check", "bogus", "1"]).exit_code == 1


def test_operator_lifecycle_and_audit_verify(cli_db):
    add = runner.invoke(app, ["operator", "add", "zhangmin", "--name", "张敏", "--role", "clerk", "--window", "03",
                              "--password-stdin"], input="Secret123\n")
    assert add.exit_code == 0, add.output
    listing = runner.invoke(app, ["operator", "list", "--json"])
    assert json.loads(listing.stdout)[0]["username"] == "zhangmin"
    assert runner.invoke(app, ["operator", "disable", "zhangmin"]).exit_code == 0
    assert runner.invoke(app, ["operator", "unlock", "zhangmin"]).exit_code == 0
    assert runner.invoke(app, ["operator", "passwd", "zhangmin", "--password-stdin"], input="Other1234\n").exit_code == 0
    verify = runner.invoke(app, ["audit", "verify", "--json"])
    assert verify.exit_code == 0 and json.loads(verify.stdout)["rows"] == 4
    # tamper with row 2 behind the application's back
    with cli_db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET action = 'nothing' WHERE seq = 2"))
    broken = runner.invoke(app, ["audit", "verify", "--json"])
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["first_break"]["seq"] == 2


def test_bad_operator_input_is_one_sentence_and_writes_nothing(cli_db):
    result = runner.invoke(app, ["operator", "add", "x y", "--name", "甲", "--role", "clerk", "--password-stdin"],
                           input="Secret123\n")
    assert result.exit_code == 1
    assert "OPERATOR_BAD_USERNAME" in result.stderr and "用户名" in result.stderr
    result = runner.invoke(app, ["operator", "add", "xy", "--name", "甲", "--role", "chief", "--password-stdin"],
                           input="Secret123\n")
    assert result.exit_code == 1 and "OPERATOR_BAD_ROLE" in result.stderr
    assert row_counts(cli_db, ["operator", "audit_entry"]) == {"operator": 0, "audit_entry": 0}
    missing = runner.invoke(app, ["operator", "disable", "nobody"])
    assert missing.exit_code == 1 and "OPERATOR_NOT_FOUND" in missing.stderr


def test_unmigrated_database_is_a_sentence_not_a_traceback(cli_blank_db):
    result = runner.invoke(app, ["operator", "list"])
    assert result.exit_code == 2
    assert "wangqian db upgrade" in result.stderr and "Traceback" not in result.output


def test_db_upgrade_says_what_it_did(cli_blank_db):
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0 and "数据库结构已升级到最新版本" in first.output and "原为空库" in first.output
    again = runner.invoke(app, ["db", "upgrade"])
    assert again.exit_code == 0 and "已是最新版本" in again.output and "无需升级" in again.output


def test_db_init_sample_then_case_show(cli_blank_db):
    result = runner.invoke(app, ["db", "init", "--sample"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["db", "init", "--sample"])
    assert again.exit_code == 1 and "DATA_NOT_EMPTY" in again.stderr
    missing = runner.invoke(app, ["case", "show", "F202201010000001"])
    assert missing.exit_code == 1 and "CASE_NOT_FOUND" in missing.stderr


def test_db_gen_makes_valid_synthetic_persons(cli_db):
    from core.identity import parse_identity

    result = runner.invoke(app, ["db", "gen", "--persons", "120"])
    assert result.exit_code == 0, result.output
    with cli_db.engine.connect() as conn:
        numbers = [r[0] for r in conn.execute(text("SELECT id_number FROM person"))]
        assert len(numbers) == 120 == len(set(numbers))
        assert conn.execute(text("SELECT action FROM audit_entry ORDER BY seq DESC LIMIT 1")).scalar_one() == (
            "synthetic_data_generated")
    assert all(parse_identity(n, today=date(2026, 11, 21)).number == n for n in numbers[:50])
    before = row_counts(cli_db, ["person", "audit_entry"])
    for count in ("0", "-1", "99999999999"):  # more than the synthetic ID numbers: a sentence, not a ValueError
        bad = runner.invoke(app, ["db", "gen", "--persons", count])
        assert bad.exit_code == 1 and "DATA_BAD_COUNT" in bad.stderr and "生成人数" in bad.stderr, bad.output
    assert row_counts(cli_db, ["person", "audit_entry"]) == before


def test_a_command_closes_the_database_it_opened(cli_db, monkeypatch):
    """A process that runs many commands (the fuzz test's thousands) kept each one's connection
    until it was collected: on PostgreSQL, forty clients at a time."""
    from tui import factory

    opened = []
    open_database = factory.open_database
    monkeypatch.setattr(factory, "open_database", lambda *a, **k: opened.append(open_database(*a, **k)) or opened[-1])
    for args in (["case", "show", "F202201010000001"], ["operator", "list"]):
        runner.invoke(app, args)
    assert len(opened) == 2 and all(db.engine.pool.checkedin() == 0 for db in opened)


def test_a_password_typed_at_the_terminal_is_asked_for_twice_in_chinese(cli_db):
    typed = runner.invoke(app, ["operator", "add", "bob", "--name", "王小明", "--role", "clerk"],
                          input="Secret123\nSecret124\nSecret123\nSecret123\n")
    assert typed.exit_code == 0, typed.output
    assert "再次输入密码" in typed.output and "两次输入的密码不一致，请重新输入。" in typed.output
    assert "Repeat for confirmation" not in typed.output and "do not match" not in typed.output
    cut_short = runner.invoke(app, ["operator", "passwd", "bob"], input="Secret123\n")
    assert cut_short.exit_code == 1 and "已取消" in cut_short.output and "Repeat" not in cut_short.output


def test_bench_lookup_tops_up_the_applicants_and_refuses_sizes_that_measure_nothing(cli_db):
    result = runner.invoke(app, ["bench", "lookup", "--persons", "40", "--samples", "5", "--json"])
    assert result.exit_code == 0, result.output  # the top-up called a function that no longer existed
    report = json.loads(result.stdout)
    assert report["persons"] == 40 and report["samples_per_kind"] == 5 and report["kinds"]["id_full"]["n"] == 5
    before = row_counts(cli_db, ["person", "audit_entry"])
    for persons, samples in (("0", "5"), ("-1", "5"), ("40", "0"), ("40", "-1"), ("99999999999", "5"), ("40", "999999")):
        bad = runner.invoke(app, ["bench", "lookup", "--persons", persons, "--samples", samples])
        assert bad.exit_code == 2 and "BENCH_BAD_SIZE" in bad.stderr and "查询次数" in bad.stderr, bad.output
    assert row_counts(cli_db, ["person", "audit_entry"]) == before


def test_bench_pdf_small_json_reports_workers_and_single_figure():
    result = runner.invoke(app, ["bench", "pdf", "--receipts", "2", "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["receipts"] == 2 and report["receipts_workers"] == 1
    assert report["receipts_single_s"] == report["receipts_s"] > 0
    assert report["receipts_target_s"] == 30 and report["usable_cpus"] >= 1
    refused = runner.invoke(app, ["bench", "pdf", "--workers", "0"])
    assert refused.exit_code == 2 and "BENCH_BAD_WORKERS" in refused.stderr
