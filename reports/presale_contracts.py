"""资金缴款通知单 (seed 004 §5.5.1): what the buyer pays now against a presale or spot-sale
contract — the whole price, the first instalment or the down payment — in figures and in
capitals, into the building's supervised account when a fund supervision agreement is in force.
The amount paid must equal the amount due before the contract's entry completes.

Built from plain data (``PaymentNotice``) that ``services.presale.contracts`` hands over.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm

from reports.base import PathArg, build_pdf, kv_table, para, seal_block, spacer, title_block

__all__ = ["PaymentNotice", "payment_notice_pdf"]


@dataclass(frozen=True)
class PaymentNotice:
    contract_number: str
    case_number: str
    developer: str
    buyers: str
    project: str
    building: str
    unit_no: str
    total_price: Decimal
    payment_method: str
    amount_due: Decimal
    amount_due_capital: str
    paid: Decimal
    account: str | None  # the supervised account the money goes to, if an agreement is in force
    issued_on: str


def payment_notice_pdf(data: PaymentNotice, path: PathArg = None) -> bytes:
    """The notice as the buyer takes it to the bank."""
    story = [
        *title_block("资金缴款通知单", number=f"合同编号：{data.contract_number}"),
        kv_table([("出卖人", data.developer), ("买受人", data.buyers),
                  ("项目名称", data.project), ("房屋坐落", f"{data.building}栋 {data.unit_no}"),
                  ("总价款（元）", f"{data.total_price:,.2f}"), ("付款方式", data.payment_method),
                  ("应付金额（元）", f"{data.amount_due:,.2f}"), ("已付金额（元）", f"{data.paid:,.2f}")],
                 columns=2, label_width=28 * mm),
        spacer(2),
        kv_table([("应付金额（大写）", data.amount_due_capital),
                  ("缴款账户", data.account or "（该栋尚无生效的预售资金监管协议，请向开发企业确认收款账户）"),
                  ("业务号", data.case_number), ("开具日期", data.issued_on)], columns=1, label_width=34 * mm),
        spacer(3),
        para("说明：买受人应按本通知单所列应付金额足额缴款，实付金额必须等于应付金额，合同录入任务方可完成。"),
        spacer(6),
        seal_block(("出卖人（盖章）", data.issued_on), caption="出卖人盖章处"),
    ]
    return build_pdf(story, title="资金缴款通知单", reference=f"合同编号 {data.contract_number}", path=path)
