"""Benchmark of resale signing: complete contracts per second by concurrent clerks,
and one-time-code verifications per second.

``signing_benchmark`` makes a fresh temporary database — a SQLite file in a
temporary folder, or on a PostgreSQL server a database of its own, created for
the run and dropped after it (the configured database is never touched) —
migrates it and bulk-loads what the clerks need: per contract one plain
Shenzhen home owned by one person, a buyer with a phone of their own; per clerk
a 窗口受理员 and a 审核主管 of its own (accounts that never log in: no password is
hashed). The temporary database has a code key of its own.

Timed phases follow, each started by every clerk at once:

* **signing** — each clerk signs its own contracts one after another through
  the use cases the counter calls, in the order of the screens: the house
  check (``run_house_check``), the contract form and the draft
  (``new_contract_form``, ``create_draft``), the buyer qualification where the
  city's profile requires it (``request_qualification`` by the clerk,
  ``decide_qualification`` by the clerk's supervisor), for each party the code
  sent (``send_signing_code``), read from the SMS outbox as the party's phone
  would receive it, and entered (``verify_signing_code``), and 提交
  (``submit_signing``). One signing is timed from the house check to the
  signed contract.
* **verification** — one code is first sent to each of ``verifications``
  phones, each message marked sent by the clerk's supervisor as soon as it is
  queued (untimed; a hall's outbox does not pile up live codes); then the
  clerks enter them, all at once: ``sign_codes.verify_code`` calls per second.
* **submission** (``submissions`` > 0, between the two) — that many more
  contracts were brought to the step before 提交 before the workers started,
  untimed, by ``bench.bulk`` (the first through the use cases above, the others
  copies of its rows: 10,000 in one to two minutes instead of hours; its
  docstring says why that is honest); then every clerk submits its share, all
  at once (``submit_signing``): submissions per second.

The clerks are threads spread over ``processes`` worker processes (spawned;
each opens its own handle on the database), so that the Python work of many
terminals is not held to one core. Throughput is what completed divided by the
time from the first start to the last end (``time.monotonic``, one clock for
every process on Linux). Afterwards the bench checks, untimed, that every
contract is 已签约 in the database and that the audit chain verifies.

On PostgreSQL it then measures the floor under the signing figure
(``bench.signing_floor``): the same shape of work sent by bare psycopg, by the
same clerks in the same processes, so that ``signings_vs_floor`` says what the
product's layers cost on this machine in this run, loaded or idle.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
import re
import secrets
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import create_engine, event, func, insert, select, text
from sqlalchemy.engine import make_url

from bench import bulk, signing_floor
from core.errors import RuleViolation
from core.identity import IdKind, Region, check_char_gb11643
from core.resale.contracts import BuyerLine
from core.resale.lifecycle import ContractStatus
from core.roles import Actor, Role
from reports.base import usable_cpus
from services import audit, data, sign_codes, sms
from services.resale import contracts, house_check, signing
from storage.engine import Database
from storage.models import Contract, Home, HomeOwner, Operator, Person, SmsMessage
from storage.settings import Settings

#: The issue's targets, on PostgreSQL with 32 clerks on the 2-core machine.
TARGET_SIGNINGS_PER_S = 50
TARGET_VERIFICATIONS_PER_S = 200
TARGET_CLERKS = 32

CITY = "shenzhen"
#: At most this many clerk threads in one worker process (its connection pool holds 15).
CLERKS_PER_PROCESS = 8
#: Signings of the cost probe, one clerk alone after the timed phases (the first warms up).
PROBE_SIGNINGS = 11
#: A phase that has not finished after this long is given up (a worker died or hung).
PHASE_TIMEOUT_S = 1800

_PURPOSE = "bench_verify"
_SUBJECT = "bench"
_CODE = re.compile(r"验证码(\d{6})")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

# progress(done, total, what): what is a short Chinese label of the current step.
Progress = Callable[[int, int, str], None]


# ---------------------------------------------------------------- the work


@dataclass(frozen=True)
class Sale:
    """One contract to sign: the home, its owner at the window, the buyer."""

    home_id: int
    seller_id: int
    seller_phone: str
    buyer: BuyerLine


@dataclass(frozen=True)
class ClerkWork:
    clerk: Actor
    supervisor: Actor
    sales: tuple[Sale, ...]
    codes: tuple[int, ...]  # the subject ids of the codes this clerk enters in the verification phase
    submits: tuple[bulk.Ready, ...] = ()  # brought to the step before 提交 untimed (bench.bulk), then submitted


@dataclass
class ClerkResult:
    signing: list[tuple[float, float]] = field(default_factory=list)  # (start, end), monotonic
    signing_errors: list[str] = field(default_factory=list)
    verify: list[tuple[float, float]] = field(default_factory=list)
    verify_errors: list[str] = field(default_factory=list)
    submit: list[tuple[float, float]] = field(default_factory=list)
    submit_errors: list[str] = field(default_factory=list)


def _resident_id(n: int, *, first: date) -> tuple[str, date, str]:
    """The n-th synthetic resident ID from ``first`` on (999 a day): number, birth date, sex."""
    day, seq = divmod(n, 999)
    born = first + timedelta(days=day)
    first17 = f"440304{born:%Y%m%d}{seq + 1:03d}"
    return first17 + check_char_gb11643(first17), born, "男" if (seq + 1) % 2 else "女"


def _name(n: int) -> str:
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n // len(_SURNAMES)) % len(_GIVEN)] + \
        _GIVEN[(n // (len(_SURNAMES) * len(_GIVEN))) % len(_GIVEN)]


def _seller_phone(n: int) -> str:
    return f"139{n:08d}"


def _buyer_phone(n: int) -> str:
    return f"137{n:08d}"


def _code_phone(n: int) -> str:
    return f"136{n:08d}"


def _buyer(n: int) -> BuyerLine:
    number, _born, _sex = _resident_id(n, first=date(1980, 1, 1))
    return BuyerLine(kind="person", name=_name(n + 7), region=Region.MAINLAND, id_kind=IdKind.RESIDENT_ID,
                     id_number=number, phone=_buyer_phone(n))


def load_hall(db: Database, *, clerks: int, contracts_total: int,
              spare: int = 0) -> tuple[list[ClerkWork], tuple[Sale, ...]]:
    """Bulk-load the clerks' accounts and one plain Shenzhen home (with its owner) per
    contract, in one transaction; contracts are dealt to the clerks in turn. ``spare``
    more sales are loaded and returned apart, dealt to nobody (the cost probe's)."""
    now = db.now()
    operators = []
    for n in range(clerks):
        operators.append({"username": f"bench_clerk_{n:03d}", "name": f"受理员{n:03d}", "role": Role.CLERK.value,
                          "window": f"{n % 99 + 1:02d}", "password_hash": "!", "active": True,
                          "failed_logins": 0, "locked": False, "created_at": now})
        operators.append({"username": f"bench_super_{n:03d}", "name": f"审核员{n:03d}",
                          "role": Role.SUPERVISOR.value, "window": None, "password_hash": "!", "active": True,
                          "failed_logins": 0, "locked": False, "created_at": now})
    persons, homes = [], []
    for n in range(contracts_total + spare):
        number, born, sex = _resident_id(n, first=date(1960, 1, 1))
        persons.append({"name": _name(n), "id_kind": IdKind.RESIDENT_ID.value, "id_number": number,
                        "region": Region.MAINLAND.value, "nationality": "CHN", "birth_date": born, "sex": sex,
                        "phone": _seller_phone(n), "address": f"广东省深圳市福田区香蜜湖街道香梅路{n % 400 + 1}号",
                        "capacity": "full", "real_name_level": 4, "blacklisted": False})
        building, room = divmod(n, 10_000)
        floor = room // 100 % 30 + 2
        homes.append({
            "city": CITY, "district": "福田区", "certificate_number": f"粤(2020)深圳市不动产权第{n + 1:07d}号",
            "check_code": None, "unit_number": f"440304005008GB90001F{building + 1:04d}{room:04d}",
            "location": f"深圳市福田区香蜜湖街道香梅路88号基准花园{building + 1}栋{floor}{room % 100:02d}",
            "building": f"{building + 1}栋", "floor": floor, "room": f"{floor}{room % 100:02d}",
            "floor_area": Decimal("89.50"), "inner_area": Decimal("72.30"), "land_area": Decimal("12.10"),
            "structure": "钢筋混凝土", "total_floors": 32, "design_use": "住宅", "use_class": "residential",
            "use_class_normalised": True, "completion_year": 2008, "co_ownership": "sole", "valid": True,
            "mortgaged": False, "seized": False, "restricted": False, "in_transaction": False,
        })
    with db.write() as session:
        session.execute(insert(Operator), operators)
        session.execute(insert(Person), persons)
        session.execute(insert(Home), homes)
        person_ids = dict(session.execute(select(Person.phone, Person.id).where(Person.phone.like("139%"))).all())
        home_ids = dict(session.execute(select(Home.certificate_number, Home.id)).all())
        session.execute(insert(HomeOwner), [
            {"home_id": home_ids[h["certificate_number"]], "person_id": person_ids[p["phone"]],
             "share": Decimal("100.00")} for h, p in zip(homes, persons, strict=True)])
        accounts = {row.username: row for row in session.execute(select(Operator))
                    .scalars()}
    bulk.analyze(db)  # fresh statistics: the plans must not guess on an empty-looking table

    def actor(username: str, role: Role) -> Actor:
        row = accounts[username]
        return Actor(row.id, row.username, row.name, role, row.window)

    work = []
    for c in range(clerks):
        sales = tuple(
            Sale(home_ids[homes[n]["certificate_number"]], person_ids[_seller_phone(n)], _seller_phone(n), _buyer(n))
            for n in range(c, contracts_total, clerks))
        work.append(ClerkWork(actor(f"bench_clerk_{c:03d}", Role.CLERK), actor(f"bench_super_{c:03d}", Role.SUPERVISOR),
                              sales, ()))
    spares = tuple(Sale(home_ids[homes[n]["certificate_number"]], person_ids[_seller_phone(n)], _seller_phone(n),
                        _buyer(n)) for n in range(contracts_total, contracts_total + spare))
    return work, spares


# ---------------------------------------------------------------- one signing, one verification


def _latest_code(db: Database, phone: str) -> str:
    """The code in the latest SMS to ``phone``: what the party reads off their phone."""
    with db.read() as session:
        body = session.execute(select(SmsMessage.text).where(SmsMessage.phone == phone)
                               .order_by(SmsMessage.id.desc()).limit(1)).scalar_one()
    found = _CODE.search(body)
    if found is None:
        raise RuntimeError("the latest SMS carries no code")
    return found.group(1)


def sign_one(db: Database, clerk: Actor, supervisor: Actor, sale: Sale) -> contracts.ContractView:
    """One contract from the house check to 已签约, through the counter's use cases."""
    view = ready_to_submit(db, clerk, supervisor, sale)
    return signing.submit_signing(db, clerk, view.id, expected_version=view.version)


def ready_to_submit(db: Database, clerk: Actor, supervisor: Actor, sale: Sale) -> contracts.ContractView:
    """One contract from the house check to the step before 提交: the draft, its buyer's
    qualification approved, every party's code entered."""
    check = house_check.run_house_check(db, clerk, city=CITY, home_id=sale.home_id,
                                        party=house_check.Counterparty(sale.seller_id, identity_verified=True))
    if not check.passed:
        raise RuleViolation("BENCH_CHECK_REFUSED", "；".join(ln.text for ln in check.failures) or check.verdict)
    new = contracts.new_contract_form(db, clerk, check.id)
    form = replace(new.form, buyers=(sale.buyer,), co_ownership="sole", price=Decimal(2_350_000),
                   payment_method="lump_sum", fund_supervised=True, supervising_bank="中国建设银行",
                   payment_terms="签约后五日内付清。")
    view = contracts.create_draft(db, clerk, check.id, form)
    if view.qualification_required:
        signing.request_qualification(db, clerk, view.id)
        signing.decide_qualification(db, supervisor, view.id, approved=True)
    phones = {"seller:0": sale.seller_phone, "buyer:0": sale.buyer.phone}
    for party in view.parties:
        signing.send_signing_code(db, clerk, view.id, party.key, expected_version=view.version)
        signing.verify_signing_code(db, clerk, view.id, party.key, _latest_code(db, phones[party.key]),
                                    expected_version=view.version)
    return view


def _send_verification_code(db: Database, clerk: Actor, supervisor: Actor, subject_id: int) -> str:
    """Send one code of the verification phase and return it, as its phone received it; the
    supervisor then marks the message sent (``sms.mark_sent``), as staff do once it is out,
    which takes the code out of the stored text (a hall's outbox does not pile up live codes)."""
    phone = _code_phone(subject_id)
    sign_codes.send_code(db, clerk, purpose=_PURPOSE, subject_type=_SUBJECT, subject_id=subject_id,
                         subject_version=1, party_key="party", phone=phone,
                         sms_text=lambda code: f"【网签】验证码{code}，基准测试。5分钟内有效，请勿泄露。")
    with db.read() as session:
        message_id, body = session.execute(select(SmsMessage.id, SmsMessage.text).where(SmsMessage.phone == phone)
                                           .order_by(SmsMessage.id.desc()).limit(1)).one()
    found = _CODE.search(body)
    if found is None:
        raise RuntimeError("the SMS carries no code")
    sms.mark_sent(db, supervisor, [message_id])
    return found.group(1)


def _verify_one(db: Database, clerk: Actor, subject_id: int, code: str) -> None:
    sign_codes.verify_code(db, clerk, code=code, subject_version=1, subject_type=_SUBJECT, subject_id=subject_id,
                           party_key="party", purpose=_PURPOSE)


def _failure(exc: BaseException) -> str:
    if isinstance(exc, RuleViolation):
        return f"{exc.code}: {exc.message}"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]


