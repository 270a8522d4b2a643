"""The case engine's use cases: accept, dispatch, receive, return, cancel, archive,
and the in-hand list, done list and progress timeline (seed 004 §4)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, and_, func, or_, select, text, true
from sqlmodel import Session

from core import cases as rules
from core.cases import (
    ACTION_LABELS,
    CASE_STATUS_LABELS,
    ActionKind,
    CaseState,
    CaseStatus,
    Target,
)
from core.errors import RuleViolation
from core.identity import mask_numbers_in_text
from core.roles import Actor, Permission, ROLE_LABELS, Role, require
from core.time_limits import TIME_LIMITS, CaseClock, ClockState, TimeLimit, case_clock, time_limit
from core.timeutil import SHANGHAI, local_today
from services import audit
from services.authority import authorise
from storage.engine import Database, session_now, transaction_memo
from storage.models import Case, CaseEvent, CaseParty, Operator

_NEXT_NUMBER = text(
    "INSERT INTO case_sequence (day, last) VALUES (:day, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = case_sequence.last + 1 RETURNING last"
)


def next_case_number(session: Session, letter: str, day: date) -> str:
    """Take the next number of the day atomically (unique across terminals).

    One upsert with RETURNING on the day's counter row. On SQLite it runs in the
    caller's transaction (which already holds the database's write lock). On
    PostgreSQL it commits on a connection of its own at once: in the caller's
    transaction the day's row would stay locked until that whole use case
    commits, and every terminal opening a case would queue behind it. The price
    is that a number taken by a use case that then fails is not used again: the
    day's numbers rise and never repeat, but may skip.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        last = session.execute(_NEXT_NUMBER, {"day": day}).scalar_one()
    else:
        engine = bind if isinstance(bind, Engine) else bind.engine
        with engine.connect() as conn:
            last = conn.execute(_NEXT_NUMBER, {"day": day}).scalar_one()
            conn.commit()
    return rules.format_case_number(letter, day, last)


def state_of(case: Case) -> CaseState:
    """The case's state as the pure rules take it (``core.cases``)."""
    return CaseState(
        case.type_code,
        case.stage,
        CaseStatus(case.status),
        case.holder_id,
        Role(case.pending_role) if case.pending_role else None,
        case.pending_operator_id,
    )


def _store(case: Case, state: CaseState, now: datetime) -> None:
    case.stage = state.stage
    case.status = state.status.value
    case.holder_id = state.holder_id
    case.pending_role = state.pending_role.value if state.pending_role else None
    case.pending_operator_id = state.pending_operator_id
    case.updated_at = now


def _snapshot(case: Case) -> dict[str, object]:
    return {
        "stage": case.stage,
        "status": case.status,
        "holder_id": case.holder_id,
        "pending_role": case.pending_role,
        "pending_operator_id": case.pending_operator_id,
    }


def _not_found(number: str) -> RuleViolation:
    return RuleViolation("CASE_NOT_FOUND", f"没有业务号为“{number}”的业务。", field="number")


def visible(actor: Actor, case: Case) -> bool:
    """A developer's staff see only their enterprise's cases, a bank's reviewers only their
    bank's; the hall's staff see every case."""
    return ((actor.developer_id is None or case.developer_id == actor.developer_id)
            and (actor.bank_name is None or case.bank_name == actor.bank_name))


def _load_for_update(session: Session, actor: Actor, number: str) -> Case:
    number = number.strip().upper()
    memo = transaction_memo(session)
    key = ("case locked", number)
    if key in memo:  # locked by an earlier move of this transaction (派工 then 接件): the row is ours
        return memo[key]  # type: ignore[return-value]
    # populate_existing: a case this transaction read before the lock is read again under it
    case = session.execute(select(Case).where(Case.number == number).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one_or_none()
    if case is None or not visible(actor, case):
        raise _not_found(number)
    memo[key] = case
    return case


def _event(session: Session, case: Case, actor: Actor, kind: ActionKind, from_stage: str | None, note: str | None = None) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            at=session_now(session),
            operator_id=actor.operator_id,
            operator_name=actor.name,
            action=kind.value,
            from_stage=from_stage,
            to_stage=case.stage,
            note=mask_numbers_in_text(note) if note else note,  # the history is read by many: no typed ID or phone
        )
    )


