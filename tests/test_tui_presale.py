"""商品房预售 through the terminal at 80x24: a developer's operator sees their enterprise and
its project, imports a survey file (F2) and reads its check grid (F6 one figure per cell);
a bad file lists every bad row and writes nothing; the authority finds an enterprise by its
code with the legal representative's numbers masked; the menu offers each role its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_tui_support import SIZE, FIXED_NOW, login, make_app, screen_text, settle, type_into

from core.presale.units import check_selection
from services import cases
from services.presale import surveys
from storage.models import Survey
from tests.conftest import freeze
from tests.presale_support import LEGAL_REP_ID, PASSWORD, make_hall
from tui.screens.presale.enterprise import EnterpriseScreen
from tui.screens.presale.survey import SurveyImportDialog, SurveyScreen
from tui.widgets.message import MessageLine

ROOT = Path(__file__).resolve().parent.parent
PREDICTED = ROOT / "sample_data" / "survey_D004_predicted.csv"


@pytest.fixture
def presale_db(sqlite_sample_db):
    """The demo hall with an enterprise (测试61号地产开发有限公司), its project and its admitted operator."""
    freeze(sqlite_sample_db, FIXED_NOW)
    hall = make_hall(sqlite_sample_db, 61, username="dev_a", supervisor="super_p")
    sqlite_sample_db.presale = hall  # type: ignore[attr-defined]
    return sqlite_sample_db


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _import(pilot, path: Path, project: int, number: str = "CL20220406001") -> None:
    await _press(pilot, "f2")
    assert isinstance(pilot.app.screen, SurveyImportDialog)
    await type_into(pilot, "#import-project", str(project))
    await type_into(pilot, "#import-building", "D004")
    await type_into(pilot, "#import-number", number)
    await type_into(pilot, "#import-path", str(path))
    await _press(pilot, "f9")


async def test_a_developers_operator_sees_their_enterprise_and_imports_a_survey(presale_db) -> None:
    hall = presale_db.presale
    app = make_app(presale_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        shown = screen_text(app)
        assert "开发企业·项目" in shown and "测绘成果备案" in shown
        assert "申请人查询" not in shown and "网签合同" not in shown  # not a developer's work
        await _press(pilot, "e")
        assert isinstance(app.screen, EnterpriseScreen)
        shown = screen_text(app)
        assert "测试61号地产开发有限公司" in shown and hall.code in shown and "房地产01项目" in shown
        assert LEGAL_REP_ID not in shown and LEGAL_REP_ID[:6] + "********" in shown
        assert "尚缺：国有土地使用证" in shown
        await _press(pilot, "escape", "m")
        assert isinstance(app.screen, SurveyScreen)
        await _import(pilot, PREDICTED, hall.project_id)
        assert isinstance(app.screen, SurveyScreen)
        shown = screen_text(app)
        assert "已受理 C20261121" in shown and "102 户，已定价 0，待核对 102" in shown and "测绘信息编辑" in shown
        assert "17-01" in shown and "毛 —" in shown
        await _press(pilot, "f6")
        shown = screen_text(app)
        assert "显示：销" in shown and "17-01 —!" in shown
        await _press(pilot, "escape", "e")
        assert "D004　尚无备案成果　办理中 C20261121" in screen_text(app)


async def test_a_bad_file_lists_every_row_and_writes_nothing(presale_db, tmp_path) -> None:
    hall = presale_db.presale
    bad = tmp_path / "bad.csv"
    bad.write_text("室号,实际层,建筑面积\n1-01,0,100\n1-02,1,abc\n", encoding="utf-8")
    with presale_db.read() as s:
        before = s.execute(select(func.count()).select_from(Survey)).scalar_one()  # the demo's own surveys
    app = make_app(presale_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "m")
        await _import(pilot, bad, hall.project_id)
        shown = screen_text(app)
        assert "测绘成果文件有 2 处错误，未导入任何数据。" in shown
        assert "第2行【实际层】" in shown and "第3行【建筑面积】" in shown
    with presale_db.read() as s:
        assert s.execute(select(func.count()).select_from(Survey)).scalar_one() == before


async def test_the_authority_finds_an_enterprise_by_its_code(presale_db) -> None:
    hall = presale_db.presale
    app = make_app(presale_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "super1")
        await _press(pilot, "e")
        assert "请输入开发企业的统一社会信用代码或名称" in screen_text(app)
        await type_into(pilot, "#enterprise-query", "不存在的企业")
        await _press(pilot, "enter")
        assert "没有找到该开发企业" in screen_text(app)
        await type_into(pilot, "#enterprise-query", hall.code.lower())
        await _press(pilot, "enter")
        shown = screen_text(app)
        assert "测试61号地产开发有限公司" in shown and "152****1111" in shown and "房地产01项目" in shown
        # the authority imports nothing itself: F2 is not its key
        await _press(pilot, "escape", "m")
        await _press(pilot, "f2")
        assert isinstance(app.screen, SurveyScreen)


async def test_a_clerk_is_not_offered_presale(presale_db) -> None:
    app = make_app(presale_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        assert "开发企业·项目" not in screen_text(app)
        await _press(pilot, "e")
        assert not isinstance(app.screen, EnterpriseScreen)


async def test_dispatch_then_mapping_confirmed_and_archived_at_the_terminal(presale_db) -> None:
    hall = presale_db.presale
    first = surveys.start_survey(presale_db, hall.dev, type_code="survey_predicted", project_id=hall.project_id,
                                 building="D004", survey_number="CL20220406001", text=PREDICTED.read_text()).case_number
    surveys.batch_set(presale_db, hall.dev, first, check_selection(empty="户型"), {"户型": "复式"})
    app = make_app(presale_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "m")
        await type_into(pilot, "#survey-number", first)
        await _press(pilot, "enter", "f4")
        assert "请先完善当前栋信息：建筑结构、地上层数。" in screen_text(app)
        surveys.set_building_info(presale_db, hall.dev, first, structure="钢筋混凝土结构", floors_above="17")
        await _press(pilot, "f4")
        assert "已派工给主管部门审核。" in screen_text(app) and "测绘成果审核" in screen_text(app)
        await _press(pilot, "f9")  # not a developer's key
        assert "已归档" not in screen_text(app)
    cases.receive_case(presale_db, hall.authority, first)
    surveys.archive_survey(presale_db, hall.authority, first)
    second = surveys.start_survey(presale_db, hall.dev, type_code="survey_conversion", project_id=hall.project_id,
                                  building="D004", survey_number="SC20240101001",
                                  text=(ROOT / "sample_data" / "survey_D004_actual.csv").read_text()).case_number
    surveys.sync_from_base(presale_db, hall.dev, second)
    surveys.submit_survey(presale_db, hall.dev, second)
    cases.receive_case(presale_db, hall.authority, second)
    surveys.link_units(presale_db, hall.authority, second, ["1-01"], ["1-01A", "1-01B"])
    app = make_app(presale_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, hall.authority.username, "Passw0rd1")
        await _press(pilot, "m")
        await type_into(pilot, "#survey-number", second)
        await _press(pilot, "enter")
        assert "户室对照（未确认）：原102套，新102套，对应100 拆分1 合并0 新增0 删除1" in screen_text(app)
        await _press(pilot, "f9", "f9")  # the opinion form, saved empty
        assert app.screen.query_one(MessageLine).text == "请先核对并确认户室关系对照，再归档。"
        await _press(pilot, "escape", "f8", "f8", "escape", "f9", "f9")  # 户室对照: 确认; back; 归档
        shown = screen_text(app)
        assert "已归档：该栋现有户室 102 套（新增 2，沿用 100，灭失 2）。" in shown and "现行" in shown


def test_snapshot_enterprise_of_a_developer(snap_compare, presale_db) -> None:
    async def run_before(pilot) -> None:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "e")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(presale_db), terminal_size=SIZE, run_before=run_before)


def test_snapshot_survey_check_grid(snap_compare, presale_db) -> None:
    hall = presale_db.presale

    async def run_before(pilot) -> None:
        await login(pilot, "dev_a", PASSWORD)
        await _press(pilot, "m")
        await _import(pilot, PREDICTED, hall.project_id)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(presale_db), terminal_size=SIZE, run_before=run_before)
