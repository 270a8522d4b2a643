"""`wangqian contract …`: resale contracts from the command line.

``sweep`` deletes expired drafts (the terminals also sweep at start-up and
periodically; a hall may run this from cron as well); ``show`` prints one
contract as the counter sees it (numbers masked); ``list`` lists contracts
by status. Like every command these run as the system; refusals print one
Chinese sentence with its rule code and exit 1 (``tui.cli.refusals``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from core.resale import STATUS_LABELS
from core.timeutil import show as show_time
from services import contracts
from storage.engine import Database

contract_app = typer.Typer(help="存量房买卖合同（网签）。", no_args_is_help=True)

out = Console()
F = TypeVar("F", bound=Callable[..., Any])


def _refusals(fn: F) -> F:
    """``tui.cli.refusals``, looked up when the command runs (``tui.cli`` imports this module)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from tui.cli import refusals

        return refusals(fn)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _system():  # type: ignore[no-untyped-def]
    from tui.cli import _system as system

    return system()


@contract_app.command("sweep")
@_refusals
def sweep(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False) -> None:
    """删除创建后超过时限（24小时）仍未提交的合同草稿，每一份都记入审计日志。"""
    deleted = contracts.sweep_expired_drafts(Database(), contracts.SWEEP_ACTOR)
    if as_json:
        out.print_json(json.dumps({"deleted": deleted}, ensure_ascii=False))
    elif deleted:
        out.print(f"已删除 {len(deleted)} 份超时未提交的合同草稿：" + "、".join(deleted), markup=False)
    else:
        out.print("没有超时未提交的合同草稿。")


@contract_app.command("show")
@_refusals
def show(number: Annotated[str, typer.Argument(metavar="NUMBER", help="合同编号或业务号。")]) -> None:
    """显示一份合同（证件号码、手机号已遮蔽）。"""
    view = contracts.contract_by_number(Database(), _system(), number)
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("合同编号", view.number), ("业务号", view.case_number), ("状态", view.status_label),
        ("城市", view.city), ("房屋坐落", view.location), ("房源编码", view.house_code),
        ("版本", str(view.version)), ("购房资格审查", view.qualification_label),
        ("签约时间", show_time(view.signed_at) if view.signed_at else "—"),
        ("备案号", view.filing_number or "—"),
        ("备案时间", show_time(view.filed_at) if view.filed_at else "—"),
    ]
    rows += [(f"{p.side_label}", f"{p.name}　{p.id_kind_label} {p.masked_id}　{p.masked_phone}") for p in view.parties]
    rows += [(label, value) for label, value in (
        ("共有方式", view.items["co_ownership"]), ("成交价格", view.items["price"]),
        ("付款方式", view.items["payment_method"]), ("资金监管", view.items["fund_supervised"]),
        ("签署方式", view.items["signing"]),
    )]
    if view.expires_at is not None:
        rows.append(("草稿删除时间", show_time(view.expires_at)))
    if view.close_reason:
        rows.append(("注销/撤销原因", view.close_reason))
    for label, value in rows:
        table.add_row(label, value)
    out.print(table)
    for change in view.changes:
        out.print(f"变更 {show_time(change.changed_at)}　{change.item_label}：{change.before} → {change.after}",
                  markup=False)


@contract_app.command("list")
@_refusals
def list_contracts(
    status: Annotated[str | None, typer.Option("--status", help="draft / signed / filed / cancelled / revoked")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """合同列表（最新的在前）。"""
    rows = contracts.find_contracts(Database(), _system(), status=status)
    if as_json:
        out.print_json(json.dumps([
            {"number": r.number, "case": r.case_number, "status": r.status, "location": r.location,
             "price": f"{r.price:f}", "filing_number": r.filing_number} for r in rows
        ], ensure_ascii=False))
        return
    table = Table("合同编号", "业务号", "状态", "房屋坐落", "成交价格（元）")
    for r in rows:
        table.add_row(r.number, r.case_number, STATUS_LABELS[r.status], r.location, f"{r.price:,.2f}")
    out.print(table)
