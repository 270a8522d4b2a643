"""当事人登记 on an empty register (services.parties): each use case written once, checked,
audited, refused for a disabled operator; and a party registered this way passes a house check."""

from __future__ import annotations

import random
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.identity import make_credit_code, make_resident_id
from core.parties import OrgEntry, PartyInvalid, PersonEntry
from core.resale.title_check import Capacity
from core.roles import Actor, Role
from core.timeutil import SHANGHAI
from services import lookup, operators, parties
from services.resale import house_check as hc
from storage.models import (
    AuditEntry,
    Home,
    HomeOwner,
    IdentityChange,
    OrgAgent,
    Organisation,
    OwnerProxy,
    Person,
)
from tests.conftest import at, freeze

DAY = date(2026, 12, 7)
OWNER_ID = make_resident_id(random.Random(21), birth_date=date(1975, 3, 9))
NEW_ID = make_resident_id(random.Random(22), birth_date=date(1975, 3, 9))
PROXY_ID = make_resident_id(random.Random(23), birth_date=date(1988, 8, 8))
AGENT_ID = make_resident_id(random.Random(24), birth_date=date(1990, 1, 2))
USCC = make_credit_code(random.Random(25))


def _on(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _today(db):
    freeze(db, _on(DAY))


def _count(db, table) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(table)).scalar_one()


def _audits(db) -> list[AuditEntry]:
    """The register's audit rows (the fixtures' operator accounts have theirs)."""
    with db.read() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.action.startswith("party_"))
                              .order_by(AuditEntry.seq)).scalars())


def _refused(call) -> list[tuple[str, str | None]]:
    with pytest.raises(RuleViolation) as e:
        call()
    errors = e.value.errors if isinstance(e.value, PartyInvalid) else (e.value,)
    return [(x.code, x.field) for x in errors]


def _owner(db, clerk, number=OWNER_ID, name="王建国", **kw):
    return parties.register_person(db, clerk, PersonEntry(name=name, id_number=number, phone="13800138000", **kw))


# ---------------------------------------------------------------- persons


def test_a_person_is_registered_audited_and_shown_masked(db, clerk):
    view = _owner(db, clerk, address="深圳市福田区[/x]")
    assert (view.kind, view.name, view.document) == ("person", "王建国", "居民身份证")
    assert view.masked_number == OWNER_ID[:6] + "********" + OWNER_ID[-4:] and view.masked_phone == "138****8000"
    with db.read() as s:
        person = s.get(Person, view.id)
    assert (person.id_number, person.birth_date, person.capacity, person.address) == (
        OWNER_ID, date(1975, 3, 9), "full", "深圳市福田区[/x]")
    [entry] = _audits(db)
    assert (entry.action, entry.operator, entry.object_id) == ("party_register_person", clerk.username, str(view.id))
    assert OWNER_ID not in entry.after and "13800138000" not in entry.after


@pytest.mark.parametrize("entry,refusals", [
    (PersonEntry(name="王😀", id_number=OWNER_ID), [("NAME_BAD_CHARACTERS", "name")]),
    (PersonEntry(name="王建国", id_number=OWNER_ID[:-1] + ("1" if OWNER_ID[-1] == "0" else "0")),
     [("ID_BAD_CHECK_DIGIT", "id_number")]),
    (PersonEntry(name="王建国", id_number="１２３"), [("ID_UNKNOWN_FORMAT", "id_number")]),
    (PersonEntry(name="王建国", id_number=OWNER_ID, phone="12345"), [("PHONE_BAD_FORMAT", "phone")]),
    (PersonEntry(name="王建国", id_number=OWNER_ID, address="字" * 10000), [("TEXT_TOO_LONG", "address")]),
    (PersonEntry(name="[/x]", id_number="", phone="x"), [("NAME_BAD_CHARACTERS", "name"), ("ID_EMPTY", "id_number"),
                                                       ("PHONE_BAD_FORMAT", "phone")]),
])
def test_each_bad_value_is_refused_and_nothing_written(db, clerk, entry, refusals):
    assert _refused(lambda: parties.register_person(db, clerk, entry)) == refusals
    assert _count(db, Person) == 0 and _audits(db) == []


