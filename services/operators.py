"""Operators: accounts, roles, login, lock-out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from core import passwords
from core.errors import RuleViolation
from core.identity import check_person_name
from core.parties import check_text
from core.roles import BANK_ROLES, CENTRE_ROLES, DEVELOPER_ROLES, HALL_ROLE_CHOICES, ROLE_LABELS, Actor, Permission, Role, admitted
from core.text import code_or_label
from services import audit
from services.authority import authorise
from storage.engine import Database, session_now
from storage.models import Operator

MAX_FAILED_LOGINS = 5
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_.-")


@dataclass(frozen=True)
class OperatorView:
    id: int
    username: str
    name: str
    role: Role
    window: str | None
    active: bool
    locked: bool
    failed_logins: int
    developer_id: int | None = None
    admission: str | None = None
    bank_name: str | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def place(self) -> str:
        """Where the account works: a counter's window, a reviewer's bank or centre."""
        if self.bank_name:
            return self.bank_name
        return f"{self.window}号窗口" if self.window else ""


def _view(op: Operator) -> OperatorView:
    assert op.id is not None
    return OperatorView(op.id, op.username, op.name, Role(op.role), op.window, op.active, op.locked, op.failed_logins,
                        op.developer_id, op.admission, op.bank_name)


def actor_for(op: Operator) -> Actor:
    return Actor(op.id, op.username, op.name, Role(op.role), op.window, op.developer_id, op.bank_name)


def _parse_role(role: str) -> Role:
    """A role by its code (``clerk``) or its Chinese name (``窗口受理员``), as an admin writes it."""
    code = code_or_label(role, {r.value: label for r, label in ROLE_LABELS.items()})
    if code is None:
        raise RuleViolation("OPERATOR_BAD_ROLE", f"角色只能是以下之一：{HALL_ROLE_CHOICES}。", field="role")
    return Role(code)


def _find(session, username: str) -> Operator:
    op = session.execute(select(Operator).where(Operator.username == username)).scalar_one_or_none()
    if op is None:
        raise RuleViolation("OPERATOR_NOT_FOUND", f"没有用户名为“{username}”的操作员。", field="username")
    return op


def check_account(username: str, name: str, password: str) -> tuple[str, str]:
    """A new account's user name and name as kept, after their rules and the password's policy."""
    username = username.strip().lower()
    if not (2 <= len(username) <= 40) or not set(username) <= _USERNAME_CHARS:
        raise RuleViolation(
            "OPERATOR_BAD_USERNAME", "用户名须为 2 至 40 位小写字母、数字、下划线、点或连字符。", field="username"
        )
    if not name.strip():
        raise RuleViolation("OPERATOR_NAME_REQUIRED", "请填写操作员姓名。", field="name")
    name = check_person_name(name, who="操作员", field="name")
    passwords.check_password_policy(password)
    return username, name


def create_operator_in(
    session: Session, actor: Actor, *, username: str, name: str, role: Role, password: str,
    window: str | None = None, developer_id: int | None = None, admission: str | None = None,
    bank_name: str | None = None,
) -> Operator:
    """A new account inside the caller's transaction, audited. ``username`` and ``name`` come
    from ``check_account``; the caller has authorised the actor. A developer's staff carry
    their enterprise (``developer_id``) and their admission state (入网)."""
    exists = session.execute(select(Operator.id).where(Operator.username == username)).first()
    if exists:
        raise RuleViolation("OPERATOR_EXISTS", f"用户名“{username}”已被使用。", field="username")
    op = Operator(
        username=username,
        name=name,
        role=role.value,
        window=window or None,
        password_hash=passwords.hash_password(password),
        created_at=session_now(session),
        developer_id=developer_id,
        admission=admission,
        bank_name=bank_name,
    )
    session.add(op)
    session.flush()
    audit.append(
        session,
        actor,
        "operator_add",
        object_type="operator",
        object_id=op.id,
        after={"username": username, "name": op.name, "role": op.role, "window": op.window,
               "developer_id": developer_id, "admission": admission, "bank_name": bank_name},
    )
    return op


def check_bank_name(role: Role, bank: str | None) -> str | None:
    """A bank's reviewer names its bank (the bank's name as the developers' bank lists write it,
    e.g. 中国建设银行), a fund centre's reviewer its centre (as the contracts name it, e.g.
    长沙住房公积金管理中心); at most 60 characters of plain text. No other role has one, and a
    bank's reviewer is not a fund centre's (the centre has its own role)."""
    if role in BANK_ROLES or role in CENTRE_ROLES:
        what = "所属银行" if role in BANK_ROLES else "所属公积金中心"
        text = check_text(bank, reference=True, field="bank", label=what, max_length=60)
        if text is None:
            raise RuleViolation("OPERATOR_BANK_REQUIRED", f"{ROLE_LABELS[role]}须填写{what}。", field="bank")
        if role in BANK_ROLES and "公积金" in text:
            raise RuleViolation("OPERATOR_BANK_IS_CENTRE", "公积金管理中心的审核人员请选择“公积金中心审核员”角色。",
                                field="bank")
        return text
    if isinstance(bank, str) and bank.strip():
        raise RuleViolation("OPERATOR_BANK_NOT_BANK_ROLE", "只有监管银行审核员和公积金中心审核员可以填写所属银行或公积金中心。",
                            field="bank")
    return None


def add_operator(
    db: Database, actor: Actor, *, username: str, name: str, role: str, password: str, window: str | None = None,
    bank: str | None = None,
) -> OperatorView:
    """A hall account, a supervising bank's reviewer bound to ``bank``, or a fund centre's reviewer
    bound to its centre (``bank``); a developer's staff are added through presale, bound to their
    enterprise."""
    authorise(db, actor, Permission.OPERATOR_MANAGE)
    parsed_role = _parse_role(role)
    if parsed_role in DEVELOPER_ROLES:
        raise RuleViolation("OPERATOR_DEVELOPER_ROLE", "开发企业的账户须在商品房预售的企业用户管理中添加。", field="role")
    bank_name = check_bank_name(parsed_role, bank)
    username, name = check_account(username, name, password)
    window = check_text(window, reference=True, field="window", label="窗口号", max_length=16)
    with db.write() as session:
        authorise(session, actor, Permission.OPERATOR_MANAGE)
        return _view(create_operator_in(session, actor, username=username, name=name, role=parsed_role,
                                        password=password, window=window, bank_name=bank_name))


def change_password(db: Database, actor: Actor, username: str, new_password: str) -> None:
    """Admins set anyone's password; an operator may set their own."""
    if actor.username != username:
        authorise(db, actor, Permission.OPERATOR_MANAGE)
    passwords.check_password_policy(new_password)
    with db.write() as session:
        if actor.username != username:
            authorise(session, actor, Permission.OPERATOR_MANAGE)
        op = _find(session, username)
        op.password_hash = passwords.hash_password(new_password)
        audit.append(session, actor, "operator_passwd", object_type="operator", object_id=op.id)


