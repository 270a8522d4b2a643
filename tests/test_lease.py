"""公租房租赁签约 in the database: the whole flow clerk → supervisor, the
reject path, and every refusal writing nothing — on both databases."""

from __future__ import annotations

import shutil
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.allocation import lease as rules
from core.errors import RuleViolation
from core.roles import Actor, Role
from core.timeutil import local_today
from services import audit, cases
from services.allocation import lease as svc
from storage.engine import Database
from storage.models import (
    AllocationRound,
    AuditEntry,
    Case,
    CaseEvent,
    Family,
    FamilyMember,
    Lease,
    Person,
    PublicHouse,
    RoundFamily,
    SmsMessage,
)
from tests.conftest import configure, make_operator

PHONE = "13812345678"
NEW_PHONE = "13900001111"
RENT = Decimal("1306.40")
RENT_CAPITALS = "壹仟叁佰零陆元肆角"
CARD = "6217000010012345670"  # completed with its Luhn digit below
CARD = CARD[:-1] + rules.luhn_check_digit(CARD[:-1])
# The round ran four days ago and was published yesterday: its families are
# inside their signing window (WANGQIAN_SIGNING_DAYS from publication) today.
T0 = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=4)

HAS_PDFTOTEXT = shutil.which("pdftotext") is not None


# ------------------------------------------------------------------ set-up


def _family(session: Any, rank: int, name: str, id_number: str, phone: str | None) -> Family:
    person = Person(name=name, id_kind="resident_id", id_number=id_number, region="mainland", phone=phone)
    session.add(person)
    session.flush()
    family = Family(main_applicant_id=person.id, rank=rank, size=2, status="allocated", eligible_layouts="2b")
    session.add(family)
    session.flush()
    spouse = Person(name=f"{name[0]}配偶", id_kind="resident_id", id_number=id_number[:-4] + "9999", region="mainland")
    session.add(spouse)
    session.flush()
    session.add(FamilyMember(family_id=family.id, person_id=person.id, relation="本人"))
    session.add(FamilyMember(family_id=family.id, person_id=spouse.id, relation="配偶"))
    return family


def _round(session: Any, number: int, status: str) -> AllocationRound:
    rnd = AllocationRound(
        number=number, name=f"龙悦居第{number}批", pre_open=T0, pre_close=T0 + timedelta(days=1),
        formal_open=T0 + timedelta(days=2), formal_close=T0 + timedelta(days=2, hours=2), status=status,
        run_count=1 if status == "published" else 0,
        published_at=T0 + timedelta(days=3) if status == "published" else None,
    )
    session.add(rnd)
    session.flush()
    return rnd


def _house(session: Any, code: str, room: str) -> PublicHouse:
    house = PublicHouse(code=code, project="龙悦居三期", building="3", unit="1", floor=12, room=room, layout="2b",
                        orientation="南", area=Decimal("65.32"), monthly_rent=RENT)
    session.add(house)
    session.flush()
    return house


def _setup(db: Database) -> dict[str, int]:
    """A published round: family A allocated house 1 (taken), family B not allocated;
    an open round where family C waits with house 2 confirmed."""
    with db.write() as session:
        a = _family(session, 1, "王小明", "440301199001011234", PHONE)
        b = _family(session, 2, "李大军", "440301198502021235", "13700002222")
        c = _family(session, 3, "陈美玲", "440301198803031236", "13600003333")
        published = _round(session, 1, "published")
        open_round = _round(session, 2, "open")
        h1 = _house(session, "LY-3-1203", "1203")
        h2 = _house(session, "LY-3-1204", "1204")
        h1.state, h1.taken_round_id, h1.taken_family_id, h1.taken_rank = "taken", published.id, a.id, 1
        session.add(RoundFamily(round_id=published.id, family_id=a.id, rank=1, result_house_id=h1.id,
                                result_status="allocated"))
        session.add(RoundFamily(round_id=published.id, family_id=b.id, rank=2, result_status="not_allocated"))
        session.add(RoundFamily(round_id=open_round.id, family_id=c.id, rank=3, confirm_house_id=h2.id))
        session.flush()
        return {"round": published.id, "open_round": open_round.id, "a": a.id, "b": b.id, "c": c.id,
                "house": h1.id}


def _tenant_info(db: Database, actor: Actor, number: str, **overrides: Any) -> None:
    values = {"phone": NEW_PHONE, "employer": "深圳市某某科技有限公司", "bank_name": "招商银行深圳福田支行",
              "bank_account": " ".join(CARD[i:i + 4] for i in range(0, len(CARD), 4))}
    svc.save_tenant_info(db, actor, number, **{**values, **overrides})


