"""Lease signing at the counter (公租房租赁签约, seed 000 §三).

A family housed by a published round signs its lease through one case of type
``lease_signing``: 完善承租信息 → 身份核验 → 签订合同 → 押金缴纳 (clerk) →
签约审核 (supervisor). Each step is one transaction that checks the operator's
role, locks the case and its lease, checks the stage, writes the step, appends
its audit row and moves the case on — so a step and its case move commit
together or not at all, and a refused step writes nothing.

The clerk keeps the case through the clerk stages: each step ends with a
派工 to the next stage addressed to the same clerk and that clerk's 接件, so
the progress timeline (业务进度) is the ordinary case history. The deposit
step hands the case to the supervisors' role; the review archives it
(approved, SMS with the move-in window) or returns it to 完善承租信息 and to
the clerk who worked it (rejected, SMS saying what to correct).

Configuration (environment):

WANGQIAN_DEPOSIT_MONTHS     deposit in months of rent (default 2, 1..12)
WANGQIAN_LESSOR             出租人 on contracts, receipts and notices
WANGQIAN_LESSOR_ADDRESS     出租人地址
WANGQIAN_HOUSE_CITY         the place before a project's name in 房屋坐落 (e.g. "深圳市龙华区")
WANGQIAN_PROPERTY_COMPANY   物业服务企业 on the move-in notice ("{project}" is replaced)
WANGQIAN_PROPERTY_ADDRESS   物业服务中心地址 ("{project}" is replaced)
WANGQIAN_PROPERTY_CONTACT   物业联系人
WANGQIAN_PROPERTY_PHONE     物业联系电话
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from core import cases as case_rules
from core.allocation import lease as rules
from core.allocation.housing import layout_label
from core.allocation.rounds import HouseState, RoundStatus
from core.allocation.selection import HOUSED, STATUS_LABELS
from core.cases import CASE_STATUS_LABELS, ActionKind, CaseStatus, Target
from core.errors import RuleViolation
from core.identity import (
    check_person_name,
    mask_id,
    mask_name,
    mask_phone,
    parse_mobile,
)
from core.places import building_label, place_label, room_label, unit_label
from core.roles import ROLE_LABELS, Actor, Permission, Role
from core.timeutil import local_today
from core.text import fold_width, printable
from reports import allocation as documents
from reports.allocation import HouseFacts
from services import audit, sms
from services.allocation.common import (
    get_round,
    get_round_family,
    round_label,
)
from services.authority import authorise
from services.cases import accept_in, act_in, receive_in, return_in
from storage.engine import Database, retrying
from storage.models import (
    AllocationRound,
    Case,
    CaseEvent,
    Family,
    FamilyMember,
    Lease,
    Operator,
    Person,
    PublicHouse,
)
from storage.settings import Settings

TENANT_ROLE = "承租人"  # CaseParty.role of the main applicant
SMS_APPROVED = "lease_approved"
SMS_REJECTED = "lease_rejected"

# Audit actions of the lease steps.
A_START = "lease_start"
A_DISCARD = "lease_discard"
A_TENANT_INFO = "lease_tenant_info"
A_IDENTITY = "lease_identity_checked"
A_CONTRACT = "lease_contract_signed"
A_DEPOSIT = "lease_deposit_paid"
A_RESUBMIT = "lease_resubmitted"
A_REVIEW = "lease_review"


# ------------------------------------------------------------------ configuration


@dataclass(frozen=True)
class LeaseOffice:
    """Who lets the houses and who manages them, as the documents print it."""

    lessor: str = "深圳市住房和建设局"
    lessor_address: str = "深圳市福田区"
    city: str = "深圳市"
    property_company: str = "{project}物业服务中心"
    property_address: str = "{project}物业服务中心"
    property_contact: str = "物业服务中心前台"
    property_phone: str = "以物业服务中心公示为准"

    @classmethod
    def from_settings(cls, settings: Settings) -> LeaseOffice:
        """The office the hall configured; what it left unset keeps the defaults."""
        configured = {
            "lessor": settings.lessor,
            "lessor_address": settings.lessor_address,
            "city": settings.house_city,
            "property_company": settings.property_company,
            "property_address": settings.property_address,
            "property_contact": settings.property_contact,
            "property_phone": settings.property_phone,
        }
        return cls(**{key: value for key, value in configured.items() if value})


# ------------------------------------------------------------------ shared helpers


def _require_operator(db: Database, actor: Actor | None, permission: Permission) -> Actor:
    authorise(db, actor, permission)
    assert actor is not None
    if actor.operator_id is None:
        raise RuleViolation("LEASE_OPERATOR_REQUIRED", "租赁签约须由登录的工作人员办理，不能从命令行办理。")
    return actor


def _case_number(case_number: object) -> tuple[str, str]:
    """A typed case number as looked up (full-width ＧＺ… folded to ASCII, trimmed, upper case) and
    as a refusal quotes it: what was typed, safe for a terminal — "[/x]" was quoted as "[/X]"."""
    text = case_number.strip() if isinstance(case_number, str) else ""
    return fold_width(text).strip().upper()[:40], printable(text, limit=40)


def _load(session: Session, case_number: str) -> tuple[Case, Lease]:
    """The lease case and its lease, both locked (case first, then lease)."""
    number, typed = _case_number(case_number)
    case = session.execute(select(Case).where(Case.number == number).with_for_update()).scalar_one_or_none()
    if case is None:
        raise RuleViolation("CASE_NOT_FOUND", f"没有业务号为“{typed}”的业务。", field="number")
    lease = session.execute(select(Lease).where(Lease.case_id == case.id).with_for_update()).scalar_one_or_none()
    if case.type_code != rules.CASE_TYPE or lease is None:
        raise RuleViolation("LEASE_NOT_FOUND", f"业务“{typed}”不是公租房租赁签约业务。", field="number")
    return case, lease


def _find(session: Session, case_number: str) -> tuple[Case, Lease]:
    """The lease case and its lease, for reading."""
    number, typed = _case_number(case_number)
    row = session.execute(
        select(Case, Lease).join(Lease, Lease.case_id == Case.id).where(Case.number == number)
    ).first()
    if row is None:
        raise RuleViolation("LEASE_NOT_FOUND", f"没有业务号为“{typed}”的公租房租赁签约业务。", field="number")
    return row[0], row[1]


def _operator_name(session: Session, operator_id: int | None) -> str | None:
    if operator_id is None:
        return None
    op = session.get(Operator, operator_id)
    return op.name if op else None


def _operator_label(name: str, window: str | None) -> str:
    """An operator as the receipt names them, e.g. "李晓敏（03号窗口）"."""
    return f"{name}（{window}号窗口）" if window else name


def _take(session: Session, case: Case, actor: Actor) -> None:
    """Receive the case if it waits for this operator or their role (接件);
    refuse if someone else holds it."""
    if case.holder_id is None and case.status == CaseStatus.ACTIVE.value:
        receive_in(session, actor, case.number)
    elif case.holder_id != actor.operator_id:
        who = _operator_name(session, case.holder_id) or "其他工作人员"
        raise RuleViolation("LEASE_NOT_HOLDER", f"该签约业务正由{who}办理，只有当前办理人可以操作。")


def _open_step(session: Session, actor: Actor, case_number: str, stage: str) -> tuple[Case, Lease]:
    """Lock, check open and at ``stage``, and take the case: the start of every step."""
    case, lease = _load(session, case_number)
    rules.require_open(case.status)
    rules.require_stage(case.stage, stage)
    _take(session, case, actor)
    return case, lease


def _dispatch(session: Session, actor: Actor, case: Case, target: Target, note: str) -> None:
    """派工 with the step's own note. (dispatch_in notes only "派工给…", and
    addresses an operator with their own role, which an admin working a clerk
    stage does not match.)"""
    act_in(session, actor, case.number, ActionKind.DISPATCH,
           lambda _session, _case, state: case_rules.dispatch(state, actor, target), note)


def _advance_to_self(session: Session, case: Case, actor: Actor, note: str) -> None:
    """Move to the next clerk stage and keep the case: 派工 to oneself, then 接件."""
    kind = case_rules.case_type(case.type_code)
    nxt = kind.stages[kind.stage_index(case.stage) + 1]
    _dispatch(session, actor, case, Target(nxt.role, actor.operator_id), note)
    receive_in(session, actor, case.number)


def _house(session: Session, lease: Lease) -> PublicHouse:
    house = session.get(PublicHouse, lease.house_id)
    assert house is not None
    return house


def _tenant(session: Session, lease: Lease) -> Person:
    family = session.get(Family, lease.family_id)
    assert family is not None
    person = session.get(Person, family.main_applicant_id)
    assert person is not None
    return person


def _place(house: PublicHouse) -> str:
    return f"{house.project}{place_label(house.building, house.unit, house.room)}"


# ------------------------------------------------------------------ 1. start


@retrying
def start_lease(db: Database, actor: Actor, round_id: int, family_id: int) -> str:
    """发起签约: open the lease case of a family housed by a published round.

    The round is share-locked (a reopen waits, and then sees the lease) and the
    house row locked; the house must be taken by this family in this round and
    have no lease yet (the unique house_id is the last line of defence). The
    tenant's phone is prefilled from the main applicant's record.
    Returns the case number.
    """
    actor = _require_operator(db, actor, Permission.LEASE_WORK)
    with db.write() as session:
        rnd = get_round(session, round_id, lock="share")
        if rnd.status != RoundStatus.PUBLISHED:
            raise RuleViolation("LEASE_ROUND_NOT_PUBLISHED", f"{round_label(rnd)}尚未公布选房结果，不能办理签约。", field="round")
        rf = get_round_family(session, round_id, family_id, lock=True)
        if rf.result_status not in HOUSED or rf.result_house_id is None:
            label = STATUS_LABELS.get(rf.result_status or "", "无结果")
            raise RuleViolation(
                "LEASE_FAMILY_NOT_HOUSED",
                f"该家庭在{round_label(rnd)}的选房结果为“{label}”，没有可签约的住房。", field="family",
            )
        house = session.execute(
            select(PublicHouse).where(PublicHouse.id == rf.result_house_id).with_for_update()
        ).scalar_one()
        if house.state != HouseState.TAKEN or house.taken_family_id != family_id or house.taken_round_id != round_id:
            raise RuleViolation("LEASE_HOUSE_NOT_TAKEN", f"房源 {house.code} 未登记为该家庭选定的住房，不能签约。")
        _clear_cancelled(session, actor, house)
        existing = session.execute(
            select(Case.number).join(Lease, Lease.case_id == Case.id).where(Lease.house_id == house.id)
        ).scalar_one_or_none()
        if existing is not None:
            raise RuleViolation("LEASE_ALREADY_STARTED", f"房源 {house.code} 已有签约业务（业务号 {existing}），不能重复签约。")
        other = session.execute(
            select(Case.number).join(Lease, Lease.case_id == Case.id)
            .where(Lease.family_id == family_id, Case.status != CaseStatus.CANCELLED.value)
        ).first()
        if other is not None:
            raise RuleViolation("LEASE_FAMILY_HAS_LEASE", f"该家庭已有公租房签约业务（业务号 {other[0]}），不能再签约。")
        family = session.get(Family, family_id)
        assert family is not None
        person = session.get(Person, family.main_applicant_id)
        assert person is not None and person.id is not None
        phone = _prefill_phone(person.phone)
        case = accept_in(
            session, actor, rules.CASE_TYPE,
            summary=f"{house.code} {_place(house)} {mask_name(person.name)}",
            parties=[("person", person.id, TENANT_ROLE)],
        )
        lease = Lease(case_id=case.id, family_id=family_id, house_id=house.id,  # type: ignore[arg-type]
                      round_id=round_id, tenant_phone=phone)
        session.add(lease)
        session.flush()
        audit.append(
            session, actor, A_START, object_type="lease", object_id=lease.id, case_number=case.number,
            after={"family_id": family_id, "round_id": round_id, "house_id": house.id, "house_code": house.code,
                   "phone": phone},
        )
        return case.number


def _prefill_phone(raw: str | None) -> str | None:
    try:
        return parse_mobile(raw) if raw else None
    except RuleViolation:
        return None  # a stored landline or a typo: the clerk enters the mobile at 完善承租信息


def _clear_cancelled(session: Session, actor: Actor, house: PublicHouse) -> None:
    """A lease whose case was cancelled (取消受理) no longer holds the house:
    remove it (the case, its history and the audit stay)."""
    row = session.execute(
        select(Lease, Case.number).join(Case, Case.id == Lease.case_id)
        .where(Lease.house_id == house.id, Case.status == CaseStatus.CANCELLED.value)
    ).first()
    if row is None:
        return
    old, number = row
    audit.append(
        session, actor, A_DISCARD, object_type="lease", object_id=old.id, case_number=number,
        before={"family_id": old.family_id, "house_id": old.house_id, "case_status": CaseStatus.CANCELLED.value},
    )
    session.delete(old)
    session.flush()  # before the new lease's insert: house_id is unique


# ------------------------------------------------------------------ 2. tenant info


@retrying
def save_tenant_info(db: Database, actor: Actor, case_number: str, *, phone: str, employer: str | None,
                     bank_name: str, bank_account: str) -> None:
    """完善承租信息: phone, employer and the rent-collection account; then on to 身份核验."""
    actor = _require_operator(db, actor, Permission.LEASE_WORK)
    with db.write() as session:
        case, lease = _open_step(session, actor, case_number, rules.TENANT_INFO)
        values = {
            "phone": parse_mobile(phone),
            "employer": rules.check_employer(employer),
            "bank_name": rules.check_bank_name(bank_name),
            "bank_account": rules.check_bank_account(bank_account),
        }
        before = _tenant_snapshot(lease)
        lease.tenant_phone = values["phone"]
        lease.employer = values["employer"] or None
        lease.bank_name = values["bank_name"]
        lease.bank_account = values["bank_account"]
        audit.append(session, actor, A_TENANT_INFO, object_type="lease", object_id=lease.id,
                     case_number=case.number, before=before, after=_tenant_snapshot(lease))
        _advance_to_self(session, case, actor, "已完善承租信息并登记租金托收账户")


def _tenant_snapshot(lease: Lease) -> dict[str, object]:
    return {
        "phone": lease.tenant_phone,  # masked by the audit log
        "employer": lease.employer,
        "bank_name": lease.bank_name,
        "bank_account": rules.mask_bank_account(lease.bank_account) if lease.bank_account else None,
    }


# ------------------------------------------------------------------ 3. identity check


@retrying
def record_identity_check(db: Database, actor: Actor, case_number: str, *, who: str, proxy_name: str | None = None,
                          document_seen: str) -> None:
    """身份核验: the clerk saw the main applicant (or the named proxy) in person
    with the original document; then on to 签订合同. A proxy's name is checked as a
    person's name (``core.identity.check_person_name``: NAME_BAD_CHARACTERS,
    NAME_BAD_SEPARATOR at ``proxy_name``) and kept normalised."""
    actor = _require_operator(db, actor, Permission.LEASE_WORK)
    if who == rules.PROXY and (proxy_name or "").strip():  # a proxy's name is a person's name
        proxy_name = check_person_name(proxy_name, who="受托人", field="proxy_name")
    with db.write() as session:
        case, lease = _open_step(session, actor, case_number, rules.IDENTITY_CHECK)
        check = rules.check_identity_check(who, proxy_name, document_seen)
        now = db.now()
        lease.identity_checked_by = actor.operator_id
        lease.identity_checked_person = check.who
        lease.identity_proxy_name = check.proxy_name
        lease.identity_document = check.document_seen
        lease.identity_checked_at = now
        audit.append(session, actor, A_IDENTITY, object_type="lease", object_id=lease.id, case_number=case.number,
                     after={"who": check.who, "proxy_name": check.proxy_name, "document_seen": check.document_seen,
                            "checked_at": now.isoformat()})
        _advance_to_self(session, case, actor, f"已当面核验{check.who_label}身份（{check.document_seen}）")


# ------------------------------------------------------------------ 4. contract


@retrying
def sign_contract(db: Database, actor: Actor, case_number: str, *, start: date | None = None,
                  years: int = rules.DEFAULT_TERM_YEARS) -> str:
    """签订合同: number the contract, fix its term (from ``start``, default
    today, for ``years``) and the deposit it states (months × rent, see
    WANGQIAN_DEPOSIT_MONTHS); then on to 押金缴纳. Returns the contract number.
    Refused outside the signing window the family's result notice gave
    (LEASE_SIGNING_WINDOW: from the round's publication, WANGQIAN_SIGNING_DAYS
    days), so the contract's signing date always lies inside it."""
    actor = _require_operator(db, actor, Permission.LEASE_WORK)
    with db.write() as session:
        case, lease = _open_step(session, actor, case_number, rules.CONTRACT)
        today = local_today(db.now())
        rnd = session.get(AllocationRound, lease.round_id)
        if rnd is not None and rnd.published_at is not None:  # the window the family's result notice gave
            rules.check_signing_day(today, rules.signing_window(local_today(rnd.published_at),
                                                                db.settings.signing_days))
        first, last = rules.lease_term(rules.check_term_start(start or today, today), years)
        number = rules.contract_number_for(case.number)
        house = _house(session, lease)
        before = {"contract_number": lease.contract_number, "deposit": lease.deposit}
        lease.contract_number = number
        lease.signed_on, lease.term_start, lease.term_end = today, first, last
        if lease.deposit_paid_at is None:  # the contract states the deposit; a paid one stays as paid
            lease.deposit = rules.deposit_for(house.monthly_rent, db.settings.deposit_months)
        audit.append(session, actor, A_CONTRACT, object_type="lease", object_id=lease.id, case_number=case.number,
                     before=before,
                     after={"contract_number": number, "signed_on": today.isoformat(), "term_start": first.isoformat(),
                            "term_end": last.isoformat(), "monthly_rent": str(house.monthly_rent),
                            "deposit": str(lease.deposit)})
        _advance_to_self(session, case, actor, f"已签订合同{number}，租期{first.isoformat()}至{last.isoformat()}")
        return number


