"""Presale documents as PDF bytes: the sale permit once issued, and a building's sales board.
The data comes from the permit and board use cases; ``reports.presale`` lays it out."""

from __future__ import annotations

from core.presale.sale import SALE_STATE_LABELS, SALE_STATE_LETTERS, SALE_STATE_ORDER
from core.roles import Actor
from core.timeutil import local_today
from reports import presale as documents
from services.presale.board import board
from services.presale.permits import permit_document
from storage.engine import Database

__all__ = ["board_data", "board_pdf", "permit_data", "permit_pdf"]


def permit_data(db: Database, actor: Actor, number: str) -> documents.PermitDocument:
    v = permit_document(db, actor, number)
    return documents.PermitDocument(
        title="商品房预售许可证" if v.kind == "presale" else "商品房现售许可证", permit_number=v.permit_number,  # type: ignore[arg-type]
        version=v.version, issued_on=local_today(v.archived_at),  # type: ignore[arg-type]
        issuer=db.settings.hall_name or "房地产主管部门", case_number=v.case_number, developer_name=v.developer_name,
        developer_credit_code=v.developer_credit_code, project_name=v.project_name,
        project_location=v.project_location, building_number=v.building_number,
        survey=f"{v.survey_kind_label or ''} {v.survey_number or ''}".strip(), property_company=v.property_company or "",
        certificates=[(c.kind_label, c.number, c.issued_on, c.issuer) for c in v.certificates],
        units=[documents.PermitUnitLine(u.unit_no, u.unit, u.actual_floor, u.built_area, u.use, u.layout)
               for u in v.units],
        total_area=v.total_area, note=v.review_note)


def permit_pdf(db: Database, actor: Actor, number: str) -> bytes:
    """预售许可证 / 现售许可证 as PDF bytes (issued permits only)."""
    return documents.sale_permit(permit_data(db, actor, number))


def board_data(db: Database, actor: Actor, project_id: int, building: str) -> documents.BoardDocument:
    v = board(db, actor, project_id, building)
    b = v.board
    permits = "，".join(f"{label}{number}" for label, number in v.permits) or "尚无销售许可"
    change = f"，许可变更中（{v.change_case}）" if v.change_case else ""
    survey = f"{v.survey_kind_label}测绘 {v.survey_number}" if v.survey_number else "尚无备案的测绘成果"
    return documents.BoardDocument(
        title=f"{v.project_name} {v.building_number}", subtitle=f"{survey}；{permits}{change}；打印于 {local_today(db.now()):%Y-%m-%d}",
        columns=[f"{u} {p}".strip() for u, p in b.columns],
        rows=[documents.BoardRow(f, [(SALE_STATE_LETTERS[c.state], c.state.value) if c else None for c in b.row(f)])
              for f in b.floors],
        legend=[(SALE_STATE_LETTERS[s], SALE_STATE_LABELS[s], s.value) for s in SALE_STATE_ORDER],
        totals=[(SALE_STATE_LABELS[t.state], t.units, t.area) for t in b.totals])


def board_pdf(db: Database, actor: Actor, project_id: int, building: str) -> bytes:
    """楼盘表 as PDF bytes."""
    return documents.sales_board(board_data(db, actor, project_id, building))
