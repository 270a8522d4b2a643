"""The documents a supervisor hands to a citizen (issue 12, item 7).

Each document is rendered and its text extracted with pdftotext: the hall's
contact data from the settings, each city's articles and words, the seal
places, the "第 N 页 共 M 页" footer, Chinese line breaking (also
property-tested), drafts watermarked and not counted as prints, reprints
kept, and the allocation notices (case number in the QR code, 公示期 and
objection channel, the signing window, co-residents' papers).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import delete, select

from bench.pdf import sample_contract, sample_notice, sample_receipt
from core.allocation import lease as lease_rules
from core.errors import RuleViolation
from core.hall import hall_contact
from core.resale.contract_text import city_text, dispute_clause, dispute_options, dispute_text
from reports import allocation as alloc_docs
from reports import resale as docs
from reports.base import Paragraph, markup, para
from reports.files import kept_file_name
from reports.linebreak import CLOSING, OPENING, break_allowed, unbreakable_spans
from services.allocation import documents as alloc_service
from services.allocation import lease as lease_service
from services.resale import contracts
from services.resale import documents as resale_service
from storage.models import Lease
from storage.settings import plain_settings
from tests.conftest import SYSTEM, at, configure
from tests.test_lease import T0, _setup, _tenant_info
from core.timeutil import to_local
from tests.test_reports_allocation import needs_poppler
from tests.test_reports_allocation import sample_contract as sample_lease
from tests.test_reports_allocation import sample_move_in as sample_move_in_notice
from tests.test_reports_allocation import sample_receipt as sample_deposit_receipt
from tests.test_reports_allocation import sample_result_list

BAD_START = "，。、；：？！）」》"


def _lines(pdf: bytes, tmp_path: Path, name: str = "doc") -> list[str]:
    """The document's text lines as pdftotext reads them (reading order, no layout)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [ln.strip() for ln in out.splitlines() if ln.strip()]


def _text(pdf: bytes, tmp_path: Path, name: str = "doc") -> str:
    return re.sub(r"\s+", "", "".join(_lines(pdf, tmp_path, name)))


def _pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def _last_page(pdf: bytes, tmp_path: Path, *options: str) -> str:
    """pdftotext's reading of the document's last page (with ``options``, e.g. -bbox)."""
    last = str(_pages(pdf, tmp_path))
    path = tmp_path / "last.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *options, "-f", last, "-l", last, str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float, float]]:
    """The runs of text of the last page with where they lie: (text, x min, y min from the top,
    x max)."""
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
                       _last_page(pdf, tmp_path, "-bbox"))
    return [(html.unescape(text), float(x0), float(y0), float(x1)) for x0, y0, x1, text in found]


def _page_footers(pdf: bytes, tmp_path: Path) -> list[str]:
    return [re.sub(r"\s+", "", ln) for ln in _lines(pdf, tmp_path, "footers") if re.search(r"第\s*\d+\s*页", ln)]


def _city_contract(code: str, **changes: object) -> docs.ResaleContract:
    city = city_text(code)
    words = {"seller_label": city.seller, "buyer_label": city.buyer, "filing_clause": city.filing,
             "revocation_clause": city.revocation, "disputes": dispute_clause()}
    return sample_contract(city={"shenzhen": "深圳市", "zhongshan": "中山市", "wuhan": "武汉市"}[code],
                           **(words | changes))


# ------------------------------------------------------------------ 1. the hall's contact data


def test_hall_contact_comes_from_the_seeds_the_settings_and_marks_demo_values():
    zhongshan = resale_service.HallOffice.for_city("zhongshan", plain_settings(city="zhongshan"))
    assert zhongshan == resale_service.HallOffice("中山市房地产交易管理事务中心", "中山市石岐街道民族东路1号",
                                                  "0760-88363077")
    shenzhen = resale_service.HallOffice.for_city("shenzhen", plain_settings())
    assert shenzhen.name == "深圳市住房公积金管理中心房屋交易业务网点"
    assert shenzhen.address.endswith("（示例）") and shenzhen.phone.endswith("（示例）")
    configured = plain_settings(city="shenzhen", hall_address="深圳市福田区福中路1号", hall_phone="0755-1234")
    own = resale_service.HallOffice.for_city("shenzhen", configured)
    assert (own.address, own.phone) == ("深圳市福田区福中路1号", "0755-1234")
    # a hall's settings describe that hall: a Zhongshan case printed in Shenzhen names Zhongshan's
    assert resale_service.HallOffice.for_city("zhongshan", configured) == zhongshan
    assert hall_contact("wuhan", hall_city="wuhan", name="武昌区房屋交易窗口").printed("name") == "武昌区房屋交易窗口"


