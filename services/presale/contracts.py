"""预售签约 (seed 004 §5.5.1) and 现房签约 (§5.7): a presale or spot-sale contract on one unit,
worked through its F case.

1. **业务受理** (``start_contract``): by permit number and unit number. In one transaction the
   unit's row is locked and checked (``services.presale.buildings.check_sellable``: under the
   permit, not a room, not seized or restricted, not sold, no permit change open), the F case
   accepted and the contract made with ``live_unit_id`` — UNIQUE, so no two terminals sell one unit.
2. **购房合同录入** (``save_entry``): the national model contract's articles as data
   (``core.presale.contracts``); every save is a new version (the SMS codes of earlier versions
   are void); the buyer cannot change once saved.
3. **资金缴款通知单** (``payment_notice``, ``record_payment``): the notice prints; payments are
   recorded to the fen; the entry completes (``complete_entry``) only when paid equals due.
4. **签约环节**: an electronic contract — each buyer confirms by SMS code bound to the version
   (``send_buyer_code``, ``verify_buyer_code``); a paper one — the signed scan, a PDF
   (``attach_scan``); ``confirm_signing``.
5. **合同盖章** (``send_seal_code``, ``seal_contract``): the seal holder (the enterprise's legal
   representative's phone) confirms by SMS code; the case goes to the loan's reviewers by payment
   method (the bank, the fund centre, the fund centre then the bank), or straight to the filing.
6. **抵押审核** (``review_loan``) by the bank or fund centre the case names (its reviewers see only
   their cases); **备案** (``file_contract``) by the authority: the filing number, the case archived.

Every step authorises inside its own transaction, is one transaction and appends an audit row. A
developer's staff see only their enterprise's contracts (to them another's do not exist).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type
from core.errors import RuleViolation
from core.identity import mask_id, mask_phone
from core.money import format_yuan, to_chinese_capital
from core.places import building_label
from core.presale import room_numbers
from core.presale.contracts import (
    CONTRACT_STATUS_LABELS,
    PAYMENT_LABELS,
    PRICE_BASIS_LABELS,
    SIGNING_FORM_LABELS,
    Buyer,
    ContractEntry,
    ContractStatus,
    PaymentMethod,
    PriceBasis,
    SigningForm,
    UnitAreas,
    amount_due,
    check_contract_stage,
    check_entry,
    check_loan_reviewer,
    check_payment,
    check_same_buyers,
    digest,
    route,
)
from core.presale.developers import BankPurpose, check_may_work
from core.presale.sale import PermitKind
from core.roles import Actor, Permission, Role, require
from core.timeutil import local_today
from reports.presale_contracts import PaymentNotice
from reports.presale_contracts import payment_notice_pdf as render_notice
from services import audit, cases, sign_codes
from services.authority import authorise
from services.presale.buildings import check_sellable, find_building, survey_in_force
from services.presale.case_records import at_stage, case_number_of, open_record, take_at
from services.presale.common import developer_of, find_project
from services.presale.scans import read_scan
from services.presale.unit_sales import contract_money
from storage.engine import Database, session_now
from storage.models import (
    Building,
    Case,
    DeveloperBank,
    Operator,
    PresaleBuyer,
    PresaleContract,
    PresalePayment,
    Project,
    SalePermit,
    SurveyUnit,
    UnitRestriction,
)

__all__ = [
    "ContractView",
    "PaymentNotice",
    "areas_of",
    "authorise_reader",
    "paid_of",
    "attach_scan",
    "buyers_of",
    "cancel_contract",
    "complete_entry",
    "confirm_signing",
    "file_contract",
    "lift_restriction",
    "list_contracts",
    "open_contract",
    "payment_notice",
    "payment_notice_pdf",
    "record_payment",
    "restrict_unit",
    "review_loan",
    "save_entry",
    "seal_contract",
    "send_buyer_code",
    "send_seal_code",
    "show_contract",
    "start_contract",
    "supervised_account",
    "unit_id_of",
    "verify_buyer_code",
]

SUBJECT = "presale_contract"
PURPOSE_BUYER = "presale_buyer_sign"
PURPOSE_SEAL = "presale_seal"
NOT_FOUND = room_numbers.NOT_FOUND
_TYPE = {PermitKind.PRESALE: "presale_signing", PermitKind.SPOT: "spot_signing"}
_PREFIX = {PermitKind.PRESALE: "YS", PermitKind.SPOT: "XS"}
RESTRICTION_LABELS = {"seizure": "司法查封", "administrative": "行政限制"}


# --------------------------------------------------------------------------
# Finding a contract the actor may see
# --------------------------------------------------------------------------


@dataclass
class _Open:
    contract: PresaleContract
    case: Case


def open_contract(session: Session, actor: Actor, number: object, *, lock: bool = False) -> _Open:
    """By case number (F…) or contract number; refused as not found when the actor may not see it."""
    return _Open(*open_record(
        session, actor, number, PresaleContract, code="CONTRACT_NOT_FOUND",
        missing="没有业务号或合同编号为“{number}”的商品房买卖合同。", lock=lock, width=24,
        also=lambda shown: PresaleContract.number == shown,
        sees=lambda row: actor.developer_id is None or row[0].developer_id == actor.developer_id))


def refuse_returning(session: Session, contract: PresaleContract) -> None:
    """A contract whose house return (退房) is in progress stands still until the return ends."""
    from storage.models import PresaleReturn

    case = session.execute(select(Case.number).join(PresaleReturn, PresaleReturn.case_id == Case.id).where(
        PresaleReturn.live_contract_id == contract.id)).scalar_one_or_none()
    if case is not None:
        raise RuleViolation("CONTRACT_RETURNING", f"该合同正在办理退房（{case}），不能继续办理。")


def _editing(session: Session, actor: Actor, number: object, stage: str, what: str) -> _Open:
    opened = at_stage(session, actor, number, open_contract, permission=Permission.PRESALE_CONTRACT_WORK,
                      stage=stage, what=what, check=check_contract_stage)
    refuse_returning(session, opened.contract)
    return opened


def _advance(session: Session, actor: Actor, case_number: str, to_stage: str) -> None:
    """The developer's own next stage: dispatched to itself and received, in this transaction."""
    if actor.operator_id is not None and actor.role is Role.DEVELOPER:
        cases.dispatch_in(session, actor, case_number, operator=actor.username, to_stage=to_stage)
    else:
        cases.dispatch_in(session, actor, case_number, role=Role.DEVELOPER, to_stage=to_stage)
    cases.receive_in(session, actor, case_number)


