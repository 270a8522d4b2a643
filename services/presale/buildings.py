"""A building as it stands for sale: its survey in force, its units (``building_unit``) by
number, and each unit's sale facts — the permit in force that covers it, whether it is a
property-management room or was released from the rooms, a permit change open on the
building — read in a few bulk queries (``building_facts``). The sales board, the unit
lookup, the room and permit cases and the contract step (``check_sellable``) all read
them here, so a unit's state is decided in one place (``core.presale.sale``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from core.errors import RuleViolation
from core.presale.board import BoardUnit
from core.presale.sale import PermitKind, UnitSaleFacts, refuse_signing_on_building, refuse_unsellable
from core.presale.surveys import SurveyStatus, check_building_number
from core.roles import Actor
from services.presale.common import find_project
from services.presale.unit_sales import contract_states
from storage.models import (
    Building,
    BuildingUnit,
    Case,
    PermitUnit,
    Project,
    PropertyRoom,
    PropertyRoomDesignation,
    SalePermit,
    Survey,
    SurveyUnit,
    UnitRestriction,
    WorksMortgage,
    WorksMortgageUnit,
)

__all__ = [
    "BuildingFacts",
    "building_facts",
    "check_sellable",
    "find_building",
    "mortgaged_units",
    "restricted_units",
    "survey_in_force",
    "unit_ids",
]

U = SurveyUnit.__table__  # type: ignore[attr-defined]
_CHANGE = "permit_presale_change"


def find_building(session: Session, actor: Actor, project_id: object, number: object, *,
                  lock: bool = False) -> tuple[Project, Building]:
    """The building 栋号 ``number`` of a project the actor may see (``project_id`` as typed or as
    held). Refused: PROJECT_NOT_FOUND, BUILDING_NOT_FOUND."""
    building_no = check_building_number(number)
    project = find_project(session, actor, project_id)
    query = select(Building).where(Building.project_id == project.id, Building.number == building_no)
    if lock:
        query = query.with_for_update()
    building = session.execute(query).scalar_one_or_none()
    if building is None:
        raise RuleViolation("BUILDING_NOT_FOUND", f"项目“{project.name}”没有栋号为“{building_no}”的楼栋。",
                            field="building")
    return project, building


def survey_in_force(session: Session, building_id: int) -> Survey | None:
    return session.execute(select(Survey).where(Survey.current_building_id == building_id)).scalar_one_or_none()


def unit_ids(session: Session, survey_id: int, numbers: Sequence[str]) -> dict[str, int]:
    """The building units of these 室号 in the survey in force. Refused: UNIT_NOT_FOUND."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    found = dict(session.execute(select(U.c.unit_no, U.c.building_unit_id)
                                 .where(U.c.survey_id == survey_id, U.c.unit_no.in_(wanted))).all())
    for n in wanted:
        if n not in found:
            raise RuleViolation("UNIT_NOT_FOUND", f"该栋现行测绘成果没有室号为“{n[:20]}”的户室。", field="units")
    return found


@dataclass(frozen=True)
class BuildingFacts:
    survey: Survey | None
    units: list[BoardUnit]  # the survey in force's units, in file order
    permits: dict[PermitKind, SalePermit]  # in force
    change: tuple[str, SalePermit] | None  # an open presale permit change: (case number, permit)
    rooms: frozenset[int]  # building unit ids of the designation in force


def _archived_designations(session: Session, building_id: int) -> list[tuple[datetime, set[int]]]:
    rows = session.execute(
        select(PropertyRoomDesignation.id, PropertyRoomDesignation.archived_at)
        .where(PropertyRoomDesignation.building_id == building_id,
               PropertyRoomDesignation.status.in_([SurveyStatus.CURRENT.value, SurveyStatus.SUPERSEDED.value]))
        .order_by(PropertyRoomDesignation.archived_at, PropertyRoomDesignation.id)).all()
    if not rows:
        return []
    members: dict[int, set[int]] = {i: set() for i, _ in rows}
    for designation, unit in session.execute(select(PropertyRoom.designation_id, PropertyRoom.building_unit_id)
                                             .where(PropertyRoom.designation_id.in_(list(members)))):
        members[designation].add(unit)
    return [(at, members[i]) for i, at in rows]


def restricted_units(session: Session, unit_ids: Sequence[int]) -> set[int]:
    """The units among these under a seizure or restriction in force (not lifted)."""
    if not unit_ids:
        return set()
    return set(session.execute(select(UnitRestriction.building_unit_id).where(
        UnitRestriction.building_unit_id.in_(list(unit_ids)), UnitRestriction.lifted_at.is_(None))).scalars())


