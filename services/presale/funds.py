"""预售资金监管 (seed 004 §5.3, §5.8, §5.10): fund supervision agreements and general fund
withdrawals, each worked through its Z case.

**Agreements.** The developer's operator accepts a case on a building whose survey is in force
(协议签订 and 协议补录 on a building without an agreement; 协议变更 on the agreement in force,
starting from its facts). At the first stage (协议录入) it chooses the supervising account
(refused, with the way to maintain one, while the enterprise has none), states the works'
progress and the project's presale total, and chooses the units (a back-entry lists every unit,
each supervised or not); the key supervised amount follows from the supervised units
(``core.presale.funds.key_amount`` at the hall's standard). It then picks the agreement's
template (编辑协议书) and dispatches (协议备案). The authority, then the supervising bank (a
back-entry: the bank, then the authority) sign their opinions (意见签署); the last reviewer's
approval archives the case and the agreement comes into force (a change replaces the version
it was made from). A reviewer sends it back through the case engine (退件); the developer may
cancel it before dispatch (取消受理).

**Withdrawals.** On an agreement in force, one at a time (``fund_withdrawal.live_agreement_id``
is UNIQUE, and the agreement row is locked first): the developer enters the amount, purpose
and progress, seals and dispatches; the authority reviews twice (初审, 复审 by another person),
the bank pays (拨付), the authority archives. The table of units beside it reads each unit's
sale from ``services.presale.unit_sales`` (the contracts' and ledger's seam).

Who sees what: a developer's staff their enterprise's; a bank's reviewers the agreements their
bank supervises (the case carries the bank's name, ``case_file.bank_name``); the hall all.
Every step authorises inside its own transaction, is one transaction and appends an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.cases import CASE_STATUS_LABELS, CaseStatus, case_type
from core.errors import RuleViolation
from core.money import format_yuan, to_chinese_capital
from core.presale.developers import BankPurpose, check_may_work
from core.presale.fund_templates import AgreementFacts, fill, template
from core.presale.funds import (
    AGREEMENT_TYPES,
    KIND_LABELS,
    NO_SUPERVISION_BANK,
    STATUS_LABELS,
    WITHDRAWAL_BUSY,
    WITHDRAWAL_STATUS_LABELS,
    AgreementKind,
    AgreementStatus,
    UnitSale,
    WithdrawalStatus,
    agreement_kind,
    check_bank_choice,
    check_fund_stage,
    check_opinion,
    check_presale_total,
    check_withdrawal_amount,
    check_works_progress,
    choose_units,
    general_available,
    key_amount,
    withdrawal_warning,
)
from core.presale.projects import check_project_id, project_number
from core.presale.surveys import UnitState, check_building_number
from core.presale.units import unit_numbers
from core.roles import Actor, Permission, require, require_other_person
from reports.presale_funds import AgreementDocument
from reports.presale_funds import agreement_pdf as render_agreement
from services import audit, cases
from services.authority import authorise
from services.presale.case_records import as_typed, at_stage, case_number_of, open_record
from services.presale.common import BankView, bank_view, developer_of, find_project
from services.presale.scans import read_scan
from services.presale.unit_sales import unit_sales
from storage.engine import Database, session_now, session_settings
from storage.models import (
    Building,
    BuildingUnit,
    Case,
    DeveloperBank,
    FundAgreement,
    FundAgreementUnit,
    FundOpinion,
    FundWithdrawal,
    Operator,
    Project,
    Survey,
    SurveyUnit,
)

__all__ = [
    "AgreementView",
    "AgreementDocument",
    "WithdrawalTable",
    "WithdrawalView",
    "agreement_document",
    "agreement_pdf",
    "cancel_agreement",
    "cancel_withdrawal",
    "enter_agreement",
    "enter_withdrawal",
    "list_agreements",
    "review_agreement",
    "return_withdrawal",
    "review_withdrawal",
    "save_text",
    "show_agreement",
    "show_withdrawal",
    "start_agreement",
    "start_withdrawal",
    "submit_agreement",
    "submit_withdrawal",
    "upload_agreement",
    "withdrawal_table",
]

_ZERO = Decimal("0.00")

#: The permission each review stage asks for.
_REVIEW_PERMISSION = {"authority_review": Permission.FUND_REVIEW, "bank_review": Permission.FUND_BANK_REVIEW,
                      "first_review": Permission.FUND_REVIEW, "second_review": Permission.FUND_REVIEW,
                      "payment": Permission.FUND_BANK_REVIEW, "archive": Permission.FUND_REVIEW}


# --------------------------------------------------------------------------
# Finding rows the actor may see
# --------------------------------------------------------------------------


def _bank_name(session: Session, agreement: FundAgreement) -> str | None:
    bank = session.get(DeveloperBank, agreement.bank_id) if agreement.bank_id else None
    return bank.bank_name if bank else None


def _sees(session: Session, actor: Actor, agreement: FundAgreement) -> bool:
    """A developer's staff: their enterprise's; a bank's reviewer: their bank's; the hall: all."""
    if actor.developer_id is not None and agreement.developer_id != actor.developer_id:
        return False
    return actor.bank_name is None or _bank_name(session, agreement) == actor.bank_name


@dataclass
class _OpenAgreement:
    agreement: FundAgreement
    case: Case


def _open_agreement(session: Session, actor: Actor, number: object, *, lock: bool = False) -> _OpenAgreement:
    return _OpenAgreement(*open_record(
        session, actor, number, FundAgreement, code="FUND_CASE_NOT_FOUND",
        missing="没有业务号为“{number}”的资金监管协议业务。", lock=lock,
        sees=lambda row: _sees(session, actor, row[0])))


def _current_agreement(session: Session, actor: Actor, agreement_number: object, *,
                       lock: bool = False) -> FundAgreement:
    """The version in force of the agreement ``agreement_number`` (协议号)."""
    wanted = case_number_of(agreement_number)
    query = select(FundAgreement).where(FundAgreement.agreement_number == wanted,
                                        FundAgreement.status == AgreementStatus.CURRENT.value)
    if lock:
        query = query.with_for_update()
    agreement = session.execute(query).scalar_one_or_none()
    if agreement is None or not _sees(session, actor, agreement):
        raise RuleViolation("FUND_AGREEMENT_NOT_FOUND", f"没有协议号为“{as_typed(agreement_number)}”的现行资金监管协议。",
                            field="agreement")
    return agreement


@dataclass(frozen=True)
class _Unit:
    building_unit_id: int
    unit_no: str
    built_area: Decimal


def _building_units(session: Session, building_id: int) -> list[_Unit]:
    """The building's units as they stand (在册), with their facts from the survey in force."""
    rows = session.execute(
        select(BuildingUnit.id, SurveyUnit.unit_no, SurveyUnit.built_area)
        .join(SurveyUnit, SurveyUnit.building_unit_id == BuildingUnit.id)
        .join(Survey, Survey.id == SurveyUnit.survey_id)
        .where(BuildingUnit.building_id == building_id, BuildingUnit.state == UnitState.REGISTERED.value,
               Survey.current_building_id == building_id)
        .order_by(SurveyUnit.line, SurveyUnit.id)).all()
    return [_Unit(i, n, a) for i, n, a in rows]


