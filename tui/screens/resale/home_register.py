"""房屋登记: the supervisor keeps the hall's home register by keyboard — registers a home
from its title certificate, changes one that is not in a transaction, records and lifts the
title registry's marks (抵押, 查封, 限制, 无效) with their reasons, and finds homes.

Three views: F2 登记 (the record's form; F3 调出 a registered home into it to change it),
F4 标记 (a home, a mark, the reason: F9 登记标记, F8 解除标记), F5 查询 (a certificate
number, a 不动产单元号 or a fragment of a 坐落; the highlighted home is shown below, F3 changes
it, F4 marks it). Tab / Shift+Tab and Enter move between the fields, F9 saves through the one
use case of ``services.resale.home_register`` (the CLI's ``wangqian home …`` calls the same).
Nothing is checked while typing: the service checks every value when saving and each refusal
is shown under its field (all of them at once); nothing is saved while one is wrong. Owners'
numbers are shown masked; whatever was typed or stored is shown literally.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Header, Input, Label, Static
from textual.worker import get_current_worker

from core.errors import RuleViolation
from core.parties import PartyInvalid
from core.resale.home_register import (
    CO_OWNERSHIP_LABELS,
    HomeEntry,
    OwnerEntry,
    city_label,
    owner_field,
    share_field,
)
from core.timeutil import show
from services.resale import home_register
from services.resale.home_register import HomeChange, HomeView
from tui.screens.base import AppScreen
from tui.screens.dialogs import TextDialog
from tui.widgets.detail import DetailPane
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FieldError, FieldRow, clear_field_errors, compact_input, field_line, show_field_error
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable

#: Owner lines on the form (more owners: ``wangqian home add|change --owner …`` or the import).
OWNER_LINES = 4

#: The record's fields: (service field, label, placeholder, max length).
FIELDS: tuple[tuple[str, str, str, int], ...] = (
    ("city", "城市", "1 深圳　2 中山　3 武汉", 10),
    ("district", "所在区", "如福田区；中山填镇区", 20),
    ("certificate_number", "产权证书编号", "如粤(2020)深圳市不动产权第0123456号", 60),
    ("check_code", "校验码", "证书上的校验码，中山必填", 12),
    ("unit_number", "不动产单元号", "28位", 40),
    ("location", "坐落", "按产权证书填写", 200),
    ("building", "楼栋", "如3栋、A座", 40),
    ("floor", "所在层", "地下层填负数，如-1", 6),
    ("total_floors", "总层数", "", 6),
    ("room", "房号", "如1203", 16),
    ("floor_area", "建筑面积", "平方米，如89.50", 14),
    ("inner_area", "套内建筑面积", "平方米，可不填", 14),
    ("land_area", "分摊土地面积", "平方米，可不填", 14),
    ("structure", "房屋结构", "如钢筋混凝土", 20),
    ("design_use", "设计用途", "如住宅、商业、办公、车位", 20),
    ("use_class", "用途大类", "设计用途不规范时填：住宅/商业/办公/车位", 10),
    ("completion_year", "建成年份", "如1998，可不填", 6),
    ("co_ownership", "共有方式", "1 单独所有　2 共同共有　3 按份共有", 10),
)

MARK_FIELDS: tuple[tuple[str, str, str, int], ...] = (
    ("key", "房屋", "不动产单元号，或只有一套房屋的证书编号", 60),
    ("mark", "标记", "1 抵押　2 查封　3 限制　4 无效", 10),
    ("reason", "原因", "如抵押登记证明号、查封裁定书文号", 200),
)

VIEW_TITLES = {"form": "登记房屋", "mark": "抵押·查封·限制·无效标记", "find": "查询房屋"}


def row_name(view: str, field: str) -> str:
    return f"{view}-{field}"


def _owner_line(index: int) -> Vertical:
    """权利人N and its 份额 on one line, the refusal of each under it."""
    number = compact_input("", "证件号码或统一社会信用代码", 40)
    number.id = f"f-{row_name('form', owner_field(index))}"
    share = compact_input("", "按份共有填", 8)
    share.id = f"f-{row_name('form', share_field(index))}"
    share.add_class("hr-share")
    return Vertical(
        field_line(f"权利人{index + 1}", number, Label("份额%", classes="hr-share-label"), share),
        FieldError(id=f"e-{row_name('form', owner_field(index))}"),
        FieldError(id=f"e-{row_name('form', share_field(index))}"),
        classes="form-row",
    )


def _area(value: object) -> str:
    return "" if value is None else f"{value:f}"


def home_renderable(view: HomeView) -> RenderableType:
    """A home as the register holds it: facts, owners (masked), marks with their reasons."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="bold #7fb7ff", width=12, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")

    def add(label: str, value: object) -> None:
        if value not in (None, ""):
            grid.add_row(label, Text(str(value)))

    add("坐落", view.location)
    add("城市·区", f"{view.city_label} {view.district}")
    add("产权证书", view.certificate_number + (f"　校验码 {view.check_code}" if view.check_code else ""))
    add("不动产单元号", view.unit_number)
    add("楼栋·层·房号", f"{view.building}　第{view.floor}层/共{view.total_floors}层　{view.room}")
    areas = f"建筑 {_area(view.floor_area)}" + (f"　套内 {_area(view.inner_area)}" if view.inner_area else "") + (
        f"　分摊土地 {_area(view.land_area)}" if view.land_area else "")
    add("面积（㎡）", areas)
    use = view.use_text
    add("结构·用途", f"{view.structure}　{use}" + (f"　{view.completion_year}年建成" if view.completion_year else ""))
    add("共有方式", view.co_ownership_label)
    for owner in view.owners:
        add("权利人", owner.text)
    add("状态", view.status + (f"（合同编号 {view.contract_number}）" if view.contract_number else ""))
    for mark in view.marks:
        add(mark.label, (mark.reason or "未记载原因") + (f"（{show(mark.set_at, seconds=False)}）" if mark.set_at else ""))
    for mark in view.history[:3]:
        add(f"已解除{mark.label}", f"{mark.reason or '未记载原因'}；{show(mark.cleared_at, seconds=False)}解除："
            f"{mark.clear_reason or ''}")
    parts: list[RenderableType] = [grid]
    if view.homes_on_certificate > 1:
        parts.append(Text(f"该产权证书共登记{view.homes_on_certificate}套房屋，变更权利人将同时变更其余各套。",
                          style="#9aa0a6"))
    return Group(*parts)


