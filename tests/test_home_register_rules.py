"""The home register's rules (core.resale.home_register), pure: a record as typed is checked
and normalised, every bad value refused at once with a stable code and one Chinese sentence at
its field; the register's marks; what a search text is; a register file's rows."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import RuleViolation
from core.resale.home_register import (
    DISTRICTS,
    HomeEntry,
    HomeInvalid,
    Mark,
    OwnerEntry,
    check_home,
    check_mark_reason,
    city_code,
    parse_home_csv,
    parse_mark,
    search_term,
    split_owners,
)

TODAY = date(2026, 11, 21)
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
OWNER_A = "440308196804129616"
OWNER_B = "440308197509032867"

BASE = HomeEntry(
    city="shenzhen", district="福田区", certificate_number="粤(2020)深圳市不动产权第0128885号",
    unit_number="440304005008GB00404F00030001", location="深圳市福田区香蜜湖街道香梅路134号景田花园3栋201",
    building="3栋", floor="2", room="201", total_floors="6", floor_area="119.10", structure="钢筋混凝土",
    design_use="住宅", owners=(OwnerEntry(OWNER_A),),
)


def _codes(entry: HomeEntry, **kw) -> dict[str, str]:
    """field → code of every refusal."""
    with pytest.raises(RuleViolation) as caught:
        check_home(entry, today=TODAY, **kw)
    errors = caught.value.errors if isinstance(caught.value, HomeInvalid) else (caught.value,)
    for e in errors:
        assert e.message and any("\u4e00" <= ch <= "\u9fff" for ch in e.message), e
    return {e.field: e.code for e in errors}


def test_a_record_as_an_input_method_types_it_is_normalised():
    record = check_home(replace(
        BASE, city="深圳市", district="福田", certificate_number="粤（２０２０）深圳市不动产权第０１２８８８５号",
        unit_number="440304 005008 gb00404 f00030001", floor="２", floor_area="119.1㎡", inner_area="98.85平方米",
        land_area=" 19.05 ", completion_year="1993年", owners=(OwnerEntry(OWNER_A.lower(), "100"),)), today=TODAY)
    assert (record.city, record.district, record.certificate_number, record.unit_number) == (
        "shenzhen", "福田区", "粤(2020)深圳市不动产权第0128885号", "440304005008GB00404F00030001")
    assert (record.floor, record.floor_area, record.inner_area, record.land_area) == (
        2, Decimal("119.10"), Decimal("98.85"), Decimal("19.05"))
    assert record.floor_area.as_tuple().exponent == -2  # exact, two places
    assert (record.use_class, record.use_class_normalised, record.completion_year) == ("residential", True, 1993)
    assert record.co_ownership == "sole" and record.owners[0].share == Decimal("100.00")


def test_the_city_defaults_to_the_halls_and_districts_are_the_citys():
    assert check_home(replace(BASE, city=None), today=TODAY, default_city="shenzhen").city == "shenzhen"
    assert _codes(replace(BASE, city=None)) == {"city": "HOME_CITY_EMPTY"}
    assert _codes(replace(BASE, city="广州")) == {"city": "HOME_CITY_UNKNOWN"}
    assert city_code("2") == "zhongshan" and city_code("武汉") == "wuhan"
    assert _codes(replace(BASE, district="江汉区"))["district"] == "HOME_DISTRICT_UNKNOWN"
    for city, names in DISTRICTS.items():
        assert len(set(names)) == len(names), city


def test_a_certificate_of_another_city_or_district_is_refused():
    assert _codes(replace(BASE, certificate_number="粤(2019)中山市不动产权第0355229号")) == {
        "certificate_number": "CERT_WRONG_CITY"}
    assert _codes(replace(BASE, unit_number="442000005008GB00404F00030001")) == {"unit_number": "UNIT_NO_WRONG_CITY"}
    wuhan = replace(BASE, city="wuhan", district="江岸区", certificate_number="鄂(2021)武汉市江汉不动产权第0012345号",
                    unit_number="420102005008GB00404F00030001")
    assert _codes(wuhan) == {"certificate_number": "HOME_DISTRICT_MISMATCH"}
    ok = check_home(replace(wuhan, district="江汉"), today=TODAY)
    assert ok.district == "江汉区"
    zone = check_home(replace(wuhan, district="东湖高新", certificate_number="鄂(2021)武汉市东湖高新不动产权第0012345号"),
                      today=TODAY)
    assert zone.district == "东湖新技术开发区"


def test_zhongshan_needs_the_check_code():
    zs = replace(BASE, city="zhongshan", district="石岐街道", certificate_number="粤(2019)中山市不动产权第0355229号",
                 unit_number="442000005008GB00404F00030001")
    assert _codes(zs) == {"check_code": "HOME_CHECK_CODE_REQUIRED"}
    record = check_home(replace(zs, check_code=" ab12cd "), today=TODAY)
    assert (record.district, record.check_code) == ("石岐区", "AB12CD")
    assert _codes(replace(zs, check_code="一二三四"))["check_code"] == "CHECK_CODE_BAD_FORMAT"


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"floor": "9"}, "floor", "HOME_FLOOR_ABOVE_TOTAL"),
    ({"floor": "0"}, "floor", "HOME_FLOOR_OUT_OF_RANGE"),
    ({"floor": "二楼"}, "floor", "HOME_FLOOR_INVALID"),
    ({"floor": ""}, "floor", "HOME_FLOOR_EMPTY"),
    ({"total_floors": "0"}, "total_floors", "HOME_TOTAL_FLOORS_OUT_OF_RANGE"),
    ({"total_floors": "201"}, "total_floors", "HOME_TOTAL_FLOORS_OUT_OF_RANGE"),
    ({"floor_area": "0"}, "floor_area", "HOME_AREA_OUT_OF_RANGE"),
    ({"floor_area": "-5"}, "floor_area", "HOME_AREA_INVALID"),
    ({"floor_area": "89.505"}, "floor_area", "HOME_AREA_TOO_PRECISE"),
    ({"floor_area": "100000.01"}, "floor_area", "HOME_AREA_OUT_OF_RANGE"),
    ({"floor_area": "1e3"}, "floor_area", "HOME_AREA_INVALID"),
    ({"floor_area": "NaN"}, "floor_area", "HOME_AREA_INVALID"),
    ({"inner_area": "119.11"}, "inner_area", "HOME_INNER_AREA_EXCEEDS"),
    ({"completion_year": "1899"}, "completion_year", "HOME_YEAR_OUT_OF_RANGE"),
    ({"completion_year": "2027"}, "completion_year", "HOME_YEAR_OUT_OF_RANGE"),
    ({"completion_year": "98"}, "completion_year", "HOME_YEAR_INVALID"),
    ({"location": "  "}, "location", "HOME_LOCATION_EMPTY"),
    ({"location": "景田😀花园"}, "location", "TEXT_BAD_CHARACTERS"),
    ({"location": "景田\x1b[2J"}, "location", "TEXT_BAD_CHARACTERS"),
    ({"location": "字" * 10_000}, "location", "TEXT_TOO_LONG"),
    ({"building": ""}, "building", "HOME_BUILDING_EMPTY"),
    ({"room": "1" * 17}, "room", "TEXT_TOO_LONG"),
    ({"structure": ""}, "structure", "HOME_STRUCTURE_EMPTY"),
    ({"design_use": ""}, "design_use", "HOME_USE_EMPTY"),
    ({"design_use": "工业"}, "use_class", "HOME_USE_CLASS_REQUIRED"),
    ({"use_class": "商业"}, "use_class", "HOME_USE_CLASS_MISMATCH"),
    ({"use_class": "厂房"}, "use_class", "HOME_USE_CLASS_UNKNOWN"),
    ({"owners": ()}, "owner_1", "HOME_OWNERS_EMPTY"),
    ({"owners": (OwnerEntry(OWNER_A), OwnerEntry(OWNER_B))}, "co_ownership", "HOME_CO_OWNERSHIP_REQUIRED"),
    ({"owners": (OwnerEntry(OWNER_A), OwnerEntry(OWNER_B)), "co_ownership": "单独所有"}, "co_ownership",
     "HOME_SOLE_ONE_OWNER"),
    ({"co_ownership": "共同共有"}, "co_ownership", "HOME_CO_OWNERS_TWO"),
    ({"co_ownership": "合伙"}, "co_ownership", "HOME_CO_OWNERSHIP_INVALID"),
    ({"owners": (OwnerEntry(OWNER_A, "50"),)}, "share_1", "HOME_SHARE_NOT_APPLICABLE"),
    ({"owners": (OwnerEntry(OWNER_A, "50"), OwnerEntry(OWNER_B, "49.99")), "co_ownership": "3"}, "share_1",
     "HOME_SHARES_SUM"),
    ({"owners": (OwnerEntry(OWNER_A, "50"), OwnerEntry(OWNER_B)), "co_ownership": "按份共有"}, "share_2",
     "HOME_SHARE_EMPTY"),
    ({"owners": (OwnerEntry(OWNER_A, "50.005"), OwnerEntry(OWNER_B, "49.995")), "co_ownership": "shares"},
     "share_1", "HOME_SHARE_TOO_PRECISE"),
    ({"owners": (OwnerEntry(OWNER_A, "0"), OwnerEntry(OWNER_B, "100")), "co_ownership": "shares"}, "share_1",
     "HOME_SHARE_OUT_OF_RANGE"),
    ({"owners": (OwnerEntry(OWNER_A, "60"), OwnerEntry(OWNER_B, "40")), "co_ownership": "共同共有"}, "share_1",
     "HOME_SHARE_NOT_APPLICABLE"),
    ({"owners": (OwnerEntry(OWNER_A), OwnerEntry(OWNER_A.lower())), "co_ownership": "2"}, "owner_2",
     "HOME_OWNER_DUPLICATE"),
    ({"owners": (OwnerEntry("\x00"),)}, "owner_1", "HOME_OWNER_NUMBER_BAD"),
    ({"owners": tuple(OwnerEntry(f"{OWNER_A[:-2]}{i:02d}") for i in range(21)), "co_ownership": "2"}, "owner_1",
     "HOME_TOO_MANY_OWNERS"),
])
def test_each_bad_value_is_refused_at_its_field(changes, field, code):
    assert _codes(replace(BASE, **changes)).get(field) == code


def test_every_bad_value_is_refused_at_once():
    bad = replace(BASE, district="火星", unit_number="1", location="", floor="9", total_floors="5", floor_area="x",
                  design_use="工业", owners=(OwnerEntry(""), OwnerEntry("", "3")), co_ownership="3")
    codes = _codes(bad)
    assert {"district", "unit_number", "location", "floor", "floor_area", "use_class", "owner_2"} <= set(codes)


def test_owners_lines_are_named_as_typed_and_blank_lines_skipped():
    record = check_home(replace(BASE, co_ownership="按份共有", owners=(
        OwnerEntry(OWNER_A, "60%"), OwnerEntry("", ""), OwnerEntry(OWNER_B, "４０"))), today=TODAY)
    assert [(o.number, o.share) for o in record.owners] == [(OWNER_A, Decimal("60.00")), (OWNER_B, Decimal("40.00"))]
    codes = _codes(replace(BASE, co_ownership="2", owners=(OwnerEntry(OWNER_A), OwnerEntry(""), OwnerEntry("", "5"))))
    assert codes.get("owner_3") == "HOME_OWNER_EMPTY"  # the third line, whatever is above it
    joint = check_home(replace(BASE, co_ownership="共同共有", owners=(OwnerEntry(OWNER_A), OwnerEntry(OWNER_B))),
                       today=TODAY)
    assert [o.share for o in joint.owners] == [None, None]


def test_a_use_that_does_not_normalise_keeps_a_provisional_class():
    known = check_home(replace(BASE, design_use="商住"), today=TODAY)
    assert (known.use_class, known.use_class_normalised) == ("commercial", False)
    typed = check_home(replace(BASE, design_use="工业厂房", use_class="办公"), today=TODAY)
    assert (typed.design_use, typed.use_class, typed.use_class_normalised) == ("工业厂房", "office", False)
    parking = check_home(replace(BASE, design_use="车位", floor="B1"), today=TODAY)
    assert (parking.use_class, parking.use_class_normalised, parking.floor) == ("parking", True, -1)


def test_text_is_kept_literally():
    record = check_home(replace(BASE, location="[/x]景田花园[bold]3栋[/]"), today=TODAY)
    assert record.location == "[/x]景田花园[bold]3栋[/]"


def test_every_home_of_the_sample_register_is_a_valid_record():
    """The demo's homes pass the rules, so a change of one of them is not refused for its old facts."""
    homes = json.loads((SAMPLE / "homes.json").read_text(encoding="utf-8"))
    persons = {p["key"]: p["id_number"] for p in json.loads((SAMPLE / "persons.json").read_text(encoding="utf-8"))}
    orgs = {o["key"]: o["credit_code"] for o in json.loads((SAMPLE / "organisations.json").read_text(encoding="utf-8"))}
    owners: dict[str, list] = defaultdict(list)
    for o in json.loads((SAMPLE / "home_owners.json").read_text(encoding="utf-8")):
        owners[o["home"]].append(o)
    for h in homes:
        entry = HomeEntry(
            city=h["city"], district=h["district"], certificate_number=h["certificate_number"],
            check_code=h["check_code"], unit_number=h["unit_number"], location=h["location"], building=h["building"],
            floor=str(h["floor"]), room=h["room"], total_floors=str(h["total_floors"]), floor_area=h["floor_area"],
            inner_area=h["inner_area"], land_area=h["land_area"], structure=h["structure"],
            design_use=h["design_use"], use_class=None if h["use_class_normalised"] else h["use_class"],
            completion_year=str(h["completion_year"]) if h["completion_year"] else None,
            co_ownership=h["co_ownership"],
            owners=[OwnerEntry(persons[o["person"]] if o["person"] else orgs[o["organisation"]],
                               o["share"] if h["co_ownership"] == "shares" else None) for o in owners[h["key"]]])
        record = check_home(entry, today=TODAY)
        assert (record.use_class, record.use_class_normalised) == (h["use_class"], h["use_class_normalised"]), h


