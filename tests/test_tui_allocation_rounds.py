"""选房场次 through the terminal: run (preview, confirm, progress), verify, the re-run
refusal, reopen and re-run; and three successive rounds and a supplementary round
run by a supervisor entirely from the keyboard at 80x24."""

from __future__ import annotations

from test_tui_allocation_support import (  # noqa: F401 - fixtures
    actor_of,
    counter_db,
    cursor_to,
    freeze,
    make_app,
    press,
    rank_of,
    three_rounds,
)
from test_tui_support import SIZE, login, screen_text, settle, text_of

from sqlalchemy import select
from textual.widgets import ProgressBar

from services.allocation import rounds
from storage.models import SupplementaryApplication
from tui.screens.allocation.rounds import RoundsScreen
from tui.screens.dialogs import REASON_REQUIRED, ConfirmDialog, ReasonDialog


async def _print_kept(pilot, key: str, line: str, what: str, kept) -> None:  # type: ignore[no-untyped-def]
    """A print key with no printer configured: the PDF is kept, and the message line says where, in full at 80×24."""
    await press(pilot, key)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)
    message = text_of(pilot.app, line)
    assert message == f"{what}未打印：未配置打印机，文件保存在 {kept}"
    assert kept.read_bytes().startswith(b"%PDF")
    assert "".join(message.split()) in "".join(screen_text(pilot.app).split()).replace("│", "")


async def test_supervisor_runs_verifies_reopens_and_reruns_a_round(counter_db) -> None:
    db = counter_db
    clock = freeze(db)
    hall = three_rounds(db, clock)
    first = hall.numbers[0]
    rid = hall.rounds[first]
    boss = actor_of(db, "super1")
    before = rounds.board_counts(db, boss)
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, RoundsScreen)
        await cursor_to(pilot, "#rounds", str(rid))
        assert f"第{first}场" in screen_text(app) and "待运行" in screen_text(app)

        # 运行场次: the preview asks first; nothing is written by it.
        await press(pilot, "f5")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question.startswith("预运行结果（未写入）：共 3 户，已确认 0，已分配 3，未分配 0，已放弃 0。")
        assert "预运行结果（未写入）" in screen_text(app)
        assert rounds.round_detail(db, boss, rid).status == "open"
        await press(pilot, "enter")
        assert app.screen is screen
        assert screen.progress_seen[-1] == (7, 7) and len(screen.progress_seen) == 7
        bar = screen.query_one("#run-progress", ProgressBar)
        assert (bar.progress, bar.total) == screen.progress_seen[-1]  # the total the service reported
        assert screen.query_one("#run-row").display
        message = text_of(app, "#rounds-message")
        assert message == f"第{first}场已运行并公示：共 3 户，已确认 0，已分配 3，未分配 0，已放弃 0。"
        shown = screen_text(app)
        assert "运行完成" in shown and "100%" in shown
        assert "T1-0101" in shown and "T1-0103" in shown and "已分配" in shown and "已公示" in shown
        after = rounds.board_counts(db, boss)
        assert (after.free, after.taken) == (before.free - 3, before.taken + 3)
        assert f"可选 {after.free}" in text_of(app, "#board-counts")

        # 核验: the journal replays to the stored result.
        await press(pilot, "f6")
        assert text_of(app, "#rounds-message").startswith(f"核验第{first}场：第 1 次运行的选房日志共 3 条（3 户家庭的选房结果），哈希链完整")

        # 打印公示名单: kept in the reports folder; no printer is configured here, and the line says so in full.
        await _print_kept(pilot, "f8", "#rounds-message", "选房结果公示名单",
                          db.settings.reports_folder() / f"选房结果公示_第{first}场.pdf")

        # A second run is refused with the service's sentence.
        await press(pilot, "f5")
        assert text_of(app, "#rounds-message") == f"第{first}场（龙悦居第1批）已公布选房结果，须先撤回结果才能重新运行。"
        assert "须先撤回结果才能重新运行" in screen_text(app)

        # 重开 needs a reason: Enter on none is refused in the dialog, which stays open; then
        # the houses are free again and the round runs again.
        await press(pilot, "f7")
        dialog = app.screen
        assert isinstance(dialog, ReasonDialog)
        await press(pilot, "enter")
        assert app.screen is dialog and text_of(app, ".error-line") == REASON_REQUIRED
        assert REASON_REQUIRED in screen_text(app)
        app.screen.query_one("#reason").insert_text_at_cursor("公示期内发现排位录入错误")
        await press(pilot, "enter")
        assert text_of(app, "#rounds-message") == f"已撤回第{first}场选房结果，房源已释放，可重新运行。"
        assert rounds.board_counts(db, boss).free == before.free
        assert "已重开" in screen_text(app)
        await press(pilot, "f5", "enter")
        assert text_of(app, "#rounds-message").startswith(f"第{first}场已运行并公示")
        assert rounds.round_detail(db, boss, rid).run_count == 2
        await press(pilot, "f6")
        assert "第 2 次运行的选房日志" in text_of(app, "#rounds-message")


def _waiting_applications(db) -> set[int]:
    with db.read() as session:
        return set(session.execute(select(SupplementaryApplication.family_id)
                                   .where(SupplementaryApplication.status == "applied")).scalars())


async def _type(pilot, text: str) -> None:
    """Type into the focused field key by key."""
    await pilot.press(*text)
    await settle(pilot)