def accept_in(
    session: Session,
    actor: Actor,
    type_code: str,
    *,
    summary: str = "",
    parties: list[tuple[str, int, str]] = (),  # type: ignore[assignment]
    developer_id: int | None = None,
) -> Case:
    """Accept a new case inside the caller's transaction (for flows that create one).

    ``developer_id``: the development enterprise the case belongs to (its staff see it)."""
    authorise(session, actor, Permission.CASE_ACCEPT)
    if actor.developer_id is not None and developer_id != actor.developer_id:
        raise RuleViolation("CASE_OTHER_DEVELOPER", "只能为本企业受理业务。")
    state = rules.accept(type_code, actor)
    kind = rules.case_type(type_code)
    now = session_now(session)
    case = Case(
        number=next_case_number(session, kind.letter, local_today(now)),
        type_code=type_code,
        stage=state.stage,
        status=state.status.value,
        holder_id=state.holder_id,
        summary=summary[:200],
        developer_id=developer_id,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    for party_kind, party_id, role in parties:
        session.add(
            CaseParty(
                case_id=case.id,
                person_id=party_id if party_kind == "person" else None,
                organisation_id=party_id if party_kind == "organisation" else None,
                role=role,
            )
        )
    _event(session, case, actor, ActionKind.ACCEPT, None)
    audit.append(
        session, actor, "case_accept", object_type="case", object_id=case.id, case_number=case.number,
        after={"type": type_code, **_snapshot(case)},
    )
    return case


def accept_case(db: Database, actor: Actor, type_code: str, *, summary: str = "", parties=()) -> str:
    """受理: create a case at its first stage, held by the accepting clerk."""
    require(actor, Permission.CASE_ACCEPT)  # the role first, before any input is looked at
    kind = rules.case_type(type_code)
    if ActionKind.ACCEPT.value in kind.domain_moves:
        raise RuleViolation("CASE_MOVE_IN_DOMAIN", f"“{kind.name}”业务的{ACTION_LABELS[ActionKind.ACCEPT]}须在该业务的办理界面中进行。")
    with db.write() as session:
        return accept_in(session, actor, type_code, summary=summary, parties=list(parties)).number


def act_in(session: Session, actor: Actor, number: str, kind: ActionKind, change, note: str | None = None) -> Case:
    """Apply one move to a case inside the caller's transaction: lock, change, record, audit.

    ``change(session, case, state) -> new state`` is where the pure rule runs.
    Flows that move a case as part of a larger write (a lease step, a filing)
    call the ``*_in`` functions below so that the step and the move commit together.
    """
    authorise(session, actor, Permission.CASE_WORK)
    case = _load_for_update(session, actor, number)
    before = _snapshot(case)
    from_stage = case.stage
    _store(case, change(session, case, state_of(case)), session_now(session))
    _event(session, case, actor, kind, from_stage, note)
    audit.append(
        session, actor, f"case_{kind.value}", object_type="case", object_id=case.id,
        case_number=case.number, before=before, after={**_snapshot(case), "note": note},
    )
    return case


def dispatch_in(session: Session, actor: Actor, number: str, *, role: Role | str | None = None,
                operator: str | None = None, to_stage: str | None = None, note: str | None = None) -> Case:
    """派工: to a named operator (username), to everyone of a role, or by default to the next stage's role
    (``to_stage``: a later stage than the next, for a domain's route; ``core.cases.dispatch``).
    ``note``: what the history adds after whom it went to (a return's reason; masked there)."""

    to_self = bool(operator) and operator == actor.username and actor.operator_id is not None

    def change(session: Session, case: Case, state: CaseState) -> CaseState:
        if to_self:  # to the acting operator, whose account ``act_in`` has just checked
            target = Target(actor.role, actor.operator_id)
        elif operator:
            op = session.execute(select(Operator).where(Operator.username == operator)).scalar_one_or_none()
            if op is None or not op.active:
                raise RuleViolation("CASE_DISPATCH_NO_OPERATOR", f"没有可接件的操作员“{operator}”。", field="operator")
            target = Target(Role(op.role), op.id)
        elif role:
            try:
                target = Target(Role(role))
            except ValueError:
                raise RuleViolation("CASE_DISPATCH_BAD_ROLE", "派工对象的角色不正确。", field="role") from None
        else:
            kind = rules.case_type(state.type_code)
            index = kind.stage_index(to_stage) - 1 if to_stage else kind.stage_index(state.stage)
            if index + 1 >= len(kind.stages):
                raise RuleViolation("CASE_LAST_STAGE", "该业务已在最后办理阶段，请归档而不是派工。")
            target = Target(kind.stages[index + 1].role)
        return rules.dispatch(state, actor, target, to_stage)

    if to_self:
        who = actor.name
    elif operator:
        who = session.execute(select(Operator.name).where(Operator.username == operator)).scalar_one_or_none() or operator
    else:
        who = ROLE_LABELS[Role(role)] if role and role in Role._value2member_map_ else None
    said = "；".join(x for x in (f"派工给{who}" if who else None, note.strip() if note else None) if x)
    return act_in(session, actor, number, ActionKind.DISPATCH, change, note=said or None)


def receive_in(session: Session, actor: Actor, number: str) -> Case:
    return act_in(session, actor, number, ActionKind.RECEIVE, lambda s, c, st: rules.receive(st, actor))


def last_handler(session: Session, case: Case, stage: str) -> int | None:
    """The operator who last took ``stage`` of the case (退件 goes back to them)."""
    return session.execute(
        select(CaseEvent.operator_id)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.to_stage == stage,
            CaseEvent.action.in_([ActionKind.ACCEPT.value, ActionKind.RECEIVE.value]),
        )
        .order_by(CaseEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def return_in(session: Session, actor: Actor, number: str, *, to_stage: str, reason: str) -> Case:
    """退件: back to an earlier stage, to whoever last worked it."""

    def change(session: Session, case: Case, state: CaseState) -> CaseState:
        return rules.return_to(state, actor, to_stage, reason, last_handler(session, case, to_stage))

    return act_in(session, actor, number, ActionKind.RETURN, change, note=reason.strip())


def cancel_in(session: Session, actor: Actor, number: str, *, reason: str) -> Case:
    return act_in(session, actor, number, ActionKind.CANCEL, lambda s, c, st: rules.cancel(st, actor, reason),
                  note=reason.strip())


def terminate_in(session: Session, actor: Actor, number: str, *, reason: str) -> Case:
    """End the case with its subject (see ``core.cases.terminate``), in the caller's transaction."""
    return act_in(session, actor, number, ActionKind.TERMINATE, lambda s, c, st: rules.terminate(st, reason),
                  note=reason.strip())


def archive_in(session: Session, actor: Actor, number: str) -> Case:
    return act_in(session, actor, number, ActionKind.ARCHIVE, lambda s, c, st: rules.archive(st, actor))


def close_in(session: Session, actor: Actor, number: str) -> Case:
    """办结 at the current stage (``core.cases.close``), recorded as an archiving."""
    return act_in(session, actor, number, ActionKind.ARCHIVE, lambda s, c, st: rules.close(st, actor))


# ---------------------------------------------------------------- the domains' flows


@dataclass(frozen=True)
class CaseFlow:
    """How a domain works the cases of its types, as the generic moves (在手业务 F6–F9, the CLI's
    ``case`` commands) must respect it (``core.cases``: ``domain_moves`` are always the flow's,
    ``flow_moves`` when the case carries the domain's subject).

    ``owns``: whether a case carries the subject (a case accepted at the generic desk has none and
    is moved by the engine alone); None: every case does. A move of the flow's runs
    ``handlers[move]``, the domain's own service with its checks and effects, called as the generic
    action is (``cancel``: ``(db, actor, number, *, reason)``; ``return``: ``(db, actor, number, *,
    to_stage, reason)``); without one it is refused, with ``refusals[move]`` or a sentence naming
    ``screen``, where the case is worked."""

    screen: str
    handlers: Mapping[str, Callable[..., object]] = field(default_factory=dict)
    refusals: Mapping[str, str] = field(default_factory=dict)
    owns: Callable[[Session, Case], bool] | None = None


_FLOWS: dict[str, CaseFlow] = {}


def register_flow(type_codes: Iterable[str], flow: CaseFlow) -> None:
    """A domain registers how its case types are worked (at import; ``services.flows`` loads them all)."""
    for code in type_codes:
        rules.case_type(code)  # an unknown type is a programming error, caught at import
        _FLOWS[code] = flow


def flow_of(type_code: str) -> CaseFlow | None:
    """The registered flow of a case type, if its domain registered one."""
    return _FLOWS.get(type_code)


def _generic(session: Session, actor: Actor, number: str, kind: ActionKind) -> Callable[..., object] | None:
    """Whose move this is: None when the engine may make it here; the domain's service when the
    case's flow makes it; refused (CASE_MOVE_IN_DOMAIN, naming the screen) when only the flow's
    screen can. Safe by default: a move ``core.cases`` gives the domain is refused when no flow
    registered (``services.flows`` registers them all)."""
    authorise(session, actor, Permission.CASE_WORK)
    case = session.execute(select(Case).where(Case.number == number.strip().upper())).scalar_one_or_none()
    if case is None or not visible(actor, case):
        return None  # the move itself says it is not found
    kind_type = rules.case_type(case.type_code)
    flow = _FLOWS.get(case.type_code)
    if kind.value not in kind_type.domain_moves:
        if kind.value not in kind_type.flow_moves:
            return None
        if flow is not None and flow.owns is not None and not flow.owns(session, case):
            return None  # no subject: the engine's move (unregistered, the flow's and refused)
    handler = flow.handlers.get(kind.value) if flow is not None else None
    if handler is not None:
        return handler
    if flow is not None and kind.value in flow.refusals:
        raise RuleViolation("CASE_MOVE_IN_DOMAIN", flow.refusals[kind.value])
    where = f"“{flow.screen}”界面" if flow is not None else "该业务的办理界面"
    raise RuleViolation("CASE_MOVE_IN_DOMAIN", f"“{kind_type.name}”业务的{ACTION_LABELS[kind]}须在{where}中办理。")


def dispatch_case(db: Database, actor: Actor, number: str, *, role: Role | str | None = None,
                  operator: str | None = None) -> None:
    with db.write() as session:
        handler = _generic(session, actor, number, ActionKind.DISPATCH)
        if handler is None:
            dispatch_in(session, actor, number, role=role, operator=operator)
            return
    handler(db, actor, number)


def receive_case(db: Database, actor: Actor, number: str) -> None:
    with db.write() as session:
        receive_in(session, actor, number)


def return_case(db: Database, actor: Actor, number: str, *, to_stage: str, reason: str) -> None:
    with db.write() as session:
        handler = _generic(session, actor, number, ActionKind.RETURN)
        if handler is None:
            return_in(session, actor, number, to_stage=to_stage, reason=reason)
            return
    handler(db, actor, number, to_stage=to_stage, reason=reason)


def cancel_case(db: Database, actor: Actor, number: str, *, reason: str) -> None:
    """取消受理 from the generic desk: by the case's domain where it owns the move (a presale
    contract's unit is released, a survey made void), else by the engine."""
    with db.write() as session:
        handler = _generic(session, actor, number, ActionKind.CANCEL)
        if handler is None:
            cancel_in(session, actor, number, reason=reason)
            return
    handler(db, actor, number, reason=reason)


def archive_case(db: Database, actor: Actor, number: str) -> None:
    with db.write() as session:
        handler = _generic(session, actor, number, ActionKind.ARCHIVE)
        if handler is None:
            archive_in(session, actor, number)
            return
    handler(db, actor, number)


# ---------------------------------------------------------------- read side


@dataclass(frozen=True)
class CaseRow:
    number: str
    type_name: str
    stage_name: str
    status_label: str  # in hand: the task's state (待接件 / 办理中); done: the case's (已办结 …)
    summary: str
    received_at: datetime | None  # when it came into my hands / when I started
    finished_at: datetime | None
    dispatched_by: str | None  # 上一派工人员
    waiting: bool  # 待接件
    task_label: str = ""  # 任务状态 (seed 004 §4.2): 待接件 / 办理中, or 正常完成 / 退件 / 取消受理
    case_label: str = ""  # 业务状态: 未办结 / 已办结 / 已取消受理
    clock: CaseClock | None = None  # the case's statutory clock (``core.time_limits``)
    type_code: str = ""  # the case type (``core.cases``): which screen works it
    bare: bool = False  # accepted at the generic desk: no domain subject behind it (``CaseFlow.owns``)


#: 任务状态 of a finished stage in 已办业务, by the move that finished it.
TASK_DONE_LABELS = {
    ActionKind.DISPATCH.value: "正常完成",
    ActionKind.ARCHIVE.value: "正常完成",
    ActionKind.RETURN.value: "退件",
    ActionKind.CANCEL.value: "取消受理",
}


def _bare(session: Session, case: Case) -> bool:
    """Whether a case of a type whose flow tells (``CaseFlow.owns``) carries no subject of its own."""
    flow = _FLOWS.get(case.type_code)
    return flow is not None and flow.owns is not None and not flow.owns(session, case)


def clock_of(case: Case, today: date) -> CaseClock:
    """The case's statutory clock on ``today``: from its day of acceptance, stopped on its closing day."""
    closed = None if case.status == CaseStatus.ACTIVE.value else local_today(case.updated_at)
    return case_clock(case.type_code, local_today(case.created_at), today, closed)


@dataclass(frozen=True)
class CaseFilter:
    type_code: str | None = None
    status: str | None = None
    number_contains: str | None = None
    since: date | None = None
    until: date | None = None


def _stage_name(type_code: str, stage: str) -> str:
    kind = rules.case_type(type_code)
    return kind.stages[kind.stage_index(stage)].name


def _local_bounds(f: CaseFilter) -> tuple[datetime | None, datetime | None]:
    lo = datetime.combine(f.since, time.min, SHANGHAI) if f.since else None
    hi = datetime.combine(f.until + timedelta(days=1), time.min, SHANGHAI) if f.until else None
    return lo, hi


def _apply_filter(query, f: CaseFilter, moment_column):
    if f.type_code:
        query = query.where(Case.type_code == f.type_code)
    if f.status:
        query = query.where(Case.status == f.status)
    if f.number_contains:
        query = query.where(Case.number.contains(f.number_contains.strip().upper()))
    lo, hi = _local_bounds(f)
    if lo:
        query = query.where(moment_column >= lo)
    if hi:
        query = query.where(moment_column < hi)
    return query


def in_hand(db: Database, actor: Actor, f: CaseFilter = CaseFilter()) -> list[CaseRow]:
    """在手业务: cases I hold, and cases waiting for me or my role to receive them."""
    authorise(db, actor, Permission.CASE_WORK)
    with db.read() as session:
        query = select(Case).where(
            Case.status == CaseStatus.ACTIVE.value,
            true() if actor.developer_id is None else Case.developer_id == actor.developer_id,
            true() if actor.bank_name is None else Case.bank_name == actor.bank_name,
            or_(
                Case.holder_id == actor.operator_id,
                and_(Case.holder_id.is_(None), Case.pending_operator_id == actor.operator_id),
                and_(Case.holder_id.is_(None), Case.pending_operator_id.is_(None), Case.pending_role == actor.role.value),
            ),
        )
        query = _apply_filter(query, f, Case.updated_at).order_by(Case.updated_at.desc()).limit(500)
        today = local_today(session_now(session))
        rows = []
        for case in session.execute(query).scalars():
            last = session.execute(
                select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc()).limit(1)
            ).scalar_one()
            task = "待接件" if case.holder_id is None else "办理中"
            rows.append(
                CaseRow(
                    case.number,
                    rules.case_type(case.type_code).name,
                    _stage_name(case.type_code, case.stage),
                    task,
                    case.summary,
                    last.at,
                    None,
                    last.operator_name if last.action in (ActionKind.DISPATCH.value, ActionKind.RETURN.value) else None,
                    case.holder_id is None,
                    task,
                    CASE_STATUS_LABELS[CaseStatus(case.status)],
                    clock_of(case, today),
                    case.type_code,
                    _bare(session, case),
                )
            )
        return rows


def done_list(db: Database, actor: Actor, f: CaseFilter = CaseFilter()) -> list[CaseRow]:
    """已办业务: one row per stage I worked and finished, newest first."""
    authorise(db, actor, Permission.CASE_WORK)
    finishing = [a.value for a in (ActionKind.DISPATCH, ActionKind.RETURN, ActionKind.CANCEL, ActionKind.ARCHIVE)]
    with db.read() as session:
        query = (
            select(CaseEvent, Case)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(CaseEvent.operator_id == actor.operator_id, CaseEvent.action.in_(finishing))
        )
        query = _apply_filter(query, f, CaseEvent.at).order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(500)
        today = local_today(session_now(session))
        rows = []
        for event, case in session.execute(query).all():
            start = session.execute(
                select(CaseEvent)
                .where(
                    CaseEvent.case_id == case.id,
                    CaseEvent.id < event.id,
                    CaseEvent.to_stage == event.from_stage,
                    CaseEvent.action.in_([ActionKind.ACCEPT.value, ActionKind.RECEIVE.value]),
                )
                .order_by(CaseEvent.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            sender = None
            if start is not None and start.action == ActionKind.RECEIVE.value:
                # 上一派工人员: whoever dispatched (or returned) the case into my hands.
                sender = session.execute(
                    select(CaseEvent.operator_name)
                    .where(
                        CaseEvent.case_id == case.id,
                        CaseEvent.id < start.id,
                        CaseEvent.action.in_([ActionKind.DISPATCH.value, ActionKind.RETURN.value]),
                    )
                    .order_by(CaseEvent.id.desc())
                    .limit(1)
                ).scalar_one_or_none()
            rows.append(
                CaseRow(
                    case.number,
                    rules.case_type(case.type_code).name,
                    _stage_name(case.type_code, event.from_stage or case.stage),
                    CASE_STATUS_LABELS[CaseStatus(case.status)],
                    case.summary,
                    start.at if start else None,
                    event.at,
                    sender,
                    False,
                    TASK_DONE_LABELS[event.action],
                    CASE_STATUS_LABELS[CaseStatus(case.status)],
                    clock_of(case, today),
                    case.type_code,
                    _bare(session, case),
                )
            )
        return rows


#: 近期办结: how far back the desk counts the cases finished (days, the operator's local days).
RECENT_DAYS = 30


def recently_finished(db: Database, actor: Actor, *, days: int = RECENT_DAYS) -> int:
    """近期办结 (最近业务处理数, seed 004 §2.1): the cases finished (archived, 已办结) since the
    start of the local day ``days - 1`` days ago — a developer's staff count their enterprise's
    cases (the authority archives them), everyone else the cases they worked on."""
    authorise(db, actor, Permission.CASE_WORK)
    with db.read() as session:
        since = datetime.combine(local_today(session_now(session)) - timedelta(days=max(days, 1) - 1), time.min,
                                 SHANGHAI)
        query = select(func.count()).select_from(Case).where(
            Case.status == CaseStatus.ARCHIVED.value, Case.updated_at >= since)
        if actor.developer_id is not None:
            query = query.where(Case.developer_id == actor.developer_id)
        else:
            worked = select(CaseEvent.id).where(CaseEvent.case_id == Case.id,
                                                CaseEvent.operator_id == actor.operator_id)
            query = query.where(worked.exists())
            if actor.bank_name is not None:
                query = query.where(Case.bank_name == actor.bank_name)
        return int(session.execute(query).scalar_one())


@dataclass(frozen=True)
class DueRow:
    """An open case against its statutory clock (超期 / 即将到期 督办)."""

    number: str
    type_code: str
    type_name: str
    stage_name: str
    handler: str  # who holds it, or 待接件（whom it waits for）
    accepted_at: datetime
    clock: CaseClock
    limit: TimeLimit  # the case type's time limit and its source


#: Listed by ``due_cases``, most urgent first: overdue, due soon, then those the calendar cannot reach.
_DUE_ORDER = {ClockState.OVERDUE: 0, ClockState.DUE_SOON: 1, ClockState.UNKNOWN: 2}


def due_cases(db: Database, actor: Actor, *, overdue_only: bool = False) -> list[DueRow]:
    """Open cases that are overdue or due soon (or whose clock the holiday calendar cannot
    reach, which a supervisor must know too), most urgent first; ``overdue_only``: only the
    overdue ones. For whoever watches every case (``CASE_VIEW_ALL``: the authority's supervisors)."""
    authorise(db, actor, Permission.CASE_VIEW_ALL)
    wanted = {ClockState.OVERDUE} if overdue_only else set(_DUE_ORDER)
    with db.read() as session:
        today = local_today(session_now(session))
        names = dict(session.execute(select(Operator.id, Operator.name)).all())
        rows = []
        for case in session.execute(select(Case).where(Case.status == CaseStatus.ACTIVE.value)).scalars():
            if not visible(actor, case):
                continue
            clock = clock_of(case, today)
            if clock.state not in wanted:
                continue
            if case.holder_id is not None:
                handler = names.get(case.holder_id, "")
            elif case.pending_operator_id is not None:
                handler = f"待接件（{names.get(case.pending_operator_id, '')}）"
            else:
                handler = f"待接件（{ROLE_LABELS[Role(case.pending_role)]}）" if case.pending_role else "待接件"
            rows.append(DueRow(case.number, case.type_code, rules.case_type(case.type_code).name,
                               _stage_name(case.type_code, case.stage), handler, case.created_at, clock,
                               time_limit(case.type_code)))
    rows.sort(key=lambda r: (_DUE_ORDER[r.clock.state], r.clock.due_on or date.max, r.number))
    return rows


@dataclass(frozen=True)
class TimelineStep:
    at: datetime
    operator: str
    action: str  # Chinese label
    stage: str  # Chinese stage name after the action
    note: str | None


@dataclass(frozen=True)
class CaseDetail:
    number: str
    type_name: str
    stage_name: str
    status_label: str
    stage_code: str
    holder: str | None
    waiting_for: str | None
    summary: str
    created_at: datetime
    timeline: list[TimelineStep]
    stages: list[tuple[str, str]]  # (code, name) of the type, for 退件 choices
    clock: CaseClock | None = None  # the statutory clock (``core.time_limits``)
    limit: TimeLimit | None = None  # the type's time limit and its source


def case_detail(db: Database, actor: Actor, number: str) -> CaseDetail:
    """A case and its progress timeline (业务进度): who did what, when."""
    authorise(db, actor, Permission.CASE_WORK)
    with db.read() as session:
        case = session.execute(select(Case).where(Case.number == number.strip().upper())).scalar_one_or_none()
        if case is None or not visible(actor, case):
            raise _not_found(number)
        kind = rules.case_type(case.type_code)
        events = session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).scalars()
        steps = [
            TimelineStep(
                e.at,
                e.operator_name,
                ACTION_LABELS[ActionKind(e.action)],
                _stage_name(case.type_code, e.to_stage) if e.to_stage else "",
                e.note,
            )
            for e in events
        ]
        holder = session.get(Operator, case.holder_id).name if case.holder_id else None
        waiting_for = None
        if case.holder_id is None and case.status == CaseStatus.ACTIVE.value:
            if case.pending_operator_id:
                waiting_for = session.get(Operator, case.pending_operator_id).name
            elif case.pending_role:
                waiting_for = ROLE_LABELS[Role(case.pending_role)]
        return CaseDetail(
            case.number,
            kind.name,
            _stage_name(case.type_code, case.stage),
            CASE_STATUS_LABELS[CaseStatus(case.status)],
            case.stage,
            holder,
            waiting_for,
            case.summary,
            case.created_at,
            steps,
            [(s.code, s.name) for s in kind.stages],
            clock_of(case, local_today(session_now(session))),
            TIME_LIMITS.get(case.type_code),
        )
