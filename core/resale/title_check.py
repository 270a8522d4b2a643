"""Title check (产权校验) and house check (房源核验) for resale net-signing.

Pure functions over plain frozen dataclasses: the service loads the home,
its owners and the person at the counter from storage, builds these facts
and calls ``run_checks``; nothing here touches a database or a screen.

``run_checks`` runs the profile's rules stage by stage (查询房源 → 产权校验 →
房源核验, see ``core.resale.policies``) and returns a ``CheckReport`` that lists
EVERY rule that ran with its outcome (passed / failed / review / warn), its
severity, code and Chinese reason, plus the rules of the profile that did not
run and why (not applicable, or an earlier stage refused).  A stage runs only
when the stages before it have no refusal: the house facts of a home are not
shown for a person who is not its owner or agent.

The verdict: any ``failed`` result → refused (不予通过); otherwise any
``review`` → waits for review (待核定); otherwise passed (校验通过, warnings
are notices only).  A passed check carries its house code (房源编码, see
``house_code_for``).
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Callable

from core.errors import RuleViolation
from core.identity import ID_KIND_LABELS, IdKind, check_char_gb11643, mask_name, normalize
from core.resale.certificates import (
    normalize_certificate,
    parse_certificate,
    parse_check_code,
    parse_unit_number,
)
from core.resale.policies import (
    LOOKUP_MODE_LABELS,
    RULES,
    STAGE_LABELS,
    LookupMode,
    PolicyProfile,
    RuleUse,
    Severity,
    Stage,
    profile_by_ref,
)
from core.text import printable

__all__ = [
    "CAPACITY_LABELS",
    "PURCHASE_RESTRICTION_LABELS",
    "CREDIT_CODE",
    "CoOwnership",
    "PurchaseRestriction",
    "Capacity",
    "Outcome",
    "OUTCOME_LABELS",
    "Verdict",
    "VERDICT_LABELS",
    "PersonFacts",
    "OwnerFacts",
    "HomeFacts",
    "ProxyRegistration",
    "AgentAuthorisation",
    "PartyAtCounter",
    "LookupRequest",
    "RuleResult",
    "NotRun",
    "CheckReport",
    "TRADITIONAL_TO_SIMPLIFIED",
    "to_simplified",
    "name_mismatch_message",
    "FOREIGN_DOCUMENT_KINDS",
    "foreign_document_exception",
    "same_id_number",
    "CHECK_STAGES",
    "run_checks",
    "house_code_for",
    "house_code",
]

#: ``id_kind`` of an organisation owner (unified social credit code).
CREDIT_CODE = "credit_code"


class CoOwnership(StrEnum):
    SOLE = "sole"  # 单独所有
    JOINT = "joint"  # 共同共有
    SHARES = "shares"  # 按份共有


class PurchaseRestriction(StrEnum):
    RESTRICTED = "restricted"  # 属于限购范围
    NOT_RESTRICTED = "not_restricted"  # 不属于限购范围
    UNKNOWN = "unknown"  # 无法判断


class Capacity(StrEnum):
    OWNER = "owner"  # 权利人本人
    PROXY = "proxy"  # 公证委托代理人
    ORG_AGENT = "org_agent"  # 机构经办人


CAPACITY_LABELS: dict[Capacity, str] = {
    Capacity.OWNER: "权利人本人",
    Capacity.PROXY: "公证委托代理人",
    Capacity.ORG_AGENT: "机构经办人",
}
PURCHASE_RESTRICTION_LABELS: dict[PurchaseRestriction, str] = {
    PurchaseRestriction.RESTRICTED: "属于限购范围",
    PurchaseRestriction.NOT_RESTRICTED: "不属于限购范围",
    PurchaseRestriction.UNKNOWN: "无法判断",
}


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    REVIEW = "review"
    WARN = "warn"


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.PASSED: "通过",
    Outcome.FAILED: "不予通过",
    Outcome.REVIEW: "待核定",
    Outcome.WARN: "提示",
}
_OUTCOME_OF: dict[Severity, Outcome] = {
    Severity.BLOCK: Outcome.FAILED,
    Severity.REVIEW: Outcome.REVIEW,
    Severity.WARN: Outcome.WARN,
}


class Verdict(StrEnum):
    PASSED = "passed"
    REVIEW = "review"
    REFUSED = "refused"


VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.PASSED: "校验通过",
    Verdict.REVIEW: "待核定",
    Verdict.REFUSED: "不予通过",
}


# --------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    """A natural person as identified at the counter (or a proxy's principal).

    ``id_kind`` is an ``IdKind`` value (the document presented, i.e. what seed
    001 calls the document "registered on the provincial platform");
    ``region`` an ``identity.Region`` value (mainland / hong_kong / macao /
    taiwan / foreign), ``nationality`` ISO alpha-3.  ``identity_verified``:
    the clerk has checked the original document at the window (the counter's
    现场实名核验); ``real_name_level``: the platform level, where known.
    """

    name: str
    id_kind: str
    id_number: str
    region: str | None = None
    nationality: str | None = None
    identity_verified: bool = False
    real_name_level: int | None = None


@dataclass(frozen=True)
class OwnerFacts:
    """An owner (权利人) as the certificate registers it."""

    name: str
    id_kind: str  # IdKind value, CREDIT_CODE, or the register's own kind (e.g. 港澳居民身份证)
    id_number: str
    nationality: str | None = None
    blacklisted: bool = False
    share: Decimal | None = None  # percent, for 按份共有

    @property
    def is_organisation(self) -> bool:
        return self.id_kind == CREDIT_CODE


@dataclass(frozen=True)
class HomeFacts:
    """One home of the register, with what the checks need.

    ``use_classes_on_certificate``: the use class of every home on the same
    certificate, this one included (one certificate, several homes).
    """

    certificate_number: str
    owners: tuple[OwnerFacts, ...]
    unit_number: str = ""
    check_code: str | None = None
    co_ownership: CoOwnership = CoOwnership.SOLE
    status_valid: bool = True
    in_transaction: bool = False
    seized: bool = False
    restricted: bool = False
    mortgaged: bool = False
    use_class: str = "residential"
    use_classes_on_certificate: tuple[str, ...] = ()
    use_class_normalised: bool = True
    purchase_restriction: PurchaseRestriction = PurchaseRestriction.UNKNOWN
    register_queried_on: date | None = None  # Wuhan: day of the 个人房产信息查询

    @property
    def key(self) -> str:
        """What the house code digests: the unit number, else the certificate."""
        return self.unit_number or normalize_certificate(self.certificate_number)


@dataclass(frozen=True)
class ProxyRegistration:
    """An owner's notarised proxy as registered at the hall (委托关联业务).

    ``certificate_number``: the certificate the registration links the proxy
    to; ``proxy_id_number``: the registered proxy's ID number ("" when the
    service already selected the registration by the person at the counter);
    ``valid_until`` None: the deed states no end.
    """

    principal: PersonFacts
    notarial_certificate: str
    certificate_number: str
    valid_from: date
    valid_until: date | None = None
    proxy_id_number: str = ""


@dataclass(frozen=True)
class AgentAuthorisation:
    """An organisation's authorisation of its agent (经办人), with its period."""

    organisation_name: str
    credit_code: str
    valid_from: date
    valid_until: date
    scope: str = ""  # e.g. "存量房买卖及网签备案"; "" = not limited


