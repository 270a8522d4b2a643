"""The documents of a presale or spot-sale contract (seed 004 §5.5.1, §5.7).

- ``payment_notice_pdf``  资金缴款通知单: what the buyer pays now against a presale or spot-sale
contract — the whole price, the first instalment or the down payment — in figures and in
capitals, into the building's supervised account when a fund supervision agreement is in force.
The amount paid must equal the amount due before the contract's entry completes.

- ``presale_contract_pdf``  商品房买卖合同（预售） / （现售）, after the national model texts
  GF—2014—0171 and GF—2014—0172: the parties (the developer with its 统一社会信用代码, legal
  representative and address; the buyers with masked numbers), the project and its permit, the
  unit from the survey in force, the price in figures and capitals, the payment method and the
  supervised account, delivery, the articles, signature and seal places, the case-number QR
  code; watermarked 草稿 until the buyers sign (作废 once void or returned).

Built from plain data (``PaymentNotice``, ``PresaleContractDocument``) that
``services.presale.contracts`` and ``services.presale.documents`` hand over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from core.money import check_amount, format_yuan
from core.places import building_label, place_label
from reports.base import (
    QR_COLUMN,
    Article,
    Paragraph,
    PathArg,
    Signatory,
    articles,
    beside,
    beside_width,
    build_pdf,
    case_qr,
    esc,
    format_area,
    format_date,
    kept_articles,
    kv_table,
    para,
    price_text,
    require_masked,
    seal_block,
    signature_block,
    spacer,
    styles,
    title_block,
    wrapped_table,
)

__all__ = ["ContractBuyer", "ContractUnit", "PaymentNotice", "PresaleContractDocument", "contract_articles",
           "payment_notice_pdf", "presale_contract_pdf"]


@dataclass(frozen=True)
class PaymentNotice:
    contract_number: str
    case_number: str
    developer: str
    buyers: str
    project: str
    building: str
    unit_no: str
    total_price: Decimal
    payment_method: str
    amount_due: Decimal
    amount_due_capital: str
    paid: Decimal
    account: str | None  # the supervised account the money goes to, if an agreement is in force
    issued_on: str


def payment_notice_pdf(data: PaymentNotice, path: PathArg = None) -> bytes:
    """The notice as the buyer takes it to the bank."""
    story = [
        *title_block("资金缴款通知单", number=f"合同编号：{data.contract_number}"),
        kv_table([("出卖人", data.developer), ("买受人", data.buyers),
                  ("项目名称", data.project), ("房屋坐落", f"{building_label(data.building)} {data.unit_no}"),
                  ("总价款（元）", f"{data.total_price:,.2f}"), ("付款方式", data.payment_method),
                  ("应付金额（元）", f"{data.amount_due:,.2f}"), ("已付金额（元）", f"{data.paid:,.2f}")],
                 columns=2, label_width=28 * mm),
        spacer(2),
        kv_table([("应付金额（大写）", data.amount_due_capital),
                  ("缴款账户", data.account or "（该栋尚无生效的预售资金监管协议，请向开发企业确认收款账户）"),
                  ("业务号", data.case_number), ("开具日期", data.issued_on)], columns=1, label_width=34 * mm),
        spacer(3),
        para("说明：买受人应按本通知单所列应付金额足额缴款，实付金额必须等于应付金额，合同录入任务方可完成。"),
        spacer(6),
        seal_block(("出卖人（盖章）", data.issued_on), caption="出卖人盖章处"),
    ]
    return build_pdf(story, title="资金缴款通知单", reference=f"合同编号 {data.contract_number}", path=path)


# ------------------------------------------------------------------ the contract itself

PRESALE_TITLE = "商品房买卖合同（预售）"
SPOT_TITLE = "商品房买卖合同（现售）"
#: The national model texts the contract follows (住房和城乡建设部、国家工商行政管理总局制定).
MODEL_TEXT = {"presale": "GF—2014—0171", "spot": "GF—2014—0172"}
DRAFT = "草稿"
VOID = "作废"


@dataclass(frozen=True)
class ContractBuyer:
    """A buyer (买受人) as the contract prints him: personal numbers arrive masked."""

    name: str
    id_kind: str  # 居民身份证 …
    masked_id: str
    phone_masked: str

    def __post_init__(self) -> None:
        require_masked(self.masked_id, "masked_id")
        require_masked(self.phone_masked, "phone_masked")


@dataclass(frozen=True)
class ContractUnit:
    """The unit as the survey in force describes it (article 3); never typed."""

    building: str  # 栋号
    unit: str | None  # 单元
    unit_no: str  # 室号
    floor: int  # 实际层
    nominal_floor: str | None
    floors_above: int | None
    floors_below: int | None
    use: str | None
    structure: str | None
    layout: str | None
    built_area: Decimal
    inner_area: Decimal | None
    shared_area: Decimal | None
    survey: str  # "预测 CL20220406001"


@dataclass(frozen=True)
class PresaleContractDocument:
    """商品房买卖合同（预售 / 现售） of one contract, in whatever state it is."""

    kind: str  # presale / spot
    contract_number: str
    case_number: str  # in the QR code
    status_label: str  # 合同录入中 … 已备案
    signed: bool  # the buyers signed (or the signed scan is attached): else printed as a draft
    void: bool  # 已作废 / 已退房: printed watermarked 作废
    signing_form: str  # 电子合同 / 纸质合同
    signed_on: date | None
    sealed_on: date | None
    filing_number: str | None
    filed_on: date | None
    # 出卖人
    developer: str
    credit_code: str  # 统一社会信用代码
    legal_rep: str
    developer_address: str
    # 买受人
    buyers: tuple[ContractBuyer, ...]
    # the project and its permit
    project: str
    project_location: str
    permit_number: str
    permit_issuer: str
    certificates: tuple[tuple[str, str], ...]  # (kind, number) the permit was granted on
    property_company: str
    unit: ContractUnit
    # price and payment
    price_basis: str  # 按建筑面积计算 / 按套内建筑面积计算
    priced_area: Decimal
    unit_price: Decimal
    total_price: Decimal
    payment_method: str  # 一次性付款 …
    down_payment: Decimal
    commercial_loan: Decimal
    fund_loan: Decimal
    loan_bank: str | None
    fund_centre: str | None
    mortgagor: str | None
    mortgagee: str | None
    instalment_terms: str | None
    mortgage_contract: str | None  # filled by the bank at its review
    loan_term_years: int | None
    # 预售资金监管: (bank, account name, account number) when an agreement is in force
    supervision: tuple[str, str, str] | None
    delivery_date: str | None  # as entered ("2027-06-30"); None: as agreed

    def __post_init__(self) -> None:
        if self.kind not in MODEL_TEXT:
            raise ValueError(f"unknown contract kind {self.kind!r}")
        if not self.buyers:
            raise ValueError("a contract has at least one buyer")
        object.__setattr__(self, "total_price", check_amount(self.total_price))

    @property
    def title(self) -> str:
        return PRESALE_TITLE if self.kind == "presale" else SPOT_TITLE

    @property
    def presale(self) -> bool:
        return self.kind == "presale"


def _area(value: Decimal | None) -> str:
    return format_area(value) if value is not None else "—"


def _unit_place(u: ContractUnit) -> str:
    """"D004栋A01单元2-01室"; a building or unit number that already names itself ("2栋") is not named twice."""
    return place_label(u.building, u.unit or "", u.unit_no)


def _co_ownership(data: PresaleContractDocument) -> Article:
    """The buyers' holding: one buyer holds it alone; several tick their way (the entry records none)."""
    if len(data.buyers) == 1:
        return Article("买受人的共有方式", (f"该商品房由买受人{data.buyers[0].name}单独所有。",),
                       options=("单独所有", "共同共有", "按份共有"), chosen=0)
    return Article("买受人的共有方式", (
        "买受人为多人的，由买受人在选定的共有方式前的方框内打“√”；按份共有的，各自份额为："
        + "；".join(f"{b.name}占＿＿＿＿%" for b in data.buyers) + "。",), options=("共同共有", "按份共有"))


