"""产权校验/房源核验 at the counter (services.resale.house_check) on the sample register.

Test subjects are found by querying the sample data, never by hard-coded ids.
The sample describes the register on 2026-11-21: checks run with that day.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.identity import mask_name
from core.resale.policies import PROFILES, Stage
from core.roles import Actor, Role
from core.resale.title_check import TRADITIONAL_TO_SIMPLIFIED, Capacity
from core.resale.window_party import refuse_blank_typed
from core.timeutil import SHANGHAI
from services.resale import house_check as hc
from storage.models import (
    AuditEntry,
    Home,
    HomeOwner,
    HouseCheck,
    Operator,
    OrgAgent,
    Organisation,
    OwnerProxy,
    Person,
    PersonDocument,
)
from tests.conftest import at, configure

DAY = date(2026, 11, 21)
_TO_TRADITIONAL = {s: t for t, s in TRADITIONAL_TO_SIMPLIFIED.items()}


@pytest.fixture
def clerk(sample_db):
    """The sample's demo clerk (no password hashing in the fixture)."""
    with sample_db.read() as s:
        op = s.execute(select(Operator).where(Operator.role == Role.CLERK.value).order_by(Operator.id)).scalars().first()
    return Actor(op.id, op.username, op.name, Role(op.role), op.window)


def _on(day: date) -> datetime:
    """10:00 in Shanghai on ``day``: when the test's checks run."""
    return datetime.combine(day, time(10), tzinfo=SHANGHAI)


def _find(db, clerk, **keys):
    """The lookup as the hall's city (``db.settings.city``) offers it."""
    return hc.find_home(db, clerk, city=db.settings.city, **keys)


# ---------------------------------------------------------------- picking subjects


def _owners(s, home_id):
    return list(s.execute(select(HomeOwner).where(HomeOwner.home_id == home_id)).scalars())


def _homes_on_certificate(s, cert):
    return s.execute(select(func.count()).select_from(Home).where(Home.certificate_number == cert)).scalar_one()


def _pick_home(db, city="shenzhen", *, seized=False, mortgaged=False, blacklisted=False, org=False, where=None):
    """A home with one owner (a person, or an organisation) and the given flags."""
    with db.read() as s:
        homes = s.execute(
            select(Home).where(
                Home.city == city, Home.valid.is_(True), Home.restricted.is_(False), Home.in_transaction.is_(False),
                Home.use_class_normalised.is_(True), Home.co_ownership == "sole",
                *([] if seized is None else [Home.seized.is_(seized)]),
                *([] if mortgaged is None else [Home.mortgaged.is_(mortgaged)]),
            ).order_by(Home.id)
        ).scalars().all()
        for h in homes:
            owners = _owners(s, h.id)
            if len(owners) != 1 or _homes_on_certificate(s, h.certificate_number) != 1:
                continue
            o = owners[0]
            if org:
                if o.organisation_id is None:
                    continue
                if where and not where(s, h, o):
                    continue
                return h, o
            if o.person_id is None:
                continue
            p = s.get(Person, o.person_id)
            if p.blacklisted != blacklisted or p.real_name_level < 4:
                continue
            if where and not where(s, h, p):
                continue
            return h, p
    pytest.skip("the sample data holds no such home")


def _check(db, clerk, home_id, person_id, **kw):
    capacity = kw.pop("capacity", Capacity.OWNER)
    org_id = kw.pop("organisation_id", None)
    party = hc.Counterparty(person_id, capacity, organisation_id=org_id, identity_verified=True)
    day = kw.pop("today", DAY)
    return hc.run_house_check(at(db, _on(day)), clerk, city=db.settings.city, home_id=home_id, party=party, **kw)


def _line(view, code):
    return next((ln for ln in view.lines if ln.code == code), None)


# ---------------------------------------------------------------- the hall's city


