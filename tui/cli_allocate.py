"""`wangqian allocate …`: public-housing selection (保障房选房) from the command line.

Bad input (missing or unreadable file, malformed JSON, wrong shape) prints one
Chinese sentence with its rule code on stderr and exits 2; nothing is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from core.allocation import STATUS_LABELS
from core.errors import RuleViolation
from services import allocation_sim

allocate_app = typer.Typer(help="保障房选房。", no_args_is_help=True)

out = Console()
err = Console(stderr=True)

BAD_INPUT_EXIT = 2


@allocate_app.callback()
def _group() -> None:
    """保障房选房。"""
    # A callback keeps `simulate` a subcommand even while it is the only one.


def _show(value: Any) -> str:
    return "—" if value is None else escape(str(value))


@allocate_app.command("simulate")
def simulate(
    file: Annotated[Path, typer.Argument(metavar="FILE.json", help="场次数据（JSON）；- 表示从标准输入读取。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")] = False,
) -> None:
    """按排位顺序模拟一个选房场次的结果（不访问数据库）。"""
    try:
        text = sys.stdin.read() if str(file) == "-" else allocation_sim.read_round_text(file)
        report = allocation_sim.simulate(text)
    except RuleViolation as exc:
        err.print(f"[red]{escape(exc.message)}[/red]（{exc.code}）", highlight=False, soft_wrap=True)
        raise typer.Exit(BAD_INPUT_EXIT) from None
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("排位", "家庭", "房源", "结果")
    for row in report["results"]:
        table.add_row(str(row["rank"]), _show(row["family"]), _show(row["house"]),
                      STATUS_LABELS.get(row["status"], row["status"]))
    out.print(table)
    free = report["free_after"]
    listed = "：" + "、".join(_show(h) for h in free) if free else ""
    out.print(f"剩余房源 {len(free)} 套{listed}。", highlight=False)
    for warning in report["warnings"]:
        out.print(f"[yellow]提示：{escape(warning)}[/yellow]", highlight=False)