def _payment_clauses(data: PresaleContractDocument) -> tuple[str, ...]:
    d = data
    out = [f"买受人采取{d.payment_method}方式付款。"]
    if d.payment_method == "一次性付款":
        out.append(f"买受人应当于本合同签订之日一次性支付该商品房全部价款{price_text(d.total_price)}。")
    elif d.payment_method == "分期付款":
        out.append(f"买受人应当于本合同签订之日支付首期房价款{price_text(d.down_payment)}。")
        out.append(f"其余价款按以下约定分期支付：{d.instalment_terms or '（未约定）'}")
    else:
        out.append(f"买受人应当于本合同签订之日支付首期房价款{price_text(d.down_payment)}。")
        if d.fund_loan:
            out.append(f"余款中{price_text(d.fund_loan)}向{d.fund_centre or '＿＿＿＿'}申请住房公积金贷款支付。")
        if d.commercial_loan:
            out.append(f"余款中{price_text(d.commercial_loan)}向{d.loan_bank or '＿＿＿＿'}申请商业贷款支付。")
    if d.supervision:
        out.append(f"买受人应当将全部房价款（含贷款）存入预售资金监管账户（{d.supervision[0]}，账号{d.supervision[2]}）。"
                   if d.presale else "买受人应当将房价款存入本合同约定的监管账户。")
    return tuple(out)


