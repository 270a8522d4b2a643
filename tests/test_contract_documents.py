"""The documents of a resale signing case from the database (services.resale.documents)
and `wangqian report contract|receipt|notice` (tui.cli.resale), on the demo's own
contracts (demo.contracts), on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from core.errors import RuleViolation
from core.resale.materials import (
    MATERIALS,
    ResaleSituation,
    materials_for_failures,
    promised_on,
    resale_signing_checklist,
)
from core.money import to_chinese_capital
from core.roles import Actor
from services.resale import documents as docs
from services.resale import contracts
from services.resale import house_check as hc
from storage.models import Contract, ContractParty
from tui.cli import main as cli

SYSTEM = Actor.system("test")
runner = CliRunner()


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _assert_rendered(pdf: bytes, tmp_path: Path) -> None:
    """The first page rasterises to something that is not blank, and the CJK font is an embedded subset."""
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    with Image.open(png) as img:
        lo, hi = img.convert("L").getextrema()
    assert lo < 100 and hi > 200, "page is blank"
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [ln.split() for ln in fonts.splitlines()[2:] if ln.strip()]
    assert rows and all("TrueType" in ln and ln[-5:-2] == ["yes", "yes", "yes"] for ln in rows), fonts
    assert all("+" in r[0] for r in rows), fonts  # subset prefix


def _contract(db, status: str) -> contracts.ContractRow:
    return next(r for r in contracts.find_contracts(db, SYSTEM, status=status))


# ---------------------------------------------------------------- core.resale.materials


def test_checklist_follows_the_parties_situation():
    plain = [m.key for m in resale_signing_checklist(ResaleSituation("shenzhen"))]
    assert plain == ["contract", "title", "seller_id", "buyer_id", "marital"]
    full = [m.key for m in resale_signing_checklist(ResaleSituation(
        "wuhan", seller_proxy=True, organisation=True, guardian=True, fund_supervised=True, mortgaged=True,
        co_owners=True, outside_mainland=True, qualification=True))]
    assert {"register_query", "notarised_proxy", "agent_id", "business_licence", "authorisation", "guardianship",
            "guardian_id", "fund_supervision", "mortgage_release", "co_owners_consent", "permit_outside",
            "qualification_wuhan"} <= set(full)
    assert len(full) == len(set(full))
    assert "check_code" in [m.key for m in resale_signing_checklist(ResaleSituation("zhongshan"))]
    assert "qualification_code" in [m.key for m in resale_signing_checklist(ResaleSituation("shenzhen", qualification=True))]


def test_failed_rules_map_to_materials_once():
    cures = materials_for_failures(["TITLE_PROXY_NOTARISED", "TITLE_PROXY_IN_PERIOD", "HOUSE_NOT_SEIZED",
                                    "HOUSE_NOT_MORTGAGED"])
    assert [m.key for m in cures] == ["notarised_proxy", "mortgage_release"]
    assert MATERIALS["mortgage_release"].name in [m.name for m in cures]


def test_promised_date_counts_working_days():
    from datetime import date

    assert promised_on(date(2026, 11, 20)) == date(2026, 11, 27)  # Friday → next Friday
    assert promised_on(date(2026, 11, 21)) == date(2026, 11, 27)  # Saturday
    # On China's holiday calendar (core.workdays): 10月1日至8日放假调休，9月28日（周日）上班 (2025).
    assert promised_on(date(2025, 9, 26)) == date(2025, 10, 10)


# ---------------------------------------------------------------- contract


def test_filed_contract_document(sample_db, tmp_path):
    row = _contract(sample_db, "filed")
    pdf = docs.contract_pdf(sample_db, SYSTEM, row.case_number)
    _assert_rendered(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    view = contracts.get_contract(sample_db, SYSTEM, row.id)
    assert row.number in text and row.case_number in text and row.filing_number in text
    assert "备案编号" in text and "已备案" in text
    for name in (row.sellers, row.buyers):
        assert name in text
    assert to_chinese_capital(row.price) in text
    assert "第十一条" in text or "合同生效" in text
    assert "按双方约定的时间将房屋交付乙方" in "".join(text.split())  # no delivery date was entered: none is invented
    with sample_db.read() as s:
        full_ids = list(s.execute(select(ContractParty.id_number).where(ContractParty.contract_id == row.id)).scalars())
    assert all(number not in text for number in full_ids)  # masked, as reports.resale requires
    assert all(p.masked_id in text for p in view.parties)


def test_contract_print_is_recorded(sample_db, tmp_path):
    row = _contract(sample_db, "signed")
    assert contracts.get_contract(sample_db, SYSTEM, row.id).printed_at is None
    text = _text(docs.contract_pdf(sample_db, SYSTEM, row.number), tmp_path)
    assert "已签约" in text and "备案编号" not in text
    first = contracts.get_contract(sample_db, SYSTEM, row.id).printed_at
    assert first is not None
    docs.contract_pdf(sample_db, SYSTEM, row.number)
    assert contracts.get_contract(sample_db, SYSTEM, row.id).printed_at == first  # the first print is kept


def test_draft_document_and_never_signed_refusal(sample_db, tmp_path):
    draft = _contract(sample_db, "draft")
    text = _text(docs.contract_pdf(sample_db, SYSTEM, draft.number), tmp_path)
    assert "草稿" in text and "未签约" in text
    cancelled = contracts.find_contracts(sample_db, SYSTEM, status="cancelled")
    if cancelled:
        with pytest.raises(RuleViolation) as e:
            docs.contract_pdf(sample_db, SYSTEM, cancelled[0].number)
        assert e.value.code == "REPORT_CONTRACT_NEVER_SIGNED"


def test_unknown_number_is_refused(sample_db):
    with pytest.raises(RuleViolation) as e:
        docs.contract_pdf(sample_db, SYSTEM, "F209901010000001")
    assert e.value.code == "CONTRACT_NOT_FOUND"
    with pytest.raises(RuleViolation) as e:
        docs.receipt_pdf(sample_db, SYSTEM, "nope")
    assert e.value.code == "REPORT_CASE_NOT_FOUND"


# ---------------------------------------------------------------- receipt


def test_receipt_lists_clerk_applicants_and_materials(sample_db, tmp_path):
    """The receipt lists exactly what the clerk ticked as handed in (issue 12 item 6)."""
    row = next(r for r in contracts.find_contracts(sample_db, SYSTEM, status="filed") if r.number.startswith("S"))
    with pytest.raises(RuleViolation) as e:  # nothing ticked yet: no receipt
        docs.receipt_pdf(sample_db, SYSTEM, row.case_number)
    assert e.value.code == "RECEIPT_NOTHING_RECEIVED"
    on_list = docs.case_materials(sample_db, SYSTEM, row.case_number)
    assert "qualification_code" in {m.key for m in on_list.checklist} and on_list.received == frozenset()
    with pytest.raises(RuleViolation) as e:
        docs.record_materials(sample_db, SYSTEM, row.case_number, ["contract", "结婚照"])
    assert e.value.code == "MATERIAL_NOT_ON_CHECKLIST"
    ticked = docs.record_materials(sample_db, SYSTEM, row.case_number,
                                   ["contract", "title", "qualification_code", "fund_supervision"])
    assert [m.key for m in ticked.missing][:2] == ["seller_id", "buyer_id"]
    pdf = docs.receipt_pdf(sample_db, SYSTEM, row.case_number)
    _assert_rendered(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    assert "受理回执" in text and row.case_number in text and "王志强" in text
    assert row.sellers in text and row.buyers in text
    for name in ("存量房买卖合同", "不动产权证书", "购房资格审查通过凭证", "资金监管协议"):
        assert name in text, name
    assert "出卖人身份证明" not in text and "婚姻状况证明" not in text  # not handed in, not listed
    assert "承诺于" in text and "个工作日内" not in text  # a filed contract's case: a date is promised
    draft = _contract(sample_db, "draft")
    docs.record_materials(sample_db, SYSTEM, draft.case_number, ["contract"])
    drafted = _text(docs.receipt_pdf(sample_db, SYSTEM, draft.case_number), tmp_path)
    assert "合同尚未签约" in drafted and "个工作日内" in drafted and "前办结" not in drafted  # no date for a draft
    wuhan = next(r for r in contracts.find_contracts(sample_db, SYSTEM) if r.number.startswith("W"))
    docs.record_materials(sample_db, SYSTEM, wuhan.number, ["register_query"])
    assert "个人房产信息查询结果" in _text(docs.receipt_pdf(sample_db, SYSTEM, wuhan.number), tmp_path)
    cancelled = _contract(sample_db, "cancelled")
    with pytest.raises(RuleViolation) as e:  # a contract cancelled before signing: nothing to receipt
        docs.receipt_pdf(sample_db, SYSTEM, cancelled.case_number)
    assert e.value.code == "RECEIPT_CASE_ENDED"


def test_receipt_promises_the_day_the_case_clock_is_due(sample_db):
    """The receipt's promised date and the case lists' due day are one calendar's (issue 14 item 6)."""
    from core.time_limits import due_on

    row = next(r for r in contracts.find_contracts(sample_db, SYSTEM, status="filed") if r.number.startswith("S"))
    docs.record_materials(sample_db, SYSTEM, row.case_number, ["contract"])
    data = docs.receipt_data(sample_db, SYSTEM, row.case_number)
    assert data.promised_on is not None and data.promised_on == due_on("resale_signing", data.accepted_on)


