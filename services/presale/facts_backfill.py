"""户室信息补录 (seed 004 §5.11): the developer chooses a building (its survey in force) and
completes the missing facts — 项目信息, 栋信息, and all its units at once — the required ones
marked *, then dispatches the X case to the authority, which archives it (the facts are then
written to the project, the survey in force and its units) or returns it (退件).

The values wait on the case (``facts_backfill``) until the archive, so what the authority
reads is exactly what will be written, and nothing recorded is ever overwritten
(``core.presale.facts_backfill``). Every step authorises inside its own transaction, is one
transaction and appends an audit row. A developer's staff see their enterprise's cases only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type, require_holder
from core.errors import RuleViolation
from core.presale.developers import check_may_work
from core.presale.facts_backfill import (
    BUILDING_FIELDS,
    BUILDING_REQUIRED,
    PROJECT_FIELDS,
    PROJECT_REQUIRED,
    UNIT_REQUIRED,
    check_building_values,
    check_complete,
    check_project_values,
    check_unit_values,
    fill_blanks,
    missing,
)
from core.presale.funds import check_opinion
from core.presale.units import FIELD_LABELS, UnitFacts, show_value
from core.roles import Actor, Permission, Role, require
from services import audit, cases
from services.authority import authorise
from services.presale.buildings import find_building, survey_in_force
from services.presale.case_records import open_record
from services.presale.common import developer_of
from services.presale.surveys import survey_units
from storage.engine import Database, session_now
from storage.models import Building, Case, FactsBackfill, Project, Survey, SurveyUnit

__all__ = [
    "FactsView",
    "review_facts",
    "save_building",
    "save_project",
    "save_units",
    "show_facts",
    "start_facts",
    "submit_facts",
]

TYPE = "facts_backfill"
NOT_FOUND = "没有业务号为“{number}”的户室信息补录业务。"


@dataclass
class _Open:
    record: FactsBackfill
    case: Case


def _open(session: Session, actor: Actor, number: object, *, lock: bool = False) -> _Open:
    return _Open(*open_record(session, actor, number, FactsBackfill, code="BACKFILL_CASE_NOT_FOUND",
                              missing=NOT_FOUND, lock=lock,
                              sees=lambda row: actor.developer_id is None or row[0].developer_id == actor.developer_id))


def _values(text: str) -> dict[str, object]:
    return json.loads(text or "{}")


def _dump(values: Mapping[str, object]) -> str:
    return json.dumps({k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()},
                      ensure_ascii=False, sort_keys=True)


def _read(key: str, raw: object) -> object:
    """A stored value as its field keeps it (Decimals were stored as text)."""
    if key in ("land_area", "floor_area", "height", "floor_height", "sale_price", "decoration_price", "rough_price"):
        return Decimal(str(raw)) if raw is not None else None
    return raw


@dataclass
class _State:
    project: Project
    survey: Survey
    units: list[UnitFacts]
    project_now: dict[str, object]  # as recorded
    building_now: dict[str, object]
    project_new: dict[str, object]  # what the back-entry adds
    building_new: dict[str, object]
    unit_new: dict[str, object]

    def merged(self) -> tuple[dict[str, object], dict[str, object], list[UnitFacts]]:
        units = [u.with_values({k: _read(k, v) for k, v in self.unit_new.items() if u.value(k) is None})
                 for u in self.units]
        return ({**self.project_now, **{k: _read(k, v) for k, v in self.project_new.items()}},
                {**self.building_now, **{k: _read(k, v) for k, v in self.building_new.items()}}, units)


def _state(session: Session, opened: _Open) -> _State:
    r = opened.record
    project = session.get(Project, r.project_id)
    survey = survey_in_force(session, r.building_id)
    if survey is None or project is None:
        raise RuleViolation("BACKFILL_NO_SURVEY", "该栋还没有备案的测绘成果，不能办理户室信息补录。")
    return _State(project, survey, survey_units(session, survey.id),  # type: ignore[arg-type]
                  {k: getattr(project, k) for k in PROJECT_FIELDS}, {k: getattr(survey, k) for k in BUILDING_FIELDS},
                  _values(r.project_values), _values(r.building_values), _values(r.unit_values))


@dataclass(frozen=True)
class FactLine:
    key: str
    label: str  # with * when required
    recorded: str
    entered: str  # what the back-entry adds ("" none)


@dataclass(frozen=True)
class FactsView:
    case_number: str
    stage_name: str
    case_status_label: str
    holder: str | None
    project_name: str
    building_number: str
    survey_number: str
    project: list[FactLine]
    building: list[FactLine]
    units: list[FactLine]  # the bulk values entered for all units, and how many lack each
    unit_count: int
    missing: list[str]  # required (*) fields still missing, in words


def _lines(fields: Mapping[str, str], required: tuple[str, ...], now: Mapping[str, object],
           new: Mapping[str, object]) -> list[FactLine]:
    return [FactLine(k, f"{label}*" if k in required else label, "" if now.get(k) is None else str(now[k]),
                     "" if new.get(k) is None else str(new[k])) for k, label in fields.items()]


def _view(session: Session, opened: _Open) -> FactsView:
    s = _state(session, opened)
    case = opened.case
    kind = case_type(case.type_code)
    building = session.get(Building, opened.record.building_id)
    from storage.models import Operator

    holder = session.get(Operator, case.holder_id).name if case.holder_id else None  # type: ignore[union-attr]
    project, building_facts, units = s.merged()
    unit_lines = []
    for key in dict.fromkeys((*UNIT_REQUIRED, *s.unit_new)):
        lacking = sum(u.value(key) is None for u in s.units)
        label = FIELD_LABELS[key] + ("*" if key in UNIT_REQUIRED else "")
        unit_lines.append(FactLine(key, label, f"{len(s.units) - lacking}/{len(s.units)} 户已有",
                                   show_value(key, _read(key, s.unit_new[key])) if key in s.unit_new else ""))
    return FactsView(case.number, kind.stages[kind.stage_index(case.stage)].name,
                     CASE_STATUS_LABELS[CaseStatus(case.status)], holder, s.project.name, building.number,  # type: ignore[union-attr]
                     s.survey.survey_number,
                     _lines(PROJECT_FIELDS, PROJECT_REQUIRED, s.project_now, s.project_new),
                     _lines(BUILDING_FIELDS, BUILDING_REQUIRED, s.building_now, s.building_new),
                     unit_lines, len(s.units), missing(project, building_facts, units))


def start_facts(db: Database, actor: Actor, project_id: object, building: str) -> FactsView:
    """业务受理 of 户室信息补录 on the building (its survey in force; the project's 项目编号 as
    typed), one at a time per building."""
    with db.write() as session:
        authorise(session, actor, Permission.SURVEY_WORK)
        project, row = find_building(session, actor, project_id, building, lock=True)
        developer = developer_of(session, project.developer_id)
        check_may_work(developer.status, developer.valid, developer.name)
        if survey_in_force(session, row.id) is None:  # type: ignore[arg-type]
            raise RuleViolation("BACKFILL_NO_SURVEY", "该栋还没有备案的测绘成果，不能办理户室信息补录。", field="building")
        case = cases.accept_in(session, actor, TYPE, developer_id=developer.id,
                               summary=f"{project.name} {row.number} 户室信息补录")
        made = FactsBackfill(case_id=case.id, developer_id=developer.id, project_id=project.id,  # type: ignore[arg-type]
                             building_id=row.id, live_building_id=row.id, created_at=session_now(session),  # type: ignore[arg-type]
                             created_by=actor.operator_id)
        session.add(made)
        try:
            session.flush()
        except IntegrityError:
            raise RuleViolation("BACKFILL_BUILDING_BUSY", "该栋已有正在办理的户室信息补录业务，请办结后再发起。",
                                field="building") from None
        audit.append(session, actor, "facts_backfill_start", object_type="facts_backfill", object_id=made.id,
                     case_number=case.number, after={"building": row.id, "project": project.id})
        return _view(session, _Open(made, case))


def _at(case: Case, stage: str, what: str) -> None:
    """The case is active at ``stage``. Refused: BACKFILL_WRONG_STAGE."""
    if case.status != CaseStatus.ACTIVE.value or case.stage != stage:
        kind = case_type(case.type_code)
        raise RuleViolation("BACKFILL_WRONG_STAGE",
                            f"该业务正处于“{kind.stages[kind.stage_index(case.stage)].name}”阶段"
                            f"（{CASE_STATUS_LABELS[CaseStatus(case.status)]}），不能{what}。")


def _editing(session: Session, actor: Actor, number: object, what: str) -> _Open:
    authorise(session, actor, Permission.SURVEY_WORK)
    opened = _open(session, actor, number, lock=True)
    _at(opened.case, "entry", what)
    require_holder(cases.state_of(opened.case), actor)
    return opened


def _save_part(db: Database, actor: Actor, number: str, given: dict[str, object], *, part: str, scope: str,
               labels: Mapping[str, str], what: str) -> FactsView:
    """Keep ``given`` for the project's or the building's (``part``) empty fields."""
    with db.write() as session:
        opened = _editing(session, actor, number, what)
        s = _state(session, opened)
        now, new = (s.project_now, s.project_new) if part == "project" else (s.building_now, s.building_new)
        added = fill_blanks(now, given, scope=scope, labels=labels)
        setattr(opened.record, f"{part}_values", _dump({**new, **added}))
        audit.append(session, actor, f"facts_backfill_{part}", object_type="facts_backfill",
                     object_id=opened.record.id, case_number=opened.case.number, after=_values(_dump(added)))
        return _view(session, opened)


def save_project(db: Database, actor: Actor, number: str, **values: object) -> FactsView:
    """项目信息补录: the project's missing facts (用地面积*, 规划总建筑面积*, 物业公司*)."""
    require(actor, Permission.SURVEY_WORK)  # the role first, before any input is looked at
    return _save_part(db, actor, number, check_project_values(values), part="project", scope="项目",
                      labels=PROJECT_FIELDS, what="补录项目信息")