@needs_poppler
def test_no_invented_hall_data_on_receipts_and_notices(tmp_path):
    hall = resale_service.HallOffice.for_city("zhongshan", plain_settings(city="zhongshan"))
    receipt = sample_receipt(hall_name=hall.name, hall_address=hall.address, hall_phone=hall.phone)
    text = _text(docs.acceptance_receipt(receipt), tmp_path)
    assert "中山市石岐街道民族东路1号" in text and "0760-88363077" in text
    for invented in ("027-12345678", "0760-88888888", "中山市东区博爱五路2号", "登记所"):
        assert invented not in text
    shenzhen = resale_service.HallOffice.for_city("shenzhen", plain_settings())
    notice = sample_notice(hall_name=shenzhen.name, hall_address=shenzhen.address, hall_phone=shenzhen.phone)
    text = _text(docs.missing_materials_notice(notice), tmp_path)
    assert "深圳市住房公积金管理中心房屋交易业务网点" in text and "（示例）" in text


# ------------------------------------------------------------------ 2. each city's articles and words


@needs_poppler
def test_each_city_contract_says_its_own_articles(tmp_path):
    wuhan = _text(docs.resale_contract(_city_contract("wuhan")), tmp_path, "wuhan")
    shenzhen = _text(docs.resale_contract(_city_contract("shenzhen")), tmp_path, "shenzhen")
    zhongshan = _text(docs.resale_contract(_city_contract("zhongshan")), tmp_path, "zhongshan")
    assert "本合同网签信息自动完成备案" in wuhan and "撤销网签" in wuhan
    for other in (shenzhen, zhongshan):
        assert "自动完成备案" not in other and "撤销网签" not in other
    assert "加盖备案章" in shenzhen
    assert "即完成存量房买卖合同网签备案" in zhongshan
    assert "转让方（甲方）" in zhongshan and "受让方（乙方）" in zhongshan
    assert "出卖人" not in zhongshan and "买受人" not in zhongshan
    for text in (wuhan, shenzhen, zhongshan):
        assert "设计用途为住宅，房屋结构为钢筋混凝土，" in text  # no "…住宅，钢筋混凝土结构，…"
        # the parties' choice, not court only: none recorded, both ways printed with a box to tick
        assert "提交＿＿＿＿＿＿仲裁委员会仲裁；依法向房屋所在地人民法院起诉。" in text
        assert "在选定的方式前的方框内打“√”" in text and "√提交" not in text and "√依法" not in text


@needs_poppler
def test_contract_prints_each_partys_address_and_an_organisation_seals(tmp_path):
    seller = replace(sample_contract().sellers[0], name="深圳市某某投资有限公司", organisation=True,
                     address="深圳市南山区科技园南区1号", agent="刘经办")
    buyer_a, buyer_b = sample_contract().buyers
    data = _city_contract("shenzhen", sellers=(seller,),
                          buyers=(replace(buyer_a, address="深圳市福田区福华路88号"), buyer_b))
    text = _text(docs.resale_contract(data), tmp_path)
    assert "住所" in text and "深圳市南山区科技园南区1号" in text and "深圳市福田区福华路88号" in text
    assert "（未登记）" in text  # a party the register holds no address for says so
    sign = text[text.rindex("出卖人（甲方）：深圳市某某投资有限公司"):]
    assert "盖章：" in sign and "经办人（刘经办）签字：" in sign
    assert sign.count("签字（捺印）") == 2  # the two persons only


