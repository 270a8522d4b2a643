"""`wangqian presale room|permit|board …`: property-management rooms (物管用房, seed 004 §5.2),
sale permits (预售许可 §5.4, 现售许可 §5.6) and the sales board (楼盘表).

As for surveys (``tui.cli.presale``), a step on a case is taken by the operator who holds it
(``--as USER``); reading commands run as the shell. Refusals print one Chinese sentence with
the rule code and exit 1; a project, building or case that does not exist exits 2. ``--json``
where a program reads the answer.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tui.cli.helpers import database, input_refusals, out, refusals, shown, system_actor, write_pdf
from tui.cli.presale import NOT_FOUND, As, Json, ProjectId, _acting, _json, _line, presale_app

room_app = typer.Typer(help="物管用房管理（期房/现房物管用房核定、变更）。", no_args_is_help=True)
permit_app = typer.Typer(help="销售许可（预售许可初始审批、变更审批，现售许可）。", no_args_is_help=True)
board_app = typer.Typer(help="楼盘表：一栋楼的户室销售状态。", no_args_is_help=True)
presale_app.add_typer(room_app, name="room")
presale_app.add_typer(permit_app, name="permit")
presale_app.add_typer(board_app, name="board")

MISSING = NOT_FOUND | {"BUILDING_NOT_FOUND", "ROOM_CASE_NOT_FOUND", "PERMIT_CASE_NOT_FOUND", "UNIT_NOT_FOUND"}

Case = Annotated[str, typer.Argument(metavar="业务号", help="业务号，如 K202612070000001 或 Y202612070000002。")]
Building = Annotated[str, typer.Argument(metavar="楼栋", help="栋号，如 D004。")]
Units = Annotated[list[str] | None, typer.Option("--unit", "-u", help="室号（可多次）。")]

ROOM_TYPES = {"predicted": "room_predicted", "predicted-change": "room_predicted_change",
              "actual": "room_actual", "actual-change": "room_actual_change"}
PERMIT_TYPES = {"presale": "permit_presale", "change": "permit_presale_change", "spot": "permit_spot"}


def _number(case: str) -> str:
    return case.strip().upper()


def _type(table: dict[str, str], given: str, code: str) -> str:
    from tui.cli.helpers import bad_input

    if given not in table:
        raise bad_input(code, f"业务类型只能是 {'、'.join(table)} 之一。")
    return table[given]


# ------------------------------------------------------------------ 物管用房


def _show_rooms(v) -> None:  # type: ignore[no-untyped-def]
    _line(f"{v.case_number} {v.type_name}　{v.stage_name}（{v.case_status_label}）")
    _line(f"{shown(v.project_name)} 栋号 {shown(v.building_number)}　物管用房 {len(v.rooms)} 套：{shown('、'.join(v.rooms)) or '无'}")
    if v.before is not None:
        _line(f"变更前：{shown('、'.join(v.before)) or '无'}")
    for building, units in v.others:
        _line(f"其他栋 {shown(building)}：{shown('、'.join(units))}")


@room_app.command("start")
@refusals
@input_refusals(MISSING)
def room_start(project_id: ProjectId, building: Building, acting: As,
               kind: Annotated[str, typer.Option("--type", help="predicted 期房核定 / predicted-change 期房变更 / "
                                                              "actual 现房核定 / actual-change 现房变更。")] = "predicted") -> None:
    """业务受理：选择栋号，产生一条新的物管用房数据（变更从现行物管用房开始）。"""
    from services.presale import rooms

    type_code = _type(ROOM_TYPES, kind, "ROOM_TYPE_UNKNOWN")
    db, actor = _acting(acting)
    done = rooms.start_rooms(db, actor, type_code=type_code, project_id=project_id, building=building)
    _line(f"已受理 {done.case_number}" + (f"：沿用现行物管用房 {done.rooms} 套。" if done.rooms else "。"))


@room_app.command("set")
@refusals
@input_refusals(MISSING)
def room_set(number: Case, acting: As, add: Units = None,
             remove: Annotated[list[str] | None, typer.Option("--remove", help="移除的室号（可多次）。")] = None) -> None:
    """栋物管用房确定 / 变更：添加（--unit）或移除（--remove）物管用房。"""
    from services.presale import rooms

    db, actor = _acting(acting)
    _show_rooms(rooms.set_rooms(db, actor, number, add=add or [], remove=remove or []))


@room_app.command("show")
@refusals
@input_refusals(MISSING)
def room_show(number: Case, as_json: Json = False) -> None:
    """查看物管用房业务：本栋物管用房、变更前、该项目其他栋的设定。"""
    from services.presale import rooms

    v = rooms.show_rooms(database(), system_actor(), number)
    if as_json:
        _json(asdict(v))
        return
    _show_rooms(v)


def _step(module: str, function: str, message: str):  # type: ignore[no-untyped-def]
    """A command that runs one case step ``function(db, actor, number)`` as ``--as USER``."""

    @refusals
    @input_refusals(MISSING)
    def step(number: Case, acting: As) -> None:
        import importlib

        service = importlib.import_module(f"services.presale.{module}")
        db, actor = _acting(acting)
        getattr(service, function)(db, actor, number)
        _line(f"{_number(number)} {message}")

    return step


room_app.command("submit", help="派工给主管部门（本栋无物管用房时，该项目其他栋须已设置）。")(
    _step("rooms", "submit_rooms", "已派工给主管部门确定。"))


@room_app.command("cancel")
@refusals
@input_refusals(MISSING)
def room_cancel(number: Case, acting: As, reason: Annotated[str, typer.Option("--reason", help="取消受理的原因。")]) -> None:
    """取消受理（派工前）。"""
    from services.presale import rooms

    db, actor = _acting(acting)
    rooms.cancel_rooms(db, actor, number, reason=reason)
    _line(f"{_number(number)} 已取消受理。")


@room_app.command("archive")
@refusals
@input_refusals(MISSING)
def room_archive(number: Case, acting: As,
                 note: Annotated[str | None, typer.Option("--note", help="审核意见。")] = None) -> None:
    """意见签署、归档：物管用房设定生效。"""
    from services.presale import rooms

    db, actor = _acting(acting)
    done = rooms.archive_rooms(db, actor, number, note=note)
    _line(f"{done.case_number} 已归档：物管用房 {len(done.rooms)} 套。")
    if done.added:
        _line(f"新设物管用房（预售签约将提示物管用房不能销售）：{shown('、'.join(done.added))}")
    if done.released:
        _line(f"调出物管用房（须办理预售许可变更归档后方可销售）：{shown('、'.join(done.released))}")


# ------------------------------------------------------------------ 销售许可


@permit_app.command("start")
@refusals
@input_refusals(MISSING)
def permit_start(project_id: ProjectId, building: Building, acting: As,
                 kind: Annotated[str, typer.Option("--type", help="presale 预售许可初始审批 / change 预售许可变更审批 / "
                                                                "spot 现售许可。")] = "presale") -> None:
    """业务受理：选择栋号，产生一条新的许可数据（项目四证须齐全）。"""
    from services.presale import permits

    type_code = _type(PERMIT_TYPES, kind, "PERMIT_TYPE_UNKNOWN")
    db, actor = _acting(acting)
    done = permits.start_permit(db, actor, type_code=type_code, project_id=project_id, building=building)
    _line(f"已受理 {done.case_number}" + (f"：沿用原许可范围户室 {done.units} 套。" if done.units else "。"))


@permit_app.command("scope")
@refusals
@input_refusals(MISSING)
def permit_scope(number: Case, acting: As, add: Units = None,
                 remove: Annotated[list[str] | None, typer.Option("--remove", help="移出许可范围的室号（可多次）。")] = None,
                 all_units: Annotated[bool, typer.Option("--all", help="纳入全部可纳入的户室（物管用房除外）。")] = False) -> None:
    """选择预售范围户室：纳入（--unit 或 --all）或移出（--remove）。"""
    from services.presale import permits

    db, actor = _acting(acting)
    done = permits.set_scope(db, actor, number, add=add or [], remove=remove or [], all_units=all_units)
    _line(f"许可范围户室 {done.units} 套（纳入 {done.added}，移出 {done.removed}）。")


@permit_app.command("details")
@refusals
@input_refusals(MISSING)
def permit_details(number: Case, acting: As,
                   company: Annotated[str | None, typer.Option("--property-company", help="物业公司。")] = None,
                   cert: Annotated[list[int] | None, typer.Option("--cert", help="项目证件编号（presale project show 可查，可多次）。")] = None) -> None:
    """项目信息补充（物业公司）和申请栋信息补充（商品房相关证件）。"""
    from services.presale import permits

    db, actor = _acting(acting)
    permits.set_details(db, actor, number, property_company=company, certificates=cert or [])
    _line(f"{_number(number)} 已保存。")


permit_app.command("submit", help="派工给主管部门审核（户室、物业公司、四证齐全）。")(
    _step("permits", "submit_permit", "已派工给主管部门审核。"))


@permit_app.command("cancel")
@refusals
@input_refusals(MISSING)
def permit_cancel(number: Case, acting: As, reason: Annotated[str, typer.Option("--reason", help="取消受理的原因。")]) -> None:
    """取消受理（派工前）。"""
    from services.presale import permits

    db, actor = _acting(acting)
    permits.cancel_permit(db, actor, number, reason=reason)
    _line(f"{_number(number)} 已取消受理。")


@permit_app.command("archive")
@refusals
@input_refusals(MISSING)
def permit_archive(number: Case, acting: As,
                   note: Annotated[str | None, typer.Option("--note", help="审核意见。")] = None) -> None:
    """许可证生成、归档：核发许可证号，许可生效（变更沿用原证号）。"""
    from services.presale import permits

    db, actor = _acting(acting)
    done = permits.archive_permit(db, actor, number, note=note)
    version = f"（变更第{done.version}版，纳入 {done.added}，移出 {done.removed}）" if done.version > 1 else ""
    _line(f"{done.case_number} 已归档：许可证号 {done.permit_number}，许可户室 {done.units} 套{version}。")


@permit_app.command("show")
@refusals
@input_refusals(MISSING)
def permit_show(number: Case, as_json: Json = False) -> None:
    """查看许可业务：许可证号、证件、物业公司、许可范围户室（变更前后）。"""
    from services.presale import permits

    v = permits.show_permit(database(), system_actor(), number)
    if as_json:
        _json(asdict(v))
        return
    _line(f"{v.case_number} {v.type_name}　{v.stage_name}（{v.case_status_label}）"
          + (f"　办理人：{shown(v.holder)}" if v.holder else ""))
    _line(f"{v.kind_label} {v.permit_number or '（未核发）'}" + (f" 第{v.version}版" if v.version > 1 else "")
          + f"　{shown(v.project_name)} 栋号 {shown(v.building_number)}　物业公司：{shown(v.property_company) or '—'}")
    for c in v.certificates:
        _line(f"{c.kind_label}：{shown(c.number)}")
    _line(f"许可范围户室 {len(v.units)} 套，建筑面积 {v.total_area.quantize(v.total_area.__class__('0.01'))} m²")
    if v.added or v.removed:
        _line(f"变更纳入：{shown('、'.join(v.added)) or '无'}；变更移出（不可售）：{shown('、'.join(v.removed)) or '无'}")


@permit_app.command("list")
@refusals
@input_refusals(MISSING)
def permit_list(project_id: Annotated[int | None, typer.Option("--project", help="项目编号。")] = None,
                as_json: Json = False) -> None:
    """列出销售许可业务。"""
    from services.presale import permits

    rows = permits.list_permits(database(), system_actor(), project_id=project_id)
    if as_json:
        _json([asdict(r) for r in rows])
        return
    table = Table("业务号", "业务类型", "项目", "栋号", "许可证号", "户室", "办理阶段")
    for r in rows:
        table.add_row(r.case_number, r.type_name, shown(r.project_name), shown(r.building_number),
                      r.permit_number or "—", str(r.units), f"{r.stage_name}（{r.case_status_label}）")
    out.print(table)


@permit_app.command("pdf")
@refusals
@input_refusals(MISSING)
def permit_pdf(number: Case, output: Annotated[Path, typer.Option("-o", "--output", help="PDF 文件路径。")]) -> None:
    """打印预售许可证 / 现售许可证（已核发的）。"""
    from services.presale import documents

    write_pdf(output, lambda: documents.permit_pdf(database(), system_actor(), number))


# ------------------------------------------------------------------ 楼盘表

#: Rich styles of the board's states (the TUI's are in tui/screens/presale/board.py).
STYLES = {"sellable": "black on green", "signing": "black on bright_cyan", "signed": "black on yellow", "filed": "white on red",
          "not_permitted": "black on grey70", "property_room": "white on blue", "restricted": "white on grey30",
          "mortgaged": "white on dark_orange3", "changing": "black on magenta"}


@board_app.command("show")
@refusals
@input_refusals(MISSING)
def board_show(project_id: ProjectId, building: Building, as_json: Json = False) -> None:
    """楼盘表：楼层 × 户室，每格为户室的销售状态，及各状态合计。"""
    from core.presale.sale import SALE_STATE_LABELS, SALE_STATE_LETTERS
    from services.presale import board

    v = board.board(database(), system_actor(), project_id, building)
    b = v.board
    if as_json:
        _json({"project": v.project_name, "building": v.building_number, "survey_number": v.survey_number,
               "permits": [{"kind": k, "number": n} for k, n in v.permits], "change_case": v.change_case,
               "units": [{"unit_no": c.unit_no, "floor": f, "column": "".join(b.columns[i]), "state": c.state.value,
                          "state_label": SALE_STATE_LABELS[c.state], "permit_number": c.permit_number,
                          "built_area": str(c.built_area), "notices": list(c.notices)}
                         for (f, i), c in sorted(b.cells.items(), key=lambda kv: (-kv[0][0], kv[0][1]))],
               "totals": [{"state": t.state.value, "label": SALE_STATE_LABELS[t.state], "units": t.units,
                           "area": str(t.area)} for t in b.totals]})
        return
    permits = "，".join(f"{k}{n}" for k, n in v.permits) or "尚无销售许可"
    _line(f"{shown(v.project_name)} {shown(v.building_number)}　{permits}"
          + (f"　许可变更中（{v.change_case}）" if v.change_case else ""))
    table = Table("层", *[f"{shown(u)} {shown(p)}".strip() for u, p in b.columns])
    for f in b.floors:
        cells = [Text(SALE_STATE_LETTERS[c.state], style=STYLES[c.state.value]) if c else Text("") for c in b.row(f)]
        table.add_row(str(f), *cells)
    out.print(table)
    _line("　".join(f"{SALE_STATE_LETTERS[t.state]} {SALE_STATE_LABELS[t.state]} {t.units}" for t in b.totals))


@board_app.command("unit")
@refusals
@input_refusals(MISSING | {"PERMIT_UNIT_NOT_FOUND"})
def board_unit(project_id: ProjectId, building: Building,
               unit_no: Annotated[str, typer.Argument(metavar="户室", help="室号，如 1-01。")], as_json: Json = False) -> None:
    """预售签约查询：一户的销售状态和提醒，以及此时发起签约会得到的答复。"""
    from services.presale import board

    v = board.unit_lookup(database(), system_actor(), project_id, building, unit_no)
    if as_json:
        _json(asdict(v))
        return
    _line(f"{shown(v.unit_no)}：{v.state_label}" + (f"（许可证 {v.permit_number}）" if v.permit_number else ""))
    for notice in v.notices:
        _line(f"提醒：{notice}")
    _line(f"预售签约：{v.presale_refusal or '可以签约'}；现售签约：{v.spot_refusal or '可以签约'}")
    for past in v.history:
        _line(f"合同 {past.number}　{past.status_label}　{shown(past.buyer_names or '')}"
              + (f"　备案号 {past.filing_number}" if past.filing_number else ""))


@board_app.command("pdf")
@refusals
@input_refusals(MISSING)
def board_pdf(project_id: ProjectId, building: Building,
              output: Annotated[Path, typer.Option("-o", "--output", help="PDF 文件路径。")]) -> None:
    """打印楼盘表。"""
    from services.presale import documents

    write_pdf(output, lambda: documents.board_pdf(database(), system_actor(), project_id, building))
