"""预售签约 (seed 004 §5.5.1) and 现房签约 (§5.7) through their F cases, on SQLite and PostgreSQL:
the refusals the seed quotes, by their sentences; the entry, the payment notice (paid must equal
due), the buyer's and the seal holder's SMS codes, the routing by loan kind, the filing; the
sales board and the fund supervision's table fed from the contracts; one unit, one contract
under processes racing for it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.presale.contracts import Buyer, ContractEntry
from core.presale.developers import BankEntry
from services import audit, operators
from services.presale import board, contracts, developers, permits
from services.presale.unit_sales import unit_sales
from storage.models import Case, PresaleContract, PresalePayment
from tests.conftest import SYSTEM, freeze
from tests.contract_support import latest_code
from tests.permit_support import designate, grant, permit_hall
from tests.presale_support import PASSWORD, make_hall
from tests.test_process_races import _workers

BUYER = Buyer("王小二", "110101199003074258", "13800138000")
SEAL_PHONE = "15211111111"  # presale_support.entry's legal representative
BANK = "中国工商银行"
CENTRE = "张家界市住房公积金管理中心"


def _refused(call, *args, **kw) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        call(*args, **kw)
    return refused.value


def contract_hall(db, seed: int, *, rooms: list[str] | None = None):  # type: ignore[no-untyped-def]
    """D004 surveyed, 1-01 a room (if asked), every other unit under the presale permit; a mortgage bank."""
    hall = permit_hall(db, seed)
    if rooms:
        designate(hall, rooms)
    issued = grant(hall, all_units=True)
    developers.add_bank(db, SYSTEM, hall.code, BankEntry(purpose="mortgage", bank_name=BANK, branch="张家界分行"))
    return hall, issued.permit_number


def reviewer(db, username: str, bank: str):  # type: ignore[no-untyped-def]
    """A loan's reviewer: the fund centre's (公积金中心审核员) for ``CENTRE``, else the bank's."""
    role = "centre_reviewer" if bank == CENTRE else "bank_reviewer"
    operators.add_operator(db, SYSTEM, username=username, name="李审核", role=role, password=PASSWORD, bank=bank)
    return operators.login(db, username, PASSWORD)


def entry(**changes: object) -> ContractEntry:
    base: dict[str, object] = dict(buyers=(BUYER,), price_basis="按建筑面积计算", unit_price="10000.00",
                                   payment_method="一次性付款")
    return ContractEntry(**{**base, **changes})  # type: ignore[arg-type]


def paid_up(db, dev, number: str) -> contracts.ContractView:  # type: ignore[no-untyped-def]
    view = contracts.show_contract(db, dev, number)
    contracts.record_payment(db, dev, number, view.amount_due)
    return contracts.complete_entry(db, dev, number)


def signed_and_sealed(db, dev, number: str) -> contracts.ContractView:  # type: ignore[no-untyped-def]
    contracts.send_buyer_code(db, dev, number)
    contracts.verify_buyer_code(db, dev, number, latest_code(db, BUYER.phone))
    contracts.confirm_signing(db, dev, number)
    contracts.send_seal_code(db, dev, number)
    return contracts.seal_contract(db, dev, number, latest_code(db, SEAL_PHONE))


