"""Development enterprises (开发企业, seed 004 §3.1): what an enterprise's entry, a bank it
works with and a user it adds must look like, and whom its facts are shown to.

Pure rules: each ``check_*`` takes the values as typed (a form, a command line) and
returns them checked and normalised, or raises ``PartyInvalid`` (core.parties) listing one
refusal per bad value (stable code, one Chinese sentence, the field). Whether a credit
code is already registered is the register's business (``services.presale``).

The authority (主管部门) registers an enterprise with its 统一社会信用代码, name, type,
legal representative (name, ID, phone), region and status; the enterprise's administrator
completes the rest (dates, capitals, numbers, address, scope). Capitals are typed in 万元
(as on a business licence) and kept exactly, in yuan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from core.errors import RuleViolation
from core.identity import check_person_name, normalize, parse_credit_code, parse_identity, parse_mobile
from core.money import check_amount
from core.parties import Collect, check_date, check_text
from core.presale.units import nfkc
from core.roles import Actor
from core.text import whole_number

__all__ = [
    "ENTERPRISE_KINDS",
    "BankEntry",
    "BankPurpose",
    "BankRecord",
    "DeveloperEntry",
    "DeveloperRecord",
    "DeveloperStatus",
    "BANK_PURPOSE_LABELS",
    "STATUS_LABELS",
    "check_bank",
    "check_developer",
    "check_developer_phone",
    "check_may_work",
    "owns",
    "wan_yuan",
]

#: 企业类型 a clerk chooses from (as on a business licence, grouped).
ENTERPRISE_KINDS: tuple[str, ...] = (
    "有限责任公司", "股份有限公司", "国有企业", "集体企业", "私营企业", "外商投资企业", "港澳台投资企业", "其他",
)


class DeveloperStatus(StrEnum):
    """企业状态."""

    NORMAL = "normal"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    CANCELLED = "cancelled"


STATUS_LABELS: dict[DeveloperStatus, str] = {
    DeveloperStatus.NORMAL: "正常",
    DeveloperStatus.SUSPENDED: "停业",
    DeveloperStatus.REVOKED: "吊销",
    DeveloperStatus.CANCELLED: "注销",
}


class BankPurpose(StrEnum):
    """What an enterprise's bank is for (银行信息)."""

    MORTGAGE = "mortgage"  # 按揭银行: its buyers' loans (presale contracts)
    SUPERVISION = "supervision"  # 监管银行账户: fund supervision agreements
    LOAN = "loan"  # 贷款银行: mortgages of works in progress


BANK_PURPOSE_LABELS: dict[BankPurpose, str] = {
    BankPurpose.MORTGAGE: "按揭银行",
    BankPurpose.SUPERVISION: "监管银行账户",
    BankPurpose.LOAN: "贷款银行",
}

_NAME_MAX = 120
_REGION_MAX = 40
_ADDRESS_MAX = 200
_SCOPE_MAX = 500
_NOTE_MAX = 200
_WAN = Decimal(10_000)
_FEN_IN_WAN = Decimal("0.000001")
_WAN_LIMIT = Decimal(10) ** 8  # 万元: one trillion yuan


def owns(actor: Actor, developer_id: int) -> bool:
    """Whether ``actor`` may see this enterprise's facts, projects and cases: the hall's
    staff see every enterprise, a developer's staff only their own."""
    return actor.developer_id is None or actor.developer_id == developer_id


@dataclass(frozen=True)
class DeveloperEntry:
    """An enterprise as typed. ``None`` (or blank) leaves an optional value empty."""

    credit_code: object
    name: object
    kind: object
    legal_rep_name: object
    legal_rep_id_number: object
    legal_rep_phone: object
    region: object
    legal_rep_id_kind: object = None  # None: read from the number's shape
    status: object = DeveloperStatus.NORMAL.value
    valid: object = True
    established_on: object = None
    licence_number: object = None
    registered_capital: object = None  # 万元
    paid_in_capital: object = None  # 万元
    taxpayer_number: object = None
    address: object = None
    business_scope: object = None
    note: object = None