@dataclass(frozen=True)
class PartyAtCounter:
    """The person at the window and in which capacity they act."""

    person: PersonFacts
    proxy: ProxyRegistration | None = None
    agent: AgentAuthorisation | None = None

    @property
    def capacity(self) -> Capacity:
        if self.agent is not None:
            return Capacity.ORG_AGENT
        if self.proxy is not None:
            return Capacity.PROXY
        return Capacity.OWNER


@dataclass(frozen=True)
class LookupRequest:
    """How the home was looked up and the keys the clerk typed."""

    mode: LookupMode
    certificate_number: str = ""
    check_code: str = ""
    unit_number: str = ""


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleResult:
    code: str
    stage: Stage
    title: str
    severity: Severity
    outcome: Outcome
    reason: str
    field: str | None = None

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "stage": self.stage.value, "title": self.title,
            "severity": self.severity.value, "outcome": self.outcome.value,
            "reason": self.reason, "field": self.field,
        }


@dataclass(frozen=True)
class NotRun:
    code: str
    stage: Stage
    reason: str


@dataclass(frozen=True)
class CheckReport:
    profile: str  # PolicyProfile.ref, recorded on the case
    home_key: str
    checked_on: date
    results: tuple[RuleResult, ...]
    not_run: tuple[NotRun, ...] = ()
    house_code: str | None = None

    @property
    def verdict(self) -> Verdict:
        outcomes = {r.outcome for r in self.results}
        if Outcome.FAILED in outcomes:
            return Verdict.REFUSED
        if Outcome.REVIEW in outcomes:
            return Verdict.REVIEW
        return Verdict.PASSED

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def with_outcome(self, outcome: Outcome) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.outcome is outcome)

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return self.with_outcome(Outcome.FAILED)

    def result(self, code: str) -> RuleResult | None:
        return next((r for r in self.results if r.code == code), None)

    def first_refusal(self) -> RuleViolation | None:
        """The first failed rule as a RuleViolation (what a service raises)."""
        for r in self.failures:
            return RuleViolation(r.code, r.reason, field=r.field)
        return None

    def lines(self) -> list[str]:
        """Every rule that ran, one line each, for the screen or a printout."""
        return [
            f"[{r.outcome_label}] {STAGE_LABELS[r.stage]}·{r.title}：{r.reason}" for r in self.results
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "home_key": self.home_key,
            "checked_on": self.checked_on.isoformat(),
            "verdict": self.verdict.value,
            "verdict_label": self.verdict_label,
            "house_code": self.house_code,
            "results": [r.to_dict() for r in self.results],
            "not_run": [{"code": n.code, "stage": n.stage.value, "reason": n.reason} for n in self.not_run],
        }


