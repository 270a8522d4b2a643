"""选房模拟: resolve a round described in a JSON file, without touching the database.

The same rule the counter uses (core.allocation.selection.resolve) run on a round given
as JSON text; ids come back in the type they came in (string or integer).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.allocation.selection import (
    RoundInput,
    RoundResult,
    resolve,
    validate_round_input,
)
from core.errors import RuleViolation


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise RuleViolation("ALLOC_DUPLICATE_KEY", f"JSON 对象中的字段 {key} 出现了不止一次。", field=key)
        obj[key] = value
    return obj


def _no_constants(name: str) -> Any:
    raise RuleViolation("ALLOC_BAD_JSON", f"JSON 中不允许出现 {name}。")


def parse_round(text: str) -> RoundInput:
    """Parse and validate a round's JSON text, or refuse with one Chinese sentence."""
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise RuleViolation("ALLOC_BAD_JSON", f"选房数据不是合法的 JSON，错误位于第 {exc.lineno} 行第 {exc.colno} 列。") from None
    except RecursionError:
        raise RuleViolation("ALLOC_BAD_JSON", "选房数据的 JSON 嵌套层数过深。") from None
    return validate_round_input(obj)


def result_to_dict(round_input: RoundInput, result: RoundResult) -> dict[str, Any]:
    """The JSON form of a result, ids in their original JSON types."""
    return {
        "results": [
            {"family": round_input.json_family(r.family), "rank": r.rank,
             "house": round_input.json_house(r.house), "status": r.status}
            for r in result.results
        ],
        "free_after": [round_input.json_house(h) for h in result.free_after],
        "warnings": list(result.warnings),
    }


def simulate(text: str) -> dict[str, Any]:
    """Resolve the round in ``text`` (JSON) and return its results, free houses and warnings."""
    round_input = parse_round(text)
    return result_to_dict(round_input, resolve(round_input))


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
