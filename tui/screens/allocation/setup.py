"""场次设置: a supervisor creates a selection round, imports its families (with their
ranks) and the house pool from CSV files, sets its windows and publishes it — each
step one call of services.allocation.setup (or rounds.create_round), the same the
`wangqian round create / import-families / import-houses / windows / publish`
commands make.

Reached from 选房场次: F2 新建场次 (a new draft) or F3 场次设置 (the round under the
cursor). The form keeps no rules: moments are read by core.allocation.round_setup,
everything else is the service's to refuse, under the field it names.
"""

from __future__ import annotations

from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Static

from core.allocation.round_setup import parse_window_time
from core.allocation.rounds import ROUND_KIND_LABELS, RoundKind, RoundWindows, default_windows
from core.errors import RuleViolation
from core.timeutil import to_local
from services.allocation import rounds, setup
from services.allocation.rounds import RoundDetail
from tui.screens.base import AppScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FieldRow, clear_field_errors, compact_input, show_field_error
from tui.widgets.message import MessageLine, Wrapped

#: Bad rows of a refused file shown under the form (the message line says how many there are).
SHOWN_ROWS = 3

_WINDOW_FIELDS = (("pre_open", "预选开始"), ("pre_close", "预选结束"), ("formal_open", "正选开始"),
                  ("formal_close", "正选结束"))
_KIND_WORDS = {"正常选房": RoundKind.REGULAR, "常规": RoundKind.REGULAR, "正常": RoundKind.REGULAR,
               "补选": RoundKind.SUPPLEMENTARY}


def _moment(value: datetime) -> str:
    return f"{to_local(value):%Y-%m-%d %H:%M}"


