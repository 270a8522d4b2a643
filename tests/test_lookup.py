"""申请人查询 on the sample data, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.identity import mask_id
from core.lookup import LookupKind, plan_lookup
from core.roles import Actor, Role
from services import lookup
from storage.models import AuditEntry, HomeOwner, OrgAgent, Organisation, Person

CLERK = Actor(None, "t-clerk", "测试", Role.CLERK, "01")


def test_plan_lookup():
    assert plan_lookup("张").kinds == (LookupKind.NAME,)
    assert plan_lookup(" smith ").text == "SMITH"
    assert plan_lookup("4403").kinds == (LookupKind.ID_NUMBER, LookupKind.CREDIT_CODE)
    assert LookupKind.PHONE in plan_lookup("１３８ ００").kinds  # full-width, spaces
    assert plan_lookup("1381234").kinds[0] is LookupKind.PHONE  # phone-shaped: phones first
    assert plan_lookup("13").empty  # too short to search numbers
    assert plan_lookup("   ").empty


def _some_person(db, **where):
    with db.read() as s:
        q = select(Person).where(Person.phone.is_not(None))
        for key, value in where.items():
            q = q.where(getattr(Person, key) == value)
        return s.execute(q.order_by(Person.id).limit(1)).scalar_one()


def test_search_by_id_prefix_name_phone(sample_db):
    p = _some_person(sample_db, region="mainland")
    by_id = lookup.search_applicants(sample_db, CLERK, p.id_number[:12])
    assert (p.id, mask_id(p.id_number)) in {(h.id, h.masked_number) for h in by_id}
    assert all(p.id_number not in h.masked_number for h in by_id)
    by_name = lookup.search_applicants(sample_db, CLERK, p.name)
    assert p.id in {h.id for h in by_name if h.kind == "person"}
    assert all(h.name.startswith(p.name) for h in by_name)
    by_phone = lookup.search_applicants(sample_db, CLERK, p.phone[:7])
    assert p.id in {h.id for h in by_phone}
    assert all(p.phone not in h.masked_phone for h in by_phone)


def test_search_by_credit_code_and_org_detail(sample_db):
    with sample_db.read() as s:
        org = s.execute(select(Organisation).order_by(Organisation.id).limit(1)).scalar_one()
        agents = s.execute(select(func.count()).select_from(OrgAgent).where(OrgAgent.organisation_id == org.id)).scalar_one()
    hits = lookup.search_applicants(sample_db, CLERK, org.credit_code[:10])
    assert ("organisation", org.id) in {(h.kind, h.id) for h in hits}
    detail = lookup.applicant_detail(sample_db, CLERK, "organisation", org.id)
    assert detail.name == org.name and len(detail.agents) == agents >= 1
    assert all(a.valid_from <= a.valid_to for a in detail.agents)


def test_person_detail_shows_homes_with_shares(sample_db):
    with sample_db.read() as s:
        owner_id, share = s.execute(
            select(HomeOwner.person_id, HomeOwner.share).where(HomeOwner.person_id.is_not(None), HomeOwner.share < 100).limit(1)
        ).one()
    detail = lookup.applicant_detail(sample_db, CLERK, "person", owner_id)
    assert share in {h.share for h in detail.homes}
    assert detail.identities[0].note == "主证件"
    assert all(len(i.masked_number) > 0 for i in detail.identities)


def test_blacklisted_and_minor_warnings(sample_db):
    black = _some_person(sample_db, blacklisted=True)
    assert any("黑名单" in w for w in lookup.applicant_detail(sample_db, CLERK, "person", black.id).warnings)
    assert "黑名单" in next(h for h in lookup.search_applicants(sample_db, CLERK, black.name) if h.id == black.id).flags
    with sample_db.read() as s:
        minor = s.execute(select(Person).where(Person.capacity == "limited").limit(1)).scalar_one()
    detail = lookup.applicant_detail(sample_db, CLERK, "person", minor.id)
    assert any("未成年人" in w for w in detail.warnings)


def test_reveal_is_audited_and_masked_in_the_log(sample_db):
    p = _some_person(sample_db)
    assert lookup.reveal_number(sample_db, CLERK, "person", p.id) == p.id_number
    with sample_db.read() as s:
        row = s.execute(select(AuditEntry).where(AuditEntry.action == "reveal_identity")).scalar_one()
    assert row.object_id == str(p.id) and row.operator == "t-clerk"
    assert p.id_number not in (row.after or "")


def test_empty_and_unmatched_queries(sample_db):
    assert lookup.search_applicants(sample_db, CLERK, "") == []
    assert lookup.search_applicants(sample_db, CLERK, "9") == []
    assert lookup.search_applicants(sample_db, CLERK, "不存在的名字乙乙") == []


def test_lookup_needs_login(sample_db):
    with pytest.raises(RuleViolation) as err:
        lookup.search_applicants(sample_db, None, "张")
    assert err.value.code == "AUTH_REQUIRED"
