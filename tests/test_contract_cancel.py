"""Ending resale contracts: the four cases of unfiled cancellation (seed 001 §7),
cancel-signing versus cancel-filing of a filed contract (§8), withdrawal, and
revocation by SMS code (seed 003) — on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.resale.lifecycle import confirmers
from core.roles import Role
from services.resale import cancel as cc
from services.resale import signing
from services.resale import contracts as svc
from services.resale import house_check as hc
from storage.models import (
    Case,
    Contract,
    ContractCancellation,
    ContractFiling,
    ContractParty,
    Home,
    OneTimeCode,
    SmsMessage,
)
from tests.conftest import make_operator
from tests.contract_fixtures import clerk, clock, supervisor  # noqa: F401 (fixtures)
from tests.contract_support import (
    BUYER_PHONE,
    _phone_of,
    draft_contract,
    filed_contract,
    filled_form,
    latest_code,
    signed_contract,
    submit_for_review,
)


def _refused(expected: str, fn, /, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as e:
        fn(*args, **kwargs)
    assert e.value.code == expected, (e.value.code, e.value.message)
    return e.value


def _contract(db, contract_id) -> Contract:
    with db.read() as s:
        return s.get(Contract, contract_id)


def _case(db, number) -> Case:
    with db.read() as s:
        return s.execute(select(Case).where(Case.number == number)).scalar_one()


def _home_free(db, home_id) -> bool:
    with db.read() as s:
        return not s.get(Home, home_id).in_transaction


def _texts(db, phone) -> list[str]:
    with db.read() as s:
        return list(s.execute(select(SmsMessage.text).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id)).scalars())


def _unused_codes(db, subject_type, subject_id) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(OneTimeCode).where(
            OneTimeCode.subject_type == subject_type, OneTimeCode.subject_id == subject_id,
            OneTimeCode.used_at.is_(None), OneTimeCode.voided_at.is_(None))).scalar_one()


def _confirm(db, clerk, view: cc.CancellationView, key: str, clock) -> cc.CancellationView:
    cc.send_cancellation_code(db, clerk, view.id, key)
    done = cc.confirm_cancellation(db, clerk, view.id, key, latest_code(db, _phone_of(db, view.contract_id, key)))
    clock.advance(seconds=61)  # one phone may serve two parties: one code a minute
    return done


def _confirm_all(db, clerk, view: cc.CancellationView, clock) -> cc.CancellationView:
    for c in view.confirmers:
        view = _confirm(db, clerk, view, c.key, clock)
    return view


def _form_of(view: svc.ContractView):
    from core.resale.contract_record import to_form

    return to_form(view.draft)


# ---------------------------------------------------------------- the pure rule


def test_confirmers_are_the_other_side_or_everyone():
    sides = {"seller:0": "seller", "seller:1": "seller", "buyer:0": "buyer"}
    assert confirmers(sides, "buyer:0", everyone=False) == ("seller:0", "seller:1")
    assert confirmers(sides, "seller:1", everyone=False) == ("buyer:0",)
    assert confirmers(sides, "seller:1", everyone=True) == ("seller:0", "seller:1", "buyer:0")
    with pytest.raises(RuleViolation) as e:
        confirmers(sides, "buyer:5", everyone=False)
    assert e.value.code == "CANCEL_NO_PARTY"


# ---------------------------------------------------------------- seed 001 §7


def test_case_3_online_unsigned_cancels_at_once_and_the_home_can_be_contracted_again(
        sample_db, clerk, clock, monkeypatch):
    view = draft_contract(sample_db, clerk, "zhongshan")  # online, no qualification in Zhongshan
    seller_phone = _phone_of(sample_db, view.id, "seller:0")
    done = cc.apply_cancellation(sample_db, clerk, view.id, applicant_key="buyer:0", reason="双方不再交易")
    assert done.state == "done" and done.state_label == "已办结" and done.rule == "CANCEL_UNSIGNED"
    assert done.kind_label == "注销网签（未备案）" and done.confirmers == () and done.waiting_for == ()
    contract = _contract(sample_db, view.id)
    assert contract.status == "cancelled" and contract.active_home_id is None
    assert contract.closed_at == clock.now and "双方不再交易" in contract.close_reason
    assert _home_free(sample_db, view.home_id)
    case = _case(sample_db, view.case_number)
    assert case.status == "cancelled"  # the signing case is terminated with its contract
    assert "已由买受人" in _texts(sample_db, seller_phone)[-1]  # the other side is told
    assert not any("注销" in t for t in _texts(sample_db, BUYER_PHONE))
    _refused("CANCEL_NOT_LIVE", cc.apply_cancellation, sample_db, clerk, view.id, applicant_key="buyer:0",
             reason="再来一次")
    # The home is free: a new house check passes and a new draft is made for it.
    with sample_db.read() as s:
        home = s.get(Home, view.home_id)
        owner = s.execute(select(ContractParty.person_id).where(ContractParty.contract_id == view.id,
                                                                ContractParty.party_key == "seller:0")).scalar_one()
    check = hc.run_house_check(sample_db, clerk, city="zhongshan", home_id=home.id,
                               party=hc.Counterparty(owner, identity_verified=True), check_code=home.check_code)
    assert check.passed, [ln.text for ln in check.failures]
    again = svc.create_draft(sample_db, clerk, check.id, filled_form(svc.new_contract_form(sample_db, clerk, check.id)))
    assert again.home_id == view.home_id and again.status == "draft" and again.number != view.number


def test_case_2_refused_until_the_qualification_is_voided_then_case_3(sample_db, clerk, clock, monkeypatch):
    view = draft_contract(sample_db, clerk, "shenzhen")
    signing.request_qualification(sample_db, clerk, view.id)
    e = _refused("CANCEL_QUALIFICATION_NOT_VOIDED", cc.apply_cancellation, sample_db, clerk, view.id,
                 applicant_key="seller:0", reason="不卖了")
    assert "作废资格码" in e.message
    assert _contract(sample_db, view.id).status == "draft"
    with sample_db.read() as s:
        assert s.execute(select(func.count()).select_from(ContractCancellation)
                         .where(ContractCancellation.contract_id == view.id)).scalar_one() == 0
    signing.void_qualification(sample_db, clerk, view.id, reason="买方放弃购买")
    done = cc.apply_cancellation(sample_db, clerk, view.id, applicant_key="seller:0", reason="不卖了")
    assert done.state == "done" and done.rule == "CANCEL_UNSIGNED"
    assert _contract(sample_db, view.id).status == "cancelled" and _home_free(sample_db, view.home_id)


def test_case_2_then_case_4_offline_printed_needs_the_other_side(sample_db, clerk, supervisor, clock, monkeypatch):
    view = draft_contract(sample_db, clerk, "shenzhen", requested_signing="offline")
    svc.mark_printed(sample_db, clerk, view.id)
    signing.request_qualification(sample_db, clerk, view.id)
    signing.decide_qualification(sample_db, supervisor, view.id, approved=True)
    _refused("CANCEL_QUALIFICATION_NOT_VOIDED", cc.apply_cancellation, sample_db, clerk, view.id,
             applicant_key="buyer:0", reason="协商解除")
    signing.void_qualification(sample_db, clerk, view.id, reason="买方放弃购买")
    pending = cc.apply_cancellation(sample_db, clerk, view.id, applicant_key="buyer:0", reason="协商解除")
    assert pending.state == "confirming" and pending.rule == "CANCEL_OFFLINE_PRINTED"
    assert [c.key for c in pending.waiting_for] == ["seller:0"]
    assert "出卖人" in pending.waiting_text and "****" in pending.waiting_text
    assert _contract(sample_db, view.id).status == "draft"  # nothing else changes yet
    assert not _home_free(sample_db, view.home_id)
    _refused("CANCEL_ALREADY_PENDING", cc.apply_cancellation, sample_db, clerk, view.id, applicant_key="seller:0",
             reason="重复")
    done = _confirm_all(sample_db, clerk, pending, clock)
    assert done.state == "done" and done.confirmers[0].confirmed
    assert _contract(sample_db, view.id).status == "cancelled" and _home_free(sample_db, view.home_id)


def test_offline_never_printed_is_cancelled_directly(sample_db, clerk, clock, monkeypatch):
    view = draft_contract(sample_db, clerk, "zhongshan", requested_signing="offline")
    done = cc.apply_cancellation(sample_db, clerk, view.id, applicant_key="seller:0", reason="未下载合同")
    assert done.state == "done" and done.rule == "CANCEL_UNSIGNED"


def test_case_1_signed_contract_is_cancelled_when_the_other_side_confirms(
        sample_db, clerk, supervisor, clock, monkeypatch):
    view = signed_contract(sample_db, clerk, supervisor, clock, "shenzhen")
    _refused("CANCEL_NO_PARTY", cc.apply_cancellation, sample_db, clerk, view.id, applicant_key="buyer:7",
             reason="协商解除")
    _refused("CANCEL_REASON_REQUIRED", cc.apply_cancellation, sample_db, clerk, view.id, applicant_key="seller:0",
             reason="  ")
    pending = cc.apply_cancellation(sample_db, clerk, view.id, applicant_key="seller:0", reason="协商解除")
    assert pending.state == "confirming" and pending.rule == "CANCEL_SIGNED"
    assert pending.applicant_label.startswith("出卖人")
    with sample_db.read() as s:
        assert s.get(ContractCancellation, pending.id).confirm_keys == "buyer:0"
    # a party not asked to confirm is refused
    _refused("CANCEL_NOT_CONFIRMER", cc.send_cancellation_code, sample_db, clerk, pending.id, "seller:0")
    sent = cc.send_cancellation_code(sample_db, clerk, pending.id, "buyer:0")
    assert sent.masked_phone == "139****5678"
    sms = _texts(sample_db, BUYER_PHONE)[-1]
    assert view.number in sms and view.location in sms and "注销网签" in sms
    code = latest_code(sample_db, BUYER_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    _refused("CODE_WRONG", cc.confirm_cancellation, sample_db, clerk, pending.id, "buyer:0", wrong)
    _refused("CANCEL_NOT_CONFIRMER", cc.confirm_cancellation, sample_db, clerk, pending.id, "seller:0", code)
    assert _contract(sample_db, view.id).status == "signed"
    done = cc.confirm_cancellation(sample_db, clerk, pending.id, "buyer:0", code)
    assert done.state == "done" and done.completed_at == clock.now
    contract = _contract(sample_db, view.id)
    assert contract.status == "cancelled" and contract.active_home_id is None
    assert _case(sample_db, view.case_number).status == "cancelled"
    assert _home_free(sample_db, view.home_id)
    assert "合同已注销" in _texts(sample_db, BUYER_PHONE)[-1]
    assert "合同已注销" in _texts(sample_db, _phone_of(sample_db, view.id, "seller:0"))[-1]
    _refused("CANCEL_NOT_CONFIRMING", cc.send_cancellation_code, sample_db, clerk, pending.id, "buyer:0")
    history = cc.cancellations_of(sample_db, clerk, view.id)
    assert [h.id for h in history] == [pending.id] and history[0].state_label == "已办结"


def test_queued_filing_and_pending_cancellation_exclude_each_other(sample_db, clerk, supervisor, clock, monkeypatch):
    view = signed_contract(sample_db, clerk, supervisor, clock, "shenzhen")  # a city whose filing is reviewed
    submit_for_review(sample_db, clerk, view)
    _refused("CANCEL_FILING_QUEUED", cc.apply_cancellation, sample_db, clerk, view.id, applicant_key="seller:0",
             reason="协商解除")
    signing.reject_filing(sample_db, supervisor, view.id, reason="材料不全")
    from services import cases

    cases.receive_case(sample_db, clerk, view.case_number)
    pending = cc.apply_cancellation(sample_db, clerk, view.id, applicant_key="seller:0", reason="协商解除")
    _refused("FILING_CANCELLATION_PENDING", signing.submit_for_filing, sample_db, clerk, view.id)
    withdrawn = cc.withdraw_cancellation(sample_db, clerk, pending.id, reason="双方继续履行")
    assert withdrawn.state == "withdrawn" and withdrawn.outcome_note == "双方继续履行"
    assert "已撤回" in _texts(sample_db, BUYER_PHONE)[-1]
    _refused("CANCEL_NOT_PENDING", cc.withdraw_cancellation, sample_db, clerk, pending.id, reason="再撤")
    assert signing.submit_for_filing(sample_db, clerk, view.id).case_stage == "filing_review"


# ---------------------------------------------------------------- seed 001 §8


def test_filed_cancel_signing_needs_everyone_and_a_review(sample_db, clerk, supervisor, clock, monkeypatch):
    view = filed_contract(sample_db, clerk, supervisor, clock, "zhongshan")
    _refused("CANCEL_FILED_USE_FILED_ROUTE", cc.apply_cancellation, sample_db, clerk, view.id,
             applicant_key="seller:0", reason="协商解除")
    _refused("CANCEL_KIND_INVALID", cc.apply_filed_cancellation, sample_db, clerk, view.id, kind="unfiled",
             applicant_key="seller:0", reason="协商解除")
    pending = cc.apply_filed_cancellation(sample_db, clerk, view.id, kind="cancel_signing", applicant_key="buyer:0",
                                          reason="协商解除")
    assert pending.state == "confirming" and pending.kind_label == "注销网签（已备案）"
    assert [c.key for c in pending.confirmers] == ["seller:0", "buyer:0"]  # both sides, the applicant too
    assert pending.case_number.startswith("Q") and _case(sample_db, pending.case_number).stage == "entry"
    assert cc.review_queue(sample_db, supervisor) == []
    _refused("CANCEL_NOT_IN_REVIEW", cc.review_cancellation, sample_db, supervisor, pending.id, approved=True)
    half = _confirm(sample_db, clerk, pending, "seller:0", clock)
    assert half.state == "confirming" and [c.key for c in half.waiting_for] == ["buyer:0"]
    _refused("CANCEL_ALREADY_CONFIRMED", cc.send_cancellation_code, sample_db, clerk, pending.id, "seller:0")
    other_clerk = make_operator(sample_db, "clerk_d", Role.CLERK, window="07")
    _refused("CANCEL_CASE_NOT_HELD", cc.send_cancellation_code, sample_db, other_clerk, pending.id, "buyer:0")
    review = _confirm(sample_db, clerk, pending, "buyer:0", clock)
    assert review.state == "review" and review.state_label == "待审核" and review.waiting_for == ()
    assert _case(sample_db, pending.case_number).pending_role == "supervisor"
    assert [r.id for r in cc.review_queue(sample_db, supervisor)] == [pending.id]
    assert _contract(sample_db, view.id).status == "filed"  # nothing happens before the review
    _refused("ROLE_FORBIDDEN", cc.review_cancellation, sample_db, clerk, pending.id, approved=True)
    _refused("ROLE_FORBIDDEN", cc.review_queue, sample_db, clerk)

    done = cc.review_cancellation(sample_db, supervisor, pending.id, approved=True, note="材料齐全")
    assert done.state == "done" and done.outcome_note == "材料齐全"
    contract = _contract(sample_db, view.id)
    assert contract.status == "cancelled" and contract.filing_number is None and contract.active_home_id is None
    assert _home_free(sample_db, view.home_id)
    with sample_db.read() as s:
        filing = s.execute(select(ContractFiling).where(ContractFiling.contract_id == view.id)).scalar_one()
    assert filing.number == view.filing_number and filing.revoked_at == clock.now
    assert filing.revoked_by == supervisor.operator_id and "协商解除" in filing.revoke_reason
    assert _case(sample_db, pending.case_number).status == "archived"
    assert _case(sample_db, view.case_number).status == "archived"  # the filed contract's case stays archived
    assert f"备案号{view.filing_number}已撤销" in _texts(sample_db, BUYER_PHONE)[-1]
    assert cc.review_queue(sample_db, supervisor) == []


def test_filed_cancel_filing_back_to_signed_changed_and_filed_again(sample_db, clerk, supervisor, clock, monkeypatch):
    view = filed_contract(sample_db, clerk, supervisor, clock, "shenzhen")  # seed 001 §8: 注销备案
    pending = cc.apply_filed_cancellation(sample_db, clerk, view.id, kind="cancel_filing", applicant_key="seller:0",
                                          reason="成交价需调整")
    assert pending.kind_label == "注销备案"
    _confirm_all(sample_db, clerk, pending, clock)
    done = cc.review_cancellation(sample_db, supervisor, pending.id, approved=True)
    assert done.state == "done"
    back = svc.get_contract(sample_db, clerk, view.id)
    assert back.status == "signed" and back.filing_number is None and back.case_status == "archived"
    assert not _home_free(sample_db, view.home_id)  # the contract still holds its home
    assert "已注销备案" in _texts(sample_db, BUYER_PHONE)[-1]
    svc.change_contract(sample_db, clerk, view.id, replace(_form_of(back), price=Decimal(2300000)),
                        expected_version=back.version, reason="双方协商降价")
    resubmitted = signing.submit_for_filing(sample_db, clerk, view.id)
    assert resubmitted.case_number != view.case_number and resubmitted.case_number.startswith("F")
    assert resubmitted.case_stage == "filing_review"
    refiled = signing.approve_filing(sample_db, supervisor, view.id)
    assert refiled.status == "filed" and refiled.filing_number != view.filing_number
    assert refiled.draft.price == Decimal(2300000)
    with sample_db.read() as s:
        filings = list(s.execute(select(ContractFiling).where(ContractFiling.contract_id == view.id)
                                 .order_by(ContractFiling.id)).scalars())
    assert [f.number for f in filings] == [view.filing_number, refiled.filing_number]
    assert filings[0].revoked_at is not None and filings[1].revoked_at is None
    assert _case(sample_db, view.case_number).status == "archived"
    assert _case(sample_db, refiled.case_number).status == "archived"


def test_supervisor_refusal_and_withdrawal(sample_db, clerk, supervisor, clock, monkeypatch):
    view = filed_contract(sample_db, clerk, supervisor, clock, "zhongshan")
    pending = cc.apply_filed_cancellation(sample_db, clerk, view.id, kind="cancel_signing", applicant_key="seller:0",
                                          reason="协商解除")
    _confirm_all(sample_db, clerk, pending, clock)
    _refused("CANCEL_REASON_REQUIRED", cc.review_cancellation, sample_db, supervisor, pending.id, approved=False)
    refused = cc.review_cancellation(sample_db, supervisor, pending.id, approved=False, note="缺少解除协议")
    assert refused.state == "refused" and refused.state_label == "审核不通过"
    assert refused.outcome_note == "缺少解除协议"
    assert _contract(sample_db, view.id).status == "filed" and _contract(sample_db, view.id).filing_number
    assert _case(sample_db, pending.case_number).status == "archived"
    assert "审核未通过" in _texts(sample_db, BUYER_PHONE)[-1] and "缺少解除协议" in _texts(sample_db, BUYER_PHONE)[-1]
    # a new application, withdrawn while in review: its Q case is terminated, the contract stays filed
    second = cc.apply_filed_cancellation(sample_db, clerk, view.id, kind="cancel_filing", applicant_key="buyer:0",
                                         reason="重新申请")
    _confirm_all(sample_db, clerk, second, clock)
    withdrawn = cc.withdraw_cancellation(sample_db, clerk, second.id, reason="双方继续履行")
    assert withdrawn.state == "withdrawn"
    assert _case(sample_db, second.case_number).status == "cancelled"
    assert cc.review_queue(sample_db, supervisor) == []
    _refused("CANCEL_NOT_IN_REVIEW", cc.review_cancellation, sample_db, supervisor, second.id, approved=True)
    # withdrawn while confirming: the unused code is voided
    third = cc.apply_filed_cancellation(sample_db, clerk, view.id, kind="cancel_filing", applicant_key="buyer:0",
                                        reason="第三次")
    cc.send_cancellation_code(sample_db, clerk, third.id, "seller:0")
    assert _unused_codes(sample_db, "cancellation", third.id) == 1
    cc.withdraw_cancellation(sample_db, clerk, third.id, reason="不办了")
    assert _unused_codes(sample_db, "cancellation", third.id) == 0
    assert [h.state for h in cc.cancellations_of(sample_db, clerk, view.id)] == ["withdrawn", "withdrawn", "refused"]
    assert _contract(sample_db, view.id).status == "filed"


# ---------------------------------------------------------------- seed 003: revocation


def _buyer_id(db, contract_id) -> str:
    with db.read() as s:
        return s.execute(select(ContractParty.id_number).where(ContractParty.contract_id == contract_id,
                                                               ContractParty.party_key == "buyer:0")).scalar_one()


def test_revocation_in_wuhan_tells_the_other_side(sample_db, clerk, supervisor, clock, monkeypatch):
    view = signed_contract(sample_db, clerk, supervisor, clock, "wuhan")
    buyer_id = _buyer_id(sample_db, view.id)
    seller_phone = _phone_of(sample_db, view.id, "seller:0")
    wrong_id = _refused("REVOCATION_NO_MATCH", cc.send_revocation_code, sample_db, clerk,
                        contract_number=view.number, id_number="110101199001011237")
    wrong_number = _refused("REVOCATION_NO_MATCH", cc.send_revocation_code, sample_db, clerk,
                            contract_number="WHT000000000000", id_number=buyer_id)
    assert wrong_id.message == wrong_number.message  # which part was wrong is not revealed
    # typed the way an input method may type it: lower case, spaces
    sent = cc.send_revocation_code(sample_db, clerk, contract_number=f" {view.number.lower()} ",
                                   id_number=" ".join(buyer_id))
    assert sent.masked_phone == "139****5678"
    assert view.number in _texts(sample_db, BUYER_PHONE)[-1]
    code = latest_code(sample_db, BUYER_PHONE)
    _refused("CODE_WRONG", cc.revoke_by_code, sample_db, clerk, contract_number=view.number, id_number=buyer_id,
             code="000000" if code != "000000" else "111111")
    assert _contract(sample_db, view.id).status == "signed"
    done = cc.revoke_by_code(sample_db, clerk, contract_number=view.number, id_number=buyer_id, code=code)
    assert done.kind == "revocation" and done.kind_label == "撤销网签" and done.state == "done"
    contract = _contract(sample_db, view.id)
    assert contract.status == "revoked" and contract.active_home_id is None and _home_free(sample_db, view.home_id)
    # 武汉 files at the transfer registration: the counter's 网签 case was done at signing and stays so
    assert _case(sample_db, view.case_number).status == "archived"
    told = _texts(sample_db, seller_phone)[-1]
    assert "撤销网签" in told and view.number in told  # the other side is told
    assert "验证码" in _texts(sample_db, BUYER_PHONE)[-1]  # the applicant gets no notice
    _refused("REVOCATION_NOT_SIGNED", cc.send_revocation_code, sample_db, clerk, contract_number=view.number,
             id_number=buyer_id)


def test_revocation_refused_in_shenzhen_and_for_a_filed_contract(sample_db, clerk, supervisor, clock, monkeypatch):
    shenzhen = signed_contract(sample_db, clerk, supervisor, clock, "shenzhen")
    e = _refused("REVOCATION_NOT_OFFERED", cc.send_revocation_code, sample_db, clerk,
                 contract_number=shenzhen.number, id_number=_buyer_id(sample_db, shenzhen.id))
    assert "深圳" in e.message
    clock.advance(seconds=61)
    filed = filed_contract(sample_db, clerk, supervisor, clock, "wuhan")
    _refused("REVOCATION_FILED", cc.send_revocation_code, sample_db, clerk, contract_number=filed.number,
             id_number=_buyer_id(sample_db, filed.id))


def test_revocation_withdraws_a_pending_cancellation(sample_db, clerk, supervisor, clock, monkeypatch):
    view = signed_contract(sample_db, clerk, supervisor, clock, "wuhan")
    pending = cc.apply_cancellation(sample_db, clerk, view.id, applicant_key="buyer:0", reason="协商解除")
    buyer_id = _buyer_id(sample_db, view.id)
    cc.send_revocation_code(sample_db, clerk, contract_number=view.number, id_number=buyer_id)
    cc.revoke_by_code(sample_db, clerk, contract_number=view.number, id_number=buyer_id,
                      code=latest_code(sample_db, BUYER_PHONE), reason="不买了")
    states = {h.kind: h.state for h in cc.cancellations_of(sample_db, clerk, view.id)}
    assert states == {"unfiled": "withdrawn", "revocation": "done"}
    assert [h.id for h in cc.cancellations_of(sample_db, clerk, view.id)][1] == pending.id


# ---------------------------------------------------------------- permissions


def test_permissions(sample_db, clerk, supervisor, clock, monkeypatch):
    view = draft_contract(sample_db, clerk, "zhongshan")
    for fn, kwargs in (
        (cc.apply_cancellation, {"contract_id": view.id, "applicant_key": "seller:0", "reason": "x"}),
        (cc.apply_filed_cancellation, {"contract_id": view.id, "kind": "cancel_filing", "applicant_key": "seller:0",
                                       "reason": "x"}),
        (cc.cancellations_of, {"contract_id": view.id}),
        (cc.send_revocation_code, {"contract_number": view.number, "id_number": "x"}),
        (cc.withdraw_cancellation, {"cancellation_id": 1, "reason": "x"}),
        (cc.review_queue, {}),
    ):
        _refused("AUTH_REQUIRED", fn, sample_db, None, **kwargs)
    _refused("ROLE_FORBIDDEN", cc.review_queue, sample_db, clerk)
    _refused("ROLE_FORBIDDEN", cc.review_cancellation, sample_db, clerk, 1, approved=True)
    assert _contract(sample_db, view.id).status == "draft"
