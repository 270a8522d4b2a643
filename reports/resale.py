"""Documents of a resale (存量房买卖) case (seeds 001-004).

- ``resale_contract``          存量房买卖合同 — parties and shares, the house
  (article 1), the price in figures and capitals (article 2), payment, fund
  supervision, delivery, taxes, registration, liability, disputes, signing;
  the filing number once filed; a QR code of the case number;
- ``acceptance_receipt``       受理回执 — case number, date, clerk, the
  materials received, the promised completion date;
- ``acceptance_receipts``      a batch of receipts (e.g. a day's), built one
  per CPU in worker processes, written to a folder or handed to a callback;
- ``missing_materials_notice`` 一次性告知书 — the failed rules as plain
  sentences and the checklist items still missing, all at once.

Each takes one frozen dataclass of plain data (display texts, not codes; the
services fill it, nothing here reads storage) and returns the PDF bytes, also
writing them to ``path`` when one is given. Personal numbers arrive masked:
the dataclasses refuse an ID number or a phone number without "*". Amounts are
Decimals checked by ``core.money``; shares are Decimal percents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from core.money import check_amount
from core.resale.contract_text import DISPUTE_ARBITRATION, DISPUTE_LABELS, dispute_options, structure_text
from reports.base import (
    QR_COLUMN,
    Article,
    PathArg,
    Signatory,
    beside,
    beside_width,
    build_batch,
    build_pdf,
    case_qr,
    data_table,
    format_area,
    format_date,
    kept_articles,
    kv_table,
    numbered,
    para,
    price_text,
    require_masked,
    seal_block,
    signature_block,
    spacer,
    title_block,
    wrapped_table,
)
from reports.files import kept_file_name

LABEL_WIDE = 28 * mm

SELLER = "出卖人"
BUYER = "买受人"
ROLES = (SELLER, BUYER)

SOLE = "单独所有"
JOINT = "共同共有"
BY_SHARES = "按份共有"
CO_OWNERSHIP = (SOLE, JOINT, BY_SHARES)

DRAFT = "草稿"
SIGNED = "已签约"
FILED = "已备案"
REVOKED = "已撤销"  # 网签撤销 before registration (seed 003)
CANCELLED = "已注销"  # filing cancelled
CONTRACT_STATUSES = (DRAFT, SIGNED, FILED, REVOKED, CANCELLED)
_MAY_HAVE_FILING = frozenset({FILED, CANCELLED})

ONLINE = "网上签约"
OFFLINE = "线下签约"
SIGNING_METHODS = (ONLINE, OFFLINE)

HUNDRED = Decimal(100)

# ------------------------------------------------------------------ checks


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)




def _percent(value: Decimal) -> str:
    """A share as printed: 100 → "100%", 33.34 → "33.34%"."""
    value = Decimal(value)
    text = f"{value.quantize(Decimal('0.01'))}".rstrip("0").rstrip(".")
    return f"{text}%"


# ------------------------------------------------------------------ plain data


@dataclass(frozen=True)
class ContractParty:
    """A seller or buyer as the contract shows it (seed 001: name, nationality,
    ID, share)."""

    name: str
    role: str  # 出卖人 / 买受人
    nationality: str  # 国籍/地区, e.g. "中国" / "中国香港"
    id_kind: str  # 证件类型 label, e.g. "居民身份证"
    masked_id: str
    phone_masked: str
    # 出卖人: share transferred (转让份额, 0 for a co-owner who keeps his);
    # 买受人: share acquired (取得份额), required for 按份共有, else None.
    share: Decimal | None = None
    agent: str | None = None  # 委托代理人 (an organisation's: 经办人)
    guardian: str | None = None  # 法定监护人（代理人）
    address: str = ""  # 住所, as the register holds it ("" when it holds none)
    organisation: bool = False  # an organisation seals (盖章); a person signs (签字（捺印）)

    def __post_init__(self) -> None:
        _require(bool(self.name.strip()), "a party has a name")
        _require(self.role in ROLES, f"unknown party role {self.role!r}; expected one of {ROLES}")
        require_masked(self.masked_id, "masked_id")
        require_masked(self.phone_masked, "phone_masked")
        if self.share is not None:
            object.__setattr__(self, "share", Decimal(self.share))
            _require(Decimal(0) <= self.share <= HUNDRED, "a share is a percent between 0 and 100")

    @property
    def representative(self) -> str:
        """"代理人 …；监护人 …" or "—"."""
        parts = [f"代理人 {self.agent}"] if self.agent else []
        parts += [f"监护人 {self.guardian}"] if self.guardian else []
        return "；".join(parts) or "—"


@dataclass(frozen=True)
class ResaleHouse:
    """Article 1: the house as its title certificate states it (seed 003)."""

    location: str  # 坐落
    certificate_number: str  # 不动产权证书号 / 房屋所有权证号
    unit_number: str  # 房号, e.g. "3栋1单元1203室"
    use: str  # 设计用途, e.g. "住宅"
    structure: str  # 结构, e.g. "钢筋混凝土结构"
    floor: int  # 所在层
    total_floors: int  # 地上总层数
    floor_area: Decimal  # 建筑面积
    inner_area: Decimal | None = None  # 套内建筑面积
    land_area: Decimal | None = None  # 分摊土地面积
    completion_year: int | None = None  # 建成年份
    mortgage: str = "无抵押"  # 抵押情况, e.g. "已抵押（中国银行武汉分行），甲方于过户前解押"
    house_code: str | None = None  # 房源编码 (from 房源核验)

    def __post_init__(self) -> None:
        _require(Decimal(self.floor_area) > 0, "floor area must be positive")
        _require(self.inner_area is None or 0 < Decimal(self.inner_area) <= Decimal(self.floor_area),
                 "inner area is positive and at most the floor area")
        _require(self.land_area is None or Decimal(self.land_area) >= 0, "land area is not negative")
        _require(1 <= self.total_floors and self.floor != 0 and self.floor <= self.total_floors,
                 "the floor lies within the building")

    def rows(self) -> list[tuple[str, str]]:
        out = [
            ("房屋坐落", self.location + self.unit_number),
            ("权属证号", self.certificate_number),
        ]
        if self.house_code:
            out.append(("房源编码", self.house_code))
        out += [
            ("设计用途", self.use),
            ("房屋结构", structure_text(self.structure)),
            ("所在楼层", f"第{self.floor}层（地上共{self.total_floors}层）"),
            ("建筑面积", format_area(self.floor_area)),
            ("套内面积", format_area(self.inner_area) or "—"),
            ("土地面积", format_area(self.land_area) or "—"),
            ("建成年份", f"{self.completion_year}年" if self.completion_year else "—"),
            ("抵押情况", self.mortgage),
        ]
        return out


@dataclass(frozen=True)
class ResaleContract:
    """存量房买卖合同 of one case, in whatever status it is."""

    contract_number: str
    case_number: str  # 业务号, in the QR code
    city: str  # profile/city name, e.g. "武汉市" → "武汉市存量房买卖合同"
    status: str  # CONTRACT_STATUSES
    sellers: tuple[ContractParty, ...]
    buyers: tuple[ContractParty, ...]
    co_ownership: str  # of the buyers: 单独所有 / 共同共有 / 按份共有
    house: ResaleHouse
    price: Decimal
    payment_method: str  # 付款方式, e.g. "商业贷款付款"
    payment_schedule: tuple[str, ...]  # one line per instalment
    delivery_date: date | None  # None: the form records no date; the document says so instead of inventing one
    signing_method: str  # 网上签约 / 线下签约
    fund_supervised: bool = False
    supervision_bank: str | None = None
    signing_date: date | None = None  # none while a draft
    filing_number: str | None = None  # 备案编号, once filed
    filing_date: date | None = None
    taxes: str = "交易过程中产生的税费，由甲、乙双方按照国家及本市有关规定各自承担。"
    # The city's words (core.resale.contract_text): party names, the filing
    # article, revocation (where the city allows it) and the disputes article.
    seller_label: str = SELLER  # 出卖人 / 转让方 (Zhongshan)
    buyer_label: str = BUYER  # 买受人 / 受让方
    filing_clause: str = ""
    revocation_clause: str | None = None
    disputes: str = ""  # the article's sentence (core.resale.contract_text.dispute_clause)
    # The parties' choice (arbitration before ``arbitration_commission``, or court), ticked
    # among the ways printed after the sentence; None: both boxes left for them to tick.
    dispute_choice: str | None = None
    arbitration_commission: str | None = None

    def __post_init__(self) -> None:
        _require(self.status in CONTRACT_STATUSES, f"unknown contract status {self.status!r}")
        _require(self.signing_method in SIGNING_METHODS, f"unknown signing method {self.signing_method!r}")
        _require(self.co_ownership in CO_OWNERSHIP, f"unknown co-ownership kind {self.co_ownership!r}")
        _require(bool(self.sellers) and bool(self.buyers), "a contract has at least one seller and one buyer")
        _require(all(p.role == SELLER for p in self.sellers), "every seller has the role 出卖人")
        _require(all(p.role == BUYER for p in self.buyers), "every buyer has the role 买受人")
        object.__setattr__(self, "price", check_amount(self.price))
        _require(self.price > 0, "the price is positive")
        _require(bool(self.payment_schedule), "state the payment schedule")
        # sellers: every one states the share he transfers; together at most the whole house
        _require(all(p.share is not None for p in self.sellers), "every seller states the share transferred")
        transferred = sum((p.share for p in self.sellers), Decimal(0))  # type: ignore[misc]
        _require(Decimal(0) < transferred <= HUNDRED, "the shares transferred add up to more than 0 and at most 100")
        # buyers: by co-ownership kind
        if self.co_ownership == SOLE:
            _require(len(self.buyers) == 1, "单独所有 means exactly one buyer")
            _require(self.buyers[0].share in (None, HUNDRED), "a sole buyer acquires 100%")
        elif self.co_ownership == JOINT:
            _require(len(self.buyers) >= 2, "共同共有 needs at least two buyers")
            _require(all(p.share is None for p in self.buyers), "joint owners hold no separate shares")
        else:
            _require(len(self.buyers) >= 2, "按份共有 needs at least two buyers")
            _require(all(p.share is not None and p.share > 0 for p in self.buyers), "each buyer by shares holds a share")
            total = sum((p.share for p in self.buyers), Decimal(0))  # type: ignore[misc]
            _require(total == HUNDRED, f"the buyers' shares add up to 100, not {total}")
        _require(not self.fund_supervised or bool(self.supervision_bank), "a supervised deal names its bank")
        _require(bool(self.filing_clause) and bool(self.disputes), "the city's filing and disputes articles are given")
        _require(self.dispute_choice is None or self.dispute_choice in DISPUTE_LABELS,
                 f"unknown dispute choice {self.dispute_choice!r}")
        _require(self.status == DRAFT or self.signing_date is not None, "a signed contract has its signing date")
        has_filing = self.filing_number is not None or self.filing_date is not None
        if self.status == FILED:
            _require(self.filing_number is not None and self.filing_date is not None, "a filed contract has its filing number and date")
        else:
            _require(not has_filing or self.status in _MAY_HAVE_FILING, f"a {self.status} contract has no filing number")

    @property
    def title(self) -> str:
        return f"{self.city}存量房买卖合同"


@dataclass(frozen=True)
class Applicant:
    """An applicant on a receipt or notice (name and masked ID)."""

    name: str
    masked_id: str
    role: str = ""  # e.g. "出卖人", "买受人", "代理人"

    def __post_init__(self) -> None:
        require_masked(self.masked_id, "masked_id")


@dataclass(frozen=True)
class MaterialItem:
    """One material handed in: how many originals (原件) and copies (复印件)."""

    name: str
    originals: int = 0
    copies: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        _require(self.originals >= 0 and self.copies >= 0 and self.originals + self.copies >= 1,
                 f"material {self.name!r}: at least one original or copy")


@dataclass(frozen=True)
class AcceptanceReceipt:
    """受理回执 handed to the applicant when the counter accepts a case."""

    case_number: str
    business_type: str  # e.g. "存量房买卖合同网签备案"
    accepted_on: date
    clerk: str
    window: str  # e.g. "03号窗口"
    applicants: tuple[Applicant, ...]
    materials: tuple[MaterialItem, ...]
    promised_on: date | None  # 承诺办结日期; None while the contract is not signed (the time then runs from signing)
    hall_name: str
    hall_address: str
    hall_phone: str
    house_location: str | None = None
    promise_working_days: int = 5  # with no date: so many working days from signing and 提交 (core.time_limits)

    def __post_init__(self) -> None:
        _require(bool(self.applicants), "a receipt names its applicant")
        _require(bool(self.materials), "a receipt lists the materials received")
        _require(self.promised_on is None or self.promised_on >= self.accepted_on,
                 "the promised date is not before acceptance")


@dataclass(frozen=True)
class MissingMaterialsNotice:
    """一次性告知书: every reason the case cannot proceed, told at once."""

    case_number: str
    business_type: str
    applicant: Applicant
    notified_on: date
    failed_rules: tuple[tuple[str, str], ...]  # (rule code, Chinese sentence); codes are not printed
    missing_items: tuple[str, ...]  # checklist items still missing
    clerk: str
    window: str
    hall_name: str
    hall_address: str
    hall_phone: str
    to_bring: tuple[str, ...] = field(default=())  # what to bring besides the missing items
    #: 不予受理: a failed rule no material can cure (a seizure, a blacklist …); the notice states
    #: the reasons and the remedy, and asks for nothing to be brought.
    refusal: bool = False

    def __post_init__(self) -> None:
        _require(bool(self.failed_rules) or bool(self.missing_items), "a notice states at least one problem")
        _require(not self.refusal or (bool(self.failed_rules) and not self.missing_items),
                 "a refusal states its reasons and asks for no material")
        _require(all(code and sentence for code, sentence in self.failed_rules), "each failed rule has a code and a sentence")


# ------------------------------------------------------------------ contract

PARTY_HEADER = ("身份", "姓名", "国籍/地区", "证件类型", "证件号码", "份额", "联系电话", "代理人/监护人")
ADDRESS_HEADER = ("身份", "姓名", "住所")


def _share_cell(party: ContractParty, co_ownership: str) -> str:
    if party.role == SELLER:
        return f"转让{_percent(party.share)}"  # type: ignore[arg-type]
    if co_ownership == JOINT:
        return "共同共有"
    return f"取得{_percent(party.share if party.share is not None else HUNDRED)}"


def _label(data: ResaleContract, party: ContractParty) -> str:
    """The party's role in the city's words (出卖人 / 转让方 …)."""
    return data.seller_label if party.role == SELLER else data.buyer_label


def _party_rows(data: ResaleContract) -> list[tuple[str, ...]]:
    return [
        (_label(data, p), p.name, p.nationality, p.id_kind, p.masked_id, _share_cell(p, data.co_ownership),
         p.phone_masked, p.representative)
        for p in (*data.sellers, *data.buyers)
    ]


def _address_rows(data: ResaleContract) -> list[tuple[str, ...]]:
    return [(_label(data, p), p.name, p.address or "（未登记）") for p in (*data.sellers, *data.buyers)]


def _names(parties: tuple[ContractParty, ...]) -> str:
    return "、".join(p.name for p in parties)


def _contract_articles(data: ResaleContract) -> list[Article]:
    h = data.house
    extra = []
    if h.inner_area is not None:
        extra.append(f"套内建筑面积 {format_area(h.inner_area)}")
    if h.land_area is not None:
        extra.append(f"分摊土地面积 {format_area(h.land_area)}")
    year = f"，建成于{h.completion_year}年" if h.completion_year else ""
    if data.co_ownership == SOLE:
        buyers_hold = f"乙方{data.buyers[0].name}单独所有"
    elif data.co_ownership == JOINT:
        buyers_hold = f"乙方{_names(data.buyers)}共同共有"
    else:
        buyers_hold = "乙方按份共有：" + "，".join(f"{p.name}占{_percent(p.share)}" for p in data.buyers)  # type: ignore[arg-type]
    if data.fund_supervised:
        supervision = (
            (f"甲、乙双方选择交易资金监管，监管银行为{data.supervision_bank}。乙方应将购房款（首付款）存入监管账户，"
             "办结不动产转移登记后，监管银行按约定将监管资金划转至甲方账户。"),
            "监管期间资金不计利息；交易终止的，监管资金按监管协议退还乙方。",
        )
    else:
        supervision = ("甲、乙双方不选择交易资金监管，自行约定交易资金的支付与交割，并自行承担由此产生的风险。",)
    registration = ["甲、乙双方应于本合同网签后三十日内，共同向不动产登记机构申请办理不动产转移登记。",
                    data.filing_clause]
    taking_effect = [f"本合同经甲、乙双方{data.signing_method}后生效。"]
    if data.revocation_clause:
        taking_effect.append(data.revocation_clause)
    taking_effect.append("本合同一式叁份，甲、乙双方各执一份，不动产登记机构存档一份，具有同等法律效力。")
    return [
        Article("房屋基本情况", (
            f"甲方所有的房屋坐落于{h.location}{h.unit_number}，设计用途为{h.use}，"
            f"房屋结构为{structure_text(h.structure)}，"
            f"所在层次第{h.floor}层，地上总层数{h.total_floors}层，建筑面积 {format_area(h.floor_area)}"
            + ("，" + "，".join(extra) if extra else "") + f"{year}。",
            f"该房屋权属证书号为{h.certificate_number}。房屋抵押情况：{h.mortgage}。",
            f"甲方转让上述房屋后，该房屋由{buyers_hold}。",
        )),
        Article("成交价格", (
            f"经甲、乙双方协商一致，上述房屋买卖成交价格为{price_text(data.price)}。",
            "该价格包含房屋附属设施设备及分摊的共有部分、土地使用权的价款。",
        )),
        Article("付款方式", (
            f"乙方采用{data.payment_method}方式支付房价款，具体约定如下：" + "；".join(data.payment_schedule) + "。",
        )),
        Article("交易资金监管", supervision),
        Article("房屋交付", (
            (f"甲方应于 {format_date(data.delivery_date)} 前将房屋交付乙方，双方共同查验房屋及附属设施并签署交接书。"
             if data.delivery_date is not None else
             "甲方应按双方约定的时间将房屋交付乙方，双方共同查验房屋及附属设施并签署交接书。"),
            "交付前发生的水、电、燃气、物业服务、有线电视等费用由甲方结清，交付后发生的由乙方承担。",
        )),
        Article("税费承担", (data.taxes,)),
        Article("权属转移登记", tuple(registration)),
        Article("甲方保证", (
            "甲方保证对该房屋享有合法处分权，房屋不存在查封等限制转让的情形；已抵押的，于转移登记前办理抵押注销。",
            "该房屋有其他共有人的，甲方保证已取得全体共有人同意出售的书面意见。",
        )),
        Article("违约责任", (
            "乙方逾期付款的，每逾期一日按应付未付款的万分之五向甲方支付违约金；逾期超过三十日的，甲方有权解除合同。",
            ("甲方逾期交付房屋或者不配合办理转移登记的，每逾期一日按已付房价款的万分之五向乙方支付违约金；"
             "逾期超过三十日的，乙方有权解除合同，甲方应退还已付房价款。"),
        )),
        _disputes_article(data),
        Article("合同生效", tuple(taking_effect)),
    ]


def _disputes_article(data: ResaleContract) -> Article:
    """争议解决: the sentence, then arbitration and court each with its box, the parties' choice ticked."""
    ways = dispute_options(data.arbitration_commission if data.dispute_choice == DISPUTE_ARBITRATION else None)
    chosen = next((k for k, (way, _) in enumerate(ways) if way == data.dispute_choice), None)
    return Article("争议解决", (data.disputes,), options=tuple(text for _, text in ways), chosen=chosen)


