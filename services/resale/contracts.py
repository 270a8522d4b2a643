"""Resale contracts (存量房买卖合同): drafts, the current view, changes, the draft sweep.

The rules are pure (``core.resale.contracts`` validates the form, ``core.resale.contract_record``
stores and compares versions, ``core.resale.lifecycle`` says what may happen next);
this service loads the facts, runs them and writes one transaction per use case.

* ``new_contract_form`` — from a passed house check: the form with the
  sellers read from the register and the house facts (seed 003 article 1).
* ``create_draft`` — validate the whole form first (nothing is written while
  any field is refused; a buyer, guardian or agent whose document the register
  of persons holds must carry the registered name: PARTY_NAME_MISMATCH at that
  party's ``….name``), then in one transaction: lock the home, refuse a
  second live contract, accept the ``resale_signing`` case, store the
  contract, its parties and version 1, mark the home in transaction, audit.
* ``update_draft`` — a draft's new version; every unused SMS code of the
  contract is voided (a code confirms one exact version).
* ``change_contract`` — after signing, only non-key items (seed 002 §三(七)):
  each changed item is recorded with its value before and after, who and
  when; a key item (parties, their IDs, the house) is refused with the
  reason that the contract must be cancelled and signed again.
* ``sweep_expired_drafts`` — drafts not submitted within the profile's
  window (24 h, seed 002 §三(四)) are deleted, each deletion audited; the
  TUI runs it at start-up and every few minutes, the CLI on demand.

Concurrency: ``contract.active_home_id`` is UNIQUE and equals the home while
the contract is live, so two terminals can never both hold one home; the
home row is locked first so the second terminal gets the plain refusal
rather than the constraint.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from core import timeutil
from core.errors import RuleViolation
from core.identity import Region, mask_id, mask_phone
from core.resale import contract_record
from core.resale.contracts import (
    ORGANISATION,
    PERSON,
    AgentLine,
    ContractDraft,
    DraftInvalid,
    RegisteredPerson,
    SellerLine,
    ValidDraft,
    contract_version_digest,
    party_identities,
    register_name_refusals,
    validate_draft,
)
from core.resale.filing import FilingRoute
from core.resale.lifecycle import (
    PENDING_CANCELLATION,
    QUALIFICATION_LABELS,
    STATUS_LABELS,
    ContractStatus,
    qualification_required,
)
from core.resale.policies import PolicyProfile, draft_expires_at, profile_by_ref
from core.roles import Actor, Permission, Role, require
from core.text import choices_said, code_or_label
from services import audit, cases, sign_codes
from services.authority import authorise
from storage.engine import Database, transaction_memo
from storage.models import (
    BuyerQualification,
    Case,
    Contract,
    ContractCancellation,
    ContractChange,
    ContractFiling,
    ContractParty,
    ContractVersion,
    Home,
    HomeOwner,
    HouseCheck,
    Organisation,
    Person,
    PersonDocument,
)

__all__ = [
    "SUBJECT",
    "SWEEP_ACTOR",
    "ChangeRow",
    "ContractRow",
    "ContractView",
    "NewContract",
    "PartyView",
    "change_contract",
    "contract_by_number",
    "create_draft",
    "find_contracts",
    "get_contract",
    "house_facts_of",
    "load_contract",
    "lock_contract",
    "mark_printed",
    "new_contract_form",
    "pending_cancellation",
    "release_home",
    "sweep_expired_drafts",
    "update_draft",
]

#: The ``subject_type`` of signing codes (``one_time_code``).
SUBJECT = "contract"
#: Who deletes expired drafts (the audit log names it).
SWEEP_ACTOR = Actor(None, "system:draft-sweep", "系统", Role.ADMIN, None)

_HUNDRED = Decimal("100.00")


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyView:
    key: str  # seller:0 / buyer:1
    side_label: str  # 出卖人 / 买受人
    name: str
    id_kind_label: str
    masked_id: str
    masked_phone: str


@dataclass(frozen=True)
class ChangeRow:
    item_label: str
    before: str
    after: str
    reason: str
    changed_at: datetime
    operator_id: int | None
    to_version: int


@dataclass(frozen=True)
class ContractView:
    id: int
    number: str
    case_number: str
    case_stage: str
    case_status: str
    status: str
    status_label: str
    version: int
    digest: str
    profile_ref: str
    city: str
    home_id: int
    house_code: str
    house: dict
    draft: ValidDraft
    items: dict[str, str]
    parties: tuple[PartyView, ...]
    created_at: datetime
    expires_at: datetime | None
    signed_at: datetime | None
    filing_number: str | None
    filed_at: datetime | None
    printed_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    qualification_required: bool
    qualification: str | None  # state, None when never requested
    qualification_label: str
    qualification_reason: str | None
    changes: tuple[ChangeRow, ...]
    #: How this city files it (core.resale.filing.FilingRoute), whether it needs filing at all,
    #: and (signed, not yet filed) the materials still to be recorded before it can be sent.
    filing_route: str = "review"
    filing_required: bool = True
    filing_missing: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        return self.house.get("location", "")

    @property
    def sellers_text(self) -> str:
        return "、".join(p.name for p in self.parties if p.key.startswith("seller"))

    @property
    def buyers_text(self) -> str:
        return "、".join(p.name for p in self.parties if p.key.startswith("buyer"))


@dataclass(frozen=True)
class ContractRow:
    id: int
    number: str
    case_number: str
    status: str
    status_label: str
    location: str
    sellers: str
    buyers: str
    price: Decimal
    created_at: datetime
    signed_at: datetime | None
    filing_number: str | None
    case_stage: str


@dataclass(frozen=True)
class NewContract:
    """What the entry screen starts from: the form, the house, the check."""

    house_check_id: int
    home_id: int
    house_code: str
    profile_ref: str
    city: str
    house: dict
    form: ContractDraft
    qualification_required: bool


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def house_facts_of(home: Home) -> dict:
    """Seed 003 article 1, as the register describes the home (JSON-ready)."""

    def dec(v: Decimal | None) -> str | None:
        return None if v is None else f"{v:f}"

    return {
        "city": home.city, "district": home.district, "location": home.location,
        "certificate_number": home.certificate_number, "unit_number": home.unit_number,
        "building": home.building, "room": home.room, "floor": home.floor, "total_floors": home.total_floors,
        "structure": home.structure, "design_use": home.design_use, "use_class": home.use_class,
        "floor_area": dec(home.floor_area), "inner_area": dec(home.inner_area), "land_area": dec(home.land_area),
        "completion_year": home.completion_year, "mortgaged": home.mortgaged,
    }


def lock_contract(session: Session, contract_id: int) -> Contract:
    """The contract, locked for this transaction (``FOR UPDATE`` of its row alone)."""
    return load_contract(session, contract_id, lock=True)


def load_contract(session: Session, contract_id: int, *, lock: bool = False) -> Contract:
    """The contract (locked with ``lock``), read with what ``needs_qualification`` asks of its
    home and house check, in one statement: nearly every step on a contract asks it."""
    found = session.execute(_LOCKED if lock else _LOADED, {"contract_id": contract_id}).one_or_none()
    if found is None:
        raise RuleViolation("CONTRACT_NOT_FOUND", "没有找到该合同。")
    row, use_class, report, case_number, qualification = found
    memo = transaction_memo(session)
    memo[("qualification facts", row.id)] = (use_class, report)
    memo[("case number", row.case_id)] = case_number
    memo[("qualification", row.id)] = qualification
    return row


def _loaded_contract() -> Any:
    """The contract, what ``needs_qualification`` asks of its home and check, its case's number
    and its latest qualification request (``current_qualification``): one statement."""
    latest = (select(func.max(BuyerQualification.id)).where(BuyerQualification.contract_id == Contract.id)
              .correlate(Contract).scalar_subquery())
    return (select(Contract, Home.use_class, HouseCheck.report, Case.number, BuyerQualification)
            .join(HouseCheck, HouseCheck.id == Contract.house_check_id).join(Home, Home.id == HouseCheck.home_id)
            .join(Case, Case.id == Contract.case_id)
            .outerjoin(BuyerQualification, BuyerQualification.id == latest)
            .where(Contract.id == bindparam("contract_id")))


_LOADED = _loaded_contract()
_LOCKED = _LOADED.with_for_update(of=Contract)  # type: ignore[arg-type]


def _register_shares(rows: list[HomeOwner], co_ownership: str) -> list[Decimal]:
    """Registered shares in percent. Joint owners (共同共有) hold no shares on the
    certificate; each is shown an equal part (the last one the remainder) so
    that a share can still be transferred in full."""
    if len(rows) == 1:
        return [_HUNDRED]
    if co_ownership == "shares" and all(r.share is not None for r in rows):
        return [Decimal(r.share) for r in rows]  # type: ignore[arg-type]
    part = (_HUNDRED / len(rows)).quantize(Decimal("0.01"))
    return [part] * (len(rows) - 1) + [_HUNDRED - part * (len(rows) - 1)]


def _sellers(session: Session, home: Home, check: HouseCheck) -> tuple[SellerLine, ...]:
    owners = list(session.execute(
        select(HomeOwner).where(HomeOwner.home_id == home.id).order_by(HomeOwner.id)).scalars())
    shares = _register_shares(owners, home.co_ownership)
    party = json.loads(check.report).get("party", {})
    at_window = session.get(Person, party["person_id"]) if party.get("person_id") else None
    lines: list[SellerLine] = []
    for owner, share in zip(owners, shares, strict=True):
        agent = None
        if owner.person_id is not None:
            p = session.get(Person, owner.person_id)
            assert p is not None
            if party.get("capacity") == "proxy" and party.get("principal_id") == p.id and at_window is not None:
                agent = _agent_line(at_window)
            lines.append(SellerLine(
                name=p.name, region=p.region, id_kind=p.id_kind, id_number=p.id_number, registered_share=share,
                transferred_share=share, kind=PERSON, phone=p.phone or "", capacity=p.capacity,
                agent=agent, nationality=p.nationality,
            ))
        else:
            o = session.get(Organisation, owner.organisation_id)
            assert o is not None
            if party.get("organisation_id") == o.id and at_window is not None:
                agent = _agent_line(at_window)
            lines.append(SellerLine(
                name=o.name, region=Region.MAINLAND, id_kind="credit_code", id_number=o.credit_code,
                registered_share=share, transferred_share=share, kind=ORGANISATION, phone=o.phone or "",
                agent=agent,
            ))
    return tuple(lines)


def _agent_line(p: Person) -> AgentLine:
    return AgentLine(name=p.name, region=p.region, id_kind=p.id_kind, id_number=p.id_number, phone=p.phone or "",
                     nationality=p.nationality)


def _usable_check(session: Session, house_check_id: int, today: date, *,
                  lock_home: bool = False) -> tuple[HouseCheck, Home, str]:
    """The day's passed house check and its home (locked for this transaction with ``lock_home``)."""
    check = session.get(HouseCheck, house_check_id)
    if check is None:
        raise RuleViolation("CONTRACT_CHECK_NOT_FOUND", "没有找到该次房源核验记录，请先进行产权校验和房源核验。")
    if check.verdict != "passed":
        raise RuleViolation("CONTRACT_CHECK_NOT_PASSED", "该房屋的产权校验或房源核验未通过，不能签订合同。")
    report = json.loads(check.report)
    code = check.house_code or report.get("house_code")
    if not code:
        raise RuleViolation("CONTRACT_NO_HOUSE_CODE", "该次核验没有房源编码，请重新核验。")
    if timeutil.local_today(check.checked_at) != today:
        raise RuleViolation("CONTRACT_CHECK_STALE", "房源核验结果当日有效，请重新进行房源核验后再签订合同。")
    home = session.get(Home, check.home_id, with_for_update=lock_home or None)
    assert home is not None
    _refuse_register_changed(check, home)
    return check, home, code


