"""Title-certificate numbers, check codes and real-estate unit numbers.

Pure (stdlib + ``core.errors``).  ``parse_certificate`` never lets anything
but :class:`core.errors.RuleViolation` escape, for any input.

Formats accepted (after normalisation, see ``normalize_certificate``):

* 不动产权证书 (unified registration, every city)::

      粤(2020)深圳市不动产权第0123456号
      粤(2019)中山市不动产权第0355229号
      鄂(2021)武汉市江汉不动产权第0012345号

  province abbreviation + (issue year) + city name + district part (Wuhan
  only: the district's short name, e.g. 江汉 / 东西湖, seed 003 article 1
  "鄂（）武汉市东西湖不动产权") + 不动产权第 + 7-digit serial + 号.  The year
  runs from 2014 (unified registration began) to the current year.
  不动产证明 numbers (mortgage and other registration proofs) are refused
  with their own code: they are not titles.
* 房地产权证书 of Shenzhen (seed 001 §5.2.2): 深房地字第XXXXXXX号.  The
  seed writes seven X; the register holds 10-digit serials (e.g.
  深房地字第5000234964号), so 7 to 10 digits are accepted.
* Older certificates not named in the seeds (kept because the register and
  the counter meet them; their exact shapes are assumptions):
  Zhongshan 粤房地证字第C1234567号 (a letter + 7 digits) and Wuhan
  武房权证湖字第2010012345号 (a one-character district + 6-12 digits).

Normalisation is what an input method produces: NFKC (full-width digits,
letters and brackets become ASCII), every bracket form （）〔〕【】[] becomes
ASCII "(" ")", whitespace and invisible characters vanish, letters are
upper-cased.  A missing 第 or trailing 号 is supplied.  The canonical text
uses ASCII brackets, as the register stores it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.errors import RuleViolation

__all__ = [
    "CertificateKind",
    "CERTIFICATE_KIND_LABELS",
    "City",
    "CITIES",
    "CertificateNumber",
    "UnitNumber",
    "normalize_certificate",
    "parse_certificate",
    "format_certificate",
    "parse_check_code",
    "parse_unit_number",
    "FIRST_UNIFIED_YEAR",
]

FIRST_UNIFIED_YEAR = 2014
_MAX_RAW_LENGTH = 120
_FIELD = "certificate_number"
_FIELD_CHECK = "check_code"
_FIELD_UNIT = "unit_number"


class CertificateKind(StrEnum):
    REAL_ESTATE = "real_estate"  # 不动产权证书
    HOUSE_LAND = "house_land"  # 房地产权证书 (Guangdong)
    HOUSE_OWNERSHIP = "house_ownership"  # 房屋所有权证 (Wuhan)


CERTIFICATE_KIND_LABELS: dict[CertificateKind, str] = {
    CertificateKind.REAL_ESTATE: "不动产权证书",
    CertificateKind.HOUSE_LAND: "房地产权证书",
    CertificateKind.HOUSE_OWNERSHIP: "房屋所有权证",
}


@dataclass(frozen=True)
class City:
    """What a city's certificate and unit numbers look like."""

    code: str  # shenzhen / zhongshan / wuhan (the register's city column)
    name: str  # 深圳市
    province: str  # 粤 (abbreviation printed first on the certificate)
    unit_prefix: str  # first four digits of its 不动产单元号 (GB/T 2260 code)
    districts: tuple[str, ...] = ()  # allowed district parts; () = none allowed


# Wuhan's districts as the register writes them on certificates (short
# names).  东湖高新 and 经开 are the development zones.
_WUHAN_DISTRICTS = (
    "江岸", "江汉", "硚口", "汉阳", "武昌", "青山", "洪山", "东西湖",
    "汉南", "蔡甸", "江夏", "黄陂", "新洲", "东湖高新", "经开",
)

CITIES: dict[str, City] = {
    c.code: c
    for c in (
        City("shenzhen", "深圳市", "粤", "4403"),
        City("zhongshan", "中山市", "粤", "4420"),
        City("wuhan", "武汉市", "鄂", "4201", _WUHAN_DISTRICTS),
    )
}
_CITY_BY_NAME = {c.name: c for c in CITIES.values()}


@dataclass(frozen=True)
class CertificateNumber:
    """A parsed certificate number; ``text`` is the canonical form."""

    kind: CertificateKind
    city: str  # City.code
    year: int | None  # issue year (unified certificates only)
    district: str  # Wuhan district part / old-format letter or character; "" if none
    serial: str  # digits as printed (leading zeros kept)
    text: str

    @property
    def kind_label(self) -> str:
        return CERTIFICATE_KIND_LABELS[self.kind]


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

_OPEN = frozenset("(（〔【[［｛{")
_CLOSE = frozenset(")）〕】]］｝}")
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


