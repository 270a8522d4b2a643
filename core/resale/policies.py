"""City policy profiles for resale net-signing, as data.

After FAO SOLA's business rules: every rule in ``RULES`` has a stable code,
the stage it runs at, a severity and a Chinese message (the sentence a clerk
reads out when the rule does not pass; ``ok`` is shown when it does).  A
``PolicyProfile`` is a city's selection of those rules, each with an optional
severity override and message parameters, plus a few city parameters
(lookup modes, real-name level, draft expiry, house-code letter).

Severity says what a rule that does not pass does to the case:

* ``block``  — refused (不予通过); the clerk reads the message out;
* ``review`` — the case waits for a review (待核定) and may go on afterwards;
* ``warn``   — the check still passes; the message is shown as a notice.

The hall's city is configuration (``profile_for``); a case records
``profile.ref`` ("shenzhen/1") so it can always be re-read with the profile
version it was checked under (``profile_by_ref``).  A changed profile gets a
new version; old versions stay in ``_HISTORY``.

Sources (seeds): 001 Shenzhen self-service resale guide §5.2 产权校验;
002 Zhongshan resale net-signing guide; 003 Wuhan self-trade guide.

Pure: stdlib + core only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from core.resale.filing import FilingRoute
from core.errors import RuleViolation

__all__ = [
    "Severity",
    "SEVERITY_LABELS",
    "Stage",
    "STAGE_LABELS",
    "STAGE_ORDER",
    "LookupMode",
    "LOOKUP_MODE_LABELS",
    "Rule",
    "RULES",
    "RuleUse",
    "PolicyProfile",
    "PROFILES",
    "rule",
    "profile_for",
    "profile_by_ref",
    "draft_expires_at",
]


class Severity(StrEnum):
    BLOCK = "block"
    REVIEW = "review"
    WARN = "warn"


SEVERITY_LABELS: dict[Severity, str] = {
    Severity.BLOCK: "不予通过",
    Severity.REVIEW: "待核定",
    Severity.WARN: "提示",
}


class Stage(StrEnum):
    LOOKUP = "lookup"  # 查询房源
    TITLE = "title"  # 产权校验
    HOUSE = "house"  # 房源核验
    CONTRACT = "contract"  # 合同填写 (rules kept here, run by the contract flow)


STAGE_LABELS: dict[Stage, str] = {
    Stage.LOOKUP: "查询房源",
    Stage.TITLE: "产权校验",
    Stage.HOUSE: "房源核验",
    Stage.CONTRACT: "合同填写",
}
STAGE_ORDER: tuple[Stage, ...] = (Stage.LOOKUP, Stage.TITLE, Stage.HOUSE, Stage.CONTRACT)


class LookupMode(StrEnum):
    CERTIFICATE = "certificate"  # 产权证书编号 (+ 校验码 where required)
    NAME_AND_UNIT = "name_and_unit"  # 姓名 + 不动产单元号 (seed 002)
    OWNER_RECORDS = "owner_records"  # 个人房产信息查询 by the seller's identity (seed 003)


LOOKUP_MODE_LABELS: dict[LookupMode, str] = {
    LookupMode.CERTIFICATE: "产权证书编号",
    LookupMode.NAME_AND_UNIT: "姓名+不动产单元号",
    LookupMode.OWNER_RECORDS: "个人房产信息查询",
}


@dataclass(frozen=True)
class Rule:
    """One business rule of the catalogue.

    ``message`` (not passed) and ``ok`` (passed) may carry ``{name}``
    placeholders filled from the profile's parameters for the rule; the check
    may replace ``message`` with a more specific sentence (e.g. the
    traditional/simplified explanation of a name mismatch).
    """

    code: str
    stage: Stage
    severity: Severity
    title: str  # what is checked, shown in the list of rules
    message: str
    ok: str
    source: str  # where the rule comes from


def _r(code: str, stage: Stage, severity: Severity, title: str, message: str, ok: str, source: str) -> Rule:
    return Rule(code, stage, severity, title, message, ok, source)


_L, _T, _H, _C = Stage.LOOKUP, Stage.TITLE, Stage.HOUSE, Stage.CONTRACT
_B, _V, _W = Severity.BLOCK, Severity.REVIEW, Severity.WARN

#: The rule catalogue, in the order the checks run.
RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        # ---- 查询房源 -------------------------------------------------------
        _r("LOOKUP_MODE_OFFERED", _L, _B, "查询方式",
           "本市不支持该查询方式，请改用{modes}查询房源。",
           "查询方式可用。", "002 三(二); 003 二"),
        _r("LOOKUP_CERTIFICATE_FORMAT", _L, _B, "产权证书编号格式",
           "产权证书编号格式不正确。", "产权证书编号格式正确。", "001 §5.2.2"),
        _r("LOOKUP_CHECK_CODE_REQUIRED", _L, _B, "校验码",
           "按产权证书编号查询房源须同时输入证书上的校验码。", "已输入校验码。", "002 三(二)"),
        _r("LOOKUP_CHECK_CODE_MATCH", _L, _B, "校验码核对",
           "输入的校验码与产权证书不符，请核对证书上的校验码。", "校验码与产权证书相符。", "002 三(二)"),
        _r("LOOKUP_UNIT_NUMBER_FORMAT", _L, _B, "不动产单元号格式",
           "不动产单元号格式不正确。", "不动产单元号格式正确。", "002 三(二)"),
        _r("LOOKUP_UNIT_NUMBER_MATCH", _L, _B, "不动产单元号核对",
           "输入的不动产单元号与该房屋登记的不一致，请向不动产登记部门核实。",
           "不动产单元号与登记一致。", "002 三(二)"),
        _r("LOOKUP_REGISTER_QUERIED_TODAY", _L, _B, "当日个人房产信息查询",
           "请在本日先进行一次个人房产信息查询，再办理房源核验。",
           "本日已进行个人房产信息查询。", "003 二"),
        # ---- 产权校验 -------------------------------------------------------
        _r("TITLE_IDENTITY_VERIFIED", _T, _B, "办理人实名核验",
           "办理人尚未完成实名核验（实名等级须达{min_level}级或在窗口核验身份证件原件），请先核验身份。",
           "办理人已完成实名核验。", "001 §5.2.1.1 第2、3条; §5.2.1.2"),
        _r("TITLE_CAPACITY", _T, _B, "办理人身份",
           "办理人只能以权利人本人、公证委托代理人或机构经办人中的一种身份办理。",
           "办理人身份明确。", "001 §5.2.2 当前登录用户身份"),
        _r("TITLE_OWNER_ON_CERTIFICATE", _T, _B, "权利人在证",
           "输入的权利人不是该产权证书登记的权利人，不能办理产权校验。",
           "权利人为该产权证书登记的权利人。", "001 §5.2.2 权利人名称"),
        _r("TITLE_OWNER_NOT_BLACKLISTED", _T, _B, "权利人黑名单",
           "该权利人已被纳入黑名单，不能办理网签。", "权利人未被纳入黑名单。", "001 §5.2.1.1 第1条"),
        _r("TITLE_NAME_EXACT", _T, _B, "权利人名称一致",
           "输入的权利人名称与不动产权证书登记的不一致，须与登记完全一致。",
           "权利人名称与登记完全一致。", "001 §5.2.2 权利人名称; 002 一(三)2"),
        _r("TITLE_ID_NUMBER_MATCH", _T, _B, "权利人证件号码一致",
           "输入的证件号码与产权证书登记的权利人证件号码不一致。",
           "证件号码与产权证书登记一致。", "001 §5.2.2 权利人证件号码"),
        _r("TITLE_FOREIGN_ID_EXCEPTION", _T, _W, "境外人士证件号码例外",
           "权利人为持{kind}的境外人士，证件号码与产权证书登记的不一致，{handling}。",
           "", "001 §5.2.2 权利人证件号码 条件1、2"),
        _r("TITLE_PROXY_OWNER_IS_PERSON", _T, _B, "委托人为自然人",
           "只有自然人权利人可以公证委托代理人，机构名下房屋须由机构经办人办理。",
           "委托人为自然人权利人。", "001 第3章; §5.2.1.1 第4条"),
        _r("TITLE_PROXY_NOTARISED", _T, _B, "公证委托",
           "代理人须持公证委托书办理，请录入公证书编号。", "代理人持有公证委托书。", "001 第3章"),
        _r("TITLE_PROXY_REGISTERED", _T, _B, "委托关联业务",
           "该代理人尚未就本产权证书办理委托关联业务，请先携公证委托书到房屋交易业务网点办理关联。",
           "代理人已就本产权证书办理委托关联业务。", "001 第3章; §5.2.2 注意"),
        _r("TITLE_PROXY_IN_PERIOD", _T, _B, "委托有效期",
           "公证委托不在有效期内。", "今天在公证委托有效期内。", "001 第3章"),
        _r("TITLE_AGENT_FOR_OWNER", _T, _B, "经办人授权单位",
           "经办人的授权单位不是该产权证书登记的机构权利人。", "经办人由登记的机构权利人授权。",
           "001 §1.3; §5.2.1.2"),
        _r("TITLE_AGENT_SCOPE", _T, _B, "经办人授权事项",
           "经办人的授权事项不包括存量房买卖，请法人重新添加授权。", "经办人授权事项包括存量房买卖。",
           "001 §1.3; §4.2.2"),
        _r("TITLE_AGENT_IN_PERIOD", _T, _B, "经办人授权期限",
           "经办人不在授权期限内。", "今天在经办人授权期限内。", "001 §1.3 填写授权时间"),
        _r("TITLE_SHARES_CONSISTENT", _T, _B, "共有份额",
           "产权证书登记的按份共有份额合计不为100%，请到不动产登记中心核实。",
           "共有份额登记完整。", "001 §5.2.2.3 所占份额; DOMAIN 共有"),
        _r("TITLE_CO_OWNERS_NOTICE", _T, _W, "共有人",
           "该房屋登记有{count}位权利人，签约时每位共有人均须核验身份或委托代理人。",
           "该房屋为单独所有。", "002 三(四); 001 §5.2.2.3"),
        # ---- 房源核验 -------------------------------------------------------
        _r("HOUSE_STATUS_VALID", _H, _B, "房屋状态有效",
           "该房屋产权状态不是有效，不能交易。", "房屋产权状态有效。", "001 §5.2.1.3 第1条"),
        _r("HOUSE_NOT_IN_TRANSACTION", _H, _B, "未在交易中",
           "该房屋正在办理其他交易，不能重复网签。", "房屋未在其他交易中。", "DOMAIN 一房一状态"),
        _r("HOUSE_NOT_SEIZED", _H, _B, "未查封",
           "该房屋已被司法查封，不能交易。", "房屋未被查封。", "003 二; 004"),
        _r("HOUSE_NOT_RESTRICTED", _H, _B, "未被行政限制",
           "该房屋已被行政限制交易，不能交易。", "房屋未被行政限制。", "004; DOMAIN 房源核验"),
        _r("HOUSE_NOT_MORTGAGED", _H, _B, "无抵押",
           "该房屋已抵押，本市自行交易仅受理无查封、无抵押的房屋，请先办理抵押注销。",
           "房屋无抵押。", "003 二"),
        _r("HOUSE_MORTGAGE_NOTICE", _H, _W, "抵押提示",
           "该房屋已抵押，可以交易，请提示买卖双方办理抵押注销或带押过户。",
           "房屋无抵押。", "001 §5.2.1.3 第1条"),
        _r("HOUSE_SINGLE_USE_CLASS", _H, _B, "一证多房用途",
           "该产权证书对应多套房屋且用途大类不一致，须先到不动产登记中心办理分证后方可交易。",
           "产权证书下房屋用途大类一致。", "001 §5.2.1.3 第2条"),
        _r("HOUSE_USE_CLASS_NORMALISED", _H, _V, "用途大类规范",
           "该房屋用途大类未规范，须由{authority}进行限购/限售核定，核定结果将于{days}内以短信通知合同录入人。",
           "房屋用途大类已规范。", "001 §5.2.1.3 第3条"),
        _r("HOUSE_PURCHASE_RESTRICTION_KNOWN", _H, _B, "限购范围",
           "该房屋暂无法确认是否属于限购范围，请交易当事人向房屋所在区房管部门预约线下申报网签。",
           "已确认房屋是否属于限购范围。", "003 三"),
        # ---- 合同填写 (run by the contract flow) ----------------------------
        _r("CONTRACT_DRAFT_EXPIRY", _C, _B, "合同草稿时限",
           "合同创建后{hours}小时内未提交，系统已自动删除该合同，请重新签订。",
           "合同在时限内提交。", "002 三(四)"),
        _r("CONTRACT_BUYER_QUALIFICATION", _C, _B, "购房资格审查",
           "该住宅须经购房资格审查通过后方可签约，请先申请购房资格审查。",
           "购房资格审查已通过或无须审查。", "001 §7（购房资格码）、003 三（限购）"),
        _r("CONTRACT_REVOCATION_BY_CODE", _C, _W, "凭短信验证码撤销网签",
           "交易当事人可凭合同编号、身份证件号码和短信验证码撤销网签，系统向另一方发送短信告知。",
           "本市提供凭短信验证码撤销网签。", "003 撤销操作指南"),
    )
}


def rule(code: str) -> Rule:
    """The catalogue entry for ``code``; POLICY_UNKNOWN_RULE if none."""
    try:
        return RULES[code]
    except KeyError:
        raise RuleViolation("POLICY_UNKNOWN_RULE", f"规则目录中没有“{code}”这条规则。") from None


@dataclass(frozen=True)
class RuleUse:
    """A profile's use of a catalogue rule: severity override and parameters."""

    code: str
    severity: Severity | None = None
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def rule(self) -> Rule:
        return rule(self.code)

    @property
    def effective_severity(self) -> Severity:
        return self.severity or self.rule.severity

    def message(self, **extra: object) -> str:
        return _fill(self.rule.message, {**self.params, **extra})

    def ok(self, **extra: object) -> str:
        return _fill(self.rule.ok, {**self.params, **extra})