# --------------------------------------------------------------------------
# Names: traditional vs simplified
# --------------------------------------------------------------------------

# Traditional/simplified pairs common in names (surnames, given-name
# characters, place words).  Only used to EXPLAIN a mismatch: names are
# always compared exactly.
_PAIRS = """
陳陈 張张 劉刘 黃黄 楊杨 趙赵 吳吴 鄭郑 鍾钟 鐘钟 葉叶 謝谢 馮冯 麥麦 區区 東东 華华 國国 偉伟
龍龙 鳳凤 蘭兰 麗丽 嬌娇 孫孙 馬马 羅罗 許许 鄧邓 蕭萧 盧卢 蔣蒋 賈贾 閻阎 譚谭 鄒邹 陸陆
顧顾 萬万 錢钱 湯汤 喬乔 賀贺 賴赖 龔龚 嚴严 韓韩 歐欧 陽阳 蘇苏 溫温 鄺邝 關关 呂吕 莊庄
鄔邬 簡简 駱骆 壽寿 聶聂 衛卫 齊齐 單单 蘆芦 魯鲁 費费 紀纪 韋韦 尋寻 婁娄 龐庞
強强 軍军 傑杰 濤涛 輝辉 剛刚 鵬鹏 飛飞 榮荣 寶宝 貴贵 發发 財财 興兴 達达 慶庆 順顺 義义
禮礼 儀仪 賢贤 聰聪 穎颖 瑩莹 潔洁 靜静 蓮莲 紅红 艷艳 豔艳 雲云 嫻娴 婭娅 倫伦 樂乐 傳传
懷怀 寧宁 鳴鸣 銘铭 鋒锋 鈞钧 錦锦 鐵铁 長长 漢汉 廣广 進进 書书 學学 愛爱 韻韵 詩诗 語语
夢梦 瑤瑶 雙双 愷恺 瑋玮 瓊琼 綺绮 維维 綠绿 鶴鹤 鷹鹰 燁烨 煒炜 煥焕 曉晓 暉晖 濱滨 滿满
潤润 澤泽 遠远 運运 連连 邁迈 勝胜 業业 豐丰 億亿 開开 門门 聖圣 賓宾 嘯啸 嶺岭 濟济 蘊蕴
藝艺 誠诚 謙谦 讓让 議议 證证 詠咏 諾诺 譽誉 貞贞 賽赛 贊赞 軒轩 輪轮 轉转 鈴铃
銀银 鋼钢 錫锡 鏡镜 閣阁 闊阔 陣阵 隊队 階阶 雞鸡 頌颂 顏颜 風风 飄飘 餘余 駿骏 騰腾 驥骥
魚鱼 鯨鲸 鳥鸟 鴻鸿 鵑鹃 黨党 齡龄 紹绍 經经 綸纶 緣缘 縣县 繼继 續续 纖纤 聲声 蓋盖
蔭荫 蕓芸 覺觉 觀观 訓训 記记 設设 評评 請请 談谈 論论 貝贝 資资 賜赐 質质
趕赶 躍跃 車车 農农 邊边 鄉乡 醫医 釗钊 鋮铖 鎮镇 鏗铿 鑽钻 闖闯 雋隽 雜杂 靈灵 韜韬 頤颐
顯显 飆飙 館馆 騏骐 鬱郁 鸞鸾 齋斋 瑪玛 璣玑 環环 琺珐 璉琏 瑯琅 禎祯 穌稣
筆笔 範范 築筑 糧粮 紘纮 絲丝 綾绫 緹缇 練练 縝缜 繡绣 紋纹 納纳 纓缨 羨羡 習习 蘋苹 蕎荞
""".split()