@dataclass(frozen=True)
class DeveloperRecord:
    credit_code: str
    name: str
    kind: str
    legal_rep_name: str
    legal_rep_id_kind: str
    legal_rep_id_number: str
    legal_rep_phone: str
    region: str
    status: str
    valid: bool
    established_on: date | None
    licence_number: str | None
    registered_capital: Decimal | None  # yuan
    paid_in_capital: Decimal | None  # yuan
    taxpayer_number: str | None
    address: str | None
    business_scope: str | None
    note: str | None


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _credit_code(raw: object) -> str:
    code = parse_credit_code(raw).code  # type: ignore[arg-type]
    if not code.startswith("91"):
        raise RuleViolation("DEVELOPER_NOT_ENTERPRISE",
                            "开发企业的统一社会信用代码应以91开头（登记管理机关为市场监管部门的企业）。",
                            field="credit_code")
    return code


def _name(raw: object) -> str:
    name = check_text(raw, field="name", label="企业名称", max_length=_NAME_MAX, required=True,
                      empty_code="DEVELOPER_NAME_EMPTY")
    assert name is not None
    if not any(ch.isalpha() for ch in name):
        raise RuleViolation("DEVELOPER_NAME_BAD", "企业名称应按营业执照填写，不能只有数字或符号。", field="name")
    return name


def _choice(raw: object, choices: tuple[str, ...], *, field: str, label: str, code: str) -> str:
    """One of ``choices``, typed as itself or as its number in the list (1, 2, …)."""
    text = normalize(raw) if isinstance(raw, str) and len(raw) <= 40 else ""
    number = whole_number(text)
    if number is not None and 1 <= number <= len(choices):
        return choices[number - 1]
    for choice in choices:
        if text == normalize(choice):
            return choice
    listed = "、".join(choices)
    raise RuleViolation(code, f"{label}只能是{listed}之一。", field=field)


def _status(raw: object) -> str:
    if isinstance(raw, DeveloperStatus):
        return raw.value
    text = raw.strip() if isinstance(raw, str) else ""
    for status, label in STATUS_LABELS.items():
        if text in (status.value, label):
            return status.value
    raise RuleViolation("DEVELOPER_STATUS_BAD", "企业状态只能是正常、停业、吊销或注销。", field="status")


