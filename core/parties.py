"""The register of parties (当事人登记): what a person, an organisation, an agent's
authorisation, an owner's notarised proxy and an ID change must look like.

Pure rules (no database): each ``check_*`` takes the values as typed (text from
a form, a command line or a CSV cell) and returns them checked and normalised,
or raises :class:`PartyInvalid` listing one refusal (stable code, one Chinese
sentence, the field) per bad value. Whether a number is already registered is
the register's business (``services.parties``).

Seed 001: §1.3–1.4 an organisation (法人) adds and unbinds its agents (经办人)
for a period; §3 an owner's notarised proxy (公证委托代理人) with the notarial
certificate; §5.2.2.2 a party whose identity changed brings the 身份变更材料;
§5.2.2.3 a seller's 港澳居民身份证.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.errors import RuleViolation
from core.identity import (
    ID_KIND_LABELS,
    IdentityFacts,
    IdKind,
    check_person_name,
    normalize,
    parse_credit_code,
    parse_identity,
    parse_mobile,
    register_keys,
)
from core.text import fold_width, whole_number

__all__ = [
    "CAPACITY_LABELS",
    "Collect",
    "check_date",
    "KIND_CHOICES",
    "PartyInvalid",
    "PersonEntry",
    "PersonRecord",
    "OrgEntry",
    "OrgRecord",
    "IdChangeRecord",
    "RowError",
    "RegisterFile",
    "FIELD_LABELS",
    "check_person",
    "check_organisation",
    "check_period",
    "check_text",
    "check_phone",
    "check_notarial_certificate",
    "check_id_change",
    "coerce_kind",
    "capacity_of",
    "decode_register_file",
    "parse_register_csv",
    "read_csv_rows",
    "DEFAULT_AGENT_SCOPE",
    "DEFAULT_PROXY_SCOPE",
]

CAPACITY_LABELS: dict[str, str] = {"full": "完全民事行为能力", "limited": "限制民事行为能力", "none": "无民事行为能力"}

#: The document kinds a clerk picks from, numbered as the screen and the CLI list them.
KIND_CHOICES: tuple[IdKind, ...] = (
    IdKind.RESIDENT_ID, IdKind.HK_MACAO_PERMIT, IdKind.TAIWAN_PERMIT, IdKind.PASSPORT,
    IdKind.HMT_RESIDENCE_PERMIT, IdKind.FOREIGN_PR, IdKind.HK_MACAO_ID, IdKind.RESIDENT_ID_15,
)

DEFAULT_AGENT_SCOPE = "存量房买卖"
DEFAULT_PROXY_SCOPE = "存量房买卖（产权校验、网签、备案）"

#: Chinese names of the fields, for a refusal that must say where (a CSV row's report).
FIELD_LABELS: dict[str, str] = {
    "party_type": "类型", "name": "姓名或名称", "id_kind": "证件类型", "id_number": "证件号码",
    "credit_code": "统一社会信用代码", "nationality": "国籍", "phone": "手机号", "address": "住址",
    "capacity": "行为能力", "legal_rep_name": "法定代表人", "valid_from": "起始日期", "valid_to": "截止日期",
    "scope": "授权范围", "notarial_certificate": "公证书编号", "proof": "身份变更材料", "file": "文件",
}

_NAME_MAX = 80
_ORG_NAME_MAX = 120
_ADDRESS_MAX = 200
_PROOF_MAX = 200
_NOTARIAL_MAX = 60
_RAW_MAX = 2000  # longest text looked at, whatever the field


class PartyInvalid(RuleViolation):
    """Several refusals at once (one per bad value); reads as the first of them."""

    def __init__(self, errors: Sequence[RuleViolation]) -> None:
        if not errors:
            raise ValueError("PartyInvalid needs at least one refusal")
        first = errors[0]
        super().__init__(first.code, first.message, field=first.field)
        self.errors: tuple[RuleViolation, ...] = tuple(errors)


class Collect:
    """Run each field's check, keeping every refusal (a PartyInvalid's are kept one by one);
    ``done()`` raises them together as ``invalid`` (a PartyInvalid, or a record's own kind of
    it). Other registers (presale's enterprises, the home register) check the same way."""

    def __init__(self, invalid: type[PartyInvalid] = PartyInvalid) -> None:
        self.errors: list[RuleViolation] = []
        self.invalid = invalid

    def __call__(self, check: Callable[[], Any]) -> Any:
        try:
            return check()
        except PartyInvalid as exc:
            self.errors.extend(exc.errors)
        except RuleViolation as exc:
            self.errors.append(exc)
        return None

    def done(self) -> None:
        if self.errors:
            raise self.invalid(self.errors)


# --------------------------------------------------------------------------
# Plain text fields
# --------------------------------------------------------------------------

_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "So", "Sk"})