@given(st.dictionaries(st.sampled_from(["city", "district", "certificate_number", "unit_number", "location", "floor",
                                        "floor_area", "design_use", "use_class", "co_ownership", "completion_year"]),
                       st.one_of(st.none(), st.text(max_size=60), st.integers(), st.booleans())),
       st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=30)), st.one_of(st.none(), st.text(max_size=8))),
                max_size=5))
def test_any_input_is_checked_or_refused_never_crashes(changes, owners):
    entry = replace(BASE, owners=tuple(OwnerEntry(n, s) for n, s in owners), **changes)
    try:
        check_home(entry, today=TODAY)
    except RuleViolation as exc:
        assert exc.code and exc.message


# ---------------------------------------------------------------- marks and searches


def test_marks_are_picked_by_number_code_or_name():
    assert [parse_mark(v) for v in ("1", "查封", "restricted", "无效", "已抵押")] == [
        Mark.MORTGAGED, Mark.SEIZED, Mark.RESTRICTED, Mark.INVALID, Mark.MORTGAGED]
    for bad in ("5", "", None, "冻结", "x" * 1000):
        with pytest.raises(RuleViolation) as caught:
            parse_mark(bad)
        assert caught.value.code == "HOME_MARK_UNKNOWN"
    assert check_mark_reason(" 法院裁定  查封 ") == "法院裁定 查封"
    with pytest.raises(RuleViolation) as caught:
        check_mark_reason("  ")
    assert caught.value.code == "HOME_MARK_REASON_EMPTY"


