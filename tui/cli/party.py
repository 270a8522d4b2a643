"""`wangqian party …`: the register of parties (当事人登记) from the command line.

Each command calls the same use case as the 当事人登记 screen
(``services.parties``; ``party find`` / ``party show`` the 申请人查询's
``services.lookup``). Numbers and phones are shown masked. A bad value prints one
Chinese sentence with its rule code and exits 1 (``party import`` lists every bad
row first); a number that names nobody, or a file that cannot be read, exits 2.
"""

from __future__ import annotations

import json
from pathlib import Path
import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from core.identity import ID_KIND_LABELS
from core.parties import KIND_CHOICES, PartyInvalid
from tui.cli.helpers import (
    bad_input,
    database,
    err,
    input_refusals,
    out,
    refusals,
    say_refusal,
    shown,
    system_actor,
)

F = TypeVar("F", bound=Callable[..., Any])

party_app = typer.Typer(help="当事人登记：个人、单位、经办人、公证委托代理人、身份变更。", no_args_is_help=True)

#: Refusals meaning the input names nobody: exit 2, not 1.
BAD_INPUT_CODES = frozenset({"PARTY_NOT_FOUND", "PARTY_AMBIGUOUS", "ORG_NOT_FOUND", "APPLICANT_NOT_FOUND"})

KIND_HELP = "证件类型：" + "，".join(f"{i} {ID_KIND_LABELS[k]}" for i, k in enumerate(KIND_CHOICES, 1)) + \
    "（可填编号或名称；不填按号码识别）。"

Number = Annotated[str, typer.Argument(metavar="证件号码", help="当事人的证件号码（身份变更前的号码也可）。")]
CreditCode = Annotated[str, typer.Argument(metavar="统一社会信用代码", help="单位的统一社会信用代码。")]
Kind = Annotated[str | None, typer.Option("--kind", help=KIND_HELP)]
Phone = Annotated[str | None, typer.Option("--phone", help="手机号。")]
Address = Annotated[str | None, typer.Option("--address", help="住址。")]
From = Annotated[str, typer.Option("--from", help="起始日期，如 2026-12-01。")]
To = Annotated[str, typer.Option("--to", help="截止日期，如 2027-11-30。")]
Scope = Annotated[str | None, typer.Option("--scope", help="授权或委托事项（不填为存量房买卖）。")]