def test_a_number_is_registered_once_in_either_form(db, clerk):
    _owner(db, clerk)
    assert _refused(lambda: _owner(db, clerk, name="王建民")) == [("PERSON_ALREADY_REGISTERED", "id_number")]
    old15 = make_resident_id(random.Random(30), birth_date=date(1960, 1, 1))
    parties.register_person(db, clerk, PersonEntry(name="李一", id_number=old15[:6] + old15[8:17]))
    assert _refused(lambda: parties.register_person(db, clerk, PersonEntry(name="李一", id_number=old15))) == [
        ("PERSON_ALREADY_REGISTERED", "id_number")]
    assert _count(db, Person) == 2


def test_a_disabled_or_unauthorised_operator_is_refused(db, clerk, system):
    operators.set_active(db, system, clerk.username, False)
    assert _refused(lambda: _owner(db, clerk)) == [("ACCOUNT_DISABLED", None)]
    nobody = Actor(None, "x", "x", Role.CLERK)
    assert parties.register_person(db, nobody, PersonEntry(name="王建国", id_number=OWNER_ID)).name == "王建国"
    assert _refused(lambda: parties.register_person(db, None, PersonEntry(name="王", id_number=OWNER_ID))) == [
        ("AUTH_REQUIRED", None)]


def test_a_supervisor_registers_too(db, supervisor):
    assert _owner(db, supervisor).name == "王建国"


def test_contact_details_change_and_are_audited(db, clerk):
    _owner(db, clerk)
    assert _refused(lambda: parties.change_person(db, clerk, OWNER_ID, parties.PersonChange())) == [
        ("PARTY_NOTHING_TO_CHANGE", None)]
    assert _refused(lambda: parties.change_person(db, clerk, OWNER_ID, parties.PersonChange(
        phone="1", capacity="x"))) == [("PHONE_BAD_FORMAT", "phone"), ("PERSON_BAD_CAPACITY", "capacity")]
    view = parties.change_person(db, clerk, OWNER_ID.lower(), parties.PersonChange(phone="13900139000", address=" "))
    assert view.masked_phone == "139****9000"
    assert _audits(db)[-1].action == "party_change_person"
    assert _refused(lambda: parties.change_person(db, clerk, "110", parties.PersonChange(phone="13900139000"))) == [
        ("PARTY_NOT_FOUND", "id_number")]


# ---------------------------------------------------------------- organisations and agents


def _org(db, clerk):
    return parties.register_organisation(db, clerk, OrgEntry(name="深圳市安居置业有限公司", credit_code=USCC,
                                                              legal_rep_name="张三"))


def test_an_organisation_is_registered_once(db, clerk):
    view = _org(db, clerk)
    assert (view.kind, view.masked_number) == ("organisation", USCC)
    assert _refused(lambda: _org(db, clerk)) == [("ORG_ALREADY_REGISTERED", "credit_code")]
    bad = USCC[:-1] + ("1" if USCC[-1] == "0" else "0")
    assert _refused(lambda: parties.register_organisation(db, clerk, OrgEntry(
        name="某公司", credit_code=bad, legal_rep_name="张三"))) == [("USCC_BAD_CHECK_CHAR", "credit_code")]
    assert _count(db, Organisation) == 1
    changed = parties.change_organisation(db, clerk, USCC, legal_rep_name="李四")
    with db.read() as s:
        assert s.get(Organisation, changed.id).legal_rep_name == "李四"


def test_an_agent_is_bound_for_a_period_and_unbound(db, clerk):
    _org(db, clerk)
    parties.register_person(db, clerk, PersonEntry(name="赵经办", id_number=AGENT_ID))
    assert _refused(lambda: parties.add_agent(db, clerk, credit_code=USCC, agent_number=AGENT_ID,
                                              valid_from="2026-01-01", valid_to="2026-12-06")) == [
        ("PERIOD_ENDED", "valid_to")]
    assert _refused(lambda: parties.add_agent(db, clerk, credit_code=USCC, agent_number=PROXY_ID,
                                              valid_from="2026-12-01", valid_to="2027-12-01")) == [
        ("PARTY_NOT_FOUND", "agent_number")]
    view = parties.add_agent(db, clerk, credit_code=USCC, agent_number=AGENT_ID, valid_from="2026-12-01",
                             valid_to="2027-11-30")
    assert (view.agent_name, view.scope, view.unbound) == ("赵经办", "存量房买卖", False)
    assert _refused(lambda: parties.add_agent(db, clerk, credit_code=USCC, agent_number=AGENT_ID,
                                              valid_from="2027-01-01", valid_to="2027-03-01")) == [
        ("AGENT_ALREADY_BOUND", "agent_number")]
    unbound = parties.unbind_agent(db, clerk, credit_code=USCC, agent_number=AGENT_ID)
    assert unbound.unbound
    assert _refused(lambda: parties.unbind_agent(db, clerk, credit_code=USCC, agent_number=AGENT_ID)) == [
        ("AGENT_NOT_BOUND", "agent_number")]
    assert [e.action for e in _audits(db)][-2:] == ["party_add_agent", "party_unbind_agent"]
    with db.read() as s:
        assert s.execute(select(OrgAgent.unbound_at)).scalar_one() is not None


