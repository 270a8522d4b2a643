"""当事人登记: register, change and find the persons and organisations of the hall's
register; bind and unbind an organisation's agents; register an owner's notarised
proxy; record an ID change; import a hall's existing register from a CSV file.

Each use case checks the operator's account and role first (``authorise``,
``Permission.PARTY_REGISTER``: clerks and supervisors register at the window),
checks every value with ``core.parties`` (nothing is written when one is bad),
writes in one transaction and appends one audit row (numbers and phones masked by
the audit log). Views carry masked numbers only.

A person is found by any number the register holds for them: the main document
(a resident ID in its 15- and 18-digit forms), a further document
(``PersonDocument``) or a number they held before an ID change (``IdentityChange``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select, union
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.errors import RuleViolation
from core.identity import (
    ID_KIND_LABELS,
    IdKind,
    mask_id,
    mask_name,
    mask_phone,
    normalize,
    parse_credit_code,
    parse_identity,
    register_keys,
)
from core.parties import (
    DEFAULT_AGENT_SCOPE,
    DEFAULT_PROXY_SCOPE,
    OrgEntry,
    OrgRecord,
    PartyInvalid,
    PersonEntry,
    PersonRecord,
    RowError,
    capacity_of,
    check_id_change,
    check_notarial_certificate,
    check_organisation,
    check_period,
    check_person,
    check_phone,
    check_text,
    decode_register_file,
    parse_register_csv,
)
from core.roles import Actor, Permission
from core.timeutil import local_today
from services import audit
from services.authority import authorise
from storage.engine import Database
from storage.models import IdentityChange, OrgAgent, Organisation, OwnerProxy, Person, PersonDocument

__all__ = [
    "AgentView",
    "ImportInvalid",
    "ImportResult",
    "PartyView",
    "PersonChange",
    "ProxyView",
    "add_agent",
    "add_proxy",
    "change_id",
    "change_organisation",
    "change_party",
    "change_person",
    "find_party",
    "import_register",
    "parties_by_numbers",
    "person_ids_by_number",
    "register_organisation",
    "register_person",
    "unbind_agent",
]


@dataclass(frozen=True)
class PartyView:
    """A registered party as the counter shows it (numbers masked)."""

    kind: str  # "person" | "organisation"
    id: int
    name: str
    document: str
    masked_number: str
    masked_phone: str


@dataclass(frozen=True)
class AgentView:
    id: int
    organisation: str
    agent_name: str
    masked_number: str
    valid_from: date
    valid_to: date
    scope: str
    unbound: bool


@dataclass(frozen=True)
class ProxyView:
    id: int
    principal_name: str
    proxy_name: str
    notarial_certificate: str
    valid_from: date
    valid_to: date
    scope: str


def _kind_label(kind: str) -> str:
    try:
        return ID_KIND_LABELS[IdKind(kind)]
    except ValueError:
        return kind


def _person_view(p: Person) -> PartyView:
    return PartyView("person", p.id or 0, p.name, _kind_label(p.id_kind), mask_id(p.id_number),
                     mask_phone(p.phone) if p.phone else "")


def _org_view(o: Organisation) -> PartyView:
    return PartyView("organisation", o.id or 0, o.name, "统一社会信用代码", o.credit_code,
                     mask_phone(o.phone) if o.phone else "")


def _today(db: Database) -> date:
    return local_today(db.now())


# --------------------------------------------------------------------------
# Finding who a number names
# --------------------------------------------------------------------------


def _candidates(raw: object) -> set[str]:
    """The stored forms a typed number may have: as normalised, a resident ID's other
    form, a 港澳居民身份证 with its check in brackets."""
    if not isinstance(raw, str) or len(raw) > 200:
        return set()
    number = normalize(raw)
    if not number or not number.isprintable():
        return set()
    found = {number} | {n for _, n in register_keys(IdKind.RESIDENT_ID, number)}
    try:
        found.add(parse_identity(number, IdKind.HK_MACAO_ID, today=date.max).number)
    except RuleViolation:
        pass
    return found


def person_ids_by_number(session: Session, raw: object) -> set[int]:
    """Every person one of whose numbers (main, further, before an ID change) is ``raw``."""
    numbers = _candidates(raw)
    if not numbers:
        return set()
    return set(session.execute(union(
        select(Person.id).where(Person.id_number.in_(numbers)),
        select(PersonDocument.person_id).where(PersonDocument.id_number.in_(numbers)),
        select(IdentityChange.person_id).where(IdentityChange.old_number.in_(numbers)),
    )).scalars())


def _person(session: Session, raw: object, *, field: str, who: str = "当事人") -> Person:
    ids = person_ids_by_number(session, raw)
    if len(ids) > 1:
        raise RuleViolation("PARTY_AMBIGUOUS", f"该证件号码在登记簿中对应多人，无法确定{who}，请输入{who}的另一证件号码。",
                            field=field)
    if not ids:
        raise RuleViolation("PARTY_NOT_FOUND", f"登记簿中没有该证件号码的{who}，请先登记{who}。", field=field)
    person = session.get(Person, ids.pop())
    assert person is not None
    return person


def _organisation(session: Session, raw: object, *, field: str = "credit_code") -> Organisation:
    code = parse_credit_code(raw).code  # type: ignore[arg-type]  # a malformed code is refused as such
    org = session.execute(select(Organisation).where(Organisation.credit_code == code)).scalars().first()
    if org is None:
        raise RuleViolation("ORG_NOT_FOUND", "登记簿中没有该统一社会信用代码的单位，请先登记单位。", field=field)
    return org


def parties_by_numbers(session: Session, numbers: Iterable[str]) -> dict[str, frozenset[tuple[str, int]]]:
    """Who each number names, looked up in chunks (a file's worth at once): the organisation
    whose credit code it is, if any, else every person holding it (``find_party``'s rule: any of
    their documents, or a number held before an ID change); an empty set for a number nobody holds."""
    wanted = {n: _candidates(n) for n in set(numbers)}
    codes = sorted({normalize(n) for n in wanted if len(n) <= 200 and len(normalize(n)) == 18})
    forms = sorted(set().union(*wanted.values())) if wanted else []
    orgs: dict[str, int] = {}
    for i in range(0, len(codes), _CHUNK):
        orgs.update(session.execute(select(Organisation.credit_code, Organisation.id)
                                    .where(Organisation.credit_code.in_(codes[i:i + _CHUNK]))).all())
    holders: dict[str, set[int]] = {}
    for i in range(0, len(forms), _CHUNK):
        chunk = forms[i:i + _CHUNK]
        for number, person_id in session.execute(union(
            select(Person.id_number, Person.id).where(Person.id_number.in_(chunk)),
            select(PersonDocument.id_number, PersonDocument.person_id).where(PersonDocument.id_number.in_(chunk)),
            select(IdentityChange.old_number, IdentityChange.person_id).where(IdentityChange.old_number.in_(chunk)),
        )).all():
            holders.setdefault(number, set()).add(person_id)
    found: dict[str, frozenset[tuple[str, int]]] = {}
    for number, candidates in wanted.items():
        org_id = orgs.get(normalize(number)) if len(number) <= 200 else None
        if org_id is not None:
            found[number] = frozenset({("organisation", org_id)})
        else:
            found[number] = frozenset(("person", p) for c in candidates for p in holders.get(c, ()))
    return found


def find_party(db: Database, actor: Actor, number: str) -> tuple[str, int]:
    """Who a number names: ("organisation", id) for a credit code of the register, else
    ("person", id) for the one person holding that number (any of their documents, or a
    number held before an ID change). PARTY_NOT_FOUND / PARTY_AMBIGUOUS otherwise."""
    authorise(db, actor, Permission.LOOKUP_APPLICANT)
    with db.read() as session:
        if isinstance(number, str) and len(number) <= 200 and len(normalize(number)) == 18:
            org_id = session.execute(
                select(Organisation.id).where(Organisation.credit_code == normalize(number))).scalar_one_or_none()
            if org_id is not None:
                return "organisation", org_id
        return "person", _person(session, number, field="id_number").id  # type: ignore[return-value]


# --------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------


_CHUNK = 500


def _held_keys(session: Session, keys: frozenset[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Which of ``keys`` the register already holds (any table), with the holder's name;
    looked up in chunks by number, the kind compared here."""
    numbers = sorted({n for _, n in keys})
    held: dict[tuple[str, str], str] = {}
    for i in range(0, len(numbers), _CHUNK):
        chunk = numbers[i:i + _CHUNK]
        rows = session.execute(union(
            select(Person.id_kind, Person.id_number, Person.name).where(Person.id_number.in_(chunk)),
            select(PersonDocument.id_kind, PersonDocument.id_number, Person.name)
            .join(Person, Person.id == PersonDocument.person_id).where(PersonDocument.id_number.in_(chunk)),
            select(IdentityChange.old_kind, IdentityChange.old_number, Person.name)
            .join(Person, Person.id == IdentityChange.person_id).where(IdentityChange.old_number.in_(chunk)),
        )).all()
        held.update({(kind, number): name for kind, number, name in rows if (kind, number) in keys})
    return held


def _held_codes(session: Session, codes: list[str]) -> dict[str, str]:
    """Which credit codes the register already holds, with the organisation's name."""
    held: dict[str, str] = {}
    for i in range(0, len(codes), _CHUNK):
        rows = session.execute(select(Organisation.credit_code, Organisation.name)
                               .where(Organisation.credit_code.in_(codes[i:i + _CHUNK]))).all()
        held.update({code: name for code, name in rows})
    return held


def _refuse_registered(session: Session, record: PersonRecord) -> None:
    holder = next(iter(_held_keys(session, record.keys).values()), None)
    if holder is not None:
        raise RuleViolation(
            "PERSON_ALREADY_REGISTERED",
            f"该证件号码已登记（{mask_name(holder)}），不能重复登记；信息有误请使用“变更”，证件号码变更请办理身份变更。",
            field="id_number")


def _person_row(record: PersonRecord) -> Person:
    return Person(name=record.name, id_kind=record.id_kind, id_number=record.id_number, region=record.region,
                  nationality=record.nationality, birth_date=record.birth_date, sex=record.sex, phone=record.phone,
                  address=record.address, capacity=record.capacity)


def _person_snapshot(p: Person) -> dict:
    return {"name": p.name, "id_kind": p.id_kind, "id_number": p.id_number, "region": p.region,
            "nationality": p.nationality, "phone": p.phone, "address": p.address, "capacity": p.capacity}


def register_person(db: Database, actor: Actor, entry: PersonEntry) -> PartyView:
    """Register a person (every value checked; a number the register already holds is
    refused, PERSON_ALREADY_REGISTERED)."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    record = check_person(entry, today=_today(db))
    try:
        with db.write() as session:
            _refuse_registered(session, record)
            person = _person_row(record)
            session.add(person)
            session.flush()
            audit.append(session, actor, "party_register_person", object_type="person", object_id=person.id,
                         after=_person_snapshot(person))
            return _person_view(person)
    except IntegrityError:  # the UNIQUE backstop: another terminal registered the number meanwhile
        raise RuleViolation("PERSON_ALREADY_REGISTERED", "该证件号码刚刚已由其他窗口登记，不能重复登记。",
                            field="id_number") from None


@dataclass(frozen=True)
class PersonChange:
    """What changes: ``None`` keeps a value; a blank phone or address removes it."""

    phone: object = None
    address: object = None
    capacity: object = None


def change_person(db: Database, actor: Actor, number: str, change: PersonChange) -> PartyView:
    """Change a registered person's phone, address or capacity (name and document change
    only through ``change_id``, with the material that proves it)."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    today = _today(db)
    if change.phone is None and change.address is None and change.capacity is None:
        raise RuleViolation("PARTY_NOTHING_TO_CHANGE", "请填写要变更的手机号、住址或行为能力。")
    with db.write() as session:
        person = _person(session, number, field="id_number")
        before = _person_snapshot(person)
        errors: list[RuleViolation] = []
        updates: dict[str, object] = {}
        if change.phone is not None:
            try:
                updates["phone"] = check_phone(change.phone)
            except RuleViolation as exc:
                errors.append(exc)
        if change.address is not None:
            try:
                updates["address"] = check_text(change.address, field="address", label="住址", max_length=200)
            except RuleViolation as exc:
                errors.append(exc)
        if change.capacity is not None:
            try:
                facts = None
                try:
                    facts = parse_identity(person.id_number, person.id_kind, today=today,
                                           nationality=person.nationality)
                except RuleViolation:
                    facts = None
                updates["capacity"] = capacity_of(change.capacity, facts, today)
            except RuleViolation as exc:
                errors.append(exc)
        if errors:
            raise PartyInvalid(errors)
        for key, value in updates.items():
            setattr(person, key, value)
        session.add(person)
        session.flush()
        audit.append(session, actor, "party_change_person", object_type="person", object_id=person.id,
                     before=before, after=_person_snapshot(person))
        return _person_view(person)