# --------------------------------------------------------------------------
# Seizures and restrictions (the authority)
# --------------------------------------------------------------------------


def unit_id_of(session: Session, building_id: int, unit_no: object) -> int:
    """The building's unit whose room number (室号) is ``unit_no`` as the survey in force holds it.
    Refused: PERMIT_UNIT_NOT_FOUND, naming the rooms it may have meant ("503" for "5-03",
    ``core.presale.room_numbers``)."""
    survey = survey_in_force(session, building_id)
    wanted = unit_no.strip() if isinstance(unit_no, str) else ""
    found = None if survey is None else session.execute(
        select(SurveyUnit.building_unit_id).where(SurveyUnit.survey_id == survey.id,
                                                  SurveyUnit.unit_no == wanted)).scalar_one_or_none()
    if found is None:
        if survey is None:
            raise RuleViolation("PERMIT_UNIT_NOT_FOUND", NOT_FOUND, field="unit")
        rooms = session.execute(select(SurveyUnit.unit_no, SurveyUnit.unit).where(SurveyUnit.survey_id == survey.id)
                                .order_by(SurveyUnit.line)).all()
        building = session.get(Building, building_id)
        prefixes = {building.number if building else "", *(unit for _, unit in rooms if unit)}
        raise room_numbers.unit_not_found(unit_no, [room for room, _ in rooms], prefixes=prefixes)
    return found


def restrict_unit(db: Database, actor: Actor, project_id: int, building: str, unit_no: str, *, kind: str,
                  document: object, authority: object = None) -> int:
    """Register a judicial seizure (司法查封) or administrative restriction (行政限制) on a unit;
    contracts on it are refused until it is lifted. Returns the restriction's id."""
    require(actor, Permission.PERMIT_REVIEW)  # the role first, before any input is looked at
    from core.parties import check_text

    if kind not in RESTRICTION_LABELS:
        raise RuleViolation("RESTRICTION_BAD_KIND", "限制类型须为司法查封或行政限制。", field="kind")
    doc = check_text(document, reference=True, field="document", label="查封或限制文书号", max_length=100, required=True)
    by = check_text(authority, field="authority", label="查封或限制机关", max_length=100)
    with db.write() as session:
        authorise(session, actor, Permission.PERMIT_REVIEW)
        _, row = find_building(session, actor, project_id, building)
        unit = unit_id_of(session, row.id, unit_no)  # type: ignore[arg-type]
        made = UnitRestriction(building_unit_id=unit, kind=kind, document=doc, authority=by,  # type: ignore[arg-type]
                               created_at=session_now(session), created_by=actor.operator_id)
        session.add(made)
        session.flush()
        audit.append(session, actor, "unit_restrict", object_type="unit_restriction", object_id=made.id,
                     after={"building_unit": unit, "kind": kind, "document": doc, "authority": by})
        return made.id  # type: ignore[return-value]


def lift_restriction(db: Database, actor: Actor, restriction_id: int) -> None:
    """Lift a seizure or restriction (解封 / 解除限制)."""
    with db.write() as session:
        authorise(session, actor, Permission.PERMIT_REVIEW)
        row = session.get(UnitRestriction, restriction_id, with_for_update=True)
        if row is None or row.lifted_at is not None:
            raise RuleViolation("RESTRICTION_NOT_FOUND", "没有找到生效中的该项查封或限制。")
        row.lifted_at, row.lifted_by = session_now(session), actor.operator_id
        audit.append(session, actor, "unit_restriction_lift", object_type="unit_restriction", object_id=row.id,
                     after={"lifted_at": row.lifted_at})


# --------------------------------------------------------------------------
# 1. 业务受理
# --------------------------------------------------------------------------


