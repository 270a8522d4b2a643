"""Money in yuan: Chinese financial capitals (大写金额) and the figure format.

Contracts and receipts state every amount twice, in figures and in capitals
(seed 003, article 2: "price in figures and Chinese capitals"). The capitals
follow the standard rules for bills and settlement vouchers
(《正确填写票据和结算凭证的基本规定》):

- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 inside a four-digit section and
  万/亿 for the sections; "壹拾" always keeps its 壹;
- one 零 stands for any run of zeros between non-zero digits, also across a
  万/亿 boundary (10010 → 壹万零壹拾, 100000001 → 壹亿零壹); an all-zero
  section drops its unit (300000000 → 叁亿);
- an amount with no 角 and no 分 ends in "元整" (0 → 零元整); an amount with
  分 but no 角 writes 零 after 元 (1.05 → 壹元零伍分); nothing follows 角 or 分;
- an amount below one yuan starts at its 角 or 分 (0.05 → 伍分).

Pure: stdlib only. Refusals are ``RuleViolation`` with stable codes.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core.errors import RuleViolation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SECTION_UNITS = ("仟", "佰", "拾", "")  # inside a four-digit section, highest first
CAPITAL_CHARS = frozenset(DIGITS + "拾佰仟万亿元角分整")

LIMIT = Decimal(10) ** 12  # one trillion (壹万亿) is the first amount refused
_CENT = Decimal("0.01")


def _to_decimal(amount: Decimal | int | str) -> Decimal:
    """The amount as a finite Decimal; floats are refused (they are not money)."""
    if isinstance(amount, bool) or isinstance(amount, float):
        raise TypeError("金额请用 Decimal、int 或 str 表示，不能用 float")
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, str):
        try:
            value = Decimal(amount.strip().replace(",", ""))
        except InvalidOperation:
            raise RuleViolation("MONEY_INVALID", f"“{amount}”不是有效的金额。", field="amount") from None
    else:
        raise TypeError(f"金额类型不受支持：{type(amount).__name__}")
    if not value.is_finite():
        raise RuleViolation("MONEY_INVALID", "金额必须是有限的数字。", field="amount")
    return value


def _checked_cents(amount: Decimal | int | str, *, allow_negative: bool = False) -> int:
    """The amount in whole fen (分) after the money rules; the sign is kept."""
    value = _to_decimal(amount)
    if value < 0 and not allow_negative:
        raise RuleViolation("MONEY_NEGATIVE", "金额不能为负数。", field="amount")
    # The size before the fen: quantizing 1e30 (or "1e309", five keys) to the fen needs more
    # digits than Decimal's context holds, and raises instead of answering.
    if abs(value) >= LIMIT:
        raise RuleViolation("MONEY_TOO_LARGE", "金额须小于壹万亿元。", field="amount")
    if value != value.quantize(_CENT):
        raise RuleViolation("MONEY_TOO_PRECISE", "金额最多保留两位小数（到分）。", field="amount")
    return int((value * 100).to_integral_value())


def check_amount(amount: Decimal | int | str) -> Decimal:
    """Validate an amount (non-negative, at most 2 decimals, < 1 trillion) and
    return it as a Decimal with exactly two decimals."""
    return Decimal(_checked_cents(amount)) / 100


def _section(n: int) -> str:
    """Capitals of 1..9999 without its section unit; inner zero runs → one 零."""
    out: list[str] = []
    zero_pending = False
    for unit, digit in zip(SECTION_UNITS, f"{n:04d}"):
        d = int(digit)
        if d == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(DIGITS[d] + unit)
    return "".join(out)


def _yuan_capitals(n: int) -> str:
    """Capitals of a whole number of yuan 1..999,999,999,999 (without 元)."""
    sections = ((n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, ""))
    out: list[str] = []
    zero_pending = False
    for value, unit in sections:
        if value == 0:
            zero_pending = bool(out)
            continue
        # A gap before this section (an all-zero section, or fewer than four
        # digits after a higher section) is read as one 零.
        if out and (zero_pending or value < 1000):
            out.append("零")
        out.append(_section(value) + unit)
        zero_pending = False
    return "".join(out)


def to_chinese_capital(amount: Decimal | int | str) -> str:
    """The amount in Chinese financial capitals, e.g. 1234.50 → "壹仟贰佰叁拾肆元伍角".

    Refuses negative amounts (MONEY_NEGATIVE), more than two decimals
    (MONEY_TOO_PRECISE) and amounts of one trillion yuan or more
    (MONEY_TOO_LARGE); no silent rounding of money.
    """
    cents = _checked_cents(amount)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    out = _yuan_capitals(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"  # 元 followed directly by 分: 壹元零伍分
    if fen:
        out += DIGITS[fen] + "分"
    return out


def format_yuan(amount: Decimal | int | str) -> str:
    """The amount in figures with thousands separators: 1234.5 → "¥1,234.50".

    Negative amounts (refunds, balances) are allowed and shown as "-¥12.00";
    more than two decimals is refused rather than rounded.
    """
    cents = _checked_cents(amount, allow_negative=True)
    sign = "-" if cents < 0 else ""
    yuan, fen = divmod(abs(cents), 100)
    return f"{sign}¥{yuan:,}.{fen:02d}"
