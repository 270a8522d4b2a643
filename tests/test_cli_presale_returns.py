"""`wangqian presale return …`: a paid contract returned from the command line — started by building
and unit, the applicant and the reason, dispatched, received, the voucher refused when not a PDF,
archived; the unit then sellable with the returned contract in its history, and sold again."""

from __future__ import annotations

import json
import re

from tests.test_cli_presale import _ok, _run, hall  # noqa: F401 (hall: a fixture)
from tests.test_cli_presale_contracts import permitted

CASE = re.compile(r"F\d{15}")
RETURN = re.compile(r"T\d{15}")


def test_a_return_from_the_command_line(hall):  # noqa: F811
    number = permitted()
    case = CASE.search(_ok("presale", "contract", "start", "--as", "dev1", "--permit", number, "-u", "2-01")).group(0)
    result, shown = _run("presale", "return", "start", "--as", "dev1", "--contract", case)
    assert result.exit_code == 1 and "尚未签约也未缴款，不能办理退房" in shown
    _ok("presale", "contract", "entry", case, "--as", "dev1", "--buyer", "王小二,110101199003074258,13800138000",
        "--unit-price", "10000")
    _ok("presale", "contract", "pay", case, "--as", "dev1", "--amount", "100000.00")
    result, shown = _run("presale", "return", "start", "--as", "dev1")
    assert result.exit_code == 1 and "请输入合同编号，或输入栋号和室号。" in shown
    ret = RETURN.search(_ok("presale", "return", "start", "--as", "dev1", "--building", "D004", "-u", "2-01")).group(0)
    result, shown = _run("presale", "return", "reason", ret, "--as", "dev1", "--applicant", "李四", "--reason", "x")
    assert result.exit_code == 1 and "申请注销人须为该合同的买受人之一。" in shown
    _ok("presale", "return", "reason", ret, "--as", "dev1", "--applicant", "王小二", "--reason",
        "[red]买受人[/x]电话13800138000，因资金困难退房")
    data = json.loads(_ok("presale", "return", "show", ret, "--json"))
    assert data["applicant"] == "王小二" and "13800138000" not in data["reason"] and "[/x]" in data["reason"]
    assert "[red]买受人[/x]" in _ok("presale", "return", "show", ret)  # shown literally
    assert "已派工给主管部门。" in _ok("presale", "return", "submit", ret, "--as", "dev1")
    _ok("presale", "survey", "receive", ret, "--as", "sup1")
    fake = hall / "voucher.txt"
    fake.write_text("not a pdf")
    result, shown = _run("presale", "return", "voucher", ret, str(fake), "--as", "sup1")
    assert result.exit_code == 1 and "上传的退房凭证不是PDF文件" in shown
    voucher = hall / "voucher.pdf"
    voucher.write_bytes(b"%PDF-1.4\n")
    _ok("presale", "return", "voucher", ret, str(voucher), "--as", "sup1")
    assert "户室2-01恢复可售" in _ok("presale", "return", "archive", ret, "--as", "sup1")
    unit = _ok("presale", "board", "unit", "1", "D004", "2-01")
    assert "2-01：可售" in unit and "已退房" in unit
    _ok("presale", "contract", "start", "--as", "dev1", "--permit", number, "-u", "2-01")
