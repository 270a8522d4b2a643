"""保障房选房场次 at the counter (seed 000 §二): rounds, houses, wish lists (购物车),
forecast (推算), confirm (确认正选) and give up (放弃), the status board
(房源信息播报) and the published results.

Running, reopening and verifying a round live in services.allocation.run, the
supplementary round (补选) in services.allocation.supplementary; both are
re-exported here so callers use one module: ``from services import rounds``.

Time windows (``now`` may be passed so tests control time):
* the pre-selection list (预选) may be edited from ``pre_open`` until the
  formal selection starts (``formal_open``, exclusive): seed 000 §一 lets
  families pre-select "预选时间开始后至正选时间开始前"; ``pre_close`` is the
  published end of the pre-selection session and only bounds the windows;
* the formal list (正选), sync, and confirm: ``formal_open`` ≤ now ≤ ``formal_close``;
* give up: any time until ``formal_close``.
No list changes once the family confirmed or gave up, or the round is published.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import case, delete, func, select
from sqlmodel import Session

from core.allocation.housing import layout_label
from core.allocation.rounds import (
    HOUSE_STATE_LABELS,
    LIST_KIND_LABELS,
    ROUND_KIND_LABELS,
    ROUND_STATUS_LABELS,
    FamilyStatus,
    HouseState,
    ListKind,
    RoundKind,
    RoundStatus,
    check_formal_time,
    round_phase,
)
from core.allocation.selection import (
    HOUSED,
    STATUS_LABELS,
    Blocked,
    ResultStatus,
    WishWarning,
    lint_wishes,
    resolve,
)
from core.allocation.selection import forecast as forecast_rule
from core.errors import RuleViolation
from core.identity import mask_name
from core.roles import Actor, Permission
from core.timeutil import local_today
from services import audit
from services.allocation.common import (
    RF,
    BoardRow,
    H,
    HouseRow,
    R,
    W,
    board_order,
    confirmed_elsewhere,
    create_round_in,
    free_house_count,
    get_round,
    get_round_family,
    house_query,
    house_row,
    load_round_input,
    open_confirms,
    round_label,
    window_text,
)
from services.allocation.run import (
    RUN_PHASES,
    VerifyReport,
    reopen_round,
    run_round,
    verify_round,
)
from services.allocation.supplementary import (
    SupplementaryRound,
    apply_supplementary,
    form_supplementary_round,
)
from services.authority import authorise
from storage.engine import Database, retrying, session_settings
from storage.models import AllocationRound, Family, Person, PublicHouse, RoundFamily

__all__ = [
    "RUN_PHASES", "BoardCounts", "BoardRow", "FamilyResultNotice", "ForecastView", "HouseRow", "ResultRow",
    "RoundDetail", "RoundRow", "SupplementaryRound", "VerifyReport", "WishLine", "WishList",
    "add_wish", "apply_supplementary", "board_counts", "confirm_house", "create_round", "delete_wish",
    "family_result", "forecast", "form_supplementary_round", "give_up", "move_wish", "reopen_round",
    "round_detail", "round_overview", "round_results", "rounds_list", "run_round", "search_houses", "status_board", "sync_formal",
    "verify_round", "wish_list",
]


# ------------------------------------------------------------------ rounds


@dataclass(frozen=True)
class RoundRow:
    id: int
    number: int
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    formal_open: datetime
    formal_close: datetime
    families: int
    phase: str  # where it stands now: 未开始 / 预选中 / 正选中 / 待运行 / 已公示 / 已重开 (core.allocation.rounds.round_phase)
    pre_open: datetime | None = None  # when pre-selection opens (before it: 未开始)


@dataclass(frozen=True)
class RoundDetail:
    id: int
    number: int
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    case_number: str | None
    pre_open: datetime
    pre_close: datetime
    formal_open: datetime
    formal_close: datetime
    run_count: int
    published_at: datetime | None
    families: int
    confirmed: int  # families that confirmed a house (确认正选)
    gave_up: int
    houses_free: int  # houses of the pool free now
    allocated: int  # after a run: families that got a house (confirmed or allocated)
    not_allocated: int  # after a run


def create_round(
    db: Database,
    actor: Actor,
    *,
    number: int,
    name: str,
    pre_open: datetime,
    pre_close: datetime,
    formal_open: datetime,
    formal_close: datetime,
    family_ids: list[int] | None = None,
    kind: str = RoundKind.REGULAR,
) -> int:
    """新建场次 (supervisors): the round and its case; returns the round id.

    Without ``family_ids`` the round is a draft (筹备中) that its setup fills and
    publishes (services.allocation.setup: import families and houses, set the
    windows, publish); with them it opens at once with those families at their ranks.
    """
    authorise(db, actor, Permission.ALLOCATION_MANAGE)

    def create() -> int:
        with db.write() as session:
            rnd = create_round_in(session, actor, number=number, name=name, pre_open=pre_open, pre_close=pre_close,
                                  formal_open=formal_open, formal_close=formal_close, family_ids=family_ids,
                                  kind=kind)
            return rnd.id  # type: ignore[return-value]

    return retrying(create)()


def rounds_list(db: Database, actor: Actor, *, status: str | None = None) -> list[RoundRow]:
    """Every round (or those in ``status``, a RoundStatus), newest number first, with its
    number of families and its phase now."""
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    now = db.now()
    counts = select(RF.c.round_id, func.count().label("n")).group_by(RF.c.round_id).subquery()
    query = (select(R.c.id, R.c.number, R.c.name, R.c.kind, R.c.status, R.c.formal_open, R.c.formal_close,
                    func.coalesce(counts.c.n, 0), R.c.pre_open)
             .select_from(R.outerjoin(counts, counts.c.round_id == R.c.id))
             .order_by(R.c.number.desc()))
    if status is not None:
        query = query.where(R.c.status == status)
    with db.read() as session:
        rows = session.execute(query).all()
    return [RoundRow(rid, number, name, kind, ROUND_KIND_LABELS.get(kind, kind), status,
                     ROUND_STATUS_LABELS.get(status, status), fo, fc, n, round_phase(status, fo, fc, now, po), po)
            for rid, number, name, kind, status, fo, fc, n, po in rows]


def round_detail(db: Database, actor: Actor, round_id: int) -> RoundDetail:
    """A round's windows, status and counts."""
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    with db.read() as session:
        return _round_detail_in(session, round_id)


