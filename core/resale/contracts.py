"""Contract entry rules for a resale purchase contract (存量房买卖合同).

Pure: stdlib plus other ``core`` modules.  The clerk's form is captured as a
:class:`ContractDraft` of plain typed values; :func:`validate_draft` checks
the whole form at once and either returns a normalised :class:`ValidDraft`
or raises :class:`DraftInvalid` carrying *every* field refusal, each a
:class:`RuleViolation` whose ``field`` is a path such as
``"buyers[1].id_number"`` so the screen can show it beside its field.
Nothing is meant to be saved until the whole form is valid.

Rules (seed 001 §5.2.2 / §5.4.1, seed 002, seed 003 articles 1-2):

* sellers come from the register, read-only; each states the share actually
  transferred, 0 for a co-owner who keeps theirs, never more than the
  registered share; at least one seller transfers something;
* buyer ID kinds are limited by region (:data:`ALLOWED_ID_KINDS`);
* a buyer's, guardian's or agent's name is written as a person's name is
  (``core.identity.check_person_name``: NAME_BAD_CHARACTERS,
  NAME_BAD_SEPARATOR) and kept in its one normalised form; an organisation's
  name and a seller's (the register's) are not judged so;
* a person whose document the register holds carries the registered name
  (:func:`register_name_refusals`, PARTY_NAME_MISMATCH, the registered name
  masked); the service, which reads the register, applies it; a person the
  register does not know is accepted;
* co-ownership 单独所有 (one buyer) / 共同共有 (two or more, no shares) /
  按份共有 (two or more, each share > 0, summing to exactly 100.00%);
* a party who is a minor by the birth date in their ID, or who is declared
  to lack full civil capacity, needs an adult guardian with a valid ID;
  organisations need a valid unified social credit code and an agent (经办人);
* party phones are mainland mobiles;
* the price is > 0 with at most two decimals; its capitals (大写) are kept;
* fund supervision is yes or no; yes needs the supervising bank;
* signing is forced offline when any party is an organisation, is from
  outside the mainland, lacks full capacity, or acts through an agent; the
  reasons are listed in Chinese.

The ID of a person whose document carries no birth date (permits,
passports, the officer ID) cannot reveal a minor; the declared capacity is
then what counts.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from core.errors import RuleViolation
from core.identity import (
    ID_KIND_LABELS,
    REGION_LABELS,
    IdentityFacts,
    IdKind,
    Region,
    check_person_name,
    mask_name,
    normalize,
    parse_credit_code,
    parse_identity,
    parse_mobile,
    register_keys,
    same_person_name,
)
from core.money import check_amount, to_chinese_capital
from core.resale.contract_text import DISPUTE_ARBITRATION, DISPUTE_LABELS

__all__ = [
    "ALLOWED_ID_KINDS",
    "CAPACITY_LABELS",
    "CO_OWNERSHIP_LABELS",
    "KEY_FIELDS",
    "OFFICER_ID",
    "OFFICER_ID_LABEL",
    "ORGANISATION",
    "PARTY_KIND_LABELS",
    "PAYMENT_METHOD_LABELS",
    "PERSON",
    "AgentLine",
    "BuyerLine",
    "ContractDraft",
    "DraftInvalid",
    "GuardianLine",
    "PartyIdentity",
    "RegisteredPerson",
    "SellerLine",
    "SigningDecision",
    "ValidBuyer",
    "ValidDraft",
    "ValidPerson",
    "ValidSeller",
    "contract_version_digest",
    "is_key_change",
    "kind_label",
    "party_identities",
    "register_name_refusals",
    "validate_draft",
]

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

#: The officer ID (军官证) is not an ``IdKind``: it is a plain string kind,
#: validated for shape only (5-20 characters after normalisation).
OFFICER_ID: Final = "officer_id"
OFFICER_ID_LABEL: Final = "军官证"
_OFFICER_MIN, _OFFICER_MAX = 5, 20

#: Which ID kinds a buyer (or a guardian / agent) of each region may use
#: (seed 001 §5.2.2.2).  A 15-digit resident ID counts as a resident ID.
ALLOWED_ID_KINDS: dict[Region, tuple[IdKind | str, ...]] = {
    Region.MAINLAND: (IdKind.RESIDENT_ID, OFFICER_ID),
    Region.HONG_KONG: (IdKind.HK_MACAO_PERMIT,),
    Region.MACAO: (IdKind.HK_MACAO_PERMIT,),
    Region.TAIWAN: (IdKind.TAIWAN_PERMIT,),
    Region.FOREIGN: (IdKind.PASSPORT,),
}

PERSON: Final = "person"
ORGANISATION: Final = "organisation"
PARTY_KIND_LABELS: dict[str, str] = {PERSON: "个人", ORGANISATION: "机构"}

FULL, LIMITED, NONE = "full", "limited", "none"
CAPACITY_LABELS: dict[str, str] = {
    FULL: "完全民事行为能力人",
    LIMITED: "限制民事行为能力人",
    NONE: "无民事行为能力人",
}

SOLE, JOINT, SHARES = "sole", "joint", "shares"
CO_OWNERSHIP_LABELS: dict[str, str] = {SOLE: "单独所有", JOINT: "共同共有", SHARES: "按份共有"}

PAYMENT_METHOD_LABELS: dict[str, str] = {
    "lump_sum": "一次性付款",
    "instalments": "分期付款",
    "mortgage": "贷款付款",
}

ONLINE, OFFLINE = "online", "offline"

_HUNDRED = Decimal("100.00")
_CENT = Decimal("0.01")
#: The price refusal for text that is not a number (350万, a pasted page): how to type it, in yuan.
PRICE_NOT_A_NUMBER = "成交价格请以元为单位填写数字，如 3500000 或 3500000.50，不要写“万”“元”等字。"
_MAX_NAME = 100
_MAX_TEXT = 500
_MAX_COMMISSION = 60
_ADULT_AGE = 18
_FULL_CAPACITY_AGE_FLOOR = 8  # under 8: no civil capacity (民法典 第二十条)


def kind_label(kind: IdKind | str) -> str:
    """Chinese label of an ID kind (including the officer ID)."""
    if kind == OFFICER_ID:
        return OFFICER_ID_LABEL
    try:
        return ID_KIND_LABELS[IdKind(kind)]
    except ValueError:
        return str(kind)


# --------------------------------------------------------------------------
# The draft as typed
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianLine:
    """A guardian (监护人) acting for a minor or a party lacking capacity."""

    name: str
    region: Region | str
    id_kind: IdKind | str
    id_number: str
    phone: str = ""  # optional; a mainland mobile when given
    nationality: str | None = None  # ISO alpha-3, for foreign passports


@dataclass(frozen=True)
class AgentLine:
    """An agent (代理人 / 经办人) acting for a party."""

    name: str
    region: Region | str
    id_kind: IdKind | str
    id_number: str
    phone: str = ""  # optional; a mainland mobile when given
    nationality: str | None = None


@dataclass(frozen=True)
class SellerLine:
    """A seller as read from the register, plus what the clerk adds.

    ``name``, ``region``, ``id_kind``, ``id_number`` and ``registered_share``
    come from the register and are read-only; ``transferred_share`` (0 for a
    co-owner who keeps theirs), ``phone``, ``capacity``, ``guardian`` and
    ``agent`` are typed.  Shares are percentages.
    """

    name: str
    region: Region | str
    id_kind: IdKind | str
    id_number: str
    registered_share: Decimal | str
    transferred_share: Decimal | str | None
    kind: str = PERSON
    phone: str = ""
    capacity: str = FULL
    guardian: GuardianLine | None = None
    agent: AgentLine | None = None
    nationality: str | None = None


@dataclass(frozen=True)
class BuyerLine:
    """A buyer as typed: a person (ID) or an organisation (credit code)."""

    kind: str  # "person" | "organisation"
    name: str
    region: Region | str = Region.MAINLAND
    id_kind: IdKind | str = IdKind.RESIDENT_ID  # persons only
    id_number: str = ""  # persons only
    credit_code: str = ""  # organisations only
    phone: str = ""
    capacity: str = FULL
    guardian: GuardianLine | None = None
    agent: AgentLine | None = None
    share: Decimal | str | None = None  # percent; only for 按份共有
    nationality: str | None = None


@dataclass(frozen=True)
class ContractDraft:
    """The whole contract-entry form as typed."""

    house_id: str
    sellers: tuple[SellerLine, ...]
    buyers: tuple[BuyerLine, ...]
    co_ownership: str | None  # sole | joint | shares (or the Chinese label)
    price: Decimal | str | int | None  # as typed, in yuan
    payment_method: str | None
    fund_supervised: bool | None  # None: not chosen yet
    supervising_bank: str = ""
    payment_terms: str = ""
    requested_signing: str | None = None  # online | offline | None
    dispute: str | None = None  # 争议解决: arbitration | court (or the label); None: the parties tick it on paper
    arbitration_commission: str = ""  # 仲裁委员会, with arbitration


# --------------------------------------------------------------------------
# The validated draft
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidPerson:
    """A validated guardian or agent."""

    name: str
    region: Region
    id_kind: IdKind | str
    id_number: str
    phone: str | None
    nationality: str | None


@dataclass(frozen=True)
class ValidSeller:
    kind: str
    name: str
    region: Region
    id_kind: IdKind | str
    id_number: str
    registered_share: Decimal
    transferred_share: Decimal
    phone: str
    capacity: str  # effective capacity (a minor by ID is never "full")
    guardian: ValidPerson | None
    agent: ValidPerson | None
    nationality: str | None


@dataclass(frozen=True)
class ValidBuyer:
    kind: str
    name: str
    region: Region
    id_kind: IdKind | str | None  # None for organisations
    id_number: str  # the person's ID, or the organisation's credit code
    phone: str
    capacity: str
    guardian: ValidPerson | None
    agent: ValidPerson | None
    share: Decimal | None  # 100.00 for sole, None for joint
    nationality: str | None


@dataclass(frozen=True)
class SigningDecision:
    """How the contract is signed and, when forced offline, why."""

    method: str  # "online" | "offline"
    reasons: tuple[str, ...]  # Chinese; empty unless offline is forced

    @property
    def forced_offline(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class ValidDraft:
    house_id: str
    sellers: tuple[ValidSeller, ...]
    buyers: tuple[ValidBuyer, ...]
    co_ownership: str
    price: Decimal
    price_capital: str
    payment_method: str
    payment_terms: str
    fund_supervised: bool
    supervising_bank: str | None
    signing: SigningDecision
    dispute: str | None = None  # arbitration | court | None (not chosen on the form)
    arbitration_commission: str | None = None  # with arbitration only

    @property
    def co_ownership_label(self) -> str:
        return CO_OWNERSHIP_LABELS[self.co_ownership]


class DraftInvalid(RuleViolation):
    """The form has refusals; ``errors`` lists every one, each at its field."""

    CODE: Final = "CONTRACT_DRAFT_INVALID"

    def __init__(self, errors: list[RuleViolation]) -> None:
        super().__init__(self.CODE, f"合同信息有 {len(errors)} 处需要更正。")
        self.errors = list(errors)

    def by_field(self) -> dict[str | None, list[RuleViolation]]:
        out: dict[str | None, list[RuleViolation]] = {}
        for error in self.errors:
            out.setdefault(error.field, []).append(error)
        return out


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


class _Errors:
    """Collects refusals; ``add`` re-paths a RuleViolation onto a field."""

    def __init__(self) -> None:
        self.items: list[RuleViolation] = []

    def refuse(self, code: str, message: str, field: str) -> None:
        self.items.append(RuleViolation(code, message, field=field))

    def add(self, error: RuleViolation, field: str) -> None:
        self.items.append(RuleViolation(error.code, error.message, field=field))


def _text(raw: object) -> str:
    return " ".join(raw.split()) if isinstance(raw, str) else ""


def _check_name(raw: object, who: str, path: str, errors: _Errors, *, person: bool = False) -> str:
    """The name of a party, guardian or agent; a person's must also be written as a
    person's name is (``core.identity.check_person_name``) and is returned normalised."""
    name = _text(raw)
    if not name:
        errors.refuse("NAME_EMPTY", f"请填写{who}的姓名或名称。", f"{path}.name")
    elif len(name) > _MAX_NAME:
        errors.refuse("NAME_TOO_LONG", f"{who}的姓名或名称过长，请核对后重新填写。", f"{path}.name")
    elif person:
        try:
            return check_person_name(name, who=who, field=f"{path}.name")
        except RuleViolation as error:
            errors.add(error, f"{path}.name")
    return name


