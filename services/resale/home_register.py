"""房屋登记簿: register, change, show and find the homes of the hall's register; set and lift
the marks the title registry puts on a home (抵押, 查封, 限制, 无效), each with its reason;
import a hall's existing title register from a CSV file.

A hall that starts with an empty database registers its parties (``services.parties``),
then its homes here; the house check (``services.resale.house_check``) reads exactly
these rows.

Every business action is one transaction, authorised inside it against the operator's
account as it is now (``authorise``): registering, changing, marking and importing need
``Permission.HOME_REGISTER`` (supervisors and administrators: the register's facts come
from the title registry), looking a home up ``Permission.LOOKUP_APPLICANT`` (clerks too).
Values are checked by ``core.resale.home_register`` (nothing is written while one is bad);
owners are the register's parties, found by their document number or 统一社会信用代码
(``services.parties.parties_by_numbers``: any of a person's numbers, also one held before an
ID change). Each write appends one audit row (numbers masked by the audit log, free text
too); views carry masked numbers only.

* One certificate, one set of owners: a home registered on a certificate that already
  covers homes must name the same owners and co-ownership (HOME_CERTIFICATE_OWNERS_DIFFER);
  changing the owners of one such home changes those of every home on the certificate.
* A home in a transaction (``home.in_transaction``, or a live contract) is not changed
  (HOME_IN_TRANSACTION); the registry's marks may still be set or lifted — a seizure does
  not wait for the sale.
* Every change and every mark counts up ``home.register_version``: a house check records the
  count it saw, so one made before the change no longer describes the home, and no contract
  is made on it (``services.resale.contracts``, CONTRACT_REGISTER_CHANGED).

Concurrency: a change or a mark locks the home row first (``SELECT … FOR UPDATE``; on
SQLite the write transaction holds the database lock), as the house check and the contract
do; the unique unit number and the partial unique index on open marks are the last line
of defence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.errors import RuleViolation
from core.identity import ID_KIND_LABELS, IdKind, mask_id, mask_numbers_in_text
from core.parties import RowError, decode_register_file
from core.resale.certificates import parse_certificate, parse_unit_number
from core.resale.home_register import (
    CO_OWNERSHIP_LABELS,
    MARK_LABELS,
    USE_CLASS_LABELS,
    HomeEntry,
    HomeInvalid,
    HomeRecord,
    Mark,
    OwnerEntry,
    check_home,
    check_mark_reason,
    city_code,
    city_label,
    owner_field,
    parse_home_csv,
    parse_co_ownership,
    parse_mark,
    search_term,
)
from core.roles import Actor, Permission, require
from core.timeutil import local_today
from services import audit
from services.authority import authorise
from services.lookup import home_status
from services.parties import ImportInvalid, parties_by_numbers
from storage.engine import Database, session_now
from storage.models import Contract, Home, HomeMark, HomeOwner, Organisation, Person

__all__ = [
    "HomeChange",
    "HomeLine",
    "HomeSearch",
    "HomeView",
    "ImportResult",
    "MarkView",
    "OwnerView",
    "change_home",
    "clear_mark",
    "find_homes",
    "import_homes",
    "register_home",
    "set_mark",
    "show_home",
]

#: The most lines a search returns (the clerk narrows it down).
SEARCH_LIMIT = 50

#: Which flag of the home each mark sets, and the value that means "marked".
_FLAGS: dict[Mark, tuple[str, bool]] = {
    Mark.MORTGAGED: ("mortgaged", True), Mark.SEIZED: ("seized", True),
    Mark.RESTRICTED: ("restricted", True), Mark.INVALID: ("valid", False),
}


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerView:
    kind: str  # person / organisation
    name: str
    document: str  # 居民身份证 / 统一社会信用代码 …
    masked_number: str
    share: Decimal | None

    @property
    def text(self) -> str:
        share = f" {self.share:f}%" if self.share is not None else ""
        return f"{self.name}（{self.document} {self.masked_number}）{share}"


@dataclass(frozen=True)
class MarkView:
    kind: str
    label: str  # 抵押 / 查封 / 限制 / 无效
    reason: str  # "" when the mark predates the register's reasons
    set_at: datetime | None
    cleared_at: datetime | None = None
    clear_reason: str | None = None


@dataclass(frozen=True)
class HomeView:
    """A registered home as the counter shows it (owners' numbers masked)."""

    id: int
    city: str
    city_label: str
    district: str
    certificate_number: str
    check_code: str | None
    unit_number: str
    location: str
    building: str
    floor: int
    room: str
    total_floors: int
    floor_area: Decimal
    inner_area: Decimal | None
    land_area: Decimal | None
    structure: str
    design_use: str
    use_class: str
    use_class_label: str
    use_class_normalised: bool
    completion_year: int | None
    co_ownership: str
    co_ownership_label: str
    owners: tuple[OwnerView, ...]
    status: str  # 正常 / 已抵押、已查封 …
    marks: tuple[MarkView, ...]  # in force
    history: tuple[MarkView, ...]  # lifted, newest first
    in_transaction: bool
    contract_number: str | None
    homes_on_certificate: int

    @property
    def use_text(self) -> str:
        """设计用途, with the use class when it says more: 住宅 / 车位（用途大类：车位）… / 商务公寓（暂按办公，……）."""
        if not self.use_class_normalised:
            return f"{self.design_use}（暂按{self.use_class_label}，用途大类未规范，交易前须限购/限售核定）"
        if self.design_use != self.use_class_label:
            return f"{self.design_use}（用途大类：{self.use_class_label}）"
        return self.design_use


@dataclass(frozen=True)
class HomeLine:
    """One home a search found."""

    id: int
    city_label: str
    district: str
    certificate_number: str
    unit_number: str
    location: str
    owners: str
    status: str


@dataclass(frozen=True)
class HomeSearch:
    kind: str  # certificate / unit / location: how the text was read
    lines: tuple[HomeLine, ...]
    more: bool  # more homes matched than are listed


def _today(db: Database) -> date:
    return local_today(db.now())


def _kind_label(kind: str) -> str:
    try:
        return ID_KIND_LABELS[IdKind(kind)]
    except ValueError:
        return kind


def _owner_rows(session: Session, home_ids: Sequence[int]) -> dict[int, list[tuple[HomeOwner, Person | None,
                                                                                     Organisation | None]]]:
    rows = session.execute(
        select(HomeOwner, Person, Organisation).select_from(HomeOwner)
        .outerjoin(Person, Person.id == HomeOwner.person_id)
        .outerjoin(Organisation, Organisation.id == HomeOwner.organisation_id)
        .where(HomeOwner.home_id.in_(list(home_ids))).order_by(HomeOwner.home_id, HomeOwner.id)
    ).all()
    out: dict[int, list] = {}
    for owner, person, org in rows:
        out.setdefault(owner.home_id, []).append((owner, person, org))
    return out


def _owner_view(owner: HomeOwner, person: Person | None, org: Organisation | None) -> OwnerView:
    if person is not None:
        return OwnerView("person", person.name, _kind_label(person.id_kind), mask_id(person.id_number), owner.share)
    assert org is not None
    return OwnerView("organisation", org.name, "统一社会信用代码", org.credit_code, owner.share)


def _mark_view(row: HomeMark) -> MarkView:
    """A mark as shown: ID and mobile numbers inside its reasons masked (the row keeps them)."""
    mark = Mark(row.kind)
    return MarkView(mark.value, MARK_LABELS[mark], mask_numbers_in_text(row.reason or ""), row.set_at, row.cleared_at,
                    None if row.clear_reason is None else mask_numbers_in_text(row.clear_reason))


def _view(session: Session, home: Home) -> HomeView:
    owners = tuple(_owner_view(*row) for row in _owner_rows(session, [home.id]).get(home.id, []))  # type: ignore[list-item]
    rows = list(session.execute(select(HomeMark).where(HomeMark.home_id == home.id)
                                .order_by(HomeMark.id.desc())).scalars())
    open_rows = {r.kind: r for r in rows if r.cleared_at is None}
    marks = []
    for mark, (flag, marked) in _FLAGS.items():
        if getattr(home, flag) == marked:
            row = open_rows.get(mark.value)
            marks.append(_mark_view(row) if row is not None else MarkView(mark.value, MARK_LABELS[mark], "", None))
    history = tuple(_mark_view(r) for r in rows if r.cleared_at is not None)
    live = session.execute(select(Contract.number).where(Contract.active_home_id == home.id)).scalar_one_or_none()
    siblings = session.execute(select(func.count()).select_from(Home)
                               .where(Home.certificate_number == home.certificate_number)).scalar_one()
    return HomeView(
        id=home.id, city=home.city, city_label=city_label(home.city), district=home.district,  # type: ignore[arg-type]
        certificate_number=home.certificate_number, check_code=home.check_code, unit_number=home.unit_number,
        location=home.location, building=home.building, floor=home.floor, room=home.room,
        total_floors=home.total_floors, floor_area=home.floor_area, inner_area=home.inner_area,
        land_area=home.land_area, structure=home.structure, design_use=home.design_use, use_class=home.use_class,
        use_class_label=USE_CLASS_LABELS.get(home.use_class, home.use_class),
        use_class_normalised=home.use_class_normalised, completion_year=home.completion_year,
        co_ownership=home.co_ownership, co_ownership_label=CO_OWNERSHIP_LABELS.get(home.co_ownership, home.co_ownership),
        owners=owners, status=home_status(home), marks=tuple(marks), history=history,
        in_transaction=home.in_transaction or live is not None, contract_number=live,
        homes_on_certificate=siblings,
    )


# --------------------------------------------------------------------------
# Finding a home by its key
# --------------------------------------------------------------------------


def _home_by_key(session: Session, raw: object, today: date, *, lock: bool = False) -> Home:
    """The home a 不动产单元号 names, or the one home of a certificate. Refused: HOME_KEY_BAD,
    HOME_NOT_FOUND, HOME_AMBIGUOUS (a certificate of several homes)."""
    home_id: int | None = None
    try:
        unit = parse_unit_number(raw)  # type: ignore[arg-type]
    except RuleViolation:
        unit = None
    if unit is not None:
        home_id = session.execute(select(Home.id).where(Home.unit_number == unit.text)).scalar_one_or_none()
        if home_id is None:
            raise RuleViolation("HOME_NOT_FOUND", f"登记簿中没有不动产单元号为{unit.text}的房屋。", field="key")
    else:
        try:
            cert = parse_certificate(raw, today=today)  # type: ignore[arg-type]
        except RuleViolation:
            raise RuleViolation("HOME_KEY_BAD", "请输入房屋的不动产单元号（28位）或产权证书编号。", field="key") from None
        ids = list(session.execute(select(Home.id).where(Home.certificate_number == cert.text)
                                   .order_by(Home.id)).scalars())
        if not ids:
            raise RuleViolation("HOME_NOT_FOUND", f"登记簿中没有产权证书“{cert.text}”的房屋。", field="key")
        if len(ids) > 1:
            raise RuleViolation("HOME_AMBIGUOUS", f"该产权证书登记了{len(ids)}套房屋，请输入要办理的房屋的不动产单元号。",
                                field="key")
        home_id = ids[0]
    query = select(Home).where(Home.id == home_id)
    home = session.execute(query.with_for_update() if lock else query).scalar_one()
    return home


# --------------------------------------------------------------------------
# Owners: from typed numbers to the register's parties
# --------------------------------------------------------------------------

#: A home's owners as the register holds them: (kind, party id, share).
_Owners = tuple[tuple[str, int, Decimal | None], ...]


def _resolve(found: dict[str, frozenset[tuple[str, int]]], record: HomeRecord) -> tuple[_Owners, list[RuleViolation]]:
    """The record's owners as parties of the register, and a refusal per owner nobody (or
    several people) in the register holds, or named twice by two of their numbers."""
    errors: list[RuleViolation] = []
    owners: list[tuple[str, int, Decimal | None]] = []
    for i, line in enumerate(record.owners):
        hits = found.get(line.number, frozenset())
        where = owner_field(i)
        if not hits:
            errors.append(RuleViolation(
                "HOME_OWNER_NOT_REGISTERED",
                f"第{i + 1}位权利人（{mask_id(line.number)}）不在当事人登记簿中，请先在当事人登记中登记。", field=where))
        elif len(hits) > 1:
            errors.append(RuleViolation(
                "HOME_OWNER_AMBIGUOUS",
                f"第{i + 1}位权利人的证件号码在当事人登记簿中对应多人，请输入其另一证件的号码。", field=where))
        else:
            kind, party_id = next(iter(hits))
            if any((kind, party_id) == (k, p) for k, p, _ in owners):
                errors.append(RuleViolation("HOME_OWNER_DUPLICATE", f"第{i + 1}位权利人与前面的权利人是同一人。",
                                            field=where))
            owners.append((kind, party_id, line.share))
    return tuple(owners), errors


def _stored_owners(session: Session, home_id: int) -> _Owners:
    rows = session.execute(select(HomeOwner).where(HomeOwner.home_id == home_id).order_by(HomeOwner.id)).scalars()
    return tuple(("person", o.person_id, o.share) if o.person_id is not None else  # type: ignore[misc]
                 ("organisation", o.organisation_id, o.share) for o in rows)


def _write_owners(session: Session, home_id: int, owners: _Owners, *, new: bool = False) -> None:
    """The home's owners become ``owners`` (``new``: a home just written has none yet)."""
    if not new:
        for old in session.execute(select(HomeOwner).where(HomeOwner.home_id == home_id)).scalars():
            session.delete(old)
        session.flush()
    for kind, party_id, share in owners:
        session.add(HomeOwner(home_id=home_id, person_id=party_id if kind == "person" else None,
                              organisation_id=party_id if kind == "organisation" else None, share=share))


def _certificate_owners(session: Session, certificate: str, *, other_than: int | None) -> list[tuple[Home, _Owners]]:
    """The other homes on a certificate, with their owners."""
    return [(h, o) for h, o in _owners_by_certificate(session, [certificate]).get(certificate, [])
            if h.id != other_than]


def _owners_by_certificate(session: Session, certificates: Sequence[str]) -> dict[str, list[tuple[Home, _Owners]]]:
    """Every registered home on these certificates, with its owners (looked up in chunks)."""
    found: dict[str, list[tuple[Home, _Owners]]] = {}
    wanted = sorted(set(certificates))
    for i in range(0, len(wanted), 500):
        homes = list(session.execute(select(Home).where(Home.certificate_number.in_(wanted[i:i + 500]))
                                     .order_by(Home.id)).scalars())
        owners: dict[int, list[tuple[str, int, Decimal | None]]] = {}
        for start in range(0, len(homes), 500):
            for o in session.execute(select(HomeOwner).where(
                    HomeOwner.home_id.in_([h.id for h in homes[start:start + 500]])).order_by(HomeOwner.id)).scalars():
                owners.setdefault(o.home_id, []).append(
                    ("person", o.person_id, o.share) if o.person_id is not None  # type: ignore[arg-type]
                    else ("organisation", o.organisation_id, o.share))  # type: ignore[arg-type]
        for h in homes:
            found.setdefault(h.certificate_number, []).append((h, tuple(owners.get(h.id, []))))  # type: ignore[arg-type]
    return found


def _differs(owners: _Owners, co_ownership: str, other: tuple[Home, _Owners]) -> bool:
    home, theirs = other
    return home.co_ownership != co_ownership or sorted(theirs, key=str) != sorted(owners, key=str)


def _refuse_other_certificate_owners(record: HomeRecord, owners: _Owners, others: list[tuple[Home, _Owners]]) -> None:
    if any(_differs(owners, record.co_ownership, other) for other in others):
        raise RuleViolation(
            "HOME_CERTIFICATE_OWNERS_DIFFER",
            f"该产权证书已登记{len(others)}套房屋，其权利人或共有方式与本次填写的不同；同一证书下的房屋权利人应一致，请按证书核对。",
            field=owner_field(0))
    codes = {h.check_code for h, _ in others if h.check_code}
    if record.check_code and codes and record.check_code not in codes:
        raise RuleViolation("HOME_CHECK_CODE_DIFFERS", "校验码与该产权证书已登记房屋的校验码不同，请按证书核对。",
                            field="check_code")


# --------------------------------------------------------------------------
# Snapshots for the audit log
# --------------------------------------------------------------------------


def _facts(source: Home | HomeRecord) -> dict:
    """The record's facts as the audit log keeps them (areas as exact decimal text)."""
    facts = {name: getattr(source, name) for name in _FIELDS}
    for name in ("floor_area", "inner_area", "land_area"):
        facts[name] = None if facts[name] is None else f"{facts[name]:f}"
    return facts


def _snapshot(session: Session, home: Home) -> dict:
    """A home as the register now holds it: its facts, owners and marks."""
    owners = [{"kind": "person" if person is not None else "organisation",
               "party_id": owner.person_id or owner.organisation_id,
               "id_number": person.id_number if person is not None else org.credit_code,  # masked by the log
               "share": None if owner.share is None else f"{owner.share:f}"}
              for owner, person, org in _owner_rows(session, [home.id]).get(home.id, [])]  # type: ignore[misc]
    return {**_facts(home), "owners": owners, "valid": home.valid, "mortgaged": home.mortgaged,
            "seized": home.seized, "restricted": home.restricted}


def _record_snapshot(record: HomeRecord, owners: _Owners) -> dict:
    """A record as an import writes it (the owners' numbers as the file gave them)."""
    return {**_facts(record), "owners": [
        {"kind": kind, "party_id": party_id, "id_number": line.number,  # masked by the log
         "share": None if share is None else f"{share:f}"}
        for (kind, party_id, share), line in zip(owners, record.owners, strict=True)]}


#: The record's fields a ``Home`` row stores as they are.
_FIELDS = ("city", "district", "certificate_number", "check_code", "unit_number", "location", "building", "floor",
           "room", "total_floors", "floor_area", "inner_area", "land_area", "structure", "design_use", "use_class",
           "use_class_normalised", "completion_year", "co_ownership")


def _new_home(record: HomeRecord) -> Home:
    return Home(**{name: getattr(record, name) for name in _FIELDS})


def _apply(home: Home, record: HomeRecord) -> None:
    for name in _FIELDS:
        setattr(home, name, getattr(record, name))


def _checked_with_owners(session: Session, record: HomeRecord) -> _Owners:
    owners, errors = _resolve(parties_by_numbers(session, [o.number for o in record.owners]), record)
    if errors:
        raise HomeInvalid(errors)
    return owners


def _refuse_unit_taken(session: Session, unit_number: str, *, other_than: int | None = None) -> None:
    taken = session.execute(select(Home.location).where(Home.unit_number == unit_number,
                                                        Home.id != (other_than or 0))).scalar_one_or_none()
    if taken is not None:
        raise RuleViolation("HOME_ALREADY_REGISTERED",
                            f"该不动产单元号已登记（{taken}），不能重复登记；信息有误请使用“变更”。", field="unit_number")


def _registered_meanwhile() -> RuleViolation:
    """The UNIQUE backstop fired: another terminal registered the unit number meanwhile."""
    return RuleViolation("HOME_ALREADY_REGISTERED", "该不动产单元号刚刚已由其他窗口登记，不能重复登记。",
                         field="unit_number")


# --------------------------------------------------------------------------
# Registering and changing
# --------------------------------------------------------------------------


def register_home(db: Database, actor: Actor, entry: HomeEntry, *, default_city: str | None = None) -> HomeView:
    """Register a home (every value checked, ``core.resale.home_register.check_home``; a
    record without a city is of ``default_city``, the hall's). Refused besides the values:
    HOME_ALREADY_REGISTERED (the unit number), HOME_OWNER_NOT_REGISTERED / HOME_OWNER_AMBIGUOUS
    / HOME_OWNER_DUPLICATE, HOME_CERTIFICATE_OWNERS_DIFFER, HOME_CHECK_CODE_DIFFERS."""
    require(actor, Permission.HOME_REGISTER)
    record = check_home(entry, today=_today(db), default_city=default_city)
    try:
        with db.write() as session:
            authorise(session, actor, Permission.HOME_REGISTER)
            owners = _checked_with_owners(session, record)
            _refuse_unit_taken(session, record.unit_number)
            _refuse_other_certificate_owners(record, owners, _certificate_owners(
                session, record.certificate_number, other_than=None))
            home = _new_home(record)
            session.add(home)
            session.flush()
            _write_owners(session, home.id, owners, new=True)  # type: ignore[arg-type]
            session.flush()
            audit.append(session, actor, "home_register", object_type="home", object_id=home.id,
                         after=_snapshot(session, home))
            return _view(session, home)
    except IntegrityError:  # the UNIQUE backstop: another terminal registered the unit meanwhile
        raise _registered_meanwhile() from None


@dataclass(frozen=True)
class HomeChange:
    """What changes: ``None`` keeps a value; for an optional value (校验码, 套内建筑面积,
    分摊土地面积, 建成年份, 用途大类) a blank removes it. ``owners`` given replaces every
    owner (and their shares); not given, the owners stay (their shares too, while the
    co-ownership stays)."""

    city: object = None
    district: object = None
    certificate_number: object = None
    check_code: object = None
    unit_number: object = None
    location: object = None
    building: object = None
    floor: object = None
    room: object = None
    total_floors: object = None
    floor_area: object = None
    inner_area: object = None
    land_area: object = None
    structure: object = None
    design_use: object = None
    use_class: object = None
    completion_year: object = None
    co_ownership: object = None
    owners: Sequence[OwnerEntry] | None = None

    def empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.__dataclass_fields__)


