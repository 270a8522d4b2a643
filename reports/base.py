"""Shared scaffolding of every document the counter prints.

One page template (A4; a header with the document's title and reference, a
footer "第 N 页 共 M 页"; optionally a watermark such as 草稿), one set of paragraph styles in the embedded CJK
font with CJK line breaking, and the building blocks documents are made of:
title block, key-value tables, long data tables whose header repeats on every
page, numbered articles (with options to tick), a signature block, a seal
place and a QR code.
Every paragraph breaks its lines by ``reports.linebreak`` (no line starts
with closing punctuation; numbers never break inside).

Documents are built from plain data and return the PDF as bytes (optionally
also written to a path). Every text that comes from data goes through
``esc`` / ``para``: reportlab paragraphs are XML markup, so a "<" or "&" in a
name or an address must not be read as a tag.

The output is deterministic (reportlab's invariant mode: no timestamps, fixed
document id), so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from os import PathLike
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as _ReportlabParagraph
from reportlab.platypus.paragraph import ParaLines, _handleBulletWidth, cjkU, makeCJKParaLine

from core.money import format_yuan, to_chinese_capital
from reports.linebreak import fit_text
from reports.qr import qr_runs

from reports.fonts import register_cjk_font

PAGE_SIZE = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm  # leaves room for the running header
MARGIN_BOTTOM = 18 * mm  # leaves room for the footer
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X

APP_NAME = "网签柜台"
INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#5f6368")
RULE = colors.HexColor("#9aa0a6")
SHADE = colors.HexColor("#eef1f4")
HEAD_SHADE = colors.HexColor("#dde3ea")
WATERMARK = colors.HexColor("#9aa0a6")
SEAL = colors.HexColor("#b0b5bb")
FOOTER_Y = 10 * mm

PathArg = str | PathLike[str] | None
T = TypeVar("T")

# Page content streams are Flate-compressed binary, not additionally ASCII85
# text-armoured (reportlab's default, from the days of 7-bit mail): a fifth
# smaller and no pure-Python encoding pass per page (about 1 ms a receipt).
# This is reportlab's own switch; it is global, and reports/ is the only PDF
# maker.
rl_config.useA85 = 0

# ------------------------------------------------------------------ text


def esc(text: object) -> str:
    """Data text made safe for reportlab's paragraph markup."""
    return escape("" if text is None else str(text))


def format_date(day: date) -> str:
    """A date the way every document shows it: 2026年03月05日."""
    return f"{day.year:04d}年{day.month:02d}月{day.day:02d}日"


def format_area(area: Decimal | None, *, unit: bool = True) -> str:
    """An area in square metres with two decimals ("65.30平方米")."""
    if area is None:
        return ""
    text = f"{Decimal(area).quantize(Decimal('0.01'))}"
    return text + ("平方米" if unit else "")


