"""Benchmarks, measured in-process and reported as plain data (JSON-ready)."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from sqlalchemy import func, select

from core.lookup import LookupKind
from core.roles import Actor
from demo.loader import generate_persons
from services import data, lookup
from storage.engine import Database
from storage.models import Organisation, Person


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    index = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return sorted_ms[index]


def _sample_queries(db: Database, samples: int, rng: random.Random) -> dict[str, list[str]]:
    """Real values from the database, typed the way a clerk types them."""
    with db.read() as session:
        top = session.execute(select(func.max(Person.id))).scalar_one() or 0
        persons: list[Person] = []
        while len(persons) < samples and top:
            ids = [rng.randint(1, top) for _ in range(samples)]
            persons += session.execute(select(Person).where(Person.id.in_(ids))).scalars().all()
        orgs = session.execute(select(Organisation.credit_code).limit(5000)).scalars().all()
    persons = persons[:samples]
    with_phone = [p for p in persons if p.phone]
    return {
        "id_full": [p.id_number for p in persons],
        "id_prefix": [p.id_number[:10] for p in persons],
        "name_prefix": [p.name[:2] for p in persons],
        "phone_full": [p.phone for p in with_phone],
        "phone_prefix": [p.phone[:7] for p in with_phone],
        "credit_code": [rng.choice(orgs) for _ in range(samples)] if orgs else [],
    }


def lookup_latency(
    db: Database,
    actor: Actor,
    *,
    persons: int,
    samples: int = 500,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Per lookup kind, the latency of ``services.lookup.search_applicants``.

    Builds (or tops up) a synthetic set of ``persons`` first. Each timing is one
    whole service call as the TUI makes it: permission check, read
    transaction, queries, masking.
    """
    data.upgrade(db, actor)
    have = data.person_count(db)
    if have < persons:
        generate_persons(db, actor, persons - have, seed=have + 1, progress=progress)
    rng = random.Random(seed)
    queries = _sample_queries(db, samples, rng)
    # Warm the connection pool and caches once per kind.
    for values in queries.values():
        for q in values[:5]:
            lookup.search_applicants(db, actor, q)
    report: dict[str, dict[str, float | int]] = {}
    total = sum(len(v) for v in queries.values())
    done = 0
    for kind, values in queries.items():
        timings: list[float] = []
        for q in values:
            start = time.perf_counter()
            lookup.search_applicants(db, actor, q)
            timings.append((time.perf_counter() - start) * 1000)
            done += 1
            if progress and done % 100 == 0:
                progress(done, total)
        timings.sort()
        report[kind] = {
            "n": len(timings),
            "p50_ms": round(_percentile(timings, 0.50), 3),
            "p95_ms": round(_percentile(timings, 0.95), 3),
            "p99_ms": round(_percentile(timings, 0.99), 3),
            "mean_ms": round(statistics.fmean(timings), 3) if timings else 0.0,
        }
    return {
        "benchmark": "lookup",
        "database": db.dialect,
        "persons": data.person_count(db),
        "samples_per_kind": samples,
        "target_p95_ms": 10,
        "kinds": report,
        "kinds_searched": [k.value for k in LookupKind],
    }