def start_contract(db: Database, actor: Actor, *, permit_number: object, unit_no: object) -> "ContractView":
    """业务受理 of a presale (预售许可证 YS…) or spot-sale (现售许可证 XS…) contract on the unit of
    that permit. Refused with the seed's sentences: the unit not under that permit in force
    ("没有找到有效许可证户室信息"), seized or restricted ("该户室已司法查封或行政限制"), a
    property-management room, sold, a permit change open on the building."""
    wanted = case_number_of(permit_number)  # ＹＳ２０２６… from a Chinese input method reads YS2026…
    with db.write() as session:
        authorise(session, actor, Permission.PRESALE_CONTRACT_WORK)
        permit = session.execute(select(SalePermit).where(SalePermit.permit_number == wanted,
                                                          SalePermit.current_key.is_not(None))).scalar_one_or_none()
        building = session.get(Building, permit.building_id) if permit else None
        project = session.get(Project, building.project_id) if building else None
        if permit is None or project is None or (
                actor.developer_id is not None and project.developer_id != actor.developer_id):
            raise RuleViolation("PERMIT_UNIT_NOT_FOUND", NOT_FOUND, field="permit")
        unit_id = unit_id_of(session, permit.building_id, unit_no)
        kind = PermitKind(permit.kind)
        facts = check_sellable(session, unit_id, sale=kind)  # locks the unit's row
        if facts.permit_number != permit.permit_number:
            raise RuleViolation("PERMIT_UNIT_NOT_FOUND", NOT_FOUND, field="unit")
        developer = developer_of(session, project.developer_id)
        check_may_work(developer.status, developer.valid, developer.name)
        assert building is not None
        case = cases.accept_in(session, actor, _TYPE[kind], developer_id=developer.id,
                               summary=f"{project.name} {building.number} {facts.unit_no} {permit.permit_number}")
        now = session_now(session)
        contract = PresaleContract(
            number=f"{_PREFIX[kind]}HT{case.number[1:]}", case_id=case.id, kind=kind.value,  # type: ignore[arg-type]
            developer_id=developer.id, building_id=building.id, building_unit_id=unit_id,  # type: ignore[arg-type]
            live_unit_id=unit_id, permit_number=permit.permit_number, unit_no=facts.unit_no,  # type: ignore[arg-type]
            status=ContractStatus.ENTRY.value, created_at=now, created_by=actor.operator_id, updated_at=now)
        session.add(contract)
        try:
            session.flush()
        except IntegrityError:  # the last line of defence behind the row lock
            raise RuleViolation("UNIT_ALREADY_SOLD", f"户室{facts.unit_no}已签约，不能重复销售。") from None
        audit.append(session, actor, "presale_contract_start", object_type="presale_contract", object_id=contract.id,
                     case_number=case.number, after={"number": contract.number, "permit": permit.permit_number,
                                                     "unit": facts.unit_no, "kind": kind.value})
        return _view(session, _Open(contract, case))


# --------------------------------------------------------------------------
# 2. 购房合同录入, 3. 资金缴款通知单
# --------------------------------------------------------------------------


def paid_of(session: Session, contract: PresaleContract) -> Decimal:
    """实缴: what the contract's ledger says the buyer has paid (received − refunded, posted
    entries only; ``services.presale.unit_sales.contract_money`` — the one source)."""
    session.flush()
    return contract_money(session, [contract.id])[contract.id].paid  # type: ignore[list-item,index]


def areas_of(session: Session, contract: PresaleContract) -> tuple[UnitAreas, SurveyUnit]:
    """The contract's unit as the survey in force describes it (its areas, and its survey row)."""
    survey = survey_in_force(session, contract.building_id)
    row = None if survey is None else session.execute(select(SurveyUnit).where(
        SurveyUnit.survey_id == survey.id, SurveyUnit.building_unit_id == contract.building_unit_id)).scalar_one_or_none()
    if row is None:
        raise RuleViolation("PERMIT_UNIT_NOT_FOUND", NOT_FOUND)
    return UnitAreas(row.unit_no, row.built_area, row.inner_area), row


def buyers_of(session: Session, contract_id: int) -> list[PresaleBuyer]:
    """The contract's buyers in their order (``position``)."""
    return list(session.execute(select(PresaleBuyer).where(PresaleBuyer.contract_id == contract_id)
                                .order_by(PresaleBuyer.position)).scalars())