def test_the_city_is_the_callers(sample_db, clerk):
    """The city comes with each call (the hall's ``Settings.city``); a city not served is refused."""
    home, person = _pick_home(sample_db)
    party = hc.Counterparty(person.id, identity_verified=True)
    with pytest.raises(RuleViolation) as e:
        hc.run_house_check(sample_db, clerk, city="guangzhou", home_id=home.id, party=party)
    assert e.value.code == "POLICY_UNKNOWN_CITY"
    with pytest.raises(RuleViolation) as e:
        hc.find_home(sample_db, clerk, city="guangzhou", certificate_number=home.certificate_number)
    assert e.value.code == "POLICY_UNKNOWN_CITY"


# ---------------------------------------------------------------- passing checks


def test_sole_owner_passes_with_house_code_row_and_audit(sample_db, clerk):
    home, person = _pick_home(sample_db)
    hits = _find(sample_db, clerk, certificate_number=home.certificate_number.replace("(", "（"))
    assert [h.id for h in hits] == [home.id]

    view = _check(sample_db, clerk, home.id, person.id, certificate_number=home.certificate_number)
    assert view.verdict == "passed" and view.verdict_label == "校验通过"
    assert view.house_code and view.house_code.startswith("S20261121") and len(view.house_code) == 17
    assert view.code_issued_by == view.id
    assert all(ln.outcome_label == "通过" for ln in view.lines)

    # every rule of the profile's three stages either ran (a line) or says why not
    stages = {Stage.LOOKUP, Stage.TITLE, Stage.HOUSE}
    expected = {u.code for u in PROFILES["shenzhen"].rules if u.rule.stage in stages}
    assert {ln.code for ln in view.lines} | {n.code for n in view.not_run} == expected
    for code in ("LOOKUP_CERTIFICATE_FORMAT", "TITLE_OWNER_NOT_BLACKLISTED", "TITLE_NAME_EXACT",
                 "TITLE_ID_NUMBER_MATCH", "HOUSE_NOT_SEIZED", "HOUSE_SINGLE_USE_CLASS"):
        line = _line(view, code)
        assert line is not None and line.title and line.reason, code
    assert any(ln.text.startswith("[通过] 产权校验·") for ln in view.lines)

    with sample_db.read() as s:
        row = s.get(HouseCheck, view.id)
        assert (row.home_id, row.verdict, row.house_code, row.profile_ref) == (home.id, "passed", view.house_code,
                                                                               "shenzhen/1")
        assert row.operator_id == clerk.operator_id
        report = json.loads(row.report)
        assert report["house_code"] == view.house_code and report["party"]["capacity"] == "owner"
        entry = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalars().one()
        assert (entry.action, entry.object_type, entry.object_id) == ("house_check", "home", str(home.id))
        after = json.loads(entry.after)
        assert after["house_check_id"] == view.id and after["verdict"] == "passed"
        assert after["house_code"] == view.house_code


def test_same_home_same_day_keeps_one_house_code(sample_db, clerk):
    home, person = _pick_home(sample_db)
    first = _check(sample_db, clerk, home.id, person.id)
    second = _check(sample_db, clerk, home.id, person.id)
    assert second.id != first.id and second.house_code == first.house_code
    assert second.code_issued_by == first.id
    with sample_db.read() as s:
        codes = s.execute(select(HouseCheck.house_code).where(HouseCheck.home_id == home.id)
                          .order_by(HouseCheck.id)).scalars().all()
    assert codes == [first.house_code, None]
    history = hc.check_history(sample_db, clerk, home.id)
    assert [v.id for v in history] == [second.id, first.id]
    _concurrent_case(sample_db, clerk, avoid=home.id)


def _concurrent_case(sample_db, clerk, avoid):
    """Four terminals check the same home at once: one code, four recorded checks."""
    home, person = _pick_home(sample_db, where=lambda s, h, p: h.id != avoid)
    with ThreadPoolExecutor(4) as pool:
        views = list(pool.map(lambda _: _check(sample_db, clerk, home.id, person.id), range(4)))
    assert len({v.house_code for v in views}) == 1
    with sample_db.read() as s:
        rows = s.execute(select(HouseCheck).where(HouseCheck.home_id == home.id)).scalars().all()
    assert len(rows) == 4
    issued = [r for r in rows if r.house_code]
    assert len(issued) == 1 and all(v.code_issued_by == issued[0].id for v in views)