def _refuse_register_changed(check: HouseCheck, home: Home) -> None:
    """A check describes the home as the register held it (``services.resale.home_register``
    counts every change of its facts and marks)."""
    if json.loads(check.report).get("register_version", 0) != home.register_version:
        raise RuleViolation("CONTRACT_REGISTER_CHANGED",
                            "房屋登记簿在核验后有变更（登记信息或抵押、查封等标记），请重新进行房源核验。")


def _live_contract(session: Session, home_id: int) -> Contract | None:
    return session.execute(select(Contract).where(Contract.active_home_id == home_id)).scalar_one_or_none()


def _refuse_if_taken(session: Session, home_id: int) -> None:
    live = _live_contract(session, home_id)
    if live is not None:
        raise RuleViolation(
            "CONTRACT_HOUSE_TAKEN",
            f"该房屋已有{STATUS_LABELS[live.status]}的网签合同（合同编号 {live.number}），不能重复签订。",
        )


def _purchase_restriction(check: HouseCheck) -> str | None:
    return json.loads(check.report).get("purchase_restriction")


def new_contract_form(db: Database, actor: Actor, house_check_id: int) -> NewContract:
    day = timeutil.local_today(db.now())
    with db.read() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        check, home, code = _usable_check(session, house_check_id, day)
        _refuse_if_taken(session, home.id)
        profile = profile_by_ref(check.profile_ref)
        form = ContractDraft(
            house_id=code, sellers=_sellers(session, home, check), buyers=(), co_ownership=None, price=None,
            payment_method=None, fund_supervised=None,
        )
        return NewContract(
            house_check_id=check.id, home_id=home.id, house_code=code, profile_ref=profile.ref,  # type: ignore[arg-type]
            city=profile.city, house=house_facts_of(home), form=form,
            qualification_required=qualification_required(
                profile, residential=home.use_class == "residential",
                purchase_restriction=_purchase_restriction(check)),
        )


