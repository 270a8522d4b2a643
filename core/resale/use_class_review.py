"""限购/限售核定: the decision on a home whose use class (用途大类) is not normalised.

Seed 001 §5.2.1.3 第3条: such a home's house check ends in 待核定; the
housing-fund centre decides within one working day whether and how it may be
traded (限购/限售核定) and tells the person who entered it by SMS.

The decision settles the home's use class for trading: it may be traded as a
home of one class (住宅 — a residence, so the buyer's qualification rules apply
— 商业 or 办公), or it is restricted from sale (限售) and cannot be traded. The
clerk then runs the house check again: it passes on the decided class, or is
refused as restricted. Pure rules here; ``services.resale.use_class_review``
stores the decision.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import RuleViolation


class UseClassDecision(StrEnum):
    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"
    OFFICE = "office"
    RESTRICTED = "restricted"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]

    @property
    def tradable(self) -> bool:
        return self is not UseClassDecision.RESTRICTED


DECISION_LABELS: dict[UseClassDecision, str] = {
    UseClassDecision.RESIDENTIAL: "可以交易，按住宅办理（适用限购政策）",
    UseClassDecision.COMMERCIAL: "可以交易，按商业用房办理",
    UseClassDecision.OFFICE: "可以交易，按办公用房办理",
    UseClassDecision.RESTRICTED: "限售，不予交易",
}

#: The decision's reason: required when the home is restricted, at most this long.
MAX_REASON = 200


def parse_decision(value: str | None) -> UseClassDecision:
    """The decision named by its code (residential / commercial / office / restricted)."""
    try:
        return UseClassDecision((value or "").strip().lower())
    except ValueError:
        raise RuleViolation("USE_CLASS_BAD_DECISION",
                            "核定结论应为 residential（住宅）、commercial（商业）、office（办公）或 restricted（限售）之一。",
                            field="decision") from None


def clean_reason(decision: UseClassDecision, reason: str | None) -> str:
    """The reason as stored (whitespace folded); a restriction needs one."""
    text = " ".join((reason or "").split())
    if decision is UseClassDecision.RESTRICTED and not text:
        raise RuleViolation("USE_CLASS_REASON_REQUIRED", "核定为限售时须填写原因。", field="reason")
    if len(text) > MAX_REASON:
        raise RuleViolation("USE_CLASS_REASON_TOO_LONG", f"原因不能超过{MAX_REASON}个字。", field="reason")
    return text


def result_sms(location: str, decision: UseClassDecision, reason: str) -> str:
    """The SMS to the person at the window (seed: 以短信方式通知合同录入人)."""
    if decision.tradable:
        return (f"【网签】您办理的{location}限购/限售核定已完成：{decision.label}。"
                f"请回到窗口重新进行房源核验后签订合同。")
    because = f"原因：{reason}。" if reason else ""
    return f"【网签】您办理的{location}限购/限售核定已完成：{decision.label}。{because}"