def _coerce_region(raw: object) -> Region | None:
    if isinstance(raw, Region):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    for region, label in REGION_LABELS.items():
        if text in (region.value, region.name, label):
            return region
    return None


def _coerce_kind(raw: object) -> IdKind | str | None:
    if isinstance(raw, IdKind):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if text in (OFFICER_ID, OFFICER_ID_LABEL, "OFFICER_ID"):
        return OFFICER_ID
    for kind, label in ID_KIND_LABELS.items():
        if text in (kind.value, kind.name, label):
            return kind
    return None


def _coerce_choice(raw: object, labels: dict[str, str]) -> str | None:
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    for code, label in labels.items():
        if text in (code, label):
            return code
    return None


def _percent(raw: object) -> Decimal | None:
    """A percentage as typed ("33.33", "33.33%", full-width) or ``None`` if
    it is not a plain non-negative-or-negative number (sign is kept)."""
    if isinstance(raw, (bool, float)):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if not isinstance(raw, str):
        return None
    text = unicodedata.normalize("NFKC", raw).strip().rstrip("%").strip()
    if not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already rules it out
        return None


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _share(raw: object, who: str, path: str, errors: _Errors, *, allow_zero: bool) -> Decimal | None:
    """A share in percent, 0 (or >0) to 100 with at most two decimals."""
    if _is_blank(raw):
        errors.refuse("SHARE_EMPTY", f"请填写{who}的份额。", path)
        return None
    value = _percent(raw)
    if value is None:
        errors.refuse("SHARE_INVALID", f"{who}的份额不是有效的百分数，请核对后重新填写。", path)
        return None
    # The range before the decimals: quantizing a 30-digit share to the hundredth raises.
    if value < 0 or value > _HUNDRED or (value == 0 and not allow_zero):
        low = "0" if allow_zero else "大于0"
        errors.refuse("SHARE_OUT_OF_RANGE", f"{who}的份额应在{low}至100%之间。", path)
        return None
    if value != value.quantize(_CENT):
        errors.refuse("SHARE_TOO_PRECISE", f"{who}的份额最多保留两位小数。", path)
        return None
    return value.quantize(_CENT)