# --------------------------------------------------------------------------
# Writing a version
# --------------------------------------------------------------------------


def _register_ids(session: Session, draft: ValidDraft) -> tuple[dict[str, int], dict[str, int]]:
    """The register's person id of each party's document number and organisation id of each
    credit code (a party not in the register has none), read once per transaction."""
    memo = transaction_memo(session)
    key = ("register ids", id(draft))
    if key not in memo:
        parties = (*draft.sellers, *draft.buyers)
        numbers = sorted({p.id_number for p in parties if p.kind != ORGANISATION})
        codes = sorted({p.id_number for p in parties if p.kind == ORGANISATION})
        persons: dict[str, int] = {}
        if numbers:
            for number, person_id in session.execute(
                    select(Person.id_number, Person.id).where(Person.id_number.in_(numbers)).order_by(Person.id)):
                persons.setdefault(number, person_id)  # the first, as a lookup by number finds it
        organisations: dict[str, int] = {}
        if codes:
            organisations = dict(session.execute(  # type: ignore[arg-type]
                select(Organisation.credit_code, Organisation.id).where(Organisation.credit_code.in_(codes))).all())
        memo[key] = (persons, organisations, draft)  # the draft kept alive: its id() names it
    persons, organisations, _ = memo[key]  # type: ignore[misc]
    return persons, organisations


