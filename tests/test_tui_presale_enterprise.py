"""开发企业 maintenance at the keyboard at 80x24 (seed 004 §3): the authority registers an
enterprise typed in one go and opens its administrator's account; the administrator completes
the enterprise, adds a project with its certificates and a bank, adds a user and applies for
them; the authority admits (or refuses) from the queue. Refusals are shown under their fields,
numbers masked, and a refused form writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from test_tui_support import FIXED_NOW, SIZE, login, make_app, screen_text, settle

from core.roles import Admission
from services.presale import developers
from storage.models import Developer, DeveloperBank, Operator, Project, ProjectCertificate
from tests.conftest import freeze
from tests.presale_support import LEGAL_REP_ID, PASSWORD, enterprise_code, make_hall
from tui.screens.presale.enterprise import EnterpriseScreen
from tui.screens.presale.enterprise_forms import BankDialog, CertificateDialog, DeveloperFormScreen, ProjectDialog
from tui.screens.presale.enterprise_lists import BanksScreen, CertificatesScreen, UsersScreen

CODE = enterprise_code(71)


@pytest.fixture
def presale_db(sqlite_sample_db):
    """The demo hall with an enterprise (测试61号地产开发有限公司), its project and its admitted operator."""
    freeze(sqlite_sample_db, FIXED_NOW)
    sqlite_sample_db.presale = make_hall(sqlite_sample_db, 61, username="dev_a", supervisor="super_p")
    return sqlite_sample_db


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def _burst(*values: str) -> list[str]:
    """The keys of ``values`` typed field after field, Tab between them, no pause anywhere."""
    keys: list[str] = []
    for i, value in enumerate(values):
        if i:
            keys.append("tab")
        keys.extend(value)
    return keys


def _of(developer_id: int):  # type: ignore[no-untyped-def]
    """Certificates of the enterprise's projects (the demo has an enterprise of its own)."""
    return ProjectCertificate.project_id.in_(select(Project.id).where(Project.developer_id == developer_id))


def _count(db, model, *where) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


ENTERPRISE = (CODE, "湘西新城置业有限公司", "1", "王大山", LEGAL_REP_ID, "13800001111", "湘西州", "", "",
              "2015-06-01", "", "5000", "2000.5", "", "湘西州吉首市人民路1号")


async def _register(pilot, values=ENTERPRISE) -> None:  # type: ignore[no-untyped-def]
    await _press(pilot, "e")
    await _press(pilot, "f2")
    assert isinstance(pilot.app.screen, DeveloperFormScreen)
    await pilot.press(*_burst(*values), "f9")
    await settle(pilot)


