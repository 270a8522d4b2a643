"""Starting the demo: the first start says what it is doing; later starts skip the making.

No timings are asserted here (they depend on the machine's load); ``wangqian
bench start`` measures them, and its report's shape is tested.
"""

from __future__ import annotations

import json
import sys

from typer.testing import CliRunner

from bench import start
from tui.cli.main import app

runner = CliRunner()


def _demo_check(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    result = runner.invoke(app, ["demo", "--check"])
    assert result.exit_code == 0, result.output
    return result


def test_first_start_shows_its_progress_and_a_second_start_opens_the_file_as_it_is(tmp_path, monkeypatch) -> None:
    first = _demo_check(tmp_path, monkeypatch)
    assert "正在建立演示数据库" in first.stderr  # not a blank screen
    for line in ("[1/7] 数据库结构", "[2/7] 申请人、家庭与房源登记", "[3/7] 选房场次（1/", "[4/7] 补选申请",
                 "[5/7] 今日待运行的场次", "[6/7] 新建商品房预售", "[7/7] 二手房网签合同", "演示数据库已建立"):
        assert line in first.stderr, first.stderr
    assert start.DRAWN in first.stdout  # the login screen was drawn, headless
    stamp = tmp_path / "demo.db.ready"
    assert stamp.is_file()

    second = _demo_check(tmp_path, monkeypatch)
    assert "正在建立演示数据库" not in second.stderr
    assert start.DRAWN in second.stdout

    # A stamp that no longer matches the file (another version's migrations): the long
    # way — upgrade and count — without making the demo again; then stamped anew.
    recorded = json.loads(stamp.read_text(encoding="utf-8"))
    stamp.write_text(json.dumps(recorded | {"migrations": "older"}), encoding="utf-8")
    third = _demo_check(tmp_path, monkeypatch)
    assert "正在建立演示数据库" not in third.stderr
    assert json.loads(stamp.read_text(encoding="utf-8")) == recorded


def test_start_benchmark_report_shape() -> None:
    drawn = f"print({start.DRAWN!r}, flush=True)"
    report = start.start_times(2, command=[sys.executable, "-c", drawn])
    assert set(report) == {"command", "runs", "prepare_s", "to_login_s", "to_exit_s", "median_s", "min_s",
                           "max_s", "target_s", "within_target", "cpus", "load_average", "python"}
    assert report["runs"] == 2 and len(report["to_login_s"]) == len(report["to_exit_s"]) == 2
    assert report["min_s"] <= report["median_s"] <= report["max_s"]
    assert report["target_s"] == 1.0 and isinstance(report["within_target"], bool)
    json.dumps(report)  # what `wangqian bench start --json` prints


def test_start_benchmark_refuses_a_child_that_never_draws() -> None:
    from core.errors import RuleViolation

    try:
        start.start_times(1, command=[sys.executable, "-c", "import sys; sys.exit(3)"])
    except RuleViolation as refusal:
        assert refusal.code == "BENCH_START_FAILED"
    else:
        raise AssertionError("a start that never drew the login screen was measured")


def test_bench_start_refuses_a_bad_number_of_runs() -> None:
    result = runner.invoke(app, ["bench", "start", "--runs", "0"])
    assert result.exit_code == 2
    assert "BENCH_BAD_RUNS" in result.stderr
