"""Identity-document rules: parse, validate, describe and mask ID numbers.

Pure functions only (stdlib, no I/O).  Every refusal is a
:class:`core.errors.RuleViolation` with a stable code and one Chinese
sentence; no other exception escapes ``parse_identity``,
``parse_credit_code`` or ``parse_mobile`` for any string input.

Documents handled (see ``IdKind``):

* 居民身份证, 18 digits, GB 11643-1999: region(6) + birth date(8) +
  sequence(3, odd = male) + MOD 11-2 check character.
* 居民身份证 (15 digits, GB 11643-1989): region(6) + YYMMDD (19YY) +
  sequence(3); its upgraded 18-digit form inserts "19" and appends the check.
* 港澳台居民居住证: like the 18-digit ID with region 810000 / 820000 / 830000.
* 港澳居民来往内地通行证 (回乡证): H or M + 8 digits; older cards H/M + 10.
* 台湾居民来往大陆通行证 (台胞证): 8 digits; older forms are accepted too.
* 港澳居民身份证 (seed 001 §5.2.2.3, a seller's number as the certificate
  carries it): Hong Kong, one or two letters + 6 digits + a check character
  (0-9 or A, MOD 11) printed in brackets, A123456(3); Macao, 8 digits starting
  with 1, 5 or 7, printed 1234567(8) (its check digit is not published and
  is not verified).
* 护照: 5-17 letters/digits with at least one digit.
* 外国人永久居留身份证: the 2023 card (18 digits starting with 9, MOD 11-2)
  and the older 15-character card (3 letters + 12 digits).
* 统一社会信用代码 (GB 32100-2015) and mainland mobile numbers.
* Persons' names (``check_person_name``): Chinese characters or Latin
  letters, joined by the middle dot ·, spaces, hyphens and apostrophes;
  the register's keys of a document (``register_keys``: a resident ID in its
  15- and 18-digit forms) and the comparison of two names (``same_person_name``).

Input is first normalised the way an input method types it: full-width
forms become ASCII, whitespace (including U+3000) and hyphens vanish,
letters are upper-cased.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any

from core import regions
from core.errors import RuleViolation

__all__ = [
    "IdKind",
    "ID_KIND_LABELS",
    "Region",
    "REGION_LABELS",
    "MALE",
    "FEMALE",
    "IdentityFacts",
    "CreditCodeFacts",
    "USCC_CHARSET",
    "normalize",
    "parse_identity",
    "parse_credit_code",
    "parse_mobile",
    "check_char_gb11643",
    "check_char_uscc",
    "check_char_org_code",
    "mask_id",
    "mask_phone",
    "mask_name",
    "check_person_name",
    "normalize_person_name",
    "same_person_name",
    "register_keys",
    "make_resident_id",
    "make_resident_id_15",
    "make_hmt_permit",
    "make_foreign_pr_2023",
    "make_hk_macao_permit",
    "make_taiwan_permit",
    "make_hk_id",
    "check_char_hkid",
    "make_passport",
    "make_credit_code",
    "make_mobile",
]


# --------------------------------------------------------------------------
# Kinds and regions
# --------------------------------------------------------------------------


class IdKind(StrEnum):
    """Kinds of personal identity document; values are stable English codes."""

    RESIDENT_ID = "resident_id"
    RESIDENT_ID_15 = "resident_id_15"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    HK_MACAO_ID = "hk_macao_id"
    PASSPORT = "passport"
    FOREIGN_PR = "foreign_pr"


ID_KIND_LABELS: dict[IdKind, str] = {
    IdKind.RESIDENT_ID: "居民身份证",
    IdKind.RESIDENT_ID_15: "居民身份证(15位)",
    IdKind.HMT_RESIDENCE_PERMIT: "港澳台居民居住证",
    IdKind.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    IdKind.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    IdKind.HK_MACAO_ID: "港澳居民身份证",
    IdKind.PASSPORT: "护照",
    IdKind.FOREIGN_PR: "外国人永久居留身份证",
}


class Region(StrEnum):
    """Where the holder of a document belongs."""

    MAINLAND = "mainland"
    HONG_KONG = "hong_kong"
    MACAO = "macao"
    TAIWAN = "taiwan"
    FOREIGN = "foreign"


REGION_LABELS: dict[Region, str] = {
    Region.MAINLAND: "内地",
    Region.HONG_KONG: "香港",
    Region.MACAO: "澳门",
    Region.TAIWAN: "台湾",
    Region.FOREIGN: "外籍",
}

_HMT_REGION_BY_CODE: dict[str, Region] = {
    "810000": Region.HONG_KONG,
    "820000": Region.MACAO,
    "830000": Region.TAIWAN,
}
_HMT_CODE_BY_REGION: dict[Region, str] = {v: k for k, v in _HMT_REGION_BY_CODE.items()}

MALE = "男"
FEMALE = "女"

_FIELD_ID = "id_number"
_FIELD_USCC = "credit_code"
_FIELD_PHONE = "phone"
_FIELD_NATIONALITY = "nationality"
_FIELD_KIND = "id_kind"

# Longest raw text looked at; anything longer is refused before any work.
_MAX_RAW_LENGTH = 200


# --------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityFacts:
    """What a valid personal document number tells."""

    kind: IdKind
    number: str  # normalised
    region: Region
    birth_date: date | None
    sex: str | None  # "男" / "女" / None
    region_code: str | None  # 6-digit administrative code where carried
    region_name: str | None  # e.g. "广东省深圳市" / "香港"
    nationality: str | None  # ISO 3166-1 alpha-3 where known
    upgraded: str | None = None  # 18-digit form of a 15-digit resident ID

    @property
    def label(self) -> str:
        """Chinese name of the document kind."""
        return ID_KIND_LABELS[self.kind]

    @property
    def region_label(self) -> str:
        """Chinese name of the holder's region (内地 / 香港 / ...)."""
        return REGION_LABELS[self.region]

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day`` (the birthday itself counts).

        A holder born on 29 February becomes a year older on 1 March in
        common years.  ``None`` when the birth date is unknown or ``day``
        precedes it.
        """
        born = self.birth_date
        if born is None:
            return None
        if isinstance(day, datetime):
            day = day.date()
        if day < born:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_minor_on(self, day: date) -> bool | None:
        """Whether the holder is under 18 on ``day``; ``None`` if unknown."""
        age = self.age_on(day)
        return None if age is None else age < 18

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view (dates as ISO strings, enums as their codes)."""
        return {
            "kind": self.kind.value,
            "label": self.label,
            "number": self.number,
            "region": self.region.value,
            "region_label": self.region_label,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "region_code": self.region_code,
            "region_name": self.region_name,
            "nationality": self.nationality,
            "upgraded": self.upgraded,
        }


