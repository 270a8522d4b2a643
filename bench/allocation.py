"""Benchmark of a selection round: ``run_round`` end to end against bare sqlite3.

``allocation_round`` builds a fresh SQLite database in a temporary folder (the
configured database, WANGQIAN_DB_URL / WANGQIAN_DATA_DIR, is never touched),
fills it with one synthetic round (bench.round_data.generate_round_data)
and checkpoints it into one file. Every timed run then starts from its own
byte-identical copy of that file, so no run sees another's writes.

Two things are timed, in the same process on the same data:

* **baseline** — the stdlib ``sqlite3`` module alone, doing only what a round
  must do at the least: load the free houses in board order, the families by
  rank with their formal wishes, confirms and give-ups (three SELECTs), resolve
  with ``core.allocation.selection.resolve`` (the same pure function: the benchmark
  measures the storage overhead, not another algorithm) and write every
  RoundFamily result with one ``executemany`` in one transaction;
* **end to end** — ``services.allocation.rounds.run_round`` through a ``Database`` on the
  other copy: lock, load, resolve, write results, take the houses, set the
  families' status, write and hash the journal, publish the round, audit.

Fairness: both use the same pragmas (WAL, synchronous=NORMAL, foreign keys),
both connections are opened (and the schema read once) before their clock
starts, and both copies are written from the same source just before use, so
both read from a warm page cache. With ``repeat`` = N the runs alternate —
baseline, end to end, baseline, end to end … — each on a fresh copy, and the
best (shortest) time of each kind is reported, which discounts the noise of a
shared machine equally on both sides. ``ratio`` is end-to-end ÷ baseline
(wall clock, time.perf_counter); ``cpu_ratio`` is the same over the process's
CPU time (time.process_time), less disturbed by other work on the machine.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bench import round_data
from core.allocation.rounds import HouseState, ListKind
from core.allocation.selection import FamilyInput, RoundInput, resolve
from core.roles import Actor
from services import data
from services.allocation.run import RUN_PHASES, run_round
from storage.engine import Database
from storage.settings import Settings

TARGET_RATIO = 1.5

# progress(done, total, what): what is a short Chinese label of the current step.
Progress = Callable[[int, int, str], None]


def _connect(path: Path) -> sqlite3.Connection:
    """A bare connection with the pragmas storage.engine gives every SQLite connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # read the schema before the clock starts
    return conn


