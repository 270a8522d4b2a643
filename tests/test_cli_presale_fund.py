"""`wangqian presale fund …`: an agreement signed and reviewed, its PDF, the withdrawal table in
JSON, a withdrawal and the refusal of a second one in the seed's words, exit codes 1 and 2."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from tests.fund_support import make_fund_hall
from tui.cli.main import app

runner = CliRunner()
CASE = re.compile(r"Z\d{15}")


@pytest.fixture
def fund_hall(cli_db):
    """A presale hall on each backend, its database opened by the commands."""
    return make_fund_hall(cli_db, 71)


def _run(*args: str):
    result = runner.invoke(app, ["presale", "fund", *args])
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown and (result.exception is None or isinstance(result.exception, SystemExit)), shown
    return result.exit_code, shown


def _ok(*args: str) -> str:
    code, shown = _run(*args)
    assert code == 0, shown
    return shown


def test_an_agreement_and_a_withdrawal_from_the_command_line(fund_hall, tmp_path):
    h = fund_hall
    # the use case reads the project as typed: the screen's sentence and rule code, exit 2
    code, shown = _run("start", "--as", "dev_a", "--project", "1e309", "--building", "D004")
    assert code == 2 and "项目编号应为数字。（PROJECT_NOT_FOUND）" in shown
    code, shown = _run("list", "--project", "999999")  # names no project: said, not an empty table
    assert code == 2 and "没有编号为 999999 的项目。（PROJECT_NOT_FOUND）" in shown
    started = json.loads(_ok("start", "--as", "dev_a", "--project", str(h.hall.project_id), "--building", "D004",
                             "--json"))
    number = started["case_number"]
    assert CASE.fullmatch(number) and started["units"] == 12
    code, shown = _run("enter", number, "--as", "dev_a", "--progress", "主体结构施工至3层", "--total", "15000000",
                       "--bank", "[/x]")
    assert code == 1 and "监管账户编号应为数字。（FUND_BANK_NOT_FOUND）" in shown
    code, shown = _run("enter", number, "--as", "dev_a", "--progress", "主体结构施工至3层", "--total", "15000000",
                       "--units", "1-01，1-02")
    assert code == 0 and "重点监管金额 ¥300,000.00" in shown
    _ok("text", number, "--as", "dev_a")
    _ok("submit", number, "--as", "dev_a")
    _ok("receive", number, "--as", "super_p")
    assert "已派工至“监管银行审核”" in _ok("review", number, "--as", "super_p", "--opinion", "同意")
    _ok("receive", number, "--as", "bank_j")
    assert "生效" in _ok("review", number, "--as", "bank_j")
    shown = json.loads(_ok("show", number, "--json"))
    assert (shown["status_label"], shown["key_amount"], shown["supervised_count"]) == ("现行", "300000.00", 2)
    pdf = tmp_path / "agreement.pdf"
    _ok("pdf", number, "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    table = json.loads(_ok("withdrawal", "table", number, "--json"))
    assert [r["unit_no"] for r in table["rows"]] == ["1-01", "1-02"]
    assert {(r["sale_state"], r["paid"]) for r in table["rows"]} == {("未售", "0.00")}
    case = json.loads(_ok("withdrawal", "start", number, "--as", "dev_a", "--json"))["case_number"]
    code, shown = _run("withdrawal", "start", number, "--as", "dev_a")
    assert code == 1 and "该协议有在支取中的业务，不能同时再发起。" in shown and "FUND_WITHDRAWAL_BUSY" in shown
    shown = _ok("withdrawal", "enter", case, "--as", "dev_a", "--amount", "1000", "--purpose", "支付工程款",
                "--progress", "主体结构施工至3层")
    assert "提示：申请支取金额¥1,000.00超过" in shown
    code, shown = _run("show", "Z209901010000001")
    assert code == 2 and "FUND_CASE_NOT_FOUND" in shown


def test_no_supervising_account_is_refused_in_one_sentence(cli_db):
    h = make_fund_hall(cli_db, 72, bank=False)
    number = json.loads(_ok("start", "--as", "dev_a", "--project", str(h.hall.project_id), "--building", "D004",
                            "--json"))["case_number"]
    code, shown = _run("enter", number, "--as", "dev_a", "--progress", "基础施工", "--total", "100")
    assert code == 1 and "本企业还未维护监管银行信息，请先到机构信息管理—银行信息中添加监管银行账户" in shown


def test_a_back_entry_uploads_its_signed_agreement(fund_hall, tmp_path):
    h = fund_hall
    number = json.loads(_ok("start", "--as", "dev_a", "--kind", "backfill", "--project", str(h.hall.project_id),
                            "--building", "D004", "--json"))["case_number"]
    code, shown = _run("enter", number, "--as", "dev_a", "--progress", "已封顶", "--total", "9000000",
                       "--units", "1-01")
    assert code == 1 and "必须全选所有户室信息才能进行保存。" in shown
    _ok("enter", number, "--as", "dev_a", "--progress", "已封顶", "--total", "9000000", "--unsupervised", "3-04")
    _ok("text", number, "--as", "dev_a")
    code, shown = _run("submit", number, "--as", "dev_a")
    assert code == 1 and "协议补录须先上传已签订的资金监管协议扫描件（PDF），再派工到银行审核。" in shown
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4\n%signed\n")
    assert "协议扫描件已上传" in _ok("upload", number, "--as", "dev_a", "--file", str(scan))
    _ok("submit", number, "--as", "dev_a")
    _ok("receive", number, "--as", "bank_j")
    assert "已派工至“主管部门审核”" in _ok("review", number, "--as", "bank_j")
