"""Prices of a survey's units (seed 004 §5.1.1): quick pricing by floor (快捷设置价格) and the
price and area check grid (价格面积核对).

Quick pricing: for the units of one layout (户型) — or all — one price type (销售单价, 装修
单价 or 毛坯单价) is set from a base price on a base floor (实际层), going up or down the
building, the price rising or falling by a fixed amount per floor. Floors on the other side
of the base floor are left as they are. There is no floor 0: floor -1 is next to floor 1.

The grid: the building's floors (top first) × its unit positions, each cell a unit with
毛 (rough price), 装 (decoration price), 面 (built area) and 销 (sale price); a cell whose
sale price is missing, or differs from rough + decoration, is flagged for the check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from core.errors import RuleViolation
from core.presale.units import FIELD_LABELS, UnitFacts, parse_value, show_value, unit_key
from core.text import whole_number

__all__ = [
    "Direction",
    "Grid",
    "GridCell",
    "PriceRule",
    "PRICE_KIND_FIELDS",
    "check_price_rule",
    "floors_between",
    "price_grid",
    "natural",
    "quick_prices",
    "unit_order",
    "unit_position",
]


class Direction(StrEnum):
    UP = "up"  # 向上: the base floor and the floors above it
    DOWN = "down"  # 向下: the base floor and the floors below it


DIRECTION_LABELS = {Direction.UP: "向上", Direction.DOWN: "向下"}

#: 价格类型 → the unit's field.
PRICE_KIND_FIELDS: dict[str, str] = {"销售单价": "sale_price", "装修单价": "decoration_price", "毛坯单价": "rough_price",
                                     "sale": "sale_price", "decoration": "decoration_price", "rough": "rough_price"}


@dataclass(frozen=True)
class PriceRule:
    """A quick pricing (快捷设置价格) as checked."""

    field: str  # sale_price / decoration_price / rough_price
    base_price: Decimal
    base_floor: int
    direction: Direction
    step: Decimal  # per floor, signed: negative when the price falls (递减)
    layout: str | None = None

    def describe(self) -> str:
        change = "递增" if self.step >= 0 else "递减"
        layout = f"户型{self.layout}，" if self.layout else ""
        return (f"{layout}{FIELD_LABELS[self.field]}基础价格{show_value(self.field, self.base_price)}元/m²，"
                f"基准层{self.base_floor}，{DIRECTION_LABELS[self.direction]}每层{change}"
                f"{show_value(self.field, abs(self.step))}元/m²")


def check_price_rule(*, price_kind: object, base_price: object, base_floor: object, direction: object,
                     step: object, decrease: bool = False, layout: object = None) -> PriceRule:
    """A quick pricing as typed. Refused: PRICE_KIND_BAD, PRICE_DIRECTION_BAD, PRICE_STEP_BAD and
    the price's and the floor's own refusals."""
    key = PRICE_KIND_FIELDS.get(str(price_kind).strip()) if price_kind is not None else None
    if key is None:
        raise RuleViolation("PRICE_KIND_BAD", "价格类型只能是销售单价、装修单价或毛坯单价。", field="price_kind")
    price = parse_value(key, base_price)
    if price is None:
        raise RuleViolation("PRICE_BASE_EMPTY", "请填写基础价格。", field="base_price")
    floor = parse_value("actual_floor", base_floor)
    if floor is None:
        raise RuleViolation("PRICE_BASE_FLOOR_EMPTY", "请填写基准层数。", field="base_floor")
    text = str(direction).strip() if direction is not None else ""
    way = next((d for d in Direction if text in (d.value, DIRECTION_LABELS[d])), None)
    if way is None:
        raise RuleViolation("PRICE_DIRECTION_BAD", "方向只能是向上或向下。", field="direction")
    try:
        amount = Decimal(str(step).strip() or "0")
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount >= Decimal(100_000) or amount != amount.quantize(Decimal("0.01")):
        raise RuleViolation("PRICE_STEP_BAD", "每层递增或递减的金额应为不小于0的金额（元/平方米，最多2位小数）。", field="step")
    return PriceRule(key, price, floor, way, -amount if decrease else amount,  # type: ignore[arg-type]
                     layout=parse_value("layout", layout) if layout else None)  # type: ignore[arg-type]


def floors_between(base: int, floor: int) -> int:
    """How many floors ``floor`` lies from ``base`` (there is no floor 0)."""
    steps = abs(floor - base)
    if (base < 0) != (floor < 0):
        steps -= 1
    return steps


def quick_prices(units: Sequence[UnitFacts], rule: PriceRule) -> dict[int, Decimal]:
    """The new price of each unit the rule reaches (by unit id): of its layout, on the base
    floor or beyond it in its direction. Refused: PRICE_NO_UNITS, PRICE_NOT_POSITIVE (a falling
    price that would reach zero or less on some floor)."""
    out: dict[int, Decimal] = {}
    for unit in units:
        if rule.layout is not None and unit.layout != rule.layout:
            continue
        if (rule.direction is Direction.UP and unit.actual_floor < rule.base_floor) or (
                rule.direction is Direction.DOWN and unit.actual_floor > rule.base_floor):
            continue
        price = rule.base_price + rule.step * floors_between(rule.base_floor, unit.actual_floor)
        positive = rule.field != "decoration_price"
        if price < 0 or (positive and price == 0):
            raise RuleViolation("PRICE_NOT_POSITIVE",
                                f"按该设置，{unit.actual_floor}层的{FIELD_LABELS[rule.field]}将为{price}元/m²，"
                                "请调整基础价格或每层递减金额。", field="step")
        assert unit.id is not None
        out[unit.id] = price
    if not out:
        raise RuleViolation("PRICE_NO_UNITS", "没有户室符合该户型和楼层范围，未设置任何价格。")
    return out


@dataclass(frozen=True)
class GridCell:
    unit_no: str
    rough: Decimal | None  # 毛
    decoration: Decimal | None  # 装
    area: Decimal  # 面 (built area)
    sale: Decimal | None  # 销
    flag: str | None  # why the cell wants a look: 未定价 / 销≠毛+装

    def lines(self) -> tuple[str, str, str, str, str]:
        """The cell as the seed draws it: the unit, then 毛 / 装 / 面 / 销."""
        return (self.unit_no, f"毛 {show_value('rough_price', self.rough) or '—'}",
                f"装 {show_value('decoration_price', self.decoration) or '—'}",
                f"面 {show_value('built_area', self.area)}", f"销 {show_value('sale_price', self.sale) or '—'}")


@dataclass(frozen=True)
class Grid:
    floors: list[int]  # top floor first
    columns: list[tuple[str, str]]  # (单元, position within the floor)
    cells: dict[tuple[int, int], GridCell]  # (floor, column index) -> cell
    flagged: int

    def row(self, floor: int) -> list[GridCell | None]:
        return [self.cells.get((floor, i)) for i in range(len(self.columns))]


def unit_position(unit_no: str, actual_floor: int) -> str:
    """A unit's place on its floor, from its number: after the last separator ("1-01" → "01"),
    or after the floor's digits ("1203" on floor 12 → "03"), or the number itself."""
    for sep in "-_#":
        if sep in unit_no:
            return unit_no.rsplit(sep, 1)[1]
    key = unit_key(unit_no)
    floor = str(abs(actual_floor))
    if key.startswith(floor) and len(key) > len(floor):
        return key[len(floor):]
    return key


