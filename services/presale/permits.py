"""预售许可 (seed 004 §5.4) and 现售许可 (§5.6): a building's sale permits through their Y cases.

The developer accepts the case on a building (选择栋号, 业务受理): the project's 四证 must be
complete; a change (变更审批) starts from the scope of the presale permit in force, a spot-sale
permit needs the actual survey archived. The developer completes it — the scope (预售范围
户室, never a property room), the property company (项目信息补充) and the certificates
(申请栋信息补充, defaulting to the project's) — and dispatches it to the authority, which
receives it (case engine), and archives it (许可证生成, 归档): the permit gets its number and
comes into force, a change replacing the permit it changes. While a change is open the
building takes no presale contract (``core.presale.sale``); the permit prints as a PDF
(``reports.presale``).

Every step authorises inside its transaction, checks the case's stage and holder, and
appends an audit row; the scope is written in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, insert, select, text
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type
from core.errors import RuleViolation
from core.parties import check_text
from core.presale.developers import check_may_work
from core.presale.permits import (
    ScopeUnit,
    check_permit_start,
    check_permit_submission,
    check_scope,
    format_permit_number,
    permit_type,
)
from core.presale.pricing import unit_order
from core.presale.projects import CERTIFICATE_LABELS, FOUR_CERTIFICATES, missing_certificates
from core.presale.sale import PERMIT_KIND_LABELS, PermitKind
from core.presale.surveys import KIND_LABELS, SurveyKind, SurveyStatus, check_stage
from core.roles import Actor, Permission, require
from core.timeutil import local_today
from services import audit, cases
from services.authority import authorise
from services.presale.buildings import building_facts, find_building, survey_in_force, unit_ids
from services.presale.case_records import at_stage, open_record
from services.presale.common import developer_of, find_project
from storage.engine import Database, session_now
from storage.models import (
    Building,
    Case,
    Operator,
    PermitCertificate,
    PermitUnit,
    Project,
    ProjectCertificate,
    SalePermit,
    SurveyUnit,
)

__all__ = [
    "CertificateRow",
    "PermitArchived",
    "PermitRow",
    "PermitStarted",
    "PermitUnitRow",
    "PermitView",
    "ScopeDone",
    "archive_permit",
    "cancel_permit",
    "list_permits",
    "permit_document",
    "set_details",
    "set_scope",
    "show_permit",
    "start_permit",
    "submit_permit",
]

P = PermitUnit.__table__  # type: ignore[attr-defined]
U = SurveyUnit.__table__  # type: ignore[attr-defined]
_CHUNK = 5000
_NEXT_NUMBER = text("INSERT INTO permit_sequence (year, kind, last) VALUES (:year, :kind, 1) "
                    "ON CONFLICT (year, kind) DO UPDATE SET last = permit_sequence.last + 1 RETURNING last")


@dataclass
class _Open:
    permit: SalePermit
    case: Case
    building: Building


def _open(session: Session, actor: Actor, number: object, *, lock: bool = False) -> _Open:
    return _Open(*open_record(
        session, actor, number, SalePermit, joined=[(Building, Building.id == SalePermit.building_id)],
        code="PERMIT_CASE_NOT_FOUND", missing="没有业务号为“{number}”的销售许可业务。", lock=lock))


def _editing(session: Session, actor: Actor, number: str, what: str) -> _Open:
    return at_stage(session, actor, number, _open, permission=Permission.PERMIT_WORK, stage="entry",
                    what=what, check=check_stage)


def _reviewing(session: Session, actor: Actor, number: str, what: str) -> _Open:
    return at_stage(session, actor, number, _open, permission=Permission.PERMIT_REVIEW, stage="review",
                    what=what, check=check_stage)


def _scope(session: Session, permit_id: int) -> set[int]:
    return set(session.execute(select(P.c.building_unit_id).where(P.c.permit_id == permit_id)).scalars())


def _project_certificates(session: Session, project_id: int) -> list[ProjectCertificate]:
    return list(session.execute(select(ProjectCertificate).where(ProjectCertificate.project_id == project_id)
                                .order_by(ProjectCertificate.kind, ProjectCertificate.id)).scalars())


def _choose(session: Session, permit_id: int, certificates: Sequence[ProjectCertificate]) -> None:
    """Record these certificates on the permit, one per kind (a later one of a kind replaces it)."""
    kinds = [c.kind for c in certificates]
    session.execute(delete(PermitCertificate).where(PermitCertificate.permit_id == permit_id,
                                                    PermitCertificate.kind.in_(kinds)))
    chosen = {c.kind: c for c in certificates}
    if chosen:
        session.execute(insert(PermitCertificate), [
            {"permit_id": permit_id, "kind": c.kind, "number": c.number, "issued_on": c.issued_on, "issuer": c.issuer}
            for c in chosen.values()])


def _chosen_kinds(session: Session, permit_id: int) -> list[str]:
    return list(session.execute(select(PermitCertificate.kind).where(PermitCertificate.permit_id == permit_id))
                .scalars())


def _insert_scope(session: Session, permit_id: int, units: Sequence[int]) -> None:
    if units:
        session.execute(insert(P), [{"permit_id": permit_id, "building_unit_id": u} for u in units])


@dataclass(frozen=True)
class PermitStarted:
    case_number: str
    permit_id: int
    units: int  # taken over from the permit a change changes


def start_permit(db: Database, actor: Actor, *, type_code: str, project_id: int, building: str) -> PermitStarted:
    """业务受理: a permit application on a building; the certificates default to the project's."""
    require(actor, Permission.PERMIT_WORK)  # the role first, before any input is looked at
    kind = permit_type(type_code)
    with db.write() as session:
        authorise(session, actor, Permission.PERMIT_WORK)
        project, row = find_building(session, actor, project_id, building, lock=True)
        developer = developer_of(session, project.developer_id)
        check_may_work(developer.status, developer.valid, developer.name)
        survey = survey_in_force(session, row.id)  # type: ignore[arg-type]
        certificates = _project_certificates(session, project.id)  # type: ignore[arg-type]
        missing = [CERTIFICATE_LABELS[k] for k in missing_certificates(c.kind for c in certificates)]
        in_force = {PermitKind(p.kind): p for p in session.execute(
            select(SalePermit).where(SalePermit.building_id == row.id, SalePermit.current_key.is_not(None))).scalars()}
        check_permit_start(type_code, survey=survey.kind if survey else None, missing=missing,
                           in_force={k: p.permit_number for k, p in in_force.items()})  # type: ignore[misc]
        busy = session.execute(select(Case.number).join(SalePermit, SalePermit.case_id == Case.id)
                               .where(SalePermit.live_building_id == row.id)).scalar_one_or_none()
        if busy:
            raise RuleViolation("PERMIT_BUILDING_BUSY", f"该栋已有正在办理的销售许可业务{busy}，请办结或取消受理后再办理。",
                                field="building")
        base = in_force.get(kind.kind) if kind.change else None
        case = cases.accept_in(session, actor, type_code, developer_id=developer.id,
                               summary=f"{project.name} {row.number} {kind.name}")
        permit = SalePermit(
            building_id=row.id, case_id=case.id, type_code=type_code, kind=kind.kind.value,  # type: ignore[arg-type]
            base_permit_id=base.id if base else None, permit_number=base.permit_number if base else None,
            version=base.version + 1 if base else 1, status=SurveyStatus.DRAFT.value, live_building_id=row.id,
            property_company=(base.property_company if base else None) or project.property_company,
            created_at=session_now(session), created_by=actor.operator_id)
        session.add(permit)
        session.flush()
        _choose(session, permit.id, certificates)  # type: ignore[arg-type]
        taken: list[int] = []
        if base is not None:
            registered = {u.building_unit_id for u in building_facts(session, row.id).units}  # type: ignore[arg-type]
            taken = sorted(_scope(session, base.id) & registered)  # type: ignore[arg-type]
            _insert_scope(session, permit.id, taken)  # type: ignore[arg-type]
        audit.append(session, actor, "permit_accept", object_type="sale_permit", object_id=permit.id,
                     case_number=case.number,
                     after={"type": type_code, "building": row.number, "units": len(taken),
                            "base_permit": base.permit_number if base else None})
        return PermitStarted(case.number, permit.id, len(taken))  # type: ignore[arg-type]


