"""`wangqian round …`, `wangqian report round|family …` and `wangqian bench allocation`.

ROUND is the round number as staff know it (第N场): ``3``, ``第3场`` or ``3场``;
it is looked up among the rounds (services.rounds.rounds_list). Like every
command these run as the system (an administrator). Refusals print one Chinese
sentence with its rule code on stderr and exit 1 (the shared ``refusals`` of
``tui.cli``, looked up when a command runs: ``tui.cli`` imports this module to
mount its sub-apps); unreadable input (a ROUND that is not a number, a bad
size) exits 2. Progress bars go to stderr, so ``--json`` output on stdout stays
clean.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.allocation import ALLOCATED, CONFIRMED, GAVE_UP, NOT_ALLOCATED, STATUS_LABELS
from core.errors import RuleViolation
from core.roles import Actor
from storage.engine import Database

round_app = typer.Typer(help="保障房选房场次：列表、运行、核验、撤回。", no_args_is_help=True)
report_app = typer.Typer(help="打印文书（PDF）。", no_args_is_help=True)

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

BAD_INPUT_EXIT = 2


def _refusals(fn: F) -> F:
    """``tui.cli.refusals``, looked up when the command runs (``tui.cli`` imports this module)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from tui.cli import refusals

        return refusals(fn)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _system() -> Actor:
    from tui.cli import _system as system

    return system()


def _db() -> Database:
    from tui.cli import _db as db

    return db()


def _bad_input(code: str, message: str) -> typer.Exit:
    err.print(f"[red]{escape(message)}[/red]（{code}）", highlight=False, soft_wrap=True)
    return typer.Exit(BAD_INPUT_EXIT)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


def parse_round_number(text: str) -> int:
    """"3", "第3场", "3场" → 3; anything else is refused (exit 2)."""
    raw = "".join(str(text).split())
    if raw.startswith("第"):
        raw = raw[1:]
    if raw.endswith("场"):
        raw = raw[:-1]
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise _bad_input("ROUND_BAD_NUMBER", f"场次“{text}”不是有效的场次号，请填写如 3 或 第3场。")
    return int(raw)


def round_id_for(db: Database, actor: Actor, number: int) -> int:
    """The id of the round numbered ``number`` (第N场), or ROUND_NOT_FOUND."""
    from services import rounds

    for row in rounds.rounds_list(db, actor):
        if row.number == number:
            return row.id
    raise RuleViolation("ROUND_NOT_FOUND", f"没有第{number}场选房场次。", field="round")


def _resolve(round_text: str) -> tuple[Database, Actor, int]:
    number = parse_round_number(round_text)
    db, actor = _db(), _system()
    return db, actor, round_id_for(db, actor, number)


def _when(moment: Any) -> str:
    from core.timeutil import show

    return show(moment, seconds=False) if moment is not None else "—"


# ------------------------------------------------------------------ round


