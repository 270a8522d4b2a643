"""Setting up a selection round (场次设置): the moments a supervisor types, and the two
CSV files a round is filled from — its families with their ranks (选房家庭名单) and the
house pool (房源清单).

Pure: the caller reads the file and hands its text over; nothing here touches a
database. A file is checked whole: every bad row is reported (its row number as a
spreadsheet shows it, the field, one Chinese sentence and a stable rule code), so a
clerk can fix the file once; the services write nothing when any row is bad.

Families file, one family a row, header first (Chinese or English column names)::

    排位,姓名,证件号码,手机号码,家庭人数,可选户型
    1,王欣然,440303199803201649,14779887783,2,"一房一厅,两房一厅"

Houses file::

    房源编号,项目,楼栋,单元,楼层,房号,户型,朝向,面积,月租金
    LYJ3-1-301,龙悦居三期,1,1,3,301,两房一厅,南,61.69,1449.72
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.allocation.housing import LAYOUTS, check_orientation, parse_layout
from core.allocation.rounds import WINDOW_LABELS
from core.errors import RuleViolation
from core.identity import check_person_name, parse_identity, parse_mobile
from core.text import printable
from core.timeutil import SHANGHAI

__all__ = [
    "FAMILY_COLUMNS",
    "HOUSE_COLUMNS",
    "MAX_FILE_CHARS",
    "MAX_ROWS",
    "FamilyLine",
    "HouseLine",
    "RowError",
    "parse_families_csv",
    "parse_houses_csv",
    "parse_window_time",
]

#: A file bigger than this is refused before it is parsed (a whole city's list is far smaller).
MAX_FILE_CHARS = 20_000_000
MAX_ROWS = 200_000

_TIME_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$")


def parse_window_time(text: object, field: str) -> datetime:
    """"2026-12-08 09:00" (Shanghai time; full-width digits and extra spaces accepted) as an
    aware datetime, or ROUND_WINDOW_FORMAT naming the moment (``field``: a key of WINDOW_LABELS)."""
    label = WINDOW_LABELS.get(field, "时间")
    raw = " ".join(unicodedata.normalize("NFKC", str(text or "")).split())
    match = _TIME_RE.match(raw)
    if match is not None:
        try:
            return datetime(*(int(g) for g in match.groups()), tzinfo=SHANGHAI)  # type: ignore[misc]
        except ValueError:
            pass
    shown = printable(text, limit=30)
    raise RuleViolation("ROUND_WINDOW_FORMAT",
                        f"{label}“{shown}”格式不正确，请按 yyyy-mm-dd hh:mm 填写，例如 2026-12-08 09:00。", field=field)


@dataclass(frozen=True)
class RowError:
    """One bad cell of a file: the row as a spreadsheet numbers it (the header is row 1)."""

    row: int
    field: str  # the column's Chinese name
    code: str
    message: str

    def text(self) -> str:
        return f"第{self.row}行【{self.field}】{self.message}（{self.code}）"


@dataclass(frozen=True)
class FamilyLine:
    row: int
    rank: int
    name: str
    id_kind: str
    id_number: str
    region: str
    birth_date: date | None
    sex: str | None
    phone: str | None
    size: int
    layouts: tuple[str, ...]  # layout codes (core.allocation.housing), smallest first


@dataclass(frozen=True)
class HouseLine:
    row: int
    code: str
    project: str
    building: str
    unit: str
    floor: int
    room: str
    layout: str
    orientation: str
    area: Decimal
    monthly_rent: Decimal


# column key -> (Chinese name, names accepted in the header, required)
FAMILY_COLUMNS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "rank": ("排位", ("排位", "轮候排位", "rank"), True),
    "name": ("姓名", ("姓名", "主申请人", "name"), True),
    "id_number": ("证件号码", ("证件号码", "身份证号码", "身份证号", "id_number"), True),
    "phone": ("手机号码", ("手机号码", "手机号", "phone"), False),
    "size": ("家庭人数", ("家庭人数", "人数", "size"), True),
    "layouts": ("可选户型", ("可选户型", "户型", "layouts"), True),
}
HOUSE_COLUMNS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "code": ("房源编号", ("房源编号", "code"), True),
    "project": ("项目", ("项目", "项目名称", "project"), True),
    "building": ("楼栋", ("楼栋", "栋", "building"), True),
    "unit": ("单元", ("单元", "unit"), False),
    "floor": ("楼层", ("楼层", "floor"), True),
    "room": ("房号", ("房号", "room"), True),
    "layout": ("户型", ("户型", "layout"), True),
    "orientation": ("朝向", ("朝向", "orientation"), True),
    "area": ("面积", ("面积", "建筑面积", "area"), True),
    "monthly_rent": ("月租金", ("月租金", "租金", "monthly_rent"), True),
}


def _cell(value: str) -> str:
    """A cell as typed, NFKC-normalised (full-width digits and letters become ASCII), trimmed."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def _rows(text: str, columns: dict[str, tuple[str, tuple[str, ...], bool]],
          errors: list[RowError]) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows of a CSV text as {column key: cell}, with their row numbers; problems of the
    file as a whole (no header, a missing or repeated column) go to ``errors`` and end it."""
    if len(text) > MAX_FILE_CHARS:
        errors.append(RowError(1, "文件", "IMPORT_FILE_TOO_LARGE", f"文件超过 {MAX_FILE_CHARS // 1_000_000} MB 字符，请分批导入。"))
        return
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        errors.append(RowError(1, "文件", "IMPORT_NOT_TEXT", "文件含有空字符，不是 CSV 文本文件。"))
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header or not any(h.strip() for h in header):
        errors.append(RowError(1, "表头", "IMPORT_NO_HEADER", "文件为空或第一行没有列名。"))
        return
    alias = {name.lower(): key for key, (_, names, _) in columns.items() for name in names}
    position: dict[str, int] = {}
    for i, raw in enumerate(header):
        key = alias.get(_cell(raw).lower())
        if key is None:
            continue
        if key in position:
            errors.append(RowError(1, columns[key][0], "IMPORT_COLUMN_REPEATED", "该列在表头中出现了不止一次。"))
        position[key] = i
    for key, (label, _, required) in columns.items():
        if required and key not in position:
            errors.append(RowError(1, label, "IMPORT_COLUMN_MISSING", f"表头缺少“{label}”列。"))
    if errors:
        return
    rows = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append(RowError(reader.line_num, "文件", "IMPORT_BAD_CSV", "该行不是有效的 CSV（引号不成对或字段过长）。"))
            return
        if not any(v.strip() for v in values):
            continue  # blank lines are not rows
        rows += 1
        if rows > MAX_ROWS:
            errors.append(RowError(reader.line_num, "文件", "IMPORT_TOO_MANY_ROWS", f"一个文件最多 {MAX_ROWS} 行，请分批导入。"))
            return
        yield reader.line_num, {key: _cell(values[i]) if i < len(values) else "" for key, i in position.items()}


def _take(row: int, label: str, errors: list[RowError], parse: Callable[[], Any]) -> Any:
    """``parse()``'s value, or None with its refusal recorded against the cell."""
    try:
        return parse()
    except RuleViolation as exc:
        errors.append(RowError(row, label, exc.code, exc.message))
        return None