def _number_of(session: Session, kind: str, party_id: int) -> str:
    if kind == "person":
        person = session.get(Person, party_id)
        assert person is not None
        return person.id_number
    org = session.get(Organisation, party_id)
    assert org is not None
    return org.credit_code


def _as_entry(session: Session, home: Home, owners: _Owners, change: HomeChange) -> tuple[HomeEntry, bool]:
    """The stored record as typed, overlaid with the change; and whether the owners are typed anew."""

    def keep(name: str, value: object) -> object:
        given = getattr(change, name)
        return value if given is None else given

    def text(v: object) -> str | None:
        return None if v is None else (f"{v:f}" if isinstance(v, Decimal) else str(v))

    new_owners = change.owners is not None and any(
        not (_blank(o.number) and _blank(o.share)) for o in change.owners)
    co = keep("co_ownership", home.co_ownership)
    if new_owners:
        owner_entries: Sequence[OwnerEntry] = change.owners  # type: ignore[assignment]
    else:
        try:
            kept_kind = parse_co_ownership(co, len(owners))
        except RuleViolation:
            kept_kind = None  # refused by the record's check
        owner_entries = [OwnerEntry(_number_of(session, kind, party_id),
                                    text(share) if kept_kind == home.co_ownership == "shares" else None)
                         for kind, party_id, share in owners]
    # A provisional use class stays with its use; a new use is classed afresh.
    stored_class = None if home.use_class_normalised or change.design_use is not None else home.use_class
    entry = HomeEntry(
        city=keep("city", home.city), district=keep("district", home.district),
        certificate_number=keep("certificate_number", home.certificate_number),
        check_code=keep("check_code", home.check_code), unit_number=keep("unit_number", home.unit_number),
        location=keep("location", home.location), building=keep("building", home.building),
        floor=keep("floor", text(home.floor)), room=keep("room", home.room),
        total_floors=keep("total_floors", text(home.total_floors)), floor_area=keep("floor_area", text(home.floor_area)),
        inner_area=keep("inner_area", text(home.inner_area)), land_area=keep("land_area", text(home.land_area)),
        structure=keep("structure", home.structure), design_use=keep("design_use", home.design_use),
        use_class=keep("use_class", stored_class),
        completion_year=keep("completion_year", text(home.completion_year)), co_ownership=co, owners=owner_entries,
    )
    return entry, new_owners


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _refuse_in_transaction(session: Session, home: Home) -> None:
    live = session.execute(select(Contract.number).where(Contract.active_home_id == home.id)).scalar_one_or_none()
    if home.in_transaction or live is not None:
        which = f"（合同编号 {live}）" if live else ""
        raise RuleViolation("HOME_IN_TRANSACTION",
                            f"{home.location}正在交易中{which}，交易结束前不能变更登记信息。", field="key")


