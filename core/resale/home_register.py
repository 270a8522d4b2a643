"""The home register (房屋登记簿): what a home record, its owners and the register's
marks must look like.

Pure rules (no database): ``check_home`` takes a home as typed (text from a form, a
command line or a CSV cell) and returns it checked and normalised, or raises
:class:`HomeInvalid` listing one refusal (stable code, one Chinese sentence, the
field) per bad value — as ``core.parties`` does for a party. Whether a unit number is
already registered, and who an owner's document number names, is the register's
business (``services.resale.home_register``).

What a record holds is what seed 003's contract article 1 reads from the title
certificate (坐落, 结构, 建筑面积, 用地面积, 证书号, 所在层次, 地上总层数, 设计用途)
plus the 不动产单元号 (GB/T 37346), the 校验码 Zhongshan's lookup asks for (seed 002),
the owners and their 共有方式 (单独所有 / 共同共有 / 按份共有, seed 002 三(四)), and the
marks the title registry puts on a home (抵押, 查封, 限制, 无效; seed 001 §5.2.1.3,
seed 003 二).

Certificate and unit numbers are parsed by ``core.resale.certificates`` (the city's
formats). A 设计用途 maps to the use class (用途大类) the checks read through
``USE_CLASS_OF_DESIGN_USE``; a use that does not normalise (商住, 宿舍, …, or any use
not in the table) keeps a provisional class and ``use_class_normalised=False``,
which the house check sends to 限购/限售核定 (``core.resale.use_class_review``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from core.errors import RuleViolation
from core.identity import normalize
from core.parties import Collect, PartyInvalid, RowError, check_text, read_csv_rows
from core.resale.certificates import CITIES, parse_certificate, parse_check_code, parse_unit_number
from core.text import whole_number

__all__ = [
    "CITY_CHOICES",
    "CO_OWNERSHIP_CHOICES",
    "CO_OWNERSHIP_LABELS",
    "DISTRICTS",
    "FIELD_LABELS",
    "HEADINGS",
    "HomeEntry",
    "HomeFile",
    "HomeInvalid",
    "HomeRecord",
    "MARK_LABELS",
    "MARK_CHOICES",
    "MAX_OWNERS",
    "Mark",
    "OwnerEntry",
    "OwnerLine",
    "SearchTerm",
    "USE_CLASS_LABELS",
    "USE_CLASS_OF_DESIGN_USE",
    "PROVISIONAL_USE_CLASS",
    "check_home",
    "check_mark_reason",
    "city_code",
    "city_label",
    "parse_home_csv",
    "owner_field",
    "parse_co_ownership",
    "parse_mark",
    "search_term",
    "share_field",
    "split_owners",
]


class HomeInvalid(PartyInvalid):
    """Several refusals of one home record at once (one per bad value), read as the first;
    the same shape as a party entry's (``core.parties.PartyInvalid``), so the screens and
    commands that list a party's refusals list a home's alike."""


# --------------------------------------------------------------------------
# Cities and districts
# --------------------------------------------------------------------------

#: The cities a record may name, numbered as the screen lists them.
CITY_CHOICES: tuple[str, ...] = ("shenzhen", "zhongshan", "wuhan")

#: Each served city's districts as the register writes them (the sample data's names).
#: Shenzhen and Wuhan: their districts (GB/T 2260) and the zones the register keeps apart
#: (大鹏新区; 武汉's 东湖新技术开发区 and 武汉经济技术开发区, whose certificates carry
#: 东湖高新 / 经开). Zhongshan has no districts: its 镇区 (five urban districts, the 火炬
#: and 翠亨 zones, the towns) as addresses write them — an assumption, no seed lists them.
DISTRICTS: dict[str, tuple[str, ...]] = {
    "shenzhen": ("福田区", "罗湖区", "盐田区", "南山区", "宝安区", "龙岗区", "龙华区", "坪山区", "光明区", "大鹏新区"),
    "zhongshan": ("石岐区", "东区", "西区", "南区", "五桂山区", "火炬开发区", "翠亨新区", "小榄镇", "古镇镇",
                  "东凤镇", "东升镇", "黄圃镇", "南头镇", "阜沙镇", "三角镇", "民众镇", "港口镇", "横栏镇", "沙溪镇",
                  "大涌镇", "坦洲镇", "三乡镇", "板芙镇", "神湾镇", "南朗镇"),
    "wuhan": ("江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区", "东西湖区", "汉南区", "蔡甸区",
              "江夏区", "黄陂区", "新洲区", "东湖新技术开发区", "武汉经济技术开发区"),
}

#: Other ways a district is written, per city (besides its name without 区 / 镇).
_DISTRICT_ALIASES: dict[str, dict[str, str]] = {
    "shenzhen": {"大鹏": "大鹏新区"},
    "zhongshan": {"石岐街道": "石岐区", "东区街道": "东区", "西区街道": "西区", "南区街道": "南区",
                  "五桂山街道": "五桂山区", "中山港街道": "火炬开发区", "火炬区": "火炬开发区", "民众街道": "民众镇",
                  "南朗街道": "南朗镇"},
    "wuhan": {"东湖高新区": "东湖新技术开发区", "东湖高新": "东湖新技术开发区", "经开区": "武汉经济技术开发区",
              "经开": "武汉经济技术开发区", "武汉经开区": "武汉经济技术开发区"},
}

#: Wuhan: the district part a unified certificate number carries for each district.
_WUHAN_CERTIFICATE_PART: dict[str, str] = {
    **{d: d.removesuffix("区") for d in DISTRICTS["wuhan"][:13]},
    "东湖新技术开发区": "东湖高新", "武汉经济技术开发区": "经开",
}


def city_label(code: str) -> str:
    """深圳市 for shenzhen (the code itself when unknown)."""
    return CITIES[code].name if code in CITIES else code


def city_code(raw: object, default: str | None = None) -> str:
    """A city as typed: its code, its Chinese name (with or without 市) or its number in
    ``CITY_CHOICES``; blank is ``default``. Refused: HOME_CITY_EMPTY, HOME_CITY_UNKNOWN."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if default is None:
            raise RuleViolation("HOME_CITY_EMPTY", "请填写房屋所在城市（深圳、中山或武汉）。", field="city")
        raw = default
    text = unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) and len(raw) <= 40 else ""
    number = whole_number(text)
    if number is not None and 1 <= number <= len(CITY_CHOICES):
        return CITY_CHOICES[number - 1]
    for code, city in CITIES.items():
        if text.lower() == code or text in (city.name, city.name.removesuffix("市")):
            return code
    raise RuleViolation("HOME_CITY_UNKNOWN", "房屋所在城市只能是深圳、中山或武汉。", field="city")


