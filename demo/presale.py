"""The demo's new-house presale (seed 004), made through the real services (issue 13 item 12).

``play_presale`` runs inside ``demo.loader.load_demo``'s single transaction (``steps`` is its
``storage.engine.OneTransaction``) on the loader's clock, each step on a day counted back from
the moment the demo is made (``loaded_at``), so the demo always finds the same story, however
old its clock:

==========  =====================================================================
-490 days   the authority (super1) registers 湘江新城置业有限公司 and opens its
            administrator's account (xjadmin); the administrator keeps the
            enterprise's banks (监管银行账户, 按揭银行), adds two operators (xj01,
            xj02) and applies for their admission; super1 admits both. The project
            星城雅苑 with its 四证 and its property company.
-480 days   测绘成果备案: 1栋 from ``survey_D004_predicted.csv`` (预测, 102 units) and
            2栋 from ``survey_D004_actual.csv`` (实测, 102 units), each completed by
            xj01, received and archived by super1.
-475 days   物管用房核定: 1-01 and 1-02 of 1栋 (期房), 1-01B of 2栋 (现房).
-470 days   预售资金监管协议 of 1栋: entered by xj01, reviewed by super1, then by the
            supervising bank's reviewer (bank01): archived, in force.
-460 days   预售许可证 on every sellable unit of 1栋; 现售许可证 on every sellable unit
            of 2栋.
-450 days   在建工程抵押 of 1栋's floors 16 and 17 (``MORTGAGED``) to the enterprise's
            贷款银行, set up by super1; signing authorised on 16-01 only.
-60 … -39   a presale contract on 1栋 6-01 (``RETURNED_UNIT``) paid, signed, sealed and
            filed (-57), then returned (退房: started -40, archived by super1 -39).
-38, -37    户室流水补录: half of its price refunded (退款, back-entered by xj01,
            approved and archived by super1); the other half is still to refund, so
            户室流水补录 (J) offers 退款 of it and 退房 (T) says so. All of it more than
            30 days back: the developer's desk counts only the two filings as 近期办结.
-20 … -2    presale contracts on 1栋 (``PLAN``): filed (备案), with the bank (银行
            抵押审核), a provident-fund loan and a combined loan with the fund centre
            (公积金审核, gjj01's), signed by the buyer awaiting the seal, awaiting
            payment, a draft; and a spot-sale contract on 2栋, filed — both filings
            within the last 30 days, so the developer's desk counts them as 近期办结.
            The contract awaiting payment has its second half back-entered (户室流水补录,
            -3) and waiting for super1's review.
==========  =====================================================================

The accounts (names, phones, passwords, the reviewers' bank and fund centre) are those of
``sample_data/operators.json`` that are not the hall's own staff: ``load_register``
leaves them out, this module makes them through the services. The buyers are plain
adults of the register who own no home, taken after the ones the resale contracts use.
The codes the buyers and the seal holder confirm with are read back from the outbox row
the service wrote; ``demo.contracts`` marks the whole outbox sent at the end of the load.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from sqlmodel import Session

from core.clock import ManualClock
from core.errors import RuleViolation
from core.identity import make_enterprise_code, make_resident_id
from core.presale.contracts import Buyer, ContractEntry
from core.presale.developers import BankEntry, DeveloperEntry
from core.presale.projects import CertificateEntry, ProjectEntry
from core.presale.survey_file import parse_survey_csv
from core.presale.units import check_selection
from core.roles import Actor, HALL_ROLES, Role
from demo.contracts import PLAN as RESALE_PLAN
from demo.contracts import actor_of, latest_code, plain_buyers
from demo.sample_files import sample_directory
from services import cases, operators
from services.presale import (
    contracts,
    developers,
    funds,
    ledger,
    mortgages,
    permits,
    projects,
    returns,
    rooms,
    surveys,
    users,
)
from storage.engine import Database

__all__ = ["BANK", "CENTRE", "CREDIT_CODE", "DEVELOPER", "PLAN", "PresaleLeft", "demo_accounts", "play_presale"]

DEVELOPER = "湘江新城置业有限公司"
PROJECT = "星城雅苑"
LEGAL_REP_PHONE = "13975100168"  # the seal holder: the legal representative's phone
BANK = "中国建设银行"
CENTRE = "长沙住房公积金管理中心"  # the provident-fund centre the buyers' fund loans come from
SUPERVISOR = "super1"
#: The enterprise, surveys, rooms, agreement and permits happened more than a year before the
#: demo (sales go on for a year and more): their permit numbers take an earlier year's sequence,
#: never the numbers of the demo's own year, which the counter's own permits take from 00001.
EARLY = 400
PREDICTED, ACTUAL = "1栋", "2栋"


#: The enterprise's credit code (registered in 长沙市岳麓区).
CREDIT_CODE = make_enterprise_code(random.Random(2026), "430104")

#: (what to leave, unit, days before the demo it was accepted, payment method). Never the day
#: before the demo: a case accepted then would take that day's first 业务号, which the tests'
#: own cases of that day expect.
PLAN: tuple[tuple[str, str, int, str], ...] = (
    ("filed", "5-03", 15, "一次性付款"),
    ("bank_review", "8-02", 10, "商业贷款"),
    ("signed", "10-05", 7, "一次性付款"),
    ("awaiting_payment", "12-01", 4, "商业贷款"),
    ("draft", "15-04", 2, "一次性付款"),
    ("fund_review", "9-03", 12, "公积金贷款"),
    ("combined_review", "11-02", 9, "组合贷"),
)
#: The spot-sale contract's buyer among the presale's buyers: the sixth; the returned contract's
#: the seventh (the fund centre's contracts, added later, take the eighth and ninth, so the demo's
#: people stay who they were).
SPOT_BUYER, RETURNED_BUYER = 5, 6
SURVEY_FILES = ("survey_D004_predicted.csv", "survey_D004_actual.csv")
SPOT_UNIT, SPOT_DAYS = "3-02", 20  # 2栋: sold on the spot-sale permit, filed
RETURNED_UNIT, RETURNED_DAYS = "6-01", 60  # 1栋: sold, filed, returned; half refunded so far
#: 1栋's floors under the works-in-progress mortgage (signing authorised on the first only)
MORTGAGED = tuple(f"{floor}-{n:02d}" for floor in (16, 17) for n in range(1, 7))
LOAN_BANK = "中国农业银行"
VOUCHER = "return_voucher.pdf"  # the return's voucher (a sample PDF, in the sample directory)
UNIT_PRICE = {PREDICTED: Decimal("8600.00"), ACTUAL: Decimal("9200.00")}


@dataclass(frozen=True)
class PresaleLeft:
    """What the step made, for the loader's counts."""

    buildings: int
    units: int
    contracts: dict[str, int]  # state → contracts


