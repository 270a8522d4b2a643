"""Cancellation at the counter: who confirms in person, and what they bring.

* Seed 002 §四 (中山): both parties come in person with their original ID; for a
  minor, both parents come with the 未成年人保证书 and the 户口本 or 出生证明 proving
  the kinship; a party who cannot come sends a proxy with a notarised authority
  (公证委托书) that names 注销存量房买卖合同网签备案 among its matters.
* Seed 001 §8 (深圳): the parties agree, *or one party alone* brings a legal
  document already in force (已生效的法律文书: a judgment, ruling, mediation
  statement or arbitral award) and applies at the counter; the other parties'
  confirmations are then not needed, and a supervisor reviews it as any other.

Pure rules; ``services.resale.cancel`` records the confirmations and materials.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import RuleViolation


class CounterPresence(StrEnum):
    """How a party confirmed at the counter (or what was recorded)."""

    IN_PERSON = "in_person"  # 本人持有效身份证件原件到场
    PROXY = "proxy"  # 经公证的委托代理人
    LEGAL_DOCUMENT = "legal_document"  # 已生效的法律文书 (one party applies alone)

    @property
    def label(self) -> str:
        return PRESENCE_LABELS[self]


PRESENCE_LABELS: dict[CounterPresence, str] = {
    CounterPresence.IN_PERSON: "本人到场（有效身份证件原件）",
    CounterPresence.PROXY: "公证委托代理人到场",
    CounterPresence.LEGAL_DOCUMENT: "已生效的法律文书",
}


class LegalDocumentKind(StrEnum):
    JUDGMENT = "judgment"
    RULING = "ruling"
    MEDIATION = "mediation"
    ARBITRAL_AWARD = "arbitral_award"

    @property
    def label(self) -> str:
        return LEGAL_DOCUMENT_LABELS[self]


LEGAL_DOCUMENT_LABELS: dict[LegalDocumentKind, str] = {
    LegalDocumentKind.JUDGMENT: "民事判决书",
    LegalDocumentKind.RULING: "民事裁定书",
    LegalDocumentKind.MEDIATION: "民事调解书",
    LegalDocumentKind.ARBITRAL_AWARD: "仲裁裁决书",
}

#: What a minor's side brings (seed 002 §四), said when it is missing.
MINOR_MATERIALS = "父母双方到场，并提供未成年人保证书及能证明亲子关系的户口本或出生证明"


@dataclass(frozen=True)
class LegalDocument:
    kind: LegalDocumentKind
    number: str  # e.g. (2026)粤0304民初1234号
    issued_by: str  # the court or arbitration commission

    @property
    def text(self) -> str:
        return f"{self.issued_by}{self.kind.label}{self.number}"


def _clean(value: object, *, code: str, what: str, field: str, low: int, high: int) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise RuleViolation(code, f"请填写{what}。", field=field)
    if not low <= len(text) <= high or any(not (ch.isalnum() or ch in "()（）〔〕[]【】-—第号字· /") for ch in text):
        raise RuleViolation(code, f"{what}应为{low}到{high}个字，由文字、数字和括号组成。", field=field)
    return text


#: The names a clerk types for each kind, besides its code.
_KIND_NAMES = {name: kind for kind, label in LEGAL_DOCUMENT_LABELS.items() for name in (label, label[2:])}


def legal_document(kind: str | None, number: object, issued_by: object) -> LegalDocument:
    """The legal document as recorded; every part checked. ``kind``: its code or its name
    (民事判决书 or 判决书, …)."""
    typed = (kind or "").strip()
    try:
        chosen = _KIND_NAMES.get(typed) or LegalDocumentKind(typed.lower())
    except ValueError:
        raise RuleViolation("CANCEL_DOCUMENT_KIND", "法律文书应为判决书（judgment）、裁定书（ruling）、"
                            "调解书（mediation）或仲裁裁决书（arbitral_award）。", field="document_kind") from None
    return LegalDocument(chosen, _clean(number, code="CANCEL_DOCUMENT_NUMBER", what="法律文书编号",
                                        field="document_number", low=4, high=40),
                         _clean(issued_by, code="CANCEL_DOCUMENT_ISSUER", what="作出文书的法院或仲裁机构",
                                field="document_issuer", low=4, high=40))


def proxy_certificate(value: object) -> str:
    """The notarised authority's number (公证书编号)."""
    return _clean(value, code="CANCEL_PROXY_CERTIFICATE", what="公证委托书的公证书编号", field="certificate",
                  low=4, high=40)


def refuse_counter_confirmation(presence: CounterPresence, *, minor: bool, minor_materials: bool,
                                names_cancellation: bool) -> None:
    """Raise what the party at the counter still lacks (seed 002 §四)."""
    if presence is CounterPresence.PROXY and not names_cancellation:
        raise RuleViolation("CANCEL_PROXY_SCOPE", "公证委托书须注明“注销存量房买卖合同网签备案”委托事项，否则不能代为办理。",
                            field="names_cancellation")
    if minor and not minor_materials:
        raise RuleViolation("CANCEL_MINOR_MATERIALS", f"当事人为未成年人，须{MINOR_MATERIALS}。",
                            field="minor_materials")
