"""业务办理 through the terminal: 受理, 派工, 接件, 退件, 取消受理, 归档, the lists and 业务进度."""

from __future__ import annotations

from test_tui_support import SIZE, login, make_app, screen_text, settle, text_of, type_into

from core.roles import Actor, Role
from services import cases
from storage.engine import Database
from tui.screens.cases import DoneScreen, InHandScreen
from tui.screens.dialogs import REASON_REQUIRED, AcceptDialog, ConfirmDialog, DispatchDialog, ReasonDialog, ReturnDialog


def _actor(db: Database, username: str) -> Actor:
    from services import operators

    admin = Actor.system("test")
    view = next(v for v in operators.list_operators(db, admin) if v.username == username)
    return Actor(view.id, view.username, view.name, view.role, view.window)


def _rows(app) -> list:
    return list(app.screen.rows.values())


async def _choose_option(pilot, selector: str, option_id: str) -> None:
    options = pilot.app.screen.query_one(selector)
    options.highlighted = options.get_option_index(option_id)
    await pilot.press("enter")
    await settle(pilot)


async def _accept_from_home(pilot, type_code: str, summary: str) -> None:
    await pilot.press("4")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AcceptDialog)
    await _choose_option(pilot, "#accept-type", type_code)
    await type_into(pilot, "#accept-summary", summary)
    await pilot.press("enter")
    await settle(pilot)


async def _relogin(pilot, username: str) -> None:
    while len(pilot.app.screen_stack) > 1:
        await pilot.press("escape")
        await settle(pilot)
    await pilot.press("f10")
    await settle(pilot)
    await login(pilot, username)


async def test_case_from_acceptance_to_archive_through_the_terminal(sqlite_sample_db) -> None:
    db = sqlite_sample_db
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        # 受理 (clerk1): a resale cancellation, which goes to a supervisor next.
        await login(pilot, "clerk1")
        await _accept_from_home(pilot, "resale_cancel", "注销网签 买卖双方协商一致")
        assert "待处理业务数：1" in screen_text(app)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, InHandScreen)
        [row] = _rows(app)
        number = row.number
        assert number.startswith("Q") and row.status_label == "办理中"
        shown = screen_text(app)
        assert number in shown and "存量房网签注销" in shown and "注销申请受理" in shown
        assert "李晓敏发起业务" in shown  # 业务进度 of the selected case

        # 归档 too early: the service's sentence is shown, nothing changes.
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#case-message") == "业务尚未到最后办理阶段，不能归档。"
        assert "业务尚未到最后办理阶段，不能归档。" in screen_text(app)

        # 派工 to the supervisors' role.
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, DispatchDialog)
        assert "陈国华（super1）" in screen_text(app)
        await _choose_option(pilot, "#dispatch-target", "role:supervisor")
        assert isinstance(app.screen, InHandScreen)
        assert text_of(app, "#case-message") == f"已派工：{number} 派给审核主管。"
        assert [r for r in _rows(app) if r.number == number] == []

        # 接件 and 退件 (super1).
        await _relogin(pilot, "super1")
        await pilot.press("2")
        await settle(pilot)
        # (the demo holds a case of its own waiting for the supervisors: demo.due_cases)
        [row] = [r for r in _rows(app) if r.number == number]
        assert (row.number, row.status_label, row.dispatched_by) == (number, "待接件", "李晓敏")
        await pilot.press("f5")
        await settle(pilot)
        assert text_of(app, "#case-message") == f"已接件：{number}。"
        assert _rows(app)[0].status_label == "办理中"
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, ReturnDialog)
        assert app.screen.query_one("#return-stage").value == "entry"
        await type_into(pilot, "#return-reason", "缺少不动产权证书复印件")
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#case-message") == f"已退件：{number}。"
        assert [r for r in _rows(app) if r.number == number] == []

    # Back at clerk1's window (prepared through the services): 接件, 派工 again;
    # then super1 receives it.
    clerk, supervisor = _actor(db, "clerk1"), _actor(db, "super1")
    cases.receive_case(db, clerk, number)
    cases.dispatch_case(db, clerk, number, role=Role.SUPERVISOR)
    cases.receive_case(db, supervisor, number)

    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("f9", "enter")
        await settle(pilot)
        assert text_of(app, "#case-message") == f"已归档：{number}。"
        assert [r for r in _rows(app) if r.number == number] == []
        await pilot.press("escape", "3")  # 已办业务
        await settle(pilot)
        assert isinstance(app.screen, DoneScreen)
        done = _rows(app)
        assert [r.number for r in done if r.number == number] == [number, number]  # returned once, archived once
        assert done[0].status_label == "已办结"
        shown = screen_text(app)
        assert "已办结" in shown and number in shown
        # 业务进度, newest first.
        steps = [f"{s.operator}{s.action}" for s in reversed(app.screen.detail.timeline)]
        assert steps == ["陈国华归档", "陈国华接件", "李晓敏派工", "李晓敏接件", "陈国华退件", "陈国华接件",
                         "李晓敏派工", "李晓敏发起业务"]
        assert "陈国华归档" in shown
        assert "缺少不动产权证书复印件" in "".join(s.note or "" for s in app.screen.detail.timeline)