def _contract_facts(data: ResaleContract) -> list[tuple[str, str]]:
    rows = [
        ("合同编号", data.contract_number),
        ("业 务 号", data.case_number),
        ("合同状态", data.status),
        ("签约方式", data.signing_method),
        ("签约日期", format_date(data.signing_date) if data.signing_date else "未签约"),
        ("共有方式", f"{data.buyer_label}{data.co_ownership}"),
    ]
    if data.filing_number:
        rows.append(("备案编号", data.filing_number))
        if data.filing_date:
            rows.append(("备案日期", format_date(data.filing_date)))
    return rows


def _signatories(data: ResaleContract) -> list[Flowable]:
    """A signature area per party: a person signs (签字（捺印）), an
    organisation seals (盖章) and its 经办人 signs; then, on a filed contract,
    the place for the filing seal (备案章)."""
    day = f"日期：{format_date(data.signing_date)}" if data.signing_date else "日期：　　　　年　　月　　日"
    people = []
    for p in (*data.sellers, *data.buyers):
        side = "甲方" if p.role == SELLER else "乙方"
        if p.organisation:
            lines = ["盖章：", "法定代表人或经办人签字："]
            if p.agent:
                lines[1] = f"经办人（{p.agent}）签字："
        else:
            lines = ["签字（捺印）："]
            if p.agent:
                lines.append(f"代理人（{p.agent}）签字：")
        if p.guardian:
            lines.append(f"监护人（{p.guardian}）签字：")
        people.append(Signatory(f"{_label(data, p)}（{side}）", p.name, (*lines, day)))
    out: list[Flowable] = [signature_block(people[i:i + 2]) for i in range(0, len(people), 2)]
    if data.status == FILED and data.filing_number and data.filing_date:
        out.append(seal_block(["备案机构（备案章）", f"备案编号：{data.filing_number}",
                               f"备案日期：{format_date(data.filing_date)}"], caption="备案章"))
    return out


