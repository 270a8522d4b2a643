"""户室流水补录 (seed 004 §5.9): a presale contract's payment ledger, and entries back-entered
into it through their Z case.

"可以根据预售证号、合同编号查询合同，进行流水补录" — ``find_contracts`` finds the contracts of a
permit (or the one of a contract number); ``ledger`` shows one contract's amounts due and its
entries (``core.presale.ledger``). ``add_entry`` accepts a 户室流水补录 case with one entry —
入账, or 退款 where a refundable amount exists — and dispatches it to the authority ("新增补录
流水后派工给主管部门进行审核"); ``review_entry`` approves it (the case archived, the entry
posted: it now counts in the contract's paid amount, the payment notice and the fund
supervision's figures) or refuses it (the case ended, the entry void).

A returned contract (已退房) stays findable: its ledger offers 退款 only and shows what remains
to refund (``refund_due``) until it is refunded; the return's archive does not wait for the
refund (why: ``core.presale.ledger``).

Every step authorises inside its own transaction, is one transaction and appends an audit row.
A developer's staff see only their enterprise's contracts and cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type
from core.errors import RuleViolation
from core.identity import mask_id, mask_phone
from core.presale.contracts import CONTRACT_STATUS_LABELS, PAYMENT_LABELS, ContractStatus, PaymentMethod
from core.presale.funds import check_opinion
from core.presale.ledger import (
    ENTRY_KIND_LABELS,
    ENTRY_STATUS_LABELS,
    EntryKind,
    EntryStatus,
    Money,
    allowed_kinds,
    check_entry,
    check_entry_amount,
    entry_kind,
)
from core.roles import Actor, Permission, Role, require
from core.timeutil import local_today
from services import audit, cases
from services.authority import authorise
from services.presale.case_records import as_typed, case_number_of, open_record
from services.presale.contracts import open_contract
from services.presale.unit_sales import contract_money
from storage.engine import Database, session_now
from storage.models import Building, Case, Operator, PresaleBuyer, PresaleContract, PresalePayment, Project

__all__ = [
    "ContractHit",
    "LedgerView",
    "add_entry",
    "find_contracts",
    "ledger",
    "review_entry",
    "show_entry",
]

TYPE = "fund_ledger"


def _may_see_ledger(session: Session, actor: Actor) -> None:
    """The developer's staff (FUND_WORK) and the authority (FUND_REVIEW) read ledgers."""
    authorise(session, actor, Permission.FUND_WORK if actor.can(Permission.FUND_WORK) else Permission.FUND_REVIEW)


@dataclass(frozen=True)
class ContractHit:
    number: str
    case_number: str
    permit_number: str
    unit_no: str
    buyers: str | None
    total_price: Decimal | None
    status_label: str


def find_contracts(db: Database, actor: Actor, wanted: object) -> list[ContractHit]:
    """The live or filed contracts of permit ``wanted`` (预售证号), or the contract of that
    number (合同编号 or its case number). Refused: LEDGER_CONTRACT_NOT_FOUND."""
    shown = case_number_of(wanted, 24)
    with db.read() as session:
        _may_see_ledger(session, actor)
        c = PresaleContract
        query = (select(c, Case.number).join(Case, Case.id == c.case_id)
                 .where((c.permit_number == shown) | (c.number == shown) | (Case.number == shown),
                        c.status != ContractStatus.VOID.value))
        if actor.developer_id is not None:
            query = query.where(c.developer_id == actor.developer_id)
        rows = session.execute(query.order_by(c.unit_no, c.id).limit(500)).all()
        if not rows or not shown:
            raise RuleViolation("LEDGER_CONTRACT_NOT_FOUND", f"没有预售证号或合同编号为“{as_typed(wanted)}”的有效合同。",
                                field="number")
        return [ContractHit(x.number, n, x.permit_number, x.unit_no, x.buyer_names, x.total_price,
                            CONTRACT_STATUS_LABELS[ContractStatus(x.status)]) for x, n in rows]


@dataclass(frozen=True)
class EntryRow:
    id: int
    kind: str
    kind_label: str
    amount: Decimal
    status_label: str
    receipt: str | None
    paid_on: date | None
    recorded_at: datetime
    case_number: str | None  # the back-entry's case (None: registered at the payment notice)
    note: str | None


@dataclass(frozen=True)
class LedgerView:
    """流水录入任务: the contract, its amounts due (款项信息) and its entries."""

    number: str
    case_number: str
    status_label: str
    permit_number: str
    project_name: str
    building_number: str
    unit_no: str
    buyers: list[str]  # names with their masked ID numbers
    payment_method_label: str | None
    total_price: Decimal | None
    amount_due: Decimal | None  # 应付 on the payment notice (full price, first instalment, down payment)
    received: Decimal  # 已缴 (posted receipts)
    refunded: Decimal  # 已退
    paid: Decimal  # 实缴 = received − refunded
    unpaid: Decimal | None  # 未缴 = total price − paid (None on a returned contract: nothing is due)
    refundable: Decimal  # 可退
    pending: Decimal  # entries waiting for review (receipts − refunds)
    returned: bool  # 已退房: only refunds now
    refund_due: Decimal | None  # 待退款 of a returned contract (None: not returned)
    kinds: list[tuple[str, str]]  # the kinds the back-entry offers now (value, label)
    entries: list[EntryRow]
    pending_income: Decimal = Decimal("0.00")  # receipts waiting for review
    pending_refund: Decimal = Decimal("0.00")  # refunds waiting for review


