"""The generic moves (在手业务 F6–F9, ``services.cases``) against the domains' flows, on SQLite and
PostgreSQL: a move a domain owns goes through the domain's own service (a presale contract's
取消受理 frees its unit; a survey's 退件 voids the mapping confirmation) or is refused with a
sentence naming the screen; nothing is left half-done by a refusal; a case accepted at the generic
desk (no contract behind it) is still moved by the engine."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.cases import CASE_TYPES, CaseStatus
from core.errors import RuleViolation
from core.presale.units import check_selection
import services.flows  # noqa: F401 (the registrations, as every database handle has them)
from services import cases
from services.presale import board, contracts, returns, surveys
from storage.models import Case, PresaleContract, Survey
from tests.contract_fixtures import clock, clerk, supervisor  # noqa: F401 (fixtures)
from tests.contract_support import draft_contract
from tests.permit_support import archive_survey
from tests.presale_support import ACTUAL, make_hall
from tests.test_presale_contracts import _refused, contract_hall, entry, paid_up, signed_and_sealed


def _status(db, number: str) -> str:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.execute(select(Case.status).where(Case.number == number)).scalar_one()


def test_every_type_whose_domain_owns_a_move_has_registered_its_flow() -> None:
    owned = [code for code, kind in CASE_TYPES.items() if kind.domain_moves or kind.flow_moves]
    assert owned and all(cases.flow_of(code) is not None for code in owned)
    assert cases.flow_of("allocation_round") is None  # moved by the engine alone


def test_a_presale_contract_is_cancelled_by_its_own_flow_and_never_archived_or_returned_generically(db):
    hall, permit = contract_hall(db, 91)
    dev, authority = hall.dev, hall.authority
    number = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01").case_number
    refused = _refused(cases.dispatch_case, db, dev, number)
    assert refused.code == "CASE_MOVE_IN_DOMAIN" and refused.message == "“商品房预售签约”业务的派工须在“商品房预售签约”界面中办理。"
    assert _refused(cases.archive_case, db, dev, number).code == "CASE_MOVE_IN_DOMAIN"
    # 取消受理 from the generic desk: the contract is void and the unit free again, in one go
    assert _refused(cases.cancel_case, db, dev, number, reason=" ").code == "CASE_CANCEL_REASON_REQUIRED"
    assert _status(db, number) == CaseStatus.ACTIVE.value
    cases.cancel_case(db, dev, number, reason="买受人放弃购买")
    assert _status(db, number) == CaseStatus.CANCELLED.value
    with db.read() as session:
        contract = session.execute(select(PresaleContract).where(PresaleContract.number.contains(number[1:]))).scalar_one()
        assert contract.status == "void" and contract.live_unit_id is None
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "2-01").state_label == "可售"
    again = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01").case_number
    # paid: the domain's cancel refuses (a return is needed), and the generic one with it
    contracts.save_entry(db, dev, again, entry())
    contracts.record_payment(db, dev, again, "1000.00")
    assert _refused(cases.cancel_case, db, dev, again, reason="不买了").code == "CONTRACT_PAID_CANNOT_CANCEL"
    assert _status(db, again) == CaseStatus.ACTIVE.value
    # sealed and at the filing: no generic 退件, 归档 or 取消受理 can move the case past the contract
    view = contracts.show_contract(db, dev, again)
    contracts.record_payment(db, dev, again, view.amount_due - view.paid)
    contracts.complete_entry(db, dev, again)
    signed_and_sealed(db, dev, again)
    cases.receive_case(db, authority, again)
    refused = _refused(cases.return_case, db, authority, again, to_stage="entry", reason="重录")
    assert refused.code == "CASE_MOVE_IN_DOMAIN" and "须办理退房" in refused.message
    assert _refused(cases.archive_case, db, authority, again).code == "CASE_MOVE_IN_DOMAIN"
    assert _refused(cases.cancel_case, db, authority, again, reason="x").code == "ROLE_FORBIDDEN"  # the developer's
    shown = contracts.show_contract(db, authority, again)
    assert shown.stage == "filing" and shown.filing_number is None and _status(db, again) == CaseStatus.ACTIVE.value
    assert contracts.file_contract(db, authority, again).filing_number


def test_a_survey_is_cancelled_and_returned_by_its_flow_and_archived_only_on_its_screen(db):
    hall = make_hall(db, 92)
    dev, authority = hall.dev, hall.authority
    archive_survey(hall)  # D004's predicted survey in force
    number = surveys.start_survey(db, dev, type_code="survey_conversion", project_id=hall.project_id,
                                  building="D004", survey_number="SC20240101002", text=ACTUAL).case_number
    assert _refused(cases.dispatch_case, db, dev, number).message \
        == "“预测转实测成果备案”业务的派工须在“测绘成果备案”界面中办理。"
    surveys.sync_from_base(db, dev, number)
    surveys.batch_set(db, dev, number, check_selection(empty="销售单价"), {"销售单价": "9500", "装修情况": "毛坯"})
    surveys.submit_survey(db, dev, number)
    cases.receive_case(db, authority, number)
    surveys.confirm_mapping(db, authority, number)
    # 归档 is the survey's own step (the building's units follow the mapping): not from the list
    assert _refused(cases.archive_case, db, authority, number).message \
        == "“预测转实测成果备案”业务的归档须在“测绘成果备案”界面中办理。"
    with db.read() as session:
        survey = session.execute(select(Survey).where(Survey.survey_number == "SC20240101002")).scalar_one()
        assert survey.status != "current" and survey.mapping_confirmed_at is not None
    # 退件 from the list is the survey's: the confirmation is void, the developer may edit again
    cases.return_case(db, authority, number, to_stage="entry", reason="请核对1单元户号")
    assert surveys.show_survey(db, dev, number).mapping_confirmed is False
    cases.receive_case(db, dev, number)
    surveys.submit_survey(db, dev, number)
    cases.receive_case(db, authority, number)
    assert _refused(surveys.archive_survey, db, authority, number).code == "MAPPING_NOT_CONFIRMED"
    # and a survey cancelled from the list is void, its building free for another import
    cases.return_case(db, authority, number, to_stage="entry", reason="重新导入")
    cases.receive_case(db, dev, number)
    cases.cancel_case(db, dev, number, reason="测绘单位重新出具成果")
    assert surveys.show_survey(db, dev, number).status_label == "已作废"


def test_a_house_return_is_cancelled_by_its_flow_and_not_returned_generically(db, tmp_path):
    hall, permit = contract_hall(db, 93)
    dev, authority = hall.dev, hall.authority
    number = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-02").case_number
    contracts.save_entry(db, dev, number, entry())
    paid_up(db, dev, number)
    signed_and_sealed(db, dev, number)
    filed = contracts.file_contract(db, authority, number).number
    case = returns.start_return(db, dev, contract=filed).case_number
    assert _refused(cases.dispatch_case, db, dev, case).message == "“退房”业务的派工须在“退房”界面中办理。"
    cases.cancel_case(db, dev, case, reason="买受人撤回退房申请")
    assert returns.show_return(db, dev, case).case_status_label == "已取消受理"
    again = returns.start_return(db, dev, contract=filed).case_number  # the contract goes on: a new return
    returns.save_reason(db, dev, again, applicant="0", reason="买受人申请退房")
    returns.submit_return(db, dev, again)
    cases.receive_case(db, authority, again)
    refused = _refused(cases.return_case, db, authority, again, to_stage="entry", reason="x")
    assert refused.code == "CASE_MOVE_IN_DOMAIN" and refused.message.startswith("退房业务不能退件")
    assert returns.show_return(db, dev, again).stage == "review"


@pytest.mark.usefixtures("clock")
def test_a_resale_contract_case_moves_only_with_its_contract_a_bare_case_with_the_engine(sample_db, clerk):  # noqa: F811
    view = draft_contract(sample_db, clerk)
    number = view.case_number
    for move, call in (("派工", lambda: cases.dispatch_case(sample_db, clerk, number)),
                       ("取消受理", lambda: cases.cancel_case(sample_db, clerk, number, reason="不签了")),
                       ("归档", lambda: cases.archive_case(sample_db, clerk, number))):
        with pytest.raises(RuleViolation) as refused:
            call()
        assert refused.value.code == "CASE_MOVE_IN_DOMAIN"
        assert refused.value.message == f"“存量房买卖网签备案”业务的{move}须在“网签合同”界面中办理。"
    assert _status(sample_db, number) == CaseStatus.ACTIVE.value
    bare = cases.accept_case(sample_db, clerk, "resale_signing", summary="窗口咨询")
    cases.cancel_case(sample_db, clerk, bare, reason="申请人未带材料")
    assert _status(sample_db, bare) == CaseStatus.CANCELLED.value