def _refuse_last_admin(session: Session, op: Operator) -> None:
    """The hall keeps an active administrator: the last one is neither disabled nor given another
    role. The active administrators' rows are locked first, so two administrators disabling each
    other at once cannot both pass."""
    if op.role != Role.ADMIN.value or not op.active:
        return
    others = session.execute(
        select(Operator.id).where(Operator.role == Role.ADMIN.value, Operator.active.is_(True), Operator.id != op.id)
        .with_for_update()).all()
    if not others:
        raise RuleViolation("OPERATOR_LAST_ADMIN",
                            f"“{op.username}”是大厅唯一在用的系统管理员，不能停用或变更其角色，请先新增另一位系统管理员。",
                            field="username")


def _lock_admins(session: Session) -> None:
    """Lock the active administrators' rows (see ``_refuse_last_admin``) before the actor's own
    account is read, so a concurrent change to it is seen."""
    session.execute(select(Operator.id).where(Operator.role == Role.ADMIN.value, Operator.active.is_(True))
                    .order_by(Operator.id).with_for_update()).all()


def set_active(db: Database, actor: Actor, username: str, active: bool) -> None:
    authorise(db, actor, Permission.OPERATOR_MANAGE)
    if not active and actor.username == username:
        raise RuleViolation("OPERATOR_DISABLE_SELF", "不能停用自己正在使用的账户。", field="username")
    with db.write() as session:
        _lock_admins(session)
        authorise(session, actor, Permission.OPERATOR_MANAGE)
        op = _find(session, username)
        if not active:
            _refuse_last_admin(session, op)
        before = {"active": op.active}
        op.active = active
        audit.append(
            session,
            actor,
            "operator_enable" if active else "operator_disable",
            object_type="operator",
            object_id=op.id,
            before=before,
            after={"active": active},
        )


