"""物管用房管理 (seed 004 §5.2): a building's property-management rooms, designated and changed
through K cases, for predicted (期房) and actual (现房) buildings.

The developer accepts the case on a building (选择栋号, 业务受理: a new designation, starting
from the rooms in force for a change), adds and removes rooms among the units of the survey
in force (栋物管用房确定 / 变更), and dispatches it to the authority — with no room only when
another building of the project has rooms. The authority receives it (case engine) and
archives it (意见签署、归档): the designation comes into force and the one it replaces is
superseded. From then on a new room is refused at signing ("物管用房不能销售"); a released
room waits for a permit change (``services.presale.buildings``).

Every step authorises inside its transaction, checks the case's stage and holder, and
appends an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type
from core.errors import RuleViolation
from core.parties import check_text
from core.presale.developers import check_may_work
from core.presale.pricing import unit_order
from core.presale.rooms import check_room_start, check_room_submission, room_type
from core.presale.surveys import SurveyStatus, check_stage
from core.roles import Actor, Permission, require
from services import audit, cases
from services.authority import authorise
from services.presale.buildings import find_building, survey_in_force, unit_ids
from services.presale.case_records import at_stage, open_record
from services.presale.common import developer_of
from storage.engine import Database, session_now
from storage.models import Building, Case, Project, PropertyRoom, PropertyRoomDesignation, SurveyUnit

__all__ = [
    "RoomStarted",
    "RoomView",
    "archive_rooms",
    "cancel_rooms",
    "set_rooms",
    "show_rooms",
    "start_rooms",
    "submit_rooms",
]

R = PropertyRoom.__table__  # type: ignore[attr-defined]
U = SurveyUnit.__table__  # type: ignore[attr-defined]


@dataclass
class _Open:
    designation: PropertyRoomDesignation
    case: Case
    building: Building


def _open(session: Session, actor: Actor, number: object, *, lock: bool = False) -> _Open:
    return _Open(*open_record(
        session, actor, number, PropertyRoomDesignation,
        joined=[(Building, Building.id == PropertyRoomDesignation.building_id)],
        code="ROOM_CASE_NOT_FOUND", missing="没有业务号为“{number}”的物管用房业务。", lock=lock))


def _editing(session: Session, actor: Actor, number: str, what: str) -> _Open:
    return at_stage(session, actor, number, _open, permission=Permission.PERMIT_WORK, stage="entry",
                    what=what, check=check_stage)


def _reviewing(session: Session, actor: Actor, number: str, what: str) -> _Open:
    return at_stage(session, actor, number, _open, permission=Permission.PERMIT_REVIEW, stage="review",
                    what=what, check=check_stage)


def _rooms(session: Session, designation_id: int) -> set[int]:
    return set(session.execute(select(R.c.building_unit_id).where(R.c.designation_id == designation_id)).scalars())


def _numbers(session: Session, building_id: int) -> dict[int, str]:
    """Building unit id → 室号 in the building's survey in force."""
    survey = survey_in_force(session, building_id)
    if survey is None:
        return {}
    return {bu: no for no, bu in session.execute(select(U.c.unit_no, U.c.building_unit_id)
                                                 .where(U.c.survey_id == survey.id))}


def _named(ids: set[int], names: dict[int, str]) -> list[str]:
    return sorted((names.get(i, f"#{i}（已灭失）") for i in ids), key=unit_order)


@dataclass(frozen=True)
class RoomStarted:
    case_number: str
    designation_id: int
    rooms: int  # taken over from the designation in force


