"""测绘成果备案 from import to archive at the keyboard (80x24, seed 004 §5.1): the developer's
operator completes the building (F3), sets units in batch by a unit-number pattern (F7),
prices by layout and floor (F8), corrects one unit from the check grid (Enter) and dispatches
(F4); every form is typed with no pause between keys, and a refusal stays in its form with
what was typed. The authority reads the changes (F10), maps split units (F8: F2 对照, F8 确认)
and archives with its opinion (F9). Snapshots of each new form and view."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_support import FIXED_NOW, SIZE, burst, login, make_app, screen_text, settle, type_into
from textual.widgets import Input

from core.presale.units import check_selection
from services import cases
from services.presale import surveys
from tests.conftest import freeze
from tests.presale_support import ACTUAL, PASSWORD, PREDICTED, make_hall
from tui.screens.presale.survey import SurveyScreen
from tui.widgets.message import MessageLine
from tui.screens.presale.survey_edit import (
    SurveyChangesScreen,
    SurveyFormDialog,
    SurveyMappingScreen,
    batch_fields,
    items,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def survey_db(sqlite_sample_db):
    """The demo hall with an enterprise, its project, its operator (dev_a) and an authority (super_p)."""
    freeze(sqlite_sample_db, FIXED_NOW)
    sqlite_sample_db.presale = make_hall(sqlite_sample_db, 62, username="dev_a", supervisor="super_p")  # type: ignore[attr-defined]
    return sqlite_sample_db


def _start(db, type_code: str = "survey_predicted", text: str = PREDICTED, number: str = "CL20220406001") -> str:
    hall = db.presale
    return surveys.start_survey(db, hall.dev, type_code=type_code, project_id=hall.project_id, building="D004",
                                survey_number=number, text=text).case_number


def _archived_predicted(db) -> str:
    """A predicted survey of D004, completed and archived (the base of a conversion)."""
    hall = db.presale
    first = _start(db)
    surveys.batch_set(db, hall.dev, first, check_selection(empty="户型"), {"户型": "复式"})
    surveys.set_building_info(db, hall.dev, first, structure="钢筋混凝土结构", floors_above="17")
    surveys.submit_survey(db, hall.dev, first)
    cases.receive_case(db, hall.authority, first)
    surveys.archive_survey(db, hall.authority, first)
    return first


def _conversion_in_review(db) -> str:
    hall = db.presale
    _archived_predicted(db)
    second = _start(db, "survey_conversion", ACTUAL, "SC20240101001")
    surveys.sync_from_base(db, hall.dev, second)
    surveys.submit_survey(db, hall.dev, second)
    cases.receive_case(db, hall.authority, second)
    return second


def _keys(*fields: str) -> list[str]:
    """Each field's characters, Tab between fields: one burst of keys."""
    keys: list[str] = []
    for i, text in enumerate(fields):
        if i:
            keys.append("tab")
        keys.extend(text)
    return keys


def _batch(**values: str) -> list[str]:
    """The batch form typed from its first field: each field's characters, Tab between them."""
    order = [f.key for _, fields in batch_fields() for f in fields]
    last = max(order.index(key) for key in values)
    return _keys(*(values.get(key, "") for key in order[:last + 1]))


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _open(pilot, user: str, secret: str, number: str) -> None:
    await login(pilot, user, secret)
    await _press(pilot, "m")
    assert isinstance(pilot.app.screen, SurveyScreen)
    await type_into(pilot, "#survey-number", number)
    await _press(pilot, "enter")


def _said(app) -> str:
    """What the screen (or dialog) on top says on its message line, whole (it wraps on screen)."""
    return app.screen.query_one(MessageLine).text


def _value(app, key: str) -> str:
    return app.screen.query_one(f"#sf-{key}", Input).value


def test_items_split_on_either_comma_and_the_enumeration_mark() -> None:
    assert items("1-01、1-02，1-03, 1-04 1-05") == ["1-01", "1-02", "1-03", "1-04", "1-05"]
    assert items("  ") == []


