"""Sample data for demos and tests, and synthetic persons for benchmarks.

``load_sample`` puts the committed, fictitious data set of ``sample_data/``
(written by ``demo.sample_gen``) into an empty database in the caller's
transaction: the register, the families and the public-rental pool. The
sample's selection rounds are played through the round services on top of
it by ``demo.loader.load_demo``, which
uses ``load_register`` and ``insert_wish_lists`` from here.
``generate_synthetic`` bulk-inserts any number of valid,
unique, synthetic persons (and a few organisations) to measure the counter's
searches against a realistically large register.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlmodel import Session

from core.errors import RuleViolation
from core.identity import (
    FEMALE,
    MALE,
    check_char_gb11643,
    make_credit_code,
    make_mobile,
)
from core.passwords import hash_password
from core.regions import MUNICIPALITIES, PREFECTURES
from core.roles import HALL_ROLES, Role
from demo.sample_files import DEFAULT_DIRECTORY, demo_logins  # noqa: F401 (demo_logins: imported from here too)
from demo.sample_files import sample_directory as _directory
from demo.sample_gen import (
    FILES,
    REFERENCE_DAY,
    SAMPLE_ID_REGION_CODES,
    SURNAME_WEIGHTS,
    SYNTHETIC_PHONE_PREFIXES,
    SampleBuilder,
    given_name_pool,
)
from storage.engine import Database, session_now
from storage.models import (
    Family,
    FamilyMember,
    Home,
    HomeOwner,
    Operator,
    OrgAgent,
    Organisation,
    OwnerProxy,
    Person,
    PersonDocument,
    PublicHouse,
    Wish,
)

def read_sample(directory: Path | str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The raw records of every sample file, by file name (without .json)."""
    path = _directory(directory)
    data: dict[str, list[dict[str, Any]]] = {}
    for name in FILES:
        file = path / f"{name}.json"
        if not file.is_file():
            raise ValueError(f"sample data file missing: {file}")
        data[name] = json.loads(file.read_text(encoding="utf-8"))
    return data


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _dec(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _ref(ids: dict[str, int], key: str | None, what: str, where: str) -> int:
    try:
        return ids[key]  # type: ignore[index]
    except KeyError:
        raise ValueError(f"{where}: unknown {what} key {key!r}") from None


@dataclass(frozen=True)
class LoadedSample:
    """What ``load_register`` inserted: the raw records, the rows per table, and the
    new row ids by the files' keys (for the steps that build on the register)."""

    data: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    persons: dict[str, int]
    families: dict[str, int]
    houses: dict[str, int]


def load_sample(session: Session, directory: Path | str | None = None) -> dict[str, int]:
    """Insert the sample register in the caller's transaction (the caller commits).

    Keys of the files ("P0001", "H0001" …) are mapped to the new row ids;
    operator passwords are hashed. Refuses when the person table already has
    rows (the sample's numbers would clash, and a real register must never be
    mixed with fictitious people). Operators whose user name already exists
    are left as they are. Returns the number of rows inserted per table.

    This is the register as it stood before the sample's rounds: every family
    assigned to a round in ``round_families.json`` is "waiting" and every house
    of the pool is free or reserved. ``demo.loader.load_demo`` then
    creates and runs the rounds, which give the families the statuses that
    ``families.json`` records.
    """
    return load_register(session, directory).counts


def load_register(session: Session, directory: Path | str | None = None) -> LoadedSample:
    """``load_sample``, returning the records and the new ids by key as well.

    Rows go in as Core multi-row INSERTs (… RETURNING id, in the order given):
    building thousands of ORM objects would cost more than the inserts.
    """
    existing = session.execute(select(func.count()).select_from(Person)).scalar_one()
    if existing:
        raise ValueError(
            f"the person table already holds {existing} rows; sample data is loaded only into an empty register"
        )
    data = read_sample(directory)
    counts: dict[str, int] = {}

    # Operators: the hall's own staff (a developer's people and a bank's reviewer are made
    # through the presale services by demo.presale, as the authority admits them)
    taken = set(session.execute(select(Operator.username)).scalars())
    now = session_now(session)
    operators = [
        Operator(
            username=r["username"], name=r["name"], role=r["role"], window=r.get("window"),
            password_hash=hash_password(r["password"]), created_at=now,
        )
        for r in data["operators"]
        if r["username"] not in taken and Role(r["role"]) in HALL_ROLES
    ]
    session.add_all(operators)
    session.flush()
    counts["operator"] = len(operators)

    Make = Callable[[dict[str, Any]], dict[str, Any]]

    def insert_keyed(model: Any, rows: list[dict[str, Any]], make: Make) -> dict[str, int]:
        if not rows:
            return {}
        new_ids = _insert_many(session, model.__table__, [make(r) for r in rows], want_ids=True)
        ids: dict[str, int] = {}
        for r, new_id in zip(rows, new_ids, strict=True):
            if r["key"] in ids:
                raise ValueError(f"duplicate key {r['key']!r} in the sample data")
            ids[r["key"]] = new_id
        return ids

    def insert_plain(model: Any, rows: list[dict[str, Any]], make: Make) -> int:
        if rows:
            _insert_many(session, model.__table__, [make(r) for r in rows])
        return len(rows)

    # Persons and their further documents
    person_ids = insert_keyed(
        Person, data["persons"],
        lambda r: dict(
            name=r["name"], id_kind=r["id_kind"], id_number=r["id_number"], region=r["region"],
            nationality=r["nationality"], birth_date=_day(r["birth_date"]), sex=r["sex"], phone=r["phone"],
            address=r["address"], capacity=r["capacity"], real_name_level=r["real_name_level"],
            blacklisted=r["blacklisted"], blacklist_reason=r["blacklist_reason"],
        ),
    )
    counts["person"] = len(person_ids)
    counts["person_document"] = insert_plain(
        PersonDocument, data["person_documents"],
        lambda r: dict(
            person_id=_ref(person_ids, r["person"], "person", "person_documents"), id_kind=r["id_kind"],
            id_number=r["id_number"], valid_to=_day(r["valid_to"]),
        ),
    )

    # Organisations, their agents, owners' proxies
    org_ids = insert_keyed(
        Organisation, data["organisations"],
        lambda r: dict(
            name=r["name"], credit_code=r["credit_code"], legal_rep_name=r["legal_rep_name"], phone=r["phone"],
            address=r["address"], blacklisted=r["blacklisted"],
        ),
    )
    counts["organisation"] = len(org_ids)
    counts["org_agent"] = insert_plain(
        OrgAgent, data["org_agents"],
        lambda r: dict(
            organisation_id=_ref(org_ids, r["organisation"], "organisation", "org_agents"),
            person_id=_ref(person_ids, r["person"], "person", "org_agents"),
            valid_from=_day(r["valid_from"]), valid_to=_day(r["valid_to"]), scope=r["scope"],
        ),
    )
    counts["owner_proxy"] = insert_plain(
        OwnerProxy, data["owner_proxies"],
        lambda r: dict(
            principal_id=_ref(person_ids, r["principal"], "person", "owner_proxies"),
            proxy_id=_ref(person_ids, r["proxy"], "person", "owner_proxies"),
            notarial_certificate=r["notarial_certificate"],
            valid_from=_day(r["valid_from"]), valid_to=_day(r["valid_to"]),
        ),
    )

    # Homes and their owners
    home_ids = insert_keyed(
        Home, data["homes"],
        lambda r: dict(
            city=r["city"], district=r["district"], certificate_number=r["certificate_number"],
            check_code=r["check_code"], unit_number=r["unit_number"], location=r["location"],
            building=r["building"], floor=r["floor"], room=r["room"], floor_area=_dec(r["floor_area"]),
            inner_area=_dec(r["inner_area"]), land_area=_dec(r["land_area"]), structure=r["structure"],
            total_floors=r["total_floors"], design_use=r["design_use"], use_class=r["use_class"],
            use_class_normalised=r["use_class_normalised"], completion_year=r["completion_year"],
            co_ownership=r["co_ownership"], valid=r["valid"], mortgaged=r["mortgaged"], seized=r["seized"],
            restricted=r["restricted"], in_transaction=r["in_transaction"],
        ),
    )
    counts["home"] = len(home_ids)

    def home_owner(r: dict[str, Any]) -> dict[str, Any]:
        if (r["person"] is None) == (r["organisation"] is None):
            raise ValueError(f"home_owners: home {r['home']!r} needs exactly one of person / organisation")
        return dict(
            home_id=_ref(home_ids, r["home"], "home", "home_owners"),
            person_id=_ref(person_ids, r["person"], "person", "home_owners") if r["person"] else None,
            organisation_id=(
                _ref(org_ids, r["organisation"], "organisation", "home_owners") if r["organisation"] else None
            ),
            share=_dec(r["share"]),
        )

    counts["home_owner"] = insert_plain(HomeOwner, data["home_owners"], home_owner)

    # Public-housing families: those of a round wait for it (its run sets their status)
    in_rounds = {r["family"] for r in data["round_families"]}
    family_ids = insert_keyed(
        Family, data["families"],
        lambda r: dict(
            main_applicant_id=_ref(person_ids, r["main_applicant"], "person", "families"),
            rank=r["rank"], size=r["size"], eligible_layouts=r["eligible_layouts"],
            status="waiting" if r["key"] in in_rounds else r["status"],
        ),
    )
    counts["family"] = len(family_ids)
    counts["family_member"] = insert_plain(
        FamilyMember, data["family_members"],
        lambda r: dict(
            family_id=_ref(family_ids, r["family"], "family", "family_members"),
            person_id=_ref(person_ids, r["person"], "person", "family_members"),
            relation=r["relation"],
        ),
    )

    # The public-rental pool (公租房房源)
    house_ids = insert_keyed(
        PublicHouse, data["public_houses"],
        lambda r: dict(
            code=r["code"], project=r["project"], building=r["building"], unit=r["unit"], floor=r["floor"],
            room=r["room"], layout=r["layout"], orientation=r["orientation"], area=_dec(r["area"]),
            monthly_rent=_dec(r["monthly_rent"]), state=r["state"],
        ),
    )
    counts["public_house"] = len(house_ids)
    return LoadedSample(data, counts, person_ids, family_ids, house_ids)


def insert_wish_lists(session: Session, loaded: LoadedSample, round_key: str, round_id: int) -> int:
    """Insert the pre-selection and formal wish lists (预选 / 正选意向) that
    ``round_families.json`` gives the families of one round, into the round
    ``round_id`` created for it, in the caller's transaction. Returns the lines inserted.

    The lists go in as the families left them; the round services check them
    when the families act on them (confirm, run).
    """
    rows = []
    for r in loaded.data["round_families"]:
        if r["round"] != round_key:
            continue
        family_id = _ref(loaded.families, r["family"], "family", "round_families")
        for list_kind in ("pre", "formal"):
            for position, house in enumerate(r[list_kind], start=1):
                rows.append({"round_id": round_id, "family_id": family_id, "list_kind": list_kind,
                             "position": position,
                             "house_id": _ref(loaded.houses, house, "public house", "round_families")})
    if rows:
        _insert_many(session, Wish.__table__, rows)  # type: ignore[attr-defined]
    return len(rows)


def _insert_many(session: Session, table: Table, rows: list[dict[str, Any]], *, want_ids: bool = False) -> list[int]:
    """Insert rows fast in the session's transaction; with ``want_ids`` return their new ids, in order.

    SQLite: executemany (… RETURNING id for the ids). PostgreSQL: COPY, each
    value passed through its column type's bind processing first (scaled
    decimals, dates …); the ids are drawn from the table's sequence beforehand.
    One statement per row there (a plain executemany) or one huge VALUES list
    (insertmanyvalues) would cost ten times as much.
    """
    if not rows:
        return []
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "postgresql":
        if want_ids:
            return list(session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
        session.execute(insert(table), rows)
        return []
    ids: list[int] = []
    if want_ids:
        ids = list(conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": len(rows)},
        ).scalars())
        rows = [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)]
    columns = list(rows[0])
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    processed = [
        {c: (value if proc is None or value is None else proc(value))
         for c, proc, value in zip(columns, processors, (row[c] for c in columns))}
        for row in rows
    ]
    _copy_rows(conn, table, processed)
    return ids


