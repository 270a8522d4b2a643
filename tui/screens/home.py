"""首页（工作台）: the functions of the counter, and how much work is waiting.

The count comes from the services: the cases in hand and waiting to be received
(``cases.in_hand`` — filings and cancellation reviews reach the supervisors as
cases dispatched to their role), plus, for reviewers, the buyer qualification
requests (``resale.queries.qualification_queue``): a request is not a case move,
so ``in_hand`` never sees it, and a supervisor's desk used to say 0 while one
waited. A developer's staff also see how many of their enterprise's cases were finished
lately (最近业务处理数, ``cases.recently_finished``; seed 004 §2.1); 2 opens the cases in hand.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Header, Static

from core.roles import Actor, Permission
from services import cases
from services.resale import queries as resale_queries
from tui.screens.allocation.board import BoardScreen
from tui.screens.allocation.family import FamilyScreen
from tui.screens.allocation.lease import LeaseScreen
from tui.screens.allocation.rounds import RoundsScreen
from tui.screens.base import AppScreen
from tui.screens.case_open import work_screen
from tui.screens.cases import DoneScreen, InHandScreen
from tui.screens.due import DueScreen
from tui.screens.dialogs import AcceptChoice, AcceptDialog
from tui.screens.lookup import LookupScreen
from tui.screens.operators import OperatorsScreen
from tui.screens.outbox import OutboxScreen
from tui.screens.party import PartyScreen
from tui.screens.presale.board import SalesBoardScreen
from tui.screens.presale.contract import PresaleContractScreen
from tui.screens.presale.enterprise import EnterpriseScreen
from tui.screens.presale.funds import FundScreen
from tui.screens.presale.facts import FactsScreen
from tui.screens.presale.ledger import LedgerScreen
from tui.screens.presale.mortgages import MortgageScreen
from tui.screens.presale.permit import PermitScreen
from tui.screens.presale.returns import ReturnScreen
from tui.screens.presale.survey import SurveyScreen
from tui.screens.resale.cancel import CancelReviewScreen, RevokeScreen
from tui.screens.resale.filing_review import FilingReviewScreen
from tui.screens.resale.home_register import HomeRegisterScreen
from tui.screens.resale.flow import desk_screen, house_check_screen
from tui.screens.resale.use_class_review import UseClassReviewScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.menu import MenuColumns

WEEKDAYS = "一二三四五六日"

# (option id, key shown in the menu, Chinese name)
MENU: list[tuple[str, str, str]] = [
    ("lookup", "1 / F2", "申请人查询"),
    ("in_hand", "2", "在手业务"),
    ("done", "3", "已办业务"),
    ("due", "W", "超期督办"),
    ("accept", "4", "业务受理"),
    ("party", "P", "当事人登记"),
    ("homes", "D", "房屋登记"),
    ("house_check", "H", "产权校验·房源核验"),
    ("contracts", "C", "网签合同"),
    ("revoke", "R", "撤销网签"),
    ("filing", "B", "网签审核（备案·资格）"),
    ("cancel_review", "V", "注销审核"),
    ("use_class", "U", "限购/限售核定"),
    ("lock", "5 / Ctrl+L", "锁屏"),
    ("rounds", "6", "选房场次"),
    ("family", "7", "家庭选房"),
    ("board", "8", "房源信息播报"),
    ("lease", "9", "公租房租赁签约"),
    ("enterprise", "E", "开发企业·项目"),
    ("survey", "M", "测绘成果备案"),
    ("fund", "Z", "预售资金监管"),
    ("permit", "Y", "销售许可·物管用房"),
    ("sales_board", "L", "楼盘表"),
    ("presale_return", "T", "退房"),
    ("ledger", "J", "户室流水补录"),
    ("mortgage", "G", "在建工程抵押"),
    ("facts", "X", "户室信息补录"),
    ("presale_contract", "Q", "商品房预售签约"),
    ("outbox", "S", "短信发件箱"),
    ("operators", "O", "操作员管理"),
    ("logout", "0 / F10", "退出登录"),
]

# Entries shown only to roles holding the permission (one of them, for a tuple).
MENU_PERMISSION: dict[str, Permission | tuple[Permission, ...]] = {
    "rounds": Permission.ALLOCATION_VIEW,
    "family": Permission.ALLOCATION_WISHES,
    "board": Permission.ALLOCATION_VIEW,
    "lease": Permission.LEASE_WORK,
    # Clerks too: their outbox holds the messages of their own cases (services.sms), which
    # they send by hand at a hall without an SMS gateway; supervisors see every message.
    "outbox": Permission.CASE_WORK,
    "party": Permission.PARTY_REGISTER,
    "homes": Permission.HOME_REGISTER,
    "house_check": Permission.CONTRACT_WORK,
    "contracts": Permission.CONTRACT_WORK,
    "revoke": Permission.CONTRACT_WORK,
    "filing": Permission.CONTRACT_REVIEW,
    "cancel_review": Permission.CONTRACT_REVIEW,
    "use_class": Permission.CONTRACT_REVIEW,
    "enterprise": Permission.PRESALE_VIEW,
    "survey": Permission.PRESALE_VIEW,
    "fund": Permission.FUND_VIEW,
    "permit": Permission.PRESALE_VIEW,
    "sales_board": Permission.PRESALE_VIEW,
    # the developer starts a return, the authority archives it
    "presale_return": (Permission.PRESALE_CONTRACT_WORK, Permission.PRESALE_CONTRACT_FILING),
    "ledger": (Permission.FUND_WORK, Permission.FUND_REVIEW),  # the developer enters, the authority reviews
    "mortgage": Permission.PRESALE_VIEW,
    "facts": (Permission.SURVEY_WORK, Permission.SURVEY_REVIEW),
    # the developer signs, the loan's bank or fund centre reviews, the authority files
    "presale_contract": (Permission.PRESALE_CONTRACT_WORK, Permission.PRESALE_LOAN_REVIEW,
                         Permission.PRESALE_CONTRACT_FILING),
    # A developer's administrator keeps the enterprise and works no case; its staff look no one up.
    "in_hand": Permission.CASE_WORK,
    "done": Permission.CASE_WORK,
    "due": Permission.CASE_VIEW_ALL,  # the authority's supervisors watch every case's clock
    "accept": Permission.CASE_ACCEPT,
    "lookup": Permission.LOOKUP_APPLICANT,
    "operators": Permission.OPERATOR_MANAGE,  # the hall's administrator
}


def may_open(actor: Actor, code: str) -> bool:
    """Whether the operator's role may use the menu entry ``code``."""
    needs = MENU_PERMISSION.get(code)
    if needs is None:
        return True
    return any(actor.can(p) for p in (needs if isinstance(needs, tuple) else (needs,)))


