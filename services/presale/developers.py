"""开发企业 (seed 004 §3.1): the authority registers a development enterprise and its
administrator's account; the administrator completes the enterprise's facts (机构信息管理)
and keeps its banks (银行信息: 按揭银行, 监管银行账户, 贷款银行).

Each use case authorises the actor inside its own transaction (``services.authority``),
checks every value with ``core.presale.developers`` (nothing is written when one is bad),
writes and appends one audit row (the legal representative's ID and phone masked by the
audit log). A developer's staff see and change only their own enterprise; only the
authority changes an enterprise's status and validity.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from core.errors import RuleViolation
from core.presale.developers import BankEntry, DeveloperEntry, DeveloperRecord, check_bank, check_developer, \
    check_developer_phone
from core.roles import Actor, Admission, Permission, Role, require
from core.timeutil import local_today
from services import audit
from services.authority import authorise
from services.operators import check_account, create_operator_in
from services.presale.common import BankView, DeveloperView, bank_view, developer_view, find_developer
from storage.engine import Database, session_now
from storage.models import Developer, DeveloperBank, DeveloperUser

__all__ = [
    "add_bank",
    "add_developer_admin",
    "change_developer",
    "list_banks",
    "list_developers",
    "register_developer",
    "remove_bank",
    "show_developer",
]

#: What only the authority changes (the enterprise's own staff may not).
_AUTHORITY_FIELDS = frozenset({"status", "valid"})


def _snapshot(record: DeveloperRecord) -> dict[str, object]:
    return {key: (str(value) if value is not None and not isinstance(value, (str, bool)) else value)
            for key, value in asdict(record).items()}


def register_developer(db: Database, actor: Actor, entry: DeveloperEntry) -> DeveloperView:
    """登记开发企业: the authority registers an enterprise (its credit code once)."""
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_REGISTER)
        now = session_now(session)
        record = check_developer(entry, today=local_today(now))
        taken = session.execute(select(Developer.id).where(Developer.credit_code == record.credit_code)).first()
        if taken:
            raise RuleViolation("DEVELOPER_EXISTS", "该统一社会信用代码的开发企业已经登记。", field="credit_code")
        developer = Developer(**asdict(record), created_at=now, updated_at=now)
        session.add(developer)
        try:
            session.flush()
        except IntegrityError:  # another terminal registered it a moment ago
            raise RuleViolation("DEVELOPER_EXISTS", "该统一社会信用代码的开发企业已经登记。", field="credit_code") from None
        audit.append(session, actor, "developer_register", object_type="developer", object_id=developer.id,
                     after=_snapshot(record))
        return developer_view(developer)


def _as_entry(d: Developer) -> DeveloperEntry:
    """The stored enterprise as an entry (capitals back in 万元), to re-check with changes."""
    values = {f.name: getattr(d, f.name) for f in fields(DeveloperEntry)}
    for key in ("registered_capital", "paid_in_capital"):
        if values[key] is not None:
            values[key] = DeveloperView.capital_wan(values[key])
    return DeveloperEntry(**values)


def change_developer(db: Database, actor: Actor, credit_code: str | None, **changes: object) -> DeveloperView:
    """机构信息管理 (编辑): change an enterprise's facts. ``changes`` by field name (DeveloperEntry);
    a value of None leaves the field as it is, a blank text empties an optional one. The credit
    code never changes; status and validity only by the authority."""
    require(actor, Permission.DEVELOPER_MAINTAIN)  # the role first; the status also needs DEVELOPER_REGISTER
    unknown = set(changes) - ({f.name for f in fields(DeveloperEntry)} - {"credit_code"})
    if unknown:
        raise TypeError(f"not a field of an enterprise: {sorted(unknown)}")
    given = {key: value for key, value in changes.items() if value is not None}
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_MAINTAIN)
        if _AUTHORITY_FIELDS & set(given):
            authorise(session, actor, Permission.DEVELOPER_REGISTER)
        developer = find_developer(session, actor, credit_code, lock=True)
        if not given:
            raise RuleViolation("DEVELOPER_NOTHING_CHANGED", "没有填写要变更的内容。")
        now = session_now(session)
        before_entry = _as_entry(developer)
        before = check_developer(before_entry, today=local_today(now))
        record = check_developer(DeveloperEntry(**{**asdict(before_entry), **given}), today=local_today(now))
        changed = {k: v for k, v in asdict(record).items() if asdict(before)[k] != v}
        if not changed:
            raise RuleViolation("DEVELOPER_NOTHING_CHANGED", "填写的内容与登记的相同，没有变更。")
        for key, value in changed.items():
            setattr(developer, key, value)
        developer.updated_at = now
        old, new = _snapshot(before), _snapshot(record)
        audit.append(session, actor, "developer_change", object_type="developer", object_id=developer.id,
                     before={k: old[k] for k in changed}, after={k: new[k] for k in changed})
        return developer_view(developer)


def show_developer(db: Database, actor: Actor, credit_code: str | None = None) -> DeveloperView:
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        return developer_view(find_developer(session, actor, credit_code))


def list_developers(db: Database, actor: Actor, text: str | None = None, *, limit: int = 200) -> list[DeveloperView]:
    """The enterprises whose name or credit code contains ``text`` (a developer's staff: their own)."""
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        query = select(Developer).order_by(Developer.name, Developer.id).limit(limit)
        if actor.developer_id is not None:
            query = query.where(Developer.id == actor.developer_id)
        if text and text.strip():
            needle = text.strip()
            query = query.where(or_(Developer.name.contains(needle), Developer.credit_code.contains(needle.upper())))
        return [developer_view(d) for d in session.execute(query).scalars()]


def add_developer_admin(db: Database, actor: Actor, credit_code: str, *, username: str, name: str, phone: str,
                        password: str) -> int:
    """The authority opens the enterprise's administrator account (开发企业管理员): admitted at
    once, bound to the enterprise. Returns the operator's id."""
    require(actor, Permission.DEVELOPER_REGISTER)  # the role first, before any input is looked at
    username, name = check_account(username, name, password)
    phone = check_developer_phone(phone)
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_REGISTER)
        developer = find_developer(session, actor, credit_code, lock=True)
        op = create_operator_in(session, actor, username=username, name=name, role=Role.DEVELOPER_ADMIN,
                                password=password, developer_id=developer.id, admission=Admission.APPROVED.value)
        now = session_now(session)
        session.add(DeveloperUser(operator_id=op.id, developer_id=developer.id, phone=phone,  # type: ignore[arg-type]
                                  applied_at=now, applied_by=actor.operator_id, decided_at=now,
                                  decided_by=actor.operator_id, decision_note="主管部门开设的管理员账户"))
        audit.append(session, actor, "developer_admin_add", object_type="operator", object_id=op.id,
                     after={"developer": developer.credit_code, "username": username, "phone": phone})
        return op.id  # type: ignore[return-value]


