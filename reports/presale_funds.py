"""预售资金监管协议书 (seed 004 §5.3.1 编辑协议书): the agreement's text from its template, the
parties, the list of supervised units, and the signature areas of the developer (甲方) and the
supervising bank (乙方), each with the place for its seal, and the authority's filing seal.

Built from plain data (``AgreementDocument``) that ``services.presale.funds`` hands over; an
agreement not yet in force is printed with the watermark 草稿.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm

from reports.base import (
    Article,
    PathArg,
    Signatory,
    articles,
    build_pdf,
    data_table,
    kv_table,
    para,
    signature_block,
    spacer,
    title_block,
)

__all__ = ["AgreementDocument", "agreement_pdf"]


@dataclass(frozen=True)
class AgreementDocument:
    title: str
    under_title: tuple[str, ...]  # who drew up and supervised the template's text
    agreement_number: str
    version: int
    developer: str
    bank: str
    account_name: str
    account_number: str
    articles: list[tuple[str, list[str]]]  # (heading, clauses), the template filled
    units: list[tuple[str, str, str]]  # (室号, 建筑面积, 监管 / 不监管)
    draft: bool  # not yet in force


def agreement_pdf(data: AgreementDocument, path: PathArg = None) -> bytes:
    """The agreement as the parties sign and seal it."""
    number = data.agreement_number + (f"（第{data.version}版）" if data.version > 1 else "")
    story = [
        *title_block(data.title),
        *[para(line, "subtitle") for line in data.under_title],
        spacer(2),
        para(f"协议号：{number}", "right"),
        kv_table([("甲方（开发企业）", data.developer), ("乙方（监管银行）", data.bank),
                  ("监管账户名称", data.account_name), ("监管账号", data.account_number)],
                 columns=1, label_width=34 * mm),
        spacer(3),
    ]
    body = articles([Article(heading, tuple(clauses)) for heading, clauses in data.articles])
    # The last article (its heading and clauses) stays on the page of the signatures.
    last = 1 + len(data.articles[-1][1])
    story += body[:-last]
    story.append(signature_block([
        Signatory("甲方（开发企业）", data.developer, ("法定代表人或委托代理人：", "日期：　　　　年　　月　　日"),
                  seal="甲方盖章处"),
        Signatory("乙方（监管银行）", data.bank, ("负责人或委托代理人：", "日期：　　　　年　　月　　日"),
                  seal="乙方盖章处"),
    ], after=body[-last:]))
    story += [spacer(4), para("附件：监管户室清单", "heading"),
              data_table(("序号", "室号", "建筑面积（㎡）", "是否监管"),
                         [(i, no, area, flag) for i, (no, area, flag) in enumerate(data.units, start=1)],
                         widths=(1, 2, 2, 2), align=("CENTER", "CENTER", "RIGHT", "CENTER"))]
    return build_pdf(story, title=data.title, reference=f"协议号 {number}", path=path,
                     watermark="草稿" if data.draft else None)