#: Traditional character → simplified character (names only, see above).
TRADITIONAL_TO_SIMPLIFIED: dict[str, str] = {p[0]: p[1] for p in _PAIRS if len(p) == 2 and p[0] != p[1]}


def to_simplified(text: str) -> str:
    """Map the table's traditional characters to simplified; others unchanged."""
    return "".join(TRADITIONAL_TO_SIMPLIFIED.get(c, c) for c in text)


def _clean_name(name: str) -> str:
    """NFC, outer whitespace stripped and inner runs collapsed (not a character of the name)."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())


def name_mismatch_message(registered: str, typed: str, *, noun: str = "姓名") -> str | None:
    """None when the names are identical; otherwise the sentence to read out.

    The registered name is shown masked (``core.identity.mask_name``: the
    first character only), never in full: whoever types a wrong name learns
    no more than that it is wrong. When the names differ only by
    traditional/simplified pairs of the table the sentence says so and which
    characters (by position), e.g. 登记姓名为繁体“陳**”，与输入的简体“陈大文”
    不一致（第1字），须与不动产权证书登记完全一致。
    """
    reg, typ = _clean_name(registered), _clean_name(typed)
    if reg == typ:
        return None
    tail = "须与不动产权证书登记完全一致。"
    shown = mask_name(reg)
    said = printable(typ, limit=60)  # as typed, but nothing in it is obeyed by a terminal
    if len(reg) == len(typ) and to_simplified(reg) == to_simplified(typ):
        diffs = [(i, a, b) for i, (a, b) in enumerate(zip(reg, typ), start=1) if a != b]
        where = "、".join(str(i) for i, _, _ in diffs)
        if all(a in TRADITIONAL_TO_SIMPLIFIED and b not in TRADITIONAL_TO_SIMPLIFIED for _, a, b in diffs):
            return f"登记{noun}为繁体“{shown}”，与输入的简体“{said}”不一致（第{where}字），{tail}"
        if all(b in TRADITIONAL_TO_SIMPLIFIED and a not in TRADITIONAL_TO_SIMPLIFIED for _, a, b in diffs):
            return f"登记{noun}为简体“{shown}”，与输入的繁体“{said}”不一致（第{where}字），{tail}"
        return f"登记{noun}“{shown}”与输入的“{said}”繁简写法不一致（第{where}字），{tail}"
    return f"输入的{noun}“{said}”与不动产权证书登记的“{shown}”不一致，{tail}"


# --------------------------------------------------------------------------
# ID numbers and the foreign-document exception (seed 001 §5.2.2)
# --------------------------------------------------------------------------

#: Seed 001 §5.2.2, 权利人证件号码, condition 1: "权利人是省统一身份认证平台
#: 用户注册的证件类型为港澳居民来往内地通行证、台湾居民来往大陆通行证、护照、
#: 港澳台居民居住证、外国人永久居留身份证的境外人士。"
FOREIGN_DOCUMENT_KINDS: frozenset[str] = frozenset({
    IdKind.HK_MACAO_PERMIT.value,
    IdKind.TAIWAN_PERMIT.value,
    IdKind.PASSPORT.value,
    IdKind.HMT_RESIDENCE_PERMIT.value,
    IdKind.FOREIGN_PR.value,
})
_OUTSIDE_BY_KIND = FOREIGN_DOCUMENT_KINDS - {IdKind.PASSPORT.value}


def _upgrade_15(number: str) -> str:
    if len(number) == 15 and number.isdigit() and number.isascii():
        body = number[:6] + "19" + number[6:]
        return body + check_char_gb11643(body)
    return number


def same_id_number(a: str, b: str) -> bool:
    """Equal after normalisation; a 15-digit ID equals its 18-digit upgrade
    (seed 002: certificates may carry a first-generation ID number)."""
    na, nb = normalize(a or ""), normalize(b or "")
    if not na or not nb:
        return False
    return na == nb or _upgrade_15(na) == _upgrade_15(nb)


def _outside_mainland(person: PersonFacts) -> bool:
    """境外人士: Hong Kong, Macao, Taiwan or foreign (not the nationality:
    Hong Kong residents are Chinese nationals)."""
    if person.region:
        return person.region != "mainland"
    if person.id_kind in _OUTSIDE_BY_KIND:
        return True
    if person.id_kind == IdKind.PASSPORT.value:
        return bool(person.nationality) and person.nationality != "CHN"
    return False


def foreign_document_exception(person: PersonFacts, certificate_id_number: str) -> bool:
    """Whether seed 001 lets the certificate's ID number differ from the person's.

    Both conditions must hold (seed 001 §5.2.2, 权利人证件号码):

    1. "权利人是省统一身份认证平台用户注册的证件类型为港澳居民来往内地通行证、
       台湾居民来往大陆通行证、护照、港澳台居民居住证、外国人永久居留身份证的
       境外人士。" — the document presented is one of those five kinds AND the
       person is 境外人士 (a mainland resident holding a passport is not);
    2. "产权证上的证件号码和省统一身份认证平台注册的证件号码不一致的。"
    """
    condition_1 = person.id_kind in FOREIGN_DOCUMENT_KINDS and _outside_mainland(person)
    condition_2 = not same_id_number(person.id_number, certificate_id_number)
    return condition_1 and condition_2


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    """Who the owner is said to be: the person, the proxy's principal or the organisation."""

    name: str
    id_number: str
    person: PersonFacts | None  # None for an organisation
    noun: str  # 姓名 / 名称


