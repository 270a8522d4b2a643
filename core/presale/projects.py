"""Projects and their certificates (项目信息, 项目证件, seed 004 §3.1).

A project belongs to one development enterprise. Its certificates are the four a presale
permit is generated from (四证, §5.4.1: 国土证和土地信息, 建设用地规划许可证, 建设工程规划
许可证, 建设工程施工许可证); ``missing_certificates`` says which of them a project still lacks.
Pure: values as typed in, checked values or ``PartyInvalid`` out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from core.errors import RuleViolation
from core.identity import normalize
from core.parties import Collect, check_date, check_text
from core.presale.units import nfkc
from core.text import typed_id, whole_number

__all__ = [
    "CERTIFICATE_LABELS",
    "FOUR_CERTIFICATES",
    "CertificateEntry",
    "CertificateKind",
    "CertificateRecord",
    "ProjectEntry",
    "ProjectRecord",
    "check_area",
    "check_certificate",
    "check_project",
    "check_project_id",
    "missing_certificates",
    "project_number",
]


class CertificateKind(StrEnum):
    LAND = "land"  # 国有土地使用证 / 不动产权证书（土地）, with the land's facts
    LAND_PLANNING = "land_planning"  # 建设用地规划许可证
    WORKS_PLANNING = "works_planning"  # 建设工程规划许可证
    CONSTRUCTION = "construction"  # 建设工程施工许可证


CERTIFICATE_LABELS: dict[CertificateKind, str] = {
    CertificateKind.LAND: "国有土地使用证",
    CertificateKind.LAND_PLANNING: "建设用地规划许可证",
    CertificateKind.WORKS_PLANNING: "建设工程规划许可证",
    CertificateKind.CONSTRUCTION: "建设工程施工许可证",
}
#: Other names a clerk may type for a kind.
_KIND_ALIASES: dict[str, CertificateKind] = {
    "国土证": CertificateKind.LAND, "土地证": CertificateKind.LAND, "不动产权证书": CertificateKind.LAND,
    "用地规划许可证": CertificateKind.LAND_PLANNING, "工程规划许可证": CertificateKind.WORKS_PLANNING,
    "施工许可证": CertificateKind.CONSTRUCTION,
}

#: The four certificates a presale permit needs (四证), in the order the seed lists them.
FOUR_CERTIFICATES: tuple[CertificateKind, ...] = tuple(CertificateKind)

_AREA_LIMIT = Decimal("100000000")  # m²


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def check_area(raw: object, *, field: str, label: str, places: int = 2, positive: bool = True) -> Decimal | None:
    """An area in m² as typed (at most ``places`` decimals; above zero when ``positive``), or
    None when blank. Refused: AREA_BAD."""
    if _blank(raw):
        return None
    if isinstance(raw, (float, bool)):
        raise TypeError("areas are Decimal or text, never float")
    try:
        value = Decimal(nfkc(raw).replace(",", "")) if isinstance(raw, str) else Decimal(raw)  # type: ignore[arg-type]
    except (InvalidOperation, ValueError, TypeError):
        value = Decimal("NaN")
    quantum = Decimal(1).scaleb(-places)
    if (not value.is_finite() or value < 0 or (positive and value == 0) or value >= _AREA_LIMIT
            or value != value.quantize(quantum)):
        least = "大于0" if positive else "不小于0"
        raise RuleViolation("AREA_BAD", f"{label}应为{least}的面积（平方米，最多{places}位小数）。", field=field)
    return value.quantize(quantum)


@dataclass(frozen=True)
class ProjectEntry:
    name: object
    location: object
    district: object
    land_area: object = None
    floor_area: object = None
    property_company: object = None
    note: object = None


@dataclass(frozen=True)
class ProjectRecord:
    name: str
    location: str
    district: str
    land_area: Decimal | None
    floor_area: Decimal | None
    property_company: str | None
    note: str | None


def check_project(entry: ProjectEntry) -> ProjectRecord:
    """A project: its name, 坐落 and district (required), areas, property company, note."""
    c = Collect()
    name = c(lambda: check_text(entry.name, field="name", label="项目名称", max_length=100, required=True,
                                empty_code="PROJECT_NAME_EMPTY"))
    location = c(lambda: check_text(entry.location, field="location", label="项目坐落", max_length=200, required=True,
                                    empty_code="PROJECT_LOCATION_EMPTY"))
    district = c(lambda: check_text(entry.district, field="district", label="所在区县", max_length=40, required=True,
                                    empty_code="PROJECT_DISTRICT_EMPTY"))
    land = c(lambda: check_area(entry.land_area, field="land_area", label="用地面积"))
    floor = c(lambda: check_area(entry.floor_area, field="floor_area", label="规划总建筑面积"))
    company = c(lambda: check_text(entry.property_company, field="property_company", label="物业公司", max_length=120))
    note = c(lambda: check_text(entry.note, field="note", label="备注", max_length=200))
    c.done()
    return ProjectRecord(name, location, district, land, floor, company, note)


@dataclass(frozen=True)
class CertificateEntry:
    kind: object
    number: object
    issued_on: object = None
    issuer: object = None
    land_use: object = None
    land_area: object = None
    land_term_end: object = None
    note: object = None


@dataclass(frozen=True)
class CertificateRecord:
    kind: str
    number: str
    issued_on: date | None
    issuer: str | None
    land_use: str | None
    land_area: Decimal | None
    land_term_end: date | None
    note: str | None


def _kind(raw: object) -> CertificateKind:
    if isinstance(raw, CertificateKind):
        return raw
    text = normalize(raw) if isinstance(raw, str) and len(raw) <= 40 else ""
    number = whole_number(text)
    if number is not None and 1 <= number <= len(FOUR_CERTIFICATES):
        return FOUR_CERTIFICATES[number - 1]
    for kind, label in CERTIFICATE_LABELS.items():
        if text in (kind.value, label):
            return kind
    if text in _KIND_ALIASES:
        return _KIND_ALIASES[text]
    listed = "、".join(CERTIFICATE_LABELS.values())
    raise RuleViolation("CERTIFICATE_KIND_BAD", f"证件类型只能是{listed}之一。", field="kind")


def _optional_day(raw: object, *, field: str, label: str) -> date | None:
    return None if _blank(raw) else check_date(raw, field=field, label=label)


def check_certificate(entry: CertificateEntry, *, today: date) -> CertificateRecord:
    """A project certificate: kind and number (with a digit in it), the day it was issued (not
    after ``today``) and by whom; the land's use, area and term end only on the land certificate,
    the term ending after the day of issue."""
    c = Collect()
    kind = c(lambda: _kind(entry.kind))
    number = c(lambda: check_text(entry.number, reference=True, field="number", label="证件编号", max_length=60, required=True,
                                  empty_code="CERTIFICATE_NUMBER_EMPTY"))
    if number is not None and not any(ch.isdigit() for ch in number):
        c.errors.append(RuleViolation("CERTIFICATE_NUMBER_BAD", "证件编号应按证书填写，其中应有数字。", field="number"))
    issued = c(lambda: _optional_day(entry.issued_on, field="issued_on", label="发证日期"))
    if issued is not None and issued > today:
        c.errors.append(RuleViolation("CERTIFICATE_ISSUED_FUTURE", "发证日期不能晚于今天。", field="issued_on"))
    issuer = c(lambda: check_text(entry.issuer, field="issuer", label="发证机关", max_length=60))
    land_use = c(lambda: check_text(entry.land_use, field="land_use", label="土地用途", max_length=20))
    land_area = c(lambda: check_area(entry.land_area, field="land_area", label="土地面积"))
    term_end = c(lambda: _optional_day(entry.land_term_end, field="land_term_end", label="土地使用终止日期"))
    note = c(lambda: check_text(entry.note, field="note", label="备注", max_length=200))
    if kind is not None and kind is not CertificateKind.LAND and any(
            v is not None for v in (land_use, land_area, term_end)):
        c.errors.append(RuleViolation("CERTIFICATE_LAND_FACTS", "土地用途、面积和终止日期只登记在国有土地使用证上。",
                                      field="land_use"))
    if issued is not None and term_end is not None and term_end <= issued:
        c.errors.append(RuleViolation("CERTIFICATE_TERM_REVERSED", "土地使用终止日期应晚于发证日期。",
                                      field="land_term_end"))
    c.done()
    return CertificateRecord(kind.value, number, issued, issuer, land_use, land_area, term_end, note)


def missing_certificates(kinds: Iterable[str]) -> list[CertificateKind]:
    """The 四证 a project has not registered yet (a presale permit needs all four)."""
    have = set(kinds)
    return [kind for kind in FOUR_CERTIFICATES if kind.value not in have]


def project_number(raw: object) -> int | None:
    """项目编号 as typed (a form's field, a command's argument) or as held: None when nothing is
    typed. Refused: PROJECT_NOT_FOUND (项目编号应为数字) for text that is no number."""
    return typed_id(raw, code="PROJECT_NOT_FOUND", message="项目编号应为数字。", field="project")


def check_project_id(raw: object) -> int:
    """项目编号 a step needs (``project_number``, blank refused: 请填写项目编号)."""
    number = project_number(raw)
    if number is None:
        raise RuleViolation("PROJECT_NOT_FOUND", "请填写项目编号。", field="project")
    return number
