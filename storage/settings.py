"""Where the data lives, from the environment.

WANGQIAN_DATA_DIR   folder for the embedded SQLite file (default: the user's data dir)
WANGQIAN_DB_URL     a database URL; when it names PostgreSQL (postgresql+psycopg://…)
                    the hall's shared server is used instead of the embedded file
WANGQIAN_IDLE_LOCK_SECONDS  idle minutes before the TUI locks itself, in seconds (default 300)
WANGQIAN_DRAFT_SWEEP_SECONDS  how often a terminal deletes expired contract drafts (default 300; 0: only at start-up)
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    path = Path(os.environ.get("WANGQIAN_DATA_DIR") or user_data_dir("wangqian", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    url = os.environ.get("WANGQIAN_DB_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; accept the plain libpq form too.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{data_dir() / 'wangqian.db'}"


def idle_lock_seconds() -> int:
    raw = os.environ.get("WANGQIAN_IDLE_LOCK_SECONDS", "300")
    try:
        return max(10, int(raw))
    except ValueError:
        return 300


def draft_sweep_seconds() -> int:
    raw = os.environ.get("WANGQIAN_DRAFT_SWEEP_SECONDS", "300")
    try:
        return max(0, int(raw))
    except ValueError:
        return 300
