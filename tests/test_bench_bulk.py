"""bench.bulk, the loader of contracts ready to submit: what it writes is what the counter's flow
writes, column by column, on SQLite and on PostgreSQL; the product's submission takes it as it
takes a flow-made contract; it refuses a home it cannot copy faithfully and leaves nothing."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from bench import bulk
from bench import signing as bench
from core import codes
from services import audit, sign_codes
from services.resale import signing
from storage.engine import Database
from storage.models import Contract, Home
from tests.conftest import SYSTEM, _pg_exec, _pg_url_for, _Templates, hall_settings
from tui.factory import open_database

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")
#: Every code the test makes: the flow's and the loader's codes then hash alike when they are
#: bound alike (same key, contract, party and version), so even the hashes compare.
CODE = "246810"


@pytest.fixture
def twin(db: Database, _templates: _Templates, tmp_path: Path) -> Iterator[Database]:
    """A second empty database on the same backend as ``db``, migrated from the same template."""
    source = _templates.template("sqlite" if db.is_sqlite else "postgresql", False)
    if db.is_sqlite:
        path = tmp_path / "twin.db"
        shutil.copyfile(source, path)
        handle = open_database(hall_settings(tmp_path), url=f"sqlite:///{path}")
        yield handle
        handle.dispose()
        return
    name = f"wq_twin_{_templates.run_id[:12]}_{uuid.uuid4().hex[:8]}"
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    handle = open_database(hall_settings(tmp_path), url=_pg_url_for(name))
    yield handle
    handle.dispose()
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _jobs(db: Database, count: int) -> list[bulk.Job]:
    """``count`` sales of a loaded hall of two clerks, the last ones far from the first (another
    floor: a longer address, so every length and text that follows it differs too)."""
    work, _ = bench.load_hall(db, clerks=2, contracts_total=900)
    picks = [0, 1, 850, 851][:count]
    return [bulk.Job(work[n % 2].clerk, work[n % 2].supervisor, work[n % 2].sales[n // 2]) for n in picks]


def _plain(value: Any) -> Any:
    """A value as compared: times are the moment of making, not what was made."""
    if isinstance(value, datetime):
        return "<time>"
    if isinstance(value, str):
        return _TIMESTAMP.sub("<time>", value)
    return value


def _rows_of(db: Database, home_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the contract on ``home_id``, found through its keys, and the audit rows about
    them (without their place in the chain and its hashes, which depend on the times)."""
    audit.chain_pending(db.engine)
    with db.engine.connect() as conn:
        def rows(sql: str, **params: Any) -> list[dict[str, Any]]:
            return [{k: _plain(v) for k, v in r._mapping.items()} for r in conn.execute(text(sql), params)]

        contract = rows("SELECT * FROM contract WHERE home_id = :h", h=home_id)
        cid, case_id = contract[0]["id"], contract[0]["case_id"]
        case = rows("SELECT * FROM case_file WHERE id = :i", i=case_id)
        found = {
            "contract": contract, "case_file": case, "home": rows("SELECT * FROM home WHERE id = :h", h=home_id),
            "house_check": rows("SELECT * FROM house_check WHERE id = :i", i=contract[0]["house_check_id"]),
            "contract_party": rows("SELECT * FROM contract_party WHERE contract_id = :c ORDER BY id", c=cid),
            "contract_version": rows("SELECT * FROM contract_version WHERE contract_id = :c ORDER BY id", c=cid),
            "buyer_qualification": rows("SELECT * FROM buyer_qualification WHERE contract_id = :c ORDER BY id", c=cid),
            "contract_filing": rows("SELECT * FROM contract_filing WHERE contract_id = :c ORDER BY id", c=cid),
            "case_event": rows("SELECT * FROM case_event WHERE case_id = :i ORDER BY id", i=case_id),
            "case_party": rows("SELECT * FROM case_party WHERE case_id = :i ORDER BY id", i=case_id),
            "one_time_code": rows("SELECT * FROM one_time_code WHERE subject_type = 'contract' AND subject_id = :c "
                                  "ORDER BY id", c=cid),
            "sms_message": rows("SELECT * FROM sms_message WHERE case_number = :n ORDER BY id", n=case[0]["number"]),
        }
        about = {("home", str(home_id))} | {("one_time_code", str(r["id"])) for r in found["one_time_code"]} \
            | {("sms_message", str(r["id"])) for r in found["sms_message"]}
        found["audit_entry"] = [
            {k: v for k, v in r.items() if k not in ("seq", "at", "prev_hash", "hash")}
            for r in rows("SELECT * FROM audit_entry ORDER BY seq")
            if r["case_number"] == case[0]["number"] or (r["object_type"], r["object_id"]) in about]
    return found


