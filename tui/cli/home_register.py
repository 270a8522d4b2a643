"""`wangqian home …`: the home register (房屋登记簿) from the command line.

Each command calls the same use case as the 房屋登记 screen (``services.resale.home_register``).
A home is named by its 不动产单元号 (KEY), or by its certificate number when that covers one
home. Owners are given as ``--owner NUMBER`` (repeated; ``NUMBER:SHARE`` for 按份共有), the
number a person's document number or an organisation's 统一社会信用代码 in the party register.
Numbers are shown masked. A bad value prints one Chinese sentence with its rule code and exits
1 (every bad value of a record is listed; ``home import`` lists every bad row first); a KEY
that names no home, or a file that cannot be read, exits 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tui.cli.helpers import (
    bad_input,
    database,
    err,
    input_refusals,
    out,
    refusals,
    settings,
    shown,
    system_actor,
    when,
)
from tui.cli.party import each_refusal

home_app = typer.Typer(help="房屋登记簿：登记、变更、查询房屋，抵押、查封、限制、无效标记，导入已有登记簿。",
                       no_args_is_help=True)

#: Refusals meaning the input names no home: exit 2, not 1.
BAD_INPUT_CODES = frozenset({"HOME_NOT_FOUND", "HOME_KEY_BAD", "HOME_AMBIGUOUS"})

Key = Annotated[str, typer.Argument(metavar="房屋", help="不动产单元号（28位），或只登记了一套房屋的产权证书编号。")]
Kind = Annotated[str, typer.Argument(metavar="标记", help="抵押、查封、限制或无效（或编号1-4）。")]
Reason = Annotated[str, typer.Option("--reason", help="原因，如抵押登记证明号、查封裁定书文号。")]
Json = Annotated[bool, typer.Option("--json", help="以 JSON 输出。")]

City = Annotated[str | None, typer.Option("--city", help="城市：深圳、中山或武汉（不填为本厅所在城市）。")]
District = Annotated[str | None, typer.Option("--district", help="所在区（中山填镇区），如福田区。")]
Certificate = Annotated[str | None, typer.Option("--certificate", help="产权证书编号，如粤(2020)深圳市不动产权第0123456号。")]
CheckCode = Annotated[str | None, typer.Option("--check-code", help="产权证书上的校验码（中山必填）。")]
Unit = Annotated[str | None, typer.Option("--unit", help="不动产单元号（28位）。")]
Location = Annotated[str | None, typer.Option("--location", help="坐落（按产权证书）。")]
Building = Annotated[str | None, typer.Option("--building", help="楼栋，如3栋、A座。")]
Floor = Annotated[str | None, typer.Option("--floor", help="所在层（地下层填负数，如-1）。")]
Room = Annotated[str | None, typer.Option("--room", help="房号，如201。")]
TotalFloors = Annotated[str | None, typer.Option("--total-floors", help="总层数。")]
Area = Annotated[str | None, typer.Option("--area", help="建筑面积（平方米，最多两位小数）。")]
InnerArea = Annotated[str | None, typer.Option("--inner-area", help="套内建筑面积（平方米）。")]
LandArea = Annotated[str | None, typer.Option("--land-area", help="分摊土地面积（平方米）。")]
Structure = Annotated[str | None, typer.Option("--structure", help="房屋结构，如钢筋混凝土。")]
Use = Annotated[str | None, typer.Option("--use", help="设计用途，如住宅、商业、办公、车位。")]
UseClass = Annotated[str | None, typer.Option("--use-class", help="用途大类（设计用途不规范时暂按何类登记）：住宅、商业、办公、车位。")]
Year = Annotated[str | None, typer.Option("--year", help="建成年份，如1998。")]
CoOwnership = Annotated[str | None, typer.Option("--co-ownership", help="共有方式：单独所有、共同共有、按份共有。")]
Owners = Annotated[list[str] | None, typer.Option("--owner", help="权利人证件号码或统一社会信用代码；按份共有写成 号码:份额。可重复。")]


def _owners(values: list[str] | None):  # type: ignore[no-untyped-def]
    from core.resale.home_register import OwnerEntry

    if values is None:
        return None
    entries = []
    for value in values:
        number, colon, share = value.replace("：", ":").rpartition(":")
        entries.append(OwnerEntry(number, share) if colon else OwnerEntry(value))
    return tuple(entries)


def _print_home(view) -> None:  # type: ignore[no-untyped-def]
    table = Table(show_header=False, box=None)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()

    def row(label: str, value: object) -> None:
        if value not in (None, ""):
            table.add_row(label, shown(value))

    area = lambda v: None if v is None else f"{v:f} 平方米"  # noqa: E731
    row("坐落", view.location)
    row("城市·所在区", f"{view.city_label} {view.district}")
    row("产权证书编号", view.certificate_number)
    row("校验码", view.check_code)
    row("不动产单元号", view.unit_number)
    row("楼栋·层·房号", f"{view.building}　第{view.floor}层（共{view.total_floors}层）　{view.room}")
    row("建筑面积", area(view.floor_area))
    row("套内建筑面积", area(view.inner_area))
    row("分摊土地面积", area(view.land_area))
    row("房屋结构", view.structure)
    row("设计用途", view.use_text)
    row("建成年份", view.completion_year)
    row("共有方式", view.co_ownership_label)
    for owner in view.owners:
        row("权利人", owner.text)
    row("状态", view.status + (f"（合同编号 {view.contract_number}）" if view.contract_number else ""))
    for mark in view.marks:
        row(f"{mark.label}", (mark.reason or "未记载原因") + (f"（{when(mark.set_at)}）" if mark.set_at else ""))
    for mark in view.history:
        row(f"已解除{mark.label}", f"{mark.reason or '未记载原因'}；{when(mark.cleared_at)} 解除：{mark.clear_reason}")
    if view.homes_on_certificate > 1:
        row("提示", f"该产权证书共登记{view.homes_on_certificate}套房屋。")
    out.print(table)


def _view_json(view) -> dict:  # type: ignore[no-untyped-def]
    def dec(v):  # type: ignore[no-untyped-def]
        return None if v is None else f"{v:f}"

    return {
        "city": view.city, "district": view.district, "certificate_number": view.certificate_number,
        "check_code": view.check_code, "unit_number": view.unit_number, "location": view.location,
        "building": view.building, "floor": view.floor, "room": view.room, "total_floors": view.total_floors,
        "floor_area": dec(view.floor_area), "inner_area": dec(view.inner_area), "land_area": dec(view.land_area),
        "structure": view.structure, "design_use": view.design_use, "use_class": view.use_class,
        "use_class_normalised": view.use_class_normalised, "completion_year": view.completion_year,
        "co_ownership": view.co_ownership, "status": view.status, "contract_number": view.contract_number,
        "owners": [{"kind": o.kind, "name": o.name, "document": o.document, "number": o.masked_number,
                    "share": dec(o.share)} for o in view.owners],
        "marks": [{"mark": m.kind, "reason": m.reason} for m in view.marks],
    }


@home_app.command("add")
@refusals
@each_refusal
def add(
    district: District = None, certificate: Certificate = None, unit: Unit = None, location: Location = None,
    building: Building = None, floor: Floor = None, room: Room = None, total_floors: TotalFloors = None,
    area: Area = None, structure: Structure = None, use: Use = None, owner: Owners = None, city: City = None,
    check_code: CheckCode = None, inner_area: InnerArea = None, land_area: LandArea = None,
    use_class: UseClass = None, year: Year = None, co_ownership: CoOwnership = None,
) -> None:
    """登记房屋：按产权证书逐项登记，权利人须已在当事人登记簿中。"""
    from core.resale.home_register import HomeEntry
    from services.resale import home_register

    view = home_register.register_home(database(), system_actor(), HomeEntry(
        city=city, district=district, certificate_number=certificate, check_code=check_code, unit_number=unit,
        location=location, building=building, floor=floor, room=room, total_floors=total_floors, floor_area=area,
        inner_area=inner_area, land_area=land_area, structure=structure, design_use=use, use_class=use_class,
        completion_year=year, co_ownership=co_ownership, owners=_owners(owner) or ()),
        default_city=settings().city)
    out.print(f"已登记房屋：{shown(view.location)}　不动产单元号 {shown(view.unit_number)}。", highlight=False)


@home_app.command("change")
@refusals
@input_refusals(BAD_INPUT_CODES)
@each_refusal
def change(
    key: Key, district: District = None, certificate: Certificate = None, unit: Unit = None,
    location: Location = None, building: Building = None, floor: Floor = None, room: Room = None,
    total_floors: TotalFloors = None, area: Area = None, structure: Structure = None, use: Use = None,
    owner: Owners = None, city: City = None, check_code: CheckCode = None, inner_area: InnerArea = None,
    land_area: LandArea = None, use_class: UseClass = None, year: Year = None, co_ownership: CoOwnership = None,
) -> None:
    """变更房屋登记信息（房屋不在交易中时）：只改给出的各项；给出 --owner 则权利人全部改为所给的。"""
    from services.resale import home_register

    view = home_register.change_home(database(), system_actor(), key, home_register.HomeChange(
        city=city, district=district, certificate_number=certificate, check_code=check_code, unit_number=unit,
        location=location, building=building, floor=floor, room=room, total_floors=total_floors, floor_area=area,
        inner_area=inner_area, land_area=land_area, structure=structure, design_use=use, use_class=use_class,
        completion_year=year, co_ownership=co_ownership, owners=_owners(owner)))
    out.print(f"已变更房屋：{shown(view.location)}　不动产单元号 {shown(view.unit_number)}。", highlight=False)


@home_app.command("show")
@refusals
@input_refusals(BAD_INPUT_CODES)
def show(key: Key, as_json: Json = False) -> None:
    """显示一套房屋：登记信息、权利人（号码已遮蔽）、抵押查封等标记及原因。"""
    from services.resale import home_register

    view = home_register.show_home(database(), system_actor(), key)
    if as_json:
        out.print_json(json.dumps(_view_json(view), ensure_ascii=False))
    else:
        _print_home(view)


@home_app.command("find")
@refusals
def find(
    text: Annotated[str, typer.Argument(metavar="查询内容", help="产权证书编号、不动产单元号或坐落中的几个字。")],
    as_json: Json = False,
) -> None:
    """查询房屋：按产权证书编号、不动产单元号或坐落。"""
    from services.resale import home_register

    found = home_register.find_homes(database(), system_actor(), text)
    if as_json:
        out.print_json(json.dumps([{"unit_number": h.unit_number, "certificate_number": h.certificate_number,
                                    "location": h.location, "owners": h.owners, "status": h.status}
                                   for h in found.lines], ensure_ascii=False))
        return
    if not found.lines:
        out.print("未找到符合条件的房屋。")
        return
    for h in found.lines:  # one block a home: a unit number is the next command's key, never cut
        out.print(f"[bold]{h.unit_number}[/bold]　{shown(h.status)}", highlight=False, soft_wrap=True)
        out.print(f"  {shown(h.location)}", highlight=False, soft_wrap=True)
        out.print(f"  {shown(h.certificate_number)}　权利人：{shown(h.owners)}", highlight=False, soft_wrap=True)
    if found.more:
        out.print(f"只列出前 {len(found.lines)} 套，请输入更多的字缩小范围。")


@home_app.command("mark")
@refusals
@input_refusals(BAD_INPUT_CODES)
@each_refusal
def mark(key: Key, kind: Kind, reason: Reason) -> None:
    """登记抵押、查封、限制或无效标记，须写明原因。"""
    from services.resale import home_register

    view = home_register.set_mark(database(), system_actor(), key, kind, reason)
    out.print(f"已登记标记：{shown(view.location)}　现状态 {view.status}。", highlight=False)


@home_app.command("unmark")
@refusals
@input_refusals(BAD_INPUT_CODES)
@each_refusal
def unmark(key: Key, kind: Kind, reason: Reason) -> None:
    """解除抵押、查封、限制或无效标记，须写明解除原因。"""
    from services.resale import home_register

    view = home_register.clear_mark(database(), system_actor(), key, kind, reason)
    out.print(f"已解除标记：{shown(view.location)}　现状态 {view.status}。", highlight=False)


@home_app.command("import")
@refusals
def import_file(
    path: Annotated[Path, typer.Argument(metavar="文件.csv", help="CSV 文件（UTF-8 或 GB18030）。")],
    city: City = None,
) -> None:
    """导入已有房屋登记簿：有任何错误则逐行列出，不导入任何记录。

    列见 README“房屋登记簿”一节；权利人须已在当事人登记簿中（先导入当事人）。
    """
    from services.parties import ImportInvalid
    from services.resale import home_register

    target = path.expanduser()
    try:
        data = target.read_bytes()
    except (OSError, ValueError):
        raise bad_input("CSV_NOT_READABLE", f"无法读取文件 {shown(str(target))}：文件不存在或不是普通文件。") from None
    try:
        result = home_register.import_homes(database(), system_actor(), data, default_city=city or settings().city)
    except ImportInvalid as exc:
        for error in exc.errors[:200]:
            err.print(f"{shown(error.text())}（{error.code}）", highlight=False, soft_wrap=True)
        if len(exc.errors) > 200:
            err.print(f"……另有 {len(exc.errors) - 200} 处错误未列出。", highlight=False)
        raise
    out.print(f"已导入 {result.homes} 套房屋（其中标记 {result.marks} 项）。", highlight=False)
