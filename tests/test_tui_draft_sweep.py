"""The terminal deletes expired contract drafts at start-up and periodically (seed 002: 24 h)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from test_tui_support import make_app, settle

from core.roles import Role
from storage.models import AuditEntry, Contract
from tests.conftest import freeze, make_operator
from tests.contract_support import NOW, draft_contract


async def test_start_up_sweep_deletes_an_expired_draft(sqlite_sample_db):
    clock = freeze(sqlite_sample_db, NOW)
    clerk = make_operator(sqlite_sample_db, "clerk_sw", Role.CLERK)
    old = draft_contract(sqlite_sample_db, clerk, city="zhongshan")
    clock.advance(hours=24, seconds=1)
    app = make_app(sqlite_sample_db, draft_sweep_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert old.number in app.drafts_swept
    with sqlite_sample_db.read() as s:
        assert s.execute(select(Contract).where(Contract.number == old.number)).scalar_one_or_none() is None
        assert s.execute(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.action == "contract_draft_expired",
                                AuditEntry.case_number == old.case_number)).scalar_one() == 1


async def test_periodic_sweep_while_the_terminal_runs(sqlite_sample_db):
    clock = freeze(sqlite_sample_db, NOW)
    clerk = make_operator(sqlite_sample_db, "clerk_sw", Role.CLERK)
    draft = draft_contract(sqlite_sample_db, clerk, city="zhongshan")
    app = make_app(sqlite_sample_db, draft_sweep_seconds=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert draft.number not in app.drafts_swept  # young at start-up: kept
        clock.advance(hours=25)
        for _ in range(200):  # up to 20 s on a loaded machine; the sweep normally runs within 1 s
            await asyncio.sleep(0.1)
            if draft.number in app.drafts_swept:
                break
        await settle(pilot)
        assert draft.number in app.drafts_swept
