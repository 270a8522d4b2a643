"""家庭选房 and 房源信息播报 through the terminal: a clerk builds a family's 预选 list
from the house search (添加, 上移, 置顶, 删除) with its lint, syncs it into 正选,
reads the forecast, confirms, and meets the refusals; the board filters and refreshes;
a clerk's 选房场次 has no supervisor keys."""

from __future__ import annotations

from test_tui_allocation_support import (  # noqa: F401 - fixtures
    actor_of,
    counter_db,
    cursor_to,
    desk_round,
    freeze,
    make_app,
    press,
    rank_of,
    set_formal,
)
from test_tui_support import SIZE, login, screen_text, settle, text_of, type_into

from services.allocation.families import round_families
from tui.screens.allocation.rounds import RoundsScreen
from tui.screens.allocation.family import FamilyScreen, ForecastDialog, HouseSearchDialog
from tui.screens.allocation.board import BoardScreen
from tui.screens.dialogs import REASON_REQUIRED, ConfirmDialog, ReasonDialog


async def _add_house(pilot, *, building: str = "T2", layout: str | None = None, room: str = "") -> None:
    """a 添加 → the search dialog → filters → ↓ to the results → Enter on the first."""
    await press(pilot, "a")
    dialog = pilot.app.screen
    assert isinstance(dialog, HouseSearchDialog)
    await type_into(pilot, "#s-building", building)
    if layout:
        dialog.query_one("#s-layout").value = layout
    if room:
        await type_into(pilot, "#s-room", room)
    await settle(pilot)
    await press(pilot, "down", "enter")
    assert isinstance(pilot.app.screen, FamilyScreen)


def _codes(app) -> list[str]:
    return [line.code for line in app.screen.wishes.lines]


def _lint(app) -> list[str]:
    return [w.code for w in app.screen.wishes.lint]


async def test_clerk_works_a_familys_wish_lists(counter_db) -> None:
    db = counter_db
    clock = freeze(db)
    hall = desk_round(db, clock, eligible="1b")
    number = hall.numbers[0]
    rid = hall.rounds[number]
    f0, f1, f2 = hall.families[:3]
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await press(pilot, "7")
        screen = app.screen
        assert isinstance(screen, FamilyScreen) and screen.round_id == rid
        await settle(pilot)
        # The round is already chosen: the line under it must not still ask for one.
        assert "请先选择场次" not in text_of(app, "#family-info")
        assert "排位号或主申请人姓名" in text_of(app, "#family-info")
        await type_into(pilot, "#fam-query", str(rank_of(db, f1)))
        await press(pilot, "enter")
        assert screen.family.family_id == f1
        shown = screen_text(app)
        assert f"家庭 {f1}" in shown and "李建国" in shown and "可选户型：一房一厅" in shown
        assert "预选意向为空" in shown

        # 添加 from the search, with the lint under the list.
        await _add_house(pilot, layout="1b")
        assert _codes(app) == ["T2-0101"]
        assert text_of(app, "#family-message") == "已将房源 T2-0101 加入预选意向第 1 位。"
        assert _lint(app) == ["WISH_LIST_TOO_SHORT"]
        assert "意向中有效房源只有 1 套，至少需要 2 套才能确保选中房源" in text_of(app, "#lint")
        assert "⚠ 该家庭排在本场次第 2 位" in screen_text(app)
        await _add_house(pilot, layout="2b")
        await _add_house(pilot, room="103")
        assert _codes(app) == ["T2-0101", "T2-0102", "T2-0103"]
        assert _lint(app) == ["WISH_NOT_ELIGIBLE"]
        assert "T2-0102" in text_of(app, "#lint") and "不在该家庭可选户型之内" in screen_text(app)

        # 上移, 置顶, 删除.
        await press(pilot, "shift+up")
        assert _codes(app) == ["T2-0101", "T2-0103", "T2-0102"]
        assert text_of(app, "#family-message") == "已上移：房源 T2-0103 现排第 2 位。"
        await press(pilot, "t")
        assert _codes(app) == ["T2-0103", "T2-0101", "T2-0102"]
        await press(pilot, "t")
        assert text_of(app, "#family-message") == "该意向已排在第一位。"
        await cursor_to(pilot, "#wishes", "3")
        await press(pilot, "delete")
        assert _codes(app) == ["T2-0103", "T2-0101"]
        assert _lint(app) == [] and not screen.query_one("#lint").display

        # The formal list is closed until the formal selection starts.
        await press(pilot, "f2", "a")
        assert isinstance(app.screen, HouseSearchDialog)
        await press(pilot, "down", "enter")
        assert text_of(app, "#family-message").startswith("正选意向只能在正选时间（")

        # 正选: the family ranked first lists T2-0103 too; sync, forecast, confirm.
        clock.advance(hours=2, minutes=30)
        set_formal(db, actor_of(db, "super1"), rid, f0, [hall.houses["T2-0103"]], {"formal_open": clock.now})
        await press(pilot, "s")
        assert isinstance(app.screen, ConfirmDialog) and "覆盖" in app.screen.question
        await press(pilot, "enter")
        assert screen.list_kind == "formal" and _codes(app) == ["T2-0103", "T2-0101"]
        assert text_of(app, "#family-message") == "已同步预选房源：正选意向共 2 套。"
        await press(pilot, "f")
        assert isinstance(app.screen, ForecastDialog)
        assert app.screen.view.explanation == (
            f"按当前意向，家庭 {f1} 将选中房源 T2-0101。",
            f"房源 T2-0103 已被排位第 {rank_of(db, f0)} 位的家庭 {f0} 选定。",
        )
        assert "推算结果：已分配　房源 T2-0101" in screen_text(app)
        await press(pilot, "escape")
        await press(pilot, "c")
        assert "T2-0103" in app.screen.question
        await press(pilot, "enter")
        assert text_of(app, "#family-message") == f"房源 T2-0103 已被排位第 {rank_of(db, f0)} 位的家庭 {f0} 选定。"
        await press(pilot, "down", "c", "enter")
        assert text_of(app, "#family-message") == "已确认正选房源 T2-0101，选房结果不可更改。"
        assert "已确认正选" in text_of(app, "#family-info")

        # After the confirm: no give-up, no supplementary application before the results.
        await press(pilot, "g")
        assert isinstance(app.screen, ReasonDialog)
        await type_into(pilot, "#reason", "家庭另有住房")
        await press(pilot, "enter", "enter")
        assert text_of(app, "#family-message") == f"家庭 {f1} 已确认正选，选房结果不能再更改。"
        await press(pilot, "b")
        assert text_of(app, "#family-message") == f"第{number}场（安居苑公租房）尚未公布选房结果，结果公布后才能申请补选。"

        # Another family, found by name: 主动放弃 needs a reason, then is recorded.
        await type_into(pilot, "#fam-query", "张秀英")
        await press(pilot, "enter")
        assert screen.family.family_id == f2
        await press(pilot, "g", "enter")  # no reason: refused in the dialog, which stays open
        assert isinstance(app.screen, ReasonDialog) and text_of(app, ".error-line") == REASON_REQUIRED
        await press(pilot, "escape")
        await press(pilot, "g")
        await type_into(pilot, "#reason", "已购买商品房")
        await press(pilot, "enter", "enter")
        assert text_of(app, "#family-message") == f"家庭 {f2} 已主动放弃本场次选房。"
        assert "已主动放弃" in text_of(app, "#family-info")
        # Its empty list no longer invites the clerk to add a house it can never have.
        assert "按 a 添加" not in text_of(app, "#lint") and "为空" in text_of(app, "#lint")
        await type_into(pilot, "#fam-query", "无此人")
        await press(pilot, "enter")
        assert text_of(app, "#family-message") == f"第{number}场没有排位为“无此人”或主申请人姓名含“无此人”的家庭。"


