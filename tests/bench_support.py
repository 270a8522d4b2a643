"""Shared by the benchmark tests: what a benchmark run leaves on the PostgreSQL test server."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

from tests.conftest import PG_URL


def databases_left(benchmark: str) -> int:
    """How many ``wq_bench_<benchmark>_…`` databases this process made and did not drop
    (``bench.signing.temporary_database`` names them with the process id)."""
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_database WHERE datname LIKE :mine"),
                                {"mine": f"wq_bench_{benchmark}_{os.getpid()}_%"}).scalar_one()
    finally:
        admin.dispose()
