"""From draft to filed: buyer qualification, the dual SMS codes, signing, filing.

* Buyer qualification (购房资格审查) where the profile requires it: the clerk
  requests it, a supervisor approves or refuses with a reason, both sides are
  told by SMS; a refused buyer cannot proceed. The buyer may void the
  request (seed 001 §7 case 2 needs that before a cancellation).
* Signing (seed 002 §三(六)): each party gets a code bound to the contract's
  current version (``services.sign_codes``; any change voids it); the SMS
  names the house and the price. ``submit_signing`` succeeds only when every
  party has confirmed this exact version: the contract becomes 已签约, its
  key facts frozen (only ``change_contract`` of non-key items follows), and
  the case moves to 签约环节.
* Filing (备案): the clerk sends a signed contract to the supervisors'
  queue; approval gives the filing number and date and closes the case;
  a rejection returns the case to the clerk with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from core.errors import RuleViolation
from core.identity import mask_name
from core.resale.filing import FilingRoute, refuse_submission
from core.resale.lifecycle import ContractStatus, QualificationState
from core.resale.policies import profile_by_ref
from core.roles import Actor, Permission, require, require_other_person
from services import audit, cases, sign_codes, sms
from services.authority import authorise
from services.resale import filing
from services.resale.contracts import (
    SUBJECT,
    ContractRow,
    ContractView,
    _case_number,
    _refuse_stale,
    _view,
    current_qualification,
    find_contracts,
    load_contract,
    lock_contract,
    needs_qualification,
    party_rows,
    pending_cancellation,
    qualification_made,
    refuse_if_expired,
)
from storage.engine import Database, session_now
from storage.models import (
    BuyerQualification,
    Case,
    CaseEvent,
    CaseParty,
    Contract,
)

__all__ = [
    "PURPOSE_SIGN",
    "PartyStatus",
    "approve_filing",
    "decide_qualification",
    "filing_queue",
    "reject_filing",
    "request_qualification",
    "send_signing_code",
    "signing_status",
    "submit_for_filing",
    "submit_signing",
    "verify_signing_code",
    "void_qualification",
]

PURPOSE_SIGN = "sign_confirm"


def notify_parties(session: Session, actor: Actor, contract: Contract, text: str, *, purpose: str,
                   keys: set[str] | None = None) -> int:
    """One SMS per distinct phone of the contract's parties (or of ``keys``)."""
    phones = list(dict.fromkeys(p.phone for p in party_rows(session, contract.id)
                                if keys is None or p.party_key in keys))
    sms.notify_all(session, actor, phones, text, purpose=purpose, case_number=_case_number(session, contract))
    return len(phones)


def _location(contract: Contract) -> str:
    import json

    return json.loads(contract.house_facts)["location"]


# --------------------------------------------------------------------------
# Buyer qualification
# --------------------------------------------------------------------------


def request_qualification(db: Database, actor: Actor, contract_id: int) -> ContractView:
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        contract = lock_contract(session, contract_id)
        if contract.status != ContractStatus.DRAFT:
            raise RuleViolation("QUALIFICATION_NOT_DRAFT", "只有未签约的合同需要申请购房资格审查。")
        refuse_if_expired(contract, db.now())
        if not needs_qualification(session, contract):
            raise RuleViolation("QUALIFICATION_NOT_REQUIRED", "该房屋无须进行购房资格审查。")
        q = current_qualification(session, contract.id)
        if q is not None and q.state in (QualificationState.REQUESTED, QualificationState.APPROVED):
            raise RuleViolation("QUALIFICATION_ALREADY", "购房资格审查已申请，请勿重复申请。")
        row = BuyerQualification(contract_id=contract.id, state=QualificationState.REQUESTED.value,
                                 requested_at=db.now(), requested_by=actor.operator_id)
        session.add(row)
        session.flush()
        qualification_made(session, row)
        audit.append(session, actor, "qualification_request", object_type="contract", object_id=contract.id,
                     case_number=_case_number(session, contract), after={"qualification": row.id})
        return _view(session, contract)


