"""The command line speaks Chinese, its usage errors and help included.

Typer (and the click it carries) write their own sentences in English: "No such
option", "Missing argument", "Invalid value for …", the help's "Usage" and
"Options". Importing this module (``tui.cli.main`` does) replaces them: an
operator reads one Chinese sentence with a stable code (``CLI_USAGE``) and
exit code 2, as for any input that names nothing. The user's own text inside
a message is shown with its control characters made visible, never obeyed.
"""

from __future__ import annotations

import re

from rich.text import Text
from typer import core as typer_core
from typer import rich_utils
from typer._click import core as click_core
from typer._click import decorators as click_decorators
from typer._click import exceptions as click_exceptions
from typer._click import formatting as click_formatting

from core.text import printable

CODE = "CLI_USAGE"

# ------------------------------------------------------------------ the help's own words

rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.ERRORS_PANEL_TITLE = "无法执行"
rich_utils.ABORTED_TEXT = "已取消。"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.REQUIRED_LONG_STRING = "[必填]"
rich_utils.ENVVAR_STRING = "[环境变量：{}]"
rich_utils.DEPRECATED_STRING = "（已停用）"
rich_utils.RICH_HELP = "可用 [blue]'{command_path} {help_option}'[/] 查看用法。"

_help_option = click_decorators.help_option


def _chinese_help_option(param_decls):  # type: ignore[no-untyped-def]
    decorate = _help_option(param_decls)

    def apply(command):  # type: ignore[no-untyped-def]
        command = decorate(command)
        command.params[-1].help = "显示本帮助并退出。"  # the option the decorator just added
        return command

    return apply


click_decorators.help_option = _chinese_help_option
_write_usage = click_formatting.HelpFormatter.write_usage


def _chinese_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:  # type: ignore[no-untyped-def]
    _write_usage(self, prog, args, "用法：" if prefix is None else prefix)


click_formatting.HelpFormatter.write_usage = _chinese_usage  # type: ignore[method-assign]

# The usage line's placeholders: "wangqian operator [选项] 命令 [参数]..." (typer writes
# "[OPTIONS] COMMAND [ARGS]..."); both defaults are read when a command is built.
_command_init = click_core.Command.__init__
_group_init = typer_core.TyperGroup.__init__


def _chinese_command_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    if kwargs.get("options_metavar", "[OPTIONS]") == "[OPTIONS]":
        kwargs["options_metavar"] = "[选项]"
    _command_init(self, *args, **kwargs)


def _chinese_group_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    kwargs["subcommand_metavar"] = kwargs.get("subcommand_metavar") or "命令 [参数]..."
    _group_init(self, *args, **kwargs)


click_core.Command.__init__ = _chinese_command_init  # type: ignore[method-assign]
typer_core.TyperGroup.__init__ = _chinese_group_init  # type: ignore[method-assign]

# What a value is, in the help's type column: <文本>, <整数> (typer: <str>, <int>). A flag
# takes no value, so it shows none: "<bool>" beside --json invited "--json true".
_TYPE_NAMES = {"<str>": "<文本>", "<int>": "<整数>", "<float>": "<数字>", "<bool>": "<是/否>",
               "<datetime>": "<日期>", "<Path>": "<路径>", "<file>": "<文件>", "<directory>": "<文件夹>",
               "<Decimal>": "<金额>", "<date>": "<日期>"}
_display_type = typer_core._TyperParameter.display_type


def _chinese_display_type(self, ctx):  # type: ignore[no-untyped-def]
    if getattr(self, "is_flag", False):
        return None
    label = _display_type(self, ctx)
    return _TYPE_NAMES.get(label, label)


typer_core._TyperParameter.display_type = _chinese_display_type  # type: ignore[method-assign]

# Chinese has no spaces to wrap at: rich would end a help cell's one long "word" with "…" at
# 80 columns. Fold it onto the next line instead, so nothing said is cut.
_rich_text = rich_utils._make_rich_text


def _folded_rich_text(**kwargs):  # type: ignore[no-untyped-def]
    made = _rich_text(**kwargs)
    if isinstance(made, Text):
        made.overflow = "fold"
    return made


rich_utils._make_rich_text = _folded_rich_text

# ------------------------------------------------------------------ usage errors


def _hint(param) -> str:  # type: ignore[no-untyped-def]
    if param is None:
        return ""
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "option" and opts:
        return " / ".join(opts)
    return (getattr(param, "metavar", None) or getattr(param, "name", "") or "").upper()


_TYPE_WORDS = (("integer", "应为整数"), ("float", "应为数字"), ("is not one of", "不是可选的值之一"),
               ("does not exist", "不存在"), ("is a directory", "是一个文件夹"), ("boolean", "应为 true 或 false"),
               ("date", "应为日期"), ("is not a valid", "格式不正确"), ("digits", "位数过多"))


def _why(message: str) -> str:
    text = (message or "").lower()
    return next((word for key, word in _TYPE_WORDS if key in text), "格式不正确")


def _no_such_option(self: click_exceptions.NoSuchOption) -> str:
    name = printable(self.option_name)
    near = list(self.possibilities or [])
    tail = f"，是否想用 {'、'.join(sorted(near))}？" if near else "。"
    return f"没有“{name}”这个选项{tail}（{CODE}）"


def _missing(self: click_exceptions.MissingParameter) -> str:
    what = "选项" if getattr(self.param, "param_type_name", "") == "option" else "参数"
    return f"缺少{what} {_hint(self.param)}。（{CODE}）"


def _bad_parameter(self: click_exceptions.BadParameter) -> str:
    hint = _hint(self.param) or (self.param_hint if isinstance(self.param_hint, str) else "")
    return f"{hint} 的值无效：{_why(self.message)}。（{CODE}）"


_USAGE_PATTERNS = (
    (re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((.*)\)$", re.S), "多余的参数：{0}。"),
    (re.compile(r"^No such command '(.*)'\.?$", re.S), "没有“{0}”这个命令。"),
    (re.compile(r"^Missing command\.?$"), "缺少命令，请在命令后写出要做的事。"),
    (re.compile(r"^Option '(.*)' requires an argument\.?$"), "选项 {0} 后须写出它的值。"),
    (re.compile(r"^Option '(.*)' does not take a value\.?$"), "选项 {0} 不带值。"),
    (re.compile(r"^(?:Error: )?(.*)$", re.S), "命令的写法不正确：{0}"),
)


def _usage(self: click_exceptions.UsageError) -> str:
    message = str(self.message)
    for pattern, sentence in _USAGE_PATTERNS:
        found = pattern.match(message)
        if found:
            return sentence.format(*(printable(g) for g in found.groups())) + f"（{CODE}）"
    return f"命令的写法不正确。（{CODE}）"  # pragma: no cover - the last pattern matches anything


click_exceptions.UsageError.format_message = _usage  # type: ignore[method-assign]
click_exceptions.NoSuchOption.format_message = _no_such_option  # type: ignore[method-assign]
click_exceptions.MissingParameter.format_message = _missing  # type: ignore[method-assign]
click_exceptions.BadParameter.format_message = _bad_parameter  # type: ignore[method-assign]
