#!/usr/bin/env python3
"""Set up and run wangqian with nothing but Python 3.11+.

    python3 dev.py demo    # the TUI on an embedded SQLite file with the sample data
    python3 dev.py test    # the whole test suite (extra arguments go to pytest)

Both create ./.venv on first use and install the project into it (again only
when pyproject.toml changes).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".wangqian-installed"


def ensure_env() -> None:
    if sys.version_info < (3, 11):
        sys.exit("wangqian needs Python 3.11 or newer.")
    if not PY.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    print("installing wangqian and its dependencies into .venv …", flush=True)
    subprocess.run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([PY, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(want)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    ensure_env()
    if argv[0] == "demo":
        return subprocess.call([BIN / "wangqian", "demo", *argv[1:]], cwd=ROOT)
    return subprocess.call([PY, "-m", "pytest", *argv[1:]], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
