"""Ending a resale contract: cancellation (注销网签 / 注销备案) and revocation (撤销网签).

The rules are pure (``core.resale.lifecycle``); this service loads the facts, runs them
and writes one transaction per step.

* ``apply_cancellation`` — a contract not filed (seed 001 §7): the four cases
  of ``core.resale.lifecycle.unfiled_cancellation``. Case 3 ends the contract at once;
  cases 1 and 4 wait for every party of the other side to confirm with an SMS
  code (``send_cancellation_code`` / ``confirm_cancellation``); case 2 is
  refused until the buyer voids the qualification code.
* ``apply_filed_cancellation`` — a filed contract (seed 001 §8, seed 002 §四):
  注销网签 (the filing is revoked and the contract ends, kept as history) or
  注销备案 (the filing is revoked and the contract is back to 已签约, to be
  changed and filed again). Every party confirms by code (经协商一致), then a
  ``resale_cancel`` case (Q) goes to the supervisors: ``review_cancellation``.
* ``withdraw_cancellation`` — a pending application is withdrawn with a reason.
* ``send_revocation_code`` / ``revoke_by_code`` — seed 003 (Wuhan): any party
  revokes a signed contract with the contract number, their ID number and the
  code sent to the phone stored on the contract; the other side is told by SMS.
* ``cancellations_of`` / ``review_queue`` — what the screens show.

Codes. A cancellation's confirmation codes are bound to the application
(subject "cancellation", its id, version 1): the application never changes,
it is only completed, refused or withdrawn, and each of those voids the unused
codes. A revocation code is bound to the contract's current version like a
signing code, so a change of the contract voids it.

Re-filing after 注销备案: the contract's ``resale_signing`` case was archived
when the filing was approved, and archived cases do not reopen. When such a
contract is submitted for filing again, ``contract_signing.submit_for_filing``
accepts a fresh ``resale_signing`` case for it (the clerk takes it through
to the filing review) and points the contract at it; the old case stays
archived, its number kept in the audit entry, and the revoked filing stays in
``contract_filing`` as history.

Concurrency: every write locks the contract row first; a contract has at most
one pending application (checked under that lock), and a filing cannot be
submitted while one is pending, nor an unfiled cancellation applied while the
contract waits in the filing queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from core.errors import RuleViolation
from core.identity import mask_name, mask_phone, normalize
from core.resale import contract_record
from core.resale import counter_cancellation as counter_rules
from core.resale.contracts import FULL
from core.resale.counter_cancellation import CounterPresence, LegalDocument
from core.resale.lifecycle import (
    CANCEL_KIND_LABELS,
    CANCELLATION_STATE_LABELS,
    PENDING_CANCELLATION,
    CancelKind,
    CancellationState,
    ContractStatus,
    confirmers,
    filed_cancellation,
    revocation_allowed,
    unfiled_cancellation,
)
from core.resale.policies import profile_by_ref
from core.roles import Actor, Permission, require, require_other_person
from services import audit, cases, sign_codes
from services.authority import authorise
from services.resale.contracts import (
    SUBJECT,
    _case_number,
    current_qualification,
    lock_contract,
    party_rows,
    pending_cancellation,
    release_home,
)
from services.resale.signing import case_parties, notify_parties
from storage.engine import Database
from storage.models import (
    CancellationMaterial,
    Case,
    Contract,
    ContractCancellation,
    ContractFiling,
    ContractParty,
    OneTimeCode,
)

__all__ = [
    "PURPOSE_CONFIRM",
    "PURPOSE_REVOKE",
    "SUBJECT_CANCEL",
    "CancellationView",
    "ConfirmerView",
    "apply_cancellation",
    "apply_filed_cancellation",
    "cancellations_of",
    "confirm_cancellation",
    "review_cancellation",
    "review_queue",
    "revoke_by_code",
    "send_cancellation_code",
    "send_revocation_code",
    "withdraw_cancellation",
]

#: ``one_time_code.subject_type`` of confirmation codes: bound to the application, not the contract.
SUBJECT_CANCEL = "cancellation"
PURPOSE_CONFIRM = "cancel_confirm"
PURPOSE_REVOKE = "revocation"
#: The application never changes after it is made, so its codes confirm "version 1".
_CANCEL_VERSION = 1
REVOCATION_RULE = "REVOCATION_BY_CODE"

_SIDE_LABELS = {"seller": "出卖人", "buyer": "买受人"}


# --------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfirmerView:
    key: str
    side_label: str
    name: str
    masked_phone: str
    confirmed: bool
    #: Without full civil capacity (a minor): at the counter their side brings both parents,
    #: the 未成年人保证书 and the kinship proof (seed 002 §四).
    minor: bool = False


@dataclass(frozen=True)
class CancellationView:
    id: int
    contract_id: int
    contract_number: str
    location: str
    kind: str
    kind_label: str
    rule: str
    state: str
    state_label: str
    applicant_key: str
    applicant_label: str  # 出卖人张** / 买受人李**
    reason: str
    case_number: str | None  # the Q case of a filed contract's application
    requested_at: datetime
    completed_at: datetime | None
    outcome_note: str | None
    confirmers: tuple[ConfirmerView, ...]

    @property
    def waiting_for(self) -> tuple[ConfirmerView, ...]:
        """Who must still confirm (only while the application is confirming)."""
        if self.state != CancellationState.CONFIRMING:
            return ()
        return tuple(c for c in self.confirmers if not c.confirmed)

    @property
    def waiting_text(self) -> str:
        return "、".join(f"{c.side_label}{c.name}（{c.masked_phone}）" for c in self.waiting_for)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _clean_reason(reason: str, *, what: str = "原因", required: bool = True, field: str = "reason") -> str:
    text = " ".join((reason or "").split())
    if required and not text:
        raise RuleViolation("CANCEL_REASON_REQUIRED", f"请填写{what}。", field=field)
    if len(text) > 200:
        raise RuleViolation("CANCEL_REASON_TOO_LONG", "原因不能超过200个字。", field=field)
    return text


def _sides(parties: list[ContractParty]) -> dict[str, str]:
    return {p.party_key: p.side for p in parties}


def _keys(row: ContractCancellation) -> list[str]:
    return [k for k in row.confirm_keys.split(",") if k]


def _location(contract: Contract) -> str:
    return json.loads(contract.house_facts)["location"]


def _who(party: ContractParty | None) -> str:
    if party is None:
        return ""
    return f"{_SIDE_LABELS[party.side]}{mask_name(party.name)}"


def _refuse_pending(session: Session, contract: Contract) -> None:
    row = pending_cancellation(session, contract.id)
    if row is not None:
        raise RuleViolation("CANCEL_ALREADY_PENDING",
                            f"该合同已有{CANCEL_KIND_LABELS[row.kind]}申请正在办理，请勿重复申请。")


def _confirmed(session: Session, cancellation_id: int) -> set[str]:
    """Parties who confirmed this application: by their code (cf. ``sign_codes.verified_parties``,
    here inside the caller's transaction) or in person at the counter (``confirm_at_counter``)."""
    by_code = set(session.execute(select(OneTimeCode.party_key).where(
        OneTimeCode.subject_type == SUBJECT_CANCEL, OneTimeCode.subject_id == cancellation_id,
        OneTimeCode.subject_version == _CANCEL_VERSION, OneTimeCode.purpose == PURPOSE_CONFIRM,
        OneTimeCode.used_at.is_not(None))).scalars())
    at_counter = set(session.execute(select(CancellationMaterial.party_key).where(
        CancellationMaterial.cancellation_id == cancellation_id,
        CancellationMaterial.kind.in_([CounterPresence.IN_PERSON.value, CounterPresence.PROXY.value]))).scalars())
    return by_code | {k for k in at_counter if k}


def _case_number_of(session: Session, row: ContractCancellation, contract: Contract) -> str:
    """The Q case's number for a filed contract's application, else the contract's own case."""
    if row.case_id is not None:
        return session.execute(select(Case.number).where(Case.id == row.case_id)).scalar_one()
    return _case_number(session, contract)


def _load(session: Session, cancellation_id: int, *, lock: bool = False) -> tuple[ContractCancellation, Contract]:
    """The application and its contract; with ``lock`` the contract row is locked first and the
    application re-read after it, so that what is checked is what was committed last."""
    row = session.get(ContractCancellation, cancellation_id)
    if row is None:
        raise RuleViolation("CANCEL_NOT_FOUND", "没有找到该注销申请。")
    if not lock:
        contract = session.get(Contract, row.contract_id)
        assert contract is not None
        return row, contract
    contract = lock_contract(session, row.contract_id)
    row = session.execute(select(ContractCancellation).where(ContractCancellation.id == cancellation_id)
                          .execution_options(populate_existing=True)).scalar_one()
    return row, contract


def _view(session: Session, row: ContractCancellation, contract: Contract) -> CancellationView:
    parties = {p.party_key: p for p in party_rows(session, contract.id)}
    done = _confirmed(session, row.id)  # type: ignore[arg-type]
    confirm = tuple(
        ConfirmerView(k, _SIDE_LABELS[parties[k].side], parties[k].name, mask_phone(parties[k].phone), k in done,
                      minor=_is_minor(contract, k))
        for k in _keys(row) if k in parties
    )
    case_number = None
    if row.case_id is not None:
        case_number = session.execute(select(Case.number).where(Case.id == row.case_id)).scalar_one()
    return CancellationView(
        id=row.id, contract_id=contract.id, contract_number=contract.number, location=_location(contract),  # type: ignore[arg-type]
        kind=row.kind, kind_label=CANCEL_KIND_LABELS[row.kind], rule=row.rule, state=row.state,
        state_label=CANCELLATION_STATE_LABELS[row.state], applicant_key=row.applicant_key,
        applicant_label=_who(parties.get(row.applicant_key)), reason=row.reason, case_number=case_number,
        requested_at=row.requested_at, completed_at=row.completed_at, outcome_note=row.outcome_note,
        confirmers=confirm,
    )


def _end_contract(session: Session, actor: Actor, contract: Contract, *, status: ContractStatus, reason: str,
                  now: datetime) -> None:
    """The contract leaves force (cancelled or revoked): it lets go of its home, its unused codes are
    voided and its signing case, if still open, is terminated. A filed contract's case was archived
    at filing and stays so."""
    case_number = _case_number(session, contract)
    before = contract.status
    contract.status = status.value
    contract.closed_at = now
    contract.close_reason = reason[:200]
    contract.updated_at = now
    release_home(session, contract)
    sign_codes.void_codes(session, actor, subject_type=SUBJECT, subject_id=contract.id,  # type: ignore[arg-type]
                          case_number=case_number)
    case = session.get(Case, contract.case_id)
    assert case is not None
    if case.status == "active":
        cases.terminate_in(session, actor, case_number, reason=reason)
    audit.append(session, actor, f"contract_{status.value}", object_type="contract", object_id=contract.id,
                 case_number=case_number, before={"status": before},
                 after={"status": contract.status, "reason": reason, "home_released": contract.home_id})


def _finish(session: Session, actor: Actor, row: ContractCancellation, state: CancellationState, now: datetime,
            note: str | None = None) -> None:
    row.state = state.value
    row.completed_at = now
    row.completed_by = actor.operator_id
    row.outcome_note = note or None
    # The application is closed: codes still out for it must not count any more.
    sign_codes.void_codes(session, actor, subject_type=SUBJECT_CANCEL, subject_id=row.id)  # type: ignore[arg-type]


def _close_reason(row: ContractCancellation, applicant: ContractParty | None) -> str:
    return f"{_who(applicant)}申请{CANCEL_KIND_LABELS[row.kind]}：{row.reason}"[:200]


# --------------------------------------------------------------------------
# Unfiled contracts (seed 001 §7)
# --------------------------------------------------------------------------


def apply_cancellation(db: Database, actor: Actor, contract_id: int, *, applicant_key: str,
                       reason: str) -> CancellationView:
    """注销网签 of a contract not filed, routed by the four cases of seed 001 §7.

    Case 3 (not signed, no qualification code, online — or offline never
    printed) ends the contract in this transaction and tells the other side
    by SMS; cases 1 and 4 record an application waiting for every party of
    the other side to confirm by code; case 2 is refused (the buyer voids the
    qualification code first).
    """
    authorise(db, actor, Permission.CONTRACT_WORK)
    reason = _clean_reason(reason, what="注销网签的原因")
    now = db.now()
    with db.write() as session:
        contract = lock_contract(session, contract_id)
        q = current_qualification(session, contract.id)  # type: ignore[arg-type]
        route = unfiled_cancellation(status=contract.status, qualification=None if q is None else q.state,
                                     signing_method=contract_record.from_json(contract.facts).signing.method,
                                     printed=contract.printed_at is not None)
        _refuse_pending(session, contract)
        case = session.get(Case, contract.case_id)
        assert case is not None
        if case.stage == "filing_review" and case.status == "active":
            # The supervisor may approve the filing at any moment; the contract would be filed under
            # an unfiled cancellation. The filing review is decided first (a rejection returns it).
            raise RuleViolation("CANCEL_FILING_QUEUED", "合同已提交备案正在审核，须待备案审核退回后才能申请注销网签。")
        parties = party_rows(session, contract.id)  # type: ignore[arg-type]
        sides = _sides(parties)
        other = confirmers(sides, applicant_key, everyone=False)
        row = ContractCancellation(
            contract_id=contract.id, kind=CancelKind.UNFILED.value, rule=route.rule, applicant_key=applicant_key,
            confirm_keys=",".join(other) if route.needs_other_side else "",
            state=CancellationState.CONFIRMING.value, reason=reason, requested_at=now,
            requested_by=actor.operator_id,
        )
        session.add(row)
        session.flush()
        case_number = _case_number(session, contract)
        audit.append(session, actor, "cancellation_apply", object_type="contract_cancellation", object_id=row.id,
                     case_number=case_number,
                     after={"contract": contract.id, "kind": row.kind, "rule": route.rule,
                            "applicant": applicant_key, "confirm": row.confirm_keys, "reason": reason})
        if not route.needs_other_side:
            applicant = next(p for p in parties if p.party_key == applicant_key)
            _complete_unfiled(session, actor, row, contract, applicant, now, notify=set(other))
        return _view(session, row, contract)


def _complete_unfiled(session: Session, actor: Actor, row: ContractCancellation, contract: Contract,
                      applicant: ContractParty, now: datetime, *, notify: set[str] | None) -> None:
    """End the contract for an unfiled cancellation and tell the parties (``notify``; None: everyone)."""
    _finish(session, actor, row, CancellationState.DONE, now)
    _end_contract(session, actor, contract, status=ContractStatus.CANCELLED, reason=_close_reason(row, applicant),
                  now=now)
    notify_parties(session, actor, contract,
                   f"【网签】{_location(contract)}存量房买卖合同（{contract.number}）已由{_who(applicant)}"
                   f"申请注销网签，合同已注销。", purpose="contract_notice", keys=notify)


# --------------------------------------------------------------------------
# Confirmation codes (cases 1 and 4, and every filed application)
# --------------------------------------------------------------------------


def _confirmable(session: Session, actor: Actor, cancellation_id: int,
                 party_key: str) -> tuple[ContractCancellation, Contract, ContractParty]:
    row, contract = _load(session, cancellation_id)
    if row.state != CancellationState.CONFIRMING:
        raise RuleViolation("CANCEL_NOT_CONFIRMING",
                            f"该注销申请{CANCELLATION_STATE_LABELS[row.state]}，无需再确认。")
    if party_key not in _keys(row):
        raise RuleViolation("CANCEL_NOT_CONFIRMER", "该当事人无须确认本次注销申请。", field="party")
    if party_key in _confirmed(session, row.id):  # type: ignore[arg-type]
        raise RuleViolation("CANCEL_ALREADY_CONFIRMED", "该当事人已确认本次注销申请。", field="party")
    if row.case_id is not None:
        case = session.get(Case, row.case_id)
        assert case is not None
        # The last confirmation dispatches the Q case; only its holder may (checked before a code is spent).
        if case.holder_id != actor.operator_id:
            raise RuleViolation("CANCEL_CASE_NOT_HELD", "该注销业务不在您的手中，请由受理该业务的窗口办理确认。")
    party = next(p for p in party_rows(session, contract.id) if p.party_key == party_key)  # type: ignore[arg-type]
    return row, contract, party


def send_cancellation_code(db: Database, actor: Actor, cancellation_id: int,
                           party_key: str) -> sign_codes.CodeSent:
    """Send one confirming party their code; the SMS names the contract and the house being cancelled.

    The SMS is queued in the outbox; ``CodeSent.in_outbox`` / ``notice()`` say whether the hall's
    gateway will send it or staff must send it by hand, so the counter never claims "sent" untruly."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    with db.read() as session:
        row, contract, party = _confirmable(session, actor, cancellation_id, party_key)
        case_number = _case_number_of(session, row, contract)
        label = CANCEL_KIND_LABELS[row.kind]
        location = _location(contract)
        number = contract.number
        role = _SIDE_LABELS[party.side]
        phone = party.phone

    def text(code: str) -> str:
        return (f"【网签】验证码{code}，您作为{role}确认{label}：{location}存量房买卖合同（{number}）。"
                f"5分钟内有效，请勿泄露。")

    return sign_codes.send_code(db, actor, purpose=PURPOSE_CONFIRM, subject_type=SUBJECT_CANCEL,
                                subject_id=cancellation_id, subject_version=_CANCEL_VERSION, party_key=party_key,
                                phone=phone, sms_text=text, case_number=case_number)


def confirm_cancellation(db: Database, actor: Actor, cancellation_id: int, party_key: str,
                         code: str) -> CancellationView:
    """One party confirms with their code; the last confirmation completes an unfiled
    cancellation, or sends a filed contract's application to the supervisors."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    with db.read() as session:
        _confirmable(session, actor, cancellation_id, party_key)
    sign_codes.verify_code(db, actor, code=code, subject_version=_CANCEL_VERSION, subject_type=SUBJECT_CANCEL,
                           subject_id=cancellation_id, party_key=party_key, purpose=PURPOSE_CONFIRM)
    now = db.now()
    with db.write() as session:
        row, contract = _load(session, cancellation_id, lock=True)
        if row.state != CancellationState.CONFIRMING:  # completed or withdrawn by another terminal meanwhile
            return _view(session, row, contract)
        return _confirmation_recorded(session, actor, row, contract, party_key, now)


def _confirmation_recorded(session: Session, actor: Actor, row: ContractCancellation, contract: Contract,
                           party_key: str, now: datetime) -> CancellationView:
    """After one party's confirmation (code or counter): the last one completes an unfiled
    cancellation, or sends a filed contract's application to the supervisors."""
    done = _confirmed(session, row.id)  # type: ignore[arg-type]
    missing = [k for k in _keys(row) if k not in done]
    case_number = _case_number_of(session, row, contract)
    audit.append(session, actor, "cancellation_confirm", object_type="contract_cancellation", object_id=row.id,
                 case_number=case_number, after={"party": party_key, "missing": missing})
    if missing:
        return _view(session, row, contract)
    if row.kind == CancelKind.UNFILED:
        if contract.status not in (ContractStatus.DRAFT, ContractStatus.SIGNED):
            raise RuleViolation("CANCEL_CONTRACT_MOVED",
                                "合同状态已变化，本次注销申请不能完成，请撤回后重新申请。")
        applicant = next(p for p in party_rows(session, contract.id) if p.party_key == row.applicant_key)  # type: ignore[arg-type]
        _complete_unfiled(session, actor, row, contract, applicant, now, notify=None)
    else:
        if contract.status != ContractStatus.FILED:
            raise RuleViolation("CANCEL_CONTRACT_MOVED",
                                "合同状态已变化，本次注销申请不能完成，请撤回后重新申请。")
        row.state = CancellationState.REVIEW.value
        cases.dispatch_in(session, actor, case_number)  # to the supervisors (注销审核)
        audit.append(session, actor, "cancellation_to_review", object_type="contract_cancellation",
                     object_id=row.id, case_number=case_number, after={"state": row.state})
    return _view(session, row, contract)


# --------------------------------------------------------------------------
# Filed contracts (seed 001 §8)
# --------------------------------------------------------------------------


def apply_filed_cancellation(db: Database, actor: Actor, contract_id: int, *, kind: str, applicant_key: str,
                             reason: str, document: LegalDocument | None = None) -> CancellationView:
    """注销网签 or 注销备案 of a filed contract: every party confirms, then a supervisor reviews.

    A ``resale_cancel`` case (Q) is accepted for it, held by this clerk. With ``document``
    (seed 001 §8: one party alone with a legal document in force) the applicant, present at
    the counter, is the only one who applies: the document is recorded and the application
    goes to the supervisors at once.
    """
    require(actor, Permission.CONTRACT_WORK)
    reason = _clean_reason(reason, what="申请注销的原因")
    now = db.now()
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        contract = lock_contract(session, contract_id)
        chosen = filed_cancellation(kind, status=contract.status)
        _refuse_pending(session, contract)
        everyone = confirmers(_sides(party_rows(session, contract.id)), applicant_key, everyone=True)  # type: ignore[arg-type]
        if document is not None:
            everyone = [applicant_key]  # the document stands for the other parties' agreement
        label = CANCEL_KIND_LABELS[chosen]
        case = cases.accept_in(session, actor, "resale_cancel", summary=f"{_location(contract)} {label}",
                               parties=case_parties(session, contract.case_id))
        row = ContractCancellation(
            contract_id=contract.id, kind=chosen.value, rule=f"FILED_{chosen.value.upper()}",
            applicant_key=applicant_key, confirm_keys=",".join(everyone), state=CancellationState.CONFIRMING.value,
            reason=reason, case_id=case.id, requested_at=now, requested_by=actor.operator_id,
        )
        session.add(row)
        session.flush()
        audit.append(session, actor, "cancellation_apply", object_type="contract_cancellation", object_id=row.id,
                     case_number=case.number,
                     after={"contract": contract.id, "kind": row.kind, "rule": row.rule, "applicant": applicant_key,
                            "confirm": row.confirm_keys, "reason": reason, "filing_number": contract.filing_number,
                            "document": document.text if document else None})
        if document is None:
            return _view(session, row, contract)
        row.rule = f"FILED_{chosen.value.upper()}_BY_DOCUMENT"
        session.add(CancellationMaterial(cancellation_id=row.id, party_key=None,  # type: ignore[arg-type]
                                         kind=CounterPresence.LEGAL_DOCUMENT.value, reference=document.text[:120],
                                         recorded_at=now, recorded_by=actor.operator_id))
        session.add(CancellationMaterial(cancellation_id=row.id, party_key=applicant_key,  # type: ignore[arg-type]
                                         kind=CounterPresence.IN_PERSON.value, recorded_at=now,
                                         recorded_by=actor.operator_id))
        session.flush()
        return _confirmation_recorded(session, actor, row, contract, applicant_key, now)


def confirm_at_counter(db: Database, actor: Actor, cancellation_id: int, party_key: str, *,
                       presence: str | CounterPresence, proxy_certificate: str | None = None,
                       names_cancellation: bool = False, minor_materials: bool = False) -> CancellationView:
    """A party confirms at the counter instead of by SMS code (seed 002 §四, seed 001 §8): in
    person with their original ID, or by a proxy whose notarised authority names the
    cancellation; a minor's side brings both parents, the 未成年人保证书 and the kinship proof.
    Recorded as the party's confirmation; the last one goes on as a code would."""
    require(actor, Permission.CONTRACT_WORK)
    try:
        how = CounterPresence(presence)
    except ValueError:
        raise RuleViolation("CANCEL_PRESENCE", "到场方式应为本人到场（in_person）或公证委托代理人（proxy）。",
                            field="presence") from None
    if how is CounterPresence.LEGAL_DOCUMENT:
        raise RuleViolation("CANCEL_PRESENCE", "到场方式应为本人到场（in_person）或公证委托代理人（proxy）。",
                            field="presence")
    certificate = counter_rules.proxy_certificate(proxy_certificate) if how is CounterPresence.PROXY else None
    now = db.now()
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        _load(session, cancellation_id, lock=True)  # the contract row locked, the application re-read
        row, contract, _ = _confirmable(session, actor, cancellation_id, party_key)
        counter_rules.refuse_counter_confirmation(how, minor=_is_minor(contract, party_key),
                                                  minor_materials=minor_materials,
                                                  names_cancellation=names_cancellation)
        session.add(CancellationMaterial(cancellation_id=row.id, party_key=party_key, kind=how.value,  # type: ignore[arg-type]
                                         reference=certificate, minor_materials=minor_materials, recorded_at=now,
                                         recorded_by=actor.operator_id))
        session.flush()
        audit.append(session, actor, "cancellation_counter", object_type="contract_cancellation", object_id=row.id,
                     case_number=_case_number_of(session, row, contract),
                     after={"party": party_key, "presence": how.value, "certificate": certificate,
                            "minor_materials": minor_materials})
        return _confirmation_recorded(session, actor, row, contract, party_key, now)


def _is_minor(contract: Contract, party_key: str) -> bool:
    """Whether the contract records the party without full civil capacity (a minor, for whom a
    guardian signed): then the seed's minor's materials are asked for."""
    side, index = party_key.split(":")
    draft = contract_record.from_json(contract.facts)
    lines = draft.sellers if side == "seller" else draft.buyers
    line = lines[int(index)] if int(index) < len(lines) else None
    return line is not None and getattr(line, "capacity", FULL) != FULL


def review_cancellation(db: Database, supervisor: Actor, cancellation_id: int, *, approved: bool,
                        note: str = "") -> CancellationView:
    """A supervisor decides a filed contract's application; the parties are told; the Q case is archived.

    Approved 注销网签: the filing is revoked (kept as history) and the contract
    is cancelled, its home released. Approved 注销备案: the filing is revoked
    and the contract is 已签约 again — changeable and to be filed anew. A
    refusal needs its reason.
    """
    authorise(db, supervisor, Permission.CONTRACT_REVIEW)
    note = _clean_reason(note, what="审核不通过的原因", required=not approved, field="note")
    now = db.now()
    with db.write() as session:
        row, contract = _load(session, cancellation_id, lock=True)
        if row.state != CancellationState.REVIEW:
            raise RuleViolation("CANCEL_NOT_IN_REVIEW", "该注销申请不在审核队列中。")
        require_other_person(supervisor, row.requested_by, "CANCEL_OWN_REQUEST", "本人提交的注销申请")
        case_number = _case_number_of(session, row, contract)
        case = session.get(Case, row.case_id)
        assert case is not None
        if case.holder_id is None:
            cases.receive_in(session, supervisor, case_number)
        applicant = next((p for p in party_rows(session, contract.id) if p.party_key == row.applicant_key), None)  # type: ignore[arg-type]
        label = CANCEL_KIND_LABELS[row.kind]
        head = f"【网签】{_location(contract)}存量房买卖合同（{contract.number}）"
        if not approved:
            _finish(session, supervisor, row, CancellationState.REFUSED, now, note)
            text = f"{head}的{label}申请审核未通过，原因：{note}。"
        else:
            if contract.status != ContractStatus.FILED:
                raise RuleViolation("CANCEL_CONTRACT_MOVED", "合同已不是已备案状态，不能办理该注销申请。")
            filing = session.execute(
                select(ContractFiling).where(ContractFiling.contract_id == contract.id,
                                             ContractFiling.revoked_at.is_(None))
                .order_by(ContractFiling.id.desc()).limit(1)
            ).scalar_one()
            filing.revoked_at = now
            filing.revoked_by = supervisor.operator_id
            filing.revoke_reason = _close_reason(row, applicant)
            number = filing.number
            # The filing lives on in contract_filing; the contract no longer carries a current one.
            contract.filing_number = None
            contract.filed_at = None
            contract.updated_at = now
            _finish(session, supervisor, row, CancellationState.DONE, now, note)
            if row.kind == CancelKind.CANCEL_SIGNING:
                _end_contract(session, supervisor, contract, status=ContractStatus.CANCELLED,
                              reason=_close_reason(row, applicant), now=now)
                text = f"{head}已注销网签，备案号{number}已撤销，合同已注销。"
            else:
                contract.status = ContractStatus.SIGNED.value
                text = f"{head}已注销备案，备案号{number}已撤销；合同可依法变更后重新申请备案。"
            audit.append(session, supervisor, "filing_revoke", object_type="contract", object_id=contract.id,
                         case_number=case_number,
                         before={"status": ContractStatus.FILED.value, "filing_number": number},
                         after={"status": contract.status, "filing": filing.id, "kind": row.kind})
        cases.archive_in(session, supervisor, case_number)
        notify_parties(session, supervisor, contract, text, purpose="contract_notice")
        audit.append(session, supervisor, "cancellation_review", object_type="contract_cancellation",
                     object_id=row.id, case_number=case_number,
                     after={"approved": approved, "state": row.state, "note": note})
        return _view(session, row, contract)


# --------------------------------------------------------------------------
# Withdrawal
# --------------------------------------------------------------------------


def withdraw_cancellation(db: Database, actor: Actor, cancellation_id: int, *, reason: str) -> CancellationView:
    """撤回 a pending application (confirming or in review); its Q case, if any, is terminated and
    the parties it concerned are told."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    reason = _clean_reason(reason, what="撤回的原因")
    now = db.now()
    with db.write() as session:
        row, contract = _load(session, cancellation_id, lock=True)
        if row.state not in PENDING_CANCELLATION:
            raise RuleViolation("CANCEL_NOT_PENDING",
                                f"该注销申请{CANCELLATION_STATE_LABELS[row.state]}，不能撤回。")
        case_number = _case_number_of(session, row, contract)
        before = row.state
        _finish(session, actor, row, CancellationState.WITHDRAWN, now, reason)
        if row.case_id is not None:
            cases.terminate_in(session, actor, case_number, reason=f"注销申请撤回：{reason}")
        notify_parties(session, actor, contract,
                       f"【网签】{_location(contract)}存量房买卖合同（{contract.number}）的"
                       f"{CANCEL_KIND_LABELS[row.kind]}申请已撤回，合同继续有效。", purpose="contract_notice",
                       keys={*_keys(row), row.applicant_key})
        audit.append(session, actor, "cancellation_withdraw", object_type="contract_cancellation",
                     object_id=row.id, case_number=case_number,
                     before={"state": before}, after={"state": row.state, "reason": reason})
        return _view(session, row, contract)


# --------------------------------------------------------------------------
# Revocation by SMS code (seed 003)
# --------------------------------------------------------------------------


def _revoker(session: Session, contract_number: str, id_number: str) -> tuple[Contract, ContractParty]:
    """The contract and the party named by the number and ID; one sentence for either being wrong,
    so the form does not tell a stranger which contract numbers exist."""
    number, ident = normalize(contract_number), normalize(id_number)
    if not number or not ident:
        raise RuleViolation("REVOCATION_INPUT_REQUIRED", "请输入网签合同编号和交易当事人身份证件号码。")
    contract = session.execute(select(Contract).where(Contract.number == number)).scalar_one_or_none()
    party = None
    if contract is not None:
        party = next((p for p in party_rows(session, contract.id) if normalize(p.id_number) == ident), None)  # type: ignore[arg-type]
    if contract is None or party is None:
        raise RuleViolation("REVOCATION_NO_MATCH", "合同编号与身份证件号码不匹配，请核对后重新输入。")
    revocation_allowed(profile_by_ref(contract.profile_ref), status=contract.status)
    return contract, party


def send_revocation_code(db: Database, actor: Actor, *, contract_number: str,
                         id_number: str) -> sign_codes.CodeSent:
    """Send the code to the phone stored on the contract for that party (never a phone typed now).

    Queued in the outbox like every SMS; without a gateway it waits there for the clerk to send by
    hand (it is one of their case's messages): see ``CodeSent.notice``."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    with db.read() as session:
        contract, party = _revoker(session, contract_number, id_number)
        case_number = _case_number(session, contract)
        contract_id, version, key, phone = contract.id, contract.version, party.party_key, party.phone
        location, number = _location(contract), contract.number

    def text(code: str) -> str:
        return (f"【网签】验证码{code}，您正在申请撤销{location}存量房买卖合同（{number}）的网签。"
                f"5分钟内有效，请勿泄露。")

    return sign_codes.send_code(db, actor, purpose=PURPOSE_REVOKE, subject_type=SUBJECT,
                                subject_id=contract_id, subject_version=version, party_key=key,  # type: ignore[arg-type]
                                phone=phone, sms_text=text, case_number=case_number)


def revoke_by_code(db: Database, actor: Actor, *, contract_number: str, id_number: str, code: str,
                   reason: str = "") -> CancellationView:
    """撤销网签: the code verified, the contract is revoked, its home released, its case terminated,
    a pending cancellation withdrawn, and the other side told by SMS."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    reason = _clean_reason(reason, required=False) or "交易当事人凭短信验证码撤销网签"
    with db.read() as session:
        contract, party = _revoker(session, contract_number, id_number)
        contract_id, version, key = contract.id, contract.version, party.party_key
    sign_codes.verify_code(db, actor, code=code, subject_version=version, subject_type=SUBJECT,
                           subject_id=contract_id, party_key=key, purpose=PURPOSE_REVOKE)  # type: ignore[arg-type]
    now = db.now()
    with db.write() as session:
        contract = lock_contract(session, contract_id)  # type: ignore[arg-type]
        # Re-checked under the lock: a filing approved after the code was sent ends the revocation.
        revocation_allowed(profile_by_ref(contract.profile_ref), status=contract.status)
        parties = party_rows(session, contract.id)  # type: ignore[arg-type]
        applicant = next(p for p in parties if p.party_key == key)
        pending = pending_cancellation(session, contract.id)  # type: ignore[arg-type]
        if pending is not None:
            _finish(session, actor, pending, CancellationState.WITHDRAWN, now, "合同已撤销网签")
            if pending.case_id is not None:
                cases.terminate_in(session, actor, _case_number_of(session, pending, contract), reason="合同已撤销网签")
        other = confirmers(_sides(parties), key, everyone=False)
        row = ContractCancellation(
            contract_id=contract.id, kind=CancelKind.REVOCATION.value, rule=REVOCATION_RULE, applicant_key=key,
            confirm_keys="", state=CancellationState.DONE.value, reason=reason, requested_at=now,
            requested_by=actor.operator_id, completed_at=now, completed_by=actor.operator_id,
        )
        session.add(row)
        session.flush()
        _end_contract(session, actor, contract, status=ContractStatus.REVOKED,
                      reason=f"{_who(applicant)}撤销网签：{reason}", now=now)
        count = notify_parties(session, actor, contract,
                               f"【网签】{_location(contract)}存量房买卖合同（{contract.number}）已由{_who(applicant)}"
                               f"凭短信验证码撤销网签。如有异议，请与对方协商或依法解决。",
                               purpose="revocation", keys=set(other))
        audit.append(session, actor, "contract_revocation", object_type="contract_cancellation", object_id=row.id,
                     case_number=_case_number(session, contract),
                     after={"contract": contract.id, "party": key, "reason": reason, "sms": count,
                            "withdrawn": None if pending is None else pending.id})
        return _view(session, row, contract)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def cancellations_of(db: Database, actor: Actor, contract_id: int) -> list[CancellationView]:
    """Every application to end the contract, newest first."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    with db.read() as session:
        contract = session.get(Contract, contract_id)
        if contract is None:
            raise RuleViolation("CONTRACT_NOT_FOUND", "没有找到该合同。")
        rows = session.execute(select(ContractCancellation).where(ContractCancellation.contract_id == contract_id)
                               .order_by(ContractCancellation.id.desc())).scalars().all()
        return [_view(session, r, contract) for r in rows]


def review_queue(db: Database, supervisor: Actor) -> list[CancellationView]:
    """Filed contracts' applications confirmed by every party and waiting for a decision, oldest first."""
    authorise(db, supervisor, Permission.CONTRACT_REVIEW)
    with db.read() as session:
        rows = session.execute(
            select(ContractCancellation, Contract).join(Contract, Contract.id == ContractCancellation.contract_id)
            .where(ContractCancellation.state == CancellationState.REVIEW.value)
            .order_by(ContractCancellation.requested_at, ContractCancellation.id)
        ).all()
        return [_view(session, r, c) for r, c in rows]