def party_rows(session: Session, contract_id: int) -> list[ContractParty]:
    """The contract's parties, sellers first, each side in its order; read once per transaction
    (every step of a signing names, texts or checks them more than once)."""
    memo = transaction_memo(session)
    key = ("contract parties", contract_id)
    if key not in memo:
        memo[key] = list(session.execute(_PARTIES, {"contract_id": contract_id}).scalars())
    return memo[key]  # type: ignore[return-value]


_PARTIES = (select(ContractParty).where(ContractParty.contract_id == bindparam("contract_id"))
            .order_by(ContractParty.side.desc(), ContractParty.position))


def _store_parties(session: Session, contract: Contract, draft: ValidDraft, *, first: bool = False) -> None:
    transaction_memo(session).pop(("contract parties", contract.id), None)  # read afresh after this
    if not first:  # a new version replaces the parties of the last one
        session.execute(delete(ContractParty).where(ContractParty.contract_id == contract.id))
    persons, organisations = _register_ids(session, draft)
    stored: list[ContractParty] = []
    for key, side, position, party in (
        [(f"seller:{i}", "seller", i, s) for i, s in enumerate(draft.sellers)]
        + [(f"buyer:{i}", "buyer", i, b) for i, b in enumerate(draft.buyers)]
    ):
        person_id = org_id = None
        if party.kind == ORGANISATION:
            org_id = organisations.get(party.id_number)
        else:
            person_id = persons.get(party.id_number)
        row = ContractParty(
            contract_id=contract.id, party_key=key, side=side, position=position, kind=party.kind,
            person_id=person_id, organisation_id=org_id, name=party.name,
            id_kind=None if party.id_kind is None else str(party.id_kind), id_number=party.id_number,
            phone=party.phone,
        )
        session.add(row)
        stored.append(row)
    # what ``party_rows`` would read back, in its order (sellers first, each side in turn)
    transaction_memo(session)[("contract parties", contract.id)] = sorted(
        stored, key=lambda r: (r.side != "seller", r.position))


def _store_version(session: Session, contract: Contract, draft: ValidDraft, actor: Actor, now: datetime,
                   *, first: bool = False) -> None:
    facts = contract_record.to_json(draft)
    contract.facts = facts
    contract.digest = contract_version_digest(draft)
    contract.price = draft.price
    contract.updated_at = now
    session.add(ContractVersion(contract_id=contract.id, version=contract.version, digest=contract.digest,
                                facts=facts, saved_at=now, operator_id=actor.operator_id))
    _store_parties(session, contract, draft, first=first)


def _validated(session: Session, form: ContractDraft, house_code: str, today: date) -> ValidDraft:
    """The form checked whole (``validate_draft``), then its persons against the register."""
    if form.house_id != house_code:
        raise RuleViolation("CONTRACT_HOUSE_MISMATCH", "合同中的房源编码与核验的房屋不一致，请重新选择房屋。",
                            field="house_id")
    draft = validate_draft(form, today=today)
    _refuse_register_name_mismatch(session, draft)
    return draft


def _refuse_register_name_mismatch(session: Session, draft: ValidDraft) -> None:
    """A buyer, guardian or agent whose document the register holds must carry the registered
    name (``core.resale.contracts.register_name_refusals``); one not in the register is accepted."""
    parties = party_identities(draft)
    numbers = sorted({number for p in parties for _, number in p.keys})
    if not numbers:
        return
    rows = session.execute(
        select(Person.id_kind, Person.id_number, Person.name, Person.nationality)
        .where(Person.id_number.in_(numbers))
        .union_all(
            select(PersonDocument.id_kind, PersonDocument.id_number, Person.name, Person.nationality)
            .join(Person, Person.id == PersonDocument.person_id)
            .where(PersonDocument.id_number.in_(numbers)))
    ).all()
    register = tuple(RegisteredPerson(kind, number, name, nationality) for kind, number, name, nationality in rows)
    refusals = register_name_refusals(parties, register)
    if refusals:
        raise DraftInvalid(refusals)