def save_entry(db: Database, actor: Actor, number: str, entry: ContractEntry) -> "ContractView":
    """购房合同录入: check and keep the entry as a new version (earlier codes void). The buyer is
    fixed by the first save ("购房主体一旦保存后将不能再次更改"): a later save repeats it or leaves
    it out (the screen, which shows it masked, leaves it out); the amount due may not fall below
    what was already paid."""
    with db.write() as session:
        opened = _editing(session, actor, number, "entry", "录入合同")
        c = opened.contract
        saved = buyers_of(session, c.id)  # type: ignore[arg-type]
        if saved and not entry.buyers:  # a later save may leave the (fixed) buyers out: they are kept
            from dataclasses import replace

            entry = replace(entry, buyers=tuple(Buyer(b.name, b.id_number, b.phone, b.id_kind) for b in saved))
        unit, _ = areas_of(session, c)
        banks = frozenset(session.execute(select(DeveloperBank.bank_name).where(
            DeveloperBank.developer_id == c.developer_id, DeveloperBank.purpose == BankPurpose.MORTGAGE.value,
            DeveloperBank.active.is_(True))).scalars())
        valid = check_entry(entry, unit, today=local_today(session_now(session)), mortgage_banks=banks)
        check_same_buyers(tuple((b.name, b.id_number) for b in saved), valid)
        due = amount_due(valid)
        paid = paid_of(session, c)
        if due < paid:
            raise RuleViolation("CONTRACT_DUE_BELOW_PAID",
                                f"已缴款{paid}元，应付金额不能少于已缴金额。", field="down_payment")
        if not saved:
            for i, b in enumerate(valid.buyers):
                session.add(PresaleBuyer(contract_id=c.id, position=i, name=b.name, id_kind=b.id_kind,  # type: ignore[arg-type]
                                         id_number=b.id_number, phone=b.phone))
        before = {"version": c.version, "digest": c.digest}
        c.version += 1
        c.facts, c.digest = valid.as_json(), digest(valid, c.unit_no)
        c.buyer_names = "、".join(b.name for b in valid.buyers)[:200]
        c.payment_method, c.total_price, c.amount_due = valid.payment_method, valid.total_price, due
        c.signing_form = valid.signing_form
        c.updated_at = session_now(session)
        sign_codes.void_codes(session, actor, subject_type=SUBJECT, subject_id=c.id,  # type: ignore[arg-type]
                              case_number=opened.case.number)
        audit.append(session, actor, "presale_contract_entry", object_type="presale_contract", object_id=c.id,
                     case_number=opened.case.number, before=before,
                     after={"version": c.version, "digest": c.digest, "total_price": str(valid.total_price),
                            "payment_method": valid.payment_method, "amount_due": str(due)})
        return _view(session, opened)


def record_payment(db: Database, actor: Actor, number: str, amount: object, *, receipt: object = None) -> "ContractView":
    """A payment received against the notice, to the fen, posted to the contract's ledger at once;
    an overpayment is refused."""
    from core.parties import check_text

    slip = check_text(receipt, reference=True, field="receipt", label="缴款凭证号", max_length=40)
    with db.write() as session:
        opened = _editing(session, actor, number, "entry", "登记缴款")
        c = opened.contract
        if c.amount_due is None:
            raise RuleViolation("CONTRACT_ENTRY_MISSING", "请先录入购房合同信息，再打印缴款通知单和登记缴款。")
        value = check_payment(c.amount_due, paid_of(session, c), amount)
        row = PresalePayment(contract_id=c.id, amount=value, receipt=slip, received_at=session_now(session),  # type: ignore[arg-type]
                             operator_id=actor.operator_id)
        session.add(row)
        paid = paid_of(session, c)
        audit.append(session, actor, "presale_payment", object_type="presale_contract", object_id=c.id,
                     case_number=opened.case.number,
                     after={"payment": row.id, "amount": str(value), "paid": str(paid), "due": str(c.amount_due)})
        return _view(session, opened)


def complete_entry(db: Database, actor: Actor, number: str) -> "ContractView":
    """The entry's task completes only when the notice's paid amount equals the amount due; the
    case moves to 签约环节."""
    with db.write() as session:
        opened = _editing(session, actor, number, "entry", "完成合同录入")
        c = opened.contract
        if c.amount_due is None:
            raise RuleViolation("CONTRACT_ENTRY_MISSING", "请先录入购房合同信息。")
        paid = paid_of(session, c)
        if paid != c.amount_due:
            raise RuleViolation("PAYMENT_NOT_EQUAL_DUE",
                                f"缴款单上的实付金额必须等于应付金额，当前任务才能完成（应付{c.amount_due}元，实付{paid}元）。")
        _advance(session, actor, opened.case.number, "signing")
        c.status, c.updated_at = ContractStatus.SIGNING.value, session_now(session)
        audit.append(session, actor, "presale_contract_entry_done", object_type="presale_contract", object_id=c.id,
                     case_number=opened.case.number, after={"status": c.status, "version": c.version})
        return _view(session, opened)


def supervised_account(session: Session, building_id: int) -> DeveloperBank | None:
    """The supervising bank account of the building's fund supervision agreement in force, if any."""
    from storage.models import FundAgreement

    agreement = session.execute(select(FundAgreement).where(
        FundAgreement.current_building_id == building_id)).scalar_one_or_none()
    return session.get(DeveloperBank, agreement.bank_id) if agreement and agreement.bank_id else None