# ------------------------------------------------------------------ 5. deposit


@retrying
def record_deposit(db: Database, actor: Actor, case_number: str, *, amount: Decimal | None = None,
                   method: str = "银行卡") -> str:
    """押金缴纳: take the deposit the contract states (``amount`` None means
    that amount; any other amount is refused), number the receipt, and submit
    the lease to the supervisors (签约审核). A lease sent back after its
    deposit was paid is resubmitted here without taking the money again.
    Returns the receipt number."""
    actor = _require_operator(db, actor, Permission.LEASE_WORK)
    with db.write() as session:
        case, lease = _open_step(session, actor, case_number, rules.DEPOSIT)
        if lease.deposit is None:  # set by 签订合同, which every lease passes before this stage
            raise RuleViolation("LEASE_CONTRACT_NOT_SIGNED", "该签约业务尚未签订合同，不能收取押金。")
        paid = rules.check_deposit_amount(amount, lease.deposit)
        if lease.deposit_paid_at is not None and lease.deposit_receipt:
            receipt = lease.deposit_receipt
            audit.append(session, actor, A_RESUBMIT, object_type="lease", object_id=lease.id, case_number=case.number,
                         before={"review_status": lease.review_status}, after={"review_status": rules.PENDING})
            note = f"押金已于此前缴纳（收据{receipt}），重新提交签约审核"
        else:
            how = rules.check_deposit_method(method)
            receipt = rules.receipt_number_for(case.number)
            now = db.now()
            lease.deposit_receipt = receipt
            lease.deposit_method = how
            lease.deposit_paid_at = now
            operator = _operator_label(actor.name, actor.window)
            audit.append(session, actor, A_DEPOSIT, object_type="lease", object_id=lease.id, case_number=case.number,
                         after={"amount": str(paid), "receipt": receipt, "method": how, "paid_at": now.isoformat(),
                                "operator": operator, "review_status": rules.PENDING})
            note = f"已收取押金{paid}元（收据{receipt}），提交签约审核"
        lease.review_status = rules.PENDING
        _dispatch(session, actor, case, Target(Role.SUPERVISOR), note)
        return receipt


