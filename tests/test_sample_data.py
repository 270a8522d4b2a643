"""The committed sample data: realistic, consistent, loadable (with its selection
rounds played through the services by data.init); and the synthetic generator."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.allocation.selection import FamilyInput, RoundInput, resolve
from core.errors import RuleViolation
from core.allocation.housing import LAYOUTS, ORIENTATIONS
from core.identity import IdKind, Region, parse_credit_code, parse_identity, parse_mobile
from core.passwords import check_password_policy, verify_password
from core.roles import Actor
from services import audit
from services.presale.unit_sales import contract_money
from services.allocation import rounds
from demo.loader import load_demo
from storage.engine import Database
from storage.models import (
    AllocationRound,
    AuditEntry,
    Family,
    FamilyMember,
    Home,
    HomeOwner,
    Operator,
    Organisation,
    Person,
    PublicHouse,
    RoundFamily,
    SupplementaryApplication,
    Wish,
)
from demo.sample import DEFAULT_DIRECTORY, demo_logins, generate_synthetic, load_sample, read_sample
from demo.sample_gen import (
    ELIGIBLE_LAYOUTS_BY_SIZE,
    FILES,
    REFERENCE_DAY,
    SYNTHETIC_PHONE_PREFIXES,
    age_on,
    generate,
)
from tests.conftest import BACKENDS, SAMPLE_LOADED_AT, _fresh, at

#: The round of the demo's own day (demo.loader._play_today_round): its families and houses.
TODAY_FAMILIES, TODAY_HOUSES = 12, 10

SYSTEM = Actor.system("test")

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


@pytest.fixture(scope="module", params=BACKENDS)
def loaded_db(request, _templates, tmp_path_factory) -> Database:
    """A migrated hall per backend with the sample register loaded, for the module."""
    databases = _fresh(request.param, False, _templates, tmp_path_factory.mktemp("sample"))
    db = next(databases)
    with db.write() as session:
        counts = load_sample(session)
    db.load_counts = counts  # type: ignore[attr-defined]
    yield db
    next(databases, None)  # the rest of the fixture: dispose of the handle, drop the PostgreSQL database


# -- the generator ----------------------------------------------------------


def test_committed_files_are_what_the_generator_writes(data):
    # Regenerate with `python -m demo.sample_gen sample_data/` after changing the generator.
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
    assert len(families) == 500
    assert [f["key"] for f in families] == [f"F{i:03d}" for i in range(1, 501)]
    assert sorted(f["rank"] for f in families) == list(range(1, len(families) + 1))
    assert {"waiting", "allocated", "not_allocated", "gave_up"} == {f["status"] for f in families}
    assert {f["size"] for f in families} == {1, 2, 3, 4, 5}
    for f in families:
        assert f["eligible_layouts"] == ELIGIBLE_LAYOUTS_BY_SIZE[min(f["size"], 5)]
        assert set(f["eligible_layouts"].split(",")) <= set(LAYOUTS)
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
        "round_families": {"round": "rounds", "family": "families", "confirm": "public_houses",
                           "result_house": "public_houses"},
        "supplementary_applications": {"family": "families", "from_round": "rounds"},
    }
    for name in ("public_houses", "rounds"):
        keys[name] = {r["key"] for r in data[name]}
        assert len(keys[name]) == len(data[name])
    for file, fields in refs.items():
        for row in data[file]:
            for field, target in fields.items():
                if row[field] is not None:
                    assert row[field] in keys[target], (file, row)
    for row in data["round_families"]:
        assert set(row["pre"]) | set(row["formal"]) <= keys["public_houses"], row
    assert {h["key"] for h in data["homes"]} == {r["home"] for r in data["home_owners"]}


# -- public-rental allocation: pool, rounds, lists ---------------------------------


def _day_of(text: str) -> date:
    return datetime.fromisoformat(text).date()


def test_the_public_house_pool(data):
    pool = data["public_houses"]
    assert len(pool) >= 300
    assert len({h["code"] for h in pool}) == len(pool)
    assert len({(h["project"], h["building"], h["unit"], h["room"]) for h in pool}) == len(pool)
    projects = Counter(h["project"] for h in pool)
    assert 3 <= len(projects) <= 4 and all(n >= 60 for n in projects.values())
    # buildings do not repeat across projects: the status board (building, floor, room) keeps projects apart
    assert len({h["building"] for h in pool}) == len({(h["project"], h["building"]) for h in pool})
    assert set(Counter(h["layout"] for h in pool)) == set(LAYOUTS)
    assert Counter(h["state"] for h in pool).keys() == {"free", "reserved"}
    for h in pool:
        assert h["orientation"] in ORIENTATIONS
        assert re.fullmatch(r"\d+\.\d\d", h["area"]) and re.fullmatch(r"\d+\.\d\d", h["monthly_rent"])
        assert 25 <= Decimal(h["area"]) <= 95
        assert 10 <= Decimal(h["monthly_rent"]) / Decimal(h["area"]) <= 40  # 元 per m² a month
        assert h["room"].startswith(str(h["floor"])) and len(h["code"]) <= 24
    by_layout = defaultdict(list)
    for h in pool:
        by_layout[h["layout"]].append(Decimal(h["area"]))
    assert max(by_layout["studio"]) < min(by_layout["2b"]) and max(by_layout["1b"]) < min(by_layout["3b"])


def test_three_rounds_with_families_in_rank_order(data):
    rounds_ = data["rounds"]
    assert [r["number"] for r in rounds_] == [1, 2, 3]
    ranks = {f["key"]: f["rank"] for f in data["families"]}
    members: dict[str, list[str]] = defaultdict(list)
    for row in data["round_families"]:
        members[row["round"]].append(row["family"])
    assert sorted(f for fs in members.values() for f in fs) == sorted(ranks)  # each family in one round
    last = 0
    for r in rounds_:
        times = [datetime.fromisoformat(r[k]) for k in ("pre_open", "pre_close", "formal_open", "formal_close")]
        assert all(t.tzinfo is not None for t in times)
        assert times[0] < times[1] <= times[2] < times[3]
        got = [ranks[f] for f in members[r["key"]]]
        assert got == list(range(last + 1, last + len(got) + 1))  # rank order, the next block of ranks
        last = got[-1]
    past, open_ = rounds_[:2], rounds_[2]
    for r in past:
        assert _day_of(r["formal_close"]) < DAY and r["run_at"] >= r["formal_close"]
    # round 3 is in its pre-selection on the reference day, and stays open for months
    assert _day_of(open_["pre_open"]) <= DAY < _day_of(open_["formal_open"]) and open_["run_at"] is None
    assert (_day_of(open_["formal_close"]) - DAY).days > 180


def test_wish_lists_behave_like_families(data):
    houses = {h["key"]: h for h in data["public_houses"]}
    families = {f["key"]: f for f in data["families"]}
    taken_before: set[str] = set()
    for r in data["rounds"]:
        rows = [row for row in data["round_families"] if row["round"] == r["key"]]
        listed = Counter()
        for row in rows:
            eligible = set(families[row["family"]]["eligible_layouts"].split(","))
            for kind in ("pre", "formal"):
                lst = row[kind]
                assert len(lst) == len(set(lst)), row
                for h in lst:  # only houses free when the list was made, of layouts the family may choose
                    assert houses[h]["state"] == "free" and h not in taken_before, row
                    assert houses[h]["layout"] in eligible, row
            listed.update(row["pre"])
            if row["confirm"]:
                assert row["confirm"] in row["formal"] and r["formal_open"] <= row["confirmed_at"] <= r["formal_close"]
            if row["gave_up_at"]:
                assert row["gave_up_reason"] and row["gave_up_at"] <= r["formal_close"]
        assert sum(bool(row["pre"]) for row in rows) >= 0.85 * len(rows)
        assert listed.most_common(1)[0][1] >= 20  # popular houses are listed by many families
        assert sum(1 <= len(row["pre"]) <= 3 for row in rows) >= 5  # some lists are too short
        assert sum(row["gave_up_at"] is not None for row in rows) >= 2
        if r["run_at"]:
            assert sum(row["confirm"] is not None for row in rows) >= 20
            assert sum(not row["formal"] and not row["gave_up_at"] for row in rows) >= 3  # did not take part
            assert sum(bool(row["formal"]) and row["formal"] != row["pre"] for row in rows) >= 5  # adjusted lists
            taken_before |= {row["result_house"] for row in rows if row["result_house"]}
        else:  # in its pre-selection: no formal list, no confirm, no result yet
            assert all(not row["formal"] and not row["confirm"] and not row["result_status"] for row in rows)


def test_recorded_results_follow_the_rule(data):
    """The results round_families.json records are what core.allocation.selection.resolve gives, and
    the families' statuses follow from them (round 3 is open: waiting, or gave up)."""
    ranks = {f["key"]: f["rank"] for f in data["families"]}
    status = {f["key"]: f["status"] for f in data["families"]}
    free = [h["key"] for h in data["public_houses"] if h["state"] == "free"]
    for r in data["rounds"]:
        rows = [row for row in data["round_families"] if row["round"] == r["key"]]
        if r["run_at"] is None:
            for row in rows:
                assert status[row["family"]] == ("gave_up" if row["gave_up_at"] else "waiting")
            continue
        result = resolve(RoundInput(tuple(free), tuple(
            FamilyInput(row["family"], ranks[row["family"]], tuple(row["formal"]), row["confirm"],
                        row["gave_up_at"] is not None) for row in rows)))
        assert not result.warnings
        got = {x.family: (x.house, x.status) for x in result.results}
        for row in rows:
            assert got[row["family"]] == (row["result_house"], row["result_status"])
            expected = {"confirmed": "allocated"}.get(row["result_status"], row["result_status"])
            assert status[row["family"]] == expected
        counts = Counter(row["result_status"] for row in rows)
        assert counts["confirmed"] and counts["allocated"] and counts["not_allocated"] and counts["gave_up"]
        free = list(result.free_after)
    # the twelve best-ranked original families keep the outcome the sample always gave them
    assert Counter(status[f"F{i:03d}"] for i in range(1, 13)) == {"allocated": 5, "not_allocated": 5, "gave_up": 2}