def _has_current_proxy(s, h, p):
    """The proxy registration of owner ``p`` covering DAY (a row), if any."""
    return s.execute(select(OwnerProxy).where(
        OwnerProxy.principal_id == p.id, OwnerProxy.valid_from <= DAY, OwnerProxy.valid_to >= DAY)).first()


def test_notarised_proxy_passes(sample_db, clerk):
    home, principal = _pick_home(sample_db, where=_has_current_proxy)
    with sample_db.read() as s:
        reg = s.execute(select(OwnerProxy).where(OwnerProxy.principal_id == principal.id)
                        .order_by(OwnerProxy.valid_to.desc())).scalars().first()
    view = _check(sample_db, clerk, home.id, reg.proxy_id, capacity=Capacity.PROXY)
    assert view.verdict == "passed", [ln.text for ln in view.failures]
    assert view.house_code
    assert _line(view, "TITLE_PROXY_REGISTERED").outcome == "passed"
    assert reg.notarial_certificate in _line(view, "TITLE_PROXY_NOTARISED").reason
    assert view.party["principal_id"] == principal.id and view.party["capacity"] == "proxy"

    # someone who is nobody's registered proxy for this home cannot act as one
    home2, other = _pick_home(sample_db, where=lambda s, h, p: not _has_current_proxy(s, h, p))
    with pytest.raises(RuleViolation) as e:
        _check(sample_db, clerk, home2.id, other.id, capacity=Capacity.PROXY)
    assert e.value.code == "HOUSE_CHECK_NO_PROXY"


def _agent(s, org_id, *, current):
    rows = s.execute(select(OrgAgent).where(OrgAgent.organisation_id == org_id)).scalars().all()
    for a in rows:
        in_period = a.valid_from <= DAY <= a.valid_to
        if in_period == current and "存量房" in a.scope:
            return a
    return None


def test_organisation_home_via_agent(sample_db, clerk):
    for current in (True, False):
        _agent_case(sample_db, clerk, current)


def _agent_case(sample_db, clerk, current):
    home, owner = _pick_home(sample_db, org=True, where=lambda s, h, o: _agent(s, o.organisation_id, current=current))
    with sample_db.read() as s:
        agent = _agent(s, owner.organisation_id, current=current)
        org = s.get(Organisation, owner.organisation_id)
    view = _check(sample_db, clerk, home.id, agent.person_id, capacity=Capacity.ORG_AGENT,
                  organisation_id=org.id)
    period = _line(view, "TITLE_AGENT_IN_PERIOD")
    if current:
        assert view.verdict == "passed", [ln.text for ln in view.failures]
        assert view.house_code and period.outcome == "passed"
        assert _line(view, "TITLE_AGENT_FOR_OWNER").outcome == "passed"
    else:
        assert view.verdict == "refused" and view.verdict_label == "不予通过" and view.house_code is None
        assert period.outcome == "failed" and period.outcome_label == "未通过" and "已过期" in period.reason
        # the house stage did not run after the title stage refused, and says so
        assert any(n.code == "HOUSE_NOT_SEIZED" and "未执行" in n.reason for n in view.not_run)


def test_house_states(sample_db, clerk):
    """Mortgaged (Shenzhen notice / Wuhan refusal), seized, mixed-use certificate, blacklisted owner."""
    _mortgaged_shenzhen_case(sample_db, clerk)
    _seized_case(sample_db, clerk)
    _mixed_use_case(sample_db, clerk)
    _blacklisted_case(sample_db, clerk)
    _wuhan_mortgaged_case(sample_db, clerk)


def _mortgaged_shenzhen_case(sample_db, clerk):
    home, person = _pick_home(sample_db, mortgaged=True)
    view = _check(sample_db, clerk, home.id, person.id)
    assert view.verdict == "passed" and view.house_code
    notice = _line(view, "HOUSE_MORTGAGE_NOTICE")
    assert notice.outcome == "warn" and notice.outcome_label == "提示" and "抵押" in notice.reason
    assert view.notices == (notice,)


