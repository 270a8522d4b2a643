"""Allocation and lease documents, and the money rules they print.

core.money: Chinese financial capitals (examples, tricky cases, refusals and a
hypothesis round-trip through an independent reference parser).
reports.allocation: every document embeds the CJK font subset, extracts its
key texts with pdftotext and renders with pdftoppm; the 2,500-row result list
runs over many pages with its header repeated.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import RuleViolation
from core.money import CAPITAL_CHARS, check_amount, format_yuan, to_chinese_capital
from reports import allocation as docs
from reports.base import chinese_ordinal, format_date

# ------------------------------------------------------------------ core.money


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("1234.50", "壹仟贰佰叁拾肆元伍角"),
        ("100", "壹佰元整"),
        ("0.05", "伍分"),
        ("10010.01", "壹万零壹拾元零壹分"),
        ("3000000", "叁佰万元整"),
        # tricky ones
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.5", "伍角"),
        ("0.55", "伍角伍分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("16", "壹拾陆元整"),
        ("1.05", "壹元零伍分"),
        ("1.50", "壹元伍角"),
        ("101", "壹佰零壹元整"),
        ("110", "壹佰壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("10000", "壹万元整"),
        ("10001", "壹万零壹元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("101000", "壹拾万壹仟元整"),
        ("1000100", "壹佰万零壹佰元整"),
        ("10000100", "壹仟万零壹佰元整"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1000000000.10", "壹拾亿元壹角"),
        ("200000000000", "贰仟亿元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("1.230", "壹元贰角叁分"),  # trailing zero: still two decimals of value
    ],
)
def test_capitals(amount, capitals):
    assert to_chinese_capital(Decimal(amount)) == capitals


def test_capitals_accept_int_and_str():
    assert to_chinese_capital(100) == "壹佰元整"
    assert to_chinese_capital("1,234.50") == "壹仟贰佰叁拾肆元伍角"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal("-0.01"), "MONEY_NEGATIVE"),
        (Decimal("-100"), "MONEY_NEGATIVE"),
        (Decimal("1.001"), "MONEY_TOO_PRECISE"),
        (Decimal("0.005"), "MONEY_TOO_PRECISE"),
        (Decimal("1000000000000"), "MONEY_TOO_LARGE"),
        (Decimal("1E12"), "MONEY_TOO_LARGE"),
        (Decimal("NaN"), "MONEY_INVALID"),
        (Decimal("Infinity"), "MONEY_INVALID"),
        ("abc", "MONEY_INVALID"),
    ],
)
def test_refusals(amount, code):
    with pytest.raises(RuleViolation) as err:
        to_chinese_capital(amount)
    assert err.value.code == code
    assert err.value.message  # one Chinese sentence


def test_float_is_not_money():
    with pytest.raises(TypeError):
        to_chinese_capital(1.5)  # type: ignore[arg-type]


def test_format_yuan():
    assert format_yuan(Decimal("1234.5")) == "¥1,234.50"
    assert format_yuan(0) == "¥0.00"
    assert format_yuan(Decimal("999999999999.99")) == "¥999,999,999,999.99"
    assert format_yuan(Decimal("-12")) == "-¥12.00"
    with pytest.raises(RuleViolation) as err:
        format_yuan(Decimal("1.234"))
    assert err.value.code == "MONEY_TOO_PRECISE"
    assert check_amount("12.3") == Decimal("12.30")


_DIGIT_VALUE = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_section(text: str) -> int:
    """"壹仟零伍拾" → 1050: digit/unit pairs, 零 is only a separator."""
    total, pending = 0, None
    for ch in text:
        if ch == "零":
            assert pending is None, text
            continue
        if ch in _DIGIT_VALUE:
            assert pending is None, text
            pending = _DIGIT_VALUE[ch]
        else:
            assert pending is not None, f"unit without digit in {text}"
            total += pending * _SMALL_UNITS[ch]
            pending = None
    return total + (pending or 0)


def _parse_integer(text: str) -> int:
    total = 0
    if "亿" in text:
        high, text = text.split("亿")
        total += _parse_section(high) * 10**8
    if "万" in text:
        high, text = text.split("万")
        total += _parse_section(high) * 10**4
    return total + _parse_section(text)


def parse_capitals(text: str) -> Decimal:
    """Reference parser (capitals → Decimal), written apart from the encoder."""
    if text == "零元整":
        return Decimal("0.00")
    integer, _, fraction = text.rpartition("元")
    cents = _parse_integer(integer) * 100
    fraction = fraction.removesuffix("整").removeprefix("零")
    if m := re.fullmatch(r"(?:(.)角)?(?:(.)分)?", fraction):
        cents += 10 * _DIGIT_VALUE.get(m.group(1) or "零") + _DIGIT_VALUE.get(m.group(2) or "零")
    else:  # pragma: no cover - the assertion message shows the text
        raise AssertionError(f"bad fraction in {text}")
    return Decimal(cents) / 100


def _well_formed(text: str, amount: Decimal) -> None:
    assert set(text) <= CAPITAL_CHARS, text
    if amount == 0:
        assert text == "零元整"
        return
    assert "零零" not in text and not re.search("零[拾佰仟万亿元角分整]", text), text
    assert text.endswith(("整", "角", "分")), text
    assert text.endswith("整") == (amount == amount.to_integral_value()), text
    assert not text.startswith("零") and "亿万" not in text, text


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=9_999_999_999_999))
def test_capitals_round_trip(cents):
    amount = Decimal(cents) / 100
    text = to_chinese_capital(amount)
    _well_formed(text, amount)
    assert parse_capitals(text) == amount


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([10**k for k in range(12)]), st.integers(0, 9), st.integers(0, 9_999))
def test_capitals_round_trip_sparse(power, digit, low):
    """Sparse numbers (many zeros) are where the 零 rules bite."""
    amount = Decimal(min(power * digit + low, 99_999_999_999))
    text = to_chinese_capital(amount)
    _well_formed(text, amount)
    assert parse_capitals(text) == amount


def test_chinese_ordinal():
    assert [chinese_ordinal(n) for n in (1, 8, 10, 12, 20, 99)] == ["一", "八", "十", "十二", "二十", "九十九"]
    assert format_date(date(2026, 3, 5)) == "2026年03月05日"


# ------------------------------------------------------------------ sample data

HOUSE = docs.HouseFacts(
    code="LY-3-1203",
    project="龙悦居三期",
    address="深圳市龙华区龙华街道和平路88号",
    building="3栋",
    unit="1单元",
    room="1203室",
    layout="两房一厅",
    area=Decimal("65.32"),
    floor=12,
    orientation="南",
)


def sample_notice(**changes) -> docs.FamilyResultNotice:
    data = docs.FamilyResultNotice(
        case_number="G202603050000012",
        applicant_name="欧阳娜娜",
        masked_id="440301********123X",
        rank=37,
        round_name="2026年第一批公共租赁住房选房",
        round_number=3,
        status="confirmed",
        issued_on=date(2026, 3, 6),
        issuer="深圳市住房保障署",
        house=HOUSE,
        monthly_rent=Decimal("1306.40"),
        signing_from=date(2026, 3, 9),
        signing_until=date(2026, 3, 20),
        signing_place="市民中心B区住房保障服务窗口",
        contact_phone="0755-12345678",
    )
    return replace(data, **changes)


def sample_contract() -> docs.LeaseContract:
    return docs.LeaseContract(
        contract_number="GZ2026030900017",
        case_number="G202603050000012",
        lessor="深圳市住房保障署",
        lessor_address="深圳市福田区福中三路市民中心B区",
        tenant_name="欧阳娜娜",
        tenant_masked_id="440301********123X",
        tenant_phone="138****5678",
        tenant_employer="深圳市某某科技有限公司",
        house=HOUSE,
        term_start=date(2026, 4, 1),
        term_end=date(2029, 3, 31),
        monthly_rent=Decimal("1306.40"),
        deposit=Decimal("2612.80"),
        bank_name="中国建设银行深圳分行",
        bank_account_masked="6217 **** **** 0123",
        signed_on=date(2026, 3, 9),
        household=("配偶 王*", "子女 王**"),
    )


def sample_receipt() -> docs.DepositReceipt:
    return docs.DepositReceipt(
        receipt_number="YJ2026030900005",
        contract_number="GZ2026030900017",
        payer_name="欧阳娜娜",
        payer_masked_id="440301********123X",
        house=HOUSE,
        amount=Decimal("2612.80"),
        paid_on=date(2026, 3, 9),
        payment_method="扫码支付",
        payee="深圳市住房保障署",
        operator="李晓敏（03号窗口）",
    )


def sample_move_in() -> docs.MoveInNotice:
    return docs.MoveInNotice(
        notice_number="RZ2026031200003",
        contract_number="GZ2026030900017",
        tenant_name="欧阳娜娜",
        tenant_masked_id="440301********123X",
        house=HOUSE,
        move_in_from=date(2026, 3, 16),
        move_in_until=date(2026, 4, 15),
        property_company="深圳市安居物业管理有限公司",
        property_address="龙悦居三期5栋一楼物业服务中心",
        property_contact="陈工",
        property_phone="0755-87654321",
        issued_on=date(2026, 3, 12),
        issuer="深圳市住房保障署",
        household=("配偶 王*", "子女 王**"),
    )


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_LAYOUTS = ("单间", "一房一厅", "两房一厅", "三房一厅")


def sample_result_list(n: int = 2_500) -> docs.RoundResultList:
    rng = random.Random(7)
    rows = []
    for rank in range(1, n + 1):
        status = rng.choices(("confirmed", "allocated", "not_allocated", "gave_up"), (50, 30, 15, 5))[0]
        name = rng.choice(_SURNAMES) + "*" * rng.choice((1, 2))
        if status in ("confirmed", "allocated"):
            b, r = rng.randint(1, 12), f"{rng.randint(2, 33)}{rng.randint(1, 8):02d}"
            rows.append(docs.ResultRow(rank, name, status, f"LY-{b}-{r}", f"{b}栋{r}室", rng.choice(_LAYOUTS),
                                       Decimal(rng.randint(3500, 8999)) / 100))
        else:
            rows.append(docs.ResultRow(rank, name, status))
    rows[0] = docs.ResultRow(1, "欧阳**", "confirmed", "LY-3-1203", "3栋1单元1203室", "两房一厅", Decimal("65.32"))
    return docs.RoundResultList(
        round_name="2026年第一批公共租赁住房选房",
        round_number=3,
        published_on=date(2026, 3, 6),
        issuer="深圳市住房保障署",
        rows=tuple(rows),
        publicity_until=date(2026, 3, 13),
        contact="0755-12345678",
    )


# ------------------------------------------------------------------ data checks


def test_unmasked_numbers_are_refused():
    with pytest.raises(ValueError, match="masked"):
        sample_notice(masked_id="440301199001011234")
    with pytest.raises(ValueError, match="masked"):
        replace(sample_contract(), bank_account_masked="6217000011112222")


def test_rows_must_match_their_status():
    with pytest.raises(ValueError):
        docs.ResultRow(1, "王*", "confirmed")
    with pytest.raises(ValueError):
        docs.ResultRow(1, "王*", "gave_up", house_code="LY-1-101")
    with pytest.raises(ValueError):
        docs.ResultRow(1, "王*", "won")
    with pytest.raises(ValueError, match="unique"):
        replace(sample_result_list(2), rows=(docs.ResultRow(1, "王*", "gave_up"),) * 2)


def test_money_fields_follow_the_money_rules():
    assert sample_contract().deposit == Decimal("2612.80")
    with pytest.raises(RuleViolation) as err:
        replace(sample_contract(), deposit=Decimal("-1"))
    assert err.value.code == "MONEY_NEGATIVE"
    with pytest.raises(RuleViolation):
        replace(sample_receipt(), amount=Decimal("1.005"))


# ------------------------------------------------------------------ documents

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdftotext", "pdffonts", "pdftoppm")),
    reason="poppler-utils (pdftotext, pdffonts, pdftoppm) not installed (.ci/run installs it)",
)


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _text(pdf: Path, page: int | None = None) -> str:
    pages = ("-f", str(page), "-l", str(page)) if page else ()
    return _run("pdftotext", "-layout", *pages, str(pdf), "-")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_document(pdf_bytes: bytes, tmp_path: Path, name: str, expected: list[str]) -> str:
    """Write, check embedded subset font, key texts and a rendered page 1."""
    assert pdf_bytes.startswith(b"%PDF")
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(pdf_bytes)
    font_lines = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert font_lines, "no fonts in the document"
    for line in font_lines:
        # name (subset tag "ABCDEF+") type encoding emb sub uni object ID
        cols = line.split()
        assert re.match(r"[A-Z]{6}\+", cols[0]), line
        assert cols[-5:-2] == ["yes", "yes", "yes"], line  # emb, sub, uni
    text = _squeeze(_text(pdf))
    missing = [t for t in expected if _squeeze(t) not in text]
    assert not missing, f"{name}: missing {missing}"
    assert "□" not in text
    _run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name))
    png = next(tmp_path.glob(f"{name}-*1.png"))
    assert png.stat().st_size > 5_000, "page 1 renders (almost) blank"
    return text


@needs_poppler
def test_round_result_list(tmp_path):
    data = sample_result_list()
    out = tmp_path / "given.pdf"
    pdf = docs.round_result_list(data, path=out)
    assert out.read_bytes() == pdf
    row = data.rows[1]
    text = check_document(pdf, tmp_path, "result_list", [
        "选房结果公示", "2026年第一批公共租赁住房选房（第3场）", "2026年03月06日", "深圳市住房保障署",
        "排位", "选房结果", "欧阳**", "LY-3-1203", "3栋1单元1203室", "65.32", "已确认",
        f"2{row.masked_name}", "2026年03月13日", "第1页共",
    ])
    assert "本场次共2500户家庭参加选房" in text
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(out))).group(1)) if shutil.which("pdfinfo") else 0
    assert pages == 0 or pages >= 20
    for page in (3, 20):
        page_text = _squeeze(_text(out, page))
        assert "排位姓名房源编号楼栋房号户型面积（㎡）选房结果" in page_text, f"header not repeated on page {page}"
        assert re.search(rf"第{page}页共(\d+)页", page_text), page_text[-40:]
        assert "网签柜台" not in page_text
    assert _squeeze(f"2500{data.rows[-1].masked_name}") in _squeeze(_text(out, pages or None))


@needs_poppler
def test_family_result_notice(tmp_path):
    check_document(docs.family_result_notice(sample_notice()), tmp_path, "notice", [
        "选房结果通知书", "欧阳娜娜", "440301********123X", "第37位", "已确认", "LY-3-1203",
        "3栋1单元1203室", "两房一厅", "65.32平方米", "人民币（大写）壹仟叁佰零陆元肆角（¥1,306.40）",
        "2026年03月09日至2026年03月20日", "办理租赁签约", "租金托收", "业务号G202603050000012",
        "深圳市住房保障署", "2026年03月06日",
    ])


@needs_poppler
def test_family_result_notice_without_a_house(tmp_path):
    base = dict(house=None, monthly_rent=None, signing_from=None, signing_until=None)
    missed = docs.family_result_notice(sample_notice(status="not_allocated", **base))
    check_document(missed, tmp_path, "missed", ["未分配", "申请补选"])
    gave_up = docs.family_result_notice(sample_notice(status="gave_up", **base))
    text = check_document(gave_up, tmp_path, "gave_up", ["已放弃", "不能申请本场次的补选"])
    assert "LY-3-1203" not in text


@needs_poppler
def test_lease_contract(tmp_path):
    text = check_document(docs.lease_contract(sample_contract()), tmp_path, "contract", [
        "公共租赁住房租赁合同", "合同编号：GZ2026030900017", "深圳市住房保障署", "欧阳娜娜",
        "440301********123X", "138****5678", "深圳市某某科技有限公司", "配偶王*、子女王**",
        "LY-3-1203", "深圳市龙华区龙华街道和平路88号龙悦居三期3栋1单元1203室", "两房一厅", "65.32平方米",
        "2026年04月01日起至2029年03月31日止", "壹仟叁佰零陆元肆角", "¥1,306.40", "贰仟陆佰壹拾贰元捌角",
        "¥2,612.80", "中国建设银行深圳分行", "6217 **** **** 0123", "银行托收",
        "第一条", "第八条", "押金", "维修养护", "合同解除与终止", "承租人（乙方）", "出租人（甲方）", "出租人盖章处",
        "日期：2026年03月09日",
    ])
    assert "业务号G202603050000012" in text


def test_same_data_same_bytes():
    """reportlab's invariant mode: no timestamps, so a reprint is byte-identical."""
    assert docs.lease_contract(sample_contract()) == docs.lease_contract(sample_contract())


