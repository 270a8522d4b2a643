"""产权校验/房源核验 at the counter: find the home, run the checks, record them.

The rules themselves are pure (``core.resale.title_check.run_checks`` over the
hall's ``core.resale.policies`` profile); this service loads the facts from the
register, runs the rules and records the outcome.

The hall's city (``Settings.city``) is an argument of both use cases: it
selects the policy profile (``core.resale.policies.profile_for``).

* ``find_home`` — the lookup modes of the profile: certificate number
  (Zhongshan: plus its check code), name + 不动产单元号 (Zhongshan), the
  seller's own records (Wuhan 个人房产信息查询).  One certificate may cover
  several homes: every one is returned and the clerk picks.
* ``check_at_window`` — the counter's use case: the party as the clerk
  typed it (capacity, the 办理人证件号码, the 权利人名称 and 证件号码 or credit
  code as on the certificate); finds the person at the window and the
  organisation exactly by those numbers, then runs ``run_house_check``.
* ``run_house_check`` — one transaction: lock the home row, load the home,
  every home on its certificate, its owners and the person at the window
  (with the proxy registration or the organisation's authorisation), run
  the rules, store a ``HouseCheck`` row, append an audit row, return a view
  listing every rule that ran.
* ``check_history`` — the checks recorded for a home, newest first.

Refusals are recorded.  A check the rules refuse (or send to review) is
stored like a passed one, with its verdict and without a house code, and is
audited: the clerk's attempt is a fact of the case.  Only input that keeps
the rules from running at all (unknown home or person, a number that names
no one or several, a person who is not the registered proxy/agent, a home
outside the hall's city) raises a ``RuleViolation`` and records nothing.

Concurrency: the house code is deterministic (city letter + day + digest of
the unit number), and ``house_check.house_code`` is unique.  Every check
first locks the ``home`` row (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite the write transaction already holds the database write lock), so two
terminals checking the same home run one after the other.  The second one
then sees the code already issued today: its own check is still recorded
(verdict passed, ``house_code`` column NULL) and its view carries the code
issued by the first (``code_issued_by`` names that check).  One home, one
day, one code — the unique constraint is only the last line of defence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, union
from sqlmodel import Session

from core.audit import canonical_json
from core.errors import RuleViolation
from core.identity import check_person_name, normalize
from core.resale.certificates import (
    normalize_certificate,
    parse_certificate,
    parse_check_code,
    parse_unit_number,
)
from core.resale.policies import (
    LOOKUP_MODE_LABELS,
    STAGE_LABELS,
    LookupMode,
    PolicyProfile,
    Stage,
    profile_for,
)
from core.resale.title_check import (
    CREDIT_CODE,
    VERDICT_LABELS,
    AgentAuthorisation,
    Capacity,
    CheckReport,
    CoOwnership,
    HomeFacts,
    LookupRequest,
    Outcome,
    OwnerFacts,
    PartyAtCounter,
    PersonFacts,
    ProxyRegistration,
    PurchaseRestriction,
    Verdict,
    name_mismatch_message,
    run_checks,
    same_id_number,
    to_simplified,
)
from core.resale.window_party import (
    TYPED_ID_FIELD,
    refuse_blank_typed,
    shown_number,
    typed_owner_name,
    window_keys,
)
from core.roles import Actor, Permission, require
from core.timeutil import local_today
from services import audit
from services.authority import authorise
from services.lookup import home_status
from storage.engine import Database
from storage.models import (
    Home,
    HomeOwner,
    HouseCheck,
    IdentityChange,
    OrgAgent,
    Organisation,
    OwnerProxy,
    Person,
    PersonDocument,
)

__all__ = [
    "RULE_OUTCOME_LABELS",
    "CheckView",
    "Counterparty",
    "HomeHit",
    "NotRunLine",
    "RuleLine",
    "check_at_window",
    "check_history",
    "find_home",
    "run_house_check",
]

#: The label of one rule line on the screen (the verdict has its own labels).
RULE_OUTCOME_LABELS: dict[str, str] = {
    Outcome.PASSED.value: "通过",
    Outcome.FAILED.value: "未通过",
    Outcome.REVIEW.value: "待核定",
    Outcome.WARN.value: "提示",
}


# --------------------------------------------------------------------------
# Finding the home
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeHit:
    """One home a lookup found (the clerk picks one when a certificate has several)."""

    id: int
    city: str
    certificate_number: str
    unit_number: str
    location: str
    design_use: str
    use_class: str
    floor_area: object
    owners: tuple[str, ...]  # registered names
    status: str  # e.g. "正常" / "已抵押、已查封"




def _owner_names(session: Session, home_id: int) -> list[str]:
    rows = session.execute(
        select(Person.name, Organisation.name)
        .select_from(HomeOwner)
        .outerjoin(Person, Person.id == HomeOwner.person_id)
        .outerjoin(Organisation, Organisation.id == HomeOwner.organisation_id)
        .where(HomeOwner.home_id == home_id)
        .order_by(HomeOwner.id)
    ).all()
    return [p or o for p, o in rows]


def _hit(session: Session, h: Home) -> HomeHit:
    return HomeHit(h.id, h.city, h.certificate_number, h.unit_number, h.location, h.design_use, h.use_class,
                   h.floor_area, tuple(_owner_names(session, h.id)), home_status(h))


def _modes_text(profile: PolicyProfile) -> str:
    return "或".join(LOOKUP_MODE_LABELS[m] for m in profile.lookup_modes)


def _require_mode(profile: PolicyProfile, mode: LookupMode) -> None:
    if mode not in profile.lookup_modes:
        raise RuleViolation(
            "HOUSE_LOOKUP_MODE",
            f"{profile.city}不支持按{LOOKUP_MODE_LABELS[mode]}查询房源，请改用{_modes_text(profile)}查询。",
        )


def _blank(v: str | None) -> bool:
    return not (v or "").strip()


def find_home(
    db: Database,
    actor: Actor,
    *,
    certificate_number: str | None = None,
    check_code: str | None = None,
    owner_name: str | None = None,
    unit_number: str | None = None,
    owner_id_number: str | None = None,
    city: str,
) -> list[HomeHit]:
    """Find the homes a lookup names, in the modes the city's profile offers.

    * certificate number (Zhongshan: plus the certificate's check code): every
      home on that certificate;
    * owner name + 不动产单元号: the one home, if the name is a registered owner's;
    * owner ID number alone (Wuhan 个人房产信息查询): the homes that owner holds
      in the city.

    ``city`` is the hall's (``Settings.city``).  Refusals in Chinese:
    HOUSE_LOOKUP_EMPTY, HOUSE_LOOKUP_MODE, HOUSE_NOT_FOUND,
    HOUSE_CHECK_CODE_REQUIRED, HOUSE_CHECK_CODE_WRONG, HOUSE_OWNER_NAME_WRONG
    (the registered name masked), NAME_BAD_CHARACTERS / NAME_BAD_SEPARATOR (a
    typed owner name that is no registered owner's and not written as a person's
    name is), and the certificate / unit-number format codes of ``core.resale.certificates``.
    """
    authorise(db, actor, Permission.CASE_ACCEPT)
    profile = profile_for(city)
    today = local_today(db.now())
    with db.read() as session:
        if not _blank(certificate_number):
            _require_mode(profile, LookupMode.CERTIFICATE)
            cert = parse_certificate(certificate_number, profile.code, today=today)
            needs_code = profile.selects("LOOKUP_CHECK_CODE_REQUIRED")
            if needs_code and _blank(check_code):
                raise RuleViolation(
                    "HOUSE_CHECK_CODE_REQUIRED", "按产权证书编号查询房源须同时输入证书上的校验码。", field="check_code"
                )
            typed_code = parse_check_code(check_code) if not _blank(check_code) else None
            homes = list(session.execute(
                select(Home).where(Home.certificate_number == cert.text, Home.city == profile.code).order_by(Home.id)
            ).scalars())
            if not homes:
                raise RuleViolation(
                    "HOUSE_NOT_FOUND",
                    f"登记簿中没有产权证书“{cert.text}”的房屋，请核对证书编号。",
                    field="certificate_number",
                )
            if typed_code is not None:
                registered = {normalize(h.check_code) for h in homes if h.check_code}
                if registered and normalize(typed_code) not in registered:
                    raise RuleViolation(
                        "HOUSE_CHECK_CODE_WRONG", "输入的校验码与产权证书不符，请核对证书上的校验码。", field="check_code"
                    )
            return [_hit(session, h) for h in homes]
        if not _blank(unit_number):
            _require_mode(profile, LookupMode.NAME_AND_UNIT)
            if _blank(owner_name):
                raise RuleViolation("HOUSE_OWNER_NAME_REQUIRED", "按不动产单元号查询房源须同时输入权利人姓名。",
                                    field="owner_name")
            unit = parse_unit_number(unit_number, profile.code)
            home = session.execute(select(Home).where(Home.unit_number == unit.text)).scalars().first()
            if home is None or home.city != profile.code:
                raise RuleViolation("HOUSE_NOT_FOUND", f"登记簿中没有不动产单元号“{unit.text}”的房屋，请向不动产登记部门核实。",
                                    field="unit_number")
            names = _owner_names(session, home.id)
            typed = " ".join(owner_name.split())
            if typed not in names:
                # Not a registered owner's name as typed: written as a person's name is, then compared.
                typed = check_person_name(typed, who="权利人", field="owner_name")
            if typed not in names:
                folded = next((n for n in names if to_simplified(n) == to_simplified(typed)), None)
                message = (name_mismatch_message(folded, typed) if folded else
                           f"输入的姓名“{typed}”不是该不动产单元登记的权利人，请核对后重新输入。")
                raise RuleViolation("HOUSE_OWNER_NAME_WRONG", message, field="owner_name")
            return [_hit(session, home)]
        if not _blank(owner_id_number):
            _require_mode(profile, LookupMode.OWNER_RECORDS)
            number = normalize(owner_id_number)
            homes = list(session.execute(
                select(Home).join(HomeOwner, HomeOwner.home_id == Home.id)
                .outerjoin(Person, Person.id == HomeOwner.person_id)
                .outerjoin(Organisation, Organisation.id == HomeOwner.organisation_id)
                .where(Home.city == profile.code)
                .where((Person.id_number == number) | (Organisation.credit_code == number))
                .order_by(Home.id)
            ).scalars().unique())
            if not homes:
                raise RuleViolation("HOUSE_NOT_FOUND", f"该证件号码名下在{profile.city}没有登记的房屋。",
                                    field="owner_id_number")
            return [_hit(session, h) for h in homes]
    raise RuleViolation("HOUSE_LOOKUP_EMPTY", f"请输入{_modes_text(profile)}查询房源。")


# --------------------------------------------------------------------------
# Running the check
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Counterparty:
    """The person at the window and the capacity in which they act.

    ``capacity``: owner (权利人本人), proxy (公证委托代理人; ``principal_id``
    optional: by default the owner of the home whose registered proxy this
    person is), org_agent (机构经办人 of ``organisation_id``).
    ``identity_verified``: the clerk has checked the original ID document at
    the window (otherwise the person's real-name level decides).
    """

    person_id: int
    capacity: Capacity = Capacity.OWNER
    organisation_id: int | None = None
    principal_id: int | None = None
    identity_verified: bool = False


@dataclass(frozen=True)
class RuleLine:
    code: str
    stage: str  # 查询房源 / 产权校验 / 房源核验
    title: str
    outcome: str  # passed / failed / review / warn
    outcome_label: str  # 通过 / 未通过 / 待核定 / 提示
    reason: str

    @property
    def text(self) -> str:
        return f"[{self.outcome_label}] {self.stage}·{self.title}：{self.reason}"


@dataclass(frozen=True)
class NotRunLine:
    code: str
    stage: str
    reason: str


@dataclass(frozen=True)
class CheckView:
    """A recorded check as the screen shows it."""

    id: int
    home_id: int
    location: str
    certificate_number: str
    profile_ref: str
    verdict: str  # passed / review / refused
    verdict_label: str  # 校验通过 / 待核定 / 不予通过
    house_code: str | None  # the home's code for the day (issued by this or an earlier check)
    code_issued_by: int | None  # id of the check that issued house_code
    lines: tuple[RuleLine, ...]
    not_run: tuple[NotRunLine, ...]
    checked_at: datetime
    operator_id: int | None
    party: dict

    @property
    def passed(self) -> bool:
        return self.verdict == Verdict.PASSED.value

    @property
    def failures(self) -> tuple[RuleLine, ...]:
        return tuple(ln for ln in self.lines if ln.outcome == Outcome.FAILED.value)

    @property
    def notices(self) -> tuple[RuleLine, ...]:
        return tuple(ln for ln in self.lines if ln.outcome == Outcome.WARN.value)


_VERDICT_LABEL = {v.value: label for v, label in VERDICT_LABELS.items()}


def _stage_label(value: str) -> str:
    try:
        return STAGE_LABELS[Stage(value)]
    except ValueError:
        return value


def _view(row: HouseCheck, home: Home) -> CheckView:
    data = json.loads(row.report)
    lines = tuple(
        RuleLine(r["code"], _stage_label(r["stage"]), r["title"], r["outcome"],
                 RULE_OUTCOME_LABELS.get(r["outcome"], r["outcome"]), r["reason"])
        for r in data.get("results", [])
    )
    not_run = tuple(NotRunLine(n["code"], _stage_label(n["stage"]), n["reason"]) for n in data.get("not_run", []))
    issued_by = row.id if row.house_code else data.get("code_issued_by")
    return CheckView(
        id=row.id, home_id=row.home_id, location=home.location, certificate_number=home.certificate_number,
        profile_ref=row.profile_ref, verdict=row.verdict,
        verdict_label=_VERDICT_LABEL.get(row.verdict, row.verdict),
        house_code=data.get("house_code"), code_issued_by=issued_by, lines=lines, not_run=not_run,
        checked_at=row.checked_at, operator_id=row.operator_id, party=data.get("party", {}),
    )


def _lock_home(session: Session, home_id: int) -> Home:
    home = session.execute(select(Home).where(Home.id == home_id).with_for_update()).scalars().first()
    if home is None:
        raise RuleViolation("HOUSE_NOT_FOUND", "登记簿中没有该房屋。")
    return home


def _documents(session: Session, p: Person) -> list[tuple[str, str]]:
    """(id_kind, id_number) of every document of a person, the main one first."""
    docs = [(p.id_kind, p.id_number)]
    docs += [(d.id_kind, d.id_number) for d in session.execute(
        select(PersonDocument).where(PersonDocument.person_id == p.id).order_by(PersonDocument.id)).scalars()]
    return docs


def _numbers_before_change(session: Session, p: Person) -> list[str]:
    """The numbers a person held before a recorded ID change (身份变更, services.parties.change_id)."""
    return list(session.execute(select(IdentityChange.old_number).where(IdentityChange.person_id == p.id)).scalars())


def _person_facts(session: Session, p: Person, *, typed_name: str | None, typed_id_number: str | None,
                  verified: bool, who: str) -> PersonFacts:
    """The person as presented: the typed name, and the document the typed number names."""
    kind, number = p.id_kind, p.id_number
    if not _blank(typed_id_number):
        doc = next(((k, n) for k, n in _documents(session, p) if same_id_number(n, typed_id_number)), None)
        if doc is None and any(same_id_number(n, typed_id_number) for n in _numbers_before_change(session, p)):
            doc = (kind, number)  # a number held before a recorded ID change: the change's material proves it
        if doc is None:
            raise RuleViolation(
                "HOUSE_CHECK_NOT_OWN_DOCUMENT",
                f"输入的证件号码不是{who}本人的证件号码，请按{who}出示的证件输入；代他人办理的，请选择公证委托代理人或机构经办人身份。",
                field="owner_id_number",
            )
        kind, number = doc
    name = " ".join((typed_name or "").split()) or p.name
    return PersonFacts(name=name, id_kind=kind, id_number=number, region=p.region, nationality=p.nationality,
                       identity_verified=verified, real_name_level=p.real_name_level)


def _owners(session: Session, home_id: int) -> tuple[OwnerFacts, ...]:
    rows = session.execute(
        select(HomeOwner, Person, Organisation)
        .outerjoin(Person, Person.id == HomeOwner.person_id)
        .outerjoin(Organisation, Organisation.id == HomeOwner.organisation_id)
        .where(HomeOwner.home_id == home_id).order_by(HomeOwner.id)
    ).all()
    out = []
    for ho, p, o in rows:
        if p is not None:
            out.append(OwnerFacts(p.name, p.id_kind, p.id_number, p.nationality, p.blacklisted, ho.share))
        elif o is not None:
            out.append(OwnerFacts(o.name, CREDIT_CODE, o.credit_code, None, o.blacklisted, ho.share))
    return tuple(out)


def _current_first(rows: list, today: date) -> object | None:
    """The registration covering today, else the one that ended last."""
    current = [r for r in rows if r.valid_from <= today <= r.valid_to]
    if current:
        return max(current, key=lambda r: r.valid_to)
    return max(rows, key=lambda r: r.valid_to) if rows else None


def _party(session: Session, cp: Counterparty, home: Home, *, typed_name: str | None, typed_id_number: str | None,
           today: date) -> tuple[PartyAtCounter, dict]:
    person = session.get(Person, cp.person_id)
    if person is None:
        raise RuleViolation("HOUSE_CHECK_PERSON_NOT_FOUND", "没有找到办理人，请先查询办理人。")
    capacity = Capacity(cp.capacity)
    summary: dict = {"person_id": person.id, "name": person.name, "capacity": capacity.value}
    if capacity is Capacity.OWNER:
        facts = _person_facts(session, person, typed_name=typed_name, typed_id_number=typed_id_number,
                              verified=cp.identity_verified, who="办理人")
        return PartyAtCounter(facts), summary
    at_window = PersonFacts(person.name, person.id_kind, person.id_number, person.region, person.nationality,
                            cp.identity_verified, person.real_name_level)
    if capacity is Capacity.PROXY:
        query = select(OwnerProxy).where(OwnerProxy.proxy_id == person.id)
        if cp.principal_id is not None:
            query = query.where(OwnerProxy.principal_id == cp.principal_id)
        else:
            owner_ids = select(HomeOwner.person_id).where(HomeOwner.home_id == home.id, HomeOwner.person_id.is_not(None))
            query = query.where(OwnerProxy.principal_id.in_(owner_ids))
        reg = _current_first(list(session.execute(query).scalars()), today)
        if reg is None:
            raise RuleViolation(
                "HOUSE_CHECK_NO_PROXY",
                f"{person.name}未登记为该房屋权利人的公证委托代理人，请先携公证委托书到房屋交易业务网点办理委托关联业务。",
            )
        principal = session.get(Person, reg.principal_id)
        principal_facts = _person_facts(session, principal, typed_name=typed_name, typed_id_number=typed_id_number,
                                        verified=False, who="委托人")
        # The registration links the proxy to the principal; it covers this
        # certificate when the principal is one of its registered owners.
        owns = session.execute(select(HomeOwner.id).where(
            HomeOwner.home_id == home.id, HomeOwner.person_id == principal.id)).first() is not None
        proxy = ProxyRegistration(
            principal=principal_facts, notarial_certificate=reg.notarial_certificate,
            certificate_number=home.certificate_number if owns else "",
            valid_from=reg.valid_from, valid_until=reg.valid_to, proxy_id_number=person.id_number,
        )
        summary |= {"principal_id": principal.id, "owner_proxy_id": reg.id}
        return PartyAtCounter(at_window, proxy=proxy), summary
    if cp.organisation_id is None:
        raise RuleViolation("HOUSE_CHECK_NO_ORGANISATION", "机构经办人办理的，请选择其所代表的单位。",
                            field="organisation_id")
    org = session.get(Organisation, cp.organisation_id)
    if org is None:
        raise RuleViolation("HOUSE_CHECK_NO_ORGANISATION", "没有找到该单位。", field="organisation_id")
    rows = list(session.execute(select(OrgAgent).where(  # an unbound agent (seed 001 §1.4) is none
        OrgAgent.person_id == person.id, OrgAgent.organisation_id == org.id, OrgAgent.unbound_at.is_(None))).scalars())
    grant = _current_first(rows, today)
    if grant is None:
        raise RuleViolation("HOUSE_CHECK_NO_AGENT", f"{person.name}不是{org.name}登记的经办人，请由法人先添加经办人授权。")
    agent = AgentAuthorisation(
        organisation_name=" ".join((typed_name or "").split()) or org.name, credit_code=org.credit_code,
        valid_from=grant.valid_from, valid_until=grant.valid_to, scope=grant.scope,
    )
    summary |= {"organisation_id": org.id, "org_agent_id": grant.id}
    return PartyAtCounter(at_window, agent=agent), summary


def _home_facts(session: Session, home: Home, *, purchase_restriction: str,
                register_queried_on: date | None) -> HomeFacts:
    classes = tuple(session.execute(
        select(Home.use_class).where(Home.certificate_number == home.certificate_number).order_by(Home.id)
    ).scalars())
    return HomeFacts(
        certificate_number=home.certificate_number,
        owners=_owners(session, home.id),
        unit_number=home.unit_number,
        check_code=home.check_code,
        co_ownership=CoOwnership(home.co_ownership),
        status_valid=home.valid,
        in_transaction=home.in_transaction,
        seized=home.seized,
        restricted=home.restricted,
        mortgaged=home.mortgaged,
        use_class=home.use_class,
        use_classes_on_certificate=classes,
        use_class_normalised=home.use_class_normalised,
        purchase_restriction=PurchaseRestriction(purchase_restriction),
        register_queried_on=register_queried_on,
    )


def _lookup(home: Home, profile: PolicyProfile, mode: str | None, certificate_number: str | None,
            check_code: str | None, unit_number: str | None, today: date) -> LookupRequest:
    if mode is None:
        mode = (LookupMode.NAME_AND_UNIT if not _blank(unit_number) and _blank(certificate_number)
                else LookupMode.CERTIFICATE)
    mode = LookupMode(mode)
    cert = certificate_number if not _blank(certificate_number) else home.certificate_number
    if mode is LookupMode.CERTIFICATE and not _blank(certificate_number):
        # A well-formed number must name this home's certificate; a malformed
        # one is left to the LOOKUP_CERTIFICATE_FORMAT rule (a recorded refusal).
        try:
            text = parse_certificate(certificate_number, profile.code, today=today).text
        except RuleViolation:
            text = None
        if text is not None and text != normalize_certificate(home.certificate_number):
            raise RuleViolation("HOUSE_CHECK_WRONG_CERTIFICATE",
                                f"输入的产权证书编号“{text}”不是所选房屋的证书（{home.certificate_number}），请重新查询房源。",
                                field="certificate_number")
    return LookupRequest(mode=mode, certificate_number=cert or "", check_code=check_code or "",
                         unit_number=unit_number or "")


def run_house_check(
    db: Database,
    actor: Actor,
    *,
    city: str,
    home_id: int,
    party: Counterparty,
    typed_name: str | None = None,
    typed_id_number: str | None = None,
    lookup_mode: str | LookupMode | None = None,
    certificate_number: str | None = None,
    check_code: str | None = None,
    unit_number: str | None = None,
    register_queried_on: date | None = None,
    purchase_restriction: str | PurchaseRestriction = PurchaseRestriction.UNKNOWN,
    case_id: int | None = None,
) -> CheckView:
    """Run the hall's title and house checks for one home and record them.

    ``party``: the person at the window, already known by id (the counter's
    use case, ``check_at_window``, finds them from the numbers typed).
    ``typed_name`` / ``typed_id_number``: the 权利人名称 and 证件号码 as the
    clerk typed them, refused when blank (None, for callers that do not type
    them such as the demo loader: the registered name and main document of the
    owner, the proxy's principal, or the organisation); a person's typed name is
    checked and normalised first (``core.resale.window_party.typed_owner_name``:
    NAME_BAD_CHARACTERS, NAME_BAD_SEPARATOR at ``typed_name``); the ID number selects
    which of the person's own documents is presented.  Lookup facts: how the
    home was found (``lookup_mode``, default certificate, or name+unit when
    only ``unit_number`` is given), the keys typed (certificate number defaults
    to the home's own), Wuhan's ``register_queried_on`` (day of the
    个人房产信息查询) and ``purchase_restriction`` (限购范围, as the district
    office answered).  ``city`` is the hall's (``Settings.city``); "today"
    is the Shanghai date of the handle's clock.

    Records a ``HouseCheck`` row whatever the verdict (see the module
    docstring) and one audit row, in one transaction.
    """
    require(actor, Permission.CASE_ACCEPT)
    refuse_blank_typed(party.capacity, typed_name, typed_id_number)
    typed_name = typed_owner_name(party.capacity, typed_name)
    profile = profile_for(city)
    day = local_today(db.now())
    with db.write() as session:
        authorise(session, actor, Permission.CASE_ACCEPT)  # the account as it is now, in this transaction
        home = _lock_home(session, home_id)  # serialises every check of this home
        if home.city != profile.code:
            raise RuleViolation("HOUSE_CHECK_WRONG_CITY",
                                f"该房屋不在{profile.city}，本厅只受理{profile.city}的房屋。")
        lookup = _lookup(home, profile, lookup_mode, certificate_number, check_code, unit_number, day)
        facts = _home_facts(session, home, purchase_restriction=PurchaseRestriction(purchase_restriction).value,
                            register_queried_on=register_queried_on)
        at_counter, party_summary = _party(session, party, home, typed_name=typed_name,
                                           typed_id_number=typed_id_number, today=day)
        report: CheckReport = run_checks(profile, lookup, facts, at_counter, today=day)
        data = report.to_dict()
        issue = report.house_code
        issued_by = None
        if issue is not None:
            issued_by = session.execute(
                select(HouseCheck.id).where(HouseCheck.house_code == issue)
            ).scalars().first()
            data["code_issued_by"] = issued_by
        data["party"] = party_summary
        data["purchase_restriction"] = facts.purchase_restriction.value  # the contract's qualification rule reads it
        data["register_version"] = home.register_version  # a later change of the register makes the check stale
        data["lookup"] = {"mode": lookup.mode.value, "certificate_number": lookup.certificate_number,
                          "unit_number": lookup.unit_number, "check_code_typed": bool(lookup.check_code)}
        row = HouseCheck(
            home_id=home.id, case_id=case_id, profile_ref=report.profile, verdict=report.verdict.value,
            house_code=issue if issued_by is None else None,  # one code per home and day
            report=canonical_json(data), checked_at=db.now(), operator_id=actor.operator_id,
        )
        session.add(row)
        session.flush()
        audit.append(
            session, actor, "house_check", object_type="home", object_id=home.id,
            after={
                "house_check_id": row.id, "profile": report.profile, "verdict": report.verdict.value,
                "house_code": issue, "code_issued_by": (issued_by or row.id) if issue else None,
                "failed": [r.code for r in report.failures], "party": party_summary,
            },
        )
        return _view(row, home)


def check_at_window(
    db: Database,
    actor: Actor,
    *,
    city: str,
    home_id: int,
    capacity: Capacity | str,
    agent_number: str,
    typed_name: str,
    typed_id: str,
    identity_verified: bool = False,
    lookup_mode: str | LookupMode | None = None,
    certificate_number: str | None = None,
    check_code: str | None = None,
    unit_number: str | None = None,
    register_queried_on: date | None = None,
    purchase_restriction: str | PurchaseRestriction = PurchaseRestriction.UNKNOWN,
    case_id: int | None = None,
) -> CheckView:
    """The counter's check: the party as the clerk typed it, then ``run_house_check``.

    ``capacity``: in which capacity the person at the window acts;
    ``agent_number``: the 办理人证件号码 (required unless the owner comes in
    person); ``typed_name`` / ``typed_id``: the 权利人名称 and 证件号码 as
    the certificate shows them (an organisation's: its name and unified social
    credit code); ``identity_verified``: the clerk has checked the original ID
    document at the window.  The other arguments are ``run_house_check``'s.

    Who is meant follows ``core.resale.window_party.window_keys``; the person
    is the one whose own document (main or further, ``PersonDocument``) has
    exactly that number, the organisation the one with that credit code.
    Refusals name the form's box (``agent_id`` / ``typed_name`` /
    ``typed_id``) and record nothing: HOUSE_CHECK_AGENT_ID_REQUIRED,
    HOUSE_CHECK_NAME_REQUIRED, HOUSE_CHECK_ID_REQUIRED,
    HOUSE_CHECK_PERSON_NOT_FOUND, HOUSE_CHECK_PERSON_AMBIGUOUS,
    HOUSE_CHECK_NO_ORGANISATION, then those of ``run_house_check`` (which
    reads the person again in its own transaction).
    """
    authorise(db, actor, Permission.CASE_ACCEPT)
    capacity = Capacity(capacity)
    keys = window_keys(capacity, agent_number, typed_name, typed_id)
    # A read: a number that names no one is refused without taking the write lock.
    with db.read() as session:
        person_id = _person_by_number(session, keys.person_number, field=keys.person_field)
        org_id = None if keys.credit_code is None else _organisation_by_code(session, keys.credit_code)
    return run_house_check(
        db, actor, city=city, home_id=home_id,
        party=Counterparty(person_id, capacity, organisation_id=org_id, identity_verified=identity_verified),
        typed_name=typed_name,
        # the organisation was found by the credit code typed: its own code is the one presented
        typed_id_number=None if org_id is not None else typed_id,
        lookup_mode=lookup_mode, certificate_number=certificate_number, check_code=check_code,
        unit_number=unit_number, register_queried_on=register_queried_on,
        purchase_restriction=purchase_restriction, case_id=case_id,
    )


def _could_be_registered(number: str) -> bool:
    """A number with a control character is nobody's (and PostgreSQL refuses NUL in a query)."""
    return bool(number) and number.isprintable()


def _person_by_number(session: Session, number: str, *, field: str) -> int:
    """The one person one of whose own documents has exactly ``number`` (normalised).

    The register keeps a number unique per document kind only (``person``
    and ``person_document`` are each unique on kind + number, and nothing
    ties the two tables), and the form does not ask for the kind: a foreign
    passport and a 台胞证 may share eight digits, or one person's further
    document may carry another's main number.  Such a number names no one for
    certain; another of the person's documents typed as the 办理人证件号码 does.
    """
    found: set[int] = set()
    if _could_be_registered(number):
        found = set(session.execute(union(
            select(Person.id).where(Person.id_number == number),
            select(PersonDocument.person_id).where(PersonDocument.id_number == number),
            select(IdentityChange.person_id).where(IdentityChange.old_number == number),
        )).scalars())
    if len(found) == 1:
        return found.pop()
    if found:
        raise RuleViolation("HOUSE_CHECK_PERSON_AMBIGUOUS",
                            "该证件号码对应多人，无法确定办理人，请在“办理人证件号码”中输入办理人另一证件的号码。",
                            field=field)
    raise RuleViolation("HOUSE_CHECK_PERSON_NOT_FOUND",
                        f"没有找到证件号码为“{shown_number(number)}”的办理人，请核对证件号码。", field=field)


def _organisation_by_code(session: Session, code: str) -> int:
    """The organisation whose unified social credit code is exactly ``code`` (unique in the register)."""
    org_id = None
    if _could_be_registered(code):
        org_id = session.execute(select(Organisation.id).where(Organisation.credit_code == code)).scalar_one_or_none()
    if org_id is None:
        raise RuleViolation("HOUSE_CHECK_NO_ORGANISATION",
                            f"没有找到统一社会信用代码为“{shown_number(code, masked=False)}”的单位，请按产权证书核对。",
                            field=TYPED_ID_FIELD)
    return org_id


def check_history(db: Database, actor: Actor, home_id: int) -> list[CheckView]:
    """Every check recorded for a home, newest first."""
    authorise(db, actor, Permission.CASE_ACCEPT)
    with db.read() as session:
        home = session.get(Home, home_id)
        if home is None:
            raise RuleViolation("HOUSE_NOT_FOUND", "登记簿中没有该房屋。")
        rows = session.execute(
            select(HouseCheck).where(HouseCheck.home_id == home_id)
            .order_by(HouseCheck.checked_at.desc(), HouseCheck.id.desc())
        ).scalars()
        return [_view(r, home) for r in rows]