# ------------------------------------------------------------------ 6. review


@retrying
def review_lease(db: Database, actor: Actor, case_number: str, *, approve: bool, note: str = "") -> None:
    """签约审核 by a supervisor (receiving the case if it waits).

    Approve: the case is archived and the tenant gets an SMS with the move-in
    window. Reject (a reason is required): the case goes back to 完善承租信息,
    to the clerk who worked it, with the reason; the tenant gets an SMS saying
    what to correct. A supervisor never reviews a lease they worked themselves.
    """
    actor = _require_operator(db, actor, Permission.LEASE_REVIEW)
    with db.write() as session:
        case, lease = _load(session, case_number)
        rules.require_open(case.status)
        rules.require_stage(case.stage, rules.REVIEW)
        own = session.execute(
            select(CaseEvent.id).where(
                CaseEvent.case_id == case.id, CaseEvent.operator_id == actor.operator_id,
                CaseEvent.action.in_([ActionKind.ACCEPT.value, ActionKind.DISPATCH.value]),
            ).limit(1)
        ).first()
        if own is not None:
            raise RuleViolation("LEASE_REVIEW_OWN_WORK", "不能审核自己经办的签约业务，请由其他审核主管审核。")
        _take(session, case, actor)
        text = rules.check_review_note(approve, note)
        house = _house(session, lease)
        now = db.now()
        before = {"review_status": lease.review_status, "review_note": lease.review_note}
        lease.review_status = rules.APPROVED if approve else rules.REJECTED
        lease.review_note = text or None
        lease.reviewed_by = actor.operator_id
        lease.reviewed_at = now
        audit.append(session, actor, A_REVIEW, object_type="lease", object_id=lease.id, case_number=case.number,
                     before=before, after={"review_status": lease.review_status, "review_note": lease.review_note})
        if lease.tenant_phone is None:  # 完善承租信息 requires it; a lease never reaches review without
            raise RuleViolation("LEASE_NO_PHONE", "承租人手机号码未登记，无法发送审核结果短信。")
        place = _place(house)
        if approve:
            act_in(session, actor, case.number, ActionKind.ARCHIVE,
                   lambda _session, _case, state: case_rules.archive(state, actor),
                   f"审核通过{('：' + text) if text else ''}")
            window = rules.move_in_window(local_today(now), lease.term_start or local_today(now))
            sms.notify(session, actor, lease.tenant_phone,
                       rules.approval_sms(place, lease.contract_number or "", window),
                       purpose=SMS_APPROVED, case_number=case.number)
        else:
            return_in(session, actor, case.number, to_stage=rules.TENANT_INFO, reason=text)
            sms.notify(session, actor, lease.tenant_phone, rules.rejection_sms(place, text),
                       purpose=SMS_REJECTED, case_number=case.number)