# ---------------------------------------------------------------- notice


def _failed_check_of(db, row) -> hc.CheckView:
    """A new check of the contract's home: it fails, the home being in a transaction."""
    city = {"S": "shenzhen", "Z": "zhongshan", "W": "wuhan"}[row.number[0]]
    with db.read() as s:
        contract = s.get(Contract, row.id)
        owner = s.execute(select(ContractParty.person_id).where(ContractParty.contract_id == row.id,
                                                                ContractParty.party_key == "seller:0")).scalar_one()
        home_id = contract.home_id
    from storage.models import Home

    with db.read() as s:
        home = s.get(Home, home_id)
    kw: dict = {}
    if city == "zhongshan":
        kw["check_code"] = home.check_code
    view = hc.run_house_check(db, SYSTEM, city=city, home_id=home_id, party=hc.Counterparty(owner, identity_verified=True),
                              **kw)
    assert not view.passed
    return view


def test_notice_of_a_case_lists_what_was_not_handed_in(sample_db, tmp_path, monkeypatch):
    row = _contract(sample_db, "draft")
    with pytest.raises(RuleViolation) as e:  # the last check passed and nothing is known missing
        docs.notice_pdf(sample_db, SYSTEM, row.case_number)
    assert e.value.code == "NOTICE_NOTHING_MISSING"
    docs.record_materials(sample_db, SYSTEM, row.case_number, ["contract", "title", "seller_id"])
    pdf = docs.notice_pdf(sample_db, SYSTEM, row.case_number, missing=["买卖双方婚姻状况证明"])
    _assert_rendered(pdf, tmp_path)
    text = _text(pdf, tmp_path).replace("\n", "").replace(" ", "")
    assert "一次性告知书" in text and row.case_number in text and "买卖双方婚姻状况证明" in text
    assert "买受人身份证明" in text and "不动产权证书" not in text  # the unticked items, not the ticked ones
    with pytest.raises(RuleViolation) as e:
        docs.notice_pdf(sample_db, SYSTEM, row.case_number, missing=["结婚照"])
    assert e.value.code == "NOTICE_UNKNOWN_MATERIAL"
    with pytest.raises(RuleViolation) as e:  # a filed contract's application was accepted long ago
        docs.notice_pdf(sample_db, SYSTEM, _contract(sample_db, "filed").case_number)
    assert e.value.code == "NOTICE_CASE_PAST_ACCEPTANCE"


