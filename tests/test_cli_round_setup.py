"""`wangqian round create / windows / import-families / import-houses / publish` (tui.cli.allocation)
on the hall's database (SQLite and PostgreSQL, named by WANGQIAN_DB_URL), through typer's CliRunner: the setup
end to end, and bad input answered in one Chinese sentence with exit 1 or 2, no traceback,
nothing written."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.timeutil import SHANGHAI
from tests.conftest import hall_rows
from tests.test_round_setup import FAMILIES, HOUSES
from tui.cli.main import app

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")


def _times(days: int = 2) -> list[str]:
    """The four window options, ``days`` from the real today (the commands use the real clock)."""
    day = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)
    moments = (day.replace(hour=9), day.replace(hour=17), day + timedelta(days=1, hours=9), day + timedelta(days=1, hours=11))
    out: list[str] = []
    for option, moment in zip(("--pre-open", "--pre-close", "--formal-open", "--formal-close"), moments, strict=True):
        out += [option, f"{moment:%Y-%m-%d %H:%M}"]
    return out


@pytest.fixture
def hall(cli_db, tmp_path) -> Path:
    (tmp_path / "f.csv").write_text(FAMILIES, encoding="utf-8-sig")
    (tmp_path / "h.csv").write_text(HOUSES, encoding="utf-8")
    return tmp_path


def _rows(path: Path) -> dict[str, int]:
    return hall_rows()


def _said(result) -> str:  # type: ignore[no-untyped-def]
    return result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_a_round_is_set_up_and_published_from_the_command_line(hall: Path) -> None:
    made = runner.invoke(app, ["round", "create", "--number", "第4场", "--name", "2026年第四批", "--kind", "正常选房",
                               *_times()])
    assert made.exit_code == 0, _said(made)
    assert "已新建第4场（2026年第四批），状态：筹备中" in made.output
    moved = runner.invoke(app, ["round", "windows", "4", *_times(3)])
    assert moved.exit_code == 0 and "第4场的选房时间已设置。" in moved.output
    families = runner.invoke(app, ["round", "import-families", "4", str(hall / "f.csv")])
    assert families.exit_code == 0 and "已将 3 户家庭导入第4场（其中新登记 3 户）。" in families.output
    houses = runner.invoke(app, ["round", "import-houses", "4", str(hall / "h.csv")])
    assert houses.exit_code == 0 and "已导入房源 3 套（第4场）。" in houses.output
    listed = runner.invoke(app, ["round", "list"])
    assert "筹备中" in listed.output
    published = runner.invoke(app, ["round", "publish", "4"])
    assert published.exit_code == 0 and "第4场已发布，场次设置已锁定。" in published.output
    again = runner.invoke(app, ["round", "publish", "4"])
    assert again.exit_code == 1 and "场次设置不能再修改" in _said(again) and "ROUND_SETUP_FROZEN" in _said(again)
    rows = _rows(hall)
    assert (rows["allocation_round"], rows["round_family"], rows["public_house"], rows["family"]) == (1, 3, 3, 3)


def test_every_bad_row_is_listed_and_nothing_is_imported(hall: Path) -> None:
    assert runner.invoke(app, ["round", "create", "--number", "1", "--name", "第一批", *_times()]).exit_code == 0
    bad = hall / "bad.csv"
    bad.write_text(FAMILIES + "４,[/x]😀,123,abc,０,大房子\n" + "5,张三," + "9" * 10000 + ",,1,单间\n", encoding="utf-8")
    before = _rows(hall)
    result = runner.invoke(app, ["round", "import-families", "1", str(bad)])
    said = _said(result)
    assert result.exit_code == 1 and "Traceback" not in said
    assert "第5行【姓名】" in said and "第5行【家庭人数】" in said and "第6行【证件号码】" in said
    assert "未导入任何数据。" in said and "ROUND_IMPORT_INVALID" in said
    assert _rows(hall) == before


@pytest.mark.parametrize("args, code", [
    (["round", "create", "--number", "[/x]", "--name", "x"], 2),
    (["round", "create", "--number", "１", "--name", "x"], 2),
    (["round", "create", "--number", "1", "--name", "x", "--kind", "😀"], 2),
    (["round", "create", "--number", "1", "--name", "字" * 10000], 1),
    (["round", "create", "--number", "1", "--name", "[/x]", "--pre-open", "[/x]"], 2),
    (["round", "create", "--number", "1", "--name", "x", "--pre-open", "2020-01-01 09:00"], 1),
    (["round", "windows", "9", "--pre-open", "１２３"], 2),
    (["round", "import-families", "1", "/nonexistent/[/x].csv"], 2),
    (["round", "import-houses", "😀", "h.csv"], 2),
    (["round", "import-houses", "7", "{h}"], 1),
    (["round", "publish", "x" * 10000], 2),
    (["round", "publish", "7"], 1),
])
def test_bad_input_is_one_chinese_sentence(hall: Path, args: list[str], code: int) -> None:
    times = dict(zip(_times()[::2], _times()[1::2], strict=True))
    full = list(args)
    if full[1] in ("create", "windows"):
        for option, value in times.items():
            if option not in full:
                full += [option, value]
    full = [str(hall / "h.csv") if a == "{h}" else a for a in full]
    before = _rows(hall)
    result = runner.invoke(app, full)
    said = _said(result)
    assert result.exit_code == code, said
    assert "Traceback" not in said and CJK.search(said)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _rows(hall) == before
