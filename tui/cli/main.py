"""The `wangqian` command line. Each command calls the same service the TUI calls.

The shell user acts as the system (an administrator): whoever has a shell on
the server already has the database. Refusals print one Chinese sentence with
its rule code and exit 1; nothing is written (``tui.cli.helpers``).

This module is the root: it mounts each domain's commands (``tui.cli.resale``,
``tui.cli.allocation``, ``tui.cli.sms``, ``tui.cli.bench``,
``tui.cli.party``, ``tui.cli.presale``, ``tui.cli.home_register``) and holds the
hall's own (terminal, demo, database, operators, audit, cases, number checks).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from core import identity
from core.clock import system_clock
from core.errors import RuleViolation
from core.roles import HALL_ROLE_CHOICES
from core.timeutil import local_today
from storage.engine import Database
from tui.cli import (  # noqa: F401 (chinese: the CLI's own words; presale_permits mounts itself on presale)
    allocation,
    bench,
    chinese,
    home_register,
    party,
    presale,
    presale_contracts,
    presale_facts,
    presale_ledger,
    presale_permits,
    presale_returns,
    printing,
    resale,
    sms,
)
from tui.cli.helpers import (
    begin_invocation,
    database,
    end_invocation,
    err,
    out,
    read_password,
    refusals,
    refuse_undecodable,
    report_app,
    say_refusal,
    settings,
    shown,
    system_actor,
)

app = typer.Typer(help="网签柜台：存量房网签、商品房预售签约备案、保障房选房与租赁的柜台系统。", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
db_app = typer.Typer(help="数据库：迁移、初始化、示例数据。", no_args_is_help=True)
operator_app = typer.Typer(help="操作员账户。", no_args_is_help=True)
UserName = Annotated[str, typer.Argument(metavar="用户名", help="操作员的用户名。")]
audit_app = typer.Typer(help="审计日志。", no_args_is_help=True)
case_app = typer.Typer(help="业务。", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(operator_app, name="operator")
app.add_typer(audit_app, name="audit")
app.add_typer(case_app, name="case")
app.add_typer(bench.bench_app, name="bench")
app.add_typer(allocation.allocate_app, name="allocate")
app.add_typer(allocation.round_app, name="round")
app.add_typer(sms.sms_app, name="sms")
app.add_typer(report_app, name="report")
app.add_typer(resale.contract_app, name="contract")
app.add_typer(party.party_app, name="party")
app.add_typer(presale.presale_app, name="presale")
app.command("print")(printing.print_pdf)
app.add_typer(home_register.home_app, name="home")


@app.callback()
def _root(ctx: typer.Context) -> None:
    """网签柜台 wangqian — housing net-signing and allocation counter."""
    begin_invocation()
    ctx.call_on_close(end_invocation)


# ------------------------------------------------------------------ the TUI


@app.command()
@refusals
def tui(
    ssh: Annotated[bool, typer.Option(
        "--ssh", help="SSH 远程登录（由 wangqian-ssh 调用）：只能以本系统账户对应的操作员登录。")] = False,
) -> None:
    """启动柜台界面（使用配置的数据库）。"""
    from services import data
    from tui.factory import create_app

    remote = None
    if ssh:  # who the Unix login is in the hall, before anything else (docs/ssh.md)
        from tui.ssh import remote_login

        remote = remote_login(settings())
    db = database()
    if not data.schema_is_current(db):
        raise RuleViolation("DB_NOT_CURRENT", "数据库结构不是最新版本，请先执行 wangqian db upgrade。")
    create_app(db, remote=remote).run()


def demo_database(progress: Callable[[int, int, str], None] | None = None) -> Database:
    """The demo's own embedded SQLite file, made with the sample data on first use
    (``progress`` is told each step of the making, ``demo.loader.DEMO_STEPS``).

    A file completed before with the migrations there are now is opened as it is
    (``demo.ready``): no Alembic, no count, nothing before the login screen."""
    from demo import ready
    from tui.factory import open_demo_database

    db = open_demo_database(settings())
    if ready.is_ready(db):
        return db
    from demo.loader import load_demo
    from services import data

    made_from = ready.stamped_sample(db)
    ready.forget(db)
    if not _known(db) or ready.holds_people(db) and made_from != ready.sample_fingerprint():
        db = _set_aside(db)  # another version's demo: other sample data, or a newer program's
    if ready.revision(db) is not None:  # this sample's demo at an older schema, or a making cut short
        data.upgrade(db, system_actor())
    if not ready.holds_people(db):
        load_demo(db, system_actor(), progress=progress)
    ready.mark_ready(db)
    return db


def _known(db: Database) -> bool:
    from demo import ready
    from storage import migrate

    found = ready.revision(db)
    return found is None or migrate.is_known(db, found)


def _set_aside(db: Database) -> Database:
    """Another version's demo file (made from other sample data, or upgraded by a newer program,
    which this one could not open) is kept under another name — nothing is deleted — and the
    demo is made again in its place, so that the logins the login screen lists are there."""
    from demo import ready
    from tui.factory import open_demo_database

    found = (ready.revision(db) or "空")[:20]
    newer = not _known(db)
    path = Path(str(db.engine.url.database))
    db.dispose()
    kept = path.with_name(f"{path.stem}-{found}{path.suffix}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.stem}-{found}-{n}{path.suffix}")
    for suffix in ("", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(kept.with_name(kept.name + suffix))
    made_by = f"较新版本的程序建立（结构版本 {found}）" if newer else "其他版本的程序或示例数据建立"
    err.print(f"演示数据库由{made_by}，已另存为 {kept.name}，现重新建立演示数据库。", highlight=False, markup=False)
    return open_demo_database(settings())


class _DemoProgress:
    """The first start's progress lines (stderr), instead of a blank screen while the demo is made."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.built = False

    def __call__(self, step: int, steps: int, what: str) -> None:
        if not self.built:
            self.built = True
            err.print("正在建立演示数据库……（只在第一次启动时进行，约需 5–15 秒）", highlight=False)
        err.print(f"  [{step}/{steps}] {what}……（{self.seconds:.1f} 秒）", highlight=False)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.began


