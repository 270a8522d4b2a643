"""项目信息 and 项目证件 (seed 004 §3.1): an enterprise's projects, their certificates (the 四证
a presale permit is generated from) and their buildings as their surveys left them.

Each use case authorises inside its own transaction, checks with ``core.presale.projects``,
writes and audits; a developer's staff work only on their own enterprise's projects.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import func, select
from sqlmodel import Session

from core.errors import RuleViolation
from core.presale.projects import CertificateEntry, ProjectEntry, check_certificate, check_project
from core.presale.surveys import KIND_LABELS, SurveyKind
from core.roles import Actor, Permission, require
from core.timeutil import local_today
from services import audit
from services.authority import authorise
from services.presale.common import (
    BuildingRow,
    CertificateView,
    ProjectView,
    certificate_view,
    find_developer,
    find_project,
    project_view,
)
from storage.engine import Database, session_now
from storage.models import Building, Case, Project, ProjectCertificate, Survey, SurveyUnit

__all__ = ["add_certificate", "add_project", "change_project", "list_projects", "remove_certificate", "show_project"]


def _name_taken(session: Session, developer_id: int, name: str, but: int | None = None) -> bool:
    query = select(Project.id).where(Project.developer_id == developer_id, Project.name == name)
    if but is not None:
        query = query.where(Project.id != but)
    return session.execute(query).first() is not None


def add_project(db: Database, actor: Actor, entry: ProjectEntry, credit_code: str | None = None) -> ProjectView:
    """新增项目 of the enterprise (one name once per enterprise)."""
    require(actor, Permission.DEVELOPER_MAINTAIN)  # the role first, before any input is looked at
    record = check_project(entry)
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_MAINTAIN)
        developer = find_developer(session, actor, credit_code, lock=True)
        if _name_taken(session, developer.id, record.name):  # type: ignore[arg-type]
            raise RuleViolation("PROJECT_EXISTS", f"本企业已有名为“{record.name}”的项目。", field="name")
        now = session_now(session)
        project = Project(developer_id=developer.id, **asdict(record), created_at=now, updated_at=now)  # type: ignore[arg-type]
        session.add(project)
        session.flush()
        audit.append(session, actor, "project_add", object_type="project", object_id=project.id,
                     after={"developer": developer.credit_code, **{k: _plain(v) for k, v in asdict(record).items()}})
        return project_view(session, project, [])


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, (str, bool, int)) else str(value)


def change_project(db: Database, actor: Actor, project_id: int, **changes: object) -> ProjectView:
    """项目信息完善: change a project's facts (None leaves a field, a blank text empties an optional one)."""
    require(actor, Permission.DEVELOPER_MAINTAIN)  # the role first, before any input is looked at
    unknown = set(changes) - {f.name for f in fields(ProjectEntry)}
    if unknown:
        raise TypeError(f"not a field of a project: {sorted(unknown)}")
    given = {k: v for k, v in changes.items() if v is not None}
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_MAINTAIN)
        project = find_project(session, actor, project_id, lock=True)
        if not given:
            raise RuleViolation("PROJECT_NOTHING_CHANGED", "没有填写要变更的内容。")
        current = {f.name: getattr(project, f.name) for f in fields(ProjectEntry)}
        record = check_project(ProjectEntry(**{**current, **given}))
        changed = {k: v for k, v in asdict(record).items() if current[k] != v}
        if not changed:
            raise RuleViolation("PROJECT_NOTHING_CHANGED", "填写的内容与登记的相同，没有变更。")
        if "name" in changed and _name_taken(session, project.developer_id, record.name, but=project.id):
            raise RuleViolation("PROJECT_EXISTS", f"本企业已有名为“{record.name}”的项目。", field="name")
        for key, value in changed.items():
            setattr(project, key, value)
        project.updated_at = session_now(session)
        audit.append(session, actor, "project_change", object_type="project", object_id=project.id,
                     before={k: _plain(current[k]) for k in changed}, after={k: _plain(v) for k, v in changed.items()})
        return project_view(session, project, _buildings(session, project.id))  # type: ignore[arg-type]


def add_certificate(db: Database, actor: Actor, project_id: int, entry: CertificateEntry) -> CertificateView:
    """新增项目证件: one certificate (a kind and number once per project)."""
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_MAINTAIN)
        record = check_certificate(entry, today=local_today(session_now(session)))
        project = find_project(session, actor, project_id, lock=True)
        taken = session.execute(select(ProjectCertificate.id).where(
            ProjectCertificate.project_id == project.id, ProjectCertificate.kind == record.kind,
            ProjectCertificate.number == record.number)).first()
        if taken:
            raise RuleViolation("CERTIFICATE_EXISTS", "该项目已登记这份证件。", field="number")
        cert = ProjectCertificate(project_id=project.id, **asdict(record), created_at=session_now(session))  # type: ignore[arg-type]
        session.add(cert)
        session.flush()
        audit.append(session, actor, "project_certificate_add", object_type="project_certificate", object_id=cert.id,
                     after={"project": project.id, **{k: _plain(v) for k, v in asdict(record).items()}})
        return certificate_view(cert)


def remove_certificate(db: Database, actor: Actor, certificate_id: int) -> None:
    """删除项目证件 entered in error."""
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_MAINTAIN)
        cert = session.get(ProjectCertificate, certificate_id, with_for_update=True)
        if cert is None:
            raise RuleViolation("CERTIFICATE_NOT_FOUND", f"没有编号为 {certificate_id} 的项目证件。", field="certificate")
        find_project(session, actor, cert.project_id)
        audit.append(session, actor, "project_certificate_remove", object_type="project_certificate",
                     object_id=cert.id, before={"project": cert.project_id, "kind": cert.kind, "number": cert.number})
        session.delete(cert)


def _buildings(session: Session, project_id: int) -> list[BuildingRow]:
    """The project's buildings: the survey in force (number, kind, units) and a survey case open on it."""
    rows = []
    for building in session.execute(select(Building).where(Building.project_id == project_id)
                                    .order_by(Building.number)).scalars():
        current = session.execute(select(Survey).where(Survey.current_building_id == building.id)).scalar_one_or_none()
        units = session.execute(select(func.count()).select_from(SurveyUnit).where(
            SurveyUnit.survey_id == current.id)).scalar_one() if current else 0
        live = session.execute(select(Case.number).join(Survey, Survey.case_id == Case.id).where(
            Survey.live_building_id == building.id)).scalar_one_or_none()
        rows.append(BuildingRow(building.id or 0, building.number, current.survey_number if current else None,
                                KIND_LABELS[SurveyKind(current.kind)] if current else None, units, live))
    return rows


def show_project(db: Database, actor: Actor, project_id: int) -> ProjectView:
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        project = find_project(session, actor, project_id)
        return project_view(session, project, _buildings(session, project.id))  # type: ignore[arg-type]


def list_projects(db: Database, actor: Actor, credit_code: str | None = None) -> list[ProjectView]:
    """An enterprise's projects (a developer's staff: their own enterprise's; the hall: every
    enterprise's when no credit code is given)."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        query = select(Project).order_by(Project.developer_id, Project.name)
        if credit_code or actor.developer_id is not None:
            query = query.where(Project.developer_id == find_developer(session, actor, credit_code).id)
        return [project_view(session, p, _buildings(session, p.id)) for p in session.execute(query).scalars()]  # type: ignore[arg-type]

