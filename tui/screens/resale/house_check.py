"""产权校验·房源核验 at the counter: find the home, say who is at the window, run the checks.

The screen follows the hall's policy profile (``services.resale.house_check.hall_profile``,
env WANGQIAN_CITY): the lookup modes it offers (产权证书编号, Zhongshan with
its 校验码 or 姓名+不动产单元号, Wuhan 个人房产信息查询) and, for Wuhan, the
day of the register query and the district office's purchase-restriction
answer. The clerk

1. looks the home up (Enter in the last lookup field; F3 switches the lookup
   mode) and, when one certificate covers several homes, picks one with ↑↓ Enter;
2. says who is at the window (权利人本人 / 公证委托代理人 / 机构经办人, found
   by the ID number typed) and types the 权利人名称 and 证件号码 as the
   certificate shows them;
3. runs the check (F5, or Enter on 产权校验): every rule that ran is listed
   with its stage, result and reason, and so is every rule that did not run
   and why; the highlighted row's whole reason is shown under the table.

F6 lists the checks recorded for the home; F7 签订合同 hands a passed check to
the contract-entry screen given as ``next_step`` (never offered for a check
that did not pass); F9 打印告知书 writes the 一次性告知书 of a shown check with
failed rules (``services.resale.documents.notice_pdf``, as ``wangqian report
notice --check N`` does) into the hall's reports folder and says where. The
rules and the record are the service's: this screen only gathers input and
shows the result. A refusal that names a field is shown under that field; any
other one on its section's error line (``tui.widgets.form``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    DataTable,
    Header,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Static,
)

from core.errors import RuleViolation
from core.identity import mask_name
from core.resale.policies import (
    LOOKUP_MODE_LABELS,
    RULES,
    LookupMode,
    PolicyProfile,
    profile_for,
)
from core.resale.title_check import (
    CAPACITY_LABELS,
    PURCHASE_RESTRICTION_LABELS,
    Capacity,
    PurchaseRestriction,
)
from core.timeutil import local_today, show
from services.resale import documents, house_check
from services.resale.house_check import CheckView, HomeHit
from tui.screens.base import AppModal, AppScreen
from tui.screens.cases import FilterError, parse_day
from tui.widgets.detail import LABEL_STYLE, MUTED
from tui.widgets.form import FieldError, FieldRow, clear_field_errors, compact_input, show_field_error
from tui.widgets.message import MessageLine
from tui.widgets.tables import ListTable, clip
from tui.widgets.footer import KeyFooter

#: What F7 opens for a passed check: the contract-entry screen of that check.
NextStep = Callable[[CheckView], Screen]

NOT_RUN_LABEL = "未执行"
OUTCOME_STYLES = {
    "passed": "bold #57cc99",
    "failed": "bold #ff6b6b",
    "review": "bold #ffd166",
    "warn": "bold #ffd166",
    "not_run": MUTED,
}
VERDICT_STYLES = {"passed": "bold #000000 on #57cc99", "review": "bold #000000 on #ffd166",
                  "refused": "bold #ffffff on #a4161a"}

# Where a refusal naming a service field is shown: in the lookup section, or
# in the party section (the same service name means a different box there).
LOOKUP_FIELDS = {"certificate_number": "certificate_number", "check_code": "check_code",
                 "owner_name": "owner_name", "unit_number": "unit_number", "owner_id_number": "records_id"}
RUN_FIELDS = {"owner_id_number": "typed_id", "owner_name": "typed_name", "organisation_id": "typed_id",
              "certificate_number": "certificate_number", "typed_id": "typed_id", "typed_name": "typed_name",
              "agent_id": "agent_id", "queried_on": "queried_on"}

LOCATION_CELLS = 38
REASON_CELLS = 40


def wrap_cells(text: str, cells: int, lines: int = 2) -> str:
    """``text`` broken into at most ``lines`` lines of ``cells`` display cells (the last clipped)."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines - 1:
        line = ""
        for ch in rest:
            if cell_len(line + ch) > cells:
                break
            line += ch
        out.append(line)
        rest = rest[len(line):]
    if rest:
        out.append(clip(rest, cells))
    return "\n".join(out)