@dataclass
class _Ctx:
    profile: PolicyProfile
    lookup: LookupRequest
    home: HomeFacts
    party: PartyAtCounter
    today: date
    claimed: _Claimed | None = None
    owner: OwnerFacts | None = None
    capacity_ok: bool = True


@dataclass(frozen=True)
class _Pass:
    reason: str | None = None


@dataclass(frozen=True)
class _Fail:
    reason: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class _Skip:
    reason: str


_Eval = _Pass | _Fail | _Skip


def _claimed(party: PartyAtCounter) -> _Claimed:
    if party.agent is not None:
        return _Claimed(party.agent.organisation_name, party.agent.credit_code, None, "名称")
    if party.proxy is not None:
        p = party.proxy.principal
        return _Claimed(p.name, p.id_number, p, "姓名")
    p = party.person
    return _Claimed(p.name, p.id_number, p, "姓名")


def _match_owner(claimed: _Claimed, owners: tuple[OwnerFacts, ...]) -> OwnerFacts | None:
    """By ID number; else by exact name; else by name up to traditional/simplified."""
    for o in owners:
        if same_id_number(o.id_number, claimed.id_number):
            return o
    name = _clean_name(claimed.name)
    for o in owners:
        if _clean_name(o.name) == name:
            return o
    folded = to_simplified(name)
    for o in owners:
        if to_simplified(_clean_name(o.name)) == folded:
            return o
    return None


def _period(label: str, start: date, end: date | None, today: date) -> _Eval:
    until = end.isoformat() if end else "长期"
    if today < start:
        return _Fail(f"{label}自{start.isoformat()}起生效，今天尚未生效。")
    if end is not None and today > end:
        return _Fail(f"{label}有效期至{until}，已过期。")
    return _Pass(f"今天在{label}有效期内（{start.isoformat()}至{until}）。")


# ---- 查询房源 ----------------------------------------------------------------


def _lookup_mode(c: _Ctx, u: RuleUse) -> _Eval:
    if c.lookup.mode in c.profile.lookup_modes:
        return _Pass(f"查询方式为{LOOKUP_MODE_LABELS[c.lookup.mode]}。")
    modes = "或".join(LOOKUP_MODE_LABELS[m] for m in c.profile.lookup_modes)
    return _Fail(u.message(modes=modes), "lookup_mode")


def _certificate_format(c: _Ctx, u: RuleUse) -> _Eval:
    if c.lookup.mode is not LookupMode.CERTIFICATE:
        return _Skip("未按产权证书编号查询。")
    try:
        parse_certificate(c.lookup.certificate_number, c.profile.code, today=c.today)
    except RuleViolation as exc:
        return _Fail(exc.message, exc.field)
    return _Pass()


def _check_code_required(c: _Ctx, u: RuleUse) -> _Eval:
    if c.lookup.mode is not LookupMode.CERTIFICATE:
        return _Skip("未按产权证书编号查询。")
    if not (c.lookup.check_code or "").strip():
        return _Fail(None, "check_code")
    try:
        parse_check_code(c.lookup.check_code)
    except RuleViolation as exc:
        return _Fail(exc.message, exc.field)
    return _Pass()


def _check_code_match(c: _Ctx, u: RuleUse) -> _Eval:
    if not (c.lookup.check_code or "").strip():
        return _Skip("未输入校验码。")
    if not c.home.check_code:
        return _Skip("该产权证书未登记校验码。")
    if normalize(c.lookup.check_code) == normalize(c.home.check_code):
        return _Pass()
    return _Fail(None, "check_code")