def each_refusal(fn: F) -> F:
    """Every bad value of an entry, one sentence each (``PartyInvalid``); the last one
    exits like any refusal (``refusals``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PartyInvalid as exc:
            for error in exc.errors[:-1]:
                say_refusal(error.code, error.message)
            raise exc.errors[-1] from None

    return wrapper  # type: ignore[return-value]


def _done(what: str, view) -> None:  # type: ignore[no-untyped-def]
    out.print(f"{what}：{shown(view.name)}　{shown(view.document)} {shown(view.masked_number)}"
              + (f"　手机 {shown(view.masked_phone)}" if view.masked_phone else "") + "。", highlight=False)


@party_app.command("add-person")
@refusals
@each_refusal
def add_person(
    name: Annotated[str, typer.Option("--name", help="姓名（按证件）。")],
    number: Annotated[str, typer.Option("--number", help="证件号码。")],
    kind: Kind = None,
    nationality: Annotated[str | None, typer.Option("--nationality", help="国籍（ISO三字母，外国护照必填）。")] = None,
    phone: Phone = None,
    address: Address = None,
    capacity: Annotated[str | None, typer.Option("--capacity", help="full / limited / none（不填按年龄）。")] = None,
) -> None:
    """登记个人（姓名、证件类型和号码、国籍、手机号、住址、行为能力）。"""
    from core.parties import PersonEntry
    from services import parties

    view = parties.register_person(database(), system_actor(), PersonEntry(
        name=name, id_number=number, id_kind=kind, nationality=nationality, phone=phone, address=address,
        capacity=capacity))
    _done("已登记个人", view)


@party_app.command("add-org")
@refusals
@each_refusal
def add_org(
    name: Annotated[str, typer.Option("--name", help="单位名称（按营业执照）。")],
    credit_code: Annotated[str, typer.Option("--credit-code", help="统一社会信用代码。")],
    legal_rep: Annotated[str, typer.Option("--legal-rep", help="法定代表人姓名。")],
    phone: Phone = None,
    address: Address = None,
) -> None:
    """登记单位（名称、统一社会信用代码、法定代表人）。"""
    from core.parties import OrgEntry
    from services import parties

    view = parties.register_organisation(database(), system_actor(), OrgEntry(
        name=name, credit_code=credit_code, legal_rep_name=legal_rep, phone=phone, address=address))
    _done("已登记单位", view)


@party_app.command("change")
@refusals
@input_refusals(BAD_INPUT_CODES)
@each_refusal
def change(
    number: Annotated[str, typer.Argument(metavar="号码", help="个人的证件号码或单位的统一社会信用代码。")],
    phone: Phone = None,
    address: Address = None,
    capacity: Annotated[str | None, typer.Option("--capacity", help="个人：full / limited / none。")] = None,
    name: Annotated[str | None, typer.Option("--name", help="单位：新名称。")] = None,
    legal_rep: Annotated[str | None, typer.Option("--legal-rep", help="单位：新法定代表人。")] = None,
) -> None:
    """变更登记信息：个人的手机号、住址、行为能力；单位的名称、法定代表人、电话、地址（空值表示删除电话或地址）。"""
    from services import parties

    view = parties.change_party(database(), system_actor(), number, phone=phone, address=address,
                                capacity=capacity, name=name, legal_rep_name=legal_rep)
    _done("已变更", view)


@party_app.command("show")
@refusals
@input_refusals(BAD_INPUT_CODES)
def show(number: Annotated[str, typer.Argument(metavar="号码", help="证件号码或统一社会信用代码。")]) -> None:
    """显示一位当事人：证件、经办人/代理人、名下房屋（号码已遮蔽）。"""
    from services import lookup, parties

    db, actor = database(), system_actor()
    kind, party_id = parties.find_party(db, actor, number)
    d = lookup.applicant_detail(db, actor, kind, party_id)
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for label, value in d.facts:
        if value:
            table.add_row(label, shown(value))
    for line in d.identities:
        table.add_row("证件", shown(" ".join(p for p in (line.document, line.masked_number, line.note) if p)))
    for a in d.agents:
        state = "当前有效" if a.current else "不在有效期内"
        table.add_row("经办人/代理人", shown(f"{a.relation} {a.name} {a.masked_number} "
                                       f"{a.valid_from:%Y-%m-%d}至{a.valid_to:%Y-%m-%d} {state} {a.note}".strip()))
    for h in d.homes:
        table.add_row("名下房屋", shown(f"{h.city} {h.location} {h.certificate} {h.status}"))
    for warning in d.warnings:
        table.add_row("提示", shown(warning))
    out.print(table)


@party_app.command("find")
@refusals
def find(
    text: Annotated[str, typer.Argument(metavar="查询内容", help="证件号码（前几位即可）、姓名、手机号或统一社会信用代码。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出。")] = False,
) -> None:
    """查询当事人（与柜台的申请人查询相同，号码已遮蔽）。"""
    from services import lookup

    hits = lookup.search_applicants(database(), system_actor(), text)
    if as_json:
        out.print_json(json.dumps([{"kind": h.kind, "name": h.name, "document": h.document,
                                    "number": h.masked_number, "phone": h.masked_phone} for h in hits],
                                  ensure_ascii=False))
        return
    if not hits:
        out.print("未找到符合条件的当事人。")
        return
    table = Table("姓名/名称", "证件类型", "证件号码", "手机号", "标记")
    for h in hits:
        table.add_row(shown(h.name), h.document, shown(h.masked_number), shown(h.masked_phone), shown(h.flags))
    out.print(table)


@party_app.command("add-agent")
@refusals
@input_refusals(BAD_INPUT_CODES)
@each_refusal
def add_agent(credit_code: CreditCode, number: Number, valid_from: From, valid_to: To, scope: Scope = None) -> None:
    """法人添加经办人：单位授权已登记的个人在授权期限内代为办理。"""
    from services import parties

    view = parties.add_agent(database(), system_actor(), credit_code=credit_code, agent_number=number,
                             valid_from=valid_from, valid_to=valid_to, scope=scope)
    out.print(f"已添加经办人：{shown(view.organisation)} — {shown(view.agent_name)} {view.masked_number}，"
              f"授权期限 {view.valid_from:%Y-%m-%d} 至 {view.valid_to:%Y-%m-%d}，{shown(view.scope)}。", highlight=False)


@party_app.command("unbind-agent")
@refusals
@input_refusals(BAD_INPUT_CODES)
def unbind_agent(credit_code: CreditCode, number: Number) -> None:
    """法人解绑经办人：该经办人的授权即时终止。"""
    from services import parties

    view = parties.unbind_agent(database(), system_actor(), credit_code=credit_code, agent_number=number)
    out.print(f"已解绑经办人：{shown(view.organisation)} — {shown(view.agent_name)} {view.masked_number}。",
              highlight=False)


@party_app.command("add-proxy")
@refusals
@input_refusals(BAD_INPUT_CODES)
@each_refusal
def add_proxy(
    principal: Annotated[str, typer.Argument(metavar="委托人证件号码", help="业主（委托人）的证件号码。")],
    proxy: Annotated[str, typer.Argument(metavar="代理人证件号码", help="代理人的证件号码。")],
    notarial: Annotated[str, typer.Option("--notarial", help="公证书编号，如（2026）粤深南证字第1234号。")],
    valid_from: From,
    valid_to: To,
    scope: Scope = None,
) -> None:
    """登记业主公证委托代理人（公证书编号、委托事项、委托期限）。"""
    from services import parties

    view = parties.add_proxy(database(), system_actor(), principal_number=principal, proxy_number=proxy,
                             notarial_certificate=notarial, valid_from=valid_from, valid_to=valid_to, scope=scope)
    out.print(f"已登记公证委托：{shown(view.principal_name)} 委托 {shown(view.proxy_name)}，公证书 "
              f"{shown(view.notarial_certificate)}，{view.valid_from:%Y-%m-%d} 至 {view.valid_to:%Y-%m-%d}，"
              f"{shown(view.scope)}。", highlight=False)


@party_app.command("change-id")
@refusals
@input_refusals(BAD_INPUT_CODES)
@each_refusal
def change_id(
    old: Annotated[str, typer.Argument(metavar="原证件号码", help="登记簿（产权证书）记载的证件号码。")],
    new: Annotated[str, typer.Argument(metavar="新证件号码", help="现在的证件号码。")],
    proof: Annotated[str, typer.Option("--proof", help="身份变更材料，如：公安机关出具的身份证号码变更证明及其编号。")],
    kind: Kind = None,
    name: Annotated[str | None, typer.Option("--name", help="姓名也已变更时的新姓名。")] = None,
    nationality: Annotated[str | None, typer.Option("--nationality", help="新证件为外国护照时的国籍。")] = None,
) -> None:
    """办理身份变更：记录原证件号码、新证件号码和证明材料；原号码仍可查到此人。"""
    from services import parties

    view = parties.change_id(database(), system_actor(), old_number=old, new_number=new, proof=proof,
                             new_kind=kind, new_name=name, nationality=nationality)
    _done("已办理身份变更", view)


@party_app.command("import")
@refusals
def import_file(path: Annotated[Path, typer.Argument(metavar="文件.csv", help="CSV 文件（UTF-8 或 GB18030）。")]) -> None:
    """导入已有登记簿：逐行校验，有任何错误则列出每一处错误且不导入任何记录。

    列：类型（个人/单位）、姓名或名称、证件类型、证件号码（单位填统一社会信用代码）、国籍、手机号、住址、行为能力、法定代表人。
    """
    from services import parties

    target = path.expanduser()
    try:
        data = target.read_bytes()
    except (OSError, ValueError):
        raise bad_input("CSV_NOT_READABLE", f"无法读取文件 {shown(str(target))}：文件不存在或不是普通文件。") from None
    try:
        result = parties.import_register(database(), system_actor(), data)
    except parties.ImportInvalid as exc:
        for error in exc.errors[:200]:
            err.print(f"{shown(error.text())}（{error.code}）", highlight=False, soft_wrap=True)
        if len(exc.errors) > 200:
            err.print(f"……另有 {len(exc.errors) - 200} 处错误未列出。", highlight=False)
        raise
    out.print(f"已导入 {result.persons} 名个人、{result.organisations} 个单位。", highlight=False)