@dataclass(frozen=True)
class ScopeDone:
    units: int  # in the scope now
    added: int
    removed: int


def set_scope(db: Database, actor: Actor, number: str, *, add: Sequence[str] = (), remove: Sequence[str] = (),
              all_units: bool = False) -> ScopeDone:
    """选择预售范围户室: add (or, with ``all_units``, every unit that may be permitted) and remove
    units by 室号. Refused: a property room, a unit another kind's permit covers."""
    with db.write() as session:
        opened = _editing(session, actor, number, "选择许可范围户室")
        permit = opened.permit
        facts = building_facts(session, opened.building.id)  # type: ignore[arg-type]
        if facts.survey is None:
            raise RuleViolation("PERMIT_NO_SURVEY", "该栋还没有备案的测绘成果，不能申请销售许可。")
        other = next((p for k, p in facts.permits.items() if k.value != permit.kind), None)
        other_units = _scope(session, other.id) if other else set()  # type: ignore[arg-type]
        by_id = {u.building_unit_id: u for u in facts.units}
        if all_units:
            adding = {u.unit_no: u.building_unit_id for u in facts.units
                      if not u.facts.property_room and u.building_unit_id not in other_units}
        else:
            adding = unit_ids(session, facts.survey.id, add)  # type: ignore[arg-type]
        removing = unit_ids(session, facts.survey.id, remove)  # type: ignore[arg-type]
        if not adding and not removing:
            raise RuleViolation("PERMIT_SCOPE_NOTHING", "请填写要纳入或移出许可范围的室号。", field="units")
        both = set(adding) & set(removing)
        if both:
            raise RuleViolation("PERMIT_SCOPE_BOTH", f"户室{sorted(both)[0]}不能同时纳入和移出许可范围。", field="units")
        check_scope([ScopeUnit(no, by_id[bu].facts.property_room,
                               other.permit_number if bu in other_units else None)  # type: ignore[union-attr]
                     for no, bu in adding.items()])
        have = _scope(session, permit.id)  # type: ignore[arg-type]
        gone = [bu for bu in removing.values() if bu in have]
        for start in range(0, len(gone), _CHUNK):
            session.execute(delete(P).where(P.c.permit_id == permit.id, P.c.building_unit_id.in_(gone[start:start + _CHUNK])))
        new = sorted({bu for bu in adding.values() if bu not in have})
        _insert_scope(session, permit.id, new)  # type: ignore[arg-type]
        done = ScopeDone(len(have) + len(new) - len(gone), len(new), len(gone))
        audit.append(session, actor, "permit_scope", object_type="sale_permit", object_id=permit.id,
                     case_number=opened.case.number,
                     after={"all": all_units, "added": len(new), "removed": len(gone), "units": done.units,
                            "remove": sorted(removing)[:50], "add": [] if all_units else sorted(adding)[:50]})
        return done