def start_rooms(db: Database, actor: Actor, *, type_code: str, project_id: int, building: str) -> RoomStarted:
    """业务受理: a new designation of the building's rooms (a change starts from those in force)."""
    require(actor, Permission.PERMIT_WORK)  # the role first, before any input is looked at
    kind = room_type(type_code)
    with db.write() as session:
        authorise(session, actor, Permission.PERMIT_WORK)
        project, row = find_building(session, actor, project_id, building, lock=True)
        developer = developer_of(session, project.developer_id)
        check_may_work(developer.status, developer.valid, developer.name)
        survey = survey_in_force(session, row.id)  # type: ignore[arg-type]
        held = session.execute(select(PropertyRoomDesignation)
                               .where(PropertyRoomDesignation.current_building_id == row.id)).scalar_one_or_none()
        check_room_start(type_code, survey.kind if survey else None, held.kind if held else None)
        busy = session.execute(select(Case.number).join(PropertyRoomDesignation,
                                                        PropertyRoomDesignation.case_id == Case.id)
                               .where(PropertyRoomDesignation.live_building_id == row.id)).scalar_one_or_none()
        if busy:
            raise RuleViolation("ROOM_BUILDING_BUSY", f"该栋已有正在办理的物管用房业务{busy}，请办结或取消受理后再办理。",
                                field="building")
        case = cases.accept_in(session, actor, type_code, developer_id=developer.id,
                               summary=f"{project.name} {row.number} {kind.name}")
        designation = PropertyRoomDesignation(
            building_id=row.id, case_id=case.id, type_code=type_code, kind=kind.kind.value,  # type: ignore[arg-type]
            base_id=held.id if held else None, status=SurveyStatus.DRAFT.value, live_building_id=row.id,
            created_at=session_now(session), created_by=actor.operator_id)
        session.add(designation)
        session.flush()
        taken = sorted(set(_numbers(session, row.id)) & _rooms(session, held.id)) if held else []  # type: ignore[arg-type]
        if taken:
            session.execute(insert(R), [{"designation_id": designation.id, "building_unit_id": u} for u in taken])
        audit.append(session, actor, "room_accept", object_type="property_room_designation", object_id=designation.id,
                     case_number=case.number, after={"type": type_code, "building": row.number, "rooms": len(taken)})
        return RoomStarted(case.number, designation.id, len(taken))  # type: ignore[arg-type]