def test_a_full_payment_presale_contract_from_acceptance_to_filing(db, tmp_path: Path):
    hall, permit = contract_hall(db, 71)
    dev = hall.dev
    started = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01")
    number = started.case_number
    assert number.startswith("F") and started.stage_name == "合同信息录入" and started.kind_label == "商品房预售签约"
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "2-01").state_label == "签约中"
    view = contracts.save_entry(db, dev, number, entry())
    assert view.total_price == Decimal("1301000.00")  # 130.1 m² × 10000 (the sample's 2-01)
    assert view.amount_due == view.total_price and view.total_price_capital.startswith("壹佰叁拾万壹仟元")
    assert view.buyers[0].id_number != BUYER.id_number  # masked
    # the payment notice prints, in figures and capitals
    pdf = contracts.payment_notice_pdf(db, dev, number)
    assert pdf.startswith(b"%PDF-")
    # paid must equal due: short, the task does not complete; over, refused
    contracts.record_payment(db, dev, number, "1000000.00")
    refused = _refused(contracts.complete_entry, db, dev, number)
    assert refused.code == "PAYMENT_NOT_EQUAL_DUE" and "实付金额必须等于应付金额" in refused.message
    over = _refused(contracts.record_payment, db, dev, number, "301000.01")
    assert over.code == "PAYMENT_OVER_DUE" and "最多301000.00元" in over.message
    assert _refused(contracts.record_payment, db, dev, number, "0.001").code == "MONEY_TOO_PRECISE"
    contracts.record_payment(db, dev, number, Decimal("301000.00"))
    assert contracts.complete_entry(db, dev, number).stage_name == "签约环节"
    # the fund table's seam sees the sale
    with db.read() as s:
        unit = s.execute(select(PresaleContract.building_unit_id)).scalar_one()
        sale = unit_sales(s, [unit])[unit]
        assert s.execute(select(func.sum(PresalePayment.amount))).scalar_one() == Decimal("1301000.00")
    assert (sale.state_label, sale.buyer, sale.price, sale.payment_method, sale.paid) == (
        "签约中", "王小二", Decimal("1301000.00"), "一次性付款", Decimal("1301000.00"))
    # electronic: the buyer's code, bound to the version; then the seal holder's
    refused = _refused(contracts.confirm_signing, db, dev, number)
    assert refused.code == "SIGNING_NOT_ALL_VERIFIED"
    sealed = signed_and_sealed(db, dev, number)
    assert sealed.stage_name == "备案归档" and sealed.status_label == "待审核备案"  # no loan: straight to filing
    with db.read() as s:
        unit = s.execute(select(PresaleContract.building_unit_id)).scalar_one()
        assert unit_sales(s, [unit])[unit].state_label == "已签约"
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "2-01").state_label == "已签约"
    filed = contracts.file_contract(db, hall.authority, number, note="准予备案。")
    assert filed.status_label == "已备案" and filed.filing_number == "YSBA" + number[1:]
    assert filed.case_status_label == "已办结"
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "2-01").state_label == "已备案"
    b = board.board(db, dev, hall.project_id, "D004").board
    assert {t.state.value: t.units for t in b.totals}.get("filed") == 1
    assert audit.verify(db, SYSTEM).intact


def test_the_seed_refusals_by_their_sentences(db):
    hall, permit = contract_hall(db, 72, rooms=["1-01"])
    dev = hall.dev
    # not under the permit: an unknown unit, a wrong permit number
    assert _refused(contracts.start_contract, db, dev, permit_number=permit, unit_no="99-99").message \
        == "没有找到有效许可证户室信息。"
    assert _refused(contracts.start_contract, db, dev, permit_number="YS2099-99999", unit_no="2-01").message \
        == "没有找到有效许可证户室信息。"
    # a property-management room
    assert _refused(contracts.start_contract, db, dev, permit_number=permit, unit_no="1-01").message == "物管用房不能销售。"
    # seized or restricted, then lifted
    rid = contracts.restrict_unit(db, hall.authority, hall.project_id, "D004", "3-01", kind="seizure",
                                  document="（2026）湘0802执保123号", authority="永定区人民法院")
    refused = _refused(contracts.start_contract, db, dev, permit_number=permit, unit_no="3-01")
    assert refused.message == "该户室已司法查封或行政限制。"
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "3-01").state_label == "查封/限制"
    contracts.lift_restriction(db, hall.authority, rid)
    # the permit number typed with a Chinese input method (ＹＳ…) is the permit
    contracts.start_contract(db, dev, permit_number="".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c
                                                            for c in permit), unit_no="3-01")
    # sold
    refused = _refused(contracts.start_contract, db, dev, permit_number=permit, unit_no="3-01")
    assert refused.code == "UNIT_ALREADY_SOLD" and refused.message == "户室3-01已签约，不能重复销售。"
    # a permit change open on the building
    change = permits.start_permit(db, dev, type_code="permit_presale_change", project_id=hall.project_id,
                                  building="D004").case_number
    refused = _refused(contracts.start_contract, db, dev, permit_number=permit, unit_no="4-01")
    assert refused.code == "PERMIT_CHANGE_OPEN" and "预售签约暂时不能发起业务" in refused.message
    assert change.startswith("Y")