def set_role(db: Database, actor: Actor, username: str, role: str) -> OperatorView:
    """An administrator gives an operator another role; a terminal logged in under
    the old one is refused at its next action (``services.authority``). An account keeps its
    kind: the hall's staff take the hall's roles, a bank's or a centre's reviewer keeps its role."""
    authorise(db, actor, Permission.OPERATOR_MANAGE)
    new = _parse_role(role)
    if actor.username == username and new is not actor.role:
        raise RuleViolation("OPERATOR_ROLE_SELF", "不能变更自己正在使用的账户的角色。", field="username")
    with db.write() as session:
        _lock_admins(session)
        authorise(session, actor, Permission.OPERATOR_MANAGE)
        op = _find(session, username)
        old = Role(op.role)
        if (op.developer_id is not None) != (new in DEVELOPER_ROLES) or \
                (op.bank_name is not None) != (new in BANK_ROLES or new in CENTRE_ROLES) or \
                (old in BANK_ROLES) != (new in BANK_ROLES) or (old in CENTRE_ROLES) != (new in CENTRE_ROLES):
            raise RuleViolation("OPERATOR_ROLE_SCOPE",
                                "开发企业的账户只能使用开发企业的角色，银行和公积金中心的账户不能变更角色，"
                                "大厅的账户只能使用大厅的角色。", field="role")
        if new is not old:
            _refuse_last_admin(session, op)
        before = {"role": op.role}
        op.role = new.value
        audit.append(session, actor, "operator_role", object_type="operator", object_id=op.id,
                     before=before, after={"role": new.value})
        return _view(op)


def unlock(db: Database, actor: Actor, username: str) -> None:
    """An administrator lifts a lock-out after too many failed logins."""
    authorise(db, actor, Permission.OPERATOR_MANAGE)
    with db.write() as session:
        authorise(session, actor, Permission.OPERATOR_MANAGE)
        op = _find(session, username)
        before = {"locked": op.locked, "failed_logins": op.failed_logins}
        op.locked = False
        op.failed_logins = 0
        audit.append(
            session,
            actor,
            "operator_unlock",
            object_type="operator",
            object_id=op.id,
            before=before,
            after={"locked": False, "failed_logins": 0},
        )


def list_operators(db: Database, actor: Actor) -> list[OperatorView]:
    authorise(db, actor, Permission.OPERATOR_MANAGE)
    with db.read() as session:
        return [_view(op) for op in session.execute(select(Operator).order_by(Operator.username)).scalars()]


def operators_for_dispatch(db: Database, actor: Actor, role: Role) -> list[OperatorView]:
    """Active operators of a role, for choosing whom to dispatch a case to."""
    authorise(db, actor, Permission.CASE_WORK)
    with db.read() as session:
        rows = session.execute(
            select(Operator).where(Operator.role == role.value, Operator.active.is_(True)).order_by(Operator.username)
        ).scalars()
        return [_view(op) for op in rows]


