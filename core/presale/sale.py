"""Whether a building's unit may be sold, and its state on the sales board (楼盘表).

One function, ``sale_state``, reads a unit's facts (``UnitSaleFacts``: the permit in force
that covers it, whether it is a property-management room, a restriction, a permit change
open on its building, a contract) and gives its one state; ``refuse_unsellable`` is the
check the presale and spot-sale contract step calls before it takes a unit, with the
seed's sentences (§5.2.2, §5.4.2, §5.5.1):

- a unit no permit in force covers: "没有找到有效许可证户室信息";
- a property-management room (物管用房): "物管用房不能销售";
- seized or restricted: "该户室已司法查封或行政限制";
- a permit change open on the building: signing waits for it (预售许可证变更发起，预售签约
  就暂时不能发起业务);
- a room released by a room change: sellable only once a permit (change) that covers it
  has been archived after the release;
- under a construction-in-progress mortgage (在建工程抵押) whose mortgagee has not authorised
  its signing (在建工程抵押签约授权): "该户室已设立在建工程抵押，未经抵押权人签约授权，不能签约".

``UnitSaleFacts.contract`` (signing, signed, filed) is fed by the presale and spot-sale contracts
(``services.presale.unit_sales.contract_states``): a unit with a live contract is taken — 签约中
from its acceptance until the buyer has confirmed and the developer sealed, then 已签约, then 已备案.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import RuleViolation

__all__ = [
    "PERMIT_KIND_LABELS",
    "SALE_STATE_LABELS",
    "SALE_STATE_LETTERS",
    "SALE_STATE_ORDER",
    "ContractState",
    "PermitKind",
    "SaleState",
    "UnitSaleFacts",
    "notices",
    "refuse_signing_on_building",
    "refuse_unsellable",
    "sale_state",
]


class PermitKind(StrEnum):
    PRESALE = "presale"  # 预售许可 (§5.4): before completion
    SPOT = "spot"  # 现售许可 (§5.6): after the actual survey


PERMIT_KIND_LABELS = {PermitKind.PRESALE: "预售许可证", PermitKind.SPOT: "现售许可证"}


class ContractState(StrEnum):
    """What a live contract on the unit makes of it (``services.presale.unit_sales``)."""

    SIGNING = "signing"  # 签约中: accepted, not yet confirmed by the buyer and sealed
    SIGNED = "signed"  # 已签约
    FILED = "filed"  # 已备案


class SaleState(StrEnum):
    NOT_PERMITTED = "not_permitted"  # 未纳入许可
    SELLABLE = "sellable"  # 可售
    PROPERTY_ROOM = "property_room"  # 物管用房
    SIGNING = "signing"  # 签约中 (a contract started, not yet signed and sealed)
    SIGNED = "signed"  # 已签约
    FILED = "filed"  # 已备案
    RESTRICTED = "restricted"  # 查封/限制
    MORTGAGED = "mortgaged"  # 在建抵押 (a construction-in-progress mortgage, signing not authorised)
    CHANGING = "changing"  # 变更中 (a permit change is open on the building)


SALE_STATE_LABELS: dict[SaleState, str] = {
    SaleState.NOT_PERMITTED: "未纳入许可",
    SaleState.SELLABLE: "可售",
    SaleState.PROPERTY_ROOM: "物管用房",
    SaleState.SIGNING: "签约中",
    SaleState.SIGNED: "已签约",
    SaleState.FILED: "已备案",
    SaleState.RESTRICTED: "查封/限制",
    SaleState.MORTGAGED: "在建抵押",
    SaleState.CHANGING: "变更中",
}
#: One character per state, drawn in the board's cell beside its colour (read without colour too).
SALE_STATE_LETTERS: dict[SaleState, str] = {
    SaleState.NOT_PERMITTED: "未",
    SaleState.SELLABLE: "售",
    SaleState.PROPERTY_ROOM: "物",
    SaleState.SIGNING: "约",
    SaleState.SIGNED: "签",
    SaleState.FILED: "备",
    SaleState.RESTRICTED: "封",
    SaleState.MORTGAGED: "押",
    SaleState.CHANGING: "变",
}
#: The order the board's legend and totals list the states in.
SALE_STATE_ORDER: tuple[SaleState, ...] = (SaleState.SELLABLE, SaleState.SIGNING, SaleState.SIGNED, SaleState.FILED,
                                           SaleState.NOT_PERMITTED, SaleState.PROPERTY_ROOM, SaleState.RESTRICTED,
                                           SaleState.MORTGAGED, SaleState.CHANGING)


@dataclass(frozen=True, slots=True)
class UnitSaleFacts:
    """What is known of one unit (a ``building_unit`` in the building's survey in force)."""

    unit_no: str
    permit_number: str | None = None  # the permit in force whose scope holds the unit
    permit_kind: PermitKind | None = None
    property_room: bool = False  # designated by the building's archived designation in force
    released_pending: bool = False  # released from the rooms; no permit archived since covers it
    restricted: bool = False  # 司法查封 or 行政限制
    contract: ContractState | None = None
    change_case: str | None = None  # a permit change open on the building (its case number)
    change_keeps: bool | None = None  # the open change's scope holds the unit (None: no change open)
    mortgage_bank: str | None = None  # the mortgagee of a construction-in-progress mortgage in force
    mortgage_authorised: bool = False  # the mortgagee authorised its signing (签约授权)


def sale_state(facts: UnitSaleFacts) -> SaleState:
    """The unit's one state, in this order: a property room is never anything else; a
    restriction shows over a contract; a contract over the permit; an open permit change
    over the permit it changes; a mortgage whose signing is not authorised over the permit;
    a unit no permit covers (or released from the rooms and not yet covered by a later
    permit) is not permitted; else it is sellable."""
    if facts.property_room:
        return SaleState.PROPERTY_ROOM
    if facts.restricted:
        return SaleState.RESTRICTED
    if facts.contract is ContractState.FILED:
        return SaleState.FILED
    if facts.contract is ContractState.SIGNED:
        return SaleState.SIGNED
    if facts.contract is ContractState.SIGNING:
        return SaleState.SIGNING
    if facts.mortgage_bank is not None and not facts.mortgage_authorised:
        return SaleState.MORTGAGED
    if facts.permit_number is None or facts.released_pending:
        return SaleState.NOT_PERMITTED
    if facts.change_case is not None:
        return SaleState.CHANGING
    return SaleState.SELLABLE


def notices(facts: UnitSaleFacts) -> list[str]:
    """The reminders a lookup of the unit shows (预售签约查询时要做提醒), besides its state."""
    out: list[str] = []
    if facts.change_case is not None and not facts.property_room:
        if facts.permit_number is not None and facts.change_keeps is False:
            out.append(f"预售许可证正在变更（{facts.change_case}），变更后该户室不在许可范围内，不可销售。")
        elif facts.permit_number is None and facts.change_keeps:
            out.append(f"预售许可证正在变更（{facts.change_case}），变更归档后该户室方可销售。")
        else:
            out.append(f"预售许可证正在变更（{facts.change_case}），变更完成前不能发起预售签约。")
    if facts.released_pending and not facts.property_room:
        out.append("该户室已调出物管用房，须办理预售许可变更并归档后方可销售。")
    if facts.mortgage_bank is not None:
        out.append(f"该户室已设立在建工程抵押（抵押权人：{facts.mortgage_bank}），"
                   + ("抵押权人已授权预售签约。" if facts.mortgage_authorised else "未经抵押权人签约授权不能签约。"))
    return out


def refuse_signing_on_building(change_case: str | None) -> None:
    """A presale contract on a building whose permit change is open waits (§5.4.2)."""
    if change_case is not None:
        raise RuleViolation("PERMIT_CHANGE_OPEN",
                            f"该栋预售许可证正在变更（{change_case}），预售签约暂时不能发起业务，请变更完成后再签约。")


def refuse_unsellable(facts: UnitSaleFacts, *, sale: PermitKind = PermitKind.PRESALE) -> None:
    """Refuse a ``sale`` (presale or spot-sale) contract on this unit unless it may be sold now.
    Refused, each with the seed's sentence where it has one: PROPERTY_ROOM_NOT_FOR_SALE,
    UNIT_RESTRICTED, UNIT_ALREADY_SOLD, UNIT_MORTGAGED, PERMIT_CHANGE_OPEN,
    ROOM_RELEASED_AWAITS_PERMIT, PERMIT_UNIT_NOT_FOUND."""
    if facts.property_room:
        raise RuleViolation("PROPERTY_ROOM_NOT_FOR_SALE", "物管用房不能销售。")
    if facts.restricted:
        raise RuleViolation("UNIT_RESTRICTED", "该户室已司法查封或行政限制。")
    if facts.contract is not None:
        raise RuleViolation("UNIT_ALREADY_SOLD", f"户室{facts.unit_no}已签约，不能重复销售。")
    if facts.mortgage_bank is not None and not facts.mortgage_authorised:
        raise RuleViolation("UNIT_MORTGAGED", "该户室已设立在建工程抵押，未经抵押权人签约授权，不能签约。")
    refuse_signing_on_building(facts.change_case)
    if facts.released_pending and facts.permit_number is not None:
        raise RuleViolation("ROOM_RELEASED_AWAITS_PERMIT", "该户室已调出物管用房，须办理预售许可变更并归档后方可销售。")
    if facts.permit_number is None or facts.released_pending or facts.permit_kind is not sale:
        raise RuleViolation("PERMIT_UNIT_NOT_FOUND", "没有找到有效许可证户室信息。")
