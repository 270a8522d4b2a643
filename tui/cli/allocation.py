"""`wangqian round …`, `wangqian allocate simulate` and `wangqian report round|family …`:
public-housing selection (保障房选房) from the command line.

ROUND is the round number as staff know it (第N场): ``3``, ``第3场`` or ``3场``;
it is looked up among the rounds (``services.allocation.rounds.rounds_list``).
Unreadable input (a ROUND that is not a number, a simulation file that is
missing, malformed or of the wrong shape) exits 2 with one Chinese sentence;
refusals exit 1. ``allocate simulate`` touches no database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from core.allocation.selection import STATUS_LABELS
from core.errors import RuleViolation
from core.text import printable
from core.roles import Actor
from services.allocation import simulate as simulation
from storage.engine import Database
from tui.cli.helpers import (
    ForceOption,
    OutputOption,
    bad_input,
    database,
    err,
    out,
    progress,
    refusals,
    report_app,
    shown,
    system_actor,
    when,
    write_pdf,
)

round_app = typer.Typer(help="保障房选房场次：新建、导入、发布、列表、运行、核验、撤回。", no_args_is_help=True)
allocate_app = typer.Typer(help="保障房选房。", no_args_is_help=True)


def parse_round_number(text: str) -> int:
    """"3", "第3场", "3场" → 3; anything else is refused (exit 2)."""
    raw = "".join(str(text).split())
    if raw.startswith("第"):
        raw = raw[1:]
    if raw.endswith("场"):
        raw = raw[:-1]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise bad_input("ROUND_BAD_NUMBER", f"场次“{printable(text, limit=20)}”不是有效的场次号，请填写如 3 或 第3场。")
    return int(raw)


def round_id_for(db: Database, actor: Actor, number: int) -> int:
    """The id of the round numbered ``number`` (第N场), or ROUND_NOT_FOUND."""
    from services.allocation import rounds

    for row in rounds.rounds_list(db, actor):
        if row.number == number:
            return row.id
    raise RuleViolation("ROUND_NOT_FOUND", f"没有第{number}场选房场次。", field="round")


def _resolve(round_text: str) -> tuple[Database, Actor, int]:
    number = parse_round_number(round_text)
    db, actor = database(), system_actor()
    return db, actor, round_id_for(db, actor, number)


# ------------------------------------------------------------------ round


@round_app.command("list")
@refusals
def round_list(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False) -> None:
    """列出选房场次（场次号从大到小）。"""
    from services.allocation import rounds

    rows = rounds.rounds_list(database(), system_actor())
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
        table.add_row(f"第{r.number}场", shown(r.name), r.kind_label, r.status_label,
                      f"{when(r.formal_open)} 至 {when(r.formal_close)}", str(r.families))
    out.print(table)


@round_app.command("show")
@refusals
def round_show(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """显示一个场次的时间、状态和统计。"""
    from services.allocation import rounds

    db, actor, round_id = _resolve(round_number)
    d = rounds.round_detail(db, actor, round_id)
    if as_json:
        facts = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in d.__dict__.items()}
        sys.stdout.write(json.dumps(facts, ensure_ascii=False, indent=2) + "\n")
        return
    lines = [
        f"[bold]第{d.number}场 {shown(d.name)}[/bold]（{d.kind_label}，{d.status_label}）",
        f"业务号：{d.case_number or '—'}",
        f"预选时间：{when(d.pre_open)} 至 {when(d.pre_close)}",
        f"正选时间：{when(d.formal_open)} 至 {when(d.formal_close)}",
        f"选房家庭 {d.families} 户，其中确认正选 {d.confirmed} 户，放弃 {d.gave_up} 户；当前可选房源 {d.houses_free} 套。",
        f"已运行 {d.run_count} 次" + (f"，结果公布于 {when(d.published_at)}：分得住房 {d.allocated} 户，未分配 {d.not_allocated} 户。"
                                   if d.published_at else "。"),
    ]
    for line in lines:
        out.print(line, highlight=False)


@round_app.command("run")
@refusals
def round_run(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只预演结果，不写入数据库。")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果（与 allocate simulate 相同的结构）。")] = False,
) -> None:
    """运行选房：按排位确定结果并公布（--dry-run 只预演）。"""
    from services.allocation import rounds

    db, actor, round_id = _resolve(round_number)
    with progress() as bar:
        task = bar.add_task("预演选房" if dry_run else "运行选房", total=None)
        report = rounds.run_round(db, actor, round_id, dry_run=dry_run,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    tally = "，".join(f"{STATUS_LABELS[s]} {n} 户" for s, n in report.counts().items())
    head = "预演结果（未写入数据库）" if dry_run else "选房结果已确定并公布"
    out.print(f"第{parse_round_number(round_number)}场{head}：共 {report.families} 户，{tally}；"
              f"剩余房源 {len(report.free_after)} 套。", highlight=False)
    for warning in report.warnings[:20]:
        out.print(f"[yellow]提示：{shown(warning)}[/yellow]", highlight=False)
    if len(report.warnings) > 20:
        out.print(f"[yellow]另有 {len(report.warnings) - 20} 条提示未显示（可用 --json 查看全部）。[/yellow]",
                  highlight=False)


@round_app.command("verify")
@refusals
def round_verify(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """核验选房日志：哈希链与重算结果；不一致时以 1 退出并指出第一处不一致。"""
    from services.allocation import rounds

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
        err.print(f"[red]{shown(report.message)}[/red]（ROUND_VERIFY_FAILED{where}）", highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


@round_app.command("reopen")
@refusals
def round_reopen(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    reason: Annotated[str, typer.Option("--reason", help="撤回原因（必填）。")],
) -> None:
    """撤回已公布的选房结果，释放房源，之后可重新运行。"""
    from services.allocation import rounds

    db, actor, round_id = _resolve(round_number)
    rounds.reopen_round(db, actor, round_id, reason)
    out.print(f"第{parse_round_number(round_number)}场的选房结果已撤回，可重新运行。", highlight=False)


# ------------------------------------------------------------------ setting a round up (场次设置)


_KINDS = {"regular": "regular", "正常选房": "regular", "常规": "regular", "supplementary": "supplementary",
          "补选": "supplementary"}


def _windows(pre_open: str, pre_close: str, formal_open: str, formal_close: str) -> dict[str, Any]:
    """The four moments as typed (Shanghai time), or exit 2 naming the first that cannot be read."""
    from core.allocation.round_setup import parse_window_time

    try:
        return {field: parse_window_time(text, field) for field, text in (
            ("pre_open", pre_open), ("pre_close", pre_close), ("formal_open", formal_open),
            ("formal_close", formal_close))}
    except RuleViolation as exc:
        raise bad_input(exc.code, exc.message) from None


@round_app.command("create")
@refusals
def round_create(
    number: Annotated[str, typer.Option("--number", metavar="场次号", help="场次号，如 4 或 第4场。")],
    name: Annotated[str, typer.Option("--name", help="场次名称（60 字以内）。")],
    pre_open: Annotated[str, typer.Option("--pre-open", metavar="yyyy-mm-dd hh:mm", help="预选开始（北京时间）。")],
    pre_close: Annotated[str, typer.Option("--pre-close", metavar="yyyy-mm-dd hh:mm", help="预选结束。")],
    formal_open: Annotated[str, typer.Option("--formal-open", metavar="yyyy-mm-dd hh:mm", help="正选开始。")],
    formal_close: Annotated[str, typer.Option("--formal-close", metavar="yyyy-mm-dd hh:mm", help="正选结束。")],
    kind: Annotated[str, typer.Option("--kind", help="场次类型：正常选房（regular）或补选（supplementary）。")] = "regular",
) -> None:
    """新建选房场次（筹备中）：之后导入家庭和房源、发布。"""
    from services.allocation import rounds

    round_number = parse_round_number(number)
    kind_code = _KINDS.get("".join(kind.split()).lower())
    if kind_code is None:
        raise bad_input("ROUND_KIND_INVALID", "场次类型只能是正常选房（regular）或补选（supplementary）。")
    windows = _windows(pre_open, pre_close, formal_open, formal_close)
    db, actor = database(), system_actor()
    rounds.create_round(db, actor, number=round_number, name=name, kind=kind_code, **windows)
    out.print(f"已新建第{round_number}场（{shown(name.strip())}），状态：筹备中。请导入选房家庭名单和房源清单后发布。",
              highlight=False)


@round_app.command("windows")
@refusals
def round_windows(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    pre_open: Annotated[str, typer.Option("--pre-open", metavar="yyyy-mm-dd hh:mm", help="预选开始（北京时间）。")],
    pre_close: Annotated[str, typer.Option("--pre-close", metavar="yyyy-mm-dd hh:mm", help="预选结束。")],
    formal_open: Annotated[str, typer.Option("--formal-open", metavar="yyyy-mm-dd hh:mm", help="正选开始。")],
    formal_close: Annotated[str, typer.Option("--formal-close", metavar="yyyy-mm-dd hh:mm", help="正选结束。")],
) -> None:
    """设置筹备中场次的预选、正选时间（须按先后顺序，且不能早于现在）。"""
    from services.allocation import setup

    number = parse_round_number(round_number)
    windows = _windows(pre_open, pre_close, formal_open, formal_close)
    db, actor = database(), system_actor()
    setup.set_windows(db, actor, round_id_for(db, actor, number), **windows)
    out.print(f"第{number}场的选房时间已设置。", highlight=False)


def _import(round_number: str, file: Path, what: str) -> None:
    from services.allocation import setup

    number = parse_round_number(round_number)
    try:
        text = setup.read_import_file(file)
    except RuleViolation as exc:
        raise bad_input(exc.code, exc.message) from None
    db, actor = database(), system_actor()
    round_id = round_id_for(db, actor, number)
    try:
        done = (setup.import_families if what == "families" else setup.import_houses)(db, actor, round_id, text)
    except setup.ImportRefused as refused:
        for error in refused.errors:
            err.print(f"[red]{shown(error.text())}[/red]", highlight=False, soft_wrap=True)
        err.print(f"[red]共 {len(refused.errors)} 处错误，未导入任何数据。[/red]（{refused.code}）", highlight=False)
        raise typer.Exit(1) from None
    if what == "families":
        out.print(f"已将 {done.rows} 户家庭导入第{number}场（其中新登记 {done.created} 户）。", highlight=False)
    else:
        out.print(f"已导入房源 {done.rows} 套（第{number}场）。", highlight=False)


@round_app.command("import-families")
@refusals
def round_import_families(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    file: Annotated[Path, typer.Argument(metavar="文件.csv",
                                         help="选房家庭名单：排位,姓名,证件号码,手机号码,家庭人数,可选户型。")],
) -> None:
    """导入选房家庭名单（含排位）；文件有任何错误时逐行列出，不导入任何数据。"""
    _import(round_number, file, "families")


@round_app.command("import-houses")
@refusals
def round_import_houses(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    file: Annotated[Path, typer.Argument(metavar="文件.csv",
                                         help="房源清单：房源编号,项目,楼栋,单元,楼层,房号,户型,朝向,面积,月租金。")],
) -> None:
    """导入房源清单；文件有任何错误时逐行列出，不导入任何数据。"""
    _import(round_number, file, "houses")


@round_app.command("publish")
@refusals
def round_publish(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
) -> None:
    """发布筹备中的场次：家庭可按时选房，场次设置不能再修改。"""
    from services.allocation import setup

    db, actor, round_id = _resolve(round_number)
    setup.publish_round(db, actor, round_id)
    out.print(f"第{parse_round_number(round_number)}场已发布，场次设置已锁定。", highlight=False)


# ------------------------------------------------------------------ simulate


@allocate_app.callback()
def _group() -> None:
    """保障房选房。"""
    # A callback keeps `simulate` a subcommand even while it is the only one.


def _show(value: Any) -> str:
    return "—" if value is None else shown(value)


@allocate_app.command("simulate")
def simulate(
    file: Annotated[Path, typer.Argument(metavar="文件.json", help="场次数据（JSON）；- 表示从标准输入读取。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")] = False,
) -> None:
    """按排位顺序模拟一个选房场次的结果（不访问数据库）。"""
    try:
        text = sys.stdin.read() if str(file) == "-" else simulation.read_round_text(file)
        report = simulation.simulate(text)
    except RuleViolation as exc:
        raise bad_input(exc.code, exc.message) from None
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("排位", "家庭", "房源", "结果")
    for line in report.results:
        table.add_row(str(line.rank), _show(line.family), _show(line.house), STATUS_LABELS[line.status])
    out.print(table)
    free = report.free_after
    listed = "：" + "、".join(_show(h) for h in free) if free else ""
    out.print(f"剩余房源 {len(free)} 套{listed}。", highlight=False)
    for warning in report.warnings:
        out.print(f"[yellow]提示：{shown(warning)}[/yellow]", highlight=False)


# ------------------------------------------------------------------ documents


@report_app.command("round")
@refusals
def report_round(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    output: OutputOption,
    force: ForceOption = False,
) -> None:
    """选房结果公示（姓名已脱敏）。"""
    from services.allocation import documents

    db, actor, round_id = _resolve(round_number)
    write_pdf(output, lambda: documents.round_result_list_pdf(db, actor, round_id), force=force)


@report_app.command("family")
@refusals
def report_family(
    round_number: Annotated[str, typer.Argument(metavar="场次", help="场次号，如 3 或 第3场。")],
    family_id: Annotated[int, typer.Argument(metavar="家庭编号", help="家庭编号。")],
    output: OutputOption,
    force: ForceOption = False,
) -> None:
    """一个家庭的选房结果通知书。"""
    from services.allocation import documents

    db, actor, round_id = _resolve(round_number)
    write_pdf(output, lambda: documents.family_result_notice_pdf(db, actor, round_id, family_id), force=force)