def login(db: Database, username: str, password: str, *, purpose: str = "login",
          ssh_user: str | None = None) -> Actor:
    """Check a password; count failures and lock the account at the fifth.

    Wrong user names and wrong passwords get the same answer and cost the same
    time, so the screen does not reveal which user names exist (only the lock
    itself, at the fifth failure, is announced: the clerk must call an admin).
    ``purpose`` is "login" or "unlock" (the idle lock asking again); both count
    failures, and the audit log tells them apart. The lock screen asks for a
    password only, so its refusals say so (UNLOCK_EMPTY, UNLOCK_FAILED) instead of
    the login form's "用户名或密码错误".
    ``ssh_user``: the Unix login of a remote session (docs/ssh.md), named in the
    audit entries.
    """
    if purpose not in ("login", "unlock"):
        raise ValueError(purpose)
    username = username.strip().lower()
    if purpose == "unlock" and not password:
        raise RuleViolation("UNLOCK_EMPTY", "请输入密码。")
    if not username or not password:
        raise RuleViolation("LOGIN_EMPTY", "请输入用户名和密码。")
    wrong = (RuleViolation("LOGIN_FAILED", "用户名或密码错误。") if purpose == "login"
             else RuleViolation("UNLOCK_FAILED", "密码错误。"))
    failure: RuleViolation | None = None
    via = {"ssh_user": ssh_user} if ssh_user else {}
    with db.write() as session:
        op = session.execute(select(Operator).where(Operator.username == username)).scalar_one_or_none()
        if op is None:
            passwords.verify_password(passwords.dummy_hash(), password)
            raise wrong
        who = actor_for(op)
        if not op.active:
            raise RuleViolation("LOGIN_DISABLED", "该账户已停用，请联系系统管理员。")
        if op.locked:
            raise RuleViolation("LOGIN_LOCKED", "该账户因多次密码错误已锁定，请联系系统管理员解锁。")
        if not admitted(op.admission):
            raise RuleViolation("LOGIN_NOT_ADMITTED", "该账户尚未经主管部门审核入网，不能登录。")
        if passwords.verify_password(op.password_hash, password):
            if passwords.needs_rehash(op.password_hash):
                op.password_hash = passwords.hash_password(password)
            op.failed_logins = 0
            op.last_login_at = db.now()
            audit.append(session, who, "login" if purpose == "login" else "screen_unlock",
                         object_type="operator", object_id=op.id, after=via or None)
            return who
        op.failed_logins += 1
        if op.failed_logins >= MAX_FAILED_LOGINS:
            op.locked = True
            audit.append(
                session, who, "account_locked", object_type="operator", object_id=op.id,
                after={"failed_logins": op.failed_logins, **via},
            )
            failure = RuleViolation("LOGIN_LOCKED", "密码连续错误 5 次，账户已锁定，请联系系统管理员解锁。")
        else:
            audit.append(
                session, who, "login_failed", object_type="operator", object_id=op.id,
                after={"failed_logins": op.failed_logins, **via},
            )
            failure = wrong
    # The failure count is committed before the refusal is raised.
    raise failure


def act_as(db: Database, actor: Actor, username: str) -> Actor:
    """The shell acts as an operator (``wangqian … --as USER``) for steps that only the holder of a
    case may take: an administrator's power, audited. The account must be able to work now
    (active, unlocked, admitted); every step is then checked as that operator's."""
    with db.write() as session:
        authorise(session, actor, Permission.OPERATOR_MANAGE)
        op = _find(session, username.strip().lower())
        who = actor_for(op)
        if not op.active or op.locked or not admitted(op.admission):
            raise RuleViolation("OPERATOR_CANNOT_ACT", f"操作员“{op.username}”的账户已停用、锁定或未入网，不能以其身份办理。",
                                field="username")
        audit.append(session, actor, "act_as", object_type="operator", object_id=op.id, after={"username": op.username})
        return who


def login_without_password(db: Database, username: str, *, ssh_user: str) -> Actor:
    """A remote session whose mapping says ``nopassword`` (docs/ssh.md): the SSH key
    sshd accepted for ``ssh_user`` is the proof. The account must still be active and
    not locked, as at the password login; the audit entry names the Unix login and
    says no password was asked."""
    username = username.strip().lower()
    with db.write() as session:
        op = session.execute(select(Operator).where(Operator.username == username)).scalar_one_or_none()
        if op is None:
            raise RuleViolation("LOGIN_NO_OPERATOR", f"SSH 账户对应的操作员“{username}”不存在，请联系系统管理员。")
        if not op.active:
            raise RuleViolation("LOGIN_DISABLED", "该账户已停用，请联系系统管理员。")
        if op.locked:
            raise RuleViolation("LOGIN_LOCKED", "该账户因多次密码错误已锁定，请联系系统管理员解锁。")
        if not admitted(op.admission):
            raise RuleViolation("LOGIN_NOT_ADMITTED", "该账户尚未经主管部门审核入网，不能登录。")
        who = actor_for(op)
        op.last_login_at = db.now()
        audit.append(session, who, "login", object_type="operator", object_id=op.id,
                     after={"ssh_user": ssh_user, "password": False})
        return who
