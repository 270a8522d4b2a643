"""Pure lease-signing rules (core.allocation.lease) and house labels (core.allocation.housing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import places
from core.allocation import housing
from core.allocation import lease as rules
from core.errors import RuleViolation


def _refused(code: str, fn, *args, **kwargs) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, info.value
    message = info.value.message
    assert message.endswith("。") and message.count("。") == 1, message  # one plain sentence
    return info.value


# ------------------------------------------------------------------ bank account

# A real-shaped UnionPay debit card (6217 …) whose Luhn digit is right.
CARD = "6217000010012345678"


def test_luhn_check_digit_matches_known_numbers():
    assert rules.luhn_check_digit("7992739871") == "3"  # the textbook example
    assert rules.luhn_valid("4111111111111111")
    assert rules.luhn_valid(CARD[:-1] + rules.luhn_check_digit(CARD[:-1]))


def test_bank_account_is_normalised_and_checked():
    card = CARD[:-1] + rules.luhn_check_digit(CARD[:-1])
    spaced = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in card)
    assert rules.check_bank_account(spaced) == card
    assert rules.check_bank_account(card[:4] + "-" + card[4:]) == card
    assert rules.check_bank_account(full_width) == card
    # A 12-19 digit account number that is not a card carries no Luhn digit.
    assert rules.check_bank_account("441234567890") == "441234567890"
    assert rules.check_bank_account("7001234567890123") == "7001234567890123"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "BANK_ACCOUNT_EMPTY"),
        ("   ", "BANK_ACCOUNT_EMPTY"),
        ("6217 0000 1001 23A5", "BANK_ACCOUNT_BAD_CHARS"),
        ("６２１７。０００", "BANK_ACCOUNT_BAD_CHARS"),
        ("12345678901", "BANK_ACCOUNT_BAD_LENGTH"),
        ("12345678901234567890", "BANK_ACCOUNT_BAD_LENGTH"),
        ("1" * 100, "BANK_ACCOUNT_BAD_LENGTH"),
        ("4111111111111112", "BANK_ACCOUNT_BAD_CHECK"),
    ],
)
def test_bank_account_refusals(raw: str, code: str):
    assert _refused(code, rules.check_bank_account, raw).field == "bank_account"


def test_bank_account_refuses_non_text():
    _refused("BANK_ACCOUNT_BAD_CHARS", rules.check_bank_account, 6217000010012345678)


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["62", "4", "5"]))
    length = draw(st.integers(16, 19))
    body = prefix + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length - len(prefix) - 1,
                                          max_size=length - len(prefix) - 1)))
    return body + rules.luhn_check_digit(body)


@settings(max_examples=200, deadline=None)
@given(card_numbers())
def test_generated_luhn_cards_pass(card: str):
    assert rules.check_bank_account(card) == card


@settings(max_examples=200, deadline=None)
@given(card_numbers(), st.data())
def test_any_single_digit_change_of_a_card_fails(card: str, data: st.DataObject):
    position = data.draw(st.integers(len("62") if card.startswith("62") else 1, len(card) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != card[position]]))
    changed = card[:position] + digit + card[position + 1:]
    _refused("BANK_ACCOUNT_BAD_CHECK", rules.check_bank_account, changed)


def test_mask_bank_account():
    assert rules.mask_bank_account("6217000010010123") == "6217 **** **** 0123"
    assert rules.mask_bank_account("6217000010012340123") == "6217 **** **** *** 0123"
    assert rules.mask_bank_account("441234567890") == "4412 **** 7890"
    assert "*" in rules.mask_bank_account("12345678")
    assert rules.mask_bank_account("") == ""


# ------------------------------------------------------------------ bank name


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("中国工商银行", "中国工商银行"),
        ("工行", "中国工商银行"),
        ("建行", "中国建设银行"),
        ("邮储银行", "中国邮政储蓄银行"),
        ("深圳农商行", "深圳农村商业银行"),
        (" 招商银行 深圳 福田支行 ", "招商银行深圳福田支行"),
        ("中国银行深圳分行", "中国银行深圳分行"),
        ("中国建设银行深圳市分行营业部", "中国建设银行深圳市分行营业部"),
        ("平安银行股份有限公司", "平安银行股份有限公司"),
        ("华润银行", "华润银行"),
        ("中国农业银行龙华分理处", "中国农业银行龙华分理处"),
    ],
)
def test_bank_names_accepted(raw: str, name: str):
    assert rules.check_bank_name(raw) == name


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "BANK_NAME_EMPTY"),
        ("银" * 61, "BANK_NAME_TOO_LONG"),
        ("支付宝", "BANK_NAME_UNKNOWN"),
        ("银行", "BANK_NAME_UNKNOWN"),
        ("中国银行支行", "BANK_NAME_UNKNOWN"),
        ("招商银行<script>", "BANK_NAME_UNKNOWN"),
        ("某某信用卡中心", "BANK_NAME_UNKNOWN"),
    ],
)
def test_bank_name_refusals(raw: str, code: str):
    assert _refused(code, rules.check_bank_name, raw).field == "bank_name"


# ------------------------------------------------------------------ employer, identity check


def test_employer_may_be_empty_and_is_tidied():
    assert rules.check_employer(None) == ""
    assert rules.check_employer("   ") == ""
    assert rules.check_employer(" 深圳市某某 科技有限公司\u3000") == "深圳市某某 科技有限公司"
    assert rules.check_employer("字" * 100) == "字" * 100
    _refused("EMPLOYER_TOO_LONG", rules.check_employer, "字" * 101)
    assert _refused("EMPLOYER_BAD_CHARS", rules.check_employer, "第一行\n第二行").field == "employer"


def test_identity_check_rules():
    me = rules.check_identity_check("main_applicant", "张三", " 居民身份证原件 ")
    assert me == rules.IdentityCheck("main_applicant", None, "居民身份证原件")
    assert me.who_label == "主申请人本人"
    proxy = rules.check_identity_check("proxy", " 李四 ", "授权委托书及受托人身份证原件")
    assert proxy.who_label == "受托人李四"
    assert _refused("LEASE_IDENTITY_WHO_BAD", rules.check_identity_check, "friend", None, "x").field == "who"
    assert _refused("LEASE_PROXY_NAME_REQUIRED", rules.check_identity_check, "proxy", " ", "x").field == "proxy_name"
    refusal = _refused("LEASE_DOCUMENT_REQUIRED", rules.check_identity_check, "main_applicant", None, "")
    assert refusal.field == "document_seen"


# ------------------------------------------------------------------ deposit


def test_deposit_is_months_times_rent_to_the_fen():
    assert rules.deposit_for(Decimal("1306.40")) == Decimal("2612.80")
    assert rules.deposit_for(Decimal("1306.40"), 3) == Decimal("3919.20")
    assert rules.deposit_for(Decimal("999.99"), 1) == Decimal("999.99")
    assert str(rules.deposit_for(Decimal("800"), 2)) == "1600.00"


def test_deposit_refusals():
    _refused("LEASE_DEPOSIT_MONTHS_BAD", rules.deposit_for, Decimal("100"), 0)
    _refused("LEASE_DEPOSIT_MONTHS_BAD", rules.deposit_for, Decimal("100"), 13)
    _refused("LEASE_DEPOSIT_MONTHS_BAD", rules.deposit_for, Decimal("100"), True)
    _refused("LEASE_RENT_NOT_SET", rules.deposit_for, Decimal("0"), 2)
    _refused("MONEY_TOO_PRECISE", rules.deposit_for, Decimal("100.001"), 2)


def test_deposit_amount_must_be_exactly_the_amount_due():
    due = Decimal("2612.80")
    assert rules.check_deposit_amount(None, due) == due
    assert rules.check_deposit_amount("2612.8", due) == due
    error = _refused("LEASE_DEPOSIT_WRONG_AMOUNT", rules.check_deposit_amount, Decimal("2600"), due)
    assert "贰仟陆佰壹拾贰元捌角" in error.message and "¥2,612.80" in error.message
    assert error.field == "amount"
    assert rules.check_deposit_method("扫码支付") == "扫码支付"
    _refused("LEASE_DEPOSIT_METHOD_BAD", rules.check_deposit_method, "支票")


# ------------------------------------------------------------------ term, move-in, review, numbers


def test_lease_term_ends_the_day_before_the_anniversary():
    assert rules.lease_term(date(2026, 3, 5)) == (date(2026, 3, 5), date(2029, 3, 4))
    assert rules.lease_term(date(2026, 1, 1), 1) == (date(2026, 1, 1), date(2026, 12, 31))
    assert rules.lease_term(date(2024, 2, 29), 3) == (date(2024, 2, 29), date(2027, 2, 28))
    assert rules.lease_term(date(2024, 2, 29), 4) == (date(2024, 2, 29), date(2028, 2, 28))
    _refused("LEASE_TERM_YEARS_BAD", rules.lease_term, date(2026, 1, 1), 0)


def test_term_start_window():
    today = date(2026, 3, 5)
    assert rules.check_term_start(today, today) == today
    _refused("LEASE_START_IN_PAST", rules.check_term_start, date(2026, 3, 4), today)
    _refused("LEASE_START_TOO_LATE", rules.check_term_start, date(2026, 6, 4), today)


def test_move_in_window_and_review_note():
    assert rules.move_in_window(date(2026, 3, 5), date(2026, 3, 1)) == (date(2026, 3, 5), date(2026, 4, 3))
    assert rules.move_in_window(date(2026, 3, 5), date(2026, 4, 1)) == (date(2026, 4, 1), date(2026, 4, 30))
    assert rules.check_review_note(True, "") == ""
    assert rules.check_review_note(False, " 银行卡号 有误 ") == "银行卡号 有误"
    _refused("LEASE_REJECT_REASON_REQUIRED", rules.check_review_note, False, "  ")
    _refused("LEASE_REVIEW_NOTE_TOO_LONG", rules.check_review_note, True, "字" * 201)


def test_document_numbers_and_stage_refusals():
    assert rules.contract_number_for("G202603050000001") == "GZ202603050000001"
    assert rules.receipt_number_for("G202603050000001") == "YJ202603050000001"
    assert rules.notice_number_for("G202603050000001") == "RZ202603050000001"
    assert rules.stage_name("deposit") == "押金缴纳"
    error = _refused("LEASE_WRONG_STAGE", rules.require_stage, "contract", "tenant_info")
    assert "签订合同" in error.message and "完善承租信息" in error.message
    _refused("LEASE_CLOSED", rules.require_open, "archived")
    _refused("LEASE_CANCELLED", rules.require_open, "cancelled")
    rules.require_open("active")


def test_sms_texts_fit_one_message():
    text = rules.approval_sms("龙悦居三期3栋1单元1203室", "GZ202603050000001", (date(2026, 3, 5), date(2026, 4, 3)))
    assert text.startswith("您的公租房租赁签约已审核通过") and "请于2026年3月5日至2026年4月3日" in text
    assert len(rules.rejection_sms("龙悦居三期3栋1单元1203室", "字" * 200)) < 500


# ------------------------------------------------------------------ house labels


def test_layout_labels_and_parsing():
    assert [housing.layout_label(c) for c in housing.LAYOUTS] == ["单间", "一房一厅", "两房一厅", "三房一厅"]
    assert housing.layout_label("4b") == "4b"  # unknown codes are shown as they are
    assert housing.parse_layout("2B") == "2b"
    assert housing.parse_layout("两房一厅") == "2b"
    assert housing.parse_layout("两室一厅") == "2b"
    assert housing.parse_layout("单间") == "studio"
    _refused("HOUSE_LAYOUT_UNKNOWN", housing.parse_layout, "别墅")
    assert housing.check_orientation(" 东南 ") == "东南"
    _refused("HOUSE_ORIENTATION_UNKNOWN", housing.check_orientation, "上")


def test_place_labels():
    assert places.place_label("3", "1", "1203") == "3栋1单元1203室"
    assert places.place_label("A座", "", "1203室") == "A座1203室"
    assert places.place_label("3栋", "2单元", "501") == "3栋2单元501室"