def _ledger_view(session: Session, contract: PresaleContract, case: Case) -> LedgerView:
    session.flush()
    money: Money = contract_money(session, [contract.id])[contract.id]  # type: ignore[list-item,index]
    building = session.get(Building, contract.building_id)
    project = session.get(Project, building.project_id)  # type: ignore[union-attr]
    buyers = session.execute(select(PresaleBuyer).where(PresaleBuyer.contract_id == contract.id)
                             .order_by(PresaleBuyer.position)).scalars()
    rows = session.execute(select(PresalePayment, Case.number).outerjoin(Case, Case.id == PresalePayment.case_id)
                           .where(PresalePayment.contract_id == contract.id).order_by(PresalePayment.id)).all()
    entries = [EntryRow(p.id, p.kind, ENTRY_KIND_LABELS[EntryKind(p.kind)], p.amount,  # type: ignore[arg-type]
                        ENTRY_STATUS_LABELS[EntryStatus(p.status)], p.receipt, p.paid_on, p.received_at, n, p.note)
               for p, n in rows]
    total = contract.total_price
    returned = _returned(contract)
    return LedgerView(
        contract.number, case.number, CONTRACT_STATUS_LABELS[ContractStatus(contract.status)],
        contract.permit_number, project.name, building.number, contract.unit_no,  # type: ignore[union-attr]
        [f"{b.name}（{mask_id(b.id_number)}，{mask_phone(b.phone)}）" for b in buyers],
        PAYMENT_LABELS[PaymentMethod(contract.payment_method)] if contract.payment_method else None,
        total, contract.amount_due, money.received, money.refunded, money.paid,
        (total - money.paid) if total is not None and not returned else None, money.refundable,
        (money.pending_income - money.pending_refund), returned, money.refundable if returned else None,
        [(k.value, ENTRY_KIND_LABELS[k]) for k in allowed_kinds(money, returned=returned)], entries,
        money.pending_income, money.pending_refund)


def _returned(contract: PresaleContract) -> bool:
    return contract.status == ContractStatus.RETURNED.value


def ledger(db: Database, actor: Actor, number: str) -> LedgerView:
    """A contract's ledger by its contract number (or its case number)."""
    with db.read() as session:
        _may_see_ledger(session, actor)
        opened = open_contract(session, actor, number)
        return _ledger_view(session, opened.contract, opened.case)


def _text(raw: object, *, field: str, label: str, max_length: int) -> str | None:
    from core.parties import check_text

    return check_text(raw, field=field, label=label, max_length=max_length)


def _day(raw: object) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RuleViolation("LEDGER_BAD_DATE", "流水日期须按“2026-01-31”的格式填写。", field="paid_on") from None


@dataclass(frozen=True)
class EntryAdded:
    case_number: str
    entry_id: int
    kind_label: str
    amount: Decimal


