"""房屋登记簿 (services.resale.home_register) on SQLite and PostgreSQL: who may do what, one
transaction each, owners from the party register, one certificate one set of owners, no change
in a transaction, the registry's marks with their reasons, finding homes, the import all or
nothing with every bad row — audited, numbers masked."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.identity import make_credit_code, make_resident_id
from core.parties import OrgEntry, PersonEntry
from core.resale.home_register import HomeEntry, HomeInvalid, OwnerEntry, check_mark_reason
from core.roles import Role
from core.timeutil import SHANGHAI
from services import audit, operators, parties
from services.resale import home_register as homes
from services.resale import house_check as hc
from storage.models import AuditEntry, Home, HomeMark, HomeOwner
from tests.conftest import SYSTEM, freeze, make_operator

NOW = datetime.combine(date(2026, 11, 21), time(10), tzinfo=SHANGHAI)
A = make_resident_id(random.Random(101), birth_date=date(1970, 2, 3))
B = make_resident_id(random.Random(102), birth_date=date(1975, 6, 7))
C = make_resident_id(random.Random(103), birth_date=date(1980, 8, 9))
ORG = make_credit_code(random.Random(104))
UNIT = "440304005008GB00404F00030001"
UNIT_2 = "440304005008GB00404F00030002"
CERT = "粤(2020)深圳市不动产权第0128885号"

ENTRY = HomeEntry(
    city="深圳", district="福田区", certificate_number=CERT, unit_number=UNIT,
    location="深圳市福田区香蜜湖街道香梅路134号景田花园3栋201", building="3栋", floor="2", room="201",
    total_floors="6", floor_area="119.10", inner_area="98.85", structure="钢筋混凝土", design_use="住宅",
    owners=(OwnerEntry(A),),
)


def _refused(code: str, fn, /, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    return caught.value


@pytest.fixture
def hall(db, supervisor, clerk):
    """A hall with three persons and an organisation in its register."""
    freeze(db, NOW)
    for name, number, phone in (("王建国", A, "13800138001"), ("李秀英", B, "13800138002"), ("张伟", C, None)):
        parties.register_person(db, clerk, PersonEntry(name=name, id_number=number, phone=phone))
    parties.register_organisation(db, clerk, OrgEntry(name="深圳市安居置业有限公司", credit_code=ORG,
                                                      legal_rep_name="赵四"))
    return db


def _count(db, table) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(table)).scalar_one()


def _audits(db, action: str) -> list[dict]:
    with db.read() as s:
        return [json.loads(a) for a in s.execute(select(AuditEntry.after).where(AuditEntry.action == action)
                                                 .order_by(AuditEntry.seq)).scalars()]


def test_a_supervisor_registers_a_home_and_a_clerk_looks_it_up(hall, supervisor, clerk):
    view = homes.register_home(hall, supervisor, ENTRY)
    assert (view.city, view.city_label, view.district, view.unit_number) == ("shenzhen", "深圳市", "福田区", UNIT)
    assert view.floor_area == Decimal("119.10") and view.status == "正常" and view.marks == ()
    [owner] = view.owners
    assert (owner.name, owner.document, owner.share) == ("王建国", "居民身份证", Decimal("100.00"))
    assert owner.masked_number == A[:6] + "********" + A[-4:] and A not in owner.text
    assert homes.show_home(hall, clerk, UNIT).id == view.id
    assert homes.show_home(hall, clerk, CERT.replace("(", "（").replace(")", "）")).id == view.id  # the one home
    # the register's facts are the supervisors' to keep
    _refused("ROLE_FORBIDDEN", homes.register_home, hall, clerk, replace(ENTRY, unit_number=UNIT_2))
    [after] = _audits(hall, "home_register")
    assert after["owners"][0]["id_number"] == A[:6] + "********" + A[-4:]
    assert after["unit_number"] == UNIT and after["floor_area"] == "119.10"
    with hall.read() as s:
        home = s.get(Home, view.id)
    assert home.register_version == 0 and home.use_class == "residential"


def test_owners_must_be_in_the_party_register(hall, supervisor):
    stranger = make_resident_id(random.Random(999), birth_date=date(1960, 1, 1))
    with pytest.raises(HomeInvalid) as caught:
        homes.register_home(hall, supervisor, replace(ENTRY, co_ownership="共同共有",
                                                      owners=(OwnerEntry(A), OwnerEntry(stranger))))
    [error] = caught.value.errors
    assert (error.code, error.field) == ("HOME_OWNER_NOT_REGISTERED", "owner_2")
    assert stranger not in error.message and stranger[:6] + "********" in error.message
    assert _count(hall, Home) == 0
    # an organisation by its credit code, with a person, by shares
    view = homes.register_home(hall, supervisor, replace(ENTRY, co_ownership="按份共有", owners=(
        OwnerEntry(ORG.lower(), "70"), OwnerEntry(B, "30"))))
    assert [(o.kind, o.name, o.share) for o in view.owners] == [
        ("organisation", "深圳市安居置业有限公司", Decimal("70.00")), ("person", "李秀英", Decimal("30.00"))]


def test_a_unit_number_is_registered_once(hall, supervisor):
    homes.register_home(hall, supervisor, ENTRY)
    error = _refused("HOME_ALREADY_REGISTERED", homes.register_home, hall, supervisor, replace(ENTRY, room="202"))
    assert error.field == "unit_number"
    assert _count(hall, Home) == 1


def test_one_certificate_one_set_of_owners(hall, supervisor):
    homes.register_home(hall, supervisor, ENTRY)
    second = replace(ENTRY, unit_number=UNIT_2, room="202", location="深圳市福田区香蜜湖街道香梅路134号景田花园3栋202")
    _refused("HOME_CERTIFICATE_OWNERS_DIFFER", homes.register_home, hall, supervisor,
             replace(second, owners=(OwnerEntry(B),)))
    shop = homes.register_home(hall, supervisor, replace(second, design_use="商业"))
    assert shop.homes_on_certificate == 2 and shop.use_class == "commercial"
    # new owners of one home are the certificate's: both homes change
    changed = homes.change_home(hall, supervisor, UNIT, homes.HomeChange(
        co_ownership="共同共有", owners=(OwnerEntry(A), OwnerEntry(B))))
    assert [o.name for o in changed.owners] == ["王建国", "李秀英"]
    assert [o.name for o in homes.show_home(hall, supervisor, UNIT_2).owners] == ["王建国", "李秀英"]
    assert _audits(hall, "home_change")[-1]["same_certificate"] == [shop.id]
    _refused("HOME_AMBIGUOUS", homes.show_home, hall, supervisor, CERT)


def test_a_change_is_checked_whole_and_keeps_what_it_does_not_name(hall, supervisor, clerk):
    homes.register_home(hall, supervisor, replace(ENTRY, co_ownership="按份共有",
                                                  owners=(OwnerEntry(A, "60"), OwnerEntry(B, "40"))))
    view = homes.change_home(hall, supervisor, UNIT, homes.HomeChange(location="深圳市福田区景田花园3栋201[/x]",
                                                                      inner_area=""))
    assert view.location.endswith("[/x]") and view.inner_area is None
    assert [(o.name, o.share) for o in view.owners] == [("王建国", Decimal("60.00")), ("李秀英", Decimal("40.00"))]
    with pytest.raises(HomeInvalid) as caught:
        homes.change_home(hall, supervisor, UNIT, homes.HomeChange(floor="7", floor_area="0"))
    assert {e.code for e in caught.value.errors} == {"HOME_FLOOR_ABOVE_TOTAL", "HOME_AREA_OUT_OF_RANGE"}
    # 按份共有 to 共同共有 without naming the owners: the shares go
    joint = homes.change_home(hall, supervisor, UNIT, homes.HomeChange(co_ownership="2"))
    assert [o.share for o in joint.owners] == [None, None]
    _refused("HOME_NOTHING_TO_CHANGE", homes.change_home, hall, supervisor, UNIT, homes.HomeChange())
    _refused("HOME_NOT_FOUND", homes.change_home, hall, supervisor, UNIT_2, homes.HomeChange(room="1"))
    _refused("HOME_KEY_BAD", homes.change_home, hall, supervisor, "[/x]", homes.HomeChange(room="1"))
    _refused("ROLE_FORBIDDEN", homes.change_home, hall, clerk, UNIT, homes.HomeChange(room="1"))
    with hall.read() as s:
        assert s.execute(select(Home.register_version)).scalar_one() == 2


def test_a_use_class_decided_by_review_survives_a_change(hall, supervisor):
    homes.register_home(hall, supervisor, replace(ENTRY, design_use="商住"))
    with hall.write() as s:  # 限购/限售核定 decided: traded as a residence
        s.execute(Home.__table__.update().values(use_class="residential", use_class_normalised=True))
    view = homes.change_home(hall, supervisor, UNIT, homes.HomeChange(room="201A"))
    assert (view.use_class, view.use_class_normalised) == ("residential", True)
    again = homes.change_home(hall, supervisor, UNIT, homes.HomeChange(design_use="宿舍"))
    assert (again.use_class, again.use_class_normalised) == ("residential", False)


def test_marks_with_their_reasons(hall, supervisor, clerk):
    homes.register_home(hall, supervisor, ENTRY)
    reason = f"法院裁定（2026）粤0304执保88号，被执行人 {A}"
    view = homes.set_mark(hall, supervisor, UNIT, "查封", reason)
    assert view.status == "已查封" and [m.label for m in view.marks] == ["查封"]
    assert view.marks[0].reason == check_mark_reason(reason).replace(A, A[:6] + "********" + A[-4:])  # masked
    _refused("HOME_MARK_ALREADY_SET", homes.set_mark, hall, supervisor, UNIT, "2", "再次查封")
    with pytest.raises(HomeInvalid) as caught:
        homes.set_mark(hall, supervisor, UNIT, "冻结", " ")
    assert {e.code for e in caught.value.errors} == {"HOME_MARK_UNKNOWN", "HOME_MARK_REASON_EMPTY"}
    _refused("ROLE_FORBIDDEN", homes.set_mark, hall, clerk, UNIT, "抵押", "x")
    view = homes.set_mark(hall, supervisor, UNIT, "4", "登记错误，权属无效")
    assert view.status == "权属无效、已查封"
    view = homes.clear_mark(hall, supervisor, UNIT, "seized", "解除查封")
    assert view.status == "权属无效" and [h.clear_reason for h in view.history] == ["解除查封"]
    _refused("HOME_MARK_NOT_SET", homes.clear_mark, hall, supervisor, UNIT, "抵押", "抵押注销")
    # the reason's ID number is masked in the log and on screen; the mark's own row keeps it for the register
    logged = _audits(hall, "home_mark_set")[0]["reason"]
    assert A not in logged and A[:6] + "********" in logged
    with hall.read() as s:
        assert A in s.execute(select(HomeMark.reason).where(HomeMark.kind == "seized")).scalar_one()
        assert s.execute(select(func.count()).select_from(HomeMark).where(HomeMark.cleared_at.is_(None))).scalar_one() == 1
        assert s.execute(select(Home.register_version)).scalar_one() == 3


def test_a_mark_without_a_reason_from_before_is_lifted(hall, supervisor):
    homes.register_home(hall, supervisor, ENTRY)
    with hall.write() as s:  # as the demo's homes and 限购/限售核定 leave a flag: no mark row
        s.execute(Home.__table__.update().values(mortgaged=True))
    view = homes.show_home(hall, supervisor, UNIT)
    assert [(m.label, m.reason) for m in view.marks] == [("抵押", "")]
    view = homes.clear_mark(hall, supervisor, UNIT, "抵押", "抵押注销登记")
    assert view.status == "正常" and view.history[0].clear_reason == "抵押注销登记"


def test_marks_and_changes_make_an_earlier_check_stale(hall, supervisor, clerk):
    from services.resale import contracts

    view = homes.register_home(hall, supervisor, ENTRY)
    with hall.read() as s:
        person_id = s.execute(select(HomeOwner.person_id)).scalar_one()
    check = hc.run_house_check(hall, clerk, city="shenzhen", home_id=view.id,
                               party=hc.Counterparty(person_id, identity_verified=True))
    assert check.passed, [ln.text for ln in check.failures]
    assert contracts.new_contract_form(hall, clerk, check.id).home_id == view.id
    homes.set_mark(hall, supervisor, UNIT, "抵押", "招商银行抵押")
    _refused("CONTRACT_REGISTER_CHANGED", contracts.new_contract_form, hall, clerk, check.id)
    fresh = hc.run_house_check(hall, clerk, city="shenzhen", home_id=view.id,
                               party=hc.Counterparty(person_id, identity_verified=True))
    assert fresh.passed and [n.code for n in fresh.notices] == ["HOUSE_MORTGAGE_NOTICE"]  # Shenzhen trades mortgaged homes
    assert contracts.new_contract_form(hall, clerk, fresh.id).home_id == view.id


def test_a_disabled_account_is_refused_inside_the_transaction(hall, supervisor):
    operators.set_active(hall, SYSTEM, supervisor.username, False)
    _refused("ACCOUNT_DISABLED", homes.register_home, hall, supervisor, ENTRY)
    _refused("ACCOUNT_DISABLED", homes.find_homes, hall, supervisor, "景田")
    assert _count(hall, Home) == 0


def test_finding_homes(hall, supervisor, clerk):
    homes.register_home(hall, supervisor, ENTRY)
    homes.register_home(hall, supervisor, replace(ENTRY, unit_number=UNIT_2, room="202",
                                                  location="深圳市福田区香蜜湖街道香梅路134号景田花园3栋202_%"))
    assert [h.unit_number for h in homes.find_homes(hall, clerk, "景田花园").lines] == [UNIT, UNIT_2]
    assert [h.unit_number for h in homes.find_homes(hall, clerk, "202_%").lines] == [UNIT_2]
    assert [h.unit_number for h in homes.find_homes(hall, clerk, "_%").lines] == [UNIT_2]  # no LIKE wildcards
    assert homes.find_homes(hall, clerk, UNIT_2.lower()).kind == "unit"
    found = homes.find_homes(hall, clerk, CERT)
    assert found.kind == "certificate" and len(found.lines) == 2 and found.lines[0].owners == "王建国"
    assert homes.find_homes(hall, clerk, "香梅路", limit=1).more
    _refused("HOME_SEARCH_TOO_SHORT", homes.find_homes, hall, clerk, "景")


# ---------------------------------------------------------------- import


HEAD = "城市,所在区,产权证书编号,不动产单元号,坐落,楼栋,所在层,总层数,房号,建筑面积,房屋结构,设计用途,共有方式,权利人证件号码,份额,抵押"


def _row(unit: str, owners: str, *, cert: str = CERT, co: str = "", shares: str = "", mortgage: str = "") -> str:
    return (f"深圳,福田,{cert},{unit},深圳市福田区景田花园{unit[-4:]},3栋,2,6,{unit[-3:]},89.50,钢筋混凝土,住宅,"
            f"{co},{owners},{shares},{mortgage}")


def test_an_import_is_all_or_nothing_and_lists_every_bad_row(hall, supervisor, clerk):
    stranger = make_resident_id(random.Random(998), birth_date=date(1961, 1, 1))
    homes.register_home(hall, supervisor, ENTRY)
    bad = "\n".join((HEAD,
                     _row("440304005008GB00404F00030003", A),  # fine
                     _row(UNIT, A),  # registered already
                     _row("440304005008GB00404F00030004", stranger, cert="粤(2021)深圳市不动产权第0000001号"),
                     _row("440304005008GB00404F00030005", B),  # the register's certificate, another owner
                     _row("440304005008GB00404F00030006", f"{A};{B}", cert="粤(2021)深圳市不动产权第0000002号",
                          co="按份共有", shares="50;40"),
                     )).encode("gb18030")
    with pytest.raises(parties.ImportInvalid) as caught:
        homes.import_homes(hall, supervisor, bad, default_city="shenzhen")
    assert [(e.row, e.code) for e in caught.value.errors] == [
        (3, "HOME_ALREADY_REGISTERED"), (4, "HOME_OWNER_NOT_REGISTERED"), (5, "HOME_CERTIFICATE_OWNERS_DIFFER"),
        (6, "HOME_SHARES_SUM")]
    assert stranger not in " ".join(e.text() for e in caught.value.errors)
    assert _count(hall, Home) == 1
    good = "\n".join((HEAD,
                      _row("440304005008GB00404F00030003", A),
                      _row("440304005008GB00404F00030006", f"{A};{B}", cert="粤(2021)深圳市不动产权第0000002号",
                           co="按份共有", shares="50;50", mortgage="招商银行抵押"),
                      _row("440304005008GB00404F00030007", f"{B}、{A}", cert="粤(2021)深圳市不动产权第0000002号",
                           co="按份共有", shares="50、50"))).encode("utf-8-sig")
    done = homes.import_homes(hall, supervisor, good, default_city="shenzhen")
    assert (done.homes, done.marks) == (3, 1)
    assert homes.show_home(hall, clerk, "440304005008GB00404F00030006").marks[0].reason == "招商银行抵押"
    rows = _audits(hall, "home_register")
    assert [r.get("imported_row") for r in rows] == [None, 2, 3, 4]
    assert _audits(hall, "home_import") == [{"homes": 3, "marks": 1}]
    _refused("ROLE_FORBIDDEN", homes.import_homes, hall, clerk, good, default_city="shenzhen")
    assert audit.verify(hall, SYSTEM).intact


def test_an_import_whose_rows_disagree_with_each_other(hall, supervisor):
    text = "\n".join((HEAD,
                      _row("440304005008GB00404F00030011", A, cert="粤(2021)深圳市不动产权第0000003号"),
                      _row("440304005008GB00404F00030012", B, cert="粤(2021)深圳市不动产权第0000003号"),
                      "",
                      _row("440304005008GB00404F00030011", A, cert="粤(2021)深圳市不动产权第0000003号")))
    with pytest.raises(parties.ImportInvalid) as caught:
        homes.import_homes(hall, supervisor, text.encode(), default_city="shenzhen")
    assert [(e.row, e.code) for e in caught.value.errors] == [(3, "HOME_CERTIFICATE_OWNERS_DIFFER"),
                                                              (5, "CSV_DUPLICATE_IN_FILE")]
    with pytest.raises(parties.ImportInvalid) as caught:
        homes.import_homes(hall, supervisor, "\n".join(text.split("\n")[:3]).encode(), default_city="shenzhen")
    assert [(e.row, e.code) for e in caught.value.errors] == [(3, "HOME_CERTIFICATE_OWNERS_DIFFER")]
    with pytest.raises(parties.ImportInvalid) as caught:
        homes.import_homes(hall, supervisor, b"\x00\x01", default_city="shenzhen")
    assert caught.value.errors[0].code == "CSV_BAD_FORMAT"
    _refused("HOME_CITY_UNKNOWN", homes.import_homes, hall, supervisor, text.encode(), default_city="火星")
    assert _count(hall, Home) == 0


def test_the_demo_register_changes_and_marks(sample_db):
    """The demo's homes (their flags set without reasons) are kept like any other."""
    freeze(sample_db, NOW)
    boss = make_operator(sample_db, "super_h", Role.SUPERVISOR)
    with sample_db.read() as s:
        seized = s.execute(select(Home).where(Home.seized.is_(True), Home.in_transaction.is_(False))
                           .order_by(Home.id).limit(1)).scalar_one()
    view = homes.show_home(sample_db, boss, seized.unit_number)
    assert "查封" in [m.label for m in view.marks] and view.marks[0].reason == ""
    changed = homes.change_home(sample_db, boss, seized.unit_number, homes.HomeChange(completion_year="1999"))
    assert changed.completion_year == 1999 and changed.owners == view.owners
    lifted = homes.clear_mark(sample_db, boss, seized.unit_number, "查封", "法院解除查封")
    assert "已查封" not in lifted.status