class HomeScreen(AppScreen):
    """The operator's desk after login."""

    # All priority (below): the App runs them as the key arrives, so the screen they open is on
    # top before the next key is handed on; that key then waits for the screen to be drawn
    # (WangqianApp.on_event) instead of reaching this menu. The desk has no field to type in.
    BINDINGS = [
        Binding("1,f2", "open('lookup')", "申请人查询", key_display="1/F2"),
        Binding("2", "open('in_hand')", "在手业务"),
        Binding("3", "open('done')", "已办业务"),
        Binding("4", "open('accept')", "业务受理"),
        Binding("w", "open('due')", "超期督办", key_display="W", show=False),
        Binding("p", "open('party')", "当事人登记", key_display="P", show=False),
        Binding("d", "open('homes')", "房屋登记", key_display="D", show=False),
        Binding("5", "app.lock", "锁屏", show=False),
        Binding("6", "open('rounds')", "选房场次", show=False),
        Binding("7", "open('family')", "家庭选房", show=False),
        Binding("8", "open('board')", "房源播报", show=False),
        Binding("9", "open('lease')", "租赁签约", show=False),
        Binding("s", "open('outbox')", "短信发件箱", key_display="S", show=False),
        Binding("h", "open('house_check')", "房源核验", key_display="H", show=False),
        Binding("c", "open('contracts')", "网签合同", key_display="C", show=False),
        Binding("r", "open('revoke')", "撤销网签", key_display="R", show=False),
        Binding("b", "open('filing')", "网签审核", key_display="B", show=False),
        Binding("v", "open('cancel_review')", "注销审核", key_display="V", show=False),
        Binding("u", "open('use_class')", "限购/限售核定", key_display="U", show=False),
        Binding("e", "open('enterprise')", "开发企业·项目", key_display="E", show=False),
        Binding("m", "open('survey')", "测绘成果备案", key_display="M", show=False),
        Binding("z", "open('fund')", "预售资金监管", key_display="Z", show=False),
        Binding("y", "open('permit')", "销售许可·物管用房", key_display="Y", show=False),
        Binding("l", "open('sales_board')", "楼盘表", key_display="L", show=False),
        Binding("t", "open('presale_return')", "退房", key_display="T", show=False),
        Binding("j", "open('ledger')", "户室流水补录", key_display="J", show=False),
        Binding("g", "open('mortgage')", "在建工程抵押", key_display="G", show=False),
        Binding("x", "open('facts')", "户室信息补录", key_display="X", show=False),
        Binding("q", "open('presale_contract')", "商品房预售签约", key_display="Q", show=False),
        Binding("o", "open('operators')", "操作员管理", key_display="O", show=False),
        Binding("0,f10", "app.logout", "退出登录", key_display="F10"),
        Binding("enter", "choose", "进入", show=False),
    ]
    # A letter works in either case (the menu shows it upper-case; Caps Lock is often left on
    # after a credit code or an ID's X was typed).
    BINDINGS = [replace(binding, priority=True,
                        key=f"{binding.key},{binding.key.upper()}" if binding.key.isalpha() and len(binding.key) == 1
                        else binding.key)
                for binding in BINDINGS]

    HELP_STEPS = (
        "↑↓ 选择功能，Enter 进入；也可直接按菜单左侧的键。",
        "Ctrl+P 按名称查找功能；Ctrl+L 锁屏；F10 退出登录。",
    )

    class CountsLoaded(Message):
        def __init__(self, holding: int, waiting: int, qualifications: int | None = None,
                     use_class_reviews: int | None = None, overdue: int | None = None,
                     recent: int | None = None) -> None:
            super().__init__()
            self.holding = holding
            self.waiting = waiting
            self.qualifications = qualifications  # None: not a reviewer
            self.use_class_reviews = use_class_reviews
            self.overdue = overdue  # the hall's overdue cases (超期督办); None: not a supervisor
            self.recent = recent  # 近期办结 (a developer's staff); None: not shown

    class CaseAccepted(Message):
        def __init__(self, number: str) -> None:
            super().__init__()
            self.number = number

    #: More entries than this and the desk drops its blank lines: a supervisor's or an
    #: administrator's menu (with the hall's overdue line) then still fits 80×24, hint included.
    LONG_MENU = 28

    def compose(self) -> ComposeResult:
        entries = [(code, f"{key:<12}{name}") for code, key, name in MENU if self._may(code)]
        if len(entries) > self.LONG_MENU:
            self.add_class("-long")
        yield Header()
        with Vertical(id="home"):
            with Horizontal(id="home-top"):
                yield Static("工作台", classes="screen-title")
                yield Static("", id="home-date", markup=False)
            yield Static("待处理业务数：正在统计……", id="home-counts", markup=False)
            yield MenuColumns(entries, id="home-menu")
            yield Static("↑↓←→ 选择功能，Enter 进入；也可直接按数字或字母键。", classes="hint")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key opens (and the footer shows) only what the operator's role may use."""
        if action == "open" and parameters:
            return self._may(str(parameters[0]))
        return True

    def _may(self, code: str) -> bool:
        """Menu entries the operator's role may use (the selection ones need their permission);
        none once the session has ended (the desk is being taken down after 退出登录, and its
        footer may still be drawn once)."""
        actor = self.wq.actor
        return actor is not None and may_open(actor, code)

    def on_mount(self) -> None:
        now = self.wq.local_now()
        self.query_one("#home-date", Static).update(f"{now:%Y-%m-%d} 星期{WEEKDAYS[now.weekday()]}")
        self.query_one("#home-menu", MenuColumns).focus_first()

    def on_screen_resume(self) -> None:
        self._load_counts()

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _load_counts(self) -> None:
        if not self.actor.can(Permission.CASE_WORK):  # a developer's administrator holds no cases
            self.post_message(self.CountsLoaded(0, 0))
            return
        rows = cases.in_hand(self.db, self.actor)
        waiting = sum(1 for row in rows if row.waiting)
        qualifications = reviews = None
        if self.actor.can(Permission.CONTRACT_REVIEW):
            from services.resale import use_class_review

            qualifications = len(resale_queries.qualification_queue(self.db, self.actor))
            reviews = len(use_class_review.pending_reviews(self.db, self.actor))
        overdue = recent = None
        if self.actor.can(Permission.CASE_VIEW_ALL):
            overdue = len(cases.due_cases(self.db, self.actor, overdue_only=True))
        if self.actor.developer_id is not None:  # seed 004 §2.1: 待处理业务数 and 最近业务处理数
            recent = cases.recently_finished(self.db, self.actor)
        self.post_message(self.CountsLoaded(len(rows) - waiting, waiting, qualifications, reviews, overdue, recent))

    def on_home_screen_counts_loaded(self, message: CountsLoaded) -> None:
        total = message.holding + message.waiting + (message.qualifications or 0) + (message.use_class_reviews or 0)
        parts = f"办理中 {message.holding} 件，待接件 {message.waiting} 件"
        if message.qualifications is not None:
            parts += f"，资格审查 {message.qualifications} 件"
        if message.use_class_reviews:
            parts += f"，限购核定 {message.use_class_reviews} 件"
        line = f"待处理业务数：{total}　（{parts}）"
        if message.recent is not None:
            line += f"\n最近业务处理数：{message.recent}　（近{cases.RECENT_DAYS}日办结）"
        if message.overdue:
            line += f"\n全厅已超期 {message.overdue} 件，按 W 查看超期督办。"
        self.query_one("#home-counts", Static).update(line)

    @on(MenuColumns.Chosen, "#home-menu")
    def _menu_chosen(self, event: MenuColumns.Chosen) -> None:  # a click
        self._choose(event.option_id)

    def action_choose(self) -> None:
        """Enter: the entry under the cursor (a priority key, like the menu's letters)."""
        chosen = self.query_one("#home-menu", MenuColumns).highlighted_id
        if chosen is not None:
            self._choose(chosen)

    def _choose(self, option_id: str) -> None:
        if option_id == "lock":
            self.wq.action_lock()
        elif option_id == "logout":
            # Run by the app, not inside this screen's handler: logging out removes this screen.
            self.app.call_later(self.app.run_action, "logout")
        else:
            self.action_open(option_id)

    def action_open(self, what: str) -> None:
        if not may_open(self.actor, what):
            return
        if what == "lookup":
            self.app.push_screen(LookupScreen())
        elif what == "in_hand":
            self.app.push_screen(InHandScreen(work_screen))
        elif what == "done":
            self.app.push_screen(DoneScreen(work_screen))
        elif what == "due":
            self.app.push_screen(DueScreen())
        elif what == "accept":
            self.app.push_screen(AcceptDialog(), callback=self._accept)
        elif what == "rounds":
            self.app.push_screen(RoundsScreen())
        elif what == "family":
            self.app.push_screen(FamilyScreen())
        elif what == "board":
            self.app.push_screen(BoardScreen())
        elif what == "lease":
            self.app.push_screen(LeaseScreen())
        elif what == "outbox":
            self.app.push_screen(OutboxScreen())
        elif what == "party":
            self.app.push_screen(PartyScreen())
        elif what == "homes":
            self.app.push_screen(HomeRegisterScreen())
        elif what == "house_check":
            self.app.push_screen(house_check_screen(self.db.settings.city))
        elif what == "contracts":
            self.app.push_screen(desk_screen(self.app))
        elif what == "revoke":
            self.app.push_screen(RevokeScreen())
        elif what == "filing":
            self.app.push_screen(FilingReviewScreen())
        elif what == "cancel_review":
            self.app.push_screen(CancelReviewScreen())
        elif what == "use_class":
            self.app.push_screen(UseClassReviewScreen())
        elif what == "enterprise":
            self.app.push_screen(EnterpriseScreen())
        elif what == "survey":
            self.app.push_screen(SurveyScreen())
        elif what == "fund":
            self.app.push_screen(FundScreen())
        elif what == "permit":
            self.app.push_screen(PermitScreen())
        elif what == "sales_board":
            self.app.push_screen(SalesBoardScreen())
        elif what == "presale_return":
            self.app.push_screen(ReturnScreen())
        elif what == "ledger":
            self.app.push_screen(LedgerScreen())
        elif what == "mortgage":
            self.app.push_screen(MortgageScreen())
        elif what == "facts":
            self.app.push_screen(FactsScreen())
        elif what == "presale_contract":
            self.app.push_screen(PresaleContractScreen())
        elif what == "operators":
            self.app.push_screen(OperatorsScreen())

    def _accept(self, choice: AcceptChoice | None) -> None:
        if choice is not None:
            self._accept_case(choice)

    @work(thread=True, exclusive=True, group="accept", exit_on_error=False)
    def _accept_case(self, choice: AcceptChoice) -> None:
        number = cases.accept_case(self.db, self.actor, choice.type_code, summary=choice.summary)
        self.post_message(self.CaseAccepted(number))

    def on_home_screen_case_accepted(self, message: CaseAccepted) -> None:
        self.app.notify(f"已受理，业务号 {message.number}。", title="业务受理")
        self._load_counts()
