"""Remote operators over OpenSSH: which wangqian operator a Unix login is.

sshd runs ``deploy/ssh/wangqian-ssh`` (``ForceCommand``) for the members of the
``wangqian-ssh`` group. The wrapper refuses any command and any session without a
terminal, cleans the environment and starts ``wangqian tui --ssh``, which asks this
module who the session's Unix login (the process's real user: the account sshd
authenticated) is in the hall. ``Settings.ssh_operators`` names the mapping file, one
line per login::

    # Unix login    operator     [nopassword]
    zhangmin        zhangmin
    li-remote       lixm         nopassword

The login form then shows the operator's user name, fixed; the operator types their
password, unless the line ends in ``nopassword`` (the SSH key was proof enough). See
docs/ssh.md.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path

from core.errors import RuleViolation
from storage.settings import Settings

NO_PASSWORD = "nopassword"


@dataclass(frozen=True)
class RemoteLogin:
    """The operator an SSH session may log in as. ``password`` False: logged in
    without one (the admin's choice for this mapping)."""

    unix_user: str
    operator: str
    password: bool = True


def parse_operator_map(text: str, source: Path) -> dict[str, RemoteLogin]:
    """The mapping file's lines (``#`` starts a comment), by Unix login. A line that is
    not ``unix_user operator [nopassword]``, or a login named twice, refuses the whole
    file: a half-read mapping could let a login in as the wrong operator."""
    logins: dict[str, RemoteLogin] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) not in (2, 3) or (len(words) == 3 and words[2] != NO_PASSWORD):
            raise _invalid(source, number, f"每行应为“系统账户 操作员用户名”，其后可加 {NO_PASSWORD}")
        unix_user, operator = words[0], words[1].lower()
        if unix_user in logins:
            raise _invalid(source, number, f"系统账户 {unix_user} 重复出现")
        logins[unix_user] = RemoteLogin(unix_user, operator, password=len(words) == 2)
    return logins


def _invalid(source: Path, number: int, problem: str) -> RuleViolation:
    return RuleViolation("SSH_MAP_INVALID", f"SSH 操作员对应表 {source} 第 {number} 行有误：{problem}，请系统管理员改正。")


def read_operator_map(path: Path) -> dict[str, RemoteLogin]:
    """The mapping file, refused unless it and its folder belong to root and nobody
    else may write them: whoever can edit it can log in as any operator."""
    try:
        stats = (path.stat(), path.parent.stat())
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleViolation("SSH_MAP_MISSING", f"未找到 SSH 操作员对应表 {path}，请联系系统管理员。") from None
    except (OSError, UnicodeDecodeError):
        raise RuleViolation("SSH_MAP_UNREADABLE", f"无法读取 SSH 操作员对应表 {path}，请联系系统管理员。") from None
    if any(st.st_uid != 0 or st.st_mode & 0o022 for st in stats):
        raise RuleViolation("SSH_MAP_UNSAFE", f"SSH 操作员对应表 {path} 或其所在目录不属于 root，或可被他人修改，"
                                              "已拒绝使用，请系统管理员改正权限。")
    return parse_operator_map(text, path)


def remote_login(settings: Settings) -> RemoteLogin:
    """This process's Unix login, mapped to its operator (refused when unmapped)."""
    try:
        unix_user = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        unix_user = str(os.getuid())
    login = read_operator_map(settings.ssh_operators).get(unix_user)
    if login is None:
        raise RuleViolation("SSH_NOT_MAPPED", f"系统账户 {unix_user} 未对应任何操作员，请联系系统管理员。")
    return login
