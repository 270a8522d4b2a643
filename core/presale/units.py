"""The units of a survey (户室, seed 004 §5.1.1): their fields, how a value is read, which
units a clerk selects, what a batch setting may change, and what a survey needs before it
goes to the authority.

A unit's fields come either from the survey file (they are then *fixed*: "原来测绘带出来
的数据不可编辑") or are completed by the developer ("为空的数据完善"), one by one or in
batch (批量设置: 单元、名义层、房屋类型、房屋用途、房屋性质、电梯、户型、装修情况、层高、
阳台描述、销售单价、装修单价、毛胚单价). Areas are m² to 0.0001, prices yuan per m² to the fen.

Pure: no database. ``UnitFacts`` is a unit as the services hand it over.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from core.errors import RuleViolation
from core.text import printable, whole_number

__all__ = [
    "BATCH_FIELDS",
    "DECORATIONS",
    "FIELDS",
    "FIELD_LABELS",
    "HOUSE_TYPES",
    "NATURES",
    "PRICE_FIELDS",
    "REQUIRED_FOR_SUBMISSION",
    "STRUCTURES",
    "SURVEY_FIELDS",
    "USES",
    "FieldSpec",
    "MatchFrom",
    "Selection",
    "UnitFacts",
    "area_problems",
    "changed_fields",
    "check_batch",
    "check_selection",
    "field_key",
    "nfkc",
    "missing_for_submission",
    "parse_batch_values",
    "parse_value",
    "select_units",
    "show_value",
    "unit_key",
    "unit_numbers",
]

#: 房屋结构 (GB/T 17986 房产测量规范) and the words surveys write for them.
STRUCTURES: tuple[str, ...] = ("钢结构", "钢和钢筋混凝土结构", "钢筋混凝土结构", "混合结构", "砖木结构", "其他结构")
_STRUCTURE_ALIASES = {"钢筋混凝土": "钢筋混凝土结构", "框架": "钢筋混凝土结构", "框剪": "钢筋混凝土结构",
                      "剪力墙": "钢筋混凝土结构", "钢混": "钢和钢筋混凝土结构", "砖混": "混合结构", "混合": "混合结构",
                      "砖木": "砖木结构", "其他": "其他结构", "钢": "钢结构"}
HOUSE_TYPES: tuple[str, ...] = ("住宅", "商业", "办公", "公寓", "车位", "车库", "储藏室", "其他")
USES: tuple[str, ...] = ("住宅", "商业", "办公", "商住", "车库", "仓储", "工业", "其他")
NATURES: tuple[str, ...] = ("市场化商品房", "经济适用住房", "限价商品房", "共有产权住房", "安置房", "公共租赁住房", "其他")
_NATURE_ALIASES = {"商品房": "市场化商品房", "经济适用房": "经济适用住房", "公租房": "公共租赁住房"}
DECORATIONS: tuple[str, ...] = ("毛坯", "简装", "精装")
_DECORATION_ALIASES = {"毛胚": "毛坯", "简装修": "简装", "精装修": "精装"}

_YES = frozenset({"是", "有", "y", "yes", "true", "1"})
_NO = frozenset({"否", "无", "n", "no", "false", "0"})
_PRICE_LIMIT = Decimal("1000000")  # yuan per m²
_AREA_LIMIT = Decimal("100000")  # m² of one unit


def nfkc(raw: str) -> str:
    """Text as typed, NFKC (full-width digits and letters become ASCII), runs of space one space,
    trimmed. Unlike ``core.identity.normalize`` it keeps hyphens: a minus sign, a 测绘宗号's dash."""
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def _text(limit: int, *, spaces: bool = True) -> Callable[[str, str], object]:
    def parse(raw: str, label: str) -> str:
        text = nfkc(raw)
        if len(text) > limit or printable(text) != text or (not spaces and " " in text):
            raise RuleViolation("UNIT_TEXT_BAD", f"{label}最多{limit}个字，且不能含有控制字符"
                                                 f"{'' if spaces else '或空格'}。")
        return text
    return parse


def _choice(choices: tuple[str, ...], aliases: Mapping[str, str] | None = None) -> Callable[[str, str], object]:
    def parse(raw: str, label: str) -> str:
        text = nfkc(raw)
        if text in choices:
            return text
        if aliases and text in aliases:
            return aliases[text]
        raise RuleViolation("UNIT_CHOICE_BAD", f"{label}只能是{'、'.join(choices)}之一，这里是“{printable(text, limit=20)}”。")
    return parse