_NUMERALS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """1..99 in lower-case Chinese numerals, as in "第十二条"."""
    if not 1 <= n <= 99:
        raise ValueError(f"ordinal out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _NUMERALS[ones]
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


@lru_cache(maxsize=16384)
def _char_width(ch: str, font: str, size: float) -> float:
    """One character's advance width (line breaking measures text character by character)."""
    return stringWidth(ch, font, size)


class Paragraph(_ReportlabParagraph):
    """reportlab's Paragraph that remembers its line breaking for the width it
    was last wrapped to.

    A paragraph in a table cell is wrapped again each time its table is
    measured and once more when drawn (a key-value table beside the QR code
    three or four times); each wrap breaks the CJK text anew, character by
    character. A paragraph's lines depend only on the width (its text and
    style do not change once made), so a second wrap to the same width gives
    back the first result.
    """

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        last = self.__dict__.get("_wq_wrapped")
        # Valid while reportlab has not dropped or replaced the lines (split does).
        if last is not None and last[0] == availWidth and self.__dict__.get("blPara") is last[2]:
            self.width, self.height = last[1]
            return last[1]
        size = super().wrap(availWidth, availHeight)
        self._wq_wrapped = (availWidth, size, self.blPara)
        return size

    def breakLinesCJK(self, maxWidths):  # noqa: ANN001, ANN201 - reportlab's signature
        """Lines broken by the hall's rule (``reports.linebreak``): no line
        starts with closing punctuation, none ends with opening punctuation,
        and no number, certificate number or percentage is cut in two.

        Replaces reportlab's CJK splitting (which breaks between any two
        characters) for every paragraph of every document, single- and
        multi-fragment alike."""
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        style = self.style
        if style.endDots:  # dotted leaders: reportlab's own layout
            return super().breakLinesCJK(maxWidths)
        self.height = 0
        _handleBulletWidth(self.bulletText, style, maxWidths)
        frags = self.frags
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            # The first part of a paragraph split across pages keeps its lines. reportlab's
            # split hands them over as kind 1 even when they are plain text lines (kind 0, one
            # run of one font): given back as such, as reportlab's own CJK breaking does.
            lines = self.blPara.lines
            if len(frags) == 1 and lines and isinstance(lines[0], tuple):
                return frags[0].clone(kind=0, lines=lines, ascent=frags[0].fontSize,
                                      descent=-0.2 * frags[0].fontSize)
            return self.blPara
        if not frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                             lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize)

        def width_of(line: int) -> float:
            return maxWidths[line] if line < len(maxWidths) else maxWidths[-1]

        f = frags[0]
        # The rest of a paragraph split across pages holds its text as the split's words.
        plain = f.text if hasattr(f, "text") else "".join(getattr(f, "words", ()))
        if len(frags) == 1 and isinstance(plain, str) and not hasattr(f, "cbDefn") \
                and not hasattr(f, "lineBreak"):
            # one run of one font (most paragraphs): plain text lines, as reportlab makes them
            text = plain
            widths = [_char_width(ch, f.fontName, f.fontSize) for ch in text]
            lines = [(width_of(n) - sum(widths[a:b]), [text[a:b]])
                     for n, (a, b) in enumerate(fit_text(text, widths, width_of))]
            return f.clone(kind=0, lines=lines, ascent=f.fontSize, descent=-0.2 * f.fontSize)
        units: list[cjkU] = []
        for f in frags:
            text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
            units += [cjkU(t, f, "utf8") for t in text] if text else [cjkU(text, f, "utf8")]

        widths = []
        for u in units:
            w = u.width
            if hasattr(w, "normalizedValue"):
                w._normalizer = maxWidths[0]
                w = w.normalizedValue(maxWidths[0])
            widths.append(w)
        forced = [hasattr(u.frag, "lineBreak") for u in units]
        calc_bounds = getattr(self, "autoLeading", getattr(style, "autoLeading", "")) not in ("", "off")
        lines = []
        for n, (start, end) in enumerate(fit_text([str(u) for u in units], widths, width_of, forced)):
            used = sum(widths[start:end])
            limit = width_of(n)
            lines.append(makeCJKParaLine(units[start:end], limit, used, limit - used, forced[end - 1], calc_bounds))
        return ParaLines(kind=1, lines=lines)


# ------------------------------------------------------------------ styles


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of all documents (one CJK font, CJK wrapping)."""

    font: str
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    clause: ParagraphStyle
    small: ParagraphStyle
    right: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    caption: ParagraphStyle


@cache
def _styles_for(font: str) -> Styles:
    def style(name: str, size: float, leading: float, **kw: object) -> ParagraphStyle:
        kw.setdefault("textColor", INK)
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading, wordWrap="CJK", **kw)

    return Styles(
        font=font,
        title=style("wq-title", 20, 28, alignment=TA_CENTER, spaceAfter=2 * mm),
        subtitle=style("wq-subtitle", 10.5, 15, alignment=TA_CENTER, textColor=MUTED, spaceAfter=4 * mm),
        heading=style("wq-heading", 12, 18, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
        body=style("wq-body", 10.5, 17, alignment=TA_LEFT, spaceAfter=1.5 * mm),
        clause=style("wq-clause", 10.5, 17, firstLineIndent=21, spaceAfter=1 * mm),
        small=style("wq-small", 8.5, 12, textColor=MUTED),
        right=style("wq-right", 10.5, 16, alignment=TA_RIGHT),
        label=style("wq-label", 9.5, 13, textColor=MUTED),
        value=style("wq-value", 10.5, 14),
        cell=style("wq-cell", 9, 12),
        cell_head=style("wq-cell-head", 9, 12, alignment=TA_CENTER),
        caption=style("wq-caption", 7.5, 9.5, alignment=TA_CENTER, textColor=MUTED),
    )


def styles() -> Styles:
    """The shared styles; registers (and so embeds) the CJK font."""
    return _styles_for(register_cjk_font())


def para(text: object, style: str = "body") -> Paragraph:
    """A paragraph of data text (escaped) in one of the shared styles."""
    return Paragraph(esc(text), getattr(styles(), style))


def markup(text: str, style: str = "body") -> Paragraph:
    """A paragraph of trusted markup (the caller escaped any data in it)."""
    return Paragraph(text, getattr(styles(), style))


# ------------------------------------------------------------------ page template


def _watermark(canvas, text: str) -> None:  # noqa: ANN001 - reportlab canvas
    """``text`` large, translucent and diagonal over the finished page (over
    the tables' shading too, which would hide it underneath)."""
    width, height = PAGE_SIZE
    canvas.saveState()
    canvas.setFillColor(WATERMARK)
    canvas.setFillAlpha(0.35)
    canvas.setFont(styles().font, 110)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, -40, text)
    canvas.restoreState()


