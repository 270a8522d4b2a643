"""`wangqian presale ledger …` and `wangqian presale mortgage …`: a receipt back-entered and
archived, a refund over what was paid refused by its sentence (exit 1), the ledger as JSON; a
mortgage set up, refusing a contract until authorised, cancelled; exit 2 for what does not exist."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from core.presale.developers import BankEntry
from services.presale import contracts, developers
from tests.conftest import SYSTEM
from tests.test_presale_contracts import contract_hall, entry
from tui import factory
from tui.cli.main import app

runner = CliRunner()
CASE = re.compile(r"Z\d{15}")


@pytest.fixture
def sold(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    for name in ("WANGQIAN_DB_URL", "WANGQIAN_CITY", "WANGQIAN_SMS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = factory.open_database(factory.load_settings())
    hall, permit = contract_hall(db, 97)
    number = contracts.start_contract(db, hall.dev, permit_number=permit, unit_no="2-01").number
    contracts.save_entry(db, hall.dev, number, entry())
    return hall, permit, number


def _run(*args: str):
    result = runner.invoke(app, ["presale", *args])
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown and (result.exception is None or isinstance(result.exception, SystemExit)), shown
    return result.exit_code, shown


def _ok(*args: str) -> str:
    code, shown = _run(*args)
    assert code == 0, shown
    return shown


def test_the_ledger_from_the_command_line(sold):
    hall, permit, number = sold
    found = json.loads(_ok("ledger", "find", permit, "--json"))
    assert [r["number"] for r in found] == [number]
    code, shown = _run("ledger", "add", number, "--as", "dev_a", "--kind", "退款", "--amount", "1")
    assert code == 1 and "该合同没有可退款项，不能补录退款流水。" in shown
    case = CASE.search(_ok("ledger", "add", number, "--as", "dev_a", "--kind", "入账", "--amount", "2000.50",
                           "--receipt", "YH001", "--date", "2026-11-01")).group(0)
    assert "审核通过" in _ok("ledger", "review", case, "--as", "super_p", "--opinion", "同意")
    code, shown = _run("ledger", "add", number, "--as", "dev_a", "--kind", "refund", "--amount", "2000.51")
    assert code == 1 and "退款金额¥2,000.51大于可退金额¥2,000.50" in shown
    data = json.loads(_ok("ledger", "show", number, "--json"))
    assert (data["paid"], data["refundable"], [e["status_label"] for e in data["entries"]]) == (
        "2000.50", "2000.50", ["已入账"])
    assert "实缴 ¥2,000.50" in _ok("ledger", "show", number)
    code, shown = _run("ledger", "show", "YSHT000")
    assert code == 2
    code, shown = _run("ledger", "review", "Z000000000000000", "--as", "super_p")
    assert code == 2 and "没有业务号为“Z000000000000000”的户室流水补录业务。" in shown


def test_a_mortgage_from_the_command_line(sold):
    hall, permit, _ = sold
    project = str(hall.project_id)
    code, shown = _run("mortgage", "set-up", project, "D004", "--contract", "DY-1", "--amount", "1000000",
                       "--units", "3-01")
    assert code == 1 and "本企业还未维护贷款银行信息" in shown
    developers.add_bank(hall.db, SYSTEM, hall.code, BankEntry(purpose="贷款银行", bank_name="中国农业银行"))
    made = json.loads(_ok("mortgage", "set-up", project, "D004", "--contract", "DY-1", "--amount", "1000000",
                          "--units", "3-01,3-02", "--json"))
    assert (made["status_label"], [u["unit_no"] for u in made["units"]]) == ("抵押中", ["3-01", "3-02"])
    code, shown = _run("contract", "start", "--as", "dev_a", "--permit", permit, "-u", "3-01")
    assert code == 1 and "该户室已设立在建工程抵押，未经抵押权人签约授权，不能签约。" in shown
    assert "已授权预售签约 1 套" in _ok("mortgage", "authorise", str(made["id"]), "--units", "3-01")
    _ok("contract", "start", "--as", "dev_a", "--permit", permit, "-u", "3-01")
    assert "在建抵押" in _ok("board", "show", project, "D004")
    assert "已注销" in _ok("mortgage", "cancel", str(made["id"]), "--reason", "贷款已结清")
    assert json.loads(_ok("mortgage", "list", project, "D004", "--json"))[0]["status_label"] == "已注销"
    code, shown = _run("mortgage", "cancel", "999", "--reason", "x")
    assert code == 2 and "没有编号为“999”的在建工程抵押。" in shown
    code, shown = _run("mortgage", "authorise", "[/x]")  # read by the use case, shown literally
    assert code == 2 and "没有编号为“[/x]”的在建工程抵押。（MORTGAGE_NOT_FOUND）" in shown
    code, shown = _run("mortgage", "list", "１x", "D004")
    assert code == 2 and "项目编号应为数字。（PROJECT_NOT_FOUND）" in shown


def test_the_missing_facts_from_the_command_line(sold):
    hall, _, _ = sold
    started = json.loads(_ok("facts", "start", str(hall.project_id), "D004", "--as", "dev_a", "--json"))
    number = started["case_number"]
    assert number.startswith("X") and started["missing"][0] == "项目信息：用地面积、规划总建筑面积"
    code, shown = _run("facts", "submit", number, "--as", "dev_a")
    assert code == 1 and "请先补录带*号的必填项" in shown
    code, shown = _run("facts", "project", number, "--as", "dev_a", "--property-company", "另一家物业")
    assert code == 1 and "项目的“物业公司”已有信息，户室信息补录只补录缺失的信息。" in shown
    _ok("facts", "project", number, "--as", "dev_a", "--land-area", "12000", "--floor-area", "56000")
    _ok("facts", "building", number, "--as", "dev_a", "--use", "住宅")
    assert "装修单价 0/102 户已有 → 500" in _ok("facts", "units", number, "--as", "dev_a", "装修单价=500")
    assert "已派件" in _ok("facts", "submit", number, "--as", "dev_a")
    assert "已归档" in _ok("facts", "review", number, "--as", "super_p")
    assert json.loads(_ok("facts", "show", number, "--json"))["case_status_label"] == "已办结"
    code, shown = _run("facts", "show", "X000000000000000")
    assert code == 2


def test_a_returned_contract_refunded_from_the_command_line(sold, tmp_path):
    """退款 after a house return: the ledger and the return say what remains to refund; `ledger
    refund` refunds all of it (or a part), `--kind 入账` is refused on a returned contract."""
    from services.presale import returns
    from tests.test_presale_refund import _returned
    from tests.test_presale_returns import sold as sold_contract

    from tests.fund_support import agreement_in_force

    hall, permit, _ = sold
    agreement = agreement_in_force(hall)
    number = sold_contract(hall.db, hall, permit, "3-01")
    case = _returned(hall.db, hall, number, tmp_path)
    paid = contracts.show_contract(hall.db, hall.dev, number).paid
    due = f"¥{paid:,.2f}"
    assert f"已入账中含已退房待退款 {due}，不计入一般资金可支取额。" in _ok("fund", "withdrawal", "table", agreement)
    shown = _ok("ledger", "show", number)
    assert f"已退房：待退款 {due}，请补录退款流水。" in shown and "可补录：退款" in shown
    assert json.loads(_ok("ledger", "show", number, "--json"))["refund_due"] == str(paid)
    assert f"退款：已退房，尚有{due}待退款，请在户室流水补录中办理退款。" in _ok("return", "show", case)
    code, shown = _run("ledger", "add", number, "--as", "dev_a", "--kind", "入账", "--amount", "1")
    assert code == 1 and "该合同已退房，不能再补录入账流水，只能补录退款流水。" in shown
    code, shown = _run("ledger", "refund", number, "--as", "dev_a", "--amount", str(paid + 1))
    assert code == 1 and "大于可退金额" in shown
    refund = CASE.search(_ok("ledger", "refund", number, "--as", "dev_a", "--receipt", "TK001")).group(0)
    assert f"待审核 ¥0.00　待审核退款 {due}" in _ok("ledger", "show", number)
    assert f"退款{paid}元已记入户室流水" in _ok("ledger", "review", refund, "--as", "super_p")
    assert f"退款：已退房，购房款已全部退还（已退{due}）。" in _ok("return", "show", case)
    code, shown = _run("ledger", "refund", number, "--as", "dev_a")
    assert code == 1 and "没有可退金额" in shown
    assert returns.show_return(hall.db, hall.authority, case).refund_due == 0
    assert "待退款" not in _ok("fund", "withdrawal", "table", agreement)