def _mortgage_article(data: PresaleContractDocument) -> Article | None:
    if data.payment_method not in ("商业贷款", "公积金贷款", "组合贷"):
        return None
    lines = [f"买受人以该商品房设定抵押，向贷款机构申请贷款。抵押人：{data.mortgagor or '＿＿＿＿'}；"
             f"抵押权人：{data.mortgagee or '＿＿＿＿'}。"]
    if data.mortgage_contract or data.loan_term_years:
        lines.append(f"抵押合同编号：{data.mortgage_contract or '—'}；贷款年限："
                     f"{f'{data.loan_term_years}年' if data.loan_term_years else '—'}。")
    lines.append("买受人未能取得贷款的，双方可以解除合同或者改为其他付款方式，出卖人应当退还买受人已付房价款。")
    return Article("贷款与抵押", tuple(lines))


def contract_articles(data: PresaleContractDocument) -> list[Article]:
    """The articles of the national model text (GF—2014—0171 预售 / 0172 现售), filled from the
    entry and the register; what the entry records nothing about is left as the model's blank."""
    d, u = data, data.unit
    certificates = "；".join(f"{kind}{number}" for kind, number in d.certificates) or "（见许可证所载证件）"
    if d.presale:
        basis = Article("预售依据", (
            f"该商品房已由{d.permit_issuer}批准预售，预售许可证号为{d.permit_number}。",
            (f"该商品房预售资金监管机构为{d.supervision[0]}，监管账户名称为{d.supervision[1]}，"
             f"监管账号为{d.supervision[2]}。该商品房价款应当存入预售资金监管账户。")
            if d.supervision else "该栋尚无生效的预售资金监管协议；签约前出卖人应当告知买受人房价款的收款账户。",
        ))
    else:
        basis = Article("销售依据", (
            f"该商品房已竣工，已由{d.permit_issuer}准予现售，现售许可证号为{d.permit_number}。",
            f"该商品房的测绘成果为{u.survey}。",
        ))
    floors = f"地上{u.floors_above}层" if u.floors_above else ""
    if u.floors_below:
        floors += f"、地下{u.floors_below}层"
    nominal = f"（名义层{u.nominal_floor}）" if u.nominal_floor and u.nominal_floor != str(u.floor) else ""
    house = (f"该商品房为{d.project}{_unit_place(u)}，所在层为第{u.floor}层{nominal}"
             + (f"，该幢房屋建筑层数为{floors}" if floors else "") + "。")
    kind_of = (f"该商品房的用途为{u.use or '＿＿＿＿'}，房屋结构为{u.structure or '＿＿＿＿'}"
               + (f"，户型为{u.layout}" if u.layout else "") + "。")
    areas = (f"该商品房{'预测' if u.survey.startswith('预测') else '实测'}建筑面积为{_area(u.built_area)}，"
             f"其中套内建筑面积{_area(u.inner_area)}，分摊共有建筑面积{_area(u.shared_area)}（测绘成果{u.survey}）。")
    arts = [
        Article("项目建设依据", (
            f"出卖人已取得坐落于{d.project_location}的地块的建设用地使用权，在该地块上建设的商品房项目核准名称为{d.project}。",
            f"该项目的建设依据：{certificates}。",
        )),
        basis,
        Article("商品房基本情况", (house, kind_of, areas)),
        _co_ownership(d),
        Article("计价方式与价款", (
            f"出卖人与买受人约定{d.price_basis}该商品房价款：计价面积{_area(d.priced_area)}，"
            f"单价为每平方米{format_yuan(d.unit_price)}，总价款为{price_text(d.total_price)}。",
        )),
        Article("付款方式及期限", _payment_clauses(d)),
    ]
    mortgage = _mortgage_article(d)
    if mortgage is not None:
        arts.append(mortgage)
    when = f"{d.delivery_date.removesuffix('前')}前" if d.delivery_date else "双方约定的日期前"
    if d.presale:
        arts.append(Article("面积差异处理", (
            "该商品房交付时以房产测绘机构的实测面积为准。实测面积与本合同约定面积的误差比绝对值在3%以内（含3%）的，据实结算房价款；",
            "误差比绝对值超出3%时，买受人有权解除合同；买受人选择不解除合同的，超出3%部分的房价款由出卖人承担，"
            "面积减少超出3%部分的房价款由出卖人双倍返还买受人。",
        )))
    arts += [
        Article("交付时间和条件", (
            f"出卖人应当在{when}向买受人交付该商品房。",
            ("该商品房交付时应当取得建设工程竣工验收备案证明文件和房屋测绘报告，并符合本合同约定的其他交付条件。"
             if d.presale else "该商品房已竣工验收并具备交付条件，出卖人应当按本合同约定的时间交付。"),
        )),
        Article("逾期付款与逾期交付责任", (
            "买受人未按照约定的时间付款的，按照逾期时间，每日按照逾期应付款的万分之五向出卖人支付违约金；逾期超过90日的，出卖人有权解除合同。",
            "出卖人未按照约定的时间交付该商品房的，按照逾期时间，每日按照买受人已付房价款的万分之五向买受人支付违约金；"
            "逾期超过90日的，买受人有权解除合同。",
        )),
        Article("合同备案与房屋登记", (
            f"出卖人应当自本合同签订之日起30日内办理商品房{'预售' if d.presale else '买卖'}合同网签备案。",
            "双方应当在商品房交付使用后，共同向不动产登记机构申请办理该商品房的转移登记。",
        )),
        Article("前期物业管理", (f"出卖人依法选聘的前期物业服务企业为{d.property_company or '＿＿＿＿'}。",)),
        Article("争议解决", ("本合同在履行过程中发生的争议，由双方当事人协商解决；协商不成的，按下列方式之一解决"
                             "（由双方在选定的方式前的方框内打“√”）：",),
                options=("提交＿＿＿＿＿＿仲裁委员会仲裁；", "依法向该商品房所在地人民法院起诉。")),
        Article("合同生效", (
            "本合同为电子合同，在各方电子签名后生效，并可根据需要打印，纸质文本与电子文本不一致的，以电子合同文本为准（当事人另有约定的除外）。"
            if d.signing_form == "电子合同" else
            "本合同自双方签字（盖章）之日起生效。本合同一式肆份，出卖人、买受人各执壹份，备案机构、不动产登记机构各存壹份。",
            "双方可以根据具体情况对本合同中未约定、约定不明或不适用的内容签订书面补充协议进行变更或补充，"
            "补充协议与本合同具有同等法律效力。",
        )),
    ]
    return arts


