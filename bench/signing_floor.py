"""The floor under ``bench signing`` on PostgreSQL: what this machine does with the same shape
of work when nothing stands between Python and the server.

A complete signing is ten actions by a clerk and a supervisor, each its own transaction: the
house check, the contract form, the draft, the buyer's qualification asked and decided, two
codes sent, two codes entered, 提交. Each action here reads the operator's account (every real
action is checked against the current account), locks the row it changes, writes what it
writes and appends an audit row — 43 statements and 10 commits a flow (the product's flow:
87 statements and 13 commits), sent by psycopg with no ORM, no rules, no hashing, no audit
chain. It runs on tables of its own in a
schema of the run's temporary database, by as many clerks in as many processes as the timed
phase, so the ratio of the two figures is the cost of everything the product adds, measured
in the same run on the same loaded or idle machine (a figure the machine's speed moves much
less than either alone).
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from typing import Any

SCHEMA = "bare_floor"
STATEMENTS_PER_FLOW = 43
TRANSACTIONS_PER_FLOW = 10

_TABLES = f"""
CREATE SCHEMA {SCHEMA};
SET search_path TO {SCHEMA};
CREATE TABLE operator (id serial PRIMARY KEY, active bool NOT NULL, locked bool NOT NULL, role text NOT NULL);
CREATE TABLE home (id serial PRIMARY KEY, in_transaction bool NOT NULL, location text NOT NULL, facts jsonb);
CREATE TABLE contract (id serial PRIMARY KEY, home_id int NOT NULL REFERENCES home, status text NOT NULL,
                       version int NOT NULL, facts jsonb, updated_at timestamptz NOT NULL);
CREATE TABLE party (id serial PRIMARY KEY, contract_id int NOT NULL REFERENCES contract, key text NOT NULL,
                    name text NOT NULL, id_number text NOT NULL, phone text NOT NULL);
CREATE INDEX ON party (contract_id);
CREATE TABLE code (id serial PRIMARY KEY, contract_id int NOT NULL, party_key text NOT NULL, code_hash text NOT NULL,
                   created_at timestamptz NOT NULL, attempts int NOT NULL, used_at timestamptz);
CREATE INDEX ON code (contract_id, party_key);
CREATE TABLE qualification (id serial PRIMARY KEY, contract_id int NOT NULL, state text NOT NULL,
                            decided_at timestamptz);
CREATE TABLE sms (id serial PRIMARY KEY, phone text NOT NULL, text text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL, operator int NOT NULL, action text NOT NULL,
                    object_id int NOT NULL, after jsonb NOT NULL);