class _Keep(dict):  # leaves unknown placeholders visible instead of failing
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: Mapping[str, object]) -> str:
    return template.format_map(_Keep(values))


def _use(code: str, severity: Severity | None = None, **params: str) -> RuleUse:
    return RuleUse(code, severity, MappingProxyType(dict(params)))


@dataclass(frozen=True)
class PolicyProfile:
    """A city's resale rules: which catalogue rules run, how, and parameters."""

    code: str  # shenzhen / zhongshan / wuhan (= certificates.City.code)
    version: int
    city: str  # 深圳市
    letter: str  # first character of the house codes it issues
    lookup_modes: tuple[LookupMode, ...]
    min_real_name_level: int
    draft_expiry_hours: int | None  # None: drafts do not expire
    rules: tuple[RuleUse, ...]
    sources: str
    filing: FilingRoute = FilingRoute.REVIEW  # how a signed contract is filed (core.resale.filing)

    @property
    def ref(self) -> str:
        """What a case records: "shenzhen/1"."""
        return f"{self.code}/{self.version}"

    def uses(self, code: str) -> RuleUse | None:
        """This profile's use of rule ``code``, or None if not selected."""
        for use in self.rules:
            if use.code == code:
                return use
        return None

    def selects(self, code: str) -> bool:
        return self.uses(code) is not None

    def rules_at(self, stage: Stage) -> tuple[RuleUse, ...]:
        return tuple(u for u in self.rules if u.rule.stage is stage)

    @property
    def mortgage_allowed(self) -> bool:
        return not self.selects("HOUSE_NOT_MORTGAGED")


