"""测绘成果备案 at the keyboard (seed 004 §5.1): the forms and views the survey screen opens.

* ``SurveyFormDialog`` — one form (完善当前栋信息, 批量设置, 快捷设置价格, 户室对照, 审核意见):
  its fields in one or two columns under their headings; F9 calls the service in a worker
  and the dialog closes with the service's sentence, while a refusal stays in the dialog
  with everything typed (and the cursor on the field it names).
* ``batch_fields`` / ``price_fields`` / ``building_fields`` — what those forms ask, in the
  seed's words; ``batch_request`` / ``price_rule`` read what was typed into the service's
  values (the core's ``check_selection`` and ``check_price_rule`` do the checking).
* ``SurveyChangesScreen`` — 变更前 / 变更后 side by side (``surveys.survey_changes``).
* ``SurveyMappingScreen`` — 户室关系对照 (§5.1.3) for the authority: 原户室 / 新户室 / 对照
  counts and each split, merged, added, deleted and matched unit; F2 对照, F3 取消对照, F8 确认.

No rules here: every value goes to ``services.presale.surveys`` as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Static

from core.errors import RuleViolation
from core.presale.mapping import MappingSummary
from core.presale.pricing import check_price_rule
from core.presale.surveys import BuildingInfo
from core.presale.units import BATCH_FIELDS, FIELD_LABELS, MATCH_LABELS, MatchFrom, Selection, check_selection
from core.roles import Permission
from services.presale import surveys
from tui.screens.base import AppModal, AppScreen, RunsItsUseCase
from tui.screens.presale.funds import FormField
from tui.widgets.detail import MUTED
from tui.widgets.footer import KeyFooter
from tui.widgets.form import compact_input, field_line
from tui.widgets.message import MessageLine

__all__ = [
    "FormField",
    "Section",
    "SurveyChangesScreen",
    "SurveyFormDialog",
    "SurveyMappingScreen",
    "batch_fields",
    "batch_request",
    "building_fields",
    "items",
    "mapping_rows",
    "price_fields",
    "price_rule",
]

#: A form's part: its heading ("" for none) and its fields.
Section = tuple[str, Sequence[FormField]]


def items(text: str) -> list[str]:
    """A list typed in one field: separated by commas (either width), 、 or spaces."""
    for sep in ("，", "、", " "):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


class SurveyFormDialog(RunsItsUseCase, AppModal["str | None"]):
    """A survey form: F9 runs ``run(values)`` (the service, in a worker) and closes with the
    sentence it returns; a refusal is shown here and what was typed stays (``RunsItsUseCase``)."""

    CSS_PATH = "presale.tcss"
    FIELD_PREFIX = "sf-"
    # The first field has the cursor as the form is composed: a focus set later (on mount) would
    # take it back from a field a fast typist's Tab has already reached.
    AUTO_FOCUS = "Input"
    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc"),
                Binding("f9", "submit", "保存", key_display="F9")]

    def __init__(self, title: str, sections: Sequence[Section], run: Callable[[dict[str, str]], str], *,
                 columns: int = 1, note: str = "", action: str = "保存") -> None:
        super().__init__()
        self.title_text = title
        self.sections = [(heading, list(fields)) for heading, fields in sections]
        self.run = run
        self.columns = columns
        self.note = note
        self.action_label = action

    @property
    def fields(self) -> list[FormField]:
        return [f for _, fields in self.sections for f in fields]

    def compose(self) -> ComposeResult:
        with Vertical(id="survey-form-box", classes="dialog -wide" if self.columns > 1 else "dialog"):
            yield Label(self.title_text, classes="form-title", markup=False)
            with Vertical(id="survey-form-fields"):
                for heading, fields in self.sections:
                    if heading:
                        yield Static(heading, classes="form-section", markup=False)
                    for start in range(0, len(fields), self.columns):
                        lines = []
                        for f in fields[start:start + self.columns]:
                            field = compact_input(f.value, placeholder=f.hint, max_length=f.size)
                            field.id = f"sf-{f.key}"
                            line = field_line(f.label, field)
                            line.add_class("-half" if self.columns > 1 else "-whole")
                            lines.append(line)
                        yield Horizontal(*lines, classes="form-pair")
            if self.note:
                yield Static(self.note, classes="hint", markup=False)
            yield MessageLine(classes="error-line")
            yield Static(f"Tab 切换栏目，F9 {self.action_label}；Esc 取消", classes="hint", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        self.run_use_case({f.key: self.query_one(f"#sf-{f.key}", Input).value for f in self.fields})


# ------------------------------------------------------------------ the forms' fields

#: 批量设置's selection (按室号选择 / 按单元号选择), then the values the service takes.
SELECTION_FIELDS: tuple[FormField, ...] = (
    FormField("match", "室号匹配", "如 1 或 01", 20),
    FormField("match_from", "匹配位置", "向前匹配或向后匹配", 4, MATCH_LABELS[MatchFrom.FORWARD]),
    FormField("length", "室号长度", "如 3（空：不限）", 2),
    FormField("units", "单 元 号", "如 A01、A02（空：全部）", 60),
    FormField("unit_nos", "室　　号", "如 1-01、1-02", 200),
    FormField("floors", "实 际 层", "如 1、2、3", 60),
    FormField("layout_of", "按 户 型", "只选该户型的户室", 20),
    FormField("empty", "只选空项", "如 户型：只选该项为空的", 8),
)
_HINTS = {"unit": "如 A01", "nominal_floor": "如 3、B1", "house_type": "住宅、商业、车位…", "use": "住宅、商业、办公…",
          "nature": "市场化商品房…", "elevator": "是或否", "layout": "如 三室两厅", "decoration": "毛坯、简装或精装",
          "floor_height": "米，如 3.00", "balcony": "如 南向阳台", "sale_price": "元/m²",
          "decoration_price": "元/m²", "rough_price": "元/m²"}
_SIZES = {"balcony": 40, "layout": 20, "nature": 10, "unit": 10}


def batch_fields(unit_nos: Sequence[str] = ()) -> list[Section]:
    """批量设置: which units, then the fields to set (blank: left as it is)."""
    selection = [FormField(f.key, f.label, f.hint, f.size, "、".join(unit_nos) if f.key == "unit_nos" else f.value)
                 for f in SELECTION_FIELDS]
    values = [FormField(key, FIELD_LABELS[key], _HINTS.get(key, ""), _SIZES.get(key, 12)) for key in BATCH_FIELDS]
    return [("选择户室（各条件同时满足；都不填：全部户室）", selection), ("设置内容（空：不变）", values)]


def batch_request(values: dict[str, str]) -> tuple[Selection, dict[str, str]]:
    """The selection and the values of a batch setting as typed (checked by the core)."""
    selection = check_selection(match=values["match"], match_from=values["match_from"].strip() or MatchFrom.FORWARD,
                                length=values["length"], units=items(values["units"]),
                                unit_nos=items(values["unit_nos"]), floors=items(values["floors"]),
                                layout=values["layout_of"], empty=values["empty"])
    chosen = {key: values[key] for key in BATCH_FIELDS if values[key].strip()}
    return selection, chosen


PRICE_FIELDS: tuple[FormField, ...] = (
    FormField("price_kind", "价格类型", "销售单价、装修单价或毛坯单价", 4, "销售单价"),
    FormField("layout", "户　　型", "空：全部户型", 20),
    FormField("base_price", "基础价格", "元/m²，如 9000", 12),
    FormField("base_floor", "基准层数", "实际层，如 1", 4),
    FormField("direction", "方　　向", "向上或向下", 2, "向上"),
    FormField("change", "递增递减", "递增或递减", 2, "递增"),
    FormField("step", "每层金额", "元/m²，如 100", 10, "0"),
)
_CHANGES = {"递增": False, "增": False, "": False, "递减": True, "减": True}


def price_fields() -> list[Section]:
    """快捷设置价格: by layout and actual floor, from a base floor up or down."""
    return [("", PRICE_FIELDS)]


def price_rule(values: dict[str, str]):  # type: ignore[no-untyped-def]
    """The quick pricing as typed (``core.presale.pricing.check_price_rule`` checks it)."""
    change = values["change"].strip()
    if change not in _CHANGES:
        raise RuleViolation("PRICE_CHANGE_BAD", "递增递减只能填“递增”或“递减”。", field="change")
    return check_price_rule(price_kind=values["price_kind"], base_price=values["base_price"],
                            base_floor=values["base_floor"], direction=values["direction"], step=values["step"],
                            decrease=_CHANGES[change], layout=values["layout"])


def building_fields(info: BuildingInfo) -> list[Section]:
    """完善当前栋信息, with what the survey has now."""
    def shown(value: object) -> str:
        return "" if value is None else str(value)

    return [("", (
        FormField("structure", "建筑结构", "如 钢筋混凝土结构", 20, shown(info.structure)),
        FormField("floors_above", "地上层数", "如 17", 4, shown(info.floors_above)),
        FormField("floors_below", "地下层数", "如 1", 3, shown(info.floors_below)),
        FormField("height", "建筑高度", "米，如 54.6", 8, shown(info.height)),
        FormField("building_use", "规划用途", "如 住宅", 8, shown(info.building_use)),
    ))]


# ------------------------------------------------------------------ 变更前 / 变更后


class SurveyChangesScreen(AppScreen):
    """变更前后对比: the summary of the units, then each changed fact before and after."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [Binding("f5", "reload", "刷新", key_display="F5"),
                Binding("escape", "app.pop_screen", "返回", key_display="Esc")]
    HELP_STEPS = ("变更前（原测绘）与变更后（本次测绘）对比：上方为户室套数及拆分、合并、新增、删除，"
                  "下表逐项列出栋信息和对应户室变化的内容。",)

    class Loaded(Message):
        def __init__(self, changes: surveys.Changes) -> None:
            super().__init__()
            self.changes = changes

    def __init__(self, number: str, changes: surveys.Changes | None = None) -> None:
        super().__init__()
        self.number = number
        self.changes = changes

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static(f"变更前后对比　{self.number}", classes="screen-title", markup=False)
            yield MessageLine(classes="status-line")
        yield Static("", id="changes-summary", markup=False)
        yield DataTable(id="changes-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.changes is not None:
            self._show(self.changes)
            return
        self.query_one("#changes-summary", Static).update(Text("正在读取……", style=MUTED))
        self.action_reload()

    def action_reload(self) -> None:
        self._load(self.number)

    @work(thread=True, exclusive=True, group="survey-changes", exit_on_error=False)
    def _load(self, number: str) -> None:
        self.post_message(self.Loaded(surveys.survey_changes(self.db, self.actor, number)))

    def on_survey_changes_screen_loaded(self, message: Loaded) -> None:
        self._show(message.changes)

    def _show(self, c: surveys.Changes) -> None:
        lines = [f"变更前 {c.base_survey_number} → 变更后 {c.survey_number}", *c.summary.lines()]
        self.query_one("#changes-summary", Static).update(Text("\n".join(lines)))
        table = self.query_one("#changes-table", DataTable)
        table.clear(columns=True)
        for label, width in (("原户室", 9), ("新户室", 9), ("项目", 10), ("变更前", 20), ("变更后", 20)):
            table.add_column(Text(label), width=width)
        for label, before, after in c.building:
            table.add_row(Text("栋"), Text(""), Text(label), Text(before), Text(after))
        for old, new, diffs in c.units:
            for label, before, after in diffs:
                table.add_row(Text(old), Text(new), Text(label), Text(before), Text(after))
        if not c.building and not c.units:
            table.add_row(Text(""), Text(""), Text("无变化"), Text(""), Text(""))
        table.focus()


# ------------------------------------------------------------------ 户室关系对照


@dataclass(frozen=True)
class MappingRow:
    kind: str  # 拆分 / 合并 / 新增 / 删除 / 对应
    old: list[str]
    new: list[str]


def mapping_rows(summary: MappingSummary) -> list[MappingRow]:
    """The mapping as the authority reads it: what wants a look first (split, merged, added,
    deleted), then the units matched one to one."""
    return ([MappingRow("拆分", [o], n) for o, n in summary.split]
            + [MappingRow("合并", o, [n]) for o, n in summary.merged]
            + [MappingRow("新增", [], [n]) for n in summary.added]
            + [MappingRow("删除", [o], []) for o in summary.deleted]
            + [MappingRow("对应", [o], [n]) for o, n in summary.matched])


class SurveyMappingScreen(AppScreen):
    """户室关系对照: the counts, each unit's link; the authority links (F2), unlinks (F3) and
    confirms (F8) before archiving."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [
        # Priority: the form opens as the key is read, so keys typed right after it reach the form.
        Binding("f2", "link", "对照", key_display="F2", priority=True),
        Binding("f3", "unlink", "取消对照", key_display="F3", priority=True),
        Binding("f8", "confirm", "确认对照", key_display="F8"),
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]
    HELP_STEPS = (
        "上方为原户室套数、新户室套数、对照后户室套数，下表先列拆分、合并、新增、删除的户室，再列一一对应的户室。",
        "F2 对照：原户室对应新户室（一对一；一个原户室对多个新户室为拆分；多个原户室对一个新户室为合并），"
        "取代它们原有的对照；在表中某行按 Enter 带出该行的户室。",
        "F3 取消对照：原户室不再对照即为删除，新户室不再对照即为新增。",
        "核对无误后按 F8 确认对照，再返回按 F9 审核归档；确认后又修改对照的，须重新确认。",
    )

    class Loaded(Message):
        def __init__(self, view: surveys.MappingView) -> None:
            super().__init__()
            self.view = view

    class Done(Message):
        def __init__(self, view: surveys.MappingView, text: str) -> None:
            super().__init__()
            self.view = view
            self.text = text

    def __init__(self, number: str, view: surveys.MappingView | None = None) -> None:
        super().__init__()
        self.number = number
        self.view = view
        self.rows: list[MappingRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static(f"户室关系对照　{self.number}", classes="screen-title", markup=False)
            yield MessageLine(classes="status-line")
        yield Static("", id="mapping-summary", markup=False)
        yield DataTable(id="mapping-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("link", "unlink", "confirm"):
            return self.actor.can(Permission.SURVEY_REVIEW)
        return True

    def on_mount(self) -> None:
        if self.view is not None:
            self._show(self.view)
            return
        self.query_one("#mapping-summary", Static).update(Text("正在读取……", style=MUTED))
        self.action_reload()

    def action_reload(self) -> None:
        self._load(self.number)

    @work(thread=True, exclusive=True, group="survey-mapping", exit_on_error=False)
    def _load(self, number: str) -> None:
        self.post_message(self.Loaded(surveys.mapping_view(self.db, self.actor, number)))

    def on_survey_mapping_screen_loaded(self, message: Loaded) -> None:
        self._show(message.view)

    def _show(self, view: surveys.MappingView) -> None:
        s = view.summary
        state = "已确认" if view.confirmed_at else "未确认，核对后按 F8 确认"
        lines = [f"原测绘 {view.base_survey_number} → 新测绘 {view.survey_number}（{state}）",
                 f"原户室 {s.old_count} 套　新户室 {s.new_count} 套　对照后户室 {s.mapped_count} 套　"
                 f"对应 {len(s.matched)} 套",
                 f"拆分 {len(s.split)} 套　合并 {len(s.merged)} 套　新增 {len(s.added)} 套　删除 {len(s.deleted)} 套"]
        self.query_one("#mapping-summary", Static).update(Text("\n".join(lines)))
        self.rows = mapping_rows(s)
        table = self.query_one("#mapping-table", DataTable)
        table.clear(columns=True)
        for label, width in (("对照", 6), ("原户室", 28), ("新户室", 28)):
            table.add_column(Text(label), width=width)
        for i, row in enumerate(self.rows):
            style = "" if row.kind == "对应" else "bold"
            table.add_row(Text(row.kind, style=style), Text("、".join(row.old) or "—"), Text("、".join(row.new) or "—"),
                          key=str(i))
        table.focus()

    @on(DataTable.RowSelected, "#mapping-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if not self.actor.can(Permission.SURVEY_REVIEW):
            return
        row = self.rows[int(event.row_key.value)] if event.row_key.value is not None else None
        if row is not None:
            self._link_dialog(row.old, row.new)

    def _link_dialog(self, old: Sequence[str] = (), new: Sequence[str] = (), *, link: bool = True) -> None:
        fields = (FormField("old", "原 户 室", "如 1-01（合并时多个，用、分隔）", 200, "、".join(old)),
                  FormField("new", "新 户 室", "如 1-01A、1-01B（拆分时多个）", 200, "、".join(new)))
        title = "户室关系对照　对照" if link else "户室关系对照　取消对照"
        note = ("原户室对应新户室：一对一、拆分（一对多）或合并（多对一），取代它们原有的对照。" if link
                else "原户室不再对照即为删除；新户室不再对照即为新增。")

        def run(values: dict[str, str]) -> str:
            service = surveys.link_units if link else surveys.unlink_units
            view = service(self.db, self.actor, self.number, items(values["old"]), items(values["new"]))
            self.post_message(self.Loaded(view))
            return "对照已保存，请核对后按 F8 确认。" if link else "已取消对照，请核对后按 F8 确认。"

        self.app.push_screen(SurveyFormDialog(title, [("", fields)], run, note=note), callback=self._finished)

    def _finished(self, text: str | None) -> None:
        if text:
            self.set_message(text, "ok")

    def action_link(self) -> None:
        self._link_dialog()

    def action_unlink(self) -> None:
        self._link_dialog(link=False)

    def action_confirm(self) -> None:
        self.set_message("正在办理……")
        self._confirm(self.number)

    @work(thread=True, exclusive=True, group="survey-mapping", exit_on_error=False)
    def _confirm(self, number: str) -> None:
        view = surveys.confirm_mapping(self.db, self.actor, number)
        self.post_message(self.Done(view, "户室关系对照已确认，可返回按 F9 审核归档。"))

    def on_survey_mapping_screen_done(self, message: Done) -> None:
        self._show(message.view)
        self.set_message(message.text, "ok")