def test_a_search_text_is_a_certificate_a_unit_or_a_fragment():
    assert search_term("粤（2020）深圳市不动产权第0128885号", today=TODAY).kind == "certificate"
    assert search_term("440304005008gb00404f00030001", today=TODAY).value == "440304005008GB00404F00030001"
    assert search_term(" 景田  花园 ", today=TODAY) == search_term("景田 花园", today=TODAY)
    assert search_term("%_", today=TODAY).kind == "location"  # LIKE's own characters are searched literally
    for bad, code in (("", "HOME_SEARCH_EMPTY"), ("景", "HOME_SEARCH_TOO_SHORT"), ("😀😀", "TEXT_BAD_CHARACTERS")):
        with pytest.raises(RuleViolation) as caught:
            search_term(bad, today=TODAY)
        assert caught.value.code == code


# ---------------------------------------------------------------- the register file


HEAD = "城市,所在区,产权证书编号,校验码,不动产单元号,坐落,楼栋,所在层,总层数,房号,建筑面积,房屋结构,设计用途,共有方式,权利人证件号码,份额,查封"
ROW = ("深圳,福田,粤(2020)深圳市不动产权第0128885号,,440304005008GB00404F00030001,深圳市福田区景田花园3栋201,3栋,2,6,201,"
       "119.10,钢筋混凝土,住宅,,{owners},{shares},{seized}")


