"""Lease signing rules (公租房租赁签约, seed 000 §三).

At the counter the clerk does what the guide has the family do on a phone:
完善承租信息 (phone, employer, rent-collection bank account) → 身份核验 (the
main applicant or the proxy seen in person) → 签订合同 → 押金缴纳 → 签约审核
by a supervisor, whose result goes out by SMS; an approved lease gets its
入住通知书 (move-in notice).

This module holds the pure rules of those steps: bank account and bank name,
employer, identity check, deposit, lease term, move-in window, document
numbers and the SMS texts. Pure: stdlib and core only; every refusal is a
RuleViolation with a stable code, one Chinese sentence and the input field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from core.cases import CaseStatus, case_type
from core.errors import RuleViolation
from core.identity import normalize
from core.money import check_amount, format_yuan, to_chinese_capital

# ------------------------------------------------------------------ case type, stages, statuses

CASE_TYPE = "lease_signing"
TENANT_INFO = "tenant_info"
IDENTITY_CHECK = "identity_check"
CONTRACT = "contract"
DEPOSIT = "deposit"
REVIEW = "review"

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
REVIEW_LABELS = {PENDING: "待审核", APPROVED: "审核通过", REJECTED: "审核不通过（已退回）"}

# What the counter does next, by stage (shown on the lease screen).
NEXT_STEPS = {
    TENANT_INFO: "请核对并登记承租人手机号码、工作单位及租金托收银行账户。",
    IDENTITY_CHECK: "请当面核验主申请人（或受托人）本人身份，并登记所见证件。",
    CONTRACT: "请与承租人签订《公共租赁住房租赁合同》并打印合同。",
    DEPOSIT: "请收取押金并打印押金收据，收款后签约申请提交审核。",
    REVIEW: "签约申请已提交，等待审核主管审核。",
}
NEXT_APPROVED = "签约已审核通过，请打印入住通知书，提醒承租人按期办理入住。"
NEXT_CANCELLED = "该签约业务已取消受理。"


def stage_name(code: str) -> str:
    """The Chinese name of a lease stage ("contract" → "签订合同")."""
    kind = case_type(CASE_TYPE)
    return kind.stages[kind.stage_index(code)].name


def require_open(status: str) -> None:
    """Refuse work on a lease case that is archived (approved) or cancelled."""
    if status == CaseStatus.ARCHIVED.value:
        raise RuleViolation("LEASE_CLOSED", "该签约业务已审核通过并办结，不能再修改。")
    if status == CaseStatus.CANCELLED.value:
        raise RuleViolation("LEASE_CANCELLED", "该签约业务已取消受理，不能继续办理。")


def require_stage(current: str, wanted: str) -> None:
    """Refuse a step outside its stage, naming the stage the case is at."""
    if current != wanted:
        raise RuleViolation(
            "LEASE_WRONG_STAGE",
            f"该签约业务当前处于“{stage_name(current)}”阶段，不能办理“{stage_name(wanted)}”。",
        )


# ------------------------------------------------------------------ bank account (租金托收账户)

BANK_ACCOUNT_MIN = 12
BANK_ACCOUNT_MAX = 19
_RAW_MAX = 64  # longest raw text looked at
_FIELD_ACCOUNT = "bank_account"


def luhn_check_digit(body: str) -> str:
    """The Luhn (ISO/IEC 7812) check digit to append to ``body`` (ASCII digits)."""
    if not body.isascii() or not body.isdigit():
        raise ValueError("luhn_check_digit needs ASCII digits")
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the digit next to the check digit, and every second one
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str(-total % 10)


def luhn_valid(number: str) -> bool:
    """Whether the last digit of ``number`` is its Luhn check digit."""
    return len(number) >= 2 and number.isascii() and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def is_card_number(number: str) -> bool:
    """A 16–19 digit number of UnionPay (62…), Visa (4…) or Mastercard (5…):
    a bank card, whose last digit is a Luhn check digit."""
    return 16 <= len(number) <= 19 and number.startswith(("62", "4", "5"))


def check_bank_account(raw: str) -> str:
    """Normalise a rent-collection account or card number and check it.

    Full-width digits become ASCII; spaces and hyphens vanish. The result must
    be 12–19 digits (mainland bank cards and personal accounts); a card number
    (see ``is_card_number``) must carry a valid Luhn check digit.
    """
    if not isinstance(raw, str) or len(raw) > _RAW_MAX:
        bad = not isinstance(raw, str)
        raise RuleViolation(
            "BANK_ACCOUNT_BAD_CHARS" if bad else "BANK_ACCOUNT_BAD_LENGTH",
            "银行账号只能由数字组成，请核对后重新输入。" if bad else "银行账号应为12至19位数字，请核对后重新输入。",
            field=_FIELD_ACCOUNT,
        )
    number = normalize(raw)
    if not number:
        raise RuleViolation("BANK_ACCOUNT_EMPTY", "请输入租金托收银行账号。", field=_FIELD_ACCOUNT)
    if not (number.isascii() and number.isdigit()):
        raise RuleViolation("BANK_ACCOUNT_BAD_CHARS", "银行账号只能由数字组成，请核对后重新输入。", field=_FIELD_ACCOUNT)
    if not BANK_ACCOUNT_MIN <= len(number) <= BANK_ACCOUNT_MAX:
        raise RuleViolation(
            "BANK_ACCOUNT_BAD_LENGTH",
            f"银行账号应为12至19位数字，您输入的是{len(number)}位，请核对后重新输入。",
            field=_FIELD_ACCOUNT,
        )
    if is_card_number(number) and not luhn_valid(number):
        raise RuleViolation("BANK_ACCOUNT_BAD_CHECK", "银行卡号校验位不正确，请核对卡号后重新输入。", field=_FIELD_ACCOUNT)
    return number


def mask_bank_account(account: str) -> str:
    """Show the first and last four digits, the rest as groups of four stars:
    "6217000012345670123" → "6217 **** **** *** 0123", 16 digits → "6217 **** **** 0123"."""
    number = normalize(account) if isinstance(account, str) else ""
    if len(number) < 9:
        return "*" * max(len(number) - 4, 4) + number[-4:] if number else ""
    middle = len(number) - 8
    stars = ["*" * min(4, middle - i) for i in range(0, middle, 4)]
    return " ".join([number[:4], *stars, number[-4:]])


# ------------------------------------------------------------------ bank name (租金托收银行)

BANK_NAME_MAX = 60

KNOWN_BANKS: tuple[str, ...] = (
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "招商银行",
    "中国邮政储蓄银行",
    "平安银行",
    "深圳农村商业银行",
    "中信银行",
    "中国光大银行",
    "中国民生银行",
    "兴业银行",
    "上海浦东发展银行",
    "广发银行",
    "华夏银行",
)

# Short names clerks and citizens say; the account is registered under the full name.
BANK_ALIASES: dict[str, str] = {
    "工行": "中国工商银行",
    "工商银行": "中国工商银行",
    "农行": "中国农业银行",
    "农业银行": "中国农业银行",
    "中行": "中国银行",
    "建行": "中国建设银行",
    "建设银行": "中国建设银行",
    "交行": "交通银行",
    "招行": "招商银行",
    "邮储": "中国邮政储蓄银行",
    "邮储银行": "中国邮政储蓄银行",
    "邮政储蓄银行": "中国邮政储蓄银行",
    "邮政银行": "中国邮政储蓄银行",
    "深圳农商行": "深圳农村商业银行",
    "深圳农商银行": "深圳农村商业银行",
    "浦发银行": "上海浦东发展银行",
    "民生银行": "中国民生银行",
    "光大银行": "中国光大银行",
}

_BRANCH_SUFFIXES = ("支行", "分行", "分理处", "营业部")
_COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司")
_BANK_NAME_CHARS = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9()（）·]+$")


def check_bank_name(raw: str) -> str:
    """The rent-collection bank (租金托收银行), optionally with its branch.

    Accepted: a known bank or its common short name (returned as the full
    name, e.g. "建行" → "中国建设银行"); a name ending in 银行; a bank's branch
    ("…银行…支行 / 分行 / 分理处 / 营业部"); a bank's legal name ("…银行股份有限公司").
    """
    name = "".join(str(raw).split()) if isinstance(raw, str) else ""
    if not name:
        raise RuleViolation("BANK_NAME_EMPTY", "请输入租金托收银行名称。", field="bank_name")
    if len(name) > BANK_NAME_MAX:
        raise RuleViolation("BANK_NAME_TOO_LONG", f"银行名称不能超过{BANK_NAME_MAX}个字。", field="bank_name")
    if name in BANK_ALIASES:
        return BANK_ALIASES[name]
    if name in KNOWN_BANKS:
        return name
    bank_at = name.find("银行")
    if _BANK_NAME_CHARS.match(name) is not None and bank_at >= 2:
        after_bank = name[bank_at + 2:]
        branch = next((s for s in _BRANCH_SUFFIXES if after_bank.endswith(s)), None)
        if (
            not after_bank
            or (branch is not None and len(after_bank) > len(branch))  # "…银行福田支行", not "…银行支行"
            or after_bank in _COMPANY_SUFFIXES
        ):
            return name
    raise RuleViolation(
        "BANK_NAME_UNKNOWN",
        "银行名称应为银行全称或“某某银行某某支行”，请按银行卡上的开户行名称填写。",
        field="bank_name",
    )


# ------------------------------------------------------------------ employer (工作单位)

EMPLOYER_MAX = 100
NO_EMPLOYER = "无"  # what documents print for an applicant without an employer


def check_employer(raw: str | None) -> str:
    """The employer as it will be printed, or "" for none.

    May be empty: applicants may be unemployed, retired or self-employed, and
    the guide lets them edit the field, not forces it. Whitespace runs become
    one space; line breaks and other control characters are refused (they would
    break the contract's layout), as is anything over 100 characters.
    """
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise RuleViolation("EMPLOYER_BAD_CHARS", "工作单位只能填写文字。", field="employer")
    if any(ch in raw for ch in "\r\n\t\v\f") or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise RuleViolation("EMPLOYER_BAD_CHARS", "工作单位不能包含换行等控制字符，请在一行内填写。", field="employer")
    text = " ".join(raw.replace("\u3000", " ").split())
    if len(text) > EMPLOYER_MAX:
        raise RuleViolation("EMPLOYER_TOO_LONG", f"工作单位不能超过{EMPLOYER_MAX}个字，请填写单位全称的主要部分。", field="employer")
    return text


# ------------------------------------------------------------------ identity check (人脸识别 → 当面核验)

MAIN_APPLICANT = "main_applicant"
PROXY = "proxy"
IDENTITY_WHO_LABELS = {MAIN_APPLICANT: "主申请人本人", PROXY: "受托人"}
PROXY_NAME_MAX = 40
DOCUMENT_MAX = 60


@dataclass(frozen=True)
class IdentityCheck:
    who: str  # main_applicant / proxy
    proxy_name: str | None
    document_seen: str  # e.g. "居民身份证原件"、"授权委托书及受托人身份证原件"

    @property
    def who_label(self) -> str:
        if self.who == PROXY:
            return f"受托人{self.proxy_name}"
        return IDENTITY_WHO_LABELS[MAIN_APPLICANT]


def check_identity_check(who: str, proxy_name: str | None, document_seen: str) -> IdentityCheck:
    """Who was verified in person at the window, and on which document.

    The guide has the main applicant (or the person they authorised) pass a
    face check on the phone; at the counter the clerk sees that person and
    their original document. A proxy must be named; a proxy name typed for
    the main applicant is dropped.
    """
    if who not in IDENTITY_WHO_LABELS:
        raise RuleViolation("LEASE_IDENTITY_WHO_BAD", "请选择核验对象：主申请人本人或受托人。", field="who")
    name = " ".join(str(proxy_name or "").split())
    if who == PROXY:
        if not name:
            raise RuleViolation("LEASE_PROXY_NAME_REQUIRED", "由受托人办理的，请填写受托人姓名。", field="proxy_name")
        if len(name) > PROXY_NAME_MAX:
            raise RuleViolation("LEASE_PROXY_NAME_TOO_LONG", f"受托人姓名不能超过{PROXY_NAME_MAX}个字。", field="proxy_name")
    document = " ".join(str(document_seen or "").split())
    if not document:
        raise RuleViolation("LEASE_DOCUMENT_REQUIRED", "请登记当面核验的证件，例如“居民身份证原件”。", field="document_seen")
    if len(document) > DOCUMENT_MAX:
        raise RuleViolation("LEASE_DOCUMENT_TOO_LONG", f"核验证件的说明不能超过{DOCUMENT_MAX}个字。", field="document_seen")
    return IdentityCheck(who, name if who == PROXY else None, document)


# ------------------------------------------------------------------ deposit (押金)

DEFAULT_DEPOSIT_MONTHS = 2
MAX_DEPOSIT_MONTHS = 12
DEPOSIT_METHODS: tuple[str, ...] = ("银行卡", "扫码支付", "银行转账", "现金")
_CENT = Decimal("0.01")


def deposit_for(monthly_rent: Decimal, months: int = DEFAULT_DEPOSIT_MONTHS) -> Decimal:
    """The deposit: ``months`` × the monthly rent, to the fen."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_DEPOSIT_MONTHS:
        raise RuleViolation(
            "LEASE_DEPOSIT_MONTHS_BAD",
            f"押金月数应为1到{MAX_DEPOSIT_MONTHS}之间的整数，请联系系统管理员。",
        )
    rent = check_amount(monthly_rent)
    if rent <= 0:
        raise RuleViolation("LEASE_RENT_NOT_SET", "该房源未登记月租金，不能计算押金，请联系系统管理员。")
    return (rent * months).quantize(_CENT, rounding=ROUND_HALF_UP)


def check_deposit_amount(amount: Decimal | int | str | None, required: Decimal) -> Decimal:
    """The amount taken must be exactly the deposit due (None means "the amount due")."""
    if amount is None:
        return required
    paid = check_amount(amount)
    if paid != required:
        raise RuleViolation(
            "LEASE_DEPOSIT_WRONG_AMOUNT",
            f"押金应为人民币{to_chinese_capital(required)}（{format_yuan(required)}），与输入的金额不符。",
            field="amount",
        )
    return paid


def check_deposit_method(raw: str) -> str:
    method = "".join(str(raw or "").split())
    if method not in DEPOSIT_METHODS:
        raise RuleViolation("LEASE_DEPOSIT_METHOD_BAD", f"缴款方式只能是{'、'.join(DEPOSIT_METHODS)}之一。", field="method")
    return method


# ------------------------------------------------------------------ term, move-in, review

DEFAULT_TERM_YEARS = 3
MAX_TERM_YEARS = 5
MAX_START_AHEAD_DAYS = 90
DEFAULT_MOVE_IN_DAYS = 30
REVIEW_NOTE_MAX = 200


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the term runs to 28 February
        return date(day.year + years, 3, 1)


def lease_term(start: date, years: int = DEFAULT_TERM_YEARS) -> tuple[date, date]:
    """The term: from ``start`` to the day before its ``years``-th anniversary."""
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_TERM_YEARS:
        raise RuleViolation("LEASE_TERM_YEARS_BAD", f"租赁期限应为1至{MAX_TERM_YEARS}年。", field="years")
    return start, _add_years(start, years) - timedelta(days=1)


def check_term_start(start: date, today: date) -> date:
    """A lease starts today or within the next 90 days."""
    if start < today:
        raise RuleViolation("LEASE_START_IN_PAST", "租赁起始日期不能早于今天。", field="start")
    if start > today + timedelta(days=MAX_START_AHEAD_DAYS):
        raise RuleViolation(
            "LEASE_START_TOO_LATE", f"租赁起始日期不能晚于今天起{MAX_START_AHEAD_DAYS}天。", field="start"
        )
    return start


DEFAULT_SIGNING_DAYS = 15
DEFAULT_PUBLICITY_DAYS = 5


def signing_window(published_on: date, days: int = DEFAULT_SIGNING_DAYS) -> tuple[date, date]:
    """The days a housed family may sign its lease: from the day the round's
    result is published, for ``days`` days. The family's result notice prints
    this window and the contract step refuses a signing outside it, so a
    lease's signing date always lies inside what the notice promised."""
    if days < 1:
        raise ValueError("a signing window lasts at least one day")
    return published_on, published_on + timedelta(days=days - 1)


def check_signing_day(today: date, window: tuple[date, date]) -> date:
    """Today, if it lies inside the family's signing window (LEASE_SIGNING_WINDOW)."""
    first, last = window
    if not first <= today <= last:
        raise RuleViolation(
            "LEASE_SIGNING_WINDOW",
            f"今天不在该家庭选房结果通知书所载的签约期（{_day(first)}至{_day(last)}）内，不能签订合同。",
        )
    return today


def publicity_until(published_on: date, days: int = DEFAULT_PUBLICITY_DAYS) -> date:
    """The last day of a round's public result list (公示期): ``days`` days
    from its publication."""
    if days < 1:
        raise ValueError("a publicity period lasts at least one day")
    return published_on + timedelta(days=days - 1)


def move_in_window(approved_on: date, term_start: date, days: int = DEFAULT_MOVE_IN_DAYS) -> tuple[date, date]:
    """When the family collects its keys: from approval (or the term's start,
    whichever is later) for ``days`` days."""
    first = max(approved_on, term_start)
    return first, first + timedelta(days=days - 1)


def check_review_note(approve: bool, note: str | None) -> str:
    """A rejection needs its reason (it goes back to the clerk and to the tenant by SMS)."""
    text = " ".join(str(note or "").split())
    if not approve and not text:
        raise RuleViolation("LEASE_REJECT_REASON_REQUIRED", "审核不通过时必须填写需要更正的内容。", field="note")
    if len(text) > REVIEW_NOTE_MAX:
        raise RuleViolation("LEASE_REVIEW_NOTE_TOO_LONG", f"审核意见不能超过{REVIEW_NOTE_MAX}个字。", field="note")
    return text


# ------------------------------------------------------------------ document numbers and SMS texts


def _digits(case_number: str) -> str:
    digits = "".join(ch for ch in case_number if ch.isdigit())
    if not digits:
        raise ValueError(f"case number without digits: {case_number!r}")
    return digits


def contract_number_for(case_number: str) -> str:
    """合同编号: "GZ" + the case number's digits (G202603050000001 → GZ202603050000001)."""
    return "GZ" + _digits(case_number)


def receipt_number_for(case_number: str) -> str:
    """押金收据编号: "YJ" + the case number's digits."""
    return "YJ" + _digits(case_number)


def notice_number_for(case_number: str) -> str:
    """入住通知书编号: "RZ" + the case number's digits."""
    return "RZ" + _digits(case_number)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def approval_sms(house: str, contract_number: str, move_in: tuple[date, date]) -> str:
    """The SMS sent when a lease is approved."""
    first, last = move_in
    return (
        f"您的公租房租赁签约已审核通过（合同编号{contract_number}，房屋{house}），"
        f"请于{_day(first)}至{_day(last)}持入住通知书、身份证原件到物业服务中心办理入住。"
    )


def rejection_sms(house: str, reason: str) -> str:
    """The SMS sent when a lease is sent back: what to correct."""
    return (
        f"您的公租房租赁签约（房屋{house}）未通过审核，需更正：{reason}。"
        "请携带主申请人身份证原件及相关材料到服务窗口办理更正。"
    )
