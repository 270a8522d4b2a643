"""The sales board (楼盘表): a building's units as floors (top first) × positions, each cell
its unit and its sale state (``core.presale.sale``), with totals per state — what the
screen draws, the PDF prints and the command line lists. Pure: units in, a ``Board`` out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.presale.pricing import natural, unit_position
from core.presale.sale import SALE_STATE_ORDER, SaleState, UnitSaleFacts, notices, sale_state

__all__ = ["Board", "BoardCell", "BoardUnit", "StateTotal", "sales_board"]


@dataclass(frozen=True, slots=True)
class BoardUnit:
    """A unit of the building's survey in force, with its sale facts."""

    building_unit_id: int
    unit_no: str
    unit: str | None  # 单元
    actual_floor: int
    built_area: Decimal
    layout: str | None
    sale_price: Decimal | None
    facts: UnitSaleFacts


@dataclass(frozen=True, slots=True)
class BoardCell:
    building_unit_id: int
    unit_no: str
    state: SaleState
    built_area: Decimal
    layout: str | None
    sale_price: Decimal | None
    permit_number: str | None
    notices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StateTotal:
    state: SaleState
    units: int
    area: Decimal  # built area, m²


@dataclass(frozen=True)
class Board:
    floors: list[int]  # top floor first
    columns: list[tuple[str, str]]  # (单元, position within the floor)
    cells: dict[tuple[int, int], BoardCell]  # (floor, column index) -> cell
    totals: list[StateTotal]  # every state, in SALE_STATE_ORDER (zero ones too)

    def row(self, floor: int) -> list[BoardCell | None]:
        return [self.cells.get((floor, i)) for i in range(len(self.columns))]

    def find(self, unit_no: str) -> tuple[int, int] | None:
        """Where the unit ``unit_no`` is drawn."""
        for key, cell in self.cells.items():
            if cell.unit_no == unit_no:
                return key
        return None

    @property
    def units(self) -> int:
        return len(self.cells)


def sales_board(units: Sequence[BoardUnit]) -> Board:
    """The building's units laid out floors × positions, each with its state and reminders."""
    placed = [(u, (u.unit or "", unit_position(u.unit_no, u.actual_floor))) for u in units]
    columns = sorted({c for _, c in placed}, key=lambda c: (natural(c[0]), natural(c[1])))
    index = {c: i for i, c in enumerate(columns)}
    cells: dict[tuple[int, int], BoardCell] = {}
    counts = {s: 0 for s in SALE_STATE_ORDER}
    areas = {s: Decimal(0) for s in SALE_STATE_ORDER}
    for u, column in placed:
        state = sale_state(u.facts)
        counts[state] += 1
        areas[state] += u.built_area
        cells[(u.actual_floor, index[column])] = BoardCell(
            u.building_unit_id, u.unit_no, state, u.built_area, u.layout, u.sale_price, u.facts.permit_number,
            tuple(notices(u.facts)))
    floors = sorted({u.actual_floor for u in units}, reverse=True)
    return Board(floors, columns, cells, [StateTotal(s, counts[s], areas[s]) for s in SALE_STATE_ORDER])