def test_dispute_clause_records_a_choice():
    assert dispute_clause().endswith("在选定的方式前的方框内打“√”）：")
    assert dispute_clause("court").endswith("选定的方式（已打“√”）解决：")
    assert dispute_options("深圳国际仲裁院")[0] == ("arbitration", "提交深圳国际仲裁院仲裁；")
    assert dispute_options()[1] == ("court", "依法向房屋所在地人民法院起诉。")
    assert dispute_text("arbitration", "武汉仲裁委员会") == "仲裁（武汉仲裁委员会）"
    with pytest.raises(ValueError):
        dispute_clause("mediation")


@needs_poppler
@pytest.mark.parametrize(("choice", "commission", "ticked", "left"), [
    (None, None, (), ("提交＿＿＿＿＿＿仲裁委员会仲裁；", "依法向房屋所在地人民法院起诉。")),
    ("court", None, ("依法向房屋所在地人民法院起诉。",), ("提交＿＿＿＿＿＿仲裁委员会仲裁；",)),
    ("arbitration", "武汉仲裁委员会", ("提交武汉仲裁委员会仲裁；",), ("依法向房屋所在地人民法院起诉。",)),
], ids=["none", "court", "arbitration"])
def test_the_printed_contract_ticks_the_parties_choice_of_dispute_resolution(tmp_path, choice, commission,
                                                                            ticked, left):
    """Both ways are printed, each after a box; the way the parties chose has its box ticked
    ("√", read by pdftotext just before the option), with the commission they named."""
    data = _city_contract("wuhan", disputes=dispute_clause(choice), dispute_choice=choice,
                          arbitration_commission=commission)
    text = _text(docs.resale_contract(data), tmp_path)
    article = text[text.index("第十条争议解决"):text.index("第十一条")]
    for option in ticked:
        assert "√" + option in article
    for option in left:
        assert option in article and "√" + option not in article
    assert article.count("√") == len(ticked) + 1  # and the one in the sentence ("打“√”")


# ------------------------------------------------------------------ 3. seal places


@needs_poppler
def test_seal_places(tmp_path):
    filed = _text(docs.resale_contract(_city_contract("shenzhen")), tmp_path, "filed")
    assert "备案机构（备案章）" in filed and "备案章" in filed
    signed = _text(docs.resale_contract(_city_contract("shenzhen", status="已签约", filing_number=None,
                                                       filing_date=None)), tmp_path, "signed")
    assert "备案机构" not in signed
    assert "受理单位（盖章）" in _text(docs.acceptance_receipt(sample_receipt()), tmp_path, "receipt")
    assert "告知单位（盖章）" in _text(docs.missing_materials_notice(sample_notice()), tmp_path, "notice")
    assert "发布单位（盖章）" in _text(alloc_docs.round_result_list(sample_result_list(30)), tmp_path, "list")
    for pdf in (alloc_docs.round_result_list(sample_result_list(30)),
                alloc_docs.family_result_notice(_family_notice()),
                alloc_docs.move_in_notice(sample_move_in_notice()),
                alloc_docs.lease_contract(sample_lease())):
        text = _text(pdf, tmp_path, "sealed")
        assert "（盖章）" in text and "盖章处" in text
    assert "收款专用章" in _text(alloc_docs.deposit_receipt(sample_deposit_receipt()), tmp_path, "deposit")