async def test_three_successive_rounds_and_a_supplementary_round_from_the_keyboard(counter_db) -> None:
    """A supervisor can run three successive rounds and a supplementary round from the TUI at 80x24."""
    db = counter_db
    clock = freeze(db)
    hall = three_rounds(db, clock)
    a, b, c = hall.numbers
    f = hall.families
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, RoundsScreen)

        # The three rounds, oldest first: ↓↓ to round a, then ↑ to b and c.
        expected = {a: "已分配 3，未分配 0", b: "已分配 2，未分配 1", c: "已分配 2，未分配 2"}
        for number, keys in ((a, ("down", "down")), (b, ("up",)), (c, ("up",))):
            await press(pilot, *keys)
            assert screen.selected.number == number
            await press(pilot, "f5")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "enter")
            assert expected[number] in text_of(app, "#rounds-message"), text_of(app, "#rounds-message")
        shown = screen_text(app)
        assert [screen.rows[str(hall.rounds[n])].status for n in (a, b, c)] == ["published"] * 3
        assert "已公示" in shown and "T1-0204" in shown and "T1-0301" in shown

        # 补选申请 for the families that got nothing: two in round c (Enter opens 家庭选房 for it) …
        for family in (f[6], f[9]):
            if family == f[6]:
                await press(pilot, "enter")
            else:
                await press(pilot, "shift+tab", "ctrl+u")
            await _type(pilot, str(rank_of(db, family)))
            await press(pilot, "enter", "b")
            assert text_of(app, "#family-message") == f"家庭 {family} 已就第{c}场申请补选，补选场次及时间将以短信通知。"
        # … and one in round b.
        await press(pilot, "escape", "down", "enter")
        assert app.screen.round_row.number == b
        await _type(pilot, str(rank_of(db, f[3])))
        await press(pilot, "enter", "b")
        assert text_of(app, "#family-message") == f"家庭 {f[3]} 已就第{b}场申请补选，补选场次及时间将以短信通知。"
        # Its result notice: kept in the reports folder (no printer configured here), said in full.
        await _print_kept(pilot, "p", "#family-message", "选房结果通知书",
                          db.settings.reports_folder() / f"选房结果通知书_第{b}场_排位{rank_of(db, f[3])}.pdf")
        await press(pilot, "escape")

        # 组织补选 with the dialog's defaults: windows on the next two days. It takes every
        # application waiting (the sample may hold some of its own).
        waiting = _waiting_applications(db)
        assert {f[3], f[6], f[9]} <= waiting
        await press(pilot, "f9", "enter")
        s = c + 1
        assert text_of(app, "#rounds-message").startswith(f"已组织第{s}场补选：{len(waiting)} 户家庭，已排队发送短信 ")
        assert screen.selected.number == s and "补选" in screen_text(app)

        # Its formal selection (2026-11-23 09:00–11:00): one family lists a house.
        clock.set(clock.now.replace(day=23, hour=2, minute=0))  # 10:00 in Shanghai
        await press(pilot, "enter")
        assert app.screen.round_row.number == s
        await _type(pilot, str(rank_of(db, f[3])))
        await press(pilot, "enter", "f2", "a")
        await _type(pilot, "T1")
        await press(pilot, "down", "enter")
        assert text_of(app, "#family-message") == "已将房源 T1-0104 加入正选意向第 1 位。"
        await press(pilot, "escape")

        # After it closes, the supplementary round runs like the others.
        clock.set(clock.now.replace(hour=4))  # 12:00 in Shanghai
        await press(pilot, "f5", "enter")
        assert text_of(app, "#rounds-message") == (
            f"第{s}场已运行并公示：共 {len(waiting)} 户，已确认 0，已分配 1，未分配 {len(waiting) - 1}，已放弃 0。")
        shown = screen_text(app)
        assert all(row.status == "published" for row in screen.rows.values() if row.number in (a, b, c, s))
        assert "T1-0104" in shown and "100%" in shown



async def test_a_list_load_overtaken_by_a_newer_one_does_not_lose_the_round_to_select(counter_db) -> None:
    """The list reloads when the 组织补选 dialog closes, while the round is still being formed;
    when that load's rows (read before the new round existed) arrive after the step's sentence,
    they are dropped as stale: the cursor still goes to the round just formed. (Under load the
    cursor stayed on the round it was on.)"""
    db = counter_db
    clock = freeze(db)
    hall = three_rounds(db, clock)
    a, b, c = hall.numbers
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, RoundsScreen)
        await cursor_to(pilot, "#rounds", str(hall.rounds[c]))
        formed = hall.rounds[b]  # stands for the round the step formed
        read_before = [row for row in screen.rows.values() if row.id != formed]
        stale = RoundsScreen.RoundsLoaded(read_before, screen.counts, screen._loads)
        screen.post_message(RoundsScreen.Done("已组织补选。", select_id=formed))  # reloads the list …
        screen.post_message(stale)  # … and the older load's rows come after the sentence
        await settle(pilot)
        assert screen.selected is not None and screen.selected.id == formed


async def test_a_refused_run_leaves_no_progress_bar_behind(counter_db) -> None:
    """F5 on a round still in its selection windows: the run is refused with one sentence, and
    the bar "第N场运行中 … 0%" no longer stays under it as if the run were going on."""
    from test_tui_allocation_support import desk_round

    db = counter_db
    clock = freeze(db)
    hall = desk_round(db, clock)
    number = hall.numbers[0]
    rid = hall.rounds[number]
    app = make_app(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, RoundsScreen)
        await cursor_to(pilot, "#rounds", str(rid))
        await press(pilot, "f5")
        if isinstance(app.screen, ConfirmDialog):
            await press(pilot, "enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert "才能运行选房" in text_of(app, "#rounds-message")
        assert not screen.query_one("#run-row").display
        assert "运行中" not in screen_text(app)
