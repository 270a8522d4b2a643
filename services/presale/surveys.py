"""测绘成果备案 (seed 004 §5.1): a building's survey results, worked through their C cases.

The developer (开发企业操作员) imports a survey file for a building of a project (文件导入):
the case is accepted (受理) and the survey with its units written in one transaction —
or, when the file has any bad row, nothing at all (``SurveyFileInvalid`` lists every row).
While the case stands at its first stage (测绘信息编辑) in the developer's hands, the
developer completes the building (当前栋信息) and the units: fields the file gave are fixed,
empty ones are completed one by one or in batch, prices set by floor (快捷设置价格) and
checked on the grid (价格面积核对); a change or a conversion first takes what the old survey
had (从原测绘同步). Then it is dispatched to the authority (派工给主管部门), which maps the
old units to the new ones where the survey replaces another (户室关系对照), confirms the
mapping and archives the survey (归档): it becomes the building's survey in force, and the
building's units (``building_unit``) follow the mapping. The authority may return the case
(退件, through the case engine) and the developer may cancel it before dispatch (取消受理).

Every step authorises inside its own transaction, checks the case's stage and holder, is
one transaction and appends an audit row. The units are read and written in bulk (one
statement for a batch setting, one executemany for prices, one insert for an import).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type
from core.errors import RuleViolation
from core.parties import RowError, check_text
from core.presale.developers import check_may_work
from core.presale.mapping import MappingSummary, default_links, summarise
from core.presale.pricing import Grid, PriceRule, price_grid, quick_prices
from core.presale.survey_file import parse_survey_csv
from core.presale.surveys import (
    KIND_LABELS,
    STATUS_LABELS,
    BuildingInfo,
    SurveyKind,
    SurveyStatus,
    UnitState,
    check_building_info,
    check_building_number,
    check_stage,
    check_start,
    check_submission,
    check_survey_number,
    survey_type,
)
from core.presale.units import (
    BATCH_FIELDS,
    FIELD_LABELS,
    FIELDS,
    Selection,
    UnitFacts,
    changed_fields,
    check_batch,
    parse_batch_values,
    select_units,
    show_value,
)
from core.roles import Actor, Permission, require
from services import audit, cases
from services.authority import authorise
from services.presale.case_records import at_stage, open_record
from services.presale.common import developer_of, find_project
from storage.engine import Database, session_now
from storage.models import Building, BuildingUnit, Case, Operator, Project, Survey, SurveyMapping, SurveyUnit

__all__ = [
    "ArchiveDone",
    "Changes",
    "MappingView",
    "SurveyFileInvalid",
    "SurveyRow",
    "SurveyStarted",
    "SurveyView",
    "archive_survey",
    "batch_set",
    "cancel_survey",
    "confirm_mapping",
    "grid",
    "link_units",
    "list_surveys",
    "mapping_view",
    "quick_price",
    "return_survey",
    "set_building_info",
    "show_survey",
    "start_survey",
    "submit_survey",
    "survey_changes",
    "sync_from_base",
    "unlink_units",
]

U = SurveyUnit.__table__  # type: ignore[attr-defined]
_UNIT_KEYS = tuple(f.key for f in FIELDS)
_CHUNK = 5000  # ids per IN list (well inside either database's limit of bound values)
SHOWN_ERRORS = 3
_BUILDING_KEYS = ("structure", "floors_above", "floors_below", "height", "building_use")
_BUILDING_LABELS = {"structure": "建筑结构", "floors_above": "地上层数", "floors_below": "地下层数", "height": "建筑高度",
                    "building_use": "规划用途"}


class SurveyFileInvalid(RuleViolation):
    """A survey file with bad rows: nothing was written. ``errors`` holds every bad cell."""

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        first = "；".join(e.text() for e in errors[:SHOWN_ERRORS])
        more = f"；另有 {len(errors) - SHOWN_ERRORS} 处错误" if len(errors) > SHOWN_ERRORS else ""
        super().__init__("SURVEY_FILE_INVALID", f"测绘成果文件有 {rows} 行错误，未导入任何数据：{first}{more}。",
                         field="file")
        self.errors = errors


# --------------------------------------------------------------------------
# Reading and writing units in bulk
# --------------------------------------------------------------------------


def _unit_row(survey_id: int, unit: UnitFacts) -> dict[str, object]:
    return {"survey_id": survey_id, "line": unit.line, "fixed": ",".join(k for k in _UNIT_KEYS if k in unit.fixed),
            "building_unit_id": None, **{key: unit.value(key) for key in _UNIT_KEYS}}


def _facts(row: Mapping[str, object]) -> UnitFacts:
    fixed = row["fixed"]
    return UnitFacts(id=row["id"], line=row["line"],  # type: ignore[arg-type]
                     fixed=frozenset(fixed.split(",")) if fixed else frozenset(),  # type: ignore[union-attr]
                     **{key: row[key] for key in _UNIT_KEYS})


def _units(session: Session, survey_id: int) -> list[UnitFacts]:
    rows = session.execute(select(U).where(U.c.survey_id == survey_id).order_by(U.c.line, U.c.id)).mappings()
    return [_facts(r) for r in rows]


#: A survey's units as the rules see them (the facts back-entry reads the survey in force).
survey_units = _units


def _chunks(ids: Sequence[int]):  # type: ignore[no-untyped-def]
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _insert(session: Session, table, rows: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    """Insert ``rows`` in one executemany. Without RETURNING: psycopg then pipelines one
    prepared single-row statement (0.1 s for 1,000 units) where a RETURNING insert is sent as
    a few huge statements whose placeholders psycopg converts uncached (0.4-0.6 s)."""
    if rows:
        session.execute(insert(table), rows)


# --------------------------------------------------------------------------
# Finding a survey by its case
# --------------------------------------------------------------------------


@dataclass
class _Open:
    survey: Survey
    case: Case


def _open(session: Session, actor: Actor, number: object, *, lock: bool = False) -> _Open:
    return _Open(*open_record(session, actor, number, Survey, code="SURVEY_CASE_NOT_FOUND",
                              missing="没有业务号为“{number}”的测绘成果备案业务。", lock=lock))


def _editing(session: Session, actor: Actor, number: str, what: str) -> _Open:
    """The survey of a case at its first stage in the actor's hands (the developer's edits)."""
    return at_stage(session, actor, number, _open, permission=Permission.SURVEY_WORK, stage="entry",
                    what=what, check=check_stage)


def _reviewing(session: Session, actor: Actor, number: str, what: str) -> _Open:
    """The survey of a case at review in the actor's hands (the authority's steps)."""
    return at_stage(session, actor, number, _open, permission=Permission.SURVEY_REVIEW, stage="review",
                    what=what, check=check_stage)


def _info(survey: Survey) -> BuildingInfo:
    return BuildingInfo(**{key: getattr(survey, key) for key in _BUILDING_KEYS})


# --------------------------------------------------------------------------
# Import (受理)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyStarted:
    case_number: str
    survey_id: int
    building_id: int
    units: int
    linked: int  # units of the base survey matched by number (a change or a conversion)


def start_survey(db: Database, actor: Actor, *, type_code: str, project_id: int | str, building: str,
                 survey_number: str, text: str) -> SurveyStarted:
    """受理 a survey case with its file: the building (made on its first survey), the survey, its
    units, and — for a change or a conversion — the mapping proposed by unit number."""
    require(actor, Permission.SURVEY_WORK)  # the role first, before any input is looked at
    kind = survey_type(type_code)
    number = check_survey_number(survey_number)
    building_no = check_building_number(building)
    lines, errors = parse_survey_csv(text)
    if errors:
        raise SurveyFileInvalid(errors)
    with db.write() as session:
        authorise(session, actor, Permission.SURVEY_WORK)
        project = find_project(session, actor, project_id, lock=True)  # one building made once
        developer = developer_of(session, project.developer_id)
        check_may_work(developer.status, developer.valid, developer.name)
        row = session.execute(select(Building).where(Building.project_id == project.id,
                                                     Building.number == building_no).with_for_update()).scalar_one_or_none()
        base = None
        if row is not None:
            base = session.execute(select(Survey).where(Survey.current_building_id == row.id)).scalar_one_or_none()
        check_start(type_code, base.kind if base else None)
        if row is not None:
            busy = session.execute(select(Case.number).join(Survey, Survey.case_id == Case.id)
                                   .where(Survey.live_building_id == row.id)).scalar_one_or_none()
            if busy:
                raise RuleViolation("SURVEY_BUILDING_BUSY",
                                    f"该栋已有正在办理的测绘业务{busy}，请办结或取消受理后再办理。", field="building")
        used = session.execute(select(Survey.id).where(Survey.survey_number == number,
                                                       Survey.status != SurveyStatus.VOID.value)).first()
        if used:
            raise RuleViolation("SURVEY_NUMBER_USED", f"测绘宗号{number}已经导入过，请核对测绘宗号。",
                                field="survey_number")
        now = session_now(session)
        if row is None:
            row = Building(project_id=project.id, number=building_no, created_at=now)  # type: ignore[arg-type]
            session.add(row)
            session.flush()
        case = cases.accept_in(session, actor, type_code, developer_id=developer.id,
                               summary=f"{project.name} {building_no} {kind.name} {number}")
        survey = Survey(building_id=row.id, case_id=case.id, type_code=type_code, kind=kind.kind.value,  # type: ignore[arg-type]
                        survey_number=number, base_survey_id=base.id if base else None,
                        status=SurveyStatus.DRAFT.value, live_building_id=row.id, created_at=now,
                        created_by=actor.operator_id)
        session.add(survey)
        session.flush()
        _insert(session, U, [_unit_row(survey.id, line) for line in lines])  # type: ignore[arg-type]
        linked = 0
        if base is not None:
            old = dict(session.execute(select(U.c.unit_no, U.c.id).where(U.c.survey_id == base.id)).all())
            new = dict(session.execute(select(U.c.unit_no, U.c.id).where(U.c.survey_id == survey.id)).all())
            links = default_links(list(old), list(new))
            if links:
                session.execute(insert(SurveyMapping.__table__),  # type: ignore[attr-defined]
                                [{"survey_id": survey.id, "old_unit_id": old[o], "new_unit_id": new[n]} for o, n in links])
            linked = len(links)
        audit.append(session, actor, "survey_import", object_type="survey", object_id=survey.id,
                     case_number=case.number,
                     after={"type": type_code, "survey_number": number, "project": project.id, "building": building_no,
                            "units": len(lines), "linked": linked})
        return SurveyStarted(case.number, survey.id, row.id, len(lines), linked)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# The developer's edits (测绘信息编辑)
# --------------------------------------------------------------------------


def set_building_info(db: Database, actor: Actor, number: str, **values: object) -> BuildingInfo:
    """完善当前栋信息: structure, floors above and below ground, height, planned use (None: as it is;
    a blank value empties it)."""
    require(actor, Permission.SURVEY_WORK)  # the role first, before any input is looked at
    unknown = set(values) - set(_BUILDING_KEYS)
    if unknown:
        raise TypeError(f"not a building fact: {sorted(unknown)}")
    given = {k: v for k, v in values.items() if v is not None}
    info = check_building_info(**given)
    with db.write() as session:
        opened = _editing(session, actor, number, "修改栋信息")
        survey = opened.survey
        if not given:
            raise RuleViolation("BUILDING_NOTHING_CHANGED", "没有填写要修改的栋信息。")
        before = {k: _plain(getattr(survey, k)) for k in given}
        for key in given:
            setattr(survey, key, getattr(info, key))
        audit.append(session, actor, "survey_building_info", object_type="survey", object_id=survey.id,
                     case_number=opened.case.number, before=before, after={k: _plain(getattr(info, k)) for k in given})
        return _info(survey)


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, (str, bool, int)) else str(value)


@dataclass(frozen=True)
class BatchDone:
    units: int
    selection: str  # in words


def batch_set(db: Database, actor: Actor, number: str, selection: Selection, values: Mapping[str, object]) -> BatchDone:
    """批量设置 (also one unit's correction on the price check, 价格核对): the selected units'
    fields set to ``values`` — refused whole when any selected unit has one of them from the survey."""
    require(actor, Permission.SURVEY_WORK)  # the role first, before any input is looked at
    parsed = parse_batch_values(values)
    with db.write() as session:
        opened = _editing(session, actor, number, "批量设置")
        chosen = select_units(_units(session, opened.survey.id), selection)  # type: ignore[arg-type]
        check_batch(chosen, parsed)
        ids = [u.id for u in chosen]
        for part in _chunks(ids):  # type: ignore[arg-type]
            session.execute(update(U).where(U.c.id.in_(part)).values(**parsed))
        audit.append(session, actor, "survey_batch_set", object_type="survey", object_id=opened.survey.id,
                     case_number=opened.case.number,
                     after={"selection": selection.describe(), "units": len(ids),
                            "values": {FIELD_LABELS[k]: show_value(k, v) for k, v in parsed.items()}})
        return BatchDone(len(ids), selection.describe())


def quick_price(db: Database, actor: Actor, number: str, rule: PriceRule) -> BatchDone:
    """快捷设置价格: one price type of the units of a layout, by floor from a base floor."""
    with db.write() as session:
        opened = _editing(session, actor, number, "设置价格")
        prices = quick_prices(_units(session, opened.survey.id), rule)  # type: ignore[arg-type]
        stmt = update(U).where(U.c.id == bindparam("unit_id")).values({rule.field: bindparam("price")})
        session.execute(stmt, [{"unit_id": i, "price": p} for i, p in prices.items()])
        audit.append(session, actor, "survey_quick_price", object_type="survey", object_id=opened.survey.id,
                     case_number=opened.case.number, after={"rule": rule.describe(), "units": len(prices)})
        return BatchDone(len(prices), rule.describe())


@dataclass(frozen=True)
class SyncDone:
    units: int  # units that took something from the base survey
    values: int  # fields filled


def sync_from_base(db: Database, actor: Actor, number: str) -> SyncDone:
    """从原测绘同步: each unit matched one to one with a unit of the survey it replaces takes that
    unit's completed fields (BATCH_FIELDS: layout, prices …) where its own are empty and not fixed;
    the building takes the old survey's facts where its own are empty."""
    with db.write() as session:
        opened = _editing(session, actor, number, "同步原测绘信息")
        survey = opened.survey
        if survey.base_survey_id is None:
            raise RuleViolation("SURVEY_NO_BASE_TO_SYNC", "该测绘成果不替代其他成果，没有可同步的原测绘信息。")
        old = {u.unit_no: u for u in _units(session, survey.base_survey_id)}
        new = {u.unit_no: u for u in _units(session, survey.id)}  # type: ignore[arg-type]
        summary = summarise(list(old), list(new), _links(session, survey))
        per_field: dict[str, list[dict[str, object]]] = defaultdict(list)
        touched = set()
        for o, n in summary.matched:
            for key in BATCH_FIELDS:
                if new[n].value(key) is None and key not in new[n].fixed and old[o].value(key) is not None:
                    per_field[key].append({"unit_id": new[n].id, "value": old[o].value(key)})
                    touched.add(n)
        for key, rows in per_field.items():
            session.execute(update(U).where(U.c.id == bindparam("unit_id")).values({key: bindparam("value")}), rows)
        base = session.get(Survey, survey.base_survey_id)
        for key in _BUILDING_KEYS:
            if getattr(survey, key) is None:
                setattr(survey, key, getattr(base, key))
        filled = sum(len(rows) for rows in per_field.values())
        audit.append(session, actor, "survey_sync", object_type="survey", object_id=survey.id,
                     case_number=opened.case.number, after={"units": len(touched), "values": filled})
        return SyncDone(len(touched), filled)


def submit_survey(db: Database, actor: Actor, number: str) -> None:
    """栋项目信息确认, then 派工 to the authority: the building and every unit complete."""
    with db.write() as session:
        opened = _editing(session, actor, number, "派工")
        units = _units(session, opened.survey.id)  # type: ignore[arg-type]
        check_submission(_info(opened.survey), units)
        cases.dispatch_in(session, actor, opened.case.number)


def cancel_survey(db: Database, actor: Actor, number: str, *, reason: str) -> None:
    """取消受理 before dispatch: the survey is void and the building free for another case."""
    with db.write() as session:
        opened = _editing(session, actor, number, "取消受理")
        cases.cancel_in(session, actor, opened.case.number, reason=reason)
        opened.survey.status = SurveyStatus.VOID.value
        opened.survey.live_building_id = None
        audit.append(session, actor, "survey_void", object_type="survey", object_id=opened.survey.id,
                     case_number=opened.case.number, after={"status": SurveyStatus.VOID.value})


# --------------------------------------------------------------------------
# The authority's steps (测绘成果审核)
# --------------------------------------------------------------------------


def _links(session: Session, survey: Survey) -> set[tuple[str, str]]:
    """The survey's mapping as pairs of unit numbers (old, new)."""
    old = U.alias("old_unit")
    new = U.alias("new_unit")
    rows = session.execute(
        select(old.c.unit_no, new.c.unit_no)
        .select_from(SurveyMapping.__table__)  # type: ignore[attr-defined]
        .join(old, old.c.id == SurveyMapping.old_unit_id)
        .join(new, new.c.id == SurveyMapping.new_unit_id)
        .where(SurveyMapping.survey_id == survey.id)).all()
    return {(o, n) for o, n in rows}


def _numbers(session: Session, survey_id: int) -> list[str]:
    return list(session.execute(select(U.c.unit_no).where(U.c.survey_id == survey_id).order_by(U.c.line, U.c.id))
                .scalars())


@dataclass(frozen=True)
class MappingView:
    case_number: str
    base_survey_number: str
    survey_number: str
    summary: MappingSummary
    confirmed_at: datetime | None


def _mapping(session: Session, opened: _Open) -> MappingView:
    survey = opened.survey
    if survey.base_survey_id is None:
        raise RuleViolation("SURVEY_NO_MAPPING", "该测绘成果不替代其他成果，没有户室关系对照。")
    base = session.get(Survey, survey.base_survey_id)
    summary = summarise(_numbers(session, survey.base_survey_id), _numbers(session, survey.id),  # type: ignore[arg-type]
                        _links(session, survey))
    return MappingView(opened.case.number, base.survey_number, survey.survey_number, summary,  # type: ignore[union-attr]
                       survey.mapping_confirmed_at)


def mapping_view(db: Database, actor: Actor, number: str) -> MappingView:
    """户室关系对照 as it stands: the seed's summary (counts, split, merged, added, deleted)."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        return _mapping(session, _open(session, actor, number))


def _unit_ids(session: Session, survey_id: int, numbers: Sequence[str], which: str) -> dict[str, int]:
    wanted = [n.strip() for n in numbers if n and n.strip()]
    found = dict(session.execute(select(U.c.unit_no, U.c.id).where(U.c.survey_id == survey_id,
                                                                    U.c.unit_no.in_(wanted))).all())
    for n in wanted:
        if n not in found:
            raise RuleViolation("MAPPING_UNKNOWN_UNIT", f"{which}测绘没有室号为“{n[:20]}”的户室。", field="unit_no")
    return found


def _relink(db: Database, actor: Actor, number: str, old: Sequence[str], new: Sequence[str], *, link: bool,
            what: str) -> MappingView:
    with db.write() as session:
        opened = _reviewing(session, actor, number, what)
        survey = opened.survey
        if survey.base_survey_id is None:
            raise RuleViolation("SURVEY_NO_MAPPING", "该测绘成果不替代其他成果，没有户室关系对照。")
        olds = _unit_ids(session, survey.base_survey_id, old, "原")
        news = _unit_ids(session, survey.id, new, "新")  # type: ignore[arg-type]
        if not olds and not news:
            raise RuleViolation("MAPPING_NOTHING", "请填写要对照的原户室或新户室。", field="unit_no")
        if link and (not olds or not news):
            raise RuleViolation("MAPPING_ONE_SIDE", "对照须同时填写原户室和新户室。", field="unit_no")
        if link and len(olds) > 1 and len(news) > 1:
            raise RuleViolation("MAPPING_MANY_TO_MANY", "户室对照不能多对多：一个原户室可拆分为多个新户室，多个原户室可合并为一个新户室。",
                                field="unit_no")
        M = SurveyMapping.__table__  # type: ignore[attr-defined]
        session.execute(delete(M).where(M.c.survey_id == survey.id, or_(M.c.old_unit_id.in_(list(olds.values())),
                                                                         M.c.new_unit_id.in_(list(news.values())))))
        if link:
            session.execute(insert(M), [{"survey_id": survey.id, "old_unit_id": o, "new_unit_id": n}
                                        for o in olds.values() for n in news.values()])
        survey.mapping_confirmed_at = None
        survey.mapping_confirmed_by = None
        view = _mapping(session, opened)  # refuses a mapping that reads as nothing clear
        audit.append(session, actor, "survey_mapping_link" if link else "survey_mapping_unlink", object_type="survey",
                     object_id=survey.id, case_number=opened.case.number, after={"old": sorted(olds), "new": sorted(news)})
        return view


def link_units(db: Database, actor: Actor, number: str, old: Sequence[str], new: Sequence[str]) -> MappingView:
    """户室对照: these old units became these new ones (one to one, split or merged); their
    earlier links are replaced."""
    return _relink(db, actor, number, old, new, link=True, what="修改户室对照")


def unlink_units(db: Database, actor: Actor, number: str, old: Sequence[str] = (), new: Sequence[str] = ()) -> MappingView:
    """Remove every link of these units: an old unit left without one is deleted, a new one added."""
    return _relink(db, actor, number, old, new, link=False, what="修改户室对照")


def confirm_mapping(db: Database, actor: Actor, number: str) -> MappingView:
    """户室对照 确认: the authority has read the summary (a change of the links later asks again)."""
    with db.write() as session:
        opened = _reviewing(session, actor, number, "确认户室对照")
        view = _mapping(session, opened)
        opened.survey.mapping_confirmed_at = session_now(session)
        opened.survey.mapping_confirmed_by = actor.operator_id
        s = view.summary
        audit.append(session, actor, "survey_mapping_confirm", object_type="survey", object_id=opened.survey.id,
                     case_number=opened.case.number,
                     after={"old": s.old_count, "new": s.new_count, "matched": len(s.matched), "split": len(s.split),
                            "merged": len(s.merged), "added": len(s.added), "deleted": len(s.deleted)})
        return MappingView(view.case_number, view.base_survey_number, view.survey_number, view.summary,
                           opened.survey.mapping_confirmed_at)


def return_survey(db: Database, actor: Actor, number: str, *, to_stage: str, reason: str) -> None:
    """退件 of a survey under review back to the developer (测绘信息编辑): the authority's
    confirmation of the unit mapping is void, since the developer may change the units it was
    read against; the authority confirms it again before archiving."""
    with db.write() as session:
        opened = _reviewing(session, actor, number, "退件")
        cases.return_in(session, actor, opened.case.number, to_stage=to_stage, reason=reason)
        survey = opened.survey
        if survey.mapping_confirmed_at is not None:
            survey.mapping_confirmed_at = survey.mapping_confirmed_by = None
            audit.append(session, actor, "survey_mapping_unconfirm", object_type="survey", object_id=survey.id,
                         case_number=opened.case.number, after={"mapping_confirmed": False, "by": "退件"})


@dataclass(frozen=True)
class ArchiveDone:
    case_number: str
    units: int  # units of the building now
    new_units: int  # building units made by this survey
    kept: int  # building units carried over from the base survey
    retired: int  # building units retired (deleted, split, merged)


def archive_survey(db: Database, actor: Actor, number: str, *, note: str | None = None) -> ArchiveDone:
    """审核通过, 归档: the survey becomes the building's survey in force (the one it replaces is
    superseded) and the building's units follow the confirmed mapping."""
    opinion = check_text(note, field="note", label="审核意见", max_length=200)
    with db.write() as session:
        opened = _reviewing(session, actor, number, "归档")
        survey = opened.survey
        now = session_now(session)
        new_units = _units(session, survey.id)  # type: ignore[arg-type]
        carried: dict[int, int] = {}  # new survey unit id -> building unit id kept
        retired: list[int] = []
        if survey.base_survey_id is not None:
            if survey.mapping_confirmed_at is None:
                raise RuleViolation("MAPPING_NOT_CONFIRMED", "请先核对并确认户室关系对照，再归档。")
            summary = _mapping(session, opened).summary
            base_rows = {r.unit_no: r for r in session.execute(
                select(U.c.id, U.c.unit_no, U.c.building_unit_id).where(U.c.survey_id == survey.base_survey_id))}
            by_no = {u.unit_no: u for u in new_units}
            for o, n in summary.matched:
                carried[by_no[n].id] = base_rows[o].building_unit_id  # type: ignore[index]
            gone = summary.deleted + [o for o, _ in summary.split] + [o for olds, _ in summary.merged for o in olds]
            retired = [base_rows[o].building_unit_id for o in gone]
            for part in _chunks(retired):
                session.execute(update(BuildingUnit.__table__).where(BuildingUnit.__table__.c.id.in_(part))  # type: ignore[attr-defined]
                                .values(state=UnitState.RETIRED.value, retired_at=now, retired_by_survey_id=survey.id))
            base = session.get(Survey, survey.base_survey_id)
            base.status = SurveyStatus.SUPERSEDED.value  # type: ignore[union-attr]
            base.current_building_id = None  # type: ignore[union-attr]
            session.flush()
        fresh = [u for u in new_units if u.id not in carried]
        B = BuildingUnit.__table__  # type: ignore[attr-defined]
        _insert(session, B, [{"building_id": survey.building_id, "state": UnitState.REGISTERED.value, "created_at": now,
                              "created_by_survey_id": survey.id, "retired_at": None, "retired_by_survey_id": None}
                             for _ in fresh])
        # The rows this survey made, in the order they were inserted (ids rise within one insert).
        made = list(session.execute(select(B.c.id).where(B.c.created_by_survey_id == survey.id).order_by(B.c.id))
                    .scalars())
        links = [{"unit_id": u.id, "bu": b} for u, b in zip(fresh, made)]
        links += [{"unit_id": i, "bu": b} for i, b in carried.items()]
        if links:
            session.execute(update(U).where(U.c.id == bindparam("unit_id")).values(building_unit_id=bindparam("bu")),
                            links)
        survey.status = SurveyStatus.CURRENT.value
        survey.live_building_id = None
        survey.current_building_id = survey.building_id
        survey.archived_at, survey.archived_by, survey.review_note = now, actor.operator_id, opinion
        cases.archive_in(session, actor, opened.case.number)
        done = ArchiveDone(opened.case.number, len(new_units), len(made), len(carried), len(retired))
        audit.append(session, actor, "survey_archive", object_type="survey", object_id=survey.id,
                     case_number=opened.case.number,
                     after={"survey_number": survey.survey_number, **asdict(done), "note": opinion})
        return done


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyView:
    case_number: str
    type_name: str
    kind_label: str
    status: str
    status_label: str
    stage: str
    stage_name: str
    case_status_label: str
    holder: str | None
    survey_number: str
    base_survey_number: str | None
    developer_name: str
    project_id: int
    project_name: str
    building_id: int
    building_number: str
    info: BuildingInfo
    units: list[UnitFacts]
    total_built_area: Decimal
    priced: int  # units with a sale price
    mapping_confirmed: bool
    archived_at: datetime | None
    review_note: str | None


