"""`wangqian sms …`: the SMS outbox and its delivery from the command line.

Like every command, these run as the system (an administrator). Phones are
always shown masked. Refusals print one Chinese sentence with its rule code on
stderr and exit 1.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer
from rich.padding import Padding

from services import sms
from tui.cli.helpers import database, out, refusals, settings, shown, system_actor

sms_app = typer.Typer(help="短信。", no_args_is_help=True)


@sms_app.command("outbox")
@refusals
def outbox(
    status: Annotated[str | None, typer.Option("--status", help="queued / sent / failed")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示的条数。")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """短信发件箱（最新的在前，手机号已遮蔽）。"""
    rows = sms.outbox(database(), system_actor(), status=status, limit=limit)
    if as_json:
        sys.stdout.write(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        out.print("发件箱中没有短信。")
        return
    # One heading line per message with its text below: the text is what staff
    # send by hand, so it is never cut to fit a column.
    for r in rows:
        state = r.status if r.error is None else f"{r.status}（{r.error}）"
        heading = f"[bold]#{r.id}[/bold]  {r.created}  {r.phone}  {shown(state)}  {shown(r.purpose)}"
        out.print(heading + (f"  {r.case_number}" if r.case_number else ""), highlight=False)
        out.print(Padding(shown(r.text), (0, 0, 1, 4), expand=False), highlight=False)


@sms_app.command("deliver")
@refusals
def deliver(limit: Annotated[int, typer.Option("--limit", help="本次最多发送的条数。")] = 100) -> None:
    """通过配置的短信网关（WANGQIAN_SMS_URL）发送待发送的短信。"""
    gateway = sms.configured_gateway(settings())
    if gateway.name == sms.OUTBOX_BACKEND:
        out.print("未配置短信网关（WANGQIAN_SMS_URL），短信留在发件箱中由工作人员手工发送。")
        return
    report = sms.deliver_pending(database(), system_actor(), gateway, limit=limit)
    out.print(f"已发送 {report.sent} 条，发送失败 {report.failed} 条。")


@sms_app.command("mark-sent")
@refusals
def mark_sent(ids: Annotated[list[int], typer.Argument(metavar="ID...", help="已手工发送的短信编号。")]) -> None:
    """把已手工发送的短信标记为已发送。"""
    count = sms.mark_sent(database(), system_actor(), ids)
    out.print(f"已将 {count} 条短信标记为已发送。")
