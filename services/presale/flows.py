"""How the presale case types are worked, registered with the case engine (``services.cases``).

Every presale type accepts, dispatches, cancels and archives in its own flow (``domain_moves``
in ``core.cases``); here each says which screen that is, and hands the generic 取消受理 to its own
cancel (the contract's unit released, the survey, permit, designation or agreement made void) and
the survey's 退件 to its own return (the mapping confirmation void). A 退件 that would leave the
subject ahead of its case (a sealed contract, a return under review) is refused, and a withdrawal the bank
has paid is not returned.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from core.cases import CASE_TYPES
from services.cases import CaseFlow, register_flow

__all__: list[str] = []


def _late(module: str, name: str) -> Callable[..., object]:
    """``services.presale.<module>.<name>``, imported when the move is made: registering is cheap
    at every start, and the services (with the documents they print) load only when used."""

    def run(*args: object, **kwargs: object) -> object:
        return getattr(importlib.import_module(f"services.presale.{module}"), name)(*args, **kwargs)

    run.__name__ = name
    return run


def _refuse_facts(db, actor, number: str, *, to_stage: str, reason: str) -> object:  # type: ignore[no-untyped-def]
    """退件 of a back-entry is the authority's 审核不通过 (the opinion is the reason; back to 信息补录)."""
    return _late("facts_backfill", "review_facts")(db, actor, number, approve=False, opinion=reason)


def _codes(prefix: str) -> list[str]:
    return [code for code in CASE_TYPES if code.startswith(prefix)]


register_flow(_codes("survey_"), CaseFlow(
    "测绘成果备案", handlers={"cancel": _late("surveys", "cancel_survey"), "return": _late("surveys", "return_survey")}))
register_flow(_codes("room_"), CaseFlow("销售许可·物管用房", handlers={"cancel": _late("rooms", "cancel_rooms")}))
register_flow(_codes("permit_"), CaseFlow("销售许可·物管用房", handlers={"cancel": _late("permits", "cancel_permit")}))
register_flow(_codes("fund_agreement"), CaseFlow("预售资金监管", handlers={"cancel": _late("funds", "cancel_agreement")}))
register_flow(["fund_withdrawal"], CaseFlow(
    "预售资金监管", handlers={"cancel": _late("funds", "cancel_withdrawal"), "return": _late("funds", "return_withdrawal")}))
register_flow(["fund_ledger"], CaseFlow(
    "户室流水补录", refusals={"return": "户室流水补录业务不能退件：审核不通过的请在“户室流水补录”界面按不通过，该笔流水作废。"}))
register_flow(["facts_backfill"], CaseFlow(
    "户室信息补录", handlers={"return": _refuse_facts}))
register_flow(["presale_signing", "spot_signing"], CaseFlow(
    "商品房预售签约", handlers={"cancel": _late("contracts", "cancel_contract")},
    refusals={"return": "商品房签约业务不能退件：合同录入环节可取消受理，已签约的合同须办理退房。"}))
register_flow(["presale_return"], CaseFlow(
    "退房", handlers={"cancel": _late("returns", "cancel_return")},
    refusals={"return": "退房业务不能退件：退房原因录入环节可取消受理，主管部门审核中的请在“退房”界面办理。"}))
