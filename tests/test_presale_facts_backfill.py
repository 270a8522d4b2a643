"""户室信息补录 (seed 004 §5.11) on SQLite and PostgreSQL: the developer completes the missing
project, building and unit facts (required ones marked *; units in bulk), the authority returns
or archives it, and only then are the facts written — never over recorded ones."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.presale import facts_backfill as rules
from services import audit, cases
from services.presale import facts_backfill as fb
from services.presale import projects
from storage.models import Project, Survey, SurveyUnit
from tests.conftest import SYSTEM
from tests.permit_support import archive_survey
from tests.presale_support import make_hall


def _refused(call, *args, **kw) -> RuleViolation:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        call(*args, **kw)
    return refused.value


def test_core_rules_by_their_sentences():
    with pytest.raises(RuleViolation) as r:
        rules.fill_blanks({"land_area": Decimal("1")}, {"land_area": Decimal("2")}, scope="项目",
                          labels=rules.PROJECT_FIELDS)
    assert r.value.message == "项目的“用地面积”已有信息，户室信息补录只补录缺失的信息。"
    assert rules.missing({}, {"structure": "混合结构", "floors_above": 3}, []) == [
        "项目信息：用地面积、规划总建筑面积、物业公司", "栋信息：规划用途"]
    with pytest.raises(RuleViolation) as r:
        rules.check_complete({}, {}, [])
    assert r.value.message.startswith("请先补录带*号的必填项（项目信息：用地面积")
    with pytest.raises(RuleViolation) as r:
        rules.check_project_values({"land_area": " "})
    assert r.value.message == "请至少填写一项要补录的信息。"
    with pytest.raises(RuleViolation) as r:
        rules.check_project_values({"land_area": "-3"})
    assert r.value.code == "AREA_BAD"
    with pytest.raises(RuleViolation) as r:
        rules.check_unit_values({"室号": "1-01"})
    assert r.value.code == "BATCH_FIELD_NOT_ALLOWED"


def test_the_missing_facts_are_written_only_when_archived(db):
    hall = make_hall(db, 61)
    archive_survey(hall)
    dev, authority = hall.dev, hall.authority
    started = fb.start_facts(db, dev, hall.project_id, "D004")
    number = started.case_number
    assert number.startswith("X") and started.stage_name == "信息补录"
    assert [line.label for line in started.project] == ["用地面积*", "规划总建筑面积*", "物业公司*"]
    assert started.missing[0] == "项目信息：用地面积、规划总建筑面积、物业公司"
    assert _refused(fb.start_facts, db, dev, hall.project_id, "D004").code == "BACKFILL_BUILDING_BUSY"
    assert _refused(fb.submit_facts, db, dev, number).code == "BACKFILL_INCOMPLETE"
    fb.save_project(db, dev, number, land_area="12000.5", floor_area="56000", property_company="张家界物业服务有限公司")
    refused = _refused(fb.save_building, db, dev, number, structure="混合结构")
    assert refused.message == "该栋的“建筑结构”已有信息，户室信息补录只补录缺失的信息。"
    fb.save_building(db, dev, number, building_use="住宅", height="52.5")
    refused = _refused(fb.save_units, db, dev, number, {"房屋类型": "住宅"})
    assert refused.message == "该栋所有户室的“房屋类型”都已有信息，户室信息补录只补录缺失的信息。"
    view = fb.save_units(db, dev, number, {"销售单价": "9800", "装修单价": "500"})
    assert view.missing == [] and {line.key: line.entered for line in view.units}["sale_price"] == "9800"
    # nothing written yet
    with db.read() as s:
        assert s.get(Project, hall.project_id).land_area is None
    fb.submit_facts(db, dev, number)
    assert _refused(fb.save_project, db, dev, number, note=None, land_area="1").code == "BACKFILL_WRONG_STAGE"
    # returned, then archived
    assert _refused(fb.review_facts, db, authority, number, approve=False).code == "FUND_OPINION_EMPTY"
    assert fb.review_facts(db, authority, number, approve=False, opinion="物业公司名称有误") == "审核不通过，已退回开发企业补正。"
    assert fb.show_facts(db, dev, number).stage_name == "信息补录"
    assert _refused(fb.submit_facts, db, dev, number).code == "CASE_NOT_RECEIVED"  # 接件 first
    cases.receive_case(db, dev, number)
    fb.submit_facts(db, dev, number)
    assert fb.review_facts(db, authority, number, approve=True) == "审核通过，补录的信息已写入，业务已归档。"
    with db.read() as s:
        project = s.get(Project, hall.project_id)
        assert (project.land_area, project.property_company) == (Decimal("12000.50"), "张家界物业服务有限公司")
        survey = s.execute(select(Survey).where(Survey.current_building_id.is_not(None))).scalar_one()
        assert (survey.building_use, survey.height, survey.structure) == ("住宅", Decimal("52.50"), "钢筋混凝土结构")
        assert s.execute(select(func.count()).select_from(SurveyUnit).where(
            SurveyUnit.survey_id == survey.id, SurveyUnit.sale_price != Decimal("9800"))).scalar_one() == 0
    # the building is free for another back-entry
    assert fb.start_facts(db, dev, hall.project_id, "D004").missing == []
    assert audit.verify(db, SYSTEM).intact


def test_a_building_without_a_survey_and_another_enterprise(db):
    hall = make_hall(db, 62)
    projects_view = projects.show_project(db, hall.dev, hall.project_id)
    assert projects_view.buildings == []
    assert _refused(fb.start_facts, db, hall.dev, hall.project_id, "D009").code == "BUILDING_NOT_FOUND"
    archive_survey(hall)
    number = fb.start_facts(db, hall.dev, hall.project_id, "D004").case_number
    other = make_hall(db, 63, username="dev_b", supervisor="super_q")
    assert _refused(fb.show_facts, db, other.dev, number).message == f"没有业务号为“{number}”的户室信息补录业务。"
