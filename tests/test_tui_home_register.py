"""房屋登记 through the terminal at 80×24, by keyboard only: a whole record typed key by key with
no pause between keys, then F9; refusals under their fields and nothing saved; a registered home
found, changed and marked; hostile input kept literally. The saved rows are read back."""

from __future__ import annotations

import random
from datetime import date, datetime, time

from sqlalchemy import select
from textual import events
from test_tui_support import SIZE, make_app, screen_text, settle

from core.identity import make_resident_id
from core.parties import PersonEntry
from core.resale.home_register import HomeEntry, OwnerEntry
from core.timeutil import SHANGHAI
from services import parties
from services.resale import home_register as homes
from storage.models import Home, HomeMark, HomeOwner
from tests.conftest import SYSTEM, freeze
from tui.screens.home import HomeScreen
from tui.screens.resale.home_register import HomeRegisterScreen
from tui.widgets.form import FieldError

NOW = datetime.combine(date(2026, 11, 21), time(10), tzinfo=SHANGHAI)
OWNER = make_resident_id(random.Random(71), birth_date=date(1969, 5, 4))
OTHER = make_resident_id(random.Random(72), birth_date=date(1973, 7, 8))
UNIT = "440304005008GB00404F00030001"
CERT = "粤(2020)深圳市不动产权第0128885号"

#: district … co-ownership, owner 1 and share 1: typed after Tab from the prefilled city.
RECORD = ("福田", CERT, "", UNIT.lower(), "深圳市福田区香梅路134号景田花园3栋201[/x]", "3栋", "２", "6", "201",
          "119.10", "98.85", "", "钢筋混凝土", "住宅", "", "1993", "按份共有", OWNER, "60", OTHER, "40")


def _keys(*fields: str) -> list[str]:
    """Each field's characters, Tab between fields: one burst of keys."""
    keys: list[str] = []
    for i, text in enumerate(fields):
        if i:
            keys.append("tab")
        keys.extend(" " if ch == " " else ch for ch in text)
    return keys


def _register_parties(db) -> None:
    parties.register_person(db, SYSTEM, PersonEntry(name="王建国", id_number=OWNER, phone="13800138000"))
    parties.register_person(db, SYSTEM, PersonEntry(name="李秀英", id_number=OTHER, phone="13800138001"))


async def _open(pilot, username: str = "super_a") -> HomeRegisterScreen:
    await pilot.press(*username)
    await pilot.press("tab")
    await pilot.press(*"Passw0rd1")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("d")  # 房屋登记 from the home menu
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, HomeRegisterScreen)
    return screen


def _homes(db) -> list[Home]:
    with db.read() as s:
        return list(s.execute(select(Home).order_by(Home.id)).scalars())


async def test_a_record_typed_without_pauses_is_saved(db, supervisor):
    _register_parties(db)
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        shown = screen_text(app)
        assert "房屋登记" in shown and "F9 保存" in shown and "深圳" in shown
        await pilot.press("tab", *_keys(*RECORD), "f9")
        await settle(pilot)
        [home] = _homes(db)
        assert (home.city, home.district, home.unit_number, home.floor, home.co_ownership) == (
            "shenzhen", "福田区", UNIT, 2, "shares")
        assert home.location.endswith("[/x]") and str(home.floor_area) == "119.10" and home.completion_year == 1993
        with db.read() as s:
            shares = s.execute(select(HomeOwner.share).order_by(HomeOwner.id)).scalars().all()
        assert [str(v) for v in shares] == ["60.00", "40.00"]
        shown = screen_text(app)
        assert "已登记房屋" in shown and "[/x]" in shown
        # the form is empty again (the city kept), the cursor in its first box
        assert screen.values()["unit_number"] == "" and screen.values()["city"] == "深圳"
        assert app.focused.id == "f-form-city"


async def test_bad_values_are_shown_under_their_fields_and_nothing_is_saved(db, supervisor):
    _register_parties(db)
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        bad = list(RECORD)
        bad[0] = "火星"  # district
        bad[9] = "0"  # floor area
        bad[19] = make_resident_id(random.Random(73), birth_date=date(1980, 1, 1))  # nobody's number
        await pilot.press("tab", *_keys(*bad), "f9")
        await settle(pilot)
        errors = {e.id: str(e.content) for e in screen.query(FieldError) if e.has_class("-shown")}
        assert set(errors) == {"e-form-district", "e-form-floor_area"}, errors  # the values' own rules first
        assert _homes(db) == []
        assert app.focused.id == "f-form-district"  # the cursor in the first bad box
        assert "有2项需要改正" in screen_text(app)
        # mended, the register's own refusal: the second owner is nobody in the party register
        screen.query_one("#f-form-district").value = "福田区"
        screen.query_one("#f-form-floor_area").value = "119.10"
        await pilot.press("f9")
        await settle(pilot)
        errors = {e.id: str(e.content) for e in screen.query(FieldError) if e.has_class("-shown")}
        assert list(errors) == ["e-form-owner_2"] and "不在当事人登记簿中" in errors["e-form-owner_2"]
        assert bad[19] not in errors["e-form-owner_2"]  # the number masked in the sentence
        assert _homes(db) == []


