"""保障房选房场次 in the database: rounds, wish lists, forecast, confirm / give up,
run / reopen / verify, supplementary rounds, the status board and results — on both databases."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update

from core.allocation.run_report import ResultLine, RoundReport
from core.allocation.selection import FamilyInput, ResultStatus, RoundInput, resolve
from core.audit import canonical_json
from core.errors import RuleViolation
from core.roles import Actor, Role
from services.allocation import rounds
from services.allocation import run
from services.allocation.simulate import simulate
from storage import migrate
from storage.engine import Database
from storage.models import (
    AllocationRound,
    AuditEntry,
    Family,
    Operator,
    Person,
    PublicHouse,
    RoundFamily,
    RoundJournal,
    SmsMessage,
    SupplementaryApplication,
    Wish,
)
from tests.conftest import accounts_for, at, hall_settings
from tui.factory import open_database

CJK = re.compile(r"[\u4e00-\u9fff]")

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 预选开始
WINDOWS = {
    "pre_open": T0,
    "pre_close": T0 + timedelta(days=1),
    "formal_open": T0 + timedelta(days=2),
    "formal_close": T0 + timedelta(days=2, hours=2),
}
BEFORE = T0 - timedelta(hours=1)
IN_PRE = T0 + timedelta(hours=1)
BETWEEN = T0 + timedelta(days=1, hours=12)  # after pre_close, before formal_open: pre list still editable
IN_FORMAL = T0 + timedelta(days=2, hours=1)
AFTER = T0 + timedelta(days=3)

CLERK = Actor(9001, "clerk_t", "测试窗口", Role.CLERK, "01")
_accounts = accounts_for(CLERK)


def _one_sentence(message: str) -> bool:
    return bool(CJK.search(message)) and message.endswith("。") and message.count("。") == 1


def _refused(code: str, fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value
    assert _one_sentence(err.value.message), err.value.message
    return err.value


# ------------------------------------------------------------------ data helpers


def _supervisor(db: Database, username: str = "super_t") -> Actor:
    """A supervisor with an operator row (a round's case needs a holder), without argon2."""
    with db.write() as s:
        op = Operator(username=username, name="测试主管", role="supervisor", password_hash="x", created_at=T0)
        s.add(op)
        s.flush()
        return Actor(op.id, username, "测试主管", Role.SUPERVISOR)


_person_seq = iter(range(1, 10**6))


def _houses(db: Database, codes: list[str], layouts: dict[str, str] | None = None,
            states: dict[str, str] | None = None, building: str = "A") -> dict[str, int]:
    """Houses in board order = list order (floor by 4s, room by index)."""
    out = {}
    with db.write() as s:
        start = s.execute(select(func.count()).select_from(PublicHouse)).scalar_one()
        for i, code in enumerate(codes, start=start):
            h = PublicHouse(code=code, project="龙悦居", building=building, floor=1 + i // 4, room=f"{i:03d}",
                            layout=(layouts or {}).get(code, "1b"), orientation="南", area=Decimal("45.50"),
                            monthly_rent=Decimal("1200.00"), state=(states or {}).get(code, "free"))
            s.add(h)
            s.flush()
            out[code] = h.id
    return out


def _families(db: Database, n: int, *, start_rank: int = 1, eligible: str = "studio,1b,2b",
              names: list[str] | None = None, phones: bool = True) -> list[int]:
    """``n`` families with ranks start_rank… (returned in rank order)."""
    ids = []
    with db.write() as s:
        for i in range(n):
            k = next(_person_seq)
            p = Person(name=(names[i] if names else f"张{'一二三四五六七八九十'[i % 10]}{k}"), id_kind="resident_id",
                       id_number=f"T{k:017d}", region="mainland", phone=f"139{k:08d}" if phones else None)
            s.add(p)
            s.flush()
            f = Family(main_applicant_id=p.id, rank=start_rank + i, size=2, status="waiting", eligible_layouts=eligible)
            s.add(f)
            s.flush()
            ids.append(f.id)
    return ids


def _round(db: Database, actor: Actor, family_ids: list[int], number: int = 1, **kw) -> int:
    """A round made an hour before its pre-selection opens (a new round's times lie ahead)."""
    windows = {**WINDOWS, **kw}
    made_at = min(windows["pre_open"], windows["formal_open"]) - timedelta(hours=1)
    return rounds.create_round(at(db, made_at), actor, number=number, name=f"测试第{number}场",
                               family_ids=family_ids, **windows)


def _set_formal(db: Database, round_id: int, family_id: int, house_ids: list[int]) -> None:
    """A formal list written directly (tests of the run do not need the window dance)."""
    with db.write() as s:
        s.execute(Wish.__table__.delete().where(Wish.round_id == round_id, Wish.family_id == family_id,
                                                Wish.list_kind == "formal"))
        for pos, h in enumerate(house_ids, start=1):
            s.add(Wish(round_id=round_id, family_id=family_id, list_kind="formal", position=pos, house_id=h))


def _codes_of(db: Database, round_id: int, family_id: int, kind: str) -> list[str]:
    return [line.code for line in rounds.wish_list(db, CLERK, round_id, family_id, kind).lines]


TABLES = ("allocation_round", "round_family", "public_house", "family", "wish", "round_journal", "audit_entry",
          "supplementary_application", "sms_message", "case_file")


def _snapshot(db: Database) -> dict[str, list[tuple]]:
    with db.read() as s:
        return {t: [tuple(r) for r in s.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in TABLES}


# ------------------------------------------------------------------ rounds


def test_create_round_and_its_refusals(db):
    boss = _supervisor(db)
    fams = _families(db, 3)
    _houses(db, ["H01", "H02"])
    _refused("ROLE_FORBIDDEN", rounds.create_round, db, CLERK, number=1, name="x", family_ids=fams, **WINDOWS)
    bad = dict(WINDOWS, pre_close=T0)
    _refused("ROUND_WINDOW_ORDER", rounds.create_round, db, boss, number=1, name="x", family_ids=fams, **bad)
    bad = dict(WINDOWS, formal_open=WINDOWS["pre_close"] - timedelta(minutes=1))
    _refused("ROUND_WINDOW_ORDER", rounds.create_round, db, boss, number=1, name="x", family_ids=fams, **bad)
    bad = dict(WINDOWS, formal_close=WINDOWS["formal_open"])
    _refused("ROUND_WINDOW_ORDER", rounds.create_round, db, boss, number=1, name="x", family_ids=fams, **bad)
    bad = dict(WINDOWS, pre_open=datetime(2026, 3, 2, 1, 0))
    _refused("ROUND_WINDOW_INVALID", rounds.create_round, db, boss, number=1, name="x", family_ids=fams, **bad)
    _refused("ROUND_NO_FAMILIES", _round, db, boss, [])
    _refused("ROUND_FAMILY_NOT_FOUND", _round, db, boss, [fams[0], 99999])
    _refused("ROUND_FAMILY_REPEATED", _round, db, boss, [fams[0], fams[0]])
    _refused("ROUND_NAME_EMPTY", rounds.create_round, db, boss, number=1, name="  ", family_ids=fams, **WINDOWS)
    for bad_name in ("第五批😀", "第五批\x1b[2J", "第五批\n公租房"):  # every family's screen and text shows it
        _refused("TEXT_BAD_CHARACTERS", rounds.create_round, db, boss, number=1, name=bad_name, family_ids=fams,
                 **WINDOWS)
    _refused("ROUND_NUMBER_INVALID", _round, db, boss, fams, number=0)

    rid = _round(db, boss, [fams[2], fams[0]])
    _refused("ROUND_NUMBER_TAKEN", _round, db, boss, [fams[1]], number=1)
    err = _refused("ROUND_FAMILY_BUSY", _round, db, boss, [fams[1], fams[0]], number=2)
    assert "第1场" in err.message

    detail = rounds.round_detail(db, CLERK, rid)
    assert (detail.number, detail.status, detail.status_label, detail.kind) == (1, "open", "选房中", "regular")
    assert (detail.families, detail.confirmed, detail.gave_up, detail.houses_free) == (2, 0, 0, 2)
    assert detail.formal_open == WINDOWS["formal_open"]
    assert detail.case_number and detail.case_number.startswith("P")
    with db.read() as s:
        ranks = s.execute(select(RoundFamily.family_id, RoundFamily.rank).where(RoundFamily.round_id == rid)
                          .order_by(RoundFamily.rank)).all()
        actions = list(s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())
    assert [tuple(r) for r in ranks] == [(fams[0], 1), (fams[2], 3)]  # each family at its Family.rank
    assert actions == ["case_accept", "round_create"]
    assert [(r.number, r.families) for r in rounds.rounds_list(db, CLERK)] == [(1, 2)]
    _refused("ROUND_NOT_FOUND", rounds.round_detail, db, CLERK, 999)


# ------------------------------------------------------------------ wish lists


def test_wish_edits_only_inside_their_windows(db):
    boss = _supervisor(db)
    f1, f2 = _families(db, 2)
    h = _houses(db, ["H01", "H02", "H03", "H04"], states={"H04": "reserved"})
    rid = _round(db, boss, [f1])

    err = _refused("WISH_PRE_WINDOW_CLOSED", rounds.add_wish, at(db, BEFORE), CLERK, rid, f1, h["H01"], "pre")
    assert "预选" in err.message
    assert rounds.add_wish(at(db, IN_PRE), CLERK, rid, f1, h["H01"], "pre") == 1
    assert rounds.add_wish(at(db, BETWEEN), CLERK, rid, f1, h["H02"], "pre") == 2  # until formal_open
    _refused("WISH_PRE_WINDOW_CLOSED", rounds.add_wish, at(db, WINDOWS["formal_open"]), CLERK, rid, f1, h["H03"], "pre")
    err = _refused("WISH_FORMAL_WINDOW_CLOSED", rounds.add_wish, at(db, IN_PRE), CLERK, rid, f1, h["H03"], "formal")
    assert "正选" in err.message
    assert rounds.add_wish(at(db, IN_FORMAL), CLERK, rid, f1, h["H03"], "formal") == 1
    _refused("WISH_FORMAL_WINDOW_CLOSED", rounds.add_wish, at(db, AFTER), CLERK, rid, f1, h["H01"], "formal")
    _refused("WISH_ALREADY_LISTED", rounds.add_wish, at(db, IN_PRE), CLERK, rid, f1, h["H01"], "pre")
    _refused("WISH_HOUSE_NOT_FREE", rounds.add_wish, at(db, IN_PRE), CLERK, rid, f1, h["H04"], "pre")
    _refused("HOUSE_NOT_FOUND", rounds.add_wish, at(db, IN_PRE), CLERK, rid, f1, 99999, "pre")
    _refused("ROUND_FAMILY_NOT_IN_ROUND", rounds.add_wish, at(db, IN_PRE), CLERK, rid, f2, h["H01"], "pre")
    _refused("WISH_BAD_LIST_KIND", rounds.add_wish, at(db, IN_PRE), CLERK, rid, f1, h["H01"], "cart")

    rounds.add_wish(at(db, IN_PRE), CLERK, rid, f1, h["H03"], "pre")
    assert _codes_of(db, rid, f1, "pre") == ["H01", "H02", "H03"]
    assert rounds.move_wish(at(db, IN_PRE), CLERK, rid, f1, 3, "top") == 1
    assert _codes_of(db, rid, f1, "pre") == ["H03", "H01", "H02"]
    assert rounds.move_wish(at(db, IN_PRE), CLERK, rid, f1, 2, "down") == 3
    assert rounds.move_wish(at(db, IN_PRE), CLERK, rid, f1, 2, "up") == 1
    assert _codes_of(db, rid, f1, "pre") == ["H02", "H03", "H01"]
    _refused("WISH_ALREADY_FIRST", rounds.move_wish, at(db, IN_PRE), CLERK, rid, f1, 1, "up")
    _refused("WISH_ALREADY_LAST", rounds.move_wish, at(db, IN_PRE), CLERK, rid, f1, 3, "down")
    _refused("WISH_BAD_POSITION", rounds.move_wish, at(db, IN_PRE), CLERK, rid, f1, 4, "up")
    _refused("WISH_BAD_DIRECTION", rounds.move_wish, at(db, IN_PRE), CLERK, rid, f1, 2, "left")
    _refused("WISH_PRE_WINDOW_CLOSED", rounds.move_wish, at(db, IN_FORMAL), CLERK, rid, f1, 2, "up")
    rounds.delete_wish(at(db, IN_PRE), CLERK, rid, f1, 2)
    assert _codes_of(db, rid, f1, "pre") == ["H02", "H01"]
    _refused("WISH_PRE_WINDOW_CLOSED", rounds.delete_wish, at(db, AFTER), CLERK, rid, f1, 1)
    with db.read() as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    assert last.action == "wish_delete" and last.operator == "clerk_t"
    assert json.loads(last.before)["houses"] == ["H02", "H03", "H01"]
    assert json.loads(last.after)["houses"] == ["H02", "H01"]


def test_sync_overwrites_the_formal_list(db):
    boss = _supervisor(db)
    (f1,) = _families(db, 1)
    h = _houses(db, ["H01", "H02", "H03"])
    rid = _round(db, boss, [f1])
    _refused("WISH_SYNC_EMPTY", rounds.sync_formal, at(db, IN_FORMAL), CLERK, rid, f1)
    rounds.add_wish(at(db, IN_PRE), CLERK, rid, f1, h["H02"], "pre")
    rounds.add_wish(at(db, IN_PRE), CLERK, rid, f1, h["H01"], "pre")
    _refused("WISH_FORMAL_WINDOW_CLOSED", rounds.sync_formal, at(db, IN_PRE), CLERK, rid, f1)
    rounds.add_wish(at(db, IN_FORMAL), CLERK, rid, f1, h["H03"], "formal")
    assert rounds.sync_formal(at(db, IN_FORMAL), CLERK, rid, f1) == 2
    assert _codes_of(db, rid, f1, "formal") == ["H02", "H01"]  # H03, chosen in the formal list, is gone
    assert _codes_of(db, rid, f1, "pre") == ["H02", "H01"]


def test_wish_list_lines_and_lint(db):
    boss = _supervisor(db)
    fams = _families(db, 4, eligible="1b")
    h = _houses(db, ["H01", "H02", "H03", "H04", "H05"], layouts={"H02": "3b"})
    rid = _round(db, boss, fams)
    f1, f4 = fams[0], fams[3]
    rounds.add_wish(at(db, IN_FORMAL), CLERK, rid, f1, h["H01"], "formal")
    rounds.confirm_house(at(db, IN_FORMAL), CLERK, rid, f1, h["H01"])
    for code in ("H01", "H02", "H03"):
        rounds.add_wish(at(db, IN_PRE), CLERK, rid, f4, h[code], "pre")
    with db.write() as s:  # a duplicate line can only come from outside the service
        s.add(Wish(round_id=rid, family_id=f4, list_kind="pre", position=4, house_id=h["H03"]))
    wl = rounds.wish_list(db, CLERK, rid, f4, "pre")
    assert [(ln.position, ln.code, ln.layout, ln.state, ln.label) for ln in wl.lines] == [
        (1, "H01", "1b", "taken", "第1场 第1位选定"),  # confirmed by the family ranked first
        (2, "H02", "3b", "free", "可选"),
        (3, "H03", "1b", "free", "可选"),
        (4, "H03", "1b", "free", "可选"),
    ]
    assert wl.lines[0].monthly_rent == Decimal("1200.00") and wl.lines[0].building == "A"
    assert [w.code for w in wl.lint] == ["WISH_TAKEN", "WISH_NOT_ELIGIBLE", "WISH_DUPLICATE", "WISH_LIST_TOO_SHORT"]
    assert "第 4 位" in wl.lint[-1].message  # 4th of the round, 5 houses free: needs 4 valid wishes
    assert "三房一厅" in wl.lint[1].message and "3b" not in wl.lint[1].message  # layouts by their Chinese names
    assert all(_one_sentence(w.message) for w in wl.lint)
    # For the family that confirmed it, its own house is not "taken".
    assert rounds.wish_list(db, CLERK, rid, f1, "formal").lint == []


# ------------------------------------------------------------------ forecast, confirm, give up


def test_forecast_explains_with_codes_and_ranks(db):
    boss = _supervisor(db)
    f1, f2, f3 = _families(db, 3)
    h = _houses(db, ["H01", "H02", "H03"])
    rid = _round(db, boss, [f1, f2, f3])
    _set_formal(db, rid, f1, [h["H01"], h["H02"]])
    _set_formal(db, rid, f2, [h["H01"], h["H03"]])
    _set_formal(db, rid, f3, [h["H01"], h["H03"], h["H02"]])
    fc = rounds.forecast(db, CLERK, rid, f3)
    assert (fc.rank, fc.house_code, fc.status, fc.status_label) == (3, "H02", "allocated", "已分配")
    assert [(b.house, b.taken_by_rank) for b in fc.blocked] == [("H01", 1), ("H03", 2)]
    assert fc.explanation[0] == f"按当前意向，家庭 {f3} 将选中房源 H02。"
    assert fc.explanation[1] == f"房源 H01 已被排位第 1 位的家庭 {f1} 选定。"
    # A family ranked first is not affected by those after it.
    assert rounds.forecast(db, CLERK, rid, f1).house_code == "H01"
    # Only the formal list counts: a pre-selection alone forecasts nothing.
    (f4,) = _families(db, 1, start_rank=4)
    rid2 = _round(db, boss, [f4], number=2)
    rounds.add_wish(at(db, IN_PRE), CLERK, rid2, f4, h["H01"], "pre")
    assert rounds.forecast(db, CLERK, rid2, f4).status == "not_allocated"


def test_confirm_and_give_up_rules(db):
    boss = _supervisor(db)
    f1, f2, f3, f4 = _families(db, 4)
    h = _houses(db, ["H01", "H02", "H03", "H04"])
    rid = _round(db, boss, [f1, f2, f3])
    _set_formal(db, rid, f1, [h["H01"]])
    _set_formal(db, rid, f2, [h["H01"], h["H02"]])
    _set_formal(db, rid, f3, [h["H03"], h["H04"]])
    _refused("CONFIRM_WINDOW_CLOSED", rounds.confirm_house, at(db, IN_PRE), CLERK, rid, f2, h["H02"])
    _refused("CONFIRM_WINDOW_CLOSED", rounds.confirm_house, at(db, AFTER), CLERK, rid, f2, h["H02"])
    _refused("CONFIRM_NOT_ON_LIST", rounds.confirm_house, at(db, IN_FORMAL), CLERK, rid, f2, h["H03"])
    err = _refused("CONFIRM_HOUSE_TAKEN", rounds.confirm_house, at(db, IN_FORMAL), CLERK, rid, f2, h["H01"])
    assert "排位第 1 位" in err.message  # the family ranked first takes it by its list
    rounds.confirm_house(at(db, IN_FORMAL), CLERK, rid, f2, h["H02"])
    _refused("FAMILY_CONFIRMED", rounds.confirm_house, at(db, IN_FORMAL), CLERK, rid, f2, h["H02"])
    _refused("FAMILY_CONFIRMED", rounds.add_wish, at(db, IN_FORMAL), CLERK, rid, f2, h["H03"], "formal")
    _refused("FAMILY_CONFIRMED", rounds.give_up, at(db, IN_FORMAL), CLERK, rid, f2, "不想要了")
    assert rounds.round_detail(db, CLERK, rid).confirmed == 1

    # A house confirmed in another round not yet run cannot be confirmed here.
    rid2 = _round(db, boss, [f4], number=2)
    _set_formal(db, rid2, f4, [h["H02"], h["H04"]])
    err = _refused("CONFIRM_HOUSE_TAKEN", rounds.confirm_house, at(db, IN_FORMAL), CLERK, rid2, f4, h["H02"])
    assert "第1场第2位" in err.message

    _refused("GIVE_UP_REASON_EMPTY", rounds.give_up, at(db, IN_FORMAL), CLERK, rid, f3, "  ")
    _refused("GIVE_UP_CLOSED", rounds.give_up, at(db, AFTER), CLERK, rid, f3, "工作调动")
    rounds.give_up(at(db, IN_FORMAL), CLERK, rid, f3, "工作调动")
    _refused("FAMILY_GAVE_UP", rounds.give_up, at(db, IN_FORMAL), CLERK, rid, f3, "工作调动")
    _refused("FAMILY_GAVE_UP", rounds.confirm_house, at(db, IN_FORMAL), CLERK, rid, f3, h["H03"])
    _refused("FAMILY_GAVE_UP", rounds.add_wish, at(db, IN_FORMAL), CLERK, rid, f3, h["H01"], "formal")
    with db.read() as s:
        assert s.get(Family, f3).status == "gave_up"
        rf = s.execute(select(RoundFamily).where(RoundFamily.family_id == f3)).scalar_one()
        assert rf.gave_up and rf.gave_up_at == IN_FORMAL
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    assert last.action == "round_give_up" and json.loads(last.after)["reason"] == "工作调动"
    assert rounds.round_detail(db, CLERK, rid).gave_up == 1


# ------------------------------------------------------------------ run


def _standard_round(db: Database, boss: Actor):
    """Five families over five houses: a confirm, a give-up, a taken better wish, a family with no list."""
    fams = _families(db, 5)
    h = _houses(db, ["H01", "H02", "H03", "H04", "H05"])
    rid = _round(db, boss, fams)
    f1, f2, f3, f4, f5 = fams
    _set_formal(db, rid, f1, [h["H02"], h["H01"]])
    _set_formal(db, rid, f2, [h["H02"], h["H03"]])
    _set_formal(db, rid, f3, [h["H04"]])
    _set_formal(db, rid, f4, [h["H04"], h["H05"], h["H01"]])
    rounds.confirm_house(at(db, IN_FORMAL), CLERK, rid, f4, h["H05"])
    rounds.give_up(at(db, IN_FORMAL), CLERK, rid, f3, "已购房")
    expected = RoundInput(
        ("H01", "H02", "H03", "H04", "H05"),
        (FamilyInput(str(f1), 1, ("H02", "H01")), FamilyInput(str(f2), 2, ("H02", "H03")),
         FamilyInput(str(f3), 3, ("H04",), gave_up=True), FamilyInput(str(f4), 4, ("H04", "H05", "H01"), "H05"),
         FamilyInput(str(f5), 5, ())),
        family_json_ids={str(f): f for f in fams},
    )
    return rid, fams, h, expected


def test_run_gives_what_the_rule_gives(db):
    boss = _supervisor(db)
    rid, fams, h, expected = _standard_round(db, boss)
    _refused("ROUND_NOT_CLOSED", rounds.run_round, at(db, IN_FORMAL), boss, rid)
    _refused("ROLE_FORBIDDEN", rounds.run_round, at(db, AFTER), CLERK, rid)
    seen = []
    report = rounds.run_round(at(db, AFTER), boss, rid, progress=lambda d, n: seen.append((d, n)))
    assert seen == [(d, rounds.RUN_PHASES) for d in range(1, 8)] and rounds.RUN_PHASES == 7
    assert report == RoundReport.of(expected, resolve(expected))
    f1, f2, f3, f4, f5 = fams
    assert [(r.family, r.house, r.status) for r in report.results] == [
        (f1, "H02", "allocated"), (f2, "H03", "allocated"), (f3, None, "gave_up"), (f4, "H05", "confirmed"),
        (f5, None, "not_allocated")]
    assert report.free_after == ("H01", "H04")
    assert report.counts() == {ResultStatus.CONFIRMED: 1, ResultStatus.ALLOCATED: 2, ResultStatus.NOT_ALLOCATED: 1,
                               ResultStatus.GAVE_UP: 1}
    with db.read() as s:
        rnd = s.get(AllocationRound, rid)
        assert (rnd.status, rnd.run_count, rnd.published_at) == ("published", 1, AFTER)
        houses = {p.code: (p.state, p.taken_round_id, p.taken_family_id, p.taken_rank)
                  for p in s.execute(select(PublicHouse)).scalars()}
        status = {f.id: f.status for f in s.execute(select(Family)).scalars()}
        journal = s.execute(select(RoundJournal).order_by(RoundJournal.seq)).scalars().all()
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    assert houses == {"H01": ("free", None, None, None), "H02": ("taken", rid, f1, 1), "H03": ("taken", rid, f2, 2),
                      "H04": ("free", None, None, None), "H05": ("taken", rid, f4, 4)}
    assert status == {f1: "allocated", f2: "allocated", f3: "gave_up", f4: "allocated", f5: "not_allocated"}
    assert [j.kind for j in journal] == ["inputs", "picks", "summary"]
    picks = [json.loads(line) for line in journal[1].payload.split("\n")]
    assert [pick["family"] for pick in picks] == [f1, f2, f3, f4, f5]  # rank order
    assert picks[0] == {"family": f1, "rank": 1, "house": "H02", "status": "allocated"}
    assert journal[0].prev_hash == "0" * 64 and rnd.journal_head == journal[-1].hash
    assert last.action == "round_run" and json.loads(last.after)["run"] == 1
    assert json.loads(journal[-1].payload) == {
        "families": 5, "counts": {"confirmed": 1, "allocated": 2, "not_allocated": 1, "gave_up": 1},
        "free_after": ["H01", "H04"], "warnings": []}
    assert {k: v for k, v in json.loads(last.after).items() if k != "journal_head"} == {
        "status": "published", "run": 1, "families": 5, "confirmed": 1, "allocated": 2, "not_allocated": 1,
        "gave_up": 1, "free_after": 2, "warnings": 0}
    detail = rounds.round_detail(db, CLERK, rid)
    assert (detail.allocated, detail.not_allocated, detail.houses_free) == (3, 1, 2)
    _refused("ROUND_PUBLISHED", rounds.add_wish, at(db, IN_FORMAL), CLERK, rid, f5, h["H01"], "formal")
    # After the run a family's own house is not "taken" for it; another family's is.
    assert rounds.wish_list(db, CLERK, rid, f1, "formal").lint == []
    assert [(w.code, w.message) for w in rounds.wish_list(db, CLERK, rid, f2, "formal").lint][0] == (
        "WISH_TAKEN", "房源 H02 已被其他家庭选定。")


def test_dry_run_writes_nothing(db):
    boss = _supervisor(db)
    rid, _, _, expected = _standard_round(db, boss)
    before = _snapshot(db)
    seen = []
    report = rounds.run_round(at(db, IN_FORMAL), boss, rid, dry_run=True,  # a preview may run early
                              progress=lambda d, n: seen.append((d, n)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert _snapshot(db) == before
    assert report == RoundReport.of(expected, resolve(expected))
    assert rounds.run_round(at(db, AFTER), boss, rid) == report


def test_rerun_refused_until_reopen_then_deterministic(db):
    boss = _supervisor(db)
    rid, fams, _, _ = _standard_round(db, boss)
    first = rounds.run_round(at(db, AFTER), boss, rid)
    detail, results = rounds.round_overview(db, CLERK, rid)
    assert detail.status == "published" and results == rounds.round_results(db, CLERK, rid) != []
    err = _refused("ROUND_ALREADY_PUBLISHED", rounds.run_round, at(db, AFTER), boss, rid)
    assert "撤回" in err.message
    _refused("ROUND_ALREADY_PUBLISHED", rounds.run_round, at(db, AFTER), boss, rid, dry_run=True)
    _refused("ROUND_REOPEN_REASON_EMPTY", rounds.reopen_round, db, boss, rid, " ")
    _refused("ROLE_FORBIDDEN", rounds.reopen_round, db, CLERK, rid, "复核")
    rounds.reopen_round(db, boss, rid, "复核选房结果")
    # The overview reads detail and results in one transaction: a reopened round has none,
    # and never a refusal (round_results alone would refuse it).
    detail, results = rounds.round_overview(db, CLERK, rid)
    assert (detail.status, results) == ("reopened", [])
    _refused("ROUND_NOT_PUBLISHED", rounds.reopen_round, db, boss, rid, "再次")
    with db.read() as s:
        assert s.get(AllocationRound, rid).status == "reopened"
        assert set(s.execute(select(PublicHouse.state)).scalars()) == {"free"}
        assert set(s.execute(select(RoundFamily.result_status)).scalars()) == {None}
        assert {f.id: f.status for f in s.execute(select(Family)).scalars()}[fams[2]] == "gave_up"
        assert {f.status for f in s.execute(select(Family)).scalars() if f.id != fams[2]} == {"waiting"}
    assert rounds.verify_round(db, CLERK, rid).ok  # the journal of run 1 still replays
    second = rounds.run_round(at(db, AFTER), boss, rid)
    assert second == first
    with db.read() as s:
        rows = s.execute(select(RoundJournal.run, RoundJournal.seq, RoundJournal.kind, RoundJournal.payload,
                                RoundJournal.hash).order_by(RoundJournal.run, RoundJournal.seq)).all()
        assert s.get(AllocationRound, rid).run_count == 2
    run1 = [r for r in rows if r.run == 1]
    run2 = [r for r in rows if r.run == 2]
    assert [(r.seq, r.kind, r.payload) for r in run1] == [(r.seq, r.kind, r.payload) for r in run2]
    # The hashes are a pure function of (run, payloads): run 2 re-chains run 1's payloads exactly.
    inputs = json.loads(run1[0].payload)
    assert [d for *_, d in run.journal_rows(2, inputs, second)] == [r.hash for r in run2]
    assert [d for *_, d in run.journal_rows(1, inputs, first)] == [r.hash for r in run1]
    report = rounds.verify_round(db, CLERK, rid)
    assert report.ok and report.run == 2 and report.rows == 3
    # A family with a house cannot join another round; one without may, and then the round stays published.
    _refused("ROUND_FAMILY_ALLOCATED", _round, db, boss, [fams[0]], number=2)
    _round(db, boss, [fams[4]], number=2)
    _refused("ROUND_REOPEN_FAMILY_MOVED_ON", rounds.reopen_round, db, boss, rid, "复核")


def test_a_house_taken_in_round_one_is_not_free_in_round_two(db):
    boss = _supervisor(db)
    f1, f2 = _families(db, 2)
    h = _houses(db, ["H01", "H02"])
    r1 = _round(db, boss, [f1])
    _set_formal(db, r1, f1, [h["H01"]])
    rounds.run_round(at(db, AFTER), boss, r1)
    r2 = _round(db, boss, [f2], number=2)
    _refused("WISH_HOUSE_NOT_FREE", rounds.add_wish, at(db, IN_FORMAL), CLERK, r2, f2, h["H01"], "formal")
    _set_formal(db, r2, f2, [h["H01"], h["H02"]])  # as if listed before round 1 ran
    assert [w.code for w in rounds.wish_list(db, CLERK, r2, f2, "formal").lint] == ["WISH_TAKEN"]
    _refused("CONFIRM_HOUSE_TAKEN", rounds.confirm_house, at(db, IN_FORMAL), CLERK, r2, f2, h["H01"])
    report = rounds.run_round(at(db, AFTER), boss, r2)
    assert report.results == (ResultLine(f2, 2, "H02", ResultStatus.ALLOCATED),)
    assert report.warnings == (f"家庭 {f2} 的意向房源 H01 不在本场次房源池中，已跳过。",)
    with db.read() as s:
        assert s.execute(select(PublicHouse.taken_round_id).where(PublicHouse.id == h["H01"])).scalar_one() == r1


def test_verify_detects_edits(db):
    boss = _supervisor(db)
    rid, fams, h, _ = _standard_round(db, boss)
    report_run = rounds.run_round(at(db, AFTER), boss, rid)
    ok = rounds.verify_round(db, CLERK, rid)
    assert ok.ok and ok.run == 1 and ok.rows == 3 and _one_sentence(ok.message)
    assert "5 户家庭" in ok.message
    _refused("ROUND_NOT_FOUND", rounds.verify_round, db, CLERK, 999)

    # 1. An edited pick breaks its row's hash.
    with db.write() as s:
        original = s.execute(select(RoundJournal.payload).where(RoundJournal.seq == 2)).scalar_one()
        lines = original.split("\n")
        lines[1] = canonical_json({"family": fams[1], "rank": 2, "house": "H01", "status": "allocated"})
        forged = "\n".join(lines)
        s.execute(update(RoundJournal).where(RoundJournal.seq == 2).values(payload=forged))
    bad = rounds.verify_round(db, CLERK, rid)
    assert not bad.ok and bad.seq == 2 and "篡改" in bad.message and _one_sentence(bad.message)

    # 2. A forger who re-chains the hashes is caught by the replay, which names the family.
    rows = run.journal_rows(1, json.loads(_journal(db)[0]), report_run)
    _rewrite_journal(db, rid, [(seq, kind, forged if seq == 2 else payload) for seq, kind, payload, _, _ in rows])
    bad = rounds.verify_round(db, CLERK, rid)
    assert not bad.ok and bad.seq == 2 and bad.family_id == fams[1] and "重算" in bad.message

    # 3. Restore the journal, then edit a stored result.
    _rewrite_journal(db, rid, [row[:3] for row in rows])
    assert original == rows[1][2]
    assert rounds.verify_round(db, CLERK, rid).ok
    with db.write() as s:
        s.execute(update(RoundFamily).where(RoundFamily.family_id == fams[1]).values(result_house_id=h["H04"]))
    bad = rounds.verify_round(db, CLERK, rid)
    assert not bad.ok and bad.family_id == fams[1] and "数据库" in bad.message and _one_sentence(bad.message)

    # 4. A deleted tail row is noticed through the round's journal head.
    with db.write() as s:
        s.execute(update(RoundFamily).where(RoundFamily.family_id == fams[1]).values(result_house_id=h["H03"]))
        s.execute(RoundJournal.__table__.delete().where(RoundJournal.seq == 3))
    assert not rounds.verify_round(db, CLERK, rid).ok


def _rewrite_journal(db: Database, rid: int, rows: list[tuple[int, str, str]]) -> None:
    """Replace run 1's journal with ``rows`` (seq, kind, payload), re-chained as a forger would."""
    with db.write() as s:
        s.execute(RoundJournal.__table__.delete().where(RoundJournal.round_id == rid))
        prev = "0" * 64
        for seq, kind, payload in rows:
            digest = run.journal_hash(prev, 1, seq, kind, payload)
            s.add(RoundJournal(round_id=rid, run=1, seq=seq, kind=kind, payload=payload, prev_hash=prev, hash=digest))
            prev = digest
        s.execute(update(AllocationRound).where(AllocationRound.id == rid).values(journal_head=prev))


def test_picks_are_grouped_and_a_journal_of_one_row_per_family_still_verifies(db, monkeypatch):
    """Picks go PICKS_PER_ROW to a row (the last row holds the rest); journals written before
    the grouping, with one "pick" row per family, replay as they did."""
    boss = _supervisor(db)
    rid, fams, _, _ = _standard_round(db, boss)
    monkeypatch.setattr(run, "PICKS_PER_ROW", 2)
    rounds.run_round(at(db, AFTER), boss, rid)
    with db.read() as s:
        journal = s.execute(select(RoundJournal).order_by(RoundJournal.seq)).scalars().all()
    assert [(j.kind, j.payload.count("\n") + 1) for j in journal[1:-1]] == [("picks", 2), ("picks", 2), ("picks", 1)]
    assert rounds.verify_round(db, CLERK, rid).ok

    picks = [line for j in journal[1:-1] for line in j.payload.split("\n")]
    old = [(1, "inputs", journal[0].payload)] + [(2 + i, "pick", line) for i, line in enumerate(picks)]
    old.append((len(old) + 1, "summary", journal[-1].payload))
    _rewrite_journal(db, rid, old)
    ok = rounds.verify_round(db, CLERK, rid)
    assert ok.ok and ok.rows == 7
    forged = list(old)
    forged[3] = (4, "pick", canonical_json({"family": fams[2], "rank": 3, "house": "H01", "status": "allocated"}))
    _rewrite_journal(db, rid, forged)
    bad = rounds.verify_round(db, CLERK, rid)
    assert not bad.ok and bad.seq == 4 and bad.family_id == fams[2] and "重算" in bad.message


def _journal(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.execute(select(RoundJournal.payload).order_by(RoundJournal.seq)).scalars())


def test_journal_inputs_are_canonical_whatever_the_house_codes(db):
    """The run writes its inputs row directly (core.allocation.round_file.round_text): it must be
    the canonical JSON of the round loaded, plain codes or codes that need escaping alike."""
    boss = _supervisor(db)
    pool: list[str] = []  # the houses free when each round runs, in board order
    for number, codes in ((1, ["H01", "H02", "H03"]), (2, ['房"01', "房\\02", "H\t03"])):
        first = 1 + 3 * (number - 1)
        f1, f2, f3 = _families(db, 3, start_rank=first)
        h = _houses(db, codes, building=f"B{number}")
        pool += codes
        rid = _round(db, boss, [f1, f2, f3], number=number)
        _set_formal(db, rid, f1, [h[codes[1]], h[codes[0]]])
        _set_formal(db, rid, f2, [h[codes[1]], h[codes[2]]])  # f3 has no list
        report = rounds.run_round(at(db, AFTER), boss, rid)
        with db.read() as s:
            inputs = s.execute(select(RoundJournal.payload).where(RoundJournal.round_id == rid,
                                                                  RoundJournal.seq == 1)).scalar_one()
        assert inputs == canonical_json({"houses": pool, "families": [
            {"id": f1, "rank": first, "wishes": [codes[1], codes[0]], "confirm": None, "gave_up": False},
            {"id": f2, "rank": first + 1, "wishes": [codes[1], codes[2]], "confirm": None, "gave_up": False},
            {"id": f3, "rank": first + 2, "wishes": [], "confirm": None, "gave_up": False}]})
        assert [(line.house, line.status) for line in report.results] == [
            (codes[1], "allocated"), (codes[2], "allocated"), (None, "not_allocated")]
        assert rounds.verify_round(db, CLERK, rid).ok
        pool.remove(codes[1])
        pool.remove(codes[2])


def test_verify_a_round_never_run(db):
    boss = _supervisor(db)
    (f1,) = _families(db, 1)
    rid = _round(db, boss, [f1])
    report = rounds.verify_round(db, CLERK, rid)
    assert not report.ok and report.run is None and _one_sentence(report.message)


def test_a_crash_in_the_write_phase_leaves_the_old_state(db, monkeypatch):
    boss = _supervisor(db)
    rid, _, _, _ = _standard_round(db, boss)
    before = _snapshot(db)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(run, "_write_journal", boom)  # after results, houses and families were written
    with pytest.raises(RuntimeError):
        rounds.run_round(at(db, AFTER), boss, rid)
    assert _snapshot(db) == before
    with db.read() as s:
        assert s.get(AllocationRound, rid).status == "open"
        assert set(s.execute(select(PublicHouse.state)).scalars()) == {"free"}
        assert s.execute(select(func.count()).select_from(RoundJournal)).scalar_one() == 0
    monkeypatch.undo()
    assert rounds.run_round(at(db, AFTER), boss, rid).free_after == ("H01", "H04")


def test_a_house_taken_meanwhile_aborts_the_run(db, monkeypatch):
    boss = _supervisor(db)
    rid, _, h, _ = _standard_round(db, boss)
    before = _snapshot(db)
    real = run._take_houses

    def steal_then_take(session, round_id, loaded, result):  # another round took H02 after we loaded
        session.execute(update(PublicHouse).where(PublicHouse.id == h["H02"]).values(state="reserved"))
        real(session, round_id, loaded, result)

    monkeypatch.setattr(run, "_take_houses", steal_then_take)
    _refused("ROUND_HOUSE_CONFLICT", rounds.run_round, at(db, AFTER), boss, rid)
    assert _snapshot(db) == before


def test_two_runs_at_once_one_wins(db):
    boss = _supervisor(db)
    rid, _, _, _ = _standard_round(db, boss)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def worker() -> None:
        mine = db.reopen()
        try:
            barrier.wait()
            outcomes.append(rounds.run_round(at(mine, AFTER), boss, rid))
        except RuleViolation as exc:
            outcomes.append(exc.code)
        finally:
            mine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["ROUND_ALREADY_PUBLISHED"]
    assert len([o for o in outcomes if isinstance(o, RoundReport)]) == 1
    with db.read() as s:
        taken = s.execute(select(PublicHouse.code).where(PublicHouse.state == "taken")).scalars().all()
        assert sorted(taken) == ["H02", "H03", "H05"]
        assert s.execute(select(func.count()).select_from(RoundJournal)).scalar_one() == 3
        assert s.get(AllocationRound, rid).run_count == 1


# ------------------------------------------------------------------ supplementary rounds


def test_supplementary_applications_and_forming(db):
    boss = _supervisor(db)
    rid, fams, h, _ = _standard_round(db, boss)
    f1, f2, f3, f4, f5 = fams
    (f6,) = _families(db, 1, start_rank=6, phones=False)
    with db.write() as s:  # f6 joins the round late, with no list at all (missed the round)
        s.add(RoundFamily(round_id=rid, family_id=f6, rank=6))
    _refused("SUPP_ROUND_NOT_PUBLISHED", rounds.apply_supplementary, at(db, AFTER), CLERK, f5, rid)
    rounds.run_round(at(db, AFTER), boss, rid)
    err = _refused("SUPP_GAVE_UP", rounds.apply_supplementary, at(db, AFTER), CLERK, f3, rid)
    assert err.message == "主动放弃选房的家庭不能申请补选。"
    _refused("SUPP_ALLOCATED", rounds.apply_supplementary, at(db, AFTER), CLERK, f1, rid)
    _refused("SUPP_ALLOCATED", rounds.apply_supplementary, at(db, AFTER), CLERK, f4, rid)  # confirmed
    _refused("ROUND_FAMILY_NOT_IN_ROUND", rounds.apply_supplementary, at(db, AFTER), CLERK, 99999, rid)
    _refused("SUPP_NONE_APPLIED", rounds.form_supplementary_round, at(db, AFTER), boss, number=2, name="补选",
             **WINDOWS)
    rounds.apply_supplementary(at(db, AFTER), CLERK, f6, rid)
    rounds.apply_supplementary(at(db, AFTER), CLERK, f5, rid)
    _refused("SUPP_ALREADY_APPLIED", rounds.apply_supplementary, at(db, AFTER), CLERK, f5, rid)
    _refused("ROUND_REOPEN_HAS_SUPPLEMENTARY", rounds.reopen_round, db, boss, rid, "复核")

    later = {k: v + timedelta(days=10) for k, v in WINDOWS.items()}
    _refused("ROLE_FORBIDDEN", rounds.form_supplementary_round, at(db, AFTER), CLERK, number=2, name="补选", **later)
    # a time already past: the families would be texted a moment they cannot come to
    past = _refused("ROUND_WINDOW_PAST", rounds.form_supplementary_round, at(db, later["formal_close"]), boss,
                    number=2, name="补选", **later)
    assert "已过" in past.message and past.field == "formal_open"
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(SmsMessage)
                         .where(SmsMessage.purpose == "supplementary_round")).scalar_one() == 0
    formed = rounds.form_supplementary_round(at(db, AFTER), boss, number=2, name="第一批补选", **later)
    assert formed.families == [f5, f6]  # original rank order
    assert (formed.sms_queued, formed.no_phone) == (1, [f6])
    detail = rounds.round_detail(db, CLERK, formed.round_id)
    assert (detail.kind, detail.kind_label, detail.families) == ("supplementary", "补选", 2)
    with db.read() as s:
        apps = s.execute(select(SupplementaryApplication).order_by(SupplementaryApplication.id)).scalars().all()
        sms = s.execute(select(SmsMessage)).scalars().all()
        ranks = s.execute(select(RoundFamily.family_id, RoundFamily.rank)
                          .where(RoundFamily.round_id == formed.round_id).order_by(RoundFamily.rank)).all()
    assert [(a.status, a.assigned_round_id) for a in apps] == [("assigned", formed.round_id)] * 2
    assert [tuple(r) for r in ranks] == [(f5, 5), (f6, 6)]
    assert len(sms) == 1 and sms[0].purpose == "supplementary_round"
    assert "第2场补选" in sms[0].text and "2026-03-14 09:00" in sms[0].text  # formal_open, Shanghai time
    assert sms[0].case_number == detail.case_number
    _refused("SUPP_NONE_APPLIED", rounds.form_supplementary_round, db, boss, number=3, name="补选", **later)
    # The supplementary round runs over the houses still free.
    _set_formal(db, formed.round_id, f5, [h["H02"], h["H04"]])
    report = rounds.run_round(at(db, later["formal_close"] + timedelta(hours=1)), boss, formed.round_id)
    assert [(r.family, r.house) for r in report.results] == [(f5, "H04"), (f6, None)]


# ------------------------------------------------------------------ status board and results


def test_status_board_labels_and_counts(db):
    boss = _supervisor(db)
    f1, f2, f3 = _families(db, 3)
    h = _houses(db, ["H01", "H02", "H03"], states={"H03": "reserved"}, building="A")
    h.update(_houses(db, ["B01", "B02"], building="B", layouts={"B01": "2b"}))
    rid = _round(db, boss, [f1, f2])
    _set_formal(db, rid, f1, [h["H02"]])
    _set_formal(db, rid, f2, [h["H02"], h["H01"]])
    r2 = _round(db, boss, [f3], number=2)
    _set_formal(db, r2, f3, [h["B02"]])
    rounds.confirm_house(at(db, IN_FORMAL), CLERK, r2, f3, h["B02"])
    rounds.run_round(at(db, AFTER), boss, rid)
    board = rounds.status_board(db, CLERK)
    assert [(b.code, b.state, b.label) for b in board] == [
        ("H01", "taken", "第1场 第2位选定"),
        ("H02", "taken", "第1场 第1位选定"),
        ("H03", "reserved", "预留"),
        ("B01", "free", "可选"),
        ("B02", "taken", "第2场 第3位选定"),  # confirmed in a round not yet run
    ]
    # The round and rank travel as data too, so a screen never parses the label.
    assert [(b.chosen_round, b.chosen_rank) for b in board] == [(1, 2), (1, 1), (None, None), (None, None), (2, 3)]
    assert [b.code for b in rounds.status_board(db, CLERK, building="B")] == ["B01", "B02"]
    assert [b.code for b in rounds.status_board(db, CLERK, state="free")] == ["B01"]
    assert [b.code for b in rounds.status_board(db, CLERK, layout="2b")] == ["B01"]
    _refused("BOARD_BAD_STATE", rounds.status_board, db, CLERK, state="sold")
    assert rounds.board_counts(db, CLERK) == rounds.BoardCounts(5, 1, 3, 1)
    assert rounds.board_counts(db, CLERK, building="B") == rounds.BoardCounts(2, 1, 1, 0)
    found = rounds.search_houses(db, CLERK, r2, building="B")
    assert [x.code for x in found] == ["B01"]
    everything = rounds.search_houses(db, CLERK, r2, free_only=False, room="00")
    assert [x.code for x in everything] == ["H01", "H02", "H03", "B01", "B02"]
    assert rounds.search_houses(db, CLERK, r2, layout="3b") == []


def test_board_orders_by_building_floor_room(db):
    with db.write() as s:
        for code, building, floor, room in (("X3", "2", 1, "101"), ("X1", "1", 2, "201"), ("X2", "1", 1, "102"),
                                            ("X0", "1", 1, "101")):
            s.add(PublicHouse(code=code, project="p", building=building, floor=floor, room=room, layout="1b",
                              orientation="南", area=Decimal("40"), monthly_rent=Decimal("900")))
    assert [b.code for b in rounds.status_board(db, CLERK)] == ["X0", "X2", "X1", "X3"]


def test_result_list_and_notice(db):
    boss = _supervisor(db)
    fams = _families(db, 5, names=["张三", "欧阳娜娜", "李四", "王五", "赵六"])
    h = _houses(db, ["H01", "H02", "H03", "H04", "H05"])
    rid = _round(db, boss, fams)
    _set_formal(db, rid, fams[0], [h["H02"]])
    _refused("ROUND_RESULT_NOT_PUBLISHED", rounds.round_results, db, CLERK, rid)
    _refused("ROUND_RESULT_NOT_PUBLISHED", rounds.family_result, db, CLERK, rid, fams[0])
    rounds.run_round(at(db, AFTER), boss, rid)
    rows = rounds.round_results(db, CLERK, rid)
    assert [(r.rank, r.applicant, r.house_code, r.status_label) for r in rows[:2]] == [
        (1, "张*", "H02", "已分配"), (2, "欧阳**", None, "未分配")]
    assert rows[0].building == "A" and rows[0].room == "001"
    notice = rounds.family_result(db, CLERK, rid, fams[0])
    assert (notice.applicant, notice.rank, notice.house_code, notice.round_name) == ("张三", 1, "H02", "测试第1场")
    assert notice.monthly_rent == Decimal("1200.00") and notice.area == Decimal("45.50")
    assert notice.published_on == AFTER.date() and notice.status_label == "已分配"
    empty = rounds.family_result(db, CLERK, rid, fams[1])
    assert empty.house_code is None and empty.status == "not_allocated"


def test_pick_payload_is_canonical_json():
    for row in ({"family": 7, "rank": 3, "house": "H01", "status": "allocated"},
                {"family": 7, "rank": 3, "house": None, "status": "gave_up"},
                {"family": 7, "rank": 3, "house": '龙悦"居\\1', "status": "confirmed"},
                {"family": "f7", "rank": 3, "house": 12, "status": "allocated"}):
        typed = ResultLine(row["family"], row["rank"], row["house"], ResultStatus(row["status"]))
        assert run.pick_payload(typed) == canonical_json(row)
        assert run.pick_payload(ResultLine(**row)) == canonical_json(row)  # a plain string status too


# ------------------------------------------------------------------ the simulation agrees with the database


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rounds") / "template.db"
    template = open_database(hall_settings(path.parent), url=f"sqlite:///{path}")
    migrate.upgrade(template)
    template.dispose()
    return path


@st.composite
def _generated_rounds(draw):
    n_houses = draw(st.integers(1, 7))
    states = draw(st.lists(st.sampled_from(["free", "free", "free", "taken", "reserved"]), min_size=n_houses,
                           max_size=n_houses))
    n_families = draw(st.integers(1, 6))
    ranks = draw(st.lists(st.integers(1, 40), min_size=n_families, max_size=n_families, unique=True))
    families = []
    for rank in ranks:
        wishes = draw(st.lists(st.integers(0, n_houses - 1), max_size=6))
        gave_up = draw(st.booleans()) and draw(st.booleans())
        confirm = draw(st.sampled_from(wishes)) if wishes and not gave_up and draw(st.booleans()) else None
        families.append((rank, wishes, confirm, gave_up))
    return states, families


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_generated_rounds())
def test_simulation_agrees_with_the_database_run(sqlite_template, data):
    states, families = data
    workdir = Path(tempfile.mkdtemp(prefix="wq-rounds-"))
    try:
        path = workdir / "db.sqlite"
        shutil.copyfile(sqlite_template, path)
        db = open_database(hall_settings(workdir), url=f"sqlite:///{path}")
        try:
            boss = _supervisor(db)
            codes = [f"H{i:02d}" for i in range(len(states))]
            h = _houses(db, codes, states=dict(zip(codes, states)))
            ids = []
            with db.write() as s:
                for k, (rank, *_rest) in enumerate(families):
                    p = Person(name=f"王{k}", id_kind="resident_id", id_number=f"G{k:017d}", region="mainland")
                    s.add(p)
                    s.flush()
                    f = Family(main_applicant_id=p.id, rank=rank, size=1)
                    s.add(f)
                    s.flush()
                    ids.append(f.id)
            rid = _round(db, boss, ids)
            with db.write() as s:
                for fid, (_rank, wishes, confirm, gave_up) in zip(ids, families):
                    for pos, i in enumerate(wishes, start=1):
                        s.add(Wish(round_id=rid, family_id=fid, list_kind="formal", position=pos,
                                   house_id=h[codes[i]]))
                    s.execute(update(RoundFamily).where(RoundFamily.round_id == rid, RoundFamily.family_id == fid)
                              .values(gave_up=gave_up,
                                      confirm_house_id=h[codes[confirm]] if confirm is not None else None))
            round_json = {
                "houses": [c for c, state in zip(codes, states) if state == "free"],
                "families": [{"id": fid, "rank": rank, "wishes": [codes[i] for i in wishes],
                              "confirm": codes[confirm] if confirm is not None else None, "gave_up": gave_up}
                             for fid, (rank, wishes, confirm, gave_up) in zip(ids, families)],
            }
            expected = simulate(json.dumps(round_json))
            assert rounds.run_round(at(db, AFTER), boss, rid, dry_run=True) == expected
            assert rounds.run_round(at(db, AFTER), boss, rid) == expected
            assert rounds.verify_round(db, boss, rid).ok
        finally:
            db.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
