"""`wangqian presale room|permit|board …`: rooms designated, a permit approved, changed and
printed, the board listed, printed and read as JSON; refusals by their sentence and code,
exit codes 1 and 2. The PDFs are read back with pdftotext."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.test_cli_presale import PREDICTED, _enterprise, _ok, _run, hall  # noqa: F401 (hall: a fixture)

ROOM = re.compile(r"K\d{15}")
PERMIT = re.compile(r"Y\d{15}")
SURVEY = re.compile(r"C\d{15}")


def _surveyed() -> None:
    _enterprise()
    for kind in (1, 2, 3, 4):
        _ok("presale", "cert", "add", "1", "--kind", str(kind), "--number", f"湘（2021）第{kind:04d}号",
            "--issued", "2021-05-01", "--issuer", "张家界市自然资源和规划局")
    shown = _ok("presale", "survey", "import", "1", str(PREDICTED), "--building", "D004",
                "--survey-number", "CL20220406001", "--as", "dev1")
    number = SURVEY.search(shown).group(0)
    _ok("presale", "survey", "set", number, "--as", "dev1", "--only-empty", "户型", "户型=复式五室")
    _ok("presale", "survey", "set", number, "--as", "dev1", "--only-empty", "装修情况", "装修情况=毛坯")
    _ok("presale", "survey", "building", number, "--as", "dev1", "--structure", "钢筋混凝土结构", "--floors-above", "17")
    _ok("presale", "survey", "submit", number, "--as", "dev1")
    _ok("presale", "survey", "receive", number, "--as", "sup1")
    _ok("presale", "survey", "archive", number, "--as", "sup1")


def _pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_rooms_a_permit_and_the_board_from_the_command_line(hall, tmp_path):  # noqa: F811
    _surveyed()
    room = ROOM.search(_ok("presale", "room", "start", "1", "D004", "--as", "dev1")).group(0)
    result, shown = _run("presale", "room", "submit", room, "--as", "dev1")
    assert result.exit_code == 1 and "该项目其他栋尚未设置物管用房，当前栋须添加物管用房。" in shown
    assert "ROOM_NONE_IN_PROJECT" in shown
    assert "物管用房 2 套：1-01、1-02" in _ok("presale", "room", "set", room, "--as", "dev1", "-u", "1-01", "-u", "1-02")
    _ok("presale", "room", "submit", room, "--as", "dev1")
    _ok("presale", "survey", "receive", room, "--as", "sup1")  # 接件 is the case engine's, any case
    assert "物管用房 2 套" in _ok("presale", "room", "archive", room, "--as", "sup1", "--note", "同意")

    permit = PERMIT.search(_ok("presale", "permit", "start", "1", "D004", "--as", "dev1")).group(0)
    result, shown = _run("presale", "permit", "scope", permit, "--as", "dev1", "-u", "1-02")
    assert result.exit_code == 1 and "物管用房不能销售" in shown and "PERMIT_UNIT_IS_ROOM" in shown
    assert "许可范围户室 100 套" in _ok("presale", "permit", "scope", permit, "--as", "dev1", "--all")
    result, shown = _run("presale", "permit", "submit", permit, "--as", "dev1")
    assert result.exit_code == 1 and "请在项目信息补充中选择物业公司。" in shown
    _ok("presale", "permit", "details", permit, "--as", "dev1", "--property-company", "张家界<物业>服务有限公司")
    _ok("presale", "permit", "submit", permit, "--as", "dev1")
    _ok("presale", "survey", "receive", permit, "--as", "sup1")
    result, shown = _run("presale", "permit", "pdf", permit, "-o", str(tmp_path / "early.pdf"))
    assert result.exit_code == 1 and "PERMIT_NOT_ISSUED" in shown
    shown = _ok("presale", "permit", "archive", permit, "--as", "sup1", "--note", "符合预售条件，准予预售许可。")
    number = re.search(r"YS\d{4}-\d{5}", shown).group(0)
    assert "许可户室 100 套" in shown

    _ok("presale", "permit", "pdf", permit, "-o", str(tmp_path / "permit.pdf"))
    text = _pdf_text(tmp_path / "permit.pdf")
    for expected in ("商品房预售许可证", f"编号：{number}", "张家界地产开发有限公司", "张家界<物业>服务有限公司",
                     "国有土地使用证", "建设工程施工许可证", "湘(2021)第0004号", "100套", "许可专用章", "第1页",
                     "17-06"):
        assert expected in text, expected
    assert "1-01 " not in text.replace("11-01", "")  # a property room is not in the permit

    listed = json.loads(_ok("presale", "board", "show", "1", "D004", "--json"))
    totals = {t["state"]: t["units"] for t in listed["totals"]}
    assert totals["sellable"] == 100 and totals["property_room"] == 2
    assert listed["permits"] == [{"kind": "预售许可证", "number": number}]
    board = _ok("presale", "board", "show", "1", "D004")
    assert "售 可售 100" in board and "物 物管用房 2" in board
    shown = _ok("presale", "board", "unit", "1", "D004", "1-01")
    assert "物管用房" in shown and "预售签约：物管用房不能销售。" in shown

    change = PERMIT.search(_ok("presale", "permit", "start", "1", "D004", "--as", "dev1", "--type", "change")).group(0)
    _ok("presale", "permit", "scope", change, "--as", "dev1", "--remove", "17-06")
    shown = _ok("presale", "board", "unit", "1", "D004", "2-01")
    assert "变更中" in shown and "预售签约暂时不能发起业务" in shown
    shown = _ok("presale", "board", "unit", "1", "D004", "17-06")
    assert "提醒：预售许可证正在变更" in shown and "变更后该户室不在许可范围内，不可销售" in shown

    _ok("presale", "board", "pdf", "1", "D004", "-o", str(tmp_path / "board.pdf"))
    text = _pdf_text(tmp_path / "board.pdf")
    for expected in ("楼盘表", "房地产01项目 D004", "图例", "可售", "物管用房", "变更中", "合计", number):
        assert expected in text, expected
    result, shown = _run("presale", "board", "show", "1", "D009")
    assert result.exit_code == 2 and "BUILDING_NOT_FOUND" in shown
    _ok("audit", "verify")