async def test_the_authority_registers_an_enterprise_typed_in_one_go(presale_db) -> None:
    app = make_app(presale_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _register(pilot)
        assert isinstance(app.screen, EnterpriseScreen)
        shown = screen_text(app)
        assert "湘西新城置业有限公司" in shown and CODE in shown and "138****1111" in shown
        assert LEGAL_REP_ID not in shown and "13800001111" not in shown
    with presale_db.read() as s:
        d = s.execute(select(Developer).where(Developer.credit_code == CODE)).scalar_one()
    assert (d.name, d.kind, d.legal_rep_name, d.legal_rep_phone, d.region, d.status) == (
        "湘西新城置业有限公司", "有限责任公司", "王大山", "13800001111", "湘西州", "normal")
    assert str(d.established_on) == "2015-06-01" and d.registered_capital == 50_000_000
    assert d.paid_in_capital == 20_005_000 and d.address == "湘西州吉首市人民路1号"


async def test_an_enterprise_named_like_markup_is_registered_and_said_literally(presale_db) -> None:
    """The toast after 登记 names the enterprise as typed: "[/x]" drawn as markup crashed the terminal."""
    app = make_app(presale_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn, as in a terminal
        await login(pilot, "super1")
        await _register(pilot, (ENTERPRISE[0], "星城[/x]置业有限公司", *ENTERPRISE[2:]))
        await pilot.press("enter")  # 查询 the code the form left in the search box
        await settle(pilot)
        await pilot.pause(0.3)  # the toast is drawn
        assert isinstance(app.screen, EnterpriseScreen)
        assert any("星城[/x]置业有限公司" in str(n.message) for n in app._notifications)
        assert "星城[/x]置业有限公司" in screen_text(app)
        toasts = list(app.screen.query("Toast"))
        assert toasts and any("星城[/x]置业有限公司" in str(toast.render()) for toast in toasts)
    with presale_db.read() as s:
        assert s.execute(select(Developer.name).where(Developer.credit_code == CODE)).scalar_one() == "星城[/x]置业有限公司"


async def test_a_bad_form_shows_each_refusal_under_its_field_and_writes_nothing(presale_db) -> None:
    bad_code = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    app = make_app(presale_db)
    before = _count(presale_db, Developer)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _register(pilot, (bad_code, "[b]湘西[/b]置业", "9", "王大山", "110101199003074250", "1380000",
                                "湘西州", "暂停", "", "2099-01-01", "", "100", "200"))
        assert isinstance(app.screen, DeveloperFormScreen)
        form = app.screen
        errors = {e.id: str(e.content) for e in form.query("FieldError") if e.has_class("-shown")}
        assert set(errors) >= {"e-credit_code", "e-kind", "e-legal_rep_id_number", "e-legal_rep_phone", "e-status",
                               "e-established_on", "e-paid_in_capital"}
        assert "企业类型只能是" in errors["e-kind"] and "实缴资本不能超过注册资本" in errors["e-paid_in_capital"]
        assert "需要改正" in screen_text(app)
        assert app.focused is not None and app.focused.id == "f-credit_code"  # the first bad field
        # the name typed with brackets stays as typed
        assert form.values()["name"] == "[b]湘西[/b]置业"
    assert _count(presale_db, Developer) == before


async def test_the_enterprise_is_kept_then_a_user_is_admitted(presale_db) -> None:
    app = make_app(presale_db)
    async with app.run_test(size=SIZE) as pilot:
        # the authority: the enterprise, then its administrator's account
        await login(pilot, "super1")
        await _register(pilot)
        await _press(pilot, "f9")
        assert isinstance(app.screen, UsersScreen)
        await _press(pilot, "f6")
        await _press(pilot, "f2")
        await pilot.press(*_burst("xxadmin", "王管理", "13900002222", PASSWORD), "f9")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        shown = screen_text(app)
        assert "xxadmin" in shown and "139****2222" in shown and "已开设管理员账户" in shown
        await _press(pilot, "escape", "escape", "f10")
        await settle(pilot)

        # the administrator: completes the enterprise, a project, its certificate, a bank, a user
        await login(pilot, "xxadmin", PASSWORD)
        await settle(pilot)
        await _press(pilot, "e")
        assert isinstance(app.screen, EnterpriseScreen)
        await _press(pilot, "f3")
        form = app.screen
        assert isinstance(form, DeveloperFormScreen)
        assert form.query_one("#f-status").disabled and form.query_one("#f-credit_code").disabled
        assert "138****1111" in screen_text(app)
        form.query_one("#f-taxpayer_number").focus()
        await pilot.press(*CODE, "f9")
        await settle(pilot)
        assert isinstance(app.screen, EnterpriseScreen)
        await _press(pilot, "f4")
        assert isinstance(app.screen, ProjectDialog)
        await pilot.press(*_burst("新城一期", "吉首市人民路2号", "吉首市", "12000.5"), "f9")
        await settle(pilot)
        assert isinstance(app.screen, EnterpriseScreen) and "新城一期" in screen_text(app)
        await _press(pilot, "f7")
        assert isinstance(app.screen, CertificatesScreen)
        await _press(pilot, "f2")
        assert isinstance(app.screen, CertificateDialog)
        await pilot.press(*_burst("2", "地字第430800202100001号", "2021-03-15"), "f9")
        await settle(pilot)
        shown = screen_text(app)
        assert "建设用地规划许可证" in shown and "尚缺" in shown
        await _press(pilot, "escape", "f8")
        assert isinstance(app.screen, BanksScreen)
        await _press(pilot, "f2")
        assert isinstance(app.screen, BankDialog)
        await pilot.press(*_burst("2", "中国建设银行", "吉首支行", "湘西新城置业有限公司", "43050112345678"), "f9")
        await settle(pilot)
        assert isinstance(app.screen, BanksScreen) and "监管银行账户" in screen_text(app)
        await _press(pilot, "escape", "f9")
        assert isinstance(app.screen, UsersScreen)
        await _press(pilot, "f2")
        await pilot.press(*_burst("xxuser1", "李业务", "13700003333", PASSWORD), "f9")
        await settle(pilot)
        await _press(pilot, "down", "space", "f9")
        assert "等待主管部门审核" in screen_text(app)
        await _press(pilot, "escape", "escape", "f10")
        await settle(pilot)

        # the authority admits from the queue
        await login(pilot, "super1")
        await _press(pilot, "e", "f9")
        shown = screen_text(app)
        assert "xxuser1" in shown and "137****3333" in shown and "13700003333" not in shown
        await _press(pilot, "f9")
        assert "已准予入网" in screen_text(app) or "准予" in screen_text(app)
    with presale_db.read() as s:
        d = s.execute(select(Developer).where(Developer.credit_code == CODE)).scalar_one()
        assert d.taxpayer_number == CODE
        assert s.execute(select(Operator.admission).where(Operator.username == "xxuser1")).scalar_one() == \
            Admission.APPROVED
    assert _count(presale_db, Project, Project.developer_id == d.id) == 1
    assert _count(presale_db, ProjectCertificate, _of(d.id)) >= 1
    assert _count(presale_db, DeveloperBank, DeveloperBank.developer_id == d.id) == 1


# ---------------------------------------------------------------- 80x24 snapshots


@pytest.fixture
def kept_db(presale_db):
    """The hall's enterprise with its administrator (dev_admin), a certificate, a bank and a user
    waiting for admission."""
    from core.presale.developers import BankEntry
    from core.presale.projects import CertificateEntry
    from services.presale import projects, users
    from tests.conftest import SYSTEM

    hall = presale_db.presale
    developers.add_developer_admin(presale_db, SYSTEM, hall.code, username="dev_admin", name="王管理",
                                   phone="13900002222", password=PASSWORD)
    projects.add_certificate(presale_db, SYSTEM, hall.project_id,
                             CertificateEntry(kind="1", number="张国用（2021）第0001号", issued_on="2021-03-15",
                                              issuer="张家界市自然资源局"))
    developers.add_bank(presale_db, SYSTEM, hall.code, BankEntry(purpose="supervision", bank_name="中国建设银行",
                                                                 branch="张家界分行", account_name="测试61号地产开发有限公司",
                                                                 account_number="43050112345678"))
    users.add_user(presale_db, SYSTEM, username="dev_b", name="李业务", phone="13700003333", password=PASSWORD,
                   credit_code=hall.code)
    users.apply_admission(presale_db, SYSTEM, ["dev_b"])
    return presale_db


def _snap(snap_compare, db, username: str, *keys: str, typed: tuple[str, ...] = (),  # type: ignore[no-untyped-def]
          then: tuple[str, ...] = ()) -> bool:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await login(pilot, username, PASSWORD if username.startswith("dev") else None)
        await settle(pilot)
        await _press(pilot, *keys)
        if typed:
            await pilot.press(*_burst(*typed), *then)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return snap_compare(make_app(db), terminal_size=SIZE, run_before=run_before)


def test_snapshot_register_form(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "super1", "e", "f2")


def test_snapshot_register_form_refused(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "super1", "e", "f2", typed=(
        CODE[:-1] + ("0" if CODE[-1] != "0" else "1"), "湘西置业", "9", "王大山", "110101199003074250", "1380000",
        "湘西州", "", "", "", "", "100", "200"), then=("f9",))


def test_snapshot_enterprise_of_the_authority(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "super1", "e", typed=(kept_db.presale.code,), then=("enter",))


def test_snapshot_edit_form_of_the_administrator(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "dev_admin", "e", "f3")


def test_snapshot_project_dialog(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "dev_admin", "e", "f6")


def test_snapshot_certificates(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "dev_admin", "e", "f7")


def test_snapshot_certificate_dialog(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "dev_admin", "e", "f7", "f2")


def test_snapshot_banks(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "dev_admin", "e", "f8")


def test_snapshot_bank_dialog_refused(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "dev_admin", "e", "f8", "f2", typed=("2", "中国银行", "", "", "12ab"),
                 then=("f9",))


def test_snapshot_users_of_the_administrator(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "dev_admin", "e", "f9")


def test_snapshot_add_user_dialog(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "dev_admin", "e", "f9", "f2", typed=("dev_c", "赵新人", "13600004444", "secret"))


def test_snapshot_admission_queue(snap_compare, kept_db) -> None:
    assert _snap(snap_compare, kept_db, "super1", "e", "f9")


async def test_the_authority_refuses_an_application_with_its_reason_kept_literal_and_masked(kept_db) -> None:
    from storage.models import DeveloperUser

    app = make_app(kept_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _press(pilot, "e", "f9")
        assert isinstance(app.screen, UsersScreen) and "dev_b" in screen_text(app)
        await _press(pilot, "f8")
        await pilot.press(*"材料不全[/x]，联系人手机13700003333", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert "dev_b（测试61号地产开发有限公司）：未通过。" in screen_text(app)
        await _press(pilot, "f9")  # nothing left to admit: said so, nothing crashes
        assert "没有待审核的入网申请" in screen_text(app)
        # the administrator reads the reason on the refused user's row
        await _press(pilot, "escape", "escape", "f10")
        await login(pilot, "dev_admin", PASSWORD)
        await settle(pilot)
        await _press(pilot, "e", "f9", "down", "down")
        said = app.screen.message_line.text
        assert said.startswith("dev_b 未通过入网审核：材料不全[/x]") and said.endswith("联系人手机137****3333")
        assert "[/x]" in screen_text(app) and "13700003333" not in screen_text(app)
    with kept_db.read() as s:
        op, user = s.execute(select(Operator, DeveloperUser).join(DeveloperUser, DeveloperUser.operator_id == Operator.id)
                             .where(Operator.username == "dev_b")).one()
    assert op.admission == Admission.REFUSED
    assert "[/x]" in user.decision_note and "13700003333" not in user.decision_note


async def test_a_developers_operator_is_offered_no_upkeep(kept_db) -> None:
    app = make_app(kept_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "e")
        footer = screen_text(app).splitlines()[-1]
        assert "银行信息" in footer and not any(k in footer for k in ("编辑企业", "新增项目", "项目证件", "企业用户"))
        for key in ("f2", "f3", "f4", "f6", "f7", "f9"):
            await _press(pilot, key)
            assert isinstance(app.screen, EnterpriseScreen)
        await _press(pilot, "f8")
        assert isinstance(app.screen, BanksScreen) and "中国建设银行" in screen_text(app)
        await _press(pilot, "f2", "delete")
        assert isinstance(app.screen, BanksScreen)
    assert _count(kept_db, DeveloperBank, DeveloperBank.active.is_(True),
                  DeveloperBank.developer_id == kept_db.presale.developer_id) == 1


async def test_a_bank_and_a_certificate_go_only_once_confirmed(kept_db) -> None:
    from tui.screens.dialogs import ConfirmDialog

    app = make_app(kept_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_admin", PASSWORD)
        await _press(pilot, "e", "f7", "delete")
        assert isinstance(app.screen, ConfirmDialog)
        await _press(pilot, "escape")
        assert _count(kept_db, ProjectCertificate, _of(kept_db.presale.developer_id)) == 1
        await _press(pilot, "delete", "enter")
        assert "已删除该证件" in screen_text(app) and "该项目尚未登记证件" not in screen_text(app)
        await _press(pilot, "delete")  # an empty list: said so
        assert "没有可删除的证件" in screen_text(app)
        await _press(pilot, "escape", "f8", "delete", "enter")
        assert "已删除该银行信息" in screen_text(app)
    assert _count(kept_db, ProjectCertificate, _of(kept_db.presale.developer_id)) == 0
    assert _count(kept_db, DeveloperBank, DeveloperBank.active.is_(True),
                  DeveloperBank.developer_id == kept_db.presale.developer_id) == 0


async def test_a_new_legal_representatives_id_is_typed_only_to_change_it(kept_db) -> None:
    app = make_app(kept_db)
    hall = kept_db.presale
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _press(pilot, "e")
        await pilot.press(*hall.code, "enter")
        await settle(pilot)
        await _press(pilot, "f3")
        assert isinstance(app.screen, DeveloperFormScreen)
        assert not app.screen.query_one("#f-status").disabled  # the authority's
        app.screen.query_one("#f-legal_rep_id_number").focus()
        await pilot.press(*"E12345678", "down", *"13512345678", "down", "down", "ctrl+u", *"停业", "f9")
        await settle(pilot)
        assert isinstance(app.screen, EnterpriseScreen)
        shown = screen_text(app)
        assert "停业" in shown and "135****5678" in shown and "13512345678" not in shown
    with kept_db.read() as s:
        d = s.execute(select(Developer).where(Developer.credit_code == hall.code)).scalar_one()
    assert (d.legal_rep_id_number, d.legal_rep_phone, d.status) == ("E12345678", "13512345678", "suspended")
    assert d.legal_rep_id_kind != "resident"