def set_details(db: Database, actor: Actor, number: str, *, property_company: str | None = None,
                certificates: Sequence[int] = ()) -> None:
    """项目信息补充 (the property company) and 申请栋信息补充 (the project's certificates chosen by id)."""
    company = check_text(property_company, field="property_company", label="物业公司", max_length=120)
    with db.write() as session:
        opened = _editing(session, actor, number, "补充许可信息")
        if company is None and not certificates:
            raise RuleViolation("PERMIT_NOTHING_CHANGED", "没有填写要补充的物业公司或证件。")
        own = {c.id: c for c in _project_certificates(session, opened.building.project_id)}
        for cid in certificates:
            if cid not in own:
                raise RuleViolation("CERTIFICATE_NOT_FOUND", f"该项目没有编号为 {cid} 的证件。", field="certificates")
        before = opened.permit.property_company
        if company is not None:
            opened.permit.property_company = company
        _choose(session, opened.permit.id, [own[c] for c in certificates])  # type: ignore[arg-type]
        audit.append(session, actor, "permit_details", object_type="sale_permit", object_id=opened.permit.id,
                     case_number=opened.case.number, before={"property_company": before},
                     after={"property_company": opened.permit.property_company, "certificates": list(certificates)})


def _check_complete(session: Session, opened: _Open) -> set[int]:
    permit = opened.permit
    scope = _scope(session, permit.id)  # type: ignore[arg-type]
    missing = [CERTIFICATE_LABELS[k] for k in missing_certificates(_chosen_kinds(session, permit.id))]  # type: ignore[arg-type]
    check_permit_submission(units=len(scope), property_company=permit.property_company, missing=missing)
    facts = building_facts(session, opened.building.id)  # type: ignore[arg-type]
    # rooms designated since the scope was chosen
    check_scope([ScopeUnit(u.unit_no, True) for u in facts.units
                 if u.facts.property_room and u.building_unit_id in scope])
    return scope


