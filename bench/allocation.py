"""Benchmark of a selection round: ``run_round`` end to end against a bare-driver baseline,
on SQLite and on PostgreSQL.

Each database gets a fresh copy of one synthetic round (bench.round_data.generate_round_data)
that no other run has touched; the configured database (WANGQIAN_DB_URL / WANGQIAN_DATA_DIR)
is never used:

* **SQLite** — the round is generated in a file in a temporary folder and checkpointed;
  every timed run starts from its own byte-identical copy of that file.
* **PostgreSQL** (``db_url`` names a server) — the round is generated in a database
  created for the benchmark on that server, with autovacuum switched off on its tables
  and no ANALYZE: the run meets freshly loaded tables without statistics, as a round
  imported a minute ago would be (``reltuples`` stays -1, pg_stats empty; the report
  says so). Every timed run gets its own ``CREATE DATABASE … TEMPLATE`` copy, which
  keeps those empty statistics. Finally one more end-to-end run on a copy that was
  ANALYZEd first (untimed) shows whether any step's time depends on the statistics
  (``phases_analyzed_s`` beside ``phases_s``). Every database made is dropped afterwards.

Two things are timed, in the same process on the same data:

* **baseline** — the bare driver alone (stdlib ``sqlite3``; ``psycopg`` on PostgreSQL), doing
  only what a round must do at the least: load the free houses in board order, the families
  by rank with their formal wishes, confirms and give-ups (three SELECTs, read in batches
  with ``fetchmany``: the cheapest way for psycopg, no dearer for sqlite3), resolve with
  ``core.allocation.selection.resolve`` (the same pure function: the benchmark measures
  the storage overhead, not another algorithm) and write every
  RoundFamily result in one transaction — one ``executemany`` on SQLite, one
  ``UPDATE … FROM unnest(arrays)`` on PostgreSQL (its fastest bare form: an executemany
  would pay a round trip per row). Nothing else: no houses taken, no family status, no
  journal, no audit;
* **end to end** — ``services.allocation.run.run_round`` through a ``Database``: lock, load,
  resolve, write results, take the houses, set the families' status, write and hash the
  journal, publish the round, audit, commit. Its phases are timed as well (``phases_s``,
  wall; ``phases_cpu_s``, this process's CPU), from the run's own progress calls.

The journal (the round's whole input as canonical JSON — about 37 MB for 100,000 families
with 20 wishes —, one hashed row per family, hash-chained) is work the baseline does not do
at all, so beside ``ratio`` the report gives ``ratio_without_journal``: the end-to-end time
less its journal phase (building, hashing and inserting the rows; the commit still writes
them, so this errs against the service).

Fairness: both sides use the same connection settings (SQLite: WAL, synchronous=NORMAL,
foreign keys), both connections are opened (and the schema read once) before their clock
starts, both copies are made from the same source just before use, and every timed run
starts from a collected heap (``gc.collect()`` before the clock; the results kept for the
comparison are plain tuples the collector does not track), so that neither side's garbage
collections walk what the other left behind. With ``repeat`` = N
the runs alternate — baseline, end to end, baseline, end to end … — each on a fresh copy,
and the best (shortest) time of each kind is reported, which discounts the noise of a
shared machine equally on both sides. ``ratio`` is end-to-end ÷ baseline (wall clock,
time.perf_counter); ``cpu_ratio`` is the same over this process's CPU time
(time.process_time), less disturbed by other work on the machine. On PostgreSQL the
server works too: when its backends are processes of this machine, their CPU time is read
from /proc and reported as ``server_cpu_s`` (and ``total_cpu_ratio``), else null.
"""

from __future__ import annotations

import gc
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import round_data
from core.allocation.rounds import HouseState, ListKind
from core.allocation.selection import FamilyInput, RoundInput, resolve
from core.roles import Actor
from services import data
from services.allocation.run import RUN_PHASES, run_round
from storage.engine import Database
from storage.settings import Settings

TARGET_RATIO = 1.25

#: What the end-to-end run is doing between two of its progress calls (services.allocation.run).
PHASES = ("lock", "load", "resolve", "results", "houses", "families", "journal", "publish_audit_commit")
assert len(PHASES) == RUN_PHASES + 1

#: The tables a round run reads or writes (PostgreSQL: autovacuum off, statistics checked).
ROUND_TABLES = ("public_house", "family", "person", "allocation_round", "round_family", "wish", "round_journal",
                "audit_entry")

# progress(done, total, what): what is a short Chinese label of the current step.
Progress = Callable[[int, int, str], None]
Result = list[tuple[int, int, str | None, str]]


