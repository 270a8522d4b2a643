"""The proof the home register is for: a hall that starts with an EMPTY database (migrated,
no demo data) registers its operators, parties and homes through the use cases, then in each
of the three cities (深圳, 中山, 武汉 — the city an argument of the services) checks a home, makes
a contract, has it signed with both parties' SMS codes, files it by that city's route
(core.resale.filing) and cancels it — on SQLite and PostgreSQL.

The register's marks stop a trade: a 查封 recorded after a passed check makes the check stale
(no contract on it) and the next check refuses the home; lifting it lets the trade go on. A home
in a transaction is not changed; after the cancellation it may be again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.parties import PersonEntry
from core.resale.home_register import HomeEntry, OwnerEntry
from core.roles import Role
from core.timeutil import local_today
from services import audit, parties
from services.resale import cancel as cc
from services.resale import contracts as svc
from services.resale import filing, signing
from services.resale import home_register as homes
from services.resale import house_check as hc
from storage.models import Contract, Home, HomeOwner, Person
from tests.conftest import SYSTEM, freeze, make_operator
from tests.contract_support import NOW, buyer, confirm_all, filled_form, latest_code, qualify
from tests.contract_support import _phone_of as phone_of

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"

#: The home each city signs: the sample file's (Shenzhen, Wuhan) or one registered at the window (Zhongshan).
SHENZHEN_UNIT = "440308999001GB00101F00010001"
WUHAN_UNIT = "420103999005GB00105F00050001"
ZHONGSHAN_UNIT = "442000999008GB00108F00020001"
OWNER_ZS = "440883197902141696"  # 黄伟明 in parties_example.csv


def _refused(code: str, fn, /, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    return caught.value


def _owner(db, unit: str) -> Person:
    with db.read() as s:
        owner = s.execute(select(Person).join(HomeOwner, HomeOwner.person_id == Person.id)
                          .join(Home, Home.id == HomeOwner.home_id).where(Home.unit_number == unit)).scalar_one()
    return owner


def _check(db, clerk, city: str, view: homes.HomeView, **kw) -> hc.CheckView:
    """The counter's check: the owner in person, as the clerk types name and number off the certificate."""
    owner = _owner(db, view.unit_number)
    if city == "zhongshan":
        kw["check_code"] = view.check_code
    if city == "wuhan":
        kw |= {"register_queried_on": local_today(db.now()), "purchase_restriction": "not_restricted"}
    return hc.check_at_window(db, clerk, city=city, home_id=view.id, capacity="owner", agent_number="",
                              typed_name=owner.name, typed_id=owner.id_number, identity_verified=True,
                              certificate_number=view.certificate_number, **kw)