def round_overview(db: Database, actor: Actor, round_id: int) -> tuple[RoundDetail, list[ResultRow]]:
    """The detail and, once published, the result list — read in ONE transaction, so a
    reopen committing meanwhile can never pair a "published" detail with no results."""
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    with db.read() as session:
        detail = _round_detail_in(session, round_id)
        results = _round_results_in(session, round_id) if detail.status == RoundStatus.PUBLISHED else []
    return detail, results


def _round_detail_in(session: Session, round_id: int) -> RoundDetail:
    rnd = get_round(session, round_id)
    families, confirmed, gave_up = session.execute(
        select(func.count(), func.count(RF.c.confirm_house_id),
               func.coalesce(func.sum(case((RF.c.gave_up.is_(True), 1), else_=0)), 0))
        .where(RF.c.round_id == round_id)
    ).one()
    results = Counter(dict(session.execute(
        select(RF.c.result_status, func.count()).where(RF.c.round_id == round_id,
                                                       RF.c.result_status.is_not(None))
        .group_by(RF.c.result_status)).all()))
    free = free_house_count(session)
    return RoundDetail(
        rnd.id, rnd.number, rnd.name, rnd.kind, ROUND_KIND_LABELS.get(rnd.kind, rnd.kind), rnd.status,  # type: ignore[arg-type]
        ROUND_STATUS_LABELS.get(rnd.status, rnd.status), rnd.case_number, rnd.pre_open, rnd.pre_close,
        rnd.formal_open, rnd.formal_close, rnd.run_count, rnd.published_at, families, confirmed, int(gave_up), free,
        sum(results[s] for s in HOUSED), results[ResultStatus.NOT_ALLOCATED],
    )