_TITLE_COMMON = (
    "TITLE_IDENTITY_VERIFIED", "TITLE_CAPACITY", "TITLE_OWNER_ON_CERTIFICATE",
    "TITLE_OWNER_NOT_BLACKLISTED", "TITLE_NAME_EXACT", "TITLE_ID_NUMBER_MATCH",
)
_TITLE_AGENTS = (
    "TITLE_PROXY_OWNER_IS_PERSON", "TITLE_PROXY_NOTARISED", "TITLE_PROXY_REGISTERED",
    "TITLE_PROXY_IN_PERIOD", "TITLE_AGENT_FOR_OWNER", "TITLE_AGENT_SCOPE", "TITLE_AGENT_IN_PERIOD",
    "TITLE_SHARES_CONSISTENT", "TITLE_CO_OWNERS_NOTICE",
)
_HOUSE_COMMON = ("HOUSE_STATUS_VALID", "HOUSE_NOT_IN_TRANSACTION", "HOUSE_NOT_SEIZED", "HOUSE_NOT_RESTRICTED")
_REVIEW_HANDLING = "须经审核确认为同一人后方可办理"

SHENZHEN = PolicyProfile(
    code="shenzhen", version=1, city="深圳市", letter="S",
    lookup_modes=(LookupMode.CERTIFICATE,),
    min_real_name_level=4,
    draft_expiry_hours=24,
    rules=(
        _use("LOOKUP_MODE_OFFERED"), _use("LOOKUP_CERTIFICATE_FORMAT"), _use("LOOKUP_CHECK_CODE_MATCH"),
        *(_use(c) for c in _TITLE_COMMON),
        # Seed 001: under both conditions the ID field "可以手动修改成产权证书的证件号码".
        _use("TITLE_FOREIGN_ID_EXCEPTION", Severity.WARN, handling="按规定以产权证书登记的证件号码办理"),
        *(_use(c) for c in _TITLE_AGENTS),
        *(_use(c) for c in _HOUSE_COMMON),
        _use("HOUSE_MORTGAGE_NOTICE"),  # 001 §5.2.1.3: 房屋状态为有效、抵押
        _use("HOUSE_SINGLE_USE_CLASS"),
        _use("HOUSE_USE_CLASS_NORMALISED", authority="深圳市住房公积金管理中心", days="一个工作日"),
        # Seed 001 is silent on drafts; the seed 002 window applies so a draft never holds a home for long.
        _use("CONTRACT_DRAFT_EXPIRY", hours="24"),
        _use("CONTRACT_BUYER_QUALIFICATION", scope="all"),  # 001 §7: 购房资格码
    ),
    sources="seed 001",
)

