"""Sample data for demos and tests, and synthetic persons for benchmarks.

``load_sample`` puts the committed, fictitious data set of ``sample_data/``
(written by ``storage.sample_gen``) into an empty database in the caller's
transaction. ``generate_synthetic`` bulk-inserts any number of valid,
unique, synthetic persons (and a few organisations) to measure the counter's
searches against a realistically large register.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select
from sqlmodel import Session

from core.identity import FEMALE, MALE, check_char_gb11643, make_credit_code, make_mobile
from core.passwords import hash_password
from core.regions import MUNICIPALITIES, PREFECTURES
from core.timeutil import utcnow
from storage.engine import Database
from storage.models import (
    Family,
    FamilyMember,
    Home,
    HomeOwner,
    Operator,
    Organisation,
    OrgAgent,
    OwnerProxy,
    Person,
    PersonDocument,
)
from storage.sample_gen import (
    FILES,
    REFERENCE_DAY,
    SAMPLE_ID_REGION_CODES,
    SURNAME_WEIGHTS,
    SYNTHETIC_PHONE_PREFIXES,
    SampleBuilder,
    given_name_pool,
)

#: Where the committed sample lives (the repository's ``sample_data/``).
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "sample_data"


def _directory(directory: Path | str | None) -> Path:
    path = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    if not path.is_dir():
        raise ValueError(f"sample data directory not found: {path}")
    return path


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


def demo_logins(directory: Path | str | None = None) -> list[dict[str, str | None]]:
    """The demo operators with their passwords (for the README and the demo screen)."""
    path = _directory(directory) / "operators.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [{"username": r["username"], "name": r["name"], "role": r["role"], "password": r["password"]} for r in rows]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _dec(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _ref(ids: dict[str, int], key: str | None, what: str, where: str) -> int:
    try:
        return ids[key]  # type: ignore[index]
    except KeyError:
        raise ValueError(f"{where}: unknown {what} key {key!r}") from None


def load_sample(session: Session, directory: Path | str | None = None) -> dict[str, int]:
    """Insert the sample data set in the caller's transaction (the caller commits).

    Keys of the files ("P0001", "H0001" …) are mapped to the new row ids;
    operator passwords are hashed. Refuses when the person table already has
    rows (the sample's numbers would clash, and a real register must never be
    mixed with fictitious people). Operators whose user name already exists
    are left as they are. Returns the number of rows inserted per table.
    """
    existing = session.execute(select(func.count()).select_from(Person)).scalar_one()
    if existing:
        raise ValueError(
            f"the person table already holds {existing} rows; sample data is loaded only into an empty register"
        )
    data = read_sample(directory)
    counts: dict[str, int] = {}

    # Operators
    taken = set(session.execute(select(Operator.username)).scalars())
    now = utcnow()
    operators = [
        Operator(
            username=r["username"], name=r["name"], role=r["role"], window=r.get("window"),
            password_hash=hash_password(r["password"]), created_at=now,
        )
        for r in data["operators"]
        if r["username"] not in taken
    ]
    session.add_all(operators)
    counts["operator"] = len(operators)

    def insert_keyed(rows: list[dict[str, Any]], make: Callable[[dict[str, Any]], Any]) -> dict[str, int]:
        objects = [(r["key"], make(r)) for r in rows]
        session.add_all([obj for _key, obj in objects])
        session.flush()
        ids: dict[str, int] = {}
        for key, obj in objects:
            if key in ids:
                raise ValueError(f"duplicate key {key!r} in the sample data")
            ids[key] = obj.id
        return ids

    def insert_plain(rows: list[dict[str, Any]], make: Callable[[dict[str, Any]], Any]) -> int:
        objects = [make(r) for r in rows]
        session.add_all(objects)
        session.flush()
        return len(objects)

    # Persons and their further documents
    person_ids = insert_keyed(
        data["persons"],
        lambda r: Person(
            name=r["name"], id_kind=r["id_kind"], id_number=r["id_number"], region=r["region"],
            nationality=r["nationality"], birth_date=_day(r["birth_date"]), sex=r["sex"], phone=r["phone"],
            address=r["address"], capacity=r["capacity"], real_name_level=r["real_name_level"],
            blacklisted=r["blacklisted"], blacklist_reason=r["blacklist_reason"],
        ),
    )
    counts["person"] = len(person_ids)
    counts["person_document"] = insert_plain(
        data["person_documents"],
        lambda r: PersonDocument(
            person_id=_ref(person_ids, r["person"], "person", "person_documents"), id_kind=r["id_kind"],
            id_number=r["id_number"], valid_to=_day(r["valid_to"]),
        ),
    )

    # Organisations, their agents, owners' proxies
    org_ids = insert_keyed(
        data["organisations"],
        lambda r: Organisation(
            name=r["name"], credit_code=r["credit_code"], legal_rep_name=r["legal_rep_name"], phone=r["phone"],
            address=r["address"], blacklisted=r["blacklisted"],
        ),
    )
    counts["organisation"] = len(org_ids)
    counts["org_agent"] = insert_plain(
        data["org_agents"],
        lambda r: OrgAgent(
            organisation_id=_ref(org_ids, r["organisation"], "organisation", "org_agents"),
            person_id=_ref(person_ids, r["person"], "person", "org_agents"),
            valid_from=_day(r["valid_from"]), valid_to=_day(r["valid_to"]), scope=r["scope"],
        ),
    )
    counts["owner_proxy"] = insert_plain(
        data["owner_proxies"],
        lambda r: OwnerProxy(
            principal_id=_ref(person_ids, r["principal"], "person", "owner_proxies"),
            proxy_id=_ref(person_ids, r["proxy"], "person", "owner_proxies"),
            notarial_certificate=r["notarial_certificate"],
            valid_from=_day(r["valid_from"]), valid_to=_day(r["valid_to"]),
        ),
    )

    # Homes and their owners
    home_ids = insert_keyed(
        data["homes"],
        lambda r: Home(
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

    def home_owner(r: dict[str, Any]) -> HomeOwner:
        if (r["person"] is None) == (r["organisation"] is None):
            raise ValueError(f"home_owners: home {r['home']!r} needs exactly one of person / organisation")
        return HomeOwner(
            home_id=_ref(home_ids, r["home"], "home", "home_owners"),
            person_id=_ref(person_ids, r["person"], "person", "home_owners") if r["person"] else None,
            organisation_id=(
                _ref(org_ids, r["organisation"], "organisation", "home_owners") if r["organisation"] else None
            ),
            share=_dec(r["share"]),
        )

    counts["home_owner"] = insert_plain(data["home_owners"], home_owner)

    # Public-housing families
    family_ids = insert_keyed(
        data["families"],
        lambda r: Family(
            main_applicant_id=_ref(person_ids, r["main_applicant"], "person", "families"),
            rank=r["rank"], size=r["size"], status=r["status"],
        ),
    )
    counts["family"] = len(family_ids)
    counts["family_member"] = insert_plain(
        data["family_members"],
        lambda r: FamilyMember(
            family_id=_ref(family_ids, r["family"], "family", "family_members"),
            person_id=_ref(person_ids, r["person"], "person", "family_members"),
            relation=r["relation"],
        ),
    )
    session.flush()
    return counts


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
    if start + persons > pools.modulus:
        raise ValueError("too many synthetic persons for the number space")
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
