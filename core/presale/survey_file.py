"""The survey file (测绘成果文件, seed 004 §5.1.1 文件导入): one row a unit of one building.

UTF-8 (with or without BOM) or GB18030 as a spreadsheet saves it, comma separated, the
header first; a column is named by its Chinese label (or its English key)::

    室号,单元,实际层,名义层,建筑面积,套内面积,分摊面积,房屋结构,房屋类型,房屋用途,房屋性质,电梯,户型,装修情况,层高,阳台描述
    1-01,A01,1,1,130.1000,108.5000,21.6000,钢筋混凝土结构,住宅,住宅,市场化商品房,是,三室两厅,毛坯,3.00,南向阳台

Columns and cells: 室号, 实际层 and 建筑面积 are required; every other column may be left out
and any of its cells left empty — the developer completes those later. A value the file
gives is fixed: it cannot be edited (``UnitFacts.fixed``). Prices never come from a survey.
Values: 实际层 a whole number (-1 for the first floor below ground, never 0); 名义层 as the
building names it (3, B1, 3A); areas in m² to 0.0001; 层高 in m; 电梯 是/否; the kinds from
``core.presale.units`` (房屋结构 as GB/T 17986 names it, with the usual short words).
The 套内面积 and 分摊面积 of a row, when both are given, add up to its 建筑面积 (to 0.01 m²).

A file is checked whole: every bad cell is reported with its line (the header is line 1),
column, one Chinese sentence and a stable rule code, and the services write nothing when
there is one. Pure: the caller reads the file and hands its text over.
"""

from __future__ import annotations

import csv
import io

from core.errors import RuleViolation
from core.parties import RowError
from core.presale.units import FIELDS, UnitFacts, area_problems, nfkc, parse_value
from core.text import printable

__all__ = ["MAX_FILE_CHARS", "MAX_ROWS", "COLUMNS", "parse_survey_csv"]

MAX_ROWS = 20_000
MAX_FILE_CHARS = 8_000_000

#: The file's columns, in the order the sample writes them: (key, Chinese label).
COLUMNS: tuple[tuple[str, str], ...] = tuple((f.key, f.label) for f in FIELDS if f.survey)
_ALIASES: dict[str, str] = {
    name.lower(): f.key for f in FIELDS if f.survey for name in (f.key, f.label, *f.aliases)
}
_REQUIRED = tuple(f.key for f in FIELDS if f.required)
_LABELS = {f.key: f.label for f in FIELDS}


def _header(header: list[str], errors: list[RowError]) -> dict[str, int]:
    position: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = nfkc(raw)
        if not name:
            continue
        key = _ALIASES.get(name.lower())
        if key is None:
            errors.append(RowError(1, printable(name, limit=20), "SURVEY_COLUMN_UNKNOWN",
                                   f"测绘成果文件没有“{printable(name, limit=20)}”这一列（价格不从测绘成果导入）。"))
            continue
        if key in position:
            errors.append(RowError(1, _LABELS[key], "SURVEY_COLUMN_REPEATED", "该列在表头中出现了不止一次。"))
        position[key] = i
    for key in _REQUIRED:
        if key not in position:
            errors.append(RowError(1, _LABELS[key], "SURVEY_COLUMN_MISSING", f"表头缺少“{_LABELS[key]}”列。"))
    return position


def parse_survey_csv(text: str) -> tuple[list[UnitFacts], list[RowError]]:
    """The units of a survey file and every bad cell (line, column, reason, code). A unit
    number given twice is bad on each line after the first."""
    errors: list[RowError] = []
    units: list[UnitFacts] = []
    if len(text) > MAX_FILE_CHARS:
        return [], [RowError(1, "文件", "SURVEY_FILE_TOO_LARGE", "文件过大，一个测绘成果文件是一栋楼的户室。")]
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        return [], [RowError(1, "文件", "SURVEY_FILE_NOT_TEXT", "文件含有空字符，不是 CSV 文本文件。")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header or not any(h.strip() for h in header):
        return [], [RowError(1, "表头", "SURVEY_NO_HEADER", "文件为空或第一行没有列名。")]
    position = _header(header, errors)
    if errors:
        return [], errors
    first_line: dict[str, int] = {}
    rows = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append(RowError(reader.line_num, "文件", "SURVEY_BAD_CSV", "该行不是有效的 CSV（引号不成对或字段过长）。"))
            break
        if not any(v.strip() for v in values):
            continue
        rows += 1
        line = reader.line_num
        if rows > MAX_ROWS:
            errors.append(RowError(line, "文件", "SURVEY_TOO_MANY_ROWS", f"一个测绘成果文件最多 {MAX_ROWS} 户。"))
            break
        if len(values) > len(header):
            errors.append(RowError(line, "整行", "SURVEY_ROW_TOO_LONG", "该行的值比表头的列多。"))
            continue
        before = len(errors)
        parsed: dict[str, object] = {}
        for key, i in position.items():
            raw = values[i] if i < len(values) else ""
            try:
                value = parse_value(key, raw)
            except RuleViolation as exc:
                errors.append(RowError(line, _LABELS[key], exc.code, exc.message))
                continue
            if value is None and key in _REQUIRED:
                errors.append(RowError(line, _LABELS[key], "SURVEY_VALUE_REQUIRED", f"请填写{_LABELS[key]}。"))
                continue
            parsed[key] = value
        unit_no = parsed.get("unit_no")
        if isinstance(unit_no, str):
            if unit_no in first_line:
                errors.append(RowError(line, _LABELS["unit_no"], "SURVEY_UNIT_REPEATED",
                                       f"室号{unit_no}与第{first_line[unit_no]}行重复。"))
            first_line.setdefault(unit_no, line)
        if len(errors) != before:
            continue
        fixed = frozenset(key for key, value in parsed.items() if value is not None)
        unit = UnitFacts(id=None, line=line, fixed=fixed, **parsed)  # type: ignore[arg-type]
        problems = area_problems(unit)
        if problems:
            errors.extend(RowError(line, _LABELS[p.field or "built_area"], p.code, p.message) for p in problems)
            continue
        units.append(unit)
    if not units and not errors:
        errors.append(RowError(2, "文件", "SURVEY_EMPTY", "文件中没有任何户室。"))
    return units, errors