def _decorate(canvas, doc, *, title: str, reference: str | None) -> None:  # noqa: ANN001 - reportlab callback
    st = styles()
    width, height = PAGE_SIZE
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    top = height - 12 * mm
    canvas.setFont(st.font, 8.5)
    canvas.drawString(MARGIN_X, top, title)
    if reference:
        canvas.drawRightString(width - MARGIN_X, top, reference)
    canvas.line(MARGIN_X, top - 2 * mm, width - MARGIN_X, top - 2 * mm)
    canvas.line(MARGIN_X, FOOTER_Y + 4 * mm, width - MARGIN_X, FOOTER_Y + 4 * mm)
    canvas.restoreState()


def page_footer(page: int, pages: int) -> str:
    """The footer of every page: "第 2 页 共 5 页" (no software name: the
    citizen's copy names the hall, not the program)."""
    return f"第 {page} 页 共 {pages} 页"


class _CountingCanvas(Canvas):
    """A canvas that holds its pages back until the end, so each footer can
    say how many pages there are ("第 N 页 共 M 页")."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - reportlab's signature
        super().__init__(*args, **kwargs)
        self._wq_pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._wq_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._wq_pages)
        for number, state in enumerate(self._wq_pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFillColor(MUTED)
            self.setFont(styles().font, 8.5)
            self.drawCentredString(PAGE_SIZE[0] / 2, FOOTER_Y, page_footer(number, total))
            self.restoreState()
            super().showPage()
        super().save()


def build_pdf(story: Sequence[Flowable], *, title: str, reference: str | None = None, path: PathArg = None,
              watermark: str | None = None) -> bytes:
    """Lay out ``story`` on the shared page template and return the PDF bytes.

    ``title`` goes into the running header and the PDF metadata; ``reference``
    (e.g. "合同编号 GZ2026…") is shown at the header's right; ``watermark``
    (e.g. "草稿") is printed large and light across every page. Every page's
    footer reads "第 N 页 共 M 页". When ``path`` is given the PDF is also
    written there.
    """
    font = register_cjk_font()  # fail early with FontNotFound, before any layout
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=APP_NAME,
        creator="wangqian",
        subject=reference or title,
        invariant=True,
        initialFontName=font,  # else reportlab adds an unembedded Helvetica to every page
        initialFontSize=10.5,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0, rightPadding=0)

    def on_page(canvas, doc_):  # noqa: ANN001 - reportlab callback
        _decorate(canvas, doc_, title=title, reference=reference)

    def on_page_end(canvas, doc_):  # noqa: ANN001 - reportlab callback
        if watermark:
            _watermark(canvas, watermark)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page, onPageEnd=on_page_end)])
    doc.build(list(story), canvasmaker=_CountingCanvas)
    pdf = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(pdf)
    return pdf


# ------------------------------------------------------------------ batches


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, else the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def batch_workers(count: int, workers: int | None = None) -> int:
    """The worker processes a batch of ``count`` documents runs on: ``workers``
    (default: every usable CPU), never more than there are documents; 1 means
    "in this process, no pool"."""
    if workers is not None and workers < 1:
        raise ValueError("workers must be positive")
    return max(1, min(workers or usable_cpus(), count))


def _init_worker() -> None:
    register_cjk_font()  # once per worker, not per document


def build_batch(
    make: Callable[[T], bytes],
    items: Iterable[T],
    on_pdf: Callable[[T, bytes], None],
    *,
    workers: int | None = None,
    chunksize: int = 8,
) -> int:
    """Build one complete PDF per item with ``make`` and hand each to
    ``on_pdf(item, pdf)`` in the items' order; returns the number of worker
    processes used (see ``batch_workers``).

    Every document is still built on its own, start to finish, with its own
    font subset; the pool only builds several at once, one per CPU. ``make``
    must be a module-level function (the workers import it) and the items
    picklable. Workers are spawned, not forked: the caller may be the TUI,
    whose threads a fork would copy mid-flight. A document that fails raises
    here, in the caller.
    """
    items = list(items)
    n = batch_workers(len(items), workers)
    if n == 1:
        for item in items:
            on_pdf(item, make(item))
        return 1
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n, mp_context=context, initializer=_init_worker) as pool:
        for item, pdf in zip(items, pool.map(make, items, chunksize=chunksize), strict=True):
            on_pdf(item, pdf)
    return n


# ------------------------------------------------------------------ building blocks


def title_block(title: str, subtitle: str | None = None, number: str | None = None) -> list[Flowable]:
    """The document's title, an optional subtitle line and its number at the right."""
    out: list[Flowable] = [para(title, "title")]
    if subtitle:
        out.append(para(subtitle, "subtitle"))
    if number:
        out.append(para(number, "right"))
        out.append(Spacer(1, 2 * mm))
    return out