def show_survey(db: Database, actor: Actor, number: str) -> SurveyView:
    """A survey with its building, its units and where its case stands."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        opened = _open(session, actor, number)
        survey, case = opened.survey, opened.case
        building = session.get(Building, survey.building_id)
        project = session.get(Project, building.project_id)  # type: ignore[union-attr]
        kind = case_type(case.type_code)
        base = session.get(Survey, survey.base_survey_id) if survey.base_survey_id else None
        holder = session.get(Operator, case.holder_id).name if case.holder_id else None  # type: ignore[union-attr]
        units = _units(session, survey.id)  # type: ignore[arg-type]
        return SurveyView(
            case.number, kind.name, KIND_LABELS[SurveyKind(survey.kind)], survey.status,
            STATUS_LABELS[SurveyStatus(survey.status)], case.stage, kind.stages[kind.stage_index(case.stage)].name,
            CASE_STATUS_LABELS[CaseStatus(case.status)], holder, survey.survey_number,
            base.survey_number if base else None, developer_of(session, project.developer_id).name,  # type: ignore[union-attr]
            project.id, project.name, building.id, building.number, _info(survey), units,  # type: ignore[union-attr]
            sum((u.built_area for u in units), Decimal(0)), sum(u.sale_price is not None for u in units),
            survey.mapping_confirmed_at is not None, survey.archived_at, survey.review_note)


def grid(db: Database, actor: Actor, number: str, *, floor: int | None = None, unit: str | None = None,
         nominal_floor: str | None = None, use: str | None = None, layout: str | None = None) -> Grid:
    """价格面积核对: the survey's units as floors × positions (毛 / 装 / 面 / 销)."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        opened = _open(session, actor, number)
        return price_grid(_units(session, opened.survey.id), floor=floor, unit=unit,  # type: ignore[arg-type]
                          nominal_floor=nominal_floor, use=use, layout=layout)


