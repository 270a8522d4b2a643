"""企业用户管理 (seed 004 §3.2): an enterprise's administrator adds its operators (用户入网:
name, mobile phone, user name, first password) and applies for their admission, one or
several at once; the authority admits or refuses each. Only an admitted operator logs in
(``services.operators.login``) and works (``services.authority`` checks it at every step).

Accounts are ``operator`` rows bound to the enterprise (``Operator.developer_id``, role
``developer``, ``Operator.admission``); ``developer_user`` keeps the phone and the last
application and decision. Every step is one transaction and one audit row per account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.errors import RuleViolation
from core.identity import mask_numbers_in_text, mask_phone
from core.parties import check_text
from core.presale.developers import check_developer_phone, check_may_work
from core.roles import ADMISSION_LABELS, Actor, Admission, Permission, ROLE_LABELS, Role, require
from services import audit
from services.authority import authorise
from services.operators import check_account, create_operator_in
from services.presale.common import developer_of, find_developer
from storage.engine import Database, session_now
from storage.models import Developer, DeveloperUser, Operator

__all__ = ["UserView", "add_user", "admission_queue", "apply_admission", "decide_admission", "list_users"]


@dataclass(frozen=True)
class UserView:
    operator_id: int
    username: str
    name: str
    role_label: str
    developer_name: str
    masked_phone: str
    admission: str
    admission_label: str
    active: bool
    applied_at: datetime | None
    decided_at: datetime | None
    decision_note: str | None


def _view(op: Operator, user: DeveloperUser | None, developer_name: str) -> UserView:
    admission = Admission(op.admission or Admission.APPROVED)
    return UserView(op.id or 0, op.username, op.name, ROLE_LABELS[Role(op.role)], developer_name,
                    mask_phone(user.phone) if user else "", admission.value, ADMISSION_LABELS[admission], op.active,
                    user.applied_at if user else None, user.decided_at if user else None,
                    user.decision_note if user else None)


def add_user(db: Database, actor: Actor, *, username: str, name: str, phone: str, password: str,
             credit_code: str | None = None) -> UserView:
    """用户入网 (添加用户): a new operator of the actor's enterprise (the authority and the shell
    name the enterprise), not yet admitted."""
    require(actor, Permission.DEVELOPER_USERS)  # the role first, before any input is looked at
    username, name = check_account(username, name, password)
    phone = check_developer_phone(phone)
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_USERS)
        developer = find_developer(session, actor, credit_code, lock=True)
        check_may_work(developer.status, developer.valid, developer.name)
        op = create_operator_in(session, actor, username=username, name=name, role=Role.DEVELOPER, password=password,
                                developer_id=developer.id, admission=Admission.DRAFT.value)
        user = DeveloperUser(operator_id=op.id, developer_id=developer.id, phone=phone)  # type: ignore[arg-type]
        session.add(user)
        audit.append(session, actor, "developer_user_add", object_type="operator", object_id=op.id,
                     after={"developer": developer.credit_code, "username": username, "phone": phone})
        return _view(op, user, developer.name)


def _account(session, actor: Actor, username: str) -> tuple[Operator, DeveloperUser]:  # type: ignore[no-untyped-def]
    name = username.strip().lower()
    row = session.execute(
        select(Operator, DeveloperUser).join(DeveloperUser, DeveloperUser.operator_id == Operator.id)
        .where(Operator.username == name).with_for_update()).one_or_none()
    if row is None or (actor.developer_id is not None and row[0].developer_id != actor.developer_id):
        raise RuleViolation("DEVELOPER_USER_NOT_FOUND", f"没有用户名为“{name}”的企业用户。", field="username")
    return row[0], row[1]


def apply_admission(db: Database, actor: Actor, usernames: Sequence[str]) -> list[UserView]:
    """申请入网: the administrator applies for one or several of its users (not yet applied,
    or refused before) in one go; every one must qualify or none is applied for."""
    require(actor, Permission.DEVELOPER_USERS)  # the role first, before any input is looked at
    if not usernames:
        raise RuleViolation("ADMISSION_NOBODY", "请选择要申请入网的用户。", field="username")
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_USERS)
        now = session_now(session)
        views = []
        for username in dict.fromkeys(usernames):
            op, user = _account(session, actor, username)
            if op.admission not in (Admission.DRAFT, Admission.REFUSED):
                raise RuleViolation("ADMISSION_NOT_OPEN", f"用户“{op.username}”{ADMISSION_LABELS[Admission(op.admission)]}，"
                                                          "不能再申请入网。", field="username")
            developer = developer_of(session, op.developer_id)  # type: ignore[arg-type]
            check_may_work(developer.status, developer.valid, developer.name)
            before = op.admission
            op.admission = Admission.APPLIED.value
            user.applied_at, user.applied_by = now, actor.operator_id
            user.decided_at = user.decided_by = user.decision_note = None
            audit.append(session, actor, "developer_user_apply", object_type="operator", object_id=op.id,
                         before={"admission": before}, after={"admission": op.admission})
            views.append(_view(op, user, developer.name))
        return views


def decide_admission(db: Database, actor: Actor, username: str, *, approve: bool, note: str | None = None) -> UserView:
    """入网审核: the authority admits an applied user, or refuses with a reason (the enterprise
    may apply again)."""
    require(actor, Permission.USER_ADMISSION)  # the role first, before any input is looked at
    text = check_text(note, field="note", label="审核意见", max_length=200, required=not approve,
                      empty_code="ADMISSION_REASON_REQUIRED")
    with db.write() as session:
        authorise(session, actor, Permission.USER_ADMISSION)
        op, user = _account(session, actor, username)
        if op.admission != Admission.APPLIED:
            raise RuleViolation("ADMISSION_NOT_APPLIED", f"用户“{op.username}”没有待审核的入网申请。", field="username")
        op.admission = (Admission.APPROVED if approve else Admission.REFUSED).value
        user.decided_at, user.decided_by = session_now(session), actor.operator_id
        user.decision_note = mask_numbers_in_text(text) if text else None
        audit.append(session, actor, "developer_user_admit" if approve else "developer_user_refuse",
                     object_type="operator", object_id=op.id, before={"admission": Admission.APPLIED.value},
                     after={"admission": op.admission, "note": text})
        return _view(op, user, developer_of(session, op.developer_id).name)  # type: ignore[arg-type]


def list_users(db: Database, actor: Actor, credit_code: str | None = None) -> list[UserView]:
    """The enterprise's users, its administrators first."""
    with db.read() as session:
        if actor.developer_id is None:
            authorise(session, actor, Permission.USER_ADMISSION)
        else:
            authorise(session, actor, Permission.DEVELOPER_USERS)
        developer = find_developer(session, actor, credit_code)
        rows = session.execute(
            select(Operator, DeveloperUser).outerjoin(DeveloperUser, DeveloperUser.operator_id == Operator.id)
            .where(Operator.developer_id == developer.id).order_by(Operator.role.desc(), Operator.username)).all()
        return [_view(op, user, developer.name) for op, user in rows]


def admission_queue(db: Database, actor: Actor) -> list[UserView]:
    """入网审核 queue: every applied user of every enterprise, oldest application first."""
    with db.read() as session:
        authorise(session, actor, Permission.USER_ADMISSION)
        rows = session.execute(
            select(Operator, DeveloperUser, Developer.name)
            .join(DeveloperUser, DeveloperUser.operator_id == Operator.id)
            .join(Developer, Developer.id == Operator.developer_id)
            .where(Operator.admission == Admission.APPLIED.value)
            .order_by(DeveloperUser.applied_at, Operator.id)).all()
        return [_view(op, user, name) for op, user, name in rows]