def demo_accounts(directory: Path | str | None = None) -> list[dict[str, object]]:
    """The demo's accounts that are not the hall's own staff (made here, through the services)."""
    rows = json.loads((sample_directory(directory) / "operators.json").read_text(encoding="utf-8"))
    return [r for r in rows if Role(r["role"]) not in HALL_ROLES]


def _entry(rng: random.Random) -> DeveloperEntry:
    return DeveloperEntry(
        credit_code=CREDIT_CODE, name=DEVELOPER, kind="有限责任公司", legal_rep_name="周国栋",
        legal_rep_id_number=make_resident_id(rng, region_code="430104", birth_date=date(1972, 5, 18), sex="男"),
        legal_rep_phone=LEGAL_REP_PHONE, region="长沙市", established_on="2012-03-16",
        licence_number="430104000126835")


def play_presale(steps: Database, session: Session, actor: Actor, clock: ManualClock, loaded_at: datetime,
                 directory: Path | None = None) -> PresaleLeft:
    """Make the demo's presale (see the module docstring), on ``clock`` counted back from ``loaded_at``."""
    folder = sample_directory(directory)
    t0 = loaded_at.replace(second=0, microsecond=0)
    ticks = [0]

    def at(days: int) -> None:
        """The clock on the day ``days`` before the demo, two minutes further at every call."""
        ticks[0] += 1
        clock.set(t0 - timedelta(days=days) + timedelta(minutes=2 * ticks[0]))

    aside = [0]

    def off_plan(days: int) -> None:
        """Like ``at``, for what came after the plan (the return and refund, the mortgage, a
        back-entry): minutes of its own, so the plan's steps keep the times they always had."""
        aside[0] += 1
        clock.set(t0 - timedelta(days=days) + timedelta(hours=6, minutes=2 * aside[0]))

    accounts = {str(r["username"]): r for r in demo_accounts(directory)}
    by_role: dict[Role, list[str]] = {Role(r["role"]): [] for r in accounts.values()}
    for name, r in accounts.items():
        by_role[Role(r["role"])].append(name)
    admin_name, dev_names, bank_name = by_role[Role.DEVELOPER_ADMIN][0], by_role[Role.DEVELOPER], \
        by_role[Role.BANK_REVIEWER][0]
    centre_name = by_role[Role.FUND_CENTRE_REVIEWER][0]
    authority = actor_of(session, SUPERVISOR)

    # -- the enterprise, its people, its project
    at(EARLY + 90)
    developers.register_developer(steps, authority, _entry(random.Random(4301)))
    a = accounts[admin_name]
    developers.add_developer_admin(steps, authority, CREDIT_CODE, username=admin_name, name=str(a["name"]),
                                   phone=str(a["phone"]), password=str(a["password"]))
    admin = actor_of(session, admin_name)
    at(EARLY + 90)
    supervision = developers.add_bank(steps, admin, None, BankEntry(
        purpose="supervision", bank_name=BANK, branch="长沙岳麓支行", account_name=f"{DEVELOPER}预售资金监管专户",
        account_number="43050175123600001688"))
    developers.add_bank(steps, admin, None, BankEntry(purpose="mortgage", bank_name=BANK, branch="长沙岳麓支行"))
    developers.add_bank(steps, admin, None, BankEntry(purpose="loan", bank_name=LOAN_BANK, branch="长沙麓谷支行"))
    for name in dev_names:
        r = accounts[name]
        users.add_user(steps, admin, username=name, name=str(r["name"]), phone=str(r["phone"]),
                       password=str(r["password"]))
    users.apply_admission(steps, admin, dev_names)
    at(EARLY + 89)
    for name in dev_names:
        users.decide_admission(steps, authority, name, approve=True, note="资料齐全，准予入网。")
    b = accounts[bank_name]
    operators.add_operator(steps, actor, username=bank_name, name=str(b["name"]), role=Role.BANK_REVIEWER.value,
                           password=str(b["password"]), bank=str(b["bank"]))
    g = accounts[centre_name]
    operators.add_operator(steps, actor, username=centre_name, name=str(g["name"]),
                           role=Role.FUND_CENTRE_REVIEWER.value, password=str(g["password"]), bank=str(g["bank"]))
    dev, bank = actor_of(session, dev_names[0]), actor_of(session, bank_name)
    project = projects.add_project(steps, authority, ProjectEntry(
        name=PROJECT, location="长沙市岳麓区麓谷街道桐梓坡西路218号", district="岳麓区", land_area="23650.00",
        floor_area="68200.00", property_company="长沙星城物业服务有限公司"), credit_code=CREDIT_CODE)
    for kind, number in ((1, "湘（2024）长沙市不动产权第0215836号"), (2, "地字第430104202400118号"),
                         (3, "建字第430104202400236号"), (4, "430104202405200101")):
        projects.add_certificate(steps, authority, project.id, CertificateEntry(
            kind=str(kind), number=number, issued_on="2024-05-20", issuer="长沙市自然资源和规划局"
            if kind < 4 else "长沙市住房和城乡建设局"))

    # -- the surveys, the rooms, the agreement, the permits
    areas: dict[str, dict[str, Decimal]] = {}
    for building, type_code, number, file in ((PREDICTED, "survey_predicted", "CL20250601001", SURVEY_FILES[0]),
                                              (ACTUAL, "survey_actual", "CL20250601002", SURVEY_FILES[1])):
        at(EARLY + 80)
        text = (folder / file).read_text(encoding="utf-8")
        areas[building] = _areas(text)
        _archive_survey(steps, dev, authority, project.id, building, type_code, number, text)
    for building, type_code, units in ((PREDICTED, "room_predicted", ["1-01", "1-02"]),
                                       (ACTUAL, "room_actual", ["1-01B"])):
        at(EARLY + 75)
        case = rooms.start_rooms(steps, dev, type_code=type_code, project_id=project.id, building=building).case_number
        rooms.set_rooms(steps, dev, case, add=units)
        rooms.submit_rooms(steps, dev, case)
        cases.receive_case(steps, authority, case)
        rooms.archive_rooms(steps, authority, case, note="同意核定为物管用房。")
    at(EARLY + 70)
    agreement = funds.start_agreement(steps, dev, kind="sign", project_id=project.id, building=PREDICTED).case_number
    funds.enter_agreement(steps, dev, agreement, bank_id=supervision.id, works_progress="主体结构施工至十层",
                          presale_total="86000000")
    funds.save_text(steps, dev, agreement)
    funds.submit_agreement(steps, dev, agreement)
    cases.receive_case(steps, authority, agreement)
    funds.review_agreement(steps, authority, agreement, opinion="经审核，同意。")
    at(EARLY + 69)
    cases.receive_case(steps, bank, agreement)
    funds.review_agreement(steps, bank, agreement, opinion="同意监管。")
    issued = {}
    for building, type_code in ((PREDICTED, "permit_presale"), (ACTUAL, "permit_spot")):
        at(EARLY + 60)
        case = permits.start_permit(steps, dev, type_code=type_code, project_id=project.id,
                                    building=building).case_number
        permits.set_scope(steps, dev, case, all_units=True)
        permits.submit_permit(steps, dev, case)
        cases.receive_case(steps, authority, case)
        issued[building] = permits.archive_permit(steps, authority, case, note="符合销售条件，准予许可。").permit_number
    off_plan(EARLY + 50)
    mortgage = mortgages.set_up_mortgage(steps, authority, project.id, PREDICTED, bank_id=None,
                                         mortgage_contract="农银长沙DY2025-0168", amount="30000000",
                                         units=list(MORTGAGED))
    mortgages.authorise_signing(steps, authority, mortgage.id, [MORTGAGED[0]])

    # -- the contracts (-20 days to the day before yesterday)
    buyers = plain_buyers(session, len(RESALE_PLAN) + len(PLAN) + 2, set())[len(RESALE_PLAN):]
    code = _code_reader(session)  # (in time order: one code a minute to the seal holder's phone)
    p = buyers[SPOT_BUYER]
    buyer = Buyer(p.name, p.id_number, p.phone or "")
    at(SPOT_DAYS)
    number = contracts.start_contract(steps, dev, permit_number=issued[ACTUAL], unit_no=SPOT_UNIT).case_number
    view = contracts.save_entry(steps, dev, number, _contract_entry(
        buyer, "一次性付款", area=areas[ACTUAL][SPOT_UNIT], unit_price=UNIT_PRICE[ACTUAL]))
    contracts.record_payment(steps, dev, number, _half(view.amount_due), receipt="XS0001")
    _sign_and_seal(steps, dev, number, buyer, code, at, SPOT_DAYS)
    at(SPOT_DAYS - 2)
    contracts.file_contract(steps, authority, number, note="准予备案。")
    left: dict[str, int] = {"spot_filed": 1}
    p = buyers[RETURNED_BUYER]
    _returned(steps, dev, authority, Buyer(p.name, p.id_number, p.phone or ""), issued[PREDICTED],
              areas[PREDICTED][RETURNED_UNIT], code, off_plan, folder / VOUCHER)
    left["returned"] = 1
    for n, (state, unit, days, method) in sorted(enumerate(PLAN), key=lambda planned: -planned[1][2]):  # in time
        p = buyers[n + 2 * (n >= SPOT_BUYER)]
        buyer = Buyer(p.name, p.id_number, p.phone or "")
        at(days)
        number = contracts.start_contract(steps, dev, permit_number=issued[PREDICTED], unit_no=unit).case_number
        view = contracts.save_entry(steps, dev, number, _contract_entry(
            buyer, method, area=areas[PREDICTED][unit], unit_price=UNIT_PRICE[PREDICTED]))
        if state != "draft":  # the first half paid at once
            contracts.record_payment(steps, dev, number, _half(view.amount_due), receipt=f"SK{n + 1:04d}")
        if state not in ("draft", "awaiting_payment"):  # the rest, then signed (and sealed)
            _sign_and_seal(steps, dev, number, buyer, code, at, days, seal=state != "signed")
        # signed: the buyer confirmed, the developer's seal awaited (a case for the developer, not
        # the authority's: the hall's staff find their desks as the sample left them);
        # bank_review: with the bank's reviewer, who has not received it yet; fund_review and
        # combined_review: with the fund centre's reviewer (the combined loan then goes to the bank)
        if state == "filed":
            at(days - 3)
            contracts.file_contract(steps, authority, number, note="准予备案。")
        if state == "awaiting_payment":  # the second half back-entered, waiting for the review
            off_plan(days - 1)
            ledger.add_entry(steps, dev, number, kind="入账", amount=str(view.amount_due - _half(view.amount_due)),  # type: ignore[operator]
                             receipt=f"YH{n + 1:04d}", paid_on=(t0 - timedelta(days=days - 1)).date().isoformat())
        left[state] = left.get(state, 0) + 1
    return PresaleLeft(len(areas), sum(len(a) for a in areas.values()), left)