def test_a_check_no_material_can_mend_gets_a_refusal(sample_db, tmp_path, monkeypatch):
    """A home already in a transaction (or seized, blacklisted …): 不予受理, nothing to bring."""
    shenzhen = next(r for r in contracts.find_contracts(sample_db, SYSTEM, status="filed") if r.number.startswith("S"))
    check = _failed_check_of(sample_db, shenzhen)
    assert "HOUSE_NOT_IN_TRANSACTION" in [ln.code for ln in check.failures]
    text = _text(docs.notice_pdf(sample_db, SYSTEM, check_id=check.id), tmp_path).replace(" ", "")
    assert "不予受理告知书" in text and "决定不予受理" in text and "行政复议" in text
    assert "一次性告知书" not in text and "补正时请携带" not in text and "补齐材料" not in text


def test_notice_of_a_check_without_a_case(sample_db, tmp_path, monkeypatch):
    check = _failed_check_of(sample_db, _contract(sample_db, "filed"))
    text = _text(docs.notice_pdf(sample_db, SYSTEM, check_id=check.id), tmp_path)
    assert "（未受理）" in text and check.failures[0].reason[:8] in text.replace("\n", "")
    with pytest.raises(RuleViolation) as e:
        docs.notice_pdf(sample_db, SYSTEM, check_id=999_999)
    assert e.value.code == "NOTICE_CHECK_NOT_FOUND"
    with pytest.raises(RuleViolation) as e:
        docs.notice_pdf(sample_db, SYSTEM)
    assert e.value.code == "NOTICE_CASE_OR_CHECK"