# ------------------------------------------------------------------ read side


@dataclass(frozen=True)
class LeaseView:
    """Everything the lease screen shows; personal numbers masked."""

    case_number: str
    status: str  # active / archived / cancelled
    status_label: str
    stage: str
    stage_name: str
    next_step: str
    holder: str | None
    waiting_for: str | None
    round_label: str
    family_id: int
    tenant_name: str
    tenant_masked_id: str
    tenant_phone: str | None  # masked
    employer: str  # "" when none
    bank_name: str | None
    bank_account: str | None  # masked
    house: HouseFacts
    monthly_rent: Decimal
    identity_checked: str | None  # e.g. "主申请人本人（居民身份证原件）"
    identity_checked_by: str | None
    identity_checked_at: datetime | None
    contract_number: str | None
    term_start: date | None
    term_end: date | None
    deposit_due: Decimal | None  # as the contract states it; before signing, by the rule (None: bad configuration)
    deposit_paid: Decimal | None
    deposit_receipt: str | None
    deposit_paid_at: datetime | None
    review_status: str
    review_label: str
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    can_print_contract: bool
    can_print_receipt: bool
    can_print_move_in: bool


@dataclass(frozen=True)
class LeaseRow:
    """One lease of a family (a family has at most one that is not cancelled)."""

    case_number: str
    house_code: str
    place: str
    stage_name: str
    status_label: str
    review_label: str
    contract_number: str | None


