"""产权校验·房源核验 through the terminal, by key presses at 80×24.

The hall's city comes from its settings (``Settings.city``, which the home
screen hands the screen); the subjects are found in the sample register with
the helpers of tests/test_house_check.py; the database's clock is fixed on the
day the sample describes (2026-11-21).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from test_tui_support import (
    SIZE,
    freeze_services_clock,
    login,
    make_app,
    screen_text,
    settle,
    text_of,
    type_into,
)
from textual.screen import Screen

from core.identity import mask_name
from storage.engine import Database
from storage.models import Home, HomeOwner, HouseCheck, Person
from tests.conftest import configure
from tests.test_house_check import _pick_home, proxy_and_agent_subjects
from tui.screens.resale.house_check import CheckHistoryDialog, HouseCheckScreen, result_rows


@pytest.fixture
def shenzhen(sqlite_sample_db: Database) -> Database:
    """The hall is in Shenzhen and every service (and the app) stamps 2026-11-21 10:30 (Shanghai)."""
    configure(sqlite_sample_db, city="shenzhen")
    freeze_services_clock(sqlite_sample_db)
    return sqlite_sample_db


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _open(pilot, screen: HouseCheckScreen | None = None) -> HouseCheckScreen:
    """Log in and open the screen (by default as the home screen does: on the hall's city)."""
    await login(pilot, "clerk1")
    screen = screen or HouseCheckScreen(pilot.app.db.settings.city)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def _lookup_certificate(pilot, certificate: str, check_code: str | None = None) -> None:
    await type_into(pilot, "#f-certificate_number", certificate)
    if check_code is not None:
        await _press(pilot, "enter")  # on to the check code box
        await type_into(pilot, "#f-check_code", check_code)
    await _press(pilot, "enter")


async def _fill_party(pilot, name: str, number: str, *, agent: str = "") -> None:
    if agent:
        await type_into(pilot, "#f-agent_id", agent)
    await type_into(pilot, "#f-typed_name", name)
    await type_into(pilot, "#f-typed_id", number)


def _codes(screen: HouseCheckScreen) -> list[str]:
    return [row.code for row in screen.rows.values()]


def _mixed_use_certificate(db: Database) -> tuple[str, list[int], Person]:
    """A Shenzhen certificate covering homes of different use classes, and its first owner."""
    with db.read() as s:
        cert = s.execute(
            select(Home.certificate_number).where(Home.city == "shenzhen").group_by(Home.certificate_number)
            .having(func.count(func.distinct(Home.use_class)) > 1).order_by(Home.certificate_number)
        ).scalars().first()
        homes = s.execute(select(Home.id).where(Home.certificate_number == cert).order_by(Home.id)).scalars().all()
        owner = s.execute(select(Person).join(HomeOwner, HomeOwner.person_id == Person.id)
                          .where(HomeOwner.home_id == homes[0]).order_by(HomeOwner.id)).scalars().first()
    return cert, list(homes), owner


# ---------------------------------------------------------------- Shenzhen


async def test_sole_owner_passes_with_every_rule_listed(sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    home, person = _pick_home(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert "产权校验·房源核验（深圳）" in screen_text(app)
        await _lookup_certificate(pilot, home.certificate_number)
        assert screen.home is not None and screen.home.id == home.id  # the only home: picked at once
        shown = screen_text(app)
        assert mask_name(person.name) in shown and person.name not in shown  # owner masked in the list
        assert screen.check_action("run", ()) is True and screen.check_action("sign", ()) is False  # no next step

        await _fill_party(pilot, person.name, person.id_number)
        await _press(pilot, "f5")
        view = screen.result
        assert view is not None and view.verdict == "passed" and view.house_code.startswith("S20261121")
        shown = screen_text(app)
        assert "校验通过" in shown and view.house_code in shown
        # every rule that ran and every one that did not, each with a reason
        assert sorted(_codes(screen)) == sorted([ln.code for ln in view.lines] + [n.code for n in view.not_run])
        assert all(row.reason for row in screen.rows.values())
        assert {"通过", "未执行"} <= {row.label for row in screen.rows.values()}
        assert "产权校验" in shown and "房源核验" in shown and "查询房源" in shown
        # the highlighted row's whole reason under the table
        first = result_rows(view)[0]
        assert first.reason in text_of(app, "#rule-detail")
        await _press(pilot, "down")
        second = result_rows(view)[1]
        assert text_of(app, "#rule-detail") == f"{second.stage}·{second.title}（{second.label}）：{second.reason}"

        # F6: the checks of the home; Enter shows the chosen one
        await _press(pilot, "f6")
        assert isinstance(app.screen, CheckHistoryDialog)
        assert view.house_code in screen_text(app)
        await _press(pilot, "enter")
        assert app.screen is screen and screen.view.id == view.id
    with db.read() as s:
        rows = s.execute(select(HouseCheck).where(HouseCheck.home_id == home.id)).scalars().all()
    assert [(r.verdict, r.house_code) for r in rows] == [("passed", view.house_code)]


async def test_mixed_use_certificate_is_refused_with_its_reason(sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    cert, homes, owner = _mixed_use_certificate(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _lookup_certificate(pilot, cert)
        # one certificate, several homes: the clerk picks with ↑↓ Enter
        assert list(screen.hits) == [str(h) for h in homes] and screen.home is None
        assert "请用 ↑↓ 选择后按 Enter" in text_of(app, "#hc-message")
        assert screen.check_action("run", ()) is False
        await _press(pilot, "down", "up", "enter")
        assert screen.home.id == homes[0]
        await _fill_party(pilot, owner.name, owner.id_number)
        await _press(pilot, "enter")  # from 权利人证件号码 on to the check box
        await _press(pilot, "tab")  # to 产权校验
        await _press(pilot, "enter")
        view = screen.result
        assert view.verdict == "refused" and view.house_code is None
        row = next(r for r in screen.rows.values() if r.code == "HOUSE_SINGLE_USE_CLASS")
        assert row.label == "未通过" and "须先到不动产登记中心办理分证" in row.reason
        # the cursor starts on the first refusal; its whole reason is under the table
        assert "办理分证" in text_of(app, "#rule-detail")
        shown = screen_text(app)
        assert "不予通过" in shown and "未通过" in shown and "一证多房用途" in shown
        assert "不予通过" in text_of(app, "#hc-message")


async def test_bad_input_is_refused_at_its_field_and_nothing_is_written(sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    home, person = _pick_home(db)
    with db.read() as s:
        checks_before = s.execute(select(func.count()).select_from(HouseCheck)).scalar_one()  # the demo's own
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _press(pilot, "enter")  # nothing typed
        assert "请输入产权证书编号查询房源" in text_of(app, "#e-lookup")
        await _lookup_certificate(pilot, "深房地字第12号")  # malformed
        assert text_of(app, "#e-certificate_number") and "证" in text_of(app, "#e-certificate_number")
        assert app.focused is screen.query_one("#f-certificate_number")
        assert screen.home is None
        await _lookup_certificate(pilot, home.certificate_number)
        assert text_of(app, "#e-certificate_number") == ""

        await _press(pilot, "f5")  # the name and number as on the certificate are required
        assert text_of(app, "#e-typed_name") == "请按产权证书输入权利人姓名。"
        await _fill_party(pilot, person.name, "440301199001019999")  # nobody has this number
        await _press(pilot, "f5")
        assert "没有找到证件号码为" in text_of(app, "#e-typed_id")
        assert "440301********9999" in text_of(app, "#e-typed_id")  # the number masked in the sentence
        assert screen.result is None and screen.query_one("#hc-pages").current == "hc-form"
        assert app.screen is screen  # no crash

        # a proxy who is nobody's registered proxy: the service's sentence on the section line
        screen.query_one("#cap-proxy").value = True
        await settle(pilot)
        await _fill_party(pilot, person.name, person.id_number, agent=person.id_number)
        await _press(pilot, "f5")
        assert "未登记为该房屋权利人的公证委托代理人" in text_of(app, "#e-party")

        # the service's refusals land at their boxes: a missing agent number, markup typed as a number
        await type_into(pilot, "#f-agent_id", "")
        await _press(pilot, "f5")
        assert text_of(app, "#e-agent_id") == "公证委托代理人办理的，请输入办理人本人的证件号码。"
        assert app.focused is screen.query_one("#f-agent_id")
        screen.query_one("#cap-org_agent").value = True
        await settle(pilot)
        await _fill_party(pilot, "某公司", "[/x]", agent=person.id_number)
        await _press(pilot, "f5")
        assert text_of(app, "#e-typed_id") == "没有找到统一社会信用代码为“[/X]”的单位，请按产权证书核对。"
        assert "[/X]" in screen_text(app) and app.screen is screen
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(HouseCheck)).scalar_one() == checks_before


async def test_notarised_proxy_and_organisation_agent(sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    (home, principal, proxy), (org_home, org, agent) = proxy_and_agent_subjects(db)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _lookup_certificate(pilot, home.certificate_number)
        assert app.focused is screen.query_one("#f-capacity")
        await _press(pilot, "right", "enter")  # 公证委托代理人
        await _fill_party(pilot, principal.name, principal.id_number, agent=proxy.id_number)
        await _press(pilot, "f5")
        view = screen.result
        assert view.passed and view.party["capacity"] == "proxy", [r.reason for r in view.failures]
        assert "公证委托代理人" in screen_text(app) and mask_name(proxy.name) in screen_text(app)
        assert next(r for r in screen.rows.values() if r.code == "TITLE_PROXY_REGISTERED").label == "通过"

        await _press(pilot, "f4")
        await _lookup_certificate(pilot, org_home.certificate_number)
        assert screen._capacity().value == "proxy"  # the form keeps what was chosen
        await _press(pilot, "right", "enter")  # 机构经办人
        await _fill_party(pilot, org.name, org.credit_code, agent=agent.id_number)
        await _press(pilot, "f5")
        view = screen.result
        assert view.passed and view.party["organisation_id"] == org.id, [r.reason for r in view.failures]
        assert next(r for r in screen.rows.values() if r.code == "TITLE_AGENT_FOR_OWNER").label == "通过"


class _ContractStub(Screen):
    pass


async def test_f7_calls_next_step_only_on_a_pass(sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    home, person = _pick_home(db)
    seized, seized_owner = _pick_home(db, seized=True, mortgaged=None)
    calls = []

    def next_step(view):
        calls.append(view)
        return _ContractStub()

    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, HouseCheckScreen(db.settings.city, next_step=next_step))
        # before any check F7 is shown but dimmed
        assert screen.check_action("sign", ()) is None
        # a seized home: refused, F7 not offered at all and pressing it does nothing
        await _lookup_certificate(pilot, seized.certificate_number)
        await _fill_party(pilot, seized_owner.name, seized_owner.id_number)
        await _press(pilot, "f5")
        assert screen.result.verdict == "refused"
        assert "司法查封" in next(r.reason for r in screen.rows.values() if r.code == "HOUSE_NOT_SEIZED")
        assert screen.check_action("sign", ()) is False
        assert "签订合同" not in screen_text(app) and "F9 打印告知书" in screen_text(app)
        await _press(pilot, "f7")
        assert calls == [] and app.screen is screen
        await _press(pilot, "f4")  # back on the form, the refused check still shown: still not offered
        assert screen.check_action("sign", ()) is False

        # back to the form (F4), another home that passes: F7 opens the next step with the check
        await _press(pilot, "f4")
        await _lookup_certificate(pilot, home.certificate_number)
        await _fill_party(pilot, person.name, person.id_number)
        await _press(pilot, "f5")
        assert screen.result.passed and screen.check_action("sign", ()) is True
        assert "F7 签订合同" in screen_text(app)
        await _press(pilot, "f7")
        assert [v.id for v in calls] == [screen.result.id] and isinstance(app.screen, _ContractStub)


async def test_f9_prints_the_one_time_notice_of_a_refused_check(sqlite_sample_db, shenzhen) -> None:
    """The notice the CLI writes with ``report notice --check N``, written into the reports folder."""
    db = sqlite_sample_db
    home, person = _pick_home(db)
    seized, seized_owner = _pick_home(db, seized=True, mortgaged=None)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert screen.check_action("print_notice", ()) is False  # nothing checked yet
        await _lookup_certificate(pilot, home.certificate_number)
        await _fill_party(pilot, person.name, person.id_number)
        await _press(pilot, "f5")
        assert screen.result.passed and screen.check_action("print_notice", ()) is False  # nothing to tell
        assert "打印告知书" not in screen_text(app)

        await _press(pilot, "f4")
        await _lookup_certificate(pilot, seized.certificate_number)
        await _fill_party(pilot, seized_owner.name, seized_owner.id_number)
        await _press(pilot, "f5")
        refused = screen.result
        assert refused.verdict == "refused" and "F9 打印一次性告知书" in text_of(app, "#hc-message")
        await _press(pilot, "f9")
        path = db.settings.reports_folder() / f"房源核验第{refused.id}号-一次性告知书.pdf"
        assert text_of(app, "#hc-message") == f"一次性告知书未打印：未配置打印机，文件保存在 {path}"
        pdf = path.read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000
        await _press(pilot, "f4")  # on the form the key is not offered
        assert screen.check_action("print_notice", ()) is False


# ---------------------------------------------------------------- Zhongshan and Wuhan


async def test_zhongshan_by_certificate_and_check_code_and_by_name_and_unit(sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    configure(db, city="zhongshan")
    home, person = _pick_home(db, "zhongshan")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert "产权校验·房源核验（中山）" in screen_text(app)
        await _lookup_certificate(pilot, home.certificate_number, "")  # without the check code
        assert text_of(app, "#e-check_code") == "按产权证书编号查询房源须同时输入证书上的校验码。"
        await _lookup_certificate(pilot, home.certificate_number, home.check_code)
        assert screen.home.id == home.id
        await _fill_party(pilot, person.name, person.id_number)
        await _press(pilot, "f5")
        assert screen.result.passed and screen.result.house_code.startswith("Z")
        assert "LOOKUP_CHECK_CODE_MATCH" in _codes(screen)

        # F4 back to the form, F3 to 姓名+不动产单元号
        await _press(pilot, "f4", "f3")
        assert screen.mode.value == "name_and_unit"
        assert app.focused is screen.query_one("#f-owner_name")
        await type_into(pilot, "#f-owner_name", person.name)
        await _press(pilot, "enter")
        await type_into(pilot, "#f-unit_number", home.unit_number)
        await _press(pilot, "enter")
        assert screen.home.id == home.id and screen.keys.mode.value == "name_and_unit"
        await _fill_party(pilot, person.name, person.id_number)
        await _press(pilot, "f5")
        view = screen.result
        assert view.passed
        match = next(r for r in screen.rows.values() if r.code == "LOOKUP_UNIT_NUMBER_MATCH")
        assert match.label == "通过"


async def test_wuhan_purchase_restriction_unknown_asks_for_an_offline_appointment(sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    configure(db, city="wuhan")
    home, person = _pick_home(db, "wuhan")
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert "产权校验·房源核验（武汉）" in screen_text(app)
        # 个人房产信息查询 by the seller's ID number: the day of the query is filled in
        await type_into(pilot, "#f-records_id", person.id_number)
        await _press(pilot, "enter")
        assert home.id in [int(k) for k in screen.hits]
        if screen.home is None:
            await pilot.app.screen.query_one("#homes").move_cursor(row=list(screen.hits).index(str(home.id)))
            await _press(pilot, "enter")
        assert screen.home.id == home.id
        assert screen.query_one("#f-queried_on").value == "2026-11-21"
        await _fill_party(pilot, person.name, person.id_number)
        await _press(pilot, "f5")  # 限购范围 left at 无法判断
        view = screen.result
        assert view.verdict == "refused"
        row = next(r for r in screen.rows.values() if r.code == "HOUSE_PURCHASE_RESTRICTION_KNOWN")
        assert row.label == "未通过" and "请交易当事人向房屋所在区房管部门预约线下申报网签" in row.reason
        assert "预约线下申报" in screen_text(app) or "预约线下申报" in text_of(app, "#rule-detail")

        # the district office answered 不属于限购范围: passes
        await _press(pilot, "f4")
        screen.query_one("#pr-not_restricted").value = True
        await settle(pilot)
        await _press(pilot, "f5")
        assert screen.result.passed and screen.result.house_code.startswith("W")


# ---------------------------------------------------------------- snapshots


def test_snapshot_passed_check(snap_compare, sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    home, person = _pick_home(db)

    async def run_before(pilot) -> None:
        await _open(pilot)
        await _lookup_certificate(pilot, home.certificate_number)
        await _fill_party(pilot, person.name, person.id_number)
        await _press(pilot, "f5")
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(db)  # on the handle's clock, frozen by the fixture
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_refused_check(snap_compare, sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    cert, _, owner = _mixed_use_certificate(db)

    async def run_before(pilot) -> None:
        await _open(pilot)
        await _lookup_certificate(pilot, cert)
        await _press(pilot, "enter")
        await _fill_party(pilot, owner.name, owner.id_number)
        await _press(pilot, "f5")
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(db)  # on the handle's clock, frozen by the fixture
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_zhongshan_certificate_with_two_homes(snap_compare, sqlite_sample_db, shenzhen) -> None:
    db = sqlite_sample_db
    configure(db, city="zhongshan")
    with db.read() as s:
        cert, code = s.execute(
            select(Home.certificate_number, func.min(Home.check_code)).where(Home.city == "zhongshan")
            .group_by(Home.certificate_number).having(func.count() == 2).order_by(Home.certificate_number)
        ).first()

    async def run_before(pilot) -> None:
        await _open(pilot)
        await _lookup_certificate(pilot, cert, code)
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(db)  # on the handle's clock, frozen by the fixture
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