def add_entry(db: Database, actor: Actor, number: str, *, kind: object, amount: object, receipt: object = None,
              paid_on: object = None, note: object = None) -> EntryAdded:
    """新增补录流水 on the contract ``number`` and 派工 to the authority: a 户室流水补录 case holding
    one pending entry. Refused: the kind and amount rules (``core.presale.ledger.check_entry``:
    a refund only where one is refundable, never more than was paid), a void contract, a date
    in the future."""
    require(actor, Permission.FUND_WORK)  # the role first, before any input is looked at
    what = entry_kind(kind)
    value = check_entry_amount(amount, "退款金额" if what is EntryKind.REFUND else "入账金额")
    slip = _text(receipt, field="receipt", label="流水凭证号", max_length=40)
    remark = _text(note, field="note", label="备注", max_length=200)
    day = _day(paid_on)
    with db.write() as session:
        authorise(session, actor, Permission.FUND_WORK)
        opened = open_contract(session, actor, number, lock=True)
        c = opened.contract
        if c.status == ContractStatus.VOID.value:
            raise RuleViolation("LEDGER_CONTRACT_VOID", "该合同已作废，不能补录流水。")
        now = session_now(session)
        if day is not None and day > local_today(now):
            raise RuleViolation("LEDGER_FUTURE_DATE", "流水日期不能晚于今天。", field="paid_on")
        check_entry(what, value, contract_money(session, [c.id])[c.id], c.total_price,  # type: ignore[list-item,index]
                    returned=_returned(c))
        case = cases.accept_in(session, actor, TYPE, developer_id=c.developer_id,
                               summary=f"{c.number} {c.unit_no} {ENTRY_KIND_LABELS[what]}{value}元")
        row = PresalePayment(contract_id=c.id, kind=what.value, status=EntryStatus.PENDING.value,  # type: ignore[arg-type]
                             case_id=case.id, amount=value, receipt=slip, paid_on=day, note=remark,
                             received_at=now, operator_id=actor.operator_id)
        session.add(row)
        session.flush()
        cases.dispatch_in(session, actor, case.number, role=Role.SUPERVISOR)
        audit.append(session, actor, "ledger_entry_add", object_type="presale_payment", object_id=row.id,
                     case_number=case.number,
                     after={"contract": c.number, "kind": what.value, "amount": str(value), "receipt": slip,
                            "paid_on": day.isoformat() if day else None})
        return EntryAdded(case.number, row.id, ENTRY_KIND_LABELS[what], value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class EntryCase:
    case_number: str
    stage_name: str
    case_status_label: str
    holder: str | None
    contract_number: str
    unit_no: str
    kind_label: str
    amount: Decimal
    status_label: str
    receipt: str | None
    paid_on: date | None
    note: str | None


def _open_entry(session: Session, actor: Actor, number: object, *, lock: bool = False) -> tuple[PresalePayment, Case,
                                                                                                  PresaleContract]:
    return open_record(  # type: ignore[return-value]
        session, actor, number, PresalePayment,
        joined=[(PresaleContract, PresaleContract.id == PresalePayment.contract_id)],
        code="LEDGER_CASE_NOT_FOUND", missing="没有业务号为“{number}”的户室流水补录业务。", lock=lock,
        sees=lambda row: actor.developer_id is None or row[2].developer_id == actor.developer_id)


def _entry_case(session: Session, entry: PresalePayment, case: Case, contract: PresaleContract) -> EntryCase:
    kind = case_type(case.type_code)
    holder = session.get(Operator, case.holder_id).name if case.holder_id else None  # type: ignore[union-attr]
    return EntryCase(case.number, kind.stages[kind.stage_index(case.stage)].name,
                     CASE_STATUS_LABELS[CaseStatus(case.status)], holder, contract.number, contract.unit_no,
                     ENTRY_KIND_LABELS[EntryKind(entry.kind)], entry.amount,
                     ENTRY_STATUS_LABELS[EntryStatus(entry.status)], entry.receipt, entry.paid_on, entry.note)


def show_entry(db: Database, actor: Actor, number: str) -> EntryCase:
    """One 户室流水补录 case and its entry."""
    with db.read() as session:
        _may_see_ledger(session, actor)
        return _entry_case(session, *_open_entry(session, actor, number))


def review_entry(db: Database, actor: Actor, number: str, *, approve: bool, opinion: object = None) -> str:
    """主管部门审核 of a back-entered entry: approved, the case is archived and the entry posted
    (checked again against the contract's money as it stands now: a refund larger than what
    was paid is still refused); refused (an opinion required), the case ends and the entry is
    void. Returns what was done, in Chinese."""
    require(actor, Permission.FUND_REVIEW)  # the role first, before any input is looked at
    note = check_opinion(opinion, required=not approve)
    with db.write() as session:
        authorise(session, actor, Permission.FUND_REVIEW)
        entry, case, contract = _open_entry(session, actor, number, lock=True)
        if case.status != CaseStatus.ACTIVE.value or case.stage != "review":
            kind = case_type(case.type_code)
            here = kind.stages[kind.stage_index(case.stage)].name
            raise RuleViolation("LEDGER_WRONG_STAGE",
                                f"该业务正处于“{here}”阶段（{CASE_STATUS_LABELS[CaseStatus(case.status)]}），不能审核。")
        if case.holder_id is None:
            cases.receive_in(session, actor, case.number)
        if approve:
            money = contract_money(session, [contract.id])[contract.id]  # type: ignore[list-item,index]
            what = EntryKind(entry.kind)
            # the entry itself is pending: check it as if it were not there yet
            others = Money(money.received, money.refunded,
                           money.pending_income - (entry.amount if what is EntryKind.INCOME else 0),
                           money.pending_refund - (entry.amount if what is EntryKind.REFUND else 0))
            check_entry(what, entry.amount, others, contract.total_price, returned=_returned(contract))
            cases.archive_in(session, actor, case.number)
            entry.status = EntryStatus.POSTED.value
            done = f"审核通过，{ENTRY_KIND_LABELS[what]}{entry.amount}元已记入户室流水，业务已归档。"
        else:
            cases.terminate_in(session, actor, case.number, reason=note or "")
            entry.status = EntryStatus.VOID.value
            done = "审核不通过，该笔流水已作废，业务已办结。"
        audit.append(session, actor, "ledger_entry_review", object_type="presale_payment", object_id=entry.id,
                     case_number=case.number, after={"approve": approve, "opinion": note, "status": entry.status})
        return done
