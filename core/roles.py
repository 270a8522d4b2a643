"""Operator roles and what each may do.

Permissions are data: a service names the permission it needs and
``require`` refuses with a Chinese sentence when the operator's role lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import RuleViolation
from core.text import choices_said


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # A development enterprise's staff (seed 004 §3): its administrator maintains the
    # enterprise and adds its operators; an operator works its cases once the authority
    # has admitted them (入网). Both are bound to their enterprise (``Actor.developer_id``).
    DEVELOPER_ADMIN = "developer_admin"
    DEVELOPER = "developer"
    # A supervising bank's reviewer (监管银行, seed 004 §5.3, §5.8, §5.10): reviews the fund
    # supervision agreements and pays the withdrawals of its bank (``Actor.bank_name``).
    BANK_REVIEWER = "bank_reviewer"
    # A provident-fund centre's reviewer (公积金管理中心, seed 004 §5.5.1): reviews the provident-fund
    # loans of presale contracts and the fund part of a combined loan, for its centre only
    # (``Actor.bank_name`` holds the centre's name); fund supervision stays with the banks.
    FUND_CENTRE_REVIEWER = "centre_reviewer"  # (the role columns hold 16 characters)


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: "窗口受理员",
    Role.SUPERVISOR: "审核主管",
    Role.ADMIN: "系统管理员",
    Role.DEVELOPER_ADMIN: "开发企业管理员",
    Role.DEVELOPER: "开发企业操作员",
    Role.BANK_REVIEWER: "监管银行审核员",
    Role.FUND_CENTRE_REVIEWER: "公积金中心审核员",
}

#: The roles an administrator gives with ``wangqian operator add/role``, as its help and its
#: refusal name them: the code and the Chinese name (either may be typed).
HALL_ROLE_CHOICES = choices_said({r.value: ROLE_LABELS[r] for r in (
    Role.CLERK, Role.SUPERVISOR, Role.ADMIN, Role.BANK_REVIEWER, Role.FUND_CENTRE_REVIEWER)})

#: The hall's own staff (``wangqian operator add``) and a developer's (added through presale).
HALL_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})
DEVELOPER_ROLES = frozenset({Role.DEVELOPER_ADMIN, Role.DEVELOPER})
#: Roles bound to a bank (``operator.bank_name``): they see only their bank's cases.
BANK_ROLES = frozenset({Role.BANK_REVIEWER})
#: Roles bound to a provident-fund centre (the same column holds the centre's name).
CENTRE_ROLES = frozenset({Role.FUND_CENTRE_REVIEWER})


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
    PRESALE_VIEW = "presale_view"  # developers, projects, buildings, surveys (a developer's staff: their own only)
    DEVELOPER_REGISTER = "developer_register"  # register a development enterprise and its administrator
    DEVELOPER_MAINTAIN = "developer_maintain"  # an enterprise's facts, projects, certificates, banks
    DEVELOPER_USERS = "developer_users"  # an enterprise's operators, and applying for their admission (入网)
    USER_ADMISSION = "user_admission"  # the authority admits (or refuses) a developer's operators
    SURVEY_WORK = "survey_work"  # import and complete survey results (测绘成果)
    SURVEY_REVIEW = "survey_review"  # the authority reviews, maps and archives survey results
    FUND_VIEW = "fund_view"  # fund supervision agreements and withdrawals (scoped to one's enterprise or bank)
    FUND_WORK = "fund_work"  # the developer starts and enters agreements and withdrawals
    FUND_REVIEW = "fund_review"  # the authority reviews and archives them
    FUND_BANK_REVIEW = "fund_bank_review"  # the supervising bank reviews agreements and pays withdrawals
    PERMIT_WORK = "permit_work"  # apply for property-management rooms and sale permits (物管用房, 预售/现售许可)
    PERMIT_REVIEW = "permit_review"  # the authority decides them and issues the permit
    HOME_REGISTER = "home_register"  # register and change homes, set and lift the title registry's marks
    PRESALE_CONTRACT_WORK = "presale_contract_work"  # the developer's presale and spot-sale contracts (预售/现房签约)
    PRESALE_CONTRACT_FILING = "presale_contract_filing"  # the authority files them (备案)
    PRESALE_LOAN_REVIEW = "presale_loan_review"  # a buyer's loan bank or fund centre reviews the contract


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
    Permission.PRESALE_VIEW: "查看商品房预售信息",
    Permission.DEVELOPER_REGISTER: "登记开发企业",
    Permission.DEVELOPER_MAINTAIN: "维护开发企业信息",
    Permission.DEVELOPER_USERS: "管理企业用户",
    Permission.USER_ADMISSION: "审核企业用户入网",
    Permission.SURVEY_WORK: "办理测绘成果备案",
    Permission.SURVEY_REVIEW: "审核测绘成果",
    Permission.FUND_VIEW: "查看预售资金监管",
    Permission.FUND_WORK: "办理预售资金监管",
    Permission.FUND_REVIEW: "审核预售资金监管",
    Permission.FUND_BANK_REVIEW: "办理监管银行审核",
    Permission.PERMIT_WORK: "办理物管用房和销售许可申请",
    Permission.PERMIT_REVIEW: "审批物管用房和销售许可",
    Permission.HOME_REGISTER: "登记房屋",
    Permission.PRESALE_CONTRACT_WORK: "办理商品房预售和现售签约",
    Permission.PRESALE_CONTRACT_FILING: "办理商品房买卖合同备案",
    Permission.PRESALE_LOAN_REVIEW: "办理购房贷款抵押审核",
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
    # the authority (主管部门): registers developers, admits their operators, reviews surveys
    Permission.PRESALE_VIEW,
    Permission.DEVELOPER_REGISTER,
    Permission.DEVELOPER_MAINTAIN,
    Permission.USER_ADMISSION,
    Permission.SURVEY_REVIEW,
    Permission.FUND_VIEW,
    Permission.FUND_REVIEW,
    Permission.PERMIT_REVIEW,
    Permission.HOME_REGISTER,  # the register's facts come from the title registry: a supervisor keeps them
    Permission.PRESALE_CONTRACT_FILING,
}
# The administrator (and the shell) may also act for a developer.
_ADMIN = _SUPERVISOR | {Permission.OPERATOR_MANAGE, Permission.DATA_ADMIN, Permission.DEVELOPER_USERS,
                        Permission.SURVEY_WORK, Permission.PERMIT_WORK, Permission.FUND_WORK,
                        Permission.FUND_BANK_REVIEW, Permission.PRESALE_CONTRACT_WORK,
                        Permission.PRESALE_LOAN_REVIEW}
_DEVELOPER_ADMIN = {Permission.PRESALE_VIEW, Permission.DEVELOPER_MAINTAIN, Permission.DEVELOPER_USERS}
_DEVELOPER = {Permission.PRESALE_VIEW, Permission.SURVEY_WORK, Permission.PERMIT_WORK, Permission.CASE_ACCEPT,
              Permission.CASE_WORK, Permission.FUND_VIEW, Permission.FUND_WORK, Permission.PRESALE_CONTRACT_WORK}
# (a bank reviews the fund supervision of the agreements it supervises and the commercial loans of
# presale contracts; a provident-fund centre only its loans: each bound by ``bank_name``)
_BANK_REVIEWER = {Permission.CASE_WORK, Permission.FUND_VIEW, Permission.FUND_BANK_REVIEW,
                  Permission.PRESALE_LOAN_REVIEW}
_FUND_CENTRE_REVIEWER = {Permission.CASE_WORK, Permission.PRESALE_LOAN_REVIEW}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(_CLERK),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.ADMIN: frozenset(_ADMIN),
    Role.DEVELOPER_ADMIN: frozenset(_DEVELOPER_ADMIN),
    Role.DEVELOPER: frozenset(_DEVELOPER),
    Role.BANK_REVIEWER: frozenset(_BANK_REVIEWER),
    Role.FUND_CENTRE_REVIEWER: frozenset(_FUND_CENTRE_REVIEWER),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in operator, or the machine's shell (CLI).

    The CLI runs as ``Actor.system()``: whoever holds a shell on the server
    already holds the database file, so it acts as an administrator; the audit
    log records it as ``cli:<os user>``.

    ``developer_id`` binds a developer's staff to their enterprise: they see and
    work only its projects and cases. The hall's staff carry None. ``bank_name`` binds a
    bank's reviewer to its bank (every branch of it), a fund centre's reviewer to its centre:
    they see only the cases that bank or centre reviews.
    """

    operator_id: int | None
    username: str
    name: str
    role: Role
    window: str | None = None
    developer_id: int | None = None
    bank_name: str | None = None

    @classmethod
    def system(cls, os_user: str = "root") -> "Actor":
        return cls(None, f"cli:{os_user}", "命令行", Role.ADMIN, None)

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