def kv_table(
    rows: Sequence[tuple[str, object]],
    *,
    columns: int = 2,
    width: float = FRAME_WIDTH,
    label_width: float = 24 * mm,
) -> Table:
    """Label/value pairs in a ruled grid, ``columns`` pairs per line.

    Values wrap (CJK) inside their cell; a pair whose value is long may take a
    whole line by giving it as the only pair of that line: pass ``columns=1``
    for a table of such pairs.
    """
    st = styles()
    value_width = width / columns - label_width
    data: list[list[Flowable | str]] = []
    for start in range(0, len(rows), columns):
        line: list[Flowable | str] = []
        for label, value in rows[start:start + columns]:
            line += [Paragraph(esc(label), st.label), Paragraph(esc(value), st.value)]
        line += [""] * (2 * columns - len(line))
        data.append(line)
    table = Table(data, colWidths=[label_width, value_width] * columns, hAlign="LEFT")
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), st.font),  # blank cells too: no stray Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    commands += [("BACKGROUND", (2 * c, 0), (2 * c, -1), SHADE) for c in range(columns)]
    table.setStyle(TableStyle(commands))
    return table


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    widths: Sequence[float],
    align: Sequence[str] | None = None,
    font_size: float = 9,
) -> LongTable:
    """A long table of short values whose header row repeats on every page.

    ``widths`` are fractions of the frame width; ``align`` per column is
    "LEFT", "CENTER" or "RIGHT". Cells are plain strings (no wrapping), which
    keeps thousands of rows fast to lay out.
    """
    st = styles()
    total = sum(widths)
    col_widths = [FRAME_WIDTH * w / total for w in widths]
    data = [list(header)] + [["" if v is None else str(v) for v in row] for row in rows]
    table = LongTable(data, colWidths=col_widths, repeatRows=1, hAlign="CENTER")
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("LEADING", (0, 0), (-1, -1), font_size + 3),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_SHADE),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if len(data) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SHADE]))
    for col, how in enumerate(align or ()):
        commands.append(("ALIGN", (col, 1), (col, -1), how))
    table.setStyle(TableStyle(commands))
    return table


def numbered(items: Sequence[str], style: str = "body") -> list[Flowable]:
    """Items as "1. …", "2. …" paragraphs with a hanging indent."""
    base = getattr(styles(), style)
    hanging = ParagraphStyle(f"{base.name}-numbered", parent=base, leftIndent=14, firstLineIndent=-14)
    return [Paragraph(f"{i}. {esc(item)}", hanging) for i, item in enumerate(items, start=1)]


@dataclass(frozen=True)
class Article:
    """A numbered article of a contract: a heading and its clauses (plain text);
    optionally options to choose from after them, each with a box (``chosen``,
    their index, ticked; none: every box left for the parties to tick)."""

    heading: str
    clauses: tuple[str, ...]
    options: tuple[str, ...] = ()
    chosen: int | None = None

    def __post_init__(self) -> None:
        if self.chosen is not None and not 0 <= self.chosen < len(self.options):
            raise ValueError("the chosen option is one of the options")


