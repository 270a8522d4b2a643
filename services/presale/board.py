"""楼盘表: a building's sales board (floors × units, each unit's sale state, totals per state)
and the lookup of one unit (its state, and the reminders a presale lookup must show: a unit
a permit change takes out, a room released and not yet permitted, §5.4.2)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import RuleViolation
from core.presale.board import Board, sales_board
from core.presale.room_numbers import unit_not_found
from core.presale.sale import PERMIT_KIND_LABELS, SALE_STATE_LABELS, PermitKind, notices, refuse_unsellable, sale_state
from core.presale.surveys import KIND_LABELS, SurveyKind
from core.roles import Actor, Permission
from services.authority import authorise
from services.presale.buildings import building_facts, find_building
from services.presale.common import developer_of
from services.presale.unit_sales import PastContract, unit_history
from storage.engine import Database

__all__ = ["BoardView", "UnitLookup", "board", "unit_lookup"]


@dataclass(frozen=True)
class BoardView:
    developer_name: str
    project_id: int
    project_name: str
    building_number: str
    survey_number: str | None
    survey_kind_label: str | None
    permits: list[tuple[str, str]]  # (预售许可证 / 现售许可证, number) in force
    change_case: str | None  # an open presale permit change (signing waits)
    board: Board


def board(db: Database, actor: Actor, project_id: int | str, building: str) -> BoardView:
    """The building's sales board as it stands now."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        project, row = find_building(session, actor, project_id, building)
        facts = building_facts(session, row.id)  # type: ignore[arg-type]
        survey = facts.survey
        return BoardView(
            developer_of(session, project.developer_id).name, project.id, project.name, row.number,  # type: ignore[arg-type]
            survey.survey_number if survey else None, KIND_LABELS[SurveyKind(survey.kind)] if survey else None,
            [(PERMIT_KIND_LABELS[k], p.permit_number) for k, p in sorted(facts.permits.items())],  # type: ignore[misc]
            facts.change[0] if facts.change else None, sales_board(facts.units))


@dataclass(frozen=True)
class UnitLookup:
    unit_no: str
    state: str
    state_label: str
    permit_number: str | None
    notices: list[str]
    presale_refusal: str | None  # why a presale contract on it would be refused now (None: it may be signed)
    spot_refusal: str | None
    history: list[PastContract]  # every contract the unit has had, newest first (已退房 ones too)


def _refusal(check) -> str | None:  # type: ignore[no-untyped-def]
    try:
        check()
    except RuleViolation as exc:
        return exc.message
    return None


def unit_lookup(db: Database, actor: Actor, project_id: int, building: str, unit_no: str) -> UnitLookup:
    """预售签约查询: one unit's state, its reminders and what a contract on it would be told."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        _, row = find_building(session, actor, project_id, building)
        facts = building_facts(session, row.id)  # type: ignore[arg-type]
        wanted = (unit_no or "").strip()
        unit = next((u for u in facts.units if u.unit_no == wanted), None)
        if unit is None:
            raise unit_not_found(unit_no, [u.unit_no for u in facts.units],
                                 prefixes={row.number, *(u.unit for u in facts.units if u.unit)})
        f = unit.facts
        state = sale_state(f)
        return UnitLookup(unit.unit_no, state.value, SALE_STATE_LABELS[state], f.permit_number, notices(f),
                          _refusal(lambda: refuse_unsellable(f, sale=PermitKind.PRESALE)),
                          _refusal(lambda: refuse_unsellable(f, sale=PermitKind.SPOT)),
                          unit_history(session, unit.building_unit_id))
