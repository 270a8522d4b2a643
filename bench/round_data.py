"""Synthetic selection rounds for benchmarks (run_round against bare SQL).

``generate_round_data`` bulk-inserts a whole round: houses, main applicants,
families, the round with its families, and a formal wish list per family,
with SQLAlchemy Core executemany in one transaction. Wishes crowd on popular
houses (a family picks ``list_len`` distinct houses near a centre drawn
towards the start of the board) so that many better wishes are taken, as in
a real round. About 1 % of the families confirm a house of their list and
0.5 % give up. The round's windows lie in the past, so it can be run at once.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.allocation.rounds import (
    FamilyStatus,
    HouseState,
    ListKind,
    RoundKind,
    RoundStatus,
)
from core.identity import check_char_gb11643
from core.roles import Actor
from services import audit
from services.allocation.common import (
    RF,
    F,
    H,
    R,
    copy_rows,
    is_postgres,
)
from storage.engine import Database
from storage.models import Person

P = Person.__table__  # type: ignore[attr-defined]

_LAYOUTS = (("studio", 0.15, 30), ("1b", 0.35, 45), ("2b", 0.35, 65), ("3b", 0.15, 85))
_ORIENTATIONS = ("南", "北", "东", "西", "东南", "西南")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
_ELIGIBLE = {1: "studio,1b", 2: "studio,1b", 3: "1b,2b", 4: "2b,3b", 5: "2b,3b"}
_BATCH = 100_000


def _chunks(rows: list[dict[str, Any]], size: int = _BATCH):  # type: ignore[no-untyped-def]
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def generate_round_data(db: Database, families: int, houses: int, list_len: int, seed: int) -> dict[str, Any]:
    """Insert one runnable round of ``families`` families, each with a formal list of
    ``list_len`` distinct houses out of ``houses`` new free houses; returns
    ``{"round_id", "round_number", "families", "houses", "wishes"}``.

    Everything new is keyed after what is there (round number, family ranks,
    house codes and ID numbers carry the round number), so it can be called
    again on the same database.
    """
    if families < 1 or houses < 1 or not 0 <= list_len <= houses:
        raise ValueError("need families >= 1, houses >= 1 and 0 <= list_len <= houses")
    rng = random.Random(seed)
    now = db.now()
    with db.write() as session:
        conn = session.connection()
        number = (conn.execute(select(func.max(R.c.number))).scalar_one() or 0) + 1
        first_rank = (conn.execute(select(func.max(F.c.rank))).scalar_one() or 0) + 1

        # Houses: 30 floors x 10 rooms per building, in board order.
        prefix = f"BM{number}-"
        house_rows = []
        for i in range(houses):
            building, rest = divmod(i, 300)
            floor, room = divmod(rest, 10)
            layout, _, base = rng.choices(_LAYOUTS, weights=[w for _, w, _ in _LAYOUTS])[0]
            area = Decimal(base + rng.randrange(0, 1000) / 100).quantize(Decimal("0.01"))
            house_rows.append({
                "code": f"{prefix}{building + 1:03d}-{floor + 1:02d}{room + 1:02d}", "project": f"基准测试项目{number}",
                "building": f"{building + 1:03d}", "unit": "1", "floor": floor + 1, "room": f"{floor + 1:02d}{room + 1:02d}",
                "layout": layout, "orientation": rng.choice(_ORIENTATIONS), "area": area,
                "monthly_rent": (area * Decimal("35.5")).quantize(Decimal("0.01")), "state": HouseState.FREE.value,
            })
        for chunk in _chunks(house_rows):
            conn.execute(H.insert(), chunk)
        house_ids = list(conn.execute(select(H.c.id).where(H.c.code.startswith(prefix)).order_by(H.c.id)).scalars())

        # Main applicants: valid resident ID numbers in a region code no real ID uses.
        region = f"99{number % 10000:04d}"
        person_rows = []
        for i in range(families):
            day = (i // 1000) % 36500
            birth = (now - timedelta(days=365 * 20 + day)).date()
            first17 = f"{region}{birth:%Y%m%d}{i % 1000:03d}"
            person_rows.append({
                "name": rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2)))),
                "id_kind": "resident_id", "id_number": first17 + check_char_gb11643(first17),
                "region": "mainland", "nationality": "CHN", "birth_date": birth,
                "phone": f"199{number % 100:02d}{i:06d}"[:11], "capacity": "full", "real_name_level": 4,
                "blacklisted": False,
            })
        for chunk in _chunks(person_rows):
            conn.execute(P.insert(), chunk)
        person_ids = list(conn.execute(
            select(P.c.id).where(P.c.id_number.startswith(region)).order_by(P.c.id)).scalars())[-families:]

        family_rows = []
        for i, pid in enumerate(person_ids):
            size = rng.choice((1, 2, 3, 3, 4, 5))
            family_rows.append({"main_applicant_id": pid, "rank": first_rank + i, "size": size,
                                "status": FamilyStatus.WAITING.value, "eligible_layouts": _ELIGIBLE[size]})
        for chunk in _chunks(family_rows):
            conn.execute(F.insert(), chunk)
        family_ids = list(conn.execute(
            select(F.c.id).where(F.c.rank >= first_rank).order_by(F.c.rank)).scalars())

        conn.execute(R.insert(), [{
            "number": number, "name": f"基准测试第{number}场", "kind": RoundKind.REGULAR, "status": RoundStatus.OPEN,
            "run_count": 0,
            "pre_open": now - timedelta(days=10), "pre_close": now - timedelta(days=8),
            "formal_open": now - timedelta(days=7), "formal_close": now - timedelta(days=6),
        }])
        round_id = conn.execute(select(R.c.id).where(R.c.number == number)).scalar_one()

        window = min(houses, max(list_len * 10, 200))
        rf_rows: list[dict[str, Any]] = []
        wish_rows: list[tuple[Any, ...]] = []

        def insert_wishes(rows: list[tuple[Any, ...]]) -> None:
            if is_postgres(session):  # COPY: executemany would be a round trip per row
                copy_rows(session, "wish", ("round_id", "family_id", "list_kind", "position", "house_id"), rows)
            else:
                conn.exec_driver_sql("INSERT INTO wish (round_id, family_id, list_kind, position, house_id) "
                                     "VALUES (?, ?, ?, ?, ?)", rows)

        total_wishes = 0
        # Bulk rows carry the plain values (.value): sqlite3 tries to adapt a str subclass row by row.
        formal = ListKind.FORMAL.value
        for i, fid in enumerate(family_ids):
            centre = int(rng.random() ** 2 * houses)
            start = max(0, min(centre - window // 2, houses - window))
            picks = [house_ids[start + k] for k in rng.sample(range(window), list_len)]
            roll = rng.random()
            confirm = picks[rng.randrange(list_len)] if roll < 0.01 and picks else None
            rf_rows.append({"round_id": round_id, "family_id": fid, "rank": first_rank + i,
                            "confirm_house_id": confirm, "confirmed_at": now - timedelta(days=6, hours=1) if confirm else None,
                            "gave_up": 0.01 <= roll < 0.015,
                            "gave_up_at": now - timedelta(days=6, hours=1) if 0.01 <= roll < 0.015 else None})
            wish_rows.extend((round_id, fid, formal, p, h) for p, h in enumerate(picks, start=1))
            if len(wish_rows) >= _BATCH:
                insert_wishes(wish_rows)
                total_wishes += len(wish_rows)
                wish_rows = []
        if wish_rows:
            insert_wishes(wish_rows)
            total_wishes += len(wish_rows)
        for chunk in _chunks(rf_rows):
            conn.execute(RF.insert(), chunk)
        audit.append(session, Actor.system("bench"), "round_bench_data_generated", object_type="allocation_round",
                     object_id=round_id, after={"families": families, "houses": houses, "list_len": list_len,
                                                "seed": seed})
    return {"round_id": round_id, "round_number": number, "families": families, "houses": houses,
            "wishes": total_wishes}