@dataclass(frozen=True)
class CreditCodeFacts:
    """What a valid unified social credit code tells."""

    code: str
    region_code: str
    region_name: str | None
    registration_authority: str  # Chinese label of the registering authority
    category: str | None = None  # Chinese label of the organisation category
    organization_code: str = ""  # characters 9-17 (the embedded 组织机构代码)
    organization_code_checks: bool = False  # GB 11714 check holds (informational)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "region_code": self.region_code,
            "region_name": self.region_name,
            "registration_authority": self.registration_authority,
            "category": self.category,
            "organization_code": self.organization_code,
            "organization_code_checks": self.organization_code_checks,
        }


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

# Hyphen-like marks an input method may produce (the full-width hyphen
# U+FF0D becomes "-" before this set is consulted).
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")
# Invisible characters that ride along with copy-paste.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


def normalize(raw: str) -> str:
    """Normalise what an input method types.

    Full-width ASCII forms (U+FF01-U+FF5E) become ASCII, every whitespace
    character (including the ideographic space U+3000), hyphen-like marks and
    invisible zero-width characters are removed, and ASCII letters are
    upper-cased.  Nothing else is changed: other characters stay and are
    refused by the validators.  ``None`` normalises to ``""``.
    """
    if raw is None:
        return ""
    if isinstance(raw, str) and raw.isascii() and raw.isalnum():
        # Already in stored form (the common case for numbers read back from
        # the register): only lower-case letters would change.
        return raw.upper()
    out: list[str] = []
    for ch in str(raw):
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        if ch.isspace() or ch in _HYPHENS or ch in _INVISIBLE:
            continue
        if "a" <= ch <= "z":
            ch = chr(ord(ch) - 32)
        out.append(ch)
    return "".join(out)


def _prepare(raw: object, *, empty_code: str, empty_message: str, field: str) -> str:
    """Normalise user input, refusing missing, non-text and oversized values."""
    if raw is None:
        raise RuleViolation(empty_code, empty_message, field=field)
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise RuleViolation("INPUT_NOT_TEXT", "输入的内容不是文字，请重新输入。", field=field)
    if len(raw) > _MAX_RAW_LENGTH:
        raise RuleViolation(
            "INPUT_TOO_LONG", "输入的内容过长，请核对后重新输入。", field=field
        )
    value = normalize(raw)
    if not value:
        raise RuleViolation(empty_code, empty_message, field=field)
    return value


# --------------------------------------------------------------------------
# Check characters
# --------------------------------------------------------------------------

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_DIGITS = frozenset("0123456789")


def _is_digits(text: str) -> bool:
    return bool(text) and all(c in _DIGITS for c in text)