class TickBox(Flowable):
    """A box to tick before an option, with a tick ("√", a character of the
    document's font) in it when the option is chosen. It is one line of
    ``style`` tall and its box sits on that line's baseline, so beside a
    top-aligned paragraph of the same style it reads as part of the line: text
    extraction gives "√" right before a chosen option."""

    def __init__(self, ticked: bool, style: ParagraphStyle) -> None:
        super().__init__()
        self.ticked = ticked
        self.style = style
        self.width = style.fontSize * 1.5
        self.height = style.leading

    def draw(self) -> None:
        canv = self.canv
        size = self.style.fontSize
        baseline = self.height - size  # a paragraph's first baseline, from its top (reports.base.Paragraph)
        side = size * 0.95
        canv.saveState()
        canv.setStrokeColor(INK)
        canv.setLineWidth(0.7)
        canv.rect(0, baseline - size * 0.12, side, side, stroke=1, fill=0)
        if self.ticked:
            canv.setFillColor(INK)
            canv.setFont(self.style.fontName, size)
            canv.drawCentredString(side / 2, baseline, "√")
        canv.restoreState()


class OptionsTable(Table):
    """The table ``options_block`` makes (a layout may keep it with the clause it follows)."""


def options_block(options: Sequence[str], chosen: int | None, *, indent: float = 21) -> OptionsTable:
    """Options one per line, each after its box (``chosen`` ticked), indented as a clause."""
    st = styles()
    style = ParagraphStyle("wq-option", parent=st.clause, firstLineIndent=0, spaceAfter=0)
    box = TickBox(False, style).width
    rows = [[TickBox(k == chosen, style), Paragraph(esc(option), style)] for k, option in enumerate(options)]
    table = OptionsTable(rows, colWidths=[indent + box, FRAME_WIDTH - indent - box], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (0, -1), indent),
        ("LEFTPADDING", (1, 0), (1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1 * mm),
    ]))
    return table


def articles(items: Sequence[Article], *, first: int = 1) -> list[Flowable]:
    """Articles numbered 第一条, 第二条 … (from 第``first``条); clauses numbered (一), (二) …
    when several; an article's options after its clauses, each with its box."""
    st = styles()
    out: list[Flowable] = []
    for n, article in enumerate(items, start=first):
        out.append(markup(f"第{chinese_ordinal(n)}条　{esc(article.heading)}", "heading"))
        several = len(article.clauses) > 1
        for k, clause in enumerate(article.clauses, start=1):
            prefix = f"（{chinese_ordinal(k)}）" if several else ""
            out.append(Paragraph(prefix + esc(clause), st.clause))
        if article.options:
            out.append(options_block(article.options, article.chosen))
    return out


@dataclass(frozen=True)
class Signatory:
    """One party of a signature block: its role line, (optionally) its name, and
    for a body that seals (an organisation, an authority) the caption of the
    place for its seal, drawn beside its lines."""

    role: str  # e.g. "出租人（甲方）"
    name: str = ""
    lines: tuple[str, ...] = ("签字（盖章）：", "日期：　　　　年　　月　　日")
    seal: str = ""  # e.g. "盖章处": a seal place in the party's own area


#: The seal place in a party's own signature area.
PARTY_SEAL_SIZE = 24 * mm


def _signatory_cell(party: Signatory, width: float) -> list[Flowable]:
    """A party's signature area ``width`` wide: its role and name across it, then its
    lines, with its seal place (if any) at their right."""
    st = styles()
    head: list[Flowable] = [Paragraph(esc(party.role + ("：" + party.name if party.name else "")), st.value),
                            Spacer(1, 6 * mm)]
    lines: list[Flowable] = []
    for line in party.lines:
        lines += [Paragraph(esc(line), st.value), Spacer(1, 5 * mm)]
    if not party.seal:
        return head + lines
    place = SealPlace(party.seal, size=PARTY_SEAL_SIZE)
    beside_seal = Table([[lines, place]], colWidths=[width - place.width - 4 * mm, place.width + 4 * mm])
    beside_seal.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.font), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                     ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return [*head, beside_seal]