def _whole(text: str, code: str, what: str, low: int, high: int) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 9 or not low <= int(text) <= high:
        raise RuleViolation(code, f"{what}必须是 {low} 到 {high} 之间的整数，这里是“{printable(text, limit=20)}”。")
    return int(text)


def _money(text: str, code: str, what: str, high: Decimal) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value > high or value != value.quantize(Decimal("0.01")):
        raise RuleViolation(code, f"{what}必须是大于 0、最多两位小数的数，这里是“{printable(text, limit=20)}”。")
    return value.quantize(Decimal("0.01"))


def _text(text: str, code: str, what: str, limit: int) -> str:
    if not text:
        raise RuleViolation(code, f"请填写{what}。")
    if len(text) > limit or printable(text) != text:
        raise RuleViolation(code, f"{what}不能超过{limit}个字，且不能含有控制字符。")
    return text


def _layouts(text: str) -> tuple[str, ...]:
    parts = [p for p in re.split(r"[,，、/;；\s]+", text) if p]
    if not parts:
        raise RuleViolation("HOUSE_LAYOUT_EMPTY", "请填写可选户型，如“一房一厅,两房一厅”。")
    codes = {parse_layout(p) for p in parts}
    return tuple(code for code in LAYOUTS if code in codes)


def parse_families_csv(text: str, *, today: date) -> tuple[list[FamilyLine], list[RowError]]:
    """The families of a 选房家庭名单 and every bad cell; a rank or an ID number given twice in
    the file is bad in each row after the first. ``today`` dates the ID checks (birth dates)."""
    errors: list[RowError] = []
    lines: list[FamilyLine] = []
    first_rank: dict[int, int] = {}
    first_id: dict[str, int] = {}
    labels = {key: label for key, (label, _, _) in FAMILY_COLUMNS.items()}
    for row, cell in _rows(text, FAMILY_COLUMNS, errors):
        before = len(errors)
        rank = _take(row, labels["rank"], errors,
                     lambda: _whole(cell["rank"], "FAMILY_RANK_INVALID", "排位", 1, 999_999_999))
        name = _take(row, labels["name"], errors, lambda: check_person_name(cell["name"], who="主申请人"))
        facts = _take(row, labels["id_number"], errors, lambda: parse_identity(cell["id_number"], today=today))
        phone = _take(row, labels["phone"], errors,
                      lambda: parse_mobile(cell["phone"]) if cell.get("phone") else None)
        size = _take(row, labels["size"], errors, lambda: _whole(cell["size"], "FAMILY_SIZE_INVALID", "家庭人数", 1, 20))
        layouts = _take(row, labels["layouts"], errors, lambda: _layouts(cell["layouts"]))
        if rank is not None:
            if rank in first_rank:
                errors.append(RowError(row, labels["rank"], "FAMILY_RANK_REPEATED",
                                       f"排位 {rank} 与第 {first_rank[rank]} 行重复。"))
            first_rank.setdefault(rank, row)
        if facts is not None:
            number = facts.upgraded or facts.number
            if number in first_id:
                errors.append(RowError(row, labels["id_number"], "FAMILY_ID_REPEATED",
                                       f"该证件号码与第 {first_id[number]} 行重复。"))
            first_id.setdefault(number, row)
        if len(errors) == before:
            lines.append(FamilyLine(row, rank, name, facts.kind.value, facts.upgraded or facts.number,
                                    facts.region.value, facts.birth_date, facts.sex, phone, size, layouts))
    if not lines and not errors:
        errors.append(RowError(2, "文件", "IMPORT_EMPTY", "文件中没有任何家庭。"))
    return lines, errors