async def test_a_round_named_like_markup_is_offered_as_written(counter_db) -> None:
    """The round dropdown of 家庭选房 shows the round's name literally: "[/x]" in it was read as a
    markup tag and the screen crashed on opening."""
    db = counter_db
    clock = freeze(db)
    hall = desk_round(db, clock, name="安居苑[/x]公租房")
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await press(pilot, "7")
        screen = app.screen
        assert isinstance(screen, FamilyScreen) and screen.round_id == hall.rounds[hall.numbers[0]]
        assert "安居苑[/x]公租房" in screen_text(app)


async def test_status_board_filters_by_building_state_and_layout(counter_db) -> None:
    db = counter_db
    clock = freeze(db)
    desk_round(db, clock)
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await press(pilot, "8")
        board = app.screen
        assert isinstance(board, BoardScreen) and board._timer is None  # no refresh timer in tests
        board.query_one("#board-building").value = "T2"
        await settle(pilot)
        assert len(board.rows) == 16 and (board.counts.total, board.counts.reserved) == (16, 1)
        shown = screen_text(app)
        assert "共 16 套" in shown and "龙悦居 T2栋" in shown and "1层" in shown and "101 可选" in shown and "404 预留" in shown
        board.query_one("#board-state").value = "reserved"
        await settle(pilot)
        assert [r.code for r in board.rows] == ["T2-0404"]
        board.query_one("#board-state").value = "free"
        board.query_one("#board-layout").value = "2b"
        await settle(pilot)
        assert [r.code for r in board.rows] == ["T2-0102", "T2-0202", "T2-0302", "T2-0402"]
        assert board.counts.total == 4

        # 选房场次 for a clerk: the list, without the supervisors' keys.
        await press(pilot, "escape", "6")
        assert isinstance(app.screen, RoundsScreen)
        shown = screen_text(app)
        assert "安居苑公租房" in shown and "预选中" in shown and "运行场次" not in shown and "组织补选" not in shown
        await press(pilot, "f5")  # not bound for a clerk: nothing happens
        assert isinstance(app.screen, RoundsScreen) and text_of(app, "#rounds-message") == ""


async def test_status_board_refreshes_itself_when_asked(counter_db, monkeypatch) -> None:
    db = counter_db
    clock = freeze(db)
    desk_round(db, clock)
    monkeypatch.setattr(BoardScreen, "REFRESH_SECONDS", 0.3)
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        board = BoardScreen(auto_refresh=True)
        await app.push_screen(board)
        for _ in range(400):  # up to 20 s on a loaded machine; a second refresh normally comes at 0.3 s
            await pilot.pause(0.05)
            if board.loads >= 2:
                break
        assert board.loads >= 2 and board._timer is not None


def test_the_family_search_takes_any_text_as_a_rank_or_a_name(counter_db) -> None:
    """家庭选房's search box: digits are a rank, anything else part of a name. "²" passed
    ``str.isdigit`` and then failed ``int`` (系统错误), and so did a number past 4,300 digits."""
    db = counter_db
    clock = freeze(db)
    hall = desk_round(db, clock, families=4)
    clerk = actor_of(db, "clerk1")
    rid = hall.rounds[hall.numbers[0]]
    ranks = [line.rank for line in round_families(db, clerk, rid)]
    typed = "".join(chr(0xFF10 + int(d)) for d in str(ranks[1]))  # full-width, as an input method types it
    assert [line.rank for line in round_families(db, clerk, rid, typed)] == [ranks[1]]
    for text in ("²", "①", "9" * 5000, "99999999999", "[/x]", "😀"):
        assert round_families(db, clerk, rid, text) == [], text
