"""The documents of a resale signing case, from the database, as PDF bytes.

* ``contract_pdf``  存量房买卖合同 of a stored contract (by contract number or
  case number): every article, the parties with their shares, the price in
  figures and capitals, the filing number once filed, a QR code of the case
  number. Each print of a signed contract is recorded (seed 001 §7
  "已下载过合同") through ``services.resale.contracts.mark_printed``; a draft
  prints watermarked 草稿 and records nothing.
* ``receipt_pdf``   受理回执 of the case: case number, acceptance date, the
  clerk who accepted it, the applicants, and the materials received — the
  checklist ``core.resale.materials`` derives from the city's profile and the
  parties' situation.
* ``notice_pdf``    一次性告知书: the FAILED rules of the latest house check of
  the case's home (or of a given check), plus the checklist items still
  missing (those the failed rules call for and those the clerk names).

Personal numbers are masked: ``reports.resale`` refuses an ID or phone number
without "*" (the printed contract is the hall's copy for the parties; the
full numbers stay in the register). The hall printed on receipts and notices
is ``HallOffice`` (the hall's settings ``hall_name`` / ``hall_address`` /
``hall_phone`` for the hall's own city; otherwise, and where unset, the
city's hall of ``core.hall``, demo values marked "（示例）").
The contract speaks its city's words (转让方/受让方 in Zhongshan, the filing
article of each city) and gives each party's 住所 from the register.

Printing and the print record: the contract is rendered first and the print
recorded right after, in mark_printed's own transaction. A rendering failure
therefore records no print that never happened; should the record fail, the
PDF is not handed out (the refusal is raised instead), so no contract leaves
the hall unrecorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlmodel import Session

from core.errors import RuleViolation
from core.hall import hall_contact
from core.identity import Region, mask_id, mask_phone
from core.resale import contract_text as text
from core.resale import materials as checklist
from core.resale.contracts import (
    ORGANISATION,
    PAYMENT_METHOD_LABELS,
    ValidDraft,
    kind_label,
)
from core.resale.filing import FilingRoute
from core.resale.lifecycle import ContractStatus
from core.resale.policies import profile_by_ref
from core.roles import Actor, Permission, require
from core.timeutil import local_today
from reports import resale as documents
from services import audit
from services.authority import authorise
from services.resale import contracts
from services.resale.house_check import CheckView, check_history
from storage.engine import Database, session_now
from storage.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Contract,
    ContractParty,
    Home,
    HouseCheck,
    Operator,
    Organisation,
    Person,
)
from storage.settings import Settings

__all__ = [
    "BUSINESS_TYPE",
    "HallOffice",
    "contract_data",
    "contract_pdf",
    "notice_data",
    "notice_pdf",
    "receipt_data",
    "receipt_pdf",
]

BUSINESS_TYPE = "存量房买卖合同网签备案"

_NATIONALITY = {Region.MAINLAND: "中国", Region.HONG_KONG: "中国香港", Region.MACAO: "中国澳门",
                Region.TAIWAN: "中国台湾"}
_SIGNING = {"online": documents.ONLINE, "offline": documents.OFFLINE}
_STATUS = {ContractStatus.DRAFT: documents.DRAFT, ContractStatus.SIGNED: documents.SIGNED,
           ContractStatus.FILED: documents.FILED, ContractStatus.CANCELLED: documents.CANCELLED,
           ContractStatus.REVOKED: documents.REVOKED}


@dataclass(frozen=True)
class HallOffice:
    """The hall printed on receipts and notices (demo values marked "（示例）")."""

    name: str
    address: str
    phone: str

    @classmethod
    def for_city(cls, city: str, settings: Settings) -> HallOffice:
        """The hall of a document of ``city``: the city's hall
        (``core.hall``), with the hall's settings
        (``hall_name`` / ``hall_address`` / ``hall_phone``) for the hall's own city."""
        hall = hall_contact(city, hall_city=settings.city, name=settings.hall_name,
                                 address=settings.hall_address, phone=settings.hall_phone)
        return cls(hall.printed("name"), hall.printed("address"), hall.printed("phone"))


# ------------------------------------------------------------------ helpers


