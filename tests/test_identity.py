"""Tests of core.identity: identity-document, credit-code and phone rules."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core import regions
from core.errors import RuleViolation
from core.identity import (
    ID_KIND_LABELS,
    REGION_LABELS,
    USCC_CHARSET,
    CreditCodeFacts,
    IdentityFacts,
    IdKind,
    Region,
    check_char_gb11643,
    check_char_org_code,
    check_char_uscc,
    make_credit_code,
    make_foreign_pr_2023,
    make_hk_macao_permit,
    make_hmt_permit,
    make_mobile,
    make_passport,
    make_resident_id,
    make_resident_id_15,
    make_taiwan_permit,
    mask_id,
    mask_name,
    mask_phone,
    normalize,
    parse_credit_code,
    parse_identity,
    parse_mobile,
)

TODAY = date(2025, 6, 1)
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def refusal(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    return info.value


def assert_one_sentence(err: RuleViolation) -> None:
    assert err.code.isupper() and " " not in err.code
    assert err.message.endswith("。")
    assert err.message.count("。") == 1
    assert "\n" not in err.message
    assert any("\u4e00" <= c <= "\u9fff" for c in err.message)


# --------------------------------------------------------------------------
# Check characters, verified by hand
# --------------------------------------------------------------------------


def test_gb11643_standard_example():
    # The example printed in GB 11643-1999.
    assert check_char_gb11643("11010519491231002") == "X"


def test_gb11643_hand_computed_examples():
    # 4*7+4*9+0*10+3*5+0*8+5*4+1*2+9*1+9*6+0*3+0*7+1*9+0*10+1*5+1*8+2*4+3*2 = 200,
    # 200 % 11 = 2 -> "X".
    assert check_char_gb11643("44030519900101123") == "X"
    # 4*7+2*9+0+1*5+0+6*4+1*2+9*1+8*6+5*3+0+7*9+1*10+5*5+0+0+1*2 = 249,
    # 249 % 11 = 7 -> "5".
    assert check_char_gb11643("42010619850715001") == "5"
    # 8*7+1*9+0+0+0+0+1*2+9*1+9*6+0+0+1*9+0+1*5+0+0+1*2 = 146, 146 % 11 = 3 -> "9".
    assert check_char_gb11643("81000019900101001") == "9"


def test_uscc_check_of_a_published_code():
    # 91350100M000100Y43 is the example code widely used with GB 32100.
    assert check_char_uscc("91350100M000100Y4") == "3"
    # Its organisation code M000100Y4: M=22*3 + 1*5 + Y=34*2 = 139, 139 % 11 = 7,
    # 11 - 7 = 4.
    assert check_char_org_code("M000100Y") == "4"


def test_check_helpers_reject_bad_input_as_programming_errors():
    with pytest.raises(ValueError):
        check_char_gb11643("1234")
    with pytest.raises(ValueError):
        check_char_uscc("91350100M000100YI")  # I is not in the charset
    with pytest.raises(ValueError):
        check_char_gb11643("١١٠١٠٥١٩٤٩١٢٣١٠٠٢")  # Arabic-Indic digits are not ASCII


# --------------------------------------------------------------------------
# Known-good numbers
# --------------------------------------------------------------------------


def test_standard_resident_id():
    facts = parse_identity("11010519491231002X", today=TODAY)
    assert facts == IdentityFacts(
        kind=IdKind.RESIDENT_ID,
        number="11010519491231002X",
        region=Region.MAINLAND,
        birth_date=date(1949, 12, 31),
        sex="女",
        region_code="110105",
        region_name="北京市",
        nationality="CHN",
        upgraded=None,
    )
    assert facts.label == "居民身份证"
    assert facts.region_label == "内地"
    assert facts.to_dict() == {
        "kind": "resident_id",
        "label": "居民身份证",
        "number": "11010519491231002X",
        "region": "mainland",
        "region_label": "内地",
        "birth_date": "1949-12-31",
        "sex": "女",
        "region_code": "110105",
        "region_name": "北京市",
        "nationality": "CHN",
        "upgraded": None,
    }


@pytest.mark.parametrize(
    ("number", "birth", "sex", "name"),
    [
        ("44030519900101123X", date(1990, 1, 1), "男", "广东省深圳市"),
        ("420106198507150015", date(1985, 7, 15), "男", "湖北省武汉市"),
    ],
)
def test_hand_computed_resident_ids(number, birth, sex, name):
    facts = parse_identity(number, "resident_id", today=TODAY)
    assert (facts.birth_date, facts.sex, facts.region_name) == (birth, sex, name)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("110000", "北京市"),
        ("110100", "北京市"),
        ("310115", "上海市"),
        ("500101", "重庆市"),
        ("440100", "广东省广州市"),
        ("440300", "广东省深圳市"),
        ("442000", "广东省中山市"),
        ("420100", "湖北省武汉市"),
        ("330106", "浙江省杭州市"),
        ("650102", "新疆维吾尔自治区乌鲁木齐市"),
        ("429004", "湖北省"),  # county-level city directly under the province
    ],
)
def test_region_names(code, name):
    assert regions.region_name(code) == name
    rng = random.Random(code)
    facts = parse_identity(make_resident_id(rng, region_code=code), today=TODAY)
    assert facts.region_name == name


def test_every_province_and_capital_has_a_name():
    capitals = {
        "13": "1301", "14": "1401", "15": "1501", "21": "2101", "22": "2201", "23": "2301",
        "32": "3201", "33": "3301", "34": "3401", "35": "3501", "36": "3601", "37": "3701",
        "41": "4101", "42": "4201", "43": "4301", "44": "4401", "45": "4501", "46": "4601",
        "51": "5101", "52": "5201", "53": "5301", "54": "5401", "61": "6101", "62": "6201",
        "63": "6301", "64": "6401", "65": "6501",
    }
    expected = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
                "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
                "61", "62", "63", "64", "65"}
    assert set(regions.PROVINCES) == expected
    for province, capital in capitals.items():
        assert capital in regions.PREFECTURES, province
    assert all(code[:2] in regions.PROVINCES for code in regions.PREFECTURES)


def test_legacy_15_digit_id_and_its_upgrade():
    facts = parse_identity("110105491231002", today=TODAY)
    assert facts.kind is IdKind.RESIDENT_ID_15
    assert facts.label == "居民身份证(15位)"
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.sex == "女"
    assert facts.upgraded == "11010519491231002X"
    # Choosing 居民身份证 also accepts the legacy form.
    assert parse_identity("110105491231002", IdKind.RESIDENT_ID, today=TODAY) == facts


def test_hmt_residence_permits():
    hk = parse_identity("810000199001010019", today=TODAY)
    assert hk.kind is IdKind.HMT_RESIDENCE_PERMIT
    assert (hk.region, hk.region_name, hk.region_code) == (Region.HONG_KONG, "香港", "810000")
    assert (hk.birth_date, hk.sex, hk.nationality) == (date(1990, 1, 1), "男", "CHN")
    rng = random.Random(1)
    for region, name in ((Region.MACAO, "澳门"), (Region.TAIWAN, "台湾")):
        facts = parse_identity(make_hmt_permit(rng, region), today=TODAY)
        assert (facts.region, facts.region_name) == (region, name)


def test_hk_macao_travel_permits():
    for number, region in (("H12345678", Region.HONG_KONG), ("m1234567801", Region.MACAO)):
        facts = parse_identity(number, today=TODAY)
        assert facts.kind is IdKind.HK_MACAO_PERMIT
        assert facts.region is region
        assert facts.region_name == REGION_LABELS[region]
        assert facts.birth_date is None and facts.sex is None
    assert parse_identity("h 1234 5678", "hk_macao_permit", today=TODAY).number == "H12345678"


@pytest.mark.parametrize("number", ["12345678", "1234567801", "12345678(B)", "12345678（B）", "F290299977"])
def test_taiwan_travel_permits(number):
    facts = parse_identity(number, IdKind.TAIWAN_PERMIT, today=TODAY)
    assert facts.kind is IdKind.TAIWAN_PERMIT
    assert facts.region is Region.TAIWAN and facts.region_name == "台湾"


def test_taiwan_permit_detected_from_eight_digits():
    assert parse_identity("07257456", today=TODAY).kind is IdKind.TAIWAN_PERMIT


def test_passports():
    cn = parse_identity("E12345678", today=TODAY)
    assert (cn.kind, cn.nationality, cn.region) == (IdKind.PASSPORT, "CHN", Region.MAINLAND)
    assert parse_identity("EA1234567", "passport", today=TODAY).nationality == "CHN"
    us = parse_identity("123456789", "passport", nationality="usa", today=TODAY)
    assert (us.nationality, us.region) == ("USA", Region.FOREIGN)
    # The caller's nationality wins over the Chinese-looking shape.
    assert parse_identity("E12345678", "passport", nationality="SGP", today=TODAY).nationality == "SGP"
    hk = parse_identity("K12345678", "护照", nationality="HKG", today=TODAY)
    assert (hk.region, hk.region_name) == (Region.HONG_KONG, "香港")


def test_foreign_pr_2023():
    rng = random.Random(7)
    number = make_foreign_pr_2023(
        rng, province_code="31", nationality="USA", birth_date=date(1980, 2, 29), sex="女"
    )
    assert number.startswith("93184019800229")
    facts = parse_identity(number, today=TODAY)
    assert facts.kind is IdKind.FOREIGN_PR
    assert (facts.region, facts.nationality, facts.birth_date, facts.sex) == (
        Region.FOREIGN, "USA", date(1980, 2, 29), "女",
    )
    assert (facts.region_code, facts.region_name) == ("310000", "上海市")


def test_foreign_pr_old_form():
    facts = parse_identity("KAZ110090123105", today=TODAY)
    assert facts.kind is IdKind.FOREIGN_PR
    assert (facts.nationality, facts.birth_date, facts.region_name) == ("KAZ", date(1990, 12, 31), "北京市")
    # YYMMDD: the latest century not after today.
    assert parse_identity("USA310015061201", today=TODAY).birth_date == date(2015, 6, 12)
    assert parse_identity("USA310030061201", today=TODAY).birth_date == date(1930, 6, 12)


def test_kind_given_by_code_name_or_label():
    for kind in (IdKind.RESIDENT_ID, "resident_id", "RESIDENT_ID", "居民身份证"):
        assert parse_identity("11010519491231002X", kind, today=TODAY).kind is IdKind.RESIDENT_ID


# --------------------------------------------------------------------------
# Refusals: one per code
# --------------------------------------------------------------------------


BAD_IDENTITIES = [
    # (raw, kind, nationality, code)
    ("", None, None, "ID_EMPTY"),
    ("  \u3000 ", None, None, "ID_EMPTY"),
    (None, None, None, "ID_EMPTY"),
    ("1101051949123100", None, None, "ID_BAD_LENGTH"),
    ("1101051949123100211", None, None, "ID_BAD_LENGTH"),
    ("1101051949123100", IdKind.RESIDENT_ID, None, "ID_BAD_LENGTH"),
    ("1101051949123100", IdKind.RESIDENT_ID_15, None, "ID_BAD_LENGTH"),
    ("1101051949123100X2", None, None, "ID_BAD_CHARS"),
    ("11010519491231002Y", IdKind.RESIDENT_ID, None, "ID_BAD_CHARS"),
    ("11010519491231002X", IdKind.HMT_RESIDENCE_PERMIT, None, "ID_KIND_MISMATCH"),
    ("810000199001010019", IdKind.RESIDENT_ID, None, "ID_KIND_MISMATCH"),
    ("11010519491231002X", IdKind.FOREIGN_PR, None, "ID_KIND_MISMATCH"),
    ("1101054912310A2", IdKind.RESIDENT_ID_15, None, "ID_BAD_CHARS"),
    ("身份证号码", None, None, "ID_BAD_CHARS"),
    ("E1234567😀", None, None, "ID_BAD_CHARS"),
    ("ABCDEFG", None, None, "ID_UNKNOWN_FORMAT"),
    ("123", None, None, "ID_UNKNOWN_FORMAT"),
    ("11010519491231002X", "driving_licence", None, "ID_UNKNOWN_KIND"),
    ("71010519491231002X", None, None, "ID_BAD_REGION"),  # 71 (Taiwan province) never on a mainland ID
    ("990000199001010019", None, None, "ID_BAD_REGION"),
    ("710105491231002", None, None, "ID_BAD_REGION"),
    ("840000199001010015", IdKind.HMT_RESIDENCE_PERMIT, None, "ID_BAD_REGION"),
    ("110105194902300021", None, None, "ID_BAD_BIRTH_DATE"),  # 30 February
    ("110105189912310021", None, None, "ID_BAD_BIRTH_DATE"),  # before 1900
    ("110105491331002", None, None, "ID_BAD_BIRTH_DATE"),  # month 13
    ("110105203001010021", None, None, "ID_FUTURE_BIRTH_DATE"),
    ("110105194912310021", None, None, "ID_BAD_CHECK_DIGIT"),
    ("810000199001010018", None, None, "ID_BAD_CHECK_DIGIT"),
    ("passport!", IdKind.PASSPORT, None, "PASSPORT_BAD_FORMAT"),
    ("ABCDEFGH", IdKind.PASSPORT, "USA", "PASSPORT_BAD_FORMAT"),  # no digit
    ("1234", IdKind.PASSPORT, "USA", "PASSPORT_BAD_FORMAT"),  # too short
    ("123456789", IdKind.PASSPORT, None, "PASSPORT_NATIONALITY_REQUIRED"),
    ("X1234567", None, None, "PASSPORT_NATIONALITY_REQUIRED"),
    ("123456789", IdKind.PASSPORT, "ZZZ", "PASSPORT_BAD_NATIONALITY"),
    ("A12345678", IdKind.HK_MACAO_PERMIT, None, "PERMIT_BAD_FORMAT"),
    ("H1234567", IdKind.HK_MACAO_PERMIT, None, "PERMIT_BAD_FORMAT"),
    ("1234567", IdKind.TAIWAN_PERMIT, None, "PERMIT_BAD_FORMAT"),
    ("USA12345", IdKind.FOREIGN_PR, None, "FPR_BAD_FORMAT"),
    ("ZZZ110090123105", None, None, "FPR_BAD_NATIONALITY"),
    ("KAZ990090123105", None, None, "ID_BAD_REGION"),
    ("KAZ110090023105", None, None, "ID_BAD_BIRTH_DATE"),
    ("12345678", IdKind.RESIDENT_ID, None, "ID_BAD_LENGTH"),
    (1234, None, None, "ID_UNKNOWN_FORMAT"),  # an int is read as its digits
    (b"11010519491231002X", None, None, "INPUT_NOT_TEXT"),
    ("1" * 5000, None, None, "INPUT_TOO_LONG"),
]


@pytest.mark.parametrize(("raw", "kind", "nationality", "code"), BAD_IDENTITIES)
def test_identity_refusals(raw, kind, nationality, code):
    err = refusal(parse_identity, raw, kind, today=TODAY, nationality=nationality)
    assert err.code == code, err.message
    assert_one_sentence(err)
    assert err.field in ("id_number", "nationality", "id_kind")
    assert err.to_dict() == {"code": err.code, "message": err.message, "field": err.field}


def test_future_check_uses_today_parameter():
    number = make_resident_id(random.Random(3), birth_date=date(2025, 6, 2))
    assert refusal(parse_identity, number, today=TODAY).code == "ID_FUTURE_BIRTH_DATE"
    assert parse_identity(number, today=date(2025, 6, 2)).birth_date == date(2025, 6, 2)


def test_foreign_pr_future_birth_date():
    number = make_foreign_pr_2023(random.Random(5), birth_date=date(2025, 7, 1))
    assert refusal(parse_identity, number, today=TODAY).code == "ID_FUTURE_BIRTH_DATE"


def test_check_digit_message_text():
    err = refusal(parse_identity, "110105194912310021", today=TODAY)
    assert err.message == "身份证号码校验位不正确，请核对后重新输入。"
    assert err.field == "id_number"


BAD_CREDIT_CODES = [
    ("", "USCC_EMPTY"),
    ("91350100M000100Y4", "USCC_BAD_LENGTH"),
    ("91350100M000100Y433", "USCC_BAD_LENGTH"),
    ("91350100M000100YO3", "USCC_BAD_CHARS"),  # letter O
    ("91350100M0001I0Y43", "USCC_BAD_CHARS"),  # letter I
    ("913501O0M000100Y43", "USCC_BAD_CHARS"),
    ("91990100M000100Y4X", "USCC_BAD_REGION"),
    ("9135A100M000100Y43", "USCC_BAD_REGION"),
    ("91350100M000100Y44", "USCC_BAD_CHECK_CHAR"),
    (None, "USCC_EMPTY"),
]


@pytest.mark.parametrize(("raw", "code"), BAD_CREDIT_CODES)
def test_credit_code_refusals(raw, code):
    err = refusal(parse_credit_code, raw)
    assert err.code == code
    assert err.field == "credit_code"
    assert_one_sentence(err)


def test_credit_code_facts():
    facts = parse_credit_code(" 9135 0100-m000 100y43 ")
    assert facts == CreditCodeFacts(
        code="91350100M000100Y43",
        region_code="350100",
        region_name="福建省福州市",
        registration_authority="工商",
        category="企业",
        organization_code="M000100Y4",
        organization_code_checks=True,
    )
    assert facts.to_dict()["region_name"] == "福建省福州市"


def test_credit_code_for_central_organisation():
    first17 = "11100000" + "00001234" + check_char_org_code("00001234")
    facts = parse_credit_code(first17 + check_char_uscc(first17))
    assert (facts.region_name, facts.registration_authority, facts.category) == ("中央", "机构编制", "机关")


# --------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "0086 13812345678",
        "(+86) 138-1234-5678",
        "１３８１２３４５６７８",
        "＋８６　１３８　１２３４　５６７８",
    ],
)
def test_mobile_forms(raw):
    assert parse_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "PHONE_EMPTY"),
        ("   ", "PHONE_EMPTY"),
        ("12812345678", "PHONE_BAD_FORMAT"),  # second digit 2
        ("1381234567", "PHONE_BAD_FORMAT"),
        ("138123456789", "PHONE_BAD_FORMAT"),
        ("+1 138 1234 5678", "PHONE_BAD_FORMAT"),
        ("010-12345678", "PHONE_BAD_FORMAT"),
        ("1381234567a", "PHONE_BAD_FORMAT"),
        ("١٣٨١٢٣٤٥٦٧٨", "PHONE_BAD_FORMAT"),  # non-ASCII digits
    ],
)
def test_mobile_refusals(raw, code):
    err = refusal(parse_mobile, raw)
    assert err.code == code
    assert err.field == "phone"
    assert_one_sentence(err)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_generated_mobiles_parse(rng):
    number = make_mobile(rng)
    assert len(number) == 11
    assert parse_mobile(number) == number
    assert parse_mobile("+86 " + number[:3] + " " + number[3:7] + " " + number[7:]) == number


# --------------------------------------------------------------------------
# Ages
# --------------------------------------------------------------------------


def test_age_and_minor():
    facts = parse_identity(make_resident_id(random.Random(9), birth_date=date(2007, 6, 2)), today=TODAY)
    assert facts.age_on(date(2025, 6, 1)) == 17
    assert facts.is_minor_on(date(2025, 6, 1)) is True
    assert facts.age_on(date(2025, 6, 2)) == 18
    assert facts.is_minor_on(date(2025, 6, 2)) is False
    assert facts.age_on(date(2000, 1, 1)) is None
    leap = parse_identity(make_resident_id(random.Random(9), birth_date=date(2004, 2, 29)), today=TODAY)
    assert leap.age_on(date(2022, 2, 28)) == 17
    assert leap.age_on(date(2022, 3, 1)) == 18
    permit = parse_identity("H12345678", today=TODAY)
    assert permit.age_on(TODAY) is None and permit.is_minor_on(TODAY) is None


# --------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------


def test_masking_examples():
    assert mask_id("44030519900101123X") == "440305********123X"
    assert mask_id("110105491231002") == "110105******002"
    assert mask_id("KAZ110090123105") == "KAZ**********05"
    assert mask_id("H12345678") == "H1*****78"
    assert mask_id("12345678") == "12****78"
    assert mask_id("") == ""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("王小明") == "王**"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("欧阳") == "欧*"
    assert mask_name("John Smith") == "J*** Smith"
    assert mask_name("买买提·艾力") == "买**·**"
    assert mask_name("") == ""


@SETTINGS
@given(
    st.randoms(use_true_random=False),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
)
def test_mask_id_hides_birth_date(rng, born):
    for number in (
        make_resident_id(rng, birth_date=born),
        make_hmt_permit(rng, Region.TAIWAN, birth_date=born),
        make_foreign_pr_2023(rng, birth_date=born),
    ):
        masked = mask_id(number)
        assert len(masked) == len(number)
        assert f"{born:%Y%m%d}" not in masked
        assert masked[6:14] == "*" * 8
        assert masked[:6] == number[:6] and masked[-4:] == number[-4:]


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_mask_phone_hides_middle_four(rng):
    number = make_mobile(rng)
    masked = mask_phone(number)
    assert len(masked) == 11
    assert masked == number[:3] + "****" + number[7:]


@SETTINGS
@given(st.text(max_size=40))
def test_masking_never_raises_and_keeps_length(text):
    masked = mask_id(text)
    assert len(masked) == len(normalize(text))
    mask_phone(text)
    assert len(mask_name(text)) == len(" ".join(text.split()))


# --------------------------------------------------------------------------
# Properties of generated numbers
# --------------------------------------------------------------------------

REGION_CODES = st.builds(
    lambda prefix, county: f"{prefix}{county:02d}",
    st.sampled_from(sorted(regions.PREFECTURES) + ["1101", "3101", "5001"]),
    st.integers(1, 99),
)
BIRTHS = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
SEXES = st.sampled_from(["男", "女"])


@SETTINGS
@given(st.randoms(use_true_random=False), REGION_CODES, BIRTHS, SEXES)
def test_generated_resident_ids_round_trip(rng, region_code, born, sex):
    number = make_resident_id(rng, region_code=region_code, birth_date=born, sex=sex)
    for kind in (None, IdKind.RESIDENT_ID):
        facts = parse_identity(number, kind, today=TODAY)
        assert facts.kind is IdKind.RESIDENT_ID
        assert facts.number == number
        assert (facts.birth_date, facts.sex, facts.region_code) == (born, sex, region_code)
        assert facts.region is Region.MAINLAND and facts.nationality == "CHN"
        assert facts.region_name.startswith(regions.PROVINCES[region_code[:2]])


@SETTINGS
@given(
    st.randoms(use_true_random=False),
    REGION_CODES,
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    SEXES,
)
def test_generated_legacy_ids_round_trip_and_upgrade(rng, region_code, born, sex):
    number = make_resident_id_15(rng, region_code=region_code, birth_date=born, sex=sex)
    facts = parse_identity(number, today=TODAY)
    assert facts.kind is IdKind.RESIDENT_ID_15
    assert (facts.birth_date, facts.sex, facts.region_code) == (born, sex, region_code)
    upgraded = parse_identity(facts.upgraded, today=TODAY)
    assert upgraded.kind is IdKind.RESIDENT_ID
    assert (upgraded.birth_date, upgraded.sex, upgraded.region_code) == (born, sex, region_code)
    assert upgraded.number[:6] + upgraded.number[8:17] == number


@SETTINGS
@given(
    st.randoms(use_true_random=False),
    st.sampled_from([Region.HONG_KONG, Region.MACAO, Region.TAIWAN]),
    BIRTHS,
    SEXES,
)
def test_generated_hmt_permits_round_trip(rng, region, born, sex):
    number = make_hmt_permit(rng, region, birth_date=born, sex=sex)
    for kind in (None, IdKind.HMT_RESIDENCE_PERMIT):
        facts = parse_identity(number, kind, today=TODAY)
        assert facts.kind is IdKind.HMT_RESIDENCE_PERMIT
        assert (facts.region, facts.birth_date, facts.sex) == (region, born, sex)
        assert facts.region_name == REGION_LABELS[region]


@SETTINGS
@given(
    st.randoms(use_true_random=False),
    st.sampled_from(sorted(regions.PROVINCES)),
    st.sampled_from(sorted(set(regions.COUNTRY_NUMERIC) - {"CHN"})),
    BIRTHS,
    SEXES,
)
def test_generated_foreign_pr_round_trip(rng, province, nationality, born, sex):
    number = make_foreign_pr_2023(
        rng, province_code=province, nationality=nationality, birth_date=born, sex=sex
    )
    for kind in (None, IdKind.FOREIGN_PR):
        facts = parse_identity(number, kind, today=TODAY)
        assert facts.kind is IdKind.FOREIGN_PR and facts.region is Region.FOREIGN
        assert (facts.nationality, facts.birth_date, facts.sex) == (nationality, born, sex)
        assert facts.region_code == province + "0000"


@SETTINGS
@given(st.randoms(use_true_random=False), REGION_CODES)
def test_generated_credit_codes_round_trip(rng, region_code):
    code = make_credit_code(rng, region_code=region_code)
    facts = parse_credit_code(code)
    assert facts.code == code
    assert facts.region_code == region_code
    assert facts.region_name.startswith(regions.PROVINCES[region_code[:2]])
    assert facts.organization_code_checks is True
    assert facts.registration_authority in {"工商", "机构编制", "民政", "其他"}


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_other_generators_parse(rng):
    assert parse_identity(make_hk_macao_permit(rng, Region.MACAO), today=TODAY).region is Region.MACAO
    assert parse_identity(make_taiwan_permit(rng), today=TODAY).kind is IdKind.TAIWAN_PERMIT
    assert parse_identity(make_passport(rng), today=TODAY).nationality == "CHN"


def test_generators_are_deterministic():
    for make in (make_resident_id, make_resident_id_15, make_foreign_pr_2023, make_credit_code, make_mobile):
        assert make(random.Random(42)) == make(random.Random(42))
    assert make_hmt_permit(random.Random(42), Region.HONG_KONG) == make_hmt_permit(
        random.Random(42), Region.HONG_KONG
    )


def test_generators_refuse_bad_arguments():
    rng = random.Random(0)
    with pytest.raises(ValueError):
        make_resident_id(rng, region_code="990000")
    with pytest.raises(ValueError):
        make_resident_id(rng, sex="X")
    with pytest.raises(ValueError):
        make_hmt_permit(rng, Region.MAINLAND)
    with pytest.raises(ValueError):
        make_foreign_pr_2023(rng, nationality="ZZZ")


# A generated 18-character number of any kind, with the kind to choose for it.
EIGHTEEN = st.one_of(
    st.builds(lambda r, b: (make_resident_id(r, birth_date=b), IdKind.RESIDENT_ID),
              st.randoms(use_true_random=False), BIRTHS),
    st.builds(lambda r, g, b: (make_hmt_permit(r, g, birth_date=b), IdKind.HMT_RESIDENCE_PERMIT),
              st.randoms(use_true_random=False),
              st.sampled_from([Region.HONG_KONG, Region.MACAO, Region.TAIWAN]), BIRTHS),
    st.builds(lambda r, b: (make_foreign_pr_2023(r, birth_date=b), IdKind.FOREIGN_PR),
              st.randoms(use_true_random=False), BIRTHS),
)
ID_ALPHABET = "0123456789X"


@SETTINGS
@given(EIGHTEEN, st.integers(0, 17), st.sampled_from(ID_ALPHABET))
def test_any_single_substitution_is_refused(item, position, replacement):
    number, kind = item
    assume(number[position] != replacement)
    changed = number[:position] + replacement + number[position + 1:]
    for chosen in (None, kind):
        with pytest.raises(RuleViolation):
            parse_identity(changed, chosen, today=TODAY)


@SETTINGS
@given(EIGHTEEN, st.integers(0, 16))
def test_any_adjacent_swap_is_refused(item, position):
    number, kind = item
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2:]
    for chosen in (None, kind):
        with pytest.raises(RuleViolation):
            parse_identity(swapped, chosen, today=TODAY)


@SETTINGS
@given(st.randoms(use_true_random=False), st.integers(0, 17), st.sampled_from(USCC_CHARSET))
def test_any_single_substitution_in_credit_code_is_refused(rng, position, replacement):
    code = make_credit_code(rng)
    assume(code[position] != replacement)
    with pytest.raises(RuleViolation):
        parse_credit_code(code[:position] + replacement + code[position + 1:])


@SETTINGS
@given(st.randoms(use_true_random=False), st.integers(0, 16))
def test_any_adjacent_swap_in_credit_code_is_refused(rng, position):
    code = make_credit_code(rng)
    assume(code[position] != code[position + 1])
    with pytest.raises(RuleViolation):
        parse_credit_code(code[:position] + code[position + 1] + code[position] + code[position + 2:])


def _ime_form(text: str, data) -> str:
    """Type ``text`` the way an input method might: full-width, spaced, lower-case."""
    out = []
    for ch in text:
        if data.draw(st.booleans(), label="full-width"):
            ch = chr(ord(ch) + 0xFEE0)
        elif ch.isalpha() and data.draw(st.booleans(), label="lower"):
            ch = ch.lower()
        out.append(ch)
        if data.draw(st.integers(0, 4), label="gap") == 0:
            out.append(data.draw(st.sampled_from([" ", "\u3000", "-", "\t", "－"]), label="sep"))
    return "".join(out)


@SETTINGS
@given(EIGHTEEN, st.data())
def test_ime_forms_give_the_same_facts(item, data):
    number, kind = item
    typed = _ime_form(number, data)
    assert parse_identity(typed, today=TODAY) == parse_identity(number, today=TODAY)
    assert parse_identity(typed, kind, today=TODAY).number == number


@SETTINGS
@given(st.randoms(use_true_random=False), st.data())
def test_ime_forms_of_credit_codes_and_phones(rng, data):
    code = make_credit_code(rng)
    assert parse_credit_code(_ime_form(code, data)) == parse_credit_code(code)
    mobile = make_mobile(rng)
    assert parse_mobile(_ime_form(mobile, data)) == mobile


def test_lower_case_x_and_ideographic_space():
    assert parse_identity("110105\u30001949 1231 002x", today=TODAY).number == "11010519491231002X"


# --------------------------------------------------------------------------
# Never anything but RuleViolation
# --------------------------------------------------------------------------

KINDS = st.sampled_from([None, *IdKind, "unknown", "护照"])
NATIONALITIES = st.sampled_from([None, "USA", "chn", "", "ZZZ", "😀"])
ID_LIKE_TEXT = st.text(alphabet="0123456789XxHMEK()（） -\u3000０９ｘ😀\x00", max_size=24)


def _only_rule_violations(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except RuleViolation as err:
        assert_one_sentence(err)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), ID_LIKE_TEXT), KINDS, NATIONALITIES)
def test_parse_identity_only_raises_rule_violations(text, kind, nationality):
    _only_rule_violations(parse_identity, text, kind, today=TODAY, nationality=nationality)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), ID_LIKE_TEXT, st.text(alphabet=USCC_CHARSET, min_size=18, max_size=18)))
def test_credit_code_and_mobile_only_raise_rule_violations(text):
    _only_rule_violations(parse_credit_code, text)
    _only_rule_violations(parse_mobile, text)


def test_labels_cover_every_kind_and_region():
    assert set(ID_KIND_LABELS) == set(IdKind)
    assert set(REGION_LABELS) == set(Region)
    assert REGION_LABELS[Region.FOREIGN] == "外籍"