def _returned(steps: Database, dev: Actor, authority: Actor, buyer: Buyer, permit: str, area: Decimal,
              code: Callable[[str], str], at: Callable[[int], None], voucher: Path) -> None:
    """``RETURNED_UNIT`` sold (paid in full, signed, sealed, filed), returned (退房, archived),
    then half of the money refunded through the ledger (退款, approved): half still to refund."""
    days = RETURNED_DAYS
    at(days)
    number = contracts.start_contract(steps, dev, permit_number=permit, unit_no=RETURNED_UNIT).case_number
    contracts.save_entry(steps, dev, number, _contract_entry(buyer, "一次性付款", area=area,
                                                             unit_price=UNIT_PRICE[PREDICTED]))
    _sign_and_seal(steps, dev, number, buyer, code, at, days)
    at(days - 3)
    contract = contracts.file_contract(steps, authority, number, note="准予备案。").number
    at(40)
    case = returns.start_return(steps, dev, contract=contract).case_number
    returns.save_reason(steps, dev, case, applicant=0, reason="买受人因工作调动离开长沙，双方协商一致解除合同。")
    returns.submit_return(steps, dev, case)
    at(39)
    returns.attach_voucher(steps, authority, case, str(voucher))
    returns.archive_return(steps, authority, case, note="凭证齐全，准予退房。")
    at(38)
    paid = contracts.show_contract(steps, dev, number).paid
    refund = ledger.add_entry(steps, dev, contract, kind="退款", amount=str(_half(paid)), receipt="TK0001",
                              note="首笔退款")
    at(37)
    ledger.review_entry(steps, authority, refund.case_number, approve=True, opinion="退款凭证与银行回单一致。")