def resale_contract(data: ResaleContract, path: PathArg = None) -> bytes:
    """存量房买卖合同: contract facts beside a QR code of the case number, the
    parties with their shares, the house, the price in figures and capitals,
    eleven numbered articles and a signature block for every party."""
    facts = kv_table(_contract_facts(data), columns=1, width=beside_width(QR_COLUMN), label_width=LABEL_WIDE)
    number = f"合同编号：{data.contract_number}"
    if data.filing_number:
        number += f"　备案编号：{data.filing_number}"
    sellers = "、".join(p.name for p in data.sellers)
    buyers = "、".join(p.name for p in data.buyers)
    story: list[Flowable] = [
        *title_block(data.title, f"（{data.status}）" if data.status != FILED else None, number),
        beside(facts, case_qr(data.case_number), right_width=QR_COLUMN),
        spacer(3),
        para(f"{data.seller_label}（甲方）：{sellers}", "body"),
        para(f"{data.buyer_label}（乙方）：{buyers}（{data.co_ownership}）", "body"),
        wrapped_table(PARTY_HEADER, _party_rows(data), widths=(8, 10, 9, 13, 19, 10, 12, 13)),
        spacer(1),
        wrapped_table(ADDRESS_HEADER, _address_rows(data), widths=(8, 10, 76)),
        spacer(3),
        para("房屋基本情况", "heading"),
        kv_table(data.house.rows(), columns=2),
        spacer(2),
        kv_table([("成交价格", price_text(data.price)), ("付款方式", data.payment_method),
                  ("资金监管", f"是（{data.supervision_bank}）" if data.fund_supervised else "否"),
                  ("交付日期", format_date(data.delivery_date) if data.delivery_date else "按双方约定")],
                 columns=1),
        spacer(3),
        para(
            "根据《中华人民共和国民法典》《中华人民共和国城市房地产管理法》等有关法律、法规规定，甲、乙双方本着平等、"
            "自愿、协商一致的原则，就下列房屋买卖，订立本合同，共同信守。",
            "clause",
        ),
        *kept_articles(_contract_articles(data)),
        *_signatories(data),
    ]
    return build_pdf(story, title=data.title, reference=f"合同编号 {data.contract_number}", path=path,
                     watermark=DRAFT if data.status == DRAFT else None)