def payment_notice(db: Database, actor: Actor, number: str) -> PaymentNotice:
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_CONTRACT_WORK)
        opened = open_contract(session, actor, number)
        c = opened.contract
        if c.amount_due is None or c.total_price is None:
            raise RuleViolation("CONTRACT_ENTRY_MISSING", "请先录入购房合同信息，再打印缴款通知单和登记缴款。")
        building = session.get(Building, c.building_id)
        project = session.get(Project, building.project_id)  # type: ignore[union-attr]
        bank = supervised_account(session, c.building_id)
        account = (" ".join(x for x in (bank.bank_name, bank.branch, bank.account_name, bank.account_number) if x)
                   if bank else None)
        return PaymentNotice(c.number, opened.case.number, developer_of(session, c.developer_id).name,
                             c.buyer_names or "", project.name, building.number, c.unit_no, c.total_price,  # type: ignore[union-attr]
                             PAYMENT_LABELS[PaymentMethod(c.payment_method)], c.amount_due,
                             to_chinese_capital(c.amount_due), paid_of(session, c), account,
                             f"{local_today(db.now()):%Y-%m-%d}")


def payment_notice_pdf(db: Database, actor: Actor, number: str) -> bytes:
    """资金缴款通知单 as PDF bytes."""
    return render_notice(payment_notice(db, actor, number))


# --------------------------------------------------------------------------
# 4. 签约环节
# --------------------------------------------------------------------------


def _buyer(session: Session, contract: PresaleContract, position: int) -> PresaleBuyer:
    found = next((b for b in buyers_of(session, contract.id) if b.position == position), None)  # type: ignore[arg-type]
    if found is None:
        raise RuleViolation("SIGNING_NO_PARTY", "合同中没有该买受人。", field="party")
    return found


def _refuse_form(contract: PresaleContract, form: SigningForm) -> None:
    if contract.signing_form != form.value:
        raise RuleViolation("CONTRACT_WRONG_FORM", f"该合同为{SIGNING_FORM_LABELS[SigningForm(contract.signing_form)]}，"  # type: ignore[arg-type]
                            f"不能按{SIGNING_FORM_LABELS[form]}签署。")


def send_buyer_code(db: Database, actor: Actor, number: str, position: int = 0) -> sign_codes.CodeSent:
    """电子合同: send a buyer the code confirming this exact version; the SMS names the unit and the price."""
    keys = sign_codes.code_keys_of(db)
    with db.write() as session:
        opened = _editing(session, actor, number, "signing", "发送签署验证码")
        c = opened.contract
        _refuse_form(c, SigningForm.ELECTRONIC)
        buyer = _buyer(session, c, position)
        building = session.get(Building, c.building_id)
        project = session.get(Project, building.project_id)  # type: ignore[union-attr]
        where = f"{project.name}{building_label(building.number)}{c.unit_no}"  # type: ignore[union-attr]
        price = format_yuan(c.total_price)  # type: ignore[arg-type]

        def text(code: str) -> str:
            return (f"【网签】验证码{code}，您作为买受人确认签订{where}商品房买卖合同（{c.number}），"
                    f"总价款{price}。5分钟内有效，请勿泄露。")

        return sign_codes.queue_code(session, keys, actor, purpose=PURPOSE_BUYER, subject_type=SUBJECT,
                                     subject_id=c.id, subject_version=c.version, party_key=f"buyer:{position}",  # type: ignore[arg-type]
                                     phone=buyer.phone, sms_text=text, case_number=opened.case.number)


def verify_buyer_code(db: Database, actor: Actor, number: str, code: str, position: int = 0) -> sign_codes.Verified:
    """A buyer's code against the contract as it is now (a wrong code's try is committed, then refused)."""
    keys = sign_codes.code_keys_of(db)
    with db.write() as session:
        opened = _editing(session, actor, number, "signing", "验证签署验证码")
        c = opened.contract
        _refuse_form(c, SigningForm.ELECTRONIC)
        outcome = sign_codes.check_code_in(session, keys, actor, code=code, subject_version=c.version,
                                           subject_type=SUBJECT, subject_id=c.id, party_key=f"buyer:{position}",  # type: ignore[arg-type]
                                           purpose=PURPOSE_BUYER)
    return outcome.result()


def attach_scan(db: Database, actor: Actor, number: str, path: object) -> "ContractView":
    """纸质合同: the scan of the contract signed by the buyer and sealed by the seller (a PDF file)."""
    require(actor, Permission.PRESALE_CONTRACT_WORK)  # the role first, before any input is looked at
    where, sha = read_scan(path, label="合同扫描件", missing_code="CONTRACT_SCAN_MISSING",
                           not_pdf_code="CONTRACT_SCAN_NOT_PDF")
    with db.write() as session:
        opened = _editing(session, actor, number, "signing", "上传合同扫描件")
        c = opened.contract
        _refuse_form(c, SigningForm.PAPER)
        c.scan_path, c.scan_sha256 = where, sha
        c.updated_at = session_now(session)
        audit.append(session, actor, "presale_contract_scan", object_type="presale_contract", object_id=c.id,
                     case_number=opened.case.number, after={"path": c.scan_path, "sha256": c.scan_sha256})
        return _view(session, opened)