# ------------------------------------------------------------------ houses and the status board


def _house_filters(query, building: str | None, layout: str | None, orientation: str | None = None,  # type: ignore[no-untyped-def]
                   room: str | None = None):
    if building:
        query = query.where(H.c.building == building.strip())
    if layout:
        query = query.where(H.c.layout == layout.strip())
    if orientation:
        query = query.where(H.c.orientation == orientation.strip())
    if room:
        query = query.where(H.c.room.startswith(room.strip(), autoescape=True))
    return query


def search_houses(
    db: Database,
    actor: Actor,
    round_id: int,
    *,
    building: str | None = None,
    layout: str | None = None,
    orientation: str | None = None,
    room: str | None = None,
    free_only: bool = True,
    limit: int = 200,
) -> list[HouseRow]:
    """查询房源 by building, layout, orientation and room (a prefix), in board order.

    ``free_only`` leaves out houses taken, reserved, or confirmed by a family
    of a round not yet run (the board shows those as chosen).
    """
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    if not 1 <= limit <= 5000:
        raise RuleViolation("HOUSE_BAD_LIMIT", "查询条数应在 1 到 5000 之间。", field="limit")
    with db.read() as session:
        get_round(session, round_id)
        confirms = open_confirms(session)
        query = _house_filters(house_query(), building, layout, orientation, room)
        if free_only:
            query = query.where(H.c.state == HouseState.FREE)
            if confirms:
                query = query.where(H.c.id.not_in(list(confirms)))
        rows = session.execute(board_order(session, query).limit(limit)).all()
        return [house_row(r, confirms) for r in rows]


def status_board(db: Database, actor: Actor, *, building: str | None = None, state: str | None = None,
                 layout: str | None = None) -> list[BoardRow]:
    """房源信息播报: every house of the pool in building, floor, room order with its label
    (可选 / 第n场 第rank位选定 / 预留). ``state`` filters on the board state (free / taken / reserved)."""
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    if state is not None and state not in HOUSE_STATE_LABELS:
        raise RuleViolation("BOARD_BAD_STATE", "房源状态只能是可选、已选定或预留。", field="state")
    with db.read() as session:
        confirms = open_confirms(session)
        rows = session.execute(board_order(session, _house_filters(house_query(), building, layout))).all()
    board = [house_row(r, confirms) for r in rows]
    return [b for b in board if state is None or b.state == state]


@dataclass(frozen=True)
class BoardCounts:
    total: int
    free: int
    taken: int
    reserved: int


def board_counts(db: Database, actor: Actor, *, building: str | None = None, layout: str | None = None) -> BoardCounts:
    """The status board's totals (same states as ``status_board``)."""
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    with db.read() as session:
        by_state = dict(session.execute(
            _house_filters(select(H.c.state, func.count()).group_by(H.c.state), building, layout)).all())
        confirmed_free = 0
        confirms = open_confirms(session)
        if confirms:
            confirmed_free = session.execute(
                _house_filters(select(func.count()).select_from(H)
                               .where(H.c.state == HouseState.FREE, H.c.id.in_(list(confirms))), building, layout)
            ).scalar_one()
    free = by_state.get(HouseState.FREE, 0) - confirmed_free
    taken = by_state.get(HouseState.TAKEN, 0) + confirmed_free
    reserved = by_state.get(HouseState.RESERVED, 0)
    return BoardCounts(free + taken + reserved, free, taken, reserved)


# ------------------------------------------------------------------ wish lists


@dataclass(frozen=True)
class WishLine:
    position: int
    house_id: int
    code: str
    building: str
    floor: int
    room: str
    layout: str
    orientation: str
    area: Decimal
    monthly_rent: Decimal
    state: str
    label: str


@dataclass(frozen=True)
class WishList:
    round_id: int
    family_id: int
    list_kind: str
    lines: list[WishLine]
    lint: list[WishWarning]  # advice from core.allocation.selection.lint_wishes; nothing is refused