def _flag(raw: object, *, field: str, label: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = raw.strip().lower() if isinstance(raw, str) else ""
    if text in ("是", "有效", "y", "yes", "true", "1"):
        return True
    if text in ("否", "无效", "n", "no", "false", "0"):
        return False
    raise RuleViolation("FLAG_BAD", f"{label}只能填“是”或“否”。", field=field)


def _legal_rep_identity(number: object, kind: object, today: date) -> tuple[str, str]:
    facts = parse_identity(number, None if _blank(kind) else kind, today=today)  # type: ignore[arg-type]
    return facts.kind.value, facts.upgraded or facts.number


def _established(raw: object, today: date) -> date | None:
    if _blank(raw):
        return None
    day = check_date(raw, field="established_on", label="成立日期")
    if day > today:
        raise RuleViolation("DEVELOPER_ESTABLISHED_FUTURE", "成立日期不能晚于今天。", field="established_on")
    return day


def _registration_number(raw: object, *, field: str, label: str, lengths: tuple[int, ...]) -> str | None:
    """工商注册号 / 纳税人识别号: letters and digits of one of ``lengths`` (an 18-character one is
    usually the credit code itself)."""
    if _blank(raw):
        return None
    text = normalize(raw).upper() if isinstance(raw, str) and len(raw) <= 60 else ""
    if not (text.isascii() and text.isalnum() and len(text) in lengths):
        shown = "、".join(str(n) for n in lengths)
        raise RuleViolation("DEVELOPER_NUMBER_BAD", f"{label}应为{shown}位字母或数字，请按证照核对。", field=field)
    return text


def wan_yuan(raw: object, *, field: str, label: str) -> Decimal | None:
    """A capital typed in 万元 (at most to the fen, 0.000001 万元), as exact yuan."""
    if _blank(raw):
        return None
    if isinstance(raw, float) or isinstance(raw, bool):
        raise TypeError("capitals are Decimal or text, never float")
    try:
        value = Decimal(nfkc(raw).replace(",", "")) if isinstance(raw, str) else Decimal(raw)  # type: ignore[arg-type]
    except (InvalidOperation, ValueError, TypeError):
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value >= _WAN_LIMIT or value != value.quantize(_FEN_IN_WAN):
        raise RuleViolation("CAPITAL_BAD", f"{label}应为不小于0的金额（单位万元，最多六位小数）。", field=field)
    try:
        return check_amount(value * _WAN)
    except RuleViolation:
        raise RuleViolation("CAPITAL_BAD", f"{label}超出可登记的范围。", field=field) from None


def check_developer(entry: DeveloperEntry, *, today: date) -> DeveloperRecord:
    """An enterprise's entry checked: the credit code (GB 32100 check character, an enterprise's
    91), the name, type, legal representative (name, an ID number of any kind, a mobile phone),
    region and status; the optional dates, numbers, capitals (paid-up not above registered) and
    free text. ``today`` bounds the ID's birth date and the date of establishment."""
    c = Collect()
    code = c(lambda: _credit_code(entry.credit_code))
    name = c(lambda: _name(entry.name))
    kind = c(lambda: _choice(entry.kind, ENTERPRISE_KINDS, field="kind", label="企业类型", code="DEVELOPER_KIND_BAD"))
    rep = c(lambda: check_person_name(entry.legal_rep_name, who="法定代表人", field="legal_rep_name"))
    identity = c(lambda: _legal_rep_identity(entry.legal_rep_id_number, entry.legal_rep_id_kind, today))
    phone = c(lambda: parse_mobile(entry.legal_rep_phone))  # type: ignore[arg-type]
    region = c(lambda: check_text(entry.region, reference=True, field="region", label="所属地区", max_length=_REGION_MAX,
                                  required=True, empty_code="DEVELOPER_REGION_EMPTY"))
    status = c(lambda: _status(entry.status))
    valid = c(lambda: _flag(entry.valid, field="valid", label="是否有效"))
    established = c(lambda: _established(entry.established_on, today))
    licence = c(lambda: _registration_number(entry.licence_number, field="licence_number", label="工商注册号",
                                             lengths=(13, 15, 18)))
    registered = c(lambda: wan_yuan(entry.registered_capital, field="registered_capital", label="注册资本"))
    paid = c(lambda: wan_yuan(entry.paid_in_capital, field="paid_in_capital", label="实缴资本"))
    taxpayer = c(lambda: _registration_number(entry.taxpayer_number, field="taxpayer_number", label="纳税人识别号",
                                              lengths=(15, 17, 18, 20)))
    address = c(lambda: check_text(entry.address, field="address", label="注册地址", max_length=_ADDRESS_MAX))
    scope = c(lambda: check_text(entry.business_scope, field="business_scope", label="经营范围", max_length=_SCOPE_MAX))
    note = c(lambda: check_text(entry.note, field="note", label="备注", max_length=_NOTE_MAX))
    if registered is not None and paid is not None and paid > registered:
        c.errors.append(RuleViolation("CAPITAL_PAID_ABOVE_REGISTERED", "实缴资本不能超过注册资本。",
                                      field="paid_in_capital"))
    c.done()
    id_kind, id_number = identity
    return DeveloperRecord(
        credit_code=code, name=name, kind=kind, legal_rep_name=rep, legal_rep_id_kind=id_kind,
        legal_rep_id_number=id_number, legal_rep_phone=phone, region=region, status=status, valid=valid,
        established_on=established, licence_number=licence, registered_capital=registered, paid_in_capital=paid,
        taxpayer_number=taxpayer, address=address, business_scope=scope, note=note,
    )


# --------------------------------------------------------------------------
# Banks
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class BankEntry:
    purpose: object
    bank_name: object
    branch: object = None
    account_name: object = None
    account_number: object = None


@dataclass(frozen=True)
class BankRecord:
    purpose: str
    bank_name: str
    branch: str | None
    account_name: str | None
    account_number: str | None


def _purpose(raw: object) -> BankPurpose:
    if isinstance(raw, BankPurpose):
        return raw
    text = nfkc(raw).strip() if isinstance(raw, str) and len(raw) <= 40 else ""
    purposes = tuple(BankPurpose)
    number = whole_number(text)
    if number is not None and 1 <= number <= len(purposes):  # its number in the list, as a form offers it
        return purposes[number - 1]
    for purpose, label in BANK_PURPOSE_LABELS.items():
        if text in (purpose.value, label, label.removesuffix("账户")):
            return purpose
    raise RuleViolation("BANK_PURPOSE_BAD", "银行类别只能是按揭银行、监管银行账户或贷款银行。", field="purpose")


def _account_number(raw: object) -> str:
    text = normalize(raw) if isinstance(raw, str) and len(raw) <= 80 else ""
    text = text.replace(" ", "")
    if not (text.isascii() and text.isdigit() and 8 <= len(text) <= 32):
        raise RuleViolation("BANK_ACCOUNT_BAD", "监管账号应为8至32位数字，请按开户证明核对。", field="account_number")
    return text


def check_bank(entry: BankEntry) -> BankRecord:
    """A bank of the enterprise: its purpose and the bank's name; a supervising account also
    its branch (开户行), account name and number; the others carry no account."""
    c = Collect()
    purpose = c(lambda: _purpose(entry.purpose))
    bank = c(lambda: check_text(entry.bank_name, reference=True, field="bank_name", label="银行名称", max_length=60, required=True,
                                empty_code="BANK_NAME_EMPTY"))
    branch = c(lambda: check_text(entry.branch, field="branch", label="开户行（网点）", max_length=80))
    account_name = c(lambda: check_text(entry.account_name, field="account_name", label="账户名称", max_length=120))
    number = c(lambda: None if _blank(entry.account_number) else _account_number(entry.account_number))
    if purpose is BankPurpose.SUPERVISION:
        for value, field, label in ((branch, "branch", "开户行"), (account_name, "account_name", "账户名称"),
                                    (number, "account_number", "监管账号")):
            if value is None and not any(e.field == field for e in c.errors):
                c.errors.append(RuleViolation("BANK_ACCOUNT_INCOMPLETE", f"监管银行账户须填写{label}。", field=field))
    elif purpose is not None and (account_name is not None or number is not None):
        c.errors.append(RuleViolation("BANK_ACCOUNT_NOT_SUPERVISION", "只有监管银行账户登记账户名称和账号。",
                                      field="account_number"))
    c.done()
    return BankRecord(purpose.value, bank, branch, account_name, number)


def check_developer_phone(raw: object) -> str:
    """A developer's user's mobile phone (入网 requires one)."""
    if _blank(raw):
        raise RuleViolation("PHONE_EMPTY", "请填写手机号码。", field="phone")
    return parse_mobile(raw)  # type: ignore[arg-type]


def check_may_work(status: str, valid: bool, name: str) -> None:
    """A new case or a new operator for an enterprise whose status is not 正常, or which is marked
    invalid, is refused (DEVELOPER_NOT_ACTIVE)."""
    if valid and status == DeveloperStatus.NORMAL:
        return
    state = "无效" if not valid else STATUS_LABELS.get(DeveloperStatus(status), status)
    raise RuleViolation("DEVELOPER_NOT_ACTIVE", f"开发企业“{name}”的状态为{state}，不能办理新业务。")
