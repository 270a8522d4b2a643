"""场次设置 through the terminal: a supervisor creates a round from 选房场次 (F2), types the
whole form with no pause between keys, imports a bad families file (every bad row shown,
nothing written), the good files, and publishes it — all at 80x24; a clerk has no F2."""

from __future__ import annotations

from pathlib import Path

from test_tui_allocation_support import (  # noqa: F401 - fixtures
    actor_of,
    empty_counter_db,
    freeze,
    make_app,
    press,
)
from test_tui_support import SIZE, login, screen_text, settle, text_of

from sqlalchemy import func, select

from services.allocation import rounds
from storage.models import AllocationRound, Family, PublicHouse, RoundFamily
from tui.screens.allocation.rounds import RoundsScreen
from tui.screens.allocation.setup import RoundSetupScreen

FAMILIES = """排位,姓名,证件号码,手机号码,家庭人数,可选户型
1,王欣然,440303199803201649,14779887783,2,"一房一厅,两房一厅"
2,黄鑫,44142419980517251X,13530941362,1,单间
"""
BAD_FAMILIES = """排位,姓名,证件号码,手机号码,家庭人数,可选户型
1,王欣然,440303199803201649,14779887783,2,一房一厅
１,[/x],123,abc,0,大房子
3,李四,440303199803201649,,2,两房一厅
"""
HOUSES = """房源编号,项目,楼栋,单元,楼层,房号,户型,朝向,面积,月租金
LYJ4-1-301,龙悦居四期,1,1,3,301,两房一厅,南,61.69,1449.72
LYJ4-1-302,龙悦居四期,1,1,3,302,单间,北,31.00,800
"""


def _keys(text: str) -> list[str]:
    """Clear the focused input, type ``text`` character by character, and Tab on."""
    return ["end", "ctrl+u", *text, "tab"]


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


async def test_supervisor_sets_up_and_publishes_a_round_by_keyboard(empty_counter_db, tmp_path: Path) -> None:
    db = empty_counter_db
    clock = freeze(db)  # 2026-11-21 10:30 in Shanghai
    families, bad, houses = tmp_path / "f.csv", tmp_path / "bad.csv", tmp_path / "h.csv"
    families.write_text(FAMILIES, encoding="utf-8")
    bad.write_text(BAD_FAMILIES, encoding="utf-8")
    houses.write_text(HOUSES, encoding="gb18030")  # as a spreadsheet saves it in a Chinese locale
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6")
        assert isinstance(app.screen, RoundsScreen)
        assert "F2 新建场次" in screen_text(app)
        await press(pilot, "f2")
        screen = app.screen
        assert isinstance(screen, RoundSetupScreen)
        # The whole form typed in one burst, field after field (number first: Shift+Tab back to it).
        keys = ["shift+tab"]
        for text in ("1", "第四批选房", "正常选房", "2026-11-22 09:00", "2026-11-22 17:00", "2026-11-23 09:00",
                     "2026-11-23 11:00", str(bad), str(houses)):
            keys += _keys(text)
        await pilot.press(*keys)
        await settle(pilot)
        assert screen.query_one("#f-name").value == "第四批选房"
        assert screen.query_one("#f-houses_file").value == str(houses)
        await press(pilot, "f2")
        assert text_of(app, "#setup-message").startswith("已新建第1场")
        assert "筹备中" in screen_text(app)

        # A bad file: every bad row listed, nothing written.
        await press(pilot, "f3")
        assert text_of(app, "#setup-message") == "文件有 2 行错误（共 7 处），未导入任何数据。"
        shown = text_of(app, "#setup-errors")
        assert shown.startswith("第3行【姓名】") and "PHONE_BAD_FORMAT" in shown and "……另有 4 处错误" in shown
        assert _count(db, Family) == 0 and _count(db, RoundFamily) == 0

        # The good files, then publish: the cursor waits in the refused file's field.
        assert screen.focused is screen.query_one("#f-families_file")
        await pilot.press(*_keys(str(families))[:-1])
        await press(pilot, "f3")
        assert text_of(app, "#setup-message") == "已导入选房家庭 2 户（其中新登记 2 户）。"
        await press(pilot, "f4")
        assert text_of(app, "#setup-message") == "已导入房源 2 套。"
        assert "选房家庭 2 户　当前可选房源 2 套" in screen_text(app)
        await press(pilot, "f5")
        assert text_of(app, "#setup-message") == "场次已发布：家庭可按时选房，场次设置已锁定。"
        # Frozen: a second import is refused with the service's sentence.
        await press(pilot, "f4")
        assert text_of(app, "#setup-message") == "第1场（第四批选房）已发布，场次设置不能再修改。"
        await press(pilot, "escape")
        assert isinstance(app.screen, RoundsScreen)
        assert "第四批选房" in screen_text(app)

    boss = actor_of(db, "super1")
    [row] = rounds.rounds_list(db, boss)
    detail = rounds.round_detail(db, boss, row.id)
    assert (detail.number, detail.name, detail.kind, detail.status, detail.families) == (1, "第四批选房", "regular", "open", 2)
    assert f"{detail.formal_open.astimezone():%Y}" == "2026" and detail.formal_close > detail.formal_open
    with db.read() as session:
        assert session.execute(select(AllocationRound.case_number)).scalar_one()
        assert session.execute(select(func.count()).select_from(PublicHouse)).scalar_one() == 2


