"""申请人查询: find the person or organisation at the window, show who they are.

Numbers are masked in every result; revealing one is a separate, audited act.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type
from core.errors import RuleViolation
from core.identity import (
    ID_KIND_LABELS,
    REGION_LABELS,
    IdKind,
    Region,
    mask_id,
    mask_numbers_in_text,
    mask_phone,
)
from core.lookup import LookupKind, plan_lookup
from core.roles import Actor, Permission
from core.timeutil import local_today
from services import audit
from services.authority import authorise
from storage.engine import Database
from storage.models import (
    Case,
    CaseParty,
    Family,
    FamilyMember,
    Home,
    HomeOwner,
    IdentityChange,
    OrgAgent,
    Organisation,
    OwnerProxy,
    Person,
    PersonDocument,
)

_TOP = "\U0010ffff"  # sorts after every character: prefix p is the range [p, p+_TOP)

CITY_LABELS = {"shenzhen": "深圳", "zhongshan": "中山", "wuhan": "武汉"}
CAPACITY_LABELS = {"full": "完全民事行为能力", "limited": "限制民事行为能力", "none": "无民事行为能力"}


@dataclass(frozen=True)
class ApplicantHit:
    kind: str  # "person" | "organisation"
    id: int
    name: str
    document: str  # Chinese label of the document kind
    masked_number: str
    masked_phone: str
    matched_by: LookupKind
    flags: str  # e.g. "黑名单"


def _prefix(column, text: str):
    return (column >= text) & (column < text + _TOP)


def _id_label(kind: str) -> str:
    try:
        return ID_KIND_LABELS[IdKind(kind)]
    except ValueError:
        return kind


# Only the columns a result line shows: building ORM entities for every
# keystroke's rows cost more than the index scan itself.
_PERSON_COLUMNS = (Person.id, Person.name, Person.id_kind, Person.id_number, Person.phone, Person.blacklisted,
                   Person.capacity)
_ORG_COLUMNS = (Organisation.id, Organisation.name, Organisation.credit_code, Organisation.phone,
                Organisation.blacklisted)


def _person_hit(row, by: LookupKind) -> ApplicantHit:
    pid, name, id_kind, id_number, phone, blacklisted, capacity = row
    flags = []
    if blacklisted:
        flags.append("黑名单")
    if capacity != "full":
        flags.append("限制行为能力" if capacity == "limited" else "无行为能力")
    return ApplicantHit(
        "person", pid, name, _id_label(id_kind), mask_id(id_number),
        mask_phone(phone) if phone else "", by, " ".join(flags),
    )


def _org_hit(row, by: LookupKind) -> ApplicantHit:
    oid, name, credit_code, phone, blacklisted = row
    return ApplicantHit(
        "organisation", oid, name, "统一社会信用代码", credit_code,
        mask_phone(phone) if phone else "", by, "黑名单" if blacklisted else "",
    )


def search_in(session: Session, text: str, kind: LookupKind, limit: int) -> list[ApplicantHit]:
    """One kind of search; every query is one index range scan with LIMIT."""
    if kind is LookupKind.ID_NUMBER:
        rows = session.execute(
            select(*_PERSON_COLUMNS).where(_prefix(Person.id_number, text)).order_by(Person.id_number).limit(limit)
        ).all()
        hits = [_person_hit(r, kind) for r in rows]
        if len(hits) < limit and len(text) >= 8:
            docs = session.execute(
                select(*_PERSON_COLUMNS).join(PersonDocument, PersonDocument.person_id == Person.id)
                .where(_prefix(PersonDocument.id_number, text)).limit(limit - len(hits))
            ).all()
            hits += [_person_hit(r, kind) for r in docs]
        if len(hits) < limit and len(text) >= 8:  # a number held before an ID change still finds its person
            before = session.execute(
                select(*_PERSON_COLUMNS).join(IdentityChange, IdentityChange.person_id == Person.id)
                .where(_prefix(IdentityChange.old_number, text)).limit(limit - len(hits))
            ).all()
            hits += [_person_hit(r, kind) for r in before]
        return hits
    if kind is LookupKind.PHONE:
        rows = session.execute(
            select(*_PERSON_COLUMNS).where(_prefix(Person.phone, text)).order_by(Person.phone).limit(limit)
        ).all()
        return [_person_hit(r, kind) for r in rows]
    if kind is LookupKind.CREDIT_CODE:
        rows = session.execute(
            select(*_ORG_COLUMNS).where(_prefix(Organisation.credit_code, text))
            .order_by(Organisation.credit_code).limit(limit)
        ).all()
        return [_org_hit(r, kind) for r in rows]
    rows = session.execute(
        select(*_PERSON_COLUMNS).where(_prefix(Person.name, text)).order_by(Person.name, Person.id).limit(limit)
    ).all()
    hits = [_person_hit(r, kind) for r in rows]
    if len(hits) < limit:
        orgs = session.execute(
            select(*_ORG_COLUMNS).where(_prefix(Organisation.name, text))
            .order_by(Organisation.name, Organisation.id).limit(limit - len(hits))
        ).all()
        hits += [_org_hit(r, kind) for r in orgs]
    return hits


def search_applicants(db: Database, actor: Actor, query: str, *, limit: int = 50) -> list[ApplicantHit]:
    """Search by ID number, name prefix, phone or credit code; masked results.

    The kinds the typed text could mean are searched in the plan's order (the
    most likely first) until a page of ``limit`` results is full.
    """
    authorise(db, actor, Permission.LOOKUP_APPLICANT)
    plan = plan_lookup(query)
    if plan.empty:
        return []
    seen: set[tuple[str, int]] = set()
    hits: list[ApplicantHit] = []
    with db.read() as session:
        for kind in plan.kinds:
            if len(hits) >= limit:
                break
            for hit in search_in(session, plan.text, kind, limit - len(hits)):
                if (hit.kind, hit.id) not in seen:
                    seen.add((hit.kind, hit.id))
                    hits.append(hit)
    return hits


# ---------------------------------------------------------------- detail


@dataclass(frozen=True)
class IdentityLine:
    document: str
    masked_number: str
    note: str = ""


@dataclass(frozen=True)
class AgentLine:
    relation: str  # e.g. "经办人（为 X 公司）" / "公证委托代理人"
    name: str
    masked_number: str
    valid_from: date
    valid_to: date
    current: bool
    note: str = ""


@dataclass(frozen=True)
class HomeLine:
    city: str
    location: str
    certificate: str
    co_ownership: str
    share: Decimal | None
    status: str


@dataclass(frozen=True)
class CaseLine:
    number: str
    type_name: str
    role: str
    status: str


@dataclass
class ApplicantDetail:
    kind: str
    id: int
    name: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    identities: list[IdentityLine] = field(default_factory=list)
    agents: list[AgentLine] = field(default_factory=list)
    homes: list[HomeLine] = field(default_factory=list)
    cases: list[CaseLine] = field(default_factory=list)
    allocation: str = "无保障房轮候记录"
    warnings: list[str] = field(default_factory=list)


CO_OWNERSHIP_LABELS = {"sole": "单独所有", "joint": "共同共有", "shares": "按份共有"}
FAMILY_STATUS_LABELS = {"waiting": "轮候中", "allocated": "已配租", "not_allocated": "未选中房源", "gave_up": "已主动放弃"}


def home_status(h: Home) -> str:
    parts = []
    if not h.valid:
        parts.append("权属无效")
    if h.seized:
        parts.append("已查封")
    if h.restricted:
        parts.append("行政限制")
    if h.mortgaged:
        parts.append("已抵押")
    if h.in_transaction:
        parts.append("交易中")
    return "、".join(parts) or "正常"


def _homes(session: Session, column, owner_id: int) -> list[HomeLine]:
    rows = session.execute(
        select(Home, HomeOwner.share).join(HomeOwner, HomeOwner.home_id == Home.id).where(column == owner_id).order_by(Home.id)
    ).all()
    return [
        HomeLine(CITY_LABELS.get(h.city, h.city), h.location, h.certificate_number,
                 CO_OWNERSHIP_LABELS.get(h.co_ownership, h.co_ownership), share, home_status(h))
        for h, share in rows
    ]


def _cases(session: Session, column, owner_id: int) -> list[CaseLine]:
    rows = session.execute(
        select(Case, CaseParty.role).join(CaseParty, CaseParty.case_id == Case.id).where(column == owner_id)
        .order_by(Case.created_at.desc()).limit(50)
    ).all()
    return [CaseLine(c.number, case_type(c.type_code).name, role, CASE_STATUS_LABELS[CaseStatus(c.status)]) for c, role in rows]


def applicant_detail(db: Database, actor: Actor, kind: str, applicant_id: int) -> ApplicantDetail:
    authorise(db, actor, Permission.LOOKUP_APPLICANT)
    today = local_today(db.now())
    with db.read() as session:
        if kind == "organisation":
            return _organisation_detail(session, applicant_id, today)
        return _person_detail(session, applicant_id, today)


def _person_detail(session: Session, person_id: int, today: date) -> ApplicantDetail:
    p = session.get(Person, person_id)
    if p is None:
        raise RuleViolation("APPLICANT_NOT_FOUND", "没有找到该申请人。")
    d = ApplicantDetail("person", p.id, p.name)
    region = REGION_LABELS.get(Region(p.region), p.region) if p.region in Region._value2member_map_ else p.region
    d.facts = [
        ("姓名", p.name),
        ("国籍/地区", f"{region}（{p.nationality}）"),
        ("性别", p.sex or ""),
        ("出生日期", f"{p.birth_date:%Y-%m-%d}" if p.birth_date else ""),
        ("手机号", mask_phone(p.phone) if p.phone else "未登记"),
        ("行为能力", CAPACITY_LABELS.get(p.capacity, p.capacity)),
        ("实名等级", f"{p.real_name_level} 级"),
        ("住址", p.address or ""),
    ]
    if p.birth_date and _age(p.birth_date, today) < 18:
        d.warnings.append("未成年人：办理业务须由监护人陪同。")
    if p.blacklisted:
        d.warnings.append(f"黑名单：{p.blacklist_reason or '原因未登记'}。")
    d.identities.append(IdentityLine(_id_label(p.id_kind), mask_id(p.id_number), "主证件"))
    for doc in session.execute(select(PersonDocument).where(PersonDocument.person_id == p.id)).scalars():
        note = f"有效期至 {doc.valid_to:%Y-%m-%d}" if doc.valid_to else ""
        d.identities.append(IdentityLine(_id_label(doc.id_kind), mask_id(doc.id_number), note))
    for change in session.execute(select(IdentityChange).where(IdentityChange.person_id == p.id)
                                  .order_by(IdentityChange.id)).scalars():
        d.identities.append(IdentityLine(_id_label(change.old_kind), mask_id(change.old_number),
                                         f"身份变更前（{change.old_name}），材料：{mask_numbers_in_text(change.proof)}"))
    for agent, org in session.execute(
        select(OrgAgent, Organisation).join(Organisation, Organisation.id == OrgAgent.organisation_id)
        .where(OrgAgent.person_id == p.id)
    ).all():
        d.agents.append(AgentLine("本人为单位经办人", org.name, org.credit_code, agent.valid_from, agent.valid_to,
                                  _agent_current(agent, today), _agent_note(agent)))
    for proxy, other in session.execute(
        select(OwnerProxy, Person).join(Person, Person.id == OwnerProxy.proxy_id).where(OwnerProxy.principal_id == p.id)
    ).all():
        d.agents.append(AgentLine("公证委托代理人", other.name, mask_id(other.id_number), proxy.valid_from, proxy.valid_to,
                                  proxy.valid_from <= today <= proxy.valid_to,
                                  " ".join(x for x in (proxy.notarial_certificate, proxy.scope) if x)))
    for proxy, other in session.execute(
        select(OwnerProxy, Person).join(Person, Person.id == OwnerProxy.principal_id).where(OwnerProxy.proxy_id == p.id)
    ).all():
        d.agents.append(AgentLine("本人受托代理", other.name, mask_id(other.id_number), proxy.valid_from, proxy.valid_to,
                                  proxy.valid_from <= today <= proxy.valid_to,
                                  " ".join(x for x in (proxy.notarial_certificate, proxy.scope) if x)))
    d.homes = _homes(session, HomeOwner.person_id, p.id)
    d.cases = _cases(session, CaseParty.person_id, p.id)
    family = session.execute(
        select(Family, FamilyMember.relation).join(FamilyMember, FamilyMember.family_id == Family.id)
        .where(FamilyMember.person_id == p.id)
    ).first()
    if family:
        fam, relation = family
        d.allocation = f"轮候排位第 {fam.rank} 位（{relation}，{fam.size} 人户）：{FAMILY_STATUS_LABELS.get(fam.status, fam.status)}"
    return d


def _organisation_detail(session: Session, org_id: int, today: date) -> ApplicantDetail:
    o = session.get(Organisation, org_id)
    if o is None:
        raise RuleViolation("APPLICANT_NOT_FOUND", "没有找到该申请单位。")
    d = ApplicantDetail("organisation", o.id, o.name)
    d.facts = [
        ("单位名称", o.name),
        ("法定代表人", o.legal_rep_name),
        ("联系电话", mask_phone(o.phone) if o.phone else "未登记"),
        ("地址", o.address or ""),
    ]
    if o.blacklisted:
        d.warnings.append("黑名单单位：不得办理业务。")
    d.identities.append(IdentityLine("统一社会信用代码", o.credit_code, ""))
    for agent, person in session.execute(
        select(OrgAgent, Person).join(Person, Person.id == OrgAgent.person_id).where(OrgAgent.organisation_id == o.id)
        .order_by(OrgAgent.valid_to.desc())
    ).all():
        d.agents.append(AgentLine("经办人", person.name, mask_id(person.id_number), agent.valid_from, agent.valid_to,
                                  _agent_current(agent, today), _agent_note(agent)))
    d.homes = _homes(session, HomeOwner.organisation_id, o.id)
    d.cases = _cases(session, CaseParty.organisation_id, o.id)
    d.allocation = "单位不适用保障房轮候"
    return d


def _agent_current(agent: OrgAgent, today: date) -> bool:
    return agent.unbound_at is None and agent.valid_from <= today <= agent.valid_to


def _agent_note(agent: OrgAgent) -> str:
    return agent.scope if agent.unbound_at is None else f"{agent.scope}（已解绑）"


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def reveal_number(db: Database, actor: Actor, kind: str, applicant_id: int) -> str:
    """Show the full ID number of an applicant; the reveal itself is audited."""
    authorise(db, actor, Permission.REVEAL_IDENTITY)
    with db.write() as session:
        if kind == "organisation":
            org = session.get(Organisation, applicant_id)
            if org is None:
                raise RuleViolation("APPLICANT_NOT_FOUND", "没有找到该申请单位。")
            number = org.credit_code
        else:
            person = session.get(Person, applicant_id)
            if person is None:
                raise RuleViolation("APPLICANT_NOT_FOUND", "没有找到该申请人。")
            number = person.id_number
        audit.append(
            session, actor, "reveal_identity", object_type=kind, object_id=applicant_id,
            after={"id_number": number},
        )
        return number
