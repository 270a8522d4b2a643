"""在建工程抵押 (seed 004 §1.1): construction-in-progress mortgages of a building's units to a
loan bank of the developer (§3.1 贷款银行), registered by the authority — set up (设立),
cancelled (注销), and the mortgagee's authorisation of presale signing on the units (签约授权).

A unit under a mortgage in force is drawn 在建抵押 on the sales board and a contract on it is
refused until its signing is authorised (``services.presale.buildings.building_facts`` reads
the mortgages; ``check_sellable`` refuses). The units' rows are locked in the same order as the
contract step locks them, so a mortgage and a contract never both take a unit.

Every step authorises inside its own transaction, is one transaction and appends an audit row.
A developer's staff see their enterprise's mortgages only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.errors import RuleViolation
from core.parties import check_text
from core.presale.developers import BankPurpose
from core.presale.mortgage import (
    NO_LOAN_BANK,
    NOT_LOAN_BANK,
    MortgageUnit,
    check_amount,
    check_loan_bank_choice,
    check_mortgage_contract,
    check_mortgage_id,
    check_under_construction,
    check_units_free,
    chosen_units,
    mortgage_not_found,
)
from core.presale.units import unit_numbers
from core.roles import Actor, Permission, require
from services import audit
from services.authority import authorise
from services.presale.buildings import building_facts, find_building
from services.presale.common import developer_of
from storage.engine import Database, session_now
from storage.models import Building, BuildingUnit, DeveloperBank, Project, WorksMortgage, WorksMortgageUnit

__all__ = [
    "MortgageView",
    "authorise_signing",
    "cancel_mortgage",
    "list_mortgages",
    "loan_banks",
    "set_up_mortgage",
    "show_mortgage",
]


@dataclass(frozen=True)
class MortgageUnitRow:
    unit_no: str
    authorised: bool
    authorised_at: datetime | None


@dataclass(frozen=True)
class MortgageView:
    id: int
    project_name: str
    building_number: str
    developer_name: str
    bank_name: str
    mortgage_contract: str
    amount: Decimal
    status_label: str  # 抵押中 / 已注销
    created_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str | None
    units: list[MortgageUnitRow]

    @property
    def authorised(self) -> int:
        return sum(u.authorised for u in self.units)


def _view(session: Session, m: WorksMortgage) -> MortgageView:
    session.flush()
    building = session.get(Building, m.building_id)
    project = session.get(Project, building.project_id)  # type: ignore[union-attr]
    units = session.execute(select(WorksMortgageUnit).where(WorksMortgageUnit.mortgage_id == m.id)
                            .order_by(WorksMortgageUnit.id)).scalars()
    return MortgageView(m.id, project.name, building.number, developer_of(session, m.developer_id).name,  # type: ignore[arg-type,union-attr]
                        m.bank_name, m.mortgage_contract, m.amount, "已注销" if m.cancelled_at else "抵押中",
                        m.created_at, m.cancelled_at, m.cancel_reason,
                        [MortgageUnitRow(u.unit_no, u.authorised_at is not None, u.authorised_at) for u in units])


def _loan_banks(session: Session, developer_id: int) -> list[DeveloperBank]:
    return list(session.execute(
        select(DeveloperBank).where(DeveloperBank.developer_id == developer_id, DeveloperBank.active.is_(True),
                                    DeveloperBank.purpose == BankPurpose.LOAN.value)
        .order_by(DeveloperBank.id)).scalars())


def loan_banks(db: Database, actor: Actor, project_id: object) -> list[tuple[int, str]]:
    """The loan banks (贷款银行) of the project's developer (its 项目编号 as typed) a mortgage may
    name: (id, name)."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        from services.presale.common import find_project

        project = find_project(session, actor, project_id)
        return [(b.id, b.bank_name + (f" {b.branch}" if b.branch else "")) for b in  # type: ignore[misc]
                _loan_banks(session, project.developer_id)]


def set_up_mortgage(db: Database, actor: Actor, project_id: object, building: str, *, bank_id: object,
                    mortgage_contract: object, amount: object, units: str | Sequence[str] | None = None) -> MortgageView:
    """在建工程抵押设立 on ``units`` of the building (室号 as typed, comma separated, or a list;
    None or blank: all its units) to the loan bank ``bank_id`` (its 编号 as typed; may be left out
    when the enterprise has one only). Refused: no loan bank (the way to add one), a bank not
    among them, a building not under construction, a unit unknown, mortgaged already, sold or a
    property-management room."""
    require(actor, Permission.PERMIT_REVIEW)  # the role first, before any input is looked at
    bank_id = check_loan_bank_choice(bank_id)
    contract = check_mortgage_contract(mortgage_contract)
    value = check_amount(amount)
    units = unit_numbers(units)
    with db.write() as session:
        authorise(session, actor, Permission.PERMIT_REVIEW)
        project, row = find_building(session, actor, project_id, building, lock=True)
        banks = _loan_banks(session, project.developer_id)
        if not banks:
            raise RuleViolation("MORTGAGE_NO_LOAN_BANK", NO_LOAN_BANK, field="bank")
        bank = banks[0] if bank_id is None and len(banks) == 1 else next((b for b in banks if b.id == bank_id), None)
        if bank is None:
            raise RuleViolation("MORTGAGE_BANK_NOT_LOAN", NOT_LOAN_BANK, field="bank")
        facts = building_facts(session, row.id)  # type: ignore[arg-type]
        check_under_construction(facts.survey.kind if facts.survey else None)
        by_no = {u.unit_no: u for u in facts.units}
        picked = chosen_units(list(by_no), units)
        ids = [by_no[n].building_unit_id for n in picked]
        session.execute(select(BuildingUnit.id).where(BuildingUnit.id.in_(ids)).order_by(BuildingUnit.id)
                        .with_for_update()).all()
        # read again under the units' locks: a contract taken a moment ago shows now
        by_no = {u.unit_no: u for u in building_facts(session, row.id).units}  # type: ignore[arg-type]
        check_units_free([MortgageUnit(n, by_no[n].facts.mortgage_bank is not None, by_no[n].facts.contract is not None,
                                       by_no[n].facts.property_room) for n in picked])
        now = session_now(session)
        made = WorksMortgage(developer_id=project.developer_id, building_id=row.id, bank_id=bank.id,  # type: ignore[arg-type]
                             bank_name=bank.bank_name, mortgage_contract=contract, amount=value, created_at=now,
                             created_by=actor.operator_id)
        session.add(made)
        session.flush()
        for n, unit_id in zip(picked, ids, strict=True):
            session.add(WorksMortgageUnit(mortgage_id=made.id, building_unit_id=unit_id, unit_no=n,  # type: ignore[arg-type]
                                          live_unit_id=unit_id))
        try:
            session.flush()
        except IntegrityError:  # another terminal mortgaged one of them a moment ago
            raise RuleViolation("MORTGAGE_UNIT_MORTGAGED", "所选户室已设立在建工程抵押，不能重复抵押。") from None
        audit.append(session, actor, "works_mortgage_set_up", object_type="works_mortgage", object_id=made.id,
                     after={"building": row.id, "bank": bank.bank_name, "mortgage_contract": contract,
                            "amount": str(value), "units": picked})
        return _view(session, made)