def save_building(db: Database, actor: Actor, number: str, **values: object) -> FactsView:
    """栋信息补录: the building's missing facts (建筑结构*, 地上层数*, 地下层数, 建筑高度, 规划用途*)."""
    require(actor, Permission.SURVEY_WORK)  # the role first, before any input is looked at
    return _save_part(db, actor, number, check_building_values(values), part="building", scope="该栋",
                      labels=BUILDING_FIELDS, what="补录栋信息")


def save_units(db: Database, actor: Actor, number: str, values: Mapping[str, object]) -> FactsView:
    """户室信息补录 of all the building's units at once (全选户室): each value goes to every unit
    whose field is empty. Refused: a field no unit lacks (BACKFILL_FIELD_SET)."""
    require(actor, Permission.SURVEY_WORK)  # the role first, before any input is looked at
    given = check_unit_values(values)
    with db.write() as session:
        opened = _editing(session, actor, number, "补录户室信息")
        s = _state(session, opened)
        for key in given:
            if all(u.value(key) is not None for u in s.units):
                raise RuleViolation("BACKFILL_FIELD_SET",
                                    f"该栋所有户室的“{FIELD_LABELS[key]}”都已有信息，户室信息补录只补录缺失的信息。",
                                    field=key)
        opened.record.unit_values = _dump({**s.unit_new, **given})
        audit.append(session, actor, "facts_backfill_units", object_type="facts_backfill",
                     object_id=opened.record.id, case_number=opened.case.number,
                     after={"values": _values(_dump(given)), "units": len(s.units)})
        return _view(session, opened)