def _phone(raw: object, who: str, path: str, errors: _Errors, *, required: bool) -> str | None:
    if _is_blank(raw):
        if required:
            errors.refuse("PHONE_EMPTY", f"请填写{who}的手机号码。", path)
        return None
    try:
        return parse_mobile(raw)  # type: ignore[arg-type]
    except RuleViolation as error:
        errors.add(error, path)
        return None


def _identity(
    *,
    region_raw: object,
    kind_raw: object,
    number_raw: object,
    nationality: str | None,
    today: date,
    path: str,
    errors: _Errors,
    restrict: bool,
) -> tuple[Region | None, IdKind | str | None, str, IdentityFacts | None]:
    """Check region, ID kind (against the region when ``restrict``) and number.

    Returns (region, kind, normalised number, facts); parts that failed are
    ``None`` / ``""``.
    """
    region = _coerce_region(region_raw)
    if region is None:
        errors.refuse("REGION_INVALID", "国籍或地区不正确，请重新选择。", f"{path}.region")
    kind = _coerce_kind(kind_raw)
    if kind is None:
        errors.refuse("ID_UNKNOWN_KIND", "证件类型不正确，请重新选择证件类型。", f"{path}.id_kind")
        return region, None, "", None
    if restrict and region is not None:
        allowed = ALLOWED_ID_KINDS[region]
        effective = IdKind.RESIDENT_ID if kind is IdKind.RESIDENT_ID_15 else kind
        if effective not in allowed:
            names = "或".join(kind_label(k) for k in allowed)
            errors.refuse(
                "ID_KIND_NOT_ALLOWED",
                f"{REGION_LABELS[region]}人士的证件类型只能选择{names}。",
                f"{path}.id_kind",
            )
            return region, None, "", None
    if kind == OFFICER_ID:
        number = normalize(number_raw) if isinstance(number_raw, str) else ""
        if not number:
            errors.refuse("ID_EMPTY", "请输入证件号码。", f"{path}.id_number")
            return region, kind, "", None
        if not _OFFICER_MIN <= len(number) <= _OFFICER_MAX:
            errors.refuse(
                "OFFICER_ID_BAD_FORMAT",
                f"军官证号码应为{_OFFICER_MIN}至{_OFFICER_MAX}个字符，请核对后重新输入。",
                f"{path}.id_number",
            )
            return region, kind, "", None
        return region, kind, number, None
    try:
        facts = parse_identity(number_raw, kind, today=today, nationality=nationality)  # type: ignore[arg-type]
    except RuleViolation as error:
        sub = error.field if error.field in ("nationality", "id_kind") else "id_number"
        if restrict:
            errors.add(error, f"{path}.{sub}")
        else:  # read-only register data: the clerk cannot fix it here
            errors.refuse(
                error.code,
                "登记簿记载的证件信息无法通过校验，请到不动产登记中心核实。",
                f"{path}.{sub}",
            )
        return region, kind, "", None
    return region, kind, facts.number, facts


