"""Operators: accounts, argon2id, lock-out, role checks — on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import RuleViolation
from core.roles import Role
from services import operators
from storage.models import AuditEntry, Operator
from tests.conftest import SYSTEM, make_operator


def test_added_operator_can_log_in_and_hash_is_argon2id(db):
    make_operator(db, "li", Role.CLERK, password="Secret123", window="07")
    actor = operators.login(db, "li", "Secret123")
    assert (actor.username, actor.role, actor.window) == ("li", Role.CLERK, "07")
    with db.read() as s:
        op = s.execute(select(Operator).where(Operator.username == "li")).scalar_one()
    assert op.password_hash.startswith("$argon2id$")
    assert "Secret123" not in op.password_hash


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"username": "A B", "name": "甲", "role": "clerk", "password": "Secret123"}, "OPERATOR_BAD_USERNAME"),
        ({"username": "ab", "name": " ", "role": "clerk", "password": "Secret123"}, "OPERATOR_NAME_REQUIRED"),
        ({"username": "ab", "name": "甲", "role": "boss", "password": "Secret123"}, "OPERATOR_BAD_ROLE"),
        ({"username": "ab", "name": "甲", "role": "clerk", "password": "short1"}, "PASSWORD_TOO_SHORT"),
        ({"username": "ab", "name": "甲", "role": "clerk", "password": "onlyletters"}, "PASSWORD_TOO_SIMPLE"),
    ],
)
def test_bad_operator_input_is_refused_and_writes_nothing(db, kwargs, code):
    with pytest.raises(RuleViolation) as err:
        operators.add_operator(db, SYSTEM, **kwargs)
    assert err.value.code == code
    with db.read() as s:
        assert s.execute(select(Operator)).first() is None
        assert s.execute(select(AuditEntry)).first() is None


def test_duplicate_username_refused(db):
    make_operator(db, "li", Role.CLERK)
    with pytest.raises(RuleViolation) as err:
        make_operator(db, "li", Role.SUPERVISOR)
    assert err.value.code == "OPERATOR_EXISTS"


def test_five_failed_logins_lock_until_admin_unlocks(db):
    make_operator(db, "li", Role.CLERK, password="Secret123")
    for attempt in range(1, 5):
        with pytest.raises(RuleViolation) as err:
            operators.login(db, "li", "wrong-pass1")
        # the same sentence as for an unknown user: nothing tells which names exist
        assert (err.value.code, err.value.message) == ("LOGIN_FAILED", "用户名或密码错误。")
    with pytest.raises(RuleViolation) as err:
        operators.login(db, "li", "wrong-pass1")
    assert err.value.code == "LOGIN_LOCKED"
    # Even the right password is refused now.
    with pytest.raises(RuleViolation) as err:
        operators.login(db, "li", "Secret123")
    assert err.value.code == "LOGIN_LOCKED"
    operators.unlock(db, SYSTEM, "li")
    assert operators.login(db, "li", "Secret123").username == "li"
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert actions.count("login_failed") == 4
    assert "account_locked" in actions and "operator_unlock" in actions and actions[-1] == "login"


def test_screen_unlock_is_audited_apart_from_login(db):
    make_operator(db, "li", Role.CLERK, password="Secret123")
    operators.login(db, "li", "Secret123", purpose="unlock")
    with pytest.raises(RuleViolation):
        operators.login(db, "li", "bad-pass1", purpose="unlock")
    with db.read() as s:
        rows = s.execute(select(AuditEntry.action, Operator.failed_logins).join(Operator, Operator.username == "li")
                         .order_by(AuditEntry.seq)).all()
    assert [a for a, _ in rows][-2:] == ["screen_unlock", "login_failed"]
    assert rows[-1][1] == 1  # a wrong password at the lock screen counts towards the lock-out


def test_success_resets_failure_count(db):
    make_operator(db, "li", Role.CLERK, password="Secret123")
    for _ in range(4):
        with pytest.raises(RuleViolation):
            operators.login(db, "li", "nope12345")
    operators.login(db, "li", "Secret123")
    for _ in range(4):
        with pytest.raises(RuleViolation) as err:
            operators.login(db, "li", "nope12345")
        assert err.value.code == "LOGIN_FAILED"


def test_unknown_user_and_disabled_user(db):
    with pytest.raises(RuleViolation) as err:
        operators.login(db, "ghost", "Secret123")
    assert (err.value.code, err.value.message) == ("LOGIN_FAILED", "用户名或密码错误。")
    make_operator(db, "li", Role.CLERK, password="Secret123")
    operators.set_active(db, SYSTEM, "li", False)
    with pytest.raises(RuleViolation) as err:
        operators.login(db, "li", "Secret123")
    assert err.value.code == "LOGIN_DISABLED"


def test_roles_are_checked(db):
    clerk = make_operator(db, "li", Role.CLERK)
    supervisor = make_operator(db, "wang", Role.SUPERVISOR)
    for actor in (clerk, supervisor):
        with pytest.raises(RuleViolation) as err:
            operators.add_operator(db, actor, username="x1", name="某", role="clerk", password="Secret123")
        assert err.value.code == "ROLE_FORBIDDEN"
        assert "无权管理操作员" in err.value.message
    with pytest.raises(RuleViolation):
        operators.unlock(db, clerk, "wang")
    # but anyone may change their own password
    operators.change_password(db, clerk, "li", "NewSecret9")
    assert operators.login(db, "li", "NewSecret9")
    with pytest.raises(RuleViolation) as err:
        operators.change_password(db, clerk, "wang", "NewSecret9")
    assert err.value.code == "ROLE_FORBIDDEN"


def test_list_operators(db):
    make_operator(db, "li", Role.CLERK, window="03")
    make_operator(db, "wang", Role.SUPERVISOR)
    views = operators.list_operators(db, SYSTEM)
    assert [(v.username, v.role_label) for v in views] == [("li", "窗口受理员"), ("wang", "审核主管")]


def test_the_product_hashes_passwords_with_argon2id_at_owasp_cost() -> None:
    """The suite hashes test accounts cheaply (tests/conftest.py); the product does not."""
    from argon2 import Type

    from tests.conftest import PRODUCT_HASHER

    assert PRODUCT_HASHER.type is Type.ID
    assert PRODUCT_HASHER.memory_cost >= 19 * 1024 and PRODUCT_HASHER.time_cost >= 2  # OWASP's minimum
    assert PRODUCT_HASHER.hash("Passw0rd1").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


# ---------------------------------------------------------------- reviewers and the last administrator


def test_a_fund_centres_reviewer_is_bound_to_its_centre(db):
    centre = "长沙住房公积金管理中心"
    with pytest.raises(RuleViolation) as err:
        operators.add_operator(db, SYSTEM, username="gjj", name="罗静", role="centre_reviewer", password="Secret123")
    assert (err.value.code, err.value.message) == ("OPERATOR_BANK_REQUIRED", "公积金中心审核员须填写所属公积金中心。")
    with pytest.raises(RuleViolation) as err:
        operators.add_operator(db, SYSTEM, username="gjj", name="罗静", role="centre_reviewer", password="Secret123",
                               bank="长沙\x1b[31m中心")
    assert err.value.code == "TEXT_BAD_CHARACTERS"
    view = operators.add_operator(db, SYSTEM, username="gjj", name="罗静", role="centre_reviewer",
                                  password="Secret123", bank=f" {centre} ")
    assert (view.role, view.bank_name, view.role_label) == (Role.FUND_CENTRE_REVIEWER, centre, "公积金中心审核员")
    # a bank's reviewer and a centre's keep their kind
    with pytest.raises(RuleViolation) as err:
        operators.set_role(db, SYSTEM, "gjj", "bank_reviewer")
    assert err.value.code == "OPERATOR_ROLE_SCOPE"
    with pytest.raises(RuleViolation) as err:
        operators.add_operator(db, SYSTEM, username="li", name="李四", role="clerk", password="Secret123", bank=centre)
    assert err.value.code == "OPERATOR_BANK_NOT_BANK_ROLE"


def test_the_last_active_administrator_is_neither_disabled_nor_re_roled(db):
    make_operator(db, "boss", Role.ADMIN)
    for call, args in ((operators.set_active, ("boss", False)), (operators.set_role, ("boss", "supervisor"))):
        with pytest.raises(RuleViolation) as err:
            call(db, SYSTEM, *args)
        assert (err.value.code, err.value.message) == (
            "OPERATOR_LAST_ADMIN", "“boss”是大厅唯一在用的系统管理员，不能停用或变更其角色，请先新增另一位系统管理员。")
    second = make_operator(db, "boss2", Role.ADMIN)
    operators.set_active(db, second, "boss", False)  # another active administrator remains: boss2
    with pytest.raises(RuleViolation) as err:
        operators.set_role(db, SYSTEM, "boss2", "clerk")
    assert err.value.code == "OPERATOR_LAST_ADMIN"
    operators.set_active(db, SYSTEM, "boss", True)
    assert operators.set_role(db, SYSTEM, "boss2", "clerk").role is Role.CLERK


def test_an_administrators_acts_are_authorised_against_their_account_now(db):
    boss = make_operator(db, "boss", Role.ADMIN)
    make_operator(db, "boss2", Role.ADMIN)
    operators.add_operator(db, boss, username="li", name="李四", role="clerk", password="Secret123", window="07")
    with db.read() as s:
        assert s.execute(select(AuditEntry.operator).where(AuditEntry.action == "operator_add")
                         .order_by(AuditEntry.seq.desc()).limit(1)).scalar_one() == "boss"
    operators.set_active(db, SYSTEM, "boss", False)
    for call, args, kwargs in (
            (operators.add_operator, (), dict(username="wang", name="王五", role="clerk", password="Secret123")),
            (operators.set_active, ("li", False), {}), (operators.unlock, ("li",), {}),
            (operators.set_role, ("li", "supervisor"), {}), (operators.change_password, ("li", "Secret456"), {})):
        with pytest.raises(RuleViolation) as err:
            call(db, boss, *args, **kwargs)
        assert err.value.code == "ACCOUNT_DISABLED", call.__name__
    with db.read() as s:
        assert s.execute(select(Operator).where(Operator.username == "wang")).first() is None
