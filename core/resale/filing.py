"""How a signed resale contract is filed (备案), city by city, as the seeds say.

* 深圳 (seed 001 §5.3.4–5.3.5, §5.4.5.1) — ``REVIEW``: after signing, the parties'
  signed 承诺书 is handed back and recorded; a contract with a party from
  outside the mainland (境外人士) is notarised first (涉外合同公证) and the
  certificate recorded; then the clerk submits it and a supervisor reviews it:
  approved, it is filed and stamped (加盖备案章). Industrial buildings and
  non-residential homes traded between enterprises need no filing (§5.3.4
  注意): the parties take the printed contract straight to the registry.
* 中山 (seed 002 三(六)) — ``AT_SIGNING``: once both parties' codes are verified
  and the contract submitted, it is 已签约 and that *is* the net-signing filing
  (网签备案); it gets its filing number then.
* 武汉 (seed 003 提示3) — ``AT_TRANSFER``: the signed contract is filed
  automatically when the transfer registration (不动产转移登记) is made; the
  counter records that registration, and the filing follows from it.

Pure rules; ``services.resale.filing`` records the materials and files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import RuleViolation


class FilingRoute(StrEnum):
    REVIEW = "review"
    AT_SIGNING = "at_signing"
    AT_TRANSFER = "at_transfer"

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self]


ROUTE_LABELS: dict[FilingRoute, str] = {
    FilingRoute.REVIEW: "提交备案，审核通过后备案并加盖备案章",
    FilingRoute.AT_SIGNING: "双方短信验证提交后即完成网签备案",
    FilingRoute.AT_TRANSFER: "办理不动产转移登记后自动完成备案",
}


class Material(StrEnum):
    """What the counter records before a Shenzhen filing."""

    UNDERTAKING = "undertaking"  # 承诺书（买卖双方签署后交回）
    NOTARISATION = "notarisation"  # 涉外合同公证书

    @property
    def label(self) -> str:
        return {Material.UNDERTAKING: "承诺书（已签署交回）", Material.NOTARISATION: "涉外合同公证书"}[self]


@dataclass(frozen=True)
class FilingFacts:
    """What decides whether and how a signed contract may be sent for filing."""

    route: FilingRoute
    residential: bool
    all_organisations: bool  # every seller and every buyer is an organisation
    outside_mainland: bool  # a party from outside the mainland (港澳台 or abroad)
    materials: frozenset[Material]

    @property
    def required(self) -> bool:
        return filing_required(self.route, residential=self.residential, all_organisations=self.all_organisations)

    @property
    def needs_notarisation(self) -> bool:
        return self.route is FilingRoute.REVIEW and self.outside_mainland

    def missing(self) -> tuple[Material, ...]:
        """The materials still to be recorded before this contract can be sent for filing."""
        if self.route is not FilingRoute.REVIEW or not self.required:
            return ()
        wanted = [Material.UNDERTAKING] + ([Material.NOTARISATION] if self.needs_notarisation else [])
        return tuple(m for m in wanted if m not in self.materials)


def filing_required(route: FilingRoute, *, residential: bool, all_organisations: bool) -> bool:
    """Shenzhen files every contract but non-residential ones between enterprises (seed 001 §5.3.4)."""
    return not (route is FilingRoute.REVIEW and not residential and all_organisations)


def refuse_submission(facts: FilingFacts) -> None:
    """Raise why this signed contract cannot be sent to the supervisors' filing queue (if so)."""
    if facts.route is FilingRoute.AT_SIGNING:
        raise RuleViolation("FILING_AT_SIGNING", "本市合同在双方短信验证提交后即完成网签备案，无须另行提交备案。")
    if facts.route is FilingRoute.AT_TRANSFER:
        raise RuleViolation("FILING_AT_TRANSFER",
                            "本市合同在办理不动产转移登记后自动完成备案：请在登记办结后录入转移登记信息。")
    if not facts.required:
        raise RuleViolation("FILING_NOT_REQUIRED",
                            "企业之间交易非住宅房屋无须办理合同备案，买卖双方可持打印的合同直接到不动产登记中心办理转移登记。")
    missing = facts.missing()
    if Material.UNDERTAKING in missing:
        raise RuleViolation("FILING_UNDERTAKING_MISSING", "请先打印承诺书，由买卖双方签署后交回并登记，再提交备案。")
    if Material.NOTARISATION in missing:
        raise RuleViolation("FILING_NOTARISATION_MISSING",
                            "买卖一方或双方为境外人士，须先到公证处办理涉外合同公证并登记公证书编号，再提交备案。")


def clean_reference(value: str | None, *, code: str, what: str, field: str) -> str:
    """A certificate or registration number as recorded: folded whitespace, 4–40 characters,
    letters, digits and the marks such numbers carry."""
    text = "".join((value or "").split())
    if not text:
        raise RuleViolation(code, f"请填写{what}。", field=field)
    if not 4 <= len(text) <= 40 or any(not (ch.isalnum() or ch in "()（）〔〕[]【】-—第号字·/") for ch in text):
        raise RuleViolation(code, f"{what}应为4到40个字，由文字、数字和括号组成。", field=field)
    return text
