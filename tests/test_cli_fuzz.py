"""Every command that takes a value, fed bad values: no traceback, one Chinese sentence,
exit 1 or 2, nothing written — and the text shown literally (no markup obeyed, no
escape sequence passed to the terminal). Option errors are in Chinese.

The command lines come from the real command tree (``tui.cli.main.app``): every argument and
every option that takes a value is filled with the bad value, so a command added later is fed
too, and one that must not be is named in ``EXCLUDED`` with its reason."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from itertools import cycle, islice
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.testing import CliRunner

from tests.conftest import hall_rows
from tui.cli.main import app

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Click's and typer's own English, which the command line says in Chinese (``tui.cli.chinese``).
ENGLISH = re.compile(r"Repeat for confirmation|values do not match|Aborted|Usage:|Error:|Try '|Invalid value|"
                     r"Missing (?:argument|option|command)|No such (?:option|command)|unexpected extra|requires an argument")
ROOT = Path(__file__).resolve().parent.parent

BAD_VALUES = [
    "", " ", "[/x]", "[bold red]x[/]", "[link=file:///etc/passwd]x[/link]", "\x1b[2J\x1b]0;pwn\x07",
    "\x1b[31m红\x1b[0m", "\x00", "a\nb", "\t", "\r", "\u202egnp.exe", "😀", "王😀小明", "１２３", "－１",
    "9" * 5000, "-1", "0", "1e309", "nan", "NaN", "inf", "3.5", "0x10", "  7  ", "第零场", "第-1场",
    "字" * 10000, "x" * 10000, "'; DROP TABLE operator;--", "../../etc/passwd", "%s%s%n", "${HOME}",
    "\udcff\udcfe", "F2026", "F" + "9" * 30, "--", "-", "--json", "true", "null",
]

#: Commands not fed bad values here, each with the reason: some value a bad list holds is a fine
#: value for them ("  7  " is 7, any new name is a file name), and with it they do by design what
#: this test forbids. Every other command that takes a value is fed them all.
_BENCHMARK = ("runs a benchmark for any size it accepts (minutes; its own temporary databases, worker processes, "
              "or synthetic applicants added to the hall's); its bad sizes: test_cli.py and test_bench_*.py")
EXCLUDED: dict[tuple[str, ...], str] = {
    **{("bench", name): _BENCHMARK
       for name in ("allocation", "concurrency", "form", "lookup", "pdf", "presale", "signing", "start")},
    ("db", "backup"): "writes the file it is named, any new name being a file name; names refused: test_backup.py",
    ("db", "gen"): "writes as many synthetic applicants as it is told; counts refused: test_cli.py",
}

#: Lines the tree alone would not make: a value where a command's word is expected, an unknown
#: option, a value given to a command that takes none, one option at a time, the password read.
EXTRA = [
    ["check", "{v}", "1"], ["check", "id", "{v}"], ["check", "uscc", "{v}"], ["check", "phone", "{v}"],
    ["contract", "show", "--bogus", "{v}"], ["round", "list", "{v}"], ["round", "run", "{v}", "--dry-run"],
    ["operator", "add", "{v}", "--name", "{v}", "--role", "{v}", "--password-stdin"],
    ["operator", "passwd", "{v}", "--password-stdin"],
    ["presale", "user", "add", "{v}", "{v}", "--name", "{v}", "--phone", "{v}", "--password-stdin"],
    ["presale", "developer", "admin", "{v}", "{v}", "--name", "{v}", "--phone", "{v}", "--password-stdin"],
    ["report", "notice", "--check", "{v}", "-o", "{out}"], ["report", "notice", "--missing", "{v}", "-o", "{out}"],
    # No value names an existing PDF, so nothing reaches a printer: only refusals or usage errors.
    ["print", "{v}", "--printer", "{v}"], ["print", "{v}"],
]

#: Options that name the file a command writes: the test's own path, which must stay unwritten.
OUTPUT_OPTIONS = {"-o", "--output"}


def _leaves(command: TyperCommand | TyperGroup,
            path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], TyperCommand]]:
    """Every command of the real tree, with the words that call it."""
    if isinstance(command, TyperGroup):
        for name, sub in sorted(command.commands.items()):
            yield from _leaves(sub, (*path, name))
    else:
        yield path, command


def _takes_a_value(param: TyperArgument | TyperOption) -> bool:
    return isinstance(param, TyperArgument) or not (param.is_flag or param.count)


def _line(path: tuple[str, ...], command: TyperCommand) -> list[str]:
    """The command with every argument and every option that takes a value filled with ``{v}``
    (an output file with ``{out}``); flags are left off."""
    args = [p for p in command.params if isinstance(p, TyperArgument)]
    options = [p for p in command.params if isinstance(p, TyperOption) and _takes_a_value(p)]
    line = [*path, *("{v}" for _ in args)]
    for option in options:
        name = max(option.opts, key=len)
        line += [name, "{out}" if OUTPUT_OPTIONS & set(option.opts) else "{v}"]
    return line


TREE = dict(_leaves(typer.main.get_command(app)))
#: Every command that takes a value, from the real command tree (so a new one is fed too).
VALUED = {path: command for path, command in TREE.items() if any(_takes_a_value(p) for p in command.params)}
GENERATED = [_line(path, command) for path, command in VALUED.items() if path not in EXCLUDED]
COMMANDS = GENERATED + [line for line in EXTRA if line not in GENERATED]

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


def test_every_command_that_takes_a_value_is_fed_bad_values_or_excused_with_a_reason():
    """The lines come from the real command tree: a command added without a line fails here, and so
    does an exclusion that names no command (or one that takes no value) any more."""
    assert len(VALUED) > 150 and {("presale", "contract", "entry"), ("home", "add"), ("check",)} <= VALUED.keys()
    assert all(reason for reason in EXCLUDED.values()) and EXCLUDED.keys() <= VALUED.keys()
    out = "/nonexistent/x.pdf"
    for path, command in VALUED.items():
        if path in EXCLUDED:
            continue
        line = _line(path, command)
        assert line in COMMANDS, path
        # The line parses (nothing missing, nothing extra) and fills every value the command reads.
        args = [out if part == "{out}" else "1" if part == "{v}" else part for part in line[len(path):]]
        with command.make_context(" ".join(path), args) as ctx:
            filled = {p.name for p in command.params if _takes_a_value(p) and ctx.params.get(p.name) not in (None, ())}
        assert filled == {p.name for p in command.params if _takes_a_value(p)}, (path, line)


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
        assert not ENGLISH.search(shown), (args, shown)
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