def decide_qualification(db: Database, actor: Actor, contract_id: int, *, approved: bool,
                         reason: str = "") -> ContractView:
    """A supervisor approves or refuses; both sides are told by SMS. A refusal needs its reason."""
    require(actor, Permission.CONTRACT_REVIEW)
    reason = " ".join((reason or "").split())
    if not approved and not reason:
        raise RuleViolation("QUALIFICATION_REASON_REQUIRED", "审查不通过须填写原因。", field="reason")
    if len(reason) > 200:
        raise RuleViolation("QUALIFICATION_REASON_TOO_LONG", "原因不能超过200个字。", field="reason")
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_REVIEW)
        contract = lock_contract(session, contract_id)
        q = current_qualification(session, contract.id)
        if q is None or q.state != QualificationState.REQUESTED:
            raise RuleViolation("QUALIFICATION_NOT_PENDING", "该合同没有待审查的购房资格申请。")
        require_other_person(actor, q.requested_by, "QUALIFICATION_OWN_REQUEST", "本人提交的购房资格审查")
        q.state = (QualificationState.APPROVED if approved else QualificationState.REFUSED).value
        q.decided_at = db.now()
        q.decided_by = actor.operator_id
        q.reason = reason or None
        location = _location(contract)
        if approved:
            text = f"【网签】您办理的{location}存量房买卖合同（{contract.number}），买受人购房资格审查已通过。"
        else:
            text = (f"【网签】您办理的{location}存量房买卖合同（{contract.number}），买受人购房资格审查未通过，"
                    f"原因：{reason}。")
        count = notify_parties(session, actor, contract, text, purpose="qualification")
        audit.append(session, actor, "qualification_decide", object_type="contract", object_id=contract.id,
                     case_number=_case_number(session, contract),
                     after={"qualification": q.id, "state": q.state, "reason": reason, "sms": count})
        return _view(session, contract)


def void_qualification(db: Database, actor: Actor, contract_id: int, *, reason: str) -> ContractView:
    """The buyer voids their qualification code (seed 001 §7 case 2)."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleViolation("QUALIFICATION_VOID_REASON", "作废购房资格码须填写原因。", field="reason")
    with db.write() as session:
        contract = lock_contract(session, contract_id)
        if contract.status != ContractStatus.DRAFT:
            raise RuleViolation("QUALIFICATION_VOID_SIGNED", "合同已签约，不能作废购房资格码。")
        q = current_qualification(session, contract.id)
        if q is None or q.state not in (QualificationState.REQUESTED, QualificationState.APPROVED):
            raise RuleViolation("QUALIFICATION_NOTHING_TO_VOID", "该合同没有可作废的购房资格码。")
        before = q.state
        q.state = QualificationState.VOIDED.value
        q.voided_at = db.now()
        q.voided_by = actor.operator_id
        q.reason = reason
        audit.append(session, actor, "qualification_void", object_type="contract", object_id=contract.id,
                     case_number=_case_number(session, contract),
                     before={"state": before}, after={"state": q.state, "reason": reason})
        return _view(session, contract)


def _refuse_unqualified(session: Session, contract: Contract) -> None:
    if not needs_qualification(session, contract):
        return
    q = current_qualification(session, contract.id)
    if q is None or q.state == QualificationState.VOIDED:
        raise RuleViolation("CONTRACT_BUYER_QUALIFICATION",
                            "该住宅须经购房资格审查通过后方可签约，请先申请购房资格审查。")
    if q.state == QualificationState.REQUESTED:
        raise RuleViolation("QUALIFICATION_PENDING", "购房资格审查尚未完成，请等待审核主管审查。")
    if q.state == QualificationState.REFUSED:
        raise RuleViolation("QUALIFICATION_REFUSED", f"买受人购房资格审查未通过（{q.reason}），不能签约。")


# --------------------------------------------------------------------------
# Signing codes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyStatus:
    key: str
    side_label: str
    name: str
    masked_phone: str
    verified: bool


def signing_status(db: Database, actor: Actor, contract_id: int) -> list[PartyStatus]:
    """Every party of the current version and whether their code for it was used."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    from core.identity import mask_phone

    with db.read() as session:
        contract = session.get(Contract, contract_id)
        if contract is None:
            raise RuleViolation("CONTRACT_NOT_FOUND", "没有找到该合同。")
        parties = party_rows(session, contract_id)
        version = contract.version
    done = sign_codes.verified_parties(db, SUBJECT, contract_id, version, purpose=PURPOSE_SIGN)
    return [PartyStatus(p.party_key, "出卖人" if p.side == "seller" else "买受人", p.name, mask_phone(p.phone),
                        p.party_key in done) for p in parties]


def _signable(session: Session, contract_id: int, expected_version: int) -> Contract:
    """The draft, if its parties may confirm this version now."""
    contract = load_contract(session, contract_id)
    if contract.status != ContractStatus.DRAFT:
        raise RuleViolation("SIGNING_NOT_DRAFT", f"合同{'已签约' if contract.status != 'cancelled' else '已注销'}，无需再验证。")
    refuse_if_expired(contract, session_now(session))
    _refuse_stale(contract, expected_version)
    _refuse_unqualified(session, contract)
    return contract


