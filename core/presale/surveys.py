"""Survey results (测绘成果备案, seed 004 §5.1): the five kinds of survey case, what a building
must have for each, a survey's and a building's own facts, and what a survey needs before
it goes to the authority.

| case type | seed | new survey | the building's survey in force must be |
|---|---|---|---|
| survey_predicted | 5.1.1 预测成果备案 | predicted | none |
| survey_predicted_change | 5.1.2 预测变更成果备案 | predicted | predicted |
| survey_conversion | 5.1.3 预测转实测成果备案 | actual | predicted |
| survey_actual | 5.1.4 实测成果备案 | actual | none |
| survey_actual_change | 5.1.5 实测变更成果备案 | actual | actual |

A survey that replaces another maps the old units to its own (``core.presale.mapping``);
archiving it makes it the building's survey in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from core.cases import CaseState, CaseStatus, case_type, require_holder
from core.errors import RuleViolation
from core.parties import Collect, check_text
from core.presale.units import UnitFacts, missing_for_submission, nfkc, parse_value
from core.roles import Actor

__all__ = [
    "KIND_LABELS",
    "STATUS_LABELS",
    "SURVEY_TYPES",
    "BuildingInfo",
    "SurveyKind",
    "SurveyStatus",
    "SurveyType",
    "UnitState",
    "check_building_info",
    "check_building_number",
    "check_stage",
    "check_start",
    "check_submission",
    "check_survey_number",
]


class SurveyKind(StrEnum):
    PREDICTED = "predicted"  # 预测: before completion, from the drawings
    ACTUAL = "actual"  # 实测: after completion, measured


KIND_LABELS = {SurveyKind.PREDICTED: "预测", SurveyKind.ACTUAL: "实测"}


class SurveyStatus(StrEnum):
    DRAFT = "draft"  # being worked in its case
    CURRENT = "current"  # archived: the building's survey in force
    SUPERSEDED = "superseded"  # archived, then replaced by a change or a conversion
    VOID = "void"  # its case was cancelled (取消受理)


STATUS_LABELS = {SurveyStatus.DRAFT: "办理中", SurveyStatus.CURRENT: "现行", SurveyStatus.SUPERSEDED: "已被替代",
                 SurveyStatus.VOID: "已作废"}


class UnitState(StrEnum):
    """A building's unit across its surveys (``building_unit``)."""

    REGISTERED = "registered"  # 在册: a unit of the survey in force
    RETIRED = "retired"  # 已灭失: deleted, split or merged by a later survey


@dataclass(frozen=True)
class SurveyType:
    code: str  # the case type (core.cases)
    name: str
    kind: SurveyKind  # of the new survey
    base: SurveyKind | None  # what the building's survey in force must be (None: it has none)


SURVEY_TYPES: dict[str, SurveyType] = {t.code: t for t in (
    SurveyType("survey_predicted", "预测成果备案", SurveyKind.PREDICTED, None),
    SurveyType("survey_predicted_change", "预测变更成果备案", SurveyKind.PREDICTED, SurveyKind.PREDICTED),
    SurveyType("survey_conversion", "预测转实测成果备案", SurveyKind.ACTUAL, SurveyKind.PREDICTED),
    SurveyType("survey_actual", "实测成果备案", SurveyKind.ACTUAL, None),
    SurveyType("survey_actual_change", "实测变更成果备案", SurveyKind.ACTUAL, SurveyKind.ACTUAL),
)}


def survey_type(code: str) -> SurveyType:
    try:
        return SURVEY_TYPES[code]
    except KeyError:
        raise RuleViolation("SURVEY_TYPE_UNKNOWN", "没有这种测绘成果备案业务。", field="type") from None


def check_start(type_code: str, current: SurveyKind | str | None) -> SurveyType:
    """May a survey case of ``type_code`` start on a building whose survey in force is of kind
    ``current`` (None: it has none)? Refused: SURVEY_BUILDING_HAS_RESULT, SURVEY_NO_BASE,
    SURVEY_WRONG_BASE — each naming the case to start instead."""
    kind = survey_type(type_code)
    if current is not None:
        current = SurveyKind(current)
    if kind.base is None and current is not None:
        instead = "预测变更成果备案或预测转实测成果备案" if current is SurveyKind.PREDICTED else "实测变更成果备案"
        raise RuleViolation("SURVEY_BUILDING_HAS_RESULT",
                            f"该栋已有备案的{KIND_LABELS[current]}成果，请办理{instead}。")
    if kind.base is not None and current is None:
        raise RuleViolation("SURVEY_NO_BASE", "该栋还没有备案的测绘成果，请先办理预测成果备案或实测成果备案。")
    if kind.base is not None and current is not kind.base:
        instead = "预测转实测成果备案" if current is SurveyKind.PREDICTED else "实测变更成果备案"
        raise RuleViolation("SURVEY_WRONG_BASE", f"该栋现行的是{KIND_LABELS[current]}成果，请办理{instead}。")  # type: ignore[index]
    return kind


