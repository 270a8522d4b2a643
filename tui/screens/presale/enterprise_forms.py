"""开发企业 maintenance forms (seed 004 §3.1): the authority registers an enterprise and edits
it, the enterprise's administrator completes it; projects, their certificates (四证) and the
enterprise's banks are added in small dialogs.

Each form only gathers text as typed and hands it to its use case
(``services.presale.developers`` / ``projects``) in a thread worker; every value is checked
there, and each refusal is shown under the field it names (a ``PartyInvalid`` names one per
bad value), the first also on the form's message line. Enter / Tab go to the next field,
Shift+Tab back, F9 saves, Esc leaves without saving. A field is filled by typing only: the
inputs do no work per key, so a form typed in one go lands each key in its field.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Label, Static

from core.errors import RuleViolation
from core.parties import PartyInvalid
from core.presale.developers import BANK_PURPOSE_LABELS, ENTERPRISE_KINDS, BankEntry, DeveloperEntry
from core.presale.projects import CERTIFICATE_LABELS, CertificateEntry, ProjectEntry
from core.roles import Permission
from services.presale import developers, projects
from services.presale.common import BankView, CertificateView, DeveloperView, ProjectView
from tui.screens.base import AppModal, AppScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FieldRow, clear_field_errors, compact_input, show_field_error
from tui.widgets.message import MessageLine

__all__ = [
    "BankDialog",
    "CertificateDialog",
    "DeveloperFormScreen",
    "Field",
    "FormDialog",
    "ProjectDialog",
    "show_refusals",
]

#: A form's field: its name (the use case's), label, placeholder and longest text.
Field = tuple[str, str, str, int]


def _numbered(labels: Sequence[str], cut: Sequence[str] = ()) -> str:
    """"1有限责任 2股份 …": the choices a field takes by number (as the rules accept them)."""
    def short(label: str) -> str:
        for suffix in cut:
            label = label.removesuffix(suffix)
        return label
    return " ".join(f"{i}{short(label)}" for i, label in enumerate(labels, 1))


DEVELOPER_FIELDS: tuple[Field, ...] = (
    ("credit_code", "统一社会信用代码", "18位，以91开头", 18),
    ("name", "企业名称", "按营业执照填写", 120),
    ("kind", "企业类型", _numbered(ENTERPRISE_KINDS, ("有限公司", "投资企业", "企业", "公司")), 20),
    ("legal_rep_name", "法定代表人", "姓名", 40),
    ("legal_rep_id_number", "法定代表人证件号", "身份证、护照等证件号码", 40),
    ("legal_rep_phone", "法定代表人手机", "11位手机号码", 20),
    ("region", "所属地区", "如 张家界市", 40),
    ("status", "企业状态", "正常、停业、吊销或注销（不填为正常）", 4),
    ("valid", "是否有效", "是 / 否（不填为是）", 4),
    ("established_on", "成立日期", "如 2015-06-01", 20),
    ("licence_number", "工商注册号", "13、15或18位", 30),
    ("registered_capital", "注册资本（万元）", "如 5000", 20),
    ("paid_in_capital", "实缴资本（万元）", "不超过注册资本", 20),
    ("taxpayer_number", "纳税人识别号", "15、17、18或20位", 30),
    ("address", "注册地址", "", 200),
    ("business_scope", "经营范围", "", 500),
    ("note", "备注", "", 200),
)
#: What the legal representative's numbers look like when the form edits an enterprise: never
#: shown in the clear, so typed only to change them.
_SECRET_FIELDS = ("legal_rep_id_number", "legal_rep_phone")
#: What only the authority changes (``services.presale.developers``).
_AUTHORITY_FIELDS = ("status", "valid")

PROJECT_FIELDS: tuple[Field, ...] = (
    ("name", "项目名称", "", 100),
    ("location", "项目坐落", "", 200),
    ("district", "所在区县", "如 永定区", 40),
    ("land_area", "用地面积㎡", "可不填", 20),
    ("floor_area", "总建筑面积㎡", "规划总建筑面积，可不填", 20),
    ("property_company", "物业公司", "可不填", 120),
    ("note", "备注", "", 200),
)

CERTIFICATE_FIELDS: tuple[Field, ...] = (
    ("kind", "证件类型", _numbered(list(CERTIFICATE_LABELS.values()), ("许可证", "使用证")), 20),
    ("number", "证件编号", "", 60),
    ("issued_on", "发证日期", "如 2021-03-15", 20),
    ("issuer", "发证机关", "可不填", 60),
    ("land_use", "土地用途", "仅国有土地使用证填写", 40),
    ("land_area", "土地面积㎡", "仅国有土地使用证填写", 20),
    ("land_term_end", "使用期限至", "仅国有土地使用证填写", 20),
    ("note", "备注", "", 200),
)

BANK_FIELDS: tuple[Field, ...] = (
    ("purpose", "银行类别", _numbered(list(BANK_PURPOSE_LABELS.values())), 10),
    ("bank_name", "银行名称", "如 中国建设银行", 60),
    ("branch", "开户行（网点）", "监管银行账户必填", 80),
    ("account_name", "账户名称", "仅监管银行账户填写", 120),
    ("account_number", "监管账号", "仅监管银行账户填写", 40),
)


def show_refusals(root: Any, error: RuleViolation, aliases: dict[str, str] | None = None) -> bool:
    """Every refusal of ``error`` under its field (the first bad field gets the cursor), the
    first also on ``root``'s message line; False when none names a field of ``root``.
    ``aliases``: the form's name of a field the shared rules name otherwise (``phone``)."""
    errors = error.errors if isinstance(error, PartyInvalid) else (error,)
    shown = False
    for e in reversed(errors):
        field = (aliases or {}).get(e.field or "", e.field)
        if field and show_field_error(root, field, e.message):
            shown = True
    if shown or len(errors) > 1:
        root.show_refusal(errors[0].message if len(errors) == 1 else f"有{len(errors)}项需要改正：{errors[0].message}")
        return True
    return False


