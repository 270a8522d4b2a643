"""Data and helpers for the selection screens' tests (选房场次, 家庭选房, 房源信息播报).

Everything a test needs is built here through the services, on top of
whatever the database already holds: houses in buildings of their own
("T1", "T2"), families ranked after every family already there, rounds
numbered after the last round. So the tests pass on the sample database
whether or not it has a pool and rounds of its own, and the snapshots (on an
empty database with the two demo operators) always draw the same picture.

The services' clock and the app's display clock are one: the handle's
``ManualClock`` (2026-11-21 10:30 in Shanghai), which the tests move by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from itertools import count
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_tui_support import DEMO, freeze_services_clock, settle
from textual.pilot import Pilot
from textual.widgets import DataTable

from core.clock import ManualClock
from core.roles import Actor
from services import operators
from services.allocation import rounds
from storage.engine import Database
from storage.models import Family, Person, PublicHouse
from tui.app import WangqianApp
from tui.factory import create_app
from tests.conftest import at

SYSTEM = Actor.system("test")
FAMILY_NAMES = ["王芳", "李建国", "张秀英", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙燕"]
LAYOUT_CYCLE = ["1b", "2b", "1b", "studio"]
ORIENTATION_CYCLE = ["南", "北", "东南", "西"]
_id_seq = count(1)


def freeze(db: Database) -> ManualClock:
    """One fixed clock, ``db``'s, for every service that stamps time (the rounds' windows too) and the app."""
    return freeze_services_clock(db)


def actor_of(db: Database, username: str) -> Actor:
    view = next(v for v in operators.list_operators(db, SYSTEM) if v.username == username)
    return Actor(view.id, view.username, view.name, view.role, view.window)


def demo_operators(db: Database) -> None:
    """clerk1 and super1 of the demo, on a database without the sample."""
    for username in ("clerk1", "super1"):
        entry = DEMO[username]
        operators.add_operator(db, SYSTEM, username=username, name=str(entry["name"]), role=str(entry["role"]),
                               password=str(entry["password"]), window=entry.get("window"))  # type: ignore[arg-type]


def make_app(db: Database, clock: ManualClock) -> WangqianApp:
    """The terminal on ``db``, whose clock is ``clock`` (the services' and the app's)."""
    db.clock = clock
    return create_app(db, idle_seconds=0, draft_sweep_seconds=-1)


def add_houses(db: Database, building: str, floors: int, rooms: int, *,
               reserved: tuple[str, ...] = ()) -> dict[str, int]:
    """``floors`` × ``rooms`` houses of building ``building``: code T1-0301 is floor 3, room 01."""
    out = {}
    with db.write() as s:
        for floor in range(1, floors + 1):
            for room in range(1, rooms + 1):
                code = f"{building}-{floor:02d}{room:02d}"
                i = (floor - 1) * rooms + room - 1
                h = PublicHouse(code=code, project="龙悦居", building=building, floor=floor,
                                room=f"{floor}{room:02d}", layout=LAYOUT_CYCLE[i % 4],
                                orientation=ORIENTATION_CYCLE[i % 4], area=Decimal("45.50") + 10 * (i % 4),
                                monthly_rent=Decimal("1200.00") + 300 * (i % 4),
                                state="reserved" if code in reserved else "free")
                s.add(h)
                s.flush()
                out[code] = h.id  # type: ignore[assignment]
    return out


def add_families(db: Database, n: int, *, eligible: str = "studio,1b,2b") -> list[int]:
    """``n`` families ranked after every family already there (returned in rank order)."""
    ids = []
    with db.write() as s:
        top = s.execute(select(func.max(Family.rank))).scalar_one() or 0
        start = top + 1
        for i in range(n):
            k = next(_id_seq)
            p = Person(name=FAMILY_NAMES[i % len(FAMILY_NAMES)], id_kind="resident_id",
                       id_number=f"T{start + i:08d}{k:09d}", region="mainland", phone=f"1390000{start % 10000 + i:04d}")
            s.add(p)
            s.flush()
            f = Family(main_applicant_id=p.id, rank=start + i, size=2 + i % 3, status="waiting",  # type: ignore[arg-type]
                       eligible_layouts=eligible)
            s.add(f)
            s.flush()
            ids.append(f.id)  # type: ignore[arg-type]
    return ids


def next_round_number(db: Database) -> int:
    return max((r.number for r in rounds.rounds_list(db, SYSTEM)), default=0) + 1


def closed_windows(clock: ManualClock, days_ago: int) -> dict:
    """Windows that ended before the clock: the round may be run."""
    start = clock.now - timedelta(days=days_ago)
    return {"pre_open": start, "pre_close": start + timedelta(hours=8), "formal_open": start + timedelta(days=1),
            "formal_close": start + timedelta(days=1, hours=2)}


def pre_windows(clock: ManualClock) -> dict:
    """Pre-selection open now; the formal selection from +2 h to +4 h."""
    now = clock.now
    return {"pre_open": now - timedelta(days=1), "pre_close": now + timedelta(hours=1),
            "formal_open": now + timedelta(hours=2), "formal_close": now + timedelta(hours=4)}


def set_formal(db: Database, actor: Actor, round_id: int, family_id: int, house_ids: list[int], windows: dict) -> None:
    """A formal list, entered through the service inside the formal window."""
    inside = windows["formal_open"] + timedelta(minutes=30)
    for house_id in house_ids:
        rounds.add_wish(at(db, inside), actor, round_id, family_id, house_id, "formal")


@dataclass
class Hall:
    """What a test built: houses by code, families in rank order, rounds by their number."""

    clock: ManualClock
    houses: dict[str, int]
    families: list[int]
    rounds: dict[int, int] = field(default_factory=dict)  # number -> id
    numbers: list[int] = field(default_factory=list)


def three_rounds(db: Database, clock: ManualClock) -> Hall:
    """Twelve houses (T1, T1-0304 reserved) and three closed rounds of 3, 3 and 4 families
    with their formal lists entered. Run in order, they give:

    * round a: T1-0101, T1-0102, T1-0103 — everyone gets a house;
    * round b: nothing for its first family (both its houses went in round a),
      then T1-0201 and T1-0202;
    * round c: nothing, T1-0204, T1-0301, nothing.

    Free afterwards in T1: T1-0104, T1-0203, T1-0302, T1-0303.
    """
    supervisor = actor_of(db, "super1")
    h = add_houses(db, "T1", 3, 4, reserved=("T1-0304",))
    fams = add_families(db, 10)
    hall = Hall(clock, h, fams)
    lists = {
        0: [[h["T1-0101"]], [h["T1-0102"], h["T1-0101"]], [h["T1-0101"], h["T1-0103"]]],
        1: [[h["T1-0101"], h["T1-0102"]], [h["T1-0201"]], [h["T1-0202"], h["T1-0203"]]],
        2: [[h["T1-0201"]], [h["T1-0204"]], [h["T1-0102"], h["T1-0301"]], [h["T1-0103"]]],
    }
    groups = [fams[0:3], fams[3:6], fams[6:10]]
    for index, group in enumerate(groups):
        number = next_round_number(db)
        windows = closed_windows(clock, days_ago=9 - 3 * index)
        made_at = windows["pre_open"] - timedelta(hours=1)  # made before its times, as a new round is
        rid = rounds.create_round(at(db, made_at), supervisor, number=number, name=f"龙悦居第{index + 1}批",
                                  family_ids=group, **windows)
        for fid, wishes in zip(group, lists[index], strict=True):
            set_formal(db, supervisor, rid, fid, wishes, windows)
        hall.rounds[number] = rid
        hall.numbers.append(number)
    return hall


def desk_round(db: Database, clock: ManualClock, *, eligible: str = "1b", families: int = 4,
               name: str = "安居苑公租房") -> Hall:
    """A round (``name``) in its pre-selection with ``families`` families and sixteen houses (T2, one reserved)."""
    supervisor = actor_of(db, "super1")
    h = add_houses(db, "T2", 4, 4, reserved=("T2-0404",))
    fams = add_families(db, families, eligible=eligible)
    hall = Hall(clock, h, fams)
    number = next_round_number(db)
    rid = rounds.create_round(db, supervisor, number=number, name=name, family_ids=fams,
                              **pre_windows(clock))
    hall.rounds[number] = rid
    hall.numbers.append(number)
    return hall


def rank_of(db: Database, family_id: int) -> int:
    with db.read() as s:
        return s.execute(select(Family.rank).where(Family.id == family_id)).scalar_one()


# ---------------------------------------------------------------- pilot helpers


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys one by one, letting every worker finish after each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def cursor_to(pilot: Pilot, selector: str, key: str) -> None:
    """Move a table's cursor to a row by pressing ↑/↓ (as the clerk does)."""
    table = pilot.app.screen.query_one(selector, DataTable)
    target = table.get_row_index(key)
    while table.cursor_row != target:
        await pilot.press("down" if table.cursor_row < target else "up")
    await settle(pilot)


# ---------------------------------------------------------------- databases


@pytest.fixture
def empty_counter_db(_templates, tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database without the sample, holding only clerk1 and super1 of the demo."""
    from conftest import _fresh

    for db in _fresh("sqlite", False, _templates, tmp_path):
        demo_operators(db)
        yield db


@pytest.fixture
def counter_db(sqlite_sample_db: Database) -> Database:
    """The database of the flows: the sample (its own pool and rounds are left alone)."""
    return sqlite_sample_db
