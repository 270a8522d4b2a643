"""The demo's resale contracts, made through the real services (issue item 12).

``play_contracts`` runs inside ``demo.loader.load_demo``'s single
transaction (``steps`` is its ``storage.engine.OneTransaction``): for each city a house
check at the counter, then ``create_draft``, the buyer qualification where
the city requires it, every party's SMS code (read back from the outbox row
the service wrote, in the same session), ``submit_signing``, filing by the
supervisor, and a change of non-key items after signing. It leaves:

=========  ====================================================
深圳市      a filed contract (承诺书 recorded, reviewed); a draft
中山市      two contracts filed at signing, one of them changed afterwards; a
           cancelled draft (注销网签 before signing, seed 001 §7 case 3)
武汉市      a contract filed at its transfer registration; a signed contract
=========  ====================================================

The cancelled contract goes through ``services.resale.cancel`` (the demo
makes nothing behind the services' back). No contract is revoked (撤销网签, Wuhan): the revocation code goes to a
phone that received its signing code moments before, and the one-minute
resend limit refuses it within one loading transaction.

Time: the services stamp the loader's clock, set to the load time, so everything is made then (a
house check is valid on its own day only, and ``create_draft`` refuses an
older one). The demo draft therefore lives 24 hours after loading; then the
draft sweep deletes it (audited, its case terminated) like any other.

The work is clerk2's (王志强) with super1 (陈国华) reviewing, so clerk1's desk,
which the TUI snapshots show, holds only what the tests give it. The homes are
the last plain homes of each city (by id) and the buyers the last plain adults,
so the first ones stay free for the counter's own demonstrations and tests.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from core.identity import IdKind, Region
from core.resale.contracts import BuyerLine, ContractDraft
from core.resale.filing import FilingRoute
from core.resale.policies import profile_for
from core.roles import Actor
from core.timeutil import local_today
from services import sms
from services.resale import cancel, contracts, filing, signing
from services.resale import house_check as hc
from storage.engine import Database
from storage.models import Home, HomeOwner, Operator, Person, SmsMessage

__all__ = ["CLERK", "PLAN", "SUPERVISOR", "play_contracts"]

CLERK = "clerk2"
SUPERVISOR = "super1"

#: (city, what to leave, price, payment method, fund supervision bank or None)
PLAN: tuple[tuple[str, str, int, str, str | None], ...] = (
    ("shenzhen", "filed", 5_860_000, "mortgage", "中国建设银行深圳分行"),
    ("shenzhen", "draft", 3_200_000, "lump_sum", None),
    ("zhongshan", "signed", 1_280_000, "lump_sum", "中国工商银行中山分行"),
    ("zhongshan", "changed", 960_000, "instalments", None),
    ("zhongshan", "cancelled", 1_050_000, "lump_sum", None),
    ("wuhan", "filed", 2_150_000, "mortgage", "招商银行武汉分行"),
    ("wuhan", "signed", 1_760_000, "lump_sum", None),
)

_TERMS = {
    "lump_sum": "乙方于签约后五日内一次性付清全部房价款",
    "instalments": "乙方于签约后五日内支付房价款的百分之三十，交付房屋时付清余款",
    "mortgage": "乙方于签约后五日内支付首付款百分之三十，余款以商业贷款支付",
}


def actor_of(session: Session, username: str) -> Actor:
    """The demo operator ``username`` as an actor (as if logged in), read in ``session``."""
    from services.operators import actor_for

    return actor_for(session.execute(select(Operator).where(Operator.username == username)).scalar_one())


def _plain_adult(p: Person) -> bool:
    return (not p.blacklisted and p.real_name_level >= 4 and p.region == Region.MAINLAND.value
            and p.capacity == "full" and bool(p.phone) and p.id_kind == IdKind.RESIDENT_ID.value
            and p.birth_date is not None and p.birth_date.year <= 1995)


def plain_homes(session: Session, city: str, count: int, *, newest_first: bool = True) -> list[tuple[Home, Person]]:
    """The last (or first) ``count`` plain homes of ``city``: one plain adult owns each alone, nothing on the title."""
    homes = session.execute(
        select(Home).where(
            Home.city == city, Home.valid.is_(True), Home.restricted.is_(False), Home.seized.is_(False),
            Home.mortgaged.is_(False), Home.in_transaction.is_(False), Home.use_class_normalised.is_(True),
            Home.co_ownership == "sole", Home.use_class == "residential",
        ).order_by(Home.id.desc() if newest_first else Home.id)).scalars().all()
    out: list[tuple[Home, Person]] = []
    owners_seen: set[int] = set()
    for h in homes:
        owners = list(session.execute(select(HomeOwner).where(HomeOwner.home_id == h.id)).scalars())
        same_cert = session.execute(select(func.count()).select_from(Home)
                                    .where(Home.certificate_number == h.certificate_number)).scalar_one()
        if len(owners) != 1 or owners[0].person_id is None or same_cert != 1 or owners[0].person_id in owners_seen:
            continue
        p = session.get(Person, owners[0].person_id)
        if p is None or not _plain_adult(p):
            continue
        owners_seen.add(p.id)  # type: ignore[arg-type]
        out.append((h, p))
        if len(out) == count:
            return out
    raise RuntimeError(f"the sample holds fewer than {count} plain homes in {city}")


def plain_buyers(session: Session, count: int, exclude: set[int], *, newest_first: bool = True) -> list[Person]:
    """The last (or first) ``count`` plain adults who own no home (by id), phones all distinct."""
    owners = set(session.execute(select(HomeOwner.person_id).where(HomeOwner.person_id.is_not(None))).scalars())
    out: list[Person] = []
    phones: set[str] = set()
    for p in session.execute(select(Person).order_by(Person.id.desc() if newest_first else Person.id)).scalars():
        if p.id in owners or p.id in exclude or not _plain_adult(p) or p.phone in phones:
            continue
        out.append(p)
        phones.add(p.phone)  # type: ignore[arg-type]
        if len(out) == count:
            return out
    raise RuntimeError(f"the sample holds fewer than {count} plain adults owning no home")


def latest_code(session: Session, phone: str) -> str:
    """The code in the newest SMS to ``phone`` (the outbox row send_signing_code just wrote)."""
    text = session.execute(select(SmsMessage.text).where(SmsMessage.phone == phone)
                           .order_by(SmsMessage.id.desc()).limit(1)).scalar_one()
    found = re.search(r"验证码(\d{6})", text)
    if found is None:
        raise RuntimeError("the signing SMS carries no code")
    return found.group(1)


def _sign(steps: Database, session: Session, clerk: Actor, supervisor: Actor,
          view: contracts.ContractView) -> contracts.ContractView:
    if view.qualification_required:
        signing.request_qualification(steps, clerk, view.id)
        signing.decide_qualification(steps, supervisor, view.id, approved=True)
    for party in view.parties:
        signing.send_signing_code(steps, clerk, view.id, party.key, expected_version=view.version)
        signing.verify_signing_code(steps, clerk, view.id, party.key,
                                    latest_code(session, _party_phone(view, party.key)),
                                    expected_version=view.version)
    return signing.submit_signing(steps, clerk, view.id, expected_version=view.version)


def _party_phone(view: contracts.ContractView, key: str) -> str:
    side, index = key.split(":")
    parties = view.draft.sellers if side == "seller" else view.draft.buyers
    return parties[int(index)].phone


def play_contracts(steps: Database, session: Session, actor: Actor) -> dict[str, int]:
    """Make the demo's contracts (see the module docstring); returns the count per state left."""
    del actor  # the work is the demo clerk's and supervisor's, as at the counter
    clerk, supervisor = actor_of(session, CLERK), actor_of(session, SUPERVISOR)
    cities = list(dict.fromkeys(city for city, *_ in PLAN))
    homes = {city: plain_homes(session, city, sum(1 for c, *_ in PLAN if c == city)) for city in cities}
    sellers = {p.id for pairs in homes.values() for _, p in pairs}
    buyers = plain_buyers(session, len(PLAN), sellers)  # type: ignore[arg-type]
    left: dict[str, int] = {}
    for n, (city, state, price, method, bank) in enumerate(PLAN):
        home, owner = homes[city].pop(0)
        buyer = buyers[n]
        extra: dict = {}
        if city == "zhongshan":
            extra["check_code"] = home.check_code
        if city == "wuhan":
            extra |= {"register_queried_on": local_today(steps.now()), "purchase_restriction": "not_restricted"}
        # Each city's homes are checked as that city's hall would check them.
        check = hc.run_house_check(steps, clerk, city=city, home_id=home.id,  # type: ignore[arg-type]
                                   party=hc.Counterparty(owner.id, identity_verified=True),  # type: ignore[arg-type]
                                   **extra)
        if not check.passed:
            raise RuntimeError(f"the demo's house check of home {home.id} did not pass: "
                               + "；".join(ln.text for ln in check.failures))
        new = contracts.new_contract_form(steps, clerk, check.id)
        form: ContractDraft = replace(
            new.form,
            buyers=(BuyerLine(kind="person", name=buyer.name, region=Region.MAINLAND, id_kind=IdKind.RESIDENT_ID,
                              id_number=buyer.id_number, phone=buyer.phone or ""),),
            co_ownership="sole", price=Decimal(price), payment_method=method, fund_supervised=bank is not None,
            supervising_bank=bank or "", payment_terms=_TERMS[method] + "。",
        )
        view = contracts.create_draft(steps, clerk, check.id, form)
        if state in ("signed", "changed", "filed"):
            view = _sign(steps, session, clerk, supervisor, view)
        if state == "filed":  # as the city files (core.resale.filing); Zhongshan filed at signing
            route = profile_for(city).filing
            if route is FilingRoute.REVIEW:
                filing.record_undertaking(steps, clerk, view.id)
                signing.submit_for_filing(steps, clerk, view.id)
                signing.approve_filing(steps, supervisor, view.id)
            elif route is FilingRoute.AT_TRANSFER:
                filing.record_transfer_registration(steps, clerk, view.id,
                                                    f"WHDJ{local_today(steps.now()):%Y%m%d}{n + 1:04d}")
        if state == "changed":
            changed = replace(form, payment_terms="乙方于签约后十日内支付房价款的百分之五十，交付房屋时付清余款。",
                              fund_supervised=True, supervising_bank="中国银行中山分行")
            contracts.change_contract(steps, clerk, view.id, changed, expected_version=view.version,
                                      reason="买卖双方协商调整付款时间并选择资金监管")
        if state == "cancelled":
            cancel.apply_cancellation(steps, clerk, view.id, applicant_key="seller:0",
                                      reason="买卖双方协商一致，不再交易")
        left[state] = left.get(state, 0) + 1
    # The demo's morning happened: its messages (codes, notices) were sent by the hall's
    # staff, as a supervisor records from the outbox; the outbox starts the demo empty of work.
    queued = list(session.execute(select(SmsMessage.id).where(SmsMessage.status == sms.QUEUED)).scalars())
    if queued:
        sms.mark_sent(steps, supervisor, queued)
    return left