def signing_cost(db: Database, clerk: Actor, supervisor: Actor, sales: tuple[Sale, ...]) -> dict[str, Any]:
    """What one signing costs when nothing else runs, a figure the machine's load does not
    change much: the statements and transactions it sends, and this process's CPU time per
    signing (the database server's own work is not in it). Signs ``sales`` one after
    another (the first, untimed, warms the caches); untimed by the throughput figures."""
    if len(sales) < 2:
        raise ValueError("the probe needs at least two sales")
    counts = {"statements": 0, "transactions": 0}

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    def commit(*_args: Any) -> None:
        counts["transactions"] += 1

    sign_one(db, clerk, supervisor, sales[0])
    server_before = _server_cpu(db)
    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        cpu = time.process_time()
        for sale in sales[1:]:
            sign_one(db, clerk, supervisor, sale)
        cpu = time.process_time() - cpu
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)
    server_after = _server_cpu(db)
    n = len(sales) - 1
    server_ms = None
    if server_before is not None and server_after is not None:
        server_ms = round(1000 * sum(t - server_before.get(pid, 0.0) for pid, t in server_after.items()) / n, 1)
    return {"signings": n, "statements": round(counts["statements"] / n, 1),
            "transactions": round(counts["transactions"] / n, 1), "client_cpu_ms": round(1000 * cpu / n, 1),
            "server_cpu_ms": server_ms,
            "note": "one clerk alone, after the timed phases: statements sent (the bench's two reads of the "
                    "SMS outbox included), commits, the client process's CPU time per signing, and the "
                    "PostgreSQL backends' CPU time per signing (None on SQLite or when the server's "
                    "processes cannot be read from /proc on this machine)"}