def _house_facts(house: PublicHouse, office: LeaseOffice) -> HouseFacts:
    return HouseFacts(
        code=house.code,
        project=house.project,
        address=office.city,
        building=building_label(house.building),
        unit=unit_label(house.unit),
        room=room_label(house.room),
        layout=layout_label(house.layout),
        area=house.area,
        floor=house.floor,
        orientation=house.orientation or None,
    )


def _contract_printable(case: Case, lease: Lease) -> bool:
    """Signed and not sent back to be signed again."""
    return lease.contract_number is not None and (
        case.status == CaseStatus.ARCHIVED.value or case.stage in (rules.DEPOSIT, rules.REVIEW)
    )


def _approved(case: Case, lease: Lease) -> bool:
    return lease.review_status == rules.APPROVED and case.status == CaseStatus.ARCHIVED.value


def _next_step(case: Case, lease: Lease) -> str:
    if case.status == CaseStatus.CANCELLED.value:
        return rules.NEXT_CANCELLED
    if _approved(case, lease):
        return rules.NEXT_APPROVED
    text = rules.NEXT_STEPS[case.stage]
    if lease.review_status == rules.REJECTED and lease.review_note and case.stage != rules.REVIEW:
        text = f"审核退回：{lease.review_note}。" + text
    return text