# ---------------------------------------------------------------- refusals (recorded)


def _seized_case(sample_db, clerk):
    home, person = _pick_home(sample_db, seized=True, mortgaged=None)
    view = _check(sample_db, clerk, home.id, person.id)
    assert view.verdict == "refused" and view.house_code is None
    seized = _line(view, "HOUSE_NOT_SEIZED")
    assert seized.outcome == "failed" and "司法查封" in seized.reason
    with sample_db.read() as s:
        row = s.get(HouseCheck, view.id)
        assert row.verdict == "refused" and row.house_code is None
        assert json.loads(row.report)["verdict"] == "refused"
        entry = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalars().one()
        after = json.loads(entry.after)
        assert entry.action == "house_check" and after["verdict"] == "refused"
        assert "HOUSE_NOT_SEIZED" in after["failed"] and after["house_code"] is None


def _wuhan_mortgaged_case(sample_db, clerk):
    configure(sample_db, city="wuhan")
    home, person = _pick_home(sample_db, "wuhan", mortgaged=True)
    view = _check(sample_db, clerk, home.id, person.id, register_queried_on=DAY, purchase_restriction="restricted")
    assert view.verdict == "refused" and view.profile_ref == "wuhan/1"
    line = _line(view, "HOUSE_NOT_MORTGAGED")
    assert line.outcome == "failed" and "抵押" in line.reason
    assert [ln.code for ln in view.failures] == ["HOUSE_NOT_MORTGAGED"]
    # the same home in Shenzhen's hall is not this hall's business
    configure(sample_db, city="shenzhen")
    with pytest.raises(RuleViolation) as e:
        _check(sample_db, clerk, home.id, person.id)
    assert e.value.code == "HOUSE_CHECK_WRONG_CITY"


def _mixed_use_case(sample_db, clerk):
    with sample_db.read() as s:
        cert = s.execute(
            select(Home.certificate_number).where(Home.city == "shenzhen").group_by(Home.certificate_number)
            .having(func.count(func.distinct(Home.use_class)) > 1)
        ).scalars().first()
        homes = s.execute(select(Home).where(Home.certificate_number == cert).order_by(Home.id)).scalars().all()
        owner = _owners(s, homes[0].id)[0]
    hits = _find(sample_db, clerk, certificate_number=cert)
    assert [h.id for h in hits] == [h.id for h in homes] and len(hits) > 1
    view = _check(sample_db, clerk, homes[0].id, owner.person_id)
    assert view.verdict == "refused"
    line = _line(view, "HOUSE_SINGLE_USE_CLASS")
    assert line.outcome == "failed" and "分证" in line.reason


def _blacklisted_case(sample_db, clerk):
    home, person = _pick_home(sample_db, seized=None, mortgaged=None, blacklisted=True)
    view = _check(sample_db, clerk, home.id, person.id)
    assert view.verdict == "refused"
    assert [ln.code for ln in view.failures] == ["TITLE_OWNER_NOT_BLACKLISTED"]
    assert "黑名单" in view.failures[0].reason


def test_simplified_name_against_traditional_register(sample_db, clerk):
    home, person = _pick_home(sample_db, where=lambda s, h, p: any(c in _TO_TRADITIONAL for c in p.name))
    simplified = person.name
    traditional = "".join(_TO_TRADITIONAL.get(c, c) for c in simplified)
    with sample_db.write() as s:  # the register writes this owner's name in traditional characters
        s.get(Person, person.id).name = traditional
    view = _check(sample_db, clerk, home.id, person.id, typed_name=simplified)
    assert view.verdict == "refused"
    line = _line(view, "TITLE_NAME_EXACT")
    assert line.outcome == "failed"
    assert f"登记姓名为繁体“{mask_name(traditional)}”，与输入的简体“{simplified}”不一致" in line.reason
    assert traditional not in line.reason  # the register's name is never shown in full
    # typed as registered, it passes
    assert _check(sample_db, clerk, home.id, person.id, typed_name=traditional).verdict == "passed"
    _typed_id_case(sample_db, clerk)


