"""Presale documents as PDF bytes: the sale permit once issued, a building's sales board, and
the presale or spot-sale contract itself (商品房买卖合同（预售） / （现售））. The data comes from
the permit, board and contract use cases; ``reports.presale`` and ``reports.presale_contracts``
lay it out. A contract's print is audited (who printed which version, and whether as a draft)."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from core.errors import RuleViolation
from core.identity import ID_KIND_LABELS, IdKind, mask_id, mask_phone
from core.presale.contracts import (
    CONTRACT_STATUS_LABELS,
    PAYMENT_LABELS,
    PRICE_BASIS_LABELS,
    SIGNING_FORM_LABELS,
    ContractStatus,
    PaymentMethod,
    PriceBasis,
    SigningForm,
)
from core.presale.projects import CERTIFICATE_LABELS
from core.presale.sale import SALE_STATE_LABELS, SALE_STATE_LETTERS, SALE_STATE_ORDER
from core.presale.surveys import KIND_LABELS, SurveyKind
from core.roles import Actor
from core.timeutil import local_today
from reports import presale as documents
from reports import presale_contracts as contract_documents
from services import audit
from services.presale.board import board
from services.presale.buildings import survey_in_force
from services.presale.common import developer_of
from services.presale.contracts import areas_of, authorise_reader, buyers_of, open_contract, supervised_account
from services.presale.permits import permit_document
from storage.engine import Database
from storage.models import Building, PermitCertificate, Project, SalePermit

__all__ = ["board_data", "board_pdf", "contract_data", "contract_pdf", "permit_data", "permit_pdf"]


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


def _id_kind(kind: str | None) -> str:
    try:
        return ID_KIND_LABELS[IdKind(kind)]
    except ValueError:
        return kind or "身份证件"


def _money(facts: dict[str, object], key: str) -> Decimal:
    value = facts.get(key)
    return Decimal(str(value)) if value not in (None, "") else Decimal("0.00")


def contract_data(db: Database, actor: Actor, number: str) -> contract_documents.PresaleContractDocument:
    """What the contract prints (by case or contract number), from the register, the survey in
    force, the permit and the entry. Refused before the entry is saved (CONTRACT_ENTRY_MISSING)."""
    with db.read() as session:
        authorise_reader(session, actor)
        opened = open_contract(session, actor, number)
        c, case = opened.contract, opened.case
        if not c.facts:
            raise RuleViolation("CONTRACT_ENTRY_MISSING", "请先录入购房合同信息，再打印商品房买卖合同。")
        facts = json.loads(c.facts)
        _, row = areas_of(session, c)
        survey = survey_in_force(session, c.building_id)
        building = session.get(Building, c.building_id)
        project = session.get(Project, building.project_id)  # type: ignore[union-attr]
        developer = developer_of(session, c.developer_id)
        permit = session.execute(select(SalePermit).where(SalePermit.permit_number == c.permit_number)
                                 .order_by(SalePermit.version.desc()).limit(1)).scalar_one_or_none()
        certificates = [] if permit is None else session.execute(
            select(PermitCertificate).where(PermitCertificate.permit_id == permit.id)
            .order_by(PermitCertificate.id)).scalars().all()
        bank = supervised_account(session, c.building_id)
        buyers = tuple(contract_documents.ContractBuyer(b.name, _id_kind(b.id_kind), mask_id(b.id_number),
                                                        mask_phone(b.phone))
                       for b in buyers_of(session, c.id))  # type: ignore[arg-type]
        mortgage = json.loads(c.mortgage) if c.mortgage else {}
        assert survey is not None and building is not None and project is not None
        unit = contract_documents.ContractUnit(
            building=building.number, unit=row.unit, unit_no=row.unit_no, floor=row.actual_floor,
            nominal_floor=row.nominal_floor, floors_above=survey.floors_above, floors_below=survey.floors_below,
            use=row.use or survey.building_use, structure=row.structure or survey.structure, layout=row.layout,
            built_area=row.built_area, inner_area=row.inner_area, shared_area=row.shared_area,
            survey=f"{KIND_LABELS[SurveyKind(survey.kind)]} {survey.survey_number}")
        status = ContractStatus(c.status)
        return contract_documents.PresaleContractDocument(
            kind=c.kind, contract_number=c.number, case_number=case.number, status_label=CONTRACT_STATUS_LABELS[status],
            signed=c.signed_at is not None, void=status in (ContractStatus.VOID, ContractStatus.RETURNED),
            signing_form=SIGNING_FORM_LABELS[SigningForm(c.signing_form or facts.get("signing_form") or "electronic")],
            signed_on=local_today(c.signed_at) if c.signed_at else None,
            sealed_on=local_today(c.sealed_at) if c.sealed_at else None,
            filing_number=c.filing_number, filed_on=local_today(c.filed_at) if c.filed_at else None,
            developer=developer.name, credit_code=developer.credit_code, legal_rep=developer.legal_rep_name,
            developer_address=developer.address or "", buyers=buyers, project=project.name,
            project_location=project.location, permit_number=c.permit_number,
            permit_issuer=db.settings.hall_name or "房地产主管部门",
            certificates=tuple((CERTIFICATE_LABELS.get(p.kind, p.kind), p.number)  # type: ignore[call-overload]
                               for p in certificates),
            property_company=(permit.property_company if permit else None) or project.property_company or "",
            unit=unit, price_basis=PRICE_BASIS_LABELS[PriceBasis(facts["price_basis"])],
            priced_area=Decimal(str(facts["area"])), unit_price=Decimal(str(facts["unit_price"])),
            total_price=Decimal(str(facts["total_price"])),
            payment_method=PAYMENT_LABELS[PaymentMethod(facts["payment_method"])],
            down_payment=_money(facts, "down_payment"), commercial_loan=_money(facts, "commercial_loan"),
            fund_loan=_money(facts, "fund_loan"), loan_bank=facts.get("loan_bank"), fund_centre=facts.get("fund_centre"),
            mortgagor=facts.get("mortgagor"), mortgagee=facts.get("mortgagee"),
            instalment_terms=facts.get("instalment_terms"), mortgage_contract=mortgage.get("mortgage_contract"),
            loan_term_years=mortgage.get("loan_term_years"),
            supervision=(" ".join(x for x in (bank.bank_name, bank.branch) if x), bank.account_name or "",
                         bank.account_number or "") if bank else None,
            delivery_date=facts.get("delivery_date"))


def contract_pdf(db: Database, actor: Actor, number: str) -> bytes:
    """商品房买卖合同（预售 / 现售） as PDF bytes; the print is audited after it is made (a
    rendering failure records no print that never happened)."""
    data = contract_data(db, actor, number)
    pdf = contract_documents.presale_contract_pdf(data)
    with db.write() as session:
        authorise_reader(session, actor)
        opened = open_contract(session, actor, data.case_number)
        audit.append(session, actor, "presale_contract_print", object_type="presale_contract",
                     object_id=opened.contract.id, case_number=data.case_number,
                     after={"number": data.contract_number, "version": opened.contract.version,
                            "draft": not data.signed, "void": data.void})
    return pdf
