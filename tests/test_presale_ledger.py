"""户室流水补录 (seed 004 §5.9) on SQLite and PostgreSQL: the ledger is the one source of a
contract's paid amount (the payment notice's rule, the fund supervision's figures); entries
are back-entered through their Z case, reviewed and archived by the authority; a refund only
where something is refundable, never more than was paid; every refusal by its sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import RuleViolation
from core.presale import ledger as rules
from services import audit
from services.presale import contracts, funds, ledger
from tests.conftest import SYSTEM
from tests.test_presale_contracts import contract_hall, entry


def _refused(call, *args, **kw) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        call(*args, **kw)
    return refused.value


# ---------------------------------------------------------------- core rules


def test_money_counts_posted_entries_only():
    money = rules.money_of([("income", "posted", Decimal("100.00")), ("refund", "posted", Decimal("30.00")),
                            ("income", "pending", Decimal("5.00")), ("refund", "pending", Decimal("20.00")),
                            ("income", "void", Decimal("999.00"))])
    assert (money.received, money.refunded, money.paid, money.refundable) == (
        Decimal("100.00"), Decimal("30.00"), Decimal("70.00"), Decimal("50.00"))
    assert rules.allowed_kinds(money) == [rules.EntryKind.INCOME, rules.EntryKind.REFUND]
    assert rules.allowed_kinds(rules.NO_MONEY) == [rules.EntryKind.INCOME]


def test_entry_rules_by_their_sentences():
    paid = rules.Money(received=Decimal("100.00"))
    price = Decimal("1000.00")
    with pytest.raises(RuleViolation) as r:
        rules.check_entry(rules.EntryKind.REFUND, Decimal("1.00"), rules.NO_MONEY, price)
    assert r.value.message == "该合同没有可退款项，不能补录退款流水。"
    with pytest.raises(RuleViolation) as r:
        rules.check_entry(rules.EntryKind.REFUND, Decimal("100.01"), paid, price)
    assert r.value.code == "LEDGER_REFUND_OVER_PAID"
    assert r.value.message == "退款金额¥100.01大于可退金额¥100.00（已缴¥100.00，已退¥0.00），不能补录。"
    rules.check_entry(rules.EntryKind.REFUND, Decimal("100.00"), paid, price)
    with pytest.raises(RuleViolation) as r:
        rules.check_entry(rules.EntryKind.INCOME, Decimal("900.01"), paid, price)
    assert r.value.message == "入账金额¥900.01超过合同总价款尚未缴纳的¥900.00，不能补录。"
    with pytest.raises(RuleViolation) as r:
        rules.check_entry(rules.EntryKind.INCOME, Decimal("1.00"), paid, None)
    assert r.value.message == "该合同还未录入合同信息，不能补录流水。"
    assert rules.entry_kind("退款") is rules.EntryKind.REFUND and rules.entry_kind("income") is rules.EntryKind.INCOME
    with pytest.raises(RuleViolation) as r:
        rules.entry_kind("冲正")
    assert r.value.message == "流水类型只能是入账或退款。"
    for raw, message in (("", "请填写入账金额。"), ("0", "入账金额须大于0。"), ("-1", None), ("1.001", None),
                         ("abc", None)):
        with pytest.raises(RuleViolation) as r:
            rules.check_entry_amount(raw, "入账金额")
        if message:
            assert r.value.message == message
        assert r.value.field == "amount"
    with pytest.raises(TypeError):
        rules.check_entry_amount(1.5)
    # Five keys at the 金额 field ("1e309") once answered 系统错误 (Decimal could not quantize it).
    for raw in ("1e309", "1e30", "9" * 40):
        with pytest.raises(RuleViolation) as r:
            rules.check_entry_amount(raw, "退款金额")
        assert r.value.code == "MONEY_TOO_LARGE" and r.value.message == "退款金额：金额须小于壹万亿元。"


# ---------------------------------------------------------------- the service


def _contract(db, seed: int, unit: str = "2-01", **changes: object):  # type: ignore[no-untyped-def]
    hall, permit = contract_hall(db, seed)
    number = contracts.start_contract(db, hall.dev, permit_number=permit, unit_no=unit).number
    contracts.save_entry(db, hall.dev, number, entry(**changes))
    return hall, permit, number


def test_a_back_entered_receipt_counts_once_the_authority_archives_it(db):
    hall, permit, number = _contract(db, 81, payment_method="商业贷款", down_payment="401000.00",
                                     commercial_loan="900000.00", loan_bank="中国工商银行",
                                     mortgagor="王小二", mortgagee="中国工商银行")
    dev, authority = hall.dev, hall.authority
    # found by the permit number and by the contract number
    assert [h.number for h in ledger.find_contracts(db, dev, permit)] == [number]
    assert [h.unit_no for h in ledger.find_contracts(db, authority, number.lower())] == ["2-01"]
    view = ledger.ledger(db, dev, number)
    assert (view.total_price, view.amount_due, view.paid, view.kinds) == (
        Decimal("1301000.00"), Decimal("401000.00"), Decimal("0.00"), [("income", "入账")])
    assert "110101199003074258" not in " ".join(view.buyers)  # masked
    # a refund is not offered and is refused while nothing was paid
    refused = _refused(ledger.add_entry, db, dev, number, kind="退款", amount="1.00")
    assert refused.message == "该合同没有可退款项，不能补录退款流水。"
    added = ledger.add_entry(db, dev, number, kind="入账", amount="401000.00", receipt="YH20261101",
                             paid_on="2026-11-01")
    assert added.case_number.startswith("Z")
    shown = ledger.show_entry(db, authority, added.case_number)
    assert (shown.stage_name, shown.status_label, shown.kind_label) == ("主管部门审核", "待审核", "入账")
    # pending: not paid yet (the notice still short)
    assert ledger.ledger(db, dev, number).paid == Decimal("0.00")
    refused = _refused(contracts.complete_entry, db, dev, number)
    assert refused.code == "PAYMENT_NOT_EQUAL_DUE"
    # the developer cannot review it
    assert _refused(ledger.review_entry, db, dev, added.case_number, approve=True).code == "ROLE_FORBIDDEN"
    done = ledger.review_entry(db, authority, added.case_number, approve=True, opinion="流水与银行回单一致。")
    assert done == "审核通过，入账401000.00元已记入户室流水，业务已归档。"
    view = ledger.ledger(db, dev, number)
    assert (view.received, view.paid, view.unpaid, view.refundable) == (
        Decimal("401000.00"), Decimal("401000.00"), Decimal("900000.00"), Decimal("401000.00"))
    assert [(e.kind_label, e.status_label, e.case_number) for e in view.entries] == [
        ("入账", "已入账", added.case_number)]
    # the payment notice's rule reads the ledger: paid equals due now
    assert contracts.payment_notice(db, dev, number).paid == Decimal("401000.00")
    assert contracts.complete_entry(db, dev, number).stage_name == "签约环节"
    # archived: not reviewed twice
    again = _refused(ledger.review_entry, db, authority, added.case_number, approve=True)
    assert again.code == "LEDGER_WRONG_STAGE"
    assert audit.verify(db, SYSTEM).intact


def test_refunds_never_exceed_what_was_paid_and_a_refused_entry_is_void(db):
    hall, _, number = _contract(db, 82)
    dev, authority = hall.dev, hall.authority
    contracts.record_payment(db, dev, number, "1000.00")  # at the notice: posted at once
    view = ledger.ledger(db, dev, number)
    assert view.paid == Decimal("1000.00") and ("refund", "退款") in view.kinds
    over = _refused(ledger.add_entry, db, dev, number, kind="refund", amount="1000.01")
    assert over.code == "LEDGER_REFUND_OVER_PAID"
    assert over.message == "退款金额¥1,000.01大于可退金额¥1,000.00（已缴¥1,000.00，已退¥0.00），不能补录。"
    first = ledger.add_entry(db, dev, number, kind="refund", amount="600.00")
    # a refund waiting for review is set aside: only 400 more may be refunded
    assert ledger.ledger(db, dev, number).refundable == Decimal("400.00")
    assert _refused(ledger.add_entry, db, dev, number, kind="refund", amount="400.01").code == "LEDGER_REFUND_OVER_PAID"
    second = ledger.add_entry(db, dev, number, kind="refund", amount="400.00")
    assert ledger.ledger(db, dev, number).kinds == [("income", "入账")]
    # refusing needs an opinion; refused, the entry is void and counts for nothing
    assert _refused(ledger.review_entry, db, authority, second.case_number, approve=False).code == "FUND_OPINION_EMPTY"
    assert ledger.review_entry(db, authority, second.case_number, approve=False, opinion="无退款凭证。") \
        == "审核不通过，该笔流水已作废，业务已办结。"
    ledger.review_entry(db, authority, first.case_number, approve=True)
    view = ledger.ledger(db, dev, number)
    assert (view.received, view.refunded, view.paid, view.refundable) == (
        Decimal("1000.00"), Decimal("600.00"), Decimal("400.00"), Decimal("400.00"))
    assert [e.status_label for e in view.entries] == ["已入账", "已入账", "已作废"]
    # the fund supervision's seam: paid, refunded (已冲单), supervised = paid − refunded
    from services.presale.unit_sales import unit_sales
    from storage.models import PresaleContract
    from sqlalchemy import select
    with db.read() as s:
        unit = s.execute(select(PresaleContract.building_unit_id)).scalar_one()
        sale = unit_sales(s, [unit])[unit]
    assert (sale.paid, sale.reversed, sale.supervised) == (Decimal("1000.00"), Decimal("600.00"), Decimal("400.00"))
    # the notice's rule follows the refunds: 400 paid of 1301000 due
    assert contracts.show_contract(db, dev, number).paid == Decimal("400.00")


def test_bad_input_writes_nothing_and_others_do_not_exist(db):
    from sqlalchemy import func, select

    from storage.models import Case, PresalePayment
    from tests.presale_support import developer_operator, enterprise_code, entry as dev_entry
    from services.presale import developers

    hall, permit, number = _contract(db, 83)
    dev = hall.dev
    with db.read() as s:
        before = (s.execute(select(func.count()).select_from(PresalePayment)).scalar_one(),
                  s.execute(select(func.count()).select_from(Case)).scalar_one())
    for kw, message in (
            (dict(kind="入账", amount="abc"), None),
            (dict(kind="入账", amount="1.00", paid_on="2026/11/01"), "流水日期须按“2026-01-31”的格式填写。"),
            (dict(kind="入账", amount="1.00", paid_on="2099-01-01"), "流水日期不能晚于今天。"),
            (dict(kind="入账", amount="1301000.01"), "入账金额¥1,301,000.01超过合同总价款尚未缴纳的¥1,301,000.00，不能补录。"),
            (dict(kind="x", amount="1"), "流水类型只能是入账或退款。")):
        refused = _refused(ledger.add_entry, db, dev, number, **kw)
        if message:
            assert refused.message == message
    with db.read() as s:
        assert (s.execute(select(func.count()).select_from(PresalePayment)).scalar_one(),
                s.execute(select(func.count()).select_from(Case)).scalar_one()) == before
    refused = _refused(ledger.find_contracts, db, dev, "YS2099-0001")
    assert refused.message == "没有预售证号或合同编号为“YS2099-0001”的有效合同。"
    # another enterprise's staff: the contract does not exist for them
    code = enterprise_code(8301)
    developers.register_developer(db, SYSTEM, dev_entry(code, name="另一家地产开发有限公司"))
    other = developer_operator(db, code, "dev_other", phone="13912345670")
    assert _refused(ledger.find_contracts, db, other, permit).code == "LEDGER_CONTRACT_NOT_FOUND"
    assert _refused(ledger.ledger, db, other, number).code == "CONTRACT_NOT_FOUND"
    assert _refused(ledger.add_entry, db, other, number, kind="入账", amount="1").code == "CONTRACT_NOT_FOUND"


def test_the_withdrawal_table_reads_the_ledger(db):
    """The fund supervision's figures (paid, refunded, supervised, deposited) come from the ledger."""
    from tests.fund_support import agreement_in_force

    hall, _, number = _contract(db, 84)
    dev, authority = hall.dev, hall.authority
    agreement = agreement_in_force(hall)
    contracts.record_payment(db, dev, number, "5000.00")
    refund = ledger.add_entry(db, dev, number, kind="退款", amount="1500.00")
    ledger.review_entry(db, authority, refund.case_number, approve=True)
    table = funds.withdrawal_table(db, dev, agreement)
    row = next(r for r in table.rows if r.unit_no == "2-01")
    assert (row.paid, row.reversed, row.supervised_amount) == (Decimal("5000.00"), Decimal("1500.00"),
                                                                Decimal("3500.00"))
    assert table.deposited == Decimal("3500.00")


def test_a_back_entry_is_not_returned_through_the_generic_case_screens(db):
    from services import cases

    hall, _, number = _contract(db, 85)
    added = ledger.add_entry(db, hall.dev, number, kind="入账", amount="10.00")
    cases.receive_case(db, hall.authority, added.case_number)
    refused = _refused(cases.return_case, db, hall.authority, added.case_number, to_stage="entry", reason="退回")
    assert refused.code == "CASE_MOVE_IN_DOMAIN"
    assert ledger.review_entry(db, hall.authority, added.case_number, approve=False, opinion="凭证不清") \
        == "审核不通过，该笔流水已作废，业务已办结。"