async def test_the_developer_completes_a_survey_and_dispatches_it_from_the_keyboard(survey_db) -> None:
    number = _start(survey_db)
    app = make_app(survey_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, "dev_a", PASSWORD, number)
        shown = screen_text(app)
        assert "F7 批量设置" in shown and "F8 快捷定价" in shown and "户室对照" not in shown
        # 批量设置: a field the survey gave is refused whole, the form keeps what was typed
        await _press(pilot, "f7")
        assert isinstance(app.screen, SurveyFormDialog)
        await pilot.press(*_batch(match="1", length="3", layout="复式"), "f9")
        await settle(pilot)
        assert isinstance(app.screen, SurveyFormDialog)
        assert _said(app) == "户室1-01等6户的“户型”来自测绘成果，不能修改；可只选择该项为空的户室。"
        assert (_value(app, "match"), _value(app, "length"), _value(app, "layout")) == ("1", "3", "复式")
        # … then only the units whose 户型 is still empty (the 17th floor's six)
        app.screen.query_one("#sf-match", Input).focus()
        await pilot.press("backspace", "tab", "tab", "backspace", "tab", "tab", "tab", "tab", "tab", *"户型", "f9")
        await settle(pilot)
        assert isinstance(app.screen, SurveyScreen) and "已设置 6 户（户型为空）。" in screen_text(app)
        # a bad length: the sentence in the dialog, nothing written
        await _press(pilot, "f7")
        await pilot.press(*_batch(length="abc", decoration="毛坯"), "f9")
        await settle(pilot)
        assert "室号长度应为1至20之间的整数。" in screen_text(app) and isinstance(app.screen, SurveyFormDialog)
        await _press(pilot, "escape")
        # matched from the back: every unit numbered …01 is 精装, the rest 毛坯
        await _press(pilot, "f7")
        await pilot.press(*_batch(match="01", match_from="向后匹配", decoration="精装"), "f9")
        await settle(pilot)
        assert "已设置 17 户（室号向后匹配“01”）。" in screen_text(app)
        await _press(pilot, "f7")
        await pilot.press(*_batch(empty="装修情况", decoration="毛坯"), "f9")
        await settle(pilot)
        assert "已设置 85 户（装修情况为空）。" in screen_text(app)
        # 快捷设置价格: 销售单价 9000 from floor 1 up, 100 more a floor
        await _press(pilot, "f8")
        await pilot.press(*_keys("", "", "9000", "1", "", "", "100"), "f9")
        await settle(pilot)
        assert _said(app) == "已设置 102 户：销售单价基础价格9000元/m²，基准层1，向上每层递增100元/m²。"
        assert "已定价 102" in screen_text(app)
        # Enter on a unit of the grid: that unit alone (价格核对)
        await _press(pilot, "right", "enter")
        assert isinstance(app.screen, SurveyFormDialog) and "修改户室 17-01" in screen_text(app)
        assert _value(app, "unit_nos") == "17-01"
        app.screen.query_one("#sf-sale_price", Input).focus()
        await pilot.press(*"12345", "f9")
        await settle(pilot)
        assert "已设置 1 户（室号1个）。" in screen_text(app)
        # 派工 wants the building first; F3 completes it
        await _press(pilot, "f4")
        assert "请先完善当前栋信息：建筑结构、地上层数。" in screen_text(app)
        await _press(pilot, "f3")
        await pilot.press(*_keys("钢筋混凝土结构", "17", "1", "54.6", "住宅"), "f9")
        await settle(pilot)
        assert "已保存当前栋信息。" in screen_text(app)
        await _press(pilot, "f4")
        shown = screen_text(app)
        assert "已派工给主管部门审核。" in shown and "测绘成果审核" in shown
    view = surveys.show_survey(survey_db, survey_db.presale.dev, number)
    assert {u.unit_no for u in view.units if u.decoration == "精装"} == {f"{f}-01" for f in range(1, 18)}
    assert {u.decoration for u in view.units if not u.unit_no.endswith("-01")} == {"毛坯"}
    assert {u.layout for u in view.units if u.actual_floor == 17} == {"复式"}
    prices = {u.unit_no: u.sale_price for u in view.units}
    assert str(prices["1-01"]) == "9000.00" and str(prices["16-01"]) == "10500.00" and str(prices["17-01"]) == "12345.00"
    assert view.info.structure == "钢筋混凝土结构" and view.info.floors_above == 17


