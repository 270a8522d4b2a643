"""The committed sample data: realistic, consistent, loadable; and the synthetic generator."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.identity import IdKind, Region, parse_credit_code, parse_identity, parse_mobile
from core.passwords import check_password_policy, verify_password
from storage import migrate
from storage.engine import Database
from storage.models import Family, FamilyMember, Home, HomeOwner, Operator, Organisation, Person
from storage.sample import demo_logins, generate_synthetic, load_sample, read_sample
from storage.sample_gen import FILES, REFERENCE_DAY, SYNTHETIC_PHONE_PREFIXES, age_on, generate

DAY = REFERENCE_DAY  # 2026-11-21: the day ages and periods are judged on


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict]]:
    return read_sample()


@pytest.fixture(scope="module")
def persons(data) -> dict[str, dict]:
    return {p["key"]: p for p in data["persons"]}


@pytest.fixture(scope="module")
def homes(data) -> dict[str, dict]:
    return {h["key"]: h for h in data["homes"]}


@pytest.fixture(scope="module")
def owners_by_home(data) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for row in data["home_owners"]:
        out[row["home"]].append(row)
    return out


def _age(p: dict) -> int:
    return age_on(date.fromisoformat(p["birth_date"]), DAY)


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory) -> Database:
    path = tmp_path_factory.mktemp("sample") / "t.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    with db.write() as session:
        counts = load_sample(session)
    db.load_counts = counts  # type: ignore[attr-defined]
    yield db
    db.dispose()


# -- the generator ----------------------------------------------------------


def test_committed_files_are_what_the_generator_writes(data):
    # Regenerate with `python -m storage.sample_gen sample_data/` after changing the generator.
    assert generate() == data


# -- persons ----------------------------------------------------------------


def test_persons_cover_every_region_and_document(data):
    people = data["persons"]
    assert len(people) >= 200
    regions = Counter(p["region"] for p in people)
    assert set(regions) == {r.value for r in Region}
    assert regions["hong_kong"] >= 8 and regions["macao"] >= 5 and regions["taiwan"] >= 5
    assert regions["foreign"] >= 8
    kinds = Counter(p["id_kind"] for p in people)
    assert kinds["resident_id_15"] >= 3
    assert kinds["foreign_pr"] >= 2
    assert {"hk_macao_permit", "taiwan_permit", "passport"} <= set(kinds)
    nationalities = {p["nationality"] for p in people if p["region"] == "foreign"}
    assert {"USA", "GBR", "JPN", "KOR"} <= nationalities
    # HK / Macao residents: H / M permits, some with a residence permit as a further document
    for p in people:
        if p["region"] in ("hong_kong", "macao"):
            assert p["id_kind"] == "hk_macao_permit"
            assert p["id_number"][0] == ("H" if p["region"] == "hong_kong" else "M")
        if p["region"] == "taiwan":
            assert p["id_kind"] == "taiwan_permit" and re.fullmatch(r"\d{8}", p["id_number"])
    permit_holders = {d["person"] for d in data["person_documents"] if d["id_kind"] == "hmt_residence_permit"}
    assert len(permit_holders) >= 3


def test_every_identity_number_parses_with_its_recorded_kind(data, persons):
    seen: set[tuple[str, str]] = set()
    for p in data["persons"]:
        facts = parse_identity(p["id_number"], p["id_kind"], nationality=p["nationality"], today=DAY)
        assert facts.kind == IdKind(p["id_kind"]), p
        assert facts.number == p["id_number"], p
        assert facts.region == Region(p["region"]), p
        if facts.birth_date is not None:
            assert facts.birth_date.isoformat() == p["birth_date"], p
        if facts.sex is not None:
            assert facts.sex == p["sex"], p
        if p["region"] == "mainland":
            assert facts.birth_date is not None and facts.sex is not None
        if p["id_kind"] in ("passport", "foreign_pr"):
            assert facts.nationality == p["nationality"], p
        assert (p["id_kind"], p["id_number"]) not in seen
        seen.add((p["id_kind"], p["id_number"]))
    for doc in data["person_documents"]:
        owner = persons[doc["person"]]
        facts = parse_identity(doc["id_number"], doc["id_kind"], nationality=owner["nationality"], today=DAY)
        assert facts.kind == IdKind(doc["id_kind"])
        if facts.birth_date is not None:
            assert facts.birth_date.isoformat() == owner["birth_date"]
            assert facts.sex == owner["sex"]
        if doc["id_kind"] == "hmt_residence_permit":
            assert facts.region == Region(owner["region"])
        assert (doc["id_kind"], doc["id_number"]) not in seen
        seen.add((doc["id_kind"], doc["id_number"]))
        assert date.fromisoformat(doc["valid_to"]) > DAY


def test_resident_ids_use_the_three_cities_region_codes(data):
    codes = [p["id_number"][:6] for p in data["persons"] if p["id_kind"] == "resident_id"]
    assert any(c.startswith("4403") for c in codes)
    assert "442000" in codes
    assert any(c.startswith("4201") for c in codes)
    assert any(not c.startswith(("4403", "4420", "4201")) for c in codes)


def test_minors_capacity_and_blacklist(data):
    people = data["persons"]
    minors = [p for p in people if _age(p) < 18]
    assert len(minors) >= 5
    assert all(p["capacity"] == "limited" for p in minors)
    assert [p for p in people if p["capacity"] == "none"]
    assert all(p["capacity"] == "full" for p in people if _age(p) >= 18 and p["capacity"] != "none")
    blacklisted = [p for p in people if p["blacklisted"]]
    assert len(blacklisted) >= 3
    assert all(p["blacklist_reason"] and re.search(r"[\u4e00-\u9fff]", p["blacklist_reason"]) for p in blacklisted)
    assert all(p["blacklist_reason"] is None for p in people if not p["blacklisted"])


def test_phones_are_valid_unique_mainland_mobiles(data):
    phones = []
    for p in data["persons"]:
        if _age(p) >= 18:
            assert p["phone"], p
        if p["phone"]:
            assert parse_mobile(p["phone"]) == p["phone"]
            assert p["phone"][:3] not in SYNTHETIC_PHONE_PREFIXES
            phones.append(p["phone"])
    assert len(phones) == len(set(phones))


def test_names_look_real(data):
    cjk = re.compile(r"[\u4e00-\u9fff]{2,4}")
    latin = re.compile(r"[A-Z]+( [A-Z]+)+")
    for p in data["persons"]:
        pattern = latin if p["region"] == "foreign" else cjk
        assert pattern.fullmatch(p["name"]), p["name"]
    names = [p["name"] for p in data["persons"]]
    assert any(n.startswith(("欧阳", "司马")) for n in names)
    assert Counter(n[0] for n in names).most_common(1)[0][0] in "王李张刘陈"
    assert any(len(n) == 2 for n in names) and any(len(n) == 3 for n in names)


# -- organisations, agents, proxies -------------------------------------------


def test_organisations_have_valid_codes_and_agents(data, persons):
    orgs = data["organisations"]
    assert len(orgs) == 10
    assert len({o["credit_code"] for o in orgs}) == 10
    for org in orgs:
        parse_credit_code(org["credit_code"])
        assert org["legal_rep_name"] and parse_mobile(org["phone"])
    agents = Counter(a["organisation"] for a in data["org_agents"])
    assert all(1 <= agents[o["key"]] <= 3 for o in orgs)
    current = [a for a in data["org_agents"] if date.fromisoformat(a["valid_to"]) >= DAY]
    expired = [a for a in data["org_agents"] if date.fromisoformat(a["valid_to"]) < DAY]
    assert current and expired
    for a in data["org_agents"]:
        agent = persons[a["person"]]
        assert _age(agent) >= 18 and agent["capacity"] == "full" and not agent["blacklisted"]
        assert a["valid_from"] < a["valid_to"]


def test_owner_proxies_are_notarised(data, persons, owners_by_home):
    owning = {row["person"] for rows in owners_by_home.values() for row in rows if row["person"]}
    assert len(data["owner_proxies"]) >= 3
    for proxy in data["owner_proxies"]:
        assert re.fullmatch(r"\(\d{4}\)\S+证字第\d+号", proxy["notarial_certificate"])
        assert proxy["principal"] in owning
        assert proxy["proxy"] != proxy["principal"]
        assert _age(persons[proxy["proxy"]]) >= 18


# -- homes and owners ---------------------------------------------------------

_CERTIFICATE = {
    "shenzhen": re.compile(r"深房地字第\d{10}号|粤\(20\d\d\)深圳市不动产权第\d{7}号"),
    "zhongshan": re.compile(r"粤\(20\d\d\)中山市不动产权第\d{7}号"),
    "wuhan": re.compile(r"鄂\(20\d\d\)武汉市(江岸|江汉|硚口|汉阳|武昌|洪山)不动产权第\d{7}号"),
}


def test_homes_across_three_cities_in_their_formats(data):
    rows = data["homes"]
    assert len(rows) == 300
    assert Counter(h["city"] for h in rows) == {"shenzhen": 120, "zhongshan": 90, "wuhan": 90}
    assert len({h["unit_number"] for h in rows}) == 300
    city_names = {"shenzhen": "深圳市", "zhongshan": "中山市", "wuhan": "武汉市"}
    for h in rows:
        assert _CERTIFICATE[h["city"]].fullmatch(h["certificate_number"]), h["certificate_number"]
        assert re.fullmatch(r"\d{12}GB\d{5}F\d{8}", h["unit_number"]), h["unit_number"]
        assert h["location"].startswith(city_names[h["city"]] + h["district"])
        assert (h["check_code"] is not None) == (h["city"] == "zhongshan")
        if h["check_code"]:
            assert re.fullmatch(r"[0-9A-Z]{6}", h["check_code"])
        assert re.fullmatch(r"\d+\.\d\d", h["floor_area"]) and re.fullmatch(r"\d+\.\d\d", h["inner_area"])
        assert Decimal(h["inner_area"]) <= Decimal(h["floor_area"])
        assert h["floor"] <= h["total_floors"]
        assert h["use_class"] in ("residential", "commercial", "office", "parking")
    shenzhen = [h["certificate_number"] for h in rows if h["city"] == "shenzhen"]
    assert any(c.startswith("深房地字") for c in shenzhen) and any(c.startswith("粤") for c in shenzhen)
    assert {"住宅", "商业", "办公", "车位"} <= {h["design_use"] for h in rows}
    assert any(not h["use_class_normalised"] for h in rows)


def test_every_status_is_present(data):
    rows = data["homes"]
    assert sum(h["valid"] and not (h["mortgaged"] or h["seized"] or h["restricted"]) for h in rows) > 200
    assert 10 <= sum(h["mortgaged"] for h in rows) <= 20
    assert 4 <= sum(h["seized"] for h in rows) <= 8
    assert 3 <= sum(h["restricted"] for h in rows) <= 7
    assert 2 <= sum(not h["valid"] for h in rows) <= 4


def test_certificates_covering_several_homes(data, owners_by_home):
    by_certificate: dict[str, list[dict]] = defaultdict(list)
    for h in data["homes"]:
        by_certificate[h["certificate_number"]].append(h)
    shared = {c: hs for c, hs in by_certificate.items() if len(hs) > 1}
    assert len(shared) >= 2
    assert all(2 <= len(hs) <= 3 for hs in shared.values())
    assert any({"residential", "commercial"} <= {h["use_class"] for h in hs} for hs in shared.values())
    for hs in shared.values():  # one certificate: the same owners on every row
        owner_sets = {frozenset((r["person"], r["organisation"]) for r in owners_by_home[h["key"]]) for h in hs}
        assert len(owner_sets) == 1


def test_co_ownership_and_shares(data, persons, owners_by_home):
    for h in data["homes"]:
        rows = owners_by_home[h["key"]]
        for r in rows:
            assert (r["person"] is None) != (r["organisation"] is None)
        if h["co_ownership"] == "sole":
            assert len(rows) == 1 and Decimal(rows[0]["share"]) == 100
        elif h["co_ownership"] == "joint":
            assert len(rows) == 2 and all(r["share"] is None for r in rows)
        else:
            assert h["co_ownership"] == "shares"
            assert 2 <= len(rows) <= 3
            assert sum(Decimal(r["share"]) for r in rows) == Decimal("100.00")
            assert all(re.fullmatch(r"\d+\.\d\d", r["share"]) for r in rows)
        people = [r["person"] for r in rows if r["person"]]
        assert len(people) == len(set(people))
    kinds = Counter(h["co_ownership"] for h in data["homes"])
    assert kinds["sole"] and kinds["joint"] and kinds["shares"]
    owner_people = [persons[r["person"]] for rs in owners_by_home.values() for r in rs if r["person"]]
    assert any(r["organisation"] for rs in owners_by_home.values() for r in rs)
    assert any(p["region"] == "hong_kong" for p in owner_people)
    assert any(p["region"] == "foreign" for p in owner_people)
    # minors own only together with adults
    minor_homes = {h for h, rs in owners_by_home.items() if any(r["person"] and _age(persons[r["person"]]) < 18 for r in rs)}
    assert minor_homes
    for h in minor_homes:
        assert any(r["person"] and _age(persons[r["person"]]) >= 18 for r in owners_by_home[h])


def test_seized_homes_include_the_blacklisted_owners(data, persons, owners_by_home):
    blacklisted = {k for k, p in persons.items() if p["blacklisted"]}
    seized_owners = {r["person"] for h in data["homes"] if h["seized"] for r in owners_by_home[h["key"]]}
    assert blacklisted <= seized_owners


# -- families -------------------------------------------------------------------


def test_public_housing_families(data, persons, owners_by_home):
    families = data["families"]
    assert 35 <= len(families) <= 45
    assert sorted(f["rank"] for f in families) == list(range(1, len(families) + 1))
    assert {"waiting", "allocated", "not_allocated", "gave_up"} == {f["status"] for f in families}
    members: dict[str, list[dict]] = defaultdict(list)
    for m in data["family_members"]:
        members[m["family"]].append(m)
        assert m["relation"] in ("本人", "配偶", "子女", "父母")
    people = [m["person"] for m in data["family_members"]]
    assert len(people) == len(set(people))  # a person is in at most one family
    for f in families:
        rows = members[f["key"]]
        assert f["size"] == len(rows)
        assert [m["person"] for m in rows if m["relation"] == "本人"] == [f["main_applicant"]]
        assert sum(m["relation"] == "配偶" for m in rows) <= 1
        assert _age(persons[f["main_applicant"]]) >= 18
    # applicants for public housing own no home
    owning = {r["person"] for rs in owners_by_home.values() for r in rs if r["person"]}
    assert not owning & set(people)


def test_family_ages_are_plausible(data, persons):
    members: dict[str, list[dict]] = defaultdict(list)
    for m in data["family_members"]:
        members[m["family"]].append(m)
    born = {k: date.fromisoformat(p["birth_date"]) for k, p in persons.items()}
    for rows in members.values():
        adults = [m["person"] for m in rows if m["relation"] in ("本人", "配偶")]
        children = sorted(born[m["person"]] for m in rows if m["relation"] == "子女")
        parents = [m["person"] for m in rows if m["relation"] == "父母"]
        for child in children:
            assert all(age_on(born[a], child) >= 20 for a in adults)
        for older, younger in zip(children, children[1:]):
            assert (younger - older).days >= 365 or younger == older  # siblings or twins
        head = next(m["person"] for m in rows if m["relation"] == "本人")
        for parent in parents:
            assert age_on(born[parent], born[head]) >= 18


def test_every_reference_resolves(data):
    keys = {name: {r["key"] for r in data[name]} for name in ("persons", "organisations", "homes", "families")}
    for name in ("persons", "organisations", "homes", "families"):
        assert len(keys[name]) == len(data[name])
    refs = {
        "person_documents": {"person": "persons"},
        "org_agents": {"organisation": "organisations", "person": "persons"},
        "owner_proxies": {"principal": "persons", "proxy": "persons"},
        "home_owners": {"home": "homes", "person": "persons", "organisation": "organisations"},
        "families": {"main_applicant": "persons"},
        "family_members": {"family": "families", "person": "persons"},
    }
    for file, fields in refs.items():
        for row in data[file]:
            for field, target in fields.items():
                if row[field] is not None:
                    assert row[field] in keys[target], (file, row)
    assert {h["key"] for h in data["homes"]} == {r["home"] for r in data["home_owners"]}


# -- loading ----------------------------------------------------------------------


def test_demo_logins():
    logins = demo_logins()
    by_name = {login["username"]: login for login in logins}
    assert {"clerk1", "clerk2", "super1", "admin"} <= set(by_name)
    assert {login["role"] for login in logins} == {"clerk", "supervisor", "admin"}
    for login in logins:
        check_password_policy(login["password"])
        assert re.search(r"[\u4e00-\u9fff]", login["name"])


def test_loader_fills_a_fresh_database(loaded_db, data):
    expected = {
        "operator": "operators", "person": "persons", "person_document": "person_documents",
        "organisation": "organisations", "org_agent": "org_agents", "owner_proxy": "owner_proxies",
        "home": "homes", "home_owner": "home_owners", "family": "families", "family_member": "family_members",
    }
    assert set(expected.values()) == set(FILES)
    assert loaded_db.load_counts == {table: len(data[file]) for table, file in expected.items()}
    with loaded_db.read() as s:
        for model, file in ((Person, "persons"), (Home, "homes"), (HomeOwner, "home_owners"),
                            (Organisation, "organisations"), (Family, "families"), (FamilyMember, "family_members")):
            assert s.execute(select(func.count()).select_from(model)).scalar_one() == len(data[file])
        clerk = s.execute(select(Operator).where(Operator.username == "clerk1")).scalar_one()
        assert clerk.window == "03" and clerk.role == "clerk"
        assert verify_password(clerk.password_hash, demo_logins()[0]["password"])
        # decimals and dates come back exact
        first = data["homes"][0]
        home = s.execute(select(Home).where(Home.unit_number == first["unit_number"])).scalar_one()
        assert home.floor_area == Decimal(first["floor_area"])
        p0 = data["persons"][0]
        person = s.execute(select(Person).where(Person.id_number == p0["id_number"])).scalar_one()
        assert person.birth_date == date.fromisoformat(p0["birth_date"])
        shares = s.execute(
            select(HomeOwner.home_id, func.sum(HomeOwner.share))
            .join(Home, Home.id == HomeOwner.home_id)
            .where(Home.co_ownership == "shares")
            .group_by(HomeOwner.home_id)
        ).all()
        assert shares and all(total == Decimal("100.00") for _home, total in shares)


def test_loader_refuses_a_register_with_persons(loaded_db):
    with pytest.raises(ValueError, match="not empty|already holds"):
        with loaded_db.write() as s:
            load_sample(s)


def test_loader_reports_a_missing_directory(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        demo_logins(tmp_path / "nowhere")


# -- synthetic persons ----------------------------------------------------------------


def test_generate_synthetic_adds_valid_unique_persons(loaded_db, data):
    before = len(data["persons"])
    calls: list[tuple[int, int]] = []
    assert generate_synthetic(loaded_db, 2000, batch=700, progress=lambda d, t: calls.append((d, t))) == 2000
    assert calls == [(700, 2000), (1400, 2000), (2000, 2000)]
    # a second run counts on from the persons already there: no collision
    assert generate_synthetic(loaded_db, 300, seed=2) == 300
    with loaded_db.read() as s:
        rows = s.execute(select(Person).where(Person.id > before)).scalars().all()
        orgs = s.execute(select(func.count()).select_from(Organisation)).scalar_one()
    assert len(rows) == 2300
    assert orgs == 10 + 2  # one organisation per 1,000 persons
    for p in rows:
        facts = parse_identity(p.id_number, p.id_kind, today=DAY)
        assert facts.kind is IdKind.RESIDENT_ID
        assert facts.birth_date == p.birth_date and facts.sex == p.sex
        assert facts.age_on(DAY) >= 18
        assert p.name and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", p.name)
    phones = [p.phone for p in rows if p.phone]
    assert len(phones) > 2000 and len(phones) == len(set(phones))
    assert all(parse_mobile(ph) == ph for ph in phones)
    sample_phones = {p["phone"] for p in data["persons"] if p["phone"]}
    assert not sample_phones & set(phones)


def test_sample_directory_default_exists():
    assert (Path(__file__).resolve().parent.parent / "sample_data" / "persons.json").is_file()