def _supervision_banks(session: Session, developer_id: int) -> list[DeveloperBank]:
    return list(session.execute(
        select(DeveloperBank).where(DeveloperBank.developer_id == developer_id, DeveloperBank.active.is_(True),
                                    DeveloperBank.purpose == BankPurpose.SUPERVISION.value)
        .order_by(DeveloperBank.id)).scalars())


def _opinion(session: Session, actor: Actor, case: Case, opinion: str | None) -> None:
    session.add(FundOpinion(case_id=case.id, stage=case.stage, operator_id=actor.operator_id,  # type: ignore[arg-type]
                            operator_name=actor.name, opinion=opinion, at=session_now(session)))


# --------------------------------------------------------------------------
# Agreements: 受理
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementStarted:
    case_number: str
    agreement_number: str
    version: int
    units: int  # units of the building


def start_agreement(db: Database, actor: Actor, *, kind: object, project_id: object = None,
                    building: str | None = None, agreement: str | None = None) -> AgreementStarted:
    """受理 (``kind`` as typed: 签订, 变更, 补录 or sign, change, backfill): 协议签订 or 协议补录 on
    ``building`` of ``project_id`` (its 项目编号 as typed; no agreement in force on it), or 协议变更
    of the agreement in force ``agreement`` (its facts and units copied as the start; no project
    asked for)."""
    require(actor, Permission.FUND_WORK)  # the role first, before any input is looked at
    kind = agreement_kind(kind)
    project_no = None if kind is AgreementKind.CHANGE else check_project_id(project_id)
    with db.write() as session:
        authorise(session, actor, Permission.FUND_WORK)
        base = None
        if kind is AgreementKind.CHANGE:
            base = _current_agreement(session, actor, agreement, lock=True)
            row = session.get(Building, base.building_id)
            project = session.get(Project, row.project_id)  # type: ignore[union-attr]
        else:
            project = find_project(session, actor, project_no)
            number = check_building_number(building)
            row = session.execute(select(Building).where(Building.project_id == project.id,
                                                         Building.number == number).with_for_update()
                                  ).scalar_one_or_none()
            if row is None:
                raise RuleViolation("FUND_BUILDING_NOT_FOUND", f"该项目没有栋号为“{number}”的楼栋。", field="building")
        assert row is not None and project is not None
        developer = developer_of(session, project.developer_id)
        check_may_work(developer.status, developer.valid, developer.name)
        busy = session.execute(select(Case.number).join(FundAgreement, FundAgreement.case_id == Case.id)
                               .where(FundAgreement.live_building_id == row.id)).scalar_one_or_none()
        if busy:
            raise RuleViolation("FUND_BUILDING_BUSY", f"该栋已有正在办理的资金监管协议业务{busy}，请办结或取消受理后再办理。",
                                field="building")
        if base is None:
            current = session.execute(select(FundAgreement.agreement_number).where(
                FundAgreement.current_building_id == row.id)).scalar_one_or_none()
            if current:
                raise RuleViolation("FUND_BUILDING_HAS_AGREEMENT", f"该栋已有现行的资金监管协议{current}，请办理协议变更。",
                                    field="building")
        units = _building_units(session, row.id)  # type: ignore[arg-type]
        if not units:
            raise RuleViolation("FUND_BUILDING_NO_UNITS", "该栋还没有备案的测绘成果户室，请先办理测绘成果备案。", field="building")
        now = session_now(session)
        type_code = AGREEMENT_TYPES[kind]
        case = cases.accept_in(session, actor, type_code, developer_id=developer.id,
                               summary=f"{project.name} {row.number} {KIND_LABELS[kind]}")
        bank = session.get(DeveloperBank, base.bank_id) if base is not None and base.bank_id else None
        case.bank_name = bank.bank_name if bank else None
        made = FundAgreement(
            case_id=case.id, kind=kind.value,  # type: ignore[arg-type]
            agreement_number=base.agreement_number if base else case.number,
            version=base.version + 1 if base else 1, base_agreement_id=base.id if base else None,
            developer_id=developer.id, building_id=row.id, status=AgreementStatus.DRAFT.value,  # type: ignore[arg-type]
            live_building_id=row.id, bank_id=base.bank_id if base else None,
            works_progress=base.works_progress if base else None,
            presale_total=base.presale_total if base else None, created_at=now, created_by=actor.operator_id)
        session.add(made)
        session.flush()
        if base is not None:  # the change starts from the version in force (协议录入 saves it again)
            old = session.execute(select(FundAgreementUnit).where(FundAgreementUnit.agreement_id == base.id)).scalars()
            T = FundAgreementUnit.__table__  # type: ignore[attr-defined]
            standing = {u.building_unit_id for u in units}
            rows = [{"agreement_id": made.id, "building_unit_id": u.building_unit_id, "unit_no": u.unit_no,
                     "built_area": u.built_area, "supervised": u.supervised}
                    for u in old if u.building_unit_id in standing]
            if rows:
                session.execute(insert(T), rows)
        audit.append(session, actor, "fund_agreement_start", object_type="fund_agreement", object_id=made.id,
                     case_number=case.number,
                     after={"kind": kind.value, "agreement_number": made.agreement_number, "version": made.version,
                            "building": row.id, "project": project.id})
        return AgreementStarted(case.number, made.agreement_number, made.version, len(units))


