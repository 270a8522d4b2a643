"""A presale contract document of plain data, for the report's tests (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from reports.presale_contracts import ContractBuyer, ContractUnit, PresaleContractDocument


def sample_presale_contract(**changes: object) -> PresaleContractDocument:
    unit = ContractUnit(building="D004", unit="A01", unit_no="2-01", floor=2, nominal_floor="2", floors_above=18,
                        floors_below=1, use="住宅", structure="钢筋混凝土结构", layout="三室两厅",
                        built_area=Decimal("130.1000"), inner_area=Decimal("108.5000"),
                        shared_area=Decimal("21.6000"), survey="预测 CL20220406001")
    doc = PresaleContractDocument(
        kind="presale", contract_number="YSHT202611210000001", case_number="F202611210000001",
        status_label="待审核备案", signed=True, void=False, signing_form="电子合同", signed_on=date(2026, 11, 21),
        sealed_on=date(2026, 11, 21), filing_number=None, filed_on=None,
        developer="张家界地产开发有限公司", credit_code="91430800MA4L0ACC5X", legal_rep="张大山",
        developer_address="张家界市永定区解放路1号",
        buyers=(ContractBuyer("王小二", "居民身份证", "110101********4258", "138****8000"),),
        project="天门山花园", project_location="张家界市永定区天门路88号", permit_number="YS2026-00001",
        permit_issuer="张家界市住房和城乡建设局", certificates=(("国有土地使用证", "张国用（2022）第001号"),
                                                                ("建设工程规划许可证", "建字第430800202200001号")),
        property_company="张家界物业服务有限公司", unit=unit,
        price_basis="按建筑面积计算", priced_area=Decimal("130.1000"), unit_price=Decimal("10000.00"),
        total_price=Decimal("1301000.00"), payment_method="组合贷", down_payment=Decimal("401000.00"),
        commercial_loan=Decimal("500000.00"), fund_loan=Decimal("400000.00"), loan_bank="中国工商银行",
        fund_centre="张家界市住房公积金管理中心", mortgagor="王小二", mortgagee="中国工商银行张家界分行",
        instalment_terms=None, mortgage_contract="DY2026-001", loan_term_years=30,
        supervision=("中国建设银行张家界分行", "张家界地产开发有限公司预售资金监管户", "43050162123600000001"),
        delivery_date="2027-06-30")
    return replace(doc, **changes) if changes else doc