def _bad_in_text(ch: str) -> bool:
    """Control, invisible, private-use characters, line breaks, emoji and pictographs; the
    symbols Chinese text is written with (㎡ ℃ № ㈱) are not."""
    if ch.isspace():
        return ch != " "
    if unicodedata.category(ch) not in _BAD_CATEGORIES:
        return False
    code = ord(ch)
    return not (0x2100 <= code <= 0x214F or 0x3200 <= code <= 0x33FF)  # letterlike, enclosed CJK, CJK units


def check_text(raw: object, *, field: str, label: str, max_length: int, required: bool = False,
               empty_code: str = "TEXT_EMPTY", reference: bool = False) -> str | None:
    """A line of free text (an address, a scope, a material's name) as it is kept.

    Full-width letters and digits as ASCII, Chinese punctuation as typed (``core.text.fold_width``),
    runs of spaces one space, trimmed. ``reference``: a number or name other records are matched
    on (a certificate's or a document's number, a bank, a district): NFKC, so （2026） and (2026)
    are one number.
    Refused: nothing when ``required`` (``empty_code``), not text (INPUT_NOT_TEXT),
    longer than ``max_length`` characters (TEXT_TOO_LONG), control, invisible,
    private-use characters, emoji and other pictographs (TEXT_BAD_CHARACTERS); ㎡ ℃ № are text.
    Blank and not required: ``None``.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise RuleViolation(empty_code, f"请填写{label}。", field=field)
        return None
    if not isinstance(raw, str):
        raise RuleViolation("INPUT_NOT_TEXT", "输入的内容不是文字，请重新输入。", field=field)
    if len(raw) > _RAW_MAX:
        raise RuleViolation("TEXT_TOO_LONG", f"{label}最多{max_length}个字，请删减后重新输入。", field=field)
    folded = unicodedata.normalize("NFKC", raw) if reference else fold_width(raw)
    text = " ".join(part for part in folded.split(" ") if part).strip()
    if any(_bad_in_text(ch) for ch in text):
        raise RuleViolation("TEXT_BAD_CHARACTERS",
                            f"{label}中有不能使用的字符（控制字符、换行或表情符号），请重新输入。", field=field)
    if len(text) > max_length:
        raise RuleViolation("TEXT_TOO_LONG", f"{label}最多{max_length}个字，请删减后重新输入。", field=field)
    return text


def _name(raw: object, *, who: str, field: str = "name") -> str:
    name = check_person_name(raw, who=who, field=field)
    if len(name) > _NAME_MAX:
        raise RuleViolation("NAME_TOO_LONG", f"{who}姓名最多{_NAME_MAX}个字，请按证件核对后重新输入。", field=field)
    return name


def check_phone(raw: object) -> str | None:
    """A mobile number (``parse_mobile``), or ``None`` when blank (a phone is optional)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return parse_mobile(raw)  # type: ignore[arg-type]  # non-text is refused by parse_mobile


# --------------------------------------------------------------------------
# Document kinds and capacity
# --------------------------------------------------------------------------


def coerce_kind(raw: object) -> IdKind | None:
    """A document kind as picked: its number in ``KIND_CHOICES`` (1-8), its code, or its
    Chinese name; blank is ``None`` (the number's shape decides). Refused: ID_UNKNOWN_KIND."""
    if raw is None or isinstance(raw, IdKind):
        return raw
    if isinstance(raw, str):
        text = normalize(raw) if len(raw) <= 100 else "?"
        if not text:
            return None
        number = whole_number(text)
        if number is not None and 1 <= number <= len(KIND_CHOICES):
            return KIND_CHOICES[number - 1]
        for kind, label in ID_KIND_LABELS.items():
            if text.lower() == kind.value or text == kind.name or unicodedata.normalize("NFKC", raw).strip() == label:
                return kind
    raise RuleViolation("ID_UNKNOWN_KIND", "证件类型不正确，请按列表选择证件类型。", field="id_kind")