# ------------------------------------------------------------------ 承诺书 (Shenzhen, before filing)

#: What both parties undertake before a Shenzhen filing (seed 001 §5.3.4: the parties sign the
#: 承诺书 and hand it back; the guide gives no text). Truthfulness of what was declared, as the
#: guides ask of every party (seed 003 提示5), and who answers for a false declaration.
UNDERTAKINGS = (
    "本次交易中提交的身份证明、房屋权属证明及其他材料真实、合法、有效，所填报的信息与事实相符。",
    "本合同载明的成交价格为本次交易的真实成交价格，买卖双方未另行签订与本合同价格不一致的协议。",
    "出卖人已将房屋的抵押、租赁、共有及其他权利限制情况如实告知买受人。",
    "买受人购买本房屋符合本市住房限购等政策的规定；购买非住宅的，不受此项限制。",
    "如有隐瞒或虚假承诺，由承诺人承担由此产生的全部法律责任，所办理的网签备案可依法撤销。",
)


def undertaking(data: ResaleContract, path: PathArg = None) -> bytes:
    """承诺书 of a signed contract: which contract and house, the undertakings, and a signature
    area for every party (an organisation seals)."""
    facts = kv_table([("合同编号", data.contract_number), ("业务号", data.case_number),
                      ("房屋坐落", data.house.location), ("成交价格", price_text(data.price)),
                      (data.seller_label, _names(data.sellers)), (data.buyer_label, _names(data.buyers))],
                     columns=1, label_width=LABEL_WIDE)
    story: list[Flowable] = [
        *title_block("承诺书", None, f"合同编号：{data.contract_number}"),
        facts,
        spacer(3),
        para("就上述存量房买卖合同的网签备案，买卖双方郑重承诺：", "body"),
        *[para(f"{i}. {line}", "clause") for i, line in enumerate(UNDERTAKINGS, start=1)],
        spacer(3),
        para("本承诺书由买卖双方签署后交回受理窗口，与合同备案材料一并存档。", "body"),
        # The signature lines as on a contract not yet signed (blank dates, no filing seal): the parties
        # sign the 承诺书 at the counter, on the day they hand it back.
        *_signatories(replace(data, status=DRAFT, filing_number=None, filing_date=None, signing_date=None)),
    ]
    return build_pdf(story, title="承诺书", reference=f"合同编号 {data.contract_number}", path=path)