# --------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------


def _org_snapshot(o: Organisation) -> dict:
    return {"name": o.name, "credit_code": o.credit_code, "legal_rep_name": o.legal_rep_name, "phone": o.phone,
            "address": o.address}


def register_organisation(db: Database, actor: Actor, entry: OrgEntry) -> PartyView:
    """Register an organisation by its 统一社会信用代码 (unique: ORG_ALREADY_REGISTERED)."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    record = check_organisation(entry)
    try:
        with db.write() as session:
            _refuse_org_registered(session, record)
            org = Organisation(name=record.name, credit_code=record.credit_code,
                               legal_rep_name=record.legal_rep_name, phone=record.phone, address=record.address)
            session.add(org)
            session.flush()
            audit.append(session, actor, "party_register_organisation", object_type="organisation",
                         object_id=org.id, after=_org_snapshot(org))
            return _org_view(org)
    except IntegrityError:  # the UNIQUE backstop: another terminal registered the code meanwhile
        raise RuleViolation("ORG_ALREADY_REGISTERED", "该统一社会信用代码刚刚已由其他窗口登记，不能重复登记。",
                            field="credit_code") from None


def _refuse_org_registered(session: Session, record: OrgRecord) -> None:
    holder = _held_codes(session, [record.credit_code]).get(record.credit_code)
    if holder is not None:
        raise RuleViolation("ORG_ALREADY_REGISTERED", f"该统一社会信用代码已登记（{holder}），不能重复登记。",
                            field="credit_code")


def change_organisation(db: Database, actor: Actor, credit_code: str, *, name: object = None,
                        legal_rep_name: object = None, phone: object = None, address: object = None) -> PartyView:
    """Change an organisation's name, legal representative, phone or address (``None``
    keeps a value; the credit code never changes)."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    if name is None and legal_rep_name is None and phone is None and address is None:
        raise RuleViolation("PARTY_NOTHING_TO_CHANGE", "请填写要变更的单位名称、法定代表人、联系电话或地址。")
    with db.write() as session:
        org = _organisation(session, credit_code)
        before = _org_snapshot(org)
        record = check_organisation(OrgEntry(
            name=org.name if name is None else name, credit_code=org.credit_code,
            legal_rep_name=org.legal_rep_name if legal_rep_name is None else legal_rep_name,
            phone=org.phone if phone is None else phone, address=org.address if address is None else address))
        org.name, org.legal_rep_name, org.phone, org.address = (record.name, record.legal_rep_name, record.phone,
                                                                record.address)
        session.add(org)
        session.flush()
        audit.append(session, actor, "party_change_organisation", object_type="organisation", object_id=org.id,
                     before=before, after=_org_snapshot(org))
        return _org_view(org)