def change_home(db: Database, actor: Actor, key: str, change: HomeChange) -> HomeView:
    """Change a registered home (found by its 不动产单元号, or its certificate when that covers
    one home), only while it is not in a transaction (HOME_IN_TRANSACTION). The whole record
    is checked again as for a new one. New owners of a certificate covering several homes
    become the owners of every one of them (refused while any of them is in a transaction)."""
    require(actor, Permission.HOME_REGISTER)
    if change.empty():
        raise RuleViolation("HOME_NOTHING_TO_CHANGE", "请填写要变更的登记信息。")
    today = _today(db)
    try:
        with db.write() as session:
            authorise(session, actor, Permission.HOME_REGISTER)
            home = _home_by_key(session, key, today, lock=True)
            _refuse_in_transaction(session, home)
            before = _snapshot(session, home)
            stored = _stored_owners(session, home.id)  # type: ignore[arg-type]
            entry, new_owners = _as_entry(session, home, stored, change)
            record = check_home(entry, today=today)
            if (home.use_class_normalised and not record.use_class_normalised and change.design_use is None
                    and change.use_class is None):
                # 限购/限售核定 settled this home's class: a change of other facts keeps the decision.
                record = replace(record, use_class=home.use_class, use_class_normalised=True)
            owners = _checked_with_owners(session, record) if new_owners else tuple(
                (k, p, line.share) for (k, p, _), line in zip(stored, record.owners, strict=True))
            _refuse_unit_taken(session, record.unit_number, other_than=home.id)
            owners_changed = owners != stored or record.co_ownership != home.co_ownership
            others = _certificate_owners(session, record.certificate_number, other_than=home.id)
            if record.certificate_number != home.certificate_number:  # moved onto another certificate
                _refuse_other_certificate_owners(record, owners, others)
            siblings: list[Home] = []
            if record.certificate_number == home.certificate_number and owners_changed:
                for other, _ in others:  # one certificate, one set of owners
                    locked = session.execute(select(Home).where(Home.id == other.id).with_for_update()).scalar_one()
                    _refuse_in_transaction(session, locked)
                    siblings.append(locked)
            _apply(home, record)
            home.register_version += 1
            session.add(home)
            if owners_changed:
                _write_owners(session, home.id, owners)  # type: ignore[arg-type]
                for other in siblings:
                    _write_owners(session, other.id, owners)  # type: ignore[arg-type]
                    other.co_ownership = record.co_ownership
                    other.register_version += 1
                    session.add(other)
            session.flush()
            audit.append(session, actor, "home_change", object_type="home", object_id=home.id,
                         before=before, after={**_snapshot(session, home),
                                               "same_certificate": [o.id for o in siblings]})
            return _view(session, home)
    except IntegrityError:
        raise _registered_meanwhile() from None