# ------------------------------------------------------------------ receipt and notice


def _hall_rows(hall_name: str, hall_address: str, hall_phone: str) -> list[tuple[str, str]]:
    return [("办理地点", f"{hall_name}（{hall_address}）"), ("咨询电话", hall_phone)]


def acceptance_receipt(data: AcceptanceReceipt, path: PathArg = None) -> bytes:
    """受理回执: the case facts beside a QR code of the case number, the
    applicants (masked), the materials received (originals/copies) and when
    the case will be done."""
    rows = [
        ("业 务 号", data.case_number),
        ("业务类型", data.business_type),
        ("受理日期", format_date(data.accepted_on)),
        ("受 理 人", f"{data.clerk}（{data.window}）"),
        ("承诺办结", format_date(data.promised_on) if data.promised_on is not None
         else f"签约提交后 {data.promise_working_days} 个工作日内"),
    ]
    if data.house_location:
        rows.append(("房屋坐落", data.house_location))
    facts = kv_table(rows, columns=1, width=beside_width(QR_COLUMN))
    applicant_rows = [(a.role or "申请人", a.name, a.masked_id) for a in data.applicants]
    material_rows = [(i, m.name, m.originals or "—", m.copies or "—", m.note)
                     for i, m in enumerate(data.materials, start=1)]
    story: list[Flowable] = [
        *title_block("受理回执", data.hall_name),
        beside(facts, case_qr(data.case_number), right_width=QR_COLUMN),
        spacer(3),
        para("申请人", "heading"),
        data_table(("身份", "姓名", "证件号码"), applicant_rows, widths=(2, 3, 5), align=("CENTER", "LEFT", "LEFT")),
        para("已收材料", "heading"),
        data_table(("序号", "材料名称", "原件（份）", "复印件（份）", "备注"), material_rows,
                   widths=(6, 46, 12, 12, 24), align=("CENTER", "LEFT", "CENTER", "CENTER", "LEFT")),
        spacer(2),
        para(f"共收取材料 {len(data.materials)} 项，原件 {sum(m.originals for m in data.materials)} 份，"
             f"复印件 {sum(m.copies for m in data.materials)} 份。", "body"),
        para("须知", "heading"),
        *numbered([
            (f"您的申请已受理，承诺于 {format_date(data.promised_on)} 前办结（已按国家法定节假日和调休上班日计算），办理结果将以短信通知。"
             if data.promised_on is not None else
             f"您的申请已受理。合同尚未签约：买卖双方完成签约并提交后，承诺于 {data.promise_working_days} 个工作日内"
             "办结（工作日不含法定节假日，调休上班日计入），办理结果将以短信通知。"),
            "请凭本回执或扫描二维码查询办理进度、领取办理结果；本回执请妥善保管。",
            "原件经核对后当场退还的，以窗口签注为准；所交复印件不予退还。",
        ]),
        kv_table(_hall_rows(data.hall_name, data.hall_address, data.hall_phone), columns=1),
        signature_block([
            Signatory("受理人", f"{data.clerk}（{data.window}）", ("签字：",)),
            Signatory("申请人签收", "", ("签字：", f"日期：{format_date(data.accepted_on)}")),
        ], seal=("受理单位（盖章）", format_date(data.accepted_on))),
    ]
    return build_pdf(story, title="受理回执", reference=f"业务号 {data.case_number}", path=path)


