"""锁屏 hides the screen beneath: nothing of the person left on the desk can be read."""

from __future__ import annotations

from test_tui_support import SIZE, blacklisted_owner, login, make_app, screen_text, settle, type_into

from core.identity import mask_id, mask_phone
from tui.screens.lock import LockScreen
from tui.screens.lookup import LookupScreen


async def test_the_lock_screen_covers_the_person_on_screen(sqlite_sample_db) -> None:
    person = blacklisted_owner(sqlite_sample_db)
    shown = [person.name, mask_id(person.id_number), mask_phone(person.phone)]
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("1")
        await settle(pilot)
        await type_into(pilot, "#query", person.id_number)
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        before = screen_text(app)
        assert all(text in before for text in shown), before  # the person is on screen
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        after = screen_text(app)
        assert "终端已锁定" in after
        assert [text for text in shown if text in after] == [], after