def submit_facts(db: Database, actor: Actor, number: str) -> FactsView:
    """派件 to the authority, once every required (*) field holds a value."""
    with db.write() as session:
        opened = _editing(session, actor, number, "派工")
        check_complete(*_state(session, opened).merged())
        cases.dispatch_in(session, actor, opened.case.number, role=Role.SUPERVISOR)
        return _view(session, opened)


def review_facts(db: Database, actor: Actor, number: str, *, approve: bool, opinion: object = None) -> str:
    """主管部门审核: approved, the facts are written (only into empty fields) and the case
    archived; not approved (an opinion required), the case returns to the developer (退件)."""
    require(actor, Permission.SURVEY_REVIEW)  # the role first, before any input is looked at
    note = check_opinion(opinion, required=not approve)
    with db.write() as session:
        authorise(session, actor, Permission.SURVEY_REVIEW)
        opened = _open(session, actor, number, lock=True)
        case = opened.case
        _at(case, "review", "审核")
        if case.holder_id is None:
            cases.receive_in(session, actor, case.number)
        if not approve:
            cases.return_in(session, actor, case.number, to_stage="entry", reason=note or "")
            audit.append(session, actor, "facts_backfill_return", object_type="facts_backfill",
                         object_id=opened.record.id, case_number=case.number, after={"opinion": note})
            return "审核不通过，已退回开发企业补正。"
        s = _state(session, opened)
        project, building, units = s.merged()
        check_complete(project, building, units)
        for key, value in s.project_new.items():
            if getattr(s.project, key) is None:
                setattr(s.project, key, _read(key, value))
        for key, value in s.building_new.items():
            if getattr(s.survey, key) is None:
                setattr(s.survey, key, _read(key, value))
        written = 0
        for key, value in s.unit_new.items():
            column = getattr(SurveyUnit, key)
            written += session.execute(update(SurveyUnit).where(SurveyUnit.survey_id == s.survey.id, column.is_(None))
                                       .values({key: _read(key, value)})).rowcount or 0
        record = opened.record
        record.status, record.live_building_id, record.archived_at = "archived", None, session_now(session)
        cases.archive_in(session, actor, case.number)
        audit.append(session, actor, "facts_backfill_archive", object_type="facts_backfill", object_id=record.id,
                     case_number=case.number,
                     after={"opinion": note, "project": s.project_new, "building": s.building_new,
                            "units": s.unit_new, "unit_fields_written": written})
        return "审核通过，补录的信息已写入，业务已归档。"


def show_facts(db: Database, actor: Actor, number: str) -> FactsView:
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        return _view(session, _open(session, actor, number))
