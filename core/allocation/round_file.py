"""The round file format: a selection round as JSON text (``wangqian allocate simulate``,
and the "inputs" row of a run's journal, which replay reads back).

Strict JSON: a key repeated in one object is refused (``json`` would keep the
last one silently, so a file could say two things), and so are NaN and
Infinity (not JSON, though ``json`` accepts them). The shape is checked by
core.allocation.selection.validate_round_input. Reading the file is the
caller's business: this module takes text.

Writing is ``round_object`` (the JSON value of a RoundInput, ids in the types
they came in) and ``round_text`` (its canonical JSON, core.audit.canonical_json:
keys sorted, no spaces, non-ASCII kept), which is what a run's journal hashes.
"""

from __future__ import annotations

import json
import re
from itertools import chain
from operator import attrgetter
from collections.abc import Iterable
from typing import Any

from core.allocation.selection import RoundInput, validate_round_input
from core.audit import canonical_json
from core.errors import RuleViolation

__all__ = ["parse_round", "round_object", "round_text"]


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


def round_object(round_input: RoundInput) -> dict[str, Any]:
    """The round as a JSON value in the file's shape (``parse_round`` reads its text back
    to an equal RoundInput): families in the input's order, every id in its JSON type."""
    house = round_input.json_house
    return {
        "houses": [house(h) for h in round_input.houses],
        "families": [
            {"id": round_input.json_family(f.id), "rank": f.rank, "wishes": [house(w) for w in f.wishes],
             "confirm": house(f.confirm), "gave_up": f.gave_up}
            for f in round_input.families
        ],
    }


_FAMILY_FIELDS = attrgetter("id", "rank", "wishes", "confirm", "gave_up")
_WISHES = attrgetter("wishes")
_encode = json.encoder.encode_basestring  # canonical_json's string encoder (ensure_ascii=False)
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')  # what _encode does not copy as it is


def round_text(round_input: RoundInput, *, known_codes: Iterable[str] | None = None) -> str:
    """``canonical_json(round_object(round_input))``, character for character, written directly.

    A run journals its whole input (100,000 families with 2,000,000 wishes make about
    37 MB of text): building the objects and sorting their keys costs more than the
    text itself. The direct form applies when every house is named by a string that
    needs no escape (checked once per distinct house) and every id, rank and flag has
    its plain type, as in a round loaded from the database; anything else is written
    the general way. ``known_codes``, when the caller has them (a round loaded from the
    register: every code a house of the register has), are checked instead of the
    houses the input names: some 30,000 codes rather than 2,000,000 wishes. They
    must hold every code the input names, as the codes a loaded round reads from the
    register do by construction (the pool is checked against them, the wishes are not).
    """
    general = None if round_input.house_json_ids else _direct(round_input, known_codes)
    return canonical_json(round_object(round_input)) if general is None else general  # type: ignore[return-value]


def _direct(round_input: RoundInput, known_codes: Iterable[str] | None = None) -> str | None:
    """round_text's direct form, or None when the round needs the general one."""
    families = round_input.families
    if known_codes is None:
        distinct = set(round_input.houses)
        distinct.update(chain.from_iterable(map(_WISHES, families)))
    else:
        distinct = set(known_codes)
    if any(type(h) is not str for h in distinct) or _NEEDS_ESCAPE.search("".join(distinct)):
        return None
    if known_codes is not None and not distinct.issuperset(round_input.houses):
        return _direct(round_input)
    json_family = round_input.family_json_ids.get
    encode = _encode
    listed = '{"confirm":%s,"gave_up":%s,"id":%s,"rank":%d,"wishes":["%s"]}'
    unlisted = '{"confirm":%s,"gave_up":%s,"id":%s,"rank":%d,"wishes":[%s]}'  # with "" for the wishes
    parts = []
    for key, rank, wishes, confirm, gave_up in map(_FAMILY_FIELDS, families):
        if type(rank) is not int or type(gave_up) is not bool or not (confirm is None or type(confirm) is str):
            return None
        fid = json_family(key, key)
        if type(fid) is str:
            fid = encode(fid)
        elif type(fid) is not int:
            return None
        parts.append((listed if wishes else unlisted) % (
            "null" if confirm is None else encode(confirm), "true" if gave_up else "false", fid, rank,
            '","'.join(wishes)))
    houses = round_input.houses
    tail = '],"houses":' + ('["' + '","'.join(houses) + '"]' if houses else "[]") + "}"
    if not parts:
        return '{"families":[' + tail
    # One join makes the text: the 37 MB are copied once, not once more per concatenation.
    parts[0] = '{"families":[' + parts[0]
    parts[-1] += tail
    return ",".join(parts)