ZHONGSHAN = PolicyProfile(
    code="zhongshan", version=1, city="中山市", letter="Z",
    lookup_modes=(LookupMode.CERTIFICATE, LookupMode.NAME_AND_UNIT),
    min_real_name_level=4,
    draft_expiry_hours=24,
    rules=(
        _use("LOOKUP_MODE_OFFERED"), _use("LOOKUP_CERTIFICATE_FORMAT"),
        _use("LOOKUP_CHECK_CODE_REQUIRED"), _use("LOOKUP_CHECK_CODE_MATCH"),
        _use("LOOKUP_UNIT_NUMBER_FORMAT"), _use("LOOKUP_UNIT_NUMBER_MATCH"),
        *(_use(c) for c in _TITLE_COMMON),
        # Not in seed 002: the exception goes to review rather than passing.
        _use("TITLE_FOREIGN_ID_EXCEPTION", Severity.REVIEW, handling=_REVIEW_HANDLING),
        *(_use(c) for c in _TITLE_AGENTS),
        *(_use(c) for c in _HOUSE_COMMON),
        _use("HOUSE_MORTGAGE_NOTICE"),  # seed 002 is silent; the Civil Code (art. 406) allows it
        _use("HOUSE_SINGLE_USE_CLASS"),
        _use("HOUSE_USE_CLASS_NORMALISED", authority="中山市房地产交易管理事务中心", days="一个工作日"),
        _use("CONTRACT_DRAFT_EXPIRY", hours="24"),
    ),
    sources="seed 002 (+ seed 001 for rules the Zhongshan guide does not state)",
    filing=FilingRoute.AT_SIGNING,
)