@needs_poppler
def test_the_lease_has_a_seal_place_for_the_lessor_beside_its_signature(tmp_path):
    """The lessor, a body, seals in its own signature area (a circle, 出租人盖章处) and its 经办人
    signs; the tenant, a person, signs (签字（捺印）); the last clause stays on the signature page."""
    data = sample_lease()
    pdf = alloc_docs.lease_contract(data)
    text = _text(pdf, tmp_path)
    signing = text[text.rindex(f"出租人（甲方）：{data.lessor}"):]
    assert "经办人签字" in signing and signing.count("签字（捺印）") == 1  # the tenant's only
    assert "出租人（甲方，盖章）" not in text
    # the circle's caption lies in the lessor's area: left of the tenant's, below the lessor's name
    words = _words(pdf, tmp_path)
    lessor, tenant, seal = (next(w for w in words if w[0].startswith(start))
                            for start in ("出租人（甲方）：", "承租人（乙方）：", "出租人盖章处"))
    assert lessor[1] < seal[1] < seal[3] < tenant[1] and seal[2] > lessor[2]
    # Whatever the length of the text before it, the signatures never stand alone on a page; a
    # paragraph that the page ends in the middle of goes on whole on the next (the list of
    # co-residents in article 1 is one for some of these lengths).
    for members in range(0, 40, 3):
        household = tuple(f"子女 王{'*' * (k % 3 + 1)}" for k in range(members))
        pdf = alloc_docs.lease_contract(replace(data, household=household))
        page = re.sub(r"\s+", "", _last_page(pdf, tmp_path))
        assert "出租人盖章处" in page and "本合同自双方签字（盖章）之日起生效" in page, members
        running = re.compile(rf"第\d+页共\d+页|公共租赁住房租赁合同合同编号{data.contract_number}")
        whole = running.sub("", _text(pdf, tmp_path, "long"))
        assert f"该房屋仅供乙方及共同居住人（{'、'.join(household) or '无'}）居住使用。".replace(" ", "") in whole


# ------------------------------------------------------------------ 4. footer


@needs_poppler
def test_footer_counts_the_pages_and_names_no_software(tmp_path):
    pdf = alloc_docs.round_result_list(sample_result_list(400))
    footers = _page_footers(pdf, tmp_path)
    total = len(footers)
    assert total > 3
    assert footers == [f"第{n}页共{total}页" for n in range(1, total + 1)]
    for doc in (pdf, docs.resale_contract(sample_contract()), docs.acceptance_receipt(sample_receipt())):
        assert "网签柜台" not in _text(doc, tmp_path, "any")


# ------------------------------------------------------------------ 5. line breaking


def test_break_opportunities():
    text = "证书号为第9582065号，李四占33.33%。价款¥3,500,000.00（大写）"
    allowed = break_allowed(text)
    for start, end in unbreakable_spans(text):
        assert not any(allowed[start + 1:end]), text[start:end]
    assert {text[s:e] for s, e in unbreakable_spans(text)} >= {"第9582065号", "33.33%", "¥3,500,000.00"}
    for k, ch in enumerate(text):
        if ch in CLOSING and k:
            assert not allowed[k]
        if ch in OPENING and k + 1 < len(text):
            assert not allowed[k + 1]


_PIECES = st.sampled_from([
    "房屋", "坐落于", "甲方", "乙方", "占", "第9582065号", "33.33%", "¥3,500,000.00", "WF2026031500088", "2026年",
    "，", "。", "、", "；", "：", "？", "！", "）", "」", "》", "（", "「", "《", "“", "”", "12", "3.5", "A座", " ",
])


def _wrapped_lines(pieces: list[str], width: float, coloured: bool) -> tuple[str, list[str], Paragraph]:
    """The paragraph of ``pieces`` wrapped to ``width``: its text and its lines.
    ``coloured`` gives every other piece its own colour, so the paragraph has
    several fragments (reportlab's other wrapping path)."""
    text = " ".join("".join(pieces).split())  # as a paragraph reads it: runs of spaces are one
    if coloured:
        source = "".join(f'<font color="#333333">{p}</font>' if i % 2 else p for i, p in enumerate(pieces))
        p = markup(source, "body")
    else:
        p = para(text, "body")
    p.wrap(width, 10_000)
    lines = ["".join(line[1]) if isinstance(line, tuple) else "".join(f.text for f in line.words)
             for line in p.blPara.lines]
    return text, lines, p


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(_PIECES, min_size=1, max_size=60), width=st.integers(min_value=40, max_value=400),
       coloured=st.booleans())
