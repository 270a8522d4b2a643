"""Documents of public-rental allocation and lease signing (seed 000).

- ``round_result_list``    选房结果公示 — the public list of a round's results;
- ``family_result_notice`` 选房结果通知书 — one family's result and next steps;
- ``lease_contract``       公共租赁住房租赁合同;
- ``deposit_receipt``      押金收据;
- ``move_in_notice``       入住通知书.

Each takes one frozen dataclass of plain data (the services fill it; nothing
here reads storage) and returns the PDF bytes, also writing them to ``path``
when one is given. Personal numbers arrive already masked; the dataclasses
refuse an ID number or bank account without "*" so an unmasked number is never
printed by mistake. Amounts are Decimals checked by ``core.money``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from core.allocation.selection import HOUSED, STATUS_LABELS, ResultStatus
from core.money import check_amount, format_yuan, to_chinese_capital
from reports.base import (
    Article,
    PathArg,
    Signatory,
    articles,
    beside,
    beside_width,
    build_pdf,
    data_table,
    esc,
    format_area,
    format_date,
    kv_table,
    markup,
    numbered,
    para,
    qr_code,
    seal_block,
    seal_left_width,
    signature_block,
    spacer,
    title_block,
)

QR_SIZE = 26 * mm
QR_COLUMN = QR_SIZE + 4 * mm
LABEL_WIDE = 28 * mm  # labels such as "出租人（甲方）"

# ------------------------------------------------------------------ checks


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _require_masked(value: str, name: str) -> None:
    """A personal number must arrive masked (e.g. "440301********123X")."""
    _require("*" in value, f"{name} must be masked before it reaches a document")


def _normalise_amounts(obj: object, *names: str) -> None:
    """Check money fields (core.money rules) and store them with two decimals."""
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            object.__setattr__(obj, name, check_amount(value))


def _check_status(status: str) -> None:
    _require(status in STATUS_LABELS, f"unknown result status {status!r}; expected one of {sorted(STATUS_LABELS)}")


def _rent_text(amount: Decimal) -> str:
    """"人民币（大写）壹仟贰佰元整（¥1,200.00）"."""
    return f"人民币（大写）{to_chinese_capital(amount)}（{format_yuan(amount)}）"


# ------------------------------------------------------------------ plain data


@dataclass(frozen=True)
class HouseFacts:
    """A public-rental house as documents show it (display texts, not codes)."""

    code: str  # 房源编号, e.g. "LY-3-1203"
    project: str  # 项目名称, e.g. "龙悦居三期"
    address: str  # 坐落, e.g. "深圳市龙华区龙华街道"
    building: str  # 楼栋, e.g. "3栋"
    unit: str  # 单元, e.g. "1单元" ("" when the building has none)
    room: str  # 房号, e.g. "1203室"
    layout: str  # 户型, e.g. "两房一厅"
    area: Decimal  # 建筑面积, square metres
    floor: int | None = None
    orientation: str | None = None  # 朝向, e.g. "南"

    def __post_init__(self) -> None:
        _require(Decimal(self.area) > 0, "house area must be positive")

    @property
    def location(self) -> str:
        """Building, unit and room: "3栋1单元1203室"."""
        return f"{self.building}{self.unit}{self.room}"

    def rows(self) -> list[tuple[str, str]]:
        """Label/value pairs for a key-value table."""
        out = [
            ("房源编号", self.code),
            ("项目名称", self.project),
            ("房屋坐落", f"{self.address}{self.project}{self.location}"),
            ("楼栋房号", self.location),
            ("户　　型", self.layout),
            ("建筑面积", format_area(self.area)),
        ]
        if self.floor is not None:
            out.append(("所在楼层", f"{self.floor}层"))
        if self.orientation:
            out.append(("朝　　向", self.orientation))
        return out


@dataclass(frozen=True)
class ResultRow:
    """One family's line of the public result list."""

    rank: int  # 排位
    masked_name: str  # 主申请人姓名, already masked ("张*")
    status: str  # core.allocation.selection: confirmed / allocated / not_allocated / gave_up
    house_code: str | None = None
    building_room: str | None = None  # e.g. "3栋1单元1203室"
    layout: str | None = None
    area: Decimal | None = None

    def __post_init__(self) -> None:
        _require(self.rank >= 1, "rank starts at 1")
        _check_status(self.status)
        if self.status in HOUSED:
            _require(bool(self.house_code), f"rank {self.rank}: a {self.status} family needs its house")
        else:
            _require(self.house_code is None, f"rank {self.rank}: a {self.status} family has no house")