def _district(raw: object, city: str | None) -> str:
    text = check_text(raw, reference=True, field="district", label="所在区", max_length=20, required=True,
                      empty_code="HOME_DISTRICT_EMPTY")
    assert text is not None
    if city is None:  # the city is refused on its own
        return text
    text = text.replace(" ", "")
    names = DISTRICTS[city]
    if text in names:
        return text
    alias = _DISTRICT_ALIASES[city].get(text) or next(
        (n for n in names if n[:-1] == text or n.removesuffix("新区") == text), None)
    if alias is not None:
        return alias
    shown = text if len(text) <= 20 else text[:19] + "…"
    raise RuleViolation("HOME_DISTRICT_UNKNOWN",
                        f"“{shown}”不是{city_label(city)}的{'镇区' if city == 'zhongshan' else '区'}，请按产权证书填写，例如{names[0]}、{names[1]}。",
                        field="district")


# --------------------------------------------------------------------------
# Use classes (用途大类)
# --------------------------------------------------------------------------

USE_CLASS_LABELS: dict[str, str] = {"residential": "住宅", "commercial": "商业", "office": "办公", "parking": "车位"}

#: 设计用途 that normalise: the use class the checks read them as.
USE_CLASS_OF_DESIGN_USE: dict[str, str] = {
    "住宅": "residential", "成套住宅": "residential",
    "商业": "commercial", "商业服务": "commercial", "商铺": "commercial",
    "办公": "office",
    "车位": "parking", "车库": "parking", "停车位": "parking",
}

#: 设计用途 known not to normalise (the sample's), with the class they are provisionally read as
#: until 限购/限售核定 decides; any other use needs its provisional class typed.
PROVISIONAL_USE_CLASS: dict[str, str] = {
    "商住": "commercial", "宿舍": "residential", "商务公寓": "office", "综合": "commercial",
}


def _use_class_code(raw: object) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = unicodedata.normalize("NFKC", raw).strip().lower() if isinstance(raw, str) and len(raw) <= 20 else "?"
    for i, (code, label) in enumerate(USE_CLASS_LABELS.items(), start=1):
        if text in (code, label, str(i)):
            return code
    raise RuleViolation("HOME_USE_CLASS_UNKNOWN", "用途大类只能是住宅、商业、办公或车位。", field="use_class")


