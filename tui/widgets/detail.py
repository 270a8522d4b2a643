"""Panes that show what a service handed back: an applicant, a case's progress.

They only lay out plain data (``ApplicantDetail``, ``CaseDetail``) as Rich
renderables; every value is inserted as text, never as markup, so a name
with brackets cannot disturb the screen.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from core.time_limits import BASIS_LABELS, CaseClock, TimeLimit
from core.timeutil import show
from services.cases import CaseDetail
from services.lookup import ApplicantDetail

WARNING_STYLE = "bold #ffffff on #a4161a"
REVEAL_STYLE = "bold #000000 on #ffd166"
LABEL_STYLE = "bold #7fb7ff"
MUTED = "#9aa0a6"


def _grid(label_width: int) -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=label_width, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    return grid


def _lines(items: list[str], empty: str = "无") -> Text:
    if not items:
        return Text(empty, style=MUTED)
    return Text("\n").join(Text(item) for item in items)


def applicant_renderable(detail: ApplicantDetail, revealed: str | None = None) -> RenderableType:
    """申请人详情: warnings first, then facts, identities, agents, homes, cases, allocation."""
    parts: list[RenderableType] = []
    if detail.warnings:
        parts.append(Text("⚠ " + "　".join(detail.warnings), style=WARNING_STYLE))
    if revealed:
        line = Text(f"完整号码：{revealed}", style=REVEAL_STYLE)
        line.append("（本次查看已记入审计日志）", style=MUTED)
        parts.append(line)
    grid = _grid(13)
    facts = Text("　").join(Text(f"{label}：{value}") for label, value in detail.facts if value)
    grid.add_row("基本信息", facts)
    identities = [" ".join(p for p in (i.document, i.masked_number, i.note) if p) for i in detail.identities]
    grid.add_row("证件", _lines(identities))
    agents = [
        f"{a.relation} {a.name} {a.masked_number} {a.valid_from:%Y-%m-%d}至{a.valid_to:%Y-%m-%d} "
        f"{'当前有效' if a.current else '不在有效期内'}" + (f" {a.note}" if a.note else "")
        for a in detail.agents
    ]
    grid.add_row("经办人/代理人", _lines(agents))
    homes = [
        f"{h.city} {h.location}　{h.certificate}　{h.co_ownership}"
        + (f" 份额{h.share}%" if h.share is not None else "")
        + f"　{h.status}"
        for h in detail.homes
    ]
    grid.add_row("名下房屋", _lines(homes))
    case_lines = [f"{c.number} {c.type_name} {c.role} {c.status}" for c in detail.cases]
    grid.add_row("业务", _lines(case_lines))
    grid.add_row("保障房轮候", Text(detail.allocation))
    parts.append(grid)
    return Group(*parts)


def clock_line(clock: CaseClock, limit: TimeLimit) -> str:
    """办理时限: 5个工作日（服务承诺，待核实）　到期 2026-11-27　剩3日."""
    if limit.working_days is None:
        return BASIS_LABELS[limit.basis]
    line = f"{limit.working_days}个工作日（{BASIS_LABELS[limit.basis]}）"
    if clock.due_on is not None:
        line += f"　到期 {clock.due_on:%Y-%m-%d}"
    return f"{line}　{clock.label}"


def case_renderable(detail: CaseDetail) -> RenderableType:
    """业务进度: the case's facts, then its timeline newest first (seed 004)."""
    head = _grid(9)
    head.add_row("业务号", Text(f"{detail.number}　{detail.type_name}"))
    where = f"{detail.stage_name}　{detail.status_label}"
    if detail.holder:
        where += f"　办理人：{detail.holder}"
    elif detail.waiting_for:
        where += f"　待接件：{detail.waiting_for}"
    head.add_row("当前阶段", Text(where))
    if detail.clock is not None and detail.limit is not None:
        head.add_row("办理时限", Text(clock_line(detail.clock, detail.limit)))
    if detail.summary:
        head.add_row("摘要", Text(detail.summary))
    return Group(head, timeline_renderable(detail))


def timeline_renderable(detail: CaseDetail) -> RenderableType:
    """业务进度 alone: the case's timeline newest first (a screen that shows the case's facts itself)."""
    steps = Table.grid(padding=(0, 1), expand=True)
    steps.add_column(no_wrap=True)  # ● / ○
    steps.add_column(no_wrap=True)  # time
    steps.add_column(no_wrap=True)  # stage
    steps.add_column(no_wrap=True)  # who did what
    steps.add_column(ratio=1, overflow="fold")  # note
    for i, step in enumerate(reversed(detail.timeline)):
        steps.add_row(
            Text("●" if i == 0 else "○", style=LABEL_STYLE if i == 0 else MUTED),
            Text(show(step.at)),
            Text(step.stage),
            Text(f"{step.operator}{step.action}"),
            Text(step.note or "", style=MUTED),
        )
    return Group(Text("业务进度", style=LABEL_STYLE), steps)


class DetailPane(Static):
    """A scrollable pane body showing one renderable (or a hint when empty)."""

    def show_hint(self, hint: str) -> None:
        self.update(Text(hint, style=MUTED))