def send_signing_code(db: Database, actor: Actor, contract_id: int, party_key: str, *,
                      expected_version: int) -> sign_codes.CodeSent:
    """Send one party the code confirming this exact version; the SMS names the house and the price.
    The contract is checked and the code queued in one transaction."""
    keys = sign_codes.code_keys_of(db)
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        contract = _signable(session, contract_id, expected_version)
        party = next((p for p in party_rows(session, contract_id) if p.party_key == party_key), None)
        if party is None:
            raise RuleViolation("SIGNING_NO_PARTY", "合同中没有该当事人。", field="party")
        location = _location(contract)
        price = f"{contract.price:,.2f}"
        role = "出卖人" if party.side == "seller" else "买受人"
        number = contract.number

        def text(code: str) -> str:
            return (f"【网签】验证码{code}，您作为{role}确认签订{location}存量房买卖合同（{number}），"
                    f"成交价{price}元。5分钟内有效，请勿泄露。")

        return sign_codes.queue_code(session, keys, actor, purpose=PURPOSE_SIGN, subject_type=SUBJECT,
                                     subject_id=contract_id, subject_version=expected_version, party_key=party_key,
                                     phone=party.phone, sms_text=text, case_number=_case_number(session, contract))


def verify_signing_code(db: Database, actor: Actor, contract_id: int, party_key: str, code: str, *,
                        expected_version: int) -> sign_codes.Verified:
    """Check a party's code against the contract as it is now, in one transaction (a wrong
    code's try is committed, then refused)."""
    keys = sign_codes.code_keys_of(db)
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        _signable(session, contract_id, expected_version)
        outcome = sign_codes.check_code_in(session, keys, actor, code=code, subject_version=expected_version,
                                           subject_type=SUBJECT, subject_id=contract_id, party_key=party_key,
                                           purpose=PURPOSE_SIGN)
    return outcome.result()


def submit_signing(db: Database, actor: Actor, contract_id: int, *, expected_version: int) -> ContractView:
    """提交: every party confirmed this version → 已签约; key facts frozen; case to 签约环节."""
    now = db.now()
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        contract = lock_contract(session, contract_id)
        done = sign_codes.verified_parties_in(session, SUBJECT, contract_id, expected_version, purpose=PURPOSE_SIGN)
        if contract.status != ContractStatus.DRAFT:
            raise RuleViolation("SIGNING_NOT_DRAFT", "合同已签约，无需重复提交。")
        refuse_if_expired(contract, now)
        _refuse_stale(contract, expected_version)
        _refuse_unqualified(session, contract)
        missing = [p for p in party_rows(session, contract.id) if p.party_key not in done]
        if missing:
            names = "、".join(f"{'出卖人' if p.side == 'seller' else '买受人'}{mask_name(p.name)}" for p in missing)
            raise RuleViolation("SIGNING_NOT_ALL_VERIFIED", f"{names}尚未完成短信验证，不能提交。")
        contract.status = ContractStatus.SIGNED.value
        contract.signed_at = now
        contract.updated_at = now
        case_number = _case_number(session, contract)
        operator = _username(session, actor)
        cases.dispatch_in(session, actor, case_number, operator=operator)
        cases.receive_in(session, actor, case_number)
        audit.append(session, actor, "contract_sign", object_type="contract", object_id=contract.id,
                     case_number=case_number,
                     after={"version": contract.version, "digest": contract.digest, "parties": sorted(done)})
        route = profile_by_ref(contract.profile_ref).filing
        if route is FilingRoute.AT_SIGNING:  # 中山: signed is filed (seed 002 三(六)); one message says both
            filing.file_in(session, actor, contract, case_number)
        else:
            notify_parties(session, actor, contract,
                           f"【网签】{_location(contract)}存量房买卖合同（{contract.number}）已签约，"
                           f"成交价{contract.price:,.2f}元。", purpose="contract_notice")
        if route is not FilingRoute.REVIEW:  # the counter's part ends here (武汉: filed at the transfer)
            cases.close_in(session, actor, case_number)
        return _view(session, contract, signed_now=True)


def _username(session: Session, actor: Actor) -> str:
    """The logged-in operator's account name (the shell has none); ``authorise`` has checked
    the account in this transaction."""
    if actor.operator_id is None:
        raise RuleViolation("SIGNING_NEEDS_OPERATOR", "签约须由窗口受理员登录后办理。")
    return actor.username


# --------------------------------------------------------------------------
# Filing
# --------------------------------------------------------------------------