def capacity_of(raw: object, facts: IdentityFacts | None, today: date) -> str:
    """行为能力: as chosen (code or Chinese name), else from the age the document gives
    (under 8 无, under 18 限制, adults 完全; Civil Code arts. 19-20). A child under 16
    is never of full capacity (PERSON_CAPACITY_MINOR)."""
    age = facts.age_on(today) if facts is not None else None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if age is None or age >= 18:
            return "full"
        return "none" if age < 8 else "limited"
    text = raw.strip() if isinstance(raw, str) and len(raw) <= 100 else None
    chosen = next((code for code, label in CAPACITY_LABELS.items() if text in (code, label)), None)
    if chosen is None:
        raise RuleViolation("PERSON_BAD_CAPACITY", "行为能力只能是完全民事行为能力、限制民事行为能力或无民事行为能力。",
                            field="capacity")
    if chosen == "full" and age is not None and age < 16:
        raise RuleViolation("PERSON_CAPACITY_MINOR", "未满十六周岁的人不能登记为完全民事行为能力人，请核对出生日期和行为能力。",
                            field="capacity")
    return chosen


# --------------------------------------------------------------------------
# Persons and organisations
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonEntry:
    """A person as typed."""

    name: object
    id_number: object
    id_kind: object = None
    nationality: object = None
    phone: object = None
    address: object = None
    capacity: object = None


@dataclass(frozen=True)
class PersonRecord:
    """A person as the register keeps them."""

    name: str
    id_kind: str
    id_number: str
    region: str
    nationality: str
    birth_date: date | None
    sex: str | None
    phone: str | None
    address: str | None
    capacity: str

    @property
    def keys(self) -> frozenset[tuple[str, str]]:
        """The (kind, number) pairs under which this document may already be held."""
        return register_keys(self.id_kind, self.id_number)


def _identity(kind: object, number: object, nationality: object, today: date) -> IdentityFacts:
    chosen = coerce_kind(kind)
    if nationality is not None and not isinstance(nationality, str):
        raise RuleViolation("PASSPORT_BAD_NATIONALITY", "国籍代码不正确，请选择有效的国籍。", field="nationality")
    nat = nationality if isinstance(nationality, str) and nationality.strip() else None
    return parse_identity(number, chosen, today=today, nationality=nat)  # type: ignore[arg-type]


def check_person(entry: PersonEntry, *, today: date) -> PersonRecord:
    """A person's entry checked: name (``check_person_name``), document kind and number
    (``parse_identity``: format, check character, birth date), nationality for a
    foreign passport, mobile phone, address, capacity. Every bad value refused at once."""
    c = Collect()
    name = c(lambda: _name(entry.name, who=""))
    facts: IdentityFacts | None = c(lambda: _identity(entry.id_kind, entry.id_number, entry.nationality, today))
    phone = c(lambda: check_phone(entry.phone))
    address = c(lambda: check_text(entry.address, field="address", label="住址", max_length=_ADDRESS_MAX))
    capacity = c(lambda: capacity_of(entry.capacity, facts, today))
    c.done()
    assert facts is not None and name is not None and capacity is not None
    return PersonRecord(
        name=name, id_kind=facts.kind.value, id_number=facts.number, region=facts.region.value,
        nationality=facts.nationality or "CHN", birth_date=facts.birth_date, sex=facts.sex,
        phone=phone, address=address, capacity=capacity,
    )


@dataclass(frozen=True)
class OrgEntry:
    """An organisation as typed."""

    name: object
    credit_code: object
    legal_rep_name: object
    phone: object = None
    address: object = None


@dataclass(frozen=True)
class OrgRecord:
    name: str
    credit_code: str
    legal_rep_name: str
    phone: str | None
    address: str | None


