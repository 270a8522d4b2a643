"""The face of the terminal at 80x24 and 120x40: nothing cut, keys of the current step
first, F1 帮助 and Ctrl+P 命令面板 in Chinese, lists that grow with the terminal, and the
small things of the rounds, lookup and board screens (the trust issue, items 10–11)."""

from __future__ import annotations

import re
from datetime import timedelta

from test_tui_allocation_support import (  # noqa: F401 - fixtures
    actor_of,
    add_families,
    add_houses,
    counter_db,
    cursor_to,
    freeze,
    make_app,
    next_round_number,
    press,
    three_rounds,
)
from test_tui_support import (
    SIZE,
    blacklisted_owner,
    login,
    screen_text,
    settle,
    text_of,
    type_into,
)
from textual.command import CommandList
from textual.widgets import Input

from core.timeutil import SHANGHAI
from services.allocation import rounds
from tui.commands import DeskPalette
from tui.screens.allocation.board import BoardScreen
from tui.screens.allocation.rounds import RoundsScreen
from tui.screens.dialogs import ReasonDialog
from tui.screens.help import HelpScreen
from tui.screens.lookup import LookupScreen
from tui.widgets.message import wrap_cells
from tui.widgets.tables import ListTable

BIG = (120, 40)
# Words of Textual's own palette and key panel that must not reach the screen.
ENGLISH = ("Theme", "Quit", "Keys", "Screenshot", "Search for commands", "No matches", "palette", "Maximize")


def flat(app) -> str:
    """The screen's text with every blank removed: a sentence wrapped over lines reads whole."""
    return re.sub(r"\s+", "", screen_text(app))


def footer_line(app) -> str:
    return screen_text(app).rstrip("\n").split("\n")[-1]


# ---------------------------------------------------------------- wrapping


def test_chinese_wraps_between_characters_not_at_the_only_space() -> None:
    text = "核验第2场：第 1 次运行的选房日志共 152 条，哈希链完整，重算结果与日志和数据库中保存的结果一致。"
    lines = wrap_cells(text, 30)
    assert all(len(line.encode("gbk")) <= 30 for line in lines)  # GBK: two bytes a wide character
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert lines[0] == "核验第2场：第 1 次运行的选房日"  # the first line is full, not cut at "共 5"
    assert not any(line.startswith(("，", "。", "）", "：")) for line in lines)
    assert any("152" in line for line in lines)  # a number stays whole
    assert wrap_cells("撤回原因（必填）", 5) == ["撤回", "原因", "（必", "填）"]


# ---------------------------------------------------------------- 选房场次


async def test_rounds_screen_says_whole_sentences_and_keeps_the_cursors_round(counter_db) -> None:
    db = counter_db
    clock = freeze(db)
    hall = three_rounds(db, clock)
    first, second = hall.numbers[0], hall.numbers[1]
    boss = actor_of(db, "super1")
    # A round set a year ahead, not yet open: its dates carry the year, its phase is 未开始.
    fams = add_families(db, 2)
    ahead = clock.now + timedelta(days=200)
    later = next_round_number(db)
    rounds.create_round(db, boss, number=later, name="明年第一批", family_ids=fams, pre_open=ahead,
                        pre_close=ahead + timedelta(hours=8), formal_open=ahead + timedelta(days=1),
                        formal_close=ahead + timedelta(days=1, hours=2))
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, RoundsScreen)
        shown = screen_text(app)
        local = (ahead + timedelta(days=1)).astimezone(SHANGHAI).strftime("%Y-%m-%d")
        assert local in shown and "未开始" in shown

        # Run the first round; its keys of the moment come first in the footer.
        await cursor_to(pilot, "#rounds", str(hall.rounds[first]))
        assert footer_line(app).split()[:2] == ["F5", "运行场次"]
        await press(pilot, "f5", "enter")
        assert footer_line(app).split()[:2] == ["F6", "核验"]
        assert "F1 帮助" in footer_line(app)

        # 核验: the whole verdict is on screen (it wraps, nothing is cut).
        await press(pilot, "f6")
        verdict = text_of(app, "#rounds-message")
        assert verdict.startswith(f"核验第{first}场：第 1 次运行的选房日志共") and verdict.endswith("。")
        assert re.sub(r"\s+", "", verdict) in flat(app)

        # A refusal leaves the detail on the round under the cursor.
        await press(pilot, "f5")
        assert "须先撤回结果才能重新运行" in flat(app)
        assert screen.selected.id == hall.rounds[first] and screen.detail.id == hall.rounds[first]
        await press(pilot, "f7", "escape")  # the reason dialog closed without a reason
        assert screen.selected.id == hall.rounds[first] and screen.detail.id == hall.rounds[first]

        # Enter on an empty reason: refused in the dialog, which stays open.
        await press(pilot, "f7", "enter")
        assert isinstance(app.screen, ReasonDialog)
        assert "请填写原因后再按Enter" in flat(app)
        await press(pilot, "escape")

        # Another round: its detail follows the cursor.
        await cursor_to(pilot, "#rounds", str(hall.rounds[second]))
        assert screen.detail.id == hall.rounds[second]
        # No key is cut in half: every key shown ends inside the terminal.
        assert all(key.region.right <= SIZE[0] for key in app.screen.query("FooterKey") if key.display)


# ---------------------------------------------------------------- F1 帮助


