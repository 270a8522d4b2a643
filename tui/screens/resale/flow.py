"""How the resale screens lead into one another (the counter's 网签 flow).

产权校验·房源核验 → (F7, a passed check) 合同录入 → (F6, a saved draft) 短信验证;
网签合同 opens 修改合同 / 变更合同 in the entry screen, 短信验证 and 注销网签.
Each screen takes its next step as a callable so that it stays testable on
its own; this module is the one place that joins them.
"""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from services.resale.contracts import ContractView
from services.resale.house_check import CheckView
from tui.screens.resale.desk import ContractDeskScreen
from tui.screens.resale.entry import ContractEntryScreen
from tui.screens.resale.house_check import HouseCheckScreen
from tui.screens.resale.sign_verify import SignVerifyScreen

#: The desk's modes and the entry screen's.
_ENTRY_MODES = {"edit": "draft", "change": "change"}


def signing_for(view: ContractView) -> Screen:
    return SignVerifyScreen(view.id)


def entry_for_check(check: CheckView) -> Screen:
    return ContractEntryScreen(house_check_id=check.id, next_step=signing_for)


def house_check_screen(city: str) -> HouseCheckScreen:
    return HouseCheckScreen(city, next_step=entry_for_check)


def desk_screen(app: App, number: str | None = None) -> ContractDeskScreen:
    """网签合同, on the contract of ``number`` (a contract number or its case's) when given."""

    def open_entry(contract_id: int, mode: str) -> None:
        app.push_screen(ContractEntryScreen(contract_id=contract_id, mode=_ENTRY_MODES[mode],  # type: ignore[arg-type]
                                            next_step=signing_for))

    return ContractDeskScreen(number, open_entry=open_entry)
