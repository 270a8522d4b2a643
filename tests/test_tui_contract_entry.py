"""签订买卖合同 through the terminal, by key presses at 80×24 on the SQLite sample.

A passed house check (tests/contract_support.passed_check) opens the form; the
database's clock (the services' and the app's) is frozen at 2026-11-21 10:00
Shanghai (tests.conftest.freeze), so contract numbers and the 24-hour expiry are fixed.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import func, select
from test_tui_cases import _actor
from test_tui_support import (
    SIZE,
    burst,
    login,
    make_app,
    screen_text,
    settle,
    text_of,
    type_into,
)
from textual import events
from textual.screen import Screen
from textual.widgets import Checkbox, Input, RadioSet, Select

from core.identity import make_resident_id
from services.resale import contracts as svc
from storage.engine import Database
from storage.models import Contract, ContractChange
from tests.conftest import freeze
from tests.contract_support import NOW, Clock, passed_check, signed_contract
from tui.screens.resale.entry import ContractEntryScreen, field_key, parent_paths

BUYER_ID = make_resident_id(random.Random(7), birth_date=date(1985, 3, 8))
BUYER_ID_2 = make_resident_id(random.Random(11), birth_date=date(1988, 6, 12))
MINOR_ID = make_resident_id(random.Random(5), birth_date=date(2015, 5, 20))
GUARDIAN_ID = make_resident_id(random.Random(9), birth_date=date(1980, 1, 15))


@pytest.fixture
def clock(sqlite_sample_db: Database) -> Clock:
    return freeze(sqlite_sample_db, NOW)


def _count(db: Database, model) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _open(pilot, screen: ContractEntryScreen) -> ContractEntryScreen:
    await login(pilot, "clerk1")
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def _radio(pilot, path: str, index: int) -> None:
    """Focus a radio set and press its ``index``-th button with the arrow keys and Enter."""
    radio = pilot.app.screen.query_one(f"#f-{field_key(path)}", RadioSet)
    radio.focus()
    await settle(pilot)
    await _press(pilot, *(["right"] * index), "enter")
    assert radio.pressed_index == index


async def _choose(pilot, path: str, downs: int) -> None:
    """Open a select with Enter, move down ``downs`` options, choose with Enter."""
    pilot.app.screen.query_one(f"#f-{field_key(path)}", Select).focus()
    await settle(pilot)
    await _press(pilot, "enter", *(["down"] * downs), "enter")


async def _type(pilot, path: str, text: str) -> None:
    await type_into(pilot, f"#f-{field_key(path)}", text)
    await settle(pilot)


async def _fill_buyer(pilot, index: int, name: str, number: str, phone: str) -> None:
    await _type(pilot, f"buyers[{index}].name", name)
    await _type(pilot, f"buyers[{index}].id_number", number)
    await _type(pilot, f"buyers[{index}].phone", phone)


async def _fill_terms(pilot) -> None:
    await _type(pilot, "price", "2350000")
    await _choose(pilot, "payment_method", 1)  # 一次性付款
    await _type(pilot, "payment_terms", "签约后五日内付清。")
    await _radio(pilot, "fund_supervised", 0)  # 是
    await _type(pilot, "supervising_bank", "中国建设银行")


def _error(app, path: str) -> str:
    return text_of(app, f"#e-{field_key(path)}")


class _SmsStub(Screen):
    pass


# ---------------------------------------------------------------- helpers


def test_field_paths_become_widget_ids_and_fall_back_to_their_item() -> None:
    assert field_key("buyers[1].guardian.id_number") == "buyers-1-guardian-id_number"
    assert list(parent_paths("buyers[0].guardian.name")) == [
        "buyers[0].guardian.name", "buyers[0].guardian", "buyers[0]", "buyers"]
    assert list(parent_paths("price")) == ["price"]


# ---------------------------------------------------------------- flows


async def test_valid_shenzhen_form_typed_by_keys_saves_a_draft(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))
    before = _count(db, Contract)  # the sample holds contracts of its own
    calls = []

    def next_step(view):
        calls.append(view)
        return _SmsStub()

    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, ContractEntryScreen(house_check_id=check.id, next_step=next_step))
        shown = screen_text(app)
        assert "房屋基本情况" in shown and check.house_code in shown and "登记份额 100.00%" in shown
        assert "********" in shown  # the seller's ID from the register, masked
        assert screen.check_action("next_step", ()) is False

        await _radio(pilot, "co_ownership", 0)  # 单独所有
        await _fill_buyer(pilot, 0, "李买方", BUYER_ID, "13912345678")
        # the price typed key by key: the capitals follow every key
        price = app.screen.query_one("#f-price", Input)
        price.focus()
        await settle(pilot)
        seen = []
        for key in "2350000":
            await _press(pilot, key)
            seen.append(str(app.screen.query_one("#price-capital").content))
        assert seen[0] == "大写：贰元整" and seen[2] == "大写：贰佰叁拾伍元整"
        assert seen[-1] == "大写：贰佰叁拾伍万元整"
        await _press(pilot, ".", "5")
        assert text_of(app, "#price-capital") == "大写：贰佰叁拾伍万元伍角"
        await _press(pilot, "backspace", "backspace")
        await _choose(pilot, "payment_method", 1)
        await _type(pilot, "payment_terms", "签约后五日内付清。")
        assert app.screen.query_one("#w-supervising_bank").has_class("-hidden")
        await _radio(pilot, "fund_supervised", 0)
        assert not app.screen.query_one("#w-supervising_bank").has_class("-hidden")
        await _type(pilot, "supervising_bank", "中国建设银行")
        # numbers are masked except in the box being typed in
        shown = screen_text(app)
        assert BUYER_ID not in shown and "139****5678" in shown
        assert "可选择线上签署" in text_of(app, "#signing-reasons")

        await _press(pilot, "ctrl+s")
        view = screen.view
        assert view is not None and view.status == "draft"
        assert text_of(app, "#ce-message") == f"合同草稿已保存，合同编号 {view.number}；按 F6 进行短信验证。"
        shown = screen_text(app)
        assert view.number in shown and view.case_number in shown and "草稿" in shown
        assert "须于 2026-11-22 10:00:00 前提交" in shown
        assert screen.mode == "draft" and screen.check_action("next_step", ()) is True

        await _press(pilot, "f6")
        assert isinstance(app.screen, _SmsStub) and [v.id for v in calls] == [view.id]
    stored = svc.get_contract(db, _actor(db, "clerk1"), view.id)
    assert stored.draft.price == 2350000 and stored.draft.buyers[0].name == "李买方"
    assert stored.draft.co_ownership == "sole" and stored.draft.supervising_bank == "中国建设银行"
    assert stored.draft.signing.method == "online"
    assert _count(db, Contract) == before + 1


async def test_the_parties_choice_of_dispute_resolution_is_entered_stored_and_printed(sqlite_sample_db, clock,
                                                                                       tmp_path) -> None:
    """争议解决 on the form: 未选定 to start with (the printed contract offers both to tick);
    仲裁 asks for the commission under its own field; saved, the draft holds the choice and
    the printed contract has its box ticked."""
    import re
    import subprocess

    from services.resale import documents

    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        assert screen.query_one("#f-dispute", RadioSet).pressed_index == 0  # 未选定
        assert screen.query_one("#w-arbitration_commission").has_class("-hidden")
        await _radio(pilot, "co_ownership", 0)
        await _fill_buyer(pilot, 0, "李买方", BUYER_ID, "13912345678")
        await _fill_terms(pilot)
        await _radio(pilot, "dispute", 1)  # 仲裁
        assert not screen.query_one("#w-arbitration_commission").has_class("-hidden")
        shown = "".join(screen_text(app).split())
        assert "争议解决解决方式▐●▌未选定▐●▌仲裁▐●▌诉讼" in shown
        await _press(pilot, "f5")
        assert screen.view is None and _error(app, "arbitration_commission") == "选择仲裁时须填写仲裁委员会名称。"
        assert screen.focused is screen.query_one("#f-arbitration_commission", Input)
        await _type(pilot, "arbitration_commission", "深圳国际仲裁院")
        await _press(pilot, "f5")
        view = screen.view
        assert view is not None and view.status == "draft"
    stored = svc.get_contract(db, _actor(db, "clerk1"), view.id)
    assert (stored.draft.dispute, stored.draft.arbitration_commission) == ("arbitration", "深圳国际仲裁院")
    assert stored.items["dispute"] == "仲裁（深圳国际仲裁院）"
    path = tmp_path / "contract.pdf"
    path.write_bytes(documents.contract_pdf(db, _actor(db, "clerk1"), view.number))
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert "√提交深圳国际仲裁院仲裁；依法向房屋所在地人民法院起诉。" in text


_burst = burst


def _party_keys(name: str, number: str, phone: str) -> list[str]:
    """A party typed from its name on: Tab past the region and the ID kind to the number, Tab to the phone."""
    return [*name, "tab", "tab", "tab", *number, "tab", *phone]


async def test_two_parties_typed_without_a_pause_land_each_key_in_its_field(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        await _radio(pilot, "co_ownership", 1)  # 共同共有: no shares to type
        await _press(pilot, "f3")
        assert screen.buyer_count == 2
        parties = [("李买方", BUYER_ID, "13912345678"), ("阿依古丽·买买提", BUYER_ID_2, "13712345670")]
        for index, party in enumerate(parties):
            app.screen.query_one(f"#f-buyers-{index}-name", Input).focus()
            await settle(pilot)
            _burst(app, _party_keys(*party))
            await settle(pilot)
        for index, (name, number, phone) in enumerate(parties):
            assert app.screen.query_one(f"#f-buyers-{index}-name", Input).value == name
            assert app.screen.query_one(f"#f-buyers-{index}-id_number", Input).value == number
            assert app.screen.query_one(f"#f-buyers-{index}-phone", Input).value == phone
        await _fill_terms(pilot)
        await _press(pilot, "ctrl+s")
        view = screen.view
        assert view is not None and view.status == "draft", text_of(app, "#ce-message")
    saved = svc.get_contract(db, _actor(db, "clerk1"), view.id).draft.buyers
    assert [(b.name, b.id_number, b.phone) for b in saved] == parties


async def test_a_long_paste_is_cut_to_the_field_and_said_so(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        terms = app.screen.query_one("#f-payment_terms", Input)
        terms.focus()
        await settle(pilot)
        app.post_message(events.Paste("签约后五日内付清。" * 70 + "\n第二行"))  # 630 characters, then a second line
        await settle(pilot)
        assert terms.value == ("签约后五日内付清。" * 70)[:500]
        assert "只保留了前 500 个字" in text_of(app, "#ce-message")


async def test_several_errors_each_under_its_field_and_nothing_saved(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))
    before = _count(db, Contract)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        await _radio(pilot, "co_ownership", 0)
        await _fill_buyer(pilot, 0, "李买方", BUYER_ID[:-1] + ("0" if BUYER_ID[-1] != "0" else "1"), "12345")
        await _type(pilot, "price", "-5")
        await _type(pilot, "sellers[0].transferred_share", "120")
        await _press(pilot, "f5")
        assert "合同未保存" in text_of(app, "#ce-message")
        assert "校验" in _error(app, "buyers[0].id_number")
        assert "手机" in _error(app, "buyers[0].phone")
        assert _error(app, "price")
        assert _error(app, "payment_method") == "请选择付款方式。"
        assert _error(app, "fund_supervised") == "请选择是否进行资金监管。"
        assert _error(app, "sellers[0].transferred_share") == "出卖人转让的份额应在0至100%之间。"
        assert _error(app, "co_ownership") == ""  # right, so no refusal there
        assert app.focused is app.screen.query_one("#f-sellers-0-transferred_share")
        assert app.screen.view is None
        # typing a bad price never breaks the capitals line
        for bad in ("abc", "1e999999", "１２３", "0.001", "99999999999999"):
            await _type(pilot, "price", bad)
            assert text_of(app, "#price-capital").startswith("大写：")
    assert _count(db, Contract) == before


async def test_shares_must_sum_to_100_and_are_refused_at_the_share_field(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        assert app.screen.query_one("#w-buyers-0-share").has_class("-hidden")
        await _radio(pilot, "co_ownership", 2)  # 按份共有
        assert not app.screen.query_one("#w-buyers-0-share").has_class("-hidden")
        await _fill_buyer(pilot, 0, "李买方", BUYER_ID, "13912345678")
        await _press(pilot, "f3")
        assert app.focused is app.screen.query_one("#f-buyers-1-name")
        await _fill_buyer(pilot, 1, "周共有", BUYER_ID_2, "13712345670")
        await _type(pilot, "buyers[0].share", "50")
        await _type(pilot, "buyers[1].share", "40")
        await _fill_terms(pilot)
        await _press(pilot, "f5")
        assert _error(app, "buyers[1].share") == "按份共有的份额合计须为100%，现为90.00%。"
        assert app.screen.query_one("#f-buyers-0-share").has_class("-invalid")
        assert app.screen.view is None
        # F4 on the second buyer removes it; the first keeps what was typed
        app.screen.query_one("#f-buyers-1-phone").focus()
        await _press(pilot, "f4")
        assert app.screen.buyer_count == 1 and not app.screen.query("#f-buyers-1-name")
        assert app.screen.query_one("#f-buyers-0-name", Input).value == "李买方"
        await _press(pilot, "f3")
        await _fill_buyer(pilot, 1, "周共有", BUYER_ID_2, "13712345670")
        await _type(pilot, "buyers[1].share", "50")
        await _press(pilot, "f5")
        assert app.screen.view is not None
        draft = app.screen.view.draft
    assert [b.share for b in draft.buyers] == [50, 50] and draft.co_ownership == "shares"


async def test_a_minor_buyer_needs_a_guardian_and_is_signed_offline(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))
    before = _count(db, Contract)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        await _radio(pilot, "co_ownership", 0)
        await _fill_buyer(pilot, 0, "李小明", MINOR_ID, "13912345678")
        await _fill_terms(pilot)
        assert app.screen.query_one("#box-buyers-0-guardian").has_class("-hidden")
        await _press(pilot, "f5")
        assert _error(app, "buyers[0].guardian") == "买受人李小明未满18周岁，须填写监护人。"
        assert app.screen.query_one("#c-buyers-0-guardian", Checkbox).value is True
        assert not app.screen.query_one("#box-buyers-0-guardian").has_class("-hidden")
        assert app.focused is app.screen.query_one("#f-buyers-0-guardian-name")
        assert _count(db, Contract) == before
        await _type(pilot, "buyers[0].guardian.name", "李监护")
        await _type(pilot, "buyers[0].guardian.id_number", GUARDIAN_ID)
        assert "须线下签署：买受人李小明为限制民事行为能力人" in text_of(app, "#signing-reasons")
        await _press(pilot, "f5")
        view = app.screen.view
        assert view is not None and view.draft.buyers[0].guardian.name == "李监护"
        assert view.draft.signing.method == "offline"
        assert GUARDIAN_ID not in screen_text(app)


async def test_a_hong_kong_buyer_is_offered_the_permit_only_and_signs_offline(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        kinds = app.screen.query_one("#f-buyers-0-id_kind", Select)
        assert [label for label, _ in kinds._options if _ is not Select.NULL] == ["居民身份证", "军官证"]
        await _choose(pilot, "buyers[0].region", 1)  # 香港
        assert [label for label, _ in kinds._options] == ["港澳居民来往内地通行证"]
        assert kinds.value == "hk_macao_permit"
        await _radio(pilot, "co_ownership", 0)
        await _fill_buyer(pilot, 0, "陈港生", "H12345678", "13912345678")
        await _fill_terms(pilot)
        reasons = text_of(app, "#signing-reasons")
        assert reasons == "须线下签署：买受人陈港生为境外人士（港澳居民来往内地通行证）。"
        signing = app.screen.query_one("#f-requested_signing", RadioSet)
        assert signing.pressed_index == 1 and signing.query("RadioButton").first().disabled
        await _press(pilot, "f5")
        view = app.screen.view
        assert view is not None and view.draft.signing.method == "offline"
        assert "境外人士" in screen_text(app)


async def test_change_mode_saves_non_key_items_and_refuses_key_ones(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    clerk = _actor(db, "clerk1")
    view = signed_contract(db, clerk, _actor(db, "super1"), clock, city="zhongshan")
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, ContractEntryScreen(contract_id=view.id, mode="change"))
        assert app.screen.query_one("#f-buyers-0-name", Input).disabled
        assert app.screen.query_one("#f-buyers-0-id_number", Input).disabled
        assert screen.check_action("add_buyer", ()) is False
        await _type(pilot, "price", "2300000")
        await _type(pilot, "reason", "双方协商降价")
        await _press(pilot, "f5")
        assert text_of(app, "#ce-message") == f"合同变更已保存（第{view.version + 1}版），共变更 1 项。"
        shown = screen_text(app)
        assert "成交价格" in shown and "2,350,000.00元" in shown and "2,300,000.00元" in shown
        assert screen.view.version == view.version + 1
        # a key item (the buyer's name) is refused at its field and nothing is recorded
        rows = _count(db, ContractChange)
        name = app.screen.query_one("#f-buyers-0-name", Input)
        name.value = "王另一人"  # the box is read-only; the service is the last word
        await settle(pilot)
        await _press(pilot, "f5")
        assert "注销网签后重新签订" in _error(app, "buyers[0].name")
        assert _count(db, ContractChange) == rows
    after = svc.get_contract(db, clerk, view.id)
    assert after.version == view.version + 1 and after.draft.price == 2300000
    assert [c.reason for c in after.changes] == ["双方协商降价"]


async def test_change_mode_refuses_a_draft(sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    clerk = _actor(db, "clerk1")
    check = passed_check(db, clerk)
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        await _radio(pilot, "co_ownership", 0)
        await _fill_buyer(pilot, 0, "李买方", BUYER_ID, "13912345678")
        await _fill_terms(pilot)
        await _press(pilot, "f5")
        contract_id = app.screen.view.id
        await _press(pilot, "escape")
        await pilot.app.push_screen(ContractEntryScreen(contract_id=contract_id, mode="change"))
        await settle(pilot)
        assert text_of(app, "#ce-message") == "该合同草稿，只有已签约的合同可以办理变更。"
        assert app.screen.check_action("save", ()) is False
        await _press(pilot, "escape")
        # re-opened as a draft: the form comes back, a new version is saved
        await pilot.app.push_screen(ContractEntryScreen(contract_id=contract_id, mode="draft"))
        await settle(pilot)
        assert app.screen.query_one("#f-buyers-0-name", Input).value == "李买方"
        await _type(pilot, "price", "2400000")
        await _press(pilot, "f5")
        assert app.screen.view.version == 2
        assert text_of(app, "#ce-message") == f"合同草稿已保存为第2版，合同编号 {app.screen.view.number}。"


# ---------------------------------------------------------------- snapshots


def test_snapshot_new_form_top(snap_compare, sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))

    async def run_before(pilot) -> None:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


def test_snapshot_field_errors(snap_compare, sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))

    async def run_before(pilot) -> None:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        await _radio(pilot, "co_ownership", 0)
        await _fill_buyer(pilot, 0, "李买方", "4403", "12345")
        await _type(pilot, "price", "-5")
        await _press(pilot, "f5")
        pilot.app.screen.query_one("#box-buyers-0").scroll_visible(animate=False, top=True)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


def test_snapshot_change_mode_after_a_change(snap_compare, sqlite_sample_db, clock) -> None:
    db = sqlite_sample_db
    view = signed_contract(db, _actor(db, "clerk1"), _actor(db, "super1"), clock, city="zhongshan")

    async def run_before(pilot) -> None:
        await _open(pilot, ContractEntryScreen(contract_id=view.id, mode="change"))
        await _type(pilot, "payment_terms", "签约后十日内付清。")
        await _type(pilot, "reason", "双方协商调整付款约定")
        await _press(pilot, "f5")
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)


def test_snapshot_dispute_choice_with_a_refusal(snap_compare, sqlite_sample_db, clock) -> None:
    """The 争议解决 section at the form's end at 80×24: 仲裁 chosen, the commission refused."""
    db = sqlite_sample_db
    check = passed_check(db, _actor(db, "clerk1"))

    async def run_before(pilot) -> None:
        await _open(pilot, ContractEntryScreen(house_check_id=check.id))
        await _radio(pilot, "co_ownership", 0)
        await _fill_buyer(pilot, 0, "李买方", BUYER_ID, "13912345678")
        await _fill_terms(pilot)
        await _radio(pilot, "dispute", 1)
        await _press(pilot, "f5")
        pilot.app.screen.query_one("#ce-body").scroll_end(animate=False)
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(make_app(db, clock=clock), terminal_size=SIZE, run_before=run_before)
