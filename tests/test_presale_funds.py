"""预售资金监管 (seed 004 §5.3, §5.8, §5.10) through its Z cases, on SQLite and PostgreSQL:
signing with the authority's then the bank's review, the refusal without a supervising account,
the back-entry that must list every unit, a change that replaces the agreement in force, and
general fund withdrawals one at a time; who may see and do what. The pure rules first."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.errors import RuleViolation
from core.presale import funds as rules
from core.roles import Role
from services import audit, cases
from services.presale import funds
from storage.models import FundAgreement
from tests.conftest import SYSTEM, configure, make_operator
from tests.fund_support import FundHall, bank_reviewer, make_fund_hall, supervision_bank
from tests.presale_support import developer_operator, enterprise_code, entry

Z = re.compile(r"^Z\d{15}$")
ALL = [f"{f}-{p:02d}" for f in (1, 2, 3) for p in (1, 2, 3, 4)]


# ---------------------------------------------------------------- pure rules


def test_key_amount_is_the_supervised_area_times_the_standard_rounded_once():
    assert rules.key_amount([Decimal("100.0000")] * 12, Decimal("1500.00")) == Decimal("1800000.00")
    # rounded half-up on the sum, not per unit: 3 × 0.3333 m² × 1.5 = 1.49985 → 1.50
    assert rules.key_amount([Decimal("0.3333")] * 3, Decimal("1.50")) == Decimal("1.50")
    with pytest.raises(ValueError):
        rules.key_amount([Decimal(1)], 1.5)  # type: ignore[arg-type]


def test_unit_choice():
    units = ["1-01", "1-02", "1-03"]
    assert rules.choose_units("sign", units, ["1-03", "1-01"]) == {"1-01": True, "1-03": True}
    assert rules.choose_units("backfill", units, None, ["1-02"]) == {"1-01": True, "1-02": False, "1-03": True}
    with pytest.raises(RuleViolation) as refused:
        rules.choose_units("backfill", units, ["1-01", "1-02"])
    assert refused.value.message == "必须全选所有户室信息才能进行保存。"
    for chosen, skipped, code in ((["9-99"], (), "FUND_UNIT_UNKNOWN"), (["1-01"], ["1-02"], "FUND_UNIT_NOT_CHOSEN"),
                                  ([], (), "FUND_NO_SUPERVISED_UNIT"), (["1-01"], ["1-01"], "FUND_NO_SUPERVISED_UNIT")):
        with pytest.raises(RuleViolation) as refused:
            rules.choose_units("sign", units, chosen, skipped)
        assert refused.value.code == code


def test_amounts_are_exact_and_positive():
    assert rules.check_presale_total("123456789.5") == Decimal("123456789.50")
    for bad, code in (("0", "FUND_AMOUNT_NOT_POSITIVE"), ("1.001", "MONEY_TOO_PRECISE"), ("", "FUND_AMOUNT_EMPTY")):
        with pytest.raises(RuleViolation) as refused:
            rules.check_withdrawal_amount(bad)
        assert refused.value.code == code
    with pytest.raises(TypeError):
        rules.check_withdrawal_amount(1.5)
    assert rules.general_available(Decimal("100"), Decimal("80"), Decimal("30")) == Decimal("0.00")
    assert rules.withdrawal_warning(Decimal("1.00"), Decimal("0.00")).startswith("申请支取金额¥1.00超过")


# ---------------------------------------------------------------- agreements


def _signed(h: FundHall, *, kind: str = "sign", units=None, unsupervised=()) -> str:  # type: ignore[no-untyped-def]
    db = h.db
    number = funds.start_agreement(db, h.dev, kind=kind, project_id=h.hall.project_id, building="D004").case_number
    funds.enter_agreement(db, h.dev, number, bank_id=h.bank_id, works_progress="主体结构施工至3层",
                          presale_total="15000000", units=units, unsupervised=unsupervised)
    funds.save_text(db, h.dev, number)
    funds.submit_agreement(db, h.dev, number)
    first, second = (h.bank, h.authority) if kind == "backfill" else (h.authority, h.bank)
    cases.receive_case(db, first, number)
    funds.review_agreement(db, first, number, opinion="同意")
    cases.receive_case(db, second, number)
    funds.review_agreement(db, second, number, opinion="同意")
    return number


def test_an_agreement_from_acceptance_to_archive(db):
    h = make_fund_hall(db, 51)
    started = funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004")
    number = started.case_number
    assert Z.match(number) and started.agreement_number == number and started.units == 12
    [row] = cases.in_hand(db, h.dev)
    assert (row.type_name, row.stage_name) == ("预售资金监管协议签订", "协议录入")
    with pytest.raises(RuleViolation) as refused:  # 编辑协议书 needs the entry first
        funds.save_text(db, h.dev, number)
    assert refused.value.code == "FUND_ENTRY_MISSING"
    view = funds.enter_agreement(db, h.dev, number, bank_id=None, works_progress="主体结构施工至3层",
                                 presale_total="15,000,000", units=ALL[:8])
    # 8 units of 100 m² at the standard 1500 yuan/m²
    assert view.key_amount == Decimal("1200000.00") and view.key_standard == Decimal("1500.00")
    assert (view.supervised_count, view.supervised_area, view.presale_total) == (8, Decimal("800"), Decimal("15000000.00"))
    assert view.bank.bank_name == "中国建设银行" and view.building_units == 12
    configure(db, fund_key_standard=Decimal("2000"))
    view = funds.enter_agreement(db, h.dev, number, bank_id=h.bank_id, works_progress="主体结构施工至3层",
                                 presale_total="15000000")
    assert view.key_amount == Decimal("2400000.00") and view.supervised_count == 12
    with pytest.raises(RuleViolation) as refused:
        funds.submit_agreement(db, h.dev, number)
    assert refused.value.code == "FUND_TEXT_MISSING"
    with pytest.raises(RuleViolation) as refused:
        cases.dispatch_case(db, h.dev, number)
    assert refused.value.code == "CASE_MOVE_IN_DOMAIN"
    assert funds.save_text(db, h.dev, number).text_saved
    funds.submit_agreement(db, h.dev, number)
    # the bank sees nothing until the authority has approved; then only its bank's
    assert cases.in_hand(db, h.bank) == []
    cases.receive_case(db, h.authority, number)
    with pytest.raises(RuleViolation) as refused:
        funds.review_agreement(db, h.bank, number)
    assert refused.value.code == "FUND_CASE_NOT_FOUND" or refused.value.code == "ROLE_FORBIDDEN"
    assert funds.review_agreement(db, h.authority, number, opinion="经审核，同意。") == "审核通过，已派工至“监管银行审核”。"
    assert [r.number for r in cases.in_hand(db, h.bank)] == [number]
    other_bank = bank_reviewer(db, "bank_other", bank="中国工商银行")
    assert cases.in_hand(db, other_bank) == []
    with pytest.raises(RuleViolation) as refused:
        cases.receive_case(db, other_bank, number)
    assert refused.value.code == "CASE_NOT_FOUND"
    cases.receive_case(db, h.bank, number)
    done = funds.review_agreement(db, h.bank, number, opinion="同意监管。")
    assert done == f"审核通过，已归档：协议{number}（第1版）生效。"
    view = funds.show_agreement(db, h.dev, number)
    assert (view.status_label, view.case_status_label) == ("现行", "已办结")
    assert [(o.stage_name, o.opinion) for o in view.opinions] == [("主管部门审核", "经审核，同意。"), ("监管银行审核", "同意监管。")]  # punctuation as typed
    assert [s.action for s in cases.case_detail(db, h.dev, number).timeline] == \
        ["发起业务", "派工", "接件", "派工", "接件", "归档"]
    with pytest.raises(RuleViolation) as refused:  # one agreement in force per building
        funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004")
    assert refused.value.code == "FUND_BUILDING_HAS_AGREEMENT"
    assert audit.verify(db, SYSTEM).intact


def test_no_supervising_account_asks_to_maintain_the_bank_first(db):
    h = make_fund_hall(db, 52, bank=False)
    number = funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004").case_number
    with pytest.raises(RuleViolation) as refused:
        funds.enter_agreement(db, h.dev, number, bank_id=None, works_progress="基础施工", presale_total="100")
    assert refused.value.code == "FUND_NO_SUPERVISION_BANK"
    assert refused.value.message == "本企业还未维护监管银行信息，请先到机构信息管理—银行信息中添加监管银行账户，再进行协议录入。"
    supervision_bank(h.hall)
    supervision_bank(h.hall, account="43050162123600000002")
    with pytest.raises(RuleViolation) as refused:  # two accounts: the operator chooses
        funds.enter_agreement(db, h.dev, number, bank_id=None, works_progress="基础施工", presale_total="100")
    assert refused.value.code == "FUND_BANK_NOT_CHOSEN"


def test_a_back_entry_lists_every_unit_and_goes_to_the_bank_first(db, tmp_path):
    h = make_fund_hall(db, 53)
    number = funds.start_agreement(db, h.dev, kind="backfill", project_id=h.hall.project_id, building="D004").case_number
    with pytest.raises(RuleViolation) as refused:
        funds.enter_agreement(db, h.dev, number, bank_id=h.bank_id, works_progress="已封顶", presale_total="9000000",
                              units=ALL[:-1])
    assert refused.value.message == "必须全选所有户室信息才能进行保存。"
    view = funds.enter_agreement(db, h.dev, number, bank_id=h.bank_id, works_progress="已封顶", presale_total="9000000",
                                 unsupervised=["3-04"])
    assert (len(view.units), view.supervised_count, view.key_amount) == (12, 11, Decimal("1650000.00"))
    funds.save_text(db, h.dev, number)
    # 用户收件，上传对应文件后即可派工到银行进行审核
    with pytest.raises(RuleViolation) as refused:
        funds.submit_agreement(db, h.dev, number)
    assert refused.value.message == "协议补录须先上传已签订的资金监管协议扫描件（PDF），再派工到银行审核。"
    not_pdf = tmp_path / "agreement.txt"
    not_pdf.write_text("协议")
    with pytest.raises(RuleViolation) as refused:
        funds.upload_agreement(db, h.dev, number, str(not_pdf))
    assert refused.value.message == "上传的资金监管协议扫描件不是PDF文件，请扫描成PDF文件后上传。"
    with pytest.raises(RuleViolation) as refused:
        funds.upload_agreement(db, h.dev, number, str(tmp_path / "missing.pdf"))
    assert refused.value.message == "找不到资金监管协议扫描件文件，请确认文件路径。"
    scan = tmp_path / "agreement.pdf"
    scan.write_bytes(b"%PDF-1.4\n%signed\n")
    assert funds.upload_agreement(db, h.dev, number, str(scan)).scan_path == str(scan.resolve())
    funds.submit_agreement(db, h.dev, number)
    assert cases.in_hand(db, h.authority) == []
    cases.receive_case(db, h.bank, number)
    assert funds.review_agreement(db, h.bank, number) == "审核通过，已派工至“主管部门审核”。"
    cases.receive_case(db, h.authority, number)
    assert funds.review_agreement(db, h.authority, number).startswith("审核通过，已归档")


def test_a_change_replaces_the_agreement_in_force(db):
    h = make_fund_hall(db, 54)
    first = _signed(h, units=ALL[:4])
    change = funds.start_agreement(db, h.dev, kind="change", agreement=first)
    assert (change.agreement_number, change.version) == (first, 2)
    view = funds.show_agreement(db, h.dev, change.case_number)
    assert view.base_agreement_number == first and len(view.units) == 4 and not view.entered
    with pytest.raises(RuleViolation) as refused:  # one case at a time on a building
        funds.start_agreement(db, h.dev, kind="change", agreement=first)
    assert refused.value.code == "FUND_BUILDING_BUSY"
    funds.enter_agreement(db, h.dev, change.case_number, bank_id=h.bank_id, works_progress="主体结构封顶",
                          presale_total="16000000")
    funds.save_text(db, h.dev, change.case_number)
    funds.submit_agreement(db, h.dev, change.case_number)
    for reviewer in (h.authority, h.bank):
        cases.receive_case(db, reviewer, change.case_number)
        funds.review_agreement(db, reviewer, change.case_number)
    with db.read() as s:
        states = s.execute(select(FundAgreement.version, FundAgreement.status).order_by(FundAgreement.version)).all()
    assert [tuple(r) for r in states] == [(1, "superseded"), (2, "current")]
    table = funds.withdrawal_table(db, h.dev, first)
    assert (table.version, table.supervised_units, table.key_amount) == (2, 12, Decimal("1800000.00"))


def test_cancel_frees_the_building(db):
    h = make_fund_hall(db, 55)
    number = funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004").case_number
    with pytest.raises(RuleViolation) as refused:
        funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004")
    assert refused.value.code == "FUND_BUILDING_BUSY"
    funds.cancel_agreement(db, h.dev, number, reason="栋号选错")
    assert funds.show_agreement(db, h.dev, number).status_label == "已作废"
    funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004")


def test_who_may_see_and_do_what(db):
    h = make_fund_hall(db, 56)
    number = funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004").case_number
    other_code = enterprise_code(57)
    from services.presale import developers

    developers.register_developer(db, SYSTEM, entry(other_code, name="另一家地产开发有限公司"))
    stranger = developer_operator(db, other_code, "dev_other", phone="13912345679")
    for who in (stranger, h.bank):
        with pytest.raises(RuleViolation) as refused:
            funds.show_agreement(db, who, number)
        assert refused.value.code == "FUND_CASE_NOT_FOUND"
    clerk = make_operator(db, "clerk_f", Role.CLERK)
    with pytest.raises(RuleViolation) as refused:
        funds.show_agreement(db, clerk, number)
    assert refused.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(RuleViolation) as refused:  # the bank's reviewer starts nothing
        funds.start_agreement(db, h.bank, kind="sign", project_id=h.hall.project_id, building="D004")
    assert refused.value.code == "ROLE_FORBIDDEN"


# ---------------------------------------------------------------- withdrawals


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() or c == "-" else c for c in text)


def test_withdrawals_one_at_a_time_through_two_reviews_payment_and_archive(db):
    h = make_fund_hall(db, 58)
    agreement = _signed(h)
    table = funds.withdrawal_table(db, h.dev, agreement)
    assert (table.units, table.supervised_units, table.unsold_units, table.live_case) == (12, 12, 12, None)
    assert {(r.sale_state, r.buyer, r.price, r.paid, r.supervised_amount) for r in table.rows} == \
        {("未售", None, None, Decimal("0.00"), Decimal("0.00"))}
    assert (table.key_amount, table.deposited, table.balance, table.available) == \
        (Decimal("1800000.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    # typed with a Chinese input method: found; one that is not there is quoted as typed
    assert funds.withdrawal_table(db, h.dev, _full_width(agreement.lower())).units == 12
    with pytest.raises(RuleViolation) as refused:
        funds.withdrawal_table(db, h.dev, "dy9999-001")
    assert refused.value.message == "没有协议号为“dy9999-001”的现行资金监管协议。"
    number = funds.start_withdrawal(db, h.dev, agreement)
    assert Z.match(number)
    with pytest.raises(RuleViolation) as refused:
        funds.start_withdrawal(db, h.dev, agreement)
    assert refused.value.message == "该协议有在支取中的业务，不能同时再发起。"
    assert funds.withdrawal_table(db, h.dev, agreement).live_case == number
    with pytest.raises(RuleViolation) as refused:
        funds.submit_withdrawal(db, h.dev, number)
    assert refused.value.code == "FUND_WITHDRAWAL_ENTRY_MISSING"
    view = funds.enter_withdrawal(db, h.dev, number, amount="500000", purpose="支付工程进度款",
                                  works_progress="主体结构施工至3层")
    assert view.amount == Decimal("500000.00") and "超过户室流水记录的一般资金可支取额¥0.00" in view.warning
    funds.submit_withdrawal(db, h.dev, number)
    cases.receive_case(db, h.authority, number)
    assert funds.review_withdrawal(db, h.authority, number, opinion="初审同意") == "审核通过，已派工至“主管部门复审”。"
    cases.receive_case(db, h.authority, number)
    with pytest.raises(RuleViolation) as refused:
        funds.review_withdrawal(db, h.authority, number)
    assert refused.value.code == "FUND_SECOND_REVIEW_SAME_PERSON"
    cases.return_case(db, h.authority, number, to_stage="first_review", reason="换人复审")  # back to the first stage's holder
    second = make_operator(db, "super_q", Role.SUPERVISOR)
    cases.receive_case(db, h.authority, number)
    funds.review_withdrawal(db, h.authority, number, opinion="初审同意")
    cases.receive_case(db, second, number)
    funds.review_withdrawal(db, second, number, opinion="复审同意")
    cases.receive_case(db, h.bank, number)
    assert funds.review_withdrawal(db, h.bank, number, opinion="已拨付") == "已拨付¥500,000.00，派工至“主管部门归档”。"
    cases.receive_case(db, h.authority, number)
    with pytest.raises(RuleViolation) as refused:  # paid money does not go back to the reviews
        cases.return_case(db, h.authority, number, to_stage="first_review", reason="重审")
    assert refused.value.code == "FUND_WITHDRAWAL_PAID_NO_RETURN"
    assert funds.withdrawal_table(db, h.dev, agreement).withdrawn == Decimal("500000.00")
    with pytest.raises(RuleViolation) as refused:  # still in progress until archived
        funds.start_withdrawal(db, h.dev, agreement)
    assert refused.value.code == "FUND_WITHDRAWAL_BUSY"
    assert funds.review_withdrawal(db, h.authority, number) == "已归档，该协议可以再发起资金支取。"
    assert funds.show_withdrawal(db, h.dev, number).status_label == "已归档"
    again = funds.start_withdrawal(db, h.dev, agreement)
    funds.cancel_withdrawal(db, h.dev, again, reason="暂不支取")
    funds.start_withdrawal(db, h.dev, agreement)
    assert audit.verify(db, SYSTEM).intact


def test_a_withdrawal_needs_an_agreement_in_force(db):
    h = make_fund_hall(db, 59)
    number = funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004").case_number
    with pytest.raises(RuleViolation) as refused:
        funds.start_withdrawal(db, h.dev, number)
    assert refused.value.code == "FUND_AGREEMENT_NOT_FOUND"


# ---------------------------------------------------------------- the agreement's PDF


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_agreement_prints_from_its_template(db, tmp_path):
    h = make_fund_hall(db, 60)
    number = funds.start_agreement(db, h.dev, kind="sign", project_id=h.hall.project_id, building="D004").case_number
    funds.enter_agreement(db, h.dev, number, bank_id=h.bank_id, works_progress="主体结构施工至3层",
                          presale_total="15000000", unsupervised=["3-04"])
    with pytest.raises(RuleViolation) as refused:
        funds.agreement_pdf(db, h.dev, number)
    assert refused.value.code == "FUND_TEXT_MISSING"
    funds.save_text(db, h.dev, number)
    target = tmp_path / "agreement.pdf"
    target.write_bytes(funds.agreement_pdf(db, h.dev, number))
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for expected in ("新建商品房预售资金监管协议书", "长沙市住房和城乡建设局制定", "中国人民银行长沙中心支行监制",
                     f"协议号：{number}", "甲方（开发企业）测试60号地产开发有限公司", "乙方（监管银行）中国建设银行张家界分行",
                     "43050162123600000001", "监管户室共11套，监管建筑面积1,100.00平方米",
                     "人民币¥1,650,000.00（大写：壹佰陆拾伍万元整）", "人民币¥15,000,000.00（大写：壹仟伍佰万元整）",
                     "甲方盖章处", "乙方盖章处", "附件：监管户室清单", "3-04100.00不监管", "第1页共"):
        assert expected in flat, expected
    assert {"草", "稿"} <= set(flat)  # the watermark of an agreement not yet in force (drawn across the text)
    assert not re.search(r"^\s*[，。、；：）]", text, re.M)  # kinsoku: no line starts with closing punctuation