@dataclass(frozen=True)
class RoundResultList:
    """选房结果公示: every family of a round, in rank order."""

    round_name: str  # 场次名称
    round_number: int  # 第 N 场
    published_on: date  # 公示日期
    issuer: str  # 发布单位
    rows: tuple[ResultRow, ...]
    publicity_until: date | None = None  # 公示期截止
    contact: str | None = None  # 异议受理电话或地点

    def __post_init__(self) -> None:
        ranks = [r.rank for r in self.rows]
        _require(len(ranks) == len(set(ranks)), "ranks of a round are unique")


@dataclass(frozen=True)
class FamilyResultNotice:
    """选房结果通知书 for one family; house, rent and signing window when housed."""

    case_number: str  # 业务号, also in the QR code
    applicant_name: str  # 主申请人
    masked_id: str  # 证件号码, masked
    rank: int
    round_name: str
    round_number: int
    status: str  # core.allocation.selection status
    issued_on: date
    issuer: str
    house: HouseFacts | None = None
    monthly_rent: Decimal | None = None
    signing_from: date | None = None  # 签约办理期
    signing_until: date | None = None
    signing_place: str | None = None  # e.g. "市民中心B区住房保障服务窗口"
    contact_phone: str | None = None

    def __post_init__(self) -> None:
        _require_masked(self.masked_id, "masked_id")
        _require(self.rank >= 1, "rank starts at 1")
        _check_status(self.status)
        _normalise_amounts(self, "monthly_rent")
        if self.status in HOUSED:
            _require(self.house is not None and self.monthly_rent is not None, "a housed family's notice needs house and rent")
            _require(
                self.signing_from is not None and self.signing_until is not None and self.signing_from <= self.signing_until,
                "a housed family's notice needs a signing window",
            )
        else:
            _require(self.house is None, "a family without a house gets no house on its notice")


@dataclass(frozen=True)
class LeaseContract:
    """公共租赁住房租赁合同: the parties, the house, the term and the money."""

    contract_number: str
    case_number: str  # 业务号, in the QR code
    lessor: str  # 出租人（甲方）, the housing authority
    lessor_address: str
    tenant_name: str  # 承租人（乙方）: the main applicant
    tenant_masked_id: str
    tenant_phone: str
    tenant_employer: str
    house: HouseFacts
    term_start: date
    term_end: date
    monthly_rent: Decimal
    deposit: Decimal
    bank_name: str  # 租金托收银行
    bank_account_masked: str
    signed_on: date
    household: tuple[str, ...] = ()  # 共同居住人, e.g. "配偶 王*"
    collection_day: int = 5  # rent is collected before this day of each month

    def __post_init__(self) -> None:
        _require_masked(self.tenant_masked_id, "tenant_masked_id")
        _require_masked(self.bank_account_masked, "bank_account_masked")
        _require(self.term_start < self.term_end, "the term ends after it starts")
        _require(1 <= self.collection_day <= 28, "collection_day is a day every month has (1..28)")
        _normalise_amounts(self, "monthly_rent", "deposit")


@dataclass(frozen=True)
class DepositReceipt:
    """押金收据 printed at the counter once the deposit is paid."""

    receipt_number: str
    contract_number: str
    payer_name: str
    payer_masked_id: str
    house: HouseFacts
    amount: Decimal
    paid_on: date
    payment_method: str  # 缴款方式, e.g. "扫码支付"
    payee: str  # 收款单位
    operator: str  # 经办人, e.g. "李晓敏（03号窗口）"

    def __post_init__(self) -> None:
        _require_masked(self.payer_masked_id, "payer_masked_id")
        _normalise_amounts(self, "amount")
        _require(self.amount > 0, "a deposit receipt is for a positive amount")


DEFAULT_THINGS_TO_BRING: tuple[str, ...] = (
    "本入住通知书",
    "主申请人身份证原件（委托他人办理的，另带授权委托书及受托人身份证原件）",
    "《公共租赁住房租赁合同》",
    "押金收据",
)
CO_RESIDENTS_PROOF = "共同居住人的身份证明（身份证或户口簿）"


def things_to_bring(household: tuple[str, ...], base: tuple[str, ...] = DEFAULT_THINGS_TO_BRING) -> tuple[str, ...]:
    """What the move-in notice asks for: the co-residents' identity papers
    only when the family has co-residents."""
    return (*base, CO_RESIDENTS_PROOF) if household else base