def check_char_gb11643(first17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2 check character of 17 ASCII digits.

    Raises ``ValueError`` (a programming error, not a user refusal) when
    ``first17`` is not 17 ASCII digits.
    """
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError("check_char_gb11643 needs exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _GB11643_WEIGHTS))
    return _GB11643_CHECK[total % 11]


def check_char_uscc(first17: str) -> str:
    """GB 32100-2015 check character of the first 17 characters of a USCC.

    Raises ``ValueError`` when ``first17`` is not 17 characters of
    ``USCC_CHARSET``.
    """
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("check_char_uscc needs 17 characters of the USCC charset")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS))
    value = 31 - total % 31
    return USCC_CHARSET[0 if value == 31 else value]


_HKID_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def check_char_hkid(body: str) -> str:
    """Check character of a Hong Kong identity card number (one or two letters + 6 digits).

    Weights 9..2 over the eight positions (a one-letter prefix counts a space,
    value 36, in the first); letters A-Z are 10-35; the check is 11 minus the
    sum modulo 11, where 10 is written "A" and 11 "0".  Raises ``ValueError``
    when ``body`` has another shape.
    """
    if not re.fullmatch(r"[A-Z]{1,2}[0-9]{6}", body or ""):
        raise ValueError("check_char_hkid needs one or two letters and six digits")
    values = ([36] if len(body) == 7 else []) + [
        _HKID_LETTERS.index(c) + 10 if c.isalpha() else int(c) for c in body
    ]
    value = 11 - sum(v * w for v, w in zip(values, range(9, 1, -1))) % 11
    return "A" if value == 10 else "0" if value == 11 else str(value)


def check_char_org_code(first8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    if len(first8) != 8 or any(c not in _ORG_BODY_CHARS for c in first8):
        raise ValueError("check_char_org_code needs 8 characters of 0-9 / A-Z")
    total = sum(_ORG_BODY_CHARS.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


# --------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------

# Short nouns used inside messages: "身份证号码校验位不正确，……"
_NOUN: dict[IdKind, str] = {
    IdKind.RESIDENT_ID: "身份证",
    IdKind.RESIDENT_ID_15: "身份证",
    IdKind.HMT_RESIDENCE_PERMIT: "居住证",
    IdKind.HK_MACAO_PERMIT: "通行证",
    IdKind.TAIWAN_PERMIT: "通行证",
    IdKind.HK_MACAO_ID: "港澳居民身份证",
    IdKind.PASSPORT: "护照",
    IdKind.FOREIGN_PR: "永久居留身份证",
}


def _refuse(code: str, message: str, field: str = _FIELD_ID) -> RuleViolation:
    return RuleViolation(code, message, field=field)


def _kind_mismatch(actual: IdKind) -> RuleViolation:
    return _refuse(
        "ID_KIND_MISMATCH",
        f"该号码是{ID_KIND_LABELS[actual]}号码，与所选证件类型不符，请重新选择证件类型。",
    )


def _bad_check(kind: IdKind) -> RuleViolation:
    return _refuse("ID_BAD_CHECK_DIGIT", f"{_NOUN[kind]}号码校验位不正确，请核对后重新输入。")


def _bad_chars_18(kind: IdKind) -> RuleViolation:
    return _refuse(
        "ID_BAD_CHARS",
        f"{_NOUN[kind]}号码只能由数字组成且仅最后一位可以是字母X，请核对后重新输入。",
    )


def _resolve_today(today: date) -> date:
    if isinstance(today, datetime):
        return today.date()
    return today


def _birth_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check_birth(text8: str, kind: IdKind, today: date) -> date:
    """Birth date YYYYMMDD: a real calendar date, year >= 1900, not after today."""
    born = _birth_date(int(text8[:4]), int(text8[4:6]), int(text8[6:8]))
    if born is None or born.year < 1900:
        raise _refuse(
            "ID_BAD_BIRTH_DATE",
            f"{_NOUN[kind]}号码中的出生日期不是有效日期，请核对后重新输入。",
        )
    if born > today:
        raise _refuse(
            "ID_FUTURE_BIRTH_DATE",
            f"{_NOUN[kind]}号码中的出生日期晚于今天，请核对后重新输入。",
        )
    return born


def _sex_of(digit: str) -> str:
    return MALE if int(digit) % 2 == 1 else FEMALE


# --------------------------------------------------------------------------
# Parsers per kind (each takes a normalised, non-empty value)
# --------------------------------------------------------------------------

_RE_18 = re.compile(r"[0-9]{17}[0-9X]")
_RE_15_DIGITS = re.compile(r"[0-9]{15}")
_RE_FPR_OLD = re.compile(r"[A-Z]{3}[0-9]{12}")
_RE_HK_MACAO = re.compile(r"[HM](?:[0-9]{8}|[0-9]{10})")
_RE_TAIWAN_AUTO = re.compile(r"[0-9]{8}|[0-9]{10}")
# Older Taiwan permits: 10 digits (8 + issue count), 8 digits with an issue
# letter printed in brackets such as 12345678(B), and the one-time permit
# of one letter + 9 digits.
_RE_TAIWAN = re.compile(r"[0-9]{8}|[0-9]{10}|[0-9]{8}\([A-Z]\)|[0-9]{8}[A-Z]|[A-Z][0-9]{9}")
_RE_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
_RE_CN_PASSPORT = re.compile(r"E[0-9]{8}|E[A-Z][0-9]{7}")


def _shape_18(s: str, kind: IdKind) -> None:
    if len(s) != 18:
        raise _refuse(
            "ID_BAD_LENGTH", f"{_NOUN[kind]}号码应为18位，请核对后重新输入。"
        )
    if not _RE_18.fullmatch(s):
        raise _bad_chars_18(kind)


def _parse_resident_18(s: str, today: date) -> IdentityFacts:
    kind = IdKind.RESIDENT_ID
    _shape_18(s, kind)
    if s[0] == "9":
        raise _kind_mismatch(IdKind.FOREIGN_PR)
    if s[:6] in _HMT_REGION_BY_CODE:
        raise _kind_mismatch(IdKind.HMT_RESIDENCE_PERMIT)
    if s[:2] not in regions.PROVINCES:
        raise _refuse(
            "ID_BAD_REGION",
            "身份证号码前两位不是有效的省级行政区划代码，请核对后重新输入。",
        )
    born = _check_birth(s[6:14], kind, today)
    if check_char_gb11643(s[:17]) != s[17]:
        raise _bad_check(kind)
    return IdentityFacts(
        kind=kind,
        number=s,
        region=Region.MAINLAND,
        birth_date=born,
        sex=_sex_of(s[16]),
        region_code=s[:6],
        region_name=regions.region_name(s[:6]),
        nationality="CHN",
        upgraded=None,
    )


def _parse_resident_15(s: str, today: date) -> IdentityFacts:
    kind = IdKind.RESIDENT_ID_15
    if len(s) != 15:
        raise _refuse("ID_BAD_LENGTH", "旧版身份证号码应为15位数字，请核对后重新输入。")
    if not _RE_15_DIGITS.fullmatch(s):
        raise _refuse("ID_BAD_CHARS", "旧版身份证号码只能由数字组成，请核对后重新输入。")
    if s[:2] not in regions.PROVINCES:
        raise _refuse(
            "ID_BAD_REGION",
            "身份证号码前两位不是有效的省级行政区划代码，请核对后重新输入。",
        )
    born = _check_birth("19" + s[6:12], kind, today)
    first17 = s[:6] + "19" + s[6:]
    return IdentityFacts(
        kind=kind,
        number=s,
        region=Region.MAINLAND,
        birth_date=born,
        sex=_sex_of(s[14]),
        region_code=s[:6],
        region_name=regions.region_name(s[:6]),
        nationality="CHN",
        upgraded=first17 + check_char_gb11643(first17),
    )


def _parse_hmt(s: str, today: date) -> IdentityFacts:
    kind = IdKind.HMT_RESIDENCE_PERMIT
    _shape_18(s, kind)
    region = _HMT_REGION_BY_CODE.get(s[:6])
    if region is None:
        if s[0] == "9":
            raise _kind_mismatch(IdKind.FOREIGN_PR)
        if s[:2] in regions.PROVINCES:
            raise _kind_mismatch(IdKind.RESIDENT_ID)
        raise _refuse(
            "ID_BAD_REGION",
            "港澳台居民居住证号码应以810000、820000或830000开头，请核对后重新输入。",
        )
    born = _check_birth(s[6:14], kind, today)
    if check_char_gb11643(s[:17]) != s[17]:
        raise _bad_check(kind)
    return IdentityFacts(
        kind=kind,
        number=s,
        region=region,
        birth_date=born,
        sex=_sex_of(s[16]),
        region_code=s[:6],
        region_name=regions.HMT_REGION_CODES[s[:6]],
        nationality="CHN",
        upgraded=None,
    )


def _parse_foreign_pr(s: str, today: date) -> IdentityFacts:
    if len(s) == 18:
        return _parse_foreign_pr_2023(s, today)
    if len(s) == 15 and _RE_FPR_OLD.fullmatch(s):
        return _parse_foreign_pr_old(s, today)
    raise _refuse(
        "FPR_BAD_FORMAT",
        "外国人永久居留身份证号码应为以9开头的18位号码或3位字母加12位数字的旧版号码，请核对后重新输入。",
    )


def _parse_foreign_pr_2023(s: str, today: date) -> IdentityFacts:
    """2023 card: "9" + issuing province(2) + nationality numeric(3) +
    birth date(8) + sequence(3) + MOD 11-2 check, as announced by the National
    Immigration Administration (the number follows the citizen ID standard;
    the sequence's parity is read as sex like a citizen ID)."""
    kind = IdKind.FOREIGN_PR
    _shape_18(s, kind)
    if s[0] != "9":
        if s[:6] in _HMT_REGION_BY_CODE:
            raise _kind_mismatch(IdKind.HMT_RESIDENCE_PERMIT)
        if s[:2] in regions.PROVINCES:
            raise _kind_mismatch(IdKind.RESIDENT_ID)
        raise _refuse(
            "FPR_BAD_FORMAT",
            "外国人永久居留身份证的18位号码应以数字9开头，请核对后重新输入。",
        )
    province = s[1:3]
    if province not in regions.PROVINCES:
        raise _refuse(
            "ID_BAD_REGION",
            "永久居留身份证号码中的受理地代码不正确，请核对后重新输入。",
        )
    born = _check_birth(s[6:14], kind, today)
    if check_char_gb11643(s[:17]) != s[17]:
        raise _bad_check(kind)
    return IdentityFacts(
        kind=kind,
        number=s,
        region=Region.FOREIGN,
        birth_date=born,
        sex=_sex_of(s[16]),
        region_code=province + "0000",  # issuing province, not the origin
        region_name=regions.PROVINCES[province],
        nationality=regions.COUNTRY_BY_NUMERIC.get(s[3:6]),
        upgraded=None,
    )


def _parse_foreign_pr_old(s: str, today: date) -> IdentityFacts:
    """Pre-2023 card: 15 characters.

    Layout used here: nationality alpha-3 (3) + place of acceptance (4: the
    province code of issue and two more digits) + birth date YYMMDD (6) +
    sequence (1) + check character (1).  The only public descriptions found
    of this layout are unofficial; one of them computes the last character
    with the ICAO 9303 7-3-1 scheme, but the official algorithm could not be
    confirmed, so the check character is NOT verified (structure,
    nationality, province and birth date only), and sex is not derived.
    The century of YYMMDD is not written: the latest century giving a date
    not after ``today`` is taken (20YY if possible, else 19YY).
    """
    kind = IdKind.FOREIGN_PR
    nationality = s[:3]
    if nationality not in regions.NATIONALITY_CODES:
        raise _refuse(
            "FPR_BAD_NATIONALITY",
            "永久居留身份证号码中的国籍代码不正确，请核对后重新输入。",
        )
    province = s[3:5]
    if province not in regions.PROVINCES:
        raise _refuse(
            "ID_BAD_REGION",
            "永久居留身份证号码中的受理地代码不正确，请核对后重新输入。",
        )
    yy, mm, dd = int(s[7:9]), int(s[9:11]), int(s[11:13])
    candidates = [d for d in (_birth_date(2000 + yy, mm, dd), _birth_date(1900 + yy, mm, dd)) if d]
    if not candidates:
        raise _refuse(
            "ID_BAD_BIRTH_DATE",
            "永久居留身份证号码中的出生日期不是有效日期，请核对后重新输入。",
        )
    past = [d for d in candidates if d <= today]
    if not past:
        raise _refuse(
            "ID_FUTURE_BIRTH_DATE",
            "永久居留身份证号码中的出生日期晚于今天，请核对后重新输入。",
        )
    return IdentityFacts(
        kind=kind,
        number=s,
        region=Region.FOREIGN,
        birth_date=past[0],
        sex=None,
        region_code=province + "0000",
        region_name=regions.PROVINCES[province],
        nationality=nationality,
        upgraded=None,
    )


def _document_facts(kind: IdKind, number: str, region: Region) -> IdentityFacts:
    """A travel permit's or a Hong Kong / Macao card's facts: no birth date, sex or region code."""
    return IdentityFacts(
        kind=kind,
        number=number,
        region=region,
        birth_date=None,
        sex=None,
        region_code=None,
        region_name=REGION_LABELS[region],
        nationality="CHN",
        upgraded=None,
    )


def _parse_hk_macao(s: str) -> IdentityFacts:
    if not _RE_HK_MACAO.fullmatch(s):
        raise _refuse(
            "PERMIT_BAD_FORMAT",
            "港澳居民来往内地通行证号码应为字母H或M加8位数字，请核对后重新输入。",
        )
    return _document_facts(IdKind.HK_MACAO_PERMIT, s, Region.HONG_KONG if s[0] == "H" else Region.MACAO)


def _parse_taiwan(s: str) -> IdentityFacts:
    if not _RE_TAIWAN.fullmatch(s):
        raise _refuse(
            "PERMIT_BAD_FORMAT",
            "台湾居民来往大陆通行证号码应为8位数字，请核对后重新输入。",
        )
    if len(s) == 9 and s[8].isalpha():  # 12345678B -> printed form 12345678(B)
        s = f"{s[:8]}({s[8]})"
    return _document_facts(IdKind.TAIWAN_PERMIT, s, Region.TAIWAN)


_RE_HKID = re.compile(r"([A-Z]{1,2}[0-9]{6})\(?([0-9A])\)?")
_RE_MACAO_ID = re.compile(r"([157][0-9]{6})\(?([0-9])\)?")


def _parse_hk_macao_id(s: str) -> IdentityFacts:
    """港澳居民身份证, kept in its printed form: A123456(3) / 1234567(8)."""
    hk = _RE_HKID.fullmatch(s)
    if hk is not None:
        body, check = hk.groups()
        if check_char_hkid(body) != check:
            raise _bad_check(IdKind.HK_MACAO_ID)
        number, region = f"{body}({check})", Region.HONG_KONG
    else:
        macao = _RE_MACAO_ID.fullmatch(s)
        if macao is None:
            raise _refuse(
                "HKMO_ID_BAD_FORMAT",
                "港澳居民身份证号码应为香港的1至2位字母加6位数字及括号内的校验码（如A123456(3)），或澳门以1、5、7开头的8位数字，请核对后重新输入。",
            )
        body, check = macao.groups()
        number, region = f"{body}({check})", Region.MACAO
    return _document_facts(IdKind.HK_MACAO_ID, number, region)


_REGION_BY_NATIONALITY: dict[str, Region] = {
    "CHN": Region.MAINLAND,
    "HKG": Region.HONG_KONG,
    "MAC": Region.MACAO,
    "TWN": Region.TAIWAN,
}


def _normalize_nationality(nationality: object) -> str | None:
    if nationality is None:
        return None
    if not isinstance(nationality, str) or len(nationality) > _MAX_RAW_LENGTH:
        raise _refuse("PASSPORT_BAD_NATIONALITY", "国籍代码不正确，请选择有效的国籍。", _FIELD_NATIONALITY)
    code = normalize(nationality)
    if not code:
        return None
    if code not in regions.NATIONALITY_CODES:
        raise _refuse("PASSPORT_BAD_NATIONALITY", "国籍代码不正确，请选择有效的国籍。", _FIELD_NATIONALITY)
    return code


def _parse_passport(s: str, nationality: object) -> IdentityFacts:
    if not _RE_PASSPORT.fullmatch(s) or not any(c in _DIGITS for c in s):
        raise _refuse(
            "PASSPORT_BAD_FORMAT",
            "护照号码应为5到17位字母或数字且至少包含一位数字，请核对后重新输入。",
        )
    code = _normalize_nationality(nationality)
    if code is None:
        if _RE_CN_PASSPORT.fullmatch(s):
            code = "CHN"
        else:
            raise _refuse(
                "PASSPORT_NATIONALITY_REQUIRED",
                "外国护照需要同时填写国籍，请选择国籍后重新提交。",
                _FIELD_NATIONALITY,
            )
    region = _REGION_BY_NATIONALITY.get(code, Region.FOREIGN)
    return IdentityFacts(
        kind=IdKind.PASSPORT,
        number=s,
        region=region,
        birth_date=None,
        sex=None,
        region_code=None,
        region_name=None if region in (Region.MAINLAND, Region.FOREIGN) else REGION_LABELS[region],
        nationality=code,
        upgraded=None,
    )


# --------------------------------------------------------------------------
# Public parsing entry points
# --------------------------------------------------------------------------


def _coerce_kind(kind: IdKind | str | None) -> IdKind | None:
    if kind is None or isinstance(kind, IdKind):
        return kind
    if isinstance(kind, str):
        text = kind.strip()
        if not text:
            return None
        try:
            return IdKind(text.lower())
        except ValueError:
            pass
        if text.upper() in IdKind.__members__:
            return IdKind[text.upper()]
        for member, label in ID_KIND_LABELS.items():
            if label == text:
                return member
    raise _refuse("ID_UNKNOWN_KIND", "证件类型不正确，请重新选择证件类型。", _FIELD_KIND)


def _detect_and_parse(s: str, today: date, nationality: object) -> IdentityFacts:
    if _RE_18.fullmatch(s):
        if s[0] == "9":
            return _parse_foreign_pr_2023(s, today)
        if s[:2] in ("81", "82", "83"):
            return _parse_hmt(s, today)
        return _parse_resident_18(s, today)
    if _RE_15_DIGITS.fullmatch(s):
        return _parse_resident_15(s, today)
    if _RE_FPR_OLD.fullmatch(s):
        return _parse_foreign_pr_old(s, today)
    if _RE_HK_MACAO.fullmatch(s):
        return _parse_hk_macao(s)
    if _RE_TAIWAN_AUTO.fullmatch(s):
        return _parse_taiwan(s)
    if s.endswith(")") and (_RE_HKID.fullmatch(s) or _RE_MACAO_ID.fullmatch(s)):
        # Only the printed form with its bracketed check: without brackets the number
        # is as much a passport's (A1234563) or a 台胞证's (12345678) as an ID card's.
        return _parse_hk_macao_id(s)
    digits = sum(c in _DIGITS for c in s)
    body = s[:-1] if s.endswith("X") else s
    if _is_digits(body) and (len(s) in (14, 16, 17) or len(s) >= 19):
        # Almost certainly a resident ID with a digit too many or too few.
        raise _refuse(
            "ID_BAD_LENGTH", "身份证号码应为18位，请核对后重新输入。"
        )
    if len(s) == 18 and s.isascii() and s.isalnum() and digits >= 16:
        raise _bad_chars_18(IdKind.RESIDENT_ID)
    if _RE_PASSPORT.fullmatch(s) and digits:
        return _parse_passport(s, nationality)
    if not all(c in _DIGITS or "A" <= c <= "Z" or c in "()" for c in s):
        raise _refuse(
            "ID_BAD_CHARS", "证件号码只能包含字母和数字，请核对后重新输入。"
        )
    raise _refuse(
        "ID_UNKNOWN_FORMAT", "无法识别该证件号码的类型，请选择证件类型后重新输入。"
    )


def parse_identity(
    raw: str,
    kind: IdKind | str | None = None,
    *,
    today: date,
    nationality: str | None = None,
) -> IdentityFacts:
    """Validate a personal document number and return what it tells.

    ``kind`` may be an ``IdKind``, its code, its member name or its Chinese
    label; ``None`` detects the kind from the shape of the number:

    * 18 characters of digits (last may be X): leading 9 -> foreign permanent
      resident ID (2023; no province code starts with 9), leading 81/82/83 ->
      Hong Kong / Macao / Taiwan residence permit, otherwise resident ID;
    * 15 digits -> legacy resident ID; 3 letters + 12 digits -> old foreign
      permanent resident ID; H/M + 8 or 10 digits -> HK/Macao travel permit;
      8 or 10 digits -> Taiwan travel permit; other 5-17 letters/digits with
      a digit -> passport.

    ``kind=RESIDENT_ID`` also accepts a 15-digit legacy number (reported as
    ``RESIDENT_ID_15``).  ``nationality`` (ISO alpha-3) is used for passports
    only; a Chinese ordinary passport (E + 8 digits, E + letter + 7 digits)
    defaults to ``"CHN"``, any other passport requires it.  ``today`` (the
    caller's clock: rules never read the wall clock) bounds birth dates.
    """
    s = _prepare(raw, empty_code="ID_EMPTY", empty_message="请输入证件号码。", field=_FIELD_ID)
    kind_ = _coerce_kind(kind)
    day = _resolve_today(today)
    if kind_ is None:
        return _detect_and_parse(s, day, nationality)
    if kind_ is IdKind.RESIDENT_ID:
        if len(s) == 15:
            return _parse_resident_15(s, day)
        if len(s) != 18:
            raise _refuse(
                "ID_BAD_LENGTH", "身份证号码应为18位，请核对后重新输入。"
            )
        return _parse_resident_18(s, day)
    if kind_ is IdKind.RESIDENT_ID_15:
        return _parse_resident_15(s, day)
    if kind_ is IdKind.HMT_RESIDENCE_PERMIT:
        return _parse_hmt(s, day)
    if kind_ is IdKind.FOREIGN_PR:
        return _parse_foreign_pr(s, day)
    if kind_ is IdKind.HK_MACAO_PERMIT:
        return _parse_hk_macao(s)
    if kind_ is IdKind.TAIWAN_PERMIT:
        return _parse_taiwan(s)
    if kind_ is IdKind.HK_MACAO_ID:
        return _parse_hk_macao_id(s)
    return _parse_passport(s, nationality)


# Registration authority (character 1) and organisation category
# (characters 1-2) of GB 32100-2015 and its later assignments.
_USCC_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
_USCC_CATEGORIES: dict[str, str] = {
    "11": "机关",
    "12": "事业单位",
    "13": "中央编办直接管理机构编制的群众团体",
    "19": "其他",
    "21": "外国常驻新闻机构",
    "29": "其他",
    "31": "律师执业机构",
    "32": "公证处",
    "33": "基层法律服务所",
    "34": "司法鉴定机构",
    "35": "仲裁委员会",
    "39": "其他",
    "41": "外国在华文化中心",
    "49": "其他",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
    "59": "其他",
    "61": "外国旅游部门常驻代表机构",
    "62": "港澳台地区旅游部门常驻内地（大陆）代表机构",
    "69": "其他",
    "71": "宗教活动场所",
    "72": "宗教院校",
    "79": "其他",
    "81": "基层工会",
    "89": "其他",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "A1": "军队事业单位",
    "A9": "其他",
    "N1": "组级集体经济组织",
    "N2": "村级集体经济组织",
    "N3": "乡镇级集体经济组织",
    "N9": "其他",
    "Y1": "其他",
}
# Central-level organisations are registered with the national code 100000.
_USCC_NATIONAL_REGION = "100000"


def parse_credit_code(raw: str) -> CreditCodeFacts:
    """Validate a unified social credit code (统一社会信用代码, GB 32100-2015).

    Checks: 18 characters of ``USCC_CHARSET`` (no I, O, Z, S, V); characters
    3-8 a region code whose first two digits are a province code (or the
    national code 100000); the check character.  The embedded organisation
    code's own GB 11714 check is reported in ``organization_code_checks`` but
    not enforced, because it is not guaranteed for every code in use.  An
    unlisted registration-authority character is reported as "其他".
    """
    s = _prepare(
        raw,
        empty_code="USCC_EMPTY",
        empty_message="请输入统一社会信用代码。",
        field=_FIELD_USCC,
    )
    if len(s) != 18:
        raise _refuse(
            "USCC_BAD_LENGTH", "统一社会信用代码应为18位，请核对后重新输入。", _FIELD_USCC
        )
    if any(c not in _USCC_VALUE for c in s):
        raise _refuse(
            "USCC_BAD_CHARS",
            "统一社会信用代码只能包含数字和除I、O、Z、S、V以外的大写字母，请核对后重新输入。",
            _FIELD_USCC,
        )
    region_code = s[2:8]
    if not _is_digits(region_code) or (
        region_code[:2] not in regions.PROVINCES and region_code != _USCC_NATIONAL_REGION
    ):
        raise _refuse(
            "USCC_BAD_REGION",
            "统一社会信用代码中的行政区划代码不正确，请核对后重新输入。",
            _FIELD_USCC,
        )
    if check_char_uscc(s[:17]) != s[17]:
        raise _refuse(
            "USCC_BAD_CHECK_CHAR",
            "统一社会信用代码校验位不正确，请核对后重新输入。",
            _FIELD_USCC,
        )
    org = s[8:17]
    org_ok = check_char_org_code(org[:8]) == org[8]
    name = "中央" if region_code == _USCC_NATIONAL_REGION else regions.region_name(region_code)
    return CreditCodeFacts(
        code=s,
        region_code=region_code,
        region_name=name,
        registration_authority=_USCC_AUTHORITIES.get(s[0], "其他"),
        category=_USCC_CATEGORIES.get(s[:2]),
        organization_code=org,
        organization_code_checks=org_ok,
    )


_RE_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")


def parse_mobile(raw: str) -> str:
    """Validate a mainland mobile number and return its 11 digits.

    Accepts a leading +86 / 86 / 0086 (optionally in brackets), spaces,
    hyphens and full-width digits.
    """
    s = _prepare(
        raw, empty_code="PHONE_EMPTY", empty_message="请输入手机号码。", field=_FIELD_PHONE
    )
    s = s.replace("(", "").replace(")", "")
    match = _RE_MOBILE.fullmatch(s)
    if match is None:
        raise _refuse(
            "PHONE_BAD_FORMAT",
            "手机号码应为以1开头的11位数字，请核对后重新输入。",
            _FIELD_PHONE,
        )
    return match.group(1)


# --------------------------------------------------------------------------
# Persons' names
# --------------------------------------------------------------------------

#: The middle dot of minority and foreign names (阿卜杜拉·买买提) and the marks
#: input methods type for it; all become U+00B7.
_NAME_DOTS = frozenset("\u00b7\u2027\u2022\u30fb\uff65\u2219\u22c5\u0387")
_NAME_DOT = "\u00b7"
#: Apostrophes (O'Brien) and hyphens (Smith-Jones) as typed, and their one form.
_NAME_APOSTROPHES = frozenset("'\u2018\u2019\u02bc\u02b9\u2032")
_NAME_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2212")
_NAME_JOINERS = frozenset((_NAME_DOT, "'", "-"))
_IDEOGRAPHIC_ZERO = "\u3007"  # 〇, written in some registered names
_HAN = "\u3007\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"  # 〇, ideographs (extensions, compatibility)
_SPACE_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")


def normalize_person_name(raw: str) -> str:
    """A person's name in one written form, without judging it.

    NFKC (full-width letters and the ideographic space become ASCII, CJK
    compatibility ideographs their unified form), the middle-dot variants
    ‧ • ・ become ·, apostrophe and hyphen variants ' and -, runs of spaces
    one space, and no space around the middle dot or between two Chinese
    characters.
    """
    if not isinstance(raw, str):
        return ""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", raw):
        if ch in _NAME_DOTS:
            ch = _NAME_DOT
        elif ch in _NAME_APOSTROPHES:
            ch = "'"
        elif ch in _NAME_HYPHENS:
            ch = "-"
        out.append(ch)
    # ordinary spaces only (NFKC made U+3000 and U+00A0 one): a tab or a line break is judged
    text = " ".join(part for part in "".join(out).split(" ") if part)
    text = text.replace(f" {_NAME_DOT}", _NAME_DOT).replace(f"{_NAME_DOT} ", _NAME_DOT).strip(" ")
    # A Chinese name is written without spaces: "王 欣然" is 王欣然 (Latin names keep theirs).
    return _SPACE_BETWEEN_HAN.sub("", text)


def _name_letter(ch: str) -> bool:
    """A character a name is written in: a Chinese character (〇 too) or a Latin letter."""
    if ch == _IDEOGRAPHIC_ZERO:
        return True
    if not unicodedata.category(ch).startswith("L"):
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "LATIN "))


