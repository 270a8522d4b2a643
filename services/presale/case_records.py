"""Opening a presale case's own record (survey, room designation, permit, fund agreement,
withdrawal, contract) by its case number, and taking it at a stage the actor holds.

Every presale module had written this lookup itself; one version keeps the rules the same
everywhere: the number is folded to half width, trimmed, upper-cased and cut to its width
(and quoted back as typed); the record row (not the case) is locked when asked; a case the
actor may not see is refused exactly as one that does not exist, so a developer's staff cannot
learn another's case numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, select
from sqlmodel import Session

from core.errors import RuleViolation
from core.roles import Actor, Permission
from core.text import fold_width, printable
from services import cases
from services.authority import authorise
from storage.models import Case

__all__ = ["as_typed", "at_stage", "case_number_of", "open_record", "take_at"]


def case_number_of(number: object, width: int = 20) -> str:
    """A typed case (or contract) number as it is looked up: full-width letters and digits (a
    Chinese input method's ＨＴ２０２６…) as ASCII (``core.text.fold_width``), trimmed, upper
    case, cut to ``width``."""
    return fold_width(number).strip().upper()[:width] if isinstance(number, str) else ""


def as_typed(number: object, limit: int = 40) -> str:
    """A typed number as a refusal quotes it: what was typed (trimmed), not what was looked up —
    "没有…为“ysht2026…”" tells the clerk what the terminal received; clipped to ``limit`` and
    safe for a terminal (``core.text.printable``)."""
    return printable(number.strip() if isinstance(number, str) else number, limit=limit)


def open_record(session: Session, actor: Actor, number: object, record: type, *,
                joined: Sequence[tuple[type, ColumnElement[bool]]] = (), code: str, missing: str,
                lock: bool = False, width: int = 20, also: Callable[[str], ColumnElement[bool]] | None = None,
                sees: Callable[[tuple[Any, ...]], bool] | None = None) -> tuple[Any, ...]:
    """The row ``(record, Case, *joined)`` of the case ``number`` (looked up as ``case_number_of``).

    ``also`` widens the match (a contract is found by its own number too); ``sees`` is the
    module's own visibility rule on top of the case's. Refused: ``code`` with ``missing``, a
    sentence naming the number as ``{number}`` — as typed (``as_typed``).
    """
    shown = case_number_of(number, width)
    query = select(record, Case, *(model for model, _ in joined)).join(Case, Case.id == record.case_id)
    for model, onclause in joined:
        query = query.join(model, onclause)
    matches = Case.number == shown
    query = query.where(matches | also(shown) if also is not None else matches)
    if lock:
        query = query.with_for_update(of=record)
    row = session.execute(query).one_or_none()
    if row is None or not cases.visible(actor, row[1]) or (sees is not None and not sees(tuple(row))):
        raise RuleViolation(code, missing.format(number=as_typed(number)), field="number")
    return tuple(row)


class _Opened(Protocol):
    case: Case


Opened = TypeVar("Opened", bound=_Opened)


def at_stage(session: Session, actor: Actor, number: object, opener: Callable[..., Opened], *,
             permission: Permission, stage: str, what: str,
             check: Callable[[Any, Actor, str, str], None]) -> Opened:
    """The record of a case at ``stage`` in the actor's hands, locked, after checking the
    actor's permission in this transaction; ``check`` is the module's stage rule."""
    authorise(session, actor, permission)
    opened = opener(session, actor, number, lock=True)
    check(cases.state_of(opened.case), actor, stage, what)
    return opened


def take_at(session: Session, actor: Actor, case: Case, stages: tuple[str, ...], what: str, *, code: str,
            subject: str, check: Callable[[Any, Actor, str, str], None]) -> str:
    """A case dispatched to the actor's role at one of ``stages``: received in this transaction if
    it is still waiting (接件 and the step are one), then ``check``-ed as held. Returns the stage.
    Refused: ``code`` ("{subject}正处于“…”阶段，不能{what}。"), and the case engine's."""
    from core.cases import CaseStatus, case_type

    if case.stage not in stages or case.status != CaseStatus.ACTIVE.value:
        kind = case_type(case.type_code)
        here = kind.stages[kind.stage_index(case.stage)].name
        raise RuleViolation(code, f"{subject}正处于“{here}”阶段，不能{what}。")
    if case.holder_id is None:
        cases.receive_in(session, actor, case.number)
    check(cases.state_of(case), actor, case.stage, what)
    return case.stage