def _adult_person(
    line: GuardianLine | AgentLine,
    role: str,
    ward_number: str,
    today: date,
    path: str,
    errors: _Errors,
) -> ValidPerson | None:
    """A guardian or agent: named, ID allowed for their region and valid,
    an adult when the ID tells the age, not the party themselves."""
    before = len(errors.items)
    name = _check_name(line.name, role, path, errors, person=True)
    region, kind, number, facts = _identity(
        region_raw=line.region,
        kind_raw=line.id_kind,
        number_raw=line.id_number,
        nationality=line.nationality,
        today=today,
        path=path,
        errors=errors,
        restrict=True,
    )
    if facts is not None and facts.is_minor_on(today):
        errors.refuse("GUARDIAN_MINOR" if role == "监护人" else "AGENT_MINOR",
                      f"{role}须年满18周岁。", f"{path}.id_number")
    if number and ward_number and number == ward_number:
        errors.refuse("PARTY_OWN_REPRESENTATIVE", f"{role}不能是当事人本人。", f"{path}.id_number")
    phone = _phone(line.phone, role, f"{path}.phone", errors, required=False)
    if len(errors.items) != before or region is None or kind is None:
        return None
    return ValidPerson(name, region, kind, number, phone, _nationality(line.nationality))


def _nationality(raw: str | None) -> str | None:
    return normalize(raw) or None if isinstance(raw, str) else None


def _effective_capacity(raw: object, facts: IdentityFacts | None, today: date,
                        who: str, path: str, errors: _Errors) -> str | None:
    declared = _coerce_choice(raw if raw is not None else FULL, CAPACITY_LABELS)
    if declared is None:
        errors.refuse("CAPACITY_INVALID", f"请选择{who}的民事行为能力。", f"{path}.capacity")
        return None
    age = facts.age_on(today) if facts is not None else None
    if age is not None and age < _ADULT_AGE and declared == FULL:
        return NONE if age < _FULL_CAPACITY_AGE_FLOOR else LIMITED
    return declared


@dataclass
class _PartyOut:
    name: str = ""
    region: Region | None = None
    kind: IdKind | str | None = None
    number: str = ""
    phone: str | None = None
    capacity: str | None = None
    guardian: ValidPerson | None = None
    agent: ValidPerson | None = None
    minor: bool = False


