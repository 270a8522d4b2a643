"""测绘成果备案 (seed 004 §5.1) through its C cases, on SQLite and PostgreSQL: import, a bad
file writing nothing, completing units (fixed fields refused), batch setting, quick pricing,
the check grid, dispatch, review, the unit mapping of a conversion, archiving, changes,
cancellation, and who may see and do what."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import RuleViolation
from core.presale.pricing import check_price_rule
from core.presale.units import check_selection
from services import audit, cases
from services.presale import surveys
from storage.models import AuditEntry, Building, BuildingUnit, Case, Survey, SurveyUnit
from tests.conftest import SYSTEM
from tests.presale_support import ACTUAL, PREDICTED, Hall, developer_operator, enterprise_code, entry, make_hall, \
    survey_csv

NUMBER = re.compile(r"^C\d{15}$")


def _count(db, model, *where) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _start(hall: Hall, text: str = PREDICTED, *, type_code: str = "survey_predicted", number: str = "CL20220406001",
           building: str = "D004") -> str:
    return surveys.start_survey(hall.db, hall.dev, type_code=type_code, project_id=hall.project_id,
                                building=building, survey_number=number, text=text).case_number


def _complete_and_submit(hall: Hall, number: str) -> None:
    db, dev = hall.db, hall.dev
    surveys.batch_set(db, dev, number, check_selection(empty="户型"), {"户型": "复式五室"})
    surveys.batch_set(db, dev, number, check_selection(empty="装修情况"), {"装修情况": "毛坯"})
    surveys.set_building_info(db, dev, number, structure="钢筋混凝土结构", floors_above="17")
    surveys.submit_survey(db, dev, number)


def _archive(hall: Hall, number: str) -> surveys.ArchiveDone:
    cases.receive_case(hall.db, hall.authority, number)
    return surveys.archive_survey(hall.db, hall.authority, number, note="经审核，同意备案。")


def test_a_predicted_survey_from_import_to_archive(db):
    hall = make_hall(db, 31)
    started = surveys.start_survey(db, hall.dev, type_code="survey_predicted", project_id=hall.project_id,
                                   building="D004", survey_number="cl20220406001", text=PREDICTED)
    number = started.case_number
    assert NUMBER.match(number) and started.units == 102 and started.linked == 0
    [row] = cases.in_hand(db, hall.dev)
    assert (row.number, row.type_name, row.stage_name) == (number, "预测成果备案", "测绘信息编辑")
    view = surveys.show_survey(db, hall.dev, number)
    assert (view.survey_number, view.building_number, view.kind_label, view.status_label) == \
        ("CL20220406001", "D004", "预测", "办理中")
    assert len(view.units) == 102 and view.total_built_area == Decimal("12647.32") and view.priced == 0
    # fields the survey gave are fixed; empty ones are completed
    with pytest.raises(RuleViolation) as refused:
        surveys.batch_set(db, hall.dev, number, check_selection(match="1", length=4), {"户型": "复式"})
    assert refused.value.code == "SURVEY_FIELD_FIXED" and "户室10-01等42户" in refused.value.message
    done = surveys.batch_set(db, hall.dev, number, check_selection(match="17", length=4, empty="户型"), {"户型": "复式"})
    assert done.units == 6
    surveys.batch_set(db, hall.dev, number, check_selection(), {"装修情况": "毛坯", "毛坯单价": "9000", "装修单价": "0"})
    priced = surveys.quick_price(db, hall.dev, number, check_price_rule(
        price_kind="销售单价", base_price="9000", base_floor="1", direction="向上", step="0"))
    assert priced.units == 102
    surveys.quick_price(db, hall.dev, number, check_price_rule(
        price_kind="销售单价", base_price="9750", base_floor="16", direction="向下", step="50", decrease=True,
        layout="两室两厅"))
    grid = surveys.grid(db, hall.dev, number)
    assert grid.floors[0] == 17 and len(grid.columns) == 6 and len(grid.cells) == 102
    assert grid.cells[(16, 1)].lines() == ("16-02", "毛 9000", "装 0", "面 98.36", "销 9750")
    assert grid.cells[(17, 1)].sale == grid.cells[(1, 1)].sale == Decimal("9000")
    assert grid.flagged == 2 * 15  # 两室两厅 on floors 2-16: 销 ≠ 毛 + 装
    # one unit corrected on the check (价格核对)
    surveys.batch_set(db, hall.dev, number, check_selection(unit_nos=["16-02"]), {"销售单价": "9000"})
    assert surveys.grid(db, hall.dev, number, floor=16, layout="两室两厅").flagged == 1
    with pytest.raises(RuleViolation) as refused:
        surveys.submit_survey(db, hall.dev, number)
    assert refused.value.code == "SURVEY_BUILDING_INCOMPLETE"
    surveys.set_building_info(db, hall.dev, number, structure="框架", floors_above="17", height="54.5")
    with pytest.raises(RuleViolation) as refused:  # the generic screens do not dispatch a survey
        cases.dispatch_case(db, hall.dev, number)
    assert refused.value.code == "CASE_MOVE_IN_DOMAIN"
    surveys.submit_survey(db, hall.dev, number)
    with pytest.raises(RuleViolation) as refused:
        surveys.batch_set(db, hall.dev, number, check_selection(), {"销售单价": "1"})
    assert refused.value.code == "SURVEY_WRONG_STAGE"
    assert [r.number for r in cases.in_hand(db, hall.authority)] == [number]
    cases.receive_case(db, hall.authority, number)
    with pytest.raises(RuleViolation) as refused:
        cases.archive_case(db, hall.authority, number)
    assert refused.value.code == "CASE_MOVE_IN_DOMAIN"
    with pytest.raises(RuleViolation) as refused:
        surveys.archive_survey(db, hall.dev, number)
    assert refused.value.code == "ROLE_FORBIDDEN"
    done = surveys.archive_survey(db, hall.authority, number, note="同意")
    assert (done.units, done.new_units, done.kept, done.retired) == (102, 102, 0, 0)
    view = surveys.show_survey(db, hall.dev, number)
    assert view.status_label == "现行" and view.case_status_label == "已办结" and view.info.structure == "钢筋混凝土结构"
    assert _count(db, BuildingUnit, BuildingUnit.state == "registered") == 102
    assert _count(db, SurveyUnit, SurveyUnit.building_unit_id.is_(None)) == 0
    detail = cases.case_detail(db, hall.dev, number)
    assert [s.action for s in detail.timeline] == ["发起业务", "派工", "接件", "归档"]
    assert audit.verify(db, SYSTEM).intact


def test_a_bad_file_reports_every_bad_row_and_writes_nothing(db):
    hall = make_hall(db, 32)
    with db.read() as s:
        before = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    bad = PREDICTED.replace("\n3-02,A01,3,3,98.3600", "\n3-02,A01,0,3,98.3600").replace(
        "\n9-04,A02,9,9,143.5200,119.6800,23.8400,", "\n9-04,A02,9,9,143.5200,119.6800,33.8400,")
    with pytest.raises(surveys.SurveyFileInvalid) as refused:
        _start(hall, bad)
    assert [(e.row, e.field, e.code) for e in refused.value.errors] == [
        (15, "实际层", "UNIT_FLOOR_BAD"), (53, "建筑面积", "UNIT_AREA_SUM")]
    assert "测绘成果文件有 2 行错误，未导入任何数据：第15行【实际层】" in refused.value.message
    for model in (Case, Building, Survey, SurveyUnit):
        assert _count(db, model) == 0
    audit.chain_pending(db.engine)
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before


def test_which_survey_a_building_may_take_and_one_at_a_time(db):
    hall = make_hall(db, 33)
    number = _start(hall)
    with pytest.raises(RuleViolation) as refused:
        _start(hall, number="CL20220406002")
    assert refused.value.code == "SURVEY_BUILDING_BUSY" and number in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        _start(hall, building="D005")
    assert refused.value.code == "SURVEY_NUMBER_USED"
    with pytest.raises(RuleViolation) as refused:
        _start(hall, ACTUAL, type_code="survey_conversion", number="SC1", building="D005")
    assert refused.value.code == "SURVEY_NO_BASE"
    _complete_and_submit(hall, number)
    _archive(hall, number)
    with pytest.raises(RuleViolation) as refused:
        _start(hall, number="CL20220406009")
    assert refused.value.code == "SURVEY_BUILDING_HAS_RESULT" and "预测转实测成果备案" in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        _start(hall, type_code="survey_actual_change", number="CL20220406009")
    assert refused.value.code == "SURVEY_WRONG_BASE"


def test_cancelling_before_dispatch_voids_the_survey_and_frees_the_building(db):
    hall = make_hall(db, 34)
    number = _start(hall)
    with pytest.raises(RuleViolation) as refused:
        surveys.cancel_survey(db, hall.dev, number, reason=" ")
    assert refused.value.code == "CASE_CANCEL_REASON_REQUIRED"
    # 取消受理 at the generic desk (在手业务 F8) is the survey's own: the survey is void too
    cases.cancel_case(db, hall.dev, number, reason="测绘单位重新出具成果")
    view = surveys.show_survey(db, hall.dev, number)
    assert view.status_label == "已作废" and view.case_status_label == "已取消受理"
    again = _start(hall)  # the same survey number may be imported again once the first is void
    assert again != number
    with pytest.raises(RuleViolation) as refused:
        surveys.batch_set(db, hall.dev, number, check_selection(), {"户型": "x"})
    assert refused.value.code == "CASE_CANCELLED"


def test_the_authority_returns_a_survey_and_the_developer_edits_again(db):
    hall = make_hall(db, 35)
    number = _start(hall)
    _complete_and_submit(hall, number)
    cases.receive_case(db, hall.authority, number)
    cases.return_case(db, hall.authority, number, to_stage="entry", reason="17层户型请按规划图核对")
    with pytest.raises(RuleViolation) as refused:
        surveys.batch_set(db, hall.dev, number, check_selection(floors=["17"]), {"户型": "四室"})
    assert refused.value.code == "CASE_NOT_RECEIVED"
    cases.receive_case(db, hall.dev, number)
    assert surveys.batch_set(db, hall.dev, number, check_selection(floors=["17"]), {"户型": "四室"}).units == 6
    surveys.submit_survey(db, hall.dev, number)
    assert _archive(hall, number).units == 102


def test_another_enterprise_never_sees_a_survey(db):
    hall = make_hall(db, 36)
    number = _start(hall)
    code = enterprise_code(37)
    from services.presale import developers

    developers.register_developer(db, SYSTEM, entry(code, name="另一地产有限公司"))
    stranger = developer_operator(db, code, "dev_stranger", phone="13700000001")
    for call in (lambda: surveys.show_survey(db, stranger, number), lambda: surveys.grid(db, stranger, number),
                 lambda: surveys.batch_set(db, stranger, number, check_selection(), {"户型": "x"})):
        with pytest.raises(RuleViolation) as refused:
            call()
        assert refused.value.code == "SURVEY_CASE_NOT_FOUND"
    with pytest.raises(RuleViolation) as refused:
        cases.case_detail(db, stranger, number)
    assert refused.value.code == "CASE_NOT_FOUND"
    with pytest.raises(RuleViolation) as refused:
        surveys.start_survey(db, stranger, type_code="survey_predicted", project_id=hall.project_id, building="D009",
                             survey_number="X9", text=PREDICTED)
    assert refused.value.code == "PROJECT_NOT_FOUND"
    assert surveys.list_surveys(db, stranger) == [] and [r.case_number for r in surveys.list_surveys(db, hall.dev)] == [number]
    # a second operator of the same enterprise sees it but may not edit it: the case is not in their hands
    colleague = developer_operator(db, hall.code, "dev_colleague", phone="13700000002")
    assert surveys.show_survey(db, colleague, number).case_number == number
    with pytest.raises(RuleViolation) as refused:
        surveys.batch_set(db, colleague, number, check_selection(), {"户型": "x"})
    assert refused.value.code == "CASE_NOT_HOLDER"


def test_predicted_to_actual_with_split_merged_and_confirmed_mapping(db):
    hall = make_hall(db, 38)
    first = _start(hall)
    surveys.batch_set(db, hall.dev, first, check_selection(), {"毛坯单价": "9000", "装修单价": "0", "销售单价": "9000"})
    _complete_and_submit(hall, first)
    _archive(hall, first)
    with db.read() as s:
        kept_unit = s.execute(select(SurveyUnit.building_unit_id).where(SurveyUnit.unit_no == "2-02")).scalar_one()

    number = _start(hall, ACTUAL, type_code="survey_conversion", number="SC20240101001")
    view = surveys.mapping_view(db, hall.dev, number)
    assert (view.summary.old_count, view.summary.new_count, len(view.summary.matched)) == (102, 102, 100)
    assert view.summary.added == ["1-01A", "1-01B"] and view.summary.deleted == ["1-01", "17-06"]
    with pytest.raises(RuleViolation) as refused:
        surveys.link_units(db, hall.dev, number, ["1-01"], ["1-01A"])  # the authority maps, at review
    assert refused.value.code == "ROLE_FORBIDDEN"
    synced = surveys.sync_from_base(db, hall.dev, number)
    assert synced.units == 100 and synced.values == 100 * 4  # three prices and the decoration each
    assert surveys.show_survey(db, hall.dev, number).info.floors_above == 17
    surveys.batch_set(db, hall.dev, number, check_selection(empty="销售单价"), {"销售单价": "9500", "装修情况": "毛坯"})
    surveys.submit_survey(db, hall.dev, number)
    cases.receive_case(db, hall.authority, number)
    with pytest.raises(RuleViolation) as refused:
        surveys.archive_survey(db, hall.authority, number)
    assert refused.value.code == "MAPPING_NOT_CONFIRMED"
    surveys.link_units(db, hall.authority, number, ["1-01"], ["1-01A", "1-01B"])
    with pytest.raises(RuleViolation) as refused:
        surveys.link_units(db, hall.authority, number, ["17-05", "17-06"], ["17-05", "17-04"])
    assert refused.value.code == "MAPPING_MANY_TO_MANY"
    with pytest.raises(RuleViolation) as refused:
        surveys.link_units(db, hall.authority, number, ["99-99"], ["17-05"])
    assert refused.value.code == "MAPPING_UNKNOWN_UNIT"
    view = surveys.link_units(db, hall.authority, number, ["17-05", "17-06"], ["17-05"])
    assert view.summary.lines() == [
        "原户室 102 套，新户室 102 套，对照后户室 102 套；对应 99 套",
        "拆分户室：1 套；1-01 → 1-01A、1-01B",
        "合并户室：1 套；17-05、17-06 → 17-05",
        "新增户室：0 套",
        "删除户室：0 套",
    ]
    surveys.confirm_mapping(db, hall.authority, number)
    surveys.unlink_units(db, hall.authority, number, new=["1-01B"])  # a change after confirming asks again
    with pytest.raises(RuleViolation) as refused:
        surveys.archive_survey(db, hall.authority, number)
    assert refused.value.code == "MAPPING_NOT_CONFIRMED"
    surveys.link_units(db, hall.authority, number, ["1-01"], ["1-01A", "1-01B"])
    assert surveys.confirm_mapping(db, hall.authority, number).confirmed_at is not None
    changes = surveys.survey_changes(db, hall.dev, number)
    by_unit = {old: diff for old, _, diff in changes.units}
    assert by_unit["2-02"][0] == ("建筑面积", "98.36", "98.60") and len(changes.units) == 99
    done = surveys.archive_survey(db, hall.authority, number)
    assert (done.units, done.new_units, done.kept, done.retired) == (102, 3, 99, 3)
    with db.read() as s:
        assert s.execute(select(SurveyUnit.building_unit_id).join(Survey, Survey.id == SurveyUnit.survey_id).where(
            Survey.survey_number == "SC20240101001", SurveyUnit.unit_no == "2-02")).scalar_one() == kept_unit
        statuses = dict(s.execute(select(Survey.survey_number, Survey.status)).all())
    assert statuses == {"CL20220406001": "superseded", "SC20240101001": "current"}
    assert _count(db, BuildingUnit, BuildingUnit.state == "registered") == 102
    assert _count(db, BuildingUnit, BuildingUnit.state == "retired") == 3
    # the building is actual now: a further change is an 实测变更
    again = _start(hall, ACTUAL, type_code="survey_actual_change", number="SC20240101002")
    assert surveys.mapping_view(db, hall.dev, again).summary.matched.__len__() == 102
    assert audit.verify(db, SYSTEM).intact


def test_a_predicted_change_shows_before_and_after(db):
    hall = make_hall(db, 39)
    first = _start(hall)
    _complete_and_submit(hall, first)
    _archive(hall, first)
    changed = PREDICTED.replace("\n5-03,A01,5,5,143.5200,119.6800,23.8400,钢筋混凝土结构,住宅,住宅,市场化商品房,是,四室两厅,",
                                "\n5-03,A01,5,5,143.5200,119.6800,23.8400,钢筋混凝土结构,住宅,住宅,市场化商品房,是,三室两厅,")
    number = _start(hall, changed, type_code="survey_predicted_change", number="CL20220406002")
    surveys.sync_from_base(db, hall.dev, number)
    changes = surveys.survey_changes(db, hall.dev, number)
    assert changes.units == [("5-03", "5-03", [("户型", "四室两厅", "三室两厅")])]
    assert changes.summary.added == changes.summary.deleted == []


@pytest.mark.slow
def test_a_thousand_unit_building_imports_in_bulk(db):
    """The seconds are `wangqian bench presale`'s (target ≤ 1 s); here, that the 1,000 units
    go in a bounded number of statements, not one per unit."""
    from sqlalchemy import event

    hall = make_hall(db, 40)
    sent = [0]

    def count(*_args):  # type: ignore[no-untyped-def]
        sent[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        done = surveys.start_survey(db, hall.dev, type_code="survey_predicted", project_id=hall.project_id,
                                    building="K0", survey_number="BIG0", text=survey_csv(50, 20))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert done.units == 1000
    assert sent[0] < 100, f"1,000 units took {sent[0]} statements"