# --------------------------------------------------------------------------
# Agreements: the developer's steps
# --------------------------------------------------------------------------


def _editing(session: Session, actor: Actor, number: str, what: str) -> _OpenAgreement:
    return at_stage(session, actor, number, _open_agreement, permission=Permission.FUND_WORK, stage="entry",
                    what=what, check=check_fund_stage)


def enter_agreement(db: Database, actor: Actor, number: str, *, bank_id: object, works_progress: object,
                    presale_total: object, units: str | Sequence[str] | None = None,
                    unsupervised: str | Sequence[str] | None = ()) -> "AgreementView":
    """协议录入: the supervising account (``bank_id``, its 编号 as typed; may be left out when the
    enterprise has one only), 实际工程进度, 项目预售总额 and the units (室号 as typed, comma
    separated, or a list; None or blank: all; ``unsupervised`` listed but not supervised). The
    key supervised amount is computed, never typed."""
    require(actor, Permission.FUND_WORK)  # the role first, before any input is looked at
    bank_id = check_bank_choice(bank_id)
    progress = check_works_progress(works_progress)
    total = check_presale_total(presale_total)
    units, unsupervised = unit_numbers(units), unit_numbers(unsupervised) or ()
    with db.write() as session:
        opened = _editing(session, actor, number, "协议录入")
        agreement = opened.agreement
        banks = _supervision_banks(session, agreement.developer_id)
        if not banks:
            raise RuleViolation("FUND_NO_SUPERVISION_BANK", NO_SUPERVISION_BANK, field="bank")
        if bank_id is None and len(banks) == 1:
            bank = banks[0]
        else:
            bank = next((b for b in banks if b.id == bank_id), None)
            if bank is None:
                raise RuleViolation("FUND_BANK_NOT_CHOSEN" if bank_id is None else "FUND_BANK_NOT_FOUND",
                                    "请选择本企业的监管银行账户。" if bank_id is None else
                                    f"本企业没有编号为 {bank_id} 的监管银行账户。", field="bank")
        standing = _building_units(session, agreement.building_id)
        chosen = choose_units(agreement.kind, [u.unit_no for u in standing], units, unsupervised)
        by_no = {u.unit_no: u for u in standing}
        standard = session_settings(session).fund_key_standard
        key = key_amount((by_no[n].built_area for n, s in chosen.items() if s), standard)
        T = FundAgreementUnit.__table__  # type: ignore[attr-defined]
        session.execute(delete(T).where(T.c.agreement_id == agreement.id))
        session.execute(insert(T), [{"agreement_id": agreement.id, "building_unit_id": by_no[n].building_unit_id,
                                     "unit_no": n, "built_area": by_no[n].built_area, "supervised": s}
                                    for n, s in chosen.items()])
        agreement.bank_id, agreement.works_progress, agreement.presale_total = bank.id, progress, total
        agreement.key_amount, agreement.key_standard = key, standard
        agreement.entered_at = session_now(session)
        opened.case.bank_name = bank.bank_name
        audit.append(session, actor, "fund_agreement_enter", object_type="fund_agreement", object_id=agreement.id,
                     case_number=opened.case.number,
                     after={"bank": bank.id, "works_progress": progress, "presale_total": str(total),
                            "units": len(chosen), "supervised": sum(chosen.values()), "key_amount": str(key),
                            "standard": str(standard)})
        return _agreement_view(session, opened)


def save_text(db: Database, actor: Actor, number: str, *, template_code: str = "changsha") -> "AgreementView":
    """编辑协议书: choose the agreement's template; its text is the template filled with the entry."""
    tpl = template(template_code)
    with db.write() as session:
        opened = _editing(session, actor, number, "编辑协议书")
        if opened.agreement.entered_at is None:
            raise RuleViolation("FUND_ENTRY_MISSING", "请先完成协议录入，再编辑协议书。")
        opened.agreement.template = tpl.code
        opened.agreement.text_saved_at = session_now(session)
        audit.append(session, actor, "fund_agreement_text", object_type="fund_agreement",
                     object_id=opened.agreement.id, case_number=opened.case.number, after={"template": tpl.code})
        return _agreement_view(session, opened)


