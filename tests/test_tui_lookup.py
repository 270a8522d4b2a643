"""申请人查询 through the terminal: search as you type, detail, audited reveal."""

from __future__ import annotations

import pytest
from test_tui_support import (
    SIZE,
    blacklisted_owner,
    login,
    make_app,
    screen_text,
    select_row,
    settle,
    text_of,
    type_into,
)

from core.identity import mask_id, mask_phone
from core.roles import Actor
from services import audit, lookup
from tui.screens.lookup import LookupScreen


async def _open_lookup(pilot) -> LookupScreen:
    await login(pilot, "clerk1")
    await pilot.press("f2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, LookupScreen)
    return pilot.app.screen


async def test_name_prefix_shows_masked_results_and_the_detail(sample_db) -> None:
    person = blacklisted_owner(sample_db)  # owns a seized home in the sample
    app = make_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_lookup(pilot)
        await type_into(pilot, "#query", person.name[:2])
        await settle(pilot)
        # The first row is selected at once and its detail loaded.
        first = next(iter(screen.hits.values()))
        assert screen.detail is not None and (screen.detail.kind, screen.detail.id) == (first.kind, first.id)
        await select_row(pilot, "#results", f"person:{person.id}")
        shown = screen_text(app)
        assert mask_id(person.id_number) in shown
        assert mask_phone(person.phone) in shown
        assert person.id_number not in shown and person.phone not in shown
        assert "黑名单" in shown
        assert screen.detail.id == person.id
        assert "名下房屋" in shown and "已查封" in shown
        assert any("已查封" in home.status for home in screen.detail.homes)
        assert "⚠ 黑名单" in shown


async def test_id_and_phone_prefixes_typed_key_by_key_find_the_person(sample_db) -> None:
    person = blacklisted_owner(sample_db)
    app = make_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_lookup(pilot)
        for prefix in (person.id_number[:10], person.phone[:7]):
            await type_into(pilot, "#query", prefix, keys=True)
            await settle(pilot)
            assert f"person:{person.id}" in screen.hits, prefix
            assert all(hit.masked_number != person.id_number for hit in screen.hits.values())
        # Results that arrive for an older text than the one in the box are dropped.
        await type_into(pilot, "#query", person.id_number)
        await settle(pilot)
        stale = lookup.search_applicants(sample_db, app.actor, "王")
        screen.post_message(LookupScreen.SearchDone("王", stale))
        await pilot.pause()
        assert list(screen.hits) == [f"person:{person.id}"]


@pytest.fixture(autouse=True)
def _quick_typing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shorter pause before searching keeps the tests quick; the logic is the same."""
    monkeypatch.setattr(LookupScreen, "SEARCH_DELAY", 0.05)


async def test_too_short_and_unknown_queries_explain_themselves(sample_db) -> None:
    app = make_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_lookup(pilot)
        assert "可输入：身份证号" in text_of(app, "#lookup-status")
        await pilot.press("ctrl+r")  # nothing selected to reveal
        await settle(pilot)
        assert text_of(app, "#lookup-status") == "请先在结果列表中选择一位申请人。"
        await type_into(pilot, "#query", "440")
        await settle(pilot)
        assert text_of(app, "#lookup-status") == "输入的内容还不足以查询，请继续输入。"
        await type_into(pilot, "#query", "查无此人")
        await settle(pilot)
        assert text_of(app, "#lookup-status") == "未找到符合条件的申请人。"
        shown = screen_text(app)
        assert "未找到符合条件的申请人" in shown
        assert "统一社会信用代码" in shown  # the hint says what can be typed
        assert screen.hits == {}


async def test_reveal_shows_the_full_number_and_is_audited(sample_db) -> None:
    person = blacklisted_owner(sample_db)
    app = make_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open_lookup(pilot)
        await type_into(pilot, "#query", person.name)
        await settle(pilot)
        await select_row(pilot, "#results", f"person:{person.id}")
        assert person.id_number not in screen_text(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert f"完整号码：{person.id_number}" in screen_text(app)
    entries = [e for e in audit.recent(sample_db, Actor.system("test")) if e.action == "reveal_identity"]
    assert len(entries) == 1
    assert entries[0].operator == "clerk1"
    assert entries[0].object_type == "person" and entries[0].object_id == str(person.id)


async def test_a_failing_service_shows_a_system_error_and_the_terminal_survives(
    sample_db, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args, **_kwargs):
        raise OSError("数据库连接中断")

    person = blacklisted_owner(sample_db)
    app = make_app(sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await _open_lookup(pilot)
        monkeypatch.setattr(lookup, "search_applicants", broken)
        await type_into(pilot, "#query", person.name)
        await settle(pilot)
        assert text_of(app, "#lookup-status") == "系统错误：数据库连接中断"
        assert app.is_running
        monkeypatch.undo()
        await type_into(pilot, "#query", person.id_number)
        await settle(pilot)
        assert list(app.screen.hits) == [f"person:{person.id}"]
