"""Benchmark of the resale documents: warm contract build time and a batch of
acceptance receipts (issue item 13: contract ≤ 100 ms warm, 1,000 receipts
≤ 30 s).

Pure timing over sample dataclasses (no database): the font is registered and
two contracts are built before the clock starts (warm-ups), then the contract
is built ``contract_runs`` times and the median is reported. The receipts,
each with its own case number, are timed twice as a whole: built one after
another in this process (``receipts_single_s``), and through the batch API
``acceptance_receipts`` on ``receipts_workers`` processes (``receipts_s``, the
figure held against the target; it includes starting the workers). Both are
reported, with the number of usable CPUs, so a parallel figure is never read
as a single-process one. With one worker the two runs are the same run.
Times are wall clock (time.perf_counter); the single-process run also gives
its CPU time (``receipts_single_cpu_s``): far below the wall clock, it says
the machine was busy with other work during the run.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from core.resale.contract_text import city_text, dispute_clause
from reports.base import batch_workers, usable_cpus
from reports.resale import (
    AcceptanceReceipt,
    Applicant,
    ContractParty,
    MaterialItem,
    MissingMaterialsNotice,
    ResaleContract,
    ResaleHouse,
    acceptance_receipt,
    acceptance_receipts,
    resale_contract,
)

CONTRACT_TARGET_MS = 100
RECEIPTS_TARGET_S = 30

# ------------------------------------------------------------------ sample data (also used by the tests)

WUHAN = city_text("wuhan")
HALL = WUHAN.hall

SAMPLE_HOUSE = ResaleHouse(
    location="武汉市武昌区中北路168号东湖花园",
    certificate_number="鄂（2019）武汉市武昌不动产权第0012345号",
    unit_number="3栋1单元1203室",
    use="住宅",
    structure="钢筋混凝土结构",
    floor=12,
    total_floors=32,
    floor_area=Decimal("98.56"),
    inner_area=Decimal("80.12"),
    land_area=Decimal("8.43"),
    completion_year=2012,
    mortgage="无抵押",
    house_code="WC2026000123",
)


def sample_contract(**changes: Any) -> ResaleContract:
    """A filed contract: one seller, two buyers by shares (60/40), 3,500,000 yuan."""
    data = ResaleContract(
        contract_number="WF2026031500088",
        case_number="C202603150000088",
        city="武汉市",
        status="已备案",
        sellers=(
            ContractParty("张建国", "出卖人", "中国", "居民身份证", "420106********0017", "139****2201",
                          share=Decimal(100)),
        ),
        buyers=(
            ContractParty("李思远", "买受人", "中国", "居民身份证", "420102********123X", "138****5678",
                          share=Decimal(60)),
            ContractParty("陈晓雯", "买受人", "中国香港", "港澳居民来往内地通行证", "H1234****", "135****9012",
                          share=Decimal(40), agent="陈志明"),
        ),
        co_ownership="按份共有",
        house=SAMPLE_HOUSE,
        price=Decimal(3500000),
        payment_method="商业贷款付款",
        payment_schedule=(
            "本合同签订之日起五日内，乙方将首付款人民币壹佰零伍万元整（¥1,050,000.00）存入资金监管账户",
            "其余房价款人民币贰佰肆拾伍万元整（¥2,450,000.00）由乙方申请商业贷款支付，贷款银行直接划入资金监管账户",
        ),
        delivery_date=date(2026, 5, 31),
        signing_method="网上签约",
        fund_supervised=True,
        supervision_bank="中国建设银行武汉分行",
        signing_date=date(2026, 3, 15),
        filing_number="WHBA2026031800231",
        filing_date=date(2026, 3, 18),
        filing_clause=WUHAN.filing,
        revocation_clause=WUHAN.revocation,
        disputes=dispute_clause(),
    )
    return replace(data, **changes)


def sample_receipt(**changes: Any) -> AcceptanceReceipt:
    data = AcceptanceReceipt(
        case_number="C202603150000088",
        business_type="存量房买卖合同网签备案",
        accepted_on=date(2026, 3, 15),
        clerk="王晓敏",
        window="03号窗口",
        applicants=(
            Applicant("张建国", "420106********0017", "出卖人"),
            Applicant("李思远", "420102********123X", "买受人"),
            Applicant("陈志明", "420111********5512", "代理人"),
        ),
        materials=(
            MaterialItem("存量房买卖合同", originals=3),
            MaterialItem("不动产权证书", originals=1, copies=1, note="原件核后退还"),
            MaterialItem("买卖双方身份证明", originals=0, copies=3),
            MaterialItem("婚姻状况证明", copies=2),
            MaterialItem("授权委托书（公证）", originals=1),
            MaterialItem("资金监管协议", originals=1),
        ),
        promised_on=date(2026, 3, 20),
        hall_name=HALL.printed("name"),
        hall_address=HALL.printed("address"),
        hall_phone=HALL.printed("phone"),
        house_location="武汉市武昌区中北路168号东湖花园3栋1单元1203室",
    )
    return replace(data, **changes)


def sample_notice(**changes: Any) -> MissingMaterialsNotice:
    data = MissingMaterialsNotice(
        case_number="C202603150000091",
        business_type="存量房买卖合同网签备案",
        applicant=Applicant("李思远", "420102********123X", "买受人"),
        notified_on=date(2026, 3, 15),
        failed_rules=(
            ("TITLE_MORTGAGED", "该房屋存在抵押登记，须先办理抵押注销或取得抵押权人同意转让的书面意见。"),
            ("SHARES_NOT_100", "买受人按份共有的份额合计不为100%，请核实各买受人的份额。"),
        ),
        missing_items=("卖方配偶同意出售的书面意见", "买受人户口簿原件"),
        clerk="王晓敏",
        window="03号窗口",
        hall_name=HALL.printed("name"),
        hall_address=HALL.printed("address"),
        hall_phone=HALL.printed("phone"),
        to_bring=("本告知书", "申请人身份证原件"),
    )
    return replace(data, **changes)


# ------------------------------------------------------------------ benchmark


def pdf_benchmark(receipts: int = 1000, contract_runs: int = 20, workers: int | None = None) -> dict[str, Any]:
    """Warm contract build time (median of ``contract_runs``) and the time of
    ``receipts`` acceptance receipts, one after another in this process and
    through the batch API on ``workers`` processes (default: every usable
    CPU)."""
    if receipts < 1 or contract_runs < 1:
        raise ValueError("receipts and contract_runs are positive")
    n_workers = batch_workers(receipts, workers)
    contract = sample_contract()
    for _ in range(2):  # warm-ups: font registration, glyph caches
        resale_contract(contract)
    times = []
    for _ in range(contract_runs):
        start = time.perf_counter()
        resale_contract(contract)
        times.append((time.perf_counter() - start) * 1000)
    contract_ms = statistics.median(times)

    base = sample_receipt()
    acceptance_receipt(base)  # warm-up
    data = [replace(base, case_number=f"C20260315{n:07d}") for n in range(receipts)]
    sizes: list[int] = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for item in data:
        sizes.append(len(acceptance_receipt(item)))
    single_s = time.perf_counter() - start
    single_cpu_s = time.process_time() - cpu_start
    batch_s = single_s
    if n_workers > 1:
        sizes.clear()
        start = time.perf_counter()
        acceptance_receipts(data, on_pdf=lambda _item, pdf: sizes.append(len(pdf)), workers=n_workers)
        batch_s = time.perf_counter() - start
    if len(sizes) != receipts:
        raise RuntimeError(f"{len(sizes)} receipts made of {receipts}")
    return {
        "benchmark": "pdf",
        "contract_warm_ms": round(contract_ms, 2),
        "contract_runs": contract_runs,
        "contract_target_ms": CONTRACT_TARGET_MS,
        "receipts": receipts,
        "receipts_s": round(batch_s, 3),
        "receipts_workers": n_workers,
        "receipts_single_s": round(single_s, 3),
        "receipts_single_cpu_s": round(single_cpu_s, 3),
        "usable_cpus": usable_cpus(),
        "receipt_avg_kb": round(sum(sizes) / len(sizes) / 1024, 1),
        "receipts_target_s": RECEIPTS_TARGET_S,
        "contract_ok": contract_ms <= CONTRACT_TARGET_MS,
        "receipts_ok": batch_s <= RECEIPTS_TARGET_S,
        "receipts_single_ok": single_s <= RECEIPTS_TARGET_S,
    }


__all__ = ["CONTRACT_TARGET_MS", "RECEIPTS_TARGET_S", "pdf_benchmark", "sample_contract", "sample_notice",
           "sample_receipt"]