def upload_agreement(db: Database, actor: Actor, number: str, path: object) -> "AgreementView":
    """上传对应文件 (§5.10 "用户收件，上传对应文件后即可派工到银行进行审核"): the signed agreement a
    back-entry records, a PDF; kept by its path and SHA-256. Refused: no such file, not a PDF,
    the entry not done yet."""
    require(actor, Permission.FUND_WORK)  # the role first, before any input is looked at
    where, sha = read_scan(path, label="资金监管协议扫描件", missing_code="FUND_SCAN_MISSING",
                           not_pdf_code="FUND_SCAN_NOT_PDF")
    with db.write() as session:
        opened = _editing(session, actor, number, "上传协议文件")
        a = opened.agreement
        if a.entered_at is None:
            raise RuleViolation("FUND_ENTRY_MISSING", "请先完成协议录入，再上传协议文件。")
        a.scan_path, a.scan_sha256 = where, sha
        audit.append(session, actor, "fund_agreement_upload", object_type="fund_agreement", object_id=a.id,
                     case_number=opened.case.number, after={"path": where, "sha256": sha})
        return _agreement_view(session, opened)


def submit_agreement(db: Database, actor: Actor, number: str) -> None:
    """协议备案, then 派工 to the first reviewer (the authority; a back-entry: the bank, once the
    signed agreement is uploaded)."""
    with db.write() as session:
        opened = _editing(session, actor, number, "派工")
        if opened.agreement.entered_at is None:
            raise RuleViolation("FUND_ENTRY_MISSING", "请先完成协议录入，再编辑协议书。")
        if opened.agreement.text_saved_at is None:
            raise RuleViolation("FUND_TEXT_MISSING", "请先编辑协议书（选择协议模板并保存），再派工。")
        if opened.agreement.kind == AgreementKind.BACKFILL.value and opened.agreement.scan_sha256 is None:
            raise RuleViolation("FUND_SCAN_REQUIRED", "协议补录须先上传已签订的资金监管协议扫描件（PDF），再派工到银行审核。")
        cases.dispatch_in(session, actor, opened.case.number)


def cancel_agreement(db: Database, actor: Actor, number: str, *, reason: str) -> None:
    """取消受理 before dispatch: the agreement is void and the building free for another case."""
    with db.write() as session:
        opened = _editing(session, actor, number, "取消受理")
        cases.cancel_in(session, actor, opened.case.number, reason=reason)
        opened.agreement.status = AgreementStatus.VOID.value
        opened.agreement.live_building_id = None
        audit.append(session, actor, "fund_agreement_void", object_type="fund_agreement",
                     object_id=opened.agreement.id, case_number=opened.case.number,
                     after={"status": AgreementStatus.VOID.value})


# --------------------------------------------------------------------------
# Agreements: the reviews (意见签署)
# --------------------------------------------------------------------------


def review_agreement(db: Database, actor: Actor, number: str, *, opinion: object = None) -> str:
    """意见签署 at the stage the case stands at (the authority's or the bank's), approving: the case
    goes to the next reviewer, or — at the last — is archived and the agreement comes into force
    (a change supersedes the version it was made from). Returns what was done, in Chinese."""
    note = check_opinion(opinion)
    with db.write() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        opened = _open_agreement(session, actor, number, lock=True)
        case, agreement = opened.case, opened.agreement
        stage = case.stage
        if stage not in ("authority_review", "bank_review"):
            check_fund_stage(cases.state_of(case), actor, "authority_review", "审核")
        authorise(session, actor, _REVIEW_PERMISSION[stage])
        check_fund_stage(cases.state_of(case), actor, stage, "审核")
        _opinion(session, actor, case, note)
        kind = case_type(case.type_code)
        last = kind.stage_index(stage) == len(kind.stages) - 1
        now = session_now(session)
        if last:
            if agreement.base_agreement_id is not None:
                base = session.get(FundAgreement, agreement.base_agreement_id, with_for_update=True)
                base.status = AgreementStatus.SUPERSEDED.value  # type: ignore[union-attr]
                base.current_building_id = None  # type: ignore[union-attr]
                session.flush()
            agreement.status = AgreementStatus.CURRENT.value
            agreement.live_building_id = None
            agreement.current_building_id = agreement.building_id
            agreement.archived_at = now
            cases.archive_in(session, actor, case.number)
            done = f"审核通过，已归档：协议{agreement.agreement_number}（第{agreement.version}版）生效。"
        else:
            cases.dispatch_in(session, actor, case.number)
            nxt = kind.stages[kind.stage_index(stage) + 1].name
            done = f"审核通过，已派工至“{nxt}”。"
        audit.append(session, actor, "fund_agreement_review", object_type="fund_agreement", object_id=agreement.id,
                     case_number=case.number, after={"stage": stage, "opinion": note, "archived": last})
        return done


# --------------------------------------------------------------------------
# Agreements: reading
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementUnitRow:
    unit_no: str
    built_area: Decimal
    supervised: bool


@dataclass(frozen=True)
class OpinionRow:
    stage_name: str
    operator: str
    opinion: str | None
    at: datetime