# --------------------------------------------------------------------------
# The registry's marks
# --------------------------------------------------------------------------


def _mark_and_reason(mark: object, reason: object, *, clearing: bool) -> tuple[Mark, str]:
    """The mark and its reason as typed, both checked (both refusals at once)."""
    errors: list[RuleViolation] = []
    chosen = text = None
    try:
        chosen = parse_mark(mark)
    except RuleViolation as exc:
        errors.append(exc)
    try:
        text = check_mark_reason(reason, clearing=clearing)
    except RuleViolation as exc:
        errors.append(exc)
    if errors:
        raise HomeInvalid(errors)
    assert chosen is not None and text is not None
    return chosen, text


def set_mark(db: Database, actor: Actor, key: str, mark: object, reason: object) -> HomeView:
    """Record a mark of the title registry (抵押 / 查封 / 限制 / 无效) with its reason (e.g. the
    mortgage's registration number, the court's ruling). Refused: HOME_MARK_UNKNOWN,
    HOME_MARK_REASON_EMPTY, HOME_MARK_ALREADY_SET. A home in a transaction may be marked."""
    require(actor, Permission.HOME_REGISTER)
    chosen, text = _mark_and_reason(mark, reason, clearing=False)
    today = _today(db)
    try:
        with db.write() as session:
            authorise(session, actor, Permission.HOME_REGISTER)
            home = _home_by_key(session, key, today, lock=True)
            flag, marked = _FLAGS[chosen]
            if getattr(home, flag) == marked:
                raise RuleViolation("HOME_MARK_ALREADY_SET", f"该房屋已有{MARK_LABELS[chosen]}标记，无需重复登记。",
                                    field="mark")
            now = session_now(session)
            setattr(home, flag, marked)
            home.register_version += 1
            session.add(home)
            row = HomeMark(home_id=home.id, kind=chosen.value, reason=text, set_at=now,  # type: ignore[arg-type]
                           set_by=actor.operator_id)
            session.add(row)
            session.flush()
            audit.append(session, actor, "home_mark_set", object_type="home", object_id=home.id,
                         after={"home_mark_id": row.id, "mark": chosen.value, "reason": text,
                                "unit_number": home.unit_number})
            return _view(session, home)
    except IntegrityError:  # the open-mark index: another terminal marked it meanwhile
        raise RuleViolation("HOME_MARK_ALREADY_SET", "该标记刚刚已由其他窗口登记。", field="mark") from None


