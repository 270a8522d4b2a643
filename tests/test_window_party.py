"""Who is at the window, as the clerk typed it (core.resale.window_party): pure rules."""

from __future__ import annotations

import pytest

from core.errors import RuleViolation
from core.resale.title_check import Capacity
from core.resale.window_party import (
    WindowKeys,
    refuse_blank_typed,
    require_agent_number,
    shown_number,
    window_keys,
)

OWNER_ID = "44030419800101123X"
AGENT_ID = "H34571848"
CREDIT = "914201029BD1D20X7F"


def _refusal(fn, *args) -> RuleViolation:
    with pytest.raises(RuleViolation) as e:
        fn(*args)
    return e.value


def test_the_owner_in_person_is_named_by_the_agent_number_if_typed_else_by_the_typed_id():
    assert window_keys(Capacity.OWNER, "", "张三", OWNER_ID.lower()) == WindowKeys(OWNER_ID, "typed_id")
    assert window_keys("owner", " h3457 1848 ", "张三", OWNER_ID) == WindowKeys(AGENT_ID, "agent_id")
    # full-width digits and the ideographic space an input method types
    wide = "".join(chr(ord(c) + 0xFEE0) for c in OWNER_ID[:9]) + "\u3000" + OWNER_ID[9:]
    assert window_keys(Capacity.OWNER, "\u3000", "张三", wide) == WindowKeys(OWNER_ID, "typed_id")


def test_a_proxy_or_agent_is_named_by_the_agent_number_and_an_organisation_by_its_credit_code():
    assert window_keys(Capacity.PROXY, AGENT_ID, "张三", OWNER_ID) == WindowKeys(AGENT_ID, "agent_id")
    assert window_keys(Capacity.ORG_AGENT, AGENT_ID, "某公司", f" {CREDIT.lower()} ") == WindowKeys(
        AGENT_ID, "agent_id", CREDIT)


@pytest.mark.parametrize(("capacity", "label"), [(Capacity.PROXY, "公证委托代理人"), (Capacity.ORG_AGENT, "机构经办人")])
def test_the_agent_number_is_required_unless_the_owner_comes_in_person(capacity, label):
    for blank in ("", "  ", "\u3000-", None):
        e = _refusal(require_agent_number, capacity, blank)
        assert (e.code, e.field) == ("HOUSE_CHECK_AGENT_ID_REQUIRED", "agent_id")
        assert e.message == f"{label}办理的，请输入办理人本人的证件号码。"
    require_agent_number(Capacity.OWNER, "")
    # refused first, in the form's order, even when the rest is blank too
    assert _refusal(window_keys, capacity, "", "", "").code == "HOUSE_CHECK_AGENT_ID_REQUIRED"


def test_a_blank_typed_name_or_number_is_refused_in_the_capacity_s_words():
    e = _refusal(window_keys, Capacity.OWNER, "", " ", OWNER_ID)
    assert (e.code, e.field, e.message) == ("HOUSE_CHECK_NAME_REQUIRED", "typed_name", "请按产权证书输入权利人姓名。")
    e = _refusal(window_keys, Capacity.OWNER, AGENT_ID, "张三", "")
    assert (e.code, e.field, e.message) == ("HOUSE_CHECK_ID_REQUIRED", "typed_id", "请按产权证书输入权利人证件号码。")
    e = _refusal(window_keys, Capacity.ORG_AGENT, AGENT_ID, "某公司", None)
    assert e.message == "请按产权证书输入权利人统一社会信用代码。"
    assert _refusal(refuse_blank_typed, Capacity.ORG_AGENT, "", "x").message == "请按产权证书输入权利人名称。"
    refuse_blank_typed(Capacity.OWNER, None, None)  # not typed at all (the register's own facts): no refusal


def test_a_number_in_a_sentence_is_masked_printable_and_short():
    assert shown_number(" 440301 1990 0101 9999") == "440301********9999"
    assert shown_number("[/x]", masked=False) == "[/X]"  # shown as typed; the display does not parse it
    assert shown_number("12\x1b[2J\x0034", masked=False) == "12[2J34"
    long = shown_number("9" * 200, masked=False)
    assert len(long) == 25 and long.endswith("…")