def _unit_format(c: _Ctx, u: RuleUse) -> _Eval:
    if c.lookup.mode is not LookupMode.NAME_AND_UNIT:
        return _Skip("未按姓名+不动产单元号查询。")
    try:
        parse_unit_number(c.lookup.unit_number, c.profile.code)
    except RuleViolation as exc:
        return _Fail(exc.message, exc.field)
    return _Pass()


def _unit_match(c: _Ctx, u: RuleUse) -> _Eval:
    if c.lookup.mode is not LookupMode.NAME_AND_UNIT:
        return _Skip("未按姓名+不动产单元号查询。")
    try:
        typed = parse_unit_number(c.lookup.unit_number, c.profile.code).text
    except RuleViolation:
        return _Skip("不动产单元号格式不正确。")
    return _Pass() if typed == normalize(c.home.unit_number) else _Fail(None, "unit_number")


def _queried_today(c: _Ctx, u: RuleUse) -> _Eval:
    return _Pass() if c.home.register_queried_on == c.today else _Fail()


# ---- 产权校验 ----------------------------------------------------------------


def _identity_verified(c: _Ctx, u: RuleUse) -> _Eval:
    p = c.party.person
    level = c.profile.min_real_name_level
    if p.identity_verified:
        return _Pass("办理人已在窗口核验身份证件原件。")
    if (p.real_name_level or 0) >= level:
        return _Pass(f"办理人实名等级为{p.real_name_level}级。")
    return _Fail(u.message(min_level=level))


def _capacity(c: _Ctx, u: RuleUse) -> _Eval:
    if c.party.proxy is not None and c.party.agent is not None:
        c.capacity_ok = False
        return _Fail()
    return _Pass(f"办理人身份为{CAPACITY_LABELS[c.party.capacity]}。")


def _needs_capacity(c: _Ctx) -> _Skip | None:
    return None if c.capacity_ok else _Skip("办理人身份不明确。")


def _needs_owner(c: _Ctx) -> _Skip | None:
    return _needs_capacity(c) or (None if c.owner is not None else _Skip("未找到对应的登记权利人。"))