def _mortgage(session: Session, actor: Actor, mortgage_id: object, *, lock: bool = False) -> WorksMortgage:
    query = select(WorksMortgage).where(WorksMortgage.id == check_mortgage_id(mortgage_id))
    if lock:
        query = query.with_for_update()
    m = session.execute(query).scalar_one_or_none()
    if m is None or (actor.developer_id is not None and m.developer_id != actor.developer_id):
        raise mortgage_not_found(mortgage_id)
    return m


def _in_force(m: WorksMortgage) -> None:
    if m.cancelled_at is not None:
        raise RuleViolation("MORTGAGE_CANCELLED", "该在建工程抵押已注销。")


def authorise_signing(db: Database, actor: Actor, mortgage_id: object,
                      units: str | Sequence[str] | None = None) -> MortgageView:
    """在建工程抵押签约授权: the mortgagee consents to presale signing on ``units`` of the mortgage
    (室号 as typed, comma separated, or a list; None or blank: all of them not authorised yet).
    Refused: a cancelled mortgage, a unit outside it, a unit authorised already."""
    units = unit_numbers(units)
    with db.write() as session:
        authorise(session, actor, Permission.PERMIT_REVIEW)
        m = _mortgage(session, actor, mortgage_id, lock=True)
        _in_force(m)
        rows = list(session.execute(select(WorksMortgageUnit).where(WorksMortgageUnit.mortgage_id == m.id)
                                    .order_by(WorksMortgageUnit.id)).scalars())
        by_no = {u.unit_no: u for u in rows}
        if units is None:
            picked = [u.unit_no for u in rows if u.authorised_at is None]
            if not picked:
                raise RuleViolation("MORTGAGE_ALL_AUTHORISED", "该抵押的户室均已授权预售签约。")
        else:
            picked = chosen_units(list(by_no), units, scope="该在建工程抵押")
        now = session_now(session)
        for n in picked:
            if by_no[n].authorised_at is not None:
                raise RuleViolation("MORTGAGE_UNIT_AUTHORISED", f"户室{n}已授权预售签约。", field="units")
            by_no[n].authorised_at, by_no[n].authorised_by = now, actor.operator_id
        audit.append(session, actor, "works_mortgage_authorise", object_type="works_mortgage", object_id=m.id,
                     after={"units": picked})
        return _view(session, m)


def cancel_mortgage(db: Database, actor: Actor, mortgage_id: object, *, reason: object) -> MortgageView:
    """在建工程抵押注销: the mortgage ends and its units are free of it (a reason is required)."""
    require(actor, Permission.PERMIT_REVIEW)  # the role first, before any input is looked at
    why = check_text(reason, field="reason", label="注销原因", max_length=200, required=True,
                     empty_code="MORTGAGE_REASON_EMPTY")
    with db.write() as session:
        authorise(session, actor, Permission.PERMIT_REVIEW)
        m = _mortgage(session, actor, mortgage_id, lock=True)
        _in_force(m)
        m.cancelled_at, m.cancelled_by, m.cancel_reason = session_now(session), actor.operator_id, why
        for u in session.execute(select(WorksMortgageUnit).where(WorksMortgageUnit.mortgage_id == m.id)).scalars():
            u.live_unit_id = None
        audit.append(session, actor, "works_mortgage_cancel", object_type="works_mortgage", object_id=m.id,
                     after={"reason": why})
        return _view(session, m)


def show_mortgage(db: Database, actor: Actor, mortgage_id: object) -> MortgageView:
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        return _view(session, _mortgage(session, actor, mortgage_id))


def list_mortgages(db: Database, actor: Actor, project_id: object, building: str) -> list[MortgageView]:
    """The building's mortgages (its project's 项目编号 as typed), in force first, newest first."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        _, row = find_building(session, actor, project_id, building)
        found = session.execute(select(WorksMortgage).where(WorksMortgage.building_id == row.id)
                                .order_by(WorksMortgage.cancelled_at.is_not(None), WorksMortgage.id.desc())).scalars()
        return [_view(session, m) for m in found]
