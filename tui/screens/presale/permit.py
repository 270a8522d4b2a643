"""销售许可·物管用房 (seed 004 §5.2, §5.4, §5.6): a Y (permit) or K (property-management rooms)
case found by its number — where it stands, its units (before and after a change), the
certificates and property company of a permit — and its steps: F4 派工 for the developer,
F9 审核归档 for the authority (after 接件 in 在手业务), F8 prints an issued permit.
Accepting a case and choosing units are the command line's (``wangqian presale room|permit``).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Static

from core.roles import Permission
from services.presale import permits, rooms
from tui.screens.base import AppScreen
from tui.screens.dialogs import cancel_dialog
from tui.widgets.detail import MUTED
from tui.screens.presale.case_header import case_header
from tui.widgets.footer import KeyFooter

__all__ = ["PermitScreen", "permit_lines", "room_lines"]

SHOWN_UNITS = 60  # units listed on screen (the PDF and the command line list every one)


def _units(units: list[str]) -> str:
    more = f" 等{len(units)}套" if len(units) > SHOWN_UNITS else ""
    return "、".join(units[:SHOWN_UNITS]) + more if units else "无"


def permit_lines(v: permits.PermitView) -> list[str]:
    number = v.permit_number or "（未核发）"
    version = f" 第{v.version}版" if v.version > 1 else ""
    lines = [f"{v.type_name}　{v.stage_name}（{v.case_status_label}）" + (f"　办理人 {v.holder}" if v.holder else ""),
             f"{v.kind_label} {number}{version}",
             f"{v.developer_name}　{v.project_name} {v.building_number}　{v.survey_kind_label or ''}{v.survey_number or ''}",
             f"物业公司：{v.property_company or '（未选择）'}",
             *[f"{c.kind_label}：{c.number}" for c in v.certificates],
             f"许可范围户室 {len(v.units)} 套，建筑面积 {v.total_area.quantize(v.total_area.__class__('0.01'))} m²"]
    if v.added or v.removed:
        lines.append(f"变更纳入：{_units(v.added)}")
        lines.append(f"变更移出（归档后不可售）：{_units(v.removed)}")
    lines.append("户室：" + _units([u.unit_no for u in v.units]))
    return lines


def room_lines(v: rooms.RoomView) -> list[str]:
    lines = [f"{v.type_name}　{v.stage_name}（{v.case_status_label}）", f"{v.project_name} {v.building_number}",
             f"物管用房 {len(v.rooms)} 套：{_units(v.rooms)}"]
    if v.before is not None:
        lines.append(f"变更前：{_units(v.before)}")
    lines += [f"其他栋 {b}：{_units(units)}" for b, units in v.others]
    if not v.rooms and not v.others:
        lines.append("该项目其他栋尚未设置物管用房，本栋须添加物管用房。")
    return lines


class PermitScreen(AppScreen):
    """A permit or room case by its number, with its steps."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        Binding("f4", "submit", "派工", key_display="F4"),
        Binding("f9", "archive", "审核归档", key_display="F9"),
        Binding("f8", "print_permit", "打印许可证", key_display="F8"),
        Binding("f12", "cancel_case", "取消受理", key_display="F12"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "输入销售许可（Y 开头）或物管用房（K 开头）业务的业务号，按 Enter 显示。",
        "开发企业派工前可按 F12 取消受理（填写原因），该申请作废。",
        "开发企业在命令行 wangqian presale permit|room 受理业务、选择户室，完善后按 F4 派工给主管部门。",
        "主管部门在在手业务中接件后按 F9 审核归档：许可证核发（变更沿用原证号）或物管用房设定生效。",
        "F8 打印已核发的预售许可证或现售许可证。",
    )

    class Loaded(Message):
        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    class Done(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, number: str = "") -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        yield Header()
        yield from case_header("销售许可·物管用房", "permit", self.number, "业务号，如 Y202612070000001，Enter 显示")
        with VerticalScroll(id="permit-detail"):
            yield Static("", id="permit-text", markup=False)
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("submit", "cancel_case"):
            return self.actor.can(Permission.PERMIT_WORK)
        if action == "archive":
            return self.actor.can(Permission.PERMIT_REVIEW)
        return True

    def on_mount(self) -> None:
        self.query_one("#permit-text", Static).update(Text("请输入业务号。", style=MUTED))
        self.query_one("#permit-number", Input).focus()
        if self.number:
            self.action_reload()

    @on(Input.Submitted, "#permit-number")
    def _find(self, event: Input.Submitted) -> None:
        self.number = event.value.strip().upper()
        self.action_reload()

    def _rooms(self) -> bool:
        return self.number.startswith("K")

    def action_reload(self) -> None:
        if not self.number:
            self.show_refusal("请输入业务号。")
            return
        self.clear_message()
        self._load(self.number)

    @work(thread=True, exclusive=True, group="permit", exit_on_error=False)
    def _load(self, number: str) -> None:
        if number.startswith("K"):
            lines = room_lines(rooms.show_rooms(self.db, self.actor, number))
        else:
            lines = permit_lines(permits.show_permit(self.db, self.actor, number))
        self.post_message(self.Loaded(lines))

    def on_permit_screen_loaded(self, message: Loaded) -> None:
        self.query_one("#permit-text", Static).update(Text("\n".join(message.lines)))

    def _step(self, run: Callable[[str], str]) -> None:
        if not self.number:
            self.show_refusal("请先输入业务号。")
            return
        self.set_message("正在办理……")
        self._run_step(run, self.number)

    @work(thread=True, exclusive=True, group="permit", exit_on_error=False)
    def _run_step(self, run: Callable[[str], str], number: str) -> None:
        self.post_message(self.Done(run(number)))

    def on_permit_screen_done(self, message: Done) -> None:
        self._load(self.number)
        self.set_message(message.text, "ok")

    def action_submit(self) -> None:
        def submit(number: str) -> str:
            (rooms.submit_rooms if number.startswith("K") else permits.submit_permit)(self.db, self.actor, number)
            return "已派工给主管部门。"

        self._step(submit)

    def action_cancel_case(self) -> None:
        """F12 (the developer, before the dispatch): 取消受理 with a reason; the application is void."""
        if not self.number:
            self.show_refusal("请先输入业务号。")
            return

        def chosen(reason: str | None) -> None:
            if reason is not None:
                def cancel(number: str) -> str:
                    (rooms.cancel_rooms if number.startswith("K") else permits.cancel_permit)(
                        self.db, self.actor, number, reason=reason)
                    return f"已取消受理 {number}，该申请已作废。"

                self._step(cancel)

        self.app.push_screen(cancel_dialog(self.number), callback=chosen)

    def action_archive(self) -> None:
        def archive(number: str) -> str:
            if number.startswith("K"):
                done = rooms.archive_rooms(self.db, self.actor, number)
                return f"已归档：物管用房 {len(done.rooms)} 套。"
            issued = permits.archive_permit(self.db, self.actor, number)
            return f"已归档：许可证号 {issued.permit_number}，许可户室 {issued.units} 套。"

        self._step(archive)

    def action_print_permit(self) -> None:
        if not self.number or self._rooms():
            self.show_refusal("请先输入销售许可业务号。")
            return
        self._step(self._print)

    def _print(self, number: str) -> str:
        from services.presale import documents

        pdf = documents.permit_pdf(self.db, self.actor, number)
        return f"已生成 {self.save_document(f'许可证_{number}.pdf', pdf)}"
