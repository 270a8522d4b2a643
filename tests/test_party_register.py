"""A contract party whose document the register holds carries the registered name
(core.resale.contracts.register_name_refusals, services.resale.contracts) — on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from core.identity import IdKind, Region, make_resident_id, mask_name, parse_identity
from core.resale import contracts as c
from services.resale import contracts as svc
from storage.models import Contract, Person
from tests.contract_fixtures import clerk, clock  # noqa: F401 (fixtures)
from tests.contract_support import BUYER_PHONE, buyer, filled_form, passed_check

# ---------------------------------------------------------------- the rule, pure


def _party(name: str, number: str, kind: str = "resident_id", path: str = "buyers[0]",
           nationality: str | None = None) -> c.PartyIdentity:
    return c.PartyIdentity(path, "买受人", name, kind, number, nationality)


_ID18 = make_resident_id(random.Random(11), birth_date=date(1962, 5, 17))
_ID15 = _ID18[:6] + _ID18[8:17]


def test_a_registered_document_must_carry_its_registered_name() -> None:
    register = (c.RegisteredPerson("resident_id", _ID18, "王欣然"),)
    [refusal] = c.register_name_refusals((_party("王小明", _ID18),), register)
    assert (refusal.code, refusal.field) == ("PARTY_NAME_MISMATCH", "buyers[0].name")
    assert refusal.message == "买受人姓名与该证件号码在登记簿中记载的姓名（王**）不一致，请按证件核对姓名和证件号码。"
    assert "欣然" not in refusal.message
    assert c.register_name_refusals((_party("王欣然", _ID18),), register) == []
    assert c.register_name_refusals((_party("王 欣然", _ID18),), register) == []  # the same written name


def test_a_resident_id_is_found_in_either_form_and_x_in_either_case() -> None:
    assert c.register_name_refusals((_party("王小明", _ID15),), (c.RegisteredPerson("resident_id", _ID18, "王欣然"),))
    assert c.register_name_refusals((_party("王小明", _ID18),), (c.RegisteredPerson("resident_id_15", _ID15, "王欣然"),))
    x_id = next(n for n in (make_resident_id(random.Random(s)) for s in range(300)) if n.endswith("X"))
    assert c.register_name_refusals((_party("王小明", x_id.lower()),), (c.RegisteredPerson("resident_id", x_id, "王欣然"),))


def test_someone_the_register_does_not_know_is_accepted() -> None:
    register = (c.RegisteredPerson("resident_id", _ID18, "王欣然"),)
    other = make_resident_id(random.Random(12), birth_date=date(1990, 1, 1))
    assert c.register_name_refusals((_party("王小明", other),), register) == []
    # another kind of document with the same number is another document
    assert c.register_name_refusals((_party("王小明", "E12345678", "passport"),),
                                    (c.RegisteredPerson("hk_macao_permit", "E12345678", "陈大文"),)) == []
    # a passport number of another country is another person's
    register = (c.RegisteredPerson("passport", "E12345678", "SMITH JOHN", "GBR"),)
    assert c.register_name_refusals((_party("Miller Anna", "E12345678", "passport", nationality="USA"),), register) == []
    assert c.register_name_refusals((_party("Miller Anna", "E12345678", "passport", nationality="GBR"),), register)
    assert c.register_name_refusals((_party("smith john", "E12345678", "passport", nationality="GBR"),), register) == []


def test_a_number_the_register_holds_for_two_names_shows_neither() -> None:
    register = (c.RegisteredPerson("hk_macao_permit", "H12345678", "陈大文"),
                c.RegisteredPerson("hk_macao_permit", "H12345678", "李小龙"))
    [refusal] = c.register_name_refusals((_party("王小明", "H12345678", "hk_macao_permit"),), register)
    assert "陈" not in refusal.message and "李" not in refusal.message and "（" not in refusal.message
    assert c.register_name_refusals((_party("李小龙", "H12345678", "hk_macao_permit"),), register) == []


def test_guardians_and_agents_are_parties_too() -> None:
    guardian = c.GuardianLine("李大", "mainland", "resident_id", _ID18)
    minor = c.BuyerLine("person", "李小", "mainland", "resident_id",
                        make_resident_id(random.Random(3), birth_date=date(2016, 2, 2)), phone="13900139000",
                        guardian=guardian)
    seller = c.SellerLine(name="张三", region="mainland", id_kind="resident_id",
                          id_number=make_resident_id(random.Random(1), birth_date=date(1970, 1, 1)),
                          registered_share="100", transferred_share="100", phone="13800138000",
                          agent=c.AgentLine("赵五", "mainland", "resident_id", _ID18))
    draft = c.validate_draft(c.ContractDraft(
        house_id="H1", sellers=(seller,), buyers=(minor,), co_ownership="sole", price="100",
        payment_method="lump_sum", fund_supervised=False), today=date(2026, 11, 21))
    parties = c.party_identities(draft)
    assert [(p.path, p.role) for p in parties] == [
        ("sellers[0].agent", "代理人"), ("buyers[0]", "买受人"), ("buyers[0].guardian", "监护人")]
    refusals = c.register_name_refusals(parties, (c.RegisteredPerson("resident_id", _ID18, "王欣然"),))
    assert [(r.field, r.message[:3]) for r in refusals] == [
        ("sellers[0].agent.name", "代理人"), ("buyers[0].guardian.name", "监护人")]


# ---------------------------------------------------------------- the service, on the sample register


def _registered(db, *, kind: str = "resident_id", exclude: set[int] = frozenset()) -> Person:
    """An adult mainland person of the register."""
    with db.read() as s:
        rows = s.execute(select(Person).where(Person.id_kind == kind, Person.region == "mainland",
                                              Person.capacity == "full", Person.birth_date < date(2000, 1, 1))
                         .order_by(Person.id)).scalars().all()
    for p in rows:
        if p.id not in exclude:
            return p
    pytest.skip(f"the sample register holds no adult mainland person with a {kind}")


def _seller_ids(db, new: svc.NewContract) -> set[int]:
    numbers = [s.id_number for s in new.form.sellers]
    with db.read() as s:
        return set(s.execute(select(Person.id).where(Person.id_number.in_(numbers))).scalars())


def _contracts(db) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(Contract)).scalar_one()


def test_a_buyer_under_someone_elses_registered_id_is_refused_and_nothing_saved(sample_db, clerk, clock):
    """The reported case: a buyer saved under the ID number the register holds for another name."""
    check = passed_check(sample_db, clerk)
    new = svc.new_contract_form(sample_db, clerk, check.id)
    person = _registered(sample_db, exclude=_seller_ids(sample_db, new))
    before = _contracts(sample_db)
    impostor = replace(buyer(), name="王小明", id_number=person.id_number)
    with pytest.raises(c.DraftInvalid) as e:
        svc.create_draft(sample_db, clerk, check.id, filled_form(new, buyers=(impostor,)))
    [refusal] = e.value.errors
    assert (refusal.code, refusal.field) == ("PARTY_NAME_MISMATCH", "buyers[0].name")
    assert person.name not in refusal.message and mask_name(person.name) in refusal.message
    assert _contracts(sample_db) == before
    # the emoji name of the report is not a name at all
    with pytest.raises(c.DraftInvalid) as e:
        svc.create_draft(sample_db, clerk, check.id,
                         filled_form(new, buyers=(replace(impostor, name="王\U0001f600小明"),)))
    assert [(x.code, x.field) for x in e.value.errors] == [("NAME_BAD_CHARACTERS", "buyers[0].name")]
    # typed as registered (any case of x, any spacing), the buyer is saved
    view = svc.create_draft(sample_db, clerk, check.id, filled_form(
        new, buyers=(replace(impostor, name=f" {person.name} ", id_number=person.id_number.lower()),)))
    assert view.draft.buyers[0].name == person.name


def test_a_first_generation_id_is_the_same_document_as_its_upgrade(sample_db, clerk, clock):
    person = _registered(sample_db, kind="resident_id_15")
    number18 = parse_identity(person.id_number, IdKind.RESIDENT_ID, today=date(2026, 11, 21)).upgraded
    check = passed_check(sample_db, clerk)
    new = svc.new_contract_form(sample_db, clerk, check.id)
    line = c.BuyerLine(kind="person", name=person.name[0] + "某某", region=Region.MAINLAND,
                       id_kind=IdKind.RESIDENT_ID, id_number=number18, phone=BUYER_PHONE)
    with pytest.raises(c.DraftInvalid) as e:
        svc.create_draft(sample_db, clerk, check.id, filled_form(new, buyers=(line,)))
    assert [(x.code, x.field) for x in e.value.errors] == [("PARTY_NAME_MISMATCH", "buyers[0].name")]
    view = svc.create_draft(sample_db, clerk, check.id, filled_form(new, buyers=(replace(line, name=person.name),)))
    assert view.draft.buyers[0].id_number == number18


def test_a_hong_kong_agent_of_the_register_must_carry_its_name(sample_db, clerk, clock):
    """Any kind of document the register holds names its holder (here a 回乡证); a draft's update is checked alike."""
    with sample_db.read() as s:
        person = s.execute(select(Person).where(Person.id_kind == "hk_macao_permit", Person.region == "hong_kong",
                                                Person.capacity == "full").order_by(Person.id)).scalars().first()
    if person is None:
        pytest.skip("the sample register holds no Hong Kong resident")
    check = passed_check(sample_db, clerk)
    new = svc.new_contract_form(sample_db, clerk, check.id)
    view = svc.create_draft(sample_db, clerk, check.id, filled_form(new))
    agent = c.AgentLine(name="陈某某", region=Region.HONG_KONG, id_kind=IdKind.HK_MACAO_PERMIT,
                        id_number=person.id_number)
    form = filled_form(new, buyers=(replace(buyer(), agent=agent),))
    errors = _refusals(lambda: svc.update_draft(sample_db, clerk, view.id, form, expected_version=view.version))
    assert errors == [("PARTY_NAME_MISMATCH", "buyers[0].agent.name")]


def test_an_agent_with_a_registered_resident_id_must_carry_its_name(sample_db, clerk, clock):
    check = passed_check(sample_db, clerk)
    new = svc.new_contract_form(sample_db, clerk, check.id)
    person = _registered(sample_db, exclude=_seller_ids(sample_db, new))
    view = svc.create_draft(sample_db, clerk, check.id, filled_form(new))
    agent = c.AgentLine(name=person.name + "某", region=Region.MAINLAND, id_kind=IdKind.RESIDENT_ID,
                        id_number=person.id_number)
    form = filled_form(new, buyers=(replace(buyer(), agent=agent),))
    errors = _refusals(lambda: svc.update_draft(sample_db, clerk, view.id, form, expected_version=view.version))
    assert errors == [("PARTY_NAME_MISMATCH", "buyers[0].agent.name")]
    saved = svc.update_draft(sample_db, clerk, view.id,
                             filled_form(new, buyers=(replace(buyer(), agent=replace(agent, name=person.name)),)),
                             expected_version=view.version)
    assert saved.version == view.version + 1


def _refusals(call) -> list[tuple[str, str | None]]:
    with pytest.raises(c.DraftInvalid) as e:
        call()
    return [(x.code, x.field) for x in e.value.errors]