"""

_AUDIT_AFTER = json.dumps({"what": "基准" * 40}, ensure_ascii=False)
_FACTS = json.dumps({"price": "2350000.00", "terms": "签约后五日内付清。" * 5}, ensure_ascii=False)


def _action(conn: Any, operator: int, object_id: int, steps: list[tuple[str, tuple[Any, ...]]]) -> Any:
    """One clerk action: one transaction, the account read first and an audit row last."""
    rows = None
    with conn.transaction():
        conn.execute("SELECT active, locked, role FROM operator WHERE id = %s", (operator,)).fetchone()
        for sql, args in steps:
            cursor = conn.execute(sql, args)
            if cursor.description is not None:
                rows = cursor.fetchall()
        conn.execute("INSERT INTO audit (at, operator, action, object_id, after) VALUES (now(), %s, 'act', %s, %s)",
                     (operator, object_id, _AUDIT_AFTER))
    return rows


def _flow(conn: Any, operator: int, home: int) -> None:
    locked = "SELECT id, status, version FROM contract WHERE id = %s FOR UPDATE"
    _action(conn, operator, home, [("SELECT id, in_transaction, location FROM home WHERE id = %s FOR UPDATE", (home,))])
    _action(conn, operator, home, [("SELECT id, facts FROM home WHERE id = %s", (home,))])
    contract = _action(conn, operator, home, [
        ("INSERT INTO contract (home_id, status, version, facts, updated_at) VALUES (%s, 'draft', 1, %s, now()) "
         "RETURNING id", (home, _FACTS)),
        ("INSERT INTO party (contract_id, key, name, id_number, phone) VALUES "
         "(currval('contract_id_seq'), 'seller:0', '甲', '110101197503010008', '13800138000'), "
         "(currval('contract_id_seq'), 'buyer:0', '乙', '110101197503010016', '13900139000')", ()),
        ("UPDATE home SET in_transaction = true WHERE id = %s", (home,))])[0][0]
    _action(conn, operator, contract, [(locked, (contract,)),
                                       ("INSERT INTO qualification (contract_id, state) VALUES (%s, 'requested')",
                                        (contract,))])
    _action(conn, operator, contract, [(locked, (contract,)),
                                       ("UPDATE qualification SET state = 'approved', decided_at = now() "
                                        "WHERE contract_id = %s", (contract,))])
    for key in ("seller:0", "buyer:0"):
        _action(conn, operator, contract, [
            (locked, (contract,)),
            ("INSERT INTO code (contract_id, party_key, code_hash, created_at, attempts) VALUES (%s, %s, 'h', now(), 0)",
             (contract, key)),
            ("INSERT INTO sms (phone, text, created_at) VALUES ('13800138000', '【网签】验证码123456', now())", ())])
        _action(conn, operator, contract, [
            (locked, (contract,)),
            ("SELECT id, code_hash, attempts FROM code WHERE contract_id = %s AND party_key = %s FOR UPDATE",
             (contract, key)),
            ("UPDATE code SET used_at = now(), attempts = attempts + 1 WHERE contract_id = %s AND party_key = %s",
             (contract, key))])
    _action(conn, operator, contract, [(locked, (contract,)),
                                       ("UPDATE contract SET status = 'signed', updated_at = now() WHERE id = %s",
                                        (contract,))])


def _conninfo(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _worker(url: str, clerks: list[int], homes: dict[int, list[int]], barrier: Any, out: Any) -> None:
    import psycopg

    try:
        conns = {c: psycopg.connect(_conninfo(url), options=f"-c search_path={SCHEMA}") for c in clerks}
        spans: list[float] = []
        lock = threading.Lock()

        def run(clerk: int) -> None:
            for home in homes[clerk]:
                started = time.perf_counter()
                _flow(conns[clerk], clerk + 1, home)
                with lock:
                    spans.append(time.perf_counter() - started)

        barrier.wait()
        cpu, began = time.process_time(), time.monotonic()  # CLOCK_MONOTONIC: one clock for every process
        threads = [threading.Thread(target=run, args=(c,)) for c in clerks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out.put(("ok", (len(spans), time.process_time() - cpu, began, time.monotonic())))
        for conn in conns.values():
            conn.close()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which ends the run with it
        out.put(("failed", f"{type(exc).__name__}: {exc}"[:300]))


def bare_driver_floor(url: str, *, clerks: int, flows_per_clerk: int, processes: int) -> dict[str, Any]:
    """Run the floor on the PostgreSQL database ``url`` (the run's temporary one): complete
    flows per second and the client's CPU time per flow. Its tables are dropped afterwards."""
    import psycopg

    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute(_TABLES)
        conn.execute("INSERT INTO operator (active, locked, role) SELECT true, false, 'clerk' "
                     "FROM generate_series(1, %s)", (clerks,))
        conn.execute("INSERT INTO home (in_transaction, location, facts) SELECT false, '深圳市福田区', '{}' "
                     "FROM generate_series(1, %s)", (clerks * flows_per_clerk,))
        conn.execute("ANALYZE")
    try:
        homes = {c: list(range(c * flows_per_clerk + 1, (c + 1) * flows_per_clerk + 1)) for c in range(clerks)}
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(processes)
        out = context.Queue()
        workers = [context.Process(target=_worker, args=(url, list(range(p, clerks, processes)), homes, barrier, out),
                                   daemon=True) for p in range(processes)]
        for w in workers:
            w.start()
        results = []
        for _ in workers:
            status, payload = out.get(timeout=600)
            if status != "ok":
                raise RuntimeError(f"a floor worker failed: {payload}")
            results.append(payload)
        wall = max(end for *_, end in results) - min(began for _, _, began, _ in results)
        for w in workers:
            w.join(timeout=10)
    finally:
        with psycopg.connect(_conninfo(url), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    flows = sum(n for n, *_ in results)
    return {"flows": flows, "wall_s": round(wall, 2), "flows_per_s": round(flows / wall, 1) if wall else None,
            "client_cpu_ms_per_flow": round(1000 * sum(c for _, c, *_ in results) / flows, 1) if flows else None,
            "statements_per_flow": STATEMENTS_PER_FLOW, "transactions_per_flow": TRANSACTIONS_PER_FLOW,
            "note": "the same shape of work as one signing, sent by psycopg alone on tables of its own (see "
                    "bench/signing_floor.py), by the same clerks in the same processes, after the timed phases"}