def test_wrapping_keeps_the_rules_whatever_the_text_and_width(pieces, width, coloured):
    """Whatever the text and the width, the shared paragraph wrapping (every
    document's) loses nothing, starts no line with closing punctuation, ends
    none with opening punctuation and cuts no number, certificate number or
    percentage — unless one unbreakable piece is itself wider than the line,
    the only case where it must be cut."""
    text, lines, p = _wrapped_lines(pieces, width, coloured)
    if not text:
        return
    assert " ".join("".join(lines).split()) == text  # nothing lost (spaces as the paragraph keeps them)
    text = "".join(lines)  # what the line breaker was given
    allowed = break_allowed(text)
    font, size = p.style.fontName, p.style.fontSize

    def widest_piece_around(k: int) -> float:
        """Width of the unbreakable run containing the boundary at ``k``."""
        a = k
        while a > 0 and not allowed[a]:
            a -= 1
        b = k + 1
        while b < len(text) and not allowed[b]:
            b += 1
        return stringWidth(text[a:b], font, size)

    pos = 0
    for line in lines[:-1]:
        pos += len(line)
        if not allowed[pos]:  # a cut: only where the piece cannot fit on a line at all
            assert widest_piece_around(pos) > width, (lines, pos)
        else:
            assert text[pos] not in CLOSING and text[pos - 1] not in OPENING
            assert not any(s < pos < e for s, e in unbreakable_spans(text))


@needs_poppler
def test_contract_text_lines_respect_the_rules(tmp_path):
    """In the rendered contract no line starts with closing punctuation and the
    certificate number and the percentages are each on one line."""
    house = replace(sample_contract().house, certificate_number="粤（2021）深圳市不动产权第9582065号")
    buyers = tuple(replace(b, name=n, share=Decimal(s), agent=None) for b, n, s in
                   zip((*sample_contract().buyers, sample_contract().buyers[0]), ("李思远", "陈晓雯", "王大明"),
                       ("33.33", "33.33", "33.34"), strict=True))
    data = _city_contract("shenzhen", house=house, buyers=buyers)
    lines = _lines(docs.resale_contract(data), tmp_path)
    assert not [ln for ln in lines if ln[0] in BAD_START]
    assert any("第9582065号" in ln for ln in lines)
    assert any("33.33%" in ln for ln in lines) and any("33.34%" in ln for ln in lines)


# ------------------------------------------------------------------ 6. drafts and reprints


@needs_poppler
def test_draft_is_watermarked(tmp_path):
    draft = sample_contract(status="草稿", signing_date=None, filing_number=None, filing_date=None)
    text = _text(docs.resale_contract(draft), tmp_path, "draft")
    assert text.count("草稿") >= 2  # the subtitle and the watermark on each page
    signed = sample_contract(status="已签约", filing_number=None, filing_date=None)
    assert "草稿" not in _text(docs.resale_contract(signed), tmp_path, "signed")


def test_draft_print_is_not_a_print_of_the_contract(sample_db, tmp_path):
    draft = next(r for r in contracts.find_contracts(sample_db, SYSTEM, status="draft"))
    pdf = resale_service.contract_pdf(sample_db, SYSTEM, draft.number)
    assert b"%PDF" in pdf[:8]
    assert contracts.get_contract(sample_db, SYSTEM, draft.id).printed_at is None


def test_reprints_are_kept(tmp_path):
    first = kept_file_name(tmp_path, "C1-存量房买卖合同.pdf")
    first.write_bytes(b"1")
    second = kept_file_name(tmp_path, "C1-存量房买卖合同.pdf")
    second.write_bytes(b"2")
    third = kept_file_name(tmp_path, "C1-存量房买卖合同.pdf")
    assert [first.name, second.name, third.name] == ["C1-存量房买卖合同.pdf", "C1-存量房买卖合同-2.pdf",
                                                     "C1-存量房买卖合同-3.pdf"]
    assert first.read_bytes() == b"1"
    receipts = [sample_receipt(case_number="C202603150000001")]
    docs.acceptance_receipts(receipts, tmp_path / "batch", workers=1)
    docs.acceptance_receipts(receipts, tmp_path / "batch", workers=1)
    assert sorted(p.name for p in (tmp_path / "batch").iterdir()) == ["C202603150000001-2.pdf",
                                                                       "C202603150000001.pdf"]


# ------------------------------------------------------------------ 7. allocation documents


def _family_notice(**changes: object) -> alloc_docs.FamilyResultNotice:
    from tests.test_reports_allocation import sample_notice as family_notice

    return family_notice(**changes)