@dataclass(frozen=True)
class AgreementView:
    case_number: str
    type_name: str
    kind_label: str
    stage: str
    stage_name: str
    case_status_label: str
    holder: str | None
    agreement_number: str
    version: int
    base_agreement_number: str | None
    status: str
    status_label: str
    developer_name: str
    project_name: str
    location: str
    building_number: str
    building_units: int  # units of the building now
    bank: BankView | None
    banks: list[BankView]  # the enterprise's supervising accounts to choose from
    works_progress: str | None
    presale_total: Decimal | None
    key_amount: Decimal | None
    key_standard: Decimal | None
    units: list[AgreementUnitRow]
    supervised_count: int
    supervised_area: Decimal
    entered: bool
    template: str | None
    text_saved: bool
    opinions: list[OpinionRow]
    scan_path: str | None = None  # the signed agreement uploaded (a back-entry)


def _opinions(session: Session, case: Case) -> list[OpinionRow]:
    kind = case_type(case.type_code)
    rows = session.execute(select(FundOpinion).where(FundOpinion.case_id == case.id).order_by(FundOpinion.id)).scalars()
    return [OpinionRow(kind.stages[kind.stage_index(o.stage)].name, o.operator_name, o.opinion, o.at) for o in rows]


def _agreement_view(session: Session, opened: _OpenAgreement) -> AgreementView:
    agreement, case = opened.agreement, opened.case
    kind = case_type(case.type_code)
    building = session.get(Building, agreement.building_id)
    project = session.get(Project, building.project_id)  # type: ignore[union-attr]
    base = session.get(FundAgreement, agreement.base_agreement_id) if agreement.base_agreement_id else None
    holder = session.get(Operator, case.holder_id).name if case.holder_id else None  # type: ignore[union-attr]
    bank = session.get(DeveloperBank, agreement.bank_id) if agreement.bank_id else None
    units = [AgreementUnitRow(u.unit_no, u.built_area, u.supervised) for u in session.execute(
        select(FundAgreementUnit).where(FundAgreementUnit.agreement_id == agreement.id)
        .order_by(FundAgreementUnit.id)).scalars()]
    standing = session.execute(select(func.count()).select_from(BuildingUnit).where(
        BuildingUnit.building_id == agreement.building_id, BuildingUnit.state == UnitState.REGISTERED.value)
    ).scalar_one()
    return AgreementView(
        case.number, kind.name, KIND_LABELS[AgreementKind(agreement.kind)], case.stage,
        kind.stages[kind.stage_index(case.stage)].name, CASE_STATUS_LABELS[CaseStatus(case.status)], holder,
        agreement.agreement_number, agreement.version, base.agreement_number if base else None, agreement.status,
        STATUS_LABELS[AgreementStatus(agreement.status)], developer_of(session, agreement.developer_id).name,
        project.name, project.location, building.number, standing,  # type: ignore[union-attr]
        bank_view(bank) if bank else None,
        [bank_view(b) for b in _supervision_banks(session, agreement.developer_id)],
        agreement.works_progress, agreement.presale_total, agreement.key_amount, agreement.key_standard, units,
        sum(u.supervised for u in units), sum((u.built_area for u in units if u.supervised), Decimal(0)),
        agreement.entered_at is not None, agreement.template, agreement.text_saved_at is not None,
        _opinions(session, case), agreement.scan_path)


def show_agreement(db: Database, actor: Actor, number: str) -> AgreementView:
    """An agreement's case: the building, the account, the amounts, the units, the opinions."""
    with db.read() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        return _agreement_view(session, _open_agreement(session, actor, number))


@dataclass(frozen=True)
class AgreementRow:
    case_number: str
    agreement_number: str
    version: int
    kind_label: str
    status_label: str
    stage_name: str
    project_name: str
    building_number: str
    key_amount: Decimal | None


def list_agreements(db: Database, actor: Actor, *, project_id: object = None) -> list[AgreementRow]:
    """The agreements the actor sees (of a project: its 项目编号 as typed; blank: all), newest first."""
    with db.read() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        project_id = project_number(project_id)
        if project_id is not None:
            find_project(session, actor, project_id)  # a project that is not there is said, not an empty list
        query = (select(FundAgreement, Case, Building.number, Project.name)
                 .join(Case, Case.id == FundAgreement.case_id).join(Building, Building.id == FundAgreement.building_id)
                 .join(Project, Project.id == Building.project_id)
                 .order_by(FundAgreement.created_at.desc(), FundAgreement.id.desc()).limit(500))
        if project_id is not None:
            query = query.where(Project.id == project_id)
        if actor.developer_id is not None:
            query = query.where(FundAgreement.developer_id == actor.developer_id)
        if actor.bank_name is not None:
            query = query.where(Case.bank_name == actor.bank_name)
        out = []
        for agreement, case, building_no, project_name in session.execute(query).all():
            kind = case_type(case.type_code)
            out.append(AgreementRow(case.number, agreement.agreement_number, agreement.version,
                                    KIND_LABELS[AgreementKind(agreement.kind)],
                                    STATUS_LABELS[AgreementStatus(agreement.status)],
                                    kind.stages[kind.stage_index(case.stage)].name, project_name, building_no,
                                    agreement.key_amount))
        return out


def _area(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,}"


def _money_text(amount: Decimal) -> str:
    return f"人民币{format_yuan(amount)}（大写：{to_chinese_capital(amount)}）"