@round_app.command("list")
@_refusals
def round_list(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False) -> None:
    """列出选房场次（场次号从大到小）。"""
    from services import rounds

    rows = rounds.rounds_list(_db(), _system())
    if as_json:
        sys.stdout.write(json.dumps([
            {"number": r.number, "id": r.id, "name": r.name, "kind": r.kind, "kind_label": r.kind_label,
             "status": r.status, "status_label": r.status_label, "formal_open": r.formal_open.isoformat(),
             "formal_close": r.formal_close.isoformat(), "families": r.families} for r in rows
        ], ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        out.print("还没有选房场次。")
        return
    table = Table("场次", "名称", "类型", "状态", "正选时间", "家庭数")
    for r in rows:
        table.add_row(f"第{r.number}场", escape(r.name), r.kind_label, r.status_label,
                      f"{_when(r.formal_open)} 至 {_when(r.formal_close)}", str(r.families))
    out.print(table)


@round_app.command("show")
@_refusals
def round_show(
    round_number: Annotated[str, typer.Argument(metavar="ROUND", help="场次号，如 3 或 第3场。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """显示一个场次的时间、状态和统计。"""
    from services import rounds

    db, actor, round_id = _resolve(round_number)
    d = rounds.round_detail(db, actor, round_id)
    if as_json:
        facts = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in d.__dict__.items()}
        sys.stdout.write(json.dumps(facts, ensure_ascii=False, indent=2) + "\n")
        return
    lines = [
        f"[bold]第{d.number}场 {escape(d.name)}[/bold]（{d.kind_label}，{d.status_label}）",
        f"业务号：{d.case_number or '—'}",
        f"预选时间：{_when(d.pre_open)} 至 {_when(d.pre_close)}",
        f"正选时间：{_when(d.formal_open)} 至 {_when(d.formal_close)}",
        f"选房家庭 {d.families} 户，其中确认正选 {d.confirmed} 户，放弃 {d.gave_up} 户；当前可选房源 {d.houses_free} 套。",
        f"已运行 {d.run_count} 次" + (f"，结果公布于 {_when(d.published_at)}：分得住房 {d.allocated} 户，未分配 {d.not_allocated} 户。"
                                   if d.published_at else "。"),
    ]
    for line in lines:
        out.print(line, highlight=False)


@round_app.command("run")
@_refusals
def round_run(
    round_number: Annotated[str, typer.Argument(metavar="ROUND", help="场次号，如 3 或 第3场。")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只预演结果，不写入数据库。")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果（与 allocate simulate 相同的结构）。")] = False,
) -> None:
    """运行选房：按排位确定结果并公布（--dry-run 只预演）。"""
    from services import rounds

    db, actor, round_id = _resolve(round_number)
    with _progress() as progress:
        task = progress.add_task("预演选房" if dry_run else "运行选房", total=None)
        report = rounds.run_round(db, actor, round_id, dry_run=dry_run,
                                  progress=lambda done, total: progress.update(task, completed=done, total=total))
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    counts = {s: 0 for s in (CONFIRMED, ALLOCATED, NOT_ALLOCATED, GAVE_UP)}
    for row in report["results"]:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    shown = "，".join(f"{STATUS_LABELS[s]} {n} 户" for s, n in counts.items())
    head = "预演结果（未写入数据库）" if dry_run else "选房结果已确定并公布"
    out.print(f"第{parse_round_number(round_number)}场{head}：共 {len(report['results'])} 户，{shown}；"
              f"剩余房源 {len(report['free_after'])} 套。", highlight=False)
    for warning in report["warnings"][:20]:
        out.print(f"[yellow]提示：{escape(warning)}[/yellow]", highlight=False)
    if len(report["warnings"]) > 20:
        out.print(f"[yellow]另有 {len(report['warnings']) - 20} 条提示未显示（可用 --json 查看全部）。[/yellow]",
                  highlight=False)


@round_app.command("verify")
@_refusals
def round_verify(
    round_number: Annotated[str, typer.Argument(metavar="ROUND", help="场次号，如 3 或 第3场。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """核验选房日志：哈希链与重算结果；不一致时以 1 退出并指出第一处不一致。"""
    from services import rounds

    db, actor, round_id = _resolve(round_number)
    report = rounds.verify_round(db, actor, round_id)
    if as_json:
        sys.stdout.write(json.dumps({"ok": report.ok, "run": report.run, "rows": report.rows, "message": report.message,
                                     "seq": report.seq, "family_id": report.family_id}, ensure_ascii=False, indent=2)
                         + "\n")
    elif report.ok:
        out.print(report.message, highlight=False)
    else:
        where = "".join(f"，{k}={v}" for k, v in (("seq", report.seq), ("family", report.family_id)) if v is not None)
        err.print(f"[red]{escape(report.message)}[/red]（ROUND_VERIFY_FAILED{where}）", highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


@round_app.command("reopen")
@_refusals
def round_reopen(
    round_number: Annotated[str, typer.Argument(metavar="ROUND", help="场次号，如 3 或 第3场。")],
    reason: Annotated[str, typer.Option("--reason", help="撤回原因（必填）。")],
) -> None:
    """撤回已公布的选房结果，释放房源，之后可重新运行。"""
    from services import rounds

    db, actor, round_id = _resolve(round_number)
    rounds.reopen_round(db, actor, round_id, reason)
    out.print(f"第{parse_round_number(round_number)}场的选房结果已撤回，可重新运行。", highlight=False)


# ------------------------------------------------------------------ report


@report_app.callback()
def _report_group() -> None:
    """打印文书（PDF）。"""
    # A callback keeps each document a subcommand even while there are few.


def _write_pdf(path: Path, make: Callable[[], bytes]) -> None:
    target = path.expanduser()
    if target.is_dir() or not target.parent.is_dir():
        raise _bad_input("REPORT_BAD_OUTPUT", f"无法写入文件 {target}：目录不存在或是一个目录。")
    pdf = make()
    try:
        target.write_bytes(pdf)
    except OSError:
        raise _bad_input("REPORT_BAD_OUTPUT", f"无法写入文件 {target}。") from None
    out.print(f"已生成 {target}（{len(pdf) // 1024 + 1} KB）。", highlight=False)


OutputOption = Annotated[Path, typer.Option("-o", "--output", metavar="FILE.pdf", help="输出的 PDF 文件。")]


@report_app.command("round")
@_refusals
def report_round(
    round_number: Annotated[str, typer.Argument(metavar="ROUND", help="场次号，如 3 或 第3场。")],
    output: OutputOption,
) -> None:
    """选房结果公示（姓名已脱敏）。"""
    from services import round_documents

    db, actor, round_id = _resolve(round_number)
    _write_pdf(output, lambda: round_documents.round_result_list_pdf(db, actor, round_id))


@report_app.command("family")
@_refusals
def report_family(
    round_number: Annotated[str, typer.Argument(metavar="ROUND", help="场次号，如 3 或 第3场。")],
    family_id: Annotated[int, typer.Argument(metavar="FAMILY_ID", help="家庭编号。")],
    output: OutputOption,
) -> None:
    """一个家庭的选房结果通知书。"""
    from services import round_documents

    db, actor, round_id = _resolve(round_number)
    _write_pdf(output, lambda: round_documents.family_result_notice_pdf(db, actor, round_id, family_id))


# ------------------------------------------------------------------ bench allocation


@_refusals
def bench_allocation_command(
    families: Annotated[int, typer.Option("--families", help="选房家庭数。")] = 100_000,
    houses: Annotated[int, typer.Option("--houses", help="房源数。")] = 30_000,
    list_len: Annotated[int, typer.Option("--list-len", help="每个家庭的正选意向数。")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="随机种子。")] = 1,
    repeat: Annotated[int, typer.Option("--repeat", help="每种运行的次数（1 到 3，取最好成绩）。")] = 1,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """选房基准：在临时 SQLite 数据库中生成场次，比较端到端运行与裸 sqlite3 基线的耗时。"""
    if families < 1 or houses < 1 or not 0 <= list_len <= houses:
        raise _bad_input("BENCH_BAD_SIZE", "家庭数和房源数须为正整数，意向数不能超过房源数。")
    if not 1 <= repeat <= 3:
        raise _bad_input("BENCH_BAD_REPEAT", "运行次数只能是 1 到 3。")
    from services import bench_allocation

    with _progress() as progress:
        task = progress.add_task("准备", total=None)
        report = bench_allocation.allocation_round(
            families=families, houses=houses, list_len=list_len, seed=seed, repeat=repeat,
            progress=lambda done, total, what: progress.update(task, completed=done, total=total, description=what))
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("项目", "耗时（秒）")
    table.add_row("生成数据", f"{report['generate_s']:.3f}")
    table.add_row("基线（裸 sqlite3：读取、分配、写结果）", f"{report['baseline_s']:.3f}")
    table.add_row("端到端（run_round：含日志、房源、家庭状态、审计）", f"{report['end_to_end_s']:.3f}")
    out.print(f"数据库：临时 SQLite 文件；家庭 {report['families']} 户，房源 {report['houses']} 套，"
              f"意向 {report['wishes']} 条（每户 {report['list_len']} 条）", highlight=False)
    out.print(table)
    verdict = "达标" if report["ratio"] is not None and report["ratio"] <= report["target_ratio"] else "未达标"
    agree = "一致" if report["results_agree"] else "不一致"
    out.print(f"比值（端到端 ÷ 基线）：{report['ratio']}，目标 ≤ {report['target_ratio']}，{verdict}；"
              f"两者结果{agree}。", highlight=False)