def clear_mark(db: Database, actor: Actor, key: str, mark: object, reason: object) -> HomeView:
    """Lift a mark (抵押注销, 解除查封, …) with the reason. Refused: HOME_MARK_UNKNOWN,
    HOME_MARK_REASON_EMPTY, HOME_MARK_NOT_SET. A mark recorded without a reason (set before
    the register kept them, or by 限购/限售核定) is lifted alike."""
    require(actor, Permission.HOME_REGISTER)
    chosen, text = _mark_and_reason(mark, reason, clearing=True)
    today = _today(db)
    with db.write() as session:
        authorise(session, actor, Permission.HOME_REGISTER)
        home = _home_by_key(session, key, today, lock=True)
        flag, marked = _FLAGS[chosen]
        if getattr(home, flag) != marked:
            raise RuleViolation("HOME_MARK_NOT_SET", f"该房屋没有{MARK_LABELS[chosen]}标记，无需解除。", field="mark")
        now = session_now(session)
        setattr(home, flag, not marked)
        home.register_version += 1
        session.add(home)
        row = session.execute(select(HomeMark).where(HomeMark.home_id == home.id, HomeMark.kind == chosen.value,
                                                     HomeMark.cleared_at.is_(None))).scalar_one_or_none()
        if row is None:  # marked before the register kept reasons: the lifting is recorded all the same
            row = HomeMark(home_id=home.id, kind=chosen.value)  # type: ignore[arg-type]
        row.cleared_at, row.cleared_by, row.clear_reason = now, actor.operator_id, text
        session.add(row)
        session.flush()
        audit.append(session, actor, "home_mark_clear", object_type="home", object_id=home.id,
                     after={"home_mark_id": row.id, "mark": chosen.value, "reason": text,
                            "unit_number": home.unit_number})
        return _view(session, home)


