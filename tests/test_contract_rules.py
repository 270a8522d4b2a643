"""Contract entry rules (core.resale.contracts): one test per rule, plus properties."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.resale import contracts as c
from core import identity as idn
from core.errors import RuleViolation

TODAY = date(2025, 6, 1)
RNG = random.Random(20250601)
SELLER_ID = idn.make_resident_id(RNG, birth_date=date(1970, 3, 4))
SELLER2_ID = idn.make_resident_id(RNG, birth_date=date(1972, 5, 6))
BUYER_ID = idn.make_resident_id(RNG, birth_date=date(1985, 1, 2))
BUYER2_ID = idn.make_resident_id(RNG, birth_date=date(1988, 7, 8))
MINOR_ID = idn.make_resident_id(RNG, birth_date=date(2012, 9, 1))  # 12 on TODAY
INFANT_ID = idn.make_resident_id(RNG, birth_date=date(2020, 1, 1))  # 5 on TODAY
GUARDIAN_ID = idn.make_resident_id(RNG, birth_date=date(1980, 1, 1))
USCC = idn.make_credit_code(RNG)

SELLER = c.SellerLine("张三", "mainland", "resident_id", SELLER_ID, "100", "100", phone="13800138000")
BUYER = c.BuyerLine("person", "李四", "mainland", "resident_id", BUYER_ID, phone="13900139000")
BUYER2 = c.BuyerLine("person", "王五", "mainland", "resident_id", BUYER2_ID, phone="13700137000")
GUARDIAN = c.GuardianLine("李大", "mainland", "resident_id", GUARDIAN_ID)
AGENT = c.AgentLine("赵六", "mainland", "resident_id", GUARDIAN_ID, phone="13600136000")
DRAFT = c.ContractDraft(
    house_id="H-0001",
    sellers=(SELLER,),
    buyers=(BUYER,),
    co_ownership="sole",
    price="1234567.80",
    payment_method="lump_sum",
    fund_supervised=True,
    supervising_bank="中国建设银行",
)


def _errors(draft: c.ContractDraft) -> list[RuleViolation]:
    with pytest.raises(c.DraftInvalid) as info:
        c.validate_draft(draft, today=TODAY)
    err = info.value
    assert err.code == "CONTRACT_DRAFT_INVALID"
    assert err.message == f"合同信息有 {len(err.errors)} 处需要更正。"
    for e in err.errors:
        assert isinstance(e, RuleViolation) and e.field
        assert e.message.endswith("。") and e.message.count("。") == 1, e.message
    return err.errors


PRICE_HOW = "成交价格请以元为单位填写数字，如 3500000 或 3500000.50，不要写“万”“元”等字。"


def _refused(draft: c.ContractDraft, field: str, code: str) -> RuleViolation:
    errs = _errors(draft)
    hits = [e for e in errs if e.field == field and e.code == code]
    assert hits, [(e.field, e.code) for e in errs]
    return hits[0]


def _ok(draft: c.ContractDraft) -> c.ValidDraft:
    return c.validate_draft(draft, today=TODAY)


# ------------------------------------------------------------------ the happy path


def test_valid_draft_is_normalised_with_capitals_and_online_signing():
    v = _ok(DRAFT)
    assert v.price == Decimal("1234567.80") and str(v.price) == "1234567.80"
    assert v.price_capital == "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角"
    assert v.co_ownership == "sole" and v.co_ownership_label == "单独所有"
    assert v.buyers[0].share == Decimal("100.00")
    assert v.sellers[0].transferred_share == Decimal("100.00")
    assert v.supervising_bank == "中国建设银行"
    assert v.signing == c.SigningDecision("online", ())


def test_chinese_labels_are_accepted_for_choices():
    v = _ok(replace(DRAFT, co_ownership="单独所有", payment_method="一次性付款"))
    assert (v.co_ownership, v.payment_method) == ("sole", "lump_sum")


# ------------------------------------------------------------------ sellers


def test_transferred_share_cannot_exceed_registered_share():
    seller = replace(SELLER, registered_share="50", transferred_share="60")
    _refused(replace(DRAFT, sellers=(seller,)), "sellers[0].transferred_share", "TRANSFER_EXCEEDS_SHARE")


def test_transferred_share_cannot_be_negative():
    seller = replace(SELLER, transferred_share="-1")
    _refused(replace(DRAFT, sellers=(seller,)), "sellers[0].transferred_share", "SHARE_OUT_OF_RANGE")


def test_co_owner_keeping_their_share_transfers_zero():
    keep = replace(SELLER, name="张二", id_number=SELLER2_ID, registered_share="50", transferred_share="0",
                   phone="13500135000")
    sell = replace(SELLER, registered_share="50", transferred_share="50")
    v = _ok(replace(DRAFT, sellers=(sell, keep)))
    assert [s.transferred_share for s in v.sellers] == [Decimal("50.00"), Decimal("0.00")]


def test_at_least_one_seller_transfers_something():
    seller = replace(SELLER, transferred_share="0")
    _refused(replace(DRAFT, sellers=(seller,)), "sellers", "NOTHING_TRANSFERRED")


def test_register_id_that_fails_points_to_the_registration_centre():
    seller = replace(SELLER, id_number=SELLER_ID[:-1] + ("0" if SELLER_ID[-1] != "0" else "1"))
    err = _refused(replace(DRAFT, sellers=(seller,)), "sellers[0].id_number", "ID_BAD_CHECK_DIGIT")
    assert "不动产登记中心" in err.message


def test_minor_seller_needs_a_guardian():
    seller = replace(SELLER, id_number=MINOR_ID)
    _refused(replace(DRAFT, sellers=(seller,)), "sellers[0].guardian", "GUARDIAN_REQUIRED")
    v = _ok(replace(DRAFT, sellers=(replace(seller, guardian=GUARDIAN),)))
    assert v.sellers[0].capacity == "limited"


# ------------------------------------------------------------------ co-ownership


def test_sole_ownership_takes_exactly_one_buyer():
    _refused(replace(DRAFT, buyers=(BUYER, BUYER2)), "co_ownership", "SOLE_NEEDS_ONE_BUYER")


def test_joint_ownership_needs_two_buyers_and_no_shares():
    _refused(replace(DRAFT, co_ownership="joint"), "co_ownership", "CO_OWNERS_NEED_TWO")
    with_share = replace(BUYER2, share="50")
    _refused(replace(DRAFT, co_ownership="joint", buyers=(BUYER, with_share)), "buyers[1].share",
             "SHARE_NOT_APPLICABLE")
    v = _ok(replace(DRAFT, co_ownership="joint", buyers=(BUYER, BUYER2)))
    assert [b.share for b in v.buyers] == [None, None]


def test_shares_need_two_buyers_each_positive():
    _refused(replace(DRAFT, co_ownership="shares", buyers=(replace(BUYER, share="100"),)),
             "co_ownership", "CO_OWNERS_NEED_TWO")
    buyers = (replace(BUYER, share="100"), replace(BUYER2, share="0"))
    _refused(replace(DRAFT, co_ownership="shares", buyers=buyers), "buyers[1].share", "SHARE_OUT_OF_RANGE")


def test_shares_must_sum_to_exactly_100():
    buyers = (replace(BUYER, share="33.33"), replace(BUYER2, share="66.66"))
    err = _refused(replace(DRAFT, co_ownership="shares", buyers=buyers), "buyers[1].share", "SHARES_NOT_100")
    assert "99.99" in err.message
    buyers = (replace(BUYER, share="33.34%"), replace(BUYER2, share="６６.６６"))
    v = _ok(replace(DRAFT, co_ownership="shares", buyers=buyers))
    assert sum(b.share for b in v.buyers) == Decimal("100.00")


def test_share_with_more_than_two_decimals_is_refused():
    buyers = (replace(BUYER, share="33.333"), replace(BUYER2, share="66.667"))
    _refused(replace(DRAFT, co_ownership="shares", buyers=buyers), "buyers[0].share", "SHARE_TOO_PRECISE")


def test_a_share_too_large_for_its_decimals_is_out_of_range_not_an_error():
    buyers = (replace(BUYER, share="1" + "0" * 30), replace(BUYER2, share="1e30"))
    _refused(replace(DRAFT, co_ownership="shares", buyers=buyers), "buyers[0].share", "SHARE_OUT_OF_RANGE")


def test_unknown_co_ownership_is_refused():
    _refused(replace(DRAFT, co_ownership="mixed"), "co_ownership", "CO_OWNERSHIP_INVALID")


# ------------------------------------------------------------------ buyers' IDs


@pytest.mark.parametrize(
    ("region", "kind", "allowed"),
    [
        ("mainland", "passport", "居民身份证或军官证"),
        ("hong_kong", "resident_id", "港澳居民来往内地通行证"),
        ("macao", "taiwan_permit", "港澳居民来往内地通行证"),
        ("taiwan", "hk_macao_permit", "台湾居民来往大陆通行证"),
        ("foreign", "resident_id", "护照"),
    ],
)
def test_id_kind_is_limited_by_region_and_refusal_names_allowed_kinds(region, kind, allowed):
    buyer = replace(BUYER, region=region, id_kind=kind)
    err = _refused(replace(DRAFT, buyers=(buyer,)), "buyers[0].id_kind", "ID_KIND_NOT_ALLOWED")
    assert allowed in err.message


def test_allowed_id_kinds_table():
    assert c.ALLOWED_ID_KINDS[idn.Region.MAINLAND] == (idn.IdKind.RESIDENT_ID, c.OFFICER_ID)
    assert c.ALLOWED_ID_KINDS[idn.Region.FOREIGN] == (idn.IdKind.PASSPORT,)
    assert c.kind_label(c.OFFICER_ID) == "军官证"


def test_id_number_parse_error_passes_through_at_its_field():
    bad = BUYER_ID[:-1] + ("0" if BUYER_ID[-1] != "0" else "1")
    buyers = (BUYER, replace(BUYER2, id_number=bad))
    err = _refused(replace(DRAFT, co_ownership="joint", buyers=buyers), "buyers[1].id_number", "ID_BAD_CHECK_DIGIT")
    assert err.message == "身份证号码校验位不正确，请核对后重新输入。"


def test_officer_id_is_checked_for_shape_only():
    ok = replace(BUYER, id_kind="军官证", id_number="南字第12345号")
    assert _ok(replace(DRAFT, buyers=(ok,))).buyers[0].id_kind == c.OFFICER_ID
    short = replace(BUYER, id_kind=c.OFFICER_ID, id_number="1234")
    _refused(replace(DRAFT, buyers=(short,)), "buyers[0].id_number", "OFFICER_ID_BAD_FORMAT")


def test_foreign_passport_needs_nationality():
    buyer = replace(BUYER, region="foreign", id_kind="passport", id_number="X1234567")
    _refused(replace(DRAFT, buyers=(buyer,)), "buyers[0].nationality", "PASSPORT_NATIONALITY_REQUIRED")
    v = _ok(replace(DRAFT, buyers=(replace(buyer, nationality="USA"),)))
    assert v.signing.reasons == ("买受人李四为境外人士（护照）",)


def test_same_buyer_twice_is_refused():
    buyers = (BUYER, replace(BUYER2, id_number=BUYER_ID))
    _refused(replace(DRAFT, co_ownership="joint", buyers=buyers), "buyers[1].id_number", "DUPLICATE_BUYER")


# ------------------------------------------------------------------ guardians, agents, organisations


def test_minor_buyer_needs_a_guardian():
    minor = replace(BUYER, id_number=MINOR_ID)
    err = _refused(replace(DRAFT, buyers=(minor,)), "buyers[0].guardian", "GUARDIAN_REQUIRED")
    assert "未满18周岁" in err.message


def test_guardian_must_be_an_adult_with_a_valid_id():
    child_guardian = replace(GUARDIAN, id_number=INFANT_ID)
    minor = replace(BUYER, id_number=MINOR_ID, guardian=child_guardian)
    _refused(replace(DRAFT, buyers=(minor,)), "buyers[0].guardian.id_number", "GUARDIAN_MINOR")
    broken = replace(GUARDIAN, id_number="123")
    _refused(replace(DRAFT, buyers=(replace(minor, guardian=broken),)), "buyers[0].guardian.id_number",
             "ID_BAD_LENGTH")


def test_declared_lack_of_capacity_needs_a_guardian():
    adult = replace(BUYER, capacity="limited")
    _refused(replace(DRAFT, buyers=(adult,)), "buyers[0].guardian", "GUARDIAN_REQUIRED")


def test_organisation_needs_valid_credit_code_and_an_agent():
    org = c.BuyerLine("organisation", "深圳某公司", credit_code="91440300XXXXXXXXXX", phone="13900139000")
    errs = _errors(replace(DRAFT, buyers=(org,)))
    fields = {e.field for e in errs}
    assert {"buyers[0].credit_code", "buyers[0].agent"} <= fields
    v = _ok(replace(DRAFT, buyers=(replace(org, credit_code=USCC, agent=AGENT),)))
    assert v.buyers[0].id_number == USCC and v.signing.method == "offline"
    assert v.signing.reasons == ("买受人深圳某公司为机构",)


def test_agent_must_be_an_adult():
    agent = replace(AGENT, id_number=MINOR_ID)
    _refused(replace(DRAFT, buyers=(replace(BUYER, agent=agent),)), "buyers[0].agent.id_number", "AGENT_MINOR")


# ------------------------------------------------------------------ phones


def test_party_phone_is_required_and_must_be_a_mainland_mobile():
    _refused(replace(DRAFT, buyers=(replace(BUYER, phone=""),)), "buyers[0].phone", "PHONE_EMPTY")
    _refused(replace(DRAFT, buyers=(replace(BUYER, phone="85291234567"),)), "buyers[0].phone", "PHONE_BAD_FORMAT")
    v = _ok(replace(DRAFT, buyers=(replace(BUYER, phone="+86 139-0013-9000"),)))
    assert v.buyers[0].phone == "13900139000"


# ------------------------------------------------------------------ signing method


def test_signing_forced_offline_names_each_reason():
    hk = replace(BUYER, name="陈七", region="hong_kong", id_kind="hk_macao_permit", id_number="H12345678")
    minor = replace(BUYER2, name="小明", id_number=MINOR_ID, guardian=GUARDIAN)
    proxied = replace(BUYER2, name="周八", id_number=BUYER2_ID, agent=AGENT)
    foreign_seller = replace(SELLER, name="John Smith", region="foreign", id_kind="passport",
                             id_number="X1234567", nationality="USA")
    infant = replace(BUYER, name="小红", id_number=INFANT_ID, guardian=GUARDIAN)
    v = _ok(replace(DRAFT, sellers=(foreign_seller,), co_ownership="joint", buyers=(hk, minor, proxied, infant)))
    assert v.signing.method == "offline" and v.signing.forced_offline
    assert v.signing.reasons == (
        "出卖人John Smith为境外人士（护照）",
        "买受人陈七为境外人士（港澳居民来往内地通行证）",
        "买受人小明为限制民事行为能力人",
        "买受人周八由代理人办理",
        "买受人小红为无民事行为能力人",
    )


def test_offline_may_be_chosen_without_a_forcing_reason():
    v = _ok(replace(DRAFT, requested_signing="offline"))
    assert v.signing == c.SigningDecision("offline", ())


# ------------------------------------------------------------------ price, payment, supervision


@pytest.mark.parametrize(
    ("price", "code"),
    [("", "PRICE_EMPTY"), ("0", "PRICE_NOT_POSITIVE"), ("-5", "MONEY_NEGATIVE"),
     ("100.001", "MONEY_TOO_PRECISE"), ("abc", "MONEY_INVALID"), (1.5, "MONEY_INVALID"),
     # Too large for the fen's quantum in Decimal's context: refused by size, not an exception.
     ("1e309", "MONEY_TOO_LARGE"), ("1e30", "MONEY_TOO_LARGE"), ("9" * 40, "MONEY_TOO_LARGE"),
     ("1e12", "MONEY_TOO_LARGE")],
)
def test_price_is_positive_with_at_most_two_decimals(price, code):
    _refused(replace(DRAFT, price=price), "price", code)


@pytest.mark.parametrize("price", ["350万", "３５０万元", "abc", "[/x]", "赵" * 100],
                         ids=["wan", "full-width", "letters", "markup", "long"])
def test_a_price_that_is_not_a_number_says_how_to_type_it(price):
    """A clerk who types 350万 is told to type yuan in digits, not only that it is not an amount;
    what was typed is not echoed (a pasted page would fill the screen)."""
    error = _refused(replace(DRAFT, price=price), "price", "MONEY_INVALID")
    assert error.message == PRICE_HOW
    assert "万" not in error.message.replace("“万”", "")


def test_price_as_typed_with_separators_and_full_width():
    v = _ok(replace(DRAFT, price="１,000,000"))
    assert v.price == Decimal("1000000.00") and v.price_capital == "壹佰万元整"


def test_payment_method_is_required():
    _refused(replace(DRAFT, payment_method=None), "payment_method", "PAYMENT_METHOD_INVALID")


def test_fund_supervision_choice_and_bank():
    _refused(replace(DRAFT, fund_supervised=None), "fund_supervised", "SUPERVISION_NOT_CHOSEN")
    _refused(replace(DRAFT, supervising_bank=" "), "supervising_bank", "SUPERVISING_BANK_REQUIRED")
    v = _ok(replace(DRAFT, fund_supervised=False, supervising_bank="中国建设银行"))
    assert v.fund_supervised is False and v.supervising_bank is None


def test_dispute_choice_is_the_parties_and_arbitration_names_its_commission():
    v = _ok(DRAFT)
    assert (v.dispute, v.arbitration_commission) == (None, None)  # not chosen: ticked on paper
    assert _ok(replace(DRAFT, dispute="诉讼", arbitration_commission="武汉仲裁委员会")).dispute == "court"
    assert _ok(replace(DRAFT, dispute="court", arbitration_commission="武汉仲裁委员会")).arbitration_commission is None
    v = _ok(replace(DRAFT, dispute="仲裁", arbitration_commission=" 武汉仲裁委员会 "))
    assert (v.dispute, v.arbitration_commission) == ("arbitration", "武汉仲裁委员会")
    assert _ok(replace(DRAFT, dispute=" ")).dispute is None
    _refused(replace(DRAFT, dispute="调解"), "dispute", "DISPUTE_CHOICE_INVALID")
    _refused(replace(DRAFT, dispute="arbitration"), "arbitration_commission", "ARBITRATION_COMMISSION_REQUIRED")
    _refused(replace(DRAFT, dispute="arbitration", arbitration_commission="武汉市"), "arbitration_commission",
             "ARBITRATION_COMMISSION_INVALID")
    _refused(replace(DRAFT, dispute="arbitration", arbitration_commission="仲裁" * 31), "arbitration_commission",
             "ARBITRATION_COMMISSION_INVALID")


def test_dispute_choice_is_stored_edited_compared_and_bound_by_the_digest():
    from core.resale import contract_record as record

    before = _ok(DRAFT)
    after = _ok(replace(DRAFT, dispute="arbitration", arbitration_commission="武汉仲裁委员会"))
    assert "dispute" not in record.to_json(before)  # versions stored before the choice existed read the same
    assert record.from_json(record.to_json(after)) == after
    assert record.from_json(record.to_json(before)) == before
    assert _ok(record.to_form(after)) == after
    assert c.contract_version_digest(after) != c.contract_version_digest(before)
    assert c.contract_version_digest(_ok(replace(DRAFT, dispute="court"))) not in (
        c.contract_version_digest(before), c.contract_version_digest(after))
    [change] = record.changed_items(before, after)
    assert (change.label, change.before, change.after, change.key) == (
        "争议解决", "未选定（由双方在合同上勾选）", "仲裁（武汉仲裁委员会）", False)  # changeable after signing


# ------------------------------------------------------------------ all errors collected


def test_all_errors_are_collected_not_just_the_first():
    minor = replace(BUYER2, id_number=MINOR_ID, share="10")
    bad_id = replace(BUYER, id_number="123", share="80")
    draft = replace(
        DRAFT, house_id="", co_ownership="shares", buyers=(bad_id, minor, replace(BUYER2, share="5", phone="12")),
        price="-1", payment_method="", fund_supervised=True, supervising_bank="",
    )
    errs = _errors(draft)
    fields = {e.field for e in errs}
    assert {
        "house_id", "buyers[0].id_number", "buyers[1].guardian", "buyers[2].phone",
        "price", "payment_method", "supervising_bank",
    } <= fields
    assert len(errs) >= 7


# ------------------------------------------------------------------ key fields


@pytest.mark.parametrize(
    ("path", "key"),
    [("house_id", True), ("buyers[1].id_number", True), ("sellers[0].name", True), ("buyers", True),
     ("buyers[3]", True), ("buyers[0].credit_code", True), ("house.address", True),
     ("price", False), ("buyers[0].phone", False), ("buyers[0].share", False),
     ("buyers[0].guardian.id_number", False), ("supervising_bank", False)],
)
def test_is_key_change(path, key):
    assert c.is_key_change(path) is key


# ------------------------------------------------------------------ properties

_ORDINALS = "甲乙丙丁戊己"  # buyers' names: a name holds no digits
_prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


@st.composite
def _valid_drafts(draw):  # type: ignore[no-untyped-def]
    seed = draw(st.integers(0, 2**32))
    rng = random.Random(seed)
    n = draw(st.integers(1, 4))
    co = "sole" if n == 1 else draw(st.sampled_from(["joint", "shares"]))
    cents = [1] * n
    for _ in range(10000 - n):
        cents[rng.randrange(n)] += 1
    buyers = []
    for i in range(n):
        born = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        share = f"{Decimal(cents[i]) / 100:.2f}" if co == "shares" else None
        buyers.append(c.BuyerLine("person", f"买受人{_ORDINALS[i]}", "mainland", "resident_id",
                                  idn.make_resident_id(rng, birth_date=born), phone=idn.make_mobile(rng),
                                  share=share))
    supervised = draw(st.booleans())
    return c.ContractDraft(
        house_id=f"H-{seed}", sellers=(SELLER,), buyers=tuple(buyers), co_ownership=co,
        price=str(draw(_prices)), payment_method=draw(st.sampled_from(sorted(c.PAYMENT_METHOD_LABELS))),
        fund_supervised=supervised, supervising_bank="中国建设银行" if supervised else "",
    )


@settings(max_examples=60, deadline=None)
@given(_valid_drafts())
def test_random_valid_drafts_validate_and_digest_is_stable(draft):
    v1 = c.validate_draft(draft, today=TODAY)
    v2 = c.validate_draft(draft, today=TODAY)
    d = c.contract_version_digest(v1)
    assert d == c.contract_version_digest(v2) and len(d) == 64
    assert v1.signing.method == "online"


_CHANGES = [
    lambda d: replace(d, house_id=d.house_id + "X"),
    lambda d: replace(d, price=str(Decimal(d.price) + Decimal("0.01"))),
    lambda d: replace(d, payment_method="mortgage" if d.payment_method != "mortgage" else "lump_sum"),
    lambda d: replace(d, fund_supervised=not d.fund_supervised,
                      supervising_bank="" if d.fund_supervised else "中国建设银行"),
    lambda d: replace(d, buyers=(replace(d.buyers[0], name=d.buyers[0].name + "甲"),) + d.buyers[1:]),
    lambda d: replace(d, buyers=(replace(d.buyers[0], id_number=BUYER2_ID if d.buyers[0].id_number != BUYER2_ID
                                         else BUYER_ID),) + d.buyers[1:]),
    lambda d: replace(d, buyers=(replace(d.buyers[0], phone="13012345678" if d.buyers[0].phone != "13012345678"
                                         else "13112345678"),) + d.buyers[1:]),
    lambda d: replace(d, sellers=(replace(d.sellers[0], name="张三丰"),)),
]


@settings(max_examples=60, deadline=None)
@given(_valid_drafts(), st.integers(0, len(_CHANGES) - 1))
def test_changing_any_key_fact_changes_the_digest(draft, which):
    changed = _CHANGES[which](draft)
    try:
        v2 = c.validate_draft(changed, today=TODAY)
    except c.DraftInvalid:  # e.g. the swapped ID collides with another buyer
        return
    assert c.contract_version_digest(c.validate_draft(draft, today=TODAY)) != c.contract_version_digest(v2)


def test_changing_shares_changes_the_digest():
    a = replace(DRAFT, co_ownership="shares", buyers=(replace(BUYER, share="50"), replace(BUYER2, share="50")))
    b = replace(a, buyers=(replace(BUYER, share="40"), replace(BUYER2, share="60")))
    assert c.contract_version_digest(_ok(a)) != c.contract_version_digest(_ok(b))


@st.composite
def _partitions_of_100(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(2, 5))
    cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 10000]
    return [b - a for a, b in itertools.pairwise(bounds)]


@settings(max_examples=80, deadline=None)
@given(st.one_of(_partitions_of_100(), st.lists(st.integers(1, 10000), min_size=2, max_size=5)))
def test_shares_summing_to_100_pass_and_any_other_sum_fails(cents):
    rng = random.Random(len(cents))
    buyers = tuple(
        c.BuyerLine("person", f"买{_ORDINALS[i]}", "mainland", "resident_id",
                    idn.make_resident_id(rng, birth_date=date(1980, 1, 1 + i)), phone="13900139000",
                    share=f"{Decimal(x) / 100:.2f}")
        for i, x in enumerate(cents)
    )
    draft = replace(DRAFT, co_ownership="shares", buyers=buyers)
    if sum(cents) == 10000:
        _ok(draft)
    else:
        errs = _errors(draft)
        assert [(e.code, e.field) for e in errs] == [("SHARES_NOT_100", f"buyers[{len(buyers) - 1}].share")]