def change_party(db: Database, actor: Actor, number: str, *, phone: object = None, address: object = None,
                 capacity: object = None, name: object = None, legal_rep_name: object = None) -> PartyView:
    """变更: whoever ``number`` names (``find_party``) — a person's phone, address or
    capacity (``change_person``), an organisation's name, legal representative, phone or
    address (``change_organisation``). A value that does not fit the party is refused
    (PARTY_FIELD_FOR_PERSON / PARTY_FIELD_FOR_ORG)."""
    kind, _ = find_party(db, actor, number)
    if kind == "organisation":
        if capacity is not None and not (isinstance(capacity, str) and not capacity.strip()):
            raise RuleViolation("PARTY_FIELD_FOR_PERSON", "行为能力只适用于个人，单位不能填写。", field="capacity")
        return change_organisation(db, actor, number, name=name, legal_rep_name=legal_rep_name, phone=phone,
                                   address=address)
    for value, label, field in ((name, "姓名", "name"), (legal_rep_name, "法定代表人", "legal_rep_name")):
        if value is not None and not (isinstance(value, str) and not value.strip()):
            raise RuleViolation("PARTY_FIELD_FOR_ORG",
                                f"个人的{label}不能在此变更：姓名变更请办理身份变更，法定代表人只适用于单位。", field=field)
    return change_person(db, actor, number, PersonChange(phone=phone, address=address, capacity=capacity))


