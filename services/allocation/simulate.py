"""选房模拟: resolve a round described in a JSON file, without touching the database.

The same rule the counter uses (core.allocation.selection.resolve) run on a round given
as JSON text (the format of core.allocation.round_file); ids come back in the type they
came in (string or integer).
"""

from __future__ import annotations

from pathlib import Path

from core.allocation.round_file import parse_round
from core.allocation.run_report import RoundReport
from core.allocation.selection import resolve
from core.errors import RuleViolation


def simulate(text: str) -> RoundReport:
    """Resolve the round in ``text`` (JSON) and return its results, free houses and warnings."""
    round_input = parse_round(text)
    return RoundReport.of(round_input, resolve(round_input))


def read_round_text(path: str | Path) -> str:
    """Read a round file as UTF-8 text (a BOM is allowed), or refuse with one Chinese sentence."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RuleViolation("ALLOC_FILE_NOT_FOUND", f"找不到文件 {p}。", field="file") from None
    except UnicodeDecodeError:
        raise RuleViolation("ALLOC_FILE_UNREADABLE", f"文件 {p} 不是 UTF-8 编码的文本。", field="file") from None
    except OSError:
        raise RuleViolation("ALLOC_FILE_UNREADABLE", f"无法读取文件 {p}。", field="file") from None
