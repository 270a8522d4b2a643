"""What a clerk typed into the applicant search box, and what to search for."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from core.identity import normalize

MAX_QUERY = 40


class LookupKind(StrEnum):
    ID_NUMBER = "id"  # prefix of an ID number
    NAME = "name"  # prefix of a person's or organisation's name
    PHONE = "phone"  # prefix of a mobile number
    CREDIT_CODE = "credit_code"  # prefix of a unified social credit code


LOOKUP_LABELS = {
    LookupKind.ID_NUMBER: "证件号码",
    LookupKind.NAME: "姓名/名称",
    LookupKind.PHONE: "手机号",
    LookupKind.CREDIT_CODE: "统一社会信用代码",
}


@dataclass(frozen=True)
class LookupPlan:
    text: str  # normalised
    kinds: tuple[LookupKind, ...]

    @property
    def empty(self) -> bool:
        return not self.kinds


def _is_cjk(ch: str) -> bool:
    return unicodedata.category(ch) == "Lo"


def plan_lookup(raw: str) -> LookupPlan:
    """Decide which searches a typed text calls for.

    Chinese characters or plain letters mean a name; digits (with the letters
    an ID or credit code carries) mean a number, and then every number kind
    whose shape fits is searched. Numbers need four characters so that one
    stray key does not scan the register.
    """
    stripped = " ".join(raw.split())[:MAX_QUERY]
    if not stripped:
        return LookupPlan("", ())
    if any(_is_cjk(ch) for ch in stripped) or stripped.replace(" ", "").replace("·", "").isalpha():
        # Latin names are stored upper-case ("SMITH JOHN").
        name = stripped if any(_is_cjk(ch) for ch in stripped) else stripped.upper()
        return LookupPlan(name, (LookupKind.NAME,))
    text = normalize(stripped)
    if len(text) < 4 or not text.isalnum() or not text.isascii():
        return LookupPlan(text, ())
    kinds: list[LookupKind] = [LookupKind.ID_NUMBER]
    if text.isdigit() and text.startswith("1") and len(text) <= 11:
        # Seven or more digits starting with 1 are most likely a mobile number
        # (ID numbers from 11-15 regions also start with 1): phones first.
        kinds.insert(0 if len(text) >= 7 else 1, LookupKind.PHONE)
    if len(text) <= 18:
        kinds.append(LookupKind.CREDIT_CODE)
    return LookupPlan(text, tuple(kinds))