def _masked_phone(value: str) -> str:
    """A masked phone for the documents ("138****5678"); a party without one prints "****"."""
    masked = mask_phone(value) if value else ""
    return masked if "*" in masked else "****"


def _nationality(region: Region, nationality: str | None) -> str:
    return _NATIONALITY.get(region) or (f"外籍（{nationality}）" if nationality else "外籍")


def _shares(draft: ValidDraft, addresses: Mapping[str, str]) -> tuple[list, list]:
    sellers = [
        documents.ContractParty(
            name=s.name, role=documents.SELLER, nationality=_nationality(s.region, s.nationality),
            id_kind="统一社会信用代码" if s.kind == ORGANISATION else kind_label(s.id_kind),
            masked_id=mask_id(s.id_number), phone_masked=_masked_phone(s.phone), share=s.transferred_share,
            agent=s.agent.name if s.agent else None, guardian=s.guardian.name if s.guardian else None,
            address=addresses.get(f"seller:{i}", ""), organisation=s.kind == ORGANISATION,
        )
        for i, s in enumerate(draft.sellers)
    ]
    buyers = [
        documents.ContractParty(
            name=b.name, role=documents.BUYER, nationality=_nationality(b.region, b.nationality),
            id_kind="统一社会信用代码" if b.kind == ORGANISATION else kind_label(b.id_kind or ""),
            masked_id=mask_id(b.id_number), phone_masked=_masked_phone(b.phone),
            share=None if draft.co_ownership == "joint" else b.share,
            agent=b.agent.name if b.agent else None, guardian=b.guardian.name if b.guardian else None,
            address=addresses.get(f"buyer:{i}", ""), organisation=b.kind == ORGANISATION,
        )
        for i, b in enumerate(draft.buyers)
    ]
    return sellers, buyers


def _dec(value: object) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _house(view: contracts.ContractView) -> documents.ResaleHouse:
    h = view.house
    return documents.ResaleHouse(
        location=h.get("location", ""), certificate_number=h.get("certificate_number", ""),
        unit_number="",  # the location already ends with the room; the register's 不动产单元号 is not a room
        use=h.get("design_use") or "住宅",
        structure=h.get("structure") or "—", floor=int(h.get("floor") or 1),
        total_floors=int(h.get("total_floors") or h.get("floor") or 1),
        floor_area=_dec(h.get("floor_area")) or Decimal(0), inner_area=_dec(h.get("inner_area")),
        land_area=_dec(h.get("land_area")), completion_year=h.get("completion_year"),
        mortgage="已抵押，甲方于转移登记前办理抵押注销" if h.get("mortgaged") else "无抵押",
        house_code=view.house_code,
    )


# ------------------------------------------------------------------ contract


def _addresses(db: Database, contract_id: int) -> dict[str, str]:
    """住所 of each party of the contract ("seller:0" → address), from the
    person or organisation register; a party the register holds no address
    for is left out."""
    with db.read() as session:
        rows = session.execute(
            select(ContractParty.party_key, Person.address, Organisation.address)
            .outerjoin(Person, Person.id == ContractParty.person_id)
            .outerjoin(Organisation, Organisation.id == ContractParty.organisation_id)
            .where(ContractParty.contract_id == contract_id)).all()
    return {key: (person or org).strip() for key, person, org in rows if (person or org or "").strip()}


def contract_data(view: contracts.ContractView, *, today: date | None = None,
                  addresses: Mapping[str, str] | None = None) -> documents.ResaleContract:
    """The stored contract as the document's plain data, in its city's words
    (``core.resale.contract_text``); ``addresses`` are the parties' 住所 by
    party key ("seller:0")."""
    draft = view.draft
    city = text.city_text(profile_by_ref(view.profile_ref).code)
    sellers, buyers = _shares(draft, addresses or {})
    signed_on = local_today(view.signed_at) if view.signed_at else None
    return documents.ResaleContract(
        contract_number=view.number, case_number=view.case_number, city=view.city,
        status=_STATUS[ContractStatus(view.status)], sellers=tuple(sellers), buyers=tuple(buyers),
        co_ownership=draft.co_ownership_label, house=_house(view), price=draft.price,
        payment_method=PAYMENT_METHOD_LABELS.get(draft.payment_method, draft.payment_method),
        payment_schedule=(draft.payment_terms.rstrip("。") or "按双方约定支付",),
        delivery_date=None,  # the contract form records no delivery date (see the closing note of #3)
        signing_method=_SIGNING[draft.signing.method],
        fund_supervised=draft.fund_supervised, supervision_bank=draft.supervising_bank,
        signing_date=signed_on,
        filing_number=view.filing_number,
        filing_date=local_today(view.filed_at) if view.filed_at else None,
        seller_label=city.seller, buyer_label=city.buyer, filing_clause=city.filing,
        revocation_clause=city.revocation, disputes=text.dispute_clause(draft.dispute),
        dispute_choice=draft.dispute, arbitration_commission=draft.arbitration_commission,
    )


