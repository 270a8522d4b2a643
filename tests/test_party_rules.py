"""The register's rules, pure (core.parties) and the 港澳居民身份证 of core.identity."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import RuleViolation
from core.identity import (
    IdKind,
    Region,
    check_char_hkid,
    make_credit_code,
    make_hk_id,
    make_resident_id,
    mask_id,
    parse_identity,
)
from core.parties import (
    KIND_CHOICES,
    OrgEntry,
    PartyInvalid,
    PersonEntry,
    check_id_change,
    check_notarial_certificate,
    check_organisation,
    check_period,
    check_person,
    check_text,
    coerce_kind,
    decode_register_file,
    parse_register_csv,
)

TODAY = date(2026, 12, 7)
ADULT = make_resident_id(random.Random(1), birth_date=date(1980, 5, 17))
CHILD = make_resident_id(random.Random(2), birth_date=date(2019, 5, 17))
TEEN = make_resident_id(random.Random(3), birth_date=date(2012, 5, 17))
USCC = make_credit_code(random.Random(4))


def _codes(call) -> list[tuple[str, str | None]]:
    with pytest.raises(RuleViolation) as e:
        call()
    errors = e.value.errors if isinstance(e.value, PartyInvalid) else (e.value,)
    for err in errors:
        assert err.message.count("。") == 1 and err.message.endswith("。"), err.message
    return [(err.code, err.field) for err in errors]


# ---------------------------------------------------------------- 港澳居民身份证


@pytest.mark.parametrize("typed,kept,region", [
    ("A123456(3)", "A123456(3)", Region.HONG_KONG),  # the commonly published example
    ("a1234563", "A123456(3)", Region.HONG_KONG),
    ("Ａ１２３４５６（３）", "A123456(3)", Region.HONG_KONG),  # full-width, as an IME types it
    ("1234567(8)", "1234567(8)", Region.MACAO),
    ("51234568", "5123456(8)", Region.MACAO),
])
def test_hong_kong_and_macao_identity_cards(typed, kept, region):
    facts = parse_identity(typed, IdKind.HK_MACAO_ID, today=TODAY)
    assert (facts.number, facts.region, facts.label) == (kept, region, "港澳居民身份证")
    assert facts.birth_date is None and facts.nationality == "CHN"


def test_hong_kong_check_character():
    assert check_char_hkid("A123456") == "3"
    assert check_char_hkid("AB987654") == "3"
    with pytest.raises(ValueError):
        check_char_hkid("A12345")


@pytest.mark.parametrize("typed,code", [
    ("A123456(4)", "ID_BAD_CHECK_DIGIT"),
    ("A12345(3)", "HKMO_ID_BAD_FORMAT"),
    ("2234567(8)", "HKMO_ID_BAD_FORMAT"),  # Macao cards start with 1, 5 or 7
    ("ABC123456(3)", "HKMO_ID_BAD_FORMAT"),
    ("😀", "HKMO_ID_BAD_FORMAT"),
    ("", "ID_EMPTY"),
])
def test_bad_hong_kong_and_macao_cards_are_refused(typed, code):
    assert _codes(lambda: parse_identity(typed, IdKind.HK_MACAO_ID, today=TODAY)) == [(code, "id_number")]


def test_the_bracketed_form_is_recognised_without_a_kind():
    assert parse_identity("A123456(3)", today=TODAY).kind is IdKind.HK_MACAO_ID
    # without brackets eight characters are as much a passport's or a 台胞证's
    assert parse_identity("12345678", today=TODAY).kind is IdKind.TAIWAN_PERMIT


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_every_generated_hong_kong_card_parses_and_masks_keeping_its_length(seed):
    number = make_hk_id(random.Random(seed))
    facts = parse_identity(number, IdKind.HK_MACAO_ID, today=TODAY)
    assert facts.number == number
    assert len(mask_id(number)) == len(number) and "*" in mask_id(number)
    wrong = number[:-2] + ("0" if number[-2] != "0" else "1") + ")"
    assert _codes(lambda: parse_identity(wrong, IdKind.HK_MACAO_ID, today=TODAY))[0][0] in (
        "ID_BAD_CHECK_DIGIT",)


# ---------------------------------------------------------------- persons


def test_a_person_is_kept_normalised():
    record = check_person(PersonEntry(name=" 王 小明 ", id_number=ADULT.lower(), phone="+86 138-0013-8000",
                                      address="  深圳市  福田区 "), today=TODAY)
    assert (record.name, record.id_number, record.id_kind, record.region) == ("王小明", ADULT, "resident_id", "mainland")
    assert (record.phone, record.address, record.capacity, record.sex) == ("13800138000", "深圳市 福田区", "full", "男" if int(ADULT[16]) % 2 else "女")
    assert record.birth_date == date(1980, 5, 17)


def test_every_bad_value_of_a_person_is_refused_at_once():
    errors = _codes(lambda: check_person(PersonEntry(
        name="王😀", id_number=ADULT[:-1] + ("0" if ADULT[-1] != "0" else "1"), phone="123",
        address="x" * 201, capacity="??"), today=TODAY))
    assert errors == [("NAME_BAD_CHARACTERS", "name"), ("ID_BAD_CHECK_DIGIT", "id_number"),
                      ("PHONE_BAD_FORMAT", "phone"), ("TEXT_TOO_LONG", "address"),
                      ("PERSON_BAD_CAPACITY", "capacity")]


@pytest.mark.parametrize("kind,number,nationality,region", [
    ("1", ADULT, None, "mainland"),
    ("港澳居民来往内地通行证", "H12345678", None, "hong_kong"),
    ("taiwan_permit", "12345678", None, "taiwan"),
    ("4", "P1234567", "GBR", "foreign"),
    ("7", "A123456(3)", None, "hong_kong"),
    (None, "M1234567(8)"[1:], None, "macao"),
])
def test_every_kind_of_the_seeds_can_be_registered(kind, number, nationality, region):
    record = check_person(PersonEntry(name="陈大文", id_number=number, id_kind=kind, nationality=nationality),
                          today=TODAY)
    assert record.region == region


def test_kind_choices_number_every_kind_once():
    assert sorted(KIND_CHOICES) == sorted(IdKind)
    assert coerce_kind("7") is IdKind.HK_MACAO_ID and coerce_kind("港澳居民身份证") is IdKind.HK_MACAO_ID
    assert coerce_kind(" ") is None
    assert _codes(lambda: coerce_kind("9")) == [("ID_UNKNOWN_KIND", "id_kind")]


def test_a_foreign_passport_needs_its_nationality():
    assert _codes(lambda: check_person(PersonEntry(name="John Smith", id_number="P1234567", id_kind="passport"),
                                       today=TODAY)) == [("PASSPORT_NATIONALITY_REQUIRED", "nationality")]


def test_capacity_follows_the_age_unless_chosen():
    assert check_person(PersonEntry(name="王小", id_number=CHILD), today=TODAY).capacity == "none"
    assert check_person(PersonEntry(name="王小", id_number=TEEN), today=TODAY).capacity == "limited"
    assert _codes(lambda: check_person(PersonEntry(name="王小", id_number=TEEN, capacity="full"), today=TODAY)) == [
        ("PERSON_CAPACITY_MINOR", "capacity")]
    assert check_person(PersonEntry(name="王大", id_number=ADULT, capacity="限制民事行为能力"),
                        today=TODAY).capacity == "limited"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=40), st.one_of(st.none(), st.text(max_size=20)))
def test_any_text_is_a_person_or_refusals_in_one_sentence(name, number, phone):
    try:
        check_person(PersonEntry(name=name, id_number=number, phone=phone), today=TODAY)
    except RuleViolation as e:
        errors = e.errors if isinstance(e, PartyInvalid) else (e,)
        assert all(err.code.isupper() and err.message.count("。") == 1 for err in errors)


# ---------------------------------------------------------------- organisations


def test_an_organisation_with_its_credit_code_and_legal_representative():
    record = check_organisation(OrgEntry(name="深圳市某某房地产有限公司", credit_code=USCC.lower(), legal_rep_name="张三"))
    assert (record.credit_code, record.legal_rep_name) == (USCC, "张三")


def test_a_bad_organisation_is_refused_field_by_field():
    bad = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    assert _codes(lambda: check_organisation(OrgEntry(name="12345", credit_code=bad, legal_rep_name="[/x]"))) == [
        ("ORG_NAME_BAD", "name"), ("USCC_BAD_CHECK_CHAR", "credit_code"), ("NAME_BAD_CHARACTERS", "legal_rep_name")]
    assert _codes(lambda: check_organisation(OrgEntry(name=" ", credit_code="", legal_rep_name=""))) == [
        ("ORG_NAME_EMPTY", "name"), ("USCC_EMPTY", "credit_code"), ("NAME_EMPTY", "legal_rep_name")]


# ---------------------------------------------------------------- periods, certificates, text


def test_an_authorisation_period():
    assert check_period("2026-12-01", "２０２７－１１－３０", today=TODAY, what="授权") == (date(2026, 12, 1), date(2027, 11, 30))
    assert check_period("20270101", "2027/12/31", today=TODAY, what="授权") == (date(2027, 1, 1), date(2027, 12, 31))
    assert _codes(lambda: check_period("2027-02-30", "", today=TODAY, what="授权")) == [
        ("DATE_BAD", "valid_from"), ("DATE_EMPTY", "valid_to")]
    assert _codes(lambda: check_period("2027-01-02", "2027-01-01", today=TODAY, what="授权")) == [
        ("PERIOD_REVERSED", "valid_to")]
    assert _codes(lambda: check_period("2025-01-01", "2026-12-06", today=TODAY, what="委托")) == [
        ("PERIOD_ENDED", "valid_to")]


def test_a_notarial_certificate_number():
    assert check_notarial_certificate("（2026）粤深南证字第1234号") == "(2026)粤深南证字第1234号"  # one form: matched on
    assert _codes(lambda: check_notarial_certificate("")) == [("NOTARIAL_EMPTY", "notarial_certificate")]
    assert _codes(lambda: check_notarial_certificate("公证书")) == [("NOTARIAL_BAD", "notarial_certificate")]


@pytest.mark.parametrize("typed,code", [
    ("a\nb", "TEXT_BAD_CHARACTERS"), ("\x1b[2J", "TEXT_BAD_CHARACTERS"), ("😀", "TEXT_BAD_CHARACTERS"),
    ("\u202egnp", "TEXT_BAD_CHARACTERS"), ("字" * 10000, "TEXT_TOO_LONG"), (12, "INPUT_NOT_TEXT"),
])
def test_free_text_refusals(typed, code):
    assert _codes(lambda: check_text(typed, field="address", label="住址", max_length=200)) == [(code, "address")]


def test_markup_is_kept_as_text():
    assert check_text("[/x] 福田区", field="address", label="住址", max_length=200) == "[/x] 福田区"


@pytest.mark.parametrize("typed,kept", [
    ("经审核，同意。", "经审核，同意。"),  # Chinese punctuation as typed, never ASCII
    ("福田区（香蜜湖）：８９．５㎡；余下…", "福田区（香蜜湖）：89.5㎡；余下…"),  # ８９．５ folded, ㎡ and the rest kept
    ("Ａ－１栋，１／２", "A-1栋，1/2"),
    ("ＡＢ栋　１２０３室", "AB栋 1203室"),  # full-width letters, digits, the ideographic space
    ("豈区", "豈区"),  # a compatibility ideograph as its unified form
])
def test_free_text_folds_width_but_keeps_chinese_punctuation(typed, kept):
    assert check_text(typed, field="note", label="备注", max_length=200) == kept


def test_an_id_change_needs_its_material():
    record = check_id_change(new_kind="7", new_number="A123456(3)", proof="公安机关出具的证明", today=TODAY)
    assert record.facts.number == "A123456(3)" and record.new_name is None
    assert _codes(lambda: check_id_change(new_kind=None, new_number="", proof=" ", today=TODAY)) == [
        ("ID_EMPTY", "id_number"), ("ID_CHANGE_PROOF_EMPTY", "proof")]


# ---------------------------------------------------------------- the register file


HEADER = "类型,姓名或名称,证件类型,证件号码,国籍,手机号,住址,行为能力,法定代表人\n"


def test_a_clean_register_file():
    text = HEADER + f"个人,王小明,,{ADULT},,13800138000,深圳,,\n\n单位,某某有限公司,,{USCC},,,,,张三\n个人,陈大文,7,A123456(3),,,,,\n"
    parsed = parse_register_csv(text, today=TODAY)
    assert parsed.errors == []
    assert [row for row, _ in parsed.persons] == [2, 5] and [row for row, _ in parsed.organisations] == [4]


def test_every_bad_row_is_reported_with_its_row_and_field():
    text = HEADER + (f"个人,王😀,,{ADULT},,,,,\n"
                     f"单位,某某公司,,{USCC[:-1]}0,,,,,\n"
                     f"其他,某,,1,,,,,\n"
                     f"个人,王小明,,{ADULT},,,,,\n"
                     f"个人,王小明,,{ADULT.lower()},,,,,\n"
                     f"个人,李四,,{TEEN},,１２３,,完全民事行为能力,,多余\n")
    parsed = parse_register_csv(text, today=TODAY)
    got = [(e.row, e.field, e.code) for e in parsed.errors]
    expected_org = [] if USCC[-1] == "0" else [(3, "证件号码", "USCC_BAD_CHECK_CHAR")]
    assert got == [(2, "姓名或名称", "NAME_BAD_CHARACTERS"), *expected_org, (3, "法定代表人", "NAME_EMPTY"),
                   (4, "类型", "PARTY_BAD_TYPE"), (6, "证件号码", "CSV_DUPLICATE_IN_FILE"), (7, "整行", "CSV_EXTRA_CELLS")]
    assert parsed.errors[0].text().startswith("第2行【姓名或名称】")


def test_a_file_without_the_needed_columns_or_unreadable():
    parsed = parse_register_csv("姓名,电话号码\n王小明,1\n", today=TODAY)
    assert [e.code for e in parsed.errors] == ["CSV_UNKNOWN_COLUMN", "CSV_MISSING_COLUMN", "CSV_MISSING_COLUMN"]
    assert [e.code for e in parse_register_csv("", today=TODAY).errors] == ["CSV_EMPTY"]
    assert [e.code for e in parse_register_csv('类型,"姓名\n', today=TODAY).errors] == ["CSV_BAD_FORMAT"]
    # a column given twice would have read its second cell silently
    twice = parse_register_csv("类型,姓名,证件号码,证件号码\n个人,王小明,1,2\n", today=TODAY)
    assert [e.code for e in twice.errors] == ["CSV_DUPLICATE_COLUMN"] and twice.persons == []
    assert decode_register_file(HEADER.encode("gb18030")) == HEADER
    assert decode_register_file(b"\xef\xbb\xbf" + HEADER.encode()) == HEADER
    assert _codes(lambda: decode_register_file(b"a\x00b")) == [("CSV_BAD_FORMAT", "file")]
