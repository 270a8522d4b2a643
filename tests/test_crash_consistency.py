"""A worker killed (SIGKILL) at a random moment of a business action leaves the state exactly
before or exactly after the action; the action can be run again; the audit chain verifies.

Each scenario first runs the action once in a worker that is not killed, and records what
it changed: how many rows each table gained or lost. Then, trial by trial, a fresh worker
process (forked, with its own connections) runs the action on the next prepared object and
is killed at a random moment between 0 and 1.2 times the measured duration. Afterwards the
database must show either no change at all or exactly the change of the uninterrupted run
(the business row in its old or its new state, every table's count moved by nothing or by
exactly the recorded amount). When it shows none, the action is run again and must
complete. The audit chain is verified after every trial.

CI runs ``KILLS`` trials per scenario and database; ``WANGQIAN_STRESS=1`` runs 200.
Scenarios: a resale submission (提交: both codes entered → 已签约), a filing approval (备案),
a round run (选房 run, one transaction over thousands of rows), and a presale contract's two
signing steps: its acceptance, which takes the unit (the board shows it 已签约 from then on),
its 签约环节, which records the buyer's signature, and the archive of a house return (退房),
which gives the unit back.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, inspect, select, text

from bench import signing as bench
from core.resale.lifecycle import ContractStatus
from core.roles import Actor, Role
from services import audit
from services.allocation import rounds
from services.allocation import run as round_run
from services.resale import filing, signing
from storage.engine import Database
from storage.models import (
    AllocationRound,
    Contract,
    Family,
    Operator,
    Person,
    PublicHouse,
    RoundFamily,
    Wish,
)
from tests.conftest import SYSTEM, at

KILLS = 200 if os.environ.get("WANGQIAN_STRESS") == "1" else 20


# ------------------------------------------------------------------ the harness


def _counts(db: Database) -> Counter[str]:
    """Every table's row count, the audit chain completed first (a worker killed between its
    commit and the chain's own transaction leaves rows in ``audit_pending``)."""
    audit.chain_pending(db.engine)
    with db.engine.connect() as conn:
        return Counter({t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                        for t in inspect(db.engine).get_table_names()})


def _delta(after: Counter[str], before: Counter[str]) -> dict[str, int]:
    return {t: after[t] - before[t] for t in sorted(set(after) | set(before)) if after[t] != before[t]}


def _in_worker(db: Database, action: Callable[[Database], object], *, kill_after: float | None) -> tuple[bool, float]:
    """Run ``action`` in a forked worker with connections of its own; kill it ``kill_after``
    seconds after it starts (None: let it finish). Returns (finished by itself, seconds)."""
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: a terminal's process
        code = 1
        try:
            os.close(ready_r)
            os.close(go_w)
            mine = Database(db.url, settings=db.settings, clock=db.clock)
            with mine.read() as session:  # connected before the clock starts
                session.execute(text("SELECT 1"))
            os.write(ready_w, b"r")
            os.read(go_r, 1)
            action(mine)
            code = 0
        finally:
            os._exit(code)
    os.close(ready_w)
    os.close(go_r)
    try:
        assert os.read(ready_r, 1) == b"r", "the worker did not start"
        started = time.monotonic()
        os.write(go_w, b"g")
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(pid, signal.SIGKILL)  # a zombie (finished already) takes it silently
        _, status = os.waitpid(pid, 0)
        seconds = time.monotonic() - started
    finally:
        os.close(ready_r)
        os.close(go_w)
    finished = os.WIFEXITED(status)
    if finished:
        assert os.WEXITSTATUS(status) == 0, "the worker's action failed"
    return finished, seconds


@dataclass
class Outcomes:
    before: int = 0
    after: int = 0