WUHAN = PolicyProfile(
    code="wuhan", version=1, city="武汉市", letter="W",
    lookup_modes=(LookupMode.OWNER_RECORDS, LookupMode.CERTIFICATE),
    min_real_name_level=4,
    draft_expiry_hours=24,
    rules=(
        _use("LOOKUP_MODE_OFFERED"), _use("LOOKUP_CERTIFICATE_FORMAT"), _use("LOOKUP_REGISTER_QUERIED_TODAY"),
        *(_use(c) for c in _TITLE_COMMON),
        _use("TITLE_FOREIGN_ID_EXCEPTION", Severity.REVIEW, handling=_REVIEW_HANDLING),
        *(_use(c) for c in _TITLE_AGENTS),
        *(_use(c) for c in _HOUSE_COMMON),
        _use("HOUSE_NOT_MORTGAGED"),  # 003: 仅支持无查封、无抵押的存量房
        _use("HOUSE_SINGLE_USE_CLASS"),
        _use("HOUSE_USE_CLASS_NORMALISED", authority="房屋所在区房管部门", days="一个工作日"),
        _use("HOUSE_PURCHASE_RESTRICTION_KNOWN"),
        # Seed 003 is silent on drafts; the seed 002 window applies so a draft never holds a home for long.
        _use("CONTRACT_DRAFT_EXPIRY", hours="24"),
        _use("CONTRACT_BUYER_QUALIFICATION", scope="restricted"),  # 003 三: 限购范围的房屋
        _use("CONTRACT_REVOCATION_BY_CODE"),
    ),
    sources="seed 003 (+ seed 001 for rules the Wuhan guide does not state)",
    filing=FilingRoute.AT_TRANSFER,
)