def _server_cpu(db: Database) -> dict[int, float] | None:
    """PostgreSQL: CPU seconds used so far by each server process serving this database (from
    /proc/<pid>/stat: the server must run on this machine); None on SQLite or when unreadable."""
    if db.is_sqlite:
        return None
    with db.engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars().all()
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return used


def _race_worker(url: str, settings: Settings, clerk: Actor, check_id: int, form: Any, barrier: Any,
                 out: Any) -> None:
    """One racer: a terminal that checked the home and now makes its contract."""
    try:
        db = Database(url, settings=settings)
        with db.read() as session:
            session.execute(select(func.count()).select_from(Operator)).scalar_one()
        barrier.wait(PHASE_TIMEOUT_S)
        try:
            contracts.create_draft(db, clerk, check_id, form)
            out.put(("won", ""))
        except RuleViolation as exc:
            out.put((exc.code, exc.message))
        db.dispose()
    except BaseException as exc:  # noqa: BLE001 - reported by the parent
        barrier.abort()
        out.put(("failed", _failure(exc)))


def race_for_one_home(url: str, settings: Settings, db: Database, work: list[ClerkWork], sale: Sale, racers: int,
                      tell: Callable[[int, int, str], None]) -> dict[str, Any]:
    """``racers`` processes (spawned, each its own connections), each with its own passed house
    check of one home, make their contract at the same moment: exactly one may win, the
    others must be refused, and the home must have one contract."""
    tell(0, racers, "单套房源竞争")
    entries = []
    for n in range(racers):
        clerk = work[n % len(work)].clerk
        check = house_check.run_house_check(db, clerk, city=CITY, home_id=sale.home_id,
                                            party=house_check.Counterparty(sale.seller_id, identity_verified=True))
        new = contracts.new_contract_form(db, clerk, check.id)
        form = replace(new.form, buyers=(_buyer(900_000 + n),), co_ownership="sole", price=Decimal(2_350_000),
                       payment_method="lump_sum", fund_supervised=True, supervising_bank="中国建设银行",
                       payment_terms="签约后五日内付清。")
        entries.append((clerk, check.id, form))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(racers)
    out = context.Queue()
    workers = [context.Process(target=_race_worker, args=(url, settings, clerk, check_id, form, barrier, out),
                               daemon=True) for clerk, check_id, form in entries]
    for w in workers:
        w.start()
    outcomes = [out.get(timeout=PHASE_TIMEOUT_S) for _ in workers]
    for w in workers:
        w.join(timeout=10)
    with db.read() as session:
        stored = session.execute(select(func.count()).select_from(Contract)
                                 .where(Contract.home_id == sale.home_id)).scalar_one()
    codes: dict[str, int] = {}
    for code, _ in outcomes:
        codes[code] = codes.get(code, 0) + 1
    failures = sorted({message for code, message in outcomes if code == "failed"})[:3]
    return {"racers": racers, "winners": codes.get("won", 0), "refusals": codes, "failure_samples": failures,
            "contracts_on_the_home": stored,
            "ok": codes.get("won", 0) == 1 and stored == 1 and codes.get("failed", 0) == 0}


