"""Where a resale contract stands and what may happen to it next.

Pure rules over plain facts (the contract service loads them and acts):

* the statuses of a contract and their labels;
* :func:`qualification_required` — whether the hall's profile requires the
  buyer qualification review (购房资格审查) for this home;
* :func:`unfiled_cancellation` — the four cases of seed 001 §7 for ending a
  contract that is not filed;
* :func:`filed_cancellation` — seed 001 §8: cancel-signing versus
  cancel-filing of a filed contract;
* :func:`revocation_allowed` — seed 003: revocation by contract number, ID
  number and SMS code, where the profile offers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from core.errors import RuleViolation
from core.resale.policies import PolicyProfile

__all__ = [
    "CANCELLATION_STATE_LABELS",
    "CANCEL_KIND_LABELS",
    "PENDING_CANCELLATION",
    "QUALIFICATION_LABELS",
    "STATUS_LABELS",
    "CancelKind",
    "CancelRoute",
    "CancellationState",
    "ContractStatus",
    "QualificationState",
    "confirmers",
    "filed_cancellation",
    "qualification_required",
    "revocation_allowed",
    "unfiled_cancellation",
]


class ContractStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    FILED = "filed"
    CANCELLED = "cancelled"
    REVOKED = "revoked"


STATUS_LABELS: dict[str, str] = {
    ContractStatus.DRAFT: "草稿",
    ContractStatus.SIGNED: "已签约",
    ContractStatus.FILED: "已备案",
    ContractStatus.CANCELLED: "已注销",
    ContractStatus.REVOKED: "已撤销",
}

#: Statuses in which a contract holds its home (no second contract may be made).
LIVE = frozenset({ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.FILED})


class QualificationState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    VOIDED = "voided"


QUALIFICATION_LABELS: dict[str, str] = {
    QualificationState.REQUESTED: "审查中",
    QualificationState.APPROVED: "审查通过",
    QualificationState.REFUSED: "审查不通过",
    QualificationState.VOIDED: "资格码已作废",
}


class CancelKind(StrEnum):
    UNFILED = "unfiled"  # 注销网签 of a contract not filed (seed 001 §7)
    CANCEL_SIGNING = "cancel_signing"  # 注销网签 of a filed contract (§8)
    CANCEL_FILING = "cancel_filing"  # 注销备案 of a filed contract (§8)
    REVOCATION = "revocation"  # 撤销网签 by SMS code (seed 003)


CANCEL_KIND_LABELS: dict[str, str] = {
    CancelKind.UNFILED: "注销网签（未备案）",
    CancelKind.CANCEL_SIGNING: "注销网签（已备案）",
    CancelKind.CANCEL_FILING: "注销备案",
    CancelKind.REVOCATION: "撤销网签",
}


class CancellationState(StrEnum):
    CONFIRMING = "confirming"  # waiting for the parties' SMS codes
    REVIEW = "review"  # filed contracts only: waiting for a supervisor
    DONE = "done"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


CANCELLATION_STATE_LABELS: dict[str, str] = {
    CancellationState.CONFIRMING: "待当事人确认",
    CancellationState.REVIEW: "待审核",
    CancellationState.DONE: "已办结",
    CancellationState.REFUSED: "审核不通过",
    CancellationState.WITHDRAWN: "已撤回",
}

#: A contract has at most one application in these states at a time.
PENDING_CANCELLATION = frozenset({CancellationState.CONFIRMING, CancellationState.REVIEW})


def qualification_required(profile: PolicyProfile, *, residential: bool, purchase_restriction: str | None) -> bool:
    """Whether the buyers' qualification must be approved before signing.

    Residential homes only. Shenzhen: always (seed 001's 购房资格码); Wuhan:
    when the house check found the home inside the purchase-restriction area
    (seed 003, 限购); Zhongshan: never (seed 002 does not ask for it).
    """
    use = profile.uses("CONTRACT_BUYER_QUALIFICATION")
    if use is None or not residential:
        return False
    scope = use.params.get("scope", "all")
    if scope == "restricted":
        return purchase_restriction == "restricted"
    return True


@dataclass(frozen=True)
class CancelRoute:
    """How an unfiled contract is ended: which case of seed 001 §7 applies
    and whether the other side must confirm with their SMS codes."""

    rule: str  # CANCEL_SIGNED / CANCEL_QUALIFICATION_VOIDED_FIRST / CANCEL_ONLINE_UNSIGNED / CANCEL_OFFLINE_PRINTED
    needs_other_side: bool
    explanation: str


def unfiled_cancellation(
    *, status: str, qualification: str | None, signing_method: str, printed: bool
) -> CancelRoute:
    """Seed 001 §7, exactly:

    1. signed by both sides → either side applies, the other confirms;
    2. not signed but the buyer has a qualification code (requested or
       approved) → refused until the buyer voids it; then 3 or 4 applies;
    3. not signed, no qualification code, online signing → either side
       cancels directly, no confirmation;
    4. not signed, no qualification code, offline signing and the contract
       already downloaded (printed) → either side applies, the other confirms.

    An offline contract never printed is case 3's situation (nothing left the
    hall) and is cancelled directly.
    """
    if status == ContractStatus.SIGNED:
        return CancelRoute("CANCEL_SIGNED", True, "合同已经买卖双方签署，由一方申请注销网签，另一方确认。")
    if status != ContractStatus.DRAFT:
        if status == ContractStatus.FILED:
            raise RuleViolation("CANCEL_FILED_USE_FILED_ROUTE",
                                "合同已备案，请选择注销网签或注销备案，经审核后办理。")
        raise RuleViolation("CANCEL_NOT_LIVE", "该合同已注销或撤销，不能再注销。")
    if qualification in (QualificationState.REQUESTED, QualificationState.APPROVED):
        raise RuleViolation("CANCEL_QUALIFICATION_NOT_VOIDED",
                            "买方已申请购房资格码，须由买方先作废资格码后才能注销网签。")
    if signing_method == "offline" and printed:
        return CancelRoute("CANCEL_OFFLINE_PRINTED", True,
                           "合同为线下签署且已下载打印，由一方申请注销网签，另一方确认。")
    return CancelRoute("CANCEL_UNSIGNED", False, "合同尚未签署且未申请购房资格码，可直接注销网签，无需对方确认。")


def confirmers(sides: Mapping[str, str], applicant_key: str, *, everyone: bool) -> tuple[str, ...]:
    """The parties who must confirm an application by SMS code, in contract order.

    ``sides`` maps each party key to "seller" or "buyer". Seed 001 §7 cases 1
    and 4: every party of the side that did not apply (``everyone=False``);
    §8: every party, the applicant included, since a filed contract is ended
    only by agreement of both sides (经协商一致). The applicant must be a
    party of the contract.
    """
    side = sides.get(applicant_key)
    if side is None:
        raise RuleViolation("CANCEL_NO_PARTY", "申请人须为该合同的出卖人或买受人。", field="applicant")
    return tuple(k for k, s in sides.items() if everyone or s != side)


def filed_cancellation(kind: str, *, status: str) -> CancelKind:
    """Seed 001 §8: a filed contract is ended either by 注销网签 (the filing
    is revoked and the contract leaves force, kept in history) or relieved
    of its filing by 注销备案 (filing revoked; the contract may be changed
    and filed again). Both need every party's confirmation and a review."""
    if status != ContractStatus.FILED:
        raise RuleViolation("CANCEL_NOT_FILED", "合同尚未备案，请按未备案合同注销网签办理。")
    try:
        chosen = CancelKind(kind)
    except ValueError:
        chosen = None
    if chosen not in (CancelKind.CANCEL_SIGNING, CancelKind.CANCEL_FILING):
        raise RuleViolation("CANCEL_KIND_INVALID", "请选择注销网签或注销备案。", field="kind")
    return chosen


def revocation_allowed(profile: PolicyProfile, *, status: str) -> None:
    """Seed 003: any party may revoke a signed contract with the SMS code sent
    to the phone on the contract, before transfer registration; the other side
    is told by SMS. Only where the profile offers it."""
    if not profile.selects("CONTRACT_REVOCATION_BY_CODE"):
        raise RuleViolation("REVOCATION_NOT_OFFERED",
                            f"{profile.city}不办理凭短信验证码撤销网签，请按注销网签办理。")
    if status == ContractStatus.FILED:
        raise RuleViolation("REVOCATION_FILED", "合同已备案，不能撤销网签，请申请注销网签或注销备案。")
    if status != ContractStatus.SIGNED:
        raise RuleViolation("REVOCATION_NOT_SIGNED", "只有已签约的合同可以撤销网签。")
