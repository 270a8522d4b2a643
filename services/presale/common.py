"""What the presale use cases share: finding an enterprise, a project or a survey the actor
may see (a developer's staff see only their own enterprise's; to them another's does not
exist), and the plain views the screens and the command line show (numbers masked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from core.errors import RuleViolation
from core.identity import ID_KIND_LABELS, IdKind, mask_id, mask_phone, normalize
from core.presale.developers import BANK_PURPOSE_LABELS, STATUS_LABELS, BankPurpose, DeveloperStatus, owns
from core.presale.projects import CERTIFICATE_LABELS, CertificateKind, check_project_id, missing_certificates
from core.roles import Actor
from storage.models import Developer, DeveloperBank, Project, ProjectCertificate

__all__ = [
    "BankView",
    "CertificateView",
    "DeveloperView",
    "ProjectView",
    "bank_view",
    "certificate_view",
    "developer_of",
    "developer_view",
    "find_developer",
    "find_project",
]

_WAN = Decimal(10_000)


def find_developer(session: Session, actor: Actor, credit_code: object = None, *, lock: bool = False) -> Developer:
    """The enterprise of ``credit_code`` (for a developer's staff: their own when None).
    Refused: DEVELOPER_NOT_FOUND (also for another's enterprise, seen by a developer's staff)."""
    if credit_code is None or (isinstance(credit_code, str) and not credit_code.strip()):
        if actor.developer_id is None:
            raise RuleViolation("DEVELOPER_CODE_EMPTY", "请填写开发企业的统一社会信用代码。", field="credit_code")
        query = select(Developer).where(Developer.id == actor.developer_id)
        shown = ""
    else:
        code = normalize(credit_code).upper() if isinstance(credit_code, str) and len(credit_code) <= 60 else ""
        query = select(Developer).where(Developer.credit_code == code)
        shown = code[:18]
    if lock:
        query = query.with_for_update()
    developer = session.execute(query).scalar_one_or_none()
    if developer is None or not owns(actor, developer.id):  # type: ignore[arg-type]
        raise RuleViolation("DEVELOPER_NOT_FOUND", f"没有统一社会信用代码为“{shown}”的开发企业。", field="credit_code")
    return developer


def find_project(session: Session, actor: Actor, project_id: object, *, lock: bool = False) -> Project:
    """A project the actor may see, by its 项目编号 as typed or as held (``check_project_id``).
    Refused: PROJECT_NOT_FOUND."""
    project_id = check_project_id(project_id)
    query = select(Project).where(Project.id == project_id)
    if lock:
        query = query.with_for_update()
    project = session.execute(query).scalar_one_or_none()
    if project is None or not owns(actor, project.developer_id):
        raise RuleViolation("PROJECT_NOT_FOUND", f"没有编号为 {project_id} 的项目。", field="project")
    return project


def developer_of(session: Session, developer_id: int) -> Developer:
    developer = session.get(Developer, developer_id)
    assert developer is not None
    return developer


@dataclass(frozen=True)
class DeveloperView:
    """An enterprise as the counter shows it: the legal representative's numbers masked,
    capitals in yuan (``capital_wan`` shows them in 万元)."""

    id: int
    credit_code: str
    name: str
    kind: str
    legal_rep_name: str
    legal_rep_document: str
    legal_rep_masked_id: str
    legal_rep_masked_phone: str
    region: str
    status: str
    status_label: str
    valid: bool
    established_on: date | None
    licence_number: str | None
    registered_capital: Decimal | None
    paid_in_capital: Decimal | None
    taxpayer_number: str | None
    address: str | None
    business_scope: str | None
    note: str | None
    updated_at: datetime

    @staticmethod
    def capital_wan(value: Decimal | None) -> str:
        """A capital in 万元 as a licence writes it (100 → "100", 1234.5 万元 → "1234.5")."""
        if value is None:
            return ""
        wan = (value / _WAN).normalize()
        return f"{wan:f}"


def developer_view(d: Developer) -> DeveloperView:
    try:
        document = ID_KIND_LABELS[IdKind(d.legal_rep_id_kind)]
    except ValueError:
        document = d.legal_rep_id_kind
    return DeveloperView(
        d.id or 0, d.credit_code, d.name, d.kind, d.legal_rep_name, document, mask_id(d.legal_rep_id_number),
        mask_phone(d.legal_rep_phone), d.region, d.status, STATUS_LABELS[DeveloperStatus(d.status)], d.valid,
        d.established_on, d.licence_number, d.registered_capital, d.paid_in_capital, d.taxpayer_number, d.address,
        d.business_scope, d.note, d.updated_at,
    )


@dataclass(frozen=True)
class BankView:
    id: int
    purpose: str
    purpose_label: str
    bank_name: str
    branch: str | None
    account_name: str | None
    account_number: str | None


def bank_view(b: DeveloperBank) -> BankView:
    return BankView(b.id or 0, b.purpose, BANK_PURPOSE_LABELS[BankPurpose(b.purpose)], b.bank_name, b.branch,
                    b.account_name, b.account_number)


@dataclass(frozen=True)
class CertificateView:
    id: int
    kind: str
    kind_label: str
    number: str
    issued_on: date | None
    issuer: str | None
    land_use: str | None
    land_area: Decimal | None
    land_term_end: date | None
    note: str | None


def certificate_view(c: ProjectCertificate) -> CertificateView:
    return CertificateView(c.id or 0, c.kind, CERTIFICATE_LABELS[CertificateKind(c.kind)], c.number, c.issued_on,
                           c.issuer, c.land_use, c.land_area, c.land_term_end, c.note)


@dataclass(frozen=True)
class BuildingRow:
    id: int
    number: str
    survey_number: str | None  # of the survey in force
    survey_kind: str | None  # 预测 / 实测
    units: int
    live_case: str | None  # a survey case being worked on it


@dataclass(frozen=True)
class ProjectView:
    id: int
    developer_id: int
    developer_name: str
    name: str
    location: str
    district: str
    land_area: Decimal | None
    floor_area: Decimal | None
    property_company: str | None
    note: str | None
    certificates: list[CertificateView]
    missing: list[str]  # which of the 四证 are not registered
    buildings: list[BuildingRow]


def project_view(session: Session, project: Project, buildings: list[BuildingRow]) -> ProjectView:
    certificates = session.execute(
        select(ProjectCertificate).where(ProjectCertificate.project_id == project.id)
        .order_by(ProjectCertificate.kind, ProjectCertificate.id)).scalars().all()
    missing = [CERTIFICATE_LABELS[k] for k in missing_certificates(c.kind for c in certificates)]
    return ProjectView(project.id or 0, project.developer_id, developer_of(session, project.developer_id).name,
                       project.name, project.location, project.district, project.land_area, project.floor_area,
                       project.property_company, project.note, [certificate_view(c) for c in certificates], missing,
                       buildings)