async def test_keys_typed_right_after_the_key_that_opens_a_form_land_in_the_form(survey_db) -> None:
    number = _start(survey_db)
    app = make_app(survey_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, "dev_a", PASSWORD, number)
        await _press(pilot, "f7", "escape")  # the screen reads the case again as the form closes
        burst(app, ["f7", *_batch(match="17", length="4", decoration="简装"), "f9"])
        await settle(pilot)
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, SurveyScreen) and "已设置 6 户（室号向前匹配“17”，室号长度4）。" in _said(app)
        assert app.screen.query_one("#survey-number", Input).value == number  # nothing typed under the form
        burst(app, ["f8", *_keys("", "", "8000", "17", "向下", "递减", "50"), "f9"])
        await settle(pilot)
        await pilot.pause()
        await settle(pilot)
        assert _said(app).startswith("已设置 102 户：销售单价基础价格8000元/m²，基准层17，向下每层递减50元/m²")
    units = {u.unit_no: u for u in surveys.show_survey(survey_db, survey_db.presale.dev, number).units}
    assert units["17-01"].decoration == "简装" and units["1-01"].decoration is None
    assert str(units["1-01"].sale_price) == "7200.00"


async def test_an_import_typed_right_after_f2_lands_in_its_fields(survey_db) -> None:
    hall = survey_db.presale
    path = str(ROOT / "sample_data" / "survey_D004_predicted.csv")
    app = make_app(survey_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "m")
        burst(app, ["f2", *_keys(str(hall.project_id), "D004", "CL20220406001", path), "f9"])
        await settle(pilot)
        await pilot.pause()
        await settle(pilot)
        values = {i.id: i.value for i in app.screen.query(Input)}
        assert isinstance(app.screen, SurveyScreen) and _said(app).startswith("已受理 C20261121"), (values, _said(app))


async def test_a_key_typed_right_after_a_form_closes_reaches_the_screen(survey_db) -> None:
    number = _start(survey_db)
    app = make_app(survey_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, "dev_a", PASSWORD, number)
        await _press(pilot, "f3")
        burst(app, ["escape", "f4"])
        await settle(pilot)
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, SurveyScreen) and _said(app) == "请先完善当前栋信息：建筑结构、地上层数。"


async def test_a_refused_quick_pricing_keeps_the_form(survey_db) -> None:
    number = _start(survey_db)
    app = make_app(survey_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, "dev_a", PASSWORD, number)
        await _press(pilot, "f8")
        await pilot.press(*_keys("", "", "9000", "5", "向下", "递减", "3000"), "f9")
        await settle(pilot)
        assert isinstance(app.screen, SurveyFormDialog)
        assert _said(app) == "按该设置，1层的销售单价将为-3000.00元/m²，请调整基础价格或每层递减金额。"
        app.screen.query_one("#sf-change", Input).focus()
        await pilot.press(*"多", "f9")
        await settle(pilot)
        assert "递增递减只能填“递增”或“递减”。" in screen_text(app)
        assert _value(app, "base_price") == "9000"
    assert surveys.show_survey(survey_db, survey_db.presale.dev, number).priced == 0


