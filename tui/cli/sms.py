"""`wangqian sms …`: the SMS outbox and its delivery from the command line.

Like every command, these run as the system (an administrator). Phones are
shown masked in the list; `sms show ID` gives one message's full number and
text for sending it by hand, and that is audited (who saw which message).
Refusals print one Chinese sentence with its rule code on stderr and exit 1.

Which database. Like every command these use the configured database
(`WANGQIAN_DB_URL`, else `wangqian.db` in the data folder). The demo
(`wangqian demo`, `python3 dev.py demo`) keeps its own file, `demo.db` beside
it, so that trying the demo never touches a hall's data; `--demo` points these
commands at that file, which is what someone following the demo in README
expects to see. A demo file not made yet (or of an older schema) is named as
such (DEMO_NOT_READY, exit 2) rather than created empty.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.padding import Padding

from storage.engine import Database
from tui import factory
from tui.cli.helpers import (
    bad_input,
    database,
    out,
    refusals,
    settings,
    shown,
    system_actor,
)

sms_app = typer.Typer(help="短信。", no_args_is_help=True)

#: `--demo` on every sms command: the demo's own database instead of the configured one.
DemoOption = Annotated[bool, typer.Option("--demo", help="使用演示数据库（wangqian demo 所用的 demo.db）。")]


def _sms():  # type: ignore[no-untyped-def]
    """The SMS service, imported when a command runs (not at every start of `wangqian`)."""
    from services import sms

    return sms


def _database(demo: bool) -> Database:
    """The configured database, or with ``demo`` the demo's file (refused while it has not been made)."""
    if not demo:
        return database()
    url = settings().demo_database_url()
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        raise bad_input("DEMO_NOT_READY", "演示数据库尚未建立，请先执行 wangqian demo（或 python3 dev.py demo）建立它。")
    from services import data  # Alembic: only for the demo's check, not at every start

    db = factory.open_demo_database(settings())
    if not data.schema_is_current(db):
        raise bad_input("DEMO_NOT_READY", "演示数据库不是最新版本，请先执行 wangqian demo（或 python3 dev.py demo）更新它。")
    return db


@sms_app.command("outbox")
@refusals
def outbox(
    status: Annotated[str | None, typer.Option("--status", help="短信状态：queued（待发送）、sending（发送中）、sent（已发送）、failed（发送失败），写代码或中文均可。")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示的条数。")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
    demo: DemoOption = False,
) -> None:
    """短信发件箱（最新的在前，手机号已遮蔽；sms show 编号 显示完整号码）。"""
    rows = _sms().outbox(_database(demo), system_actor(), status=status, limit=limit)
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
        heading = f"[bold]#{r.id}[/bold]  {r.created}  {r.phone}  {shown(state)}  {shown(r.purpose_label)}"
        out.print(heading + (f"  {r.case_number}" if r.case_number else ""), highlight=False)
        out.print(Padding(shown(r.text), (0, 0, 1, 4), expand=False), highlight=False)


@sms_app.command("show")
@refusals
def show(
    message_id: Annotated[int, typer.Argument(metavar="编号", help="短信编号。")],
    demo: DemoOption = False,
) -> None:
    """显示一条短信的完整手机号和内容，供手工发送（记入审计日志）。"""
    revealed = _sms().reveal(_database(demo), system_actor(), message_id)
    r = revealed.row
    out.print(f"[bold]#{r.id}[/bold]  {r.created}  {shown(r.status)}  {shown(r.purpose_label)}"
              + (f"  {r.case_number}" if r.case_number else ""), highlight=False)
    out.print(f"手机号：{revealed.phone}", highlight=False)
    out.print(f"内容：{shown(r.text)}", highlight=False)


@sms_app.command("deliver")
@refusals
def deliver(
    limit: Annotated[int, typer.Option("--limit", help="本次最多发送的条数。")] = 100,
    demo: DemoOption = False,
) -> None:
    """通过配置的短信网关（WANGQIAN_SMS_URL）发送待发送的短信。"""
    gateway = _sms().configured_gateway(settings())
    # The service answers a limit that is no count (SMS_BAD_LIMIT) with or without a gateway.
    report = _sms().deliver_pending(_database(demo), system_actor(), gateway, limit=limit)
    if gateway.name == _sms().OUTBOX_BACKEND:
        out.print("未配置短信网关（WANGQIAN_SMS_URL），短信留在发件箱中由工作人员手工发送。")
        return
    out.print(f"已发送 {report.sent} 条，发送失败 {report.failed} 条。")


@sms_app.command("mark-sent")
@refusals
def mark_sent(
    ids: Annotated[list[int], typer.Argument(metavar="编号...", help="已手工发送的短信编号。")],
    demo: DemoOption = False,
) -> None:
    """把已手工发送的短信标记为已发送。"""
    count = _sms().mark_sent(_database(demo), system_actor(), ids)
    out.print(f"已将 {count} 条短信标记为已发送。")


@sms_app.command("sweep")
@refusals
def sweep(demo: DemoOption = False) -> None:
    """清除发件箱中已失效（过期、已使用或已作废）的验证码（可由 cron 定时执行）。"""
    count = _sms().sweep_codes(_database(demo), system_actor())
    out.print(f"已从 {count} 条待发送短信中清除失效的验证码。")