def _position(unit: UnitFacts) -> str:
    return unit_position(unit.unit_no, unit.actual_floor)


def unit_order(unit_no: str) -> tuple[int, int | str]:
    """A sort key of unit numbers: "3-01" before "17-06" (separators ignored)."""
    return natural(unit_key(unit_no))


def natural(text: str) -> tuple[int, int | str]:
    """A sort key that puts "2" before "10" and numbers before words."""
    number = whole_number(text, max_digits=18)
    return (0, number) if number is not None else (1, text)


def _flag(unit: UnitFacts) -> str | None:
    if unit.sale_price is None:
        return "未定价"
    if unit.rough_price is not None and unit.sale_price != unit.rough_price + (unit.decoration_price or 0):
        return "销≠毛+装"
    return None


def price_grid(units: Sequence[UnitFacts], *, floor: int | None = None, unit: str | None = None,
               nominal_floor: str | None = None, use: str | None = None, layout: str | None = None) -> Grid:
    """价格面积核对: the units (filtered by 实际层, 单元, 名义层, 用途, 户型) laid out floors × positions."""
    chosen = [u for u in units
              if (floor is None or u.actual_floor == floor) and (unit is None or u.unit == unit)
              and (nominal_floor is None or u.nominal_floor == nominal_floor) and (use is None or u.use == use)
              and (layout is None or u.layout == layout)]
    columns = sorted({(u.unit or "", _position(u)) for u in chosen},
                     key=lambda c: (natural(c[0]), natural(c[1])))
    index = {c: i for i, c in enumerate(columns)}
    cells: dict[tuple[int, int], GridCell] = {}
    flagged = 0
    for u in chosen:
        flag = _flag(u)
        flagged += flag is not None
        cells[(u.actual_floor, index[(u.unit or "", _position(u))])] = GridCell(
            u.unit_no, u.rough_price, u.decoration_price, u.built_area, u.sale_price, flag)
    floors = sorted({u.actual_floor for u in chosen}, reverse=True)
    return Grid(floors, columns, cells, flagged)
