"""`wangqian presale contract …`: presale and spot-sale contracts (预售签约 §5.5.1, 现房签约 §5.7)
and `presale restrict` (司法查封 / 行政限制 of a unit).

A step on a contract's case is taken by the operator who holds it or may take it (``--as USER``);
reading commands run as the shell. Refusals print one Chinese sentence with the rule code and
exit 1; a contract that does not exist exits 2. ``--json`` where a program reads the answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tui.cli.helpers import database, input_refusals, refusals, shown, system_actor, write_pdf
from tui.cli.presale import NOT_FOUND, As, Json, ProjectId, _acting, _json, _line, presale_app
from core.places import building_label

contract_app = typer.Typer(help="商品房预售签约、现房签约。", no_args_is_help=True)
presale_app.add_typer(contract_app, name="contract")

MISSING = NOT_FOUND | {"CONTRACT_NOT_FOUND", "BUILDING_NOT_FOUND"}
Number = Annotated[str, typer.Argument(metavar="编号", help="业务号（F…）或合同编号。")]


def _show(v) -> None:  # type: ignore[no-untyped-def]
    _line(f"{v.case_number} {v.kind_label}　{v.stage_name}（{v.case_status_label}）　合同编号 {v.number}　{v.status_label}")
    _line(f"{shown(v.project_name)} {shown(building_label(v.building_number))} {shown(v.unit_no)}　许可证 {v.permit_number}　"
          f"建筑面积 {v.built_area}㎡")
    if v.buyers:
        _line("买受人：" + "、".join(f"{shown(b.name)}（{b.id_number}，{b.phone}）" for b in v.buyers))
    if v.total_price is not None:
        _line(f"{v.price_basis_label}　单价 {v.unit_price}元/㎡　总价款 {v.total_price}元（{v.total_price_capital}）")
        _line(f"付款方式 {v.payment_method_label}　应付 {v.amount_due}元　已付 {v.paid}元")
    if v.filing_number:
        _line(f"备案号 {v.filing_number}")


def _out(v, as_json: bool = False) -> None:  # type: ignore[no-untyped-def]
    _json(v.as_json()) if as_json else _show(v)


@contract_app.command("start")
@refusals
@input_refusals(MISSING)
def start(acting: As, permit: Annotated[str, typer.Option("--permit", help="预售证号或现售证号。")],
          unit: Annotated[str, typer.Option("--unit", "-u", help="室号。")], as_json: Json = False) -> None:
    """业务受理：选择许可证号和户室号。"""
    from services.presale import contracts

    db, actor = _acting(acting)
    _out(contracts.start_contract(db, actor, permit_number=permit, unit_no=unit), as_json)


@contract_app.command("entry")
@refusals
@input_refusals(MISSING)
def entry(number: Number, acting: As,
          buyer: Annotated[list[str], typer.Option("--buyer", help="买受人：姓名,证件号码,手机号（可多次）。")],
          unit_price: Annotated[str, typer.Option("--unit-price", help="单价（元/㎡）。")],
          basis: Annotated[str, typer.Option("--basis", help="按建筑面积计算 / 按套内建筑面积计算。")] = "按建筑面积计算",
          method: Annotated[str, typer.Option("--method", help="一次性付款/分期付款/商业贷款/公积金贷款/组合贷。")] = "一次性付款",
          down_payment: Annotated[str | None, typer.Option("--down-payment", help="首付款（分期付款时为首期款，元）。")] = None,
          commercial_loan: Annotated[str | None, typer.Option("--commercial-loan", help="商业贷款金额（元）。")] = None,
          fund_loan: Annotated[str | None, typer.Option("--fund-loan", help="公积金贷款金额（元）。")] = None,
          bank: Annotated[str | None, typer.Option("--bank", help="商业贷款银行（本企业按揭银行）。")] = None,
          fund_centre: Annotated[str | None, typer.Option("--fund-centre", help="公积金管理中心。")] = None,
          mortgagor: Annotated[str | None, typer.Option("--mortgagor", help="抵押人。")] = None,
          mortgagee: Annotated[str | None, typer.Option("--mortgagee", help="抵押权人。")] = None,
          instalments: Annotated[str | None, typer.Option("--instalments", help="分期付款约定。")] = None,
          delivery: Annotated[str | None, typer.Option("--delivery", help="交付日期。")] = None,
          form: Annotated[str, typer.Option("--form", help="电子合同 / 纸质合同。")] = "电子合同",
          as_json: Json = False) -> None:
    """购房合同录入（购房主体一旦保存后将不能再次更改）。"""
    from core.presale.contracts import Buyer, ContractEntry
    from services.presale import contracts
    from tui.cli.helpers import bad_input

    buyers = []
    for b in buyer:
        parts = [p.strip() for p in b.split(",")]
        if len(parts) != 3:
            raise bad_input("CONTRACT_BUYER_FORMAT", "买受人请按“姓名,证件号码,手机号”填写。")
        buyers.append(Buyer(*parts))
    db, actor = _acting(acting)
    _out(contracts.save_entry(db, actor, number, ContractEntry(
        tuple(buyers), basis, unit_price, method, down_payment, commercial_loan, fund_loan, bank, fund_centre,
        mortgagor, mortgagee, instalments, delivery, form)), as_json)


@contract_app.command("pay")
@refusals
@input_refusals(MISSING)
def pay(number: Number, acting: As, amount: Annotated[str, typer.Option("--amount", help="实付金额（元，到分）。")],
        receipt: Annotated[str | None, typer.Option("--receipt", help="缴款凭证号。")] = None) -> None:
    """登记缴款（实付金额不能超过应付金额）。"""
    from services.presale import contracts

    db, actor = _acting(acting)
    v = contracts.record_payment(db, actor, number, amount, receipt=receipt)
    _line(f"已登记缴款：应付 {v.amount_due}元，已付 {v.paid}元。")


@contract_app.command("notice")
@refusals
@input_refusals(MISSING)
def notice(number: Number, output: Annotated[Path, typer.Option("-o", "--output", help="PDF 文件路径。")]) -> None:
    """打印资金缴款通知单。"""
    from services.presale import contracts

    write_pdf(output, lambda: contracts.payment_notice_pdf(database(), system_actor(), number))


@contract_app.command("pdf")
@refusals
@input_refusals(MISSING)
def contract_pdf(number: Number, output: Annotated[Path, typer.Option("-o", "--output", help="PDF 文件路径。")],
                 force: Annotated[bool, typer.Option("--force", help="覆盖已有文件。")] = False) -> None:
    """打印商品房买卖合同（预售 / 现售；未签约的带“草稿”水印）。"""
    from services.presale import documents

    write_pdf(output, lambda: documents.contract_pdf(database(), system_actor(), number), force=force)


def _step(name: str, doc: str, call) -> None:  # type: ignore[no-untyped-def]
    @contract_app.command(name, help=doc)
    @refusals
    @input_refusals(MISSING)
    def command(number: Number, acting: As, as_json: Json = False) -> None:
        db, actor = _acting(acting)
        _out(call(db, actor, number), as_json)


def _contracts():  # type: ignore[no-untyped-def]
    from services.presale import contracts

    return contracts


_step("complete", "完成合同录入（实付金额须等于应付金额），进入签约环节。",
      lambda db, a, n: _contracts().complete_entry(db, a, n))
_step("sign", "完成签约环节（电子合同：买受人均已短信验证；纸质合同：已上传扫描件），进入合同盖章。",
      lambda db, a, n: _contracts().confirm_signing(db, a, n))
_step("file", "主管部门备案归档。", lambda db, a, n: _contracts().file_contract(db, a, n))


@contract_app.command("buyer-code")
@refusals
@input_refusals(MISSING)
def buyer_code(number: Number, acting: As, position: Annotated[int, typer.Option("--buyer", help="第几位买受人（从0起）。")] = 0,
               code: Annotated[str | None, typer.Option("--code", help="买受人报读的验证码（不给则发送）。")] = None) -> None:
    """电子合同：向买受人发送签署验证码，或核验其报读的验证码。"""
    from services.presale import contracts

    db, actor = _acting(acting)
    if code is None:
        _line(contracts.send_buyer_code(db, actor, number, position).notice("买受人手机号"))
    else:
        contracts.verify_buyer_code(db, actor, number, code, position)
        _line("买受人验证通过。")


@contract_app.command("scan")
@refusals
@input_refusals(MISSING)
def scan(number: Number, acting: As, path: Annotated[Path, typer.Argument(metavar="文件.pdf", help="签章后的合同扫描件（PDF）。")]) -> None:
    """纸质合同：上传买卖双方签章后的扫描件（PDF）。"""
    from services.presale import contracts

    db, actor = _acting(acting)
    contracts.attach_scan(db, actor, number, str(path))
    _line("合同扫描件已上传。")


@contract_app.command("seal")
@refusals
@input_refusals(MISSING)
def seal(number: Number, acting: As,
         code: Annotated[str | None, typer.Option("--code", help="印章授权人报读的验证码（不给则发送）。")] = None) -> None:
    """合同盖章：向印章授权人发送验证码，或核验后盖章并按付款方式派工。"""
    from services.presale import contracts

    db, actor = _acting(acting)
    if code is None:
        _line(contracts.send_seal_code(db, actor, number).notice("印章授权人手机号"))
    else:
        v = contracts.seal_contract(db, actor, number, code)
        _line(f"合同已盖章，已派工至“{v.stage_name}”。")


@contract_app.command("review")
@refusals
@input_refusals(MISSING)
def review(number: Number, acting: As,
           mortgage_contract: Annotated[str | None, typer.Option("--mortgage-contract", help="抵押合同编号。")] = None,
           years: Annotated[str | None, typer.Option("--years", help="贷款年限。")] = None,
           opinion: Annotated[str | None, typer.Option("--opinion", help="审核意见。")] = None) -> None:
    """抵押审核（商业贷款银行 / 公积金中心）：审核通过后按付款方式派工。"""
    from services.presale import contracts

    db, actor = _acting(acting)
    v = contracts.review_loan(db, actor, number, mortgage_contract=mortgage_contract, loan_term_years=years,
                              opinion=opinion)
    _line(f"审核通过，已派工至“{v.stage_name}”。")


@contract_app.command("cancel")
@refusals
@input_refusals(MISSING)
def cancel(number: Number, acting: As, reason: Annotated[str, typer.Option("--reason", help="取消原因。")]) -> None:
    """取消受理（合同录入阶段、尚未缴款）：户室恢复可售。"""
    from services.presale import contracts

    db, actor = _acting(acting)
    contracts.cancel_contract(db, actor, number, reason=reason)
    _line("已取消受理，户室恢复可售。")


@contract_app.command("show")
@refusals
@input_refusals(MISSING)
def show(number: Number, as_json: Json = False) -> None:
    """合同信息查询。"""
    from services.presale import contracts

    _out(contracts.show_contract(database(), system_actor(), number), as_json)


@contract_app.command("list")
@refusals
@input_refusals(MISSING)
def list_(project: Annotated[int | None, typer.Option("--project", help="项目编号。")] = None,
          as_json: Json = False) -> None:
    """商品房买卖合同列表。"""
    from dataclasses import asdict

    from services.presale import contracts

    rows = contracts.list_contracts(database(), system_actor(), project_id=project)
    if as_json:
        _json([asdict(r) for r in rows])
        return
    if not rows:
        _line("没有商品房买卖合同。")
    for r in rows:
        _line(f"{r.case_number} {r.number} {shown(r.unit_no)} {shown(r.buyers or '')} {r.total_price or ''} "
              f"{r.status_label} {r.filing_number or ''}")


@presale_app.command("restrict")
@refusals
@input_refusals(MISSING)
def restrict(project_id: ProjectId, building: Annotated[str, typer.Argument(metavar="楼栋", help="栋号。")],
             unit: Annotated[str, typer.Argument(metavar="室号", help="室号。")],
             kind: Annotated[str, typer.Option("--kind", help="seizure 司法查封 / administrative 行政限制。")],
             document: Annotated[str, typer.Option("--document", help="文书号。")],
             authority: Annotated[str | None, typer.Option("--authority", help="查封或限制机关。")] = None,
             lift: Annotated[int | None, typer.Option("--lift", help="解除该编号的查封或限制。")] = None) -> None:
    """户室司法查封 / 行政限制的登记（--lift 编号：解除）。"""
    from services.presale import contracts

    db, actor = database(), system_actor()
    if lift is not None:
        contracts.lift_restriction(db, actor, lift)
        _line(f"已解除查封或限制 {lift}。")
        return
    made = contracts.restrict_unit(db, actor, project_id, building, unit, kind=kind, document=document,
                                   authority=authority)
    _line(f"已登记 {made}：户室{shown(unit)}不能签约，直至解除。")