# --------------------------------------------------------------------------
# Synthetic persons for benchmarks
# --------------------------------------------------------------------------

_MALE_CHARS = "伟强磊军勇杰涛明超刚平辉鹏华飞斌波宇浩凯健俊帆帅旭宁龙林阳峰志文国建海晓振子嘉博天泽家思一昊睿鑫轩成"
_FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲燕琳婷雪慧颖倩佳欣怡梅萍红晶洁琴莉兰月雨涵萱诗梦思晓嘉子雅婉美春丹璐瑶"
_ORG_WORDS = "鹏程 华信 恒达 宏图 金城 中天 远航 安居 兴业 瑞丰 和信 创新 盛世 荣华 永丰 广源 汇通 长江 楚天 香山 华南 东方".split()
_ORG_TRADES = "置业 投资 贸易 科技 物业管理 建设 实业 餐饮管理 物流 房地产经纪 信息技术 装饰工程".split()
_SYNTHETIC_CITIES = (("shenzhen", 50), ("zhongshan", 20), ("wuhan", 30))
_ORG_REGIONS = {"shenzhen": ("440303", "440304", "440305", "440306", "440307"), "zhongshan": ("442000",),
                "wuhan": ("420102", "420103", "420106", "420111")}
_CITY_NAMES = {"shenzhen": "深圳市", "zhongshan": "中山市", "wuhan": "武汉市"}
# Settings of the bulk connection only (restored afterwards): a 512 MiB page
# cache, and a checkpoint only every 400 MB of WAL.
_SQLITE_BULK_PRAGMAS = {"cache_size": -512 * 1024, "wal_autocheckpoint": 100_000}
_SYNTHETIC_BLACKLIST = ("法院失信被执行人", "司法机关协助执行：限制不动产交易")