def create_draft(db: Database, actor: Actor, house_check_id: int, form: ContractDraft) -> ContractView:
    """Store a new draft contract (the whole form valid) with its case, in one transaction."""
    require(actor, Permission.CONTRACT_WORK)
    now = db.now()
    day = timeutil.local_today(now)
    try:
        with db.write() as session:
            authorise(session, actor, Permission.CONTRACT_WORK)
            check, home, code = _usable_check(session, house_check_id, day, lock_home=True)
            draft = _validated(session, form, code, day)  # raises DraftInvalid: nothing is written
            _refuse_if_taken(session, home.id)
            _refuse_register_mismatch(session, home, check, draft)
            profile = profile_by_ref(check.profile_ref)
            parties = _case_parties(session, draft)
            case = cases.accept_in(session, actor, "resale_signing",
                                   summary=f"{home.location} 存量房买卖合同", parties=parties)
            contract = Contract(
                number=f"{profile.letter}HT{case.number[1:]}", case_id=case.id, home_id=home.id,
                active_home_id=home.id, house_check_id=check.id, house_code=code, profile_ref=profile.ref,
                status=ContractStatus.DRAFT.value, version=1,
                # The first version's facts with the row itself (``_store_version`` finds them unchanged).
                digest=contract_version_digest(draft), facts=contract_record.to_json(draft), house_facts=json.dumps(house_facts_of(home), ensure_ascii=False, sort_keys=True),
                price=draft.price, created_at=now, created_by=actor.operator_id,
                updated_at=now,
            )
            session.add(contract)
            session.flush()
            _store_version(session, contract, draft, actor, now, first=True)
            transaction_memo(session)[("qualification", contract.id)] = None  # a new contract has none yet
            home.in_transaction = True
            if check.case_id is None:
                check.case_id = case.id
            audit.append(session, actor, "contract_create", object_type="contract", object_id=contract.id,
                         case_number=case.number,
                         after={"number": contract.number, "home": home.id, "house_code": code,
                                "profile": profile.ref, "version": 1, "digest": contract.digest,
                                "price": draft.price, "signing": draft.signing.method})
            return _view(session, contract)
    except IntegrityError as error:  # the UNIQUE backstop: another terminal won the race
        if "active_home" not in str(error.orig).lower() and "contract" not in str(error.orig).lower():
            raise
        raise RuleViolation("CONTRACT_HOUSE_TAKEN", "该房屋已有未完成的网签合同，不能重复签订。") from None


def _refuse_register_mismatch(session: Session, home: Home, check: HouseCheck, draft: ValidDraft) -> None:
    """Sellers are the register's owners, read-only: the form may not alter who they are."""
    expected = _sellers(session, home, check)
    if len(expected) != len(draft.sellers) or any(
        e.id_number != s.id_number or " ".join(e.name.split()) != s.name for e, s in zip(expected, draft.sellers,
                                                                                        strict=False)
    ):
        raise RuleViolation("CONTRACT_SELLERS_NOT_REGISTER", "出卖人须与登记簿记载的权利人一致，不能修改。",
                            field="sellers")


def _case_parties(session: Session, draft: ValidDraft) -> list[tuple[str, int, str]]:
    persons, organisations = _register_ids(session, draft)
    out: list[tuple[str, int, str]] = []
    for role, parties in (("出卖人", draft.sellers), ("买受人", draft.buyers)):
        for p in parties:
            if p.kind == ORGANISATION:
                if p.id_number in organisations:
                    out.append(("organisation", organisations[p.id_number], role))
            elif p.id_number in persons:
                out.append(("person", persons[p.id_number], role))
    return out


def _expired(contract: Contract, profile: PolicyProfile, now: datetime) -> bool:
    ends = draft_expires_at(profile, contract.created_at)
    return ends is not None and now >= ends


def refuse_if_expired(contract: Contract, now: datetime) -> None:
    profile = profile_by_ref(contract.profile_ref)
    if contract.status == ContractStatus.DRAFT and _expired(contract, profile, now):
        rule = profile.uses("CONTRACT_DRAFT_EXPIRY")
        raise RuleViolation("CONTRACT_DRAFT_EXPIRY", rule.message() if rule else "合同草稿已超过时限。")


