"""``wangqian bench pdf``: the resale documents' benchmark (issue item 13).

Registered by ``tui.cli`` as ``bench_app.command("pdf")(bench_pdf_command)``.
Pure timing over sample data (services.bench_pdf); no database is opened.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

out = Console()
err = Console(stderr=True)


def bench_pdf_command(
    receipts: Annotated[int, typer.Option("--receipts", help="生成的受理回执份数。")] = 1000,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="批量生成回执的进程数（默认：全部可用 CPU；1 即只在本进程内逐份生成）。")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """文书基准：合同 PDF 预热后的生成耗时（中位数）与批量受理回执的总耗时（单进程与多进程并行各计一次）。"""
    if receipts < 1:
        err.print("[red]回执份数须为正整数。[/red]（BENCH_BAD_SIZE）", highlight=False)
        raise typer.Exit(2)
    if workers is not None and workers < 1:
        err.print("[red]进程数须为正整数。[/red]（BENCH_BAD_WORKERS）", highlight=False)
        raise typer.Exit(2)
    from services import bench_pdf

    with err.status("生成文书中……", spinner="dots") if err.is_terminal else nullcontext():
        report = bench_pdf.pdf_benchmark(receipts=receipts, workers=workers)
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


__all__ = ["bench_pdf_command"]
