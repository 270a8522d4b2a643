"""A resale contract as the counter reads it (网签合同详情).

Lays out a ``ContractView`` the contract service handed over: numbers and
status, the house, the parties (ID numbers and phones masked by the
service), the price with its amount in words (大写), payment, how it is
signed (and why offline, when forced), the buyer qualification, the
filing, and the change history before → after. Values are inserted as
text, never markup.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from core.cases import case_type
from core.errors import RuleViolation
from core.timeutil import show
from services.resale.contracts import ContractView
from tui.widgets.detail import LABEL_STYLE, MUTED, WARNING_STYLE

CASE_TYPE = "resale_signing"


def stage_name(stage: str) -> str:
    """The Chinese name of a stage of the resale signing case (签约环节, 备案审核…)."""
    kind = case_type(CASE_TYPE)
    try:
        return kind.stages[kind.stage_index(stage)].name
    except RuleViolation:
        return stage


def _grid() -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=8, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    return grid


def signing_text(view: ContractView) -> Text:
    """线上签署, or 线下签署 with the reasons it was forced offline."""
    signing = view.draft.signing
    if signing.method != "offline":
        return Text("线上签署（双方短信验证）")
    text = Text("线下签署")
    if signing.reasons:
        text.append("（" + "；".join(signing.reasons) + "）", style=MUTED)
    return text


def qualification_text(view: ContractView) -> Text:
    text = Text(view.qualification_label)
    if view.qualification == "refused":
        text.stylize("bold red")
    if view.qualification_reason:
        text.append(f"　原因：{view.qualification_reason}", style=MUTED)
    return text


def contract_renderable(view: ContractView) -> RenderableType:
    """网签合同详情 of one contract."""
    grid = _grid()
    grid.add_row("合同编号", Text(f"{view.number}　业务号 {view.case_number}"))
    status = Text(view.status_label, style="bold")
    if view.case_status == "active":
        status.append(f"　{stage_name(view.case_stage)}")
    if view.expires_at is not None:
        status.append(f"　草稿有效至 {show(view.expires_at, seconds=False)}", style=MUTED)
    grid.add_row("合同状态", status)
    if view.qualification_required or view.qualification is not None:
        grid.add_row("购房资格", qualification_text(view))
    grid.add_row("房屋坐落", Text(view.location))
    area = view.house.get("floor_area")
    house = f"房源编码 {view.house_code}"
    if area:
        house += f"　建筑面积 {area}㎡"
    if view.house.get("design_use"):
        house += f"　{view.house['design_use']}"
    grid.add_row("", Text(house))
    for party in view.parties:
        grid.add_row(party.side_label, Text(
            f"{party.name}　{party.id_kind_label} {party.masked_id}　手机 {party.masked_phone}"))
    grid.add_row("共有方式", Text(view.items.get("co_ownership", "")))
    grid.add_row("成交价格", Text(view.items.get("price", ""), style="bold"))
    pay = view.items.get("payment_method", "")
    if view.draft.fund_supervised:
        pay += f"　资金监管：是（{view.draft.supervising_bank or ''}）"
    else:
        pay += "　资金监管：否"
    grid.add_row("付款方式", Text(pay))
    grid.add_row("签署方式", signing_text(view))
    grid.add_row("争议解决", Text(view.items.get("dispute", "")))
    if view.signed_at is not None:
        grid.add_row("签约时间", Text(show(view.signed_at, seconds=False)))
    if view.filing_number:
        grid.add_row("备案号", Text(f"{view.filing_number}　备案日期 {show(view.filed_at)[:10]}", style="bold"))
    if view.closed_at is not None:
        grid.add_row("注销撤销", Text(f"{show(view.closed_at, seconds=False)}　{view.close_reason or ''}"))
    parts: list[RenderableType] = []
    if view.status in ("cancelled", "revoked"):
        parts.append(Text(f"该合同{view.status_label}", style=WARNING_STYLE))
    parts.append(grid)
    if view.changes:
        changes = Table.grid(padding=(0, 1), expand=True)
        changes.add_column(no_wrap=True, style=MUTED)
        changes.add_column(ratio=1, overflow="fold")
        for change in view.changes:
            line = Text(f"{change.item_label}：")
            line.append(change.before or "（空）", style=MUTED)
            line.append(" → ")
            line.append(change.after or "（空）", style="bold")
            if change.reason:
                line.append(f"　{change.reason}", style=MUTED)
            changes.add_row(Text(show(change.changed_at, seconds=False)), line)
        parts.append(Text("变更记录", style=LABEL_STYLE))
        parts.append(changes)
    return Group(*parts)


__all__ = ["contract_renderable", "qualification_text", "signing_text", "stage_name"]