def lease_detail(db: Database, actor: Actor, case_number: str, *, office: LeaseOffice | None = None) -> LeaseView:
    """The lease of a case: stage, what's next, tenant, house, term, money, review."""
    authorise(db, actor, Permission.LEASE_WORK)
    office = office or LeaseOffice.from_settings(db.settings)
    with db.read() as session:
        case, lease = _find(session, case_number)
        house = _house(session, lease)
        person = _tenant(session, lease)
        rnd = session.get(AllocationRound, lease.round_id)
        waiting_for = None
        if case.holder_id is None and case.status == CaseStatus.ACTIVE.value:
            if case.pending_operator_id:
                waiting_for = _operator_name(session, case.pending_operator_id)
            elif case.pending_role:
                waiting_for = ROLE_LABELS[Role(case.pending_role)]
        identity = None
        if lease.identity_checked_person:
            check = rules.IdentityCheck(lease.identity_checked_person, lease.identity_proxy_name,
                                        lease.identity_document or "")
            identity = f"{check.who_label}（{check.document_seen}）" if check.document_seen else check.who_label
        due = lease.deposit
        if due is None:
            try:
                due = rules.deposit_for(house.monthly_rent, db.settings.deposit_months)
            except RuleViolation:
                due = None
        return LeaseView(
            case_number=case.number,
            status=case.status,
            status_label=CASE_STATUS_LABELS[CaseStatus(case.status)],
            stage=case.stage,
            stage_name=rules.stage_name(case.stage),
            next_step=_next_step(case, lease),
            holder=_operator_name(session, case.holder_id),
            waiting_for=waiting_for,
            round_label=round_label(rnd) if rnd else "",
            family_id=lease.family_id,
            tenant_name=person.name,
            tenant_masked_id=mask_id(person.id_number),
            tenant_phone=mask_phone(lease.tenant_phone) if lease.tenant_phone else None,
            employer=lease.employer or "",
            bank_name=lease.bank_name,
            bank_account=rules.mask_bank_account(lease.bank_account) if lease.bank_account else None,
            house=_house_facts(house, office),
            monthly_rent=house.monthly_rent,
            identity_checked=identity,
            identity_checked_by=_operator_name(session, lease.identity_checked_by),
            identity_checked_at=lease.identity_checked_at,
            contract_number=lease.contract_number,
            term_start=lease.term_start,  # set with the contract number
            term_end=lease.term_end,
            deposit_due=due,
            deposit_paid=lease.deposit if lease.deposit_paid_at else None,
            deposit_receipt=lease.deposit_receipt,
            deposit_paid_at=lease.deposit_paid_at,
            review_status=lease.review_status,
            review_label=rules.REVIEW_LABELS.get(lease.review_status, lease.review_status),
            review_note=lease.review_note,
            reviewed_by=_operator_name(session, lease.reviewed_by),
            reviewed_at=lease.reviewed_at,
            can_print_contract=_contract_printable(case, lease),
            can_print_receipt=lease.deposit_paid_at is not None,
            can_print_move_in=_approved(case, lease),
        )