def _use(design_raw: object, class_raw: object) -> tuple[str, str, bool]:
    """(设计用途, use class, normalised)."""
    c = Collect(HomeInvalid)
    design = c(lambda: check_text(design_raw, reference=True, field="design_use", label="设计用途", max_length=20, required=True,
                                  empty_code="HOME_USE_EMPTY"))
    typed = c(lambda: _use_class_code(class_raw))
    c.done()
    assert design is not None
    design = design.replace(" ", "")
    normal = USE_CLASS_OF_DESIGN_USE.get(design)
    if normal is not None:
        if typed is not None and typed != normal:
            raise RuleViolation(
                "HOME_USE_CLASS_MISMATCH",
                f"设计用途为{design}的房屋，用途大类是{USE_CLASS_LABELS[normal]}，请核对后重新填写（或不填）。",
                field="use_class")
        return design, normal, True
    provisional = typed or PROVISIONAL_USE_CLASS.get(design)
    if provisional is None:
        raise RuleViolation(
            "HOME_USE_CLASS_REQUIRED",
            f"设计用途“{design}”不是规范用途，请填写暂按哪一用途大类（住宅、商业、办公或车位）登记，交易前须限购/限售核定。",
            field="use_class")
    return design, provisional, False


# --------------------------------------------------------------------------
# Numbers: floors, areas, years, shares
# --------------------------------------------------------------------------

_MAX_NUMBER_TEXT = 40
_CENT = Decimal("0.01")
_HUNDRED = Decimal("100.00")
_UNITS = ("平方米", "平米", "m2", "M2")


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _number_text(raw: object, *, field: str) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise RuleViolation("INPUT_NOT_TEXT", "输入的内容不是文字，请重新输入。", field=field)
    text = str(raw)
    if len(text) > _MAX_NUMBER_TEXT:
        return "?"
    return "".join(unicodedata.normalize("NFKC", text).split())


def _integer(raw: object, *, field: str, label: str, low: int, high: int, code: str, basement: bool = False) -> int:
    if _blank(raw):
        raise RuleViolation(f"{code}_EMPTY", f"请填写{label}。", field=field)
    text = _number_text(raw, field=field)
    if basement and re.fullmatch(r"[Bb]\d{1,2}", text):
        text = "-" + text[1:]  # B1: the first floor underground
    if not re.fullmatch(r"[+-]?\d{1,6}", text):
        raise RuleViolation(f"{code}_INVALID", f"{label}应填写整数{'（地下层填负数，如-1）' if basement else ''}。",
                            field=field)
    value = int(text)
    if not low <= value <= high or (basement and value == 0):
        raise RuleViolation(f"{code}_OUT_OF_RANGE", f"{label}应在{low}至{high}之间{'（没有第0层）' if basement else ''}。",
                            field=field)
    return value


def _area(raw: object, *, field: str, label: str, required: bool) -> Decimal | None:
    """An area in m² as an exact Decimal: > 0, at most two decimals, at most 100000 m²."""
    if _blank(raw):
        if required:
            raise RuleViolation("HOME_AREA_EMPTY", f"请填写{label}。", field=field)
        return None
    text = _number_text(raw, field=field)
    for unit in _UNITS:
        text = text.removesuffix(unit)
    if not re.fullmatch(r"\d{1,7}(?:\.\d+)?", text):
        raise RuleViolation("HOME_AREA_INVALID", f"{label}应填写平方米数，如89.50。", field=field)
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern rules it out
        raise RuleViolation("HOME_AREA_INVALID", f"{label}应填写平方米数，如89.50。", field=field) from None
    if value != value.quantize(_CENT):
        raise RuleViolation("HOME_AREA_TOO_PRECISE", f"{label}最多保留两位小数（按产权证书填写）。", field=field)
    if not Decimal("0.01") <= value <= Decimal(100000):
        raise RuleViolation("HOME_AREA_OUT_OF_RANGE", f"{label}应大于0且不超过100000平方米。", field=field)
    return value.quantize(_CENT)


def _share(raw: object, *, field: str, who: str) -> Decimal:
    if _blank(raw):
        raise RuleViolation("HOME_SHARE_EMPTY", f"按份共有须填写{who}的份额。", field=field)
    text = _number_text(raw, field=field).removesuffix("%")
    if not re.fullmatch(r"\d{1,3}(?:\.\d+)?", text):
        raise RuleViolation("HOME_SHARE_INVALID", f"{who}的份额应填写百分数，如50或33.33。", field=field)
    value = Decimal(text)
    if value != value.quantize(_CENT):
        raise RuleViolation("HOME_SHARE_TOO_PRECISE", f"{who}的份额最多保留两位小数。", field=field)
    if not Decimal(0) < value <= _HUNDRED:
        raise RuleViolation("HOME_SHARE_OUT_OF_RANGE", f"{who}的份额应大于0且不超过100%。", field=field)
    return value.quantize(_CENT)