# --------------------------------------------------------------------------
# Agents (经办人) and proxies (公证委托代理人)
# --------------------------------------------------------------------------


def _agent_view(a: OrgAgent, org: Organisation, person: Person) -> AgentView:
    return AgentView(a.id or 0, org.name, person.name, mask_id(person.id_number), a.valid_from, a.valid_to, a.scope,
                     a.unbound_at is not None)


def add_agent(db: Database, actor: Actor, *, credit_code: str, agent_number: str, valid_from: object,
              valid_to: object, scope: object = None) -> AgentView:
    """法人添加经办人 (seed 001 §1.3): the organisation (by credit code) authorises a
    registered person for a period. Refused: the period (``check_period``), a person
    not of full capacity (AGENT_NOT_CAPABLE), a blacklisted organisation
    (ORG_BLACKLISTED), an authorisation of the same person still in force
    (AGENT_ALREADY_BOUND)."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    today = _today(db)
    start, end = check_period(valid_from, valid_to, today=today, what="授权")
    text = check_text(scope, field="scope", label="授权范围", max_length=80) or DEFAULT_AGENT_SCOPE
    with db.write() as session:
        org = _organisation(session, credit_code)
        person = _person(session, agent_number, field="agent_number", who="经办人")
        if org.blacklisted:
            raise RuleViolation("ORG_BLACKLISTED", "该单位在黑名单中，不能添加经办人。", field="credit_code")
        if person.capacity != "full":
            raise RuleViolation("AGENT_NOT_CAPABLE", "经办人须为完全民事行为能力人。", field="agent_number")
        bound = session.execute(select(OrgAgent).where(
            OrgAgent.organisation_id == org.id, OrgAgent.person_id == person.id, OrgAgent.unbound_at.is_(None),
            OrgAgent.valid_to >= start, OrgAgent.valid_from <= end)).scalars().first()
        if bound is not None:
            raise RuleViolation(
                "AGENT_ALREADY_BOUND",
                f"{person.name}已是该单位的经办人（{bound.valid_from.isoformat()}至{bound.valid_to.isoformat()}），"
                "请先解绑再重新添加。", field="agent_number")
        grant = OrgAgent(organisation_id=org.id, person_id=person.id, valid_from=start, valid_to=end, scope=text)
        session.add(grant)
        session.flush()
        audit.append(session, actor, "party_add_agent", object_type="organisation", object_id=org.id,
                     after={"org_agent_id": grant.id, "person_id": person.id, "id_number": person.id_number,
                            "valid_from": start.isoformat(), "valid_to": end.isoformat(), "scope": text})
        return _agent_view(grant, org, person)


def unbind_agent(db: Database, actor: Actor, *, credit_code: str, agent_number: str) -> AgentView:
    """法人解绑经办人 (seed 001 §1.4): every authorisation of that person by that
    organisation not yet unbound ends now (AGENT_NOT_BOUND when there is none)."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    with db.write() as session:
        org = _organisation(session, credit_code)
        person = _person(session, agent_number, field="agent_number", who="经办人")
        grants = list(session.execute(select(OrgAgent).where(
            OrgAgent.organisation_id == org.id, OrgAgent.person_id == person.id, OrgAgent.unbound_at.is_(None))
            .order_by(OrgAgent.valid_to.desc())).scalars())
        if not grants:
            raise RuleViolation("AGENT_NOT_BOUND", f"{person.name}不是该单位的经办人，无需解绑。", field="agent_number")
        now = db.now()
        for grant in grants:
            grant.unbound_at = now
            session.add(grant)
        session.flush()
        audit.append(session, actor, "party_unbind_agent", object_type="organisation", object_id=org.id,
                     after={"org_agent_ids": [g.id for g in grants], "person_id": person.id,
                            "id_number": person.id_number})
        return _agent_view(grants[0], org, person)