# ---------------------------------------------------------------- CLI


@pytest.fixture
def cli_db(cli_sample_db):
    """The commands open the sample database (each backend): the environment names it, as a hall's would."""
    return cli_sample_db


def test_cli_writes_each_document(cli_db, tmp_path, monkeypatch):
    row = _contract(cli_db, "filed")
    docs.record_materials(cli_db, SYSTEM, row.case_number, ["contract", "title"])
    for command in ("contract", "receipt"):
        out = tmp_path / f"{command}.pdf"
        result = runner.invoke(cli.app, ["report", command, row.case_number, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(b"%PDF") and "已生成" in result.output
    check = _failed_check_of(cli_db, row)
    out = tmp_path / "notice.pdf"
    result = runner.invoke(cli.app, ["report", "notice", "--check", str(check.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "一次性告知书" in _text(out.read_bytes(), tmp_path)  # Wuhan's register query: a material mends it
    draft = _contract(cli_db, "draft")
    again = tmp_path / "notice-draft.pdf"  # a file of its own: an existing one is kept (REPORT_OUTPUT_EXISTS)
    result = runner.invoke(cli.app, ["report", "notice", draft.number, "-o", str(again), "--missing", "买卖双方婚姻状况证明"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", [
    ["contract", "F209901010000001"],
    ["receipt", "  "],
    ["notice", "--check", "999999"],
    ["notice"],
])
def test_cli_bad_input_exits_2_with_one_sentence(cli_db, tmp_path, args):
    out = tmp_path / "x.pdf"
    result = runner.invoke(cli.app, ["report", *args, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)


def test_cli_refusal_exits_1(cli_db, tmp_path):
    row = _contract(cli_db, "draft")
    result = runner.invoke(cli.app, ["report", "notice", row.number, "-o", str(tmp_path / "n.pdf")])
    assert result.exit_code == 1 and "NOTICE_NOTHING_MISSING" in result.output.replace("\n", "")


def test_a_change_of_the_dispute_choice_after_signing_is_recorded_and_printed(sample_db, tmp_path):
    """争议解决 is not a key item: a signed contract's parties may choose it by a 变更合同; the
    change record says before and after, and the reprinted contract ticks the chosen way."""
    import re

    from core.resale.contract_record import to_form

    view = contracts.get_contract(sample_db, SYSTEM, _contract(sample_db, "signed").id)
    assert view.draft.dispute is None
    unticked = re.sub(r"\s+", "", _text(docs.contract_pdf(sample_db, SYSTEM, view.number), tmp_path))
    assert "在选定的方式前的方框内打“√”" in unticked and "√依法" not in unticked and "√提交" not in unticked
    form = replace(to_form(view.draft), dispute="court")
    [changed] = contracts.change_contract(sample_db, SYSTEM, view.id, form, expected_version=view.version,
                                          reason="双方约定向法院起诉")
    assert (changed.label, changed.before, changed.after) == ("争议解决", "未选定（由双方在合同上勾选）", "诉讼")
    after = contracts.get_contract(sample_db, SYSTEM, view.id)
    assert after.draft.dispute == "court" and after.changes[-1].item_label == "争议解决"
    ticked = re.sub(r"\s+", "", _text(docs.contract_pdf(sample_db, SYSTEM, view.number), tmp_path))
    assert "提交＿＿＿＿＿＿仲裁委员会仲裁；√依法向房屋所在地人民法院起诉。" in ticked
