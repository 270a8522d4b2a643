"""退房 (seed 004 §5.5.2) through its T case, on SQLite and PostgreSQL: found by contract number or by
building and unit, the applicant among the buyers, the reason masked in the audit log and the case
history, the authority's voucher (a PDF) and archive; then the unit is sellable on the sales board,
its history keeps the returned contract, and a new contract on it works. Every refusal by its
sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.presale.contracts import Buyer
from services import audit, cases
from services.presale import board, contracts, returns
from storage.models import AuditEntry, Case, CaseEvent, PresaleContract, PresaleReturn
from tests.conftest import SYSTEM
from tests.contract_support import latest_code
from tests.presale_support import make_hall
from tests.test_presale_contracts import _refused, contract_hall, entry, paid_up, signed_and_sealed

SECOND = Buyer("李四", "110101198505120037", "13900139000")


def _pdf(tmp_path: Path, name: str = "voucher.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% the return's voucher\n")
    return str(path)


def sold(db, hall, permit: str, unit: str, *, buyers=None) -> str:  # type: ignore[no-untyped-def]
    """A contract on ``unit`` signed, sealed and filed; returns its contract number."""
    number = contracts.start_contract(db, hall.dev, permit_number=permit, unit_no=unit).case_number
    contracts.save_entry(db, hall.dev, number, entry(**({"buyers": buyers} if buyers else {})))
    paid_up(db, hall.dev, number)
    for position, buyer in enumerate((buyers or ())[1:], start=1):
        contracts.send_buyer_code(db, hall.dev, number, position)
        contracts.verify_buyer_code(db, hall.dev, number, latest_code(db, buyer.phone), position)
    signed_and_sealed(db, hall.dev, number)
    return contracts.file_contract(db, hall.authority, number).number


def test_a_filed_contract_returned_frees_the_unit_and_keeps_its_history(db, tmp_path: Path):
    hall, permit = contract_hall(db, 81)
    dev, authority = hall.dev, hall.authority
    from tests.test_presale_contracts import BUYER

    number = sold(db, hall, permit, "2-01", buyers=(BUYER, SECOND))
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "2-01").state_label == "已备案"
    # found by building and unit (栋名称+房号), without the project when only one has D004
    started = returns.start_return(db, dev, building="D004", unit_no="2-01")
    case = started.case_number
    assert case.startswith("T") and started.stage_name == "退房原因录入" and started.contract_number == number
    assert [b.name for b in started.buyers] == ["王小二", "李四"] and started.buyers[0].id_number != BUYER.id_number
    # while the return is in progress the contract stands still
    assert _refused(returns.start_return, db, dev, contract=number).message \
        == f"合同{number}已有退房业务（{case}）正在办理，不能重复发起。"
    # the applicant is one of the buyers; the reason is required
    assert _refused(returns.save_reason, db, dev, case, applicant="张三", reason="不买了").message \
        == "申请注销人须为该合同的买受人之一。"
    assert _refused(returns.save_reason, db, dev, case, applicant=1, reason="  ").message == "请填写退房原因。"
    assert _refused(returns.submit_return, db, dev, case).code == "RETURN_REASON_MISSING"
    reason = "买受人李四（身份证110101198505120037，电话13900139000）因工作调动申请退房。"
    saved = returns.save_reason(db, dev, case, applicant="李四", reason=reason)
    assert saved.applicant == "李四" and "110101198505120037" not in saved.reason and "13900139000" not in saved.reason
    # only the authority uploads the voucher and archives
    assert _refused(returns.archive_return, db, dev, case).code == "ROLE_FORBIDDEN"
    submitted = returns.submit_return(db, dev, case)
    assert submitted.stage_name == "凭证上传归档" and submitted.status_label == "主管部门审核"
    assert _refused(returns.archive_return, db, authority, case).message == "请先上传退房凭证（PDF），再归档。"
    fake = tmp_path / "voucher.jpg"
    fake.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    assert _refused(returns.attach_voucher, db, authority, case, str(fake)).message \
        == "上传的退房凭证不是PDF文件，请扫描成PDF文件后上传。"
    assert _refused(returns.attach_voucher, db, authority, case, str(tmp_path / "none.pdf")).message \
        == "找不到退房凭证文件，请确认文件路径。"
    returns.attach_voucher(db, authority, case, _pdf(tmp_path))
    done = returns.archive_return(db, authority, case, note="准予退房。")
    assert done.case_status_label == "已办结" and done.status_label == "已退房"
    assert done.contract_status_label == "已退房"
    # the unit is sellable again, on the board and to a new contract; its history keeps the old one
    lookup = board.unit_lookup(db, dev, hall.project_id, "D004", "2-01")
    assert lookup.state_label == "可售" and lookup.presale_refusal is None
    assert [(p.number, p.status_label) for p in lookup.history] == [(number, "已退房")]
    b = board.board(db, dev, hall.project_id, "D004").board
    assert b.cells[b.find("2-01")].state.value == "sellable"  # type: ignore[index]
    again = contracts.start_contract(db, dev, permit_number=permit, unit_no="2-01")
    assert again.number != number
    history = board.unit_lookup(db, dev, hall.project_id, "D004", "2-01").history
    assert [(p.number, p.status_label) for p in history] == [(again.number, "合同录入中"), (number, "已退房")]
    # a returned contract cannot be returned again
    assert _refused(returns.start_return, db, dev, contract=number).message == f"合同{number}已退房，不能重复办理。"
    # the reason is masked in the audit log and the case history
    with db.read() as s:
        rows = s.execute(select(AuditEntry.after).where(AuditEntry.case_number == case)).scalars().all()
        notes = s.execute(select(CaseEvent.note).join(Case, Case.id == CaseEvent.case_id)
                          .where(Case.number == case)).scalars().all()
    text = json.dumps(rows, ensure_ascii=False) + json.dumps(notes, ensure_ascii=False)
    assert "110101198505120037" not in text and "13900139000" not in text
    assert any(n and "退房原因：" in n and "因工作调动" in n for n in notes)
    assert audit.verify(db, SYSTEM).intact


def test_a_sealed_contract_under_review_returned_ends_its_f_case(db, tmp_path: Path):
    hall, permit = contract_hall(db, 82)
    dev, authority = hall.dev, hall.authority
    number = contracts.start_contract(db, dev, permit_number=permit, unit_no="3-01").case_number
    contracts.save_entry(db, dev, number, entry())
    paid_up(db, dev, number)
    signed_and_sealed(db, dev, number)  # waiting for the filing
    case = returns.start_return(db, dev, contract=number).case_number  # by its F case number too
    # the contract's own steps wait for the return
    refused = _refused(contracts.file_contract, db, authority, number)
    assert refused.code == "CONTRACT_RETURNING" and refused.message == f"该合同正在办理退房（{case}），不能继续办理。"
    returns.save_reason(db, dev, case, applicant=0, reason="买受人资金困难。")
    returns.submit_return(db, dev, case)
    cases.receive_case(db, authority, case)
    returns.attach_voucher(db, authority, case, _pdf(tmp_path))
    returns.archive_return(db, authority, case)
    view = contracts.show_contract(db, dev, number)
    assert view.status_label == "已退房" and view.case_status_label == "已取消受理"
    assert board.unit_lookup(db, dev, hall.project_id, "D004", "3-01").state_label == "可售"
    assert audit.verify(db, SYSTEM).intact


def test_the_refusals_by_their_sentences(db, tmp_path: Path):
    hall, permit = contract_hall(db, 83)
    dev = hall.dev
    # nothing typed; a unit without a contract; an unknown contract
    assert _refused(returns.start_return, db, dev).message == "请输入合同编号，或输入栋号和室号。"
    assert _refused(returns.start_return, db, dev, building="D004", unit_no="4-01").message \
        == "户室4-01没有已签约的商品房买卖合同。"
    assert _refused(returns.start_return, db, dev, building="D999", unit_no="4-01").message == "没有栋号为“D999”的楼栋。"
    assert _refused(returns.start_return, db, dev, contract="YSHT0000").code == "CONTRACT_NOT_FOUND"
    # entered, nothing paid: it is cancelled, not returned
    fresh = contracts.start_contract(db, dev, permit_number=permit, unit_no="4-01")
    refused = _refused(returns.start_return, db, dev, contract=fresh.number)
    assert refused.code == "RETURN_NOT_SIGNED" and refused.message == \
        f"合同{fresh.number}尚未签约也未缴款，不能办理退房，请在合同录入阶段取消受理。"
    # a void contract
    contracts.cancel_contract(db, dev, fresh.case_number, reason="买受人放弃。")
    assert _refused(returns.start_return, db, dev, contract=fresh.number).message \
        == f"合同{fresh.number}已作废，不能办理退房。"
    # paid in the entry stage: the return is the way out (取消受理 refuses)
    paid = contracts.start_contract(db, dev, permit_number=permit, unit_no="5-01").case_number
    contracts.save_entry(db, dev, paid, entry())
    contracts.record_payment(db, dev, paid, "1000.00")
    case = returns.start_return(db, dev, contract=paid).case_number
    # not the actor's enterprise: to another developer's staff it does not exist
    other = make_hall(db, 84, username="dev_b", supervisor="super_q")
    assert _refused(returns.start_return, db, other.dev, contract=paid).code == "CONTRACT_NOT_FOUND"
    assert _refused(returns.show_return, db, other.dev, case).message == f"没有业务号为“{case}”的退房业务。"
    assert _refused(returns.save_reason, db, other.dev, case, applicant=0, reason="x").code == "RETURN_NOT_FOUND"
    # the authority cannot work the developer's stage, nor archive before the dispatch
    assert _refused(returns.archive_return, db, hall.authority, case).code == "RETURN_WRONG_STAGE"
    # cancelled: the contract goes on, a new return may start
    returns.cancel_return(db, dev, case, reason="买受人撤回申请。")
    with db.read() as s:
        assert s.execute(select(PresaleReturn.live_contract_id)).scalars().all() == [None]
    contracts.record_payment(db, dev, paid, "1.00")  # the contract's own steps work again
    assert returns.start_return(db, dev, contract=paid).stage_name == "退房原因录入"
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(PresaleContract)
                         .where(PresaleContract.live_unit_id.is_not(None))).scalar_one() == 1
    assert audit.verify(db, SYSTEM).intact


def test_bad_input_writes_nothing(db):
    hall, permit = contract_hall(db, 85)
    number = sold(db, hall, permit, "6-01")
    case = returns.start_return(db, hall.dev, contract=number).case_number
    with db.read() as s:
        before = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    for applicant, reason in ((None, "原因"), (5, "原因"), ("0", "[/x]" * 80), ("0", "换行\n原因"), (True, "原因")):
        with pytest.raises(RuleViolation):
            returns.save_reason(db, hall.dev, case, applicant=applicant, reason=reason)
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before
    kept = returns.save_reason(db, hall.dev, case, applicant="0", reason="[/x] 按原样保存")
    assert kept.reason == "[/x] 按原样保存"


def test_racing_processes_start_one_return_of_a_contract(db):
    """Eight terminals start a return of the same contract at once: one return, seven refusals
    by their sentence, no second T case."""
    from tests.test_process_races import _workers

    hall, permit = contract_hall(db, 86)
    number = sold(db, hall, permit, "7-01")
    with db.read() as s:
        cases_before = s.execute(select(func.count()).select_from(Case)).scalar_one()

    def start(mine, n: int) -> object:  # type: ignore[no-untyped-def]
        return ("ok", returns.start_return(mine, hall.dev, contract=number).case_number)

    results = _workers(db, 8, start)
    won = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(won) == 1 and len(refused) == 7, results
    assert {r[1] for r in refused} == {"RETURN_IN_PROGRESS"}
    assert all(r[2].startswith(f"合同{number}已有退房业务") and r[2].endswith("不能重复发起。") for r in refused)
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(PresaleReturn)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(Case)).scalar_one() == cases_before + 1
    assert audit.verify(db, SYSTEM).intact


def test_a_room_typed_another_way_is_refused_with_the_room_as_the_permit_holds_it(db):
    """Found by use: "201" for the permit's "2-01" answered only 没有找到有效许可证户室信息."""
    hall, permit = contract_hall(db, 87)
    sold(db, hall, permit, "2-01")
    for typed in ("201", "2-1", "２－０１", "D004-2-01", "d004 201", "201室"):
        refused = _refused(returns.start_return, db, hall.dev, building="D004", unit_no=typed)
        assert (refused.code, refused.field) == ("PERMIT_UNIT_NOT_FOUND", "unit"), typed
        assert refused.message == "没有找到有效许可证户室信息；该幢有户室“2-01”，请按许可证上的户室号输入。", typed
    # nothing like it: the guide's sentence alone
    assert _refused(returns.start_return, db, hall.dev, building="D004", unit_no="99-99").message \
        == "没有找到有效许可证户室信息。"
    # the same hint where a contract is accepted by permit and room
    assert _refused(contracts.start_contract, db, hall.dev, permit_number=permit, unit_no="301").message \
        == "没有找到有效许可证户室信息；该幢有户室“3-01”，请按许可证上的户室号输入。"