#: ↓ / ↑ move between a form's fields as Tab / Shift+Tab do (an input has no use for them).
_MOVES = [Binding("down", "app.focus_next", "下一项", show=False),
          Binding("up", "app.focus_previous", "上一项", show=False)]


class FormSaved(Message):
    """A form's use case answered: what it made (a view)."""

    def __init__(self, result: object) -> None:
        super().__init__()
        self.result = result


class _FormMixin:
    """One form's behaviour, for a screen and for a dialog: rows of ``FieldRow``, Enter to the
    next field (on the last: save), F9 to save in a worker, refusals under their fields."""

    FIELDS: ClassVar[tuple[Field, ...]] = ()
    #: The form's name of a field the shared rules (identity, phone) name otherwise.
    ALIASES: ClassVar[dict[str, str]] = {}

    def initial(self) -> dict[str, str]:
        """The values the form opens with (an edit: what is registered)."""
        return {}

    def locked(self) -> set[str]:
        """Fields shown but not typed into."""
        return set()

    def form_rows(self) -> Iterator[FieldRow]:
        values, locked = self.initial(), self.locked()
        for name, label, placeholder, size in self.FIELDS:
            yield FieldRow(name, label, compact_input(values.get(name, ""), placeholder, size), locked=name in locked)

    def values(self) -> dict[str, str]:
        """The fields as typed (the use case checks them)."""
        return {name: self.query_one(f"#f-{name}", Input).value for name, *_ in self.FIELDS}  # type: ignore[attr-defined]

    def focus_first(self) -> None:
        for name, *_ in self.FIELDS:
            field = self.query_one(f"#f-{name}", Input)  # type: ignore[attr-defined]
            if not field.disabled:
                self.set_focus(field)  # type: ignore[attr-defined]
                return

    def on_mount(self) -> None:
        # The cursor goes after a field's text when it is entered: a burst of keys adds to it
        # instead of typing over a selection made as the focus lands.
        for field in self.query(Input):  # type: ignore[attr-defined]
            field.select_on_focus = False
            field.cursor_position = len(field.value)
        self.focus_first()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        last = [name for name, *_ in self.FIELDS if not self.query_one(f"#f-{name}", Input).disabled][-1]  # type: ignore[attr-defined]
        if event.input.id == f"f-{last}":
            self.action_save()
        else:
            self.focus_next()  # type: ignore[attr-defined]

    def action_save(self) -> None:
        clear_field_errors(self)  # type: ignore[arg-type]
        self.set_message("正在保存……")  # type: ignore[attr-defined]
        self._save(self.values())

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _save(self, values: dict[str, str]) -> None:
        result = self.submit(values)
        self.post_message(FormSaved(result))  # type: ignore[attr-defined]

    def submit(self, values: dict[str, str]) -> object:
        """Call the use case with ``values`` (in the worker); return what it made."""
        raise NotImplementedError

    def show_field_refusal(self, error: RuleViolation) -> bool:
        return show_refusals(self, error, self.ALIASES)


