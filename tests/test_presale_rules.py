"""The presale rules, pure (core.presale): enterprises, banks, projects and certificates, the
survey file, selecting units, batch setting, quick pricing, the check grid, the unit mapping
and the survey cases' preconditions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.cases import CaseState, CaseStatus
from core.errors import RuleViolation
from core.parties import PartyInvalid
from core.presale import developers as dev_rules
from core.presale.developers import BankEntry, check_bank, check_developer, check_may_work, owns
from core.presale.mapping import default_links, summarise
from core.presale.pricing import check_price_rule, floors_between, price_grid, quick_prices
from core.presale.projects import CertificateEntry, ProjectEntry, check_certificate, check_project, missing_certificates
from core.presale.survey_file import parse_survey_csv
from core.presale.surveys import BuildingInfo, check_building_info, check_stage, check_start, check_submission, \
    check_survey_number
from core.presale.units import (
    UnitFacts,
    changed_fields,
    check_batch,
    check_selection,
    parse_batch_values,
    parse_value,
    select_units,
    show_value,
)
from core.roles import Actor, Role
from tests.presale_support import ACTUAL, PREDICTED, enterprise_code, entry, survey_csv

TODAY = date(2026, 12, 7)


def _codes(exc: PartyInvalid) -> set[str]:
    return {e.code for e in exc.errors}


# ------------------------------------------------------------------ enterprises


def test_an_enterprise_is_checked_and_its_capitals_kept_exactly_in_yuan():
    record = check_developer(entry(enterprise_code(1), registered_capital="100", paid_in_capital="12.345678",
                                   established_on="2009-09-05", taxpayer_number=enterprise_code(1).lower()),
                             today=TODAY)
    assert record.registered_capital == Decimal("1000000.00")
    assert record.paid_in_capital == Decimal("123456.78")
    assert record.legal_rep_id_kind == "resident_id" and record.legal_rep_phone == "15211111111"
    assert record.taxpayer_number == enterprise_code(1) and record.status == "normal" and record.valid
    assert record.established_on == date(2009, 9, 5)


def test_every_bad_value_of_an_enterprise_is_refused_at_once():
    with pytest.raises(PartyInvalid) as refused:
        check_developer(entry("91430800MA4L0XXX1A", name="123", kind="合伙", legal_rep_id_number="110101199003074250",
                              legal_rep_phone="12345", region="", registered_capital="1", paid_in_capital="2",
                              established_on="2099-01-01", licence_number="abc"), today=TODAY)
    assert _codes(refused.value) >= {"USCC_BAD_CHECK_CHAR", "DEVELOPER_NAME_BAD", "DEVELOPER_KIND_BAD",
                                     "ID_BAD_CHECK_DIGIT", "PHONE_BAD_FORMAT", "DEVELOPER_REGION_EMPTY",
                                     "CAPITAL_PAID_ABOVE_REGISTERED", "DEVELOPER_ESTABLISHED_FUTURE",
                                     "DEVELOPER_NUMBER_BAD"}
    assert all(e.message.endswith("。") for e in refused.value.errors)


def test_a_development_enterprise_has_an_enterprise_credit_code():
    code = enterprise_code(2)
    social = "51" + code[2:17]
    from core.identity import check_char_uscc

    with pytest.raises(PartyInvalid) as refused:
        check_developer(entry(social + check_char_uscc(social)), today=TODAY)
    assert _codes(refused.value) == {"DEVELOPER_NOT_ENTERPRISE"}


@pytest.mark.parametrize("raw", ["-1", "1.0000001", "abc", "1e400", "100000000"])
def test_capitals_in_wan_are_exact_or_refused(raw):
    with pytest.raises(RuleViolation) as refused:
        dev_rules.wan_yuan(raw, field="registered_capital", label="注册资本")
    assert refused.value.code == "CAPITAL_BAD"


def test_capitals_are_never_floats():
    with pytest.raises(TypeError):
        dev_rules.wan_yuan(1.5, field="registered_capital", label="注册资本")


def test_an_enterprise_that_is_not_normal_or_not_valid_takes_no_new_work():
    check_may_work("normal", True, "甲公司")
    for status, valid in (("revoked", True), ("normal", False)):
        with pytest.raises(RuleViolation) as refused:
            check_may_work(status, valid, "甲公司")
        assert refused.value.code == "DEVELOPER_NOT_ACTIVE"


def test_developers_staff_see_only_their_own_enterprise():
    hall = Actor(1, "clerk", "李", Role.CLERK)
    staff = Actor(2, "dev", "张", Role.DEVELOPER, developer_id=7)
    assert owns(hall, 7) and owns(hall, 8) and owns(staff, 7) and not owns(staff, 8)


def test_a_supervising_account_needs_its_branch_name_and_number_and_only_it_has_one():
    record = check_bank(BankEntry("监管银行账户", "中国建设银行", "张家界分行", "甲公司", "4305 0170 1234 0000 0123"))
    assert record.account_number == "43050170123400000123" and record.purpose == "supervision"
    with pytest.raises(PartyInvalid) as refused:
        check_bank(BankEntry("supervision", "中国建设银行"))
    assert _codes(refused.value) == {"BANK_ACCOUNT_INCOMPLETE"} and len(refused.value.errors) == 3
    with pytest.raises(PartyInvalid) as refused:
        check_bank(BankEntry("按揭银行", "中国银行", account_number="12345678"))
    assert _codes(refused.value) == {"BANK_ACCOUNT_NOT_SUPERVISION"}
    with pytest.raises(PartyInvalid) as refused:
        check_bank(BankEntry("保险", ""))
    assert _codes(refused.value) == {"BANK_PURPOSE_BAD", "BANK_NAME_EMPTY"}


def test_a_banks_purpose_is_typed_as_its_number_in_the_list_too():
    assert [check_bank(BankEntry(n, "中国银行")).purpose for n in ("1", "３", " 3 ")] == ["mortgage", "loan", "loan"]
    assert check_bank(BankEntry("2", "中国银行", "分行", "甲公司", "12345678")).purpose == "supervision"
    for bad in ("0", "4", "12"):
        with pytest.raises(PartyInvalid) as refused:
            check_bank(BankEntry(bad, "中国银行"))
        assert _codes(refused.value) == {"BANK_PURPOSE_BAD"}


# ------------------------------------------------------------------ projects and certificates


def test_a_project_and_its_four_certificates():
    record = check_project(ProjectEntry("房地产01项目", "张家界市永定区某路1号", "永定区", land_area="12000.5"))
    assert record.land_area == Decimal("12000.50")
    with pytest.raises(PartyInvalid) as refused:
        check_project(ProjectEntry("", "", "", land_area="-1"))
    assert _codes(refused.value) == {"PROJECT_NAME_EMPTY", "PROJECT_LOCATION_EMPTY", "PROJECT_DISTRICT_EMPTY", "AREA_BAD"}
    land = check_certificate(CertificateEntry("国土证", "张国用(2021)第0123号", "2021-03-01", land_use="住宅",
                                              land_term_end="2091-02-28"), today=TODAY)
    assert land.kind == "land" and land.land_term_end == date(2091, 2, 28)
    assert [k.value for k in missing_certificates([land.kind, "construction"])] == ["land_planning", "works_planning"]
    assert missing_certificates(["land", "land_planning", "works_planning", "construction"]) == []


def test_a_certificates_refusals():
    with pytest.raises(PartyInvalid) as refused:
        check_certificate(CertificateEntry("施工许可证", "无编号", "2099-01-01", land_use="住宅"), today=TODAY)
    assert _codes(refused.value) == {"CERTIFICATE_NUMBER_BAD", "CERTIFICATE_ISSUED_FUTURE", "CERTIFICATE_LAND_FACTS"}
    with pytest.raises(PartyInvalid) as refused:
        check_certificate(CertificateEntry(9, "1", "2021-03-01", land_term_end="2020-01-01"), today=TODAY)
    assert _codes(refused.value) == {"CERTIFICATE_KIND_BAD", "CERTIFICATE_TERM_REVERSED"}


# ------------------------------------------------------------------ the survey file


def test_the_sample_files_read_whole_with_their_fixed_fields():
    units, errors = parse_survey_csv(PREDICTED)
    assert errors == [] and len(units) == 102
    first = units[0]
    assert (first.unit_no, first.unit, first.actual_floor, first.built_area) == ("1-01", "A01", 1, Decimal("130.1000"))
    assert "built_area" in first.fixed and "decoration" not in first.fixed and first.decoration is None
    assert units[-1].layout is None and "layout" not in units[-1].fixed  # left to the developer on the top floor
    assert [u.line for u in units[:3]] == [2, 3, 4]
    actual, errors = parse_survey_csv(ACTUAL)
    assert errors == [] and {"1-01A", "1-01B"} <= {u.unit_no for u in actual}


def test_a_bad_file_reports_every_bad_row_by_line():
    text = ("\ufeff室号,实际层,建筑面积,套内面积,分摊面积,电梯,房屋用途\n"
            "1-01,0,100,80,20,是,住宅\n"
            "\n"
            "1-01,1,abc,,,也许,住宅\n"
            "1-02,1,100,80,30,是,别墅\n"
            "1-03,2,100,,,否,住宅\n"
            ",3,100,,,,\n")
    units, errors = parse_survey_csv(text)
    got = [(e.row, e.field, e.code) for e in errors]
    assert got == [
        (2, "实际层", "UNIT_FLOOR_BAD"),
        (4, "建筑面积", "UNIT_AREA_BAD"), (4, "电梯", "UNIT_FLAG_BAD"), (4, "室号", "SURVEY_UNIT_REPEATED"),
        (5, "房屋用途", "UNIT_CHOICE_BAD"),
        (7, "室号", "SURVEY_VALUE_REQUIRED"),
    ]
    assert [u.unit_no for u in units] == ["1-03"]


def test_a_file_whose_areas_do_not_add_up_is_refused_at_that_row():
    _, errors = parse_survey_csv("室号,实际层,建筑面积,套内面积,分摊面积\n1-01,1,100,80,30\n1-02,1,100,120,\n")
    assert [(e.row, e.code) for e in errors] == [(2, "UNIT_AREA_SUM"), (3, "UNIT_AREA_ABOVE_BUILT")]


@pytest.mark.parametrize("text, code", [
    ("", "SURVEY_NO_HEADER"),
    ("室号,实际层\n1-01,1\n", "SURVEY_COLUMN_MISSING"),
    ("室号,实际层,建筑面积,销售单价\n", "SURVEY_COLUMN_UNKNOWN"),
    ("室号,实际层,建筑面积,房号\n", "SURVEY_COLUMN_REPEATED"),
    ("室号,实际层,建筑面积\n", "SURVEY_EMPTY"),
    ("室号,实际层,建筑面积\n1-01,1,100\x00\n", "SURVEY_FILE_NOT_TEXT"),
    ('室号,实际层,建筑面积\n"1-01,1,100\n', "SURVEY_BAD_CSV"),
])
def test_a_file_that_is_not_a_survey(text, code):
    units, errors = parse_survey_csv(text)
    assert units == [] and code in {e.code for e in errors}


def test_english_column_names_and_full_width_digits_are_read():
    units, errors = parse_survey_csv("unit_no,actual_floor,built_area,elevator\n１-０１,－1,９８.５,Y\n")
    assert errors == [] and (units[0].unit_no, units[0].actual_floor, units[0].built_area, units[0].elevator) == \
        ("1-01", -1, Decimal("98.5000"), True)


# ------------------------------------------------------------------ selecting and setting units


def _unit(i: int, no: str, floor: int, **values: object) -> UnitFacts:
    return UnitFacts(id=i, line=i + 1, unit_no=no, actual_floor=floor, built_area=Decimal("100"), **values)  # type: ignore[arg-type]


BUILDING = [_unit(i, f"{f}-{p:02d}", f, unit="A01" if p < 3 else "A02", layout="三室" if p % 2 else "两室")
            for i, (f, p) in enumerate((f, p) for f in (1, 2, 10, 11) for p in (1, 2, 3, 4))]


def _numbers(units) -> list[str]:  # type: ignore[no-untyped-def]
    return [u.unit_no for u in units]


def test_selection_by_unit_number_forward_backward_and_length():
    assert _numbers(select_units(BUILDING, check_selection(match="01", match_from="backward"))) == \
        ["1-01", "2-01", "10-01", "11-01"]
    assert _numbers(select_units(BUILDING, check_selection(match="1", length=3))) == ["1-01", "1-02", "1-03", "1-04"]
    assert _numbers(select_units(BUILDING, check_selection(match="1", length=4))) == \
        ["10-01", "10-02", "10-03", "10-04", "11-01", "11-02", "11-03", "11-04"]
    assert _numbers(select_units(BUILDING, check_selection(match="4", match_from="向后匹配", length=3))) == ["1-04", "2-04"]
    assert _numbers(select_units(BUILDING, check_selection(units=["A02"], floors=["2"], layout="两室"))) == ["2-04"]
    assert len(select_units(BUILDING, check_selection())) == 16


@pytest.mark.parametrize("kwargs, code", [
    ({"match": "1-0!"}, "SELECTION_MATCH_BAD"),
    ({"match_from": "sideways"}, "SELECTION_MATCH_BAD"),
    ({"length": "0"}, "SELECTION_LENGTH_BAD"),
    ({"match": "1001", "length": 3}, "SELECTION_LENGTH_BAD"),
    ({"floors": ["0"]}, "UNIT_FLOOR_BAD"),
    ({"empty": "建筑面积"}, "SELECTION_EMPTY_FIELD_BAD"),
    ({"empty": "颜色"}, "UNIT_FIELD_UNKNOWN"),
])
def test_bad_selections(kwargs, code):
    with pytest.raises(RuleViolation) as refused:
        check_selection(**kwargs)
    assert refused.value.code == code


def test_a_batch_never_changes_what_the_survey_gave():
    units = [_unit(1, "1-01", 1, layout="三室", fixed=frozenset({"layout"})), _unit(2, "1-02", 1),
             _unit(3, "1-03", 1, layout="两室", fixed=frozenset({"layout"}))]
    values = parse_batch_values({"户型": "四室", "销售单价": "9,000.5"})
    assert values == {"layout": "四室", "sale_price": Decimal("9000.50")}
    with pytest.raises(RuleViolation) as refused:
        check_batch(units, values)
    assert refused.value.code == "SURVEY_FIELD_FIXED" and "户室1-01等2户的“户型”" in refused.value.message
    only_empty = select_units(units, check_selection(empty="户型"))
    check_batch(only_empty, values)
    assert _numbers(only_empty) == ["1-02"]
    with pytest.raises(RuleViolation) as refused:
        check_batch([], values)
    assert refused.value.code == "SELECTION_NOTHING"


@pytest.mark.parametrize("values, code", [
    ({}, "BATCH_NOTHING"),
    ({"建筑面积": "100"}, "BATCH_FIELD_NOT_ALLOWED"),
    ({"实际层": "3"}, "BATCH_FIELD_NOT_ALLOWED"),
    ({"销售单价": "0"}, "UNIT_PRICE_BAD"),
    ({"装修单价": "-1"}, "UNIT_PRICE_BAD"),
    ({"毛坯单价": "9000.001"}, "UNIT_PRICE_BAD"),
    ({"层高": "0.5"}, "UNIT_HEIGHT_BAD"),
    ({"房屋性质": "别墅"}, "UNIT_CHOICE_BAD"),
    ({"名义层": "三楼"}, "UNIT_NOMINAL_FLOOR_BAD"),
    ({"阳台描述": "南\x1b[2J"}, "UNIT_TEXT_BAD"),
])
def test_bad_batch_values(values, code):
    with pytest.raises(RuleViolation) as refused:
        parse_batch_values(values)
    assert refused.value.code == code


def test_values_read_with_their_aliases_and_show_as_a_clerk_reads_them():
    assert parse_value("structure", "框架") == "钢筋混凝土结构"
    assert parse_value("nature", "商品房") == "市场化商品房"
    assert parse_value("decoration", "毛胚") == "毛坯"
    assert parse_value("nominal_floor", "b1") == "B1"
    assert show_value("built_area", Decimal("130.1000")) == "130.10"
    assert show_value("built_area", Decimal("130.1234")) == "130.1234"
    assert show_value("sale_price", Decimal("9000.00")) == "9000" and show_value("sale_price", Decimal("9000.5")) == "9000.50"
    assert show_value("elevator", False) == "否" and show_value("layout", None) == ""


def test_changed_fields_say_before_and_after():
    before = _unit(1, "1-01", 1, layout="三室", sale_price=Decimal("9000"))
    after = _unit(1, "1-01", 1, layout="四室", sale_price=Decimal("9000"))
    assert changed_fields(before, after) == [("户型", "三室", "四室")]


# ------------------------------------------------------------------ quick pricing and the grid


def test_quick_pricing_up_from_a_base_floor():
    rule = check_price_rule(price_kind="销售单价", base_price="9000", base_floor="2", direction="向上", step="50")
    prices = quick_prices(BUILDING, rule)
    by_no = {u.unit_no: prices.get(u.id) for u in BUILDING}
    assert by_no["1-01"] is None  # below the base floor: left as it is
    assert by_no["2-01"] == Decimal("9000") and by_no["10-03"] == Decimal("9400") and by_no["11-04"] == Decimal("9450")


def test_quick_pricing_down_falling_by_layout():
    rule = check_price_rule(price_kind="毛坯单价", base_price="8000", base_floor="11", direction="down", step="100",
                            decrease=True, layout="三室")
    prices = quick_prices(BUILDING, rule)
    assert {u.unit_no: prices[u.id] for u in BUILDING if u.id in prices} == {
        "1-01": Decimal("7000"), "1-03": Decimal("7000"), "2-01": Decimal("7100"), "2-03": Decimal("7100"),
        "10-01": Decimal("7900"), "10-03": Decimal("7900"), "11-01": Decimal("8000"), "11-03": Decimal("8000")}


def test_quick_pricing_refusals():
    falling = check_price_rule(price_kind="sale", base_price="500", base_floor="11", direction="down", step="100",
                               decrease=True)
    with pytest.raises(RuleViolation) as refused:
        quick_prices(BUILDING, falling)
    assert refused.value.code == "PRICE_NOT_POSITIVE"
    nobody = check_price_rule(price_kind="sale", base_price="500", base_floor="1", direction="up", step="1", layout="别墅")
    with pytest.raises(RuleViolation) as refused:
        quick_prices(BUILDING, nobody)
    assert refused.value.code == "PRICE_NO_UNITS"
    for kwargs, code in (({"price_kind": "租金"}, "PRICE_KIND_BAD"), ({"direction": "左"}, "PRICE_DIRECTION_BAD"),
                         ({"step": "-5"}, "PRICE_STEP_BAD"), ({"base_price": ""}, "PRICE_BASE_EMPTY")):
        with pytest.raises(RuleViolation) as refused:
            check_price_rule(**{"price_kind": "sale", "base_price": "9000", "base_floor": "1", "direction": "up",
                                "step": "10", **kwargs})
        assert refused.value.code == code


def test_there_is_no_floor_zero():
    assert floors_between(1, 3) == 2 and floors_between(-1, 1) == 1 and floors_between(-2, 2) == 3
    assert floors_between(3, 1) == 2 and floors_between(1, 1) == 0


@given(base=st.integers(-5, 40), floor=st.integers(-5, 40), step=st.integers(0, 500))
def test_a_rising_price_never_falls_going_up(base, floor, step):
    if base == 0 or floor == 0:
        return
    units = [_unit(1, "a", floor), _unit(2, "b", floor + (2 if floor == -1 else 1))]
    rule = check_price_rule(price_kind="sale", base_price="9000", base_floor=str(base), direction="up", step=str(step))
    try:
        prices = quick_prices(units, rule)
    except RuleViolation as exc:
        assert exc.code == "PRICE_NO_UNITS"
        return
    if 1 in prices:
        assert prices[2] - prices[1] == step


def test_the_grid_lays_units_out_by_floor_and_position_and_flags_what_to_check():
    units = [_unit(1, "1-01", 1, unit="A01", rough_price=Decimal(9000), decoration_price=Decimal(0),
                   sale_price=Decimal(9000)),
             _unit(2, "1-02", 1, unit="A01", rough_price=Decimal(9000), decoration_price=Decimal(500),
                   sale_price=Decimal(9000)),
             _unit(3, "2-01", 2, unit="A01"),
             _unit(4, "201", 2, unit="A02", use="商业")]
    grid = price_grid(units)
    assert grid.floors == [2, 1]
    assert grid.columns == [("A01", "01"), ("A01", "02"), ("A02", "01")]
    assert [c.unit_no if c else None for c in grid.row(2)] == ["2-01", None, "201"]
    assert grid.cells[(1, 0)].lines() == ("1-01", "毛 9000", "装 0", "面 100.00", "销 9000")
    assert grid.cells[(1, 1)].flag == "销≠毛+装" and grid.cells[(2, 0)].flag == "未定价" and grid.flagged == 3
    assert [c.unit_no for c in price_grid(units, use="商业").cells.values()] == ["201"]


# ------------------------------------------------------------------ the mapping


def test_the_seeds_mapping_summary():
    old = [f"{i}" for i in range(100, 110)]
    new = [n for n in old if n != "109"]
    summary = summarise(old, new, default_links(old, new))
    assert (summary.old_count, summary.new_count, summary.mapped_count) == (10, 9, 9)
    assert summary.deleted == ["109"] and summary.split == summary.merged == summary.added == []
    assert summary.lines()[-1] == "删除户室：1 套；109"


def test_split_merged_added_and_deleted():
    old = ["1-01", "1-02", "17-05", "17-06", "9-09"]
    new = ["1-01A", "1-01B", "1-02", "17-05", "20-01"]
    links = {("1-01", "1-01A"), ("1-01", "1-01B"), ("1-02", "1-02"), ("17-05", "17-05"), ("17-06", "17-05")}
    s = summarise(old, new, links)
    assert s.matched == [("1-02", "1-02")]
    assert s.split == [("1-01", ["1-01A", "1-01B"])]
    assert s.merged == [(["17-05", "17-06"], "17-05")]
    assert s.added == ["20-01"] and s.deleted == ["9-09"]


def test_many_to_many_and_unknown_units_are_refused():
    with pytest.raises(RuleViolation) as refused:
        summarise(["a", "b"], ["x", "y"], {("a", "x"), ("a", "y"), ("b", "y")})
    assert refused.value.code == "MAPPING_MANY_TO_MANY"
    with pytest.raises(RuleViolation) as refused:
        summarise(["a"], ["x"], {("a", "z")})
    assert refused.value.code == "MAPPING_UNKNOWN_UNIT"


@given(st.sets(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=12))
def test_every_unit_is_counted_once(links):
    old = [f"o{i}" for i in range(7)]
    new = [f"n{i}" for i in range(7)]
    pairs = {(f"o{a}", f"n{b}") for a, b in links}
    try:
        s = summarise(old, new, pairs)
    except RuleViolation as exc:
        assert exc.code == "MAPPING_MANY_TO_MANY"
        return
    olds = [o for o, _ in s.matched] + [o for o, _ in s.split] + [o for os_, _ in s.merged for o in os_] + s.deleted
    news = [n for _, n in s.matched] + [n for _, ns in s.split for n in ns] + [n for _, n in s.merged] + s.added
    assert sorted(olds) == sorted(old) and sorted(news) == sorted(new)


# ------------------------------------------------------------------ survey cases


@pytest.mark.parametrize("type_code, current, code", [
    ("survey_predicted", None, None),
    ("survey_actual", None, None),
    ("survey_predicted", "predicted", "SURVEY_BUILDING_HAS_RESULT"),
    ("survey_actual", "predicted", "SURVEY_BUILDING_HAS_RESULT"),
    ("survey_predicted_change", None, "SURVEY_NO_BASE"),
    ("survey_predicted_change", "predicted", None),
    ("survey_predicted_change", "actual", "SURVEY_WRONG_BASE"),
    ("survey_conversion", "predicted", None),
    ("survey_conversion", "actual", "SURVEY_WRONG_BASE"),
    ("survey_actual_change", "predicted", "SURVEY_WRONG_BASE"),
    ("survey_actual_change", "actual", None),
])
def test_which_survey_case_a_building_may_start(type_code, current, code):
    if code is None:
        check_start(type_code, current)
        return
    with pytest.raises(RuleViolation) as refused:
        check_start(type_code, current)
    assert refused.value.code == code and "请" in refused.value.message


def test_survey_numbers_and_building_facts():
    assert check_survey_number(" cl20220406001 ") == "CL20220406001"
    for raw, code in (("", "SURVEY_NUMBER_EMPTY"), ("CL 2022", "SURVEY_NUMBER_BAD"), ("测绘1", "SURVEY_NUMBER_BAD")):
        with pytest.raises(RuleViolation) as refused:
            check_survey_number(raw)
        assert refused.value.code == code
    info = check_building_info(structure="框架", floors_above="17", height="54.5")
    assert info == BuildingInfo("钢筋混凝土结构", 17, None, Decimal("54.50"), None)
    with pytest.raises(PartyInvalid) as refused:
        check_building_info(structure="木", floors_above="0", floors_below="x", height="-1", building_use="别墅")
    assert {e.field for e in refused.value.errors} == {"structure", "floors_above", "floors_below", "height",
                                                       "building_use"}


def test_a_survey_goes_to_the_authority_only_complete():
    units, _ = parse_survey_csv(survey_csv(3, 2))
    info = BuildingInfo("钢筋混凝土结构", 3)
    check_submission(info, units)
    for bad, code in ((BuildingInfo(), "SURVEY_BUILDING_INCOMPLETE"), (BuildingInfo("混合结构", 2), "SURVEY_FLOORS_SHORT")):
        with pytest.raises(RuleViolation) as refused:
            check_submission(bad, units)
        assert refused.value.code == code
    lacking, _ = parse_survey_csv(survey_csv(3, 2, blank=("单元", "房屋性质")))
    with pytest.raises(RuleViolation) as refused:
        check_submission(info, lacking)
    assert refused.value.code == "SURVEY_UNITS_INCOMPLETE"
    assert "户室1-01的单元、房屋性质未填写，另有5户未填全" in refused.value.message


def test_a_survey_step_needs_its_stage_and_its_holder():
    dev = Actor(5, "dev", "张", Role.DEVELOPER, developer_id=1)
    state = CaseState("survey_predicted", "entry", CaseStatus.ACTIVE, 5)
    check_stage(state, dev, "entry", "批量设置")
    with pytest.raises(RuleViolation) as refused:
        check_stage(state, dev, "review", "归档")
    assert refused.value.code == "SURVEY_WRONG_STAGE" and "测绘信息编辑" in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        check_stage(CaseState("survey_predicted", "entry", CaseStatus.ACTIVE, 6), dev, "entry", "批量设置")
    assert refused.value.code == "CASE_NOT_HOLDER"
