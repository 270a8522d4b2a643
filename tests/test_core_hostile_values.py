"""Every rule in ``core`` that reads what a person typed, fed hostile text: it returns a value or
refuses with a ``RuleViolation`` (a sentence and a stable code), never another exception.

The screens and commands turn a refusal into a sentence under the field; any other exception
is a 系统错误 and, in a dialog, loses what was typed. Found by use: "1e309" (five keys) in the
ledger's 金额 field answered 系统错误 — Decimal cannot quantize it to the fen. The command-line
fuzz test (``test_cli_fuzz.py``) stops at the first refusal of a command (an unknown case, a
missing operator), so it never reaches these rules with such values; this test calls them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from core import money, parties
from core.allocation import housing, lease
from core.allocation import round_setup
from core.errors import RuleViolation
from core.identity import check_person_name, normalize, parse_credit_code, parse_mobile
from core.lookup import plan_lookup
from core.presale import developers, funds, ledger, mortgage, pricing, projects, returns, room_numbers, surveys, units
from core.resale import certificates, home_register
from core.resale.counter_cancellation import proxy_certificate
from core.text import typed_id

TODAY = date(2026, 11, 20)

#: What a clerk, a paste, a card reader or a hostile caller can put in a field.
HOSTILE = [
    "", " ", "[/x]", "[bold red]x[/]", "\x1b[2J\x1b]0;pwn\x07", "\x00", "a\nb", "\t", "\u202egnp.exe", "😀",
    "王😀小明", "１２３", "－１", "'; DROP TABLE operator;--", "\udcff\udcfe", "字" * 10000, "x" * 10000,
    # numbers at and past every edge Decimal and int have
    "1e309", "1E+30", "-1e309", "1e-400", "9" * 40, "9" * 5000, "1" + "0" * 30, "0." + "0" * 40 + "1",
    "nan", "NaN", "sNaN", "inf", "-Infinity", "-0", "+1", "1_000", "0x10", "1e", ".", "1..2", "3.5", "0",
    "١٢٣", "𝟗𝟗", "²", "½", "1,0,0", "99999999999.999", "100%", "-100", "12.", ".5",
    # dates and codes
    "2026-02-30", "2026-13-01", "0000-00-00", "9999-12-31", "2026/1/1", "20260101", "1e4-01-01",
]

RULES: dict[str, Callable[[str], object]] = {
    "money.check_amount": money.check_amount,
    "money.to_chinese_capital": money.to_chinese_capital,
    "money.format_yuan": money.format_yuan,
    "ledger.check_entry_amount": lambda v: ledger.check_entry_amount(v, "入账金额"),
    "ledger.entry_kind": ledger.entry_kind,
    "funds.check_presale_total": funds.check_presale_total,
    "funds.check_withdrawal_amount": funds.check_withdrawal_amount,
    "funds.check_works_progress": funds.check_works_progress,
    "funds.check_opinion": lambda v: funds.check_opinion(v, required=True),
    "lease.check_deposit_amount": lambda v: lease.check_deposit_amount(v, Decimal("3000.00")),
    "lease.check_bank_account": lease.check_bank_account,
    "lease.check_bank_name": lease.check_bank_name,
    "lease.check_employer": lease.check_employer,
    "lease.check_deposit_method": lease.check_deposit_method,
    "round_setup.money": lambda v: round_setup._money(v, "ROUND_RENT_INVALID", "租金", Decimal(100000)),
    "housing.parse_layout": housing.parse_layout,
    "housing.check_orientation": housing.check_orientation,
    "developers.wan_yuan": lambda v: developers.wan_yuan(v, field="registered_capital", label="注册资本"),
    "developers.check_developer_phone": developers.check_developer_phone,
    "projects.check_area": lambda v: projects.check_area(v, field="land_area", label="用地面积"),
    "units.area": lambda v: units._area(v, "建筑面积"),
    "units.height": lambda v: units._height(v, "层高"),
    "surveys.height": surveys._height,
    "surveys.check_survey_number": surveys.check_survey_number,
    "surveys.check_building_number": surveys.check_building_number,
    "returns.check_reason": returns.check_reason,
    "returns.check_applicant": lambda v: returns.check_applicant(("王小二", "李四"), v),
    "room_numbers.unit_not_found": lambda v: room_numbers.unit_not_found(v, ("5-03", "A01-101"), prefixes=("D004", "A01")),
    "units.check_selection": lambda v: units.check_selection(length=v),
    "pricing.natural": pricing.natural,
    "developers.choice": lambda v: developers._choice(v, ("甲", "乙"), field="kind", label="企业类型", code="KIND_BAD"),
    "developers.purpose": developers._purpose,
    "projects.kind": projects._kind,
    "mortgage.check_mortgage_contract": mortgage.check_mortgage_contract,
    "parties.check_text": lambda v: parties.check_text(v, field="note", label="备注", max_length=200),
    "parties.check_phone": parties.check_phone,
    "parties.check_date": lambda v: parties.check_date(v, field="day", label="日期"),
    "parties.check_notarial_certificate": parties.check_notarial_certificate,
    "parties.coerce_kind": parties.coerce_kind,
    "identity.check_person_name": check_person_name,
    "identity.normalize": normalize,
    "identity.parse_credit_code": parse_credit_code,
    "identity.parse_mobile": parse_mobile,
    "lookup.plan_lookup": plan_lookup,
    "certificates.parse_certificate": lambda v: certificates.parse_certificate(v, today=TODAY),
    "certificates.parse_check_code": certificates.parse_check_code,
    "certificates.parse_unit_number": certificates.parse_unit_number,
    "home_register.area": lambda v: home_register._area(v, field="floor_area", label="建筑面积", required=True),
    "home_register.city_code": home_register.city_code,
    "home_register.parse_co_ownership": lambda v: home_register.parse_co_ownership(v, 2),
    "home_register.parse_mark": home_register.parse_mark,
    "home_register.check_mark_reason": home_register.check_mark_reason,
    "home_register.search_term": lambda v: home_register.search_term(v, today=TODAY),
    "counter_cancellation.proxy_certificate": proxy_certificate,
    # the numbers a record is known by, read from a form's field or a command's argument
    "text.typed_id": lambda v: typed_id(v, code="ID_BAD", message="编号应为数字。", field="id"),
    "projects.check_project_id": projects.check_project_id,
    "projects.project_number": projects.project_number,
    "funds.check_bank_choice": funds.check_bank_choice,
    "funds.agreement_kind": funds.agreement_kind,
    "mortgage.check_loan_bank_choice": mortgage.check_loan_bank_choice,
    "mortgage.check_mortgage_id": mortgage.check_mortgage_id,
    "units.unit_numbers": units.unit_numbers,
    # every field of a unit (户室信息补录 and the survey's batch setting): "[/x]" in 销售单价 once
    # answered 系统错误 (NaN compared with 0 before its finiteness was checked)
    **{f"units.parse_value[{f.key}]": (lambda key: lambda v: units.parse_value(key, v))(f.key) for f in units.FIELDS},
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_a_rule_answers_hostile_text_with_a_value_or_a_refusal(rule: str) -> None:
    check = RULES[rule]
    for value in HOSTILE:
        try:
            check(value)
        except RuleViolation as refusal:
            assert refusal.code and refusal.message, (rule, value[:40])
        except Exception as error:  # noqa: BLE001 - the point: nothing else may come out
            pytest.fail(f"{rule}({value[:40]!r}) raised {type(error).__name__}: {error}"[:300])