def _to_review(db: Database, clerk: Actor, ids: dict[str, int]) -> str:
    number = svc.start_lease(db, clerk, ids["round"], ids["a"])
    _tenant_info(db, clerk, number)
    svc.record_identity_check(db, clerk, number, who="main_applicant", document_seen="居民身份证原件")
    svc.sign_contract(db, clerk, number)
    svc.record_deposit(db, clerk, number)
    return number


def _footprint(db: Database) -> tuple[Any, ...]:
    """Everything a lease step may write: row counts, and the lease and case rows."""
    with db.read() as session:
        counts = tuple(session.execute(select(func.count()).select_from(m)).scalar_one()
                       for m in (AuditEntry, Case, CaseEvent, Lease, SmsMessage))
        leases = [tuple(row) for row in session.execute(select(Lease.__table__)).all()]  # type: ignore[attr-defined]
        case_rows = [tuple(row) for row in session.execute(select(Case.__table__)).all()]  # type: ignore[attr-defined]
    return counts, leases, case_rows


def _refused(db: Database, code: str, fn: Any, *args: Any, field: str | None = None, **kwargs: Any) -> RuleViolation:
    before = _footprint(db)
    with pytest.raises(RuleViolation) as info:
        fn(db, *args, **kwargs)
    assert info.value.code == code, info.value
    assert info.value.message.endswith("。"), info.value.message
    if field is not None:
        assert info.value.field == field
    assert _footprint(db) == before, f"{code}: a refused step wrote something"
    return info.value