def _floor(raw: str, label: str) -> int:
    text = nfkc(raw)
    body = text.removeprefix("-")
    if not (body.isascii() and body.isdigit() and len(body) <= 3) or not -10 <= int(text) <= 300 or int(text) == 0:
        raise RuleViolation("UNIT_FLOOR_BAD", f"{label}应为-10至300之间、不为0的整数（地下层为负数），这里是“{printable(text, limit=20)}”。")
    return int(text)


def _nominal_floor(raw: str, label: str) -> str:
    text = nfkc(raw).upper()
    if not text or len(text) > 8 or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in text):
        raise RuleViolation("UNIT_NOMINAL_FLOOR_BAD", f"{label}最多8位字母、数字或负号，如 3、-1、B1、3A。")
    return text


def _decimal(raw: str) -> Decimal:
    try:
        value = Decimal(nfkc(raw).replace(",", ""))
    except InvalidOperation:
        return Decimal("NaN")
    return value


def _area(raw: str, label: str) -> Decimal:
    value = _decimal(raw)
    if not value.is_finite() or value < 0 or value >= _AREA_LIMIT or value != value.quantize(Decimal("0.0001")):
        raise RuleViolation("UNIT_AREA_BAD", f"{label}应为不小于0的面积（平方米，最多4位小数），这里是“{printable(raw, limit=20)}”。")
    return value.quantize(Decimal("0.0001"))


def _height(raw: str, label: str) -> Decimal:
    value = _decimal(raw)
    if not value.is_finite() or not Decimal(1) <= value <= Decimal(30) or value != value.quantize(Decimal("0.01")):
        raise RuleViolation("UNIT_HEIGHT_BAD", f"{label}应为1至30米之间的数（最多2位小数）。")
    return value.quantize(Decimal("0.01"))


def _price(positive: bool) -> Callable[[str, str], object]:
    def parse(raw: str, label: str) -> Decimal:
        value = _decimal(raw)  # NaN for text that is no number: checked first (NaN > 0 raises)
        if (not value.is_finite() or not (value > 0 if positive else value >= 0) or value >= _PRICE_LIMIT
                or value != value.quantize(Decimal("0.01"))):
            least = "大于0" if positive else "不小于0"
            raise RuleViolation("UNIT_PRICE_BAD", f"{label}应为{least}的金额（元/平方米，最多2位小数），这里是“{printable(raw, limit=20)}”。")
        return value.quantize(Decimal("0.01"))
    return parse