def test_supplementary_applications(data):
    rows = {(row["round"], row["family"]): row for row in data["round_families"]}
    runs = {r["key"]: r["run_at"] for r in data["rounds"]}
    apps = data["supplementary_applications"]
    assert len(apps) >= 4 and {a["from_round"] for a in apps} == {"R1", "R2"}
    for a in apps:
        assert rows[(a["from_round"], a["family"])]["result_status"] == "not_allocated"
        assert runs[a["from_round"]] < a["applied_at"] and _day_of(a["applied_at"]) < DAY
    assert len({(a["family"], a["from_round"]) for a in apps}) == len(apps)


# -- load_demo: the whole demo, rounds played through the services --------------------
# ``sample_db`` is a copy of the run's template, which load_demo made (tests/conftest.py):
# these tests read what it left, and the counts it returned from its audit row.


def _loaded_counts(db) -> dict[str, int]:
    with db.read() as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "sample_data_loaded")).scalar_one()
    return json.loads(entry.after)


def test_init_loads_the_sample_and_plays_its_rounds(sample_db, data):
    db = sample_db
    counts = _loaded_counts(db)
    # The sample's register, plus the round of the demo's own day (12 families, 10 houses).
    assert counts["person"] == len(data["persons"]) + TODAY_FAMILIES and counts["family"] == 500 + TODAY_FAMILIES
    assert counts["public_house"] == len(data["public_houses"]) + TODAY_HOUSES >= 300
    assert counts["allocation_round"] == 4 and counts["round_family"] == 500 + TODAY_FAMILIES
    with db.read() as s:
        today_wishes = s.execute(select(func.count()).select_from(Wish).join(AllocationRound)
                                 .where(AllocationRound.number == 4)).scalar_one()
    assert counts["wish"] == sum(len(r["pre"]) + len(r["formal"]) for r in data["round_families"]) + today_wishes
    assert counts["supplementary_application"] == len(data["supplementary_applications"])

    listed = {r.number: r for r in rounds.rounds_list(db, SYSTEM)}
    assert {n: r.status for n, r in listed.items()} == {1: "published", 2: "published", 3: "open", 4: "open"}
    for number in (1, 2):
        report = rounds.verify_round(db, SYSTEM, listed[number].id)
        assert report.ok and report.run == 1, report.message
    assert rounds.verify_round(db, SYSTEM, listed[3].id).ok is False  # not run yet
    assert audit.verify(db, SYSTEM).intact

    with db.read() as s:
        code = dict(s.execute(select(PublicHouse.id, PublicHouse.code)).all())
        key_of_code = {h["code"]: h["key"] for h in data["public_houses"]}
        house_key = {hid: key_of_code[c] for hid, c in code.items() if c in key_of_code}
        applicant = dict(s.execute(
            select(Family.id, Person.id_number).join(Person, Person.id == Family.main_applicant_id)).all())
        persons = {p["key"]: p["id_number"] for p in data["persons"]}
        key_of_applicant = {persons[f["main_applicant"]]: f["key"] for f in data["families"]}
        family_key = {fid: key_of_applicant[number] for fid, number in applicant.items() if number in key_of_applicant}
        number_of = {r.id: r.number for r in s.execute(select(AllocationRound)).scalars()}
        stored = {
            (f"R{number_of[rf.round_id]}", family_key[rf.family_id]): rf
            for rf in s.execute(select(RoundFamily)).scalars() if rf.family_id in family_key
        }
        status = {family_key[f.id]: f.status for f in s.execute(select(Family)).scalars() if f.id in family_key}
        eligible = {family_key[f.id]: f.eligible_layouts for f in s.execute(select(Family)).scalars()
                    if f.id in family_key}
        lists: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        ordered = select(Wish).order_by(Wish.round_id, Wish.family_id, Wish.list_kind, Wish.position)
        for w in s.execute(ordered).scalars():
            lists[(w.round_id, w.family_id, w.list_kind)].append(house_key.get(w.house_id, ""))
        taken = Counter(s.execute(select(PublicHouse.state)).scalars())
        apps = s.execute(select(SupplementaryApplication)).scalars().all()
    # every family's result, status and lists are what the sample records
    assert {f["key"]: f["status"] for f in data["families"]} == status
    assert {f["key"]: f["eligible_layouts"] for f in data["families"]} == eligible
    for row in data["round_families"]:
        rf = stored[(row["round"], row["family"])]
        assert (house_key.get(rf.result_house_id), rf.result_status) == (row["result_house"], row["result_status"]), row
        assert house_key.get(rf.confirm_house_id) == row["confirm"]
        assert rf.gave_up == (row["gave_up_at"] is not None)
        for kind in ("pre", "formal"):
            assert lists.get((rf.round_id, rf.family_id, kind), []) == row[kind]
    allocated = sum(1 for row in data["round_families"] if row["result_house"])
    assert taken == {"taken": allocated, "reserved": 6,
                     "free": len(data["public_houses"]) - allocated - 6 + TODAY_HOUSES}
    assert len(apps) == len(data["supplementary_applications"]) and {a.status for a in apps} == {"applied"}