@app.command()
@refusals
def demo(
    check: Annotated[bool, typer.Option(
        "--check", help="准备演示数据库，在后台把界面启动到登录界面后退出，并打印启动用时。")] = False,
) -> None:
    """演示：在内置 SQLite 示例数据上启动柜台界面，并显示演示账户。"""
    from demo.sample_files import demo_logins
    from tui.factory import create_app

    making = _DemoProgress()
    db = demo_database(progress=making)
    if making.built:
        err.print(f"演示数据库已建立（用时 {making.seconds:.1f} 秒），正在启动柜台界面……", highlight=False)
    app_ = create_app(db, demo_logins=demo_logins())
    if check:
        from rich.console import Console

        from bench.start import DRAWN, run_to_login

        said = Console(file=out.file, highlight=False, soft_wrap=True)  # Textual captures stdout while it runs
        run_to_login(app_, lambda seconds: said.print(f"演示数据库就绪：{db.url}；{DRAWN}：进程启动后 {seconds:.2f} 秒。"))
        return
    app_.run()


# ------------------------------------------------------------------ db


@db_app.command("upgrade")
@refusals
def db_upgrade() -> None:
    """按迁移脚本把数据库结构升级到最新版本。"""
    from services import data

    db = database()
    before = data.schema_revision(db)
    revision = data.upgrade(db, system_actor())
    if before == revision:
        out.print(f"数据库结构已是最新版本（{revision}），无需升级。")
    else:
        out.print(f"数据库结构已升级到最新版本（{revision}，原为{'空库' if before is None else before}）。")