# ---------------------------------------------------------------- the worker processes


def _run_threads(target: Callable[[ClerkWork, ClerkResult], None], work: list[ClerkWork],
                 results: list[ClerkResult]) -> None:
    threads = [threading.Thread(target=target, args=(w, r), daemon=True) for w, r in zip(work, results, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _worker(url: str, settings: Settings, work: list[ClerkWork], barrier: Any, done: Any, out: Any) -> None:
    """One worker process: its clerks as threads, phase by phase, in step with the others."""
    try:
        db = Database(url, settings=settings)
        with db.read() as session:  # connect before the clock starts
            session.execute(select(func.count()).select_from(Operator)).scalar_one()
        results = [ClerkResult() for _ in work]

        def sign(w: ClerkWork, r: ClerkResult) -> None:
            for sale in w.sales:
                started = time.monotonic()
                try:
                    sign_one(db, w.clerk, w.supervisor, sale)
                    r.signing.append((started, time.monotonic()))
                except Exception as exc:  # noqa: BLE001 - counted and reported: the bench goes on
                    r.signing_errors.append(_failure(exc))
                with done.get_lock():
                    done.value += 1

        codes: dict[int, str] = {}

        def send(w: ClerkWork, r: ClerkResult) -> None:
            for subject in w.codes:
                try:
                    codes[subject] = _send_verification_code(db, w.clerk, w.supervisor, subject)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    r.verify_errors.append(_failure(exc))
                with done.get_lock():
                    done.value += 1

        def verify(w: ClerkWork, r: ClerkResult) -> None:
            for subject in w.codes:
                if subject not in codes:
                    continue  # its sending failed: already counted
                started = time.monotonic()
                try:
                    _verify_one(db, w.clerk, subject, codes[subject])
                    r.verify.append((started, time.monotonic()))
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    r.verify_errors.append(_failure(exc))
                with done.get_lock():
                    done.value += 1

        def submit(w: ClerkWork, r: ClerkResult) -> None:
            for ready in w.submits:
                started = time.monotonic()
                try:
                    signing.submit_signing(db, w.clerk, ready.id, expected_version=ready.version)
                    r.submit.append((started, time.monotonic()))
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    r.submit_errors.append(_failure(exc))
                with done.get_lock():
                    done.value += 1

        barrier.wait(PHASE_TIMEOUT_S)  # everyone connected: sign
        _run_threads(sign, work, results)
        barrier.wait(PHASE_TIMEOUT_S)  # everyone signed: submit the prepared contracts all at once
        _run_threads(submit, work, results)
        barrier.wait(PHASE_TIMEOUT_S)  # everyone submitted: send the verification codes
        _run_threads(send, work, results)
        barrier.wait(PHASE_TIMEOUT_S)  # every code sent: enter them
        _run_threads(verify, work, results)
        db.dispose()
        out.put(("ok", results))
    except BaseException as exc:  # noqa: BLE001 - the parent reports it; the barrier is broken for the others
        barrier.abort()
        out.put(("failed", _failure(exc)))


# ---------------------------------------------------------------- the temporary database


@contextmanager
def temporary_database(settings: Settings, db_url: str | None, workdir: str | Path | None,
                       benchmark: str = "signing") -> Iterator[str]:
    """A fresh database for the run, removed afterwards: a SQLite file in a temporary
    folder, or a new database on the PostgreSQL server of ``db_url`` (default: the
    configured URL; SQLite when that is not PostgreSQL). ``benchmark`` names it
    (``wq_bench_<benchmark>_<pid>_…``), so a test can tell its own from others'."""
    url = db_url if db_url is not None else settings.db_url
    if url and url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url or not url.startswith("postgresql"):
        root = Path(tempfile.mkdtemp(prefix=f"wq-bench-{benchmark}-", dir=workdir))
        try:
            yield f"sqlite:///{root / 'bench.db'}"
        finally:
            shutil.rmtree(root, ignore_errors=True)
        return
    server = make_url(url)
    name = f"wq_bench_{benchmark}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _is_postgresql(url: str) -> bool:
    """Whether ``url`` (as ``temporary_database`` made it) names a PostgreSQL database."""
    return url.startswith("postgresql")


# ---------------------------------------------------------------- the benchmark


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, max(0, math.ceil(q * len(sorted_ms)) - 1))]