def _check_list_kind(list_kind: str) -> None:
    if list_kind not in LIST_KIND_LABELS:
        raise RuleViolation("WISH_BAD_LIST_KIND", "意向列表只能是预选或正选。", field="list_kind")


def _check_window(rnd: AllocationRound, list_kind: str, now: datetime) -> None:
    if list_kind == ListKind.PRE:
        if not rnd.pre_open <= now < rnd.formal_open:
            raise RuleViolation("WISH_PRE_WINDOW_CLOSED",
                                f"预选意向只能在预选开始至正选开始前（{window_text(rnd.pre_open, rnd.formal_open)}）修改。",
                                field="list_kind")
    elif not rnd.formal_open <= now <= rnd.formal_close:
        raise RuleViolation("WISH_FORMAL_WINDOW_CLOSED",
                            f"正选意向只能在正选时间（{window_text(rnd.formal_open, rnd.formal_close)}）内修改。",
                            field="list_kind")


def _check_family_may_act(rnd: AllocationRound, rf: RoundFamily) -> None:
    if rnd.status == RoundStatus.DRAFT:
        raise RuleViolation("ROUND_NOT_OPEN", f"{round_label(rnd)}尚未发布，家庭还不能选房。", field="round")
    if rnd.status == RoundStatus.PUBLISHED:
        raise RuleViolation("ROUND_PUBLISHED", f"{round_label(rnd)}已公布选房结果，不能再修改。", field="round")
    if rf.confirm_house_id is not None:
        raise RuleViolation("FAMILY_CONFIRMED", f"家庭 {rf.family_id} 已确认正选，选房结果不能再更改。", field="family")
    if rf.gave_up:
        raise RuleViolation("FAMILY_GAVE_UP", f"家庭 {rf.family_id} 已放弃本场次选房。", field="family")


def _editable(session: Session, round_id: int, family_id: int, list_kind: str,
              now: datetime) -> tuple[AllocationRound, RoundFamily]:
    """Lock the round (shared) and the family's row, and check it may edit this list now."""
    _check_list_kind(list_kind)
    rnd = get_round(session, round_id, lock="share")
    rf = get_round_family(session, round_id, family_id, lock=True)
    _check_family_may_act(rnd, rf)
    _check_window(rnd, list_kind, now)
    if list_kind == ListKind.FORMAL:
        _formal_clock(session, rf, now)
    return rnd, rf


def _formal_clock(session: Session, rf: RoundFamily, now: datetime) -> None:
    """A family's formal selection lasts ``Settings.formal_selection_minutes`` from its first
    act (同步, a formal wish, 确认正选): the first act starts the clock, a later one past the
    limit is refused (core.allocation.rounds.check_formal_time; seed 000 §二.6)."""
    check_formal_time(rf.formal_started_at, now, session_settings(session).formal_selection_minutes)
    if rf.formal_started_at is None:
        rf.formal_started_at = now


def _list_ids(session: Session, round_id: int, family_id: int, list_kind: str) -> list[int]:
    return list(session.execute(
        select(W.c.house_id).where(W.c.round_id == round_id, W.c.family_id == family_id, W.c.list_kind == list_kind)
        .order_by(W.c.position)
    ).scalars())


def _codes(session: Session, house_ids: list[int]) -> list[str]:
    if not house_ids:
        return []
    code = dict(session.execute(select(H.c.id, H.c.code).where(H.c.id.in_(house_ids))).all())
    return [code[h] for h in house_ids]


def _rewrite_list(session: Session, actor: Actor, rnd: AllocationRound, family_id: int, list_kind: str,
                  before: list[int], after: list[int], action: str) -> None:
    """Replace a list by ``after`` (delete, then insert positions 1..n) and audit the change.

    Rewriting the short list whole never puts two lines on one position, which
    a row-by-row renumbering would do against the unique (…, position) index.
    """
    session.execute(delete(W).where(W.c.round_id == rnd.id, W.c.family_id == family_id, W.c.list_kind == list_kind))
    if after:
        session.execute(W.insert(), [{"round_id": rnd.id, "family_id": family_id, "list_kind": list_kind,
                                      "position": i, "house_id": h} for i, h in enumerate(after, start=1)])
    audit.append(
        session, actor, action, object_type="round_family", object_id=f"{rnd.id}:{family_id}",
        case_number=rnd.case_number,
        before={"list": list_kind, "houses": _codes(session, before)},
        after={"list": list_kind, "houses": _codes(session, after)},
    )