def contract_pdf(db: Database, actor: Actor, case_or_contract_number: str) -> bytes:
    """存量房买卖合同 by contract number or case number; records the print
    (see the module docstring). A draft prints watermarked 草稿 and is not a
    print of the contract: nothing is recorded, so the cancellation rule
    (seed 001 §7 "已下载过合同") is not changed by a draft."""
    authorise(db, actor, Permission.REPORT_PRINT)
    view = contracts.contract_by_number(db, actor, case_or_contract_number)
    if view.status != ContractStatus.DRAFT and view.signed_at is None:
        raise RuleViolation("REPORT_CONTRACT_NEVER_SIGNED",
                            f"合同 {view.number} 未经签约即已{view.status_label[1:]}，没有可打印的合同文本。")
    pdf = documents.resale_contract(contract_data(view, addresses=_addresses(db, view.id)))
    if view.status != ContractStatus.DRAFT:
        contracts.mark_printed(db, actor, view.id)
    return pdf


def undertaking_pdf(db: Database, actor: Actor, case_or_contract_number: str) -> bytes:
    """承诺书 of a signed Shenzhen contract waiting for its filing (seed 001 §5.3.4): printed at
    the counter, signed by both parties, handed back and recorded (``filing.record_undertaking``)."""
    authorise(db, actor, Permission.REPORT_PRINT)
    view = contracts.contract_by_number(db, actor, case_or_contract_number)
    if view.status != ContractStatus.SIGNED or view.filing_route != FilingRoute.REVIEW or not view.filing_required:
        raise RuleViolation("REPORT_NO_UNDERTAKING",
                            f"合同 {view.number} 无须承诺书：承诺书只用于本市已签约、待备案的合同。")
    return documents.undertaking(contract_data(view, addresses=_addresses(db, view.id)))


# ------------------------------------------------------------------ the case's facts


@dataclass(frozen=True)
class _CaseFacts:
    case: Case
    contract: Contract | None
    view: contracts.ContractView | None
    home: Home | None
    clerk: str
    window: str


def _clerk(session: Session, case: Case) -> tuple[str, str]:
    """Who accepted the case (its first event) and at which window."""
    event = session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id)
                            .order_by(CaseEvent.id).limit(1)).scalar_one_or_none()
    if event is None:
        return "—", "—"
    op = session.get(Operator, event.operator_id) if event.operator_id else None
    window = f"{op.window}号窗口" if op is not None and op.window else "受理窗口"
    return event.operator_name, window


def _case_facts(db: Database, actor: Actor, number: str) -> _CaseFacts:
    key = " ".join((number or "").split()).upper()
    if not key:
        raise RuleViolation("REPORT_NUMBER_EMPTY", "请输入业务号或合同编号。", field="number")
    with db.read() as session:
        contract = session.execute(
            select(Contract).join(Case, Case.id == Contract.case_id)
            .where((Contract.number == key) | (Case.number == key))).scalar_one_or_none()
        case = session.get(Case, contract.case_id) if contract is not None else session.execute(
            select(Case).where(Case.number == key)).scalar_one_or_none()
        if case is None:
            raise RuleViolation("REPORT_CASE_NOT_FOUND", f"没有业务号或合同编号为 {key} 的业务。", field="number")
        if case.type_code != "resale_signing":
            raise RuleViolation("REPORT_NOT_RESALE", f"业务 {case.number} 不是存量房买卖合同网签备案业务。",
                                field="number")
        if contract is None:
            raise RuleViolation("REPORT_NO_CONTRACT", f"业务 {case.number} 没有网签合同（草稿超过时限会被自动删除）。",
                                field="number")
        clerk, window = _clerk(session, case)
        home = session.get(Home, contract.home_id)
        session.expunge_all()
    view = contracts.get_contract(db, actor, contract.id)  # type: ignore[arg-type]
    return _CaseFacts(case, contract, view, home, clerk, window)