def _synthetic_regions() -> list[str]:
    """County-level codes (县 21-23, 县级市 81-82) of every listed prefecture, minus the sample's.

    The sample data uses only district codes it lists in SAMPLE_ID_REGION_CODES;
    keeping out of them makes every synthetic number distinct from the sample's.
    """
    codes = []
    for prefecture in sorted(PREFECTURES):
        if prefecture[:2] in MUNICIPALITIES:
            continue
        for county in ("21", "22", "23", "81", "82"):
            code = prefecture + county
            if code not in SAMPLE_ID_REGION_CODES:
                codes.append(code)
    return codes


def _coprime_step(modulus: int, start: int) -> int:
    step = start
    while math.gcd(step, modulus) != 1:
        step += 1
    return step


class _SyntheticPools:
    """Everything a synthetic row is drawn from, computed once."""

    def __init__(self, rng: random.Random) -> None:
        self.regions = _synthetic_regions()
        first = date(REFERENCE_DAY.year - 86, REFERENCE_DAY.month, REFERENCE_DAY.day) + timedelta(days=1)
        last = date(REFERENCE_DAY.year - 18, REFERENCE_DAY.month, REFERENCE_DAY.day)  # adults only
        self.days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        self.day_text = [d.strftime("%Y%m%d") for d in self.days]
        # Index -> (region, birth day, sequence) is an affine bijection on [0, M):
        # consecutive indexes give scattered, never repeated, numbers.
        self.modulus = len(self.regions) * len(self.days) * 1000
        self.step = _coprime_step(self.modulus, 7_919_000_003)
        self.offset = 1_234_567
        self.phone_space = len(SYNTHETIC_PHONE_PREFIXES) * 100_000_000
        self.phone_step = _coprime_step(self.phone_space, 48_271_007)
        surnames, weights = zip(*SURNAME_WEIGHTS)
        self.surnames = list(surnames)
        self.surname_cum = list(itertools.accumulate(weights))
        self.given: dict[str, list[str]] = {}
        for sex, chars in ((MALE, _MALE_CHARS), (FEMALE, _FEMALE_CHARS)):
            named = sorted({n for era in ("old", "mid", "young") for n in given_name_pool(era, sex)})
            singles = list(chars)
            pairs = [a + b for a in chars for b in chars if a != b]
            # About a fifth of given names are one character.
            self.given[sex] = named * 20 + singles * 12 + pairs
        builder = SampleBuilder(seed=rng.randrange(1 << 30))
        cities, weights_ = zip(*_SYNTHETIC_CITIES)
        self.addresses = [builder.street_address(c) for c in rng.choices(cities, weights=weights_, k=6000)]

    def person_rows(self, start: int, count: int, rng: random.Random) -> list[dict[str, Any]]:
        regions, days, day_text = self.regions, self.days, self.day_text
        n_days = len(days)
        modulus, step, offset = self.modulus, self.step, self.offset
        phone_space, phone_step = self.phone_space, self.phone_step
        surnames = rng.choices(self.surnames, cum_weights=self.surname_cum, k=count)
        male_given, female_given = self.given[MALE], self.given[FEMALE]
        n_male, n_female = len(male_given), len(female_given)
        addresses = self.addresses
        n_addr = len(addresses)
        rnd = rng.random
        rows = []
        append = rows.append
        for k in range(count):
            i = start + k
            x = (i * step + offset) % modulus
            seq = x % 1000
            rest = x // 1000
            day = rest % n_days
            first17 = f"{regions[rest // n_days]}{day_text[day]}{seq:03d}"
            male = seq & 1
            if male:
                given = male_given[int(rnd() * n_male)]
            else:
                given = female_given[int(rnd() * n_female)]
            if rnd() < 0.95:
                p = (i * phone_step + 7_654_321) % phone_space
                phone = f"{SYNTHETIC_PHONE_PREFIXES[p // 100_000_000]}{p % 100_000_000:08d}"
            else:
                phone = None
            black = rnd() < 0.001
            append(
                {
                    "name": surnames[k] + given,
                    "id_kind": "resident_id",
                    "id_number": first17 + check_char_gb11643(first17),
                    "region": "mainland",
                    "nationality": "CHN",
                    "birth_date": days[day],
                    "sex": MALE if male else FEMALE,
                    "phone": phone,
                    "address": addresses[int(rnd() * n_addr)],
                    "capacity": "full",
                    "real_name_level": 4 if rnd() < 0.95 else 3,
                    "blacklisted": black,
                    "blacklist_reason": _SYNTHETIC_BLACKLIST[int(rnd() * 2)] if black else None,
                }
            )
        return rows

    def organisation_rows(self, count: int, rng: random.Random, codes: set[str]) -> list[dict[str, Any]]:
        rows = []
        cities, weights = zip(*_SYNTHETIC_CITIES)
        for _ in range(count):
            city = rng.choices(cities, weights=weights)[0]
            while True:
                code = make_credit_code(rng, region_code=rng.choice(_ORG_REGIONS[city]))
                if code not in codes:
                    codes.add(code)
                    break
            a, b = rng.sample(_ORG_WORDS, 2)
            sex = rng.choice((MALE, FEMALE))
            rows.append(
                {
                    "name": f"{_CITY_NAMES[city]}{a}{b}{rng.choice(_ORG_TRADES)}有限公司",
                    "credit_code": code,
                    "legal_rep_name": rng.choices(self.surnames, cum_weights=self.surname_cum)[0]
                    + rng.choice(self.given[sex]),
                    "phone": make_mobile(rng),
                    "address": rng.choice(self.addresses),
                    "blacklisted": False,
                }
            )
        return rows