def _pdf_text(pdf: bytes, tmp_path: Any, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def _sms(db: Database) -> list[SmsMessage]:
    with db.read() as session:
        return list(session.execute(select(SmsMessage).order_by(SmsMessage.id)).scalars())


# ------------------------------------------------------------------ the whole flow


def test_whole_flow_from_clerk_to_supervisor_approval(db, clerk, supervisor, tmp_path):
    ids = _setup(db)
    number = svc.start_lease(db, clerk, ids["round"], ids["a"])
    assert number.startswith("G")
    view = svc.lease_detail(db, clerk, number)
    assert (view.stage, view.stage_name, view.holder) == ("tenant_info", "完善承租信息", clerk.name)
    assert view.tenant_phone == "138****5678"  # prefilled from the main applicant, masked
    assert view.tenant_masked_id == "440301********1234" and view.house.layout == "两房一厅"
    assert view.house.location == "3栋1单元1203室" and view.deposit_due == Decimal("2612.80")
    assert not (view.can_print_contract or view.can_print_receipt or view.can_print_move_in)

    _tenant_info(db, clerk, number)
    svc.record_identity_check(db, clerk, number, who="proxy", proxy_name="王小红", document_seen="授权委托书及受托人身份证原件")
    contract_number = svc.sign_contract(db, clerk, number)
    assert contract_number == "GZ" + number[1:]
    view = svc.lease_detail(db, clerk, number)
    assert view.stage == "deposit" and view.can_print_contract and not view.can_print_receipt
    assert view.tenant_phone == "139****1111" and view.bank_account == f"{CARD[:4]} **** **** *** {CARD[-4:]}"
    assert view.identity_checked == "受托人王小红（授权委托书及受托人身份证原件）"
    today = local_today(db.now())
    assert (view.term_start, view.term_end) == rules.lease_term(today)

    receipt = svc.record_deposit(db, clerk, number, amount=Decimal("2612.8"), method="扫码支付")
    assert receipt == "YJ" + number[1:]
    view = svc.lease_detail(db, supervisor, number)
    assert (view.stage, view.holder, view.waiting_for) == ("review", None, "审核主管")
    assert view.deposit_paid == Decimal("2612.80") and view.review_status == "pending"

    svc.review_lease(db, supervisor, number, approve=True)
    view = svc.lease_detail(db, clerk, number)
    assert (view.status, view.review_status, view.reviewed_by) == ("archived", "approved", supervisor.name)
    assert view.next_step == rules.NEXT_APPROVED and view.can_print_move_in
    with db.read() as session:  # the facts of each step are kept on the lease row
        lease = session.execute(select(Lease).where(Lease.family_id == ids["a"])).scalar_one()
        assert (lease.identity_proxy_name, lease.identity_document) == ("王小红", "授权委托书及受托人身份证原件")
        assert (lease.signed_on, lease.term_start, lease.term_end) == (today, *rules.lease_term(today))
        assert lease.deposit_method == "扫码支付"

    [message] = _sms(db)
    assert (message.phone, message.purpose, message.case_number) == (NEW_PHONE, "lease_approved", number)
    assert message.text.startswith("【网签】您的公租房租赁签约已审核通过") and "请于" in message.text and "办理入住" in message.text
    assert contract_number in message.text

    detail = cases.case_detail(db, clerk, number)
    assert [(s.action, s.stage) for s in detail.timeline] == [
        ("发起业务", "完善承租信息"),
        ("派工", "身份核验"), ("接件", "身份核验"),
        ("派工", "签订合同"), ("接件", "签订合同"),
        ("派工", "押金缴纳"), ("接件", "押金缴纳"),
        ("派工", "签约审核"), ("接件", "签约审核"),
        ("归档", "签约审核"),
    ]
    assert [s.operator for s in detail.timeline][-2:] == [supervisor.name, supervisor.name]
    assert detail.status_label == "已办结"
    assert audit.verify(db, supervisor).intact

    # The audit log never holds the full bank account or phone.
    with db.read() as session:
        texts = " ".join(f"{e.before or ''} {e.after or ''}" for e in session.execute(select(AuditEntry)).scalars())
    assert CARD not in texts and NEW_PHONE not in texts

    contract = svc.lease_contract_pdf(db, clerk, number)
    receipt_pdf = svc.deposit_receipt_pdf(db, clerk, number)
    notice = svc.move_in_notice_pdf(db, clerk, number)
    assert all(pdf.startswith(b"%PDF") for pdf in (contract, receipt_pdf, notice))
    if HAS_PDFTOTEXT:
        text = _pdf_text(contract, tmp_path, "contract")
        assert "王小明" in text and RENT_CAPITALS in text and contract_number in text
        assert CARD[-4:] in text and CARD not in text and "440301********1234" in text
        assert "两房一厅" in text and "配偶王*" in text and "深圳市某某科技有限公司" in text
        text = _pdf_text(receipt_pdf, tmp_path, "receipt")
        assert receipt in text and "贰仟陆佰壹拾贰元捌角" in text and "扫码支付" in text
        assert f"{clerk.name}（01号窗口）" in text
        text = _pdf_text(notice, tmp_path, "notice")
        assert ("RZ" + number[1:]) in text and "王小明" in text

    rows = svc.leases_for_family(db, clerk, ids["a"])
    assert [(r.case_number, r.house_code, r.status_label, r.review_label) for r in rows] == [
        (number, "LY-3-1203", "已办结", "审核通过")
    ]


# ------------------------------------------------------------------ reject path


def test_rejection_goes_back_to_the_clerk_with_the_reason_and_an_sms(db, clerk, supervisor):
    ids = _setup(db)
    number = _to_review(db, clerk, ids)
    _refused(db, "LEASE_REJECT_REASON_REQUIRED", svc.review_lease, supervisor, number, approve=False, note=" ",
             field="note")
    svc.review_lease(db, supervisor, number, approve=False, note="托收银行卡非主申请人本人名下")

    with db.read() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        assert (case.stage, case.holder_id, case.pending_operator_id) == ("tenant_info", None, clerk.operator_id)
    view = svc.lease_detail(db, clerk, number)
    assert view.review_status == "rejected" and view.review_note == "托收银行卡非主申请人本人名下"
    assert view.next_step.startswith("审核退回：托收银行卡非主申请人本人名下。")
    assert not view.can_print_contract and view.can_print_receipt  # to be signed again; the money was paid
    step = cases.case_detail(db, clerk, number).timeline[-1]
    assert (step.action, step.stage, step.note) == ("退件", "完善承租信息", "托收银行卡非主申请人本人名下")
    [message] = _sms(db)
    assert (message.phone, message.purpose) == (NEW_PHONE, "lease_rejected")
    assert "未通过审核" in message.text and "托收银行卡非主申请人本人名下" in message.text
    _refused(db, "LEASE_CONTRACT_NOT_SIGNED", svc.lease_contract_pdf, clerk, number)
    _refused(db, "LEASE_NOT_APPROVED", svc.move_in_notice_pdf, clerk, number)

    # The clerk corrects and resubmits; the deposit paid before is not taken again.
    other_card = "6222021234567890128"
    _tenant_info(db, clerk, number, bank_account=other_card, bank_name="工行")
    svc.record_identity_check(db, clerk, number, who="main_applicant", document_seen="居民身份证原件")
    svc.sign_contract(db, clerk, number, start=local_today(db.now()) + timedelta(days=10))
    _refused(db, "LEASE_DEPOSIT_WRONG_AMOUNT", svc.record_deposit, clerk, number, amount=Decimal("1"), field="amount")
    assert svc.record_deposit(db, clerk, number) == "YJ" + number[1:]
    svc.review_lease(db, supervisor, number, approve=True, note="已更正")
    view = svc.lease_detail(db, clerk, number)
    assert view.status == "archived" and view.bank_name == "中国工商银行" and view.bank_account.endswith("0128")
    assert view.term_start == local_today(db.now()) + timedelta(days=10)
    assert [m.purpose for m in _sms(db)] == ["lease_rejected", "lease_approved"]
    with db.read() as session:
        deposits = session.execute(select(func.count()).select_from(AuditEntry)
                                   .where(AuditEntry.action == svc.A_DEPOSIT)).scalar_one()
    assert deposits == 1


# ------------------------------------------------------------------ refusals


def test_every_step_refuses_at_the_wrong_stage_or_with_bad_input_and_writes_nothing(db, clerk, supervisor):
    ids = _setup(db)
    number = svc.start_lease(db, clerk, ids["round"], ids["a"])
    other_clerk = make_operator(db, "clerk_b", Role.CLERK, window="02")

    error = _refused(db, "LEASE_WRONG_STAGE", svc.record_identity_check, clerk, number, who="main_applicant",
                     document_seen="居民身份证原件")
    assert "完善承租信息" in error.message and "身份核验" in error.message
    _refused(db, "LEASE_WRONG_STAGE", svc.sign_contract, clerk, number)
    _refused(db, "LEASE_WRONG_STAGE", svc.record_deposit, clerk, number)
    _refused(db, "LEASE_WRONG_STAGE", svc.review_lease, supervisor, number, approve=True)
    _refused(db, "LEASE_NOT_HOLDER", _tenant_info, other_clerk, number)
    _refused(db, "PHONE_BAD_FORMAT", _tenant_info, clerk, number, phone="0755-12345678", field="phone")
    wrong_digit = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    _refused(db, "BANK_ACCOUNT_BAD_CHECK", _tenant_info, clerk, number, bank_account=wrong_digit, field="bank_account")
    _refused(db, "BANK_ACCOUNT_BAD_LENGTH", _tenant_info, clerk, number, bank_account="12345", field="bank_account")
    _refused(db, "BANK_NAME_UNKNOWN", _tenant_info, clerk, number, bank_name="微信零钱", field="bank_name")
    _refused(db, "EMPLOYER_TOO_LONG", _tenant_info, clerk, number, employer="字" * 101, field="employer")
    _refused(db, "LEASE_CONTRACT_NOT_SIGNED", svc.lease_contract_pdf, clerk, number)
    _refused(db, "LEASE_DEPOSIT_NOT_PAID", svc.deposit_receipt_pdf, clerk, number)
    _refused(db, "CASE_NOT_FOUND", svc.save_tenant_info, clerk, "G209901010000001", phone=PHONE, employer="",
             bank_name="建行", bank_account=CARD)

    _tenant_info(db, clerk, number, employer="")  # unemployed: allowed
    _refused(db, "LEASE_PROXY_NAME_REQUIRED", svc.record_identity_check, clerk, number, who="proxy",
             document_seen="授权委托书", field="proxy_name")
    svc.record_identity_check(db, clerk, number, who="main_applicant", document_seen="居民身份证原件")
    _refused(db, "LEASE_START_IN_PAST", svc.sign_contract, clerk, number, start=local_today(db.now()) - timedelta(days=1),
             field="start")
    svc.sign_contract(db, clerk, number)
    error = _refused(db, "LEASE_DEPOSIT_WRONG_AMOUNT", svc.record_deposit, clerk, number, amount=Decimal("1306.40"),
                     field="amount")
    assert RENT_CAPITALS not in error.message and "贰仟陆佰壹拾贰元捌角" in error.message
    _refused(db, "LEASE_DEPOSIT_METHOD_BAD", svc.record_deposit, clerk, number, method="支票", field="method")
    svc.record_deposit(db, clerk, number)

    _refused(db, "ROLE_FORBIDDEN", svc.review_lease, clerk, number, approve=True)
    _refused(db, "LEASE_WRONG_STAGE", _tenant_info, clerk, number)
    _refused(db, "LEASE_NOT_APPROVED", svc.move_in_notice_pdf, clerk, number)
    svc.review_lease(db, supervisor, number, approve=True)
    _refused(db, "LEASE_CLOSED", svc.review_lease, supervisor, number, approve=False, note="再看看")
    _refused(db, "LEASE_CLOSED", _tenant_info, clerk, number)
    assert svc.lease_detail(db, clerk, number).employer == ""


def test_starting_a_lease_is_refused_unless_the_family_holds_the_house(db, clerk, supervisor):
    ids = _setup(db)
    _refused(db, "LEASE_FAMILY_NOT_HOUSED", svc.start_lease, clerk, ids["round"], ids["b"], field="family")
    _refused(db, "LEASE_ROUND_NOT_PUBLISHED", svc.start_lease, clerk, ids["open_round"], ids["c"], field="round")
    _refused(db, "ROUND_FAMILY_NOT_IN_ROUND", svc.start_lease, clerk, ids["round"], ids["c"])
    _refused(db, "CASE_WRONG_ROLE", svc.start_lease, supervisor, ids["round"], ids["a"])
    with db.write() as session:  # the house row says otherwise (e.g. released by hand)
        session.get(PublicHouse, ids["house"]).taken_family_id = ids["b"]
    _refused(db, "LEASE_HOUSE_NOT_TAKEN", svc.start_lease, clerk, ids["round"], ids["a"])
    with db.write() as session:
        session.get(PublicHouse, ids["house"]).taken_family_id = ids["a"]

    first = svc.start_lease(db, clerk, ids["round"], ids["a"])
    error = _refused(db, "LEASE_ALREADY_STARTED", svc.start_lease, clerk, ids["round"], ids["a"])
    assert first in error.message

    # A cancelled acceptance (取消受理) frees the house for a new lease case.
    cases.cancel_case(db, clerk, first, reason="申请人要求重新办理")
    _refused(db, "LEASE_CANCELLED", _tenant_info, clerk, first)
    second = svc.start_lease(db, clerk, ids["round"], ids["a"])
    assert second != first
    assert [r.case_number for r in svc.leases_for_family(db, clerk, ids["a"])] == [second]
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.action == svc.A_DISCARD)).scalar_one() == 1