async def test_a_home_found_changed_and_marked_by_keyboard(db, supervisor):
    _register_parties(db)
    homes.register_home(db, supervisor, HomeEntry(
        city="深圳", district="福田区", certificate_number=CERT, unit_number=UNIT,
        location="深圳市福田区香梅路134号景田花园3栋201", building="3栋", floor="2", room="201", total_floors="6",
        floor_area="119.10", structure="钢筋混凝土", design_use="住宅", owners=(OwnerEntry(OWNER),)))
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("f5", *"景田花园", "enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "找到 1 套房屋" in shown and "王建国" in shown and OWNER not in shown and OWNER[:6] + "********" in shown
        # F3 changes the highlighted home: the form holds it, the owners' numbers never
        await pilot.press("f3")
        await settle(pilot)
        assert screen.view == "form" and screen.changing == UNIT and screen.values()["room"] == "201"
        assert screen.values()["owner_1"] == "" and "现权利人：王建国" in screen_text(app)
        screen.query_one("#f-form-room").value = ""
        screen.query_one("#f-form-room").focus()
        await pilot.press(*"202", "f9")
        await settle(pilot)
        assert "已变更房屋" in screen_text(app)
        [home] = _homes(db)
        assert home.room == "202" and home.register_version == 1
        # F4 marks it: 2 查封 with its reason; F8 lifts it
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert screen.view == "mark" and screen.values()["key"] == UNIT
        await pilot.press(*"2", "tab", *"法院裁定查封[/x]", "f9")
        await settle(pilot)
        assert "已登记标记" in screen_text(app) and "已查封" in screen_text(app), screen_text(app)
        await pilot.press(*"查封", "tab", *"解除查封", "f8")
        await settle(pilot)
        assert "已解除标记" in screen_text(app), screen_text(app)
        with db.read() as s:
            mark = s.execute(select(HomeMark)).scalar_one()
        assert (mark.kind, mark.reason, mark.clear_reason) == ("seized", "法院裁定查封[/x]", "解除查封")
        # a reason is required: refused under its field
        await pilot.press(*"1", "f9")
        await settle(pilot)
        assert "请填写原因" in screen_text(app)


async def test_hostile_input_is_kept_literally_or_refused(db, supervisor):
    _register_parties(db)
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        location = screen.query_one("#f-form-location")
        location.focus()
        await pilot.pause()
        location.post_message(events.Paste("景" * 10_000))  # an ID-card reader or a paste of 10,000 characters
        await settle(pilot)
        assert len(location.value) == 200 and "只保留了前 200 个字" in screen_text(app)
        room = screen.query_one("#f-form-room")
        room.value = "2😀1"
        await pilot.press("f9")
        await settle(pilot)
        errors = {e.id: str(e.content) for e in screen.query(FieldError) if e.has_class("-shown")}
        assert "表情符号" in errors["e-form-room"]
        assert _homes(db) == []


async def test_a_clerk_has_no_home_register(db, clerk):
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        for key in "clerk_a":
            await pilot.press(key)
        await pilot.press("tab", *"Passw0rd1", "enter")
        await settle(pilot)
        assert "房屋登记" not in screen_text(app)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


def test_snapshot_refusals_under_their_fields(snap_compare, sqlite_sample_db) -> None:
    """The record's form at 80×24 after F9 with bad values: each refusal under its field."""
    from test_tui_support import freeze_services_clock, login

    freeze_services_clock(sqlite_sample_db)

    async def run_before(pilot) -> None:
        await login(pilot, "super1")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("tab", *_keys("火星", "粤(2020)深圳市不动产权第123号", "", "4403"), "f9")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(sqlite_sample_db)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_a_found_home(snap_compare, sqlite_sample_db) -> None:
    """查询: the demo's homes on 香梅路, the first one's record below (owners masked, marks)."""
    from test_tui_support import freeze_services_clock, login

    freeze_services_clock(sqlite_sample_db)

    async def run_before(pilot) -> None:
        await login(pilot, "super1")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("f5", *"香梅路", "enter")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(sqlite_sample_db)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