def baseline_round(conn: sqlite3.Connection, round_id: int) -> list[tuple[int, int, str | None, str]]:
    """Load + resolve + write results with bare sqlite3; returns (family_id, rank, house code, status) in rank order."""
    code_of: dict[int, str] = {}
    house_id: dict[str, int] = {}
    pool: list[str] = []
    for hid, code, state in conn.execute("SELECT id, code, state FROM public_house ORDER BY building, floor, room, id"):
        code_of[hid] = code
        house_id[code] = hid
        if state == HouseState.FREE:
            pool.append(code)
    fam_rows = conn.execute("SELECT id, family_id, rank, confirm_house_id, gave_up FROM round_family "
                            "WHERE round_id = ? ORDER BY rank", (round_id,)).fetchall()
    wishes: dict[int, list[str]] = {}
    last = None
    codes: list[str] = []
    for fid, hid in conn.execute("SELECT family_id, house_id FROM wish WHERE round_id = ? AND list_kind = ? "
                                 "ORDER BY family_id, list_kind, position", (round_id, ListKind.FORMAL)):
        if fid != last:
            wishes[fid] = codes = []
            last = fid
        codes.append(code_of[hid])
    families = []
    for _, fid, rank, confirm_id, gave_up in fam_rows:
        families.append(FamilyInput(str(fid), rank, tuple(wishes.get(fid, ())),
                                    code_of[confirm_id] if confirm_id is not None else None, bool(gave_up)))
    round_input = RoundInput(tuple(pool), tuple(families), family_json_ids=MappingProxyType({}))
    result = resolve(round_input)
    rows = [(house_id[r.house] if r.house is not None else None, r.status, rf[0])
            for rf, r in zip(fam_rows, result.results, strict=True)]
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("UPDATE round_family SET result_house_id = ?, result_status = ? WHERE id = ?", rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return [(int(r.family), r.rank, r.house, r.status) for r in result.results]


def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


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
) -> dict[str, Any]:
    """Generate a round in a fresh SQLite file, then time the baseline and ``run_round`` (see the module docstring)."""
    if not 1 <= repeat <= 3:
        raise ValueError("repeat must be 1, 2 or 3")
    actor = Actor.system("bench")
    total = 2 + repeat * (1 + RUN_PHASES)
    done = 0

    def tick(what: str, step: int = 1) -> None:
        nonlocal done
        done += step
        if progress is not None:
            progress(done, total, what)

    if progress is not None:
        progress(0, total, "生成场次数据")
    root = Path(tempfile.mkdtemp(prefix="wq-bench-allocation-", dir=workdir))
    try:
        source = root / "source.db"
        db = Database(f"sqlite:///{source}", settings=settings)
        try:
            data.upgrade(db, actor)
            started = time.perf_counter()
            made = round_data.generate_round_data(db, families, houses, list_len, seed)
            generate_s = time.perf_counter() - started
        finally:
            db.dispose()
        _checkpoint(source)
        tick("生成场次数据")
        round_id = made["round_id"]

        baseline_times: list[float] = []
        end_to_end_times: list[float] = []
        baseline_cpu: list[float] = []  # process CPU time: a second view on a busy, shared machine
        end_to_end_cpu: list[float] = []
        baseline_results: list[tuple[int, int, str | None, str]] = []
        end_to_end_results: list[tuple[int, int, str | None, str]] = []
        free_agree = True
        tick("复制数据库")
        for attempt in range(repeat):
            copy = root / f"baseline-{attempt}.db"
            shutil.copyfile(source, copy)
            conn = _connect(copy)
            try:
                started, cpu = time.perf_counter(), time.process_time()
                baseline_results = baseline_round(conn, round_id)
                baseline_times.append(time.perf_counter() - started)
                baseline_cpu.append(time.process_time() - cpu)
            finally:
                conn.close()
            copy.unlink()
            for suffix in ("-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            tick("基线：裸 sqlite3")

            copy = root / f"end-to-end-{attempt}.db"
            shutil.copyfile(source, copy)
            run_db = Database(f"sqlite:///{copy}", settings=settings)
            try:
                with run_db.read() as session:  # open the connection and read the schema before the clock
                    session.connection().exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
                first = done

                def phase(d: int, n: int, first: int = first) -> None:
                    nonlocal done
                    done = first + d
                    if progress is not None:
                        progress(done, total, "端到端：运行选房")

                started, cpu = time.perf_counter(), time.process_time()
                report = run_round(run_db, actor, round_id, progress=phase)
                end_to_end_times.append(time.perf_counter() - started)
                end_to_end_cpu.append(time.process_time() - cpu)
                done = first + RUN_PHASES
            finally:
                run_db.dispose()
            copy.unlink()
            for suffix in ("-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            end_to_end_results = [tuple(line) for line in report.results]
            free_agree = free_agree and len(report.free_after) == houses - sum(
                1 for r in baseline_results if r[2] is not None)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    baseline_s = min(baseline_times)
    end_to_end_s = min(end_to_end_times)
    return {
        "benchmark": "allocation",
        "database": "sqlite",
        "database_note": "a fresh SQLite file in a temporary folder, deleted afterwards; the configured database is not used",
        "families": families,
        "houses": houses,
        "list_len": list_len,
        "wishes": made["wishes"],
        "seed": seed,
        "generate_s": round(generate_s, 3),
        "baseline_s": round(baseline_s, 3),
        "end_to_end_s": round(end_to_end_s, 3),
        "ratio": round(end_to_end_s / baseline_s, 3) if baseline_s > 0 else None,
        "target_ratio": TARGET_RATIO,
        "runs": repeat,
        "timing": ("one run of each, baseline first, each on its own copy of the generated file" if repeat == 1 else
                   f"best of {repeat} runs of each, alternating baseline / end to end, each on its own copy"),
        "baseline_runs_s": [round(t, 3) for t in baseline_times],
        "end_to_end_runs_s": [round(t, 3) for t in end_to_end_times],
        "baseline_cpu_s": round(min(baseline_cpu), 3),
        "end_to_end_cpu_s": round(min(end_to_end_cpu), 3),
        "cpu_ratio": round(min(end_to_end_cpu) / min(baseline_cpu), 3) if min(baseline_cpu) > 0 else None,
        "allocated": sum(1 for r in baseline_results if r[2] is not None),
        "results_agree": baseline_results == end_to_end_results and free_agree,
    }