async def test_the_authority_maps_confirms_and_archives_a_conversion(survey_db) -> None:
    number = _conversion_in_review(survey_db)
    hall = survey_db.presale
    app = make_app(survey_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, hall.authority.username, "Passw0rd1", number)
        shown = screen_text(app)
        assert "F8 户室对照" in shown and "F9 审核归档" in shown and "批量设置" not in shown
        # 变更前后对比
        await _press(pilot, "f10")
        assert isinstance(app.screen, SurveyChangesScreen)
        shown = screen_text(app)
        assert "变更前 CL20220406001 → 变更后 SC20240101001" in shown and "删除户室：2 套" in shown
        await _press(pilot, "escape")
        # archiving before the mapping is confirmed: refused in the dialog
        await _press(pilot, "f9")
        await pilot.press(*"同意归档", "f9")
        await settle(pilot)
        assert "请先核对并确认户室关系对照，再归档。" in screen_text(app)
        await _press(pilot, "escape")
        # 户室关系对照: 1-01 split into 1-01A and 1-01B
        await _press(pilot, "f8")
        assert isinstance(app.screen, SurveyMappingScreen)
        shown = screen_text(app)
        assert "原户室 102 套　新户室 102 套　对照后户室 102 套　对应 100 套" in shown
        assert "新增 2 套　删除 2 套" in shown
        await _press(pilot, "f2")
        await pilot.press(*_keys("1-01", "1-01A,1-01B"), "f9")
        await settle(pilot)
        shown = screen_text(app)
        assert "对照已保存" in shown and "拆分 1 套　合并 0 套　新增 0 套　删除 1 套" in shown
        assert "1-01A、1-01B" in shown
        # a many-to-many link is refused with its sentence
        await _press(pilot, "f2")
        await type_into(pilot, "#sf-old", "1-02、1-03")  # 、 as an input method commits it
        await type_into(pilot, "#sf-new", "1-02，1-03")
        await _press(pilot, "f9")
        assert _said(app).startswith("户室对照不能多对多") and isinstance(app.screen, SurveyFormDialog)
        await _press(pilot, "escape", "f8")
        assert "户室关系对照已确认" in screen_text(app) and "（已确认）" in screen_text(app)
        await _press(pilot, "escape")
        assert isinstance(app.screen, SurveyScreen) and "（已确认）" in screen_text(app)
        await _press(pilot, "f9")
        await pilot.press(*"同意归档", "f9")
        await settle(pilot)
        shown = screen_text(app)
        assert "已归档：该栋现有户室 102 套（新增 2，沿用 100，灭失 2）。" in shown and "现行" in shown
    assert surveys.show_survey(survey_db, hall.authority, number).review_note == "同意归档"


async def test_the_authority_has_no_batch_key_and_a_predicted_survey_no_mapping(survey_db) -> None:
    number = _start(survey_db)
    app = make_app(survey_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, "super_p", "Passw0rd1", number)
        await _press(pilot, "f7")
        assert isinstance(app.screen, SurveyScreen)
        await _press(pilot, "f8")  # a predicted survey replaces nothing: the service says so
        assert "该测绘成果不替代其他成果，没有户室关系对照。" in screen_text(app)
        await _press(pilot, "f10")
        assert isinstance(app.screen, SurveyScreen)


# ------------------------------------------------------------------ snapshots (80x24)


def _snapshot(snap_compare, db, user: str, secret: str, number: str, *keys: str) -> bool:
    async def run_before(pilot) -> None:
        await _open(pilot, user, secret, number)
        await _press(pilot, *keys)
        pilot.app.clear_notifications()
        await pilot.pause()

    return snap_compare(make_app(db), terminal_size=SIZE, run_before=run_before)


def test_snapshot_batch_setting(snap_compare, survey_db) -> None:
    assert _snapshot(snap_compare, survey_db, "dev_a", PASSWORD, _start(survey_db), "f7")


def test_snapshot_quick_pricing(snap_compare, survey_db) -> None:
    assert _snapshot(snap_compare, survey_db, "dev_a", PASSWORD, _start(survey_db), "f8")


def test_snapshot_building_info(snap_compare, survey_db) -> None:
    assert _snapshot(snap_compare, survey_db, "dev_a", PASSWORD, _start(survey_db), "f3")


def test_snapshot_mapping(snap_compare, survey_db) -> None:
    number = _conversion_in_review(survey_db)
    assert _snapshot(snap_compare, survey_db, "super_p", "Passw0rd1", number, "f8")


def test_snapshot_changes(snap_compare, survey_db) -> None:
    number = _conversion_in_review(survey_db)
    assert _snapshot(snap_compare, survey_db, "super_p", "Passw0rd1", number, "f10")


def test_snapshot_archive_opinion(snap_compare, survey_db) -> None:
    number = _conversion_in_review(survey_db)
    assert _snapshot(snap_compare, survey_db, "super_p", "Passw0rd1", number, "f9")