def _trials(db: Database, objects: list[object], act: Callable[[Database, object], object],
            done: Callable[[Database, object], bool], between: Callable[[Database, object], None] | None = None,
            ) -> Outcomes:
    """The calibration run on ``objects[0]``, then one killed trial per further object."""
    first = objects[0]
    before = _counts(db)
    finished, seconds = _in_worker(db, lambda mine: act(mine, first), kill_after=None)
    assert finished and done(db, first)
    change = _delta(_counts(db), before)
    assert change, "the action changed nothing"
    if between is not None:
        between(db, first)
    outcomes = Outcomes()
    rng = random.Random(20261207)
    for obj in objects[1:]:
        before = _counts(db)
        _in_worker(db, lambda mine, o=obj: act(mine, o), kill_after=rng.uniform(0, 1.2 * seconds))
        now = _counts(db)
        if done(db, obj):
            outcomes.after += 1
            assert _delta(now, before) == change, "a completed action wrote other rows than the uninterrupted one"
        else:
            outcomes.before += 1
            assert _delta(now, before) == {}, "a killed action left part of its writes"
            act(db, obj)  # the rerun completes
            assert done(db, obj) and _delta(_counts(db), before) == change
        assert audit.verify(db, SYSTEM).intact
        if between is not None:
            between(db, obj)
    assert outcomes.before + outcomes.after == len(objects) - 1
    assert outcomes.before > 0, "no trial killed the action before it ended: the kill times are wrong"
    return outcomes


# ------------------------------------------------------------------ resale


def _hall(db: Database, contracts: int) -> tuple[Actor, Actor, tuple[bench.Sale, ...]]:
    work, spare = bench.load_hall(db, clerks=1, contracts_total=1, spare=contracts)
    return work[0].clerk, work[0].supervisor, spare


def test_a_submission_killed_at_any_moment_is_all_or_nothing(db: Database) -> None:
    clerk, supervisor, sales = _hall(db, KILLS + 1)
    drafts = [bench.ready_to_submit(db, clerk, supervisor, sale) for sale in sales]

    def act(mine: Database, view: object) -> object:
        return signing.submit_signing(mine, clerk, view.id, expected_version=view.version)  # type: ignore[attr-defined]

    def done(d: Database, view: object) -> bool:
        with d.read() as session:
            status = session.get(Contract, view.id).status  # type: ignore[attr-defined, union-attr]
        assert status in (ContractStatus.DRAFT, ContractStatus.SIGNED)
        return status == ContractStatus.SIGNED

    outcomes = _trials(db, drafts, act, done)
    print(f"submission on {db.dialect}: {outcomes}")


def test_a_filing_killed_at_any_moment_is_all_or_nothing(db: Database) -> None:
    clerk, supervisor, sales = _hall(db, KILLS + 1)
    queued = []
    for sale in sales:
        view = bench.sign_one(db, clerk, supervisor, sale)
        filing.record_undertaking(db, clerk, view.id)  # Shenzhen: the signed 承诺书 handed back
        queued.append(signing.submit_for_filing(db, clerk, view.id))

    def act(mine: Database, view: object) -> object:
        return signing.approve_filing(mine, supervisor, view.id)  # type: ignore[attr-defined]

    def done(d: Database, view: object) -> bool:
        with d.read() as session:
            status = session.get(Contract, view.id).status  # type: ignore[attr-defined, union-attr]
        assert status in (ContractStatus.SIGNED, ContractStatus.FILED)
        return status == ContractStatus.FILED

    outcomes = _trials(db, queued, act, done)
    print(f"filing on {db.dialect}: {outcomes}")


# ------------------------------------------------------------------ allocation

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
AFTER = T0 + timedelta(days=3)
FAMILIES, HOUSES, WISHES = 3000, 1000, 8