def _decoded_qr(pdf: bytes, tmp_path: Path) -> str | None:
    """The QR code's payload as a decoder reads the rendered page (None without zbarimg)."""
    if shutil.which("zbarimg") is None:
        return None
    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "qr")],
                   check=True)
    png = next(tmp_path.glob("qr*.png"))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True).stdout
    return out.strip()


def test_family_notice_has_a_real_case_number_in_its_qr(db, clerk, tmp_path, monkeypatch):
    ids = _setup(db)
    configure(db, city="zhongshan")
    # the round was loaded without a case: no number to print, so no notice
    with pytest.raises(RuleViolation) as refused:
        alloc_service.family_result_notice_data(db, SYSTEM, ids["round"], ids["a"])
    assert refused.value.code == "ROUND_NO_CASE_NUMBER"
    number = lease_service.start_lease(db, clerk, ids["round"], ids["a"])
    data = alloc_service.family_result_notice_data(db, SYSTEM, ids["round"], ids["a"])
    assert data.case_number == number and number
    assert data.signing_place == "中山市房地产交易管理事务中心（中山市石岐街道民族东路1号）"
    assert data.contact_phone == "0760-88363077"
    encoded: list[str] = []
    real = alloc_docs.qr_code
    monkeypatch.setattr(alloc_docs, "qr_code", lambda value, **kw: encoded.append(value) or real(value, **kw))
    pdf = alloc_docs.family_result_notice(data)
    assert encoded == [number]
    text = _text(pdf, tmp_path)
    assert f"业务号{number}" in text and "办理地点" in text and "0760-88363077" in text and "盖章处" in text
    decoded = _decoded_qr(pdf, tmp_path)
    assert decoded is None or decoded == number


def test_lease_is_signed_inside_the_window_the_notice_gave(db, clerk):
    ids = _setup(db)
    published = T0 + timedelta(days=3)
    number = lease_service.start_lease(db, clerk, ids["round"], ids["a"])
    _tenant_info(db, clerk, number)
    lease_service.record_identity_check(db, clerk, number, who="main_applicant", document_seen="居民身份证原件")
    first, last = lease_rules.signing_window(to_local(published).date(), db.settings.signing_days)  # Shanghai day
    late = published + timedelta(days=db.settings.signing_days + 1)
    with pytest.raises(RuleViolation) as refused:
        lease_service.sign_contract(at(db, late), clerk, number)
    assert refused.value.code == "LEASE_SIGNING_WINDOW"
    assert f"{last.year}年{last.month}月{last.day}日" in refused.value.message
    lease_service.sign_contract(db, clerk, number)
    with db.read() as session:
        signed_on = session.execute(select(Lease.signed_on)).scalar_one()
    assert first <= signed_on <= last


def test_signing_window_and_publicity_rules():
    assert lease_rules.signing_window(date(2026, 3, 6), 15) == (date(2026, 3, 6), date(2026, 3, 20))
    assert lease_rules.publicity_until(date(2026, 3, 6), 5) == date(2026, 3, 10)
    with pytest.raises(RuleViolation):
        lease_rules.check_signing_day(date(2026, 3, 21), (date(2026, 3, 6), date(2026, 3, 20)))


def test_public_list_has_publicity_period_and_objection_channel(db, clerk, tmp_path):
    ids = _setup(db)
    configure(db, city="zhongshan", publicity_days=7)
    data = alloc_service.round_result_list_data(db, SYSTEM, ids["round"])
    published = data.published_on
    assert data.publicity_until == published + timedelta(days=6)
    assert "0760-88363077" in (data.contact or "") and "民族东路1号" in (data.contact or "")
    text = _text(alloc_docs.round_result_list(data), tmp_path)
    assert "公示期为" in text and "有异议的" in text and "异议受理" in text and "发布单位" in text


@needs_poppler
def test_move_in_notice_asks_for_co_residents_papers_only_when_there_are_some(tmp_path):
    with_family = _text(alloc_docs.move_in_notice(sample_move_in_notice()), tmp_path, "with")
    assert "共同居住人的身份证明" in with_family
    alone = replace(sample_move_in_notice(), household=(), things_to_bring=None)
    assert "共同居住人的身份证明" not in _text(alloc_docs.move_in_notice(alone), tmp_path, "alone")
    with pytest.raises(ValueError, match="co-residents"):
        replace(alone, things_to_bring=alloc_docs.things_to_bring(("配偶 王*",)))


