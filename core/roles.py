"""Operator roles and what each may do.

Permissions are data: a service names the permission it needs and
``require`` refuses with a Chinese sentence when the operator's role lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import RuleViolation


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: "窗口受理员",
    Role.SUPERVISOR: "审核主管",
    Role.ADMIN: "系统管理员",
}


class Permission(StrEnum):
    LOOKUP_APPLICANT = "lookup_applicant"
    REVEAL_IDENTITY = "reveal_identity"
    CASE_ACCEPT = "case_accept"
    CASE_WORK = "case_work"  # dispatch, receive, return, cancel, archive one's own cases
    CASE_VIEW_ALL = "case_view_all"
    OPERATOR_MANAGE = "operator_manage"
    AUDIT_VERIFY = "audit_verify"
    DATA_ADMIN = "data_admin"  # migrations, sample data, synthetic sets
    ALLOCATION_VIEW = "allocation_view"  # status board, forecast, results
    ALLOCATION_WISHES = "allocation_wishes"  # edit a family's wish lists at the counter, confirm, give up
    ALLOCATION_MANAGE = "allocation_manage"  # create rounds, run, publish, reopen, supplementary rounds
    LEASE_WORK = "lease_work"
    LEASE_REVIEW = "lease_review"
    SMS_OUTBOX = "sms_outbox"
    REPORT_PRINT = "report_print"
    CONTRACT_WORK = "contract_work"  # enter, sign, change and cancel resale contracts at the counter
    CONTRACT_REVIEW = "contract_review"  # buyer qualification, filing, cancellation review
    PARTY_REGISTER = "party_register"  # register and change persons, organisations, agents, proxies, ID changes
    HOME_REGISTER = "home_register"  # register and change homes, set and lift the title registry's marks


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.LOOKUP_APPLICANT: "查询申请人",
    Permission.REVEAL_IDENTITY: "查看完整证件号码",
    Permission.CASE_ACCEPT: "业务受理",
    Permission.CASE_WORK: "业务办理",
    Permission.CASE_VIEW_ALL: "查看全部业务",
    Permission.OPERATOR_MANAGE: "管理操作员",
    Permission.AUDIT_VERIFY: "核验审计日志",
    Permission.DATA_ADMIN: "管理数据库",
    Permission.ALLOCATION_VIEW: "查看选房信息",
    Permission.ALLOCATION_WISHES: "办理选房意向",
    Permission.ALLOCATION_MANAGE: "组织选房场次",
    Permission.LEASE_WORK: "办理租赁签约",
    Permission.LEASE_REVIEW: "审核租赁签约",
    Permission.SMS_OUTBOX: "查看短信发件箱",
    Permission.REPORT_PRINT: "打印文书",
    Permission.CONTRACT_WORK: "办理网签合同",
    Permission.CONTRACT_REVIEW: "审核网签备案",
    Permission.PARTY_REGISTER: "登记当事人",
    Permission.HOME_REGISTER: "登记房屋",
}

_CLERK = {
    Permission.LOOKUP_APPLICANT,
    Permission.REVEAL_IDENTITY,
    Permission.CASE_ACCEPT,
    Permission.CASE_WORK,
    Permission.ALLOCATION_VIEW,
    Permission.ALLOCATION_WISHES,
    Permission.LEASE_WORK,
    Permission.REPORT_PRINT,
    Permission.CONTRACT_WORK,
    Permission.PARTY_REGISTER,  # parties are registered at the window, where their documents are seen
}
_SUPERVISOR = _CLERK | {
    Permission.CONTRACT_REVIEW,
    Permission.CASE_VIEW_ALL,
    Permission.AUDIT_VERIFY,
    Permission.ALLOCATION_MANAGE,
    Permission.LEASE_REVIEW,
    Permission.SMS_OUTBOX,
    Permission.HOME_REGISTER,  # the register's facts come from the title registry: a supervisor keeps them
}
_ADMIN = _SUPERVISOR | {Permission.OPERATOR_MANAGE, Permission.DATA_ADMIN}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(_CLERK),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.ADMIN: frozenset(_ADMIN),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in operator, or the machine's shell (CLI).

    The CLI runs as ``Actor.system()``: whoever holds a shell on the server
    already holds the database file, so it acts as an administrator; the audit
    log records it as ``cli:<os user>``.
    """

    operator_id: int | None
    username: str
    name: str
    role: Role
    window: str | None = None

    @classmethod
    def system(cls, os_user: str = "root") -> "Actor":
        return cls(None, f"cli:{os_user}", "命令行", Role.ADMIN, None)

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


@dataclass(frozen=True)
class AccountState:
    """An operator's account as stored now (the session's ``Actor`` is what it was at login)."""

    active: bool
    locked: bool
    role: str


#: Refusals that end the terminal's session: the operator must log in again (or not at all).
SESSION_ENDING_CODES = frozenset({"ACCOUNT_GONE", "ACCOUNT_DISABLED", "ACCOUNT_LOCKED", "ACCOUNT_ROLE_CHANGED"})


def require_current(actor: Actor, state: AccountState | None) -> None:
    """Refuse an action by a logged-in operator whose account no longer allows it.

    Disabled, locked, removed or given another role since the login: the
    terminal's session is over (``SESSION_ENDING_CODES``).
    """
    if state is None:
        raise RuleViolation("ACCOUNT_GONE", "您的操作员账户已不存在，请联系系统管理员。")
    if not state.active:
        raise RuleViolation("ACCOUNT_DISABLED", "您的账户已被停用，不能继续办理业务，请联系系统管理员。")
    if state.locked:
        raise RuleViolation("ACCOUNT_LOCKED", "您的账户已被锁定，不能继续办理业务，请联系系统管理员解锁。")
    if state.role != actor.role.value:
        now = ROLE_LABELS.get(Role(state.role), state.role) if state.role in Role._value2member_map_ else state.role
        raise RuleViolation("ACCOUNT_ROLE_CHANGED", f"您的角色已变更为{now}，请重新登录。")


def require_other_person(actor: Actor, filed_by: int | None, code: str, what: str) -> None:
    """Four eyes: whoever filed a request does not decide it (a supervisor may also file at the counter)."""
    if actor.operator_id is not None and filed_by == actor.operator_id:
        raise RuleViolation(code, f"{what}须由另一位审核主管审核，不能审核本人提交的申请。")


def require(actor: Actor | None, permission: Permission) -> Actor:
    """Refuse unless ``actor`` holds ``permission``; returns the actor."""
    if actor is None:
        raise RuleViolation("AUTH_REQUIRED", "请先登录后再办理业务。")
    if not actor.can(permission):
        raise RuleViolation(
            "ROLE_FORBIDDEN",
            f"您的角色（{ROLE_LABELS[actor.role]}）无权{PERMISSION_LABELS[permission]}。",
        )
    return actor