def _differences(made: dict[str, list[dict[str, Any]]], flow: dict[str, list[dict[str, Any]]]) -> list[str]:
    out = []
    for table in flow:
        if len(made[table]) != len(flow[table]):
            out.append(f"{table}: {len(made[table])} rows, the flow made {len(flow[table])}")
            continue
        for a, b in zip(made[table], flow[table], strict=True):
            out += [f"{table}.{k}: {a[k]!r} != {b[k]!r}" for k in b if a[k] != b[k]]
    return out


def test_a_bulk_made_contract_is_the_flow_made_one_column_by_column(db: Database, twin: Database,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The same hall on two databases: on one the loader prepares three contracts (the first through
    the flow, two copies), on the other the flow prepares all three, in the same order. Every row of
    every contract — the check, the case and its event and parties, the contract, its parties and
    version, the qualification, the codes (hashes included), the messages, the home, the audit rows —
    is the same, column by column, but for the times; so is every row after 提交 by the product's
    ``submit_signing`` on both."""
    monkeypatch.setattr(codes, "new_code", lambda: CODE)
    jobs, twin_jobs = _jobs(db, 3), _jobs(twin, 3)
    ready = bulk.prepare(db, jobs, flow=bench.ready_to_submit)
    flow = [bench.ready_to_submit(twin, j.clerk, j.supervisor, j.sale) for j in twin_jobs]
    assert [(r.id, r.version) for r in ready] == [(v.id, v.version) for v in flow]
    for job in jobs:
        assert _differences(_rows_of(db, job.sale.home_id), _rows_of(twin, job.sale.home_id)) == []
    for job in jobs:  # every party's code verified for this version, as the counter's screen asks
        statuses = signing.signing_status(db, job.clerk, _contract_on(db, job.sale.home_id))
        assert [s.verified for s in statuses] == [True, True]
    for base, handle, made in ((jobs, db, ready), (twin_jobs, twin, flow)):
        for job, contract in zip(base, made, strict=True):
            view = signing.submit_signing(handle, job.clerk, contract.id, expected_version=contract.version)
            assert view.status == "signed"
    for job in jobs:
        assert _differences(_rows_of(db, job.sale.home_id), _rows_of(twin, job.sale.home_id)) == []
    assert audit.verify(db, SYSTEM).intact and audit.verify(twin, SYSTEM).intact


def _contract_on(db: Database, home_id: int) -> int:
    with db.read() as session:
        return session.execute(select(Contract.id).where(Contract.home_id == home_id)).scalar_one()


def test_the_codes_are_keyed_hashes_bound_to_each_contract(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copied contract's code hash checks with the hall's code key against its own contract,
    party and version only."""
    monkeypatch.setattr(codes, "new_code", lambda: CODE)
    jobs = _jobs(db, 2)
    ready = bulk.prepare(db, jobs, flow=bench.ready_to_submit)
    keys = sign_codes.code_keys_of(db)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM one_time_code WHERE subject_id = :c ORDER BY id"),
                            {"c": ready[1].id}).all()
    assert [r.party_key for r in rows] == ["seller:0", "buyer:0"]
    for r in rows:
        bound = sign_codes._binding(r.purpose, r.subject_type, r.subject_id, r.party_key, r.subject_version)
        assert codes.check_code(r.code_hash, CODE, bound, keys)
        other = sign_codes._binding(r.purpose, r.subject_type, ready[0].id, r.party_key, r.subject_version)
        assert not codes.check_code(r.code_hash, CODE, other, keys)
        assert not codes.check_code(r.code_hash, "135790", bound, keys)


@pytest.mark.parametrize("mark", ["seized", "mortgaged", "in_transaction"])
def test_a_home_unlike_the_template_is_refused_and_nothing_is_copied(db: Database, mark: str) -> None:
    jobs = _jobs(db, 3)
    with db.write() as session:
        session.execute(update(Home).where(Home.id == jobs[2].sale.home_id).values({mark: True}))
    with pytest.raises(bulk.BulkRefused, match=str(jobs[2].sale.home_id)):
        bulk.prepare(db, jobs, flow=bench.ready_to_submit)
    with db.read() as session:  # the template, made by the flow, stays; no copy was written
        assert session.execute(select(func.count()).select_from(Contract)).scalar_one() == 1
    assert audit.verify(db, SYSTEM).intact


def test_a_buyer_in_the_register_is_refused(db: Database) -> None:
    """The flow links a registered buyer to their person; the loader copies unlinked buyers only."""
    jobs = _jobs(db, 2)
    with db.read() as session:
        owner_number = session.execute(text("SELECT id_number FROM person WHERE id = :p"),
                                       {"p": jobs[0].sale.seller_id}).scalar_one()
    registered = replace(jobs[1], sale=replace(jobs[1].sale, buyer=replace(jobs[1].sale.buyer, id_number=owner_number)))
    with pytest.raises(bulk.BulkRefused, match="register"):
        bulk.prepare(db, [jobs[0], registered], flow=bench.ready_to_submit)