def parse_houses_csv(text: str) -> tuple[list[HouseLine], list[RowError]]:
    """The houses of a 房源清单 and every bad cell; a house code given twice is bad after the first."""
    errors: list[RowError] = []
    lines: list[HouseLine] = []
    first_code: dict[str, int] = {}
    labels = {key: label for key, (label, _, _) in HOUSE_COLUMNS.items()}
    for row, cell in _rows(text, HOUSE_COLUMNS, errors):
        before = len(errors)

        def code_of() -> str:
            code = _text(cell["code"], "HOUSE_CODE_INVALID", "房源编号", 24)
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-_.]*", code):
                raise RuleViolation("HOUSE_CODE_INVALID", "房源编号只能由字母、数字和 - _ . 组成。")
            return code

        code = _take(row, labels["code"], errors, code_of)
        project = _take(row, labels["project"], errors, lambda: _text(cell["project"], "HOUSE_PROJECT_INVALID", "项目", 60))
        building = _take(row, labels["building"], errors,
                         lambda: _text(cell["building"], "HOUSE_BUILDING_INVALID", "楼栋", 20))
        unit = _take(row, labels["unit"], errors,
                     lambda: _text(cell.get("unit") or "1", "HOUSE_UNIT_INVALID", "单元", 8))
        floor = _take(row, labels["floor"], errors, lambda: _whole(cell["floor"], "HOUSE_FLOOR_INVALID", "楼层", 1, 200))
        room = _take(row, labels["room"], errors, lambda: _text(cell["room"], "HOUSE_ROOM_INVALID", "房号", 12))
        layout = _take(row, labels["layout"], errors, lambda: parse_layout(cell["layout"]))
        orientation = _take(row, labels["orientation"], errors, lambda: check_orientation(cell["orientation"]))
        area = _take(row, labels["area"], errors, lambda: _money(cell["area"], "HOUSE_AREA_INVALID", "面积（平方米）",
                                                                 Decimal("1000")))
        rent = _take(row, labels["monthly_rent"], errors,
                     lambda: _money(cell["monthly_rent"], "HOUSE_RENT_INVALID", "月租金（元）", Decimal("100000")))
        if code is not None:
            if code in first_code:
                errors.append(RowError(row, labels["code"], "HOUSE_CODE_REPEATED", f"房源编号与第 {first_code[code]} 行重复。"))
            first_code.setdefault(code, row)
        if len(errors) == before:
            lines.append(HouseLine(row, code, project, building, unit, floor, room, layout, orientation, area, rent))
    if not lines and not errors:
        errors.append(RowError(2, "文件", "IMPORT_EMPTY", "文件中没有任何房源。"))
    return lines, errors