def _situation(view: contracts.ContractView) -> checklist.ResaleSituation:
    d = view.draft
    parties = (*d.sellers, *d.buyers)
    return checklist.ResaleSituation(
        city=profile_by_ref(view.profile_ref).code,
        seller_proxy=any(s.agent is not None and s.kind != ORGANISATION for s in d.sellers),
        buyer_proxy=any(b.agent is not None and b.kind != ORGANISATION for b in d.buyers),
        organisation=any(p.kind == ORGANISATION for p in parties),
        guardian=any(p.guardian is not None for p in parties),
        co_owners=len(d.sellers) > 1,
        fund_supervised=d.fund_supervised,
        mortgaged=bool(view.house.get("mortgaged")),
        outside_mainland=any(b.region != Region.MAINLAND for b in d.buyers),
        qualification=view.qualification_required,
    )


def _applicants(draft: ValidDraft, city: text.CityText) -> tuple[documents.Applicant, ...]:
    out: list[documents.Applicant] = []
    for role, parties in ((city.seller, draft.sellers), (city.buyer, draft.buyers)):
        for p in parties:
            out.append(documents.Applicant(p.name, mask_id(p.id_number), role))
            for extra, label in ((p.agent, "代理人"), (p.guardian, "监护人")):
                if extra is not None:
                    out.append(documents.Applicant(extra.name, mask_id(extra.id_number), f"{role}{label}"))
    return tuple(out)


# ------------------------------------------------------------------ receipt


@dataclass(frozen=True)
class CaseMaterials:
    """A case's checklist and which of its items the citizen handed in."""

    case_number: str
    checklist: tuple[checklist.Material, ...]
    received: frozenset[str]  # material keys

    @property
    def missing(self) -> tuple[checklist.Material, ...]:
        return tuple(m for m in self.checklist if m.key not in self.received)


def _received(session: Session, case_id: int) -> frozenset[str]:
    return frozenset(session.execute(select(CaseMaterial.material_key)
                                     .where(CaseMaterial.case_id == case_id)).scalars())


def case_materials(db: Database, actor: Actor, number: str) -> CaseMaterials:
    """The checklist of a resale signing case (by case or contract number) and what was received."""
    authorise(db, actor, Permission.CONTRACT_WORK)
    facts = _case_facts(db, actor, number)
    assert facts.view is not None
    with db.read() as session:
        received = _received(session, facts.case.id)  # type: ignore[arg-type]
    return CaseMaterials(facts.view.case_number, checklist.resale_signing_checklist(_situation(facts.view)), received)


def record_materials(db: Database, actor: Actor, number: str, keys: Sequence[str]) -> CaseMaterials:
    """The clerk ticks what the citizen handed in (the whole set, replacing the earlier one):
    every key must be on the case's checklist; audited."""
    require(actor, Permission.CONTRACT_WORK)
    current = case_materials(db, actor, number)
    on_list = {m.key for m in current.checklist}
    chosen = frozenset(keys)
    strange = sorted(chosen - on_list)
    if strange:
        raise RuleViolation("MATERIAL_NOT_ON_CHECKLIST",
                            f"“{strange[0]}”不是本业务的申请材料，请按材料清单勾选。", field="materials")
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_WORK)
        case = session.execute(select(Case).where(Case.number == current.case_number).with_for_update()).scalar_one()
        before = _received(session, case.id)  # type: ignore[arg-type]
        if case.status in ("cancelled", "terminated"):
            raise RuleViolation("MATERIAL_CASE_ENDED", "该业务已终止，不能再登记收件。")
        now = session_now(session)
        for key in chosen - before:
            session.add(CaseMaterial(case_id=case.id, material_key=key, recorded_at=now,  # type: ignore[arg-type]
                                     recorded_by=actor.operator_id))
        for key in before - chosen:
            session.execute(delete(CaseMaterial).where(CaseMaterial.case_id == case.id,
                                                       CaseMaterial.material_key == key))
        audit.append(session, actor, "case_materials", object_type="case", object_id=case.id,
                     case_number=case.number, before={"received": sorted(before)},
                     after={"received": sorted(chosen)})
    return CaseMaterials(current.case_number, current.checklist, chosen)