def _big_round(db: Database) -> tuple[Actor, int]:
    """A round of FAMILIES families over HOUSES houses, WISHES formal wishes each, bulk-loaded."""
    with db.write() as session:
        boss = Operator(username="crash_boss", name="测试主管", role="supervisor", password_hash="x", created_at=T0)
        session.add(boss)
        session.flush()
        actor = Actor(boss.id, boss.username, boss.name, Role.SUPERVISOR)
        session.execute(insert(Person), [
            {"name": f"张{n}", "id_kind": "resident_id", "id_number": f"C{n:017d}", "region": "mainland",
             "phone": f"139{n:08d}"} for n in range(FAMILIES)])
        persons = session.execute(select(Person.id).where(Person.id_number.like("C%")).order_by(Person.id)).scalars().all()
        session.execute(insert(Family), [
            {"main_applicant_id": p, "rank": n + 1, "size": 2, "status": "waiting", "eligible_layouts": "1b"}
            for n, p in enumerate(persons)])
        session.execute(insert(PublicHouse), [
            {"code": f"K{n:05d}", "project": "龙悦居", "building": "K", "floor": 1 + n // 20, "room": f"{n:05d}",
             "layout": "1b", "orientation": "南", "area": Decimal("45.50"), "monthly_rent": Decimal("1200.00"),
             "state": "free"} for n in range(HOUSES)])
        families = session.execute(select(Family.id).order_by(Family.rank)).scalars().all()
        houses = session.execute(select(PublicHouse.id).where(PublicHouse.code.like("K%"))
                                 .order_by(PublicHouse.id)).scalars().all()
    round_id = rounds.create_round(at(db, T0 - timedelta(hours=1)), actor, number=1, name="测试第1场",
                                   family_ids=list(families), pre_open=T0, pre_close=T0 + timedelta(days=1),
                                   formal_open=T0 + timedelta(days=2),
                                   formal_close=T0 + timedelta(days=2, hours=2))
    rng = random.Random(7)
    with db.write() as session:
        session.execute(insert(Wish), [
            {"round_id": round_id, "family_id": f, "list_kind": "formal", "position": pos, "house_id": h}
            for f in families for pos, h in enumerate(rng.sample(houses, WISHES), start=1)])
    return actor, round_id


def test_a_round_run_killed_at_any_moment_is_all_or_nothing(db: Database) -> None:
    boss, round_id = _big_round(db)
    late = at(db, AFTER)

    def act(mine: Database, _: object) -> object:
        return round_run.run_round(mine, boss, round_id)

    def done(d: Database, _: object) -> bool:
        with d.read() as session:
            status = session.get(AllocationRound, round_id).status  # type: ignore[union-attr]
            placed = session.execute(select(func.count()).select_from(RoundFamily).where(
                RoundFamily.round_id == round_id, RoundFamily.result_status.is_not(None))).scalar_one()
            taken = session.execute(select(func.count()).select_from(PublicHouse)
                                    .where(PublicHouse.taken_round_id == round_id)).scalar_one()
        if status == "published":  # every family has its result, the houses it got are taken
            assert placed == FAMILIES and taken > 0, (placed, taken)
            return True
        assert status in ("open", "reopened") and placed == 0 and taken == 0, (status, placed, taken)
        return False

    def reopen(d: Database, _: object) -> None:  # back to a runnable round for the next trial
        round_run.reopen_round(d, boss, round_id, "崩溃测试：重新运行")

    outcomes = _trials(late, list(range(KILLS + 1)), act, done, between=reopen)
    print(f"round run on {db.dialect}: {outcomes}")


# ------------------------------------------------------------------ presale


def _presale_hall(db: Database, *, authority: bool = False):  # type: ignore[no-untyped-def]
    """A developer whose building D004 (21 floors × 10 units, more than the trials need) is under
    a presale permit; returns its operator and the permit number (and the authority's, if asked)."""
    from services.presale import projects
    from tests.permit_support import add_certificates, archive_survey, grant
    from tests.presale_support import make_hall, survey_csv

    hall = make_hall(db, 87)
    archive_survey(hall, survey_csv(21, 10), floors="21")
    add_certificates(hall)
    projects.change_project(db, SYSTEM, hall.project_id, property_company="张家界物业服务有限公司")
    permit = grant(hall, all_units=True).permit_number
    return (hall.dev, permit, hall.authority) if authority else (hall.dev, permit)


def _units(count: int) -> list[str]:
    return [f"{1 + n // 10}-{1 + n % 10:02d}" for n in range(count)]