_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def acceptance_receipts(
    items: Iterable[AcceptanceReceipt],
    out_dir: PathArg = None,
    *,
    on_pdf: Callable[[AcceptanceReceipt, bytes], None] | None = None,
    workers: int | None = None,
) -> int:
    """Many acceptance receipts at once: each written to ``out_dir`` as
    "<case number>.pdf" (a reprint as "<case number>-2.pdf" …, the earlier
    print kept) and/or handed to ``on_pdf(receipt, pdf)``, in order.

    Each receipt is a complete PDF of its own, the same bytes as
    ``acceptance_receipt`` gives for it; ``workers`` processes build them
    (default: one per usable CPU; 1 builds them here, one after another).
    Returns the number of processes used. Case numbers must make distinct,
    plain file names when ``out_dir`` is given (checked before anything is
    built).
    """
    items = list(items)
    if out_dir is None and on_pdf is None:
        raise ValueError("give out_dir or on_pdf: the receipts must go somewhere")
    folder = None if out_dir is None else Path(out_dir)
    if folder is not None:
        names = [i.case_number for i in items]
        bad = [n for n in names if not _FILE_NAME.fullmatch(n)]
        _require(not bad, f"case numbers unfit for file names: {bad[:5]}")
        _require(len(set(names)) == len(names), "case numbers repeat: receipts would overwrite each other")
        folder.mkdir(parents=True, exist_ok=True)

    def deliver(item: AcceptanceReceipt, pdf: bytes) -> None:
        if folder is not None:
            kept_file_name(folder, f"{item.case_number}.pdf").write_bytes(pdf)  # a reprint beside, not over, the first
        if on_pdf is not None:
            on_pdf(item, pdf)

    return build_batch(acceptance_receipt, items, deliver, workers=workers)