def leases_for_family(db: Database, actor: Actor, family_id: int) -> list[LeaseRow]:
    """A family's lease cases, newest first (a cancelled one stays listed until a
    new lease case for the house replaces it)."""
    authorise(db, actor, Permission.LEASE_WORK)
    with db.read() as session:
        rows = session.execute(
            select(Case, Lease, PublicHouse)
            .join(Lease, Lease.case_id == Case.id)
            .join(PublicHouse, PublicHouse.id == Lease.house_id)
            .where(Lease.family_id == family_id)
            .order_by(Case.created_at.desc(), Case.id.desc())
        ).all()
        return [
            LeaseRow(
                case.number, house.code, _place(house), rules.stage_name(case.stage),
                CASE_STATUS_LABELS[CaseStatus(case.status)],
                rules.REVIEW_LABELS.get(lease.review_status, lease.review_status), lease.contract_number,
            )
            for case, lease, house in rows
        ]


# ------------------------------------------------------------------ documents


def _household(session: Session, lease: Lease, tenant: Person) -> tuple[str, ...]:
    rows = session.execute(
        select(FamilyMember.relation, Person.name)
        .join(Person, Person.id == FamilyMember.person_id)
        .where(FamilyMember.family_id == lease.family_id, FamilyMember.person_id != tenant.id)
        .order_by(FamilyMember.id)
    ).all()
    return tuple(f"{relation} {mask_name(name)}" for relation, name in rows)