@dataclass(frozen=True)
class MoveInNotice:
    """入住通知书: when and where the family collects its keys."""

    notice_number: str
    contract_number: str
    tenant_name: str
    tenant_masked_id: str
    house: HouseFacts
    move_in_from: date
    move_in_until: date
    property_company: str  # 物业服务企业
    property_address: str  # 物业服务中心地址
    property_contact: str  # 联系人
    property_phone: str
    issued_on: date
    issuer: str
    household: tuple[str, ...] = ()  # 共同居住人
    things_to_bring: tuple[str, ...] | None = None  # default: things_to_bring(household)

    def __post_init__(self) -> None:
        _require_masked(self.tenant_masked_id, "tenant_masked_id")
        _require(self.move_in_from <= self.move_in_until, "the move-in window ends after it starts")
        if self.things_to_bring is None:
            object.__setattr__(self, "things_to_bring", things_to_bring(self.household))
        _require(bool(self.things_to_bring), "say what to bring")
        _require(bool(self.household) or CO_RESIDENTS_PROOF not in self.things_to_bring,  # type: ignore[operator]
                 "no co-residents: do not ask for their identity papers")


# ------------------------------------------------------------------ documents

RESULT_HEADER = ("排位", "姓名", "房源编号", "楼栋房号", "户型", "面积（㎡）", "选房结果")


def round_result_list(data: RoundResultList, path: PathArg = None) -> bytes:
    """选房结果公示: a summary line and a table of every family, rank order,
    header repeated on each page (thousands of rows are fine)."""
    counts = Counter(r.status for r in data.rows)
    summary = f"本场次共 {len(data.rows)} 户家庭参加选房：" + "，".join(
        f"{STATUS_LABELS[s]} {counts[s]} 户" for s in ResultStatus
    ) + "。"
    rows = [
        (r.rank, r.masked_name, r.house_code, r.building_room, r.layout, format_area(r.area, unit=False),
         STATUS_LABELS[r.status])
        for r in sorted(data.rows, key=lambda r: r.rank)
    ]
    notes = [
        "为保护个人信息，姓名已作脱敏处理。",
        "“已确认”指家庭在正选环节主动确认的房源；“已分配”指系统按家庭意向房源先后排序自动确定的房源。",
        "未分配住房的家庭（主动放弃选房的除外）可在本场次结束后申请补选，补选场次及时间另行短信通知。",
    ]
    if data.publicity_until:
        objection = (f"公示期为 {format_date(data.published_on)} 至 {format_date(data.publicity_until)}。"
                     "对公示结果有异议的，请在公示期内以书面形式提出")
        notes.append(objection + (f"（异议受理：{data.contact}）。" if data.contact else "。"))
    elif data.contact:
        notes.append(f"咨询及异议受理：{data.contact}。")
    story = [
        *title_block("选房结果公示", f"{data.round_name}（第{data.round_number}场）"),
        para(f"发布单位：{data.issuer}　　　公示日期：{format_date(data.published_on)}", "body"),
        para(summary, "body"),
        spacer(2),
        data_table(
            RESULT_HEADER,
            rows,
            widths=(8, 12, 16, 24, 12, 11, 12),
            align=("CENTER", "CENTER", "LEFT", "LEFT", "CENTER", "RIGHT", "CENTER"),
        ),
        spacer(3),
        seal_block(["发布单位（盖章）", data.issuer, format_date(data.published_on)],
                   left=[para("说明：", "small"), *numbered(notes, "small")]),
    ]
    return build_pdf(story, title="选房结果公示", reference=f"第{data.round_number}场 · {format_date(data.published_on)}", path=path)


def _issuer_lines(issuer: str, day: date) -> list[Flowable]:
    """The issuing body and the date under the text, beside the place for its seal."""
    return [spacer(2), seal_block([f"{issuer}（盖章）", format_date(day)])]