def test_deposit_months_come_from_the_settings_and_a_reviewer_never_reviews_own_work(db, clerk):
    ids = _setup(db)
    admin = make_operator(db, "admin_a", Role.ADMIN)
    number = svc.start_lease(db, admin, ids["round"], ids["a"])
    _tenant_info(db, admin, number)
    svc.record_identity_check(db, admin, number, who="main_applicant", document_seen="居民身份证原件")
    assert svc.lease_detail(db, admin, number).deposit_due == 2 * RENT  # before signing: the hall's current setting
    configure(db, deposit_months=3)
    svc.sign_contract(db, admin, number)
    configure(db, deposit_months=2)  # the signed contract's deposit stands
    assert svc.lease_detail(db, admin, number).deposit_due == Decimal("3919.20")
    svc.record_deposit(db, admin, number, amount=Decimal("3919.20"))
    _refused(db, "LEASE_REVIEW_OWN_WORK", svc.review_lease, admin, number, approve=True)


def test_two_counters_starting_the_same_lease_at_once_open_one_case(db, clerk):
    ids = _setup(db)
    other = make_operator(db, "clerk_b", Role.CLERK, window="02")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def counter(actor: Actor) -> None:
        barrier.wait()
        try:
            outcomes.append(svc.start_lease(db, actor, ids["round"], ids["a"]))
        except RuleViolation as refusal:
            outcomes.append(refusal.code)

    threads = [threading.Thread(target=counter, args=(a,)) for a in (clerk, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(outcomes) == 2
    assert sorted(o.startswith("G") for o in outcomes) == [False, True]
    assert "LEASE_ALREADY_STARTED" in outcomes
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(Lease)).scalar_one() == 1
        assert session.execute(select(func.count()).select_from(Case)).scalar_one() == 1
    assert audit.verify(db, Actor.system("test")).intact


def test_a_case_number_is_found_from_full_width_and_quoted_as_typed(db, clerk):
    """"[/x]" typed into 租赁签约's number was quoted back as "[/X]"; ＧＺ… typed with a Chinese
    input method was not found."""
    ids = _setup(db)
    number = svc.start_lease(db, clerk, ids["round"], ids["a"])
    wide = number.lower().translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})
    assert svc.lease_detail(db, clerk, f" {wide}　").case_number == number
    error = _refused(db, "LEASE_NOT_FOUND", svc.lease_detail, clerk, "[/x]😀")
    assert error.message == "没有业务号为“[/x]😀”的公租房租赁签约业务。"
    error = _refused(db, "CASE_NOT_FOUND", svc.save_tenant_info, clerk, "g\x1b[31m", phone="13800138000",
                     employer=None, bank_name="中国银行", bank_account="6217000010001234567")
    assert "\x1b" not in error.message and "“g" in error.message
