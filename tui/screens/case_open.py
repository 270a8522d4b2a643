"""Enter on a case in 在手业务 / 已办业务: the screen where a case of its type is worked, on that
case (``work_screen``); where none is, the lists show the case itself (``CaseDetailScreen``).

The desk (``tui.screens.home``) hands ``work_screen`` to the lists: the lists are shared by every
domain's screens (``parse_day``, ``clock_cell``), so they import no domain's screens themselves
(the import contracts of pyproject.toml).
"""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

__all__ = ["work_screen"]


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
