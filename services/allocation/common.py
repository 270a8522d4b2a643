"""What the round use cases (场次, services.allocation.rounds*) share: locking a round,
loading its input for the rule, house rows with their status-board label, and
creating a round inside a transaction.

Families and houses enter the rule (core.allocation.selection) as strings: a family as
``str(Family.id)`` (given back as the integer id in results), a house as its
``PublicHouse.code``. The pool of a round is every house whose state is
free (core.allocation.rounds.HouseState) at the moment it is loaded, in
status-board order (building, floor, room); houses taken in earlier rounds or
reserved are not in it. The statuses, kinds and states stored here are
core.allocation.rounds's typed values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import Row, and_, func, select
from sqlmodel import Session

from core.allocation.rounds import (
    HOUSE_STATE_LABELS,
    ROUND_KIND_LABELS,
    FamilyStatus,
    HouseState,
    ListKind,
    RoundStatus,
    check_ahead,
    check_setup_windows,
    check_windows,
)
from core.allocation.selection import FamilyInput, RoundInput
from core.errors import RuleViolation
from core.parties import check_text
from core.roles import Actor
from core.timeutil import show
from services import audit, cases
from storage.engine import session_now
from storage.models import AllocationRound, Family, PublicHouse, RoundFamily, Wish

H = PublicHouse.__table__  # type: ignore[attr-defined]
R = AllocationRound.__table__  # type: ignore[attr-defined]
RF = RoundFamily.__table__  # type: ignore[attr-defined]
W = Wish.__table__  # type: ignore[attr-defined]
F = Family.__table__  # type: ignore[attr-defined]


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# ------------------------------------------------------------------ rounds


def get_round(session: Session, round_id: int, *, lock: str | None = None) -> AllocationRound:
    """The round, optionally locked: ``lock="update"`` (run, reopen) or ``"share"``
    (edits of one family's lists: many at once, but never during a run).

    Row locks matter on PostgreSQL; on SQLite every write transaction already
    holds the database write lock (BEGIN IMMEDIATE) and FOR UPDATE is a no-op.
    """
    query = select(AllocationRound).where(AllocationRound.id == round_id)
    if lock == "update":
        query = query.with_for_update()
    elif lock == "share":
        query = query.with_for_update(read=True)
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise RuleViolation("ROUND_NOT_FOUND", f"没有编号为 {round_id} 的选房场次。", field="round")
    return found


def get_round_family(session: Session, round_id: int, family_id: int, *, lock: bool = False) -> RoundFamily:
    query = select(RoundFamily).where(RoundFamily.round_id == round_id, RoundFamily.family_id == family_id)
    if lock:
        query = query.with_for_update()
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise RuleViolation("ROUND_FAMILY_NOT_IN_ROUND", f"家庭 {family_id} 不在本场次的选房家庭中。", field="family")
    return found


def round_label(rnd: AllocationRound) -> str:
    return f"第{rnd.number}场（{rnd.name}）"


def window_text(start: datetime, end: datetime) -> str:
    return f"{show(start, seconds=False)} 至 {show(end, seconds=False)}"


def create_round_in(
    session: Session,
    actor: Actor,
    *,
    number: int,
    name: str,
    pre_open: datetime,
    pre_close: datetime,
    formal_open: datetime,
    formal_close: datetime,
    family_ids: Iterable[int] | None,
    kind: str,
) -> AllocationRound:
    """Create a round with its families (each at its Family.rank) and its case, in the caller's transaction.

    ``family_ids`` None: a draft (筹备中) without families, which its setup fills
    (services.allocation.setup: imports, windows, publish); its windows must all
    lie ahead (core.allocation.rounds.check_setup_windows). Otherwise the round
    opens at once with these families.

    Refused: a bad number or name, unordered windows, no families, an unknown
    or repeated family, a family that already holds a house, or one already
    assigned to a round that is not yet published. The family rows are locked
    first (in id order) so two rounds being created at once cannot both take a
    family.
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise RuleViolation("ROUND_NUMBER_INVALID", "场次号必须是正整数。", field="number")
    name = (name or "").strip()
    if not name:
        raise RuleViolation("ROUND_NAME_EMPTY", "请填写场次名称。", field="name")
    if len(name) > 60:
        raise RuleViolation("ROUND_NAME_TOO_LONG", "场次名称不能超过60个字。", field="name")
    # No control character, line break or emoji in a name every family's screen and text shows.
    name = check_text(name, field="name", label="场次名称", max_length=60, required=True,
                      empty_code="ROUND_NAME_EMPTY") or name
    if kind not in ROUND_KIND_LABELS:
        raise RuleViolation("ROUND_KIND_INVALID", "场次类型只能是正常选房或补选。", field="kind")
    draft = family_ids is None
    if draft:
        check_setup_windows(pre_open, pre_close, formal_open, formal_close, session_now(session))
    else:
        check_windows(pre_open, pre_close, formal_open, formal_close)
        check_ahead(formal_open, session_now(session))
    ids = list(family_ids or ())
    if not ids and not draft:
        raise RuleViolation("ROUND_NO_FAMILIES", "场次至少要安排一个选房家庭。", field="families")
    seen: set[int] = set()
    for fid in ids:
        if fid in seen:
            raise RuleViolation("ROUND_FAMILY_REPEATED", f"家庭 {fid} 在名单中出现了不止一次。", field="families")
        seen.add(fid)
    if session.execute(select(R.c.id).where(R.c.number == number)).first() is not None:
        raise RuleViolation("ROUND_NUMBER_TAKEN", f"第{number}场已经存在，请换一个场次号。", field="number")

    ordered = sorted(seen)
    case = cases.accept_in(session, actor, "allocation_round", summary=f"第{number}场 {name}")
    rnd = AllocationRound(
        number=number, name=name, kind=kind, case_number=case.number,
        pre_open=pre_open, pre_close=pre_close, formal_open=formal_open, formal_close=formal_close,
        status=RoundStatus.DRAFT if draft else RoundStatus.OPEN, run_count=0,
    )
    session.add(rnd)
    session.flush()
    add_round_families(session, rnd, ordered)
    audit.append(
        session, actor, "round_create", object_type="allocation_round", object_id=rnd.id, case_number=case.number,
        after={"number": number, "name": name, "kind": kind, "families": len(ordered), "status": rnd.status,
               "pre_open": pre_open, "pre_close": pre_close, "formal_open": formal_open, "formal_close": formal_close},
    )
    return rnd


def add_round_families(session: Session, rnd: AllocationRound, family_ids: Iterable[int]) -> None:
    """Place families in a round, each at its Family.rank, in the caller's transaction.

    Refused: an unknown family, one that already holds a house, one already in
    a round not yet published (this one included). The family rows are locked
    first (in id order) so two rounds filled at once cannot both take a family.
    """
    ordered = sorted(set(family_ids))
    ranks: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start:start + 5000]
        query = select(F.c.id, F.c.rank, F.c.status).where(F.c.id.in_(chunk)).order_by(F.c.id)
        if is_postgres(session):
            query = query.with_for_update()
        for fid, rank, status in session.execute(query):
            ranks[fid] = (rank, status)
    for fid in ordered:
        if fid not in ranks:
            raise RuleViolation("ROUND_FAMILY_NOT_FOUND", f"没有编号为 {fid} 的轮候家庭。", field="families")
        if ranks[fid][1] == FamilyStatus.ALLOCATED:
            raise RuleViolation("ROUND_FAMILY_ALLOCATED", f"家庭 {fid} 已分配到房源，不能再安排选房。", field="families")
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start:start + 5000]
        busy = session.execute(
            select(RF.c.family_id, R.c.number)
            .join(R, R.c.id == RF.c.round_id)
            .where(RF.c.family_id.in_(chunk), R.c.status != RoundStatus.PUBLISHED)
            .order_by(RF.c.family_id)
            .limit(1)
        ).first()
        if busy is not None:
            raise RuleViolation("ROUND_FAMILY_BUSY", f"家庭 {busy[0]} 已安排在尚未公布结果的第{busy[1]}场，不能重复安排。",
                                field="families")
    rows = [{"round_id": rnd.id, "family_id": fid, "rank": ranks[fid][0], "gave_up": False} for fid in ordered]
    if rows:
        session.execute(RF.insert(), rows)