class HomeRegisterScreen(AppScreen):
    """房屋登记 (the supervisors')."""

    CSS_PATH = "resale.tcss"

    BINDINGS = [
        Binding("f9", "save", "保存", key_display="F9"),
        Binding("f8", "unmark", "解除标记", key_display="F8"),
        Binding("f2", "new", "新登记", key_display="F2"),
        Binding("f3", "load", "调出变更", key_display="F3"),
        # Priority keys (as Tab is the app's): the view and the cursor change before the next key of
        # a burst is handed to a box, so what is typed right after F4 / F5 lands in the view shown.
        Binding("f4", "view('mark')", "标记", key_display="F4", priority=True),
        Binding("f5", "view('find')", "查询", key_display="F5", priority=True),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "F2 登记新房屋：按产权证书逐项录入，Tab / Enter 到下一项，Shift+Tab 回上一项；F9 保存。",
        "权利人填证件号码（单位填统一社会信用代码），须已在当事人登记中；按份共有的各份额合计应为100。"
        "本屏最多4位权利人，更多的请用命令 wangqian home。",
        "F3 调出已登记的房屋（不动产单元号或证书编号）进行变更：只改需要改的项，权利人不变更的不填；"
        "交易中的房屋不能变更。",
        "F4 标记：按不动产登记机构的通知登记抵押、查封、限制或无效（F9），或解除（F8），均须写明原因。",
        "F5 查询：输入证书编号、不动产单元号或坐落中的几个字，Enter 查询；选中的房屋显示在下方，F3 变更，F4 标记。",
        "每一项都按规则核对，有误的在该项下方说明原因，全部无误才保存（记入审计日志）；证件号码已遮蔽。Esc 返回工作台。",
    )

    class Saved(Message):
        def __init__(self, view: str, text: str, home: HomeView | None = None) -> None:
            super().__init__()
            self.view = view
            self.text = text
            self.home = home

    class Loaded(Message):
        def __init__(self, home: HomeView) -> None:
            super().__init__()
            self.home = home

    class Found(Message):
        def __init__(self, search: home_register.HomeSearch) -> None:
            super().__init__()
            self.search = search

    class Shown(Message):
        def __init__(self, home: HomeView) -> None:
            super().__init__()
            self.home = home

    def __init__(self) -> None:
        super().__init__()
        self.view = "form"
        self.changing: str | None = None  # the unit number of the home loaded for a change
        self.found: dict[str, home_register.HomeLine] = {}

    # ------------------------------------------------------------ the layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="hr-top"):
            yield Label("房屋登记", classes="screen-title")
            yield Static(VIEW_TITLES["form"], id="hr-mode", markup=False)
        yield MessageLine("按产权证书逐项录入，F9 保存。", id="hr-message", classes="status-line")
        with ContentSwitcher(initial="hr-form", id="hr-views"):
            with VerticalScroll(id="hr-form", classes="hr-view"):
                for field, label, placeholder, max_length in FIELDS:
                    value = self._hall_city() if field == "city" else ""
                    yield FieldRow(row_name("form", field), label, compact_input(value, placeholder, max_length))
                yield Static("", id="hr-owners-now", markup=False)
                for index in range(OWNER_LINES):
                    yield _owner_line(index)
            with VerticalScroll(id="hr-mark", classes="hr-view"):
                for field, label, placeholder, max_length in MARK_FIELDS:
                    yield FieldRow(row_name("mark", field), label, compact_input("", placeholder, max_length))
                yield DetailPane(id="hr-mark-detail")
            with Vertical(id="hr-find", classes="hr-view"):
                yield FieldRow(row_name("find", "query"), "查询",
                               compact_input("", "证书编号、不动产单元号或坐落中的几个字，Enter 查询", 100))
                yield ListTable([("坐落", 34), ("权利人", 10), ("状态", None)], id="hr-list")
                with VerticalScroll(id="hr-find-scroll"):
                    yield DetailPane(id="hr-find-detail")
        yield KeyFooter()

    def _hall_city(self) -> str:
        return city_label(self.db.settings.city).removesuffix("市")

    def on_mount(self) -> None:
        # A box entered by Tab, F4 or F5 gets the cursor after its text (Ctrl+U clears it), as on
        # 场次设置: a selection made when the focus lands would be typed over by a burst's first keys.
        for field in self.query(Input):
            field.select_on_focus = False
            field.cursor_position = len(field.value)
        # A key pressed while the screen was being drawn (F5 at once) has already chosen its view:
        # the cursor goes to the record's first box only if the record is still shown.
        if self.view == "form":
            self._focus_first()
        self.query_one("#hr-owners-now", Static).display = False
        self.query_one("#hr-mark-detail", DetailPane).show_hint("登记或解除后，房屋的状态和各项标记显示在这里。")
        self.query_one("#hr-find-detail", DetailPane).show_hint("选中的房屋显示在这里。")

    def step_actions(self) -> Sequence[str]:
        if self.view == "mark":
            return ("save", "unmark")
        if self.view == "find":
            return ("load", "view")
        return ("save", "new", "load")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unmark":
            return self.view == "mark"
        if action == "save":
            return self.view != "find"
        return True

    def _input(self, view: str, field: str) -> Input:
        return self.query_one(f"#f-{row_name(view, field)}", Input)

    def values(self, view: str | None = None) -> dict[str, str]:
        """The view's values as typed (the service checks them)."""
        view = view or self.view
        fields = {"form": [f for f, *_ in FIELDS] + [owner_field(i) for i in range(OWNER_LINES)]
                  + [share_field(i) for i in range(OWNER_LINES)],
                  "mark": [f for f, *_ in MARK_FIELDS], "find": ["query"]}[view]
        return {field: self._input(view, field).value for field in fields}

    def _switch(self, view: str, title: str | None = None) -> None:
        self.view = view
        self.query_one("#hr-views", ContentSwitcher).current = f"hr-{view}"
        self.query_one("#hr-mode", Static).update(title or VIEW_TITLES[view])
        self.refresh_bindings()

    def _focus_first(self) -> None:
        first = {"form": "city", "mark": "key", "find": "query"}[self.view]
        self._focus(self._input(self.view, first))

    def _focus(self, widget: Input) -> None:
        """Focus now, not on the next idle (``Widget.focus``): a key typed right after F4 or F5 at
        40 keys a second goes into the view just shown, not into the box the view hid. The cursor
        goes after the box's text (the city filled in, a search to refine)."""
        widget.cursor_position = len(widget.value)
        self.set_focus(widget)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"f-{row_name('find', 'query')}":
            self._search(event.value)
            return
        self.focus_next()

    # ------------------------------------------------------------ the record's form

    def action_new(self) -> None:
        """F2: an empty record (the hall's city filled in), for a home not yet registered."""
        clear_field_errors(self)
        for field in self.values("form"):
            self._input("form", field).value = ""
        self._input("form", "city").value = self._hall_city()
        self.changing = None
        self.query_one("#hr-owners-now", Static).display = False
        for index in range(OWNER_LINES):
            self._input("form", owner_field(index)).placeholder = "证件号码或统一社会信用代码"
        self._switch("form")
        self._focus_first()
        self.set_message("登记新房屋：按产权证书逐项录入，F9 保存。")

    def action_view(self, view: str) -> None:
        """F4 标记 / F5 查询; from a search, F4 marks the highlighted home."""
        if view == self.view:
            return
        key = self._highlighted_unit() if self.view == "find" else None
        self._switch(view)
        if view == "mark" and key:
            self._input("mark", "key").value = key
            self._focus(self._input("mark", "mark"))
        else:
            self._focus_first()
        self.set_message({"mark": "填写房屋、标记和原因：F9 登记标记，F8 解除标记。",
                          "find": "输入证书编号、不动产单元号或坐落中的几个字，Enter 查询。"}[view])

    def action_load(self) -> None:
        key = self._highlighted_unit() if self.view == "find" else None
        if key:
            self._load(key)
            return
        self.app.push_screen(TextDialog("调出房屋进行变更", "房　屋", "不动产单元号或产权证书编号"),
                             callback=lambda text: text and self._load(text))

    @work(thread=True, exclusive=True, group="hr-load", exit_on_error=False)
    def _load(self, key: str) -> None:
        self.post_message(self.Loaded(home_register.show_home(self.db, self.actor, key)))

    def on_home_register_screen_loaded(self, message: Loaded) -> None:
        home = message.home
        self._fill(home)
        if home.in_transaction:  # said at once, not after the supervisor has typed the change
            which = f"（合同编号 {home.contract_number}）" if home.contract_number else ""
            self.show_refusal(f"该房屋正在交易中{which}，交易结束前不能变更登记信息；抵押、查封等标记仍可登记（F4）。")
        else:
            self.set_message("已调出：只改需要变更的项，权利人不变更的不填；F9 保存变更。")
        self._focus_first()

    def _fill(self, home: HomeView) -> None:
        """The loaded home in the form (owners' numbers never: blank lines keep the owners)."""
        clear_field_errors(self)
        values = {
            "city": home.city_label.removesuffix("市"), "district": home.district,
            "certificate_number": home.certificate_number, "check_code": home.check_code or "",
            "unit_number": home.unit_number, "location": home.location, "building": home.building,
            "floor": str(home.floor), "total_floors": str(home.total_floors), "room": home.room,
            "floor_area": _area(home.floor_area), "inner_area": _area(home.inner_area),
            "land_area": _area(home.land_area), "structure": home.structure, "design_use": home.design_use,
            "use_class": "" if home.use_class_normalised else home.use_class_label,
            "completion_year": str(home.completion_year or ""),
            "co_ownership": CO_OWNERSHIP_LABELS.get(home.co_ownership, ""),
        }
        for field, value in values.items():
            box = self._input("form", field)
            box.value = value
            box.cursor_position = len(value)
        for index in range(OWNER_LINES):
            number = self._input("form", owner_field(index))
            number.value = ""
            number.placeholder = "权利人不变更的不填"
            self._input("form", share_field(index)).value = ""
        now = self.query_one("#hr-owners-now", Static)
        now.update("现权利人：" + "；".join(o.text for o in home.owners))
        now.display = True
        self.changing = home.unit_number
        self._switch("form", f"变更 {home.unit_number}")

    # ------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self.view == "find":
            return
        clear_field_errors(self)
        self.set_message("正在核对并保存……")
        if self.view == "mark":
            self._mark(self.values("mark"), clearing=False)
        else:
            self._save(self.values("form"), self.changing)

    def action_unmark(self) -> None:
        if self.view != "mark":
            return
        clear_field_errors(self)
        self.set_message("正在解除标记……")
        self._mark(self.values("mark"), clearing=True)

    @work(thread=True, exclusive=True, group="hr-save", exit_on_error=False)
    def _save(self, v: dict[str, str], changing: str | None) -> None:
        owners = [OwnerEntry(v[owner_field(i)], v[share_field(i)]) for i in range(OWNER_LINES)]
        facts = {field: v[field] for field, *_ in FIELDS}
        if changing is None:
            home = home_register.register_home(self.db, self.actor, HomeEntry(owners=owners, **facts),
                                               default_city=self.db.settings.city)
            self.post_message(self.Saved("form", f"已登记房屋：{home.location}（{home.unit_number}）。"))
            return
        typed = any(o.number.strip() or o.share.strip() for o in owners)  # type: ignore[union-attr]
        home = home_register.change_home(self.db, self.actor, changing,
                                         HomeChange(owners=owners if typed else None, **facts))
        self.post_message(self.Saved("form", f"已变更房屋：{home.location}（{home.unit_number}）。", home))

    @work(thread=True, exclusive=True, group="hr-save", exit_on_error=False)
    def _mark(self, v: dict[str, str], *, clearing: bool) -> None:
        act = home_register.clear_mark if clearing else home_register.set_mark
        home = act(self.db, self.actor, v["key"], v["mark"], v["reason"])
        done = "已解除标记" if clearing else "已登记标记"
        self.post_message(self.Saved("mark", f"{done}：{home.location}，现状态：{home.status}。", home))

    def on_home_register_screen_saved(self, message: Saved) -> None:
        self.set_message(message.text, "ok")
        if message.view == "mark":
            for field in ("mark", "reason"):
                self._input("mark", field).value = ""
            assert message.home is not None
            self.query_one("#hr-mark-detail", DetailPane).update(home_renderable(message.home))
            if self.view == "mark":
                self._focus(self._input("mark", "mark"))
        elif message.home is not None:  # a change: the form shows the home as it now is
            self._fill(message.home)
            self._focus_first()
        else:
            for field in self.values("form"):
                if field != "city":
                    self._input("form", field).value = ""
            self._focus_first()

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """Every refusal under its field (a HomeInvalid carries one per bad value); the first
        one also on the message line."""
        errors = error.errors if isinstance(error, PartyInvalid) else (error,)
        shown = False
        for e in reversed(errors):  # the cursor ends in the first bad field
            field = e.field or ""
            if field == "key" and self.view == "find":
                field = "query"
            if field and show_field_error(self, row_name(self.view, field), e.message):
                shown = True
        if shown or len(errors) > 1:
            self.show_refusal(errors[0].message if len(errors) == 1 else f"有{len(errors)}项需要改正：{errors[0].message}")
            return True
        return False

    # ------------------------------------------------------------ finding

    def _search(self, text: str) -> None:
        clear_field_errors(self)
        self.set_message("正在查询……")
        self._find(text)

    @work(thread=True, exclusive=True, group="hr-find", exit_on_error=False)
    def _find(self, text: str) -> None:
        self.post_message(self.Found(home_register.find_homes(self.db, self.actor, text)))

    def on_home_register_screen_found(self, message: Found) -> None:
        search = message.search
        self.found = {line.unit_number: line for line in search.lines}
        table = self.query_one("#hr-list", ListTable)
        table.set_rows([(line.unit_number, [line.location, line.owners, line.status]) for line in search.lines])
        if not search.lines:
            self.set_message("未找到符合条件的房屋。")
            self.query_one("#hr-find-detail", DetailPane).show_hint("选中的房屋显示在这里。")
            return
        more = "（只列出前面的，请输入更多的字缩小范围）" if search.more else ""
        self.set_message(f"找到 {len(search.lines)} 套房屋{more}：↑↓ 选择，F3 变更，F4 标记。", "ok")
        table.focus()
        self._show_highlighted()

    def _highlighted_unit(self) -> str | None:
        table = self.query_one("#hr-list", ListTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowHighlighted, "#hr-list")
    def _highlighted(self) -> None:
        self._show_highlighted()

    def _show_highlighted(self) -> None:
        unit = self._highlighted_unit()
        if unit:
            self._show(unit)

    @work(thread=True, exclusive=True, group="hr-show", exit_on_error=False)
    def _show(self, unit: str) -> None:
        home = home_register.show_home(self.db, self.actor, unit)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Shown(home))

    def on_home_register_screen_shown(self, message: Shown) -> None:
        if message.home.unit_number == self._highlighted_unit():
            self.query_one("#hr-find-detail", DetailPane).update(home_renderable(message.home))


__all__ = ["HomeRegisterScreen", "home_renderable"]