# --------------------------------------------------------------------------
# Looking homes up
# --------------------------------------------------------------------------


def show_home(db: Database, actor: Actor, key: str) -> HomeView:
    """One home by its 不动产单元号 (or its certificate, when that covers one home)."""
    require(actor, Permission.LOOKUP_APPLICANT)
    today = _today(db)
    with db.read() as session:
        authorise(session, actor, Permission.LOOKUP_APPLICANT)
        return _view(session, _home_by_key(session, key, today))


def find_homes(db: Database, actor: Actor, text: str, *, limit: int = SEARCH_LIMIT) -> HomeSearch:
    """The homes a certificate number, a 不动产单元号 or a fragment of a 坐落 names (any city),
    at most ``limit`` of them in register order."""
    require(actor, Permission.LOOKUP_APPLICANT)
    term = search_term(text, today=_today(db))
    with db.read() as session:
        authorise(session, actor, Permission.LOOKUP_APPLICANT)
        query = select(Home)
        if term.kind == "certificate":
            query = query.where(Home.certificate_number == term.value)
        elif term.kind == "unit":
            query = query.where(Home.unit_number == term.value)
        else:
            query = query.where(Home.location.contains(term.value, autoescape=True))
        homes = list(session.execute(query.order_by(Home.id).limit(limit + 1)).scalars())
        more = len(homes) > limit
        homes = homes[:limit]
        owners = _owner_rows(session, [h.id for h in homes])  # type: ignore[misc]
        lines = tuple(HomeLine(
            h.id, city_label(h.city), h.district, h.certificate_number, h.unit_number, h.location,  # type: ignore[arg-type]
            "、".join((p.name if p is not None else o.name) for _, p, o in owners.get(h.id, [])),  # type: ignore[union-attr]
            home_status(h)) for h in homes)
        return HomeSearch(term.kind, lines, more)


