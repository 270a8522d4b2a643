"""Every action is checked against the operator's account as it is now.

A terminal keeps its operator logged in for hours; an administrator may
disable the account, change its role or the account may be locked meanwhile.
``authorise`` is what a use case calls first: the role the session started
with must allow the action (``core.roles.require``), and the account, read
afresh from the database, must still be active, unlocked and of that role
(``core.roles.require_current``). The shell (``Actor.system``) has no account
and is checked by role only.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlmodel import Session

from core.roles import AccountState, Actor, Permission, admitted, require, require_current
from storage.engine import transaction_memo
from storage.models import Operator


class _Transactions(Protocol):
    def read(self):  # type: ignore[no-untyped-def]  # a context manager yielding a Session
        ...


_ACCOUNT = Operator.__table__  # type: ignore[attr-defined]
#: Built once: every action of every terminal runs it (Core, on the session's connection).
_ACCOUNT_STATE = (select(_ACCOUNT.c.active, _ACCOUNT.c.locked, _ACCOUNT.c.role, _ACCOUNT.c.developer_id,
                         _ACCOUNT.c.admission, _ACCOUNT.c.bank_name)
                  .where(_ACCOUNT.c.id == bindparam("operator_id")))


def account_state(session: Session, operator_id: int) -> AccountState | None:
    """The account's state as stored now, or None when the account is gone."""
    row = session.connection().execute(_ACCOUNT_STATE, {"operator_id": operator_id}).one_or_none()
    if row is None:
        return None
    return AccountState(active=row.active, locked=row.locked, role=row.role, developer_id=row.developer_id,
                        admitted=admitted(row.admission), bank_name=row.bank_name)


def authorise(where: _Transactions | Session, actor: Actor | None, permission: Permission) -> Actor:
    """Refuse unless ``actor`` may do this now (see the module docstring); returns the actor.

    ``where`` is the database handle (a short read of the account) or, inside a
    use case's own transaction, its session.
    """
    require(actor, permission)
    assert actor is not None  # require refused a missing actor
    if actor.operator_id is None:
        return actor
    opened = nullcontext(where) if isinstance(where, Session) else where.read()
    with opened as session:
        # Read once per transaction: the steps of one use case (its case moves, say) ask again.
        memo = transaction_memo(session)
        key = ("account", actor.operator_id)
        if key not in memo:
            memo[key] = account_state(session, actor.operator_id)
        state = memo[key]
    require_current(actor, state)  # type: ignore[arg-type]
    return actor