def _check_position(position: int, size: int) -> None:
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= size:
        raise RuleViolation("WISH_BAD_POSITION", f"意向列表中没有第 {position} 项。", field="position")


def add_wish(db: Database, actor: Actor, round_id: int, family_id: int, house_id: int, list_kind: str = ListKind.PRE) -> int:
    """加入购物车: append a house to a family's list; returns its position.

    Refused: a house that is not free (taken or reserved) or already on the list.
    A house of a layout the family may not choose is accepted, with a lint warning.
    """
    authorise(db, actor, Permission.ALLOCATION_WISHES)
    now = db.now()
    with db.write() as session:
        rnd, _ = _editable(session, round_id, family_id, list_kind, now)
        house = session.get(PublicHouse, house_id)
        if house is None:
            raise RuleViolation("HOUSE_NOT_FOUND", f"没有编号为 {house_id} 的房源。", field="house")
        if house.state != HouseState.FREE:
            raise RuleViolation("WISH_HOUSE_NOT_FREE", f"房源 {house.code} 已被选定或预留，不能加入意向。", field="house")
        current = _list_ids(session, round_id, family_id, list_kind)
        if house_id in current:
            raise RuleViolation("WISH_ALREADY_LISTED",
                                f"房源 {house.code} 已在{LIST_KIND_LABELS[list_kind]}意向第 {current.index(house_id) + 1} 位。",
                                field="house")
        _rewrite_list(session, actor, rnd, family_id, list_kind, current, current + [house_id], "wish_add")
        return len(current) + 1


def move_wish(db: Database, actor: Actor, round_id: int, family_id: int, position: int, direction: str,
              list_kind: str = ListKind.PRE) -> int:
    """上移 / 下移 / 置顶 one line of a list; returns its new position."""
    authorise(db, actor, Permission.ALLOCATION_WISHES)
    if direction not in ("up", "down", "top"):
        raise RuleViolation("WISH_BAD_DIRECTION", "调整方向只能是上移、下移或置顶。", field="direction")
    now = db.now()
    with db.write() as session:
        rnd, _ = _editable(session, round_id, family_id, list_kind, now)
        current = _list_ids(session, round_id, family_id, list_kind)
        _check_position(position, len(current))
        index = position - 1
        if direction in ("up", "top") and index == 0:
            raise RuleViolation("WISH_ALREADY_FIRST", "该意向已排在第一位。", field="position")
        if direction == "down" and index == len(current) - 1:
            raise RuleViolation("WISH_ALREADY_LAST", "该意向已排在最后一位。", field="position")
        moved = list(current)
        house = moved.pop(index)
        target = {"up": index - 1, "down": index + 1, "top": 0}[direction]
        moved.insert(target, house)
        _rewrite_list(session, actor, rnd, family_id, list_kind, current, moved, "wish_move")
        return target + 1


def delete_wish(db: Database, actor: Actor, round_id: int, family_id: int, position: int, list_kind: str = ListKind.PRE) -> None:
    """删除 one line of a list; the lines after it move up."""
    authorise(db, actor, Permission.ALLOCATION_WISHES)
    now = db.now()
    with db.write() as session:
        rnd, _ = _editable(session, round_id, family_id, list_kind, now)
        current = _list_ids(session, round_id, family_id, list_kind)
        _check_position(position, len(current))
        after = current[: position - 1] + current[position:]
        _rewrite_list(session, actor, rnd, family_id, list_kind, current, after, "wish_delete")