class FormDialog(_FormMixin, AppModal[Any]):
    """A small form over a screen; dismissed with what its use case made (None: Esc)."""

    CSS_PATH = "presale.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消", key_display="Esc"),
                Binding("f9", "save", "保存", key_display="F9"), *_MOVES]
    TITLE_TEXT: ClassVar[str] = ""
    HINT: ClassVar[str] = "Tab / Enter / ↓ 下一项，F9 保存；Esc 取消"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog enterprise-dialog"):
            yield Label(self.title_text(), classes="form-title", markup=False)
            with VerticalScroll(classes="enterprise-form"):
                yield from self.form_rows()
            yield MessageLine(classes="error-line")
            yield Static(self.HINT, classes="hint", markup=False)

    def title_text(self) -> str:
        return self.TITLE_TEXT

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_form_saved(self, message: FormSaved) -> None:
        self.dismiss(message.result)


# ---------------------------------------------------------------- the enterprise


def developer_values(v: DeveloperView) -> dict[str, str]:
    """An enterprise's facts as the form shows them (the legal representative's numbers not)."""
    def text(value: object) -> str:
        return "" if value is None else str(value)
    return {
        "credit_code": v.credit_code, "name": v.name, "kind": v.kind, "legal_rep_name": v.legal_rep_name,
        "region": v.region, "status": v.status_label, "valid": "是" if v.valid else "否",
        "established_on": text(v.established_on), "licence_number": text(v.licence_number),
        "registered_capital": v.capital_wan(v.registered_capital), "paid_in_capital": v.capital_wan(v.paid_in_capital),
        "taxpayer_number": text(v.taxpayer_number), "address": text(v.address),
        "business_scope": text(v.business_scope), "note": text(v.note),
    }