def _party_common(
    line: SellerLine | BuyerLine,
    who: str,
    path: str,
    today: date,
    errors: _Errors,
    *,
    is_seller: bool,
) -> _PartyOut | None:
    """Checks shared by sellers and buyers; ``None`` when the party kind is bad."""
    out = _PartyOut()
    party_kind = _coerce_choice(line.kind, PARTY_KIND_LABELS)
    if party_kind is None:
        errors.refuse("PARTY_KIND_INVALID", f"请选择{who}的类型（个人或机构）。", f"{path}.kind")
        return None
    # A seller's name is the register's (read-only, compared with it by the service);
    # a buyer who is a person types theirs.
    out.name = _check_name(line.name, who, path, errors, person=party_kind == PERSON and not is_seller)
    who = f"{who}{out.name}"
    if party_kind == ORGANISATION:
        out.region = _coerce_region(line.region)
        if out.region is None:
            errors.refuse("REGION_INVALID", "国籍或地区不正确，请重新选择。", f"{path}.region")
        if is_seller:
            # The register's organisation number is shown as recorded.
            out.number = normalize(line.id_number) if isinstance(line.id_number, str) else ""
            out.kind = _coerce_kind(line.id_kind) or (str(line.id_kind) if line.id_kind else None)
        else:
            try:
                out.number = parse_credit_code(line.credit_code).code  # type: ignore[arg-type]
            except RuleViolation as error:
                errors.add(error, f"{path}.credit_code")
        out.capacity = FULL
        if line.agent is None:
            errors.refuse("AGENT_REQUIRED", f"{who}为机构，须填写经办人。", f"{path}.agent")
    else:
        out.region, out.kind, out.number, facts = _identity(
            region_raw=line.region,
            kind_raw=line.id_kind,
            number_raw=line.id_number,
            nationality=line.nationality,
            today=today,
            path=path,
            errors=errors,
            restrict=not is_seller,  # register IDs are not limited by region
        )
        out.minor = bool(facts is not None and facts.is_minor_on(today))
        out.capacity = _effective_capacity(line.capacity, facts, today, who, path, errors)
        if out.capacity is not None and out.capacity != FULL and line.guardian is None:
            reason = "未满18周岁" if out.minor else f"为{CAPACITY_LABELS[out.capacity]}"
            errors.refuse("GUARDIAN_REQUIRED", f"{who}{reason}，须填写监护人。", f"{path}.guardian")
    if line.guardian is not None:
        if party_kind == ORGANISATION:
            errors.refuse("GUARDIAN_NOT_APPLICABLE", f"{who}为机构，不应填写监护人。", f"{path}.guardian")
        else:
            out.guardian = _adult_person(line.guardian, "监护人", out.number, today, f"{path}.guardian", errors)
    if line.agent is not None:
        out.agent = _adult_person(line.agent, "代理人", out.number, today, f"{path}.agent", errors)
    out.phone = _phone(line.phone, who, f"{path}.phone", errors, required=True)
    return out


def _signing_reasons(role: str, party_kind: str, p: _PartyOut) -> list[str]:
    who = f"{role}{p.name}"
    if party_kind == ORGANISATION:
        return [f"{who}为机构"]
    reasons: list[str] = []
    if p.region is not None and p.region is not Region.MAINLAND:
        reasons.append(f"{who}为境外人士（{kind_label(p.kind) if p.kind else REGION_LABELS[p.region]}）")
    if p.capacity is not None and p.capacity != FULL:
        reasons.append(f"{who}为{CAPACITY_LABELS[p.capacity]}")
    if p.agent is not None:
        reasons.append(f"{who}由代理人办理")
    return reasons


# --------------------------------------------------------------------------
# validate_draft
# --------------------------------------------------------------------------