def missing_materials_notice(data: MissingMaterialsNotice, path: PathArg = None) -> bytes:
    """一次性告知书: the reasons (rule sentences, codes not printed), the
    checklist items still missing and what to bring, all in one notice; or, for a
    refusal, the 不予受理告知书 (``refusal_notice``)."""
    if data.refusal:
        return refusal_notice(data, path)
    a = data.applicant
    to_bring = list(data.missing_items) + [t for t in data.to_bring if t not in data.missing_items]
    story: list[Flowable] = [
        *title_block("一次性告知书", data.hall_name),
        kv_table(
            [
                ("业 务 号", data.case_number),
                ("业务类型", data.business_type),
                ("申 请 人", f"{a.name}（{a.masked_id}）"),
                ("告知日期", format_date(data.notified_on)),
            ],
            columns=2,
        ),
        spacer(3),
        para(f"{a.name}：", "body"),
        para(
            f"您于 {format_date(data.notified_on)} 申请办理的{data.business_type}业务，经审查，申请材料不齐全或者不符合"
            "法定形式，暂不能受理。现将需要补正的全部内容一次性告知如下：",
            "clause",
        ),
    ]
    if data.failed_rules:
        story += [para("一、未通过的审查事项", "heading"), *numbered([s for _, s in data.failed_rules])]
    if data.missing_items:
        head = "二、尚缺的申请材料" if data.failed_rules else "一、尚缺的申请材料"
        story += [para(head, "heading"), *numbered(data.missing_items)]
    story += [
        para("补正时请携带", "heading"),
        *numbered(to_bring or ["本告知书及申请人身份证件原件"]),
        spacer(2),
        para("请按本告知书补齐材料后，持本告知书到窗口重新提交申请；补齐后窗口不再要求提交本告知书以外的材料。", "clause"),
        kv_table([("经 办 人", f"{data.clerk}（{data.window}）"),
                  *_hall_rows(data.hall_name, data.hall_address, data.hall_phone)], columns=1),
        signature_block([
            Signatory("经办人", f"{data.clerk}（{data.window}）", ("签字：",)),
            Signatory("申请人签收", a.name, ("签字：", f"日期：{format_date(data.notified_on)}")),
        ], seal=("告知单位（盖章）", format_date(data.notified_on))),
    ]
    return build_pdf(story, title="一次性告知书", reference=f"业务号 {data.case_number}", path=path)