# --------------------------------------------------------------------------
# Importing a hall's existing title register
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    homes: int
    marks: int


def import_homes(db: Database, actor: Actor, data: bytes, *, default_city: str) -> ImportResult:
    """Import a home register file (``core.resale.home_register.parse_home_csv``; a row without
    a city is of ``default_city``): every row checked, every owner found in the party register
    (owners are registered first, ``wangqian party import``), every unit number new, every
    certificate's homes with one set of owners (in the file and with the register). Any bad
    row: ``ImportInvalid`` listing them all, nothing written. A clean file: one transaction,
    an audit row per home (and per mark) and one for the import."""
    require(actor, Permission.HOME_REGISTER)
    default = city_code(default_city)
    try:
        text = decode_register_file(data)
    except RuleViolation as exc:
        raise ImportInvalid([RowError(1, "文件", exc.code, exc.message)]) from None
    parsed = parse_home_csv(text, today=_today(db), default_city=default)
    if any(e.row == 1 for e in parsed.errors):  # not a register file: its rows mean nothing
        raise ImportInvalid(parsed.errors)
    with db.write() as session:
        authorise(session, actor, Permission.HOME_REGISTER)
        errors: list[RowError] = list(parsed.errors)  # the good rows are checked against the register too
        found = parties_by_numbers(session, [o.number for _, r, _ in parsed.homes for o in r.owners])
        units = [r.unit_number for _, r, _ in parsed.homes]
        taken: dict[str, str] = {}
        for i in range(0, len(units), 500):
            taken.update(session.execute(select(Home.unit_number, Home.location)
                                         .where(Home.unit_number.in_(units[i:i + 500]))).all())
        resolved: list[tuple[int, HomeRecord, dict[Mark, str], _Owners]] = []
        for row, record, marks in parsed.homes:
            owners, refusals = _resolve(found, record)
            for refusal in refusals:
                errors.append(RowError(row, "权利人证件号码", refusal.code, refusal.message))
            if record.unit_number in taken:
                errors.append(RowError(row, "不动产单元号", "HOME_ALREADY_REGISTERED",
                                       f"该不动产单元号已登记（{taken[record.unit_number]}），不能重复导入。"))
            if not refusals:
                resolved.append((row, record, marks, owners))
        by_certificate: dict[str, tuple[int, HomeRecord, _Owners]] = {}
        registered = _owners_by_certificate(session, [r.certificate_number for _, r, _, _ in resolved])
        for row, record, _, owners in resolved:
            first = by_certificate.setdefault(record.certificate_number, (row, record, owners))
            if first[0] != row and (first[1].co_ownership != record.co_ownership
                                    or sorted(first[2], key=str) != sorted(owners, key=str)):
                errors.append(RowError(row, "权利人证件号码", "HOME_CERTIFICATE_OWNERS_DIFFER",
                                       f"与第{first[0]}行同一产权证书，但权利人或共有方式不同；同一证书下的房屋权利人应一致。"))
                continue
            try:
                _refuse_other_certificate_owners(record, owners, registered.get(record.certificate_number, []))
            except RuleViolation as exc:
                errors.append(RowError(row, "校验码" if exc.field == "check_code" else "权利人证件号码", exc.code,
                                       exc.message))
        if errors:
            raise ImportInvalid(sorted(errors, key=lambda e: e.row))
        now = session_now(session)
        written: list[tuple[int, Home, dict[Mark, str], _Owners]] = []
        for row, record, marks, owners in resolved:
            home = _new_home(record)
            for mark in marks:
                flag, marked = _FLAGS[mark]
                setattr(home, flag, marked)
            session.add(home)
            written.append((row, home, marks, owners))
        session.flush()
        mark_count = 0
        for row, home, marks, owners in written:
            _write_owners(session, home.id, owners, new=True)  # type: ignore[arg-type]
            for mark, reason in marks.items():
                session.add(HomeMark(home_id=home.id, kind=mark.value, reason=reason, set_at=now,  # type: ignore[arg-type]
                                     set_by=actor.operator_id))
                mark_count += 1
        session.flush()
        for (row, home, marks, owners), (_, record, _, _) in zip(written, resolved, strict=True):
            audit.append(session, actor, "home_register", object_type="home", object_id=home.id,
                         after={**_record_snapshot(record, owners), "imported_row": row,
                                "marks": {m.value: r for m, r in marks.items()}})
        audit.append(session, actor, "home_import", object_type="register",
                     after={"homes": len(written), "marks": mark_count})
        return ImportResult(len(written), mark_count)
