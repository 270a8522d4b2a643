"""The case engine (业务受理/派工/接件/退件/取消受理/归档, seed 004).

Case types and their stages are data. ``apply`` is the whole state machine:
it takes a case's state and an action and returns the new state, or raises
RuleViolation with the reason the move is illegal. Storage keeps the state and
the history; nothing here touches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from core.errors import RuleViolation
from core.roles import Actor, Role


@dataclass(frozen=True)
class Stage:
    code: str
    name: str  # shown on screen
    role: Role  # who works this stage


@dataclass(frozen=True)
class CaseType:
    code: str
    letter: str  # first character of the case number
    name: str
    stages: tuple[Stage, ...]
    #: Moves (ActionKind values) that only the domain's own flow makes, because the move
    #: carries the domain's checks and effects (a survey is accepted with its file, checked
    #: before it is dispatched and takes effect when archived); the generic case screens
    #: neither offer nor make them.
    domain_moves: frozenset[str] = frozenset()
    #: Moves the domain's flow makes when the case carries its subject (a resale contract, a lease);
    #: a case accepted at the generic desk has none and the engine moves it. Which cases carry one
    #: the domain tells the engine (``services.cases.register_flow``); until it does, they all do.
    flow_moves: frozenset[str] = frozenset()

    def stage_index(self, code: str) -> int:
        for i, stage in enumerate(self.stages):
            if stage.code == code:
                return i
        raise RuleViolation("CASE_UNKNOWN_STAGE", f"业务类型“{self.name}”没有“{code}”这个办理阶段。")


#: What a resale contract's or a cancellation's flow does to its case itself.
_FLOW_MOVES = frozenset({"dispatch", "return", "cancel", "archive"})

CASE_TYPES: dict[str, CaseType] = {
    t.code: t
    for t in (
        CaseType(
            "resale_signing",
            "F",
            "存量房买卖网签备案",
            (
                Stage("entry", "合同信息录入", Role.CLERK),
                Stage("signing", "签约环节", Role.CLERK),
                Stage("filing_review", "备案审核", Role.SUPERVISOR),
            ),
            flow_moves=_FLOW_MOVES,
        ),
        CaseType(
            "resale_cancel",
            "Q",
            "存量房网签注销",
            (
                Stage("entry", "注销申请受理", Role.CLERK),
                Stage("review", "注销审核", Role.SUPERVISOR),
            ),
            flow_moves=_FLOW_MOVES,
        ),
        CaseType(
            "lease_signing",
            "G",
            "公租房租赁签约",
            (
                Stage("tenant_info", "完善承租信息", Role.CLERK),
                Stage("identity_check", "身份核验", Role.CLERK),
                Stage("contract", "签订合同", Role.CLERK),
                Stage("deposit", "押金缴纳", Role.CLERK),
                Stage("review", "签约审核", Role.SUPERVISOR),
            ),
            # a lease is what its case says: 取消受理 is its cancel (the house is freed at the next start)
            flow_moves=frozenset({"dispatch", "return", "archive"}),
        ),
        *(
            CaseType(
                code,
                "C",  # 测绘 (seed 004 §4: C202203290000011 【张家界市】预测导入)
                name,
                (
                    Stage("entry", "测绘信息编辑", Role.DEVELOPER),
                    Stage("review", "测绘成果审核", Role.SUPERVISOR),
                ),
                domain_moves=frozenset({"accept", "dispatch", "cancel", "archive", "return"}),
            )
            for code, name in (
                ("survey_predicted", "预测成果备案"),
                ("survey_predicted_change", "预测变更成果备案"),
                ("survey_conversion", "预测转实测成果备案"),
                ("survey_actual", "实测成果备案"),
                ("survey_actual_change", "实测变更成果备案"),
            )
        ),
        # 预售资金监管 (seed 004 §5.3, §5.10; §4: Z202203290000013 【张家界市】预售资金监管): the
        # developer enters the agreement; the authority, then the bank review it (a back-entry:
        # the bank, then the authority); whoever holds the last stage archives it.
        *(
            CaseType(
                code,
                "Z",
                name,
                (Stage("entry", "协议录入", Role.DEVELOPER), *reviews),
                domain_moves=frozenset({"accept", "dispatch", "cancel", "archive"}),
            )
            for code, name, reviews in (
                ("fund_agreement", "预售资金监管协议签订",
                 (Stage("authority_review", "主管部门审核", Role.SUPERVISOR),
                  Stage("bank_review", "监管银行审核", Role.BANK_REVIEWER))),
                ("fund_agreement_change", "预售资金监管协议变更",
                 (Stage("authority_review", "主管部门审核", Role.SUPERVISOR),
                  Stage("bank_review", "监管银行审核", Role.BANK_REVIEWER))),
                ("fund_agreement_backfill", "预售资金监管协议补录",
                 (Stage("bank_review", "监管银行审核", Role.BANK_REVIEWER),
                  Stage("authority_review", "主管部门审核", Role.SUPERVISOR))),
            )
        ),
        # 一般资金支取 (seed 004 §5.8): applied and sealed by the developer, 初审 and 复审 by the
        # authority, paid by the supervising bank, archived by the authority.
        CaseType(
            "fund_withdrawal",
            "Z",
            "一般资金支取",
            (
                Stage("entry", "申请信息录入", Role.DEVELOPER),
                Stage("first_review", "主管部门初审", Role.SUPERVISOR),
                Stage("second_review", "主管部门复审", Role.SUPERVISOR),
                Stage("payment", "监管银行拨付", Role.BANK_REVIEWER),
                Stage("archive", "主管部门归档", Role.SUPERVISOR),
            ),
            domain_moves=frozenset({"accept", "dispatch", "cancel", "archive", "return"}),
        ),
        # 户室流水补录 (seed 004 §5.9, under 预售资金监管应用): one back-entered ledger entry, dispatched
        # by the developer to the authority, which reviews and archives it (or refuses it).
        CaseType(
            "fund_ledger",
            "Z",
            "户室流水补录",
            (
                Stage("entry", "流水录入", Role.DEVELOPER),
                Stage("review", "主管部门审核", Role.SUPERVISOR),
            ),
            # the entry is dispatched as it is added; the authority approves or refuses it (no 退件)
            domain_moves=frozenset({"accept", "dispatch", "cancel", "archive", "return"}),
        ),
        # 户室信息补录 (seed 004 §5.11, 补充功能): the developer completes the missing facts of a
        # project, a building and its units; the authority reviews and archives (the seed gives no
        # letter; X is free).
        CaseType(
            "facts_backfill",
            "X",
            "户室信息补录",
            (
                Stage("entry", "信息补录", Role.DEVELOPER),
                Stage("review", "主管部门审核", Role.SUPERVISOR),
            ),
            domain_moves=frozenset({"accept", "dispatch", "cancel", "archive", "return"}),
        ),
        *(
            CaseType(
                code,
                "K",  # the seed gives property-management rooms no letter; K is free
                name,
                (
                    Stage("entry", "物管用房设定", Role.DEVELOPER),
                    Stage("review", "物管用房确定", Role.SUPERVISOR),
                ),
                domain_moves=frozenset({"accept", "dispatch", "cancel", "archive"}),
            )
            for code, name in (
                ("room_predicted", "期房物管用房核定"),
                ("room_predicted_change", "期房物管用房变更"),
                ("room_actual", "现房物管用房核定"),
                ("room_actual_change", "现房物管用房变更"),
            )
        ),
        *(
            CaseType(
                code,
                "Y",  # 预售许可证 (seed 004 §4: Y202203290000014 【张家界市】预售许可证)
                name,
                (
                    Stage("entry", entry, Role.DEVELOPER),
                    Stage("review", "许可审核", Role.SUPERVISOR),
                ),
                domain_moves=frozenset({"accept", "dispatch", "cancel", "archive"}),
            )
            for code, name, entry in (
                ("permit_presale", "预售许可初始审批", "预售许可初始登记"),
                ("permit_presale_change", "预售许可变更审批", "预售许可变更登记"),
                ("permit_spot", "现售许可", "现售许可登记"),
            )
        ),
        # 商品房预售签约 / 现售签约 (seed 004 §5.5.1, §5.7; §4: F202203290000015 【张家界市】商品房预售签约,
        # stages 合同信息录入 → 签约环节 → 合同盖章 → 银行抵押审核 …). The developer works the first three;
        # the loan's reviewers follow by payment method (``core.presale.contracts.route``: a stage not on
        # the contract's route is skipped), the authority files it.
        *(
            CaseType(
                code,
                "F",
                name,
                (
                    Stage("entry", "合同信息录入", Role.DEVELOPER),
                    Stage("signing", "签约环节", Role.DEVELOPER),
                    Stage("sealing", "合同盖章", Role.DEVELOPER),
                    Stage("fund_review", "公积金审核", Role.FUND_CENTRE_REVIEWER),
                    Stage("bank_review", "银行抵押审核", Role.BANK_REVIEWER),
                    Stage("filing", "备案归档", Role.SUPERVISOR),
                ),
                domain_moves=frozenset({"accept", "dispatch", "cancel", "archive", "return"}),
            )
            for code, name in (("presale_signing", "商品房预售签约"), ("spot_signing", "商品房现售签约"))
        ),
        # 退房 (seed 004 §5.5.2): the developer records the applicant and the reason and dispatches it;
        # the authority uploads the voucher and archives it. The seed gives the type no letter (its
        # 业务类型 list shows C, W, Z, Y, F); T (退) is free.
        CaseType(
            "presale_return",
            "T",
            "退房",
            (
                Stage("entry", "退房原因录入", Role.DEVELOPER),
                Stage("review", "凭证上传归档", Role.SUPERVISOR),
            ),
            domain_moves=frozenset({"accept", "dispatch", "cancel", "archive", "return"}),
        ),
        CaseType(
            "allocation_round",
            "P",
            "公租房选房场次",
            (
                Stage("prepare", "场次准备", Role.SUPERVISOR),
                Stage("publish", "结果公示", Role.SUPERVISOR),
            ),
        ),
    )
}

CASE_NUMBER_RE = re.compile(r"^[A-Z]\d{8}\d{7}$")


def case_type(code: str) -> CaseType:
    try:
        return CASE_TYPES[code]
    except KeyError:
        raise RuleViolation("CASE_UNKNOWN_TYPE", f"没有“{code}”这种业务类型。") from None


def format_case_number(letter: str, day: date, sequence: int) -> str:
    """F + yyyymmdd + 7-digit daily sequence, e.g. F202203290000015."""
    if not 0 < sequence < 10_000_000:
        raise RuleViolation("CASE_SEQUENCE_EXHAUSTED", "当日业务号已用尽，请联系系统管理员。")
    return f"{letter}{day:%Y%m%d}{sequence:07d}"


class CaseStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    ARCHIVED = "archived"


CASE_STATUS_LABELS = {
    CaseStatus.ACTIVE: "未办结",
    CaseStatus.CANCELLED: "已取消受理",
    CaseStatus.ARCHIVED: "已办结",
}


class ActionKind(StrEnum):
    ACCEPT = "accept"
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    RETURN = "return"
    CANCEL = "cancel"
    ARCHIVE = "archive"
    TERMINATE = "terminate"


ACTION_LABELS = {
    ActionKind.ACCEPT: "发起业务",
    ActionKind.DISPATCH: "派工",
    ActionKind.RECEIVE: "接件",
    ActionKind.RETURN: "退件",
    ActionKind.CANCEL: "取消受理",
    ActionKind.ARCHIVE: "归档",
    ActionKind.TERMINATE: "业务终止",
}


@dataclass(frozen=True)
class CaseState:
    """Where a case stands.

    Either someone holds it (``holder_id``), or it waits to be received by an
    operator (``pending_operator_id``) or by anyone of a role (``pending_role``).
    """

    type_code: str
    stage: str
    status: CaseStatus
    holder_id: int | None
    pending_role: Role | None = None
    pending_operator_id: int | None = None

    @property
    def waiting(self) -> bool:
        return self.holder_id is None and self.status is CaseStatus.ACTIVE


@dataclass(frozen=True)
class Target:
    """Whom a case is sent to: a named operator (with their role) or a role."""

    role: Role
    operator_id: int | None = None


def accept(type_code: str, actor: Actor) -> CaseState:
    kind = case_type(type_code)
    first = kind.stages[0]
    if actor.role is not first.role and actor.role is not Role.ADMIN:
        raise RuleViolation("CASE_WRONG_ROLE", f"“{kind.name}”须由{_role_name(first.role)}受理。")
    return CaseState(type_code, first.code, CaseStatus.ACTIVE, actor.operator_id)


def _role_name(role: Role) -> str:
    from core.roles import ROLE_LABELS

    return ROLE_LABELS[role]


def _require_active(state: CaseState) -> None:
    if state.status is CaseStatus.CANCELLED:
        raise RuleViolation("CASE_CANCELLED", "该业务已取消受理，不能继续办理。")
    if state.status is CaseStatus.ARCHIVED:
        raise RuleViolation("CASE_ARCHIVED", "该业务已归档办结，不能继续办理。")


def require_holder(state: CaseState, actor: Actor) -> None:
    """Refuse unless the case is active and ``actor`` holds it (a domain's step on its case asks this too)."""
    _require_active(state)
    if state.holder_id is None:
        raise RuleViolation("CASE_NOT_RECEIVED", "该业务尚待接件，请先接件再办理。")
    if state.holder_id != actor.operator_id:
        raise RuleViolation("CASE_NOT_HOLDER", "该业务不在您的手中，只有当前办理人可以操作。")


def dispatch(state: CaseState, actor: Actor, target: Target, to_stage: str | None = None) -> CaseState:
    """Send the case to the next stage, to an operator or to a role (派工). ``to_stage``: a later
    stage than the next, for a domain whose route skips stages (a presale contract without a
    loan goes from its seal straight to the filing)."""
    require_holder(state, actor)
    kind = case_type(state.type_code)
    index = kind.stage_index(state.stage)
    if index + 1 >= len(kind.stages):
        raise RuleViolation("CASE_LAST_STAGE", "该业务已在最后办理阶段，请归档而不是派工。")
    nxt = kind.stages[index + 1]
    if to_stage is not None:
        if kind.stage_index(to_stage) <= index:
            raise RuleViolation("CASE_DISPATCH_NOT_LATER", "只能派工到之后的办理阶段。")
        nxt = kind.stages[kind.stage_index(to_stage)]
    if target.role is not nxt.role:
        raise RuleViolation(
            "CASE_DISPATCH_WRONG_ROLE",
            f"下一阶段“{nxt.name}”须由{_role_name(nxt.role)}办理，不能派给{_role_name(target.role)}。",
        )
    return replace(
        state,
        stage=nxt.code,
        holder_id=None,
        pending_role=None if target.operator_id else target.role,
        pending_operator_id=target.operator_id,
    )


def receive(state: CaseState, actor: Actor) -> CaseState:
    """Take a case that was dispatched to you or to your role (接件)."""
    _require_active(state)
    if state.holder_id is not None:
        raise RuleViolation("CASE_ALREADY_HELD", "该业务已被接件，正在办理中。")
    if state.pending_operator_id is not None:
        if state.pending_operator_id != actor.operator_id:
            raise RuleViolation("CASE_NOT_FOR_YOU", "该业务已派给其他办理人员，您不能接件。")
    elif state.pending_role is not None and state.pending_role is not actor.role and actor.role is not Role.ADMIN:
        # (the administrator, and so the shell, may take any role's case, as it may accept any type)
        raise RuleViolation(
            "CASE_NOT_FOR_ROLE", f"该业务派给{_role_name(state.pending_role)}，您的角色不能接件。"
        )
    return replace(state, holder_id=actor.operator_id, pending_role=None, pending_operator_id=None)


def return_to(
    state: CaseState, actor: Actor, to_stage: str, reason: str, previous_handler: int | None
) -> CaseState:
    """Send the case back to an earlier stage (退件), with a reason.

    ``previous_handler`` is the operator who last worked ``to_stage``; the case
    goes back to them, or to the stage's role when nobody is known.
    """
    require_holder(state, actor)
    if not reason.strip():
        raise RuleViolation("CASE_RETURN_REASON_REQUIRED", "退件必须填写退件原因。", field="reason")
    kind = case_type(state.type_code)
    here = kind.stage_index(state.stage)
    there = kind.stage_index(to_stage)
    if there >= here:
        raise RuleViolation("CASE_RETURN_NOT_EARLIER", "只能退回到之前的办理阶段。", field="to_stage")
    stage = kind.stages[there]
    return replace(
        state,
        stage=stage.code,
        holder_id=None,
        pending_role=None if previous_handler else stage.role,
        pending_operator_id=previous_handler,
    )


def cancel(state: CaseState, actor: Actor, reason: str) -> CaseState:
    """Cancel the acceptance (取消受理): only in the first stage, by its holder."""
    require_holder(state, actor)
    if not reason.strip():
        raise RuleViolation("CASE_CANCEL_REASON_REQUIRED", "取消受理必须填写原因。", field="reason")
    kind = case_type(state.type_code)
    if kind.stage_index(state.stage) != 0:
        raise RuleViolation("CASE_CANCEL_TOO_LATE", "业务已派工进入后续阶段，不能取消受理，请退件。")
    return replace(state, status=CaseStatus.CANCELLED, holder_id=None)


def archive(state: CaseState, actor: Actor) -> CaseState:
    """Close the case at its last stage (归档)."""
    require_holder(state, actor)
    kind = case_type(state.type_code)
    if kind.stage_index(state.stage) != len(kind.stages) - 1:
        raise RuleViolation("CASE_ARCHIVE_TOO_EARLY", "业务尚未到最后办理阶段，不能归档。")
    return replace(state, status=CaseStatus.ARCHIVED, holder_id=None)


def close(state: CaseState, actor: Actor) -> CaseState:
    """Close the case at its current stage (办结): its subject was completed by a route that
    skips the later stages (a city that files a contract at signing, or at the transfer
    registration: ``core.resale.filing``)."""
    require_holder(state, actor)
    return replace(state, status=CaseStatus.ARCHIVED, holder_id=None)


def terminate(state: CaseState, reason: str) -> CaseState:
    """End a case at whatever stage because its subject ended (业务终止): a
    contract draft deleted by the 24-hour rule, a contract cancelled or
    revoked. The flow that ends the subject has checked who may do it, so the
    holder is not asked; a reason is required."""
    _require_active(state)
    if not reason.strip():
        raise RuleViolation("CASE_TERMINATE_REASON_REQUIRED", "终止业务必须填写原因。", field="reason")
    return replace(state, status=CaseStatus.CANCELLED, holder_id=None, pending_role=None, pending_operator_id=None)
