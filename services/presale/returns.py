"""退房 (seed 004 §5.5.2): a presale or spot-sale contract ended through its T case, the unit
sellable again.

1. **业务发起-退房** (``start_return``): by contract number (or its F case number), or by building
   and unit (栋名称+房号: the unit's live contract). In one transaction the contract's row is locked
   and checked (``core.presale.returns.check_returnable``), the T case accepted and the return made
   with ``live_contract_id`` — UNIQUE, so one contract has one return in progress. While it is in
   progress the contract's own steps stand still (``contracts.refuse_returning``).
2. **退房原因录入** (``save_reason``): the applicant (申请注销人) chosen among the contract's buyers,
   and the reason; then **派工** to the authority (``submit_return``). 取消受理 (``cancel_return``)
   while the reason is being entered.
3. **凭证上传, 归档** by the authority (``attach_voucher``: a PDF; ``archive_return``): the unit's
   row is locked as every sale locks it, the contract becomes 已退房 and leaves the unit
   (``live_unit_id`` NULL: the sales board shows the unit sellable, a new contract may take it), its
   F case ends if it was still open, its codes die; the unit's history keeps the contract.
4. **退款** follows the archive, through the contract's ledger (``services.presale.ledger``:
   a 退款 back-entry reviewed and archived by the authority). The archive does not wait for it
   (the seed's return ends at "凭证上传后业务归档"; why: ``core.presale.ledger``); the return
   shows what remains to refund (``ReturnView.refund_note``, ``refund_due``) until it is 0.

Every step authorises inside its own transaction, is one transaction and appends an audit row;
the reason goes into the audit log and the case history with ID and phone numbers masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type, require_holder
from core.errors import RuleViolation
from core.identity import mask_id, mask_name, mask_numbers_in_text, mask_phone
from core.presale.contracts import CONTRACT_STATUS_LABELS, ContractStatus
from core.presale.returns import (
    RETURN_STATUS_LABELS,
    Returnable,
    ReturnStatus,
    check_applicant,
    check_reason,
    check_returnable,
    refund_note,
)
from core.presale.surveys import check_building_number
from core.roles import Actor, Permission, Role, require
from services import audit, cases, sign_codes
from services.authority import authorise
from services.presale.buildings import find_building
from services.presale.case_records import at_stage, open_record, take_at
from services.presale.common import developer_of
from services.presale.scans import read_scan
from services.presale.contracts import SUBJECT, BuyerView, buyers_of, open_contract, paid_of, unit_id_of
from services.presale.unit_sales import contract_money
from storage.engine import Database, session_now
from storage.models import Building, BuildingUnit, Case, Operator, PresaleContract, PresaleReturn, Project

__all__ = [
    "ReturnView",
    "archive_return",
    "attach_voucher",
    "cancel_return",
    "save_reason",
    "show_return",
    "start_return",
    "submit_return",
]

TYPE = "presale_return"


@dataclass
class _Open:
    record: PresaleReturn
    case: Case


def _open(session: Session, actor: Actor, number: object, *, lock: bool = False) -> _Open:
    """A return by its case number (T…); refused as not found when the actor may not see it."""
    return _Open(*open_record(session, actor, number, PresaleReturn, code="RETURN_NOT_FOUND",
                              missing="没有业务号为“{number}”的退房业务。", lock=lock))


def _check_stage(state, actor: Actor, stage: str, what: str) -> None:  # type: ignore[no-untyped-def]
    if state.status is CaseStatus.ACTIVE and state.stage != stage:
        kind = case_type(state.type_code)
        here = kind.stages[kind.stage_index(state.stage)].name
        raise RuleViolation("RETURN_WRONG_STAGE", f"该退房业务正处于“{here}”阶段，不能{what}。")
    require_holder(state, actor)


def _editing(session: Session, actor: Actor, number: object, what: str) -> _Open:
    """The developer's step at 退房原因录入, the case in the actor's hands."""
    return at_stage(session, actor, number, _open, permission=Permission.PRESALE_CONTRACT_WORK, stage="entry",
                    what=what, check=_check_stage)


def _reviewing(session: Session, actor: Actor, number: object, what: str) -> _Open:
    """The authority's step: the case received (in this transaction if it still waits)."""
    authorise(session, actor, Permission.PRESALE_CONTRACT_FILING)
    opened = _open(session, actor, number, lock=True)
    take_at(session, actor, opened.case, ("review",), what, code="RETURN_WRONG_STAGE", subject="该退房业务",
            check=_check_stage)
    return opened