class RoundSetupScreen(AppScreen):
    """A round's setup: new (``round_id`` None, offered ``number``) or a draft being filled."""

    CSS_PATH = "allocation.tcss"

    BINDINGS = [
        Binding("f2", "save", "保存", key_display="F2"),
        Binding("f3", "import_families", "导入家庭", key_display="F3"),
        Binding("f4", "import_houses", "导入房源", key_display="F4"),
        Binding("f5", "publish", "发布场次", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "填写场次号、场次名称、场次类型（正常选房或补选）和预选、正选的开始与结束时间（北京时间，yyyy-mm-dd hh:mm），"
        "Enter 到下一栏，F2 保存：新建的场次为“筹备中”。",
        "时间须按 预选开始 < 预选结束 ≤ 正选开始 < 正选结束 的顺序，且都不能早于现在；筹备中可随时改时间后再按 F2。",
        "在“家庭名单文件”填写 CSV 文件路径（排位,姓名,证件号码,手机号码,家庭人数,可选户型），F3 导入选房家庭及其排位。",
        "在“房源清单文件”填写 CSV 文件路径（房源编号,项目,楼栋,单元,楼层,房号,户型,朝向,面积,月租金），F4 导入房源。",
        "文件中有任何一行错误时，系统逐行列出错误（行号、栏目、原因），不导入任何数据；改好文件后再导入。",
        "家庭和房源齐备后按 F5 发布场次：家庭即可按时预选、正选，场次设置不能再修改。",
    )

    class Loaded(Message):
        def __init__(self, detail: RoundDetail) -> None:
            super().__init__()
            self.detail = detail

    class Done(Message):
        def __init__(self, text: str, round_id: int) -> None:
            super().__init__()
            self.text = text
            self.round_id = round_id

    class ImportFailed(Message):
        def __init__(self, what: str, refused: setup.ImportRefused) -> None:
            super().__init__()
            self.what = what  # "families" / "houses"
            self.refused = refused

    def __init__(self, round_id: int | None = None, *, number: int = 1, now: datetime | None = None) -> None:
        super().__init__()
        self.round_id = round_id
        self.detail: RoundDetail | None = None
        self._number = number
        self._windows: RoundWindows | None = default_windows(now) if now is not None else None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("场次设置", classes="screen-title")
            yield MessageLine(id="setup-message", classes="status-line")
        new = self.round_id is None
        windows = self._windows
        yield FieldRow("number", "场次号", compact_input(self._number if new else "", "如 4", 9), locked=not new)
        yield FieldRow("name", "场次名称", compact_input("", "如 2026年第四批公共租赁住房选房", 60), locked=not new)
        yield FieldRow("kind", "场次类型", compact_input(ROUND_KIND_LABELS[RoundKind.REGULAR], "正常选房 或 补选", 8),
                       locked=not new)
        for i, (key, label) in enumerate(_WINDOW_FIELDS):
            value = _moment(windows[i]) if windows is not None else ""
            yield FieldRow(key, label, compact_input(value, "yyyy-mm-dd hh:mm", 20))
        yield FieldRow("families_file", "家庭名单文件", compact_input("", "CSV 文件路径，F3 导入", 400))
        yield FieldRow("houses_file", "房源清单文件", compact_input("", "CSV 文件路径，F4 导入", 400))
        yield Static("", id="setup-state", markup=False)
        yield Static("", id="setup-errors", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        # Tab into a field puts the cursor after its text (Ctrl+U clears it): typing never
        # types over a selection, which a burst of keys could make before the focus lands.
        for field in self.query(Input):
            field.select_on_focus = False
        first = "#f-name" if self.round_id is None else "#f-pre_open"
        self.query_one(first, Input).focus()
        if self.round_id is not None:
            self._load(self.round_id)
        else:
            self.query_one("#setup-state", Static).update("新场次：填写后按 F2 保存（保存后为“筹备中”）。")

    def step_actions(self) -> list[str]:
        if self.round_id is None:
            return ["save"]
        if self.detail is not None and self.detail.families and self.detail.houses_free:
            return ["publish", "import_families", "import_houses", "save"]
        return ["import_families", "import_houses", "save", "publish"]

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def show_field_refusal(self, error: RuleViolation) -> bool:
        field = {"file": None, "families": "families_file", "houses": "houses_file"}.get(error.field or "", error.field)
        if field and show_field_error(self, field, error.message):
            self.show_refusal(error.message)
            return True
        return False

    def _value(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Input).value

    def _begin(self) -> None:
        clear_field_errors(self)
        self.query_one("#setup-errors", Static).update("")
        self.clear_message()

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="setup-load", exit_on_error=False)
    def _load(self, round_id: int) -> None:
        self.post_message(self.Loaded(rounds.round_detail(self.db, self.actor, round_id)))

    def on_round_setup_screen_loaded(self, message: Loaded) -> None:
        d = self.detail = message.detail
        self.round_id = d.id
        for name, value in (("number", str(d.number)), ("name", d.name), ("kind", d.kind_label)):
            field = self.query_one(f"#f-{name}", Input)
            field.value = value
            field.disabled = True
        for (key, _), value in zip(_WINDOW_FIELDS, (d.pre_open, d.pre_close, d.formal_open, d.formal_close),
                                   strict=True):
            field = self.query_one(f"#f-{key}", Input)
            if not field.value or self._windows is None:
                field.value = _moment(value)
        self._windows = RoundWindows(d.pre_open, d.pre_close, d.formal_open, d.formal_close)
        self.query_one("#setup-state", Static).update(
            f"第{d.number}场　{d.status_label}　选房家庭 {d.families} 户　当前可选房源 {d.houses_free} 套")
        self.refresh_bindings()

    # ------------------------------------------------------------ F2 保存

    def action_save(self) -> None:
        self._begin()
        try:
            moments = {key: parse_window_time(self._value(key), key) for key, _ in _WINDOW_FIELDS}
        except RuleViolation as error:
            if not self.show_field_refusal(error):
                self.show_refusal(error.message)
            return
        if self.round_id is None:
            number_text = "".join(self._value("number").split())
            kind = _KIND_WORDS.get("".join(self._value("kind").split()), self._value("kind").strip())
            self._create(number_text, self._value("name"), kind, moments)
        else:
            self._set_windows(self.round_id, moments)

    @work(thread=True, exclusive=True, group="setup-save", exit_on_error=False)
    def _create(self, number_text: str, name: str, kind: str, moments: dict[str, datetime]) -> None:
        number = int(number_text) if number_text.isascii() and number_text.isdigit() and len(number_text) < 10 else 0
        round_id = rounds.create_round(self.db, self.actor, number=number, name=name, kind=kind, **moments)
        self.post_message(self.Done(f"已新建第{number}场，状态：筹备中。请导入选房家庭名单和房源清单。", round_id))

    @work(thread=True, exclusive=True, group="setup-save", exit_on_error=False)
    def _set_windows(self, round_id: int, moments: dict[str, datetime]) -> None:
        setup.set_windows(self.db, self.actor, round_id, **moments)
        self.post_message(self.Done("选房时间已保存。", round_id))

    def on_round_setup_screen_done(self, message: Done) -> None:
        self.set_message(message.text, "ok")
        self._load(message.round_id)

    # ------------------------------------------------------------ F3 / F4 导入

    def action_import_families(self) -> None:
        self._start_import("families")

    def action_import_houses(self) -> None:
        self._start_import("houses")

    def _start_import(self, what: str) -> None:
        self._begin()
        if self.round_id is None:
            self.show_refusal("请先填写场次信息并按 F2 保存，再导入文件。")
            return
        self.set_message("正在导入……")
        self._import(self.round_id, what, self._value(f"{what}_file"))

    @work(thread=True, exclusive=True, group="setup-import", exit_on_error=False)
    def _import(self, round_id: int, what: str, path: str) -> None:
        try:
            text = setup.read_import_file(path)
        except RuleViolation as error:
            raise RuleViolation(error.code, error.message, field=what) from None
        try:
            if what == "families":
                done = setup.import_families(self.db, self.actor, round_id, text)
                said = f"已导入选房家庭 {done.rows} 户（其中新登记 {done.created} 户）。"
            else:
                done = setup.import_houses(self.db, self.actor, round_id, text)
                said = f"已导入房源 {done.rows} 套。"
        except setup.ImportRefused as refused:
            self.post_message(self.ImportFailed(what, refused))
            return
        self.post_message(self.Done(said, round_id))

    def on_round_setup_screen_import_failed(self, message: ImportFailed) -> None:
        errors = message.refused.errors
        self.show_refusal(f"文件有 {len({e.row for e in errors})} 行错误（共 {len(errors)} 处），未导入任何数据。")
        lines = [e.text() for e in errors[:SHOWN_ROWS]]
        if len(errors) > SHOWN_ROWS:
            lines.append(f"……另有 {len(errors) - SHOWN_ROWS} 处错误（可用 wangqian round import-… 命令列出全部）。")
        # Set as Chinese is set: "（ID_BAD_CHARS）" wrapped by Rich left a line holding only "）".
        self.query_one("#setup-errors", Static).update(Wrapped("\n".join(lines)))
        self.query_one(f"#f-{message.what}_file", Input).focus()  # the file is fixed, or another named

    # ------------------------------------------------------------ F5 发布

    def action_publish(self) -> None:
        self._begin()
        if self.round_id is None:
            self.show_refusal("请先填写场次信息并按 F2 保存。")
            return
        self._publish(self.round_id)

    @work(thread=True, exclusive=True, group="setup-publish", exit_on_error=False)
    def _publish(self, round_id: int) -> None:
        setup.publish_round(self.db, self.actor, round_id)
        self.post_message(self.Done("场次已发布：家庭可按时选房，场次设置已锁定。", round_id))
