"""What every `wangqian` command shares: the consoles, the refusal sentence and
its exit code, the system actor, the settings and database of this
invocation, writing a PDF, progress bars.

Exit codes: 0 done; 1 a rule refused (one Chinese sentence with its rule
code on stderr, nothing written); 2 the input names nothing or cannot be
read, the configuration is invalid, or the database cannot be reached.
"""

from __future__ import annotations

import functools
import getpass
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.exc import DBAPIError

from core.errors import RuleViolation
from core.roles import Actor
from core.text import printable
from core.timeutil import show
from storage.engine import Database, database_trouble
from storage.settings import Settings, SettingsInvalid
from tui import factory

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

REFUSED_EXIT = 1
BAD_INPUT_EXIT = 2

#: Printed documents go to one file each.
OutputOption = Annotated[Path, typer.Option("-o", "--output", metavar="文件.pdf", help="输出的 PDF 文件。")]
#: An existing output file is kept unless the operator says to overwrite it (a print already made,
#: perhaps already handed out, is never replaced by accident: reprints are kept, not written over).
ForceOption = Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件（不加此项时已有文件保留，不予覆盖）。")]

#: `wangqian report …`: each domain adds its documents to this group.
report_app = typer.Typer(help="打印文书（PDF）。", no_args_is_help=True)


@report_app.callback()
def _report_group() -> None:
    """打印文书（PDF）。"""
    # A callback keeps each document a subcommand even while there are few.


_invocation: dict[str, Any] = {}


def begin_invocation() -> None:
    """A new command starts: its settings are read afresh (the root callback calls this)."""
    end_invocation()
    _invocation.clear()


def end_invocation() -> None:
    """The command has ended (the root context closes): the databases it opened are closed. A
    process that runs many commands (a test's CliRunner) otherwise kept every command's open
    connections until they were collected: a thousand refusals held forty PostgreSQL clients."""
    for db in _invocation.pop("opened", []):
        db.dispose()


def settings() -> Settings:
    """This invocation's settings, read from the environment once."""
    if "settings" not in _invocation:
        _invocation["settings"] = factory.load_settings()
    return _invocation["settings"]


def database() -> Database:
    """The configured database, with the invocation's settings and the real clock (closed
    when the command ends: ``end_invocation``)."""
    db = factory.open_database(settings())
    _invocation.setdefault("opened", []).append(db)
    return db


def system_actor() -> Actor:
    """Who a command acts as: the shell user, with the administrator's role
    (a shell on the server already holds the database)."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        user = "unknown"
    return Actor.system(user)


def shown(value: object) -> str:
    """Stored or typed text inside a line with markup: shown literally (markup escaped,
    control characters made visible), never interpreted."""
    return escape(printable(value))


def say_refusal(code: str, message: str) -> None:
    err.print(f"[red]{shown(message)}[/red]（{code}）", highlight=False, soft_wrap=True)


def bad_input(code: str, message: str) -> typer.Exit:
    """Input that names nothing: say so and exit 2 (raise what this returns)."""
    say_refusal(code, message)
    return typer.Exit(BAD_INPUT_EXIT)


def read_password(from_stdin: bool, label: str = "密码") -> str:
    """A password: one line of standard input (``--password-stdin``), or typed twice unseen.

    Typed at the terminal, the second prompt and a mismatch are said in Chinese (click's own
    confirmation says "Repeat for confirmation" and "Error: The two entered values do not
    match."); a mismatch asks for both again, an end of input cancels (已取消)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    while True:
        first = typer.prompt(label, hide_input=True)
        if typer.prompt(f"再次输入{label}", hide_input=True) == first:
            return first
        err.print(f"两次输入的{label}不一致，请重新输入。", highlight=False, markup=False)


def _undecodable(value: object) -> bool:
    """An argument that was not UTF-8: Python keeps its bytes as lone surrogates."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return any(isinstance(v, str) and any("\udc80" <= ch <= "\udcff" for ch in v) for v in values)


def refuse_undecodable(values: Iterable[object]) -> None:
    if any(_undecodable(v) for v in values):
        raise bad_input("CLI_BAD_ENCODING", "命令参数中有无法识别的字符（不是有效的 UTF-8 文字），请重新输入。")


def refusals(fn: F) -> F:
    """Turn a refusal, an invalid setting or an unreachable database into one sentence and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refuse_undecodable([*args, *kwargs.values()])
        try:
            return fn(*args, **kwargs)
        except SettingsInvalid as exc:
            raise bad_input(exc.code, exc.message) from None
        except RuleViolation as exc:
            say_refusal(exc.code, exc.message)
            raise typer.Exit(REFUSED_EXIT) from None
        except DBAPIError as exc:
            trouble = database_trouble(exc)
            if trouble is None:
                raise
            say_refusal(trouble.code, trouble.message)
            raise typer.Exit(BAD_INPUT_EXIT) from None

    return wrapper  # type: ignore[return-value]


def input_refusals(codes: Iterable[str]) -> Callable[[F], F]:
    """Refusals with one of ``codes`` mean the input names nothing: exit 2, not 1."""
    bad = frozenset(codes)

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except RuleViolation as exc:
                if exc.code in bad:
                    raise bad_input(exc.code, exc.message) from None
                raise

        return wrapper  # type: ignore[return-value]

    return decorate


def _output_exists(target: Path) -> RuleViolation:
    return RuleViolation("REPORT_OUTPUT_EXISTS",
                         f"文件 {target} 已存在，未覆盖（已打印的文书保留不动）：请换一个文件名，或确需覆盖时加 --force。")


def write_pdf(path: Path, make: Callable[[], bytes], *, force: bool = False) -> None:
    """Make a document and write it to ``path`` (a folder or a missing parent is bad input).

    An existing file is refused (REPORT_OUTPUT_EXISTS) unless ``force``: before the document
    is made, so a refused print records nothing (a contract's print is recorded as it is
    made), and again as the file is created, so one made meanwhile is not written over."""
    target = path.expanduser()
    if target.is_dir() or not target.parent.is_dir():
        raise bad_input("REPORT_BAD_OUTPUT", f"无法写入文件 {target}：目录不存在或是一个目录。")
    if not force and (target.exists() or target.is_symlink()):
        raise _output_exists(target)
    pdf = make()
    try:
        with target.open("wb" if force else "xb") as handle:
            handle.write(pdf)
    except FileExistsError:
        raise _output_exists(target) from None
    except OSError:
        raise bad_input("REPORT_BAD_OUTPUT", f"无法写入文件 {target}。") from None
    out.print(f"已生成 {escape(str(target))}（{len(pdf) // 1024 + 1} KB）。", highlight=False)


def progress() -> Progress:
    """A progress bar on stderr (so ``--json`` on stdout stays clean), hidden off a terminal."""
    return Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


def when(moment: Any) -> str:
    """A stored time as the hall reads it (Shanghai, to the minute), or "—"."""
    return show(moment, seconds=False) if moment is not None else "—"
