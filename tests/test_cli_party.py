"""`wangqian party …`: the register from the command line — Chinese sentences, rule codes,
exit codes 1 and 2, numbers masked, nothing written on a refusal, the import all or nothing."""

from __future__ import annotations

import json
import random
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from core.identity import make_credit_code, make_resident_id
from tests.conftest import hall_rows
from tui.cli.main import app

runner = CliRunner()
OWNER = make_resident_id(random.Random(41), birth_date=date(1970, 2, 3))
PROXY = make_resident_id(random.Random(42), birth_date=date(1985, 6, 7))
NEW = make_resident_id(random.Random(43), birth_date=date(1970, 2, 3))
USCC = make_credit_code(random.Random(44))
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def hall(cli_db, tmp_path):
    """The data folder of a hall whose migrated database (on each backend) the commands open."""
    return tmp_path


def _rows(hall, table: str) -> int:
    """Rows of ``table`` in the database the commands open."""
    return hall_rows([table])[table]


def _run(*args: str):
    result = runner.invoke(app, list(args))
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown and (result.exception is None or isinstance(result.exception, SystemExit)), shown
    return result, shown


def test_the_whole_register_from_the_command_line(hall):
    ok, shown = _run("party", "add-person", "--name", "王建国", "--number", OWNER.lower(), "--phone", "13800138000")
    assert ok.exit_code == 0, shown
    assert OWNER not in shown and OWNER[:6] + "********" in shown and "138****8000" in shown
    assert _run("party", "add-person", "--name", "钱代理", "--number", PROXY)[0].exit_code == 0
    ok, shown = _run("party", "add-org", "--name", "深圳市安居置业有限公司", "--credit-code", USCC, "--legal-rep", "张三")
    assert ok.exit_code == 0, shown
    ok, shown = _run("party", "add-agent", USCC, PROXY, "--from", "2026-01-01", "--to", "2099-12-31")
    assert ok.exit_code == 0 and "已添加经办人" in shown, shown
    ok, shown = _run("party", "add-proxy", OWNER, PROXY, "--notarial", "（2026）粤深证字第1号", "--from", "2026-01-01",
                     "--to", "2099-12-31")
    assert ok.exit_code == 0 and "已登记公证委托" in shown, shown
    ok, shown = _run("party", "change-id", OWNER, NEW, "--proof", "公安机关出具的身份证号码变更证明")
    assert ok.exit_code == 0 and "已办理身份变更" in shown, shown
    for number in (OWNER, NEW):
        ok, shown = _run("party", "show", number)
        assert ok.exit_code == 0 and "王建国" in shown and "身份变更前" in shown and OWNER not in shown, shown
    ok, shown = _run("party", "find", NEW[:10], "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)[0]["name"] == "王建国"
    ok, shown = _run("party", "change", NEW, "--address", "[/x] 福田区", "--capacity", "full")
    assert ok.exit_code == 0, shown
    assert "[/x] 福田区" in _run("party", "show", NEW)[1]
    ok, shown = _run("party", "change", USCC, "--legal-rep", "李四")
    assert ok.exit_code == 0, shown
    ok, shown = _run("party", "unbind-agent", USCC, PROXY)
    assert ok.exit_code == 0 and "已解绑经办人" in shown, shown
    assert "已解绑" in _run("party", "show", USCC)[1]
    assert _rows(hall, "person") == 2 and _rows(hall, "identity_change") == 1


@pytest.mark.parametrize("args,code,exit_code", [
    (["add-person", "--name", "王😀", "--number", OWNER], "NAME_BAD_CHARACTERS", 1),
    (["add-person", "--name", "[/x]", "--number", OWNER], "NAME_BAD_CHARACTERS", 1),
    (["add-person", "--name", "王建国", "--number", "１２３"], "ID_UNKNOWN_FORMAT", 1),
    (["add-person", "--name", "王建国", "--number", "字" * 10000], "INPUT_TOO_LONG", 1),
    (["add-person", "--name", "王建国", "--number", OWNER, "--kind", "9"], "ID_UNKNOWN_KIND", 1),
    (["add-person", "--name", "王建国", "--number", OWNER, "--address", "x" * 10000], "TEXT_TOO_LONG", 1),
    (["add-org", "--name", "😀", "--credit-code", "[/x]", "--legal-rep", "x"], "USCC_BAD_LENGTH", 1),
    (["add-agent", USCC, OWNER, "--from", "2026-13-01", "--to", "2027-01-01"], "DATE_BAD", 1),
    (["add-agent", USCC, OWNER, "--from", "2026-01-01", "--to", "2027-01-01"], "ORG_NOT_FOUND", 2),
    (["show", "[/x]"], "PARTY_NOT_FOUND", 2),
    (["change", OWNER, "--phone", "1"], "PARTY_NOT_FOUND", 2),
    (["change-id", OWNER, NEW, "--proof", " "], "ID_CHANGE_PROOF_EMPTY", 1),
    (["add-proxy", OWNER, PROXY, "--notarial", "😀", "--from", "x", "--to", "y"], "DATE_BAD", 1),
])
def test_bad_values_are_refused_in_one_chinese_sentence_and_write_nothing(hall, args, code, exit_code):
    result, shown = _run("party", *args)
    assert result.exit_code == exit_code, shown
    assert code in shown and CJK.search(shown)
    assert _rows(hall, "person") == 0 and _rows(hall, "organisation") == 0


def test_every_bad_value_of_an_entry_is_listed(hall):
    result, shown = _run("party", "add-person", "--name", "王😀", "--number", "1", "--phone", "x")
    assert result.exit_code == 1
    assert all(code in shown for code in ("NAME_BAD_CHARACTERS", "ID_", "PHONE_BAD_FORMAT")), shown


HEADER = "类型,姓名或名称,证件类型,证件号码,国籍,手机号,住址,行为能力,法定代表人\n"


def test_an_import_with_any_bad_row_writes_nothing_and_reports_every_row(hall):
    bad = hall / "bad.csv"
    bad.write_text(HEADER + f"个人,王建国,,{OWNER},,,,,\n个人,王😀,,{PROXY},,,,,\n单位,公司,,123,,,,,张三\n",
                   encoding="utf-8")
    result, shown = _run("party", "import", str(bad))
    assert result.exit_code == 1, shown
    assert "第3行【姓名或名称】" in shown and "第4行【证件号码】" in shown and "CSV_HAS_ERRORS" in shown
    assert _rows(hall, "person") == 0 and _rows(hall, "audit_entry") == 0
    good = hall / "good.csv"
    good.write_bytes((HEADER + f"个人,王建国,,{OWNER},,13800138000,,,\n单位,公司,,{USCC},,,,,张三\n").encode("gb18030"))
    result, shown = _run("party", "import", str(good))
    assert result.exit_code == 0 and "已导入 1 名个人、1 个单位" in shown, shown
    result, shown = _run("party", "import", str(good))
    assert result.exit_code == 1 and "PERSON_ALREADY_REGISTERED" in shown and "ORG_ALREADY_REGISTERED" in shown
    result, shown = _run("party", "import", str(hall / "missing.csv"))
    assert result.exit_code == 2 and "CSV_NOT_READABLE" in shown
    result, shown = _run("party", "import", str(hall))
    assert result.exit_code == 2 and "CSV_NOT_READABLE" in shown


def test_help_is_in_chinese(hall):
    result, shown = _run("party", "--help")
    assert result.exit_code == 0 and "当事人登记" in shown and "add-person" in shown and "Usage" not in shown
