"""在建工程抵押 (seed 004 §1.1) on SQLite and PostgreSQL: set up on units of a building under
construction to the developer's loan bank, shown on the sales board, refusing a presale contract
on a mortgaged unit until the mortgagee authorises its signing, cancelled; every refusal by its
sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import RuleViolation
from core.presale import mortgage as rules
from core.presale.developers import BankEntry
from core.presale.sale import SaleState, UnitSaleFacts, refuse_unsellable, sale_state
from services import audit
from services.presale import board, contracts, developers, mortgages
from tests.conftest import SYSTEM
from tests.test_presale_contracts import contract_hall

LOAN = "中国农业银行"


def _refused(call, *args, **kw) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        call(*args, **kw)
    return refused.value


def test_core_rules_by_their_sentences():
    facts = UnitSaleFacts("2-01", permit_number="YS1", permit_kind=None, mortgage_bank=LOAN)
    assert sale_state(facts) is SaleState.MORTGAGED
    with pytest.raises(RuleViolation) as r:
        refuse_unsellable(facts)
    assert (r.value.code, r.value.message) == ("UNIT_MORTGAGED", "该户室已设立在建工程抵押，未经抵押权人签约授权，不能签约。")
    with pytest.raises(RuleViolation) as r:
        rules.check_under_construction("actual")
    assert r.value.message == "该栋已完成实测成果备案，不是在建工程，不能设立在建工程抵押。"
    rules.check_under_construction("predicted")
    for unit, message in ((rules.MortgageUnit("1-01", True, False, False), "户室1-01已设立在建工程抵押，不能重复抵押。"),
                          (rules.MortgageUnit("1-01", False, True, False), "户室1-01已签约，不能设立在建工程抵押。"),
                          (rules.MortgageUnit("1-01", False, False, True), "户室1-01是物管用房，不能设立在建工程抵押。")):
        with pytest.raises(RuleViolation) as r:
            rules.check_units_free([unit])
        assert r.value.message == message
    assert rules.chosen_units(["1-01", "1-02"], [" 1-02", "1-01", "1-02"]) == ["1-01", "1-02"]
    with pytest.raises(RuleViolation) as r:
        rules.chosen_units(["1-01"], ["9-9"])
    assert r.value.message == "该栋没有室号为“9-9”的户室。"
    with pytest.raises(RuleViolation) as r:
        rules.chosen_units(["1-01"], [])
    assert r.value.message == "请至少选择一套户室。"
    with pytest.raises(RuleViolation) as r:
        rules.check_mortgage_contract("  ")
    assert r.value.code == "MORTGAGE_CONTRACT_EMPTY"


def test_a_mortgage_from_set_up_to_cancellation(db):
    hall, permit = contract_hall(db, 91)
    dev, authority = hall.dev, hall.authority
    args = dict(mortgage_contract="DY2026-001", amount="30000000.00")
    # no loan bank yet: the prompt to add one
    refused = _refused(mortgages.set_up_mortgage, db, authority, hall.project_id, "D004", bank_id=None,
                       units=["2-01"], **args)
    assert refused.message == rules.NO_LOAN_BANK
    bank = developers.add_bank(db, SYSTEM, hall.code, BankEntry(purpose="贷款银行", bank_name=LOAN, branch="张家界分行"))
    assert mortgages.loan_banks(db, dev, hall.project_id) == [(bank.id, f"{LOAN} 张家界分行")]
    # the developer registers none itself
    assert _refused(mortgages.set_up_mortgage, db, dev, hall.project_id, "D004", bank_id=None, **args).code \
        == "ROLE_FORBIDDEN"
    assert _refused(mortgages.set_up_mortgage, db, authority, hall.project_id, "D004", bank_id=bank.id + 99,
                    units=["2-01"], **args).message == "请选择本企业银行信息中的贷款银行。"
    # a unit sold already cannot be mortgaged
    contracts.start_contract(db, dev, permit_number=permit, unit_no="3-01")
    assert _refused(mortgages.set_up_mortgage, db, authority, hall.project_id, "D004", bank_id=None,
                    units=["2-01", "3-01"], **args).message == "户室3-01已签约，不能设立在建工程抵押。"
    made = mortgages.set_up_mortgage(db, authority, hall.project_id, "D004", bank_id=None, units=["2-02", "2-01"],
                                     **args)
    assert ([u.unit_no for u in made.units], made.bank_name, made.amount, made.status_label) == (
        ["2-01", "2-02"], LOAN, Decimal("30000000.00"), "抵押中")
    assert _refused(mortgages.set_up_mortgage, db, authority, hall.project_id, "D004", bank_id=None,
                    units=["2-02"], **args).message == "户室2-02已设立在建工程抵押，不能重复抵押。"
    # the board shows it; a contract on it is refused with its reason
    lookup = board.unit_lookup(db, dev, hall.project_id, "D004", "2-01")
    assert lookup.state_label == "在建抵押"
    assert lookup.presale_refusal == "该户室已设立在建工程抵押，未经抵押权人签约授权，不能签约。"
    assert f"该户室已设立在建工程抵押（抵押权人：{LOAN}），未经抵押权人签约授权不能签约。" in lookup.notices
    totals = {t.state.value: t.units for t in board.board(db, dev, hall.project_id, "D004").board.totals}
    assert totals["mortgaged"] == 2
    refused = _refused(contracts.start_contract, db, dev, permit_number=permit, unit_no="2-01")
    assert (refused.code, refused.message) == ("UNIT_MORTGAGED", "该户室已设立在建工程抵押，未经抵押权人签约授权，不能签约。")
    # the mortgagee authorises 2-01: it may be signed; 2-02 still not
    view = mortgages.authorise_signing(db, authority, made.id, ["2-01"])
    assert [(u.unit_no, u.authorised) for u in view.units] == [("2-01", True), ("2-02", False)]
    assert _refused(mortgages.authorise_signing, db, authority, made.id, ["2-01"]).message == "户室2-01已授权预售签约。"
    assert _refused(mortgages.authorise_signing, db, authority, made.id, ["3-03"]).message \
        == "该在建工程抵押没有室号为“3-03”的户室。"
    lookup = board.unit_lookup(db, dev, hall.project_id, "D004", "2-01")
    assert lookup.state_label == "可售" and lookup.presale_refusal is None
    assert any("抵押权人已授权预售签约" in n for n in lookup.notices)
    contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01")
    assert _refused(contracts.start_contract, db, dev, permit_number=permit, unit_no="2-02").code == "UNIT_MORTGAGED"
    # cancelled: 2-02 is free of it
    assert _refused(mortgages.cancel_mortgage, db, authority, made.id, reason=" ").code == "MORTGAGE_REASON_EMPTY"
    done = mortgages.cancel_mortgage(db, authority, made.id, reason="贷款已结清")
    assert done.status_label == "已注销" and done.cancel_reason == "贷款已结清"
    assert _refused(mortgages.cancel_mortgage, db, authority, made.id, reason="x").message == "该在建工程抵押已注销。"
    assert _refused(mortgages.authorise_signing, db, authority, made.id).message == "该在建工程抵押已注销。"
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "2-02").state_label == "可售"
    contracts.start_contract(db, dev, permit_number=permit, unit_no="2-02")
    # a fresh mortgage may take a unit again once the old one is cancelled; all units at once
    again = mortgages.set_up_mortgage(db, authority, hall.project_id, "D004", bank_id=bank.id,
                                      units=["4-01"], **args)
    assert mortgages.authorise_signing(db, authority, again.id).authorised == 1
    assert _refused(mortgages.authorise_signing, db, authority, again.id).message == "该抵押的户室均已授权预售签约。"
    listed = mortgages.list_mortgages(db, dev, hall.project_id, "D004")
    assert [m.status_label for m in listed] == ["抵押中", "已注销"]
    assert mortgages.show_mortgage(db, dev, made.id).status_label == "已注销"
    assert _refused(mortgages.show_mortgage, db, dev, 99999).message == "没有编号为“99999”的在建工程抵押。"
    assert audit.verify(db, SYSTEM).intact