def _facts(data: PresaleContractDocument) -> list[tuple[str, str]]:
    rows = [("合同编号", data.contract_number), ("业 务 号", data.case_number), ("合同状态", data.status_label),
            ("合同形式", data.signing_form), ("签约日期", format_date(data.signed_on) if data.signed_on else "未签约")]
    if data.filing_number:
        rows.append(("备案编号", data.filing_number))
        if data.filed_on:
            rows.append(("备案日期", format_date(data.filed_on)))
    return rows


def _signatures(data: PresaleContractDocument, *, after: Sequence[Flowable] = ()) -> list[Flowable]:
    day_of = (lambda d: f"日期：{format_date(d)}" if d else "日期：　　　　年　　月　　日")
    seller = Signatory("出卖人（盖章）", data.developer,
                       (f"法定代表人：{data.legal_rep}", "委托代理人（签字）：", day_of(data.sealed_on)), seal="出卖人盖章处")
    buyers = [Signatory("买受人（签字）", b.name, ("签字（捺印）：", day_of(data.signed_on))) for b in data.buyers]
    parties = [seller, *buyers]
    out: list[Flowable] = [signature_block(parties[i:i + 2], after=after if i == 0 else ())
                           for i in range(0, len(parties), 2)]
    if data.filing_number and data.filed_on:
        out.append(seal_block(["备案机构（备案章）", f"备案编号：{data.filing_number}",
                               f"备案日期：{format_date(data.filed_on)}"], caption="备案章"))
    return out


