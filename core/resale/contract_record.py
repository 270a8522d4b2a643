"""A validated contract as stored, re-edited and compared.

Pure. :func:`to_json` / :func:`from_json` are the one canonical form of a
:class:`~core.resale.contracts.ValidDraft` (what ``contract.facts`` and every
``contract_version`` row hold); :func:`to_form` turns a stored version back
into the form the clerk edits; :func:`items` flattens a version into labelled
display values by field path, and :func:`changed_items` lists what differs
between two versions (the before/after of a 变更合同).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.identity import REGION_LABELS, IdKind, Region, mask_id, mask_phone
from core.resale.contract_text import dispute_text
from core.resale.contracts import (
    CAPACITY_LABELS,
    CO_OWNERSHIP_LABELS,
    ORGANISATION,
    PAYMENT_METHOD_LABELS,
    AgentLine,
    BuyerLine,
    ContractDraft,
    GuardianLine,
    SellerLine,
    SigningDecision,
    ValidBuyer,
    ValidDraft,
    ValidPerson,
    ValidSeller,
    is_key_change,
    kind_label,
)

__all__ = [
    "ChangedItem",
    "changed_items",
    "from_json",
    "item_label",
    "items",
    "party_keys",
    "to_form",
    "to_json",
]


# ------------------------------------------------------------------ JSON


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _person(p: ValidPerson | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"name": p.name, "region": p.region.value, "id_kind": str(p.id_kind), "id_number": p.id_number,
            "phone": p.phone, "nationality": p.nationality}


def to_json(v: ValidDraft) -> str:
    data = {
        "house_id": v.house_id,
        "sellers": [
            {"kind": s.kind, "name": s.name, "region": s.region.value, "id_kind": str(s.id_kind),
             "id_number": s.id_number, "registered_share": _dec(s.registered_share),
             "transferred_share": _dec(s.transferred_share), "phone": s.phone, "capacity": s.capacity,
             "guardian": _person(s.guardian), "agent": _person(s.agent), "nationality": s.nationality}
            for s in v.sellers
        ],
        "buyers": [
            {"kind": b.kind, "name": b.name, "region": b.region.value,
             "id_kind": None if b.id_kind is None else str(b.id_kind), "id_number": b.id_number,
             "phone": b.phone, "capacity": b.capacity, "guardian": _person(b.guardian),
             "agent": _person(b.agent), "share": _dec(b.share), "nationality": b.nationality}
            for b in v.buyers
        ],
        "co_ownership": v.co_ownership,
        "price": _dec(v.price),
        "price_capital": v.price_capital,
        "payment_method": v.payment_method,
        "payment_terms": v.payment_terms,
        "fund_supervised": v.fund_supervised,
        "supervising_bank": v.supervising_bank,
        "signing": {"method": v.signing.method, "reasons": list(v.signing.reasons)},
    }
    if v.dispute is not None:  # only when chosen: versions stored before the choice existed read back the same
        data["dispute"] = {"choice": v.dispute, "commission": v.arbitration_commission}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _kind(value: str | None) -> IdKind | str | None:
    if value is None:
        return None
    try:
        return IdKind(value)
    except ValueError:
        return value  # e.g. the officer ID, a plain string kind


def _from_person(d: dict[str, Any] | None) -> ValidPerson | None:
    if d is None:
        return None
    return ValidPerson(d["name"], Region(d["region"]), _kind(d["id_kind"]) or "", d["id_number"], d["phone"],
                       d["nationality"])


def _opt_dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def from_json(text: str) -> ValidDraft:
    d = json.loads(text)
    dispute = d.get("dispute") or {}
    return ValidDraft(
        house_id=d["house_id"],
        sellers=tuple(
            ValidSeller(kind=s["kind"], name=s["name"], region=Region(s["region"]), id_kind=_kind(s["id_kind"]) or "",
                        id_number=s["id_number"], registered_share=Decimal(s["registered_share"]),
                        transferred_share=Decimal(s["transferred_share"]), phone=s["phone"],
                        capacity=s["capacity"], guardian=_from_person(s["guardian"]),
                        agent=_from_person(s["agent"]), nationality=s["nationality"])
            for s in d["sellers"]
        ),
        buyers=tuple(
            ValidBuyer(kind=b["kind"], name=b["name"], region=Region(b["region"]), id_kind=_kind(b["id_kind"]),
                       id_number=b["id_number"], phone=b["phone"], capacity=b["capacity"],
                       guardian=_from_person(b["guardian"]), agent=_from_person(b["agent"]),
                       share=_opt_dec(b["share"]), nationality=b["nationality"])
            for b in d["buyers"]
        ),
        co_ownership=d["co_ownership"],
        price=Decimal(d["price"]),
        price_capital=d["price_capital"],
        payment_method=d["payment_method"],
        payment_terms=d["payment_terms"],
        fund_supervised=d["fund_supervised"],
        supervising_bank=d["supervising_bank"],
        signing=SigningDecision(d["signing"]["method"], tuple(d["signing"]["reasons"])),
        dispute=dispute.get("choice"),
        arbitration_commission=dispute.get("commission"),
    )


# ------------------------------------------------------------------ back to the form


def _guardian_line(p: ValidPerson | None) -> GuardianLine | None:
    if p is None:
        return None
    return GuardianLine(p.name, p.region, p.id_kind, p.id_number, p.phone or "", p.nationality)


def _agent_line(p: ValidPerson | None) -> AgentLine | None:
    if p is None:
        return None
    return AgentLine(p.name, p.region, p.id_kind, p.id_number, p.phone or "", p.nationality)


def to_form(v: ValidDraft) -> ContractDraft:
    """The form that validates back to ``v`` (for editing a stored version)."""
    return ContractDraft(
        house_id=v.house_id,
        sellers=tuple(
            SellerLine(name=s.name, region=s.region, id_kind=s.id_kind, id_number=s.id_number,
                       registered_share=s.registered_share, transferred_share=s.transferred_share, kind=s.kind,
                       phone=s.phone, capacity=s.capacity, guardian=_guardian_line(s.guardian),
                       agent=_agent_line(s.agent), nationality=s.nationality)
            for s in v.sellers
        ),
        buyers=tuple(
            BuyerLine(kind=b.kind, name=b.name, region=b.region,
                      id_kind=b.id_kind if b.id_kind is not None else IdKind.RESIDENT_ID,
                      id_number="" if b.kind == ORGANISATION else b.id_number,
                      credit_code=b.id_number if b.kind == ORGANISATION else "",
                      phone=b.phone, capacity=b.capacity, guardian=_guardian_line(b.guardian),
                      agent=_agent_line(b.agent), share=b.share if v.co_ownership == "shares" else None,
                      nationality=b.nationality)
            for b in v.buyers
        ),
        co_ownership=v.co_ownership,
        price=v.price,
        payment_method=v.payment_method,
        fund_supervised=v.fund_supervised,
        supervising_bank=v.supervising_bank or "",
        payment_terms=v.payment_terms,
        requested_signing=v.signing.method if not v.signing.forced_offline else None,
        dispute=v.dispute,
        arbitration_commission=v.arbitration_commission or "",
    )


def party_keys(v: ValidDraft) -> list[tuple[str, str, str]]:
    """(party key, side label, name) of every party, in contract order."""
    return ([(f"seller:{i}", "出卖人", s.name) for i, s in enumerate(v.sellers)]
            + [(f"buyer:{i}", "买受人", b.name) for i, b in enumerate(v.buyers)])


# ------------------------------------------------------------------ items and differences

_LABELS: dict[str, str] = {
    "house_id": "房屋",
    "co_ownership": "共有方式",
    "price": "成交价格",
    "payment_method": "付款方式",
    "payment_terms": "付款约定",
    "fund_supervised": "资金监管",
    "supervising_bank": "监管银行",
    "signing": "签署方式",
    "dispute": "争议解决",
    "kind": "主体类型",
    "name": "姓名（名称）",
    "region": "国籍（地区）",
    "id_kind": "证件类型",
    "id_number": "证件号码",
    "registered_share": "登记份额",
    "transferred_share": "转让份额",
    "phone": "联系电话",
    "capacity": "民事行为能力",
    "share": "共有份额",
    "nationality": "国籍",
    "guardian": "监护人",
    "agent": "代理人",
}


def item_label(path: str) -> str:
    """"buyers[1].phone" → "买受人2 联系电话"."""
    parts = path.split(".")
    out: list[str] = []
    for part in parts:
        if "[" in part:
            side, index = part.rstrip("]").split("[")
            out.append(("出卖人" if side == "sellers" else "买受人") + str(int(index) + 1))
        else:
            out.append(_LABELS.get(part, part))
    return " ".join(out)


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _share(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}%"


def _person_items(prefix: str, p: ValidPerson | None, out: dict[str, str]) -> None:
    if p is None:
        out[prefix] = "无"
        return
    out[f"{prefix}.name"] = p.name
    out[f"{prefix}.id_kind"] = kind_label(p.id_kind)
    out[f"{prefix}.id_number"] = mask_id(p.id_number)
    out[f"{prefix}.phone"] = mask_phone(p.phone) if p.phone else ""


def items(v: ValidDraft) -> dict[str, str]:
    """Every item of a version by field path, as the screen and the change record show it
    (personal numbers masked)."""
    out: dict[str, str] = {"house_id": v.house_id}
    for side, parties in (("sellers", v.sellers), ("buyers", v.buyers)):
        for i, p in enumerate(parties):
            base = f"{side}[{i}]"
            out[f"{base}.kind"] = "机构" if p.kind == ORGANISATION else "个人"
            out[f"{base}.name"] = p.name
            out[f"{base}.region"] = REGION_LABELS[p.region]
            out[f"{base}.id_kind"] = "统一社会信用代码" if p.id_kind is None else kind_label(p.id_kind)
            out[f"{base}.id_number"] = mask_id(p.id_number)
            out[f"{base}.phone"] = mask_phone(p.phone)
            out[f"{base}.capacity"] = CAPACITY_LABELS.get(p.capacity, p.capacity)
            if isinstance(p, ValidSeller):
                out[f"{base}.registered_share"] = _share(p.registered_share)
                out[f"{base}.transferred_share"] = _share(p.transferred_share)
            else:
                out[f"{base}.share"] = _share(p.share)
            _person_items(f"{base}.guardian", p.guardian, out)
            _person_items(f"{base}.agent", p.agent, out)
    out["co_ownership"] = CO_OWNERSHIP_LABELS[v.co_ownership]
    out["price"] = f"{v.price:,.2f}元（{v.price_capital}）"
    out["payment_method"] = PAYMENT_METHOD_LABELS.get(v.payment_method, v.payment_method)
    out["payment_terms"] = v.payment_terms
    out["fund_supervised"] = _yes_no(v.fund_supervised)
    out["supervising_bank"] = v.supervising_bank or ""
    out["signing"] = "线下签署" if v.signing.method == "offline" else "线上签署"
    out["dispute"] = dispute_text(v.dispute, v.arbitration_commission)
    return out


@dataclass(frozen=True)
class ChangedItem:
    path: str
    label: str
    before: str
    after: str
    key: bool  # a key item: refused after signing


def _raw_items(v: ValidDraft) -> dict[str, str]:
    """Like :func:`items` but unmasked, so a change of a hidden digit counts."""
    data = json.loads(to_json(v))
    out: dict[str, str] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            if not value:
                out[prefix] = "{}"
            for k, sub in value.items():
                walk(f"{prefix}.{k}" if prefix else k, sub)
        elif isinstance(value, list) and prefix in ("sellers", "buyers"):
            out[f"{prefix}.count"] = str(len(value))
            for i, sub in enumerate(value):
                walk(f"{prefix}[{i}]", sub)
        else:
            out[prefix] = json.dumps(value, ensure_ascii=False, sort_keys=True)

    walk("", data)
    return out


def _display_path(path: str) -> str:
    """Collapse sub-fields of a guardian/agent and the signing record to the item a clerk names."""
    for whole in (".guardian", ".agent"):
        if whole in path:
            head, _, _tail = path.partition(whole)
            return head + whole
    if path.startswith("signing"):
        return "signing"
    if path.startswith("dispute"):
        return "dispute"
    if path == "price_capital":
        return "price"
    return path


def changed_items(before: ValidDraft, after: ValidDraft) -> list[ChangedItem]:
    """What differs between two versions, one entry per item a clerk would name
    (``buyers[0].guardian`` rather than its sub-fields), in a stable order."""
    old, new = _raw_items(before), _raw_items(after)
    shown_old, shown_new = items(before), items(after)
    paths: dict[str, None] = {}
    for path in list(old) + [p for p in new if p not in old]:
        if old.get(path) != new.get(path):
            paths[_display_path(path)] = None
    out: list[ChangedItem] = []
    for path in paths:
        if path.endswith(".count"):
            side = path.split(".")[0]
            out.append(ChangedItem(side, "增减" + ("出卖人" if side == "sellers" else "买受人"),
                                   old.get(path, "0"), new.get(path, "0"), True))
            continue
        label = item_label(path)
        b = _shown(shown_old, path)
        a = _shown(shown_new, path)
        out.append(ChangedItem(path, label, b, a, is_key_change(path)))
    return out


def _shown(values: dict[str, str], path: str) -> str:
    if path in values:
        return values[path]
    parts = [f"{item_label(p).split(' ')[-1]}：{v}" for p, v in values.items() if p.startswith(path + ".")]
    return "；".join(parts) if parts else "无"