def _flag(raw: str, label: str) -> bool:
    text = nfkc(raw).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise RuleViolation("UNIT_FLAG_BAD", f"{label}只能填“是”或“否”。")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a unit: its Chinese label, how a typed value is read, and where it may come from."""

    key: str
    label: str
    parse: Callable[[str, str], object]
    survey: bool  # may come from the survey file (then fixed)
    batch: bool  # may be completed in a batch setting
    required: bool = False  # every row of a survey file must give it
    aliases: tuple[str, ...] = ()
    suffix: str = ""  # what a value is measured in, for display


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("unit_no", "室号", _text(20, spaces=False), survey=True, batch=False, required=True, aliases=("房号", "户室号")),
    FieldSpec("unit", "单元", _text(10), survey=True, batch=True, aliases=("单元号",)),
    FieldSpec("actual_floor", "实际层", _floor, survey=True, batch=False, required=True, aliases=("楼层",)),
    FieldSpec("nominal_floor", "名义层", _nominal_floor, survey=True, batch=True),
    FieldSpec("built_area", "建筑面积", _area, survey=True, batch=False, required=True, suffix="m²"),
    FieldSpec("inner_area", "套内面积", _area, survey=True, batch=False, aliases=("套内建筑面积",), suffix="m²"),
    FieldSpec("shared_area", "分摊面积", _area, survey=True, batch=False, aliases=("分摊建筑面积", "公摊面积"), suffix="m²"),
    FieldSpec("structure", "房屋结构", _choice(STRUCTURES, _STRUCTURE_ALIASES), survey=True, batch=False,
              aliases=("结构",)),
    FieldSpec("house_type", "房屋类型", _choice(HOUSE_TYPES), survey=True, batch=True),
    FieldSpec("use", "房屋用途", _choice(USES), survey=True, batch=True, aliases=("用途", "规划用途")),
    FieldSpec("nature", "房屋性质", _choice(NATURES, _NATURE_ALIASES), survey=True, batch=True),
    FieldSpec("elevator", "电梯", _flag, survey=True, batch=True, aliases=("有无电梯",)),
    FieldSpec("layout", "户型", _text(20), survey=True, batch=True),
    FieldSpec("decoration", "装修情况", _choice(DECORATIONS, _DECORATION_ALIASES), survey=True, batch=True,
              aliases=("装修",)),
    FieldSpec("floor_height", "层高", _height, survey=True, batch=True, suffix="m"),
    FieldSpec("balcony", "阳台描述", _text(40), survey=True, batch=True, aliases=("阳台",)),
    FieldSpec("sale_price", "销售单价", _price(True), survey=False, batch=True, suffix="元/m²"),
    FieldSpec("decoration_price", "装修单价", _price(False), survey=False, batch=True, suffix="元/m²"),
    FieldSpec("rough_price", "毛坯单价", _price(True), survey=False, batch=True, aliases=("毛胚单价",), suffix="元/m²"),
)
FIELD_BY_KEY: dict[str, FieldSpec] = {f.key: f for f in FIELDS}
FIELD_LABELS: dict[str, str] = {f.key: f.label for f in FIELDS}
SURVEY_FIELDS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.survey)
BATCH_FIELDS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.batch)
PRICE_FIELDS: tuple[str, ...] = ("sale_price", "decoration_price", "rough_price")
#: What every unit must have before the survey goes to the authority (派工).
REQUIRED_FOR_SUBMISSION: tuple[str, ...] = ("unit", "nominal_floor", "house_type", "use", "nature")


def parse_value(key: str, raw: object) -> object:
    """A typed value of field ``key`` as kept (a blank value is None); a refusal names the field."""
    spec = FIELD_BY_KEY.get(key)
    if spec is None:
        raise RuleViolation("UNIT_FIELD_UNKNOWN", f"户室没有“{printable(key, limit=20)}”这一项。", field=key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raw = str(raw)
    if len(raw) > 200:
        raise RuleViolation("UNIT_TEXT_BAD", f"{spec.label}的内容过长。", field=key)
    try:
        return spec.parse(raw, spec.label)
    except RuleViolation as exc:
        raise RuleViolation(exc.code, exc.message, field=key) from None


@dataclass(frozen=True)
class UnitFacts:
    """A unit of a survey as the rules see it. ``fixed``: the fields its survey file gave."""

    id: int | None
    line: int
    unit_no: str
    actual_floor: int
    built_area: Decimal
    unit: str | None = None
    nominal_floor: str | None = None
    inner_area: Decimal | None = None
    shared_area: Decimal | None = None
    structure: str | None = None
    house_type: str | None = None
    use: str | None = None
    nature: str | None = None
    elevator: bool | None = None
    layout: str | None = None
    decoration: str | None = None
    floor_height: Decimal | None = None
    balcony: str | None = None
    sale_price: Decimal | None = None
    decoration_price: Decimal | None = None
    rough_price: Decimal | None = None
    fixed: frozenset[str] = field(default_factory=frozenset)

    def value(self, key: str) -> object:
        return getattr(self, key)

    def values(self) -> dict[str, object]:
        """Every field by key (in FIELDS' order)."""
        return {f.key: getattr(self, f.key) for f in FIELDS}

    def with_values(self, values: Mapping[str, object]) -> UnitFacts:
        return replace(self, **values)



def show_value(key: str, value: object) -> str:
    """A field's value as a clerk reads it: areas with at least two decimals, prices without
    zero fen, 是/否; an empty value is an empty string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        if key in PRICE_FIELDS:
            return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
        text = f"{value.normalize():f}"
        whole, _, frac = text.partition(".")
        return f"{whole}.{frac.ljust(2, '0')}"
    return str(value)


def area_problems(unit: UnitFacts) -> list[RuleViolation]:
    """The unit's areas against each other: the inner and the shared area together make the
    built area (to 0.01 m²), neither exceeds it."""
    problems: list[RuleViolation] = []
    built, inner, shared = unit.built_area, unit.inner_area, unit.shared_area
    if built is not None and built <= 0:
        problems.append(RuleViolation("UNIT_BUILT_AREA_ZERO", "建筑面积应大于0。", field="built_area"))
    for value, key in ((inner, "inner_area"), (shared, "shared_area")):
        if value is not None and built is not None and value > built:
            problems.append(RuleViolation("UNIT_AREA_ABOVE_BUILT", f"{FIELD_LABELS[key]}不能大于建筑面积。", field=key))
    if not problems and inner is not None and shared is not None and abs(inner + shared - built) > Decimal("0.01"):
        problems.append(RuleViolation(
            "UNIT_AREA_SUM", f"套内面积{show_value('inner_area', inner)}与分摊面积{show_value('shared_area', shared)}"
                             f"之和应等于建筑面积{show_value('built_area', built)}。", field="built_area"))
    return problems


# --------------------------------------------------------------------------
# Selecting units (按室号选择 / 按单元号选择)
# --------------------------------------------------------------------------


class MatchFrom(StrEnum):
    FORWARD = "forward"  # 向前匹配: the unit number starts with the digits
    BACKWARD = "backward"  # 向后匹配: the unit number ends with them


MATCH_LABELS = {MatchFrom.FORWARD: "向前匹配", MatchFrom.BACKWARD: "向后匹配"}
_SEPARATORS = str.maketrans("", "", "-_.#/ ")


def unit_key(unit_no: str) -> str:
    """A unit number as matched: NFKC, upper case, without separators ("1-01" → "101")."""
    return unicodedata.normalize("NFKC", unit_no).upper().translate(_SEPARATORS)


def unit_numbers(raw: str | Sequence[str] | None) -> list[str] | None:
    """室号 named in a list: text as typed, the numbers separated by commas ("，" or ","), blanks
    dropped; a list (a program's) as it is. None when nothing is named, which a step reads as
    "all the units" (so a field left blank and an option left out mean the same)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return [part.strip() for part in raw.replace("，", ",").split(",") if part.strip()] or None
    return list(raw)


@dataclass(frozen=True)
class Selection:
    """Which units a setting applies to; every given criterion must hold (none given: all).

    By unit number: ``match`` compared from the front or the back of the number without its
    separators, and optionally numbers of ``length`` characters only (so "1" forward with
    length 3 takes 101–199 and not 1001). By 单元, by unit numbers, by 实际层, by 户型, and
    ``empty`` — only the units whose field of that key is still empty."""

    match: str | None = None
    match_from: MatchFrom = MatchFrom.FORWARD
    length: int | None = None
    units: frozenset[str] = frozenset()
    unit_nos: frozenset[str] = frozenset()
    floors: frozenset[int] = frozenset()
    layout: str | None = None
    empty: str | None = None

    def describe(self) -> str:
        """The selection in words, for the audit log and a confirmation line."""
        parts = []
        if self.match:
            parts.append(f"室号{MATCH_LABELS[self.match_from]}“{self.match}”")
        if self.length:
            parts.append(f"室号长度{self.length}")
        if self.units:
            parts.append("单元" + "、".join(sorted(self.units)))
        if self.unit_nos:
            parts.append(f"室号{len(self.unit_nos)}个")
        if self.floors:
            parts.append("实际层" + "、".join(str(f) for f in sorted(self.floors)))
        if self.layout:
            parts.append(f"户型{self.layout}")
        if self.empty:
            parts.append(f"{FIELD_LABELS[self.empty]}为空")
        return "，".join(parts) or "全部户室"


def check_selection(*, match: object = None, match_from: object = MatchFrom.FORWARD, length: object = None,
                    units: Iterable[object] = (), unit_nos: Iterable[object] = (), floors: Iterable[object] = (),
                    layout: object = None, empty: object = None) -> Selection:
    """A selection as typed, checked. Refused: SELECTION_MATCH_BAD, SELECTION_LENGTH_BAD,
    SELECTION_FLOOR_BAD, SELECTION_EMPTY_FIELD_BAD."""
    text = unit_key(match) if isinstance(match, str) and match.strip() else None
    if text is not None and (len(text) > 20 or not text.isalnum()):
        raise RuleViolation("SELECTION_MATCH_BAD", "室号匹配只能是字母或数字（最多20位）。", field="match")
    try:
        direction = MatchFrom(match_from) if not isinstance(match_from, MatchFrom) else match_from
    except ValueError:
        labels = {v: k for k, v in MATCH_LABELS.items()}
        if match_from not in labels:
            raise RuleViolation("SELECTION_MATCH_BAD", "匹配位置只能是向前匹配或向后匹配。", field="match_from") from None
        direction = labels[match_from]  # type: ignore[index]
    size = None
    if length is not None and str(length).strip():
        raw = nfkc(str(length))
        size = whole_number(raw)
        if size is None or not 1 <= size <= 20:
            raise RuleViolation("SELECTION_LENGTH_BAD", "室号长度应为1至20之间的整数。", field="length")
        if text is not None and len(text) > size:
            raise RuleViolation("SELECTION_LENGTH_BAD", "匹配的字符比室号长度还长，不会选中任何户室。", field="length")
    floor_set = set()
    for raw_floor in floors:
        floor_set.add(parse_value("actual_floor", raw_floor if isinstance(raw_floor, str) else str(raw_floor)))
    empty_key = None
    if empty is not None and str(empty).strip():
        empty_key = field_key(str(empty))
        if not FIELD_BY_KEY[empty_key].batch:
            raise RuleViolation("SELECTION_EMPTY_FIELD_BAD", f"“{FIELD_LABELS[empty_key]}”不能批量设置。", field="empty")
    return Selection(
        match=text, match_from=direction, length=size,
        units=frozenset(nfkc(str(u)) for u in units if str(u).strip()),
        unit_nos=frozenset(nfkc(str(u)) for u in unit_nos if str(u).strip()),
        floors=frozenset(floor_set),  # type: ignore[arg-type]
        layout=nfkc(layout) if isinstance(layout, str) and layout.strip() else None,
        empty=empty_key,
    )


def field_key(raw: str) -> str:
    """A field named by its key, its Chinese label or one of its other names."""
    text = nfkc(raw)
    for spec in FIELDS:
        if text in (spec.key, spec.label, *spec.aliases):
            return spec.key
    raise RuleViolation("UNIT_FIELD_UNKNOWN", f"户室没有“{printable(text, limit=20)}”这一项。", field=text)



def select_units(units: Sequence[UnitFacts], selection: Selection) -> list[UnitFacts]:
    """The units the selection takes, in the order given."""
    chosen = []
    for unit in units:
        key = unit_key(unit.unit_no)
        if selection.length is not None and len(key) != selection.length:
            continue
        if selection.match is not None:
            hit = key.startswith(selection.match) if selection.match_from is MatchFrom.FORWARD \
                else key.endswith(selection.match)
            if not hit:
                continue
        if selection.units and (unit.unit or "") not in selection.units:
            continue
        if selection.unit_nos and unit.unit_no not in selection.unit_nos:
            continue
        if selection.floors and unit.actual_floor not in selection.floors:
            continue
        if selection.layout is not None and unit.layout != selection.layout:
            continue
        if selection.empty is not None and unit.value(selection.empty) is not None:
            continue
        chosen.append(unit)
    return chosen


# --------------------------------------------------------------------------
# Batch setting (批量设置) and completion
# --------------------------------------------------------------------------


def parse_batch_values(values: Mapping[str, object]) -> dict[str, object]:
    """The values of a batch setting by field key (named by key or Chinese label), each read
    by its field's rule; a blank value clears the field. Refused: BATCH_NOTHING, UNIT_FIELD_UNKNOWN,
    BATCH_FIELD_NOT_ALLOWED (a field the survey gives or that is not set in batch), the value's own."""
    if not values:
        raise RuleViolation("BATCH_NOTHING", "请至少填写一项要批量设置的内容。")
    parsed: dict[str, object] = {}
    for name, raw in values.items():
        key = field_key(name)
        if not FIELD_BY_KEY[key].batch:
            raise RuleViolation("BATCH_FIELD_NOT_ALLOWED", f"“{FIELD_LABELS[key]}”不能批量设置。", field=key)
        parsed[key] = parse_value(key, raw)
    return parsed


def check_batch(selected: Sequence[UnitFacts], values: Mapping[str, object]) -> None:
    """A batch setting of ``values`` (from ``parse_batch_values``) on the selected units: there
    are some, and none of them has one of these fields from its survey. Refused:
    SELECTION_NOTHING, SURVEY_FIELD_FIXED (naming the first unit and how many)."""
    if not selected:
        raise RuleViolation("SELECTION_NOTHING", "没有选中任何户室，请调整选择条件。")
    for key in values:
        fixed = [u.unit_no for u in selected if key in u.fixed]
        if fixed:
            more = f"等{len(fixed)}户" if len(fixed) > 1 else ""
            raise RuleViolation(
                "SURVEY_FIELD_FIXED",
                f"户室{fixed[0]}{more}的“{FIELD_LABELS[key]}”来自测绘成果，不能修改；可只选择该项为空的户室。",
                field=key)


def missing_for_submission(units: Sequence[UnitFacts]) -> list[tuple[str, list[str]]]:
    """Units that still lack one of REQUIRED_FOR_SUBMISSION: (unit number, the labels missing)."""
    missing = []
    for unit in units:
        labels = [FIELD_LABELS[key] for key in REQUIRED_FOR_SUBMISSION if unit.value(key) is None]
        if labels:
            missing.append((unit.unit_no, labels))
    return missing


def changed_fields(before: UnitFacts, after: UnitFacts) -> list[tuple[str, str, str]]:
    """The fields that differ between two units (a survey change's 变更前 / 变更后): label, before, after."""
    out = []
    for spec in FIELDS:
        old, new = before.value(spec.key), after.value(spec.key)
        if old != new:
            out.append((spec.label, show_value(spec.key, old), show_value(spec.key, new)))
    return out