def _year(raw: object, today: date) -> int | None:
    if _blank(raw):
        return None
    text = _number_text(raw, field="completion_year").removesuffix("年")
    if not re.fullmatch(r"\d{4}", text):
        raise RuleViolation("HOME_YEAR_INVALID", "建成年份应填写四位年份，如1998。", field="completion_year")
    year = int(text)
    if not 1900 <= year <= today.year:
        raise RuleViolation("HOME_YEAR_OUT_OF_RANGE", f"建成年份应在1900年至{today.year}年之间。",
                            field="completion_year")
    return year


# --------------------------------------------------------------------------
# Owners and co-ownership
# --------------------------------------------------------------------------

CO_OWNERSHIP_LABELS: dict[str, str] = {"sole": "单独所有", "joint": "共同共有", "shares": "按份共有"}
#: Numbered as the screen lists them.
CO_OWNERSHIP_CHOICES: tuple[str, ...] = ("sole", "joint", "shares")
#: Owners of one home (a record with more is refused: HOME_TOO_MANY_OWNERS).
MAX_OWNERS = 20


@dataclass(frozen=True)
class OwnerEntry:
    """An owner as typed: the document number (a person's) or 统一社会信用代码, and the share."""

    number: object
    share: object = None


@dataclass(frozen=True)
class OwnerLine:
    """An owner as checked: the number as normalised (the register finds who it names)."""

    number: str
    share: Decimal | None


def owner_field(index: int) -> str:
    """The field of the ``index``-th owner's number (0-based): owner_1, owner_2 …"""
    return f"owner_{index + 1}"


def share_field(index: int) -> str:
    return f"share_{index + 1}"


def parse_co_ownership(raw: object, owners: int) -> str:
    """共有方式 as picked: its number (1-3), code or Chinese name; blank is 单独所有 for one
    owner. Refused: HOME_CO_OWNERSHIP_REQUIRED (blank, several owners), HOME_CO_OWNERSHIP_INVALID."""
    if _blank(raw):
        if owners <= 1:
            return "sole"
        raise RuleViolation("HOME_CO_OWNERSHIP_REQUIRED", "有两位以上权利人，请选择共同共有或按份共有。",
                            field="co_ownership")
    text = unicodedata.normalize("NFKC", raw).strip().lower() if isinstance(raw, str) and len(raw) <= 20 else "?"
    for i, (code, label) in enumerate(CO_OWNERSHIP_LABELS.items(), start=1):
        if text in (code, label, str(i)):
            return code
    raise RuleViolation("HOME_CO_OWNERSHIP_INVALID", "共有方式只能是单独所有、共同共有或按份共有。",
                        field="co_ownership")


def _owner_number(raw: object, index: int) -> str:
    where = owner_field(index)
    if isinstance(raw, bool) or not isinstance(raw, str):
        raise RuleViolation("INPUT_NOT_TEXT", "输入的内容不是文字，请重新输入。", field=where)
    number = normalize(raw) if len(raw) <= 100 else "?" * 41
    if not number:
        raise RuleViolation("HOME_OWNER_EMPTY", f"请填写第{index + 1}位权利人的证件号码。", field=where)
    if len(number) > 40 or not number.isprintable():
        raise RuleViolation("HOME_OWNER_NUMBER_BAD", f"第{index + 1}位权利人的证件号码不正确，请按产权证书核对。",
                            field=where)
    return number


