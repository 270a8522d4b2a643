"""A person's name as typed (core.identity.check_person_name) and where it is used."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import RuleViolation
from core.identity import (
    check_person_name,
    make_credit_code,
    make_resident_id,
    normalize_person_name,
    register_keys,
    same_person_name,
)
from core.resale import contracts as c

# ---------------------------------------------------------------- examples


@pytest.mark.parametrize("typed,kept", [
    ("王小明", "王小明"),
    (" 欧阳 娜娜 ", "欧阳娜娜"),  # no space inside a Chinese name
    ("Wang 小明", "Wang 小明"),
    ("阿卜杜拉·买买提", "阿卜杜拉·买买提"),
    ("阿卜杜拉•买买提", "阿卜杜拉·买买提"),  # the variants of the middle dot become ·
    ("阿卜杜拉‧买买提", "阿卜杜拉·买买提"),
    ("阿卜杜拉・买买提", "阿卜杜拉·买买提"),
    ("阿卜杜拉 · 买买提", "阿卜杜拉·买买提"),
    ("O'Brien-Smith John", "O'Brien-Smith John"),
    ("O’Brien‐Smith  John", "O'Brien-Smith John"),
    ("ＪＯＨＮ\u3000ＳＭＩＴＨ", "JOHN SMITH"),  # full-width letters and space (NFKC)
    ("José Müller", "José Müller"),
    ("𠮷田", "𠮷田"),  # a character outside the basic plane
    ("王〇", "王〇"),
])
def test_names_written_as_names_are_kept_normalised(typed: str, kept: str) -> None:
    assert check_person_name(typed) == kept


@pytest.mark.parametrize("typed,code", [
    ("王😀小明", "NAME_BAD_CHARACTERS"),
    ("王小明2", "NAME_BAD_CHARACTERS"),
    ("王\x1b[2J小明", "NAME_BAD_CHARACTERS"),
    ("王\n小明", "NAME_BAD_CHARACTERS"),
    ("王\u200b小明", "NAME_BAD_CHARACTERS"),  # zero-width space
    ("\u202e明小王", "NAME_BAD_CHARACTERS"),  # right-to-left override
    ("王小明★", "NAME_BAD_CHARACTERS"),
    ("王小明（先生）", "NAME_BAD_CHARACTERS"),
    ("王@小明", "NAME_BAD_CHARACTERS"),
    ("·买买提", "NAME_BAD_SEPARATOR"),
    ("买买提·", "NAME_BAD_SEPARATOR"),
    ("阿卜杜拉··买买提", "NAME_BAD_SEPARATOR"),
    ("O''Brien", "NAME_BAD_SEPARATOR"),
    ("Smith -Jones", "NAME_BAD_SEPARATOR"),
    ("  ", "NAME_EMPTY"),
    (None, "NAME_EMPTY"),
    (12, "INPUT_NOT_TEXT"),
    ("王" * 300, "INPUT_TOO_LONG"),
])
def test_what_is_not_a_name_is_refused_at_its_field(typed: object, code: str) -> None:
    with pytest.raises(RuleViolation) as e:
        check_person_name(typed, who="买受人", field="buyers[0].name")
    assert (e.value.code, e.value.field) == (code, "buyers[0].name")
    assert e.value.message.count("。") == 1  # one sentence to read out


def test_the_sentence_names_who_and_what_is_allowed() -> None:
    with pytest.raises(RuleViolation) as e:
        check_person_name("王😀小明", who="监护人")
    assert e.value.message == "监护人姓名只能由汉字或字母组成，可含间隔号“·”、空格、连字符和撇号，请按证件核对后重新输入。"


# ---------------------------------------------------------------- properties

_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_LATIN = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÀÉÖÜßéñç")
_WORD_HAN = st.text(_HAN, min_size=1, max_size=6)
_WORD_LATIN = st.text(_LATIN, min_size=1, max_size=10)
_DOTS = st.sampled_from("·‧•・")
_JOIN_LATIN = st.sampled_from([" ", "-", "'", "’"])


@st.composite
def _han_names(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORD_HAN, min_size=1, max_size=3))
    return draw(_DOTS).join(words)


@st.composite
def _latin_names(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORD_LATIN, min_size=1, max_size=4))
    out = words[0]
    for w in words[1:]:
        out += draw(_JOIN_LATIN) + w
    return out


@st.composite
def _full_width(draw: st.DrawFn) -> str:
    word = draw(st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=8))
    return "".join(chr(ord(ch) + 0xFEE0) for ch in word)


@given(st.one_of(_han_names(), _latin_names(), _full_width()))
def test_chinese_dotted_and_latin_names_are_accepted(name: str) -> None:
    kept = check_person_name(name)
    assert kept == normalize_person_name(name) and check_person_name(kept) == kept  # idempotent
    assert not set(kept) & set("‧•・’")  # one middle dot, one apostrophe
    assert same_person_name(name, kept)


_EMOJI = st.sampled_from(["😀", "👍🏽", "👨‍👩‍👧", "🇨🇳", "❤️", "🏠", "\U0001f9d1"])
_CONTROL = st.characters(categories=["Cc", "Cf"])
_SYMBOLS = st.characters(categories=["Sm", "Sc", "Sk", "So", "Nd", "Ps", "Pe", "Po"]).filter(
    lambda ch: unicodedata.normalize("NFKC", ch) not in ("·", "'", "-", " ", "")
    and not unicodedata.normalize("NFKC", ch).isalpha())


@given(_han_names(), st.one_of(_EMOJI, _CONTROL, _SYMBOLS), st.integers(0, 20))
def test_emoji_control_and_symbol_characters_are_refused(name: str, bad: str, at: int) -> None:
    at = at % (len(name) + 1)
    with pytest.raises(RuleViolation) as e:
        check_person_name(name[:at] + bad + name[at:])
    assert e.value.code in ("NAME_BAD_CHARACTERS", "NAME_BAD_SEPARATOR")


# ---------------------------------------------------------------- the register's keys


def test_a_resident_id_is_one_document_in_either_form_and_case() -> None:
    number18 = make_resident_id(random.Random(3), birth_date=date(1965, 4, 9))
    number15 = number18[:6] + number18[8:17]
    keys = register_keys("resident_id", number15)
    assert ("resident_id", number18) in keys and ("resident_id_15", number15) in keys
    assert register_keys("resident_id", number18) == keys
    assert register_keys("resident_id_15", number15) == keys
    x_id = next(n for n in (make_resident_id(random.Random(s)) for s in range(200)) if n.endswith("X"))
    assert register_keys("resident_id", x_id.lower()) == register_keys("resident_id", x_id)
    assert register_keys("passport", "e1234567 8") == {("passport", "E12345678")}
    assert register_keys("passport", "") == frozenset()


# ---------------------------------------------------------------- the contract form

_TODAY = date(2026, 11, 21)
_SELLER = c.SellerLine(name="张三", region="mainland", id_kind="resident_id",
                       id_number=make_resident_id(random.Random(1), birth_date=date(1970, 1, 1)),
                       registered_share="100", transferred_share="100", phone="13800138000")
_BUYER = c.BuyerLine("person", "李四", "mainland", "resident_id",
                     make_resident_id(random.Random(2), birth_date=date(1980, 1, 1)), phone="13900139000")
_GUARDIAN = c.GuardianLine("李大", "mainland", "resident_id",
                           make_resident_id(random.Random(4), birth_date=date(1960, 1, 1)))
_DRAFT = c.ContractDraft(house_id="H1", sellers=(_SELLER,), buyers=(_BUYER,), co_ownership="sole",
                         price="100", payment_method="lump_sum", fund_supervised=False)


def _fields(draft: c.ContractDraft) -> list[tuple[str, str | None]]:
    with pytest.raises(c.DraftInvalid) as e:
        c.validate_draft(draft, today=_TODAY)
    return [(x.code, x.field) for x in e.value.errors]


def test_every_typed_person_name_of_the_form_is_checked() -> None:
    buyer = replace(_BUYER, name="王😀小明", agent=c.AgentLine("代理😀", "mainland", "resident_id",
                                                         _GUARDIAN.id_number))
    seller = replace(_SELLER, agent=c.AgentLine("赵\x1b五", "mainland", "resident_id",
                                               make_resident_id(random.Random(5), birth_date=date(1975, 1, 1))))
    assert _fields(replace(_DRAFT, sellers=(seller,), buyers=(buyer,))) == [
        ("NAME_BAD_CHARACTERS", "sellers[0].agent.name"),
        ("NAME_BAD_CHARACTERS", "buyers[0].name"),
        ("NAME_BAD_CHARACTERS", "buyers[0].agent.name"),
    ]
    minor = replace(_BUYER, id_number=make_resident_id(random.Random(6), birth_date=date(2015, 1, 1)),
                    guardian=replace(_GUARDIAN, name="李·"))
    assert _fields(replace(_DRAFT, buyers=(minor,))) == [("NAME_BAD_SEPARATOR", "buyers[0].guardian.name")]


def test_a_name_is_saved_in_its_one_written_form_and_organisations_keep_theirs() -> None:
    buyer = replace(_BUYER, name="阿卜杜拉 • 买买提")
    valid = c.validate_draft(replace(_DRAFT, buyers=(buyer,)), today=_TODAY)
    assert valid.buyers[0].name == "阿卜杜拉·买买提"
    org = c.BuyerLine("organisation", "深圳市某某（集团）有限公司", "mainland",
                      credit_code=make_credit_code(random.Random(1)), phone="13900139000",
                      agent=c.AgentLine("李四", "mainland", "resident_id", _BUYER.id_number))
    valid = c.validate_draft(replace(_DRAFT, buyers=(org,)), today=_TODAY)
    assert valid.buyers[0].name == "深圳市某某（集团）有限公司"  # not a person's name: not judged as one


# ---------------------------------------------------------------- everywhere else a name is typed


def test_an_operator_is_added_under_a_name_only(db) -> None:
    from core.roles import Role
    from services import operators
    from tests.conftest import SYSTEM

    with pytest.raises(RuleViolation) as e:
        operators.add_operator(db, SYSTEM, username="wang_x", name="王😀", role="clerk", password="Secret123")
    assert (e.value.code, e.value.field) == ("NAME_BAD_CHARACTERS", "name") and e.value.message.startswith("操作员")
    assert operators.list_operators(db, SYSTEM) == []
    view = operators.add_operator(db, SYSTEM, username="abdul", name="阿卜杜拉•买买提", role=Role.CLERK.value,
                                  password="Secret123")
    assert view.name == "阿卜杜拉·买买提"


def test_the_cli_refuses_an_operator_name_in_one_sentence(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from tui.cli.main import app

    runner = CliRunner()
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WANGQIAN_DB_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["operator", "add", "wangx", "--name", "王\x1b[31m小明", "--role", "clerk",
                                 "--password-stdin"], input="Secret123\n")
    assert result.exit_code == 1 and "NAME_BAD_CHARACTERS" in result.stderr and "\x1b" not in result.stderr


def test_a_lease_proxy_is_named_by_a_name(db) -> None:
    from core.roles import Role
    from services.allocation import lease
    from tests.conftest import make_operator

    clerk = make_operator(db, "clerk_n", Role.CLERK)
    with pytest.raises(RuleViolation) as e:
        lease.record_identity_check(db, clerk, "G0000000000", who="proxy", proxy_name="王小红🙂",
                                    document_seen="授权委托书及受托人身份证原件")
    assert (e.value.code, e.value.field) == ("NAME_BAD_CHARACTERS", "proxy_name")
    assert e.value.message.startswith("受托人姓名")