async def test_a_clerk_cannot_set_up_rounds(empty_counter_db) -> None:
    db = empty_counter_db
    clock = freeze(db)
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await press(pilot, "6")
        assert isinstance(app.screen, RoundsScreen)
        assert "新建场次" not in screen_text(app)
        await press(pilot, "f2", "f3")
        assert isinstance(app.screen, RoundsScreen)


async def test_windows_are_refused_under_their_field(empty_counter_db) -> None:
    db = empty_counter_db
    clock = freeze(db)  # 2026-11-21 10:30 in Shanghai
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6", "f2")
        screen = app.screen
        assert isinstance(screen, RoundSetupScreen)
        await pilot.press(*_keys("第五批"), "tab", *_keys("明天九点"))
        await press(pilot, "f2")
        assert text_of(app, "#e-pre_open") == "预选开始时间“明天九点”格式不正确，请按 yyyy-mm-dd hh:mm 填写，例如 2026-12-08 09:00。"
        assert screen.focused is screen.query_one("#f-pre_open")
        await pilot.press(*_keys("2026-11-20 09:00"))
        await press(pilot, "f2")
        assert text_of(app, "#e-pre_open") == "预选开始时间 2026-11-20 09:00 已过，请安排今后的时间。"
        assert screen.focused is screen.query_one("#f-pre_open")  # the refusal put the cursor back
        await pilot.press(*_keys("2026-11-22 09:00"), *_keys("2026-11-22 08:00"))
        await press(pilot, "f2")
        assert text_of(app, "#e-pre_open") == ""
        assert text_of(app, "#e-pre_close") == "预选结束时间必须晚于预选开始时间。"
        assert _count(db, AllocationRound) == 0


async def test_a_refused_row_is_wrapped_as_chinese_is_set(empty_counter_db, tmp_path: Path) -> None:
    """A refused row one cell too long for the screen left "）" alone on the next line
    ("…请核对后重新输入。（ID_BAD_CHARS" / "）"): the rows are now wrapped as Chinese is set."""
    db = empty_counter_db
    clock = freeze(db)
    bad = tmp_path / "bad.csv"
    bad.write_text("排位,姓名,证件号码,手机号码,家庭人数,可选户型\n1,王欣然,44030319980320164!,14779887783,2,一房一厅\n",
                   encoding="utf-8")
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6", "f2")
        keys = ["shift+tab"]
        for text in ("1", "第四批选房", "正常选房", "2026-11-22 09:00", "2026-11-22 17:00", "2026-11-23 09:00",
                     "2026-11-23 11:00", str(bad)):
            keys += _keys(text)
        await pilot.press(*keys)
        await settle(pilot)
        await press(pilot, "f2", "f3")
        assert "ID_BAD_CHARS" in text_of(app, "#setup-errors")
        lines = [line.strip() for line in screen_text(app).splitlines()]
        assert "）" not in lines and not any(line.startswith(("）", "，", "。")) for line in lines)