# --------------------------------------------------------------------------
# 1. 业务发起-退房
# --------------------------------------------------------------------------


def _building(session: Session, actor: Actor, project_id: int | None, building: object) -> Building:
    """The building 栋号 of the given project, or of the only project the actor sees that has one."""
    if project_id is not None:
        return find_building(session, actor, project_id, building)[1]
    number = check_building_number(building)
    query = select(Building).join(Project, Project.id == Building.project_id).where(Building.number == number)
    if actor.developer_id is not None:
        query = query.where(Project.developer_id == actor.developer_id)
    found = list(session.execute(query.limit(2)).scalars())
    if not found:
        raise RuleViolation("BUILDING_NOT_FOUND", f"没有栋号为“{number}”的楼栋。", field="building")
    if len(found) > 1:
        raise RuleViolation("BUILDING_AMBIGUOUS", f"多个项目都有栋号“{number}”，请同时填写项目编号。",
                            field="building")
    return found[0]


def _contract_number(session: Session, actor: Actor, contract: object, building: object, unit_no: object,
                     project_id: int | None) -> object:
    """The contract asked for: its number as typed, or the live contract of the building's unit."""
    if isinstance(contract, str) and contract.strip():
        return contract
    if not (isinstance(building, str) and building.strip()) or not (isinstance(unit_no, str) and unit_no.strip()):
        raise RuleViolation("RETURN_CONTRACT_MISSING", "请输入合同编号，或输入栋号和室号。", field="contract")
    row = _building(session, actor, project_id, building)
    unit = unit_id_of(session, row.id, unit_no)  # type: ignore[arg-type]
    number = session.execute(select(PresaleContract.number).where(
        PresaleContract.live_unit_id == unit)).scalar_one_or_none()
    if number is None:
        raise RuleViolation("RETURN_NO_CONTRACT", f"户室{unit_no.strip()}没有已签约的商品房买卖合同。", field="unit")
    return number


def _open_return(session: Session, contract_id: int) -> str | None:
    return session.execute(select(Case.number).join(PresaleReturn, PresaleReturn.case_id == Case.id).where(
        PresaleReturn.live_contract_id == contract_id)).scalar_one_or_none()


def start_return(db: Database, actor: Actor, *, contract: object = None, building: object = None,
                 unit_no: object = None, project_id: int | None = None) -> "ReturnView":
    """业务发起-退房: by contract number, or by building and unit. Refused: the contract void, already
    returned, a return in progress, not signed and nothing paid (it is cancelled instead), another
    enterprise's (to its staff it does not exist)."""
    with db.write() as session:
        authorise(session, actor, Permission.PRESALE_CONTRACT_WORK)
        number = _contract_number(session, actor, contract, building, unit_no, project_id)
        found = open_contract(session, actor, number, lock=True)
        c = found.contract
        check_returnable(Returnable(c.number, ContractStatus(c.status), paid_of(session, c), _open_return(session, c.id)))  # type: ignore[arg-type]
        developer = developer_of(session, c.developer_id)
        row = session.get(Building, c.building_id)
        case = cases.accept_in(session, actor, TYPE, developer_id=developer.id,
                               summary=f"{row.number if row else ''} {c.unit_no} {c.number} 退房")
        now = session_now(session)
        made = PresaleReturn(case_id=case.id, contract_id=c.id, live_contract_id=c.id,  # type: ignore[arg-type]
                             status=ReturnStatus.ENTRY.value, created_at=now, created_by=actor.operator_id,
                             updated_at=now)
        session.add(made)
        try:
            session.flush()
        except IntegrityError:  # the last line of defence behind the contract row's lock
            raise RuleViolation("RETURN_IN_PROGRESS", f"合同{c.number}已有退房业务正在办理，不能重复发起。") from None
        audit.append(session, actor, "presale_return_start", object_type="presale_return", object_id=made.id,
                     case_number=case.number, after={"contract": c.number, "contract_case": found.case.number,
                                                     "unit": c.unit_no, "contract_status": c.status})
        return _view(session, _Open(made, case))