def update_draft(db: Database, actor: Actor, contract_id: int, form: ContractDraft, *,
                 expected_version: int) -> ContractView:
    """Save a new version of a draft; voids the codes sent for the old one."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    now = db.now()
    day = timeutil.local_today(now)
    with db.write() as session:
        contract = lock_contract(session, contract_id)
        if contract.status != ContractStatus.DRAFT:
            raise RuleViolation("CONTRACT_NOT_DRAFT", "合同已签约，只能办理合同变更。")
        refuse_if_expired(contract, now)
        _refuse_stale(contract, expected_version)
        draft = _validated(session, form, contract.house_code, day)
        home = session.get(Home, contract.home_id)
        check = session.get(HouseCheck, contract.house_check_id)
        assert home is not None and check is not None
        _refuse_register_mismatch(session, home, check, draft)
        if contract_version_digest(draft) == contract.digest and contract_record.to_json(draft) == contract.facts:
            return _view(session, contract)
        case_number = _case_number(session, contract)
        contract.version += 1
        _store_version(session, contract, draft, actor, now)
        voided = sign_codes.void_codes(session, actor, subject_type=SUBJECT, subject_id=contract.id,
                                       case_number=case_number)
        audit.append(session, actor, "contract_draft_update", object_type="contract", object_id=contract.id,
                     case_number=case_number,
                     after={"version": contract.version, "digest": contract.digest, "codes_voided": voided})
        session.flush()
        return _view(session, contract)


def _refuse_stale(contract: Contract, expected_version: int) -> None:
    if contract.version != expected_version:
        raise RuleViolation("CONTRACT_VERSION_STALE",
                            "合同已被其他窗口修改，请重新打开合同核对后再操作。")


def _case_number(session: Session, contract: Contract) -> str:
    """The number of the contract's case: read with the contract (``load_contract``), else once
    per transaction (the session keeps the case)."""
    number = transaction_memo(session).get(("case number", contract.case_id))
    if number is not None:
        return number  # type: ignore[return-value]
    case = session.get(Case, contract.case_id)
    assert case is not None
    return case.number


# --------------------------------------------------------------------------
# Change after signing (变更合同)
# --------------------------------------------------------------------------


def change_contract(db: Database, actor: Actor, contract_id: int, form: ContractDraft, *, expected_version: int,
                    reason: str = "") -> list[contract_record.ChangedItem]:
    """Change non-key items of a signed contract, recording each item before and after.

    Key items (parties, their IDs, the house) are refused: the contract must be
    cancelled and signed again. A filed contract is changed only after its
    filing is cancelled (seed 001 §8).
    """
    authorise(db, actor, Permission.CONTRACT_WORK)
    now = db.now()
    day = timeutil.local_today(now)
    reason = " ".join((reason or "").split())
    if len(reason) > 200:
        raise RuleViolation("CHANGE_REASON_TOO_LONG", "变更说明不能超过200个字。", field="reason")
    with db.write() as session:
        contract = lock_contract(session, contract_id)
        if contract.status == ContractStatus.DRAFT:
            raise RuleViolation("CHANGE_NOT_SIGNED", "合同尚未签约，请直接修改合同草稿。")
        filed_at_signing = profile_by_ref(contract.profile_ref).filing is FilingRoute.AT_SIGNING
        if contract.status == ContractStatus.FILED and not filed_at_signing:
            raise RuleViolation("CHANGE_FILED", "合同已备案，须先申请注销备案后才能变更合同内容。")
        # 中山 files at signing, and its parties change other items afterwards (seed 002 三(七)).
        if contract.status not in (ContractStatus.SIGNED, ContractStatus.FILED):
            raise RuleViolation("CHANGE_NOT_LIVE", "该合同已注销或撤销，不能变更。")
        _refuse_stale(contract, expected_version)
        draft = _validated(session, form, contract.house_code, day)
        old = contract_record.from_json(contract.facts)
        changed = contract_record.changed_items(old, draft)
        if not changed:
            raise RuleViolation("CHANGE_NOTHING", "合同内容没有变化，无需变更。")
        key = [c for c in changed if c.key]
        if key:
            names = "、".join(dict.fromkeys(c.label for c in key))
            raise RuleViolation(
                "CHANGE_KEY_ITEM",
                f"{names}属于合同重要信息，签约后不能变更，须注销网签后重新签订合同。",
                field=key[0].path,
            )
        case_number = _case_number(session, contract)
        before_version = contract.version
        contract.version += 1
        _store_version(session, contract, draft, actor, now)
        for c in changed:
            session.add(ContractChange(
                contract_id=contract.id, from_version=before_version, to_version=contract.version, item=c.path,
                item_label=c.label, before=c.before, after=c.after, reason=reason, changed_at=now,
                operator_id=actor.operator_id,
            ))
        sign_codes.void_codes(session, actor, subject_type=SUBJECT, subject_id=contract.id,
                              case_number=case_number)
        audit.append(session, actor, "contract_change", object_type="contract", object_id=contract.id,
                     case_number=case_number,
                     before={"version": before_version},
                     after={"version": contract.version, "digest": contract.digest, "reason": reason,
                            "items": [{"item": c.path, "before": c.before, "after": c.after} for c in changed]})
        return changed


# --------------------------------------------------------------------------
# Releasing the home, the draft sweep
# --------------------------------------------------------------------------


def release_home(session: Session, contract: Contract) -> None:
    """The contract no longer holds its home (cancelled, revoked, deleted)."""
    contract.active_home_id = None
    session.execute(update(Home).where(Home.id == contract.home_id).values(in_transaction=False))


def sweep_expired_drafts(db: Database, actor: Actor = SWEEP_ACTOR) -> list[str]:
    """Delete every draft older than its profile's window; returns the contract numbers deleted.

    Each draft goes in its own transaction and is re-checked under its row lock,
    so a draft submitted meanwhile is left alone.
    """
    now = db.now()
    with db.read() as session:
        candidates = list(session.execute(
            select(Contract.id, Contract.profile_ref, Contract.created_at)
            .where(Contract.status == ContractStatus.DRAFT.value)
            .order_by(Contract.id)
        ).all())
    deleted: list[str] = []
    for contract_id, ref, created in candidates:
        ends = draft_expires_at(profile_by_ref(ref), created)
        if ends is None or now < ends:
            continue
        with db.write() as session:
            contract = session.execute(
                select(Contract).where(Contract.id == contract_id).with_for_update()).scalar_one_or_none()
            if contract is None or contract.status != ContractStatus.DRAFT:
                continue
            deleted.append(_delete_draft(session, actor, contract, now))
    return deleted


def _delete_draft(session: Session, actor: Actor, contract: Contract, now: datetime) -> str:
    profile = profile_by_ref(contract.profile_ref)
    rule = profile.uses("CONTRACT_DRAFT_EXPIRY")
    message = rule.message() if rule else "合同草稿已超过时限，系统已自动删除。"
    case_number = _case_number(session, contract)
    before = {"number": contract.number, "home": contract.home_id, "version": contract.version,
              "digest": contract.digest, "created_at": contract.created_at, "facts_sha": contract.digest}
    sign_codes.void_codes(session, actor, subject_type=SUBJECT, subject_id=contract.id, case_number=case_number)
    release_home(session, contract)
    for model in (ContractParty, ContractVersion, ContractChange, BuyerQualification, ContractCancellation,
                  ContractFiling):
        session.execute(delete(model).where(model.contract_id == contract.id))  # type: ignore[attr-defined]
    session.delete(contract)
    session.flush()
    cases.terminate_in(session, actor, case_number, reason=message)
    audit.append(session, actor, "contract_draft_expired", object_type="contract", object_id=contract.id,
                 case_number=case_number, before=before, after={"deleted": True, "rule": "CONTRACT_DRAFT_EXPIRY"})
    return before["number"]  # type: ignore[return-value]


# --------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------


def mark_printed(db: Database, actor: Actor, contract_id: int) -> None:
    """Record the first print of the contract (seed 001 §7: 已下载过合同)."""
    authorise(db, actor, Permission.REPORT_PRINT)
    with db.write() as session:
        contract = lock_contract(session, contract_id)
        audit.append(session, actor, "contract_print", object_type="contract", object_id=contract.id,
                     case_number=_case_number(session, contract),
                     after={"version": contract.version, "first": contract.printed_at is None})
        if contract.printed_at is None:
            contract.printed_at = db.now()


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _parties(session: Session, contract: Contract) -> tuple[PartyView, ...]:
    from core.resale.contracts import kind_label

    from core.resale.contract_text import city_text

    words = city_text(profile_by_ref(contract.profile_ref).code)  # 中山: 转让方 / 受让方 (seed 002)
    rows = party_rows(session, contract.id)  # type: ignore[arg-type]
    return tuple(
        PartyView(r.party_key, words.seller if r.side == "seller" else words.buyer, r.name,
                  "统一社会信用代码" if r.kind == ORGANISATION else kind_label(r.id_kind or ""),
                  mask_id(r.id_number), mask_phone(r.phone))
        for r in rows
    )


def current_qualification(session: Session, contract_id: int) -> BuyerQualification | None:
    """The contract's latest qualification request, read once per transaction (a use case that
    makes a new one calls ``qualification_made``; one that changes it changes this row)."""
    memo = transaction_memo(session)
    key = ("qualification", contract_id)
    if key not in memo:
        memo[key] = session.execute(_QUALIFICATION, {"contract_id": contract_id}).scalar_one_or_none()
    return memo[key]  # type: ignore[return-value]


_QUALIFICATION = (select(BuyerQualification).where(BuyerQualification.contract_id == bindparam("contract_id"))
                  .order_by(BuyerQualification.id.desc()).limit(1))


def qualification_made(session: Session, row: BuyerQualification) -> None:
    """``row`` (added in this transaction) is the contract's latest qualification request now."""
    transaction_memo(session)[("qualification", row.contract_id)] = row


