"""Presale documents (seed 004): the sale permit (商品房预售许可证 / 现售许可证, §5.4, §5.6)
and the sales board (楼盘表) of a building, built from plain data (``services.presale.documents``
hands it over). Fonts, page numbers, kinsoku line breaking and seal places are the shared
ones of ``reports.base``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, LongTable, TableStyle

from reports.base import (
    FRAME_WIDTH,
    INK,
    RULE,
    build_pdf,
    data_table,
    format_area,
    format_date,
    kv_table,
    para,
    seal_block,
    spacer,
    styles,
    title_block,
)

__all__ = ["BoardDocument", "BoardRow", "PermitDocument", "PermitUnitLine", "STATE_COLOURS", "sale_permit",
           "sales_board"]


@dataclass(frozen=True)
class PermitUnitLine:
    unit_no: str
    unit: str | None
    actual_floor: int
    built_area: Decimal
    use: str | None
    layout: str | None


@dataclass(frozen=True)
class PermitDocument:
    title: str  # 商品房预售许可证 / 商品房现售许可证
    permit_number: str
    version: int
    issued_on: date
    issuer: str
    case_number: str
    developer_name: str
    developer_credit_code: str
    project_name: str
    project_location: str
    building_number: str
    survey: str  # 预测 CL20220406001
    property_company: str
    certificates: Sequence[tuple[str, str, date | None, str | None]]  # (kind, number, issued, issuer)
    units: Sequence[PermitUnitLine]
    total_area: Decimal
    note: str | None = None


def sale_permit(doc: PermitDocument, *, path: str | None = None) -> bytes:
    """The permit: who, where, on which certificates, over which units, issued by whom (seal place)."""
    version = f"（变更第{doc.version}版）" if doc.version > 1 else ""
    story: list[Flowable] = [*title_block(doc.title, version or None, f"编号：{doc.permit_number}")]
    story.append(kv_table([
        ("开发企业", doc.developer_name), ("统一社会信用代码", doc.developer_credit_code),
        ("项目名称", doc.project_name), ("栋号", doc.building_number),
        ("项目坐落", doc.project_location), ("测绘成果", doc.survey),
        ("许可范围", f"{len(doc.units)}套，建筑面积{format_area(doc.total_area)}"), ("物业公司", doc.property_company),
    ], label_width=31 * mm))
    story += [spacer(3), para("商品房相关证件", "heading")]
    story.append(data_table(("证件", "证件编号", "发证日期", "发证机关"),
                            [(k, n, format_date(d) if d else "", i or "") for k, n, d, i in doc.certificates],
                            widths=(3, 4, 2, 4)))
    story += [spacer(3), para(f"经审核，准予该栋以下户室{'预售' if '预售' in doc.title else '现售'}。", "body")]
    if doc.note:
        story.append(para(f"审核意见：{doc.note}", "body"))
    story.append(spacer(2))
    story.append(data_table(("序号", "室号", "单元", "实际层", "建筑面积（m²）", "用途", "户型"),
                            [(i, u.unit_no, u.unit or "", u.actual_floor, format_area(u.built_area, unit=False),
                              u.use or "", u.layout or "") for i, u in enumerate(doc.units, 1)],
                            widths=(1.2, 2, 1.5, 1.5, 2.5, 1.8, 2.5),
                            align=("RIGHT", "LEFT", "CENTER", "RIGHT", "RIGHT", "CENTER", "CENTER")))
    story += [spacer(6), seal_block([f"发证机关：{doc.issuer}（盖章）", f"发证日期：{format_date(doc.issued_on)}",
                                     f"业务号：{doc.case_number}"], caption="许可专用章")]
    return build_pdf(story, title=doc.title, reference=f"许可证号 {doc.permit_number}", path=path)


#: The board's colour per state (the state's value, ``core.presale.sale.SaleState``).
STATE_COLOURS: dict[str, str] = {
    "sellable": "#b7e1b0", "signing": "#fff3b0", "signed": "#f6d28b", "filed": "#f2a7a1",
    "not_permitted": "#e3e5e8", "property_room": "#b9cbe8", "restricted": "#5f6368", "mortgaged": "#e0a36b",
    "changing": "#e6c3ef",
}


@dataclass(frozen=True)
class BoardRow:
    floor: int
    cells: Sequence[tuple[str, str] | None]  # (letter, state value) per column


@dataclass(frozen=True)
class BoardDocument:
    title: str  # 楼盘表 — project building
    subtitle: str  # survey, permits, as of
    columns: Sequence[str]
    rows: Sequence[BoardRow]
    legend: Sequence[tuple[str, str, str]]  # (letter, label, state value)
    totals: Sequence[tuple[str, int, Decimal]]  # (label, units, area)


def sales_board(doc: BoardDocument, *, path: str | None = None) -> bytes:
    """The board: floors × units, each cell its state's letter on its colour; legend and totals."""
    st = styles()
    story: list[Flowable] = [*title_block(doc.title, doc.subtitle)]
    legend = "　".join(f"{letter} {label}" for letter, label, _ in doc.legend)
    story.append(para(f"图例：{legend}", "small"))
    story.append(spacer(2))
    columns = len(doc.columns)
    first = 12 * mm
    width = min(14 * mm, (FRAME_WIDTH - first) / max(columns, 1))
    size = 7 if width >= 6 * mm else 5.5
    data = [["层", *doc.columns]] + [[str(r.floor), *[c[0] if c else "" for c in r.cells]] for r in doc.rows]
    table = LongTable(data, colWidths=[first] + [width] * columns, repeatRows=1, hAlign="LEFT")
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), st.font), ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size + 2), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.3, RULE), ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
    for y, row in enumerate(doc.rows, 1):
        for x, cell in enumerate(row.cells, 1):
            if cell is not None:
                commands.append(("BACKGROUND", (x, y), (x, y), colors.HexColor(STATE_COLOURS[cell[1]])))
                if cell[1] == "restricted":
                    commands.append(("TEXTCOLOR", (x, y), (x, y), colors.white))
    table.setStyle(TableStyle(commands))
    story += [table, spacer(4), para("合计", "heading")]
    story.append(data_table(("状态", "套数", "建筑面积（m²）"),
                            [(label, n, format_area(area, unit=False)) for label, n, area in doc.totals],
                            widths=(3, 2, 3), align=("LEFT", "RIGHT", "RIGHT")))
    return build_pdf(story, title="楼盘表", reference=doc.title, path=path)
