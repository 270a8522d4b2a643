"""The audit chain: what is hashed, and how personal numbers are masked.

Each row's hash covers exactly the stored values of that row plus the hash of
the row before it, so editing, inserting or deleting any row breaks the chain
from that row on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.identity import mask_id, mask_numbers_in_text, mask_phone

GENESIS_HASH = "0" * 64

# Keys whose values are personal numbers; masked wherever they appear in a
# before/after snapshot.
_ID_KEYS = {"id_number", "number", "agent_id_number", "legal_rep_id_number", "upgraded"}
_PHONE_KEYS = {"phone", "mobile"}


def mask_snapshot(value: Any) -> Any:
    """Return a copy of a before/after snapshot with personal numbers masked: the named
    number fields, and any ID or mobile number inside free text (a reason, a note)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if isinstance(item, str) and key in _ID_KEYS:
                out[key] = mask_id(item)
            elif isinstance(item, str) and key in _PHONE_KEYS:
                out[key] = mask_phone(item)
            else:
                out[key] = mask_snapshot(item)
        return out
    if isinstance(value, (list, tuple)):
        return [mask_snapshot(v) for v in value]
    if isinstance(value, str):
        return mask_numbers_in_text(value)
    return value


def canonical_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def format_at(at: datetime) -> str:
    """The timestamp as hashed: UTC, microseconds, no offset ambiguity."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class AuditRecord:
    """One row of the chain, as stored."""

    seq: int
    at: datetime
    operator: str
    action: str
    object_type: str | None
    object_id: str | None
    case_number: str | None
    before: str | None  # canonical JSON, already masked
    after: str | None
    prev_hash: str

    def chain_middle(self) -> str:
        """The hashed payload between ``seq`` and ``prev_hash``: what the row says.
        (PostgreSQL's ``wq_audit_append`` hashes it with the seq and prev_hash it assigns.)"""
        return "\x1f".join(
            [
                format_at(self.at),
                self.operator,
                self.action,
                self.object_type or "",
                self.object_id or "",
                self.case_number or "",
                self.before or "",
                self.after or "",
            ]
        )

    def compute_hash(self) -> str:
        payload = f"{self.seq}\x1f{self.chain_middle()}\x1f{self.prev_hash}"
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    kind: str  # "edited" | "inserted_or_deleted"
    message: str


def verify_chain(rows: Iterable[tuple[AuditRecord, str]]) -> ChainBreak | None:
    """Check (record, stored_hash) pairs in seq order; the first break or None."""
    prev_hash = GENESIS_HASH
    prev_seq = 0
    for record, stored_hash in rows:
        if record.prev_hash != prev_hash or record.seq != prev_seq + 1:
            return ChainBreak(
                record.seq,
                "inserted_or_deleted",
                f"第 {record.seq} 条审计记录与前一条不衔接：在它之前有记录被插入、删除或改写。",
            )
        if record.compute_hash() != stored_hash:
            return ChainBreak(record.seq, "edited", f"第 {record.seq} 条审计记录的内容已被篡改。")
        prev_hash = stored_hash
        prev_seq = record.seq
    return None