def _areas(text: str) -> dict[str, Decimal]:
    """Each unit's built area in a survey file (the price follows it)."""
    lines, _ = parse_survey_csv(text)
    return {line.unit_no: line.built_area for line in lines}  # type: ignore[misc]


def _contract_entry(buyer: Buyer, method: str, *, area: Decimal, unit_price: Decimal) -> ContractEntry:
    """购房合同录入 as the developer types it, priced by built area; a loan: 30% down (to the fen),
    the rest lent by the enterprise's 按揭银行 (商业贷款), the fund centre (公积金贷款), or half by
    each (组合贷); the buyer its mortgagor."""
    base = ContractEntry(buyers=(buyer,), price_basis="按建筑面积计算", unit_price=str(unit_price),
                         payment_method=method, delivery_date="2027年12月31日前")
    if method == "一次性付款":
        return base
    total = (area * unit_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    down = (total * Decimal("0.3")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    lent = total - down
    if method == "公积金贷款":
        return replace(base, down_payment=str(down), fund_loan=str(lent), fund_centre=CENTRE,
                       mortgagor=buyer.name, mortgagee=CENTRE)
    if method == "组合贷":
        fund = (lent / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return replace(base, down_payment=str(down), commercial_loan=str(lent - fund), fund_loan=str(fund),
                       loan_bank=BANK, fund_centre=CENTRE, mortgagor=buyer.name, mortgagee=f"{BANK}、{CENTRE}")
    return replace(base, down_payment=str(down), commercial_loan=str(lent), loan_bank=BANK,
                   mortgagor=buyer.name, mortgagee=BANK)


def _half(amount: Decimal | None) -> Decimal:
    return ((amount or Decimal(0)) / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _code_reader(session: Session) -> Callable[[str], str]:
    return lambda phone: latest_code(session, phone)


def _sign_and_seal(steps: Database, dev: Actor, number: str, buyer: Buyer,
                   code: Callable[[str], str], at: Callable[[int], None], days: int, *, seal: bool = True) -> None:
    """Paid up, the buyer's code, 签约 confirmed; with ``seal`` the seal holder's code: sealed
    (then routed to the bank or the filing)."""
    view = contracts.show_contract(steps, dev, number)
    contracts.record_payment(steps, dev, number, view.amount_due - view.paid)  # type: ignore[operator]
    contracts.complete_entry(steps, dev, number)
    at(days - 1)
    contracts.send_buyer_code(steps, dev, number)
    contracts.verify_buyer_code(steps, dev, number, code(buyer.phone))
    contracts.confirm_signing(steps, dev, number)
    if not seal:
        return
    at(days - 1)
    contracts.send_seal_code(steps, dev, number)
    contracts.seal_contract(steps, dev, number, code(LEGAL_REP_PHONE))


def _archive_survey(steps: Database, dev: Actor, authority: Actor, project_id: int, building: str, type_code: str,
                    number: str, text: str) -> str:
    """Import, complete what the file left empty, dispatch; received and archived by the authority."""
    case = surveys.start_survey(steps, dev, type_code=type_code, project_id=project_id, building=building,
                                survey_number=number, text=text).case_number
    for field, value in (("户型", "复式五室两厅"), ("装修情况", "毛坯")):
        try:
            surveys.batch_set(steps, dev, case, check_selection(empty=field), {field: value})
        except RuleViolation as nothing:  # the file gave every unit's
            if nothing.code != "SELECTION_NOTHING":
                raise
    surveys.set_building_info(steps, dev, case, structure="钢筋混凝土结构", floors_above="17")
    surveys.submit_survey(steps, dev, case)
    cases.receive_case(steps, authority, case)
    surveys.archive_survey(steps, authority, case, note="同意备案。")
    return case