def _file(*rows: str) -> str:
    return "\n".join((HEAD, *rows)) + "\n"


def test_the_sample_file_is_clean():
    parsed = parse_home_csv((SAMPLE / "homes_example.csv").read_text(encoding="utf-8"), today=TODAY,
                            default_city="shenzhen")
    assert parsed.errors == [] and len(parsed.homes) == 7
    assert sum(len(marks) for _, _, marks in parsed.homes) == 2


def test_a_files_rows_are_reported_by_their_number():
    text = _file(ROW.format(owners=OWNER_A, shares="", seized="（2026）粤0304执保1号"),
                 "",
                 ROW.format(owners=OWNER_A, shares="", seized="").replace("粤(2020)", "粤(2030)"),
                 ROW.format(owners=f"{OWNER_A}；{OWNER_B}", shares="60；40", seized="")
                 .replace(",,440304", ",,440304").replace("住宅,,", "住宅,按份共有,"),
                 ROW.format(owners=OWNER_A, shares="", seized="") + ",多余")
    parsed = parse_home_csv(text, today=TODAY, default_city="shenzhen")
    assert [(e.row, e.field, e.code) for e in parsed.errors] == [
        (4, "产权证书编号", "CERT_BAD_YEAR"),
        (5, "不动产单元号", "CSV_DUPLICATE_IN_FILE"),
        (6, "整行", "CSV_EXTRA_CELLS"),
    ]
    assert parsed.errors[0].text().startswith("第4行【产权证书编号】")
    [(row, record, marks)] = parsed.homes
    assert row == 2 and marks == {Mark.SEIZED: "（2026）粤0304执保1号"} and record.owners[0].number == OWNER_A


@pytest.mark.parametrize(("text", "code"), [
    ("", "CSV_EMPTY"),
    ("城市,所在区\n深圳,福田\n", "CSV_MISSING_COLUMN"),
    (HEAD + ",颜色\n", "CSV_UNKNOWN_COLUMN"),
    (HEAD + ",坐落\n", "CSV_DUPLICATE_COLUMN"),
    ('城市,"所在区\n', "CSV_BAD_FORMAT"),
])
def test_a_file_that_is_not_a_register_is_refused_at_its_heading(text, code):
    parsed = parse_home_csv(text, today=TODAY, default_city="shenzhen")
    assert code in {e.code for e in parsed.errors} and parsed.homes == []
    assert all(e.row == 1 for e in parsed.errors)


def test_owners_in_one_cell():
    assert split_owners("a；b、c", "50;30;20") == (OwnerEntry("a", "50"), OwnerEntry("b", "30"), OwnerEntry("c", "20"))
    assert split_owners("a", "50;50") == (OwnerEntry("a", "50"), OwnerEntry("", "50"))
    assert split_owners("", None) == ()