def test_a_notarised_proxy_is_registered(db, clerk):
    _owner(db, clerk)
    parties.register_person(db, clerk, PersonEntry(name="钱代理", id_number=PROXY_ID))
    refusals = _refused(lambda: parties.add_proxy(db, clerk, principal_number=OWNER_ID, proxy_number=PROXY_ID,
                                                  notarial_certificate="公证书", valid_from="x", valid_to=""))
    assert refusals == [("NOTARIAL_BAD", "notarial_certificate"), ("DATE_BAD", "valid_from"), ("DATE_EMPTY", "valid_to")]
    assert _refused(lambda: parties.add_proxy(db, clerk, principal_number=OWNER_ID, proxy_number=OWNER_ID,
                                              notarial_certificate="（2026）粤深证字第1号", valid_from="2026-12-01",
                                              valid_to="2027-12-01")) == [("PROXY_SELF", "proxy_number")]
    view = parties.add_proxy(db, clerk, principal_number=OWNER_ID, proxy_number=PROXY_ID,
                             notarial_certificate="（2026）粤深证字第1号", valid_from="2026-12-01", valid_to="2027-12-01",
                             scope="出售深圳市福田区景田花园3栋201")
    assert (view.principal_name, view.proxy_name, view.notarial_certificate) == ("王建国", "钱代理", "(2026)粤深证字第1号")
    assert _refused(lambda: parties.add_proxy(db, clerk, principal_number=OWNER_ID, proxy_number=PROXY_ID,
                                              notarial_certificate="(2026)粤深证字第1号", valid_from="2026-12-01",
                                              valid_to="2027-12-01")) == [("PROXY_DUPLICATE", "notarial_certificate")]
    with db.read() as s:
        assert s.execute(select(OwnerProxy.scope)).scalar_one() == "出售深圳市福田区景田花园3栋201"


# ---------------------------------------------------------------- ID changes


def test_an_id_change_keeps_the_old_number_finding_the_person(db, clerk):
    owner = _owner(db, clerk)
    assert _refused(lambda: parties.change_id(db, clerk, old_number=OWNER_ID, new_number=OWNER_ID, proof="证明")) == [
        ("ID_CHANGE_SAME_NUMBER", "new_number")]
    assert _refused(lambda: parties.change_id(db, clerk, old_number=OWNER_ID, new_number=NEW_ID, proof=" ")) == [
        ("ID_CHANGE_PROOF_EMPTY", "proof")]
    view = parties.change_id(db, clerk, old_number=OWNER_ID, new_number=NEW_ID, new_name="王建华",
                             proof="公安机关出具的身份证号码变更证明 深公证2026第8号")
    assert (view.id, view.name) == (owner.id, "王建华")
    for number in (OWNER_ID, NEW_ID, NEW_ID.lower()):
        assert parties.find_party(db, clerk, number) == ("person", owner.id)
    with db.read() as s:
        change = s.execute(select(IdentityChange)).scalar_one()
    assert (change.old_number, change.new_number, change.old_name) == (OWNER_ID, NEW_ID, "王建国")
    # the old number is nobody else's to register
    assert _refused(lambda: _owner(db, clerk, name="别人")) == [("PERSON_ALREADY_REGISTERED", "id_number")]
    hits = lookup.search_applicants(db, clerk, OWNER_ID[:10])
    assert [h.id for h in hits] == [owner.id]
    detail = lookup.applicant_detail(db, clerk, "person", owner.id)
    assert any("身份变更前" in line.note for line in detail.identities)
    audit = _audits(db)[-1]
    assert audit.action == "party_change_id" and NEW_ID not in (audit.after or "") and OWNER_ID not in audit.before


