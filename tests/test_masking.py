"""Personal numbers typed into free text (a return note, a refusal reason) are masked on
their way into the audit log and the case history; a whole resale flow and a round leave
no readable ID or mobile number there."""

from __future__ import annotations

import random
import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from core.audit import mask_snapshot
from core.identity import make_resident_id, mask_numbers_in_text
from services import cases
from storage.models import AuditEntry, CaseEvent
from tests.contract_fixtures import clerk, clock, supervisor  # noqa: F401 (fixtures)
from tests.contract_support import filed_contract

ID_OR_MOBILE = re.compile(r"(?<![0-9A-Za-z*])(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![0-9A-Za-z*])")


def test_numbers_inside_text_are_masked_and_the_rest_kept() -> None:
    text = "退回：证件号440301199001011234有误，电话13912345678；金额2350000.00元；业务号F202612070000001"
    assert mask_numbers_in_text(text) == (
        "退回：证件号440301********1234有误，电话139****5678；金额2350000.00元；业务号F202612070000001")
    assert mask_numbers_in_text("身份证４４０３０１１９９００１０１１２３Ｘ，手机+86 139 1234 5678") .startswith(
        "身份证440301********123X")
    assert mask_snapshot({"reason": "买方13912345678不来了", "items": ["440301199001011234"]}) == {
        "reason": "买方139****5678不来了", "items": ["440301********1234"]}


@given(st.integers(min_value=0, max_value=10**6), st.text(max_size=20))
def test_no_number_survives_masking(seed: int, around: str) -> None:
    import random

    number = make_resident_id(random.Random(seed))
    masked = mask_numbers_in_text(f"{around}，证件号{number}，{around}")
    assert number not in masked


def _readable_numbers(db) -> list[str]:
    with db.read() as s:
        texts = [row for entry in s.execute(select(AuditEntry.before, AuditEntry.after)).all() for row in entry if row]
        texts += [n for n in s.execute(select(CaseEvent.note)).scalars() if n]
    return [m.group(1) for t in texts for m in ID_OR_MOBILE.finditer(t)]


def test_a_whole_flow_leaves_no_readable_number_in_the_audit_log_or_case_history(sample_db, clerk, supervisor,  # noqa: F811
                                                                                 clock):  # noqa: F811
    assert _readable_numbers(sample_db) == []  # the demo's own history (contracts, rounds) too
    filed = filed_contract(sample_db, clerk, supervisor, clock, "zhongshan")
    number = cases.accept_case(sample_db, clerk, "resale_signing", summary="退件测试")
    cases.dispatch_case(sample_db, clerk, number)
    cases.receive_case(sample_db, clerk, number)
    cases.dispatch_case(sample_db, clerk, number, operator=supervisor.username)
    cases.receive_case(sample_db, supervisor, number)
    cases.return_case(sample_db, supervisor, number, to_stage="entry",
                      reason="买受人证件号440301199001011234与原件不符，请联系13912345678")
    assert filed.status == "filed"
    assert _readable_numbers(sample_db) == []


def test_the_terminal_log_masks_numbers_in_messages_and_tracebacks(caplog) -> None:
    import logging

    from tui.logs import logger

    number, phone = make_resident_id(random.Random(3), birth_date=date(1980, 2, 2)), "13912345678"
    log = logger("wangqian.tui")
    try:
        raise ValueError(f"INSERT failed: parameters ('{number}', '{phone}')")
    except ValueError as error:
        with caplog.at_level(logging.ERROR, logger="wangqian.tui"):
            log.error("worker %s failed for %s", "save", number, exc_info=error)
    shown = caplog.text
    assert "worker save failed" in shown and "Traceback" in shown and "INSERT failed" in shown
    assert number not in shown and phone not in shown and "139****5678" in shown