def normalize_certificate(raw: str) -> str:
    """Normalise a typed certificate number (see the module docstring)."""
    text = unicodedata.normalize("NFKC", raw)
    out: list[str] = []
    for ch in text:
        if ch.isspace() or ch in _INVISIBLE:
            continue
        if ch in _OPEN:
            ch = "("
        elif ch in _CLOSE:
            ch = ")"
        out.append(ch.upper() if ch.isascii() else ch)
    return "".join(out)


def _prepare(raw: object, empty_code: str, empty_message: str, field: str) -> str:
    if raw is None:
        raise RuleViolation(empty_code, empty_message, field=field)
    if not isinstance(raw, str):
        raise RuleViolation("INPUT_NOT_TEXT", "输入的内容不是文字，请重新输入。", field=field)
    if len(raw) > _MAX_RAW_LENGTH:
        raise RuleViolation("INPUT_TOO_LONG", "输入的内容过长，请核对后重新输入。", field=field)
    text = normalize_certificate(raw)
    if not text:
        raise RuleViolation(empty_code, empty_message, field=field)
    return text


# --------------------------------------------------------------------------
# Certificate numbers
# --------------------------------------------------------------------------

_UNIFIED = re.compile(
    r"(?P<prov>[^\x00-\x7f])\((?P<year>\d{4})\)(?P<place>[^\x00-\x7f]+?)"
    r"不动产(?P<what>权证?|证明)第?(?P<serial>\d+)号?"
)
_SHENZHEN_OLD = re.compile(r"深房地字第?(?P<serial>\d+)号?")
_ZHONGSHAN_OLD = re.compile(r"粤房地证字第?(?P<letter>[A-Z])(?P<serial>\d+)号?")
_WUHAN_OLD = re.compile(r"武房权证(?P<district>[^\x00-\x7f])字第?(?P<serial>\d+)号?")
_UNIFIED_SERIAL_DIGITS = 7


def _refuse(code: str, message: str, field: str = _FIELD) -> RuleViolation:
    return RuleViolation(code, message, field=field)


def _check_city(found: City, city: str | None) -> None:
    if city is not None and found.code != city:
        wanted = CITIES[city].name if city in CITIES else city
        raise _refuse(
            "CERT_WRONG_CITY",
            f"该证书编号属于{found.name}，本窗口只受理{wanted}的房屋。",
        )


def _unified(m: re.Match[str], city: str | None, today: date) -> CertificateNumber:
    if m["what"] == "证明":
        raise _refuse(
            "CERT_IS_PROOF", "这是不动产登记证明的编号，不是产权证书编号，请输入不动产权证书编号。"
        )
    place = m["place"]
    found = next((c for name, c in _CITY_BY_NAME.items() if place.startswith(name)), None)
    if found is None:
        raise _refuse("CERT_CITY_NOT_SERVED", f"证书编号中的“{place}”不是本系统受理的市县。")
    if m["prov"] != found.province:
        raise _refuse(
            "CERT_PROVINCE_MISMATCH",
            f"证书编号开头的省份简称应为“{found.province}”，请核对后重新输入。",
        )
    _check_city(found, city)
    district = place[len(found.name):]
    if district.endswith("区") and district[:-1] in found.districts:
        district = district[:-1]  # "东西湖区" is typed for "东西湖"
    if district and district not in found.districts:
        raise _refuse(
            "CERT_BAD_DISTRICT",
            f"证书编号中的“{district}”不是{found.name}证书上的区名，请核对后重新输入。",
        )
    year = int(m["year"])
    if year < FIRST_UNIFIED_YEAR or year > today.year:
        raise _refuse(
            "CERT_BAD_YEAR",
            f"证书编号括号内的年份应在{FIRST_UNIFIED_YEAR}年至{today.year}年之间，请核对后重新输入。",
        )
    serial = m["serial"]
    if len(serial) != _UNIFIED_SERIAL_DIGITS:
        raise _refuse("CERT_BAD_SERIAL", "不动产权证书编号“第”与“号”之间应为7位数字，请核对后重新输入。")
    text = f"{found.province}({year}){found.name}{district}不动产权第{serial}号"
    return CertificateNumber(CertificateKind.REAL_ESTATE, found.code, year, district, serial, text)


