"""Filing (备案) per city (``core.resale.filing``): the materials a Shenzhen filing needs,
Zhongshan's filing at signing, Wuhan's filing on the transfer registration.

The supervisors' review of a Shenzhen filing (``signing.submit_for_filing``,
``approve_filing``, ``reject_filing``) and the filing itself (``file_in``, shared by
all three routes) keep one shape: a ``ContractFiling`` row with its number, the
contract 已备案, the case archived, the parties told by SMS, one audit row.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlmodel import Session

from core import timeutil
from core.errors import RuleViolation
from core.identity import Region
from core.resale import contract_record
from core.resale.filing import FilingFacts, FilingRoute, Material, clean_reference
from core.resale.lifecycle import ContractStatus
from core.resale.policies import profile_by_ref
from core.roles import Actor, Permission, require
from services import audit
from services.authority import authorise
from services.cases import next_case_number
from services.resale.contracts import ContractView, _case_number, _view, lock_contract
from storage.engine import Database, session_now
from storage.models import Contract, ContractFiling, FilingMaterial

__all__ = ["facts_of", "file_in", "record_notarisation", "record_transfer_registration", "record_undertaking"]


def facts_of(session: Session, contract: Contract, *, signed_now: bool = False) -> FilingFacts:
    """What decides whether and how this contract is filed. ``signed_now``: signed in this
    transaction, so it has no materials yet (they are recorded only on a signed contract)."""
    draft = contract_record.from_json(contract.facts)
    parties = [*draft.sellers, *draft.buyers]
    recorded = frozenset() if signed_now else frozenset(Material(kind) for kind in session.execute(
        select(FilingMaterial.kind).where(FilingMaterial.contract_id == contract.id)).scalars())
    return FilingFacts(
        route=profile_by_ref(contract.profile_ref).filing,
        residential=json.loads(contract.house_facts).get("use_class") == "residential",
        all_organisations=all(p.kind == "organisation" for p in parties),
        outside_mainland=any(p.kind != "organisation" and Region(p.region) is not Region.MAINLAND for p in parties),
        materials=recorded,
    )


#: What the parties are told when their contract is filed, by the route that filed it.
_FILED_SMS = {
    FilingRoute.REVIEW: "已备案，备案号{number}。",
    FilingRoute.AT_SIGNING: "已签约并完成网签备案，成交价{price}元，备案号{number}，可凭合同办理不动产转移登记。",
    FilingRoute.AT_TRANSFER: "已随不动产转移登记完成备案，备案号{number}。",
}


def file_in(session: Session, actor: Actor, contract: Contract, case_number: str, *,
            transfer_number: str | None = None) -> str:
    """File a signed contract in the caller's transaction: its filing number, 已备案, the
    parties told. Returns the filing number. (The caller closes the case as its route does.)"""
    from services.resale.signing import (
        notify_parties,  # signing files through here as well
    )

    now = session_now(session)
    route = profile_by_ref(contract.profile_ref).filing
    number = profile_by_ref(contract.profile_ref).letter + next_case_number(session, "B", timeutil.local_today(now))
    session.add(ContractFiling(contract_id=contract.id, number=number, version=contract.version, filed_at=now,
                               filed_by=actor.operator_id, route=route.value, transfer_number=transfer_number))
    contract.status = ContractStatus.FILED.value
    contract.filing_number = number
    contract.filed_at = now
    contract.updated_at = now
    audit.append(session, actor, "filing_approve", object_type="contract", object_id=contract.id,
                 case_number=case_number,
                 after={"filing_number": number, "version": contract.version, "route": route.value,
                        "transfer_number": transfer_number})
    location = json.loads(contract.house_facts)["location"]
    notify_parties(session, actor, contract, f"【网签】{location}存量房买卖合同（{contract.number}）"
                   + _FILED_SMS[route].format(number=number, price=f"{contract.price:,.2f}"), purpose="contract_notice")
    return number


def _signed(session: Session, contract_id: int) -> Contract:
    contract = lock_contract(session, contract_id)
    if contract.status != ContractStatus.SIGNED:
        raise RuleViolation("FILING_NOT_SIGNED", "只有已签约、尚未备案的合同可以登记备案材料。")
    return contract


def _record(session: Session, actor: Actor, contract: Contract, kind: Material, reference: str | None) -> None:
    if session.execute(select(FilingMaterial.id).where(FilingMaterial.contract_id == contract.id,
                                                       FilingMaterial.kind == kind.value)).first():
        raise RuleViolation("FILING_MATERIAL_RECORDED", f"{kind.label}已登记，无须重复登记。")
    session.add(FilingMaterial(contract_id=contract.id, kind=kind.value, reference=reference,  # type: ignore[arg-type]
                               recorded_at=session_now(session), recorded_by=actor.operator_id))
    session.flush()
    audit.append(session, actor, "filing_material", object_type="contract", object_id=contract.id,
                 case_number=_case_number(session, contract), after={"material": kind.value, "reference": reference})


def record_undertaking(db: Database, actor: Actor, contract_id: int) -> ContractView:
    """深圳: the 承诺书, printed at the counter and signed by both parties, is handed back."""
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        contract = _signed(session, contract_id)
        facts = facts_of(session, contract)
        if facts.route is not FilingRoute.REVIEW or not facts.required:
            raise RuleViolation("FILING_NO_UNDERTAKING", "该合同的备案无须承诺书。")
        _record(session, actor, contract, Material.UNDERTAKING, None)
        return _view(session, contract)


def record_notarisation(db: Database, actor: Actor, contract_id: int, certificate_number: str) -> ContractView:
    """深圳: a contract with a party from outside the mainland was notarised (涉外合同公证)."""
    require(actor, Permission.CONTRACT_WORK)
    reference = clean_reference(certificate_number, code="FILING_NOTARISATION_NUMBER", what="公证书编号",
                                field="certificate_number")
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        contract = _signed(session, contract_id)
        if not facts_of(session, contract).needs_notarisation:
            raise RuleViolation("FILING_NO_NOTARISATION", "该合同当事人均为境内人士，或本市备案无须涉外公证。")
        _record(session, actor, contract, Material.NOTARISATION, reference)
        return _view(session, contract)


def record_transfer_registration(db: Database, actor: Actor, contract_id: int, registration_number: str) -> ContractView:
    """武汉: the transfer registration was made; the contract is filed by it (seed 003 提示3)."""
    require(actor, Permission.CONTRACT_WORK)
    reference = clean_reference(registration_number, code="FILING_TRANSFER_NUMBER", what="不动产转移登记业务号",
                                field="registration_number")
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        contract = lock_contract(session, contract_id)
        if profile_by_ref(contract.profile_ref).filing is not FilingRoute.AT_TRANSFER:
            raise RuleViolation("FILING_NOT_AT_TRANSFER", "本市合同不是在转移登记时备案，无须录入转移登记。")
        if contract.status != ContractStatus.SIGNED:
            raise RuleViolation("FILING_NOT_SIGNED", "只有已签约、尚未备案的合同可以录入转移登记。")
        # The 网签 case was closed at signing (the counter's part ended there): the filing follows.
        file_in(session, actor, contract, _case_number(session, contract), transfer_number=reference)
        return _view(session, contract)