# ---------------------------------------------------------------- the register file


HEADER = "类型,姓名或名称,证件类型,证件号码,国籍,手机号,住址,行为能力,法定代表人\n"


def test_a_clean_file_is_imported_in_one_transaction(db, clerk):
    data = (HEADER + f"个人,王建国,,{OWNER_ID},,13800138000,,,\n单位,安居公司,,{USCC},,,,,张三\n"
            "个人,陈大文,港澳居民身份证,A123456(3),,,,,\n").encode("gb18030")
    result = parties.import_register(db, clerk, data)
    assert (result.persons, result.organisations) == (2, 1)
    audits = _audits(db)
    assert [e.action for e in audits] == ["party_register_person"] * 2 + ["party_register_organisation", "party_import"]
    assert '"imported_row":2' in audits[0].after and OWNER_ID not in audits[0].after


def test_a_file_with_any_bad_row_writes_nothing_and_lists_every_row(db, clerk):
    _owner(db, clerk)
    before = (_count(db, Person), len(_audits(db)))
    data = (HEADER + f"个人,王建国,,{OWNER_ID},,,,,\n个人,赵😀,,{AGENT_ID},,,,,\n个人,钱代理,,{PROXY_ID},,,,,\n"
            f"单位,安居公司,,{USCC},,,,,\n").encode()
    with pytest.raises(parties.ImportInvalid) as e:
        parties.import_register(db, clerk, data)
    assert [(x.row, x.field, x.code) for x in e.value.errors] == [
        (3, "姓名或名称", "NAME_BAD_CHARACTERS"), (5, "法定代表人", "NAME_EMPTY")]
    # once every row is well formed, the register's own duplicates are reported too
    data = (HEADER + f"个人,王建国,,{OWNER_ID},,,,,\n个人,钱代理,,{PROXY_ID},,,,,\n").encode()
    with pytest.raises(parties.ImportInvalid) as e:
        parties.import_register(db, clerk, data)
    assert [(x.row, x.code) for x in e.value.errors] == [(2, "PERSON_ALREADY_REGISTERED")]
    assert (_count(db, Person), len(_audits(db))) == before
    with pytest.raises(parties.ImportInvalid) as e:
        parties.import_register(db, clerk, b"\xff\xfe\x00x")
    assert e.value.errors[0].code == "CSV_BAD_FORMAT"


# ---------------------------------------------------------------- a house check with parties registered here


def _home(db, *owners: tuple[str, int]) -> int:
    """A home of the register (homes are not registered at the counter yet: written as the register's import
    would), owned by the given ("person"|"organisation", id)."""
    with db.write() as s:
        home = Home(city="shenzhen", district="福田区", certificate_number="粤(2020)深圳市不动产权第0128885号",
                    unit_number="440304005008GB00404F00030001", location="深圳市福田区香蜜湖街道香梅路134号景田花园3栋201",
                    building="3栋", floor=2, room="201", floor_area=Decimal("119.10"), total_floors=6,
                    design_use="住宅", use_class="residential", co_ownership="sole")
        s.add(home)
        s.flush()
        for kind, owner_id in owners:
            s.add(HomeOwner(home_id=home.id, share=Decimal("100"),
                            **({"person_id": owner_id} if kind == "person" else {"organisation_id": owner_id})))
        return home.id


def _at_window(db, clerk, home_id, day=DAY, **kw):
    kw = {"capacity": Capacity.OWNER, "agent_number": "", "identity_verified": True} | kw
    return hc.check_at_window(at(db, _on(day)), clerk, city="shenzhen", home_id=home_id, **kw)


def test_a_freshly_registered_owner_and_proxy_pass_a_house_check(db, clerk):
    owner = _owner(db, clerk)
    parties.register_person(db, clerk, PersonEntry(name="钱代理", id_number=PROXY_ID))
    home_id = _home(db, ("person", owner.id))
    view = _at_window(db, clerk, home_id, typed_name="王建国", typed_id=OWNER_ID)
    assert view.passed, [ln.text for ln in view.failures]
    with pytest.raises(RuleViolation) as e:
        _at_window(db, clerk, home_id, capacity=Capacity.PROXY, agent_number=PROXY_ID, typed_name="王建国",
                   typed_id=OWNER_ID)
    assert e.value.code == "HOUSE_CHECK_NO_PROXY"
    parties.add_proxy(db, clerk, principal_number=OWNER_ID, proxy_number=PROXY_ID,
                      notarial_certificate="（2026）粤深证字第1号", valid_from="2026-12-01", valid_to="2027-12-01")
    view = _at_window(db, clerk, home_id, capacity=Capacity.PROXY, agent_number=PROXY_ID, typed_name="王建国",
                      typed_id=OWNER_ID)
    assert view.passed, [ln.text for ln in view.failures]
    # after the proxy's period the proxy is refused by the period rule
    view = _at_window(db, clerk, home_id, day=date(2027, 12, 2), capacity=Capacity.PROXY, agent_number=PROXY_ID,
                      typed_name="王建国", typed_id=OWNER_ID)
    assert not view.passed and any("委托" in ln.text for ln in view.failures)


