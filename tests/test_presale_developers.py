"""Development enterprises, their users, banks, projects and certificates (seed 004 §3) — the
use cases on SQLite and PostgreSQL: who may do what, each refusal writes nothing, every write
is audited with personal numbers masked, and a developer's staff see only their own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.parties import PartyInvalid
from core.presale.developers import BankEntry
from core.presale.projects import CertificateEntry, ProjectEntry
from core.roles import Actor, Role
from services import audit, cases, operators
from services.presale import developers, projects, users
from storage.models import AuditEntry, Developer, DeveloperBank, Operator, Project
from tests.conftest import SYSTEM, make_operator
from tests.presale_support import LEGAL_REP_ID, PASSWORD, developer_operator, enterprise_code, entry, make_hall


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _audit(db) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    audit.chain_pending(db.engine)
    with db.read() as s:
        return list(s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def test_the_authority_registers_an_enterprise_and_its_numbers_are_masked(db):
    authority = make_operator(db, "super_r", Role.SUPERVISOR)
    code = enterprise_code(11)
    view = developers.register_developer(db, authority, entry(code, registered_capital="100", paid_in_capital="100"))
    assert view.credit_code == code and view.status_label == "正常" and view.valid
    assert view.legal_rep_masked_id == LEGAL_REP_ID[:6] + "********" + LEGAL_REP_ID[-4:]
    assert view.legal_rep_masked_phone == "152****1111"
    assert view.registered_capital == Decimal("1000000.00") and view.capital_wan(view.registered_capital) == "100"
    row = _audit(db)[-1]
    assert row.action == "developer_register" and row.operator == "super_r"
    assert LEGAL_REP_ID not in row.after and "15211111111" not in row.after
    with pytest.raises(RuleViolation) as refused:
        developers.register_developer(db, authority, entry(code.lower(), name="另一家公司"))
    assert refused.value.code == "DEVELOPER_EXISTS"
    assert _count(db, Developer) == 1


def test_a_clerk_may_not_register_an_enterprise_and_a_bad_entry_writes_nothing(db, clerk):
    with pytest.raises(RuleViolation) as refused:
        developers.register_developer(db, clerk, entry(enterprise_code(12)))
    assert refused.value.code == "ROLE_FORBIDDEN"
    before = len(_audit(db))
    with pytest.raises(PartyInvalid):
        developers.register_developer(db, SYSTEM, entry(enterprise_code(12), legal_rep_phone="123"))
    assert _count(db, Developer) == 0 and len(_audit(db)) == before


def test_the_enterprise_completes_its_facts_but_only_the_authority_changes_its_status(db):
    hall = make_hall(db, 13)
    admin_id = developers.add_developer_admin(db, SYSTEM, hall.code, username="devadmin", name="王经理",
                                              phone="13800000001", password=PASSWORD)
    admin = operators.login(db, "devadmin", PASSWORD)
    assert admin.operator_id == admin_id and admin.role is Role.DEVELOPER_ADMIN and admin.developer_id == hall.developer_id
    view = developers.change_developer(db, admin, None, established_on="2009-09-05", registered_capital="5000",
                                       paid_in_capital="4999.99", address="湖南省张家界市永定区", taxpayer_number=hall.code)
    assert view.paid_in_capital == Decimal("49999900.00") and view.address == "湖南省张家界市永定区"
    with pytest.raises(RuleViolation) as refused:
        developers.change_developer(db, admin, None, status="吊销")
    assert refused.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(PartyInvalid) as refused:
        developers.change_developer(db, admin, None, paid_in_capital="6000")
    assert refused.value.code == "CAPITAL_PAID_ABOVE_REGISTERED"
    with pytest.raises(RuleViolation) as refused:
        developers.change_developer(db, admin, None, address="湖南省张家界市永定区")
    assert refused.value.code == "DEVELOPER_NOTHING_CHANGED"
    view = developers.change_developer(db, hall.authority, hall.code, status="吊销", address="")
    assert view.status_label == "吊销" and view.address is None
    change = _audit(db)[-1]
    assert change.action == "developer_change" and '"status":"revoked"' in change.after
    # a revoked enterprise takes no new operator
    with pytest.raises(RuleViolation) as refused:
        users.add_user(db, admin, username="dev_late", name="李四", phone="13800000002", password=PASSWORD)
    assert refused.value.code == "DEVELOPER_NOT_ACTIVE"


def test_an_operator_logs_in_only_once_the_authority_admits_them(db):
    hall = make_hall(db, 14)
    admin_id = developers.add_developer_admin(db, SYSTEM, hall.code, username="devadmin", name="王经理",
                                              phone="13800000001", password=PASSWORD)
    admin = operators.login(db, "devadmin", PASSWORD)
    view = users.add_user(db, admin, username="dev_new", name="赵六", phone="13800000003", password=PASSWORD)
    assert view.admission_label == "未申请入网" and view.masked_phone == "138****0003"
    with pytest.raises(RuleViolation) as refused:
        operators.login(db, "dev_new", PASSWORD)
    assert refused.value.code == "LOGIN_NOT_ADMITTED"
    users.add_user(db, admin, username="dev_two", name="钱七", phone="13800000004", password=PASSWORD)
    applied = users.apply_admission(db, admin, ["dev_new", "dev_two"])  # 批量申请入网
    assert [v.admission_label for v in applied] == ["待审核", "待审核"]
    assert [v.username for v in users.admission_queue(db, hall.authority)] == ["dev_new", "dev_two"]
    with pytest.raises(RuleViolation) as refused:
        users.apply_admission(db, admin, ["dev_new"])
    assert refused.value.code == "ADMISSION_NOT_OPEN"
    with pytest.raises(RuleViolation) as refused:
        users.decide_admission(db, admin, "dev_new", approve=True)  # not the enterprise's to decide
    assert refused.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(RuleViolation) as refused:
        users.decide_admission(db, hall.authority, "dev_two", approve=False, note=" ")
    assert refused.value.code == "ADMISSION_REASON_REQUIRED"
    refused_view = users.decide_admission(db, hall.authority, "dev_two", approve=False,
                                          note="身份证13800000004与手机号不符")
    assert refused_view.admission_label == "未通过" and "13800000004" not in (refused_view.decision_note or "")
    admitted = users.decide_admission(db, hall.authority, "dev_new", approve=True)
    assert admitted.admission_label == "已入网"
    dev = operators.login(db, "dev_new", PASSWORD)
    assert dev.role is Role.DEVELOPER and dev.developer_id == hall.developer_id
    with pytest.raises(RuleViolation) as refused:
        operators.login(db, "dev_two", PASSWORD)
    assert refused.value.code == "LOGIN_NOT_ADMITTED"
    users.apply_admission(db, admin, ["dev_two"])  # refused before: may apply again
    names = [v.username for v in users.list_users(db, admin)]
    assert names[0] == "devadmin" and set(names) == {"devadmin", "dev_a", "dev_new", "dev_two"}
    assert admin_id is not None


def test_an_operator_whose_admission_is_withdrawn_stops_at_the_next_step(db):
    hall = make_hall(db, 15)
    with db.write() as s:
        op = s.execute(select(Operator).where(Operator.username == hall.dev.username)).scalar_one()
        op.admission = "refused"
    with pytest.raises(RuleViolation) as refused:
        developers.show_developer(db, hall.dev)
    assert refused.value.code == "ACCOUNT_NOT_ADMITTED"


def test_developer_accounts_are_made_through_presale_only(db):
    with pytest.raises(RuleViolation) as refused:
        operators.add_operator(db, SYSTEM, username="sneaky", name="张三", role="developer", password=PASSWORD)
    assert refused.value.code == "OPERATOR_DEVELOPER_ROLE"
    hall = make_hall(db, 16)
    with pytest.raises(RuleViolation) as refused:
        operators.set_role(db, SYSTEM, hall.dev.username, "clerk")
    assert refused.value.code == "OPERATOR_ROLE_SCOPE"
    with pytest.raises(RuleViolation) as refused:
        operators.set_role(db, SYSTEM, hall.authority.username, "developer")
    assert refused.value.code == "OPERATOR_ROLE_SCOPE"


def test_a_developers_staff_see_only_their_own_enterprise(db):
    one = make_hall(db, 17, username="dev_one", supervisor="super_one")
    other_code = enterprise_code(18)
    developers.register_developer(db, SYSTEM, entry(other_code, name="另一地产有限公司"))
    other = developer_operator(db, other_code, "dev_other", phone="13700000000")
    assert [v.credit_code for v in developers.list_developers(db, other)] == [other_code]
    assert {v.credit_code for v in developers.list_developers(db, one.authority)} == {one.code, other_code}
    for call in (lambda: developers.show_developer(db, other, one.code),
                 lambda: developers.list_banks(db, other, one.code)):
        with pytest.raises(RuleViolation) as refused:
            call()
        assert refused.value.code == "DEVELOPER_NOT_FOUND"
    with pytest.raises(RuleViolation) as refused:
        projects.show_project(db, other, one.project_id)
    assert refused.value.code == "PROJECT_NOT_FOUND"
    assert projects.list_projects(db, other) == []
    assert [p.id for p in projects.list_projects(db, one.dev)] == [one.project_id]
    # a developer's operator maintains nothing and may not register
    with pytest.raises(RuleViolation) as refused:
        projects.add_project(db, one.dev, ProjectEntry("二期", "某路2号", "永定区"))
    assert refused.value.code == "ROLE_FORBIDDEN"


def test_banks_of_an_enterprise(db):
    hall = make_hall(db, 19)
    supervision = developers.add_bank(db, SYSTEM, hall.code, BankEntry("监管银行账户", "中国建设银行", "张家界分行",
                                                                      "测试19号地产开发有限公司", "43050170123400000123"))
    developers.add_bank(db, SYSTEM, hall.code, BankEntry("按揭银行", "中国工商银行", "永定支行"))
    developers.add_bank(db, SYSTEM, hall.code, BankEntry("贷款银行", "中国农业银行"))
    with pytest.raises(RuleViolation) as refused:
        developers.add_bank(db, SYSTEM, hall.code, BankEntry("按揭银行", "中国工商银行", "永定支行"))
    assert refused.value.code == "BANK_EXISTS"
    listed = developers.list_banks(db, hall.dev)
    assert [b.purpose_label for b in listed] == ["贷款银行", "按揭银行", "监管银行账户"]
    assert developers.list_banks(db, SYSTEM, hall.code, purpose="supervision")[0].account_number == "43050170123400000123"
    developers.remove_bank(db, SYSTEM, supervision.id)
    with pytest.raises(RuleViolation) as refused:
        developers.remove_bank(db, SYSTEM, supervision.id)
    assert refused.value.code == "BANK_NOT_FOUND"
    assert len(developers.list_banks(db, SYSTEM, hall.code)) == 2 and _count(db, DeveloperBank) == 3


def test_projects_and_their_four_certificates(db):
    hall = make_hall(db, 20)
    admin = Actor(None, "cli:test", "命令行", Role.ADMIN)
    with pytest.raises(RuleViolation) as refused:
        projects.add_project(db, admin, ProjectEntry("房地产01项目", "某路", "永定区"), credit_code=hall.code)
    assert refused.value.code == "PROJECT_EXISTS"
    view = projects.change_project(db, SYSTEM, hall.project_id, land_area="12000", property_company="张家界物业服务有限公司")
    assert view.land_area == Decimal("12000.00") and view.missing == ["国有土地使用证", "建设用地规划许可证",
                                                                      "建设工程规划许可证", "建设工程施工许可证"]
    kinds = ["国有土地使用证", "建设用地规划许可证", "建设工程规划许可证", "建设工程施工许可证"]
    made = [projects.add_certificate(db, SYSTEM, hall.project_id, CertificateEntry(k, f"湘{i}号2021", "2021-03-01"))
            for i, k in enumerate(kinds)]
    assert projects.show_project(db, hall.dev, hall.project_id).missing == []
    with pytest.raises(RuleViolation) as refused:
        projects.add_certificate(db, SYSTEM, hall.project_id, CertificateEntry(kinds[0], "湘0号2021"))
    assert refused.value.code == "CERTIFICATE_EXISTS"
    projects.remove_certificate(db, SYSTEM, made[3].id)
    assert projects.show_project(db, SYSTEM, hall.project_id).missing == ["建设工程施工许可证"]
    assert _count(db, Project) == 1
    assert [r.action for r in _audit(db)][-2:] == ["project_certificate_add", "project_certificate_remove"]


def test_a_developers_operator_cannot_reach_the_halls_cases(db, clerk):
    hall = make_hall(db, 21)
    number = cases.accept_case(db, clerk, "resale_signing", summary="南山区某房")
    with pytest.raises(RuleViolation) as refused:
        cases.case_detail(db, hall.dev, number)
    assert refused.value.code == "CASE_NOT_FOUND"
    with pytest.raises(RuleViolation) as refused:
        cases.accept_case(db, hall.dev, "resale_signing")
    assert refused.value.code == "CASE_OTHER_DEVELOPER"
    assert cases.in_hand(db, hall.dev) == []


def test_the_shell_acts_as_an_operator_only_as_an_administrator_and_only_for_one_who_may_work(db, clerk):
    hall = make_hall(db, 22)
    acting = operators.act_as(db, SYSTEM, hall.dev.username)
    assert acting == hall.dev
    assert _audit(db)[-1].action == "act_as"
    with pytest.raises(RuleViolation) as refused:
        operators.act_as(db, clerk, hall.dev.username)
    assert refused.value.code == "ROLE_FORBIDDEN"
    users.add_user(db, SYSTEM, username="dev_waiting", name="孙八", phone="13800000005", password=PASSWORD,
                   credit_code=hall.code)
    with pytest.raises(RuleViolation) as refused:
        operators.act_as(db, SYSTEM, "dev_waiting")
    assert refused.value.code == "OPERATOR_CANNOT_ACT"
    operators.set_active(db, SYSTEM, hall.dev.username, False)
    with pytest.raises(RuleViolation) as refused:
        operators.act_as(db, SYSTEM, hall.dev.username)
    assert refused.value.code == "OPERATOR_CANNOT_ACT"
