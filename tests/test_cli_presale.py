"""`wangqian presale …`: the presale foundation from the command line — an enterprise, its
user admitted, a project with its certificates and banks, a survey imported, completed,
priced, checked, dispatched, received and archived, a conversion mapped; Chinese sentences,
rule codes, exit codes 1 and 2, numbers masked, stored text shown literally."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import hall_rows
from tests.presale_support import LEGAL_REP_ID, PASSWORD, enterprise_code
from tui.cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
PREDICTED = ROOT / "sample_data" / "survey_D004_predicted.csv"
ACTUAL = ROOT / "sample_data" / "survey_D004_actual.csv"
CODE = enterprise_code(51)
CASE = re.compile(r"C\d{15}")


@pytest.fixture
def hall(cli_db, tmp_path):
    """The data folder of a hall whose migrated database (on each backend) the commands open."""
    return tmp_path


def _rows(hall, table: str) -> int:
    """Rows of ``table`` in the database the commands open."""
    return hall_rows([table])[table]


def _run(*args: str, stdin: str | None = None):
    result = runner.invoke(app, list(args), input=stdin)
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown and (result.exception is None or isinstance(result.exception, SystemExit)), shown
    return result, shown


def _ok(*args: str, stdin: str | None = None) -> str:
    result, shown = _run(*args, stdin=stdin)
    assert result.exit_code == 0, shown
    return shown


def _enterprise() -> None:
    _ok("presale", "developer", "add", "--credit-code", CODE, "--name", "张家界地产开发有限公司", "--kind", "1",
        "--legal-rep", "张老大", "--legal-rep-id", LEGAL_REP_ID, "--legal-rep-phone", "15211111111",
        "--region", "张家界市", "--registered-capital", "100", "--paid-in-capital", "100")
    _ok("presale", "user", "add", CODE, "dev1", "--name", "张小明", "--phone", "13912345678", "--password-stdin",
        stdin=PASSWORD + "\n")
    _ok("presale", "user", "apply", "dev1")
    _ok("presale", "user", "admit", "dev1")
    _ok("operator", "add", "sup1", "--name", "陈国华", "--role", "supervisor", "--password-stdin", stdin=PASSWORD + "\n")
    _ok("presale", "project", "add", CODE, "--name", "房地产01项目", "--location", "张家界市永定区某路1号",
        "--district", "永定区")


def test_an_enterprise_and_a_survey_from_the_command_line(hall):
    _enterprise()
    shown = _ok("presale", "developer", "show", CODE)
    assert LEGAL_REP_ID not in shown and LEGAL_REP_ID[:6] + "********" in shown and "152****1111" in shown
    assert "13912345678" not in _ok("presale", "user", "list", CODE)
    _ok("presale", "cert", "add", "1", "--kind", "1", "--number", "张国用(2021)第0123号", "--issued", "2021-03-01")
    _ok("presale", "bank", "add", CODE, "--purpose", "监管银行账户", "--bank", "中国建设银行", "--branch", "张家界分行",
        "--account-name", "张家界地产开发有限公司", "--account-number", "43050170123400000123")
    shown = _ok("presale", "project", "show", "1")
    assert "尚缺：建设用地规划许可证、建设工程规划许可证、建设工程施工许可证。" in shown

    shown = _ok("presale", "survey", "import", "1", str(PREDICTED), "--building", "D004",
                "--survey-number", "CL20220406001", "--as", "dev1")
    number = CASE.search(shown).group(0)
    assert "导入户室 102 套" in shown
    _ok("presale", "survey", "set", number, "--as", "dev1", "--only-empty", "户型", "户型=复式五室")
    shown = _ok("presale", "survey", "set", number, "--as", "dev1", "装修情况=毛坯", "毛坯单价=9000", "装修单价=0")
    assert "已设置 102 户" in shown
    result, shown = _run("presale", "survey", "set", number, "--as", "dev1", "--match", "01", "--backward", "单元=B01")
    assert result.exit_code == 1 and "SURVEY_FIELD_FIXED" in shown and "来自测绘成果，不能修改" in shown
    shown = _ok("presale", "survey", "price", number, "--as", "dev1", "--base", "9000", "--base-floor", "1",
                "--step", "50")
    assert "已设置 102 户" in shown and "向上每层递增50元/m²" in shown
    shown = _ok("presale", "survey", "grid", number, "--floor", "17")
    assert "销 9800" in shown and "毛 9000" in shown and "面 130.10" in shown
    result, shown = _run("presale", "survey", "submit", number, "--as", "dev1")
    assert result.exit_code == 1 and "SURVEY_BUILDING_INCOMPLETE" in shown
    _ok("presale", "survey", "building", number, "--as", "dev1", "--structure", "钢筋混凝土结构", "--floors-above", "17")
    _ok("presale", "survey", "submit", number, "--as", "dev1")
    result, shown = _run("presale", "survey", "archive", number, "--as", "sup1")
    assert result.exit_code == 1 and "CASE_NOT_RECEIVED" in shown
    _ok("presale", "survey", "receive", number, "--as", "sup1")
    shown = _ok("presale", "survey", "archive", number, "--as", "sup1", "--note", "同意")
    assert "现有户室 102 套" in shown
    assert _rows(hall, "building_unit") == 102

    shown = _ok("presale", "survey", "import", "1", str(ACTUAL), "--building", "D004", "--type", "conversion",
                "--survey-number", "SC20240101001", "--as", "dev1")
    conversion = CASE.search(shown).group(0)
    assert "按室号对照原户室 100 套" in shown
    _ok("presale", "survey", "sync", conversion, "--as", "dev1")
    _ok("presale", "survey", "submit", conversion, "--as", "dev1")
    _ok("presale", "survey", "receive", conversion, "--as", "sup1")
    _ok("presale", "survey", "link", conversion, "--as", "sup1", "--old", "1-01", "--new", "1-01A", "--new", "1-01B")
    shown = _ok("presale", "survey", "link", conversion, "--as", "sup1", "--old", "17-05", "--old", "17-06",
                "--new", "17-05")
    assert "拆分户室：1 套；1-01 → 1-01A、1-01B" in shown and "合并户室：1 套；17-05、17-06 → 17-05" in shown
    result, shown = _run("presale", "survey", "archive", conversion, "--as", "sup1")
    assert result.exit_code == 1 and "MAPPING_NOT_CONFIRMED" in shown
    _ok("presale", "survey", "confirm-mapping", conversion, "--as", "sup1")
    shown = _ok("presale", "survey", "changes", conversion)
    assert "98.36" in shown and "98.60" in shown
    shown = _ok("presale", "survey", "archive", conversion, "--as", "sup1")
    assert "新增 3，沿用 99，灭失 3" in shown
    listed = json.loads(_ok("presale", "survey", "list", "--project", "1", "--json"))
    assert [(r["case_number"], r["status_label"]) for r in listed] == [(conversion, "现行"), (number, "已被替代")]
    _ok("audit", "verify")


def test_a_bad_survey_file_lists_every_row_and_writes_nothing(hall, tmp_path):
    _enterprise()
    bad = tmp_path / "bad.csv"
    bad.write_text("室号,实际层,建筑面积,套内面积,分摊面积,电梯\n1-01,0,100,80,20,是\n1-01,1,abc,,,也许\n",
                   encoding="utf-8")
    result, shown = _run("presale", "survey", "import", "1", str(bad), "--building", "D005", "--survey-number", "X1",
                         "--as", "dev1")
    assert result.exit_code == 1
    for text in ("第2行【实际层】", "第3行【建筑面积】", "第3行【电梯】", "第3行【室号】室号1-01与第2行重复",
                 "共 4 处错误，未导入任何数据。", "SURVEY_FILE_INVALID"):
        assert text in shown, text
    assert _rows(hall, "case_file") == _rows(hall, "survey") == _rows(hall, "building") == 0


@pytest.mark.parametrize("args, code, exit_code", [
    (("presale", "developer", "show", "91430800MA4L0XXX1T"), "DEVELOPER_NOT_FOUND", 2),
    (("presale", "project", "show", "99"), "PROJECT_NOT_FOUND", 2),
    (("presale", "survey", "show", "C202601010000001"), "SURVEY_CASE_NOT_FOUND", 2),
    (("presale", "survey", "import", "1", "/nonexistent.csv", "--building", "D1", "--survey-number", "X",
      "--as", "dev1"), "SURVEY_FILE_NOT_FOUND", 2),
    (("presale", "survey", "set", "C202601010000001", "--as", "nobody", "户型=x"), "OPERATOR_NOT_FOUND", 2),
    (("presale", "survey", "set", "C202601010000001", "--as", "dev1", "户型"), "BATCH_VALUE_FORMAT", 2),
    (("presale", "survey", "price", "C202601010000001", "--as", "dev1", "--base", "9000", "--base-floor", "0"),
     "UNIT_FLOOR_BAD", 1),
    (("presale", "developer", "add", "--credit-code", "123", "--name", "甲", "--kind", "1", "--legal-rep", "张三",
      "--legal-rep-id", "1", "--legal-rep-phone", "1", "--region", ""), "USCC_BAD_LENGTH", 1),
])
def test_refusals_say_one_sentence_with_their_code(hall, args, code, exit_code):
    _enterprise()
    result, shown = _run(*args)
    assert result.exit_code == exit_code, shown
    assert code in shown and "。" in shown


def test_stored_text_is_shown_literally(hall):
    _enterprise()
    _ok("presale", "project", "change", "1", "--property-company", "[bold]物业[/bold]公司")
    shown = _ok("presale", "project", "show", "1")
    assert "[bold]物业[/bold]公司" in shown


def test_help_is_in_chinese(hall):
    shown = _ok("presale", "survey", "--help")
    assert "测绘成果备案" in shown and "Usage" not in shown