def _copy_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: stream the rows with COPY … FROM STDIN inside the current transaction.

    Core executemany costs about 120 µs a row on PostgreSQL (one statement
    per row); COPY costs about 20 µs, index upkeep included.
    """
    columns = list(rows[0])
    dbapi = conn.connection.driver_connection
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with dbapi.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _by_id_number(row: dict[str, Any]) -> str:
    return row["id_number"]


def generate_synthetic(
    db: Database,
    persons: int,
    *,
    seed: int = 1,
    batch: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Bulk-insert ``persons`` synthetic adults (and one organisation per 1,000) for benchmarks.

    Every ID number is a valid 18-digit resident ID, unique: it is a bijection
    of the row's index (counted on from the persons already in the table), in
    region codes the committed sample never uses. Mobile numbers (95 % of the
    rows) come from prefixes the sample never uses, by a second bijection.
    ``seed`` varies names, addresses and organisations, not the numbers, so
    runs with different seeds still never collide (unless persons were deleted
    in between, when the unique constraint would refuse the batch).

    Rows go in one transaction per ``batch``, sorted by ID number within the
    batch: with SQLAlchemy Core executemany on SQLite (on a connection given
    a large page cache for the run), and with COPY on PostgreSQL, where
    executemany would send one statement per row and take three times as
    long. ``progress(done, total)`` is called after each batch. Returns the
    number of persons inserted (organisations come on top).
    """
    if persons <= 0:
        return 0
    if batch <= 0:
        raise ValueError("batch must be positive")
    rng = random.Random(seed)
    pools = _SyntheticPools(rng)
    person_table = Person.__table__  # type: ignore[attr-defined]
    org_table = Organisation.__table__  # type: ignore[attr-defined]
    with db.read() as session:
        start = session.execute(select(func.count()).select_from(person_table)).scalar_one()
        codes = set(session.execute(select(org_table.c.credit_code)).scalars())
    if start + persons > pools.modulus:  # every ID number would not be unique: asked for, not a fault
        raise RuleViolation("DATA_BAD_COUNT", f"生成人数过多：合成证件号码最多还能生成 {pools.modulus - start:,} 人。",
                            field="persons")
    person_insert = insert(person_table)
    org_insert = insert(org_table)
    done = 0
    with db.engine.connect() as conn:
        saved: dict[str, int] = {}
        sqlite = conn.connection.driver_connection if db.is_sqlite else None
        if sqlite is not None:
            # Random keys touch every page of the person indexes: SQLite's
            # default 2 MB page cache makes each batch slower than the last,
            # and checkpointing after every batch rewrites those pages again.
            # (Run outside any transaction, straight on the driver.)
            for pragma, value in _SQLITE_BULK_PRAGMAS.items():
                saved[pragma] = int(sqlite.execute(f"PRAGMA {pragma}").fetchone()[0])
                sqlite.execute(f"PRAGMA {pragma}={value}")
        try:
            while done < persons:
                count = min(batch, persons - done)
                rows = pools.person_rows(start + done, count, rng)
                rows.sort(key=_by_id_number)  # neighbouring keys: fewer index pages per batch
                orgs = pools.organisation_rows((done + count) // 1000 - done // 1000, rng, codes)
                with conn.begin():
                    if db.dialect == "postgresql":
                        _copy_rows(conn, person_table, rows)
                    else:
                        conn.execute(person_insert, rows)
                    if orgs:
                        conn.execute(org_insert, orgs)
                done += count
                if progress is not None:
                    progress(done, persons)
        finally:
            if sqlite is not None:
                for pragma, value in saved.items():
                    sqlite.execute(f"PRAGMA {pragma}={value}")
                sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # leave no large WAL behind
    return done
