"""City policy profiles as data: the catalogue, the three profiles, their differences."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from core.resale import policies
from core.errors import RuleViolation
from core.resale.policies import (
    PROFILES,
    RULES,
    LookupMode,
    Severity,
    Stage,
    draft_expires_at,
    profile_by_ref,
    profile_for,
)
from core.resale.title_check import _EVALUATORS, CHECK_STAGES

SZ, ZS, WH = PROFILES["shenzhen"], PROFILES["zhongshan"], PROFILES["wuhan"]


# ---- the catalogue ---------------------------------------------------------


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_complete_data(code: str) -> None:
    r = RULES[code]
    assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", r.code)
    assert isinstance(r.stage, Stage) and isinstance(r.severity, Severity)
    assert r.title and r.source
    # One plain Chinese sentence each.
    assert r.message.endswith("。") and r.message.count("。") == 1
    assert re.search(r"[\u4e00-\u9fff]", r.message)
    assert r.ok == "" or (r.ok.endswith("。") and r.ok.count("。") == 1)


def test_rule_lookup_refuses_unknown_code() -> None:
    assert policies.rule("HOUSE_NOT_SEIZED").stage is Stage.HOUSE
    with pytest.raises(RuleViolation) as exc:
        policies.rule("NO_SUCH_RULE")
    assert exc.value.code == "POLICY_UNKNOWN_RULE"


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
def test_profiles_select_catalogue_rules_once_and_can_run_them(profile) -> None:
    codes = [u.code for u in profile.rules]
    assert len(codes) == len(set(codes))
    for use in profile.rules:
        assert use.code in RULES
        if use.rule.stage in CHECK_STAGES:
            assert use.code in _EVALUATORS  # every selected check rule has code behind it
    assert profile.ref == f"{profile.code}/{profile.version}"
    assert profile.letter.isascii() and len(profile.letter) == 1


def test_every_check_rule_has_an_evaluator_and_vice_versa() -> None:
    check_rules = {c for c, r in RULES.items() if r.stage in CHECK_STAGES}
    assert check_rules == set(_EVALUATORS)


def test_house_code_letters_differ_between_cities() -> None:
    assert len({p.letter for p in PROFILES.values()}) == len(PROFILES)


# ---- the hall's city is configuration; a case records the profile ------------


@pytest.mark.parametrize("setting", ["shenzhen", "Shenzhen ", "深圳市", "深圳"])
def test_profile_for_accepts_code_or_city_name(setting: str) -> None:
    assert profile_for(setting) is SZ


@pytest.mark.parametrize("setting", ["", "guangzhou", "广州市"])
def test_profile_for_unknown_city_is_refused(setting: str) -> None:
    with pytest.raises(RuleViolation) as exc:
        profile_for(setting)
    assert exc.value.code == "POLICY_UNKNOWN_CITY"


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
def test_case_reads_back_the_profile_it_recorded(profile) -> None:
    assert profile_by_ref(profile.ref) is profile


def test_unknown_profile_ref_is_refused() -> None:
    with pytest.raises(RuleViolation) as exc:
        profile_by_ref("shenzhen/999")
    assert exc.value.code == "POLICY_UNKNOWN_PROFILE"


# ---- parameters and severity overrides --------------------------------------


def test_rule_use_fills_message_parameters() -> None:
    use = SZ.uses("HOUSE_USE_CLASS_NORMALISED")
    assert use.effective_severity is Severity.REVIEW
    assert "深圳市住房公积金管理中心" in use.message() and "一个工作日" in use.message()
    assert "{" not in use.message()
    assert "中山市房地产交易管理事务中心" in ZS.uses("HOUSE_USE_CLASS_NORMALISED").message()


def test_unknown_placeholder_stays_visible_rather_than_failing() -> None:
    use = SZ.uses("TITLE_CO_OWNERS_NOTICE")
    assert "{count}" in use.message()
    assert "3位" in use.message(count=3)


# ---- city differences --------------------------------------------------------


def test_mortgage_shenzhen_allows_wuhan_refuses() -> None:
    # Seed 001 §5.2.1.3: 房屋状态为有效、抵押; seed 003: 仅支持无查封、无抵押.
    assert SZ.mortgage_allowed and SZ.selects("HOUSE_MORTGAGE_NOTICE")
    assert SZ.uses("HOUSE_MORTGAGE_NOTICE").effective_severity is Severity.WARN
    assert not WH.mortgage_allowed and WH.selects("HOUSE_NOT_MORTGAGED")
    assert WH.uses("HOUSE_NOT_MORTGAGED").effective_severity is Severity.BLOCK
    assert not WH.selects("HOUSE_MORTGAGE_NOTICE")


def test_zhongshan_mortgage_not_stated_in_seed_follows_civil_code() -> None:
    assert ZS.mortgage_allowed


def test_check_code_required_only_in_zhongshan() -> None:
    assert ZS.selects("LOOKUP_CHECK_CODE_REQUIRED")
    assert not SZ.selects("LOOKUP_CHECK_CODE_REQUIRED")
    assert not WH.selects("LOOKUP_CHECK_CODE_REQUIRED")


def test_lookup_modes_per_city() -> None:
    assert SZ.lookup_modes == (LookupMode.CERTIFICATE,)
    assert set(ZS.lookup_modes) == {LookupMode.CERTIFICATE, LookupMode.NAME_AND_UNIT}
    assert LookupMode.OWNER_RECORDS in WH.lookup_modes
    assert ZS.selects("LOOKUP_UNIT_NUMBER_MATCH") and not SZ.selects("LOOKUP_UNIT_NUMBER_MATCH")


def test_purchase_restriction_and_same_day_query_only_in_wuhan() -> None:
    for code in ("HOUSE_PURCHASE_RESTRICTION_KNOWN", "LOOKUP_REGISTER_QUERIED_TODAY"):
        assert WH.selects(code)
        assert not SZ.selects(code) and not ZS.selects(code)


def test_foreign_id_exception_passes_in_shenzhen_goes_to_review_elsewhere() -> None:
    assert SZ.uses("TITLE_FOREIGN_ID_EXCEPTION").effective_severity is Severity.WARN
    assert ZS.uses("TITLE_FOREIGN_ID_EXCEPTION").effective_severity is Severity.REVIEW
    assert WH.uses("TITLE_FOREIGN_ID_EXCEPTION").effective_severity is Severity.REVIEW


def test_drafts_expire_after_24_hours_in_every_city() -> None:
    created = datetime(2026, 11, 21, 9, 30)
    for profile in (SZ, ZS, WH):
        assert draft_expires_at(profile, created) == created + timedelta(hours=24)
        assert profile.uses("CONTRACT_DRAFT_EXPIRY").message().startswith("合同创建后24小时内")


def test_qualification_and_revocation_differ_by_city() -> None:
    from core.resale.lifecycle import qualification_required

    def needs(profile, restriction, residential=True):
        return qualification_required(profile, residential=residential, purchase_restriction=restriction)

    assert needs(SZ, "not_restricted") and not needs(SZ, "not_restricted", residential=False)
    assert needs(WH, "restricted") and not needs(WH, "not_restricted")
    assert not needs(ZS, "restricted")
    assert WH.selects("CONTRACT_REVOCATION_BY_CODE")
    assert not SZ.selects("CONTRACT_REVOCATION_BY_CODE") and not ZS.selects("CONTRACT_REVOCATION_BY_CODE")


def test_rules_at_keeps_stage_membership() -> None:
    for profile in PROFILES.values():
        for stage in Stage:
            assert all(u.rule.stage is stage for u in profile.rules_at(stage))