def family_result_notice(data: FamilyResultNotice, path: PathArg = None) -> bytes:
    """选房结果通知书: the family's facts beside a QR code of its case number,
    the house and rent when housed, and what to do next."""
    label = STATUS_LABELS[data.status]
    facts = kv_table(
        [
            ("主申请人", data.applicant_name),
            ("证件号码", data.masked_id),
            ("选房场次", f"{data.round_name}（第{data.round_number}场）"),
            ("排　　位", f"第 {data.rank} 位"),
            ("选房结果", label),
            ("业 务 号", data.case_number),
        ],
        columns=1,
        width=beside_width(QR_COLUMN),
    )
    story = [
        *title_block("选房结果通知书"),
        beside(facts, qr_code(data.case_number, size=QR_SIZE, caption=("业务号", data.case_number)), right_width=QR_COLUMN),
        spacer(4),
        para(f"{data.applicant_name}：", "body"),
    ]
    round_text = f"{esc(data.round_name)}（第{data.round_number}场）"
    if data.status in HOUSED:
        assert data.house is not None and data.monthly_rent is not None
        assert data.signing_from is not None and data.signing_until is not None
        how = "经您家庭确认正选" if data.status == ResultStatus.CONFIRMED else "由系统按您家庭的意向房源先后排序确定"
        story += [
            markup(
                f"您家庭在{round_text}中排位第 {data.rank} 位，选房结果为“{label}”（{how}），"
                "选定住房如下：",
                "clause",
            ),
            kv_table(data.house.rows(), columns=2),
            kv_table([("月 租 金", _rent_text(data.monthly_rent))], columns=1),
            spacer(2),
            para("下一步：办理租赁签约", "heading"),
        ]
        place = f"到{data.signing_place}" if data.signing_place else "在窗口"
        steps = [
            f"请于 {format_date(data.signing_from)} 至 {format_date(data.signing_until)} 期间{place}办理租赁签约。",
            "完善承租信息：核对承租住房信息，确认手机号码及工作单位。",
            "办理租金托收：请携带主申请人本人银行卡，签约时须先完成租金托收银行账户登记。",
            "身份核验：由主申请人（或被委托人）本人进行身份认证。",
            "签订《公共租赁住房租赁合同》并缴纳押金；缴纳成功后签约申请提交审核，审核结果以短信告知。",
            "审核通过后，可领取或打印租赁合同及入住通知书。",
        ]
        story += numbered(steps)
        story.append(para("办理时请携带主申请人身份证原件；委托他人办理的，另带授权委托书及受托人身份证原件。", "body"))
    elif data.status == ResultStatus.NOT_ALLOCATED:
        story += [
            markup(
                f"您家庭在{round_text}中排位第 {data.rank} 位，选房结果为“{label}”，本场次未能为您家庭分配住房。",
                "clause",
            ),
            markup("如仍需选房，可在本场次结束后申请补选，补选场次及时间将通过短信另行通知。", "clause"),
        ]
    else:
        story += [
            markup(
                f"您家庭在{round_text}中排位第 {data.rank} 位，已主动放弃本场次选房，选房结果为“{label}”。",
                "clause",
            ),
            markup("按选房规则，主动放弃选房的家庭不能申请本场次的补选。", "clause"),
        ]
    contact = [("办理地点", data.signing_place)] if data.signing_place else []
    contact += [("咨询电话", data.contact_phone)] if data.contact_phone else []
    table = kv_table(contact, columns=1, width=seal_left_width()) if contact else None
    story += [spacer(2), seal_block([f"{data.issuer}（盖章）", format_date(data.issued_on)], left=table)]
    return build_pdf(story, title="选房结果通知书", reference=f"业务号 {data.case_number}", path=path)