def validate_draft(draft: ContractDraft, *, today: date) -> ValidDraft:
    """Check the whole form; return it normalised or raise :class:`DraftInvalid`
    listing every refusal at its field."""
    errors = _Errors()
    reasons: list[str] = []

    house_id = _text(draft.house_id)
    if not house_id:
        errors.refuse("HOUSE_REQUIRED", "请先选择要交易的房屋。", "house_id")

    # ---- sellers
    sellers: list[ValidSeller] = []
    if not draft.sellers:
        errors.refuse("SELLERS_EMPTY", "登记簿上没有出卖人，无法填写合同。", "sellers")
    any_transfer = False
    for i, line in enumerate(draft.sellers):
        path = f"sellers[{i}]"
        before = len(errors.items)
        party = _party_common(line, "出卖人", path, today, errors, is_seller=True)
        registered = _percent(line.registered_share)
        if registered is None or not Decimal(0) < registered <= _HUNDRED:
            errors.refuse(
                "REGISTER_SHARE_INVALID",
                "登记簿记载的份额无法识别，请到不动产登记中心核实。",
                f"{path}.registered_share",
            )
            registered = None
        transferred = _share(line.transferred_share, "出卖人转让", f"{path}.transferred_share",
                             errors, allow_zero=True)
        if transferred is not None and registered is not None and transferred > registered:
            errors.refuse(
                "TRANSFER_EXCEEDS_SHARE",
                f"转让的份额不能超过登记的份额{registered.normalize():f}%。",
                f"{path}.transferred_share",
            )
        if transferred is not None and transferred > 0:
            any_transfer = True
        if party is not None:
            reasons.extend(_signing_reasons("出卖人", _coerce_choice(line.kind, PARTY_KIND_LABELS) or PERSON, party))
        if len(errors.items) == before and party is not None:
            assert registered is not None and transferred is not None and party.region is not None
            sellers.append(ValidSeller(
                kind=_coerce_choice(line.kind, PARTY_KIND_LABELS) or PERSON,
                name=party.name, region=party.region, id_kind=party.kind or "",
                id_number=party.number, registered_share=registered.quantize(_CENT),
                transferred_share=transferred, phone=party.phone or "",
                capacity=party.capacity or FULL, guardian=party.guardian, agent=party.agent,
                nationality=_nationality(line.nationality),
            ))
    if draft.sellers and not any_transfer and not any(
        e.field and e.field.endswith(".transferred_share") for e in errors.items
    ):
        errors.refuse("NOTHING_TRANSFERRED", "至少一位出卖人转让的份额须大于0。", "sellers")

    # ---- co-ownership and buyers
    co = _coerce_choice(draft.co_ownership, CO_OWNERSHIP_LABELS) if draft.co_ownership else None
    if co is None:
        errors.refuse("CO_OWNERSHIP_INVALID", "请选择共有方式（单独所有、共同共有或按份共有）。", "co_ownership")
    n = len(draft.buyers)
    if n == 0:
        errors.refuse("BUYERS_EMPTY", "请至少填写一位买受人。", "buyers")
    elif co == SOLE and n != 1:
        errors.refuse("SOLE_NEEDS_ONE_BUYER", f"单独所有只能有一位买受人，现有{n}位。", "co_ownership")
    elif co in (JOINT, SHARES) and n < 2:
        errors.refuse("CO_OWNERS_NEED_TWO", f"{CO_OWNERSHIP_LABELS[co]}须有两位或以上买受人。", "co_ownership")

    buyers: list[ValidBuyer] = []
    shares: list[Decimal | None] = []
    seen: dict[str, int] = {}
    for i, line in enumerate(draft.buyers):
        path = f"buyers[{i}]"
        before = len(errors.items)
        party = _party_common(line, "买受人", path, today, errors, is_seller=False)
        party_kind = _coerce_choice(line.kind, PARTY_KIND_LABELS) or PERSON
        share: Decimal | None = None
        if co == SHARES:
            share = _share(line.share, "买受人", f"{path}.share", errors, allow_zero=False)
            shares.append(share)
        elif co == SOLE:
            if not _is_blank(line.share) and _percent(line.share) != _HUNDRED:
                errors.refuse("SHARE_NOT_APPLICABLE", "单独所有的份额为100%，无需另行填写。", f"{path}.share")
            share = _HUNDRED
        elif co == JOINT and not _is_blank(line.share):
            errors.refuse("SHARE_NOT_APPLICABLE", "共同共有不分份额，请不要填写份额。", f"{path}.share")
        if party is not None and party.number:
            id_field = "credit_code" if party_kind == ORGANISATION else "id_number"
            if party.number in seen:
                errors.refuse(
                    "DUPLICATE_BUYER",
                    f"该证件号码与第{seen[party.number] + 1}位买受人重复。",
                    f"{path}.{id_field}",
                )
            else:
                seen[party.number] = i
        if party is not None:
            reasons.extend(_signing_reasons("买受人", party_kind, party))
        if len(errors.items) == before and party is not None and party.region is not None:
            buyers.append(ValidBuyer(
                kind=party_kind, name=party.name, region=party.region,
                id_kind=party.kind if party_kind == PERSON else None,
                id_number=party.number, phone=party.phone or "", capacity=party.capacity or FULL,
                guardian=party.guardian, agent=party.agent, share=share,
                nationality=_nationality(line.nationality),
            ))
    if co == SHARES and n >= 2 and all(s is not None for s in shares):
        total = sum(shares, Decimal(0))  # type: ignore[arg-type]
        if total != _HUNDRED:
            # Filed at the last buyer's share, where the clerk mends the sum.
            errors.refuse(
                "SHARES_NOT_100",
                f"按份共有的份额合计须为100%，现为{total.quantize(_CENT)}%。",
                f"buyers[{len(draft.buyers) - 1}].share",
            )

    # ---- price
    price: Decimal | None = None
    capital = ""
    if _is_blank(draft.price):
        errors.refuse("PRICE_EMPTY", "请填写成交价格。", "price")
    else:
        try:
            raw_price = draft.price
            if isinstance(raw_price, str):
                raw_price = unicodedata.normalize("NFKC", raw_price).strip()
            price = check_amount(raw_price).quantize(_CENT)  # type: ignore[arg-type]
            if price <= 0:
                errors.refuse("PRICE_NOT_POSITIVE", "成交价格须大于0。", "price")
                price = None
            else:
                capital = to_chinese_capital(price)
        except RuleViolation as error:
            if error.code == "MONEY_INVALID":  # what to type, not an echo of what was typed
                errors.refuse("MONEY_INVALID", PRICE_NOT_A_NUMBER, "price")
            else:
                errors.add(error, "price")
            price = None
        except TypeError:
            errors.refuse("MONEY_INVALID", PRICE_NOT_A_NUMBER, "price")
            price = None

    # ---- payment and supervision
    payment = _coerce_choice(draft.payment_method, PAYMENT_METHOD_LABELS)
    if payment is None:
        errors.refuse("PAYMENT_METHOD_INVALID", "请选择付款方式。", "payment_method")
    terms = draft.payment_terms.strip() if isinstance(draft.payment_terms, str) else ""
    if len(terms) > _MAX_TEXT:
        errors.refuse("PAYMENT_TERMS_TOO_LONG", f"付款约定不能超过{_MAX_TEXT}个字。", "payment_terms")
    bank: str | None = None
    if draft.fund_supervised is None or not isinstance(draft.fund_supervised, bool):
        errors.refuse("SUPERVISION_NOT_CHOSEN", "请选择是否进行资金监管。", "fund_supervised")
    elif draft.fund_supervised:
        bank = _text(draft.supervising_bank)
        if not bank:
            errors.refuse("SUPERVISING_BANK_REQUIRED", "选择资金监管时须选择监管银行。", "supervising_bank")
    # With supervision "no" a leftover bank (a hidden field) is dropped.

    requested = draft.requested_signing
    if requested is not None and requested not in (ONLINE, OFFLINE):
        errors.refuse("SIGNING_METHOD_INVALID", "请选择线上签署或线下签署。", "requested_signing")

    # ---- disputes: the parties' choice, or none (they tick one on the printed contract)
    dispute = None if _is_blank(draft.dispute) else _coerce_choice(draft.dispute, DISPUTE_LABELS)
    if dispute is None and not _is_blank(draft.dispute):
        errors.refuse("DISPUTE_CHOICE_INVALID", "争议解决方式只能选择仲裁或诉讼，或暂不选定（由双方在合同上勾选）。",
                      "dispute")
    commission: str | None = None
    if dispute == DISPUTE_ARBITRATION:  # an arbitration agreement names its commission (仲裁法 第十六条)
        commission = _text(draft.arbitration_commission)
        if not commission:
            errors.refuse("ARBITRATION_COMMISSION_REQUIRED", "选择仲裁时须填写仲裁委员会名称。", "arbitration_commission")
        elif len(commission) > _MAX_COMMISSION or "仲裁" not in commission:
            errors.refuse("ARBITRATION_COMMISSION_INVALID",
                          f"请填写仲裁委员会的全称（{_MAX_COMMISSION}字以内），如“武汉仲裁委员会”。", "arbitration_commission")
    # With court (or no choice) a leftover commission (a hidden field) is dropped.

    if errors.items:
        raise DraftInvalid(errors.items)

    assert co is not None and price is not None and payment is not None
    unique_reasons = tuple(dict.fromkeys(reasons))
    method = OFFLINE if unique_reasons or requested == OFFLINE else ONLINE
    return ValidDraft(
        house_id=house_id,
        sellers=tuple(sellers),
        buyers=tuple(buyers),
        co_ownership=co,
        price=price,
        price_capital=capital,
        payment_method=payment,
        payment_terms=terms,
        fund_supervised=bool(draft.fund_supervised),
        supervising_bank=bank,
        signing=SigningDecision(method, unique_reasons),
        dispute=dispute,
        arbitration_commission=commission,
    )