def signature_block(parties: Sequence[Signatory], *, width: float = FRAME_WIDTH, seal: Sequence[str] = (),
                    seal_caption: str = "盖章处", after: Sequence[Flowable] = ()) -> Flowable:
    """Side-by-side signature areas, kept together on one page (a party with
    ``Signatory.seal`` has its seal place in its own area); with ``seal`` (the
    sealing body's lines, e.g. "受理单位：…（盖章）" and the date) a last
    column holds those lines and the place for the seal. ``after``: what the
    block follows and stays on the page with (e.g. a contract's last clause, so
    a signature page never stands without text); a KeepTogether cannot be
    nested in another, hence this argument."""
    st = styles()
    seal_width = 64 * mm if seal else 0
    party_width = (width - seal_width) / len(parties)
    widths = [party_width] * len(parties)
    cells: list[list[Flowable]] = [_signatory_cell(party, party_width) for party in parties]
    if seal:
        place = SealPlace(seal_caption, size=24 * mm)
        widths.append(seal_width)
        beside_seal = Table([[[Paragraph(esc(line), st.value) for line in seal], place]],
                            colWidths=[seal_width - place.width - 2 * mm, place.width + 2 * mm])
        beside_seal.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.font), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
        cells.append([beside_seal])
    table = Table([cells], colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), st.font),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 6 * mm),
        ])
    )
    return KeepTogether([*after, table])


def qr_code(value: str, *, size: float = 26 * mm, caption: Sequence[str] = ()) -> Flowable:
    """A QR code of ``value`` (e.g. a case number the counter's scanner reads),
    with optional caption lines underneath (keep each line short: CJK wrapping
    would otherwise break a number in two)."""
    widget = QrCodeWidget(value, barWidth=size, barHeight=size, barBorder=2, barLevel="M")
    drawing = Drawing(size, size, initialFontName=styles().font)  # graphics default to Helvetica otherwise
    drawing.add(widget)
    return _with_caption(drawing, size, caption)


def _with_caption(code: Flowable, size: float, caption: Sequence[str]) -> Table:
    """A QR code ``size`` wide with its caption lines centred under it."""
    st = styles()
    cells: list[list[Flowable]] = [[code]]
    if caption:
        cells.append([Paragraph("<br/>".join(esc(line) for line in caption), st.caption)])
    table = Table(cells, colWidths=[size + 4 * mm])
    table.setStyle(
        TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), st.font),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ])
    )
    return table


def beside_width(right_width: float, gap: float = 4 * mm) -> float:
    """The width left for the left-hand flowable of ``beside``."""
    return FRAME_WIDTH - right_width - gap


def beside(left: Flowable, right: Flowable, *, right_width: float, gap: float = 4 * mm) -> Table:
    """Two flowables side by side (e.g. a key-value table and a QR code); build
    ``left`` for ``beside_width(right_width, gap)``."""
    table = Table([[left, right]], colWidths=[beside_width(right_width, gap) + gap, right_width], hAlign="LEFT")
    table.setStyle(
        TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), styles().font),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (0, 0), gap),
            ("RIGHTPADDING", (1, 0), (1, 0), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ])
    )
    return table


def spacer(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)


class SealPlace(Flowable):
    """Where a seal goes: a dashed circle with a small caption in it (e.g.
    "备案章", "盖章处"), so the stamp lands where the reader expects it."""

    def __init__(self, caption: str = "盖章处", size: float = 36 * mm) -> None:
        super().__init__()
        self.caption = caption
        self.width = self.height = size

    def draw(self) -> None:
        canv = self.canv
        r = self.width / 2
        canv.saveState()
        canv.setStrokeColor(SEAL)
        canv.setFillColor(SEAL)
        canv.setLineWidth(0.6)
        canv.setDash(2, 2)
        canv.circle(r, r, r - 1, stroke=1, fill=0)
        canv.setFont(styles().font, 8)
        canv.drawCentredString(r, r - 3, self.caption)
        canv.restoreState()


SEAL_SIZE = 30 * mm