def submit_for_filing(db: Database, actor: Actor, contract_id: int) -> ContractView:
    """提交备案: the signed contract goes to the supervisors' queue.

    A contract whose filing was cancelled (注销备案, seed 001 §8) is filed
    again under a fresh ``resale_signing`` case: its first case was archived
    at the first filing, and archived cases do not reopen.
    """
    authorise(db, actor, Permission.CONTRACT_WORK)
    with db.write() as session:
        contract = lock_contract(session, contract_id)
        if contract.status != ContractStatus.SIGNED:
            raise RuleViolation("FILING_NOT_SIGNED", "只有已签约的合同可以提交备案。")
        if pending_cancellation(session, contract.id) is not None:
            raise RuleViolation("FILING_CANCELLATION_PENDING", "该合同有注销申请正在办理，不能提交备案。")
        refuse_submission(filing.facts_of(session, contract))  # the city's route and its materials
        case = session.get(Case, contract.case_id)
        assert case is not None
        previous = None
        if case.status != "active":
            previous = case.number
            case = _case_for_refiling(session, actor, contract, case)
        case_number = case.number
        if case.stage == "filing_review" and case.status == "active":
            raise RuleViolation("FILING_ALREADY_QUEUED", "该合同已提交备案，正在等待审核。")
        if case.holder_id is None and case.pending_operator_id == actor.operator_id:
            # Returned by the supervisor to this clerk (退件): resubmitting is receiving it back.
            cases.receive_in(session, actor, case_number)
        cases.dispatch_in(session, actor, case_number)  # to the supervisors (the next stage's role)
        audit.append(session, actor, "filing_submit", object_type="contract", object_id=contract.id,
                     case_number=case_number, after={"version": contract.version, "previous_case": previous})
        return _view(session, contract)


def case_parties(session: Session, case_id: int) -> list[tuple[str, int, str]]:
    """A case's parties in the form ``cases.accept_in`` takes, for a later case about the same contract."""
    return [("person" if p.person_id is not None else "organisation",
             p.person_id if p.person_id is not None else p.organisation_id, p.role)  # type: ignore[misc]
            for p in session.execute(select(CaseParty).where(CaseParty.case_id == case_id)
                                     .order_by(CaseParty.id)).scalars()]


def _case_for_refiling(session: Session, actor: Actor, contract: Contract, old: Case) -> Case:
    """A new case for the second filing, taken by this clerk to 签约环节 as the first one was
    at signing; the contract points at it from now on (the old one stays archived)."""
    case = cases.accept_in(session, actor, "resale_signing", summary=old.summary,
                           parties=case_parties(session, old.id))  # type: ignore[arg-type]
    cases.dispatch_in(session, actor, case.number, operator=_username(session, actor))
    cases.receive_in(session, actor, case.number)
    contract.case_id = case.id  # type: ignore[assignment]
    session.flush()
    return case


def filing_queue(db: Database, actor: Actor) -> list[ContractRow]:
    """Signed contracts waiting for a filing decision, oldest first."""
    authorise(db, actor, Permission.CONTRACT_REVIEW)
    rows = find_contracts(db, actor, status=ContractStatus.SIGNED.value, stage="filing_review")
    return sorted(rows, key=lambda r: (r.signed_at or r.created_at, r.id))


def _submitted_by(session: Session, case: Case) -> int | None:
    """Who sent the case to filing review last (its latest move into that stage)."""
    return session.execute(
        select(CaseEvent.operator_id).where(CaseEvent.case_id == case.id, CaseEvent.to_stage == "filing_review")
        .order_by(CaseEvent.id.desc()).limit(1)
    ).scalar_one_or_none()


def _take(session: Session, actor: Actor, contract: Contract) -> str:
    case = session.get(Case, contract.case_id)
    assert case is not None
    if contract.status != ContractStatus.SIGNED or case.stage != "filing_review" or case.status != "active":
        raise RuleViolation("FILING_NOT_QUEUED", "该合同不在备案审核队列中。")
    require_other_person(actor, _submitted_by(session, case), "FILING_OWN_SUBMISSION", "本人提交的备案")
    if case.holder_id is None:
        cases.receive_in(session, actor, case.number)
    return case.number


def approve_filing(db: Database, actor: Actor, contract_id: int) -> ContractView:
    """备案: a filing number and date (and, on paper, the 备案章); the case is closed."""
    require(actor, Permission.CONTRACT_REVIEW)
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_REVIEW)
        contract = lock_contract(session, contract_id)
        case_number = _take(session, actor, contract)
        filing.file_in(session, actor, contract, case_number)
        cases.archive_in(session, actor, case_number)
        return _view(session, contract)


def reject_filing(db: Database, actor: Actor, contract_id: int, *, reason: str) -> ContractView:
    """退回: back to the clerk who signed it, with the reason."""
    authorise(db, actor, Permission.CONTRACT_REVIEW)
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleViolation("FILING_REJECT_REASON", "退回备案须填写原因。", field="reason")
    with db.write() as session:
        contract = lock_contract(session, contract_id)
        case_number = _take(session, actor, contract)
        cases.return_in(session, actor, case_number, to_stage="signing", reason=reason)
        audit.append(session, actor, "filing_reject", object_type="contract", object_id=contract.id,
                     case_number=case_number, after={"reason": reason})
        return _view(session, contract)
