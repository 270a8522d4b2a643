"""退款 after a house return (seed 004 §1.1 退款, §5.5.2 退房, §5.9 户室流水补录), on SQLite and
PostgreSQL: the return is archived without waiting for the refund; the returned contract's
ledger then offers 退款 only and shows what remains to refund; the refund is a ledger
back-entry reviewed and archived by the authority; the return and the fund supervision's
figures follow. Every refusal by its sentence; amounts exact."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from core.presale import ledger as rules
from core.presale.returns import ReturnStatus, refund_note
from services import audit
from services.presale import contracts, funds, ledger, returns
from storage.models import Case, PresalePayment
from tests.conftest import SYSTEM
from tests.test_presale_contracts import _refused, contract_hall
from tests.test_presale_returns import _pdf, sold


def _returned(db, hall, number: str, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """The contract returned through its T case, archived; returns the T case's number."""
    case = returns.start_return(db, hall.dev, contract=number).case_number
    returns.save_reason(db, hall.dev, case, applicant=0, reason="买受人因工作调动申请退房。")
    returns.submit_return(db, hall.dev, case)
    returns.attach_voucher(db, hall.authority, case, _pdf(tmp_path))
    returns.archive_return(db, hall.authority, case)
    return case


# ---------------------------------------------------------------- core rules


def test_a_returned_contract_takes_refunds_only_by_its_sentences():
    price = Decimal("1000.00")
    paid = rules.Money(received=Decimal("300.00"))
    assert rules.allowed_kinds(paid, returned=True) == [rules.EntryKind.REFUND]
    assert rules.allowed_kinds(rules.NO_MONEY, returned=True) == []
    r = _refused(rules.check_entry, rules.EntryKind.INCOME, Decimal("1.00"), paid, price, returned=True)
    assert (r.code, r.message) == ("LEDGER_RETURNED_INCOME", "该合同已退房，不能再补录入账流水，只能补录退款流水。")
    r = _refused(rules.check_entry, rules.EntryKind.REFUND, Decimal("300.01"), paid, price, returned=True)
    assert r.message == "退款金额¥300.01大于可退金额¥300.00（已缴¥300.00，已退¥0.00），不能补录。"
    rules.check_entry(rules.EntryKind.REFUND, Decimal("300.00"), paid, price, returned=True)
    all_back = rules.Money(received=Decimal("300.00"), refunded=Decimal("300.00"))
    r = _refused(rules.check_entry, rules.EntryKind.REFUND, Decimal("0.01"), all_back, price, returned=True)
    assert (r.code, r.message) == ("LEDGER_RETURNED_NOTHING_TO_REFUND",
                                   "该合同已退房，购房款已全部退还或退款正在审核（已退¥300.00，待审核退款¥0.00），没有可退金额。")
    # not returned and nothing refundable: the ledger's own refusal
    r = _refused(rules.check_entry, rules.EntryKind.REFUND, Decimal("0.01"), rules.NO_MONEY, price)
    assert (r.code, r.message) == ("LEDGER_NO_REFUNDABLE", "该合同没有可退款项，不能补录退款流水。")
    # exact decimals: a fen more is refused, the fen itself is fine
    part = rules.Money(received=Decimal("0.30"), refunded=Decimal("0.10"), pending_refund=Decimal("0.10"))
    assert part.refundable == Decimal("0.10")
    rules.check_entry(rules.EntryKind.REFUND, Decimal("0.10"), part, price, returned=True)
    assert _refused(rules.check_entry, rules.EntryKind.REFUND, Decimal("0.11"), part, price,
                    returned=True).code == "LEDGER_REFUND_OVER_PAID"