# --------------------------------------------------------------------------
# Parties and the register of persons
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyIdentity:
    """A person the form names with a document of their own: a buyer, or the
    guardian or agent of a buyer or seller (sellers themselves are the
    register's owners and are compared with it otherwise)."""

    path: str  # "buyers[0]", "sellers[1].agent"
    role: str  # 买受人 / 监护人 / 代理人
    name: str
    id_kind: IdKind | str
    id_number: str
    nationality: str | None

    @property
    def keys(self) -> frozenset[tuple[str, str]]:
        """Where the register may hold this person's document (``core.identity.register_keys``)."""
        return register_keys(self.id_kind, self.id_number)


@dataclass(frozen=True)
class RegisteredPerson:
    """A person of the register as one of their documents names them."""

    id_kind: str
    id_number: str
    name: str
    nationality: str | None = None


def party_identities(draft: ValidDraft) -> tuple[PartyIdentity, ...]:
    """Every person of a valid draft whose document the register may know, with the form path."""
    out: list[PartyIdentity] = []

    def representatives(path: str, guardian: ValidPerson | None, agent: ValidPerson | None) -> None:
        for part, role, p in (("guardian", "监护人", guardian), ("agent", "代理人", agent)):
            if p is not None:
                out.append(PartyIdentity(f"{path}.{part}", role, p.name, p.id_kind, p.id_number, p.nationality))

    for i, s in enumerate(draft.sellers):
        representatives(f"sellers[{i}]", s.guardian, s.agent)
    for i, b in enumerate(draft.buyers):
        path = f"buyers[{i}]"
        if b.kind == PERSON and b.id_kind is not None:
            out.append(PartyIdentity(path, "买受人", b.name, b.id_kind, b.id_number, b.nationality))
        representatives(path, b.guardian, b.agent)
    return tuple(out)