@db_app.command("backup")
@refusals
def db_backup(file: Annotated[str, typer.Argument(metavar="文件", help="备份写入的新文件（不会覆盖已有文件）。")]) -> None:
    """备份整个数据库到一个新文件：SQLite 用在线备份，PostgreSQL 用 pg_dump；各窗口可照常办理。"""
    from pathlib import Path

    from services import backup

    report = backup.backup(database(), system_actor(), Path(file))
    kind = "SQLite" if report.kind == "sqlite" else "PostgreSQL"
    out.print(f"已备份 {kind} 数据库（{report.tables} 张表，{report.size:,} 字节，用时 {report.seconds:.1f} 秒）到 "
              f"{shown(str(report.path))}。", highlight=False)


@db_app.command("restore")
@refusals
def db_restore(file: Annotated[str, typer.Argument(metavar="文件", help="wangqian db backup 写出的备份文件。")]) -> None:
    """把备份恢复到当前配置的空数据库，并核验审计链。"""
    from pathlib import Path

    from services import backup

    report = backup.restore(database(), system_actor(), Path(file))
    out.print(f"已恢复 {report.tables} 张表，用时 {report.seconds:.1f} 秒；审计日志 {report.audit_rows} 条，"
              f"哈希链{'完整' if report.audit_intact else '断裂'}。", highlight=False)
    if not report.current:
        out.print("备份的数据库结构早于本程序，请执行 wangqian db upgrade。", highlight=False)
    if not report.audit_intact:
        raise typer.Exit(1)


@db_app.command("init")
@refusals
def db_init(sample: Annotated[bool, typer.Option("--sample", help="同时导入示例数据。")] = False) -> None:
    """创建数据库结构；加 --sample 导入示例数据。"""
    from services import data

    db = database()
    data.upgrade(db, system_actor())
    counts: dict[str, int] = {}
    if sample:
        from demo.loader import load_demo

        counts = load_demo(db, system_actor())
    out.print("数据库已初始化。" + ("导入：" + "，".join(f"{k} {v}" for k, v in counts.items()) if counts else ""))


@db_app.command("gen")
@refusals
def db_gen(
    persons: Annotated[int, typer.Option("--persons", help="生成的人数。")],
    seed: Annotated[int, typer.Option(help="随机种子。")] = 1,
) -> None:
    """生成大规模合成申请人数据（用于性能基准）。"""
    from rich.progress import Progress

    from demo.loader import generate_persons
    from services import data

    db = database()
    data.upgrade(db, system_actor())
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("生成合成数据", total=persons)
        inserted = generate_persons(db, system_actor(), persons, seed=seed,
                                 progress=lambda done, total: progress.update(task, completed=done))
    out.print(f"已生成 {inserted} 名合成申请人。")


# ------------------------------------------------------------------ operators


