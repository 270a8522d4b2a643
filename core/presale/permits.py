"""Sale permits: presale permits (预售许可, seed 004 §5.4) and spot-sale permits (现售许可, §5.6).

| case type | seed | needs |
|---|---|---|
| permit_presale | 5.4.1 初始审批 | a survey in force; no presale permit in force on the building |
| permit_presale_change | 5.4.2 变更审批 | the building's presale permit in force (its scope is the start) |
| permit_spot | 5.6 现售许可 | the actual survey (实测) archived; no spot-sale permit in force |

Every one needs the project's four certificates (四证) complete, chosen units of the building
(预售范围户室) and a property company (物业公司). It is worked through its Y case (登记 by the
developer → 许可审核 by the authority); archiving issues the permit number (a change keeps
the number and counts a new version) and the permit comes into force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import RuleViolation
from core.presale.sale import PERMIT_KIND_LABELS, PermitKind
from core.presale.surveys import SurveyKind

__all__ = [
    "PERMIT_NUMBER_PREFIX",
    "PERMIT_TYPES",
    "PermitType",
    "ScopeUnit",
    "check_permit_start",
    "check_permit_submission",
    "check_scope",
    "format_permit_number",
    "permit_type",
]

#: Permit numbers: YS2026-00001 (预售), XS2026-00001 (现售); typed at a terminal, so ASCII.
PERMIT_NUMBER_PREFIX = {PermitKind.PRESALE: "YS", PermitKind.SPOT: "XS"}


@dataclass(frozen=True)
class PermitType:
    code: str  # the case type (core.cases)
    name: str
    kind: PermitKind
    change: bool


PERMIT_TYPES: dict[str, PermitType] = {t.code: t for t in (
    PermitType("permit_presale", "预售许可初始审批", PermitKind.PRESALE, False),
    PermitType("permit_presale_change", "预售许可变更审批", PermitKind.PRESALE, True),
    PermitType("permit_spot", "现售许可", PermitKind.SPOT, False),
)}


def permit_type(code: str) -> PermitType:
    try:
        return PERMIT_TYPES[code]
    except KeyError:
        raise RuleViolation("PERMIT_TYPE_UNKNOWN", "没有这种销售许可业务。", field="type") from None


def check_permit_start(type_code: str, *, survey: SurveyKind | str | None, missing: Sequence[str],
                       in_force: dict[PermitKind, str]) -> PermitType:
    """May a permit case of ``type_code`` start on a building whose survey in force is of kind
    ``survey``, of a project lacking the certificates ``missing`` (their names), with the
    permits ``in_force`` (kind → number)? Refused: PERMIT_NO_SURVEY, PERMIT_SPOT_NEEDS_ACTUAL,
    PERMIT_CERTIFICATES_MISSING, PERMIT_EXISTS, PERMIT_NONE_TO_CHANGE."""
    kind = permit_type(type_code)
    if survey is None:
        raise RuleViolation("PERMIT_NO_SURVEY", "该栋还没有备案的测绘成果，不能申请销售许可。")
    if kind.kind is PermitKind.SPOT and SurveyKind(survey) is not SurveyKind.ACTUAL:
        raise RuleViolation("PERMIT_SPOT_NEEDS_ACTUAL", "现售许可须在该栋实测成果备案归档后申请。")
    if missing:
        raise RuleViolation("PERMIT_CERTIFICATES_MISSING",
                            f"项目四证不全（缺少{'、'.join(missing)}），不能申请{PERMIT_KIND_LABELS[kind.kind]}。")
    held = in_force.get(kind.kind)
    if not kind.change and held is not None:
        instead = "，请办理预售许可变更审批" if kind.kind is PermitKind.PRESALE else ""
        raise RuleViolation("PERMIT_EXISTS", f"该栋已有{PERMIT_KIND_LABELS[kind.kind]}{held}{instead}。")
    if kind.change and held is None:
        raise RuleViolation("PERMIT_NONE_TO_CHANGE", "该栋还没有预售许可证，请先办理预售许可初始审批。")
    return kind


@dataclass(frozen=True)
class ScopeUnit:
    """A unit a permit's scope would take, with what is known of it."""

    unit_no: str
    property_room: bool = False
    other_permit: str | None = None  # the number of another kind's permit in force holding it


def check_scope(units: Sequence[ScopeUnit]) -> None:
    """The units a permit's scope takes: never a property room, never a unit another permit in
    force (of the other kind) already covers. Refused: PERMIT_UNIT_IS_ROOM, PERMIT_UNIT_IN_OTHER."""
    rooms = [u.unit_no for u in units if u.property_room]
    if rooms:
        more = f"等{len(rooms)}户" if len(rooms) > 1 else ""
        raise RuleViolation("PERMIT_UNIT_IS_ROOM", f"户室{rooms[0]}{more}为物管用房，物管用房不能销售，不能纳入许可范围。",
                            field="units")
    other = [u for u in units if u.other_permit]
    if other:
        raise RuleViolation("PERMIT_UNIT_IN_OTHER", f"户室{other[0].unit_no}已在许可证{other[0].other_permit}的范围内。",
                            field="units")


def check_permit_submission(*, units: int, property_company: str | None, missing: Sequence[str]) -> None:
    """Before the application goes to the authority (派工): the scope holds units, a property
    company is chosen (项目信息补充), and the chosen certificates are the four (申请栋信息补充).
    Refused: PERMIT_NO_UNITS, PERMIT_NO_PROPERTY_COMPANY, PERMIT_CERTIFICATES_MISSING."""
    if units == 0:
        raise RuleViolation("PERMIT_NO_UNITS", "请选择预售范围户室。", field="units")
    if not property_company:
        raise RuleViolation("PERMIT_NO_PROPERTY_COMPANY", "请在项目信息补充中选择物业公司。", field="property_company")
    if missing:
        raise RuleViolation("PERMIT_CERTIFICATES_MISSING", f"申请栋信息补充的商品房相关证件不全（缺少{'、'.join(missing)}）。",
                            field="certificates")


def format_permit_number(kind: PermitKind, year: int, sequence: int) -> str:
    """YS2026-00001: the kind's prefix, the year of issue and the year's sequence."""
    if not 0 < sequence < 100_000:
        raise RuleViolation("PERMIT_SEQUENCE_EXHAUSTED", "本年度许可证号已用尽，请联系系统管理员。")
    return f"{PERMIT_NUMBER_PREFIX[kind]}{year}-{sequence:05d}"