def confirm_signing(db: Database, actor: Actor, number: str) -> "ContractView":
    """签约环节 done: every buyer confirmed this version (电子合同), or the scan is attached (纸质合同);
    the case moves to 合同盖章."""
    with db.write() as session:
        opened = _editing(session, actor, number, "signing", "完成签约")
        c = opened.contract
        if c.signing_form == SigningForm.PAPER.value:
            if c.scan_sha256 is None:
                raise RuleViolation("CONTRACT_SCAN_MISSING", "纸质合同须上传买卖双方签章后的合同扫描件（PDF）。")
        else:
            done = sign_codes.verified_parties_in(session, SUBJECT, c.id, c.version, purpose=PURPOSE_BUYER)  # type: ignore[arg-type]
            missing = [b for b in buyers_of(session, c.id) if f"buyer:{b.position}" not in done]  # type: ignore[arg-type]
            if missing:
                from core.identity import mask_name

                names = "、".join(f"买受人{mask_name(b.name)}" for b in missing)
                raise RuleViolation("SIGNING_NOT_ALL_VERIFIED", f"{names}尚未完成短信验证签署，不能提交。")
        _advance(session, actor, opened.case.number, "sealing")
        now = session_now(session)
        c.status, c.signed_at, c.updated_at = ContractStatus.SEALING.value, now, now
        audit.append(session, actor, "presale_contract_signed", object_type="presale_contract", object_id=c.id,
                     case_number=opened.case.number, after={"status": c.status, "version": c.version,
                                                            "form": c.signing_form})
        return _view(session, opened)


# --------------------------------------------------------------------------
# 5. 合同盖章 and the route
# --------------------------------------------------------------------------


def send_seal_code(db: Database, actor: Actor, number: str) -> sign_codes.CodeSent:
    """The seal holder (印章授权人: the enterprise's legal representative's phone) gets the code."""
    keys = sign_codes.code_keys_of(db)
    with db.write() as session:
        opened = _editing(session, actor, number, "sealing", "发送盖章验证码")
        c = opened.contract
        developer = developer_of(session, c.developer_id)
        price = format_yuan(c.total_price)  # type: ignore[arg-type]

        def text(code: str) -> str:
            return (f"【网签】验证码{code}，{developer.name}申请对商品房买卖合同（{c.number}，户室{c.unit_no}，"
                    f"总价款{price}）加盖企业印章。5分钟内有效，请勿泄露。")

        return sign_codes.queue_code(session, keys, actor, purpose=PURPOSE_SEAL, subject_type=SUBJECT,
                                     subject_id=c.id, subject_version=c.version, party_key="seal",  # type: ignore[arg-type]
                                     phone=developer.legal_rep_phone, sms_text=text, case_number=opened.case.number)


def _route_to(session: Session, actor: Actor, opened: _Open, after: str) -> str:
    """Dispatch to the next review stage of the contract's route after ``after``, or to the filing;
    the case carries the name of the bank or fund centre that reviews it. Returns the stage."""
    c, case = opened.contract, opened.case
    facts = json.loads(c.facts or "{}")
    stages = route(c.payment_method or PaymentMethod.FULL.value)
    later = stages[stages.index(after) + 1:] if after in stages else stages
    nxt = later[0] if later else "filing"
    if nxt == "fund_review":
        case.bank_name = facts.get("fund_centre")
    elif nxt == "bank_review":
        case.bank_name = facts.get("loan_bank")
    kind = case_type(case.type_code)
    cases.dispatch_in(session, actor, case.number, role=kind.stages[kind.stage_index(nxt)].role, to_stage=nxt)
    return nxt


def seal_contract(db: Database, actor: Actor, number: str, code: str) -> "ContractView":
    """合同盖章: the seal holder's code confirms; the case goes to the loan's reviewers (商业贷款: the
    bank; 公积金贷款: the fund centre; 组合贷: the fund centre, then the bank) or to the filing.
    A wrong code's try is committed, then refused."""
    keys = sign_codes.code_keys_of(db)
    with db.write() as session:
        opened = _editing(session, actor, number, "sealing", "合同盖章")
        c = opened.contract
        outcome = sign_codes.check_code_in(session, keys, actor, code=code, subject_version=c.version,
                                           subject_type=SUBJECT, subject_id=c.id, party_key="seal",  # type: ignore[arg-type]
                                           purpose=PURPOSE_SEAL)
        view = None
        if outcome.verified is not None:
            now = session_now(session)
            nxt = _route_to(session, actor, opened, "sealing")
            c.status, c.sealed_at, c.updated_at = ContractStatus.REVIEW.value, now, now
            audit.append(session, actor, "presale_contract_sealed", object_type="presale_contract", object_id=c.id,
                         case_number=opened.case.number, after={"status": c.status, "to": nxt})
            view = _view(session, opened)
    outcome.result()
    assert view is not None
    return view


# --------------------------------------------------------------------------
# 6. 抵押审核 and 备案
# --------------------------------------------------------------------------


def _take(session: Session, actor: Actor, opened: _Open, stages: tuple[str, ...], what: str) -> str:
    refuse_returning(session, opened.contract)
    return take_at(session, actor, opened.case, stages, what, code="CONTRACT_WRONG_STAGE", subject="该合同业务",
                   check=check_contract_stage)