def agreement_document(db: Database, actor: Actor, number: str) -> AgreementDocument:
    """What the agreement's PDF prints: the template filled with the entry (编辑协议书 done)."""
    with db.read() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        view = _agreement_view(session, _open_agreement(session, actor, number))
    if not view.text_saved or view.bank is None:
        raise RuleViolation("FUND_TEXT_MISSING", "请先编辑协议书（选择协议模板并保存），再打印。")
    tpl = template(view.template)
    bank = view.bank
    facts = AgreementFacts(
        agreement_number=view.agreement_number, developer=view.developer_name,
        bank=" ".join(x for x in (bank.bank_name, bank.branch) if x), account_name=bank.account_name or "",
        account_number=bank.account_number or "", project=view.project_name, location=view.location,
        building=view.building_number, units=str(view.supervised_count),
        supervised_area=f"{_area(view.supervised_area)}平方米", presale_total=_money_text(view.presale_total),  # type: ignore[arg-type]
        key_amount=_money_text(view.key_amount), standard=format_yuan(view.key_standard),  # type: ignore[arg-type]
        works_progress=view.works_progress or "")
    return AgreementDocument(
        tpl.title, tpl.under_title, view.agreement_number, view.version, view.developer_name, facts.bank,
        facts.account_name, facts.account_number, fill(tpl, facts),
        [(u.unit_no, _area(u.built_area), "监管" if u.supervised else "不监管") for u in view.units],
        view.status != AgreementStatus.CURRENT.value)


def agreement_pdf(db: Database, actor: Actor, number: str) -> bytes:
    """预售资金监管协议书 as a PDF (``reports.presale_funds``), printing audited."""
    data = agreement_document(db, actor, number)
    pdf = render_agreement(data)
    with db.write() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        audit.append(session, actor, "fund_agreement_print", object_type="fund_agreement", case_number=case_number_of(number),
                     after={"agreement_number": data.agreement_number, "version": data.version, "draft": data.draft})
    return pdf


# --------------------------------------------------------------------------
# Withdrawals (一般资金支取)
# --------------------------------------------------------------------------


@dataclass
class _OpenWithdrawal:
    withdrawal: FundWithdrawal
    agreement: FundAgreement
    case: Case


def _open_withdrawal(session: Session, actor: Actor, number: object, *, lock: bool = False) -> _OpenWithdrawal:
    withdrawal, case, agreement = open_record(
        session, actor, number, FundWithdrawal,
        joined=[(FundAgreement, FundAgreement.id == FundWithdrawal.agreement_id)],
        code="FUND_CASE_NOT_FOUND", missing="没有业务号为“{number}”的资金支取业务。", lock=lock,
        sees=lambda row: _sees(session, actor, row[2]))
    return _OpenWithdrawal(withdrawal, agreement, case)


def _withdrawn(session: Session, agreement_number: str) -> Decimal:
    """What the bank has paid out of the agreement (every version) so far."""
    total = session.execute(
        select(func.coalesce(func.sum(FundWithdrawal.amount), 0)).join(
            FundAgreement, FundAgreement.id == FundWithdrawal.agreement_id)
        .where(FundAgreement.agreement_number == agreement_number,
               FundWithdrawal.status.in_([WithdrawalStatus.PAID.value, WithdrawalStatus.DONE.value]))).scalar_one()
    return Decimal(total).quantize(Decimal("0.01"))


def start_withdrawal(db: Database, actor: Actor, agreement_number: str) -> str:
    """受理 a general fund withdrawal on the agreement in force: refused while another withdrawal
    on it is in progress (§5.8). Returns the case number."""
    with db.write() as session:
        authorise(session, actor, Permission.FUND_WORK)
        agreement = _current_agreement(session, actor, agreement_number, lock=True)
        developer = developer_of(session, agreement.developer_id)
        check_may_work(developer.status, developer.valid, developer.name)
        live = session.execute(select(FundWithdrawal.id).where(FundWithdrawal.live_agreement_id == agreement.id)).first()
        if live:
            raise RuleViolation("FUND_WITHDRAWAL_BUSY", WITHDRAWAL_BUSY, field="agreement")
        building = session.get(Building, agreement.building_id)
        project = session.get(Project, building.project_id)  # type: ignore[union-attr]
        case = cases.accept_in(session, actor, "fund_withdrawal", developer_id=developer.id,
                               summary=f"{project.name} {building.number} 协议{agreement.agreement_number} 一般资金支取")  # type: ignore[union-attr]
        case.bank_name = _bank_name(session, agreement)
        made = FundWithdrawal(case_id=case.id, agreement_id=agreement.id, live_agreement_id=agreement.id,  # type: ignore[arg-type]
                              status=WithdrawalStatus.APPLYING.value, created_at=session_now(session),
                              created_by=actor.operator_id)
        session.add(made)
        try:
            session.flush()
        except IntegrityError:  # another terminal started one a moment ago (the last line of defence)
            raise RuleViolation("FUND_WITHDRAWAL_BUSY", WITHDRAWAL_BUSY, field="agreement") from None
        audit.append(session, actor, "fund_withdrawal_start", object_type="fund_withdrawal", object_id=made.id,
                     case_number=case.number, after={"agreement": agreement.agreement_number})
        return case.number


def _withdrawal_editing(session: Session, actor: Actor, number: str, what: str) -> _OpenWithdrawal:
    authorise(session, actor, Permission.FUND_WORK)
    opened = _open_withdrawal(session, actor, number, lock=True)
    check_fund_stage(cases.state_of(opened.case), actor, "entry", what)
    return opened