async def test_cancel_acceptance_with_a_reason(sqlite_sample_db) -> None:
    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("f4")  # 受理 straight from the in-hand list
        await settle(pilot)
        await _choose_option(pilot, "#accept-type", "resale_signing")
        await pilot.press("enter")
        await settle(pilot)
        [row] = _rows(app)
        assert row.number.startswith("F")
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # no reason: refused in the dialog, which stays open
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog) and text_of(app, ".error-line") == REASON_REQUIRED
        await type_into(pilot, "#reason", "买方放弃购买")
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#case-message") == f"已取消受理：{row.number}。"
        assert [r for r in _rows(app) if r.number == row.number] == []


async def test_dispatch_to_a_named_operator_and_wrong_role_refusal(sqlite_sample_db) -> None:
    db = sqlite_sample_db
    number = cases.accept_case(db, _actor(db, "clerk1"), "resale_signing")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await _choose_option(pilot, "#dispatch-target", "role:supervisor")
        # 签约环节 comes next and is a clerk's stage: the service refuses.
        assert text_of(app, "#case-message") == "下一阶段“签约环节”须由窗口受理员办理，不能派给审核主管。"
        await pilot.press("f6")
        await settle(pilot)
        await _choose_option(pilot, "#dispatch-target", "op:clerk2")
        assert text_of(app, "#case-message") == f"已派工：{number} 派给王志强（clerk2）。"
    detail = cases.case_detail(db, _actor(db, "clerk2"), number)
    assert detail.waiting_for == "王志强" and detail.stage_name == "签约环节"


async def test_done_list_filters_refuse_a_malformed_date(sqlite_sample_db) -> None:
    db = sqlite_sample_db
    clerk = _actor(db, "clerk1")
    number = cases.accept_case(db, clerk, "resale_cancel")
    cases.dispatch_case(db, clerk, number)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("3")
        await settle(pilot)
        assert [r.number for r in _rows(app)] == [number]
        await type_into(pilot, "#filter-since", "2026-13-01")
        await settle(pilot)
        assert text_of(app, "#case-message") == "起始日期“2026-13-01”格式不正确，请按 yyyy-mm-dd 填写，例如 2024-05-01。"
        await type_into(pilot, "#filter-since", "2999-01-01")
        await settle(pilot)
        assert text_of(app, "#case-message") == ""
        assert [r for r in _rows(app) if r.number == number] == []
        assert "没有符合条件的业务" in screen_text(app)
        await type_into(pilot, "#filter-since", "")
        await settle(pilot)
        assert [r.number for r in _rows(app)] == [number]


async def test_a_long_paste_into_a_filter_is_cut_and_the_notice_outlives_the_reload(sqlite_sample_db) -> None:
    """A filter reloads the list and clears the message line as its text changes: the notice of a
    cut paste comes after that change, so it stays (and the field keeps what fits)."""
    from textual import events

    app = make_app(sqlite_sample_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.press("2")
        await settle(pilot)
        field = app.screen.query_one("#filter-number")
        field.focus()
        await settle(pilot)
        app.post_message(events.Paste("F" * 10_000))
        await settle(pilot)
        assert field.value == "F" * 20
        assert text_of(app, "#case-message") == "粘贴的内容超出本栏长度，只保留了前 20 个字（本栏最多 20 个字）。"