def sync_formal(db: Database, actor: Actor, round_id: int, family_id: int) -> int:
    """同步预选房源: copy the pre-selection into the formal list, OVERWRITING it
    (seed 000 §二 6: houses chosen in the formal list are replaced by the
    pre-selection). Formal window only; returns the formal list's length."""
    authorise(db, actor, Permission.ALLOCATION_WISHES)
    now = db.now()
    with db.write() as session:
        rnd, _ = _editable(session, round_id, family_id, ListKind.FORMAL, now)
        pre = _list_ids(session, round_id, family_id, ListKind.PRE)
        if not pre:
            raise RuleViolation("WISH_SYNC_EMPTY", f"家庭 {family_id} 没有预选房源，无法同步。", field="family")
        formal = _list_ids(session, round_id, family_id, ListKind.FORMAL)
        _rewrite_list(session, actor, rnd, family_id, ListKind.FORMAL, formal, pre, "wish_sync")
        return len(pre)


def _eligible(text: str | None) -> set[str] | None:
    layouts = {p.strip() for p in (text or "").split(",") if p.strip()}
    return layouts or None


def wish_list(db: Database, actor: Actor, round_id: int, family_id: int, list_kind: str = ListKind.PRE) -> WishList:
    """我的预选 / 我的意向: the lines with house facts and board state, plus lint warnings.

    Lint (core.allocation.selection.lint_wishes): a house listed twice, a layout the
    family may not choose, a house already chosen on the board, a list too
    short for the family's position among the round's families (by rank)
    given the houses free now.
    """
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    _check_list_kind(list_kind)
    with db.read() as session:
        rnd = get_round(session, round_id)
        rf = get_round_family(session, round_id, family_id)
        rows = session.execute(
            house_query().add_columns(W.c.position).join(W, W.c.house_id == H.c.id)
            .where(W.c.round_id == round_id, W.c.family_id == family_id, W.c.list_kind == list_kind)
            .order_by(W.c.position)
        ).all()
        confirms = open_confirms(session, [r[0] for r in rows])
        lines = []
        taken = set()
        for r in rows:
            shown = house_row(r, confirms)
            lines.append(WishLine(r[-1], shown.id, shown.code, shown.building, shown.floor, shown.room, shown.layout,
                                  shown.orientation, shown.area, shown.monthly_rent, shown.state, shown.label))
            if shown.state != HouseState.FREE:
                # Not "taken" for this family: its own house, or a house confirmed by a
                # family of this round ranked after it (this family is served first).
                mine = shown.id == rf.confirm_house_id or r.taken_family_id == family_id
                behind = (r.state == HouseState.FREE and confirms[shown.id][0] == rnd.number
                          and confirms[shown.id][1] > rf.rank)
                if not (mine or behind):
                    taken.add(shown.code)
        eligible = session.execute(select(Family.eligible_layouts).where(Family.id == family_id)).scalar_one()
        position = session.execute(
            select(func.count()).select_from(RF).where(RF.c.round_id == round_id, RF.c.rank <= rf.rank)).scalar_one()
        free = free_house_count(session)
    # Layouts go to the rule as their Chinese names so its warnings read "两房一厅", not "2b".
    allowed = _eligible(eligible)
    lint = lint_wishes(
        [line.code for line in lines],
        eligible_layouts=None if allowed is None else {layout_label(code) for code in allowed},
        layout_of={line.code: layout_label(line.layout) for line in lines},
        taken=taken,
        position_in_round=position,
        free_count=free,
    )
    return WishList(round_id, family_id, list_kind, lines, lint)


# ------------------------------------------------------------------ forecast, confirm, give up


@dataclass(frozen=True)
class ForecastView:
    """推算我的选房信息: the house the family would get now, and why not a better one."""

    round_id: int
    family_id: int
    rank: int
    house_code: str | None
    status: str
    status_label: str
    explanation: tuple[str, ...]  # Chinese sentences, result first
    blocked: tuple[Blocked, ...]  # houses on its list it would miss, with the better-ranked family that takes each
    warnings: tuple[str, ...]