def test_a_contract_number_typed_in_full_width_is_found_and_quoted_as_typed(db):
    """Found by use: ＨＴ２０２６… typed with a Chinese input method was not found, and a refusal
    quoted the number upper-cased, not as typed."""
    hall, permit = contract_hall(db, 88)
    number = sold(db, hall, permit, "2-01")
    wide = number.lower().translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})
    assert wide != number and returns.start_return(db, hall.dev, contract=f" {wide}　").contract_number == number
    for typed in ("ysht2099", "ｙｓｈｔ２０９９", "[b]ysht[/b]"):
        refused = _refused(returns.start_return, db, hall.dev, contract=typed)
        assert refused.code == "CONTRACT_NOT_FOUND"
        assert refused.message == f"没有业务号或合同编号为“{typed}”的商品房买卖合同。", typed
    # a return's own number likewise
    assert _refused(returns.show_return, db, hall.dev, "t2099").message == "没有业务号为“t2099”的退房业务。"


def test_no_applicant_chosen_is_asked_for_not_called_a_stranger(db):
    hall, permit = contract_hall(db, 89)
    case = returns.start_return(db, hall.dev, contract=sold(db, hall, permit, "2-01")).case_number
    for none in (None, "", "  "):
        refused = _refused(returns.save_reason, db, hall.dev, case, applicant=none, reason="资金困难")
        assert (refused.code, refused.message, refused.field) == ("RETURN_APPLICANT_MISSING", "请选择申请注销人。",
                                                                  "applicant")
    refused = _refused(returns.save_reason, db, hall.dev, case, applicant="张三", reason="资金困难")
    assert (refused.code, refused.message) == ("RETURN_APPLICANT_NOT_BUYER", "申请注销人须为该合同的买受人之一。")