def _typed_id_case(sample_db, clerk):
    home, person = _pick_home(sample_db)
    _, other = _pick_home(sample_db, where=lambda s, h, p: p.id != person.id)
    with pytest.raises(RuleViolation) as e:
        _check(sample_db, clerk, home.id, person.id, typed_id_number=other.id_number)
    assert e.value.code == "HOUSE_CHECK_NOT_OWN_DOCUMENT"
    # someone else's own document: recorded as a refusal (not the registered owner)
    view = _check(sample_db, clerk, home.id, other.id)
    assert view.verdict == "refused" and _line(view, "TITLE_OWNER_ON_CERTIFICATE").outcome == "failed"


# ---------------------------------------------------------------- typed owner names


def test_a_wrong_owner_name_never_shows_the_registered_name(sample_db, clerk):
    """Name + 不动产单元号 (Zhongshan) and the check itself: the refusal masks the register's name."""
    configure(sample_db, city="zhongshan")
    home, person = _pick_home(sample_db, "zhongshan", where=lambda s, h, p: len(p.name) >= 2)
    wrong = person.name[0] + "某某"
    with pytest.raises(RuleViolation) as e:
        _find(sample_db, clerk, owner_name=wrong, unit_number=home.unit_number)
    assert e.value.code == "HOUSE_OWNER_NAME_WRONG" and person.name not in e.value.message
    traditional = "".join(_TO_TRADITIONAL.get(c, c) for c in person.name)
    if traditional != person.name:  # typed in traditional characters: told which characters, not the name
        with pytest.raises(RuleViolation) as e:
            _find(sample_db, clerk, owner_name=traditional, unit_number=home.unit_number)
        assert e.value.code == "HOUSE_OWNER_NAME_WRONG"
        assert mask_name(person.name) in e.value.message and person.name not in e.value.message
    with pytest.raises(RuleViolation) as e:  # not a name at all
        _find(sample_db, clerk, owner_name=person.name[0] + "\U0001f600", unit_number=home.unit_number)
    assert (e.value.code, e.value.field) == ("NAME_BAD_CHARACTERS", "owner_name")
    configure(sample_db, city="shenzhen")
    home, person = _pick_home(sample_db, where=lambda s, h, p: len(p.name) >= 2)
    view = _check(sample_db, clerk, home.id, person.id, typed_name=person.name[0] + "某某")
    line = _line(view, "TITLE_NAME_EXACT")
    assert line.outcome == "failed" and person.name not in line.reason and mask_name(person.name) in line.reason


def test_a_typed_owner_name_is_checked_as_a_name_and_normalised(sample_db, clerk):
    home, person = _pick_home(sample_db)
    before = _counts(sample_db)
    for typed, code in ((person.name[0] + "\U0001f600" + person.name[1:], "NAME_BAD_CHARACTERS"),
                        (person.name + "\x1b[2J", "NAME_BAD_CHARACTERS"), ("·" + person.name, "NAME_BAD_SEPARATOR")):
        with pytest.raises(RuleViolation) as e:
            _at_window(sample_db, clerk, home.id, typed_name=typed, typed_id=person.id_number)
        assert (e.value.code, e.value.field) == (code, "typed_name")
    assert _counts(sample_db) == before  # refused input records nothing
    # typed with full-width spaces around it: the same name
    view = _at_window(sample_db, clerk, home.id, typed_name="\u3000" + person.name + " ", typed_id=person.id_number)
    assert view.passed


# ---------------------------------------------------------------- lookups