def _deposited(session: Session, agreement: FundAgreement) -> tuple[Decimal, Decimal, dict[int, UnitSale]]:
    """已入账监管资金 of the agreement's units, what of it is owed back to the buyers of returned
    houses (待退款: not general funds), and each unit's sale."""
    ids = list(session.execute(select(FundAgreementUnit.building_unit_id).where(
        FundAgreementUnit.agreement_id == agreement.id)).scalars())
    sales = unit_sales(session, ids)
    return (sum((s.supervised for s in sales.values()), _ZERO), sum((s.refund_due for s in sales.values()), _ZERO),
            sales)


def enter_withdrawal(db: Database, actor: Actor, number: str, *, amount: object, purpose: object,
                     works_progress: object) -> "WithdrawalView":
    """申请信息录入 (新增拨付记录): the amount, its purpose (资金用途) and the works' progress. An
    amount above the recorded general funds is kept with a warning for the reviewers."""
    require(actor, Permission.FUND_WORK)  # the role first, before any input is looked at
    value = check_withdrawal_amount(amount)
    use = check_works_progress(works_progress)
    reason = _purpose(purpose)
    with db.write() as session:
        opened = _withdrawal_editing(session, actor, number, "申请信息录入")
        agreement = opened.agreement
        deposited, refund_due, _ = _deposited(session, agreement)
        available = general_available(deposited, agreement.key_amount or _ZERO,
                                      _withdrawn(session, agreement.agreement_number), refund_due)
        w = opened.withdrawal
        w.amount, w.purpose, w.works_progress = value, reason, use
        w.warning = withdrawal_warning(value, available)
        w.entered_at = session_now(session)
        audit.append(session, actor, "fund_withdrawal_enter", object_type="fund_withdrawal", object_id=w.id,
                     case_number=opened.case.number,
                     after={"amount": str(value), "purpose": reason, "works_progress": use,
                            "available": str(available), "warning": w.warning is not None})
        return _withdrawal_view(session, opened)


def _purpose(raw: object) -> str:
    from core.parties import check_text

    text = check_text(raw, field="purpose", label="资金用途", max_length=100, required=True,
                      empty_code="FUND_PURPOSE_EMPTY")
    assert text is not None
    return text


def submit_withdrawal(db: Database, actor: Actor, number: str) -> None:
    """生成支取申请, 开发企业盖章, then 派工 to the authority's first review (初审)."""
    with db.write() as session:
        opened = _withdrawal_editing(session, actor, number, "派工")
        if opened.withdrawal.entered_at is None:
            raise RuleViolation("FUND_WITHDRAWAL_ENTRY_MISSING", "请先录入支取申请信息，再派工。")
        cases.dispatch_in(session, actor, opened.case.number)


def cancel_withdrawal(db: Database, actor: Actor, number: str, *, reason: str) -> None:
    """取消受理 before dispatch: the agreement is free for another withdrawal."""
    with db.write() as session:
        opened = _withdrawal_editing(session, actor, number, "取消受理")
        cases.cancel_in(session, actor, opened.case.number, reason=reason)
        opened.withdrawal.status = WithdrawalStatus.VOID.value
        opened.withdrawal.live_agreement_id = None
        audit.append(session, actor, "fund_withdrawal_void", object_type="fund_withdrawal",
                     object_id=opened.withdrawal.id, case_number=opened.case.number,
                     after={"status": WithdrawalStatus.VOID.value})


def return_withdrawal(db: Database, actor: Actor, number: str, *, to_stage: str, reason: str) -> None:
    """退件 of a withdrawal under review (复审 back to 初审 for another person, or to the developer);
    refused once the bank has paid: paid money does not go back to the application."""
    with db.write() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        opened = _open_withdrawal(session, actor, number, lock=True)
        stage = opened.case.stage
        if stage in _REVIEW_PERMISSION:  # the stage's reviewer returns it (at entry the engine refuses)
            authorise(session, actor, _REVIEW_PERMISSION[stage])
        if opened.withdrawal.status != WithdrawalStatus.APPLYING.value:
            raise RuleViolation("FUND_WITHDRAWAL_PAID_NO_RETURN", "该笔资金已拨付，不能退件，请主管部门归档。")
        cases.return_in(session, actor, opened.case.number, to_stage=to_stage, reason=reason)


def review_withdrawal(db: Database, actor: Actor, number: str, *, opinion: object = None) -> str:
    """意见签署 at the stage the withdrawal stands at: 初审 and 复审 (by another person) by the
    authority, 拨付 by the supervising bank (the money is recorded as paid), 归档 by the authority
    (the agreement is free for the next withdrawal). Returns what was done, in Chinese."""
    note = check_opinion(opinion)
    with db.write() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        opened = _open_withdrawal(session, actor, number, lock=True)
        case, w = opened.case, opened.withdrawal
        stage = case.stage
        if stage == "entry":
            check_fund_stage(cases.state_of(case), actor, "first_review", "审核")
        authorise(session, actor, _REVIEW_PERMISSION[stage])
        check_fund_stage(cases.state_of(case), actor, stage, "审核")
        if stage == "second_review":
            first = session.execute(select(FundOpinion.operator_id).where(
                FundOpinion.case_id == case.id, FundOpinion.stage == "first_review")
                .order_by(FundOpinion.id.desc()).limit(1)).scalar_one_or_none()
            require_other_person(actor, first, "FUND_SECOND_REVIEW_SAME_PERSON", "复审")
        _opinion(session, actor, case, note)
        now = session_now(session)
        if stage == "payment":
            w.status, w.paid_at, w.paid_by = WithdrawalStatus.PAID.value, now, actor.operator_id
        if stage == "archive":
            w.status = WithdrawalStatus.DONE.value
            w.live_agreement_id = None
            cases.archive_in(session, actor, case.number)
            done = "已归档，该协议可以再发起资金支取。"
        else:
            cases.dispatch_in(session, actor, case.number)
            kind = case_type(case.type_code)
            nxt = kind.stages[kind.stage_index(stage) + 1].name
            done = (f"已拨付{format_yuan(w.amount)}，派工至“{nxt}”。" if stage == "payment"  # type: ignore[arg-type]
                    else f"审核通过，已派工至“{nxt}”。")
        audit.append(session, actor, "fund_withdrawal_review", object_type="fund_withdrawal", object_id=w.id,
                     case_number=case.number, after={"stage": stage, "opinion": note, "status": w.status})
        return done