def submit_permit(db: Database, actor: Actor, number: str) -> None:
    """申请栋信息补充 saved, 派工 to the authority: units, property company and 四证 complete."""
    with db.write() as session:
        opened = _editing(session, actor, number, "派工")
        _check_complete(session, opened)
        cases.dispatch_in(session, actor, opened.case.number)


def cancel_permit(db: Database, actor: Actor, number: str, *, reason: str) -> None:
    """取消受理 before dispatch: the application is void (an open change no longer blocks signing)."""
    with db.write() as session:
        opened = _editing(session, actor, number, "取消受理")
        cases.cancel_in(session, actor, opened.case.number, reason=reason)
        opened.permit.status = SurveyStatus.VOID.value
        opened.permit.live_building_id = None
        audit.append(session, actor, "permit_void", object_type="sale_permit", object_id=opened.permit.id,
                     case_number=opened.case.number, after={"status": "void"})


@dataclass(frozen=True)
class PermitArchived:
    case_number: str
    permit_number: str
    version: int
    units: int
    added: int  # against the permit it changes
    removed: int


def archive_permit(db: Database, actor: Actor, number: str, *, note: str | None = None) -> PermitArchived:
    """许可证生成, 归档: the permit number is issued (a change keeps its base's) and it comes into force."""
    opinion = check_text(note, field="note", label="审核意见", max_length=200)
    with db.write() as session:
        opened = _reviewing(session, actor, number, "归档")
        permit = opened.permit
        scope = _check_complete(session, opened)
        now = session_now(session)
        before: set[int] = set()
        if permit.base_permit_id is not None:
            base = session.get(SalePermit, permit.base_permit_id)
            before = _scope(session, base.id)  # type: ignore[union-attr, arg-type]
            base.status = SurveyStatus.SUPERSEDED.value  # type: ignore[union-attr]
            base.current_key = None  # type: ignore[union-attr]
            session.flush()
        else:
            kind = PermitKind(permit.kind)
            year = local_today(now).year
            last = session.execute(_NEXT_NUMBER, {"year": year, "kind": kind.value}).scalar_one()
            permit.permit_number = format_permit_number(kind, year, last)
        permit.status = SurveyStatus.CURRENT.value
        permit.live_building_id = None
        permit.current_key = f"{permit.building_id}:{permit.kind}"
        permit.archived_at, permit.archived_by, permit.review_note = now, actor.operator_id, opinion
        cases.archive_in(session, actor, opened.case.number)
        done = PermitArchived(opened.case.number, permit.permit_number, permit.version, len(scope),  # type: ignore[arg-type]
                              len(scope - before) if before else 0, len(before - scope))
        audit.append(session, actor, "permit_archive", object_type="sale_permit", object_id=permit.id,
                     case_number=opened.case.number,
                     after={"permit_number": done.permit_number, "version": done.version, "units": done.units,
                            "added": done.added, "removed": done.removed, "note": opinion})
        return done


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PermitUnitRow:
    unit_no: str
    unit: str | None
    actual_floor: int
    built_area: Decimal
    use: str | None
    layout: str | None


@dataclass(frozen=True)
class CertificateRow:
    kind_label: str
    number: str
    issued_on: date | None
    issuer: str | None


@dataclass(frozen=True)
class PermitView:
    case_number: str
    type_name: str
    kind: str
    kind_label: str  # 预售许可证 / 现售许可证
    stage: str
    stage_name: str
    case_status_label: str
    holder: str | None
    status: str
    permit_number: str | None
    version: int
    base_permit_number: str | None
    developer_name: str
    developer_credit_code: str
    project_id: int
    project_name: str
    project_location: str
    building_number: str
    survey_number: str | None
    survey_kind_label: str | None
    property_company: str | None
    certificates: list[CertificateRow]  # in the order of the 四证
    units: list[PermitUnitRow]
    total_area: Decimal
    added: list[str]  # a change: units it adds to the permit it changes
    removed: list[str]  # … and removes (unsellable once it is archived)
    created_at: datetime
    archived_at: datetime | None
    review_note: str | None


