"""协议模板 of the fund supervision agreement (编辑协议书, seed 004 §5.3.1: "选择合同模板，合同内容
出来后进行保存"). A template is data: its title, the lines under the title (who drew it up and
who supervised the text, as the seed's sample shows them) and its articles, whose clauses name
the agreement's facts as ``{placeholders}`` filled from ``AgreementFacts``. The wording is a
plain statement of what the system records (the parties, the account, the units, the amounts)
and of the seed's flow; a hall replaces it with its city's official text by adding a template.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import RuleViolation

__all__ = ["TEMPLATES", "AgreementFacts", "AgreementTemplate", "fill", "template"]


@dataclass(frozen=True)
class AgreementFacts:
    """What a template's clauses may name, already formatted for print."""

    agreement_number: str
    developer: str
    bank: str
    account_name: str
    account_number: str
    project: str
    location: str
    building: str
    units: str  # e.g. "102"
    supervised_area: str  # e.g. "12,647.32 平方米"
    presale_total: str  # figures and capitals
    key_amount: str  # figures and capitals
    standard: str  # e.g. "¥1,500.00"
    works_progress: str


@dataclass(frozen=True)
class AgreementTemplate:
    code: str
    name: str
    title: str
    under_title: tuple[str, ...]
    articles: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, clauses)


_ARTICLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("监管项目", (
        "甲方开发的{project}（坐落：{location}）{building}的预售资金纳入本协议监管。",
        "监管户室共{units}套，监管建筑面积{supervised_area}，户室明细见本协议附件《监管户室清单》。",
        "项目预售总额：{presale_total}。签订本协议时实际工程进度：{works_progress}。",
    )),
    ("监管账户", (
        "甲方在乙方开立预售资金监管账户，账户名称：{account_name}，账号：{account_number}。",
        "监管户室的购房款（含定金、首付款、分期款及按揭贷款）应全部存入监管账户，甲方不得以其他账户收存。",
    )),
    ("重点监管资金", (
        "重点监管资金额度按监管户室的建筑面积乘以每平方米{standard}的监管标准计算，为{key_amount}。",
        "重点监管资金按工程进度节点拨付；重点监管额度以外的资金为一般资金，由甲方申请支取，用于本项目建设。",
    )),
    ("资金支取", (
        "甲方申请支取资金，应通过系统提交支取申请，经主管部门审核同意后，由乙方拨付；同一协议有在支取中的业务时，不得同时再发起。",
        "乙方应按审核通过的金额和收款账户及时拨付，并如实记录资金流水。",
    )),
    ("协议变更", (
        "监管户室、监管账户或监管金额发生变化的，甲方应申请协议变更，经主管部门和乙方审核后生效。",
    )),
    ("其他", (
        "本协议经主管部门审核、乙方审核并归档后生效，一式三份，甲方、乙方和主管部门各执一份。",
    )),
)

TEMPLATES: dict[str, AgreementTemplate] = {t.code: t for t in (
    AgreementTemplate(
        "changsha", "长沙市新建商品房预售资金监管协议书", "新建商品房预售资金监管协议书",
        ("长沙市住房和城乡建设局 制定", "中国人民银行长沙中心支行 监制"), _ARTICLES),
)}


def template(code: object) -> AgreementTemplate:
    """The template of ``code``. Refused: FUND_TEMPLATE_UNKNOWN."""
    if isinstance(code, str) and code.strip() in TEMPLATES:
        return TEMPLATES[code.strip()]
    names = "、".join(f"{t.code}（{t.name}）" for t in TEMPLATES.values())
    raise RuleViolation("FUND_TEMPLATE_UNKNOWN", f"没有这个协议模板，可选：{names}。", field="template")


def fill(tpl: AgreementTemplate, facts: AgreementFacts) -> list[tuple[str, list[str]]]:
    """The template's articles with the agreement's facts in them."""
    values = facts.__dict__
    return [(heading, [clause.format(**values) for clause in clauses]) for heading, clauses in tpl.articles]