def test_the_return_says_what_remains_to_refund():
    m = rules.Money
    assert refund_note(ReturnStatus.ENTRY, m(received=Decimal("5000.00"))) \
        == "买受人已缴¥5,000.00，退房归档后在户室流水补录中办理退款。"
    assert refund_note(ReturnStatus.REVIEW, rules.NO_MONEY) == "买受人未缴款，无需退款。"
    assert refund_note(ReturnStatus.CANCELLED, m(received=Decimal("1.00"))) is None
    assert refund_note(ReturnStatus.ARCHIVED, m(received=Decimal("5000.00"))) \
        == "已退房，尚有¥5,000.00待退款，请在户室流水补录中办理退款。"
    assert refund_note(ReturnStatus.ARCHIVED, m(received=Decimal("5000.00"), pending_refund=Decimal("2000.00"))) \
        == "已退房，尚有¥3,000.00待退款（另有¥2,000.00退款正在审核），请在户室流水补录中办理退款。"
    assert refund_note(ReturnStatus.ARCHIVED, m(received=Decimal("5000.00"), pending_refund=Decimal("5000.00"))) \
        == "已退房，¥5,000.00退款正在审核，审核通过后购房款即全部退还。"
    assert refund_note(ReturnStatus.ARCHIVED, m(received=Decimal("5000.00"), refunded=Decimal("5000.00"))) \
        == "已退房，购房款已全部退还（已退¥5,000.00）。"
    assert refund_note(ReturnStatus.ARCHIVED, rules.NO_MONEY) == "已退房，买受人未缴款，无需退款。"


def test_money_owed_back_is_not_general_funds():
    from core.presale.funds import general_available

    assert general_available(Decimal("1000.00"), Decimal("100.00"), Decimal("50.00")) == Decimal("850.00")
    assert general_available(Decimal("1000.00"), Decimal("100.00"), Decimal("50.00"), Decimal("300.00")) \
        == Decimal("550.00")
    assert general_available(Decimal("1000.00"), Decimal("100.00"), Decimal("0.00"), Decimal("1000.00")) \
        == Decimal("0.00")


# ---------------------------------------------------------------- the service


def test_a_returned_contract_is_refunded_through_the_ledger(db, tmp_path: Path):
    hall, permit = contract_hall(db, 88)
    dev, authority = hall.dev, hall.authority
    number = sold(db, hall, permit, "2-01")
    paid = contracts.show_contract(db, dev, number).paid
    assert paid > 0
    # before the archive the return says the refund follows it; the ledger still takes receipts
    case = returns.start_return(db, dev, contract=number).case_number
    assert returns.show_return(db, dev, case).refund_note \
        == f"买受人已缴{rules.format_yuan(paid)}，退房归档后在户室流水补录中办理退款。"
    returns.save_reason(db, dev, case, applicant=0, reason="买受人申请退房。")
    returns.submit_return(db, dev, case)
    returns.attach_voucher(db, authority, case, _pdf(tmp_path))
    # the archive does not wait for the refund
    done = returns.archive_return(db, authority, case)
    assert (done.status_label, done.refund_due, done.paid) == ("已退房", paid, paid)
    assert done.refund_note == f"已退房，尚有{rules.format_yuan(paid)}待退款，请在户室流水补录中办理退款。"
    # the returned contract is still found; its ledger offers 退款 only, with what is due
    assert [h.status_label for h in ledger.find_contracts(db, dev, number)] == ["已退房"]
    view = ledger.ledger(db, dev, number)
    assert (view.returned, view.refund_due, view.kinds) == (True, paid, [("refund", "退款")])
    # no receipt on a returned contract; a refund above what is due is refused; nothing written
    with db.read() as s:
        before = (s.execute(select(func.count()).select_from(PresalePayment)).scalar_one(),
                  s.execute(select(func.count()).select_from(Case)).scalar_one())
    assert _refused(ledger.add_entry, db, dev, number, kind="入账", amount="1.00").message \
        == "该合同已退房，不能再补录入账流水，只能补录退款流水。"
    over = _refused(ledger.add_entry, db, dev, number, kind="退款", amount=str(paid + Decimal("0.01")))
    assert over.message == (f"退款金额{rules.format_yuan(paid + Decimal('0.01'))}大于可退金额"
                            f"{rules.format_yuan(paid)}（已缴{rules.format_yuan(paid)}，已退¥0.00），不能补录。")
    with db.read() as s:
        assert (s.execute(select(func.count()).select_from(PresalePayment)).scalar_one(),
                s.execute(select(func.count()).select_from(Case)).scalar_one()) == before
    # refunded in two parts: the first waits for review, then is archived
    first_part = (paid / 3).quantize(Decimal("0.01"))
    first = ledger.add_entry(db, dev, number, kind="退款", amount=str(first_part), receipt="TK001",
                             paid_on="2026-11-02")
    assert ledger.ledger(db, dev, number).refund_due == paid - first_part
    shown = returns.show_return(db, dev, case)
    assert shown.refund_note == (f"已退房，尚有{rules.format_yuan(paid - first_part)}待退款（另有"
                                 f"{rules.format_yuan(first_part)}退款正在审核），请在户室流水补录中办理退款。")
    assert ledger.review_entry(db, authority, first.case_number, approve=True) \
        == f"审核通过，退款{first_part}元已记入户室流水，业务已归档。"
    second = ledger.add_entry(db, dev, number, kind="refund", amount=str(paid - first_part))
    # all of it waits for review: nothing more may be refunded
    r = _refused(ledger.add_entry, db, dev, number, kind="退款", amount="0.01")
    assert r.code == "LEDGER_RETURNED_NOTHING_TO_REFUND"
    assert ledger.ledger(db, dev, number).kinds == []
    ledger.review_entry(db, authority, second.case_number, approve=True, opinion="退款凭证齐全。")
    view = ledger.ledger(db, dev, number)
    assert (view.received, view.refunded, view.paid, view.refund_due) == (paid, paid, Decimal("0.00"),
                                                                          Decimal("0.00"))
    assert returns.show_return(db, dev, case).refund_note \
        == f"已退房，购房款已全部退还（已退{rules.format_yuan(paid)}）。"
    r = _refused(ledger.add_entry, db, dev, number, kind="退款", amount="0.01")
    assert r.message == (f"该合同已退房，购房款已全部退还或退款正在审核（已退{rules.format_yuan(paid)}，"
                         "待审核退款¥0.00），没有可退金额。")
    assert audit.verify(db, SYSTEM).intact


