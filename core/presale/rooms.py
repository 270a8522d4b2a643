"""Property-management rooms (物管用房管理, seed 004 §5.2): the units of a building set aside
for the estate's management, never for sale.

| case type | seed | the building's survey in force | the building's designation in force |
|---|---|---|---|
| room_predicted | 5.2.1 期房物管用房核定 | predicted | none of a predicted building |
| room_predicted_change | 5.2.2 期房物管用房变更 | predicted | a predicted building's |
| room_actual | 5.2.3 现房物管用房核定 | actual | none of an actual building (a predicted one is replaced) |
| room_actual_change | 5.2.4 现房物管用房变更 | actual | an actual building's |

A designation is worked through its K case (物管用房设定 by the developer → 物管用房确定 by the
authority) and takes effect when archived. A building may set none when another building
of the project already has rooms ("如果该项目其他栋已经添加了物管用房，当前栋可以不用设置
物管用房"). A change that releases a room makes it sellable only after a permit change that
covers it is archived; a room it adds is refused at signing from the archive on
(``core.presale.sale``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.errors import RuleViolation
from core.presale.surveys import KIND_LABELS, SurveyKind

__all__ = [
    "ROOM_TYPES",
    "RoomType",
    "check_room_start",
    "check_room_submission",
    "room_type",
]

_STOCK = {SurveyKind.PREDICTED: "期房", SurveyKind.ACTUAL: "现房"}


@dataclass(frozen=True)
class RoomType:
    code: str  # the case type (core.cases)
    name: str
    kind: SurveyKind  # the building's survey in force must be of this kind
    change: bool  # a change of the designation in force (else a first designation)


ROOM_TYPES: dict[str, RoomType] = {t.code: t for t in (
    RoomType("room_predicted", "期房物管用房核定", SurveyKind.PREDICTED, False),
    RoomType("room_predicted_change", "期房物管用房变更", SurveyKind.PREDICTED, True),
    RoomType("room_actual", "现房物管用房核定", SurveyKind.ACTUAL, False),
    RoomType("room_actual_change", "现房物管用房变更", SurveyKind.ACTUAL, True),
)}


def room_type(code: str) -> RoomType:
    try:
        return ROOM_TYPES[code]
    except KeyError:
        raise RuleViolation("ROOM_TYPE_UNKNOWN", "没有这种物管用房业务。", field="type") from None


def check_room_start(type_code: str, survey: SurveyKind | str | None, designation: SurveyKind | str | None) -> RoomType:
    """May a room case of ``type_code`` start on a building whose survey in force is of kind
    ``survey`` and whose designation in force was made for a building of kind ``designation``
    (None: none)? Refused: ROOM_NO_SURVEY, ROOM_WRONG_KIND, ROOM_ALREADY_DESIGNATED,
    ROOM_NOT_DESIGNATED — each naming what to do instead."""
    kind = room_type(type_code)
    if survey is None:
        raise RuleViolation("ROOM_NO_SURVEY", "该栋还没有备案的测绘成果，请先办理测绘成果备案。")
    survey = SurveyKind(survey)
    if survey is not kind.kind:
        stock = _STOCK[survey]
        raise RuleViolation("ROOM_WRONG_KIND", f"该栋现行的是{KIND_LABELS[survey]}成果，请办理{stock}物管用房核定或变更。")
    held = SurveyKind(designation) if designation is not None else None
    if not kind.change and held is kind.kind:
        raise RuleViolation("ROOM_ALREADY_DESIGNATED",
                            f"该栋已核定{_STOCK[kind.kind]}物管用房，请办理{_STOCK[kind.kind]}物管用房变更。")
    if kind.change and held is not kind.kind:
        raise RuleViolation("ROOM_NOT_DESIGNATED",
                            f"该栋尚未核定{_STOCK[kind.kind]}物管用房，请先办理{_STOCK[kind.kind]}物管用房核定。")
    return kind


def check_room_submission(rooms: Sequence[str], others: Iterable[str]) -> None:
    """Before the designation goes to the authority: it names rooms, or another building of
    the project (``others``: their 栋号) has rooms in force. Refused: ROOM_NONE_IN_PROJECT."""
    if not rooms and not list(others):
        raise RuleViolation("ROOM_NONE_IN_PROJECT", "该项目其他栋尚未设置物管用房，当前栋须添加物管用房。")