def pending_cancellation(session: Session, contract_id: int) -> ContractCancellation | None:
    """The application to end the contract still being worked (confirming or in review), if any."""
    return session.execute(
        select(ContractCancellation).where(ContractCancellation.contract_id == contract_id,
                                           ContractCancellation.state.in_([s.value for s in PENDING_CANCELLATION]))
        .order_by(ContractCancellation.id.desc()).limit(1)
    ).scalar_one_or_none()


def needs_qualification(session: Session, contract: Contract) -> bool:
    """Whether the buyer's qualification must be approved before signing (the city's profile,
    the home's use, the house check's purchase restriction); read once per transaction."""
    memo = transaction_memo(session)
    key = ("qualification_required", contract.id)
    if key not in memo:
        home = session.identity_map.get(identity_key(Home, contract.home_id))
        check = session.identity_map.get(identity_key(HouseCheck, contract.house_check_id))
        facts = memo.get(("qualification facts", contract.id))
        if home is not None and check is not None:  # this transaction has them (the draft's own)
            use_class, report = home.use_class, check.report
        elif facts is not None:  # read with the contract (``load_contract``)
            use_class, report = facts  # type: ignore[misc]
        else:
            use_class, report = session.execute(
                select(Home.use_class, HouseCheck.report).join(Home, Home.id == HouseCheck.home_id)
                .where(HouseCheck.id == contract.house_check_id)
            ).one()
        memo[key] = qualification_required(
            profile_by_ref(contract.profile_ref), residential=use_class == "residential",
            purchase_restriction=json.loads(report).get("purchase_restriction"))
    return memo[key]  # type: ignore[return-value]