def _lease_articles(data: LeaseContract) -> list[Article]:
    house = data.house
    members = "、".join(data.household) if data.household else "无"
    return [
        Article("租赁房屋", (
            f"甲方将位于{house.address}{house.project}{house.location}的公共租赁住房（房源编号 {house.code}）"
            f"出租给乙方居住，户型为{house.layout}，建筑面积 {format_area(house.area)}。",
            f"该房屋仅供乙方及共同居住人（{members}）居住使用。",
        )),
        Article("租赁期限", (
            f"租赁期限自 {format_date(data.term_start)} 起至 {format_date(data.term_end)} 止。",
            "租赁期满乙方需要续租的，应当在期满三个月前提出申请，经审核符合条件的，双方续签租赁合同。",
        )),
        Article("租金及支付方式", (
            f"月租金为{_rent_text(data.monthly_rent)}。",
            f"租金按月以银行托收方式支付：乙方指定{data.bank_name}账户（{data.bank_account_masked}）为租金托收账户，"
            f"甲方于每月 {data.collection_day} 日前从该账户托收当月租金，乙方应保证账户余额充足。",
            "租金标准按政府规定调整的，自调整之日起按新标准执行，甲方应书面告知乙方。",
        )),
        Article("押金", (
            f"乙方应于签订本合同时向甲方缴纳押金{_rent_text(data.deposit)}。",
            "合同终止后，乙方结清租金及水、电、燃气、物业服务等费用并交还房屋的，甲方将押金无息退还乙方；"
            "乙方欠缴费用或损坏房屋及设施设备的，甲方可从押金中扣除相应款项。",
        )),
        Article("房屋使用", (
            "乙方应当按照居住用途合理使用房屋，遵守物业管理规定，按时缴纳水、电、燃气、物业服务等费用。",
            "乙方不得转借、转租或者擅自调换所承租的房屋，不得改变房屋用途，不得破坏或者擅自装修房屋，"
            "不得在房屋内从事违法活动，不得无正当理由连续六个月以上闲置房屋。",
        )),
        Article("维修养护", (
            "甲方负责房屋主体结构及共用部位、共用设施设备的维修养护。",
            "乙方应爱护并合理使用房屋及附属设施设备，发现损坏或故障及时报修并为维修提供便利；"
            "因乙方使用不当造成损坏的，由乙方负责修复或者赔偿。",
        )),
        Article("合同解除与终止", (
            "乙方有第五条第（二）项所列行为之一，或者累计六个月以上拖欠租金的，甲方有权解除合同、收回房屋。",
            "租赁期内乙方不再符合公共租赁住房保障条件的，应当按规定退出并腾退房屋。",
            "租赁期满未续租或者合同解除的，乙方应当在规定期限内腾退房屋，结清费用，将房屋及设施设备完好交还甲方。",
        )),
        Article("其他约定", (
            "本合同履行中发生争议的，双方协商解决；协商不成的，依法向房屋所在地人民法院提起诉讼。",
            "本合同自双方签字（盖章）之日起生效，一式两份，甲乙双方各执一份，具有同等法律效力。",
        )),
    ]


def lease_contract(data: LeaseContract, path: PathArg = None) -> bytes:
    """公共租赁住房租赁合同: parties, house, numbered articles (rent in figures
    and capitals, bank collection, deposit, use, maintenance, termination),
    signature blocks with the place for the lessor's seal, and a QR code of the
    case number."""
    parties = kv_table(
        [
            ("出租人（甲方）", data.lessor),
            ("甲方地址", data.lessor_address),
            ("承租人（乙方）", data.tenant_name),
            ("证件号码", data.tenant_masked_id),
            ("联系电话", data.tenant_phone),
            ("工作单位", data.tenant_employer),
            ("共同居住人", "、".join(data.household) if data.household else "无"),
            ("业 务 号", data.case_number),
        ],
        columns=1,
        width=beside_width(QR_COLUMN),
        label_width=LABEL_WIDE,
    )
    money = kv_table(
        [
            ("月 租 金", _rent_text(data.monthly_rent)),
            ("押　　金", _rent_text(data.deposit)),
            ("托收银行", data.bank_name),
            ("托收账户", data.bank_account_masked),
            ("租赁期限", f"{format_date(data.term_start)} 至 {format_date(data.term_end)}"),
        ],
        columns=1,
        label_width=LABEL_WIDE,
    )
    story = [
        *title_block("公共租赁住房租赁合同", number=f"合同编号：{data.contract_number}"),
        beside(parties, qr_code(data.case_number, size=QR_SIZE, caption=("业务号", data.case_number)), right_width=QR_COLUMN),
        spacer(3),
        para("租赁房屋", "heading"),
        kv_table(data.house.rows(), columns=2),
        spacer(2),
        para("租金、押金及租赁期限", "heading"),
        money,
        spacer(3),
        para(
            "根据《中华人民共和国民法典》及公共租赁住房管理的有关规定，甲乙双方在平等、自愿、诚信的基础上，"
            "就乙方承租甲方公共租赁住房事宜，订立本合同。",
            "clause",
        ),
    ]
    # The lessor, a body, seals (its seal place beside its lines) and its 经办人 signs; the
    # tenant, a person, signs (签字（捺印）), as a person does on every contract. The last
    # clause goes with the signatures: a signature page never stands without the text signed.
    body = articles(_lease_articles(data))
    signatures = signature_block([
        Signatory("出租人（甲方）", data.lessor, ("经办人签字：", f"日期：{format_date(data.signed_on)}"),
                  seal="出租人盖章处"),
        Signatory("承租人（乙方）", data.tenant_name, ("签字（捺印）：", f"日期：{format_date(data.signed_on)}")),
    ], after=body[-1:])
    story += [*body[:-1], signatures]
    return build_pdf(story, title="公共租赁住房租赁合同", reference=f"合同编号 {data.contract_number}", path=path)