def test_an_empty_hall_signs_files_and_cancels_in_every_city(db):
    clock = freeze(db, NOW)
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Home)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(Person)).scalar_one() == 0

    # The hall's accounts, then its register: parties first, homes after (owners must be registered).
    clerk = make_operator(db, "clerk_e", Role.CLERK, window="01")
    supervisor = make_operator(db, "super_e", Role.SUPERVISOR)
    assert parties.import_register(db, supervisor, (SAMPLE / "parties_example.csv").read_bytes()).persons == 8
    _refused("ROLE_FORBIDDEN", homes.import_homes, db, clerk, b"", default_city="shenzhen")  # clerks look up only
    imported = homes.import_homes(db, supervisor, (SAMPLE / "homes_example.csv").read_bytes(), default_city="shenzhen")
    assert (imported.homes, imported.marks) == (7, 2)
    # a person registered at the window, and a Zhongshan home registered on the screen's use case
    parties.register_person(db, clerk, PersonEntry(name="赵买家", id_number=buyer(seed=21).id_number,
                                                   phone="13600000021"))
    zs = homes.register_home(db, supervisor, HomeEntry(
        city="中山", district="石岐", certificate_number="粤（2024）中山市不动产权第０９１７００８号", check_code="k7m2q9",
        unit_number=ZHONGSHAN_UNIT.lower(), location="中山市石岐区孙文中路120号孙文花园2幢601", building="2幢",
        floor="6", total_floors="9", room="601", floor_area="76.30", inner_area="61.00", structure="混合",
        design_use="住宅", completion_year="2001", owners=[OwnerEntry(OWNER_ZS)]), default_city="shenzhen")
    assert (zs.city, zs.district, zs.check_code, zs.unit_number) == ("zhongshan", "石岐区", "K7M2Q9", ZHONGSHAN_UNIT)
    assert [o.name for o in zs.owners] == ["黄伟明"] and zs.owners[0].masked_number == "440883********1696"

    views = {"shenzhen": homes.show_home(db, clerk, SHENZHEN_UNIT), "zhongshan": zs,
             "wuhan": homes.show_home(db, clerk, WUHAN_UNIT)}
    phones = {"shenzhen": "13900000001", "zhongshan": "13900000002", "wuhan": "13900000003"}
    filed: dict[str, svc.ContractView] = {}
    for city, view in views.items():
        clock.advance(minutes=5)
        check = _check(db, clerk, city, view)
        assert check.passed, [ln.text for ln in check.failures]

        if city == "shenzhen":
            # The registry seizes the home after the check: the check no longer describes it.
            clock.advance(minutes=1)
            homes.set_mark(db, supervisor, view.unit_number, "查封", "深圳市福田区人民法院（2026）粤0304执保88号")
            _refused("CONTRACT_REGISTER_CHANGED", svc.new_contract_form, db, clerk, check.id)
            refused = _check(db, clerk, city, view)
            assert not refused.passed and "HOUSE_NOT_SEIZED" in [ln.code for ln in refused.failures]
            clock.advance(minutes=1)
            homes.clear_mark(db, supervisor, view.unit_number, "2", "法院解除查封")
            check = _check(db, clerk, city, view)
            assert check.passed, [ln.text for ln in check.failures]

        new = svc.new_contract_form(db, clerk, check.id)
        assert [s.name for s in new.form.sellers] == [o.name for o in view.owners]
        form = filled_form(new, buyers=(buyer(phone=phones[city], seed=len(filed) + 3),))
        draft = svc.create_draft(db, clerk, check.id, form)
        assert draft.city.startswith({"shenzhen": "深圳", "zhongshan": "中山", "wuhan": "武汉"}[city])
        # In a transaction the register's facts stay as the contract read them.
        _refused("HOME_IN_TRANSACTION", homes.change_home, db, supervisor, view.unit_number,
                 homes.HomeChange(room="9999"))
        qualify(db, clerk, supervisor, draft)
        confirm_all(db, clerk, draft, clock)
        signed = signing.submit_signing(db, clerk, draft.id, expected_version=draft.version)
        if city == "shenzhen":  # reviewed after the signed 承诺书 is handed back
            assert signed.status == "signed" and signed.filing_route == "review"
            filing.record_undertaking(db, clerk, signed.id)
            signing.submit_for_filing(db, clerk, signed.id)
            done = signing.approve_filing(db, supervisor, signed.id)
        elif city == "zhongshan":  # filed at signing
            done = signed
        else:  # filed at the transfer registration
            assert signed.status == "signed" and signed.filing_number is None
            done = filing.record_transfer_registration(db, clerk, signed.id, "WHDJ202611210007")
        assert done.status == "filed" and done.filing_number.startswith({"shenzhen": "SB", "zhongshan": "ZB",
                                                                        "wuhan": "WB"}[city])
        filed[city] = done

    # Each filed contract is cancelled (注销网签): every party confirms by code, a supervisor reviews.
    for city, contract in filed.items():
        pending = cc.apply_filed_cancellation(db, clerk, contract.id, kind="cancel_signing",
                                              applicant_key="seller:0", reason="买卖双方协商一致解除合同")
        for confirmer in pending.confirmers:
            cc.send_cancellation_code(db, clerk, pending.id, confirmer.key)
            cc.confirm_cancellation(db, clerk, pending.id, confirmer.key,
                                    latest_code(db, phone_of(db, contract.id, confirmer.key)))
            clock.advance(seconds=61)
        done = cc.review_cancellation(db, supervisor, pending.id, approved=True, note="材料齐全")
        assert done.state == "done"
        with db.read() as s:
            row = s.get(Contract, contract.id)
            home = s.get(Home, row.home_id)
        assert (row.status, row.active_home_id, row.filing_number, home.in_transaction) == ("cancelled", None, None,
                                                                                             False)
        # Free again: the register may be corrected, and the home checked and sold anew.
        changed = homes.change_home(db, supervisor, views[city].unit_number,
                                    homes.HomeChange(completion_year="2010"))
        assert changed.completion_year == 2010 and not changed.in_transaction
        clock.advance(minutes=1)
        assert _check(db, clerk, city, changed).passed

    assert audit.verify(db, SYSTEM).intact
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Contract)).scalar_one() == 3


def test_an_empty_hall_from_the_command_line(tmp_path, monkeypatch):
    """The same start by the commands a hall's administrator types: no demo, an operator, the
    two sample files imported, a home found and shown (masked), a mark set and lifted."""
    from typer.testing import CliRunner

    from tui.cli.main import app

    runner = CliRunner()
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    for name in ("WANGQIAN_DB_URL", "WANGQIAN_CITY", "WANGQIAN_SMS_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, stdin: str | None = None):
        result = runner.invoke(app, list(args), input=stdin)
        shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
        assert result.exit_code == 0 and "Traceback" not in shown, (args, shown)
        return shown

    run("db", "upgrade")
    run("operator", "add", "super9", "--name", "陈主管", "--role", "supervisor", "--password-stdin",
        stdin="Secret123\n")
    run("party", "import", str(SAMPLE / "parties_example.csv"))
    assert "已导入 7 套房屋" in run("home", "import", str(SAMPLE / "homes_example.csv"))
    found = run("home", "find", "沙深路")
    assert SHENZHEN_UNIT in found and "陈建华" in found
    shown = run("home", "show", SHENZHEN_UNIT)
    assert "440308********9616" in shown and "440308196804129616" not in shown
    run("home", "mark", SHENZHEN_UNIT, "抵押", "--reason", "[/x] 招商银行抵押")
    shown = run("home", "show", SHENZHEN_UNIT)
    assert "已抵押" in shown and "[/x] 招商银行抵押" in shown
    run("home", "unmark", SHENZHEN_UNIT, "抵押", "--reason", "抵押注销")
    assert "正常" in run("home", "show", SHENZHEN_UNIT)
