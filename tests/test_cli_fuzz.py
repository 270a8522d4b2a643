"""Every command that takes a value, fed bad values: no traceback, one Chinese sentence,
exit 1 or 2, nothing written — and the text shown literally (no markup obeyed, no
escape sequence passed to the terminal). Option errors are in Chinese."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from itertools import cycle, islice
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import hall_rows
from tui.cli.main import app

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parent.parent

BAD_VALUES = [
    "", " ", "[/x]", "[bold red]x[/]", "[link=file:///etc/passwd]x[/link]", "\x1b[2J\x1b]0;pwn\x07",
    "\x1b[31m红\x1b[0m", "\x00", "a\nb", "\t", "\r", "\u202egnp.exe", "😀", "王😀小明", "１２３", "－１",
    "9" * 5000, "-1", "0", "1e309", "nan", "NaN", "inf", "3.5", "0x10", "  7  ", "第零场", "第-1场",
    "字" * 10000, "x" * 10000, "'; DROP TABLE operator;--", "../../etc/passwd", "%s%s%n", "${HOME}",
    "\udcff\udcfe", "F2026", "F" + "9" * 30, "--", "-", "--json", "true", "null",
]

COMMANDS = [
    ["check", "id", "{v}"], ["check", "uscc", "{v}"], ["check", "phone", "{v}"], ["check", "{v}", "1"],
    ["case", "show", "{v}"], ["contract", "show", "{v}"], ["contract", "list", "--status", "{v}"],
    ["round", "show", "{v}"], ["round", "verify", "{v}"], ["round", "run", "{v}", "--dry-run"],
    ["round", "reopen", "{v}", "--reason", "{v}"], ["report", "round", "{v}", "-o", "{out}"],
    ["report", "family", "{v}", "{v}", "-o", "{out}"], ["report", "contract", "{v}", "-o", "{out}"],
    ["report", "receipt", "{v}", "-o", "{out}"], ["report", "notice", "{v}", "-o", "{out}"],
    ["report", "notice", "--check", "{v}", "-o", "{out}"], ["report", "notice", "--missing", "{v}", "-o", "{out}"],
    ["sms", "outbox", "--status", "{v}"], ["sms", "outbox", "--limit", "{v}"], ["sms", "mark-sent", "{v}"],
    ["sms", "deliver", "--limit", "{v}"], ["operator", "disable", "{v}"], ["operator", "enable", "{v}"],
    ["operator", "unlock", "{v}"], ["operator", "role", "{v}", "--role", "{v}"],
    ["operator", "add", "{v}", "--name", "{v}", "--role", "{v}", "--password-stdin"],
    ["audit", "tail", "--limit", "{v}"], ["allocate", "simulate", "{v}"],
    ["contract", "show", "--bogus", "{v}"], ["round", "list", "{v}"],
    ["contract", "void-qualification", "{v}", "--reason", "{v}"], ["contract", "use-class-queue", "{v}"],
    ["contract", "decide-use-class", "{v}", "--decision", "{v}", "--reason", "{v}"],
    ["contract", "undertaking", "{v}"], ["contract", "notarisation", "{v}", "--certificate", "{v}"],
    ["contract", "transfer", "{v}", "--registration", "{v}"], ["report", "undertaking", "{v}", "-o", "{out}"],
    ["party", "add-person", "--name", "{v}", "--number", "{v}", "--kind", "{v}", "--phone", "{v}"],
    ["party", "add-org", "--name", "{v}", "--credit-code", "{v}", "--legal-rep", "{v}"],
    ["party", "show", "{v}"], ["party", "find", "{v}"], ["party", "change", "{v}", "--phone", "{v}"],
    ["party", "add-agent", "{v}", "{v}", "--from", "{v}", "--to", "{v}"], ["party", "unbind-agent", "{v}", "{v}"],
    ["party", "add-proxy", "{v}", "{v}", "--notarial", "{v}", "--from", "{v}", "--to", "{v}"],
    ["party", "change-id", "{v}", "{v}", "--proof", "{v}"], ["party", "import", "{v}"],
    ["round", "create", "--number", "{v}", "--name", "{v}", "--kind", "{v}", "--pre-open", "{v}", "--pre-close", "{v}",
     "--formal-open", "{v}", "--formal-close", "{v}"],
    ["round", "windows", "{v}", "--pre-open", "{v}", "--pre-close", "{v}", "--formal-open", "{v}",
     "--formal-close", "{v}"],
    ["db", "restore", "{v}"], ["round", "import-families", "{v}", "{v}"], ["round", "import-houses", "{v}", "{v}"], ["round", "publish", "{v}"],
    # No value names an existing PDF, so nothing reaches a printer: only refusals or usage errors.
    ["print", "{v}", "--printer", "{v}", "--copies", "{v}"], ["print", "{v}", "--printer", "{v}"], ["print", "{v}"],
    ["home", "add", "--city", "{v}", "--district", "{v}", "--certificate", "{v}", "--unit", "{v}", "--location", "{v}",
     "--floor", "{v}", "--area", "{v}", "--use", "{v}", "--owner", "{v}"],
    ["home", "change", "{v}", "--room", "{v}", "--owner", "{v}"], ["home", "show", "{v}"], ["home", "find", "{v}"],
    ["home", "mark", "{v}", "{v}", "--reason", "{v}"], ["home", "unmark", "{v}", "{v}", "--reason", "{v}"],
    ["home", "import", "{v}", "--city", "{v}"],
]

#: Every command with every bad value (at least two thousand lines): a command listed last is fed
#: the same values as the first.
LINES = max(2000, len(COMMANDS) * len(BAD_VALUES))


@pytest.fixture
def hall(cli_db, tmp_path):
    """The data folder of a hall whose migrated database (on each backend) the commands open."""
    return tmp_path


def _rows(path: Path) -> dict[str, int]:
    return hall_rows()


def _cases(n: int) -> list[list[str]]:
    """``n`` command lines: every command with every bad value, as many rounds as it takes."""
    pairs = [(c, v) for c in COMMANDS for v in BAD_VALUES]
    return [[part.replace("{v}", v) for part in c] for c, v in islice(cycle(pairs), n)]


#: The lines in slices, so that the suite's workers share them.
SLICES = 8


def test_the_slices_cover_every_command_with_every_value():
    lines = _cases(LINES)
    assert len(lines) >= 2000 and sum(len(lines[i::SLICES]) for i in range(SLICES)) == LINES
    assert len({tuple(line) for line in lines}) == len(COMMANDS) * len(BAD_VALUES)


@pytest.mark.parametrize("part", range(SLICES))
def test_two_thousand_bad_values_are_refused_in_chinese_and_write_nothing(hall, part):
    before = _rows(hall)
    out = str(hall / "x.pdf")
    for line in _cases(LINES)[part::SLICES]:
        args = [out if part == "{out}" else part for part in line]
        result = runner.invoke(app, args, input="Secret123\n")
        shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert "Traceback" not in shown, args
        assert "\x1b[2J" not in shown and "\x1b]0;" not in shown, args  # no escape sequence reaches the terminal
        if result.exit_code == 0:
            continue  # a value that is fine after all (an empty filter, a listing)
        assert result.exit_code in (1, 2), (args, result.exit_code, shown)
        assert CJK.search(shown), (args, shown)
    assert _rows(hall) == before
    assert not Path(out).exists()


def test_option_errors_and_help_are_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))  # answered before any database is opened
    unknown = runner.invoke(app, ["contract", "list", "--bogus"])
    assert unknown.exit_code == 2 and "没有“--bogus”这个选项" in unknown.output and "CLI_USAGE" in unknown.output
    assert "No such option" not in unknown.output
    missing = runner.invoke(app, ["round", "reopen", "1"])
    assert missing.exit_code == 2 and "缺少选项 --reason" in missing.output
    bad_int = runner.invoke(app, ["sms", "outbox", "--limit", "abc"])
    assert bad_int.exit_code == 2 and "应为整数" in bad_int.output
    extra = runner.invoke(app, ["round", "list", "surplus"])
    assert extra.exit_code == 2 and "多余的参数" in extra.output
    helped = runner.invoke(app, ["contract", "--help"])
    assert helped.exit_code == 0 and "用法" in helped.output and "显示本帮助并退出" in helped.output
    assert "Show this message" not in helped.output and "Usage" not in helped.output


def test_stored_markup_and_escapes_are_shown_literally(cli_db):
    from services import cases
    from core.roles import Actor

    number = cases.accept_case(cli_db, Actor.system("t"), "resale_signing", summary="[/x] 材料不全 \x1b[2J")
    shown = runner.invoke(app, ["case", "show", number])
    assert shown.exit_code == 0, shown.output
    assert "[/x] 材料不全" in shown.output and "\x1b[2J" not in shown.output


def test_bytes_that_are_not_utf8_are_refused_by_the_real_command(hall):
    env = {**os.environ, "WANGQIAN_DATA_DIR": str(hall)}
    result = subprocess.run([sys.executable, "-m", "tui.cli.main", "case", "show", b"\xff\xfe".decode("utf-8", "surrogateescape")],
                            cwd=ROOT, env=env, capture_output=True)
    assert result.returncode == 2 and b"Traceback" not in result.stderr
    assert "CLI_BAD_ENCODING" in result.stderr.decode("utf-8", "replace")