def test_the_demo_holds_a_round_ready_to_run_on_its_own_day(sample_db):
    """Issue 12 item 5: a round set up through the setup services, relative to the moment the
    demo is made, whose formal selection has closed: on that day it runs (F5 / round run)."""
    from datetime import timedelta

    db = sample_db
    [today] = [r for r in rounds.rounds_list(at(db, SAMPLE_LOADED_AT), SYSTEM) if r.number == 4]
    assert (today.status, today.phase, today.families) == ("open", "待运行", TODAY_FAMILIES)
    assert today.formal_close == SAMPLE_LOADED_AT - timedelta(minutes=30)
    detail = rounds.round_detail(db, SYSTEM, today.id)
    assert detail.case_number and detail.confirmed == 1
    with db.read() as s:
        actions = set(s.execute(select(AuditEntry.action).where(AuditEntry.object_type == "allocation_round",
                                                                AuditEntry.object_id == str(today.id))).scalars())
    assert {"round_create", "round_import_families", "round_import_houses", "round_publish"} <= actions
    report = rounds.run_round(at(db, SAMPLE_LOADED_AT + timedelta(hours=2)), SYSTEM, today.id)
    counts = report.counts()
    assert report.families == TODAY_FAMILIES and counts["confirmed"] == 1 and counts["allocated"] >= 4
    assert counts["not_allocated"] >= 4  # the four families that never took part, at least


