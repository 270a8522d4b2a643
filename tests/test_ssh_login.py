"""Remote operators, without sshd: the mapping file, the login form of a remote session
(the mapped user name fixed; the password, or none when the mapping says so), the
service that logs in without a password, and `wangqian tui --ssh` refusing an unmapped
login. tests/test_ssh_sshd.py runs the same through a real sshd."""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import pytest
from sqlalchemy import select
from test_tui_support import SIZE, make_app, password, screen_text, settle, text_of
from textual.widgets import Input
from typer.testing import CliRunner

from core.errors import RuleViolation
from services import operators
from storage.engine import Database
from storage.models import AuditEntry, Operator
from storage.settings import plain_settings
from tui.cli.main import app as cli
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.ssh import RemoteLogin, parse_operator_map, read_operator_map, remote_login

MAP = Path("/etc/wangqian/ssh-operators")
AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="the mapping file must belong to root: run as root")


def _refusal(call) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        call()
    return refused.value


def _last_login(db: Database) -> dict:
    with db.read() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "login")
                                .order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        return {"operator": entry.operator, **json.loads(entry.after or "{}")}


# ------------------------------------------------------------------ the mapping file


def test_the_mapping_file_maps_logins_to_operators() -> None:
    logins = parse_operator_map(
        "# unix login   operator   [nopassword]\n\n"
        "zhangmin  zhangmin\n"
        "li-remote\tLIXM   nopassword   # the key is enough\n", MAP)
    assert logins == {"zhangmin": RemoteLogin("zhangmin", "zhangmin", password=True),
                      "li-remote": RemoteLogin("li-remote", "lixm", password=False)}


@pytest.mark.parametrize(("text", "line"), [
    ("zhangmin\n", 1),
    ("a b\nzhangmin zhangmin nopasswd\n", 2),
    ("zhangmin zhangmin nopassword extra\n", 1),
    ("zhangmin zhangmin\n# again\nzhangmin lixm\n", 3),
])
def test_a_bad_line_refuses_the_whole_file(text: str, line: int) -> None:
    refusal = _refusal(lambda: parse_operator_map(text, MAP))
    assert refusal.code == "SSH_MAP_INVALID"
    assert refusal.message.startswith(f"SSH 操作员对应表 {MAP} 第 {line} 行有误：")


@AS_ROOT
def test_the_file_must_be_roots_and_writable_by_nobody_else(tmp_path: Path) -> None:
    mapping = tmp_path / "ssh-operators"
    assert _refusal(lambda: read_operator_map(mapping)).code == "SSH_MAP_MISSING"
    mapping.write_text("zhangmin zhangmin\n")
    for mode in (0o664, 0o646):
        mapping.chmod(mode)
        assert _refusal(lambda: read_operator_map(mapping)).code == "SSH_MAP_UNSAFE"
    mapping.chmod(0o644)
    assert read_operator_map(mapping)["zhangmin"].operator == "zhangmin"
    tmp_path.chmod(0o777)  # whoever may replace the file may write it
    assert _refusal(lambda: read_operator_map(mapping)).code == "SSH_MAP_UNSAFE"
    tmp_path.chmod(0o755)
    os.chown(mapping, 65534, -1)
    assert _refusal(lambda: read_operator_map(mapping)).code == "SSH_MAP_UNSAFE"


@AS_ROOT
def test_the_process_login_is_what_is_mapped(tmp_path: Path) -> None:
    me = pwd.getpwuid(os.getuid()).pw_name
    mapping = tmp_path / "ssh-operators"
    mapping.write_text("someone clerk1\n")
    settings = plain_settings(data_dir=tmp_path, ssh_operators=mapping)
    refusal = _refusal(lambda: remote_login(settings))
    assert (refusal.code, refusal.message) == ("SSH_NOT_MAPPED", f"系统账户 {me} 未对应任何操作员，请联系系统管理员。")
    mapping.write_text(f"someone clerk1\n{me} clerk2 nopassword\n")
    assert remote_login(settings) == RemoteLogin(me, "clerk2", password=False)


def test_tui_ssh_refuses_an_unmapped_login_before_opening_anything(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WANGQIAN_SSH_OPERATORS", str(tmp_path / "none"))
    result = CliRunner().invoke(cli, ["tui", "--ssh"])
    assert result.exit_code == 1
    assert "未找到 SSH 操作员对应表" in result.stderr and "SSH_MAP_MISSING" in result.stderr
    assert not (tmp_path / "wangqian.db").exists()


# ------------------------------------------------------------------ the login form


async def test_a_remote_session_logs_in_as_its_operator_only(sqlite_sample_db: Database) -> None:
    app = make_app(sqlite_sample_db, remote=RemoteLogin("zhang-remote", "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        username = app.screen.query_one("#username", Input)
        assert username.value == "clerk1" and username.disabled
        assert app.focused is app.screen.query_one("#password", Input)
        assert "SSH 远程登录（系统账户 zhang-remote）" in screen_text(app)
        await pilot.press(*password("clerk2"), "enter")  # another operator's password: not theirs
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and text_of(app, "#login-error") == "用户名或密码错误。"
        await pilot.press(*password("clerk1"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.actor.username == "clerk1"
        await pilot.press("f10")  # 退出登录: the form again, the same operator's
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.screen.query_one("#username", Input).value == "clerk1"
    assert _last_login(sqlite_sample_db) == {"operator": "clerk1", "ssh_user": "zhang-remote"}


async def test_the_lock_screen_of_a_remote_session_names_its_login_in_the_audit(sqlite_sample_db: Database) -> None:
    app = make_app(sqlite_sample_db, remote=RemoteLogin("zhang-remote", "clerk1"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*password("clerk1"), "enter")
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.is_locked
        await pilot.press(*password("clerk1"), "enter")
        await settle(pilot)
        assert not app.is_locked
    with sqlite_sample_db.read() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "screen_unlock")).scalar_one()
        assert json.loads(entry.after) == {"ssh_user": "zhang-remote"}


async def test_a_mapping_without_password_logs_in_and_a_logout_ends_the_session(sqlite_sample_db: Database) -> None:
    app = make_app(sqlite_sample_db, remote=RemoteLogin("li-remote", "clerk2", password=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.actor.username == "clerk2"
        await pilot.press("f10")
        await settle(pilot)
        assert not app.is_running  # no form to go back to: the terminal ends, and the connection with it
    assert _last_login(sqlite_sample_db) == {"operator": "clerk2", "ssh_user": "li-remote", "password": False}


async def test_a_disabled_account_is_not_let_in_by_its_key(sqlite_sample_db: Database) -> None:
    with sqlite_sample_db.write() as session:
        session.execute(select(Operator).where(Operator.username == "clerk2")).scalar_one().active = False
    app = make_app(sqlite_sample_db, remote=RemoteLogin("li-remote", "clerk2", password=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.actor is None
        assert text_of(app, "#login-error") == "该账户已停用，请联系系统管理员。"


def test_logging_in_without_a_password_checks_the_account(sqlite_sample_db: Database) -> None:
    db = sqlite_sample_db
    refusal = _refusal(lambda: operators.login_without_password(db, "nobody", ssh_user="x"))
    assert refusal.code == "LOGIN_NO_OPERATOR"
    with db.write() as session:
        session.execute(select(Operator).where(Operator.username == "clerk1")).scalar_one().locked = True
    assert _refusal(lambda: operators.login_without_password(db, "clerk1", ssh_user="x")).code == "LOGIN_LOCKED"
    actor = operators.login_without_password(db, " Clerk2 ", ssh_user="li-remote")
    assert actor.username == "clerk2"