def _same_holder(party: PartyIdentity, row: RegisteredPerson) -> bool:
    """The register's row is this party's document: the same kind and number (a
    resident ID in either form); a passport also from the same country when both say."""
    if (row.id_kind, normalize(row.id_number)) not in party.keys:
        return False
    if row.id_kind == IdKind.PASSPORT.value and party.nationality and row.nationality:
        return normalize(party.nationality) == normalize(row.nationality)
    return True


def register_name_refusals(parties: tuple[PartyIdentity, ...],
                           register: tuple[RegisteredPerson, ...]) -> list[RuleViolation]:
    """PARTY_NAME_MISMATCH for every party whose document the register holds under another name.

    A party whose document the register does not hold is not refused (the hall
    meets people the register has not met). The sentence shows the registered
    name masked (``mask_name``: the surname only), never in full; a number the
    register holds for several differently named people shows none.
    """
    refusals: list[RuleViolation] = []
    for party in parties:
        names = list(dict.fromkeys(r.name for r in register if _same_holder(party, r)))
        if not names or any(same_person_name(n, party.name) for n in names):
            continue
        shown = f"（{mask_name(names[0])}）" if len(names) == 1 else ""
        refusals.append(RuleViolation(
            "PARTY_NAME_MISMATCH",
            f"{party.role}姓名与该证件号码在登记簿中记载的姓名{shown}不一致，请按证件核对姓名和证件号码。",
            field=f"{party.path}.name",
        ))
    return refusals


# --------------------------------------------------------------------------
# Version digest and key fields
# --------------------------------------------------------------------------


def _person_facts(p: ValidPerson | None) -> list[Any] | None:
    if p is None:
        return None
    return [p.name, p.region.value, str(p.id_kind), p.id_number, p.phone, p.nationality]


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(_CENT):f}"


def contract_version_digest(draft: ValidDraft) -> str:
    """SHA-256 (hex) over the canonical key facts of exactly this version:
    house, co-ownership, every party with ID, phone, capacity, guardian,
    agent and share, the price, payment, fund supervision and the disputes
    choice.  Party order counts (it is the order printed on the contract)."""
    facts: dict[str, Any] = {
        "v": 1,
        "house_id": draft.house_id,
        "co_ownership": draft.co_ownership,
        "sellers": [
            [s.kind, s.name, s.region.value, str(s.id_kind), s.id_number, s.nationality,
             _dec(s.registered_share), _dec(s.transferred_share), s.phone, s.capacity,
             _person_facts(s.guardian), _person_facts(s.agent)]
            for s in draft.sellers
        ],
        "buyers": [
            [b.kind, b.name, b.region.value, None if b.id_kind is None else str(b.id_kind),
             b.id_number, b.nationality, _dec(b.share), b.phone, b.capacity,
             _person_facts(b.guardian), _person_facts(b.agent)]
            for b in draft.buyers
        ],
        "price": _dec(draft.price),
        "payment_method": draft.payment_method,
        "payment_terms": draft.payment_terms,
        "fund_supervised": draft.fund_supervised,
        "supervising_bank": draft.supervising_bank,
    }
    if draft.dispute is not None:  # only when chosen: versions saved before the choice existed keep their digest
        facts["dispute"] = [draft.dispute, draft.arbitration_commission]
    canonical = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: Field paths (``[]`` stands for any index) that cannot change once the
#: contract is signed (seed 002: the parties' names, ID numbers and the house
#: are corrected only by cancelling the filing and signing anew).  Adding or
#: removing a party (``sellers`` / ``buyers`` / ``buyers[]``) is key as well.
KEY_FIELDS: frozenset[str] = frozenset(
    {"house_id", "house", "sellers", "buyers", "sellers[]", "buyers[]"}
    | {
        f"{side}[].{name}"
        for side in ("sellers", "buyers")
        for name in ("kind", "name", "region", "id_kind", "id_number", "credit_code", "nationality")
    }
)

_INDEX = re.compile(r"\[\d+\]")


def is_key_change(field_path: str) -> bool:
    """Whether a change at ``field_path`` touches a key item (see KEY_FIELDS).

    ``"buyers[1].id_number"`` and ``"house_id"`` are key; ``"price"``,
    ``"buyers[0].phone"`` or ``"buyers[0].guardian.name"`` are not.
    Anything under ``house`` / ``house_id`` is key.
    """
    path = _INDEX.sub("[]", field_path.strip())
    if path in KEY_FIELDS:
        return True
    return path.startswith(("house.", "house_id."))