def refusal_notice(data: MissingMaterialsNotice, path: PathArg = None) -> bytes:
    """不予受理告知书: the application does not meet the conditions and no material can mend it;
    the reasons, and the remedy the applicant has."""
    a = data.applicant
    story: list[Flowable] = [
        *title_block("不予受理告知书", data.hall_name),
        kv_table([("业 务 号", data.case_number), ("业务类型", data.business_type),
                  ("申 请 人", f"{a.name}（{a.masked_id}）"), ("告知日期", format_date(data.notified_on))], columns=2),
        spacer(3),
        para(f"{a.name}：", "body"),
        para(f"您于 {format_date(data.notified_on)} 申请办理的{data.business_type}业务，经审查，不符合受理条件，"
             "且不能通过补正材料解决，决定不予受理。理由如下：", "clause"),
        *numbered([s for _, s in data.failed_rules]),
        spacer(2),
        para("上述情形消除后，可重新申请办理。如对本决定不服，可依法申请行政复议或者提起行政诉讼。", "clause"),
        kv_table([("经 办 人", f"{data.clerk}（{data.window}）"),
                  *_hall_rows(data.hall_name, data.hall_address, data.hall_phone)], columns=1),
        signature_block([
            Signatory("经办人", f"{data.clerk}（{data.window}）", ("签字：",)),
            Signatory("申请人签收", a.name, ("签字：", f"日期：{format_date(data.notified_on)}")),
        ], seal=("告知单位（盖章）", format_date(data.notified_on))),
    ]
    return build_pdf(story, title="不予受理告知书", reference=f"业务号 {data.case_number}", path=path)


__all__ = [
    "CONTRACT_STATUSES",
    "CO_OWNERSHIP",
    "AcceptanceReceipt",
    "Applicant",
    "ContractParty",
    "MaterialItem",
    "MissingMaterialsNotice",
    "ResaleContract",
    "ResaleHouse",
    "acceptance_receipt",
    "acceptance_receipts",
    "missing_materials_notice",
    "resale_contract",
]
