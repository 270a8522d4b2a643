"""当事人登记 through the terminal at 80×24, by keyboard only: whole forms typed key by key
with no pause between keys (as a fast typist or an ID-card reader), then F9; the saved rows
are read back from the database."""

from __future__ import annotations

import random
from datetime import date, datetime, time

from sqlalchemy import func, select
from test_tui_support import SIZE, burst, make_app, screen_text, settle

from core.identity import make_credit_code, make_resident_id
from core.timeutil import SHANGHAI
from storage.models import OrgAgent, Organisation, OwnerProxy, Person
from tests.conftest import freeze
from tui.screens.party import PartyScreen
from tui.widgets.form import FieldError

NUMBER = make_resident_id(random.Random(61), birth_date=date(1979, 9, 19))
AGENT = make_resident_id(random.Random(62), birth_date=date(1991, 1, 1))
USCC = make_credit_code(random.Random(63))
NOW = datetime.combine(date(2026, 12, 7), time(10), tzinfo=SHANGHAI)


def _keys(*fields: str) -> list[str]:
    """Each field's characters, Tab between fields: one burst of keys."""
    keys: list[str] = []
    for i, text in enumerate(fields):
        if i:
            keys.append("tab")
        keys.extend(" " if ch == " " else ch for ch in text)
    return keys


async def _open(pilot) -> PartyScreen:
    for key in "clerk_a":
        await pilot.press(key)
    await pilot.press("tab")
    await pilot.press(*"Passw0rd1")
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("p")  # 当事人登记 from the home menu
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PartyScreen)
    return screen


def _persons(db) -> list[Person]:
    with db.read() as s:
        return list(s.execute(select(Person).order_by(Person.id)).scalars())


async def test_a_person_typed_without_pauses_is_saved(db, clerk):
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        shown = screen_text(app)
        assert "当事人登记" in shown and "F9" in shown and "保存" in shown and "F2" in shown
        # 姓名, 证件类型 (1 = 居民身份证), 证件号码 (lower-case x, as a reader may send), 国籍, 手机号, 住址
        await pilot.press(*_keys("王建国", "1", NUMBER.lower(), "", "13800138000", "深圳市福田区[/x]"), "f9")
        await settle(pilot)
        [person] = _persons(db)
        assert (person.name, person.id_kind, person.id_number, person.phone, person.address) == (
            "王建国", "resident_id", NUMBER, "13800138000", "深圳市福田区[/x]")
        shown = screen_text(app)
        assert "已登记个人" in shown and NUMBER not in shown and NUMBER[:6] + "********" in shown
        # the form is empty again, the cursor in its first box
        assert app.screen.values()["id_number"] == "" and app.focused.id == "f-person-name"


async def test_the_menu_key_and_a_whole_person_in_one_burst(db, clerk):
    """"P" on the desk and the person's fields right after it in one burst, before the screen
    is drawn: the desk's keys open their screen as they arrive, and the keys after them wait
    for it to be drawn and land in their fields."""
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("escape")
        await settle(pilot)
        burst(app, ["p", *_keys("王建国", "1", NUMBER, "", "13800138000", "深圳市福田区"), "f9"])
        await settle(pilot)
        [person] = _persons(db)
        assert (person.name, person.id_kind, person.id_number, person.phone, person.address) == (
            "王建国", "resident_id", NUMBER, "13800138000", "深圳市福田区")


async def test_bad_values_are_shown_under_their_fields_and_nothing_is_saved(db, clerk):
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press(*_keys("王1", "", NUMBER[:-1] + ("1" if NUMBER[-1] == "0" else "0"), "", "123"), "f9")
        await settle(pilot)
        shown_errors = {e.id: str(e.content) for e in screen.query(FieldError) if e.has_class("-shown")}
        assert set(shown_errors) == {"e-person-name", "e-person-id_number", "e-person-phone"}
        assert "校验位" in shown_errors["e-person-id_number"]
        assert _persons(db) == []
        assert app.focused.id == "f-person-name"  # the cursor in the first bad box
        assert "有3项需要改正" in screen_text(app)


async def test_an_organisation_and_its_agent_by_keyboard(db, clerk):
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press(*_keys("赵经办", "", AGENT), "f9")
        await settle(pilot)
        await pilot.press("f3", *_keys("深圳市安居置业有限公司", USCC.lower(), "张三"), "f9")
        await settle(pilot)
        await pilot.press("f4", *_keys(USCC, AGENT, "2026-12-01", "2027-11-30"), "f9")
        await settle(pilot)
        assert "已添加经办人" in screen_text(app), screen_text(app)
        with db.read() as s:
            org = s.execute(select(Organisation)).scalar_one()
            grant = s.execute(select(OrgAgent)).scalar_one()
        assert (org.credit_code, org.legal_rep_name) == (USCC, "张三")
        assert (grant.valid_from, grant.valid_to, grant.unbound_at) == (date(2026, 12, 1), date(2027, 11, 30), None)
        # F8 unbinds the agent named on the form
        await pilot.press(*_keys(USCC, AGENT), "f8")
        await settle(pilot)
        with db.read() as s:
            assert s.execute(select(OrgAgent.unbound_at)).scalar_one() is not None
        assert "已解绑经办人" in screen_text(app)
        assert screen.mode == "agent"
        with db.read() as s:
            assert s.execute(select(func.count()).select_from(Person)).scalar_one() == 1


async def test_a_proxy_an_id_change_and_a_change_by_keyboard(db, clerk):
    new_number = make_resident_id(random.Random(64), birth_date=date(1979, 9, 19))
    app = make_app(db, clock=freeze(db, NOW))
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press(*_keys("王建国", "", NUMBER), "f9", *_keys("赵代理", "", AGENT), "f9")
        await settle(pilot)
        assert len(_persons(db)) == 2, screen_text(app)
        await pilot.press("f5", *_keys(NUMBER, AGENT, "（2026）粤深证字第1号", "2026-12-01", "2027-12-01"), "f9")
        await settle(pilot)
        assert "已登记公证委托" in screen_text(app), screen_text(app)
        # 身份变更: the material is required; then the old number still finds the person
        await pilot.press("f6", *_keys(NUMBER, "", new_number, "王建华"), "f9")
        await settle(pilot)
        assert "请填写身份变更材料" in screen_text(app)
        await pilot.press(*_keys("公安机关出具的身份证号码变更证明"), "f9")
        await settle(pilot)
        assert "已办理身份变更" in screen_text(app), screen_text(app)
        await pilot.press("f7", *_keys(NUMBER, "13900139000"), "f9")
        await settle(pilot)
        assert "已变更" in screen_text(app), screen_text(app)
        with db.read() as s:
            person = s.execute(select(Person).where(Person.id_number == new_number)).scalar_one()
            proxy = s.execute(select(OwnerProxy)).scalar_one()
        assert (person.name, person.phone, proxy.principal_id) == ("王建华", "13900139000", person.id)


def test_snapshot_refusals_under_their_fields(snap_compare, sqlite_sample_db) -> None:
    """The person form at 80×24 after F9 with three bad values: each refusal under its field."""
    from test_tui_support import freeze_services_clock, login

    freeze_services_clock(sqlite_sample_db)

    async def run_before(pilot) -> None:
        await login(pilot, "clerk1")
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*_keys("王1", "", "123", "", "12345"), "f9")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(sqlite_sample_db)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