def _owners(entries: Sequence[OwnerEntry], co_raw: object) -> tuple[str, tuple[OwnerLine, ...]]:
    """The owners and their co-ownership; a line left blank (number and share) is skipped, and a
    refusal names the line as typed (``owner_3`` is the third line whatever is above it)."""
    typed = [(i, e) for i, e in enumerate(entries) if not (_blank(e.number) and _blank(e.share))]
    if not typed:
        raise RuleViolation("HOME_OWNERS_EMPTY", "请填写权利人的证件号码（个人的证件号码或单位的统一社会信用代码）。",
                            field=owner_field(0))
    if len(typed) > MAX_OWNERS:
        raise RuleViolation("HOME_TOO_MANY_OWNERS", f"一套房屋最多登记{MAX_OWNERS}位权利人。", field=owner_field(0))
    c = Collect(HomeInvalid)
    kind = c(lambda: parse_co_ownership(co_raw, len(typed)))
    numbers: list[str | None] = []
    seen: dict[str, int] = {}
    for i, entry in typed:
        number = c(lambda e=entry, i=i: _owner_number(e.number, i))
        if number is not None and number in seen:
            c.errors.append(RuleViolation("HOME_OWNER_DUPLICATE", f"第{i + 1}位权利人与第{seen[number] + 1}位重复。",
                                          field=owner_field(i)))
            number = None
        elif number is not None:
            seen[number] = i
        numbers.append(number)
    shares: list[Decimal | None] = [None] * len(typed)
    if kind == "shares":
        for n, (i, entry) in enumerate(typed):
            shares[n] = c(lambda e=entry, i=i: _share(e.share, field=share_field(i), who=f"第{i + 1}位权利人"))
    elif kind is not None:
        for i, entry in typed:
            if not _blank(entry.share) and not (kind == "sole" and _is_hundred(entry.share)):
                c.errors.append(RuleViolation(
                    "HOME_SHARE_NOT_APPLICABLE",
                    "单独所有的份额为100%，无需填写。" if kind == "sole" else "共同共有不分份额，请不要填写份额。",
                    field=share_field(i)))
    c.done()
    n = len(typed)
    if kind == "sole" and n != 1:
        raise RuleViolation("HOME_SOLE_ONE_OWNER", f"单独所有只能有一位权利人，现有{n}位。", field="co_ownership")
    if kind in ("joint", "shares") and n < 2:
        raise RuleViolation("HOME_CO_OWNERS_TWO", f"{CO_OWNERSHIP_LABELS[kind]}须有两位以上权利人。", field="co_ownership")
    if kind == "shares":
        total = sum((s for s in shares if s is not None), Decimal(0))
        if total != _HUNDRED:
            raise RuleViolation("HOME_SHARES_SUM", f"各权利人的份额合计应为100%，现为{total:f}%。",
                                field=share_field(typed[0][0]))
    if kind == "sole":
        shares = [_HUNDRED]
    assert kind is not None
    return kind, tuple(OwnerLine(number, share) for number, share in zip(numbers, shares, strict=True))  # type: ignore[arg-type]


def _is_hundred(raw: object) -> bool:
    try:
        return Decimal(_number_text(raw, field="share").removesuffix("%")) == _HUNDRED
    except (InvalidOperation, RuleViolation):
        return False


def split_owners(numbers: object, shares: object = None) -> tuple[OwnerEntry, ...]:
    """Owners written in one cell (a CSV's, a command line's): numbers separated by ；/;/、/，
    and, for 按份共有, the shares in the same order. More shares than numbers: the extra
    ones stand as owners without a number (refused as such)."""
    def parts(raw: object) -> list[str]:
        if not isinstance(raw, str) or len(raw) > 4000:
            return [] if _blank(raw) else ["?" * 41]
        return [p.strip() for p in re.split(r"[;；、，,]", raw)] if raw.strip() else []

    ns, ss = parts(numbers), parts(shares)
    return tuple(OwnerEntry(ns[i] if i < len(ns) else "", ss[i] if i < len(ss) else None)
                 for i in range(max(len(ns), len(ss))))


# --------------------------------------------------------------------------
# The record
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeEntry:
    """A home as typed. ``city`` blank: the caller's default (the hall's city)."""

    district: object
    certificate_number: object
    unit_number: object
    location: object
    building: object
    floor: object
    room: object
    total_floors: object
    floor_area: object
    structure: object
    design_use: object
    owners: Sequence[OwnerEntry] = ()
    city: object = None
    check_code: object = None
    inner_area: object = None
    land_area: object = None
    use_class: object = None
    completion_year: object = None
    co_ownership: object = None


@dataclass(frozen=True)
class HomeRecord:
    """A home as the register keeps it (the owners still by number)."""

    city: str
    district: str
    certificate_number: str
    check_code: str | None
    unit_number: str
    location: str
    building: str
    floor: int
    room: str
    total_floors: int
    floor_area: Decimal
    inner_area: Decimal | None
    land_area: Decimal | None
    structure: str
    design_use: str
    use_class: str
    use_class_normalised: bool
    completion_year: int | None
    co_ownership: str
    owners: tuple[OwnerLine, ...]


#: Chinese names of the fields (a CSV row's report, the screen's labels).
FIELD_LABELS: dict[str, str] = {
    "city": "城市", "district": "所在区", "certificate_number": "产权证书编号", "check_code": "校验码",
    "unit_number": "不动产单元号", "location": "坐落", "building": "楼栋", "floor": "所在层", "room": "房号",
    "total_floors": "总层数", "floor_area": "建筑面积", "inner_area": "套内建筑面积", "land_area": "分摊土地面积",
    "structure": "房屋结构", "design_use": "设计用途", "use_class": "用途大类", "completion_year": "建成年份",
    "co_ownership": "共有方式", "owners": "权利人证件号码", "shares": "份额", "mark": "标记", "reason": "原因",
    "file": "文件",
}
for _i in range(MAX_OWNERS):
    FIELD_LABELS[owner_field(_i)] = f"权利人{_i + 1}证件号码"
    FIELD_LABELS[share_field(_i)] = f"权利人{_i + 1}份额"