async def test_f1_lists_the_screens_keys_and_steps_in_chinese(counter_db) -> None:
    db = counter_db
    clock = freeze(db)
    three_rounds(db, clock)
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6", "f1")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert keys["F5"] == "运行场次" and keys["F6"] == "核验" and keys["F7"] == "重开"
        assert keys["Enter"] == "家庭选房" and keys["Esc"] == "返回" and keys["Ctrl+L"] == "锁屏"
        assert keys["Ctrl+P"] == "命令面板"
        assert all(re.search(r"[\u4e00-\u9fff]", description) for description in keys.values())
        shown = flat(app)
        assert "帮助选房场次" in shown and "办理步骤" in shown and "运行场次：先预运行" in shown
        assert not any(word in screen_text(app) for word in ENGLISH)
        await press(pilot, "f1")  # F1 again closes it
        assert isinstance(app.screen, RoundsScreen)

        # A clerk's help lists no supervisor's key.
        await press(pilot, "escape")
        await app.action_logout()
        await settle(pilot)
        await login(pilot, "clerk1")
        await press(pilot, "6", "f1")
        keys = dict(app.screen.keys)
        assert "F5" not in keys and "F7" not in keys and keys["Enter"] == "家庭选房"


# ---------------------------------------------------------------- Ctrl+P 命令面板


async def _palette(pilot, query: str = "") -> list[str]:
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.pause(0.3)
    palette = pilot.app.screen
    assert isinstance(palette, DeskPalette)
    if query:
        await pilot.press(*query)
        await pilot.pause(0.8)  # the palette gathers hits, then says when there are none
    options = palette.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_palette_speaks_chinese_and_offers_what_the_role_may_open(counter_db) -> None:
    app = make_app(counter_db, freeze(counter_db))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")  # not before login
        await settle(pilot)
        assert not isinstance(app.screen, DeskPalette)
        await login(pilot, "clerk1")
        prompts = " ".join(await _palette(pilot))
        shown = screen_text(app)
        assert "输入功能或画面名称查找" in shown
        for name in ("申请人查询", "产权校验·房源核验", "网签合同", "选房场次", "家庭选房", "锁屏", "退出登录"):
            assert name in prompts, name
        assert "网签审核" not in prompts and "注销审核" not in prompts  # reviewers' screens
        assert not any(word in prompts or word in shown for word in ENGLISH)
        await pilot.press("escape")
        await settle(pilot)

        # Found by name, run at once: 选房场次 opens.
        names = await _palette(pilot, "选房场次")
        assert names and "选房场次" in names[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RoundsScreen)

        # A name that matches nothing says so in Chinese.
        await _palette(pilot, "无此功能")
        assert "没有找到该功能" in screen_text(app)
        assert not any(word in screen_text(app) for word in ENGLISH)


# ---------------------------------------------------------------- 120x40


async def test_lists_grow_with_the_terminal(counter_db) -> None:
    db = counter_db
    clock = freeze(db)
    three_rounds(db, clock)
    sizes = {}
    for size in (SIZE, BIG):
        app = make_app(db, clock)
        async with app.run_test(size=size) as pilot:
            await login(pilot, "super1")
            await press(pilot, "6")
            listing = app.screen.query_one("#rounds", ListTable)
            results = app.screen.query_one("#round-results", ListTable)
            sizes[size] = (listing.size, results.size, screen_text(app))
    (small_list, small_results, small_text), (big_list, big_results, big_text) = sizes[SIZE], sizes[BIG]
    assert small_list.width == SIZE[0] - 2 and big_list.width == BIG[0] - 2  # the width of the screen
    assert big_list.height > small_list.height and big_results.height > small_results.height
    # The long round names the sample gives are cut at 80 columns and whole at 120.
    assert "2026年第三批公共租赁住…" in small_text
    assert re.search(r"2026年第三批公共租赁住房[^…]", big_text)


# ---------------------------------------------------------------- 申请人查询


async def test_lookup_typing_in_the_results_goes_back_to_the_query(sqlite_sample_db) -> None:
    person = blacklisted_owner(sqlite_sample_db)
    app = make_app(sqlite_sample_db, freeze(sqlite_sample_db))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await press(pilot, "f2")
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        await type_into(pilot, "#query", person.name[:1])
        await settle(pilot)
        await press(pilot, "enter")
        assert screen.focused is screen.query_one("#results")
        query = screen.query_one("#query", Input)
        await press(pilot, *"x")  # typed in the results: goes on in the query
        assert screen.focused is query and query.value == person.name[:1] + "x"
        await press(pilot, "backspace")
        assert query.value == person.name[:1]
        await settle(pilot)
        await press(pilot, "enter", "backspace")
        assert screen.focused is query and query.value == ""


# ---------------------------------------------------------------- 房源信息播报


async def test_status_board_names_the_estate_with_the_building(counter_db) -> None:
    db = counter_db
    clock = freeze(db)
    add_houses(db, "T1", 2, 2)
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await press(pilot, "8")
        board = app.screen
        assert isinstance(board, BoardScreen)
        board.query_one("#board-building").value = "T1"
        await settle(pilot)
        shown = screen_text(app)
        assert "龙悦居 T1栋" in shown and "1层" in shown and "101 可选" in shown
        assert "龙悦居 T1栋" in {str(label) for label, _ in board.query_one("#board-building")._options}