# --------------------------------------------------------------------------
# 2. 退房原因录入, 派工, 取消受理
# --------------------------------------------------------------------------


def save_reason(db: Database, actor: Actor, number: str, *, applicant: object, reason: object) -> "ReturnView":
    """退房原因录入: the applicant among the contract's buyers (by position from 0, or by name) and
    the reason; saved again as often as needed before the dispatch."""
    with db.write() as session:
        opened = _editing(session, actor, number, "录入退房原因")
        r = opened.record
        buyers = tuple(b.name for b in buyers_of(session, r.contract_id))
        position = check_applicant(buyers, applicant)
        text = check_reason(reason)
        before = {"applicant": r.applicant_position, "reason": r.reason}
        r.applicant_position, r.reason, r.updated_at = position, text, session_now(session)
        audit.append(session, actor, "presale_return_reason", object_type="presale_return", object_id=r.id,
                     case_number=opened.case.number, before=before,
                     after={"applicant": position, "applicant_name": mask_name(buyers[position]), "reason": text})
        return _view(session, opened)


def submit_return(db: Database, actor: Actor, number: str) -> "ReturnView":
    """派工 to the authority (主管部门): the applicant and the reason first. The case history notes
    the reason (masked)."""
    with db.write() as session:
        opened = _editing(session, actor, number, "派工")
        r = opened.record
        if r.reason is None or r.applicant_position is None:
            raise RuleViolation("RETURN_REASON_MISSING", "请先选择申请注销人并填写退房原因，再派工。", field="reason")
        cases.dispatch_in(session, actor, opened.case.number, role=Role.SUPERVISOR, note=f"退房原因：{r.reason}")
        r.status, r.updated_at = ReturnStatus.REVIEW.value, session_now(session)
        audit.append(session, actor, "presale_return_submit", object_type="presale_return", object_id=r.id,
                     case_number=opened.case.number, after={"status": r.status, "reason": r.reason})
        return _view(session, opened)


def cancel_return(db: Database, actor: Actor, number: str, *, reason: str) -> "ReturnView":
    """取消受理 while the reason is being entered: the contract goes on as before."""
    with db.write() as session:
        opened = _editing(session, actor, number, "取消受理")
        r = opened.record
        cases.cancel_in(session, actor, opened.case.number, reason=reason)
        r.status, r.live_contract_id, r.updated_at = ReturnStatus.CANCELLED.value, None, session_now(session)
        audit.append(session, actor, "presale_return_cancel", object_type="presale_return", object_id=r.id,
                     case_number=opened.case.number, after={"status": r.status, "reason": reason})
        return _view(session, opened)


# --------------------------------------------------------------------------
# 3. 凭证上传, 归档 (the authority)
# --------------------------------------------------------------------------


def attach_voucher(db: Database, actor: Actor, number: str, path: object) -> "ReturnView":
    """凭证上传: the return's voucher, a PDF file (taken again replaces the earlier one)."""
    require(actor, Permission.PRESALE_CONTRACT_FILING)  # the role first, before any input is looked at
    kept, sha256 = read_scan(path, label="退房凭证", missing_code="RETURN_VOUCHER_MISSING",
                             not_pdf_code="RETURN_VOUCHER_NOT_PDF", field="voucher")
    with db.write() as session:
        opened = _reviewing(session, actor, number, "上传凭证")
        r = opened.record
        r.voucher_path, r.voucher_sha256 = kept, sha256
        r.updated_at = session_now(session)
        audit.append(session, actor, "presale_return_voucher", object_type="presale_return", object_id=r.id,
                     case_number=opened.case.number, after={"path": r.voucher_path, "sha256": r.voucher_sha256})
        return _view(session, opened)