def _rule_title(code: str) -> str:
    entry = RULES.get(code)
    return entry.title if entry is not None else code


def _order(code: str) -> int:
    return list(RULES).index(code) if code in RULES else len(RULES)


@dataclass(frozen=True)
class RowLine:
    """One row of the results table: a rule that ran, or one that did not."""

    code: str
    stage: str
    title: str
    outcome: str  # passed / failed / review / warn / not_run
    label: str
    reason: str


def result_rows(view: CheckView) -> list[RowLine]:
    """Every rule line of a check, the ones that did not run included, in catalogue order."""
    rows = [RowLine(ln.code, ln.stage, ln.title, ln.outcome, ln.outcome_label, ln.reason) for ln in view.lines]
    rows += [RowLine(n.code, n.stage, _rule_title(n.code), "not_run", NOT_RUN_LABEL, n.reason) for n in view.not_run]
    return sorted(rows, key=lambda r: _order(r.code))


def party_text(party: dict) -> str:
    """办理人 of a recorded check: masked name and capacity."""
    name = mask_name(str(party.get("name") or ""))
    try:
        capacity = CAPACITY_LABELS[Capacity(party.get("capacity"))]
    except ValueError:
        capacity = str(party.get("capacity") or "")
    return f"{name}（{capacity}）" if capacity else name