def review_loan(db: Database, actor: Actor, number: str, *, mortgage_contract: object = None,
                loan_term_years: object = None, opinion: object = None) -> "ContractView":
    """抵押审核 by the fund centre or the bank the case names (their reviewers see only their cases;
    公积金审核 is the centre's reviewers', 银行抵押审核 the bank's, whatever names they are bound to:
    ``check_loan_reviewer``);
    approving sends it on by the route. For 组合贷 the bank fills the mortgage details (抵押合同编号,
    贷款年限)."""
    from core.parties import check_text

    with db.write() as session:
        authorise(session, actor, Permission.PRESALE_LOAN_REVIEW)
        opened = open_contract(session, actor, number, lock=True)
        if opened.case.stage in ("fund_review", "bank_review"):
            check_loan_reviewer(opened.case.type_code, opened.case.stage, actor)
        stage = _take(session, actor, opened, ("fund_review", "bank_review"), "审核")
        c = opened.contract
        details = None
        if stage == "bank_review":
            need = c.payment_method == PaymentMethod.COMBINED.value
            ref = check_text(mortgage_contract, reference=True, field="mortgage_contract", label="抵押合同编号", max_length=40,
                             required=need, empty_code="MORTGAGE_DETAILS_MISSING")
            years = None
            if loan_term_years not in (None, ""):
                try:
                    years = int(str(loan_term_years).strip())
                except ValueError:
                    years = 0
                if not 1 <= years <= 30:
                    raise RuleViolation("MORTGAGE_BAD_TERM", "贷款年限须为1至30年。", field="loan_term_years")
            elif need:
                raise RuleViolation("MORTGAGE_DETAILS_MISSING", "组合贷款须由商业贷款银行填写抵押信息（贷款年限）。",
                                    field="loan_term_years")
            if ref or years:
                details = {"mortgage_contract": ref, "loan_term_years": years}
                c.mortgage = json.dumps(details, ensure_ascii=False, sort_keys=True)
        note = check_text(opinion, field="opinion", label="审核意见", max_length=200)
        nxt = _route_to(session, actor, opened, stage)
        c.updated_at = session_now(session)
        audit.append(session, actor, "presale_loan_review", object_type="presale_contract", object_id=c.id,
                     case_number=opened.case.number, after={"stage": stage, "to": nxt, "opinion": note,
                                                            "mortgage": details})
        return _view(session, opened)


def _refuse_if_restricted(session: Session, contract: PresaleContract) -> None:
    """A seizure or restriction registered after signing holds the filing until it is lifted:
    a court's seizure freezes the unit's transfer, and filing is what makes the sale count."""
    held = session.execute(select(UnitRestriction.kind).where(
        UnitRestriction.building_unit_id == contract.building_unit_id, UnitRestriction.lifted_at.is_(None))
        .limit(1)).scalar_one_or_none()
    if held is not None:
        raise RuleViolation("UNIT_RESTRICTED_AT_FILING",
                            f"户室{contract.unit_no}已{RESTRICTION_LABELS.get(held, '查封或限制')}，合同暂不能备案，"
                            "解除后再办理。")


def file_contract(db: Database, actor: Actor, number: str, *, note: object = None) -> "ContractView":
    """备案归档 by the authority: the filing number is given, the case archived, the unit 已备案."""
    from core.parties import check_text

    remark = check_text(note, field="note", label="备案意见", max_length=200)
    with db.write() as session:
        authorise(session, actor, Permission.PRESALE_CONTRACT_FILING)
        opened = open_contract(session, actor, number, lock=True)
        _take(session, actor, opened, ("filing",), "备案")
        c = opened.contract
        _refuse_if_restricted(session, c)
        now = session_now(session)
        c.filing_number = f"{_PREFIX[PermitKind(c.kind)]}BA{opened.case.number[1:]}"
        c.status, c.filed_at, c.updated_at = ContractStatus.FILED.value, now, now
        cases.archive_in(session, actor, opened.case.number)
        audit.append(session, actor, "presale_contract_filed", object_type="presale_contract", object_id=c.id,
                     case_number=opened.case.number, after={"filing_number": c.filing_number, "note": remark})
        return _view(session, opened)


def cancel_contract(db: Database, actor: Actor, number: str, *, reason: str) -> "ContractView":
    """取消受理 while the contract is being entered: the unit is free again."""
    with db.write() as session:
        opened = _editing(session, actor, number, "entry", "取消受理")
        c = opened.contract
        if paid_of(session, c) > 0:
            raise RuleViolation("CONTRACT_PAID_CANNOT_CANCEL", "买受人已缴款，不能取消受理，请办理退房。")
        cases.cancel_in(session, actor, opened.case.number, reason=reason)
        c.status, c.live_unit_id, c.updated_at = ContractStatus.VOID.value, None, session_now(session)
        sign_codes.void_codes(session, actor, subject_type=SUBJECT, subject_id=c.id,  # type: ignore[arg-type]
                              case_number=opened.case.number)
        audit.append(session, actor, "presale_contract_void", object_type="presale_contract", object_id=c.id,
                     case_number=opened.case.number, after={"status": c.status, "reason": reason})
        return _view(session, opened)


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class BuyerView:
    position: int
    name: str
    id_number: str  # masked
    phone: str  # masked