def _phase(spans: list[tuple[float, float]], errors: list[str]) -> dict[str, Any]:
    ms = sorted((end - start) * 1000 for start, end in spans)
    wall = (max(e for _, e in spans) - min(s for s, _ in spans)) if spans else 0.0
    return {
        "done": len(spans),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "wall_s": round(wall, 3),
        "per_s": round(len(spans) / wall, 1) if wall > 0 else None,
        "p50_ms": round(_percentile(ms, 0.50), 1),
        "p95_ms": round(_percentile(ms, 0.95), 1),
        "max_ms": round(ms[-1], 1) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0,
    }


def default_processes(clerks: int) -> int:
    """Every usable CPU, and enough processes that none runs more than CLERKS_PER_PROCESS clerks."""
    return min(clerks, max(usable_cpus(), math.ceil(clerks / CLERKS_PER_PROCESS)))


def signing_benchmark(
    settings: Settings,
    *,
    clerks: int = 32,
    contracts_total: int | None = None,
    verifications: int | None = None,
    processes: int | None = None,
    db_url: str | None = None,
    workdir: str | Path | None = None,
    progress: Progress | None = None,
    submissions: int = 0,
    race: int = 0,
) -> dict[str, Any]:
    """Sign ``contracts_total`` contracts (default 20 a clerk) by ``clerks`` concurrent clerks,
    then verify ``verifications`` codes (default 50 a clerk); see the module docstring.
    ``submissions``: that many more contracts brought to the step before 提交 (untimed) and
    then submitted by all clerks at once (timed). ``race``: that many processes then race to
    make a contract on one home (exactly one may win)."""
    contracts_total = contracts_total if contracts_total is not None else 20 * clerks
    verifications = verifications if verifications is not None else 50 * clerks
    processes = processes if processes is not None else default_processes(clerks)
    if clerks < 1 or contracts_total < clerks or verifications < clerks or not 1 <= processes <= clerks:
        raise ValueError("need clerks >= 1, contracts and verifications >= clerks, 1 <= processes <= clerks")

    def tell(done: int, total: int, what: str) -> None:
        if progress is not None:
            progress(done, total, what)

    load_before = os.getloadavg()
    tell(0, 1, "建立临时数据库")
    with temporary_database(settings, db_url, workdir) as url:
        run_settings = settings.model_copy(update={"db_url": url, "code_key": SecretStr(secrets.token_hex(32)),
                                                   "code_key_previous": None})
        db = Database(url, settings=run_settings)
        system = Actor.system("bench")
        try:
            started = time.perf_counter()
            data.upgrade(db, system)
            work, spares = load_hall(db, clerks=clerks, contracts_total=contracts_total,
                                     spare=PROBE_SIGNINGS + submissions + 1)
            probe_sales, to_submit, race_sale = (spares[:PROBE_SIGNINGS],
                                                 spares[PROBE_SIGNINGS:PROBE_SIGNINGS + submissions], spares[-1])
            setup_s = time.perf_counter() - started
            started = time.perf_counter()
            jobs = [bulk.Job(work[n % clerks].clerk, work[n % clerks].supervisor, sale)
                    for n, sale in enumerate(to_submit)]
            tell(0, submissions, "准备提交")
            ready = bulk.prepare(db, jobs, flow=ready_to_submit,
                                 progress=lambda n, total: tell(n, total, "准备提交"))
            preparation_s = time.perf_counter() - started
        finally:
            db.dispose()
        work = [replace(w, codes=tuple(range(c, verifications, clerks)), submits=tuple(ready[c::clerks]))
                for c, w in enumerate(work)]
        groups = [work[p::processes] for p in range(processes)]

        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(processes)
        done = context.Value("i", 0)
        out = context.Queue()
        workers = [context.Process(target=_worker, args=(url, run_settings, g, barrier, done, out), daemon=True)
                   for g in groups]
        try:
            for w in workers:
                w.start()
            results = _follow(workers, done, out, contracts_total, verifications, tell, submissions)
        finally:
            for w in workers:
                if w.pid is None:  # never started
                    continue
                w.join(timeout=10)
                if w.is_alive():
                    w.terminate()

        tell(0, 1, "核对结果")
        db = Database(url, settings=run_settings)
        try:
            with db.read() as session:
                signed = session.execute(select(func.count()).select_from(Contract)
                                         .where(Contract.status == ContractStatus.SIGNED.value)).scalar_one()
            cost = signing_cost(db, work[0].clerk, work[0].supervisor, probe_sales)
            floor = None
            if _is_postgresql(url):
                tell(0, 1, "测量底线")
                floor = signing_floor.bare_driver_floor(url, clerks=clerks, flows_per_clerk=contracts_total // clerks,
                                                        processes=processes)
            winners = race_for_one_home(url, run_settings, db, work, race_sale, race, tell) if race else None
            chain = audit.verify(db, system)
        finally:
            db.dispose()
    load_after = os.getloadavg()

    sign = _phase([s for r in results for s in r.signing], [e for r in results for e in r.signing_errors])
    check = _phase([s for r in results for s in r.verify], [e for r in results for e in r.verify_errors])
    sub = _phase([s for r in results for s in r.submit], [e for r in results for e in r.submit_errors])
    kind = "postgresql" if _is_postgresql(url) else "sqlite"
    return {
        "benchmark": "signing",
        "database": kind,
        "database_note": ("a database created for the run on the given PostgreSQL server and dropped afterwards"
                          if kind == "postgresql" else "a fresh SQLite file in a temporary folder, deleted afterwards")
        + "; the configured database is not used",
        "city": CITY,
        "clerks": clerks,
        "processes": processes,
        "cpus": usable_cpus(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "setup_s": round(setup_s, 2),
        "submission_preparation_s": round(preparation_s, 2),
        "flow": ["run_house_check", "new_contract_form", "create_draft", "request_qualification",
                 "decide_qualification", "send_signing_code × 2", "verify_signing_code × 2", "submit_signing"],
        "contracts": contracts_total,
        "signed": sign["done"],
        "signed_in_database": signed,
        "signing_errors": sign["errors"],
        "signing_error_samples": sign["error_samples"],
        "signing_s": sign["wall_s"],
        "signings_per_s": sign["per_s"],
        "signing_p50_ms": sign["p50_ms"],
        "signing_p95_ms": sign["p95_ms"],
        "signing_max_ms": sign["max_ms"],
        "verifications": verifications,
        "verified": check["done"],
        "verification_errors": check["errors"],
        "verification_error_samples": check["error_samples"],
        "verification_s": check["wall_s"],
        "verifications_per_s": check["per_s"],
        "verification_p50_ms": check["p50_ms"],
        "verification_p95_ms": check["p95_ms"],
        "submissions": submissions,
        "submitted": sub["done"],
        "submission_errors": sub["errors"],
        "submission_error_samples": sub["error_samples"],
        "submissions_per_s": sub["per_s"],
        "submission_p50_ms": sub["p50_ms"],
        "submission_p95_ms": sub["p95_ms"],
        "single_winner": winners,
        "one_signing": cost,
        "bare_driver_floor": floor,
        "signings_vs_floor": (round(sign["per_s"] / floor["flows_per_s"], 3)
                              if floor and floor["flows_per_s"] and sign["per_s"] else None),
        "audit_rows": chain.rows,
        "audit_chain_intact": chain.intact,
        "targets": {"database": "postgresql", "clerks": TARGET_CLERKS, "signings_per_s": TARGET_SIGNINGS_PER_S,
                    "verifications_per_s": TARGET_VERIFICATIONS_PER_S},
        "signings_ok": (sign["per_s"] or 0) >= TARGET_SIGNINGS_PER_S and sign["errors"] == 0,
        "verifications_ok": (check["per_s"] or 0) >= TARGET_VERIFICATIONS_PER_S and check["errors"] == 0,
    }


def _follow(workers: list[Any], done: Any, out: Any, contracts_total: int, verifications: int,
            tell: Callable[[int, int, str], None], submissions: int = 0) -> list[ClerkResult]:
    """Report the phases' progress (``done`` counts every step of every phase) and gather
    the workers' results; a worker that failed or stopped ends the run with its reason."""
    phases = ((contracts_total, "签约"), (submissions, "提交"),
              (verifications, "发送验证码"), (verifications, "核验验证码"))
    results: list[ClerkResult] = []
    reported = 0
    deadline = time.monotonic() + 3 * PHASE_TIMEOUT_S
    while reported < len(workers):
        count = done.value
        for total, what in phases:
            if count < total or (total, what) == phases[-1]:
                tell(min(count, total), total, what)
                break
            count -= total
        try:
            status, payload = out.get(timeout=0.2)
        except queue.Empty:
            if time.monotonic() > deadline or any(w.exitcode not in (None, 0) for w in workers):
                raise RuntimeError("a worker process stopped without its results") from None
            continue
        if status != "ok":
            raise RuntimeError(f"a worker process failed: {payload}")
        results += payload
        reported += 1
    return results