class Admission(StrEnum):
    """A developer's operator's admission to the network (入网, seed 004 §3.2): added by the
    enterprise's administrator, applied for, then admitted or refused by the authority."""

    DRAFT = "draft"
    APPLIED = "applied"
    APPROVED = "approved"
    REFUSED = "refused"


ADMISSION_LABELS: dict[Admission, str] = {
    Admission.DRAFT: "未申请入网",
    Admission.APPLIED: "待审核",
    Admission.APPROVED: "已入网",
    Admission.REFUSED: "未通过",
}


def admitted(admission: str | None) -> bool:
    """An account may work: the hall's staff (``Operator.admission`` None: no admission
    needed), or a developer's operator the authority has admitted."""
    return admission is None or admission == Admission.APPROVED


@dataclass(frozen=True)
class AccountState:
    """An operator's account as stored now (the session's ``Actor`` is what it was at login)."""

    active: bool
    locked: bool
    role: str
    developer_id: int | None = None
    admitted: bool = True  # a developer's operator: admitted by the authority (入网); the hall's staff: True
    bank_name: str | None = None  # a bank's (or fund centre's) reviewer: the bank (centre) they are bound to


#: Refusals that end the terminal's session: the operator must log in again (or not at all).
SESSION_ENDING_CODES = frozenset({"ACCOUNT_GONE", "ACCOUNT_DISABLED", "ACCOUNT_LOCKED", "ACCOUNT_ROLE_CHANGED",
                                  "ACCOUNT_NOT_ADMITTED"})


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
    if not state.admitted or state.developer_id != actor.developer_id:
        raise RuleViolation("ACCOUNT_NOT_ADMITTED", "您的账户未经主管部门审核入网，不能办理业务。")
    if state.bank_name != actor.bank_name:
        raise RuleViolation("ACCOUNT_ROLE_CHANGED", "您的账户所属银行已变更，请重新登录。")


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