def presale_contract_pdf(data: PresaleContractDocument, path: PathArg = None) -> bytes:
    """商品房买卖合同（预售 / 现售）: the facts beside a QR code of the case number, the parties
    (the buyers' numbers masked), the unit from the survey, the price in figures and capitals,
    the payment and its supervised account, the articles, signature and seal places. Not yet
    signed: watermarked 草稿; void or returned: 作废."""
    st = styles()
    facts = kv_table(_facts(data), columns=1, width=beside_width(QR_COLUMN), label_width=28 * mm)
    number = f"合同编号：{data.contract_number}" + (f"　备案编号：{data.filing_number}" if data.filing_number else "")
    status = None if data.filing_number and not data.void else f"（{data.status_label}）"
    u = data.unit
    story: list[Flowable] = [
        *title_block(data.title, status, number),
        para(f"示范文本 {MODEL_TEXT[data.kind]}", "small"),
        beside(facts, case_qr(data.case_number), right_width=QR_COLUMN),
        spacer(3),
        para("合同当事人", "heading"),
        kv_table([("出卖人", data.developer), ("统一社会信用代码", data.credit_code), ("法定代表人", data.legal_rep),
                  ("通讯地址", data.developer_address or "（未登记）")], columns=2, label_width=33 * mm),
        spacer(1),
        wrapped_table(("买受人", "证件类型", "证件号码", "联系电话"),
                      [(b.name, b.id_kind, b.masked_id, b.phone_masked) for b in data.buyers], widths=(30, 18, 30, 22)),
        spacer(3),
        para("商品房基本情况", "heading"),
        kv_table([("项目名称", data.project), (f"{'预售' if data.presale else '现售'}许可证号", data.permit_number),
                  ("房屋坐落", f"{data.project_location} {_unit_place(u)}"), ("所在层", f"第{u.floor}层"),
                  ("用途", u.use or "—"), ("结构", u.structure or "—"),
                  ("建筑面积", _area(u.built_area)), ("套内建筑面积", _area(u.inner_area)),
                  ("分摊面积", _area(u.shared_area)), ("测绘成果", u.survey)], columns=2, label_width=26 * mm),
        spacer(2),
        kv_table([("总价款", price_text(data.total_price)),
                  ("计价方式", f"{data.price_basis}，单价 {format_yuan(data.unit_price)}/平方米"),
                  ("付款方式", data.payment_method),
                  ("资金监管", f"{data.supervision[0]}　账号 {data.supervision[2]}" if data.supervision else "无生效的监管协议"),
                  ("交付日期", data.delivery_date or "按双方约定")], columns=1, label_width=26 * mm),
        spacer(3),
        Paragraph(esc("根据《中华人民共和国民法典》《中华人民共和国城市房地产管理法》《商品房销售管理办法》等法律、法规的规定，"
                      "出卖人和买受人在平等、自愿、公平、协商一致的基础上，就该商品房买卖事项订立本合同。"), st.clause),
    ]
    arts = contract_articles(data)
    # The last article stays on the page of the first signatures: no signature page without text.
    story += [*kept_articles(arts[:-1]), *_signatures(data, after=articles(arts[-1:], first=len(arts)))]
    mark = VOID if data.void else (None if data.signed else DRAFT)
    return build_pdf(story, title=data.title, reference=f"合同编号 {data.contract_number}", path=path, watermark=mark)