#: Current profile per city code.
PROFILES: dict[str, PolicyProfile] = {p.code: p for p in (SHENZHEN, ZHONGSHAN, WUHAN)}
#: Every version ever issued, by ref; a case re-reads the one it recorded.
_HISTORY: dict[str, PolicyProfile] = {p.ref: p for p in PROFILES.values()}
_BY_CITY_NAME = {p.city: p for p in PROFILES.values()} | {p.city.removesuffix("市"): p for p in PROFILES.values()}


def profile_for(city: str) -> PolicyProfile:
    """The current profile for the hall's configured city.

    Accepts the city code ("shenzhen") or its Chinese name ("深圳市" / "深圳").
    """
    key = (city or "").strip()
    found = PROFILES.get(key.lower()) or _BY_CITY_NAME.get(key)
    if found is None:
        raise RuleViolation(
            "POLICY_UNKNOWN_CITY",
            f"没有“{key}”的城市政策配置，请联系系统管理员设置本厅所在城市。",
        )
    return found


def profile_by_ref(ref: str) -> PolicyProfile:
    """The profile version a case recorded ("shenzhen/1")."""
    try:
        return _HISTORY[ref]
    except KeyError:
        raise RuleViolation("POLICY_UNKNOWN_PROFILE", f"找不到业务记录的政策配置“{ref}”。") from None


def draft_expires_at(profile: PolicyProfile, created_at: datetime) -> datetime | None:
    """When an unsubmitted contract draft is deleted (Zhongshan: 24 h), or None."""
    if profile.draft_expiry_hours is None:
        return None
    return created_at + timedelta(hours=profile.draft_expiry_hours)