def _certificate(raw: object, city: str | None, district: str | None, today: date) -> str:
    cert = parse_certificate(raw, city, today=today)  # type: ignore[arg-type]  # non-text refused by the parser
    if city == "wuhan" and cert.year is not None and cert.district and district is not None:
        wanted = _WUHAN_CERTIFICATE_PART.get(district)
        if wanted is not None and cert.district != wanted:
            raise RuleViolation("HOME_DISTRICT_MISMATCH",
                                f"证书编号中的区名“{cert.district}”与所在区“{district}”不符，请按产权证书核对。",
                                field="certificate_number")
    return cert.text


def _check_code(raw: object, city: str | None) -> str | None:
    if _blank(raw):
        if city == "zhongshan":
            raise RuleViolation("HOME_CHECK_CODE_REQUIRED", "中山市的房屋须登记产权证书上的校验码（查询房源时核对）。",
                                field="check_code")
        return None
    return parse_check_code(raw)  # type: ignore[arg-type]


def _text(raw: object, field: str, max_length: int, code: str) -> str:
    text = check_text(raw, reference=True, field=field, label=FIELD_LABELS[field], max_length=max_length, required=True,
                      empty_code=code)
    assert text is not None
    return text


def check_home(entry: HomeEntry, *, today: date, default_city: str | None = None) -> HomeRecord:
    """A home's record checked, every bad value refused at once (``HomeInvalid``).

    ``today`` bounds a certificate's issue year and the completion year;
    ``default_city`` is the city of a record that names none (the hall's).
    """
    c = Collect(HomeInvalid)
    city = c(lambda: city_code(entry.city, default_city))
    district = c(lambda: _district(entry.district, city))
    certificate = c(lambda: _certificate(entry.certificate_number, city, district, today))
    check = c(lambda: _check_code(entry.check_code, city))
    unit = c(lambda: parse_unit_number(entry.unit_number, city).text)  # type: ignore[arg-type]
    location = c(lambda: _text(entry.location, "location", 200, "HOME_LOCATION_EMPTY"))
    building = c(lambda: _text(entry.building, "building", 40, "HOME_BUILDING_EMPTY"))
    room = c(lambda: _text(entry.room, "room", 16, "HOME_ROOM_EMPTY"))
    total = c(lambda: _integer(entry.total_floors, field="total_floors", label="总层数", low=1, high=200,
                               code="HOME_TOTAL_FLOORS"))
    floor = c(lambda: _integer(entry.floor, field="floor", label="所在层", low=-10, high=200, code="HOME_FLOOR",
                               basement=True))
    floor_area = c(lambda: _area(entry.floor_area, field="floor_area", label="建筑面积", required=True))
    inner = c(lambda: _area(entry.inner_area, field="inner_area", label="套内建筑面积", required=False))
    land = c(lambda: _area(entry.land_area, field="land_area", label="分摊土地面积", required=False))
    structure = c(lambda: _text(entry.structure, "structure", 20, "HOME_STRUCTURE_EMPTY"))
    use = c(lambda: _use(entry.design_use, entry.use_class))
    year = c(lambda: _year(entry.completion_year, today))
    owners = c(lambda: _owners(entry.owners, entry.co_ownership))
    if floor is not None and total is not None and floor > total:
        c.errors.append(RuleViolation("HOME_FLOOR_ABOVE_TOTAL", f"所在层（第{floor}层）高于总层数（{total}层），请核对。",
                                      field="floor"))
    if inner is not None and floor_area is not None and inner > floor_area:
        c.errors.append(RuleViolation("HOME_INNER_AREA_EXCEEDS", "套内建筑面积不能大于建筑面积，请按产权证书核对。",
                                      field="inner_area"))
    c.done()
    design, use_class, normalised = use
    kind, lines = owners
    return HomeRecord(
        city=city, district=district, certificate_number=certificate, check_code=check, unit_number=unit,
        location=location, building=building, floor=floor, room=room, total_floors=total, floor_area=floor_area,
        inner_area=inner, land_area=land, structure=structure, design_use=design, use_class=use_class,
        use_class_normalised=normalised, completion_year=year, co_ownership=kind, owners=lines,
    )


