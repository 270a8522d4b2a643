"""场次设置 (services.allocation.setup, rounds.create_round without families) on both databases:
windows ordered and ahead, CSV imports all-or-nothing with every bad row reported, publishing
freezes the setup, supervisors only (a disabled account stops), every act audited; the
per-family formal-selection limit (seed 000 §二.6) on the injectable clock; and a round set
up from nothing, published, selected and run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.allocation.round_setup import parse_families_csv, parse_houses_csv, parse_window_time
from core.allocation.rounds import check_formal_time, check_setup_windows, round_phase
from core.errors import RuleViolation
from core.roles import Actor
from core.timeutil import SHANGHAI
from services import operators
from services.allocation import rounds, setup
from storage.engine import Database
from storage.models import AllocationRound, AuditEntry, Family, FamilyMember, Person, PublicHouse, RoundFamily
from tests.conftest import SYSTEM, at, configure

NOW = datetime(2026, 11, 21, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
PRE_OPEN = datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI)
WINDOWS = {"pre_open": PRE_OPEN, "pre_close": PRE_OPEN + timedelta(hours=8),
           "formal_open": PRE_OPEN + timedelta(days=1), "formal_close": PRE_OPEN + timedelta(days=1, hours=2)}
IN_FORMAL = WINDOWS["formal_open"] + timedelta(minutes=10)
AFTER = WINDOWS["formal_close"] + timedelta(minutes=1)

FAMILIES = """排位,姓名,证件号码,手机号码,家庭人数,可选户型
1,王欣然,440303199803201649,14779887783,2,"一房一厅,两房一厅"
2,黄鑫,44142419980517251X,13530941362,1,单间
3,李建国,110101199003077774,,3,两房一厅
"""
HOUSES = """房源编号,项目,楼栋,单元,楼层,房号,户型,朝向,面积,月租金
LYJ4-1-301,龙悦居四期,1,1,3,301,两房一厅,南,61.69,1449.72
LYJ4-1-302,龙悦居四期,1,1,3,302,单间,北,31.00,800
LYJ4-1-303,龙悦居四期,1,1,3,303,一房一厅,东南,45.50,1100.00
"""


def _ids_ok() -> None:
    # The ID numbers above are valid (their check characters); the test data depend on it.
    lines, errors = parse_families_csv(FAMILIES, today=date(2026, 11, 21))
    assert errors == [] and len(lines) == 3


def _new_round(db: Database, actor: Actor, number: int = 1, **windows: datetime) -> int:
    return rounds.create_round(at(db, NOW), actor, number=number, name=f"第{number}批选房", **(WINDOWS | windows))


def _count(db: Database, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _actions(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def _ready(db: Database, actor: Actor) -> int:
    rid = _new_round(db, actor)
    setup.import_families(at(db, NOW), actor, rid, FAMILIES)
    setup.import_houses(at(db, NOW), actor, rid, HOUSES)
    return rid


# ------------------------------------------------------------------ core


def test_the_test_files_are_valid() -> None:
    _ids_ok()


def test_setup_windows_must_be_ordered_and_ahead() -> None:
    w = dict(WINDOWS)
    check_setup_windows(*w.values(), now=NOW)
    with pytest.raises(RuleViolation) as err:
        check_setup_windows(w["pre_open"], w["pre_open"], w["formal_open"], w["formal_close"], NOW)
    assert (err.value.code, err.value.field, err.value.message) == (
        "ROUND_WINDOW_ORDER", "pre_close", "预选结束时间必须晚于预选开始时间。")
    with pytest.raises(RuleViolation) as err:
        check_setup_windows(w["pre_open"], w["formal_open"] + timedelta(minutes=1), w["formal_open"],
                            w["formal_close"], NOW)
    assert (err.value.code, err.value.field) == ("ROUND_WINDOW_ORDER", "formal_open")
    with pytest.raises(RuleViolation) as err:
        check_setup_windows(w["pre_open"], w["pre_close"], w["formal_close"], w["formal_open"], NOW)
    assert (err.value.code, err.value.field) == ("ROUND_WINDOW_ORDER", "formal_close")
    with pytest.raises(RuleViolation) as err:
        check_setup_windows(NOW - timedelta(minutes=1), *list(w.values())[1:], now=NOW)
    assert (err.value.code, err.value.field) == ("ROUND_WINDOW_PAST", "pre_open")
    assert err.value.message == "预选开始时间 2026-11-21 10:29 已过，请安排今后的时间。"
    assert round_phase("draft", w["formal_open"], w["formal_close"], NOW, w["pre_open"]) == "筹备中"


@pytest.mark.parametrize("typed", ["2026-11-22 09:00", " 2026-11-22   09:00 ", "２０２６-１１-２２ ０９:００", "2026-11-22T09:00"])
def test_window_times_are_read_in_shanghai_time(typed: str) -> None:
    assert parse_window_time(typed, "pre_open") == PRE_OPEN


@pytest.mark.parametrize("typed", ["", "[/x]", "😀", "2026-13-01 09:00", "2026-02-30 09:00", "明天九点", "字" * 10000,
                                   "2026-11-22", "\x1b[2J"])
def test_unreadable_times_are_refused_in_one_sentence(typed: str) -> None:
    with pytest.raises(RuleViolation) as err:
        parse_window_time(typed, "formal_open")
    assert err.value.code == "ROUND_WINDOW_FORMAT" and err.value.field == "formal_open"
    assert err.value.message.startswith("正选开始时间“") and err.value.message.endswith("。")
    assert "\x1b" not in err.value.message and len(err.value.message) < 120


def test_formal_time_limit_rule() -> None:
    check_formal_time(None, NOW, 3)
    check_formal_time(NOW, NOW + timedelta(minutes=3), 3)
    with pytest.raises(RuleViolation) as err:
        check_formal_time(NOW, NOW + timedelta(minutes=3, seconds=1), 3)
    assert err.value.code == "FORMAL_TIME_UP"
    assert err.value.message == "该家庭的正选时间（3分钟，自 2026-11-21 10:30:00 起）已用完，不能再修改意向或确认正选。"


def test_every_bad_row_of_a_families_file_is_reported() -> None:
    text = FAMILIES + "２,[/x],123,abc,0,大房子\n2,张三,440303199803201649,,21,\n"
    lines, errors = parse_families_csv(text, today=date(2026, 11, 21))
    assert len(lines) == 3
    found = {(e.row, e.field, e.code) for e in errors}
    assert found == {
        (5, "姓名", "NAME_BAD_CHARACTERS"), (5, "证件号码", "ID_UNKNOWN_FORMAT"), (5, "手机号码", "PHONE_BAD_FORMAT"),
        (5, "家庭人数", "FAMILY_SIZE_INVALID"), (5, "可选户型", "HOUSE_LAYOUT_UNKNOWN"), (5, "排位", "FAMILY_RANK_REPEATED"),
        (6, "排位", "FAMILY_RANK_REPEATED"), (6, "证件号码", "FAMILY_ID_REPEATED"), (6, "家庭人数", "FAMILY_SIZE_INVALID"),
        (6, "可选户型", "HOUSE_LAYOUT_EMPTY"),
    }
    for e in errors:
        assert e.message.endswith("。") and e.message.count("。") == 1, e


@pytest.mark.parametrize("text, code", [
    ("", "IMPORT_NO_HEADER"), ("排位,姓名\n1,王\n", "IMPORT_COLUMN_MISSING"),
    ("排位,姓名,证件号码,手机号码,家庭人数,可选户型\n", "IMPORT_EMPTY"),
    ("排位,排位,姓名,证件号码,家庭人数,可选户型\n", "IMPORT_COLUMN_REPEATED"), ("a\x00b", "IMPORT_NOT_TEXT"),
])
def test_files_without_a_usable_header_are_refused(text: str, code: str) -> None:
    _, errors = parse_families_csv(text, today=date(2026, 11, 21))
    assert code in {e.code for e in errors}


def test_every_bad_row_of_a_houses_file_is_reported() -> None:
    text = HOUSES + "LYJ4-1-301,,1,1,x,301,大,上,-1,nan\n房-1,项目,1,1,3,1,单间,南,30,1e3\n"
    lines, errors = parse_houses_csv(text)
    assert len(lines) == 3
    assert {(e.row, e.code) for e in errors} == {
        (5, "HOUSE_PROJECT_INVALID"), (5, "HOUSE_FLOOR_INVALID"), (5, "HOUSE_LAYOUT_UNKNOWN"),
        (5, "HOUSE_ORIENTATION_UNKNOWN"), (5, "HOUSE_AREA_INVALID"), (5, "HOUSE_RENT_INVALID"),
        (5, "HOUSE_CODE_REPEATED"), (6, "HOUSE_CODE_INVALID"),
    }


# ------------------------------------------------------------------ services


def test_a_round_is_created_as_a_draft_with_its_case_and_audited(db: Database, supervisor: Actor) -> None:
    rid = _new_round(db, supervisor)
    detail = rounds.round_detail(db, supervisor, rid)
    assert (detail.status, detail.status_label, detail.families) == ("draft", "筹备中", 0)
    assert detail.case_number and detail.pre_open == WINDOWS["pre_open"]
    assert rounds.rounds_list(at(db, NOW), supervisor)[0].phase == "筹备中"
    assert _actions(db)[-1] == "round_create"


def test_windows_in_the_past_or_out_of_order_are_refused(db: Database, supervisor: Actor) -> None:
    with pytest.raises(RuleViolation) as err:
        _new_round(db, supervisor, pre_open=NOW - timedelta(hours=1))
    assert err.value.code == "ROUND_WINDOW_PAST"
    rid = _new_round(db, supervisor)
    with pytest.raises(RuleViolation) as err:
        setup.set_windows(at(db, NOW), supervisor, rid, **(WINDOWS | {"formal_close": WINDOWS["formal_open"]}))
    assert err.value.code == "ROUND_WINDOW_ORDER"
    later = {k: v + timedelta(days=7) for k, v in WINDOWS.items()}
    setup.set_windows(at(db, NOW), supervisor, rid, **later)
    assert rounds.round_detail(db, supervisor, rid).formal_open == later["formal_open"]
    assert _actions(db)[-1] == "round_windows"
    # A day later than the new pre-selection opens, the same windows are in the past.
    with pytest.raises(RuleViolation) as err:
        setup.set_windows(at(db, later["pre_open"] + timedelta(days=1)), supervisor, rid, **later)
    assert err.value.code == "ROUND_WINDOW_PAST"


def test_imports_register_families_and_houses_in_one_go(db: Database, supervisor: Actor) -> None:
    rid = _new_round(db, supervisor)
    done = setup.import_families(at(db, NOW), supervisor, rid, FAMILIES)
    assert (done.rows, done.created) == (3, 3)
    houses = setup.import_houses(at(db, NOW), supervisor, rid, HOUSES)
    assert houses.rows == 3
    with db.read() as s:
        ranks = s.execute(select(RoundFamily.rank).where(RoundFamily.round_id == rid).order_by(RoundFamily.rank)).scalars()
        assert list(ranks) == [1, 2, 3]
        fam = s.execute(select(Family).where(Family.rank == 1)).scalar_one()
        assert (fam.size, fam.eligible_layouts, fam.status) == (2, "1b,2b", "waiting")
        assert s.execute(select(Person.phone).where(Person.id == fam.main_applicant_id)).scalar_one() == "14779887783"
        assert s.execute(select(func.count()).select_from(FamilyMember)).scalar_one() == 3
        assert s.execute(select(PublicHouse.state).where(PublicHouse.code == "LYJ4-1-302")).scalar_one() == "free"
    assert _actions(db)[-2:] == ["round_import_families", "round_import_houses"]
    detail = rounds.round_detail(db, supervisor, rid)
    assert (detail.families, detail.houses_free) == (3, 3)


def test_a_file_with_any_bad_row_writes_nothing(db: Database, supervisor: Actor) -> None:
    rid = _new_round(db, supervisor)
    before = (_count(db, Person), _count(db, Family), _count(db, RoundFamily), _count(db, AuditEntry))
    with pytest.raises(setup.ImportRefused) as err:
        setup.import_families(at(db, NOW), supervisor, rid, FAMILIES + "4,张三,123,,1,单间\n")
    assert err.value.code == "ROUND_IMPORT_INVALID" and [e.row for e in err.value.errors] == [5]
    assert err.value.message.startswith("选房家庭名单有 1 行错误，未导入任何数据：第5行【证件号码】")
    assert (_count(db, Person), _count(db, Family), _count(db, RoundFamily), _count(db, AuditEntry)) == before
    with pytest.raises(setup.ImportRefused):
        setup.import_houses(at(db, NOW), supervisor, rid, HOUSES + "X1,项目,1,1,1,101,单间,南,0,1\n")
    assert _count(db, PublicHouse) == 0


def test_rows_that_clash_with_the_register_are_reported(db: Database, supervisor: Actor) -> None:
    first = _new_round(db, supervisor)
    setup.import_families(at(db, NOW), supervisor, first, FAMILIES)
    setup.import_houses(at(db, NOW), supervisor, first, HOUSES)
    second = _new_round(db, supervisor, number=2)
    clash = ("排位,姓名,证件号码,家庭人数,可选户型\n"
             "1,张三,110101199003070011,1,单间\n"   # rank 1 belongs to 王欣然's family
             "5,王欣然,440303199803201649,2,单间\n"  # her family's rank is 1
             "2,黄欣,44142419980517251X,1,单间\n"    # the register says 黄鑫
             "3,李建国,110101199003077774,3,两房一厅\n")  # already in round 1, not yet published
    with pytest.raises(setup.ImportRefused) as err:
        setup.import_families(at(db, NOW), supervisor, second, clash)
    assert [(e.row, e.code) for e in err.value.errors] == [
        (2, "FAMILY_RANK_TAKEN"), (3, "FAMILY_RANK_MISMATCH"), (4, "FAMILY_NAME_MISMATCH"), (5, "ROUND_FAMILY_BUSY")]
    assert "尚未公布结果的第1场" in err.value.errors[-1].message
    with pytest.raises(setup.ImportRefused) as err:
        setup.import_houses(at(db, NOW), supervisor, second, HOUSES)
    assert {e.code for e in err.value.errors} == {"HOUSE_CODE_TAKEN"}
    assert _count(db, RoundFamily) == 3


def test_publishing_opens_the_round_and_freezes_its_setup(db: Database, supervisor: Actor) -> None:
    rid = _new_round(db, supervisor)
    with pytest.raises(RuleViolation) as err:
        setup.publish_round(at(db, NOW), supervisor, rid)
    assert err.value.code == "ROUND_NO_FAMILIES"
    setup.import_families(at(db, NOW), supervisor, rid, FAMILIES)
    with pytest.raises(RuleViolation) as err:
        setup.publish_round(at(db, NOW), supervisor, rid)
    assert err.value.code == "ROUND_NO_HOUSES"
    setup.import_houses(at(db, NOW), supervisor, rid, HOUSES)
    # Families may not act in a draft, nor may it be run.
    fam = _family_ids(db, rid)[0]
    with pytest.raises(RuleViolation) as err:
        rounds.give_up(at(db, NOW), supervisor, rid, fam, "不选了")
    assert err.value.code == "ROUND_NOT_OPEN"
    with pytest.raises(RuleViolation) as err:
        rounds.run_round(at(db, AFTER), supervisor, rid, dry_run=True)
    assert err.value.code == "ROUND_NOT_OPEN"
    # Publishing late (pre-selection already open) is refused: the families were told other times.
    with pytest.raises(RuleViolation) as err:
        setup.publish_round(at(db, PRE_OPEN + timedelta(minutes=1)), supervisor, rid)
    assert err.value.code == "ROUND_WINDOW_PAST"
    setup.publish_round(at(db, NOW), supervisor, rid)
    assert rounds.round_detail(db, supervisor, rid).status == "open"
    assert _actions(db)[-1] == "round_publish"
    for act in (lambda: setup.publish_round(at(db, NOW), supervisor, rid),
                lambda: setup.import_houses(at(db, NOW), supervisor, rid, HOUSES.replace("LYJ4", "NEW")),
                lambda: setup.import_families(at(db, NOW), supervisor, rid, FAMILIES),
                lambda: setup.set_windows(at(db, NOW), supervisor, rid, **WINDOWS)):
        with pytest.raises(RuleViolation) as err:
            act()
        assert err.value.code == "ROUND_SETUP_FROZEN"
        assert err.value.message == "第1场（第1批选房）已发布，场次设置不能再修改。"


def test_clerks_and_disabled_supervisors_may_not_set_up_rounds(db: Database, supervisor: Actor, clerk: Actor) -> None:
    rid = _new_round(db, supervisor)
    for act in (lambda who: _new_round(db, who, number=9),
                lambda who: setup.import_families(at(db, NOW), who, rid, FAMILIES),
                lambda who: setup.import_houses(at(db, NOW), who, rid, HOUSES),
                lambda who: setup.set_windows(at(db, NOW), who, rid, **WINDOWS),
                lambda who: setup.publish_round(at(db, NOW), who, rid)):
        with pytest.raises(RuleViolation) as err:
            act(clerk)
        assert err.value.code == "ROLE_FORBIDDEN"
    operators.set_active(db, SYSTEM, supervisor.username, False)
    with pytest.raises(RuleViolation) as err:
        setup.import_families(at(db, NOW), supervisor, rid, FAMILIES)
    assert err.value.code == "ACCOUNT_DISABLED"
    with pytest.raises(RuleViolation) as err:
        _new_round(db, supervisor, number=9)
    assert err.value.code == "ACCOUNT_DISABLED"
    assert _count(db, Family) == 0 and _count(db, AllocationRound) == 1


# ------------------------------------------------------------------ the per-family limit


def _family_ids(db: Database, rid: int) -> list[int]:
    with db.read() as s:
        return list(s.execute(select(RoundFamily.family_id).where(RoundFamily.round_id == rid)
                              .order_by(RoundFamily.rank)).scalars())


def _house_ids(db: Database) -> dict[str, int]:
    with db.read() as s:
        return dict(s.execute(select(PublicHouse.code, PublicHouse.id)).all())


def test_a_family_has_three_minutes_of_formal_selection(db: Database, supervisor: Actor) -> None:
    rid = _ready(db, supervisor)
    setup.publish_round(at(db, NOW), supervisor, rid)
    first, second, _ = _family_ids(db, rid)
    house = _house_ids(db)
    start = IN_FORMAL
    rounds.add_wish(at(db, start), supervisor, rid, first, house["LYJ4-1-301"], "formal")
    rounds.add_wish(at(db, start + timedelta(minutes=2, seconds=59)), supervisor, rid, first, house["LYJ4-1-303"],
                    "formal")
    with pytest.raises(RuleViolation) as err:
        rounds.confirm_house(at(db, start + timedelta(minutes=3, seconds=1)), supervisor, rid, first,
                             house["LYJ4-1-301"])
    assert err.value.code == "FORMAL_TIME_UP"
    assert err.value.message.startswith("该家庭的正选时间（3分钟，")
    with pytest.raises(RuleViolation) as err:
        rounds.move_wish(at(db, start + timedelta(minutes=4)), supervisor, rid, first, 2, "top", "formal")
    assert err.value.code == "FORMAL_TIME_UP"
    # The pre-selection and another family's clock are not this family's.
    rounds.add_wish(at(db, start + timedelta(minutes=30)), supervisor, rid, second, house["LYJ4-1-302"], "formal")
    rounds.confirm_house(at(db, start + timedelta(minutes=31)), supervisor, rid, second, house["LYJ4-1-302"])
    with db.read() as s:
        started = s.execute(select(RoundFamily.formal_started_at).where(RoundFamily.family_id == first)).scalar_one()
        assert started.replace(tzinfo=started.tzinfo or UTC) == start


def test_the_limit_is_the_halls_setting(db: Database, supervisor: Actor) -> None:
    configure(db, formal_selection_minutes=10)
    rid = _ready(db, supervisor)
    setup.publish_round(at(db, NOW), supervisor, rid)
    first = _family_ids(db, rid)[0]
    house = _house_ids(db)
    rounds.add_wish(at(db, IN_FORMAL), supervisor, rid, first, house["LYJ4-1-301"], "formal")
    rounds.confirm_house(at(db, IN_FORMAL + timedelta(minutes=9)), supervisor, rid, first, house["LYJ4-1-301"])


# ------------------------------------------------------------------ end to end


def test_a_round_set_up_from_nothing_is_selected_run_and_allocated(db: Database, supervisor: Actor) -> None:
    assert _count(db, AllocationRound) == 0 and _count(db, Family) == 0 and _count(db, PublicHouse) == 0
    rid = _ready(db, supervisor)
    setup.publish_round(at(db, NOW), supervisor, rid)
    first, second, third = _family_ids(db, rid)
    house = _house_ids(db)
    # The first family confirms in the formal window; the third lists the house the first took and another.
    rounds.add_wish(at(db, IN_FORMAL), supervisor, rid, first, house["LYJ4-1-301"], "formal")
    rounds.confirm_house(at(db, IN_FORMAL + timedelta(minutes=1)), supervisor, rid, first, house["LYJ4-1-301"])
    rounds.add_wish(at(db, IN_FORMAL), supervisor, rid, third, house["LYJ4-1-301"], "formal")
    rounds.add_wish(at(db, IN_FORMAL + timedelta(minutes=1)), supervisor, rid, third, house["LYJ4-1-303"], "formal")
    report = rounds.run_round(at(db, AFTER), supervisor, rid)
    by_family = {line.family: (line.house, line.status) for line in report.results}
    assert by_family == {first: ("LYJ4-1-301", "confirmed"), second: (None, "not_allocated"),
                         third: ("LYJ4-1-303", "allocated")}
    assert rounds.round_detail(db, supervisor, rid).status == "published"
    assert rounds.verify_round(db, supervisor, rid).ok
    with db.read() as s:
        assert dict(s.execute(select(Family.id, Family.status)).all()) == {
            first: "allocated", second: "not_allocated", third: "allocated"}