def _view(session: Session, contract: Contract, *, signed_now: bool = False) -> ContractView:
    """What the screens show of ``contract``; ``signed_now``: it was signed in this transaction
    (so it has no changes yet: they come after signing)."""
    case = session.get(Case, contract.case_id)
    assert case is not None
    profile = profile_by_ref(contract.profile_ref)
    draft = contract_record.from_json(contract.facts)
    q = current_qualification(session, contract.id)
    changes = () if contract.status == ContractStatus.DRAFT or signed_now else tuple(  # after signing only
        ChangeRow(c.item_label, c.before, c.after, c.reason, c.changed_at, c.operator_id, c.to_version)
        for c in session.execute(select(ContractChange).where(ContractChange.contract_id == contract.id)
                                 .order_by(ContractChange.id)).scalars()
    )
    required = needs_qualification(session, contract)
    return ContractView(
        id=contract.id, number=contract.number, case_number=case.number, case_stage=case.stage,  # type: ignore[arg-type]
        case_status=case.status, status=contract.status, status_label=STATUS_LABELS[contract.status],
        version=contract.version, digest=contract.digest, profile_ref=contract.profile_ref, city=profile.city,
        home_id=contract.home_id, house_code=contract.house_code, house=json.loads(contract.house_facts),
        draft=draft, items=contract_record.items(draft), parties=_parties(session, contract),
        created_at=contract.created_at,
        expires_at=draft_expires_at(profile, contract.created_at) if contract.status == ContractStatus.DRAFT else None,
        signed_at=contract.signed_at, filing_number=contract.filing_number, filed_at=contract.filed_at,
        printed_at=contract.printed_at, closed_at=contract.closed_at, close_reason=contract.close_reason,
        qualification_required=required, qualification=None if q is None else q.state,
        qualification_label=("无须审查" if not required else "未申请") if q is None else QUALIFICATION_LABELS[q.state],
        qualification_reason=None if q is None else q.reason, changes=changes,
        **_filing_state(session, contract, signed_now=signed_now),
    )


def _filing_state(session: Session, contract: Contract, *, signed_now: bool = False) -> dict:
    from services.resale.filing import facts_of  # the filing service builds on this module

    if contract.status != ContractStatus.SIGNED:  # the materials matter only between signing and filing
        return {"filing_route": profile_by_ref(contract.profile_ref).filing.value}
    facts = facts_of(session, contract, signed_now=signed_now)
    return {"filing_route": facts.route.value, "filing_required": facts.required,
            "filing_missing": tuple(m.label for m in facts.missing())}



def get_contract(db: Database, actor: Actor, contract_id: int) -> ContractView:
    authorise(db, actor, Permission.CONTRACT_WORK)
    with db.read() as session:
        contract = session.get(Contract, contract_id)
        if contract is None:
            raise RuleViolation("CONTRACT_NOT_FOUND", "没有找到该合同（草稿超过时限会被自动删除）。")
        return _view(session, contract)


def contract_by_number(db: Database, actor: Actor, number: str) -> ContractView:
    """By contract number (合同编号) or case number (业务号)."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    key = " ".join((number or "").split()).upper()
    if not key:
        raise RuleViolation("CONTRACT_NUMBER_EMPTY", "请输入合同编号或业务号。", field="number")
    with db.read() as session:
        contract = session.execute(
            select(Contract).join(Case, Case.id == Contract.case_id)
            .where((Contract.number == key) | (Case.number == key))
        ).scalar_one_or_none()
        if contract is None:
            raise RuleViolation("CONTRACT_NOT_FOUND", f"没有编号为 {key} 的合同。", field="number")
        return _view(session, contract)


def find_contracts(db: Database, actor: Actor, *, status: str | None = None, stage: str | None = None,
                   created_by: int | None = None, ids: Collection[int] | None = None,
                   limit: int = 200) -> list[ContractRow]:
    """Contracts newest first, optionally by status, by the case's (active) stage, by who made
    them (the desk's 本人经办) and by id; the parties are read in one query for all rows."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    if status is not None:
        status = code_or_label(status, STATUS_LABELS)
        if status is None:
            raise RuleViolation("CONTRACT_BAD_STATUS", f"合同状态只能是以下之一：{choices_said(STATUS_LABELS)}。",
                                field="status")
    query = (select(Contract, Case.number, Case.stage).join(Case, Case.id == Contract.case_id)
             .order_by(Contract.created_at.desc(), Contract.id.desc()).limit(limit))
    if status is not None:
        query = query.where(Contract.status == status)
    if stage is not None:
        query = query.where(Case.stage == stage, Case.status == "active")
    if created_by is not None:
        query = query.where(Contract.created_by == created_by)
    if ids is not None:
        query = query.where(Contract.id.in_(list(ids)))
    with db.read() as session:
        found = session.execute(query).all()
        names: dict[tuple[int, str], list[str]] = {}
        for party in session.execute(
            select(ContractParty).where(ContractParty.contract_id.in_([c.id for c, _, _ in found]))
            .order_by(ContractParty.contract_id, ContractParty.position)
        ).scalars():
            names.setdefault((party.contract_id, party.side), []).append(party.name)
    return [
        ContractRow(
            id=c.id, number=c.number, case_number=case_number, status=c.status,  # type: ignore[arg-type]
            status_label=STATUS_LABELS[c.status], location=json.loads(c.house_facts)["location"],
            sellers="、".join(names.get((c.id, "seller"), [])),  # type: ignore[arg-type]
            buyers="、".join(names.get((c.id, "buyer"), [])),  # type: ignore[arg-type]
            price=c.price, created_at=c.created_at, signed_at=c.signed_at, filing_number=c.filing_number,
            case_stage=stage,
        )
        for c, case_number, stage in found
    ]