# ---------------------------------------------------------------- the baselines


def _connect(path: Path) -> sqlite3.Connection:
    """A bare connection with the pragmas storage.engine gives every SQLite connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # read the schema before the clock starts
    return conn


def _resolve_rows(cursor: Any, round_id: int, *, mark: str, collate: str = "") -> tuple[list[Any], Any, dict[str, int]]:
    """The baselines' load and resolve: three SELECTs read in batches of rows, then the rule.
    ``mark`` is the driver's placeholder; ``collate`` PostgreSQL's byte order for the board."""
    code_of: dict[int, str] = {}
    house_id: dict[str, int] = {}
    pool: list[str] = []
    cursor.execute(f"SELECT id, code, state FROM public_house ORDER BY building{collate}, floor, room{collate}, id")
    while batch := cursor.fetchmany(50_000):
        for hid, code, state in batch:
            code_of[hid] = code
            house_id[code] = hid
            if state == HouseState.FREE:
                pool.append(code)
    cursor.execute(f"SELECT id, family_id, rank, confirm_house_id, gave_up FROM round_family "
                   f"WHERE round_id = {mark} ORDER BY rank", (round_id,))
    fam_rows = cursor.fetchall()
    wishes: dict[int, list[str]] = {}
    last = None
    codes: list[str] = []
    cursor.execute(f"SELECT family_id, house_id FROM wish WHERE round_id = {mark} AND list_kind = {mark} "
                   "ORDER BY family_id, list_kind, position", (round_id, ListKind.FORMAL.value))
    while batch := cursor.fetchmany(50_000):
        for fid, hid in batch:
            if fid != last:
                wishes[fid] = codes = []
                last = fid
            codes.append(code_of[hid])
    families = []
    for _, fid, rank, confirm_id, gave_up in fam_rows:
        families.append(FamilyInput(str(fid), rank, tuple(wishes.get(fid, ())),
                                    code_of[confirm_id] if confirm_id is not None else None, bool(gave_up)))
    round_input = RoundInput(tuple(pool), tuple(families), family_json_ids=MappingProxyType({}))
    return fam_rows, resolve(round_input), house_id


def baseline_round(conn: sqlite3.Connection, round_id: int) -> Result:
    """Load + resolve + write results with bare sqlite3; returns (family_id, rank, house code, status) in rank order."""
    fam_rows, result, house_id = _resolve_rows(conn.cursor(), round_id, mark="?")
    rows = [(house_id[r.house] if r.house is not None else None, r.status.value, rf[0])
            for rf, r in zip(fam_rows, result.results, strict=True)]
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("UPDATE round_family SET result_house_id = ?, result_status = ? WHERE id = ?", rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return [(int(r.family), r.rank, r.house, r.status) for r in result.results]


def baseline_round_postgresql(conn: Any, round_id: int) -> Result:
    """The same with bare psycopg (one transaction): the results written by one UPDATE … FROM unnest(arrays)."""
    with conn.cursor() as cursor:
        fam_rows, result, house_id = _resolve_rows(cursor, round_id, mark="%s", collate=' COLLATE "C"')
        cursor.execute(
            "UPDATE round_family AS rf SET result_house_id = v.h, result_status = v.s "
            "FROM unnest(%s::integer[], %s::text[], %s::integer[]) AS v(h, s, id) WHERE rf.id = v.id",
            ([house_id[r.house] if r.house is not None else None for r in result.results],
             [r.status.value for r in result.results], [rf[0] for rf in fam_rows]))
    conn.commit()
    return [(int(r.family), r.rank, r.house, r.status) for r in result.results]


# ---------------------------------------------------------------- the timed runs


class _Clock:
    """Wall and CPU time of one run, and of each phase of it (from the run's progress calls)."""

    def __init__(self, server_cpu: Callable[[], float | None] | None = None) -> None:
        self.server_cpu = server_cpu
        self.marks: dict[int, tuple[float, float]] = {}  # after phase n: a run retried whole overwrites its marks

    def __enter__(self) -> _Clock:
        gc.collect()  # every timed run starts from a collected heap, whatever ran before it
        self.server_start = self.server_cpu() if self.server_cpu else None
        self.start = (time.perf_counter(), time.process_time())
        return self

    def mark(self, done: int, _total: int) -> None:
        self.marks[done] = (time.perf_counter(), time.process_time())

    def __exit__(self, *exc: object) -> None:
        self.end = (time.perf_counter(), time.process_time())
        server_end = self.server_cpu() if self.server_cpu else None
        self.server_s = (server_end - self.server_start if server_end is not None and self.server_start is not None
                         else None)

    @property
    def wall(self) -> float:
        return self.end[0] - self.start[0]

    @property
    def cpu(self) -> float:
        return self.end[1] - self.start[1]

    def phases(self, which: int) -> dict[str, float]:
        if sorted(self.marks) != list(range(1, len(PHASES))):
            return {}
        points = [self.start, *(self.marks[n] for n in range(1, len(PHASES))), self.end]
        return {name: round(points[i + 1][which] - points[i][which], 3) for i, name in enumerate(PHASES)}


def _figures(kind: str, baseline: list[_Clock], end_to_end: list[_Clock], analyzed: _Clock | None) -> dict[str, Any]:
    """The report of one database from its timed runs (best of each kind)."""
    best_base = min(baseline, key=lambda c: c.wall)
    best = min(end_to_end, key=lambda c: c.wall)
    base_cpu = min(c.cpu for c in baseline)
    e2e_cpu = min(c.cpu for c in end_to_end)
    phases, phases_cpu = best.phases(0), best.phases(1)
    journal = phases.get("journal")
    best_cpu = min(end_to_end, key=lambda c: c.cpu)
    journal_cpu = best_cpu.phases(1).get("journal")

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    out: dict[str, Any] = {
        "database": kind,
        "baseline_s": round(best_base.wall, 3),
        "end_to_end_s": round(best.wall, 3),
        "ratio": ratio(best.wall, best_base.wall),
        "baseline_runs_s": [round(c.wall, 3) for c in baseline],
        "end_to_end_runs_s": [round(c.wall, 3) for c in end_to_end],
        "baseline_cpu_s": round(base_cpu, 3),
        "end_to_end_cpu_s": round(e2e_cpu, 3),
        "cpu_ratio": ratio(e2e_cpu, base_cpu),
        "baseline_cpu_runs_s": [round(c.cpu, 3) for c in baseline],
        "end_to_end_cpu_runs_s": [round(c.cpu, 3) for c in end_to_end],
        "phases_s": phases,
        "phases_cpu_s": phases_cpu,
        "journal_s": journal,
        "ratio_without_journal": ratio(best.wall - journal, best_base.wall) if journal is not None else None,
        "cpu_ratio_without_journal": ratio(e2e_cpu - journal_cpu, base_cpu) if journal_cpu is not None else None,
    }
    if kind == "postgresql":
        base_server = [c.server_s for c in baseline]
        e2e_server = [c.server_s for c in end_to_end]
        known = None not in base_server and None not in e2e_server
        out["server_cpu_s"] = {"baseline": round(min(base_server), 3), "end_to_end": round(min(e2e_server), 3)} \
            if known else None  # type: ignore[type-var]
        out["total_cpu_ratio"] = ratio(min(c.cpu + c.server_s for c in end_to_end),  # type: ignore[operator]
                                       min(c.cpu + c.server_s for c in baseline)) if known else None  # type: ignore[operator]
        out["phases_analyzed_s"] = analyzed.phases(0) if analyzed is not None else None
    return out


def _timed_run(db: Database, actor: Actor, round_id: int, clock: _Clock) -> tuple[Result, int]:
    """One ``run_round`` on ``db`` under ``clock``: its results and the number of houses left free."""
    with db.read() as session:  # open the connection and read the schema before the clock
        session.connection().exec_driver_sql("SELECT count(*) FROM allocation_round").scalar()
    with clock:
        report = run_round(db, actor, round_id, progress=clock.mark)
    return _kept(report.results), len(report.free_after)


# ---------------------------------------------------------------- SQLite


def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _unlink(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sqlite(settings: Settings, size: dict[str, int], repeat: int, workdir: str | Path | None,
            tick: Callable[[str], None]) -> tuple[dict[str, Any], dict[str, Any]]:
    actor = Actor.system("bench")
    root = Path(tempfile.mkdtemp(prefix="wq-bench-allocation-", dir=workdir))
    try:
        source = root / "source.db"
        db = Database(f"sqlite:///{source}", settings=settings)
        try:
            data.upgrade(db, actor)
            started = time.perf_counter()
            made = round_data.generate_round_data(db, **size)
            generate_s = time.perf_counter() - started
        finally:
            db.dispose()
        _checkpoint(source)
        tick("SQLite：生成场次数据")
        round_id = made["round_id"]
        baseline: list[_Clock] = []
        end_to_end: list[_Clock] = []
        agree = True
        for attempt in range(repeat):
            copy = root / f"baseline-{attempt}.db"
            shutil.copyfile(source, copy)
            conn = _connect(copy)
            try:
                with _Clock() as clock:
                    base_results = _kept(baseline_round(conn, round_id))
                baseline.append(clock)
            finally:
                conn.close()
            _unlink(copy)
            tick("SQLite：基线（裸 sqlite3）")

            copy = root / f"end-to-end-{attempt}.db"
            shutil.copyfile(source, copy)
            run_db = Database(f"sqlite:///{copy}", settings=settings)
            try:
                clock = _Clock()
                results, free_after = _timed_run(run_db, actor, round_id, clock)
                end_to_end.append(clock)
            finally:
                run_db.dispose()
            _unlink(copy)
            tick("SQLite：端到端（run_round）")
            agree = agree and _agree(base_results, results, free_after, size["houses"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    out = {
        "database_note": "a fresh SQLite file in a temporary folder, deleted afterwards; the configured database "
                         "is not used",
        "generate_s": round(generate_s, 3),
        **_figures("sqlite", baseline, end_to_end, None),
        "allocated": sum(1 for r in base_results if r[2] is not None),
        "results_agree": agree,
    }
    return out, made


def _kept(results: Any) -> Result:
    """Results as kept after their clock stopped: plain values in exact tuples, which the garbage
    collector stops tracking, so that what one run leaves behind does not slow the next one."""
    return [(family, rank, house, str(status)) for family, rank, house, status in results]


def _agree(baseline: Result, end_to_end: Result, free_after: int, houses: int) -> bool:
    """Both sides gave every family the same result, and the run left the other houses free."""
    return baseline == end_to_end and free_after == houses - sum(1 for r in baseline if r[2] is not None)


# ---------------------------------------------------------------- PostgreSQL


def postgresql_url(url: str) -> str:
    """``url`` for SQLAlchemy with psycopg 3 (postgresql:// and postgres:// accepted)."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@contextmanager
def _database_on(server_url: str, *, template: str | None = None) -> Iterator[str]:
    """A database created on the server of ``server_url`` (a copy of ``template`` if given), dropped afterwards."""
    server = make_url(server_url)
    name = f"wq_bench_alloc_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            copy = ""
            if template is not None:
                # FILE_COPY (PostgreSQL 15+) copies the files after a checkpoint: much faster than
                # WAL-logging every page of a large template.
                new = conn.exec_driver_sql("SHOW server_version_num").scalar_one()
                copy = f' TEMPLATE "{template}"' + (" STRATEGY = FILE_COPY" if int(new) >= 150000 else "")
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        try:
            yield name
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _named(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _backend_cpu(conninfo: str, database: str) -> Callable[[], float | None]:
    """CPU seconds so far of every server process connected to ``database``, read from /proc
    (a server on this machine only; None when the processes cannot be read)."""
    import psycopg

    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def read() -> float | None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            pids = [p for (p,) in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                                               "pg_backend_pid()", (database,))]
        total = 0
        try:
            for pid in pids:
                proc = Path(f"/proc/{pid}")
                if proc.joinpath("comm").read_text(encoding="utf-8").strip() != "postgres":
                    return None  # the server is elsewhere: this pid is another program of this machine
                fields = proc.joinpath("stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            return None
        return total / tick

    return read


def _statistics(conn: Any) -> dict[str, Any]:
    """What the planner knows of the round's tables: rows estimated (-1: never analysed) and pg_stats rows."""
    rows = conn.exec_driver_sql(
        "SELECT c.relname, c.reltuples, (SELECT count(*) FROM pg_stats s WHERE s.schemaname = 'public' "
        "AND s.tablename = c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY(%s) ORDER BY c.relname",
        (list(ROUND_TABLES),)).all()
    return {name: {"reltuples": int(tuples), "pg_stats_rows": stats} for name, tuples, stats in rows}


def _postgresql(settings: Settings, server_url: str, size: dict[str, int], repeat: int,
                tick: Callable[[str], None]) -> tuple[dict[str, Any], dict[str, Any]]:
    import psycopg

    actor = Actor.system("bench")
    server_url = postgresql_url(server_url)
    with _database_on(server_url) as source:
        db = Database(_named(server_url, source), settings=settings)
        try:
            data.upgrade(db, actor)
            with db.write() as session:  # no autovacuum, hence no automatic ANALYZE, on the copies either
                for table in ROUND_TABLES:
                    session.connection().exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            started = time.perf_counter()
            made = round_data.generate_round_data(db, **size)
            generate_s = time.perf_counter() - started
            with db.read() as session:
                statistics = _statistics(session.connection())
        finally:
            db.dispose()
        tick("PostgreSQL：生成场次数据")
        round_id = made["round_id"]
        baseline: list[_Clock] = []
        end_to_end: list[_Clock] = []
        agree = True
        plain = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
        for attempt in range(repeat + 1):
            analyzed = attempt == repeat  # the last end-to-end run: on an analysed copy, for its phases
            if not analyzed:
                with _database_on(server_url, template=source) as name:
                    conninfo = make_url(plain).set(database=name).render_as_string(hide_password=False)
                    with psycopg.connect(conninfo) as conn:
                        conn.execute("SELECT count(*) FROM allocation_round").fetchone()
                        conn.commit()
                        with _Clock(_backend_cpu(plain, name)) as clock:
                            base_results = _kept(baseline_round_postgresql(conn, round_id))
                        baseline.append(clock)
                tick("PostgreSQL：基线（裸 psycopg）")
            with _database_on(server_url, template=source) as name:
                run_db = Database(_named(server_url, name), settings=settings)
                try:
                    if analyzed:
                        with run_db.write() as session:
                            session.connection().exec_driver_sql("ANALYZE")
                    clock = _Clock(_backend_cpu(plain, name))
                    results, free_after = _timed_run(run_db, actor, round_id, clock)
                finally:
                    run_db.dispose()
            if analyzed:
                last = clock
                tick("PostgreSQL：端到端（ANALYZE 之后）")
            else:
                end_to_end.append(clock)
                tick("PostgreSQL：端到端（run_round）")
            agree = agree and _agree(base_results, results, free_after, size["houses"])
    out = {
        "database_note": "databases created for the run on the given PostgreSQL server (the round generated once, "
                         "each timed run on its own CREATE DATABASE … TEMPLATE copy), dropped afterwards; the "
                         "configured database is not used",
        "generate_s": round(generate_s, 3),
        "statistics": "none: autovacuum off on the round's tables and no ANALYZE before the timed runs",
        "statistics_at_start": statistics,
        **_figures("postgresql", baseline, end_to_end, last),
        "allocated": sum(1 for r in base_results if r[2] is not None),
        "results_agree": agree,
    }
    return out, made


# ---------------------------------------------------------------- the benchmark


def allocation_round(
    settings: Settings,
    *,
    families: int = 100_000,
    houses: int = 30_000,
    list_len: int = 20,
    seed: int = 1,
    repeat: int = 1,
    workdir: str | Path | None = None,
    progress: Progress | None = None,
    databases: tuple[str, ...] = ("sqlite",),
    db_url: str | None = None,
) -> dict[str, Any]:
    """Generate a round on each of ``databases`` ("sqlite", "postgresql" on the server of
    ``db_url``), then time the baseline and ``run_round`` there (see the module docstring).

    The report's top level holds what the databases share; each one's figures are under its name.
    """
    if not 1 <= repeat <= 3:
        raise ValueError("repeat must be 1, 2 or 3")
    if not databases or set(databases) - {"sqlite", "postgresql"}:
        raise ValueError("databases: sqlite and/or postgresql")
    if "postgresql" in databases and not (db_url and postgresql_url(db_url).startswith("postgresql")):
        raise ValueError("PostgreSQL needs the URL of a server")
    size = {"families": families, "houses": houses, "list_len": list_len, "seed": seed}
    steps = {"sqlite": 1 + 2 * repeat, "postgresql": 2 + 2 * repeat}
    total = sum(steps[d] for d in databases)
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, what)

    if progress is not None:
        progress(0, total, "生成场次数据")
    load_before = os.getloadavg()
    found: dict[str, dict[str, Any]] = {}
    made: dict[str, Any] = {}
    for kind in databases:
        if kind == "sqlite":
            found[kind], made = _sqlite(settings, size, repeat, workdir, tick)
        else:
            found[kind], made = _postgresql(settings, db_url or "", size, repeat, tick)
    load_after = os.getloadavg()
    return {
        "benchmark": "allocation",
        "families": families,
        "houses": houses,
        "list_len": list_len,
        "wishes": made["wishes"],
        "seed": seed,
        "target_ratio": TARGET_RATIO,
        "runs": repeat,
        "timing": ("one run of each, baseline first, each on its own copy of the generated data" if repeat == 1 else
                   f"best of {repeat} runs of each, alternating baseline / end to end, each on its own copy"),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "databases": list(databases),
        **found,
    }