@dataclass(frozen=True)
class Changes:
    """变更前 / 变更后 of a survey that replaces another."""

    base_survey_number: str
    survey_number: str
    summary: MappingSummary
    building: list[tuple[str, str, str]]  # (label, before, after)
    units: list[tuple[str, str, list[tuple[str, str, str]]]]  # (old no., new no., changed fields)


def survey_changes(db: Database, actor: Actor, number: str) -> Changes:
    """What the survey changes against the one it replaces: the building's facts, each unit
    matched one to one with what differs, and the split, merged, added and deleted units."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        opened = _open(session, actor, number)
        view = _mapping(session, opened)
        survey = opened.survey
        base = session.get(Survey, survey.base_survey_id)
        building = [(_BUILDING_LABELS[k], _shown(getattr(base, k)), _shown(getattr(survey, k)))
                    for k in _BUILDING_KEYS if getattr(base, k) != getattr(survey, k)]
        old = {u.unit_no: u for u in _units(session, survey.base_survey_id)}  # type: ignore[arg-type]
        new = {u.unit_no: u for u in _units(session, survey.id)}  # type: ignore[arg-type]
        units = []
        for o, n in view.summary.matched:
            diff = changed_fields(old[o], new[n])
            if diff:
                units.append((o, n, diff))
        return Changes(view.base_survey_number, view.survey_number, view.summary, building, units)


def _shown(value: object) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class SurveyRow:
    case_number: str
    type_name: str
    status_label: str
    stage_name: str
    case_status_label: str
    project_name: str
    building_number: str
    survey_number: str
    units: int
    created_at: datetime


def list_surveys(db: Database, actor: Actor, *, project_id: int | None = None) -> list[SurveyRow]:
    """The surveys of a project (or of every project the actor sees), newest first."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        counts = (select(U.c.survey_id, func.count().label("n")).group_by(U.c.survey_id).subquery())
        query = (select(Survey, Case, Building.number, Project.name, counts.c.n)
                 .join(Case, Case.id == Survey.case_id).join(Building, Building.id == Survey.building_id)
                 .join(Project, Project.id == Building.project_id)
                 .outerjoin(counts, counts.c.survey_id == Survey.id)
                 .order_by(Survey.created_at.desc(), Survey.id.desc()).limit(500))
        if project_id is not None:
            find_project(session, actor, project_id)
            query = query.where(Building.project_id == project_id)
        if actor.developer_id is not None:
            query = query.where(Project.developer_id == actor.developer_id)
        rows = []
        for survey, case, building_no, project_name, n in session.execute(query).all():
            kind = case_type(case.type_code)
            rows.append(SurveyRow(case.number, kind.name, STATUS_LABELS[SurveyStatus(survey.status)],
                                  kind.stages[kind.stage_index(case.stage)].name,
                                  CASE_STATUS_LABELS[CaseStatus(case.status)], project_name, building_no,
                                  survey.survey_number, n or 0, survey.created_at))
        return rows
