"""A room number typed another way than the permit holds it (``core.presale.room_numbers``): the
guide's sentence, and the rooms it may have meant. Found by use: "503" for the permit's "5-03"
answered only 没有找到有效许可证户室信息."""

from __future__ import annotations

import pytest

from core.presale.room_numbers import NOT_FOUND, rooms_like, unit_not_found

ROOMS = ["5-01", "5-02", "5-03", "15-03", "A01-101", "B-12"]
PREFIXES = ("D004", "A01")


@pytest.mark.parametrize(("typed", "meant"), [
    ("503", ["5-03"]),  # the separator left out
    ("5 03", ["5-03"]), ("5－03", ["5-03"]), ("５－０３", ["5-03"]), ("5—03", ["5-03"]),
    ("5-3", ["5-03"]), ("05-03", ["5-03"]),  # the zeros in front of a number
    ("503室", ["5-03"]), ("5-03号", ["5-03"]),
    ("D004-5-03", ["5-03"]), ("d0045-03", ["5-03"]), ("D004栋503", ["5-03"]),  # the building in front
    ("A01 101", ["A01-101"]), ("a01101", ["A01-101"]),  # a unit written apart or together
    ("b12", ["B-12"]), ("1503", ["15-03"]),
])
def test_a_room_written_another_way_is_named_as_held(typed: str, meant: list[str]) -> None:
    assert rooms_like(typed, ROOMS, prefixes=PREFIXES) == meant


@pytest.mark.parametrize("typed", ["5-03", "99-99", "6-03", "", "  ", None, 503, "D004", "室", "-", "字" * 10_000,
                                   "9" * 5000, "\x1b[2J5-03"])
def test_nothing_like_it_names_no_room(typed: object) -> None:
    assert rooms_like(typed, ROOMS, prefixes=PREFIXES) == []
    refused = unit_not_found(typed, ROOMS, prefixes=PREFIXES)
    assert (refused.code, refused.message, refused.field) == ("PERMIT_UNIT_NOT_FOUND", NOT_FOUND, "unit")


def test_the_refusal_keeps_the_guides_sentence_and_adds_the_hint() -> None:
    refused = unit_not_found("503", ROOMS, prefixes=PREFIXES)
    assert refused.code == "PERMIT_UNIT_NOT_FOUND"
    assert refused.message == "没有找到有效许可证户室信息；该幢有户室“5-03”，请按许可证上的户室号输入。"
    many = unit_not_found("101", ["1-01", "10-1", "1-1", "1-0-1", "101A", "1 01"])  # four alike: three named
    assert many.message == "没有找到有效许可证户室信息；该幢有户室“1-01”、“10-1”、“1-0-1”等，请按许可证上的户室号输入。"
    assert unit_not_found("503", ROOMS, field="permit").field == "permit"
