"""户室信息补录 (seed 004 §5.11): the developer completes the missing facts of a project, of a
building (its survey in force) and of all the building's units, the required ones marked *;
the authority reviews and archives. Pure: no database.

"需对该项目缺失的信息进行补录" — a back-entry fills what is missing and nothing else: a value for
a project's or building's field that is already recorded is refused; the units are completed
in bulk ("全选户室后，点击信息补录按钮，即可批量补录所有户室信息"): each value goes to every
unit whose field is empty. Before it goes to the authority every required (*) field must hold
a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.errors import RuleViolation
from core.parties import check_text
from core.presale.projects import check_area
from core.presale.surveys import check_building_info
from core.presale.units import FIELD_LABELS, REQUIRED_FOR_SUBMISSION, UnitFacts, parse_batch_values

__all__ = [
    "BUILDING_FIELDS",
    "BUILDING_REQUIRED",
    "PROJECT_FIELDS",
    "PROJECT_REQUIRED",
    "UNIT_REQUIRED",
    "check_building_values",
    "check_complete",
    "check_project_values",
    "check_unit_values",
    "fill_blanks",
    "missing",
]

#: 项目信息 a back-entry completes; every one of them is required (*).
PROJECT_FIELDS: dict[str, str] = {"land_area": "用地面积", "floor_area": "规划总建筑面积", "property_company": "物业公司"}
PROJECT_REQUIRED: tuple[str, ...] = tuple(PROJECT_FIELDS)
#: 栋信息 (the survey in force's building facts).
BUILDING_FIELDS: dict[str, str] = {"structure": "建筑结构", "floors_above": "地上层数", "floors_below": "地下层数",
                                   "height": "建筑高度", "building_use": "规划用途"}
BUILDING_REQUIRED: tuple[str, ...] = ("structure", "floors_above", "building_use")
#: 户室信息: what a survey needs before it goes to the authority.
UNIT_REQUIRED: tuple[str, ...] = REQUIRED_FOR_SUBMISSION


def _given(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None and not (isinstance(v, str) and not v.strip())}


def check_project_values(values: Mapping[str, object]) -> dict[str, object]:
    """The project facts typed (blank ones left out). Refused: BACKFILL_NOTHING, the fields' own."""
    given = _given(values)
    unknown = set(given) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"not a project fact: {sorted(unknown)}")
    if not given:
        raise RuleViolation("BACKFILL_NOTHING", "请至少填写一项要补录的信息。")
    out: dict[str, object] = {}
    for key, raw in given.items():
        if key == "property_company":
            out[key] = check_text(raw, field=key, label="物业公司", max_length=120)
        else:
            out[key] = check_area(raw, field=key, label=PROJECT_FIELDS[key])
    return out


def check_building_values(values: Mapping[str, object]) -> dict[str, object]:
    """The building facts typed (blank ones left out), read as a survey's are."""
    given = _given(values)
    unknown = set(given) - set(BUILDING_FIELDS)
    if unknown:
        raise TypeError(f"not a building fact: {sorted(unknown)}")
    if not given:
        raise RuleViolation("BACKFILL_NOTHING", "请至少填写一项要补录的信息。")
    info = check_building_info(**given)
    return {k: getattr(info, k) for k in given}


def check_unit_values(values: Mapping[str, object]) -> dict[str, object]:
    """The units' facts typed (by key or Chinese label; blank ones left out), each read by its
    field's rule; only fields a batch may set."""
    given = _given(values)
    if not given:
        raise RuleViolation("BACKFILL_NOTHING", "请至少填写一项要补录的信息。")
    return parse_batch_values(given)


def fill_blanks(current: Mapping[str, object], values: Mapping[str, object], *, scope: str,
                labels: Mapping[str, str]) -> dict[str, object]:
    """The values for fields ``current`` lacks. Refused: BACKFILL_FIELD_SET (a recorded field)."""
    for key in values:
        if current.get(key) is not None:
            raise RuleViolation("BACKFILL_FIELD_SET",
                                f"{scope}的“{labels[key]}”已有信息，户室信息补录只补录缺失的信息。", field=key)
    return dict(values)


def missing(project: Mapping[str, object], building: Mapping[str, object], units: Sequence[UnitFacts]) -> list[str]:
    """What is still missing among the required (*) fields, in words: 项目信息, 栋信息, 户室信息."""
    out = []
    lacking = [PROJECT_FIELDS[k] for k in PROJECT_REQUIRED if project.get(k) is None]
    if lacking:
        out.append(f"项目信息：{'、'.join(lacking)}")
    lacking = [BUILDING_FIELDS[k] for k in BUILDING_REQUIRED if building.get(k) is None]
    if lacking:
        out.append(f"栋信息：{'、'.join(lacking)}")
    short = [u for u in units if any(u.value(k) is None for k in UNIT_REQUIRED)]
    if short:
        labels = [FIELD_LABELS[k] for k in UNIT_REQUIRED if any(u.value(k) is None for u in short)]
        more = f"等{len(short)}户" if len(short) > 1 else ""
        out.append(f"户室信息：户室{short[0].unit_no}{more}的{'、'.join(labels)}")
    return out


def check_complete(project: Mapping[str, object], building: Mapping[str, object], units: Sequence[UnitFacts]) -> None:
    """Before 派工: every required (*) field holds a value. Refused: BACKFILL_INCOMPLETE."""
    lacking = missing(project, building, units)
    if lacking:
        raise RuleViolation("BACKFILL_INCOMPLETE", f"请先补录带*号的必填项（{'；'.join(lacking)}），再派工。")