def test_init_makes_resale_contracts_in_every_state_through_the_services(sample_db):
    """Issue item 12: the demo's contracts in the three cities, made by the contract services."""
    from services.resale import contracts

    db = sample_db
    counts = _loaded_counts(db)
    rows = contracts.find_contracts(db, SYSTEM)
    by_status = Counter(r.status for r in rows)
    # filed: Shenzhen's after review, Zhongshan's two at signing, Wuhan's at its transfer registration
    assert by_status["draft"] == 1 and by_status["filed"] == 4 and by_status["signed"] == 1
    assert by_status["cancelled"] == counts["contract_cancelled"] == 1
    assert counts["contract"] == len(rows)
    assert {r.number[0] for r in rows} == {"S", "Z", "W"}  # 深圳, 中山, 武汉
    assert all(r.filing_number for r in rows if r.status == "filed")
    changed = [contracts.get_contract(db, SYSTEM, r.id) for r in rows if r.status in ("signed", "filed")]
    assert sum(1 for v in changed if v.changes) == 1
    draft = next(r for r in rows if r.status == "draft")
    view = contracts.get_contract(db, SYSTEM, draft.id)
    assert view.expires_at is not None and view.expires_at > view.created_at  # lives 24 h from loading
    with db.read() as s:
        actions = Counter(s.execute(select(AuditEntry.action)).scalars())
    assert actions["contract_sign"] == 5 and actions["filing_approve"] == 4 and actions["contract_change"] == 1
    assert actions["filing_material"] == 1  # Shenzhen's 承诺书
    assert actions["house_check"] == len(rows)
    assert audit.verify(db, SYSTEM).intact