def test_zhongshan_lookup_needs_the_check_code(sample_db, clerk):
    configure(sample_db, city="zhongshan")
    home, person = _pick_home(sample_db, "zhongshan")
    cert = home.certificate_number
    with pytest.raises(RuleViolation) as e:
        _find(sample_db, clerk, certificate_number=cert)
    assert e.value.code == "HOUSE_CHECK_CODE_REQUIRED" and "校验码" in e.value.message
    wrong = "000000" if home.check_code != "000000" else "111111"
    with pytest.raises(RuleViolation) as e:
        _find(sample_db, clerk, certificate_number=cert, check_code=wrong)
    assert e.value.code == "HOUSE_CHECK_CODE_WRONG"
    hits = _find(sample_db, clerk, certificate_number=cert, check_code=home.check_code.lower())
    assert [h.id for h in hits] == [home.id]

    # name + unit number, Zhongshan's second mode
    hits = _find(sample_db, clerk, owner_name=person.name, unit_number=home.unit_number)
    assert [h.id for h in hits] == [home.id]
    with pytest.raises(RuleViolation) as e:
        _find(sample_db, clerk, owner_name=person.name + "某", unit_number=home.unit_number)
    assert e.value.code == "HOUSE_OWNER_NAME_WRONG"

    # checked without the code: refused by the lookup rule, and recorded
    view = _check(sample_db, clerk, home.id, person.id, certificate_number=cert)
    assert view.verdict == "refused" and [ln.code for ln in view.failures] == ["LOOKUP_CHECK_CODE_REQUIRED"]
    view = _check(sample_db, clerk, home.id, person.id, certificate_number=cert, check_code=home.check_code)
    assert view.verdict == "passed" and view.house_code.startswith("Z")
    view = _check(sample_db, clerk, home.id, person.id, typed_name=person.name, unit_number=home.unit_number)
    assert view.verdict == "passed" and _line(view, "LOOKUP_UNIT_NUMBER_MATCH").outcome == "passed"
    configure(sample_db, city="shenzhen")
    _lookup_refusals_case(sample_db, clerk)


def _lookup_refusals_case(sample_db, clerk):
    with pytest.raises(RuleViolation) as e:
        _find(sample_db, clerk, certificate_number="粤(2020)深圳市不动产权第9999999号")
    assert e.value.code == "HOUSE_NOT_FOUND"
    with pytest.raises(RuleViolation) as e:
        _find(sample_db, clerk, owner_name="张三", unit_number="440304005008GB00404F00030001")
    assert e.value.code == "HOUSE_LOOKUP_MODE" and "深圳市不支持" in e.value.message
    with pytest.raises(RuleViolation) as e:
        _find(sample_db, clerk)
    assert e.value.code == "HOUSE_LOOKUP_EMPTY"
    # Wuhan: the seller's own records
    configure(sample_db, city="wuhan")
    home, person = _pick_home(sample_db, "wuhan")
    hits = _find(sample_db, clerk, owner_id_number=person.id_number)
    assert home.id in [h.id for h in hits]


def test_a_typed_name_or_number_left_blank_is_refused_and_nothing_recorded(sample_db, clerk):
    home, person = _pick_home(sample_db)
    with sample_db.read() as s:
        before = s.execute(select(func.count()).select_from(HouseCheck)).scalar_one()
    for kw, code, field in ((dict(typed_name=" ", typed_id_number=person.id_number), "HOUSE_CHECK_NAME_REQUIRED",
                             "typed_name"),
                            (dict(typed_name=person.name, typed_id_number=""), "HOUSE_CHECK_ID_REQUIRED", "typed_id")):
        with pytest.raises(RuleViolation) as e:
            _check(sample_db, clerk, home.id, person.id, **kw)
        assert (e.value.code, e.value.field) == (code, field)
    with pytest.raises(RuleViolation) as e:
        refuse_blank_typed(Capacity.ORG_AGENT, "", "x")
    assert e.value.message == "请按产权证书输入权利人名称。"
    with sample_db.read() as s:
        assert s.execute(select(func.count()).select_from(HouseCheck)).scalar_one() == before


# ---------------------------------------------------------------- the party as the clerk typed it


def _at_window(db, clerk, home_id, **kw):
    """``check_at_window`` on the sample's day, the owner in person with the ID checked unless told."""
    kw = {"capacity": Capacity.OWNER, "agent_number": "", "identity_verified": True} | kw
    return hc.check_at_window(at(db, _on(DAY)), clerk, city=db.settings.city, home_id=home_id, **kw)