@dataclass(frozen=True)
class ContractView:
    number: str
    case_number: str
    kind_label: str  # 商品房预售签约 / 商品房现售签约
    stage: str
    stage_name: str
    case_status_label: str
    holder: str | None
    status: str
    status_label: str
    version: int
    permit_number: str
    project_name: str
    building_number: str
    unit_no: str
    built_area: Decimal
    inner_area: Decimal | None
    developer_name: str
    buyers: list[BuyerView]
    price_basis_label: str | None
    unit_price: Decimal | None
    total_price: Decimal | None
    total_price_capital: str | None
    payment_method_label: str | None
    amount_due: Decimal | None
    paid: Decimal
    facts: dict[str, object]
    signing_form_label: str | None
    scan_path: str | None
    filing_number: str | None
    bank_name: str | None  # the bank or centre reviewing now

    def as_json(self) -> dict[str, object]:
        from dataclasses import asdict

        return json.loads(json.dumps(asdict(self), ensure_ascii=False, default=str))


def _view(session: Session, opened: _Open) -> ContractView:
    c, case = opened.contract, opened.case
    session.flush()
    kind = case_type(case.type_code)
    _, unit = areas_of(session, c)
    building = session.get(Building, c.building_id)
    project = session.get(Project, building.project_id)  # type: ignore[union-attr]
    holder = session.get(Operator, case.holder_id).name if case.holder_id else None  # type: ignore[union-attr]
    facts = json.loads(c.facts) if c.facts else {}
    basis = facts.get("price_basis")
    return ContractView(
        c.number, case.number, kind.name, case.stage, kind.stages[kind.stage_index(case.stage)].name,
        CASE_STATUS_LABELS[CaseStatus(case.status)], holder, c.status, CONTRACT_STATUS_LABELS[ContractStatus(c.status)],
        c.version, c.permit_number, project.name, building.number, c.unit_no, unit.built_area, unit.inner_area,  # type: ignore[union-attr]
        developer_of(session, c.developer_id).name,
        [BuyerView(b.position, b.name, mask_id(b.id_number), mask_phone(b.phone)) for b in buyers_of(session, c.id)],  # type: ignore[arg-type]
        PRICE_BASIS_LABELS[PriceBasis(basis)] if basis else None,
        Decimal(facts["unit_price"]) if facts else None, c.total_price,
        to_chinese_capital(c.total_price) if c.total_price is not None else None,
        PAYMENT_LABELS[PaymentMethod(c.payment_method)] if c.payment_method else None, c.amount_due, paid_of(session, c),
        {k: v for k, v in facts.items() if k != "buyers"},
        SIGNING_FORM_LABELS[SigningForm(c.signing_form)] if c.signing_form else None, c.scan_path, c.filing_number,
        case.bank_name)


def authorise_reader(session: Session, actor: Actor) -> None:
    """Who may read a contract: the developer's staff, the loan's reviewers and the authority
    (each sees the contracts of its part: ``open_contract``)."""
    if not (actor.can(Permission.PRESALE_CONTRACT_WORK) or actor.can(Permission.PRESALE_LOAN_REVIEW)):
        authorise(session, actor, Permission.PRESALE_CONTRACT_FILING)
    else:
        authorise(session, actor, Permission.PRESALE_CONTRACT_WORK if actor.can(Permission.PRESALE_CONTRACT_WORK)
                  else Permission.PRESALE_LOAN_REVIEW)


def show_contract(db: Database, actor: Actor, number: str) -> ContractView:
    """合同信息查询."""
    with db.read() as session:
        authorise_reader(session, actor)
        return _view(session, open_contract(session, actor, number))


@dataclass(frozen=True)
class ContractRow:
    number: str
    case_number: str
    unit_no: str
    buyers: str | None
    total_price: Decimal | None
    status_label: str
    filing_number: str | None


def list_contracts(db: Database, actor: Actor, *, project_id: int | None = None) -> list[ContractRow]:
    """The contracts the actor may see, newest first (a developer's: its enterprise's); of one
    project when ``project_id`` names one the actor sees (refused: PROJECT_NOT_FOUND, as the
    permit and survey lists answer, not an empty list that reads as "no contracts yet")."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW if actor.can(Permission.PRESALE_VIEW)
                  else Permission.PRESALE_CONTRACT_WORK)
        query = select(PresaleContract, Case.number).join(Case, Case.id == PresaleContract.case_id)
        if actor.developer_id is not None:
            query = query.where(PresaleContract.developer_id == actor.developer_id)
        if project_id is not None:
            find_project(session, actor, project_id)
            query = query.join(Building, Building.id == PresaleContract.building_id).where(
                Building.project_id == project_id)
        rows = session.execute(query.order_by(PresaleContract.id.desc()).limit(500)).all()
        return [ContractRow(c.number, n, c.unit_no, c.buyer_names, c.total_price,
                            CONTRACT_STATUS_LABELS[ContractStatus(c.status)], c.filing_number) for c, n in rows]