def forecast(db: Database, actor: Actor, round_id: int, family_id: int) -> ForecastView:
    """Run the rule (core.allocation.selection.forecast) over the current FORMAL lists, confirms and
    give-ups of the families ranked up to this one, over the houses free now.

    Only formal lists count, as in the run: seed 000 §一 voids a pre-selection
    that is not taken into the formal selection (sync), so a forecast on the
    pre list would promise what the run will not give.
    """
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    with db.read() as session:
        get_round(session, round_id)
        rf = get_round_family(session, round_id, family_id)
        loaded = load_round_input(session, round_id, up_to_rank=rf.rank)
    result = forecast_rule(loaded.input, str(family_id))
    return ForecastView(round_id, family_id, result.rank, result.house, result.status, result.status_label,
                        result.explain(), result.blocked, result.warnings)


def confirm_house(db: Database, actor: Actor, round_id: int, family_id: int, house_id: int) -> None:
    """确认正选: the family takes one house of its formal list; final.

    Formal window only. The house must still be free at the family's turn:
    not taken or reserved, not confirmed by a family of another round not yet
    run, and not taken by the families ranked before it in this round under
    their current lists (the rule run up to its turn).
    """
    authorise(db, actor, Permission.ALLOCATION_WISHES)
    now = db.now()
    with db.write() as session:
        rnd = get_round(session, round_id, lock="share")
        rf = get_round_family(session, round_id, family_id, lock=True)
        _check_family_may_act(rnd, rf)
        if not rnd.formal_open <= now <= rnd.formal_close:
            raise RuleViolation("CONFIRM_WINDOW_CLOSED",
                                f"只能在正选时间（{window_text(rnd.formal_open, rnd.formal_close)}）内确认正选。")
        _formal_clock(session, rf, now)
        house = session.get(PublicHouse, house_id)
        if house is None:
            raise RuleViolation("HOUSE_NOT_FOUND", f"没有编号为 {house_id} 的房源。", field="house")
        if house_id not in _list_ids(session, round_id, family_id, ListKind.FORMAL):
            raise RuleViolation("CONFIRM_NOT_ON_LIST", f"房源 {house.code} 不在该家庭的正选意向中。", field="house")
        if house.state != HouseState.FREE:
            raise RuleViolation("CONFIRM_HOUSE_TAKEN", f"房源 {house.code} 已被选定或预留。", field="house")
        elsewhere = confirmed_elsewhere(session, house_id, round_id)
        if elsewhere is not None:
            raise RuleViolation("CONFIRM_HOUSE_TAKEN", f"房源 {house.code} 已被第{elsewhere[0]}场第{elsewhere[1]}位家庭确认选定。",
                                field="house")
        earlier = load_round_input(session, round_id, up_to_rank=rf.rank - 1)
        before_me = resolve(earlier.input)
        if house.code not in before_me.free_after:
            taker = next(r for r in before_me.results if r.house == house.code)
            raise RuleViolation("CONFIRM_HOUSE_TAKEN",
                                f"房源 {house.code} 已被排位第 {taker.rank} 位的家庭 {taker.family} 选定。", field="house")
        rf.confirm_house_id = house_id
        rf.confirmed_at = now
        audit.append(session, actor, "round_confirm", object_type="round_family", object_id=f"{round_id}:{family_id}",
                     case_number=rnd.case_number, after={"house": house.code, "rank": rf.rank})


