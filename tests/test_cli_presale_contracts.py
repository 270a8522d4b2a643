"""`wangqian presale contract …`: a unit under the permit is accepted, entered, paid (an
overpayment refused by its sentence), completed; read back as JSON and in the project's list (a
project that does not exist refused, exit 2); a second contract on the same unit refused (exit 1, its sentence); the contract's PDF written (an existing file refused
without --force)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.test_cli_presale import _ok, _run, hall  # noqa: F401 (hall: a fixture)
from tests.test_cli_presale_permits import PERMIT, _surveyed

CASE = re.compile(r"F\d{15}")


def permitted() -> str:
    """D004 surveyed and every unit under a presale permit, from the command line: its number."""
    _surveyed()
    permit = PERMIT.search(_ok("presale", "permit", "start", "1", "D004", "--as", "dev1")).group(0)
    _ok("presale", "permit", "scope", permit, "--as", "dev1", "--all")
    _ok("presale", "permit", "details", permit, "--as", "dev1", "--property-company", "张家界物业服务有限公司")
    _ok("presale", "permit", "submit", permit, "--as", "dev1")
    _ok("presale", "survey", "receive", permit, "--as", "sup1")
    return re.search(r"YS\d{4}-\d{5}", _ok("presale", "permit", "archive", permit, "--as", "sup1")).group(0)


def test_a_contract_from_the_command_line(hall):  # noqa: F811
    number = permitted()
    assert "没有商品房买卖合同。" in _ok("presale", "contract", "list", "--project", "1")
    case = CASE.search(_ok("presale", "contract", "start", "--as", "dev1", "--permit", number, "-u", "2-01")).group(0)
    result, shown = _run("presale", "contract", "start", "--as", "dev1", "--permit", number, "-u", "2-01")
    assert result.exit_code == 1 and "户室2-01已签约，不能重复销售。" in shown
    result, shown = _run("presale", "contract", "start", "--as", "dev1", "--permit", number, "-u", "99-01")
    assert result.exit_code == 1 and "没有找到有效许可证户室信息。" in shown
    _ok("presale", "contract", "entry", case, "--as", "dev1", "--buyer", "王小二,110101199003074258,13800138000",
        "--unit-price", "10000")
    result, shown = _run("presale", "contract", "pay", case, "--as", "dev1", "--amount", "1301000.01")
    assert result.exit_code == 1 and "实付金额超过应付金额" in shown
    _ok("presale", "contract", "pay", case, "--as", "dev1", "--amount", "1301000.00")
    assert "签约环节" in _ok("presale", "contract", "complete", case, "--as", "dev1")
    data = json.loads(_ok("presale", "contract", "show", case, "--json"))
    assert data["total_price"] == "1301000.00" and data["paid"] == "1301000.00" and data["stage_name"] == "签约环节"
    assert case in _ok("presale", "contract", "list", "--project", "1")
    result, shown = _run("presale", "contract", "list", "--project", "99")  # names no project: not an empty list
    assert result.exit_code == 2 and "没有编号为 99 的项目。（PROJECT_NOT_FOUND）" in shown


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_contract_pdf_from_the_command_line(hall, tmp_path):  # noqa: F811
    number = permitted()
    case = CASE.search(_ok("presale", "contract", "start", "--as", "dev1", "--permit", number, "-u", "2-01")).group(0)
    target = tmp_path / "合同.pdf"
    result, shown = _run("presale", "contract", "pdf", case, "-o", str(target))
    assert result.exit_code == 1 and "请先录入购房合同信息" in shown and not target.exists()
    _ok("presale", "contract", "entry", case, "--as", "dev1", "--buyer", "王小二,110101199003074258,13800138000",
        "--unit-price", "10000", "--delivery", "2027-06-30")
    assert "已生成" in _ok("presale", "contract", "pdf", case, "-o", str(target))
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "商品房买卖合同（预售）" in text and case in text and number in text
    assert "110101********4258" in text and "110101199003074258" not in text and "壹佰叁拾万壹仟元整" in text
    # an existing file is refused without --force, written over with it
    target.write_bytes(b"kept")
    result, shown = _run("presale", "contract", "pdf", case, "-o", str(target))
    assert result.exit_code == 1 and "REPORT_OUTPUT_EXISTS" in shown and target.read_bytes() == b"kept"
    _ok("presale", "contract", "pdf", case, "-o", str(target), "--force")
    assert target.read_bytes().startswith(b"%PDF-")
    result, shown = _run("presale", "contract", "pdf", "F209900000000001", "-o", str(tmp_path / "none.pdf"))
    assert result.exit_code == 2 and not (tmp_path / "none.pdf").exists()
