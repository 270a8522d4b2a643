"""`wangqian contract …` and `wangqian report contract|receipt|notice …`: resale
net-signing from the command line.

``contract sweep`` deletes expired drafts (the terminals also sweep at start-up
and periodically; a hall may run this from cron as well); ``contract show``
prints one contract as the counter sees it (numbers masked); ``contract list``
lists contracts by status. The documents take CASE, the case number (业务号)
or the contract number (合同编号). Input that names nothing — an unknown or
empty CASE, an unknown house check, a material not on the checklist, CASE and
``--check`` both or neither — exits 2 with one Chinese sentence; other
refusals (e.g. a notice with nothing to tell) exit 1 like every command.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from core.resale.lifecycle import STATUS_LABELS
from core.timeutil import show as show_time
from tui.cli.helpers import (
    ForceOption,
    OutputOption,
    database,
    input_refusals,
    out,
    refusals,
    report_app,
    shown,
    system_actor,
    write_pdf,
)

contract_app = typer.Typer(help="存量房买卖合同（网签）。", no_args_is_help=True)

#: Refusals that mean the input names nothing: exit 2, not 1.
BAD_INPUT_CODES = frozenset({
    "REPORT_NUMBER_EMPTY", "REPORT_CASE_NOT_FOUND", "REPORT_NOT_RESALE", "CONTRACT_NUMBER_EMPTY",
    "CONTRACT_NOT_FOUND", "NOTICE_CHECK_NOT_FOUND", "NOTICE_CASE_OR_CHECK", "NOTICE_UNKNOWN_MATERIAL",
})

CaseArgument = Annotated[str, typer.Argument(metavar="业务号", help="业务号或合同编号。")]


@contract_app.command("sweep")
@refusals
def sweep(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False) -> None:
    """删除创建后超过时限（24小时）仍未提交的合同草稿，每一份都记入审计日志。"""
    from services.resale import contracts  # not at start-up: `wangqian demo` draws its login first

    deleted = contracts.sweep_expired_drafts(database(), contracts.SWEEP_ACTOR)
    if as_json:
        out.print_json(json.dumps({"deleted": deleted}, ensure_ascii=False))
    elif deleted:
        out.print(f"已删除 {len(deleted)} 份超时未提交的合同草稿：" + "、".join(shown(n) for n in deleted), highlight=False)
    else:
        out.print("没有超时未提交的合同草稿。")


@contract_app.command("show")
@refusals
def show(number: Annotated[str, typer.Argument(metavar="编号", help="合同编号或业务号。")]) -> None:
    """显示一份合同（证件号码、手机号已遮蔽）。"""
    from services.resale import contracts  # not at start-up: `wangqian demo` draws its login first

    view = contracts.contract_by_number(database(), system_actor(), number)
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
        ("签署方式", view.items["signing"]), ("争议解决", view.items["dispute"]),
    )]
    if view.expires_at is not None:
        rows.append(("草稿删除时间", show_time(view.expires_at)))
    if view.close_reason:
        rows.append(("注销/撤销原因", view.close_reason))
    for label, value in rows:
        table.add_row(label, shown(value))
    out.print(table)
    for change in view.changes:
        out.print(f"变更 {show_time(change.changed_at)}　{shown(change.item_label)}：{shown(change.before)} → {shown(change.after)}",
                  highlight=False)


@contract_app.command("list")
@refusals
def list_contracts(
    status: Annotated[str | None, typer.Option("--status", help="合同状态：draft（草稿）、signed（已签约）、filed（已备案）、cancelled（已注销）、revoked（已撤销），写代码或中文均可。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """合同列表（最新的在前）。"""
    from services.resale import contracts  # not at start-up: `wangqian demo` draws its login first

    rows = contracts.find_contracts(database(), system_actor(), status=status)
    if as_json:
        out.print_json(json.dumps([
            {"number": r.number, "case": r.case_number, "status": r.status, "location": r.location,
             "price": f"{r.price:f}", "filing_number": r.filing_number} for r in rows
        ], ensure_ascii=False))
        return
    table = Table("合同编号", "业务号", "状态", "房屋坐落", "成交价格（元）")
    for r in rows:
        table.add_row(shown(r.number), shown(r.case_number), STATUS_LABELS[r.status], shown(r.location), f"{r.price:,.2f}")
    out.print(table)


def _contract(number: str):  # type: ignore[no-untyped-def]
    """The hall's database, the shell's actor and the id of the contract NUMBER names
    (contract or case number; CONTRACT_NOT_FOUND otherwise, exit 2)."""
    from services.resale import contracts

    db, actor = database(), system_actor()
    return db, actor, contracts.contract_by_number(db, actor, number).id


@contract_app.command("void-qualification")
@refusals
@input_refusals(BAD_INPUT_CODES)
def void_qualification(
    number: Annotated[str, typer.Argument(metavar="编号", help="合同编号或业务号。")],
    reason: Annotated[str, typer.Option("--reason", help="作废原因（买受人申请作废等）。")] = "",
) -> None:
    """作废购房资格码：买受人申请作废未签约合同的购房资格审查（如改签其他房屋）。"""
    from services.resale import signing

    db, actor, contract_id = _contract(number)
    done = signing.void_qualification(db, actor, contract_id, reason=reason)
    out.print(f"合同 {shown(done.number)} 的购房资格码已作废（{shown(done.qualification_label)}）。", highlight=False)


@contract_app.command("use-class-queue")
@refusals
def use_class_queue(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False) -> None:
    """待限购/限售核定的房源核验（用途大类未规范的房屋），最早的在前。"""
    from services.resale import use_class_review

    rows = use_class_review.pending_reviews(database(), system_actor())
    if as_json:
        out.print_json(json.dumps([
            {"check": r.house_check_id, "home": r.home_id, "location": r.location,
             "certificate_number": r.certificate_number, "checked_at": r.checked_at.isoformat(),
             "checked_by": r.checked_by} for r in rows], ensure_ascii=False))
        return
    if not rows:
        out.print("没有待限购/限售核定的房源核验。")
        return
    table = Table("核验记录", "房屋坐落", "产权证书编号", "核验时间", "受理人")
    for r in rows:
        table.add_row(str(r.house_check_id), shown(r.location), shown(r.certificate_number),
                      show_time(r.checked_at), shown(r.checked_by))
    out.print(table)


@contract_app.command("decide-use-class")
@refusals
@input_refusals(BAD_INPUT_CODES | {"USE_CLASS_CHECK_NOT_FOUND", "USE_CLASS_BAD_DECISION"})
def decide_use_class(
    check: Annotated[int, typer.Argument(metavar="核验", help="房源核验记录编号（见 use-class-queue）。")],
    decision: Annotated[str, typer.Option("--decision", help="residential（住宅）/ commercial（商业）/ "
                                                             "office（办公）/ restricted（限售）")],
    reason: Annotated[str, typer.Option("--reason", help="核定原因（限售时必填）。")] = "",
) -> None:
    """限购/限售核定：对待核定的房源核验作出结论，并短信通知窗口当事人。"""
    from services.resale import use_class_review

    done = use_class_review.decide_use_class(database(), system_actor(), check, decision, reason)
    out.print(shown(done.message), highlight=False)


@contract_app.command("undertaking")
@refusals
@input_refusals(BAD_INPUT_CODES)
def record_undertaking(number: Annotated[str, typer.Argument(metavar="编号", help="合同编号或业务号。")]) -> None:
    """登记承诺书：深圳市已签约合同的承诺书由买卖双方签署后交回（提交备案前）。"""
    from services.resale import filing

    view = filing.record_undertaking(*_contract(number))
    left = "、".join(view.filing_missing)
    out.print(f"合同 {shown(view.number)} 已登记承诺书。" + (f"提交备案前还须登记：{left}。" if left else "可以提交备案。"),
              highlight=False)


@contract_app.command("notarisation")
@refusals
@input_refusals(BAD_INPUT_CODES)
def record_notarisation(
    number: Annotated[str, typer.Argument(metavar="编号", help="合同编号或业务号。")],
    certificate: Annotated[str, typer.Option("--certificate", help="涉外合同公证书编号。")] = "",
) -> None:
    """登记涉外合同公证：买卖一方或双方为境外人士的深圳市合同，备案前须经公证。"""
    from services.resale import filing

    view = filing.record_notarisation(*_contract(number), certificate)
    out.print(f"合同 {shown(view.number)} 已登记涉外合同公证书。", highlight=False)


@contract_app.command("transfer")
@refusals
@input_refusals(BAD_INPUT_CODES)
def record_transfer(
    number: Annotated[str, typer.Argument(metavar="编号", help="合同编号或业务号。")],
    registration: Annotated[str, typer.Option("--registration", help="不动产转移登记业务号。")] = "",
) -> None:
    """录入转移登记：武汉市合同在办理不动产转移登记后自动完成备案。"""
    from services.resale import filing

    view = filing.record_transfer_registration(*_contract(number), registration)
    out.print(f"合同 {shown(view.number)} 已随转移登记完成备案，备案号 {shown(view.filing_number)}。", highlight=False)


@report_app.command("undertaking")
@refusals
@input_refusals(BAD_INPUT_CODES)
def report_undertaking(case: CaseArgument, output: OutputOption, force: ForceOption = False) -> None:
    """承诺书（深圳市已签约、待备案的合同）。"""
    from services.resale import documents

    db, actor = database(), system_actor()
    write_pdf(output, lambda: documents.undertaking_pdf(db, actor, case), force=force)


@report_app.command("contract")
@refusals
@input_refusals(BAD_INPUT_CODES)
def report_contract(case: CaseArgument, output: OutputOption, force: ForceOption = False) -> None:
    """存量房买卖合同（记录打印）。"""
    from services.resale import documents

    db, actor = database(), system_actor()
    write_pdf(output, lambda: documents.contract_pdf(db, actor, case), force=force)


@report_app.command("receipt")
@refusals
@input_refusals(BAD_INPUT_CODES)
def report_receipt(case: CaseArgument, output: OutputOption, force: ForceOption = False) -> None:
    """受理回执：业务号、受理人和已收材料。"""
    from services.resale import documents

    db, actor = database(), system_actor()
    write_pdf(output, lambda: documents.receipt_pdf(db, actor, case), force=force)


@report_app.command("notice")
@refusals
@input_refusals(BAD_INPUT_CODES)
def report_notice(
    output: OutputOption,
    force: ForceOption = False,
    case: Annotated[str | None, typer.Argument(metavar="[业务号]", help="业务号或合同编号（或用 --check）。")] = None,
    check: Annotated[int | None, typer.Option("--check", metavar="编号", help="房源核验记录编号（无业务号时）。")] = None,
    missing: Annotated[list[str] | None, typer.Option("--missing", metavar="材料",
                                                      help="尚缺的材料（材料清单中的名称，可重复）。")] = None,
) -> None:
    """一次性告知书：最近一次房源核验未通过的事项和尚缺的材料。"""
    from services.resale import documents

    db, actor = database(), system_actor()
    write_pdf(output, lambda: documents.notice_pdf(db, actor, case, check_id=check, missing=tuple(missing or ())),
              force=force)
