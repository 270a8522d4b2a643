"""`wangqian bench form`: the contract form's keystroke latency, reported as JSON.

Behaviour only (what is measured and that every key landed in its field); the
figures themselves are the benchmark's business, never a test's."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tui.cli.main import app

runner = CliRunner()


def test_the_form_benchmark_types_every_party_and_reports_latency(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["bench", "form", "--parties", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["benchmark"] == "form" and report["parties"] == 2 and report["size"] == "80x24"
    assert report["keys"] >= 11 + 18  # a name, an 18-digit ID and an 11-digit phone, key by key
    assert 0 < report["p50_ms"] <= report["p95_ms"] <= report["max_ms"]
    assert report["fields_exact"] is True and report["mismatches"] == []
    assert report["paste_chars"] == 600 and report["paste_ms"] > 0
    assert report["target_p95_ms"] == 16.0 and report["target_paste_ms"] == 500.0


def test_a_bad_party_count_is_refused_in_chinese(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["bench", "form", "--parties", "99"])
    assert result.exit_code == 2 and "BENCH_BAD_PARTIES" in result.output and "当事人数只能是 2 到 8" in result.output