#: Contract states whose case a receipt may still be printed for (not for a contract
#: that ended before it was signed, or was revoked: nothing is being handled any more).
_RECEIPT_STATES = frozenset({ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.FILED})


def receipt_data(db: Database, actor: Actor, number: str) -> documents.AcceptanceReceipt:
    """The 受理回执 of a resale signing case (by case number or contract number): the materials
    the clerk ticked as received, no more."""
    authorise(db, actor, Permission.REPORT_PRINT)
    facts = _case_facts(db, actor, number)
    view = facts.view
    assert view is not None
    if ContractStatus(view.status) not in _RECEIPT_STATES:
        raise RuleViolation("RECEIPT_CASE_ENDED", f"合同{view.status_label}，该业务已结束，不能出具受理回执。")
    accepted = local_today(facts.case.created_at)
    hall = HallOffice.for_city(profile_by_ref(view.profile_ref).code, db.settings)
    with db.read() as session:
        received = _received(session, facts.case.id)  # type: ignore[arg-type]
    items = tuple(documents.MaterialItem(m.name, m.originals, m.copies, m.note)
                  for m in checklist.resale_signing_checklist(_situation(view)) if m.key in received)
    if not items:
        raise RuleViolation("RECEIPT_NOTHING_RECEIVED", "尚未登记收到的申请材料：请先勾选当事人提交的材料，再出具受理回执。")
    return documents.AcceptanceReceipt(
        case_number=view.case_number, business_type=BUSINESS_TYPE, accepted_on=accepted, clerk=facts.clerk,
        window=facts.window, applicants=_applicants(view.draft, text.city_text(profile_by_ref(view.profile_ref).code)),
        materials=items,
        # A draft's completion depends on the parties' signing: no date is promised for it yet.
        promised_on=None if view.status == ContractStatus.DRAFT else checklist.promised_on(accepted),
        promise_working_days=checklist.PROMISE_WORKING_DAYS, hall_name=hall.name, hall_address=hall.address,
        hall_phone=hall.phone, house_location=view.location,
    )


def receipt_pdf(db: Database, actor: Actor, number: str) -> bytes:
    """受理回执 as PDF bytes."""
    return documents.acceptance_receipt(receipt_data(db, actor, number))


# ------------------------------------------------------------------ notice


def _check_applicant(session: Session, check: CheckView) -> documents.Applicant:
    """The person at the window of the check (or the organisation they acted for)."""
    party = check.party or {}
    org_id = party.get("organisation_id")
    if org_id:
        org = session.get(Organisation, org_id)
        if org is not None:
            return documents.Applicant(org.name, mask_id(org.credit_code), "出卖人")
    person = session.get(Person, party["person_id"]) if party.get("person_id") else None
    if person is None:
        return documents.Applicant("申请人", "*", "申请人")
    role = "代理人" if party.get("capacity") == "proxy" else "出卖人"
    return documents.Applicant(person.name, mask_id(person.id_number), role)


def _latest_check(db: Database, actor: Actor, home_id: int) -> CheckView:
    history = check_history(db, actor, home_id)
    if not history:
        raise RuleViolation("NOTICE_NO_CHECK", "该房屋没有房源核验记录，请先进行产权校验和房源核验。")
    return history[0]


def _check_by_id(db: Database, actor: Actor, check_id: int) -> tuple[CheckView, str | None]:
    """The check and the number of the case it belongs to (None before acceptance)."""
    with db.read() as session:
        row = session.get(HouseCheck, check_id)
        if row is None:
            raise RuleViolation("NOTICE_CHECK_NOT_FOUND", f"没有编号为 {check_id} 的房源核验记录。", field="check")
        home_id = row.home_id
        case_number = session.execute(select(Case.number).where(Case.id == row.case_id)).scalar_one_or_none() \
            if row.case_id else None
    return next(c for c in check_history(db, actor, home_id) if c.id == check_id), case_number