def _org_name(raw: object) -> str:
    name = check_text(raw, field="name", label="单位名称", max_length=_ORG_NAME_MAX, required=True,
                      empty_code="ORG_NAME_EMPTY")
    assert name is not None
    if not any(ch.isalpha() for ch in name):
        raise RuleViolation("ORG_NAME_BAD", "单位名称应按营业执照填写，不能只有数字或符号。", field="name")
    return name


def check_organisation(entry: OrgEntry) -> OrgRecord:
    """An organisation's entry checked: name as on its licence, 统一社会信用代码 (GB 32100,
    check character), the legal representative's name, phone, address."""
    c = Collect()
    name = c(lambda: _org_name(entry.name))
    code = c(lambda: parse_credit_code(entry.credit_code).code)  # type: ignore[arg-type]
    rep = c(lambda: _name(entry.legal_rep_name, who="法定代表人", field="legal_rep_name"))
    phone = c(lambda: check_phone(entry.phone))
    address = c(lambda: check_text(entry.address, field="address", label="地址", max_length=_ADDRESS_MAX))
    c.done()
    return OrgRecord(name=name, credit_code=code, legal_rep_name=rep, phone=phone, address=address)


# --------------------------------------------------------------------------
# Periods, notarial certificates, ID changes
# --------------------------------------------------------------------------