def lease_contract_pdf(db: Database, actor: Actor, case_number: str, *, office: LeaseOffice | None = None) -> bytes:
    """公共租赁住房租赁合同 of a signed lease (ID, phone and account masked)."""
    authorise(db, actor, Permission.REPORT_PRINT)
    office = office or LeaseOffice.from_settings(db.settings)
    with db.read() as session:
        case, lease = _find(session, case_number)
        if not _contract_printable(case, lease):
            raise RuleViolation("LEASE_CONTRACT_NOT_SIGNED", "该签约业务尚未签订合同（或已退回重新签订），不能打印合同。")
        house = _house(session, lease)
        tenant = _tenant(session, lease)
        assert lease.term_start and lease.term_end and lease.signed_on and lease.deposit is not None
        data = documents.LeaseContract(
            contract_number=lease.contract_number or "",
            case_number=case.number,
            lessor=office.lessor,
            lessor_address=office.lessor_address,
            tenant_name=tenant.name,
            tenant_masked_id=mask_id(tenant.id_number),
            tenant_phone=mask_phone(lease.tenant_phone or ""),
            tenant_employer=lease.employer or rules.NO_EMPLOYER,
            house=_house_facts(house, office),
            term_start=lease.term_start,
            term_end=lease.term_end,
            monthly_rent=house.monthly_rent,
            deposit=lease.deposit,
            bank_name=lease.bank_name or "",
            bank_account_masked=rules.mask_bank_account(lease.bank_account or ""),
            signed_on=lease.signed_on,
            household=_household(session, lease, tenant),
        )
    return documents.lease_contract(data)


def _deposit_operator(session: Session, case: Case) -> str:
    """经办人 on the receipt, e.g. "李晓敏（03号窗口）": whoever sent the case on
    from 押金缴纳 first (that step took the money; a resubmission after a
    rejection sends it on again without taking any)."""
    row = session.execute(
        select(CaseEvent.operator_name, Operator.window)
        .outerjoin(Operator, Operator.id == CaseEvent.operator_id)
        .where(CaseEvent.case_id == case.id, CaseEvent.from_stage == rules.DEPOSIT,
               CaseEvent.action == ActionKind.DISPATCH.value)
        .order_by(CaseEvent.id).limit(1)
    ).first()
    if row is None:
        return ""
    return _operator_label(*row)


def deposit_receipt_pdf(db: Database, actor: Actor, case_number: str, *, office: LeaseOffice | None = None) -> bytes:
    """押金收据 of a paid deposit."""
    authorise(db, actor, Permission.REPORT_PRINT)
    office = office or LeaseOffice.from_settings(db.settings)
    with db.read() as session:
        case, lease = _find(session, case_number)
        if lease.deposit_paid_at is None or lease.deposit is None or not lease.deposit_receipt:
            raise RuleViolation("LEASE_DEPOSIT_NOT_PAID", "该签约业务尚未缴纳押金，不能打印押金收据。")
        house = _house(session, lease)
        tenant = _tenant(session, lease)
        data = documents.DepositReceipt(
            receipt_number=lease.deposit_receipt,
            contract_number=lease.contract_number or "",
            payer_name=tenant.name,
            payer_masked_id=mask_id(tenant.id_number),
            house=_house_facts(house, office),
            amount=lease.deposit,
            paid_on=local_today(lease.deposit_paid_at),
            payment_method=lease.deposit_method or "",
            payee=office.lessor,
            operator=_deposit_operator(session, case),
        )
    return documents.deposit_receipt(data)


def move_in_notice_pdf(db: Database, actor: Actor, case_number: str, *, office: LeaseOffice | None = None) -> bytes:
    """入住通知书, only once the lease is approved."""
    authorise(db, actor, Permission.REPORT_PRINT)
    office = office or LeaseOffice.from_settings(db.settings)
    with db.read() as session:
        case, lease = _find(session, case_number)
        if not _approved(case, lease) or lease.reviewed_at is None:
            raise RuleViolation("LEASE_NOT_APPROVED", "签约尚未审核通过，不能打印入住通知书。")
        house = _house(session, lease)
        tenant = _tenant(session, lease)
        approved_on = local_today(lease.reviewed_at)
        first, last = rules.move_in_window(approved_on, lease.term_start or approved_on)
        data = documents.MoveInNotice(
            notice_number=rules.notice_number_for(case.number),
            contract_number=lease.contract_number or "",
            tenant_name=tenant.name,
            tenant_masked_id=mask_id(tenant.id_number),
            house=_house_facts(house, office),
            move_in_from=first,
            move_in_until=last,
            property_company=office.property_company.replace("{project}", house.project),
            property_address=office.property_address.replace("{project}", house.project),
            property_contact=office.property_contact,
            property_phone=office.property_phone,
            issued_on=approved_on,
            issuer=office.lessor,
            household=_household(session, lease, tenant),
        )
    return documents.move_in_notice(data)