def set_rooms(db: Database, actor: Actor, number: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> RoomView:
    """栋物管用房确定 / 变更: add and remove rooms by 室号 of the survey in force."""
    with db.write() as session:
        opened = _editing(session, actor, number, "修改物管用房")
        survey = survey_in_force(session, opened.building.id)  # type: ignore[arg-type]
        if survey is None:
            raise RuleViolation("ROOM_NO_SURVEY", "该栋还没有备案的测绘成果，请先办理测绘成果备案。")
        adding = unit_ids(session, survey.id, add)  # type: ignore[arg-type]
        removing = unit_ids(session, survey.id, remove)  # type: ignore[arg-type]
        if not adding and not removing:
            raise RuleViolation("ROOM_NOTHING", "请填写要添加或移除的物管用房室号。", field="units")
        both = set(adding) & set(removing)
        if both:
            raise RuleViolation("ROOM_ADD_AND_REMOVE", f"户室{sorted(both)[0]}不能同时添加和移除。", field="units")
        d = opened.designation
        have = _rooms(session, d.id)  # type: ignore[arg-type]
        if removing:
            session.execute(delete(R).where(R.c.designation_id == d.id, R.c.building_unit_id.in_(list(removing.values()))))
        new = [u for u in adding.values() if u not in have]
        if new:
            session.execute(insert(R), [{"designation_id": d.id, "building_unit_id": u} for u in new])
        audit.append(session, actor, "room_set", object_type="property_room_designation", object_id=d.id,
                     case_number=opened.case.number, after={"add": sorted(adding), "remove": sorted(removing)})
        return _view(session, opened)


def _others(session: Session, project_id: int, building_id: int) -> list[tuple[str, list[str]]]:
    """该项目其他栋物管用房设定: the other buildings' rooms in force."""
    rows = session.execute(select(Building.id, Building.number, PropertyRoomDesignation.id)
                           .join(PropertyRoomDesignation, PropertyRoomDesignation.current_building_id == Building.id)
                           .where(Building.project_id == project_id, Building.id != building_id)
                           .order_by(Building.number)).all()
    out = []
    for bid, bno, did in rows:
        rooms = _rooms(session, did)
        if rooms:
            out.append((bno, _named(rooms, _numbers(session, bid))))
    return out


def submit_rooms(db: Database, actor: Actor, number: str) -> None:
    """派工 to the authority: rooms named, or another building of the project has some."""
    with db.write() as session:
        opened = _editing(session, actor, number, "派工")
        rooms = _rooms(session, opened.designation.id)  # type: ignore[arg-type]
        others = _others(session, opened.building.project_id, opened.building.id)  # type: ignore[arg-type]
        check_room_submission(sorted(map(str, rooms)), [b for b, _ in others])
        cases.dispatch_in(session, actor, opened.case.number)


def cancel_rooms(db: Database, actor: Actor, number: str, *, reason: str) -> None:
    """取消受理 before dispatch: the designation is void."""
    with db.write() as session:
        opened = _editing(session, actor, number, "取消受理")
        cases.cancel_in(session, actor, opened.case.number, reason=reason)
        opened.designation.status = SurveyStatus.VOID.value
        opened.designation.live_building_id = None
        audit.append(session, actor, "room_void", object_type="property_room_designation",
                     object_id=opened.designation.id, case_number=opened.case.number, after={"status": "void"})


@dataclass(frozen=True)
class RoomArchived:
    case_number: str
    rooms: list[str]
    added: list[str]  # rooms the designation in force did not have (refused at signing from now)
    released: list[str]  # rooms it no longer has (sellable after a permit change is archived)


def archive_rooms(db: Database, actor: Actor, number: str, *, note: str | None = None) -> RoomArchived:
    """意见签署、归档: the designation comes into force; the one it replaces is superseded."""
    opinion = check_text(note, field="note", label="审核意见", max_length=200)
    with db.write() as session:
        opened = _reviewing(session, actor, number, "归档")
        d = opened.designation
        names = _numbers(session, opened.building.id)  # type: ignore[arg-type]
        rooms = _rooms(session, d.id)  # type: ignore[arg-type]
        before: set[int] = set()
        if d.base_id is not None:
            base = session.get(PropertyRoomDesignation, d.base_id)
            before = _rooms(session, base.id)  # type: ignore[union-attr, arg-type]
            if base.current_building_id is not None:  # type: ignore[union-attr]
                base.status = SurveyStatus.SUPERSEDED.value  # type: ignore[union-attr]
                base.current_building_id = None  # type: ignore[union-attr]
                session.flush()
        now = session_now(session)
        d.status = SurveyStatus.CURRENT.value
        d.live_building_id = None
        d.current_building_id = d.building_id
        d.archived_at, d.archived_by, d.review_note = now, actor.operator_id, opinion
        cases.archive_in(session, actor, opened.case.number)
        done = RoomArchived(opened.case.number, _named(rooms, names), _named(rooms - before, names),
                            _named(before - rooms, names))
        audit.append(session, actor, "room_archive", object_type="property_room_designation", object_id=d.id,
                     case_number=opened.case.number,
                     after={"rooms": done.rooms, "added": done.added, "released": done.released, "note": opinion})
        return done


@dataclass(frozen=True)
class RoomView:
    case_number: str
    type_name: str
    stage: str
    stage_name: str
    case_status_label: str
    status: str
    project_id: int
    project_name: str
    building_number: str
    rooms: list[str]
    before: list[str] | None  # the designation it changes
    others: list[tuple[str, list[str]]]  # 该项目其他栋物管用房设定
    archived_at: datetime | None
    review_note: str | None


def _view(session: Session, opened: _Open) -> RoomView:
    d, case, building = opened.designation, opened.case, opened.building
    names = _numbers(session, building.id)  # type: ignore[arg-type]
    kind = case_type(case.type_code)
    project = session.get(Project, building.project_id)
    before = _named(_rooms(session, d.base_id), names) if d.base_id else None
    return RoomView(case.number, kind.name, case.stage, kind.stages[kind.stage_index(case.stage)].name,
                    CASE_STATUS_LABELS[CaseStatus(case.status)], d.status, project.id, project.name,  # type: ignore[union-attr, arg-type]
                    building.number, _named(_rooms(session, d.id), names), before,  # type: ignore[arg-type]
                    _others(session, building.project_id, building.id), d.archived_at, d.review_note)  # type: ignore[arg-type]


def show_rooms(db: Database, actor: Actor, number: str) -> RoomView:
    """A room case: its rooms (and before a change, those it changes) and the project's other buildings' rooms."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        return _view(session, _open(session, actor, number))