@operator_app.command("add")
@refusals
def operator_add(
    username: UserName,
    name: Annotated[str, typer.Option("--name", help="姓名。")],
    role: Annotated[str, typer.Option("--role", help=f"角色：{HALL_ROLE_CHOICES}。")],
    window: Annotated[str | None, typer.Option("--window", help="窗口号。")] = None,
    bank: Annotated[str | None, typer.Option(
        "--bank", help="所属银行（监管银行审核员，如 中国建设银行）或公积金中心（公积金中心审核员）。")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码。")] = False,
) -> None:
    """新增操作员。"""
    from services import operators

    view = operators.add_operator(database(), system_actor(), username=username, name=name, role=role,
                                  password=read_password(password_stdin), window=window, bank=bank)
    out.print(f"已新增操作员 {shown(view.username)}（{shown(view.name)}，{view.role_label}）。")


@operator_app.command("passwd")
@refusals
def operator_passwd(
    username: UserName,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码。")] = False,
) -> None:
    """重设操作员密码。"""
    from services import operators

    operators.change_password(database(), system_actor(), username.strip().lower(), read_password(password_stdin))
    out.print(f"操作员 {shown(username)} 的密码已重设。")


@operator_app.command("list")
@refusals
def operator_list(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False) -> None:
    """列出操作员。"""
    from services import operators

    views = operators.list_operators(database(), system_actor())
    if as_json:
        out.print_json(json.dumps([{**v.__dict__, "role": v.role.value} for v in views], ensure_ascii=False))
        return
    table = Table("用户名", "姓名", "角色", "窗口/所属机构", "状态")
    for v in views:
        state = "已停用" if not v.active else ("已锁定" if v.locked else "正常")
        table.add_row(shown(v.username), shown(v.name), v.role_label, shown(v.place), state)
    out.print(table)


@operator_app.command("disable")
@refusals
def operator_disable(username: UserName) -> None:
    """停用操作员。"""
    from services import operators

    operators.set_active(database(), system_actor(), username.strip().lower(), False)
    out.print(f"操作员 {shown(username)} 已停用。")


@operator_app.command("enable")
@refusals
def operator_enable(username: UserName) -> None:
    """重新启用操作员。"""
    from services import operators

    operators.set_active(database(), system_actor(), username.strip().lower(), True)
    out.print(f"操作员 {shown(username)} 已启用。")


@operator_app.command("role")
@refusals
def operator_role(
    username: UserName,
    role: Annotated[str, typer.Option("--role", help=f"新角色：{HALL_ROLE_CHOICES}。")],
) -> None:
    """变更操作员的角色（该操作员已登录的终端在下一次操作时须重新登录）。"""
    from services import operators

    view = operators.set_role(database(), system_actor(), username.strip().lower(), role)
    out.print(f"操作员 {shown(view.username)} 的角色已变更为{view.role_label}。")


@operator_app.command("unlock")
@refusals
def operator_unlock(username: UserName) -> None:
    """解锁因密码错误被锁定的账户。"""
    from services import operators

    operators.unlock(database(), system_actor(), username.strip().lower())
    out.print(f"操作员 {shown(username)} 已解锁。")


# ------------------------------------------------------------------ audit


@audit_app.command("verify")
@refusals
def audit_verify(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False) -> None:
    """核验审计日志哈希链；链断裂时以非零状态退出并指出第一条问题记录。"""
    from services import audit

    result = audit.verify(database(), system_actor())
    brk = result.first_break
    if as_json:
        out.print_json(json.dumps({"rows": result.rows, "intact": result.intact,
                                   "first_break": brk and {"seq": brk.seq, "kind": brk.kind, "message": brk.message}},
                                  ensure_ascii=False))
    elif brk is None:
        out.print(f"审计日志完整：共 {result.rows} 条记录，哈希链无断裂。")
    else:
        err.print(f"[red]{shown(brk.message)}[/red]（AUDIT_CHAIN_BROKEN，seq={brk.seq}，{brk.kind}）", highlight=False)
    if brk is not None:
        raise typer.Exit(1)


@audit_app.command("tail")
@refusals
def audit_tail(limit: Annotated[int, typer.Option("--limit", help="显示的条数（最近的在前）。")] = 20,
               case: Annotated[str | None, typer.Option("--case", help="只显示该业务号的记录。")] = None) -> None:
    """最近的审计记录（证件号码已遮蔽）。"""
    from core.timeutil import show
    from services import audit

    table = Table("序号", "时间", "操作员", "动作", "对象", "业务号")
    for e in audit.recent(database(), system_actor(), limit, case):
        table.add_row(str(e.seq), show(e.at), shown(e.operator), shown(e.action),
                      shown(f"{e.object_type or ''}:{e.object_id or ''}"), shown(e.case_number or ""))
    out.print(table)


# ------------------------------------------------------------------ cases


@case_app.command("show")
@refusals
def case_show(number: Annotated[str, typer.Argument(metavar="业务号", help="业务号。")]) -> None:
    """显示业务及其办理进度。"""
    from core.timeutil import show
    from services import cases

    d = cases.case_detail(database(), system_actor(), number)
    out.print(f"{d.number}  {d.type_name}  {d.stage_name}  {d.status_label}  {shown(d.summary)}", highlight=False)
    for step in d.timeline:
        out.print(f"  {show(step.at)}  {shown(step.operator)}{step.action}  → {step.stage}  {shown(step.note or '')}",
                  highlight=False)


@case_app.command("due")
@refusals
def case_due(
    overdue: Annotated[bool, typer.Option("--overdue", help="只列已超期的业务。")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """列出已超期、即将到期（剩1个工作日以内）和无法计算到期日的未办结业务（按国家法定节假日和调休计算工作日）。"""
    from core.time_limits import CLOCK_LABELS
    from core.timeutil import show
    from services import cases

    rows = cases.due_cases(database(), system_actor(), overdue_only=overdue)
    if as_json:
        out.print_json(json.dumps([
            {"number": r.number, "type": r.type_code, "type_name": r.type_name, "stage": r.stage_name,
             "handler": r.handler, "accepted_at": r.accepted_at.isoformat(),
             "due_on": r.clock.due_on.isoformat() if r.clock.due_on else None,
             "remaining_working_days": r.clock.remaining, "state": r.clock.state.value,
             "state_label": CLOCK_LABELS[r.clock.state], "label": r.clock.label,
             "limit_working_days": r.limit.working_days, "limit_basis": r.limit.basis.value,
             "limit_source": r.limit.source, "note": r.clock.note or None}
            for r in rows], ensure_ascii=False))
        return
    if not rows:
        out.print("没有已超期的业务。" if overdue else "没有已超期或即将到期的业务。", highlight=False)
        return
    for r in rows:
        due = f"{r.clock.due_on:%Y-%m-%d}" if r.clock.due_on else "—"
        out.print(f"{r.number}  {r.type_name}  {r.stage_name}  {shown(r.handler)}  受理 {show(r.accepted_at, seconds=False)}"
                  f"  到期 {due}  {r.clock.label}", highlight=False)
    out.print(f"共 {len(rows)} 件。", highlight=False)


# ------------------------------------------------------------------ check


@app.command()
@refusals
def check(
    what: Annotated[str, typer.Argument(metavar="类别", help="id（证件号码）/ uscc（统一社会信用代码）/ phone（手机号）。")],
    value: Annotated[str, typer.Argument(metavar="号码", help="要核验的号码。")],
    kind: Annotated[str | None, typer.Option("--kind", help="证件类型（默认按号码形态识别）")] = None,
    nationality: Annotated[str | None, typer.Option("--nationality", help="护照国籍（ISO 三字母）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """核验证件号码、统一社会信用代码或手机号，打印解析结果；不通过时退出码为 1。"""
    try:
        if what == "id":
            facts: dict[str, Any] = identity.parse_identity(value, kind, nationality=nationality,
                                                                  today=local_today(system_clock())).to_dict()
        elif what == "uscc":
            facts = identity.parse_credit_code(value).to_dict()
        elif what == "phone":
            facts = {"kind": "mobile", "number": identity.parse_mobile(value)}
        else:
            raise RuleViolation("CHECK_BAD_KIND", "核验类型只能是 id、uscc 或 phone。")
    except RuleViolation as exc:
        if as_json:
            out.print_json(json.dumps({"ok": False, **exc.to_dict()}, ensure_ascii=False))
        else:
            say_refusal(exc.code, exc.message)
        raise typer.Exit(1) from None
    if as_json:
        out.print_json(json.dumps({"ok": True, **facts}, ensure_ascii=False, default=str))
    else:
        for key, val in facts.items():
            if val is not None:
                out.print(f"{key}: {shown(val)}", highlight=False)




def main() -> None:
    try:
        refuse_undecodable(sys.argv[1:])
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    app()


if __name__ == "__main__":
    main()