# ------------------------------------------------------------------ the rule's input


@dataclass(frozen=True)
class LoadedRound:
    """A round as the rule sees it, with the ids to write results back.

    The families' ids are plain tuples beside the rule's input (no object per
    family): a run loads 100,000 of them and reads them once, to write.
    """

    input: RoundInput
    round_family_ids: tuple[int, ...]  # RoundFamily.id, in rank order like input.families
    family_ids: tuple[int, ...]  # Family.id, in the same order
    house_id: dict[str, int]  # code -> PublicHouse.id, every house


def driver_sql(session: Session, sql: str) -> str:
    """SQL written with ``?`` placeholders, in the driver's own style (sqlite3: ?, psycopg: %s)."""
    return sql if session.get_bind().dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def copy_rows(session: Session, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """PostgreSQL only: bulk-insert with COPY … FROM STDIN through the driver, in this transaction."""
    cursor = session.connection().connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


_FETCH = 50_000  # rows a batch when a round is loaded


def load_round_input(session: Session, round_id: int, *, up_to_rank: int | None = None) -> LoadedRound:
    """Load the houses free now and the round's families (with rank ≤ ``up_to_rank``)
    with their FORMAL wish lists, confirms and give-ups: three SELECTs.

    Only the formal list counts (seed 000 §一: a pre-selection not taken into
    the formal selection is void), so a family with an empty formal list
    enters the rule with no wishes and gets nothing unless it confirmed.

    The rows are read straight from the driver's cursor, in this transaction, in
    batches (``fetchmany``): for the millions of wish lines of a whole round,
    SQLAlchemy's Row objects (or one more generator between the cursor and this
    loop) would cost more than the query itself, and psycopg makes a batch of rows
    at half the CPU of the same rows one by one (sqlite3 costs the same either
    way). The values read are plain integers and strings, which both drivers give
    back unchanged.
    """
    code_of: dict[int, str] = {}
    house_id: dict[str, int] = {}
    pool: list[str] = []
    collate = ' COLLATE "C"' if is_postgres(session) else ""  # the board's order (see board_order)
    limit = "" if up_to_rank is None else " AND rank <= ?"
    params: tuple[Any, ...] = (round_id,) if up_to_rank is None else (round_id, up_to_rank)
    wish_sql = "SELECT family_id, house_id FROM wish WHERE round_id = ? AND list_kind = ?"
    wish_params: tuple[Any, ...] = (round_id, ListKind.FORMAL.value)
    if up_to_rank is not None:
        wish_sql += " AND family_id IN (SELECT family_id FROM round_family WHERE round_id = ? AND rank <= ?)"
        wish_params += (round_id, up_to_rank)
    # Ordered like the unique index (round, family, list kind, position).
    wish_sql += " ORDER BY family_id, list_kind, position"

    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(f"SELECT id, code, state FROM public_house ORDER BY building{collate}, floor, room{collate}, id")
        while batch := cursor.fetchmany(_FETCH):
            for hid, code, state in batch:
                code_of[hid] = code
                house_id[code] = hid
                if state == HouseState.FREE:
                    pool.append(code)
        cursor.execute(driver_sql(session, "SELECT id, family_id, rank, confirm_house_id, gave_up FROM round_family "
                                           f"WHERE round_id = ?{limit} ORDER BY rank"), params)
        fam_rows: list[tuple[int, int, int, int | None, Any]] = cursor.fetchall()
        wishes: dict[int, list[str]] = {}
        last_family = None
        codes: list[str] = []
        cursor.execute(driver_sql(session, wish_sql), wish_params)
        while batch := cursor.fetchmany(_FETCH):
            for fid, hid in batch:
                if fid != last_family:
                    wishes[fid] = codes = []
                    last_family = fid
                codes.append(code_of[hid])
    finally:
        cursor.close()
    return assemble_round(pool, code_of, house_id, fam_rows, wishes)


def assemble_round(
    pool: list[str],
    code_of: dict[int, str],
    house_id: dict[str, int],
    fam_rows: list[tuple[int, int, int, int | None, Any]],
    wishes: dict[int, list[str]],
) -> LoadedRound:
    """Build the rule's input from the loaded rows."""
    family_ids = tuple([row[1] for row in fam_rows])
    keys = list(map(str, family_ids))
    listed = wishes.get
    empty: tuple[str, ...] = ()
    families = tuple([
        FamilyInput(key, rank, tuple(codes) if (codes := listed(fid)) else empty,
                    code_of[confirm_id] if confirm_id is not None else None, bool(gave_up))
        for key, (_, fid, rank, confirm_id, gave_up) in zip(keys, fam_rows, strict=True)
    ])
    round_input = RoundInput(tuple(pool), families, house_json_ids=MappingProxyType({}),
                             family_json_ids=MappingProxyType(dict(zip(keys, family_ids, strict=True))))
    return LoadedRound(round_input, tuple([row[0] for row in fam_rows]), family_ids, house_id)


# ------------------------------------------------------------------ houses and their labels


@dataclass(frozen=True)
class HouseRow:
    """A house of the pool as the status board (房源信息播报) and the search show it."""

    id: int
    code: str
    project: str
    building: str
    unit: str
    floor: int
    room: str
    layout: str
    orientation: str
    area: Decimal
    monthly_rent: Decimal
    state: HouseState  # as the board shows it: a house confirmed in a round not yet run is taken
    label: str  # 可选 / 第n场 第rank位选定 / 预留
    chosen_round: int | None = None  # for a chosen house: the round number …
    chosen_rank: int | None = None  # … and the rank of the family that chose it


BoardRow = HouseRow

_HOUSE_COLUMNS = (H.c.id, H.c.code, H.c.project, H.c.building, H.c.unit, H.c.floor, H.c.room, H.c.layout,
                  H.c.orientation, H.c.area, H.c.monthly_rent, H.c.state, H.c.taken_rank, R.c.number,
                  H.c.taken_family_id)


def house_query():  # type: ignore[no-untyped-def]
    """Houses with the number of the round that took them (for the label)."""
    return select(*_HOUSE_COLUMNS).select_from(H.outerjoin(R, R.c.id == H.c.taken_round_id))


def open_confirms(session: Session, house_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """Houses confirmed (确认正选) in rounds not yet published: house id -> (round number, rank).

    The status board shows them as chosen before the round is run.
    """
    query = (
        select(RF.c.confirm_house_id, R.c.number, RF.c.rank)
        .join(R, R.c.id == RF.c.round_id)
        .where(RF.c.confirm_house_id.is_not(None), R.c.status != RoundStatus.PUBLISHED)
        .order_by(R.c.number, RF.c.rank)
    )
    if house_ids is not None:
        query = query.where(RF.c.confirm_house_id.in_(list(house_ids)))
    out: dict[int, tuple[int, int]] = {}
    for hid, number, rank in session.execute(query):
        out.setdefault(hid, (number, rank))
    return out


def chosen_label(number: int, rank: int) -> str:
    return f"第{number}场 第{rank}位选定"


def house_row(row: Row, confirms: dict[int, tuple[int, int]]) -> HouseRow:
    (hid, code, project, building, unit, floor, room, layout, orientation, area, rent, state, taken_rank,
     number) = row[:14]
    chosen: tuple[int, int] | None = None
    if state == HouseState.TAKEN:
        shown = HouseState.TAKEN
        chosen = (number, taken_rank) if number is not None else None
    elif state == HouseState.RESERVED:
        shown = HouseState.RESERVED
    elif hid in confirms:
        shown, chosen = HouseState.TAKEN, confirms[hid]
    else:
        shown = HouseState.FREE
    label = chosen_label(*chosen) if chosen is not None else HOUSE_STATE_LABELS[shown]
    return HouseRow(hid, code, project, building, unit, floor, room, layout, orientation, area, rent, shown, label,
                    *(chosen or (None, None)))


def board_order(session: Session, query):  # type: ignore[no-untyped-def]
    """Building, floor, room — compared byte-wise on both databases (PostgreSQL: COLLATE "C"),
    so the board, the pool and the journal list houses in the same order everywhere."""
    if is_postgres(session):
        return query.order_by(H.c.building.collate("C"), H.c.floor, H.c.room.collate("C"), H.c.id)
    return query.order_by(H.c.building, H.c.floor, H.c.room, H.c.id)


def free_house_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(H).where(H.c.state == HouseState.FREE)).scalar_one()


def confirmed_elsewhere(session: Session, house_id: int, round_id: int) -> tuple[int, int] | None:
    """(round number, rank) of a family of ANOTHER unpublished round that confirmed this house."""
    return session.execute(
        select(R.c.number, RF.c.rank)
        .join(R, R.c.id == RF.c.round_id)
        .where(and_(RF.c.confirm_house_id == house_id, R.c.status != RoundStatus.PUBLISHED, RF.c.round_id != round_id))
        .limit(1)
    ).first()