@needs_poppler
def test_deposit_receipt(tmp_path):
    check_document(docs.deposit_receipt(sample_receipt()), tmp_path, "receipt", [
        "押金收据", "收据编号：YJ2026030900005", "欧阳娜娜", "440301********123X", "GZ2026030900017",
        "LY-3-1203", "人民币贰仟陆佰壹拾贰元捌角", "¥2,612.80", "扫码支付", "2026年03月09日",
        "李晓敏（03号窗口）", "收款单位", "（盖章）", "收款专用章",
    ])


@needs_poppler
def test_move_in_notice(tmp_path):
    check_document(docs.move_in_notice(sample_move_in()), tmp_path, "move_in", [
        "入住通知书", "RZ2026031200003", "欧阳娜娜", "GZ2026030900017", "3栋1单元1203室",
        "2026年03月16日至2026年04月15日", "请携带", "主申请人身份证原件", "押金收据",
        "深圳市安居物业管理有限公司", "陈工", "0755-87654321", "龙悦居三期5栋一楼物业服务中心",
        "2026年03月12日",
    ])


def test_text_from_data_is_not_markup():
    """A "<" or "&" in data is printed, not parsed as paragraph markup."""
    house = replace(HOUSE, project="A&B <花园>")
    pdf = docs.deposit_receipt(replace(sample_receipt(), house=house, payer_name="<b>张</b>"))
    assert pdf.startswith(b"%PDF")
