"""Every command's help, as an operator reads it at 80 columns: in Chinese, nothing cut.

Typer's help wrote "[OPTIONS] COMMAND [ARGS]...", "<str>" and "<bool>" (beside a flag that
takes no value), and cut a Chinese help line with "…" at 80 columns (Chinese has no spaces
for rich to wrap at). Every argument and option says in Chinese what it is."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from tui.cli.main import app

runner = CliRunner()
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = ("Usage", "[OPTIONS]", "COMMAND", "[ARGS]", "Options", "Arguments", "Commands", "<str>", "<int>",
           "<bool>", "<float>", "<Path>", "Show this message")


def _commands(command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


ALL = list(_commands(typer.main.get_command(app)))


def test_there_are_many_commands_to_read():
    assert len(ALL) > 150


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p) or "wangqian")
def test_help_at_80_columns_is_chinese_and_nothing_is_cut(path):
    command = dict(ALL)[path]
    result = runner.invoke(app, [*path, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    shown = result.output
    assert "用法：" in shown
    for word in ENGLISH:
        assert word not in shown, (word, shown)
    # An ellipsis is the help's own only where its text has one (e.g. 业务号（F…）).
    said = " ".join([command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
                    + [getattr(s, "help", None) or "" for s in getattr(command, "commands", {}).values()])
    assert shown.count("…") <= said.count("…"), shown
    assert all(len(line) <= 80 for line in shown.splitlines())
    for param in command.params:
        if param.name == "help":
            continue
        assert CJK.search(getattr(param, "help", None) or ""), (path, param.name)  # says what it is
        if param.param_type_name == "argument":
            assert CJK.search(param.metavar or ""), (path, param.name)  # named in Chinese in the usage line


def test_a_flag_shows_no_value_and_a_value_its_kind_in_chinese():
    shown = runner.invoke(app, ["operator", "add", "--help"], terminal_width=80).output
    flag = next(line for line in shown.splitlines() if "--password-stdin" in line)
    assert "<" not in flag
    name = next(line for line in shown.splitlines() if "--name" in line)
    assert "<文本>" in name


def test_a_role_may_be_written_by_its_chinese_name(cli_db):
    added = runner.invoke(app, ["operator", "add", "lina", "--name", "李娜", "--role", "审核主管", "--password-stdin"],
                          input="Secret123\n")
    assert added.exit_code == 0 and "审核主管" in added.output, added.output
    changed = runner.invoke(app, ["operator", "role", "lina", "--role", "clerk"])
    assert changed.exit_code == 0 and "窗口受理员" in changed.output, changed.output
    refused = runner.invoke(app, ["operator", "role", "lina", "--role", "科长"])
    assert refused.exit_code == 1 and "OPERATOR_BAD_ROLE" in refused.stderr
    assert "clerk（窗口受理员）" in refused.stderr
