"""Filing per city (core.resale.filing): Shenzhen reviews after the 承诺书 (and, for a party from
outside the mainland, the 涉外合同公证) is recorded; Zhongshan files at signing; Wuhan files at
the transfer registration."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from core.errors import RuleViolation
from core.resale.filing import FilingFacts, FilingRoute, Material, filing_required, refuse_submission
from core.resale.policies import profile_for
from services import audit
from services.resale import contracts as svc
from services.resale import documents, filing, signing
from storage.models import Case, ContractFiling, FilingMaterial, SmsMessage
from tests.conftest import SYSTEM
from tests.contract_fixtures import clerk, clock, supervisor  # noqa: F401 (fixtures)
from tests.contract_support import BUYER_PHONE, signed_contract


def _refused(code: str, fn, /, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        fn(*args, **kwargs)
    assert err.value.code == code, err.value
    return err.value


def _facts(route=FilingRoute.REVIEW, *, residential=True, organisations=False, outside=False, materials=()):
    return FilingFacts(route, residential, organisations, outside, frozenset(materials))


# ---------------------------------------------------------------- the rules


def test_each_city_files_as_its_guide_says():
    assert profile_for("shenzhen").filing is FilingRoute.REVIEW
    assert profile_for("zhongshan").filing is FilingRoute.AT_SIGNING
    assert profile_for("wuhan").filing is FilingRoute.AT_TRANSFER


@pytest.mark.parametrize(("facts", "code"), [
    (_facts(FilingRoute.AT_SIGNING), "FILING_AT_SIGNING"),
    (_facts(FilingRoute.AT_TRANSFER), "FILING_AT_TRANSFER"),
    (_facts(residential=False, organisations=True), "FILING_NOT_REQUIRED"),
    (_facts(), "FILING_UNDERTAKING_MISSING"),
    (_facts(outside=True), "FILING_UNDERTAKING_MISSING"),
    (_facts(outside=True, materials=[Material.UNDERTAKING]), "FILING_NOTARISATION_MISSING"),
])
def test_what_stops_a_submission(facts, code):
    _refused(code, refuse_submission, facts)


def test_a_complete_shenzhen_filing_may_be_submitted():
    refuse_submission(_facts(materials=[Material.UNDERTAKING]))
    refuse_submission(_facts(outside=True, materials=[Material.UNDERTAKING, Material.NOTARISATION]))
    refuse_submission(_facts(residential=False, materials=[Material.UNDERTAKING]))  # a person buys a shop: filed


def test_only_shenzhens_non_residential_trades_between_enterprises_go_unfiled():
    assert not filing_required(FilingRoute.REVIEW, residential=False, all_organisations=True)
    assert filing_required(FilingRoute.REVIEW, residential=True, all_organisations=True)
    assert filing_required(FilingRoute.REVIEW, residential=False, all_organisations=False)
    assert filing_required(FilingRoute.AT_TRANSFER, residential=False, all_organisations=True)


# ---------------------------------------------------------------- Zhongshan: signed is filed


def test_zhongshan_files_at_signing_and_closes_the_case(sample_db, clerk, supervisor, clock):  # noqa: F811
    view = signed_contract(sample_db, clerk, supervisor, clock, "zhongshan")
    assert view.status == "filed" and view.filing_number.startswith("ZB") and view.filed_at == clock.now
    assert view.case_status == "archived"
    with sample_db.read() as s:
        row = s.execute(select(ContractFiling).where(ContractFiling.contract_id == view.id)).scalar_one()
        texts = s.execute(select(SmsMessage.text).where(SmsMessage.phone == BUYER_PHONE)
                          .order_by(SmsMessage.id.desc())).scalars().first()
    assert row.route == "at_signing" and row.transfer_number is None
    assert "已签约并完成网签备案" in texts and view.filing_number in texts
    _refused("FILING_NOT_SIGNED", signing.submit_for_filing, sample_db, clerk, view.id)
    assert audit.verify(sample_db, SYSTEM).intact


# ---------------------------------------------------------------- Wuhan: filed at the transfer


def test_wuhan_files_at_the_transfer_registration(sample_db, clerk, supervisor, clock):  # noqa: F811
    view = signed_contract(sample_db, clerk, supervisor, clock, "wuhan")
    assert view.status == "signed" and view.filing_number is None
    assert view.case_status == "archived"  # the counter's 网签 case is done at signing
    _refused("FILING_AT_TRANSFER", signing.submit_for_filing, sample_db, clerk, view.id)
    for bad, code in (("", "FILING_TRANSFER_NUMBER"), ("登记😀123", "FILING_TRANSFER_NUMBER"),
                      ("x" * 10_000, "FILING_TRANSFER_NUMBER")):
        _refused(code, filing.record_transfer_registration, sample_db, clerk, view.id, bad)
    filed = filing.record_transfer_registration(sample_db, clerk, view.id, " WHDJ 2026 1120 0042 ")
    assert filed.status == "filed" and filed.filing_number.startswith("WB")
    with sample_db.read() as s:
        row = s.execute(select(ContractFiling).where(ContractFiling.contract_id == view.id)).scalar_one()
    assert (row.route, row.transfer_number) == ("at_transfer", "WHDJ202611200042")
    _refused("FILING_NOT_SIGNED", filing.record_transfer_registration, sample_db, clerk, view.id, "WHDJ0001")


# ---------------------------------------------------------------- Shenzhen: materials, then review


def test_shenzhen_needs_the_undertaking_before_review(sample_db, clerk, supervisor, clock):  # noqa: F811
    view = signed_contract(sample_db, clerk, supervisor, clock, "shenzhen")
    assert view.filing_route == "review" and view.filing_required
    assert view.filing_missing == ("承诺书（已签署交回）",)
    _refused("FILING_UNDERTAKING_MISSING", signing.submit_for_filing, sample_db, clerk, view.id)
    _refused("FILING_NOT_AT_TRANSFER", filing.record_transfer_registration, sample_db, clerk, view.id, "WHDJ0001")
    _refused("FILING_NO_NOTARISATION", filing.record_notarisation, sample_db, clerk, view.id, "(2026)深证字第1号")
    recorded = filing.record_undertaking(sample_db, clerk, view.id)
    assert recorded.filing_missing == ()
    _refused("FILING_MATERIAL_RECORDED", filing.record_undertaking, sample_db, clerk, view.id)
    queued = signing.submit_for_filing(sample_db, clerk, view.id)
    assert queued.case_stage == "filing_review"
    filed = signing.approve_filing(sample_db, supervisor, view.id)
    assert filed.status == "filed" and filed.filing_number.startswith("SB")
    with sample_db.read() as s:
        kinds = s.execute(select(FilingMaterial.kind).where(FilingMaterial.contract_id == view.id)).scalars().all()
        route = s.execute(select(ContractFiling.route).where(ContractFiling.contract_id == view.id)).scalar_one()
        case = s.execute(select(Case).where(Case.number == filed.case_number)).scalar_one()
    assert kinds == ["undertaking"] and route == "review" and case.status == "archived"
    _refused("FILING_NOT_SIGNED", filing.record_undertaking, sample_db, clerk, view.id)


def test_the_undertaking_prints_for_a_shenzhen_contract_waiting_for_filing(sample_db, clerk, supervisor, clock,  # noqa: F811
                                                                          tmp_path):
    view = signed_contract(sample_db, clerk, supervisor, clock, "shenzhen")
    pdf = tmp_path / "u.pdf"
    pdf.write_bytes(documents.undertaking_pdf(sample_db, clerk, view.number))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "承诺书" in text and view.number in text and "真实成交价格" in text and "签字（捺印）" in text
    assert "第1页共1页" in text.replace(" ", "")
    zhongshan = signed_contract(sample_db, clerk, supervisor, clock, "zhongshan")
    _refused("REPORT_NO_UNDERTAKING", documents.undertaking_pdf, sample_db, clerk, zhongshan.number)
    filing.record_undertaking(sample_db, clerk, view.id)
    signing.submit_for_filing(sample_db, clerk, view.id)
    assert svc.get_contract(sample_db, clerk, view.id).case_stage == "filing_review"
