"""`wangqian presale fund …`: 预售资金监管 (seed 004 §5.3, §5.8, §5.10) from the command line —
agreements (签订, 变更, 补录) and general fund withdrawals (一般资金支取), through the same use
cases as the screen (``services.presale.funds``).

A step on a case is taken by the operator who holds it (``--as USER``: an audited
administrator's power; every rule is checked as that operator's); reading runs as the shell.
Refusals print one Chinese sentence with the rule code and exit 1; a case or an agreement that
does not exist exits 2. ``--json`` prints what a program reads (amounts as exact decimal text).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tui.cli.helpers import database, input_refusals, out, refusals, shown, system_actor, write_pdf

fund_app = typer.Typer(help="预售资金监管：监管协议（签订、变更、补录）与一般资金支取。", no_args_is_help=True)
withdrawal_app = typer.Typer(help="一般资金支取（同一协议同时只能有一笔在支取中）。", no_args_is_help=True)
fund_app.add_typer(withdrawal_app, name="withdrawal")

NOT_FOUND = frozenset({"FUND_CASE_NOT_FOUND", "FUND_AGREEMENT_NOT_FOUND", "PROJECT_NOT_FOUND", "FUND_BUILDING_NOT_FOUND",
                       "CASE_NOT_FOUND", "OPERATOR_NOT_FOUND"})

CaseNumber = Annotated[str, typer.Argument(metavar="业务号", help="资金监管业务的业务号，如 Z202612070000001。")]
Agreement = Annotated[str, typer.Argument(metavar="协议", help="监管协议号。")]
As = Annotated[str, typer.Option("--as", metavar="用户名", help="以该操作员的身份办理（须为业务当前办理人）。")]
Json = Annotated[bool, typer.Option("--json", help="以 JSON 输出。")]
Opinion = Annotated[str | None, typer.Option("--opinion", help="审核意见。")]


def _acting(username: str) -> tuple[Any, Any]:
    from services import operators

    db = database()
    return db, operators.act_as(db, system_actor(), username)


def _json(value: Any) -> None:
    out.print_json(json.dumps(value, ensure_ascii=False, default=str))


def _line(text: str) -> None:
    out.print(text, highlight=False, soft_wrap=True)


def _yuan(value: Any) -> str:
    from core.money import format_yuan

    return format_yuan(value) if value is not None else "—"


# ------------------------------------------------------------------ agreements


@fund_app.command("start")
@refusals
@input_refusals(NOT_FOUND)
def fund_start(
    acting: As,
    kind: Annotated[str, typer.Option("--kind", help="sign 协议签订 / change 协议变更 / backfill 协议补录。")] = "sign",
    project: Annotated[str | None, typer.Option("--project", help="项目编号（签订、补录）。")] = None,
    building: Annotated[str | None, typer.Option("--building", help="栋号（签订、补录）。")] = None,
    agreement: Annotated[str | None, typer.Option("--agreement", help="原监管协议号（变更）。")] = None,
    as_json: Json = False,
) -> None:
    """业务受理：选择栋号（变更：输入原协议号），产生一条新的资金监管业务。"""
    from services.presale import funds

    db, actor = _acting(acting)
    done = funds.start_agreement(db, actor, kind=kind, project_id=project, building=building, agreement=agreement)
    if as_json:
        _json(asdict(done))
        return
    _line(f"已受理 {done.case_number}：协议号 {done.agreement_number}（第{done.version}版），该栋户室 {done.units} 套。")


@fund_app.command("enter")
@refusals
@input_refusals(NOT_FOUND)
def fund_enter(
    number: CaseNumber,
    acting: As,
    progress: Annotated[str, typer.Option("--progress", help="实际工程进度。")],
    total: Annotated[str, typer.Option("--total", help="项目预售总额（元）。")],
    bank: Annotated[str | None, typer.Option("--bank", help="监管银行账户编号（presale bank list；只有一个时可不填）。")] = None,
    units: Annotated[str | None, typer.Option("--units", help="监管户室室号，逗号分隔（不填：全选）。")] = None,
    unsupervised: Annotated[str | None, typer.Option("--unsupervised", help="选入协议但不监管的室号，逗号分隔。")] = None,
) -> None:
    """协议录入：监管账户、实际工程进度、项目预售总额、监管户室；重点监管金额由系统计算。"""
    from services.presale import funds

    db, actor = _acting(acting)
    v = funds.enter_agreement(db, actor, number, bank_id=bank, works_progress=progress, presale_total=total,
                              units=units, unsupervised=unsupervised)
    _line(f"{v.case_number} 协议录入已保存：监管户室 {v.supervised_count}/{len(v.units)} 套，重点监管金额 "
          f"{_yuan(v.key_amount)}（每平方米 {_yuan(v.key_standard)}）。")


@fund_app.command("text")
@refusals
@input_refusals(NOT_FOUND)
def fund_text(number: CaseNumber, acting: As,
              template: Annotated[str, typer.Option("--template", help="协议模板。")] = "changsha") -> None:
    """编辑协议书：选择协议模板并保存。"""
    from services.presale import funds

    db, actor = _acting(acting)
    funds.save_text(db, actor, number, template_code=template)
    _line(f"{number.strip().upper()} 协议书已保存。")


@fund_app.command("upload")
@refusals
@input_refusals(NOT_FOUND)
def fund_upload(number: CaseNumber, acting: As,
                file: Annotated[Path, typer.Option("--file", help="已签订的资金监管协议扫描件（PDF）。")]) -> None:
    """上传对应文件（协议补录：派工到银行审核前须上传已签订的协议扫描件）。"""
    from services.presale import funds

    db, actor = _acting(acting)
    funds.upload_agreement(db, actor, number, str(file))
    _line(f"{number.strip().upper()} 协议扫描件已上传。")


@fund_app.command("submit")
@refusals
@input_refusals(NOT_FOUND)
def fund_submit(number: CaseNumber, acting: As) -> None:
    """协议备案：派工给下一审核环节。"""
    from services.presale import funds

    db, actor = _acting(acting)
    funds.submit_agreement(db, actor, number)
    _line(f"{number.strip().upper()} 已派工审核。")


@fund_app.command("receive")
@refusals
@input_refusals(NOT_FOUND)
def fund_receive(number: CaseNumber, acting: As) -> None:
    """接件（协议或支取业务）。"""
    from services import cases

    db, actor = _acting(acting)
    cases.receive_case(db, actor, number)
    _line(f"{number.strip().upper()} 已接件。")


@fund_app.command("review")
@refusals
@input_refusals(NOT_FOUND)
def fund_review(number: CaseNumber, acting: As, opinion: Opinion = None) -> None:
    """意见签署（审核通过）：主管部门或监管银行；最后一个环节通过后归档，协议生效。"""
    from services.presale import funds

    db, actor = _acting(acting)
    _line(f"{number.strip().upper()} {funds.review_agreement(db, actor, number, opinion=opinion)}")


@fund_app.command("return")
@refusals
@input_refusals(NOT_FOUND)
def fund_return(number: CaseNumber, acting: As,
                reason: Annotated[str, typer.Option("--reason", help="退件原因。")],
                to_stage: Annotated[str, typer.Option("--to", help="退回的办理阶段。")] = "entry") -> None:
    """退件（协议或支取业务）：默认退回开发企业录入。"""
    from services import cases

    db, actor = _acting(acting)
    cases.return_case(db, actor, number, to_stage=to_stage, reason=reason)
    _line(f"{number.strip().upper()} 已退件。")


@fund_app.command("cancel")
@refusals
@input_refusals(NOT_FOUND)
def fund_cancel(number: CaseNumber, acting: As,
                reason: Annotated[str, typer.Option("--reason", help="取消受理的原因。")]) -> None:
    """取消受理（派工前）：本次协议作废。"""
    from services.presale import funds

    db, actor = _acting(acting)
    funds.cancel_agreement(db, actor, number, reason=reason)
    _line(f"{number.strip().upper()} 已取消受理。")


@fund_app.command("show")
@refusals
@input_refusals(NOT_FOUND)
def fund_show(number: CaseNumber, as_json: Json = False) -> None:
    """查看监管协议：楼栋、监管账户、金额、监管户室、审核意见。"""
    from services.presale import funds

    v = funds.show_agreement(database(), system_actor(), number)
    if as_json:
        _json(asdict(v))
        return
    _line(f"{v.case_number} {v.type_name}　{v.stage_name}（{v.case_status_label}）"
          + (f"　办理人：{shown(v.holder)}" if v.holder else ""))
    _line(f"协议号 {v.agreement_number}（第{v.version}版，{v.status_label}）　{shown(v.developer_name)}　"
          f"{shown(v.project_name)} {shown(v.building_number)}")
    bank = f"{shown(v.bank.bank_name)} {shown(v.bank.branch or '')} {shown(v.bank.account_number or '')}" if v.bank else "未选择"
    _line(f"监管账户：{bank}")
    _line(f"实际工程进度：{shown(v.works_progress or '—')}　项目预售总额：{_yuan(v.presale_total)}　"
          f"重点监管金额：{_yuan(v.key_amount)}")
    _line(f"监管户室 {v.supervised_count}/{len(v.units)} 套（该栋 {v.building_units} 套）　协议书："
          f"{'已保存' if v.text_saved else '未编辑'}")
    for o in v.opinions:
        _line(f"{o.stage_name}　{shown(o.operator)}：{shown(o.opinion or '同意')}")


@fund_app.command("list")
@refusals
@input_refusals(NOT_FOUND)
def fund_list(project: Annotated[str | None, typer.Option("--project", help="项目编号。")] = None,
              as_json: Json = False) -> None:
    """资金监管协议列表。"""
    from services.presale import funds

    rows = funds.list_agreements(database(), system_actor(), project_id=project)
    if as_json:
        _json([asdict(r) for r in rows])
        return
    table = Table("业务号", "协议号", "版本", "类型", "状态", "办理阶段", "项目", "栋号", "重点监管金额")
    for r in rows:
        table.add_row(r.case_number, shown(r.agreement_number), str(r.version), r.kind_label, r.status_label,
                      r.stage_name, shown(r.project_name), shown(r.building_number), _yuan(r.key_amount))
    out.print(table)


@fund_app.command("pdf")
@refusals
@input_refusals(NOT_FOUND)
def fund_pdf(number: CaseNumber,
             output: Annotated[Path, typer.Option("-o", "--output", help="PDF 文件路径。")],
             force: Annotated[bool, typer.Option("--force", help="覆盖已有文件。")] = False) -> None:
    """打印预售资金监管协议书（未生效的协议带“草稿”水印）。"""
    from services.presale import funds

    db = database()
    write_pdf(output, lambda: funds.agreement_pdf(db, system_actor(), number), force=force)
    _line(f"已生成 {output}。")


# ------------------------------------------------------------------ withdrawals


@withdrawal_app.command("table")
@refusals
@input_refusals(NOT_FOUND)
def withdrawal_table(agreement: Agreement, as_json: Json = False) -> None:
    """查询：监管协议信息与历史拨付记录表（每户的可售状态、购房人、房款、付款方式、已付与已监管金额）。"""
    from services.presale import funds

    t = funds.withdrawal_table(database(), system_actor(), agreement)
    if as_json:
        _json(asdict(t))
        return
    _line(f"协议号 {t.agreement_number}（第{t.version}版）　{shown(t.project_name)} {shown(t.building_number)}　"
          f"{shown(t.developer_name)}")
    _line(f"重点监管金额 {_yuan(t.key_amount)}　已入账 {_yuan(t.deposited)}　已支取 {_yuan(t.withdrawn)}　"
          f"协议余额 {_yuan(t.balance)}　一般资金可支取 {_yuan(t.available)}")
    if t.refund_due > 0:
        _line(f"已入账中含已退房待退款 {_yuan(t.refund_due)}，不计入一般资金可支取额。")
    _line(f"户室 {t.units} 套，监管 {t.supervised_units} 套，未售 {t.unsold_units} 套"
          + (f"　支取中：{t.live_case}" if t.live_case else ""))
    table = Table("室号", "建筑面积", "可售状态", "购房人", "总房款(元)", "付款方式", "首付金额(元)", "已支付金额(元)",
                  "已冲单金额(元)", "已监管资金额(元)")
    for r in t.rows:
        table.add_row(shown(r.unit_no), f"{r.built_area:.2f}", r.sale_state, shown(r.buyer or ""),
                      _yuan(r.price) if r.price is not None else "", shown(r.payment_method or ""),
                      _yuan(r.down_payment) if r.down_payment is not None else "", _yuan(r.paid), _yuan(r.reversed),
                      _yuan(r.supervised_amount))
    out.print(table)


@withdrawal_app.command("start")
@refusals
@input_refusals(NOT_FOUND)
def withdrawal_start(agreement: Agreement, acting: As, as_json: Json = False) -> None:
    """受理一般资金支取（该协议有在支取中的业务时不能再发起）。"""
    from services.presale import funds

    db, actor = _acting(acting)
    number = funds.start_withdrawal(db, actor, agreement)
    if as_json:
        _json({"case_number": number})
        return
    _line(f"已受理 {number}。")


@withdrawal_app.command("enter")
@refusals
@input_refusals(NOT_FOUND)
def withdrawal_enter(number: CaseNumber, acting: As,
                     amount: Annotated[str, typer.Option("--amount", help="申请支取金额（元）。")],
                     purpose: Annotated[str, typer.Option("--purpose", help="资金用途。")],
                     progress: Annotated[str, typer.Option("--progress", help="实际工程进度。")]) -> None:
    """申请信息录入（新增拨付记录）。"""
    from services.presale import funds

    db, actor = _acting(acting)
    v = funds.enter_withdrawal(db, actor, number, amount=amount, purpose=purpose, works_progress=progress)
    _line(f"{v.case_number} 申请信息已保存：{_yuan(v.amount)}。")
    if v.warning:
        _line(f"提示：{shown(v.warning)}")


@withdrawal_app.command("submit")
@refusals
@input_refusals(NOT_FOUND)
def withdrawal_submit(number: CaseNumber, acting: As) -> None:
    """生成支取申请、盖章后派工给主管部门初审。"""
    from services.presale import funds

    db, actor = _acting(acting)
    funds.submit_withdrawal(db, actor, number)
    _line(f"{number.strip().upper()} 已派工给主管部门初审。")


@withdrawal_app.command("review")
@refusals
@input_refusals(NOT_FOUND)
def withdrawal_review(number: CaseNumber, acting: As, opinion: Opinion = None) -> None:
    """初审、复审、拨付（监管银行）或归档，按业务所处环节。"""
    from services.presale import funds

    db, actor = _acting(acting)
    _line(f"{number.strip().upper()} {funds.review_withdrawal(db, actor, number, opinion=opinion)}")


@withdrawal_app.command("cancel")
@refusals
@input_refusals(NOT_FOUND)
def withdrawal_cancel(number: CaseNumber, acting: As,
                      reason: Annotated[str, typer.Option("--reason", help="取消受理的原因。")]) -> None:
    """取消受理（派工前）。"""
    from services.presale import funds

    db, actor = _acting(acting)
    funds.cancel_withdrawal(db, actor, number, reason=reason)
    _line(f"{number.strip().upper()} 已取消受理。")


@withdrawal_app.command("show")
@refusals
@input_refusals(NOT_FOUND)
def withdrawal_show(number: CaseNumber, as_json: Json = False) -> None:
    """查看支取业务。"""
    from services.presale import funds

    v = funds.show_withdrawal(database(), system_actor(), number)
    if as_json:
        _json(asdict(v))
        return
    _line(f"{v.case_number} 一般资金支取　{v.stage_name}（{v.case_status_label}，{v.status_label}）　协议号 "
          f"{v.agreement_number}")
    _line(f"申请支取金额：{_yuan(v.amount)}　资金用途：{shown(v.purpose or '—')}　实际工程进度："
          f"{shown(v.works_progress or '—')}")
    if v.warning:
        _line(f"提示：{shown(v.warning)}")
    for o in v.opinions:
        _line(f"{o.stage_name}　{shown(o.operator)}：{shown(o.opinion or '同意')}")