# --------------------------------------------------------------------------
# The register's marks (from the title registry)
# --------------------------------------------------------------------------


class Mark(StrEnum):
    """A mark the title registry puts on a home; each stops (or, for a mortgage in some
    cities, qualifies) its trade at the house check."""

    MORTGAGED = "mortgaged"  # 抵押
    SEIZED = "seized"  # 查封
    RESTRICTED = "restricted"  # 限制
    INVALID = "invalid"  # 无效 (the title is not valid)


MARK_LABELS: dict[Mark, str] = {
    Mark.MORTGAGED: "抵押", Mark.SEIZED: "查封", Mark.RESTRICTED: "限制", Mark.INVALID: "无效",
}
#: Numbered as the screen lists them.
MARK_CHOICES: tuple[Mark, ...] = (Mark.MORTGAGED, Mark.SEIZED, Mark.RESTRICTED, Mark.INVALID)
_MARK_ALIASES = {"已抵押": Mark.MORTGAGED, "司法查封": Mark.SEIZED, "已查封": Mark.SEIZED, "行政限制": Mark.RESTRICTED,
                 "限制交易": Mark.RESTRICTED, "权属无效": Mark.INVALID, "状态无效": Mark.INVALID}


def parse_mark(raw: object) -> Mark:
    """A mark as picked: its number (1-4), code or Chinese name. Refused: HOME_MARK_UNKNOWN."""
    if isinstance(raw, Mark):
        return raw
    text = unicodedata.normalize("NFKC", raw).strip().lower() if isinstance(raw, str) and len(raw) <= 20 else "?"
    number = whole_number(text)
    if number is not None and 1 <= number <= len(MARK_CHOICES):
        return MARK_CHOICES[number - 1]
    for mark, label in MARK_LABELS.items():
        if text in (mark.value, label):
            return mark
    if text in _MARK_ALIASES:
        return _MARK_ALIASES[text]
    raise RuleViolation("HOME_MARK_UNKNOWN", "标记只能是抵押、查封、限制或无效（可填编号1-4）。", field="mark")


def check_mark_reason(raw: object, *, clearing: bool = False) -> str:
    """Why the registry set (or lifted) the mark, e.g. the mortgage's registration number or
    the court's ruling: required, at most 200 characters."""
    what = "解除原因" if clearing else "原因"
    text = check_text(raw, field="reason", label=what, max_length=200, required=True,
                      empty_code="HOME_MARK_REASON_EMPTY")
    assert text is not None
    return text


# --------------------------------------------------------------------------
# Finding homes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchTerm:
    """What a search text is: a certificate number, a unit number, or a fragment of a 坐落."""

    kind: str  # certificate / unit / location
    value: str


def search_term(raw: object, *, today: date) -> SearchTerm:
    """A certificate number (any served city's format) or 不动产单元号 as parsed; anything
    else is a fragment of a location (at least two characters). Refused: HOME_SEARCH_EMPTY,
    HOME_SEARCH_TOO_SHORT, TEXT_TOO_LONG, TEXT_BAD_CHARACTERS."""
    if isinstance(raw, str) and len(raw) <= 120:
        try:
            return SearchTerm("certificate", parse_certificate(raw, today=today).text)
        except RuleViolation:
            pass
        try:
            return SearchTerm("unit", parse_unit_number(raw).text)
        except RuleViolation:
            pass
    text = check_text(raw, reference=True, field="query", label="查询内容", max_length=100, required=True,
                      empty_code="HOME_SEARCH_EMPTY")
    assert text is not None
    if len(text.replace(" ", "")) < 2:
        raise RuleViolation("HOME_SEARCH_TOO_SHORT", "请至少输入坐落中的两个字，或完整的产权证书编号、不动产单元号。",
                            field="query")
    return SearchTerm("location", text)


# --------------------------------------------------------------------------
# A hall's existing register, as a CSV file
# --------------------------------------------------------------------------


