"""Shared set-up for the resale contract tests: a fixed clock, a passed house
check in each city, a valid form, reading codes from the SMS outbox, signing."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.resale.contracts import BuyerLine, ContractDraft
from core.identity import IdKind, Region, make_resident_id
from core.clock import ManualClock
from core.roles import Actor
from core.timeutil import local_today
from services.resale import signing
from services.resale import contracts as svc
from services.resale import house_check as hc
from storage.engine import Database
from storage.models import Home, HomeOwner, Person, SmsMessage

#: 10:00 in Shanghai on the day the house checks run.
NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
DAY = date(2026, 11, 21)
BUYER_PHONE = "13912345678"
BUYER_PHONE_2 = "13712345670"


#: The tests' clocks: the handle's ManualClock (see tests.conftest.freeze).
Clock = ManualClock


def pick_home(db: Database, city: str, *, use_class: str = "residential", exclude: set[int] = frozenset()) -> tuple[Home, Person]:
    """A plain home of ``city``: one person owning it alone, nothing on the title."""
    with db.read() as s:
        homes = s.execute(
            select(Home).where(
                Home.city == city, Home.valid.is_(True), Home.restricted.is_(False), Home.seized.is_(False),
                Home.mortgaged.is_(False), Home.in_transaction.is_(False), Home.use_class_normalised.is_(True),
                Home.co_ownership == "sole", Home.use_class == use_class,
            ).order_by(Home.id)
        ).scalars().all()
        for h in homes:
            if h.id in exclude:
                continue
            owners = list(s.execute(select(HomeOwner).where(HomeOwner.home_id == h.id)).scalars())
            same_cert = s.execute(select(func.count()).select_from(Home)
                                  .where(Home.certificate_number == h.certificate_number)).scalar_one()
            if len(owners) != 1 or owners[0].person_id is None or same_cert != 1:
                continue
            p = s.get(Person, owners[0].person_id)
            if p.blacklisted or p.real_name_level < 4 or p.region != "mainland" or p.capacity != "full" or not p.phone:
                continue
            if p.birth_date is not None and p.birth_date > date(2007, 1, 1):
                continue
            return h, p
    pytest.skip(f"the sample data holds no plain home in {city}")


def passed_check(db: Database, clerk: Actor, city: str = "shenzhen", *,
                 restriction: str = "not_restricted", exclude: set[int] = frozenset()) -> hc.CheckView:
    """A passed check of a plain home of ``city``, as that city's hall runs it (on the handle's day)."""
    home, person = pick_home(db, city, exclude=exclude)
    kw: dict = {}
    if city == "zhongshan":
        kw["check_code"] = home.check_code
    if city == "wuhan":
        kw |= {"register_queried_on": local_today(db.now()), "purchase_restriction": restriction}
    view = hc.run_house_check(db, clerk, city=city, home_id=home.id,
                              party=hc.Counterparty(person.id, identity_verified=True), **kw)
    assert view.passed, [ln.text for ln in view.failures]
    return view


def buyer(name: str = "李买方", phone: str = BUYER_PHONE, *, seed: int = 7, share: str | None = None) -> BuyerLine:
    number = make_resident_id(random.Random(seed), birth_date=date(1985, 3, seed % 28 + 1))
    return BuyerLine(kind="person", name=name, region=Region.MAINLAND, id_kind=IdKind.RESIDENT_ID, id_number=number,
                     phone=phone, share=share)


def filled_form(new: svc.NewContract, **changes: object) -> ContractDraft:
    form = replace(new.form, buyers=(buyer(),), co_ownership="sole", price=Decimal(2350000),
                   payment_method="lump_sum", fund_supervised=True, supervising_bank="中国建设银行",
                   payment_terms="签约后五日内付清。")
    return replace(form, **changes) if changes else form


def latest_code(db: Database, phone: str) -> str:
    with db.read() as s:
        text = s.execute(select(SmsMessage.text).where(SmsMessage.phone == phone)
                         .order_by(SmsMessage.id.desc()).limit(1)).scalar_one()
    found = re.search(r"验证码(\d{6})", text)
    assert found, text
    return found.group(1)


def draft_contract(db: Database, clerk: Actor, city: str = "shenzhen", **form_changes: object) -> svc.ContractView:
    check = passed_check(db, clerk, city)
    new = svc.new_contract_form(db, clerk, check.id)
    return svc.create_draft(db, clerk, check.id, filled_form(new, **form_changes))


def qualify(db: Database, clerk: Actor, supervisor: Actor, view: svc.ContractView) -> None:
    if view.qualification_required:
        signing.request_qualification(db, clerk, view.id)
        signing.decide_qualification(db, supervisor, view.id, approved=True)


def confirm_all(db: Database, clerk: Actor, view: svc.ContractView, clock: Clock) -> None:
    """Every party receives and enters their code (60 s apart: one phone may serve two parties)."""
    for party in view.parties:
        signing.send_signing_code(db, clerk, view.id, party.key, expected_version=view.version)
        phone = _phone_of(db, view.id, party.key)
        signing.verify_signing_code(db, clerk, view.id, party.key, latest_code(db, phone),
                                    expected_version=view.version)
        clock.advance(seconds=61)


def _phone_of(db: Database, contract_id: int, key: str) -> str:
    from storage.models import ContractParty

    with db.read() as s:
        return s.execute(select(ContractParty.phone).where(ContractParty.contract_id == contract_id,
                                                           ContractParty.party_key == key)).scalar_one()


def signed_contract(db: Database, clerk: Actor, supervisor: Actor, clock: Clock,
                    city: str = "shenzhen", **form_changes: object) -> svc.ContractView:
    view = draft_contract(db, clerk, city, **form_changes)
    qualify(db, clerk, supervisor, view)
    confirm_all(db, clerk, view, clock)
    return signing.submit_signing(db, clerk, view.id, expected_version=view.version)


def filed_contract(db: Database, clerk: Actor, supervisor: Actor, clock: Clock,
                   city: str = "shenzhen") -> svc.ContractView:
    """A contract filed as its city files it (core.resale.filing): Shenzhen's 承诺书 recorded
    and the filing reviewed; Zhongshan's filed at signing; Wuhan's at its transfer registration."""
    from services.resale import filing

    view = signed_contract(db, clerk, supervisor, clock, city)
    if city == "zhongshan":
        return view
    if city == "wuhan":
        return filing.record_transfer_registration(db, clerk, view.id, "WHDJ202611200001")
    submit_for_review(db, clerk, view)
    return signing.approve_filing(db, supervisor, view.id)


def submit_for_review(db: Database, clerk: Actor, view: svc.ContractView) -> svc.ContractView:
    """Shenzhen: the signed 承诺书 handed back and recorded, then the contract sent for filing."""
    from services.resale import filing

    filing.record_undertaking(db, clerk, view.id)
    return signing.submit_for_filing(db, clerk, view.id)