@needs_poppler
def test_every_demo_round_prints_its_family_notice_with_its_case_number_and_qr(sample_db, tmp_path):
    """The demo's rounds are created as the counter creates one, case and 业务号 included (dated
    the day each was created, never the day the demo was made): every round's family notice
    prints, its QR code decoding to the number printed beside it."""
    from services.allocation import rounds
    from tests.conftest import SAMPLE_LOADED_AT

    db = sample_db
    listed = {r.number: r for r in rounds.rounds_list(db, SYSTEM)}
    numbers = {n: rounds.round_detail(db, SYSTEM, r.id).case_number for n, r in listed.items()}
    assert sorted(numbers) == [1, 2, 3, 4] and all(numbers.values()) and len(set(numbers.values())) == 4
    days = {n: number[1:9] for n, number in numbers.items()}  # type letter, yyyymmdd, sequence
    assert (days[1], days[2], days[3]) == ("20260223", "20260629", "20261026")  # rounds.json's created_at
    assert f"{SAMPLE_LOADED_AT:%Y%m%d}" not in days.values()  # the demo's own day keeps its numbers
    # round 3 runs after its formal selection (June 2027), round 4 on the demo's day
    rounds.run_round(at(db, datetime(2027, 7, 1, 2, tzinfo=UTC)), SYSTEM, listed[3].id)
    rounds.run_round(at(db, SAMPLE_LOADED_AT + timedelta(hours=2)), SYSTEM, listed[4].id)
    for n, row in sorted(listed.items()):
        first = rounds.round_results(db, SYSTEM, row.id)[0]
        data = alloc_service.family_result_notice_data(db, SYSTEM, row.id, first.family_id)
        assert data.case_number == numbers[n]
        pdf = alloc_docs.family_result_notice(data)
        folder = tmp_path / f"round{n}"
        folder.mkdir()
        text = _text(pdf, folder)
        assert f"业务号{numbers[n]}" in text and f"第{n}场" in text
        assert _decoded_qr(pdf, folder) in (None, numbers[n])


def _approved_lease(db, clerk, supervisor, ids) -> str:  # type: ignore[no-untyped-def]
    number = lease_service.start_lease(db, clerk, ids["round"], ids["a"])
    _tenant_info(db, clerk, number)
    lease_service.record_identity_check(db, clerk, number, who="main_applicant", document_seen="居民身份证原件")
    lease_service.sign_contract(db, clerk, number)
    lease_service.record_deposit(db, clerk, number)
    lease_service.review_lease(db, supervisor, number, approve=True)
    return number


@needs_poppler
@pytest.mark.parametrize("alone", [False, True], ids=["with-spouse", "alone"])
def test_the_lease_papers_of_a_family_as_it_is(db, clerk, supervisor, tmp_path, alone):
    """From the counter's own data: the move-in notice asks for co-residents' identity papers
    only of a family that has co-residents; on every allocation document the bodies seal
    (盖章) and only persons are asked to 签字（捺印）."""
    from storage.models import FamilyMember

    ids = _setup(db)
    if alone:
        with db.write() as session:
            session.execute(delete(FamilyMember).where(FamilyMember.family_id == ids["a"],
                                                       FamilyMember.relation != "本人"))
    number = _approved_lease(db, clerk, supervisor, ids)
    notice = _text(lease_service.move_in_notice_pdf(db, clerk, number), tmp_path, "notice")
    assert ("共同居住人的身份证明" in notice) is not alone
    assert ("共同居住人无" in notice) is alone
    assert "（盖章）" in notice and "盖章处" in notice
    contract = _text(lease_service.lease_contract_pdf(db, clerk, number), tmp_path, "contract")
    assert "出租人盖章处" in contract and contract.count("签字（捺印）") == 1  # the tenant, a person
    assert ("配偶王*" in contract) is not alone
    receipt = _text(lease_service.deposit_receipt_pdf(db, clerk, number), tmp_path, "receipt")
    assert "（盖章）" in receipt and "收款专用章" in receipt and "签字（捺印）" not in receipt