@dataclass(frozen=True)
class WithdrawalView:
    case_number: str
    stage: str
    stage_name: str
    case_status_label: str
    holder: str | None
    status_label: str
    agreement_number: str
    amount: Decimal | None
    purpose: str | None
    works_progress: str | None
    warning: str | None
    paid_at: datetime | None
    opinions: list[OpinionRow]


def _withdrawal_view(session: Session, opened: _OpenWithdrawal) -> WithdrawalView:
    w, case = opened.withdrawal, opened.case
    kind = case_type(case.type_code)
    holder = session.get(Operator, case.holder_id).name if case.holder_id else None  # type: ignore[union-attr]
    return WithdrawalView(case.number, case.stage, kind.stages[kind.stage_index(case.stage)].name,
                          CASE_STATUS_LABELS[CaseStatus(case.status)], holder,
                          WITHDRAWAL_STATUS_LABELS[WithdrawalStatus(w.status)], opened.agreement.agreement_number,
                          w.amount, w.purpose, w.works_progress, w.warning, w.paid_at, _opinions(session, case))


def show_withdrawal(db: Database, actor: Actor, number: str) -> WithdrawalView:
    with db.read() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        return _withdrawal_view(session, _open_withdrawal(session, actor, number))


@dataclass(frozen=True)
class WithdrawalRow:
    """历史拨付记录表: one unit of the agreement with its sale (``services.presale.unit_sales``)."""

    unit_no: str
    built_area: Decimal
    supervised: bool
    sale_state: str  # 未售 / 签约中 / 已签约
    buyer: str | None
    price: Decimal | None
    payment_method: str | None
    down_payment: Decimal | None
    paid: Decimal
    reversed: Decimal
    supervised_amount: Decimal
    refund_due: Decimal = Decimal("0.00")  # 待退款 of the unit's returned contracts


@dataclass(frozen=True)
class WithdrawalTable:
    agreement_number: str
    version: int
    project_name: str
    developer_name: str
    location: str
    building_number: str
    bank: BankView | None
    signed_at: datetime | None
    works_progress: str | None
    key_amount: Decimal
    deposited: Decimal  # 已入账监管资金 (from the ledger's seam)
    withdrawn: Decimal  # paid out by the bank so far
    balance: Decimal  # 协议余额: deposited − withdrawn
    available: Decimal  # 一般资金可支取额
    units: int
    supervised_units: int
    unsold_units: int
    live_case: str | None  # the withdrawal in progress (支取中)
    rows: list[WithdrawalRow]
    refund_due: Decimal = Decimal("0.00")  # 待退款: owed back to buyers of returned houses (in deposited)


def withdrawal_table(db: Database, actor: Actor, agreement_number: str) -> WithdrawalTable:
    """一般资金支取's query (选择栋号和监管协议数据，点击查询): the agreement in force, its money, the
    withdrawal in progress if any, and each unit's sale and money."""
    with db.read() as session:
        authorise(session, actor, Permission.FUND_VIEW)
        agreement = _current_agreement(session, actor, agreement_number)
        units = list(session.execute(select(FundAgreementUnit).where(
            FundAgreementUnit.agreement_id == agreement.id).order_by(FundAgreementUnit.id)).scalars())
        deposited, refund_due, sales = _deposited(session, agreement)
        withdrawn = _withdrawn(session, agreement.agreement_number)
        key = agreement.key_amount or _ZERO
        building = session.get(Building, agreement.building_id)
        project = session.get(Project, building.project_id)  # type: ignore[union-attr]
        bank = session.get(DeveloperBank, agreement.bank_id) if agreement.bank_id else None
        live = session.execute(select(Case.number).join(FundWithdrawal, FundWithdrawal.case_id == Case.id)
                               .where(FundWithdrawal.live_agreement_id == agreement.id)).scalar_one_or_none()
        rows = []
        for u in units:
            sale = sales[u.building_unit_id]
            rows.append(WithdrawalRow(u.unit_no, u.built_area, u.supervised, sale.state_label, sale.buyer, sale.price,
                                      sale.payment_method, sale.down_payment, sale.paid, sale.reversed,
                                      sale.supervised, sale.refund_due))
        return WithdrawalTable(
            agreement.agreement_number, agreement.version, project.name,  # type: ignore[union-attr]
            developer_of(session, agreement.developer_id).name, project.location, building.number,  # type: ignore[union-attr]
            bank_view(bank) if bank else None, agreement.archived_at, agreement.works_progress, key, deposited,
            withdrawn, (deposited - withdrawn).quantize(Decimal("0.01")),
            general_available(deposited, key, withdrawn, refund_due),
            len(units), sum(u.supervised for u in units), sum(sales[u.building_unit_id].state == "unsold" for u in units),
            live, rows, refund_due)