def mortgaged_units(session: Session, unit_ids: Sequence[int]) -> dict[int, tuple[str, bool]]:
    """The units among these under a construction-in-progress mortgage in force: the
    mortgagee's name and whether it authorised the unit's signing."""
    if not unit_ids:
        return {}
    rows = session.execute(select(WorksMortgageUnit.live_unit_id, WorksMortgage.bank_name,
                                  WorksMortgageUnit.authorised_at)
                           .join(WorksMortgage, WorksMortgage.id == WorksMortgageUnit.mortgage_id)
                           .where(WorksMortgageUnit.live_unit_id.in_(list(unit_ids)))).all()
    return {u: (bank, at is not None) for u, bank, at in rows}


def building_facts(session: Session, building_id: int) -> BuildingFacts:
    """Every unit of the building's survey in force with its sale facts (a handful of queries)."""
    survey = survey_in_force(session, building_id)
    permits = {PermitKind(p.kind): p for p in session.execute(
        select(SalePermit).where(SalePermit.building_id == building_id, SalePermit.current_key.is_not(None))).scalars()}
    live = session.execute(select(SalePermit, Case.number).join(Case, Case.id == SalePermit.case_id)
                           .where(SalePermit.live_building_id == building_id)).one_or_none()
    change = (live[1], live[0]) if live is not None and live[0].type_code == _CHANGE else None
    scope_of = [p.id for p in permits.values()] + ([change[1].id] if change else [])
    covered: dict[int, dict[int, None]] = {i: {} for i in scope_of}  # permit id -> its units
    if scope_of:
        for permit_id, unit in session.execute(select(PermitUnit.permit_id, PermitUnit.building_unit_id)
                                               .where(PermitUnit.permit_id.in_(scope_of))):
            covered[permit_id][unit] = None
    history = _archived_designations(session, building_id)
    rooms: set[int] = history[-1][1] if history else set()  # the latest archived is the one in force
    released: dict[int, datetime] = {}
    before: set[int] = set()
    for at, members in history:
        for unit in before - members:
            released[unit] = at
        for unit in members:
            released.pop(unit, None)
        before = members
    units: list[BoardUnit] = []
    if survey is not None:
        rows = session.execute(select(U.c.building_unit_id, U.c.unit_no, U.c.unit, U.c.actual_floor, U.c.built_area,
                                      U.c.layout, U.c.sale_price).where(U.c.survey_id == survey.id)
                               .order_by(U.c.line, U.c.id)).all()
        permit_of = {unit: p for p in permits.values() for unit in covered[p.id]}
        ids = [r.building_unit_id for r in rows]
        contracts = contract_states(session, ids)
        restricted = restricted_units(session, ids)
        mortgaged = mortgaged_units(session, ids)
        change_case = change[0] if change else None
        change_scope = covered[change[1].id] if change else {}
        for r in rows:
            bu = r.building_unit_id
            permit = permit_of.get(bu)
            pending = bu in released and (permit is None or permit.archived_at is None
                                          or permit.archived_at <= released[bu])
            facts = UnitSaleFacts(
                unit_no=r.unit_no, permit_number=permit.permit_number if permit else None,
                permit_kind=PermitKind(permit.kind) if permit else None, property_room=bu in rooms,
                released_pending=pending, change_case=change_case, restricted=bu in restricted,
                contract=contracts.get(bu),
                change_keeps=(bu in change_scope) if change else None,
                mortgage_bank=mortgaged[bu][0] if bu in mortgaged else None,
                mortgage_authorised=bu in mortgaged and mortgaged[bu][1])
            units.append(BoardUnit(bu, r.unit_no, r.unit, r.actual_floor, r.built_area, r.layout, r.sale_price, facts))
    return BuildingFacts(survey, units, permits, change, frozenset(rooms))


def check_sellable(session: Session, building_unit_id: int, *, sale: PermitKind = PermitKind.PRESALE) -> UnitSaleFacts:
    """For the contract step, inside its transaction: lock the unit's row and refuse unless it
    may be sold now by a ``sale`` contract (``core.presale.sale.refuse_unsellable``); returns
    its facts. Refused also when the unit is not one of its building's units in force."""
    unit = session.execute(select(BuildingUnit).where(BuildingUnit.id == building_unit_id)
                           .with_for_update()).scalar_one_or_none()
    if unit is None or unit.state != "registered":
        raise RuleViolation("PERMIT_UNIT_NOT_FOUND", "没有找到有效许可证户室信息。")
    facts = building_facts(session, unit.building_id)
    refuse_signing_on_building(facts.change[0] if facts.change else None)
    found = next((u.facts for u in facts.units if u.building_unit_id == building_unit_id), None)
    if found is None:
        raise RuleViolation("PERMIT_UNIT_NOT_FOUND", "没有找到有效许可证户室信息。")
    refuse_unsellable(found, sale=sale)
    return found