def test_a_receipt_pending_at_the_return_is_not_posted_after_it(db, tmp_path: Path):
    hall, permit = contract_hall(db, 89)
    dev, authority = hall.dev, hall.authority
    number = sold(db, hall, permit, "2-01")
    back = ledger.add_entry(db, dev, number, kind="退款", amount="100.00")  # room for a receipt
    ledger.review_entry(db, authority, back.case_number, approve=True)
    extra = ledger.add_entry(db, dev, number, kind="入账", amount="100.00")
    _returned(db, hall, number, tmp_path)
    r = _refused(ledger.review_entry, db, authority, extra.case_number, approve=True)
    assert r.message == "该合同已退房，不能再补录入账流水，只能补录退款流水。"
    assert ledger.review_entry(db, authority, extra.case_number, approve=False, opinion="已退房。") \
        == "审核不通过，该笔流水已作废，业务已办结。"


def test_the_fund_supervision_keeps_the_returned_money_until_refunded(db, tmp_path: Path):
    from tests.fund_support import agreement_in_force

    hall, permit = contract_hall(db, 90)
    dev, authority = hall.dev, hall.authority
    agreement = agreement_in_force(hall)
    number = sold(db, hall, permit, "2-01")
    paid = contracts.show_contract(db, dev, number).paid
    before = funds.withdrawal_table(db, dev, agreement)
    assert before.deposited == paid and before.refund_due == Decimal("0.00")
    _returned(db, hall, number, tmp_path)
    # returned, not refunded: still on the account, owed to the buyer, not general funds
    table = funds.withdrawal_table(db, dev, agreement)
    row = next(r for r in table.rows if r.unit_no == "2-01")
    assert (row.sale_state, row.paid, row.reversed, row.supervised_amount, row.refund_due) == (
        "未售（待退款）", paid, Decimal("0.00"), paid, paid)
    assert (table.deposited, table.refund_due) == (paid, paid)
    assert table.available == funds.general_available(paid, table.key_amount, table.withdrawn, paid)
    assert table.available == Decimal("0.00")
    # a new contract on the unit: its money and the returned one's side by side
    again = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01").number
    assert again != number
    refund = ledger.add_entry(db, dev, number, kind="退款", amount=str(paid))
    ledger.review_entry(db, authority, refund.case_number, approve=True)
    table = funds.withdrawal_table(db, dev, agreement)
    row = next(r for r in table.rows if r.unit_no == "2-01")
    assert (row.sale_state, row.paid, row.reversed, row.supervised_amount, row.refund_due) == (
        "签约中", paid, paid, Decimal("0.00"), Decimal("0.00"))
    assert (table.deposited, table.refund_due) == (Decimal("0.00"), Decimal("0.00"))