def _full_width(text):
    """As a Chinese input method in full-width mode types it, in groups of four."""
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)
    return "\u3000".join(wide[i:i + 4] for i in range(0, len(wide), 4))


def _counts(db):
    with db.read() as s:
        return (s.execute(select(func.count()).select_from(HouseCheck)).scalar_one(),
                s.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def _has_document(s, h, p):
    return s.execute(select(PersonDocument.id).where(PersonDocument.person_id == p.id)).first() is not None


def test_the_person_at_the_window_is_found_by_the_numbers_typed(sample_db, clerk):
    """Owner by the main document or another own one (typed any way an input method does), proxy, agent."""
    home, person = _pick_home(sample_db)
    view = _at_window(sample_db, clerk, home.id, typed_name=person.name, typed_id=person.id_number)
    assert view.passed and view.party["person_id"] == person.id and view.party["capacity"] == "owner"
    # full-width characters, ideographic spaces and lower case: the same number
    view = _at_window(sample_db, clerk, home.id, typed_name=person.name,
                      typed_id=_full_width(person.id_number.lower()) + " ")
    assert view.passed and view.party["person_id"] == person.id

    home, person = _pick_home(sample_db, where=_has_document)
    with sample_db.read() as s:
        other = s.execute(select(PersonDocument.id_number).where(PersonDocument.person_id == person.id)
                          .order_by(PersonDocument.id)).scalars().first()
    # shows another of their documents at the window; the certificate's number typed as it shows it
    view = _at_window(sample_db, clerk, home.id, agent_number=other, typed_name=person.name,
                      typed_id=person.id_number)
    assert view.passed and view.party["person_id"] == person.id, [ln.text for ln in view.failures]
    # the other document typed as the 权利人证件号码: still that person (the rules judge the document)
    view = _at_window(sample_db, clerk, home.id, typed_name=person.name, typed_id=other)
    assert view.party["person_id"] == person.id
    _proxy_and_agent_case(sample_db, clerk)


def proxy_and_agent_subjects(db):
    """A home whose owner has a current proxy (home, principal, proxy) and an organisation's
    home with a current agent (org_home, org, agent)."""
    home, principal = _pick_home(db, where=_has_current_proxy)
    org_home, owner = _pick_home(db, org=True, where=lambda s, h, o: _agent(s, o.organisation_id, current=True))
    with db.read() as s:
        proxy = s.get(Person, _has_current_proxy(s, home, principal)[0].proxy_id)
        agent = s.get(Person, _agent(s, owner.organisation_id, current=True).person_id)
        org = s.get(Organisation, owner.organisation_id)
    return (home, principal, proxy), (org_home, org, agent)


def _proxy_and_agent_case(sample_db, clerk):
    (home, principal, proxy), (org_home, org, agent) = proxy_and_agent_subjects(sample_db)
    view = _at_window(sample_db, clerk, home.id, capacity=Capacity.PROXY, agent_number=proxy.id_number,
                      typed_name=principal.name, typed_id=principal.id_number)
    assert view.passed, [ln.text for ln in view.failures]
    assert (view.party["person_id"], view.party["principal_id"]) == (proxy.id, principal.id)

    view = _at_window(sample_db, clerk, org_home.id, capacity=Capacity.ORG_AGENT, agent_number=agent.id_number,
                      typed_name=org.name, typed_id=" " + org.credit_code.lower())
    assert view.passed, [ln.text for ln in view.failures]
    assert (view.party["person_id"], view.party["organisation_id"]) == (agent.id, org.id)


def test_numbers_that_name_no_one_are_refused_at_their_box_and_nothing_recorded(sample_db, clerk):
    home, person = _pick_home(sample_db)
    org_home, owner = _pick_home(sample_db, org=True, where=lambda s, h, o: _agent(s, o.organisation_id, current=True))
    with sample_db.read() as s:
        org = s.get(Organisation, owner.organisation_id)
        agent = s.get(Person, _agent(s, owner.organisation_id, current=True).person_id)
    before = _counts(sample_db)

    def refused(home_id, **kw):
        with pytest.raises(RuleViolation) as e:
            _at_window(sample_db, clerk, home_id, **kw)
        return e.value

    nobody = "440301199001019999"
    e = refused(home.id, typed_name=person.name, typed_id=nobody)
    assert (e.code, e.field) == ("HOUSE_CHECK_PERSON_NOT_FOUND", "typed_id")
    assert e.message == "没有找到证件号码为“440301********9999”的办理人，请核对证件号码。"
    e = refused(home.id, agent_number=nobody, typed_name=person.name, typed_id=person.id_number)
    assert (e.code, e.field) == ("HOUSE_CHECK_PERSON_NOT_FOUND", "agent_id")
    # a number is matched whole: the first digits of a registered one name no one
    e = refused(home.id, typed_name=person.name, typed_id=person.id_number[:10])
    assert e.code == "HOUSE_CHECK_PERSON_NOT_FOUND"

    for capacity, label in ((Capacity.PROXY, "公证委托代理人"), (Capacity.ORG_AGENT, "机构经办人")):
        e = refused(home.id, capacity=capacity, agent_number=" \u3000", typed_name=person.name,
                    typed_id=person.id_number)
        assert (e.code, e.field) == ("HOUSE_CHECK_AGENT_ID_REQUIRED", "agent_id")
        assert e.message == f"{label}办理的，请输入办理人本人的证件号码。"

    e = refused(org_home.id, capacity=Capacity.ORG_AGENT, agent_number=agent.id_number, typed_name=org.name,
                typed_id="91440300MA5FXXXX00")
    assert (e.code, e.field) == ("HOUSE_CHECK_NO_ORGANISATION", "typed_id")
    assert e.message == "没有找到统一社会信用代码为“91440300MA5FXXXX00”的单位，请按产权证书核对。"

    # markup typed as a number is a number like any other: refused, the sentence carrying it as typed
    e = refused(org_home.id, capacity=Capacity.ORG_AGENT, agent_number=agent.id_number, typed_name=org.name,
                typed_id="[/x]")
    assert e.code == "HOUSE_CHECK_NO_ORGANISATION" and "“[/X]”" in e.message
    e = refused(home.id, agent_number="[/x]", typed_name=person.name, typed_id=person.id_number)
    assert (e.code, e.field) == ("HOUSE_CHECK_PERSON_NOT_FOUND", "agent_id") and "“[***”" in e.message
    # a control character (NUL is refused by PostgreSQL itself) names no one and is not echoed
    e = refused(home.id, agent_number=person.id_number[:6] + "\x00\x1b[2J", typed_name=person.name,
                typed_id=person.id_number)
    assert e.code == "HOUSE_CHECK_PERSON_NOT_FOUND" and "\x00" not in e.message and "\x1b" not in e.message
    assert _counts(sample_db) == before


def test_a_number_two_persons_hold_names_no_one(sample_db, clerk):
    """Numbers are unique per document kind only, and the form does not ask for the kind."""
    home, person = _pick_home(sample_db)
    _, other = _pick_home(sample_db, where=lambda s, h, p: p.id != person.id)
    with sample_db.write() as s:  # the owner's own second record of the number is still one person
        s.add(PersonDocument(person_id=person.id, id_kind="passport", id_number=person.id_number))
    view = _at_window(sample_db, clerk, home.id, typed_name=person.name, typed_id=person.id_number)
    assert view.party["person_id"] == person.id

    with sample_db.write() as s:  # someone else's document of another kind with the same number
        s.add(PersonDocument(person_id=other.id, id_kind="taiwan_permit", id_number=person.id_number))
    before = _counts(sample_db)
    with pytest.raises(RuleViolation) as e:
        _at_window(sample_db, clerk, home.id, typed_name=person.name, typed_id=person.id_number)
    assert (e.value.code, e.value.field) == ("HOUSE_CHECK_PERSON_AMBIGUOUS", "typed_id")
    assert e.value.message.startswith("该证件号码对应多人")
    assert _counts(sample_db) == before