class DeveloperFormScreen(_FormMixin, AppScreen):
    """登记开发企业 (the authority) or 编辑企业信息 (an enterprise given): the enterprise's form.

    Editing, the credit code stays as registered; the legal representative's ID and phone are
    shown masked and typed only to change them; status and validity are the authority's."""

    CSS_PATH = "presale.tcss"
    FIELDS = DEVELOPER_FIELDS
    ALIASES = {"id_number": "legal_rep_id_number", "phone": "legal_rep_phone", "id_kind": "legal_rep_id_number"}
    BINDINGS = [
        Binding("f9", "save", "保存", key_display="F9"),
        Binding("escape", "app.pop_screen", "返回", key_display="Esc"),
        *_MOVES,
    ]
    HELP_STEPS = (
        "按营业执照逐项录入，Tab / Enter / ↓ 到下一项，Shift+Tab / ↑ 回上一项；F9 保存，Esc 返回不保存。",
        "统一社会信用代码按国家标准校验；企业类型填编号或名称；注册资本、实缴资本以万元为单位。",
        "编辑时统一社会信用代码不能变更；法定代表人的证件号码和手机号码已遮蔽，只在变更时重新填写。",
        "企业状态和是否有效只由主管部门变更。每一项都按规则核对，有误的在该项下方说明原因，全部无误才保存。",
    )

    def __init__(self, developer: DeveloperView | None = None) -> None:
        super().__init__()
        self.developer = developer

    def initial(self) -> dict[str, str]:
        return developer_values(self.developer) if self.developer else {}

    def locked(self) -> set[str]:
        if self.developer is None:
            return set()
        if not self.actor.can(Permission.DEVELOPER_REGISTER):
            return {"credit_code", *_AUTHORITY_FIELDS}
        return {"credit_code"}

    def compose(self) -> ComposeResult:
        yield Header()
        title = "编辑企业信息" if self.developer else "登记开发企业"
        with Horizontal(classes="status-row"):
            yield Static(title, classes="screen-title", markup=False)
            yield MessageLine("逐项录入，F9 保存。", id="developer-message", classes="status-line")
        with VerticalScroll(id="developer-form"):
            yield from self.form_rows()
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.developer is not None:
            v = self.developer
            self.query_one("#f-legal_rep_id_number", Input).placeholder = \
                f"{v.legal_rep_document} {v.legal_rep_masked_id}（不变更的不填）"
            self.query_one("#f-legal_rep_phone", Input).placeholder = f"{v.legal_rep_masked_phone}（不变更的不填）"

    def submit(self, values: dict[str, str]) -> object:
        if self.developer is None:
            given = {k: v for k, v in values.items() if not (k in _AUTHORITY_FIELDS and not v.strip())}
            return developers.register_developer(self.db, self.actor, DeveloperEntry(**given))
        before = self.initial()
        changes: dict[str, object] = {}
        for name, value in values.items():
            if name == "credit_code" or name in self.locked():
                continue
            if name in _SECRET_FIELDS:
                if value.strip():
                    changes[name] = value
                    if name == "legal_rep_id_number":
                        changes["legal_rep_id_kind"] = ""  # a new number: its kind read from its shape
            elif value != before.get(name, ""):
                changes[name] = value
        return developers.change_developer(self.db, self.actor, self.developer.credit_code, **changes)

    def on_form_saved(self, message: FormSaved) -> None:
        view = message.result
        assert isinstance(view, DeveloperView)
        self.app.notify(f"已{'保存' if self.developer else '登记'}：{view.name}（{view.credit_code}）", title="开发企业")
        self.dismiss(view)  # type: ignore[arg-type]


# ---------------------------------------------------------------- projects, certificates, banks


def _text(value: object) -> str:
    return "" if value is None else str(value)


class ProjectDialog(FormDialog):
    """新增项目 (an enterprise's code) or 编辑项目 (a project given): the project's facts."""

    FIELDS = PROJECT_FIELDS

    def __init__(self, credit_code: str | None, project: ProjectView | None = None) -> None:
        super().__init__()
        self.credit_code = credit_code
        self.project = project

    def title_text(self) -> str:
        return f"编辑项目　{self.project.name}" if self.project else "新增项目"

    def initial(self) -> dict[str, str]:
        p = self.project
        if p is None:
            return {}
        return {"name": p.name, "location": p.location, "district": p.district, "land_area": _text(p.land_area),
                "floor_area": _text(p.floor_area), "property_company": _text(p.property_company),
                "note": _text(p.note)}

    def submit(self, values: dict[str, str]) -> object:
        if self.project is None:
            return projects.add_project(self.db, self.actor, ProjectEntry(**values), credit_code=self.credit_code)
        before = self.initial()
        changes = {k: v for k, v in values.items() if v != before.get(k, "")}
        return projects.change_project(self.db, self.actor, self.project.id, **changes)


class CertificateDialog(FormDialog):
    """新增项目证件: one of the 四证 of a project (the land certificate also the land's facts)."""

    FIELDS = CERTIFICATE_FIELDS

    def __init__(self, project: ProjectView) -> None:
        super().__init__()
        self.project = project

    def title_text(self) -> str:
        return f"新增项目证件　{self.project.name}"

    def submit(self, values: dict[str, str]) -> CertificateView:
        return projects.add_certificate(self.db, self.actor, self.project.id, CertificateEntry(**values))


class BankDialog(FormDialog):
    """添加银行: an enterprise's 按揭银行, 监管银行账户 or 贷款银行."""

    FIELDS = BANK_FIELDS
    TITLE_TEXT = "添加银行信息"

    def __init__(self, credit_code: str | None) -> None:
        super().__init__()
        self.credit_code = credit_code

    def submit(self, values: dict[str, str]) -> BankView:
        return developers.add_bank(self.db, self.actor, self.credit_code, BankEntry(**values))