def check_date(raw: object, *, field: str, label: str) -> date:
    """A day as typed (2026-12-31, 2026/12/31, 20261231; full-width digits) between 1900 and 2199.
    Refused: DATE_EMPTY, DATE_BAD."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RuleViolation("DATE_EMPTY", f"请填写{label}。", field=field)
    text = normalize(raw).replace("/", "").replace(".", "") if isinstance(raw, str) and len(raw) <= 40 else ""
    day = None
    if len(text) == 8 and text.isascii() and text.isdigit():
        try:
            day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            day = None
    if day is None or not 1900 <= day.year <= 2199:
        raise RuleViolation("DATE_BAD", f"{label}不是有效日期，请按“2026-12-31”的格式填写。", field=field)
    return day


def check_period(valid_from: object, valid_to: object, *, today: date, what: str) -> tuple[date, date]:
    """An authorisation's period (``what``: 授权 / 委托): two real dates, the end not
    before the start, and not already over today. Refused: DATE_EMPTY, DATE_BAD,
    PERIOD_REVERSED, PERIOD_ENDED."""
    c = Collect()
    start = c(lambda: check_date(valid_from, field="valid_from", label=f"{what}起始日期"))
    end = c(lambda: check_date(valid_to, field="valid_to", label=f"{what}截止日期"))
    c.done()
    if end < start:
        raise RuleViolation("PERIOD_REVERSED", f"{what}截止日期早于起始日期，请核对{what}期限。", field="valid_to")
    if end < today:
        raise RuleViolation("PERIOD_ENDED", f"{what}期限已于{end.isoformat()}届满，不能登记已失效的{what}。",
                            field="valid_to")
    return start, end


def check_notarial_certificate(raw: object) -> str:
    """公证书编号 as printed, e.g. （2026）粤深南证字第1234号: required, at most 60
    characters, with a number in it."""
    text = check_text(raw, reference=True, field="notarial_certificate", label="公证书编号", max_length=_NOTARIAL_MAX,
                      required=True, empty_code="NOTARIAL_EMPTY")
    assert text is not None
    if not any(ch.isdigit() for ch in text):
        raise RuleViolation("NOTARIAL_BAD", "公证书编号应按公证书填写，例如（2026）粤深南证字第1234号。",
                            field="notarial_certificate")
    return text


@dataclass(frozen=True)
class IdChangeRecord:
    """The new identity and the material that proves the change."""

    facts: IdentityFacts
    new_name: str | None
    proof: str


def check_id_change(*, new_kind: object, new_number: object, proof: object, today: date,
                    new_name: object = None, nationality: object = None) -> IdChangeRecord:
    """An ID change (身份变更, seed 001 §5.2.2.2): the new document checked like any
    other, an optional new name, and the 身份变更材料 (required, e.g. 公安机关出具的
    身份证号码变更证明 and its number)."""
    c = Collect()
    facts = c(lambda: _identity(new_kind, new_number, nationality, today))
    name = c(lambda: None if new_name is None or (isinstance(new_name, str) and not new_name.strip())
             else _name(new_name, who=""))
    text = c(lambda: check_text(proof, field="proof", label="身份变更材料", max_length=_PROOF_MAX, required=True,
                                empty_code="ID_CHANGE_PROOF_EMPTY"))
    c.done()
    return IdChangeRecord(facts=facts, new_name=name, proof=text)


# --------------------------------------------------------------------------
# A hall's existing register, as a CSV file
# --------------------------------------------------------------------------

_MAX_FILE_BYTES = 20 * 1024 * 1024
_MAX_ROWS = 100_000

#: Column headings and the fields they fill (Chinese, with English aliases).
_HEADINGS: dict[str, str] = {
    "类型": "party_type", "type": "party_type",
    "姓名或名称": "name", "姓名": "name", "名称": "name", "name": "name",
    "证件类型": "id_kind", "id_kind": "id_kind",
    "证件号码": "id_number", "证件号码或统一社会信用代码": "id_number", "统一社会信用代码": "id_number",
    "id_number": "id_number",
    "国籍": "nationality", "nationality": "nationality",
    "手机号": "phone", "手机号码": "phone", "phone": "phone",
    "住址": "address", "地址": "address", "address": "address",
    "行为能力": "capacity", "capacity": "capacity",
    "法定代表人": "legal_rep_name", "legal_rep_name": "legal_rep_name",
}
_REQUIRED = ("party_type", "name", "id_number")
_PERSON_TYPES = frozenset({"个人", "person", "自然人"})
_ORG_TYPES = frozenset({"单位", "organisation", "organization", "机构", "企业"})


@dataclass(frozen=True)
class RowError:
    """One bad value of the file: its row (the heading is row 1), field and reason."""

    row: int
    field: str  # the field's Chinese name
    code: str
    message: str

    def text(self) -> str:
        return f"第{self.row}行【{self.field}】{self.message}"


@dataclass
class RegisterFile:
    persons: list[tuple[int, PersonRecord]] = field(default_factory=list)
    organisations: list[tuple[int, OrgRecord]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def refuse(self, row: int, error: RuleViolation) -> None:
        label = FIELD_LABELS.get(error.field or "", error.field or "")
        self.errors.append(RowError(row, label or "整行", error.code, error.message))


def decode_register_file(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM) or GB18030 (as Excel saves it in
    China). Refused: CSV_TOO_LARGE, CSV_BAD_ENCODING, CSV_BAD_FORMAT (NUL bytes)."""
    if len(data) > _MAX_FILE_BYTES:
        raise RuleViolation("CSV_TOO_LARGE", "文件超过20MB，请分成几个文件导入。", field="file")
    if b"\x00" in data:
        raise RuleViolation("CSV_BAD_FORMAT", "文件不是CSV文本文件，请另存为CSV（逗号分隔）后重新导入。", field="file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RuleViolation("CSV_BAD_ENCODING", "文件编码无法识别，请另存为UTF-8编码的CSV文件后重新导入。", field="file")


def read_csv_rows(text: str, *, headings: dict[str, str], required: Sequence[str], labels: dict[str, str],
                  first_row: str, refuse: Callable[[int, RuleViolation], None]) -> Iterator[tuple[int, dict[str, str]]]:
    """A register file's rows as (row number, value by field), the heading being row 1 and its
    cells named by ``headings`` (keys NFKC, lower case); blank lines skipped. A file that is not
    such a table is refused at row 1 and gives no rows: CSV_BAD_FORMAT, CSV_EMPTY (``first_row``
    says what the heading should be), CSV_TOO_MANY_ROWS, CSV_UNKNOWN_COLUMN, CSV_DUPLICATE_COLUMN,
    CSV_MISSING_COLUMN (named by ``labels``); a row with more cells than the heading is refused
    (CSV_EXTRA_CELLS) and left out. Each refusal goes to ``refuse(row, error)`` as the rows are
    read, so the caller's own refusals of a row come in row order with these."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        refuse(1, RuleViolation("CSV_BAD_FORMAT", "文件不是有效的CSV格式（引号未闭合或单元格过长），请检查后重新导入。",
                                field="file"))
        return
    if not rows or not any(cell.strip() for cell in rows[0]):
        refuse(1, RuleViolation("CSV_EMPTY", f"文件没有标题行，第一行应为“{first_row}”。", field="file"))
        return
    if len(rows) - 1 > _MAX_ROWS:
        refuse(1, RuleViolation("CSV_TOO_MANY_ROWS", f"一个文件最多导入{_MAX_ROWS}行，请分成几个文件。", field="file"))
        return
    columns: list[str | None] = []
    bad = False
    for heading in rows[0]:
        key = unicodedata.normalize("NFKC", heading).strip().lower() if len(heading) <= 100 else ""
        column = headings.get(key)
        if column is None and key:
            refuse(1, RuleViolation("CSV_UNKNOWN_COLUMN", f"无法识别的列“{_shown_heading(heading)}”，请使用模板中的列名。",
                                    field="file"))
            bad = True
        elif column is not None and column in columns:
            refuse(1, RuleViolation("CSV_DUPLICATE_COLUMN", f"“{labels.get(column, column)}”列出现了两次。", field="file"))
            bad = True
        columns.append(column)
    for column in required:
        if column not in columns:
            refuse(1, RuleViolation("CSV_MISSING_COLUMN", f"文件缺少“{labels[column]}”列。", field="file"))
            bad = True
    if bad:
        return
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns):]):
            refuse(number, RuleViolation("CSV_EXTRA_CELLS", "本行的单元格比标题行多，请检查是否多了逗号。"))
            continue
        yield number, {col: cells[i] for i, col in enumerate(columns) if col is not None and i < len(cells)}


def parse_register_csv(text: str, *, today: date) -> RegisterFile:
    """Every row of a register file checked (persons and organisations, by 类型).

    Row numbers count the heading as row 1. Besides each value's own refusal and those of
    ``read_csv_rows``: PARTY_BAD_TYPE, CSV_DUPLICATE_IN_FILE (a number twice in the file).
    Whether a number is already in the register is the service's check.
    """
    result = RegisterFile()
    rows = read_csv_rows(text, headings=_HEADINGS, required=_REQUIRED, labels=FIELD_LABELS,
                         first_row="类型,姓名或名称,证件类型,证件号码……", refuse=result.refuse)
    seen: dict[tuple[str, str], int] = {}
    for number, values in rows:
        kind = unicodedata.normalize("NFKC", values.get("party_type", "")).strip().lower()
        try:
            if kind in _PERSON_TYPES:
                record: PersonRecord | OrgRecord = check_person(PersonEntry(
                    name=values.get("name"), id_kind=values.get("id_kind"), id_number=values.get("id_number"),
                    nationality=values.get("nationality"), phone=values.get("phone"),
                    address=values.get("address"), capacity=values.get("capacity")), today=today)
                keys = record.keys
            elif kind in _ORG_TYPES:
                record = check_organisation(OrgEntry(
                    name=values.get("name"), credit_code=values.get("id_number"),
                    legal_rep_name=values.get("legal_rep_name"), phone=values.get("phone"),
                    address=values.get("address")))
                keys = frozenset({("credit_code", record.credit_code)})
            else:
                raise RuleViolation("PARTY_BAD_TYPE", "类型只能填“个人”或“单位”。", field="party_type")
        except PartyInvalid as exc:
            for error in exc.errors:
                result.refuse(number, _org_field(error) if kind in _ORG_TYPES else error)
            continue
        except RuleViolation as exc:
            result.refuse(number, exc)
            continue
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            result.refuse(number, RuleViolation("CSV_DUPLICATE_IN_FILE", f"该证件号码与第{first}行重复。",
                                                field="id_number"))
            continue
        seen.update(dict.fromkeys(keys, number))
        if isinstance(record, PersonRecord):
            result.persons.append((number, record))
        else:
            result.organisations.append((number, record))
    return result


def _org_field(error: RuleViolation) -> RuleViolation:
    """An organisation's credit code sits in the file's 证件号码 column."""
    if error.field == "credit_code":
        return RuleViolation(error.code, error.message, field="id_number")
    return error


def _shown_heading(heading: str) -> str:
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in heading)
    return text if len(text) <= 20 else text[:19] + "…"