def check_person_name(raw: object, *, who: str = "", field: str = "name") -> str:
    """Check a person's name as typed and return it normalised (``normalize_person_name``).

    A name is written in Chinese characters or Latin letters; the middle dot
    (·, its variants normalised), spaces, hyphens and apostrophes may join
    its parts, each between two letters (阿卜杜拉·买买提, "O'Brien-Smith John").
    Refused: emoji, symbols, digits, punctuation, control and invisible
    format characters (NAME_BAD_CHARACTERS), a joining mark at either end or
    two in a row (NAME_BAD_SEPARATOR), nothing at all (NAME_EMPTY). ``who``
    (e.g. "买受人") starts the sentence; ``field`` is the refusal's field.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleViolation("NAME_EMPTY", f"请填写{who}姓名。", field=field)
    if not isinstance(raw, str):
        raise RuleViolation("INPUT_NOT_TEXT", "输入的内容不是文字，请重新输入。", field=field)
    if len(raw) > _MAX_RAW_LENGTH:
        raise RuleViolation("INPUT_TOO_LONG", "输入的内容过长，请核对后重新输入。", field=field)
    name = normalize_person_name(raw)
    if not all(_name_letter(ch) or ch == " " or ch in _NAME_JOINERS for ch in name):
        raise RuleViolation(
            "NAME_BAD_CHARACTERS",
            f"{who}姓名只能由汉字或字母组成，可含间隔号“·”、空格、连字符和撇号，请按证件核对后重新输入。",
            field=field,
        )
    marks = [ch == " " or ch in _NAME_JOINERS for ch in name]
    if marks[0] or marks[-1] or any(a and b for a, b in pairwise(marks)):
        raise RuleViolation(
            "NAME_BAD_SEPARATOR",
            f"{who}姓名中的间隔号、连字符和撇号只能写在两个字之间，请按证件核对后重新输入。",
            field=field,
        )
    return name


def same_person_name(a: str, b: str) -> bool:
    """Whether two names are the same written name: equal once normalised, Latin
    letters compared without case (a passport prints them in capitals)."""
    na, nb = normalize_person_name(a), normalize_person_name(b)
    return bool(na) and na.casefold() == nb.casefold()


_RESIDENT_KINDS = (IdKind.RESIDENT_ID.value, IdKind.RESIDENT_ID_15.value)


def register_keys(kind: IdKind | str, number: str) -> frozenset[tuple[str, str]]:
    """The (kind, number) pairs under which a register may hold this document.

    The number is normalised (``normalize``: lower-case x, full-width digits,
    spaces); a resident ID is the same document in its 15-digit form and its
    18-digit upgrade, held under either resident-ID kind.
    """
    kind_ = kind.value if isinstance(kind, IdKind) else str(kind or "")
    n = normalize(number) if isinstance(number, str) else ""
    if not n:
        return frozenset()
    if kind_ not in _RESIDENT_KINDS:
        return frozenset({(kind_, n)})
    numbers = {n}
    if len(n) == 15 and _is_digits(n):
        body = n[:6] + "19" + n[6:]
        numbers.add(body + check_char_gb11643(body))
    elif len(n) == 18 and _is_digits(n[:17]) and n[6:8] == "19" and check_char_gb11643(n[:17]) == n[17]:
        numbers.add(n[:6] + n[8:17])
    return frozenset((k, m) for k in _RESIDENT_KINDS for m in numbers)


# --------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------


def mask_id(number: str) -> str:
    """Mask a document number for display, keeping its (normalised) length.

    18 characters: first 6 and last 4 ("440301********123X").  15 digits:
    first 6 and last 3.  Old foreign PR (3 letters + 12 digits): first 3 and
    last 2.  Shorter numbers: first 2 and last 2 (first 1 / last 1 when very
    short).  The birth date of an ID number is never shown.
    """
    s = normalize(number) if isinstance(number, str) else ""
    n = len(s)
    if n == 0:
        return ""
    if n >= 18:
        head, tail = 6, 4
    elif n == 15 and s[:3].isalpha():
        head, tail = 3, 2
    elif n == 15:
        head, tail = 6, 3
    elif n >= 7:
        head, tail = 2, 2
    elif n >= 5:
        head, tail = 1, 1
    elif n >= 2:
        head, tail = 1, 0
    else:
        head, tail = 0, 0
    return s[:head] + "*" * (n - head - tail) + (s[n - tail:] if tail else "")


def mask_phone(number: str) -> str:
    """Mask a phone number: "13812345678" -> "138****5678"."""
    if isinstance(number, str) and len(number) == 11 and number.isascii() and number.isdigit() and number[0] == "1":
        return number[:3] + "****" + number[7:]  # a stored mobile number: no parsing needed
    try:
        digits = parse_mobile(number)
    except RuleViolation:
        digits = normalize(number) if isinstance(number, str) else ""
        n = len(digits)
        if n >= 11:
            return digits[:3] + "*" * (n - 7) + digits[-4:]
        if n >= 7:
            return digits[:2] + "*" * (n - 4) + digits[-2:]
        return "*" * n
    return digits[:3] + "****" + digits[7:]


_COMPOUND_SURNAMES = frozenset(
    """欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐
    端木 独孤 南宫 西门 申屠 太史 闻人 澹台 公冶 宗政 濮阳 淳于 单于 钟离 赫连
    呼延 万俟 拓跋 百里 东郭 北堂 第五 左丘 梁丘 羊舌 司空 司寇 亓官 仲孙 乐正
    壤驷 公良 漆雕 谷梁 段干 巫马 公西 颛孙 子车 微生 南门 东门 公羊""".split()
)
_NAME_SEPARATORS = frozenset(" ·•・.-'")


def mask_name(name: str) -> str:
    """Mask a person's name, keeping the surname's first character.

    "张三" -> "张*", "欧阳娜娜" -> "欧阳**" (compound surname kept),
    "John Smith" -> "J*** Smith" (given names reduced to their initial,
    last word kept), "买买提·艾力" -> "买**·**" (separators kept).
    """
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text:
        return ""
    if text.isascii():
        words = text.split(" ")
        if len(words) == 1:
            return words[0][0] + "*" * (len(words[0]) - 1)
        masked = [w[0] + "*" * (len(w) - 1) for w in words[:-1]]
        return " ".join(masked + [words[-1]])
    keep = 2 if len(text) > 2 and text[:2] in _COMPOUND_SURNAMES else 1
    return text[:keep] + "".join(
        c if c in _NAME_SEPARATORS else "*" for c in text[keep:]
    )


# --------------------------------------------------------------------------
# Generators (deterministic for a given random.Random)
# --------------------------------------------------------------------------

_GEN_PREFIXES: tuple[str, ...] = tuple(sorted(regions.PREFECTURES)) + ("1101", "1201", "3101", "5001")
_GEN_FOREIGN_NATIONALITIES: tuple[str, ...] = tuple(
    sorted(set(regions.COUNTRY_NUMERIC) - {"CHN", "HKG", "MAC", "TWN"})
)
_GEN_USCC_TYPES: tuple[str, ...] = ("91", "91", "91", "91", "92", "93", "11", "12", "51", "52", "53", "Y1")
_GEN_MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "147", "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "172", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "191", "193", "195", "198", "199",
)


def _gen_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _gen_sequence(rng: random.Random, sex: str | None) -> str:
    if sex is None:
        sex = rng.choice((MALE, FEMALE))
    if sex not in (MALE, FEMALE):
        raise ValueError('sex must be "男", "女" or None')
    seq = rng.randint(0, 999)
    if (seq % 2 == 1) != (sex == MALE):
        seq ^= 1
    return f"{seq:03d}"


def _gen_region(rng: random.Random) -> str:
    return rng.choice(_GEN_PREFIXES) + f"{rng.randint(1, 30):02d}"


def make_resident_id(
    rng: random.Random,
    *,
    region_code: str | None = None,
    birth_date: date | None = None,
    sex: str | None = None,
) -> str:
    """A valid 18-digit resident ID (born 1940-2012 unless given)."""
    region_code = region_code or _gen_region(rng)
    if len(region_code) != 6 or not _is_digits(region_code) or region_code[:2] not in regions.PROVINCES:
        raise ValueError("region_code must be 6 digits starting with a province code")
    born = birth_date or _gen_date(rng, date(1940, 1, 1), date(2012, 12, 31))
    first17 = f"{region_code}{born:%Y%m%d}{_gen_sequence(rng, sex)}"
    return first17 + check_char_gb11643(first17)


def make_resident_id_15(
    rng: random.Random,
    *,
    region_code: str | None = None,
    birth_date: date | None = None,
    sex: str | None = None,
) -> str:
    """A valid 15-digit legacy resident ID (born 1920-1999 unless given)."""
    region_code = region_code or _gen_region(rng)
    if len(region_code) != 6 or not _is_digits(region_code) or region_code[:2] not in regions.PROVINCES:
        raise ValueError("region_code must be 6 digits starting with a province code")
    born = birth_date or _gen_date(rng, date(1920, 1, 1), date(1999, 12, 31))
    if not 1900 <= born.year <= 1999:
        raise ValueError("a 15-digit ID holder was born in the 1900s")
    return f"{region_code}{born:%y%m%d}{_gen_sequence(rng, sex)}"


def make_hmt_permit(
    rng: random.Random,
    region: Region,
    *,
    birth_date: date | None = None,
    sex: str | None = None,
) -> str:
    """A valid Hong Kong / Macao / Taiwan residence permit number."""
    code = _HMT_CODE_BY_REGION.get(Region(region))
    if code is None:
        raise ValueError("region must be HONG_KONG, MACAO or TAIWAN")
    born = birth_date or _gen_date(rng, date(1940, 1, 1), date(2012, 12, 31))
    first17 = f"{code}{born:%Y%m%d}{_gen_sequence(rng, sex)}"
    return first17 + check_char_gb11643(first17)


def make_foreign_pr_2023(
    rng: random.Random,
    *,
    province_code: str | None = None,
    nationality: str | None = None,
    birth_date: date | None = None,
    sex: str | None = None,
) -> str:
    """A valid 2023 foreign permanent resident ID (nationality as alpha-3)."""
    province = province_code or rng.choice(sorted(regions.PROVINCES))
    if province not in regions.PROVINCES:
        raise ValueError("province_code must be a province-level code")
    alpha3 = nationality or rng.choice(_GEN_FOREIGN_NATIONALITIES)
    numeric = regions.COUNTRY_NUMERIC.get(alpha3)
    if numeric is None:
        raise ValueError("nationality must be an ISO 3166-1 alpha-3 country code")
    born = birth_date or _gen_date(rng, date(1940, 1, 1), date(2012, 12, 31))
    first17 = f"9{province}{numeric}{born:%Y%m%d}{_gen_sequence(rng, sex)}"
    return first17 + check_char_gb11643(first17)


def make_hk_macao_permit(rng: random.Random, region: Region = Region.HONG_KONG) -> str:
    """A current-style HK/Macao travel permit number (H/M + 8 digits)."""
    letter = {Region.HONG_KONG: "H", Region.MACAO: "M"}.get(Region(region))
    if letter is None:
        raise ValueError("region must be HONG_KONG or MACAO")
    return letter + f"{rng.randint(0, 99_999_999):08d}"


def make_taiwan_permit(rng: random.Random) -> str:
    """A current-style Taiwan travel permit number (8 digits)."""
    return f"{rng.randint(0, 99_999_999):08d}"


def make_hk_id(rng: random.Random) -> str:
    """A Hong Kong identity card number in its printed form, A123456(3)."""
    body = rng.choice(_HKID_LETTERS) + f"{rng.randint(0, 999_999):06d}"
    return f"{body}({check_char_hkid(body)})"


def make_passport(rng: random.Random) -> str:
    """A Chinese ordinary passport number (E + 8 digits)."""
    return "E" + f"{rng.randint(0, 99_999_999):08d}"


def make_credit_code(rng: random.Random, region_code: str | None = None) -> str:
    """A valid unified social credit code whose organisation code also checks."""
    region_code = region_code or _gen_region(rng)
    if len(region_code) != 6 or not _is_digits(region_code) or region_code[:2] not in regions.PROVINCES:
        raise ValueError("region_code must be 6 digits starting with a province code")
    kind = rng.choice(_GEN_USCC_TYPES)
    alphabet = USCC_CHARSET[:10] * 3 + USCC_CHARSET[10:]  # mostly digits
    body = "".join(rng.choice(alphabet) for _ in range(8))
    first17 = kind + region_code + body + check_char_org_code(body)
    return first17 + check_char_uscc(first17)


def make_enterprise_code(rng: random.Random, region_code: str | None = None) -> str:
    """A valid unified social credit code of an enterprise (registered by 工商, type 91…), e.g.
    a developer's: ``make_credit_code``'s region, body and organisation code under 91."""
    first17 = "91" + make_credit_code(rng, region_code)[2:17]
    return first17 + check_char_uscc(first17)


def make_mobile(rng: random.Random) -> str:
    """A valid 11-digit mainland mobile number."""
    return rng.choice(_GEN_MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


# Personal numbers inside free text (a reason, a note): ID numbers (18 characters, the
# last may be X; or 15 digits), passports and permits are too varied to catch by shape,
# but the numbers a clerk reads off an ID card or a phone are these. Full-width digits
# (an IME) count as digits. Bounded by non-digits so longer figures (amounts, case
# numbers) are left alone.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d{9})(?!\d)")


def mask_numbers_in_text(text: str) -> str:
    """Free text with every ID number and mobile number in it masked (``mask_id`` /
    ``mask_phone``): reasons and notes go into the audit log and the case history,
    where a typed number must not stay readable."""
    if not isinstance(text, str) or not text:
        return text
    plain = text.translate(_FULLWIDTH_DIGITS)
    plain = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(1)), plain)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), plain)