def test_a_presale_acceptance_killed_at_any_moment_is_all_or_nothing(db: Database) -> None:
    """业务受理 of a presale contract: the unit's row locked and checked, the F case, the contract
    holding the unit (live_unit_id). Killed, the unit is either free or taken by one whole contract."""
    from services.presale import contracts as presale
    from storage.models import PresaleContract

    dev, permit = _presale_hall(db)

    def act(mine: Database, unit: object) -> object:
        return presale.start_contract(mine, dev, permit_number=permit, unit_no=unit)

    def done(d: Database, unit: object) -> bool:
        with d.read() as session:
            live = session.execute(select(func.count()).select_from(PresaleContract).where(
                PresaleContract.unit_no == unit, PresaleContract.live_unit_id.is_not(None))).scalar_one()
        assert live in (0, 1)
        return live == 1

    outcomes = _trials(db, _units(KILLS + 1), act, done)
    print(f"presale acceptance on {db.dialect}: {outcomes}")


def test_a_presale_signing_killed_at_any_moment_is_all_or_nothing(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """签约环节 of a paper presale contract (entered, paid, the signed scan attached): the buyer's
    signature recorded and the case moved to 合同盖章, or nothing."""
    from core.presale.contracts import Buyer, ContractEntry
    from core.presale.contracts import ContractStatus as PresaleStatus
    from services.presale import contracts as presale
    from storage.models import PresaleContract

    dev, permit = _presale_hall(db)
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed and sealed\n")
    ready = []
    for unit in _units(KILLS + 1):
        case = presale.start_contract(db, dev, permit_number=permit, unit_no=unit).case_number
        view = presale.save_entry(db, dev, case, ContractEntry(
            buyers=(Buyer("王小二", "110101199003074258", "13800138000"),), unit_price="10000.00",
            signing_form="纸质合同"))
        presale.record_payment(db, dev, case, view.amount_due)
        presale.complete_entry(db, dev, case)
        presale.attach_scan(db, dev, case, str(scan))
        ready.append(case)

    def act(mine: Database, case: object) -> object:
        return presale.confirm_signing(mine, dev, case)  # type: ignore[arg-type]

    def done(d: Database, case: object) -> bool:
        with d.read() as session:
            c = session.execute(select(PresaleContract.status, PresaleContract.signed_at).where(
                PresaleContract.number == f"YSHT{str(case)[1:]}")).one()
        assert c[0] in (PresaleStatus.SIGNING, PresaleStatus.SEALING) and (c[1] is None) == (c[0] == PresaleStatus.SIGNING)
        return c[0] == PresaleStatus.SEALING

    outcomes = _trials(db, ready, act, done)
    print(f"presale signing on {db.dialect}: {outcomes}")


def test_a_return_archive_killed_at_any_moment_is_all_or_nothing(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """归档 of a house return (退房): the contract 已退房, the unit free, its F case ended, the T case
    archived — all of it or none of it."""
    from core.presale.contracts import Buyer, ContractEntry
    from services.presale import contracts as presale
    from services.presale import returns
    from storage.models import PresaleContract

    dev, permit, authority = _presale_hall(db, authority=True)
    voucher = tmp_path / "voucher.pdf"
    voucher.write_bytes(b"%PDF-1.4\n% the return's voucher\n")
    ready = []
    for unit in _units(KILLS + 1):
        case = presale.start_contract(db, dev, permit_number=permit, unit_no=unit).case_number
        presale.save_entry(db, dev, case, ContractEntry(buyers=(Buyer("王小二", "110101199003074258", "13800138000"),),
                                                        unit_price="10000.00"))
        presale.record_payment(db, dev, case, "1000.00")  # paid: it is returned, not cancelled
        back = returns.start_return(db, dev, contract=case).case_number
        returns.save_reason(db, dev, back, applicant=0, reason="买受人资金困难。")
        returns.submit_return(db, dev, back)
        returns.attach_voucher(db, authority, back, str(voucher))
        ready.append((back, unit))

    def act(mine: Database, obj: object) -> object:
        return returns.archive_return(mine, authority, obj[0])  # type: ignore[index]

    def done(d: Database, obj: object) -> bool:
        with d.read() as session:
            status, live = session.execute(select(PresaleContract.status, PresaleContract.live_unit_id).where(
                PresaleContract.unit_no == obj[1])).one()  # type: ignore[index]
        assert (status, live is None) in (("entry", False), ("returned", True)), (status, live)
        return status == "returned"

    outcomes = _trials(db, ready, act, done)
    print(f"return archive on {db.dialect}: {outcomes}")
