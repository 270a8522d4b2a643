"""`wangqian presale ledger …` (户室流水补录, seed 004 §5.9) and `wangqian presale mortgage …`
(在建工程抵押, §1.1), through the same use cases as the screens (``services.presale.ledger``,
``services.presale.mortgages``).

A developer's step is taken as its operator (``--as USER``: an audited administrator's power;
every rule is checked as that operator's); the authority's review too. Reading runs as the
shell, and so does the mortgage registry (an administrator holds the authority's permission).
Refusals print one Chinese sentence with the rule code and exit 1; a contract, a case or a
mortgage that does not exist exits 2. ``--json`` prints what a program reads (amounts as exact
decimal text).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from tui.cli.helpers import database, input_refusals, refusals, shown, system_actor
from tui.cli.presale import NOT_FOUND, As, Json, ProjectId, _acting, _json, _line, presale_app
from tui.cli.presale_fund import _yuan
from core.places import building_label
from core.timeutil import to_local

ledger_app = typer.Typer(help="户室流水补录：按预售证号或合同编号查询合同，补录入账、退款流水。", no_args_is_help=True)
mortgage_app = typer.Typer(help="在建工程抵押：设立、签约授权、注销。", no_args_is_help=True)
presale_app.add_typer(ledger_app, name="ledger")
presale_app.add_typer(mortgage_app, name="mortgage")

MISSING = NOT_FOUND | {"CONTRACT_NOT_FOUND", "LEDGER_CONTRACT_NOT_FOUND", "LEDGER_CASE_NOT_FOUND",
                       "BUILDING_NOT_FOUND", "MORTGAGE_NOT_FOUND"}
Contract = Annotated[str, typer.Argument(metavar="合同", help="合同编号（或其业务号 F…）。")]
Case = Annotated[str, typer.Argument(metavar="业务号", help="户室流水补录业务的业务号（Z…）。")]
Building = Annotated[str, typer.Argument(metavar="楼栋", help="栋号。")]
MortgageId = Annotated[str, typer.Argument(metavar="抵押", help="在建工程抵押编号。")]


# ------------------------------------------------------------------ ledger


@ledger_app.command("find")
@refusals
@input_refusals(MISSING)
def ledger_find(number: Annotated[str, typer.Argument(metavar="编号", help="预售证号或合同编号。")],
                as_json: Json = False) -> None:
    """按预售证号或合同编号查询合同。"""
    from services.presale import ledger

    rows = ledger.find_contracts(database(), system_actor(), number)
    if as_json:
        _json([asdict(r) for r in rows])
        return
    for r in rows:
        _line(f"{r.number} {r.case_number} {r.permit_number} {shown(r.unit_no)} {shown(r.buyers or '')} "
              f"{_yuan(r.total_price)} {r.status_label}")


@ledger_app.command("show")
@refusals
@input_refusals(MISSING)
def ledger_show(number: Contract, as_json: Json = False) -> None:
    """流水录入任务：合同信息、款项信息和流水。"""
    from services.presale import ledger

    v = ledger.ledger(database(), system_actor(), number)
    if as_json:
        _json(asdict(v))
        return
    _line(f"{v.number}（{v.case_number}）{v.status_label}　{shown(v.project_name)} {shown(building_label(v.building_number))} "
          f"{shown(v.unit_no)}　许可证 {v.permit_number}")
    if v.buyers:
        _line("买受人：" + "、".join(shown(b) for b in v.buyers))
    _line(f"付款方式 {v.payment_method_label or '—'}　总价款 {_yuan(v.total_price)}　应付 {_yuan(v.amount_due)}")
    _line(f"已缴 {_yuan(v.received)}　已退 {_yuan(v.refunded)}　实缴 {_yuan(v.paid)}　未缴 {_yuan(v.unpaid)}　"
          f"可退 {_yuan(v.refundable)}　待审核 {_yuan(v.pending_income)}"
          + (f"　待审核退款 {_yuan(v.pending_refund)}" if v.pending_refund > 0 else ""))
    if v.refund_due is not None:
        _line(f"已退房：待退款 {_yuan(v.refund_due)}" + ("，请补录退款流水。" if v.refund_due > 0 else "。"))
    for e in v.entries:
        _line(f"  {e.kind_label} {_yuan(e.amount)} {e.status_label} {e.paid_on or f'{to_local(e.recorded_at):%Y-%m-%d}'} "
              f"{shown(e.receipt or '')} {e.case_number or '缴款通知单'}")
    _line("可补录：" + ("、".join(label for _, label in v.kinds) or "无"))


@ledger_app.command("add")
@refusals
@input_refusals(MISSING)
def ledger_add(number: Contract, acting: As,
               kind: Annotated[str, typer.Option("--kind", help="入账 / 退款（income / refund）。")],
               amount: Annotated[str, typer.Option("--amount", help="金额（元，精确到分）。")],
               receipt: Annotated[str | None, typer.Option("--receipt", help="流水凭证号。")] = None,
               paid_on: Annotated[str | None, typer.Option("--date", help="流水日期，如 2026-11-01。")] = None,
               note: Annotated[str | None, typer.Option("--note", help="备注。")] = None,
               as_json: Json = False) -> None:
    """新增补录流水，派工给主管部门审核。"""
    from services.presale import ledger

    db, actor = _acting(acting)
    done = ledger.add_entry(db, actor, number, kind=kind, amount=amount, receipt=receipt, paid_on=paid_on, note=note)
    if as_json:
        _json(asdict(done))
        return
    _line(f"已受理 {done.case_number}：{done.kind_label} {_yuan(done.amount)}，已派工给主管部门审核。")


@ledger_app.command("refund")
@refusals
@input_refusals(MISSING)
def ledger_refund(number: Contract, acting: As,
                  amount: Annotated[str | None, typer.Option(
                      "--amount", help="退款金额（元，精确到分）；不填则退还全部可退金额。")] = None,
                  receipt: Annotated[str | None, typer.Option("--receipt", help="退款凭证号。")] = None,
                  paid_on: Annotated[str | None, typer.Option("--date", help="退款日期，如 2026-11-01。")] = None,
                  note: Annotated[str | None, typer.Option("--note", help="备注。")] = None,
                  as_json: Json = False) -> None:
    """退款（如退房后退还购房款）：补录退款流水，派工给主管部门审核。"""
    from services.presale import ledger

    db, actor = _acting(acting)
    if amount is None:  # the whole refundable amount as it stands; add_entry checks it again
        refundable = ledger.ledger(db, actor, number).refundable
        # nothing refundable: any amount, so that the service refuses it by its own rule
        amount = str(refundable) if refundable > 0 else "0.01"
    done = ledger.add_entry(db, actor, number, kind="退款", amount=amount, receipt=receipt, paid_on=paid_on,
                            note=note)
    if as_json:
        _json(asdict(done))
        return
    _line(f"已受理 {done.case_number}：{done.kind_label} {_yuan(done.amount)}，已派工给主管部门审核。")


@ledger_app.command("review")
@refusals
@input_refusals(MISSING)
def ledger_review(number: Case, acting: As,
                  refuse: Annotated[bool, typer.Option("--refuse", help="审核不通过（须填写意见）。")] = False,
                  opinion: Annotated[str | None, typer.Option("--opinion", help="审核意见。")] = None) -> None:
    """主管部门审核：通过则归档（流水记入户室流水），不通过则作废。"""
    from services.presale import ledger

    db, actor = _acting(acting)
    _line(ledger.review_entry(db, actor, number, approve=not refuse, opinion=opinion))


# ------------------------------------------------------------------ mortgages


def _mortgage(v, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        _json(asdict(v))
        return
    _line(f"抵押编号 {v.id}　{v.status_label}　{shown(v.project_name)} {shown(building_label(v.building_number))}　"
          f"抵押权人 {shown(v.bank_name)}　抵押合同 {shown(v.mortgage_contract)}　债权数额 {_yuan(v.amount)}")
    _line(f"户室 {len(v.units)} 套，已授权预售签约 {v.authorised} 套：" + "、".join(
        f"{shown(u.unit_no)}{'（已授权）' if u.authorised else ''}" for u in v.units))
    if v.cancelled_at:
        _line(f"注销原因：{shown(v.cancel_reason or '')}")


@mortgage_app.command("set-up")
@refusals
@input_refusals(MISSING)
def mortgage_set_up(project_id: ProjectId, building: Building,
                    contract: Annotated[str, typer.Option("--contract", help="抵押合同编号。")],
                    amount: Annotated[str, typer.Option("--amount", help="被担保债权数额（元）。")],
                    bank: Annotated[str | None, typer.Option("--bank", help="贷款银行编号（只有一个时可不填）。")] = None,
                    units: Annotated[str | None, typer.Option("--units", help="室号，逗号分隔（不填：该栋全部户室）。")] = None,
                    as_json: Json = False) -> None:
    """在建工程抵押设立：该栋（在建）户室抵押给开发企业的贷款银行。"""
    from services.presale import mortgages

    _mortgage(mortgages.set_up_mortgage(database(), system_actor(), project_id, building, bank_id=bank,
                                        mortgage_contract=contract, amount=amount, units=units), as_json)


@mortgage_app.command("authorise")
@refusals
@input_refusals(MISSING)
def mortgage_authorise(mortgage: MortgageId,
                       units: Annotated[str | None, typer.Option("--units", help="室号，逗号分隔（不填：全部未授权户室）。")] = None,
                       as_json: Json = False) -> None:
    """在建工程抵押签约授权：抵押权人同意该户室预售签约。"""
    from services.presale import mortgages

    _mortgage(mortgages.authorise_signing(database(), system_actor(), mortgage, units), as_json)


@mortgage_app.command("cancel")
@refusals
@input_refusals(MISSING)
def mortgage_cancel(mortgage: MortgageId, reason: Annotated[str, typer.Option("--reason", help="注销原因。")],
                    as_json: Json = False) -> None:
    """在建工程抵押注销。"""
    from services.presale import mortgages

    _mortgage(mortgages.cancel_mortgage(database(), system_actor(), mortgage, reason=reason), as_json)


@mortgage_app.command("list")
@refusals
@input_refusals(MISSING)
def mortgage_list(project_id: ProjectId, building: Building, as_json: Json = False) -> None:
    """该栋的在建工程抵押（抵押中在前）。"""
    from services.presale import mortgages

    rows = mortgages.list_mortgages(database(), system_actor(), project_id, building)
    if as_json:
        _json([asdict(v) for v in rows])
        return
    if not rows:
        _line("该栋没有在建工程抵押。")
    for v in rows:
        _mortgage(v, False)
