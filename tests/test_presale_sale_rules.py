"""The one sale-state rule (core.presale.sale) and the contract step's refusals, by the seed's
sentences (§5.2.2, §5.4.2, §5.5.1), including the states that have no source yet (a contract,
a seizure or restriction)."""

from __future__ import annotations

import pytest

from core.errors import RuleViolation
from core.presale.sale import ContractState, PermitKind, SaleState, UnitSaleFacts, refuse_unsellable, sale_state

PERMITTED = UnitSaleFacts("2-01", permit_number="YS2026-00001", permit_kind=PermitKind.PRESALE)


@pytest.mark.parametrize(("facts", "state"), [
    (UnitSaleFacts("1-01"), SaleState.NOT_PERMITTED),
    (PERMITTED, SaleState.SELLABLE),
    (UnitSaleFacts("1-01", permit_number="YS2026-00001", property_room=True), SaleState.PROPERTY_ROOM),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, restricted=True, contract=ContractState.FILED),
     SaleState.RESTRICTED),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, contract=ContractState.FILED), SaleState.FILED),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, contract=ContractState.SIGNED), SaleState.SIGNED),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, contract=ContractState.SIGNING), SaleState.SIGNING),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, restricted=True, contract=ContractState.SIGNING),
     SaleState.RESTRICTED),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, change_case="Y1", change_keeps=True), SaleState.CHANGING),
    (UnitSaleFacts("1-02", "YS2026-00001", PermitKind.PRESALE, released_pending=True), SaleState.NOT_PERMITTED),
])
def test_one_state_per_unit(facts, state):
    assert sale_state(facts) is state


@pytest.mark.parametrize(("facts", "sale", "code", "sentence"), [
    (UnitSaleFacts("1-01"), PermitKind.PRESALE, "PERMIT_UNIT_NOT_FOUND", "没有找到有效许可证户室信息。"),
    (PERMITTED, PermitKind.SPOT, "PERMIT_UNIT_NOT_FOUND", "没有找到有效许可证户室信息。"),
    (UnitSaleFacts("1-01", property_room=True), PermitKind.PRESALE, "PROPERTY_ROOM_NOT_FOR_SALE", "物管用房不能销售。"),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, restricted=True), PermitKind.PRESALE,
     "UNIT_RESTRICTED", "该户室已司法查封或行政限制。"),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, contract=ContractState.SIGNED), PermitKind.PRESALE,
     "UNIT_ALREADY_SOLD", "户室2-01已签约，不能重复销售。"),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, contract=ContractState.SIGNING), PermitKind.PRESALE,
     "UNIT_ALREADY_SOLD", "户室2-01已签约，不能重复销售。"),
    (UnitSaleFacts("2-01", "YS2026-00001", PermitKind.PRESALE, change_case="Y202612070000001", change_keeps=True),
     PermitKind.PRESALE, "PERMIT_CHANGE_OPEN",
     "该栋预售许可证正在变更（Y202612070000001），预售签约暂时不能发起业务，请变更完成后再签约。"),
    (UnitSaleFacts("1-02", "YS2026-00001", PermitKind.PRESALE, released_pending=True), PermitKind.PRESALE,
     "ROOM_RELEASED_AWAITS_PERMIT", "该户室已调出物管用房，须办理预售许可变更并归档后方可销售。"),
])
def test_the_contract_step_is_refused_with_the_seeds_sentence(facts, sale, code, sentence):
    with pytest.raises(RuleViolation) as refused:
        refuse_unsellable(facts, sale=sale)
    assert (refused.value.code, refused.value.message) == (code, sentence)


def test_a_permitted_unit_may_be_sold():
    refuse_unsellable(PERMITTED, sale=PermitKind.PRESALE)
