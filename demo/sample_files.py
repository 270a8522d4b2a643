"""Where the committed sample lives, and its demo accounts — without the database.

``wangqian demo`` shows the demo accounts on the login screen; reading them
needs only the JSON file, so the first frame does not wait for ``demo.sample``
(SQLAlchemy, the models, password hashing). ``demo.sample`` uses the same
directory rule.
"""

from __future__ import annotations

import json
from pathlib import Path

#: Where the committed sample lives (the repository's ``sample_data/``).
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "sample_data"


def sample_directory(directory: Path | str | None) -> Path:
    """``directory``, or the committed sample; refused when it is not a directory."""
    path = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    if not path.is_dir():
        raise ValueError(f"sample data directory not found: {path}")
    return path


def demo_logins(directory: Path | str | None = None) -> list[dict[str, str | None]]:
    """The demo operators with their passwords (for the README and the demo screen)."""
    path = sample_directory(directory) / "operators.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [{"username": r["username"], "name": r["name"], "role": r["role"], "password": r["password"]} for r in rows]