#: Column headings and the fields they fill (Chinese, with English aliases). See README.
HEADINGS: dict[str, str] = {
    "城市": "city", "city": "city",
    "所在区": "district", "区": "district", "区县": "district", "district": "district",
    "产权证书编号": "certificate_number", "证书编号": "certificate_number", "certificate_number": "certificate_number",
    "校验码": "check_code", "check_code": "check_code",
    "不动产单元号": "unit_number", "unit_number": "unit_number",
    "坐落": "location", "房屋坐落": "location", "location": "location",
    "楼栋": "building", "幢号": "building", "building": "building",
    "所在层": "floor", "所在楼层": "floor", "floor": "floor",
    "总层数": "total_floors", "total_floors": "total_floors",
    "房号": "room", "室号": "room", "room": "room",
    "建筑面积": "floor_area", "floor_area": "floor_area",
    "套内建筑面积": "inner_area", "套内面积": "inner_area", "inner_area": "inner_area",
    "分摊土地面积": "land_area", "用地面积": "land_area", "land_area": "land_area",
    "房屋结构": "structure", "结构": "structure", "structure": "structure",
    "设计用途": "design_use", "规划用途": "design_use", "design_use": "design_use",
    "用途大类": "use_class", "use_class": "use_class",
    "建成年份": "completion_year", "竣工年份": "completion_year", "completion_year": "completion_year",
    "共有方式": "co_ownership", "共有情况": "co_ownership", "co_ownership": "co_ownership",
    "权利人证件号码": "owners", "权利人": "owners", "owners": "owners",
    "份额": "shares", "shares": "shares",
    "抵押": "mark_mortgaged", "抵押原因": "mark_mortgaged", "mortgaged": "mark_mortgaged",
    "查封": "mark_seized", "查封原因": "mark_seized", "seized": "mark_seized",
    "限制": "mark_restricted", "限制原因": "mark_restricted", "restricted": "mark_restricted",
    "无效": "mark_invalid", "无效原因": "mark_invalid", "invalid": "mark_invalid",
}
_REQUIRED = ("district", "certificate_number", "unit_number", "location", "building", "floor", "total_floors",
             "room", "floor_area", "structure", "design_use", "owners")


@dataclass
class HomeFile:
    """A register file checked: the homes (row, record, marks with their reasons) and every bad value."""

    homes: list[tuple[int, HomeRecord, dict[Mark, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def refuse(self, row: int, error: RuleViolation) -> None:
        name = error.field or ""
        if name.startswith("owner_"):
            name = "owners"
        elif name.startswith("share_"):
            name = "shares"
        label = FIELD_LABELS.get(name, name)
        self.errors.append(RowError(row, label or "整行", error.code, error.message))


def parse_home_csv(text: str, *, today: date, default_city: str | None) -> HomeFile:
    """Every row of a home register file checked (``check_home``, the marks' reasons).

    Row numbers count the heading as row 1. Besides each value's own refusal and those of
    ``core.parties.read_csv_rows``: CSV_DUPLICATE_IN_FILE (a unit number twice). Owners are written
    in one cell (``split_owners``). Who an owner's number names, and whether a unit
    number is already registered, is the service's check.
    """
    result = HomeFile()
    rows = read_csv_rows(text, headings=HEADINGS, required=_REQUIRED, labels=FIELD_LABELS,
                         first_row="城市,所在区,产权证书编号,……", refuse=result.refuse)
    seen: dict[str, int] = {}
    for number, v in rows:
        entry = HomeEntry(
            city=v.get("city"), district=v.get("district"), certificate_number=v.get("certificate_number"),
            check_code=v.get("check_code"), unit_number=v.get("unit_number"), location=v.get("location"),
            building=v.get("building"), floor=v.get("floor"), room=v.get("room"),
            total_floors=v.get("total_floors"), floor_area=v.get("floor_area"), inner_area=v.get("inner_area"),
            land_area=v.get("land_area"), structure=v.get("structure"), design_use=v.get("design_use"),
            use_class=v.get("use_class"), completion_year=v.get("completion_year"),
            co_ownership=v.get("co_ownership"), owners=split_owners(v.get("owners"), v.get("shares")),
        )
        errors: list[RuleViolation] = []
        record: HomeRecord | None = None
        try:
            record = check_home(entry, today=today, default_city=default_city)
        except PartyInvalid as exc:
            errors.extend(exc.errors)
        except RuleViolation as exc:
            errors.append(exc)
        marks: dict[Mark, str] = {}
        for mark in MARK_CHOICES:
            cell = v.get(f"mark_{mark.value}")
            if _blank(cell):
                continue
            try:
                marks[mark] = check_mark_reason(cell)
            except RuleViolation as exc:
                errors.append(RuleViolation(exc.code, f"{MARK_LABELS[mark]}原因：{exc.message}", field="mark"))
        if errors or record is None:
            for error in errors:
                result.refuse(number, error)
            continue
        first = seen.get(record.unit_number)
        if first is not None:
            result.refuse(number, RuleViolation("CSV_DUPLICATE_IN_FILE", f"该不动产单元号与第{first}行重复。",
                                                field="unit_number"))
            continue
        seen[record.unit_number] = number
        result.homes.append((number, record, marks))
    return result
