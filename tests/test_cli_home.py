"""`wangqian home …`: the home register from the command line — Chinese sentences with rule
codes, exit codes 1 and 2, numbers masked, text shown literally, nothing written on a refusal,
the import all or nothing with every bad row."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import hall_rows
from tui.cli.main import app

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
CJK = re.compile(r"[\u4e00-\u9fff]")
OWNER = "440308196804129616"  # 陈建华 in parties_example.csv
OTHER = "440308197509032867"  # 林晓燕
UNIT = "440308999009GB00109F00010001"
ADD = ["home", "add", "--district", "盐田", "--certificate", "粤(2025)深圳市不动产权第0917009号", "--unit", UNIT,
       "--location", "深圳市盐田区沙头角街道沙深路62号海景花园2栋[/x]", "--building", "2栋", "--floor", "３",
       "--total-floors", "18", "--room", "301", "--area", "66.6", "--structure", "框架", "--use", "住宅",
       "--owner", OWNER]


@pytest.fixture
def hall(cli_db, tmp_path):
    """The data folder of a hall whose migrated database (on each backend) the commands open."""
    assert runner.invoke(app, ["party", "import", str(SAMPLE / "parties_example.csv")]).exit_code == 0
    return tmp_path


def _rows(hall, table: str) -> int:
    """Rows of ``table`` in the database the commands open."""
    return hall_rows([table])[table]


def _run(*args: str):
    result = runner.invoke(app, list(args))
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in shown and (result.exception is None or isinstance(result.exception, SystemExit)), shown
    return result, shown


def test_a_home_from_the_command_line(hall):
    ok, shown = _run(*ADD)
    assert ok.exit_code == 0 and "已登记房屋" in shown and UNIT in shown, shown
    ok, shown = _run("home", "show", UNIT)
    assert ok.exit_code == 0 and "[/x]" in shown and "第3层（共18层）" in shown and "66.60 平方米" in shown
    assert OWNER not in shown and "440308********9616" in shown and "陈建华" in shown
    ok, shown = _run("home", "show", UNIT, "--json")
    data = json.loads(ok.stdout)
    assert data["owners"][0]["number"] == "440308********9616" and data["floor_area"] == "66.60"
    ok, shown = _run("home", "change", UNIT, "--owner", f"{OWNER}:50", "--owner", f"{OTHER}：50",
                     "--co-ownership", "按份共有", "--room", "302")
    assert ok.exit_code == 0, shown
    shown = _run("home", "show", UNIT)[1]
    assert "按份共有" in shown and "林晓燕" in shown and "50.00%" in shown and "302" in shown
    ok, shown = _run("home", "mark", UNIT, "抵押", "--reason", "招商银行抵押 [bold]x[/]")
    assert ok.exit_code == 0 and "已抵押" in shown, shown
    assert "招商银行抵押 [bold]x[/]" in _run("home", "show", UNIT)[1]
    assert _run("home", "unmark", UNIT, "1", "--reason", "抵押注销")[0].exit_code == 0
    ok, shown = _run("home", "find", "海景花园")
    assert ok.exit_code == 0 and UNIT in shown and "正常" in shown
    assert json.loads(_run("home", "find", UNIT, "--json")[0].stdout)[0]["unit_number"] == UNIT
    assert "未找到" in _run("home", "find", "没有这个小区")[1]
    assert _rows(hall, "home") == 1 and _rows(hall, "home_mark") == 1


@pytest.mark.parametrize(("args", "code", "exit_code"), [
    (["home", "show", "123"], "HOME_KEY_BAD", 2),
    (["home", "show", "440308999999GB00109F00010001"], "HOME_NOT_FOUND", 2),
    (["home", "change", "[/x]", "--room", "1"], "HOME_KEY_BAD", 2),
    (["home", "mark", UNIT, "冻结", "--reason", " "], "HOME_MARK_REASON_EMPTY", 1),
    (["home", "find", "景"], "HOME_SEARCH_TOO_SHORT", 1),
    (["home", "import", "/nonexistent.csv"], "CSV_NOT_READABLE", 2),
    (["home", "add", "--district", "福田区"], "HOME_OWNERS_EMPTY", 1),
    ([*ADD[:-1], "440308199001011234"], "ID_BAD_CHECK_DIGIT", None),
])
def test_refusals_are_one_sentence_with_a_code(hall, args, code, exit_code):
    assert _run(*ADD)[0].exit_code == 0
    before = _rows(hall, "home"), _rows(hall, "home_mark"), _rows(hall, "audit_entry")
    result, shown = _run(*args)
    assert result.exit_code in ((1, 2) if exit_code is None else (exit_code,)), shown
    assert CJK.search(shown) and (code in shown or exit_code is None), shown
    assert (_rows(hall, "home"), _rows(hall, "home_mark"), _rows(hall, "audit_entry")) == before


def test_every_bad_value_of_a_record_is_listed(hall):
    result, shown = _run("home", "add", "--district", "火星", "--area", "0", "--owner", "440308999999999999")
    assert result.exit_code == 1
    for code in ("HOME_DISTRICT_UNKNOWN", "CERT_EMPTY", "UNIT_NO_EMPTY", "HOME_AREA_OUT_OF_RANGE", "HOME_USE_EMPTY"):
        assert code in shown, shown
    result, shown = _run(*ADD[:-1], "440308999999999999")
    assert result.exit_code == 1 and "HOME_OWNER_NOT_REGISTERED" in shown and "440308999999999999" not in shown
    assert _rows(hall, "home") == 0


def test_the_import_lists_every_bad_row_and_writes_nothing(hall, tmp_path):
    lines = (SAMPLE / "homes_example.csv").read_text(encoding="utf-8").splitlines()
    bad = list(lines)
    bad[2] = bad[2].replace("102.36", "-1")  # row 3
    bad[6] = bad[6].replace("91420103B1Y2C4119H", "91420103B1Y2C4119X")  # row 7: nobody's code
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(bad) + "\n", encoding="gb18030")
    result, shown = _run("home", "import", str(path))
    assert result.exit_code == 1, shown
    assert "第3行【建筑面积】" in shown and "第7行【权利人证件号码】" in shown and "CSV_HAS_ERRORS" in shown
    assert _rows(hall, "home") == 0
    result, shown = _run("home", "import", str(SAMPLE / "homes_example.csv"))
    assert result.exit_code == 0 and "已导入 7 套房屋（其中标记 2 项）" in shown, shown
    assert _rows(hall, "home") == 7 and _rows(hall, "home_mark") == 2
