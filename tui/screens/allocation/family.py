"""家庭选房: one family at the window, its 预选 and 正选 wish lists (购物车).

The clerk picks the round and finds the family by rank (排位) or the main
applicant's name, then works the list the family dictates: 添加 (from a house
search by 楼栋 / 户型 / 朝向 / 房号), 上移 / 下移 / 置顶 / 删除, 同步预选房源
(overwrites the formal list, so it asks first), 推算 (the forecast's
sentences), 确认正选, 主动放弃 and 补选申请. Every act is a service call in a
worker; a refusal's sentence is shown as it is. The list's lint (advice,
nothing refused) stands under the list in yellow.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    DataTable,
    Header,
    Input,
    Label,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from core.allocation.housing import LAYOUT_LABELS, ORIENTATIONS, layout_label
from core.allocation.rounds import ListKind, RoundStatus
from services.allocation import documents, rounds
from services.allocation.families import RoundFamilyLine, round_families
from services.allocation.rounds import (
    ForecastView,
    HouseRow,
    RoundRow,
    WishLine,
    WishList,
)
from tui.screens.allocation.common import area, money, place
from tui.screens.base import AppScreen
from tui.screens.dialogs import ConfirmDialog, ReasonDialog, _Dialog
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FormInput
from tui.widgets.message import MessageLine, literal
from tui.widgets.tables import ListTable

LIST_NAMES = {ListKind.PRE: "预选意向", ListKind.FORMAL: "正选意向"}
# Keys that work on a loaded family (hidden until one is loaded).
_FAMILY_ACTIONS = {"switch_list", "add", "move", "delete", "sync", "forecast", "confirm", "give_up",
                   "apply_supplementary", "print_notice"}
KEYS_HINT = "Shift+↑/↓ 上移/下移  t 置顶  Del 删除  s 同步预选  g 主动放弃  b 补选申请"


def wish_cells(line: WishLine) -> list[str]:
    return [str(line.position), line.code, place(line.building, line.floor, line.room), layout_label(line.layout),
            line.orientation, area(line.area), money(line.monthly_rent), line.label]


def family_text(round_row: RoundRow | None, fam: RoundFamilyLine) -> str:
    head = f"第{round_row.number}场　" if round_row else ""
    state = "已确认正选" if fam.confirmed else "已主动放弃" if fam.gave_up else ""
    if fam.result_label:
        state = f"选房结果：{fam.result_label}"
    parts = [f"{head}排位第 {fam.rank} 位　家庭 {fam.family_id}　主申请人 {fam.applicant}　{fam.size}人户",
             f"可选户型：{fam.eligible or '不限'}" + (f"　{state}" if state else "")]
    return "\n".join(parts)


class FamilyScreen(AppScreen):
    """A family's wish lists in one round."""

    CSS_PATH = "allocation.tcss"

    BINDINGS = [
        Binding("f2", "switch_list", "预选/正选", key_display="F2"),
        Binding("a", "add", "添加"),
        Binding("shift+up", "move('up')", "上移", show=False),
        Binding("shift+down", "move('down')", "下移", show=False),
        Binding("t", "move('top')", "置顶", show=False),
        Binding("delete", "delete", "删除", show=False),
        Binding("s", "sync", "同步预选", show=False),
        Binding("f", "forecast", "推算"),
        Binding("c", "confirm", "确认正选"),
        Binding("g", "give_up", "主动放弃", show=False),
        Binding("b", "apply_supplementary", "补选申请", show=False),
        Binding("p", "print_notice", "打印通知书"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "选择场次，在查询框输入家庭的排位号或主申请人姓名，Enter 查找；同名多户时在列表中选择。",
        "预选期间按家庭意愿维护预选意向（购物车）：a 添加（按楼栋、户型、朝向、房号查询房源），"
        "Shift+↑/↓ 上移/下移，t 置顶，Del 删除；F2 在预选意向与正选意向之间切换。",
        "正选开始后可按 s 同步预选房源（正选意向将被预选意向覆盖），再按家庭意愿调整正选意向。",
        "f 推算：按排位在前家庭当前的正选意向推算本家庭可能选到的房源。",
        "家庭决定后，在正选意向中选中房源按 c 确认正选（提交后不可更改）；g 主动放弃（须填写原因）。",
        "结果公布后：p 打印选房结果通知书；未分配到房源的家庭可按 b 申请补选。",
    )

    class RoundsLoaded(Message):
        def __init__(self, rows: list[RoundRow]) -> None:
            super().__init__()
            self.rows = rows

    class FamiliesFound(Message):
        def __init__(self, query: str, found: list[RoundFamilyLine]) -> None:
            super().__init__()
            self.query = query
            self.found = found

    class WishesLoaded(Message):
        def __init__(self, family: RoundFamilyLine, wishes: WishList) -> None:
            super().__init__()
            self.family = family
            self.wishes = wishes

    class ForecastReady(Message):
        def __init__(self, view: ForecastView) -> None:
            super().__init__()
            self.view = view

    class Done(Message):
        """An act succeeded: its sentence, and the line to put the cursor on (1-based)."""

        def __init__(self, text: str, position: int | None = None, list_kind: str | None = None) -> None:
            super().__init__()
            self.text = text
            self.position = position
            self.list_kind = list_kind  # the list to show next (同步 shows the formal list)

    def __init__(self, round_id: int | None = None) -> None:
        super().__init__()
        self.round_id = round_id
        self.round_rows: dict[int, RoundRow] = {}
        self.family: RoundFamilyLine | None = None
        self.list_kind = ListKind.PRE
        self.wishes: WishList | None = None
        self._cursor_to: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="family-bar"):
            yield Static("家庭选房", classes="screen-title")
            yield Select([], prompt="选择场次", compact=True, id="fam-round")
            yield FormInput(placeholder="排位号或主申请人姓名，Enter 查找", compact=True, id="fam-query", max_length=30)
        yield Static("请先选择场次，再输入家庭的排位号或主申请人姓名。", id="family-info", markup=False)
        with Horizontal(classes="status-row"):
            yield Static("", id="list-tabs")
            yield MessageLine(id="family-message", classes="status-line")
        yield ListTable([("序", None), ("房源编号", 12), ("楼栋/楼层/房号", 14), ("户型", None), ("朝向", None),
                         ("面积㎡", None), ("月租金", None), ("状态", 16)], id="wishes")
        yield Static("", id="lint", markup=False)
        yield Static(KEYS_HINT, id="family-keys", classes="hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_tabs()
        self.query_one("#lint").display = False
        self._load_rounds()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _FAMILY_ACTIONS:
            return self.family is not None
        return True

    def step_actions(self) -> list[str]:
        """The family's next step: its lists while the round selects, the notice once published."""
        fam, row = self.family, self.round_row
        if fam is None:
            return []
        if (row is not None and row.status == RoundStatus.PUBLISHED) or fam.result_label:
            return ["print_notice", "apply_supplementary"]
        if fam.confirmed or fam.gave_up:
            return ["print_notice"]
        if self.list_kind == ListKind.FORMAL:
            return ["add", "confirm", "forecast", "switch_list"]
        return ["add", "switch_list", "forecast"]

    # ------------------------------------------------------------ round and family

    @work(thread=True, exclusive=True, group="fam-rounds", exit_on_error=False)
    def _load_rounds(self) -> None:
        self.post_message(self.RoundsLoaded(rounds.rounds_list(self.db, self.actor)))

    def on_family_screen_rounds_loaded(self, message: RoundsLoaded) -> None:
        self.round_rows = {r.id: r for r in message.rows}
        select = self.query_one("#fam-round", Select)
        select.set_options([(literal(f"第{r.number}场 {r.name}"), r.id) for r in message.rows])
        if self.round_id is None:
            # The newest round families may act in (a draft being set up is not one yet).
            open_rounds = [r for r in message.rows if r.status in (RoundStatus.OPEN, RoundStatus.REOPENED)]
            chosen = (open_rounds or message.rows or [None])[0]
            self.round_id = chosen.id if chosen else None
        if self.round_id in self.round_rows:
            with select.prevent(Select.Changed):
                select.value = self.round_id
            if self.family is None:  # the round is chosen: "请先选择场次" would send the clerk astray
                self.query_one("#family-info", Static).update("请输入家庭的排位号或主申请人姓名，按 Enter 查找。")
        elif not message.rows:
            self.query_one("#family-info", Static).update("还没有选房场次：请审核主管先在选房场次中新建并发布场次。")
        self.query_one("#fam-query", Input).focus()

    @property
    def round_row(self) -> RoundRow | None:
        return self.round_rows.get(self.round_id) if self.round_id is not None else None

    @on(Select.Changed, "#fam-round")
    def _round_changed(self, event: Select.Changed) -> None:
        self.round_id = event.value if isinstance(event.value, int) else None
        self._clear_family()
        self.query_one("#fam-query", Input).focus()

    def _clear_family(self) -> None:
        self.family = None
        self.wishes = None
        self.query_one("#wishes", ListTable).set_rows([])
        self.query_one("#lint").display = False
        self.query_one("#family-info", Static).update("请输入家庭的排位号或主申请人姓名。")
        self.refresh_bindings()

    @on(Input.Submitted, "#fam-query")
    def _find(self, event: Input.Submitted) -> None:
        if self.round_id is None:
            self.show_refusal("请先选择场次。")
            return
        text = event.value.strip()
        if not text:
            self.show_refusal("请输入家庭的排位号或主申请人姓名。")
            return
        self._search(self.round_id, text)

    @work(thread=True, exclusive=True, group="fam-search", exit_on_error=False)
    def _search(self, round_id: int, text: str) -> None:
        self.post_message(self.FamiliesFound(text, round_families(self.db, self.actor, round_id, text)))

    def on_family_screen_families_found(self, message: FamiliesFound) -> None:
        if not message.found:
            where = f"第{self.round_row.number}场" if self.round_row else "本场次"
            self.show_refusal(f"{where}没有排位为“{message.query}”或主申请人姓名含“{message.query}”的家庭。")
        elif len(message.found) == 1:
            self.open_family(message.found[0])
        else:
            self.app.push_screen(FamilyPickDialog(message.found), callback=self._picked)

    def _picked(self, fam: RoundFamilyLine | None) -> None:
        if fam is not None:
            self.open_family(fam)

    def open_family(self, fam: RoundFamilyLine) -> None:
        self.family = fam
        self.list_kind = ListKind.PRE
        self._show_tabs()
        self.clear_message()
        self.query_one("#wishes", ListTable).focus()
        self.refresh_bindings()
        self.reload()

    # ------------------------------------------------------------ the list

    def reload(self, cursor_to: int | None = None) -> None:
        if self.family is None or self.round_id is None:
            return
        self._cursor_to = cursor_to
        self._load_wishes(self.round_id, self.family.family_id, self.list_kind)

    @work(thread=True, exclusive=True, group="fam-wishes", exit_on_error=False)
    def _load_wishes(self, round_id: int, family_id: int, list_kind: str) -> None:
        found = round_families(self.db, self.actor, round_id)
        fam = next((f for f in found if f.family_id == family_id), None)
        if fam is None:  # more families than one page: ask for this one by its rank
            assert self.family is not None
            fam = next(f for f in round_families(self.db, self.actor, round_id, str(self.family.rank))
                       if f.family_id == family_id)
        wishes = rounds.wish_list(self.db, self.actor, round_id, family_id, list_kind)
        if not get_current_worker().is_cancelled:
            self.post_message(self.WishesLoaded(fam, wishes))

    def on_family_screen_wishes_loaded(self, message: WishesLoaded) -> None:
        if self.family is None or message.family.family_id != self.family.family_id:
            return
        if message.wishes.list_kind != self.list_kind:
            return
        self.family = message.family
        self.wishes = message.wishes
        self.refresh_bindings()  # the footer's first keys follow the family's step
        self.query_one("#family-info", Static).update(family_text(self.round_row, message.family))
        table = self.query_one("#wishes", ListTable)
        keep = self._cursor_to or (table.cursor_row + 1 if table.row_count else 1)
        table.set_rows([(str(line.position), wish_cells(line)) for line in message.wishes.lines])
        if message.wishes.lines:
            table.move_cursor(row=min(keep, len(message.wishes.lines)) - 1)
        self._cursor_to = None
        lint = self.query_one("#lint", Static)
        if not message.wishes.lines:
            # Only a family that may still change its list is told to add to it.
            add = "：按 a 添加" if "add" in self.step_actions() else ""
            lint.update(f"{LIST_NAMES[self.list_kind]}为空（购物车中没有房源）{add}。")
            lint.display = True
        elif message.wishes.lint:
            lint.update("\n".join(f"⚠ {w.message}" for w in message.wishes.lint))
            lint.display = True
        else:
            lint.display = False

    def _show_tabs(self) -> None:
        tabs = Text("购物车 ")
        for kind in (ListKind.PRE, ListKind.FORMAL):
            if kind == self.list_kind:
                tabs.append(f" {LIST_NAMES[kind]} ", style="bold reverse")
            else:
                tabs.append(f" {LIST_NAMES[kind]} ", style="dim")
        tabs.append(" F2切换 ", style="dim")
        self.query_one("#list-tabs", Static).update(tabs)

    @property
    def selected_line(self) -> WishLine | None:
        table = self.query_one("#wishes", ListTable)
        if self.wishes is None or not table.row_count:
            return None
        index = table.cursor_row
        return self.wishes.lines[index] if 0 <= index < len(self.wishes.lines) else None

    def action_switch_list(self) -> None:
        self.list_kind = ListKind.FORMAL if self.list_kind == ListKind.PRE else ListKind.PRE
        self._show_tabs()
        self.clear_message()
        self.reload(cursor_to=1)

    def on_family_screen_done(self, message: Done) -> None:
        if message.list_kind is not None and message.list_kind != self.list_kind:
            self.list_kind = message.list_kind
            self._show_tabs()
        self.set_message(message.text, tone="ok")
        self.reload(cursor_to=message.position)

    # ------------------------------------------------------------ 添加, 上移/下移/置顶, 删除, 同步

    def action_add(self) -> None:
        if self.family is None or self.round_id is None:
            return
        self.app.push_screen(HouseSearchDialog(self.round_id, LIST_NAMES[self.list_kind]), callback=self._house_chosen)

    def _house_chosen(self, house: HouseRow | None) -> None:
        if house is not None:
            self._add(house)

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _add(self, house: HouseRow) -> None:
        fam, kind = self._target()
        position = rounds.add_wish(self.db, self.actor, self.round_id, fam.family_id, house.id, kind)  # type: ignore[arg-type]
        self.post_message(self.Done(f"已将房源 {house.code} 加入{LIST_NAMES[kind]}第 {position} 位。", position))

    def _target(self) -> tuple[RoundFamilyLine, str]:
        assert self.family is not None and self.round_id is not None
        return self.family, self.list_kind

    def action_move(self, direction: str) -> None:
        line = self.selected_line
        if line is not None:
            self._move(line, direction)

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _move(self, line: WishLine, direction: str) -> None:
        fam, kind = self._target()
        position = rounds.move_wish(self.db, self.actor, self.round_id, fam.family_id, line.position,  # type: ignore[arg-type]
                                    direction, kind)
        word = {"up": "上移", "down": "下移", "top": "置顶"}[direction]
        self.post_message(self.Done(f"已{word}：房源 {line.code} 现排第 {position} 位。", position))

    def action_delete(self) -> None:
        line = self.selected_line
        if line is not None:
            self._delete(line)

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _delete(self, line: WishLine) -> None:
        fam, kind = self._target()
        rounds.delete_wish(self.db, self.actor, self.round_id, fam.family_id, line.position, kind)  # type: ignore[arg-type]
        self.post_message(self.Done(f"已从{LIST_NAMES[kind]}删除房源 {line.code}。", line.position))

    def action_sync(self) -> None:
        if self.family is None:
            return
        question = "同步预选房源后，正选意向（购物车）将被预选意向覆盖，正选中另选的房源会被替换。确定同步？"

        def chosen(yes: bool | None) -> None:
            if yes:
                self._sync()

        self.app.push_screen(ConfirmDialog("同步预选房源", question), callback=chosen)

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _sync(self) -> None:
        fam, _ = self._target()
        count = rounds.sync_formal(self.db, self.actor, self.round_id, fam.family_id)  # type: ignore[arg-type]
        self.post_message(self.Done(f"已同步预选房源：正选意向共 {count} 套。", 1, ListKind.FORMAL))

    # ------------------------------------------------------------ 推算, 确认正选, 放弃, 补选申请

    def action_forecast(self) -> None:
        if self.family is not None:
            self._forecast()

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _forecast(self) -> None:
        fam, _ = self._target()
        self.post_message(self.ForecastReady(rounds.forecast(self.db, self.actor, self.round_id, fam.family_id)))  # type: ignore[arg-type]

    def on_family_screen_forecast_ready(self, message: ForecastReady) -> None:
        number = self.round_row.number if self.round_row else None
        self.app.push_screen(ForecastDialog(message.view, number))

    def action_confirm(self) -> None:
        line = self.selected_line
        if self.list_kind != ListKind.FORMAL:
            self.show_refusal("确认正选须从正选意向中选择房源，请按 F2 切换到正选意向。")
            return
        if line is None:
            self.show_refusal("正选意向中没有房源可确认。")
            return
        question = (f"确认选定房源 {line.code}（{place(line.building, line.floor, line.room)}，"
                    f"{layout_label(line.layout)}，{area(line.area)}㎡，月租金 {money(line.monthly_rent)} 元）？\n"
                    "提交后选房结果不可更改。")

        def chosen(yes: bool | None) -> None:
            if yes:
                self._confirm(line)

        self.app.push_screen(ConfirmDialog("确认正选", question), callback=chosen)

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _confirm(self, line: WishLine) -> None:
        fam, _ = self._target()
        rounds.confirm_house(self.db, self.actor, self.round_id, fam.family_id, line.house_id)  # type: ignore[arg-type]
        self.post_message(self.Done(f"已确认正选房源 {line.code}，选房结果不可更改。", line.position))

    def action_give_up(self) -> None:
        fam = self.family
        if fam is None:
            return

        def confirmed(reason: str, yes: bool | None) -> None:
            if yes:
                self._give_up(reason)

        def reason_given(reason: str | None) -> None:
            if reason is None:
                return
            self.app.push_screen(
                ConfirmDialog("主动放弃选房", f"家庭 {fam.family_id}（{fam.applicant}）放弃本场次选房后，"
                                          "不再分配房源，也不能申请补选。确定放弃？"),
                callback=lambda yes: confirmed(reason, yes))

        self.app.push_screen(ReasonDialog(f"主动放弃选房　家庭 {fam.family_id}", "请填写放弃原因"),
                             callback=reason_given)

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _give_up(self, reason: str) -> None:
        fam, _ = self._target()
        rounds.give_up(self.db, self.actor, self.round_id, fam.family_id, reason)  # type: ignore[arg-type]
        self.post_message(self.Done(f"家庭 {fam.family_id} 已主动放弃本场次选房。"))

    def action_apply_supplementary(self) -> None:
        if self.family is not None:
            self._apply()

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _apply(self) -> None:
        fam, _ = self._target()
        number = self.round_row.number if self.round_row else ""
        rounds.apply_supplementary(self.db, self.actor, fam.family_id, self.round_id)  # type: ignore[arg-type]
        self.post_message(self.Done(f"家庭 {fam.family_id} 已就第{number}场申请补选，补选场次及时间将以短信通知。"))

    def action_print_notice(self) -> None:
        if self.family is not None:
            self._print_notice()

    @work(thread=True, exclusive=True, group="fam-act", exit_on_error=False)
    def _print_notice(self) -> None:
        fam, _ = self._target()
        data = documents.family_result_notice_pdf(self.db, self.actor, self.round_id, fam.family_id)
        number = self.round_row.number if self.round_row else self.round_id
        printed = self.print_document(f"选房结果通知书_第{number}场_排位{fam.rank}.pdf", data, "选房结果通知书")
        self.app.call_from_thread(self.set_message, printed.message, printed.tone)


# ---------------------------------------------------------------- dialogs


class FamilyPickDialog(_Dialog):
    """Several families match: choose one."""

    CSS_PATH = "allocation.tcss"

    def __init__(self, found: list[RoundFamilyLine]) -> None:
        super().__init__()
        self.found = {str(f.family_id): f for f in found}

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box", classes="dialog"):
            yield Label("选择家庭", classes="form-title")
            yield OptionList(*[Option(literal(f"排位第 {f.rank} 位　{f.applicant}　家庭 {f.family_id}　{f.size}人户"), id=key)
                               for key, f in self.found.items()], id="pick-family")
            yield Static("↑↓ 选择　Enter 确定　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#pick-family", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#pick-family")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.found[event.option.id or ""])


class HouseSearchDialog(_Dialog):
    """查询房源 by 楼栋 / 户型 / 朝向 / 房号 (seed 000 §二 2); Enter on a row adds it."""

    CSS_PATH = "allocation.tcss"
    BINDINGS = [*_Dialog.BINDINGS, Binding("down", "to_results", "结果列表", show=False)]

    class Found(Message):
        def __init__(self, houses: list[HouseRow]) -> None:
            super().__init__()
            self.houses = houses

    def __init__(self, round_id: int, list_name: str) -> None:
        super().__init__()
        self.round_id = round_id
        self.list_name = list_name
        self.houses: dict[str, HouseRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box", classes="dialog"):
            yield Label(f"查询可选房源，加入{self.list_name}", classes="form-title")
            with Horizontal(id="search-bar"):
                yield FormInput(placeholder="楼栋", compact=True, id="s-building", max_length=20)
                yield Select([(label, code) for code, label in LAYOUT_LABELS.items()], prompt="全部户型",
                             compact=True, id="s-layout")
                yield Select([(o, o) for o in ORIENTATIONS], prompt="全部朝向", compact=True, id="s-orientation")
                yield FormInput(placeholder="房号", compact=True, id="s-room", max_length=12)
            yield ListTable([("房源编号", 12), ("楼栋/楼层/房号", 14), ("户型", None), ("朝向", None),
                             ("面积㎡", None), ("月租金", None)], id="s-results")
            yield Static("", id="s-count", classes="hint", markup=False)
            yield MessageLine(classes="error-line")
            yield Static("输入条件即查询　↓ 到结果　Enter 加入　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#s-building", Input).focus()
        self.search()

    def search(self) -> None:
        layout = self.query_one("#s-layout", Select).value
        orientation = self.query_one("#s-orientation", Select).value
        self._search(
            self.query_one("#s-building", Input).value.strip() or None,
            layout if isinstance(layout, str) else None,
            orientation if isinstance(orientation, str) else None,
            self.query_one("#s-room", Input).value.strip() or None,
        )

    @work(thread=True, exclusive=True, group="house-search", exit_on_error=False)
    def _search(self, building: str | None, layout: str | None, orientation: str | None, room: str | None) -> None:
        houses = rounds.search_houses(self.db, self.actor, self.round_id, building=building, layout=layout,
                                      orientation=orientation, room=room)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Found(houses))

    def on_house_search_dialog_found(self, message: Found) -> None:
        self.houses = {str(h.id): h for h in message.houses}
        self.query_one("#s-results", ListTable).set_rows([
            (str(h.id), [h.code, place(h.building, h.floor, h.room), layout_label(h.layout), h.orientation,
                         area(h.area), money(h.monthly_rent)])
            for h in message.houses
        ])
        self.query_one("#s-count", Static).update(
            f"可选房源 {len(message.houses)} 套" if message.houses else "没有符合条件的可选房源。")

    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self.search()

    @on(Input.Submitted)
    def _to_results(self) -> None:
        self.query_one("#s-results", ListTable).focus()

    def action_to_results(self) -> None:
        self.query_one("#s-results", ListTable).focus()

    @on(DataTable.RowSelected, "#s-results")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        house = self.houses.get(event.row_key.value or "")
        if house is not None:
            self.dismiss(house)


class ForecastDialog(_Dialog):
    """推算我的选房信息: the result first, then why not each better wish."""

    CSS_PATH = "allocation.tcss"
    BINDINGS = [Binding("escape,enter", "cancel", "关闭", key_display="Esc")]

    def __init__(self, view: ForecastView, round_number: int | None) -> None:
        super().__init__()
        self.view = view
        self.round_number = round_number

    def compose(self) -> ComposeResult:
        v = self.view
        head = f"第{self.round_number}场　" if self.round_number is not None else ""
        with Vertical(id="forecast-box", classes="dialog"):
            yield Label(f"推算选房信息　{head}排位第 {v.rank} 位　家庭 {v.family_id}", classes="form-title")
            outcome = f"推算结果：{v.status_label}" + (f"　房源 {v.house_code}" if v.house_code else "")
            yield Static(outcome, id="forecast-result", markup=False)
            with VerticalScroll(id="forecast-lines"):
                for i, sentence in enumerate(v.explanation):
                    yield Static(("● " if i == 0 else "○ ") + sentence, classes="forecast-line", markup=False)
                for warning in v.warnings:
                    yield Static(f"⚠ {warning}", classes="forecast-warning", markup=False)
            yield Static("推算按排位在前家庭当前的正选意向计算，结果可能随其调整而变化。", classes="hint")
            yield Static("Esc 关闭", classes="hint")