def _owner_on_certificate(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _needs_capacity(c):
        return skip
    if c.owner is None:
        return _Fail(None, "owner_name")
    return _Pass()


def _not_blacklisted(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _needs_owner(c):
        return skip
    return _Fail() if c.owner.blacklisted else _Pass()


def _name_exact(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _needs_owner(c):
        return skip
    msg = name_mismatch_message(c.owner.name, c.claimed.name, noun=c.claimed.noun)
    return _Pass() if msg is None else _Fail(msg, "owner_name")


def _foreign_applies(c: _Ctx) -> bool:
    p = c.claimed.person
    return p is not None and not c.owner.is_organisation and foreign_document_exception(p, c.owner.id_number)


def _id_match(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _needs_owner(c):
        return skip
    if same_id_number(c.owner.id_number, c.claimed.id_number):
        return _Pass()
    if _foreign_applies(c) and c.profile.selects("TITLE_FOREIGN_ID_EXCEPTION"):
        return _Pass("证件号码与产权证书登记的不一致，适用境外人士证件规则（见下条）。")
    return _Fail(None, "owner_id_number")


def _foreign_exception(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _needs_owner(c):
        return skip
    if same_id_number(c.owner.id_number, c.claimed.id_number):
        return _Skip("证件号码一致，无需适用。")
    if not _foreign_applies(c):
        return _Skip("不符合境外人士证件条件。")
    kind = c.claimed.person.id_kind
    label = ID_KIND_LABELS.get(IdKind(kind), kind)
    return _Fail(u.message(kind=label))


def _only(c: _Ctx, capacity: Capacity) -> _Skip | None:
    if skip := _needs_capacity(c):
        return skip
    if c.party.capacity is not capacity:
        return _Skip("办理人不是" + ("公证委托代理人。" if capacity is Capacity.PROXY else "机构经办人。"))
    return None


def _proxy_owner_is_person(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _only(c, Capacity.PROXY) or _needs_owner(c):
        return skip
    return _Fail() if c.owner.is_organisation else _Pass()


def _proxy_notarised(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _only(c, Capacity.PROXY):
        return skip
    number = (c.party.proxy.notarial_certificate or "").strip()
    return _Pass(f"公证书编号：{number}。") if number else _Fail(None, "notarial_certificate")


def _proxy_registered(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _only(c, Capacity.PROXY):
        return skip
    proxy = c.party.proxy
    if proxy.proxy_id_number and not same_id_number(proxy.proxy_id_number, c.party.person.id_number):
        return _Fail("办理人不是该公证委托登记的代理人。")
    linked = normalize_certificate(proxy.certificate_number or "")
    return _Pass() if linked and linked == normalize_certificate(c.home.certificate_number) else _Fail()


def _proxy_period(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _only(c, Capacity.PROXY):
        return skip
    p = c.party.proxy
    return _period("公证委托", p.valid_from, p.valid_until, c.today)


def _agent_for_owner(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _only(c, Capacity.ORG_AGENT) or _needs_owner(c):
        return skip
    return _Pass() if c.owner.is_organisation else _Fail()


_RESALE_SCOPE_WORDS = ("存量房", "二手房")


def _agent_scope(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _only(c, Capacity.ORG_AGENT):
        return skip
    scope = (c.party.agent.scope or "").strip()
    if not scope:
        return _Pass("授权事项未限定。")
    return _Pass(f"授权事项：{scope}。") if any(w in scope for w in _RESALE_SCOPE_WORDS) else _Fail()


def _agent_period(c: _Ctx, u: RuleUse) -> _Eval:
    if skip := _only(c, Capacity.ORG_AGENT):
        return skip
    a = c.party.agent
    return _period("经办人授权", a.valid_from, a.valid_until, c.today)


def _shares(c: _Ctx, u: RuleUse) -> _Eval:
    if c.home.co_ownership is not CoOwnership.SHARES:
        return _Skip("非按份共有。")
    shares = [o.share for o in c.home.owners]
    if any(s is None for s in shares) or sum(shares, Decimal(0)) != Decimal(100):
        return _Fail()
    return _Pass()


def _co_owners(c: _Ctx, u: RuleUse) -> _Eval:
    count = len(c.home.owners)
    return _Pass() if count <= 1 else _Fail(u.message(count=count))


# ---- 房源核验 ----------------------------------------------------------------


def _flag(ok: Callable[[HomeFacts], bool]) -> Callable[[_Ctx, RuleUse], _Eval]:
    return lambda c, u: _Pass() if ok(c.home) else _Fail()


def _single_use_class(c: _Ctx, u: RuleUse) -> _Eval:
    classes = set(c.home.use_classes_on_certificate) | {c.home.use_class}
    return _Pass() if len(classes) == 1 else _Fail()


_RESTRICTION_OK = {
    PurchaseRestriction.RESTRICTED: "该房屋属于限购范围，买方须通过购房资格审查。",
    PurchaseRestriction.NOT_RESTRICTED: "该房屋不属于限购范围。",
}


def _purchase_restriction(c: _Ctx, u: RuleUse) -> _Eval:
    known = _RESTRICTION_OK.get(c.home.purchase_restriction)
    return _Pass(known) if known else _Fail()


_EVALUATORS: dict[str, Callable[[_Ctx, RuleUse], _Eval]] = {
    "LOOKUP_MODE_OFFERED": _lookup_mode,
    "LOOKUP_CERTIFICATE_FORMAT": _certificate_format,
    "LOOKUP_CHECK_CODE_REQUIRED": _check_code_required,
    "LOOKUP_CHECK_CODE_MATCH": _check_code_match,
    "LOOKUP_UNIT_NUMBER_FORMAT": _unit_format,
    "LOOKUP_UNIT_NUMBER_MATCH": _unit_match,
    "LOOKUP_REGISTER_QUERIED_TODAY": _queried_today,
    "TITLE_IDENTITY_VERIFIED": _identity_verified,
    "TITLE_CAPACITY": _capacity,
    "TITLE_OWNER_ON_CERTIFICATE": _owner_on_certificate,
    "TITLE_OWNER_NOT_BLACKLISTED": _not_blacklisted,
    "TITLE_NAME_EXACT": _name_exact,
    "TITLE_ID_NUMBER_MATCH": _id_match,
    "TITLE_FOREIGN_ID_EXCEPTION": _foreign_exception,
    "TITLE_PROXY_OWNER_IS_PERSON": _proxy_owner_is_person,
    "TITLE_PROXY_NOTARISED": _proxy_notarised,
    "TITLE_PROXY_REGISTERED": _proxy_registered,
    "TITLE_PROXY_IN_PERIOD": _proxy_period,
    "TITLE_AGENT_FOR_OWNER": _agent_for_owner,
    "TITLE_AGENT_SCOPE": _agent_scope,
    "TITLE_AGENT_IN_PERIOD": _agent_period,
    "TITLE_SHARES_CONSISTENT": _shares,
    "TITLE_CO_OWNERS_NOTICE": _co_owners,
    "HOUSE_STATUS_VALID": _flag(lambda h: h.status_valid),
    "HOUSE_NOT_IN_TRANSACTION": _flag(lambda h: not h.in_transaction),
    "HOUSE_NOT_SEIZED": _flag(lambda h: not h.seized),
    "HOUSE_NOT_RESTRICTED": _flag(lambda h: not h.restricted),
    "HOUSE_NOT_MORTGAGED": _flag(lambda h: not h.mortgaged),
    "HOUSE_MORTGAGE_NOTICE": _flag(lambda h: not h.mortgaged),
    "HOUSE_SINGLE_USE_CLASS": _single_use_class,
    "HOUSE_USE_CLASS_NORMALISED": _flag(lambda h: h.use_class_normalised),
    "HOUSE_PURCHASE_RESTRICTION_KNOWN": _purchase_restriction,
}

_ORDER = {code: i for i, code in enumerate(RULES)}

#: The stages ``run_checks`` runs, in order.
CHECK_STAGES: tuple[Stage, ...] = (Stage.LOOKUP, Stage.TITLE, Stage.HOUSE)


def run_checks(
    profile: PolicyProfile,
    lookup: LookupRequest,
    home: HomeFacts,
    party: PartyAtCounter,
    *,
    today: date,
) -> CheckReport:
    """Run the profile's lookup, title and house rules and report on each.

    Rules run in catalogue order within each stage.  A stage with a failed
    (block) result stops the later stages: their rules are reported in
    ``not_run``.  A passed report carries the house code for ``today``.
    """
    ctx = _Ctx(profile, lookup, home, party, today)
    ctx.claimed = _claimed(party)
    ctx.owner = _match_owner(ctx.claimed, home.owners)
    results: list[RuleResult] = []
    not_run: list[NotRun] = []
    stopped: Stage | None = None
    for stage in CHECK_STAGES:
        uses = sorted(profile.rules_at(stage), key=lambda u: _ORDER[u.code])
        if stopped is not None:
            reason = f"{STAGE_LABELS[stopped]}未通过，未执行。"
            not_run.extend(NotRun(u.code, stage, reason) for u in uses)
            continue
        for use in uses:
            outcome = _EVALUATORS[use.code](ctx, use)
            r = use.rule
            if isinstance(outcome, _Skip):
                not_run.append(NotRun(r.code, stage, outcome.reason))
                continue
            severity = use.effective_severity
            if isinstance(outcome, _Pass):
                results.append(RuleResult(r.code, stage, r.title, severity, Outcome.PASSED, outcome.reason or use.ok()))
            else:
                results.append(
                    RuleResult(r.code, stage, r.title, severity, _OUTCOME_OF[severity],
                               outcome.reason or use.message(), outcome.field)
                )
        if any(x.stage is stage and x.outcome is Outcome.FAILED for x in results):
            stopped = stage
    report = CheckReport(profile.ref, home.key, today, tuple(results), tuple(not_run))
    if report.verdict is Verdict.PASSED:
        report = CheckReport(
            report.profile, report.home_key, today, report.results, report.not_run,
            house_code_for(profile, home.key, today),
        )
    return report


# --------------------------------------------------------------------------
# House code (房源编码)
# --------------------------------------------------------------------------

_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def house_code_for(profile: PolicyProfile, key: str, day: date) -> str:
    """The house code issued for a passed house check.

    Format: the profile's city letter (S 深圳 / Z 中山 / W 武汉) + the issue
    date as YYYYMMDD + 8 characters of Crockford base32 (no I, L, O, U) of
    the SHA-256 digest of the home's key (its 不动产单元号, else its canonical
    certificate number), e.g. ``S20261121K3J9QX0T``.  Deterministic: the same
    home checked on the same day under the same city gets the same code; 40
    digest bits make a clash between two homes negligible.
    """
    text = (key or "").strip()
    if not text:
        raise RuleViolation("HOUSE_CODE_NO_KEY", "房屋没有不动产单元号或产权证书编号，无法生成房源编码。")
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    tail = base64.b32encode(digest[:5]).decode("ascii").translate(_CROCKFORD)
    return f"{profile.letter}{day:%Y%m%d}{tail}"


def house_code(report: CheckReport) -> str:
    """The house code of a check report; refused unless its verdict is passed."""
    if report.verdict is not Verdict.PASSED:
        raise RuleViolation(
            "HOUSE_CODE_CHECK_NOT_PASSED", f"房源核验结果为“{report.verdict_label}”，不能生成房源编码。"
        )
    return house_code_for(profile_by_ref(report.profile), report.home_key, report.checked_on)
