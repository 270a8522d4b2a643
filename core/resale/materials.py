"""The materials a resale signing (存量房买卖合同网签备案) asks for.

Pure. :func:`resale_signing_checklist` is the hall's checklist for one case,
from the city's profile and the parties' situation (who acts through an
agent, an organisation, a guardian, fund supervision, a mortgage, …);
:func:`materials_for_failures` turns the failed rules of a house check into
the checklist items that would cure them; :func:`promised_on` is the date a
receipt promises (working days after acceptance).

The clerk ticks the checklist items the citizen handed in; the receipt (受理回执)
lists exactly those, the one-time notice (一次性告知书) the items still missing,
so both documents name a material in the same words. A failed rule that no
material can cure (:func:`unmendable`) makes the notice a refusal (不予受理).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.time_limits import time_limit
from core.workdays import add_working_days

__all__ = [
    "MATERIALS",
    "PROMISE_WORKING_DAYS",
    "Material",
    "ResaleSituation",
    "materials_for_failures",
    "promised_on",
    "resale_signing_checklist",
    "unmendable",
]


@dataclass(frozen=True)
class Material:
    """One checklist item: originals and copies expected, and a note."""

    key: str
    name: str
    originals: int = 1
    copies: int = 0
    note: str = ""


#: Every material the hall may ask for, by stable key.
MATERIALS: dict[str, Material] = {m.key: m for m in (
    Material("contract", "存量房买卖合同", originals=3, note="网签打印，买卖双方签字"),
    Material("title", "不动产权证书（房屋所有权证）", originals=1, copies=1, note="原件核后退还"),
    Material("seller_id", "出卖人身份证明", originals=1, copies=1, note="原件核后退还"),
    Material("buyer_id", "买受人身份证明", originals=1, copies=1, note="原件核后退还"),
    Material("marital", "买卖双方婚姻状况证明", originals=0, copies=1),
    Material("co_owners_consent", "其他共有人同意出售的书面意见", originals=1),
    Material("notarised_proxy", "公证委托书", originals=1, copies=1, note="委托代理人办理的"),
    Material("agent_id", "代理人身份证明", originals=1, copies=1, note="原件核后退还"),
    Material("business_licence", "营业执照（统一社会信用代码证书）", originals=0, copies=1, note="加盖公章"),
    Material("authorisation", "法定代表人授权委托书", originals=1, note="机构经办人办理的"),
    Material("guardianship", "监护关系证明", originals=1, copies=1, note="户口簿或出生医学证明等"),
    Material("guardian_id", "监护人身份证明", originals=1, copies=1, note="原件核后退还"),
    Material("fund_supervision", "资金监管协议", originals=1),
    Material("mortgage_release", "抵押权注销证明或抵押权人同意转让的书面意见", originals=1),
    Material("permit_outside", "境外买受人在境内工作或学习的证明", originals=1, copies=1),
    Material("qualification_code", "购房资格审查通过凭证（购房资格码）", originals=1),
    Material("qualification_wuhan", "购房资格审查通过证明（限购范围）", originals=1),
    Material("register_query", "个人房产信息查询结果（当日）", originals=1, note="武汉市不动产登记中心出具"),
    Material("check_code", "不动产权证书查验码", originals=0, copies=1, note="中山市证书附页"),
)}


@dataclass(frozen=True)
class ResaleSituation:
    """What the checklist depends on, in plain facts (the service reads them)."""

    city: str  # profile code: shenzhen / zhongshan / wuhan
    seller_proxy: bool = False  # a seller acts through a notarised proxy (公证委托)
    buyer_proxy: bool = False  # a buyer acts through an agent
    organisation: bool = False  # a party is an organisation (acts through its 经办人)
    guardian: bool = False  # a party is a minor or lacks full capacity
    co_owners: bool = False  # the home has several registered owners
    fund_supervised: bool = False
    mortgaged: bool = False
    outside_mainland: bool = False  # a buyer from Hong Kong, Macao, Taiwan or abroad
    qualification: bool = False  # the buyer qualification review applies


def resale_signing_checklist(s: ResaleSituation) -> tuple[Material, ...]:
    """The materials of one resale signing case, in the order the counter asks for them."""
    keys = ["contract", "title", "seller_id", "buyer_id", "marital"]
    if s.city == "zhongshan":
        keys.append("check_code")
    if s.city == "wuhan":
        keys.append("register_query")
    if s.co_owners:
        keys.append("co_owners_consent")
    if s.seller_proxy or s.buyer_proxy:
        keys += ["notarised_proxy", "agent_id"]
    if s.organisation:
        keys += ["business_licence", "authorisation"]
        if "agent_id" not in keys:
            keys.append("agent_id")
    if s.guardian:
        keys += ["guardianship", "guardian_id"]
    if s.outside_mainland:
        keys.append("permit_outside")
    if s.qualification:
        keys.append("qualification_wuhan" if s.city == "wuhan" else "qualification_code")
    if s.mortgaged:
        keys.append("mortgage_release")
    if s.fund_supervised:
        keys.append("fund_supervision")
    return tuple(MATERIALS[k] for k in keys)


#: Which material cures a failed rule of the house check (rules not listed are
#: cured by no document: a seizure, a blacklist, the home's status …).
_CURES: dict[str, str] = {
    "TITLE_IDENTITY_VERIFIED": "seller_id",
    "TITLE_ID_NUMBER_MATCH": "seller_id",
    "TITLE_NAME_EXACT": "seller_id",
    "TITLE_CAPACITY": "guardianship",
    "TITLE_PROXY_NOTARISED": "notarised_proxy",
    "TITLE_PROXY_REGISTERED": "notarised_proxy",
    "TITLE_PROXY_IN_PERIOD": "notarised_proxy",
    "TITLE_AGENT_FOR_OWNER": "authorisation",
    "TITLE_AGENT_SCOPE": "authorisation",
    "TITLE_AGENT_IN_PERIOD": "authorisation",
    "TITLE_SHARES_CONSISTENT": "co_owners_consent",
    "TITLE_CO_OWNERS_NOTICE": "co_owners_consent",
    "HOUSE_NOT_MORTGAGED": "mortgage_release",
    "LOOKUP_REGISTER_QUERIED_TODAY": "register_query",
    "LOOKUP_CHECK_CODE_REQUIRED": "check_code",
    "LOOKUP_CHECK_CODE_MATCH": "check_code",
}


def unmendable(codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The failed rules no material can cure (a seizure, a blacklist, the home's status …):
    with any of them the application is refused (不予受理), not told what to bring."""
    return tuple(c for c in codes if c not in _CURES)


def materials_for_failures(codes: tuple[str, ...] | list[str]) -> tuple[Material, ...]:
    """The checklist items that cure these failed rules, each once, in rule order."""
    keys = list(dict.fromkeys(_CURES[c] for c in codes if c in _CURES))
    return tuple(MATERIALS[k] for k in keys)


#: Working days between acceptance and the promised completion (受理回执): the resale
#: signing case's time limit (``core.time_limits``), so the receipt and the clock agree.
PROMISE_WORKING_DAYS = time_limit("resale_signing").working_days


def promised_on(accepted: date, working_days: int = PROMISE_WORKING_DAYS) -> date:
    """``working_days`` working days after ``accepted`` on China's holiday calendar, make-up
    working days (调休) included (``core.workdays``); refused (``CALENDAR_YEAR_UNKNOWN``) when
    the calendar does not reach that far."""
    return add_working_days(accepted, working_days)