def check_survey_number(raw: object) -> str:
    """测绘宗号 as the surveyor issued it, e.g. CL20220406001: letters, digits, - and _ (at most 40)."""
    text = nfkc(raw).upper() if isinstance(raw, str) and len(raw) <= 100 else ""
    if not text:
        raise RuleViolation("SURVEY_NUMBER_EMPTY", "请填写测绘宗号。", field="survey_number")
    if len(text) > 40 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text):
        raise RuleViolation("SURVEY_NUMBER_BAD", "测绘宗号只能由字母、数字、- 和 _ 组成（最多40位）。", field="survey_number")
    return text


def check_building_number(raw: object) -> str:
    """栋号, e.g. D004 or 3栋 (at most 20 characters)."""
    text = check_text(raw, reference=True, field="building", label="栋号", max_length=20, required=True,
                      empty_code="BUILDING_NUMBER_EMPTY")
    assert text is not None
    return text


@dataclass(frozen=True)
class BuildingInfo:
    """A survey's building facts (当前栋信息): what the developer completes."""

    structure: str | None = None
    floors_above: int | None = None
    floors_below: int | None = None
    height: Decimal | None = None
    building_use: str | None = None


def _whole(raw: object, *, field: str, label: str, low: int, high: int) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = nfkc(str(raw))
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and low <= int(text) <= high):
        raise RuleViolation("BUILDING_FLOORS_BAD", f"{label}应为{low}至{high}之间的整数。", field=field)
    return int(text)


def _as(field: str, read):  # type: ignore[no-untyped-def]
    """``read()``'s value, a refusal naming the building's ``field``."""
    try:
        return read()
    except RuleViolation as exc:
        raise RuleViolation(exc.code, exc.message, field=field) from None


def _height(raw: object) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(nfkc(str(raw)))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not Decimal(1) <= value <= Decimal(1000) or value != value.quantize(Decimal("0.01")):
        raise RuleViolation("BUILDING_HEIGHT_BAD", "建筑高度应为1至1000米之间的数（最多2位小数）。", field="height")
    return value.quantize(Decimal("0.01"))


def check_building_info(*, structure: object = None, floors_above: object = None, floors_below: object = None,
                        height: object = None, building_use: object = None) -> BuildingInfo:
    """The building's facts as typed (blank: not given): 建筑结构 and 规划用途 read as a unit's
    房屋结构 and 房屋用途 are. Refused as ``PartyInvalid`` with each bad value."""
    c = Collect()
    kind = c(lambda: _as("structure", lambda: parse_value("structure", structure)))
    above = c(lambda: _whole(floors_above, field="floors_above", label="地上层数", low=1, high=300))
    below = c(lambda: _whole(floors_below, field="floors_below", label="地下层数", low=0, high=10))
    tall = c(lambda: _height(height))
    use = c(lambda: _as("building_use", lambda: parse_value("use", building_use)))
    c.done()
    return BuildingInfo(kind, above, below, tall, use)  # type: ignore[arg-type]


def check_submission(info: BuildingInfo, units: Sequence[UnitFacts]) -> None:
    """Before the survey goes to the authority (派工): the building's structure and floors are
    given and hold its units' floors, and every unit has what REQUIRED_FOR_SUBMISSION names.
    Refused: SURVEY_BUILDING_INCOMPLETE, SURVEY_FLOORS_SHORT, SURVEY_UNITS_INCOMPLETE."""
    lacking = [label for value, label in ((info.structure, "建筑结构"), (info.floors_above, "地上层数"))
               if value is None]
    if lacking:
        raise RuleViolation("SURVEY_BUILDING_INCOMPLETE", f"请先完善当前栋信息：{'、'.join(lacking)}。")
    top = max((u.actual_floor for u in units), default=1)
    bottom = min((u.actual_floor for u in units), default=1)
    if top > info.floors_above:  # type: ignore[operator]
        raise RuleViolation("SURVEY_FLOORS_SHORT", f"地上层数{info.floors_above}少于户室的最高实际层{top}。")
    if bottom < 0 and -bottom > (info.floors_below or 0):
        raise RuleViolation("SURVEY_FLOORS_SHORT", f"地下层数{info.floors_below or 0}少于户室的最低实际层{bottom}。")
    missing = missing_for_submission(units)
    if missing:
        unit_no, labels = missing[0]
        more = f"，另有{len(missing) - 1}户未填全" if len(missing) > 1 else ""
        raise RuleViolation("SURVEY_UNITS_INCOMPLETE", f"户室{unit_no}的{'、'.join(labels)}未填写{more}，请补充后再派工。")


def check_stage(state: CaseState, actor: Actor, stage: str, what: str) -> None:
    """A step on a survey's case: the case is active, ``actor`` holds it, and it stands at
    ``stage`` (entry: the developer edits; review: the authority maps and archives). ``what``
    names the step in the refusal. Refused: the case engine's, SURVEY_WRONG_STAGE."""
    if state.status is CaseStatus.ACTIVE and state.stage != stage:
        kind = case_type(state.type_code)
        here = kind.stages[kind.stage_index(state.stage)].name
        raise RuleViolation("SURVEY_WRONG_STAGE", f"该业务正处于“{here}”阶段，不能{what}。")
    require_holder(state, actor)
