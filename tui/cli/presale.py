"""`wangqian presale …`: new-house presale (商品房预售, seed 004) from the command line —
development enterprises, their users, banks, projects and certificates (§3), and survey
results (测绘成果备案, §5.1).

Each command calls the same use case as the screens (``services.presale``). The shell acts
as the administrator; a step on a survey case is taken by the operator who holds it, so
those commands name the operator with ``--as USER`` (an audited administrator's power: the
account must be able to work, and every rule is checked as that operator's). Refusals
print one Chinese sentence with the rule code and exit 1; a bad survey file lists every bad
row first; an enterprise, project or case that does not exist, or a file that cannot be
read, exits 2. Numbers of persons are shown masked.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from core.errors import RuleViolation
from core.roles import Actor
from tui.cli.helpers import (
    bad_input,
    database,
    err,
    input_refusals,
    out,
    read_password,
    refusals,
    shown,
    system_actor,
)
from tui.cli.party import each_refusal

presale_app = typer.Typer(help="商品房预售：开发企业、企业用户、项目、测绘成果备案。", no_args_is_help=True)
developer_app = typer.Typer(help="开发企业（机构信息管理）。", no_args_is_help=True)
user_app = typer.Typer(help="企业用户入网。", no_args_is_help=True)
bank_app = typer.Typer(help="开发企业的银行信息。", no_args_is_help=True)
project_app = typer.Typer(help="项目信息。", no_args_is_help=True)
cert_app = typer.Typer(help="项目证件（四证）。", no_args_is_help=True)
survey_app = typer.Typer(help="测绘成果备案（预测、预测变更、预测转实测、实测、实测变更）。", no_args_is_help=True)
presale_app.add_typer(developer_app, name="developer")
presale_app.add_typer(user_app, name="user")
presale_app.add_typer(bank_app, name="bank")
presale_app.add_typer(project_app, name="project")
presale_app.add_typer(cert_app, name="cert")
presale_app.add_typer(survey_app, name="survey")

#: Refusals meaning the input names nothing: exit 2, not 1.
NOT_FOUND = frozenset({"DEVELOPER_NOT_FOUND", "PROJECT_NOT_FOUND", "SURVEY_CASE_NOT_FOUND", "BANK_NOT_FOUND",
                       "CERTIFICATE_NOT_FOUND", "DEVELOPER_USER_NOT_FOUND", "OPERATOR_NOT_FOUND", "CASE_NOT_FOUND"})

CreditCode = Annotated[str, typer.Argument(metavar="统一社会信用代码", help="开发企业的统一社会信用代码。")]
#: As typed: the use case reads it (``core.presale.projects.check_project_id``), as the screens' field.
ProjectId = Annotated[str, typer.Argument(metavar="项目", help="项目编号（presale project list 可查）。")]
CaseNumber = Annotated[str, typer.Argument(metavar="业务号", help="测绘业务的业务号，如 C202612070000001。")]
As = Annotated[str, typer.Option("--as", metavar="用户名", help="以该操作员的身份办理（须为业务当前办理人）。")]
Json = Annotated[bool, typer.Option("--json", help="以 JSON 输出。")]


def _acting(username: str) -> tuple[Any, Actor]:
    from services import operators

    db = database()
    return db, operators.act_as(db, system_actor(), username)


def _json(value: Any) -> None:
    out.print_json(json.dumps(value, ensure_ascii=False, default=str))


def _line(text: str) -> None:
    out.print(text, highlight=False, soft_wrap=True)


def _read(path: Path) -> str:
    from core.parties import decode_register_file

    target = path.expanduser()
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise bad_input("SURVEY_FILE_NOT_FOUND", f"找不到文件 {target}。") from None
    except OSError:
        raise bad_input("SURVEY_FILE_UNREADABLE", f"无法读取文件 {target}。") from None
    try:
        return decode_register_file(data)
    except RuleViolation as exc:
        raise bad_input(exc.code, exc.message) from None


# ------------------------------------------------------------------ developers


def _show_developer(v) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ("统一社会信用代码", v.credit_code), ("企业名称", v.name), ("企业类型", v.kind),
        ("法定代表人", v.legal_rep_name), ("法定代表人证件", f"{v.legal_rep_document} {v.legal_rep_masked_id}"),
        ("法定代表人联系电话", v.legal_rep_masked_phone), ("所属地区", v.region), ("企业状态", v.status_label),
        ("是否有效", "有效" if v.valid else "无效"), ("成立日期", v.established_on or ""),
        ("工商注册号", v.licence_number or ""), ("注册资本（万元）", v.capital_wan(v.registered_capital)),
        ("实缴资本（万元）", v.capital_wan(v.paid_in_capital)), ("纳税人识别号", v.taxpayer_number or ""),
        ("注册地址", v.address or ""), ("经营范围", v.business_scope or ""), ("备注", v.note or ""),
    ]
    table = Table("项目", "内容", show_header=False)
    for label, value in rows:
        table.add_row(label, shown(value))
    out.print(table)


#: What each field of a developer is, for its add and change commands alike.
DEVELOPER_HELP = {
    "--credit-code": "统一社会信用代码。",
    "--name": "企业名称（按营业执照）。",
    "--kind": "企业类型：有限责任公司、股份有限公司、国有企业……或其序号。",
    "--legal-rep": "法定代表人。",
    "--legal-rep-id": "法定代表人证件号码。",
    "--legal-rep-phone": "法定代表人联系电话（手机）。",
    "--region": "所属地区，如 张家界市。",
    "--legal-rep-id-kind": "证件类型（不填按号码识别）。",
    "--established": "成立日期，如 2009-09-05。",
    "--licence": "工商注册号。",
    "--registered-capital": "注册资本（万元）。",
    "--paid-in-capital": "实缴资本（万元）。",
    "--taxpayer": "纳税人识别号。",
    "--address": "注册地址。",
    "--scope": "经营范围。",
    "--note": "备注。",
}


@developer_app.command("add")
@refusals
@each_refusal
def developer_add(
    credit_code: Annotated[str, typer.Option("--credit-code", help=DEVELOPER_HELP["--credit-code"])],
    name: Annotated[str, typer.Option("--name", help=DEVELOPER_HELP["--name"])],
    kind: Annotated[str, typer.Option("--kind", help=DEVELOPER_HELP["--kind"])],
    legal_rep: Annotated[str, typer.Option("--legal-rep", help=DEVELOPER_HELP["--legal-rep"])],
    legal_rep_id: Annotated[str, typer.Option("--legal-rep-id", help=DEVELOPER_HELP["--legal-rep-id"])],
    legal_rep_phone: Annotated[str, typer.Option("--legal-rep-phone", help=DEVELOPER_HELP["--legal-rep-phone"])],
    region: Annotated[str, typer.Option("--region", help=DEVELOPER_HELP["--region"])],
    legal_rep_id_kind: Annotated[str | None, typer.Option("--legal-rep-id-kind", help=DEVELOPER_HELP["--legal-rep-id-kind"])] = None,
    established: Annotated[str | None, typer.Option("--established", help=DEVELOPER_HELP["--established"])] = None,
    licence: Annotated[str | None, typer.Option("--licence", help=DEVELOPER_HELP["--licence"])] = None,
    registered_capital: Annotated[str | None, typer.Option("--registered-capital", help=DEVELOPER_HELP["--registered-capital"])] = None,
    paid_in_capital: Annotated[str | None, typer.Option("--paid-in-capital", help=DEVELOPER_HELP["--paid-in-capital"])] = None,
    taxpayer: Annotated[str | None, typer.Option("--taxpayer", help=DEVELOPER_HELP["--taxpayer"])] = None,
    address: Annotated[str | None, typer.Option("--address", help=DEVELOPER_HELP["--address"])] = None,
    scope: Annotated[str | None, typer.Option("--scope", help=DEVELOPER_HELP["--scope"])] = None,
    note: Annotated[str | None, typer.Option("--note", help=DEVELOPER_HELP["--note"])] = None,
) -> None:
    """登记开发企业（主管部门）。"""
    from core.presale.developers import DeveloperEntry
    from services.presale import developers

    view = developers.register_developer(database(), system_actor(), DeveloperEntry(
        credit_code=credit_code, name=name, kind=kind, legal_rep_name=legal_rep, legal_rep_id_number=legal_rep_id,
        legal_rep_id_kind=legal_rep_id_kind, legal_rep_phone=legal_rep_phone, region=region,
        established_on=established, licence_number=licence, registered_capital=registered_capital,
        paid_in_capital=paid_in_capital, taxpayer_number=taxpayer, address=address, business_scope=scope, note=note))
    _line(f"已登记开发企业：{shown(view.name)}　{view.credit_code}。")


@developer_app.command("change")
@refusals
@input_refusals(NOT_FOUND)
@each_refusal
def developer_change(
    credit_code: CreditCode,
    name: Annotated[str | None, typer.Option("--name", help=DEVELOPER_HELP["--name"])] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=DEVELOPER_HELP["--kind"])] = None,
    legal_rep: Annotated[str | None, typer.Option("--legal-rep", help=DEVELOPER_HELP["--legal-rep"])] = None,
    legal_rep_id: Annotated[str | None, typer.Option("--legal-rep-id", help=DEVELOPER_HELP["--legal-rep-id"])] = None,
    legal_rep_id_kind: Annotated[str | None, typer.Option("--legal-rep-id-kind", help=DEVELOPER_HELP["--legal-rep-id-kind"])] = None,
    legal_rep_phone: Annotated[str | None, typer.Option("--legal-rep-phone", help=DEVELOPER_HELP["--legal-rep-phone"])] = None,
    region: Annotated[str | None, typer.Option("--region", help=DEVELOPER_HELP["--region"])] = None,
    status: Annotated[str | None, typer.Option("--status", help="企业状态：正常、停业、吊销、注销。")] = None,
    valid: Annotated[bool | None, typer.Option("--valid/--invalid", help="是否有效。")] = None,
    established: Annotated[str | None, typer.Option("--established", help=DEVELOPER_HELP["--established"])] = None,
    licence: Annotated[str | None, typer.Option("--licence", help=DEVELOPER_HELP["--licence"])] = None,
    registered_capital: Annotated[str | None, typer.Option("--registered-capital", help=DEVELOPER_HELP["--registered-capital"])] = None,
    paid_in_capital: Annotated[str | None, typer.Option("--paid-in-capital", help=DEVELOPER_HELP["--paid-in-capital"])] = None,
    taxpayer: Annotated[str | None, typer.Option("--taxpayer", help=DEVELOPER_HELP["--taxpayer"])] = None,
    address: Annotated[str | None, typer.Option("--address", help=DEVELOPER_HELP["--address"])] = None,
    scope: Annotated[str | None, typer.Option("--scope", help=DEVELOPER_HELP["--scope"])] = None,
    note: Annotated[str | None, typer.Option("--note", help=DEVELOPER_HELP["--note"])] = None,
) -> None:
    """开发企业信息完善：变更登记的信息（空字符串表示删除可选项）。"""
    from services.presale import developers

    view = developers.change_developer(
        database(), system_actor(), credit_code, name=name, kind=kind, legal_rep_name=legal_rep,
        legal_rep_id_number=legal_rep_id, legal_rep_id_kind=legal_rep_id_kind, legal_rep_phone=legal_rep_phone,
        region=region, status=status, valid=valid, established_on=established, licence_number=licence,
        registered_capital=registered_capital, paid_in_capital=paid_in_capital, taxpayer_number=taxpayer,
        address=address, business_scope=scope, note=note)
    _line(f"已变更开发企业信息：{shown(view.name)}。")


@developer_app.command("show")
@refusals
@input_refusals(NOT_FOUND)
def developer_show(credit_code: CreditCode, as_json: Json = False) -> None:
    """查看开发企业信息（证件号码、电话已遮蔽）。"""
    from services.presale import developers

    view = developers.show_developer(database(), system_actor(), credit_code)
    if as_json:
        _json(asdict(view))
        return
    _show_developer(view)


@developer_app.command("list")
@refusals
def developer_list(text: Annotated[str | None, typer.Argument(metavar="查询内容", help="名称或代码中的文字。")] = None,
                   as_json: Json = False) -> None:
    """列出开发企业。"""
    from services.presale import developers

    views = developers.list_developers(database(), system_actor(), text)
    if as_json:
        _json([asdict(v) for v in views])
        return
    table = Table("统一社会信用代码", "企业名称", "法定代表人", "所属地区", "状态")
    for v in views:
        table.add_row(v.credit_code, shown(v.name), shown(v.legal_rep_name), shown(v.region),
                      v.status_label + ("" if v.valid else "（无效）"))
    out.print(table)


PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取初始密码。")]


@developer_app.command("admin")
@refusals
@input_refusals(NOT_FOUND)
def developer_admin(
    credit_code: CreditCode,
    username: Annotated[str, typer.Argument(metavar="用户名", help="管理员的用户名。")],
    name: Annotated[str, typer.Option("--name", help="姓名。")],
    phone: Annotated[str, typer.Option("--phone", help="手机号码。")],
    password_stdin: PasswordStdin = False,
) -> None:
    """开设开发企业管理员账户（主管部门；无须入网审核）。"""
    from services.presale import developers

    developers.add_developer_admin(database(), system_actor(), credit_code, username=username, name=name,
                                   phone=phone, password=read_password(password_stdin, "初始密码"))
    _line(f"已开设开发企业管理员账户 {shown(username.strip().lower())}。")


# ------------------------------------------------------------------ users


def _users_table(views) -> None:  # type: ignore[no-untyped-def]
    table = Table("用户名", "姓名", "角色", "开发企业", "手机", "入网状态", "审核意见")
    for v in views:
        table.add_row(shown(v.username), shown(v.name), v.role_label, shown(v.developer_name), v.masked_phone,
                      v.admission_label + ("" if v.active else "（已停用）"), shown(v.decision_note or ""))
    out.print(table)


@user_app.command("add")
@refusals
@input_refusals(NOT_FOUND)
def user_add(
    credit_code: CreditCode,
    username: Annotated[str, typer.Argument(metavar="用户名", help="用户名。")],
    name: Annotated[str, typer.Option("--name", help="姓名。")],
    phone: Annotated[str, typer.Option("--phone", help="手机号码。")],
    password_stdin: PasswordStdin = False,
) -> None:
    """添加企业用户（入网前不能登录）。"""
    from services.presale import users

    view = users.add_user(database(), system_actor(), username=username, name=name, phone=phone,
                          password=read_password(password_stdin, "初始密码"), credit_code=credit_code)
    _line(f"已添加企业用户 {shown(view.username)}（{shown(view.name)}），{view.admission_label}。")


@user_app.command("apply")
@refusals
@input_refusals(NOT_FOUND)
def user_apply(usernames: Annotated[list[str], typer.Argument(metavar="用户名...", help="一个或多个用户名。")]) -> None:
    """申请入网（可批量）。"""
    from services.presale import users

    views = users.apply_admission(database(), system_actor(), usernames)
    _line(f"已为 {len(views)} 名用户申请入网，待主管部门审核。")


@user_app.command("admit")
@refusals
@input_refusals(NOT_FOUND)
def user_admit(username: Annotated[str, typer.Argument(metavar="用户名", help="企业用户的用户名。")],
               note: Annotated[str | None, typer.Option("--note", help="审核意见。")] = None) -> None:
    """入网审核通过（主管部门）。"""
    from services.presale import users

    view = users.decide_admission(database(), system_actor(), username, approve=True, note=note)
    _line(f"用户 {shown(view.username)} 已入网，可以登录。")


@user_app.command("refuse")
@refusals
@input_refusals(NOT_FOUND)
def user_refuse(username: Annotated[str, typer.Argument(metavar="用户名", help="企业用户的用户名。")],
                note: Annotated[str, typer.Option("--note", help="不通过的原因。")]) -> None:
    """入网审核不通过（须写明原因）。"""
    from services.presale import users

    view = users.decide_admission(database(), system_actor(), username, approve=False, note=note)
    _line(f"用户 {shown(view.username)} 的入网申请未通过。")


@user_app.command("list")
@refusals
@input_refusals(NOT_FOUND)
def user_list(credit_code: CreditCode) -> None:
    """列出企业的用户。"""
    from services.presale import users

    _users_table(users.list_users(database(), system_actor(), credit_code))


@user_app.command("queue")
@refusals
def user_queue() -> None:
    """待审核的入网申请。"""
    from services.presale import users

    _users_table(users.admission_queue(database(), system_actor()))


# ------------------------------------------------------------------ banks


@bank_app.command("add")
@refusals
@input_refusals(NOT_FOUND)
@each_refusal
def bank_add(
    credit_code: CreditCode,
    purpose: Annotated[str, typer.Option("--purpose", help="按揭银行 / 监管银行账户 / 贷款银行（或 mortgage / supervision / loan）。")],
    bank: Annotated[str, typer.Option("--bank", help="银行名称。")],
    branch: Annotated[str | None, typer.Option("--branch", help="开户行（网点）。")] = None,
    account_name: Annotated[str | None, typer.Option("--account-name", help="监管账户名称。")] = None,
    account_number: Annotated[str | None, typer.Option("--account-number", help="监管账号。")] = None,
) -> None:
    """添加银行信息。"""
    from core.presale.developers import BankEntry
    from services.presale import developers

    view = developers.add_bank(database(), system_actor(), credit_code, BankEntry(
        purpose=purpose, bank_name=bank, branch=branch, account_name=account_name, account_number=account_number))
    _line(f"已添加{view.purpose_label}：{shown(view.bank_name)}（编号 {view.id}）。")


@bank_app.command("list")
@refusals
@input_refusals(NOT_FOUND)
def bank_list(credit_code: CreditCode, as_json: Json = False) -> None:
    """列出企业的银行信息。"""
    from services.presale import developers

    views = developers.list_banks(database(), system_actor(), credit_code)
    if as_json:
        _json([asdict(v) for v in views])
        return
    table = Table("编号", "类别", "银行", "开户行", "账户名称", "账号")
    for v in views:
        table.add_row(str(v.id), v.purpose_label, shown(v.bank_name), shown(v.branch or ""),
                      shown(v.account_name or ""), shown(v.account_number or ""))
    out.print(table)


@bank_app.command("remove")
@refusals
@input_refusals(NOT_FOUND)
def bank_remove(bank_id: Annotated[int, typer.Argument(metavar="编号", help="监管账户的编号（presale bank list 所列）。")]) -> None:
    """删除一条银行信息。"""
    from services.presale import developers

    developers.remove_bank(database(), system_actor(), bank_id)
    _line(f"已删除银行信息 {bank_id}。")


# ------------------------------------------------------------------ projects


def _show_project(v) -> None:  # type: ignore[no-untyped-def]
    _line(f"项目 {v.id}：{shown(v.name)}（{shown(v.developer_name)}）")
    _line(f"坐落：{shown(v.location)}　区县：{shown(v.district)}")
    if v.land_area or v.floor_area:
        _line(f"用地面积：{v.land_area or '—'} m²　规划总建筑面积：{v.floor_area or '—'} m²")
    if v.property_company:
        _line(f"物业公司：{shown(v.property_company)}")
    table = Table("编号", "证件", "证件编号", "发证日期", "发证机关")
    for c in v.certificates:
        table.add_row(str(c.id), c.kind_label, shown(c.number), str(c.issued_on or ""), shown(c.issuer or ""))
    out.print(table)
    _line("四证齐全。" if not v.missing else f"尚缺：{'、'.join(v.missing)}。")
    if v.buildings:
        table = Table("栋号", "现行测绘成果", "户室", "办理中的测绘业务")
        for b in v.buildings:
            table.add_row(shown(b.number), f"{b.survey_kind or ''} {shown(b.survey_number or '')}".strip() or "—",
                          str(b.units), b.live_case or "")
        out.print(table)


#: What each field of a project is, for its add and change commands alike.
PROJECT_HELP = {
    "--name": "项目名称。",
    "--location": "坐落。",
    "--district": "所在区县。",
    "--land-area": "用地面积（m²）。",
    "--floor-area": "规划总建筑面积（m²）。",
    "--property-company": "物业公司。",
    "--note": "备注。",
}


@project_app.command("add")
@refusals
@input_refusals(NOT_FOUND)
@each_refusal
def project_add(
    credit_code: CreditCode,
    name: Annotated[str, typer.Option("--name", help=PROJECT_HELP["--name"])],
    location: Annotated[str, typer.Option("--location", help=PROJECT_HELP["--location"])],
    district: Annotated[str, typer.Option("--district", help=PROJECT_HELP["--district"])],
    land_area: Annotated[str | None, typer.Option("--land-area", help=PROJECT_HELP["--land-area"])] = None,
    floor_area: Annotated[str | None, typer.Option("--floor-area", help=PROJECT_HELP["--floor-area"])] = None,
    property_company: Annotated[str | None, typer.Option("--property-company", help=PROJECT_HELP["--property-company"])] = None,
    note: Annotated[str | None, typer.Option("--note", help=PROJECT_HELP["--note"])] = None,
) -> None:
    """新增项目。"""
    from core.presale.projects import ProjectEntry
    from services.presale import projects

    view = projects.add_project(database(), system_actor(), ProjectEntry(
        name=name, location=location, district=district, land_area=land_area, floor_area=floor_area,
        property_company=property_company, note=note), credit_code=credit_code)
    _line(f"已新增项目 {view.id}：{shown(view.name)}。")


@project_app.command("change")
@refusals
@input_refusals(NOT_FOUND)
@each_refusal
def project_change(
    project_id: ProjectId,
    name: Annotated[str | None, typer.Option("--name", help=PROJECT_HELP["--name"])] = None,
    location: Annotated[str | None, typer.Option("--location", help=PROJECT_HELP["--location"])] = None,
    district: Annotated[str | None, typer.Option("--district", help=PROJECT_HELP["--district"])] = None,
    land_area: Annotated[str | None, typer.Option("--land-area", help=PROJECT_HELP["--land-area"])] = None,
    floor_area: Annotated[str | None, typer.Option("--floor-area", help=PROJECT_HELP["--floor-area"])] = None,
    property_company: Annotated[str | None, typer.Option("--property-company", help=PROJECT_HELP["--property-company"])] = None,
    note: Annotated[str | None, typer.Option("--note", help=PROJECT_HELP["--note"])] = None,
) -> None:
    """项目信息完善。"""
    from services.presale import projects

    view = projects.change_project(database(), system_actor(), project_id, name=name, location=location,
                                   district=district, land_area=land_area, floor_area=floor_area,
                                   property_company=property_company, note=note)
    _line(f"已变更项目 {view.id}：{shown(view.name)}。")


@project_app.command("show")
@refusals
@input_refusals(NOT_FOUND)
def project_show(project_id: ProjectId, as_json: Json = False) -> None:
    """查看项目、项目证件和楼栋。"""
    from services.presale import projects

    view = projects.show_project(database(), system_actor(), project_id)
    if as_json:
        _json(asdict(view))
        return
    _show_project(view)


@project_app.command("list")
@refusals
@input_refusals(NOT_FOUND)
def project_list(credit_code: Annotated[str | None, typer.Argument(metavar="统一社会信用代码", help="只列该开发企业的项目（不填列出全部）。")] = None,
                 as_json: Json = False) -> None:
    """列出项目。"""
    from services.presale import projects

    views = projects.list_projects(database(), system_actor(), credit_code)
    if as_json:
        _json([asdict(v) for v in views])
        return
    table = Table("编号", "项目", "开发企业", "区县", "楼栋", "四证")
    for v in views:
        table.add_row(str(v.id), shown(v.name), shown(v.developer_name), shown(v.district), str(len(v.buildings)),
                      "齐全" if not v.missing else f"缺{len(v.missing)}")
    out.print(table)


@cert_app.command("add")
@refusals
@input_refusals(NOT_FOUND)
@each_refusal
def cert_add(
    project_id: ProjectId,
    kind: Annotated[str, typer.Option("--kind", help="国有土地使用证 / 建设用地规划许可证 / 建设工程规划许可证 / 建设工程施工许可证（或 1-4）。")],
    number: Annotated[str, typer.Option("--number", help="证件编号。")],
    issued: Annotated[str | None, typer.Option("--issued", help="发证日期。")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="发证机关。")] = None,
    land_use: Annotated[str | None, typer.Option("--land-use", help="土地用途（国土证）。")] = None,
    land_area: Annotated[str | None, typer.Option("--land-area", help="土地面积（国土证，m²）。")] = None,
    land_term_end: Annotated[str | None, typer.Option("--land-term-end", help="土地使用终止日期（国土证）。")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注。")] = None,
) -> None:
    """新增项目证件。"""
    from core.presale.projects import CertificateEntry
    from services.presale import projects

    view = projects.add_certificate(database(), system_actor(), project_id, CertificateEntry(
        kind=kind, number=number, issued_on=issued, issuer=issuer, land_use=land_use, land_area=land_area,
        land_term_end=land_term_end, note=note))
    _line(f"已新增{view.kind_label}：{shown(view.number)}（编号 {view.id}）。")


@cert_app.command("remove")
@refusals
@input_refusals(NOT_FOUND)
def cert_remove(certificate_id: Annotated[int, typer.Argument(metavar="编号", help="项目证件的编号（presale project show 所列）。")]) -> None:
    """删除录错的项目证件。"""
    from services.presale import projects

    projects.remove_certificate(database(), system_actor(), certificate_id)
    _line(f"已删除项目证件 {certificate_id}。")


# ------------------------------------------------------------------ surveys

SURVEY_TYPES = {"predicted": "survey_predicted", "predicted-change": "survey_predicted_change",
                "conversion": "survey_conversion", "actual": "survey_actual", "actual-change": "survey_actual_change"}


@survey_app.command("import")
@refusals
@input_refusals(NOT_FOUND)
def survey_import(
    project_id: ProjectId,
    file: Annotated[Path, typer.Argument(metavar="文件.csv", help="测绘成果文件（每行一户，格式见 core/presale/survey_file.py）。")],
    building: Annotated[str, typer.Option("--building", help="栋号，如 D004。")],
    survey_number: Annotated[str, typer.Option("--survey-number", help="测绘宗号。")],
    acting: As,
    kind: Annotated[str, typer.Option("--type", help="predicted 预测 / predicted-change 预测变更 / conversion 预测转实测 / "
                                                     "actual 实测 / actual-change 实测变更。")] = "predicted",
) -> None:
    """受理测绘成果备案并导入测绘成果文件；文件有任何错误时逐行列出，不导入任何数据。"""
    from services.presale import surveys

    if kind not in SURVEY_TYPES:
        raise bad_input("SURVEY_TYPE_UNKNOWN", "业务类型只能是 predicted、predicted-change、conversion、actual 或 actual-change。")
    text = _read(file)
    db, actor = _acting(acting)
    try:
        done = surveys.start_survey(db, actor, type_code=SURVEY_TYPES[kind], project_id=project_id, building=building,
                                    survey_number=survey_number, text=text)
    except surveys.SurveyFileInvalid as refused:
        for error in refused.errors:
            err.print(f"[red]{shown(error.text())}[/red]（{error.code}）", highlight=False, soft_wrap=True)
        err.print(f"[red]共 {len(refused.errors)} 处错误，未导入任何数据。[/red]（{refused.code}）", highlight=False)
        raise typer.Exit(1) from None
    linked = f"，按室号对照原户室 {done.linked} 套" if done.linked else ""
    _line(f"已受理 {done.case_number}：导入户室 {done.units} 套{linked}。")


@survey_app.command("list")
@refusals
@input_refusals(NOT_FOUND)
def survey_list(project_id: Annotated[int | None, typer.Option("--project", help="项目编号。")] = None,
                as_json: Json = False) -> None:
    """列出测绘成果备案业务。"""
    from services.presale import surveys

    rows = surveys.list_surveys(database(), system_actor(), project_id=project_id)
    if as_json:
        _json([asdict(r) for r in rows])
        return
    table = Table("业务号", "业务类型", "项目", "栋号", "测绘宗号", "户室", "办理阶段", "成果状态")
    for r in rows:
        table.add_row(r.case_number, r.type_name, shown(r.project_name), shown(r.building_number),
                      shown(r.survey_number), str(r.units), f"{r.stage_name}（{r.case_status_label}）", r.status_label)
    out.print(table)


@survey_app.command("show")
@refusals
@input_refusals(NOT_FOUND)
def survey_show(number: CaseNumber, as_json: Json = False) -> None:
    """查看测绘成果：栋信息和户室对照表（来自测绘成果的项带 *）。"""
    from core.presale.units import FIELDS, show_value
    from services.presale import surveys

    v = surveys.show_survey(database(), system_actor(), number)
    if as_json:
        data = asdict(v)
        data["units"] = [{**{f.key: show_value(f.key, u.value(f.key)) for f in FIELDS}, "fixed": sorted(u.fixed)}
                         for u in v.units]
        _json(data)
        return
    _line(f"{v.case_number} {v.type_name}　{v.stage_name}（{v.case_status_label}）"
          + (f"　办理人：{shown(v.holder)}" if v.holder else ""))
    _line(f"{shown(v.developer_name)}　{shown(v.project_name)}　栋号 {shown(v.building_number)}　"
          f"{v.kind_label}测绘宗号 {shown(v.survey_number)}（{v.status_label}）"
          + (f"　原测绘宗号 {shown(v.base_survey_number)}" if v.base_survey_number else ""))
    i = v.info
    _line(f"建筑结构：{i.structure or '—'}　地上层数：{i.floors_above or '—'}　地下层数：{i.floors_below or '—'}　"
          f"建筑高度：{i.height or '—'}　规划用途：{i.building_use or '—'}")
    _line(f"户室 {len(v.units)} 套，建筑面积合计 {show_value('built_area', v.total_built_area)} m²，已定价 {v.priced} 套。")
    table = Table(*[f.label for f in FIELDS])
    for u in v.units:
        table.add_row(*[shown(show_value(f.key, u.value(f.key))) + ("*" if f.key in u.fixed else "") for f in FIELDS])
    out.print(table)


@survey_app.command("grid")
@refusals
@input_refusals(NOT_FOUND)
def survey_grid(
    number: CaseNumber,
    floor: Annotated[int | None, typer.Option("--floor", help="实际层。")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单元号。")] = None,
    nominal_floor: Annotated[str | None, typer.Option("--nominal-floor", help="名义层。")] = None,
    use: Annotated[str | None, typer.Option("--use", help="用途。")] = None,
    layout: Annotated[str | None, typer.Option("--layout", help="户型。")] = None,
) -> None:
    """价格面积核对：楼层 × 户室，每格 毛 / 装 / 面 / 销（元/m²，m²）。"""
    from services.presale import surveys

    g = surveys.grid(database(), system_actor(), number, floor=floor, unit=unit, nominal_floor=nominal_floor,
                     use=use, layout=layout)
    table = Table("实际层", *[f"{shown(u)} {shown(p)}".strip() for u, p in g.columns], show_lines=True)
    for f in g.floors:
        cells = []
        for cell in g.row(f):
            if cell is None:
                cells.append("")
                continue
            lines = [shown(x) for x in cell.lines()]
            if cell.flag:
                lines.append(f"[red]{cell.flag}[/red]")
            cells.append("\n".join(lines))
        table.add_row(str(f), *cells)
    out.print(table)
    _line(f"共 {len(g.cells)} 户，需核对 {g.flagged} 户（未定价或销售单价不等于毛坯单价加装修单价）。")


@survey_app.command("building")
@refusals
@input_refusals(NOT_FOUND)
@each_refusal
def survey_building(
    number: CaseNumber,
    acting: As,
    structure: Annotated[str | None, typer.Option("--structure", help="建筑结构。")] = None,
    floors_above: Annotated[str | None, typer.Option("--floors-above", help="地上层数。")] = None,
    floors_below: Annotated[str | None, typer.Option("--floors-below", help="地下层数。")] = None,
    height: Annotated[str | None, typer.Option("--height", help="建筑高度（米）。")] = None,
    use: Annotated[str | None, typer.Option("--use", help="规划用途。")] = None,
) -> None:
    """完善当前栋信息。"""
    from services.presale import surveys

    db, actor = _acting(acting)
    surveys.set_building_info(db, actor, number, structure=structure, floors_above=floors_above,
                              floors_below=floors_below, height=height, building_use=use)
    _line("已保存栋信息。")


@survey_app.command("set")
@refusals
@input_refusals(NOT_FOUND)
def survey_set(
    number: CaseNumber,
    values: Annotated[list[str], typer.Argument(metavar="项=值...", help="如 户型=三室两厅 销售单价=9000（值为空表示清除）。")],
    acting: As,
    match: Annotated[str | None, typer.Option("--match", help="按室号匹配的数字或字母。")] = None,
    backward: Annotated[bool, typer.Option("--backward", help="向后匹配（默认向前）。")] = False,
    length: Annotated[int | None, typer.Option("--length", help="室号长度（不含分隔符）。")] = None,
    units: Annotated[list[str] | None, typer.Option("--unit", help="单元号（可多次）。")] = None,
    unit_nos: Annotated[list[str] | None, typer.Option("--unit-no", help="室号（可多次）。")] = None,
    floors: Annotated[list[str] | None, typer.Option("--floor", help="实际层（可多次）。")] = None,
    layout: Annotated[str | None, typer.Option("--layout", help="户型。")] = None,
    only_empty: Annotated[str | None, typer.Option("--only-empty", help="只选该项为空的户室。")] = None,
) -> None:
    """批量设置所选户室（来自测绘成果的项不能修改）。"""
    from core.presale.units import MatchFrom, check_selection
    from services.presale import surveys

    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise bad_input("BATCH_VALUE_FORMAT", f"“{item[:30]}”应写成 项=值，如 户型=三室两厅。")
        pairs[key.strip()] = value
    selection = check_selection(match=match, match_from=MatchFrom.BACKWARD if backward else MatchFrom.FORWARD,
                                length=length, units=units or (), unit_nos=unit_nos or (), floors=floors or (),
                                layout=layout, empty=only_empty)
    db, actor = _acting(acting)
    done = surveys.batch_set(db, actor, number, selection, pairs)
    _line(f"已设置 {done.units} 户（{shown(done.selection)}）。")


@survey_app.command("price")
@refusals
@input_refusals(NOT_FOUND)
def survey_price(
    number: CaseNumber,
    acting: As,
    base: Annotated[str, typer.Option("--base", help="基础价格（元/m²）。")],
    base_floor: Annotated[str, typer.Option("--base-floor", help="基准层数（实际层）。")],
    kind: Annotated[str, typer.Option("--kind", help="销售单价 / 装修单价 / 毛坯单价。")] = "销售单价",
    direction: Annotated[str, typer.Option("--direction", help="向上 / 向下（up / down）。")] = "向上",
    step: Annotated[str, typer.Option("--step", help="每层递增或递减的金额（元/m²）。")] = "0",
    decrease: Annotated[bool, typer.Option("--decrease", help="递减（默认递增）。")] = False,
    layout: Annotated[str | None, typer.Option("--layout", help="只设该户型。")] = None,
) -> None:
    """快捷设置价格：按户型、实际层，从基准层向上或向下逐层递增或递减。"""
    from core.presale.pricing import check_price_rule
    from services.presale import surveys

    rule = check_price_rule(price_kind=kind, base_price=base, base_floor=base_floor, direction=direction, step=step,
                            decrease=decrease, layout=layout)
    db, actor = _acting(acting)
    done = surveys.quick_price(db, actor, number, rule)
    _line(f"已设置 {done.units} 户：{shown(done.selection)}。")


@survey_app.command("sync")
@refusals
@input_refusals(NOT_FOUND)
def survey_sync(number: CaseNumber, acting: As) -> None:
    """从原测绘同步：相同户室的户型、价格等已完善的信息同步到本次成果的空项。"""
    from services.presale import surveys

    db, actor = _acting(acting)
    done = surveys.sync_from_base(db, actor, number)
    _line(f"已从原测绘同步 {done.units} 户的 {done.values} 项信息。")


@survey_app.command("submit")
@refusals
@input_refusals(NOT_FOUND)
def survey_submit(number: CaseNumber, acting: As) -> None:
    """栋项目信息确认后派工给主管部门审核。"""
    from services.presale import surveys

    db, actor = _acting(acting)
    surveys.submit_survey(db, actor, number)
    _line(f"{number.strip().upper()} 已派工给主管部门审核。")


@survey_app.command("cancel")
@refusals
@input_refusals(NOT_FOUND)
def survey_cancel(number: CaseNumber, acting: As,
                  reason: Annotated[str, typer.Option("--reason", help="取消受理的原因。")]) -> None:
    """取消受理（派工前）：本次测绘成果作废。"""
    from services.presale import surveys

    db, actor = _acting(acting)
    surveys.cancel_survey(db, actor, number, reason=reason)
    _line(f"{number.strip().upper()} 已取消受理。")


@survey_app.command("receive")
@refusals
@input_refusals(NOT_FOUND)
def survey_receive(number: CaseNumber, acting: As) -> None:
    """接件。"""
    from services import cases

    db, actor = _acting(acting)
    cases.receive_case(db, actor, number)
    _line(f"{number.strip().upper()} 已接件。")


@survey_app.command("return")
@refusals
@input_refusals(NOT_FOUND)
def survey_return(number: CaseNumber, acting: As,
                  reason: Annotated[str, typer.Option("--reason", help="退件原因。")]) -> None:
    """退件：退回开发企业修改测绘信息。"""
    from services import cases

    db, actor = _acting(acting)
    cases.return_case(db, actor, number, to_stage="entry", reason=reason)
    _line(f"{number.strip().upper()} 已退回测绘信息编辑。")


def _show_mapping(view) -> None:  # type: ignore[no-untyped-def]
    _line(f"原测绘宗号 {shown(view.base_survey_number)} → 测绘宗号 {shown(view.survey_number)}"
          + ("　（已确认）" if view.confirmed_at else "　（未确认）"))
    for line in view.summary.lines():
        _line(shown(line))


@survey_app.command("mapping")
@refusals
@input_refusals(NOT_FOUND)
def survey_mapping(number: CaseNumber) -> None:
    """户室关系对照：拆分、合并、新增、删除。"""
    from services.presale import surveys

    _show_mapping(surveys.mapping_view(database(), system_actor(), number))


@survey_app.command("link")
@refusals
@input_refusals(NOT_FOUND)
def survey_link(
    number: CaseNumber,
    acting: As,
    old: Annotated[list[str], typer.Option("--old", help="原户室室号（可多次：合并）。")],
    new: Annotated[list[str], typer.Option("--new", help="新户室室号（可多次：拆分）。")],
) -> None:
    """对照户室：原户室对应新户室（一对一、拆分或合并），取代它们原有的对照。"""
    from services.presale import surveys

    db, actor = _acting(acting)
    _show_mapping(surveys.link_units(db, actor, number, old, new))


@survey_app.command("unlink")
@refusals
@input_refusals(NOT_FOUND)
def survey_unlink(
    number: CaseNumber,
    acting: As,
    old: Annotated[list[str] | None, typer.Option("--old", help="原户室室号（取消对照即删除）。")] = None,
    new: Annotated[list[str] | None, typer.Option("--new", help="新户室室号（取消对照即新增）。")] = None,
) -> None:
    """取消户室的对照。"""
    from services.presale import surveys

    db, actor = _acting(acting)
    _show_mapping(surveys.unlink_units(db, actor, number, old or (), new or ()))


@survey_app.command("confirm-mapping")
@refusals
@input_refusals(NOT_FOUND)
def survey_confirm_mapping(number: CaseNumber, acting: As) -> None:
    """确认户室关系对照（归档前须确认）。"""
    from services.presale import surveys

    db, actor = _acting(acting)
    _show_mapping(surveys.confirm_mapping(db, actor, number))


@survey_app.command("changes")
@refusals
@input_refusals(NOT_FOUND)
def survey_changes(number: CaseNumber) -> None:
    """变更前后对比：栋信息、对应户室的变化、拆分合并新增删除。"""
    from services.presale import surveys

    c = surveys.survey_changes(database(), system_actor(), number)
    _line(f"变更前 {shown(c.base_survey_number)} → 变更后 {shown(c.survey_number)}")
    for line in c.summary.lines():
        _line(shown(line))
    table = Table("原户室", "新户室", "项目", "变更前", "变更后")
    for label, before, after in c.building:
        table.add_row("栋", "", label, shown(before), shown(after))
    for old, new, diffs in c.units:
        for label, before, after in diffs:
            table.add_row(shown(old), shown(new), label, shown(before), shown(after))
    out.print(table)


@survey_app.command("archive")
@refusals
@input_refusals(NOT_FOUND)
def survey_archive(number: CaseNumber, acting: As,
                   note: Annotated[str | None, typer.Option("--note", help="审核意见。")] = None) -> None:
    """审核通过并归档：本次成果成为该栋现行成果。"""
    from services.presale import surveys

    db, actor = _acting(acting)
    done = surveys.archive_survey(db, actor, number, note=note)
    _line(f"{done.case_number} 已归档：该栋现有户室 {done.units} 套（新增 {done.new_units}，沿用 {done.kept}，"
          f"灭失 {done.retired}）。")



# ------------------------------------------------------------------ fund supervision

from tui.cli.presale_fund import fund_app  # noqa: E402  (its own module: one per presale flow)

presale_app.add_typer(fund_app, name="fund")