def test_an_owner_whose_id_changed_passes_by_either_number(db, clerk):
    owner = _owner(db, clerk)
    home_id = _home(db, ("person", owner.id))
    parties.change_id(db, clerk, old_number=OWNER_ID, new_number=NEW_ID, proof="公安机关出具的身份证号码变更证明")
    # the certificate carries the old number; the owner shows the new card
    view = _at_window(db, clerk, home_id, agent_number=NEW_ID, typed_name="王建国", typed_id=OWNER_ID)
    assert view.passed, [ln.text for ln in view.failures]
    view = _at_window(db, clerk, home_id, typed_name="王建国", typed_id=NEW_ID)
    assert view.passed, [ln.text for ln in view.failures]
    view = _at_window(db, clerk, home_id, typed_name="王建国", typed_id=OWNER_ID)
    assert view.passed and view.party["person_id"] == owner.id


def test_an_agent_outside_its_period_or_unbound_is_refused_at_the_house_check(db, clerk):
    org = _org(db, clerk)
    parties.register_person(db, clerk, PersonEntry(name="赵经办", id_number=AGENT_ID))
    home_id = _home(db, ("organisation", org.id))
    parties.add_agent(db, clerk, credit_code=USCC, agent_number=AGENT_ID, valid_from="2026-12-01",
                      valid_to="2027-11-30")
    view = _at_window(db, clerk, home_id, capacity=Capacity.ORG_AGENT, agent_number=AGENT_ID,
                      typed_name="深圳市安居置业有限公司", typed_id=USCC)
    assert view.passed, [ln.text for ln in view.failures]
    late = _at_window(db, clerk, home_id, day=date(2027, 12, 1), capacity=Capacity.ORG_AGENT, agent_number=AGENT_ID,
                      typed_name="深圳市安居置业有限公司", typed_id=USCC)
    assert not late.passed and any("有效期" in ln.text or "过期" in ln.text for ln in late.failures)
    parties.unbind_agent(db, clerk, credit_code=USCC, agent_number=AGENT_ID)
    with pytest.raises(RuleViolation) as e:
        _at_window(db, clerk, home_id, capacity=Capacity.ORG_AGENT, agent_number=AGENT_ID,
                   typed_name="深圳市安居置业有限公司", typed_id=USCC)
    assert e.value.code == "HOUSE_CHECK_NO_AGENT"


def test_two_windows_registering_one_number_at_once_register_it_once(db, clerk, supervisor):
    """The register's unique constraint is the last line of defence when both checks pass at once."""
    from concurrent.futures import ThreadPoolExecutor

    def register(actor):
        try:
            return parties.register_person(db, actor, PersonEntry(name="王建国", id_number=OWNER_ID)).id
        except RuleViolation as e:
            return e.code

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(register, [clerk, supervisor]))
    assert results.count("PERSON_ALREADY_REGISTERED") == 1
    assert _count(db, Person) == 1 and len(_audits(db)) == 1


def test_a_seller_registered_with_a_hong_kong_identity_card_passes_a_house_check(db, clerk):
    """Seed 001 §5.2.2.3: a seller whose certificate carries a 港澳居民身份证 number."""
    owner = parties.register_person(db, clerk, PersonEntry(name="陈大文", id_kind="港澳居民身份证", id_number="a1234563"))
    home_id = _home(db, ("person", owner.id))
    view = _at_window(db, clerk, home_id, typed_name="陈大文", typed_id="A123456(3)")
    assert view.passed, [ln.text for ln in view.failures]
    assert parties.find_party(db, clerk, "A1234563") == ("person", owner.id)
