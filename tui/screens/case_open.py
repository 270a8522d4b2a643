"""Enter on a case in 在手业务 / 已办业务: the screen where a case of its type is worked, on that
case; a type without one (a case accepted at the generic desk and moved by the engine, a
cancellation, a selection round) shows the case itself (``CaseDetailScreen``), with the keys
that work on it named in its footer and its first line.

The screens are imported here, when a case is opened, not by the lists: several of them use the
lists' helpers (``tui.screens.cases``).
"""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from services import cases
from services.cases import CaseDetail
from tui.screens.base import AppScreen
from tui.widgets.detail import DetailPane, case_renderable
from tui.widgets.footer import KeyFooter
from tui.widgets.message import MessageLine

__all__ = ["CaseDetailScreen", "work_screen"]


def work_screen(app: App, type_code: str, number: str, *, bare: bool = False) -> Screen | None:
    """The screen that works a case of ``type_code``, showing case ``number``; None where none does
    (and for a ``bare`` case, accepted at the generic desk with nothing behind it to show)."""
    if bare:
        return None
    if type_code.startswith("survey_"):
        from tui.screens.presale.survey import SurveyScreen

        return SurveyScreen(number)
    if type_code.startswith(("room_", "permit_")):
        from tui.screens.presale.permit import PermitScreen

        return PermitScreen(number)
    if type_code.startswith("fund_agreement") or type_code == "fund_withdrawal":
        from tui.screens.presale.funds import FundScreen

        return FundScreen(number)
    if type_code == "fund_ledger":
        from tui.screens.presale.ledger import LedgerScreen

        return LedgerScreen(number)
    if type_code == "facts_backfill":
        from tui.screens.presale.facts import FactsScreen

        return FactsScreen(number)
    if type_code in ("presale_signing", "spot_signing"):
        from tui.screens.presale.contract import PresaleContractScreen

        return PresaleContractScreen(number)
    if type_code == "presale_return":
        from tui.screens.presale.returns import ReturnScreen

        return ReturnScreen(number)
    if type_code == "lease_signing":
        from tui.screens.allocation.lease import LeaseScreen

        return LeaseScreen(number)
    if type_code == "resale_signing":
        from tui.screens.resale.flow import desk_screen

        return desk_screen(app, number)
    if type_code == "resale_cancel" and app_can_review(app):
        from tui.screens.resale.cancel import CancelReviewScreen

        return CancelReviewScreen(number)
    return None


def app_can_review(app: App) -> bool:
    """A cancellation is reviewed on 注销审核 (a supervisor's); a clerk's is shown as a case."""
    from core.roles import Permission

    actor = getattr(app, "actor", None)
    return actor is not None and actor.can(Permission.CONTRACT_REVIEW)


#: What the footer and the first line say a case without a screen of its own is worked with.
IN_HAND_KEYS = "在“在手业务”列表中选中该业务，按 F5 接件、F6 派工、F7 退件、F8 取消受理、F9 归档。"
DONE_KEYS = "已办业务只供查看；仍在办理中的，请到“在手业务”办理。"


class CaseDetailScreen(AppScreen):
    """One case and its 业务进度, read only: for a type no screen of its own works."""

    BINDINGS = [
        Binding("f5", "reload", "刷新", key_display="F5"),
        Binding("escape", "app.pop_screen", "返回（F5–F9 在列表中办理）", key_display="Esc"),
    ]
    HELP_STEPS = (
        "这类业务没有专门的办理界面，这里显示业务信息和办理进度。",
        IN_HAND_KEYS,
        "按 Esc 返回列表。",
    )

    class Loaded(Message):
        def __init__(self, detail: CaseDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, number: str, *, in_hand: bool = True) -> None:
        super().__init__()
        self.number = number
        self.in_hand = in_hand

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="status-row"):
            yield Static("业务详情", classes="screen-title", markup=False)
            yield MessageLine(id="case-detail-message", classes="status-line")
        yield Static(IN_HAND_KEYS if self.in_hand else DONE_KEYS, id="case-detail-keys", markup=False)
        with VerticalScroll(id="case-detail-scroll"):
            yield DetailPane(id="case-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#case-detail-scroll").border_title = f"业务进度　{self.number}"
        self.query_one("#case-detail", DetailPane).show_hint("正在读取……")
        self.query_one("#case-detail-scroll").focus()
        self.action_reload()

    def action_reload(self) -> None:
        self._load(self.number)

    @work(thread=True, exclusive=True, group="case-detail", exit_on_error=False)
    def _load(self, number: str) -> None:
        self.post_message(self.Loaded(cases.case_detail(self.db, self.actor, number)))

    def on_case_detail_screen_loaded(self, message: Loaded) -> None:
        self.query_one("#case-detail", DetailPane).update(case_renderable(message.detail))