def verdict_renderable(view: CheckView) -> Table:
    """结论: the home, the verdict with the house code, who and when."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style=LABEL_STYLE, width=6, no_wrap=True)
    grid.add_column(ratio=1, overflow="ellipsis", no_wrap=True)
    grid.add_row("坐落", Text(view.location))
    verdict = Text(f" {view.verdict_label} ", style=VERDICT_STYLES.get(view.verdict, ""))
    if view.house_code:
        verdict.append("　房源编码 ")
        verdict.append(view.house_code, style="bold")
    else:
        failed = len(view.failures)
        if failed:
            verdict.append(f"　{failed}条规则未通过，未生成房源编码")
    grid.add_row("结论", verdict)
    grid.add_row("办理人", Text(f"{party_text(view.party)}　校验时间 {show(view.checked_at, seconds=False)}"
                              f"　第{view.id}号"))
    return grid


def home_row(hit: HomeHit) -> list[str]:
    owners = "、".join(mask_name(n) for n in hit.owners)
    return [wrap_cells(hit.location, LOCATION_CELLS), hit.design_use, owners, hit.status]


@dataclass(frozen=True)
class LookupKeys:
    """How the home was found: the mode and the keys as typed then."""

    mode: LookupMode
    certificate_number: str = ""
    check_code: str = ""
    owner_name: str = ""
    unit_number: str = ""
    owner_id_number: str = ""

    def find_kwargs(self) -> dict[str, str]:
        if self.mode is LookupMode.CERTIFICATE:
            return {"certificate_number": self.certificate_number, "check_code": self.check_code}
        if self.mode is LookupMode.NAME_AND_UNIT:
            return {"owner_name": self.owner_name, "unit_number": self.unit_number}
        return {"owner_id_number": self.owner_id_number}


@dataclass(frozen=True)
class RunRequest:
    home_id: int
    keys: LookupKeys
    capacity: Capacity
    agent_number: str
    typed_name: str
    typed_id: str
    verified: bool
    queried_on: date | None
    restriction: PurchaseRestriction


def _refuse(message: str, field: str) -> RuleViolation:
    """A box the screen cannot read (a malformed date), refused under that box like a service refusal."""
    return RuleViolation("HOUSE_CHECK_SCREEN_INPUT", message, field=field)


class HouseCheckScreen(AppScreen):
    """产权校验·房源核验 of one home for the person at the window."""

    CSS_PATH = "resale.tcss"

    BINDINGS = [
        Binding("f3", "next_mode", "查询方式", key_display="F3"),
        Binding("f4", "edit", "返回填写", key_display="F4"),
        Binding("f5", "run", "产权校验", key_display="F5"),
        Binding("f6", "history", "校验记录", key_display="F6"),
        Binding("f7", "sign", "签订合同", key_display="F7"),
        Binding("f9", "print_notice", "打印告知书", key_display="F9"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
    ]

    HELP_STEPS = (
        "输入产权证书编号或不动产单元号查询房源，选择房源，填写办理人及身份。",
        "F5 产权校验：逐项列出校验结果。",
        "通过后 F7 录入合同；不予通过时 F9 打印一次性告知书，F4 返回修改。",
        "F6 查看校验记录。",
    )

    class HomesFound(Message):
        def __init__(self, keys: LookupKeys, hits: list[HomeHit]) -> None:
            super().__init__()
            self.keys = keys
            self.hits = hits

    class CheckDone(Message):
        def __init__(self, view: CheckView) -> None:
            super().__init__()
            self.view = view

    class HistoryLoaded(Message):
        def __init__(self, home_id: int, views: list[CheckView]) -> None:
            super().__init__()
            self.home_id = home_id
            self.views = views

    def __init__(self, city: str, next_step: NextStep | None = None) -> None:
        """``city``: the hall's (``Settings.city``); its policy profile lays the screen out."""
        super().__init__()
        self.next_step = next_step
        self.profile: PolicyProfile = profile_for(city)
        self.mode: LookupMode = self.modes[0] if self.modes else LookupMode.CERTIFICATE
        self.hits: dict[str, HomeHit] = {}
        self.keys: LookupKeys | None = None  # the lookup that found ``self.hits``
        self.home: HomeHit | None = None
        self.result: CheckView | None = None  # the check run on this screen
        self.view: CheckView | None = None  # the check shown (the result, or one from the history)
        self.rows: dict[str, RowLine] = {}
        self._phase = "lookup"  # which section a fieldless refusal belongs to

    # ------------------------------------------------------------ layout

    @property
    def modes(self) -> tuple[LookupMode, ...]:
        return self.profile.lookup_modes

    @property
    def is_wuhan_style(self) -> bool:
        """The profile asks for the day of the register query and the restriction answer."""
        return self.profile.selects("HOUSE_PURCHASE_RESTRICTION_KNOWN")

    @property
    def title_text(self) -> str:
        return f"产权校验·房源核验（{self.profile.city.removesuffix('市')}）"

    def _lookup_widgets(self) -> list[Widget]:
        profile = self.profile
        widgets: list[Widget] = []
        if len(self.modes) > 1:
            buttons = [RadioButton(LOOKUP_MODE_LABELS[m], value=(m is self.mode), id=f"mode-{m.value}")
                       for m in self.modes]
            widgets.append(FieldRow("mode", "查询方式", RadioSet(*buttons, compact=True)))
        modes = set(self.modes)
        if LookupMode.OWNER_RECORDS in modes:
            widgets.append(FieldRow("records_id", "权利人证件号码",
                                    compact_input(placeholder="个人房产信息查询：卖方的证件号码", max_length=40)))
        if LookupMode.CERTIFICATE in modes:
            widgets.append(FieldRow("certificate_number", "产权证书编号",
                                    compact_input(placeholder="如：粤(2020)深圳市不动产权第0128885号", max_length=60)))
            if profile is not None and profile.selects("LOOKUP_CHECK_CODE_REQUIRED"):
                widgets.append(FieldRow("check_code", "校验码",
                                        compact_input(placeholder="产权证书上的校验码", max_length=12)))
        if LookupMode.NAME_AND_UNIT in modes:
            widgets += [
                FieldRow("owner_name", "权利人姓名", compact_input(placeholder="与产权证书登记完全一致", max_length=40)),
                FieldRow("unit_number", "不动产单元号", compact_input(placeholder="28位不动产单元号", max_length=40)),
            ]
        return widgets

    def _party_widgets(self) -> list[Widget]:
        capacity = RadioSet(*[RadioButton(label, value=(c is Capacity.OWNER), id=f"cap-{c.value}")
                              for c, label in CAPACITY_LABELS.items()], compact=True)
        widgets: list[Widget] = [
            FieldRow("capacity", "办理人身份", capacity),
            FieldRow("agent_id", "办理人证件号码",
                     compact_input(placeholder="代理人/经办人的证件号码；本人办理可不填", max_length=40)),
            FieldRow("typed_name", "权利人名称", compact_input(placeholder="按产权证书登记填写", max_length=60)),
            FieldRow("typed_id", "权利人证件号码",
                     compact_input(placeholder="按产权证书登记填写；机构填统一社会信用代码", max_length=40)),
            Checkbox("已在窗口核验办理人身份证件原件", id="f-verified", compact=True),
        ]
        if self.is_wuhan_style:
            restriction = RadioSet(*[RadioButton(label, value=(r is PurchaseRestriction.UNKNOWN), id=f"pr-{r.value}")
                                     for r, label in PURCHASE_RESTRICTION_LABELS.items()], compact=True)
            widgets += [
                FieldRow("queried_on", "房产信息查询日期",
                         compact_input(placeholder="yyyy-mm-dd，本日个人房产信息查询的日期", max_length=10)),
                FieldRow("restriction", "限购范围", restriction),
            ]
        return widgets

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="hc-top"):
            yield Label(self.title_text, classes="screen-title")
        yield MessageLine(id="hc-message")
        with ContentSwitcher(initial="hc-form", id="hc-pages"):
            with VerticalScroll(id="hc-form"):
                with Vertical(id="lookup-box", classes="hc-section"):
                    yield from self._lookup_widgets()
                    yield FieldError(id="e-lookup")
                    yield ListTable([("坐落", LOCATION_CELLS), ("用途", 6), ("权利人", 12), ("状态", 14)],
                                    id="homes", classes="-hidden")
                    yield Static("", id="picked", markup=False)
                with Vertical(id="party-box", classes="hc-section"):
                    yield from self._party_widgets()
                    yield FieldError(id="e-party")
                    with Horizontal(id="run-row"):
                        yield Button("产权校验", id="run-button", variant="primary", compact=True)
                        yield Static("F5 产权校验　F6 校验记录", classes="hint", markup=False)
            with Vertical(id="hc-result"):
                yield Static("", id="verdict")
                yield ListTable([("环节", 8), ("规则", 20), ("结果", 6), ("原因", REASON_CELLS)], id="rules")
                yield Static("", id="rule-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#lookup-box").border_title = "查询房源"
        self.query_one("#party-box").border_title = "办理人"
        self._show_mode_fields()
        self.set_message(f"请输入{'或'.join(LOOKUP_MODE_LABELS[m] for m in self.modes)}，Enter 查询房源。")
        self._first_lookup_input().focus()

    # ------------------------------------------------------------ messages and refusals

    def show_refusal(self, message: str) -> None:
        """On the form, a refusal no field shows goes under the section being worked
        (查询房源 or 办理人); on the results, to the message line."""
        if self.on_form:
            self.query_one("#e-lookup" if self._phase == "lookup" else "#e-party", FieldError).show(message)
            self.set_message("未能办理，请按红字提示更正。", tone="error")
        else:
            super().show_refusal(message)

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """Show a refusal under the box it names; False when this form has no such box."""
        names = LOOKUP_FIELDS if self._phase == "lookup" else RUN_FIELDS
        name = names.get(error.field or "")
        if not name or not show_field_error(self, name, error.message):
            return False
        self.query_one("#hc-pages", ContentSwitcher).current = "hc-form"
        self.set_message("未能办理，请按红字提示更正。", tone="error")
        return True

    @property
    def on_form(self) -> bool:
        """The form is shown (not the results)."""
        pages = next(iter(self.query("#hc-pages").results(ContentSwitcher)), None)
        return pages is None or pages.current != "hc-result"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        on_form = self.on_form
        if action == "next_mode":
            return len(self.modes) > 1 and on_form
        if action == "edit":
            return not on_form
        if action == "run":
            return self.home is not None and on_form
        if action == "history":
            return self.home is not None
        shown = self.view
        if action == "sign":
            if self.next_step is None or (shown is not None and not shown.passed):
                return False  # nothing to sign on a check that did not pass
            latest = shown is not None and self.result is not None and shown.id == self.result.id
            return True if (latest and shown.passed and not on_form) else None
        if action == "print_notice":  # the notice tells the rules that failed
            return shown is not None and bool(shown.failures) and not on_form
        return True

    # ------------------------------------------------------------ lookup

    def _value(self, name: str) -> str:
        found = next(iter(self.query(f"#f-{name}").results(Input)), None)
        return found.value if found is not None else ""

    def _mode_boxes(self, mode: LookupMode) -> list[str]:
        boxes = {
            LookupMode.CERTIFICATE: ["certificate_number", "check_code"],
            LookupMode.NAME_AND_UNIT: ["owner_name", "unit_number"],
            LookupMode.OWNER_RECORDS: ["records_id"],
        }[mode]
        return [b for b in boxes if self.query(f"#f-{b}")]

    def _first_lookup_input(self) -> Input:
        return self.query_one(f"#f-{self._mode_boxes(self.mode)[0]}", Input)

    def _show_mode_fields(self) -> None:
        for mode in self.modes:
            for box in self._mode_boxes(mode):
                self.query_one(f"#w-{box}").set_class(mode is not self.mode, "-hidden")

    @on(RadioSet.Changed, "#f-mode")
    def _mode_changed(self, event: RadioSet.Changed) -> None:
        chosen = (event.pressed.id or "").removeprefix("mode-")
        mode = LookupMode(chosen)
        if mode is not self.mode:
            self.mode = mode
            clear_field_errors(self)
            self._show_mode_fields()
            self.refresh_bindings()

    def action_next_mode(self) -> None:
        if len(self.modes) < 2:
            return
        mode = self.modes[(self.modes.index(self.mode) + 1) % len(self.modes)]
        self.query_one(f"#mode-{mode.value}", RadioButton).value = True  # posts RadioSet.Changed
        self.mode = mode
        clear_field_errors(self)
        self._show_mode_fields()
        self._first_lookup_input().focus()

    @on(Input.Submitted, "#lookup-box Input")
    def _lookup_entered(self, event: Input.Submitted) -> None:
        boxes = self._mode_boxes(self.mode)
        if event.input.id != f"f-{boxes[-1]}":
            self.query_one(f"#f-{boxes[boxes.index((event.input.id or '').removeprefix('f-')) + 1]}").focus()
            return
        self.start_lookup()

    def start_lookup(self) -> None:
        clear_field_errors(self)
        self._phase = "lookup"
        keys = LookupKeys(
            self.mode, certificate_number=self._value("certificate_number"), check_code=self._value("check_code"),
            owner_name=self._value("owner_name"), unit_number=self._value("unit_number"),
            owner_id_number=self._value("records_id"),
        )
        self.set_message("正在查询房源……")
        self._find(keys)

    @work(thread=True, exclusive=True, group="hc-find", exit_on_error=False)
    def _find(self, keys: LookupKeys) -> None:
        hits = house_check.find_home(self.db, self.actor, city=self.profile.code, **keys.find_kwargs())
        self.post_message(self.HomesFound(keys, hits))

    def on_house_check_screen_homes_found(self, message: HomesFound) -> None:
        self.keys = message.keys
        self.hits = {str(h.id): h for h in message.hits}
        self._pick(None)
        if self.is_wuhan_style and message.keys.mode is LookupMode.OWNER_RECORDS:
            # The lookup just made is the day's 个人房产信息查询.
            queried = self.query_one("#f-queried_on", Input)
            queried.value = local_today(self.db.now()).isoformat()
        table = self.query_one("#homes", ListTable)
        table.set_rows([(key, home_row(h)) for key, h in self.hits.items()])
        table.remove_class("-hidden")
        if len(message.hits) == 1:
            self._pick(message.hits[0])
            return
        self.set_message(f"找到 {len(message.hits)} 套房屋，请用 ↑↓ 选择后按 Enter。")
        table.move_cursor(row=0)
        table.focus()

    @on(DataTable.RowSelected, "#homes")
    def _home_selected(self, event: DataTable.RowSelected) -> None:
        hit = self.hits.get(event.row_key.value or "")
        if hit is not None:
            self._pick(hit)

    def _pick(self, hit: HomeHit | None) -> None:
        self.home = hit
        self.result = self.view = None
        picked = self.query_one("#picked", Static)
        picked.set_class(hit is not None, "-shown")
        if hit is None:
            picked.update("")
        else:
            picked.update(f"已选：{hit.location}（{hit.design_use}，{hit.status}）")
            self.set_message("请选择办理人身份，按产权证书填写权利人名称和证件号码，F5 产权校验。")
            self.query_one("#f-capacity", RadioSet).focus()
        self.refresh_bindings()

    # ------------------------------------------------------------ running the check

    def _capacity(self) -> Capacity:
        pressed = self.query_one("#f-capacity", RadioSet).pressed_button
        return Capacity((pressed.id or "cap-owner").removeprefix("cap-")) if pressed else Capacity.OWNER

    def _restriction(self) -> PurchaseRestriction:
        found = next(iter(self.query("#f-restriction").results(RadioSet)), None)
        pressed = found.pressed_button if found is not None else None
        if pressed is None:
            return PurchaseRestriction.UNKNOWN
        return PurchaseRestriction((pressed.id or "").removeprefix("pr-"))

    def _request(self) -> RunRequest:
        """The run as typed; the service decides what is missing and who is meant."""
        assert self.home is not None and self.keys is not None
        queried_on = None
        if self.is_wuhan_style:
            try:
                queried_on = parse_day(self._value("queried_on"), "个人房产信息查询日期")
            except FilterError as error:
                raise _refuse(str(error), "queried_on") from None
        return RunRequest(
            home_id=self.home.id, keys=self.keys, capacity=self._capacity(), agent_number=self._value("agent_id"),
            typed_name=self._value("typed_name"), typed_id=self._value("typed_id"),
            verified=self.query_one("#f-verified", Checkbox).value, queried_on=queried_on,
            restriction=self._restriction(),
        )

    @on(Button.Pressed, "#run-button")
    def action_run(self) -> None:
        if not self.check_action("run", ()):
            if self.home is None:
                self._phase = "lookup"
                self.show_refusal("请先查询并选择房屋。")
            return
        clear_field_errors(self)
        self._phase = "run"
        try:
            request = self._request()
        except RuleViolation as error:
            self.show_field_refusal(error)
            return
        self.set_message("正在校验……")
        self._run(request)

    @on(Input.Submitted, "#party-box Input")
    def _party_entered(self) -> None:
        self.focus_next()

    @work(thread=True, exclusive=True, group="hc-run", exit_on_error=False)
    def _run(self, req: RunRequest) -> None:
        keys = req.keys
        view = house_check.check_at_window(
            self.db, self.actor, city=self.profile.code, home_id=req.home_id, capacity=req.capacity,
            agent_number=req.agent_number, typed_name=req.typed_name, typed_id=req.typed_id,
            identity_verified=req.verified, lookup_mode=keys.mode,
            certificate_number=keys.certificate_number or None, check_code=keys.check_code or None,
            unit_number=keys.unit_number or None, register_queried_on=req.queried_on,
            purchase_restriction=req.restriction,
        )
        self.post_message(self.CheckDone(view))

    def on_house_check_screen_check_done(self, message: CheckDone) -> None:
        self.result = message.view
        self.show_view(message.view)
        view = message.view
        if view.passed:
            self.set_message(f"校验通过，房源编码 {view.house_code}。"
                             + ("F7 签订合同。" if self.next_step is not None else ""), tone="ok")
        else:
            notice = "；F9 打印一次性告知书" if view.failures else ""
            self.set_message(f"{view.verdict_label}：本次校验已记录，请按表中原因告知办理人{notice}。", tone="error")

    def show_view(self, view: CheckView) -> None:
        """Show a check on the results page: verdict, every rule line, the highlighted line's reason."""
        self.view = view
        self.query_one("#verdict", Static).update(verdict_renderable(view))
        rows = result_rows(view)
        self.rows = {f"r{i}": row for i, row in enumerate(rows)}
        table = self.query_one("#rules", ListTable)
        table.set_rows([(key, [r.stage, r.title, r.label, r.reason]) for key, r in self.rows.items()])
        for key, row in self.rows.items():
            table.update_cell(key, "c2", Text(row.label, style=OUTCOME_STYLES.get(row.outcome, "")))
        self.query_one("#hc-pages", ContentSwitcher).current = "hc-result"
        first = next((i for i, r in enumerate(rows) if r.outcome == "failed"), 0)
        table.move_cursor(row=first)
        table.focus()
        self._show_detail(rows[first] if rows else None)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#rules")
    def _rule_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(self.rows.get(event.row_key.value or ""))

    def _show_detail(self, row: RowLine | None) -> None:
        detail = self.query_one("#rule-detail", Static)
        if row is None:
            detail.update("")
            return
        detail.update(f"{row.stage}·{row.title}（{row.label}）：{row.reason}")

    def action_edit(self) -> None:
        self.query_one("#hc-pages", ContentSwitcher).current = "hc-form"
        self.refresh_bindings()
        self.query_one("#run-button", Button).focus()

    # ------------------------------------------------------------ history and the next step

    def action_history(self) -> None:
        if self.home is None:
            return
        self._history(self.home.id)

    @work(thread=True, exclusive=True, group="hc-history", exit_on_error=False)
    def _history(self, home_id: int) -> None:
        views = house_check.check_history(self.db, self.actor, home_id)
        self.post_message(self.HistoryLoaded(home_id, views))

    def on_house_check_screen_history_loaded(self, message: HistoryLoaded) -> None:
        if self.home is None or self.home.id != message.home_id:
            return
        if not message.views:
            self.set_message("该房屋还没有产权校验记录。")
            return
        self.app.push_screen(CheckHistoryDialog(self.home.location, message.views), callback=self._history_chosen)

    def _history_chosen(self, view: CheckView | None) -> None:
        if view is None:
            return
        self.show_view(view)
        tag = "" if self.result is not None and view.id == self.result.id else "（历史记录）"
        self.set_message(f"第{view.id}号校验{tag}：{view.verdict_label}，{show(view.checked_at, seconds=False)}。")

    def action_print_notice(self) -> None:
        view = self.view
        if view is None or not self.check_action("print_notice", ()):
            return
        self.set_message("正在生成一次性告知书……")
        self._print_notice(view.id)

    @work(thread=True, exclusive=True, group="hc-notice", exit_on_error=False)
    def _print_notice(self, check_id: int) -> None:
        pdf = documents.notice_pdf(self.db, self.actor, check_id=check_id)
        printed = self.print_document(f"房源核验第{check_id}号-一次性告知书.pdf", pdf, "一次性告知书")
        self.app.call_from_thread(self.set_message, printed.message, printed.tone)

    def action_sign(self) -> None:
        view = self.view
        if self.next_step is None or view is None or not self.check_action("sign", ()):
            return
        self.app.push_screen(self.next_step(view))


# ---------------------------------------------------------------- 校验记录


class CheckHistoryDialog(AppModal[CheckView | None]):
    """校验记录 of one home, newest first; Enter shows the chosen check."""

    CSS_PATH = "resale.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc")]

    def __init__(self, location: str, views: list[CheckView]) -> None:
        super().__init__()
        self.location = location
        self.views = {str(v.id): v for v in views}

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box", classes="dialog"):
            yield Label("校验记录", classes="form-title")
            yield Static(clip(self.location, 72), classes="hint", markup=False)
            yield ListTable([("编号", 6), ("校验时间", 16), ("结论", 8), ("房源编码", 17), ("办理人", None)],
                            id="history")
            yield Static("↑↓ 选择，Enter 查看逐条结果；Esc 关闭", classes="hint", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#history", ListTable)
        table.set_rows([
            (key, [str(v.id), show(v.checked_at, seconds=False), v.verdict_label, v.house_code or "—",
                   clip(party_text(v.party), 18)])
            for key, v in self.views.items()
        ])
        table.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected, "#history")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.views.get(event.row_key.value or ""))


__all__ = ["CheckHistoryDialog", "HouseCheckScreen", "NextStep", "result_rows", "wrap_cells"]
