"""Resale contracts: drafts, the 24-hour sweep, qualification, dual SMS signing,
filing, change — on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.resale.contracts import DraftInvalid
from core.errors import RuleViolation
from core.roles import Role
from services.resale import signing
from services.resale import contracts as svc
from storage.models import (
    AuditEntry,
    Case,
    Contract,
    ContractChange,
    ContractParty,
    ContractVersion,
    Home,
    SmsMessage,
)
from tests.conftest import make_operator
from tests.contract_fixtures import clerk, clock, supervisor  # noqa: F401 (fixtures)
from tests.contract_support import (
    buyer,
    confirm_all,
    draft_contract,
    filed_contract,
    filled_form,
    latest_code,
    passed_check,
    qualify,
    signed_contract,
    submit_for_review,
)


def _count(db, model, *where):
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _audit_actions(db, case_number):
    with db.read() as s:
        return list(s.execute(select(AuditEntry.action).where(AuditEntry.case_number == case_number)
                              .order_by(AuditEntry.seq)).scalars())


# ---------------------------------------------------------------- drafts


def test_form_reads_sellers_from_the_register_and_house_facts(sample_db, clerk, clock, monkeypatch):
    check = passed_check(sample_db, clerk)
    new = svc.new_contract_form(sample_db, clerk, check.id)
    assert new.form.house_id == check.house_code and new.house_code == check.house_code
    assert len(new.form.sellers) == 1 and new.form.sellers[0].registered_share == Decimal("100.00")
    assert new.house["location"] and new.house["floor_area"]
    assert new.qualification_required  # Shenzhen, residential


def test_invalid_form_writes_nothing(sample_db, clerk, clock, monkeypatch):
    check = passed_check(sample_db, clerk)
    new = svc.new_contract_form(sample_db, clerk, check.id)
    bad = filled_form(new, price="-5", buyers=(replace(buyer(), phone="12345"),), fund_supervised=None)
    before = (_count(sample_db, Contract), _count(sample_db, Case, Case.type_code == "resale_signing"))  # the demo's
    with pytest.raises(DraftInvalid) as e:
        svc.create_draft(sample_db, clerk, check.id, bad)
    fields = {err.field for err in e.value.errors}
    assert {"price", "buyers[0].phone", "fund_supervised"} <= fields
    assert (_count(sample_db, Contract), _count(sample_db, Case, Case.type_code == "resale_signing")) == before


def test_create_draft_stores_contract_case_parties_and_audit(sample_db, clerk, clock, monkeypatch):
    view = draft_contract(sample_db, clerk)
    assert view.status == "draft" and view.status_label == "草稿" and view.version == 1
    assert view.number.startswith("SHT") and view.case_number.startswith("F")
    assert view.case_stage == "entry" and view.profile_ref == "shenzhen/1"
    assert [p.key for p in view.parties] == ["seller:0", "buyer:0"]
    assert "*" in view.parties[1].masked_id and "*" in view.parties[1].masked_phone
    assert view.expires_at == view.created_at + timedelta(hours=24)
    assert view.items["price"] == "2,350,000.00元（贰佰叁拾伍万元整）"
    with sample_db.read() as s:
        assert s.get(Home, view.home_id).in_transaction
        assert s.execute(select(func.count()).select_from(ContractVersion)
                         .where(ContractVersion.contract_id == view.id)).scalar_one() == 1
    assert _audit_actions(sample_db, view.case_number)[:2] == ["case_accept", "contract_create"]


def test_second_contract_for_one_home_is_refused(sample_db, clerk, clock, monkeypatch):
    view = draft_contract(sample_db, clerk)
    with sample_db.read() as s:
        home = s.get(Home, view.home_id)
    # a new check of the same home now fails (the home is in a transaction)
    from services.resale import house_check as hc

    with sample_db.read() as s:
        owner = s.execute(select(ContractParty.person_id).where(ContractParty.contract_id == view.id,
                                                                ContractParty.party_key == "seller:0")).scalar_one()
    again = hc.run_house_check(sample_db, clerk, city="shenzhen", home_id=home.id,
                               party=hc.Counterparty(owner, identity_verified=True))
    assert not again.passed and "HOUSE_NOT_IN_TRANSACTION" in [ln.code for ln in again.failures]
    # and an earlier passed check cannot be reused for a second contract
    check_id = _check_id(sample_db, view.id)
    with pytest.raises(RuleViolation) as e:
        svc.new_contract_form(sample_db, clerk, check_id)
    assert e.value.code == "CONTRACT_HOUSE_TAKEN" and view.number in e.value.message


def _check_id(db, contract_id):
    with db.read() as s:
        return s.get(Contract, contract_id).house_check_id


def test_two_terminals_racing_for_one_home_make_one_contract(sample_db, clerk, clock, monkeypatch):
    check = passed_check(sample_db, clerk)
    new = svc.new_contract_form(sample_db, clerk, check.id)
    other = make_operator(sample_db, "clerk_u", Role.CLERK)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def attempt(actor):
        barrier.wait()
        try:
            results.append(svc.create_draft(sample_db, actor, check.id, filled_form(new)))
        except RuleViolation as error:
            results.append(error)

    threads = [threading.Thread(target=attempt, args=(a,)) for a in (clerk, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    made = [r for r in results if isinstance(r, svc.ContractView)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(made) == 1 and len(refused) == 1 and refused[0].code == "CONTRACT_HOUSE_TAKEN"
    assert _count(sample_db, Contract, Contract.home_id == made[0].home_id) == 1


def test_update_draft_makes_a_version_and_voids_codes(sample_db, clerk, clock, monkeypatch):
    view = draft_contract(sample_db, clerk, city="zhongshan")
    assert {p.side_label for p in view.parties} == {"转让方", "受让方"}  # seed 002's words for the parties
    signing.send_signing_code(sample_db, clerk, view.id, "buyer:0", expected_version=1)
    code = latest_code(sample_db, "13912345678")
    form = replace(_form_of(view), price=Decimal(2400000))
    updated = svc.update_draft(sample_db, clerk, view.id, form, expected_version=1)
    assert updated.version == 2 and updated.digest != view.digest
    with pytest.raises(RuleViolation) as e:
        signing.verify_signing_code(sample_db, clerk, view.id, "buyer:0", code, expected_version=1)
    assert e.value.code == "CONTRACT_VERSION_STALE"
    with pytest.raises(RuleViolation) as e:
        signing.verify_signing_code(sample_db, clerk, view.id, "buyer:0", code, expected_version=2)
    assert e.value.code == "CODE_VERSION_CHANGED"
    with pytest.raises(RuleViolation) as e:  # an old screen saving over the new version
        svc.update_draft(sample_db, clerk, view.id, form, expected_version=1)
    assert e.value.code == "CONTRACT_VERSION_STALE"


def _form_of(view):
    from core.resale.contract_record import to_form

    return to_form(view.draft)


# ---------------------------------------------------------------- the 24-hour sweep


def test_sweep_deletes_drafts_older_than_24_hours_and_audits(sample_db, clerk, clock, monkeypatch):
    old = draft_contract(sample_db, clerk, city="zhongshan")
    clock.advance(hours=20)
    young = draft_contract(sample_db, clerk, city="zhongshan")
    clock.advance(hours=4)
    with pytest.raises(RuleViolation) as e:  # not yet swept, but no longer submittable
        signing.submit_signing(sample_db, clerk, old.id, expected_version=1)
    assert e.value.code == "CONTRACT_DRAFT_EXPIRY" and "24小时" in e.value.message
    swept = svc.sweep_expired_drafts(sample_db)
    assert old.number in swept and young.number not in swept  # (the demo's own draft, made at 08:00, goes too)
    assert _count(sample_db, Contract, Contract.id == old.id) == 0
    assert _count(sample_db, ContractParty, ContractParty.contract_id == old.id) == 0
    assert _count(sample_db, Contract, Contract.id == young.id) == 1
    with sample_db.read() as s:
        case = s.execute(select(Case).where(Case.number == old.case_number)).scalar_one()
        assert case.status == "cancelled"
        assert not s.get(Home, old.home_id).in_transaction
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "contract_draft_expired",
                                                   AuditEntry.case_number == old.case_number)).scalar_one()
        assert entry.operator == "system:draft-sweep" and entry.case_number == old.case_number
    assert svc.sweep_expired_drafts(sample_db) == []  # idempotent
    with pytest.raises(RuleViolation) as e:
        svc.get_contract(sample_db, clerk, old.id)
    assert e.value.code == "CONTRACT_NOT_FOUND"


# ---------------------------------------------------------------- qualification


def test_shenzhen_needs_qualification_before_signing(sample_db, clerk, supervisor, clock, monkeypatch):
    view = draft_contract(sample_db, clerk)
    assert view.qualification_required and view.qualification_label == "未申请"
    with pytest.raises(RuleViolation) as e:
        signing.send_signing_code(sample_db, clerk, view.id, "buyer:0", expected_version=1)
    assert e.value.code == "CONTRACT_BUYER_QUALIFICATION"
    signing.request_qualification(sample_db, clerk, view.id)
    with pytest.raises(RuleViolation) as e:
        signing.submit_signing(sample_db, clerk, view.id, expected_version=1)
    assert e.value.code == "QUALIFICATION_PENDING"
    with pytest.raises(RuleViolation) as e:
        signing.decide_qualification(sample_db, clerk, view.id, approved=True)
    assert e.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(RuleViolation) as e:
        signing.decide_qualification(sample_db, supervisor, view.id, approved=False)
    assert e.value.code == "QUALIFICATION_REASON_REQUIRED"
    before = _count(sample_db, SmsMessage)
    refused = signing.decide_qualification(sample_db, supervisor, view.id, approved=False, reason="名下已有两套住房")
    assert refused.qualification == "refused" and refused.qualification_label == "审查不通过"
    assert _count(sample_db, SmsMessage) == before + 2  # seller and buyer both told
    with sample_db.read() as s:
        texts = list(s.execute(select(SmsMessage.text).order_by(SmsMessage.id.desc()).limit(2)).scalars())
    assert all("名下已有两套住房" in t for t in texts)
    with pytest.raises(RuleViolation) as e:
        signing.send_signing_code(sample_db, clerk, view.id, "buyer:0", expected_version=1)
    assert e.value.code == "QUALIFICATION_REFUSED"


def test_qualification_by_city(sample_db, clerk, clock, monkeypatch):
    zs = draft_contract(sample_db, clerk, city="zhongshan")
    assert not zs.qualification_required and zs.qualification_label == "无须审查"
    with pytest.raises(RuleViolation) as e:
        signing.request_qualification(sample_db, clerk, zs.id)
    assert e.value.code == "QUALIFICATION_NOT_REQUIRED"
    check = passed_check(sample_db, clerk, "wuhan", restriction="restricted")
    assert svc.new_contract_form(sample_db, clerk, check.id).qualification_required
    check = passed_check(sample_db, clerk, "wuhan", restriction="not_restricted",
                         exclude={check.home_id})
    assert not svc.new_contract_form(sample_db, clerk, check.id).qualification_required


# ---------------------------------------------------------------- signing


def test_dual_codes_then_submit_freezes_the_contract(sample_db, clerk, supervisor, clock, monkeypatch):
    view = draft_contract(sample_db, clerk)
    qualify(sample_db, clerk, supervisor, view)
    signing.send_signing_code(sample_db, clerk, view.id, "buyer:0", expected_version=1)
    with sample_db.read() as s:
        text = s.execute(select(SmsMessage.text).order_by(SmsMessage.id.desc()).limit(1)).scalar_one()
    assert view.location in text and "2,350,000.00元" in text and view.number in text
    signing.verify_signing_code(sample_db, clerk, view.id, "buyer:0", latest_code(sample_db, "13912345678"),
                                expected_version=1)
    status = {p.key: p.verified for p in signing.signing_status(sample_db, clerk, view.id)}
    assert status == {"seller:0": False, "buyer:0": True}
    with pytest.raises(RuleViolation) as e:
        signing.submit_signing(sample_db, clerk, view.id, expected_version=1)
    assert e.value.code == "SIGNING_NOT_ALL_VERIFIED" and "出卖人" in e.value.message
    clock.advance(seconds=61)
    confirm_all(sample_db, clerk, svc.get_contract(sample_db, clerk, view.id), clock)
    signed = signing.submit_signing(sample_db, clerk, view.id, expected_version=1)
    assert signed.status == "signed" and signed.status_label == "已签约" and signed.signed_at == clock.now
    assert signed.case_stage == "signing"
    with pytest.raises(RuleViolation) as e:
        svc.update_draft(sample_db, clerk, view.id, _form_of(signed), expected_version=1)
    assert e.value.code == "CONTRACT_NOT_DRAFT"
    with pytest.raises(RuleViolation) as e:
        signing.submit_signing(sample_db, clerk, view.id, expected_version=1)
    assert e.value.code == "SIGNING_NOT_DRAFT"
    assert "contract_sign" in _audit_actions(sample_db, view.case_number)


def test_wrong_code_counts_and_is_refused(sample_db, clerk, clock, monkeypatch):
    view = draft_contract(sample_db, clerk, city="zhongshan")
    signing.send_signing_code(sample_db, clerk, view.id, "buyer:0", expected_version=1)
    good = latest_code(sample_db, "13912345678")
    wrong = "000000" if good != "000000" else "111111"
    with pytest.raises(RuleViolation) as e:
        signing.verify_signing_code(sample_db, clerk, view.id, "buyer:0", wrong, expected_version=1)
    assert e.value.code == "CODE_WRONG"
    signing.verify_signing_code(sample_db, clerk, view.id, "buyer:0", good, expected_version=1)
    with pytest.raises(RuleViolation) as e:  # single use
        signing.verify_signing_code(sample_db, clerk, view.id, "buyer:0", good, expected_version=1)
    assert e.value.code == "CODE_ALREADY_USED"


# ---------------------------------------------------------------- change


def test_change_records_non_key_items_and_refuses_key_ones(sample_db, clerk, supervisor, clock, monkeypatch):
    view = signed_contract(sample_db, clerk, supervisor, clock, city="zhongshan")
    assert view.status == "filed" and view.filing_number  # 中山: signed is filed (seed 002 三(六))
    form = _form_of(view)
    changed = svc.change_contract(
        sample_db, clerk, view.id,
        replace(form, price=Decimal(2300000), buyers=(replace(form.buyers[0], phone="13600001111"),)),
        expected_version=view.version, reason="双方协商降价")
    labels = {c.label: (c.before, c.after) for c in changed}
    assert labels["成交价格"][0].startswith("2,350,000.00元") and labels["成交价格"][1].startswith("2,300,000.00元")
    assert labels["买受人1 联系电话"] == ("139****5678", "136****1111")
    after = svc.get_contract(sample_db, clerk, view.id)
    assert after.version == view.version + 1 and after.status == "filed"  # seed 002 三(七): changed after filing
    assert sorted(c.item_label for c in after.changes) == ["买受人1 联系电话", "成交价格"]
    assert all(c.operator_id == clerk.operator_id and c.reason == "双方协商降价" for c in after.changes)
    rows = _count(sample_db, ContractChange)
    renamed = replace(_form_of(after), buyers=(replace(_form_of(after).buyers[0], name="王另一人"),))
    with pytest.raises(RuleViolation) as e:
        svc.change_contract(sample_db, clerk, view.id, renamed, expected_version=after.version)
    assert e.value.code == "CHANGE_KEY_ITEM" and "注销网签后重新签订" in e.value.message
    other_id = replace(_form_of(after), buyers=(buyer(seed=11),))
    with pytest.raises(RuleViolation) as e:
        svc.change_contract(sample_db, clerk, view.id, other_id, expected_version=after.version)
    assert e.value.code == "CHANGE_KEY_ITEM" and "证件号码" in e.value.message
    assert _count(sample_db, ContractChange) == rows
    assert svc.get_contract(sample_db, clerk, view.id).version == after.version
    with pytest.raises(RuleViolation) as e:
        svc.change_contract(sample_db, clerk, view.id, _form_of(after), expected_version=after.version)
    assert e.value.code == "CHANGE_NOTHING"


# ---------------------------------------------------------------- filing


def test_filing_queue_approve_and_reject(sample_db, clerk, supervisor, clock, monkeypatch):
    first = signed_contract(sample_db, clerk, supervisor, clock, city="shenzhen")
    with pytest.raises(RuleViolation) as e:
        signing.approve_filing(sample_db, supervisor, first.id)
    assert e.value.code == "FILING_NOT_QUEUED"
    assert first.filing_missing == ("承诺书（已签署交回）",)
    with pytest.raises(RuleViolation) as e:  # seed 001 §5.3.4: the signed 承诺书 comes back first
        signing.submit_for_filing(sample_db, clerk, first.id)
    assert e.value.code == "FILING_UNDERTAKING_MISSING"
    submit_for_review(sample_db, clerk, first)
    queue = signing.filing_queue(sample_db, supervisor)
    assert [r.number for r in queue] == [first.number]
    with pytest.raises(RuleViolation):
        signing.filing_queue(sample_db, clerk)  # supervisors only
    rejected = signing.reject_filing(sample_db, supervisor, first.id, reason="缺少资金监管协议")
    assert rejected.status == "signed" and rejected.case_stage == "signing"
    assert signing.filing_queue(sample_db, supervisor) == []
    with sample_db.read() as s:
        case = s.execute(select(Case).where(Case.number == first.case_number)).scalar_one()
    assert case.pending_operator_id == clerk.operator_id  # back to the clerk who signed it
    signing.submit_for_filing(sample_db, clerk, first.id)  # resubmitting receives the returned case
    filed = signing.approve_filing(sample_db, supervisor, first.id)
    assert filed.status == "filed" and filed.filing_number.startswith("SB") and filed.filed_at == clock.now
    assert filed.case_status == "archived"
    with pytest.raises(RuleViolation) as e:
        svc.change_contract(sample_db, clerk, first.id, _form_of(filed), expected_version=filed.version)
    assert e.value.code == "CHANGE_FILED"


def test_filed_contract_in_each_city(sample_db, clerk, supervisor, clock, monkeypatch):
    seen = set()
    for city in ("shenzhen", "zhongshan", "wuhan"):
        filed = filed_contract(sample_db, clerk, supervisor, clock, city)
        assert filed.status == "filed" and filed.profile_ref == f"{city}/1"
        seen.add(filed.filing_number)
        clock.advance(seconds=61)
    assert len(seen) == 3