def test_the_buyer_cannot_change_once_saved_and_amounts_are_checked(db):
    hall, permit = contract_hall(db, 74)
    dev = hall.dev
    number = contracts.start_contract(db, dev, permit_number=permit, unit_no="7-01").case_number
    contracts.save_entry(db, dev, number, entry())
    other = Buyer("李四", "110101198505120037", "13900139000")
    refused = _refused(contracts.save_entry, db, dev, number, entry(buyers=(other,)))
    assert refused.message == "购房主体一旦保存后将不能再次更改，如需变更请进行退房申请。"
    # a loan needs the mortgagor and mortgagee, and a bank among the enterprise's 按揭银行
    loan = dict(payment_method="商业贷款", down_payment="401000.00", commercial_loan="900000.00")
    assert _refused(contracts.save_entry, db, dev, number, entry(**loan, loan_bank=BANK)).message == "请填写抵押人。"
    refused = _refused(contracts.save_entry, db, dev, number,
                       entry(**loan, loan_bank="某某银行", mortgagor="王小二", mortgagee="某某银行"))
    assert refused.code == "CONTRACT_BANK_NOT_MORTGAGE" and "按揭银行" in refused.message
    refused = _refused(contracts.save_entry, db, dev, number,
                       entry(payment_method="商业贷款", down_payment="400000.00", commercial_loan="900000.00",
                             loan_bank=BANK, mortgagor="王小二", mortgagee=BANK))
    assert refused.code == "CONTRACT_AMOUNTS_MISMATCH"
    # a later save may leave the buyer out (the screen shows it masked): the saved one is kept
    view = contracts.save_entry(db, dev, number, entry(**loan, buyers=(), loan_bank=BANK, mortgagor="王小二",
                                                       mortgagee=BANK))
    assert view.version == 2 and [b.name for b in view.buyers] == ["王小二"] and view.amount_due == Decimal("401000.00") and view.payment_method_label == "商业贷款"
    # a code sent for version 2 dies with version 3
    contracts.record_payment(db, dev, number, "401000.00")
    refused = _refused(contracts.save_entry, db, dev, number, entry(payment_method="分期付款", down_payment="100000.00",
                                                                    instalment_terms="余款于交房前付清。"))
    assert refused.code == "CONTRACT_DUE_BELOW_PAID"
    # cancelling frees the unit, but not once paid
    assert _refused(contracts.cancel_contract, db, dev, number, reason="买受人放弃").code == "CONTRACT_PAID_CANNOT_CANCEL"
    fresh = contracts.start_contract(db, dev, permit_number=permit, unit_no="8-01").case_number
    contracts.cancel_contract(db, dev, fresh, reason="买受人放弃购买。")
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "8-01").state_label == "可售"
    contracts.start_contract(db, dev, permit_number=permit, unit_no="8-01")


