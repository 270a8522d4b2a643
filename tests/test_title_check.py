"""Title check (产权校验), house check (房源核验), certificate numbers, house codes."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.resale.certificates import (
    CITIES,
    CertificateKind,
    CertificateNumber,
    normalize_certificate,
    parse_certificate,
    parse_check_code,
    parse_unit_number,
)
from core.errors import RuleViolation
from core.identity import check_char_gb11643
from core.resale.policies import PROFILES, LookupMode, Severity, Stage
from core.resale.title_check import (
    CREDIT_CODE,
    TRADITIONAL_TO_SIMPLIFIED,
    AgentAuthorisation,
    CheckReport,
    CoOwnership,
    HomeFacts,
    LookupRequest,
    Outcome,
    OwnerFacts,
    PartyAtCounter,
    PersonFacts,
    ProxyRegistration,
    PurchaseRestriction,
    Verdict,
    foreign_document_exception,
    house_code,
    house_code_for,
    name_mismatch_message,
    run_checks,
    same_id_number,
)

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 21)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rid(body17: str) -> str:
    return body17 + check_char_gb11643(body17)


ID_OWNER = _rid("44030419800101123")
ID_CO_OWNER = _rid("44030419820202234")
ID_PROXY = _rid("44030519900303345")
ID_AGENT = _rid("42010219850404456")
ID_STRANGER = _rid("44030619700505567")
LEGACY_15 = "440304800101123"  # first-generation number of ID_OWNER's shape
CREDIT = "91440300MA5FXXXX1X"

CERTS = {
    "shenzhen": "粤(2020)深圳市不动产权第0128885号",
    "zhongshan": "粤(2019)中山市不动产权第0355229号",
    "wuhan": "鄂(2022)武汉市江汉不动产权第6367708号",
}
UNITS = {
    "shenzhen": "440304005008GB00404F00030001",
    "zhongshan": "442000003002GB00123F00020003",
    "wuhan": "420103001001GB00456F00010002",
}
CHECK_CODE = "4921M7"


def owner(name: str = "陈大文", id_number: str = ID_OWNER, **kw) -> OwnerFacts:
    return OwnerFacts(name=name, id_kind=kw.pop("id_kind", "resident_id"), id_number=id_number, **kw)


def home(city: str = "shenzhen", **kw) -> HomeFacts:
    base = HomeFacts(
        certificate_number=CERTS[city],
        owners=(owner(),),
        unit_number=UNITS[city],
        check_code=CHECK_CODE if city == "zhongshan" else None,
        purchase_restriction=PurchaseRestriction.NOT_RESTRICTED,
        register_queried_on=TODAY,
    )
    return replace(base, **kw)


def person(name: str = "陈大文", id_number: str = ID_OWNER, **kw) -> PersonFacts:
    kw.setdefault("id_kind", "resident_id")
    kw.setdefault("region", "mainland")
    kw.setdefault("identity_verified", True)
    return PersonFacts(name=name, id_number=id_number, **kw)


def lookup(city: str = "shenzhen", **kw) -> LookupRequest:
    base = LookupRequest(
        LookupMode.CERTIFICATE, CERTS[city], CHECK_CODE if city == "zhongshan" else ""
    )
    return replace(base, **kw)


def run(city: str = "shenzhen", *, h: HomeFacts | None = None, p: PartyAtCounter | None = None,
        q: LookupRequest | None = None, today: date = TODAY) -> CheckReport:
    return run_checks(
        PROFILES[city], q or lookup(city), h or home(city), p or PartyAtCounter(person()), today=today
    )


def outcome(report: CheckReport, code: str) -> Outcome | None:
    r = report.result(code)
    return None if r is None else r.outcome


def not_run_codes(report: CheckReport) -> set[str]:
    return {n.code for n in report.not_run}


# ---- the whole report --------------------------------------------------------


@pytest.mark.parametrize("city", sorted(PROFILES))
def test_owner_in_person_passes_and_gets_a_house_code(city: str) -> None:
    report = run(city)
    assert report.verdict is Verdict.PASSED, report.lines()
    assert report.profile == PROFILES[city].ref
    assert report.house_code and report.house_code.startswith(PROFILES[city].letter + "20261121")
    assert all(r.outcome is Outcome.PASSED for r in report.results)


@pytest.mark.parametrize("city", sorted(PROFILES))
@pytest.mark.parametrize(
    "variant",
    ["plain", "proxy", "agent", "failing_title", "failing_lookup", "foreign", "co_owned"],
)
def test_report_lists_every_selected_rule_as_run_or_not_run(city: str, variant: str) -> None:
    profile = PROFILES[city]
    h, p, q = home(city), PartyAtCounter(person()), lookup(city)
    if variant == "proxy":
        p = PartyAtCounter(person("李四", ID_PROXY), proxy=_proxy(city))
    elif variant == "agent":
        h = home(city, owners=(_org_owner(),))
        p = PartyAtCounter(person("王五", ID_AGENT), agent=_agent())
    elif variant == "failing_title":
        h = home(city, owners=(owner(blacklisted=True),))
    elif variant == "failing_lookup":
        q = lookup(city, certificate_number="乱码")
    elif variant == "foreign":
        h = home(city, owners=(owner("陈大文", "P1234567", id_kind="hk_identity_card"),))
        p = PartyAtCounter(person(id_number="H12345678", id_kind="hk_macao_permit", region="hong_kong"))
    elif variant == "co_owned":
        h = home(city, owners=(owner(), owner("林小梅", ID_CO_OWNER)), co_ownership=CoOwnership.JOINT)
    report = run_checks(profile, q, h, p, today=TODAY)
    ran = [r.code for r in report.results]
    skipped = [n.code for n in report.not_run]
    selected = {u.code for u in profile.rules if u.rule.stage is not Stage.CONTRACT}
    assert len(ran) == len(set(ran)) and not set(ran) & set(skipped)
    assert set(ran) | set(skipped) == selected
    assert len(report.lines()) == len(report.results)
    for r in report.results:
        assert r.reason and r.reason.endswith("。")
        assert r.severity is profile.uses(r.code).effective_severity
    assert report.to_dict()["verdict"] == report.verdict.value


def test_a_refused_stage_stops_later_stages() -> None:
    report = run(h=home(owners=(owner(blacklisted=True),)))
    assert report.verdict is Verdict.REFUSED
    assert not any(r.stage is Stage.HOUSE for r in report.results)
    house = [n for n in report.not_run if n.stage is Stage.HOUSE]
    assert house and all(n.reason == "产权校验未通过，未执行。" for n in house)
    assert report.house_code is None


def test_first_refusal_is_a_rule_violation_with_field() -> None:
    report = run(p=PartyAtCounter(person("陈大文", ID_STRANGER)))
    err = report.first_refusal()
    assert isinstance(err, RuleViolation)
    assert err.code == "TITLE_ID_NUMBER_MATCH" and err.field == "owner_id_number"
    assert run().first_refusal() is None


# ---- 查询房源 ------------------------------------------------------------------


def test_lookup_mode_not_offered_in_shenzhen() -> None:
    report = run(q=LookupRequest(LookupMode.NAME_AND_UNIT, unit_number=UNITS["shenzhen"]))
    assert outcome(report, "LOOKUP_MODE_OFFERED") is Outcome.FAILED
    assert "产权证书编号" in report.result("LOOKUP_MODE_OFFERED").reason
    assert {n.stage for n in report.not_run} >= {Stage.TITLE, Stage.HOUSE}


def test_lookup_certificate_format_refused_with_the_parsers_reason() -> None:
    report = run(q=lookup(certificate_number="粤(2020)深圳市不动产证明第0128885号"))
    r = report.result("LOOKUP_CERTIFICATE_FORMAT")
    assert r.outcome is Outcome.FAILED and "不动产登记证明" in r.reason and r.field == "certificate_number"


def test_lookup_certificate_of_another_city_refused() -> None:
    report = run("wuhan", q=lookup("wuhan", certificate_number=CERTS["shenzhen"]))
    assert outcome(report, "LOOKUP_CERTIFICATE_FORMAT") is Outcome.FAILED
    assert "武汉市" in report.result("LOOKUP_CERTIFICATE_FORMAT").reason


def test_zhongshan_requires_check_code_with_certificate_number() -> None:
    report = run("zhongshan", q=lookup("zhongshan", check_code=""))
    assert outcome(report, "LOOKUP_CHECK_CODE_REQUIRED") is Outcome.FAILED
    assert report.verdict is Verdict.REFUSED


def test_shenzhen_needs_no_check_code() -> None:
    report = run(q=lookup(check_code=""))
    assert report.verdict is Verdict.PASSED
    assert report.result("LOOKUP_CHECK_CODE_REQUIRED") is None
    assert "LOOKUP_CHECK_CODE_MATCH" in not_run_codes(report)


def test_zhongshan_check_code_badly_formed_or_wrong() -> None:
    bad = run("zhongshan", q=lookup("zhongshan", check_code="!?"))
    assert outcome(bad, "LOOKUP_CHECK_CODE_REQUIRED") is Outcome.FAILED
    wrong = run("zhongshan", q=lookup("zhongshan", check_code="ZZZZZZ"))
    assert outcome(wrong, "LOOKUP_CHECK_CODE_MATCH") is Outcome.FAILED
    ime = run("zhongshan", q=lookup("zhongshan", check_code="４９２１ｍ７"))
    assert outcome(ime, "LOOKUP_CHECK_CODE_MATCH") is Outcome.PASSED


def test_zhongshan_name_and_unit_number_lookup() -> None:
    q = LookupRequest(LookupMode.NAME_AND_UNIT, unit_number=UNITS["zhongshan"])
    report = run("zhongshan", q=q)
    assert report.verdict is Verdict.PASSED
    assert outcome(report, "LOOKUP_UNIT_NUMBER_MATCH") is Outcome.PASSED
    assert {"LOOKUP_CERTIFICATE_FORMAT", "LOOKUP_CHECK_CODE_REQUIRED"} <= not_run_codes(report)


def test_zhongshan_unit_number_malformed_or_of_another_home() -> None:
    bad = run("zhongshan", q=LookupRequest(LookupMode.NAME_AND_UNIT, unit_number="4420"))
    assert outcome(bad, "LOOKUP_UNIT_NUMBER_FORMAT") is Outcome.FAILED
    assert "LOOKUP_UNIT_NUMBER_MATCH" in not_run_codes(bad)
    other = UNITS["zhongshan"][:-1] + "9"
    wrong = run("zhongshan", q=LookupRequest(LookupMode.NAME_AND_UNIT, unit_number=other))
    assert outcome(wrong, "LOOKUP_UNIT_NUMBER_MATCH") is Outcome.FAILED
    city = run("zhongshan", q=LookupRequest(LookupMode.NAME_AND_UNIT, unit_number=UNITS["shenzhen"]))
    assert city.result("LOOKUP_UNIT_NUMBER_FORMAT").reason.startswith("该不动产单元号不属于中山市")


def test_wuhan_requires_todays_register_query() -> None:
    report = run("wuhan", h=home("wuhan", register_queried_on=TODAY - timedelta(days=1)))
    assert outcome(report, "LOOKUP_REGISTER_QUERIED_TODAY") is Outcome.FAILED
    owner_records = run("wuhan", q=LookupRequest(LookupMode.OWNER_RECORDS))
    assert owner_records.verdict is Verdict.PASSED


# ---- 产权校验: who is at the counter ---------------------------------------------


def test_identity_must_be_verified_or_real_name_level_four() -> None:
    unverified = PartyAtCounter(person(identity_verified=False, real_name_level=3))
    r = run(p=unverified).result("TITLE_IDENTITY_VERIFIED")
    assert r.outcome is Outcome.FAILED and "4级" in r.reason
    level4 = PartyAtCounter(person(identity_verified=False, real_name_level=4))
    assert outcome(run(p=level4), "TITLE_IDENTITY_VERIFIED") is Outcome.PASSED


def test_capacity_must_be_single() -> None:
    both = PartyAtCounter(person("李四", ID_PROXY), proxy=_proxy("shenzhen"), agent=_agent())
    report = run(p=both)
    assert outcome(report, "TITLE_CAPACITY") is Outcome.FAILED
    assert {"TITLE_OWNER_ON_CERTIFICATE", "TITLE_NAME_EXACT"} <= not_run_codes(report)


def test_stranger_is_not_an_owner() -> None:
    report = run(p=PartyAtCounter(person("张三", ID_STRANGER)))
    assert outcome(report, "TITLE_OWNER_ON_CERTIFICATE") is Outcome.FAILED
    assert {"TITLE_OWNER_NOT_BLACKLISTED", "TITLE_NAME_EXACT", "TITLE_ID_NUMBER_MATCH"} <= not_run_codes(report)


def test_blacklisted_owner_refused() -> None:
    report = run(h=home(owners=(owner(blacklisted=True),)))
    assert report.result("TITLE_OWNER_NOT_BLACKLISTED").reason == "该权利人已被纳入黑名单，不能办理网签。"


def test_traditional_registered_simplified_typed_is_explained() -> None:
    report = run(h=home(owners=(owner("陳大文"),)))
    r = report.result("TITLE_NAME_EXACT")
    assert r.outcome is Outcome.FAILED
    assert r.reason == "登记姓名为繁体“陳**”，与输入的简体“陈大文”不一致（第1字），须与不动产权证书登记完全一致。"


def test_name_mismatch_messages() -> None:
    assert name_mismatch_message("陈大文", " 陈大文 ") is None
    assert name_mismatch_message("陈大文", "陳大文").startswith("登记姓名为简体“陈**”，与输入的繁体“陳大文”")
    mixed = name_mismatch_message("陳大偉", "陈大伟")
    assert mixed.startswith("登记姓名为繁体")
    both_ways = name_mismatch_message("陳大伟", "陈大偉")
    assert "繁简写法不一致（第1、3字）" in both_ways and "伟" not in both_ways  # positions, not the register's characters
    other = name_mismatch_message("陈大文", "陈小文")
    assert other == "输入的姓名“陈小文”与不动产权证书登记的“陈**”不一致，须与不动产权证书登记完全一致。"


@pytest.mark.parametrize("trad,simp", sorted(TRADITIONAL_TO_SIMPLIFIED.items())[:5] + [
    ("陳", "陈"), ("張", "张"), ("劉", "刘"), ("黃", "黄"), ("楊", "杨"), ("趙", "赵"), ("吳", "吴"),
    ("鄭", "郑"), ("鍾", "钟"), ("葉", "叶"), ("謝", "谢"), ("馮", "冯"), ("麥", "麦"), ("區", "区"),
    ("東", "东"), ("華", "华"), ("國", "国"), ("偉", "伟"), ("龍", "龙"), ("鳳", "凤"), ("蘭", "兰"),
    ("麗", "丽"), ("嬌", "娇"),
])
def test_table_pairs_are_explained(trad: str, simp: str) -> None:
    assert TRADITIONAL_TO_SIMPLIFIED[trad] == simp
    assert name_mismatch_message(trad + "慧", simp + "慧").startswith("登记姓名为繁体")


def test_traditional_table_is_a_function_into_simplified() -> None:
    assert not set(TRADITIONAL_TO_SIMPLIFIED) & set(TRADITIONAL_TO_SIMPLIFIED.values())


def test_id_number_mismatch_refused_for_mainland_owner() -> None:
    report = run(p=PartyAtCounter(person("陈大文", ID_STRANGER)))
    assert outcome(report, "TITLE_ID_NUMBER_MATCH") is Outcome.FAILED
    assert "TITLE_FOREIGN_ID_EXCEPTION" in not_run_codes(report)


def test_first_generation_id_on_certificate_matches_its_upgrade() -> None:
    upgraded = _rid(LEGACY_15[:6] + "19" + LEGACY_15[6:])
    assert same_id_number(LEGACY_15, upgraded)
    report = run(h=home(owners=(owner(id_number=LEGACY_15),)), p=PartyAtCounter(person(id_number=upgraded)))
    assert outcome(report, "TITLE_ID_NUMBER_MATCH") is Outcome.PASSED


# Seed 001 §5.2.2 权利人证件号码 — the two conditions, quoted:
#   "1. 权利人是省统一身份认证平台用户注册的证件类型为港澳居民来往内地通行证、台湾居民来往大陆
#       通行证 、护照 、港澳台居民居住证、外国人永久居留身份证的境外人士。
#    2. 产权证上的证件号码和省统一身份认证平台注册的证件号码不一致的。"
# Both must hold; then the ID numbers may differ (Shenzhen: accepted, shown as a notice).

FOREIGN_CASES = [
    ("hk_macao_permit", "H12345678", "hong_kong", "CHN"),
    ("taiwan_permit", "12345678", "taiwan", "CHN"),
    ("passport", "X1234567", "foreign", "USA"),
    ("hmt_residence_permit", "810000198512018114", "hong_kong", "CHN"),
    ("foreign_pr", "USA110080808001", "foreign", "USA"),
]


@pytest.mark.parametrize("kind,number,region,nationality", FOREIGN_CASES)
def test_foreign_document_holder_with_other_number_accepted_in_shenzhen(kind, number, region, nationality) -> None:
    p = PartyAtCounter(person(id_number=number, id_kind=kind, region=region, nationality=nationality))
    h = home(owners=(owner(id_number="A123456(7)", id_kind="hk_identity_card"),))
    report = run(h=h, p=p)
    assert outcome(report, "TITLE_ID_NUMBER_MATCH") is Outcome.PASSED
    r = report.result("TITLE_FOREIGN_ID_EXCEPTION")
    assert r.outcome is Outcome.WARN and r.severity is Severity.WARN
    assert "境外人士" in r.reason and "以产权证书登记的证件号码办理" in r.reason
    assert report.verdict is Verdict.PASSED and report.house_code


@pytest.mark.parametrize("city", ["zhongshan", "wuhan"])
def test_foreign_document_exception_goes_to_review_outside_shenzhen(city: str) -> None:
    p = PartyAtCounter(person(id_number="H12345678", id_kind="hk_macao_permit", region="hong_kong"))
    report = run(city, h=home(city, owners=(owner(id_number="A1234567", id_kind="hk_identity_card"),)), p=p)
    assert outcome(report, "TITLE_FOREIGN_ID_EXCEPTION") is Outcome.REVIEW
    assert report.verdict is Verdict.REVIEW and report.house_code is None


def test_condition_1_document_kind_resident_id_does_not_qualify() -> None:
    # A Hong Kong resident presenting a mainland-style resident ID is not one of the five kinds.
    p = person(id_number=ID_STRANGER, id_kind="resident_id", region="hong_kong")
    assert not foreign_document_exception(p, ID_OWNER)


def test_condition_1_mainland_passport_holder_is_not_overseas() -> None:
    mainland = person(id_number="E12345678", id_kind="passport", region="mainland", nationality="CHN")
    assert not foreign_document_exception(mainland, ID_OWNER)
    report = run(p=PartyAtCounter(mainland))
    assert outcome(report, "TITLE_ID_NUMBER_MATCH") is Outcome.FAILED


def test_condition_1_region_inferred_when_unknown() -> None:
    assert foreign_document_exception(person(id_number="X1", id_kind="passport", region=None, nationality="GBR"), "Y1")
    assert not foreign_document_exception(person(id_number="E1", id_kind="passport", region=None, nationality="CHN"), "Y1")
    assert not foreign_document_exception(person(id_number="E1", id_kind="passport", region=None), "Y1")
    assert foreign_document_exception(person(id_number="H1", id_kind="hk_macao_permit", region=None), "Y1")


def test_condition_2_equal_numbers_need_no_exception() -> None:
    p = person(id_number="H12345678", id_kind="hk_macao_permit", region="hong_kong")
    assert not foreign_document_exception(p, "h1234 5678")
    report = run(h=home(owners=(owner(id_number="H12345678", id_kind="hk_macao_permit"),)), p=PartyAtCounter(p))
    assert outcome(report, "TITLE_ID_NUMBER_MATCH") is Outcome.PASSED
    assert "TITLE_FOREIGN_ID_EXCEPTION" in not_run_codes(report)


def test_foreign_exception_does_not_excuse_a_name_mismatch() -> None:
    p = PartyAtCounter(person("陈大文", "H12345678", id_kind="hk_macao_permit", region="hong_kong"))
    report = run(h=home(owners=(owner("陳大文", "A1234567", id_kind="hk_identity_card"),)), p=p)
    assert outcome(report, "TITLE_NAME_EXACT") is Outcome.FAILED
    assert report.verdict is Verdict.REFUSED


# ---- notarised proxy -----------------------------------------------------------


def _proxy(city: str, valid_from: date = date(2026, 1, 1), valid_until: date | None = date(2027, 12, 31),
           notarial: str = "(2026)深证字第28732号", certificate: str | None = None) -> ProxyRegistration:
    return ProxyRegistration(
        principal=person(identity_verified=False), notarial_certificate=notarial,
        certificate_number=certificate if certificate is not None else CERTS[city],
        valid_from=valid_from, valid_until=valid_until,
    )


def _proxy_party(**kw) -> PartyAtCounter:
    return PartyAtCounter(person("李四", ID_PROXY), proxy=_proxy("shenzhen", **kw))


def test_registered_notarised_proxy_passes() -> None:
    report = run(p=_proxy_party())
    assert report.verdict is Verdict.PASSED, report.lines()
    for code in ("TITLE_PROXY_OWNER_IS_PERSON", "TITLE_PROXY_NOTARISED", "TITLE_PROXY_REGISTERED",
                 "TITLE_PROXY_IN_PERIOD"):
        assert outcome(report, code) is Outcome.PASSED
    assert {"TITLE_AGENT_FOR_OWNER", "TITLE_AGENT_IN_PERIOD"} <= not_run_codes(report)


def test_proxy_without_notarial_certificate_refused() -> None:
    assert outcome(run(p=_proxy_party(notarial="  ")), "TITLE_PROXY_NOTARISED") is Outcome.FAILED


def test_proxy_registered_for_another_certificate_refused() -> None:
    report = run(p=_proxy_party(certificate="粤(2020)深圳市不动产权第9999999号"))
    assert outcome(report, "TITLE_PROXY_REGISTERED") is Outcome.FAILED
    ime = run(p=_proxy_party(certificate="粤（２０２０）深圳市 不动产权第0128885号"))
    assert outcome(ime, "TITLE_PROXY_REGISTERED") is Outcome.PASSED


def test_proxy_registration_of_another_person_refused() -> None:
    p = PartyAtCounter(person("李四", ID_PROXY), proxy=replace(_proxy("shenzhen"), proxy_id_number=ID_STRANGER))
    r = run(p=p).result("TITLE_PROXY_REGISTERED")
    assert r.outcome is Outcome.FAILED and r.reason == "办理人不是该公证委托登记的代理人。"
    same = PartyAtCounter(person("李四", ID_PROXY), proxy=replace(_proxy("shenzhen"), proxy_id_number=ID_PROXY))
    assert outcome(run(p=same), "TITLE_PROXY_REGISTERED") is Outcome.PASSED


@pytest.mark.parametrize("today,ok", [
    (date(2025, 12, 31), False), (date(2026, 1, 1), True),
    (date(2027, 12, 31), True), (date(2028, 1, 1), False),
])
def test_proxy_period_edge_days(today: date, ok: bool) -> None:
    report = run(p=_proxy_party(), h=home(), today=today)
    assert outcome(report, "TITLE_PROXY_IN_PERIOD") is (Outcome.PASSED if ok else Outcome.FAILED)


def test_proxy_without_end_date_is_open_ended() -> None:
    report = run(p=_proxy_party(valid_until=None), today=date(2040, 1, 1))
    assert outcome(report, "TITLE_PROXY_IN_PERIOD") is Outcome.PASSED


def test_proxy_cannot_act_for_an_organisation_owner() -> None:
    org_principal = ProxyRegistration(
        principal=PersonFacts("深圳市宏达实业有限公司", CREDIT_CODE, CREDIT), notarial_certificate="(2026)深证字第1号",
        certificate_number=CERTS["shenzhen"], valid_from=date(2026, 1, 1),
    )
    report = run(h=home(owners=(_org_owner(),)), p=PartyAtCounter(person("李四", ID_PROXY), proxy=org_principal))
    assert outcome(report, "TITLE_PROXY_OWNER_IS_PERSON") is Outcome.FAILED


# ---- organisation's authorised agent ---------------------------------------------


def _org_owner(**kw) -> OwnerFacts:
    return OwnerFacts("深圳市宏达实业有限公司", CREDIT_CODE, CREDIT, **kw)


def _agent(valid_from: date = date(2026, 9, 15), valid_until: date = date(2028, 9, 14),
           scope: str = "存量房买卖及网签备案", name: str = "深圳市宏达实业有限公司") -> AgentAuthorisation:
    return AgentAuthorisation(name, CREDIT, valid_from, valid_until, scope)


def _agent_run(today: date = TODAY, **kw) -> CheckReport:
    return run(h=home(owners=(_org_owner(),)), p=PartyAtCounter(person("王五", ID_AGENT), agent=_agent(**kw)),
               today=today)


def test_authorised_agent_passes() -> None:
    report = _agent_run()
    assert report.verdict is Verdict.PASSED, report.lines()
    assert outcome(report, "TITLE_AGENT_FOR_OWNER") is Outcome.PASSED
    assert "TITLE_PROXY_NOTARISED" in not_run_codes(report)


@pytest.mark.parametrize("today,ok", [
    (date(2026, 9, 14), False), (date(2026, 9, 15), True),
    (date(2028, 9, 14), True), (date(2028, 9, 15), False),
])
def test_agent_period_edge_days(today: date, ok: bool) -> None:
    report = _agent_run(today=today)
    assert outcome(report, "TITLE_AGENT_IN_PERIOD") is (Outcome.PASSED if ok else Outcome.FAILED)


def test_agent_authorised_only_for_presale_refused() -> None:
    assert outcome(_agent_run(scope="商品房预售合同网签"), "TITLE_AGENT_SCOPE") is Outcome.FAILED
    assert outcome(_agent_run(scope=""), "TITLE_AGENT_SCOPE") is Outcome.PASSED


def test_agent_of_a_person_owned_home_refused() -> None:
    # The register lists the company's name against a person's ID (a data error): not an organisation owner.
    h = home(owners=(owner("深圳市宏达实业有限公司", CREDIT, id_kind="resident_id"),))
    report = run(h=h, p=PartyAtCounter(person("王五", ID_AGENT), agent=_agent()))
    assert outcome(report, "TITLE_AGENT_FOR_OWNER") is Outcome.FAILED


def test_agent_of_another_organisation_is_not_the_owner() -> None:
    other = AgentAuthorisation("深圳市别家有限公司", "91440300MA5FYYYY2Y", date(2026, 1, 1), date(2027, 1, 1))
    report = run(h=home(owners=(_org_owner(),)), p=PartyAtCounter(person("王五", ID_AGENT), agent=other))
    assert outcome(report, "TITLE_OWNER_ON_CERTIFICATE") is Outcome.FAILED


# ---- co-ownership ----------------------------------------------------------------


def test_shares_must_sum_to_hundred() -> None:
    good = home(co_ownership=CoOwnership.SHARES,
                owners=(owner(share=Decimal("60")), owner("林小梅", ID_CO_OWNER, share=Decimal("40.00"))))
    assert outcome(run(h=good), "TITLE_SHARES_CONSISTENT") is Outcome.PASSED
    bad = replace(good, owners=(owner(share=Decimal("60")), owner("林小梅", ID_CO_OWNER, share=Decimal("30"))))
    assert outcome(run(h=bad), "TITLE_SHARES_CONSISTENT") is Outcome.FAILED
    assert "TITLE_SHARES_CONSISTENT" in not_run_codes(run())


def test_co_owners_are_a_notice_not_a_refusal() -> None:
    h = home(owners=(owner(), owner("林小梅", ID_CO_OWNER)), co_ownership=CoOwnership.JOINT)
    report = run(h=h)
    r = report.result("TITLE_CO_OWNERS_NOTICE")
    assert r.outcome is Outcome.WARN and "2位权利人" in r.reason
    assert report.verdict is Verdict.PASSED


# ---- 房源核验 -------------------------------------------------------------------


@pytest.mark.parametrize("city", sorted(PROFILES))
@pytest.mark.parametrize("flag,code", [
    ({"status_valid": False}, "HOUSE_STATUS_VALID"),
    ({"in_transaction": True}, "HOUSE_NOT_IN_TRANSACTION"),
    ({"seized": True}, "HOUSE_NOT_SEIZED"),
    ({"restricted": True}, "HOUSE_NOT_RESTRICTED"),
    ({"use_classes_on_certificate": ("residential", "commercial")}, "HOUSE_SINGLE_USE_CLASS"),
])
def test_house_blocks_in_every_city(city: str, flag: dict, code: str) -> None:
    report = run(city, h=home(city, **flag))
    assert outcome(report, code) is Outcome.FAILED
    assert report.verdict is Verdict.REFUSED and report.house_code is None


def test_mixed_use_certificate_must_be_split_first() -> None:
    r = run(h=home(use_classes_on_certificate=("residential", "commercial"))).result("HOUSE_SINGLE_USE_CLASS")
    assert "须先到不动产登记中心办理分证" in r.reason
    same = run(h=home(use_classes_on_certificate=("residential", "residential")))
    assert outcome(same, "HOUSE_SINGLE_USE_CLASS") is Outcome.PASSED


def test_seized_message() -> None:
    assert run(h=home(seized=True)).result("HOUSE_NOT_SEIZED").reason == "该房屋已被司法查封，不能交易。"


def test_mortgaged_shenzhen_passes_with_a_notice() -> None:
    report = run(h=home(mortgaged=True))
    assert outcome(report, "HOUSE_MORTGAGE_NOTICE") is Outcome.WARN
    assert report.verdict is Verdict.PASSED and report.house_code


def test_mortgaged_wuhan_refused() -> None:
    report = run("wuhan", h=home("wuhan", mortgaged=True))
    assert outcome(report, "HOUSE_NOT_MORTGAGED") is Outcome.FAILED
    assert report.verdict is Verdict.REFUSED


def test_mortgaged_zhongshan_passes_with_a_notice() -> None:
    assert outcome(run("zhongshan", h=home("zhongshan", mortgaged=True)), "HOUSE_MORTGAGE_NOTICE") is Outcome.WARN


@pytest.mark.parametrize("city", sorted(PROFILES))
def test_use_class_not_normalised_waits_for_review(city: str) -> None:
    report = run(city, h=home(city, use_class_normalised=False))
    assert outcome(report, "HOUSE_USE_CLASS_NORMALISED") is Outcome.REVIEW
    assert report.verdict is Verdict.REVIEW and report.house_code is None
    with pytest.raises(RuleViolation) as exc:
        house_code(report)
    assert exc.value.code == "HOUSE_CODE_CHECK_NOT_PASSED"


def test_shenzhen_review_names_the_housing_fund_centre() -> None:
    r = run(h=home(use_class_normalised=False)).result("HOUSE_USE_CLASS_NORMALISED")
    assert "深圳市住房公积金管理中心" in r.reason and "一个工作日" in r.reason


@pytest.mark.parametrize("cls,ok,words", [
    (PurchaseRestriction.RESTRICTED, True, "属于限购范围"),
    (PurchaseRestriction.NOT_RESTRICTED, True, "不属于限购范围"),
    (PurchaseRestriction.UNKNOWN, False, "预约线下申报"),
])
def test_wuhan_purchase_restriction_class(cls, ok, words) -> None:
    report = run("wuhan", h=home("wuhan", purchase_restriction=cls))
    r = report.result("HOUSE_PURCHASE_RESTRICTION_KNOWN")
    assert r.outcome is (Outcome.PASSED if ok else Outcome.FAILED) and words in r.reason


def test_purchase_restriction_unknown_does_not_matter_in_shenzhen() -> None:
    report = run(h=home(purchase_restriction=PurchaseRestriction.UNKNOWN))
    assert report.verdict is Verdict.PASSED


# ---- house code ------------------------------------------------------------------


def test_house_code_is_deterministic_and_documented_shape() -> None:
    sz = PROFILES["shenzhen"]
    code = house_code_for(sz, UNITS["shenzhen"], TODAY)
    assert re.fullmatch(r"S20261121[0-9A-HJKMNP-TV-Z]{8}", code)
    assert code == house_code_for(sz, UNITS["shenzhen"], TODAY)
    assert code != house_code_for(sz, UNITS["zhongshan"], TODAY)
    assert code != house_code_for(sz, UNITS["shenzhen"], TODAY + timedelta(days=1))
    assert house_code_for(PROFILES["wuhan"], UNITS["shenzhen"], TODAY)[0] == "W"
    report = run()
    assert house_code(report) == report.house_code == code


def test_house_code_falls_back_to_certificate_and_needs_a_key() -> None:
    h = home(unit_number="")
    assert h.key == CERTS["shenzhen"]
    assert run(h=h).house_code == house_code_for(PROFILES["shenzhen"], CERTS["shenzhen"], TODAY)
    with pytest.raises(RuleViolation) as exc:
        house_code_for(PROFILES["shenzhen"], " ", TODAY)
    assert exc.value.code == "HOUSE_CODE_NO_KEY"


# ---- certificate numbers -----------------------------------------------------------


@pytest.mark.parametrize("raw,city,text", [
    ("粤(2020)深圳市不动产权第0128885号", "shenzhen", "粤(2020)深圳市不动产权第0128885号"),
    ("粤（２０２０）深圳市不动产权第０１２８８８５号", "shenzhen", "粤(2020)深圳市不动产权第0128885号"),
    (" 粤〔2020〕深圳市 不动产权 第0128885 ", "shenzhen", "粤(2020)深圳市不动产权第0128885号"),
    ("粤(2020)深圳市不动产权证第0128885号", "shenzhen", "粤(2020)深圳市不动产权第0128885号"),
    ("深房地字第5000234964号", "shenzhen", "深房地字第5000234964号"),
    ("深房地字第３０００１２３号", "shenzhen", "深房地字第3000123号"),
    ("粤(2019)中山市不动产权第0355229号", "zhongshan", "粤(2019)中山市不动产权第0355229号"),
    ("粤房地证字第c1234567号", "zhongshan", "粤房地证字第C1234567号"),
    ("鄂(2021)武汉市东西湖不动产权第0012345号", "wuhan", "鄂(2021)武汉市东西湖不动产权第0012345号"),
    ("鄂【2021】武汉市东西湖区不动产权第0012345号", "wuhan", "鄂(2021)武汉市东西湖不动产权第0012345号"),
    ("鄂(2021)武汉市不动产权第0012345号", "wuhan", "鄂(2021)武汉市不动产权第0012345号"),
    ("武房权证湖字第2010012345号", "wuhan", "武房权证湖字第2010012345号"),
])
def test_certificate_formats_good(raw: str, city: str, text: str) -> None:
    cert = parse_certificate(raw, city, today=TODAY)
    assert cert.city == city and cert.text == text
    assert parse_certificate(cert.text, today=TODAY) == cert


@pytest.mark.parametrize("raw,city,code", [
    ("", None, "CERT_EMPTY"),
    ("   ", None, "CERT_EMPTY"),
    (None, None, "CERT_EMPTY"),
    (12345, None, "INPUT_NOT_TEXT"),
    ("粤" * 200, None, "INPUT_TOO_LONG"),
    ("粤(2020)深圳市不动产证明第0128885号", None, "CERT_IS_PROOF"),
    ("鄂(2020)深圳市不动产权第0128885号", None, "CERT_PROVINCE_MISMATCH"),
    ("粤(2020)广州市不动产权第0128885号", None, "CERT_CITY_NOT_SERVED"),
    ("粤(2020)深圳市不动产权第0128885号", "wuhan", "CERT_WRONG_CITY"),
    ("深房地字第5000234964号", "zhongshan", "CERT_WRONG_CITY"),
    ("粤(2020)深圳市福田不动产权第0128885号", None, "CERT_BAD_DISTRICT"),
    ("鄂(2021)武汉市火星不动产权第0012345号", None, "CERT_BAD_DISTRICT"),
    ("粤(2013)深圳市不动产权第0128885号", None, "CERT_BAD_YEAR"),
    ("粤(2027)深圳市不动产权第0128885号", None, "CERT_BAD_YEAR"),
    ("粤(2020)深圳市不动产权第128885号", None, "CERT_BAD_SERIAL"),
    ("深房地字第123456号", None, "CERT_BAD_SERIAL"),
    ("深房地字第12345678901号", None, "CERT_BAD_SERIAL"),
    ("粤房地证字第C123456号", None, "CERT_BAD_SERIAL"),
    ("武房权证湖字第12345号", None, "CERT_BAD_SERIAL"),
    ("0128885", None, "CERT_UNKNOWN_FORMAT"),
    ("深圳市不动产权第0128885号", None, "CERT_UNKNOWN_FORMAT"),
])
def test_certificate_formats_bad(raw, city, code: str) -> None:
    with pytest.raises(RuleViolation) as exc:
        parse_certificate(raw, city, today=TODAY)
    assert exc.value.code == code
    assert exc.value.field == "certificate_number"
    assert exc.value.message.endswith("。")


def test_every_sample_register_certificate_and_unit_parses() -> None:
    homes = json.loads((ROOT / "sample_data" / "homes.json").read_text(encoding="utf-8"))
    for h in homes:
        assert parse_certificate(h["certificate_number"], h["city"], today=TODAY).text == h["certificate_number"]
        assert parse_unit_number(h["unit_number"], h["city"]).text == h["unit_number"]
        if h["check_code"]:
            assert parse_check_code(h["check_code"]) == h["check_code"]


_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789()ABCDEFGHIJKLMNOPQRSTUVWXYZ"} | {"(": "（", ")": "）"}


def _ime(text: str, how: int) -> str:
    """What an input method may type for the same number."""
    if how == 1:
        return "".join(_FULL_WIDTH.get(c, c) for c in text)
    if how == 2:
        return " " + text.replace("(", "〔").replace(")", "〕").replace("第", " 第 ") + "\u3000"
    if how == 3:
        return text.removesuffix("号").lower()
    return text


@st.composite
def valid_certificates(draw) -> tuple[str, CertificateKind, str, int | None, str, str]:
    city = draw(st.sampled_from(sorted(CITIES)))
    c = CITIES[city]
    digits = st.text(alphabet="0123456789", min_size=7, max_size=7)
    form = draw(st.sampled_from(["unified", "old"]))
    if form == "unified":
        year = draw(st.integers(2014, TODAY.year))
        district = draw(st.sampled_from(("",) + c.districts))
        serial = draw(digits)
        text = f"{c.province}({year}){c.name}{district}不动产权第{serial}号"
        return text, CertificateKind.REAL_ESTATE, city, year, district, serial
    if city == "shenzhen":
        serial = draw(st.text(alphabet="0123456789", min_size=7, max_size=10))
        return f"深房地字第{serial}号", CertificateKind.HOUSE_LAND, city, None, "", serial
    if city == "zhongshan":
        letter = draw(st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"))
        serial = draw(digits)
        return f"粤房地证字第{letter}{serial}号", CertificateKind.HOUSE_LAND, city, None, letter, serial
    district = draw(st.sampled_from("湖昌岸汉口阳山洪市"))
    serial = draw(st.text(alphabet="0123456789", min_size=6, max_size=12))
    return f"武房权证{district}字第{serial}号", CertificateKind.HOUSE_OWNERSHIP, city, None, district, serial


@FAST
@given(valid_certificates(), st.integers(0, 3))
def test_generated_certificates_parse_and_round_trip(case, how: int) -> None:
    text, kind, city, year, district, serial = case
    cert = parse_certificate(_ime(text, how), city, today=TODAY)
    assert cert == CertificateNumber(kind, city, year, district, serial, text)
    assert parse_certificate(cert.text, today=TODAY) == cert
    assert normalize_certificate(cert.text) == cert.text


_NEAR = "粤鄂深中武汉市圳山房地字证权不动产第号明区湖东西()（）〔〕0123456789ABCXx \u3000"


@FAST
@given(st.one_of(st.text(max_size=60), st.text(alphabet=_NEAR, max_size=40)))
def test_junk_never_raises_anything_but_rule_violation(raw: str) -> None:
    for parse in (
        lambda s: parse_certificate(s, today=TODAY),
        lambda s: parse_certificate(s, "wuhan", today=TODAY),
        parse_check_code,
        parse_unit_number,
        lambda s: parse_unit_number(s, "shenzhen"),
    ):
        try:
            parse(raw)
        except RuleViolation as exc:
            assert exc.code and exc.message.endswith("。")


@FAST
@given(st.sampled_from(sorted(CITIES)), st.text(alphabet="0123456789", min_size=14, max_size=14),
       st.sampled_from("GJZ"), st.sampled_from("ABSXCDEWY"), st.sampled_from("FLQW"),
       st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_generated_unit_numbers_parse_and_round_trip(city, digits, own, right, fixture, tail) -> None:
    text = CITIES[city].unit_prefix + digits[:8] + own + right + digits[8:13] + fixture + tail
    unit = parse_unit_number(" " + text.lower()[:10] + "\u3000" + text[10:], city)
    assert unit.text == text and unit.city_prefix == CITIES[city].unit_prefix
    assert unit.grouped.replace(" ", "") == text
    assert parse_unit_number(unit.text) == unit


def test_check_code_shapes() -> None:
    assert parse_check_code(" bvnup3 ") == "BVNUP3"
    for raw, code in (("", "CHECK_CODE_EMPTY"), ("AB", "CHECK_CODE_BAD_FORMAT"), ("AB-CD#", "CHECK_CODE_BAD_FORMAT")):
        with pytest.raises(RuleViolation) as exc:
            parse_check_code(raw)
        assert exc.value.code == code and exc.value.field == "check_code"
