"""商品房买卖合同（预售 / 现售）: the contract document, rendered (pdftoppm) and read back
(pdftotext): the parties, the buyers' numbers masked (a full one never appears), the unit from
the survey, the price in figures and capitals, the permit, the payment method and the
supervised account, the contract and case numbers; the CJK font embedded as a subset; a draft
watermarked; hostile text in the articles printed literally, wrapped, flowing over pages.
From the database on SQLite and PostgreSQL: who may print it, the print audited, the CLI's
``presale contract pdf`` in tests/test_cli_presale_contracts.py."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from core.errors import RuleViolation
from core.presale.contracts import Buyer
from reports.presale_contracts import ContractBuyer, presale_contract_pdf
from services.presale import contracts, documents
from storage.models import AuditEntry
from tests.fund_support import FundHall, bank_reviewer, supervision_bank
from tests.permit_support import archive_survey, grant, permit_hall
from tests.presale_contract_sample import sample_presale_contract
from tests.presale_support import ACTUAL, make_hall
from tests.test_presale_contracts import BANK, BUYER, CENTRE, contract_hall, entry, paid_up, reviewer, signed_and_sealed
from tests.test_presale_funds import _signed
from tests.test_reports_allocation import check_document, needs_poppler

pytestmark = needs_poppler

FULL_ID = "110101199003074258"


def _text(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def _watermarked(text: str, word: str) -> bool:
    """The watermark is drawn diagonally: pdftotext reads each of its characters as a line of its own."""
    lines = {line.strip() for line in text.splitlines()}
    return all(ch in lines for ch in word)


# ------------------------------------------------------------------ the document, from plain data


def test_the_contract_carries_the_key_facts(tmp_path):
    data = sample_presale_contract()
    text = check_document(presale_contract_pdf(data), tmp_path, "contract", [
        "商品房买卖合同（预售）", "GF—2014—0171", "合同编号YSHT202611210000001", "F202611210000001",
        "张家界地产开发有限公司", "91430800MA4L0ACC5X", "张大山", "张家界市永定区解放路1号",
        "王小二", "居民身份证", "110101********4258", "138****8000",
        "天门山花园", "YS2026-00001", "D004栋A01单元2-01室", "第2层", "住宅", "钢筋混凝土结构",
        "130.10平方米", "108.50平方米", "21.60平方米", "预测CL20220406001",
        "¥1,301,000.00", "壹佰叁拾万壹仟元整", "按建筑面积计算", "¥10,000.00",
        "组合贷", "肆拾万壹仟元整", "张家界市住房公积金管理中心", "中国工商银行", "抵押人：王小二",
        "抵押权人：中国工商银行张家界分行", "DY2026-001", "30年",
        "中国建设银行张家界分行", "43050162123600000001", "2027-06-30前", "张家界物业服务有限公司",
        "出卖人（盖章）", "出卖人盖章处", "买受人（签字）", "第1页共",
    ])
    assert FULL_ID not in text
    assert "草" not in text  # signed: no watermark


def test_a_draft_is_watermarked_and_a_void_one_says_so(tmp_path):
    draft = _text(presale_contract_pdf(sample_presale_contract(signed=False, signed_on=None, sealed_on=None,
                                                               status_label="合同录入中")), tmp_path, "draft")
    assert _watermarked(draft, "草稿") and "（合同录入中）" in draft and "未签约" in draft
    void = _text(presale_contract_pdf(sample_presale_contract(void=True, status_label="已退房")), tmp_path, "void")
    assert _watermarked(void, "作废") and "（已退房）" in void and not _watermarked(void, "草稿")


def test_a_filed_contract_shows_its_filing_number_and_seal_place(tmp_path):
    from datetime import date

    text = _text(presale_contract_pdf(sample_presale_contract(
        status_label="已备案", filing_number="YSBA202611210000001", filed_on=date(2026, 11, 25))), tmp_path, "filed")
    assert "备案编号：YSBA202611210000001" in text and "备案章" in text and "2026年11月25日" in text


def test_a_spot_sale_contract_has_the_spot_title_and_permit(tmp_path):
    text = _text(presale_contract_pdf(sample_presale_contract(kind="spot", permit_number="XS2026-00001",
                                                              payment_method="一次性付款")), tmp_path, "spot")
    flat = re.sub(r"\s+", "", text)
    assert "商品房买卖合同（现售）" in flat and "GF—2014—0172" in flat
    assert "现售许可证号为XS2026-00001" in flat and "预售许可证号" not in flat
    assert "一次性支付该商品房全部价款人民币（小写）¥1,301,000.00，（大写）壹佰叁拾万壹仟元整" in flat


def test_several_buyers_each_printed_masked_with_their_holding_to_tick(tmp_path):
    buyers = (ContractBuyer("王小二", "居民身份证", "110101********4258", "138****8000"),
              ContractBuyer("李小三", "港澳居民来往内地通行证", "H1****78", "139****0000"))
    flat = re.sub(r"\s+", "", _text(presale_contract_pdf(sample_presale_contract(buyers=buyers)), tmp_path, "two"))
    assert re.search(r"李小三港澳居民来往内地.*H1\*\*\*\*78.*139\*\*\*\*0000", flat)
    assert "王小二占＿＿＿＿%" in flat and "共同共有" in flat and "按份共有" in flat


def test_names_already_naming_themselves_are_not_named_twice(tmp_path):
    unit = replace(sample_presale_contract().unit, building="2栋", unit="1单元", unit_no="3-02室")
    flat = re.sub(r"\s+", "", _text(presale_contract_pdf(sample_presale_contract(
        unit=unit, delivery_date="2027年12月31日前")), tmp_path, "names"))
    assert "天门山花园2栋1单元3-02室" in flat and "栋栋" not in flat and "单元单元" not in flat
    assert "2027年12月31日前向买受人交付" in flat and "前前" not in flat


def test_personal_numbers_must_arrive_masked():
    with pytest.raises(ValueError, match="masked"):
        ContractBuyer("王小二", "居民身份证", FULL_ID, "138****8000")
    with pytest.raises(ValueError, match="masked"):
        ContractBuyer("王小二", "居民身份证", "110101********4258", "13800138000")


@pytest.mark.parametrize("hostile", ["[/x] [bold]粗[/bold] <b>&amp; </para>", "😀🏠 \x1b[31m \\n \\x00 ${x}",
                                     "分期" * 5000])
def test_hostile_text_in_the_articles_prints_literally_and_wraps(tmp_path, hostile):
    data = sample_presale_contract(payment_method="分期付款", instalment_terms=hostile,
                                   mortgagor=None, mortgagee=None, property_company=hostile[:200])
    pdf = presale_contract_pdf(data)
    flat = re.sub(r"\s+", "", _text(pdf, tmp_path, "hostile"))
    if hostile.startswith("[/x]"):
        assert "[/x][bold]粗[/bold]<b>&amp;</para>" in flat  # markup of neither Rich nor reportlab
    if len(hostile) == 10_000:
        assert _pages(pdf, tmp_path) > _pages(presale_contract_pdf(sample_presale_contract()), tmp_path)
        assert flat.count("分期") >= 5000  # every character printed, wrapped over the pages


# ------------------------------------------------------------------ from the database


def test_the_contract_prints_from_the_database_and_the_print_is_audited(db, tmp_path):
    hall, permit = contract_hall(db, 81)
    dev = hall.dev
    fund = FundHall(hall, supervision_bank(hall), bank_reviewer(db))
    _signed(fund)  # a fund supervision agreement in force on D004
    centre, bank = reviewer(db, "gjj_p", CENTRE), reviewer(db, "bank_p", BANK)
    number = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01").case_number
    with pytest.raises(RuleViolation) as refused:
        documents.contract_pdf(db, dev, number)
    assert refused.value.code == "CONTRACT_ENTRY_MISSING"
    contracts.save_entry(db, dev, number, entry(
        payment_method="组合贷", down_payment="401000.00", commercial_loan="500000.00", fund_loan="400000.00",
        loan_bank=BANK, fund_centre=CENTRE, mortgagor="王小二", mortgagee=BANK, delivery_date="2027-06-30"))
    draft = documents.contract_pdf(db, dev, number)
    text = check_document(draft, tmp_path, "db-draft", [
        "商品房买卖合同（预售）", "（合同录入中）", number, "YSHT" + number[1:], permit,
        "测试81号地产开发有限公司", "王小二", "110101********4258", "138****8000", "D004栋", "2-01室",
        "130.10平方米", "¥1,301,000.00", "壹佰叁拾万壹仟元整", "组合贷", "肆拾万壹仟元整",
        "张家界市住房公积金管理中心", "中国工商银行", "测试预售资金监管专户", "43050162123600000001",
        "2027-06-30",
    ])
    assert FULL_ID not in text and BUYER.phone not in text and {"草", "稿"} <= set(text)
    paid_up(db, dev, number)
    signed_and_sealed(db, dev, number)
    contracts.review_loan(db, centre, number)
    contracts.review_loan(db, bank, number, mortgage_contract="DY2026-0001", loan_term_years="30")
    # the fund centre, the bank and the authority read it as the developer does; the filed one has its number
    filed = contracts.file_contract(db, hall.authority, number)
    pdf = documents.contract_pdf(db, hall.authority, number)
    text = re.sub(r"\s+", "", _text(pdf, tmp_path, "filed"))
    assert "草" not in text and filed.filing_number in text and "DY2026-0001" in text
    with db.read() as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.action == "presale_contract_print")
                         .order_by(AuditEntry.seq)).scalars().all()
    assert [(r.case_number, json.loads(r.after)["draft"]) for r in rows] == [(number, True), (number, False)]
    # another enterprise's operator, or one with no part in contracts, gets nothing
    other = make_hall(db, 82, username="dev_z", supervisor="super_z")
    with pytest.raises(RuleViolation) as refused:
        documents.contract_pdf(db, other.dev, number)
    assert refused.value.code == "CONTRACT_NOT_FOUND"


def test_a_spot_sale_contract_from_the_database(db, tmp_path):
    hall = permit_hall(db, 83)
    grant(hall, add=["2-01"])
    archive_survey(hall, ACTUAL, type_code="survey_conversion", number="SC20240101001")
    spot = grant(hall, add=["3-01"], type_code="permit_spot")
    number = contracts.start_contract(db, hall.dev, permit_number=spot.permit_number, unit_no="3-01").case_number
    contracts.save_entry(db, hall.dev, number, entry(buyers=(Buyer("赵六", "430802199001010022", "13700137000"),)))
    flat = re.sub(r"\s+", "", _text(documents.contract_pdf(db, hall.dev, number), tmp_path, "spot"))
    assert "商品房买卖合同（现售）" in flat and f"现售许可证号为{spot.permit_number}" in flat
    assert "实测SC20240101001" in flat and "430802********0022" in flat and "430802199001010022" not in flat
