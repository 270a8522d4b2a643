"""`wangqian presale return …`: house returns (退房, seed 004 §5.5.2) of presale and spot-sale
contracts: started by contract number or by building and unit, the applicant and the reason, the
dispatch to the authority, the voucher (PDF) and the archive that frees the unit.

A step on the case is taken by the operator who holds it or may take it (``--as USER``); reading
commands run as the shell. Refusals print one Chinese sentence with the rule code and exit 1; a
contract or return that does not exist exits 2. ``--json`` where a program reads the answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tui.cli.helpers import database, input_refusals, refusals, shown, system_actor
from tui.cli.presale import NOT_FOUND, As, Json, _acting, _json, _line, presale_app
from core.places import building_label

return_app = typer.Typer(help="退房。", no_args_is_help=True)
presale_app.add_typer(return_app, name="return")

MISSING = NOT_FOUND | {"CONTRACT_NOT_FOUND", "RETURN_NOT_FOUND", "BUILDING_NOT_FOUND", "PERMIT_UNIT_NOT_FOUND"}
Number = Annotated[str, typer.Argument(metavar="编号", help="退房业务的业务号（T…）。")]


def _show(v) -> None:  # type: ignore[no-untyped-def]
    _line(f"{v.case_number} 退房　{v.stage_name}（{v.case_status_label}）　{v.status_label}")
    _line(f"合同编号 {v.contract_number}（{v.contract_case}，{v.contract_status_label}）　"
          f"{shown(v.project_name)} {shown(building_label(v.building_number))} {shown(v.unit_no)}")
    _line("买受人：" + "、".join(f"{b.position}.{shown(b.name)}（{b.id_number}，{b.phone}）" for b in v.buyers))
    if v.applicant:
        _line(f"申请注销人：{shown(v.applicant)}　退房原因：{shown(v.reason or '')}")
    if v.voucher_path:
        _line(f"退房凭证：{shown(v.voucher_path)}")
    if v.refund_note:
        _line(f"退款：{v.refund_note}")


def _out(v, as_json: bool = False) -> None:  # type: ignore[no-untyped-def]
    _json(v.as_json()) if as_json else _show(v)


def _returns():  # type: ignore[no-untyped-def]
    from services.presale import returns

    return returns


@return_app.command("start")
@refusals
@input_refusals(MISSING)
def start(acting: As,
          contract: Annotated[str | None, typer.Option("--contract", help="合同编号（或签约业务号 F…）。")] = None,
          building: Annotated[str | None, typer.Option("--building", help="栋号（与 --unit 一起）。")] = None,
          unit: Annotated[str | None, typer.Option("--unit", "-u", help="室号。")] = None,
          project: Annotated[int | None, typer.Option("--project", help="项目编号（多个项目有同一栋号时）。")] = None,
          as_json: Json = False) -> None:
    """业务发起-退房：输入合同编号，或栋号和室号。"""
    db, actor = _acting(acting)
    _out(_returns().start_return(db, actor, contract=contract, building=building, unit_no=unit, project_id=project),
         as_json)


@return_app.command("reason")
@refusals
@input_refusals(MISSING)
def reason(number: Number, acting: As,
           applicant: Annotated[str, typer.Option("--applicant", help="申请注销人：买受人姓名或序号（从0起）。")],
           text: Annotated[str, typer.Option("--reason", help="退房原因。")], as_json: Json = False) -> None:
    """退房原因录入：选择申请注销人（买受人之一），填写退房原因。"""
    db, actor = _acting(acting)
    _out(_returns().save_reason(db, actor, number, applicant=applicant, reason=text), as_json)


@return_app.command("submit")
@refusals
@input_refusals(MISSING)
def submit(number: Number, acting: As) -> None:
    """派工给主管部门。"""
    db, actor = _acting(acting)
    _returns().submit_return(db, actor, number)
    _line("已派工给主管部门。")


@return_app.command("voucher")
@refusals
@input_refusals(MISSING)
def voucher(number: Number, acting: As, path: Annotated[Path, typer.Argument(metavar="文件.pdf", help="退房凭证（PDF）。")]) -> None:
    """主管部门上传退房凭证（PDF）。"""
    db, actor = _acting(acting)
    _returns().attach_voucher(db, actor, number, str(path))
    _line("退房凭证已上传。")


@return_app.command("archive")
@refusals
@input_refusals(MISSING)
def archive(number: Number, acting: As,
            note: Annotated[str | None, typer.Option("--note", help="归档意见。")] = None) -> None:
    """主管部门归档：合同已退房，户室恢复可售。"""
    db, actor = _acting(acting)
    v = _returns().archive_return(db, actor, number, note=note)
    _line(f"已归档：合同{v.contract_number}已退房，户室{shown(v.unit_no)}恢复可售。")


@return_app.command("cancel")
@refusals
@input_refusals(MISSING)
def cancel(number: Number, acting: As, text: Annotated[str, typer.Option("--reason", help="取消原因。")]) -> None:
    """取消受理（退房原因录入阶段）：合同照常办理。"""
    db, actor = _acting(acting)
    _returns().cancel_return(db, actor, number, reason=text)
    _line("已取消受理。")


@return_app.command("show")
@refusals
@input_refusals(MISSING)
def show(number: Number, as_json: Json = False) -> None:
    """退房业务查询。"""
    _out(_returns().show_return(database(), system_actor(), number), as_json)
