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
}
_SUPERVISOR = _CLERK | {
    Permission.CONTRACT_REVIEW,
    Permission.CASE_VIEW_ALL,
    Permission.AUDIT_VERIFY,
    Permission.ALLOCATION_MANAGE,
    Permission.LEASE_REVIEW,
    Permission.SMS_OUTBOX,
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
