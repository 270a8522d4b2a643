"""`wangqian presale facts …`: 户室信息补录 (seed 004 §5.11) from the command line, through the
same use cases as the screen (``services.presale.facts_backfill``): the developer completes the
missing project, building and unit facts (required ones marked *), dispatches; the authority
archives or returns.

A step is taken as its operator (``--as USER``); reading runs as the shell. Refusals print one
Chinese sentence with the rule code and exit 1; a case that does not exist exits 2. ``--json``
prints what a program reads.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from tui.cli.helpers import database, input_refusals, refusals, shown, system_actor
from tui.cli.presale import NOT_FOUND, As, Json, ProjectId, _acting, _json, _line, presale_app
from core.places import building_label

facts_app = typer.Typer(help="户室信息补录：补录项目、栋和户室缺失的信息（带*号为必填）。", no_args_is_help=True)
presale_app.add_typer(facts_app, name="facts")

MISSING = NOT_FOUND | {"BACKFILL_CASE_NOT_FOUND", "BUILDING_NOT_FOUND"}
Case = Annotated[str, typer.Argument(metavar="业务号", help="户室信息补录业务的业务号（X…）。")]


def _show(v, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        _json(asdict(v))
        return
    _line(f"{v.case_number} 户室信息补录　{v.stage_name}（{v.case_status_label}）　{shown(v.project_name)} "
          f"{shown(building_label(v.building_number))}　测绘宗号 {v.survey_number}　户室 {v.unit_count} 套")
    for title, lines in (("项目信息", v.project), ("栋信息", v.building), ("户室信息（全部户室）", v.units)):
        _line(title + "：" + "；".join(f"{f.label} {shown(f.recorded) or '—'}"
                                       + (f" → {shown(f.entered)}" if f.entered else "") for f in lines))
    _line("尚缺必填项：" + ("；".join(v.missing) if v.missing else "无"))


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"“{item}”应写成 名称=值。")
        out[key.strip()] = value
    return out


@facts_app.command("start")
@refusals
@input_refusals(MISSING)
def facts_start(project_id: ProjectId, building: Annotated[str, typer.Argument(metavar="楼栋", help="栋号。")], acting: As,
                as_json: Json = False) -> None:
    """业务受理：选择需补录的栋号。"""
    from services.presale import facts_backfill

    db, actor = _acting(acting)
    _show(facts_backfill.start_facts(db, actor, project_id, building), as_json)


@facts_app.command("project")
@refusals
@input_refusals(MISSING)
def facts_project(number: Case, acting: As,
                  land_area: Annotated[str | None, typer.Option("--land-area", help="用地面积*（㎡）。")] = None,
                  floor_area: Annotated[str | None, typer.Option("--floor-area", help="规划总建筑面积*（㎡）。")] = None,
                  company: Annotated[str | None, typer.Option("--property-company", help="物业公司*。")] = None) -> None:
    """项目信息补录。"""
    from services.presale import facts_backfill

    db, actor = _acting(acting)
    _show(facts_backfill.save_project(db, actor, number, land_area=land_area, floor_area=floor_area,
                                      property_company=company), False)


@facts_app.command("building")
@refusals
@input_refusals(MISSING)
def facts_building(number: Case, acting: As,
                   structure: Annotated[str | None, typer.Option("--structure", help="建筑结构*。")] = None,
                   floors_above: Annotated[str | None, typer.Option("--floors-above", help="地上层数*。")] = None,
                   floors_below: Annotated[str | None, typer.Option("--floors-below", help="地下层数。")] = None,
                   height: Annotated[str | None, typer.Option("--height", help="建筑高度（米）。")] = None,
                   use: Annotated[str | None, typer.Option("--use", help="规划用途*。")] = None) -> None:
    """栋信息补录。"""
    from services.presale import facts_backfill

    db, actor = _acting(acting)
    _show(facts_backfill.save_building(db, actor, number, structure=structure, floors_above=floors_above,
                                       floors_below=floors_below, height=height, building_use=use), False)


@facts_app.command("units")
@refusals
@input_refusals(MISSING)
def facts_units(number: Case, acting: As,
                values: Annotated[list[str], typer.Argument(metavar="名称=值", help="如 销售单价=9800 户型=三室两厅。")]) -> None:
    """户室信息补录：全选户室，批量补录（只写入为空的户室）。"""
    from services.presale import facts_backfill

    db, actor = _acting(acting)
    _show(facts_backfill.save_units(db, actor, number, _pairs(values)), False)


@facts_app.command("submit")
@refusals
@input_refusals(MISSING)
def facts_submit(number: Case, acting: As) -> None:
    """派件到主管部门审核（带*号的必填项须已补录）。"""
    from services.presale import facts_backfill

    db, actor = _acting(acting)
    facts_backfill.submit_facts(db, actor, number)
    _line(f"{number.strip().upper()} 已派件到主管部门审核。")


@facts_app.command("review")
@refusals
@input_refusals(MISSING)
def facts_review(number: Case, acting: As,
                 refuse: Annotated[bool, typer.Option("--refuse", help="审核不通过，退回（须填写意见）。")] = False,
                 opinion: Annotated[str | None, typer.Option("--opinion", help="审批意见。")] = None) -> None:
    """主管部门审核：通过则写入补录的信息并归档。"""
    from services.presale import facts_backfill

    db, actor = _acting(acting)
    _line(facts_backfill.review_facts(db, actor, number, approve=not refuse, opinion=opinion))


@facts_app.command("show")
@refusals
@input_refusals(MISSING)
def facts_show(number: Case, as_json: Json = False) -> None:
    """显示户室信息补录业务。"""
    from services.presale import facts_backfill

    _show(facts_backfill.show_facts(database(), system_actor(), number), as_json)