def deposit_receipt(data: DepositReceipt, path: PathArg = None) -> bytes:
    """押金收据: payer, house, amount in figures and capitals, who took it."""
    story = [
        *title_block("押金收据", number=f"收据编号：{data.receipt_number}"),
        kv_table(
            [
                ("交 款 人", data.payer_name),
                ("证件号码", data.payer_masked_id),
                ("合同编号", data.contract_number),
                ("房源编号", data.house.code),
            ],
            columns=2,
        ),
        kv_table(
            [
                ("房屋坐落", f"{data.house.address}{data.house.project}{data.house.location}"),
                ("款项名称", "公共租赁住房租赁押金"),
                ("金额（大写）", f"人民币{to_chinese_capital(data.amount)}"),
                ("金额（小写）", format_yuan(data.amount)),
            ],
            columns=1,
        ),
        kv_table(
            [
                ("缴款方式", data.payment_method),
                ("收款日期", format_date(data.paid_on)),
                ("收款单位", data.payee),
                ("经 办 人", data.operator),
            ],
            columns=2,
        ),
        spacer(3),
        para("押金在合同终止、结清相关费用并交还房屋后按合同约定退还，请妥善保管本收据。", "body"),
        signature_block([
            Signatory("经办人", data.operator, ("签字：",)),
            Signatory("交款人", data.payer_name, ("签字：",)),
        ], seal=(f"收款单位：{data.payee}（盖章）", format_date(data.paid_on)), seal_caption="收款专用章"),
    ]
    return build_pdf(story, title="押金收据", reference=f"收据编号 {data.receipt_number}", path=path)


def move_in_notice(data: MoveInNotice, path: PathArg = None) -> bytes:
    """入住通知书: the family and house, the move-in window, what to bring and
    whom to contact at the property-management office."""
    house = data.house
    story = [
        *title_block("入住通知书", number=f"通知书编号：{data.notice_number}"),
        para(f"{data.tenant_name}（证件号码 {data.tenant_masked_id}）：", "body"),
        para(
            "您家庭承租的公共租赁住房已办结租赁签约手续。请在下列期间，持所列材料到物业服务中心"
            "办理入住手续（查验房屋、领取钥匙、登记水电燃气表读数）。",
            "clause",
        ),
        kv_table(
            [
                ("合同编号", data.contract_number),
                ("办理入住期间", f"{format_date(data.move_in_from)} 至 {format_date(data.move_in_until)}"),
            ],
            columns=1,
            label_width=LABEL_WIDE,
        ),
        para("承租房屋", "heading"),
        kv_table(
            [*house.rows(), ("共同居住人", "、".join(data.household) if data.household else "无")],
            columns=2,
        ),
        para("请携带", "heading"),
        *numbered(data.things_to_bring or ()),
        para("物业服务中心", "heading"),
        kv_table(
            [
                ("物业企业", data.property_company),
                ("联 系 人", data.property_contact),
                ("联系电话", data.property_phone),
                ("地　　址", data.property_address),
            ],
            columns=2,
        ),
        spacer(2),
        para("注意事项", "heading"),
        *numbered([
            "办理入住时请当场查验房屋及设施设备，发现问题请在交接单上注明。",
            "因故不能在上述期间办理入住的，请提前与物业服务中心联系。",
            "入住后请遵守物业管理规定，爱护房屋及共用设施，按时缴纳租金及相关费用。",
        ]),
        *_issuer_lines(data.issuer, data.issued_on),
    ]
    return build_pdf(story, title="入住通知书", reference=f"合同编号 {data.contract_number}", path=path)


__all__ = [
    "DEFAULT_THINGS_TO_BRING",
    "DepositReceipt",
    "FamilyResultNotice",
    "HouseFacts",
    "LeaseContract",
    "MoveInNotice",
    "ResultRow",
    "CO_RESIDENTS_PROOF",
    "things_to_bring",
    "RoundResultList",
    "deposit_receipt",
    "family_result_notice",
    "lease_contract",
    "move_in_notice",
    "round_result_list",
]