def notice_data(db: Database, actor: Actor, number: str | None = None, *, check_id: int | None = None,
                missing: Sequence[str] = ()) -> documents.MissingMaterialsNotice:
    """一次性告知书 of a case (the latest check of its home) or of one house check.

    ``missing`` names checklist items the clerk found missing (their Chinese
    names or keys of ``core.resale.materials.MATERIALS``); for a case they must be on
    the case's checklist. Refused when there is nothing to tell.
    """
    authorise(db, actor, Permission.REPORT_PRINT)
    if (number is None or not number.strip()) == (check_id is None):
        raise RuleViolation("NOTICE_CASE_OR_CHECK", "请输入业务号（或合同编号）或者房源核验记录编号，二者选一。")
    facts = _case_facts(db, actor, number) if number is not None and number.strip() else None
    unticked: tuple[checklist.Material, ...] = ()
    if facts is not None:
        assert facts.view is not None and facts.home is not None
        if facts.view.status != ContractStatus.DRAFT:
            raise RuleViolation("NOTICE_CASE_PAST_ACCEPTANCE",
                                f"合同{facts.view.status_label}，申请早已受理，无需出具一次性告知书。")
        check = _latest_check(db, actor, facts.home.id)
        allowed = checklist.resale_signing_checklist(_situation(facts.view))
        with db.read() as session:
            received = _received(session, facts.case.id)  # type: ignore[arg-type]
        if received:  # the clerk ticked what came: the rest is missing
            unticked = tuple(m for m in allowed if m.key not in received)
        case_number, clerk, window = facts.view.case_number, facts.clerk, facts.window
        city = profile_by_ref(facts.view.profile_ref).code
    else:
        check, of_case = _check_by_id(db, actor, check_id)  # type: ignore[arg-type]
        allowed = tuple(checklist.MATERIALS.values())
        with db.read() as session:
            op = session.get(Operator, check.operator_id) if check.operator_id else None
        case_number = of_case or "（未受理）"
        clerk = op.name if op is not None else actor.name
        window = f"{op.window}号窗口" if op is not None and op.window else "受理窗口"
        city = profile_by_ref(check.profile_ref).code
    named = _named_materials(missing, allowed)
    codes = [ln.code for ln in check.failures]
    refusal = bool(checklist.unmendable(codes))  # a seizure, a blacklist …: 不予受理, nothing to bring
    cures = () if refusal else checklist.materials_for_failures(codes)
    items = () if refusal else tuple(dict.fromkeys([m.name for m in cures] + [m.name for m in named]
                                                   + [m.name for m in unticked]))
    failed = tuple((ln.code, f"{ln.stage}·{ln.title}：{ln.reason}") for ln in check.failures
                   if not refusal or ln.code in checklist.unmendable(codes))
    if not failed and not items:
        raise RuleViolation("NOTICE_NOTHING_MISSING",
                            "最近一次房源核验已通过，也没有尚缺的材料，无需出具一次性告知书。")
    with db.read() as session:
        applicant = _check_applicant(session, check)
    hall = HallOffice.for_city(city, db.settings)
    return documents.MissingMaterialsNotice(
        case_number=case_number, business_type=BUSINESS_TYPE, applicant=applicant,
        notified_on=local_today(db.now()), failed_rules=failed, missing_items=items, clerk=clerk, window=window,
        hall_name=hall.name, hall_address=hall.address, hall_phone=hall.phone,
        to_bring=() if refusal else ("本告知书", "申请人身份证明原件"), refusal=refusal,
    )


def _named_materials(missing: Sequence[str], allowed: tuple[checklist.Material, ...]) -> list[checklist.Material]:
    by_word = {m.key: m for m in allowed} | {m.name: m for m in allowed}
    out = []
    for word in missing:
        found = by_word.get(word.strip())
        if found is None:
            raise RuleViolation("NOTICE_UNKNOWN_MATERIAL", f"“{word.strip()}”不是本业务的申请材料，请按材料清单填写。",
                                field="missing")
        out.append(found)
    return out


def notice_pdf(db: Database, actor: Actor, number: str | None = None, *, check_id: int | None = None,
               missing: Sequence[str] = ()) -> bytes:
    """一次性告知书 as PDF bytes."""
    return documents.missing_materials_notice(notice_data(db, actor, number, check_id=check_id, missing=missing))
