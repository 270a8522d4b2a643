"""Cancellation at the counter: parties confirm in person or by notarised proxy (seed 002 §四),
or one party applies alone with a legal document in force (seed 001 §8)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import RuleViolation
from core.resale import counter_cancellation as rules
from services import audit
from services.resale import cancel as cc
from storage.models import AuditEntry, CancellationMaterial, Contract, ContractCancellation
from tests.conftest import SYSTEM
from tests.contract_fixtures import clerk, clock, supervisor  # noqa: F401 (fixtures)
from tests.contract_support import filed_contract


def _refused(code: str, fn, /, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value
    return err.value


def _materials(db, cancellation_id):
    with db.read() as s:
        return [(m.party_key, m.kind, m.reference, m.minor_materials) for m in s.execute(
            select(CancellationMaterial).where(CancellationMaterial.cancellation_id == cancellation_id)
            .order_by(CancellationMaterial.id)).scalars()]


# ---------------------------------------------------------------- the rules


def test_a_proxy_must_be_authorised_for_the_cancellation_and_a_minor_brings_the_parents():
    _refused("CANCEL_PROXY_SCOPE", rules.refuse_counter_confirmation, rules.CounterPresence.PROXY,
             minor=False, minor_materials=False, names_cancellation=False)
    error = _refused("CANCEL_MINOR_MATERIALS", rules.refuse_counter_confirmation, rules.CounterPresence.IN_PERSON,
                     minor=True, minor_materials=False, names_cancellation=False)
    assert "父母双方到场" in error.message and "未成年人保证书" in error.message
    rules.refuse_counter_confirmation(rules.CounterPresence.IN_PERSON, minor=True, minor_materials=True,
                                      names_cancellation=False)
    rules.refuse_counter_confirmation(rules.CounterPresence.PROXY, minor=False, minor_materials=False,
                                      names_cancellation=True)


@pytest.mark.parametrize(("kind", "number", "issuer", "code"), [
    ("verdict", "(2026)粤0304民初1234号", "深圳市福田区人民法院", "CANCEL_DOCUMENT_KIND"),
    ("judgment", "", "深圳市福田区人民法院", "CANCEL_DOCUMENT_NUMBER"),
    ("judgment", "[/x]😀", "深圳市福田区人民法院", "CANCEL_DOCUMENT_NUMBER"),
    ("judgment", "(2026)粤0304民初1234号", "法", "CANCEL_DOCUMENT_ISSUER"),
    ("judgment", "1" * 10_000, "深圳市福田区人民法院", "CANCEL_DOCUMENT_NUMBER"),
])
def test_a_legal_document_is_checked_part_by_part(kind, number, issuer, code):
    _refused(code, rules.legal_document, kind, number, issuer)


# ---------------------------------------------------------------- 中山: in person at the counter


def test_zhongshan_parties_confirm_in_person_or_by_notarised_proxy(sample_db, clerk, supervisor, clock):  # noqa: F811
    view = filed_contract(sample_db, clerk, supervisor, clock, "zhongshan")
    pending = cc.apply_filed_cancellation(sample_db, clerk, view.id, kind="cancel_signing", applicant_key="seller:0",
                                          reason="买卖双方协商一致解除合同")
    assert [c.key for c in pending.confirmers] == ["seller:0", "buyer:0"]
    half = cc.confirm_at_counter(sample_db, clerk, pending.id, "seller:0", presence="in_person")
    assert half.state == "confirming" and [c.key for c in half.waiting_for] == ["buyer:0"]
    _refused("CANCEL_ALREADY_CONFIRMED", cc.confirm_at_counter, sample_db, clerk, pending.id, "seller:0",
             presence="in_person")
    _refused("CANCEL_PROXY_SCOPE", cc.confirm_at_counter, sample_db, clerk, pending.id, "buyer:0",
             presence="proxy", proxy_certificate="(2026)粤中中山证字第88号")
    _refused("CANCEL_PROXY_CERTIFICATE", cc.confirm_at_counter, sample_db, clerk, pending.id, "buyer:0",
             presence="proxy", proxy_certificate="  ", names_cancellation=True)
    _refused("CANCEL_PRESENCE", cc.confirm_at_counter, sample_db, clerk, pending.id, "buyer:0", presence="phone")
    review = cc.confirm_at_counter(sample_db, clerk, pending.id, "buyer:0", presence="proxy",
                                   proxy_certificate="(2026)粤中中山证字第88号", names_cancellation=True)
    assert review.state == "review" and review.waiting_for == ()
    assert _materials(sample_db, pending.id) == [("seller:0", "in_person", None, False),
                                                 ("buyer:0", "proxy", "(2026)粤中中山证字第88号", False)]
    done = cc.review_cancellation(sample_db, supervisor, pending.id, approved=True, note="双方到场，材料齐全")
    assert done.state == "done"
    with sample_db.read() as s:
        assert s.get(Contract, view.id).status == "cancelled"
        actions = s.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("cancellation_counter") == 2 and audit.verify(sample_db, SYSTEM).intact


# ---------------------------------------------------------------- 深圳: one party with a legal document


def test_one_party_with_a_legal_document_goes_to_review_alone(sample_db, clerk, supervisor, clock):  # noqa: F811
    view = filed_contract(sample_db, clerk, supervisor, clock, "shenzhen")
    document = rules.legal_document("judgment", "(2026)粤0304民初1234号", "深圳市福田区人民法院")
    pending = cc.apply_filed_cancellation(sample_db, clerk, view.id, kind="cancel_signing", applicant_key="buyer:0",
                                          reason="法院判决解除合同", document=document)
    assert pending.state == "review" and [c.key for c in pending.confirmers] == ["buyer:0"]
    assert [r.id for r in cc.review_queue(sample_db, supervisor)] == [pending.id]
    assert _materials(sample_db, pending.id) == [
        (None, "legal_document", "深圳市福田区人民法院民事判决书(2026)粤0304民初1234号", False),
        ("buyer:0", "in_person", None, False)]
    with sample_db.read() as s:
        assert s.get(ContractCancellation, pending.id).rule == "FILED_CANCEL_SIGNING_BY_DOCUMENT"
    done = cc.review_cancellation(sample_db, supervisor, pending.id, approved=True)
    assert done.state == "done"
    with sample_db.read() as s:
        assert s.get(Contract, view.id).status == "cancelled"