def parse_certificate(raw: str, city: str | None = None, *, today: date) -> CertificateNumber:
    """Parse a typed certificate number of any served city's format.

    ``city`` (a ``City.code``) refuses numbers of other cities with
    ``CERT_WRONG_CITY``; ``today`` (the caller's clock) bounds the issue year.  Refusal codes: CERT_EMPTY, INPUT_NOT_TEXT, INPUT_TOO_LONG,
    CERT_IS_PROOF, CERT_CITY_NOT_SERVED, CERT_PROVINCE_MISMATCH,
    CERT_WRONG_CITY, CERT_BAD_DISTRICT, CERT_BAD_YEAR, CERT_BAD_SERIAL,
    CERT_UNKNOWN_FORMAT.
    """
    text = _prepare(raw, "CERT_EMPTY", "请输入产权证书编号。", _FIELD)
    day = today
    if m := _UNIFIED.fullmatch(text):
        return _unified(m, city, day)
    if m := _SHENZHEN_OLD.fullmatch(text):
        _check_city(CITIES["shenzhen"], city)
        serial = m["serial"]
        if not 7 <= len(serial) <= 10:
            raise _refuse("CERT_BAD_SERIAL", "深房地字证书编号“第”与“号”之间应为7至10位数字，请核对后重新输入。")
        return CertificateNumber(
            CertificateKind.HOUSE_LAND, "shenzhen", None, "", serial, f"深房地字第{serial}号"
        )
    if m := _ZHONGSHAN_OLD.fullmatch(text):
        _check_city(CITIES["zhongshan"], city)
        serial = m["serial"]
        if len(serial) != 7:
            raise _refuse("CERT_BAD_SERIAL", "粤房地证字证书编号应为一个字母加7位数字，请核对后重新输入。")
        return CertificateNumber(
            CertificateKind.HOUSE_LAND, "zhongshan", None, m["letter"], serial,
            f"粤房地证字第{m['letter']}{serial}号",
        )
    if m := _WUHAN_OLD.fullmatch(text):
        _check_city(CITIES["wuhan"], city)
        serial = m["serial"]
        if not 6 <= len(serial) <= 12:
            raise _refuse("CERT_BAD_SERIAL", "武房权证证书编号“第”与“号”之间应为6至12位数字，请核对后重新输入。")
        return CertificateNumber(
            CertificateKind.HOUSE_OWNERSHIP, "wuhan", None, m["district"], serial,
            f"武房权证{m['district']}字第{serial}号",
        )
    raise _refuse(
        "CERT_UNKNOWN_FORMAT",
        "无法识别该产权证书编号，请按证书上的编号输入，例如：粤(2020)深圳市不动产权第0123456号。",
    )


def format_certificate(cert: CertificateNumber) -> str:
    """The canonical text (what the register stores and the screen shows)."""
    return cert.text


# --------------------------------------------------------------------------
# Check codes (校验码, seed 002) and unit numbers (不动产单元号)
# --------------------------------------------------------------------------

_CHECK_CODE = re.compile(r"[0-9A-Z]{4,12}")


def parse_check_code(raw: str) -> str:
    """A certificate check code: 4-12 letters/digits, upper-cased.

    The seed names the code but not its shape; the register's codes are six
    characters.  Refusals: CHECK_CODE_EMPTY, CHECK_CODE_BAD_FORMAT.
    """
    text = _prepare(raw, "CHECK_CODE_EMPTY", "请输入产权证书上的校验码。", _FIELD_CHECK)
    if not _CHECK_CODE.fullmatch(text):
        raise _refuse("CHECK_CODE_BAD_FORMAT", "校验码只能由4至12位字母或数字组成，请核对后重新输入。", _FIELD_CHECK)
    return text


# GB/T 37346-2019 不动产单元代码, 28 characters: county code (6) + cadastral
# district and sub-district (3 + 3) + parcel kind (G state / J collective /
# Z undetermined, then the right's letter) + parcel sequence (5) + fixture
# kind (F house / L forest / Q structure / W none) + fixture number (8:
# building 4 + unit 4).
_UNIT = re.compile(r"(?P<county>\d{6})(?P<zone>\d{6})(?P<parcel>[GJZ][A-Z]\d{5})(?P<fixture>[FLQW]\d{8})")


@dataclass(frozen=True)
class UnitNumber:
    text: str  # canonical 28 characters
    county: str
    zone: str
    parcel: str
    fixture: str

    @property
    def city_prefix(self) -> str:
        return self.county[:4]

    @property
    def grouped(self) -> str:
        """For the screen: "440304 005008 GB00404 F00030001"."""
        return f"{self.county} {self.zone} {self.parcel} {self.fixture}"


def parse_unit_number(raw: str, city: str | None = None) -> UnitNumber:
    """Parse a 不动产单元号 (28 characters, GB/T 37346-2019).

    ``city`` refuses units of another city (UNIT_NO_WRONG_CITY).  Other
    refusals: UNIT_NO_EMPTY, INPUT_NOT_TEXT, INPUT_TOO_LONG, UNIT_NO_BAD_FORMAT.
    """
    text = _prepare(raw, "UNIT_NO_EMPTY", "请输入不动产单元号。", _FIELD_UNIT)
    m = _UNIT.fullmatch(text)
    if m is None:
        raise _refuse(
            "UNIT_NO_BAD_FORMAT",
            "不动产单元号应为28位，例如440304005008GB00404F00030001，请向不动产登记部门核实。",
            _FIELD_UNIT,
        )
    unit = UnitNumber(text, m["county"], m["zone"], m["parcel"], m["fixture"])
    if city is not None and city in CITIES and unit.city_prefix != CITIES[city].unit_prefix:
        raise _refuse(
            "UNIT_NO_WRONG_CITY", f"该不动产单元号不属于{CITIES[city].name}，请核对后重新输入。", _FIELD_UNIT
        )
    return unit
