"""The round file format: a selection round as JSON text (``wangqian allocate simulate``,
and the "inputs" row of a run's journal, which replay reads back).

Strict JSON: a key repeated in one object is refused (``json`` would keep the
last one silently, so a file could say two things), and so are NaN and
Infinity (not JSON, though ``json`` accepts them). The shape is checked by
core.allocation.selection.validate_round_input. Reading the file is the
caller's business: this module takes text.
"""

from __future__ import annotations

import json
from typing import Any

from core.allocation.selection import RoundInput, validate_round_input
from core.errors import RuleViolation

__all__ = ["parse_round"]


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