def test_combined_loan_goes_to_the_fund_centre_then_the_bank_then_the_authority(db, tmp_path: Path):
    hall, permit = contract_hall(db, 75)
    dev = hall.dev
    centre, bank = reviewer(db, "gjj_a", CENTRE), reviewer(db, "bank_a", BANK)
    number = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01").case_number
    contracts.save_entry(db, dev, number, entry(
        payment_method="组合贷", down_payment="401000.00", commercial_loan="500000.00", fund_loan="400000.00",
        loan_bank=BANK, fund_centre=CENTRE, mortgagor="王小二", mortgagee=f"{BANK}、{CENTRE}", signing_form="纸质合同"))
    paid_up(db, dev, number)
    # paper: the scan must be a PDF
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"PK\x03\x04 not a pdf")
    assert _refused(contracts.attach_scan, db, dev, number, str(fake)).message \
        == "上传的合同扫描件不是PDF文件，请扫描成PDF文件后上传。"
    assert _refused(contracts.confirm_signing, db, dev, number).code == "CONTRACT_SCAN_MISSING"
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed and sealed\n")
    contracts.attach_scan(db, dev, number, str(scan))
    contracts.confirm_signing(db, dev, number)
    contracts.send_seal_code(db, dev, number)
    assert _refused(contracts.seal_contract, db, dev, number, "000000").code == "CODE_WRONG"
    sealed = contracts.seal_contract(db, dev, number, latest_code(db, SEAL_PHONE))
    assert sealed.stage_name == "公积金审核" and sealed.bank_name == CENTRE
    # the bank sees nothing yet; the centre approves
    assert _refused(contracts.review_loan, db, bank, number).message == \
        f"没有业务号或合同编号为“{number}”的商品房买卖合同。"
    assert contracts.review_loan(db, centre, number, opinion="同意贷款。").stage_name == "银行抵押审核"
    # and the centre no longer sees the bank's part
    assert _refused(contracts.review_loan, db, centre, number).message == \
        f"没有业务号或合同编号为“{number}”的商品房买卖合同。"
    # the bank fills the mortgage details of a combined loan
    assert _refused(contracts.review_loan, db, bank, number).code == "MORTGAGE_DETAILS_MISSING"
    reviewed = contracts.review_loan(db, bank, number, mortgage_contract="DY2026-0001", loan_term_years="30")
    assert reviewed.stage_name == "备案归档"
    assert contracts.file_contract(db, hall.authority, number).status_label == "已备案"
    # another developer's operator sees no such contract
    other = make_hall(db, 76, username="dev_b", supervisor="super_q")
    assert _refused(contracts.show_contract, db, other.dev, number).code == "CONTRACT_NOT_FOUND"


def test_commercial_and_fund_loans_route_to_their_reviewer(db):
    clock = freeze(db, datetime.now(UTC))
    hall, permit = contract_hall(db, 77)
    dev = hall.dev
    bank, centre = reviewer(db, "bank_b", BANK), reviewer(db, "gjj_b", CENTRE)
    one = contracts.start_contract(db, dev, permit_number=permit, unit_no="5-01").case_number
    contracts.save_entry(db, dev, one, entry(payment_method="商业贷款", down_payment="401000.00",
                                             commercial_loan="900000.00", loan_bank=BANK, mortgagor="王小二",
                                             mortgagee=BANK))
    paid_up(db, dev, one)
    assert signed_and_sealed(db, dev, one).stage_name == "银行抵押审核"
    assert contracts.review_loan(db, bank, one).stage_name == "备案归档"
    assert _refused(contracts.show_contract, db, centre, one).code == "CONTRACT_NOT_FOUND"  # not the centre's loan
    two = contracts.start_contract(db, dev, permit_number=permit, unit_no="9-01").case_number
    contracts.save_entry(db, dev, two, entry(buyers=(Buyer("赵六", "430802199001010022", "13700137000"),),
                                             payment_method="公积金贷款", down_payment="401000.00",
                                             fund_loan="900000.00", fund_centre=CENTRE, mortgagor="赵六",
                                             mortgagee=CENTRE))
    paid_up(db, dev, two)
    clock.advance(minutes=2)  # the seal holder's phone gets one code a minute
    contracts.send_buyer_code(db, dev, two)
    contracts.verify_buyer_code(db, dev, two, latest_code(db, "13700137000"))
    contracts.confirm_signing(db, dev, two)
    contracts.send_seal_code(db, dev, two)
    sealed = contracts.seal_contract(db, dev, two, latest_code(db, SEAL_PHONE))
    assert sealed.stage_name == "公积金审核"
    assert _refused(contracts.review_loan, db, bank, two).code == "CONTRACT_NOT_FOUND"
    assert contracts.review_loan(db, centre, two).stage_name == "备案归档"
    # only the authority files
    assert _refused(contracts.file_contract, db, dev, two).code == "ROLE_FORBIDDEN"