def _permit_view(session: Session, opened: _Open) -> PermitView:
    permit, case, building = opened.permit, opened.case, opened.building
    kind = case_type(case.type_code)
    project = session.get(Project, building.project_id)
    developer = developer_of(session, project.developer_id)  # type: ignore[union-attr]
    survey = survey_in_force(session, building.id)  # type: ignore[arg-type]
    names: dict[int, tuple] = {}
    if survey is not None:
        for r in session.execute(select(U.c.building_unit_id, U.c.unit_no, U.c.unit, U.c.actual_floor, U.c.built_area,
                                        U.c.use, U.c.layout).where(U.c.survey_id == survey.id)):
            names[r.building_unit_id] = tuple(r)[1:]
    scope = _scope(session, permit.id)  # type: ignore[arg-type]
    rows = sorted((PermitUnitRow(*names[bu]) for bu in scope if bu in names),
                  key=lambda r: (r.actual_floor, unit_order(r.unit_no)))
    base = session.get(SalePermit, permit.base_permit_id) if permit.base_permit_id else None
    added: list[str] = []
    removed: list[str] = []
    if base is not None:
        before = _scope(session, base.id)  # type: ignore[arg-type]
        added = sorted((names[bu][0] for bu in scope - before if bu in names), key=unit_order)
        removed = sorted((names[bu][0] for bu in before - scope if bu in names), key=unit_order)
    chosen = {c.kind: c for c in session.execute(select(PermitCertificate)
                                                 .where(PermitCertificate.permit_id == permit.id)).scalars()}
    certificates = [CertificateRow(CERTIFICATE_LABELS[k], chosen[k.value].number, chosen[k.value].issued_on,
                                   chosen[k.value].issuer) for k in FOUR_CERTIFICATES if k.value in chosen]
    holder = session.get(Operator, case.holder_id).name if case.holder_id else None  # type: ignore[union-attr]
    return PermitView(
        case.number, kind.name, permit.kind, PERMIT_KIND_LABELS[PermitKind(permit.kind)], case.stage,
        kind.stages[kind.stage_index(case.stage)].name, CASE_STATUS_LABELS[CaseStatus(case.status)], holder,
        permit.status, permit.permit_number, permit.version, base.permit_number if base else None, developer.name,
        developer.credit_code, project.id, project.name, project.location, building.number,  # type: ignore[union-attr, arg-type]
        survey.survey_number if survey else None, KIND_LABELS[SurveyKind(survey.kind)] if survey else None,
        permit.property_company, certificates, rows, sum((r.built_area for r in rows), Decimal(0)), added, removed,
        permit.created_at, permit.archived_at, permit.review_note)


def show_permit(db: Database, actor: Actor, number: str) -> PermitView:
    """A permit case: where it stands, its scope (before and after for a change), certificates."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        return _permit_view(session, _open(session, actor, number))


def permit_document(db: Database, actor: Actor, number: str) -> PermitView:
    """The permit as it prints: only once issued (archived). Refused: PERMIT_NOT_ISSUED."""
    view = show_permit(db, actor, number)
    if view.archived_at is None or view.permit_number is None:
        raise RuleViolation("PERMIT_NOT_ISSUED", "许可证尚未核发（业务未归档），不能打印。")
    return view


@dataclass(frozen=True)
class PermitRow:
    case_number: str
    type_name: str
    stage_name: str
    case_status_label: str
    status: str
    permit_number: str | None
    version: int
    project_name: str
    building_number: str
    units: int
    created_at: datetime


def list_permits(db: Database, actor: Actor, *, project_id: int | None = None) -> list[PermitRow]:
    """The permit cases of a project (or of every project the actor sees), newest first."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        counts = select(P.c.permit_id, func.count().label("n")).group_by(P.c.permit_id).subquery()
        query = (select(SalePermit, Case, Building.number, Project.name, counts.c.n)
                 .join(Case, Case.id == SalePermit.case_id).join(Building, Building.id == SalePermit.building_id)
                 .join(Project, Project.id == Building.project_id).outerjoin(counts, counts.c.permit_id == SalePermit.id)
                 .order_by(SalePermit.created_at.desc(), SalePermit.id.desc()).limit(500))
        if project_id is not None:
            find_project(session, actor, project_id)
            query = query.where(Building.project_id == project_id)
        if actor.developer_id is not None:
            query = query.where(Project.developer_id == actor.developer_id)
        out = []
        for permit, case, bno, pname, n in session.execute(query).all():
            kind = case_type(case.type_code)
            out.append(PermitRow(case.number, kind.name, kind.stages[kind.stage_index(case.stage)].name,
                                 CASE_STATUS_LABELS[CaseStatus(case.status)], permit.status, permit.permit_number,
                                 permit.version, pname, bno, n or 0, permit.created_at))
        return out

