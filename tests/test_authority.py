"""Every action is checked against the operator's account as it is now, and nobody
decides a request they filed (four eyes)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.roles import SESSION_ENDING_CODES, Role, require_other_person
from services import lookup, operators
from services.allocation import rounds
from services.resale import cancel as cc
from services.resale import signing
from storage.models import AuditEntry, BuyerQualification
from tests.conftest import SYSTEM, make_operator
from tests.contract_fixtures import clerk, clock, supervisor  # noqa: F401 (fixtures)
from tests.contract_support import _phone_of, draft_contract, latest_code, signed_contract, submit_for_review


def _refused(code: str, fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value
    return err.value


def _audit_rows(db) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_a_disabled_operator_is_refused_at_the_next_action(db):
    clerk_a = make_operator(db, "clerk_x", Role.CLERK)
    boss = make_operator(db, "super_x", Role.SUPERVISOR)
    assert lookup.search_applicants(db, clerk_a, "张") == []  # works while the account is active
    operators.set_active(db, SYSTEM, "clerk_x", False)
    operators.set_active(db, SYSTEM, "super_x", False)
    before = _audit_rows(db)
    error = _refused("ACCOUNT_DISABLED", lookup.search_applicants, db, clerk_a, "张")
    assert error.code in SESSION_ENDING_CODES and "停用" in error.message
    _refused("ACCOUNT_DISABLED", rounds.rounds_list, db, boss)
    _refused("ACCOUNT_DISABLED", rounds.rounds_list, db, boss)
    assert _audit_rows(db) == before  # nothing written
    operators.set_active(db, SYSTEM, "clerk_x", True)
    assert lookup.search_applicants(db, clerk_a, "张") == []


def test_a_locked_removed_or_re_roled_account_ends_the_session(db):
    boss = make_operator(db, "super_y", Role.SUPERVISOR)
    operators.set_role(db, SYSTEM, "super_y", "clerk")
    error = _refused("ACCOUNT_ROLE_CHANGED", rounds.rounds_list, db, boss)
    assert "窗口受理员" in error.message and error.code in SESSION_ENDING_CODES
    operators.set_role(db, SYSTEM, "super_y", "supervisor")
    assert rounds.rounds_list(db, boss) == []
    for _ in range(operators.MAX_FAILED_LOGINS):
        with pytest.raises(RuleViolation):
            operators.login(db, "super_y", "wrong-password-1")
    _refused("ACCOUNT_LOCKED", rounds.rounds_list, db, boss)
    ghost = boss.__class__(99999, "ghost", "幽灵", Role.SUPERVISOR)
    _refused("ACCOUNT_GONE", rounds.rounds_list, db, ghost)
    _refused("OPERATOR_BAD_ROLE", operators.set_role, db, SYSTEM, "super_y", "boss")
    _refused("ROLE_FORBIDDEN", operators.set_role, db, boss, "super_y", "admin")


def test_the_shell_is_checked_by_role_only(db):
    assert operators.list_operators(db, SYSTEM) == []


def test_no_supervisor_decides_what_they_filed(sample_db, clerk, supervisor, clock):  # noqa: F811
    other = make_operator(sample_db, "super_o", Role.SUPERVISOR)
    # qualification: the supervisor requests it at the counter, another decides
    view = draft_contract(sample_db, clerk)
    signing.request_qualification(sample_db, supervisor, view.id)
    _refused("QUALIFICATION_OWN_REQUEST", signing.decide_qualification, sample_db, supervisor, view.id, approved=True)
    with sample_db.read() as s:
        assert s.execute(select(BuyerQualification.state).where(BuyerQualification.contract_id == view.id)
                         ).scalar_one() == "requested"
    assert signing.decide_qualification(sample_db, other, view.id, approved=True).qualification == "approved"
    # filing: only the clerk holding the signing stage submits (the case engine), and the rule
    # stands behind it should that ever change
    error = _refused("FILING_OWN_SUBMISSION", require_other_person, other, other.operator_id,
                     "FILING_OWN_SUBMISSION", "本人提交的备案")
    assert error.message == "本人提交的备案须由另一位审核主管审核，不能审核本人提交的申请。"
    signed = signed_contract(sample_db, clerk, other, clock, "shenzhen")
    submit_for_review(sample_db, clerk, signed)
    filed = signing.approve_filing(sample_db, other, signed.id)
    assert filed.status == "filed"
    # cancellation review: an administrator (who may both accept and review) applies; another reviews
    admin = make_operator(sample_db, "admin_o", Role.ADMIN)
    view = cc.apply_filed_cancellation(sample_db, admin, filed.id, kind="cancel_signing",
                                       applicant_key="buyer:0", reason="协商解除")
    for party in view.confirmers:
        cc.send_cancellation_code(sample_db, admin, view.id, party.key)
        view = cc.confirm_cancellation(sample_db, admin, view.id, party.key,
                                       latest_code(sample_db, _phone_of(sample_db, filed.id, party.key)))
        clock.advance(seconds=61)
    _refused("CANCEL_OWN_REQUEST", cc.review_cancellation, sample_db, admin, view.id, approved=True)
    assert cc.review_cancellation(sample_db, other, view.id, approved=True).state == "done"