def test_a_loan_stage_is_its_own_reviewers_even_under_one_name(db):
    """A bank's reviewer cannot take the centre's review, nor a centre's the bank's, even when an
    administrator bound both to one name (the stage names its role; the name only scopes)."""
    clock = freeze(db, datetime.now(UTC))
    hall, permit = contract_hall(db, 79)
    dev = hall.dev
    operators.add_operator(db, SYSTEM, username="gjj_same", name="李审核", role="centre_reviewer",
                           password=PASSWORD, bank=BANK)
    same, bank = operators.login(db, "gjj_same", PASSWORD), reviewer(db, "bank_same", BANK)
    one = contracts.start_contract(db, dev, permit_number=permit, unit_no="5-01").case_number
    contracts.save_entry(db, dev, one, entry(payment_method="商业贷款", down_payment="401000.00",
                                             commercial_loan="900000.00", loan_bank=BANK, mortgagor="王小二",
                                             mortgagee=BANK))
    paid_up(db, dev, one)
    assert signed_and_sealed(db, dev, one).stage_name == "银行抵押审核"
    assert _refused(contracts.review_loan, db, same, one).message == \
        "该合同正处于“银行抵押审核”阶段，须由监管银行审核员审核，公积金中心审核员不能审核。"
    assert contracts.show_contract(db, same, one).stage_name == "银行抵押审核"  # nothing moved
    # and a fund loan whose centre is written with the bank's name stays the centre reviewer's
    two = contracts.start_contract(db, dev, permit_number=permit, unit_no="9-01").case_number
    contracts.save_entry(db, dev, two, entry(buyers=(Buyer("赵六", "430802199001010022", "13700137000"),),
                                             payment_method="公积金贷款", down_payment="401000.00",
                                             fund_loan="900000.00", fund_centre=BANK, mortgagor="赵六",
                                             mortgagee=BANK))
    paid_up(db, dev, two)
    clock.advance(minutes=2)  # the seal holder's phone gets one code a minute
    contracts.send_buyer_code(db, dev, two)
    contracts.verify_buyer_code(db, dev, two, latest_code(db, "13700137000"))
    contracts.confirm_signing(db, dev, two)
    contracts.send_seal_code(db, dev, two)
    assert contracts.seal_contract(db, dev, two, latest_code(db, SEAL_PHONE)).stage_name == "公积金审核"
    assert _refused(contracts.review_loan, db, bank, two).message == \
        "该合同正处于“公积金审核”阶段，须由公积金中心审核员审核，监管银行审核员不能审核。"
    assert contracts.review_loan(db, same, two).stage_name == "备案归档"
    # a bank's reviewer is not bound to a fund centre
    assert _refused(operators.add_operator, db, SYSTEM, username="bank_gjj", name="李审核", role="bank_reviewer",
                    password=PASSWORD, bank=CENTRE).message == "公积金管理中心的审核人员请选择“公积金中心审核员”角色。"


def test_racing_processes_for_one_unit_make_one_contract(db):
    hall, permit = contract_hall(db, 78)
    with db.read() as s:
        cases_before = s.execute(select(func.count()).select_from(Case)).scalar_one()

    def sell(mine, n: int) -> object:  # type: ignore[no-untyped-def]
        return ("ok", contracts.start_contract(mine, hall.dev, permit_number=permit, unit_no="6-01").number)

    results = _workers(db, 8, sell)
    won = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(won) == 1 and len(refused) == 7, results
    assert {r[2] for r in refused} == {"户室6-01已签约，不能重复销售。"}
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(PresaleContract)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(Case)).scalar_one() == cases_before + 1
    assert audit.verify(db, SYSTEM).intact