def give_up(db: Database, actor: Actor, round_id: int, family_id: int, reason: str) -> None:
    """主动放弃选房: recorded on the round (and Family.status "gave_up"); bars the family
    from supplementary rounds. Until the formal window closes; not after a confirm."""
    authorise(db, actor, Permission.ALLOCATION_WISHES)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("GIVE_UP_REASON_EMPTY", "放弃选房必须填写原因。", field="reason")
    if len(reason) > 200:
        raise RuleViolation("GIVE_UP_REASON_TOO_LONG", "放弃原因不能超过200个字。", field="reason")
    now = db.now()
    with db.write() as session:
        rnd = get_round(session, round_id, lock="share")
        rf = get_round_family(session, round_id, family_id, lock=True)
        _check_family_may_act(rnd, rf)
        if now > rnd.formal_close:
            raise RuleViolation("GIVE_UP_CLOSED", f"{round_label(rnd)}的正选时间已结束，不能再放弃选房。")
        rf.gave_up = True
        rf.gave_up_at = now
        family = session.get(Family, family_id)
        before = family.status  # type: ignore[union-attr]
        family.status = FamilyStatus.GAVE_UP  # type: ignore[union-attr]
        audit.append(session, actor, "round_give_up", object_type="round_family", object_id=f"{round_id}:{family_id}",
                     case_number=rnd.case_number, before={"family_status": before},
                     after={"family_status": FamilyStatus.GAVE_UP, "reason": reason})


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class ResultRow:
    """One line of the public result list (选房结果公示)."""

    rank: int
    family_id: int
    applicant: str  # masked (core.identity.mask_name)
    house_code: str | None
    building: str | None
    room: str | None
    status: str
    status_label: str


@dataclass(frozen=True)
class FamilyResultNotice:
    """What a family's result notice (选房结果通知) prints."""

    round_id: int
    round_number: int
    round_name: str
    family_id: int
    rank: int
    applicant: str  # full name
    status: str
    status_label: str
    house_code: str | None
    project: str | None
    building: str | None
    unit: str | None
    floor: int | None
    room: str | None
    layout: str | None
    orientation: str | None
    area: Decimal | None
    monthly_rent: Decimal | None
    published_on: date | None  # local date the result was published


def _published(session: Session, round_id: int) -> AllocationRound:
    rnd = get_round(session, round_id)
    if rnd.status != RoundStatus.PUBLISHED:
        raise RuleViolation("ROUND_RESULT_NOT_PUBLISHED", f"{round_label(rnd)}尚未公布选房结果。", field="round")
    return rnd


def round_results(db: Database, actor: Actor, round_id: int, *, housed_only: bool = False) -> list[ResultRow]:
    """The published result list in rank order, names masked; ``housed_only``: only the
    families the round gave a house (those who may sign a lease)."""
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    with db.read() as session:
        _published(session, round_id)
        rows = _round_results_in(session, round_id)
    return [r for r in rows if r.status in HOUSED] if housed_only else rows


def _round_results_in(session: Session, round_id: int) -> list[ResultRow]:
    rows = session.execute(
        select(RF.c.rank, RF.c.family_id, Person.name, H.c.code, H.c.building, H.c.room, RF.c.result_status)
        .select_from(RF.join(Family, Family.id == RF.c.family_id)
                     .join(Person, Person.id == Family.main_applicant_id)
                     .outerjoin(H, H.c.id == RF.c.result_house_id))
        .where(RF.c.round_id == round_id).order_by(RF.c.rank)
    ).all()
    return [ResultRow(rank, fid, mask_name(name), code, building, room, status, STATUS_LABELS.get(status, status))
            for rank, fid, name, code, building, room, status in rows]


def family_result(db: Database, actor: Actor, round_id: int, family_id: int) -> FamilyResultNotice:
    """The data of one family's result notice (full name: it is handed to the family)."""
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    with db.read() as session:
        rnd = _published(session, round_id)
        rf = get_round_family(session, round_id, family_id)
        name = session.execute(select(Person.name).join(Family, Family.main_applicant_id == Person.id)
                               .where(Family.id == family_id)).scalar_one()
        house = session.get(PublicHouse, rf.result_house_id) if rf.result_house_id is not None else None
    status = rf.result_status or ""
    return FamilyResultNotice(
        rnd.id, rnd.number, rnd.name, family_id, rf.rank, name, status, STATUS_LABELS.get(status, status),  # type: ignore[arg-type]
        house.code if house else None, house.project if house else None, house.building if house else None,
        house.unit if house else None, house.floor if house else None, house.room if house else None,
        house.layout if house else None, house.orientation if house else None, house.area if house else None,
        house.monthly_rent if house else None, local_today(rnd.published_at) if rnd.published_at else None,
    )
