"""Resale documents: contract, acceptance receipt, one-time notice.

Every document embeds the CJK font subset, extracts its key texts with
pdftotext and renders with pdftoppm (check_document of the allocation tests);
the dataclasses refuse unmasked numbers and buyers' shares that are not 100%.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from reportlab.graphics.barcode import qrencoder

from reports import resale as docs
from reports.qr import lost_points, qr_matrix
from bench import pdf as pdf_bench
from bench.pdf import sample_contract, sample_notice, sample_receipt
from tests.test_reports_allocation import check_document, needs_poppler

BUYER_A, BUYER_B = sample_contract().buyers


def _buyer(name: str, share: str | None, masked_id: str = "420102********0011") -> docs.ContractParty:
    return docs.ContractParty(name, "买受人", "中国", "居民身份证", masked_id, "137****0000",
                              share=None if share is None else Decimal(share))


# ------------------------------------------------------------------ data checks


def test_unmasked_numbers_are_refused():
    with pytest.raises(ValueError, match="masked"):
        _buyer("王五", "100", masked_id="420102199001011234")
    with pytest.raises(ValueError, match="masked"):
        replace(BUYER_A, phone_masked="13812345678")
    with pytest.raises(ValueError, match="masked"):
        docs.Applicant("李思远", "420102199001011234")
    with pytest.raises(ValueError, match="masked"):
        replace(sample_notice(), applicant=docs.Applicant("李思远", "420102199001011234"))


def test_buyers_shares_add_up_to_100():
    with pytest.raises(ValueError, match="add up to 100"):
        sample_contract(buyers=(replace(BUYER_A, share=Decimal(60)), replace(BUYER_B, share=Decimal(30))))
    with pytest.raises(ValueError, match="add up to 100"):
        sample_contract(buyers=(replace(BUYER_A, share=Decimal(70)), replace(BUYER_B, share=Decimal(40))))
    ok = sample_contract(buyers=(_buyer("甲", "33.33"), _buyer("乙", "33.33"), _buyer("丙", "33.34")))
    assert sum(b.share for b in ok.buyers) == 100
    with pytest.raises(ValueError, match="holds a share"):
        sample_contract(buyers=(BUYER_A, replace(BUYER_B, share=None)))
    with pytest.raises(ValueError):
        _buyer("甲", "101")


def test_co_ownership_kinds():
    sole = sample_contract(co_ownership="单独所有", buyers=(replace(BUYER_A, share=None),))
    assert sole.buyers[0].share is None
    with pytest.raises(ValueError, match="exactly one"):
        sample_contract(co_ownership="单独所有")
    with pytest.raises(ValueError, match="no separate shares"):
        sample_contract(co_ownership="共同共有")
    with pytest.raises(ValueError, match="unknown co-ownership"):
        sample_contract(co_ownership="混合所有")


def test_contract_consistency():
    with pytest.raises(ValueError, match="filing number and date"):
        sample_contract(filing_number=None)
    with pytest.raises(ValueError, match="no filing number"):
        sample_contract(status="已签约")  # still carries the sample's filing number
    with pytest.raises(ValueError, match="signing date"):
        sample_contract(status="已签约", signing_date=None, filing_number=None, filing_date=None)
    with pytest.raises(ValueError, match="names its bank"):
        sample_contract(supervision_bank=None)
    with pytest.raises(ValueError, match="role"):
        sample_contract(sellers=(replace(BUYER_A, share=Decimal(100)),))
    with pytest.raises(ValueError, match="unknown contract status"):
        sample_contract(status="已完成")
    assert sample_contract(price=3500000).price == Decimal("3500000.00")


def test_receipt_and_notice_checks():
    with pytest.raises(ValueError):
        docs.MaterialItem("不动产权证书")  # neither original nor copy
    with pytest.raises(ValueError, match="materials"):
        sample_receipt(materials=())
    with pytest.raises(ValueError, match="at least one problem"):
        sample_notice(failed_rules=(), missing_items=())


# ------------------------------------------------------------------ documents


@needs_poppler
def test_filed_contract(tmp_path):
    data = sample_contract()
    out = tmp_path / "given.pdf"
    pdf = docs.resale_contract(data, path=out)
    assert out.read_bytes() == pdf
    text = check_document(pdf, tmp_path, "contract", [
        "武汉市存量房买卖合同", "合同编号：WF2026031500088", "业务号C202603150000088",
        "备案编号WHBA2026031800231", "2026年03月18日", "已备案", "网上签约",
        "张建国", "李思远", "陈晓雯", "420106********0017", "420102********123X", "H1234****",
        "139****2201", "港澳居民来往", "内地通行证", "中国香港", "代理人陈志明",
        "转让100%", "取得60%", "取得40%", "按份共有", "李思远占60%，陈晓雯占40%",
        "武汉市武昌区中北路168号东湖花园3栋1单元1203室", "鄂（2019）武汉市武昌不动产权第0012345号",
        "设计用途为住宅，房屋结构为钢筋混凝土，", "第12层", "地上总层数32层", "98.56平方米", "80.12平方米", "8.43平方米", "2012年", "无抵押",
        "人民币（小写）¥3,500,000.00，（大写）叁佰伍拾万元整", "商业贷款付款", "中国建设银行武汉分行",
        "2026年05月31日", "第一条", "房屋基本情况", "第二条", "成交价格", "第十一条", "合同生效",
        "出卖人（甲方）：张建国", "买受人（乙方）：陈晓雯", "代理人（陈志明）签字", "日期：2026年03月15日",
        "第3页共3页", "备案机构（备案章）", "备案章",
    ])
    assert "420106197" not in text  # no full ID anywhere


@needs_poppler
def test_contract_not_filed_has_no_filing_number(tmp_path):
    draft = sample_contract(status="草稿", signing_date=None, filing_number=None, filing_date=None,
                            fund_supervised=False, supervision_bank=None,
                            co_ownership="共同共有",
                            buyers=(replace(BUYER_A, share=None), replace(BUYER_B, share=None)))
    text = check_document(docs.resale_contract(draft), tmp_path, "draft", [
        "（草稿）", "未签约", "共同共有", "李思远、陈晓雯共同共有", "不选择交易资金监管", "叁佰伍拾万元整",
        "日期：年月日",
    ])
    assert "备案编号" not in text and "WHBA2026031800231" not in text
    signed = sample_contract(status="已签约", filing_number=None, filing_date=None)
    text = check_document(docs.resale_contract(signed), tmp_path, "signed", ["（已签约）", "2026年03月15日"])
    assert "备案" not in text.replace("网签备案", "").replace("完成备案", "")


def test_same_data_same_bytes():
    assert docs.resale_contract(sample_contract()) == docs.resale_contract(sample_contract())


@needs_poppler
def test_acceptance_receipt(tmp_path):
    check_document(docs.acceptance_receipt(sample_receipt()), tmp_path, "receipt", [
        "受理回执", "业务号C202603150000088", "存量房买卖合同网签备案", "2026年03月15日", "王晓敏（03号窗口）",
        "2026年03月20日", "张建国", "420106********0017", "420111********5512", "代理人",
        "已收材料", "存量房买卖合同", "不动产权证书", "原件核后退还", "授权委托书（公证）", "资金监管协议",
        "共收取材料6项，原件6份，复印件6份", "武汉市（示例）", "12345（示例）", "申请人签收",
        "受理单位（盖章）", "盖章处",
    ])


@needs_poppler
def test_receipt_promised_across_national_day(tmp_path):
    """The promised day is counted on the holiday calendar, and the receipt says so (no "顺延" on top)."""
    from datetime import date

    from core.resale.materials import promised_on

    accepted = date(2025, 9, 26)
    text = check_document(docs.acceptance_receipt(sample_receipt(accepted_on=accepted, promised_on=promised_on(accepted))),
                          tmp_path, "receipt_holiday", ["2025年09月26日", "2025年10月10日"])
    assert "顺延" not in text and "调休上班日" in text.replace(" ", "").replace("\n", "")


@needs_poppler
def test_missing_materials_notice(tmp_path):
    data = sample_notice()
    text = check_document(docs.missing_materials_notice(data), tmp_path, "notice", [
        "一次性告知书", "业务号C202603150000091", "李思远", "420102********123X", "2026年03月15日",
        "未通过的审查事项", "该房屋存在抵押登记，须先办理抵押注销", "买受人按份共有的份额合计不为100%",
        "尚缺的申请材料", "卖方配偶同意出售的书面意见", "买受人户口簿原件", "补正时请携带", "本告知书",
        "申请人身份证原件", "王晓敏（03号窗口）", "12345（示例）", "告知单位（盖章）", "盖章处",
    ])
    for code, _ in data.failed_rules:
        assert code not in text  # codes are for the system, not the applicant
    only_missing = docs.missing_materials_notice(sample_notice(failed_rules=()))
    text = check_document(only_missing, tmp_path, "only_missing", ["一、尚缺的申请材料"])
    assert "未通过的审查事项" not in text


def test_text_from_data_is_not_markup():
    pdf = docs.acceptance_receipt(sample_receipt(materials=(docs.MaterialItem("<b>A&B</b>", copies=1),)))
    assert pdf.startswith(b"%PDF")


@needs_poppler
def test_batch_receipts_are_the_plain_ones(tmp_path):
    """The batch path (worker processes) gives each receipt as a complete PDF
    of its own: the very bytes of acceptance_receipt, its own embedded font
    subset, the same extracted text."""
    items = [sample_receipt(case_number=f"C20260315{n:07d}") for n in (1, 2, 3)]
    got: list[tuple[str, bytes]] = []
    used = docs.acceptance_receipts(items, tmp_path / "out", on_pdf=lambda r, pdf: got.append((r.case_number, pdf)),
                                    workers=2)
    assert used == 2
    assert [c for c, _ in got] == [i.case_number for i in items]  # in order
    for item, (_, pdf) in zip(items, got, strict=True):
        plain = docs.acceptance_receipt(item)
        assert pdf == plain
        assert (tmp_path / "out" / f"{item.case_number}.pdf").read_bytes() == pdf
        assert b"/FontFile2" in pdf and re.search(rb"/BaseFont /[A-Z]{6}\+", pdf)
        batch_text = check_document(pdf, tmp_path, f"batch-{item.case_number}", [f"业务号{item.case_number}"])
        plain_text = check_document(plain, tmp_path, f"plain-{item.case_number}", [f"业务号{item.case_number}"])
        assert batch_text == plain_text


def test_batch_receipts_in_process_and_refusals(tmp_path):
    items = [sample_receipt(case_number=f"C20260315{n:07d}") for n in (1, 2)]
    got: list[bytes] = []
    assert docs.acceptance_receipts(items, on_pdf=lambda _r, pdf: got.append(pdf), workers=1) == 1
    assert got == [docs.acceptance_receipt(i) for i in items]
    with pytest.raises(ValueError, match="out_dir or on_pdf"):
        docs.acceptance_receipts(items)
    with pytest.raises(ValueError, match="repeat"):
        docs.acceptance_receipts([items[0], items[0]], tmp_path)
    with pytest.raises(ValueError, match="file names"):
        docs.acceptance_receipts([sample_receipt(case_number="../C1")], tmp_path)
    with pytest.raises(ValueError, match="workers"):
        docs.acceptance_receipts(items, tmp_path, workers=0)
    assert not list(tmp_path.iterdir())  # refused before anything was written


@pytest.mark.parametrize("value", ["C202603150000088", "F202203290000015", "https://example.org/q?c=C1",
                                   "中文业务号", "1234567890" * 8])
def test_fast_qr_scores_and_matrix_are_reportlabs(value):
    """The receipts' QR uses a faster mask scoring: same score on every mask,
    same matrix as reportlab's own encoder (as QrCodeWidget draws it)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.version = qr.calculate_version()
    for mask in range(8):
        qr.makeImpl(True, mask)
        assert lost_points(qr.modules) == qrencoder.QRUtil.getLostPoint(qr), mask
    assert qr_matrix(value) == qr_matrix(value, fast=False)


def test_benchmark_small():
    report = pdf_bench.pdf_benchmark(receipts=3, contract_runs=2, workers=1)
    assert report["benchmark"] == "pdf" and report["receipts"] == 3
    assert report["contract_target_ms"] == 100 and report["receipts_target_s"] == 30
    assert report["contract_warm_ms"] > 0 and report["receipts_s"] > 0
    assert report["receipts_workers"] == 1 and report["receipts_single_s"] == report["receipts_s"]
    assert report["usable_cpus"] >= 1 and report["receipt_avg_kb"] > 10
