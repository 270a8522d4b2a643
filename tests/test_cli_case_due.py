"""`wangqian case due [--overdue] [--json]` on the sample database (its cases due soon and
overdue: demo.due_cases), on the wall clock the command reads (moved by the test)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from typer.testing import CliRunner

from tui.cli.main import app

runner = CliRunner()
MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def cli_db(sqlite_sample_db, monkeypatch):
    monkeypatch.setenv("WANGQIAN_DB_URL", sqlite_sample_db.url)
    return sqlite_sample_db


def test_due_lists_overdue_then_due_today_as_json_and_text(cli_db) -> None:
    with time_machine.travel(MONDAY, tick=False):
        listed = runner.invoke(app, ["case", "due", "--json"])
        assert listed.exit_code == 0, listed.output
        everything = json.loads(listed.stdout)
        # the demo's resale and lease cases set up to be due (demo.due_cases); its developer's open
        # presale contracts (F…) are on the clock too
        rows = [r for r in everything if not r["number"].startswith("F")]
        assert any(r["number"].startswith("F") for r in everything)
        assert [(r["number"][:9], r["state"], r["due_on"], r["remaining_working_days"]) for r in rows] == [
            ("Q20261111", "overdue", "2026-11-18", -3),
            ("G20261116", "due_soon", "2026-11-23", 0),
            ("Q20261116", "due_soon", "2026-11-23", 0),
        ]
        assert rows[0]["limit_working_days"] == 5 and rows[0]["limit_basis"] == "hall_commitment"
        assert rows[2]["handler"] == "待接件（审核主管）" and rows[0]["label"] == "超3日"
        overdue = runner.invoke(app, ["case", "due", "--overdue", "--json"])
        assert {r["state"] for r in json.loads(overdue.stdout)} == {"overdue"}
        text = runner.invoke(app, ["case", "due"])
        assert text.exit_code == 0
        assert "超3日" in text.stdout and "今日到期" in text.stdout and f"共 {len(everything)} 件。" in text.stdout
        assert "到期 2026-11-18" in text.stdout


def test_nothing_due_and_bad_input(cli_db) -> None:
    with time_machine.travel(datetime(2026, 11, 9, 2, 0, tzinfo=UTC), tick=False):  # before the demo's cases
        empty = runner.invoke(app, ["case", "due", "--json"])
        assert empty.exit_code == 0 and json.loads(empty.stdout) == []
        plain = runner.invoke(app, ["case", "due", "--overdue"])
        assert plain.exit_code == 0 and "没有已超期的业务。" in plain.stdout
    unknown = runner.invoke(app, ["case", "due", "--soon"])
    assert unknown.exit_code == 2 and "没有“--soon”这个选项" in unknown.output and "CLI_USAGE" in unknown.output
    extra = runner.invoke(app, ["case", "due", "F202611210000003"])
    assert extra.exit_code == 2 and "CLI_USAGE" in extra.output


def test_a_clock_past_the_calendar_is_listed_as_such(cli_db) -> None:
    with time_machine.travel(datetime(2027, 1, 4, 2, 0, tzinfo=UTC), tick=False):
        listed = runner.invoke(app, ["case", "due", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert rows and {r["state"] for r in rows} == {"unknown"}
    assert rows[0]["due_on"] is None and rows[0]["note"].startswith("节假日日历尚无2027年的放假安排")