def add_proxy(db: Database, actor: Actor, *, principal_number: str, proxy_number: str, notarial_certificate: object,
              valid_from: object, valid_to: object, scope: object = None) -> ProxyView:
    """Register an owner's notarised proxy (业主委托代理人, seed 001 §3): the owner
    (principal) and the proxy are registered persons, the 公证书编号 as printed, the
    scope and the validity. Refused: the same person (PROXY_SELF), a proxy not of full
    capacity (PROXY_NOT_CAPABLE), the same notarial certificate already registered for
    this owner (PROXY_DUPLICATE)."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    today = _today(db)
    errors: list[RuleViolation] = []
    number = start = end = text = None
    try:
        number = check_notarial_certificate(notarial_certificate)
    except RuleViolation as exc:
        errors.append(exc)
    try:
        start, end = check_period(valid_from, valid_to, today=today, what="委托")
    except PartyInvalid as exc:
        errors.extend(exc.errors)
    except RuleViolation as exc:
        errors.append(exc)
    try:
        text = check_text(scope, field="scope", label="委托事项", max_length=200) or DEFAULT_PROXY_SCOPE
    except RuleViolation as exc:
        errors.append(exc)
    if errors:
        raise PartyInvalid(errors)
    with db.write() as session:
        principal = _person(session, principal_number, field="principal_number", who="委托人")
        proxy = _person(session, proxy_number, field="proxy_number", who="代理人")
        if principal.id == proxy.id:
            raise RuleViolation("PROXY_SELF", "委托人和代理人不能是同一人。", field="proxy_number")
        if proxy.capacity != "full":
            raise RuleViolation("PROXY_NOT_CAPABLE", "代理人须为完全民事行为能力人。", field="proxy_number")
        duplicate = session.execute(select(OwnerProxy.id).where(
            OwnerProxy.principal_id == principal.id, OwnerProxy.notarial_certificate == number)).first()
        if duplicate is not None:
            raise RuleViolation("PROXY_DUPLICATE", "该委托人的这份公证书已登记，不能重复登记。",
                                field="notarial_certificate")
        row = OwnerProxy(principal_id=principal.id, proxy_id=proxy.id, notarial_certificate=number,
                         valid_from=start, valid_to=end, scope=text)
        session.add(row)
        session.flush()
        audit.append(session, actor, "party_add_proxy", object_type="person", object_id=principal.id,
                     after={"owner_proxy_id": row.id, "proxy_id": proxy.id, "notarial_certificate": number,
                            "valid_from": start.isoformat(), "valid_to": end.isoformat(), "scope": text})
        return ProxyView(row.id or 0, principal.name, proxy.name, number, start, end, text)


# --------------------------------------------------------------------------
# ID changes (身份变更)
# --------------------------------------------------------------------------


def change_id(db: Database, actor: Actor, *, old_number: str, new_number: str, proof: object,
              new_kind: object = None, new_name: object = None, nationality: object = None) -> PartyView:
    """Record an ID change (身份变更, seed 001 §5.2.2.2): the person found by the number
    the register holds (``old_number``) now holds ``new_number`` (and ``new_name`` when
    the name changed too); the old number is kept with the 身份变更材料 and still finds
    them (a certificate may carry it). Refused: the new number the same document
    (ID_CHANGE_SAME_NUMBER) or another person's (PERSON_ALREADY_REGISTERED)."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    record = check_id_change(new_kind=new_kind, new_number=new_number, proof=proof, today=_today(db),
                             new_name=new_name, nationality=nationality)
    facts = record.facts
    with db.write() as session:
        person = _person(session, old_number, field="old_number")
        keys = register_keys(facts.kind, facts.number)
        if (person.id_kind, person.id_number) in keys or keys & register_keys(person.id_kind, person.id_number):
            raise RuleViolation("ID_CHANGE_SAME_NUMBER", "新证件号码与登记簿记载的证件号码相同，无需办理身份变更。",
                                field="new_number")
        holder_ids = person_ids_by_number(session, facts.number) - {person.id}
        if holder_ids:
            raise RuleViolation("PERSON_ALREADY_REGISTERED", "新证件号码已登记在他人名下，请核对身份变更材料。",
                                field="new_number")
        before = _person_snapshot(person)
        change = IdentityChange(
            person_id=person.id, old_kind=person.id_kind, old_number=person.id_number, old_name=person.name,
            new_kind=facts.kind.value, new_number=facts.number, new_name=record.new_name or person.name,
            proof=record.proof, recorded_at=db.now(), operator_id=actor.operator_id)
        session.add(change)
        # The document held before goes: drop a further document that is now the main one.
        for doc in session.execute(select(PersonDocument).where(
                PersonDocument.person_id == person.id,
                or_(*[(PersonDocument.id_kind == k) & (PersonDocument.id_number == n) for k, n in keys]))).scalars():
            session.delete(doc)
        person.id_kind, person.id_number = facts.kind.value, facts.number
        person.region, person.nationality = facts.region.value, facts.nationality or person.nationality
        person.birth_date = facts.birth_date or person.birth_date
        person.sex = facts.sex or person.sex
        person.name = record.new_name or person.name
        session.add(person)
        session.flush()
        audit.append(session, actor, "party_change_id", object_type="person", object_id=person.id,
                     before=before, after={**_person_snapshot(person), "identity_change_id": change.id,
                                           "proof": record.proof})
        return _person_view(person)