def test_init_makes_a_presale_in_every_state_through_the_services(sample_db, monkeypatch):
    """Issue 13 item 12: a developer with its people, a project with its 四证, a predicted and an
    actual building, rooms, a fund agreement, the permits and presale contracts in each state —
    all made by the presale services (audited), and ``wangqian audit verify`` passes."""
    from typer.testing import CliRunner

    from core.presale.sale import SaleState
    from demo import presale
    from services import cases, operators
    from services.presale import board, contracts, ledger, mortgages, projects, users
    from storage.models import Case, Developer, FundAgreement, PresaleContract, SalePermit
    from tui.cli.main import app

    db = sample_db
    counts = _loaded_counts(db)
    assert counts["operator"] == len(demo_logins())  # the hall's staff, the developer's people, the reviewers
    assert counts["presale_building"] == 2 and counts["presale_unit"] == 204
    with db.read() as s:
        developer = s.execute(select(Developer).where(Developer.credit_code == presale.CREDIT_CODE)).scalar_one()
        people = {op.username: op for op in s.execute(select(Operator).where(Operator.developer_id == developer.id))
                  .scalars()}
        bank = s.execute(select(Operator).where(Operator.role == "bank_reviewer")).scalar_one()
    assert {u: (op.role, op.admission) for u, op in people.items()} == {
        "xjadmin": ("developer_admin", "approved"), "xj01": ("developer", "approved"),
        "xj02": ("developer", "approved")}
    assert bank.username == "bank01" and bank.bank_name == presale.BANK
    with db.read() as s:
        centre = s.execute(select(Operator).where(Operator.role == "centre_reviewer")).scalar_one()
    assert centre.username == "gjj01" and centre.bank_name == presale.CENTRE
    assert [u.admission for u in users.list_users(db, SYSTEM, presale.CREDIT_CODE)].count("approved") == 3
    # the project, its four certificates and its two buildings
    [project] = projects.list_projects(db, SYSTEM, presale.CREDIT_CODE)
    view = projects.show_project(db, SYSTEM, project.id)
    assert not view.missing and len(view.certificates) == 4 and len(view.buildings) == 2
    sheets = {b: board.board(db, SYSTEM, project.id, b) for b in (presale.PREDICTED, presale.ACTUAL)}
    assert (sheets[presale.PREDICTED].survey_kind_label, sheets[presale.ACTUAL].survey_kind_label) == ("预测", "实测")
    assert sheets[presale.PREDICTED].board.units == 102 and sheets[presale.ACTUAL].board.units == 102
    assert [k for k, _ in sheets[presale.PREDICTED].permits] == ["预售许可证"]
    assert [k for k, _ in sheets[presale.ACTUAL].permits] == ["现售许可证"]
    totals = {b: {t.state: t.units for t in v.board.totals} for b, v in sheets.items()}
    assert totals[presale.PREDICTED][SaleState.PROPERTY_ROOM] == 2 and totals[presale.ACTUAL][SaleState.PROPERTY_ROOM] == 1
    # 签约中: the draft, the one awaiting payment, the one awaiting the seal; 已签约: with the bank,
    # the two with the fund centre
    assert (totals[presale.PREDICTED][SaleState.SIGNING], totals[presale.PREDICTED][SaleState.SIGNED],
            totals[presale.PREDICTED][SaleState.FILED]) == (3, 3, 1)
    assert totals[presale.ACTUAL][SaleState.FILED] == 1
    # the fund agreement in force, the permits issued
    with db.read() as s:
        assert s.execute(select(FundAgreement.status)).scalars().all() == ["current"]
        assert sorted(s.execute(select(SalePermit.kind).where(SalePermit.current_key.is_not(None))).scalars()) == [
            "presale", "spot"]
        stages = dict(s.execute(select(PresaleContract.unit_no, Case.stage)
                                .join(Case, Case.id == PresaleContract.case_id)).all())
        units = dict(s.execute(select(PresaleContract.id, PresaleContract.unit_no)).all())
        money = contract_money(s, list(units))
        paid = {unit: money[contract_id].paid for contract_id, unit in units.items()}  # the ledger's figure
    plan = {state: unit for state, unit, *_ in presale.PLAN}
    assert stages[plan["draft"]] == "entry" and not paid[plan["draft"]]
    assert stages[plan["awaiting_payment"]] == "entry" and paid[plan["awaiting_payment"]] > 0
    assert stages[plan["bank_review"]] == "bank_review"
    # the provident-fund loan and the combined loan wait for the fund centre's reviewer (gjj01)
    assert stages[plan["fund_review"]] == stages[plan["combined_review"]] == "fund_review"
    gjj = operators.login(db, "gjj01", "Demo2026gjj01")
    waiting = {r.number for r in cases.in_hand(db, gjj)}
    assert {contracts.show_contract(db, gjj, n).unit_no for n in waiting} == {plan["fund_review"],
                                                                               plan["combined_review"]}
    assert stages[plan["signed"]] == "sealing"  # the buyer confirmed; the developer's seal awaited
    rows = {r.unit_no: r for r in contracts.list_contracts(db, SYSTEM)}
    assert rows[plan["filed"]].status_label == rows[presale.SPOT_UNIT].status_label == "已备案"
    assert rows[plan["filed"]].filing_number.startswith("YSBA") and rows[presale.SPOT_UNIT].filing_number.startswith(
        "XSBA")
    assert {k: v for k, v in counts.items() if k.startswith("presale_contract_")} == {
        "presale_contract_filed": 1, "presale_contract_bank_review": 1, "presale_contract_signed": 1,
        "presale_contract_fund_review": 1, "presale_contract_combined_review": 1,
        "presale_contract_awaiting_payment": 1, "presale_contract_draft": 1, "presale_contract_spot_filed": 1,
        "presale_contract_returned": 1}
    # the returned contract: half refunded (archived), half still due; its unit sellable again
    assert rows[presale.RETURNED_UNIT].status_label == "已退房"
    returned = ledger.ledger(db, SYSTEM, rows[presale.RETURNED_UNIT].number)
    assert returned.refunded > 0 and returned.refund_due == returned.received - returned.refunded > 0
    assert [(e.kind_label, e.status_label) for e in returned.entries] == [("入账", "已入账"), ("退款", "已入账")]
    # the one awaiting payment: its second half back-entered, waiting for the authority's review
    waiting = ledger.ledger(db, SYSTEM, rows[plan["awaiting_payment"]].number)
    assert [e.status_label for e in waiting.entries] == ["已入账", "待审核"] and waiting.pending > 0
    # a works-in-progress mortgage on 1栋's floors 16 and 17, signing authorised on one unit
    [mortgage] = mortgages.list_mortgages(db, SYSTEM, project.id, presale.PREDICTED)
    assert mortgage.bank_name == presale.LOAN_BANK and mortgage.status_label == "抵押中"
    assert sorted(u.unit_no for u in mortgage.units) == sorted(presale.MORTGAGED)
    assert [u.unit_no for u in mortgage.units if u.authorised] == [presale.MORTGAGED[0]]
    # every step audited, the chain whole — as the command line checks it
    with db.read() as s:
        actions = Counter(s.execute(select(AuditEntry.action)).scalars())
    assert actions["developer_user_admit"] == 2 and actions["survey_archive"] == 2 and actions["room_archive"] == 2
    assert actions["permit_archive"] == 2 and actions["presale_contract_start"] == 9
    assert actions["presale_return_archived"] == 1 and actions["ledger_entry_add"] == 2
    monkeypatch.setenv("WANGQIAN_DB_URL", db.engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "哈希链无断裂" in result.output, result.output


def test_init_is_all_or_nothing(db, data, tmp_path):
    """A sample whose round 2 confirm names a house round 1 took is refused at that
    step, and nothing of the sample stays behind."""
    directory = tmp_path / "sample"
    shutil.copytree(DEFAULT_DIRECTORY, directory)
    taken = next(row["result_house"] for row in data["round_families"] if row["round"] == "R1" and row["result_house"])
    rows = [dict(row) for row in data["round_families"]]
    victim = next(row for row in rows if row["round"] == "R2" and row["confirm"])
    victim["formal"] = [taken] + victim["formal"]
    victim["confirm"] = taken
    (directory / "round_families.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(RuleViolation) as refused:
        load_demo(db, SYSTEM, directory=directory)
    assert refused.value.code == "DATA_SAMPLE_FAILED" and "已全部撤销" in refused.value.message
    with db.read() as s:
        for model in (Person, Family, PublicHouse, AllocationRound, Wish):
            assert s.execute(select(func.count()).select_from(model)).scalar_one() == 0


# -- loading ----------------------------------------------------------------------


def test_demo_logins():
    logins = demo_logins()
    by_name = {login["username"]: login for login in logins}
    assert {"clerk1", "clerk2", "super1", "admin"} <= set(by_name)
    assert {login["role"] for login in logins} == {"clerk", "supervisor", "admin", "developer_admin", "developer",
                                                    "bank_reviewer", "centre_reviewer"}
    for login in logins:
        check_password_policy(login["password"])
        assert re.search(r"[\u4e00-\u9fff]", login["name"])


def test_loader_fills_a_fresh_database(loaded_db, data):
    expected = {
        "operator": "operators", "person": "persons", "person_document": "person_documents",
        "organisation": "organisations", "org_agent": "org_agents", "owner_proxy": "owner_proxies",
        "home": "homes", "home_owner": "home_owners", "family": "families", "family_member": "family_members",
        "public_house": "public_houses",
    }
    # the rounds are played on top of the register by demo.loader.load_demo
    assert set(expected.values()) | {"rounds", "round_families", "supplementary_applications"} == set(FILES)
    # the hall's own staff: a developer's people and a bank's reviewer are made by demo.presale
    hall_staff = [r for r in data["operators"] if r["role"] in ("clerk", "supervisor", "admin")]
    assert loaded_db.load_counts == {table: len(data[file]) for table, file in expected.items()} | {
        "operator": len(hall_staff)}
    with loaded_db.read() as s:
        for model, file in ((Person, "persons"), (Home, "homes"), (HomeOwner, "home_owners"),
                            (Organisation, "organisations"), (Family, "families"), (FamilyMember, "family_members"),
                            (PublicHouse, "public_houses")):
            assert s.execute(select(func.count()).select_from(model)).scalar_one() == len(data[file])
        # before its rounds are played every family of a round waits, and no house is taken
        assert set(s.execute(select(Family.status)).scalars()) == {"waiting"}
        assert set(s.execute(select(PublicHouse.state)).scalars()) == {"free", "reserved"}
        house = s.execute(select(PublicHouse).where(PublicHouse.code == data["public_houses"][0]["code"])).scalar_one()
        assert house.monthly_rent == Decimal(data["public_houses"][0]["monthly_rent"])
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