def seal_block(lines: Sequence[str], *, caption: str = "盖章处", width: float = 62 * mm,
               left: Flowable | Sequence[Flowable] | None = None) -> Flowable:
    """An issuer's block at the right of the page: its lines (e.g. the body's
    name "（盖章）" and the date) beside the place for its seal, kept on one
    page. ``left`` (one flowable or several, built for ``seal_left_width(width)``)
    fills the space at its left, e.g. a notice's contact table, so the block
    costs little height."""
    st = styles()
    text = [Paragraph(esc(line), st.value) for line in lines]
    seal = SealPlace(caption, size=SEAL_SIZE)
    cells: list[object] = [text, seal]
    widths = [width, SEAL_SIZE + 2 * mm]
    if left is not None:
        cells.insert(0, left)
        widths.insert(0, seal_left_width(width))
    table = Table([cells], colWidths=widths, hAlign="RIGHT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("VALIGN", (0, 0), (0, 0), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LEFTPADDING", (-2, 0), (-2, 0), 4 * mm if left is not None else 0),
        ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
    ]))
    return KeepTogether([table])


def seal_left_width(width: float = 62 * mm) -> float:
    """The width left beside a ``seal_block`` of text ``width``."""
    return FRAME_WIDTH - width - SEAL_SIZE - 2 * mm

# ------------------------------------------------------------------ contract parts
# Shared by the contracts of every domain (存量房买卖合同, 商品房买卖合同): masked numbers,
# the price in figures and capitals, wrapping party tables, the case-number QR code beside
# the facts, and articles whose heading never ends a page alone.

#: The case-number QR code of a contract or receipt, and the column it stands in.
QR_SIZE = 26 * mm
QR_COLUMN = QR_SIZE + 4 * mm


def require_masked(value: str, name: str) -> None:
    """A personal number must arrive masked (e.g. "420102********123X")."""
    if "*" not in value:
        raise ValueError(f"{name} must be masked before it reaches a document")


def price_text(amount: Decimal) -> str:
    """"人民币（小写）¥3,500,000.00，（大写）叁佰伍拾万元整" in the style of seed 003."""
    return f"人民币（小写）{format_yuan(amount)}，（大写）{to_chinese_capital(amount)}"


def wrapped_table(header: tuple[str, ...], rows: list[tuple[object, ...]], widths: tuple[float, ...]) -> Table:
    """A short table in data_table's look whose cells wrap (CJK): for the
    parties, whose ID kinds and names may be long."""
    st = styles()
    total = sum(widths)
    data = [[Paragraph(esc(h), st.cell_head) for h in header]]
    data += [[Paragraph(esc(v), st.cell) for v in row] for row in rows]
    table = Table(data, colWidths=[FRAME_WIDTH * w / total for w in widths], repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_SHADE),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SHADE]),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


class QrDrawing(Flowable):
    """A QR code drawn as one filled path: the same code as the QrCodeWidget
    of reports.base.qr_code, but one path instead of a shape per module keeps
    a receipt fast (the widget took about half of a receipt's build time).

    The path is written in module units (the canvas scaled so that a module
    is 1 × 1, y downwards), one rectangle per horizontal run of dark modules:
    the same dark area with half as many rectangles, in integers, so the path
    text is made directly instead of formatting some 900 floats."""

    def __init__(self, value: str, size: float, border: int = 2) -> None:
        super().__init__()
        self.value, self.size, self.border = value, size, border
        self.width = self.height = size

    def draw(self) -> None:
        n, runs = qr_runs(self.value)
        unit = self.size / (n + 2 * self.border)
        b = self.border
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colors.black)
        canv.translate(0, self.size)
        canv.scale(unit, -unit)
        canv.addLiteral(" ".join(f"{c + b} {r + b} {length} 1 re" for r, c, length in runs) + " f")
        canv.restoreState()


def case_qr(value: str) -> Table:
    """The case-number QR with its caption, laid out as ``qr_code``, drawn fast (``QrDrawing``)."""
    return _with_caption(QrDrawing(value, QR_SIZE), QR_SIZE, ("业务号", value))


def kept_articles(items: list[Article], *, first: int = 1) -> list[Flowable]:
    """Numbered articles (from 第``first``条) whose heading never ends a page alone: each
    heading is kept with its first clause, and with the options that follow it."""
    flat = articles(items, first=first)
    heading = styles().heading
    out: list[Flowable] = []
    i = 0
    while i < len(flat):
        f = flat[i]
        if isinstance(f, Paragraph) and f.style is heading and i + 1 < len(flat):
            kept = [f, flat[i + 1]]
            i += 2
            while i < len(flat) and isinstance(flat[i], OptionsTable):
                kept.append(flat[i])
                i += 1
            out.append(KeepTogether(kept))
        else:
            out.append(f)
            i += 1
    return out