# --------------------------------------------------------------------------
# Banks
# --------------------------------------------------------------------------


def add_bank(db: Database, actor: Actor, credit_code: str | None, entry: BankEntry) -> BankView:
    """添加按揭银行 / 监管银行账户维护 / 添加贷款银行: one bank of the enterprise (the same bank,
    branch and account once per purpose)."""
    require(actor, Permission.DEVELOPER_MAINTAIN)  # the role first, before any input is looked at
    record = check_bank(entry)
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_MAINTAIN)
        developer = find_developer(session, actor, credit_code, lock=True)
        same = session.execute(select(func.count()).select_from(DeveloperBank).where(
            DeveloperBank.developer_id == developer.id, DeveloperBank.active.is_(True),
            DeveloperBank.purpose == record.purpose, DeveloperBank.bank_name == record.bank_name,
            func.coalesce(DeveloperBank.branch, "") == (record.branch or ""),
            func.coalesce(DeveloperBank.account_number, "") == (record.account_number or ""))).scalar_one()
        if same:
            raise RuleViolation("BANK_EXISTS", "该银行已经登记在本企业的银行信息中。", field="bank_name")
        bank = DeveloperBank(developer_id=developer.id, **asdict(record), created_at=session_now(session))  # type: ignore[arg-type]
        session.add(bank)
        session.flush()
        audit.append(session, actor, "developer_bank_add", object_type="developer_bank", object_id=bank.id,
                     after={"developer": developer.credit_code, **asdict(record)})
        return bank_view(bank)


def remove_bank(db: Database, actor: Actor, bank_id: int) -> None:
    """Take a bank off the enterprise's list (kept in history: agreements may name it)."""
    with db.write() as session:
        authorise(session, actor, Permission.DEVELOPER_MAINTAIN)
        bank = session.get(DeveloperBank, bank_id, with_for_update=True)
        if bank is None or not bank.active:
            raise RuleViolation("BANK_NOT_FOUND", f"没有编号为 {bank_id} 的银行信息。", field="bank")
        find_developer(session, actor, session.get(Developer, bank.developer_id).credit_code)  # type: ignore[union-attr]
        bank.active = False
        audit.append(session, actor, "developer_bank_remove", object_type="developer_bank", object_id=bank.id,
                     before={"purpose": bank.purpose, "bank_name": bank.bank_name, "account_number": bank.account_number})


def list_banks(db: Database, actor: Actor, credit_code: str | None = None, purpose: str | None = None) -> list[BankView]:
    with db.read() as session:
        authorise(session, actor, Permission.PRESALE_VIEW)
        developer = find_developer(session, actor, credit_code)
        query = select(DeveloperBank).where(DeveloperBank.developer_id == developer.id,
                                            DeveloperBank.active.is_(True)).order_by(DeveloperBank.purpose,
                                                                                     DeveloperBank.id)
        if purpose:
            query = query.where(DeveloperBank.purpose == purpose)
        return [bank_view(b) for b in session.execute(query).scalars()]
