"""`wangqian report contract|receipt|notice …`: the documents of a resale signing case.

CASE is the case number (业务号) or the contract number (合同编号). The
commands join ``report_app`` of ``tui.cli_round`` (``tui.cli`` imports this
module to mount them). Input that names nothing — an unknown or empty CASE,
an unknown house check, a material not on the checklist, CASE and ``--check``
both or neither — exits 2 with one Chinese sentence; other refusals (e.g. a
notice with nothing to tell) exit 1 like every command.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from core.errors import RuleViolation
from tui.cli_round import (
    OutputOption,
    _bad_input,
    _db,
    _refusals,
    _system,
    _write_pdf,
    report_app,
)

F = TypeVar("F", bound=Callable[..., Any])

#: Refusals that mean the input names nothing: exit 2, not 1.
BAD_INPUT_CODES = frozenset({
    "REPORT_NUMBER_EMPTY", "REPORT_CASE_NOT_FOUND", "REPORT_NOT_RESALE", "CONTRACT_NUMBER_EMPTY",
    "CONTRACT_NOT_FOUND", "NOTICE_CHECK_NOT_FOUND", "NOTICE_CASE_OR_CHECK", "NOTICE_UNKNOWN_MATERIAL",
})

CaseArgument = Annotated[str, typer.Argument(metavar="CASE", help="业务号或合同编号。")]


def _bad_input_refusals(fn: F) -> F:
    """Refusals of ``BAD_INPUT_CODES`` exit 2 with their sentence; the rest go on to ``_refusals``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RuleViolation as exc:
            if exc.code in BAD_INPUT_CODES:
                raise _bad_input(exc.code, exc.message) from None
            raise

    return wrapper  # type: ignore[return-value]


@report_app.command("contract")
@_refusals
@_bad_input_refusals
def report_contract(case: CaseArgument, output: OutputOption) -> None:
    """存量房买卖合同（记录打印）。"""
    from services import contract_documents

    db, actor = _db(), _system()
    _write_pdf(output, lambda: contract_documents.contract_pdf(db, actor, case))


@report_app.command("receipt")
@_refusals
@_bad_input_refusals
def report_receipt(case: CaseArgument, output: OutputOption) -> None:
    """受理回执：业务号、受理人和已收材料。"""
    from services import contract_documents

    db, actor = _db(), _system()
    _write_pdf(output, lambda: contract_documents.receipt_pdf(db, actor, case))


@report_app.command("notice")
@_refusals
@_bad_input_refusals
def report_notice(
    output: OutputOption,
    case: Annotated[str | None, typer.Argument(metavar="[CASE]", help="业务号或合同编号（或用 --check）。")] = None,
    check: Annotated[int | None, typer.Option("--check", metavar="N", help="房源核验记录编号（无业务号时）。")] = None,
    missing: Annotated[list[str] | None, typer.Option("--missing", metavar="材料",
                                                      help="尚缺的材料（材料清单中的名称，可重复）。")] = None,
) -> None:
    """一次性告知书：最近一次房源核验未通过的事项和尚缺的材料。"""
    from services import contract_documents

    db, actor = _db(), _system()
    _write_pdf(output, lambda: contract_documents.notice_pdf(db, actor, case, check_id=check,
                                                             missing=tuple(missing or ())))