# --------------------------------------------------------------------------
# Importing a hall's existing register
# --------------------------------------------------------------------------


class ImportInvalid(RuleViolation):
    """The file has bad rows: every one is listed, nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("CSV_HAS_ERRORS", f"文件中有{len(errors)}处错误，未导入任何记录，请改正后重新导入。", field="file")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    persons: int
    organisations: int


def import_register(db: Database, actor: Actor, data: bytes) -> ImportResult:
    """Import a register file (``core.parties.parse_register_csv``): every row checked,
    and every number checked against the register (PERSON_ALREADY_REGISTERED /
    ORG_ALREADY_REGISTERED). Any bad row: ``ImportInvalid`` listing them all, nothing
    written. A clean file: one transaction; an audit row per party written and one for the import."""
    authorise(db, actor, Permission.PARTY_REGISTER)
    try:
        text = decode_register_file(data)
    except RuleViolation as exc:
        raise ImportInvalid([RowError(1, "文件", exc.code, exc.message)]) from None
    parsed = parse_register_csv(text, today=_today(db))
    if parsed.errors:
        raise ImportInvalid(parsed.errors)
    with db.write() as session:
        errors: list[RowError] = []
        held = _held_keys(session, frozenset().union(*(r.keys for _, r in parsed.persons)))
        for row, record in parsed.persons:
            holder = next((held[k] for k in record.keys if k in held), None)
            if holder is not None:
                errors.append(RowError(row, "证件号码", "PERSON_ALREADY_REGISTERED",
                                       f"该证件号码已登记（{mask_name(holder)}），不能重复导入。"))
        codes = _held_codes(session, [o.credit_code for _, o in parsed.organisations])
        for row, org in parsed.organisations:
            if org.credit_code in codes:
                errors.append(RowError(row, "证件号码", "ORG_ALREADY_REGISTERED",
                                       f"该统一社会信用代码已登记（{codes[org.credit_code]}），不能重复导入。"))
        if errors:
            raise ImportInvalid(sorted(errors, key=lambda e: e.row))
        persons = [(row, _person_row(r)) for row, r in parsed.persons]
        orgs = [(row, Organisation(name=o.name, credit_code=o.credit_code, legal_rep_name=o.legal_rep_name,
                                   phone=o.phone, address=o.address)) for row, o in parsed.organisations]
        session.add_all([p for _, p in persons] + [o for _, o in orgs])
        session.flush()
        # Every party written is audited as if registered at the window, with its row of the file.
        for row, person in persons:
            audit.append(session, actor, "party_register_person", object_type="person", object_id=person.id,
                         after={**_person_snapshot(person), "imported_row": row})
        for row, org in orgs:
            audit.append(session, actor, "party_register_organisation", object_type="organisation",
                         object_id=org.id, after={**_org_snapshot(org), "imported_row": row})
        audit.append(session, actor, "party_import", object_type="register",
                     after={"persons": len(persons), "organisations": len(orgs)})
        return ImportResult(len(parsed.persons), len(parsed.organisations))

