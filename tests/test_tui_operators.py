"""操作员管理 at the terminal: the hall's administrator lists the accounts, adds one (the role
from a list; a centre's reviewer with its centre; the password twice, never shown), changes a
role, disables and enables, unlocks and resets a password — each as the logged-in
administrator (authorised, audited), typed with no pauses between keys; hostile input refused
in the field; snapshots at 80×24 and 120×40. And the fund centre's reviewer's desk."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from test_tui_support import FIXED_NOW, SIZE, burst, login, make_app, password, screen_text, settle

from core.errors import RuleViolation
from core.roles import Role
from services import operators
from storage.models import AuditEntry, Operator
from tests.conftest import SYSTEM, freeze
from tui.screens.home import HomeScreen
from tui.screens.operators import AddOperatorDialog, OperatorsScreen, PasswordDialog, RoleDialog

CENTRE = "长沙住房公积金管理中心"
NEW_PASSWORD = "Xiang2026pass"


@pytest.fixture
def op_db(sqlite_sample_db):
    freeze(sqlite_sample_db, FIXED_NOW)
    return sqlite_sample_db


def flat(text: str) -> str:
    """``text`` without spaces, line breaks and box sides: a sentence wrapped over lines reads whole."""
    return re.sub(r"[\s│╭╮╰╯─▁▂▃▄▅▆▇█]", "", text)


def said(app) -> str:  # type: ignore[no-untyped-def]
    return flat(screen_text(app))


async def keys(pilot, *pressed: str) -> None:
    """A burst: every key queued at once (as a fast typist's), then wait for the workers."""
    burst(pilot.app, pressed)
    await settle(pilot)
    await pilot.pause()
    await settle(pilot)


async def _open(pilot, user: str = "admin") -> None:
    await login(pilot, user)
    await keys(pilot, "o")
    assert isinstance(pilot.app.screen, OperatorsScreen)


async def _select(pilot, username: str) -> None:
    screen = pilot.app.screen
    table = screen.query_one("#operators-list")
    table.move_cursor(row=table.get_row_index(username))
    await settle(pilot)


def _account(db, username: str) -> Operator | None:
    with db.read() as s:
        return s.execute(select(Operator).where(Operator.username == username)).scalar_one_or_none()


def _audited(db, action: str) -> list[str]:
    """Who (the audit log's operator) did ``action``."""
    with db.read() as s:
        return list(s.execute(select(AuditEntry.operator).where(AuditEntry.action == action)).scalars())


async def test_the_admin_lists_the_halls_and_the_reviewers_accounts(op_db) -> None:
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        assert list(app.screen.views) == ["admin", "bank01", "clerk1", "clerk2", "gjj01", "super1"]
        shown = said(app)
        for text in ("操作员管理", "共6人", "gjj01罗静公积金中心审核员长沙住房公积金管", "bank01彭丽监管银行审核员中国建设银行",
                     "clerk1李晓敏窗口受理员03号窗口正常", "F2新增", "F3变更角色", "F4停用/启用"):
            assert flat(text) in shown, text
        assert "xj01" not in shown  # a developer's staff are the enterprise's administrator's


async def test_only_the_administrator_has_the_entry(op_db) -> None:
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        assert "操作员管理" not in said(app)
        await keys(pilot, "o")
        assert isinstance(app.screen, HomeScreen)


async def test_a_fund_centre_reviewer_is_added_typed_in_one_go(op_db) -> None:
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await keys(pilot, "f2", *"gjj02", "tab", *"罗敏", "tab", "down", "down", "down", "down", "tab", "tab",
                   *CENTRE, "tab", *NEW_PASSWORD, "tab", *NEW_PASSWORD, "enter")
        assert isinstance(app.screen, OperatorsScreen), said(app)
        assert flat("已新增操作员gjj02（罗敏，公积金中心审核员）。") in said(app)
        assert NEW_PASSWORD not in screen_text(app)
    op = _account(op_db, "gjj02")
    assert op is not None and (op.name, op.role, op.bank_name, op.window) == ("罗敏", "centre_reviewer", CENTRE, None)
    assert _audited(op_db, "operator_add")[-1] == "admin"  # as the logged-in administrator, not the shell
    assert operators.login(op_db, "gjj02", NEW_PASSWORD).role is Role.FUND_CENTRE_REVIEWER


async def test_the_password_is_hidden_and_must_be_typed_twice_alike(op_db) -> None:
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await keys(pilot, "f2", *"clerk3", "tab", *"赵敏", "tab", "tab", *"07", "tab", "tab", *NEW_PASSWORD, "tab",
                   *"Other2026pass", "enter")
        assert isinstance(app.screen, AddOperatorDialog)
        assert flat("两次输入的密码不一致，请重新输入。") in said(app)
        assert NEW_PASSWORD not in screen_text(app) and "Other2026pass" not in screen_text(app)
    assert _account(op_db, "clerk3") is None


@pytest.mark.parametrize(("name", "role_downs", "bank", "sentence"), [
    ("[red]张三[/red]", 0, "", "操作员姓名只能由汉字或字母组成，可含间隔号“·”、空格、连字符和撇号，请按证件核对后重新输入。"),
    ("Robert'); DROP TABLE operator;--", 0, "", "操作员姓名只能由汉字或字母组成"),
    ("李银行", 3, "", "监管银行审核员须填写所属银行。"),
    ("李中心", 4, "", "公积金中心审核员须填写所属公积金中心。"),
    ("李银行", 3, CENTRE, "公积金管理中心的审核人员请选择“公积金中心审核员”角色。"),
    ("王窗口", 0, "中国建设银行", "只有监管银行审核员和公积金中心审核员可以填写所属银行或公积金中心。"),
])
async def test_bad_input_is_refused_in_its_field_and_writes_nothing(op_db, name, role_downs, bank, sentence) -> None:
    added = len(_audited(op_db, "operator_add"))
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await keys(pilot, "f2", *"newbie", "tab", *name, "tab", *(["down"] * role_downs), "tab", "tab", *bank,
                   "tab", *NEW_PASSWORD, "tab", *NEW_PASSWORD, "enter")
        assert isinstance(app.screen, AddOperatorDialog)
        assert flat(sentence) in said(app)
        assert "[/red]" not in sentence or "[red]" not in said(app)  # typed text shown literally, if at all
    assert _account(op_db, "newbie") is None
    assert len(_audited(op_db, "operator_add")) == added


async def test_a_role_is_changed_but_not_ones_own_nor_a_reviewers_kind(op_db) -> None:
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await _select(pilot, "clerk2")
        await keys(pilot, "f3", "down", "enter")  # 窗口受理员 → 审核主管
        assert isinstance(app.screen, OperatorsScreen)
        assert flat("clerk2的角色已变更为审核主管，其已登录的终端须重新登录。") in said(app)
        await _select(pilot, "admin")
        await keys(pilot, "f3", "up", "enter")
        assert isinstance(app.screen, RoleDialog)
        assert flat("不能变更自己正在使用的账户的角色。") in said(app)
        await keys(pilot, "escape")
        await _select(pilot, "gjj01")
        await keys(pilot, "f3", "up", "up", "up", "up", "enter")  # 公积金中心审核员 → 窗口受理员
        assert flat("银行和公积金中心的账户不能变更角色") in said(app)
    assert _account(op_db, "clerk2").role == "supervisor"
    assert _account(op_db, "gjj01").role == "centre_reviewer"
    assert _audited(op_db, "operator_role") == ["admin"]


async def test_disable_enable_unlock_and_reset_a_password(op_db) -> None:
    for _ in range(5):
        with pytest.raises(RuleViolation):
            operators.login(op_db, "clerk1", "wrong-pass1")
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await _select(pilot, "clerk1")
        assert flat("clerk1李晓敏窗口受理员03号窗口已锁定") in said(app)
        await keys(pilot, "f6")
        assert flat("已解锁clerk1的账户。") in said(app)
        await keys(pilot, "f4", "enter")
        assert flat("已停用clerk1的账户。") in said(app) and flat("clerk1李晓敏窗口受理员03号窗口已停用") in said(app)
        await keys(pilot, "f4", "enter")
        assert flat("已重新启用clerk1的账户。") in said(app)
        await keys(pilot, "f7", *NEW_PASSWORD, "tab", *NEW_PASSWORD[:-1], "enter")
        assert isinstance(app.screen, PasswordDialog) and flat("两次输入的密码不一致") in said(app)
        await keys(pilot, "escape")
        await keys(pilot, "f7", *NEW_PASSWORD, "tab", *NEW_PASSWORD, "enter")
        assert flat("clerk1的密码已重设，请告知本人。") in said(app)
        assert NEW_PASSWORD not in screen_text(app)
        # one's own account is not disabled
        await _select(pilot, "admin")
        await keys(pilot, "f4", "enter")
        assert flat("不能停用自己正在使用的账户。") in said(app)
    assert operators.login(op_db, "clerk1", NEW_PASSWORD).username == "clerk1"
    for action in ("operator_unlock", "operator_disable", "operator_enable", "operator_passwd"):
        assert _audited(op_db, action) == ["admin"], action


async def test_an_administrator_disabled_meanwhile_is_stopped_at_the_next_act(op_db) -> None:
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        operators.add_operator(op_db, SYSTEM, username="admin2", name="郑二", role="admin", password=NEW_PASSWORD)
        operators.set_active(op_db, SYSTEM, "admin", False)
        await _select(pilot, "clerk2")
        await keys(pilot, "f4", "enter")
        assert "您的账户已被停用" in said(app)
    assert _account(op_db, "clerk2").active


async def test_the_fund_centres_reviewer_finds_its_two_contracts_waiting(op_db) -> None:
    app = make_app(op_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "gjj01", password("gjj01"))
        shown = said(app)
        assert flat("罗静·公积金中心审核员") in shown
        assert flat("待处理业务数：2　（办理中 0 件，待接件 2 件）") in shown
        for entry in ("在手业务", "商品房预售签约"):
            assert entry in shown
        for absent in ("申请人查询", "预售资金监管", "操作员管理"):
            assert absent not in shown


# ---------------------------------------------------------------- snapshots


def _snap(snap_compare, db, *steps: str, size=SIZE, on: str | None = None) -> bool:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:
        await _open(pilot)
        if on is not None:
            await _select(pilot, on)
        if steps:
            await keys(pilot, *steps)
        pilot.app.clear_notifications()
        await pilot.pause()

    return snap_compare(make_app(db), terminal_size=size, run_before=run_before)


def test_snapshot_the_list(snap_compare, op_db) -> None:
    assert _snap(snap_compare, op_db)


def test_snapshot_the_list_at_120_by_40(snap_compare, op_db) -> None:
    assert _snap(snap_compare, op_db, size=(120, 40))


def test_snapshot_the_new_account_refused(snap_compare, op_db) -> None:
    assert _snap(snap_compare, op_db, "f2", *"bank02", "tab", *"李银行", "tab", "down", "down", "down", "tab", "tab",
                 "tab", *NEW_PASSWORD, "tab", *NEW_PASSWORD, "enter")


def test_snapshot_the_role_dialog(snap_compare, op_db) -> None:
    assert _snap(snap_compare, op_db, "f3", on="clerk2")