def archive_return(db: Database, actor: Actor, number: str, *, note: object = None) -> "ReturnView":
    """归档: the contract 已退房, the unit sellable again (its row locked as every sale locks it,
    before the contract leaves it), the contract's F case ended if still open, its codes void."""
    from core.parties import check_text

    remark = check_text(note, field="note", label="归档意见", max_length=200)
    with db.write() as session:
        opened = _reviewing(session, actor, number, "归档")
        r = opened.record
        if r.voucher_sha256 is None:
            raise RuleViolation("RETURN_VOUCHER_MISSING", "请先上传退房凭证（PDF），再归档。", field="voucher")
        c = session.get(PresaleContract, r.contract_id)
        assert c is not None
        session.execute(select(BuildingUnit.id).where(BuildingUnit.id == c.building_unit_id).with_for_update())
        session.refresh(c, with_for_update=True)
        now = session_now(session)
        before = {"status": c.status, "live_unit": c.live_unit_id}
        c.status, c.live_unit_id, c.updated_at = ContractStatus.RETURNED.value, None, now
        contract_case = session.get(Case, c.case_id)
        assert contract_case is not None
        if contract_case.status == CaseStatus.ACTIVE.value:
            cases.terminate_in(session, actor, contract_case.number, reason=f"已退房（{opened.case.number}）")
        sign_codes.void_codes(session, actor, subject_type=SUBJECT, subject_id=c.id,  # type: ignore[arg-type]
                              case_number=contract_case.number)
        r.status, r.live_contract_id, r.archived_at, r.updated_at = ReturnStatus.ARCHIVED.value, None, now, now
        cases.archive_in(session, actor, opened.case.number)
        audit.append(session, actor, "presale_return_archived", object_type="presale_return", object_id=r.id,
                     case_number=opened.case.number, before=before,
                     after={"contract": c.number, "status": c.status, "unit": c.unit_no, "note": remark})
        return _view(session, opened)


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnView:
    case_number: str
    stage: str
    stage_name: str
    case_status_label: str
    holder: str | None
    status_label: str
    contract_number: str
    contract_case: str
    contract_status_label: str
    project_name: str
    building_number: str
    unit_no: str
    developer_name: str
    buyers: list[BuyerView]  # numbers masked
    applicant: str | None  # the applicant's name
    reason: str | None  # ID and phone numbers masked
    voucher_path: str | None
    paid: Decimal  # 实缴 on the contract's ledger (received − refunded)
    refunded: Decimal  # 已退
    refund_due: Decimal  # 待退款 (refunds waiting for review set aside); 0 until the archive
    refund_note: str | None  # what remains to refund, in one Chinese sentence

    def as_json(self) -> dict[str, object]:
        from dataclasses import asdict

        return asdict(self)


def _view(session: Session, opened: _Open) -> ReturnView:
    r, case = opened.record, opened.case
    session.flush()
    kind = case_type(case.type_code)
    c = session.get(PresaleContract, r.contract_id)
    contract_case = session.get(Case, c.case_id)  # type: ignore[union-attr]
    building = session.get(Building, c.building_id)  # type: ignore[union-attr]
    project = session.get(Project, building.project_id)  # type: ignore[union-attr]
    holder = session.get(Operator, case.holder_id).name if case.holder_id is not None else None  # type: ignore[union-attr]
    buyers = [BuyerView(b.position, b.name, mask_id(b.id_number), mask_phone(b.phone))
              for b in buyers_of(session, c.id)]  # type: ignore[arg-type, union-attr]
    applicant = next((b.name for b in buyers if b.position == r.applicant_position), None)
    money = contract_money(session, [c.id])[c.id]  # type: ignore[list-item,index,union-attr]
    status = ReturnStatus(r.status)
    return ReturnView(
        case.number, case.stage, kind.stages[kind.stage_index(case.stage)].name,
        CASE_STATUS_LABELS[CaseStatus(case.status)], holder, RETURN_STATUS_LABELS[ReturnStatus(r.status)],
        c.number, contract_case.number, CONTRACT_STATUS_LABELS[ContractStatus(c.status)],  # type: ignore[union-attr]
        project.name, building.number, c.unit_no, developer_of(session, c.developer_id).name,  # type: ignore[union-attr]
        buyers, applicant, mask_numbers_in_text(r.reason) if r.reason else None, r.voucher_path, money.paid,
        money.refunded, money.refundable if status is ReturnStatus.ARCHIVED else Decimal("0.00"),
        refund_note(status, money))


def show_return(db: Database, actor: Actor, number: str) -> ReturnView:
    """退房业务查询, by its case number."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_CONTRACT_WORK if actor.can(Permission.PRESALE_CONTRACT_WORK)
                  else Permission.PRESALE_CONTRACT_FILING)
        return _view(session, _open(session, actor, number))
