"""The case engine: numbers, moves, refusals, lists and the timeline — on both databases."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from core import cases as rules
from core.cases import CaseState, CaseStatus, Target
from core.errors import RuleViolation
from core.roles import Actor, Role
from services import audit, cases
from storage.models import AuditEntry, Case
from tests.conftest import SYSTEM, make_operator

NUMBER = re.compile(r"^F\d{8}\d{7}$")


def test_case_number_format():
    from datetime import date

    assert rules.format_case_number("F", date(2022, 3, 29), 15) == "F202203290000015"
    with pytest.raises(RuleViolation):
        rules.format_case_number("F", date(2022, 3, 29), 10_000_000)


def test_full_flow_accept_dispatch_receive_return_archive(db, clerk, supervisor):
    number = cases.accept_case(db, clerk, "resale_signing", summary="南山区某房")
    assert NUMBER.match(number)
    assert [r.number for r in cases.in_hand(db, clerk)] == [number]
    cases.dispatch_case(db, clerk, number)  # next stage 签约环节 is a clerk's: to the clerk role
    assert cases.in_hand(db, clerk)[0].waiting
    cases.receive_case(db, clerk, number)
    cases.dispatch_case(db, clerk, number, operator=supervisor.username)
    assert [r.number for r in cases.in_hand(db, supervisor)] == [number]
    with pytest.raises(RuleViolation) as err:
        cases.archive_case(db, supervisor, number)
    assert err.value.code == "CASE_NOT_RECEIVED"
    cases.receive_case(db, supervisor, number)
    cases.return_case(db, supervisor, number, to_stage="entry", reason="合同价款大写有误")
    # returned to the clerk who worked the entry stage
    row = cases.in_hand(db, clerk)[0]
    assert row.waiting and row.stage_name == "合同信息录入"
    cases.receive_case(db, clerk, number)
    cases.dispatch_case(db, clerk, number)
    cases.receive_case(db, clerk, number)
    cases.dispatch_case(db, clerk, number, role="supervisor")
    cases.receive_case(db, supervisor, number)
    cases.archive_case(db, supervisor, number)
    detail = cases.case_detail(db, clerk, number)
    assert detail.status_label == "已办结"
    assert [s.action for s in detail.timeline] == [
        "发起业务", "派工", "接件", "派工", "接件", "退件", "接件", "派工", "接件", "派工", "接件", "归档",
    ]
    assert detail.timeline[5].note == "合同价款大写有误"
    done = cases.done_list(db, clerk)
    assert {r.stage_name for r in done} == {"合同信息录入", "签约环节"}
    assert all(r.status_label == "已办结" for r in done)
    assert cases.in_hand(db, clerk) == [] and cases.in_hand(db, supervisor) == []
    # every move is audited with the case number
    with db.read() as s:
        actions = s.execute(select(AuditEntry.action).where(AuditEntry.case_number == number)).scalars().all()
    assert len(actions) == 12 and actions[-1] == "case_archive"
    assert audit.verify(db, SYSTEM).intact


def test_illegal_moves_are_refused_with_reasons(db, clerk, supervisor):
    number = cases.accept_case(db, clerk, "resale_signing")
    other = make_operator(db, "clerk_b", Role.CLERK)
    refusals = {
        "CASE_NOT_HOLDER": lambda: cases.dispatch_case(db, other, number),
        "CASE_ARCHIVE_TOO_EARLY": lambda: cases.archive_case(db, clerk, number),
        "CASE_RETURN_NOT_EARLIER": lambda: cases.return_case(db, clerk, number, to_stage="entry", reason="x"),
        "CASE_RETURN_REASON_REQUIRED": lambda: cases.return_case(db, clerk, number, to_stage="entry", reason=" "),
        "CASE_DISPATCH_WRONG_ROLE": lambda: cases.dispatch_case(db, clerk, number, role="supervisor"),
        "CASE_ALREADY_HELD": lambda: cases.receive_case(db, clerk, number),
        "CASE_NOT_FOUND": lambda: cases.receive_case(db, clerk, "F202201010000001"),
    }
    for code, move in refusals.items():
        with pytest.raises(RuleViolation) as err:
            move()
        assert err.value.code == code, code
        assert err.value.message.endswith("。")
    cases.dispatch_case(db, clerk, number)
    with pytest.raises(RuleViolation) as err:
        cases.receive_case(db, supervisor, number)
    assert err.value.code == "CASE_NOT_FOR_ROLE"
    cases.receive_case(db, other, number)  # any clerk may take a case sent to the clerk role
    with pytest.raises(RuleViolation) as err:
        cases.cancel_case(db, other, number, reason="申请人撤回")
    assert err.value.code == "CASE_CANCEL_TOO_LATE"


def test_refused_move_writes_nothing(db, clerk):
    number = cases.accept_case(db, clerk, "resale_signing")
    with db.read() as s:
        before = s.execute(select(AuditEntry.seq)).scalars().all()
    with pytest.raises(RuleViolation):
        cases.archive_case(db, clerk, number)
    with db.read() as s:
        assert s.execute(select(AuditEntry.seq)).scalars().all() == before
        assert s.execute(select(Case.stage).where(Case.number == number)).scalar_one() == "entry"


def test_cancel_in_first_stage(db, clerk):
    number = cases.accept_case(db, clerk, "resale_signing")
    cases.cancel_case(db, clerk, number, reason="申请人材料不齐")
    detail = cases.case_detail(db, clerk, number)
    assert detail.status_label == "已取消受理"
    with pytest.raises(RuleViolation) as err:
        cases.receive_case(db, clerk, number)
    assert err.value.code == "CASE_CANCELLED"
    assert cases.done_list(db, clerk, cases.CaseFilter(status="cancelled"))[0].number == number


def test_filters(db, clerk):
    a = cases.accept_case(db, clerk, "resale_signing")
    b = cases.accept_case(db, clerk, "lease_signing")
    assert [r.number for r in cases.in_hand(db, clerk, cases.CaseFilter(type_code="lease_signing"))] == [b]
    assert [r.number for r in cases.in_hand(db, clerk, cases.CaseFilter(number_contains=a[-4:]))] == [a]


def test_numbers_unique_under_concurrency(db, clerk):
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        local = db.reopen()
        try:
            for _ in range(8):
                n = cases.accept_case(local, clerk, "resale_signing")
                with lock:
                    numbers.append(n)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            local.dispose()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert sorted(int(n[-7:]) for n in numbers) == list(range(1, 41))
    assert audit.verify(db, SYSTEM).intact


def test_state_machine_is_pure():
    actor = Actor(1, "a", "甲", Role.CLERK)
    state = rules.accept("resale_signing", actor)
    assert state == CaseState("resale_signing", "entry", CaseStatus.ACTIVE, 1)
    sent = rules.dispatch(state, actor, Target(Role.CLERK, 2))
    assert (sent.stage, sent.holder_id, sent.pending_operator_id) == ("signing", None, 2)
    with pytest.raises(RuleViolation):
        rules.receive(sent, actor)  # dispatched to operator 2, not 1
    with pytest.raises(RuleViolation) as err:
        rules.accept("resale_signing", Actor(3, "s", "乙", Role.SUPERVISOR))
    assert err.value.code == "CASE_WRONG_ROLE"


def test_clerk_only_sees_own_in_hand(db, clerk):
    other = make_operator(db, "clerk_b", Role.CLERK)
    cases.accept_case(db, clerk, "resale_signing")
    assert cases.in_hand(db, other) == []


def test_dispatch_note_names_the_person_and_done_list_names_the_sender(db, clerk, supervisor):
    number = cases.accept_case(db, clerk, "resale_signing")
    cases.dispatch_case(db, clerk, number)
    cases.receive_case(db, clerk, number)
    cases.dispatch_case(db, clerk, number, operator=supervisor.username)
    detail = cases.case_detail(db, clerk, number)
    assert detail.timeline[-1].note == f"派工给{supervisor.name}"
    assert detail.stage_code == "filing_review"
    done = {r.stage_name: r for r in cases.done_list(db, clerk)}
    assert done["合同信息录入"].dispatched_by is None  # accepted by the clerk: nobody sent it
    assert done["签约环节"].dispatched_by == clerk.name  # the clerk dispatched it to the clerk role


def test_a_case_still_being_opened_does_not_hold_the_days_numbers(db):
    """PostgreSQL: the day's counter commits on its own, so another terminal takes the next
    number while a use case that took one is still working; numbers never repeat, and one
    taken by a use case that then fails is skipped, not reused."""
    from core.timeutil import local_today
    from services.cases import next_case_number

    if db.is_sqlite:
        pytest.skip("SQLite runs one write transaction at a time (BEGIN IMMEDIATE)")
    day = local_today(db.now())
    other = db.reopen()
    taken: list[str] = []

    def quick() -> None:
        with other.write() as session:
            taken.append(next_case_number(session, "A", day))

    try:
        with pytest.raises(RuntimeError), db.write() as slow:
            first = next_case_number(slow, "A", day)
            thread = threading.Thread(target=quick)
            thread.start()
            thread.join(30)
            assert taken, "another terminal waited for an open transaction's case number"
            raise RuntimeError("the use case fails after taking its number")
        with db.write() as session:
            last = next_case_number(session, "A", day)
    finally:
        other.dispose()
    assert first < taken[0] < last  # the failed use case's number is skipped, never handed out again