def test_a_contract_in_progress_is_its_own_state_on_the_board_its_totals_and_its_pdf(db):
    """签约中 from acceptance until the buyer confirmed and the developer sealed; then 已签约, 已备案."""
    from core.presale.sale import SALE_STATE_LABELS, SaleState
    from services.presale import documents

    hall, permit = contract_hall(db, 79)
    dev = hall.dev
    number = contracts.start_contract(db, dev, permit_number=permit, unit_no="3-01").case_number
    lookup = board.unit_lookup(db, dev, hall.project_id, "D004", "3-01")
    assert (lookup.state, lookup.state_label) == ("signing", "签约中")
    assert lookup.presale_refusal == "户室3-01已签约，不能重复销售。"  # still taken: no second contract
    b = board.board(db, dev, hall.project_id, "D004").board
    assert b.cells[b.find("3-01")].state is SaleState.SIGNING  # type: ignore[index]
    totals = {t.state: t.units for t in b.totals}
    assert (totals[SaleState.SIGNING], totals[SaleState.SIGNED], totals[SaleState.SELLABLE]) == (1, 0, 101)
    assert [t.state for t in b.totals][:3] == [SaleState.SELLABLE, SaleState.SIGNING, SaleState.SIGNED]
    data = documents.board_data(db, dev, hall.project_id, "D004")
    assert ("约", "签约中", "signing") in data.legend and ("签约中", 1, Decimal("130.1000")) in [
        (label, units, area.quantize(Decimal("0.0001"))) for label, units, area in data.totals]
    assert ("约", "signing") in [cell for row in data.rows for cell in row.cells]
    assert documents.board_pdf(db, dev, hall.project_id, "D004").startswith(b"%PDF-")
    # signed by the buyer but not sealed: still in progress; sealed: 已签约
    contracts.save_entry(db, dev, number, entry())
    paid_up(db, dev, number)
    contracts.send_buyer_code(db, dev, number)
    contracts.verify_buyer_code(db, dev, number, latest_code(db, BUYER.phone))
    contracts.confirm_signing(db, dev, number)
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "3-01").state_label == "签约中"
    contracts.send_seal_code(db, dev, number)
    contracts.seal_contract(db, dev, number, latest_code(db, SEAL_PHONE))
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "3-01").state_label == SALE_STATE_LABELS[SaleState.SIGNED]
    contracts.file_contract(db, hall.authority, number)
    totals = {t.state: t.units for t in board.board(db, dev, hall.project_id, "D004").board.totals}
    assert (totals[SaleState.SIGNING], totals[SaleState.SIGNED], totals[SaleState.FILED]) == (0, 0, 1)


def test_a_seizure_registered_after_signing_holds_the_filing_until_lifted(db):
    hall, permit = contract_hall(db, 79)
    dev = hall.dev
    number = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01").case_number
    contracts.save_entry(db, dev, number, entry())
    contracts.record_payment(db, dev, number, "1301000.00")
    contracts.complete_entry(db, dev, number)
    signed_and_sealed(db, dev, number)
    rid = contracts.restrict_unit(db, hall.authority, hall.project_id, "D004", "2-01", kind="seizure",
                                  document="（2026）湘0802执保124号", authority="永定区人民法院")
    refused = _refused(contracts.file_contract, db, hall.authority, number)
    assert refused.code == "UNIT_RESTRICTED_AT_FILING"
    assert refused.message == "户室2-01已司法查封，合同暂不能备案，解除后再办理。"
    assert contracts.show_contract(db, dev, number).status_label == "待审核备案"  # nothing written
    contracts.lift_restriction(db, hall.authority, rid)
    assert contracts.file_contract(db, hall.authority, number).status_label == "已备案"
    assert audit.verify(db, SYSTEM).intact
