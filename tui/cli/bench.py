"""`wangqian bench …`: the performance benchmarks, as JSON for the record.

Each calls its measurement in the ``bench`` package (which no use case
imports). Bad sizes exit 2 with one Chinese sentence; progress goes to
stderr so ``--json`` on stdout stays clean.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from typing import Annotated

import typer
from rich.table import Table

from tui.cli.helpers import (
    bad_input,
    database,
    err,
    out,
    progress,
    refusals,
    settings,
    system_actor,
)

bench_app = typer.Typer(help="性能基准（JSON 输出）。", no_args_is_help=True)


@bench_app.command("lookup")
@refusals
def bench_lookup(
    persons: Annotated[int, typer.Option("--persons", help="合成申请人数量（不足时补足）。")] = 1_000_000,
    samples: Annotated[int, typer.Option("--samples", help="每种查询的次数。")] = 500,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """申请人查询基准：各查询类型的 p50/p95/p99（毫秒）。"""
    from rich.progress import Progress

    from bench import lookup

    db = database()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("准备数据 / 测量", total=None)
        report = lookup.lookup_latency(db, system_actor(), persons=persons, samples=samples,
                              progress=lambda done, total: progress.update(task, completed=done, total=total))
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    table = Table("查询类型", "次数", "p50 ms", "p95 ms", "p99 ms")
    for kind, row in report["kinds"].items():
        table.add_row(kind, str(row["n"]), f"{row['p50_ms']:.2f}", f"{row['p95_ms']:.2f}", f"{row['p99_ms']:.2f}")
    out.print(f"数据库：{report['database']}，申请人 {report['persons']} 人")
    out.print(table)


@bench_app.command("allocation")
@refusals
def bench_allocation(
    families: Annotated[int, typer.Option("--families", help="选房家庭数。")] = 100_000,
    houses: Annotated[int, typer.Option("--houses", help="房源数。")] = 30_000,
    list_len: Annotated[int, typer.Option("--list-len", help="每个家庭的正选意向数。")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="随机种子。")] = 1,
    repeat: Annotated[int, typer.Option("--repeat", help="每种运行的次数（1 到 3，取最好成绩）。")] = 1,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """选房基准：在临时 SQLite 数据库中生成场次，比较端到端运行与裸 sqlite3 基线的耗时。"""
    if families < 1 or houses < 1 or not 0 <= list_len <= houses:
        raise bad_input("BENCH_BAD_SIZE", "家庭数和房源数须为正整数，意向数不能超过房源数。")
    if not 1 <= repeat <= 3:
        raise bad_input("BENCH_BAD_REPEAT", "运行次数只能是 1 到 3。")
    from bench import allocation

    with progress() as bar:
        task = bar.add_task("准备", total=None)
        report = allocation.allocation_round(
            settings(), families=families, houses=houses, list_len=list_len, seed=seed, repeat=repeat,
            progress=lambda done, total, what: bar.update(task, completed=done, total=total, description=what))
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


@bench_app.command("pdf")
def bench_pdf(
    receipts: Annotated[int, typer.Option("--receipts", help="生成的受理回执份数。")] = 1000,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="批量生成回执的进程数（默认：全部可用 CPU；1 即只在本进程内逐份生成）。")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """文书基准：合同 PDF 预热后的生成耗时（中位数）与批量受理回执的总耗时（单进程与多进程并行各计一次）。"""
    if receipts < 1:
        raise bad_input("BENCH_BAD_SIZE", "回执份数须为正整数。")
    if workers is not None and workers < 1:
        raise bad_input("BENCH_BAD_WORKERS", "进程数须为正整数。")
    from bench import pdf

    with err.status("生成文书中……", spinner="dots") if err.is_terminal else nullcontext():
        report = pdf.pdf_benchmark(receipts=receipts, workers=workers)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("项目", "结果", "目标", "结论")
    table.add_row(f"合同 PDF（预热后 {report['contract_runs']} 次中位数）", f"{report['contract_warm_ms']:.1f} 毫秒",
                  f"≤ {report['contract_target_ms']} 毫秒", "达标" if report["contract_ok"] else "未达标")
    table.add_row(f"受理回执 {report['receipts']} 份（单进程逐份）", f"{report['receipts_single_s']:.2f} 秒",
                  f"≤ {report['receipts_target_s']} 秒", "达标" if report["receipts_single_ok"] else "未达标")
    if report["receipts_workers"] > 1:
        table.add_row(f"受理回执 {report['receipts']} 份（{report['receipts_workers']} 个进程并行，"
                      f"本机可用 CPU {report['usable_cpus']} 个）", f"{report['receipts_s']:.2f} 秒",
                      f"≤ {report['receipts_target_s']} 秒", "达标" if report["receipts_ok"] else "未达标")
    out.print(table)
